/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* The rule language (casewatch-rules(5)): rule packs read into a ruleset
 * that the evaluation (eval.h) applies to cases. */

enum rule_kind {
	RULE_DEADLINE,
	RULE_RECURRING,
	RULE_GATE,
	RULE_CHECK,
	RULE_UNIT,
	RULE_TARGET,
	_RULE_KIND_MAX,
};

enum stage { STAGE_ENQUIRY, STAGE_CASE, STAGE_CLOSED, _STAGE_MAX };
enum risk { RISK_STANDARD, RISK_MEDIUM, RISK_HIGH, _RISK_MAX };
enum role {
	ROLE_VICTIM,
	ROLE_COMPLAINANT,
	ROLE_WITNESS,
	ROLE_PERPETRATOR,
	ROLE_REFERRER,
	_ROLE_MAX,
};
enum channel {
	CHANNEL_PHONE,
	CHANNEL_LETTER,
	CHANNEL_EMAIL,
	CHANNEL_VISIT,
	CHANNEL_SMS,
	CHANNEL_MEETING,
	_CHANNEL_MAX,
};
/* The event kinds of DESIGN.md section 3, and the extensions of
 * casewatch-rules(5): hate (flagged a hate crime after receipt) and agreed
 * (a contact timescale agreed from that day on). */
enum event_kind {
	EV_ACCEPTED,
	EV_NOT_ACCEPTED,
	EV_CLOSED,
	EV_REOPENED,
	EV_HOLD,
	EV_RESUME,
	EV_RISK,
	EV_SERIOUS,
	EV_CONTACT,
	EV_HATE,
	EV_AGREED,
	_EV_MAX,
};
/* What starts a clock: received, the first event of a lifecycle kind, the
 * event that set the current risk level, a party's identification. */
enum anchor {
	ANCHOR_RECEIVED = _EV_MAX,
	ANCHOR_IDENTIFIED,
	_ANCHOR_MAX,
};
/* Anchors below _EV_MAX are the first event of that kind, except
 * EV_RISK: the risk event that set the current level. */

enum dur_unit { DUR_WORKING_DAYS, DUR_DAYS, DUR_HOURS, DUR_MONTHS };
struct duration {
	int n;
	enum dur_unit unit;
};

enum measure { MEASURE_NONE, MEASURE_INTERVAL, MEASURE_SATISFACTION };

enum notify_stage { NOTIFY_UPCOMING, NOTIFY_DUE, NOTIFY_OVERDUE, NOTIFY_ESCALATED, _NOTIFY_MAX };
/* Recipients of a stage: bits for the case's officer, the team's supervisor
 * and manager, and extra addresses. */
#define RECIPIENT_OFFICER (1u << 0)
#define RECIPIENT_SUPERVISOR (1u << 1)
#define RECIPIENT_MANAGER (1u << 2)
struct notify_stage_policy {
	bool enabled;
	struct duration offset; /* upcoming: lead before; escalated: after */
	unsigned to;
	char **addresses;
	size_t n_addresses;
};

/* One group of a rule's `when`: every condition in it must hold; a zero
 * mask or -1 means no condition. */
struct rule_filter {
	unsigned stages, risks;
	char **categories;
	size_t n_categories;
	int serious, hate;
};

struct rule {
	char *id, *title;
	char *pack;
	char *file;
	int line;
	enum rule_kind kind;

	/* The case filter: the rule applies while any of these holds (and
	 * always, when there is none). */
	struct rule_filter *when;
	size_t n_when;

	unsigned anchors; /* 1 << enum anchor (or event kind); the latest */
	struct duration within, every;
	bool has_within, has_every;
	bool agreed_contact;
	int cutoff; /* seconds after local midnight, or -1 */
	bool pause_on_hold;

	/* met_by */
	enum event_kind met_kind;
	unsigned met_channels; /* 0: any */
	bool met_preferred;
	char **met_details;
	size_t n_met_details;
	unsigned met_roles; /* 0: any party, or none */
	bool met_own_party;

	unsigned for_roles; /* 0: once per case */
	/* Who stands in, in order: fallback[i] only while the case has no
	 * party of for_roles or of fallback[0..i-1]. */
	enum role fallback[_ROLE_MAX];
	size_t n_fallback;
	unsigned fallback_roles; /* the same, as a mask */
	/* A case the rule applies to with no party it could be owed to
	 * carries a problem line (no_party = "problem") naming the roles
	 * no_party_roles lists: "victim, referrer or complainant". */
	bool no_party_problem;
	char *no_party_roles;
	enum event_kind before;        /* gate */
	unsigned missing_roles;        /* check */
	char *meeting;                 /* unit */
	enum measure measure;          /* target */
	double goal;                   /* satisfaction: percent */
	int window_months;

	bool urgent;
	struct notify_stage_policy notify[_NOTIFY_MAX];
};

struct ruleset {
	struct rule *v;
	size_t n;
	bool agreed_contact; /* some rule takes agreed contact timescales */
};

/* What meets the rule, in plain words for a message ("a visit with the
 * party it is owed to", "a letter marked acknowledgement"); NULL for a
 * rule nothing meets (a check, a satisfaction target). */
char *rule_met_by_text(const struct rule *r);
const char *role_to_string(enum role r);
const char *event_kind_to_string(enum event_kind k);
const char *notify_stage_to_string(enum notify_stage s);
/* A digest of everything the rules mean (not where they were written):
 * equal digests, same obligations and notifications. */
uint64_t rules_digest(const struct ruleset *rs);
int notify_stage_from_string(const char *s);
/* Each returns the value or -EINVAL. */
int stage_from_string(const char *s);
int risk_from_string(const char *s);
int role_from_string(const char *s);
int channel_from_string(const char *s);
int event_kind_from_string(const char *s);
/* The vocabulary's own string equal to s, or NULL when s is none of its
 * words. The *_from_string functions above know these strings by their
 * address, without comparing them: the scan of the case database passes
 * them on instead of copies. */
const char *stage_word(const char *s);
const char *risk_word(const char *s);
const char *role_word(const char *s);
const char *channel_word(const char *s);
const char *event_kind_word(const char *s);

/* "3 working days", "14 days", "48 hours", "1 month". Months only when
 * allow_months. Returns 0 or -EINVAL. */
int duration_parse(const char *s, bool allow_months, struct duration *ret);
/* A contact timescale as officers write it (casewatch-rules(5), AGREED
 * CONTACT): any case, "every" optional; "weekly", "fortnightly",
 * "monthly", "daily", "N working days", "N days", "N weeks", "N
 * fortnights", "N months", "N hours", N in digits or one to twelve in
 * words ("a" for one). Weeks become days. Returns 0 or -EINVAL; a period
 * of 0 is -EINVAL. */
int agreed_parse(const char *s, struct duration *ret);
/* A party's roles as the case database's parties.roles holds them: names
 * separated by commas, semicolons, slashes or white space. Returns the mask
 * of roles, or -EINVAL with *ret_bad (length *ret_bad_len) the first word
 * that is no role. */
long roles_parse(const char *s, const char **ret_bad, size_t *ret_bad_len);

/* Load every pack in `paths` (files, or folders of *.conf files in name
 * order) into `rs`. Every problem goes to diags as FILE:LINE: message;
 * returns 0 or -EINVAL when there was any. */
int rules_load(char *const *paths, size_t n_paths, struct ruleset *rs, struct diags *diags);
void ruleset_free(struct ruleset *rs);

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
/* The event kinds of DESIGN.md section 3. */
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

struct rule {
	char *id, *title;
	char *pack;
	char *file;
	int line;
	enum rule_kind kind;

	/* The case filter; a zero mask or -1 means no condition. */
	unsigned stages, risks;
	char **categories;
	size_t n_categories;
	int serious, hate;

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

	unsigned for_roles, fallback_roles; /* 0: once per case */
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
};

const char *role_to_string(enum role r);
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

/* "3 working days", "14 days", "48 hours", "1 month". Months only when
 * allow_months. Returns 0 or -EINVAL. */
int duration_parse(const char *s, bool allow_months, struct duration *ret);

/* Load every pack in `paths` (files, or folders of *.conf files in name
 * order) into `rs`. Every problem goes to diags as FILE:LINE: message;
 * returns 0 or -EINVAL when there was any. */
int rules_load(char *const *paths, size_t n_paths, struct ruleset *rs, struct diags *diags);
void ruleset_free(struct ruleset *rs);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "conf.h"
#include "directory.h"
#include "message.h"
#include "outbox.h"
#include "tmpl.h"

/* Shared by the outbox's modules (outbox.c, directory.c, compose.c,
 * digest.c, deliver.c); not for the programs. */

/* "state database: WHAT: sqlite's message" in *ret_err; returns -EIO. */
int db_fail(sqlite3 *db, const char *what, char **ret_err);
void report_line(struct outbox_report *r, bool problem, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Column i as a new string, NULL for NULL. */
char *col_dup(sqlite3_stmt *st, int i);
/* Run sql with ?1 = a, ?2 = b and ?3 = t (when not NULL). Returns the
 * rows changed, or -EIO with *ret_err. */
int exec_bind(sqlite3 *db, const char *sql, char **ret_err, int64_t a, int64_t b, const char *t);
const struct webhook_conf *find_webhook(const struct conf *c, const char *name);
int meta_text(sqlite3 *db, const char *key, char **ret, char **ret_err);
int meta_set_text(sqlite3 *db, const char *key, const char *value, char **ret_err);

/* The parts of one notification that a message may carry. */
struct item {
	int64_t id, case_id, party_id;
	char *ref, *rule, *stage, *recipient, *due, *officer, *team;
	char *party_role; /* the role the obligation is owed to; NULL: the case's own */
	int64_t due_day; /* -1: none */
	int64_t overdue_at, created_at;
	bool urgent, hours;
	/* Resolved: */
	bool webhook;
	char *dest;
};

struct drow;

/* The notices of one scan to one destination. */
struct notice_group {
	bool webhook;
	char *dest;
	size_t n;    /* notifications */
	bool folded; /* held back for a digest */
	bool taken;  /* in a message */
};

/* Reading one group's notices in the order a message lists them (by case
 * reference, the latest stage first): v[1] is the one read, v[0] the one
 * before it. */
struct notices {
	sqlite3_stmt *st;
	bool webhook;
	const char *dest;
	struct item v[2];
	bool has_item, has_prev;
};

struct composer {
	struct outbox_ctx *ctx;
	const struct conf *conf;
	sqlite3 *db;
	sqlite3 *cases; /* the case database, read */
	struct directory dir;
	char *instance, *domain;
	cw_day today;
	int minutes; /* local time of day */
	/* With stale data, overdue and escalated stages reached after this
	 * instant are held (INT64_MAX: the data is fresh). */
	int64_t hold_after;
	int64_t next_id;
	/* The notices of this scan, one group per destination (compose.c's
	 * temp.compose_items holds them). Those to an address that a digest
	 * of this scan goes to are held back for it (folded): taken by the
	 * digest, or composed after the digests when none was made after
	 * all. */
	struct notice_group *groups;
	size_t n_groups;
	char **digest_to; /* who gets a digest in this scan */
	/* The officers' digests' lines, when read for digest_recipients(). */
	struct drow *olines;
	size_t n_olines;
	bool olines_read;
	size_t n_digest_to;
};


void item_free(struct item *it);
const char *stage_label(const char *stage, bool hours);
/* upcoming 0, due 1, overdue 2, escalated 3. */
int stage_rank(const char *stage);
/* The rule's title, or its id when it has none or is gone. */
const char *rule_title(const struct conf *c, const char *id);
/* "1 due today, 2 overdue": the notifications v[0..n) counted by stage. */
char *notice_summary(const struct item *v, size_t n);
/* The link, with each byte of `chars` percent-encoded: a link from the
 * configuration's case_link, made safe for the markup around it. */
char *link_encode(const char *link, const char *chars);
/* How late, in the terms of the deadline: "3 working days late"; NULL
 * when not late. */
char *late_text(struct composer *m, int64_t due_day, int64_t overdue_at, bool hours);
char *case_link(const struct conf *c, const char *ref);
char *due_text(const char *due);
/* What meets rule `id`, in plain words (rule_met_by_text), cleaned; NULL
 * for a rule nothing meets or one no longer configured. */
char *met_by_text(const struct conf *c, const char *id);
/* "Fri 20 Nov" (the year when it is not today's; ", 14:00" for a deadline
 * in hours) from a due date or RFC 3339 time. */
char *deadline_text(const char *due, cw_day today);
/* The item's stage and deadline in one phrase: "due today, Fri 20 Nov",
 * "overdue: deadline Wed 18 Nov, 2 working days late". */
char *when_text(const char *stage, const char *deadline, const char *late, bool hours);
void item_fields(struct composer *m, struct tmpl_data *d, const struct item *it, bool with_officer);
/* "2 due today, 1 overdue" from counts by label. */
char *summary_text(const char *const *labels, const size_t *counts, size_t n);
/* Render an email of kind k for `to` and add it. Returns its id, 0 when a
 * digest for the period was already there, or -errno. */
int64_t add_email(struct composer *m, enum msg_kind k, const char *to, const char *period, int64_t case_id,
		  struct tmpl_data *d, char **ret_err);
/* An email of kind "report" (the monthly report) for `to`, made whole by
 * the caller, and add it. Returns its id, 0 when one for the period was
 * already there, or -errno. */
struct email_attachment;
int64_t add_report_email(struct composer *m, const char *to, const char *period, const char *subject,
			 const char *text, const char *html, const struct email_attachment *att, size_t n_att,
			 char **ret_err);
/* The monthly report, when its time has come (report-mail.c). */
int compose_report(struct composer *m, char **ret_err);
/* A composer for ctx's moment, on the state database db and the case
 * database cdb: its day and time of day; nothing else set. */
struct composer composer_at(struct outbox_ctx *ctx, sqlite3 *db, sqlite3 *cdb);
/* Whether the case data is stale (import.max_age): into m->ctx->report
 * (stale, last_import) and m->hold_after. */
int composer_freshness(struct composer *m, sqlite3 *cdb, char **ret_err);
/* "the case data has not been updated since ...": why items are held, or
 * NULL when the data is fresh. */
char *stale_text(struct composer *m);
/* The digests whose time has come. */
int compose_digests(struct composer *m, char **ret_err);
/* The most items a digest lists: an officer's morning digest, and each
 * team in the managers' digest. The rest are counted. */
#define DIGEST_ITEMS 50
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
/* "2027-W10" or "2027-03-08" and the NUL. */
#define MANAGER_PERIOD_STRLEN 16
/* Is the managers' regular digest due today and not yet made (its period
 * in period)? It goes once the time of day is c->manager_time. */
int manager_digest_due(struct composer *m, bool *ret, char period[static MANAGER_PERIOD_STRLEN], char **ret_err);
/* Do the officers' morning digests go out in this scan? */
int officer_digests_due(struct composer *m, bool *ret, char **ret_err);
/* Who gets a digest in this scan (the officers' when officers, the
 * managers' when managers), into m->digest_to. */
int digest_recipients(struct composer *m, bool officers, bool managers, char **ret_err);
bool digest_bound(const struct composer *m, const char *to);
/* The lines digest_recipients() read and no digest took. */
void digest_lines_free(struct composer *m);
int notices_open(struct composer *m, const struct notice_group *g, struct notices *ns, char **ret_err);
/* 1 with the next notice in ns->v[1], 0 after the last, or -errno. */
int notices_next(struct composer *m, struct notices *ns, char **ret_err);
/* ns->v[1] says again what the notice before it says (item_repeats). */
bool notices_repeat(const struct notices *ns);
void notices_close(struct notices *ns);
/* Message `id` carries every notice of group g. */
int notices_take(struct composer *m, struct notice_group *g, int64_t id, char **ret_err);
/* The group of the notices to `dest`, or NULL. */
struct notice_group *notice_group_find(struct composer *m, bool webhook, const char *dest);
/* The most notices one message lists: an email counts the rest, a webhook
 * call is made for each this many. */
#define NOTICE_ITEMS 200
/* The same notification reached by two roles (an officer who supervises
 * the team): v[i] says again what v[i - 1] says. Two parties' obligations
 * (two victims) are two lines. */
bool item_repeats(const struct item *v, size_t i);

/* A Teams webhook's message for the notifications v[0..n) (teams-card.c):
 * an Adaptive Card in the envelope of Teams' Workflows webhooks, as
 * compact ASCII JSON; NULL with *ret_why when it could not be made. */
char *teams_card(struct composer *m, const struct item *v, size_t n, const char *subject, char **ret_why);

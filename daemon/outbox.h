/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "conf.h"
#include "tz.h"

/* The outbox (casewatchd(8), NOTIFICATIONS): the notifications a scan
 * queued become messages, one per recipient, written whole into the state
 * database; then each message is delivered and marked sent only once the
 * server accepted it. */

/* What composing did, for the programs to report; strings owned. */
struct outbox_line {
	char *text;
	bool problem; /* worth a warning in the log */
};

struct outbox_report {
	size_t messages;  /* messages composed */
	size_t held;      /* notifications waiting for the send window */
	size_t voided;    /* notifications dropped: met, gone, or overtaken */
	/* import.max_age (casewatch.conf(5)): no import landed within it. */
	bool stale;
	int64_t last_import;   /* when the last one landed; 0: none has */
	size_t held_stale;     /* overdue and escalated notifications held for fresh data */
	struct outbox_line *lines; /* one per message composed, and problems */
	size_t n_lines, cap_lines;
	/* The managers' figures counted from a full scan's evaluation
	 * (outbox_full_begin()), for the compose step. */
	struct digest_share *share;
};
void outbox_report_free(struct outbox_report *r);
struct digest_share;
void digest_share_free(struct digest_share *sh);

struct eval_case;
struct eval_result;
struct outbox_ctx {
	const struct conf *conf;
	const struct calendar *cal;
	const struct tz *tz;
	int64_t at;
	struct outbox_report *report;
};

/* The compose step, as a watch_hooks.compose (ctx is a struct outbox_ctx):
 * drop notifications that are met or overtaken by a later stage (only
 * after a scan that `changed` something: nothing else can make one so),
 * resolve
 * recipients through the case database's officers and teams, group what is
 * due to go (urgent ones at once, the rest inside the send window) into one
 * message per recipient, and add the digests whose time has come. */
int outbox_compose(void *ctx, sqlite3 *state, sqlite3 *cases, bool changed, char **ret_err);
/* As watch_hooks.full_begin and .each (ctx is a struct outbox_ctx): when
 * the compose step after this full scan will make the managers' digest
 * (or their alert on stale data), their figures are counted from the
 * scan's evaluation of every case, rather than from an evaluation of its
 * own. */
int outbox_full_begin(void *ctx, sqlite3 *state, sqlite3 *cases, bool *ret_want, char **ret_err);
void outbox_each(void *ctx, const struct eval_case *c, const struct eval_result *res);

struct outbox_sent {
	size_t sent, retry, dead;
	size_t email, webhook; /* of the sent ones */
	/* Messages a send that ended early (a crash, a kill) delivered and
	 * did not record: recorded sent from the journal (casewatchd(8),
	 * DELIVERY), not sent again, not counted in sent. */
	size_t recovered;
	bool busy; /* another process was sending from the same state database */
	/* The journal (STATE-sent) could not be opened (errno): each
	 * acceptance was committed on its own, and the records of a send
	 * that was stopped were not read. */
	int journal_errno;
	int64_t ms;
	/* Messages that failed this time, one line each, owned. */
	char **errors;
	size_t n_errors, cap_errors;
};
void outbox_sent_free(struct outbox_sent *s);

struct sender;
struct sender *sender_new(const struct conf *c);
void sender_free(struct sender *s);
/* The acceptances `from` could not record (a full disk: neither the
 * journal nor the state database took them) move to `to`, the sender of a
 * reloaded configuration, to be recorded first by its next send. */
void sender_take_unrecorded(struct sender *to, struct sender *from);
/* How many acceptances s holds unrecorded: lost when it is freed (the
 * messages are then sent again by the next send). */
size_t sender_unrecorded(const struct sender *s);
/* Called after each message while sending: for the watchdog. */
void sender_set_progress(struct sender *s, void (*progress)(void *userdata), void *userdata);

/* Deliver every message whose time has come (pending, or left sending by
 * a crash), in the order they fell due, the emails in one SMTP session:
 * claimed a few at a time, each claim marked sending and committed before
 * the first byte goes out, and each message marked sent, retried later
 * (exponential backoff with jitter, or the server's Retry-After) or dead
 * (refused for good, or failing for longer than give_up_after) after.
 * `keep_going`, when not NULL, is asked between messages; false finishes
 * with the message in hand. Returns 0 or -errno with *ret_err (the state
 * database failed; delivery problems are per message, in *ret). */
int outbox_send(struct sender *s, sqlite3 *state, int64_t at, bool (*keep_going)(void *userdata),
		void *userdata, struct outbox_sent *ret, char **ret_err);

/* The next time outbox_send() has something to do, or INT64_MAX. */
int64_t outbox_next_attempt(sqlite3 *state);

/* Messages not yet delivered, and notifications not yet in a message
 * (held for the send window, or with nobody to send them to yet). */
size_t outbox_waiting(sqlite3 *db);

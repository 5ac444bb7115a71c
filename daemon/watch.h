/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "calendar.h"
#include "rules.h"
#include "tz.h"
#include "webhook.h"

struct progress;

/* A scan (casewatchd(8)): evaluate the cases that may have changed, keep
 * their obligations and notification stages in the state database, and
 * queue each stage an obligation newly reaches in the outbox. The same code
 * runs in casewatchd and in `casewatch run --once`. */

struct watch;

/* Open (creating or upgrading) the state database at `path`. *ret_created
 * says it was made new: whatever it knew of notifications already sent is
 * gone. Returns 0 or -errno with *ret_err. */
int watch_open(const char *path, struct watch **ret, bool *ret_created, char **ret_err);
void watch_free(struct watch *w);
/* Has the file at the state database's path been deleted or replaced
 * since it was opened? Writing on would go to a file nobody can see. */
bool watch_replaced(const struct watch *w);

/* The configuration scans use from now on; the pointers must stay valid
 * until the next call or watch_free(). Scans after a change of the rules,
 * the calendar or the time zone are full evaluations. */
void watch_set_config(struct watch *w, const struct ruleset *rules, const struct calendar *cal,
		      const struct tz *tz);

/* The webhooks each stage an obligation reaches is also queued for,
 * beside the recipients its rule names. */
void watch_set_webhooks(struct watch *w, const struct webhook_conf *v, size_t n);

/* The state database, for the outbox (outbox.h). */
sqlite3 *watch_db(struct watch *w);

/* The obligations the state keeps after the last scan, by rule (of the
 * configuration set, in its order) and state: [0] pending, [1] overdue,
 * [2] paused. ret has a row for each rule. Read from a table of a few
 * rows that the scans keep (casewatchd(8), METRICS). */
int watch_obligation_counts(struct watch *w, size_t (*ret)[3], char **ret_err);

/* What passing time or an edit can change is all a scan evaluates, unless
 * something asks for everything (casewatchd(8), SCANS). */
enum watch_full {
	WATCH_FULL_NO,        /* incremental when nothing else asks */
	WATCH_FULL_START,     /* the daemon started */
	WATCH_FULL_RELOAD,    /* the configuration was reloaded */
	WATCH_FULL_REQUESTED, /* run --once --full */
	/* Decided by the scan itself: */
	WATCH_FULL_NEW_STATE, /* the state database is new */
	WATCH_FULL_CONFIG,    /* the rules, calendar or time zone differ */
	WATCH_FULL_NEW_DAY,   /* the first scan of a local day */
	WATCH_FULL_CHANGES,   /* the change log cannot say what changed */
	WATCH_FULL_RETURNED,  /* the case database is back after a failure */
	_WATCH_FULL_MAX,
};
const char *watch_full_to_string(enum watch_full f);

#define WATCH_REPORT_MAX 1000

struct watch_transition {
	char *ref, *rule;
	int stage;          /* enum notify_stage reached */
	int told;           /* the stage notified: the latest reached whose
			     * policy is on, or STAGE_NONE */
	size_t recipients;  /* outbox rows added: 0 when the stage's policy
			     * is off, or it had been queued before */
};

struct watch_stats {
	enum watch_full full; /* WATCH_FULL_NO for an incremental scan */
	bool baseline; /* the first scan of a new state database: stages
			* reached are recorded, none queued */
	size_t scanned;     /* cases evaluated */
	size_t changed;     /* cases whose stored result changed */
	size_t deleted;     /* cases gone from the case database, and from the state */
	size_t transitions; /* obligations reaching a new stage */
	size_t queued;      /* outbox rows added */
	size_t due_today, overdue, pending; /* after the scan */
	int64_t ms;
	size_t new_problems; /* cases whose problems are new */
	/* The first WATCH_REPORT_MAX transitions (none for a baseline) and
	 * cases whose problems are new, for reporting one by one; owned,
	 * freed by watch_stats_free(). */
	struct watch_transition *tv;
	size_t n_tv, cap_tv;
	char **problems; /* "REF: problem" */
	size_t n_problems, cap_problems;
};
void watch_stats_free(struct watch_stats *s);

struct eval_case;
struct eval_result;
struct watch_hooks {
	/* Called every few thousand cases of a long scan; a negative return
	 * abandons the scan (nothing is written) with that error. */
	int (*progress)(void *userdata);
	/* Called once the scan's writes are done, in the same transaction,
	 * with the state database and the case database (read-only): what it
	 * writes is kept, or with dry_run dropped, together with the scan's.
	 * `changed`: the scan was a full one, or wrote or deleted an
	 * obligation or a case, or queued a notification. A negative return abandons the scan. */
	int (*compose)(void *userdata, sqlite3 *state, sqlite3 *cases, bool changed, char **ret_err);
	/* Before a full scan, in its transaction: does the compose hook
	 * want every case the scan evaluates (*ret_want), to count from the
	 * scan's evaluation what it would otherwise evaluate every case
	 * again for? Then `each` is given every case and its result, in case
	 * order, on the scan's thread. NULL: not asked. A negative return
	 * abandons the scan. */
	int (*full_begin)(void *userdata, sqlite3 *state, sqlite3 *cases, bool *ret_want, char **ret_err);
	void (*each)(void *userdata, const struct eval_case *c, const struct eval_result *res);
	void *userdata;
	/* Told how many of the cases to evaluate are done (progress.h); may
	 * be NULL. */
	struct progress *meter;
};

/* One scan of the case database at `case_db` as of `at`. With dry_run,
 * everything is worked out and reported and nothing is kept. Returns 0, or
 * -errno with *ret_err: -EBUSY when the case database stayed locked, and
 * what the progress hook returned. A failed scan changes nothing. */
int watch_scan(struct watch *w, const char *case_db, int64_t at, enum watch_full full, bool dry_run,
	       const struct watch_hooks *hooks, struct watch_stats *ret, char **ret_err);

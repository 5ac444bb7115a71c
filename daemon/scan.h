/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "eval.h"
#include "tz.h"

struct progress;

/* Reading the case database for evaluation: one streaming pass, each case
 * with its parties and events, in case order, never the whole database in
 * memory. The database is only ever read here. */

/* Open the case database at `path` read-only and check it is a casewatch
 * case database of the version this program reads. Returns 0 or -errno
 * with *ret_err saying why, in one line: -EBUSY when a writer held it
 * locked past the busy timeout. */
int scan_open(const char *path, sqlite3 **ret, char **ret_err);

/* Call fn for every case with lo <= id <= hi, in id order. Strings in the
 * case are valid only during the call; its ref, officer and team are
 * clean and within their caps, and c->fixed says what that took
 * (casewatch-rules(5), LIMITS). Stops early when fn returns < 0 and
 * returns that; -EIO with *ret_err when SQLite fails, -EBUSY when a writer
 * held the database locked past the busy timeout. Runs in one read
 * transaction, the caller's when one is open. */
typedef int (*scan_fn)(const struct eval_case *c, void *userdata);
int scan_cases(sqlite3 *db, int64_t lo, int64_t hi, scan_fn fn, void *userdata, char **ret_err);

/* The cases ids[0..n) (ascending, repeats skipped), as scan_cases reads
 * them, the statements prepared once; `absent` (when not NULL) is called
 * for each id with no case. `progress` (when not NULL) is told how many
 * of the ids are done. */
typedef int (*scan_absent_fn)(int64_t id, void *userdata);
int scan_cases_ids(sqlite3 *db, const int64_t *ids, size_t n, scan_fn fn, scan_absent_fn absent, void *userdata,
		   struct progress *progress, char **ret_err);

/* Every case with lo <= id <= hi that `want` keeps (NULL: every one),
 * evaluated by ev: fn is called with each and its result in id order, on
 * the calling thread, as scan_cases calls its fn; the case and the result
 * are valid only during the call. Stops early when fn returns < 0 and
 * returns that; otherwise as scan_cases.
 *
 * With scan_threads() > 1, a range of PAR_MIN_CASES (scan.c) cases or
 * more, and a database that other connections can open and that keeps
 * its change log, the cases are read and evaluated by that many threads,
 * the calling one with db, the others each with a connection of its own in
 * a read transaction that sees the same cases as the caller's (their
 * change logs end at the same entry; otherwise the calling thread does it
 * all). `want` is then called on those threads, several at a time, and
 * must only read. What is held at once is bounded by the threads, not by
 * the cases.
 *
 * `progress` (when not NULL) is told, on the calling thread, how many of
 * the cases with lo <= id <= hi have been handed on (`want` or not), out
 * of their count. */
typedef bool (*scan_want_fn)(const struct eval_case *c, void *userdata);
typedef int (*scan_result_fn)(const struct eval_case *c, const struct eval_result *res, void *userdata);
int scan_evaluate(sqlite3 *db, const struct evaluator *ev, int64_t lo, int64_t hi, scan_want_fn want,
		  scan_result_fn fn, void *userdata, struct progress *progress, char **ret_err);

/* The threads scan_evaluate uses: CASEWATCH_THREADS when it is set to 1 to
 * SCAN_THREADS_MAX (*ret_forced then true: whatever the number of cases),
 * else 2 when the process may run on two CPUs or more (its affinity) and
 * its cgroup's CPU quota allows more than one, else 1. */
#define SCAN_THREADS_MAX 8
unsigned scan_threads(bool *ret_forced);
/* The CPUs the CPU quota of this process's cgroup and its ancestors allows
 * (cgroup v2's cpu.max, or v1's cpu controller), rounded up; 0 when none
 * is set or none can be read. `root` is where cgroups are mounted
 * (/sys/fs/cgroup), `self` the process's list of them (/proc/self/cgroup). */
unsigned scan_cgroup_cpus(const char *root, const char *self);

/* The id of the case with reference `ref`, or whose reference is shown as
 * `ref` once cleaned and cut (scan_cases): 0, -ENOENT, -ENOTUNIQ with
 * *ret_err when several are shown so, or -EIO. */
int scan_find_ref(sqlite3 *db, const char *ref, int64_t *ret_id, char **ret_err);

/* Whether `id` names a team (an officer, with `officer`): a row of teams
 * (officers), or the team (officer) of some case. */
int scan_id_known(sqlite3 *db, bool officer, const char *id, bool *ret_known, char **ret_err);

/* The change log (schema/casedb.sql): the last sequence number ever given
 * out, and whether every entry after `since` is still in the log. */
int scan_changes_head(sqlite3 *db, int64_t since, int64_t *ret_head, bool *ret_complete, char **ret_err);
/* Call fn(id) for each case changed after sequence `since` up to `head`,
 * each once, in no particular order. */
int scan_changed_cases(sqlite3 *db, int64_t since, int64_t head, int (*fn)(int64_t id, void *userdata),
		       void *userdata, char **ret_err);

/* Rows a scan of meetings or surveys skipped as malformed: how many, and
 * the first few by id with what is wrong, for the caller to name. */
#define SCAN_BAD_KEPT 10
struct scan_bad {
	size_t n;
	struct {
		int64_t id;
		char why[128];
	} v[SCAN_BAD_KEPT];
};

/* The days of the meetings of `kind` (with a team, those of the team and
 * those of no team; NULL: all), and the earliest of them (CW_DAY_NONE when
 * there is none). Malformed rows are skipped and noted in *ret_bad. */
int scan_meetings(sqlite3 *db, const char *kind, const char *team, cw_day **ret_days, size_t *ret_n,
		  cw_day *ret_first, struct scan_bad *ret_bad, char **ret_err);

/* Call fn for every survey answer, in id order: its local date, whether
 * satisfied, and the team and officer of its case as scan_cases gives
 * them (NULL when there is none, or no case). Malformed rows are skipped
 * and noted in *ret_bad. */
typedef void (*scan_survey_fn)(cw_day day, bool satisfied, const char *team, const char *officer, void *userdata);
int scan_surveys_each(sqlite3 *db, const struct tz *tz, scan_survey_fn fn, void *userdata, struct scan_bad *ret_bad,
		      char **ret_err);

/* Survey answers with local date in [from, to]: how many, how many
 * satisfied. Malformed rows are skipped and noted in *ret_bad. */
int scan_surveys(sqlite3 *db, const struct tz *tz, cw_day from, cw_day to, size_t *ret_total,
		 size_t *ret_satisfied, struct scan_bad *ret_bad, char **ret_err);

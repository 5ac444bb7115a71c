/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "retention.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "tz.h"
#include "util.h"

char *retention_text(size_t n, int64_t before, int64_t keep, const struct tz *tz)
{
	char when[TZ_TIMESTAMP_STRLEN];
	_cleanup_free_ char *k = seconds_text(keep);
	return xasprintf("the text of %zu message%s sent or given up before %s (notify.keep_sent %s)", n,
			 n == 1 ? "" : "s", tz_format_timestamp(tz, before, when), k);
}

static int fail(sqlite3 *db, const char *what, char **ret_err)
{
	*ret_err = xasprintf("state database: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether a pass is due at `at`: none has finished within RETENTION_EVERY
 * before it. A clock set back does not hold passes off. */
static int pass_due(sqlite3 *db, int64_t at, bool *ret, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'prune_at'", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "reading meta", ret_err);
	int rc = sqlite3_step(st);
	bool found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER;
	int64_t last = found ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(db, "reading meta", ret_err);
	*ret = !found || at < last || at - last >= RETENTION_EVERY;
	return 0;
}

static int pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One batch in a transaction of its own; the last one (fewer than a
 * batch) also records the pass as finished. Returns the bodies removed,
 * or -EIO. */
static int batch(sqlite3 *db, sqlite3_stmt *drop, sqlite3_stmt *prune, sqlite3_stmt *mark, int64_t at,
		 int64_t before, bool *ret_done, char **ret_err)
{
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "removing the bodies of old messages", ret_err);
	/* The bodies, then the same messages marked. */
	sqlite3_bind_int64(drop, 2, before);
	sqlite3_bind_int(drop, 3, RETENTION_BATCH);
	int rc = sqlite3_step(drop);
	sqlite3_reset(drop);
	int n = -1;
	if (rc == SQLITE_DONE) {
		sqlite3_bind_int64(prune, 1, at);
		sqlite3_bind_int64(prune, 2, before);
		sqlite3_bind_int(prune, 3, RETENTION_BATCH);
		rc = sqlite3_step(prune);
		sqlite3_reset(prune);
		n = rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
	}
	bool done = n >= 0 && n < RETENTION_BATCH;
	if (done) {
		sqlite3_bind_int64(mark, 1, at);
		rc = sqlite3_step(mark);
		sqlite3_reset(mark);
	}
	if (rc != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int r = fail(db, "removing the bodies of old messages", ret_err);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	*ret_done = done;
	return n;
}

int retention_prune(sqlite3 *db, int64_t at, int64_t keep, int64_t budget_ms,
		    bool (*keep_going)(void *userdata), void *userdata, struct retention_result *ret, char **ret_err)
{
	/* The oldest first, through the index of those still to remove. */
#define TO_PRUNE                                                                                         \
	"(SELECT id FROM messages WHERE pruned_at IS NULL AND status IN ('sent', 'dead') AND finished_at <= ?2 " \
	"ORDER BY finished_at, id LIMIT ?3)"
	static const char drop_sql[] = "DELETE FROM message_bodies WHERE message_id IN " TO_PRUNE;
	static const char prune_sql[] = "UPDATE messages SET pruned_at = ?1 WHERE id IN " TO_PRUNE;
#undef TO_PRUNE
	static const char mark_sql[] =
		"INSERT INTO meta (key, value) VALUES ('prune_at', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1";
	*ret = (struct retention_result){ .before = at - keep };
	bool due;
	int r = pass_due(db, at, &due, ret_err);
	if (r < 0 || !due)
		return r;
	ret->ran = true;

	sqlite3_stmt *drop = NULL, *prune = NULL, *mark = NULL;
	if (sqlite3_prepare_v2(db, drop_sql, -1, &drop, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, prune_sql, -1, &prune, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, mark_sql, -1, &mark, NULL) != SQLITE_OK) {
		r = fail(db, "removing the bodies of old messages", ret_err);
		goto out;
	}
	/* Removed means gone from the file, not left in its free space,
	 * whatever the SQLite library's own default. */
	int secure = pragma_int(db, "PRAGMA secure_delete");
	sqlite3_exec(db, "PRAGMA secure_delete = 1", NULL, NULL, NULL);
	int64_t t0 = now_ms();
	for (;;) {
		bool done = false;
		int n = batch(db, drop, prune, mark, at, ret->before, &done, ret_err);
		if (n < 0) {
			r = n;
			break;
		}
		ret->pruned += (size_t)n;
		if (done)
			break;
		if ((keep_going && !keep_going(userdata)) || (budget_ms > 0 && now_ms() - t0 >= budget_ms)) {
			ret->more = true;
			break;
		}
	}
	if (secure >= 0 && secure != 1) {
		char sql[40];
		snprintf(sql, sizeof(sql), "PRAGMA secure_delete = %d", secure);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	/* The old pages are still in the database file until a checkpoint
	 * copies the new ones over them, and older copies may linger in the
	 * log beyond its end: checkpoint and empty the log now. Readers may
	 * hold it back (SQLITE_BUSY after the busy timeout, having copied
	 * what it could); the next pass that removes anything tries again. */
	if (ret->pruned > 0)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
out:
	sqlite3_finalize(drop);
	sqlite3_finalize(prune);
	sqlite3_finalize(mark);
	return r;
}

int retention_count(sqlite3 *db, int64_t at, int64_t keep, size_t *ret_n, char **ret_err)
{
	bool due;
	int r = pass_due(db, at, &due, ret_err);
	if (r < 0)
		return r;
	*ret_n = 0;
	if (!due)
		return 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM messages WHERE pruned_at IS NULL AND status IN ('sent', 'dead') "
			       "AND finished_at <= ?1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "counting old messages", ret_err);
	sqlite3_bind_int64(st, 1, at - keep);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : fail(db, "counting old messages", ret_err);
}

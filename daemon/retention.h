/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long the state database keeps what was sent (notify.keep_sent in
 * casewatch.conf(5), casewatchd(8) THE STATE DATABASE): the body of a
 * message sent or given up longer ago than that is removed; the message's
 * row (address, subject, Message-ID or Idempotency-Key, times), its
 * notifications and the ledger stay, so nothing is ever sent again because
 * its body went. */

/* A pass runs at most this often: the time of the last finished pass is
 * kept in the state database, so that casewatchd and `casewatch run
 * --once` from cron share it. */
#define RETENTION_EVERY 3600
/* Bodies removed per transaction: a pass never holds the write lock for
 * long, whatever it has to catch up on. */
#define RETENTION_BATCH 200

struct retention_result {
	bool ran;       /* false: the last pass finished less than
			 * RETENTION_EVERY ago, nothing was looked at */
	size_t pruned;  /* bodies removed */
	bool more;      /* stopped early (asked, or out of time): the next
			 * call goes on where this one stopped */
	int64_t before; /* removed: those sent or given up at or before this */
};

/* One pass at `at`, removing the bodies of the messages sent or given up
 * at or before at - keep, in batches of RETENTION_BATCH, each its own
 * transaction, the oldest first. Between batches `keep_going` (when not
 * NULL) is asked, and the pass stops once budget_ms (when > 0) have gone.
 * Removed text is overwritten in the file (secure_delete), and after a
 * pass that removed any the write-ahead log is emptied as far as readers
 * allow. Returns 0 or -EIO with *ret_err; batches committed before a
 * failure stay done. */
int retention_prune(sqlite3 *db, int64_t at, int64_t keep, int64_t budget_ms,
		    bool (*keep_going)(void *userdata), void *userdata, struct retention_result *ret, char **ret_err);

/* How many bodies retention_prune() would remove at `at` (0 when the last
 * pass is too recent), for a dry run. Returns 0 or -EIO with *ret_err. */
int retention_count(sqlite3 *db, int64_t at, int64_t keep, size_t *ret_n, char **ret_err);
struct tz;
/* "the text of 3 messages sent or given up before TIME (notify.keep_sent
 * 90 days)": what a pass removed (or would), for the log and run --once. */
char *retention_text(size_t n, int64_t before, int64_t keep, const struct tz *tz);

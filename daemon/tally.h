/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "eval.h"

struct progress;

/* Every case of the case database evaluated at one moment, for the counts
 * over the whole of it: status --summary, casewatch report and the
 * reports casewatchd sends. */

struct tally {
	size_t cases;   /* received by the moment, the skipped ones too */
	size_t open;    /* not closed at the moment */
	size_t skipped; /* bad rows: no obligations */
	cw_day first_case; /* the earliest receipt; CW_DAY_NONE */
	size_t problems, unshown; /* problem lines, and those not shown */
};

struct tally_fns {
	/* Whether case c is counted at all (NULL: every case); asked
	 * before it is evaluated, on any thread (scan_evaluate): it must
	 * only read. The others are called on the calling thread, in case
	 * order. */
	bool (*include)(const struct eval_case *c, void *userdata);
	/* Each obligation of each case counted. */
	void (*obligation)(const struct eval_case *c, const struct obligation *o, void *userdata);
	/* Each problem of a case counted or skipped for bad rows (NULL:
	 * only counted); skipped on the last problem of a skipped case. */
	void (*problem)(struct tally *t, const struct eval_case *c, const char *msg, bool skipped, void *userdata);
	/* Told how many cases are done (scan_evaluate); may be NULL. */
	struct progress *progress;
};

/* One case evaluated elsewhere (a scan of casewatchd's) counted into t as
 * tally_cases() counts it: fns->include is asked here. */
void tally_add(struct tally *t, const struct tally_fns *fns, void *userdata, const struct eval_case *c,
	       const struct eval_result *res);

/* Returns 0, or < 0 with *ret_err when the scan failed. The caller holds
 * the read transaction that makes the counts one moment's. */
int tally_cases(sqlite3 *db, const struct evaluator *ev, const struct tally_fns *fns, void *userdata,
		struct tally *ret, char **ret_err);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "calendar.h"
#include "diag.h"
#include "holfile.h"
#include "rules.h"
#include "tz.h"

/* casewatch.conf (casewatch.conf(5)). Paths inside it are relative to the
 * file's folder; they are stored here already resolved. */

struct conf {
	char *path;  /* the file read, or NULL for the embedded defaults */
	char *dir;   /* its folder, for relative paths */

	char *database;
	char *state;
	char **rules; /* the rule packs named: files or folders */
	size_t n_rules;
	struct ruleset ruleset; /* the rules they hold */

	char *timezone;
	enum division division;
	unsigned weekend; /* WEEKEND_* mask */
	struct holiday_list closures;
	/* The holiday files, read and checked while loading, by the division
	 * they serve. A JSON file serves each division it has events for; an
	 * iCalendar file has no divisions, so it serves the one configured
	 * beside it, or the calendar's configured division. */
	struct holiday_list file_holidays[_DIVISION_MAX];

	int scan_interval; /* seconds between casewatchd's scans */
};

#define SCAN_INTERVAL_DEFAULT 300
#define SCAN_INTERVAL_MIN 1
#define SCAN_INTERVAL_MAX 86400

/* The embedded defaults: what a missing default configuration means. */
struct conf *conf_new_default(void);

/* Read and validate `path`. Every problem goes to diags as FILE:LINE:
 * message; returns 0 (*ret set) or -EINVAL / -errno (nothing set). */
int conf_load(const char *path, struct conf **ret, struct diags *diags);
void conf_free(struct conf *c);

/* Load the time zone the configuration names. */
int conf_timezone(const struct conf *c, struct tz **ret, struct diags *diags);

/* The working-day calendar for `division` (the configured one when < 0):
 * the holiday files' events for it layered on the built-in rules, and the
 * closures. No I/O: the files were read by conf_load(). */
struct calendar *conf_calendar(const struct conf *c, int division);

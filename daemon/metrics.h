/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

/* casewatchd's metrics (casewatchd(8), METRICS): a file in Prometheus'
 * text exposition format for node_exporter's textfile collector, written
 * whole after each scan. Every figure comes from what a scan keeps anyway:
 * nothing here reads a table that grows with the case database. */

struct metrics {
	/* Since casewatchd started. */
	uint64_t scans, failures;
	/* The last successful scan, when there has been one. */
	bool scanned;
	int64_t scan_ms;
	int64_t success_at; /* Unix seconds, when it ended */
	size_t due_today;
	/* The obligations kept, by rule of `rules` and state ([0] pending,
	 * [1] overdue, [2] paused); NULL when they could not be read. */
	const struct ruleset *rules;
	size_t (*obligations)[3];
	/* From the state database; has_messages false when it could not be
	 * read. */
	bool has_messages;
	size_t messages_waiting, messages_dead, notifications_waiting;
	/* import.max_age (casewatch.conf(5)): -1 when off, else whether the
	 * data was stale at the last scan, and when the last import landed
	 * (0: none has). */
	int stale;
	int64_t last_import;
};

/* The messages not yet delivered (pending, or being sent), those given up
 * (dead), and the notifications waiting to go into a message, into m:
 * counts of the rows that wait, never of all that were sent. */
int metrics_read_messages(sqlite3 *state, struct metrics *m, char **ret_err);

/* The file's text, newly allocated. */
char *metrics_text(const struct metrics *m);

/* Replace the file at path with text at once: written to a new file in
 * the same folder (a name the textfile collector does not read), mode
 * 0644, then renamed over it, so the collector never reads half of it.
 * Returns 0 or -errno with *ret_err. */
int metrics_write(const char *path, const char *text, char **ret_err);

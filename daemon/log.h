/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* The programs' log (casewatchd(8), LOGGING): to the journal with
 * structured fields when systemd connected stderr to it, otherwise to
 * stderr, each line with its priority as a "<N>" prefix, which systemd and
 * syslog understand. Only the programs' top levels log. Never a party's
 * label: no program reads the label column. */

/* Decide where to log, for a program called `ident`. */
void log_setup(const char *ident);
/* Where the log goes: "the journal" or "stderr". */
const char *log_target(void);

/* Journal fields beside the message; NULL leaves one out. */
struct log_fields {
	const char *case_ref, *rule, *stage;
	bool has_scan_ms;
	int64_t scan_ms;
};

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_with(int priority, const struct log_fields *f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

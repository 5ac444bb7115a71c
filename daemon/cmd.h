/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "diag.h"
#include "eval.h"
#include "scan.h"
#include "tally.h"

/* Shared by the commands of the casewatch program. */

/* Exit statuses: 1 for bad input or a failed check, 2 for a command line
 * that does not parse. */
#define EXIT_BADINPUT 1
#define EXIT_USAGE 2
/* casewatch import: some rows were rejected, the rest imported. */
#define EXIT_REJECTED 3

/* Print "casewatch: ..." (and a hint) to stderr; return the exit status. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bad_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -c FILE, or the default file; whether -c was given. */
extern const char *config_path;
extern bool config_explicit;

/* The configuration: the named file, or the default file, or, when no file
 * was named and the default does not exist, the embedded defaults
 * (*ret_embedded). Problems go to d, for the caller to print. */
int load_conf_diags(struct conf **ret, bool *ret_embedded, struct diags *d);

/* The configuration of -c, or the default file, or the embedded defaults;
 * problems are printed. Returns 0 or < 0. */
int load_conf(struct conf **ret);

/* What status and run start from: the configuration, its time zone and
 * working-day calendar, and the moment: --at TIME (RFC 3339, or YYYY-MM-DD
 * meaning 12:00 local, within the calendar's years), or now. */
struct cmd_world {
	struct conf *conf;
	struct tz *tz;
	struct calendar *cal;
	int64_t at;
};
/* Problems are printed; returns 0, or EXIT_BADINPUT with nothing to free. */
int cmd_world_load(const char *at_arg, struct cmd_world *ret);
void cmd_world_free(struct cmd_world *w);

/* --at TIME as status and run read it: RFC 3339, or YYYY-MM-DD meaning
 * 12:00 local, within the calendar's years. Returns 0 or -EINVAL; prints
 * nothing. */
int cmd_parse_at(const struct tz *tz, const char *s, int64_t *ret);

/* Text from the database for a terminal: control characters become '?',
 * so a value cannot fake a line or send escape sequences. */
char *printable(const char *s);
/* "casewatch: surveys row 17: at '...' is not an RFC 3339 timestamp
 * (skipped)" to stderr, for the first few; then how many more. */
void print_bad_rows(const char *table, const struct scan_bad *b);

/* Every case of the database evaluated at one moment, for the counts over
 * the whole of it (status --summary, report). The problems of the cases
 * counted (and of those skipped for bad rows) go to stderr as "casewatch:
 * case REF: message", the first TALLY_PROBLEMS_SHOWN lines; the rest are
 * counted. */
#define TALLY_PROBLEMS_SHOWN 20
void cmd_print_problem(struct tally *t, const struct eval_case *c, const char *msg, bool skipped,
		       void *userdata);
/* tally_cases(), the problems printed. Returns 0, or < 0 with *ret_err
 * when the scan failed. */
int cmd_tally(sqlite3 *db, const struct evaluator *ev, const struct tally_fns *fns, void *userdata,
	      struct tally *ret, char **ret_err);
/* After the output: how many problem lines were not printed, if any. */
void tally_print_unshown(const struct tally *t);

int cmd_status(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
/* The case database, for import and event: it must exist and be a
 * casewatch one; opened for writing, waiting up to 30 s for another
 * writer. Returns 0, or EXIT_BADINPUT with the reason printed. */
int cmd_open_cases_rw(const char *path, sqlite3 **ret);
int cmd_import(int argc, char **argv);
int cmd_event(int argc, char **argv);
/* Deliver every message due at `at` from the state database db, printing
 * a line per failure and a closing count. Returns 0 or EXIT_BADINPUT. */
int cmd_send(const struct conf *c, sqlite3 *db, int64_t at, char **ret_err);
/* "pruned_at", or "NULL" in a state database from before notify.keep_sent
 * (version 3, not yet upgraded by a scan): a column for queries. */
const char *cmd_pruned_at(sqlite3 *db);
/* The messages waiting or given up (only the latter with dead_only), one
 * line each, to f; returns how many, or -EIO. */
int print_undelivered(sqlite3 *db, const struct tz *tz, FILE *f, bool dead_only);
/* For status: the messages given up, when the state database has any. */
void status_undelivered(const char *state, const struct tz *tz);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <getopt.h>
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

/* ---- The command table (cmd-table.c) ---- */

/* What an option's value or an operand is: what the completion offers. */
enum cmd_value {
	CMD_VAL_NONE,    /* a flag; no operand */
	CMD_VAL_TEXT,    /* anything: nothing to offer */
	CMD_VAL_FILE,    /* a file name */
	CMD_VAL_RULE,    /* a rule id of the configuration */
	CMD_VAL_REF,     /* a case reference of the case database */
	CMD_VAL_WORDS,   /* one of `words` */
	CMD_VAL_COMMAND, /* a command of the table (help's operands) */
};

struct cmd_arg {
	enum cmd_value kind;
	const char *const *words; /* CMD_VAL_WORDS: NULL-ended */
};

struct cmd_opt {
	const char *name;  /* "at": --at */
	int id;            /* what cmd_getopt() returns for it */
	char short_name;   /* 'o': -o too; 0: none */
	const char *arg;   /* its value as the synopsis names it ("TIME"); NULL: a flag */
	struct cmd_arg value;
	bool hidden;       /* for the tests and the completion: in no help */
	const char *help;
};

#define CMD_SYNOPSIS_MAX 4
struct cmd_def {
	const char *name;    /* "status"; "calendar add": a subcommand */
	const char *summary;
	/* Each form, after "casewatch [-c FILE] ", as casewatch(1)'s SYNOPSIS
	 * shows it (a test compares them). */
	const char *synopsis[CMD_SYNOPSIS_MAX];
	const struct cmd_opt *opts; /* { 0 }-ended; NULL: none but --help */
	/* The operands in order; with operands_repeat the last may repeat. */
	struct cmd_arg operands[2];
	bool operands_repeat;
	bool no_config;      /* reads no configuration: no [-c FILE] */
	/* argv[0] is the command's last word ("add" for "calendar add"). */
	int (*run)(int argc, char **argv);
};

/* Ended by an entry with no name. */
extern const struct cmd_def cmd_table[];
const struct cmd_def *cmd_lookup(const char *name);
/* Whether d is the command `group` or one of its subcommands. */
bool cmd_in_group(const struct cmd_def *d, const char *group);
/* Whether name ("calendar", "outbox") has subcommands. */
bool cmd_is_group(const char *name);

/* The command running, or the group named ("calendar"), for the usage
 * that a usage error prints; NULL before one is known. */
extern const char *cmd_current;

/* Options through the table: getopt_long with the command's options,
 * -h and --help. */
#define CMD_OPTS_MAX 12
struct cmd_parser {
	const struct cmd_def *def;
	struct option lopts[CMD_OPTS_MAX + 2];
	char shorts[3 * CMD_OPTS_MAX + 8];
	int status; /* after CMD_EXIT: what the command returns */
};
/* cmd_getopt(): the command should return p->status (its help was
 * printed, or a usage error). */
#define CMD_EXIT (-2)
/* stop_at_operand: the options before the first operand only (a command
 * whose subcommands have options of their own). */
void cmd_parser_init(struct cmd_parser *p, const struct cmd_def *def, bool stop_at_operand);
/* The next option's id (optarg holds its value), -1 after the last, or
 * CMD_EXIT. An unknown option, or one without its value, is a usage
 * error. */
int cmd_getopt(struct cmd_parser *p, int argc, char **argv);
/* The option of def named `name` (without its dashes), or NULL. */
const struct cmd_opt *cmd_find_opt(const struct cmd_def *def, const char *name);

/* The usage of a command, or of a group's every command, or (NULL) of
 * casewatch: "Usage: casewatch ..." lines. */
void cmd_usage(const char *name, FILE *f);
/* What `help NAME` and `NAME --help` print; NULL: every command. */
void cmd_help_print(const char *name, FILE *f);

/* At most this many case references from status --list-refs (and the
 * completion): a prefix too short to choose is not worth listing all. */
#define CMD_REFS_MAX 100
#define CMD_REFS_MAX_TEXT "100"
/* The references of the case database that begin with prefix, sorted,
 * at most CMD_REFS_MAX, one a line to f. Returns 0, or < 0 with *ret_err. */
int cmd_list_refs(const char *database, const char *prefix, FILE *f, char **ret_err);

int cmd_check(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_outbox_retry(int argc, char **argv);
int cmd_outbox_send(int argc, char **argv);
int cmd_outbox_show(int argc, char **argv);

/* Print "casewatch: ..." and the usage of cmd_current to stderr; return
 * EXIT_USAGE. */
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

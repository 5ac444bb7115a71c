/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every command of casewatch in one table: its synopsis, its options and
 * what its operands are. The dispatch, the option parsing, `help`,
 * `COMMAND --help`, the usage printed with an error and the bash
 * completion all read it, and a test compares its synopsis with
 * casewatch(1)'s, so none of them can say something the others do not. */
#include "cmd.h"

#include <string.h>

#include "casedb.h"
#include "util.h"

static const char *const divisions[] = { "england-and-wales", "scotland", "northern-ireland", NULL };
static const char *const periods[] = { "month", "quarter", "year", NULL };
static const char *const formats[] = { "text", "csv", "json", "html", NULL };
static const char *const outbox_commands[] = { "retry", "send", "show", NULL };

#define AT_HELP "the moment: RFC 3339, or YYYY-MM-DD for 12:00 local (default now)"
#define DIVISION_OPT                                                                                      \
	{ .name = "division", .id = 'd', .arg = "D", .value = { CMD_VAL_WORDS, divisions },                   \
	  .help = "the division's bank holidays instead of the configuration's: england-and-wales, scotland "  \
		  "or northern-ireland" }

static const struct cmd_opt check_opts[] = {
	{ .name = "list-rules", .id = 'l',
	  .help = "print each configured rule's id and title, a tab between, instead of configuration OK" },
	{ 0 }
};

static const struct cmd_opt calendar_opts[] = { DIVISION_OPT, { 0 } };

static const struct cmd_opt status_opts[] = {
	{ .name = "at", .id = 'a', .arg = "TIME", .value = { CMD_VAL_TEXT, NULL }, .help = AT_HELP },
	{ .name = "json", .id = 'j', .help = "JSON instead of a table" },
	{ .name = "unmet", .id = 'u', .help = "only the obligations pending, overdue or paused" },
	{ .name = "rule", .id = 'r', .arg = "ID", .value = { CMD_VAL_RULE, NULL },
	  .help = "only the obligations of this rule (again for more)" },
	{ .name = "summary", .id = 's', .help = "counts by standard and state over every case, and the figures" },
	{ .name = "list-refs", .id = 'L', .arg = "PREFIX", .value = { CMD_VAL_REF, NULL },
	  .help = "the case references that begin with PREFIX, sorted, at most " CMD_REFS_MAX_TEXT },
	{ 0 }
};

static const struct cmd_opt report_opts[] = {
	{ .name = "from", .id = 'f', .arg = "DATE", .value = { CMD_VAL_TEXT, NULL },
	  .help = "from the period containing DATE (default: 12 periods up to the last)" },
	{ .name = "to", .id = 't', .arg = "DATE", .value = { CMD_VAL_TEXT, NULL },
	  .help = "up to the period containing DATE (default: the one containing --at)" },
	{ .name = "by", .id = 'b', .arg = "month|quarter|year", .value = { CMD_VAL_WORDS, periods },
	  .help = "the periods (default month)" },
	{ .name = "team", .id = 'T', .arg = "T", .value = { CMD_VAL_TEXT, NULL }, .help = "only this team's cases" },
	{ .name = "officer", .id = 'O', .arg = "O", .value = { CMD_VAL_TEXT, NULL },
	  .help = "only this officer's cases" },
	{ .name = "format", .id = 'F', .arg = "text|csv|json|html", .value = { CMD_VAL_WORDS, formats },
	  .help = "the output's format (default text)" },
	{ .name = "output", .id = 'o', .short_name = 'o', .arg = "FILE", .value = { CMD_VAL_FILE, NULL },
	  .help = "into FILE, written whole, instead of standard output" },
	{ .name = "at", .id = 'a', .arg = "TIME", .value = { CMD_VAL_TEXT, NULL }, .help = AT_HELP },
	{ 0 }
};

static const struct cmd_opt run_opts[] = {
	{ .name = "once", .id = 'o', .help = "one scan, then exit (needed: casewatchd runs the scans)" },
	{ .name = "at", .id = 'a', .arg = "TIME", .value = { CMD_VAL_TEXT, NULL }, .help = AT_HELP },
	{ .name = "dry-run", .id = 'n', .help = "print what would be queued and sent; keep and send nothing" },
	{ .name = "full", .id = 'f', .help = "evaluate every case, not only those changed or due" },
	{ 0 }
};

static const struct cmd_opt outbox_opts[] = {
	{ .name = "dead", .id = 'd', .help = "only the messages given up" },
	{ 0 }
};

static const struct cmd_opt outbox_send_opts[] = {
	{ .name = "at", .id = 'a', .arg = "TIME", .value = { CMD_VAL_TEXT, NULL }, .help = AT_HELP },
	{ 0 }
};

static const struct cmd_opt import_opts[] = {
	{ .name = "mapping", .id = 'm', .arg = "MAPPING", .value = { CMD_VAL_FILE, NULL },
	  .help = "the mapping file (default: the configuration's import.mapping)" },
	{ .name = "dry-run", .id = 'n', .help = "check every row and say what would change; write nothing" },
	{ 0 }
};

static const struct cmd_opt event_opts[] = {
	{ .name = "at", .id = 'a', .arg = "TIME", .value = { CMD_VAL_TEXT, NULL },
	  .help = "when it happened: RFC 3339, or without an offset local time (default now)" },
	{ .name = "party", .id = 'p', .arg = "ID", .value = { CMD_VAL_TEXT, NULL },
	  .help = "the party of the case it concerns, by its id" },
	{ .name = "channel", .id = 'C', .arg = "C", .value = { CMD_VAL_WORDS, casedb_channels },
	  .help = "how a contact was made: phone, letter, email, visit, sms or meeting" },
	{ .name = "detail", .id = 'd', .arg = "D", .value = { CMD_VAL_TEXT, NULL },
	  .help = "what it was for (acknowledgement, update, sendback), or a risk event's new level" },
	{ .name = "officer", .id = 'o', .arg = "O", .value = { CMD_VAL_TEXT, NULL }, .help = "the officer's id" },
	{ 0 }
};

static const struct cmd_opt help_opts[] = {
	/* For the test that compares this table with casewatch(1). */
	{ .name = "synopsis", .id = 'S', .hidden = true, .help = "every synopsis line" },
	/* For the bash completion: the words that may follow. */
	{ .name = "complete", .id = 'X', .hidden = true, .help = "the completions of the words after --" },
	{ 0 }
};

const struct cmd_def cmd_table[] = {
	{ .name = "check", .summary = "validate the configuration and every file it names",
	  .synopsis = { "check [--list-rules]" }, .opts = check_opts, .run = cmd_check },
	{ .name = "calendar holidays", .summary = "the year's bank holidays and closures",
	  .synopsis = { "calendar holidays [--division D] YEAR" }, .opts = calendar_opts,
	  .operands = { { CMD_VAL_TEXT, NULL } }, .run = cmd_calendar },
	{ .name = "calendar add", .summary = "the date N working days after DATE (day 0)",
	  .synopsis = { "calendar add [--division D] DATE N" }, .opts = calendar_opts,
	  .operands = { { CMD_VAL_TEXT, NULL }, { CMD_VAL_TEXT, NULL } }, .run = cmd_calendar },
	{ .name = "calendar between", .summary = "the working days after FROM up to and including TO",
	  .synopsis = { "calendar between [--division D] FROM TO" }, .opts = calendar_opts,
	  .operands = { { CMD_VAL_TEXT, NULL }, { CMD_VAL_TEXT, NULL } }, .run = cmd_calendar },
	{ .name = "db init", .summary = "create the case database, or upgrade it to this version's schema",
	  .synopsis = { "db init [PATH]" }, .operands = { { CMD_VAL_FILE, NULL } }, .run = cmd_db },
	{ .name = "status", .summary = "every obligation of the cases and its state, or counts by standard",
	  .synopsis = { "status [--at TIME] [--json] [--unmet] [--rule ID]... [REF...]",
			"status --summary [--at TIME] [--json] [--rule ID]...",
			"status --list-refs PREFIX" },
	  .opts = status_opts, .operands = { { CMD_VAL_REF, NULL } }, .operands_repeat = true, .run = cmd_status },
	{ .name = "report", .summary = "how well each standard was kept, period by period",
	  .synopsis = { "report [--from DATE] [--to DATE] [--by month|quarter|year] [--team T] [--officer O] "
			"[--format text|csv|json|html] [-o FILE] [--at TIME]" },
	  .opts = report_opts, .run = cmd_report },
	{ .name = "run", .summary = "one scan of casewatchd, and sending what is due",
	  .synopsis = { "run --once [--at TIME] [--dry-run] [--full]" }, .opts = run_opts, .run = cmd_run },
	{ .name = "outbox", .summary = "the messages waiting to be delivered, and those given up",
	  .synopsis = { "outbox [--dead]" }, .opts = outbox_opts,
	  .operands = { { CMD_VAL_WORDS, outbox_commands } }, .run = cmd_outbox },
	{ .name = "outbox retry", .summary = "send messages given up again, at the next scan",
	  .synopsis = { "outbox retry ID..." }, .operands = { { CMD_VAL_TEXT, NULL } }, .operands_repeat = true,
	  .run = cmd_outbox_retry },
	{ .name = "outbox send", .summary = "deliver what is due, without a scan",
	  .synopsis = { "outbox send [--at TIME]" }, .opts = outbox_send_opts, .run = cmd_outbox_send },
	{ .name = "outbox show", .summary = "one message as stored, or when its text was removed",
	  .synopsis = { "outbox show ID" }, .operands = { { CMD_VAL_TEXT, NULL } }, .run = cmd_outbox_show },
	{ .name = "import", .summary = "CSV exports into the case database, through a mapping",
	  .synopsis = { "import [--mapping MAPPING] [--dry-run] FILE..." }, .opts = import_opts,
	  .operands = { { CMD_VAL_FILE, NULL } }, .operands_repeat = true, .run = cmd_import },
	{ .name = "event", .summary = "record one event of a case",
	  .synopsis = { "event REF KIND [--at TIME] [--party ID] [--channel C] [--detail D] [--officer O]" },
	  .opts = event_opts, .operands = { { CMD_VAL_REF, NULL }, { CMD_VAL_WORDS, casedb_kinds } },
	  .run = cmd_event },
	{ .name = "help", .summary = "the commands, or one command's usage and options",
	  .synopsis = { "help [COMMAND [SUBCOMMAND]]" }, .no_config = true, .opts = help_opts,
	  .operands = { { CMD_VAL_COMMAND, NULL } }, .operands_repeat = true, .run = cmd_help },
	{ 0 }
};

const struct cmd_def *cmd_lookup(const char *name)
{
	for (const struct cmd_def *d = cmd_table; d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

bool cmd_in_group(const struct cmd_def *d, const char *group)
{
	size_t n = strlen(group);
	return strncmp(d->name, group, n) == 0 && (d->name[n] == '\0' || d->name[n] == ' ');
}

bool cmd_is_group(const char *name)
{
	size_t n = strlen(name);
	for (const struct cmd_def *d = cmd_table; d->name; d++)
		if (strncmp(d->name, name, n) == 0 && d->name[n] == ' ')
			return true;
	return false;
}

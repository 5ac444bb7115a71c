/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch: answers on demand what casewatchd watches for (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "casedb.h"
#include "cmd.h"
#include "conf.h"
#include "date.h"
#include "diag.h"
#include "inbox.h"
#include "util.h"

#ifndef CONFIG_DEFAULT
#define CONFIG_DEFAULT "/etc/casewatch/casewatch.conf"
#endif

static void usage(FILE *f)
{
	fputs("Usage: casewatch [-c FILE] COMMAND [ARGS]\n"
	      "\n"
	      "Commands:\n"
	      "  check                                   validate the configuration and its files\n"
	      "  calendar holidays [--division D] YEAR   the year's bank holidays and closures\n"
	      "  calendar add [--division D] DATE N      the date N working days after DATE\n"
	      "  calendar between [--division D] FROM TO working days after FROM up to TO\n"
	      "  db init [PATH]                          create or upgrade the case database\n"
	      "  status [--at TIME] [--json] [--unmet] [REF ...]\n"
	      "                                          every obligation of the cases and its state\n"
	      "  status --summary [--at TIME] [--json]   counts by standard and state, and figures\n"
	      "  report [--from DATE] [--to DATE] [--by month|quarter|year] [--team T] [--officer O]\n"
	      "         [--format text|csv|json] [-o FILE] [--at TIME]\n"
	      "                                          how well each standard was kept, period by period\n"
	      "  run --once [--at TIME] [--dry-run] [--full]\n"
	      "                                          one scan of casewatchd, and sending what is due\n"
	      "  outbox [--dead]                         messages waiting to be delivered, and given up\n"
	      "  outbox retry ID...                      send a message given up again\n"
	      "  outbox send [--at TIME]                 deliver what is due now, without a scan\n"
	      "  outbox show ID                          one message as stored, or when its text was removed\n"
	      "  import [--mapping FILE] [--dry-run] FILE...\n"
	      "                                          CSV exports into the case database\n"
	      "  event REF KIND [--at TIME] [--party ID] [--channel C] [--detail D] [--officer O]\n"
	      "                                          record one event of a case\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE   configuration (default " CONFIG_DEFAULT ")\n"
	      "  -h, --help          show this help\n"
	      "  -V, --version       show the version\n", f);
}

static int cmd_check(int argc, char **argv)
{
	if (argc != 1)
		return usage_error("check takes no arguments, got '%s'", argv[1]);

	struct diags d = { 0 };
	struct conf *c = NULL;
	bool embedded;
	if (load_conf_diags(&c, &embedded, &d) == 0) {
		/* check is for whoever runs casewatchd: its secrets too, and
		 * its inbox. */
		conf_secrets_readable(c, &d);
		_cleanup_free_ char *why = NULL;
		if (c->import_inbox && inbox_usable(c->import_inbox, &why) < 0)
			diags_add(&d, c->path, 0, "%s", why);
		conf_free(c);
	}

	int status = 0;
	if (d.n > 0) {
		diags_sort(&d);
		diags_print(&d, stdout);
		status = EXIT_BADINPUT;
	} else {
		if (embedded)
			fprintf(stderr, "casewatch: %s does not exist: checked the embedded defaults\n",
				config_path);
		puts("configuration OK");
	}
	diags_free(&d);
	if (fflush(stdout) != 0 || ferror(stdout))
		return bad_input("cannot write the output: %s", strerror(errno));
	return status;
}

/* Options of the calendar commands may stand anywhere among the operands,
 * and an operand may be a negative number, so getopt is not used. */
static int parse_division_opt(int argc, char **argv, int *ret_division, char ***ret_operands, int *ret_n)
{
	char **ops = xcalloc((size_t)argc + 1, sizeof(char *));
	int n = 0, division = -1;
	bool only_operands = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (only_operands || a[0] != '-' || (a[1] >= '0' && a[1] <= '9') || a[1] == '\0') {
			ops[n++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_operands = true;
			continue;
		}
		if (strcmp(a, "--division") == 0) {
			if (i + 1 >= argc) {
				free(ops);
				return usage_error("%s needs a division", a);
			}
			val = argv[++i];
		} else if (strncmp(a, "--division=", 11) == 0) {
			val = a + 11;
		} else {
			free(ops);
			return usage_error("unknown option '%s'", a);
		}
		division = division_from_string(val);
		if (division < 0) {
			free(ops);
			return bad_input("unknown division '%s' (england-and-wales, scotland or northern-ireland)", val);
		}
	}
	*ret_division = division;
	*ret_operands = ops;
	*ret_n = n;
	return 0;
}

static int parse_date_arg(const char *what, const char *s, cw_day *ret)
{
	int r = date_parse(s, ret);
	if (r == -ERANGE)
		return bad_input("%s '%s' is not a real date", what, s);
	if (r < 0)
		return bad_input("%s '%s' is not a date of the form YYYY-MM-DD", what, s);
	if (!calendar_in_range(*ret))
		return bad_input("%s '%s' is outside the calendar's years %d-%d", what, s,
				 CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
	return 0;
}

static int parse_int_arg(const char *what, const char *s, long min, long max, long *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno == ERANGE)
		return bad_input("%s '%s' is not a whole number", what, s);
	if (v < min || v > max)
		return bad_input("%s '%s' is out of range (%ld to %ld)", what, s, min, max);
	*ret = v;
	return 0;
}

static int cmd_calendar(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("calendar needs a command: holidays, add or between");
	const char *sub = argv[1];
	int nwant;
	if (strcmp(sub, "holidays") == 0)
		nwant = 1;
	else if (strcmp(sub, "add") == 0 || strcmp(sub, "between") == 0)
		nwant = 2;
	else
		return usage_error("unknown calendar command '%s' (holidays, add or between)", sub);

	int division = -1, n = 0;
	_cleanup_free_ char **ops = NULL;
	int r = parse_division_opt(argc - 1, argv + 1, &division, &ops, &n);
	if (r != 0)
		return r;
	if (n != nwant)
		return usage_error("calendar %s takes %s", sub, nwant == 1 ? "one operand" : "two operands");

	/* Check the operands before reading any file. */
	long year = 0, days = 0;
	cw_day a = 0, b = 0;
	if (nwant == 1) {
		if (parse_int_arg("year", ops[0], CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR, &year))
			return EXIT_BADINPUT;
	} else {
		if (parse_date_arg(sub[0] == 'a' ? "date" : "from", ops[0], &a))
			return EXIT_BADINPUT;
		if (sub[0] == 'a') {
			if (parse_int_arg("N", ops[1], -1000000, 1000000, &days))
				return EXIT_BADINPUT;
		} else if (parse_date_arg("to", ops[1], &b)) {
			return EXIT_BADINPUT;
		}
	}

	struct conf *c = NULL;
	if (load_conf(&c) < 0)
		return EXIT_BADINPUT;
	struct calendar *cal = conf_calendar(c, division);
	conf_free(c);

	int status = 0;
	char buf[DATE_STRLEN];
	if (nwant == 1) {
		struct holiday_list l = { 0 };
		calendar_holidays(cal, (int)year, &l);
		for (size_t i = 0; i < l.n; i++)
			printf("%s\t%s\n", date_format(l.v[i].day, buf), l.v[i].title);
		holiday_list_free(&l);
	} else if (sub[0] == 'a') {
		cw_day res;
		if (calendar_add_working_days(cal, a, (int)days, &res) < 0)
			status = bad_input("%s working days from %s is outside the calendar's years %d-%d",
					   ops[1], ops[0], CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
		else
			puts(date_format(res, buf));
	} else {
		int count = 0;
		calendar_working_days_between(cal, a, b, &count);
		printf("%d\n", count);
	}
	calendar_free(cal);
	if (fflush(stdout) != 0 || ferror(stdout))
		return bad_input("cannot write the output: %s", strerror(errno));
	return status;
}

static int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "init") != 0)
		return usage_error("db needs a command: init");
	if (argc > 3)
		return usage_error("db init takes at most one operand, the database's path");

	struct conf *c = NULL;
	const char *path = argv[2];
	if (!path) {
		if (load_conf(&c) < 0)
			return EXIT_BADINPUT;
		path = c->database;
	}

	int from = 0;
	_cleanup_free_ char *err = NULL;
	int r = casedb_init(path, &from, &err);
	int status = 0;
	if (r < 0)
		status = bad_input("%s", err);
	else if (from == 0)
		printf("created the case database %s (schema version %d)\n", path, CASEDB_VERSION);
	else if (from < CASEDB_VERSION)
		printf("upgraded the case database %s from schema version %d to %d\n", path, from, CASEDB_VERSION);
	else
		printf("the case database %s is already at schema version %d\n", path, CASEDB_VERSION);
	conf_free(c);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int o;

	config_path = CONFIG_DEFAULT;
	malloc_tune();
	while ((o = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config_path = optarg;
			config_explicit = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts(PACKAGE_STRING);
			return 0;
		default:
			fputs("Try 'casewatch --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(cmd, "calendar") == 0)
		return cmd_calendar(argc, argv);
	if (strcmp(cmd, "db") == 0)
		return cmd_db(argc, argv);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc, argv);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc, argv);
	if (strcmp(cmd, "outbox") == 0)
		return cmd_outbox(argc, argv);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc, argv);
	if (strcmp(cmd, "event") == 0)
		return cmd_event(argc, argv);
	return usage_error("unknown command '%s'", cmd);
}

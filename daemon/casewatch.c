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

/* check --list-rules: each rule's id and title, for people and for the
 * completion of status --rule. */
static void list_rules(const struct conf *c)
{
	for (size_t i = 0; i < c->ruleset.n; i++) {
		_cleanup_free_ char *title = text_clean(c->ruleset.v[i].title, 0, NULL);
		printf("%s\t%s\n", c->ruleset.v[i].id, title);
	}
}

int cmd_check(int argc, char **argv)
{
	struct cmd_parser p;
	bool rules = false;
	int o;
	cmd_parser_init(&p, cmd_lookup("check"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'l':
			rules = true;
			break;
		}
	}
	if (optind < argc)
		return usage_error("check takes no operands, got '%s'", argv[optind]);

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
		if (rules && d.n == 0)
			list_rules(c);
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
		if (!rules)
			puts("configuration OK");
	}
	diags_free(&d);
	if (fflush(stdout) != 0 || ferror(stdout))
		return bad_input("cannot write the output: %s", strerror(errno));
	return status;
}

/* Options of the calendar commands may stand anywhere among the operands,
 * and an operand may be a negative number, so getopt is not used. argv[0]
 * is the subcommand. Returns 0, or CMD_EXIT with *ret_status. */
static int parse_division_opt(int argc, char **argv, int *ret_division, char ***ret_operands, int *ret_n,
			      int *ret_status)
{
	const struct cmd_def *def = cmd_lookup(cmd_current);
	_cleanup_free_ char **ops = xcalloc((size_t)argc + 1, sizeof(char *));
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
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cmd_help_print(def->name, stdout);
			*ret_status = 0;
			return CMD_EXIT;
		}
		/* --division D or --division=D: the table's one option */
		_cleanup_free_ char *name = a[1] == '-' ? xstrndup(a + 2, strcspn(a + 2, "=")) : NULL;
		const struct cmd_opt *o = name ? cmd_find_opt(def, name) : NULL;
		if (!o) {
			*ret_status = usage_error("unknown option '%s' for %s", a, def->name);
			return CMD_EXIT;
		}
		if (a[2 + strlen(name)] == '=') {
			val = a + 3 + strlen(name);
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			*ret_status = usage_error("%s needs a division", a);
			return CMD_EXIT;
		}
		division = division_from_string(val);
		if (division < 0) {
			*ret_status = bad_input("unknown division '%s' (england-and-wales, scotland or northern-ireland)",
						val);
			return CMD_EXIT;
		}
	}
	*ret_division = division;
	*ret_operands = TAKE_PTR(ops);
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

int cmd_calendar(int argc, char **argv)
{
	const char *sub = argv[0];
	int nwant = strcmp(sub, "holidays") == 0 ? 1 : 2;

	int division = -1, n = 0, status = 0;
	_cleanup_free_ char **ops = NULL;
	if (parse_division_opt(argc, argv, &division, &ops, &n, &status) != 0)
		return status;
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

int cmd_db(int argc, char **argv)
{
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("db init"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1)
		if (o == CMD_EXIT)
			return p.status;
	if (argc - optind > 1)
		return usage_error("db init takes at most one operand, the database's path");

	struct conf *c = NULL;
	const char *path = argv[optind];
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

/* "holidays, add or between": a group's subcommands. */
static char *subcommands(const char *group)
{
	struct strbuf b = { 0 };
	size_t n = 0, k = 0, len = strlen(group);
	strbuf_add(&b, "", 0);
	for (const struct cmd_def *d = cmd_table; d->name; d++)
		n += strncmp(d->name, group, len) == 0 && d->name[len] == ' ';
	for (const struct cmd_def *d = cmd_table; d->name; d++) {
		if (strncmp(d->name, group, len) != 0 || d->name[len] != ' ')
			continue;
		strbuf_adds(&b, k == 0 ? "" : k + 1 == n ? " or " : ", ");
		strbuf_adds(&b, d->name + len + 1);
		k++;
	}
	return b.p;
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
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config_path = optarg;
			config_explicit = true;
			break;
		case 'h':
			cmd_help_print(NULL, stdout);
			return 0;
		case 'V':
			puts(PACKAGE_STRING);
			return 0;
		case ':':
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				return usage_error("%s needs a value", argv[optind - 1]);
			return usage_error("-%c needs a value", optopt);
		default:
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		cmd_help_print(NULL, stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	argc -= optind;
	argv += optind;
	const struct cmd_def *d = cmd_lookup(cmd);
	if (cmd_is_group(cmd) && argc >= 2) {
		/* calendar add, outbox retry: the subcommand's own entry */
		_cleanup_free_ char *name = xasprintf("%s %s", cmd, argv[1]);
		const struct cmd_def *sub = cmd_lookup(name);
		cmd_current = cmd;
		if (!sub && !d && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			cmd_help_print(cmd, stdout);
			return 0;
		}
		if (!sub && !d && argv[1][0] == '-')
			return usage_error("unknown option '%s' for %s", argv[1], cmd);
		if (!sub && !d) {
			_cleanup_free_ char *subs = subcommands(cmd);
			return usage_error("unknown %s command '%s' (%s)", cmd, argv[1], subs);
		}
		if (sub) {
			d = sub;
			argc--;
			argv++;
		}
	} else if (cmd_is_group(cmd) && !d) {
		_cleanup_free_ char *subs = subcommands(cmd);
		cmd_current = cmd;
		return usage_error("%s needs a command: %s", cmd, subs);
	}
	if (!d)
		return usage_error("unknown command '%s'", cmd);
	cmd_current = d->name;
	return d->run(argc, argv);
}

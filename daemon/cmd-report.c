/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch report: how well the unit kept each standard, period by
 * period, by team and officer, with the targets' figures (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar.h"
#include "cmd.h"
#include "conf.h"
#include "eval.h"
#include "progress.h"
#include "report.h"
#include "scan.h"
#include "util.h"

/* By default the report ends with the period containing the moment and
 * covers this many periods. */
#define REPORT_DEFAULT_PERIODS 12

/* --from and --to: a date within the calendar's years. */
static int parse_date(const char *opt, const char *s, cw_day *ret)
{
	if (date_parse(s, ret) < 0)
		return usage_error("%s '%s' is not a date: give YYYY-MM-DD", opt, s);
	if (!calendar_in_range(*ret))
		return usage_error("%s '%s' is outside the calendar's years %d-%d", opt, s, CALENDAR_MIN_YEAR,
				   CALENDAR_MAX_YEAR);
	return 0;
}

static void print_bad(const char *table, const struct scan_bad *b, void *userdata)
{
	(void)userdata;
	print_bad_rows(table, b);
}

/* The report into something that is not a regular file (/dev/null, a
 * pipe, a terminal): written to it as it is, never replaced. */
static int write_special(const char *path, const struct report *rep, enum report_format format, const char *at_text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return bad_input("cannot write %s: %s", path, strerror(errno));
	report_write(rep, format, at_text, f);
	errno = 0;
	int e = fflush(f) != 0 || ferror(f) ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && !e)
		e = errno;
	return e ? bad_input("cannot write %s: %s", path, strerror(e)) : 0;
}

/* The report into `path` whole or not at all: a temporary file beside it,
 * renamed over it once written and synced. Returns 0 or EXIT_BADINPUT. */
static int write_file(const char *path, const struct report *rep, enum report_format format, const char *at_text)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* A link stays a link: what it points to is replaced, beside
		 * itself; a link to nothing yet is written through. */
		_cleanup_free_ char *real = realpath(path, NULL);
		if (real)
			return write_file(real, rep, format, at_text);
		return write_special(path, rep, format, at_text);
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_special(path, rep, format, at_text);
	_cleanup_free_ char *dir = path_dirname(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	_cleanup_free_ char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return bad_input("cannot write %s: %s", path, strerror(errno));
	/* mkstemp makes it 0600: the mode a new file would have. */
	mode_t mask = umask(0);
	umask(mask);
	FILE *f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return bad_input("cannot write %s: %s", path, strerror(e));
	}
	report_write(rep, format, at_text, f);
	int e = 0;
	errno = 0;
	if (fflush(f) != 0 || ferror(f) || fsync(fd) < 0)
		e = errno ? errno : EIO;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return bad_input("cannot write %s: %s", path, strerror(e));
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	const char *from_arg = NULL, *to_arg = NULL, *team = NULL, *officer = NULL, *output = NULL, *at_arg = NULL;
	enum report_by by = REPORT_BY_MONTH;
	enum report_format format = REPORT_TEXT;
	struct cmd_parser p;
	int o, v;
	cmd_parser_init(&p, cmd_lookup("report"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'f':
			from_arg = optarg;
			break;
		case 't':
			to_arg = optarg;
			break;
		case 'b':
			if ((v = report_by_from_string(optarg)) < 0)
				return usage_error("--by '%s' is not month, quarter or year", optarg);
			by = (enum report_by)v;
			break;
		case 'T':
			team = optarg;
			break;
		case 'O':
			officer = optarg;
			break;
		case 'F':
			if ((v = report_format_from_string(optarg)) < 0)
				return usage_error("--format '%s' is not text, csv, json or html", optarg);
			format = (enum report_format)v;
			break;
		case 'o':
			output = optarg;
			break;
		case 'a':
			at_arg = optarg;
			break;
		}
	}
	if (optind < argc)
		return usage_error("report takes no operands, got '%s'", argv[optind]);
	cw_day from = 0, to = 0;
	int r;
	if ((from_arg && (r = parse_date("--from", from_arg, &from))) || (to_arg && (r = parse_date("--to", to_arg, &to))))
		return r;
	if (from_arg && to_arg && from > to)
		return usage_error("--from %s is after --to %s", from_arg, to_arg);
	if (output && !*output)
		return usage_error("-o needs a file name");

	struct cmd_world world;
	if (cmd_world_load(NULL, &world) != 0)
		return EXIT_BADINPUT;
	const struct conf *c = world.conf;
	int status = 0;
	sqlite3 *db = NULL;
	struct report *rep = NULL;
	_cleanup_free_ char *err = NULL;
	if (at_arg && cmd_parse_at(world.tz, at_arg, &world.at) < 0) {
		status = usage_error("--at '%s' is not a time: give RFC 3339 (2026-11-20T09:30:00Z) or a date "
				     "YYYY-MM-DD within %d-%d", at_arg, CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
		goto out;
	}
	struct evaluator ev = { .rules = &c->ruleset, .cal = world.cal, .tz = world.tz, .at = world.at };
	/* By default, the periods up to the one containing the moment. */
	cw_day today = tz_local_day(world.tz, world.at), last;
	if (!to_arg) {
		report_period_of(by, today, &(cw_day){ 0 }, &last);
		if (from_arg && from > last) {
			char d[DATE_STRLEN];
			status = usage_error("--from %s is after the %s the report ends with by default (it ends %s): "
					     "give --to", from_arg, report_by_to_string(by), date_format(last, d));
			goto out;
		}
		to = today;
	}
	if (!from_arg) {
		from = report_period_add(by, to, -(REPORT_DEFAULT_PERIODS - 1));
		if (!calendar_in_range(from))
			from = date_from_ymd(CALENDAR_MIN_YEAR, 1, 1);
	}

	if (scan_open(c->database, &db, &err) < 0) {
		status = bad_input("%s", err);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		const char *id = i ? officer : team;
		bool known = false;
		if (!id)
			continue;
		if (scan_id_known(db, i, id, &known, &err) < 0) {
			status = bad_input("%s", err);
			goto out;
		}
		if (!known) {
			_cleanup_free_ char *shown = printable(id);
			status = usage_error("unknown %s '%s': no row of %s and no case in %s names it",
					     i ? "officer" : "team", shown, i ? "officers" : "teams", c->database);
			goto out;
		}
	}
	if (c->ruleset.n == 0)
		fprintf(stderr, "casewatch: no rules are configured: there is nothing to report "
			"(see casewatch-rules(5))\n");

	rep = report_new(&ev, by, from, to, team, officer);
	struct tally t;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		status = bad_input("case database: %s", sqlite3_errmsg(db));
		goto out;
	}
	struct progress *progress = progress_new_stderr();
	const struct report_fill_fns fns = { .problem = cmd_print_problem, .bad_rows = print_bad,
					     .progress = progress };
	r = report_fill(rep, db, &fns, NULL, &t, &err);
	progress_free(progress);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (r < 0) {
		status = bad_input("%s", err);
		goto out;
	}
	report_finish(rep);

	char at_text[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(world.tz, world.at, at_text);
	if (output) {
		status = write_file(output, rep, format, at_text);
	} else {
		report_write(rep, format, at_text, stdout);
		if (fflush(stdout) != 0 || ferror(stdout))
			status = bad_input("cannot write the output: %s", strerror(errno));
	}
	tally_print_unshown(&t);
out:
	report_free(rep);
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

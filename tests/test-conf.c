/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "conf.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-conf.XXXXXX";

static const char minimal_pack[] =
	"pack = \"test\";\n"
	"rules = ( { id = \"call\"; title = \"Call\"; kind = \"deadline\"; within = \"1 working day\";\n"
	"            met_by = { channel = \"phone\"; }; } );\n";

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	char *sub = xasprintf("%s/rules", dir), *pack = xasprintf("%s/rules/leeds-asbu.conf", dir);
	int r = mkdir(sub, 0755);
	FILE *f = fopen(pack, "w");
	if (f) {
		fputs(minimal_pack, f);
		r |= fclose(f);
	}
	free(sub);
	free(pack);
	return r == 0 && f ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct conf *load_ok(const char *name, const char *text)
{
	_cleanup_free_ char *path = write_file(name, text);
	struct diags d = { 0 };
	struct conf *c = NULL;
	int r = conf_load(path, &c, &d);
	if (r < 0) {
		diags_print(&d, stderr);
		fail_msg("%s did not load", name);
	}
	assert_int_equal(d.n, 0);
	diags_free(&d);
	return c;
}

/* Load a file expected to fail; return its problems as "LINE: message"
 * lines joined by newlines. */
static char *load_bad(const char *name, const char *text)
{
	_cleanup_free_ char *path = write_file(name, text);
	struct diags d = { 0 };
	struct conf *c = NULL;
	assert_int_equal(conf_load(path, &c, &d), -EINVAL);
	assert_null(c);
	diags_sort(&d);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		assert_string_equal(d.v[i].file, path);
		char *n = xasprintf("%s%d: %s\n", out, d.v[i].line, d.v[i].msg);
		free(out);
		out = n;
	}
	diags_free(&d);
	return out;
}

static void test_three_line_file_gets_every_default(void **state)
{
	struct conf *c = load_ok("three.conf",
		"database = \"cases.db\";\nstate = \"/var/lib/casewatch/state.db\";\nrules = [ \"rules/leeds-asbu.conf\" ];\n");
	_cleanup_free_ char *db = xasprintf("%s/cases.db", dir);
	_cleanup_free_ char *rules = xasprintf("%s/rules/leeds-asbu.conf", dir);
	assert_string_equal(c->database, db);
	assert_string_equal(c->state, "/var/lib/casewatch/state.db");
	assert_int_equal(c->n_rules, 1);
	assert_string_equal(c->rules[0], rules);
	assert_int_equal(c->ruleset.n, 1);
	assert_string_equal(c->timezone, "Europe/London");
	assert_int_equal(c->division, DIVISION_ENGLAND_AND_WALES);
	assert_int_equal(c->weekend, WEEKEND_DEFAULT);
	assert_int_equal(c->closures.n, 0);
	conf_free(c);
}

static void test_calendar_group_settings(void **state)
{
	struct conf *c = load_ok("cal.conf",
		"timezone = \"Europe/Belfast\";\n"
		"calendar = {\n"
		"  division = \"northern-ireland\";\n"
		"  weekend = [ \"Fri\", \"saturday\" ];\n"
		"  closures = ( \"2026-12-30..2027-01-01\", { date = \"2026-06-01\"; title = \"Away day\"; } );\n"
		"};\n");
	assert_string_equal(c->timezone, "Europe/Belfast");
	assert_int_equal(c->division, DIVISION_NORTHERN_IRELAND);
	assert_int_equal(c->weekend, (1u << WD_FRIDAY) | (1u << WD_SATURDAY));
	assert_int_equal(c->closures.n, 4);
	cw_day d;
	date_parse("2027-01-01", &d);
	assert_int_equal(c->closures.v[2].day, d);
	assert_string_equal(c->closures.v[3].title, "Away day");
	struct calendar *cal = conf_calendar(c, -1);
	assert_int_equal(calendar_division(cal), DIVISION_NORTHERN_IRELAND);
	date_parse("2026-12-31", &d);
	assert_false(calendar_is_working_day(cal, d));
	calendar_free(cal);
	conf_free(c);
}

static void test_rules_may_be_one_string(void **state)
{
	/* A folder of packs, named relative to the configuration. */
	struct conf *c = load_ok("one.conf", "rules = \"rules\";\n");
	_cleanup_free_ char *rules = xasprintf("%s/rules", dir);
	assert_int_equal(c->n_rules, 1);
	assert_string_equal(c->rules[0], rules);
	assert_int_equal(c->ruleset.n, 1);
	assert_string_equal(c->ruleset.v[0].id, "call");
	conf_free(c);
}

static void test_include_is_relative_to_the_file(void **state)
{
	_cleanup_free_ char *inc = write_file("cal.inc", "calendar = { division = \"scotland\"; };\n");
	/* Run from elsewhere, as systemd runs from /. */
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	assert_int_equal(chdir("/"), 0);
	struct conf *c = load_ok("inc.conf", "@include \"cal.inc\"\n");
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(c->division, DIVISION_SCOTLAND);
	conf_free(c);
}

static void test_every_problem_with_its_line(void **state)
{
	_cleanup_free_ char *got = load_bad("bad.conf",
		"database = 3;\n"
		"calendar = {\n"
		"  weekend = [ \"sat\", \"sun\", \"mon\", \"tue\", \"wed\", \"thu\", \"fri\" ];\n"
		"  closures = ( \"2026-12-31..2026-12-01\", 7, { title = \"x\"; } );\n"
		"  holidays = ( { file = \"\"; division = \"mercia\"; } );\n"
		"};\n"
		"rules = 5;\n"
		"Timezone = \"UTC\";\n");
	assert_string_equal(got,
		"1: database must be a string, not an integer\n"
		"3: weekend names all seven days: there would be no working days\n"
		"4: closure '2026-12-31..2026-12-01' ends before it starts\n"
		"4: each closure must be a date string or a group { date = ...; title = ...; }\n"
		"4: closure has no date\n"
		"5: unknown division 'mercia' (england-and-wales, scotland or northern-ireland)\n"
		"5: holiday file name must not be empty\n"
		"7: rules must be a list, like [ \"...\" ], not an integer\n"
		"8: unknown setting 'Timezone' in the configuration\n");
}

static void test_closures_at_most_a_year_and_inside_the_calendar(void **state)
{
	_cleanup_free_ char *got = load_bad("closures.conf",
		"calendar = { closures = (\n"
		"  \"2024-01-01..2024-12-31\",\n"  /* 366 days: fine */
		"  \"2026-01-01..2027-01-01\",\n"  /* 366 days: fine */
		"  \"2026-01-01..2027-01-02\",\n"  /* 367 days */
		"  \"1977-12-31..1978-01-02\",\n"
		"  \"2199-12-31..2200-01-01\",\n"
		"  { date = \"2026-05-01\"; title = \"\"; }\n"
		"); };\n");
	assert_string_equal(got,
		"4: closure '2026-01-01..2027-01-02' is longer than a year\n"
		"5: closure '1977-12-31..1978-01-02' is outside the calendar's years 1978-2199\n"
		"6: closure '2199-12-31..2200-01-01' is outside the calendar's years 1978-2199\n"
		"7: closure title must not be empty\n");
}

static void test_configuration_that_is_a_folder(void **state)
{
	struct diags d = { 0 };
	struct conf *c = NULL;
	assert_int_equal(conf_load(dir, &c, &d), -EISDIR);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "cannot read: it is a folder");
	diags_free(&d);
}

static void test_syntax_error_reports_its_line(void **state)
{
	_cleanup_free_ char *got = load_bad("syntax.conf", "database = \"a\";\nstate = ;\n");
	assert_string_equal(got, "2: syntax error\n");
}

static void test_unknown_timezone(void **state)
{
	_cleanup_free_ char *got = load_bad("tz.conf", "\n\ntimezone = \"Mars/Olympus_Mons\";\n");
	assert_true(strncmp(got, "3: unknown timezone 'Mars/Olympus_Mons'", 39) == 0);
}

static void test_missing_file_is_enoent(void **state)
{
	struct diags d = { 0 };
	struct conf *c = NULL;
	assert_int_equal(conf_load("/nonexistent/casewatch.conf", &c, &d), -ENOENT);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "cannot read: No such file or directory");
	diags_free(&d);
}

static void test_json_file_serves_every_division_ics_only_its_own(void **state)
{
	_cleanup_free_ char *j = write_file("h.json",
		"{\"scotland\": {\"division\": \"scotland\", \"events\": [\n"
		"  {\"title\": \"Fair day\", \"date\": \"2030-07-15\", \"notes\": \"\", \"bunting\": true}]}}\n");
	_cleanup_free_ char *i = write_file("h.ics",
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20300101\nSUMMARY:Hogmanay extra\nEND:VEVENT\nEND:VCALENDAR\n");
	struct conf *c = load_ok("files.conf",
		"calendar = { division = \"england-and-wales\"; holidays = [ \"h.json\", \"h.ics\" ]; };\n");
	assert_int_equal(c->file_holidays[DIVISION_SCOTLAND].n, 1);
	assert_string_equal(c->file_holidays[DIVISION_SCOTLAND].v[0].title, "Fair day");
	assert_int_equal(c->file_holidays[DIVISION_ENGLAND_AND_WALES].n, 1);
	assert_string_equal(c->file_holidays[DIVISION_ENGLAND_AND_WALES].v[0].title, "Hogmanay extra");
	assert_int_equal(c->file_holidays[DIVISION_NORTHERN_IRELAND].n, 0);
	conf_free(c);
}

/* ---- scan_interval ---------------------------------------------------------- */

static int scan_interval_of(const char *name, const char *text)
{
	struct conf *c = load_ok(name, text);
	int n = c->scan_interval;
	conf_free(c);
	return n;
}

static void test_scan_interval_defaults_to_five_minutes(void **state)
{
	/* Absent: 300 seconds, in a file as in the embedded defaults. */
	assert_int_equal(scan_interval_of("scan-absent.conf", "database = \"cases.db\";\n"), 300);
	struct conf *c = conf_new_default();
	assert_int_equal(c->scan_interval, 300);
	conf_free(c);
}

static void test_scan_interval_in_seconds_or_with_a_unit(void **state)
{
	/* A bare number is seconds; a string is a number and a unit. */
	assert_int_equal(scan_interval_of("scan-90.conf", "scan_interval = 90;\n"), 90);
	assert_int_equal(scan_interval_of("scan-5min.conf", "scan_interval = \"5 minutes\";\n"), 300);
	assert_int_equal(scan_interval_of("scan-1h.conf", "scan_interval = \"1 hour\";\n"), 3600);
	assert_int_equal(scan_interval_of("scan-30s.conf", "scan_interval = \"30 seconds\";\n"), 30);
	assert_int_equal(scan_interval_of("scan-1s.conf", "scan_interval = \"1 s\";\n"), 1);
	/* The bounds themselves: 1 second and 24 hours (86400 seconds). */
	assert_int_equal(scan_interval_of("scan-min.conf", "scan_interval = 1;\n"), 1);
	assert_int_equal(scan_interval_of("scan-max.conf", "scan_interval = 86400;\n"), 86400);
	assert_int_equal(scan_interval_of("scan-24h.conf", "scan_interval = \"24 hours\";\n"), 86400);
	assert_int_equal(scan_interval_of("scan-1440min.conf", "scan_interval = \"1440 min\";\n"), 86400);
}

static void test_scan_interval_problems_with_their_lines(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "scan-0.conf", "database = \"cases.db\";\nscan_interval = 0;\n",
		  "2: scan_interval must be between 1 second and 24 hours\n" },
		{ "scan-fortnights.conf", "\n\nscan_interval = \"5 fortnights\";\n",
		  "3: scan_interval '5 fortnights' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\"\n" },
		{ "scan-abc.conf", "scan_interval = \"abc\";\n",
		  "1: scan_interval 'abc' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\"\n" },
		{ "scan-100000.conf", "database = \"cases.db\";\n\n\nscan_interval = 100000;\n",
		  "4: scan_interval must be between 1 second and 24 hours\n" },
		{ "scan-86401.conf", "scan_interval = 86401;\n",
		  "1: scan_interval must be between 1 second and 24 hours\n" },
		{ "scan-25h.conf", "scan_interval = \"25 hours\";\n",
		  "1: scan_interval must be between 1 second and 24 hours\n" },
		{ "scan-float.conf", "database = \"cases.db\";\nscan_interval = 1.5;\n",
		  "2: scan_interval must be a number of seconds or a string like \"5 minutes\", not a number\n" },
		{ "scan-group.conf", "database = \"cases.db\";\nstate = \"state.db\";\nscan_interval = { minutes = 5; };\n",
		  "3: scan_interval must be a number of seconds or a string like \"5 minutes\", not a group\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = load_bad(cases[i].name, cases[i].text);
		assert_string_equal(got, cases[i].want);
	}
}

/* metrics.textfile (casewatch.conf(5)): off unless set, relative to the
 * file's folder like every path in it. */
static void test_metrics_textfile_off_by_default_and_relative_to_the_file(void **state)
{
	struct conf *c = load_ok("metrics-none.conf", "database = \"cases.db\";\n");
	assert_null(c->metrics_textfile);
	conf_free(c);
	c = conf_new_default();
	assert_null(c->metrics_textfile);
	conf_free(c);
	c = load_ok("metrics-rel.conf", "metrics = { textfile = \"textfile/casewatch.prom\"; };\n");
	_cleanup_free_ char *want = xasprintf("%s/textfile/casewatch.prom", dir);
	assert_string_equal(c->metrics_textfile, want);
	conf_free(c);
	c = load_ok("metrics-abs.conf", "metrics = { textfile = \"/var/lib/prometheus/node-exporter/casewatch.prom\"; };\n");
	assert_string_equal(c->metrics_textfile, "/var/lib/prometheus/node-exporter/casewatch.prom");
	conf_free(c);
	/* An empty group: still off. */
	c = load_ok("metrics-empty.conf", "metrics = { };\n");
	assert_null(c->metrics_textfile);
	conf_free(c);
}

/* node_exporter's textfile collector reads only NAME.prom: any other name
 * would be written for nobody, so it is refused with its line. */
static void test_metrics_problems_with_their_lines(void **state)
{
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "metrics-txt.conf", "database = \"cases.db\";\nmetrics = { textfile = \"casewatch.txt\"; };\n",
		  "2: metrics textfile 'casewatch.txt' must be a file named NAME.prom: node_exporter's textfile collector "
		  "reads only those\n" },
		{ "metrics-bare.conf", "metrics = {\n  textfile = \"m/.prom\";\n};\n",
		  "2: metrics textfile 'm/.prom' must be a file named NAME.prom: node_exporter's textfile collector "
		  "reads only those\n" },
		{ "metrics-empty-path.conf", "metrics = { textfile = \"\"; };\n", "1: metrics textfile must not be empty\n" },
		{ "metrics-number.conf", "metrics = { textfile = 9100; };\n", "1: metrics textfile must be a string, not an integer\n" },
		{ "metrics-key.conf", "metrics = {\n  textfile = \"a.prom\";\n  port = 9100;\n};\n",
		  "3: unknown setting 'port' in metrics\n" },
		{ "metrics-string.conf", "\nmetrics = \"a.prom\";\n", "2: metrics must be a group { ... }, not a string\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = load_bad(cases[i].name, cases[i].text);
		assert_string_equal(got, cases[i].want);
	}
}

/* A webhook URL goes to curl as it is: a line end could add a header or a
 * request of its own, so a space or any control character is refused
 * when the configuration is loaded, and the URL (which often holds a
 * token) is not quoted back. */
static void test_webhook_url_with_a_space_or_control_character_is_refused(void **state)
{
	_cleanup_free_ char *got = load_bad("hooks-ctl.conf",
		"webhooks = (\n"
		"  { name = \"lf\"; url = \"https://example.gov.uk/a\\nHost:evil\"; },\n"
		"  { name = \"crlf\"; url = \"https://example.gov.uk/b\\r\\nX-Injected:1\"; },\n"
		"  { name = \"tab\"; url = \"https://example.gov.uk/c\\td\"; },\n"
		"  { name = \"space\"; url = \"https://example.gov.uk/e f\"; },\n"
		"  { name = \"esc\"; url = \"https://example.gov.uk/\x1b[2J\"; },\n"
		"  { name = \"del\"; url = \"https://example.gov.uk/\x7f\"; },\n"
		"  { name = \"c1\"; url = \"https://example.gov.uk/\xc2\x85\"; },\n"
		"  { name = \"fine\"; url = \"https://example.gov.uk/hook?a=1&b=x%20y\"; }\n"
		");\n");
	static const char msg[] = "webhook url must not contain spaces or control characters (a line end, a tab): "
				  "write a space as %20\n";
	_cleanup_free_ char *want = xasprintf("2: %s3: %s4: %s5: %s6: %s7: %s8: %s", msg, msg, msg, msg, msg, msg, msg);
	assert_string_equal(got, want);

	struct conf *c = load_ok("hooks-fine.conf",
		"webhooks = ( { name = \"fine\"; url = \"https://example.gov.uk/hook?a=1&b=x%20y\"; } );\n");
	assert_int_equal(c->n_webhooks, 1);
	assert_string_equal(c->webhooks[0].url, "https://example.gov.uk/hook?a=1&b=x%20y");
	conf_free(c);
}

/* The sender goes into a header: a line end in it, or any control
 * character, is refused before the value is quoted, which would break the
 * problem's own line; so is a webhook name with one. */
static void test_smtp_from_and_webhook_name_with_control_characters_are_refused(void **state)
{
	_cleanup_free_ char *got = load_bad("from-ctl.conf",
		"smtp = { server = \"relay.example:587\";\n"
		"  from = \"asb@example.gov.uk\\r\\nBcc: someone@example.org\"; };\n"
		"webhooks = ( { name = \"a\\nb\"; url = \"https://example.gov.uk/a\"; } );\n");
	assert_string_equal(got, "2: smtp from must be one line\n"
				 "3: webhook name must be one word (no spaces, ':' or control characters)\n");
	_cleanup_free_ char *esc = load_bad("from-esc.conf",
		"smtp = { server = \"relay.example:587\"; from = \"ASB \x1b[2J <asb@example.gov.uk>\"; };\n");
	assert_string_equal(esc, "1: smtp from must not contain control characters\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_line_file_gets_every_default),
		cmocka_unit_test(test_calendar_group_settings),
		cmocka_unit_test(test_rules_may_be_one_string),
		cmocka_unit_test(test_include_is_relative_to_the_file),
		cmocka_unit_test(test_every_problem_with_its_line),
		cmocka_unit_test(test_closures_at_most_a_year_and_inside_the_calendar),
		cmocka_unit_test(test_configuration_that_is_a_folder),
		cmocka_unit_test(test_syntax_error_reports_its_line),
		cmocka_unit_test(test_unknown_timezone),
		cmocka_unit_test(test_missing_file_is_enoent),
		cmocka_unit_test(test_json_file_serves_every_division_ics_only_its_own),
		cmocka_unit_test(test_scan_interval_defaults_to_five_minutes),
		cmocka_unit_test(test_scan_interval_in_seconds_or_with_a_unit),
		cmocka_unit_test(test_scan_interval_problems_with_their_lines),
		cmocka_unit_test(test_webhook_url_with_a_space_or_control_character_is_refused),
		cmocka_unit_test(test_smtp_from_and_webhook_name_with_control_characters_are_refused),
		cmocka_unit_test(test_metrics_textfile_off_by_default_and_relative_to_the_file),
		cmocka_unit_test(test_metrics_problems_with_their_lines),
	};
	return tap_exit(cmocka_run_group_tests(tests, setup, teardown));
}

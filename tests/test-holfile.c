/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tap.h"

#include "date.h"
#include "diag.h"
#include "holfile.h"
#include "util.h"

/* GOV.UK's titles use the typographic apostrophe U+2019. */
#define RSQUO "\xe2\x80\x99"

static char *fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/tests/data/holidays/%s", top && *top ? top : ".", name);
}

static cw_day D(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* Diag i is `file:line: ...substr...`. */
static void assert_diag(const struct diags *d, size_t i, const char *file, int line, const char *substr)
{
	if (i >= d->n) {
		diags_print(d, stderr);
		fail_msg("expected a problem #%zu at line %d (%s), have %zu", i, line, substr, d->n);
	}
	const struct diag *e = &d->v[i];
	if ((file == NULL) != (e->file == NULL) || (file && strcmp(file, e->file) != 0) ||
	    e->line != line || !strstr(e->msg, substr)) {
		diags_print(d, stderr);
		fail_msg("problem #%zu is %s:%d: %s; expected %s:%d: ...%s...", i,
			 e->file ? e->file : "(none)", e->line, e->msg, file ? file : "(none)", line, substr);
	}
}

static void assert_holiday(const struct holiday_list *l, size_t i, cw_day day, const char *title)
{
	assert_true(i < l->n);
	char got[DATE_STRLEN], want[DATE_STRLEN];
	assert_string_equal(date_format(l->v[i].day, got), date_format(day, want));
	assert_string_equal(l->v[i].title, title);
}

static int parse_json(const char *text, const char *division, struct holiday_list *out, struct diags *d)
{
	return holfile_parse_json("mem.json", text, strlen(text), division, out, d);
}

static int parse_ics(const char *text, struct holiday_list *out, struct diags *d)
{
	return holfile_parse_ics("mem.ics", text, strlen(text), out, d);
}

/* ---- detection ---- */

static void test_detect_json_by_first_nonblank_brace(void **state)
{
	const char a[] = "\n  \t\r\n{\"scotland\": {}}";
	const char b[] = "\xef\xbb\xbf{}";
	assert_int_equal(holfile_detect(a, strlen(a)), HOLFILE_JSON);
	assert_int_equal(holfile_detect(b, strlen(b)), HOLFILE_JSON);
}

static void test_detect_ics_after_bom_and_blank_lines_any_case(void **state)
{
	const char a[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n";
	const char b[] = "\xef\xbb\xbf\r\n  \r\nbegin:vcalendar\nEND:VCALENDAR\n";
	const char c[] = "Begin:VCalendar";
	assert_int_equal(holfile_detect(a, strlen(a)), HOLFILE_ICS);
	assert_int_equal(holfile_detect(b, strlen(b)), HOLFILE_ICS);
	assert_int_equal(holfile_detect(c, strlen(c)), HOLFILE_ICS);
}

static void test_detect_rejects_other_content(void **state)
{
	static const char *const other[] = {
		"", "  \n\r\n", "date,title\n2026-12-25,Christmas Day\n", "[{\"date\": \"2026-12-25\"}]",
		"BEGIN:VCARD\nEND:VCARD\n", "BEGIN:VCALENDARX\n", " BEGIN:VCALENDAR\n",
		"VERSION:2.0\nBEGIN:VCALENDAR\n",
	};
	for (size_t i = 0; i < ELEMENTSOF(other); i++)
		assert_int_equal(holfile_detect(other[i], strlen(other[i])), -EINVAL);
}

/* ---- GOV.UK JSON ---- */

static void test_json_fixture_england_and_wales_days_and_titles(void **state)
{
	_cleanup_free_ char *path = fixture("bank-holidays.json");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "england-and-wales", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 16);
	assert_holiday(&l, 0, D(2025, 1, 1), "New Year" RSQUO "s Day");
	assert_holiday(&l, 7, D(2025, 12, 26), "Boxing Day");
	assert_holiday(&l, 8, D(2026, 1, 1), "New Year" RSQUO "s Day");
	assert_holiday(&l, 9, D(2026, 4, 3), "Good Friday");
	assert_holiday(&l, 10, D(2026, 4, 6), "Easter Monday");
	assert_holiday(&l, 11, D(2026, 5, 4), "Early May bank holiday");
	assert_holiday(&l, 12, D(2026, 5, 25), "Spring bank holiday");
	assert_holiday(&l, 13, D(2026, 8, 31), "Summer bank holiday");
	assert_holiday(&l, 14, D(2026, 12, 25), "Christmas Day");
	/* The "Substitute day" note titles it as the computed rules do. */
	assert_holiday(&l, 15, D(2026, 12, 28), "Boxing Day (substitute day)");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_fixture_only_requested_division_is_returned(void **state)
{
	_cleanup_free_ char *path = fixture("bank-holidays.json");
	struct holiday_list sc = {0}, ni = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "scotland", &sc, &d), 0);
	assert_int_equal(sc.n, 18);
	assert_holiday(&sc, 1, D(2025, 1, 2), "2nd January");
	assert_holiday(&sc, 6, D(2025, 12, 1), "St Andrew" RSQUO "s Day (substitute day)");
	assert_holiday(&sc, 15, D(2026, 11, 30), "St Andrew" RSQUO "s Day");
	/* Scotland has no Easter Monday. */
	for (size_t i = 0; i < sc.n; i++)
		assert_int_not_equal(sc.v[i].day, D(2026, 4, 6));

	assert_int_equal(holfile_load(path, "northern-ireland", &ni, &d), 0);
	assert_int_equal(ni.n, 20);
	assert_holiday(&ni, 11, D(2026, 3, 17), "St Patrick" RSQUO "s Day");
	assert_holiday(&ni, 16, D(2026, 7, 13), "Battle of the Boyne (Orangemen" RSQUO "s Day) (substitute day)");
	assert_int_equal(d.n, 0);
	holiday_list_free(&sc);
	holiday_list_free(&ni);
	diags_free(&d);
}

static void test_json_division_absent_from_file_is_not_an_error(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("{\"scotland\": {\"division\": \"scotland\", \"events\": "
				    "[{\"title\": \"St Andrew" RSQUO "s Day\", \"date\": \"2026-11-30\"}]}}",
				    "england-and-wales", &l, &d), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(parse_json("{}", "scotland", &l, &d), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(d.n, 0);
}

static void test_json_truncated_file_reported_at_last_line_with_column(void **state)
{
	_cleanup_free_ char *path = fixture("json-truncated.json");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "england-and-wales", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	/* The file stops after `        "date": "2025-04-` on line 19. */
	assert_diag(&d, 0, path, 19, "premature end of input");
	assert_diag(&d, 0, path, 19, "(column 25)");
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_truncated_after_newline_reported_at_last_line_not_after_it(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	/* jansson says line 3, column 0: a line the file does not have. */
	assert_int_equal(parse_json("{\n  \"scotland\": {\n", "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.json", 2, "(column 15)");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_bad_date_in_third_event_reported_at_its_line_and_nothing_added(void **state)
{
	_cleanup_free_ char *path = fixture("json-bad-date.json");
	struct holiday_list l = {0};
	struct diags d = {0};

	/* What the caller had before stays; nothing of the bad file is added. */
	holiday_list_add(&l, D(2026, 6, 1), "Office closed");
	assert_int_equal(holfile_load(path, "england-and-wales", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 19, "england-and-wales event 3: impossible date '2026-02-30'");
	assert_int_equal(l.n, 1);
	assert_holiday(&l, 0, D(2026, 6, 1), "Office closed");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_unknown_division_key_reported_at_its_line(void **state)
{
	_cleanup_free_ char *path = fixture("json-unknown-division.json");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 13, "unknown division 'scotlnd'");
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_every_problem_reported_in_one_pass(void **state)
{
	static const char text[] =
		"{\n"								/* 1 */
		"  \"england-and-wales\": {\n"					/* 2 */
		"    \"division\": \"scotland\",\n"				/* 3 */
		"    \"events\": [\n"						/* 4 */
		"      \"Christmas Day\",\n"					/* 5 */
		"      { \"date\": \"2026-12-25\" },\n"				/* 6 */
		"      { \"title\": \"Boxing Day\",\n"				/* 7 */
		"        \"date\": 20261228 },\n"				/* 8 */
		"      { \"title\": \"Spring bank holiday\", \"date\": \"2026-05-25\",\n" /* 9 */
		"        \"notes\": null,\n"					/* 10 */
		"        \"bunting\": \"yes\",\n"				/* 11 */
		"        \"colour\": \"red\" },\n"				/* 12 */
		"      { \"title\": \"Good Friday\", \"date\": \"3 April 2026\" },\n" /* 13 */
		"      { \"title\": 42, \"date\": \"2026-04-31\" }\n"		/* 14 */
		"    ]\n"							/* 15 */
		"  },\n"							/* 16 */
		"  \"scotland\": { \"division\": \"scotland\", \"events\": {} },\n" /* 17 */
		"  \"northern-ireland\": [],\n"					/* 18 */
		"  \"wales\": {}\n"						/* 19 */
		"}\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json(text, "england-and-wales", &l, &d), -EINVAL);
	assert_diag(&d, 0, "mem.json", 3, "division 'scotland' does not match its key 'england-and-wales'");
	assert_diag(&d, 1, "mem.json", 5, "england-and-wales event 1 is not an object");
	assert_diag(&d, 2, "mem.json", 6, "england-and-wales event 2 has no 'title'");
	assert_diag(&d, 3, "mem.json", 8, "england-and-wales event 3: 'date' is not a string");
	assert_diag(&d, 4, "mem.json", 10, "england-and-wales event 4: 'notes' is not a string");
	assert_diag(&d, 5, "mem.json", 11, "england-and-wales event 4: 'bunting' is not true or false");
	assert_diag(&d, 6, "mem.json", 13,
		    "england-and-wales event 5: malformed date '3 April 2026' (expected YYYY-MM-DD)");
	assert_diag(&d, 7, "mem.json", 14, "england-and-wales event 6: 'title' is not a string");
	assert_diag(&d, 8, "mem.json", 14, "england-and-wales event 6: impossible date '2026-04-31'");
	assert_diag(&d, 9, "mem.json", 17, "'scotland': 'events' is not an array");
	assert_diag(&d, 10, "mem.json", 18, "'northern-ireland' is not an object");
	assert_diag(&d, 11, "mem.json", 19, "unknown division 'wales'");
	/* The unknown "colour" member is no problem. */
	assert_int_equal(d.n, 12);
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_error_line_is_the_events_own_not_an_earlier_identical_text(void **state)
{
	/* The bad value's text appears earlier; the second event spreads
	 * over several lines and spells its key with an escape; an unknown
	 * member holds brackets and quotes inside strings. */
	static const char text[] =
		"{\n"								/* 1 */
		"  \"scotland\": {\n"						/* 2 */
		"    \"division\": \"scotland\",\n"				/* 3 */
		"    \"events\": [\n"						/* 4 */
		"      { \"title\": \"2026-02-30\", \"date\": \"2026-11-30\", \"notes\": \"2026-02-30\" }\n" /* 5 */
		"    ]\n"							/* 6 */
		"  },\n"							/* 7 */
		"  \"england-and-wales\": {\n"					/* 8 */
		"    \"division\": \"england-and-wales\",\n"			/* 9 */
		"    \"events\": [\n"						/* 10 */
		"      { \"title\": \"New Year" RSQUO "s Day\", \"date\": \"2026-01-01\",\n" /* 11 */
		"        \"x\": { \"a\": [\"]\", \"\\\"}\", {}], \"date\": \"2026-02-30\" } },\n" /* 12 */
		"      {\n"							/* 13 */
		"        \"title\": \"Bad\", \"notes\": \"\", \"d\\u0061te\"\n"	/* 14 */
		"        :\n"							/* 15 */
		"        \"2026-02-30\"\n"					/* 16 */
		"      }\n"							/* 17 */
		"    ]\n"							/* 18 */
		"  }\n"								/* 19 */
		"}\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json(text, "england-and-wales", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.json", 16, "england-and-wales event 2: impossible date '2026-02-30'");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_single_line_file_names_division_and_event(void **state)
{
	/* GOV.UK serves the file as one line. */
	static const char text[] =
		"{\"england-and-wales\":{\"division\":\"england-and-wales\",\"events\":[]},"
		"\"scotland\":{\"division\":\"scotland\",\"events\":["
		"{\"title\":\"New Year" RSQUO "s Day\",\"date\":\"2026-01-01\",\"notes\":\"\",\"bunting\":true},"
		"{\"title\":\"2nd January\",\"date\":\"2026-1-2\",\"notes\":\"\",\"bunting\":true}]}}";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json(text, "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.json", 1, "scotland event 2: malformed date '2026-1-2'");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_duplicate_key_is_a_syntax_error(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("{\n  \"scotland\": {\"division\": \"scotland\", \"events\": []},\n"
				    "  \"scotland\": {}\n}\n", "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.json", 3, "duplicate object key");
	assert_diag(&d, 0, "mem.json", 3, "(column ");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_duplicate_date_keeps_first_title_and_ignores_unknown_members(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("{\"scotland\": {\"division\": \"scotland\", \"events\": ["
				    "{\"title\": \"Christmas Day\", \"date\": \"2026-12-25\", \"colour\": [1, {}]},"
				    "{\"title\": \"Boxing Day\", \"date\": \"2026-12-28\", \"notes\": \"Substitute day\"},"
				    "{\"title\": \"Christmas\", \"date\": \"2026-12-25\", \"bunting\": false}]}}",
				    "scotland", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 2);
	assert_holiday(&l, 0, D(2026, 12, 25), "Christmas Day");
	assert_holiday(&l, 1, D(2026, 12, 28), "Boxing Day (substitute day)");
	holiday_list_free(&l);
}

static void test_json_byte_order_mark_accepted(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("\xef\xbb\xbf{\"scotland\": {\"division\": \"scotland\", \"events\": "
				    "[{\"title\": \"2nd January\", \"date\": \"2026-01-02\"}]}}",
				    "scotland", &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	assert_holiday(&l, 0, D(2026, 1, 2), "2nd January");
	holiday_list_free(&l);
}

static void test_json_top_level_array_rejected(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("\n[{\"title\": \"Christmas Day\", \"date\": \"2026-12-25\"}]",
				    "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.json", 2, "the top level is not an object");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_json_requested_division_must_be_known(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_json("{}", "wales", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, NULL, 0, "unknown division 'wales'");
	holiday_list_free(&l);
	diags_free(&d);
}

/* ---- iCalendar ---- */

static void test_ics_fixture_matches_json_for_england_and_wales(void **state)
{
	_cleanup_free_ char *ics = fixture("england-and-wales.ics");
	_cleanup_free_ char *json = fixture("bank-holidays.json");
	struct holiday_list a = {0}, b = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(ics, NULL, &a, &d), 0);
	assert_int_equal(holfile_load(json, "england-and-wales", &b, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(a.n, 16);
	assert_int_equal(b.n, a.n);
	/* GOV.UK's .ics does not mark substitute days; its JSON does. */
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.v[i].day, b.v[i].day);
		_cleanup_free_ char *want = xasprintf("%s%s", a.v[i].title,
			a.v[i].day == D(2026, 12, 28) ? " (substitute day)" : "");
		assert_string_equal(want, b.v[i].title);
	}
	holiday_list_free(&a);
	holiday_list_free(&b);
}

static void test_ics_fixture_folded_lines_unfolded(void **state)
{
	_cleanup_free_ char *path = fixture("england-and-wales.ics");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, NULL, &l, &d), 0);
	assert_int_equal(d.n, 0);
	/* "SUMMARY:Early May bank" CRLF "  holiday": only the first space of
	 * the continuation is the fold. */
	assert_holiday(&l, 11, D(2026, 5, 4), "Early May bank holiday");
	/* "DTST" CRLF " ART;VALUE=DATE:20260831": folded inside the name. */
	assert_holiday(&l, 13, D(2026, 8, 31), "Summer bank holiday");
	holiday_list_free(&l);
}

static void test_ics_dtend_exclusive_and_multi_day_event_expanded(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20261224\n"
		"DTEND;VALUE=DATE:20261227\n"
		"SUMMARY:Christmas closure\n"
		"END:VEVENT\n"
		"BEGIN:VEVENT\n"
		"DTSTART:20261225\n"
		"SUMMARY:Christmas Day\n"
		"END:VEVENT\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20261231\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	/* 27 December is the exclusive end; the 25th, listed twice, keeps
	 * the first title; no SUMMARY is titled "Holiday". */
	assert_int_equal(l.n, 4);
	assert_holiday(&l, 0, D(2026, 12, 24), "Christmas closure");
	assert_holiday(&l, 1, D(2026, 12, 25), "Christmas closure");
	assert_holiday(&l, 2, D(2026, 12, 26), "Christmas closure");
	assert_holiday(&l, 3, D(2026, 12, 31), "Holiday");
	holiday_list_free(&l);
}

static void test_ics_duration_in_days_and_weeks(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20260525\n"
		"DURATION:P2D\n"
		"SUMMARY:Spring break\n"
		"END:VEVENT\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20260601\n"
		"DURATION:P1W\n"
		"SUMMARY:Shutdown\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 9);
	assert_holiday(&l, 0, D(2026, 5, 25), "Spring break");
	assert_holiday(&l, 1, D(2026, 5, 26), "Spring break");
	assert_holiday(&l, 2, D(2026, 6, 1), "Shutdown");
	assert_holiday(&l, 8, D(2026, 6, 7), "Shutdown");
	holiday_list_free(&l);
}

static void test_ics_summary_unescaped_across_a_fold(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\r\n"
		"BEGIN:VEVENT\r\n"
		"DTSTART;VALUE=DATE:20260601\r\n"
		"SUMMARY:Office closed\\, staff day\\; all sites\\nsee \\\\intranet\\\r\n"
		" , HR\\N\r\n"
		"END:VEVENT\r\n"
		"END:VCALENDAR\r\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	/* Line breaks become spaces (titles are printed one to a line), and
	 * the one at the end goes with the other trailing spaces. */
	assert_holiday(&l, 0, D(2026, 6, 1), "Office closed, staff day; all sites see \\intranet, HR");
	holiday_list_free(&l);
}

/* calendar holidays prints DATE, a tab and the title: a title never ends
 * a line in whitespace, and one of nothing but spaces is "Holiday", as
 * one with no SUMMARY is. */
static void test_titles_trimmed_of_spaces(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\r\n"
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261223\r\nSUMMARY:   \r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nSUMMARY:  Christmas Eve\\n \r\nEND:VEVENT\r\n"
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261231\r\nEND:VEVENT\r\n"
		"END:VCALENDAR\r\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	(void)state;
	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 3);
	assert_holiday(&l, 0, D(2026, 12, 23), "Holiday");
	assert_holiday(&l, 1, D(2026, 12, 24), "Christmas Eve");
	assert_holiday(&l, 2, D(2026, 12, 31), "Holiday");
	holiday_list_add(&l, D(2027, 1, 4), " Staff day\t");
	assert_holiday(&l, 3, D(2027, 1, 4), "Staff day");
	holiday_list_free(&l);
}

static void test_ics_names_case_insensitive_and_value_found_among_quoted_params(void **state)
{
	/* With a byte order mark, as some editors save. */
	static const char text[] =
		"\xef\xbb\xbf"
		"begin:vcalendar\n"
		"Begin:VEvent\n"
		"dtstart;X-NOTE=\"a;b:c\";Value=Date:20261225\n"
		"Summary;LANGUAGE=en-GB:Christmas Day\n"
		"end:vevent\n"
		"END:vcalendar\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	assert_holiday(&l, 0, D(2026, 12, 25), "Christmas Day");
	holiday_list_free(&l);
}

static void test_ics_other_components_ignored_and_nested_correctly(void **state)
{
	/* Time zones have DATE-TIME DTSTARTs and alarms their own SUMMARY;
	 * neither belongs to the event. */
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VTIMEZONE\n"
		"TZID:Europe/London\n"
		"BEGIN:STANDARD\n"
		"DTSTART:19701025T020000\n"
		"TZOFFSETFROM:+0100\n"
		"TZOFFSETTO:+0000\n"
		"END:STANDARD\n"
		"BEGIN:DAYLIGHT\n"
		"DTSTART:19700329T010000\n"
		"END:DAYLIGHT\n"
		"END:VTIMEZONE\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20261225\n"
		"SUMMARY:Christmas Day\n"
		"BEGIN:VALARM\n"
		"ACTION:DISPLAY\n"
		"SUMMARY:Reminder\n"
		"DTSTART:20261224T090000\n"
		"TRIGGER:-P1D\n"
		"END:VALARM\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(l.n, 1);
	assert_holiday(&l, 0, D(2026, 12, 25), "Christmas Day");
	holiday_list_free(&l);
}

static void test_ics_truncated_fixture_reported_at_last_line_and_nothing_added(void **state)
{
	_cleanup_free_ char *path = fixture("ics-truncated.ics");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, NULL, &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 13, "truncated file: missing END:VEVENT, END:VCALENDAR");
	/* The complete first event is not kept. */
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_datetime_fixture_rejected_as_not_all_day(void **state)
{
	_cleanup_free_ char *path = fixture("ics-datetime.ics");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, NULL, &l, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	assert_diag(&d, 0, path, 11, "DTSTART has a time of day: holidays must be all-day events");
	assert_diag(&d, 1, path, 12, "DTEND has a time of day: holidays must be all-day events");
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_every_problem_reported_in_one_pass(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"			/* 1 */
		"VERSION:2.0\n"				/* 2 */
		"BEGIN:VEVENT\n"			/* 3 */
		"DTSTART;VALUE=DATE:2026-12-25\n"	/* 4 */
		"END:VEVENT\n"				/* 5 */
		"BEGIN:VEVENT\n"			/* 6 */
		"DTSTART;VALUE=DATE:20260230\n"		/* 7 */
		"END:VEVENT\n"				/* 8 */
		"BEGIN:VEVENT\n"			/* 9 */
		"SUMMARY:Nothing\n"			/* 10 */
		"END:VEVENT\n"				/* 11 */
		"BEGIN:VEVENT\n"			/* 12 */
		"DTSTART;VALUE=DATE:20261225\n"		/* 13 */
		"DTEND;VALUE=DATE:20261225\n"		/* 14 */
		"END:VEVENT\n"				/* 15 */
		"BEGIN:VEVENT\n"			/* 16 */
		"DTSTART;VALUE=DATE:20260101\n"		/* 17 */
		"DTEND;VALUE=DATE:20260202\n"		/* 18 */
		"END:VEVENT\n"				/* 19 */
		"BEGIN:VEVENT\n"			/* 20 */
		"DTSTART;VALUE=DATE:20260101\n"		/* 21 */
		"END:VTODO\n"				/* 22 */
		"END:VEVENT\n"				/* 23 */
		"BEGIN:VEVENT\n"			/* 24 */
		"DTSTART;VALUE=DATE:20261226\n"		/* 25 */
		"RRULE:FREQ=YEARLY\n"			/* 26 */
		"END:VEVENT\n"				/* 27 */
		"BEGIN:VEVENT\n"			/* 28 */
		"DTSTART;VALUE=DATE:20260525\n"		/* 29 */
		"DURATION:PT24H\n"			/* 30 */
		"END:VEVENT\n"				/* 31 */
		"BEGIN:VEVENT\n"			/* 32 */
		"DTSTART;VALUE=DATE:20260525\n"		/* 33 */
		"DTEND;VALUE=DATE:20260526\n"		/* 34 */
		"DURATION:P1D\n"			/* 35 */
		"END:VEVENT\n"				/* 36 */
		"BEGIN:VEVENT\n"			/* 37 */
		"DTSTART;VALUE=DATE:20260831\n"		/* 38 */
		"this line has no colon\n"		/* 39 */
		"DTSTART;VALUE=PERIOD:20260831\n"	/* 40 */
		"END:VEVENT\n"				/* 41 */
		"END:VCALENDAR\n"			/* 42 */
		"END:VEVENT\n"				/* 43 */
		"SUMMARY:stray\n";			/* 44 */
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), -EINVAL);
	assert_diag(&d, 0, "mem.ics", 4, "DTSTART: malformed date '2026-12-25' (expected YYYYMMDD)");
	assert_diag(&d, 1, "mem.ics", 7, "DTSTART: impossible date '20260230'");
	assert_diag(&d, 2, "mem.ics", 9, "event has no DTSTART");
	assert_diag(&d, 3, "mem.ics", 14, "DTEND is not after DTSTART");
	assert_diag(&d, 4, "mem.ics", 18, "event spans 32 days; a holiday may span at most 31");
	assert_diag(&d, 5, "mem.ics", 22, "END:VTODO does not match BEGIN:VEVENT (line 20)");
	assert_diag(&d, 6, "mem.ics", 26, "recurring events (RRULE) are not supported");
	assert_diag(&d, 7, "mem.ics", 30, "DURATION 'PT24H' is not a whole number of days or weeks");
	assert_diag(&d, 8, "mem.ics", 35, "more than one DTEND or DURATION");
	assert_diag(&d, 9, "mem.ics", 39, "malformed line");
	assert_diag(&d, 10, "mem.ics", 40, "duplicate DTSTART");
	assert_diag(&d, 11, "mem.ics", 43, "END:VEVENT without BEGIN");
	assert_diag(&d, 12, "mem.ics", 44, "SUMMARY outside VCALENDAR");
	assert_int_equal(d.n, 13);
	/* The good event of lines 20-23 is not kept from a bad file. */
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_unsupported_value_type_reported(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=PERIOD:20261225/P1D\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.ics", 3, "DTSTART: unsupported VALUE=PERIOD");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_error_line_is_physical_start_of_folded_line(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\r\n"		/* 1 */
		"X-WR-CALDESC:a long\r\n"	/* 2 */
		"  description\r\n"		/* 3 */
		"BEGIN:VEVENT\r\n"		/* 4 */
		"SUMMARY:Folded\r\n"		/* 5 */
		"\ttitle\r\n"			/* 6 */
		"DTSTART;VALUE=\r\n"		/* 7 */
		" DATE:2026\r\n"		/* 8 */
		" 1232\r\n"			/* 9 */
		"END:VEVENT\r\n"		/* 10 */
		"END:VCALENDAR\r\n";		/* 11 */
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.ics", 7, "DTSTART: impossible date '20261232'");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_missing_end_vevent_reported_once_at_end_vcalendar(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20261225\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), -EINVAL);
	assert_diag(&d, 0, "mem.ics", 4, "END:VCALENDAR does not match BEGIN:VEVENT (line 2)");
	/* The END closed both: the file is not also truncated. */
	assert_int_equal(d.n, 1);
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_must_begin_with_vcalendar(void **state)
{
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics("VERSION:2.0\nBEGIN:VCALENDAR\nEND:VCALENDAR\n", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.ics", 1, "not an iCalendar file: expected BEGIN:VCALENDAR");
	diags_free(&d);

	assert_int_equal(parse_ics("\r\n\r\n", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.ics", 0, "not an iCalendar file: no BEGIN:VCALENDAR");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_ics_summary_must_be_utf8(void **state)
{
	static const char text[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"DTSTART;VALUE=DATE:20261225\n"
		"SUMMARY:No\xebl\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(parse_ics(text, &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, "mem.ics", 4, "SUMMARY is not valid UTF-8");
	holiday_list_free(&l);
	diags_free(&d);
}

/* ---- loading ---- */

static void test_load_missing_file_reports_reason(void **state)
{
	_cleanup_free_ char *path = fixture("no-such-file.json");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "scotland", &l, &d), -ENOENT);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 0, "No such file or directory");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_load_directory_reports_reason(void **state)
{
	_cleanup_free_ char *path = fixture("");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "scotland", &l, &d), -EISDIR);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 0, "Is a directory");
	holiday_list_free(&l);
	diags_free(&d);
}

static void test_load_unknown_format_reported(void **state)
{
	_cleanup_free_ char *path = fixture("not-holidays.txt");
	struct holiday_list l = {0};
	struct diags d = {0};

	assert_int_equal(holfile_load(path, "scotland", &l, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_diag(&d, 0, path, 0, "not a GOV.UK bank-holidays.json or iCalendar file");
	assert_int_equal(l.n, 0);
	holiday_list_free(&l);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_json_by_first_nonblank_brace),
		cmocka_unit_test(test_detect_ics_after_bom_and_blank_lines_any_case),
		cmocka_unit_test(test_detect_rejects_other_content),
		cmocka_unit_test(test_json_fixture_england_and_wales_days_and_titles),
		cmocka_unit_test(test_json_fixture_only_requested_division_is_returned),
		cmocka_unit_test(test_json_division_absent_from_file_is_not_an_error),
		cmocka_unit_test(test_json_truncated_file_reported_at_last_line_with_column),
		cmocka_unit_test(test_json_truncated_after_newline_reported_at_last_line_not_after_it),
		cmocka_unit_test(test_json_bad_date_in_third_event_reported_at_its_line_and_nothing_added),
		cmocka_unit_test(test_json_unknown_division_key_reported_at_its_line),
		cmocka_unit_test(test_json_every_problem_reported_in_one_pass),
		cmocka_unit_test(test_json_error_line_is_the_events_own_not_an_earlier_identical_text),
		cmocka_unit_test(test_json_single_line_file_names_division_and_event),
		cmocka_unit_test(test_json_duplicate_key_is_a_syntax_error),
		cmocka_unit_test(test_json_duplicate_date_keeps_first_title_and_ignores_unknown_members),
		cmocka_unit_test(test_json_byte_order_mark_accepted),
		cmocka_unit_test(test_json_top_level_array_rejected),
		cmocka_unit_test(test_json_requested_division_must_be_known),
		cmocka_unit_test(test_ics_fixture_matches_json_for_england_and_wales),
		cmocka_unit_test(test_ics_fixture_folded_lines_unfolded),
		cmocka_unit_test(test_ics_dtend_exclusive_and_multi_day_event_expanded),
		cmocka_unit_test(test_ics_duration_in_days_and_weeks),
		cmocka_unit_test(test_ics_summary_unescaped_across_a_fold),
		cmocka_unit_test(test_titles_trimmed_of_spaces),
		cmocka_unit_test(test_ics_names_case_insensitive_and_value_found_among_quoted_params),
		cmocka_unit_test(test_ics_other_components_ignored_and_nested_correctly),
		cmocka_unit_test(test_ics_truncated_fixture_reported_at_last_line_and_nothing_added),
		cmocka_unit_test(test_ics_datetime_fixture_rejected_as_not_all_day),
		cmocka_unit_test(test_ics_every_problem_reported_in_one_pass),
		cmocka_unit_test(test_ics_unsupported_value_type_reported),
		cmocka_unit_test(test_ics_error_line_is_physical_start_of_folded_line),
		cmocka_unit_test(test_ics_missing_end_vevent_reported_once_at_end_vcalendar),
		cmocka_unit_test(test_ics_must_begin_with_vcalendar),
		cmocka_unit_test(test_ics_summary_must_be_utf8),
		cmocka_unit_test(test_load_missing_file_reports_reason),
		cmocka_unit_test(test_load_directory_reports_reason),
		cmocka_unit_test(test_load_unknown_format_reported),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's periods and percentiles (report.h), the whole range's
 * counts by team and officer, and the HTML writer's chart (report-html.c,
 * included for its statics). The values were worked out by hand: the
 * periods from the calendar, the percentiles as a spreadsheet's
 * PERCENTILE.INC takes them (rank h = (n - 1) p between the sorted values,
 * interpolated), the chart's places from its geometry. The report as a
 * whole is tested through the command, in tests/cli-report.sh and
 * tests/report-html.sh. */
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

#include "calendar.h"
#include "date.h"
#include "report.h"
#include "tz.h"
#include "util.h"

/* The writer's statics: chart_x, chart_y, chart_segments... */
#include "report-html.c"

static cw_day D(const char *s)
{
	cw_day d;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* "LABEL FIRST LAST" of the period of `by` containing day. */
static char *period(enum report_by by, const char *day, char buf[static 64])
{
	cw_day first, last;
	char l[REPORT_LABEL_STRLEN], a[DATE_STRLEN], b[DATE_STRLEN];
	report_period_of(by, D(day), &first, &last);
	snprintf(buf, 64, "%s %s %s", report_period_label(by, first, l), date_format(first, a), date_format(last, b));
	return buf;
}

static void test_periods_are_calendar_months_quarters_and_years(void **state)
{
	(void)state;
	char buf[64];
	assert_string_equal(period(REPORT_BY_MONTH, "2028-02-29", buf), "2028-02 2028-02-01 2028-02-29");
	assert_string_equal(period(REPORT_BY_MONTH, "2026-12-31", buf), "2026-12 2026-12-01 2026-12-31");
	/* Quarters are January-March, April-June, ... */
	assert_string_equal(period(REPORT_BY_QUARTER, "2026-03-31", buf), "2026-Q1 2026-01-01 2026-03-31");
	assert_string_equal(period(REPORT_BY_QUARTER, "2026-04-01", buf), "2026-Q2 2026-04-01 2026-06-30");
	assert_string_equal(period(REPORT_BY_QUARTER, "2026-08-15", buf), "2026-Q3 2026-07-01 2026-09-30");
	assert_string_equal(period(REPORT_BY_QUARTER, "2026-12-31", buf), "2026-Q4 2026-10-01 2026-12-31");
	assert_string_equal(period(REPORT_BY_YEAR, "2026-07-04", buf), "2026 2026-01-01 2026-12-31");
}

static void test_period_add_crosses_years(void **state)
{
	(void)state;
	char buf[DATE_STRLEN];
	/* The 12 months up to November 2026 start in December 2025. */
	assert_string_equal(date_format(report_period_add(REPORT_BY_MONTH, D("2026-11-20"), -11), buf), "2025-12-01");
	assert_string_equal(date_format(report_period_add(REPORT_BY_MONTH, D("2026-12-31"), 1), buf), "2027-01-01");
	assert_string_equal(date_format(report_period_add(REPORT_BY_QUARTER, D("2026-02-10"), -1), buf), "2025-10-01");
	assert_string_equal(date_format(report_period_add(REPORT_BY_QUARTER, D("2026-11-20"), -11), buf), "2024-01-01");
	assert_string_equal(date_format(report_period_add(REPORT_BY_YEAR, D("2026-06-30"), -11), buf), "2015-01-01");
	assert_string_equal(date_format(report_period_add(REPORT_BY_MONTH, D("2026-03-31"), 0), buf), "2026-03-01");
}

/* A histogram of the values, added in the order given. */
static struct report_hist hist(const int *v, size_t n)
{
	struct report_hist h = { 0 };
	for (size_t i = 0; i < n; i++)
		report_hist_add(&h, v[i]);
	return h;
}

static void test_percentiles_interpolate_as_percentile_inc(void **state)
{
	(void)state;
	const int one[] = { 7 };
	const int three[] = { 5, 1, 2 };
	const int four[] = { 2, 5, 1, 2 };
	const int ten[] = { 30, 9, 1, 8, 2, 7, 3, 6, 4, 5 };
	struct report_hist h1 = hist(one, 1), h3 = hist(three, 3), h4 = hist(four, 4), h10 = hist(ten, 10);
	/* One value is every percentile. */
	assert_float_equal(report_percentile(&h1, 0.5), 7.0, 1e-9);
	assert_float_equal(report_percentile(&h1, 0.9), 7.0, 1e-9);
	/* 1 2 5: h = 1: 2; h = 1.8: 2 + 0.8 x 3 = 4.4. */
	assert_float_equal(report_percentile(&h3, 0.5), 2.0, 1e-9);
	assert_float_equal(report_percentile(&h3, 0.9), 4.4, 1e-9);
	/* 1 2 2 5: h = 1.5: the mean of the middle two, 2; h = 2.7: 2 +
	 * 0.7 x 3 = 4.1. The two 2s are one bin of two. */
	assert_int_equal(h4.n_bins, 3);
	assert_float_equal(report_percentile(&h4, 0.5), 2.0, 1e-9);
	assert_float_equal(report_percentile(&h4, 0.9), 4.1, 1e-9);
	/* 1 .. 9 30: h = 4.5: 5.5; h = 8.1: 9 + 0.1 x 21 = 11.1. */
	assert_float_equal(report_percentile(&h10, 0.5), 5.5, 1e-9);
	assert_float_equal(report_percentile(&h10, 0.9), 11.1, 1e-9);
	assert_float_equal(report_percentile(&h10, 1.0), 30.0, 1e-9);
	assert_float_equal(report_percentile(&h10, 0.0), 1.0, 1e-9);
	report_hist_free(&h1);
	report_hist_free(&h3);
	report_hist_free(&h4);
	report_hist_free(&h10);
}

static void test_names_of_by_and_format(void **state)
{
	(void)state;
	assert_int_equal(report_by_from_string("quarter"), REPORT_BY_QUARTER);
	assert_int_equal(report_by_from_string("week"), -EINVAL);
	assert_string_equal(report_by_to_string(REPORT_BY_YEAR), "year");
	assert_int_equal(report_format_from_string("csv"), REPORT_CSV);
	assert_int_equal(report_format_from_string("html"), REPORT_HTML);
	assert_string_equal(report_format_to_string(REPORT_HTML), "html");
	assert_int_equal(report_format_from_string("xml"), -EINVAL);
}

/* ---- A small report -------------------------------------------------------- */

static struct calendar *cal;
static struct tz *london;

static int group_setup(void **state)
{
	(void)state;
	char *why = NULL;
	cal = calendar_new(DIVISION_ENGLAND_AND_WALES, WEEKEND_DEFAULT, NULL, NULL);
	if (tz_load("Europe/London", &london, &why) < 0) {
		fprintf(stderr, "# cannot load Europe/London: %s\n", why ? why : "?");
		free(why);
		return -1;
	}
	return cal ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	calendar_free(cal);
	tz_free(london);
	return 0;
}

static int64_t T(const char *s)
{
	int64_t t;
	assert_int_equal(tz_parse_timestamp(london, s, &t), 0);
	return t;
}

/* One deadline rule, whose title has markup in it, and three cases of
 * October and November 2026 (no bank holidays; working days Monday to
 * Friday):
 *   1 north/ann  start Thu 1 Oct, due Tue 6, met Fri 2: on time, 1 day.
 *   2 north/bob  due Thu 5 Nov: overdue.
 *   3 south/ann  start Thu 5 Nov, due Tue 10, met Thu 12: late, 5 days
 *                (6 9 10 11 12).
 * October: due 1, on time 100 %; November: due 2, on time 0 %. Over
 * both: north 1 met of 2 decided, 50 %, days 1; south 1 late, 0 %, days
 * 5; ann met and late, 50 %, days 1 5: median 3, p90 h = 0.9: 1 + 0.9 x
 * 4 = 4.6; bob overdue, 0 %, no days. */
struct small {
	struct rule rule;
	struct ruleset rs;
	struct evaluator ev;
	struct report *rep;
};

static void small_report(struct small *x)
{
	*x = (struct small){ .rule = { .id = "ack", .title = "Ack <b>& \"quote\"</b>", .kind = RULE_DEADLINE } };
	x->rs = (struct ruleset){ .v = &x->rule, .n = 1 };
	x->ev = (struct evaluator){ .rules = &x->rs, .cal = cal, .tz = london, .at = T("2026-11-20T12:00:00Z") };
	x->rep = report_new(&x->ev, REPORT_BY_MONTH, D("2026-10-01"), D("2026-11-30"), NULL, NULL);
	const struct eval_case cases[] = {
		{ .id = 1, .team = "north", .officer = "ann" },
		{ .id = 2, .team = "north", .officer = "bob" },
		{ .id = 3, .team = "south", .officer = "ann" },
	};
	const struct obligation obs[] = {
		{ .rule = 0, .cycle = 1, .start = D("2026-10-01"), .has_due = true, .due_day = D("2026-10-06"),
		  .state = OB_MET, .met_at = T("2026-10-02T10:00:00Z"), .ended_at = EVAL_NONE },
		{ .rule = 0, .cycle = 1, .start = D("2026-11-02"), .has_due = true, .due_day = D("2026-11-05"),
		  .state = OB_OVERDUE, .met_at = EVAL_NONE, .ended_at = EVAL_NONE },
		{ .rule = 0, .cycle = 1, .start = D("2026-11-05"), .has_due = true, .due_day = D("2026-11-10"),
		  .state = OB_MET_LATE, .met_at = T("2026-11-12T10:00:00Z"), .ended_at = EVAL_NONE },
	};
	for (size_t i = 0; i < ELEMENTSOF(obs); i++)
		report_add_obligation(x->rep, &cases[i], &obs[i]);
	x->rep->cases = x->rep->open = 3;
	report_finish(x->rep);
}

static int name_at(const struct report_names *nm, const char *s)
{
	for (size_t i = 0; i < nm->n; i++)
		if (nm->v[i] && strcmp(nm->v[i], s) == 0)
			return (int)i;
	fail_msg("no %s", s);
	return -1;
}

static void test_whole_range_counts_by_team_and_officer(void **state)
{
	(void)state;
	struct small x;
	small_report(&x);
	const struct report *rep = x.rep;
	size_t all = rep->n_periods;
	assert_int_equal(all, 2);
	const struct report_counts *north = report_counts(rep, 0, all, name_at(&rep->teams, "north"), REPORT_ALL);
	const struct report_counts *south = report_counts(rep, 0, all, name_at(&rep->teams, "south"), REPORT_ALL);
	const struct report_counts *ann = report_counts(rep, 0, all, REPORT_ALL, name_at(&rep->officers, "ann"));
	const struct report_counts *bob = report_counts(rep, 0, all, REPORT_ALL, name_at(&rep->officers, "bob"));
	assert_int_equal(north->due, 2);
	assert_int_equal(north->n[OB_MET], 1);
	assert_int_equal(north->n[OB_OVERDUE], 1);
	assert_float_equal(north->on_time, 50.0, 1e-9);
	assert_float_equal(north->median, 1.0, 1e-9);
	assert_int_equal(south->due, 1);
	assert_float_equal(south->on_time, 0.0, 1e-9);
	assert_float_equal(south->p90, 5.0, 1e-9);
	/* ann's two, one in each month, taken together. */
	assert_int_equal(ann->due, 2);
	assert_int_equal(ann->n[OB_MET_LATE], 1);
	assert_float_equal(ann->on_time, 50.0, 1e-9);
	assert_float_equal(ann->median, 3.0, 1e-9);
	assert_float_equal(ann->p90, 4.6, 1e-9);
	assert_int_equal(bob->due, 1);
	assert_float_equal(bob->median, -1, 1e-9);
	/* The unit's, as before. */
	assert_int_equal(report_counts(rep, 0, all, REPORT_ALL, REPORT_ALL)->due, 3);
	report_free(x.rep);
}

/* The plot is CHART_H - PLOT_T - PLOT_B = 220 - 38 - 36 = 146 px high,
 * its top 38 px down; across, 90 % of the width after the first 9 %. */
static void test_chart_places_percent_up_and_periods_across(void **state)
{
	(void)state;
	assert_float_equal(chart_y(100), 38.0, 1e-9);
	assert_float_equal(chart_y(0), 184.0, 1e-9);
	assert_float_equal(chart_y(50), 111.0, 1e-9);
	assert_float_equal(chart_y(33.3), 38 + 146 * 0.667, 1e-9);
	/* n slots of 90 / n %, a point in the middle of its own. */
	assert_float_equal(chart_x(0, 1), 54.0, 1e-9);
	assert_float_equal(chart_x(0, 2), 31.5, 1e-9);
	assert_float_equal(chart_x(1, 2), 76.5, 1e-9);
	assert_float_equal(chart_x(0, 12), 12.75, 1e-9);
	assert_float_equal(chart_x(11, 12), 95.25, 1e-9);
}

static void test_chart_shows_the_last_12_periods(void **state)
{
	(void)state;
	assert_int_equal(chart_first(1), 0);
	assert_int_equal(chart_first(12), 0);
	assert_int_equal(chart_first(13), 1);
	assert_int_equal(chart_first(36), 24);
}

/* What chart_segments writes for v[0..n), NUL-terminated. */
static char *segments(const double *v, size_t n, size_t *ret_k)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	*ret_k = chart_segments(v, n, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_chart_line_has_gaps_where_nothing_was_due(void **state)
{
	(void)state;
	/* 4 slots: 20.25, 42.75, 65.25, 87.75 %. The second has no figure:
	 * no segment to it or from it, only the third to the fourth. */
	const double gap[] = { 50, -1, 100, 0 };
	size_t k;
	char *got = segments(gap, 4, &k);
	assert_int_equal(k, 1);
	assert_string_equal(got, "<line class=\"cw-line\" x1=\"65.25%\" y1=\"38.0\" x2=\"87.75%\" y2=\"184.0\"/>\n");
	free(got);
	/* Alone between gaps, and a zero that is a figure. */
	const double alone[] = { -1, 0, -1 };
	got = segments(alone, 3, &k);
	assert_int_equal(k, 0);
	assert_string_equal(got, "");
	free(got);
	const double run[] = { 0, 0, 100 };
	got = segments(run, 3, &k);
	assert_int_equal(k, 2);
	free(got);
}

static void test_chart_target_is_every_time_but_for_an_average(void **state)
{
	(void)state;
	struct rule r = { .kind = RULE_DEADLINE };
	assert_float_equal(chart_target(&r), 100.0, 1e-9);
	r.kind = RULE_RECURRING;
	assert_float_equal(chart_target(&r), 100.0, 1e-9);
	r.kind = RULE_GATE;
	assert_float_equal(chart_target(&r), 100.0, 1e-9);
	r.kind = RULE_CHECK;
	assert_float_equal(chart_target(&r), 100.0, 1e-9);
	r = (struct rule){ .kind = RULE_TARGET, .measure = MEASURE_INTERVAL };
	assert_float_equal(chart_target(&r), -1.0, 1e-9);
}

static void test_html_has_the_points_and_escapes_the_title(void **state)
{
	(void)state;
	struct small x;
	small_report(&x);
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);
	assert_non_null(f);
	report_write_html(x.rep, "2026-11-20T12:00:00Z", f);
	assert_int_equal(fclose(f), 0);
	/* October 100 %, November 0 % (of 2): at the top and the bottom. */
	assert_non_null(strstr(html, "<circle class=\"cw-point\" data-period=\"2026-10\" cx=\"31.50%\" cy=\"38.0\""));
	assert_non_null(strstr(html, "<circle class=\"cw-point\" data-period=\"2026-11\" cx=\"76.50%\" cy=\"184.0\""));
	assert_non_null(strstr(html, "<title>2026-11: 0.0% on time (0 of 2)</title>"));
	assert_non_null(strstr(html, "<line class=\"cw-target\" x1=\"8.00%\" y1=\"38.0\""));
	assert_non_null(strstr(html, "Ack &lt;b&gt;&amp; &quot;quote&quot;&lt;/b&gt;"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "as at 2026-11-20T12:00:00Z"));
	free(html);
	report_free(x.rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods_are_calendar_months_quarters_and_years),
		cmocka_unit_test(test_period_add_crosses_years),
		cmocka_unit_test(test_percentiles_interpolate_as_percentile_inc),
		cmocka_unit_test(test_names_of_by_and_format),
		cmocka_unit_test(test_whole_range_counts_by_team_and_officer),
		cmocka_unit_test(test_chart_places_percent_up_and_periods_across),
		cmocka_unit_test(test_chart_shows_the_last_12_periods),
		cmocka_unit_test(test_chart_line_has_gaps_where_nothing_was_due),
		cmocka_unit_test(test_chart_target_is_every_time_but_for_an_average),
		cmocka_unit_test(test_html_has_the_points_and_escapes_the_title),
	};
	return tap_exit(cmocka_run_group_tests(tests, group_setup, group_teardown));
}

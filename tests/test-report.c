/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's periods and percentiles (report.h). The values were worked
 * out by hand: the periods from the calendar, the percentiles as a
 * spreadsheet's PERCENTILE.INC takes them (rank h = (n - 1) p between the
 * sorted values, interpolated). The report as a whole is tested through
 * the command, in tests/cli-report.sh. */
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
#include "report.h"

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
	assert_int_equal(report_format_from_string("html"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods_are_calendar_months_quarters_and_years),
		cmocka_unit_test(test_period_add_crosses_years),
		cmocka_unit_test(test_percentiles_interpolate_as_percentile_inc),
		cmocka_unit_test(test_names_of_by_and_format),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

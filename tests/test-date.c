/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "tap.h"

#include "date.h"

static void test_epoch_is_day_zero_and_a_thursday(void **state)
{
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_weekday(0), WD_THURSDAY);
	assert_int_equal(date_from_ymd(1969, 12, 31), -1);
	assert_int_equal(date_weekday(-1), WD_WEDNESDAY);
	assert_int_equal(date_from_ymd(2000, 3, 1), 11017);
}

static void test_day_numbers_match_timegm_for_every_day_1900_to_2200(void **state)
{
	/* timegm is an independent implementation of the same calendar. */
	cw_day day = date_from_ymd(1900, 1, 1);
	for (int i = 0; i < 300 * 366; i++, day++) {
		time_t t = (time_t)day * 86400 + 43200;
		struct tm g;
		gmtime_r(&t, &g);
		int y, m, d;
		date_to_ymd(day, &y, &m, &d);
		assert_int_equal(y, g.tm_year + 1900);
		assert_int_equal(m, g.tm_mon + 1);
		assert_int_equal(d, g.tm_mday);
		assert_int_equal(date_weekday(day), (g.tm_wday + 6) % 7);
		assert_int_equal(date_from_ymd(y, m, d), day);
	}
}

static void test_parse_accepts_only_real_dates(void **state)
{
	cw_day d = 12345;
	assert_int_equal(date_parse("2026-11-21", &d), 0);
	assert_int_equal(d, date_from_ymd(2026, 11, 21));
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_int_equal(date_parse("2026-02-29", &d), -ERANGE);
	assert_int_equal(date_parse("2026-02-30", &d), -ERANGE);
	assert_int_equal(date_parse("2026-13-01", &d), -ERANGE);
	assert_int_equal(date_parse("2026-00-10", &d), -ERANGE);
	assert_int_equal(date_parse("1900-02-29", &d), -ERANGE);
	assert_int_equal(date_parse("2000-02-29", &d), 0);
	assert_int_equal(date_parse("0000-01-01", &d), -ERANGE);
	assert_int_equal(date_parse("2026-1-01", &d), -EINVAL);
	assert_int_equal(date_parse("2026-11-21x", &d), -EINVAL);
	assert_int_equal(date_parse("2026/11/21", &d), -EINVAL);
	assert_int_equal(date_parse("", &d), -EINVAL);
	assert_int_equal(date_parse("+026-11-21", &d), -EINVAL);
	assert_int_equal(date_parse("2026-11-2 ", &d), -EINVAL);
}

static void test_format_pads_every_field(void **state)
{
	char buf[DATE_STRLEN];
	assert_string_equal(date_format(date_from_ymd(2026, 1, 5), buf), "2026-01-05");
	assert_string_equal(date_format(date_from_ymd(987, 12, 31), buf), "0987-12-31");
	assert_string_equal(date_format(date_from_ymd(9999, 12, 31), buf), "9999-12-31");
}

static void test_month_abbr_january_to_december(void **state)
{
	assert_string_equal(date_month_abbr(1), "Jan");
	assert_string_equal(date_month_abbr(9), "Sep");
	assert_string_equal(date_month_abbr(12), "Dec");
}

static void test_month_name_january_to_december(void **state)
{
	assert_string_equal(date_month_name(1), "January");
	assert_string_equal(date_month_name(9), "September");
	assert_string_equal(date_month_name(12), "December");
}

static void test_easter_sundays_known_dates(void **state)
{
	/* From published tables of Easter dates. */
	static const int known[][3] = {
		{ 1818, 3, 22 }, { 1943, 4, 25 }, { 1978, 3, 26 }, { 2000, 4, 23 },
		{ 2008, 3, 23 }, { 2011, 4, 24 }, { 2019, 4, 21 }, { 2024, 3, 31 },
		{ 2025, 4, 20 }, { 2026, 4, 5 }, { 2027, 3, 28 }, { 2038, 4, 25 },
		{ 2285, 3, 22 },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_int_equal(date_easter(known[i][0]),
				 date_from_ymd(known[i][0], known[i][1], known[i][2]));
}

static void test_nth_and_last_weekday_of_month(void **state)
{
	/* May 2026 begins on a Friday. */
	assert_int_equal(date_nth_weekday(2026, 5, WD_MONDAY, 1), date_from_ymd(2026, 5, 4));
	assert_int_equal(date_nth_weekday(2026, 5, WD_MONDAY, -1), date_from_ymd(2026, 5, 25));
	assert_int_equal(date_nth_weekday(2026, 5, WD_FRIDAY, 1), date_from_ymd(2026, 5, 1));
	assert_int_equal(date_nth_weekday(2026, 5, WD_SUNDAY, -1), date_from_ymd(2026, 5, 31));
	/* August 2026 begins on a Saturday. */
	assert_int_equal(date_nth_weekday(2026, 8, WD_MONDAY, 1), date_from_ymd(2026, 8, 3));
	assert_int_equal(date_nth_weekday(2026, 8, WD_MONDAY, -1), date_from_ymd(2026, 8, 31));
	assert_int_equal(date_nth_weekday(2024, 2, WD_THURSDAY, -1), date_from_ymd(2024, 2, 29));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_is_day_zero_and_a_thursday),
		cmocka_unit_test(test_day_numbers_match_timegm_for_every_day_1900_to_2200),
		cmocka_unit_test(test_parse_accepts_only_real_dates),
		cmocka_unit_test(test_format_pads_every_field),
		cmocka_unit_test(test_month_abbr_january_to_december),
		cmocka_unit_test(test_month_name_january_to_december),
		cmocka_unit_test(test_easter_sundays_known_dates),
		cmocka_unit_test(test_nth_and_last_weekday_of_month),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The working-day calendar. Every expected holiday below was worked out by
 * hand from the rules (and the weekday of each date checked), not taken from
 * the code under test. */
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
#include "tz.h"
#include "util.h"

#define EW DIVISION_ENGLAND_AND_WALES
#define SC DIVISION_SCOTLAND
#define NI DIVISION_NORTHERN_IRELAND

static cw_day D(const char *s)
{
	cw_day d;
	if (date_parse(s, &d) < 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

/* Compare the calendar's holidays of a year with "YYYY-MM-DD Title" lines. */
static void expect_year(enum division div, int year, const char *const *want)
{
	struct calendar *cal = calendar_new(div, WEEKEND_DEFAULT, NULL, NULL);
	struct holiday_list got = { 0 };
	assert_int_equal(calendar_holidays(cal, year, &got), 0);
	size_t n = 0;
	while (want[n])
		n++;
	char buf[DATE_STRLEN], line[256];
	for (size_t i = 0; i < got.n || i < n; i++) {
		if (i < got.n)
			snprintf(line, sizeof(line), "%s %s", date_format(got.v[i].day, buf), got.v[i].title);
		else
			snprintf(line, sizeof(line), "(nothing)");
		if (i >= n || strcmp(line, want[i]) != 0)
			fail_msg("%s %d, holiday %zu: got '%s', want '%s'", division_to_string(div), year,
				 i + 1, line, i < n ? want[i] : "(nothing)");
	}
	holiday_list_free(&got);
	calendar_free(cal);
}

static void test_england_2026_ordinary_year_boxing_day_saturday(void **state)
{
	/* Easter Sunday 5 April; Boxing Day Saturday 26 December moves to
	 * Monday 28 (Christmas on the Friday stands). */
	static const char *const want[] = {
		"2026-01-01 New Year’s Day", "2026-04-03 Good Friday", "2026-04-06 Easter Monday",
		"2026-05-04 Early May bank holiday", "2026-05-25 Spring bank holiday",
		"2026-08-31 Summer bank holiday", "2026-12-25 Christmas Day",
		"2026-12-28 Boxing Day (substitute day)", NULL,
	};
	expect_year(EW, 2026, want);
}

static void test_england_christmas_on_saturday_both_move(void **state)
{
	/* 2021: Christmas Saturday -> Monday 27, Boxing Day Sunday -> Tuesday 28. */
	static const char *const want[] = {
		"2021-01-01 New Year’s Day", "2021-04-02 Good Friday", "2021-04-05 Easter Monday",
		"2021-05-03 Early May bank holiday", "2021-05-31 Spring bank holiday",
		"2021-08-30 Summer bank holiday", "2021-12-27 Christmas Day (substitute day)",
		"2021-12-28 Boxing Day (substitute day)", NULL,
	};
	expect_year(EW, 2021, want);
}

static void test_england_2022_christmas_on_sunday_and_every_proclamation(void **state)
{
	/* New Year Saturday -> Monday 3; Spring moved 30 May -> 2 June, Platinum
	 * Jubilee 3 June; State Funeral 19 September; Christmas Sunday -> Tuesday
	 * 27 because Boxing Day keeps Monday 26. */
	static const char *const want[] = {
		"2022-01-03 New Year’s Day (substitute day)", "2022-04-15 Good Friday",
		"2022-04-18 Easter Monday", "2022-05-02 Early May bank holiday",
		"2022-06-02 Spring bank holiday", "2022-06-03 Platinum Jubilee bank holiday",
		"2022-08-29 Summer bank holiday",
		"2022-09-19 Bank holiday for the State Funeral of Queen Elizabeth II",
		"2022-12-26 Boxing Day", "2022-12-27 Christmas Day (substitute day)", NULL,
	};
	expect_year(EW, 2022, want);
}

static void test_england_2023_new_year_on_sunday_and_coronation(void **state)
{
	static const char *const want[] = {
		"2023-01-02 New Year’s Day (substitute day)", "2023-04-07 Good Friday",
		"2023-04-10 Easter Monday", "2023-05-01 Early May bank holiday",
		"2023-05-08 Bank holiday for the coronation of King Charles III",
		"2023-05-29 Spring bank holiday", "2023-08-28 Summer bank holiday",
		"2023-12-25 Christmas Day", "2023-12-26 Boxing Day", NULL,
	};
	expect_year(EW, 2023, want);
}

static void test_england_2020_early_may_moved_to_ve_day(void **state)
{
	static const char *const want[] = {
		"2020-01-01 New Year’s Day", "2020-04-10 Good Friday", "2020-04-13 Easter Monday",
		"2020-05-08 Early May bank holiday (VE day)", "2020-05-25 Spring bank holiday",
		"2020-08-31 Summer bank holiday", "2020-12-25 Christmas Day",
		"2020-12-28 Boxing Day (substitute day)", NULL,
	};
	expect_year(EW, 2020, want);
}

static void test_england_older_proclamations(void **state)
{
	static const char *const y2012[] = {
		"2012-01-02 New Year’s Day (substitute day)", "2012-04-06 Good Friday",
		"2012-04-09 Easter Monday", "2012-05-07 Early May bank holiday",
		"2012-06-04 Spring bank holiday", "2012-06-05 Queen’s Diamond Jubilee",
		"2012-08-27 Summer bank holiday", "2012-12-25 Christmas Day", "2012-12-26 Boxing Day",
		NULL,
	};
	static const char *const y2011[] = {
		"2011-01-03 New Year’s Day (substitute day)", "2011-04-22 Good Friday",
		"2011-04-25 Easter Monday", "2011-04-29 Royal wedding bank holiday",
		"2011-05-02 Early May bank holiday", "2011-05-30 Spring bank holiday",
		"2011-08-29 Summer bank holiday", "2011-12-26 Boxing Day",
		"2011-12-27 Christmas Day (substitute day)", NULL,
	};
	expect_year(EW, 2012, y2012);
	expect_year(EW, 2011, y2011);
}

static void test_scotland_2026_world_cup_and_first_monday_of_august(void **state)
{
	/* No Easter Monday; Summer is the first Monday of August (3rd, as the
	 * 1st is a Saturday); St Andrew's Day falls on a Monday. */
	static const char *const want[] = {
		"2026-01-01 New Year’s Day", "2026-01-02 2nd January", "2026-04-03 Good Friday",
		"2026-05-04 Early May bank holiday", "2026-05-25 Spring bank holiday",
		"2026-06-15 Extra bank holiday (FIFA World Cup)", "2026-08-03 Summer bank holiday",
		"2026-11-30 St Andrew’s Day", "2026-12-25 Christmas Day",
		"2026-12-28 Boxing Day (substitute day)", NULL,
	};
	expect_year(SC, 2026, want);
}

static void test_scotland_new_year_saturday_both_days_move(void **state)
{
	/* 2022: 1 January Saturday, 2 January Sunday -> Monday 3 and Tuesday 4. */
	static const char *const want[] = {
		"2022-01-03 New Year’s Day (substitute day)", "2022-01-04 2nd January (substitute day)",
		"2022-04-15 Good Friday", "2022-05-02 Early May bank holiday",
		"2022-06-02 Spring bank holiday", "2022-06-03 Platinum Jubilee bank holiday",
		"2022-08-01 Summer bank holiday",
		"2022-09-19 Bank holiday for the State Funeral of Queen Elizabeth II",
		"2022-11-30 St Andrew’s Day", "2022-12-26 Boxing Day",
		"2022-12-27 Christmas Day (substitute day)", NULL,
	};
	expect_year(SC, 2022, want);
}

static void test_scotland_new_year_sunday_takes_tuesday(void **state)
{
	/* 2023: 2 January is Monday and stands; New Year's Day (Sunday) takes
	 * the next free weekday, Tuesday 3. */
	static const char *const want[] = {
		"2023-01-02 2nd January", "2023-01-03 New Year’s Day (substitute day)",
		"2023-04-07 Good Friday", "2023-05-01 Early May bank holiday",
		"2023-05-08 Bank holiday for the coronation of King Charles III",
		"2023-05-29 Spring bank holiday", "2023-08-07 Summer bank holiday",
		"2023-11-30 St Andrew’s Day", "2023-12-25 Christmas Day", "2023-12-26 Boxing Day", NULL,
	};
	expect_year(SC, 2023, want);
}

static void test_scotland_second_january_saturday_moves_to_monday(void **state)
{
	/* 2021: Friday 1 January stands, Saturday 2 January -> Monday 4. */
	struct calendar *cal = calendar_new(SC, WEEKEND_DEFAULT, NULL, NULL);
	struct holiday_list l = { 0 };
	calendar_holidays(cal, 2021, &l);
	assert_true(l.n >= 2);
	assert_int_equal(l.v[0].day, D("2021-01-01"));
	assert_int_equal(l.v[1].day, D("2021-01-04"));
	assert_string_equal(l.v[1].title, "2nd January (substitute day)");
	holiday_list_free(&l);
	calendar_free(cal);
}

static void test_scotland_st_andrews_day_at_weekend_moves_to_monday(void **state)
{
	/* 30 November 2024 is a Saturday, 2025 a Sunday: both -> the Monday. */
	struct calendar *cal = calendar_new(SC, WEEKEND_DEFAULT, NULL, NULL);
	struct holiday_list l = { 0 };
	calendar_holidays(cal, 2024, &l);
	calendar_holidays(cal, 2025, &l);
	int found = 0;
	for (size_t i = 0; i < l.n; i++)
		if (strncmp(l.v[i].title, "St Andrew", 9) == 0) {
			assert_string_equal(l.v[i].title, "St Andrew’s Day (substitute day)");
			assert_int_equal(l.v[i].day, found == 0 ? D("2024-12-02") : D("2025-12-01"));
			found++;
		}
	assert_int_equal(found, 2);
	assert_false(calendar_is_working_day(cal, D("2024-12-02")));
	assert_true(calendar_is_working_day(cal, D("2024-12-03")));
	holiday_list_free(&l);
	calendar_free(cal);
}

static void test_scotland_no_st_andrews_day_before_2007(void **state)
{
	struct calendar *cal = calendar_new(SC, WEEKEND_DEFAULT, NULL, NULL);
	/* 30 November 2006 was a Thursday, an ordinary working day. */
	assert_true(calendar_is_working_day(cal, D("2006-11-30")));
	assert_false(calendar_is_working_day(cal, D("2007-11-30")));
	calendar_free(cal);
}

static void test_northern_ireland_2026_boyne_on_sunday(void **state)
{
	/* 12 July 2026 is a Sunday -> Monday 13. */
	static const char *const want[] = {
		"2026-01-01 New Year’s Day", "2026-03-17 St Patrick’s Day", "2026-04-03 Good Friday",
		"2026-04-06 Easter Monday", "2026-05-04 Early May bank holiday",
		"2026-05-25 Spring bank holiday",
		"2026-07-13 Battle of the Boyne (Orangemen’s Day) (substitute day)",
		"2026-08-31 Summer bank holiday", "2026-12-25 Christmas Day",
		"2026-12-28 Boxing Day (substitute day)", NULL,
	};
	expect_year(NI, 2026, want);
}

static void test_northern_ireland_st_patricks_day_at_weekend(void **state)
{
	/* 17 March 2018 Saturday -> Monday 19; 2019 Sunday -> Monday 18. */
	struct calendar *cal = calendar_new(NI, WEEKEND_DEFAULT, NULL, NULL);
	assert_false(calendar_is_working_day(cal, D("2018-03-19")));
	assert_true(calendar_is_working_day(cal, D("2018-03-20")));
	assert_false(calendar_is_working_day(cal, D("2019-03-18")));
	assert_true(calendar_is_working_day(cal, D("2019-03-19")));
	/* 12 July 2019 was a Friday and stands. */
	assert_false(calendar_is_working_day(cal, D("2019-07-12")));
	assert_true(calendar_is_working_day(cal, D("2019-07-15")));
	calendar_free(cal);
}

static void test_holidays_in_range_edges_and_year_out_of_range(void **state)
{
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	struct holiday_list l = { 0 };
	assert_int_equal(calendar_holidays(cal, CALENDAR_MIN_YEAR - 1, &l), -ERANGE);
	assert_int_equal(calendar_holidays(cal, CALENDAR_MAX_YEAR + 1, &l), -ERANGE);
	assert_int_equal(l.n, 0);
	/* 1978: Early May bank holiday's first year, Monday 1 May. */
	assert_int_equal(calendar_holidays(cal, 1978, &l), 0);
	bool early_may = false;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].day == D("1978-05-01"))
			early_may = !strcmp(l.v[i].title, "Early May bank holiday");
	assert_true(early_may);
	holiday_list_free(&l);
	/* 2199: Christmas is a Wednesday. */
	assert_int_equal(calendar_holidays(cal, 2199, &l), 0);
	assert_int_equal(l.v[l.n - 1].day, D("2199-12-26"));
	holiday_list_free(&l);
	calendar_free(cal);
}

/* ---- Arithmetic ------------------------------------------------------- */

static void test_day_zero_convention(void **state)
{
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	cw_day r;
	/* A report on Saturday with one working day is due on Monday. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-11-21"), 1, &r), 0);
	assert_int_equal(r, D("2026-11-23"));
	/* On Monday: due Tuesday. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-11-23"), 1, &r), 0);
	assert_int_equal(r, D("2026-11-24"));
	/* On the Friday before a bank-holiday Monday: due Tuesday. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-08-28"), 1, &r), 0);
	assert_int_equal(r, D("2026-09-01"));
	/* N = 0 is the day itself, whatever it is. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-11-22"), 0, &r), 0);
	assert_int_equal(r, D("2026-11-22"));
	/* Three working days from Christmas Eve 2026 (Thursday): Tue 29, Wed
	 * 30, Thu 31 December. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-12-24"), 3, &r), 0);
	assert_int_equal(r, D("2026-12-31"));
	/* Ten working days from Monday 21 December 2026: 22, 23, 24, 29, 30,
	 * 31 December, 4, 5, 6, 7 January (1 January a holiday). */
	assert_int_equal(calendar_add_working_days(cal, D("2026-12-21"), 10, &r), 0);
	assert_int_equal(r, D("2027-01-07"));
	calendar_free(cal);
}

static void test_backwards_and_next_previous(void **state)
{
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	cw_day r;
	/* From Sunday, one back is Friday; from Tuesday after Easter Monday
	 * 2026, one back is Thursday 2 April (Good Friday, Easter Monday). */
	assert_int_equal(calendar_add_working_days(cal, D("2026-11-22"), -1, &r), 0);
	assert_int_equal(r, D("2026-11-20"));
	assert_int_equal(calendar_prev_working_day(cal, D("2026-04-07"), &r), 0);
	assert_int_equal(r, D("2026-04-02"));
	assert_int_equal(calendar_next_working_day(cal, D("2026-04-02"), &r), 0);
	assert_int_equal(r, D("2026-04-07"));
	assert_int_equal(calendar_add_working_days(cal, D("2026-04-07"), -2, &r), 0);
	assert_int_equal(r, D("2026-04-01"));
	calendar_free(cal);
}

static void test_between_counts_after_from_up_to_to(void **state)
{
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	int n;
	assert_int_equal(calendar_working_days_between(cal, D("2026-11-20"), D("2026-11-23"), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(calendar_working_days_between(cal, D("2026-11-23"), D("2026-11-23"), &n), 0);
	assert_int_equal(n, 0);
	/* December 2026 after the 1st: 22 weekdays from the 2nd, less Christmas
	 * and the Boxing Day substitute. */
	assert_int_equal(calendar_working_days_between(cal, D("2026-12-01"), D("2026-12-31"), &n), 0);
	assert_int_equal(n, 20);
	assert_int_equal(calendar_working_days_between(cal, D("2026-12-31"), D("2026-12-01"), &n), 0);
	assert_int_equal(n, -20);
	assert_int_equal(calendar_working_days_between(cal, D("1977-12-31"), D("2026-12-01"), &n), -ERANGE);
	calendar_free(cal);
}

static void test_range_errors_never_wrong_answers(void **state)
{
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	cw_day r = 42;
	assert_int_equal(calendar_add_working_days(cal, D("2199-12-30"), 5, &r), -ERANGE);
	assert_int_equal(calendar_add_working_days(cal, D("1978-01-03"), -5, &r), -ERANGE);
	assert_int_equal(calendar_add_working_days(cal, D("2200-01-01"), 1, &r), -ERANGE);
	assert_int_equal(calendar_add_working_days(cal, D("2026-01-01"), 1000000, &r), -ERANGE);
	assert_int_equal(calendar_add_working_days(cal, D("2026-01-01"), -1000000, &r), -ERANGE);
	assert_int_equal(r, 42);
	calendar_free(cal);
}

/* The slow reference: walk day by day, asking only the weekend mask and the
 * holiday list, never the tables under test. */
struct ref {
	const struct calendar *cal;
	unsigned weekend;
	bool *off; /* by day offset from 1978-01-01 */
	cw_day base;
	int32_t ndays;
};

static void ref_init(struct ref *ref, const struct calendar *cal, unsigned weekend)
{
	ref->cal = cal;
	ref->weekend = weekend;
	ref->base = D("1978-01-01");
	ref->ndays = D("2199-12-31") - ref->base + 1;
	ref->off = calloc((size_t)ref->ndays, sizeof(bool));
	struct holiday_list l = { 0 };
	for (int y = CALENDAR_MIN_YEAR; y <= CALENDAR_MAX_YEAR; y++)
		calendar_holidays(cal, y, &l);
	for (size_t i = 0; i < l.n; i++)
		ref->off[l.v[i].day - ref->base] = true;
	holiday_list_free(&l);
	for (int32_t i = 0; i < ref->ndays; i++)
		if (weekend & (1u << date_weekday(ref->base + i)))
			ref->off[i] = true;
}

static bool ref_working(const struct ref *ref, cw_day d)
{
	return !ref->off[d - ref->base];
}

static int ref_add(const struct ref *ref, cw_day d, int n, cw_day *ret)
{
	int step = n > 0 ? 1 : -1;
	for (int left = n > 0 ? n : -n; left > 0;) {
		d += step;
		if (d < ref->base || d >= ref->base + ref->ndays)
			return -ERANGE;
		if (ref_working(ref, d))
			left--;
	}
	*ret = d;
	return 0;
}

static int ref_between(const struct ref *ref, cw_day from, cw_day to)
{
	int n = 0;
	for (cw_day d = from + 1; d <= to; d++)
		n += ref_working(ref, d);
	for (cw_day d = to + 1; d <= from; d++)
		n -= ref_working(ref, d);
	return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void check_against_reference(enum division div, unsigned weekend)
{
	struct calendar *cal = calendar_new(div, weekend, NULL, NULL);
	struct ref ref;
	ref_init(&ref, cal, weekend);
	char b1[DATE_STRLEN], b2[DATE_STRLEN];
	for (int i = 0; i < 20000; i++) {
		/* Mostly near the present, some anywhere, some at the edges. */
		cw_day d = i % 10 == 0 ? ref.base + (cw_day)rnd((uint32_t)ref.ndays)
		         : i % 10 == 1 ? (i & 2 ? ref.base + (cw_day)rnd(40) : ref.base + ref.ndays - 1 - (cw_day)rnd(40))
		         : D("2020-01-01") + (cw_day)rnd(3650);
		int n = (int)rnd(121) - 60;
		cw_day want = 0, got = 0;
		int rw = ref_add(&ref, d, n, &want);
		int rg = calendar_add_working_days(cal, d, n, &got);
		if (rw != rg || (rw == 0 && want != got))
			fail_msg("%s mask %#x: %s %+d: got %s (%d), want %s (%d)", division_to_string(div),
				 weekend, date_format(d, b1), n, date_format(got, b2), rg,
				 date_format(want, b1), rw);
		assert_int_equal(calendar_is_working_day(cal, d), ref_working(&ref, d));
		cw_day e = d + (cw_day)rnd(61) - 30;
		if (e >= ref.base && e < ref.base + ref.ndays) {
			int between;
			assert_int_equal(calendar_working_days_between(cal, d, e, &between), 0);
			assert_int_equal(between, ref_between(&ref, d, e));
		}
	}
	free(ref.off);
	calendar_free(cal);
}

static void test_arithmetic_matches_day_by_day_reference_each_division(void **state)
{
	check_against_reference(EW, WEEKEND_DEFAULT);
	check_against_reference(SC, WEEKEND_DEFAULT);
	check_against_reference(NI, WEEKEND_DEFAULT);
}

static void test_arithmetic_matches_reference_other_weekends(void **state)
{
	/* Friday-Saturday, Sunday only, none at all, three days. */
	check_against_reference(EW, (1u << WD_FRIDAY) | (1u << WD_SATURDAY));
	check_against_reference(SC, 1u << WD_SUNDAY);
	check_against_reference(NI, 0);
	check_against_reference(EW, (1u << WD_THURSDAY) | (1u << WD_FRIDAY) | (1u << WD_SATURDAY));
}

static void test_sunday_only_weekend_makes_saturday_a_working_day(void **state)
{
	struct calendar *cal = calendar_new(EW, 1u << WD_SUNDAY, NULL, NULL);
	cw_day r;
	/* Friday 20 November 2026 + 1 = Saturday 21. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-11-20"), 1, &r), 0);
	assert_int_equal(r, D("2026-11-21"));
	calendar_free(cal);
}

static void test_holiday_on_a_worked_saturday_is_still_a_holiday(void **state)
{
	/* A unit that works Saturdays: Boxing Day, Saturday 26 December 2026,
	 * is no working day, nor is its substitute Monday 28. From Thursday 24:
	 * 25, 26, 27 (Sunday) and 28 are off -> Tuesday 29. */
	struct calendar *cal = calendar_new(EW, 1u << WD_SUNDAY, NULL, NULL);
	cw_day r;
	assert_false(calendar_is_working_day(cal, D("2026-12-26")));
	assert_false(calendar_is_working_day(cal, D("2026-12-28")));
	assert_int_equal(calendar_add_working_days(cal, D("2026-12-24"), 1, &r), 0);
	assert_int_equal(r, D("2026-12-29"));
	/* New Year's Day 2022 was a Saturday; its substitute Monday 3. */
	assert_false(calendar_is_working_day(cal, D("2022-01-01")));
	assert_false(calendar_is_working_day(cal, D("2022-01-03")));
	struct holiday_list l = { 0 };
	calendar_holidays(cal, 2026, &l);
	assert_int_equal(l.n, 9);
	assert_int_equal(l.v[7].day, D("2026-12-26"));
	assert_string_equal(l.v[7].title, "Boxing Day");
	assert_string_equal(l.v[8].title, "Boxing Day (substitute day)");
	holiday_list_free(&l);
	calendar_free(cal);

	/* A Friday-Saturday weekend: Christmas Day, Sunday 25 December 2022, is
	 * a working day of that unit by the weekend but a holiday by law. */
	cal = calendar_new(EW, (1u << WD_FRIDAY) | (1u << WD_SATURDAY), NULL, NULL);
	assert_false(calendar_is_working_day(cal, D("2022-12-25")));
	assert_false(calendar_is_working_day(cal, D("2022-12-26")));
	assert_false(calendar_is_working_day(cal, D("2022-12-27")));
	/* Thursday 22 December 2022 + 1: 23, 24 weekend, 25-27 holidays. */
	assert_int_equal(calendar_add_working_days(cal, D("2022-12-22"), 1, &r), 0);
	assert_int_equal(r, D("2022-12-28"));
	calendar_free(cal);
}

static void test_proclamations_of_1981_1995_1999_and_2002(void **state)
{
	struct calendar *cal = calendar_new(SC, WEEKEND_DEFAULT, NULL, NULL);
	/* 1981: the royal wedding, Wednesday 29 July. */
	assert_false(calendar_is_working_day(cal, D("1981-07-29")));
	/* 1995: Early May moved from Monday 1 May to Monday 8 May. */
	assert_true(calendar_is_working_day(cal, D("1995-05-01")));
	assert_false(calendar_is_working_day(cal, D("1995-05-08")));
	/* 1999: the Millennium, Friday 31 December. */
	assert_false(calendar_is_working_day(cal, D("1999-12-31")));
	/* 2002: Spring moved from Monday 27 May to Tuesday 4 June, and the
	 * Golden Jubilee on Monday 3 June. */
	assert_true(calendar_is_working_day(cal, D("2002-05-27")));
	assert_false(calendar_is_working_day(cal, D("2002-06-03")));
	assert_false(calendar_is_working_day(cal, D("2002-06-04")));
	calendar_free(cal);
}

/* ---- Layers: files and closures ---------------------------------------- */

static void test_file_year_replaces_computed_year_only(void **state)
{
	/* A file covering 2026 only, with a made-up holiday and without the
	 * summer bank holiday: it is authoritative for 2026, computed rules go
	 * on for 2027. */
	struct holiday_list files = { 0 };
	holiday_list_add(&files, D("2026-01-01"), "New Year’s Day");
	holiday_list_add(&files, D("2026-07-01"), "Made-up holiday");
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, &files, NULL);
	assert_false(calendar_is_working_day(cal, D("2026-07-01")));
	assert_true(calendar_is_working_day(cal, D("2026-08-31")));
	assert_true(calendar_is_working_day(cal, D("2026-12-28")));
	assert_false(calendar_is_working_day(cal, D("2027-08-30")));
	assert_false(calendar_is_working_day(cal, D("2027-12-27")));
	struct holiday_list l = { 0 };
	calendar_holidays(cal, 2026, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].title, "Made-up holiday");
	holiday_list_free(&l);
	holiday_list_free(&files);
	calendar_free(cal);
}

static void test_closures_add_to_holidays_and_keep_bank_holiday_title(void **state)
{
	struct holiday_list closures = { 0 };
	holiday_list_add(&closures, D("2026-12-24"), "Office closed");
	holiday_list_add(&closures, D("2026-12-25"), "Office closed");
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, &closures);
	cw_day r;
	/* From Wednesday 23 December: Thursday 24 closed, Friday 25 Christmas,
	 * Monday 28 Boxing Day substitute -> Tuesday 29. */
	assert_int_equal(calendar_add_working_days(cal, D("2026-12-23"), 1, &r), 0);
	assert_int_equal(r, D("2026-12-29"));
	struct holiday_list l = { 0 };
	calendar_holidays(cal, 2026, &l);
	assert_int_equal(l.n, 9);
	assert_int_equal(l.v[6].day, D("2026-12-24"));
	assert_string_equal(l.v[6].title, "Office closed");
	assert_string_equal(l.v[7].title, "Christmas Day");
	holiday_list_free(&l);
	holiday_list_free(&closures);
	calendar_free(cal);
}

/* ---- Instants: the local date is day 0 -------------------------------- */

static struct tz *london(void)
{
	struct tz *tz = NULL;
	char *why = NULL;
	if (tz_load("Europe/London", &tz, &why) < 0)
		fail_msg("cannot load Europe/London: %s", why ? why : "?");
	return tz;
}

static cw_day due_from_instant(const struct tz *tz, const struct calendar *cal, const char *ts, int n)
{
	int64_t t;
	assert_int_equal(tz_parse_timestamp(tz, ts, &t), 0);
	cw_day r;
	assert_int_equal(calendar_add_working_days(cal, tz_local_day(tz, t), n, &r), 0);
	return r;
}

static void test_utc_evening_in_summer_is_next_local_day(void **state)
{
	struct tz *tz = london();
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	/* Friday 2026-07-03 23:30Z is Saturday 00:30 BST: day 0 is Saturday,
	 * due Monday 6 July. An hour earlier it is still Friday: due Monday. */
	assert_int_equal(due_from_instant(tz, cal, "2026-07-03T23:30:00Z", 1), D("2026-07-06"));
	assert_int_equal(due_from_instant(tz, cal, "2026-07-03T22:30:00Z", 1), D("2026-07-06"));
	/* Thursday 2026-07-02 23:30Z is Friday in London: due Monday, not Friday. */
	assert_int_equal(due_from_instant(tz, cal, "2026-07-02T23:30:00Z", 1), D("2026-07-06"));
	assert_int_equal(due_from_instant(tz, cal, "2026-07-02T22:59:59Z", 1), D("2026-07-03"));
	/* In winter UTC and London agree: Thursday 23:30Z is Thursday. */
	assert_int_equal(due_from_instant(tz, cal, "2026-12-03T23:30:00Z", 1), D("2026-12-04"));
	/* A timestamp with no offset is London time. */
	assert_int_equal(due_from_instant(tz, cal, "2026-07-02T23:30:00", 1), D("2026-07-03"));
	calendar_free(cal);
	tz_free(tz);
}

static void test_daylight_saving_changes_never_move_a_date(void **state)
{
	struct tz *tz = london();
	struct calendar *cal = calendar_new(EW, WEEKEND_DEFAULT, NULL, NULL);
	/* Clocks go forward at 01:00Z on Sunday 29 March 2026 and back at
	 * 01:00Z on Sunday 25 October 2026. Receipts either side of each change
	 * keep their local dates, and 5 working days stay 5 weekdays. */
	/* Saturday 28 March (GMT) and Sunday 29 (the instant before the change)
	 * are both day 0 at a weekend: 30, 31 March, 1, 2 April, then Good
	 * Friday and Easter Monday -> Tuesday 7 April is the fifth. */
	assert_int_equal(due_from_instant(tz, cal, "2026-03-28T23:59:59Z", 5), D("2026-04-07"));
	assert_int_equal(due_from_instant(tz, cal, "2026-03-29T00:59:59Z", 5), D("2026-04-07"));
	assert_int_equal(due_from_instant(tz, cal, "2026-03-29T23:30:00Z", 1), D("2026-03-31"));
	assert_int_equal(due_from_instant(tz, cal, "2026-03-29T22:59:00Z", 1), D("2026-03-30"));
	assert_int_equal(due_from_instant(tz, cal, "2026-10-24T23:30:00Z", 1), D("2026-10-26"));
	assert_int_equal(due_from_instant(tz, cal, "2026-10-25T23:30:00Z", 1), D("2026-10-26"));
	assert_int_equal(due_from_instant(tz, cal, "2026-10-26T00:00:00Z", 1), D("2026-10-27"));
	assert_int_equal(due_from_instant(tz, cal, "2026-10-23T23:00:00Z", 10), D("2026-11-06"));
	calendar_free(cal);
	tz_free(tz);
}

static void test_range_is_exactly_the_calendar_years(void **state)
{
	assert_true(calendar_in_range(date_from_ymd(CALENDAR_MIN_YEAR, 1, 1)));
	assert_false(calendar_in_range(date_from_ymd(CALENDAR_MIN_YEAR - 1, 12, 31)));
	assert_true(calendar_in_range(date_from_ymd(CALENDAR_MAX_YEAR, 12, 31)));
	assert_false(calendar_in_range(date_from_ymd(CALENDAR_MAX_YEAR + 1, 1, 1)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_is_exactly_the_calendar_years),
		cmocka_unit_test(test_england_2026_ordinary_year_boxing_day_saturday),
		cmocka_unit_test(test_england_christmas_on_saturday_both_move),
		cmocka_unit_test(test_england_2022_christmas_on_sunday_and_every_proclamation),
		cmocka_unit_test(test_england_2023_new_year_on_sunday_and_coronation),
		cmocka_unit_test(test_england_2020_early_may_moved_to_ve_day),
		cmocka_unit_test(test_england_older_proclamations),
		cmocka_unit_test(test_scotland_2026_world_cup_and_first_monday_of_august),
		cmocka_unit_test(test_scotland_new_year_saturday_both_days_move),
		cmocka_unit_test(test_scotland_new_year_sunday_takes_tuesday),
		cmocka_unit_test(test_scotland_second_january_saturday_moves_to_monday),
		cmocka_unit_test(test_scotland_st_andrews_day_at_weekend_moves_to_monday),
		cmocka_unit_test(test_scotland_no_st_andrews_day_before_2007),
		cmocka_unit_test(test_northern_ireland_2026_boyne_on_sunday),
		cmocka_unit_test(test_northern_ireland_st_patricks_day_at_weekend),
		cmocka_unit_test(test_holidays_in_range_edges_and_year_out_of_range),
		cmocka_unit_test(test_day_zero_convention),
		cmocka_unit_test(test_backwards_and_next_previous),
		cmocka_unit_test(test_between_counts_after_from_up_to_to),
		cmocka_unit_test(test_range_errors_never_wrong_answers),
		cmocka_unit_test(test_arithmetic_matches_day_by_day_reference_each_division),
		cmocka_unit_test(test_arithmetic_matches_reference_other_weekends),
		cmocka_unit_test(test_sunday_only_weekend_makes_saturday_a_working_day),
		cmocka_unit_test(test_holiday_on_a_worked_saturday_is_still_a_holiday),
		cmocka_unit_test(test_proclamations_of_1981_1995_1999_and_2002),
		cmocka_unit_test(test_file_year_replaces_computed_year_only),
		cmocka_unit_test(test_closures_add_to_holidays_and_keep_bank_holiday_title),
		cmocka_unit_test(test_utc_evening_in_summer_is_next_local_day),
		cmocka_unit_test(test_daylight_saving_changes_never_move_a_date),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A civil date as a day number: days since 1970-01-01 in the proleptic
 * Gregorian calendar. Dates have no time zone; instants (int64_t seconds
 * since the epoch) become dates only through a time zone (tz.h). */
typedef int32_t cw_day;

enum {
	WD_MONDAY, WD_TUESDAY, WD_WEDNESDAY, WD_THURSDAY,
	WD_FRIDAY, WD_SATURDAY, WD_SUNDAY,
};

#define DATE_STRLEN 11 /* "YYYY-MM-DD" and the NUL */

cw_day date_from_ymd(int y, int m, int d);
void date_to_ymd(cw_day day, int *ret_y, int *ret_m, int *ret_d);
int date_year(cw_day day);
/* 0 = Monday ... 6 = Sunday. */
int date_weekday(cw_day day);
bool date_is_leap(int y);
int date_days_in_month(int y, int m);
/* Does (y, m, d) name a real date of years 0001-9999? */
bool date_valid_ymd(int y, int m, int d);

/* Strict "YYYY-MM-DD" of exactly `len` characters. Returns 0 or -EINVAL
 * (malformed) or -ERANGE (well-formed but impossible, like 2026-02-30). */
int date_parse_n(const char *s, size_t len, cw_day *ret_day);
int date_parse(const char *s, cw_day *ret_day);
/* "Jan" ... "Dec" for m = 1 ... 12. */
const char *date_month_abbr(int m);
/* "January" ... "December" for m = 1 ... 12. */
const char *date_month_name(int m);
/* Writes "YYYY-MM-DD" and returns buf. */
char *date_format(cw_day day, char buf[static DATE_STRLEN]);

/* The n-th (1-based) given weekday of a month, or with n = -1 the last. */
cw_day date_nth_weekday(int y, int m, int weekday, int n);
/* Easter Sunday of the Gregorian calendar (anonymous computus). */
cw_day date_easter(int y);

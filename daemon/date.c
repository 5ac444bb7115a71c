/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "date.h"

#include <errno.h>
#include <string.h>

/* Day-number conversions after Howard Hinnant's chrono algorithms: exact for
 * every year, no tables, no time zone. */
cw_day date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (cw_day)(era * 146097 + (int)doe - 719468);
}

void date_to_ymd(cw_day day, int *ret_y, int *ret_m, int *ret_d)
{
	const int z = day + 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	*ret_y = (int)yoe + era * 400 + (m <= 2);
	*ret_m = (int)m;
	*ret_d = (int)d;
}

int date_year(cw_day day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return y;
}

int date_weekday(cw_day day)
{
	/* 1970-01-01 was a Thursday (3). */
	int w = (day + 3) % 7;
	return w < 0 ? w + 7 : w;
}

const char *date_month_abbr(int m)
{
	static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	return months[m - 1];
}

const char *date_month_name(int m)
{
	static const char *const months[12] = { "January", "February", "March", "April", "May", "June",
						"July", "August", "September", "October", "November", "December" };
	return months[m - 1];
}

bool date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && date_is_leap(y))
		return 29;
	return days[m - 1];
}

bool date_valid_ymd(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 &&
	       d >= 1 && d <= date_days_in_month(y, m);
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_parse_n(const char *s, size_t len, cw_day *ret_day)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return -EINVAL;
	if (!date_valid_ymd(y, m, d))
		return -ERANGE;
	*ret_day = date_from_ymd(y, m, d);
	return 0;
}

int date_parse(const char *s, cw_day *ret_day)
{
	return date_parse_n(s, strlen(s), ret_day);
}

char *date_format(cw_day day, char buf[static DATE_STRLEN])
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	/* Written by hand: years are 0001-9999 wherever dates come from
	 * parsed input, and this runs once per line of every report. */
	unsigned u = (unsigned)(y % 10000 + 10000) % 10000;
	buf[0] = (char)('0' + u / 1000);
	buf[1] = (char)('0' + u / 100 % 10);
	buf[2] = (char)('0' + u / 10 % 10);
	buf[3] = (char)('0' + u % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

cw_day date_nth_weekday(int y, int m, int weekday, int n)
{
	if (n > 0) {
		cw_day first = date_from_ymd(y, m, 1);
		int shift = (weekday - date_weekday(first) + 7) % 7;
		return first + shift + 7 * (n - 1);
	}
	cw_day last = date_from_ymd(y, m, date_days_in_month(y, m));
	int shift = (date_weekday(last) - weekday + 7) % 7;
	return last - shift;
}

cw_day date_easter(int y)
{
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = y % 19, b = y / 100, c = y % 100;
	int d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(y, month, day);
}

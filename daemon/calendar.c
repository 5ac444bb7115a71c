/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "calendar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const division_names[_DIVISION_MAX] = {
	[DIVISION_ENGLAND_AND_WALES] = "england-and-wales",
	[DIVISION_SCOTLAND] = "scotland",
	[DIVISION_NORTHERN_IRELAND] = "northern-ireland",
};

const char *division_to_string(enum division d)
{
	return d < _DIVISION_MAX ? division_names[d] : NULL;
}

int division_from_string(const char *s)
{
	for (int i = 0; i < _DIVISION_MAX; i++)
		if (strcmp(s, division_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* ---- Layer 1: the computed rules ------------------------------------- */

/* Titles as GOV.UK publishes them, typographic apostrophes included, so that
 * computed years and years imported from GOV.UK's own file read alike. */
#define T_NEW_YEAR "New Year’s Day"
#define T_2ND_JAN "2nd January"
#define T_ST_PATRICK "St Patrick’s Day"
#define T_GOOD_FRIDAY "Good Friday"
#define T_EASTER_MONDAY "Easter Monday"
#define T_EARLY_MAY "Early May bank holiday"
#define T_SPRING "Spring bank holiday"
#define T_BOYNE "Battle of the Boyne (Orangemen’s Day)"
#define T_SUMMER "Summer bank holiday"
#define T_ST_ANDREW "St Andrew’s Day"
#define T_CHRISTMAS "Christmas Day"
#define T_BOXING "Boxing Day"
#define SUBSTITUTE " (substitute day)"

enum hol_kind {
	HOL_DAY,        /* a bank holiday */
	HOL_SUBSTITUTE, /* a bank holiday in place of one at a weekend */
	HOL_ACTUAL,     /* the weekend date itself of a holiday moved off it */
};

struct hol {
	cw_day day;
	const char *title;
	enum hol_kind kind;
};

struct year_hols {
	struct hol v[24];
	size_t n;
};

static void add(struct year_hols *h, cw_day day, const char *title, enum hol_kind kind)
{
	/* The table is sized for the most any division has in one year
	 * (Northern Ireland: 10, and up to 4 weekend dates) plus every
	 * proclamation of one year. */
	if (h->n < ELEMENTSOF(h->v))
		h->v[h->n++] = (struct hol){ day, title, kind };
}

static bool taken(const struct year_hols *h, cw_day day)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].day == day && h->v[i].kind != HOL_ACTUAL)
			return true;
	return false;
}

static bool legal_weekend(cw_day day)
{
	/* Substitute days follow the Banking and Financial Dealings Act and
	 * royal proclamations, which speak of Saturdays and Sundays whatever
	 * days a particular office works. */
	return date_weekday(day) >= WD_SATURDAY;
}

/* Fixed-date holidays that may fall at a weekend, in date order. Those on a
 * weekday stand; then each one at a weekend takes the next weekday that is
 * not already a holiday. That one rule gives every pattern: Christmas on a
 * Saturday (Mon 27, Tue 28), on a Sunday (Boxing Day Mon 26 stands, Christmas
 * Tue 27), Scotland's 1-2 January alike, and a lone St Andrew's Day, St
 * Patrick's Day or Twelfth moving to the Monday. The weekend date itself is
 * kept too: Christmas Day is no working day for a unit that works
 * Saturdays, substitute or not. */
static void add_fixed(struct year_hols *h, const cw_day *days, const char *const *titles, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!legal_weekend(days[i]))
			add(h, days[i], titles[i], HOL_DAY);
	for (size_t i = 0; i < n; i++) {
		if (!legal_weekend(days[i]))
			continue;
		cw_day d = days[i] + 1;
		while (legal_weekend(d) || taken(h, d))
			d++;
		add(h, d, titles[i], HOL_SUBSTITUTE);
		add(h, days[i], titles[i], HOL_ACTUAL);
	}
}

static void computed(enum division div, int y, struct year_hols *h)
{
	const cw_day easter = date_easter(y);

	if (div == DIVISION_SCOTLAND) {
		const cw_day d[] = { date_from_ymd(y, 1, 1), date_from_ymd(y, 1, 2) };
		const char *const t[] = { T_NEW_YEAR, T_2ND_JAN };
		add_fixed(h, d, t, 2);
	} else {
		const cw_day d[] = { date_from_ymd(y, 1, 1) };
		const char *const t[] = { T_NEW_YEAR };
		add_fixed(h, d, t, 1);
	}
	if (div == DIVISION_NORTHERN_IRELAND) {
		const cw_day d[] = { date_from_ymd(y, 3, 17) };
		const char *const t[] = { T_ST_PATRICK };
		add_fixed(h, d, t, 1);
	}
	add(h, easter - 2, T_GOOD_FRIDAY, HOL_DAY);
	if (div != DIVISION_SCOTLAND)
		add(h, easter + 1, T_EASTER_MONDAY, HOL_DAY);
	add(h, date_nth_weekday(y, 5, WD_MONDAY, 1), T_EARLY_MAY, HOL_DAY);
	add(h, date_nth_weekday(y, 5, WD_MONDAY, -1), T_SPRING, HOL_DAY);
	if (div == DIVISION_NORTHERN_IRELAND) {
		const cw_day d[] = { date_from_ymd(y, 7, 12) };
		const char *const t[] = { T_BOYNE };
		add_fixed(h, d, t, 1);
	}
	if (div == DIVISION_SCOTLAND)
		add(h, date_nth_weekday(y, 8, WD_MONDAY, 1), T_SUMMER, HOL_DAY);
	else
		add(h, date_nth_weekday(y, 8, WD_MONDAY, -1), T_SUMMER, HOL_DAY);
	/* St Andrew's Day has been a bank holiday since the St Andrew's Day
	 * Bank Holiday (Scotland) Act 2007. */
	if (div == DIVISION_SCOTLAND && y >= 2007) {
		const cw_day d[] = { date_from_ymd(y, 11, 30) };
		const char *const t[] = { T_ST_ANDREW };
		add_fixed(h, d, t, 1);
	}
	const cw_day d[] = { date_from_ymd(y, 12, 25), date_from_ymd(y, 12, 26) };
	const char *const t[] = { T_CHRISTMAS, T_BOXING };
	add_fixed(h, d, t, 2);
}

/* ---- Layer 2: one-off proclamations ------------------------------------ */

#define ALL_UK ((1u << DIVISION_ENGLAND_AND_WALES) | (1u << DIVISION_SCOTLAND) | \
		(1u << DIVISION_NORTHERN_IRELAND))
#define ONLY(d) (1u << (d))

/* Each entry adds `date` with `title`; when `replaces` is set, the computed
 * holiday on that date is removed (a holiday moved by proclamation). */
static const struct proclamation {
	unsigned divisions;
	int y, m, d;
	int replaces_m, replaces_d; /* 0 when nothing moves */
	const char *title;
} proclamations[] = {
	{ ALL_UK, 1981, 7, 29, 0, 0, "Royal wedding bank holiday" },
	{ ALL_UK, 1995, 5, 8, 5, 1, "Early May bank holiday (VE day)" },
	{ ALL_UK, 1999, 12, 31, 0, 0, "Millennium bank holiday" },
	{ ALL_UK, 2002, 6, 4, 5, 27, T_SPRING },
	{ ALL_UK, 2002, 6, 3, 0, 0, "Golden Jubilee bank holiday" },
	{ ALL_UK, 2011, 4, 29, 0, 0, "Royal wedding bank holiday" },
	{ ALL_UK, 2012, 6, 4, 5, 28, T_SPRING },
	{ ALL_UK, 2012, 6, 5, 0, 0, "Queen’s Diamond Jubilee" },
	{ ALL_UK, 2020, 5, 8, 5, 4, "Early May bank holiday (VE day)" },
	{ ALL_UK, 2022, 6, 2, 5, 30, T_SPRING },
	{ ALL_UK, 2022, 6, 3, 0, 0, "Platinum Jubilee bank holiday" },
	{ ALL_UK, 2022, 9, 19, 0, 0, "Bank holiday for the State Funeral of Queen Elizabeth II" },
	{ ALL_UK, 2023, 5, 8, 0, 0, "Bank holiday for the coronation of King Charles III" },
	{ ONLY(DIVISION_SCOTLAND), 2026, 6, 15, 0, 0, "Extra bank holiday (FIFA World Cup)" },
};

static void proclaimed(enum division div, int y, struct year_hols *h)
{
	for (size_t i = 0; i < ELEMENTSOF(proclamations); i++) {
		const struct proclamation *p = &proclamations[i];
		if (p->y != y || !(p->divisions & ONLY(div)))
			continue;
		if (p->replaces_m) {
			cw_day old = date_from_ymd(y, p->replaces_m, p->replaces_d);
			for (size_t j = 0; j < h->n; j++)
				if (h->v[j].day == old && h->v[j].kind != HOL_ACTUAL) {
					h->v[j] = h->v[--h->n];
					break;
				}
		}
		add(h, date_from_ymd(y, p->m, p->d), p->title, HOL_DAY);
	}
}

static int hol_cmp(const void *a, const void *b)
{
	const struct hol *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* Layers 1 and 2 for one year. The weekend dates of holidays moved off them
 * are included when `weekend` does not already make them non-working days. */
static void builtin_year(enum division division, int year, unsigned weekend, struct holiday_list *out)
{
	struct year_hols h = { .n = 0 };

	computed(division, year, &h);
	proclaimed(division, year, &h);
	qsort(h.v, h.n, sizeof(h.v[0]), hol_cmp);
	for (size_t i = 0; i < h.n; i++) {
		switch (h.v[i].kind) {
		case HOL_DAY:
			holiday_list_add(out, h.v[i].day, h.v[i].title);
			break;
		case HOL_SUBSTITUTE: {
			_cleanup_free_ char *t = xasprintf("%s" SUBSTITUTE, h.v[i].title);
			holiday_list_add(out, h.v[i].day, t);
			break;
		}
		case HOL_ACTUAL:
			if (!(weekend & (1u << date_weekday(h.v[i].day))))
				holiday_list_add(out, h.v[i].day, h.v[i].title);
			break;
		}
	}
}

/* ---- The calendar: all layers, and tables for O(1) arithmetic ---------- */

struct calendar {
	enum division division;
	unsigned weekend;
	cw_day base;      /* CALENDAR_MIN_YEAR-01-01 */
	int32_t ndays;    /* days in the range */
	/* count[i]: working days in [base, base + i]. */
	int32_t *count;
	/* nth[k]: offset from base of the k-th working day, k = 1 .. nworking
	 * (nth[0] unused), the inverse of count, so that adding n working days
	 * is two array reads whatever n is. */
	int32_t *nth;
	int32_t nworking;
	/* Every non-working day other than weekends, sorted, with its title. */
	struct holiday_list holidays;
};

/* CALENDAR_MIN_YEAR-01-01 and CALENDAR_MAX_YEAR-12-31 as days since
 * 1970-01-01: constants, since every deadline the evaluation computes is
 * checked against them (test-calendar holds them to date_from_ymd). */
#define RANGE_FIRST 2922
#define RANGE_LAST 84005
_Static_assert(CALENDAR_MIN_YEAR == 1978 && CALENDAR_MAX_YEAR == 2199, "RANGE_FIRST and RANGE_LAST follow the years");

static cw_day range_first(void)
{
	return RANGE_FIRST;
}

static cw_day range_last(void)
{
	return RANGE_LAST;
}

bool calendar_in_range(cw_day day)
{
	return day >= range_first() && day <= range_last();
}

struct calendar *calendar_new(enum division division, unsigned weekend_mask,
			      const struct holiday_list *files,
			      const struct holiday_list *closures)
{
	struct calendar *cal = xcalloc(1, sizeof(*cal));
	const int nyears = CALENDAR_MAX_YEAR - CALENDAR_MIN_YEAR + 1;

	cal->division = division;
	cal->weekend = weekend_mask & WEEKEND_ALL;
	cal->base = range_first();
	cal->ndays = range_last() - cal->base + 1;

	/* Which years do the user's files cover? */
	bool *covered = xcalloc((size_t)nyears, sizeof(bool));
	if (files)
		for (size_t i = 0; i < files->n; i++) {
			int y = date_year(files->v[i].day);
			if (y >= CALENDAR_MIN_YEAR && y <= CALENDAR_MAX_YEAR)
				covered[y - CALENDAR_MIN_YEAR] = true;
		}

	for (int y = CALENDAR_MIN_YEAR; y <= CALENDAR_MAX_YEAR; y++)
		if (!covered[y - CALENDAR_MIN_YEAR])
			builtin_year(division, y, cal->weekend, &cal->holidays);
	if (files)
		for (size_t i = 0; i < files->n; i++)
			if (calendar_in_range(files->v[i].day))
				holiday_list_add(&cal->holidays, files->v[i].day, files->v[i].title);
	/* Closures go last, so that a day that is both keeps the bank
	 * holiday's title. */
	if (closures)
		for (size_t i = 0; i < closures->n; i++)
			if (calendar_in_range(closures->v[i].day))
				holiday_list_add(&cal->holidays, closures->v[i].day, closures->v[i].title);
	free(covered);

	holiday_list_sort_unique(&cal->holidays);
	const struct holiday *sorted = cal->holidays.v;
	const size_t m = cal->holidays.n;

	/* The tables. */
	cal->count = xmalloc((size_t)cal->ndays * sizeof(int32_t));
	cal->nth = xmalloc(((size_t)cal->ndays + 1) * sizeof(int32_t));
	int32_t c = 0;
	size_t hi = 0;
	for (int32_t i = 0; i < cal->ndays; i++) {
		cw_day day = cal->base + i;
		bool off = cal->weekend & (1u << date_weekday(day));
		while (hi < m && sorted[hi].day < day)
			hi++;
		if (hi < m && sorted[hi].day == day)
			off = true;
		if (!off)
			cal->nth[++c] = i;
		cal->count[i] = c;
	}
	cal->nth[0] = -1;
	cal->nworking = c;
	return cal;
}

void calendar_free(struct calendar *cal)
{
	if (!cal)
		return;
	free(cal->count);
	free(cal->nth);
	holiday_list_free(&cal->holidays);
	free(cal);
}

enum division calendar_division(const struct calendar *cal)
{
	return cal->division;
}

static inline bool working_at(const struct calendar *cal, int32_t i)
{
	return cal->count[i] != (i > 0 ? cal->count[i - 1] : 0);
}

bool calendar_is_working_day(const struct calendar *cal, cw_day day)
{
	int64_t i = (int64_t)day - cal->base;
	if (i < 0 || i >= cal->ndays)
		return !(cal->weekend & (1u << date_weekday(day)));
	return working_at(cal, (int32_t)i);
}

int calendar_add_working_days(const struct calendar *cal, cw_day day, int n, cw_day *ret)
{
	int64_t i = (int64_t)day - cal->base;
	if (i < 0 || i >= cal->ndays)
		return -ERANGE;
	if (n == 0) {
		*ret = day;
		return 0;
	}
	/* count[i] is the index of the last working day on or before `day`.
	 * Going back from a non-working day, that one is already the first
	 * step. */
	int64_t k = (int64_t)cal->count[i] + n;
	if (n < 0 && !working_at(cal, (int32_t)i))
		k++;
	if (k < 1 || k > cal->nworking)
		return -ERANGE;
	*ret = cal->base + cal->nth[k];
	return 0;
}

int calendar_working_days_between(const struct calendar *cal, cw_day from, cw_day to, int *ret)
{
	int64_t a = (int64_t)from - cal->base, b = (int64_t)to - cal->base;
	if (a < 0 || a >= cal->ndays || b < 0 || b >= cal->ndays)
		return -ERANGE;
	*ret = cal->count[b] - cal->count[a];
	return 0;
}

int calendar_next_working_day(const struct calendar *cal, cw_day day, cw_day *ret)
{
	return calendar_add_working_days(cal, day, 1, ret);
}

int calendar_prev_working_day(const struct calendar *cal, cw_day day, cw_day *ret)
{
	return calendar_add_working_days(cal, day, -1, ret);
}

int calendar_holidays(const struct calendar *cal, int year, struct holiday_list *out)
{
	if (year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR)
		return -ERANGE;
	const cw_day first = date_from_ymd(year, 1, 1), last = date_from_ymd(year, 12, 31);
	const struct holiday *v = cal->holidays.v;
	size_t lo = 0, hi = cal->holidays.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].day < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < cal->holidays.n && v[i].day <= last; i++)
		holiday_list_add(out, v[i].day, v[i].title);
	return 0;
}

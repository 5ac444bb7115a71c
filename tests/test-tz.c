/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "date.h"
#include "tz.h"
#include "util.h"

#ifndef ZONEINFO_DIR
#define ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

/* ---- Helpers ---- */

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	return (int64_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static struct tz *load(const char *name)
{
	struct tz *tz = NULL;
	char *err = NULL;
	int r = tz_load(name, &tz, &err);
	if (r < 0)
		fail_msg("tz_load(%s) = %d: %s", name, r, err ? err : "(no reason)");
	assert_null(err);
	assert_non_null(tz);
	return tz;
}

/* A fixed, portable generator, so every run checks the same instants. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int64_t random_between(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(splitmix64(s) % (uint64_t)(hi - lo + 1));
}

/* ---- TZif files built in memory ---- */

struct zone {
	size_t n;
	const int64_t *at;
	const uint8_t *idx;
	size_t ntypes;
	const int32_t *utoff;
	size_t nleap;     /* leap second records, one a year from 1972 */
	bool indicators;  /* standard/wall and UT/local indicators for each type */
};

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	b->p = xgrow(b->p, &b->cap, b->n + n, 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put_be32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };
	put(b, x, 4);
}

static void put_be64(struct buf *b, uint64_t v)
{
	put_be32(b, (uint32_t)(v >> 32));
	put_be32(b, (uint32_t)v);
}

static void set_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Header and data block (RFC 8536 3.1, 3.2), 4- or 8-byte times and one
 * "ZZZ" designation for every type. */
static void put_block(struct buf *b, char version, const struct zone *z, unsigned time_size)
{
	static const uint8_t zero[15];
	const uint32_t nind = z->indicators ? (uint32_t)z->ntypes : 0;
	put(b, "TZif", 4);
	put(b, &version, 1);
	put(b, zero, 15);
	put_be32(b, nind);                /* isutcnt */
	put_be32(b, nind);                /* isstdcnt */
	put_be32(b, (uint32_t)z->nleap);  /* leapcnt */
	put_be32(b, (uint32_t)z->n);      /* timecnt */
	put_be32(b, (uint32_t)z->ntypes); /* typecnt */
	put_be32(b, 4);                   /* charcnt */
	for (size_t i = 0; i < z->n; i++) {
		if (time_size == 8)
			put_be64(b, (uint64_t)z->at[i]);
		else
			put_be32(b, (uint32_t)z->at[i]);
	}
	put(b, z->idx, z->n);
	for (size_t i = 0; i < z->ntypes; i++) {
		uint8_t isdst_desigidx[2] = { 0, 0 };
		put_be32(b, (uint32_t)z->utoff[i]);
		put(b, isdst_desigidx, 2);
	}
	put(b, "ZZZ", 4);
	for (size_t i = 0; i < z->nleap; i++) {
		int64_t t = utc(1972 + (int)i, 7, 1, 0, 0, 0) + (int64_t)i;
		if (time_size == 8)
			put_be64(b, (uint64_t)t);
		else
			put_be32(b, (uint32_t)t);
		put_be32(b, (uint32_t)i + 1);
	}
	for (uint32_t i = 0; i < 2 * nind; i++)
		put(b, &(uint8_t){ 1 }, 1); /* standard time and UT: valid together */
}

/* Version '\0' writes v1 only; '2'+ writes v1, then v2 and the footer. */
static uint8_t *make_tzif(char version, const struct zone *v1, const struct zone *v2,
			  const char *footer, size_t *ret_len)
{
	struct buf b = {0};
	put_block(&b, version, v1, 4);
	if (version != '\0') {
		put_block(&b, version, v2, 8);
		put(&b, "\n", 1);
		put(&b, footer, strlen(footer));
		put(&b, "\n", 1);
	}
	*ret_len = b.n;
	return b.p;
}

static const int32_t one_type_utc[] = { 0 };
static const struct zone empty_zone = { .ntypes = 1, .utoff = one_type_utc };

/* A zone with no transitions whose footer says everything. */
static struct tz *load_footer(const char *footer)
{
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &empty_zone, footer, &len);
	struct tz *tz = NULL;
	char *err = NULL;
	int r = tz_load_data("Test/Footer", data, len, &tz, &err);
	if (r < 0)
		fail_msg("footer \"%s\": %d: %s", footer, r, err ? err : "(no reason)");
	return tz;
}

/* Rejected with -EINVAL and a one-line reason containing `reason`. */
static void assert_rejected(const void *data, size_t len, const char *what, const char *reason)
{
	struct tz *tz = NULL;
	char *err = NULL;
	int r = tz_load_data("Test/Bad", data, len, &tz, &err);
	if (r != -EINVAL)
		fail_msg("%s: tz_load_data = %d, expected -EINVAL", what, r);
	assert_null(tz);
	assert_non_null(err);
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	if (reason && !strstr(err, reason))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", what, err, reason);
	free(err);
}

/* ---- Europe/London, exactly ---- */

static void test_london_2024_changes_on_last_sundays_at_0100_utc(void **state)
{
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2024, 1, 15, 12, 0, 0)), 0);
	assert_int_equal(tz_offset(tz, utc(2024, 3, 31, 0, 59, 59)), 0);
	assert_int_equal(tz_offset(tz, utc(2024, 3, 31, 1, 0, 0)), 3600);
	assert_int_equal(tz_offset(tz, utc(2024, 10, 27, 0, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2024, 10, 27, 1, 0, 0)), 0);
	tz_free(tz);
}

static void test_bst_starts_last_sunday_of_march_2026(void **state)
{
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2026, 3, 29, 0, 59, 59)), 0);
	assert_int_equal(tz_offset(tz, utc(2026, 3, 29, 1, 0, 0)), 3600);
	/* A week earlier is still winter. */
	assert_int_equal(tz_offset(tz, utc(2026, 3, 22, 12, 0, 0)), 0);
	tz_free(tz);
}

static void test_bst_ends_last_sunday_of_october_2026(void **state)
{
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2026, 10, 25, 0, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2026, 10, 25, 1, 0, 0)), 0);
	assert_int_equal(tz_offset(tz, utc(2026, 10, 18, 12, 0, 0)), 3600);
	tz_free(tz);
}

static void test_london_2037_changes_at_end_of_table(void **state)
{
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2037, 3, 29, 0, 59, 59)), 0);
	assert_int_equal(tz_offset(tz, utc(2037, 3, 29, 1, 0, 0)), 3600);
	assert_int_equal(tz_offset(tz, utc(2037, 10, 25, 0, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2037, 10, 25, 1, 0, 0)), 0);
	tz_free(tz);
}

static void test_london_2050_follows_footer_rule(void **state)
{
	/* Beyond Debian's table (2037): last Sundays are 27 March and 30
	 * October 2050. */
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2050, 3, 27, 0, 59, 59)), 0);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 27, 1, 0, 0)), 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 20, 1, 0, 0)), 0);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 30, 0, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 30, 1, 0, 0)), 0);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 23, 1, 0, 0)), 3600);
	tz_free(tz);
}

static void test_london_2199_follows_footer_rule(void **state)
{
	/* Last Sundays: 31 March and 27 October 2199. */
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(2199, 3, 31, 0, 59, 59)), 0);
	assert_int_equal(tz_offset(tz, utc(2199, 3, 31, 1, 0, 0)), 3600);
	assert_int_equal(tz_offset(tz, utc(2199, 10, 27, 0, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2199, 10, 27, 1, 0, 0)), 0);
	assert_int_equal(tz_local_day(tz, utc(2199, 6, 30, 23, 30, 0)), date_from_ymd(2199, 7, 1));
	tz_free(tz);
}

static void test_london_before_1847_is_local_mean_time(void **state)
{
	/* RFC 8536: before the first transition, time type 0 (LMT -0:01:15). */
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_offset(tz, utc(1800, 6, 1, 12, 0, 0)), -75);
	assert_int_equal(tz_offset(tz, utc(1, 1, 1, 0, 0, 0)), -75);
	assert_int_equal(tz_offset(tz, utc(1900, 1, 1, 0, 0, 0)), 0);
	tz_free(tz);
}

/* ---- Against glibc ---- */

struct change {
	int64_t at;
	int32_t before, after;
};

static int32_t glibc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	assert_non_null(localtime_r(&tt, &tm));
	return (int32_t)tm.tm_gmtoff;
}

/* Every change of glibc's offset in [t0, t1], found by sampling every six
 * hours and bisecting; no zone compared here changes twice in six hours. */
static size_t glibc_changes(int64_t t0, int64_t t1, struct change **ret)
{
	struct change *v = NULL;
	size_t n = 0, cap = 0;
	int32_t prev = glibc_offset(t0);
	for (int64_t a = t0; a < t1; a += 6 * 3600) {
		int64_t b = a + 6 * 3600;
		int32_t ob = glibc_offset(b);
		if (ob == prev)
			continue;
		int64_t lo = a, hi = b;
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (glibc_offset(mid) == prev)
				lo = mid;
			else
				hi = mid;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n++] = (struct change){ .at = hi, .before = prev, .after = ob };
		prev = ob;
	}
	*ret = v;
	return n;
}

/* tz.h's reading of a wall-clock time, worked out from glibc's changes
 * alone: the earliest instant showing `local`, or in a gap the offset from
 * before the gap. */
static int64_t reference_local_to_instant(const struct change *c, size_t n, int32_t first_off,
					  int64_t t0, int64_t local)
{
	for (size_t k = 0; k <= n; k++) {
		int32_t off = k == 0 ? first_off : c[k - 1].after;
		int64_t start = k == 0 ? t0 : c[k - 1].at;
		int64_t t = local - off;
		if (t >= start && (k == n || t < c[k].at))
			return t;
	}
	for (size_t k = 0; k < n; k++)
		if (local >= c[k].at + c[k].before && local < c[k].at + c[k].after)
			return local - c[k].before;
	fail_msg("local time %lld is neither shown nor in a gap", (long long)local);
	return 0;
}

static void check_instant(const struct tz *tz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	assert_non_null(localtime_r(&tt, &tm));
	const cw_day want_day = date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	const int32_t want_secs = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;

	if (tz_offset(tz, t) != tm.tm_gmtoff)
		fail_msg("%s at %lld: offset %d, glibc %ld", tz_name(tz), (long long)t,
			 tz_offset(tz, t), tm.tm_gmtoff);
	assert_int_equal(tz_local_day(tz, t), want_day);
	assert_int_equal(tz_local_seconds(tz, t), want_secs);

	/* Back again: t itself, or in a fold the earlier instant. */
	int64_t u = tz_local_to_instant(tz, want_day, want_secs);
	assert_true(u <= t);
	assert_int_equal(tz_local_day(tz, u), want_day);
	assert_int_equal(tz_local_seconds(tz, u), want_secs);
}

static void check_local(const struct tz *tz, const struct change *c, size_t n, int32_t first_off,
			int64_t t0, int64_t local)
{
	const cw_day day = (cw_day)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
	const int32_t secs = (int32_t)(local - (int64_t)day * 86400);
	int64_t want = reference_local_to_instant(c, n, first_off, t0, local);
	int64_t got = tz_local_to_instant(tz, day, secs);
	if (got != want)
		fail_msg("%s: local %lld: instant %lld, expected %lld", tz_name(tz),
			 (long long)local, (long long)got, (long long)want);
}

static void compare_with_glibc(const char *zone)
{
	const int64_t t0 = utc(1900, 1, 1, 0, 0, 0), t1 = utc(2100, 12, 31, 23, 59, 59);
	_cleanup_free_ char *tzenv = xasprintf(":%s", zone);
	_cleanup_free_ struct change *c = NULL;
	uint64_t seed = 20261120;

	struct tz *tz = load(zone);
	assert_int_equal(setenv("TZ", tzenv, 1), 0);
	tzset();

	for (int i = 0; i < 20000; i++)
		check_instant(tz, random_between(&seed, t0, t1));

	size_t n = glibc_changes(t0, t1, &c);
	const int32_t first_off = glibc_offset(t0);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(tz_offset(tz, c[k].at - 1), c[k].before);
		assert_int_equal(tz_offset(tz, c[k].at), c[k].after);
		check_instant(tz, c[k].at - 1);
		check_instant(tz, c[k].at);
		/* Wall-clock times at both edges of every gap and fold. */
		const int64_t edges[] = {
			c[k].at + c[k].before - 1, c[k].at + c[k].before,
			c[k].at + c[k].after - 1, c[k].at + c[k].after,
			c[k].at + (c[k].before + c[k].after) / 2,
		};
		for (size_t e = 0; e < ELEMENTSOF(edges); e++)
			check_local(tz, c, n, first_off, t0, edges[e]);
	}
	for (int i = 0; i < 5000; i++)
		check_local(tz, c, n, first_off, t0,
			    random_between(&seed, t0 + 3 * 86400, t1 - 3 * 86400));

	unsetenv("TZ");
	tzset();
	tz_free(tz);
}

static void test_europe_london_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("Europe/London");
}

static void test_america_new_york_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("America/New_York");
}

static void test_australia_lord_howe_half_hour_dst_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("Australia/Lord_Howe");
}

static void test_asia_kolkata_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("Asia/Kolkata");
}

static void test_utc_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("UTC");
}

static void test_pacific_apia_date_line_jump_matches_glibc_1900_to_2100(void **state)
{
	compare_with_glibc("Pacific/Apia");
}

static void test_america_nuuk_negative_rule_time_matches_glibc_1900_to_2100(void **state)
{
	/* Footer "<-02>2<-01>,M3.5.0/-1,M10.5.0/0" governs 2038 on. */
	compare_with_glibc("America/Nuuk");
}

static void test_asia_jerusalem_rule_time_26h_matches_glibc_1900_to_2100(void **state)
{
	/* Footer "IST-2IDT,M3.4.4/26,M10.5.0" governs 2038 on. */
	compare_with_glibc("Asia/Jerusalem");
}

/* ---- Local days, midnight, gaps and folds ---- */

static void test_bst_late_evening_utc_is_next_local_day(void **state)
{
	struct tz *tz = load("Europe/London");
	int64_t t = utc(2026, 6, 30, 23, 30, 0);
	assert_int_equal(tz_local_day(tz, t), date_from_ymd(2026, 7, 1));
	assert_int_equal(tz_local_seconds(tz, t), 30 * 60);
	tz_free(tz);
}

static void test_gmt_late_evening_utc_stays_same_local_day(void **state)
{
	struct tz *tz = load("Europe/London");
	int64_t t = utc(2026, 12, 31, 23, 30, 0);
	assert_int_equal(tz_local_day(tz, t), date_from_ymd(2026, 12, 31));
	assert_int_equal(tz_local_seconds(tz, t), 23 * 3600 + 30 * 60);
	tz_free(tz);
}

static void test_instant_at_local_midnight_starts_the_day(void **state)
{
	struct tz *tz = load("Europe/London");
	/* 2026-07-01 00:00 BST. */
	int64_t t = utc(2026, 6, 30, 23, 0, 0);
	assert_int_equal(tz_local_day(tz, t), date_from_ymd(2026, 7, 1));
	assert_int_equal(tz_local_seconds(tz, t), 0);
	assert_int_equal(tz_local_day(tz, t - 1), date_from_ymd(2026, 6, 30));
	assert_int_equal(tz_local_seconds(tz, t - 1), 86399);
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 7, 1), 0), t);
	tz_free(tz);
	/* And before 1970, where the division rounds the other way. */
	tz = load("America/New_York");
	t = utc(1969, 1, 1, 5, 0, 0);
	assert_int_equal(tz_local_day(tz, t), date_from_ymd(1969, 1, 1));
	assert_int_equal(tz_local_seconds(tz, t), 0);
	assert_int_equal(tz_local_seconds(tz, t - 1), 86399);
	tz_free(tz);
}

static void test_local_time_in_spring_gap_is_read_as_gmt(void **state)
{
	/* 01:30 on 29 March 2026 never happens in London: read with GMT, the
	 * offset before the gap, it is 01:30Z, which the clocks call 02:30. */
	struct tz *tz = load("Europe/London");
	int64_t t = tz_local_to_instant(tz, date_from_ymd(2026, 3, 29), 3600 + 1800);
	assert_int_equal(t, utc(2026, 3, 29, 1, 30, 0));
	assert_int_equal(tz_local_seconds(tz, t), 2 * 3600 + 1800);
	/* The edges: 00:59:59 is GMT, 02:00 is BST. */
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 3, 29), 3599),
			 utc(2026, 3, 29, 0, 59, 59));
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 3, 29), 2 * 3600),
			 utc(2026, 3, 29, 1, 0, 0));
	tz_free(tz);
}

static void test_local_time_in_autumn_fold_is_the_earlier_bst_instant(void **state)
{
	/* 01:30 on 25 October 2026 happens twice; the first is BST, 00:30Z. */
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 10, 25), 3600 + 1800),
			 utc(2026, 10, 25, 0, 30, 0));
	/* 02:00 happens once, in GMT. */
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 10, 25), 2 * 3600),
			 utc(2026, 10, 25, 2, 0, 0));
	/* 00:59:59 happens once, in BST. */
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 10, 25), 3599),
			 utc(2026, 10, 24, 23, 59, 59));
	tz_free(tz);
}

static void test_lord_howe_half_hour_gap_and_fold(void **state)
{
	struct tz *tz = load("Australia/Lord_Howe");
	/* 4 October 2026: 02:00 +10:30 becomes 02:30 +11 at 15:30Z. */
	assert_int_equal(tz_offset(tz, utc(2026, 10, 3, 15, 29, 59)), 37800);
	assert_int_equal(tz_offset(tz, utc(2026, 10, 3, 15, 30, 0)), 39600);
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 10, 4), 2 * 3600 + 15 * 60),
			 utc(2026, 10, 3, 15, 45, 0));
	/* 5 April 2026: 02:00 +11 becomes 01:30 +10:30 at 15:00Z; 01:45
	 * comes twice and the first is in +11. */
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2026, 4, 5), 3600 + 45 * 60),
			 utc(2026, 4, 4, 14, 45, 0));
	tz_free(tz);
}

static void test_apia_skipped_30_december_2011(void **state)
{
	/* At 10:00Z on 30 December 2011 Samoa went from -10 to +14. */
	struct tz *tz = load("Pacific/Apia");
	int64_t jump = utc(2011, 12, 30, 10, 0, 0);
	assert_int_equal(tz_local_day(tz, jump - 1), date_from_ymd(2011, 12, 29));
	assert_int_equal(tz_local_seconds(tz, jump - 1), 86399);
	assert_int_equal(tz_local_day(tz, jump), date_from_ymd(2011, 12, 31));
	assert_int_equal(tz_local_seconds(tz, jump), 0);
	/* Noon of the missing day, read with -10 as if nothing had changed. */
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2011, 12, 30), 12 * 3600),
			 utc(2011, 12, 30, 22, 0, 0));
	tz_free(tz);
}

/* The earliest instant showing `local`, by trying every minute around it;
 * failing that, `local` is in the gap opened by some change and is read with
 * the offset before it. */
static int64_t brute_local_to_instant(const struct tz *tz, const int64_t *at, size_t n, int64_t local)
{
	for (int64_t t = local - 4 * 3600; t <= local + 4 * 3600; t += 60)
		if (t + tz_offset(tz, t) == local)
			return t;
	for (size_t k = 0; k < n; k++) {
		int32_t before = tz_offset(tz, at[k] - 1), after = tz_offset(tz, at[k]);
		if (local >= at[k] + before && local < at[k] + after)
			return local - before;
	}
	fail_msg("local %lld is neither shown nor in a gap", (long long)local);
	return 0;
}

static void test_local_to_instant_with_changes_half_an_hour_apart(void **state)
{
	/* Two changes 30 minutes apart: gap then gap, fold then fold, gap
	 * then fold, fold then gap. Whole minutes throughout, so trying every
	 * minute finds every instant. */
	static const int64_t at[] = { 1000000020, 1000000020 + 1800 };
	static const uint8_t idx[] = { 1, 2 };
	static const int32_t types[][3] = {
		{ 0, 3600, 7200 }, { 7200, 3600, 0 }, { 0, 7200, 3600 }, { 3600, 0, 5400 },
	};
	for (size_t i = 0; i < ELEMENTSOF(types); i++) {
		const struct zone z = { .n = 2, .at = at, .idx = idx, .ntypes = 3, .utoff = types[i] };
		size_t len;
		_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &z, "", &len);
		struct tz *tz = NULL;
		assert_int_equal(tz_load_data("Test/Close", data, len, &tz, NULL), 0);
		for (int64_t local = at[0] - 3 * 3600; local <= at[1] + 5 * 3600; local += 60) {
			const cw_day day = (cw_day)(local / 86400);
			int64_t got = tz_local_to_instant(tz, day, (int32_t)(local - (int64_t)day * 86400));
			int64_t want = brute_local_to_instant(tz, at, ELEMENTSOF(at), local);
			if (got != want)
				fail_msg("offsets %d %d %d, local %lld: %lld, expected %lld", types[i][0],
					 types[i][1], types[i][2], (long long)local, (long long)got, (long long)want);
		}
		tz_free(tz);
	}
	/* One by hand: in the fold-then-fold zone, 02:05 after the first
	 * change shows only in the last stretch (offset 0). */
	size_t len;
	const struct zone z = { .n = 2, .at = at, .idx = idx, .ntypes = 3, .utoff = types[1] };
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &z, "", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/Close", data, len, &tz, NULL), 0);
	const int64_t local = at[0] + 7500;
	const cw_day day = (cw_day)(local / 86400);
	assert_int_equal(tz_local_to_instant(tz, day, (int32_t)(local - (int64_t)day * 86400)), local);
	tz_free(tz);
}

/* ---- The footer's POSIX TZ string ---- */

static void test_footer_us_rules_second_sunday_march_first_sunday_november(void **state)
{
	/* 2050: 13 March and 6 November, at 02:00 local. */
	struct tz *tz = load_footer("EST5EDT,M3.2.0,M11.1.0");
	assert_int_equal(tz_offset(tz, utc(2050, 3, 13, 6, 59, 59)), -5 * 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 13, 7, 0, 0)), -4 * 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 11, 6, 5, 59, 59)), -4 * 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 11, 6, 6, 0, 0)), -5 * 3600);
	/* Without transitions the rule also governs the past. */
	assert_int_equal(tz_offset(tz, utc(1990, 7, 1, 0, 0, 0)), -4 * 3600);
	tz_free(tz);
}

static void test_footer_dst_without_rule_defaults_to_us_rules(void **state)
{
	struct tz *tz = load_footer("EST5EDT");
	assert_int_equal(tz_offset(tz, utc(2050, 3, 13, 6, 59, 59)), -5 * 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 13, 7, 0, 0)), -4 * 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 11, 6, 6, 0, 0)), -5 * 3600);
	tz_free(tz);
}

static void test_footer_julian_day_never_counts_february_29(void **state)
{
	/* J60 is 1 March in 2051 and in leap year 2052. */
	struct tz *tz = load_footer("<+01>-1<+02>,J60/0,J300/0");
	assert_int_equal(tz_offset(tz, utc(2051, 2, 28, 22, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2051, 2, 28, 23, 0, 0)), 7200);
	assert_int_equal(tz_offset(tz, utc(2052, 2, 29, 22, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2052, 2, 29, 23, 0, 0)), 7200);
	tz_free(tz);
}

static void test_footer_zero_based_day_counts_february_29(void **state)
{
	/* Day 59 is 1 March in 2051 but 29 February in leap year 2052. */
	struct tz *tz = load_footer("<+01>-1<+02>,59/0,299/0");
	assert_int_equal(tz_offset(tz, utc(2051, 2, 28, 22, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2051, 2, 28, 23, 0, 0)), 7200);
	assert_int_equal(tz_offset(tz, utc(2052, 2, 28, 22, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2052, 2, 28, 23, 0, 0)), 7200);
	tz_free(tz);
}

static void test_footer_negative_rule_time_is_the_evening_before(void **state)
{
	/* Nuuk: -1:00 on the last Sunday of March 2050 (the 27th) is 23:00
	 * on Saturday in -02, so 01:00Z on Sunday; back at 00:00 -01 on 30
	 * October, also 01:00Z. */
	struct tz *tz = load_footer("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	assert_int_equal(tz_offset(tz, utc(2050, 3, 27, 0, 59, 59)), -7200);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 27, 1, 0, 0)), -3600);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 30, 0, 59, 59)), -3600);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 30, 1, 0, 0)), -7200);
	tz_free(tz);
}

static void test_footer_rule_time_beyond_24h_is_the_next_day(void **state)
{
	/* Israel: 26:00 on the fourth Thursday of March 2050 (the 24th) is
	 * 02:00 +02 on Friday, 00:00Z; back at 02:00 +03 on Sunday 30
	 * October, 23:00Z on the 29th. */
	struct tz *tz = load_footer("IST-2IDT,M3.4.4/26,M10.5.0");
	assert_int_equal(tz_offset(tz, utc(2050, 3, 24, 23, 59, 59)), 7200);
	assert_int_equal(tz_offset(tz, utc(2050, 3, 25, 0, 0, 0)), 10800);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 29, 22, 59, 59)), 10800);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 29, 23, 0, 0)), 7200);
	tz_free(tz);
}

static void test_footer_change_just_after_new_year(void **state)
{
	/* Clocks go forward at 01:00 on 1 January: the change after New
	 * Year's Eve belongs to the next year's rule. */
	struct tz *tz = load_footer("<+01>-1<+02>,J1/1,J180");
	const cw_day jan1 = date_from_ymd(2051, 1, 1);
	assert_int_equal(tz_offset(tz, utc(2050, 12, 31, 23, 59, 59)), 3600);
	assert_int_equal(tz_offset(tz, utc(2051, 1, 1, 0, 0, 0)), 7200);
	assert_int_equal(tz_local_to_instant(tz, jan1 - 1, 23 * 3600), utc(2050, 12, 31, 22, 0, 0));
	assert_int_equal(tz_local_to_instant(tz, jan1, 3600 + 1800), utc(2051, 1, 1, 0, 30, 0));
	assert_int_equal(tz_local_to_instant(tz, jan1, 3 * 3600), utc(2051, 1, 1, 1, 0, 0));
	tz_free(tz);
}

static void test_footer_dst_all_year(void **state)
{
	/* RFC 8536 3.3.1: "DST is in effect all year if it starts January 1
	 * at 00:00 and ends December 31 at 24:00 plus the difference". */
	struct tz *tz = load_footer("EST5EDT,0/0,J365/25");
	const int64_t probes[] = {
		utc(2050, 1, 1, 4, 59, 59), utc(2050, 1, 1, 5, 0, 0), utc(2050, 1, 1, 5, 0, 1),
		utc(2050, 7, 1, 12, 0, 0), utc(2050, 12, 31, 23, 59, 59), utc(2052, 2, 29, 12, 0, 0),
	};
	for (size_t i = 0; i < ELEMENTSOF(probes); i++)
		assert_int_equal(tz_offset(tz, probes[i]), -4 * 3600);
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(2051, 1, 1), 1800),
			 utc(2051, 1, 1, 4, 30, 0));
	tz_free(tz);
}

static void test_footer_southern_dst_spans_new_year(void **state)
{
	/* 2050: ends 03:00 +11 on 3 April, starts 02:00 +10 on 2 October. */
	struct tz *tz = load_footer("AEST-10AEDT,M10.1.0,M4.1.0/3");
	assert_int_equal(tz_offset(tz, utc(2050, 1, 1, 0, 0, 0)), 39600);
	assert_int_equal(tz_offset(tz, utc(2050, 4, 2, 15, 59, 59)), 39600);
	assert_int_equal(tz_offset(tz, utc(2050, 4, 2, 16, 0, 0)), 36000);
	assert_int_equal(tz_offset(tz, utc(2050, 7, 1, 0, 0, 0)), 36000);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 1, 15, 59, 59)), 36000);
	assert_int_equal(tz_offset(tz, utc(2050, 10, 1, 16, 0, 0)), 39600);
	assert_int_equal(tz_offset(tz, utc(2050, 12, 31, 23, 0, 0)), 39600);
	tz_free(tz);
}

static void test_footer_explicit_half_hour_dst_offset(void **state)
{
	struct tz *tz = load_footer("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
	assert_int_equal(tz_offset(tz, utc(2050, 1, 15, 0, 0, 0)), 39600);
	assert_int_equal(tz_offset(tz, utc(2050, 7, 15, 0, 0, 0)), 37800);
	tz_free(tz);
}

static void test_footer_quoted_names_and_fixed_offsets(void **state)
{
	struct tz *tz = load_footer("<+03>-3");
	assert_int_equal(tz_offset(tz, utc(2050, 1, 1, 0, 0, 0)), 10800);
	assert_int_equal(tz_offset(tz, utc(2050, 7, 1, 0, 0, 0)), 10800);
	tz_free(tz);
	tz = load_footer("<-0330>3:30");
	assert_int_equal(tz_offset(tz, utc(2050, 7, 1, 0, 0, 0)), -12600);
	tz_free(tz);
	tz = load_footer("UTC0");
	assert_int_equal(tz_offset(tz, utc(2050, 7, 1, 0, 0, 0)), 0);
	tz_free(tz);
}

static void test_footer_rule_repeats_every_400_years(void **state)
{
	/* The Gregorian calendar repeats every 400 years, which are a whole
	 * number of weeks (146097 days), and so does any footer rule: 2440 on
	 * must agree with 2040 on, where glibc has been compared. */
	static const char *const zones[] = {
		"Europe/London", "America/New_York", "Australia/Lord_Howe",
		"America/Nuuk", "Asia/Jerusalem", "America/Santiago",
	};
	const int64_t cycle = INT64_C(146097) * 86400;
	uint64_t seed = 400;
	for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
		struct tz *tz = load(zones[z]);
		for (int i = 0; i < 20000; i++) {
			int64_t t = random_between(&seed, utc(2040, 1, 1, 0, 0, 0), utc(2100, 12, 31, 0, 0, 0));
			if (tz_offset(tz, t) != tz_offset(tz, t + cycle))
				fail_msg("%s: %lld and 400 years on differ", zones[z], (long long)t);
			assert_int_equal(tz_local_day(tz, t) + 146097, tz_local_day(tz, t + cycle));
			cw_day day = tz_local_day(tz, t);
			int32_t secs = tz_local_seconds(tz, t);
			assert_int_equal(tz_local_to_instant(tz, day, secs) + cycle,
					 tz_local_to_instant(tz, day + 146097, secs));
		}
		tz_free(tz);
	}
}

static void test_slim_file_agrees_with_fat_file_after_last_transition(void **state)
{
	/* Built like "zic -b slim": New York's table stops at the last change
	 * of rules (4 November 2007) and the footer does the rest. */
	static const int64_t at[] = { 1194156000 }; /* 2007-11-04T06:00:00Z */
	static const uint8_t idx[] = { 1 };
	static const int32_t types[] = { -4 * 3600, -5 * 3600 };
	static const struct zone z = { .n = 1, .at = at, .idx = idx, .ntypes = 2, .utoff = types };
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &z, "EST5EDT,M3.2.0,M11.1.0", &len);
	struct tz *slim = NULL;
	assert_int_equal(tz_load_data("Test/Slim", data, len, &slim, NULL), 0);
	struct tz *fat = load("America/New_York");
	uint64_t seed = 2007;
	for (int i = 0; i < 50000; i++) {
		int64_t t = random_between(&seed, at[0], utc(2499, 12, 31, 0, 0, 0));
		if (tz_offset(slim, t) != tz_offset(fat, t))
			fail_msg("at %lld: slim %d, fat %d", (long long)t, tz_offset(slim, t), tz_offset(fat, t));
		cw_day day = (cw_day)random_between(&seed, date_from_ymd(2007, 11, 5), date_from_ymd(2499, 12, 31));
		int32_t secs = (int32_t)random_between(&seed, 0, 86399);
		assert_int_equal(tz_local_to_instant(slim, day, secs), tz_local_to_instant(fat, day, secs));
	}
	/* Every change, to the second. */
	for (int y = 2008; y <= 2110; y++) {
		int64_t start = (int64_t)date_nth_weekday(y, 3, WD_SUNDAY, 2) * 86400 + 7 * 3600;
		int64_t end = (int64_t)date_nth_weekday(y, 11, WD_SUNDAY, 1) * 86400 + 6 * 3600;
		assert_int_equal(tz_offset(slim, start - 1), -5 * 3600);
		assert_int_equal(tz_offset(slim, start), -4 * 3600);
		assert_int_equal(tz_offset(slim, end - 1), -4 * 3600);
		assert_int_equal(tz_offset(slim, end), -5 * 3600);
	}
	tz_free(fat);
	tz_free(slim);
}

static void test_invalid_footer_strings_are_rejected(void **state)
{
	static const char *const bad[] = {
		"EST",                          /* no offset */
		"ES5",                          /* name of two letters */
		"<+03-3",                       /* unterminated quote */
		"UTC0x",                        /* trailing garbage */
		"EST25",                        /* offset beyond 24 h */
		"EST5:60",                      /* minute 60 */
		"EST5EDT,M13.1.0,M11.1.0",      /* month 13 */
		"EST5EDT,M3.6.0,M11.1.0",       /* week 6 */
		"EST5EDT,M3.2.7,M11.1.0",       /* weekday 7 */
		"EST5EDT,M3.2.0",               /* no end */
		"EST5EDT,M3.2.0,",              /* empty end */
		"EST5EDT,J0,J365",              /* Julian day 0 */
		"EST5EDT,366,J365",             /* zero-based day 366 */
		"EST5EDT,M3.2.0/168,M11.1.0",   /* beyond 167 h */
		"EST5EDT,M3.2.0/,M11.1.0",      /* empty time */
		"EST5EDT,M3.2.0,M11.1.0,",      /* a third rule */
		"EST5EDT;M3.2.0,M11.1.0",       /* not a comma */
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		size_t len;
		_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &empty_zone, bad[i], &len);
		assert_rejected(data, len, bad[i], "invalid TZ string");
	}
}

/* ---- TZif structure ---- */

static const int64_t two_at[] = { 1000000000, 2000000000 };
static const uint8_t two_idx[] = { 1, 2 };
static const int32_t three_types[] = { 3600, 7200, -3600 };
static const struct zone two_changes = {
	.n = 2, .at = two_at, .idx = two_idx, .ntypes = 3, .utoff = three_types,
};

static void test_version1_file_keeps_last_type_after_last_transition(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('\0', &two_changes, NULL, NULL, &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/V1", data, len, &tz, NULL), 0);
	assert_string_equal(tz_name(tz), "Test/V1");
	assert_int_equal(tz_offset(tz, 999999999), 3600);
	assert_int_equal(tz_offset(tz, 1000000000), 7200);
	assert_int_equal(tz_offset(tz, 1999999999), 7200);
	assert_int_equal(tz_offset(tz, 2000000000), -3600);
	assert_int_equal(tz_offset(tz, utc(2200, 1, 1, 0, 0, 0)), -3600);
	tz_free(tz);
}

static void test_before_first_transition_uses_type_0_not_first_transitions_type(void **state)
{
	/* The first transition goes to type 1 (+2h); before it is type 0. */
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &two_changes, &two_changes, "<-01>1", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/V2", data, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 0), 3600);
	assert_int_equal(tz_offset(tz, INT64_MIN), 3600);
	assert_int_equal(tz_offset(tz, 1000000000), 7200);
	tz_free(tz);
}

static void test_version2_reads_64bit_block_not_version1_block(void **state)
{
	/* The v1 block says +1h always; the v2 block has a change in 2242
	 * that 32-bit times cannot hold. */
	static const int32_t plus1[] = { 3600 };
	static const struct zone v1 = { .ntypes = 1, .utoff = plus1 };
	static const int64_t at[] = { INT64_C(1) << 33 };
	static const uint8_t idx[] = { 1 };
	static const int32_t types[] = { 7200, 10800 };
	static const struct zone v2 = { .n = 1, .at = at, .idx = idx, .ntypes = 2, .utoff = types };
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &v1, &v2, "", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/V2", data, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 0), 7200);
	assert_int_equal(tz_offset(tz, (INT64_C(1) << 33) - 1), 7200);
	assert_int_equal(tz_offset(tz, INT64_C(1) << 33), 10800);
	assert_int_equal(tz_offset(tz, INT64_MAX), 10800);
	tz_free(tz);
}

static void test_version3_file_with_footer_after_table(void **state)
{
	/* A table ending in +1h from November 2023, then the footer's rule. */
	static const int64_t at[] = { 1700000000 };
	static const uint8_t idx[] = { 1 };
	static const int32_t types[] = { 0, 3600 };
	static const struct zone v2 = { .n = 1, .at = at, .idx = idx, .ntypes = 2, .utoff = types };
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('3', &empty_zone, &v2, "<+01>-1<+02>,M3.5.0/2,M10.5.0/3", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/V3", data, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 1699999999), 0);
	assert_int_equal(tz_offset(tz, 1700000000), 3600);
	assert_int_equal(tz_offset(tz, utc(2050, 7, 1, 0, 0, 0)), 7200);
	assert_int_equal(tz_offset(tz, utc(2050, 12, 1, 0, 0, 0)), 3600);
	tz_free(tz);
}

static void test_indicators_after_types_are_skipped(void **state)
{
	/* The indicators come after the designations and before the v2
	 * header, so a wrong skip would misread everything after them. */
	static const struct zone z = {
		.n = 2, .at = two_at, .idx = two_idx, .ntypes = 3, .utoff = three_types, .indicators = true,
	};
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &z, &z, "<-01>1", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/Indicators", data, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 0), 3600);
	assert_int_equal(tz_offset(tz, 1500000000), 7200);
	assert_int_equal(tz_offset(tz, utc(2100, 1, 1, 0, 0, 0)), -3600);
	tz_free(tz);
	/* And version 1 alone. */
	_cleanup_free_ uint8_t *v1 = make_tzif('\0', &z, NULL, NULL, &len);
	assert_int_equal(tz_load_data("Test/Indicators", v1, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 1500000000), 7200);
	tz_free(tz);
}

static void test_leap_second_zone_is_rejected(void **state)
{
	/* A "right/" zone counts leap seconds, which POSIX instants do not. */
	static const struct zone z = {
		.n = 2, .at = two_at, .idx = two_idx, .ntypes = 3, .utoff = three_types, .nleap = 3,
	};
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &z, "<-01>1", &len);
	assert_rejected(data, len, "leap seconds", "leap seconds");
}

static void test_no_transitions_and_empty_footer_uses_type_0(void **state)
{
	static const int32_t types[] = { -12600 };
	static const struct zone z = { .ntypes = 1, .utoff = types };
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &z, &z, "", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/Fixed", data, len, &tz, NULL), 0);
	assert_int_equal(tz_offset(tz, 0), -12600);
	assert_int_equal(tz_offset(tz, utc(2199, 1, 1, 0, 0, 0)), -12600);
	tz_free(tz);
}

static void test_footer_disagreeing_with_last_transition_is_rejected(void **state)
{
	/* The table ends in +1h in July 2033; the rule says +2h then. */
	static const int64_t at[] = { 2004000000 };
	static const uint8_t idx[] = { 1 };
	static const int32_t types[] = { 0, 3600 };
	static const struct zone v2 = { .n = 1, .at = at, .idx = idx, .ntypes = 2, .utoff = types };
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &v2, "<+01>-1<+02>,M3.5.0,M10.5.0", &len);
	assert_rejected(data, len, "inconsistent footer", "disagrees with the last transition");
}

static void test_every_truncation_of_a_tzif_file_is_rejected(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &two_changes, &two_changes, "<-01>1", &len);
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/Full", data, len, &tz, NULL), 0);
	tz_free(tz);
	/* Each prefix in a buffer of its own size, so that the sanitizer sees
	 * any read beyond it. */
	for (size_t n = 0; n < len; n++) {
		_cleanup_free_ uint8_t *p = xmalloc(n);
		memcpy(p, data, n);
		assert_rejected(p, n, "truncated", NULL);
	}
}

static uint8_t *read_london(size_t *ret_len)
{
	char *data = NULL;
	int r = read_file(ZONEINFO_DIR "/Europe/London", &data, ret_len);
	assert_int_equal(r, 0);
	return (uint8_t *)data;
}

static void test_every_truncation_of_europe_london_is_rejected(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *data = read_london(&len);
	for (size_t n = 0; n < len; n++) {
		_cleanup_free_ uint8_t *p = xmalloc(n);
		memcpy(p, data, n);
		assert_rejected(p, n, "truncated London", NULL);
	}
}

static void test_garbage_is_rejected_with_reason(void **state)
{
	static const char text[] = "# tzdb timezone descriptions\nGB\t+513030-0000731\tEurope/London\n";
	assert_rejected(text, sizeof(text) - 1, "text", "not a TZif file");
	assert_rejected("", 0, "empty", "not a TZif file");
	assert_rejected("TZif", 4, "magic only", "truncated TZif header");

	struct tz *tz = NULL;
	char *err = NULL;
	assert_int_equal(tz_load_data("Test/Text", text, sizeof(text) - 1, &tz, &err), -EINVAL);
	assert_string_equal(err, "time zone Test/Text: not a TZif file");
	free(err);
}

static void test_corrupt_header_and_data_are_rejected(void **state)
{
	size_t len;
	_cleanup_free_ uint8_t *good = make_tzif('2', &two_changes, &two_changes, "<-01>1", &len);
	_cleanup_free_ uint8_t *p = xmalloc(len);
	/* The v1 block: header, 2 * 4-byte times, 2 indices, 3 types, 4 chars. */
	const size_t v2 = 44 + 2 * 4 + 2 + 3 * 6 + 4;
	const size_t v2_times = v2 + 44, v2_idx = v2_times + 2 * 8, v2_types = v2_idx + 2;
	struct {
		size_t at;
		uint32_t value;
		bool byte;
		const char *what, *reason;
	} cases[] = {
		{ 4, '5', true, "version 5", "unsupported TZif version" },
		{ 4, '1', true, "version '1'", "unsupported TZif version" },
		{ 0, 'X', true, "bad magic", "not a TZif file" },
		{ 32, 0xffffffff, false, "v1 timecnt 2^32-1", "truncated TZif data" },
		{ 36, 0xffffffff, false, "v1 typecnt 2^32-1", "truncated TZif data" },
		{ 40, 0xffffffff, false, "v1 charcnt 2^32-1", "truncated TZif data" },
		{ 28, 0xffffffff, false, "v1 leapcnt 2^32-1", "truncated TZif data" },
		{ 36, 0, false, "v1 typecnt 0", "no local time types" },
		{ v2 + 4, '\0', true, "second header of version 1", "version 1 header" },
		{ v2 + 20, 1, false, "isutcnt 1 with 3 types", "inconsistent counts" },
		{ v2 + 24, 2, false, "isstdcnt 2 with 3 types", "inconsistent counts" },
		{ v2 + 32, 3, false, "timecnt one too many", "truncated TZif data" },
		{ v2 + 32, 0x80000000, false, "timecnt 2^31", "truncated TZif data" },
		{ v2 + 36, 0, false, "typecnt 0", "no local time types" },
		{ v2 + 40, 0, false, "charcnt 0", "no time zone designations" },
		{ v2_times + 8 + 4, 1000000000, false, "second time equal to the first", "out of order" },
		{ v2_idx + 1, 3, true, "type index 3 of 3", "undefined local time type" },
		{ v2_types, 0x80000000, false, "utoff -2^31", "offset beyond" },
		{ v2_types + 6, 93600, false, "utoff 26 h", "offset beyond" },
		/* The file ends "\n<-01>1\n". */
		{ len - 8, 'x', true, "no newline before footer", "footer missing" },
		{ len - 7, 'x', true, "bad footer", "invalid TZ string" },
		{ len - 5, '\0', true, "NUL in footer", "NUL" },
		{ len - 1, ' ', true, "footer without final newline", "not terminated" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		memcpy(p, good, len);
		if (cases[i].byte)
			p[cases[i].at] = (uint8_t)cases[i].value;
		else
			set_be32(p + cases[i].at, cases[i].value);
		assert_rejected(p, len, cases[i].what, cases[i].reason);
	}
	/* And the file itself was fine. */
	struct tz *tz = NULL;
	assert_int_equal(tz_load_data("Test/Good", good, len, &tz, NULL), 0);
	tz_free(tz);
}

static void test_random_corruption_of_europe_london_never_misbehaves(void **state)
{
	/* Run under the sanitizers: whatever the bytes, a clean load or
	 * -EINVAL with a reason, and no read beyond the buffer. */
	size_t len;
	_cleanup_free_ uint8_t *data = read_london(&len);
	_cleanup_free_ uint8_t *p = xmalloc(len);
	uint64_t seed = 8536;
	int loaded = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(p, data, len);
		int flips = 1 + (int)(splitmix64(&seed) % 4);
		for (int f = 0; f < flips; f++)
			p[splitmix64(&seed) % len] = (uint8_t)splitmix64(&seed);
		struct tz *tz = NULL;
		char *err = NULL;
		int r = tz_load_data("Test/Fuzz", p, len, &tz, &err);
		if (r == 0) {
			assert_null(err);
			loaded++;
			for (int k = 0; k < 20; k++) {
				int64_t t = random_between(&seed, utc(1, 1, 1, 0, 0, 0), utc(9999, 12, 31, 23, 59, 59));
				int32_t s = tz_local_seconds(tz, t);
				assert_true(s >= 0 && s < 86400);
				(void)tz_local_to_instant(tz, tz_local_day(tz, t), s);
			}
			tz_free(tz);
		} else {
			assert_int_equal(r, -EINVAL);
			assert_non_null(err);
			free(err);
		}
	}
	/* A flip in the skipped version 1 block or an abbreviation leaves a
	 * valid file (about a third of them here); both outcomes must occur,
	 * or the loop above checked less than it claims. */
	assert_true(loaded > 0 && loaded < 3000);
}

/* ---- Loading by name ---- */

static void test_load_utc(void **state)
{
	struct tz *tz = load("UTC");
	assert_string_equal(tz_name(tz), "UTC");
	assert_int_equal(tz_offset(tz, 0), 0);
	assert_int_equal(tz_offset(tz, utc(2199, 7, 1, 0, 0, 0)), 0);
	tz_free(tz);
}

static void test_load_unknown_zone_is_enoent(void **state)
{
	const char *names[] = { "Europe/Nowhere", "Nowhere", "Europe", "Europe/London/x" };
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		struct tz *tz = NULL;
		char *err = NULL;
		assert_int_equal(tz_load(names[i], &tz, &err), -ENOENT);
		assert_null(tz);
		assert_non_null(err);
		assert_non_null(strstr(err, names[i]));
		free(err);
	}
}

static void test_load_rejects_names_escaping_zoneinfo_or_odd(void **state)
{
	const char *names[] = {
		"../etc/passwd", "/etc/passwd", "Europe/../../etc/passwd", "Europe/..", "..",
		"", "Europe/Lon don", "Europe/London\n", "Europe\\London", "UTC;", "Europe/Londön",
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		struct tz *tz = NULL;
		char *err = NULL;
		if (tz_load(names[i], &tz, &err) != -EINVAL)
			fail_msg("name \"%s\" accepted", names[i]);
		assert_null(tz);
		assert_non_null(err);
		assert_null(strchr(err, '\n'));
		free(err);
	}
	/* Dots inside a component are fine. */
	struct tz *tz = load("Etc/GMT+5");
	assert_int_equal(tz_offset(tz, 0), -5 * 3600);
	tz_free(tz);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_honours_tzdir(void **state)
{
	char dir[] = "/tmp/test-tz.XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *sub = xasprintf("%s/Test", dir);
	_cleanup_free_ char *zone = xasprintf("%s/Test/Zone", dir);
	_cleanup_free_ char *text = xasprintf("%s/Test/Text", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	size_t len;
	_cleanup_free_ uint8_t *data = make_tzif('2', &empty_zone, &empty_zone, "<+05>-5", &len);
	write_file(zone, data, len);
	write_file(text, "hello\n", 6);

	/* Every load first, so that a failure leaves neither $TZDIR nor files
	 * behind for the tests after this one. */
	_cleanup_free_ char *saved = getenv("TZDIR") ? xstrdup(getenv("TZDIR")) : NULL;
	assert_int_equal(setenv("TZDIR", dir, 1), 0);
	struct tz *tz = NULL, *text_tz = NULL, *london = NULL;
	_cleanup_free_ char *err_zone = NULL, *err_text = NULL, *err_london = NULL;
	int r_zone = tz_load("Test/Zone", &tz, &err_zone);
	int r_text = tz_load("Test/Text", &text_tz, &err_text);
	int r_london = tz_load("Europe/London", &london, &err_london);
	if (saved)
		setenv("TZDIR", saved, 1);
	else
		unsetenv("TZDIR");
	unlink(zone);
	unlink(text);
	rmdir(sub);
	rmdir(dir);

	assert_int_equal(r_zone, 0);
	assert_int_equal(tz_offset(tz, 0), 5 * 3600);
	tz_free(tz);
	assert_int_equal(r_text, -EINVAL);
	assert_null(text_tz);
	assert_string_equal(err_text, "time zone Test/Text: not a TZif file");
	assert_int_equal(r_london, -ENOENT);
	assert_null(london);
	assert_non_null(err_london);
}

/* ---- RFC 3339 parsing ---- */

static void expect_parse(const struct tz *tz, const char *s, int64_t want)
{
	int64_t t = -1;
	int r = tz_parse_timestamp(tz, s, &t);
	if (r != 0)
		fail_msg("\"%s\": %d", s, r);
	if (t != want)
		fail_msg("\"%s\": %lld, expected %lld", s, (long long)t, (long long)want);
}

static void expect_invalid(const char *s)
{
	struct tz *tz = load("Europe/London");
	int64_t t = 12345;
	int r = tz_parse_timestamp(tz, s, &t);
	if (r != -EINVAL)
		fail_msg("\"%s\": %d, expected -EINVAL", s, r);
	assert_int_equal(t, 12345);
	tz_free(tz);
}

static void test_parse_utc_designators_and_separators(void **state)
{
	struct tz *tz = load("Europe/London");
	const int64_t want = utc(2026, 11, 20, 16, 5, 0);
	expect_parse(tz, "2026-11-20T16:05:00Z", want);
	expect_parse(tz, "2026-11-20t16:05:00z", want);
	expect_parse(tz, "2026-11-20 16:05:00Z", want);
	/* In summer too: Z is UTC, not London. */
	expect_parse(tz, "2026-07-01T09:00:00Z", utc(2026, 7, 1, 9, 0, 0));
	tz_free(tz);
}

static void test_parse_numeric_offsets(void **state)
{
	struct tz *tz = load("Europe/London");
	expect_parse(tz, "2026-07-01T09:00:00+01:00", utc(2026, 7, 1, 8, 0, 0));
	expect_parse(tz, "2026-07-01T09:00:00-05:30", utc(2026, 7, 1, 14, 30, 0));
	expect_parse(tz, "2026-07-01T09:00:00-00:00", utc(2026, 7, 1, 9, 0, 0));
	expect_parse(tz, "2026-07-01T09:00:00+23:59", utc(2026, 6, 30, 9, 1, 0));
	expect_parse(tz, "2026-01-01T00:30:00+01:00", utc(2025, 12, 31, 23, 30, 0));
	tz_free(tz);
}

static void test_parse_drops_fractional_seconds(void **state)
{
	struct tz *tz = load("Europe/London");
	expect_parse(tz, "2026-07-01T09:00:00.999999999Z", utc(2026, 7, 1, 9, 0, 0));
	expect_parse(tz, "2026-07-01T09:00:00.5+01:00", utc(2026, 7, 1, 8, 0, 0));
	expect_parse(tz, "2026-07-01T09:00:00.25", utc(2026, 7, 1, 8, 0, 0));
	tz_free(tz);
}

static void test_parse_without_offset_is_local_in_summer_and_winter(void **state)
{
	struct tz *tz = load("Europe/London");
	expect_parse(tz, "2026-07-01T09:00:00", utc(2026, 7, 1, 8, 0, 0));
	expect_parse(tz, "2026-11-20T09:00:00", utc(2026, 11, 20, 9, 0, 0));
	/* The fold gives the earlier (BST) instant, the gap reads as GMT. */
	expect_parse(tz, "2026-10-25T01:30:00", utc(2026, 10, 25, 0, 30, 0));
	expect_parse(tz, "2026-03-29T01:30:00", utc(2026, 3, 29, 1, 30, 0));
	tz_free(tz);
	tz = load("America/New_York");
	expect_parse(tz, "2026-07-01T09:00:00", utc(2026, 7, 1, 13, 0, 0));
	expect_parse(tz, "2026-11-20T09:00:00", utc(2026, 11, 20, 14, 0, 0));
	tz_free(tz);
}

static void test_parse_accepts_years_0001_to_9999(void **state)
{
	struct tz *tz = load("UTC");
	expect_parse(tz, "0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0));
	expect_parse(tz, "9999-12-31T23:59:59Z", utc(9999, 12, 31, 23, 59, 59));
	expect_parse(tz, "2024-02-29T12:00:00Z", utc(2024, 2, 29, 12, 0, 0));
	tz_free(tz);
}

static void test_parse_rejects_february_30(void **state)
{
	expect_invalid("2026-02-30T10:00:00Z");
	expect_invalid("2026-02-29T10:00:00Z");
}

static void test_parse_rejects_hour_24(void **state)
{
	expect_invalid("2026-11-20T24:00:00Z");
}

static void test_parse_rejects_minute_60(void **state)
{
	expect_invalid("2026-11-20T10:60:00Z");
}

static void test_parse_rejects_second_60(void **state)
{
	/* Leap seconds have no POSIX instant. */
	expect_invalid("2016-12-31T23:59:60Z");
	expect_invalid("2026-11-20T10:00:61Z");
}

static void test_parse_rejects_date_without_time(void **state)
{
	expect_invalid("2026-11-20");
	expect_invalid("2026-11-20T");
}

static void test_parse_rejects_missing_seconds(void **state)
{
	expect_invalid("2026-11-20T10:00Z");
	expect_invalid("2026-11-20T10:00");
	expect_invalid("2026-11-20T10:00+01:00");
}

static void test_parse_rejects_offset_without_colon(void **state)
{
	expect_invalid("2026-11-20T10:00:00+2400");
	expect_invalid("2026-11-20T10:00:00+0100");
	expect_invalid("2026-11-20T10:00:00+01");
}

static void test_parse_rejects_offset_beyond_23_59(void **state)
{
	expect_invalid("2026-11-20T10:00:00+24:00");
	expect_invalid("2026-11-20T10:00:00-01:60");
}

static void test_parse_rejects_trailing_garbage(void **state)
{
	expect_invalid("2026-11-20T10:00:00Z ");
	expect_invalid("2026-11-20T10:00:00Zx");
	expect_invalid("2026-11-20T10:00:00+01:00:00");
	expect_invalid("2026-11-20T10:00:00 ");
	expect_invalid("2026-11-20T10:00:00x");
}

static void test_parse_rejects_empty_string(void **state)
{
	expect_invalid("");
}

static void test_parse_rejects_other_malformed_forms(void **state)
{
	expect_invalid("0000-01-01T00:00:00Z");
	expect_invalid("2026-11-20_10:00:00Z");
	expect_invalid("2026-11-20T10:00:00.Z");
	expect_invalid("2026-11-20T1:00:00Z");
	expect_invalid("2026-11-20T10-00-00Z");
	expect_invalid("2026-11-20T+1:00:00Z");
	expect_invalid("2026-1-20T10:00:00Z");
	expect_invalid("20261120T100000Z");
	expect_invalid("2026-11-20T10:00:00ZZ");
	expect_invalid("2026-11-20T10:00:00+0a:00");
}

/* ---- Formatting ---- */

static void expect_format(const char *zone, int64_t t, const char *want)
{
	struct tz *tz = load(zone);
	char buf[TZ_TIMESTAMP_STRLEN];
	assert_ptr_equal(tz_format_timestamp(tz, t, buf), buf);
	assert_string_equal(buf, want);
	tz_free(tz);
}

static void test_format_local_time_with_offset(void **state)
{
	expect_format("Europe/London", utc(2026, 7, 1, 8, 0, 0), "2026-07-01T09:00:00+01:00");
	expect_format("Europe/London", utc(2026, 11, 20, 16, 5, 0), "2026-11-20T16:05:00Z");
	expect_format("America/New_York", utc(2026, 11, 20, 16, 5, 9), "2026-11-20T11:05:09-05:00");
	expect_format("Asia/Kolkata", utc(2026, 12, 31, 20, 0, 0), "2027-01-01T01:30:00+05:30");
	expect_format("Australia/Lord_Howe", utc(2026, 7, 1, 0, 0, 0), "2026-07-01T10:30:00+10:30");
	expect_format("UTC", 0, "1970-01-01T00:00:00Z");
	expect_format("UTC", utc(1, 1, 1, 0, 0, 0), "0001-01-01T00:00:00Z");
	expect_format("UTC", utc(9999, 12, 31, 23, 59, 59), "9999-12-31T23:59:59Z");
}

static void test_format_cuts_local_mean_time_offset_to_minutes(void **state)
{
	/* London's LMT was -0:01:15; RFC 3339 offsets have no seconds. */
	expect_format("Europe/London", utc(1800, 1, 1, 12, 0, 0), "1800-01-01T11:59:00-00:01");
}

static void test_format_round_trips_through_parse(void **state)
{
	static const char *const zones[] = {
		"Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
		"UTC", "Pacific/Apia",
	};
	uint64_t seed = 3339;
	for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
		struct tz *tz = load(zones[z]);
		for (int i = 0; i < 5000; i++) {
			/* Local dates must stay within 0001-9999 to be parsed. */
			int64_t t = random_between(&seed, utc(1, 1, 2, 0, 0, 0), utc(9999, 12, 30, 0, 0, 0));
			char buf[TZ_TIMESTAMP_STRLEN];
			int64_t back = -1;
			tz_format_timestamp(tz, t, buf);
			if (tz_parse_timestamp(tz, buf, &back) != 0 || back != t)
				fail_msg("%s: %lld -> \"%s\" -> %lld", zones[z], (long long)t, buf, (long long)back);
		}
		tz_free(tz);
	}
}

/* tz_local_to_instants() gives, day by day, what tz_local_to_instant()
 * gives: over the calendar's whole range (the transitions' table, then the
 * footer rule), at midnight, in a gap's hour and in a fold's, in zones with
 * whole-day jumps and half-hour changes; and for a range of one day. */
static void test_local_to_instants_equals_day_by_day(void **state)
{
	static const char *const zones[] = {
		"Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
		"UTC", "Pacific/Apia", "America/Nuuk", "Asia/Jerusalem",
	};
	static const int32_t secs[] = { 0, 3600 + 1800, 5400, 86399 };
	const cw_day lo = date_from_ymd(1900, 1, 1), hi = date_from_ymd(2199, 12, 31);
	const size_t n = (size_t)(hi - lo + 1);
	int64_t *got = calloc(n, sizeof(int64_t));
	assert_non_null(got);
	for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
		struct tz *tz = load(zones[z]);
		for (size_t k = 0; k < ELEMENTSOF(secs); k++) {
			tz_local_to_instants(tz, lo, n, secs[k], got);
			for (size_t i = 0; i < n; i++) {
				int64_t want = tz_local_to_instant(tz, lo + (cw_day)i, secs[k]);
				if (got[i] != want)
					fail_msg("%s, day %d, %d s: %lld, expected %lld", zones[z], lo + (int)i,
						 secs[k], (long long)got[i], (long long)want);
			}
		}
		/* One day: the day of a change. */
		int64_t one = 0;
		cw_day change = date_from_ymd(2026, 3, 29);
		tz_local_to_instants(tz, change, 1, 5400, &one);
		assert_int_equal(one, tz_local_to_instant(tz, change, 5400));
		tz_free(tz);
	}
	free(got);
}

/* ---- Extremes ---- */

static void test_extreme_instants_and_days_do_not_overflow(void **state)
{
	/* Run under UBSan: every entry point with the most extreme inputs. */
	static const char *const zones[] = { "Europe/London", "Australia/Lord_Howe", "UTC" };
	const int64_t instants[] = {
		INT64_MIN, INT64_MIN + 1, -(INT64_C(1) << 50), utc(1, 1, 1, 0, 0, 0) - 1,
		utc(9999, 12, 31, 23, 59, 59) + 1, INT64_C(1) << 50, INT64_MAX - 1, INT64_MAX,
	};
	const cw_day days[] = {
		INT32_MIN, -1000000000, date_from_ymd(1, 1, 1),
		date_from_ymd(9999, 12, 31), 1000000000, INT32_MAX,
	};
	const int32_t secs[] = { INT32_MIN, -1, 0, 86399, 86400, INT32_MAX };
	for (size_t z = 0; z < ELEMENTSOF(zones); z++) {
		struct tz *tz = load(zones[z]);
		for (size_t i = 0; i < ELEMENTSOF(instants); i++) {
			char buf[TZ_TIMESTAMP_STRLEN];
			int32_t s = tz_local_seconds(tz, instants[i]);
			assert_true(s >= 0 && s < 86400);
			(void)tz_offset(tz, instants[i]);
			(void)tz_local_day(tz, instants[i]);
			assert_true(strlen(tz_format_timestamp(tz, instants[i], buf)) < TZ_TIMESTAMP_STRLEN);
		}
		for (size_t d = 0; d < ELEMENTSOF(days); d++)
			for (size_t s = 0; s < ELEMENTSOF(secs); s++)
				(void)tz_local_to_instant(tz, days[d], secs[s]);
		tz_free(tz);
	}

	/* The years 0001 and 9999 themselves convert exactly. */
	struct tz *tz = load("Europe/London");
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(1, 1, 1), 0), utc(1, 1, 1, 0, 1, 15));
	assert_int_equal(tz_local_to_instant(tz, date_from_ymd(9999, 12, 31), 86399),
			 utc(9999, 12, 31, 23, 59, 59));
	assert_int_equal(tz_offset(tz, utc(9999, 7, 1, 0, 0, 0)), 3600);
	assert_int_equal(tz_local_day(tz, utc(9999, 12, 31, 23, 59, 59)), date_from_ymd(9999, 12, 31));
	assert_int_equal(tz_local_day(tz, utc(1, 1, 1, 0, 0, 0)), date_from_ymd(0, 12, 31));
	tz_free(tz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_london_2024_changes_on_last_sundays_at_0100_utc),
		cmocka_unit_test(test_bst_starts_last_sunday_of_march_2026),
		cmocka_unit_test(test_bst_ends_last_sunday_of_october_2026),
		cmocka_unit_test(test_london_2037_changes_at_end_of_table),
		cmocka_unit_test(test_london_2050_follows_footer_rule),
		cmocka_unit_test(test_london_2199_follows_footer_rule),
		cmocka_unit_test(test_london_before_1847_is_local_mean_time),
		cmocka_unit_test(test_europe_london_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_america_new_york_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_australia_lord_howe_half_hour_dst_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_asia_kolkata_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_utc_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_pacific_apia_date_line_jump_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_america_nuuk_negative_rule_time_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_asia_jerusalem_rule_time_26h_matches_glibc_1900_to_2100),
		cmocka_unit_test(test_bst_late_evening_utc_is_next_local_day),
		cmocka_unit_test(test_gmt_late_evening_utc_stays_same_local_day),
		cmocka_unit_test(test_instant_at_local_midnight_starts_the_day),
		cmocka_unit_test(test_local_time_in_spring_gap_is_read_as_gmt),
		cmocka_unit_test(test_local_time_in_autumn_fold_is_the_earlier_bst_instant),
		cmocka_unit_test(test_lord_howe_half_hour_gap_and_fold),
		cmocka_unit_test(test_apia_skipped_30_december_2011),
		cmocka_unit_test(test_local_to_instant_with_changes_half_an_hour_apart),
		cmocka_unit_test(test_local_to_instants_equals_day_by_day),
		cmocka_unit_test(test_footer_us_rules_second_sunday_march_first_sunday_november),
		cmocka_unit_test(test_footer_dst_without_rule_defaults_to_us_rules),
		cmocka_unit_test(test_footer_julian_day_never_counts_february_29),
		cmocka_unit_test(test_footer_zero_based_day_counts_february_29),
		cmocka_unit_test(test_footer_negative_rule_time_is_the_evening_before),
		cmocka_unit_test(test_footer_rule_time_beyond_24h_is_the_next_day),
		cmocka_unit_test(test_footer_change_just_after_new_year),
		cmocka_unit_test(test_footer_dst_all_year),
		cmocka_unit_test(test_footer_southern_dst_spans_new_year),
		cmocka_unit_test(test_footer_explicit_half_hour_dst_offset),
		cmocka_unit_test(test_footer_quoted_names_and_fixed_offsets),
		cmocka_unit_test(test_footer_rule_repeats_every_400_years),
		cmocka_unit_test(test_slim_file_agrees_with_fat_file_after_last_transition),
		cmocka_unit_test(test_invalid_footer_strings_are_rejected),
		cmocka_unit_test(test_version1_file_keeps_last_type_after_last_transition),
		cmocka_unit_test(test_before_first_transition_uses_type_0_not_first_transitions_type),
		cmocka_unit_test(test_version2_reads_64bit_block_not_version1_block),
		cmocka_unit_test(test_version3_file_with_footer_after_table),
		cmocka_unit_test(test_indicators_after_types_are_skipped),
		cmocka_unit_test(test_leap_second_zone_is_rejected),
		cmocka_unit_test(test_no_transitions_and_empty_footer_uses_type_0),
		cmocka_unit_test(test_footer_disagreeing_with_last_transition_is_rejected),
		cmocka_unit_test(test_every_truncation_of_a_tzif_file_is_rejected),
		cmocka_unit_test(test_every_truncation_of_europe_london_is_rejected),
		cmocka_unit_test(test_garbage_is_rejected_with_reason),
		cmocka_unit_test(test_corrupt_header_and_data_are_rejected),
		cmocka_unit_test(test_random_corruption_of_europe_london_never_misbehaves),
		cmocka_unit_test(test_load_utc),
		cmocka_unit_test(test_load_unknown_zone_is_enoent),
		cmocka_unit_test(test_load_rejects_names_escaping_zoneinfo_or_odd),
		cmocka_unit_test(test_load_honours_tzdir),
		cmocka_unit_test(test_parse_utc_designators_and_separators),
		cmocka_unit_test(test_parse_numeric_offsets),
		cmocka_unit_test(test_parse_drops_fractional_seconds),
		cmocka_unit_test(test_parse_without_offset_is_local_in_summer_and_winter),
		cmocka_unit_test(test_parse_accepts_years_0001_to_9999),
		cmocka_unit_test(test_parse_rejects_february_30),
		cmocka_unit_test(test_parse_rejects_hour_24),
		cmocka_unit_test(test_parse_rejects_minute_60),
		cmocka_unit_test(test_parse_rejects_second_60),
		cmocka_unit_test(test_parse_rejects_date_without_time),
		cmocka_unit_test(test_parse_rejects_missing_seconds),
		cmocka_unit_test(test_parse_rejects_offset_without_colon),
		cmocka_unit_test(test_parse_rejects_offset_beyond_23_59),
		cmocka_unit_test(test_parse_rejects_trailing_garbage),
		cmocka_unit_test(test_parse_rejects_empty_string),
		cmocka_unit_test(test_parse_rejects_other_malformed_forms),
		cmocka_unit_test(test_format_local_time_with_offset),
		cmocka_unit_test(test_format_cuts_local_mean_time_offset_to_minutes),
		cmocka_unit_test(test_format_round_trips_through_parse),
		cmocka_unit_test(test_extreme_instants_and_days_do_not_overflow),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tz.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifndef ZONEINFO_DIR
#define ZONEINFO_DIR "/usr/share/zoneinfo"
#endif

#define SECS_PER_DAY 86400

/* Instants are clamped to 2^40 s (about 34,800 years) either side of 1970
 * before any arithmetic on them: far beyond the years 0001-9999 that dates
 * can have, yet small enough that adding offsets, day numbers in an int32_t
 * and the date.c arithmetic on the resulting years can never overflow. */
#define T_LIMIT (INT64_C(1) << 40)

/* RFC 8536 3.2: utoff "SHOULD be in the range [-89999, 93599] (i.e., its
 * value SHOULD be more than -25 hours and less than 26 hours)". We insist,
 * so that every offset is smaller than LOCAL_WINDOW below. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599

/* How far either side of a wall-clock time to look for transitions: an
 * instant is never further than one offset (< 26 h) from its local time. */
#define LOCAL_WINDOW (2 * SECS_PER_DAY)

enum rule_kind {
	RULE_JULIAN,     /* Jn: 1..365, February 29 never counted */
	RULE_ZERO_BASED, /* n: 0..365, February 29 counted */
	RULE_MONTH,      /* Mm.w.d */
};

struct rule_date {
	enum rule_kind kind;
	int day;               /* RULE_JULIAN, RULE_ZERO_BASED */
	int month, week, wday; /* RULE_MONTH: 1..12, 1..5 (5 = last), 0..6 (0 = Sunday) */
	int32_t time;          /* local time of the change, -167 h .. +167 h */
};

/* The POSIX TZ string of a TZif footer, e.g. "GMT0BST,M3.5.0/1,M10.5.0". */
struct rule {
	int32_t std_off, dst_off; /* east positive, unlike POSIX */
	bool has_dst;
	struct rule_date start, end;
};

struct tz {
	char *name;
	size_t n;          /* transitions */
	int64_t *at;       /* transition instants, strictly ascending */
	int32_t *off;      /* the offset in force from at[i] on */
	int32_t first_off; /* before at[0], or always without transitions and rule */
	bool has_rule;     /* the footer governs instants after at[n - 1] */
	struct rule rule;
};

static int64_t clamp_t(int64_t t)
{
	return t < -T_LIMIT ? -T_LIMIT : t > T_LIMIT ? T_LIMIT : t;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return a % b < 0 ? q - 1 : q;
}

/* ---- The POSIX TZ string of the footer ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* An unsigned number of 1..max_digits digits. */
static bool parse_uint(const char **pp, int max_digits, int *ret)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (is_digit(*p) && n < max_digits) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || is_digit(*p))
		return false;
	*pp = p;
	*ret = v;
	return true;
}

/* POSIX: "std and dst ... shall be no less than three, nor more than
 * {TZNAME_MAX}, bytes": alphabetic, or quoted "<...>" with digits and signs,
 * as zic writes "<+03>". The names themselves are not needed. */
static bool parse_name(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		p++;
		while (is_alpha(p[n]) || is_digit(p[n]) || p[n] == '+' || p[n] == '-')
			n++;
		if (p[n] != '>' || n < 3)
			return false;
		*pp = p + n + 1;
		return true;
	}
	while (is_alpha(p[n]))
		n++;
	if (n < 3)
		return false;
	*pp = p + n;
	return true;
}

/* [+-]hh[:mm[:ss]] in seconds. POSIX allows hours 0..24 in an offset; RFC
 * 8536 3.3.1 allows a rule's time to be signed with hours up to 167. */
static bool parse_hms(const char **pp, int max_hours, int32_t *ret)
{
	const char *p = *pp;
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!parse_uint(&p, 3, &h) || h > max_hours)
		return false;
	if (*p == ':') {
		p++;
		if (!parse_uint(&p, 2, &m) || m > 59)
			return false;
		if (*p == ':') {
			p++;
			if (!parse_uint(&p, 2, &s) || s > 59)
				return false;
		}
	}
	*pp = p;
	*ret = sign * (h * 3600 + m * 60 + s);
	return true;
}

static bool parse_rule_date(const char **pp, struct rule_date *rd)
{
	const char *p = *pp;

	if (*p == 'J') {
		p++;
		rd->kind = RULE_JULIAN;
		if (!parse_uint(&p, 3, &rd->day) || rd->day < 1 || rd->day > 365)
			return false;
	} else if (*p == 'M') {
		p++;
		rd->kind = RULE_MONTH;
		if (!parse_uint(&p, 2, &rd->month) || rd->month < 1 || rd->month > 12)
			return false;
		if (*p++ != '.')
			return false;
		if (!parse_uint(&p, 1, &rd->week) || rd->week < 1 || rd->week > 5)
			return false;
		if (*p++ != '.')
			return false;
		if (!parse_uint(&p, 1, &rd->wday) || rd->wday > 6)
			return false;
	} else if (is_digit(*p)) {
		rd->kind = RULE_ZERO_BASED;
		if (!parse_uint(&p, 3, &rd->day) || rd->day > 365)
			return false;
	} else
		return false;

	/* POSIX: "The time has the same format as offset except that no
	 * leading sign ... is allowed. The default, if time is not given,
	 * shall be 02:00:00." The sign is RFC 8536's extension. */
	rd->time = 2 * 3600;
	if (*p == '/') {
		p++;
		if (!parse_hms(&p, 167, &rd->time))
			return false;
	}
	*pp = p;
	return true;
}

static bool parse_posix_tz(const char *s, struct rule *ret)
{
	const char *p = s;
	struct rule r = {0};
	int32_t v;

	if (!parse_name(&p) || !parse_hms(&p, 24, &v))
		return false;
	/* POSIX offsets count hours west of Greenwich. */
	r.std_off = -v;
	if (*p == '\0') {
		*ret = r;
		return true;
	}

	if (!parse_name(&p))
		return false;
	/* POSIX: "If no offset follows dst, the alternative time is assumed
	 * to be one hour ahead of standard time." */
	r.dst_off = r.std_off + 3600;
	if (*p != '\0' && *p != ',') {
		if (!parse_hms(&p, 24, &v))
			return false;
		r.dst_off = -v;
	}
	r.has_dst = true;

	if (*p == '\0') {
		/* POSIX leaves a missing rule to the implementation; glibc and
		 * tzcode both fall back to the US rules. zic always writes one. */
		r.start = (struct rule_date){ .kind = RULE_MONTH, .month = 3, .week = 2, .wday = 0, .time = 7200 };
		r.end = (struct rule_date){ .kind = RULE_MONTH, .month = 11, .week = 1, .wday = 0, .time = 7200 };
		*ret = r;
		return true;
	}
	if (*p != ',')
		return false;
	p++;
	if (!parse_rule_date(&p, &r.start))
		return false;
	if (*p != ',')
		return false;
	p++;
	if (!parse_rule_date(&p, &r.end) || *p != '\0')
		return false;
	*ret = r;
	return true;
}

/* The instant at which rule date rd of `year` happens, read as local time
 * with offset off_before: POSIX says the time is "in current local time",
 * i.e. standard time for the change to DST and DST for the change back. */
static int64_t rule_date_instant(const struct rule_date *rd, int year, int32_t off_before)
{
	cw_day day = 0;

	switch (rd->kind) {
	case RULE_JULIAN:
		/* POSIX: "Jn The Julian day n (1 <= n <= 365). Leap days shall
		 * not be counted." So J60 is March 1 in every year. */
		day = date_from_ymd(year, 1, 1) + rd->day - 1 +
		      (date_is_leap(year) && rd->day >= 60);
		break;
	case RULE_ZERO_BASED:
		/* POSIX: "n The zero-based Julian day (0 <= n <= 365). Leap days
		 * shall be counted". */
		day = date_from_ymd(year, 1, 1) + rd->day;
		break;
	case RULE_MONTH:
		/* POSIX: "Mm.n.d The d'th day (0 <= d <= 6) of week n of month m
		 * of the year (1 <= n <= 5, 1 <= m <= 12, where week 5 means "the
		 * last d day in month m" ...). Day zero is Sunday." */
		day = date_nth_weekday(year, rd->month, (rd->wday + 6) % 7,
				       rd->week == 5 ? -1 : rd->week);
		break;
	}
	return (int64_t)day * SECS_PER_DAY + rd->time - off_before;
}

/* The year in which the rule's changes near t are looked for. */
static int rule_year(const struct rule *r, int64_t t)
{
	return date_year((cw_day)floor_div(clamp_t(t) + r->std_off, SECS_PER_DAY));
}

static int32_t rule_offset(const struct rule *r, int64_t t)
{
	if (!r->has_dst)
		return r->std_off;

	/* The last change at or before t, among those of the years around t:
	 * times beyond 24 h or below 0 (RFC 8536 3.3.1) can move a change into
	 * a neighbouring year. On a tie the change later in this walk wins, so
	 * that RFC 8536's all-year DST ("EST5EDT,0/0,J365/25"), whose end meets
	 * the next year's start, stays in DST. */
	const int y = rule_year(r, t);
	t = clamp_t(t);
	int64_t best = INT64_MIN;
	bool dst = false;
	for (int yy = y - 1; yy <= y + 1; yy++) {
		int64_t start = rule_date_instant(&r->start, yy, r->std_off);
		int64_t end = rule_date_instant(&r->end, yy, r->dst_off);
		if (start <= t && start >= best) {
			best = start;
			dst = true;
		}
		if (end <= t && end >= best) {
			best = end;
			dst = false;
		}
	}
	return dst ? r->dst_off : r->std_off;
}

/* The first change of the rule after t, if any. */
static bool rule_next(const struct rule *r, int64_t t, int64_t *ret)
{
	if (!r->has_dst)
		return false;

	const int y = rule_year(r, t);
	bool found = false;
	int64_t best = INT64_MAX;
	for (int yy = y - 1; yy <= y + 2; yy++) {
		int64_t e[2] = {
			rule_date_instant(&r->start, yy, r->std_off),
			rule_date_instant(&r->end, yy, r->dst_off),
		};
		for (size_t i = 0; i < ELEMENTSOF(e); i++)
			if (e[i] > t && e[i] <= best) {
				best = e[i];
				found = true;
			}
	}
	if (found)
		*ret = best;
	return found;
}

/* ---- Conversions ---- */

/* The index of the last transition at or before t; at[0] <= t. */
static size_t find_transition(const struct tz *tz, int64_t t)
{
	/* Halving a window [base, base + len) that keeps at[base] <= t and
	 * the answer inside, without a branch on the comparison that random
	 * instants would mispredict half the time. */
	const int64_t *base = tz->at;
	size_t len = tz->n;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] <= t ? base + half : base;
		len -= half;
	}
	return (size_t)(base - tz->at);
}

int32_t tz_offset(const struct tz *tz, int64_t t)
{
	if (tz->n == 0)
		return tz->has_rule ? rule_offset(&tz->rule, t) : tz->first_off;
	/* RFC 8536 3.2: "Local time for timestamps before the first transition
	 * is specified by the first time type (time type 0)." */
	if (t < tz->at[0])
		return tz->first_off;
	/* RFC 8536 3.3: the footer's TZ string is for "timestamps after the
	 * last transition"; the load checked that it agrees at that transition. */
	if (t > tz->at[tz->n - 1] && tz->has_rule)
		return rule_offset(&tz->rule, t);
	return tz->off[find_transition(tz, t)];
}

int32_t tz_offset_span(const struct tz *tz, int64_t t, int64_t *ret_from, int64_t *ret_until)
{
	if (tz->n >= 2 && t >= tz->at[0] && t < tz->at[tz->n - 1]) {
		size_t i = find_transition(tz, t);
		*ret_from = tz->at[i];
		*ret_until = tz->at[i + 1];
		return tz->off[i];
	}
	*ret_from = t;
	*ret_until = t + 1;
	return tz_offset(tz, t);
}

/* The first instant after t at which the offset may change, if any. */
static bool next_change(const struct tz *tz, int64_t t, int64_t *ret)
{
	if (tz->n > 0 && t < tz->at[tz->n - 1]) {
		*ret = tz->at[t < tz->at[0] ? 0 : find_transition(tz, t) + 1];
		return true;
	}
	return tz->has_rule && rule_next(&tz->rule, t, ret);
}

static int64_t local_time(const struct tz *tz, int64_t t)
{
	t = clamp_t(t);
	return t + tz_offset(tz, t);
}

cw_day tz_local_day(const struct tz *tz, int64_t t)
{
	return (cw_day)floor_div(local_time(tz, t), SECS_PER_DAY);
}

int32_t tz_local_seconds(const struct tz *tz, int64_t t)
{
	int64_t local = local_time(tz, t);
	return (int32_t)(local - floor_div(local, SECS_PER_DAY) * SECS_PER_DAY);
}

int64_t tz_local_to_instant(const struct tz *tz, cw_day day, int32_t seconds)
{
	const int64_t local = (int64_t)day * SECS_PER_DAY + seconds;
	const int64_t lo = local - LOCAL_WINDOW, hi = local + LOCAL_WINDOW;

	/* Walk the stretches of constant offset between lo and hi in time
	 * order. A stretch [start, end) with offset off shows the wall-clock
	 * times [start + off, end + off), so the first stretch that shows
	 * `local` holds it, and the earlier instant of a fold. A change from
	 * offset `before` to `off` at `start` skips [start + before, start +
	 * off); if no stretch shows `local`, it is in such a gap, and the first
	 * gap holding it says which offset was in force before. Every offset is
	 * smaller than LOCAL_WINDOW, so lo shows before `local` and hi after:
	 * one or the other is always found. Changes need not be far apart:
	 * stretches' wall-clock spans may overlap and gaps may nest. */
	int64_t start = lo;
	int32_t off = tz_offset(tz, lo), before = off, gap_off = off;
	bool in_gap = false;
	for (;;) {
		int64_t end;
		const bool last = !next_change(tz, start, &end) || end > hi;
		if (last)
			end = hi;
		if (local >= start + off && local < end + off)
			return local - off;
		if (!in_gap && local >= start + before && local < start + off) {
			in_gap = true;
			gap_off = before;
		}
		if (last)
			return local - gap_off;
		before = off;
		start = end;
		off = tz_offset(tz, end);
	}
}

void tz_local_to_instants(const struct tz *tz, cw_day first, size_t n, int32_t seconds, int64_t *out)
{
	size_t i = 0;
	while (i < n) {
		/* The offset at the start of this day's window, and the next
		 * instant it may change: every day whose whole window lies
		 * before that change is read with that one offset, as
		 * tz_local_to_instant() would read it. */
		int64_t local = (int64_t)(first + (cw_day)i) * SECS_PER_DAY + seconds, change;
		const int32_t off = tz_offset(tz, local - LOCAL_WINDOW);
		const bool changes = next_change(tz, local - LOCAL_WINDOW, &change);
		for (; i < n; i++) {
			local = (int64_t)(first + (cw_day)i) * SECS_PER_DAY + seconds;
			if (changes && local + LOCAL_WINDOW >= change)
				break;
			out[i] = local - off;
		}
		/* A day near a change, the long way. */
		if (i < n) {
			out[i] = tz_local_to_instant(tz, first + (cw_day)i, seconds);
			i++;
		}
	}
}

/* ---- RFC 3339 ---- */

static int two_digits(const char *s)
{
	if (!is_digit(s[0]) || !is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int tz_parse_timestamp(const struct tz *tz, const char *s, int64_t *ret)
{
	/* RFC 3339 5.6:
	 *   partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
	 *   time-numoffset = ("+" / "-") time-hour ":" time-minute
	 * Seconds are required. A leap second (time-second 60) is refused:
	 * instants count POSIX seconds, which have no name for it. */
	if (!s || strlen(s) < 19)
		return -EINVAL;

	cw_day day;
	if (date_parse_n(s, 10, &day) < 0)
		return -EINVAL;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -EINVAL;
	if (s[13] != ':' || s[16] != ':')
		return -EINVAL;
	int h = two_digits(s + 11), m = two_digits(s + 14), sec = two_digits(s + 17);
	if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
		return -EINVAL;
	const int32_t secs = h * 3600 + m * 60 + sec;

	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		while (is_digit(*p))
			p++;
	}

	int64_t t;
	if (*p == '\0')
		t = tz_local_to_instant(tz, day, secs);
	else if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		t = (int64_t)day * SECS_PER_DAY + secs;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = two_digits(p + 1), om = two_digits(p + 4);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -EINVAL;
		int32_t off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		t = (int64_t)day * SECS_PER_DAY + secs - off;
	} else
		return -EINVAL;

	*ret = t;
	return 0;
}

char *tz_format_timestamp(const struct tz *tz, int64_t t, char buf[static TZ_TIMESTAMP_STRLEN])
{
	t = clamp_t(t);
	/* RFC 3339 offsets have no seconds, but local mean time does (London's
	 * was -0:01:15). Such an offset is shown cut to whole minutes, with the
	 * wall-clock time to match, so the text still names the exact instant. */
	int32_t off = tz_offset(tz, t);
	off -= off % 60;
	const int64_t local = t + off;
	int secs = (int)(local % SECS_PER_DAY);
	if (secs < 0)
		secs += SECS_PER_DAY;
	int y, m, d;
	date_to_ymd((cw_day)((local - secs) / SECS_PER_DAY), &y, &m, &d);
	/* Offsets are below 26 h (checked on load); "% 100" tells snprintf's
	 * truncation check as much. */
	const int off_h = abs(off) / 3600 % 100, off_m = abs(off) / 60 % 60;

	if (off == 0)
		snprintf(buf, TZ_TIMESTAMP_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
	else
		snprintf(buf, TZ_TIMESTAMP_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
			 y, m, d, secs / 3600, secs / 60 % 60, secs % 60,
			 off < 0 ? '-' : '+', off_h, off_m);
	return buf;
}

/* ---- Loading ---- */

void tz_free(struct tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->at);
	free(tz->off);
	free(tz);
}

static void tz_freep(struct tz **tz)
{
	tz_free(*tz);
}

const char *tz_name(const struct tz *tz)
{
	return tz->name;
}

/* A copy of s fit for a one-line message. */
static char *printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = xstrndup(s, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
			p[i] = '?';
	return p;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
	int64_t r;
	/* Two's complement without implementation-defined conversions. */
	memcpy(&r, &v, sizeof(r));
	return r;
}

static int32_t be32s(const uint8_t *p)
{
	uint32_t v = be32(p);
	int32_t r;
	memcpy(&r, &v, sizeof(r));
	return r;
}

struct tzif_header {
	uint8_t version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

#define TZIF_HEADER_LEN 44

/* Reads the header at d[pos], len - pos bytes available. */
static const char *parse_header(const uint8_t *d, size_t len, size_t pos, struct tzif_header *h)
{
	d += pos;
	len -= pos;
	if (len < 4 || memcmp(d, "TZif", 4) != 0)
		return "not a TZif file";
	if (len < TZIF_HEADER_LEN)
		return "truncated TZif header";
	/* RFC 9636, which adds version 4 (leap second tables only) to RFC
	 * 8536: the version "MUST be one of the following: NUL, '2', '3', '4'". */
	h->version = d[4];
	if (h->version != '\0' && h->version != '2' && h->version != '3' && h->version != '4')
		return "unsupported TZif version";
	h->isutcnt = be32(d + 20);
	h->isstdcnt = be32(d + 24);
	h->leapcnt = be32(d + 28);
	h->timecnt = be32(d + 32);
	h->typecnt = be32(d + 36);
	h->charcnt = be32(d + 40);
	/* RFC 8536 3.1: "isutcnt ... MUST either be zero or equal to typecnt",
	 * the same for isstdcnt, "typecnt ... MUST NOT be zero", "charcnt ...
	 * MUST NOT be zero". */
	if (h->typecnt == 0)
		return "TZif header with no local time types";
	if (h->charcnt == 0)
		return "TZif header with no time zone designations";
	if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return "TZif header with inconsistent counts";
	return NULL;
}

/* The length of the data block after a header, time_size 4 (v1) or 8. The
 * counts are 32-bit, so this cannot overflow 64 bits. */
static uint64_t block_len(const struct tzif_header *h, unsigned time_size)
{
	return (uint64_t)h->timecnt * time_size + h->timecnt +
	       (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (time_size + 4) +
	       h->isstdcnt + h->isutcnt;
}

/* Reads the data block at d[pos] described by h into tz. */
static const char *parse_block(const uint8_t *d, size_t len, size_t pos,
			       const struct tzif_header *h, unsigned time_size, struct tz *tz)
{
	if (block_len(h, time_size) > len - pos)
		return "truncated TZif data";
	/* Leap-second ("right/") zones count seconds that POSIX instants do
	 * not, so their transitions would be read wrongly. */
	if (h->leapcnt != 0)
		return "TZif data with leap seconds (a \"right/\" zone) is not supported";

	const uint8_t *times = d + pos;
	const uint8_t *idx = times + (size_t)h->timecnt * time_size;
	const uint8_t *types = idx + h->timecnt;

	for (uint32_t i = 0; i < h->typecnt; i++) {
		int32_t utoff = be32s(types + 6 * (size_t)i);
		if (utoff < UTOFF_MIN || utoff > UTOFF_MAX)
			return "TZif local time type with an offset beyond 25 hours";
	}
	tz->first_off = be32s(types);

	tz->n = h->timecnt;
	tz->at = xcalloc(tz->n, sizeof(*tz->at));
	tz->off = xcalloc(tz->n, sizeof(*tz->off));
	for (size_t i = 0; i < tz->n; i++) {
		const uint8_t *p = times + i * time_size;
		tz->at[i] = time_size == 8 ? be64(p) : be32s(p);
		/* RFC 8536 3.2: transition times are "sorted in strictly
		 * ascending order", which the binary search relies on. */
		if (i > 0 && tz->at[i] <= tz->at[i - 1])
			return "TZif transition times out of order";
		/* "Each type index MUST be in the range [0, typecnt - 1]." */
		if (idx[i] >= h->typecnt)
			return "TZif transition to an undefined local time type";
		tz->off[i] = be32s(types + 6 * (size_t)idx[i]);
	}
	return NULL;
}

static const char *parse_tzif(const uint8_t *d, size_t len, struct tz *tz, char **ret_footer)
{
	struct tzif_header h;
	const char *why;

	why = parse_header(d, len, 0, &h);
	if (why)
		return why;
	if (h.version == '\0')
		return parse_block(d, len, TZIF_HEADER_LEN, &h, 4, tz);

	/* RFC 8536 4: "When reading a version 2 or higher file, readers
	 * SHOULD ignore the version 1 header and data block except for the
	 * purpose of skipping over them." */
	uint64_t v1 = block_len(&h, 4);
	if (v1 > len - TZIF_HEADER_LEN)
		return "truncated TZif data";
	size_t pos = TZIF_HEADER_LEN + (size_t)v1;
	why = parse_header(d, len, pos, &h);
	if (why)
		return why;
	if (h.version == '\0')
		return "TZif version 1 header where version 2+ was expected";
	pos += TZIF_HEADER_LEN;
	why = parse_block(d, len, pos, &h, 8, tz);
	if (why)
		return why;
	pos += (size_t)block_len(&h, 8);

	/* RFC 8536 3.3: "The footer ... consists of a newline character
	 * (ASCII Line Feed, X'0A'), a string TZ_STRING, and a newline
	 * character." */
	if (pos >= len || d[pos] != '\n')
		return "TZif footer missing";
	pos++;
	const uint8_t *nl = memchr(d + pos, '\n', len - pos);
	if (!nl)
		return "TZif footer not terminated";
	size_t n = (size_t)(nl - (d + pos));
	if (memchr(d + pos, '\0', n))
		return "TZif footer with a NUL byte";
	*ret_footer = xstrndup((const char *)d + pos, n);
	return NULL;
}

/* "Slim" TZif files end their table at the last change of rules (1996 for
 * the EU, 2007 for the US) and leave the rest to the footer, whose rule costs
 * several date computations for each lookup; Debian's "fat" files stop in
 * 2037. The rule's changes up to the end of EXTEND_YEAR are added to the
 * table once, so that lookups in the years that matter are a binary search
 * whichever way the files were built. */
#define EXTEND_YEAR 2100

static void extend_table(struct tz *tz)
{
	if (tz->n == 0 || !tz->rule.has_dst)
		return;
	/* No rule-driven zone's table ends before 1900; a file claiming so
	 * keeps evaluating its rule, rather than filling memory. */
	int64_t t = tz->at[tz->n - 1];
	const int64_t from = (int64_t)date_from_ymd(1900, 1, 1) * SECS_PER_DAY;
	const int64_t limit = (int64_t)date_from_ymd(EXTEND_YEAR + 1, 1, 1) * SECS_PER_DAY;
	if (t < from || t >= limit)
		return;

	/* Two changes a year, and the year of t and the last may be partial. */
	const size_t max = 2 * (size_t)(EXTEND_YEAR - 1900 + 2);
	tz->at = xrealloc(tz->at, (tz->n + max) * sizeof(*tz->at));
	tz->off = xrealloc(tz->off, (tz->n + max) * sizeof(*tz->off));
	int64_t next;
	for (size_t added = 0; added < max && rule_next(&tz->rule, t, &next) && next < limit; t = next) {
		int32_t off = rule_offset(&tz->rule, next);
		/* A change that changes nothing, as in all-year DST, need not
		 * be searched for. */
		if (off == tz->off[tz->n - 1])
			continue;
		tz->at[tz->n] = next;
		tz->off[tz->n] = off;
		tz->n++;
		added++;
	}
}

static int fail(char **ret_err, const char *name, const char *why)
{
	if (ret_err) {
		_cleanup_free_ char *p = printable(name, 256);
		*ret_err = xasprintf("time zone %s: %s", p, why);
	}
	return -EINVAL;
}

int tz_load_data(const char *name, const void *data, size_t len, struct tz **ret, char **ret_err)
{
	if (!name)
		name = "";
	_cleanup_(tz_freep) struct tz *tz = xcalloc(1, sizeof(*tz));
	_cleanup_free_ char *footer = NULL;
	const char *why;

	why = parse_tzif(data, len, tz, &footer);
	if (why)
		return fail(ret_err, name, why);

	/* RFC 8536 3.2: "If there are no transitions, local time for all
	 * timestamps is specified by the TZ string in the footer if present
	 * and nonempty; otherwise, it is specified by time type 0." */
	if (footer && *footer) {
		if (!parse_posix_tz(footer, &tz->rule)) {
			_cleanup_free_ char *p = printable(footer, 64);
			_cleanup_free_ char *msg = xasprintf("invalid TZ string \"%s\" in TZif footer", p);
			return fail(ret_err, name, msg);
		}
		tz->has_rule = true;
		/* RFC 8536 3.3: "the string MUST be consistent with the last
		 * version 2+ transition"; tz_local_to_instant relies on it. */
		if (tz->n > 0 && rule_offset(&tz->rule, tz->at[tz->n - 1]) != tz->off[tz->n - 1])
			return fail(ret_err, name, "TZ string in TZif footer disagrees with the last transition");
		extend_table(tz);
	}

	tz->name = xstrdup(name);
	*ret = TAKE_PTR(tz);
	return 0;
}

/* Zone names are paths below the zoneinfo folder and must stay there. */
static bool name_valid(const char *name)
{
	if (!name || !*name || name[0] == '/' || strlen(name) > 255)
		return false;
	for (const char *p = name; *p; p++)
		if (!is_alpha(*p) && !is_digit(*p) && !strchr("_+./-", *p))
			return false;
	for (const char *c = name;;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

int tz_load(const char *name, struct tz **ret, char **ret_err)
{
	if (!name_valid(name)) {
		if (ret_err) {
			_cleanup_free_ char *p = printable(name ? name : "", 256);
			*ret_err = xasprintf("invalid time zone name \"%s\"", p);
		}
		return -EINVAL;
	}

	/* Like glibc, not from the environment of a set-user-ID program. */
	const char *dir = secure_getenv("TZDIR");
	if (!dir || !*dir)
		dir = ZONEINFO_DIR;
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = read_file(path, &data, &len);
	if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR) {
		if (ret_err)
			*ret_err = xasprintf("unknown time zone \"%s\" (no file %s)", name, path);
		return -ENOENT;
	}
	if (r < 0) {
		if (ret_err)
			*ret_err = xasprintf("time zone %s: cannot read %s: %s", name, path, strerror(-r));
		return r;
	}
	return tz_load_data(name, data, len, ret, ret_err);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "date.h"

/* A time zone loaded once from the system's TZif database into memory, so
 * that converting instants to local dates does no I/O, reads no environment
 * and touches no global state (unlike localtime_r and $TZ): the evaluation
 * core stays pure and fast. Instants are int64_t seconds since the epoch. */
struct tz;

/* Load zone `name` ("Europe/London", "UTC") from ZONEINFO_DIR, or from
 * $TZDIR when set. Returns 0, -ENOENT (no such zone), -EINVAL (a name with
 * "..", a leading "/" or odd characters, or a file that is not valid TZif)
 * or another -errno from reading the file;
 * on failure *ret_err (if given) gets a newly allocated one-line reason. */
int tz_load(const char *name, struct tz **ret, char **ret_err);
/* Parse TZif data already in memory (for tests and odd installations). */
int tz_load_data(const char *name, const void *data, size_t len, struct tz **ret, char **ret_err);
void tz_free(struct tz *tz);
const char *tz_name(const struct tz *tz);

/* Offset from UTC in seconds (east positive) in force at instant t. */
int32_t tz_offset(const struct tz *tz, int64_t t);
/* The same, with the interval [*ret_from, *ret_until) around t over which
 * it holds (at least t itself), for callers that convert many instants. */
int32_t tz_offset_span(const struct tz *tz, int64_t t, int64_t *ret_from, int64_t *ret_until);
/* The local date of instant t. */
cw_day tz_local_day(const struct tz *tz, int64_t t);
/* Seconds since local midnight of instant t (0 .. 86399; 86400+ never). */
int32_t tz_local_seconds(const struct tz *tz, int64_t t);
/* The instant of a local wall-clock time. In a fold (clocks back) the
 * earlier instant; in a gap (clocks forward) the time is read with the
 * offset in force before the gap, as if the clocks had not changed yet. */
int64_t tz_local_to_instant(const struct tz *tz, cw_day day, int32_t seconds);
/* tz_local_to_instant() of the same time on each of n days from `first`,
 * into out[0 .. n - 1]: the same values, found a change at a time rather
 * than a day at a time. */
void tz_local_to_instants(const struct tz *tz, cw_day first, size_t n, int32_t seconds, int64_t *out);

/* RFC 3339 timestamp: "2026-11-20T16:05:00Z", "...+01:00", fractional
 * seconds allowed and dropped, 't'/' ' accepted for 'T', 'z' for 'Z'. With
 * no offset it is local time in tz. Returns 0, or -EINVAL for anything
 * malformed or impossible (2026-02-30, 25:00, offset beyond +-23:59, and
 * seconds 60: POSIX instants have no name for a leap second). */
int tz_parse_timestamp(const struct tz *tz, const char *s, int64_t *ret);
/* Format instant t as local RFC 3339 with offset: "2026-07-01T09:00:00+01:00"
 * (or "Z" when the offset is 0). buf must hold TZ_TIMESTAMP_STRLEN. */
#define TZ_TIMESTAMP_STRLEN 32
char *tz_format_timestamp(const struct tz *tz, int64_t t, char buf[static TZ_TIMESTAMP_STRLEN]);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A TZif file (RFC 8536) with its footer's POSIX TZ string (tz_load_data),
 * and the conversions a loaded zone serves, at instants across the years
 * dates are read for (0001-9999). */
#include <stdint.h>
#include <stdlib.h>

#include "tz.h"

static const int64_t instants[] = {
	INT64_C(-62135596800), /* 0001-01-01 */
	INT64_C(-2208988800),  /* 1900-01-01 */
	-1, 0,
	INT64_C(1782864000),   /* 2026-07-01 */
	INT64_C(1792454400),   /* 2026-10-20 */
	INT64_C(2147483647),   /* the end of 32-bit time */
	INT64_C(7258118400),   /* 2200-01-01 */
	INT64_C(253402300799), /* 9999-12-31T23:59:59 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct tz *tz = NULL;
	char *err = NULL;
	int r = tz_load_data("Fuzz/Zone", data, len, &tz, &err);
	free(err);
	if (r < 0)
		return 0;
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		int64_t t = instants[i], from, until;
		tz_offset_span(tz, t, &from, &until);
		if (from > t || until <= t)
			abort();
		cw_day day = tz_local_day(tz, t);
		int32_t secs = tz_local_seconds(tz, t);
		if (secs < 0 || secs >= 86400)
			abort();
		tz_local_to_instant(tz, day, secs);
		char buf[TZ_TIMESTAMP_STRLEN];
		tz_format_timestamp(tz, t, buf);
		int64_t back;
		tz_parse_timestamp(tz, "2026-03-29T01:30:00", &back);
	}
	tz_free(tz);
	return 0;
}

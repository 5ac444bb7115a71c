/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The values read from the case database's text columns: dates
 * (date_parse, date_parse_n), RFC 3339 timestamps (tz_parse_timestamp, in
 * UTC and in Europe/London), agreed contact timescales (agreed_parse),
 * party roles (roles_parse), and the rules' durations (duration_parse). The
 * first byte chooses the parser (its top bit: months allowed in a
 * duration); the rest is the value. A date or timestamp that parses is
 * written back and must read the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "rules.h"
#include "tz.h"

static struct tz *utc, *london;

static void fail(const char *what, const char *value)
{
	fprintf(stderr, "%s: '%s'\n", what, value);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (tz_load("UTC", &utc, NULL) < 0 || tz_load("Europe/London", &london, NULL) < 0) {
		fprintf(stderr, "fuzz-values: cannot load UTC and Europe/London from the zoneinfo\n");
		abort();
	}
	return 0;
}

/* Instants whose local date, in any zone, is a date the parser reads. */
#define FIRST_SAFE INT64_C(-62135596800 + 2 * 86400)
#define LAST_SAFE INT64_C(253402300799 - 2 * 86400)

static void timestamp(const struct tz *tz, const char *s)
{
	int64_t t, back;
	if (tz_parse_timestamp(tz, s, &t) < 0)
		return;
	char buf[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(tz, t, buf);
	if (t >= FIRST_SAFE && t <= LAST_SAFE && (tz_parse_timestamp(tz, buf, &back) < 0 || back != t))
		fail("timestamp does not read back as the same instant", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	const uint8_t which = data[0];
	const char *raw = (const char *)data + 1;
	const size_t n = len - 1;
	char *s = malloc(n + 1);
	memcpy(s, raw, n);
	s[n] = '\0';

	cw_day day, back;
	char buf[DATE_STRLEN];
	struct duration dur;
	const char *bad = NULL;
	size_t bad_len = 0;
	switch ((which & 0x7f) % 7) {
	case 0: {
		/* The exact bytes, no terminator: date_parse_n reads only len. */
		char *exact = malloc(n ? n : 1);
		memcpy(exact, raw, n);
		if (date_parse_n(exact, n, &day) == 0 && (date_parse(date_format(day, buf), &back) < 0 || back != day))
			fail("date does not read back as the same day", s);
		free(exact);
		break;
	}
	case 1:
		if (date_parse(s, &day) == 0 && (date_parse(date_format(day, buf), &back) < 0 || back != day))
			fail("date does not read back as the same day", s);
		break;
	case 2:
		timestamp(utc, s);
		break;
	case 3:
		timestamp(london, s);
		break;
	case 4:
		if (agreed_parse(s, &dur) == 0 && dur.n < 1)
			fail("agreed timescale of no length", s);
		break;
	case 5:
		if (roles_parse(s, &bad, &bad_len) < 0 && (bad < s || bad + bad_len > s + n || bad_len == 0))
			fail("the bad role is not a word of the value", s);
		break;
	case 6:
		if (duration_parse(s, which & 0x80, &dur) == 0 && dur.n < 0)
			fail("negative duration", s);
		break;
	}
	free(s);
	return 0;
}

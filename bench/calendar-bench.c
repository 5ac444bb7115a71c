/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times calendar_add_working_days over N random (date, n) pairs and writes
 * the inputs, the holidays and the answers to a folder, so that
 * bench/busday.py can time numpy's busday_offset on exactly the same work in
 * the same run and check that every answer agrees. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "util.h"

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dump(const char *dir, const char *name, const void *p, size_t size)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "calendar-bench: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("Usage: calendar-bench COUNT OUTDIR\n", stderr);
		return 2;
	}
	const size_t count = strtoul(argv[1], NULL, 10);
	const char *dir = argv[2];

	double t0 = now();
	struct calendar *cal = calendar_new(DIVISION_ENGLAND_AND_WALES, WEEKEND_DEFAULT, NULL, NULL);
	double build = now() - t0;

	/* Dates over ten years around the present, offsets of 1 to 60 working
	 * days: the deadlines casewatch computes. (n = 0 is left out because
	 * numpy rolls a weekend date to a working day even then.) */
	int32_t *dates = xmalloc(count * sizeof(int32_t));
	int32_t *ns = xmalloc(count * sizeof(int32_t));
	int32_t *out = xmalloc(count * sizeof(int32_t));
	const cw_day first = date_from_ymd(2020, 1, 1);
	for (size_t i = 0; i < count; i++) {
		dates[i] = first + (int32_t)rnd(3653);
		ns[i] = 1 + (int32_t)rnd(60);
	}

	/* Best of five: the machine is shared and noisy. */
	double best = 1e30;
	for (int round = 0; round < 5; round++) {
		t0 = now();
		for (size_t i = 0; i < count; i++) {
			cw_day r;
			if (calendar_add_working_days(cal, dates[i], ns[i], &r) < 0)
				r = INT32_MIN;
			out[i] = r;
		}
		double t = now() - t0;
		if (t < best)
			best = t;
	}

	struct holiday_list hols = { 0 };
	for (int y = CALENDAR_MIN_YEAR; y <= CALENDAR_MAX_YEAR; y++)
		calendar_holidays(cal, y, &hols);
	int32_t *hdays = xmalloc((hols.n ? hols.n : 1) * sizeof(int32_t));
	for (size_t i = 0; i < hols.n; i++)
		hdays[i] = hols.v[i].day;

	dump(dir, "dates.i32", dates, count * sizeof(int32_t));
	dump(dir, "n.i32", ns, count * sizeof(int32_t));
	dump(dir, "casewatch.i32", out, count * sizeof(int32_t));
	dump(dir, "holidays.i32", hdays, hols.n * sizeof(int32_t));

	printf("casewatch_build_ms %.3f\n", build * 1e3);
	printf("casewatch_seconds %.6f\n", best);
	printf("casewatch_per_second %.0f\n", (double)count / best);

	holiday_list_free(&hols);
	free(hdays);
	free(dates);
	free(ns);
	free(out);
	calendar_free(cal);
	return 0;
}

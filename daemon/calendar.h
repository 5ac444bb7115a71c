/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "holfile.h"

/* The working-day calendar (DESIGN.md section 2). Pure: no I/O, no clock.
 * Holiday files are read by the caller (conf.c) and handed in. */

enum division {
	DIVISION_ENGLAND_AND_WALES,
	DIVISION_SCOTLAND,
	DIVISION_NORTHERN_IRELAND,
	_DIVISION_MAX,
};

const char *division_to_string(enum division d);
/* Returns the division or -EINVAL. */
int division_from_string(const char *s);

/* The years the calendar answers for. The computed rules are those in force
 * since 1978, when the Early May bank holiday began. */
#define CALENDAR_MIN_YEAR 1978
#define CALENDAR_MAX_YEAR 2199

/* Weekend masks: bit WD_* set when that weekday is not worked. */
#define WEEKEND_DEFAULT ((1u << WD_SATURDAY) | (1u << WD_SUNDAY))
#define WEEKEND_ALL 0x7fu

struct calendar;

/* Build a calendar. `files` are the holidays from user files for this
 * division (layer 3): for every year in which they name at least one date,
 * they replace layers 1 and 2 entirely. `closures` are extra non-working
 * days of the unit, added in every year. Either list may be NULL. */
struct calendar *calendar_new(enum division division, unsigned weekend_mask,
			      const struct holiday_list *files,
			      const struct holiday_list *closures);
void calendar_free(struct calendar *cal);

enum division calendar_division(const struct calendar *cal);

/* Is `day` inside CALENDAR_MIN_YEAR..CALENDAR_MAX_YEAR? */
bool calendar_in_range(cw_day day);

/* Outside the range, answers by the weekend mask alone. */
bool calendar_is_working_day(const struct calendar *cal, cw_day day);

/* The date n working days after `day` (n < 0: before), where `day` itself is
 * day 0 whatever it is: n = 0 gives `day`; n = 1 the first working day after
 * it. Returns 0, or -ERANGE when `day` or the answer lies outside the range. */
int calendar_add_working_days(const struct calendar *cal, cw_day day, int n, cw_day *ret);
/* Working days after `from` up to and including `to`; negative (the working
 * days after `to` up to and including `from`) when to < from. -ERANGE when
 * a date lies outside the range. */
int calendar_working_days_between(const struct calendar *cal, cw_day from, cw_day to, int *ret);
/* The first working day strictly after / before `day`. */
int calendar_next_working_day(const struct calendar *cal, cw_day day, cw_day *ret);
int calendar_prev_working_day(const struct calendar *cal, cw_day day, cw_day *ret);

/* The non-working days of `year` other than weekends: bank holidays after
 * all layers, and closures, sorted by date (a closure on a bank holiday is
 * listed once, as the bank holiday). Appends copies to out; -ERANGE for a
 * year outside the range. */
int calendar_holidays(const struct calendar *cal, int year, struct holiday_list *out);

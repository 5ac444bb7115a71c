/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

#include "date.h"
#include "diag.h"

/* Bank holidays read from a user-supplied file: GOV.UK's bank-holidays.json
 * (https://www.gov.uk/bank-holidays.json) or an iCalendar .ics file such as
 * GOV.UK's england-and-wales.ics. */

struct holiday {
	cw_day day;
	char *title;
};

struct holiday_list {
	struct holiday *v;
	size_t n, cap;
};

void holiday_list_add(struct holiday_list *l, cw_day day, const char *title);
void holiday_list_free(struct holiday_list *l);
/* Sort by date; of several entries for one date keep the earliest added. */
void holiday_list_sort_unique(struct holiday_list *l);

enum holfile_format { HOLFILE_JSON, HOLFILE_ICS };

/* Detect the format from the content (first non-blank character '{' is JSON,
 * a first line BEGIN:VCALENDAR is iCalendar). Returns the format or -EINVAL. */
int holfile_detect(const char *data, size_t len);

/* Parse the events of `division` ("england-and-wales", "scotland",
 * "northern-ireland") from a GOV.UK JSON file's text and append them to out.
 * A division key absent from the file is not an error (the file simply
 * covers no year of it). An event whose notes say "Substitute day" is titled
 * "NAME (substitute day)", as the computed rules title it. Problems are added
 * to diags as `path:LINE: message` (every problem found, not only the
 * first); returns 0 or -EINVAL, and on failure leaves out as it was, so a
 * half-read file never turns its missing holidays into working days. */
int holfile_parse_json(const char *path, const char *data, size_t len,
		       const char *division, struct holiday_list *out, struct diags *diags);

/* Parse every all-day VEVENT of an iCalendar file's text: each date from
 * DTSTART up to, not including, DTEND (one day when DTEND is absent), titled
 * by SUMMARY. Same error convention as holfile_parse_json. */
int holfile_parse_ics(const char *path, const char *data, size_t len,
		      struct holiday_list *out, struct diags *diags);

/* Read `path` and parse it by its detected format. I/O errors are reported
 * as `path: reason`. Returns 0, -EINVAL or -errno. */
int holfile_load(const char *path, const char *division,
		 struct holiday_list *out, struct diags *diags);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An iCalendar holiday file (holfile_parse_ics), and the detection of a
 * holiday file's format from its content. */
#include <stdint.h>
#include <stdlib.h>

#include "holfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	holfile_detect((const char *)data, len);

	struct holiday_list l = { 0 };
	struct diags d = { 0 };
	/* A holiday already there, to check a failed parse leaves the list as
	 * it was (holfile.h). */
	holiday_list_add(&l, 20000, "before");
	int r = holfile_parse_ics("fuzz.ics", (const char *)data, len, &l, &d);
	if (r < 0 && (l.n != 1 || l.v[0].day != 20000))
		abort();
	holiday_list_sort_unique(&l);
	holiday_list_free(&l);
	diags_free(&d);
	return 0;
}

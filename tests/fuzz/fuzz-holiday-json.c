/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GOV.UK's bank-holidays.json, as a holiday file named in the configuration
 * (holfile_parse_json), read for each division as conf.c reads it. */
#include <stdint.h>
#include <stdlib.h>

#include "holfile.h"

static const char *const divisions[] = { "england-and-wales", "scotland", "northern-ireland" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < sizeof(divisions) / sizeof(divisions[0]); i++) {
		struct holiday_list l = { 0 };
		struct diags d = { 0 };
		/* A holiday already there, to check a failed parse leaves the
		 * list as it was (holfile.h). */
		holiday_list_add(&l, 20000, "before");
		int r = holfile_parse_json("fuzz.json", (const char *)data, len, divisions[i], &l, &d);
		if (r < 0 && (l.n != 1 || l.v[0].day != 20000))
			abort();
		holiday_list_sort_unique(&l);
		holiday_list_free(&l);
		diags_free(&d);
	}
	return 0;
}

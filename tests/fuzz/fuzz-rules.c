/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A rule pack (rules_load, casewatch-rules(5)), which reads a file by path:
 * each input is written as pack.conf into a private folder. Inputs with
 * @include are passed over, as in fuzz-conf.c. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-common.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (fuzz_has_word(data, len, "@include"))
		return -1;
	char *path = fuzz_write("pack.conf", data, len, 0644);
	struct ruleset rs = { 0 };
	struct diags d = { 0 };
	if (rules_load(&path, 1, &rs, &d) == 0)
		rules_digest(&rs);
	ruleset_free(&rs);
	diags_free(&d);
	free(path);
	return 0;
}

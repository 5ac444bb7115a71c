/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch.conf (conf_load), which reads a file by path: each input is
 * written as casewatch.conf into a private folder that also holds a rule
 * pack, holiday files, a template and secret files for it to name, as
 * tests/test-conf.c does. Inputs with @include are passed over: libconfig
 * would open whatever they name (a fifo or a device never ends), and the
 * inclusion is libconfig's, not ours. */
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = fuzz_dir();
	char *rules = xasprintf("%s/rules", dir);
	if (mkdir(rules, 0755) < 0)
		abort();
	free(rules);
	fuzz_write_str("rules/leeds-asbu.conf",
		       "pack = \"test\";\n"
		       "rules = ( { id = \"call\"; title = \"Call\"; kind = \"deadline\"; within = \"1 working day\";\n"
		       "            met_by = { channel = \"phone\"; }; } );\n", 0644);
	fuzz_write_str("bank-holidays.json",
		       "{\"scotland\": {\"division\": \"scotland\", \"events\": [\n"
		       "  {\"title\": \"Fair day\", \"date\": \"2030-07-15\", \"notes\": \"\", \"bunting\": true}]}}\n",
		       0644);
	fuzz_write_str("england-and-wales.ics",
		       "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20300101\nSUMMARY:Extra\nEND:VEVENT\n"
		       "END:VCALENDAR\n", 0644);
	fuzz_write_str("notice.txt", "{{summary}}\n{{#items}}{{case}} {{title}}\n{{/items}}", 0644);
	fuzz_write_str("smtp-password", "secret\n", 0600);
	fuzz_write_str("webhook-secret", "secret\n", 0600);
	fuzz_write_str("open-secret", "secret\n", 0644);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (fuzz_has_word(data, len, "@include"))
		return -1;
	char *path = fuzz_write("casewatch.conf", data, len, 0644);
	struct conf *c = NULL;
	struct diags d = { 0 };
	if (conf_load(path, &c, &d) == 0) {
		if (d.n)
			abort(); /* loaded, yet with problems */
		conf_free(c);
	}
	diags_free(&d);
	free(path);
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Message templates (tmpl_parse) with the fields each kind of message
 * offers, and the rendering of those that parse. The first byte chooses the
 * kind, HTML or text, and whether the lists and fields are filled; the rest
 * is the template. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "tmpl.h"

/* Every field set, every list two items deep, with text that HTML escapes. */
static void fill(struct tmpl_data *d, const struct tmpl_field *fields, int empty_lists, int empty_fields)
{
	for (const struct tmpl_field *f = fields; f->name; f++) {
		if (f->items) {
			for (int i = 0; i < 2 && !empty_lists; i++)
				fill(tmpl_data_add(d, f->name), f->items, empty_lists, empty_fields);
		} else if (empty_fields) {
			tmpl_data_set(d, f->name, "");
		} else {
			tmpl_data_setf(d, f->name, "<%s> & \"caf\xc3\xa9\" '{{x}}'", f->name);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	const uint8_t how = data[0];
	const enum msg_kind kind = (enum msg_kind)(how % _MSG_KIND_MAX);
	char *text = malloc(len);
	memcpy(text, data + 1, len - 1);
	text[len - 1] = '\0';

	struct tmpl *t = NULL;
	struct diags d = { 0 };
	if (tmpl_parse(text, "fuzz.tmpl", msg_fields(kind), &t, &d) == 0) {
		struct tmpl_data *v = tmpl_data_new();
		fill(v, msg_fields(kind), how & 0x10, how & 0x20);
		free(tmpl_render(t, v, how & 0x08));
		free(tmpl_render(t, NULL, false));
		tmpl_data_free(v);
		tmpl_free(t);
	}
	diags_free(&d);
	free(text);
	return 0;
}

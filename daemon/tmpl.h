/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "diag.h"

/* Message templates (casewatch.conf(5), TEMPLATES): text with
 *   {{name}}             a field's value (HTML-escaped in HTML templates)
 *   {{#name}}...{{/name}} a list: the block once per item, whose fields are
 *                        in scope inside it (outer fields too); a plain
 *                        field: the block once when it is not empty
 *   {{^name}}...{{/name}} the block when the list or field is empty
 *   {{! comment }}
 * Only the fields a message kind offers are allowed: a template naming any
 * other is an error at load time with FILE:LINE. */

/* The fields offered: a table ending in { NULL }. A list has `items`, the
 * table of each item's fields. */
struct tmpl_field {
	const char *name;
	const struct tmpl_field *items;
};

struct tmpl;
/* Parse `text` (read from `file`, for diagnostics; may be NULL for a
 * built-in). Problems go to diags; returns 0 or -EINVAL. */
int tmpl_parse(const char *text, const char *file, const struct tmpl_field *fields, struct tmpl **ret,
	       struct diags *diags);
void tmpl_free(struct tmpl *t);

/* The values to render: fields and lists of items, each item a tmpl_data. */
struct tmpl_data;
struct tmpl_data *tmpl_data_new(void);
void tmpl_data_free(struct tmpl_data *d);
/* Set a field (copied); a later set of the same name replaces it. */
void tmpl_data_set(struct tmpl_data *d, const char *name, const char *value);
void tmpl_data_setf(struct tmpl_data *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append an item to the list `name` and return it, to set its fields.
 * Owned by d. */
struct tmpl_data *tmpl_data_add(struct tmpl_data *d, const char *name);

/* Render, newly allocated. With html, every value is HTML-escaped (& < > "
 * '); the template's own text is copied as written. */
char *tmpl_render(const struct tmpl *t, const struct tmpl_data *d, bool html);

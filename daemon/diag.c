/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void diags_add(struct diags *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	struct diag *e = &d->v[d->n++];
	e->file = file ? xstrdup(file) : NULL;
	e->line = line;
	va_start(ap, fmt);
	e->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

void diags_move(struct diags *to, struct diags *from)
{
	if (from->n == 0) {
		diags_free(from);
		return;
	}
	to->v = xgrow(to->v, &to->cap, to->n + from->n, sizeof(*to->v));
	memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	free(from->v);
	*from = (struct diags){0};
}

void diags_free(struct diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	*d = (struct diags){0};
}

static size_t file_rank(const struct diags *d, size_t upto, const char *file)
{
	for (size_t i = 0; i < upto; i++)
		if ((d->v[i].file == NULL) == (file == NULL) &&
		    (!file || strcmp(d->v[i].file, file) == 0))
			return i;
	return upto;
}

void diags_sort(struct diags *d)
{
	/* Files keep the order in which they were first mentioned (the
	 * configuration before the files it names); lines ascend within each.
	 * Insertion sort: stable, and the lists are short. */
	size_t *rank = xmalloc((d->n ? d->n : 1) * sizeof(size_t));
	for (size_t i = 0; i < d->n; i++)
		rank[i] = file_rank(d, i, d->v[i].file);
	for (size_t i = 1; i < d->n; i++) {
		struct diag e = d->v[i];
		size_t r = rank[i], j = i;
		while (j > 0 && (rank[j - 1] > r || (rank[j - 1] == r && d->v[j - 1].line > e.line))) {
			d->v[j] = d->v[j - 1];
			rank[j] = rank[j - 1];
			j--;
		}
		d->v[j] = e;
		rank[j] = r;
	}
	free(rank);
}

char *diag_line(const struct diag *e)
{
	if (e->file && e->line > 0)
		return xasprintf("%s:%d: %s", e->file, e->line, e->msg);
	if (e->file)
		return xasprintf("%s: %s", e->file, e->msg);
	return xstrdup(e->msg);
}

void diags_print(const struct diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = diag_line(&d->v[i]);
		fprintf(f, "%s\n", line);
	}
}

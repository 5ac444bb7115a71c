/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* Problems found in user input (configuration, rule packs, holiday files).
 * Modules collect every problem here rather than stopping at the first, so
 * `casewatch check` can report all of them; only the programs print them. */
struct diag {
	char *file; /* NULL when the problem has no file */
	int line;   /* 0 when the problem is about the whole file */
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n, cap;
};

void diags_add(struct diags *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Move every entry of `from` to the end of `to`. */
void diags_move(struct diags *to, struct diags *from);
void diags_free(struct diags *d);
/* Order by file, then line, keeping the order found within a line. */
void diags_sort(struct diags *d);
/* `FILE:LINE: message` (or less, for a problem without file or line),
 * newly allocated. */
char *diag_line(const struct diag *e);
/* One such line per problem, in the order found. */
void diags_print(const struct diags *d, FILE *f);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A text table for a terminal: each column as wide as its widest cell,
 * columns one space apart, and no line ending in whitespace (an empty last
 * cell is not padded). The rows are kept until table_print() knows every
 * width: in memory, and past TABLE_MEMORY_MAX bytes in an unlinked
 * temporary file, so a table of every obligation of a large database does
 * not hold it all in memory. */
struct table;

/* Numbers read best right-aligned. */
enum table_align {
	TABLE_LEFT,
	TABLE_RIGHT,
};

/* How a cell is shown when colour is on (table_print()). */
enum table_style {
	TABLE_PLAIN,
	TABLE_ALERT, /* red: what needs doing now */
};

#define TABLE_MEMORY_MAX (4u << 20)

struct table *table_new(size_t n_cols);
/* Every table_*() accepts NULL. */
void table_free(struct table *t);
static inline void table_freep(struct table **t) { table_free(*t); }
void table_align(struct table *t, size_t col, enum table_align a);
/* One row of n_cols cells (NULL is an empty cell); styles, when not NULL,
 * one per cell. Whitespace at the end of a cell is not shown. */
void table_add(struct table *t, const char *const *cells, const enum table_style *styles);
/* A column at least w wide, whatever its cells: tables printed one after
 * the other line up. */
void table_min_width(struct table *t, size_t col, size_t w);
/* How wide col is so far. */
size_t table_width(const struct table *t, size_t col);
/* The rows added so far. */
size_t table_rows(const struct table *t);
/* Every row, padded to the widths, to f; with colour, styled cells in
 * ANSI SGR colours (the caller decides: a terminal, and no NO_COLOR).
 * Returns 0, or -errno when the rows kept cannot be read back. */
int table_print(struct table *t, FILE *f, bool colour);

/* The width of s on a terminal: its characters (a byte that is not part of
 * well-formed UTF-8 counts as one, as a terminal shows it). */
size_t table_text_width(const char *s);

/* Whether to colour what goes to f: it is a terminal, NO_COLOR is unset or
 * empty (https://no-color.org), and TERM is not "dumb". */
bool table_colour_wanted(FILE *f);

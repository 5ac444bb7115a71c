/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text tables sized to their content (table.h). */
#include "table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Each row is kept as its cells one after the other, each a style byte
 * ('a' + enum table_style), its text and a NUL: read back in order. */
struct table {
	size_t n_cols, n_rows;
	size_t *width;
	enum table_align *align;
	FILE *rows;      /* an open_memstream, or the spill file */
	char *mem;       /* the memstream's buffer */
	size_t mem_len;
	size_t kept;     /* bytes written to rows */
	bool spilled;    /* rows is a temporary file */
	bool spill_failed;
};

/* The test lowers it to see a spill without writing megabytes. */
static size_t table_memory_max = TABLE_MEMORY_MAX;

struct table *table_new(size_t n_cols)
{
	struct table *t = xcalloc(1, sizeof(*t));
	t->n_cols = n_cols;
	t->width = xcalloc(n_cols ? n_cols : 1, sizeof(size_t));
	t->align = xcalloc(n_cols ? n_cols : 1, sizeof(enum table_align));
	t->rows = open_memstream(&t->mem, &t->mem_len);
	if (!t->rows)
		oom();
	return t;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	if (t->rows)
		fclose(t->rows);
	free(t->mem);
	free(t->width);
	free(t->align);
	free(t);
}

void table_align(struct table *t, size_t col, enum table_align a)
{
	if (t && col < t->n_cols)
		t->align[col] = a;
}

void table_min_width(struct table *t, size_t col, size_t w)
{
	if (t && col < t->n_cols && t->width[col] < w)
		t->width[col] = w;
}

size_t table_width(const struct table *t, size_t col)
{
	return t && col < t->n_cols ? t->width[col] : 0;
}

size_t table_rows(const struct table *t)
{
	return t ? t->n_rows : 0;
}

size_t table_text_width(const char *s)
{
	size_t w = 0, n = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	while (n > 0) {
		size_t k = utf8_seq(p, n);
		if (k == 0)
			k = 1;
		p += k;
		n -= k;
		w++;
	}
	return w;
}

/* Past the memory cap: the rows so far into an unlinked file in $TMPDIR,
 * and the rest after them. When no file can be made, they stay in
 * memory: a slower machine, not a failed command. */
static void spill(struct table *t)
{
	const char *dir = getenv("TMPDIR");
	_cleanup_free_ char *path = xasprintf("%s/casewatch-table.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		t->spill_failed = true;
		return;
	}
	unlink(path);
	if (fflush(t->rows) != 0 || fwrite(t->mem, 1, t->mem_len, f) != t->mem_len) {
		fclose(f);
		t->spill_failed = true;
		return;
	}
	fclose(t->rows);
	free(t->mem);
	t->mem = NULL;
	t->mem_len = 0;
	t->rows = f;
	t->spilled = true;
}

void table_add(struct table *t, const char *const *cells, const enum table_style *styles)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_cols; i++) {
		const char *s = cells[i] ? cells[i] : "";
		size_t n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		_cleanup_free_ char *text = xstrndup(s, n);
		size_t w = table_text_width(text);
		if (w > t->width[i])
			t->width[i] = w;
		fputc('a' + (int)(styles ? styles[i] : TABLE_PLAIN), t->rows);
		fwrite(text, 1, n + 1, t->rows);
		t->kept += n + 2;
	}
	t->n_rows++;
	if (!t->spilled && !t->spill_failed && t->kept > table_memory_max)
		spill(t);
}

static const char *style_on(enum table_style s)
{
	switch (s) {
	case TABLE_PLAIN:
		return NULL;
	case TABLE_ALERT:
		return "\033[31m";
	}
	return NULL;
}

static void pad(struct strbuf *b, size_t n)
{
	while (n-- > 0)
		strbuf_add(b, " ", 1);
}

int table_print(struct table *t, FILE *f, bool colour)
{
	if (!t || t->n_rows == 0)
		return 0;
	if (fflush(t->rows) != 0)
		return -errno;
	FILE *in = t->rows;
	_cleanup_fclose_ FILE *mem = NULL;
	if (t->spilled) {
		rewind(in);
	} else {
		mem = fmemopen(t->mem, t->mem_len, "r");
		if (!mem)
			return -errno;
		in = mem;
	}
	_cleanup_free_ char *cell = NULL;
	size_t cap = 0;
	struct strbuf line = { 0 };
	int r = 0;
	for (size_t row = 0; row < t->n_rows && r == 0; row++) {
		line.n = 0;
		strbuf_add(&line, "", 0);
		/* Where the line ends once the padding after its last text is
		 * dropped. */
		size_t end = 0;
		for (size_t i = 0; i < t->n_cols; i++) {
			ssize_t len = getdelim(&cell, &cap, '\0', in);
			if (len < 1) {
				r = ferror(in) ? -EIO : -EINVAL;
				break;
			}
			enum table_style style = (enum table_style)(cell[0] - 'a');
			const char *text = cell + 1;
			size_t w = table_text_width(text);
			const char *on = colour && *text ? style_on(style) : NULL;
			if (i > 0)
				strbuf_add(&line, " ", 1);
			if (t->align[i] == TABLE_RIGHT)
				pad(&line, t->width[i] - w);
			if (on)
				strbuf_adds(&line, on);
			strbuf_adds(&line, text);
			if (on)
				strbuf_adds(&line, "\033[0m");
			if (*text || on)
				end = line.n;
			if (t->align[i] == TABLE_LEFT)
				pad(&line, t->width[i] - w);
		}
		if (r == 0) {
			fwrite(line.p, 1, end, f);
			fputc('\n', f);
		}
	}
	free(line.p);
	if (t->spilled)
		fseek(t->rows, 0, SEEK_END);
	return r;
}

bool table_colour_wanted(FILE *f)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (no && *no)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

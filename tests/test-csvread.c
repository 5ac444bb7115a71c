/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "csvread.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-csvread.XXXXXX";

/* UTF-8 of what the Windows-1252 tests expect. */
#define POUND "\xc2\xa3"       /* U+00A3, from 0xA3 */
#define EURO "\xe2\x82\xac"    /* U+20AC, from 0x80 */
#define LSQUO "\xe2\x80\x98"   /* U+2018, from 0x91 */
#define RSQUO "\xe2\x80\x99"   /* U+2019, from 0x92 */
#define LDQUO "\xe2\x80\x9c"   /* U+201C, from 0x93 */
#define RDQUO "\xe2\x80\x9d"   /* U+201D, from 0x94 */

static const char strict[] = "error parsing data while strict checking enabled";

/* What the reader handed over, copied: the record is only valid during
 * the call. */
struct rec {
	size_t n;
	char **field;
	size_t *len;
	long bad_field;
	unsigned long line;
};

struct got {
	struct rec *v;
	size_t n, cap;
	size_t stop_after; /* 0: never */
	char *err;
};

static int collect(void *userdata, const struct csv_record *r)
{
	struct got *g = userdata;
	g->v = xgrow(g->v, &g->cap, g->n + 1, sizeof(*g->v));
	struct rec *c = &g->v[g->n++];
	*c = (struct rec){ .n = r->n, .bad_field = r->bad_field, .line = r->line };
	c->field = xcalloc(r->n, sizeof(*c->field));
	c->len = xcalloc(r->n, sizeof(*c->len));
	for (size_t i = 0; i < r->n; i++) {
		/* Each field is NUL-terminated at its length. */
		assert_int_equal(r->field[i][r->len[i]], '\0');
		c->field[i] = xmalloc(r->len[i] + 1);
		memcpy(c->field[i], r->field[i], r->len[i] + 1);
		c->len[i] = r->len[i];
	}
	if (g->stop_after && g->n == g->stop_after)
		return -ECANCELED;
	return 0;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++) {
		for (size_t j = 0; j < g->v[i].n; j++)
			free(g->v[i].field[j]);
		free(g->v[i].field);
		free(g->v[i].len);
	}
	free(g->v);
	free(g->err);
	*g = (struct got){ 0 };
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void write_bytes(const char *name, const char *data, size_t len)
{
	_cleanup_free_ char *path = path_of(name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int read_as(const char *name, enum csv_encoding enc, char delim, struct got *g)
{
	_cleanup_free_ char *path = path_of(name);
	return csv_read_file(path, enc, delim, collect, g, &g->err);
}

/* Write `data` (a string literal, NULs and all) and read it back. */
#define READ(name, data, enc, delim, g) \
	(write_bytes(name, data, sizeof(data) - 1), read_as(name, enc, delim, g))

/* Record i has line `line` and exactly the fields given (NULL-ended). */
static void assert_rec(const struct got *g, size_t i, unsigned long line, ...)
{
	if (i >= g->n)
		fail_msg("expected a record #%zu (line %lu), have %zu", i, line, g->n);
	const struct rec *r = &g->v[i];
	if (r->line != line)
		fail_msg("record #%zu is on line %lu, expected %lu", i, r->line, line);
	va_list ap;
	va_start(ap, line);
	size_t n = 0;
	for (const char *want; (want = va_arg(ap, const char *)); n++) {
		if (n >= r->n)
			fail_msg("record #%zu has %zu fields, expected more", i, r->n);
		if (r->len[n] != strlen(want) || memcmp(r->field[n], want, r->len[n]) != 0)
			fail_msg("record #%zu field %zu is [%s] (%zu bytes), expected [%s]", i, n,
				 r->field[n], r->len[n], want);
	}
	va_end(ap);
	if (n != r->n)
		fail_msg("record #%zu has %zu fields, expected %zu", i, r->n, n);
}

static void assert_err(const struct got *g, const char *name, const char *rest)
{
	_cleanup_free_ char *want = xasprintf("%s/%s%s", dir, name, rest);
	assert_non_null(g->err);
	assert_string_equal(g->err, want);
}

/* ---- RFC 4180 ---- */

static void test_quoted_fields_hold_delimiters_quotes_and_line_ends(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("rfc.csv",
			      "ref,note,who\n"
			      "A-1,\"noise, late\",\"said \"\"stop\"\"\"\n"
			      "A-2,\"two\nlines\",\"\"\"\"\n"
			      "A-3,plain,\"\"\n",
			      CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 4);
	assert_rec(&g, 0, 1, "ref", "note", "who", NULL);
	assert_rec(&g, 1, 2, "A-1", "noise, late", "said \"stop\"", NULL);
	assert_rec(&g, 2, 3, "A-2", "two\nlines", "\"", NULL);
	/* After a field with a line end in it, the next record is a line
	 * further on. */
	assert_rec(&g, 3, 5, "A-3", "plain", "", NULL);
	assert_null(g.err);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(g.v[i].bad_field, -1);
	got_free(&g);
}

static void test_empty_fields_and_trailing_delimiter(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("empty.csv", "a,,c\n,,\n\"\",x,\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "a", "", "c", NULL);
	assert_rec(&g, 1, 2, "", "", "", NULL);
	assert_rec(&g, 2, 3, "", "x", "", NULL);
	got_free(&g);
}

/* libcsv's rule, not RFC 4180's: spaces and tabs around an unquoted field
 * are dropped; a quoted field keeps them. */
static void test_spaces_around_unquoted_fields_are_dropped(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("spaces.csv", "  a , b c ,\" d \" \n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 1);
	assert_rec(&g, 0, 1, "a", "b c", " d ", NULL);
	got_free(&g);
}

static void test_empty_file_and_bom_only_file_have_no_records(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("none.csv", "", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(READ("bomonly.csv", "\xef\xbb\xbf", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(READ("blankonly.csv", "\r\n\n  \n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 0);
	assert_null(g.err);
	got_free(&g);
}

/* ---- line ends and line numbers ---- */

static void test_crlf_line_ends_are_not_in_fields(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("crlf.csv", "ref,name\r\nA-1,Smith\r\nA-2,\"Jones\"\r\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "ref", "name", NULL);
	assert_rec(&g, 1, 2, "A-1", "Smith", NULL);
	assert_rec(&g, 2, 3, "A-2", "Jones", NULL);
	got_free(&g);

	/* A lone CR ends a record (libcsv), but only an LF ends a line. */
	assert_int_equal(READ("cr.csv", "a,b\rc,\"d\re\"\nf\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "a", "b", NULL);
	assert_rec(&g, 1, 1, "c", "d\re", NULL);
	assert_rec(&g, 2, 2, "f", NULL);
	got_free(&g);
}

/* A line end inside a quoted field is part of the field, as written; it
 * still counts for the lines of the records after it. */
static void test_line_ends_inside_quoted_fields_count(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("inside.csv",
			      "a,\"1\r\n2\"\r\n"
			      "b,\"3\n4\n5\"\r\n"
			      "\"\n\nc\",d\n"
			      "e\n",
			      CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 4);
	assert_rec(&g, 0, 1, "a", "1\r\n2", NULL);
	assert_rec(&g, 1, 3, "b", "3\n4\n5", NULL);
	/* A record is on the line it starts on, not where its first field
	 * ends. */
	assert_rec(&g, 2, 6, "\n\nc", "d", NULL);
	assert_rec(&g, 3, 9, "e", NULL);
	got_free(&g);
}

static void test_blank_lines_are_no_records_but_count(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("blank.csv", "\n\r\nh1,h2\n\n\r\n  \n\t\n1,2\r\n\r\n3,4\n\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 3, "h1", "h2", NULL);
	assert_rec(&g, 1, 8, "1", "2", NULL);
	assert_rec(&g, 2, 10, "3", "4", NULL);
	got_free(&g);
}

static void test_last_record_with_or_without_final_line_end(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("nofinal.csv", "a,b\nc,d", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 2);
	assert_rec(&g, 1, 2, "c", "d", NULL);
	got_free(&g);

	assert_int_equal(READ("nofinal-crlf.csv", "a,b\r\nc,\"d\"", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 2);
	assert_rec(&g, 1, 2, "c", "d", NULL);
	got_free(&g);

	assert_int_equal(READ("final-lf.csv", "a,b\nc,d\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 2);
	assert_rec(&g, 1, 2, "c", "d", NULL);
	got_free(&g);

	assert_int_equal(READ("final-crlf.csv", "a,b\r\nc,d\r\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 2);
	assert_rec(&g, 1, 2, "c", "d", NULL);
	got_free(&g);
}

/* Many records across many reads, CRLF, blank lines and quoted line ends
 * mixed, each piece boundary falling somewhere different (a CR at the end
 * of one piece, its LF at the start of the next, among others): every
 * record is where it was written. */
static void test_line_numbers_hold_across_read_pieces(void **state)
{
	struct strbuf b = { 0 };
	const size_t n = 20000;
	unsigned long *want = xmalloc(n * sizeof(*want));
	/* The first record ends on a CR that is the first piece's last byte
	 * (the reader reads 64 KiB at a time). */
	const size_t piece = 64 * 1024;
	char *pad = xmalloc(piece + 2);
	memset(pad, 'p', piece + 1);
	memcpy(pad, "P,", 2);
	memcpy(pad + piece - 1, "\r\n", 3);
	strbuf_adds(&b, pad);
	free(pad);
	assert_int_equal(b.n, piece + 1);
	unsigned long line = 2;
	for (size_t i = 0; i < n; i++) {
		char rec[128];
		want[i] = line;
		if (i % 97 == 0) {
			snprintf(rec, sizeof(rec), "R%zu,\"x\r\ny\nz\",%zu\r\n", i, i);
			line += 3;
		} else if (i % 13 == 0) {
			snprintf(rec, sizeof(rec), "R%zu,\"q\"\r\n\r\n\n", i);
			line += 3;
		} else {
			snprintf(rec, sizeof(rec), "R%zu,%0*zu\r\n", i, (int)(i % 7), i % 100);
			line += 1;
		}
		strbuf_adds(&b, rec);
	}
	write_bytes("many.csv", b.p, b.n);
	assert_true(b.n > 3 * piece);
	free(b.p);

	struct got g = { 0 };
	assert_int_equal(read_as("many.csv", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, n + 1);
	assert_int_equal(g.v[0].line, 1);
	assert_int_equal(g.v[0].len[1], piece - 3);
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &g.v[i + 1];
		char ref[32];
		snprintf(ref, sizeof(ref), "R%zu", i);
		if (r->line != want[i] || strcmp(r->field[0], ref) != 0)
			fail_msg("record #%zu: %s on line %lu, expected %s on line %lu", i, r->field[0],
				 r->line, ref, want[i]);
		assert_int_equal(r->n, i % 97 == 0 ? 3 : 2);
	}
	assert_string_equal(g.v[98].field[1], "x\r\ny\nz");
	free(want);
	got_free(&g);
}

/* ---- BOM and encodings ---- */

static void test_utf8_bom_at_start_is_skipped(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("bom.csv", "\xef\xbb\xbfRef,Name\r\nA-1,\xef\xbb\xbfX\r\n", CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 2);
	assert_rec(&g, 0, 1, "Ref", "Name", NULL);
	/* Anywhere else it is text (U+FEFF), kept. */
	assert_rec(&g, 1, 2, "A-1", "\xef\xbb\xbfX", NULL);
	assert_int_equal(g.v[1].bad_field, -1);
	got_free(&g);

	/* A file said to be Windows-1252 loses the BOM too, and the rest is
	 * read as Windows-1252. */
	assert_int_equal(READ("bom1252.csv", "\xef\xbb\xbfRef,\xa3\n", CSV_WINDOWS_1252, ',', &g), 0);
	assert_int_equal(g.n, 1);
	assert_rec(&g, 0, 1, "Ref", POUND, NULL);
	got_free(&g);
}

static void test_windows_1252_converted_to_utf8(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("cp1252.csv",
			      "ref,amount,note\r\n"
			      "A-1,\xa3" "50,\x93noise\x94 at night\r\n"
			      "A-2,\x80" "10,\"it\x92s \x91late\x92, \"\"again\"\"\"\r\n",
			      CSV_WINDOWS_1252, ',', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "ref", "amount", "note", NULL);
	assert_rec(&g, 1, 2, "A-1", POUND "50", LDQUO "noise" RDQUO " at night", NULL);
	assert_rec(&g, 2, 3, "A-2", EURO "10", "it" RSQUO "s " LSQUO "late" RSQUO ", \"again\"", NULL);
	for (size_t i = 0; i < g.n; i++)
		assert_int_equal(g.v[i].bad_field, -1);
	got_free(&g);
}

/* The five bytes Windows-1252 leaves undefined: the field is flagged and
 * passed as it was; the record's other fields are still converted. */
static void test_windows_1252_undefined_bytes_flag_the_field(void **state)
{
	static const char undefined[] = { '\x81', '\x8d', '\x8f', '\x90', '\x9d' };
	struct got g = { 0 };
	for (size_t i = 0; i < ELEMENTSOF(undefined); i++) {
		char data[] = "\xa3" "1,a?b,c\x9d,\xa3" "2\n";
		data[4] = undefined[i];
		write_bytes("undef.csv", data, strlen(data));
		assert_int_equal(read_as("undef.csv", CSV_WINDOWS_1252, ',', &g), 0);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.v[0].bad_field, 1);
		assert_int_equal(g.v[0].n, 4);
		assert_string_equal(g.v[0].field[0], POUND "1");
		assert_int_equal(g.v[0].len[1], 3);
		assert_memory_equal(g.v[0].field[1], data + 3, 3);
		assert_string_equal(g.v[0].field[2], "c\x9d");
		assert_string_equal(g.v[0].field[3], POUND "2");
		got_free(&g);
	}
}

static void test_utf8_not_well_formed_flags_the_first_bad_field(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("badutf8.csv",
			      "ref,name,note\n"
			      "A-1,Caf\xc3\xa9 \xe2\x80\x99,\xc2\xa3" "5\n"
			      "A-2,Sm\xe9th,\xc0\xaf\n"
			      "A-3,\xed\xa0\x80,cut \xe2\x80\n",
			      CSV_UTF8, ',', &g), 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.v[0].bad_field, -1);
	assert_int_equal(g.v[1].bad_field, -1);
	assert_rec(&g, 1, 2, "A-1", "Caf\xc3\xa9 \xe2\x80\x99", "\xc2\xa3" "5", NULL);
	/* Latin-1 in a UTF-8 file, then an overlong '/': the first counts,
	 * both are passed as they are. */
	assert_int_equal(g.v[2].bad_field, 1);
	assert_rec(&g, 2, 3, "A-2", "Sm\xe9th", "\xc0\xaf", NULL);
	/* A surrogate; a sequence cut short. */
	assert_int_equal(g.v[3].bad_field, 1);
	assert_rec(&g, 3, 4, "A-3", "\xed\xa0\x80", "cut \xe2\x80", NULL);
	got_free(&g);
}

/* ---- delimiters ---- */

static void test_semicolon_and_tab_delimiters(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("semi.csv", "ref;amount\r\nA-1;\"1,50\"\r\nA-2;\"a;b\";\r\n", CSV_UTF8, ';', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "ref", "amount", NULL);
	assert_rec(&g, 1, 2, "A-1", "1,50", NULL);
	assert_rec(&g, 2, 3, "A-2", "a;b", "", NULL);
	got_free(&g);

	/* A tab delimits even where libcsv would drop spaces and tabs. */
	assert_int_equal(READ("tab.tsv", "ref\tname\tnote\nA-1\t\tx,y\n\t\"a\tb\"\t\n", CSV_UTF8, '\t', &g), 0);
	assert_int_equal(g.n, 3);
	assert_rec(&g, 0, 1, "ref", "name", "note", NULL);
	assert_rec(&g, 1, 2, "A-1", "", "x,y", NULL);
	assert_rec(&g, 2, 3, "", "a\tb", "", NULL);
	got_free(&g);

	assert_int_equal(READ("pipe.csv", "a|b,c|\"d|e\"\n", CSV_UTF8, '|', &g), 0);
	assert_rec(&g, 0, 1, "a", "b,c", "d|e", NULL);
	got_free(&g);
}

static void test_quote_or_line_end_as_delimiter_refused(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("delim.csv", "a,b\n", CSV_UTF8, '"', &g), -EINVAL);
	assert_err(&g, "delim.csv", ": a quote or a line end cannot be the delimiter");
	assert_int_equal(g.n, 0);
	got_free(&g);
}

/* ---- not CSV ---- */

static void test_quoted_field_not_closed_is_an_error_with_its_line(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("open.csv", "ref,note\nA-1,\"ok\"\nA-2,\"never\nclosed\n\n", CSV_UTF8, ',', &g),
			 -EINVAL);
	_cleanup_free_ char *rest = xasprintf(":3: not CSV: %s (a quoted field not closed at the end of the file)",
					     strict);
	assert_err(&g, "open.csv", rest);
	/* The records before it were read. */
	assert_int_equal(g.n, 2);
	got_free(&g);

	/* The line is the one the open field starts on, after line ends in
	 * quoted fields before it, CRLF or not. */
	assert_int_equal(READ("open2.csv", "a,\"x\r\ny\"\r\n\r\nb,\"z\r\n\"\r\nc,\"open\r\n", CSV_UTF8, ',', &g),
			 -EINVAL);
	free(rest);
	rest = xasprintf(":6: not CSV: %s (a quoted field not closed at the end of the file)", strict);
	assert_err(&g, "open2.csv", rest);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void test_stray_quote_in_unquoted_field_is_an_error(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("stray.csv", "ref,name\r\n\"A-1\",\"two\r\nlines\"\r\n\r\nA-2,O\"Brien\r\nA-3,x\r\n",
			      CSV_UTF8, ',', &g), -EINVAL);
	_cleanup_free_ char *rest = xasprintf(":5: not CSV: %s (a quote inside an unquoted field)", strict);
	assert_err(&g, "stray.csv", rest);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void test_text_after_closing_quote_is_an_error(void **state)
{
	struct got g = { 0 };
	assert_int_equal(READ("after.csv", "a\n\"b\"c,d\n", CSV_UTF8, ',', &g), -EINVAL);
	_cleanup_free_ char *rest = xasprintf(":2: not CSV: %s (text after a closing quote)", strict);
	assert_err(&g, "after.csv", rest);
	assert_int_equal(g.n, 1);
	got_free(&g);
}

/* ---- size ---- */

static void test_field_longer_than_a_read_piece(void **state)
{
	const size_t big = 200 * 1024;
	struct strbuf b = { 0 };
	strbuf_adds(&b, "ref,note,end\nA-1,\"");
	char *text = xmalloc(big + 1);
	for (size_t i = 0; i < big; i++)
		text[i] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
	text[big] = '\0';
	strbuf_add(&b, text, big);
	strbuf_adds(&b, "\",x\nA-2,");
	strbuf_add(&b, text, big); /* unquoted: a line end ends it */
	strbuf_adds(&b, "\n");
	write_bytes("big.csv", b.p, b.n);
	free(b.p);

	struct got g = { 0 };
	assert_int_equal(read_as("big.csv", CSV_UTF8, ',', &g), 0);
	/* Header, A-1, and A-2's text cut at each of its line ends. */
	assert_int_equal(g.n, 2 + big / 1000 + 1);
	assert_int_equal(g.v[1].line, 2);
	assert_int_equal(g.v[1].len[1], big);
	assert_memory_equal(g.v[1].field[1], text, big);
	assert_string_equal(g.v[1].field[2], "x");
	/* The quoted field held big / 1000 line ends. */
	assert_int_equal(g.v[2].line, 3 + big / 1000);
	assert_int_equal(g.v[2].len[1], 999);
	assert_memory_equal(g.v[2].field[1], text, 999);
	free(text);
	got_free(&g);
}

/* A quote that never closes does not take the whole file into memory. */
static void test_field_over_64_mib_refused(void **state)
{
	const size_t big = 65 * 1024 * 1024;
	char *data = xmalloc(big);
	memcpy(data, "a\nb,\"", 5);
	memset(data + 5, 'x', big - 5);
	write_bytes("huge.csv", data, big);
	free(data);

	struct got g = { 0 };
	assert_int_equal(read_as("huge.csv", CSV_UTF8, ',', &g), -EFBIG);
	assert_err(&g, "huge.csv", ":2: a field longer than 64 MiB");
	assert_int_equal(g.n, 1);
	got_free(&g);
	_cleanup_free_ char *path = path_of("huge.csv");
	assert_int_equal(unlink(path), 0);
}

/* Each field within bounds, the record not. */
static void test_record_over_64_mib_refused(void **state)
{
	const size_t half = 33 * 1024 * 1024;
	char *data = xmalloc(2 * half + 8);
	memcpy(data, "a\n\n", 3);
	memset(data + 3, 'x', 2 * half);
	data[3 + half] = ',';
	memcpy(data + 3 + 2 * half, "\nb\n", 3);
	write_bytes("wide.csv", data, 2 * half + 6);
	free(data);

	struct got g = { 0 };
	assert_int_equal(read_as("wide.csv", CSV_UTF8, ',', &g), -EFBIG);
	assert_err(&g, "wide.csv", ":3: a record longer than 64 MiB");
	assert_int_equal(g.n, 1);
	got_free(&g);
	_cleanup_free_ char *path = path_of("wide.csv");
	assert_int_equal(unlink(path), 0);
}

/* ---- stopping and failing ---- */

static void test_on_record_negative_stops_the_reading(void **state)
{
	struct got g = { .stop_after = 2 };
	assert_int_equal(READ("stop.csv", "h\n1\n2\n3\n\"never closed\n", CSV_UTF8, ',', &g), -ECANCELED);
	assert_int_equal(g.n, 2);
	assert_null(g.err);
	got_free(&g);

	/* The last record, handed over at the end of the file, too. */
	g = (struct got){ .stop_after = 2 };
	assert_int_equal(READ("stop2.csv", "h\n1", CSV_UTF8, ',', &g), -ECANCELED);
	assert_int_equal(g.n, 2);
	assert_null(g.err);
	got_free(&g);
}

static void test_missing_file_or_folder_is_an_error(void **state)
{
	struct got g = { 0 };
	assert_int_equal(read_as("missing.csv", CSV_UTF8, ',', &g), -ENOENT);
	assert_err(&g, "missing.csv", ": No such file or directory");
	got_free(&g);

	assert_int_equal(csv_read_file(dir, CSV_UTF8, ',', collect, &g, &g.err), -EISDIR);
	_cleanup_free_ char *want = xasprintf("%s: Is a directory", dir);
	assert_string_equal(g.err, want);
	got_free(&g);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_fields_hold_delimiters_quotes_and_line_ends),
		cmocka_unit_test(test_empty_fields_and_trailing_delimiter),
		cmocka_unit_test(test_spaces_around_unquoted_fields_are_dropped),
		cmocka_unit_test(test_empty_file_and_bom_only_file_have_no_records),
		cmocka_unit_test(test_crlf_line_ends_are_not_in_fields),
		cmocka_unit_test(test_line_ends_inside_quoted_fields_count),
		cmocka_unit_test(test_blank_lines_are_no_records_but_count),
		cmocka_unit_test(test_last_record_with_or_without_final_line_end),
		cmocka_unit_test(test_line_numbers_hold_across_read_pieces),
		cmocka_unit_test(test_utf8_bom_at_start_is_skipped),
		cmocka_unit_test(test_windows_1252_converted_to_utf8),
		cmocka_unit_test(test_windows_1252_undefined_bytes_flag_the_field),
		cmocka_unit_test(test_utf8_not_well_formed_flags_the_first_bad_field),
		cmocka_unit_test(test_semicolon_and_tab_delimiters),
		cmocka_unit_test(test_quote_or_line_end_as_delimiter_refused),
		cmocka_unit_test(test_quoted_field_not_closed_is_an_error_with_its_line),
		cmocka_unit_test(test_stray_quote_in_unquoted_field_is_an_error),
		cmocka_unit_test(test_text_after_closing_quote_is_an_error),
		cmocka_unit_test(test_field_longer_than_a_read_piece),
		cmocka_unit_test(test_field_over_64_mib_refused),
		cmocka_unit_test(test_record_over_64_mib_refused),
		cmocka_unit_test(test_on_record_negative_stops_the_reading),
		cmocka_unit_test(test_missing_file_or_folder_is_an_error),
	};
	return tap_exit(cmocka_run_group_tests(tests, setup, teardown));
}

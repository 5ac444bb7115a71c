/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* A piece of the file per read: large enough that libcsv, not the system
 * calls, is the cost. */
#define CHUNK (64 * 1024)

/* A record (or a field) longer than this is refused: an export whose
 * quotes do not pair, or a device named by mistake, would otherwise be
 * read whole into memory. Real records, notes and all, are far shorter. */
#define RECORD_MAX (64 * 1024 * 1024)

struct reader {
	enum csv_encoding enc;
	iconv_t cd; /* Windows-1252 to UTF-8, or (iconv_t)-1 */
	int (*on_record)(void *userdata, const struct csv_record *rec);
	void *userdata;

	/* The record being collected: its fields one after another in buf,
	 * each converted and NUL-terminated, field i at off[i], len[i] bytes
	 * long. Offsets, not pointers: buf moves as it grows. */
	char *buf;
	size_t buf_n, buf_cap;
	size_t *off, *len;
	const char **field;
	size_t n, cap;
	long bad_field;
	unsigned long line;

	/* Line ends before the point the parser has reported: those outside
	 * fields (libcsv reports each, CSV_REPALL_NL) and those inside the
	 * fields it has handed over. */
	unsigned long lines;
	/* Bytes of the file read so far, for progress. */
	unsigned long long offset;

	/* Why a callback stopped the reading: on_record's negative value, or
	 * too_long (then r is -EFBIG). */
	int r;
	bool too_long;
};

static size_t count_lf(const char *s, size_t n)
{
	size_t k = 0;
	for (const char *end = s + n; (s = memchr(s, '\n', (size_t)(end - s))); s++)
		k++;
	return k;
}

static bool is_ascii(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] & 0x80)
			return false;
	return true;
}

/* Room for `extra` more bytes at the end of the record being collected. */
static char *record_reserve(struct reader *rd, size_t extra)
{
	rd->buf = xgrow(rd->buf, &rd->buf_cap, rd->buf_n + extra, 1);
	return rd->buf + rd->buf_n;
}

/* Room for one more field. */
static void record_grow(struct reader *rd)
{
	if (rd->n < rd->cap)
		return;
	rd->cap = rd->cap ? 2 * rd->cap : 16;
	rd->off = xrealloc(rd->off, rd->cap * sizeof(*rd->off));
	rd->len = xrealloc(rd->len, rd->cap * sizeof(*rd->len));
	rd->field = xrealloc(rd->field, rd->cap * sizeof(*rd->field));
}

/* glibc's iconv refuses (EILSEQ) the five bytes Windows-1252 leaves
 * undefined: false then, and the caller keeps the field as it was. One
 * byte becomes at most three of UTF-8 (0x80, U+20AC, is one of those). */
static bool convert_1252(struct reader *rd, const char *s, size_t n, size_t *ret_len)
{
	char *out = record_reserve(rd, 3 * n + 1);
	char *in = (char *)s, *o = out;
	size_t inleft = n, outleft = 3 * n;

	iconv(rd->cd, NULL, NULL, NULL, NULL);
	if (iconv(rd->cd, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft > 0)
		return false;
	*ret_len = (size_t)(o - out);
	return true;
}

/* Append a field: converted to UTF-8, or as it is when its bytes are not
 * valid in the file's encoding (the first such field is flagged). ASCII is
 * the same in both and is only copied: most fields are. */
static void record_add(struct reader *rd, const char *s, size_t n)
{
	bool ok = true, converted = false;
	size_t len = n;

	if (!is_ascii((const unsigned char *)s, n)) {
		if (rd->enc == CSV_WINDOWS_1252)
			ok = converted = convert_1252(rd, s, n, &len);
		else
			ok = utf8_valid(s, n);
	}
	if (!converted)
		memcpy(record_reserve(rd, n + 1), s, n);
	if (!ok && rd->bad_field < 0)
		rd->bad_field = (long)rd->n;

	record_grow(rd);
	rd->off[rd->n] = rd->buf_n;
	rd->len[rd->n] = len;
	rd->n++;
	rd->buf[rd->buf_n + len] = '\0';
	rd->buf_n += len + 1;
}

static int record_emit(struct reader *rd)
{
	for (size_t i = 0; i < rd->n; i++)
		rd->field[i] = rd->buf + rd->off[i];
	const struct csv_record rec = {
		.n = rd->n,
		.field = rd->field,
		.len = rd->len,
		.bad_field = rd->bad_field,
		.line = rd->line,
		.offset = rd->offset,
	};
	int r = rd->on_record(rd->userdata, &rec);
	rd->n = rd->buf_n = 0;
	rd->bad_field = -1;
	return r;
}

/* libcsv's end-of-field callback. */
static void on_field(void *s, size_t n, void *userdata)
{
	struct reader *rd = userdata;

	if (rd->r < 0)
		return;
	/* Every line end before the record's first field has been counted,
	 * and a field begins on the line its first byte is on. */
	if (rd->n == 0)
		rd->line = rd->lines + 1;
	rd->lines += count_lf(s, n);
	/* Measured before conversion, which may lengthen the field. */
	if (rd->buf_n + n > RECORD_MAX) {
		rd->r = -EFBIG;
		rd->too_long = true;
		return;
	}
	record_add(rd, s, n);
}

/* libcsv's end-of-record callback. With CSV_REPALL_NL it comes for every
 * CR and every LF outside a field, so that line ends can be counted: a
 * CRLF ends its record at the CR, and the LF then comes as a row of its
 * own, with no fields. Rows without fields (that, and blank lines) are no
 * records. */
static void on_row(int c, void *userdata)
{
	struct reader *rd = userdata;

	if (rd->r < 0)
		return;
	if (rd->n > 0) {
		int r = record_emit(rd);
		if (r < 0) {
			rd->r = r;
			return;
		}
	}
	if (c == '\n')
		rd->lines++;
}

/* libcsv grows its field buffer through this: refusing past the cap makes
 * csv_parse() stop with CSV_ENOMEM instead of taking all memory. */
static void *parser_realloc(void *p, size_t n)
{
	if (n > RECORD_MAX + 1)
		return NULL;
	return xrealloc(p, n);
}

/* The line a record (or a field) not yet handed over starts on. */
static unsigned long pending_line(const struct reader *rd)
{
	return rd->n > 0 ? rd->line : rd->lines + 1;
}

/* What strict mode refused, from where libcsv stopped: a quote in a field
 * that did not start with one, or anything but a delimiter, a line end or
 * spaces after the closing quote of one that did. */
static const char *parse_error_what(const struct csv_parser *p)
{
	return p->quoted ? "text after a closing quote" : "a quote inside an unquoted field";
}

static void reader_done(struct reader *rd)
{
	if (rd->cd != (iconv_t)-1)
		iconv_close(rd->cd);
	free(rd->buf);
	free(rd->off);
	free(rd->len);
	free(rd->field);
}

static int fail(char **ret_err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char **ret_err, int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*ret_err = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

/* Feed the file to the parser. Returns 0, or an error with *ret_err set;
 * a stop from a callback is left in rd->r. */
static int parse_file(const char *path, FILE *f, struct csv_parser *p, struct reader *rd, char **ret_err)
{
	_cleanup_free_ char *chunk = xmalloc(CHUNK);
	/* Line ends in the pieces already parsed whole: a parse error's
	 * line is counted from the raw bytes, up to where libcsv stopped. */
	unsigned long raw_lines = 0;
	bool first = true;

	for (;;) {
		size_t got = fread(chunk, 1, CHUNK, f);
		rd->offset += got;
		if (got == 0) {
			if (ferror(f)) {
				int r = errno > 0 ? -errno : -EIO;
				return fail(ret_err, r, "%s: %s", path, strerror(-r));
			}
			return 0;
		}
		/* fread() fills the whole piece unless the file ends: a BOM
		 * at the start is in the first one, whole. */
		size_t skip = first && got >= 3 && memcmp(chunk, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
		first = false;

		size_t done = csv_parse(p, chunk + skip, got - skip, on_field, on_row, rd);
		if (rd->r < 0)
			return 0;
		if (done < got - skip) {
			int e = csv_error(p);
			if (e == CSV_EPARSE)
				return fail(ret_err, -EINVAL, "%s:%lu: not CSV: %s (%s)", path,
					    raw_lines + count_lf(chunk, skip + done) + 1, csv_strerror(e),
					    parse_error_what(p));
			return fail(ret_err, -EFBIG, "%s:%lu: a field longer than %d MiB", path,
				    pending_line(rd), RECORD_MAX / (1024 * 1024));
		}
		raw_lines += count_lf(chunk, got);
		/* libcsv grows its field buffer by a fixed block: make the
		 * block the buffer's own size, so that a long field doubles
		 * the buffer (a few copies) rather than adding to it one
		 * block at a time (a copy of the whole per block). */
		size_t size = csv_get_buffer_size(p);
		csv_set_blk_size(p, size > CHUNK ? size : CHUNK);
	}
}

int csv_read_file(const char *path, enum csv_encoding enc, char delimiter,
		  int (*on_record)(void *userdata, const struct csv_record *rec), void *userdata, char **ret_err)
{
	if (delimiter == '"' || delimiter == '\r' || delimiter == '\n')
		return fail(ret_err, -EINVAL, "%s: a quote or a line end cannot be the delimiter", path);

	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f) {
		int r = -errno;
		return fail(ret_err, r, "%s: %s", path, strerror(-r));
	}

	struct reader rd = {
		.enc = enc,
		.cd = (iconv_t)-1,
		.on_record = on_record,
		.userdata = userdata,
		.bad_field = -1,
	};
	if (enc == CSV_WINDOWS_1252) {
		rd.cd = iconv_open("UTF-8", "WINDOWS-1252");
		if (rd.cd == (iconv_t)-1) {
			int r = -errno;
			return fail(ret_err, r, "%s: cannot convert from Windows-1252: %s", path, strerror(-r));
		}
	}

	/* Strict: what a case system's export would never contain is an
	 * error, not a guess. CSV_STRICT_FINI: a quote still open at the end
	 * of the file too. CSV_REPALL_NL: see on_row(). */
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	csv_set_delim(&p, (unsigned char)delimiter);
	csv_set_realloc_func(&p, parser_realloc);
	csv_set_blk_size(&p, CHUNK);

	int r = parse_file(path, f, &p, &rd, ret_err);
	if (r == 0 && rd.r == 0 && csv_fini(&p, on_field, on_row, &rd) != 0)
		/* The only error csv_fini() has: a quoted field not closed,
		 * which began after every line end counted so far. */
		r = fail(ret_err, -EINVAL, "%s:%lu: not CSV: %s (a quoted field not closed at the end of the file)",
			 path, rd.lines + 1, csv_strerror(csv_error(&p)));
	if (r == 0 && rd.too_long)
		r = fail(ret_err, -EFBIG, "%s:%lu: a record longer than %d MiB", path, rd.line,
			 RECORD_MAX / (1024 * 1024));
	else if (r == 0)
		r = rd.r;

	csv_free(&p);
	reader_done(&rd);
	return r;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Reading a CSV export as council case systems write them
 * (casewatch-import(5)): RFC 4180 through libcsv (commas, quotes and line
 * ends inside quoted fields, "" for a quote), CRLF or LF line ends, a
 * UTF-8 byte-order mark skipped, text in UTF-8 or Windows-1252 (converted
 * to UTF-8 through iconv). The file is read in pieces: memory does not
 * grow with its size, only with its longest record.
 *
 * libcsv's ways, where RFC 4180 is silent or says otherwise: spaces and
 * tabs around an unquoted field are dropped (a quoted field keeps them);
 * a line end inside a quoted field is passed as written (CRLF stays
 * CRLF); a lone CR ends a record as a line end does, but only LFs count
 * as line ends for `line`. */

enum csv_encoding { CSV_UTF8, CSV_WINDOWS_1252 };

struct csv_record {
	size_t n;                  /* fields */
	const char *const *field;  /* each NUL-terminated UTF-8, as converted */
	const size_t *len;         /* each field's length in bytes */
	/* The first field whose bytes are not valid in the file's encoding
	 * (UTF-8 that is not well-formed; the five bytes Windows-1252 leaves
	 * undefined), or -1. Such a field is passed as it is, unconverted. */
	long bad_field;
	/* The line the record starts on, as an editor numbers it: 1-based,
	 * counting the line ends inside quoted fields of earlier records. */
	unsigned long line;
	/* How far into the file the reading has got, in bytes: at or past
	 * the record's end, within a read's worth (for progress). */
	unsigned long long offset;
};

/* Call on_record(userdata, rec) for every record of the file at path, the
 * header row first, in order. Blank lines are no records (they still count
 * for line numbers). rec and what it points to are valid only during the
 * call. Returns 0; a negative value on_record returned (which stops the
 * reading); or -errno / -EINVAL with *ret_err set (newly allocated, one
 * line, "PATH: ..." or "PATH:LINE: ..."): the file cannot be opened or
 * read, or is not CSV (libcsv in strict mode: a quote inside an unquoted
 * field, text after a closing quote, a quoted field not closed at the
 * end of the file; LINE is the line of the offending byte, for a quoted
 * field not closed the line it opens on); -EFBIG, a record or a field
 * over 64 MiB (quotes that do not pair, most likely). delimiter is one
 * byte (',' ';' '\t' '|'; a quote, CR or LF is -EINVAL). */
int csv_read_file(const char *path, enum csv_encoding enc, char delimiter,
		  int (*on_record)(void *userdata, const struct csv_record *rec), void *userdata, char **ret_err);

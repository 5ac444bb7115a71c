/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Allocation failure aborts: systemd's Restart= recovers a daemon, and a
 * command has nothing useful to do without memory. */
__attribute__((noreturn)) void oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of `size`-byte elements to hold at least `need` of them. */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
/* Whether one of v[0..n) is the string s. */
bool strv_contains(char *const *v, size_t n, const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growing NUL-terminated string: zero-initialise, add, take `p`. */
struct strbuf {
	char *p;
	size_t n, cap;
};
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
/* s with & < > " and ' as entities, safe in HTML text and in a quoted
 * attribute value: added to b, or written to f. */
void strbuf_add_html(struct strbuf *b, const char *s);
void html_fputs(const char *s, FILE *f);

/* Read a whole regular file of at most READ_FILE_MAX bytes into a
 * NUL-terminated buffer. Returns 0 or -errno: -EISDIR for a folder, -EINVAL
 * for anything else that is not a regular file, -EFBIG when too large. */
#define READ_FILE_MAX (64 * 1024 * 1024)
int read_file(const char *path, char **ret_data, size_t *ret_len);
/* A duration of whole seconds as people write it: "3 days", "26 hours",
 * "90 minutes", "45 seconds" (the largest unit that divides it). */
char *seconds_text(long long secs);

/* The folder of `path` ("." when it has none), newly allocated. */
char *path_dirname(const char *path);
/* `path` resolved against `dir` unless it is absolute, newly allocated. */
char *path_join(const char *dir, const char *path);

static inline void freep(void *p) { free(*(void **)p); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Hand a pointer over, leaving NULL behind for the cleanup handler. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

/* A 64-bit digest, for noticing change (not for security): FNV-1a over
 * bytes, a multiply-xorshift step for whole integers. */
#define HASH_INIT UINT64_C(0xcbf29ce484222325)
static inline uint64_t hash_u64(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 29);
}
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);
/* NULL and "" differ. */
uint64_t hash_str(uint64_t h, const char *s);
/* An open-addressing table of indexes + 1 (0: empty), linear probing, of
 * capacity *cap (a power of two): made room for one more than n entries,
 * doubled and filled again by hash(ctx, index) when it would be more than
 * half full. Returns the table, *cap updated. */
size_t *map_grow(size_t *map, size_t *cap, size_t n, uint64_t (*hash)(const void *, size_t), const void *ctx);

/* Keep freed memory at the top of the heap for reuse instead of returning
 * it at once: a scan that writes the state database frees and takes back
 * the same few hundred kilobytes millions of times, and without this each
 * round trip is a brk() and a page fault (measured: a first scan of
 * 100,000 cases 39 s without, 14 s with, the same peak memory). */
void malloc_tune(void);

/* Text. SQLite and the case systems behind it do not check that text is
 * UTF-8, nor how long it is. */

/* The length of the well-formed UTF-8 sequence (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) at p, of at most n bytes
 * available; 0 when there is none. */
size_t utf8_seq(const unsigned char *p, size_t n);
/* Whether s[0..n) is well-formed UTF-8 throughout. */
bool utf8_valid(const char *s, size_t n);
/* s as a JSON string, quotes included, to f: a byte that is not part of
 * well-formed UTF-8 becomes \ufffd, so the output is always valid JSON
 * whatever the database held. */
void json_fputs(const char *s, FILE *f);

/* The caps on text from the case database (casewatch-rules(5), LIMITS):
 * in bytes, after cleaning. */
#define TEXT_MAX_REF 64      /* a case reference */
#define TEXT_MAX_ID 64       /* an officer's or a team's id */
#define TEXT_MAX_NAME 100    /* an officer's or a team's name */
#define TEXT_MAX_ADDRESS 254 /* an email address (RFC 5321's path, less <>) */

/* What text_clean() did. */
#define TEXT_NOT_UTF8 1u /* bytes that were not UTF-8: U+FFFD */
#define TEXT_CUT 2u      /* longer than the cap: cut short */
#define TEXT_CONTROL 4u  /* control characters: spaces */
#define TEXT_REPAIRED (TEXT_NOT_UTF8 | TEXT_CONTROL)

/* A clean copy of s (NULL gives NULL) for a message, a log line or the
 * state database: each byte that is not part of well-formed UTF-8 becomes
 * U+FFFD, each control character (C0, DEL and C1, tab and line ends
 * included) a space, and text longer than `cap` bytes is cut at a
 * character boundary and ends in "..." (U+2026) within the cap (a cap
 * under 3 bytes cuts without it). cap 0:
 * no cap. *ret_flags (when not NULL) says what was done. */
char *text_clean(const char *s, size_t cap, unsigned *ret_flags);
/* What text_clean(s, cap) would do to s[0..n), found without allocating:
 * 0, the usual answer, when s may be used as it is. */
unsigned text_faults(const char *s, size_t n, size_t cap);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Messages: email_build() (headers, quoted-printable, RFC 2047 subjects,
 * the multipart/alternative structure), the built-in templates, and the
 * notification settings of casewatch.conf (smtp, webhooks, notify) with
 * every problem's FILE:LINE. The expected strings were written out by hand
 * from message.h, conf.h, casewatch.conf(5) and RFC 2045/2046/2047/5322;
 * the quoted-printable and base64 decoders below are the test's own. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "address.h"
#include "conf.h"
#include "diag.h"
#include "directory.h"
#include "date.h"
#include "message.h"
#include "outbox-int.h"
#include "tmpl.h"
#include "util.h"
#include "webhook.h"

static char dir[] = "/tmp/casewatch-message.XXXXXX";

/* 2026-03-02 09:05:07 UTC, a Monday. */
#define DATE_MON_2_MAR_2026 INT64_C(1772442307)

/* ---- Small tools ------------------------------------------------------------ */

/* Everything a test allocates is kept here and freed by its teardown, so
 * that a failing assertion (a longjmp out of the test) leaks nothing and
 * the sanitizer report stays about the program. */
struct gc_entry {
	void *p;
	void (*fn)(void *);
};
static struct gc_entry *gcv;
static size_t gcn, gccap;

static void *gc_fn(void *p, void (*fn)(void *))
{
	gcv = xgrow(gcv, &gccap, gcn + 1, sizeof(*gcv));
	gcv[gcn++] = (struct gc_entry){ p, fn };
	return p;
}

static void *gc(void *p)
{
	return gc_fn(p, free);
}

static void gc_free_conf(void *p)
{
	conf_free(p);
}

static void gc_free_tmpl_data(void *p)
{
	tmpl_data_free(p);
}

static void gc_free_diags(void *p)
{
	diags_free(p);
	free(p);
}

static void gc_free_templates(void *p)
{
	templates_free(p);
	free(p);
}

static struct diags *new_diags(void)
{
	return gc_fn(xcalloc(1, sizeof(struct diags)), gc_free_diags);
}

static int gc_teardown(void **state)
{
	(void)state;
	while (gcn > 0) {
		gcn--;
		gcv[gcn].fn(gcv[gcn].p);
	}
	return 0;
}

/* A growing string, itself kept: the text sb_take() returns is freed with
 * it. */
static void gc_free_sbuf(void *p)
{
	struct strbuf *b = p;
	free(b->p);
	free(b);
}

static struct strbuf *sb_new(void)
{
	return gc_fn(xcalloc(1, sizeof(struct strbuf)), gc_free_sbuf);
}

static char *sb_take(struct strbuf *b)
{
	if (!b->p)
		strbuf_add(b, "", 0);
	return b->p;
}

/* `s` with every occurrence of `from` replaced by `to`. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf *b = sb_new();
	size_t n = strlen(from);
	const char *p;
	while ((p = strstr(s, from))) {
		strbuf_add(b, s, (size_t)(p - s));
		strbuf_adds(b, to);
		s = p + n;
	}
	strbuf_adds(b, s);
	return sb_take(b);
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0, len = strlen(what);
	for (const char *p = s; (p = strstr(p, what)); p += len)
		n++;
	return n;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 of length n (a multiple of 4, '=' padded) into a new
 * NUL-terminated string; fails the test on anything else. */
static char *b64_decode(const char *s, size_t n)
{
	if (n % 4 != 0)
		fail_msg("base64 of %zu characters: not a multiple of 4", n);
	struct strbuf *b = sb_new();
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64_value(s[i + k])) < 0) {
				fail_msg("bad base64 character '%c'", s[i + k]);
			}
		}
		unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
		char out[3] = { (char)(w >> 16), (char)(w >> 8 & 0xff), (char)(w & 0xff) };
		strbuf_add(b, out, (size_t)(3 - pad));
	}
	return sb_take(b);
}

/* Whether s[0..n) is whole, valid UTF-8 characters. */
static bool utf8_whole(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3
			 : (s[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/* ---- Reading an email back ---------------------------------------------------- */

static int hexval(char c)
{
	/* RFC 2045: the hex digits of an encoding are upper case. */
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The first problem with quoted-printable text `s` (CRLF lines), or NULL:
 * a line longer than 76 characters, a character that may not be literal,
 * a bad '=' escape, white space at a line's end, a line starting with '.',
 * a bare CR or LF. *ret_line is the 1-based line. */
static const char *qp_problem(const char *s, int *ret_line)
{
	int line = 1;
	const char *start = s;
	for (const char *p = s; *p; p++) {
		*ret_line = line;
		if (*p == '\r') {
			if (p[1] != '\n')
				return "bare CR";
			if (p - start > 76)
				return "line longer than 76 characters";
			if (p > start && (p[-1] == ' ' || p[-1] == '\t'))
				return "white space before the line end";
			p++;
			start = p + 1;
			line++;
			continue;
		}
		if (*p == '\n')
			return "bare LF";
		if (p == start && *p == '.')
			return "a line starting with '.'";
		unsigned char c = (unsigned char)*p;
		if (!((c >= 33 && c <= 126) || c == ' ' || c == '\t'))
			return "a character that must be encoded";
		if (c == '=') {
			if (p[1] == '\r' && p[2] == '\n')
				continue; /* a soft line break */
			if (hexval(p[1]) < 0 || hexval(p[2]) < 0)
				return "'=' not followed by two upper-case hex digits";
		}
	}
	*ret_line = line;
	if (*start && strlen(start) > 76)
		return "line longer than 76 characters";
	return NULL;
}

static void assert_qp_valid(const char *s)
{
	int line = 0;
	const char *why = qp_problem(s, &line);
	if (why)
		fail_msg("quoted-printable line %d: %s in:\n%s", line, why, s);
}

/* Quoted-printable (already checked) back to text with LF line ends. */
static char *qp_decode(const char *s)
{
	struct strbuf *b = sb_new();
	for (const char *p = s; *p;) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=') {
			char c = (char)(hexval(p[1]) << 4 | hexval(p[2]));
			strbuf_add(b, &c, 1);
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			strbuf_adds(b, "\n");
			p += 2;
		} else {
			strbuf_add(b, p, 1);
			p++;
		}
	}
	return sb_take(b);
}

struct mail {
	char *head;     /* the header block, each line ending CRLF */
	char *boundary;
	char *preamble;
	char *text_head, *text; /* a part's headers, and its content */
	char *html_head, *html;
};

/* Split a part "HEADERS\r\n\r\nCONTENT" at its blank line. */
static void split_part(const char *p, size_t n, char **ret_head, char **ret_body)
{
	char *part = gc(xstrndup(p, n));
	char *blank = strstr(part, "\r\n\r\n");
	assert_non_null(blank);
	*ret_head = gc(xstrndup(part, (size_t)(blank - part) + 2));
	*ret_body = gc(xstrdup(blank + 4));
}

/* Take an email apart along RFC 2046: the headers, and a multipart body of
 * exactly two parts, each delimiter "CRLF--boundary" owning the CRLF
 * before it. Every line end must be CRLF. */
static void mail_parse(const char *raw, size_t len, struct mail *m)
{
	*m = (struct mail){ 0 };
	assert_int_equal(strlen(raw), len);
	for (size_t i = 0; i < len; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			fail_msg("bare LF at byte %zu", i);
		if (raw[i] == '\r' && raw[i + 1] != '\n')
			fail_msg("bare CR at byte %zu", i);
	}
	const char *blank = strstr(raw, "\r\n\r\n");
	assert_non_null(blank);
	m->head = gc(xstrndup(raw, (size_t)(blank - raw) + 2));
	const char *b = strstr(m->head, "\r\nContent-Type: multipart/alternative; boundary=\"");
	assert_non_null(b);
	b += strlen("\r\nContent-Type: multipart/alternative; boundary=\"");
	const char *q = strchr(b, '"');
	assert_non_null(q);
	assert_string_equal(q, "\"\r\n"); /* the last header */
	m->boundary = gc(xstrndup(b, (size_t)(q - b)));
	assert_true(strlen(m->boundary) >= 1 && strlen(m->boundary) <= 70);

	const char *body = blank + 4;
	char *delim = gc(xasprintf("\r\n--%s", m->boundary));
	/* The boundary occurs exactly three times in the body: two
	 * delimiters and the closing one, so never inside a part. */
	assert_int_equal(count_of(body, m->boundary), 3);
	const char *d1 = strstr(body, delim);
	assert_non_null(d1);
	m->preamble = gc(xstrndup(body, (size_t)(d1 - body)));
	const char *p1 = d1 + strlen(delim);
	assert_true(strncmp(p1, "\r\n", 2) == 0);
	p1 += 2;
	const char *d2 = strstr(p1, delim);
	assert_non_null(d2);
	split_part(p1, (size_t)(d2 - p1), &m->text_head, &m->text);
	const char *p2 = d2 + strlen(delim);
	assert_true(strncmp(p2, "\r\n", 2) == 0);
	p2 += 2;
	const char *d3 = strstr(p2, delim);
	assert_non_null(d3);
	split_part(p2, (size_t)(d3 - p2), &m->html_head, &m->html);
	/* The close delimiter ends the message. */
	assert_string_equal(d3 + strlen(delim), "--\r\n");
}

/* A header's value, continuation lines unfolded (their CRLF removed), or
 * NULL when absent; fails when it occurs twice. */
static char *mail_header(const struct mail *m, const char *name)
{
	char *found = NULL;
	size_t nl = strlen(name);
	for (const char *p = m->head; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			if (found)
				fail_msg("header %s twice", name);
			struct strbuf *b = sb_new();
			const char *v = p + nl + 1;
			if (*v == ' ')
				v++;
			strbuf_add(b, v, (size_t)(eol - v));
			while (eol[2] == ' ' || eol[2] == '\t') {
				const char *next = strstr(eol + 2, "\r\n");
				assert_non_null(next);
				strbuf_add(b, eol + 2, (size_t)(next - eol - 2));
				eol = next;
			}
			found = sb_take(b);
		}
		p = eol + 2;
	}
	return found;
}

/* Decode an unfolded header value made of RFC 2047 B-encoded words only,
 * separated by white space (which is dropped); each word must hold whole
 * UTF-8 characters. */
static char *decode_words(const char *v)
{
	struct strbuf *b = sb_new();
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (strncmp(p, "=?UTF-8?B?", 10) != 0)
			fail_msg("not an encoded word at: %s", p);
		p += 10;
		const char *end = strstr(p, "?=");
		assert_non_null(end);
		/* RFC 2047: an encoded word is at most 75 characters. */
		assert_true(end + 2 - (p - 10) <= 75);
		char *bytes = b64_decode(p, (size_t)(end - p));
		if (!utf8_whole((const unsigned char *)bytes, strlen(bytes)))
			fail_msg("an encoded word splits a UTF-8 character: %s", bytes);
		strbuf_adds(b, bytes);
		p = end + 2;
		if (*p && *p != ' ' && *p != '\t')
			fail_msg("an encoded word runs into: %s", p);
	}
	return sb_take(b);
}

/* ---- Fixtures ---------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	/* The tests below choose where the smtp password comes from. */
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gc_teardown(state);
	free(gcv);
	gcv = NULL;
	gccap = 0;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static const struct email_head plain_head = {
	.from = { "casewatch", "casewatch@localhost" },
	.to = { NULL, "jo.bloggs@example.gov.uk" },
	.message_id = "<42.1@localhost>",
	.references = NULL,
	.date = DATE_MON_2_MAR_2026,
};

static char *build(const struct email_head *h, const char *subject, const char *text, const char *html,
		   struct mail *m)
{
	size_t len = 0;
	char *raw = gc(email_build(h, subject, text, html, &len));
	assert_non_null(raw);
	mail_parse(raw, len, m);
	return raw;
}

/* The text part's quoted-printable for `text`, checked for validity. */
static char *qp_of(const char *text)
{
	struct mail m;
	build(&plain_head, "s", text, "<p>x</p>\n", &m);
	assert_qp_valid(m.text);
	return m.text;
}

/* ---- email_build: headers and structure ------------------------------------------ */

static void test_email_exact_message(void **state)
{
	(void)state;
	size_t len = 0;
	char *raw = gc(email_build(&plain_head, "casewatch: 1 overdue", "Hello\n", "<p>Hello</p>\n", &len));
	struct mail m;
	mail_parse(raw, len, &m);
	char *want = gc_fn(xasprintf(
		"From: casewatch <casewatch@localhost>\r\n"
		"To: jo.bloggs@example.gov.uk\r\n"
		"Subject: casewatch: 1 overdue\r\n"
		"Date: Mon, 02 Mar 2026 09:05:07 +0000\r\n"
		"Message-ID: <42.1@localhost>\r\n"
		"Auto-Submitted: auto-generated\r\n"
		"X-Auto-Response-Suppress: All\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/alternative; boundary=\"%1$s\"\r\n"
		"\r\n"
		"This is a message in plain text and HTML.\r\n"
		"\r\n"
		"--%1$s\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Hello\r\n"
		"\r\n"
		"--%1$s\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"<p>Hello</p>\r\n"
		"\r\n"
		"--%1$s--\r\n",
		m.boundary), free);
	assert_string_equal(raw, want);
	assert_int_equal(len, strlen(want));
	char *refs = mail_header(&m, "References");
	assert_null(refs);
}

/* An attachment: the whole email exact, its base64 in lines of 76. */
static void test_email_mixed_exact_message(void **state)
{
	(void)state;
	size_t len = 0;
	/* 60 bytes: one line of 57 (76 characters) and one of 3. */
	static const char csv[] = "rule,period,due\r\n"
				  "ack,2026-11,3\r\n"
				  "visit,2026-11,12\r\n"
				  "x,y,z,ab\r\n";
	assert_int_equal(sizeof(csv) - 1, 60);
	struct email_attachment att = { .name = "r.csv", .type = "text/csv; charset=utf-8", .data = csv, .len = 60 };
	char *raw = gc(email_build_mixed(&plain_head, "report", "Hi\n", "<p>Hi</p>\n", &att, 1, &len));
	struct mail m;
	size_t alt_len = 0;
	char *alt = gc(email_build(&plain_head, "report", "Hi\n", "<p>Hi</p>\n", &alt_len));
	mail_parse(alt, alt_len, &m);
	const char *b = m.boundary;
	char *want = gc_fn(xasprintf(
		"From: casewatch <casewatch@localhost>\r\n"
		"To: jo.bloggs@example.gov.uk\r\n"
		"Subject: report\r\n"
		"Date: Mon, 02 Mar 2026 09:05:07 +0000\r\n"
		"Message-ID: <42.1@localhost>\r\n"
		"Auto-Submitted: auto-generated\r\n"
		"X-Auto-Response-Suppress: All\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"=_casewatch_mixed_%2$s\"\r\n"
		"\r\n"
		"This is a message in several parts.\r\n"
		"\r\n"
		"--=_casewatch_mixed_%2$s\r\n"
		"Content-Type: multipart/alternative; boundary=\"%1$s\"\r\n"
		"\r\n"
		"This is a message in plain text and HTML.\r\n"
		"\r\n"
		"--%1$s\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Hi\r\n"
		"\r\n"
		"--%1$s\r\n"
		"Content-Type: text/html; charset=utf-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"<p>Hi</p>\r\n"
		"\r\n"
		"--%1$s--\r\n"
		"\r\n"
		"--=_casewatch_mixed_%2$s\r\n"
		"Content-Type: text/csv; charset=utf-8; name=\"r.csv\"\r\n"
		"Content-Disposition: attachment; filename=\"r.csv\"\r\n"
		"Content-Transfer-Encoding: base64\r\n"
		"\r\n"
		"cnVsZSxwZXJpb2QsZHVlDQphY2ssMjAyNi0xMSwzDQp2aXNpdCwyMDI2LTExLDEyDQp4LHkseixh\r\n"
		"Yg0K\r\n"
		"\r\n"
		"--=_casewatch_mixed_%2$s--\r\n",
		b, b + strlen("=_casewatch_")), free);
	assert_string_equal(raw, want);
	assert_int_equal(len, strlen(want));
	/* With none, email_build()'s email. */
	size_t none_len = 0;
	char *none = gc(email_build_mixed(&plain_head, "report", "Hi\n", "<p>Hi</p>\n", NULL, 0, &none_len));
	assert_int_equal(none_len, alt_len);
	assert_memory_equal(none, alt, alt_len);
}

static void test_email_references_only_when_given(void **state)
{
	(void)state;
	struct email_head h = plain_head;
	h.references = "<41.1@localhost>";
	struct mail m;
	build(&h, "casewatch: 1 overdue", "x\n", "y\n", &m);
	assert_non_null(strstr(m.head, "\r\nMessage-ID: <42.1@localhost>\r\n"
					"References: <41.1@localhost>\r\n"
					"Auto-Submitted: auto-generated\r\n"));
	char *refs = mail_header(&m, "References");
	assert_string_equal(refs, "<41.1@localhost>");
}

static void test_email_date_is_utc_rfc5322(void **state)
{
	(void)state;
	static const struct {
		int64_t at;
		const char *want;
	} cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		/* 2026-10-25 00:59:59 UTC: still summer time in London,
		 * written in UTC all the same. */
		{ INT64_C(1792889999), "Sun, 25 Oct 2026 00:59:59 +0000" },
		{ INT64_C(1798761599), "Thu, 31 Dec 2026 23:59:59 +0000" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct email_head h = plain_head;
		h.date = cases[i].at;
		struct mail m;
		build(&h, "s", "t\n", "h\n", &m);
		char *date = mail_header(&m, "Date");
		assert_string_equal(date, cases[i].want);
	}
}

static void test_email_crlf_everywhere(void **state)
{
	(void)state;
	/* LF, CRLF and a stray CR in the input: CRLF only in the output
	 * (mail_parse fails on any bare CR or LF). */
	struct mail m;
	build(&plain_head, "casewatch: 2 due today",
					 "one\ntwo\r\nthree\rfour\n\n\nend",
					 "<p>one</p>\n<p>two</p>\r\n", &m);
	assert_string_equal(m.text, "one\r\ntwo\r\nthreefour\r\n\r\n\r\nend\r\n");
	assert_string_equal(m.html, "<p>one</p>\r\n<p>two</p>\r\n");
	assert_string_equal(m.preamble, "This is a message in plain text and HTML.\r\n");
	assert_string_equal(m.text_head, "Content-Type: text/plain; charset=utf-8\r\n"
					 "Content-Transfer-Encoding: quoted-printable\r\n");
	assert_string_equal(m.html_head, "Content-Type: text/html; charset=utf-8\r\n"
					 "Content-Transfer-Encoding: quoted-printable\r\n");
	char *as = mail_header(&m, "Auto-Submitted");
	assert_string_equal(as, "auto-generated");
}

/* ---- email_build: quoted-printable -------------------------------------------------- */

static void test_qp_exact_encodings(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a=b\n", "a=3Db\r\n" },
		{ "==\n", "=3D=3D\r\n" },
		/* UTF-8: each byte of é (C3 A9), ∑ (E2 88 91), 😀 (F0 9F 98 80). */
		{ "caf\xc3\xa9\n", "caf=C3=A9\r\n" },
		{ "\xe2\x88\x91 \xf0\x9f\x98\x80\n", "=E2=88=91 =F0=9F=98=80\r\n" },
		/* White space inside a line stays; before a line end it is
		 * encoded, or the transport could drop it. */
		{ "a b\tc\n", "a b\tc\r\n" },
		{ "end \n", "end=20\r\n" },
		{ "tab\t\n", "tab=09\r\n" },
		{ "two  \n", "two =20\r\n" },
		{ " \n", "=20\r\n" },
		/* A line starting with '.' (SMTP's end of data). */
		{ ".\n", "=2E\r\n" },
		{ "..x\nx.\n.y\n", "=2E.x\r\nx.\r\n=2Ey\r\n" },
		/* Control characters other than the line end. */
		{ "a\x01" "b\x7f" "c\n", "a=01b=7Fc\r\n" },
		/* Empty lines are kept. */
		{ "a\n\nb\n", "a\r\n\r\nb\r\n" },
		{ "", "" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *got = qp_of(cases[i].in);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
	}
}

static void test_qp_long_lines_soft_breaks(void **state)
{
	(void)state;
	char x100[101], x74[75], x75[76];
	memset(x100, 'x', 100);
	x100[100] = '\0';
	memcpy(x74, x100, 74);
	x74[74] = '\0';
	memcpy(x75, x100, 75);
	x75[75] = '\0';

	/* 100 characters: 75 and a soft break ("=" makes 76), then 25. */
	char *in1 = gc(xasprintf("%s\n", x100));
	char *want1 = gc(xasprintf("%s=\r\n%s\r\n", x75, x100 + 75));
	char *got1 = qp_of(in1);
	assert_string_equal(got1, want1);

	/* 75 characters fit on one line. */
	char *in2 = gc(xasprintf("%s\n", x75));
	char *want2 = gc(xasprintf("%s\r\n", x75));
	char *got2 = qp_of(in2);
	assert_string_equal(got2, want2);

	/* An escape is never split by a soft break: after 74 characters,
	 * "=C3" would pass 75, so it starts the next line. */
	char *in3 = gc(xasprintf("%s\xc3\xa9\n", x74));
	char *want3 = gc(xasprintf("%s=\r\n=C3=A9\r\n", x74));
	char *got3 = qp_of(in3);
	assert_string_equal(got3, want3);

	/* A line of 250 "=": 25 escapes per line. */
	char eq[251];
	memset(eq, '=', 250);
	eq[250] = '\0';
	char *in5 = gc(xasprintf("%s\n", eq));
	char *got5 = qp_of(in5);
	struct strbuf *w = sb_new();
	for (int line = 0; line < 10; line++) {
		for (int k = 0; k < 25; k++)
			strbuf_adds(w, "=3D");
		strbuf_adds(w, line < 9 ? "=\r\n" : "\r\n");
	}
	char *want5 = sb_take(w);
	assert_string_equal(got5, want5);
}

/* A '.' that a soft break puts first on a line is encoded too, as any
 * other line's. A line's last character may take the 76th column, where a
 * soft break's "=" would have gone. */
static void test_qp_dot_first_after_a_soft_break(void **state)
{
	(void)state;
	char x75[76];
	memset(x75, 'x', 75);
	x75[75] = '\0';
	char *in = gc(xasprintf("%s.y\n", x75));
	char *want = gc(xasprintf("%s=\r\n=2Ey\r\n", x75));
	assert_string_equal(qp_of(in), want);
	in = gc(xasprintf("%s.\n", x75));
	want = gc(xasprintf("%s.\r\n", x75));
	assert_string_equal(qp_of(in), want);
}

static void assert_roundtrip(const char *in)
{
	struct mail m;
	build(&plain_head, "casewatch: round trip", in, in, &m);
	assert_qp_valid(m.text);
	assert_qp_valid(m.html);
	char *text = qp_decode(m.text);
	char *html = qp_decode(m.html);
	if (strcmp(text, in) != 0)
		fail_msg("text part decodes to\n\"%s\"\nnot\n\"%s\"\nfrom\n%s", text, in, m.text);
	assert_string_equal(html, in);
}

static void test_qp_decodes_back(void **state)
{
	(void)state;
	assert_roundtrip("Hello\n");
	assert_roundtrip("a=b, c==d, =3D is not an escape here\n");
	assert_roundtrip(".starts with a dot\n..two\n.\n");
	assert_roundtrip("trailing space \ntrailing tab\t\n  \n\t\n");
	/* Long lines of ASCII, of UTF-8 and of both, with '=' and spaces
	 * at every column across the soft breaks. */
	/* (No line here ends in white space at the wrap column or has a
	 * '.' there: those have tests of their own.) */
	struct strbuf *b = sb_new();
	for (int i = 0; i < 40; i++)
		strbuf_adds(b, "Caf\xc3\xa9 = na\xc3\xafve; ");
	strbuf_adds(b, "end\n");
	for (int i = 0; i < 30; i++)
		strbuf_adds(b, "\xe2\x80\x9cquoted\xe2\x80\x9d \xf0\x9f\x98\x80 ");
	strbuf_adds(b, "end\n");
	for (int n = 70; n <= 80; n++) {
		for (int k = 0; k < n; k++)
			strbuf_adds(b, k % 7 == 6 ? " " : "y");
		strbuf_adds(b, n % 2 ? "=\n" : ".\n");
	}
	for (int i = 0; i < 300; i++)
		strbuf_adds(b, "\xc5\xb5");  /* ŵ, as in Welsh */
	strbuf_adds(b, "\n");
	char *big = sb_take(b);
	assert_roundtrip(big);
}

/* RFC 2045: a line is at most 76 characters, also when a space that ends
 * a line has to be written "=20". */
static void test_qp_trailing_space_at_the_wrap_column(void **state)
{
	(void)state;
	for (int n = 70; n <= 76; n++) {
		struct strbuf *b = sb_new();
		for (int k = 0; k < n; k++)
			strbuf_adds(b, "x");
		strbuf_adds(b, " \n");
		char *in = sb_take(b);
		assert_roundtrip(in);
	}
}

/* RFC 2045: white space at the end of an encoded line is encoded, the
 * last line of the text included (a decoder drops it otherwise). */
static void test_qp_trailing_space_at_the_end_of_the_text(void **state)
{
	(void)state;
	char *got = qp_of("no line end ");
	assert_string_equal(got, "no line end=20\r\n");
	char *got2 = qp_of("tab\t");
	assert_string_equal(got2, "tab=09\r\n");
}

static void test_boundary_never_inside_the_parts(void **state)
{
	(void)state;
	/* Learn the boundary, then put it (and its delimiter) in both
	 * parts: they come out encoded, so mail_parse() still finds it only
	 * three times. */
	struct mail m;
	build(&plain_head, "s", "t\n", "h\n", &m);
	char *evil = gc(xasprintf("--%1$s\n--%1$s--\n%1$s\n", m.boundary));
	build(&plain_head, "s", evil, evil, &m);
	assert_null(strstr(m.text, m.boundary));
	assert_null(strstr(m.html, m.boundary));
	char *back = qp_decode(m.text);
	assert_string_equal(back, evil);
}

/* ---- email_build: the subject and other header values --------------------------------- */

static void test_subject_line_ends_become_spaces(void **state)
{
	(void)state;
	struct mail m;
	char *raw = build(&plain_head, "x\r\nBcc: evil@x", "t\n", "h\n", &m);
	char *subject = mail_header(&m, "Subject");
	assert_string_equal(subject, "x  Bcc: evil@x");
	assert_non_null(strstr(m.head, "\r\nSubject: x  Bcc: evil@x\r\nDate: "));
	char *bcc = mail_header(&m, "Bcc");
	assert_null(bcc);
	assert_null(strstr(raw, "\r\nBcc:"));

	/* A lone LF, a lone CR, a tab, DEL and other controls, and the same
	 * in the names and addresses of From and To (which the configuration
	 * and address_usable() refuse before they get here). */
	struct email_head h = plain_head;
	h.from = (struct email_address){ "casewatch\n", "casewatch@localhost" };
	h.to = (struct email_address){ NULL, "jo@example.gov.uk\r\nCc: all@example.gov.uk" };
	build(&h, "a\nb\rc\td\x7f" "e\x01" "f\n\nX-Evil: 1", "t\n", "h\n", &m);
	char *s2 = mail_header(&m, "Subject");
	assert_string_equal(s2, "a b c d e f  X-Evil: 1");
	char *from = mail_header(&m, "From");
	assert_string_equal(from, "casewatch <casewatch@localhost>");
	char *to = mail_header(&m, "To");
	assert_string_equal(to, "jo@example.gov.uk  Cc: all@example.gov.uk");
	h.to = (struct email_address){ "Jo\r\nBcc: evil@example.org", "jo@example.gov.uk" };
	build(&h, "s", "t\n", "h\n", &m);
	assert_non_null(strstr(m.head, "\r\nTo: \"Jo  Bcc: evil@example.org\" <jo@example.gov.uk>\r\nSubject: s\r\n"));
	assert_null(mail_header(&m, "Bcc"));
	char *cc = mail_header(&m, "Cc");
	assert_null(cc);
	char *xe = mail_header(&m, "X-Evil");
	assert_null(xe);
}

static void test_subject_not_ascii_is_rfc2047(void **state)
{
	(void)state;
	struct mail m;
	build(&plain_head, "casewatch: 2 \xc3\xbc" "berf\xc3\xa4llig", "t\n", "h\n", &m);
	assert_non_null(strstr(m.head, "\r\nSubject: =?UTF-8?B?Y2FzZXdhdGNoOiAyIMO8YmVyZsOkbGxpZw==?=\r\nDate: "));
	char *subject = mail_header(&m, "Subject");
	char *back = decode_words(subject);
	assert_string_equal(back, "casewatch: 2 \xc3\xbc" "berf\xc3\xa4llig");

	/* Line ends in a subject that is not ASCII become spaces too, so
	 * the encoded words carry no CR or LF. */
	build(&plain_head, "\xc3\xa9\r\nBcc: evil@x", "t\n", "h\n", &m);
	char *s2 = mail_header(&m, "Subject");
	char *b2 = decode_words(s2);
	assert_string_equal(b2, "\xc3\xa9  Bcc: evil@x");
	char *bcc = mail_header(&m, "Bcc");
	assert_null(bcc);
}

static char *long_subject(void)
{
	/* 11 + 10 * 14 = 151 bytes: several encoded words, with two-,
	 * three- and four-byte characters where the words are cut. */
	struct strbuf *b = sb_new();
	strbuf_adds(b, "casewatch: ");
	for (int i = 0; i < 10; i++)
		strbuf_adds(b, i % 3 == 0 ? "\xc3\xbc" "berf\xc3\xa4llig, " : i % 3 == 1 ? "\xe2\x82\xac" "uro\xe2\x80\x94, "
										   : "\xf0\x9f\x98\x80 smile, ");
	return sb_take(b);
}

static void test_subject_long_rfc2047_words_hold_whole_characters(void **state)
{
	(void)state;
	char *subject = long_subject();
	struct mail m;
	build(&plain_head, subject, "t\n", "h\n", &m);
	char *got = mail_header(&m, "Subject");
	assert_true(count_of(got, "=?UTF-8?B?") >= 2);
	char *back = decode_words(got);
	assert_string_equal(back, subject);
}

/* RFC 2047 section 2: each line of a header field that holds an encoded
 * word is at most 76 characters. */
static void test_subject_encoded_lines_at_most_76(void **state)
{
	(void)state;
	char *subject = long_subject();
	struct mail m;
	build(&plain_head, subject, "t\n", "h\n", &m);
	const char *p = strstr(m.head, "\r\nSubject: ") + 2;
	for (;;) {
		const char *eol = strstr(p, "\r\n");
		if (eol - p > 76)
			fail_msg("a Subject line of %d characters: %.*s", (int)(eol - p), (int)(eol - p), p);
		if (eol[2] != ' ' && eol[2] != '\t')
			break;
		p = eol + 2;
	}
}

/* Not UTF-8 (a run of continuation bytes, as from a file in another
 * encoding): still one header of ASCII, and no crash. In a child, so that
 * a crash is this test's failure only. */
static void test_subject_invalid_utf8_does_not_crash(void **state)
{
	(void)state;
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char subject[64];
		memset(subject, 0x80, 60);
		subject[60] = '\0';
		size_t len = 0;
		char *raw = email_build(&plain_head, subject, "t\n", "h\n", &len);
		const char *s = strstr(raw, "\r\nSubject: ");
		const char *end = s ? strstr(s, "\r\nDate: ") : NULL;
		int bad = !s || !end;
		for (const char *p = s; !bad && p < end; p++)
			if ((unsigned char)*p >= 0x80)
				bad = 1;
		free(raw);
		_exit(bad ? 3 : 0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("email_build() died of signal %d on a subject of 60 bytes 0x80", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("email_build() on a subject of 60 bytes 0x80: child exit %d (3: header not ASCII; "
			 "86: sanitizer report above)", WEXITSTATUS(status));
}

/* A sender's name that is not ASCII (smtp from = "Cyngor Sir Ynys Môn
 * <asb@...>"): RFC 2047 encodes the word of the name (a phrase) that needs
 * it; an encoded word may not hold the address (RFC 2047 section 5), or no
 * reader finds it. */
static void test_from_name_not_ascii_keeps_the_address(void **state)
{
	(void)state;
	struct email_head h = plain_head;
	h.from = (struct email_address){ "Cyngor Sir Ynys M\xc3\xb4n", "asb@example.gov.uk" };
	struct mail m;
	build(&h, "s", "t\n", "h\n", &m);
	char *from = mail_header(&m, "From");
	assert_string_equal(from, "Cyngor Sir Ynys =?UTF-8?B?TcO0bg==?= <asb@example.gov.uk>");
	assert_string_equal(decode_words("=?UTF-8?B?TcO0bg==?="), "M\xc3\xb4n");
}

/* ---- Addresses: RFC 5322 section 3.4, RFC 2047 ------------------------------------- */

#define WELSH_NAME \
	"Cyngor Bwrdeistref Sirol Rhondda Cynon Taf: T\xc3\xaem Ymddygiad Gwrthgymdeithasol a Diogelwch " \
	"Cymunedol, Swyddfa\xe2\x80\x99r Gogledd"
#define WELSH_RUN \
	"Ll\xc5\xb7r Gwenll\xc3\xaf" "an Si\xc3\xb4n T\xc5\xb7-Dd\xc5\xb5r G\xc5\xb5yl-D\xc5\xb5r " \
	"M\xc3\xb4n T\xc3\xaem"

static char *address_header(const char *field, const char *name, const char *address)
{
	struct strbuf *b = sb_new();
	email_header_address(b, field, &(struct email_address){ name, address });
	return sb_take(b);
}

/* Each form a display name takes, byte for byte: atoms as they are; a
 * quoted-string for other ASCII; encoded-words for the words that are not
 * ASCII, the words between them as atoms or a quoted-string; the address
 * alone without a name. The base64 was worked out apart from casewatch
 * (Python's base64 module). */
static void test_address_header_exact(void **state)
{
	(void)state;
	static const struct {
		const char *field, *name, *address, *want;
	} cases[] = {
		/* A plain name: atext and single spaces. */
		{ "From", "ASB Team", "asb@example.gov.uk", "From: ASB Team <asb@example.gov.uk>\r\n" },
		{ "To", "O'Brien-Smith", "ob@example.gov.uk", "To: O'Brien-Smith <ob@example.gov.uk>\r\n" },
		/* A comma, a dot, a colon: specials, so a quoted-string. */
		{ "From", "Leeds City Council, ASB Unit", "asb@leeds.example",
		  "From: \"Leeds City Council, ASB Unit\" <asb@leeds.example>\r\n" },
		{ "To", "J. Smith", "j.smith@example.gov.uk", "To: \"J. Smith\" <j.smith@example.gov.uk>\r\n" },
		{ "To", "Team: North", "north@example.gov.uk", "To: \"Team: North\" <north@example.gov.uk>\r\n" },
		/* Quotes and backslashes, each after a backslash. */
		{ "From", "The \"Quiet\" Team \\ North", "quiet@example.gov.uk",
		  "From: \"The \\\"Quiet\\\" Team \\\\ North\" <quiet@example.gov.uk>\r\n" },
		{ "To", "\"", "q@example.gov.uk", "To: \"\\\"\" <q@example.gov.uk>\r\n" },
		/* Spaces around a name go; two together are kept, quoted. */
		{ "To", "  Jo  Bloggs ", "jo@example.gov.uk", "To: \"Jo  Bloggs\" <jo@example.gov.uk>\r\n" },
		/* Not ASCII: the words with é, £ and ’ as encoded-words of
		 * UTF-8, the others as they are, a space between. */
		{ "From", "\xc3\x89quipe ASB", "asb@example.gov.uk",
		  "From: =?UTF-8?B?w4lxdWlwZQ==?= ASB <asb@example.gov.uk>\r\n" },
		{ "From", "ASB \xc2\xa3 Recovery Team", "recovery@example.gov.uk",
		  "From: ASB =?UTF-8?B?wqM=?= Recovery Team <recovery@example.gov.uk>\r\n" },
		{ "To", "Si\xc3\xa2n O'Brien", "sian.obrien@example.gov.uk",
		  "To: =?UTF-8?B?U2nDom4=?= O'Brien <sian.obrien@example.gov.uk>\r\n" },
		/* Two words that are not ASCII together: one encoded-word,
		 * the space inside it. */
		{ "To", "Si\xc3\xa2n \xc3\x89vans", "sian.evans@example.gov.uk",
		  "To: =?UTF-8?B?U2nDom4gw4l2YW5z?= <sian.evans@example.gov.uk>\r\n" },
		/* A long Welsh name of several encoded-words: the words
		 * between them that need quoting in a quoted-string each,
		 * never an encoded-word in one; folded at spaces, lines of at
		 * most 76. */
		{ "To", WELSH_NAME, "gogledd@rctcbc.example",
		  "To: \"Cyngor Bwrdeistref Sirol Rhondda Cynon Taf:\" =?UTF-8?B?VMOubQ==?=\r\n"
		  " \"Ymddygiad Gwrthgymdeithasol a Diogelwch Cymunedol,\"\r\n"
		  " =?UTF-8?B?U3d5ZGRmYeKAmXI=?= Gogledd <gogledd@rctcbc.example>\r\n" },
		/* Words that are not ASCII, more of them than one
		 * encoded-word holds: two, cut before a space, which goes in
		 * the second (a reader drops the white space between two
		 * encoded-words, RFC 2047 section 6.2), each at most 75 long. */
		{ "To", WELSH_RUN, "llyr@example.gov.uk",
		  "To: =?UTF-8?B?TGzFt3IgR3dlbmxsw69hbiBTacO0biBUxbctRGTFtXIgR8W1eWwtRMW1cg==?=\r\n"
		  " =?UTF-8?B?IE3DtG4gVMOubQ==?= <llyr@example.gov.uk>\r\n" },
		/* Text that a reader would take for an encoded-word is one. */
		{ "To", "=?UTF-8?B?SGk=?=", "hi@example.gov.uk",
		  "To: =?UTF-8?B?PT9VVEYtOD9CP1NHaz0/PQ==?= <hi@example.gov.uk>\r\n" },
		/* A long ASCII name folds at a space, inside its quoted-string. */
		{ "From", "Anti-Social Behaviour Unit, Community Safety Partnership, Leeds City Council, Merrion House",
		  "asb@leeds.example",
		  "From: \"Anti-Social Behaviour Unit, Community Safety Partnership, Leeds City\r\n"
		  " Council, Merrion House\" <asb@leeds.example>\r\n" },
		/* A word too long for any line: encoded-words, which can be
		 * cut anywhere. */
		{ "From", "Anti.Social.Behaviour.Unit.Community.Safety.Partnership.Leeds.City.Council", "asb@leeds.example",
		  "From: =?UTF-8?B?QW50aS5Tb2NpYWwuQmVoYXZpb3VyLlVuaXQuQ29tbXVuaXR5LlNhZmV0?=\r\n"
		  " =?UTF-8?B?eS5QYXJ0bmVyc2hpcC5MZWVkcy5DaXR5LkNvdW5jaWw=?=\r\n"
		  " <asb@leeds.example>\r\n" },
		/* No name: the addr-spec alone. */
		{ "To", NULL, "jo.bloggs@example.gov.uk", "To: jo.bloggs@example.gov.uk\r\n" },
		{ "To", "", "jo.bloggs@example.gov.uk", "To: jo.bloggs@example.gov.uk\r\n" },
		{ "To", "   ", "jo.bloggs@example.gov.uk", "To: jo.bloggs@example.gov.uk\r\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *got = address_header(cases[i].field, cases[i].name, cases[i].address);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s '%s': got\n%s\nwant\n%s", cases[i].field, cases[i].name ? cases[i].name : "(null)",
				 got, cases[i].want);
	}
}

/* The display name of an unfolded "name <address>" as a reader takes it
 * (RFC 5322 section 3.4, RFC 2047 section 6.2): words one space apart, the
 * space kept except between two encoded-words; an encoded-word decoded, a
 * quoted-string unquoted, an atom as it is. */
static char *read_display_name(const char *v, const char *address)
{
	char *tail = gc(xasprintf(" <%s>", address));
	size_t len = strlen(v), tn = strlen(tail);
	if (len <= tn || strcmp(v + len - tn, tail) != 0)
		fail_msg("'%s' does not end in '%s'", v, tail);
	char *phrase = gc(xstrndup(v, len - tn));
	struct strbuf *b = sb_new();
	strbuf_adds(b, "");
	bool prev_ew = false;
	for (const char *p = phrase; *p;) {
		if (p != phrase) {
			if (*p != ' ')
				fail_msg("the words of '%s' are not one space apart at: %s", phrase, p);
			p++;
		}
		bool ew = strncmp(p, "=?", 2) == 0;
		if (p != phrase && !(ew && prev_ew))
			strbuf_adds(b, " ");
		if (ew) {
			if (strncmp(p, "=?UTF-8?B?", 10) != 0)
				fail_msg("not an encoded-word at: %s", p);
			const char *end = strstr(p + 10, "?=");
			assert_non_null(end);
			assert_true(end + 2 - p <= 75);
			char *bytes = b64_decode(p + 10, (size_t)(end - p - 10));
			if (!utf8_whole((const unsigned char *)bytes, strlen(bytes)))
				fail_msg("an encoded word splits a UTF-8 character: %s", bytes);
			strbuf_adds(b, bytes);
			p = end + 2;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\')
					p++;
				if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
					fail_msg("byte 0x%02x in a quoted-string of '%s'", (unsigned char)*p, phrase);
				if (strncmp(p, "=?", 2) == 0)
					fail_msg("'=?' in a quoted-string of '%s'", phrase);
				strbuf_add(b, p, 1);
			}
			if (*p != '"')
				fail_msg("a quoted-string of '%s' does not end", phrase);
			p++;
		} else {
			size_t n = strcspn(p, " ");
			if (n == 0)
				fail_msg("an empty word in '%s'", phrase);
			for (size_t i = 0; i < n; i++)
				if (!addr_is_atext((unsigned char)p[i]))
					fail_msg("'%c' in an atom of '%s'", p[i], phrase);
			strbuf_add(b, p, n);
			p += n;
		}
		prev_ew = ew;
	}
	return sb_take(b);
}

/* Whatever the name (every kind of character, any length up to the
 * case database's cap and well beyond), the header is one field of ASCII
 * lines of at most 78 characters (76 with an encoded-word), and reads
 * back as exactly the name, cleaned and trimmed. */
static void test_address_header_reads_back(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"Jo", "Bloggs", ",", "\"", "\\", ".", "(", ")", "<", ">", "@", ":", ";", "[", "]", "=?", "?=",
		"\xc3\xa9", "\xc2\xa3", "\xc5\xb5", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "'", "-", "Tîm",
	};
	static const char *const fixed[] = {
		WELSH_NAME, WELSH_RUN, "Leeds City Council, ASB Unit", "The \"Quiet\" Team \\ North", "=?UTF-8?Q?x?=",
		"a\tb", "x\r\nBcc: evil@example.org", "\xff\xfe bytes",
	};
	uint64_t seed = 42;
	for (int round = 0; round < 400; round++) {
		struct strbuf *nb = sb_new();
		const char *name;
		if (round < (int)ELEMENTSOF(fixed)) {
			name = fixed[round];
		} else {
			size_t words = (size_t)(round % 23);
			for (size_t w = 0; w < words; w++) {
				seed = hash_u64(seed, (uint64_t)w);
				if (w)
					strbuf_adds(nb, seed % 7 == 0 ? "  " : " ");
				for (int k = 0; k < 1 + (int)(seed >> 40) % 4; k++)
					strbuf_adds(nb, pieces[(seed >> (8 * k)) % ELEMENTSOF(pieces)]);
			}
			name = sb_take(nb);
		}
		const char *field = round % 2 ? "From" : "To";
		const char *address = "somebody@example.gov.uk";
		char *got = address_header(field, name, address);
		/* Lines: ASCII, CRLF, the limits; then unfolded. */
		struct strbuf *ub = sb_new();
		strbuf_adds(ub, "");
		for (const char *p = got; *p;) {
			const char *eol = strstr(p, "\r\n");
			assert_non_null(eol);
			size_t len = (size_t)(eol - p);
			bool encoded = memmem(p, len, "=?", 2) != NULL;
			if (len > (encoded ? 76u : 78u))
				fail_msg("a line of %zu characters in:\n%s", len, got);
			for (const char *q = p; q < eol; q++)
				if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e)
					fail_msg("byte 0x%02x in:\n%s", (unsigned char)*q, got);
			if (p != got && *p != ' ')
				fail_msg("a second line that is not a continuation in:\n%s", got);
			strbuf_add(ub, p, len);
			p = eol + 2;
		}
		char *unfolded = sb_take(ub);
		char *prefix = gc(xasprintf("%s: ", field));
		assert_true(strncmp(unfolded, prefix, strlen(prefix)) == 0);
		char *want = gc(text_clean(name, 0, NULL));
		size_t skip = strspn(want, " "), n = strlen(want);
		while (n > skip && want[n - 1] == ' ')
			want[--n] = '\0';
		want += skip;
		const char *value = unfolded + strlen(prefix);
		if (!*want) {
			assert_string_equal(value, address);
			continue;
		}
		char *back = read_display_name(value, address);
		if (strcmp(back, want) != 0)
			fail_msg("name '%s' read back as '%s' from:\n%s", want, back, got);
	}
}

/* In a whole email: From and To each one header, through the same
 * writer. */
static void test_email_from_and_to_names(void **state)
{
	(void)state;
	struct email_head h = plain_head;
	h.from = (struct email_address){ "Leeds City Council, ASB Unit", "asb@leeds.example" };
	h.to = (struct email_address){ "Si\xc3\xa2n O'Brien", "sian.obrien@example.gov.uk" };
	struct mail m;
	build(&h, "casewatch: 1 overdue", "t\n", "h\n", &m);
	static const char want[] = "From: \"Leeds City Council, ASB Unit\" <asb@leeds.example>\r\n"
				   "To: =?UTF-8?B?U2nDom4=?= O'Brien <sian.obrien@example.gov.uk>\r\n"
				   "Subject: casewatch: 1 overdue\r\n";
	if (strncmp(m.head, want, strlen(want)) != 0)
		fail_msg("the head begins\n%.*s\nwant\n%s", (int)strlen(want), m.head, want);
}

/* Why an address is refused, as `casewatch check` says it. */
static void test_addr_spec_problem_exact(void **state)
{
	(void)state;
	static const struct {
		const char *a, *why;
	} cases[] = {
		{ "jo.bloggs+asb@example.gov.uk", NULL },
		{ "o'brien@example.gov.uk", NULL },
		{ "casewatch@localhost", NULL },
		{ "", "is empty" },
		{ "casewatch", "has no @" },
		{ "jo@x@y.uk", "has more than one @" },
		{ "@example.gov.uk", "has nothing before the @" },
		{ "jo@", "has nothing after the @" },
		{ "jo bloggs@example.gov.uk", "holds a space" },
		{ "jo@x.uk, al@x.uk", "has more than one @" },
		{ "jo,al@x.uk", "holds ',', which an address may not" },
		{ "\"jo\"@x.uk", "holds '\"', which an address may not" },
		{ "jo@[192.0.2.1]", "holds '[', which an address may not" },
		{ "jo\r\n@x.uk", "holds a control character" },
		{ "j\xc3\xb6@x.uk", "is not ASCII (addresses in other scripts are not supported)" },
		{ "jo..bloggs@x.uk", "has a dot at the start or end of the part before the @, or two in a row" },
		{ "jo@x_y.uk", "holds '_' in its domain, which a domain may not" },
		{ "jo@x..uk", "has a dot at the start or end of its domain, or two in a row" },
		{ "jo@-x.uk", "has a part of its domain that starts or ends with a hyphen" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *got = gc(addr_spec_problem(cases[i].a));
		if (cases[i].why ? !got || strcmp(got, cases[i].why) != 0 : got != NULL)
			fail_msg("'%s': got '%s', want '%s'", cases[i].a, got ? got : "(none)",
				 cases[i].why ? cases[i].why : "(none)");
		assert_int_equal(addr_spec_ok(cases[i].a), cases[i].why == NULL);
	}
	char *a = gc(xasprintf("%065d@x.uk", 0));
	assert_string_equal(gc(addr_spec_problem(a)), "has 65 bytes before the @, more than the 64 that mail servers must take");
	a = gc(xasprintf("x@%064d.uk", 0));
	assert_string_equal(gc(addr_spec_problem(a)), "has a part of its domain longer than 63 characters");
	a = gc(xasprintf("%064d@%063d.%063d.%062d", 0, 1, 2, 3));
	assert_string_equal(gc(addr_spec_problem(a)), "is 255 bytes long, more than the 254 an address may have");
	assert_string_equal(gc(addr_spec_problem(NULL)), "is empty");
}

/* smtp from as people write it, and what is refused. */
static void test_addr_parse_forms(void **state)
{
	(void)state;
	static const struct {
		const char *v, *name, *address, *why;
	} cases[] = {
		{ "Leeds City Council, ASB Unit <asb@leeds.example>", "Leeds City Council, ASB Unit", "asb@leeds.example", NULL },
		{ "\"Leeds City Council, ASB Unit\" <asb@leeds.example>", "Leeds City Council, ASB Unit", "asb@leeds.example", NULL },
		{ "  \"The \\\"Quiet\\\" Team \\\\ North\"   <q@x.uk> ", "The \"Quiet\" Team \\ North", "q@x.uk", NULL },
		{ "The \"Quiet\" Team <q@x.uk>", "The \"Quiet\" Team", "q@x.uk", NULL },
		{ "Unit \\ North <n@x.uk>", "Unit \\ North", "n@x.uk", NULL },
		{ "\"A <b>\" <c@x.uk>", "A <b>", "c@x.uk", NULL },
		{ "\"A\" and \"B\" <c@x.uk>", "\"A\" and \"B\"", "c@x.uk", NULL },
		{ "\"open <o@x.uk>", "\"open", "o@x.uk", NULL },
		{ "Cyngor Sir Ynys M\xc3\xb4n <asb@ynysmon.example>", "Cyngor Sir Ynys M\xc3\xb4n", "asb@ynysmon.example", NULL },
		{ "=?UTF-8?B?SGk=?= <hi@x.uk>", "=?UTF-8?B?SGk=?=", "hi@x.uk", NULL },
		{ " asb@x.uk ", NULL, "asb@x.uk", NULL },
		{ "<asb@x.uk>", NULL, "asb@x.uk", NULL },
		{ "\"\" <asb@x.uk>", NULL, "asb@x.uk", NULL },
		{ "casewatch", NULL, NULL, "the address has no @ (write \"Name <address>\" or an address)" },
		{ "Leeds Council asb@x.uk", NULL, NULL,
		  "the address holds a space (write \"Name <address>\" or an address)" },
		{ "a@x.uk, b@x.uk", NULL, NULL, "the address has more than one @ (write \"Name <address>\" or an address)" },
		{ "Alice <a@x.uk>, Bob <b@x.uk>", NULL, NULL,
		  "its name holds < or >: give one address, and put a name that holds them in double quotes" },
		{ "ASB <asb@x.uk", NULL, NULL, "it has a < without a >" },
		{ "ASB asb@x.uk>", NULL, NULL, "it has a > without a <" },
		{ "ASB <asb@x.uk> (North)", NULL, NULL, "it has text after the address's >" },
		{ "ASB <>", NULL, NULL, "the address '' is empty" },
		{ "ASB <j\xc3\xb6@x.uk>", NULL, NULL,
		  "the address 'j\xc3\xb6@x.uk' is not ASCII (addresses in other scripts are not supported)" },
		{ "ASB <\"jo\"@x.uk>", NULL, NULL, "the address '\"jo\"@x.uk' holds '\"', which an address may not" },
		{ "ASB \xff <a@x.uk>", NULL, NULL, "it is not UTF-8" },
		{ "ASB\x01 <a@x.uk>", NULL, NULL, "it holds a control character" },
		{ "ASB \xc2\x85 <a@x.uk>", NULL, NULL, "it holds a control character" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *name = NULL, *address = NULL, *why = NULL;
		int r = addr_parse(cases[i].v, &name, &address, &why);
		gc(name), gc(address), gc(why);
		if (cases[i].why) {
			if (r != -EINVAL || !why || strcmp(why, cases[i].why) != 0)
				fail_msg("'%s': %d '%s', want the problem '%s'", cases[i].v, r, why ? why : "", cases[i].why);
			continue;
		}
		if (r != 0)
			fail_msg("'%s': refused: %s", cases[i].v, why ? why : "?");
		if (cases[i].name ? !name || strcmp(name, cases[i].name) != 0 : name != NULL)
			fail_msg("'%s': name '%s', want '%s'", cases[i].v, name ? name : "(none)",
				 cases[i].name ? cases[i].name : "(none)");
		assert_string_equal(address, cases[i].address);
	}
}

/* ---- Built-in templates ------------------------------------------------------------ */

/* Text repaired on its way (bytes that are not UTF-8 become U+FFFD): the
 * subject's encoded words decode to exactly the repaired text, each word
 * whole characters. Each kind of bad bytes the case database may hold: a
 * byte never in UTF-8, a lone continuation byte, an overlong form, an
 * encoded surrogate, a sequence cut short at the end. */
#define FFFD "\xef\xbf\xbd"
static void test_subject_repaired_text_gives_valid_encoded_words(void **state)
{
	(void)state;
	struct mail m;
	build(&plain_head, "casewatch: \xff ref\x80 \xc0\xaf \xed\xa0\x80 \x1b[1m end\xe2\x82", "t\n", "h\n", &m);
	char *back = decode_words(mail_header(&m, "Subject"));
	assert_string_equal(back, "casewatch: " FFFD " ref" FFFD " " FFFD FFFD " " FFFD FFFD FFFD "  [1m end" FFFD FFFD);
}

/* RFC 2047 section 5: text that looks like an encoded word is encoded,
 * or a mail client shows what it decodes to. */
static void test_subject_looking_like_an_encoded_word_is_encoded(void **state)
{
	(void)state;
	struct mail m;
	build(&plain_head, "casewatch: =?UTF-8?B?SGk=?=", "t\n", "h\n", &m);
	char *got = mail_header(&m, "Subject");
	assert_string_equal(got, "=?UTF-8?B?Y2FzZXdhdGNoOiA9P1VURi04P0I/U0drPT89?=");
	assert_string_equal(decode_words(got), "casewatch: =?UTF-8?B?SGk=?=");
}

/* RFC 5322 section 2.1.1: a line is at most 998 characters. A subject of
 * ASCII longer than fits (a custom template's, of long references) goes
 * as encoded words, folded. */
static void test_subject_long_ascii_is_folded(void **state)
{
	(void)state;
	char *subject = gc(xmalloc(2001));
	memset(subject, 'r', 2000);
	subject[2000] = '\0';
	struct mail m;
	build(&plain_head, subject, "t\n", "h\n", &m);
	for (const char *p = m.head; *p;) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		assert_true(eol - p <= 76);
		p = eol + 2;
	}
	assert_string_equal(decode_words(mail_header(&m, "Subject")), subject);
	/* 900 bytes of ASCII still go as they are. */
	subject[900] = '\0';
	build(&plain_head, subject, "t\n", "h\n", &m);
	assert_string_equal(mail_header(&m, "Subject"), subject);
}

/* Slack's mrkdwn: the three characters Slack reads as markup, as the
 * entities Slack documents; nothing else touched. */
static void test_slack_escape_exact(void **state)
{
	(void)state;
	assert_string_equal(gc(webhook_slack_escape("<!channel> <@U123> <http://evil.example|click> a&b")),
			    "&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil.example|click&gt; a&amp;b");
	assert_string_equal(gc(webhook_slack_escape("&amp;")), "&amp;amp;");
	assert_string_equal(gc(webhook_slack_escape("ASB-2026-0103 *b* _i_ [x](y) \\ " FFFD)),
			    "ASB-2026-0103 *b* _i_ [x](y) \\ " FFFD);
	assert_string_equal(gc(webhook_slack_escape("")), "");
	assert_string_equal(gc(webhook_slack_escape(NULL)), "");
}

/* Teams' markdown: a backslash before each special; - and . (markdown
 * only at the start of a line, where data never is) as they are. */
static void test_teams_escape_exact(void **state)
{
	(void)state;
	assert_string_equal(gc(webhook_teams_escape("[click](http://evil.example)")),
			    "\\[click\\]\\(http://evil.example\\)");
	assert_string_equal(gc(webhook_teams_escape("![i](x) *b* _i_ `c` ~s~ {a} #h +p |t| <u> \\")),
			    "\\!\\[i\\]\\(x\\) \\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\{a\\} \\#h \\+p \\|t\\| \\<u\\> \\\\");
	assert_string_equal(gc(webhook_teams_escape("ASB-2026-0103 J. Smith 2026-11-18 " FFFD)),
			    "ASB-2026-0103 J. Smith 2026-11-18 " FFFD);
	assert_string_equal(gc(webhook_teams_escape("")), "");
	assert_string_equal(gc(webhook_teams_escape(NULL)), "");
}

/* An address goes into To and RCPT TO as it is, so only one that cannot
 * be more than an address is usable: never repaired, never cut. */
static void test_address_usable_exact(void **state)
{
	(void)state;
	assert_true(address_usable("jo.bloggs+asb@example.gov.uk"));
	assert_true(address_usable("a@b"));
	static const char *const bad[] = {
		NULL, "", "jo", "@example.gov.uk", "jo@", "jo@x@y", "jo bloggs@x", "jo@x\r\nBcc: e@x",
		"j\xc3\xb6@x", "jo\xff@x", "<jo@x>", "jo@x,e@y", "jo@x;e@y", "\"jo\"@x", "jo(c)@x", "jo@[1.2.3.4]",
		"jo\\@x", "jo\x1b@x", "jo\x7f@x",
		/* Dot-atoms only (RFC 5322 section 3.4.1), and a domain of
		 * letters, digits and hyphens (RFC 5321 section 4.1.2). */
		".jo@x", "jo.@x", "jo..bloggs@x", "jo@.x", "jo@x.", "jo@x..gov.uk", "jo@-x.gov.uk", "jo@x-.gov.uk",
		"jo@x_y.gov.uk", "jo@x!.gov.uk",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (address_usable(bad[i]))
			fail_msg("usable: '%s'", bad[i] ? bad[i] : "(null)");
	/* TEXT_MAX_ADDRESS bytes (64 before the @, labels of 63), and one
	 * more; 65 bytes before the @; a label of 64. */
	char *a = gc(xasprintf("%064d@%063d.%063d.%061d", 0, 1, 2, 3));
	assert_int_equal(strlen(a), TEXT_MAX_ADDRESS);
	assert_true(address_usable(a));
	a = gc(xasprintf("%064d@%063d.%063d.%062d", 0, 1, 2, 3));
	assert_false(address_usable(a));
	a = gc(xasprintf("%065d@x", 0));
	assert_false(address_usable(a));
	a = gc(xasprintf("x@%064d.uk", 1));
	assert_false(address_usable(a));
	a = gc(xasprintf("x@%063d.uk", 1));
	assert_true(address_usable(a));
}

static void test_kinds_and_template_keys(void **state)
{
	(void)state;
	assert_string_equal(msg_kind_to_string(MSG_NOTICE), "notice");
	assert_string_equal(msg_kind_to_string(MSG_OFFICER_DIGEST), "officer-digest");
	assert_string_equal(msg_kind_to_string(MSG_MANAGER_DIGEST), "manager-digest");
	static const char *const want[_MSG_KIND_MAX][_MSG_PART_MAX] = {
		{ "notice_subject", "notice_text", "notice_html" },
		{ "officer_digest_subject", "officer_digest_text", "officer_digest_html" },
		{ "manager_digest_subject", "manager_digest_text", "manager_digest_html" },
	};
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++)
			assert_string_equal(msg_template_key((enum msg_kind)k, (enum msg_part)p), want[k][p]);
}

/* "a b c(x y) d": a table's names, a list's items in brackets. */
static void describe_fields(struct strbuf *b, const struct tmpl_field *f)
{
	for (; f->name; f++) {
		strbuf_adds(b, f->name);
		if (f->items) {
			strbuf_adds(b, "(");
			describe_fields(b, f->items);
			strbuf_adds(b, ")");
		}
		if (f[1].name)
			strbuf_adds(b, " ");
	}
}

static char *fields_of(enum msg_kind k)
{
	struct strbuf *b = sb_new();
	describe_fields(b, msg_fields(k));
	return sb_take(b);
}

#define NOTICE_ITEM "case rule title stage due late officer team link deadline when owed_to met_by colour"
#define DIGEST_ITEM "case rule title stage due late team link deadline when owed_to met_by colour new"

static void test_fields_each_kind_offers(void **state)
{
	(void)state;
	char *notice = fields_of(MSG_NOTICE);
	assert_string_equal(notice, "summary count recipient case items(" NOTICE_ITEM ") more");
	char *officer = fields_of(MSG_OFFICER_DIGEST);
	assert_string_equal(officer,
		"summary officer date recipient stale "
		"due_today(" DIGEST_ITEM ") "
		"overdue(" DIGEST_ITEM ") "
		"upcoming(" DIGEST_ITEM ") "
		"notices(" NOTICE_ITEM ") notices_more more");
	char *manager = fields_of(MSG_MANAGER_DIGEST);
	assert_string_equal(manager,
		"summary period date recipient stale this_period last_period "
		"teams(team count more officers(officer count items(" DIGEST_ITEM "))) "
		"standards(rule title pending overdue paused met met_late this this_pct this_due last last_pct last_due) "
		"by_team team_totals(team this this_pct this_due overdue officers(officer this this_pct this_due overdue)) "
		"targets(rule title goal this this_met last last_met) targets_this targets_last "
		"undelivered(recipient subject error since) undelivered_count import_problems(file problem) "
		"notices(" NOTICE_ITEM ") notices_more");
	/* DESIGN.md section 5: nothing about a party, no flags, no free
	 * text. */
	for (int k = 0; k < _MSG_KIND_MAX; k++) {
		char *all = fields_of((enum msg_kind)k);
		assert_null(strstr(all, "party"));
		assert_null(strstr(all, "flag"));
		assert_null(strstr(all, "text"));
		assert_null(strstr(all, "incident"));
	}
}

static void test_templates_load_builtin(void **state)
{
	(void)state;
	char *paths[_MSG_KIND_MAX][_MSG_PART_MAX] = { { NULL } };
	struct templates *t = gc_fn(xcalloc(1, sizeof(struct templates)), gc_free_templates);
	struct diags *d = new_diags();
	assert_int_equal(templates_load(t, paths, d), 0);
	assert_int_equal(d->n, 0);
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++)
			assert_non_null(t->t[k][p]);
	templates_free(t);
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++)
			assert_null(t->t[k][p]);
}

#define FOOTER_TEXT_WANT \
	"-- \nSent automatically by casewatch, the unit's service-standard monitor.\n"
#define FONT_WANT "font-family:Arial,Helvetica,sans-serif;"
#define TEXT_WANT FONT_WANT "font-size:15px;line-height:1.45;color:#1b1b1b;"
/* The layout around a message's items: one column in a grey frame, the
 * heading in a bar, the footer. */
#define HTML_HEAD_WANT(title) \
	"<!DOCTYPE html>\n<html lang=\"en\">\n" \
	"<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" \
	"<title>" title "</title></head>\n" \
	"<body style=\"margin:0;padding:0;background-color:#f2f2f2\">\n" \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"background-color:#f2f2f2\"><tr><td align=\"center\" style=\"padding:12px 6px\">\n" \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"max-width:640px;background-color:#ffffff;border:1px solid #d0d0d0\">\n" \
	"<tr><td style=\"padding:14px 18px;background-color:#1d3557;color:#ffffff;" FONT_WANT \
	"font-size:18px;line-height:1.3;font-weight:bold\">" title "</td></tr>\n" \
	"<tr><td style=\"padding:12px 18px 4px 18px;" TEXT_WANT "\">\n"
#define ITEM_OPEN_WANT(colour) \
	"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" " \
	"style=\"margin:0 0 12px 0\"><tr><td style=\"padding:2px 0 2px 10px;border-left:4px solid " colour ";" \
	TEXT_WANT "\">\n"
#define FOOTER_HTML_WANT \
	"</td></tr>\n" \
	"<tr><td style=\"padding:10px 18px 14px 18px;" FONT_WANT "font-size:12px;color:#555555\">Sent " \
	"automatically by casewatch, the unit's service-standard monitor.</td></tr>\n" \
	"</table>\n</td></tr></table>\n</body>\n</html>\n"

static void test_builtin_notice_renders(void **state)
{
	(void)state;
	char *paths[_MSG_KIND_MAX][_MSG_PART_MAX] = { { NULL } };
	struct templates *t = gc_fn(xcalloc(1, sizeof(struct templates)), gc_free_templates);
	struct diags *d = new_diags();
	assert_int_equal(templates_load(t, paths, d), 0);

	struct tmpl_data *data = gc_fn(tmpl_data_new(), gc_free_tmpl_data);
	tmpl_data_set(data, "summary", "1 overdue");
	tmpl_data_set(data, "count", "1");
	tmpl_data_set(data, "recipient", "jo.bloggs@example.gov.uk");
	struct tmpl_data *it = tmpl_data_add(data, "items");
	tmpl_data_set(it, "case", "ASB-2026-0042");
	tmpl_data_set(it, "rule", "call");
	tmpl_data_set(it, "title", "Call <b>&\"' back");
	tmpl_data_set(it, "stage", "overdue");
	tmpl_data_set(it, "due", "Mon 2 Mar 2026");
	tmpl_data_set(it, "late", "1 working day late");
	tmpl_data_set(it, "officer", "Jo Bloggs");
	tmpl_data_set(it, "team", "North");
	tmpl_data_set(it, "link", "https://crm.example/asb?ref=ASB-2026-0042&x=1");
	tmpl_data_set(it, "deadline", "Mon 2 Mar 2026");
	tmpl_data_set(it, "when", "overdue: deadline Mon 2 Mar 2026, 1 working day late");
	tmpl_data_set(it, "owed_to", "victim");
	tmpl_data_set(it, "met_by", "a phone call with them");
	tmpl_data_set(it, "colour", "#b00020");

	char *subject = gc(tmpl_render(t->t[MSG_NOTICE][MSG_SUBJECT], data, false));
	assert_string_equal(subject, "casewatch: 1 overdue");
	/* A notice about one case names it. */
	tmpl_data_set(data, "case", "ASB-2026-0042");
	char *subject1 = gc(tmpl_render(t->t[MSG_NOTICE][MSG_SUBJECT], data, false));
	assert_string_equal(subject1, "casewatch: ASB-2026-0042: 1 overdue");

	char *text = gc(tmpl_render(t->t[MSG_NOTICE][MSG_TEXT], data, false));
	assert_string_equal(text,
		"1 overdue\n"
		"\n"
		"ASB-2026-0042: Call <b>&\"' back (call)\n"
		"  overdue: deadline Mon 2 Mar 2026, 1 working day late\n"
		"  owed to the victim\n"
		"  met by a phone call with them\n"
		"  officer Jo Bloggs, team North\n"
		"  https://crm.example/asb?ref=ASB-2026-0042&x=1\n"
		"\n"
		FOOTER_TEXT_WANT);

	char *html = gc(tmpl_render(t->t[MSG_NOTICE][MSG_HTML], data, true));
	/* Each item a block: its stage in words, in its colour; every value
	 * escaped, the link's too. */
	assert_string_equal(html,
		HTML_HEAD_WANT("1 overdue")
		ITEM_OPEN_WANT("#b00020")
		"<strong style=\"color:#b00020;text-transform:uppercase\">overdue</strong><br>\n"
		"<strong><a href=\"https://crm.example/asb?ref=ASB-2026-0042&amp;x=1\" style=\"color:#1d4e89\">"
		"ASB-2026-0042</a></strong>: Call &lt;b&gt;&amp;&quot;&#39; back<br>\n"
		"Deadline Mon 2 Mar 2026 &middot; <strong>1 working day late</strong><br>\n"
		"Owed to the victim<br>\n"
		"Met by a phone call with them<br>\n"
		"<span style=\"color:#555555\">Officer Jo Bloggs, team North</span>\n"
		"</td></tr></table>\n"
		FOOTER_HTML_WANT);

	/* An item with no link and not late: no link line, no anchor, an
	 * empty Late cell. */
	data = gc_fn(tmpl_data_new(), gc_free_tmpl_data);
	tmpl_data_set(data, "summary", "1 due today");
	it = tmpl_data_add(data, "items");
	tmpl_data_set(it, "case", "ASB-7");
	tmpl_data_set(it, "rule", "visit");
	tmpl_data_set(it, "title", "Visit within 5 working days");
	tmpl_data_set(it, "stage", "due");
	tmpl_data_set(it, "due", "2026-03-03");
	tmpl_data_set(it, "deadline", "Tue 3 Mar 2026");
	tmpl_data_set(it, "when", "due today, Tue 3 Mar 2026");
	tmpl_data_set(it, "colour", "#8a4b00");
	tmpl_data_set(it, "officer", "Sam Jones");
	tmpl_data_set(it, "team", "South");
	char *text2 = gc(tmpl_render(t->t[MSG_NOTICE][MSG_TEXT], data, false));
	assert_string_equal(text2,
		"1 due today\n"
		"\n"
		"ASB-7: Visit within 5 working days (visit)\n"
		"  due today, Tue 3 Mar 2026\n"
		"  officer Sam Jones, team South\n"
		"\n"
		FOOTER_TEXT_WANT);
	char *html2 = gc(tmpl_render(t->t[MSG_NOTICE][MSG_HTML], data, true));
	assert_string_equal(html2,
		HTML_HEAD_WANT("1 due today")
		ITEM_OPEN_WANT("#8a4b00")
		"<strong style=\"color:#8a4b00;text-transform:uppercase\">due</strong><br>\n"
		"<strong>ASB-7</strong>: Visit within 5 working days<br>\n"
		"Deadline Tue 3 Mar 2026<br>\n"
		"<span style=\"color:#555555\">Officer Sam Jones, team South</span>\n"
		"</td></tr></table>\n"
		FOOTER_HTML_WANT);
}

/* ---- Configuration: helpers -------------------------------------------------------- */

static char *write_file_mode(const char *name, const char *text, mode_t mode)
{
	char *path = gc(xasprintf("%s/%s", dir, name));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static char *write_file(const char *name, const char *text)
{
	return write_file_mode(name, text, 0644);
}

static struct conf *load_ok(const char *name, const char *text)
{
	char *path = write_file(name, text);
	struct diags *d = new_diags();
	struct conf *c = NULL;
	int r = conf_load(path, &c, d);
	if (c)
		gc_fn(c, gc_free_conf);
	if (r < 0) {
		diags_print(d, stderr);
		fail_msg("%s did not load", name);
	}
	assert_int_equal(d->n, 0);
	assert_non_null(c);
	return c;
}

/* Load a file expected to fail; return its problems as "FILE:LINE: message"
 * lines (sorted as the programs print them), the temporary folder written
 * "@". */
static char *load_bad(const char *name, const char *text)
{
	char *path = write_file(name, text);
	struct diags *d = new_diags();
	struct conf *c = NULL;
	int r = conf_load(path, &c, d);
	if (c)
		gc_fn(c, gc_free_conf);
	assert_int_equal(r, -EINVAL);
	assert_null(c);
	diags_sort(d);
	struct strbuf *b = sb_new();
	for (size_t i = 0; i < d->n; i++) {
		char *line = gc(diag_line(&d->v[i]));
		strbuf_adds(b, line);
		strbuf_adds(b, "\n");
	}
	return replace_all(sb_take(b), dir, "@");
}

static void expect_bad(const char *name, const char *text, const char *want)
{
	char *got = load_bad(name, text);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got\n%s\nwant\n%s", name, got, want);
}

/* ---- Configuration: defaults and good settings --------------------------------------- */

static void test_conf_defaults(void **state)
{
	(void)state;
	struct conf *c = gc_fn(conf_new_default(), gc_free_conf);
	assert_null(c->maildir);
	char *maildir = gc(conf_maildir(c));
	assert_string_equal(maildir, "./mail");
	assert_null(c->smtp);
	assert_string_equal(c->from, "casewatch <casewatch@localhost>");
	assert_string_equal(c->from, DEFAULT_FROM);
	assert_string_equal(c->from_name, "casewatch");
	assert_string_equal(c->from_address, "casewatch@localhost");
	assert_int_equal(c->n_webhooks, 0);
	assert_null(c->case_link);
	assert_false(c->window_every_day);
	assert_int_equal(c->window_from, 8 * 60);
	assert_int_equal(c->window_to, 18 * 60);
	assert_int_equal(c->give_up_after, 86400);
	assert_int_equal(c->officer_digest, 480);
	assert_int_equal(c->manager_every, DIGEST_WEEKLY);
	assert_int_equal(c->manager_day, 0);
	assert_int_equal(c->manager_time, 480);
	assert_null(c->unreadable_secret);
	for (int k = 0; k < _MSG_KIND_MAX; k++)
		for (int p = 0; p < _MSG_PART_MAX; p++) {
			assert_null(c->template_paths[k][p]);
			assert_non_null(c->templates.t[k][p]);
		}
	struct diags *d = new_diags();
	assert_int_equal(conf_secrets_readable(c, d), 0);
	assert_int_equal(d->n, 0);

	/* A file without notification settings has the same defaults, the
	 * Maildir beside its state database. */
	c = load_ok("empty.conf", "state = \"/var/lib/casewatch/state.db\";\n");
	char *m2 = gc(conf_maildir(c));
	assert_string_equal(m2, "/var/lib/casewatch/mail");
	assert_null(c->smtp);
	assert_string_equal(c->from, DEFAULT_FROM);
	assert_int_equal(c->n_webhooks, 0);
	assert_int_equal(c->give_up_after, 86400);
	assert_int_equal(c->officer_digest, 480);
	assert_int_equal(c->manager_every, DIGEST_WEEKLY);

	/* The default state is beside the file, and so is its Maildir. */
	c = load_ok("nostate.conf", "database = \"cases.db\";\n");
	char *m3 = gc(conf_maildir(c));
	char *w3 = gc(xasprintf("%s/mail", dir));
	assert_string_equal(m3, w3);

	/* maildir names it, relative to the file. */
	c = load_ok("maildir.conf", "maildir = \"outgoing\";\n");
	char *m4 = gc(conf_maildir(c));
	char *w4 = gc(xasprintf("%s/outgoing", dir));
	assert_string_equal(c->maildir, w4);
	assert_string_equal(m4, w4);
}

static void test_conf_import(void **state)
{
	(void)state;
	/* No group: nothing to import, no age limit. */
	struct conf *c = load_ok("noimport.conf", "database = \"cases.db\";\n");
	assert_false(c->import);
	assert_null(c->import_inbox);
	assert_null(c->mapping);
	assert_int_equal(c->import_max_age, 0);

	write_file("map.conf", "sources = ( { match = \"c*.csv\"; into = \"cases\"; key = \"R\";\n"
			       "  columns = { ref = \"R\"; received_at = \"D\"; }; } );\n");
	/* The group: paths beside the file, the mapping read, 26 hours by
	 * default. */
	c = load_ok("import.conf", "import = { inbox = \"in\"; mapping = \"map.conf\"; };\n");
	assert_true(c->import);
	assert_string_equal(c->import_inbox, gc(xasprintf("%s/in", dir)));
	assert_string_equal(c->import_mapping, gc(xasprintf("%s/map.conf", dir)));
	assert_non_null(c->mapping);
	assert_int_equal(c->mapping->n_sources, 1);
	assert_int_equal(c->import_max_age, 26 * 3600);
	assert_int_equal(IMPORT_MAX_AGE_DEFAULT, 26 * 3600);

	c = load_ok("import-age.conf", "import = { mapping = \"map.conf\"; max_age = \"3 days\"; };\n");
	assert_null(c->import_inbox);
	assert_int_equal(c->import_max_age, 3 * 86400);
	c = load_ok("import-off.conf", "import = { mapping = \"map.conf\"; max_age = false; };\n");
	assert_int_equal(c->import_max_age, 0);
	c = load_ok("import-secs.conf", "import = { mapping = \"map.conf\"; max_age = 7200; };\n");
	assert_int_equal(c->import_max_age, 7200);

	expect_bad("import-bad.conf",
		   "import = { inbox = \"\"; max_age = \"59 minutes\"; };\n"
		   "import2 = 1;\n",
		   "@/import-bad.conf:1: import inbox must not be empty\n"
		   "@/import-bad.conf:1: import needs mapping = \"FILE\": how the exports' columns become "
		   "casewatch's (casewatch-import(5))\n"
		   "@/import-bad.conf:1: import max_age must be between 1 hour and 30 days\n"
		   "@/import-bad.conf:2: unknown setting 'import2' in the configuration\n");
	expect_bad("import-type.conf", "import = { mapping = \"map.conf\"; max_age = true; };\n",
		   "@/import-type.conf:1: import max_age is a duration like \"26 hours\", or false for no limit\n");
	expect_bad("import-nomap.conf", "import = { mapping = \"missing.conf\"; };\n",
		   "@/missing.conf: cannot read: No such file or directory\n");
	expect_bad("import-list.conf", "import = [ 1 ];\n",
		   "@/import-list.conf:1: import must be a group { ... }, not an array\n");
}

static void test_smtp_relay_with_password_file(void **state)
{
	(void)state;
	write_file_mode("smtp-pw", "hunter2\n", 0600);
	struct conf *c = load_ok("smtp.conf",
		"smtp = {\n"
		"  server = \"relay.example:587\";\n"
		"  user = \"casewatch\";\n"
		"  password_file = \"smtp-pw\";\n"
		"  from = \"ASB Team <asb@example.gov.uk>\";\n"
		"};\n");
	assert_non_null(c->smtp);
	assert_string_equal(c->smtp->server, "relay.example:587");
	assert_string_equal(c->smtp->host, "relay.example");
	assert_string_equal(c->smtp->port, "587");
	assert_true(c->smtp->tls);
	assert_null(c->smtp->ca_file);
	assert_string_equal(c->smtp->user, "casewatch");
	assert_string_equal(c->smtp->password, "hunter2");
	assert_string_equal(c->smtp->from, "ASB Team <asb@example.gov.uk>");
	assert_string_equal(c->smtp->from_address, "asb@example.gov.uk");
	assert_string_equal(c->from, "ASB Team <asb@example.gov.uk>");
	assert_string_equal(c->from_name, "ASB Team");
	assert_string_equal(c->from_address, "asb@example.gov.uk");
	assert_int_equal(c->smtp->timeout_ms, 30000);
	assert_null(c->unreadable_secret);

	/* A CRLF ending is the file's too; the password's own spaces stay. */
	write_file_mode("smtp-pw-crlf", " two words \r\n", 0600);
	c = load_ok("smtp-crlf.conf",
		"smtp = { server = \"relay.example:25\"; user = \"u\"; password_file = \"smtp-pw-crlf\"; };\n");
	assert_string_equal(c->smtp->password, " two words ");
	/* No from: the default sender. */
	assert_string_equal(c->smtp->from, DEFAULT_FROM);
	assert_string_equal(c->smtp->from_address, "casewatch@localhost");
	assert_string_equal(c->from, DEFAULT_FROM);
	assert_string_equal(c->from_name, "casewatch");
	assert_string_equal(c->from_address, "casewatch@localhost");
}

static void test_smtp_tls_none_ipv6_and_timeout(void **state)
{
	(void)state;
	struct conf *c = load_ok("smtp-local.conf",
		"smtp = { server = \"[::1]:25\"; tls = \"none\"; timeout = \"2 minutes\"; from = \"asb@example.gov.uk\"; };\n");
	assert_string_equal(c->smtp->server, "[::1]:25");
	assert_string_equal(c->smtp->host, "::1");
	assert_string_equal(c->smtp->port, "25");
	assert_false(c->smtp->tls);
	assert_int_equal(c->smtp->timeout_ms, 120000);
	assert_null(c->smtp->user);
	assert_null(c->smtp->password);
	assert_string_equal(c->smtp->from_address, "asb@example.gov.uk");
	assert_string_equal(c->from, "asb@example.gov.uk");
	assert_null(c->from_name);
	assert_string_equal(c->from_address, "asb@example.gov.uk");

	c = load_ok("smtp-req.conf",
		"smtp = { server = \"localhost:2525\"; tls = \"required\"; timeout = 5; };\n");
	assert_string_equal(c->smtp->host, "localhost");
	assert_string_equal(c->smtp->port, "2525");
	assert_true(c->smtp->tls);
	assert_int_equal(c->smtp->timeout_ms, 5000);
}

static void test_smtp_password_from_credentials_directory(void **state)
{
	(void)state;
	char *creds = gc(xasprintf("%s/creds", dir));
	assert_int_equal(mkdir(creds, 0700), 0);
	char *cred = write_file_mode("creds/smtp-password", "from-credential\n", 0600);
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", creds, 1), 0);

	struct conf *c = load_ok("smtp-cred.conf",
		"smtp = { server = \"relay.example:587\"; user = \"casewatch\"; };\n");
	assert_string_equal(c->smtp->password, "from-credential");

	/* password_file, when set, wins. */
	write_file_mode("smtp-pw-wins", "from-file\n", 0600);
	c = load_ok("smtp-cred-file.conf",
		"smtp = { server = \"relay.example:587\"; user = \"casewatch\"; password_file = \"smtp-pw-wins\"; };\n");
	assert_string_equal(c->smtp->password, "from-file");

	/* The credential is a secret like any other. */
	assert_int_equal(chmod(cred, 0640), 0);
	expect_bad("smtp-cred-0640.conf",
		"\nsmtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n};\n",
		"@/smtp-cred-0640.conf:2: the smtp password file @/creds/smtp-password may be read by its group "
		"(mode 0640): allow its owner only (chmod 600 @/creds/smtp-password)\n");

	/* A credentials folder without smtp-password: no password. */
	assert_int_equal(unlink(cred), 0);
	expect_bad("smtp-cred-none.conf",
		"smtp = { server = \"relay.example:587\"; user = \"casewatch\"; };\n",
		"@/smtp-cred-none.conf:1: smtp user 'casewatch' has no password: set password_file, or give the "
		"service the credential smtp-password\n");

	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
}

/* A user and no password_file, outside the service (no
 * CREDENTIALS_DIRECTORY): the configuration loads, for every command that
 * does not send (an officer's status); the password is a secret it cannot
 * have, which check, a send and casewatchd say. */
static void test_smtp_credential_outside_the_service(void **state)
{
	(void)state;
	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	struct conf *c = load_ok("smtp-nopw.conf",
				 "\n\nsmtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n};\n");
	assert_string_equal(c->smtp->user, "casewatch");
	assert_string_equal(c->smtp->password, "");
	struct diags *d = new_diags();
	assert_int_equal(conf_secrets_readable(c, d), -EACCES);
	assert_int_equal(d->n, 1);
	char *line = gc(diag_line(&d->v[0]));
	assert_string_equal(replace_all(line, dir, "@"),
			    "@/smtp-nopw.conf:3: smtp user 'casewatch' has no password: set password_file, or give the "
			    "service the credential smtp-password");
}

static void test_webhooks_good(void **state)
{
	(void)state;
	write_file_mode("hook-secret", "k3y\n", 0600);
	struct conf *c = load_ok("hooks.conf",
		"webhooks = (\n"
		"  { name = \"asb-slack\"; url = \"https://hooks.slack.example/T000/B000\"; format = \"slack\";\n"
		"    secret_file = \"hook-secret\"; },\n"
		"  { name = \"crm\"; url = \"http://localhost:8080/casewatch\"; }\n"
		");\n");
	assert_int_equal(c->n_webhooks, 2);
	assert_string_equal(c->webhooks[0].name, "asb-slack");
	assert_string_equal(c->webhooks[0].url, "https://hooks.slack.example/T000/B000");
	assert_int_equal(c->webhooks[0].format, WEBHOOK_SLACK);
	assert_non_null(c->webhooks[0].secret);
	assert_int_equal(c->webhooks[0].secret_len, 3);
	assert_memory_equal(c->webhooks[0].secret, "k3y", 3);
	assert_string_equal(c->webhooks[1].name, "crm");
	assert_string_equal(c->webhooks[1].url, "http://localhost:8080/casewatch");
	assert_int_equal(c->webhooks[1].format, WEBHOOK_GENERIC);
	assert_null(c->webhooks[1].secret);
	assert_int_equal(c->webhooks[1].secret_len, 0);
	/* Webhooks do not make an smtp relay. */
	assert_null(c->smtp);

	c = load_ok("hooks-teams.conf",
		"webhooks = ( { name = \"t\"; url = \"https://example.webhook.office.com/x\"; format = \"teams\"; } );\n");
	assert_int_equal(c->n_webhooks, 1);
	assert_int_equal(c->webhooks[0].format, WEBHOOK_TEAMS);
}

static void test_notify_good(void **state)
{
	(void)state;
	struct conf *c = load_ok("notify.conf",
		"notify = {\n"
		"  case_link = \"https://crm.example.gov.uk/asb/{ref}\";\n"
		"  window = { days = \"all\"; from = \"07:30\"; to = \"19:00\"; };\n"
		"  give_up_after = \"2 days\";\n"
		"  officer_digest = false;\n"
		"  manager_digest = { every = \"day\"; day = \"friday\"; time = \"09:15\"; };\n"
		"};\n");
	assert_string_equal(c->case_link, "https://crm.example.gov.uk/asb/{ref}");
	assert_true(c->window_every_day);
	assert_int_equal(c->window_from, 7 * 60 + 30);
	assert_int_equal(c->window_to, 19 * 60);
	assert_int_equal(c->give_up_after, 2 * 86400);
	assert_int_equal(c->officer_digest, -1);
	assert_int_equal(c->manager_every, DIGEST_DAILY);
	assert_int_equal(c->manager_day, 4);
	assert_int_equal(c->manager_time, 9 * 60 + 15);

	c = load_ok("notify2.conf",
		"notify = {\n"
		"  window = { days = \"working\"; to = \"23:59\"; };\n"
		"  give_up_after = 3600;\n"
		"  officer_digest = \"06:45\";\n"
		"  manager_digest = { every = \"never\"; day = \"Sunday\"; };\n"
		"};\n");
	assert_false(c->window_every_day);
	assert_int_equal(c->window_from, 480);
	assert_int_equal(c->window_to, 23 * 60 + 59);
	assert_int_equal(c->give_up_after, 3600);
	assert_int_equal(c->officer_digest, 6 * 60 + 45);
	assert_int_equal(c->manager_every, DIGEST_NEVER);
	assert_int_equal(c->manager_day, 6);
	assert_int_equal(c->manager_time, 480);

	/* The limits: 1 hour and 30 days. */
	c = load_ok("notify3.conf", "notify = { give_up_after = \"30 days\"; manager_digest = { every = \"week\"; }; };\n");
	assert_int_equal(c->give_up_after, 30 * 86400);
	assert_int_equal(c->manager_every, DIGEST_WEEKLY);
}

static void test_custom_template_file(void **state)
{
	(void)state;
	char *tpath = write_file("subject.tmpl", "ASB: {{count}} for {{recipient}}{{! a comment }}");
	struct conf *c = load_ok("tmpl.conf", "notify = { templates = { notice_subject = \"subject.tmpl\"; }; };\n");
	assert_string_equal(c->template_paths[MSG_NOTICE][MSG_SUBJECT], tpath);
	assert_null(c->template_paths[MSG_NOTICE][MSG_TEXT]);
	struct tmpl_data *d = gc_fn(tmpl_data_new(), gc_free_tmpl_data);
	tmpl_data_set(d, "count", "3");
	tmpl_data_set(d, "recipient", "jo@example.gov.uk");
	tmpl_data_set(d, "summary", "3 overdue");
	char *subject = gc(tmpl_render(c->templates.t[MSG_NOTICE][MSG_SUBJECT], d, false));
	assert_string_equal(subject, "ASB: 3 for jo@example.gov.uk");
	/* The others stay built in. */
	char *text = gc(tmpl_render(c->templates.t[MSG_NOTICE][MSG_TEXT], d, false));
	assert_string_equal(text, "3 overdue\n\n" FOOTER_TEXT_WANT);
}

/* A secret file of the right mode that this process may not read (an
 * officer running casewatch status): the configuration loads, and only
 * sending is refused. As root, in a child that becomes nobody. */
static void test_secret_unreadable_by_this_process(void **state)
{
	(void)state;
	bool root = geteuid() == 0;
	char *pw = write_file_mode("smtp-pw-closed", "hunter2\n", root ? 0600 : 0200);
	char *conf = write_file("closed.conf",
		"smtp = { server = \"relay.example:587\"; user = \"casewatch\"; password_file = \"smtp-pw-closed\"; };\n");
	assert_int_equal(chmod(dir, 0711), 0);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (root && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		struct diags d = { 0 };
		struct conf *c = NULL;
		int r = conf_load(conf, &c, &d);
		char out[2048];
		if (r < 0) {
			char *l = gc(d.n ? diag_line(&d.v[0]) : xstrdup("?"));
			snprintf(out, sizeof(out), "load %d: %s", r, l);
		} else {
			struct diags s = { 0 };
			int rs = conf_secrets_readable(c, &s);
			char *l = gc(s.n ? diag_line(&s.v[0]) : xstrdup("-"));
			snprintf(out, sizeof(out), "password [%s] readable %d: %s", c->smtp->password, rs, l);
			diags_free(&s);
			conf_free(c);
		}
		diags_free(&d);
		ssize_t w = write(fds[1], out, strlen(out));
		_exit(w == (ssize_t)strlen(out) ? 0 : 2);
	}
	close(fds[1]);
	char got[2048];
	ssize_t n = 0, k;
	while ((k = read(fds[0], got + n, sizeof(got) - 1 - (size_t)n)) > 0)
		n += k;
	close(fds[0]);
	got[n > 0 ? n : 0] = '\0';
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *want = gc_fn(xasprintf(
		"password [] readable %d: %s:1: cannot read the smtp password file %s: Permission denied",
		-EACCES, conf, pw), free);
	assert_string_equal(got, want);
}

/* ---- Configuration: problems ---------------------------------------------------------- */

static void test_smtp_problems(void **state)
{
	(void)state;
	unsetenv("CREDENTIALS_DIRECTORY");
	write_file_mode("pw-0640", "x\n", 0640);
	write_file_mode("pw-0604", "x\n", 0604);
	write_file_mode("pw-0600", "x\n", 0600);
	write_file_mode("pw-empty", "\n", 0600);
	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "smtp-0640.conf",
		  "smtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n  password_file = \"pw-0640\";\n};\n",
		  "@/smtp-0640.conf:4: the smtp password file @/pw-0640 may be read by its group (mode 0640): "
		  "allow its owner only (chmod 600 @/pw-0640)\n" },
		{ "smtp-0604.conf",
		  "smtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n  password_file = \"pw-0604\";\n};\n",
		  "@/smtp-0604.conf:4: the smtp password file @/pw-0604 may be read by others (mode 0604): "
		  "allow its owner only (chmod 600 @/pw-0604)\n" },
		{ "smtp-pw-missing.conf",
		  "smtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n  password_file = \"pw-nope\";\n};\n",
		  "@/smtp-pw-missing.conf:4: cannot read the smtp password file @/pw-nope: No such file or directory\n" },
		{ "smtp-pw-empty.conf",
		  "smtp = {\n  server = \"relay.example:587\";\n  user = \"casewatch\";\n  password_file = \"pw-empty\";\n};\n",
		  "@/smtp-pw-empty.conf:4: the smtp password file @/pw-empty is empty\n" },
		{ "smtp-pw-folder.conf",
		  "smtp = { server = \"relay.example:587\"; user = \"casewatch\"; password_file = \".\"; };\n",
		  "@/smtp-pw-folder.conf:1: the smtp password file @/. is not a regular file\n" },
		{ "smtp-nouser.conf",
		  "smtp = {\n  server = \"relay.example:587\";\n  password_file = \"pw-0600\";\n};\n",
		  "@/smtp-nouser.conf:3: smtp password_file is set but user is not\n" },
		{ "smtp-noport.conf", "smtp = { server = \"relay.example\"; };\n",
		  "@/smtp-noport.conf:1: smtp server 'relay.example' is not \"host:port\" (port 1-65535, e.g. "
		  "\"relay.example.gov.uk:587\")\n" },
		{ "smtp-port0.conf", "smtp = {\n  server = \"relay.example:0\";\n};\n",
		  "@/smtp-port0.conf:2: smtp server 'relay.example:0' is not \"host:port\" (port 1-65535, e.g. "
		  "\"relay.example.gov.uk:587\")\n" },
		{ "smtp-port70000.conf", "smtp = {\n  server = \"relay.example:70000\";\n};\n",
		  "@/smtp-port70000.conf:2: smtp server 'relay.example:70000' is not \"host:port\" (port 1-65535, "
		  "e.g. \"relay.example.gov.uk:587\")\n" },
		{ "smtp-portname.conf", "smtp = { server = \"relay.example:smtp\"; };\n",
		  "@/smtp-portname.conf:1: smtp server 'relay.example:smtp' is not \"host:port\" (port 1-65535, "
		  "e.g. \"relay.example.gov.uk:587\")\n" },
		{ "smtp-nohost.conf", "smtp = { server = \":25\"; };\n",
		  "@/smtp-nohost.conf:1: smtp server ':25' is not \"host:port\" (port 1-65535, "
		  "e.g. \"relay.example.gov.uk:587\")\n" },
		{ "smtp-noserver.conf", "\nsmtp = {\n  tls = \"none\";\n};\n",
		  "@/smtp-noserver.conf:2: smtp needs server = \"host:port\"\n" },
		{ "smtp-tls.conf", "smtp = {\n  server = \"relay.example:587\";\n  tls = \"maybe\";\n};\n",
		  "@/smtp-tls.conf:3: smtp tls must be \"required\" (STARTTLS) or \"none\" (a relay on this host), "
		  "not 'maybe'\n" },
		{ "smtp-from.conf", "smtp = {\n  server = \"relay.example:587\";\n  from = \"casewatch\";\n};\n",
		  "@/smtp-from.conf:3: smtp from 'casewatch': the address has no @ (write \"Name <address>\" or "
		  "an address)\n" },
		{ "smtp-from-noat.conf", "smtp = { server = \"relay.example:587\"; from = \"ASB <asb>\"; };\n",
		  "@/smtp-from-noat.conf:1: smtp from 'ASB <asb>': the address 'asb' has no @\n" },
		{ "smtp-from-empty.conf", "smtp = { server = \"relay.example:587\"; from = \"ASB <>\"; };\n",
		  "@/smtp-from-empty.conf:1: smtp from 'ASB <>': the address '' is empty\n" },
		{ "smtp-from-lines.conf", "smtp = { server = \"relay.example:587\";\n  from = \"ASB\\n <asb@example.gov.uk>\"; };\n",
		  "@/smtp-from-lines.conf:2: smtp from must be one line\n" },
		{ "smtp-key.conf", "smtp = {\n  server = \"relay.example:587\";\n  port = 25;\n  starttls = true;\n};\n",
		  "@/smtp-key.conf:3: unknown setting 'port' in smtp\n"
		  "@/smtp-key.conf:4: unknown setting 'starttls' in smtp\n" },
		{ "smtp-notgroup.conf", "smtp = \"relay.example:587\";\n",
		  "@/smtp-notgroup.conf:1: smtp must be a group { ... }, not a string\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		expect_bad(cases[i].name, cases[i].text, cases[i].want);
}

/* casewatch.conf(5): the timeout is "between 1 second and 5 minutes",
 * and so says the problem. */
static void test_smtp_timeout_out_of_range(void **state)
{
	(void)state;
	expect_bad("smtp-timeout.conf", "smtp = {\n  server = \"relay.example:587\";\n  timeout = \"10 minutes\";\n};\n",
		   "@/smtp-timeout.conf:3: smtp timeout must be between 1 second and 5 minutes\n");
	expect_bad("smtp-timeout-0.conf", "smtp = { server = \"relay.example:587\"; timeout = 0; };\n",
		   "@/smtp-timeout-0.conf:1: smtp timeout must be between 1 second and 5 minutes\n");
	expect_bad("smtp-timeout-301.conf", "smtp = { server = \"relay.example:587\"; timeout = 301; };\n",
		   "@/smtp-timeout-301.conf:1: smtp timeout must be between 1 second and 5 minutes\n");
}

/* smtp from with a display name that needs quoting or encoding loads as
 * it is meant, and the message carries it so. */
static void test_smtp_from_names(void **state)
{
	(void)state;
	struct conf *c = load_ok("from-comma.conf",
		"smtp = { server = \"relay.example:25\"; tls = \"none\";\n"
		"  from = \"Leeds City Council, ASB Unit <asb@leeds.example>\"; };\n");
	assert_string_equal(c->from, "Leeds City Council, ASB Unit <asb@leeds.example>");
	assert_string_equal(c->from_name, "Leeds City Council, ASB Unit");
	assert_string_equal(c->from_address, "asb@leeds.example");
	assert_string_equal(c->smtp->from_address, "asb@leeds.example");
	char *hdr = address_header("From", c->from_name, c->from_address);
	assert_string_equal(hdr, "From: \"Leeds City Council, ASB Unit\" <asb@leeds.example>\r\n");

	c = load_ok("from-quoted.conf",
		"smtp = { server = \"relay.example:25\"; tls = \"none\";\n"
		"  from = \"\\\"The \\\\\\\"Quiet\\\\\\\" Unit\\\" <quiet@example.gov.uk>\"; };\n");
	assert_string_equal(c->from_name, "The \"Quiet\" Unit");
	assert_string_equal(c->from_address, "quiet@example.gov.uk");

	c = load_ok("from-welsh.conf",
		"smtp = { server = \"relay.example:25\"; tls = \"none\";\n"
		"  from = \"Cyngor Sir Ynys M\xc3\xb4n <asb@ynysmon.example>\"; };\n");
	assert_string_equal(c->from_name, "Cyngor Sir Ynys M\xc3\xb4n");
	hdr = address_header("From", c->from_name, c->from_address);
	assert_string_equal(hdr, "From: Cyngor Sir Ynys =?UTF-8?B?TcO0bg==?= <asb@ynysmon.example>\r\n");

	c = load_ok("from-angle.conf", "smtp = { server = \"relay.example:25\"; tls = \"none\"; from = \"<asb@x.uk>\"; };\n");
	assert_null(c->from_name);
	assert_string_equal(c->from_address, "asb@x.uk");

	/* Each refused, naming the setting and its line. */
	expect_bad("from-bad.conf",
		   "smtp = { server = \"relay.example:25\";\n"
		   "  from = \"Alice <a@x.uk>, Bob <b@x.uk>\"; };\n",
		   "@/from-bad.conf:2: smtp from 'Alice <a@x.uk>, Bob <b@x.uk>': its name holds < or >: give one "
		   "address, and put a name that holds them in double quotes\n");
	expect_bad("from-two.conf",
		   "smtp = { server = \"relay.example:25\";\n\n"
		   "  from = \"a@x.uk, b@x.uk\"; };\n",
		   "@/from-two.conf:3: smtp from 'a@x.uk, b@x.uk': the address has more than one @ (write \"Name "
		   "<address>\" or an address)\n");
	expect_bad("from-latin1.conf",
		   "smtp = { server = \"relay.example:25\"; from = \"Cyngor Sir Ynys M\xf4n <asb@ynysmon.example>\"; };\n",
		   "@/from-latin1.conf:1: smtp from 'Cyngor Sir Ynys M\xf4n <asb@ynysmon.example>': it is not UTF-8\n");
	expect_bad("from-dots.conf",
		   "smtp = { server = \"relay.example:25\"; from = \"ASB <asb..unit@x.uk>\"; };\n",
		   "@/from-dots.conf:1: smtp from 'ASB <asb..unit@x.uk>': the address 'asb..unit@x.uk' has a dot "
		   "at the start or end of the part before the @, or two in a row\n");
}

static void test_webhook_problems(void **state)
{
	(void)state;
	write_file_mode("hook-secret-0644", "k\n", 0644);
	expect_bad("hooks-bad.conf",
		"webhooks = (\n"
		"  { name = \"ftp\"; url = \"ftp://example.gov.uk/hook\"; },\n"
		"  { url = \"https://example.gov.uk/a\"; },\n"
		"  { name = \"team\"; url = \"https://example.gov.uk/b\"; },\n"
		"  { name = \"team\"; url = \"https://example.gov.uk/c\"; },\n"
		"  { name = \"odd\"; url = \"https://example.gov.uk/d\"; format = \"discord\"; },\n"
		"  { name = \"two words\"; url = \"https://example.gov.uk/e\"; },\n"
		"  { name = \"nourl\"; },\n"
		"  { name = \"bare\"; url = \"https://\"; },\n"
		"  { name = \"leaky\"; url = \"https://example.gov.uk/f\"; secret_file = \"hook-secret-0644\"; },\n"
		"  { name = \"extra\"; url = \"https://example.gov.uk/g\"; method = \"PUT\"; }\n"
		");\n",
		"@/hooks-bad.conf:2: webhook url must start with https:// (or http://)\n"
		"@/hooks-bad.conf:3: webhook has no name\n"
		"@/hooks-bad.conf:5: two webhooks are named 'team'\n"
		"@/hooks-bad.conf:6: unknown webhook format 'discord' (generic, slack or teams)\n"
		"@/hooks-bad.conf:7: webhook name 'two words' must be one word (no spaces or ':')\n"
		"@/hooks-bad.conf:8: webhook has no url\n"
		"@/hooks-bad.conf:9: webhook url must start with https:// (or http://)\n"
		"@/hooks-bad.conf:10: the webhook secret file @/hook-secret-0644 may be read by its group (mode 0644): "
		"allow its owner only (chmod 600 @/hook-secret-0644)\n"
		"@/hooks-bad.conf:11: unknown setting 'method' in a webhook\n");

	expect_bad("hooks-notlist.conf", "webhooks = { name = \"x\"; };\n",
		   "@/hooks-notlist.conf:1: webhooks must be a list, like [ \"...\" ], not a group\n");
}

static void test_notify_problems(void **state)
{
	(void)state;
	expect_bad("notify-bad.conf",
		"notify = {\n"
		"  case_link = \"https://crm.example.gov.uk/asb/\";\n"
		"  window = { days = \"all\"; from = \"09:00\"; to = \"08:00\"; colour = \"red\"; };\n"
		"  give_up_after = \"5 minutes\";\n"
		"  manager_digest = { every = \"monthly\"; };\n"
		"  cc = \"x\";\n"
		"};\n",
		"@/notify-bad.conf:2: case_link must contain {ref}, where the case reference goes\n"
		"@/notify-bad.conf:3: unknown setting 'colour' in window\n"
		"@/notify-bad.conf:3: the send window closes (08:00) before it opens (09:00)\n"
		"@/notify-bad.conf:4: give_up_after must be between 1 hour and 30 days\n"
		"@/notify-bad.conf:5: manager_digest every must be \"day\", \"week\" or \"never\", not 'monthly'\n"
		"@/notify-bad.conf:6: unknown setting 'cc' in notify\n");

	static const struct {
		const char *name, *text, *want;
	} cases[] = {
		{ "notify-equal.conf", "notify = {\n  window = { from = \"09:00\"; to = \"09:00\"; };\n};\n",
		  "@/notify-equal.conf:2: the send window closes (09:00) before it opens (09:00)\n" },
		/* Against the default close, 18:00. */
		{ "notify-late.conf", "notify = { window = { from = \"19:00\"; }; };\n",
		  "@/notify-late.conf:1: the send window closes (18:00) before it opens (19:00)\n" },
		{ "notify-8am.conf", "notify = {\n  window = {\n    from = \"8am\";\n  };\n};\n",
		  "@/notify-8am.conf:3: window from '8am' is not a time of day HH:MM\n" },
		{ "notify-clocks.conf",
		  "notify = {\n  window = {\n    to = \"24:00\";\n    days = \"weekdays\";\n  };\n"
		  "  officer_digest = \"8:00\";\n"
		  "  manager_digest = {\n    day = \"fri\";\n    time = \"09:60\";\n  };\n};\n",
		  "@/notify-clocks.conf:3: window to '24:00' is not a time of day HH:MM\n"
		  "@/notify-clocks.conf:4: window days must be \"working\" or \"all\", not 'weekdays'\n"
		  "@/notify-clocks.conf:6: officer_digest '8:00' is not a time of day HH:MM\n"
		  "@/notify-clocks.conf:8: unknown day 'fri' in manager_digest (monday ... sunday)\n"
		  "@/notify-clocks.conf:9: manager_digest time '09:60' is not a time of day HH:MM\n" },
		{ "notify-link.conf", "notify = {\n  case_link = \"crm.example.gov.uk/{ref}\";\n};\n",
		  "@/notify-link.conf:2: case_link must start with https:// (or http://)\n" },
		{ "notify-giveup.conf", "notify = {\n\n  give_up_after = \"31 days\";\n};\n",
		  "@/notify-giveup.conf:3: give_up_after must be between 1 hour and 30 days\n" },
		{ "notify-giveup-59.conf", "notify = { give_up_after = 3599; };\n",
		  "@/notify-giveup-59.conf:1: give_up_after must be between 1 hour and 30 days\n" },
		{ "notify-digest-true.conf", "notify = { officer_digest = true; };\n",
		  "@/notify-digest-true.conf:1: officer_digest is a time of day \"HH:MM\", or false for none\n" },
		{ "notify-digest-key.conf", "notify = { manager_digest = { every = \"week\"; at = \"09:00\"; }; };\n",
		  "@/notify-digest-key.conf:1: unknown setting 'at' in manager_digest\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		expect_bad(cases[i].name, cases[i].text, cases[i].want);
}

static void test_template_problems(void **state)
{
	(void)state;
	write_file("notice.html", "<p>{{summary}}</p>\n<p>{{party}}</p>\n");
	expect_bad("tmpl-bad.conf",
		"notify = {\n"
		"  templates = {\n"
		"    notice_body = \"x.txt\";\n"
		"    notice_text = \"missing.txt\";\n"
		"    notice_html = \"notice.html\";\n"
		"  };\n"
		"};\n",
		"@/tmpl-bad.conf:3: unknown setting 'notice_body' in templates\n"
		"@/missing.txt: cannot read the template notice_text: No such file or directory\n"
		"@/notice.html:2: unknown field 'party' (fields here: summary, count, recipient, case, items, more)\n");

	/* A digest's field in a notice, in a list; a folder; an empty path. */
	write_file("notice.txt",
		"{{summary}}\n{{#items}}\n{{case}} {{officer}}\n{{/items}}\n{{period}}\n");
	expect_bad("tmpl-bad2.conf",
		"notify = { templates = {\n"
		"  notice_text = \"notice.txt\";\n"
		"  officer_digest_html = \".\";\n"
		"  manager_digest_text = \"\";\n"
		"}; };\n",
		"@/tmpl-bad2.conf:4: manager_digest_text must not be empty\n"
		"@/notice.txt:5: unknown field 'period' (fields here: summary, count, recipient, case, items, more)\n"
		"@/.: cannot read the template officer_digest_html: it is a folder\n");
}

/* Deadlines as people read them: the weekday, the year only when it is
 * not this one, the time of a deadline in hours. */
static void test_deadline_and_when_text(void **state)
{
	(void)state;
	cw_day today = date_from_ymd(2027, 3, 8);
	const struct {
		const char *due, *want;
	} d[] = {
		{ "2027-03-03", "Wed 3 Mar" },
		{ "2027-03-08", "Mon 8 Mar" },
		{ "2026-12-31", "Thu 31 Dec 2026" },
		{ "2028-02-29", "Tue 29 Feb 2028" },
		{ "2027-03-09T14:00:00+00:00", "Tue 9 Mar, 14:00" },
		{ "2027-07-01T09:30:00+01:00", "Thu 1 Jul, 09:30" },
		{ "not a date", "not a date" },
		{ "", "" },
	};
	for (size_t i = 0; i < ELEMENTSOF(d); i++) {
		char *got = gc(deadline_text(d[i].due, today));
		assert_string_equal(got, d[i].want);
	}
	assert_string_equal(gc(deadline_text(NULL, today)), "");
	const struct {
		const char *stage, *late;
		bool hours;
		const char *want;
	} w[] = {
		{ "upcoming", NULL, false, "coming up: deadline Wed 3 Mar" },
		{ "due", NULL, false, "due today, Wed 3 Mar" },
		{ "due", NULL, true, "due: deadline Wed 3 Mar" },
		{ "overdue", "2 working days late", false, "overdue: deadline Wed 3 Mar, 2 working days late" },
		{ "escalated", "5 hours late", true, "escalated: deadline Wed 3 Mar, 5 hours late" },
		{ "overdue", NULL, false, "overdue: deadline Wed 3 Mar" },
	};
	for (size_t i = 0; i < ELEMENTSOF(w); i++) {
		char *got = gc(when_text(w[i].stage, "Wed 3 Mar", w[i].late, w[i].hours));
		assert_string_equal(got, w[i].want);
	}
}

int main(void)
{
	/* Run by hand, each failure's message comes next to its "not ok". */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_email_exact_message, gc_teardown),
		cmocka_unit_test_teardown(test_email_mixed_exact_message, gc_teardown),
		cmocka_unit_test_teardown(test_email_references_only_when_given, gc_teardown),
		cmocka_unit_test_teardown(test_email_date_is_utc_rfc5322, gc_teardown),
		cmocka_unit_test_teardown(test_email_crlf_everywhere, gc_teardown),
		cmocka_unit_test_teardown(test_qp_exact_encodings, gc_teardown),
		cmocka_unit_test_teardown(test_qp_long_lines_soft_breaks, gc_teardown),
		cmocka_unit_test_teardown(test_qp_dot_first_after_a_soft_break, gc_teardown),
		cmocka_unit_test_teardown(test_qp_decodes_back, gc_teardown),
		cmocka_unit_test_teardown(test_qp_trailing_space_at_the_wrap_column, gc_teardown),
		cmocka_unit_test_teardown(test_qp_trailing_space_at_the_end_of_the_text, gc_teardown),
		cmocka_unit_test_teardown(test_boundary_never_inside_the_parts, gc_teardown),
		cmocka_unit_test_teardown(test_subject_line_ends_become_spaces, gc_teardown),
		cmocka_unit_test_teardown(test_subject_not_ascii_is_rfc2047, gc_teardown),
		cmocka_unit_test_teardown(test_subject_long_rfc2047_words_hold_whole_characters, gc_teardown),
		cmocka_unit_test_teardown(test_subject_encoded_lines_at_most_76, gc_teardown),
		cmocka_unit_test_teardown(test_subject_invalid_utf8_does_not_crash, gc_teardown),
		cmocka_unit_test_teardown(test_from_name_not_ascii_keeps_the_address, gc_teardown),
		cmocka_unit_test_teardown(test_address_header_exact, gc_teardown),
		cmocka_unit_test_teardown(test_address_header_reads_back, gc_teardown),
		cmocka_unit_test_teardown(test_email_from_and_to_names, gc_teardown),
		cmocka_unit_test_teardown(test_addr_spec_problem_exact, gc_teardown),
		cmocka_unit_test_teardown(test_addr_parse_forms, gc_teardown),
		cmocka_unit_test_teardown(test_subject_repaired_text_gives_valid_encoded_words, gc_teardown),
		cmocka_unit_test_teardown(test_subject_looking_like_an_encoded_word_is_encoded, gc_teardown),
		cmocka_unit_test_teardown(test_subject_long_ascii_is_folded, gc_teardown),
		cmocka_unit_test_teardown(test_slack_escape_exact, gc_teardown),
		cmocka_unit_test_teardown(test_teams_escape_exact, gc_teardown),
		cmocka_unit_test_teardown(test_address_usable_exact, gc_teardown),
		cmocka_unit_test_teardown(test_kinds_and_template_keys, gc_teardown),
		cmocka_unit_test_teardown(test_fields_each_kind_offers, gc_teardown),
		cmocka_unit_test_teardown(test_templates_load_builtin, gc_teardown),
		cmocka_unit_test_teardown(test_builtin_notice_renders, gc_teardown),
		cmocka_unit_test_teardown(test_conf_defaults, gc_teardown),
		cmocka_unit_test_teardown(test_conf_import, gc_teardown),
		cmocka_unit_test_teardown(test_deadline_and_when_text, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_relay_with_password_file, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_tls_none_ipv6_and_timeout, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_password_from_credentials_directory, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_credential_outside_the_service, gc_teardown),
		cmocka_unit_test_teardown(test_webhooks_good, gc_teardown),
		cmocka_unit_test_teardown(test_notify_good, gc_teardown),
		cmocka_unit_test_teardown(test_custom_template_file, gc_teardown),
		cmocka_unit_test_teardown(test_secret_unreadable_by_this_process, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_problems, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_from_names, gc_teardown),
		cmocka_unit_test_teardown(test_smtp_timeout_out_of_range, gc_teardown),
		cmocka_unit_test_teardown(test_webhook_problems, gc_teardown),
		cmocka_unit_test_teardown(test_notify_problems, gc_teardown),
		cmocka_unit_test_teardown(test_template_problems, gc_teardown),
	};
	return tap_exit(cmocka_run_group_tests(tests, setup, teardown));
}

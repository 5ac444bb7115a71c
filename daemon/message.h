/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "tmpl.h"

/* The messages casewatch sends, and their templates (casewatch.conf(5),
 * TEMPLATES). */

/* Caps on what the state database gives a message, beside util.h's
 * TEXT_MAX_* on what the case database gives it; in bytes, after
 * text_clean(). */
#define MSG_MAX_RULE 128 /* a rule's id */
#define MSG_MAX_WORD 32  /* a stage, a state, a deadline ("2026-11-23T14:00:00+00:00") */
#define MSG_MAX_LINE 500 /* a recipient, subject or error in the undelivered list */

enum msg_kind { MSG_NOTICE, MSG_OFFICER_DIGEST, MSG_MANAGER_DIGEST, _MSG_KIND_MAX };
enum msg_part { MSG_SUBJECT, MSG_TEXT, MSG_HTML, _MSG_PART_MAX };
/* "notice", "officer-digest", "manager-digest": as stored and listed. */
const char *msg_kind_to_string(enum msg_kind k);
/* "notice_subject", "officer_digest_html", ...: the template keys. */
const char *msg_template_key(enum msg_kind k, enum msg_part p);

/* The fields each kind offers its templates. */
const struct tmpl_field *msg_fields(enum msg_kind k);

struct templates {
	struct tmpl *t[_MSG_KIND_MAX][_MSG_PART_MAX];
};
/* Parse each template: the file paths[k][p] when set, else the built-in.
 * Problems go to diags as FILE:LINE; returns 0 or -EINVAL. */
int templates_load(struct templates *t, char *const paths[_MSG_KIND_MAX][_MSG_PART_MAX], struct diags *diags);
void templates_free(struct templates *t);

/* A mailbox in a header: the name is any text (NULL or "": none), the
 * address an addr-spec that addr_spec_ok() let through. */
struct email_address {
	const char *name;
	const char *address;
};
struct strbuf;
/* The header field "FIELD: ...\r\n" holding one mailbox, as RFC 5322
 * section 3.4 has it: the address alone when there is no name, else
 * "name <address>", the name made one line of UTF-8 (text_clean()) and the
 * spaces around it taken off. A name of atext words one space apart is
 * written as it is, a name of other ASCII as one quoted-string (a
 * backslash before each " and \). The words that are not ASCII or hold
 * "=?" are RFC 2047 encoded-words (UTF-8, base64, each at most 75
 * characters), a run of them sharing words, and the words between as
 * atoms or a quoted-string: never an encoded-word inside a quoted-string.
 * Folded at spaces onto lines of at most 78 characters, 76 when the field
 * holds an encoded-word (only an address longer than that passes it).
 * From, To and any other address header go through here. */
void email_header_address(struct strbuf *b, const char *field, const struct email_address *a);

struct email_head {
	struct email_address from;
	struct email_address to;
	const char *message_id; /* "<...>" */
	const char *references; /* "<...>", or NULL */
	int64_t date;
};
/* A whole email with CRLF line ends: the headers (From and To by
 * email_header_address(), Auto-Submitted, a subject on one line, made
 * UTF-8 by text_clean() and RFC 2047-encoded when not ASCII, too long for
 * a line or holding "=?") and a multipart/alternative body of the text and
 * the HTML. *ret_len set. */
char *email_build(const struct email_head *h, const char *subject, const char *text, const char *html,
		  size_t *ret_len);
/* A file sent with an email: its name (plain ASCII, no quotes), its MIME
 * type ("text/csv; charset=utf-8") and its bytes. */
struct email_attachment {
	const char *name, *type;
	const char *data;
	size_t len;
};
/* email_build(), with the attachments after the text and the HTML in a
 * multipart/mixed body, each in base64; with none, email_build()'s
 * email. */
char *email_build_mixed(const struct email_head *h, const char *subject, const char *text, const char *html,
			const struct email_attachment *att, size_t n_att, size_t *ret_len);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

/* Email addresses as casewatch reads them (casewatch.conf's smtp from, a
 * rule's recipients, the case database's officers and teams) and checks
 * them before they reach a header or an SMTP command. Writing them into a
 * header is message.c's (email_header_address()). */

/* RFC 5322 section 3.2.3's atext: what an atom is made of. */
bool addr_is_atext(unsigned char c);

/* The addr-specs casewatch writes as they are, in a header and in MAIL
 * FROM / RCPT TO: a dot-atom (RFC 5322 section 3.2.3) of at most 64 bytes,
 * "@", and a domain of letters, digits and hyphens in dot-separated labels
 * of at most 63 (RFC 5321 section 4.1.2); at most TEXT_MAX_ADDRESS bytes
 * in all. No quoted local part, domain literal, comment or byte that is
 * not ASCII: each is legal somewhere and trouble everywhere else. */
bool addr_spec_ok(const char *a);
/* Why `a` is not such an addr-spec, as a phrase that follows it ("has no
 * @"), newly allocated; NULL when it is one. */
char *addr_spec_problem(const char *a);

/* A mailbox as configured: "address", "<address>", "Name <address>", or
 * "\"Name\" <address>" (one quoted-string: the quotes are taken off, and
 * the backslash of each \" and \\ inside). The name is the text before the
 * last "<", spaces around it taken off; "" is none. It may hold anything
 * that is UTF-8 and not a control character (commas, quotes, "=?", letters
 * that are not ASCII): the header it goes into is written to carry it.
 * Refused: a control character, bytes that are not UTF-8, a "<" without
 * its ">", anything after the ">", a name holding "<" or ">" outside
 * double quotes (two addresses, most likely), and an address that is not
 * addr_spec_ok(). Returns 0 with *ret_name (NULL: no name) and
 * *ret_address, or -EINVAL with *ret_why, a phrase that follows the value
 * ("has no @"). */
int addr_parse(const char *v, char **ret_name, char **ret_address, char **ret_why);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "address.h"

#include <errno.h>
#include <string.h>

#include "util.h"

bool addr_is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Whether a dot-atom or a domain of n bytes at s has an empty part:
 * a dot first, last, or after another. */
static bool empty_part(const char *s, size_t n)
{
	if (s[0] == '.' || s[n - 1] == '.')
		return true;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return true;
	return false;
}

char *addr_spec_problem(const char *a)
{
	if (!a || !*a)
		return xstrdup("is empty");
	for (const unsigned char *p = (const unsigned char *)a; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return xstrdup("holds a control character");
		if (*p > 0x7f)
			return xstrdup("is not ASCII (addresses in other scripts are not supported)");
	}
	const char *at = strchr(a, '@');
	if (!at)
		return xstrdup("has no @");
	if (strchr(at + 1, '@'))
		return xstrdup("has more than one @");
	size_t local = (size_t)(at - a), domain = strlen(at + 1);
	if (local == 0)
		return xstrdup("has nothing before the @");
	if (domain == 0)
		return xstrdup("has nothing after the @");
	for (const char *p = a; *p; p++) {
		if (*p == ' ')
			return xstrdup("holds a space");
		if (p != at && *p != '.' && !addr_is_atext((unsigned char)*p))
			return xasprintf("holds '%c', which an address may not", *p);
	}
	if (empty_part(a, local))
		return xstrdup("has a dot at the start or end of the part before the @, or two in a row");
	if (local > 64)
		return xasprintf("has %zu bytes before the @, more than the 64 that mail servers must take", local);
	for (const char *p = at + 1; *p; p++)
		if (*p != '.' && !is_ldh((unsigned char)*p))
			return xasprintf("holds '%c' in its domain, which a domain may not", *p);
	if (empty_part(at + 1, domain))
		return xstrdup("has a dot at the start or end of its domain, or two in a row");
	for (const char *l = at + 1; *l;) {
		size_t n = strcspn(l, ".");
		if (l[0] == '-' || l[n - 1] == '-')
			return xstrdup("has a part of its domain that starts or ends with a hyphen");
		if (n > 63)
			return xstrdup("has a part of its domain longer than 63 characters");
		l += n + (l[n] == '.');
	}
	if (local + 1 + domain > TEXT_MAX_ADDRESS)
		return xasprintf("is %zu bytes long, more than the %d an address may have", local + 1 + domain,
				 TEXT_MAX_ADDRESS);
	return NULL;
}

bool addr_spec_ok(const char *a)
{
	_cleanup_free_ char *why = addr_spec_problem(a);
	return !why;
}

/* The text of s[0..n) when it is one whole quoted-string, else NULL. */
static char *unquote(const char *s, size_t n)
{
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return NULL;
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"' || (s[i] == '\\' && i + 1 == n - 1)) {
			/* A quote inside, or the last one escaped: not one
			 * quoted-string. */
			free(b.p);
			return NULL;
		}
		if (s[i] == '\\')
			i++;
		strbuf_add(&b, s + i, 1);
	}
	return b.p;
}

int addr_parse(const char *v, char **ret_name, char **ret_address, char **ret_why)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)) {
			*ret_why = xstrdup("it holds a control character");
			return -EINVAL;
		}
	if (!utf8_valid(v, strlen(v))) {
		*ret_why = xstrdup("it is not UTF-8");
		return -EINVAL;
	}
	const char *lt = strrchr(v, '<');
	if (!lt) {
		if (strchr(v, '>')) {
			*ret_why = xstrdup("it has a > without a <");
			return -EINVAL;
		}
		size_t skip = strspn(v, " "), n = strlen(v);
		while (n > skip && v[n - 1] == ' ')
			n--;
		_cleanup_free_ char *a = xstrndup(v + skip, n - skip);
		_cleanup_free_ char *why = addr_spec_problem(a);
		if (why) {
			*ret_why = xasprintf("the address %s (write \"Name <address>\" or an address)", why);
			return -EINVAL;
		}
		*ret_name = NULL;
		*ret_address = TAKE_PTR(a);
		return 0;
	}
	const char *gt = strchr(lt, '>');
	if (!gt) {
		*ret_why = xstrdup("it has a < without a >");
		return -EINVAL;
	}
	if (gt[1 + strspn(gt + 1, " ")] != '\0') {
		*ret_why = xstrdup("it has text after the address's >");
		return -EINVAL;
	}
	_cleanup_free_ char *a = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	_cleanup_free_ char *why = addr_spec_problem(a);
	if (why) {
		*ret_why = xasprintf("the address '%s' %s", a, why);
		return -EINVAL;
	}
	size_t skip = strspn(v, " "), n = (size_t)(lt - v);
	while (n > skip && v[n - 1] == ' ')
		n--;
	char *name = unquote(v + skip, n - skip);
	if (!name) {
		name = xstrndup(v + skip, n - skip);
		if (strpbrk(name, "<>")) {
			*ret_why = xstrdup("its name holds < or >: give one address, and put a name that holds "
					   "them in double quotes");
			free(name);
			return -EINVAL;
		}
	}
	if (!*name) {
		free(name);
		name = NULL;
	}
	*ret_name = name;
	*ret_address = TAKE_PTR(a);
	return 0;
}

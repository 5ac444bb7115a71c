/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

void oom(void)
{
	fputs("casewatch: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			oom();
		c *= 2;
	}
	if (c > SIZE_MAX / size)
		oom();
	p = xrealloc(p, c * size);
	*cap = c;
	return p;
}

bool strv_contains(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int read_file(const char *path, char **ret_data, size_t *ret_len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	/* Configuration and holiday files are small regular files; a device
	 * or a fifo named by mistake would never end. */
	struct stat st;
	if (fstat(fileno(f), &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > READ_FILE_MAX)
		return -EFBIG;

	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		buf = xgrow(buf, &cap, len + 4096 + 1, 1);
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				int r = errno ? -errno : -EIO;
				free(buf);
				return r;
			}
			break;
		}
	}
	buf[len] = '\0';
	*ret_data = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *path_join(const char *dir, const char *path)
{
	if (path[0] == '/' || !dir || !*dir)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t hash_str(uint64_t h, const char *s)
{
	if (!s)
		return hash_u64(h, UINT64_C(0x6e756c6c));
	size_t n = strlen(s);
	return hash_u64(hash_bytes(h, s, n), n);
}

void malloc_tune(void)
{
	mallopt(M_TOP_PAD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

void strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	b->p = xgrow(b->p, &b->cap, b->n + n + 1, 1);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

/* The entity standing for c in HTML text and in quoted attribute values,
 * or NULL when c stands for itself. */
static const char *html_entity(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

void strbuf_add_html(struct strbuf *b, const char *s)
{
	const char *run = s, *ent;
	for (; *s; s++) {
		if (!(ent = html_entity(*s)))
			continue;
		strbuf_add(b, run, (size_t)(s - run));
		strbuf_adds(b, ent);
		run = s + 1;
	}
	strbuf_add(b, run, (size_t)(s - run));
}

void html_fputs(const char *s, FILE *f)
{
	const char *run = s, *ent;
	for (; *s; s++) {
		if (!(ent = html_entity(*s)))
			continue;
		fwrite(run, 1, (size_t)(s - run), f);
		fputs(ent, f);
		run = s + 1;
	}
	fwrite(run, 1, (size_t)(s - run), f);
}

size_t utf8_seq(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

void json_fputs(const char *s, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		if (k == 0) {
			fputs("\\ufffd", f);
			i++;
		} else if (p[i] == '"' || p[i] == '\\') {
			fprintf(f, "\\%c", p[i++]);
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(f, "\\u%04x", p[i++]);
		} else {
			fwrite(p + i, 1, k, f);
			i += k;
		}
	}
	fputc('"', f);
}

/* The sequence at p[i], of k bytes (0: not UTF-8), as text_clean writes
 * it: *ret_add for its length, raising the flag it calls for. */
static size_t clean_seq(const unsigned char *p, size_t i, size_t k, const char **ret_add, unsigned *flags)
{
	if (k == 0) {
		*flags |= TEXT_NOT_UTF8;
		*ret_add = "\xef\xbf\xbd"; /* U+FFFD */
		return 3;
	}
	/* C0, DEL, and C1 (U+0080 to U+009F). */
	if (p[i] < 0x20 || p[i] == 0x7f || (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
		*flags |= TEXT_CONTROL;
		*ret_add = " ";
		return 1;
	}
	*ret_add = (const char *)p + i;
	return k;
}

unsigned text_faults(const char *s, size_t n, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned flags = 0;
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] >= 0x20 && p[i] < 0x7f && (!cap || out < cap)) {
			out++, i++; /* printable ASCII, the usual */
			continue;
		}
		size_t k = utf8_seq(p + i, n - i);
		const char *add;
		size_t len = clean_seq(p, i, k, &add, &flags);
		if (cap && out + len > cap)
			return flags | TEXT_CUT;
		out += len;
		i += k ? k : 1;
	}
	return flags;
}

char *text_clean(const char *s, size_t cap, unsigned *ret_flags)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	unsigned flags = 0;
	if (ret_flags)
		*ret_flags = 0;
	if (!s)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	struct strbuf b = { 0 };
	/* `keep`: where to cut should the text not fit, the last place
	 * that leaves room for the ellipsis. */
	size_t keep = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);
		const char *add;
		size_t len = clean_seq(p, i, k, &add, &flags);
		if (k == 0)
			k = 1;
		if (cap && b.n + len > cap) {
			flags |= TEXT_CUT;
			break;
		}
		strbuf_add(&b, add, len);
		if (!cap || cap < 3 || b.n + 3 <= cap)
			keep = b.n;
		i += k;
	}
	if (flags & TEXT_CUT) {
		b.n = keep;
		strbuf_add(&b, ellipsis, cap >= 3 ? 3 : 0);
	}
	if (!b.p)
		b.p = xstrdup("");
	if (ret_flags)
		*ret_flags = flags;
	return b.p;
}

char *seconds_text(long long secs)
{
	static const struct { long long n; const char *one, *many; } units[] = {
		{ 86400, "day", "days" }, { 3600, "hour", "hours" }, { 60, "minute", "minutes" },
	};
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (secs > 0 && secs % units[i].n == 0)
			return xasprintf("%lld %s", secs / units[i].n, secs == units[i].n ? units[i].one : units[i].many);
	return xasprintf("%lld second%s", secs, secs == 1 ? "" : "s");
}

size_t *map_grow(size_t *map, size_t *cap, size_t n, uint64_t (*hash)(const void *, size_t), const void *ctx)
{
	if ((n + 1) * 2 <= *cap)
		return map;
	size_t ncap = *cap ? *cap * 2 : 64;
	size_t *nmap = xcalloc(ncap, sizeof(size_t));
	for (size_t i = 0; i < *cap; i++) {
		if (!map[i])
			continue;
		size_t j = hash(ctx, map[i] - 1) & (ncap - 1);
		while (nmap[j])
			j = (j + 1) & (ncap - 1);
		nmap[j] = map[i];
	}
	free(map);
	*cap = ncap;
	return nmap;
}

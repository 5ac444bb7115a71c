/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "holfile.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void holiday_list_add(struct holiday_list *l, cw_day day, const char *title)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	/* Titles are printed one to a line and go into mail subjects: a line
	 * break or other control character from a file becomes a space. */
	char *t = xstrdup(title);
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* Nor do they begin or end in spaces, which would end a line of
	 * calendar holidays in whitespace; one that is nothing but spaces is
	 * titled as one with no title. */
	size_t start = strspn(t, " "), n = strlen(t);
	while (n > start && t[n - 1] == ' ')
		n--;
	memmove(t, t + start, n - start);
	t[n - start] = '\0';
	if (!*t) {
		free(t);
		t = xstrdup("Holiday");
	}
	l->v[l->n++] = (struct holiday){ .day = day, .title = t };
}

void holiday_list_free(struct holiday_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].title);
	free(l->v);
	*l = (struct holiday_list){0};
}

/* A file with any problem contributes nothing: half a holiday file would
 * silently turn its missing holidays into working days. A list that was
 * empty is left unallocated, as it was. */
static void list_truncate(struct holiday_list *l, size_t n)
{
	if (n == 0) {
		holiday_list_free(l);
		return;
	}
	for (size_t i = n; i < l->n; i++)
		free(l->v[i].title);
	l->n = n;
}

struct ordered {
	cw_day day;
	size_t pos;
};

static int ordered_cmp(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* A date listed twice, or covered by two overlapping events, is one
 * holiday: keep the first title in file order, without complaint. Sorting a
 * copy keeps this O(n log n) and the list itself in file order. */
static void list_dedupe_from(struct holiday_list *l, size_t start)
{
	const size_t n = l->n - start;
	if (n < 2)
		return;
	struct holiday *v = l->v + start;
	_cleanup_free_ struct ordered *ord = xmalloc(n * sizeof(*ord));
	_cleanup_free_ bool *drop = xcalloc(n, sizeof(*drop));
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct ordered){ v[i].day, i };
	qsort(ord, n, sizeof(*ord), ordered_cmp);
	for (size_t i = 1; i < n; i++)
		if (ord[i].day == ord[i - 1].day)
			drop[ord[i].pos] = true;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			free(v[i].title);
			continue;
		}
		v[m++] = v[i];
	}
	l->n = start + m;
}

void holiday_list_sort_unique(struct holiday_list *l)
{
	const size_t n = l->n;
	_cleanup_free_ struct ordered *ord = xmalloc((n ? n : 1) * sizeof(*ord));
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct ordered){ l->v[i].day, i };
	qsort(ord, n, sizeof(*ord), ordered_cmp);
	struct holiday *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		struct holiday *h = &l->v[ord[i].pos];
		if (m > 0 && sorted[m - 1].day == h->day) {
			free(h->title);
			continue;
		}
		sorted[m++] = *h;
	}
	free(l->v);
	l->v = sorted;
	l->n = m;
	l->cap = n ? n : 1;
}

/* Values quoted in messages must keep the message on one readable line. */
static bool quotable(const char *s, size_t len)
{
	if (len > 40)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static const char utf8_bom[] = "\xef\xbb\xbf";

static size_t bom_len(const char *data, size_t len)
{
	return len >= 3 && memcmp(data, utf8_bom, 3) == 0 ? 3 : 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int holfile_detect(const char *data, size_t len)
{
	size_t p = bom_len(data, len);

	while (p < len) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t q = p;
		while (q < end && is_blank(data[q]))
			q++;
		if (q == end) {
			/* A blank line. */
			p = end + 1;
			continue;
		}
		if (data[q] == '{')
			return HOLFILE_JSON;
		size_t linelen = end - p;
		if (linelen > 0 && data[p + linelen - 1] == '\r')
			linelen--;
		if (linelen == strlen("BEGIN:VCALENDAR") &&
		    strncasecmp(data + p, "BEGIN:VCALENDAR", linelen) == 0)
			return HOLFILE_ICS;
		return -EINVAL;
	}
	return -EINVAL;
}

/* ---- GOV.UK bank-holidays.json ---- */

static const char *const divisions[] = { "england-and-wales", "scotland", "northern-ireland" };

static bool is_division(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(divisions); i++)
		if (strcmp(s, divisions[i]) == 0)
			return true;
	return false;
}

/* jansson keeps no positions once a document is parsed, so semantic errors
 * find their line by walking the raw text to the same value. jansson has
 * already accepted the text, so the walk may assume it is well-formed and
 * that keys are unique (JSON_REJECT_DUPLICATES). */
struct jsrc {
	const char *data;
	size_t len;
	size_t *line_start; /* offset of the first byte of each line */
	size_t nlines;
};

#define JS_NONE SIZE_MAX

static void jsrc_init(struct jsrc *s, const char *data, size_t len)
{
	size_t cap = 0;
	*s = (struct jsrc){ .data = data, .len = len };
	s->line_start = xgrow(NULL, &cap, 1, sizeof(size_t));
	s->line_start[s->nlines++] = 0;
	for (const char *p = data; (p = memchr(p, '\n', len - (size_t)(p - data))); p++) {
		s->line_start = xgrow(s->line_start, &cap, s->nlines + 1, sizeof(size_t));
		s->line_start[s->nlines++] = (size_t)(p - data) + 1;
	}
}

static void jsrc_done(struct jsrc *s)
{
	free(s->line_start);
}

static int js_line(const struct jsrc *s, size_t off)
{
	if (off == JS_NONE)
		return 0;
	/* The last line starting at or before off. */
	size_t lo = 0, hi = s->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->line_start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1 > INT32_MAX ? INT32_MAX : (int)(lo + 1);
}

static size_t js_ws(const struct jsrc *s, size_t p)
{
	while (p < s->len && is_blank(s->data[p]))
		p++;
	return p;
}

/* p at the opening quote; returns the offset after the closing one. */
static size_t js_skip_string(const struct jsrc *s, size_t p)
{
	for (p++; p < s->len; p++) {
		if (s->data[p] == '\\')
			p++;
		else if (s->data[p] == '"')
			return p + 1;
	}
	return s->len;
}

static size_t js_skip_value(const struct jsrc *s, size_t p)
{
	if (p >= s->len)
		return s->len;
	if (s->data[p] == '"')
		return js_skip_string(s, p);
	if (s->data[p] == '{' || s->data[p] == '[') {
		int depth = 0;
		while (p < s->len) {
			char c = s->data[p];
			if (c == '"') {
				p = js_skip_string(s, p);
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return s->len;
	}
	/* A number or a literal. */
	while (p < s->len && !is_blank(s->data[p]) && !strchr(",]}", s->data[p]))
		p++;
	return p;
}

/* The text of the string token [p, end). Escapes are rare in keys, so only
 * then is the token decoded, by jansson itself. */
static char *js_string_dup(const struct jsrc *s, size_t p, size_t end)
{
	const char *tok = s->data + p + 1;
	size_t n = end - p - 2;
	if (!memchr(tok, '\\', n))
		return xstrndup(tok, n);

	json_t *j = json_loadb(s->data + p, end - p, JSON_DECODE_ANY, NULL);
	char *r = xstrdup(j && json_is_string(j) ? json_string_value(j) : "");
	json_decref(j);
	return r;
}

static bool js_key_equals(const struct jsrc *s, size_t p, size_t end, const char *key)
{
	const char *tok = s->data + p + 1;
	size_t n = end - p - 2;
	if (!memchr(tok, '\\', n))
		return n == strlen(key) && memcmp(tok, key, n) == 0;
	_cleanup_free_ char *k = js_string_dup(s, p, end);
	return strcmp(k, key) == 0;
}

/* The offset of member `key`'s value in the object at `obj`, or JS_NONE;
 * the key's own offset goes to *ret_key when wanted. */
static size_t js_member(const struct jsrc *s, size_t obj, const char *key, size_t *ret_key)
{
	if (obj == JS_NONE || obj >= s->len || s->data[obj] != '{')
		return JS_NONE;
	size_t p = js_ws(s, obj + 1);
	while (p < s->len && s->data[p] == '"') {
		size_t k = p, kend = js_skip_string(s, p);
		p = js_ws(s, kend);
		if (p >= s->len || s->data[p] != ':')
			return JS_NONE;
		p = js_ws(s, p + 1);
		if (js_key_equals(s, k, kend, key)) {
			if (ret_key)
				*ret_key = k;
			return p;
		}
		p = js_ws(s, js_skip_value(s, p));
		if (p >= s->len || s->data[p] != ',')
			return JS_NONE;
		p = js_ws(s, p + 1);
	}
	return JS_NONE;
}

/* The first element of the array at `arr`, or JS_NONE when it is empty. */
static size_t js_first(const struct jsrc *s, size_t arr)
{
	if (arr == JS_NONE || arr >= s->len || s->data[arr] != '[')
		return JS_NONE;
	size_t p = js_ws(s, arr + 1);
	return p < s->len && s->data[p] != ']' ? p : JS_NONE;
}

/* The element after the one at `elem`, or JS_NONE after the last. */
static size_t js_next(const struct jsrc *s, size_t elem)
{
	if (elem == JS_NONE)
		return JS_NONE;
	size_t p = js_ws(s, js_skip_value(s, elem));
	if (p >= s->len || s->data[p] != ',')
		return JS_NONE;
	return js_ws(s, p + 1);
}

/* The line of member `key` of the object at `obj`, falling back to the
 * object's own line. */
static int js_member_line(const struct jsrc *s, size_t obj, const char *key)
{
	size_t v = js_member(s, obj, key, NULL);
	return js_line(s, v != JS_NONE ? v : obj);
}

struct jctx {
	const char *path;
	const struct jsrc *src;
	struct diags *diags;
};

static void json_event(const struct jctx *c, const char *division, size_t idx,
		       json_t *ev, size_t pos, struct holiday_list *out)
{
	const struct jsrc *s = c->src;
	/* The real file is a single line, so the event is named as well. */
	const size_t no = idx + 1;
	bool ok = true;

	if (!json_is_object(ev)) {
		diags_add(c->diags, c->path, js_line(s, pos),
			  "%s event %zu is not an object", division, no);
		return;
	}

	json_t *title = json_object_get(ev, "title");
	if (!title) {
		diags_add(c->diags, c->path, js_line(s, pos),
			  "%s event %zu has no 'title'", division, no);
		ok = false;
	} else if (!json_is_string(title)) {
		diags_add(c->diags, c->path, js_member_line(s, pos, "title"),
			  "%s event %zu: 'title' is not a string", division, no);
		ok = false;
	}

	json_t *date = json_object_get(ev, "date");
	cw_day day = 0;
	if (!date) {
		diags_add(c->diags, c->path, js_line(s, pos),
			  "%s event %zu has no 'date'", division, no);
		ok = false;
	} else if (!json_is_string(date)) {
		diags_add(c->diags, c->path, js_member_line(s, pos, "date"),
			  "%s event %zu: 'date' is not a string", division, no);
		ok = false;
	} else {
		const char *v = json_string_value(date);
		size_t n = json_string_length(date);
		int r = date_parse_n(v, n, &day);
		if (r < 0) {
			int line = js_member_line(s, pos, "date");
			bool q = quotable(v, n);
			if (r == -ERANGE)
				diags_add(c->diags, c->path, line, "%s event %zu: impossible date%s%.*s%s",
					  division, no, q ? " '" : "", q ? (int)n : 0, v, q ? "'" : "");
			else
				diags_add(c->diags, c->path, line,
					  "%s event %zu: malformed date%s%.*s%s (expected YYYY-MM-DD)",
					  division, no, q ? " '" : "", q ? (int)n : 0, v, q ? "'" : "");
			ok = false;
		}
	}

	json_t *notes = json_object_get(ev, "notes");
	if (notes && !json_is_string(notes)) {
		diags_add(c->diags, c->path, js_member_line(s, pos, "notes"),
			  "%s event %zu: 'notes' is not a string", division, no);
		ok = false;
	}
	json_t *bunting = json_object_get(ev, "bunting");
	if (bunting && !json_is_boolean(bunting)) {
		diags_add(c->diags, c->path, js_member_line(s, pos, "bunting"),
			  "%s event %zu: 'bunting' is not true or false", division, no);
		ok = false;
	}
	/* Other members are ignored: GOV.UK may add fields. */

	if (ok && out) {
		/* GOV.UK keeps the holiday's name and says "Substitute day" in
		 * the notes; title it as the computed rules do. */
		if (notes && strcasecmp(json_string_value(notes), "Substitute day") == 0) {
			_cleanup_free_ char *t = xasprintf("%s (substitute day)", json_string_value(title));
			holiday_list_add(out, day, t);
		} else {
			holiday_list_add(out, day, json_string_value(title));
		}
	}
}

static void json_division(const struct jctx *c, const char *key, json_t *val,
			  size_t pos, struct holiday_list *out)
{
	const struct jsrc *s = c->src;

	if (!json_is_object(val)) {
		diags_add(c->diags, c->path, js_line(s, pos), "'%s' is not an object", key);
		return;
	}

	/* The inner name guards against a division pasted under the wrong key. */
	json_t *name = json_object_get(val, "division");
	if (!name)
		diags_add(c->diags, c->path, js_line(s, pos), "'%s' has no 'division'", key);
	else if (!json_is_string(name))
		diags_add(c->diags, c->path, js_member_line(s, pos, "division"),
			  "'%s': 'division' is not a string", key);
	else if (strcmp(json_string_value(name), key) != 0) {
		const char *v = json_string_value(name);
		size_t n = json_string_length(name);
		bool q = quotable(v, n);
		diags_add(c->diags, c->path, js_member_line(s, pos, "division"),
			  "division%s%.*s%s does not match its key '%s'",
			  q ? " '" : "", q ? (int)n : 0, v, q ? "'" : "", key);
	}

	json_t *events = json_object_get(val, "events");
	if (!events) {
		diags_add(c->diags, c->path, js_line(s, pos), "'%s' has no 'events'", key);
		return;
	}
	size_t epos = js_member(s, pos, "events", NULL);
	if (!json_is_array(events)) {
		diags_add(c->diags, c->path, js_line(s, epos != JS_NONE ? epos : pos),
			  "'%s': 'events' is not an array", key);
		return;
	}

	/* Walk the raw array alongside jansson's, so each event knows its
	 * position without a search from the start of the file. */
	size_t p = js_first(s, epos);
	for (size_t i = 0; i < json_array_size(events); i++, p = js_next(s, p))
		json_event(c, key, i, json_array_get(events, i), p, out);
}

/* jansson reports an error found on reading a newline (the end of a file
 * that ends with one, or a string broken by a newline) as column 0 of the
 * next line. The problem is at the end of the line before: for a truncated
 * file, the last line. */
static void json_syntax_error(const char *path, const json_error_t *e,
			      const struct jsrc *s, struct diags *diags)
{
	int line = e->line, column = e->column;

	if (line <= 0) {
		diags_add(diags, path, 0, "%s", e->text);
		return;
	}
	if (column == 0 && line > 1 && (size_t)line - 1 <= s->nlines) {
		line--;
		/* jansson counts characters, not bytes: skip UTF-8 continuation
		 * bytes. */
		size_t b = s->line_start[line - 1];
		size_t end = (size_t)line < s->nlines ? s->line_start[line] - 1 : s->len;
		if (end > b && s->data[end - 1] == '\r')
			end--;
		for (size_t i = b; i < end; i++)
			if (((unsigned char)s->data[i] & 0xc0) != 0x80)
				column++;
	}
	diags_add(diags, path, line, "%s (column %d)", e->text, column);
}

int holfile_parse_json(const char *path, const char *data, size_t len,
		       const char *division, struct holiday_list *out, struct diags *diags)
{
	const size_t n0 = diags->n, start = out->n;

	if (!division || !is_division(division)) {
		diags_add(diags, NULL, 0,
			  "unknown division '%s' (england-and-wales, scotland or northern-ireland)",
			  division ? division : "(null)");
		return -EINVAL;
	}

	/* jansson refuses a byte order mark, which some editors add. */
	const size_t skip = bom_len(data, len);
	struct jsrc src;
	jsrc_init(&src, data, len);

	json_error_t err;
	json_t *root = json_loadb(data + skip, len - skip, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		if (skip && err.line == 1)
			err.column++;
		json_syntax_error(path, &err, &src, diags);
		goto out;
	}

	size_t top = js_ws(&src, skip);
	if (!json_is_object(root)) {
		diags_add(diags, path, js_line(&src, top),
			  "not a GOV.UK bank-holidays.json file (the top level is not an object)");
		goto out;
	}

	const struct jctx c = { .path = path, .src = &src, .diags = diags };
	/* Walk the members in the raw text, which gives each its position
	 * and the file's order, and take the values from jansson. */
	size_t p = js_ws(&src, top + 1);
	while (p < len && data[p] == '"') {
		size_t kpos = p, kend = js_skip_string(&src, p);
		_cleanup_free_ char *key = js_string_dup(&src, kpos, kend);
		p = js_ws(&src, kend);
		if (p >= len || data[p] != ':')
			break;
		size_t vpos = js_ws(&src, p + 1);
		json_t *val = json_object_get(root, key);

		if (!is_division(key)) {
			bool q = quotable(key, strlen(key));
			diags_add(diags, path, js_line(&src, kpos),
				  "unknown division%s%s%s (england-and-wales, scotland or northern-ireland)",
				  q ? " '" : "", q ? key : "", q ? "'" : "");
		} else if (val)
			/* Every division is checked; only the wanted one is
			 * kept. */
			json_division(&c, key, val, vpos, strcmp(key, division) == 0 ? out : NULL);

		p = js_ws(&src, js_skip_value(&src, vpos));
		if (p >= len || data[p] != ',')
			break;
		p = js_ws(&src, p + 1);
	}

out:
	json_decref(root);
	jsrc_done(&src);
	if (diags->n > n0) {
		list_truncate(out, start);
		return -EINVAL;
	}
	list_dedupe_from(out, start);
	return 0;
}

/* ---- iCalendar (RFC 5545), the subset holiday calendars use ---- */

/* An all-day event longer than this is a mistake (a DTEND a year out), not a
 * holiday. */
#define ICS_MAX_SPAN 31

struct ics_comp {
	char *name; /* upper case */
	int line;
};

struct ics_event {
	int line; /* of BEGIN:VEVENT */
	bool bad; /* a problem is already reported */
	bool has_start, has_end, has_duration, has_summary;
	cw_day start, end;
	int duration; /* days, when given by DURATION */
	int end_line;
	char *summary;
};

struct ics {
	const char *path;
	struct diags *diags;
	struct holiday_list *out;

	struct ics_comp *stack;
	size_t depth, cap;
	/* Set while the VEVENT at stack[event_depth - 1] is open. */
	size_t event_depth;
	struct ics_event ev;

	bool seen_calendar; /* some BEGIN:VCALENDAR was read */
	bool stop;          /* not an iCalendar file: stop reading */
};

/* One content line: name *(";" param) ":" value. */
struct ics_line {
	int no;
	const char *name;
	size_t name_len;
	const char *value_param; /* the VALUE parameter's value, or NULL */
	size_t value_param_len;
	const char *value; /* runs to the end of the line, NUL-terminated */
	size_t value_len;
};

static bool ics_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

static bool ics_is(const struct ics_line *l, const char *name)
{
	return l->name_len == strlen(name) && strncasecmp(l->name, name, l->name_len) == 0;
}

static bool is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		int more;
		uint32_t cp, min;
		if (c < 0x80)
			continue;
		else if ((c & 0xe0) == 0xc0)
			more = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			more = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			more = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (end - p < more)
			return false;
		for (int i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

/* RFC 5545 3.3.11: "An intentional formatted text line break MUST only be
 * included in a "TEXT" property value by representing the line break with
 * the character sequence of BACKSLASH, followed by a LATIN SMALL LETTER N
 * or a LATIN CAPITAL LETTER N", and "\\", "\;", "\," escape themselves. */
static char *ics_unescape(const char *s, size_t len)
{
	char *r = xmalloc(len + 1), *q = r;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char c = s[i + 1];
			if (c == 'n' || c == 'N') {
				*q++ = '\n';
				i++;
				continue;
			}
			if (c == '\\' || c == ';' || c == ',') {
				*q++ = c;
				i++;
				continue;
			}
		}
		*q++ = s[i];
	}
	*q = '\0';
	return r;
}

static void ics_push(struct ics *x, const char *name, size_t len, int line)
{
	x->stack = xgrow(x->stack, &x->cap, x->depth + 1, sizeof(*x->stack));
	char *n = xstrndup(name, len);
	for (char *p = n; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	x->stack[x->depth++] = (struct ics_comp){ .name = n, .line = line };
}

static void ics_event_reset(struct ics *x)
{
	free(x->ev.summary);
	x->ev = (struct ics_event){0};
	x->event_depth = 0;
}

/* A DATE value, "YYYYMMDD" (RFC 5545 3.3.4); a DATE-TIME means the event
 * is not all-day. Reports the problem and returns false when it is not. */
static bool ics_date(struct ics *x, const struct ics_line *l, const char *prop, cw_day *ret_day)
{
	const char *v = l->value;
	const size_t n = l->value_len;

	bool is_date = false, is_date_time = false;
	if (l->value_param) {
		const char *vp = l->value_param;
		const size_t vn = l->value_param_len;
		is_date = vn == 4 && strncasecmp(vp, "DATE", 4) == 0;
		is_date_time = vn == 9 && strncasecmp(vp, "DATE-TIME", 9) == 0;
		if (!is_date && !is_date_time) {
			bool q = quotable(vp, vn);
			diags_add(x->diags, x->path, l->no, "%s: unsupported VALUE%s%.*s",
				  prop, q ? "=" : "", q ? (int)vn : 0, vp);
			return false;
		}
	}
	bool digits = n >= 8;
	for (size_t i = 0; i < 8 && i < n; i++)
		digits = digits && v[i] >= '0' && v[i] <= '9';
	if (is_date_time || (digits && n > 8 && (v[8] == 'T' || v[8] == 't'))) {
		diags_add(x->diags, x->path, l->no,
			  "%s has a time of day: holidays must be all-day events (%s;VALUE=DATE:YYYYMMDD)",
			  prop, prop);
		return false;
	}
	bool q = quotable(v, n);
	if (!digits || n != 8) {
		diags_add(x->diags, x->path, l->no, "%s: malformed date%s%.*s%s (expected YYYYMMDD)",
			  prop, q ? " '" : "", q ? (int)n : 0, v, q ? "'" : "");
		return false;
	}
	char iso[DATE_STRLEN];
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", v, v + 4, v + 6);
	if (date_parse_n(iso, 10, ret_day) < 0) {
		diags_add(x->diags, x->path, l->no, "%s: impossible date '%.8s'", prop, v);
		return false;
	}
	return true;
}

/* An all-day event's DURATION must be whole days or weeks (RFC 5545 3.8.2.5:
 * "If the "DTSTART" property is a DATE value type, then the "DURATION"
 * property MUST be specified as a "dur-day" or "dur-week" value"). */
static bool ics_duration(struct ics *x, const struct ics_line *l, int *ret_days)
{
	const char *v = l->value, *p = v;
	long n = 0;
	int ndigits = 0;

	if (*p == '+')
		p++;
	if (*p == 'P' || *p == 'p')
		for (p++; *p >= '0' && *p <= '9' && ndigits < 6; p++, ndigits++)
			n = n * 10 + (*p - '0');
	if (ndigits > 0 && (*p == 'W' || *p == 'w'))
		n *= 7;
	else if (!(ndigits > 0 && (*p == 'D' || *p == 'd')))
		p = NULL;
	if (!p || p[1] != '\0') {
		bool q = quotable(v, l->value_len);
		diags_add(x->diags, x->path, l->no,
			  "DURATION%s%s%s is not a whole number of days or weeks",
			  q ? " '" : "", q ? v : "", q ? "'" : "");
		return false;
	}
	*ret_days = (int)n;
	return true;
}

static void ics_event_property(struct ics *x, const struct ics_line *l)
{
	struct ics_event *ev = &x->ev;

	if (ics_is(l, "DTSTART")) {
		if (ev->has_start) {
			diags_add(x->diags, x->path, l->no, "duplicate DTSTART");
			ev->bad = true;
		} else {
			ev->has_start = true;
			if (!ics_date(x, l, "DTSTART", &ev->start))
				ev->bad = true;
		}
	} else if (ics_is(l, "DTEND") || ics_is(l, "DURATION")) {
		if (ev->has_end) {
			diags_add(x->diags, x->path, l->no, "more than one DTEND or DURATION");
			ev->bad = true;
			return;
		}
		ev->has_end = true;
		ev->end_line = l->no;
		if (ics_is(l, "DTEND")) {
			if (!ics_date(x, l, "DTEND", &ev->end))
				ev->bad = true;
		} else {
			int days;
			ev->has_duration = true;
			if (!ics_duration(x, l, &days))
				ev->bad = true;
			else
				ev->duration = days;
		}
	} else if (ics_is(l, "SUMMARY")) {
		if (ev->has_summary) {
			diags_add(x->diags, x->path, l->no, "duplicate SUMMARY");
			ev->bad = true;
			return;
		}
		ev->has_summary = true;
		if (!is_utf8(l->value, l->value_len)) {
			diags_add(x->diags, x->path, l->no, "SUMMARY is not valid UTF-8");
			ev->bad = true;
			return;
		}
		ev->summary = ics_unescape(l->value, l->value_len);
	} else if (ics_is(l, "RRULE") || ics_is(l, "RDATE")) {
		/* Ignoring a recurrence would silently drop every later
		 * holiday. */
		diags_add(x->diags, x->path, l->no,
			  "recurring events (%.*s) are not supported: list each holiday as its own event",
			  (int)l->name_len, l->name);
		ev->bad = true;
	}
}

static void ics_event_end(struct ics *x)
{
	struct ics_event *ev = &x->ev;

	if (!ev->has_start) {
		diags_add(x->diags, x->path, ev->line, "event has no DTSTART");
		return;
	}
	if (ev->bad)
		return;

	/* RFC 5545 3.6.1: "For cases where a "VEVENT" calendar component
	 * specifies a "DTSTART" property with a DATE value type but no "DTEND"
	 * nor "DURATION" property, the event's duration is taken to be one
	 * day." DTEND is exclusive. */
	int days = 1;
	if (ev->has_duration)
		days = ev->duration;
	else if (ev->has_end)
		days = ev->end - ev->start;
	if (days < 1) {
		diags_add(x->diags, x->path, ev->end_line, "%s is not after DTSTART",
			  ev->has_duration ? "the end given by DURATION" : "DTEND");
		return;
	}
	if (days > ICS_MAX_SPAN) {
		diags_add(x->diags, x->path, ev->end_line,
			  "event spans %d days; a holiday may span at most %d", days, ICS_MAX_SPAN);
		return;
	}
	const char *title = ev->summary && *ev->summary ? ev->summary : "Holiday";
	for (int i = 0; i < days; i++)
		holiday_list_add(x->out, ev->start + i, title);
}

static void ics_begin(struct ics *x, const struct ics_line *l)
{
	const char *v = l->value;
	const size_t n = l->value_len;

	if (n == 0) {
		diags_add(x->diags, x->path, l->no, "BEGIN without a component name");
		return;
	}
	if (n == 9 && strncasecmp(v, "VCALENDAR", n) == 0) {
		if (x->depth > 0)
			diags_add(x->diags, x->path, l->no, "BEGIN:VCALENDAR inside %s (line %d)",
				  x->stack[x->depth - 1].name, x->stack[x->depth - 1].line);
		x->seen_calendar = true;
	} else if (x->depth == 0) {
		bool q = quotable(v, n);
		diags_add(x->diags, x->path, l->no, "BEGIN%s%.*s outside VCALENDAR",
			  q ? ":" : "", q ? (int)n : 0, v);
	} else if (n == 6 && strncasecmp(v, "VEVENT", n) == 0) {
		if (x->event_depth)
			diags_add(x->diags, x->path, l->no, "VEVENT inside VEVENT (line %d)", x->ev.line);
		else if (x->depth != 1 || strcmp(x->stack[0].name, "VCALENDAR") != 0)
			diags_add(x->diags, x->path, l->no, "VEVENT inside %s (line %d)",
				  x->stack[x->depth - 1].name, x->stack[x->depth - 1].line);
		else {
			ics_event_reset(x);
			x->ev.line = l->no;
			x->event_depth = x->depth + 1;
		}
	}
	/* Other components (VTIMEZONE, VALARM...) only nest. */
	ics_push(x, v, n, l->no);
}

static void ics_pop(struct ics *x)
{
	if (x->event_depth == x->depth)
		ics_event_reset(x);
	free(x->stack[--x->depth].name);
}

static void ics_end(struct ics *x, const struct ics_line *l)
{
	const char *v = l->value;
	const size_t n = l->value_len;
	bool q = quotable(v, n);

	if (x->depth == 0) {
		diags_add(x->diags, x->path, l->no, "END%s%.*s without BEGIN",
			  q ? ":" : "", q ? (int)n : 0, v);
		return;
	}
	const struct ics_comp *top = &x->stack[x->depth - 1];
	if (strlen(top->name) == n && strncasecmp(top->name, v, n) == 0) {
		if (x->event_depth == x->depth)
			ics_event_end(x);
		ics_pop(x);
		return;
	}

	diags_add(x->diags, x->path, l->no, "END%s%.*s does not match BEGIN:%s (line %d)",
		  q ? ":" : "", q ? (int)n : 0, v, top->name, top->line);
	/* When an END was left out, close up to the component this END
	 * names, so that one omission is reported once; a stray END is
	 * ignored. */
	for (size_t i = x->depth; i-- > 0;)
		if (strlen(x->stack[i].name) == n && strncasecmp(x->stack[i].name, v, n) == 0) {
			while (x->depth > i)
				ics_pop(x);
			break;
		}
}

/* Split a content line; reports and returns false when it is malformed. */
static bool ics_split(struct ics *x, const char *buf, size_t len, struct ics_line *l)
{
	size_t p = 0;

	while (p < len && ics_name_char(buf[p]))
		p++;
	l->name = buf;
	l->name_len = p;
	l->value_param = NULL;
	if (p == 0)
		goto bad;

	/* RFC 5545 3.1: param = param-name "=" param-value *("," param-value),
	 * where a param-value is a quoted-string or text without '"', ';',
	 * ':' or ','. */
	while (p < len && buf[p] == ';') {
		size_t pn = ++p;
		while (p < len && ics_name_char(buf[p]))
			p++;
		size_t pn_len = p - pn;
		if (pn_len == 0 || p >= len || buf[p] != '=')
			goto bad;
		size_t pv = ++p;
		for (;;) {
			if (p < len && buf[p] == '"') {
				const char *close = memchr(buf + p + 1, '"', len - p - 1);
				if (!close)
					goto bad;
				p = (size_t)(close - buf) + 1;
			} else
				while (p < len && !strchr("\";:,", buf[p]))
					p++;
			if (p < len && buf[p] == ',') {
				p++;
				continue;
			}
			break;
		}
		if (pn_len == 5 && strncasecmp(buf + pn, "VALUE", 5) == 0) {
			l->value_param = buf + pv;
			l->value_param_len = p - pv;
		}
	}
	if (p >= len || buf[p] != ':')
		goto bad;
	l->value = buf + p + 1;
	l->value_len = len - p - 1;
	return true;

bad:
	diags_add(x->diags, x->path, l->no, "malformed line (expected NAME[;PARAM=VALUE]:VALUE)");
	return false;
}

static void ics_line(struct ics *x, const char *buf, size_t len, int no)
{
	struct ics_line l = { .no = no };

	if (!x->seen_calendar) {
		/* The first line decides whether this is iCalendar at all;
		 * reading on would only list the lines of some other file. */
		if (len != 15 || strncasecmp(buf, "BEGIN:VCALENDAR", 15) != 0) {
			diags_add(x->diags, x->path, no, "not an iCalendar file: expected BEGIN:VCALENDAR");
			x->stop = true;
			return;
		}
	}
	if (memchr(buf, '\0', len)) {
		diags_add(x->diags, x->path, no, "NUL byte in line");
		return;
	}
	if (!ics_split(x, buf, len, &l))
		return;

	if (ics_is(&l, "BEGIN"))
		ics_begin(x, &l);
	else if (ics_is(&l, "END"))
		ics_end(x, &l);
	else if (x->depth == 0)
		diags_add(x->diags, x->path, no, "%.*s outside VCALENDAR", (int)l.name_len, l.name);
	else if (x->event_depth && x->depth == x->event_depth)
		ics_event_property(x, &l);
	/* Properties of the calendar and of other components are ignored. */
}

int holfile_parse_ics(const char *path, const char *data, size_t len,
		      struct holiday_list *out, struct diags *diags)
{
	const size_t n0 = diags->n, start = out->n;
	struct ics x = { .path = path, .diags = diags, .out = out };
	_cleanup_free_ char *buf = NULL;
	size_t blen = 0, bcap = 0;
	/* no: the physical line; buf_no: where the logical line in buf began
	 * (0: none); last: the last line with content. */
	int no = 0, buf_no = 0, last = 0;

	/* RFC 5545 3.1: "a long line can be split between any two characters
	 * by inserting a CRLF immediately followed by a single linear
	 * white-space character (i.e., SPACE or HTAB)". Bare LF is accepted as
	 * well; errors name the physical line where a logical line starts. */
	size_t p = bom_len(data, len);
	while (p < len && !x.stop) {
		const char *nl = memchr(data + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t next = nl ? end + 1 : len;
		if (end > p && data[end - 1] == '\r')
			end--;
		if (no < INT_MAX)
			no++;
		if (end > p)
			last = no;

		if (end > p && (data[p] == ' ' || data[p] == '\t') && buf_no) {
			buf = xgrow(buf, &bcap, blen + (end - p - 1) + 1, 1);
			memcpy(buf + blen, data + p + 1, end - p - 1);
			blen += end - p - 1;
		} else {
			if (buf_no) {
				buf[blen] = '\0';
				ics_line(&x, buf, blen, buf_no);
			}
			buf_no = 0;
			blen = 0;
			/* Blank lines are not content lines; tolerate them. */
			if (end > p) {
				buf = xgrow(buf, &bcap, end - p + 1, 1);
				memcpy(buf, data + p, end - p);
				blen = end - p;
				buf_no = no;
			}
		}
		p = next;
	}
	if (buf_no && !x.stop) {
		buf[blen] = '\0';
		ics_line(&x, buf, blen, buf_no);
	}

	if (!x.stop) {
		if (!x.seen_calendar)
			diags_add(diags, path, 0, "not an iCalendar file: no BEGIN:VCALENDAR");
		else if (x.depth > 0) {
			/* Name every component left open, innermost first. */
			_cleanup_free_ char *missing = xstrdup("");
			for (size_t i = x.depth; i-- > 0;) {
				char *m = xasprintf("%s%sEND:%s", missing, *missing ? ", " : "",
						    x.stack[i].name);
				free(missing);
				missing = m;
			}
			diags_add(diags, path, last, "truncated file: missing %s", missing);
		}
	}

	while (x.depth > 0)
		ics_pop(&x);
	free(x.stack);
	ics_event_reset(&x);

	if (diags->n > n0) {
		list_truncate(out, start);
		return -EINVAL;
	}
	list_dedupe_from(out, start);
	return 0;
}

int holfile_load(const char *path, const char *division,
		 struct holiday_list *out, struct diags *diags)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	int r = read_file(path, &data, &len);
	if (r < 0) {
		diags_add(diags, path, 0, "%s", strerror(-r));
		return r;
	}

	r = holfile_detect(data, len);
	if (r < 0) {
		diags_add(diags, path, 0, "not a GOV.UK bank-holidays.json or iCalendar file");
		return r;
	}
	switch ((enum holfile_format)r) {
	case HOLFILE_JSON:
		return holfile_parse_json(path, data, len, division, out, diags);
	case HOLFILE_ICS:
		return holfile_parse_ics(path, data, len, out, diags);
	}
	return -EINVAL;
}

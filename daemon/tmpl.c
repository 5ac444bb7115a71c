/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* ---- Data -------------------------------------------------------------- */

struct tmpl_entry {
	char *name;
	char *value; /* NULL when unset */
	struct tmpl_data **items;
	size_t n_items, cap_items;
};

/* A message has a handful of fields, so a linear search over them is as
 * quick as anything cleverer; a list's items are an array, so a digest of
 * thousands of cases is built and walked in linear time. */
struct tmpl_data {
	struct tmpl_entry *v;
	size_t n, cap;
};

struct tmpl_data *tmpl_data_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_data));
}

void tmpl_data_free(struct tmpl_data *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct tmpl_entry *e = &d->v[i];
		free(e->name);
		free(e->value);
		for (size_t j = 0; j < e->n_items; j++)
			tmpl_data_free(e->items[j]);
		free(e->items);
	}
	free(d->v);
	free(d);
}

static struct tmpl_entry *entry_find(const struct tmpl_data *d, const char *name)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].name[0] == name[0] && strcmp(d->v[i].name, name) == 0)
			return &d->v[i];
	return NULL;
}

static struct tmpl_entry *entry_get(struct tmpl_data *d, const char *name)
{
	struct tmpl_entry *e = entry_find(d, name);
	if (e)
		return e;
	d->v = xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	e = &d->v[d->n++];
	*e = (struct tmpl_entry){ .name = xstrdup(name) };
	return e;
}

static void set_owned(struct tmpl_data *d, const char *name, char *value)
{
	struct tmpl_entry *e = entry_get(d, name);
	free(e->value);
	e->value = value;
}

void tmpl_data_set(struct tmpl_data *d, const char *name, const char *value)
{
	set_owned(d, name, value ? xstrdup(value) : NULL);
}

void tmpl_data_setf(struct tmpl_data *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *value = xvasprintf(fmt, ap);
	va_end(ap);
	set_owned(d, name, value);
}

struct tmpl_data *tmpl_data_add(struct tmpl_data *d, const char *name)
{
	struct tmpl_entry *e = entry_get(d, name);
	e->items = xgrow(e->items, &e->cap_items, e->n_items + 1, sizeof(*e->items));
	struct tmpl_data *item = tmpl_data_new();
	e->items[e->n_items++] = item;
	return item;
}

/* ---- Parsed template --------------------------------------------------- */

enum node_kind {
	NODE_TEXT,
	NODE_FIELD,
	NODE_SECTION,
	NODE_INVERTED,
};

/* The template is a flat array of nodes; a section's block is the nodes
 * after it up to `end`, so rendering skips a block in one step. */
struct node {
	enum node_kind kind;
	size_t start, len; /* NODE_TEXT: a run of tmpl.text */
	char *name;
	/* Which data the field is looked up in: 0 the message's own, k the
	 * item of the k-th list section around it. Settled at parse time from
	 * the fields offered, innermost first, so a field that an item offers
	 * belongs to the item even when the item leaves it unset. */
	size_t level;
	bool list;
	size_t end; /* a section: the index of the node after its block */
};

struct tmpl {
	char *text;
	struct node *v;
	size_t n, cap;
	size_t depth; /* 1 + the deepest nesting of list sections */
};

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	free(t->text);
	free(t);
}

static struct node *node_add(struct tmpl *t, enum node_kind kind)
{
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	struct node *n = &t->v[t->n++];
	*n = (struct node){ .kind = kind };
	return n;
}

static void text_add(struct tmpl *t, size_t start, size_t len)
{
	if (len == 0)
		return;
	struct node *n = node_add(t, NODE_TEXT);
	n->start = start;
	n->len = len;
}

/* ---- Parsing ----------------------------------------------------------- */

struct open_section {
	size_t node;
	int line;
	bool scope;   /* entered a list's items */
	bool unknown; /* names no field on offer */
};

struct parser {
	struct tmpl *t;
	const char *file;
	struct diags *diags;
	const struct tmpl_field *root;
	/* The field tables in scope: the message's, then each open list's
	 * items. */
	const struct tmpl_field **scopes;
	size_t n_scopes, cap_scopes;
	struct open_section *open;
	size_t n_open, cap_open;
	size_t n_unknown;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;
	const char *end = s + n;
	while ((s = memchr(s, '\n', (size_t)(end - s)))) {
		lines++;
		s++;
	}
	return lines;
}

static const struct tmpl_field *field_in(const struct tmpl_field *table, const char *name)
{
	for (; table && table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

static const struct tmpl_field *resolve(const struct parser *p, const char *name, size_t *ret_level)
{
	for (size_t i = p->n_scopes; i-- > 0;) {
		const struct tmpl_field *f = field_in(p->scopes[i], name);
		if (f) {
			*ret_level = i;
			return f;
		}
	}
	return NULL;
}

/* The list whose items offer `name`, searched a few levels down (a table
 * could name itself as its items). */
static const struct tmpl_field *owner_list(const struct tmpl_field *table, const char *name, int depth)
{
	if (depth > 8)
		return NULL;
	for (; table && table->name; table++) {
		if (!table->items)
			continue;
		if (field_in(table->items, name))
			return table;
		const struct tmpl_field *f = owner_list(table->items, name, depth + 1);
		if (f)
			return f;
	}
	return NULL;
}

/* "fields here: a, b, c": those in scope, innermost first, without the
 * outer ones an inner field of the same name hides. */
static char *fields_here(const struct parser *p)
{
	struct strbuf b = { 0 };
	for (size_t i = p->n_scopes; i-- > 0;)
		for (const struct tmpl_field *f = p->scopes[i]; f && f->name; f++) {
			bool hidden = false;
			for (size_t j = i + 1; j < p->n_scopes && !hidden; j++)
				hidden = field_in(p->scopes[j], f->name) != NULL;
			if (hidden)
				continue;
			strbuf_adds(&b, b.n ? ", " : "fields here: ");
			strbuf_adds(&b, f->name);
		}
	if (!b.n)
		strbuf_adds(&b, "no fields here");
	return b.p;
}

static void unknown_field(struct parser *p, int line, const char *name)
{
	/* Inside a section that names an unknown field, the fields used
	 * there are most likely those of the list meant: one report for the
	 * section is enough. */
	if (p->n_unknown > 0)
		return;
	const struct tmpl_field *owner = owner_list(p->root, name, 0);
	if (owner) {
		diags_add(p->diags, p->file, line, "field '%s' is only valid inside {{#%s}}...{{/%s}}", name,
			  owner->name, owner->name);
		return;
	}
	_cleanup_free_ char *here = fields_here(p);
	diags_add(p->diags, p->file, line, "unknown field '%s' (%s)", name, here);
}

static void field_tag(struct parser *p, int line, char *name)
{
	size_t level = 0;
	const struct tmpl_field *f = resolve(p, name, &level);
	if (!f) {
		unknown_field(p, line, name);
		free(name);
		return;
	}
	if (f->items) {
		diags_add(p->diags, p->file, line, "'{{%s}}' is a list: use {{#%s}}...{{/%s}}", name, name, name);
		free(name);
		return;
	}
	struct node *n = node_add(p->t, NODE_FIELD);
	n->name = name;
	n->level = level;
}

static void open_tag(struct parser *p, int line, char *name, bool inverted)
{
	size_t level = 0;
	const struct tmpl_field *f = resolve(p, name, &level);
	if (!f)
		unknown_field(p, line, name);
	struct node *n = node_add(p->t, inverted ? NODE_INVERTED : NODE_SECTION);
	n->name = name;
	n->level = level;
	n->list = f && f->items;

	p->open = xgrow(p->open, &p->cap_open, p->n_open + 1, sizeof(*p->open));
	struct open_section *o = &p->open[p->n_open++];
	*o = (struct open_section){ .node = p->t->n - 1, .line = line, .unknown = !f };
	if (!f)
		p->n_unknown++;
	/* Only a list's own section has its items in scope: inside
	 * {{^list}} there is no item. */
	if (f && f->items && !inverted) {
		p->scopes = xgrow(p->scopes, &p->cap_scopes, p->n_scopes + 1, sizeof(*p->scopes));
		p->scopes[p->n_scopes++] = f->items;
		if (p->n_scopes > p->t->depth)
			p->t->depth = p->n_scopes;
		o->scope = true;
	}
}

static void close_one(struct parser *p)
{
	struct open_section *o = &p->open[--p->n_open];
	p->t->v[o->node].end = p->t->n;
	if (o->scope)
		p->n_scopes--;
	if (o->unknown)
		p->n_unknown--;
}

static void close_tag(struct parser *p, int line, const char *name)
{
	if (p->n_open == 0) {
		diags_add(p->diags, p->file, line, "'{{/%s}}' closes no open section", name);
		return;
	}
	size_t k = p->n_open;
	while (k > 0 && strcmp(p->t->v[p->open[k - 1].node].name, name) != 0)
		k--;
	const struct open_section *top = &p->open[p->n_open - 1];
	if (k != p->n_open)
		diags_add(p->diags, p->file, line, "'{{/%s}}' where '{{/%s}}' was expected (opened on line %d)", name,
			  p->t->v[top->node].name, top->line);
	/* A section open further out is closed with those inside it; a name
	 * not open at all is taken for a misspelling of the innermost. */
	size_t keep = k > 0 ? k - 1 : p->n_open - 1;
	while (p->n_open > keep)
		close_one(p);
}

/* Whether the tag from `tag` up to `after` stands alone on its line. If
 * so, return where that line starts and where the next one does. */
static bool standalone(const char *s, size_t from, size_t tag, const char *after, size_t *ret_start,
		       const char **ret_next)
{
	size_t b = tag;
	while (b > from && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (b > 0 && s[b - 1] != '\n')
		return false;
	const char *e = after;
	while (*e == ' ' || *e == '\t')
		e++;
	if (e[0] == '\r' && e[1] == '\n')
		e++;
	if (*e == '\n')
		e++;
	else if (*e)
		return false;
	*ret_start = b;
	*ret_next = e;
	return true;
}

/* Where the tag whose body starts at s ends ("}}"), or where a new "{{"
 * starts first (*ret_reopened), or NULL at the end of the text. */
static const char *tag_end(const char *s, bool comment, bool *ret_reopened)
{
	for (; *s; s++) {
		if (s[0] == '}' && s[1] == '}')
			return s;
		if (!comment && s[0] == '{' && s[1] == '{') {
			*ret_reopened = true;
			return s;
		}
	}
	return NULL;
}

int tmpl_parse(const char *text, const char *file, const struct tmpl_field *fields, struct tmpl **ret,
	       struct diags *diags)
{
	struct diags local = { 0 };
	if (!diags)
		diags = &local;
	size_t n_before = diags->n;

	struct tmpl *t = xcalloc(1, sizeof(*t));
	t->text = xstrdup(text);
	t->depth = 1;
	struct parser p = { .t = t, .file = file, .diags = diags, .root = fields };
	p.scopes = xgrow(p.scopes, &p.cap_scopes, 1, sizeof(*p.scopes));
	p.scopes[p.n_scopes++] = fields;

	const char *s = t->text;
	size_t pos = 0;
	int line = 1;
	for (;;) {
		const char *open = strstr(s + pos, "{{");
		if (!open) {
			text_add(t, pos, strlen(s + pos));
			break;
		}
		size_t tag = (size_t)(open - s);
		int tag_line = line + count_lines(s + pos, tag - pos);

		const char *q = open + 2;
		while (is_space(*q))
			q++;
		char sigil = 0;
		if (*q == '#' || *q == '^' || *q == '/' || *q == '!')
			sigil = *q++;
		bool reopened = false;
		const char *close = tag_end(q, sigil == '!', &reopened);
		if (!close || reopened) {
			diags_add(diags, file, tag_line, "'{{' without a closing '}}'");
			if (!close)
				break;
			/* Carry on from the next tag, so that the rest is
			 * checked too. */
			text_add(t, pos, tag - pos);
			pos = (size_t)(close - s);
			line = tag_line + count_lines(open, pos - tag);
			continue;
		}
		const char *after = close + 2;

		size_t start = tag;
		const char *next = after;
		if (sigil && !standalone(s, pos, tag, after, &start, &next)) {
			start = tag;
			next = after;
		}
		text_add(t, pos, start - pos);

		if (sigil != '!') {
			while (is_space(*q))
				q++;
			const char *e = close;
			while (e > q && is_space(e[-1]))
				e--;
			if (e == q) {
				char sg[2] = { sigil, '\0' };
				diags_add(diags, file, tag_line, "empty tag '{{%s}}'", sg);
			} else {
				char *name = xstrndup(q, (size_t)(e - q));
				switch (sigil) {
				case '#':
				case '^':
					open_tag(&p, tag_line, name, sigil == '^');
					break;
				case '/':
					close_tag(&p, tag_line, name);
					free(name);
					break;
				default:
					field_tag(&p, tag_line, name);
					break;
				}
			}
		}
		pos = (size_t)(next - s);
		line = tag_line + count_lines(open, pos - tag);
	}

	for (size_t i = 0; i < p.n_open; i++)
		diags_add(diags, file, p.open[i].line, "section '%s' is not closed", t->v[p.open[i].node].name);
	free(p.open);
	free(p.scopes);

	if (diags->n > n_before) {
		tmpl_free(t);
		diags_free(&local);
		return -EINVAL;
	}
	*ret = t;
	return 0;
}

/* ---- Rendering --------------------------------------------------------- */

static void render_range(struct strbuf *b, const struct tmpl *t, size_t from, size_t to,
			 const struct tmpl_data **scope, size_t depth, bool html)
{
	for (size_t i = from; i < to;) {
		const struct node *n = &t->v[i];
		const struct tmpl_entry *e = n->kind == NODE_TEXT ? NULL : entry_find(scope[n->level], n->name);
		bool empty = n->list ? !e || e->n_items == 0 : !e || !e->value || !e->value[0];
		switch (n->kind) {
		case NODE_TEXT:
			strbuf_add(b, t->text + n->start, n->len);
			i++;
			break;
		case NODE_FIELD:
			if (!empty) {
				if (html)
					strbuf_add_html(b, e->value);
				else
					strbuf_adds(b, e->value);
			}
			i++;
			break;
		case NODE_SECTION:
			if (n->list && !empty)
				for (size_t k = 0; k < e->n_items; k++) {
					scope[depth] = e->items[k];
					render_range(b, t, i + 1, n->end, scope, depth + 1, html);
				}
			else if (!empty)
				render_range(b, t, i + 1, n->end, scope, depth, html);
			i = n->end;
			break;
		case NODE_INVERTED:
			if (empty)
				render_range(b, t, i + 1, n->end, scope, depth, html);
			i = n->end;
			break;
		}
	}
}

char *tmpl_render(const struct tmpl *t, const struct tmpl_data *d, bool html)
{
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	_cleanup_free_ const struct tmpl_data **scope = xcalloc(t->depth, sizeof(*scope));
	scope[0] = d;
	render_range(&b, t, 0, t->n, scope, 1, html);
	return b.p;
}

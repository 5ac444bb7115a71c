/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "mapping.h"

#include <errno.h>
#include <fnmatch.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casedb.h"
#include "cfg.h"
#include "rules.h"
#include "util.h"

/* ---- Names ------------------------------------------------------------- */

static const char *const table_names[_IMPORT_TABLE_MAX + 1] = {
	[IMPORT_TEAMS] = "teams",       [IMPORT_OFFICERS] = "officers", [IMPORT_CASES] = "cases",
	[IMPORT_PARTIES] = "parties",   [IMPORT_EVENTS] = "events",     [IMPORT_SURVEYS] = "surveys",
	[IMPORT_MEETINGS] = "meetings", [_IMPORT_TABLE_MAX] = NULL,
};

const char *import_table_to_string(enum import_table t)
{
	return (unsigned)t < _IMPORT_TABLE_MAX ? table_names[t] : NULL;
}

int import_table_from_string(const char *s)
{
	for (int i = 0; s && i < _IMPORT_TABLE_MAX; i++)
		if (strcmp(table_names[i], s) == 0)
			return i;
	return -EINVAL;
}

/* DESIGN.md section 3's columns under the names a mapping gives them: a
 * party or an event names its case by the case's ref ("case"), an event
 * its party by the party's key ("party"); the database's ids are
 * casewatch's own and never mapped. */
#define MAX_COLUMNS 10
static const char *const table_columns[_IMPORT_TABLE_MAX][MAX_COLUMNS + 1] = {
	[IMPORT_TEAMS] = { "id", "name", "supervisor", "manager_email", NULL },
	[IMPORT_OFFICERS] = { "id", "name", "email", "team", "active", NULL },
	[IMPORT_CASES] = { "ref", "stage", "category", "serious", "hate", "risk", "officer", "team",
			   "agreed_contact", "received_at", NULL },
	[IMPORT_PARTIES] = { "case", "role", "roles", "label", "preferred_channel", "identified_at", NULL },
	[IMPORT_EVENTS] = { "case", "party", "at", "kind", "channel", "detail", "officer", NULL },
	[IMPORT_SURVEYS] = { "case", "at", "satisfied", NULL },
	[IMPORT_MEETINGS] = { "kind", "held_on", "team", NULL },
};

/* What every row must have (or role, roles or role_flags for parties,
 * checked on its own). */
static const char *const table_required[_IMPORT_TABLE_MAX][4] = {
	[IMPORT_TEAMS] = { "id", NULL },
	[IMPORT_OFFICERS] = { "id", NULL },
	[IMPORT_CASES] = { "ref", "received_at", NULL },
	[IMPORT_PARTIES] = { "case", NULL },
	[IMPORT_EVENTS] = { "case", "at", "kind", NULL },
	[IMPORT_SURVEYS] = { "at", "satisfied", NULL },
	[IMPORT_MEETINGS] = { "kind", "held_on", NULL },
};

/* The words the schema's CHECKs allow (schema/casedb.sql): a translation
 * or a constant outside them could never be stored, so it is refused
 * when the mapping is read rather than on every row. */
static const char *const flag_words[] = { "0", "1", NULL };

struct domain {
	enum import_table table;
	const char *column;
	const char *noun; /* "a stage"; NULL for 0 or 1 */
	const char *const *words;
};

static const struct domain domains[] = {
	{ IMPORT_CASES, "stage", "a stage", casedb_stages },
	{ IMPORT_CASES, "risk", "a risk level", casedb_risks },
	{ IMPORT_CASES, "serious", NULL, flag_words },
	{ IMPORT_CASES, "hate", NULL, flag_words },
	{ IMPORT_OFFICERS, "active", NULL, flag_words },
	{ IMPORT_SURVEYS, "satisfied", NULL, flag_words },
	{ IMPORT_PARTIES, "role", "a role", casedb_roles },
	{ IMPORT_PARTIES, "preferred_channel", "a channel", casedb_channels },
	{ IMPORT_EVENTS, "kind", "an event kind", casedb_kinds },
	{ IMPORT_EVENTS, "channel", "a channel", casedb_channels },
};

static bool in_words(const char *const *words, const char *s)
{
	for (; *words; words++)
		if (strcmp(*words, s) == 0)
			return true;
	return false;
}

/* "a, b or c", for messages. */
static char *word_list(const char *const *words)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (size_t i = 0; words[i]; i++) {
		if (i > 0)
			strbuf_adds(&b, words[i + 1] ? ", " : " or ");
		strbuf_adds(&b, words[i]);
	}
	return b.p;
}

static const char *const default_yes[] = { "Y", "Yes", "1", "True", "X" };

/* The strptime conversions a format may use: dates and times of day as
 * exports write them. No offsets or zone names (%z, %Z): an export's
 * times are local, in casewatch.conf's timezone. */
static const char format_conversions[] = "dembBhyYHIMSpaADFTRnt%";

/* ---- Freeing ----------------------------------------------------------- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void column_free(struct map_column *c)
{
	free(c->column);
	strv_free(c->from, c->n_from);
	free(c->set);
	for (size_t i = 0; i < c->n_values; i++) {
		free(c->values[i].from);
		free(c->values[i].to);
	}
	free(c->values);
}

static void source_free(struct map_source *s)
{
	free(s->match);
	strv_free(s->key, s->n_key);
	for (size_t i = 0; i < s->n_columns; i++)
		column_free(&s->columns[i]);
	free(s->columns);
	for (size_t i = 0; i < s->n_role_flags; i++) {
		free(s->role_flags[i].role);
		free(s->role_flags[i].from);
	}
	free(s->role_flags);
	strv_free(s->yes, s->n_yes);
}

void mapping_free(struct mapping *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->timestamp_format);
	free(m->date_format);
	for (size_t i = 0; i < m->n_sources; i++)
		source_free(&m->sources[i]);
	free(m->sources);
	free(m);
}

/* ---- Loading ----------------------------------------------------------- */

struct mloader {
	struct cfgctx x;
	struct mapping *m;
	/* Every source's pattern so far, kept or not, for duplicates. */
	char **matches;
	int *match_lines;
	size_t n_matches;
};

#define problem(l, s, ...) cfg_problem(&(l)->x, (s), __VA_ARGS__)

static int line_of(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

static void strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
}

static struct map_column *find_column(struct map_source *src, const char *name)
{
	for (size_t i = 0; i < src->n_columns; i++)
		if (strcmp(src->columns[i].column, name) == 0)
			return &src->columns[i];
	return NULL;
}

static struct map_column *add_column(struct map_source *src, const char *name, int line)
{
	src->columns = xrealloc(src->columns, (src->n_columns + 1) * sizeof(struct map_column));
	struct map_column *c = &src->columns[src->n_columns++];
	*c = (struct map_column){ .column = xstrdup(name), .line = line };
	return c;
}

/* Whether the source's table has the column; reported when not. With a
 * table that is not one, nothing can be said. */
static bool check_column(struct mloader *l, const struct map_source *src, bool table_ok,
			 const config_setting_t *s, const char *name)
{
	if (!table_ok)
		return true;
	const char *const *cols = table_columns[src->into];
	if (in_words(cols, name))
		return true;
	_cleanup_free_ char *known = word_list(cols);
	problem(l, s, "unknown column '%s' of table %s (%s)", name, table_names[src->into], known);
	return false;
}

/* A casewatch value (a translation's or a constant) that the column's
 * CHECK would refuse. what is "values.stage" or "set.stage". */
static void check_value(struct mloader *l, const struct map_source *src, bool table_ok,
			const config_setting_t *s, const char *what, const char *column, const char *v)
{
	if (!table_ok)
		return;
	if (src->into == IMPORT_PARTIES && strcmp(column, "roles") == 0) {
		const char *bad;
		size_t len;
		long mask = roles_parse(v, &bad, &len);
		_cleanup_free_ char *known = word_list(casedb_roles);
		if (mask < 0)
			problem(l, s, "%s: '%s' is not a list of roles: '%.*s' is no role (%s)", what, v, (int)len,
				bad, known);
		else if (mask == 0)
			problem(l, s, "%s: '%s' names no role (%s)", what, v, known);
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(domains); i++) {
		const struct domain *d = &domains[i];
		if (d->table != src->into || strcmp(d->column, column) != 0 || in_words(d->words, v))
			continue;
		if (!d->noun) {
			problem(l, s, "%s: '%s' is not 0 or 1", what, v);
		} else {
			_cleanup_free_ char *known = word_list(d->words);
			problem(l, s, "%s: '%s' is not %s (%s)", what, v, d->noun, known);
		}
	}
}

/* key = "Case Ref"; or key = [ "Case Ref", "Party No" ]; */
static void load_key(struct mloader *l, struct map_source *src, const config_setting_t *s)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);
		if (!*v)
			problem(l, s, "key must not be empty: it names the export column that identifies a row");
		else
			strv_push(&src->key, &src->n_key, v);
		return;
	}
	if (!cfg_aggregate(&l->x, s, "key"))
		return;
	int n = config_setting_length(s);
	if (n == 0) {
		problem(l, s, "key is an empty list: name the export columns that identify a row");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = cfg_string(&l->x, e, "each column of key");
		if (!v)
			continue;
		if (!*v) {
			problem(l, e, "a column of key must not be empty");
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < src->n_key; j++)
			dup |= strcmp(src->key[j], v) == 0;
		if (dup)
			problem(l, e, "key names '%s' twice", v);
		else
			strv_push(&src->key, &src->n_key, v);
	}
}

/* columns = { ref = "Case Ref"; received_at = [ "Date", "Time" ]; }; */
static void load_columns(struct mloader *l, struct map_source *src, bool table_ok, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "columns"))
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		bool ok = check_column(l, src, table_ok, e, name);
		_cleanup_free_ char *what = xasprintf("columns.%s", name);
		char **from = NULL;
		size_t n_from = 0;
		int t = config_setting_type(e);
		if (t == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(e);
			if (!*v) {
				problem(l, e, "%s: the export column's name must not be empty", what);
				ok = false;
			} else {
				strv_push(&from, &n_from, v);
			}
		} else if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
			int n = config_setting_length(e);
			if (n == 0) {
				problem(l, e, "%s is an empty list: it names no export column", what);
				ok = false;
			}
			for (int j = 0; j < n; j++) {
				const config_setting_t *c = config_setting_get_elem(e, (unsigned)j);
				_cleanup_free_ char *each = xasprintf("each export column of %s", what);
				const char *v = cfg_string(&l->x, c, each);
				if (!v) {
					ok = false;
				} else if (!*v) {
					problem(l, c, "%s: the export column's name must not be empty", what);
					ok = false;
				} else {
					strv_push(&from, &n_from, v);
				}
			}
		} else {
			problem(l, e, "%s must be an export column's name, like \"Case Ref\", or a list of them, not %s",
				what, cfg_type_name(t));
			ok = false;
		}
		if (!ok) {
			strv_free(from, n_from);
			continue;
		}
		struct map_column *c = add_column(src, name, line_of(e));
		c->from = from;
		c->n_from = n_from;
	}
}

/* set = { kind = "contact"; active = true; }; */
static void load_set(struct mloader *l, struct map_source *src, bool table_ok, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "set"))
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		bool ok = check_column(l, src, table_ok, e, name);
		_cleanup_free_ char *what = xasprintf("set.%s", name);
		_cleanup_free_ char *v = NULL;
		switch (config_setting_type(e)) {
		case CONFIG_TYPE_STRING:
			v = xstrdup(config_setting_get_string(e));
			break;
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64:
			v = xasprintf("%lld", config_setting_get_int64(e));
			break;
		case CONFIG_TYPE_BOOL:
			v = xstrdup(config_setting_get_bool(e) ? "1" : "0");
			break;
		default:
			problem(l, e, "%s must be a string, a whole number or true or false, not %s", what,
				cfg_type_name(config_setting_type(e)));
			continue;
		}
		if (!*v) {
			problem(l, e, "%s must not be empty: leave the column out for NULL", what);
			continue;
		}
		const struct map_column *c = find_column(src, name);
		if (c) {
			problem(l, e, "%s is both in columns (line %d) and in set: give it one way", name, c->line);
			continue;
		}
		size_t before = l->x.diags->n;
		if (ok)
			check_value(l, src, table_ok, e, what, name, v);
		if (!ok || l->x.diags->n > before)
			continue;
		add_column(src, name, line_of(e))->set = TAKE_PTR(v);
	}
}

/* values = { stage = ( [ "Open - Case", "case" ], ... ); }; set is the
 * source's set group, or NULL. */
static void load_values(struct mloader *l, struct map_source *src, bool table_ok, const config_setting_t *g,
			const config_setting_t *cols, const config_setting_t *set)
{
	if (!cfg_group(&l->x, g, "values"))
		return;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		_cleanup_free_ char *what = xasprintf("values.%s", name);
		bool known = check_column(l, src, table_ok, e, name);
		/* A column refused in columns or set has had its problem
		 * reported; its values are still read for theirs. */
		const config_setting_t *in_cols = cols ? config_setting_get_member(cols, name) : NULL;
		const config_setting_t *in_set = set ? config_setting_get_member(set, name) : NULL;
		struct map_column *c = find_column(src, name);
		if (c && c->set)
			c = NULL;
		if (known && !in_cols && in_set)
			problem(l, e, "%s: %s is a constant of set (line %d): there is nothing to translate", what,
				name, line_of(in_set));
		else if (known && !in_cols)
			problem(l, e, "%s: %s is not mapped in columns: there is nothing to translate", what, name);
		if (config_setting_type(e) != CONFIG_TYPE_LIST) {
			problem(l, e, "%s must be a list of pairs, like ( [ \"Open\", \"case\" ], [ \"Closed\", "
				"\"closed\" ] ), not %s", what, cfg_type_name(config_setting_type(e)));
			continue;
		}
		int n = config_setting_length(e);
		if (n == 0)
			problem(l, e, "%s is an empty list: every value would be refused", what);
		struct map_value *v = n ? xcalloc((size_t)n, sizeof(struct map_value)) : NULL;
		int *lines = n ? xcalloc((size_t)n, sizeof(int)) : NULL;
		size_t nv = 0;
		bool ok = true;
		for (int j = 0; j < n; j++) {
			const config_setting_t *p = config_setting_get_elem(e, (unsigned)j);
			int t = config_setting_type(p);
			const config_setting_t *a = NULL, *b = NULL;
			if ((t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) && config_setting_length(p) == 2) {
				a = config_setting_get_elem(p, 0);
				b = config_setting_get_elem(p, 1);
			}
			if (!a || config_setting_type(a) != CONFIG_TYPE_STRING ||
			    config_setting_type(b) != CONFIG_TYPE_STRING) {
				problem(l, p, "each entry of %s must be a pair of strings [ \"export value\", "
					"\"casewatch value\" ]", what);
				ok = false;
				continue;
			}
			const char *from = config_setting_get_string(a), *to = config_setting_get_string(b);
			size_t len = strlen(from);
			if (strspn(from, " ") == len) {
				problem(l, p, "%s: the export value must not be empty: an empty field is NULL and needs "
					"no translation", what);
				ok = false;
				continue;
			}
			if (from[0] == ' ' || from[len - 1] == ' ') {
				problem(l, p, "%s: the export value '%s' could never match: the spaces around an "
					"export's value are removed before it is compared", what, from);
				ok = false;
				continue;
			}
			if (!*to) {
				problem(l, p, "%s: the casewatch value for '%s' must not be empty", what, from);
				ok = false;
				continue;
			}
			size_t before = l->x.diags->n;
			if (known)
				check_value(l, src, table_ok, p, what, name, to);
			ok &= l->x.diags->n == before;
			int first = 0;
			for (size_t k = 0; k < nv && !first; k++)
				if (strcmp(v[k].from, from) == 0)
					first = lines[k];
			if (first) {
				problem(l, p, "%s lists the export value '%s' twice (first at line %d)", what, from, first);
				ok = false;
				continue;
			}
			lines[nv] = line_of(p);
			v[nv++] = (struct map_value){ xstrdup(from), xstrdup(to) };
		}
		free(lines);
		if (!c || !ok || nv == 0) {
			for (size_t k = 0; k < nv; k++) {
				free(v[k].from);
				free(v[k].to);
			}
			free(v);
			continue;
		}
		c->values = v;
		c->n_values = nv;
	}
}

/* role_flags = { victim = "Is Victim"; witness = "Is Witness"; }; */
static void load_role_flags(struct mloader *l, struct map_source *src, const config_setting_t *g)
{
	if (!cfg_group(&l->x, g, "role_flags"))
		return;
	if (config_setting_length(g) == 0) {
		problem(l, g, "role_flags is empty: name the export column of at least one role");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *role = config_setting_name(e);
		bool ok = true;
		if (!in_words(casedb_roles, role)) {
			_cleanup_free_ char *known = word_list(casedb_roles);
			problem(l, e, "unknown role '%s' in role_flags (%s)", role, known);
			ok = false;
		}
		_cleanup_free_ char *what = xasprintf("role_flags.%s", role);
		const char *v = cfg_string(&l->x, e, what);
		if (v && !*v)
			problem(l, e, "%s: the export column's name must not be empty", what);
		if (!ok || !v || !*v)
			continue;
		src->role_flags = xrealloc(src->role_flags, (src->n_role_flags + 1) * sizeof(struct map_flag));
		src->role_flags[src->n_role_flags++] =
			(struct map_flag){ .role = xstrdup(role), .from = xstrdup(v), .line = line_of(e) };
	}
}

static void load_yes(struct mloader *l, struct map_source *src, const config_setting_t *s)
{
	if (!cfg_aggregate(&l->x, s, "yes"))
		return;
	int n = config_setting_length(s);
	if (n == 0) {
		problem(l, s, "yes is an empty list: no role of role_flags would ever be held");
		return;
	}
	char **v = NULL;
	size_t nv = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *w = cfg_string(&l->x, e, "each value of yes");
		if (w && !*w)
			problem(l, e, "a value of yes must not be empty");
		else if (w)
			strv_push(&v, &nv, w);
	}
	strv_free(src->yes, src->n_yes);
	src->yes = v;
	src->n_yes = nv;
}

static void load_snapshot_min(struct mloader *l, struct map_source *src, const config_setting_t *s)
{
	int t = config_setting_type(s);
	double v;
	if (t == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else {
		problem(l, s, "snapshot_min must be a number like 0.5, not %s", cfg_type_name(t));
		return;
	}
	if (!(v > 0 && v <= 1)) {
		problem(l, s, "snapshot_min must be more than 0 and at most 1, like 0.5 (half the rows of the "
			"last import)");
		return;
	}
	src->snapshot_min = v;
}

/* Whether a column is named in columns or in set (either may be NULL). */
static bool named(const config_setting_t *cols, const config_setting_t *set, const char *column)
{
	return (cols && config_setting_get_member(cols, column)) || (set && config_setting_get_member(set, column));
}

static const char *const source_keys[] = {
	"match", "into", "key", "columns", "values", "set", "role_flags", "yes", "snapshot", "snapshot_min", NULL,
};

static void load_source(struct mloader *l, const config_setting_t *g)
{
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		problem(l, g, "each source must be a group { match = \"...\"; into = \"...\"; key = ...; ... }, not %s",
			cfg_type_name(config_setting_type(g)));
		return;
	}
	cfg_check_keys(&l->x, g, source_keys, "a source");
	size_t before = l->x.diags->n;
	struct map_source src = { .snapshot_min = 0.5, .line = line_of(g) };
	for (size_t i = 0; i < ELEMENTSOF(default_yes); i++)
		strv_push(&src.yes, &src.n_yes, default_yes[i]);

	const config_setting_t *s;
	const char *v;
	if (!(s = config_setting_get_member(g, "match"))) {
		problem(l, g, "source has no match (match = \"*cases*.csv\";): which files it reads");
	} else if ((v = cfg_string(&l->x, s, "match"))) {
		if (!*v)
			problem(l, s, "match must not be empty");
		else if (strchr(v, '/'))
			problem(l, s, "match '%s' must not hold '/': it is compared with the file's name alone", v);
		else {
			for (size_t i = 0; i < l->n_matches; i++)
				if (strcmp(l->matches[i], v) == 0) {
					problem(l, s, "match '%s' is the same as the source's at line %d: this source "
						"would never be used", v, l->match_lines[i]);
					break;
				}
			l->match_lines = xrealloc(l->match_lines, (l->n_matches + 1) * sizeof(int));
			l->match_lines[l->n_matches] = src.line;
			strv_push(&l->matches, &l->n_matches, v);
			src.match = xstrdup(v);
		}
	}
	bool table_ok = false;
	_cleanup_free_ char *tables = word_list(table_names);
	if (!(s = config_setting_get_member(g, "into"))) {
		problem(l, g, "source has no into: the table it fills (%s)", tables);
	} else if ((v = cfg_string(&l->x, s, "into"))) {
		int t = import_table_from_string(v);
		if (t < 0)
			problem(l, s, "unknown table '%s' in into (%s)", v, tables);
		else {
			src.into = (enum import_table)t;
			table_ok = true;
		}
	}
	if (!(s = config_setting_get_member(g, "key")))
		problem(l, g, "source has no key (key = [ \"Case Ref\" ];): the export columns that identify a "
			"row across exports");
	else
		load_key(l, &src, s);

	const config_setting_t *cols = config_setting_get_member(g, "columns");
	const config_setting_t *set = config_setting_get_member(g, "set");
	if (cols)
		load_columns(l, &src, table_ok, cols);
	if (set)
		load_set(l, &src, table_ok, set);
	if (cols && config_setting_type(cols) != CONFIG_TYPE_GROUP)
		cols = NULL;
	if (set && config_setting_type(set) != CONFIG_TYPE_GROUP)
		set = NULL;
	if ((s = config_setting_get_member(g, "values")))
		load_values(l, &src, table_ok, s, cols, set);
	const config_setting_t *flags = config_setting_get_member(g, "role_flags");
	if (flags) {
		if (table_ok && src.into != IMPORT_PARTIES)
			problem(l, flags, "role_flags applies only to a parties source");
		else
			load_role_flags(l, &src, flags);
	}
	if ((s = config_setting_get_member(g, "yes"))) {
		if (!flags)
			problem(l, s, "yes applies only with role_flags");
		else
			load_yes(l, &src, s);
	}
	const config_setting_t *snap = config_setting_get_member(g, "snapshot");
	if (snap)
		src.snapshot = cfg_bool(&l->x, snap, "snapshot") == 1;
	if ((s = config_setting_get_member(g, "snapshot_min"))) {
		/* A snapshot that is not a boolean has had its problem. */
		if (!src.snapshot && (!snap || config_setting_type(snap) == CONFIG_TYPE_BOOL))
			problem(l, s, "snapshot_min applies only with snapshot = true");
		load_snapshot_min(l, &src, s);
	}

	/* What every row of the table needs. A column named but refused
	 * above has had its problem; it is not reported missing as well, nor
	 * is anything when columns or set is no group. */
	bool shapes_ok = (!config_setting_get_member(g, "columns") || cols) &&
			 (!config_setting_get_member(g, "set") || set);
	if (table_ok && shapes_ok) {
		for (const char *const *r = table_required[src.into]; *r; r++)
			if (!named(cols, set, *r))
				problem(l, g, "a source into %s needs %s: map it in columns or give it in set",
					table_names[src.into], *r);
		if (src.into == IMPORT_PARTIES && !named(cols, set, "role") && !named(cols, set, "roles") && !flags)
			problem(l, g, "a source into parties needs a role: map role or roles in columns, give "
				"role in set, or name each role's column in role_flags");
	}

	if (l->x.diags->n > before || !src.match || !table_ok) {
		source_free(&src);
		return;
	}
	l->m->sources = xrealloc(l->m->sources, (l->m->n_sources + 1) * sizeof(struct map_source));
	l->m->sources[l->m->n_sources++] = src;
}

static void load_encoding(struct mloader *l, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "encoding");
	if (!v)
		return;
	if (strcasecmp(v, "utf-8") == 0)
		l->m->encoding = CSV_UTF8;
	else if (strcasecmp(v, "windows-1252") == 0)
		l->m->encoding = CSV_WINDOWS_1252;
	else
		problem(l, s, "unknown encoding '%s' (utf-8 or windows-1252)", v);
}

static void load_delimiter(struct mloader *l, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "delimiter");
	if (!v)
		return;
	if (strlen(v) != 1)
		problem(l, s, "delimiter '%s' must be one byte, like \",\", \";\", \"\\t\" or \"|\"", v);
	else if (*v == '"' || *v == '\n' || *v == '\r')
		problem(l, s, "delimiter must not be a quote or a line end");
	else
		l->m->delimiter = *v;
}

static void load_format(struct mloader *l, const config_setting_t *s, const char *what, char **dst)
{
	const char *v = cfg_string(&l->x, s, what);
	if (!v)
		return;
	if (!*v) {
		problem(l, s, "%s must not be empty", what);
		return;
	}
	for (const char *p = v; *p; p++) {
		if (*p != '%')
			continue;
		if (!p[1] || !strchr(format_conversions, p[1])) {
			problem(l, s, "%s '%s': %%%.*s is not a conversion a format may use (%%d %%e %%m %%b %%B "
				"%%h %%y %%Y %%H %%I %%M %%S %%p %%a %%A %%D %%F %%T %%R %%n %%t or %%%%)", what, v,
				p[1] ? 1 : 0, p + 1);
			return;
		}
		p++;
	}
	free(*dst);
	*dst = xstrdup(v);
}

static void load_fold(struct mloader *l, const config_setting_t *s)
{
	const char *v = cfg_string(&l->x, s, "ambiguous_time");
	if (!v)
		return;
	if (strcmp(v, "earlier") == 0)
		l->m->fold = IMPORT_FOLD_EARLIER;
	else if (strcmp(v, "later") == 0)
		l->m->fold = IMPORT_FOLD_LATER;
	else if (strcmp(v, "reject") == 0)
		l->m->fold = IMPORT_FOLD_REJECT;
	else
		problem(l, s, "ambiguous_time must be \"earlier\", \"later\" or \"reject\", not '%s'", v);
}

int mapping_load(const char *path, struct mapping **ret, struct diags *diags)
{
	config_t cfg;
	config_init(&cfg);
	_cleanup_free_ char *dir = path_dirname(path);
	config_set_include_dir(&cfg, dir);
	size_t before = diags->n;
	int r = cfg_read_file(&cfg, path, diags);
	if (r < 0) {
		config_destroy(&cfg);
		return r;
	}

	struct mapping *m = xcalloc(1, sizeof(*m));
	*m = (struct mapping){
		.path = xstrdup(path), .encoding = CSV_UTF8, .delimiter = ',',
		.timestamp_format = xstrdup("%d/%m/%Y %H:%M"), .date_format = xstrdup("%d/%m/%Y"),
		.fold = IMPORT_FOLD_EARLIER,
	};
	struct mloader l = { .x = { .diags = diags, .path = path }, .m = m };
	const config_setting_t *root = config_root_setting(&cfg);
	static const char *const keys[] = {
		"encoding", "delimiter", "timestamp_format", "date_format", "ambiguous_time", "sources", NULL,
	};
	cfg_check_keys(&l.x, root, keys, "a mapping");
	const config_setting_t *s;
	if ((s = config_setting_get_member(root, "encoding")))
		load_encoding(&l, s);
	if ((s = config_setting_get_member(root, "delimiter")))
		load_delimiter(&l, s);
	if ((s = config_setting_get_member(root, "timestamp_format")))
		load_format(&l, s, "timestamp_format", &m->timestamp_format);
	if ((s = config_setting_get_member(root, "date_format")))
		load_format(&l, s, "date_format", &m->date_format);
	if ((s = config_setting_get_member(root, "ambiguous_time")))
		load_fold(&l, s);
	if (!(s = config_setting_get_member(root, "sources")))
		diags_add(diags, path, 0, "mapping has no sources (sources = ( { match = \"...\"; into = \"...\"; "
			  "key = ...; columns = { ... }; } );)");
	else if (config_setting_type(s) != CONFIG_TYPE_LIST)
		problem(&l, s, "sources must be a list of sources, like sources = ( { match = \"...\"; ... } );, "
			"not %s", cfg_type_name(config_setting_type(s)));
	else if (config_setting_length(s) == 0)
		problem(&l, s, "sources is an empty list: the mapping would read no file");
	else
		for (int i = 0; i < config_setting_length(s); i++)
			load_source(&l, config_setting_get_elem(s, (unsigned)i));
	config_destroy(&cfg);
	strv_free(l.matches, l.n_matches);
	free(l.match_lines);

	if (diags->n > before) {
		mapping_free(m);
		return -EINVAL;
	}
	*ret = m;
	return 0;
}

/* ---- Use --------------------------------------------------------------- */

/* value with the spaces around it left out: its start and length. */
static const char *trimmed(const char *value, size_t *ret_len)
{
	while (*value == ' ')
		value++;
	size_t len = strlen(value);
	while (len > 0 && value[len - 1] == ' ')
		len--;
	*ret_len = len;
	return value;
}

bool map_is_yes(const struct map_source *s, const char *value)
{
	if (!value)
		return false;
	size_t len;
	const char *v = trimmed(value, &len);
	for (size_t i = 0; i < s->n_yes; i++)
		if (strlen(s->yes[i]) == len && strncasecmp(s->yes[i], v, len) == 0)
			return true;
	return false;
}

const struct map_source *mapping_source_for(const struct mapping *m, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < m->n_sources; i++)
		if (fnmatch(m->sources[i].match, base, 0) == 0)
			return &m->sources[i];
	return NULL;
}

const char *map_translate(const struct map_column *c, const char *value)
{
	if (c->n_values == 0 || !value)
		return value;
	size_t len;
	const char *v = trimmed(value, &len);
	for (size_t i = 0; i < c->n_values; i++)
		if (strlen(c->values[i].from) == len && memcmp(c->values[i].from, v, len) == 0)
			return c->values[i].to;
	return NULL;
}

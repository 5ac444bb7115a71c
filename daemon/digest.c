/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "import.h"
#include "inbox.h"
#include "outbox-int.h"
#include "report.h"
#include "rules.h"
#include "tally.h"
#include "tmpl.h"
#include "util.h"

/* Digests: each officer's morning list, and the managers'. */

struct drow {
	char *officer, *team, *ref, *rule, *due, *state, *stage, *party_role;
	int64_t due_day, overdue_at, party_id;
	size_t count[3]; /* a row of counts (manager_lines' by team and officer), or the officer's totals (officer_digests) */
	bool folded; /* a notice of this scan says it too (officer_digests) */
};

static void drows_free_one(struct drow *d)
{
	free(d->officer);
	free(d->team);
	free(d->ref);
	free(d->rule);
	free(d->due);
	free(d->state);
	free(d->stage);
	free(d->party_role);
}

static void drows_free(struct drow *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		drows_free_one(&v[i]);
	free(v);
}

/* A line read: officer, team, ref, rule, due, state, stage, due_day,
 * overdue_at, party_role, party_id. Cleaned as compose.c's item_read()
 * cleans them. */
static void drow_read(sqlite3_stmt *st, struct drow *d)
{
	*d = (struct drow){
		.officer = col_clean(st, 0, TEXT_MAX_ID),
		.team = col_clean(st, 1, TEXT_MAX_ID),
		.ref = col_clean(st, 2, TEXT_MAX_REF),
		.rule = col_clean(st, 3, MSG_MAX_RULE),
		.due = col_clean(st, 4, MSG_MAX_WORD),
		.state = col_clean(st, 5, MSG_MAX_WORD),
		.stage = col_clean(st, 6, MSG_MAX_WORD),
		.party_role = col_clean(st, 9, MSG_MAX_WORD),
		.due_day = -1,
		.party_id = sqlite3_column_int64(st, 10),
	};
	cw_day day;
	const char *dd = (const char *)sqlite3_column_text(st, 7);
	if (dd && date_parse(dd, &day) == 0)
		d->due_day = day;
	d->overdue_at = sqlite3_column_int64(st, 8);
}

/* Counts by team and officer (each a row with its counts[3]), as a GROUP
 * BY c.team, c.officer of the rows would make them, counted in C in a
 * pass that reads the rows for something else: at 1,000,000 cases the
 * GROUP BY sorted 700,000 rows, 1.1 s, for forty rows of counts. */
struct pair_counts {
	struct drow *v; /* officer and team as stored, while counting */
	size_t n, cap;
	size_t *slot; /* open addressing into v: index + 1, 0 empty */
	size_t n_slots;
};

static uint64_t pair_hash(const char *team, const char *officer)
{
	return hash_str(hash_str(HASH_INIT, team), officer);
}

static uint64_t pair_hash_at(const void *ctx, size_t i)
{
	const struct drow *d = &((const struct pair_counts *)ctx)->v[i];
	return pair_hash(d->team, d->officer);
}

static int cmp_null_first(const char *a, const char *b)
{
	return !a || !b ? (a != NULL) - (b != NULL) : strcmp(a, b);
}

static size_t *pair_count(struct pair_counts *pc, const char *team, const char *officer)
{
	pc->slot = map_grow(pc->slot, &pc->n_slots, pc->n, pair_hash_at, pc);
	size_t s = (size_t)pair_hash(team, officer) & (pc->n_slots - 1);
	for (; pc->slot[s]; s = (s + 1) & (pc->n_slots - 1)) {
		struct drow *d = &pc->v[pc->slot[s] - 1];
		if (cmp_null_first(d->team, team) == 0 && cmp_null_first(d->officer, officer) == 0)
			return d->count;
	}
	pc->v = xgrow(pc->v, &pc->cap, pc->n + 1, sizeof(*pc->v));
	pc->v[pc->n] = (struct drow){ .team = team ? xstrdup(team) : NULL, .officer = officer ? xstrdup(officer) : NULL };
	pc->slot[s] = ++pc->n;
	return pc->v[pc->n - 1].count;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct drow *x = a, *y = b;
	int c = cmp_null_first(x->team, y->team);
	return c ? c : cmp_null_first(x->officer, y->officer);
}

/* The rows counted, in the order of the teams and of the officers within
 * each, their names cleaned as col_clean() cleans a column. */
static void pair_take(struct pair_counts *pc, struct drow **ret, size_t *ret_n)
{
	if (pc->n > 1)
		qsort(pc->v, pc->n, sizeof(*pc->v), pair_cmp);
	for (size_t i = 0; i < pc->n; i++) {
		char *o = pc->v[i].officer, *t = pc->v[i].team;
		pc->v[i].officer = text_clean(o, TEXT_MAX_ID, NULL);
		pc->v[i].team = text_clean(t, TEXT_MAX_ID, NULL);
		free(o);
		free(t);
	}
	*ret = pc->v;
	*ret_n = pc->n;
	free(pc->slot);
	*pc = (struct pair_counts){ 0 };
}

static void pair_counts_free(struct pair_counts *pc)
{
	drows_free(pc->v, pc->n);
	free(pc->slot);
	*pc = (struct pair_counts){ 0 };
}

static void drow_fields(struct composer *m, struct tmpl_data *d, const struct drow *r)
{
	struct item it = {
		.ref = r->ref, .rule = r->rule, .stage = r->stage ? r->stage : (char *)"overdue", .due = r->due,
		.team = r->team, .officer = r->officer, .due_day = r->due_day, .overdue_at = r->overdue_at,
		.hours = r->due && strlen(r->due) > 10, .party_role = r->party_role,
	};
	item_fields(m, d, &it, false);
}

/* A summary that says first that the data is stale, when it is. */
static char *with_stale(struct composer *m, char *summary)
{
	if (!m->ctx->report->stale)
		return summary;
	char *s = xasprintf("case data out of date, %s", summary);
	free(summary);
	return s;
}

static void set_stale(struct composer *m, struct tmpl_data *d)
{
	_cleanup_free_ char *t = stale_text(m);
	if (t)
		tmpl_data_set(d, "stale", t);
}

/* What went wrong with imports: each file waiting in the inbox's failed/
 * folder, and each run since `since` that rejected rows. */
struct import_problems {
	struct composer *m;
	struct tmpl_data *d;
	size_t n, n_failed;
};
/* Files in failed/ listed one by one; the rest are counted. */
#define DIGEST_FAILED_MAX 20

static void on_failed(void *userdata, const char *name, const char *problem)
{
	struct import_problems *p = userdata;
	if (p->n_failed++ >= DIGEST_FAILED_MAX)
		return;
	struct tmpl_data *e = tmpl_data_add(p->d, "import_problems");
	tmpl_data_set(e, "file", name);
	/* "NAME:LINE: what" reads "line LINE: what" after the name. */
	size_t k = strlen(name);
	const char *rest = problem, *where = "";
	char line[32] = "";
	if (strncmp(problem, name, k) == 0 && problem[k] == ':') {
		rest = problem + k + 1;
		size_t digits = strspn(rest, "0123456789");
		if (digits && digits < 12 && rest[digits] == ':') {
			snprintf(line, sizeof(line), "line %.*s: ", (int)digits, rest);
			where = line;
			rest += digits + 1;
		}
		rest += strspn(rest, " ");
	}
	_cleanup_free_ char *what = xasprintf("not imported, waiting in %s/failed: %s%s", p->m->conf->import_inbox,
					      where, rest);
	tmpl_data_set(e, "problem", what);
	p->n++;
}

static size_t import_problems(struct composer *m, sqlite3 *cdb, int64_t since, struct tmpl_data *d)
{
	struct import_problems p = { .m = m, .d = d };
	if (!m->conf->import)
		return 0;
	if (m->conf->import_inbox)
		(void)inbox_failed(m->conf->import_inbox, on_failed, &p);
	if (p.n_failed > DIGEST_FAILED_MAX) {
		struct tmpl_data *e = tmpl_data_add(d, "import_problems");
		tmpl_data_setf(e, "file", "%zu more files", p.n_failed - DIGEST_FAILED_MAX);
		tmpl_data_setf(e, "problem", "not imported, waiting in %s/failed", m->conf->import_inbox);
		p.n++;
	}
	sqlite3_stmt *st;
	/* No table: no import yet. */
	if (!cdb || sqlite3_prepare_v2(cdb, "SELECT at, files, rejected FROM " IMPORT_RUNS_TABLE
				       " WHERE rejected > 0 AND at >= ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return p.n;
	sqlite3_bind_int64(st, 1, since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct tmpl_data *e = tmpl_data_add(d, "import_problems");
		_cleanup_free_ char *files = col_clean(st, 1, MSG_MAX_LINE);
		char at[TZ_TIMESTAMP_STRLEN];
		_cleanup_free_ char *when = due_text(tz_format_timestamp(m->ctx->tz, sqlite3_column_int64(st, 0), at));
		int64_t n = sqlite3_column_int64(st, 2);
		tmpl_data_set(e, "file", files ? files : "");
		tmpl_data_setf(e, "problem", "imported %s with %lld row%s rejected (listed in the report beside "
			       "each file)", when, (long long)n, n == 1 ? "" : "s");
		p.n++;
	}
	sqlite3_finalize(st);
	return p.n;
}

/* What an officer's morning digest lists (?1 today, ?9 the stale-data
 * hold). */
/* The digests read every unmet obligation of the state with its case:
 * case by case, each case's obligations by their key, is a sequential
 * read of both tables (CROSS JOIN fixes that order); through an index
 * by state (state schemas before 10 had one), each row was a lookup into
 * the table, eight times slower at 100,000 cases. */
#define DIGEST_FROM "FROM cases c CROSS JOIN obligations o ON o.case_id = c.case_id "

#define OFFICER_DIGEST_WHERE \
	"c.open = 1 AND c.officer IS NOT NULL AND ((o.state = 'overdue' AND coalesce(o.overdue_at, 0) <= ?9) OR " \
	"(o.state = 'pending' AND (o.due_day = ?1 OR o.stage = 'upcoming')))"

/* The first DIGEST_ITEMS lines of each group (an officer, or a team) of
 * the rows of a plain SELECT, chosen in one pass in C: as a window over
 * the rows (row_number() OVER (PARTITION BY ...)), SQLite sorted every
 * row, 10 s of a first scan of 1,000,000 cases against 1 s to read them.
 * The columns are drow_read()'s; `prio` ranks a row first (smaller
 * first), then its deadline's day and time (none first), case
 * reference, rule and party, as the SQL ordered them, comparing the
 * texts as stored. */
struct topline {
	struct drow d;
	int prio;
	char *key_officer, *key_due_day, *key_due, *key_ref, *key_rule; /* as stored */
	int64_t key_party;
};

struct topgroup {
	char *key; /* the officer or team as stored */
	struct topline *v; /* the first DIGEST_ITEMS so far, in rank order */
	size_t n;
	size_t count[3];
};

struct topk {
	struct topgroup *g;
	size_t n, cap;
	size_t *slot; /* open addressing into g: index + 1, 0 empty */
	size_t n_slots;
};

static int topline_keys_cmp(const struct topline *a, const struct topline *b)
{
	int c = cmp_null_first(a->key_due_day, b->key_due_day);
	if (!c)
		c = cmp_null_first(a->key_due, b->key_due);
	if (!c)
		c = strcmp(a->key_ref, b->key_ref);
	if (!c)
		c = strcmp(a->key_rule, b->key_rule);
	if (!c)
		c = (a->key_party > b->key_party) - (a->key_party < b->key_party);
	return c;
}

static int topline_rank_cmp(const struct topline *a, const struct topline *b)
{
	return a->prio != b->prio ? (a->prio > b->prio) - (a->prio < b->prio) : topline_keys_cmp(a, b);
}

/* The order of the lines out: by officer (within a team) when by_officer,
 * then by deadline. */
static int topline_out_cmp_officer(const void *x, const void *y)
{
	const struct topline *a = x, *b = y;
	int c = cmp_null_first(a->key_officer, b->key_officer);
	return c ? c : topline_keys_cmp(a, b);
}

static int topline_out_cmp(const void *x, const void *y)
{
	return topline_keys_cmp(x, y);
}

static int topgroup_cmp(const void *x, const void *y)
{
	const struct topgroup *a = x, *b = y;
	return cmp_null_first(a->key, b->key);
}

static void topline_free(struct topline *t)
{
	free(t->key_officer);
	free(t->key_due_day);
	free(t->key_due);
	free(t->key_ref);
	free(t->key_rule);
}

static char *col_text_dup(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? xstrdup(t) : NULL;
}

static uint64_t topgroup_hash(const void *ctx, size_t i)
{
	return hash_str(HASH_INIT, ((const struct topk *)ctx)->g[i].key);
}

static struct topgroup *topk_group(struct topk *t, const char *key)
{
	t->slot = map_grow(t->slot, &t->n_slots, t->n, topgroup_hash, t);
	size_t s = (size_t)hash_str(HASH_INIT, key) & (t->n_slots - 1);
	for (; t->slot[s]; s = (s + 1) & (t->n_slots - 1)) {
		struct topgroup *g = &t->g[t->slot[s] - 1];
		if (cmp_null_first(g->key, key) == 0)
			return g;
	}
	t->g = xgrow(t->g, &t->cap, t->n + 1, sizeof(*t->g));
	t->g[t->n] = (struct topgroup){ .key = key ? xstrdup(key) : NULL };
	t->slot[s] = ++t->n;
	return &t->g[t->n - 1];
}

/* The row of st as a line of group g, when it is among its first
 * DIGEST_ITEMS (as it stands): columns as drow_read(). */
static void topk_offer(struct topgroup *g, sqlite3_stmt *st, int prio)
{
	struct topline cand = {
		.prio = prio,
		.key_due_day = (char *)sqlite3_column_text(st, 7),
		.key_due = (char *)sqlite3_column_text(st, 4),
		.key_ref = (char *)sqlite3_column_text(st, 2),
		.key_rule = (char *)sqlite3_column_text(st, 3),
		.key_party = sqlite3_column_int64(st, 10),
	};
	if (!cand.key_ref)
		cand.key_ref = (char *)"";
	if (!cand.key_rule)
		cand.key_rule = (char *)"";
	if (g->n == DIGEST_ITEMS && topline_rank_cmp(&cand, &g->v[g->n - 1]) >= 0)
		return;
	/* In: the last one out when full, and the rest moved up. */
	if (!g->v)
		g->v = xcalloc(DIGEST_ITEMS, sizeof(*g->v));
	if (g->n == DIGEST_ITEMS) {
		topline_free(&g->v[g->n - 1]);
		drows_free_one(&g->v[g->n - 1].d);
		g->n--;
	}
	size_t at = g->n;
	while (at > 0 && topline_rank_cmp(&cand, &g->v[at - 1]) < 0)
		at--;
	memmove(&g->v[at + 1], &g->v[at], (g->n - at) * sizeof(*g->v));
	struct topline *t = &g->v[at];
	g->n++;
	*t = cand;
	t->key_officer = col_text_dup(st, 0);
	t->key_due_day = col_text_dup(st, 7);
	t->key_due = col_text_dup(st, 4);
	t->key_ref = xstrdup(cand.key_ref);
	t->key_rule = xstrdup(cand.key_rule);
	drow_read(st, &t->d);
}

/* The lines of t, group by group in order, each group's in out_cmp's
 * order, as drows; t is emptied. */
static void topk_take(struct topk *t, int (*out_cmp)(const void *, const void *), struct drow **ret, size_t *ret_n)
{
	size_t total = 0;
	for (size_t i = 0; i < t->n; i++)
		total += t->g[i].n;
	struct drow *v = xcalloc(total + 1, sizeof(*v));
	size_t n = 0;
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), topgroup_cmp);
	for (size_t i = 0; i < t->n; i++) {
		struct topgroup *g = &t->g[i];
		if (g->n > 1)
			qsort(g->v, g->n, sizeof(*g->v), out_cmp);
		for (size_t k = 0; k < g->n; k++) {
			v[n] = g->v[k].d;
			memcpy(v[n].count, g->count, sizeof(g->count));
			n++;
			topline_free(&g->v[k]);
		}
		free(g->v);
		free(g->key);
	}
	free(t->g);
	free(t->slot);
	*t = (struct topk){ 0 };
	*ret = v;
	*ret_n = n;
}

static void topk_free(struct topk *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->g[i].n; k++) {
			topline_free(&t->g[i].v[k]);
			drows_free_one(&t->g[i].v[k].d);
		}
		free(t->g[i].v);
		free(t->g[i].key);
	}
	free(t->g);
	free(t->slot);
	*t = (struct topk){ 0 };
}

#define DRAW_COLUMNS \
	"c.officer, c.team, c.ref, o.rule, o.due, o.state, o.stage, o.due_day, o.overdue_at, o.party_role, o.party_id "

/* Each officer's first DIGEST_ITEMS lines of the morning digest: overdue
 * (unless held for stale data), then due today, then coming up, the
 * oldest deadline first; each line with the officer's totals (overdue,
 * due today, coming up) in count[]. In the order of the officers, and of
 * the deadlines within each. */
static int officer_lines(struct composer *m, struct drow **ret, size_t *ret_n, char **ret_err)
{
	static const char sql[] = "SELECT " DRAW_COLUMNS DIGEST_FROM "WHERE " OFFICER_DIGEST_WHERE;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	char today[DATE_STRLEN];
	date_format(m->today, today);
	sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, m->hold_after);
	struct topk t = { 0 };
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 5);
		const char *day = (const char *)sqlite3_column_text(st, 7);
		bool overdue = state && strcmp(state, "overdue") == 0, due_today = day && strcmp(day, today) == 0;
		struct topgroup *g = topk_group(&t, (const char *)sqlite3_column_text(st, 0));
		g->count[overdue ? 0 : due_today ? 1 : 2]++;
		topk_offer(g, st, overdue ? 0 : due_today ? 1 : 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		topk_free(&t);
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	}
	topk_take(&t, topline_out_cmp, ret, ret_n);
	return 0;
}

/* Each team's first DIGEST_ITEMS overdue items of open cases, those late
 * since the last digest (`since`) first, then the oldest deadline; not
 * those held while the data is stale. In the order of the teams, then of
 * the officers and deadlines within each. And in the same pass, in *tot,
 * every overdue item of open cases counted by team and officer: [0] late
 * and not escalated, [1] escalated, [2] held (late since the last import,
 * maybe not late at all). */
static int manager_lines(struct composer *m, int64_t since, struct drow **ret, size_t *ret_n, struct drow **ret_tot,
			 size_t *ret_n_tot, char **ret_err)
{
	static const char sql[] = "SELECT " DRAW_COLUMNS DIGEST_FROM "WHERE c.open = 1 AND o.state = 'overdue'";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	struct topk t = { 0 };
	struct pair_counts pc = { 0 };
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* As coalesce(o.overdue_at, 0) <= hold_after in SQL. */
		int64_t late = sqlite3_column_int64(st, 8);
		const char *stage = (const char *)sqlite3_column_text(st, 6);
		bool held = late > m->hold_after, escalated = stage && strcmp(stage, "escalated") == 0;
		const char *team = (const char *)sqlite3_column_text(st, 1);
		size_t *count = pair_count(&pc, team, (const char *)sqlite3_column_text(st, 0));
		count[held ? 2 : escalated ? 1 : 0]++;
		if (held)
			continue;
		struct topgroup *g = topk_group(&t, team);
		topk_offer(g, st, late > since ? 0 : 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		topk_free(&t);
		pair_counts_free(&pc);
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	}
	topk_take(&t, topline_out_cmp_officer, ret, ret_n);
	pair_take(&pc, ret_tot, ret_n_tot);
	return 0;
}

/* Add `to` to the addresses that get a digest in this scan, once. */
static void digest_to_add(struct composer *m, const char *to, size_t *cap)
{
	if (!address_usable(to) || strv_contains(m->digest_to, m->n_digest_to, to))
		return;
	m->digest_to = xgrow(m->digest_to, cap, m->n_digest_to + 1, sizeof(*m->digest_to));
	m->digest_to[m->n_digest_to++] = xstrdup(to);
}

void digest_lines_free(struct composer *m)
{
	drows_free(m->olines, m->n_olines);
	m->olines = NULL;
	m->n_olines = 0;
	m->olines_read = false;
}

int digest_recipients(struct composer *m, bool officers, bool managers, char **ret_err)
{
	size_t cap = m->n_digest_to;
	for (size_t t = 0; managers && t < m->dir.n_teams; t++)
		digest_to_add(m, m->dir.teams[t].manager, &cap);
	if (!officers)
		return 0;
	/* The officers officer_digests() writes to: those with a line. Their
	 * lines are read now, once, and kept for it (a few per officer). */
	if (!m->olines_read) {
		int r = officer_lines(m, &m->olines, &m->n_olines, ret_err);
		if (r < 0)
			return r;
		m->olines_read = true;
	}
	for (size_t i = 0; i < m->n_olines; i++) {
		if (i > 0 && strcmp(m->olines[i].officer, m->olines[i - 1].officer) == 0)
			continue;
		const struct officer *o = directory_officer(&m->dir, m->olines[i].officer);
		if (o)
			digest_to_add(m, o->email, &cap);
	}
	return 0;
}

bool digest_bound(const struct composer *m, const char *to)
{
	return strv_contains(m->digest_to, m->n_digest_to, to);
}

/* "Mon 1 Mar to Sun 7 Mar", or one day's "Mon 1 Mar". */
static char *period_label(cw_day from, cw_day to, cw_day today)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	_cleanup_free_ char *x = deadline_text(date_format(from, a), today);
	if (from == to)
		return TAKE_PTR(x);
	_cleanup_free_ char *y = deadline_text(date_format(to, b), today);
	return xasprintf("%s to %s", x, y);
}

/* How many days this period of the on-time figures has: those since the
 * last regular digest (`last`, its time), so that no deadline falls
 * between two digests' periods (a Monday digest after a Friday one, a
 * weekly one a day late for a bank holiday); without one, a day or a week
 * as the digest's cadence. At least one day, at most 35. */
static int period_span(const struct composer *m, const char *last)
{
	int span = m->conf->manager_every == DIGEST_DAILY ? 1 : 7;
	if (last) {
		cw_day was = tz_local_day(m->ctx->tz, strtoll(last, NULL, 10));
		if (was < m->today)
			span = (int)(m->today - was);
	}
	return span < 1 ? 1 : span > 35 ? 35 : span;
}

/* A standard's on-time figure for a period, in field PREFIX ("83% (10 of
 * 12)", or "none fell due"), PREFIX_pct ("83%", or empty) and PREFIX_due
 * (12): of the obligations whose deadline fell in it, those met on time
 * among those decided (met, met late, or overdue). */
static void set_on_time(struct tmpl_data *e, const char *prefix, int64_t met, int64_t decided)
{
	_cleanup_free_ char *due_key = xasprintf("%s_due", prefix), *pct_key = xasprintf("%s_pct", prefix);
	if (decided > 0) {
		/* Rounded down: 199 of 200 is 99%, never 100%. */
		long long pct = 100 * met / decided;
		tmpl_data_setf(e, prefix, "%lld%% (%lld of %lld)", pct, (long long)met, (long long)decided);
		tmpl_data_setf(e, pct_key, "%lld%%", pct);
	} else {
		tmpl_data_set(e, prefix, "none fell due");
		tmpl_data_set(e, pct_key, "");
	}
	tmpl_data_setf(e, due_key, "%lld", (long long)decided);
}

/* Both NULL, or the same text. */
static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A notice folded into a digest and said by none of its lines: listed,
 * the first DIGEST_ITEMS of them, and *listed counts them all. A scan
 * after days without one can hold hundreds for one person. */
static void notice_listed(struct composer *m, struct tmpl_data *d, const struct item *it, size_t *listed)
{
	if (*listed < DIGEST_ITEMS)
		item_fields(m, tmpl_data_add(d, "notices"), it, true);
	(*listed)++;
}

static void notices_more(struct tmpl_data *d, size_t listed)
{
	if (listed > DIGEST_ITEMS)
		tmpl_data_setf(d, "notices_more", "%zu", listed - DIGEST_ITEMS);
}

/* The notices of this scan held back for address `to` (NULL: none). */
static struct notice_group *folded_group(struct composer *m, const char *to)
{
	struct notice_group *g = notice_group_find(m, false, to);
	return g && g->folded && !g->taken ? g : NULL;
}

/* Digest `id` (of `who`: officer or manager) to `to` was made: the
 * notices of g folded into it go with it, and the run says so. */
static int digest_made(struct composer *m, int64_t id, const char *to, const char *who, const char *summary,
		       struct notice_group *g, char **ret_err)
{
	int r = g ? notices_take(m, g, id, ret_err) : 0;
	m->ctx->report->messages++;
	size_t n = g ? g->n : 0;
	_cleanup_free_ char *with = n ? xasprintf(" (with %zu notification%s of this scan)", n, n == 1 ? "" : "s")
				      : xstrdup("");
	report_line(m->ctx->report, false, "message %lld to %s: %s digest: %s%s", (long long)id, to, who, summary,
		    with);
	return r;
}

/* Does notice `it` say what line v says? */
static bool notice_says(const struct item *it, const struct drow *v)
{
	return strcmp(it->ref, v->ref) == 0 && strcmp(it->rule, v->rule) == 0 && it->party_id == v->party_id;
}

/* Does notice `it` say one of the lines v[k] (with want[k], or any when
 * want is NULL)? */
static bool notice_in(const struct item *it, const struct drow *v, size_t n, const bool *want)
{
	for (size_t k = 0; k < n; k++)
		if ((!want || want[k]) && notice_says(it, &v[k]))
			return true;
	return false;
}

/* The lines of v[0..n) (with want[k], or all when want is NULL) that a
 * notice of group g says too are marked folded; read once, the notices
 * are not held. */
static int folded_mark(struct composer *m, struct notice_group *g, struct drow *v, size_t n, const bool *want,
		       char **ret_err)
{
	if (!g)
		return 0;
	struct notices ns;
	int r = notices_open(m, g, &ns, ret_err);
	while (r >= 0 && (r = notices_next(m, &ns, ret_err)) > 0)
		for (size_t k = 0; k < n; k++)
			if ((!want || want[k]) && notice_says(&ns.v[1], &v[k]))
				v[k].folded = true;
	notices_close(&ns);
	return r;
}

/* Every notice of g that no line of v[0..n) (with want) says is listed,
 * up to DIGEST_ITEMS, and *listed counts them all; *others those not
 * `mine` (which count = NULL leaves uncounted). Read again, one at a
 * time. */
static int folded_list(struct composer *m, struct notice_group *g, struct tmpl_data *d, const struct drow *v,
		       size_t n, const bool *want, bool (*mine)(struct composer *m, const struct item *it,
								const void *who),
		       const void *who, size_t *listed, size_t *others, char **ret_err)
{
	if (!g)
		return 0;
	struct notices ns;
	int r = notices_open(m, g, &ns, ret_err);
	while (r >= 0 && (r = notices_next(m, &ns, ret_err)) > 0)
		if (!notice_in(&ns.v[1], v, n, want) && !notices_repeat(&ns)) {
			notice_listed(m, d, &ns.v[1], listed);
			if (!mine(m, &ns.v[1], who))
				(*others)++;
		}
	notices_close(&ns);
	return r;
}

/* An officer's digest: a notice about one of the officer's own cases. */
static bool officer_own(struct composer *m, const struct item *it, const void *who)
{
	(void)m;
	return same_text(it->officer, who);
}

static int officer_digests(struct composer *m, const char *period, char **ret_err)
{
	/* Each officer's first DIGEST_ITEMS (officer_lines), each carrying
	 * the officer's totals. */
	struct drow *v = NULL;
	size_t n = 0;
	int r = 0;
	if (m->olines_read) {
		v = TAKE_PTR(m->olines);
		n = m->n_olines;
		m->n_olines = 0;
		m->olines_read = false;
	} else {
		r = officer_lines(m, &v, &n, ret_err);
	}
	char today[DATE_STRLEN];
	date_format(m->today, today);
	for (size_t i = 0; i < n && r >= 0;) {
		size_t j = i;
		while (j < n && strcmp(v[j].officer, v[i].officer) == 0)
			j++;
		const struct officer *o = directory_officer(&m->dir, v[i].officer);
		if (!o || !address_usable(o->email)) {
			i = j;
			continue;
		}
		/* The notices of this scan to the same address: each marks its
		 * line in the lists as new, or is listed below them. */
		struct notice_group *g = folded_group(m, o->email);
		struct tmpl_data *d = tmpl_data_new();
		size_t counts[4] = { 0 }, listed = 0;
		/* Every notice no line says is listed, even one of the
		 * officer's own the lists leave out past their bound (it is
		 * in their totals, so not counted again), up to DIGEST_ITEMS:
		 * the rest are counted. */
		if ((r = folded_mark(m, g, v + i, j - i, NULL, ret_err)) < 0 ||
		    (r = folded_list(m, g, d, v + i, j - i, NULL, officer_own, v[i].officer, &listed, &counts[3],
				     ret_err)) < 0) {
			tmpl_data_free(d);
			break;
		}
		notices_more(d, listed);
		for (size_t k = i; k < j; k++) {
			const char *list;
			if (strcmp(v[k].state, "overdue") == 0)
				list = "overdue";
			else if (v[k].due_day == m->today)
				list = "due_today";
			else
				list = "upcoming";
			struct tmpl_data *line = tmpl_data_add(d, list);
			drow_fields(m, line, &v[k]);
			tmpl_data_set(line, "new", v[k].folded ? "new" : "");
		}
		/* The officer's totals, listed or not. */
		counts[1] = v[i].count[0];
		counts[0] = v[i].count[1];
		counts[2] = v[i].count[2];
		size_t total = counts[0] + counts[1] + counts[2];
		if (total > j - i)
			tmpl_data_setf(d, "more", "%zu", total - (j - i));
		static const char *const labels[] = { "due today", "overdue", "coming up", "also for you" };
		_cleanup_free_ char *summary = with_stale(m, summary_text(labels, counts, 4));
		tmpl_data_set(d, "summary", summary);
		set_stale(m, d);
		tmpl_data_set(d, "officer", directory_officer_name(&m->dir, v[i].officer));
		tmpl_data_set(d, "date", today);
		int64_t id = add_email(m, MSG_OFFICER_DIGEST, o->email, period, -1, d, ret_err);
		tmpl_data_free(d);
		if (id < 0)
			r = (int)id;
		else if (id > 0)
			r = digest_made(m, id, o->email, "officer", summary, g, ret_err);
		i = j;
	}
	drows_free(v, n);
	return r;
}

/* Each manager's digest for `period` (the key that makes it one per
 * manager), headed `shown`. An alert (stale data) does not count as the
 * last digest: the next one still lists what came since the one before. */
/* Is the notice's obligation one the managers' digest to `to` counts
 * (overdue or escalated, of a team `to` manages)? Listed or not, it is in
 * the digest's totals. */
static bool counted_for(const struct composer *m, const struct item *it, const char *to)
{
	const struct team *tm = directory_team(&m->dir, it->team);
	return tm && tm->manager && strcmp(tm->manager, to) == 0 &&
	       (strcmp(it->stage, "overdue") == 0 || strcmp(it->stage, "escalated") == 0);
}

static bool manager_counts(struct composer *m, const struct item *it, const void *to)
{
	return counted_for(m, it, to);
}

/* A team of the managers' digest: its total, and how many are not
 * listed. */
static void team_done(struct tmpl_data *team, size_t n, size_t listed)
{
	if (!team)
		return;
	tmpl_data_setf(team, "count", "%zu", n);
	if (n > listed)
		tmpl_data_setf(team, "more", "%zu", n - listed);
}

/* A team's and officer's figures for the managers' digest: of the
 * obligations whose deadline fell in this period, met on time and
 * decided (set_on_time), and how many of their open cases' are overdue
 * now (not held). */
struct person {
	char *team, *officer;
	int64_t met, decided;
	size_t overdue;
};

static int person_cmp(const void *a, const void *b)
{
	const struct person *x = a, *y = b;
	/* By team, then officer; none last. */
	if (!same_text(x->team, y->team))
		return !x->team ? 1 : !y->team ? -1 : strcmp(x->team, y->team);
	if (same_text(x->officer, y->officer))
		return 0;
	return !x->officer ? 1 : !y->officer ? -1 : strcmp(x->officer, y->officer);
}

static void people_free(struct person *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].team);
		free(v[i].officer);
	}
	free(v);
}

/* The managers' figures from every case evaluated at the moment (the
 * state database keeps only unmet obligations): each standard's
 * obligations by state, and each standard's and each team's
 * and officer's obligations whose deadline's local date fell in this
 * period (and, for the standards, the last), met on time and decided
 * (met, met late, or overdue unless held for stale data). A gate, which
 * has no deadline, is not counted. */
struct figures {
	const struct tz *tz;
	int64_t hold_after; /* the composer's */
	cw_day p_from, p_to, l_from, l_to;
	int64_t (*rule)[4]; /* this met, this decided, last met, last decided */
	int64_t (*states)[_OB_STATE_MAX]; /* each rule's obligations by state */
	bool *seen;         /* the rule has obligations */
	struct person *people;
	size_t n_people, cap_people;
	int64_t last_case;
	size_t last_person;
};

/* The index of (team, officer) among f's people, from `hint` (the last
 * one found) on, then from the start; added when missing and `add`, else
 * f->n_people. */
static size_t person_index(struct figures *f, const char *team, const char *officer, size_t hint, bool add)
{
	size_t i = hint < f->n_people && same_text(f->people[hint].team, team) &&
				   same_text(f->people[hint].officer, officer)
			   ? hint
			   : 0;
	while (i < f->n_people && !(same_text(f->people[i].team, team) && same_text(f->people[i].officer, officer)))
		i++;
	if (i == f->n_people && add) {
		f->people = xgrow(f->people, &f->cap_people, f->n_people + 1, sizeof(*f->people));
		f->people[f->n_people++] = (struct person){
			.team = team ? xstrdup(team) : NULL,
			.officer = officer ? xstrdup(officer) : NULL,
		};
	}
	return i;
}

/* Cases come in id order, often one officer's after another's: the last
 * case's person is tried first. */
static size_t person_of(struct figures *f, const struct eval_case *c)
{
	if (c->id != f->last_case) {
		f->last_person = person_index(f, c->team, c->officer, f->last_person, true);
		f->last_case = c->id;
	}
	return f->last_person;
}

static void figures_add(const struct eval_case *c, const struct obligation *o, void *userdata)
{
	struct figures *f = userdata;
	f->seen[o->rule] = true;
	f->states[o->rule][o->state]++;
	if (!o->has_due)
		return;
	cw_day day = o->due_instant ? tz_local_day(f->tz, o->due_at) : o->due_day;
	bool this = day >= f->p_from && day <= f->p_to, last = day >= f->l_from && day <= f->l_to;
	if (!this && !last)
		return;
	bool met = o->state == OB_MET,
	     decided = met || o->state == OB_MET_LATE || (o->state == OB_OVERDUE && o->overdue_at <= f->hold_after);
	int k = this ? 0 : 2;
	f->rule[o->rule][k] += met;
	f->rule[o->rule][k + 1] += decided;
	if (this) {
		size_t i = person_of(f, c); /* may move f->people */
		struct person *p = &f->people[i];
		p->met += met;
		p->decided += decided;
	}
}

/* Add to the people of f those with something overdue now (tot), and
 * put them in order. */
static void figures_people(struct figures *f, const struct drow *tot, size_t n_tot)
{
	for (size_t q = 0; q < n_tot; q++) {
		size_t here = tot[q].count[0] + tot[q].count[1];
		size_t i = person_index(f, tot[q].team, tot[q].officer, 0, here > 0);
		if (i < f->n_people)
			f->people[i].overdue += here;
	}
	if (f->n_people)
		qsort(f->people, f->n_people, sizeof(*f->people), person_cmp);
}

static void figures_free(struct figures *f)
{
	free(f->rule);
	free(f->states);
	free(f->seen);
	people_free(f->people, f->n_people);
}

/* The figures of the teams that `to` manages, by team and officer. */
static void people_fields(struct composer *m, struct tmpl_data *d, const char *to, const struct person *v,
			  size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && same_text(v[j].team, v[i].team))
			j++;
		const struct team *tm = directory_team(&m->dir, v[i].team);
		if (tm && tm->manager && strcmp(tm->manager, to) == 0) {
			tmpl_data_set(d, "by_team", "yes");
			struct tmpl_data *t = tmpl_data_add(d, "team_totals");
			int64_t met = 0, decided = 0;
			size_t overdue = 0;
			for (size_t k = i; k < j; k++) {
				struct tmpl_data *o = tmpl_data_add(t, "officers");
				tmpl_data_set(o, "officer",
					      v[k].officer ? directory_officer_name(&m->dir, v[k].officer) : "(no officer)");
				set_on_time(o, "this", v[k].met, v[k].decided);
				tmpl_data_setf(o, "overdue", "%zu", v[k].overdue);
				met += v[k].met;
				decided += v[k].decided;
				overdue += v[k].overdue;
			}
			tmpl_data_set(t, "team", directory_team_name(&m->dir, v[i].team));
			set_on_time(t, "this", met, decided);
			tmpl_data_setf(t, "overdue", "%zu", overdue);
		}
		i = j;
	}
}

/* What the managers' figures of a scan are counted with: the figures (f)
 * and the report of the unit's targets this month so far and last month
 * (rep), filled case by case, from an evaluation of every case made for
 * them (manager_figures()) or from a full scan's own (digest_share). The
 * report's evaluator is ev: the run must not move once begun. */
struct figures_run {
	struct evaluator ev;
	struct figures fg;
	struct report *rep;
	struct report_filler fill;
	/* What the figures depend on beyond the case database and the
	 * moment (the scan's, the same outbox_ctx's in the compose step):
	 * the same in both, or the share is not used. */
	int span;
};

static void figures_begin(struct figures_run *fr, const struct composer *m, int span)
{
	static const struct report_fill_fns fns = { .obligation = figures_add };
	const struct conf *c = m->conf;
	fr->ev = (struct evaluator){ .rules = &c->ruleset, .cal = m->ctx->cal, .tz = m->ctx->tz, .at = m->ctx->at };
	fr->span = span;
	cw_day p_to = m->today - 1, p_from = m->today - span;
	fr->fg = (struct figures){
		.tz = m->ctx->tz,
		.hold_after = m->hold_after,
		.p_from = p_from,
		.p_to = p_to,
		.l_from = p_from - span,
		.l_to = p_from - 1,
		.rule = xcalloc(c->ruleset.n + 1, sizeof(*fr->fg.rule)),
		.states = xcalloc(c->ruleset.n + 1, sizeof(*fr->fg.states)),
		.seen = xcalloc(c->ruleset.n + 1, sizeof(bool)),
		.last_case = INT64_MIN,
	};
	cw_day from = report_period_add(REPORT_BY_MONTH, m->today, -1);
	if (!calendar_in_range(from))
		from = m->today;
	fr->rep = report_new(&fr->ev, REPORT_BY_MONTH, from, m->today, NULL, NULL);
	report_fill_begin(&fr->fill, fr->rep, &fns, &fr->fg);
}

/* The figures counted: moved to *f, and the targets' report to *ret (NULL
 * when its two months are outside the calendar's years). */
static int figures_end(struct figures_run *fr, sqlite3 *cdb, struct figures *f, struct report **ret, char **ret_err)
{
	struct tally t;
	int r = report_fill_end(&fr->fill, cdb, &t, ret_err);
	*f = fr->fg;
	fr->fg = (struct figures){ 0 };
	*ret = NULL;
	if (r >= 0) {
		report_finish(fr->rep);
		if (fr->rep->n_periods == 2)
			*ret = TAKE_PTR(fr->rep);
	}
	report_free(fr->rep);
	fr->rep = NULL;
	return r;
}

static void figures_run_free(struct figures_run *fr)
{
	figures_free(&fr->fg);
	report_free(fr->rep);
	fr->rep = NULL;
}

/* A full scan's evaluation of every case, counted for the managers'
 * digests of the compose step that follows it: the same counts as
 * manager_figures() would make by evaluating every case again, which took
 * as long as the scan's own evaluation. */
struct digest_share {
	struct figures_run fr;
	bool begun;
};

void digest_share_free(struct digest_share *sh)
{
	if (!sh)
		return;
	figures_run_free(&sh->fr);
	free(sh);
}

/* What makes the stale-data alert one per manager for each time the data
 * goes stale: the last import's time. */
#define STALE_KEY_STRLEN 32
static const char *stale_key(const struct composer *m, char key[static STALE_KEY_STRLEN])
{
	snprintf(key, STALE_KEY_STRLEN, "stale-%lld", (long long)m->ctx->report->last_import);
	return key;
}

/* Will compose_digests() make the managers' digests (the regular one or
 * the alert on stale data) in this scan? As it decides. */
static int managers_due(struct composer *m, bool *ret, char **ret_err)
{
	const struct conf *c = m->conf;
	bool regular;
	char period[MANAGER_PERIOD_STRLEN], key[STALE_KEY_STRLEN];
	*ret = false;
	int r = manager_digest_due(m, &regular, period, ret_err);
	if (r < 0)
		return r;
	if (regular) {
		*ret = m->minutes >= c->manager_time;
		return 0;
	}
	if (!m->ctx->report->stale ||
	    !(calendar_is_working_day(m->ctx->cal, m->today) || c->window_every_day) || m->minutes < c->window_from ||
	    m->minutes >= c->window_to)
		return 0;
	_cleanup_free_ char *done = NULL;
	if ((r = meta_text(m->db, "stale_alert", &done, ret_err)) < 0)
		return r;
	*ret = !done || strcmp(done, stale_key(m, key)) != 0;
	return 0;
}

int outbox_full_begin(void *userdata, sqlite3 *db, sqlite3 *cdb, bool *ret_want, char **ret_err)
{
	struct outbox_ctx *ctx = userdata;
	struct composer m = composer_at(ctx, db, cdb);
	*ret_want = false;
	digest_share_free(ctx->report->share);
	ctx->report->share = NULL;
	if (ctx->conf->manager_every == DIGEST_NEVER)
		return 0;
	bool due;
	int r;
	if ((r = composer_freshness(&m, cdb, ret_err)) < 0 || (r = managers_due(&m, &due, ret_err)) < 0 || !due)
		return r;
	_cleanup_free_ char *last = NULL;
	if ((r = meta_text(db, "manager_digest_at", &last, ret_err)) < 0)
		return r;
	struct digest_share *sh = xcalloc(1, sizeof(*sh));
	sh->begun = true;
	figures_begin(&sh->fr, &m, period_span(&m, last));
	ctx->report->share = sh;
	*ret_want = true;
	return 0;
}

void outbox_each(void *userdata, const struct eval_case *c, const struct eval_result *res)
{
	struct outbox_ctx *ctx = userdata;
	struct digest_share *sh = ctx->report->share;
	if (sh && sh->begun)
		report_fill_case(&sh->fr.fill, c, res);
}

/* The figures for a digest composed now: from the scan's evaluation when
 * it counted them for the same moment, day, periods and hold on stale
 * data; else from an evaluation of every case, in `own`, which must
 * outlive *ret (the report refers to its evaluator). */
static int manager_figures(struct composer *m, int span, struct figures_run *own, struct figures *f,
			   struct report **ret, char **ret_err)
{
	struct digest_share *sh = m->ctx->report->share;
	if (sh && sh->begun && sh->fr.span == span &&
	    sh->fr.fg.hold_after == m->hold_after) {
		sh->begun = false; /* used once */
		return figures_end(&sh->fr, m->cases, f, ret, ret_err);
	}
	figures_begin(own, m, span);
	int r = tally_cases(m->cases, &own->ev, &own->fill.tf, &own->fill, &own->fill.t, ret_err);
	if (r >= 0)
		r = figures_end(own, m->cases, f, ret, ret_err);
	figures_run_free(own);
	return r;
}

/* A target's verdict: a month with nothing measured yet (no answers, the
 * current month's meeting still to come) is not judged. */
static const char *met_words(int met)
{
	return met < 0 ? "not yet measured" : met ? "met" : "not met";
}

/* Each target's figure this month and last, met or not, in words. */
static void target_fields(const struct report *rep, struct tmpl_data *d)
{
	if (!rep || rep->n_targets == 0)
		return;
	for (int p = 0; p < 2; p++) {
		int y, mo, day;
		date_to_ymd(rep->periods[p].first, &y, &mo, &day);
		tmpl_data_setf(d, p ? "targets_this" : "targets_last", "%s %d", date_month_name(mo), y);
	}
	for (size_t i = 0; i < rep->n_targets; i++) {
		const struct report_target *t = &rep->targets[i];
		const struct rule *r = &rep->ev->rules->v[t->rule];
		struct tmpl_data *e = tmpl_data_add(d, "targets");
		_cleanup_free_ char *title = text_clean(r->title ? r->title : r->id, 0, NULL);
		tmpl_data_set(e, "rule", r->id);
		tmpl_data_set(e, "title", title);
		char buf[256];
		report_goal_words(r, buf, sizeof(buf));
		tmpl_data_set(e, "goal", buf);
		report_target_words(r, &t->v[1], buf, sizeof(buf));
		tmpl_data_set(e, "this", buf);
		tmpl_data_set(e, "this_met", met_words(t->v[1].met));
		report_target_words(r, &t->v[0], buf, sizeof(buf));
		tmpl_data_set(e, "last", buf);
		tmpl_data_set(e, "last_met", met_words(t->v[0].met));
	}
}

static int manager_digests(struct composer *m, const char *period, const char *shown, bool alert, char **ret_err)
{
	struct drow *v = NULL, *tot = NULL;
	size_t n = 0, n_tot = 0;
	struct report *targets = NULL;
	struct figures fg = { 0 };
	struct figures_run own; /* the targets' evaluator, when not shared */
	_cleanup_free_ char *last = NULL, *this_label = NULL, *last_label = NULL;
	int r = meta_text(m->db, "manager_digest_at", &last, ret_err);
	if (r < 0)
		return r;
	/* Each team's first DIGEST_ITEMS overdue items, and all of them
	 * counted by team and officer. */
	if ((r = manager_lines(m, last ? strtoll(last, NULL, 10) : 0, &v, &n, &tot, &n_tot, ret_err)) < 0)
		return r;
	/* What could not be delivered since the last digest (from the same
	 * second on: a message given up in the run that made the last digest
	 * was not in it), and each standard's figures. */
	sqlite3_stmt *st = NULL;
	/* This period: the week (or, with daily digests, the day) that ended
	 * yesterday; the last, the one before it. */
	int span = period_span(m, last);
	cw_day p_to = m->today - 1, p_from = m->today - span, l_to = p_from - 1, l_from = p_from - span;
	this_label = period_label(p_from, p_to, m->today);
	last_label = period_label(l_from, l_to, m->today);
	if ((r = manager_figures(m, span, &own, &fg, &targets, ret_err)) < 0)
		goto out;
	figures_people(&fg, tot, n_tot);
	static const char dead_sql[] =
		"SELECT destination, subject, last_error, created_at FROM messages WHERE status = 'dead' AND finished_at >= ?1 "
		"UNION ALL SELECT recipient || ' of ' || (SELECT ref FROM cases WHERE cases.case_id = outbox.case_id), "
		"rule || ' ' || stage, last_error, created_at FROM outbox WHERE status = 'dead' AND message_id IS NULL "
		"AND finished_at >= ?1 ORDER BY 4";
	if (sqlite3_prepare_v2(m->db, dead_sql, -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(m->db, "reading undelivered messages", ret_err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, last ? strtoll(last, NULL, 10) : 0);
	size_t n_dead = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		n_dead++;

	/* One digest per manager address, of the teams it manages. */
	for (size_t t = 0; t < m->dir.n_teams && r >= 0; t++) {
		const char *to = m->dir.teams[t].manager;
		if (!address_usable(to))
			continue;
		bool seen = false;
		for (size_t u = 0; u < t; u++)
			if (m->dir.teams[u].manager && strcmp(m->dir.teams[u].manager, to) == 0)
				seen = true;
		if (seen)
			continue;
		/* The notices of this scan to the same address (not with an
		 * alert, which is no regular digest). */
		struct notice_group *g = alert ? NULL : folded_group(m, to);
		bool *mine = xcalloc(n + 1, sizeof(bool));
		for (size_t k = 0; k < n; k++) {
			const struct team *tm = directory_team(&m->dir, v[k].team);
			v[k].folded = false;
			mine[k] = tm && tm->manager && strcmp(tm->manager, to) == 0 && v[k].overdue_at <= m->hold_after;
		}
		struct tmpl_data *d = tmpl_data_new();
		size_t counts[3] = { 0 }, held = 0, listed = 0;
		r = folded_mark(m, g, v, n, mine, ret_err);
		if (r >= 0)
			r = folded_list(m, g, d, v, n, mine, manager_counts, to, &listed, &counts[2], ret_err);
		free(mine);
		if (r < 0) {
			tmpl_data_free(d);
			break;
		}
		notices_more(d, listed);
		/* Each team and officer from the totals; their lines, the
		 * first of each team, from v. */
		struct tmpl_data *team = NULL;
		const char *team_id = NULL;
		size_t team_n = 0, team_listed = 0;
		for (size_t q = 0; q < n_tot; q++) {
			const struct team *tm = directory_team(&m->dir, tot[q].team);
			if (!tm || !tm->manager || strcmp(tm->manager, to) != 0)
				continue;
			held += tot[q].count[2]; /* stale data: late since the last import, maybe not */
			size_t here = tot[q].count[0] + tot[q].count[1];
			counts[0] += tot[q].count[0];
			counts[1] += tot[q].count[1];
			if (here == 0)
				continue;
			if (!team || !same_text(team_id, tot[q].team)) {
				team_done(team, team_n, team_listed);
				team = tmpl_data_add(d, "teams");
				team_id = tot[q].team;
				tmpl_data_set(team, "team", directory_team_name(&m->dir, tot[q].team));
				team_n = team_listed = 0;
			}
			team_n += here;
			struct tmpl_data *off = tmpl_data_add(team, "officers");
			tmpl_data_set(off, "officer",
				      tot[q].officer ? directory_officer_name(&m->dir, tot[q].officer) : "(no officer)");
			tmpl_data_setf(off, "count", "%zu", here);
			for (size_t k = 0; k < n; k++) {
				if (!same_text(v[k].team, tot[q].team) || !same_text(v[k].officer, tot[q].officer))
					continue;
				struct tmpl_data *line = tmpl_data_add(off, "items");
				drow_fields(m, line, &v[k]);
				tmpl_data_set(line, "new", v[k].folded ? "new" : "");
				team_listed++;
			}
		}
		team_done(team, team_n, team_listed);
		static const char *const labels[] = { "overdue", "escalated", "also for you" };
		_cleanup_free_ char *summary = summary_text(labels, counts, 3);
		if (strcmp(summary, "nothing due") == 0) {
			free(summary);
			summary = xstrdup("nothing overdue");
		}
		if (held) {
			bool none = counts[0] + counts[1] + counts[2] == 0;
			char *s2 = none ? xasprintf("%zu overdue held until the data is fresh", held)
					: xasprintf("%s, %zu more held until the data is fresh", summary, held);
			free(summary);
			summary = s2;
		}
		if (n_dead) {
			char *s2 = xasprintf("%s, %zu undelivered", summary, n_dead);
			free(summary);
			summary = s2;
		}
		size_t n_imp = import_problems(m, m->cases, last ? strtoll(last, NULL, 10) : 0, d);
		if (n_imp) {
			char *s2 = xasprintf("%s, %zu import problem%s", summary, n_imp, n_imp == 1 ? "" : "s");
			free(summary);
			summary = s2;
		}
		summary = with_stale(m, summary);
		tmpl_data_set(d, "summary", summary);
		set_stale(m, d);
		tmpl_data_set(d, "period", shown);
		char today[DATE_STRLEN];
		tmpl_data_set(d, "date", date_format(m->today, today));
		tmpl_data_setf(d, "undelivered_count", "%zu", n_dead);
		sqlite3_reset(st);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct tmpl_data *e = tmpl_data_add(d, "undelivered");
			/* A destination or subject holds a reference (an older
			 * state database's, uncleaned), an error what a server
			 * answered. */
			_cleanup_free_ char *dest = col_clean(st, 0, MSG_MAX_LINE);
			_cleanup_free_ char *subject = col_clean(st, 1, MSG_MAX_LINE);
			_cleanup_free_ char *err = col_clean(st, 2, MSG_MAX_LINE);
			tmpl_data_set(e, "recipient", dest ? dest : "(unknown)");
			tmpl_data_set(e, "subject", subject ? subject : "");
			tmpl_data_set(e, "error", err ? err : "");
			char when[TZ_TIMESTAMP_STRLEN];
			tmpl_data_set(e, "since", tz_format_timestamp(m->ctx->tz, sqlite3_column_int64(st, 3), when));
		}
		/* The figures, in the order of the rules. */
		tmpl_data_set(d, "this_period", this_label);
		tmpl_data_set(d, "last_period", last_label);
		for (size_t i = 0; i < m->conf->ruleset.n; i++) {
			const struct rule *rl = &m->conf->ruleset.v[i];
			/* A standard with obligations. */
			if (!fg.seen[i])
				continue;
			struct tmpl_data *e = tmpl_data_add(d, "standards");
			_cleanup_free_ char *title = text_clean(rl->title ? rl->title : rl->id, 0, NULL);
			tmpl_data_set(e, "rule", rl->id);
			tmpl_data_set(e, "title", title);
			static const enum ob_state cols[] = { OB_PENDING, OB_OVERDUE, OB_PAUSED, OB_MET, OB_MET_LATE };
			for (size_t k = 0; k < ELEMENTSOF(cols); k++)
				tmpl_data_setf(e, ob_state_to_string(cols[k]), "%lld", (long long)fg.states[i][cols[k]]);
			set_on_time(e, "this", fg.rule[i][0], fg.rule[i][1]);
			set_on_time(e, "last", fg.rule[i][2], fg.rule[i][3]);
		}
		people_fields(m, d, to, fg.people, fg.n_people);
		target_fields(targets, d);
		int64_t id = add_email(m, MSG_MANAGER_DIGEST, to, period, -1, d, ret_err);
		tmpl_data_free(d);
		if (id < 0)
			r = (int)id;
		else if (id > 0)
			r = digest_made(m, id, to, "manager", summary, g, ret_err);
	}
	if (r >= 0 && !alert) {
		char at[32];
		snprintf(at, sizeof(at), "%lld", (long long)m->ctx->at);
		r = meta_set_text(m->db, "manager_digest_at", at, ret_err);
	}
out:
	sqlite3_finalize(st);
	figures_free(&fg);
	report_free(targets);
	drows_free(tot, n_tot);
	drows_free(v, n);
	return r;
}

int manager_digest_due(struct composer *m, bool *ret, char period[static MANAGER_PERIOD_STRLEN], char **ret_err)
{
	const struct conf *c = m->conf;
	*ret = false;
	period[0] = '\0';
	if (c->manager_every == DIGEST_NEVER || !calendar_is_working_day(m->ctx->cal, m->today) ||
	    m->minutes >= c->window_to ||
	    (c->manager_every != DIGEST_DAILY && date_weekday(m->today) < c->manager_day))
		return 0;
	if (c->manager_every == DIGEST_DAILY) {
		date_format(m->today, period);
	} else {
		int y, mo, d;
		date_to_ymd(m->today, &y, &mo, &d);
		struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 12 };
		timegm(&tm);
		strftime(period, MANAGER_PERIOD_STRLEN, "%G-W%V", &tm);
	}
	_cleanup_free_ char *done = NULL;
	int r = meta_text(m->db, "manager_digest", &done, ret_err);
	if (r < 0)
		return r;
	*ret = !done || strcmp(done, period) != 0;
	return 0;
}

int officer_digests_due(struct composer *m, bool *ret, char **ret_err)
{
	const struct conf *c = m->conf;
	*ret = false;
	/* Morning digests go out on working days from their time until the
	 * window closes: a daemon started in the evening sends none. */
	if (c->officer_digest < 0 || !calendar_is_working_day(m->ctx->cal, m->today) ||
	    m->minutes < c->officer_digest || m->minutes >= c->window_to)
		return 0;
	char today[DATE_STRLEN];
	date_format(m->today, today);
	_cleanup_free_ char *done = NULL;
	int r = meta_text(m->db, "officer_digest", &done, ret_err);
	if (r < 0)
		return r;
	*ret = !done || strcmp(done, today) != 0;
	return 0;
}

int compose_digests(struct composer *m, char **ret_err)
{
	const struct conf *c = m->conf;
	bool working = calendar_is_working_day(m->ctx->cal, m->today);
	int r;
	char today[DATE_STRLEN], key[STALE_KEY_STRLEN];
	date_format(m->today, today);
	bool officers;
	if ((r = officer_digests_due(m, &officers, ret_err)) < 0)
		return r;
	if (officers && ((r = officer_digests(m, today, ret_err)) < 0 ||
			 (r = meta_set_text(m->db, "officer_digest", today, ret_err)) < 0))
		return r;
	bool regular;
	char period[MANAGER_PERIOD_STRLEN];
	if ((r = manager_digest_due(m, &regular, period, ret_err)) < 0)
		return r;
	if (regular && m->minutes >= c->manager_time) {
		if ((r = manager_digests(m, period, period, false, ret_err)) < 0 ||
		    (r = meta_set_text(m->db, "manager_digest", period, ret_err)) < 0)
			return r;
		/* It says the data is stale: the alert would say it again. */
		if (m->ctx->report->stale && (r = meta_set_text(m->db, "stale_alert", stale_key(m, key), ret_err)) < 0)
			return r;
		regular = false;
	}
	/* Stale data: the managers are told once, inside the send window,
	 * with what can still be said; by the day's digest when one is still
	 * to come today. */
	if (m->ctx->report->stale && !regular && (working || c->window_every_day) && m->minutes >= c->window_from &&
	    m->minutes < c->window_to) {
		stale_key(m, key);
		_cleanup_free_ char *done = NULL;
		if ((r = meta_text(m->db, "stale_alert", &done, ret_err)) < 0)
			return r;
		if (!done || strcmp(done, key) != 0) {
			if ((r = manager_digests(m, key, today, true, ret_err)) < 0 ||
			    (r = meta_set_text(m->db, "stale_alert", key, ret_err)) < 0)
				return r;
		}
	}
	return 0;
}

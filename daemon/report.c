/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's structure: periods, the counts of each standard by period,
 * team and officer, and the targets' figures (report.h). */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "tz.h"
#include "util.h"

static const char *const by_names[_REPORT_BY_MAX] = { "month", "quarter", "year" };

const char *report_by_to_string(enum report_by by)
{
	return by_names[by];
}

int report_by_from_string(const char *s)
{
	for (int i = 0; i < _REPORT_BY_MAX; i++)
		if (strcmp(s, by_names[i]) == 0)
			return i;
	return -EINVAL;
}

static const char *const format_names[_REPORT_FORMAT_MAX] = { "text", "csv", "json", "html" };

const char *report_format_to_string(enum report_format f)
{
	return format_names[f];
}

int report_format_from_string(const char *s)
{
	for (int i = 0; i < _REPORT_FORMAT_MAX; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* ---- Periods ------------------------------------------------------------ */

/* Periods counted from year 0: months, quarters or years. */
static int period_ordinal(enum report_by by, cw_day day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	switch (by) {
	case REPORT_BY_MONTH:
		return y * 12 + (m - 1);
	case REPORT_BY_QUARTER:
		return y * 4 + (m - 1) / 3;
	case REPORT_BY_YEAR:
	case _REPORT_BY_MAX:
		break;
	}
	return y;
}

static cw_day ordinal_first(enum report_by by, int ord)
{
	switch (by) {
	case REPORT_BY_MONTH:
		return date_from_ymd(ord / 12, ord % 12 + 1, 1);
	case REPORT_BY_QUARTER:
		return date_from_ymd(ord / 4, ord % 4 * 3 + 1, 1);
	case REPORT_BY_YEAR:
	case _REPORT_BY_MAX:
		break;
	}
	return date_from_ymd(ord, 1, 1);
}

void report_period_of(enum report_by by, cw_day day, cw_day *ret_first, cw_day *ret_last)
{
	int ord = period_ordinal(by, day);
	*ret_first = ordinal_first(by, ord);
	*ret_last = ordinal_first(by, ord + 1) - 1;
}

cw_day report_period_add(enum report_by by, cw_day day, int n)
{
	return ordinal_first(by, period_ordinal(by, day) + n);
}

char *report_period_label(enum report_by by, cw_day day, char buf[static REPORT_LABEL_STRLEN])
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	switch (by) {
	case REPORT_BY_MONTH:
		snprintf(buf, REPORT_LABEL_STRLEN, "%04d-%02d", y, m);
		break;
	case REPORT_BY_QUARTER:
		snprintf(buf, REPORT_LABEL_STRLEN, "%04d-Q%d", y, (m - 1) / 3 + 1);
		break;
	case REPORT_BY_YEAR:
	case _REPORT_BY_MAX:
		snprintf(buf, REPORT_LABEL_STRLEN, "%04d", y);
		break;
	}
	return buf;
}

/* n more of value. */
static void hist_add_n(struct report_hist *h, int value, size_t n)
{
	size_t lo = 0, hi = h->n_bins;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->v[mid].value < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == h->n_bins || h->v[lo].value != value) {
		h->v = xgrow(h->v, &h->cap, h->n_bins + 1, sizeof(*h->v));
		memmove(&h->v[lo + 1], &h->v[lo], (h->n_bins - lo) * sizeof(*h->v));
		h->v[lo] = (struct report_bin){ .value = value };
		h->n_bins++;
	}
	h->v[lo].n += n;
	h->count += n;
}

void report_hist_add(struct report_hist *h, int value)
{
	hist_add_n(h, value, 1);
}

void report_hist_free(struct report_hist *h)
{
	free(h->v);
	*h = (struct report_hist){ 0 };
}

/* The k-th smallest value (from 0), k < h->count. */
static int hist_nth(const struct report_hist *h, size_t k)
{
	size_t i = 0;
	while (k >= h->v[i].n)
		k -= h->v[i++].n;
	return h->v[i].value;
}

double report_percentile(const struct report_hist *h, double p)
{
	double rank = (double)(h->count - 1) * p;
	size_t lo = (size_t)rank;
	int a = hist_nth(h, lo);
	if (lo + 1 >= h->count)
		return a;
	return a + (rank - (double)lo) * (hist_nth(h, lo + 1) - a);
}

/* ---- Names and rows: open addressing, indexes + 1 (0: empty) ---------- */

static bool name_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static uint64_t name_hash(const void *ctx, size_t i)
{
	return hash_str(HASH_INIT, ((const struct report_names *)ctx)->v[i]);
}

/* The index of name s (NULL: none), added when new. */
static int name_index(struct report_names *nm, const char *s)
{
	nm->map = map_grow(nm->map, &nm->map_cap, nm->n, name_hash, nm);
	size_t *map = nm->map, mask = nm->map_cap - 1;
	size_t j = hash_str(HASH_INIT, s) & mask;
	for (; map[j]; j = (j + 1) & mask)
		if (name_eq(nm->v[map[j] - 1], s))
			return (int)(map[j] - 1);
	nm->v = xgrow(nm->v, &nm->cap, nm->n + 1, sizeof(char *));
	nm->v[nm->n] = s ? xstrdup(s) : NULL;
	map[j] = ++nm->n;
	return (int)(nm->n - 1);
}

static void names_free(struct report_names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	free(nm->order);
	free(nm->map);
}

static uint64_t key_hash(int32_t standard, int32_t period, int32_t team, int32_t officer)
{
	uint64_t h = hash_u64(HASH_INIT, (uint64_t)(uint32_t)standard << 32 | (uint32_t)period);
	return hash_u64(h, (uint64_t)(uint32_t)team << 32 | (uint32_t)officer);
}

static uint64_t row_hash(const void *ctx, size_t i)
{
	const struct report_row *r = &((const struct report *)ctx)->rows[i];
	return key_hash(r->standard, r->period, r->team, r->officer);
}

static struct report_row *row_find(const struct report *rep, size_t standard, size_t period, int team, int officer)
{
	if (!rep->map_cap)
		return NULL;
	const size_t *map = rep->map, mask = rep->map_cap - 1;
	for (size_t j = key_hash((int32_t)standard, (int32_t)period, team, officer) & mask; map[j];
	     j = (j + 1) & mask) {
		struct report_row *r = &rep->rows[map[j] - 1];
		if (r->standard == (int32_t)standard && r->period == (int32_t)period && r->team == team &&
		    r->officer == officer)
			return r;
	}
	return NULL;
}

static struct report_counts *row_get(struct report *rep, size_t standard, size_t period, int team, int officer)
{
	struct report_row *r = row_find(rep, standard, period, team, officer);
	if (r)
		return &r->c;
	rep->map = map_grow(rep->map, &rep->map_cap, rep->n_rows, row_hash, rep);
	size_t *map = rep->map, mask = rep->map_cap - 1;
	size_t j = key_hash((int32_t)standard, (int32_t)period, team, officer) & mask;
	while (map[j])
		j = (j + 1) & mask;
	rep->rows = xgrow(rep->rows, &rep->cap_rows, rep->n_rows + 1, sizeof(*rep->rows));
	r = &rep->rows[rep->n_rows];
	*r = (struct report_row){ .standard = (int32_t)standard, .period = (int32_t)period, .team = team,
				  .officer = officer };
	map[j] = ++rep->n_rows;
	return &r->c;
}

const struct report_counts *report_counts(const struct report *rep, size_t standard, size_t period, int team,
					  int officer)
{
	static const struct report_counts none = { .on_time = -1, .median = -1, .p90 = -1 };
	const struct report_row *r = row_find(rep, standard, period, team, officer);
	return r ? &r->c : &none;
}

/* ---- Building ----------------------------------------------------------- */

struct report *report_new(const struct evaluator *ev, enum report_by by, cw_day from, cw_day to, const char *team,
			  const char *officer)
{
	struct report *rep = xcalloc(1, sizeof(*rep));
	const struct ruleset *rs = ev->rules;
	*rep = (struct report){ .ev = ev, .by = by, .team = team, .officer = officer,
				.today = tz_local_day(ev->tz, ev->at), .last_case = INT64_MIN };
	report_period_of(by, from, &rep->from, &(cw_day){ 0 });
	report_period_of(by, to, &(cw_day){ 0 }, &rep->to);
	rep->first_ordinal = period_ordinal(by, from);
	rep->n_periods = (size_t)(period_ordinal(by, to) - rep->first_ordinal + 1);
	rep->periods = xcalloc(rep->n_periods, sizeof(*rep->periods));
	for (size_t i = 0; i < rep->n_periods; i++) {
		struct report_period *p = &rep->periods[i];
		report_period_of(by, report_period_add(by, from, (int)i), &p->first, &p->last);
		report_period_label(by, p->first, p->label);
	}
	rep->standards = xcalloc(rs->n + 1, sizeof(size_t));
	rep->targets = xcalloc(rs->n + 1, sizeof(*rep->targets));
	rep->rule_standard = xcalloc(rs->n + 1, sizeof(int));
	rep->rule_target = xcalloc(rs->n + 1, sizeof(int));
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		rep->rule_standard[i] = rep->rule_target[i] = -1;
		if (eval_rule_has_obligations(r)) {
			rep->rule_standard[i] = (int)rep->n_standards;
			rep->standards[rep->n_standards++] = i;
		}
		if (r->kind == RULE_UNIT || r->kind == RULE_TARGET) {
			rep->rule_target[i] = (int)rep->n_targets;
			struct report_target *t = &rep->targets[rep->n_targets++];
			t->rule = i;
			t->v = xcalloc(rep->n_periods + 1, sizeof(*t->v));
			for (size_t p = 0; p <= rep->n_periods; p++)
				t->v[p].current = -1;
		}
	}
	rep->surveys = xcalloc(rep->n_periods + 1, sizeof(*rep->surveys));
	return rep;
}

void report_free(struct report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n_rows; i++)
		report_hist_free(&rep->rows[i].c.days);
	free(rep->rows);
	free(rep->map);
	free(rep->cells);
	names_free(&rep->teams);
	names_free(&rep->officers);
	for (size_t i = 0; i < rep->n_targets; i++)
		free(rep->targets[i].v);
	free(rep->targets);
	free(rep->standards);
	free(rep->rule_standard);
	free(rep->rule_target);
	free(rep->surveys);
	free(rep->periods);
	free(rep);
}

/* The index of the period containing day, or -1 outside the report. */
static int period_index(const struct report *rep, cw_day day)
{
	if (day < rep->from || day > rep->to)
		return -1;
	return period_ordinal(rep->by, day) - rep->first_ordinal;
}

/* The day an obligation is counted on (report_add_obligation). */
static cw_day obligation_day(const struct report *rep, const struct obligation *o)
{
	const struct tz *tz = rep->ev->tz;
	if (o->has_due)
		return o->due_instant ? tz_local_day(tz, o->due_at) : o->due_day;
	switch (o->state) {
	case OB_MET:
		return tz_local_day(tz, o->met_at);
	case OB_MET_LATE:
	case OB_OVERDUE:
		return tz_local_day(tz, o->overdue_at);
	case OB_CANCELLED:
		return tz_local_day(tz, o->ended_at);
	case OB_PENDING:
	case OB_PAUSED:
	case _OB_STATE_MAX:
		break;
	}
	return rep->today;
}


static struct report_target *target_of(struct report *rep, size_t rule)
{
	int i = rep->rule_target[rule];
	return i < 0 ? NULL : &rep->targets[i];
}

/* An interval target's figure, by the day its interval ends
 * (eval_interval_end), as status --summary counts it in its window. */
static void add_interval(struct report *rep, const struct obligation *o)
{
	struct report_target *t = target_of(rep, o->rule);
	cw_day end = eval_interval_end(rep->ev, o);
	if (!t || end == CW_DAY_NONE)
		return;
	int p = period_index(rep, end);
	if (p < 0)
		return;
	bool waiting = o->met_at == EVAL_NONE && o->ended_at == EVAL_NONE;
	struct report_figure *fs[] = { &t->v[p], &t->v[rep->n_periods] };
	for (size_t i = 0; i < ELEMENTSOF(fs); i++) {
		fs[i]->count++;
		fs[i]->sum += end - o->start;
		fs[i]->waiting += waiting;
	}
}

void report_add_obligation(struct report *rep, const struct eval_case *c, const struct obligation *o)
{
	const struct rule *r = &rep->ev->rules->v[o->rule];
	if (r->kind == RULE_TARGET)
		add_interval(rep, o);
	int p = period_index(rep, obligation_day(rep, o));
	if (p < 0)
		return;
	if (c->id != rep->last_case) {
		rep->last_case = c->id;
		rep->last_team = name_index(&rep->teams, c->team);
		rep->last_officer = name_index(&rep->officers, c->officer);
	}
	/* One row per team and officer here; report_finish adds them up
	 * into the rows of a team, an officer, a period and the total. */
	struct report_counts *row =
		row_get(rep, (size_t)rep->rule_standard[o->rule], (size_t)p, rep->last_team, rep->last_officer);
	row->n[o->state]++;
	/* Working days as the standards count them: the start is day 0,
	 * and the meeting's local date the last (calendar_add_working_days
	 * would reach it from the start in that many). */
	int days;
	if ((o->state == OB_MET || o->state == OB_MET_LATE) &&
	    calendar_working_days_between(rep->ev->cal, o->start, tz_local_day(rep->ev->tz, o->met_at), &days) == 0)
		/* < 0: met on the day of receipt, before the case was logged */
		report_hist_add(&row->days, days < 0 ? 0 : days);
}

void report_add_survey(struct report *rep, cw_day day, bool satisfied, const char *team, const char *officer)
{
	if ((rep->team && !name_eq(rep->team, team)) || (rep->officer && !name_eq(rep->officer, officer)))
		return;
	int p = day > rep->today ? -1 : period_index(rep, day);
	if (p < 0)
		return;
	rep->surveys[p].count++;
	rep->surveys[p].yes += satisfied;
	rep->surveys[rep->n_periods].count++;
	rep->surveys[rep->n_periods].yes += satisfied;
}

void report_set_meetings(struct report *rep, size_t rule, cw_day first, const cw_day *days, size_t n)
{
	struct report_target *t = target_of(rep, rule);
	if (!t)
		return;
	for (size_t i = 0; i <= rep->n_periods; i++) {
		cw_day lo = i < rep->n_periods ? rep->periods[i].first : rep->from;
		cw_day hi = i < rep->n_periods ? rep->periods[i].last : rep->to;
		int months, met;
		eval_unit_range(rep->ev, first, days, n, lo, hi, &months, &met, &t->v[i].current);
		t->v[i].count = (size_t)months;
		t->v[i].yes = (size_t)met;
	}
}

/* ---- Finishing ---------------------------------------------------------- */

static void finish_counts(struct report_counts *c)
{
	const size_t *n = c->n;
	size_t decided = n[OB_MET] + n[OB_MET_LATE] + n[OB_OVERDUE];
	c->due = decided + n[OB_PENDING];
	c->on_time = decided ? 100.0 * (double)n[OB_MET] / (double)decided : -1;
	c->median = c->p90 = -1;
	if (c->days.count) {
		c->median = report_percentile(&c->days, 0.5);
		c->p90 = report_percentile(&c->days, 0.9);
	}
	report_hist_free(&c->days);
}

static void finish_figure(const struct rule *r, struct report_figure *f)
{
	f->met = -1;
	f->figure = 0;
	if (f->count == 0)
		return;
	if (r->kind == RULE_UNIT) {
		f->figure = (double)f->yes;
		f->met = f->yes == f->count;
		return;
	}
	if (r->measure == MEASURE_SATISFACTION)
		f->figure = 100.0 * (double)f->yes / (double)f->count;
	else
		f->figure = f->sum / (double)f->count;
	f->met = eval_target_met(r, f->figure);
}

/* Ids in byte order, which is the order of their code points; none last. */
static int name_cmp(const void *a, const void *b, void *userdata)
{
	const struct report_names *nm = userdata;
	const char *x = nm->v[*(const size_t *)a], *y = nm->v[*(const size_t *)b];
	if (!x || !y)
		return !x - !y;
	return strcmp(x, y);
}

static void order_names(struct report_names *nm, size_t **ret_rank)
{
	nm->order = xcalloc(nm->n + 1, sizeof(size_t));
	for (size_t i = 0; i < nm->n; i++)
		nm->order[i] = i;
	qsort_r(nm->order, nm->n, sizeof(size_t), name_cmp, nm);
	size_t *rank = xcalloc(nm->n + 1, sizeof(size_t));
	for (size_t i = 0; i < nm->n; i++)
		rank[nm->order[i]] = i;
	*ret_rank = rank;
}

struct ranks {
	const size_t *team, *officer;
};

static int cell_cmp(const void *a, const void *b, void *userdata)
{
	const struct ranks *rk = userdata;
	const size_t *team_rank = rk->team, *officer_rank = rk->officer;
	const struct report_row *x = *(const struct report_row *const *)a, *y = *(const struct report_row *const *)b;
	if (x->standard != y->standard)
		return x->standard < y->standard ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	size_t tx = team_rank[x->team], ty = team_rank[y->team];
	if (tx != ty)
		return tx < ty ? -1 : 1;
	size_t ox = officer_rank[x->officer], oy = officer_rank[y->officer];
	return (ox > oy) - (ox < oy);
}

static void merge_counts(struct report_counts *to, const struct report_counts *from)
{
	for (int s = 0; s < _OB_STATE_MAX; s++)
		to->n[s] += from->n[s];
	for (size_t i = 0; i < from->days.n_bins; i++)
		hist_add_n(&to->days, from->days.v[i].value, from->days.v[i].n);
}

void report_finish(struct report *rep)
{
	/* Every row so far is one team's and one officer's in one period. */
	size_t n_cells = rep->n_rows;
	for (size_t i = 0; i < n_cells; i++) {
		const int32_t s = rep->rows[i].standard, p = rep->rows[i].period;
		const int32_t t = rep->rows[i].team, o = rep->rows[i].officer;
		const struct { int32_t period, team, officer; } into[] = {
			{ p, t, REPORT_ALL },
			{ p, REPORT_ALL, o },
			{ p, REPORT_ALL, REPORT_ALL },
			{ (int32_t)rep->n_periods, t, REPORT_ALL },
			{ (int32_t)rep->n_periods, REPORT_ALL, o },
			{ (int32_t)rep->n_periods, REPORT_ALL, REPORT_ALL },
		};
		for (size_t k = 0; k < ELEMENTSOF(into); k++) {
			/* row_get may move the rows: rows[i] after it. */
			struct report_counts *to = row_get(rep, (size_t)s, (size_t)into[k].period, into[k].team,
							   into[k].officer);
			merge_counts(to, &rep->rows[i].c);
		}
	}
	for (size_t i = 0; i < rep->n_rows; i++)
		finish_counts(&rep->rows[i].c);
	const struct ruleset *rs = rep->ev->rules;
	for (size_t i = 0; i < rep->n_targets; i++) {
		struct report_target *t = &rep->targets[i];
		const struct rule *r = &rs->v[t->rule];
		for (size_t p = 0; p <= rep->n_periods; p++) {
			if (r->kind == RULE_TARGET && r->measure == MEASURE_SATISFACTION) {
				t->v[p].count = rep->surveys[p].count;
				t->v[p].yes = rep->surveys[p].yes;
			}
			finish_figure(r, &t->v[p]);
		}
	}
	size_t *trank, *orank;
	order_names(&rep->teams, &trank);
	order_names(&rep->officers, &orank);
	rep->cells = xcalloc(n_cells + 1, sizeof(*rep->cells));
	rep->n_cells = n_cells;
	for (size_t i = 0; i < n_cells; i++)
		rep->cells[i] = &rep->rows[i];
	qsort_r(rep->cells, rep->n_cells, sizeof(*rep->cells), cell_cmp, &(struct ranks){ trank, orank });
	free(trank);
	free(orank);
}

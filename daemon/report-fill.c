/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A report's figures from the case database: every case evaluated, the
 * unit's meetings and the survey answers (report.h, report_fill). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "scan.h"
#include "tally.h"


static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool include_case(const struct eval_case *c, void *userdata)
{
	const struct report *rep = ((struct report_filler *)userdata)->rep;
	return (!rep->team || same(c->team, rep->team)) && (!rep->officer || same(c->officer, rep->officer));
}

static void add_obligation(const struct eval_case *c, const struct obligation *o, void *userdata)
{
	struct report_filler *cb = userdata;
	report_add_obligation(cb->rep, c, o);
	if (cb->fns && cb->fns->obligation)
		cb->fns->obligation(c, o, cb->userdata);
}

static void add_problem(struct tally *t, const struct eval_case *c, const char *msg, bool skipped, void *userdata)
{
	struct report_filler *cb = userdata;
	cb->fns->problem(t, c, msg, skipped, cb->userdata);
}

static void add_survey(cw_day day, bool satisfied, const char *team, const char *officer, void *userdata)
{
	report_add_survey(userdata, day, satisfied, team, officer);
}

static void bad_rows(const struct report_filler *cb, const char *table, const struct scan_bad *b)
{
	if (cb->fns && cb->fns->bad_rows)
		cb->fns->bad_rows(table, b, cb->userdata);
}

void report_fill_begin(struct report_filler *f, struct report *rep, const struct report_fill_fns *fns,
		       void *userdata)
{
	*f = (struct report_filler){
		.rep = rep,
		.fns = fns,
		.userdata = userdata,
		.tf = {
			.include = include_case,
			.obligation = add_obligation,
			.problem = fns && fns->problem ? add_problem : NULL,
			.progress = fns ? fns->progress : NULL,
		},
		.t = { .first_case = CW_DAY_NONE },
	};
}

void report_fill_case(struct report_filler *f, const struct eval_case *c, const struct eval_result *res)
{
	tally_add(&f->t, &f->tf, f, c, res);
}

int report_fill(struct report *rep, sqlite3 *db, const struct report_fill_fns *fns, void *userdata,
		struct tally *ret_tally, char **ret_err)
{
	struct report_filler f;
	report_fill_begin(&f, rep, fns, userdata);
	int r = tally_cases(db, rep->ev, &f.tf, &f, &f.t, ret_err);
	if (r < 0)
		return r;
	return report_fill_end(&f, db, ret_tally, ret_err);
}

int report_fill_end(struct report_filler *f, sqlite3 *db, struct tally *ret_tally, char **ret_err)
{
	struct report *rep = f->rep;
	const struct ruleset *rs = rep->ev->rules;
	struct tally t = f->t;
	int r;
	rep->cases = t.cases;
	rep->open = t.open;
	rep->skipped = t.skipped;
	*ret_tally = t;
	bool surveys = false;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *rl = &rs->v[i];
		surveys |= rl->kind == RULE_TARGET && rl->measure == MEASURE_SATISFACTION;
		if (rl->kind != RULE_UNIT)
			continue;
		cw_day *days = NULL, first;
		size_t n = 0;
		struct scan_bad bad;
		if ((r = scan_meetings(db, rl->meeting, rep->team, &days, &n, &first, &bad, ret_err)) < 0)
			return r;
		bad_rows(f, "meetings", &bad);
		/* Owed from the first month with a case or a meeting. */
		if (t.first_case < first)
			first = t.first_case;
		report_set_meetings(rep, i, first, days, n);
		free(days);
	}
	if (surveys) {
		struct scan_bad bad;
		if ((r = scan_surveys_each(db, rep->ev->tz, add_survey, rep, &bad, ret_err)) < 0)
			return r;
		bad_rows(f, "surveys", &bad);
	}
	return 0;
}

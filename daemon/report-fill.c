/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A report's figures from the case database: every case evaluated, the
 * unit's meetings and the survey answers (report.h, report_fill). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "scan.h"
#include "tally.h"

struct fill_cb {
	struct report *rep;
	const struct report_fill_fns *fns;
	void *userdata;
};

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool include_case(const struct eval_case *c, void *userdata)
{
	const struct report *rep = ((struct fill_cb *)userdata)->rep;
	return (!rep->team || same(c->team, rep->team)) && (!rep->officer || same(c->officer, rep->officer));
}

static void add_obligation(const struct eval_case *c, const struct obligation *o, void *userdata)
{
	struct fill_cb *cb = userdata;
	report_add_obligation(cb->rep, c, o);
	if (cb->fns && cb->fns->obligation)
		cb->fns->obligation(c, o, cb->userdata);
}

static void add_problem(struct tally *t, const struct eval_case *c, const char *msg, bool skipped, void *userdata)
{
	struct fill_cb *cb = userdata;
	cb->fns->problem(t, c, msg, skipped, cb->userdata);
}

static void add_survey(cw_day day, bool satisfied, const char *team, const char *officer, void *userdata)
{
	report_add_survey(userdata, day, satisfied, team, officer);
}

static void bad_rows(const struct fill_cb *cb, const char *table, const struct scan_bad *b)
{
	if (cb->fns && cb->fns->bad_rows)
		cb->fns->bad_rows(table, b, cb->userdata);
}

int report_fill(struct report *rep, sqlite3 *db, const struct report_fill_fns *fns, void *userdata,
		struct tally *ret_tally, char **ret_err)
{
	const struct ruleset *rs = rep->ev->rules;
	struct fill_cb cb = { .rep = rep, .fns = fns, .userdata = userdata };
	struct tally_fns tf = {
		.include = include_case,
		.obligation = add_obligation,
		.problem = fns && fns->problem ? add_problem : NULL,
		.progress = fns ? fns->progress : NULL,
	};
	struct tally t;
	int r = tally_cases(db, rep->ev, &tf, &cb, &t, ret_err);
	if (r < 0)
		return r;
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
		bad_rows(&cb, "meetings", &bad);
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
		bad_rows(&cb, "surveys", &bad);
	}
	return 0;
}

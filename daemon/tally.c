/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every case evaluated, its obligations handed on (tally.h). */
#include "tally.h"

#include <stdint.h>

#include "scan.h"

struct tally_cb {
	const struct evaluator *ev;
	const struct tally_fns *fns;
	void *userdata;
	struct tally *t;
	struct eval_result res;
};

static int tally_case(const struct eval_case *c, void *userdata)
{
	struct tally_cb *cb = userdata;
	struct tally *t = cb->t;
	struct eval_result *res = &cb->res;
	if (cb->fns->include && !cb->fns->include(c, cb->userdata))
		return 0;
	eval_case(cb->ev, c, res);
	if (!res->exists && !res->skipped)
		return 0;
	for (size_t i = 0; i < res->n_problems; i++, t->problems++)
		if (cb->fns->problem)
			cb->fns->problem(t, c, res->problems[i], res->skipped && i + 1 == res->n_problems,
					 cb->userdata);
	t->cases++;
	if (res->skipped) {
		t->skipped++;
		return 0;
	}
	t->open += res->open;
	if (res->received < t->first_case)
		t->first_case = res->received;
	for (size_t i = 0; i < res->n; i++)
		cb->fns->obligation(c, &res->v[i], cb->userdata);
	return 0;
}

int tally_cases(sqlite3 *db, const struct evaluator *ev, const struct tally_fns *fns, void *userdata,
		struct tally *ret, char **ret_err)
{
	struct tally t = { .first_case = CW_DAY_NONE };
	struct tally_cb cb = { .ev = ev, .fns = fns, .userdata = userdata, .t = &t };
	int r = scan_cases(db, INT64_MIN, INT64_MAX, tally_case, &cb, ret_err);
	eval_result_free(&cb.res);
	if (r < 0)
		return r;
	*ret = t;
	return 0;
}

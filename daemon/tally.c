/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every case evaluated, its obligations handed on (tally.h). */
#include "tally.h"

#include <stdint.h>

#include "scan.h"

struct tally_cb {
	const struct tally_fns *fns;
	void *userdata;
	struct tally *t;
};

static bool tally_want(const struct eval_case *c, void *userdata)
{
	struct tally_cb *cb = userdata;
	return !cb->fns->include || cb->fns->include(c, cb->userdata);
}

static void count_case(struct tally *t, const struct tally_fns *fns, void *userdata, const struct eval_case *c,
		       const struct eval_result *res)
{
	if (!res->exists && !res->skipped)
		return;
	for (size_t i = 0; i < res->n_problems; i++, t->problems++)
		if (fns->problem)
			fns->problem(t, c, res->problems[i], res->skipped && i + 1 == res->n_problems, userdata);
	t->cases++;
	if (res->skipped) {
		t->skipped++;
		return;
	}
	t->open += res->open;
	if (res->received < t->first_case)
		t->first_case = res->received;
	for (size_t i = 0; i < res->n; i++)
		fns->obligation(c, &res->v[i], userdata);
}

/* Asked include() already (scan_evaluate). */
static int tally_case(const struct eval_case *c, const struct eval_result *res, void *userdata)
{
	struct tally_cb *cb = userdata;
	count_case(cb->t, cb->fns, cb->userdata, c, res);
	return 0;
}

void tally_add(struct tally *t, const struct tally_fns *fns, void *userdata, const struct eval_case *c,
	       const struct eval_result *res)
{
	if (!fns->include || fns->include(c, userdata))
		count_case(t, fns, userdata, c, res);
}

int tally_cases(sqlite3 *db, const struct evaluator *ev, const struct tally_fns *fns, void *userdata,
		struct tally *ret, char **ret_err)
{
	struct tally t = { .first_case = CW_DAY_NONE };
	struct tally_cb cb = { .fns = fns, .userdata = userdata, .t = &t };
	int r = scan_evaluate(db, ev, INT64_MIN, INT64_MAX, fns->include ? tally_want : NULL, tally_case, &cb,
			      fns->progress, ret_err);
	if (r < 0)
		return r;
	*ret = t;
	return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "stage.h"

#include "calendar.h"
#include "rules.h"
#include "tz.h"

static int64_t midnight(const struct evaluator *ev, cw_day day)
{
	return tz_local_to_instant(ev->tz, day, 0);
}

/* The local midnight of the day `n` units of d away from `day`. */
static int64_t day_offset(const struct evaluator *ev, cw_day day, struct duration d, int sign)
{
	cw_day to;
	switch (d.unit) {
	case DUR_WORKING_DAYS:
		if (calendar_add_working_days(ev->cal, day, sign * d.n, &to) < 0)
			return EVAL_NONE;
		return midnight(ev, to);
	case DUR_DAYS:
		to = day + sign * d.n;
		return calendar_in_range(to) ? midnight(ev, to) : EVAL_NONE;
	case DUR_HOURS:
		return midnight(ev, day) + sign * (int64_t)d.n * 3600;
	case DUR_MONTHS:
		/* The loader refuses months for notification offsets. */
		return EVAL_NONE;
	}
	return EVAL_NONE;
}

/* The day the deadline falls on, for counting escalation. */
static cw_day deadline_day(const struct evaluator *ev, const struct obligation *o)
{
	if (!o->has_due)
		return tz_local_day(ev->tz, o->overdue_at);
	if (o->due_instant)
		return tz_local_day(ev->tz, o->due_at);
	return o->due_day;
}

int64_t stage_start(const struct evaluator *ev, const struct obligation *o, enum notify_stage st)
{
	const struct rule *r = &ev->rules->v[o->rule];
	const struct duration off = r->notify[st].offset;
	if (o->overdue_at == EVAL_NONE)
		return EVAL_NONE; /* a pending gate, or a date out of range */
	switch (st) {
	case NOTIFY_UPCOMING:
		if (!o->has_due || o->due_instant)
			return EVAL_NONE;
		return day_offset(ev, o->due_day, off, -1);
	case NOTIFY_DUE:
		if (!o->has_due)
			return EVAL_NONE;
		return o->due_instant ? INT64_MIN : midnight(ev, o->due_day);
	case NOTIFY_OVERDUE:
		return o->overdue_at;
	case NOTIFY_ESCALATED: {
		/* Never before it is overdue, whatever the offset. */
		int64_t t = off.unit == DUR_HOURS ? o->overdue_at + (int64_t)off.n * 3600
						  : day_offset(ev, deadline_day(ev, o), off, 1);
		return t == EVAL_NONE || t > o->overdue_at ? t : o->overdue_at;
	}
	case _NOTIFY_MAX:
		break;
	}
	return EVAL_NONE;
}

int stage_at(const struct evaluator *ev, const struct obligation *o, int64_t *ret_next)
{
	int stage = STAGE_NONE;
	int64_t next = EVAL_NONE;
	if (o->state == OB_PENDING || o->state == OB_OVERDUE) {
		for (int st = 0; st < _NOTIFY_MAX; st++) {
			int64_t t = stage_start(ev, o, (enum notify_stage)st);
			if (t == EVAL_NONE)
				continue;
			if (t <= ev->at) {
				/* Stages only rise: a later one reached wins
				 * whatever the order of their offsets. */
				if (st > stage)
					stage = st;
			} else if (t < next) {
				next = t;
			}
		}
		/* A pending gate has no clock; anything else pending turns
		 * overdue at overdue_at, which is the overdue stage's start. */
	}
	*ret_next = next;
	return stage;
}

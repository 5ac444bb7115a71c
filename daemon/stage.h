/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "eval.h"

/* Notification stages (DESIGN.md section 5, casewatchd(8)): where an
 * unmet obligation stands against its deadline, from the rule's policy.
 * Pure, like the evaluation it follows. */

#define STAGE_NONE (-1) /* not (yet, or any more) a stage */

/* The stage of o at ev->at, STAGE_NONE or an enum notify_stage; and in
 * *ret_next the first instant after ev->at at which passing time alone
 * changes its stage or its state (EVAL_NONE when nothing will):
 *
 *   upcoming   from local midnight `before` the due day (upcoming's offset);
 *   due        from local midnight of the due day; a deadline in hours is
 *              due from the moment it exists;
 *   overdue    from the first late instant (the obligation's overdue_at);
 *              a gate passed unmet is overdue from the gate;
 *   escalated  once lateness reaches escalated's offset: local midnight of
 *              the day that many working days after the deadline's day, or
 *              that many hours after the first late instant.
 *
 * Met, late-met, cancelled and paused obligations, and pending gates, have
 * no stage. */
int stage_at(const struct evaluator *ev, const struct obligation *o, int64_t *ret_next);

/* The instant at which the stage starts for o: EVAL_NONE when never,
 * INT64_MIN when it holds from the moment the obligation exists. */
int64_t stage_start(const struct evaluator *ev, const struct obligation *o, enum notify_stage st);

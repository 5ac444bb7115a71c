/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "date.h"
#include "rules.h"
#include "tz.h"

/* The evaluation core (casewatch-rules(5)): from one case's rows, the
 * rules, the calendar and a moment, every obligation and its state. Pure:
 * no I/O, no clock, no global state; the rows come in as the database
 * holds them (text, possibly malformed) and are validated here, so every
 * caller reports bad data the same way. */

#define EVAL_NONE INT64_MAX /* no such instant */
#define CW_DAY_NONE INT32_MAX /* no such day */

struct eval_party {
	int64_t id;
	const char *role, *preferred_channel, *identified_at; /* NULL for SQL NULL */
	const char *roles; /* more roles of the same party (parties.roles), or NULL */
};

struct eval_event {
	int64_t id;
	const char *at, *kind;
	int64_t party_id;
	bool has_party;
	const char *channel, *detail;
};

/* What the reader did to a text of the case so that it could go into a
 * message, a log line or the state database (casewatch-rules(5), LIMITS):
 * the text in struct eval_case is the cleaned one, and this is for the
 * problem lines that say so. */
enum eval_text {
	EVAL_TEXT_REF,
	EVAL_TEXT_OFFICER,
	EVAL_TEXT_TEAM,
	_EVAL_TEXT_MAX,
};
struct eval_text_fix {
	unsigned flags; /* text_clean()'s TEXT_* flags; 0: as stored */
	size_t len;     /* bytes, as stored */
};

struct eval_case {
	int64_t id;
	/* ref, officer and team are clean, within their caps (util.h,
	 * TEXT_MAX_*); the others are as stored. */
	const char *ref, *stage, *category, *risk, *agreed_contact, *received_at;
	const char *officer, *team;
	struct eval_text_fix fixed[_EVAL_TEXT_MAX];
	int64_t serious, hate;
	const struct eval_party *parties;
	size_t n_parties;
	const struct eval_event *events; /* any order */
	size_t n_events;
};

enum ob_state {
	OB_PENDING,
	OB_MET,
	OB_MET_LATE,
	OB_OVERDUE,
	OB_CANCELLED,
	OB_PAUSED,
	_OB_STATE_MAX,
};
const char *ob_state_to_string(enum ob_state s);

/* Pending, overdue or paused: still owed. */
static inline bool ob_state_unmet(enum ob_state s)
{
	return s == OB_PENDING || s == OB_OVERDUE || s == OB_PAUSED;
}

struct obligation {
	size_t rule; /* index into the ruleset */
	bool has_party;   /* false: the case's, not a party's */
	int64_t party_id;
	enum role party_role;
	int cycle; /* 1 for all but recurring rules */
	cw_day start;
	bool has_due;     /* false for a gate */
	bool due_instant; /* an hour deadline: due_at, not due_day */
	cw_day due_day;
	int64_t due_at;
	int64_t overdue_at; /* the first late instant, or EVAL_NONE */
	enum ob_state state;
	int64_t met_at; /* EVAL_NONE when not met */
	/* Not met, and the rule stopped applying (the case closed, the
	 * risk fell) at this instant, at or before the moment; EVAL_NONE
	 * otherwise. */
	int64_t ended_at;
};

struct evaluator {
	const struct ruleset *rules;
	const struct calendar *cal;
	const struct tz *tz;
	int64_t at; /* the moment of evaluation */
};

/* Scratch space and results, reused from case to case. */
struct eval_result {
	bool exists;  /* received at or before the moment */
	bool skipped; /* bad rows: no obligations derived */
	bool open;    /* not closed at the moment */
	cw_day received; /* the local date of receipt, when exists */
	/* What passing time alone can change, for callers that re-evaluate
	 * only when something could have: the earliest instant after the
	 * moment at which a row of the case takes effect (a receipt, an
	 * identification or an event dated in the future; EVAL_NONE when
	 * none), and whether a deadline in hours is moving with an open
	 * hold, so that the result changes continuously. */
	int64_t next_input;
	bool moving;
	struct obligation *v;
	size_t n, cap;
	char **problems; /* one line each, without the case reference */
	size_t n_problems, cap_problems;
	void *scratch;
};

void eval_case(const struct evaluator *ev, const struct eval_case *c, struct eval_result *res);
/* Whether rule r gives cases obligations: all but unit rules and the
 * targets other than an interval. */
bool eval_rule_has_obligations(const struct rule *r);
void eval_result_free(struct eval_result *res);

/* Has any obligation a state other than met, met_late or cancelled? */
bool eval_result_unmet(const struct eval_result *res);

/* Working days (or hours, for an hour deadline) by which an obligation is
 * late at `at`: after its deadline up to the met date or `at`. 0 when not
 * late. */
int eval_lateness(const struct evaluator *ev, const struct obligation *o);

/* Unit rule: of the calendar months in the window ending at ev->at, from
 * the month of `first` (the earliest case or meeting; after ev->at, such
 * as CW_DAY_NONE, when there is none) on, how many had a
 * meeting (`days`, any order). The current month counts as met once it has
 * had one; otherwise it is still open, not missed. */
struct unit_figure {
	int months;  /* complete months in the window */
	int met;     /* of those, with a meeting */
	bool current_met;
	cw_day current_due; /* last day of the current month */
};
void eval_unit(const struct evaluator *ev, const struct rule *r, cw_day first,
	       const cw_day *days, size_t n, struct unit_figure *ret);
/* The first day of the window of rule r ending at ev->at. */
cw_day eval_window_start(const struct evaluator *ev, const struct rule *r);
/* Unit rule, over the calendar months from the month of `from` to that of
 * `to` (as eval_unit, without the rule's window): how many months were
 * owed, and how many of them had a meeting. The months before that of
 * `first` owe nothing; the complete months before ev->at's each owe one;
 * the current month is counted (owed and met) once it has had its meeting
 * and is otherwise still open; later months owe nothing yet.
 * *ret_current: 1 when the current month is among those owed and has had
 * its meeting, 0 when it is and has not yet, -1 otherwise. */
void eval_unit_range(const struct evaluator *ev, cw_day first, const cw_day *days, size_t n, cw_day from, cw_day to,
		     int *ret_months, int *ret_met, int *ret_current);

/* Interval target (casewatch-rules(5), target): the local date on which
 * cycle o's interval ends for the figure: the date of the update that met
 * it; for a cycle not met, the date the rule stopped applying when it was
 * already overdue then, or else the date of ev->at (still waiting);
 * CW_DAY_NONE for a cycle cancelled before it was due, which was never
 * owed. Its length is that date less o->start, in days. */
cw_day eval_interval_end(const struct evaluator *ev, const struct obligation *o);
/* Whether a target's figure meets its goal: a satisfaction share (in
 * percent) at least the goal, an interval average (in days) at most the
 * rule's every. */
bool eval_target_met(const struct rule *r, double figure);

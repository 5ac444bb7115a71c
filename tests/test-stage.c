/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Notification stages, stage_at() and stage_start(), on obligations built
 * by hand against the notify policies of a small rule pack. Every instant
 * below was worked out by hand from stage.h, casewatch-rules(5) NOTIFY and
 * DESIGN.md sections 2 and 5, with the 2026 England & Wales bank holidays
 * (Jan 1, Apr 3, Apr 6, May 4, May 25, Aug 31, Dec 25, Dec 28; and Friday
 * 1 January 2027) and British Summer Time from 29 March 01:00 UTC to
 * 25 October 01:00 UTC 2026, so that local midnight in summer is 23:00Z the
 * day before. The arithmetic is in the comments; none of it was taken from
 * what the code prints.
 *
 * The default policy (no notify in the pack): upcoming 1 working day
 * before the due day, due from its local midnight, overdue from the
 * obligation's overdue_at, escalated 5 working days after the due day.
 *
 *     January 2026           March 2026             April 2026
 *     Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su
 *               1  2  3  4                      1         1  2  3  4  5
 *      5  6  7  8  9 10 11    2  3  4  5  6  7  8    6  7  8  9 10 11 12
 *     12 13 14 15 16 17 18    9 10 11 12 13 14 15   13 14 15 16 17 18 19
 *     19 20 21 22 23 24 25   16 17 18 19 20 21 22   20 21 22 23 24 25 26
 *     26 27 28 29 30 31      23 24 25 26 27 28 29   27 28 29 30
 *                            30 31
 *     May 2026               June 2026              October 2026
 *     Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su
 *                  1  2  3    1  2  3  4  5  6  7             1  2  3  4
 *      4  5  6  7  8  9 10    8  9 10 11 12 13 14    5  6  7  8  9 10 11
 *     11 12 13 14 15 16 17   15 16 17 18 19 20 21   12 13 14 15 16 17 18
 *     18 19 20 21 22 23 24   22 23 24 25 26 27 28   19 20 21 22 23 24 25
 *     25 26 27 28 29 30 31   29 30                  26 27 28 29 30 31
 *     December 2026          January 2027
 *     Mo Tu We Th Fr Sa Su   Mo Tu We Th Fr Sa Su
 *         1  2  3  4  5  6                1  2  3
 *      7  8  9 10 11 12 13    4  5  6  7  8  9 10
 *     14 15 16 17 18 19 20
 *     21 22 23 24 25 26 27
 *     28 29 30 31
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tap.h"

#include "calendar.h"
#include "diag.h"
#include "eval.h"
#include "rules.h"
#include "stage.h"
#include "tz.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-stage.XXXXXX";
static struct calendar *cal;
static struct tz *london;
static struct ruleset rs;

/* One pack, loaded once: a rule on the default policy and rules with
 * their own leads and escalation offsets. Only the notify policies matter
 * to the stages; the rest makes the rules valid. */
static const char pack[] =
	"pack = \"stage\";\n"
	"rules = (\n"
	"{ id = \"default\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
	"  within = \"3 working days\"; met_by = { channel = \"phone\"; }; },\n"
	"{ id = \"lead-3wd\"; title = \"Call within 10 working days\"; kind = \"deadline\";\n"
	"  within = \"10 working days\"; met_by = { channel = \"phone\"; };\n"
	"  notify = { upcoming = { before = \"3 working days\"; to = [ \"officer\" ]; };\n"
	"             escalated = { after = \"2 working days\"; to = [ \"manager\" ]; }; }; },\n"
	"{ id = \"lead-2d\"; title = \"Call within 10 days\"; kind = \"deadline\";\n"
	"  within = \"10 days\"; met_by = { channel = \"phone\"; };\n"
	"  notify = { upcoming = { before = \"2 days\"; to = \"officer\"; }; }; },\n"
	"{ id = \"lead-4h\"; title = \"Call within 10 days\"; kind = \"deadline\";\n"
	"  within = \"10 days\"; met_by = { channel = \"phone\"; };\n"
	"  notify = { upcoming = { before = \"4 hours\"; to = \"officer\"; }; }; },\n"
	"{ id = \"esc-0wd\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
	"  within = \"3 working days\"; met_by = { channel = \"phone\"; };\n"
	"  notify = { escalated = { after = \"0 working days\"; to = [ \"manager\" ]; }; }; },\n"
	"{ id = \"esc-24h\"; title = \"Visit within 48 hours\"; kind = \"deadline\";\n"
	"  within = \"48 hours\"; met_by = { channel = \"visit\"; };\n"
	"  notify = { escalated = { after = \"24 hours\"; to = [ \"manager\" ]; }; }; },\n"
	"{ id = \"gate\"; title = \"Sendback letter before closing\"; kind = \"gate\";\n"
	"  from = \"not_accepted\"; before = \"closed\";\n"
	"  met_by = { kind = \"contact\"; channel = \"letter\"; detail = \"sendback\"; }; }\n"
	");\n";

/* ---- Fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
	char *why = NULL;
	if (!mkdtemp(dir))
		return -1;
	cal = calendar_new(DIVISION_ENGLAND_AND_WALES, WEEKEND_DEFAULT, NULL, NULL);
	if (!cal)
		return -1;
	if (tz_load("Europe/London", &london, &why) < 0) {
		fprintf(stderr, "# cannot load Europe/London: %s\n", why ? why : "?");
		free(why);
		return -1;
	}
	char *path = xasprintf("%s/stage.conf", dir);
	FILE *fp = fopen(path, "w");
	if (!fp) {
		free(path);
		return -1;
	}
	fputs(pack, fp);
	if (fclose(fp) != 0) {
		free(path);
		return -1;
	}
	struct diags d = { 0 };
	int r = rules_load(&path, 1, &rs, &d);
	if (r < 0 || d.n) {
		diags_print(&d, stderr);
		r = -1;
	}
	diags_free(&d);
	free(path);
	return r < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	ruleset_free(&rs);
	calendar_free(cal);
	tz_free(london);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

/* ---- Building obligations ------------------------------------------------ */

static int64_t T(const char *s)
{
	int64_t t;
	if (tz_parse_timestamp(london, s, &t) < 0)
		fail_msg("bad timestamp in test: %s", s);
	return t;
}

static cw_day D(const char *s)
{
	cw_day d;
	if (date_parse(s, &d) < 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

static size_t rule(const char *id)
{
	for (size_t i = 0; i < rs.n; i++)
		if (strcmp(rs.v[i].id, id) == 0)
			return i;
	fail_msg("no rule %s", id);
	return 0;
}

/* A date deadline due on `due`, first late at `overdue` (00:00 local the
 * day after, given by hand). */
static struct obligation day_ob(const char *id, const char *due, const char *overdue, enum ob_state st)
{
	return (struct obligation){
		.rule = rule(id), .cycle = 1, .start = D("2026-01-01"), .has_due = true,
		.due_day = D(due), .due_at = EVAL_NONE, .overdue_at = T(overdue), .state = st,
		.met_at = EVAL_NONE,
	};
}

/* An hour deadline due at the instant `due`, first late at `overdue`. */
static struct obligation hour_ob(const char *id, const char *due, const char *overdue, enum ob_state st)
{
	return (struct obligation){
		.rule = rule(id), .cycle = 1, .start = D("2026-01-01"), .has_due = true,
		.due_instant = true, .due_day = CW_DAY_NONE, .due_at = T(due), .overdue_at = T(overdue),
		.state = st, .met_at = EVAL_NONE,
	};
}

/* A gate: pending (gate NULL) or passed unmet at `gate`. */
static struct obligation gate_ob(const char *gate, enum ob_state st)
{
	return (struct obligation){
		.rule = rule("gate"), .cycle = 1, .start = D("2026-01-01"), .has_due = false,
		.due_day = CW_DAY_NONE, .due_at = EVAL_NONE, .overdue_at = gate ? T(gate) : EVAL_NONE,
		.state = st, .met_at = EVAL_NONE,
	};
}

static struct evaluator at(const char *when)
{
	return (struct evaluator){ .rules = &rs, .cal = cal, .tz = london, .at = T(when) };
}

/* ---- Looking at the result ------------------------------------------------ */

static const char *fmt(int64_t t, char buf[static TZ_TIMESTAMP_STRLEN])
{
	if (t == EVAL_NONE)
		return "none";
	if (t == INT64_MIN)
		return "always";
	return tz_format_timestamp(london, t, buf);
}

/* `want`: an RFC 3339 instant, "always" (INT64_MIN) or NULL (none). */
static const char *fmt_want(const char *want, char buf[static TZ_TIMESTAMP_STRLEN])
{
	if (!want)
		return "none";
	if (strcmp(want, "always") == 0)
		return "always";
	return fmt(T(want), buf);
}

static const char *stage_name(int st)
{
	return st == STAGE_NONE ? "none" : notify_stage_to_string((enum notify_stage)st);
}

/* The helpers below report a failure at the test's line, not their own. */
#define HERE __FILE__, __LINE__

/* stage_start(o, st) is `want`. */
static void expect_start_at(const char *file, int line, const struct obligation *o, enum notify_stage st,
			    const char *want)
{
	/* The moment does not matter to stage_start. */
	struct evaluator ev = at("2026-01-01T00:00:00Z");
	char g[TZ_TIMESTAMP_STRLEN], w[TZ_TIMESTAMP_STRLEN], got[80], exp[80];
	snprintf(got, sizeof(got), "%s from %s", notify_stage_to_string(st), fmt(stage_start(&ev, o, st), g));
	snprintf(exp, sizeof(exp), "%s from %s", notify_stage_to_string(st), fmt_want(want, w));
	_assert_string_equal(got, exp, file, line);
}
#define expect_start(o, st, want) expect_start_at(HERE, (o), (st), (want))

/* At `when`, o is at stage `stage` ("none" or a stage name) and the next
 * change is at `next` (NULL: none). */
static void expect_stage_at(const char *file, int line, const struct obligation *o, const char *when,
			    const char *stage, const char *next)
{
	struct evaluator ev = at(when);
	int64_t n = 12345; /* must be overwritten */
	int st = stage_at(&ev, o, &n);
	char g[TZ_TIMESTAMP_STRLEN], w[TZ_TIMESTAMP_STRLEN], got[120], exp[120];
	snprintf(got, sizeof(got), "at %s: %s, next %s", when, stage_name(st), fmt(n, g));
	snprintf(exp, sizeof(exp), "at %s: %s, next %s", when, stage, fmt_want(next, w));
	_assert_string_equal(got, exp, file, line);
}
#define expect_stage(o, when, stage, next) expect_stage_at(HERE, (o), (when), (stage), (next))

/* ---- The premises ----------------------------------------------------------- */

static void test_premise_policies_and_calendar(void **state)
{
	/* The pack loaded the policies the tests below assume. */
	const struct rule *def = &rs.v[rule("default")];
	assert_true(def->notify[NOTIFY_UPCOMING].offset.n == 1 &&
		    def->notify[NOTIFY_UPCOMING].offset.unit == DUR_WORKING_DAYS);
	assert_true(def->notify[NOTIFY_ESCALATED].offset.n == 5 &&
		    def->notify[NOTIFY_ESCALATED].offset.unit == DUR_WORKING_DAYS);
	const struct rule *l3 = &rs.v[rule("lead-3wd")];
	assert_true(l3->notify[NOTIFY_UPCOMING].offset.n == 3 &&
		    l3->notify[NOTIFY_UPCOMING].offset.unit == DUR_WORKING_DAYS);
	assert_true(l3->notify[NOTIFY_ESCALATED].offset.n == 2 &&
		    l3->notify[NOTIFY_ESCALATED].offset.unit == DUR_WORKING_DAYS);
	const struct rule *l2 = &rs.v[rule("lead-2d")];
	assert_true(l2->notify[NOTIFY_UPCOMING].offset.n == 2 && l2->notify[NOTIFY_UPCOMING].offset.unit == DUR_DAYS);
	/* A rule's notify replaces only the stages it names. */
	assert_true(l2->notify[NOTIFY_ESCALATED].offset.n == 5 &&
		    l2->notify[NOTIFY_ESCALATED].offset.unit == DUR_WORKING_DAYS);
	const struct rule *l4 = &rs.v[rule("lead-4h")];
	assert_true(l4->notify[NOTIFY_UPCOMING].offset.n == 4 && l4->notify[NOTIFY_UPCOMING].offset.unit == DUR_HOURS);
	const struct rule *e0 = &rs.v[rule("esc-0wd")];
	assert_true(e0->notify[NOTIFY_ESCALATED].offset.n == 0 &&
		    e0->notify[NOTIFY_ESCALATED].offset.unit == DUR_WORKING_DAYS);
	const struct rule *e24 = &rs.v[rule("esc-24h")];
	assert_true(e24->notify[NOTIFY_ESCALATED].offset.n == 24 &&
		    e24->notify[NOTIFY_ESCALATED].offset.unit == DUR_HOURS);

	/* The bank holidays the arithmetic relies on. */
	static const char *const holidays[] = {
		"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
		"2026-08-31", "2026-12-25", "2026-12-28", "2027-01-01",
	};
	for (size_t i = 0; i < ELEMENTSOF(holidays); i++)
		assert_false(calendar_is_working_day(cal, D(holidays[i])));
	assert_true(calendar_is_working_day(cal, D("2026-04-02")));
	assert_true(calendar_is_working_day(cal, D("2026-12-24")));
	assert_false(calendar_is_working_day(cal, D("2026-12-26")));
}

/* ---- Date deadlines on the default policy --------------------------------- */

static void test_monday_deadline_default_policy(void **state)
{
	/* Due Monday 12 January 2026 (GMT: Z is local time):
	 *   upcoming  1 working day before Monday 12 = Friday 9 -> 9 Jan 00:00Z
	 *   due       Monday 12 00:00Z
	 *   overdue   00:00 on Tuesday 13 (the obligation's overdue_at)
	 *   escalated 5 working days after Monday 12: Tue 13 (1), Wed 14 (2),
	 *             Thu 15 (3), Fri 16 (4), Mon 19 (5) -> 19 Jan 00:00Z */
	struct obligation o = day_ob("default", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-01-09T00:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-01-12T00:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-01-13T00:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-19T00:00:00Z");
}

static void test_next_is_the_first_threshold_after_the_moment(void **state)
{
	/* The same obligation as above, due Monday 12 January, pending until
	 * its overdue_at and overdue from then on (as the evaluation says). */
	struct obligation o = day_ob("default", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	/* Long before: no stage, next is upcoming's start. */
	expect_stage(&o, "2026-01-05T09:00:00Z", "none", "2026-01-09T00:00:00Z");
	expect_stage(&o, "2026-01-08T23:59:59Z", "none", "2026-01-09T00:00:00Z");
	/* Upcoming from Friday 9 00:00 through the weekend; next is due. */
	expect_stage(&o, "2026-01-09T00:00:00Z", "upcoming", "2026-01-12T00:00:00Z");
	expect_stage(&o, "2026-01-11T23:59:59Z", "upcoming", "2026-01-12T00:00:00Z");
	/* Due all Monday 12; next is overdue at Tuesday 13 00:00. */
	expect_stage(&o, "2026-01-12T00:00:00Z", "due", "2026-01-13T00:00:00Z");
	expect_stage(&o, "2026-01-12T23:59:59Z", "due", "2026-01-13T00:00:00Z");
	/* Overdue from Tuesday 13; next is escalated at Monday 19 00:00. */
	o.state = OB_OVERDUE;
	expect_stage(&o, "2026-01-13T00:00:00Z", "overdue", "2026-01-19T00:00:00Z");
	expect_stage(&o, "2026-01-18T23:59:59Z", "overdue", "2026-01-19T00:00:00Z");
	/* Escalated from Monday 19; nothing after that. */
	expect_stage(&o, "2026-01-19T00:00:00Z", "escalated", NULL);
	expect_stage(&o, "2026-06-30T12:00:00+01:00", "escalated", NULL);
}

static void test_upcoming_skips_easter(void **state)
{
	/* Due Tuesday 7 April 2026 (BST). One working day before: Mon 6
	 * (Easter Monday), Sun 5, Sat 4, Fri 3 (Good Friday) are not, so
	 * Thursday 2 April -> local 00:00 = 1 April 23:00Z.
	 * Due: local 00:00 Tuesday 7 = 6 April 23:00Z.
	 * Overdue: local 00:00 Wednesday 8 = 7 April 23:00Z.
	 * Escalated: Wed 8 (1), Thu 9 (2), Fri 10 (3), Mon 13 (4), Tue 14
	 * (5) -> local 00:00 Tuesday 14 = 13 April 23:00Z. */
	struct obligation o = day_ob("default", "2026-04-07", "2026-04-07T23:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-04-01T23:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-04-06T23:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-04-07T23:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-04-13T23:00:00Z");
	/* Over the long weekend it stays upcoming, waiting for Tuesday. */
	expect_stage(&o, "2026-04-01T22:59:59Z", "none", "2026-04-01T23:00:00Z");
	expect_stage(&o, "2026-04-03T12:00:00+01:00", "upcoming", "2026-04-06T23:00:00Z");
	expect_stage(&o, "2026-04-06T23:59:59+01:00", "upcoming", "2026-04-06T23:00:00Z");
	expect_stage(&o, "2026-04-07T00:00:00+01:00", "due", "2026-04-07T23:00:00Z");
}

static void test_escalation_skips_easter(void **state)
{
	/* Due Thursday 2 April 2026 (BST).
	 * Upcoming: Wednesday 1 April -> 31 March 23:00Z.
	 * Due: local 00:00 Thursday 2 = 1 April 23:00Z.
	 * Overdue: local 00:00 Friday 3 = 2 April 23:00Z.
	 * Escalated: Fri 3 and Mon 6 are bank holidays: Tue 7 (1), Wed 8 (2),
	 * Thu 9 (3), Fri 10 (4), Mon 13 (5) -> local 00:00 Monday 13 =
	 * 12 April 23:00Z. */
	struct obligation o = day_ob("default", "2026-04-02", "2026-04-02T23:00:00Z", OB_OVERDUE);
	expect_start(&o, NOTIFY_UPCOMING, "2026-03-31T23:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-04-01T23:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-04-02T23:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-04-12T23:00:00Z");
	expect_stage(&o, "2026-04-10T17:00:00+01:00", "overdue", "2026-04-12T23:00:00Z");
	expect_stage(&o, "2026-04-12T23:59:59+01:00", "overdue", "2026-04-12T23:00:00Z");
	expect_stage(&o, "2026-04-13T00:00:00+01:00", "escalated", NULL);
}

static void test_christmas_and_new_year(void **state)
{
	/* Due Tuesday 29 December 2026 (GMT).
	 * Upcoming: Mon 28 (Boxing Day substitute), Sun 27, Sat 26, Fri 25
	 * (Christmas) are not working days -> Thursday 24 December 00:00Z.
	 * Overdue: Wednesday 30 00:00Z.
	 * Escalated: Wed 30 (1), Thu 31 (2), Fri 1 January 2027 (New Year's
	 * Day) is not, Mon 4 (3), Tue 5 (4), Wed 6 (5) -> 6 January 2027
	 * 00:00Z. */
	struct obligation o = day_ob("default", "2026-12-29", "2026-12-30T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-12-24T00:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-12-29T00:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-12-30T00:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2027-01-06T00:00:00Z");
	expect_stage(&o, "2026-12-25T10:00:00Z", "upcoming", "2026-12-29T00:00:00Z");
}

static void test_summer_midnight_is_23z_the_day_before(void **state)
{
	/* Due Monday 1 June 2026 (BST, UTC+1).
	 * Upcoming: Friday 29 May -> local 00:00 = 28 May 23:00Z.
	 * Due: local 00:00 Monday 1 June = 31 May 23:00Z.
	 * Overdue: local 00:00 Tuesday 2 June = 1 June 23:00Z.
	 * Escalated: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5 (4), Mon 8 (5) ->
	 * local 00:00 Monday 8 June = 7 June 23:00Z. */
	struct obligation o = day_ob("default", "2026-06-01", "2026-06-01T23:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-05-28T23:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-05-31T23:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-06-01T23:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-06-07T23:00:00Z");
	/* 22:59:59Z on Sunday 31 May is still Sunday locally: upcoming. */
	expect_stage(&o, "2026-05-31T22:59:59Z", "upcoming", "2026-05-31T23:00:00Z");
	expect_stage(&o, "2026-05-31T23:00:00Z", "due", "2026-06-01T23:00:00Z");
}

static void test_clock_changes_between_stages(void **state)
{
	/* Due Monday 30 March 2026: the clocks went forward on Sunday 29 at
	 * 01:00Z. Upcoming from Friday 27 00:00 GMT = 27 March 00:00Z; due
	 * from Monday 30 00:00 BST = 29 March 23:00Z. Escalated: Tue 31 (1),
	 * Wed 1 (2), Thu 2 (3), Fri 3 April is Good Friday, Mon 6 Easter
	 * Monday, Tue 7 (4), Wed 8 (5) -> local 00:00 Wednesday 8 April =
	 * 7 April 23:00Z. */
	struct obligation spring = day_ob("default", "2026-03-30", "2026-03-30T23:00:00Z", OB_PENDING);
	expect_start(&spring, NOTIFY_UPCOMING, "2026-03-27T00:00:00Z");
	expect_start(&spring, NOTIFY_DUE, "2026-03-29T23:00:00Z");
	expect_start(&spring, NOTIFY_OVERDUE, "2026-03-30T23:00:00Z");
	expect_start(&spring, NOTIFY_ESCALATED, "2026-04-07T23:00:00Z");

	/* Due Monday 26 October 2026: the clocks went back on Sunday 25 at
	 * 01:00Z. Upcoming from Friday 23 00:00 BST = 22 October 23:00Z; due
	 * from Monday 26 00:00 GMT = 26 October 00:00Z; overdue from Tuesday
	 * 27 00:00Z. Escalated: Tue 27 (1), Wed 28 (2), Thu 29 (3), Fri 30
	 * (4), Mon 2 November (5) -> 2 November 00:00Z. */
	struct obligation autumn = day_ob("default", "2026-10-26", "2026-10-27T00:00:00Z", OB_PENDING);
	expect_start(&autumn, NOTIFY_UPCOMING, "2026-10-22T23:00:00Z");
	expect_start(&autumn, NOTIFY_DUE, "2026-10-26T00:00:00Z");
	expect_start(&autumn, NOTIFY_ESCALATED, "2026-11-02T00:00:00Z");
	/* Sunday 25 October 23:30Z is still Sunday locally (GMT). */
	expect_stage(&autumn, "2026-10-25T23:30:00Z", "upcoming", "2026-10-26T00:00:00Z");
}

static void test_due_day_at_a_weekend(void **state)
{
	/* A calendar-day deadline can fall on Saturday 10 January. Upcoming
	 * 1 working day before it: Friday 9 -> 9 Jan 00:00Z. Due Saturday
	 * 10 00:00Z, overdue Sunday 11 00:00Z. Escalated 5 working days
	 * after Saturday 10 (day 0 whatever it is): Mon 12 (1), Tue 13 (2),
	 * Wed 14 (3), Thu 15 (4), Fri 16 (5) -> 16 Jan 00:00Z. */
	struct obligation o = day_ob("default", "2026-01-10", "2026-01-11T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-01-09T00:00:00Z");
	expect_start(&o, NOTIFY_DUE, "2026-01-10T00:00:00Z");
	expect_start(&o, NOTIFY_OVERDUE, "2026-01-11T00:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-16T00:00:00Z");
}

/* ---- Custom leads and escalations ------------------------------------------ */

static void test_lead_of_three_working_days(void **state)
{
	/* Due Monday 12 January: Fri 9 (1), Thu 8 (2), Wed 7 (3) -> 7 Jan
	 * 00:00Z. The rule escalates after 2 working days: Tue 13 (1), Wed 14
	 * (2) -> 14 Jan 00:00Z. */
	struct obligation o = day_ob("lead-3wd", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-01-07T00:00:00Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-14T00:00:00Z");
	expect_stage(&o, "2026-01-06T23:59:59Z", "none", "2026-01-07T00:00:00Z");
	expect_stage(&o, "2026-01-07T00:00:00Z", "upcoming", "2026-01-12T00:00:00Z");
	o.state = OB_OVERDUE;
	expect_stage(&o, "2026-01-13T00:00:00Z", "overdue", "2026-01-14T00:00:00Z");
	expect_stage(&o, "2026-01-14T00:00:00Z", "escalated", NULL);

	/* Due Thursday 9 April, over Easter: Wed 8 (1), Tue 7 (2), Mon 6 and
	 * Fri 3 are bank holidays, Thu 2 (3) -> local 00:00 Thursday 2 April
	 * = 1 April 23:00Z. */
	struct obligation easter = day_ob("lead-3wd", "2026-04-09", "2026-04-09T23:00:00Z", OB_PENDING);
	expect_start(&easter, NOTIFY_UPCOMING, "2026-04-01T23:00:00Z");

	/* Due Thursday 24 December: escalated 2 working days after it: Fri 25
	 * and Mon 28 are bank holidays, Tue 29 (1), Wed 30 (2) -> 30 December
	 * 00:00Z. Overdue from Friday 25 00:00Z. */
	struct obligation xmas = day_ob("lead-3wd", "2026-12-24", "2026-12-25T00:00:00Z", OB_OVERDUE);
	expect_start(&xmas, NOTIFY_ESCALATED, "2026-12-30T00:00:00Z");
	expect_stage(&xmas, "2026-12-29T16:00:00Z", "overdue", "2026-12-30T00:00:00Z");
}

static void test_lead_of_two_calendar_days(void **state)
{
	/* Due Monday 12 January: 2 calendar days before is Saturday 10 ->
	 * 10 Jan 00:00Z (weekends count). */
	struct obligation o = day_ob("lead-2d", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-01-10T00:00:00Z");
	expect_stage(&o, "2026-01-09T12:00:00Z", "none", "2026-01-10T00:00:00Z");
	expect_stage(&o, "2026-01-10T00:00:00Z", "upcoming", "2026-01-12T00:00:00Z");
	/* Over the spring clock change: due Monday 30 March, upcoming from
	 * Saturday 28 March 00:00 GMT = 28 March 00:00Z. */
	struct obligation spring = day_ob("lead-2d", "2026-03-30", "2026-03-30T23:00:00Z", OB_PENDING);
	expect_start(&spring, NOTIFY_UPCOMING, "2026-03-28T00:00:00Z");
	/* In summer: due Monday 1 June, upcoming from Saturday 30 May 00:00
	 * BST = 29 May 23:00Z. */
	struct obligation summer = day_ob("lead-2d", "2026-06-01", "2026-06-01T23:00:00Z", OB_PENDING);
	expect_start(&summer, NOTIFY_UPCOMING, "2026-05-29T23:00:00Z");
}

static void test_lead_of_four_hours(void **state)
{
	/* Due Monday 12 January: local midnight 12 Jan 00:00Z minus 4 hours =
	 * Sunday 11 January 20:00Z. */
	struct obligation o = day_ob("lead-4h", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, "2026-01-11T20:00:00Z");
	expect_stage(&o, "2026-01-11T19:59:59Z", "none", "2026-01-11T20:00:00Z");
	expect_stage(&o, "2026-01-11T20:00:00Z", "upcoming", "2026-01-12T00:00:00Z");
	/* In summer: due Monday 1 June, midnight 31 May 23:00Z minus 4 hours
	 * = 31 May 19:00Z (20:00 BST). */
	struct obligation summer = day_ob("lead-4h", "2026-06-01", "2026-06-01T23:00:00Z", OB_PENDING);
	expect_start(&summer, NOTIFY_UPCOMING, "2026-05-31T19:00:00Z");
	/* Due Monday 30 March, the day after the clocks went forward:
	 * midnight 29 March 23:00Z minus 4 hours = 29 March 19:00Z. */
	struct obligation spring = day_ob("lead-4h", "2026-03-30", "2026-03-30T23:00:00Z", OB_PENDING);
	expect_start(&spring, NOTIFY_UPCOMING, "2026-03-29T19:00:00Z");
}

static void test_escalation_after_zero_working_days_waits_for_overdue(void **state)
{
	/* Due Monday 12 January. 0 working days after Monday 12 is Monday 12
	 * itself, 00:00Z, which is before the first late instant (Tuesday 13
	 * 00:00Z): escalation is clamped to Tuesday 13 00:00Z, when it
	 * becomes overdue and escalated at once (the higher stage wins). */
	struct obligation o = day_ob("esc-0wd", "2026-01-12", "2026-01-13T00:00:00Z", OB_PENDING);
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-13T00:00:00Z");
	expect_stage(&o, "2026-01-12T00:00:00Z", "due", "2026-01-13T00:00:00Z");
	expect_stage(&o, "2026-01-12T23:59:59Z", "due", "2026-01-13T00:00:00Z");
	o.state = OB_OVERDUE;
	expect_stage(&o, "2026-01-13T00:00:00Z", "escalated", NULL);

	/* On an hour deadline due Friday 9 January 15:30Z (late from
	 * 15:30:01Z): 0 working days after Friday 9 is Friday 9 00:00Z, before
	 * it is late; clamped to 15:30:01Z. */
	struct obligation h = hour_ob("esc-0wd", "2026-01-09T15:30:00Z", "2026-01-09T15:30:01Z", OB_PENDING);
	expect_start(&h, NOTIFY_ESCALATED, "2026-01-09T15:30:01Z");
	expect_stage(&h, "2026-01-09T15:30:00Z", "due", "2026-01-09T15:30:01Z");
}

/* ---- Hour deadlines ---------------------------------------------------------- */

static void test_hour_deadline_default_policy(void **state)
{
	/* 48 hours from Wednesday 7 January 15:30Z: due Friday 9 January
	 * 15:30:00Z, late from 15:30:01Z. No upcoming; due from the moment it
	 * exists; escalated 5 working days after the deadline's day, Friday
	 * 9: Mon 12 (1), Tue 13 (2), Wed 14 (3), Thu 15 (4), Fri 16 (5) ->
	 * 16 Jan 00:00Z. */
	struct obligation o = hour_ob("default", "2026-01-09T15:30:00Z", "2026-01-09T15:30:01Z", OB_PENDING);
	expect_start(&o, NOTIFY_UPCOMING, NULL);
	expect_start(&o, NOTIFY_DUE, "always");
	expect_start(&o, NOTIFY_OVERDUE, "2026-01-09T15:30:01Z");
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-16T00:00:00Z");
	expect_stage(&o, "2026-01-07T15:30:00Z", "due", "2026-01-09T15:30:01Z");
	expect_stage(&o, "2026-01-09T15:30:00Z", "due", "2026-01-09T15:30:01Z");
	o.state = OB_OVERDUE;
	expect_stage(&o, "2026-01-09T15:30:01Z", "overdue", "2026-01-16T00:00:00Z");
	expect_stage(&o, "2026-01-15T23:59:59Z", "overdue", "2026-01-16T00:00:00Z");
	expect_stage(&o, "2026-01-16T00:00:00Z", "escalated", NULL);
}

static void test_hour_deadline_escalated_in_hours(void **state)
{
	/* Due Friday 9 January 15:30:00Z, late from 15:30:01Z; escalated 24
	 * hours after the first late instant: Saturday 10 January 15:30:01Z
	 * (hours ignore weekends). */
	struct obligation o = hour_ob("esc-24h", "2026-01-09T15:30:00Z", "2026-01-09T15:30:01Z", OB_OVERDUE);
	expect_start(&o, NOTIFY_UPCOMING, NULL);
	expect_start(&o, NOTIFY_ESCALATED, "2026-01-10T15:30:01Z");
	expect_stage(&o, "2026-01-10T15:30:00Z", "overdue", "2026-01-10T15:30:01Z");
	expect_stage(&o, "2026-01-10T15:30:01Z", "escalated", NULL);

	/* Over the autumn clock change: due Saturday 24 October 12:00 BST =
	 * 11:00:00Z, late from 11:00:01Z; 24 hours later is 25 October
	 * 11:00:01Z, which is 11:00:01 GMT local (not 12:00). */
	struct obligation autumn = hour_ob("esc-24h", "2026-10-24T11:00:00Z", "2026-10-24T11:00:01Z", OB_OVERDUE);
	expect_start(&autumn, NOTIFY_ESCALATED, "2026-10-25T11:00:01Z");
}

static void test_hour_deadline_escalated_in_working_days_over_christmas(void **state)
{
	/* Due Thursday 24 December 2026 16:00Z, late from 16:00:01Z.
	 * "2 working days" (rule lead-3wd) after Thursday 24: Fri 25 and Mon
	 * 28 are bank holidays, Tue 29 (1), Wed 30 (2) -> 30 December 00:00Z.
	 * Default 5: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri 1 January 2027
	 * is a bank holiday, Mon 4 (4), Tue 5 (5) -> 5 January 2027 00:00Z. */
	struct obligation two = hour_ob("lead-3wd", "2026-12-24T16:00:00Z", "2026-12-24T16:00:01Z", OB_OVERDUE);
	expect_start(&two, NOTIFY_UPCOMING, NULL);
	expect_start(&two, NOTIFY_ESCALATED, "2026-12-30T00:00:00Z");
	struct obligation five = hour_ob("default", "2026-12-24T16:00:00Z", "2026-12-24T16:00:01Z", OB_OVERDUE);
	expect_start(&five, NOTIFY_ESCALATED, "2027-01-05T00:00:00Z");
	expect_stage(&five, "2027-01-04T17:00:00Z", "overdue", "2027-01-05T00:00:00Z");

	/* The deadline's day is its local date: due Monday 1 June 23:30 BST =
	 * 22:30Z (late from 22:30:01Z). Default 5 working days after Monday
	 * 1 June: Tue 2 .. Mon 8 -> local 00:00 Monday 8 June = 7 June 23:00Z.
	 * Due at 00:30 BST on Tuesday 2 June = 1 June 23:30Z instead, the day
	 * is Tuesday 2: Wed 3 (1), Thu 4 (2), Fri 5 (3), Mon 8 (4), Tue 9 (5)
	 * -> 8 June 23:00Z. */
	struct obligation late_evening =
		hour_ob("default", "2026-06-01T22:30:00Z", "2026-06-01T22:30:01Z", OB_OVERDUE);
	expect_start(&late_evening, NOTIFY_ESCALATED, "2026-06-07T23:00:00Z");
	struct obligation after_midnight =
		hour_ob("default", "2026-06-01T23:30:00Z", "2026-06-01T23:30:01Z", OB_OVERDUE);
	expect_start(&after_midnight, NOTIFY_ESCALATED, "2026-06-08T23:00:00Z");
}

/* ---- Gates --------------------------------------------------------------------- */

static void test_pending_gate_has_no_stage(void **state)
{
	struct obligation g = gate_ob(NULL, OB_PENDING);
	for (int st = 0; st < _NOTIFY_MAX; st++)
		expect_start(&g, (enum notify_stage)st, NULL);
	expect_stage(&g, "2026-01-05T09:00:00Z", "none", NULL);
	expect_stage(&g, "2026-06-05T09:00:00+01:00", "none", NULL);
}

static void test_breached_gate_is_overdue_then_escalated(void **state)
{
	/* The before event came first on Wednesday 14 January 10:00Z: overdue
	 * from then; no upcoming or due stage. Escalated 5 working days after
	 * Wednesday 14: Thu 15 (1), Fri 16 (2), Mon 19 (3), Tue 20 (4), Wed 21
	 * (5) -> 21 January 00:00Z. */
	struct obligation g = gate_ob("2026-01-14T10:00:00Z", OB_OVERDUE);
	expect_start(&g, NOTIFY_UPCOMING, NULL);
	expect_start(&g, NOTIFY_DUE, NULL);
	expect_start(&g, NOTIFY_OVERDUE, "2026-01-14T10:00:00Z");
	expect_start(&g, NOTIFY_ESCALATED, "2026-01-21T00:00:00Z");
	expect_stage(&g, "2026-01-14T10:00:00Z", "overdue", "2026-01-21T00:00:00Z");
	expect_stage(&g, "2026-01-20T23:59:59Z", "overdue", "2026-01-21T00:00:00Z");
	expect_stage(&g, "2026-01-21T00:00:00Z", "escalated", NULL);

	/* The gate's day is its local date: passed on Thursday 4 June 00:30
	 * BST = 3 June 23:30Z, so counting from Thursday 4: Fri 5 (1), Mon 8
	 * (2), Tue 9 (3), Wed 10 (4), Thu 11 (5) -> local 00:00 Thursday 11
	 * June = 10 June 23:00Z. */
	struct obligation summer = gate_ob("2026-06-03T23:30:00Z", OB_OVERDUE);
	expect_start(&summer, NOTIFY_ESCALATED, "2026-06-10T23:00:00Z");
	expect_stage(&summer, "2026-06-03T23:30:00Z", "overdue", "2026-06-10T23:00:00Z");
}

/* ---- No stage ------------------------------------------------------------------ */

static void test_met_late_cancelled_paused_have_no_stage(void **state)
{
	/* Due Monday 12 January: at Friday 9 it would be upcoming, at Monday
	 * 19 escalated; whatever the moment, these states have none and
	 * nothing to wait for. */
	static const enum ob_state states[] = { OB_MET, OB_MET_LATE, OB_CANCELLED, OB_PAUSED };
	static const char *const moments[] = {
		"2026-01-05T09:00:00Z", "2026-01-09T12:00:00Z", "2026-01-12T12:00:00Z",
		"2026-01-14T12:00:00Z", "2026-01-19T12:00:00Z",
	};
	for (size_t i = 0; i < ELEMENTSOF(states); i++) {
		struct obligation o = day_ob("default", "2026-01-12", "2026-01-13T00:00:00Z", states[i]);
		struct obligation h = hour_ob("esc-24h", "2026-01-09T15:30:00Z", "2026-01-09T15:30:01Z", states[i]);
		struct obligation g = gate_ob("2026-01-14T10:00:00Z", states[i]);
		for (size_t j = 0; j < ELEMENTSOF(moments); j++) {
			expect_stage(&o, moments[j], "none", NULL);
			expect_stage(&h, moments[j], "none", NULL);
			expect_stage(&g, moments[j], "none", NULL);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_premise_policies_and_calendar),
		cmocka_unit_test(test_monday_deadline_default_policy),
		cmocka_unit_test(test_next_is_the_first_threshold_after_the_moment),
		cmocka_unit_test(test_upcoming_skips_easter),
		cmocka_unit_test(test_escalation_skips_easter),
		cmocka_unit_test(test_christmas_and_new_year),
		cmocka_unit_test(test_summer_midnight_is_23z_the_day_before),
		cmocka_unit_test(test_clock_changes_between_stages),
		cmocka_unit_test(test_due_day_at_a_weekend),
		cmocka_unit_test(test_lead_of_three_working_days),
		cmocka_unit_test(test_lead_of_two_calendar_days),
		cmocka_unit_test(test_lead_of_four_hours),
		cmocka_unit_test(test_escalation_after_zero_working_days_waits_for_overdue),
		cmocka_unit_test(test_hour_deadline_default_policy),
		cmocka_unit_test(test_hour_deadline_escalated_in_hours),
		cmocka_unit_test(test_hour_deadline_escalated_in_working_days_over_christmas),
		cmocka_unit_test(test_pending_gate_has_no_stage),
		cmocka_unit_test(test_breached_gate_is_overdue_then_escalated),
		cmocka_unit_test(test_met_late_cancelled_paused_have_no_stage),
	};
	return tap_exit(cmocka_run_group_tests(tests, group_setup, group_teardown));
}

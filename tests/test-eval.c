/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The evaluation core, eval_case(), on hand-built cases against small rule
 * packs. Every due date and state below was worked out by hand from
 * casewatch-rules(5) and DESIGN.md section 2, with the 2026 England & Wales
 * bank holidays (Jan 1, Apr 3, Apr 6, May 4, May 25, Aug 31, Dec 25, Dec 28)
 * and British Summer Time from 29 March to 25 October 2026; the arithmetic
 * is in the comments. None of it was taken from what the code prints.
 *
 * January 2026, the month most scenarios use (Thursday the 1st a holiday):
 *     Mo Tu We Th Fr Sa Su
 *               1  2  3  4
 *      5  6  7  8  9 10 11
 *     12 13 14 15 16 17 18
 *     19 20 21 22 23 24 25
 *     26 27 28 29 30 31
 * In January local time is GMT, so "Z" timestamps are local wall time. */
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
#include "tz.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-eval.XXXXXX";
static struct calendar *cal;
static struct tz *london;
static int n_packs;

struct fx {
	struct ruleset rs;
	struct eval_result res;
	struct evaluator ev;
};

/* ---- Building cases ----------------------------------------------------- */

#define PARTY(id_, role_, pref_, ident_) \
	{ .id = (id_), .role = (role_), .preferred_channel = (pref_), .identified_at = (ident_) }
#define EV(id_, at_, kind_) { .id = (id_), .at = (at_), .kind = (kind_) }
#define RISK(id_, at_, level_) { .id = (id_), .at = (at_), .kind = "risk", .detail = (level_) }
#define CONTACT(id_, at_, party_, channel_, detail_)                                              \
	{ .id = (id_), .at = (at_), .kind = "contact", .party_id = (party_), .has_party = true, \
	  .channel = (channel_), .detail = (detail_) }
#define CONTACT_NO_PARTY(id_, at_, channel_, detail_) \
	{ .id = (id_), .at = (at_), .kind = "contact", .channel = (channel_), .detail = (detail_) }

#define WITH_PARTIES(c, ...)                                                      \
	do {                                                                      \
		static const struct eval_party parties_[] = { __VA_ARGS__ };      \
		(c).parties = parties_;                                           \
		(c).n_parties = ELEMENTSOF(parties_);                             \
	} while (0)
#define WITH_EVENTS(c, ...)                                                       \
	do {                                                                      \
		static const struct eval_event events_[] = { __VA_ARGS__ };       \
		(c).events = events_;                                             \
		(c).n_events = ELEMENTSOF(events_);                               \
	} while (0)

/* A well-formed case as the database holds it, with no parties or events. */
static struct eval_case kase(const char *received)
{
	return (struct eval_case){
		.id = 1, .ref = "ASB-2026-0001", .stage = "enquiry", .category = "personal",
		.risk = "standard", .received_at = received, .officer = "a.officer@example.org",
		.team = "east",
	};
}

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

/* ---- Fixtures ------------------------------------------------------------ */

static int group_setup(void **state)
{
	char *why = NULL;
	if (!mkdtemp(dir))
		return -1;
	cal = calendar_new(DIVISION_ENGLAND_AND_WALES, WEEKEND_DEFAULT, NULL, NULL);
	if (tz_load("Europe/London", &london, &why) < 0) {
		fprintf(stderr, "# cannot load Europe/London: %s\n", why ? why : "?");
		free(why);
		return -1;
	}
	return cal ? 0 : -1;
}

static int group_teardown(void **state)
{
	calendar_free(cal);
	tz_free(london);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static int fx_setup(void **state)
{
	*state = xcalloc(1, sizeof(struct fx));
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	ruleset_free(&f->rs);
	eval_result_free(&f->res);
	free(f);
	return 0;
}

/* Load a pack whose rules are `rules_text` (the inside of rules = ( ... )). */
static void use_rules(struct fx *f, const char *rules_text)
{
	char *path = xasprintf("%s/pack%d.conf", dir, ++n_packs);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "pack = \"test\";\nrules = (\n%s\n);\n", rules_text);
	assert_int_equal(fclose(fp), 0);
	struct diags d = { 0 };
	int r = rules_load(&path, 1, &f->rs, &d);
	if (r < 0 || d.n) {
		diags_print(&d, stderr);
		diags_free(&d);
		free(path);
		fail_msg("the test's rule pack did not load");
	}
	diags_free(&d);
	free(path);
}

static void run(struct fx *f, const char *at, const struct eval_case *c)
{
	f->ev = (struct evaluator){ .rules = &f->rs, .cal = cal, .tz = london, .at = T(at) };
	eval_case(&f->ev, c, &f->res);
}

/* ---- Looking at the result ---------------------------------------------- */

static const char *fmt_instant(int64_t t, char buf[static TZ_TIMESTAMP_STRLEN])
{
	if (t == EVAL_NONE)
		return "none";
	return tz_format_timestamp(london, t, buf);
}

/* "STATE start=DATE due=DATE|INSTANT|none" */
static const char *render(const struct obligation *o, char *buf, size_t len)
{
	char s[DATE_STRLEN], d[TZ_TIMESTAMP_STRLEN];
	const char *due = "none";
	if (o->has_due)
		due = o->due_instant ? fmt_instant(o->due_at, d) : date_format(o->due_day, d);
	snprintf(buf, len, "%s start=%s due=%s", ob_state_to_string(o->state), date_format(o->start, s), due);
	return buf;
}

static const char *describe(const struct fx *f)
{
	static char out[8192];
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < f->res.n && used < sizeof(out); i++) {
		const struct obligation *o = &f->res.v[i];
		char line[160];
		used += (size_t)snprintf(out + used, sizeof(out) - used, "  %s party %lld cycle %d: %s\n",
					 f->rs.v[o->rule].id, (long long)o->party_id, o->cycle,
					 render(o, line, sizeof(line)));
	}
	return f->res.n ? out : "  (none)\n";
}

/* The helpers below report a failure at the test's line, not their own. */
#define HERE __FILE__, __LINE__

static void expect_n_at(const char *file, int line, const struct fx *f, size_t n)
{
	if (f->res.n != n) {
		print_error("expected %zu obligations, got %zu:\n%s", n, f->res.n, describe(f));
		_fail(file, line);
	}
}
#define expect_n(f, n) expect_n_at(HERE, (f), (n))

/* The obligation of rule `id` for party `party` (-1: the case's), cycle. */
static const struct obligation *ob_at(const char *file, int line, const struct fx *f, const char *id,
				      int64_t party, int cycle)
{
	for (size_t i = 0; i < f->res.n; i++) {
		const struct obligation *o = &f->res.v[i];
		/* party -1: the case's own obligation, not a party's. */
		if (strcmp(f->rs.v[o->rule].id, id) == 0 && o->cycle == cycle &&
		    (party < 0 ? !o->has_party : o->has_party && o->party_id == party))
			return o;
	}
	print_error("no obligation %s party %lld cycle %d among:\n%s", id, (long long)party, cycle, describe(f));
	_fail(file, line);
	return NULL;
}
#define ob(f, id, party, cycle) ob_at(HERE, (f), (id), (party), (cycle))

/* The first obligation of rule `id`, or NULL. */
static const struct obligation *find_ob(const struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->res.n; i++)
		if (strcmp(f->rs.v[f->res.v[i].rule].id, id) == 0)
			return &f->res.v[i];
	return NULL;
}

/* Compare the whole obligation at once so a failure shows all of it. `due`
 * is a date, an RFC 3339 instant for an hour deadline, or NULL (a gate). */
static void expect_at(const char *file, int line, const struct obligation *o, const char *state_,
		      const char *start, const char *due)
{
	char got[160], want[160], d[TZ_TIMESTAMP_STRLEN];
	const char *w = due ? due : "none";
	if (due && strchr(due, 'T'))
		w = fmt_instant(T(due), d);
	snprintf(want, sizeof(want), "%s start=%s due=%s", state_, start, w);
	_assert_string_equal(render(o, got, sizeof(got)), want, file, line);
}
#define expect(o, st, start, due) expect_at(HERE, (o), (st), (start), (due))

static void expect_met_at_at(const char *file, int line, const struct obligation *o, const char *at)
{
	char got[TZ_TIMESTAMP_STRLEN], want[TZ_TIMESTAMP_STRLEN];
	_assert_string_equal(fmt_instant(o->met_at, got), at ? fmt_instant(T(at), want) : "none", file, line);
}
#define expect_met_at(o, at) expect_met_at_at(HERE, (o), (at))

static void expect_overdue_at_at(const char *file, int line, const struct obligation *o, const char *at)
{
	char got[TZ_TIMESTAMP_STRLEN], want[TZ_TIMESTAMP_STRLEN];
	_assert_string_equal(fmt_instant(o->overdue_at, got), fmt_instant(T(at), want), file, line);
}
#define expect_overdue_at(o, at) expect_overdue_at_at(HERE, (o), (at))

/* The case's problem lines, exactly, NULL-terminated. */
static void expect_problems_at(const char *file, int line, const struct fx *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t i = 0;
	const char *want;
	while ((want = va_arg(ap, const char *))) {
		if (i >= f->res.n_problems) {
			print_error("missing problem #%zu: %s\n", i, want);
			_fail(file, line);
		}
		_assert_string_equal(f->res.problems[i], want, file, line);
		i++;
	}
	va_end(ap);
	if (i != f->res.n_problems) {
		print_error("unexpected problem #%zu: %s\n", i, f->res.problems[i]);
		_fail(file, line);
	}
}
#define expect_problems(f, ...) expect_problems_at(HERE, (f), __VA_ARGS__)

/* ---- Durations ------------------------------------------------------------ */

static void test_days_deadline_is_the_date_n_days_after(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"d\"; title = \"Call within 5 days\"; kind = \"deadline\"; within = \"5 days\";\n"
		     "  met_by = { channel = [ \"phone\", \"visit\" ]; }; }");
	/* Thursday 8 January + 5 calendar days (weekend counted) = Tuesday
	 * 13 January; overdue at 00:00 on the 14th. */
	struct eval_case c = kase("2026-01-08T10:00:00Z");
	run(f, "2026-01-13T23:59:59Z", &c);
	assert_true(f->res.exists);
	assert_false(f->res.skipped);
	assert_true(f->res.open);
	expect_n(f, 1);
	expect(ob(f, "d", -1, 1), "pending", "2026-01-08", "2026-01-13");
	assert_false(ob(f, "d", -1, 1)->due_instant);
	expect_overdue_at(ob(f, "d", -1, 1), "2026-01-14T00:00:00Z");
	run(f, "2026-01-14T00:00:00Z", &c);
	expect(ob(f, "d", -1, 1), "overdue", "2026-01-08", "2026-01-13");

	/* An email (not in the channel list) does not meet it; a phone call
	 * late on the due date does. */
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-09T10:00:00Z", "email", NULL),
		    CONTACT_NO_PARTY(2, "2026-01-13T18:00:00Z", "phone", NULL));
	run(f, "2026-01-20T12:00:00Z", &c);
	expect(ob(f, "d", -1, 1), "met", "2026-01-08", "2026-01-13");
	expect_met_at(ob(f, "d", -1, 1), "2026-01-13T18:00:00Z");

	struct eval_case late = kase("2026-01-08T10:00:00Z");
	WITH_EVENTS(late, CONTACT_NO_PARTY(1, "2026-01-14T08:00:00Z", "visit", NULL));
	run(f, "2026-01-20T12:00:00Z", &late);
	expect(ob(f, "d", -1, 1), "met_late", "2026-01-08", "2026-01-13");

	/* An event at the instant the clock started meets it; one a second
	 * before receipt, the same day, is a case logged after the call:
	 * taken as at receipt, it meets it too, shown at its own time; one
	 * the day before does not (casewatch-rules(5), THE CASE OVER TIME). */
	struct eval_case instant = kase("2026-01-08T10:00:00Z");
	WITH_EVENTS(instant, CONTACT_NO_PARTY(1, "2026-01-08T10:00:00Z", "phone", NULL));
	run(f, "2026-01-08T12:00:00Z", &instant);
	expect(ob(f, "d", -1, 1), "met", "2026-01-08", "2026-01-13");
	struct eval_case before = kase("2026-01-08T10:00:00Z");
	WITH_EVENTS(before, CONTACT_NO_PARTY(1, "2026-01-08T09:59:59Z", "phone", NULL));
	run(f, "2026-01-08T12:00:00Z", &before);
	expect(ob(f, "d", -1, 1), "met", "2026-01-08", "2026-01-13");
	expect_met_at(ob(f, "d", -1, 1), "2026-01-08T09:59:59Z");
	expect_problems(f, NULL);
	struct eval_case day_before = kase("2026-01-08T10:00:00Z");
	WITH_EVENTS(day_before, CONTACT_NO_PARTY(1, "2026-01-07T23:59:59Z", "phone", NULL));
	run(f, "2026-01-08T12:00:00Z", &day_before);
	expect(ob(f, "d", -1, 1), "pending", "2026-01-08", "2026-01-13");
}

static void test_hours_deadline_is_an_instant(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"h\"; title = \"Call within 48 hours\"; kind = \"deadline\"; within = \"48 hours\";\n"
		     "  met_by = { channel = \"phone\"; }; }");
	/* Friday 9 January 15:30 + 48 hours = Sunday 11 January 15:30 (hours
	 * ignore weekends); overdue the second after. */
	struct eval_case c = kase("2026-01-09T15:30:00Z");
	run(f, "2026-01-11T15:30:00Z", &c);
	expect_n(f, 1);
	const struct obligation *o = ob(f, "h", -1, 1);
	assert_true(o->due_instant);
	expect(o, "pending", "2026-01-09", "2026-01-11T15:30:00Z");
	expect_overdue_at(o, "2026-01-11T15:30:01Z");
	run(f, "2026-01-11T15:30:01Z", &c);
	expect(ob(f, "h", -1, 1), "overdue", "2026-01-09", "2026-01-11T15:30:00Z");

	/* Met at the due instant itself (written with an offset: 16:30+01:00
	 * is 15:30Z) is met; one second later is late. */
	struct eval_case on_time = kase("2026-01-09T15:30:00Z");
	WITH_EVENTS(on_time, CONTACT_NO_PARTY(1, "2026-01-11T16:30:00+01:00", "phone", NULL));
	run(f, "2026-01-12T09:00:00Z", &on_time);
	expect(ob(f, "h", -1, 1), "met", "2026-01-09", "2026-01-11T15:30:00Z");
	struct eval_case late = kase("2026-01-09T15:30:00Z");
	WITH_EVENTS(late, CONTACT_NO_PARTY(1, "2026-01-11T15:30:01Z", "phone", NULL));
	run(f, "2026-01-12T09:00:00Z", &late);
	expect(ob(f, "h", -1, 1), "met_late", "2026-01-09", "2026-01-11T15:30:00Z");
}

static void test_working_days_skip_the_easter_bank_holidays(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"w\"; title = \"Acknowledge within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { kind = \"contact\"; }; }");
	/* Thursday 2 April is day 0; Good Friday 3rd, the weekend and Easter
	 * Monday 6th are not worked: Tue 7 (1), Wed 8 (2), Thu 9 (3). In BST
	 * the 10th begins at 2026-04-09T23:00Z. */
	struct eval_case c = kase("2026-04-02T10:00:00+01:00");
	run(f, "2026-04-09T23:59:59+01:00", &c);
	expect_n(f, 1);
	expect(ob(f, "w", -1, 1), "pending", "2026-04-02", "2026-04-09");
	expect_overdue_at(ob(f, "w", -1, 1), "2026-04-09T23:00:00Z");
	run(f, "2026-04-10T00:00:00+01:00", &c);
	expect(ob(f, "w", -1, 1), "overdue", "2026-04-02", "2026-04-09");
}

static void test_day_zero_is_the_anchor_date_whatever_day_it_is(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"one\"; title = \"Call within 1 working day\"; kind = \"deadline\";\n"
		     "  within = \"1 working day\"; met_by = { channel = \"phone\"; }; }");
	/* Saturday 10 January + 1 working day = Monday 12. */
	struct eval_case sat = kase("2026-01-10T11:00:00Z");
	run(f, "2026-01-10T12:00:00Z", &sat);
	expect(ob(f, "one", -1, 1), "pending", "2026-01-10", "2026-01-12");
	/* Monday 12 -> Tuesday 13. */
	struct eval_case mon = kase("2026-01-12T09:00:00Z");
	run(f, "2026-01-12T12:00:00Z", &mon);
	expect(ob(f, "one", -1, 1), "pending", "2026-01-12", "2026-01-13");
	/* Friday 1 May, before the Early May bank holiday (Monday 4): Sat,
	 * Sun, Mon 4 not worked -> Tuesday 5. */
	struct eval_case fri = kase("2026-05-01T10:00:00+01:00");
	run(f, "2026-05-01T12:00:00+01:00", &fri);
	expect(ob(f, "one", -1, 1), "pending", "2026-05-01", "2026-05-05");
}

/* ---- Cutoff ----------------------------------------------------------------- */

static void test_cutoff_anchor_at_or_after_counts_from_next_working_day(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"cut\"; title = \"Call within 1 working day\"; kind = \"deadline\";\n"
		     "  within = \"1 working day\"; cutoff = \"16:00\"; met_by = { channel = \"phone\"; }; }");
	/* Tuesday 13 January 16:00 (GMT): counts as Wednesday 14 -> due
	 * Thursday 15. */
	struct eval_case at_cutoff = kase("2026-01-13T16:00:00Z");
	run(f, "2026-01-13T17:00:00Z", &at_cutoff);
	assert_string_equal(ob_state_to_string(ob(f, "cut", -1, 1)->state), "pending");
	char buf[DATE_STRLEN];
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-01-15");
	/* 15:59 the same day is before the cutoff: day 0 is Tuesday -> due
	 * Wednesday 14. */
	struct eval_case before = kase("2026-01-13T15:59:00Z");
	run(f, "2026-01-13T17:00:00Z", &before);
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-01-14");
	/* Friday 16 January 17:00: counts as Monday 19 -> due Tuesday 20. */
	struct eval_case friday = kase("2026-01-16T17:00:00Z");
	run(f, "2026-01-16T18:00:00Z", &friday);
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-01-20");
	/* Saturday 10 January 17:00: counts as Monday 12 -> due Tuesday 13
	 * (at 10:00 the same Saturday it would be due Monday 12). */
	struct eval_case saturday = kase("2026-01-10T17:00:00Z");
	run(f, "2026-01-10T18:00:00Z", &saturday);
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-01-13");
	/* The cutoff is local time: 15:00Z on Tuesday 2 June is 16:00 BST,
	 * so it counts as Wednesday 3 -> due Thursday 4; 14:59Z (15:59 BST)
	 * is due Wednesday 3. */
	struct eval_case summer = kase("2026-06-02T15:00:00Z");
	run(f, "2026-06-02T18:00:00Z", &summer);
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-06-04");
	struct eval_case summer_before = kase("2026-06-02T14:59:00Z");
	run(f, "2026-06-02T18:00:00Z", &summer_before);
	assert_string_equal(date_format(ob(f, "cut", -1, 1)->due_day, buf), "2026-06-03");
}

/* ---- Holds ---------------------------------------------------------------- */

static const char ten_working_days[] =
	"{ id = \"w10\"; title = \"Visit within 10 working days\"; kind = \"deadline\";\n"
	"  within = \"10 working days\"; met_by = { channel = \"visit\"; }; }";

static void test_hold_moves_working_day_deadline_by_working_days_on_hold(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	/* Received Monday 5 January: 10 working days is Mon 19 (6 7 8 9 12
	 * 13 14 15 16 19). On hold Wednesday 7 to Monday 12: the days on hold
	 * are 7, 8, 9, 10, 11 (not the 12th), of which 7, 8, 9 are working
	 * days: 19 -> 20, 21, 22. Due Thursday 22. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "hold"), EV(2, "2026-01-12T10:00:00Z", "resume"));
	run(f, "2026-01-21T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "w10", -1, 1), "pending", "2026-01-05", "2026-01-22");
	run(f, "2026-01-23T00:00:00Z", &c);
	expect(ob(f, "w10", -1, 1), "overdue", "2026-01-05", "2026-01-22");

	struct eval_case met = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(met, EV(1, "2026-01-07T10:00:00Z", "hold"), EV(2, "2026-01-12T10:00:00Z", "resume"),
		    CONTACT_NO_PARTY(3, "2026-01-22T16:00:00Z", "visit", NULL));
	run(f, "2026-01-26T12:00:00Z", &met);
	expect(ob(f, "w10", -1, 1), "met", "2026-01-05", "2026-01-22");
}

static void test_hold_moves_day_deadline_by_calendar_days_on_hold(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"d10\"; title = \"Visit within 10 days\"; kind = \"deadline\";\n"
		     "  within = \"10 days\"; met_by = { channel = \"visit\"; }; }");
	/* Monday 5 January + 10 days = Thursday 15; on hold 7 to 12: five
	 * days (7, 8, 9, 10, 11) -> Tuesday 20. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "hold"), EV(2, "2026-01-12T10:00:00Z", "resume"));
	run(f, "2026-01-16T12:00:00Z", &c);
	expect(ob(f, "d10", -1, 1), "pending", "2026-01-05", "2026-01-20");
	run(f, "2026-01-21T00:00:00Z", &c);
	expect(ob(f, "d10", -1, 1), "overdue", "2026-01-05", "2026-01-20");
}

static void test_hold_moves_hour_deadline_by_time_on_hold(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"h48\"; title = \"Call within 48 hours\"; kind = \"deadline\";\n"
		     "  within = \"48 hours\"; met_by = { channel = \"phone\"; }; }");
	/* Monday 5 January 09:00 + 48 h = Wednesday 7 09:00; on hold from
	 * 5th 12:00 to 6th 12:00 (24 h) -> Thursday 8 09:00. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-05T12:00:00Z", "hold"), EV(2, "2026-01-06T12:00:00Z", "resume"));
	run(f, "2026-01-07T12:00:00Z", &c);
	expect(ob(f, "h48", -1, 1), "pending", "2026-01-05", "2026-01-08T09:00:00Z");
}

static void test_hold_after_deadline_changes_nothing(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"w3\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"phone\"; }; }");
	/* Monday 5 January + 3 working days = Thursday 8. A hold from Friday 9
	 * begins after the deadline passed: late is late, and an overdue
	 * obligation is not paused. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-09T10:00:00Z", "hold"));
	run(f, "2026-01-12T12:00:00Z", &c);
	expect(ob(f, "w3", -1, 1), "overdue", "2026-01-05", "2026-01-08");
	/* A hold from the due day itself (Thursday 8 to Monday 12) comes
	 * before the deadline passed: 8 and 9 are working days on hold ->
	 * 8 + 2 working days = Monday 12. */
	struct eval_case due_day = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(due_day, EV(1, "2026-01-08T10:00:00Z", "hold"), EV(2, "2026-01-12T10:00:00Z", "resume"));
	run(f, "2026-01-12T12:00:00Z", &due_day);
	expect(ob(f, "w3", -1, 1), "pending", "2026-01-05", "2026-01-12");
}

static void test_open_hold_pauses_and_counts_through_today(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"w3\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"phone\"; }; }");
	/* Due Thursday 8. On hold from Wednesday 7, still on hold when
	 * evaluated on Monday 12: the days on hold run up to and including
	 * the 12th, working days 7, 8, 9, 12 -> 8 + 4 = Wednesday 14. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "hold"), EV(2, "2026-01-13T10:00:00Z", "resume"));
	run(f, "2026-01-12T12:00:00Z", &c);
	expect(ob(f, "w3", -1, 1), "paused", "2026-01-05", "2026-01-14");
	/* Resumed Tuesday 13: days on hold 7..12, the same four -> 14, and
	 * no longer paused. */
	run(f, "2026-01-13T12:00:00Z", &c);
	expect(ob(f, "w3", -1, 1), "pending", "2026-01-05", "2026-01-14");
	run(f, "2026-01-15T00:00:00Z", &c);
	expect(ob(f, "w3", -1, 1), "overdue", "2026-01-05", "2026-01-14");
}

static void test_on_hold_run_ignores_holds(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"run\"; title = \"Visit within 10 working days\"; kind = \"deadline\";\n"
		     "  within = \"10 working days\"; on_hold = \"run\"; met_by = { channel = \"visit\"; }; }");
	/* The clock runs through the hold: due Monday 19 as if there were
	 * none, and pending (not paused) while on hold. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "hold"), EV(2, "2026-01-12T10:00:00Z", "resume"));
	run(f, "2026-01-09T12:00:00Z", &c);
	expect(ob(f, "run", -1, 1), "pending", "2026-01-05", "2026-01-19");
	run(f, "2026-01-20T00:00:00Z", &c);
	expect(ob(f, "run", -1, 1), "overdue", "2026-01-05", "2026-01-19");
}

static void test_two_holds_both_move_the_deadline(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	/* Due Monday 19 without holds. Hold Tue 6 to Thu 8: 6, 7 (2 working
	 * days); hold Mon 12 to Wed 14: 12, 13 (2). 19 + 4 working days =
	 * Friday 23. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "hold"), EV(2, "2026-01-08T10:00:00Z", "resume"),
		    EV(3, "2026-01-12T10:00:00Z", "hold"), EV(4, "2026-01-14T10:00:00Z", "resume"));
	run(f, "2026-01-22T12:00:00Z", &c);
	expect(ob(f, "w10", -1, 1), "pending", "2026-01-05", "2026-01-23");
	run(f, "2026-01-24T00:00:00Z", &c);
	expect(ob(f, "w10", -1, 1), "overdue", "2026-01-05", "2026-01-23");
}

static void test_hold_counts_only_from_the_start_date(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"acc\"; title = \"Letter within 3 working days of acceptance\"; kind = \"deadline\";\n"
		     "  from = \"accepted\"; within = \"3 working days\"; met_by = { channel = \"letter\"; }; }");
	/* A hold Mon 5 to Wed 7 ends before acceptance on Thursday 8: not
	 * counted. 8 + 3 working days = 9, 12, 13 -> Tuesday 13. */
	struct eval_case before = kase("2026-01-05T09:00:00Z");
	before.stage = "case";
	WITH_EVENTS(before, EV(1, "2026-01-05T10:00:00Z", "hold"), EV(2, "2026-01-07T10:00:00Z", "resume"),
		    EV(3, "2026-01-08T10:00:00Z", "accepted"));
	run(f, "2026-01-13T12:00:00Z", &before);
	expect(ob(f, "acc", -1, 1), "pending", "2026-01-08", "2026-01-13");
	/* A hold Mon 5 to Fri 9 spanning acceptance on Wednesday 7: counted
	 * from the start date on, the days on hold are 7 and 8 (2 working
	 * days). 7 + 3 = 8, 9, 12 -> Monday 12, + 2 -> Wednesday 14. */
	struct eval_case spanning = kase("2026-01-05T09:00:00Z");
	spanning.stage = "case";
	WITH_EVENTS(spanning, EV(1, "2026-01-05T10:00:00Z", "hold"), EV(2, "2026-01-07T10:00:00Z", "accepted"),
		    EV(3, "2026-01-09T10:00:00Z", "resume"));
	run(f, "2026-01-13T12:00:00Z", &spanning);
	expect(ob(f, "acc", -1, 1), "pending", "2026-01-07", "2026-01-14");
}

/* ---- Daylight saving ------------------------------------------------------- */

static void test_late_evening_utc_event_is_next_local_date(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"one\"; title = \"Call within 1 working day\"; kind = \"deadline\";\n"
		     "  within = \"1 working day\"; met_by = { channel = \"phone\"; }; }");
	/* 23:30Z on Wednesday 1 July is 00:30 BST on Thursday 2: day 0 is the
	 * 2nd, due Friday 3 (not Thursday 2, as the UTC date would give).
	 * Friday 3 ends at 2026-07-03T23:00Z. */
	struct eval_case c = kase("2026-07-01T23:30:00Z");
	run(f, "2026-07-02T09:00:00+01:00", &c);
	expect(ob(f, "one", -1, 1), "pending", "2026-07-02", "2026-07-03");
	expect_overdue_at(ob(f, "one", -1, 1), "2026-07-03T23:00:00Z");
	/* A call at 22:59:59Z (23:59:59 BST on the 3rd) is on time; at
	 * 23:00Z (00:00 BST Saturday 4) it is late. */
	struct eval_case on_time = kase("2026-07-01T23:30:00Z");
	WITH_EVENTS(on_time, CONTACT_NO_PARTY(1, "2026-07-03T22:59:59Z", "phone", NULL));
	run(f, "2026-07-06T09:00:00+01:00", &on_time);
	expect(ob(f, "one", -1, 1), "met", "2026-07-02", "2026-07-03");
	struct eval_case late = kase("2026-07-01T23:30:00Z");
	WITH_EVENTS(late, CONTACT_NO_PARTY(1, "2026-07-03T23:00:00Z", "phone", NULL));
	run(f, "2026-07-06T09:00:00+01:00", &late);
	expect(ob(f, "one", -1, 1), "met_late", "2026-07-02", "2026-07-03");
	/* With no offset a timestamp is local time: 23:30 BST on Wednesday
	 * 1 July is day 0 -> due Thursday 2. */
	struct eval_case local = kase("2026-07-01T23:30:00");
	run(f, "2026-07-02T09:00:00+01:00", &local);
	expect(ob(f, "one", -1, 1), "pending", "2026-07-01", "2026-07-02");
}

static void test_clock_changes_do_not_move_date_deadlines(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"d5\"; title = \"Call within 5 days\"; kind = \"deadline\";\n"
		     "  within = \"5 days\"; met_by = { channel = \"phone\"; }; },\n"
		     "{ id = \"w3\"; title = \"Letter within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"letter\"; }; }");
	/* Thursday 22 October (BST) + 5 days = Tuesday 27 (GMT since the
	 * 25th); it ends at local midnight, 2026-10-28T00:00Z, not an hour
	 * earlier. 22 + 3 working days = 23, 26, 27 -> Tuesday 27 too. */
	struct eval_case c = kase("2026-10-22T10:00:00+01:00");
	run(f, "2026-10-27T23:30:00Z", &c);
	expect(ob(f, "d5", -1, 1), "pending", "2026-10-22", "2026-10-27");
	expect(ob(f, "w3", -1, 1), "pending", "2026-10-22", "2026-10-27");
	expect_overdue_at(ob(f, "d5", -1, 1), "2026-10-28T00:00:00Z");
	run(f, "2026-10-28T00:00:00Z", &c);
	expect(ob(f, "d5", -1, 1), "overdue", "2026-10-22", "2026-10-27");
	/* Spring: Saturday 28 March 23:30Z is 23:30 GMT on the 28th, the
	 * night before the clocks go forward. + 3 working days = Mon 30, Tue
	 * 31, Wed 1 April; + 5 days = Thursday 2 April (BST), which ends at
	 * 2026-04-02T23:00Z. */
	struct eval_case spring = kase("2026-03-28T23:30:00Z");
	run(f, "2026-03-30T22:59:59Z", &spring);
	expect(ob(f, "w3", -1, 1), "pending", "2026-03-28", "2026-04-01");
	expect(ob(f, "d5", -1, 1), "pending", "2026-03-28", "2026-04-02");
	expect_overdue_at(ob(f, "d5", -1, 1), "2026-04-02T23:00:00Z");
}

/* ---- Filters ------------------------------------------------------------------ */

static void test_category_list_filter(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"env\"; title = \"Inspect within 5 working days\"; kind = \"deadline\";\n"
		     "  when = { category = [ \"nuisance\", \"environmental\" ]; };\n"
		     "  within = \"5 working days\"; met_by = { channel = \"visit\"; }; }");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.category = "environmental";
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	/* Monday 5 + 5 working days = 6 7 8 9 12 -> Monday 12. */
	expect(ob(f, "env", -1, 1), "pending", "2026-01-05", "2026-01-12");
	c.category = "nuisance";
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	c.category = "personal";
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 0);
}

static void test_hate_filter(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"hate\"; title = \"Call within 1 working day\"; kind = \"deadline\";\n"
		     "  when = { hate = true; }; within = \"1 working day\"; met_by = { channel = \"phone\"; }; },\n"
		     "{ id = \"other\"; title = \"Call within 5 working days\"; kind = \"deadline\";\n"
		     "  when = { hate = false; }; within = \"5 working days\"; met_by = { channel = \"phone\"; }; }");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.hate = 1;
	run(f, "2026-01-05T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "hate", -1, 1), "pending", "2026-01-05", "2026-01-06");
	c.hate = 0;
	run(f, "2026-01-05T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "other", -1, 1), "pending", "2026-01-05", "2026-01-12");
}

static const char serious_rule[] =
	"{ id = \"serious\"; title = \"Phone call within 1 working day\"; kind = \"deadline\";\n"
	"  when = { serious = true; }; from = \"received\"; within = \"1 working day\";\n"
	"  met_by = { kind = \"contact\"; channel = \"phone\"; }; }";

static void test_serious_flag_after_receipt_starts_the_clock_at_the_flag(void **state)
{
	struct fx *f = *state;
	use_rules(f, serious_rule);
	/* Received Monday 5, flagged serious Wednesday 7 14:00 (the column
	 * now says 1, but the case is serious from its first serious event):
	 * the clock starts at the flag, due Thursday 8. The call on the 6th
	 * came before the clock started and does not meet it. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.serious = 1;
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-06T10:00:00Z", "phone", NULL),
		    EV(2, "2026-01-07T14:00:00Z", "serious"));
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "serious", -1, 1), "overdue", "2026-01-07", "2026-01-08");
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 0);

	struct eval_case met = kase("2026-01-05T09:00:00Z");
	met.serious = 1;
	WITH_EVENTS(met, EV(1, "2026-01-07T14:00:00Z", "serious"),
		    CONTACT_NO_PARTY(2, "2026-01-08T16:00:00Z", "phone", NULL));
	run(f, "2026-01-09T12:00:00Z", &met);
	expect(ob(f, "serious", -1, 1), "met", "2026-01-07", "2026-01-08");

	/* Serious from the start (column 1, no serious event): from receipt,
	 * due Tuesday 6. */
	struct eval_case column = kase("2026-01-05T09:00:00Z");
	column.serious = 1;
	run(f, "2026-01-07T12:00:00Z", &column);
	expect(ob(f, "serious", -1, 1), "overdue", "2026-01-05", "2026-01-06");
}

static void test_high_risk_chains_stop_and_restart_numbering_on(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"hr\"; title = \"Update every 7 days\"; kind = \"recurring\";\n"
		     "  when = { risk = \"high\"; }; from = \"received\"; every = \"7 days\";\n"
		     "  met_by = { kind = \"contact\"; }; }");
	/* Standard until the risk event of Wednesday 7 makes it high: chain 1
	 * starts then. Cycle 1: 7 + 7 days = 14, met by the contact of Sat
	 * 10. Cycle 2 starts the 10th, due 17; the risk falls to medium on
	 * Friday 16 before it was due: cancelled. The contact of Saturday 17
	 * (medium) counts for nothing. High again Monday 19: a new chain,
	 * cycle 3 from the 19th, due 26, overdue on Friday 30. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.risk = "high";
	WITH_EVENTS(c, RISK(1, "2026-01-07T10:00:00Z", "high"), CONTACT_NO_PARTY(2, "2026-01-10T12:00:00Z", "phone", NULL),
		    RISK(3, "2026-01-16T10:00:00Z", "medium"), CONTACT_NO_PARTY(4, "2026-01-17T12:00:00Z", "phone", NULL),
		    RISK(5, "2026-01-19T10:00:00Z", "high"));
	run(f, "2026-01-30T12:00:00Z", &c);
	expect_n(f, 3);
	expect(ob(f, "hr", -1, 1), "met", "2026-01-07", "2026-01-14");
	expect_met_at(ob(f, "hr", -1, 1), "2026-01-10T12:00:00Z");
	expect(ob(f, "hr", -1, 2), "cancelled", "2026-01-10", "2026-01-17");
	expect(ob(f, "hr", -1, 3), "overdue", "2026-01-19", "2026-01-26");

	/* High from the start (the column, no risk event): from receipt. */
	struct eval_case column = kase("2026-01-05T09:00:00Z");
	column.risk = "high";
	run(f, "2026-01-08T12:00:00Z", &column);
	expect_n(f, 1);
	expect(ob(f, "hr", -1, 1), "pending", "2026-01-05", "2026-01-12");
}

static void test_risk_anchor_is_first_of_latest_run_at_the_current_level(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"rk\"; title = \"Review within 5 working days\"; kind = \"deadline\";\n"
		     "  from = \"risk\"; within = \"5 working days\"; met_by = { channel = \"meeting\"; }; }");
	/* high Mon 5, medium Tue 6, high Mon 12, high again Wed 14: the run
	 * naming the current level began Monday 12. 12 + 5 working days =
	 * 13 14 15 16 19 -> Monday 19. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.risk = "high";
	WITH_EVENTS(c, RISK(1, "2026-01-05T10:00:00Z", "high"), RISK(2, "2026-01-06T10:00:00Z", "medium"),
		    RISK(3, "2026-01-12T10:00:00Z", "high"), RISK(4, "2026-01-14T10:00:00Z", "high"));
	run(f, "2026-01-15T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "rk", -1, 1), "pending", "2026-01-12", "2026-01-19");
	/* Seen on Wednesday 7, the later events have not happened: medium
	 * was set on Tuesday 6 -> 7 8 9 12 13, due Tuesday 13. */
	run(f, "2026-01-07T12:00:00Z", &c);
	expect(ob(f, "rk", -1, 1), "pending", "2026-01-06", "2026-01-13");
	/* No risk event at all: received (Monday 5 -> Monday 12). */
	struct eval_case none = kase("2026-01-05T09:00:00Z");
	run(f, "2026-01-07T12:00:00Z", &none);
	expect(ob(f, "rk", -1, 1), "pending", "2026-01-05", "2026-01-12");
}

static void test_stage_filter_reopened_case_starts_a_new_chain(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"ki\"; title = \"Update every 5 working days\"; kind = \"recurring\";\n"
		     "  when = { stage = \"case\"; }; from = \"accepted\"; every = \"5 working days\";\n"
		     "  met_by = { kind = \"contact\"; }; }");
	/* Accepted Tuesday 6: cycle 1 due 7 8 9 12 13 -> 13, met Monday 12.
	 * Cycle 2 from the 12th: 13 14 15 16 19 -> 19; the case closes on
	 * Wednesday 14, before: cancelled. Reopened Monday 19 (accepted
	 * before, so stage case): a new chain, cycle 3 from the 19th, 20 21
	 * 22 23 26 -> 26, overdue on Friday 30. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "case";
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "accepted"), CONTACT_NO_PARTY(2, "2026-01-12T10:00:00Z", "phone", NULL),
		    EV(3, "2026-01-14T10:00:00Z", "closed"), EV(4, "2026-01-19T10:00:00Z", "reopened"));
	run(f, "2026-01-30T12:00:00Z", &c);
	assert_true(f->res.open);
	expect_n(f, 3);
	expect(ob(f, "ki", -1, 1), "met", "2026-01-06", "2026-01-13");
	expect(ob(f, "ki", -1, 2), "cancelled", "2026-01-12", "2026-01-19");
	expect(ob(f, "ki", -1, 3), "overdue", "2026-01-19", "2026-01-26");
}

static void test_reopened_enquiry_never_accepted_is_an_enquiry_again(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"enq\"; title = \"Assess within 5 working days\"; kind = \"deadline\";\n"
		     "  when = { stage = \"enquiry\"; }; from = \"reopened\"; within = \"5 working days\";\n"
		     "  met_by = { kind = \"accepted\"; }; },\n"
		     "{ id = \"cs\"; title = \"Visit within 5 working days\"; kind = \"deadline\";\n"
		     "  when = { stage = \"case\"; }; from = \"reopened\"; within = \"5 working days\";\n"
		     "  met_by = { channel = \"visit\"; }; }");
	/* Never accepted: reopening makes it an enquiry again, so only the
	 * enquiry rule applies, from Monday 12: 13 14 15 16 19 -> 19. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "closed"), EV(2, "2026-01-12T10:00:00Z", "reopened"));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "enq", -1, 1), "pending", "2026-01-12", "2026-01-19");
}

/* ---- Per party --------------------------------------------------------------- */

static const char fallback_rule_fmt[] =
	"{ id = \"fb\"; title = \"Contact within %s\"; kind = \"deadline\";\n"
	"  from = [ \"received\", \"identified\" ]; for = [ \"victim\" ]; fallback = [ \"referrer\" ];\n"
	"  within = \"%s\"; met_by = { kind = \"contact\"; party = \"own\"; }; }";

static void test_fallback_cancelled_when_first_primary_identified(void **state)
{
	struct fx *f = *state;
	char *rules = xasprintf(fallback_rule_fmt, "10 working days", "10 working days");
	use_rules(f, rules);
	free(rules);
	/* Received Monday 5 with a referrer known from the start; a victim is
	 * identified Wednesday 7 11:00. Seen Tuesday 6 the victim does not
	 * exist yet: the referrer stands in, due 10 working days from the 5th
	 * = Monday 19. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, "2026-01-07T11:00:00Z"), PARTY(2, "referrer", NULL, NULL));
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "fb", 2, 1), "pending", "2026-01-05", "2026-01-19");
	assert_int_equal(ob(f, "fb", 2, 1)->party_role, ROLE_REFERRER);
	/* Seen Friday 9: the referrer's obligation stopped on the 7th, before
	 * its deadline: cancelled. The victim's runs from the 7th: 8 9 12 13
	 * 14 15 16 19 20 21 -> Wednesday 21. */
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "fb", 2, 1), "cancelled", "2026-01-05", "2026-01-19");
	expect(ob(f, "fb", 1, 1), "pending", "2026-01-07", "2026-01-21");
	assert_int_equal(ob(f, "fb", 1, 1)->party_role, ROLE_VICTIM);
	/* A victim known from the start: the referrer never stands in. */
	struct eval_case both = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(both, PARTY(1, "victim", NULL, NULL), PARTY(2, "referrer", NULL, NULL));
	run(f, "2026-01-09T12:00:00Z", &both);
	expect_n(f, 1);
	expect(ob(f, "fb", 1, 1), "pending", "2026-01-05", "2026-01-19");
}

static void test_fallback_already_overdue_stays_overdue(void **state)
{
	struct fx *f = *state;
	char *rules = xasprintf(fallback_rule_fmt, "1 working day", "1 working day");
	use_rules(f, rules);
	free(rules);
	/* The referrer's contact was due Tuesday 6; the victim identified on
	 * Thursday 8 does not cancel an obligation already overdue. The
	 * victim's: 8 + 1 -> Friday 9. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, "2026-01-08T11:00:00Z"), PARTY(2, "referrer", NULL, NULL));
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "fb", 2, 1), "overdue", "2026-01-05", "2026-01-06");
	expect(ob(f, "fb", 1, 1), "pending", "2026-01-08", "2026-01-09");
}

static void test_later_of_accepted_and_identified(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"ack\"; title = \"Letter within 3 working days\"; kind = \"deadline\";\n"
		     "  from = [ \"accepted\", \"identified\" ]; for = [ \"witness\" ]; within = \"3 working days\";\n"
		     "  met_by = { kind = \"contact\"; channel = \"letter\"; party = \"own\"; }; }");
	/* Accepted Wednesday 7. Witness 1 known from the start and witness 3
	 * identified Tuesday 6 (before acceptance): from the 7th, 8 9 12 ->
	 * Monday 12; 1 had a letter on Friday 9, 3 none. Witness 2 identified
	 * Monday 12 15:00: from the 12th, 13 14 15 -> Thursday 15. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "case";
	WITH_PARTIES(c, PARTY(1, "witness", NULL, NULL), PARTY(2, "witness", NULL, "2026-01-12T15:00:00Z"),
		     PARTY(3, "witness", NULL, "2026-01-06T09:00:00Z"));
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "accepted"), CONTACT(2, "2026-01-09T10:00:00Z", 1, "letter", NULL));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect_n(f, 3);
	expect(ob(f, "ack", 1, 1), "met", "2026-01-07", "2026-01-12");
	expect(ob(f, "ack", 2, 1), "pending", "2026-01-12", "2026-01-15");
	expect(ob(f, "ack", 3, 1), "overdue", "2026-01-07", "2026-01-12");
	/* Never accepted: an anchor that has not happened starts nothing. */
	struct eval_case enquiry = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(enquiry, PARTY(1, "witness", NULL, NULL));
	run(f, "2026-01-13T12:00:00Z", &enquiry);
	expect_n(f, 0);
}

/* ---- Meeting an obligation ---------------------------------------------------- */

static void test_preferred_channel(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"pref\"; title = \"First contact within 3 working days\"; kind = \"deadline\";\n"
		     "  for = [ \"complainant\", \"victim\" ]; within = \"3 working days\";\n"
		     "  met_by = { channel = \"preferred\"; party = \"own\"; }; }");
	/* Due Thursday 8. The complainant prefers email: a phone call on the
	 * 6th does not meet it, the email of Monday 12 does, late. The victim
	 * has no preference: a text on the 6th meets it. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "complainant", "email", NULL), PARTY(2, "victim", NULL, NULL));
	WITH_EVENTS(c, CONTACT(1, "2026-01-06T10:00:00Z", 1, "phone", NULL), CONTACT(2, "2026-01-06T11:00:00Z", 2, "sms", NULL),
		    CONTACT(3, "2026-01-12T10:00:00Z", 1, "email", NULL));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "pref", 1, 1), "met_late", "2026-01-05", "2026-01-08");
	expect_met_at(ob(f, "pref", 1, 1), "2026-01-12T10:00:00Z");
	expect(ob(f, "pref", 2, 1), "met", "2026-01-05", "2026-01-08");
	expect_met_at(ob(f, "pref", 2, 1), "2026-01-06T11:00:00Z");
}

static void test_detail_list(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"det\"; title = \"Acknowledge within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { detail = [ \"acknowledgement\", \"update\" ]; }; }");
	/* A sendback and a contact with no detail do not meet it; the update
	 * of Wednesday 7 does. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-06T10:00:00Z", "letter", "sendback"),
		    CONTACT_NO_PARTY(2, "2026-01-06T11:00:00Z", "phone", NULL),
		    CONTACT_NO_PARTY(3, "2026-01-07T10:00:00Z", "email", "update"));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect(ob(f, "det", -1, 1), "met", "2026-01-05", "2026-01-08");
	expect_met_at(ob(f, "det", -1, 1), "2026-01-07T10:00:00Z");

	/* The first meeting event in time, not in the rows' order or their
	 * text: 10:30+01:00 is 09:30Z, before 09:45Z. */
	struct eval_case order = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(order, CONTACT_NO_PARTY(1, "2026-01-07T09:45:00Z", "phone", "update"),
		    CONTACT_NO_PARTY(2, "2026-01-07T10:30:00+01:00", "email", "acknowledgement"));
	run(f, "2026-01-13T12:00:00Z", &order);
	expect_met_at(ob(f, "det", -1, 1), "2026-01-07T09:30:00Z");
}

static void test_party_roles_and_events_without_a_party(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"wit\"; title = \"Contact a witness within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { party = [ \"witness\" ]; }; }");
	/* Contact with the victim, and a contact with no party, do not meet a
	 * rule naming roles; the witness contact of Friday 9 does, late (due
	 * Thursday 8). */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL), PARTY(2, "witness", NULL, NULL));
	WITH_EVENTS(c, CONTACT(1, "2026-01-06T10:00:00Z", 1, "phone", NULL),
		    CONTACT_NO_PARTY(2, "2026-01-06T11:00:00Z", "phone", NULL),
		    CONTACT(3, "2026-01-09T10:00:00Z", 2, "phone", NULL));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "wit", -1, 1), "met_late", "2026-01-05", "2026-01-08");
	expect_met_at(ob(f, "wit", -1, 1), "2026-01-09T10:00:00Z");
}

static void test_met_by_an_event_kind_other_than_contact(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"resolve\"; title = \"Resolve within 20 working days\"; kind = \"deadline\";\n"
		     "  within = \"20 working days\"; met_by = { kind = \"closed\"; }; },\n"
		     "{ id = \"decide\"; title = \"Decide within 5 working days\"; kind = \"deadline\";\n"
		     "  within = \"5 working days\"; met_by = { kind = \"accepted\"; }; }");
	/* From Monday 5: 20 working days = 6-9 (4), 12-16 (9), 19-23 (14),
	 * 26-30 (19), Monday 2 February (20). Closed Wednesday 28: met by
	 * that very event. 5 working days = Monday 12; accepted Thursday 8:
	 * met. A contact meets neither. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-06T10:00:00Z", "phone", NULL), EV(2, "2026-01-08T10:00:00Z", "accepted"),
		    EV(3, "2026-01-28T10:00:00Z", "closed"));
	run(f, "2026-02-03T12:00:00Z", &c);
	assert_false(f->res.open);
	expect_n(f, 2);
	expect(ob(f, "resolve", -1, 1), "met", "2026-01-05", "2026-02-02");
	expect_met_at(ob(f, "resolve", -1, 1), "2026-01-28T10:00:00Z");
	expect(ob(f, "decide", -1, 1), "met", "2026-01-05", "2026-01-12");
	expect_met_at(ob(f, "decide", -1, 1), "2026-01-08T10:00:00Z");
}

static void test_rule_naming_roles_owes_nothing_without_such_a_party(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"ref\"; title = \"Acknowledge the referrer within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { party = \"referrer\"; }; }");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL));
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 0);
	/* A referrer recorded Thursday 8 14:00: nothing before that; after,
	 * counted from receipt as usual: Monday 5 + 3 = Thursday 8, so it is
	 * overdue on Friday 9. */
	struct eval_case later = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(later, PARTY(1, "victim", NULL, NULL), PARTY(2, "referrer", NULL, "2026-01-08T14:00:00Z"));
	run(f, "2026-01-07T12:00:00Z", &later);
	expect_n(f, 0);
	run(f, "2026-01-09T12:00:00Z", &later);
	expect_n(f, 1);
	expect(ob(f, "ref", -1, 1), "overdue", "2026-01-05", "2026-01-08");
}

/* ---- Recurring -------------------------------------------------------------------- */

static void test_recurring_cycles_chain_from_the_meeting_event(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"rec\"; title = \"Update every 5 working days\"; kind = \"recurring\";\n"
		     "  every = \"5 working days\"; met_by = { kind = \"contact\"; }; }");
	/* From Monday 5: cycle 1 due 6 7 8 9 12 -> 12, met Thursday 8. Cycle
	 * 2 from the 8th: 9 12 13 14 15 -> 15, met Tuesday 20, late. Cycle 3
	 * from the 20th: 21 22 23 26 27 -> 27, unmet: on Friday 6 February it
	 * is one overdue obligation, not one per missed period. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, CONTACT_NO_PARTY(2, "2026-01-20T10:00:00Z", "phone", NULL),
		    CONTACT_NO_PARTY(1, "2026-01-08T10:00:00Z", "phone", NULL));
	run(f, "2026-02-06T12:00:00Z", &c);
	expect_n(f, 3);
	expect(ob(f, "rec", -1, 1), "met", "2026-01-05", "2026-01-12");
	expect(ob(f, "rec", -1, 2), "met_late", "2026-01-08", "2026-01-15");
	expect_met_at(ob(f, "rec", -1, 2), "2026-01-20T10:00:00Z");
	expect(ob(f, "rec", -1, 3), "overdue", "2026-01-20", "2026-01-27");
	assert_true(eval_result_unmet(&f->res));
}

static const char agreed_rules[] =
	"{ id = \"ki\"; title = \"Keep informed every 20 working days\"; kind = \"recurring\";\n"
	"  every = \"20 working days\"; agreed_contact = true; met_by = { kind = \"contact\"; }; },\n"
	"{ id = \"fixed\"; title = \"Review every 15 working days\"; kind = \"recurring\";\n"
	"  every = \"15 working days\"; met_by = { kind = \"contact\"; }; }";

static void test_agreed_contact_replaces_every_where_allowed(void **state)
{
	struct fx *f = *state;
	use_rules(f, agreed_rules);
	/* agreed_contact "10 working days" replaces ki's 20 in every cycle:
	 * cycle 1 from Monday 5 -> 6 7 8 9 12 13 14 15 16 19 = 19, met Friday
	 * 9; cycle 2 from the 9th -> 12-16 (5), 19-23 (10) = Friday 23.
	 * "fixed" does not allow it: 15 working days from the 5th = 6-9 (4),
	 * 12-16 (9), 19-23 (14), Monday 26 (15); cycle 2 from the 9th = 12-16
	 * (5), 19-23 (10), 26-30 (15) -> Friday 30. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.agreed_contact = "10 working days";
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-09T10:00:00Z", "phone", NULL));
	run(f, "2026-01-14T12:00:00Z", &c);
	expect_problems(f, NULL);
	expect_n(f, 4);
	expect(ob(f, "ki", -1, 1), "met", "2026-01-05", "2026-01-19");
	expect(ob(f, "ki", -1, 2), "pending", "2026-01-09", "2026-01-23");
	expect(ob(f, "fixed", -1, 1), "met", "2026-01-05", "2026-01-26");
	expect(ob(f, "fixed", -1, 2), "pending", "2026-01-09", "2026-01-30");
}

static void test_malformed_agreed_contact_is_a_problem_not_a_skip(void **state)
{
	struct fx *f = *state;
	use_rules(f, agreed_rules);
	/* The rule's own 20 working days: 6-9 (4), 12-16 (9), 19-23 (14),
	 * 26-30 (19), Monday 2 February (20). */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.agreed_contact = "as and when";
	run(f, "2026-01-14T12:00:00Z", &c);
	assert_false(f->res.skipped);
	expect_problems(f, "agreed_contact (11 characters) is not a timescale like \"10 working days\", "
			   "\"fortnightly\" or \"1 month\": the standard's own timescale applies", NULL);
	expect_n(f, 2);
	expect(ob(f, "ki", -1, 1), "pending", "2026-01-05", "2026-02-02");
}

static void test_recurring_hold_counts_only_within_the_cycle(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"rec\"; title = \"Update every 5 working days\"; kind = \"recurring\";\n"
		     "  every = \"5 working days\"; met_by = { kind = \"contact\"; }; }");
	/* Cycle 1 from Monday 5: 6 7 8 9 12 -> 12; on hold Tue 6 to Wed 7
	 * (one working day) -> 13; met Friday 9. Cycle 2 from the 9th, after
	 * the hold: 12 13 14 15 16 -> Friday 16. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "hold"), EV(2, "2026-01-07T10:00:00Z", "resume"),
		    CONTACT_NO_PARTY(3, "2026-01-09T10:00:00Z", "phone", NULL));
	run(f, "2026-01-12T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "rec", -1, 1), "met", "2026-01-05", "2026-01-13");
	expect(ob(f, "rec", -1, 2), "pending", "2026-01-09", "2026-01-16");
}

static void test_interval_target_works_as_a_recurring_rule(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"avg\"; title = \"Updated within 14 days on average\"; kind = \"target\";\n"
		     "  measure = \"interval\"; every = \"14 days\"; met_by = { kind = \"contact\"; }; }");
	/* Cycle 1 from Monday 5: + 14 days = Monday 19, met Monday 12. Cycle
	 * 2 from the 12th: Monday 26, unmet on Friday 30. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-12T10:00:00Z", "phone", NULL));
	run(f, "2026-01-30T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "avg", -1, 1), "met", "2026-01-05", "2026-01-19");
	expect(ob(f, "avg", -1, 2), "overdue", "2026-01-12", "2026-01-26");
}

/* ---- Gates --------------------------------------------------------------------------- */

static const char gate_rule[] =
	"{ id = \"gate\"; title = \"Sendback letter before closing\"; kind = \"gate\";\n"
	"  when = { stage = \"enquiry\"; }; from = \"not_accepted\";\n"
	"  met_by = { kind = \"contact\"; channel = \"letter\"; detail = \"sendback\"; }; before = \"closed\"; }";

static void test_gate_pending_then_met_before_the_before_event(void **state)
{
	struct fx *f = *state;
	use_rules(f, gate_rule);
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "not_accepted"),
		    CONTACT_NO_PARTY(2, "2026-01-07T10:00:00Z", "letter", "sendback"), EV(3, "2026-01-08T10:00:00Z", "closed"));
	/* Before anything: no anchor yet. After not_accepted: pending, no due
	 * date, started Tuesday 6. */
	run(f, "2026-01-05T12:00:00Z", &c);
	expect_n(f, 0);
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "gate", -1, 1), "pending", "2026-01-06", NULL);
	assert_false(ob(f, "gate", -1, 1)->has_due);
	/* The letter before the closure: met, and closing does not cancel. */
	run(f, "2026-01-09T12:00:00Z", &c);
	assert_false(f->res.open);
	expect(ob(f, "gate", -1, 1), "met", "2026-01-06", NULL);
	expect_met_at(ob(f, "gate", -1, 1), "2026-01-07T10:00:00Z");
}

static void test_gate_breached_when_the_before_event_comes_first(void **state)
{
	struct fx *f = *state;
	use_rules(f, gate_rule);
	/* A letter before the anchor does not count; closed Wednesday 7 with
	 * no letter since not_accepted: breached (overdue), and the closure
	 * (which takes the stage out of enquiry) does not cancel it. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-05T12:00:00Z", "letter", "sendback"),
		    EV(2, "2026-01-06T10:00:00Z", "not_accepted"), EV(3, "2026-01-07T10:00:00Z", "closed"));
	run(f, "2026-01-08T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "gate", -1, 1), "overdue", "2026-01-06", NULL);
	/* The letter after the closure: met late. */
	struct eval_case late = kase("2026-01-05T09:00:00Z");
	late.stage = "closed";
	WITH_EVENTS(late, EV(1, "2026-01-06T10:00:00Z", "not_accepted"), EV(2, "2026-01-07T10:00:00Z", "closed"),
		    CONTACT_NO_PARTY(3, "2026-01-09T10:00:00Z", "letter", "sendback"));
	run(f, "2026-01-12T12:00:00Z", &late);
	expect(ob(f, "gate", -1, 1), "met_late", "2026-01-06", NULL);
	expect_met_at(ob(f, "gate", -1, 1), "2026-01-09T10:00:00Z");
}

static void test_gate_cancelled_when_accepted_after_all(void **state)
{
	struct fx *f = *state;
	use_rules(f, gate_rule);
	/* not_accepted Tuesday 6, accepted after all Thursday 8 (stage case:
	 * the filter stops holding before the closure of Monday 12). */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "not_accepted"), EV(2, "2026-01-08T10:00:00Z", "accepted"),
		    EV(3, "2026-01-12T10:00:00Z", "closed"));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "gate", -1, 1), "cancelled", "2026-01-06", NULL);
}

static void test_gate_not_cancelled_by_closure(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"ack\"; title = \"Acknowledge before accepting\"; kind = \"gate\";\n"
		     "  when = { stage = \"enquiry\"; }; met_by = { kind = \"contact\"; detail = \"acknowledgement\"; };\n"
		     "  before = \"accepted\"; }");
	/* Closed on Wednesday 7 with neither the acknowledgement nor
	 * acceptance: the gate still sees the enquiry stage the case had, so
	 * it is pending, not cancelled. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "closed"));
	run(f, "2026-01-08T12:00:00Z", &c);
	assert_false(f->res.open);
	expect_n(f, 1);
	expect(ob(f, "ack", -1, 1), "pending", "2026-01-05", NULL);
	/* Accepted after reopening, with no acknowledgement: breached. */
	struct eval_case later = kase("2026-01-05T09:00:00Z");
	later.stage = "case";
	WITH_EVENTS(later, EV(1, "2026-01-07T10:00:00Z", "closed"), EV(2, "2026-01-09T10:00:00Z", "reopened"),
		    EV(3, "2026-01-12T10:00:00Z", "accepted"));
	run(f, "2026-01-13T12:00:00Z", &later);
	expect(ob(f, "ack", -1, 1), "overdue", "2026-01-05", NULL);
}

static void test_gate_fallback_stops_when_primary_identified(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"sb\"; title = \"Sendback letter before closing\"; kind = \"gate\";\n"
		     "  when = { stage = \"enquiry\"; }; from = \"not_accepted\";\n"
		     "  for = [ \"referrer\" ]; fallback = [ \"complainant\" ];\n"
		     "  met_by = { kind = \"contact\"; channel = \"letter\"; detail = \"sendback\"; party = \"own\"; };\n"
		     "  before = \"closed\"; }");
	/* Not accepted Tuesday 6 with only a complainant: the complainant
	 * stands in. The referrer identified Thursday 8 stops the
	 * complainant's gate, still pending then (neither letter nor
	 * closure): cancelled (fallback, casewatch-rules(5)). The referrer's
	 * own gate is pending from the anchor, Tuesday 6. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "complainant", NULL, NULL), PARTY(2, "referrer", NULL, "2026-01-08T10:00:00Z"));
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "not_accepted"));
	run(f, "2026-01-07T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "sb", 1, 1), "pending", "2026-01-06", NULL);
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "sb", 2, 1), "pending", "2026-01-06", NULL);
	expect(ob(f, "sb", 1, 1), "cancelled", "2026-01-06", NULL);
}

static void test_pending_gate_is_not_paused_by_a_hold(void **state)
{
	struct fx *f = *state;
	use_rules(f, gate_rule);
	/* "A gate has no clock, so a hold does not pause it"
	 * (casewatch-rules(5), KINDS): the gate opened by not_accepted on
	 * Tuesday 6 is neither met nor breached while the case has been on
	 * hold since Wednesday 7: still pending. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "not_accepted"), EV(2, "2026-01-07T10:00:00Z", "hold"));
	run(f, "2026-01-08T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "gate", -1, 1), "pending", "2026-01-06", NULL);
}

/* ---- Checks ------------------------------------------------------------------------ */

static const char check_rules[] =
	"{ id = \"now\"; title = \"An accepted case needs a perpetrator\"; kind = \"check\";\n"
	"  when = { stage = \"case\"; }; from = \"accepted\"; missing = [ \"perpetrator\" ]; },\n"
	"{ id = \"soon\"; title = \"Identify a perpetrator within 2 working days\"; kind = \"check\";\n"
	"  when = { stage = \"case\"; }; from = \"accepted\"; within = \"2 working days\"; missing = [ \"perpetrator\" ]; }";

static void test_check_no_obligation_when_the_role_exists_at_the_start(void **state)
{
	struct fx *f = *state;
	use_rules(f, check_rules);
	/* Known from receipt, or identified before acceptance: the condition
	 * never held. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "case";
	WITH_PARTIES(c, PARTY(1, "perpetrator", NULL, NULL));
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "accepted"));
	run(f, "2026-01-12T12:00:00Z", &c);
	expect_n(f, 0);
	struct eval_case before = kase("2026-01-05T09:00:00Z");
	before.stage = "case";
	WITH_PARTIES(before, PARTY(1, "perpetrator", NULL, "2026-01-06T10:00:00Z"));
	WITH_EVENTS(before, EV(1, "2026-01-07T10:00:00Z", "accepted"));
	run(f, "2026-01-12T12:00:00Z", &before);
	expect_n(f, 0);
}

static void test_check_overdue_the_day_after_or_within(void **state)
{
	struct fx *f = *state;
	use_rules(f, check_rules);
	/* Accepted Wednesday 7 with no perpetrator: "now" is due that day,
	 * overdue from Thursday 8 00:00; "soon" is due 7 + 2 = 8, 9 -> Friday
	 * 9, overdue from Saturday 10. A perpetrator identified after the
	 * moment of evaluation does not exist yet. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "case";
	WITH_PARTIES(c, PARTY(1, "perpetrator", NULL, "2026-01-14T10:00:00Z"));
	WITH_EVENTS(c, EV(1, "2026-01-07T10:00:00Z", "accepted"));
	run(f, "2026-01-07T15:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "now", -1, 1), "pending", "2026-01-07", "2026-01-07");
	expect(ob(f, "soon", -1, 1), "pending", "2026-01-07", "2026-01-09");
	run(f, "2026-01-08T00:00:00Z", &c);
	expect(ob(f, "now", -1, 1), "overdue", "2026-01-07", "2026-01-07");
	expect(ob(f, "soon", -1, 1), "pending", "2026-01-07", "2026-01-09");
	run(f, "2026-01-10T00:00:00Z", &c);
	expect(ob(f, "soon", -1, 1), "overdue", "2026-01-07", "2026-01-09");
	/* Identified Wednesday 14: both met late. */
	run(f, "2026-01-15T12:00:00Z", &c);
	expect(ob(f, "now", -1, 1), "met_late", "2026-01-07", "2026-01-07");
	expect(ob(f, "soon", -1, 1), "met_late", "2026-01-07", "2026-01-09");
	expect_met_at(ob(f, "soon", -1, 1), "2026-01-14T10:00:00Z");
}

static void test_check_met_when_identified_in_time(void **state)
{
	struct fx *f = *state;
	use_rules(f, check_rules);
	/* Identified the same day (Wednesday 7 16:00): both met. */
	struct eval_case same = kase("2026-01-05T09:00:00Z");
	same.stage = "case";
	WITH_PARTIES(same, PARTY(1, "perpetrator", NULL, "2026-01-07T16:00:00Z"));
	WITH_EVENTS(same, EV(1, "2026-01-07T10:00:00Z", "accepted"));
	run(f, "2026-01-12T12:00:00Z", &same);
	expect(ob(f, "now", -1, 1), "met", "2026-01-07", "2026-01-07");
	expect_met_at(ob(f, "now", -1, 1), "2026-01-07T16:00:00Z");
	expect(ob(f, "soon", -1, 1), "met", "2026-01-07", "2026-01-09");
	/* Identified Friday 9: late for "now", in time for "soon". */
	struct eval_case friday = kase("2026-01-05T09:00:00Z");
	friday.stage = "case";
	WITH_PARTIES(friday, PARTY(1, "perpetrator", NULL, "2026-01-09T11:00:00Z"));
	WITH_EVENTS(friday, EV(1, "2026-01-07T10:00:00Z", "accepted"));
	run(f, "2026-01-12T12:00:00Z", &friday);
	expect(ob(f, "now", -1, 1), "met_late", "2026-01-07", "2026-01-07");
	expect(ob(f, "soon", -1, 1), "met", "2026-01-07", "2026-01-09");
}

/* ---- Cancellation and the moment of evaluation ------------------------------------- */

static void test_closure_before_the_deadline_cancels(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	/* Due Monday 19; closed Friday 9: cancelled, even seen after the 19th. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, EV(1, "2026-01-09T10:00:00Z", "closed"));
	run(f, "2026-01-20T12:00:00Z", &c);
	assert_false(f->res.open);
	expect(ob(f, "w10", -1, 1), "cancelled", "2026-01-05", "2026-01-19");
	assert_false(eval_result_unmet(&f->res));
}

static void test_closure_after_the_deadline_stays_overdue(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"w3\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"phone\"; }; }");
	/* Due Thursday 8; closed Monday 12: overdue before it closed. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, EV(1, "2026-01-12T10:00:00Z", "closed"));
	run(f, "2026-01-13T12:00:00Z", &c);
	expect(ob(f, "w3", -1, 1), "overdue", "2026-01-05", "2026-01-08");
}

static void test_closed_column_without_event_closes_at_the_moment(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"long\"; title = \"Visit within 10 working days\"; kind = \"deadline\";\n"
		     "  within = \"10 working days\"; met_by = { channel = \"visit\"; }; },\n"
		     "{ id = \"short\"; title = \"Call within 1 working day\"; kind = \"deadline\";\n"
		     "  within = \"1 working day\"; met_by = { channel = \"phone\"; }; }");
	/* Seen Friday 9: "long" (due 19) is cancelled by the closure now;
	 * "short" (due Tuesday 6) was already overdue and stays so. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	run(f, "2026-01-09T12:00:00Z", &c);
	assert_false(f->res.open);
	expect_n(f, 2);
	expect(ob(f, "long", -1, 1), "cancelled", "2026-01-05", "2026-01-19");
	expect(ob(f, "short", -1, 1), "overdue", "2026-01-05", "2026-01-06");
	/* The closure moves with the moment, so "long" is overdue once its
	 * deadline has passed: passing time alone changes the result then,
	 * and the case says when (a scan that evaluates only what may have
	 * changed must look again at 00:00 on Tuesday 20). */
	char buf[TZ_TIMESTAMP_STRLEN];
	assert_string_equal(fmt_instant(f->res.next_input, buf), "2026-01-20T00:00:00Z");
	run(f, "2026-01-20T00:00:00Z", &c);
	expect(ob(f, "long", -1, 1), "overdue", "2026-01-05", "2026-01-19");
	assert_int_equal(f->res.next_input, EVAL_NONE);
}

static void test_events_after_the_moment_are_ignored(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	/* Seen Wednesday 7 (replaying the past): the visit of the 8th and the
	 * closure of the 9th have not happened yet. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-08T10:00:00Z", "visit", NULL), EV(2, "2026-01-09T10:00:00Z", "closed"));
	run(f, "2026-01-07T12:00:00Z", &c);
	assert_true(f->res.exists);
	assert_true(f->res.open);
	expect(ob(f, "w10", -1, 1), "pending", "2026-01-05", "2026-01-19");
	expect_met_at(ob(f, "w10", -1, 1), NULL);
	run(f, "2026-01-08T12:00:00Z", &c);
	assert_true(f->res.open);
	expect(ob(f, "w10", -1, 1), "met", "2026-01-05", "2026-01-19");
}

static void test_case_received_after_the_moment_does_not_exist(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	struct eval_case c = kase("2026-01-10T09:00:00Z");
	run(f, "2026-01-10T08:59:59Z", &c);
	assert_false(f->res.exists);
	assert_false(f->res.skipped);
	expect_n(f, 0);
	run(f, "2026-01-10T09:00:00Z", &c);
	assert_true(f->res.exists);
	expect_n(f, 1);
}

static void test_case_stage_without_accepted_event_is_a_problem(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"acc\"; title = \"Letter within 3 working days of acceptance\"; kind = \"deadline\";\n"
		     "  from = \"accepted\"; within = \"3 working days\"; met_by = { channel = \"letter\"; }; },\n"
		     "{ id = \"rcv\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"phone\"; }; }");
	/* Reported, not skipped: the rule from receipt still applies. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "case";
	run(f, "2026-01-06T12:00:00Z", &c);
	assert_false(f->res.skipped);
	expect_problems(f, "stage is 'case' but there is no accepted event: nothing counted from acceptance can start",
			NULL);
	expect_n(f, 1);
	expect(ob(f, "rcv", -1, 1), "pending", "2026-01-05", "2026-01-08");
}

/* ---- Bad rows ------------------------------------------------------------------------- */

static void expect_skipped(struct fx *f, const struct eval_case *c, const char *problem)
{
	run(f, "2026-01-12T12:00:00Z", c);
	assert_true(f->res.skipped);
	expect_n(f, 0);
	expect_problems(f, problem, NULL);
}

static void test_bad_rows_skip_the_case_naming_the_row(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	struct eval_case when = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(when, EV(7, "06/01/2026 10:00", "accepted"));
	expect_skipped(f, &when, "event 7: '06/01/2026 10:00' is not an RFC 3339 timestamp");

	struct eval_case kind = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(kind, EV(8, "2026-01-06T10:00:00Z", "phoned"));
	expect_skipped(f, &kind, "event 8: unknown kind 'phoned'");

	struct eval_case other = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(other, PARTY(1, "victim", NULL, NULL));
	WITH_EVENTS(other, CONTACT(9, "2026-01-06T10:00:00Z", 99, "phone", NULL));
	expect_skipped(f, &other, "event 9: party 99 is not a party of this case");

	struct eval_case risk = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(risk, RISK(10, "2026-01-06T10:00:00Z", "severe"));
	expect_skipped(f, &risk, "event 10: its detail (6 characters) is not a risk level (standard, medium or high)");

	/* A risk event with no level names what is missing, not "(null)". */
	struct eval_case nolevel = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(nolevel, RISK(12, "2026-01-06T10:00:00Z", NULL));
	expect_skipped(f, &nolevel, "event 12: a risk event with no level (its detail must be standard, medium or high)");

	struct eval_case nokind = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(nokind, EV(13, "2026-01-06T10:00:00Z", NULL));
	expect_skipped(f, &nokind, "event 13 has no kind");

	struct eval_case serious = kase("2026-01-05T09:00:00Z");
	serious.serious = 2;
	expect_skipped(f, &serious, "serious is 2, not 0 or 1");

	struct eval_case stage = kase("2026-01-05T09:00:00Z");
	stage.stage = "archived";
	expect_skipped(f, &stage, "unknown stage 'archived' (enquiry, case or closed)");
	stage.stage = NULL;
	expect_skipped(f, &stage, "the case has no stage");

	struct eval_case hate = kase("2026-01-05T09:00:00Z");
	hate.hate = 2;
	expect_skipped(f, &hate, "hate is 2, not 0 or 1");

	struct eval_case level = kase("2026-01-05T09:00:00Z");
	level.risk = "extreme";
	expect_skipped(f, &level, "the risk column (7 characters) is not a risk level (standard, medium or high)");
	level.risk = NULL;
	expect_skipped(f, &level, "the case has no risk level");

	struct eval_case role = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(role, PARTY(3, "neighbour", NULL, NULL));
	expect_skipped(f, &role, "party 3: unknown role 'neighbour'");

	/* Several roles: each word must be one. */
	struct eval_case roles = kase("2026-01-05T09:00:00Z");
	static const struct eval_party bad_roles[] = {
		{ .id = 5, .role = "victim", .roles = "complainant, neighbour" },
	};
	roles.parties = bad_roles;
	roles.n_parties = 1;
	expect_skipped(f, &roles, "party 5: unknown role 'neighbour' in roles (victim, complainant, witness, "
				  "perpetrator or referrer)");

	struct eval_case norole = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(norole, PARTY(6, NULL, NULL, NULL));
	expect_skipped(f, &norole, "party 6 has no role");

	struct eval_case ident = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(ident, PARTY(4, "victim", NULL, "yesterday"));
	expect_skipped(f, &ident, "party 4: identified_at 'yesterday' is not an RFC 3339 timestamp");

	struct eval_case channel = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(channel, CONTACT_NO_PARTY(11, "2026-01-06T10:00:00Z", "fax", NULL));
	expect_skipped(f, &channel, "event 11: unknown channel 'fax'");

	struct eval_case received = kase("5 January 2026");
	expect_skipped(f, &received, "received_at '5 January 2026' is not an RFC 3339 timestamp");

	/* The same result, reused for a good case, carries nothing over. */
	struct eval_case good = kase("2026-01-05T09:00:00Z");
	run(f, "2026-01-12T12:00:00Z", &good);
	assert_false(f->res.skipped);
	expect_problems(f, NULL);
	expect(ob(f, "w10", -1, 1), "pending", "2026-01-05", "2026-01-19");
}

/* ---- Lateness ---------------------------------------------------------------------------- */

static void test_lateness_in_working_days_and_hours(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"w3\"; title = \"Call within 3 working days\"; kind = \"deadline\";\n"
		     "  within = \"3 working days\"; met_by = { channel = \"phone\"; }; },\n"
		     "{ id = \"h48\"; title = \"Visit within 48 hours\"; kind = \"deadline\";\n"
		     "  within = \"48 hours\"; met_by = { channel = \"visit\"; }; }");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	/* Pending on the due day (Thursday 8): not late. */
	run(f, "2026-01-08T12:00:00Z", &c);
	assert_int_equal(eval_lateness(&f->ev, ob(f, "w3", -1, 1)), 0);
	/* Overdue from Friday 9: 1 working day late that day; on Tuesday 13,
	 * 9, 12, 13 = 3. */
	run(f, "2026-01-09T00:00:00Z", &c);
	assert_int_equal(eval_lateness(&f->ev, ob(f, "w3", -1, 1)), 1);
	run(f, "2026-01-13T12:00:00Z", &c);
	assert_int_equal(eval_lateness(&f->ev, ob(f, "w3", -1, 1)), 3);
	/* The 48-hour visit was due Wednesday 7 09:00: at Wednesday 7 12:00
	 * it is 3 hours late. */
	run(f, "2026-01-07T12:00:00Z", &c);
	expect(ob(f, "h48", -1, 1), "overdue", "2026-01-05", "2026-01-07T09:00:00Z");
	assert_int_equal(eval_lateness(&f->ev, ob(f, "h48", -1, 1)), 3);

	/* Met late on Monday 12: 9, 12 = 2, however long after. Met on time:
	 * 0. */
	struct eval_case late = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(late, CONTACT_NO_PARTY(1, "2026-01-06T10:00:00Z", "visit", NULL),
		    CONTACT_NO_PARTY(2, "2026-01-12T10:00:00Z", "phone", NULL));
	run(f, "2026-01-30T12:00:00Z", &late);
	expect(ob(f, "w3", -1, 1), "met_late", "2026-01-05", "2026-01-08");
	assert_int_equal(eval_lateness(&f->ev, ob(f, "w3", -1, 1)), 2);
	expect(ob(f, "h48", -1, 1), "met", "2026-01-05", "2026-01-07T09:00:00Z");
	assert_int_equal(eval_lateness(&f->ev, ob(f, "h48", -1, 1)), 0);
}

/* ---- Unit rules ----------------------------------------------------------------------------- */

static const char unit_rules[] =
	"{ id = \"jag\"; title = \"JAG every month\"; kind = \"unit\"; meeting = \"jag\"; every = \"1 month\"; },\n"
	"{ id = \"jag1\"; title = \"JAG every month\"; kind = \"unit\"; meeting = \"jag\"; every = \"1 month\";\n"
	"  window = \"1 month\"; },\n"
	"{ id = \"jag3\"; title = \"JAG every month\"; kind = \"unit\"; meeting = \"jag\"; every = \"1 month\";\n"
	"  window = \"3 months\"; }";

static const struct rule *rule_by_id(const struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->rs.n; i++)
		if (strcmp(f->rs.v[i].id, id) == 0)
			return &f->rs.v[i];
	fail_msg("no rule %s", id);
	return NULL;
}

static void set_moment(struct fx *f, const char *when)
{
	f->ev = (struct evaluator){ .rules = &f->rs, .cal = cal, .tz = london, .at = T(when) };
}

static void test_window_start(void **state)
{
	struct fx *f = *state;
	use_rules(f, unit_rules);
	char buf[DATE_STRLEN];
	/* A window of N months ending Tuesday 31 March 2026 holds March (1),
	 * January to March (3), April 2025 to March 2026 (12). */
	set_moment(f, "2026-03-31T12:00:00+01:00");
	assert_string_equal(date_format(eval_window_start(&f->ev, rule_by_id(f, "jag1")), buf), "2026-03-01");
	assert_string_equal(date_format(eval_window_start(&f->ev, rule_by_id(f, "jag3")), buf), "2026-01-01");
	assert_string_equal(date_format(eval_window_start(&f->ev, rule_by_id(f, "jag")), buf), "2025-04-01");
	/* Sunday 31 May, 3 months: March to May, across a short February. */
	set_moment(f, "2026-05-31T12:00:00+01:00");
	assert_string_equal(date_format(eval_window_start(&f->ev, rule_by_id(f, "jag3")), buf), "2026-03-01");
}

static void test_unit_months_met_missed_and_current(void **state)
{
	struct fx *f = *state;
	use_rules(f, unit_rules);
	struct unit_figure u;
	char buf[DATE_STRLEN];
	set_moment(f, "2026-03-31T12:00:00+01:00");
	/* First case 10 November 2025; meetings (in no order) in November,
	 * January and twice in February, none in December nor yet in March:
	 * 4 complete months (Nov, Dec, Jan, Feb), 3 met; March still open,
	 * due on its last day. */
	const cw_day days[] = { D("2026-02-20"), D("2025-11-20"), D("2026-02-03"), D("2026-01-15") };
	eval_unit(&f->ev, rule_by_id(f, "jag"), D("2025-11-10"), days, ELEMENTSOF(days), &u);
	assert_int_equal(u.months, 4);
	assert_int_equal(u.met, 3);
	assert_false(u.current_met);
	assert_string_equal(date_format(u.current_due, buf), "2026-03-31");
	/* A meeting on the 31st itself meets March. */
	const cw_day with_march[] = { D("2026-02-20"), D("2025-11-20"), D("2026-03-31"), D("2026-01-15") };
	eval_unit(&f->ev, rule_by_id(f, "jag"), D("2025-11-10"), with_march, ELEMENTSOF(with_march), &u);
	assert_int_equal(u.months, 4);
	assert_int_equal(u.met, 3);
	assert_true(u.current_met);
	/* Counted from the first month with a case: February only. */
	const cw_day feb[] = { D("2026-02-27") };
	eval_unit(&f->ev, rule_by_id(f, "jag"), D("2026-02-10"), feb, ELEMENTSOF(feb), &u);
	assert_int_equal(u.months, 1);
	assert_int_equal(u.met, 1);
	assert_false(u.current_met);
	/* Seen on Sunday 15 March, a meeting booked for the 20th has not
	 * happened: March is not met yet (and not missed). */
	set_moment(f, "2026-03-15T12:00:00Z");
	const cw_day booked[] = { D("2026-03-20") };
	eval_unit(&f->ev, rule_by_id(f, "jag"), D("2026-02-10"), booked, ELEMENTSOF(booked), &u);
	assert_int_equal(u.months, 1);
	assert_int_equal(u.met, 0);
	assert_false(u.current_met);
	assert_string_equal(date_format(u.current_due, buf), "2026-03-31");
}

static void test_unit_counts_only_the_months_of_the_window(void **state)
{
	struct fx *f = *state;
	use_rules(f, unit_rules);
	struct unit_figure u;
	set_moment(f, "2026-03-31T12:00:00+01:00");
	/* The 3-month window ending 31 March is January to March (as
	 * eval_window_start says: from 2026-01-01). Its complete months are
	 * January and February; the December meeting lies outside it. */
	const cw_day days[] = { D("2025-12-10"), D("2026-02-05") };
	char got[64];
	eval_unit(&f->ev, rule_by_id(f, "jag3"), D("2025-06-01"), days, ELEMENTSOF(days), &u);
	int n = snprintf(got, sizeof(got), "3 months: %d of %d;", u.met, u.months);
	/* The 1-month window is March alone: no complete month. */
	eval_unit(&f->ev, rule_by_id(f, "jag1"), D("2025-06-01"), days, ELEMENTSOF(days), &u);
	snprintf(got + n, sizeof(got) - (size_t)n, " 1 month: %d of %d", u.met, u.months);
	assert_string_equal(got, "3 months: 1 of 2; 1 month: 0 of 0");
}

/* "owed of met, current" for eval_unit_range over [from, to]. */
static char *unit_range(struct fx *f, cw_day first, const cw_day *days, size_t n, const char *from, const char *to,
			char buf[static 32])
{
	int months, met, current;
	eval_unit_range(&f->ev, first, days, n, D(from), D(to), &months, &met, &current);
	snprintf(buf, 32, "%d of %d, %d", met, months, current);
	return buf;
}

static void test_unit_range_counts_the_months_of_each_period(void **state)
{
	struct fx *f = *state;
	use_rules(f, unit_rules);
	char buf[32];
	set_moment(f, "2026-03-31T12:00:00+01:00");
	/* First case 10 November 2025; meetings in November, January and
	 * twice in February; none in December, none yet in March.
	 * October-December: owed from November: November met, December
	 * missed. January-March: January and February met; March, the
	 * current month, not yet, so open and not owed. April-June: nothing
	 * owed yet. */
	const cw_day days[] = { D("2026-02-20"), D("2025-11-20"), D("2026-02-03"), D("2026-01-15") };
	assert_string_equal(unit_range(f, D("2025-11-10"), days, 4, "2025-10-01", "2025-12-31", buf), "1 of 2, -1");
	assert_string_equal(unit_range(f, D("2025-11-10"), days, 4, "2026-01-01", "2026-03-31", buf), "2 of 2, 0");
	assert_string_equal(unit_range(f, D("2025-11-10"), days, 4, "2026-04-01", "2026-06-30", buf), "0 of 0, -1");
	/* The whole span: 3 of the 4 complete months, March still open. */
	assert_string_equal(unit_range(f, D("2025-11-10"), days, 4, "2025-01-01", "2026-12-31", buf), "3 of 4, 0");
	/* A meeting on the 31st itself: March is owed and met. */
	const cw_day march[] = { D("2026-01-15"), D("2026-02-03"), D("2026-03-31") };
	assert_string_equal(unit_range(f, D("2025-11-10"), march, 3, "2026-01-01", "2026-03-31", buf), "3 of 3, 1");
	/* A range inside one month: that month alone. */
	assert_string_equal(unit_range(f, D("2025-11-10"), days, 4, "2025-12-10", "2025-12-20", buf), "0 of 1, -1");
	/* No case and no meeting yet: nothing was owed. */
	assert_string_equal(unit_range(f, CW_DAY_NONE, NULL, 0, "2025-01-01", "2026-12-31", buf), "0 of 0, -1");
}

static void test_unit_with_no_case_and_no_meeting_owes_nothing(void **state)
{
	struct fx *f = *state;
	use_rules(f, unit_rules);
	struct unit_figure u;
	set_moment(f, "2026-03-31T12:00:00+01:00");
	eval_unit(&f->ev, rule_by_id(f, "jag3"), CW_DAY_NONE, NULL, 0, &u);
	assert_int_equal(u.months, 0);
	assert_int_equal(u.met, 0);
	assert_false(u.current_met);
}

static void test_risk_anchor_ignores_a_first_event_naming_standard(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"rk\"; title = \"Review within 5 working days\"; kind = \"deadline\";\n"
		     "  from = \"risk\"; within = \"5 working days\"; met_by = { channel = \"meeting\"; }; }");
	/* Before the first risk event the level is standard, so a first
	 * event naming standard changes nothing: the anchor is receipt,
	 * Monday 5 + 5 working days = Monday 12. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(c, RISK(1, "2026-01-20T10:00:00Z", "standard"));
	run(f, "2026-01-21T12:00:00Z", &c);
	expect(ob(f, "rk", -1, 1), "overdue", "2026-01-05", "2026-01-12");
}

static void test_case_received_later_is_not_judged_by_its_rows(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"ack\"; title = \"Acknowledge\"; kind = \"deadline\"; within = \"3 working days\";\n"
		     "  met_by = { kind = \"contact\"; }; }");
	/* Received in March with a malformed event: at 1 January it does
	 * not exist, so it is neither evaluated nor skipped. */
	struct eval_case c = kase("2026-03-02T09:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-03-02T24:00:00Z", "contact"));
	run(f, "2026-01-01T12:00:00Z", &c);
	assert_false(f->res.exists);
	assert_false(f->res.skipped);
	assert_int_equal(f->res.n_problems, 0);
}

static void test_a_negative_party_id_is_still_a_party(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"v\"; title = \"Visit\"; kind = \"deadline\"; for = [ \"victim\" ];\n"
		     "  within = \"10 working days\"; met_by = { channel = \"visit\"; party = \"own\"; }; }");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(-7, "victim", NULL, NULL));
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	assert_true(f->res.v[0].has_party);
	assert_int_equal(f->res.v[0].party_id, -7);
}

/* ---- The data councils keep ------------------------------------------------------------ */

static const char any_flag_rule[] =
	"{ id = \"call\"; title = \"Phone call within 1 working day\"; kind = \"deadline\";\n"
	"  when = ( { serious = true; }, { hate = true; } ); within = \"1 working day\";\n"
	"  met_by = { channel = \"phone\"; }; }";

static void test_when_list_holds_while_any_group_holds(void **state)
{
	struct fx *f = *state;
	use_rules(f, any_flag_rule);
	/* Received Monday 5 January: due Tuesday 6 with either flag, once
	 * with both, never with neither. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	static const int64_t flags[][2] = { { 1, 0 }, { 0, 1 }, { 1, 1 } };
	for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
		c.serious = flags[i][0];
		c.hate = flags[i][1];
		run(f, "2026-01-05T12:00:00Z", &c);
		expect_n(f, 1);
		expect(ob(f, "call", -1, 1), "pending", "2026-01-05", "2026-01-06");
	}
	c.serious = c.hate = 0;
	run(f, "2026-01-05T12:00:00Z", &c);
	expect_n(f, 0);
}

static void test_hate_flag_after_receipt_starts_the_clock_at_the_flag(void **state)
{
	struct fx *f = *state;
	use_rules(f, any_flag_rule);
	/* The hate flag has a history as the serious flag does: the column
	 * (1) is its end; the case is a hate crime from its first hate event,
	 * Wednesday 7 at 14:00: due Thursday 8; the call on the 6th came
	 * before. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.hate = 1;
	WITH_EVENTS(c, CONTACT_NO_PARTY(1, "2026-01-06T10:00:00Z", "phone", NULL), EV(2, "2026-01-07T14:00:00Z", "hate"));
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 0);
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "call", -1, 1), "overdue", "2026-01-07", "2026-01-08");
	/* Both columns 1 and only a serious event, as an integration that
	 * dates the moment a case became serious (hate crimes included, as
	 * the design's serious column has them) writes it, and as a case
	 * database of schema version 1 can only say it: the hate crime dates
	 * from the serious event too, Wednesday 7, not from receipt. */
	struct eval_case v1 = kase("2026-01-05T09:00:00Z");
	v1.hate = v1.serious = 1;
	WITH_EVENTS(v1, EV(1, "2026-01-07T14:00:00Z", "serious"));
	run(f, "2026-01-09T12:00:00Z", &v1);
	expect_n(f, 1);
	expect(ob(f, "call", -1, 1), "overdue", "2026-01-07", "2026-01-08");
	/* A hate crime alone, with a serious event: the same. */
	v1.serious = 0;
	run(f, "2026-01-09T12:00:00Z", &v1);
	expect(ob(f, "call", -1, 1), "overdue", "2026-01-07", "2026-01-08");

	/* A serious event first: the clock starts at it, Tuesday 6. */
	struct eval_case both = kase("2026-01-05T09:00:00Z");
	both.hate = both.serious = 1;
	WITH_EVENTS(both, EV(1, "2026-01-06T10:00:00Z", "serious"), EV(2, "2026-01-07T14:00:00Z", "hate"));
	run(f, "2026-01-09T12:00:00Z", &both);
	expect_n(f, 1);
	expect(ob(f, "call", -1, 1), "overdue", "2026-01-06", "2026-01-07");
}

static const char roles_rules[] =
	"{ id = \"ack\"; title = \"Acknowledge within 3 working days\"; kind = \"deadline\";\n"
	"  within = \"3 working days\"; met_by = { detail = \"acknowledgement\"; party = [ \"complainant\", \"referrer\" ]; };\n"
	"  no_party = \"problem\"; },\n"
	"{ id = \"visit\"; title = \"Visit within 10 working days\"; kind = \"deadline\"; for = [ \"victim\" ];\n"
	"  within = \"10 working days\"; met_by = { channel = \"visit\"; party = \"own\"; }; },\n"
	"{ id = \"upd\"; title = \"Update every 14 days\"; kind = \"recurring\"; for = [ \"victim\", \"complainant\" ];\n"
	"  every = \"14 days\"; met_by = { party = \"own\"; }; },\n"
	"{ id = \"perp\"; title = \"A perpetrator\"; kind = \"check\"; missing = [ \"perpetrator\" ]; }";

static void test_a_party_of_several_roles_is_owed_each_once(void **state)
{
	struct fx *f = *state;
	use_rules(f, roles_rules);
	/* Received Monday 5 January. Party 1 is the victim who complained
	 * (role victim, roles complainant); party 2 a witness who is also
	 * the perpetrator, written with other separators. ack (complainant)
	 * due Thursday 8, met by the acknowledgement to party 1 on the 6th;
	 * visit (victim) due Monday 19; upd once for party 1, not twice,
	 * 14 days -> Monday 19, met on the 6th, cycle 2 -> Tuesday 20; the
	 * check holds never, party 2 being a perpetrator from receipt. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	static const struct eval_party parties[] = {
		{ .id = 1, .role = "victim", .roles = "complainant" },
		{ .id = 2, .role = "witness", .roles = " perpetrator;witness / " },
	};
	c.parties = parties;
	c.n_parties = ELEMENTSOF(parties);
	WITH_EVENTS(c, CONTACT(1, "2026-01-06T10:00:00Z", 1, "letter", "acknowledgement"));
	run(f, "2026-01-07T12:00:00Z", &c);
	expect_problems(f, NULL);
	expect_n(f, 4);
	expect(ob(f, "ack", -1, 1), "met", "2026-01-05", "2026-01-08");
	expect(ob(f, "visit", 1, 1), "pending", "2026-01-05", "2026-01-19");
	assert_int_equal(ob(f, "visit", 1, 1)->party_role, ROLE_VICTIM);
	expect(ob(f, "upd", 1, 1), "met", "2026-01-05", "2026-01-19");
	expect(ob(f, "upd", 1, 2), "pending", "2026-01-06", "2026-01-20");
	/* Owed in the party's own role when the rule names it. */
	assert_int_equal(ob(f, "upd", 1, 1)->party_role, ROLE_VICTIM);

	/* Recorded the other way round (role complainant, roles victim): the
	 * same obligations, owed to the victim in the role of the rule. */
	static const struct eval_party swapped[] = { { .id = 1, .role = "complainant", .roles = "victim" } };
	c.parties = swapped;
	c.n_parties = 1;
	run(f, "2026-01-07T12:00:00Z", &c);
	expect_n(f, 5);
	assert_int_equal(ob(f, "visit", 1, 1)->party_role, ROLE_VICTIM);
	assert_int_equal(ob(f, "upd", 1, 1)->party_role, ROLE_COMPLAINANT);
	/* No perpetrator now: the check, due the day it started. */
	expect(ob(f, "perp", -1, 1), "overdue", "2026-01-05", "2026-01-05");
}

static void test_no_party_problem_while_the_rule_applies(void **state)
{
	struct fx *f = *state;
	use_rules(f, roles_rules);
	/* Only a victim: ack has no complainant or referrer to be owed to,
	 * and says so; visit and upd are owed to the victim. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL));
	run(f, "2026-01-07T12:00:00Z", &c);
	expect_problems(f, "ack: no complainant or referrer on the case, so nothing is owed until one is recorded",
			NULL);
	assert_false(f->res.skipped);
	assert_null(find_ob(f, "ack"));
	/* Closed: nothing applies, nothing is said. */
	WITH_EVENTS(c, EV(1, "2026-01-06T10:00:00Z", "closed"));
	c.stage = "closed";
	run(f, "2026-01-07T12:00:00Z", &c);
	expect_problems(f, NULL);
	/* A referrer identified on the 6th: owed from receipt as usual, due
	 * Thursday 8; before that, the problem. */
	struct eval_case later = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(later, PARTY(1, "victim", NULL, NULL), PARTY(2, "referrer", NULL, "2026-01-06T10:00:00Z"));
	run(f, "2026-01-05T12:00:00Z", &later);
	expect_problems(f, "ack: no complainant or referrer on the case, so nothing is owed until one is recorded",
			NULL);
	run(f, "2026-01-07T12:00:00Z", &later);
	expect_problems(f, NULL);
	expect(ob(f, "ack", -1, 1), "pending", "2026-01-05", "2026-01-08");
}

static const char tier_rule[] =
	"{ id = \"ki\"; title = \"Keep informed every 10 working days\"; kind = \"recurring\";\n"
	"  from = [ \"received\", \"identified\" ]; for = [ \"victim\" ]; fallback = [ \"referrer\", \"complainant\" ];\n"
	"  every = \"10 working days\"; met_by = { party = \"own\"; }; no_party = \"problem\"; }";

static void test_fallback_roles_stand_in_in_order(void **state)
{
	struct fx *f = *state;
	use_rules(f, tier_rule);
	/* Received Monday 5 January with a complainant (1); a referrer (2)
	 * identified Wednesday 7; a victim (3) identified Tuesday 13; a
	 * witness (4) is nobody's client. Ten working days from Monday 5:
	 * 6-9 (4), 12-16 (9), Monday 19 (10). The complainant stands in
	 * until the referrer comes (cancelled on the 7th); the referrer from
	 * the 7th (8, 9, 12-16, 19, 20, 21: due Wednesday 21) until the
	 * victim comes (cancelled on the 13th); the victim's chain from the
	 * 13th: 14-16 (3), 19-23 (8), 26, 27 (10) -> Tuesday 27. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "complainant", NULL, NULL), PARTY(2, "referrer", NULL, "2026-01-07T10:00:00Z"),
		     PARTY(3, "victim", NULL, "2026-01-13T10:00:00Z"), PARTY(4, "witness", NULL, NULL));
	run(f, "2026-01-06T12:00:00Z", &c);
	expect_n(f, 1);
	expect(ob(f, "ki", 1, 1), "pending", "2026-01-05", "2026-01-19");
	assert_int_equal(ob(f, "ki", 1, 1)->party_role, ROLE_COMPLAINANT);
	run(f, "2026-01-08T12:00:00Z", &c);
	expect_n(f, 2);
	expect(ob(f, "ki", 1, 1), "cancelled", "2026-01-05", "2026-01-19");
	expect(ob(f, "ki", 2, 1), "pending", "2026-01-07", "2026-01-21");
	run(f, "2026-01-14T12:00:00Z", &c);
	expect_n(f, 3);
	expect(ob(f, "ki", 2, 1), "cancelled", "2026-01-07", "2026-01-21");
	expect(ob(f, "ki", 3, 1), "pending", "2026-01-13", "2026-01-27");
	/* The complainant's cycle ended when the referrer came: ended_at. */
	char buf[TZ_TIMESTAMP_STRLEN];
	assert_string_equal(fmt_instant(ob(f, "ki", 1, 1)->ended_at, buf), "2026-01-07T10:00:00Z");
	assert_int_equal(ob(f, "ki", 3, 1)->ended_at, EVAL_NONE);

	/* A referrer who is also the complainant stands in once, as the
	 * referrer. */
	struct eval_case both = kase("2026-01-05T09:00:00Z");
	static const struct eval_party one[] = { { .id = 5, .role = "complainant", .roles = "referrer" } };
	both.parties = one;
	both.n_parties = 1;
	run(f, "2026-01-06T12:00:00Z", &both);
	expect_n(f, 1);
	assert_int_equal(ob(f, "ki", 5, 1)->party_role, ROLE_REFERRER);

	/* Only a witness: no one to keep informed, and the case says so. */
	struct eval_case none = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(none, PARTY(4, "witness", NULL, NULL));
	run(f, "2026-01-06T12:00:00Z", &none);
	expect_n(f, 0);
	expect_problems(f, "ki: no victim, referrer or complainant on the case, so nothing is owed until one is recorded",
			NULL);
}

static const char agreed_event_rule[] =
	"{ id = \"ki\"; title = \"Keep informed\"; kind = \"recurring\"; for = [ \"victim\" ];\n"
	"  every = \"20 working days\"; agreed_contact = true; met_by = { party = \"own\"; }; }";

static void test_agreed_event_applies_to_cycles_starting_from_its_date(void **state)
{
	struct fx *f = *state;
	use_rules(f, agreed_event_rule);
	/* Received Monday 5 January; victims 1 and 2. Cycle 1 of each from
	 * the 5th, 20 working days: 6-9 (4), 12-16 (9), 19-23 (14), 26-30
	 * (19), Monday 2 February (20). On Wednesday 7 'every 2 weeks' is
	 * agreed with victim 1 only, while their cycle 1 runs: it is due 2
	 * weeks from the agreement, Wednesday 21, earlier than 2 February.
	 * Victim 1 is called on Thursday 8: cycle 2 from the 8th, 14 days ->
	 * Thursday 22; victim 2 is called on Thursday 8 too: 20 working days,
	 * 9 (1), 12-16 (6), 19-23 (11), 26-30 (16), Feb 2-5 (20) -> Thursday
	 * 5 February. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL), PARTY(2, "victim", NULL, NULL));
	static const struct eval_event events[] = {
		{ .id = 1, .at = "2026-01-07T10:00:00Z", .kind = "agreed", .party_id = 1, .has_party = true,
		  .detail = "every 2 weeks" },
		CONTACT(2, "2026-01-08T10:00:00Z", 1, "phone", NULL),
		CONTACT(3, "2026-01-08T11:00:00Z", 2, "phone", NULL),
	};
	c.events = events;
	c.n_events = ELEMENTSOF(events);
	run(f, "2026-01-06T12:00:00Z", &c);
	expect(ob(f, "ki", 1, 1), "pending", "2026-01-05", "2026-02-02");
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_problems(f, NULL);
	expect(ob(f, "ki", 1, 1), "met", "2026-01-05", "2026-01-21");
	expect(ob(f, "ki", 1, 2), "pending", "2026-01-08", "2026-01-22");
	expect(ob(f, "ki", 2, 1), "met", "2026-01-05", "2026-02-02");
	expect(ob(f, "ki", 2, 2), "pending", "2026-01-08", "2026-02-05");

	/* Agreed later the same day as the call that starts a cycle: it
	 * applies from its date, so to that cycle, once it is recorded:
	 * 'weekly' from Thursday 8 -> Thursday 15. */
	struct eval_case same = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(same, PARTY(3, "victim", NULL, NULL));
	static const struct eval_event same_events[] = {
		CONTACT(1, "2026-01-08T10:00:00Z", 3, "phone", NULL),
		{ .id = 2, .at = "2026-01-08T15:00:00Z", .kind = "agreed", .detail = "weekly" },
	};
	same.events = same_events;
	same.n_events = ELEMENTSOF(same_events);
	run(f, "2026-01-08T12:00:00Z", &same);
	expect(ob(f, "ki", 3, 2), "pending", "2026-01-08", "2026-02-05");
	run(f, "2026-01-08T16:00:00Z", &same);
	expect(ob(f, "ki", 3, 2), "pending", "2026-01-08", "2026-01-15");
}

static void test_agreed_month_is_a_calendar_month(void **state)
{
	struct fx *f = *state;
	use_rules(f, agreed_event_rule);
	/* agreed_contact 'Monthly' from receipt, Saturday 31 January: one
	 * month on is 28 February (February is shorter); met on Friday 27
	 * February; the next cycle to 27 March. */
	struct eval_case c = kase("2026-01-31T09:00:00Z");
	c.agreed_contact = "Monthly";
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL));
	WITH_EVENTS(c, CONTACT(1, "2026-02-27T10:00:00Z", 1, "phone", NULL));
	run(f, "2026-03-02T12:00:00Z", &c);
	expect_problems(f, NULL);
	expect(ob(f, "ki", 1, 1), "met", "2026-01-31", "2026-02-28");
	expect(ob(f, "ki", 1, 2), "pending", "2026-02-27", "2026-03-27");
	/* On hold Tuesday 3 to Thursday 5 March (2 days): a month deadline
	 * moves by days, as a day deadline does -> Sunday 29 March. */
	WITH_EVENTS(c, CONTACT(1, "2026-02-27T10:00:00Z", 1, "phone", NULL), EV(2, "2026-03-03T10:00:00Z", "hold"),
		    EV(3, "2026-03-05T10:00:00Z", "resume"));
	run(f, "2026-03-06T12:00:00Z", &c);
	expect(ob(f, "ki", 1, 2), "pending", "2026-02-27", "2026-03-29");
}

static void test_agreed_phrases(void **state)
{
	static const struct {
		const char *text;
		int n;
		enum dur_unit unit;
	} good[] = {
		{ "weekly", 7, DUR_DAYS },
		{ "Fortnightly", 14, DUR_DAYS },
		{ "2 weeks", 14, DUR_DAYS },
		{ "1 month", 1, DUR_MONTHS },
		{ "10 Working Days", 10, DUR_WORKING_DAYS },
		{ "  every   10 working days. ", 10, DUR_WORKING_DAYS },
		{ "Every fortnight", 14, DUR_DAYS },
		{ "a month", 1, DUR_MONTHS },
		{ "three weeks", 21, DUR_DAYS },
		{ "MONTHLY", 1, DUR_MONTHS },
		{ "5 days", 5, DUR_DAYS },
		{ "1 day", 1, DUR_DAYS },
		{ "2 fortnights", 28, DUR_DAYS },
		{ "48 hours", 48, DUR_HOURS },
		{ "14 calendar days", 14, DUR_DAYS },
		{ "daily", 1, DUR_DAYS },
		/* Ten years at most. */
		{ "120 months", 120, DUR_MONTHS },
		{ "3653 days", 3653, DUR_DAYS },
		{ "2610 working days", 2610, DUR_WORKING_DAYS },
		{ "521 weeks", 3647, DUR_DAYS },
	};
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		struct duration d = { -1, DUR_HOURS };
		if (agreed_parse(good[i].text, &d) != 0)
			fail_msg("'%s' should read", good[i].text);
		assert_int_equal(d.n, good[i].n);
		assert_int_equal(d.unit, good[i].unit);
	}
	static const char *const bad[] = {
		"", "as needed", "0 days", "weeks", "2", "2 wks", "fortnightly or so", "every", "-3 days",
		"10001 days", "2000 weeks", "twelve", "thirteen weeks", "1 year", "2400 months", "121 months",
		"3654 days", "2611 working days", "522 weeks", "1500 weeks",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct duration d;
		if (agreed_parse(bad[i], &d) != -EINVAL)
			fail_msg("'%s' should not read", bad[i]);
	}
}

static void test_agreed_problems_only_where_a_rule_takes_them_and_once_happened(void **state)
{
	struct fx *f = *state;
	/* A timescale that does not read is a problem where a rule takes
	 * agreed timescales, and once its event has happened. */
	use_rules(f, agreed_event_rule);
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.agreed_contact = "now and then";
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL));
	static const struct eval_event later[] = {
		{ .id = 7, .at = "2026-01-09T10:00:00Z", .kind = "agreed", .detail = "when convenient" },
	};
	c.events = later;
	c.n_events = 1;
	run(f, "2026-01-08T12:00:00Z", &c);
	expect_problems(f, "agreed_contact (12 characters) is not a timescale like \"10 working days\", \"fortnightly\" "
			   "or \"1 month\": the standard's own timescale applies", NULL);
	run(f, "2026-01-09T12:00:00Z", &c);
	expect_problems(f, "agreed_contact (12 characters) is not a timescale like \"10 working days\", \"fortnightly\" "
			   "or \"1 month\": the standard's own timescale applies",
			"event 7: its detail (15 characters) is not an agreed timescale like \"10 working days\", "
			"\"fortnightly\" or \"1 month\": the standard's own timescale applies from its date", NULL);
	/* A pack with no such rule: nothing to say. */
	struct fx g = { 0 };
	use_rules(&g, ten_working_days);
	g.ev = (struct evaluator){ .rules = &g.rs, .cal = cal, .tz = london, .at = T("2026-01-09T12:00:00Z") };
	eval_case(&g.ev, &c, &g.res);
	assert_int_equal(g.res.n_problems, 0);
	ruleset_free(&g.rs);
	eval_result_free(&g.res);
}

static void test_event_before_receipt_is_taken_as_at_receipt(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"acc\"; title = \"Letter within 3 working days of acceptance\"; kind = \"deadline\";\n"
		     "  from = \"accepted\"; within = \"3 working days\"; met_by = { channel = \"letter\"; }; }");
	/* Received Monday 12 January; accepted "Friday 2 January", a letter
	 * on Wednesday 7 and a hold/resume pair on the 8th and 9th, all
	 * before the day of receipt: each reported; the acceptance takes
	 * effect at receipt (3 working days -> Thursday 15), the letter meets
	 * nothing, and the hold lasts no time, its resume kept after it. A
	 * second hold and resume earlier on the day of receipt are taken as
	 * at receipt too, silently: still not paused. */
	struct eval_case c = kase("2026-01-12T09:00:00Z");
	c.stage = "case";
	WITH_EVENTS(c, EV(1, "2026-01-02T10:00:00Z", "accepted"),
		    CONTACT_NO_PARTY(2, "2026-01-07T10:00:00Z", "letter", NULL), EV(3, "2026-01-08T10:00:00Z", "hold"),
		    EV(4, "2026-01-09T10:00:00Z", "resume"), EV(5, "2026-01-12T08:15:00Z", "hold"),
		    EV(6, "2026-01-12T08:30:00Z", "resume"));
	run(f, "2026-01-13T12:00:00Z", &c);
	assert_false(f->res.skipped);
	expect_problems(f,
			"event 1 (accepted) is dated 2026-01-02, before the case was received on 2026-01-12: taken as at "
			"receipt, and meets nothing",
			"event 2 (contact) is dated 2026-01-07, before the case was received on 2026-01-12: taken as at "
			"receipt, and meets nothing",
			"event 3 (hold) is dated 2026-01-08, before the case was received on 2026-01-12: taken as at "
			"receipt, and meets nothing",
			"event 4 (resume) is dated 2026-01-09, before the case was received on 2026-01-12: taken as at "
			"receipt, and meets nothing",
			NULL);
	expect_n(f, 1);
	expect(ob(f, "acc", -1, 1), "pending", "2026-01-12", "2026-01-15");
	assert_false(f->res.v[0].state == OB_PAUSED);
}

static void test_interval_end_of_a_cycle_left_unmet(void **state)
{
	struct fx *f = *state;
	use_rules(f, "{ id = \"u\"; title = \"Updated every 14 days\"; kind = \"target\"; measure = \"interval\";\n"
		     "  for = [ \"victim\" ]; every = \"14 days\"; met_by = { party = \"own\"; }; }");
	/* Received Monday 5 January, closed Wednesday 28 with no update:
	 * cycle 1 (due Monday 19) was overdue then, and ended at the
	 * closure; a case closed before its cycle was due is cancelled and
	 * ended then too; one still open has not ended. */
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.stage = "closed";
	WITH_PARTIES(c, PARTY(1, "victim", NULL, NULL));
	WITH_EVENTS(c, EV(1, "2026-01-28T10:00:00Z", "closed"));
	run(f, "2026-02-10T12:00:00Z", &c);
	char buf[TZ_TIMESTAMP_STRLEN];
	expect(ob(f, "u", 1, 1), "overdue", "2026-01-05", "2026-01-19");
	assert_string_equal(fmt_instant(ob(f, "u", 1, 1)->ended_at, buf), "2026-01-28T10:00:00Z");
	WITH_EVENTS(c, EV(1, "2026-01-08T10:00:00Z", "closed"));
	run(f, "2026-02-10T12:00:00Z", &c);
	expect(ob(f, "u", 1, 1), "cancelled", "2026-01-05", "2026-01-19");
	assert_string_equal(fmt_instant(ob(f, "u", 1, 1)->ended_at, buf), "2026-01-08T10:00:00Z");
	struct eval_case open = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(open, PARTY(1, "victim", NULL, NULL));
	run(f, "2026-02-10T12:00:00Z", &open);
	expect(ob(f, "u", 1, 1), "overdue", "2026-01-05", "2026-01-19");
	assert_int_equal(ob(f, "u", 1, 1)->ended_at, EVAL_NONE);
}

/* ---- Many events, in any order ------------------------------------------ */

/* "2026-01-DDTHH:MM:SS.FRAC" and an offset, for `secs` seconds after
 * 00:00Z on Monday 5 January: "Z", or local time one hour on and
 * "+01:00", the same instant. */
static void stamp(char *buf, size_t len, long secs, bool plus_hour, const char *frac)
{
	long t = secs + (plus_hour ? 3600 : 0);
	snprintf(buf, len, "2026-01-%02ldT%02ld:%02ld:%02ld.%s%s", 5 + t / 86400, t / 3600 % 24, t / 60 % 60, t % 60,
		 frac, plus_hour ? "+01:00" : "Z");
}

/* 100,000 holds of no length, each a hold and a resume in the same
 * second, with a visit after them, 200,001 events given latest first.
 * Each pair is written so that its text puts the resume first (".25"
 * before ".75", and fractions are dropped), every other pair with an
 * offset; in time, then id, order the hold (id 2k+1) comes before its
 * resume (id 2k+2), so no day is on hold. Pair k is at 10:00:00Z on
 * Monday 5 January plus 2k seconds: the last, k = 99,999, at 17:33:18Z on
 * Wednesday 7. w10: received Monday 5 January 09:00, 10 working days (6-9:
 * 4, 12-16: 9, Mon 19: 10) -> due Monday 19 January; the visit on Thursday
 * 8 January at 09:00 meets it. Taken resume first, the holds would run from
 * each pair to the next, across two midnights, and end open, moving the
 * deadline; a sort by time alone that kept the order given would do the
 * same. */
static void test_two_hundred_thousand_events_given_latest_first(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	enum { PAIRS = 100000, N = 2 * PAIRS + 1, STAMP = 32 };
	struct eval_event *v = xcalloc(N, sizeof(*v));
	char *text = xcalloc(N, STAMP);
	v[0] = (struct eval_event){ .id = 300000, .at = "2026-01-08T09:00:00Z", .kind = "contact",
				    .channel = "visit" };
	for (long k = PAIRS - 1, i = 1; k >= 0; k--, i += 2) {
		long secs = 10 * 3600 + 2 * k;
		stamp(text + i * STAMP, STAMP, secs, k % 2, "25");
		stamp(text + (i + 1) * STAMP, STAMP, secs, k % 2, "75");
		v[i] = (struct eval_event){ .id = 2 * k + 2, .at = text + i * STAMP, .kind = "resume" };
		v[i + 1] = (struct eval_event){ .id = 2 * k + 1, .at = text + (i + 1) * STAMP, .kind = "hold" };
	}
	assert_string_equal(v[1].at, "2026-01-07T18:33:18.25+01:00");
	assert_string_equal(v[N - 1].at, "2026-01-05T10:00:00.75Z");
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.events = v;
	c.n_events = N;
	run(f, "2026-01-12T12:00:00Z", &c);
	expect_problems(f, NULL);
	expect_n(f, 1);
	expect(ob(f, "w10", -1, 1), "met", "2026-01-05", "2026-01-19");
	expect_met_at(ob(f, "w10", -1, 1), "2026-01-08T09:00:00Z");
	free(text);
	free(v);
}

/* ---- Text from the database in problem lines ----------------------------- */

/* Free text officers type can name people (casewatch-rules(5), LIMITS):
 * agreed_contact, an event's detail and the risk column are named by
 * column and length in characters, never quoted, however long. */
static void test_free_text_is_named_by_column_and_length_never_quoted(void **state)
{
	struct fx *f = *state;
	use_rules(f, agreed_rules);
	/* 10 MB of agreed_contact, a name in it: a problem, and the case is
	 * still evaluated (ki, 20 working days from Monday 5 January: due
	 * Monday 2 February; fixed, 15: due Monday 26 January). */
	size_t big = 10 * 1024 * 1024;
	char *agreed = xmalloc(big + 1);
	memset(agreed, 'a', big);
	memcpy(agreed, "ring Jane Smith ", 16);
	agreed[big] = '\0';
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.agreed_contact = agreed;
	run(f, "2026-01-14T12:00:00Z", &c);
	free(agreed);
	assert_false(f->res.skipped);
	expect_problems(f, "agreed_contact (10485760 characters) is not a timescale like \"10 working days\", "
			   "\"fortnightly\" or \"1 month\": the standard's own timescale applies", NULL);
	expect_n(f, 2);
	expect(ob(f, "ki", -1, 1), "pending", "2026-01-05", "2026-02-02");
	expect(ob(f, "fixed", -1, 1), "pending", "2026-01-05", "2026-01-26");

	/* Characters, not bytes: 29 characters in 32 bytes; and one. */
	struct eval_case risk = kase("2026-01-05T09:00:00Z");
	risk.risk = "x";
	WITH_EVENTS(risk, RISK(12, "2026-01-06T10:00:00Z", "high - see Ms Dawn \xc3\x93 R\xc3\xad" "ord\xc3\xa1in"));
	run(f, "2026-01-14T12:00:00Z", &risk);
	assert_true(f->res.skipped);
	expect_problems(f, "the risk column (1 character) is not a risk level (standard, medium or high)",
			"event 12: its detail (29 characters) is not a risk level (standard, medium or high)", NULL);

	/* An agreed event's detail; a byte that is not UTF-8 counts as
	 * one character. */
	use_rules(f, agreed_event_rule);
	struct eval_case ev = kase("2026-01-05T09:00:00Z");
	WITH_PARTIES(ev, PARTY(1, "victim", NULL, NULL));
	WITH_EVENTS(ev, { .id = 7, .at = "2026-01-06T10:00:00Z", .kind = "agreed", .party_id = 1, .has_party = true,
			  .detail = "weekly, ring Jane Smith after 6\xff" });
	run(f, "2026-01-14T12:00:00Z", &ev);
	expect_problems(f, "event 7: its detail (32 characters) is not an agreed timescale like \"10 working days\", "
			   "\"fortnightly\" or \"1 month\": the standard's own timescale applies from its date", NULL);
}

/* Codes that are not codes (a stage, a kind, a channel, a role, a
 * timestamp) are quoted, cleaned and cut: no line end, escape or byte
 * that is not UTF-8 reaches a problem line, and 60 bytes at most of the
 * value. */
static void test_quoted_codes_are_clean_and_short(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	struct eval_case stage = kase("2026-01-05T09:00:00Z");
	stage.stage = "arch\nived\xff";
	expect_skipped(f, &stage, "unknown stage 'arch ived\xef\xbf\xbd' (enquiry, case or closed)");

	size_t big = 10 * 1024 * 1024;
	char *kind = xmalloc(big + 1);
	memset(kind, 'x', big);
	kind[big] = '\0';
	struct eval_case longkind = kase("2026-01-05T09:00:00Z");
	struct eval_event e = { .id = 8, .at = "2026-01-06T10:00:00Z", .kind = kind };
	longkind.events = &e;
	longkind.n_events = 1;
	run(f, "2026-01-12T12:00:00Z", &longkind);
	free(kind);
	/* 57 bytes and the ellipsis's 3: the 60. */
	expect_problems(f, "event 8: unknown kind 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xe2\x80\xa6'", NULL);

	struct eval_case channel = kase("2026-01-05T09:00:00Z");
	WITH_EVENTS(channel, CONTACT_NO_PARTY(11, "2026-01-06T10:00:00Z", "fax\x1b[2J\r", NULL));
	expect_skipped(f, &channel, "event 11: unknown channel 'fax [2J '");

	/* A lone continuation byte, an overlong '/', a surrogate, C1. */
	struct eval_case roles = kase("2026-01-05T09:00:00Z");
	static const struct eval_party bad_roles[] = {
		{ .id = 5, .role = "victim", .roles = "complainant, nei\x80gh\xc0\xaf" "b\xed\xa0\x80our\xc2\x85" },
	};
	roles.parties = bad_roles;
	roles.n_parties = 1;
	expect_skipped(f, &roles, "party 5: unknown role 'nei\xef\xbf\xbdgh\xef\xbf\xbd\xef\xbf\xbd" "b"
				  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdour ' in roles (victim, complainant, witness, "
				  "perpetrator or referrer)");
}

/* What the reader did to the reference and the ids is said, and the case
 * is evaluated all the same: its reminders must still go out. */
static void test_cleaned_reference_and_ids_are_problems_not_skips(void **state)
{
	struct fx *f = *state;
	use_rules(f, ten_working_days);
	struct eval_case c = kase("2026-01-05T09:00:00Z");
	c.fixed[EVAL_TEXT_REF] = (struct eval_text_fix){ TEXT_CUT | TEXT_NOT_UTF8, 10485760 };
	c.fixed[EVAL_TEXT_OFFICER] = (struct eval_text_fix){ TEXT_CONTROL, 12 };
	c.fixed[EVAL_TEXT_TEAM] = (struct eval_text_fix){ TEXT_NOT_UTF8 | TEXT_CONTROL, 5 };
	run(f, "2026-01-12T12:00:00Z", &c);
	assert_false(f->res.skipped);
	expect_problems(f, "the reference is 10485760 bytes, more than the 64 allowed: shown cut short",
			"the reference is not valid UTF-8: shown with U+FFFD",
			"the officer id has control characters: shown with spaces",
			"the team id is not valid UTF-8: shown with U+FFFD",
			"the team id has control characters: shown with spaces", NULL);
	expect_n(f, 1);
	expect(ob(f, "w10", -1, 1), "pending", "2026-01-05", "2026-01-19");
}

#define T_(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_days_deadline_is_the_date_n_days_after),
		T_(test_hours_deadline_is_an_instant),
		T_(test_working_days_skip_the_easter_bank_holidays),
		T_(test_day_zero_is_the_anchor_date_whatever_day_it_is),
		T_(test_cutoff_anchor_at_or_after_counts_from_next_working_day),
		T_(test_hold_moves_working_day_deadline_by_working_days_on_hold),
		T_(test_hold_moves_day_deadline_by_calendar_days_on_hold),
		T_(test_hold_moves_hour_deadline_by_time_on_hold),
		T_(test_hold_after_deadline_changes_nothing),
		T_(test_open_hold_pauses_and_counts_through_today),
		T_(test_on_hold_run_ignores_holds),
		T_(test_two_holds_both_move_the_deadline),
		T_(test_hold_counts_only_from_the_start_date),
		T_(test_late_evening_utc_event_is_next_local_date),
		T_(test_clock_changes_do_not_move_date_deadlines),
		T_(test_category_list_filter),
		T_(test_hate_filter),
		T_(test_serious_flag_after_receipt_starts_the_clock_at_the_flag),
		T_(test_high_risk_chains_stop_and_restart_numbering_on),
		T_(test_risk_anchor_is_first_of_latest_run_at_the_current_level),
		T_(test_stage_filter_reopened_case_starts_a_new_chain),
		T_(test_reopened_enquiry_never_accepted_is_an_enquiry_again),
		T_(test_fallback_cancelled_when_first_primary_identified),
		T_(test_fallback_already_overdue_stays_overdue),
		T_(test_later_of_accepted_and_identified),
		T_(test_preferred_channel),
		T_(test_detail_list),
		T_(test_party_roles_and_events_without_a_party),
		T_(test_met_by_an_event_kind_other_than_contact),
		T_(test_rule_naming_roles_owes_nothing_without_such_a_party),
		T_(test_recurring_cycles_chain_from_the_meeting_event),
		T_(test_agreed_contact_replaces_every_where_allowed),
		T_(test_malformed_agreed_contact_is_a_problem_not_a_skip),
		T_(test_recurring_hold_counts_only_within_the_cycle),
		T_(test_interval_target_works_as_a_recurring_rule),
		T_(test_gate_pending_then_met_before_the_before_event),
		T_(test_gate_breached_when_the_before_event_comes_first),
		T_(test_gate_cancelled_when_accepted_after_all),
		T_(test_gate_not_cancelled_by_closure),
		T_(test_gate_fallback_stops_when_primary_identified),
		T_(test_pending_gate_is_not_paused_by_a_hold),
		T_(test_check_no_obligation_when_the_role_exists_at_the_start),
		T_(test_check_overdue_the_day_after_or_within),
		T_(test_check_met_when_identified_in_time),
		T_(test_closure_before_the_deadline_cancels),
		T_(test_closure_after_the_deadline_stays_overdue),
		T_(test_closed_column_without_event_closes_at_the_moment),
		T_(test_events_after_the_moment_are_ignored),
		T_(test_case_received_after_the_moment_does_not_exist),
		T_(test_case_stage_without_accepted_event_is_a_problem),
		T_(test_bad_rows_skip_the_case_naming_the_row),
		T_(test_lateness_in_working_days_and_hours),
		T_(test_window_start),
		T_(test_unit_months_met_missed_and_current),
		T_(test_unit_counts_only_the_months_of_the_window),
		T_(test_unit_with_no_case_and_no_meeting_owes_nothing),
		T_(test_unit_range_counts_the_months_of_each_period),
		T_(test_risk_anchor_ignores_a_first_event_naming_standard),
		T_(test_case_received_later_is_not_judged_by_its_rows),
		T_(test_a_negative_party_id_is_still_a_party),
		T_(test_when_list_holds_while_any_group_holds),
		T_(test_hate_flag_after_receipt_starts_the_clock_at_the_flag),
		T_(test_a_party_of_several_roles_is_owed_each_once),
		T_(test_no_party_problem_while_the_rule_applies),
		T_(test_fallback_roles_stand_in_in_order),
		T_(test_agreed_event_applies_to_cycles_starting_from_its_date),
		T_(test_agreed_month_is_a_calendar_month),
		T_(test_agreed_phrases),
		T_(test_agreed_problems_only_where_a_rule_takes_them_and_once_happened),
		T_(test_event_before_receipt_is_taken_as_at_receipt),
		T_(test_interval_end_of_a_cycle_left_unmet),
		T_(test_two_hundred_thousand_events_given_latest_first),
		T_(test_free_text_is_named_by_column_and_length_never_quoted),
		T_(test_quoted_codes_are_clean_and_short),
		T_(test_cleaned_reference_and_ids_are_problems_not_skips),
	};
	return tap_exit(cmocka_run_group_tests(tests, group_setup, group_teardown));
}

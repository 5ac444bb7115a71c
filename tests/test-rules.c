/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"

#include "conf.h"
#include "rules.h"
#include "util.h"

static char dir[] = "/tmp/casewatch-rules.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

/* A shipped file, found from the source tree the harness names. */
static char *src_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	return xasprintf("%s/%s", top && *top ? top : ".", rel);
}

static void make_dir(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void load_ok(char *const *paths, size_t n, struct ruleset *rs)
{
	struct diags d = { 0 };
	int r = rules_load(paths, n, rs, &d);
	if (r < 0 || d.n > 0) {
		diags_print(&d, stderr);
		fail_msg("%s did not load cleanly", paths[0]);
	}
	diags_free(&d);
}

static const struct rule *find(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	fail_msg("no rule %s", id);
	return NULL;
}

/* The ids of a ruleset, one per line. */
static char *ids_of(const struct ruleset *rs)
{
	char *out = xstrdup("");
	for (size_t i = 0; i < rs->n; i++) {
		char *n = xasprintf("%s%s\n", out, rs->v[i].id);
		free(out);
		out = n;
	}
	return out;
}

/* Every problem as "NAME:LINE: message", NAME relative to the temporary
 * folder; sorted as casewatch check prints them. */
static char *render(struct diags *d)
{
	diags_sort(d);
	size_t dl = strlen(dir);
	char *out = xstrdup("");
	for (size_t i = 0; i < d->n; i++) {
		assert_non_null(d->v[i].file);
		assert_true(strncmp(d->v[i].file, dir, dl) == 0 && d->v[i].file[dl] == '/');
		char *n = xasprintf("%s%s:%d: %s\n", out, d->v[i].file + dl + 1, d->v[i].line, d->v[i].msg);
		free(out);
		out = n;
	}
	return out;
}

/* Load packs expected to fail; return their problems as render() does. */
static char *load_bad_paths(char *const *paths, size_t n)
{
	struct ruleset rs = { 0 };
	struct diags d = { 0 };
	assert_int_equal(rules_load(paths, n, &rs, &d), -EINVAL);
	ruleset_free(&rs);
	char *out = render(&d);
	diags_free(&d);
	return out;
}

/* Write one pack expected to fail; return its problems as "LINE: message"
 * lines, each checked to name the pack's own path. */
static char *load_bad(const char *name, const char *text)
{
	_cleanup_free_ char *path = write_file(name, text);
	struct ruleset rs = { 0 };
	struct diags d = { 0 };
	assert_int_equal(rules_load(&path, 1, &rs, &d), -EINVAL);
	ruleset_free(&rs);
	diags_sort(&d);
	char *out = xstrdup("");
	for (size_t i = 0; i < d.n; i++) {
		assert_non_null(d.v[i].file);
		assert_string_equal(d.v[i].file, path);
		char *n = xasprintf("%s%d: %s\n", out, d.v[i].line, d.v[i].msg);
		free(out);
		out = n;
	}
	diags_free(&d);
	return out;
}

/* ---- The shipped packs ------------------------------------------------- */

static void test_leeds_pack_loads_the_contract_rules_in_order(void **state)
{
	_cleanup_free_ char *path = src_path("rules/leeds-asbu.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	_cleanup_free_ char *ids = ids_of(&rs);
	assert_string_equal(ids,
		"serious-incident-call\n"
		"acknowledge-enquiry\n"
		"sendback-letter\n"
		"acknowledgement-letters\n"
		"victim-visit\n"
		"perpetrator-letter\n"
		"no-perpetrator\n"
		"keep-informed\n");
	for (size_t i = 0; i < rs.n; i++) {
		assert_string_equal(rs.v[i].pack, "leeds-asbu");
		assert_string_equal(rs.v[i].file, path);
	}
	ruleset_free(&rs);
}

static void test_oadby_pack_loads_the_contract_rules_in_order(void **state)
{
	_cleanup_free_ char *path = src_path("rules/oadby-wigston.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	_cleanup_free_ char *ids = ids_of(&rs);
	assert_string_equal(ids,
		"first-contact\n"
		"victim-update\n"
		"high-risk-update\n"
		"jag-meeting\n"
		"satisfaction\n");
	for (size_t i = 0; i < rs.n; i++)
		assert_string_equal(rs.v[i].pack, "oadby-wigston");
	ruleset_free(&rs);
}

static void test_both_packs_load_together_in_the_order_named(void **state)
{
	char *paths[] = { src_path("rules/oadby-wigston.conf"), src_path("rules/leeds-asbu.conf") };
	struct ruleset rs = { 0 };
	load_ok(paths, 2, &rs);
	assert_int_equal(rs.n, 13);
	assert_string_equal(rs.v[0].id, "first-contact");
	assert_string_equal(rs.v[4].id, "satisfaction");
	assert_string_equal(rs.v[5].id, "serious-incident-call");
	assert_string_equal(rs.v[12].id, "keep-informed");
	ruleset_free(&rs);
	free(paths[0]);
	free(paths[1]);
}

static void test_keep_informed_is_recurring_every_20_working_days_per_victim(void **state)
{
	_cleanup_free_ char *path = src_path("rules/leeds-asbu.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "keep-informed");
	assert_int_equal(r->kind, RULE_RECURRING);
	assert_true(r->has_every);
	assert_int_equal(r->every.n, 20);
	assert_int_equal(r->every.unit, DUR_WORKING_DAYS);
	assert_false(r->has_within);
	assert_true(r->agreed_contact);
	assert_int_equal(r->for_roles, 1u << ROLE_VICTIM);
	/* 1.2.2's clients: the victim; with none the referring agency; with
	 * neither the complainant. */
	assert_int_equal(r->n_fallback, 2);
	assert_int_equal(r->fallback[0], ROLE_REFERRER);
	assert_int_equal(r->fallback[1], ROLE_COMPLAINANT);
	assert_int_equal(r->fallback_roles, (1u << ROLE_REFERRER) | (1u << ROLE_COMPLAINANT));
	assert_true(r->no_party_problem);
	assert_int_equal(r->n_when, 1);
	assert_int_equal(r->when[0].stages, 1u << STAGE_CASE);
	assert_int_equal(r->when[0].risks, 0);
	assert_int_equal(r->anchors, (1u << EV_ACCEPTED) | (1u << ANCHOR_IDENTIFIED));
	assert_int_equal(r->met_kind, EV_CONTACT);
	assert_true(r->met_own_party);
	assert_int_equal(r->met_channels, 0);
	assert_int_equal(r->met_roles, 0);
	assert_true(r->pause_on_hold);
	assert_int_equal(r->cutoff, -1);
	assert_false(r->urgent);
	ruleset_free(&rs);
}

static void test_serious_incident_call_is_urgent_and_overrides_notify(void **state)
{
	_cleanup_free_ char *path = src_path("rules/leeds-asbu.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "serious-incident-call");
	assert_int_equal(r->kind, RULE_DEADLINE);
	/* "Serious incidents, specifically violence ... and hate crime":
	 * either flag. */
	assert_int_equal(r->n_when, 2);
	assert_int_equal(r->when[0].serious, 1);
	assert_int_equal(r->when[0].hate, -1);
	assert_int_equal(r->when[1].serious, -1);
	assert_int_equal(r->when[1].hate, 1);
	assert_int_equal(r->when[1].stages, 0);
	assert_false(r->no_party_problem);
	assert_int_equal(r->anchors, 1u << ANCHOR_RECEIVED);
	assert_true(r->has_within);
	assert_int_equal(r->within.n, 1);
	assert_int_equal(r->within.unit, DUR_WORKING_DAYS);
	assert_int_equal(r->met_kind, EV_CONTACT);
	assert_int_equal(r->met_channels, 1u << CHANNEL_PHONE);
	assert_int_equal(r->for_roles, 0);
	assert_true(r->urgent);
	/* Its own notify: no reminder, escalation after one working day. */
	assert_false(r->notify[NOTIFY_UPCOMING].enabled);
	assert_true(r->notify[NOTIFY_OVERDUE].enabled);
	assert_int_equal(r->notify[NOTIFY_OVERDUE].to, RECIPIENT_OFFICER | RECIPIENT_SUPERVISOR);
	assert_true(r->notify[NOTIFY_ESCALATED].enabled);
	assert_int_equal(r->notify[NOTIFY_ESCALATED].offset.n, 1);
	assert_int_equal(r->notify[NOTIFY_ESCALATED].offset.unit, DUR_WORKING_DAYS);
	assert_int_equal(r->notify[NOTIFY_ESCALATED].to, RECIPIENT_MANAGER);
	/* The stage it does not name comes from the pack. */
	assert_true(r->notify[NOTIFY_DUE].enabled);
	assert_int_equal(r->notify[NOTIFY_DUE].to, RECIPIENT_OFFICER);
	assert_int_equal(r->notify[NOTIFY_DUE].n_addresses, 0);
	ruleset_free(&rs);
}

static void test_no_perpetrator_is_a_check_notified_only_when_overdue(void **state)
{
	_cleanup_free_ char *path = src_path("rules/leeds-asbu.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "no-perpetrator");
	assert_int_equal(r->kind, RULE_CHECK);
	assert_int_equal(r->missing_roles, 1u << ROLE_PERPETRATOR);
	assert_int_equal(r->anchors, 1u << EV_ACCEPTED);
	assert_false(r->has_within);
	assert_false(r->notify[NOTIFY_UPCOMING].enabled);
	assert_false(r->notify[NOTIFY_DUE].enabled);
	assert_true(r->notify[NOTIFY_OVERDUE].enabled);
	assert_true(r->notify[NOTIFY_ESCALATED].enabled);
	assert_int_equal(r->notify[NOTIFY_ESCALATED].offset.n, 5);
	ruleset_free(&rs);
}

static void test_sendback_letter_is_a_gate_before_closure(void **state)
{
	_cleanup_free_ char *path = src_path("rules/leeds-asbu.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "sendback-letter");
	assert_int_equal(r->kind, RULE_GATE);
	assert_int_equal(r->before, EV_CLOSED);
	assert_int_equal(r->anchors, 1u << EV_NOT_ACCEPTED);
	assert_int_equal(r->when[0].stages, 1u << STAGE_ENQUIRY);
	/* A complainant's enquiry has no referral to send back. */
	assert_false(r->no_party_problem);
	assert_int_equal(r->met_channels, 1u << CHANNEL_LETTER);
	assert_int_equal(r->n_met_details, 1);
	assert_string_equal(r->met_details[0], "sendback");
	assert_true(r->met_own_party);
	assert_int_equal(r->for_roles, 1u << ROLE_REFERRER);
	ruleset_free(&rs);
}

static void test_first_contact_must_use_the_preferred_channel(void **state)
{
	_cleanup_free_ char *path = src_path("rules/oadby-wigston.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "first-contact");
	assert_int_equal(r->kind, RULE_DEADLINE);
	assert_true(r->met_preferred);
	assert_int_equal(r->met_channels, 0);
	assert_int_equal(r->met_roles, (1u << ROLE_COMPLAINANT) | (1u << ROLE_VICTIM));
	assert_false(r->met_own_party);
	assert_int_equal(r->within.n, 3);
	assert_int_equal(r->within.unit, DUR_WORKING_DAYS);
	assert_int_equal(r->for_roles, 0);
	assert_true(r->no_party_problem);
	ruleset_free(&rs);
}

static void test_oadby_targets_unit_and_high_risk_rule(void **state)
{
	_cleanup_free_ char *path = src_path("rules/oadby-wigston.conf");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "victim-update");
	assert_int_equal(r->kind, RULE_TARGET);
	assert_int_equal(r->measure, MEASURE_INTERVAL);
	assert_int_equal(r->every.n, 14);
	assert_int_equal(r->every.unit, DUR_DAYS);
	assert_int_equal(r->when[0].stages, (1u << STAGE_ENQUIRY) | (1u << STAGE_CASE));
	assert_int_equal(r->for_roles, (1u << ROLE_VICTIM) | (1u << ROLE_COMPLAINANT));
	assert_true(r->no_party_problem);

	r = find(&rs, "high-risk-update");
	assert_int_equal(r->kind, RULE_RECURRING);
	assert_int_equal(r->when[0].risks, 1u << RISK_HIGH);
	assert_true(r->no_party_problem);
	assert_int_equal(r->every.n, 7);
	assert_int_equal(r->every.unit, DUR_DAYS);
	assert_true(r->urgent);

	r = find(&rs, "jag-meeting");
	assert_int_equal(r->kind, RULE_UNIT);
	assert_string_equal(r->meeting, "jag");
	assert_true(r->has_every);
	assert_int_equal(r->every.n, 1);
	assert_int_equal(r->every.unit, DUR_MONTHS);
	assert_int_equal(r->window_months, 12);

	r = find(&rs, "satisfaction");
	assert_int_equal(r->kind, RULE_TARGET);
	assert_int_equal(r->measure, MEASURE_SATISFACTION);
	assert_float_equal(r->goal, 97.0, 1e-9);
	assert_int_equal(r->window_months, 12);
	ruleset_free(&rs);
}

/* ---- Loading ----------------------------------------------------------- */

static void test_rule_remembers_its_pack_file_and_line(void **state)
{
	_cleanup_free_ char *path = write_file("where.conf",
		"pack = \"where\";\n"
		"rules = (\n"
		"  { id = \"one\"; title = \"One\"; kind = \"check\"; missing = \"perpetrator\"; },\n"
		"\n"
		"  {\n"
		"    id = \"two\"; title = \"Two\"; kind = \"unit\"; meeting = \"jag\"; window = \"6 months\";\n"
		"  }\n"
		");\n");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.v[0].pack, "where");
	assert_string_equal(rs.v[0].file, path);
	assert_int_equal(rs.v[0].line, 3);
	assert_int_equal(rs.v[1].line, 5);
	assert_int_equal(rs.v[1].window_months, 6);
	/* A unit rule's period is a month even when the rule does not say so. */
	assert_true(rs.v[1].has_every);
	assert_int_equal(rs.v[1].every.n, 1);
	assert_int_equal(rs.v[1].every.unit, DUR_MONTHS);
	ruleset_free(&rs);
}

static void test_notify_policy_pack_default_and_rule_overrides(void **state)
{
	_cleanup_free_ char *path = write_file("notify-ok.conf",
		"pack = \"n\";\n"
		"notify = { escalated = false; overdue = { to = \"supervisor\"; }; };\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"2 days\"; met_by = {};\n"
		"    notify = { upcoming = { before = \"4 hours\"; to = [ \"manager\", \"asb-team@example.gov.uk\" ]; };\n"
		"               due = false; }; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"2 days\"; met_by = {}; }\n"
		");\n");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *a = find(&rs, "a"), *b = find(&rs, "b");
	assert_true(a->notify[NOTIFY_UPCOMING].enabled);
	assert_int_equal(a->notify[NOTIFY_UPCOMING].offset.n, 4);
	assert_int_equal(a->notify[NOTIFY_UPCOMING].offset.unit, DUR_HOURS);
	assert_int_equal(a->notify[NOTIFY_UPCOMING].to, RECIPIENT_MANAGER);
	assert_int_equal(a->notify[NOTIFY_UPCOMING].n_addresses, 1);
	assert_string_equal(a->notify[NOTIFY_UPCOMING].addresses[0], "asb-team@example.gov.uk");
	assert_false(a->notify[NOTIFY_DUE].enabled);
	assert_int_equal(a->notify[NOTIFY_OVERDUE].to, RECIPIENT_SUPERVISOR);
	assert_false(a->notify[NOTIFY_ESCALATED].enabled);
	/* b names no stage: all of the pack's policy, the rest the defaults. */
	assert_true(b->notify[NOTIFY_UPCOMING].enabled);
	assert_int_equal(b->notify[NOTIFY_UPCOMING].offset.n, 1);
	assert_int_equal(b->notify[NOTIFY_UPCOMING].offset.unit, DUR_WORKING_DAYS);
	assert_int_equal(b->notify[NOTIFY_UPCOMING].to, RECIPIENT_OFFICER);
	assert_int_equal(b->notify[NOTIFY_UPCOMING].n_addresses, 0);
	assert_true(b->notify[NOTIFY_DUE].enabled);
	assert_int_equal(b->notify[NOTIFY_DUE].to, RECIPIENT_OFFICER);
	assert_int_equal(b->notify[NOTIFY_OVERDUE].to, RECIPIENT_SUPERVISOR);
	assert_false(b->notify[NOTIFY_ESCALATED].enabled);
	ruleset_free(&rs);
}

static void test_folder_loads_its_packs_in_name_order(void **state)
{
	make_dir("folder");
	_cleanup_free_ char *b = write_file("folder/20-b.conf",
		"pack = \"b\";\nrules = ( { id = \"from-b\"; title = \"B\"; kind = \"check\"; missing = \"victim\"; } );\n");
	_cleanup_free_ char *a = write_file("folder/10-a.conf",
		"pack = \"a\";\nrules = ( { id = \"from-a\"; title = \"A\"; kind = \"check\"; missing = \"victim\"; } );\n");
	/* Neither is a pack: not *.conf, and hidden. Both would fail to load. */
	_cleanup_free_ char *t = write_file("folder/notes.txt", "not a pack (\n");
	_cleanup_free_ char *h = write_file("folder/.30-c.conf", "not a pack (\n");
	_cleanup_free_ char *path = xasprintf("%s/folder", dir);
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	_cleanup_free_ char *ids = ids_of(&rs);
	assert_string_equal(ids, "from-a\nfrom-b\n");
	assert_string_equal(rs.v[0].file, a);
	assert_string_equal(rs.v[1].pack, "b");
	ruleset_free(&rs);
}

static void test_folder_with_no_packs_is_a_problem(void **state)
{
	make_dir("nopacks");
	_cleanup_free_ char *t = write_file("nopacks/leeds.conf.bak", "pack = \"x\";\n");
	_cleanup_free_ char *path = xasprintf("%s/nopacks", dir);
	_cleanup_free_ char *got = load_bad_paths(&path, 1);
	assert_string_equal(got, "nopacks:0: the rules folder holds no rule pack (*.conf)\n");
}

static void test_missing_pack_is_a_problem(void **state)
{
	_cleanup_free_ char *path = xasprintf("%s/no-such-pack.conf", dir);
	_cleanup_free_ char *got = load_bad_paths(&path, 1);
	assert_string_equal(got, "no-such-pack.conf:0: cannot read: No such file or directory\n");
}

/* ---- Every problem, FILE:LINE: message, all in one run ----------------- */

static void test_syntax_error_and_the_next_packs_problems_in_one_run(void **state)
{
	_cleanup_free_ char *p1 = write_file("syntax.conf",
		"pack = \"s\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"check\"; missing = [ \"victim\" ]; },\n"
		"  { id = \"b\"; title = \"B\" kind = ; }\n"
		");\n");
	_cleanup_free_ char *p2 = write_file("after-syntax.conf",
		"pack = \"t\";\n"
		"rules = ( { id = \"c\"; title = \"C\"; kind = \"check\"; missing = \"victm\"; } );\n");
	char *paths[] = { p1, p2 };
	_cleanup_free_ char *got = load_bad_paths(paths, 2);
	assert_string_equal(got,
		"syntax.conf:4: syntax error\n"
		"after-syntax.conf:2: unknown role 'victm' in missing (victim, complainant, witness, perpetrator or referrer)\n");
}

static void test_unknown_names_are_all_reported(void **state)
{
	_cleanup_free_ char *got = load_bad("unknown.conf",
		"pack = \"u\";\n"
		"rule = ( );\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"dedline\"; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; withn = \"3 days\"; within = \"3 days\";\n"
		"    from = [ \"received\", \"recieved\" ];\n"
		"    met_by = { kind = \"visit\"; chanel = \"phone\"; party = \"neighbour\"; }; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"gate\"; before = \"close\"; met_by = { channel = [ \"letter\", \"fax\" ]; };\n"
		"    when = { stage = \"open\"; risk = [ \"high\", \"severe\" ]; ward = \"x\"; }; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"recurring\"; every = \"7 days\"; met_by = {}; for = [ \"victm\" ]; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"target\"; measure = \"average\"; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"check\"; missing = \"perpetrator\"; from = \"contact\"; },\n"
		"  { id = \"g\"; title = \"G\"; kind = \"gate\"; before = \"r\"; met_by = { kind = \"Contact\"; }; },\n"
		"  { id = \"h\"; title = \"H\"; kind = \"gate\"; before = \"\"; met_by = { kind = \"c\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"2: unknown setting 'rule' in a rule pack\n"
		"4: unknown rule kind 'dedline' (deadline, recurring, gate, check, unit or target)\n"
		"5: unknown setting 'withn' in a rule\n"
		"6: unknown anchor 'recieved' (received, accepted, not_accepted, closed, reopened, hold, resume, risk, serious, hate, agreed or identified)\n"
		"7: unknown setting 'chanel' in met_by\n"
		"7: unknown event kind 'visit' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n"
		"7: unknown role 'neighbour' in party (victim, complainant, witness, perpetrator or referrer)\n"
		"7: party may also be \"own\": the obligation's own party\n"
		"8: unknown channel 'fax' (phone, letter, email, visit, sms or meeting)\n"
		"8: unknown event kind 'close' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n"
		"9: unknown setting 'ward' in when\n"
		"9: unknown stage 'open' (enquiry, case or closed)\n"
		"9: unknown risk level 'severe' (standard, medium or high)\n"
		"10: unknown role 'victm' in for (victim, complainant, witness, perpetrator or referrer)\n"
		"11: unknown measure 'average' (interval or satisfaction)\n"
		"12: unknown anchor 'contact' (received, accepted, not_accepted, closed, reopened, hold, resume, risk, serious, hate, agreed or identified)\n"
		"13: unknown event kind 'Contact' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n"
		"13: unknown event kind 'r' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n"
		"14: unknown event kind 'c' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n"
		"14: unknown event kind '' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)\n");
}

static void test_durations_that_do_not_parse(void **state)
{
	_cleanup_free_ char *got = load_bad("durations.conf",
		"pack = \"d\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"3 wrking days\"; met_by = {}; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"three days\"; met_by = {}; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"recurring\"; every = \"-1 days\"; met_by = {}; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"deadline\"; within = 3; met_by = {}; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"recurring\"; every = \"0 working days\"; met_by = {}; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    notify = { escalated = { after = \"5 wrking days\"; to = \"manager\"; }; }; }\n"
		");\n");
	assert_string_equal(got,
		"3: within '3 wrking days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"4: within 'three days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"5: every '-1 days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"6: within must be a string, not an integer\n"
		"7: every must be at least 1\n"
		"9: after '5 wrking days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n");
}

static void test_months_only_for_a_unit_period_and_a_window(void **state)
{
	_cleanup_free_ char *got = load_bad("months.conf",
		"pack = \"m\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 month\"; met_by = {}; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"recurring\"; every = \"1 month\"; met_by = {}; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"unit\"; meeting = \"jag\"; every = \"2 months\"; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"unit\"; meeting = \"jag\"; every = \"20 working days\"; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"unit\"; meeting = \"jag\"; every = \"1 month\"; window = \"6 months\"; }\n"
		");\n");
	assert_string_equal(got,
		"3: within '1 month' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"4: every '1 month' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"5: a unit rule's period must be \"1 month\"\n"
		"6: a unit rule's period must be \"1 month\"\n");
}

static void test_duplicate_rule_id_names_the_first_definition(void **state)
{
	_cleanup_free_ char *got = load_bad("dup.conf",
		"pack = \"d\";\n"
		"rules = (\n"
		"  { id = \"call\"; title = \"Call\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = \"other\"; title = \"Other\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  {\n"
		"    id = \"call\"; title = \"Call again\"; kind = \"check\"; missing = \"victim\";\n"
		"  }\n"
		");\n");
	_cleanup_free_ char *path = xasprintf("%s/dup.conf", dir);
	_cleanup_free_ char *want = xasprintf("6: duplicate rule id 'call' (first defined at %s:3)\n", path);
	assert_string_equal(got, want);
}

static void test_duplicate_rule_id_across_packs_in_a_folder(void **state)
{
	make_dir("dups");
	_cleanup_free_ char *a = write_file("dups/a.conf",
		"pack = \"a\";\n"
		"rules = (\n"
		"  { id = \"visit\"; title = \"Visit\"; kind = \"check\"; missing = \"victim\"; }\n"
		");\n");
	_cleanup_free_ char *b = write_file("dups/b.conf",
		"pack = \"b\";\n"
		"\n"
		"rules = ( { id = \"visit\"; title = \"Visit too\"; kind = \"check\"; missing = \"victim\"; } );\n");
	_cleanup_free_ char *path = xasprintf("%s/dups", dir);
	_cleanup_free_ char *got = load_bad_paths(&path, 1);
	/* a.conf comes first by name, so b.conf's rule is the duplicate. */
	_cleanup_free_ char *want = xasprintf(
		"dups/b.conf:3: duplicate rule id 'visit' (first defined at %s:3)\n", a);
	assert_string_equal(got, want);
}

static void test_rule_missing_what_its_kind_needs(void **state)
{
	_cleanup_free_ char *got = load_bad("needs.conf",
		"pack = \"n\";\n"
		"rules = (\n"
		"  { id = \"rec\"; title = \"R\"; kind = \"recurring\"; met_by = {}; },\n"
		"  { id = \"dl\"; title = \"D\"; kind = \"deadline\"; },\n"
		"  { id = \"gt\"; title = \"G\"; kind = \"gate\"; met_by = {}; },\n"
		"  { id = \"ck\"; title = \"C\"; kind = \"check\"; },\n"
		"  { id = \"un\"; title = \"U\"; kind = \"unit\"; },\n"
		"  { id = \"tg\"; title = \"T\"; kind = \"target\"; },\n"
		"  { id = \"sat\"; title = \"S\"; kind = \"target\"; measure = \"satisfaction\"; },\n"
		"  { id = \"sat2\"; title = \"S2\"; kind = \"target\"; measure = \"satisfaction\"; goal = \"97\"; },\n"
		"  { id = \"int\"; title = \"I\"; kind = \"target\"; measure = \"interval\"; },\n"
		"  { id = \"nokind\"; title = \"K\"; },\n"
		"  { id = \"notitle\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { title = \"No id\"; kind = \"check\"; missing = \"victim\"; }\n"
		");\n");
	assert_string_equal(got,
		"3: recurring rule rec has no period (every = \"...\";)\n"
		"4: deadline rule dl has no within (e.g. within = \"3 working days\";)\n"
		"4: deadline rule dl has no met_by: nothing could meet it\n"
		"5: gate rule gt has no before (the event that must not come first)\n"
		"6: check rule ck has no condition (missing = [ ... ];)\n"
		"7: unit rule un has no meeting kind (meeting = \"jag\";)\n"
		"8: target rule tg has no measure (interval or satisfaction)\n"
		"9: target rule sat has no goal (goal = \"97%\";)\n"
		"10: goal '97' is not a percentage like \"97%\"\n"
		"11: target rule int has no period (every = \"...\";)\n"
		"11: target rule int has no met_by: nothing could meet it\n"
		"12: rule nokind has no kind (deadline, recurring, gate, check, unit or target)\n"
		"13: rule notitle has no title\n"
		"14: rule has no id\n");
}

static void test_filters_that_can_never_match(void **state)
{
	_cleanup_free_ char *got = load_bad("never.conf",
		"pack = \"n\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = { stage = []; }; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = { stage = \"closed\"; }; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"deadline\"; within = \"1 day\";\n"
		"    met_by = { kind = \"accepted\"; channel = \"letter\"; }; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"deadline\"; within = \"1 day\";\n"
		"    met_by = { kind = \"risk\"; detail = [ \"high\", \"severe\" ]; }; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"deadline\"; within = \"1 day\";\n"
		"    met_by = { kind = \"hold\"; channel = \"preferred\"; detail = []; }; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"gate\"; from = \"closed\"; before = \"closed\"; met_by = {};\n"
		"    when = { stage = \"closed\"; category = [ \"\" ]; }; }\n"
		");\n");
	assert_string_equal(got,
		"4: stage is an empty list: the rule could never match\n"
		"6: stage closed never matches: closing a case ends every rule but a gate\n"
		"8: met_by names a channel but only contact events have one: it could never match\n"
		"10: a risk event's detail is a level (standard, medium or high), never 'severe': it could never match\n"
		"12: met_by names a channel but only contact events have one: it could never match\n"
		"12: detail is an empty list: the rule could never match\n"
		"13: the gate's before event is also its anchor: it could never be met\n"
		"14: category must not be empty\n");
}

static void test_settings_that_need_for(void **state)
{
	_cleanup_free_ char *got = load_bad("needfor.conf",
		"pack = \"f\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\";\n"
		"    met_by = { party = \"own\"; }; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    from = [ \"accepted\", \"identified\" ]; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    fallback = [ \"referrer\" ]; },\n"
		"  { id = \"ok\"; title = \"OK\"; kind = \"deadline\"; within = \"1 day\"; for = \"victim\";\n"
		"    from = \"identified\"; fallback = \"referrer\"; met_by = { party = \"own\"; }; }\n"
		");\n");
	assert_string_equal(got,
		"4: party = \"own\" needs for = [ ... ]: a rule once per case has no party of its own\n"
		"6: the anchor identified needs for = [ ... ]: only a party is identified\n"
		"8: fallback needs for: it names who stands in for the parties of for\n");
}

static void test_settings_that_do_not_apply_to_the_kind(void **state)
{
	_cleanup_free_ char *got = load_bad("apply.conf",
		"pack = \"a\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    every = \"3 days\"; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"recurring\"; every = \"3 days\"; met_by = {};\n"
		"    within = \"3 days\"; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"unit\"; meeting = \"jag\";\n"
		"    when = { stage = \"case\"; }; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"target\"; measure = \"satisfaction\"; goal = \"97%\";\n"
		"    every = \"14 days\"; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"check\"; missing = \"perpetrator\";\n"
		"    met_by = {}; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"gate\"; before = \"closed\"; met_by = {};\n"
		"    agreed_contact = true; measure = \"interval\"; }\n"
		");\n");
	assert_string_equal(got,
		"4: every does not apply to a deadline rule\n"
		"6: within does not apply to a recurring rule\n"
		"8: when does not apply to a unit rule\n"
		"10: every does not apply to a target rule measuring satisfaction\n"
		"12: met_by does not apply to a check rule\n"
		"14: agreed_contact does not apply to a gate rule\n"
		"14: measure does not apply to a gate rule\n");
}

static void test_bad_cutoff_window_and_on_hold(void **state)
{
	_cleanup_free_ char *got = load_bad("values.conf",
		"pack = \"v\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    cutoff = \"25:00\"; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    cutoff = \"9:00\"; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"unit\"; meeting = \"jag\"; window = \"30 days\"; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"unit\"; meeting = \"jag\"; window = \"121 months\"; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"unit\"; meeting = \"jag\"; window = \"0 months\"; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    on_hold = \"stop\"; },\n"
		"  { id = \"g\"; title = \"G\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    cutoff = \"16:30\"; on_hold = \"run\"; window = \"12 months\"; }\n"
		");\n");
	assert_string_equal(got,
		"4: cutoff '25:00' is not a time HH:MM\n"
		"6: cutoff '9:00' is not a time HH:MM\n"
		"7: window '30 days' must be 1 to 120 months, like \"12 months\"\n"
		"8: window '121 months' must be 1 to 120 months, like \"12 months\"\n"
		"9: window '0 months' must be 1 to 120 months, like \"12 months\"\n"
		"11: on_hold must be \"pause\" or \"run\", not 'stop'\n"
		"13: window does not apply to a deadline rule\n");
}

static void test_cutoff_and_on_hold_values_are_kept(void **state)
{
	_cleanup_free_ char *path = write_file("cutoff.conf",
		"pack = \"c\";\n"
		"rules = ( { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"48 hours\"; met_by = {};\n"
		"            cutoff = \"16:30\"; on_hold = \"run\"; } );\n");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	assert_int_equal(rs.v[0].cutoff, 16 * 3600 + 30 * 60);
	assert_false(rs.v[0].pause_on_hold);
	assert_int_equal(rs.v[0].within.n, 48);
	assert_int_equal(rs.v[0].within.unit, DUR_HOURS);
	ruleset_free(&rs);
}

static void test_notify_mistakes(void **state)
{
	_cleanup_free_ char *got = load_bad("notify.conf",
		"pack = \"n\";\n"
		"notify = {\n"
		"  reminder = { to = [ \"officer\" ]; };\n"
		"  upcoming = true;\n"
		"  due = { to = [ \"officer\", \"boss\" ]; };\n"
		"  overdue = { };\n"
		"};\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    notify = { overdue = { to = \"officer\"; before = \"1 day\"; };\n"
		"               escalated = { after = \"2 working days\"; }; }; }\n"
		");\n");
	assert_string_equal(got,
		"3: unknown setting 'reminder' in notify\n"
		"4: notify stage upcoming must be false or a group { to = [ ... ]; }\n"
		"5: unknown recipient 'boss' (officer, supervisor, manager or an email address)\n"
		"6: notify stage overdue has no recipients (to = [ \"officer\", ... ];)\n"
		"10: unknown setting 'before' in overdue\n"
		"11: notify stage escalated has no recipients (to = [ \"officer\", ... ];)\n");
}

/* A recipient's address is checked as casewatch writes it in To and
 * RCPT TO (addr_spec_problem()), when the pack is loaded, rather than
 * each message to it given up when it is sent. */
static void test_recipient_addresses_checked_when_loaded(void **state)
{
	_cleanup_free_ char *got = load_bad("addresses.conf",
		"pack = \"a\";\n"
		"notify = {\n"
		"  due = { to = [ \"officer\", \"asb-team@example.gov.uk\" ]; };\n"
		"  overdue = { to = [ \"jo..bloggs@example.gov.uk\", \"Jo Bloggs <jo@example.gov.uk>\" ]; };\n"
		"  escalated = { to = [ \"\\\"jo\\\"@example.gov.uk\", \"jo@example_gov.uk\", \"j\xc3\xb6@example.gov.uk\" ]; };\n"
		"  upcoming = { to = [ \"jo@example.gov.uk\\r\\nBcc: all@example.gov.uk\", \"jo\\t@example.gov.uk\" ]; };\n"
		"};\n"
		"rules = ( { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {}; } );\n");
	assert_string_equal(got,
		"4: recipient address 'jo..bloggs@example.gov.uk' has a dot at the start or end of the part before "
		"the @, or two in a row\n"
		"4: recipient address 'Jo Bloggs <jo@example.gov.uk>' holds a space\n"
		"5: recipient address '\"jo\"@example.gov.uk' holds '\"', which an address may not\n"
		"5: recipient address 'jo@example_gov.uk' holds '_' in its domain, which a domain may not\n"
		"5: recipient address 'j\xc3\xb6@example.gov.uk' is not ASCII (addresses in other scripts are not "
		"supported)\n"
		"6: recipient address must be one line, without control characters\n"
		"6: recipient address must be one line, without control characters\n");
}

static void test_pack_without_name_or_rules(void **state)
{
	_cleanup_free_ char *got = load_bad("empty.conf", "# nothing but a title\ntitle = \"Nothing\";\n");
	assert_string_equal(got,
		"0: rule pack has no name (pack = \"...\";)\n"
		"0: rule pack has no rules (rules = ( { ... } );)\n");
}

/* Mistakes that once went unreported, or were reported only one at a
 * time: each is reported, at its line, in the same run. */
static void test_every_mistake_of_a_rule_in_one_run(void **state)
{
	_cleanup_free_ char *got = load_bad("one-run.conf",
		"pack = \"o\";\n"
		"rules = (\n"
		"  { id = \"k\"; title = \"K\"; kind = \"dedline\"; within = \"3 wrking days\"; from = \"recieved\"; },\n"
		"  { id = \"dup\"; title = \"D\"; kind = \"deadline\"; met_by = {}; },\n"
		"  { id = \"dup\"; title = \"D\"; kind = \"deadline\"; within = \"1 day\"; met_by = {}; },\n"
		"  { id = \"n\"; title = \"N\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    cutoff = \"+9:00\";\n"
		"    notify = { accepted = { to = \"officer\"; }; due = { to = [ ]; }; overdue = { to = \"@\"; }; }; }\n"
		");\n");
	_cleanup_free_ char *want = xasprintf(
		"3: unknown rule kind 'dedline' (deadline, recurring, gate, check, unit or target)\n"
		"3: unknown anchor 'recieved' (received, accepted, not_accepted, closed, reopened, hold, resume, risk, serious, hate, agreed or identified)\n"
		"3: within '3 wrking days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"4: deadline rule dup has no within (e.g. within = \"3 working days\";)\n"
		"5: duplicate rule id 'dup' (first defined at %s/one-run.conf:4)\n"
		"7: cutoff '+9:00' is not a time HH:MM\n"
		"8: unknown setting 'accepted' in notify\n"
		"8: notify stage due has an empty list of recipients: set it to false to notify nobody\n"
		"8: recipient address '@' has nothing before the @\n", dir);
	assert_string_equal(got, want);
}

static void test_interval_target_is_measured_in_days(void **state)
{
	_cleanup_free_ char *got = load_bad("interval.conf",
		"pack = \"t\";\n"
		"rules = ( { id = \"u\"; title = \"U\"; kind = \"target\"; measure = \"interval\";\n"
		"            every = \"10 working days\"; met_by = {}; } );\n");
	assert_string_equal(got, "3: an interval target is measured in days: every must be \"N days\"\n");
}

static void test_pack_with_an_empty_name_or_no_rules(void **state)
{
	_cleanup_free_ char *got = load_bad("empty.conf", "pack = \"\";\nrules = ();\n");
	assert_string_equal(got,
		"1: pack must not be empty: it names the pack\n"
		"2: rule pack has no rules: the list is empty\n");
}

static void test_rule_id_must_be_lower_case(void **state)
{
	_cleanup_free_ char *got = load_bad("ids.conf",
		"pack = \"i\";\n"
		"rules = (\n"
		"  { id = \"Keep-Informed\"; title = \"K\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = \"keep_informed\"; title = \"K\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = \"\"; title = \"\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = 7; title = \"K\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = \"keep-informed-2\"; title = \"K\"; kind = \"check\"; missing = \"victim\"; }\n"
		");\n");
	assert_string_equal(got,
		"3: rule id 'Keep-Informed' may hold only lower-case letters, digits and '-'\n"
		"4: rule id 'keep_informed' may hold only lower-case letters, digits and '-'\n"
		"5: rule id '' may hold only lower-case letters, digits and '-'\n"
		"5: title must not be empty\n"
		"6: id must be a string, not an integer\n");
}

static void test_rule_with_a_problem_is_left_out_the_rest_load(void **state)
{
	_cleanup_free_ char *path = write_file("partial.conf",
		"pack = \"p\";\n"
		"rules = (\n"
		"  { id = \"good\"; title = \"G\"; kind = \"check\"; missing = \"victim\"; },\n"
		"  { id = \"bad\"; title = \"B\"; kind = \"check\"; missing = \"victim\"; on_hold = \"stop\"; },\n"
		"  { id = \"also-good\"; title = \"A\"; kind = \"check\"; missing = \"victim\"; }\n"
		");\n");
	struct ruleset rs = { 0 };
	struct diags d = { 0 };
	assert_int_equal(rules_load(&path, 1, &rs, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 4);
	_cleanup_free_ char *ids = ids_of(&rs);
	assert_string_equal(ids, "good\nalso-good\n");
	ruleset_free(&rs);
	diags_free(&d);
}

/* Reported, at the right line. The wording is deliberately not asserted:
 * today's messages say "role" for for = [] and missing = [], and offer
 * "3 working days" to a window, which takes only months. */
static void test_more_mistakes_are_reported_at_their_line(void **state)
{
	_cleanup_free_ char *path = write_file("lines.conf",
		"pack = \"l\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    for = []; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"check\";\n"
		"    missing = []; },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"unit\"; meeting = \"jag\";\n"
		"    window = \"12 weeks\"; }\n"
		");\n");
	struct ruleset rs = { 0 };
	struct diags d = { 0 };
	assert_int_equal(rules_load(&path, 1, &rs, &d), -EINVAL);
	diags_sort(&d);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.v[0].line, 4);
	assert_int_equal(d.v[1].line, 6);
	assert_int_equal(d.v[2].line, 8);
	assert_int_equal(rs.n, 0);
	ruleset_free(&rs);
	diags_free(&d);
}

static void test_conf_load_reports_pack_problems_at_the_packs_lines(void **state)
{
	_cleanup_free_ char *pack = write_file("conf-pack.conf",
		"pack = \"c\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"3 wrking days\"; met_by = {}; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"check\";\n"
		"    missing = \"victm\"; }\n"
		");\n");
	_cleanup_free_ char *conf = write_file("with-pack.conf",
		"database = \"cases.db\";\n"
		"rules = [ \"conf-pack.conf\" ];\n");
	struct diags d = { 0 };
	struct conf *c = NULL;
	assert_int_equal(conf_load(conf, &c, &d), -EINVAL);
	assert_null(c);
	_cleanup_free_ char *got = render(&d);
	diags_free(&d);
	assert_string_equal(got,
		"conf-pack.conf:3: within '3 wrking days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"\n"
		"conf-pack.conf:5: unknown role 'victm' in missing (victim, complainant, witness, perpetrator or referrer)\n");
}

/* ---- duration_parse ---------------------------------------------------- */

static void expect_duration(const char *s, bool months, int n, enum dur_unit unit)
{
	struct duration d = { -1, DUR_DAYS };
	if (duration_parse(s, months, &d) != 0)
		fail_msg("'%s' did not parse", s);
	assert_int_equal(d.n, n);
	assert_int_equal(d.unit, unit);
}

static void expect_no_duration(const char *s, bool months)
{
	/* A failure leaves the out-parameter alone. */
	struct duration d = { 77, DUR_HOURS };
	if (duration_parse(s, months, &d) != -EINVAL)
		fail_msg("'%s' parsed", s);
	assert_int_equal(d.n, 77);
	assert_int_equal(d.unit, DUR_HOURS);
}

static void test_duration_working_days_days_and_hours(void **state)
{
	expect_duration("1 working day", false, 1, DUR_WORKING_DAYS);
	expect_duration("3 working days", false, 3, DUR_WORKING_DAYS);
	expect_duration("14 days", false, 14, DUR_DAYS);
	expect_duration("1 day", false, 1, DUR_DAYS);
	expect_duration("48 hours", false, 48, DUR_HOURS);
	expect_duration("1 hour", false, 1, DUR_HOURS);
	/* Singular and plural are both accepted whatever the number. */
	expect_duration("1 days", false, 1, DUR_DAYS);
	expect_duration("3 working day", false, 3, DUR_WORKING_DAYS);
	expect_duration("0 days", false, 0, DUR_DAYS);
	expect_duration("10000 days", false, 10000, DUR_DAYS);
	expect_duration("14 days", true, 14, DUR_DAYS);
}

static void test_duration_months_only_when_allowed(void **state)
{
	expect_duration("1 month", true, 1, DUR_MONTHS);
	expect_duration("12 months", true, 12, DUR_MONTHS);
	expect_no_duration("1 month", false);
	expect_no_duration("12 months", false);
}

static void test_duration_rejects_what_is_not_one(void **state)
{
	expect_no_duration("", false);
	expect_no_duration("days", false);
	expect_no_duration("3", false);
	expect_no_duration("3 ", false);
	expect_no_duration("3days", false);
	expect_no_duration("3 weeks", true);
	expect_no_duration("10001 days", false);
	expect_no_duration("99999999999999999999 days", false);
	expect_no_duration("-1 days", false);
	expect_no_duration("three days", false);
	expect_no_duration("3 wrking days", false);
	expect_no_duration("3 days and 2 hours", false);
	expect_no_duration("3\tdays", false);
}

static void test_duration_tolerates_extra_spaces_between_words(void **state)
{
	/* Spaces around the number are forgiven: what is meant is clear. */
	expect_duration("3  days", false, 3, DUR_DAYS);
	expect_duration(" 3 days ", false, 3, DUR_DAYS);
	expect_duration("20   working days", false, 20, DUR_WORKING_DAYS);
}

static void test_when_list_fallback_order_and_no_party_are_kept(void **state)
{
	_cleanup_free_ char *path = write_file("newkeys.conf",
		"pack = \"n\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"recurring\"; every = \"5 days\";\n"
		"    when = ( { stage = \"case\"; risk = \"high\"; }, { hate = true; category = [ \"personal\" ]; } );\n"
		"    for = [ \"victim\" ]; fallback = [ \"complainant\", \"referrer\" ];\n"
		"    met_by = { party = \"own\"; }; no_party = \"problem\"; },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"1 day\"; from = [ \"hate\", \"agreed\" ];\n"
		"    met_by = { kind = \"agreed\"; party = [ \"witness\" ]; }; no_party = \"nothing\"; }\n"
		");\n");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	const struct rule *r = find(&rs, "a");
	assert_int_equal(r->n_when, 2);
	assert_int_equal(r->when[0].stages, 1u << STAGE_CASE);
	assert_int_equal(r->when[0].risks, 1u << RISK_HIGH);
	assert_int_equal(r->when[0].hate, -1);
	assert_int_equal(r->when[1].hate, 1);
	assert_int_equal(r->when[1].n_categories, 1);
	assert_string_equal(r->when[1].categories[0], "personal");
	/* The order of fallback is kept: it is a chain. */
	assert_int_equal(r->n_fallback, 2);
	assert_int_equal(r->fallback[0], ROLE_COMPLAINANT);
	assert_int_equal(r->fallback[1], ROLE_REFERRER);
	assert_true(r->no_party_problem);
	r = find(&rs, "b");
	assert_int_equal(r->n_when, 0);
	assert_int_equal(r->anchors, (1u << EV_HATE) | (1u << EV_AGREED));
	assert_int_equal(r->met_kind, EV_AGREED);
	assert_false(r->no_party_problem);
	ruleset_free(&rs);
}

static void test_when_fallback_and_no_party_mistakes(void **state)
{
	_cleanup_free_ char *got = load_bad("newmistakes.conf",
		"pack = \"m\";\n"
		"rules = (\n"
		"  { id = \"a\"; title = \"A\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = (); },\n"
		"  { id = \"b\"; title = \"B\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = ( { hate = true; }, \"serious\" ); },\n"
		"  { id = \"c\"; title = \"C\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = \"serious\"; },\n"
		"  { id = \"d\"; title = \"D\"; kind = \"deadline\"; within = \"1 day\"; met_by = { party = \"own\"; };\n"
		"    for = [ \"victim\" ]; fallback = [ \"referrer\", \"referrer\", \"victim\" ]; },\n"
		"  { id = \"e\"; title = \"E\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    no_party = \"problem\"; },\n"
		"  { id = \"f\"; title = \"F\"; kind = \"deadline\"; within = \"1 day\"; met_by = { party = \"victim\"; };\n"
		"    no_party = \"complain\"; },\n"
		"  { id = \"g\"; title = \"G\"; kind = \"unit\"; meeting = \"jag\"; every = \"1 month\"; no_party = \"problem\"; },\n"
		"  { id = \"h\"; title = \"H\"; kind = \"deadline\"; within = \"1 day\"; met_by = {};\n"
		"    when = ( { stage = \"closed\"; }, { ward = \"x\"; } ); }\n"
		");\n");
	assert_string_equal(got,
		"4: when is an empty list: the rule could never apply\n"
		"6: each entry of when must be a group of conditions, like { hate = true; }\n"
		"8: when must be a group of conditions, like when = { stage = \"case\"; };, or a list of such groups, "
		"like when = ( { serious = true; }, { hate = true; } );\n"
		"10: fallback names referrer twice\n"
		"10: fallback role victim is already in for: it would only ever be its own\n"
		"12: no_party = \"problem\" needs for = [ ... ] or met_by's party roles: otherwise the rule is owed to "
		"no party\n"
		"14: no_party must be \"problem\" or \"nothing\", not 'complain'\n"
		"15: no_party does not apply to a unit rule\n"
		"17: stage closed never matches: closing a case ends every rule but a gate\n"
		"17: unknown setting 'ward' in when\n");
}

static void test_digest_follows_the_new_settings(void **state)
{
	static const char *const variants[] = {
		"for = [ \"victim\" ]; fallback = [ \"referrer\", \"complainant\" ];",
		"for = [ \"victim\" ]; fallback = [ \"complainant\", \"referrer\" ];",
		"for = [ \"victim\" ]; fallback = [ \"referrer\", \"complainant\" ]; no_party = \"problem\";",
		"for = [ \"victim\" ]; when = ( { serious = true; }, { hate = true; } );",
		"for = [ \"victim\" ]; when = ( { hate = true; }, { serious = true; } );",
		"for = [ \"victim\" ]; when = { serious = true; hate = true; };",
	};
	uint64_t seen[ELEMENTSOF(variants)];
	for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
		_cleanup_free_ char *name = xasprintf("digest%zu.conf", i);
		_cleanup_free_ char *text = xasprintf(
			"pack = \"d\";\nrules = ( { id = \"a\"; title = \"A\"; kind = \"recurring\"; every = \"5 days\";\n"
			"  met_by = { party = \"own\"; }; %s } );\n", variants[i]);
		_cleanup_free_ char *path = write_file(name, text);
		struct ruleset rs = { 0 };
		load_ok(&path, 1, &rs);
		seen[i] = rules_digest(&rs);
		ruleset_free(&rs);
		/* Every variant means something else: a scan must notice. */
		for (size_t j = 0; j < i; j++)
			if (seen[j] == seen[i])
				fail_msg("variants %zu and %zu have the same digest", j, i);
	}
}

static void test_roles_words(void **state)
{
	const char *bad = NULL;
	size_t len = 0;
	assert_int_equal(roles_parse("complainant", &bad, &len), 1L << ROLE_COMPLAINANT);
	assert_int_equal(roles_parse(" victim,complainant ; witness/referrer\tperpetrator ", &bad, &len),
			 (1L << _ROLE_MAX) - 1);
	assert_int_equal(roles_parse("", &bad, &len), 0);
	assert_int_equal(roles_parse(" , ", &bad, &len), 0);
	assert_int_equal(roles_parse("victim, bystander, witness", &bad, &len), -EINVAL);
	assert_int_equal(len, 9);
	assert_memory_equal(bad, "bystander", 9);
	/* Exact words, in lower case, as the role column takes them. */
	assert_int_equal(roles_parse("Victim", &bad, &len), -EINVAL);
	assert_int_equal(roles_parse("victims", &bad, &len), -EINVAL);
	assert_int_equal(roles_parse("victimcomplainant", &bad, &len), -EINVAL);
}

/* What meets each rule of both packs, as a message says it. */
static void test_met_by_in_plain_words(void **state)
{
	(void)state;
	char *paths[] = { src_path("rules/leeds-asbu.conf"), src_path("rules/oadby-wigston.conf") };
	struct ruleset rs = { 0 };
	load_ok(paths, 2, &rs);
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < rs.n; i++) {
		_cleanup_free_ char *t = rule_met_by_text(&rs.v[i]);
		_cleanup_free_ char *line = xasprintf("%s: %s\n", rs.v[i].id, t ? t : "(nothing)");
		strbuf_adds(&b, line);
	}
	assert_string_equal(b.p,
		"serious-incident-call: a phone call\n"
		"acknowledge-enquiry: a contact (acknowledgement) with the complainant or referrer\n"
		"sendback-letter: a letter (sendback) to them\n"
		"acknowledgement-letters: a letter (acknowledgement) to them\n"
		"victim-visit: a visit to them\n"
		"perpetrator-letter: a letter to them\n"
		"no-perpetrator: (nothing)\n"
		"keep-informed: a contact with them\n"
		"first-contact: a contact with the victim or complainant by the channel they prefer\n"
		"victim-update: a contact with them\n"
		"high-risk-update: a contact with them\n"
		"jag-meeting: a JAG meeting recorded\n"
		"satisfaction: (nothing)\n");
	free(b.p);
	ruleset_free(&rs);
	free(paths[0]);
	free(paths[1]);
}

/* The other shapes of met_by: several channels, a risk review to a level,
 * the case's own events, roles to write to, a meeting kind that is no
 * acronym. */
static void test_met_by_every_shape(void **state)
{
	(void)state;
	_cleanup_free_ char *path = write_file("shapes.conf",
		"pack = \"shapes\";\n"
		"rules = (\n"
		"  { id = \"two\"; title = \"T\"; kind = \"deadline\"; within = \"3 working days\";\n"
		"    met_by = { kind = \"contact\"; channel = [ \"letter\", \"email\" ]; party = \"own\"; };\n"
		"    for = [ \"victim\" ]; },\n"
		"  { id = \"mixed\"; title = \"T\"; kind = \"deadline\"; within = \"3 working days\";\n"
		"    met_by = { kind = \"contact\"; channel = [ \"phone\", \"visit\" ]; party = [ \"witness\" ]; }; },\n"
		"  { id = \"risk\"; title = \"T\"; kind = \"deadline\"; within = \"3 working days\";\n"
		"    met_by = { kind = \"risk\"; detail = [ \"medium\", \"high\" ]; }; },\n"
		"  { id = \"accept\"; title = \"T\"; kind = \"deadline\"; within = \"3 working days\";\n"
		"    met_by = { kind = \"accepted\"; }; },\n"
		"  { id = \"panel\"; title = \"T\"; kind = \"unit\"; meeting = \"case-panel\"; }\n"
		");\n");
	struct ruleset rs = { 0 };
	load_ok(&path, 1, &rs);
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < rs.n; i++) {
		_cleanup_free_ char *t = rule_met_by_text(&rs.v[i]);
		_cleanup_free_ char *line = xasprintf("%s: %s\n", rs.v[i].id, t ? t : "(nothing)");
		strbuf_adds(&b, line);
	}
	assert_string_equal(b.p,
		"two: a letter or email to them\n"
		"mixed: a phone call or visit with the witness\n"
		"risk: a risk review (to medium or high)\n"
		"accept: the case recorded as accepted\n"
		"panel: a case-panel meeting recorded\n");
	free(b.p);
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leeds_pack_loads_the_contract_rules_in_order),
		cmocka_unit_test(test_oadby_pack_loads_the_contract_rules_in_order),
		cmocka_unit_test(test_both_packs_load_together_in_the_order_named),
		cmocka_unit_test(test_keep_informed_is_recurring_every_20_working_days_per_victim),
		cmocka_unit_test(test_serious_incident_call_is_urgent_and_overrides_notify),
		cmocka_unit_test(test_no_perpetrator_is_a_check_notified_only_when_overdue),
		cmocka_unit_test(test_sendback_letter_is_a_gate_before_closure),
		cmocka_unit_test(test_first_contact_must_use_the_preferred_channel),
		cmocka_unit_test(test_oadby_targets_unit_and_high_risk_rule),
		cmocka_unit_test(test_rule_remembers_its_pack_file_and_line),
		cmocka_unit_test(test_notify_policy_pack_default_and_rule_overrides),
		cmocka_unit_test(test_folder_loads_its_packs_in_name_order),
		cmocka_unit_test(test_folder_with_no_packs_is_a_problem),
		cmocka_unit_test(test_missing_pack_is_a_problem),
		cmocka_unit_test(test_syntax_error_and_the_next_packs_problems_in_one_run),
		cmocka_unit_test(test_unknown_names_are_all_reported),
		cmocka_unit_test(test_durations_that_do_not_parse),
		cmocka_unit_test(test_months_only_for_a_unit_period_and_a_window),
		cmocka_unit_test(test_duplicate_rule_id_names_the_first_definition),
		cmocka_unit_test(test_duplicate_rule_id_across_packs_in_a_folder),
		cmocka_unit_test(test_rule_missing_what_its_kind_needs),
		cmocka_unit_test(test_filters_that_can_never_match),
		cmocka_unit_test(test_settings_that_need_for),
		cmocka_unit_test(test_settings_that_do_not_apply_to_the_kind),
		cmocka_unit_test(test_bad_cutoff_window_and_on_hold),
		cmocka_unit_test(test_cutoff_and_on_hold_values_are_kept),
		cmocka_unit_test(test_notify_mistakes),
		cmocka_unit_test(test_pack_without_name_or_rules),
		cmocka_unit_test(test_rule_id_must_be_lower_case),
		cmocka_unit_test(test_every_mistake_of_a_rule_in_one_run),
		cmocka_unit_test(test_recipient_addresses_checked_when_loaded),
		cmocka_unit_test(test_pack_with_an_empty_name_or_no_rules),
		cmocka_unit_test(test_interval_target_is_measured_in_days),
		cmocka_unit_test(test_rule_with_a_problem_is_left_out_the_rest_load),
		cmocka_unit_test(test_more_mistakes_are_reported_at_their_line),
		cmocka_unit_test(test_conf_load_reports_pack_problems_at_the_packs_lines),
		cmocka_unit_test(test_duration_working_days_days_and_hours),
		cmocka_unit_test(test_duration_months_only_when_allowed),
		cmocka_unit_test(test_duration_rejects_what_is_not_one),
		cmocka_unit_test(test_duration_tolerates_extra_spaces_between_words),
		cmocka_unit_test(test_when_list_fallback_order_and_no_party_are_kept),
		cmocka_unit_test(test_when_fallback_and_no_party_mistakes),
		cmocka_unit_test(test_digest_follows_the_new_settings),
		cmocka_unit_test(test_roles_words),
		cmocka_unit_test(test_met_by_in_plain_words),
		cmocka_unit_test(test_met_by_every_shape),
	};
	return tap_exit(cmocka_run_group_tests(tests, setup, teardown));
}

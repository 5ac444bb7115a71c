/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch status: every obligation of the cases, as a table or JSON, or
 * counts over the whole database (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "eval.h"
#include "import.h"
#include "progress.h"
#include "scan.h"
#include "table.h"
#include "util.h"

struct status {
	const struct evaluator *ev;
	bool json, summary, listed; /* listed: REFs given */
	bool unmet;                 /* only pending, overdue and paused */
	bool *rules;                /* --rule: the rules shown (by index); NULL: every one */
	size_t shown;               /* obligations printed */
	size_t n_problems;
	FILE *problems;             /* JSON problems, kept until the end */
	struct table *table;        /* the text's rows, until every width is known */
	/* --summary */
	struct tally tally;
	size_t (*counts)[_OB_STATE_MAX];
	double *interval_sum;
	size_t *interval_n, *interval_waiting;
	cw_day *window_lo; /* each interval target's */
	cw_day today;
	int64_t at;
	const struct conf *conf;
	const struct tz *tz;
};

/* The start of one entry of a JSON array of per-rule objects. */
static void json_rule(bool first, const char *id)
{
	fputs(first ? "\n  {\"rule\": " : ",\n  {\"rule\": ", stdout);
	json_fputs(id, stdout);
}

static void print_due(const struct status *st, const struct obligation *o, char *buf, size_t len)
{
	char t[TZ_TIMESTAMP_STRLEN];
	if (!o->has_due)
		snprintf(buf, len, "-");
	else if (o->due_instant)
		snprintf(buf, len, "%s", tz_format_timestamp(st->ev->tz, o->due_at, t));
	else
		date_format(o->due_day, buf);
}

static void print_json_obligation(struct status *st, const struct eval_case *c, const struct obligation *o)
{
	const struct rule *r = &st->ev->rules->v[o->rule];
	char d[DATE_STRLEN], t[TZ_TIMESTAMP_STRLEN];
	fputs(st->shown ? ",\n  {\"case\": " : "\n  {\"case\": ", stdout);
	json_fputs(c->ref, stdout);
	fputs(", \"rule\": ", stdout);
	json_fputs(r->id, stdout);
	if (o->has_party)
		printf(", \"party\": %lld", (long long)o->party_id);
	else
		fputs(", \"party\": null", stdout);
	printf(", \"cycle\": %d, \"start\": \"%s\", \"due\": ", o->cycle, date_format(o->start, d));
	if (!o->has_due)
		fputs("null", stdout);
	else if (o->due_instant)
		printf("\"%s\"", tz_format_timestamp(st->ev->tz, o->due_at, t));
	else
		printf("\"%s\"", date_format(o->due_day, d));
	printf(", \"state\": \"%s\", \"met_at\": ", ob_state_to_string(o->state));
	if (o->met_at == EVAL_NONE)
		fputs("null}", stdout);
	else
		printf("\"%s\"}", tz_format_timestamp(st->ev->tz, o->met_at, t));
}

static void print_row(struct status *st, const struct eval_case *c, const struct obligation *o)
{
	const struct rule *r = &st->ev->rules->v[o->rule];
	char due[TZ_TIMESTAMP_STRLEN], party[48], late[48] = "";
	bool cycles = r->kind == RULE_RECURRING || r->kind == RULE_TARGET;
	_cleanup_free_ char *rule = cycles ? xasprintf("%s #%d", r->id, o->cycle) : xstrdup(r->id);
	_cleanup_free_ char *ref = printable(c->ref);
	if (o->has_party)
		snprintf(party, sizeof(party), "%s %lld", role_to_string(o->party_role), (long long)o->party_id);
	else
		snprintf(party, sizeof(party), "-");
	print_due(st, o, due, sizeof(due));
	int n = eval_lateness(st->ev, o);
	if (n > 0)
		snprintf(late, sizeof(late), "%d %s late", n,
			 o->due_instant ? (n == 1 ? "hour" : "hours") : (n == 1 ? "working day" : "working days"));
	const char *cells[] = { ref, rule, party, due, ob_state_to_string(o->state), late };
	enum table_style styles[ELEMENTSOF(cells)] = { 0 };
	if (o->state == OB_OVERDUE)
		styles[4] = TABLE_ALERT;
	table_add(st->table, cells, styles);
}

static void report_problems(struct status *st, const struct eval_case *c, const struct eval_result *res)
{
	for (size_t i = 0; i < res->n_problems; i++) {
		_cleanup_free_ char *ref = printable(c->ref), *msg = printable(res->problems[i]);
		progress_hide();
		fprintf(stderr, "casewatch: case %s: %s%s\n", ref, msg,
			res->skipped && i + 1 == res->n_problems ? " (case skipped)" : "");
		if (st->json) {
			fputs(st->n_problems ? ",\n  {\"case\": " : "\n  {\"case\": ", st->problems);
			json_fputs(c->ref, st->problems);
			fputs(", \"message\": ", st->problems);
			json_fputs(res->problems[i], st->problems);
			fputs(res->skipped ? ", \"skipped\": true}" : ", \"skipped\": false}", st->problems);
		}
		st->n_problems++;
	}
}

/* An interval target's figure (casewatch-rules(5), target): each cycle's
 * days from its start to the end eval_interval_end() says, counted when
 * that day is in the window. Leaving out the updates that never happened
 * would make a unit that stops updating people look better. */
static void count_interval(struct status *st, const struct obligation *o)
{
	cw_day end = eval_interval_end(st->ev, o);
	if (end == CW_DAY_NONE || end < st->window_lo[o->rule] || end > st->today)
		return;
	st->interval_sum[o->rule] += end - o->start;
	st->interval_n[o->rule]++;
	st->interval_waiting[o->rule] += o->met_at == EVAL_NONE && o->ended_at == EVAL_NONE;
}

/* --summary: each obligation of every case. */
static void count_obligation(const struct eval_case *c, const struct obligation *o, void *userdata)
{
	struct status *st = userdata;
	(void)c;
	st->counts[o->rule][o->state]++;
	if (st->ev->rules->v[o->rule].measure == MEASURE_INTERVAL)
		count_interval(st, o);
}

static int on_case(const struct eval_case *c, const struct eval_result *res, void *userdata)
{
	struct status *st = userdata;
	/* The problems of the cases listed, and of those skipped (whose
	 * state nobody can know): a closed case with nothing to do is not
	 * listed, and its old problems are shown when it is named. */
	bool listed = st->listed || res->open || eval_result_unmet(res);
	if (res->skipped || (res->exists && listed))
		report_problems(st, c, res);
	if (!res->exists || !listed)
		return 0;
	for (size_t i = 0; i < res->n; i++) {
		enum ob_state os = res->v[i].state;
		if (st->unmet && os != OB_PENDING && os != OB_OVERDUE && os != OB_PAUSED)
			continue;
		if (st->rules && !st->rules[res->v[i].rule])
			continue;
		if (st->json)
			print_json_obligation(st, c, &res->v[i]);
		else
			print_row(st, c, &res->v[i]);
		st->shown++;
	}
	return 0;
}

static const char *const summary_states[_OB_STATE_MAX] = {
	"pending", "met", "met_late", "overdue", "cancelled", "paused",
};

/* With an import group (casewatch.conf(5)): when the last import landed,
 * and whether the data is stale by import.max_age, as casewatchd judges
 * it. A line of text, or an "import" member and its comma. Returns 0, or
 * EXIT_BADINPUT with the reason printed. */
static int print_import(const struct status *st, sqlite3 *db)
{
	const struct conf *c = st->conf;
	if (!c->import)
		return 0;
	int64_t last;
	if (import_last(db, &last) < 0)
		return bad_input("case database: reading when the last import landed: %s", sqlite3_errmsg(db));
	bool stale = import_stale(last, st->at, c->import_max_age);
	char when[TZ_TIMESTAMP_STRLEN];
	if (last)
		tz_format_timestamp(st->tz, last, when);
	if (st->json) {
		fputs("\"import\": {\"last\": ", stdout);
		if (last)
			json_fputs(when, stdout);
		else
			fputs("null", stdout);
		printf(", \"max_age\": %d, \"stale\": %s}, ", c->import_max_age, stale ? "true" : "false");
		return 0;
	}
	printf("import: %s%s", last ? "last landed " : "none has landed yet", last ? when : "");
	if (c->import_max_age > 0) {
		_cleanup_free_ char *age = seconds_text(c->import_max_age);
		printf("; %s (import.max_age %s)", stale ? "STALE: overdue and escalated notices are held" : "fresh",
		       age);
	}
	putchar('\n');
	return 0;
}

static int print_summary(struct status *st, sqlite3 *db, const char *at_text)
{
	const struct evaluator *ev = st->ev;
	const struct ruleset *rs = ev->rules;
	if (st->json) {
		fputs("{\"at\": ", stdout);
		json_fputs(at_text, stdout);
		printf(", \"cases\": %zu, \"open\": %zu, \"skipped\": %zu, ", st->tally.cases, st->tally.open,
		       st->tally.skipped);
		int r = print_import(st, db);
		if (r)
			return r;
		fputs("\"rules\": [", stdout);
	} else {
		printf("casewatch status at %s\n", at_text);
		printf("cases: %zu (%zu open), %zu skipped for bad data\n", st->tally.cases, st->tally.open,
		       st->tally.skipped);
		int r = print_import(st, db);
		if (r)
			return r;
		putchar('\n');
	}
	_cleanup_(table_freep) struct table *counts = table_new(1 + _OB_STATE_MAX);
	_cleanup_(table_freep) struct table *figures = table_new(2);
	const char *head[1 + _OB_STATE_MAX] = { "STANDARD" };
	for (int s = 0; s < _OB_STATE_MAX; s++) {
		head[1 + s] = summary_states[s];
		table_align(counts, 1 + (size_t)s, TABLE_RIGHT);
	}
	table_add(counts, head, NULL);
	bool first = true;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		if (!eval_rule_has_obligations(r) || (st->rules && !st->rules[i]))
			continue;
		if (st->json) {
			json_rule(first, r->id);
			for (int s = 0; s < _OB_STATE_MAX; s++)
				printf(", \"%s\": %zu", summary_states[s], st->counts[i][s]);
			fputc('}', stdout);
		} else {
			char n[_OB_STATE_MAX][24];
			const char *cells[1 + _OB_STATE_MAX] = { r->id };
			for (int s = 0; s < _OB_STATE_MAX; s++) {
				snprintf(n[s], sizeof(n[s]), "%zu", st->counts[i][s]);
				cells[1 + s] = n[s];
			}
			table_add(counts, cells, NULL);
		}
		first = false;
	}
	if (st->json)
		fputs(first ? "], \"figures\": [" : "\n], \"figures\": [", stdout);
	else
		table_print(counts, stdout, false);

	first = true;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		if (st->rules && !st->rules[i])
			continue;
		_cleanup_free_ char *err = NULL;
		char line[256];
		bool met;
		if (r->kind == RULE_UNIT) {
			cw_day *days = NULL, fday;
			size_t n = 0;
			struct scan_bad bad;
			if (scan_meetings(db, r->meeting, NULL, &days, &n, &fday, &bad, &err) < 0)
				return bad_input("%s", err);
			print_bad_rows("meetings", &bad);
			if (st->tally.first_case < fday)
				fday = st->tally.first_case;
			struct unit_figure u;
			eval_unit(ev, r, fday, days, n, &u);
			free(days);
			met = u.met == u.months;
			char due[DATE_STRLEN];
			if (st->json) {
				json_rule(first, r->id);
				printf(", \"figure\": %d, \"months\": %d, \"goal\": %d, \"unit\": \"months\", "
				       "\"current_month\": \"%s\", \"met\": %s}",
				       u.met, u.months, u.months, u.current_met ? "met" : "pending",
				       met ? "true" : "false");
			} else {
				/* The meeting kind may be long: printed, never cut. */
				_cleanup_free_ char *text = xasprintf(
					"%d of %d months had a %s meeting; this month: %s%s; goal every month: %s", u.met,
					u.months, r->meeting, u.current_met ? "met" : "due by ",
					u.current_met ? "" : date_format(u.current_due, due), met ? "met" : "not met");
				table_add(figures, (const char *[]){ r->id, text }, NULL);
			}
		} else if (r->kind == RULE_TARGET && r->measure == MEASURE_SATISFACTION) {
			size_t total = 0, yes = 0;
			struct scan_bad bad;
			if (scan_surveys(db, ev->tz, eval_window_start(ev, r), st->today, &total, &yes, &bad, &err) < 0)
				return bad_input("%s", err);
			print_bad_rows("surveys", &bad);
			double pct = total ? 100.0 * (double)yes / (double)total : 0;
			met = total > 0 && eval_target_met(r, pct);
			if (st->json) {
				json_rule(first, r->id);
				if (total)
					printf(", \"figure\": %.1f", pct);
				else
					fputs(", \"figure\": null", stdout);
				printf(", \"count\": %zu, \"goal\": %g, \"unit\": \"%%\", \"met\": %s}", total, r->goal,
				       met ? "true" : "false");
			} else {
				if (total)
					snprintf(line, sizeof(line), "%.1f%% of %zu answers satisfied", pct, total);
				else
					snprintf(line, sizeof(line), "no survey answers in the last %d months",
						 r->window_months);
				_cleanup_free_ char *text = xasprintf("%s; goal %g%%: %s", line, r->goal,
								      met ? "met" : "not met");
				table_add(figures, (const char *[]){ r->id, text }, NULL);
			}
		} else if (r->kind == RULE_TARGET) {
			size_t n = st->interval_n[i], waiting = st->interval_waiting[i];
			double avg = n ? st->interval_sum[i] / (double)n : 0;
			int goal = r->every.n;
			const char *unit = r->every.unit == DUR_WORKING_DAYS ? "working days" :
					   r->every.unit == DUR_HOURS ? "hours" : "days";
			met = n > 0 && eval_target_met(r, avg);
			if (st->json) {
				json_rule(first, r->id);
				if (n)
					printf(", \"figure\": %.1f", avg);
				else
					fputs(", \"figure\": null", stdout);
				printf(", \"count\": %zu, \"waiting\": %zu, \"goal\": %d, \"unit\": \"days\", \"met\": %s}",
				       n, waiting, goal, met ? "true" : "false");
			} else {
				if (n)
					snprintf(line, sizeof(line), "average %.1f days over %zu intervals, %zu still "
						 "waiting for an update", avg, n, waiting);
				else
					snprintf(line, sizeof(line), "no update intervals in the last %d months", r->window_months);
				_cleanup_free_ char *text = xasprintf("%s; goal %d %s: %s", line, goal, unit,
								      met ? "met" : "not met");
				table_add(figures, (const char *[]){ r->id, text }, NULL);
			}
		} else {
			continue;
		}
		first = false;
	}
	if (st->json) {
		fputs(first ? "]}\n" : "\n]}\n", stdout);
	} else if (table_rows(figures)) {
		/* Lined up with the counts above. */
		table_min_width(figures, 0, table_width(counts, 0));
		putchar('\n');
		table_print(figures, stdout, false);
	}
	return 0;
}

/* --list-refs PREFIX: for the completion, and for whoever half
 * remembers a reference. */
static int list_refs(const char *prefix)
{
	struct conf *c = NULL;
	if (load_conf(&c) < 0)
		return EXIT_BADINPUT;
	_cleanup_free_ char *err = NULL;
	int r = cmd_list_refs(c->database, prefix, stdout, &err);
	conf_free(c);
	if (r < 0)
		return bad_input("%s", err);
	if (fflush(stdout) != 0 || ferror(stdout))
		return bad_input("cannot write the output: %s", strerror(errno));
	return 0;
}

int cmd_status(int argc, char **argv)
{
	const char *at_arg = NULL, *refs_prefix = NULL;
	bool json = false, summary = false, unmet = false;
	_cleanup_free_ const char **rule_ids = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t n_rule_ids = 0;
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("status"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'a':
			at_arg = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			summary = true;
			break;
		case 'u':
			unmet = true;
			break;
		case 'r':
			rule_ids[n_rule_ids++] = optarg;
			break;
		case 'L':
			refs_prefix = optarg;
			break;
		}
	}
	char **refs = argv + optind;
	int n_refs = argc - optind;
	if (summary && n_refs > 0)
		return usage_error("status --summary covers every case; it takes no case references");
	if (summary && unmet)
		return usage_error("status --summary counts every state; --unmet does not apply");
	if (refs_prefix) {
		if (n_refs > 0 || at_arg || json || summary || unmet || n_rule_ids)
			return usage_error("status --list-refs takes nothing else");
		return list_refs(refs_prefix);
	}

	struct cmd_world world;
	sqlite3 *db = NULL;
	char *err = NULL, *pbuf = NULL;
	size_t plen = 0;
	int64_t *ids = NULL;
	int status = 0;
	struct status st = { 0 };
	bool *shown_rules = NULL;
	char at_text[TZ_TIMESTAMP_STRLEN];

	if (cmd_world_load(at_arg, &world) != 0)
		return EXIT_BADINPUT;
	const struct conf *c = world.conf;
	const struct tz *tz = world.tz;
	int64_t at = world.at;
	struct evaluator ev = { .rules = &c->ruleset, .cal = world.cal, .tz = tz, .at = at };
	/* --rule: the rules shown; every one of them must be configured. */
	if (n_rule_ids) {
		shown_rules = xcalloc(c->ruleset.n + 1, sizeof(bool));
		for (size_t i = 0; i < n_rule_ids && status == 0; i++) {
			size_t k = 0;
			while (k < c->ruleset.n && strcmp(c->ruleset.v[k].id, rule_ids[i]) != 0)
				k++;
			if (k == c->ruleset.n) {
				_cleanup_free_ char *id = printable(rule_ids[i]);
				status = bad_input("no rule '%s' is configured (casewatch check --list-rules lists them)", id);
			} else {
				shown_rules[k] = true;
			}
		}
		if (status)
			goto out;
	}
	if (scan_open(c->database, &db, &err) < 0) {
		status = bad_input("%s", err);
		goto out;
	}

	if (c->ruleset.n == 0)
		fprintf(stderr, "casewatch: no rules are configured: there are no obligations to show "
			"(see casewatch-rules(5))\n");
	tz_format_timestamp(tz, at, at_text);
	st = (struct status){
		.ev = &ev, .json = json, .summary = summary, .listed = n_refs > 0, .unmet = unmet, .rules = shown_rules,
		.today = tz_local_day(tz, at), .at = at, .conf = c, .tz = tz,
	};
	if (!json && !summary) {
		st.table = table_new(6);
		table_add(st.table, (const char *[]){ "CASE", "STANDARD", "PARTY", "DUE", "STATE", "LATE" }, NULL);
	}
	st.problems = open_memstream(&pbuf, &plen);
	if (!st.problems)
		abort();
	if (summary) {
		st.counts = xcalloc(c->ruleset.n + 1, sizeof(*st.counts));
		st.interval_sum = xcalloc(c->ruleset.n + 1, sizeof(double));
		st.interval_n = xcalloc(c->ruleset.n + 1, sizeof(size_t));
		st.interval_waiting = xcalloc(c->ruleset.n + 1, sizeof(size_t));
		st.window_lo = xcalloc(c->ruleset.n + 1, sizeof(cw_day));
		for (size_t i = 0; i < c->ruleset.n; i++)
			st.window_lo[i] = eval_window_start(&ev, &c->ruleset.v[i]);
	}

	/* Every reference must name a case before anything is printed. */
	ids = xcalloc((size_t)n_refs + 1, sizeof(int64_t));
	for (int i = 0; i < n_refs && status == 0; i++) {
		int r = scan_find_ref(db, refs[i], &ids[i], &err);
		if (r == -ENOENT)
			status = bad_input("no case with reference '%s' in %s", refs[i], c->database);
		else if (r < 0)
			status = bad_input("%s", err);
	}
	if (status)
		goto out;

	if (json && !summary) {
		fputs("{\"at\": ", stdout);
		json_fputs(at_text, stdout);
		fputs(", \"obligations\": [", stdout);
	}
	int r = 0;
	/* Over the whole database: a listing on the terminal is its own
	 * progress, and a bar would land among its lines. */
	struct progress *progress = n_refs == 0 && (summary || !isatty(STDOUT_FILENO)) ? progress_new_stderr() : NULL;
	if (summary)
		r = cmd_tally(db, &ev, &(const struct tally_fns){ .obligation = count_obligation, .progress = progress },
			      &st, &st.tally, &err);
	else if (n_refs == 0)
		r = scan_evaluate(db, &ev, INT64_MIN, INT64_MAX, NULL, on_case, &st, progress, &err);
	progress_free(progress);
	for (int i = 0; i < n_refs && r == 0; i++)
		r = scan_evaluate(db, &ev, ids[i], ids[i], NULL, on_case, &st, NULL, &err);
	if (r < 0) {
		/* What was read before the failure, as the listing always
		 * showed it, then why it stops. */
		if (st.shown)
			table_print(st.table, stdout, table_colour_wanted(stdout));
		fflush(stdout);
		status = bad_input("%s", err);
		goto out;
	}
	if (summary) {
		status = print_summary(&st, db, at_text);
		tally_print_unshown(&st.tally);
	} else if (json) {
		fflush(st.problems);
		printf("%s], \"problems\": [%s%s]}\n", st.shown ? "\n" : "", pbuf ? pbuf : "",
		       st.n_problems ? "\n" : "");
	} else if (st.shown == 0) {
		printf("no obligations at %s\n", at_text);
	} else if ((r = table_print(st.table, stdout, table_colour_wanted(stdout))) < 0) {
		status = bad_input("cannot read back the table: %s", strerror(-r));
		goto out;
	}
	if (!json && status == 0)
		status_undelivered(world.conf->state, world.tz);
	if (fflush(stdout) != 0 || ferror(stdout))
		status = bad_input("cannot write the output: %s", strerror(errno));
out:
	table_free(st.table);
	free(shown_rules);
	if (st.problems)
		fclose(st.problems);
	free(pbuf);
	free(err);
	free(ids);
	free(st.counts);
	free(st.interval_sum);
	free(st.interval_n);
	free(st.interval_waiting);
	free(st.window_lo);
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

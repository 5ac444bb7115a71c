/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report's writers: text, CSV and JSON, each over the finished
 * structure of report.h (casewatch(1), report). */
#include "report.h"

#include <string.h>

#include "rules.h"
#include "table.h"
#include "util.h"

/* Team and officer ids come cleaned from scan_cases (no control
 * characters, valid UTF-8); titles come from rule packs, as written. */
static char *clean_title(const struct rule *r)
{
	return text_clean(r->title, 0, NULL);
}

static const char *team_name(const struct report *rep, int i)
{
	return rep->teams.v[i];
}

static const char *officer_name(const struct report *rep, int i)
{
	return rep->officers.v[i];
}

/* A figure with one decimal, or "-" (text) or "" (CSV) or "null" (JSON)
 * when there is none (< 0). */
static const char *fig(double v, const char *none, char buf[static 32])
{
	if (v < 0)
		return none;
	snprintf(buf, 32, "%.1f", v);
	return buf;
}

static const char *target_unit(const struct rule *r)
{
	if (r->kind == RULE_UNIT)
		return "months";
	return r->measure == MEASURE_SATISFACTION ? "%" : "days";
}

static double target_goal(const struct rule *r, const struct report_figure *f)
{
	if (r->kind == RULE_UNIT)
		return (double)f->count; /* every month owed */
	return r->measure == MEASURE_SATISFACTION ? r->goal : r->every.n;
}

static const char *target_measure(const struct rule *r)
{
	if (r->kind == RULE_UNIT)
		return "meetings";
	return r->measure == MEASURE_SATISFACTION ? "satisfaction" : "interval";
}

/* ---- Text --------------------------------------------------------------- */

/* Each standard's table, sized to its content: the numbers right-aligned. */
#define TEXT_COLS 12

static void text_row(struct table *t, const struct report_counts *c, const char *period, const char *who)
{
	char n[7][24], pct[32] = "-", med[32], p90[32];
	if (c->on_time >= 0)
		snprintf(pct, sizeof(pct), "%.1f%%", c->on_time);
	const size_t v[7] = { c->due, c->n[OB_MET], c->n[OB_MET_LATE], c->n[OB_OVERDUE], c->n[OB_PENDING],
			      c->n[OB_CANCELLED], c->n[OB_PAUSED] };
	for (int i = 0; i < 7; i++)
		snprintf(n[i], sizeof(n[i]), "%zu", v[i]);
	const char *cells[TEXT_COLS] = { period, who,  n[0], n[1], n[2], n[3], n[4],
					 pct,    fig(c->median, "-", med), fig(c->p90, "-", p90), n[5], n[6] };
	table_add(t, cells, NULL);
}

static struct table *text_standard(const struct report *rep, size_t s)
{
	struct table *t = table_new(TEXT_COLS);
	for (size_t i = 2; i < TEXT_COLS; i++)
		table_align(t, i, TABLE_RIGHT);
	table_add(t, (const char *[]){ "PERIOD", "TEAM OR OFFICER", "DUE", "MET", "LATE", "OVERDUE", "PENDING",
				       "ON TIME", "MEDIAN", "P90", "CANCELLED", "PAUSED" }, NULL);
	for (size_t p = 0; p < rep->n_periods; p++) {
		text_row(t, report_counts(rep, s, p, REPORT_ALL, REPORT_ALL), rep->periods[p].label, "all");
		for (size_t k = 0; k < rep->teams.n; k++) {
			int tm = (int)rep->teams.order[k];
			const struct report_counts *c = report_counts(rep, s, p, tm, REPORT_ALL);
			if (c->due + c->n[OB_CANCELLED] + c->n[OB_PAUSED] == 0)
				continue;
			_cleanup_free_ char *who =
				xasprintf("team %s", team_name(rep, tm) ? team_name(rep, tm) : "(none)");
			text_row(t, c, "", who);
		}
		for (size_t k = 0; k < rep->officers.n; k++) {
			int o = (int)rep->officers.order[k];
			const struct report_counts *c = report_counts(rep, s, p, REPORT_ALL, o);
			if (c->due + c->n[OB_CANCELLED] + c->n[OB_PAUSED] == 0)
				continue;
			_cleanup_free_ char *who =
				xasprintf("officer %s", officer_name(rep, o) ? officer_name(rep, o) : "(none)");
			text_row(t, c, "", who);
		}
	}
	text_row(t, report_counts(rep, s, rep->n_periods, REPORT_ALL, REPORT_ALL), "total", "all");
	return t;
}

/* Tables one after the other, each column as wide in all of them: the
 * sections of a report line up. */
static void line_up(struct table **t, size_t n, size_t n_cols)
{
	for (size_t c = 0; c < n_cols; c++) {
		size_t w = 0;
		for (size_t i = 0; i < n; i++)
			if (table_width(t[i], c) > w)
				w = table_width(t[i], c);
		for (size_t i = 0; i < n; i++)
			table_min_width(t[i], c, w);
	}
}

void report_target_words(const struct rule *r, const struct report_figure *v, char *buf, size_t len)
{
	if (r->kind == RULE_UNIT) {
		/* The current month is open, not missed, until it ends. */
		if (v->count)
			snprintf(buf, len, "%zu of %zu month%s had a %s meeting%s", v->yes, v->count,
				 v->count == 1 ? "" : "s", r->meeting, v->current == 0 ? "; this month's not yet" : "");
		else if (v->current == 0)
			snprintf(buf, len, "this month's %s meeting not held yet", r->meeting);
		else
			snprintf(buf, len, "no month owed yet");
	} else if (r->measure == MEASURE_SATISFACTION) {
		if (v->count)
			snprintf(buf, len, "%.1f%% of %zu answer%s satisfied", v->figure, v->count,
				 v->count == 1 ? "" : "s");
		else
			snprintf(buf, len, "no answers");
	} else if (v->count) {
		int n = snprintf(buf, len, "average %.1f days over %zu interval%s", v->figure, v->count,
				 v->count == 1 ? "" : "s");
		if (v->waiting && n > 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, ", %zu still waiting for an update", v->waiting);
	} else {
		snprintf(buf, len, "no update intervals");
	}
}

void report_goal_words(const struct rule *r, char *buf, size_t len)
{
	if (r->kind == RULE_UNIT)
		snprintf(buf, len, "a %s meeting every calendar month", r->meeting);
	else if (r->measure == MEASURE_SATISFACTION)
		snprintf(buf, len, "at least %g%% of survey answers satisfied", r->goal);
	else
		snprintf(buf, len, "an average of at most %d days", r->every.n);
}

static const char *met_text(int met)
{
	return met < 0 ? "-" : met ? "met" : "not met";
}

static struct table *text_target(const struct report *rep, const struct report_target *t)
{
	const struct rule *r = &rep->ev->rules->v[t->rule];
	char line[256];
	struct table *tb = table_new(3);
	table_add(tb, (const char *[]){ "PERIOD", "RESULT", "FIGURE" }, NULL);
	for (size_t p = 0; p <= rep->n_periods; p++) {
		report_target_words(r, &t->v[p], line, sizeof(line));
		table_add(tb, (const char *[]){ p < rep->n_periods ? rep->periods[p].label : "total",
						met_text(t->v[p].met), line }, NULL);
	}
	return tb;
}

static void text_title(const struct rule *r, FILE *f)
{
	_cleanup_free_ char *title = clean_title(r);
	fprintf(f, "\n%s: %s\n", r->id, title);
}

void report_write_text(const struct report *rep, const char *at_text, FILE *f)
{
	char from[DATE_STRLEN], to[DATE_STRLEN];
	fprintf(f, "casewatch report at %s\n", at_text);
	fprintf(f, "by %s, %s to %s (%s to %s), ", report_by_to_string(rep->by), rep->periods[0].label,
		rep->periods[rep->n_periods - 1].label, date_format(rep->from, from), date_format(rep->to, to));
	if (rep->team && rep->officer)
		fprintf(f, "team %s, officer %s\n", rep->team, rep->officer);
	else if (rep->team)
		fprintf(f, "team %s\n", rep->team);
	else if (rep->officer)
		fprintf(f, "officer %s\n", rep->officer);
	else
		fputs("every team and officer\n", f);
	fprintf(f, "cases: %zu (%zu open), %zu skipped for bad data\n", rep->cases, rep->open, rep->skipped);
	struct table **t = xcalloc(rep->n_standards + rep->n_targets + 1, sizeof(*t));
	for (size_t s = 0; s < rep->n_standards; s++)
		t[s] = text_standard(rep, s);
	for (size_t i = 0; i < rep->n_targets; i++)
		t[rep->n_standards + i] = text_target(rep, &rep->targets[i]);
	line_up(t, rep->n_standards, TEXT_COLS);
	line_up(t + rep->n_standards, rep->n_targets, 3);
	for (size_t s = 0; s < rep->n_standards; s++) {
		text_title(&rep->ev->rules->v[rep->standards[s]], f);
		table_print(t[s], f, false);
	}
	for (size_t i = 0; i < rep->n_targets; i++) {
		const struct rule *r = &rep->ev->rules->v[rep->targets[i].rule];
		char line[256];
		text_title(r, f);
		report_goal_words(r, line, sizeof(line));
		fprintf(f, "goal: %s\n", line);
		table_print(t[rep->n_standards + i], f, false);
	}
	for (size_t i = 0; i < rep->n_standards + rep->n_targets; i++)
		table_free(t[i]);
	free(t);
	if (rep->n_standards)
		fputs("\nDUE: deadline in the period, not cancelled or paused (MET + LATE + OVERDUE + PENDING).\n"
		      "MET: met on time. ON TIME: MET of MET + LATE + OVERDUE.\n"
		      "MEDIAN, P90: working days from the start to the meeting, of those met on time or late.\n",
		      f);
}

/* ---- CSV (RFC 4180, for Excel and Power BI) ----------------------------- */

/* A text cell. One a spreadsheet would take for a formula (=, +, -, @, a
 * tab or a carriage return first: a team or officer id from the case
 * system, a rule's title) gets a ' before it, as OWASP advises against CSV
 * injection; Excel shows the text as it was. Numbers are not written
 * through here. */
static void csv_field(const char *s, FILE *f)
{
	if (!s)
		return;
	bool formula = strchr("=+-@\t\r", *s) && *s;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *const csv_columns[] = {
	"kind", "rule", "title", "period", "period_start", "period_end", "team", "officer",
	"due", "met", "met_late", "overdue", "pending", "cancelled", "paused",
	"on_time_pct", "median_working_days", "p90_working_days",
	"figure", "count", "goal", "unit", "goal_met",
};

/* kind, rule, title, period, period_start and period_end */
static void csv_lead(const struct report *rep, const char *kind, const struct rule *r, size_t p, FILE *f)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	_cleanup_free_ char *title = clean_title(r);
	fprintf(f, "%s,", kind);
	csv_field(r->id, f);
	fputc(',', f);
	csv_field(title, f);
	fprintf(f, ",%s,%s,%s,", rep->periods[p].label, date_format(rep->periods[p].first, a),
		date_format(rep->periods[p].last, b));
}

void report_write_csv(const struct report *rep, const char *at_text, FILE *f)
{
	(void)at_text;
	/* A byte order mark: without it Excel reads UTF-8 as the local
	 * code page. */
	fputs("\xef\xbb\xbf", f);
	for (size_t i = 0; i < ELEMENTSOF(csv_columns); i++)
		fprintf(f, "%s%s", i ? "," : "", csv_columns[i]);
	fputs("\r\n", f);
	for (size_t i = 0; i < rep->n_cells; i++) {
		const struct report_row *row = rep->cells[i];
		const struct report_counts *c = &row->c;
		const struct rule *r = &rep->ev->rules->v[rep->standards[row->standard]];
		char x[32], y[32], z[32];
		csv_lead(rep, "standard", r, (size_t)row->period, f);
		csv_field(team_name(rep, row->team), f);
		fputc(',', f);
		csv_field(officer_name(rep, row->officer), f);
		fprintf(f, ",%zu,%zu,%zu,%zu,%zu,%zu,%zu,%s,%s,%s,,,,,\r\n", c->due, c->n[OB_MET], c->n[OB_MET_LATE],
			c->n[OB_OVERDUE], c->n[OB_PENDING], c->n[OB_CANCELLED], c->n[OB_PAUSED],
			fig(c->on_time, "", x), fig(c->median, "", y), fig(c->p90, "", z));
	}
	for (size_t i = 0; i < rep->n_targets; i++) {
		const struct report_target *t = &rep->targets[i];
		const struct rule *r = &rep->ev->rules->v[t->rule];
		for (size_t p = 0; p < rep->n_periods; p++) {
			const struct report_figure *v = &t->v[p];
			char x[32];
			const char *figure = x;
			if (r->kind == RULE_UNIT)
				snprintf(x, sizeof(x), "%zu", v->yes);
			else
				figure = fig(v->count ? v->figure : -1, "", x);
			csv_lead(rep, "target", r, p, f);
			fprintf(f, ",,,,,,,,,,,,%s,%zu,%g,", figure, v->count, target_goal(r, v));
			csv_field(target_unit(r), f);
			fprintf(f, ",%s\r\n", v->met < 0 ? "" : v->met ? "true" : "false");
		}
	}
}

/* ---- JSON --------------------------------------------------------------- */

static void json_num(double v, FILE *f)
{
	char b[32];
	fputs(fig(v, "null", b), f);
}

static void json_counts(const struct report_counts *c, FILE *f)
{
	fprintf(f, "\"due\": %zu, \"met\": %zu, \"met_late\": %zu, \"overdue\": %zu, \"pending\": %zu, "
		"\"cancelled\": %zu, \"paused\": %zu, \"on_time_pct\": ", c->due, c->n[OB_MET], c->n[OB_MET_LATE],
		c->n[OB_OVERDUE], c->n[OB_PENDING], c->n[OB_CANCELLED], c->n[OB_PAUSED]);
	json_num(c->on_time, f);
	fputs(", \"median_working_days\": ", f);
	json_num(c->median, f);
	fputs(", \"p90_working_days\": ", f);
	json_num(c->p90, f);
}

static void json_name(const char *s, FILE *f)
{
	if (s)
		json_fputs(s, f);
	else
		fputs("null", f);
}

static void json_standard(const struct report *rep, size_t s, FILE *f)
{
	const struct rule *r = &rep->ev->rules->v[rep->standards[s]];
	static const char *const kinds[_RULE_KIND_MAX] = { "deadline", "recurring", "gate", "check", "unit", "target" };
	_cleanup_free_ char *title = clean_title(r);
	fputs("{\"rule\": ", f);
	json_fputs(r->id, f);
	fputs(", \"title\": ", f);
	json_fputs(title, f);
	fprintf(f, ", \"kind\": \"%s\",\n   \"periods\": [", kinds[r->kind]);
	for (size_t p = 0; p < rep->n_periods; p++) {
		fprintf(f, "%s\n    {\"period\": \"%s\", ", p ? "," : "", rep->periods[p].label);
		json_counts(report_counts(rep, s, p, REPORT_ALL, REPORT_ALL), f);
		fputs(",\n     \"teams\": [", f);
		bool first = true;
		for (size_t k = 0; k < rep->teams.n; k++) {
			int t = (int)rep->teams.order[k];
			const struct report_counts *c = report_counts(rep, s, p, t, REPORT_ALL);
			if (c->due + c->n[OB_CANCELLED] + c->n[OB_PAUSED] == 0)
				continue;
			fputs(first ? "{\"team\": " : ",\n       {\"team\": ", f);
			json_name(team_name(rep, t), f);
			fputs(", ", f);
			json_counts(c, f);
			fputc('}', f);
			first = false;
		}
		fputs("],\n     \"officers\": [", f);
		first = true;
		for (size_t k = 0; k < rep->officers.n; k++) {
			int o = (int)rep->officers.order[k];
			const struct report_counts *c = report_counts(rep, s, p, REPORT_ALL, o);
			if (c->due + c->n[OB_CANCELLED] + c->n[OB_PAUSED] == 0)
				continue;
			fputs(first ? "{\"officer\": " : ",\n       {\"officer\": ", f);
			json_name(officer_name(rep, o), f);
			fputs(", ", f);
			json_counts(c, f);
			fputc('}', f);
			first = false;
		}
		fputs("]}", f);
	}
	fputs("],\n   \"total\": {", f);
	json_counts(report_counts(rep, s, rep->n_periods, REPORT_ALL, REPORT_ALL), f);
	fputs("}}", f);
}

static void json_figure(const struct rule *r, const struct report_figure *v, FILE *f)
{
	fputs("\"figure\": ", f);
	if (r->kind == RULE_UNIT)
		fprintf(f, "%zu", v->yes);
	else
		json_num(v->count ? v->figure : -1, f);
	fprintf(f, ", \"count\": %zu, ", v->count);
	if (r->kind == RULE_TARGET && r->measure == MEASURE_INTERVAL)
		fprintf(f, "\"waiting\": %zu, ", v->waiting);
	if (r->kind == RULE_UNIT)
		fprintf(f, "\"current_month\": %s, ",
			v->current < 0 ? "null" : v->current ? "\"met\"" : "\"pending\"");
	fprintf(f, "\"goal\": %g, \"met\": %s", target_goal(r, v), v->met < 0 ? "null" : v->met ? "true" : "false");
}

static void json_target(const struct report *rep, const struct report_target *t, FILE *f)
{
	const struct rule *r = &rep->ev->rules->v[t->rule];
	_cleanup_free_ char *title = clean_title(r);
	fputs("{\"rule\": ", f);
	json_fputs(r->id, f);
	fputs(", \"title\": ", f);
	json_fputs(title, f);
	fprintf(f, ", \"kind\": \"%s\", \"measure\": \"%s\", \"unit\": \"%s\",\n   \"periods\": [",
		r->kind == RULE_UNIT ? "unit" : "target", target_measure(r), target_unit(r));
	for (size_t p = 0; p < rep->n_periods; p++) {
		fprintf(f, "%s\n    {\"period\": \"%s\", ", p ? "," : "", rep->periods[p].label);
		json_figure(r, &t->v[p], f);
		fputc('}', f);
	}
	fputs("],\n   \"total\": {", f);
	json_figure(r, &t->v[rep->n_periods], f);
	fputs("}}", f);
}

void report_write_json(const struct report *rep, const char *at_text, FILE *f)
{
	char a[DATE_STRLEN], b[DATE_STRLEN];
	fputs("{\"at\": ", f);
	json_fputs(at_text, f);
	fprintf(f, ", \"by\": \"%s\", \"from\": \"%s\", \"to\": \"%s\", \"team\": ", report_by_to_string(rep->by),
		date_format(rep->from, a), date_format(rep->to, b));
	json_name(rep->team, f);
	fputs(", \"officer\": ", f);
	json_name(rep->officer, f);
	fprintf(f, ",\n \"cases\": %zu, \"open\": %zu, \"skipped\": %zu,\n \"periods\": [", rep->cases, rep->open,
		rep->skipped);
	for (size_t p = 0; p < rep->n_periods; p++)
		fprintf(f, "%s{\"period\": \"%s\", \"from\": \"%s\", \"to\": \"%s\"}", p ? ", " : "",
			rep->periods[p].label, date_format(rep->periods[p].first, a),
			date_format(rep->periods[p].last, b));
	fputs("],\n \"standards\": [", f);
	for (size_t s = 0; s < rep->n_standards; s++) {
		fputs(s ? ",\n  " : "\n  ", f);
		json_standard(rep, s, f);
	}
	fputs(rep->n_standards ? "\n ],\n \"targets\": [" : "],\n \"targets\": [", f);
	for (size_t i = 0; i < rep->n_targets; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		json_target(rep, &rep->targets[i], f);
	}
	fputs(rep->n_targets ? "\n ]}\n" : "]}\n", f);
}

void report_write(const struct report *rep, enum report_format format, const char *at_text, FILE *f)
{
	switch (format) {
	case REPORT_TEXT:
		report_write_text(rep, at_text, f);
		break;
	case REPORT_CSV:
		report_write_csv(rep, at_text, f);
		break;
	case REPORT_JSON:
	case _REPORT_FORMAT_MAX:
		report_write_json(rep, at_text, f);
		break;
	case REPORT_HTML:
		report_write_html(rep, at_text, f);
		break;
	}
}

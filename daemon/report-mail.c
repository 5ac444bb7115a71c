/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The monthly report casewatchd emails (casewatchd(8), THE MONTHLY
 * REPORT): on the first working day of each month, from its time of day,
 * the report of the twelve months up to the one that ended, to the
 * managers or the configured addresses. The HTML report is the body, the
 * text report its plain-text part, and the CSV goes attached. Made once
 * per month: the month is kept in meta ('monthly_report') in the
 * transaction that adds the messages, and the messages' unique key makes
 * each one per address per month whatever happens. A first working day
 * missed (casewatchd stopped) is made up on the next working day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "message.h"
#include "outbox-int.h"
#include "report.h"
#include "rules.h"
#include "tally.h"
#include "util.h"

/* The months a monthly report covers, the one that ended last among
 * them. */
#define REPORT_MONTHS 12

/* The first working day of the month containing `day`; a month with none
 * (a calendar of closures) has its last day. */
static cw_day first_working_day(const struct calendar *cal, cw_day day)
{
	int y, mo, d;
	date_to_ymd(day, &y, &mo, &d);
	cw_day first = date_from_ymd(y, mo, 1), last;
	report_period_of(REPORT_BY_MONTH, day, &(cw_day){ 0 }, &last);
	while (first < last && !calendar_is_working_day(cal, first))
		first++;
	return first;
}

/* Who gets it: notify.monthly_report.to, or every team's manager; each
 * address once, in the order given. The strings are borrowed. */
static char **recipients(const struct composer *m, size_t *ret_n)
{
	const struct conf *c = m->conf;
	char **v = xcalloc(c->n_report_to + m->dir.n_teams + 1, sizeof(char *));
	size_t n = 0;
	if (c->n_report_to) {
		for (size_t i = 0; i < c->n_report_to; i++)
			if (!strv_contains(v, n, c->report_to[i]))
				v[n++] = c->report_to[i];
	} else {
		for (size_t t = 0; t < m->dir.n_teams; t++) {
			char *a = m->dir.teams[t].manager;
			if (address_usable(a) && !strv_contains(v, n, a))
				v[n++] = a;
		}
	}
	*ret_n = n;
	return v;
}

/* The report written in format f, newly allocated. */
static char *written(const struct report *rep, enum report_format f, const char *at_text, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&buf, &len);
	if (!s)
		oom();
	report_write(rep, f, at_text, s);
	if (fclose(s) != 0)
		oom();
	*ret_len = len;
	return buf;
}

/* The text part: what the email is, then each standard's figures for the
 * month and the twelve months, and each target's for the month. The full
 * report is the HTML part and the CSV; the text report of every team and
 * officer would be the longest part of the email, so it is left out. */
static char *mail_text(const struct report *rep, const char *month, const char *at_text, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		oom();
	size_t last = rep->n_periods - 1;
	fprintf(f, "How well each service standard was kept in %s, as at %s.\n\n"
		"The HTML part of this email is the full report: a chart of each standard over the last\n"
		"twelve months, and the figures of each team and officer. The attached CSV file (%s)\n"
		"has every figure for a spreadsheet (casewatch(1), report).\n",
		month, at_text, file);
	if (rep->n_standards)
		fprintf(f, "\nOn time, of the deadlines in %s (and in the twelve months to it):\n", month);
	for (size_t s = 0; s < rep->n_standards; s++) {
		const struct rule *r = &rep->ev->rules->v[rep->standards[s]];
		_cleanup_free_ char *title = text_clean(r->title ? r->title : r->id, 0, NULL);
		const struct report_counts *c = report_counts(rep, s, last, REPORT_ALL, REPORT_ALL),
					   *all = report_counts(rep, s, rep->n_periods, REPORT_ALL, REPORT_ALL);
		char pct[32] = "nothing decided", apct[32] = "nothing decided";
		if (c->on_time >= 0)
			snprintf(pct, sizeof(pct), "%.1f%%", c->on_time);
		if (all->on_time >= 0)
			snprintf(apct, sizeof(apct), "%.1f%%", all->on_time);
		fprintf(f, "  %s: %s: %zu due, %s on time (twelve months: %zu due, %s)\n", r->id, title, c->due, pct,
			all->due, apct);
	}
	if (rep->n_targets)
		fprintf(f, "\nTargets, %s:\n", month);
	for (size_t i = 0; i < rep->n_targets; i++) {
		const struct report_target *t = &rep->targets[i];
		const struct rule *r = &rep->ev->rules->v[t->rule];
		_cleanup_free_ char *title = text_clean(r->title ? r->title : r->id, 0, NULL);
		char words[256];
		report_target_words(r, &t->v[last], words, sizeof(words));
		fprintf(f, "  %s: %s: %s: %s\n", r->id, title,
			t->v[last].met < 0 ? "not measured" : t->v[last].met ? "met" : "not met", words);
	}
	if (fclose(f) != 0)
		oom();
	return buf;
}

int compose_report(struct composer *m, char **ret_err)
{
	const struct conf *c = m->conf;
	const struct calendar *cal = m->ctx->cal;
	if (!c->report_monthly || !calendar_is_working_day(cal, m->today))
		return 0;
	/* From its time until the send window closes, as the digests. */
	int from_time = c->report_time >= 0 ? c->report_time : c->manager_time;
	cw_day first = first_working_day(cal, m->today);
	if (m->today < first || m->minutes < from_time || m->minutes >= c->window_to)
		return 0;
	/* The month that ended, and the eleven before it. */
	cw_day month = report_period_add(REPORT_BY_MONTH, m->today, -1), from, to;
	report_period_of(REPORT_BY_MONTH, month, &from, &to);
	char label[REPORT_LABEL_STRLEN];
	report_period_label(REPORT_BY_MONTH, month, label);
	_cleanup_free_ char *done = NULL;
	int r = meta_text(m->db, "monthly_report", &done, ret_err);
	if (r < 0 || (done && strcmp(done, label) >= 0))
		return r;
	/* A state database's first month: the report goes on the first
	 * working day, not on a later one (a new casewatchd mid-month
	 * sends last month's report next month, not at once). */
	if ((!done && m->today != first) || !calendar_in_range(month))
		return meta_set_text(m->db, "monthly_report", label, ret_err);
	/* Not on stale data: a report of a month whose last days never
	 * arrived would be wrong, and is never sent again. It waits for a
	 * fresh import, on a later working day of the month. */
	if (m->ctx->report->stale)
		return 0;
	/* A month before it missed whole (casewatchd stopped through all of
	 * its first month's working days) is said, once. */
	char before[REPORT_LABEL_STRLEN];
	report_period_label(REPORT_BY_MONTH, report_period_add(REPORT_BY_MONTH, month, -1), before);
	if (done && strcmp(done, before) < 0)
		report_line(m->ctx->report, true, "the monthly reports after %s and before %s were not sent: casewatchd "
			    "did not run in the working days of their months (casewatch report makes them)", done, label);
	from = report_period_add(REPORT_BY_MONTH, month, -(REPORT_MONTHS - 1));
	if (!calendar_in_range(from))
		from = date_from_ymd(CALENDAR_MIN_YEAR, 1, 1);

	size_t n_to;
	_cleanup_free_ char **to_list = recipients(m, &n_to);
	if (n_to == 0) {
		report_line(m->ctx->report, true, "the monthly report for %s goes to no one: no team has a manager "
			    "with a usable address, and notify.monthly_report has no `to`", label);
		return meta_set_text(m->db, "monthly_report", label, ret_err);
	}

	struct evaluator ev = { .rules = &c->ruleset, .cal = cal, .tz = m->ctx->tz, .at = m->ctx->at };
	struct report *rep = report_new(&ev, REPORT_BY_MONTH, from, to, NULL, NULL);
	struct tally t;
	_cleanup_free_ char *err = NULL;
	if (report_fill(rep, m->cases, NULL, NULL, &t, &err) < 0) {
		/* Not the scan's failure: the notices still go, and the next
		 * scan tries again. */
		report_line(m->ctx->report, true, "the monthly report for %s could not be made: %s", label, err);
		report_free(rep);
		return 0;
	}
	report_finish(rep);
	char at_text[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(m->ctx->tz, m->ctx->at, at_text);
	int y, mo, d;
	date_to_ymd(month, &y, &mo, &d);
	size_t n_html, n_csv;
	_cleanup_free_ char *html = written(rep, REPORT_HTML, at_text, &n_html),
			    *csv = written(rep, REPORT_CSV, at_text, &n_csv),
			    *month_text = xasprintf("%s %d", date_month_name(mo), y),
			    *subject = xasprintf("Service standards report: %s", month_text),
			    *file = xasprintf("casewatch-report-%s.csv", label),
			    *text = mail_text(rep, month_text, at_text, file);
	struct email_attachment att = { .name = file, .type = "text/csv; charset=utf-8", .data = csv, .len = n_csv };
	for (size_t i = 0; i < n_to && r >= 0; i++) {
		int64_t id = add_report_email(m, to_list[i], label, subject, text, html, &att, 1, ret_err);
		if (id < 0) {
			r = (int)id;
		} else if (id > 0) {
			m->ctx->report->messages++;
			report_line(m->ctx->report, false, "message %lld to %s: the monthly report for %s", (long long)id,
				    to_list[i], label);
		}
	}
	report_free(rep);
	return r < 0 ? r : meta_set_text(m->db, "monthly_report", label, ret_err);
}

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

static bool listed(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
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
			if (!listed(v, n, c->report_to[i]))
				v[n++] = c->report_to[i];
	} else {
		for (size_t t = 0; t < m->dir.n_teams; t++) {
			char *a = m->dir.teams[t].manager;
			if (address_usable(a) && !listed(v, n, a))
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

int compose_report(struct composer *m, char **ret_err)
{
	const struct conf *c = m->conf;
	const struct calendar *cal = m->ctx->cal;
	if (!c->report_monthly || !calendar_is_working_day(cal, m->today))
		return 0;
	int from_time = c->report_time >= 0 ? c->report_time : c->manager_time;
	cw_day first = first_working_day(cal, m->today);
	if (m->today < first || m->minutes < from_time)
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
	if ((r = report_fill(rep, m->cases, NULL, NULL, &t, ret_err)) < 0) {
		report_free(rep);
		return r;
	}
	report_finish(rep);
	char at_text[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(m->ctx->tz, m->ctx->at, at_text);
	int y, mo, d;
	date_to_ymd(month, &y, &mo, &d);
	size_t n_text, n_html, n_csv;
	_cleanup_free_ char *report_text = written(rep, REPORT_TEXT, at_text, &n_text),
			    *html = written(rep, REPORT_HTML, at_text, &n_html),
			    *csv = written(rep, REPORT_CSV, at_text, &n_csv),
			    *subject = xasprintf("Service standards report: %s %d", date_month_name(mo), y),
			    *file = xasprintf("casewatch-report-%s.csv", label);
	_cleanup_free_ char *text = xasprintf(
		"How well each service standard was kept in %s %d, with the %d months before it, as at %s.\n"
		"The same figures are attached as a CSV file for a spreadsheet (%s), one row per standard,\n"
		"month, team and officer (casewatch(1), report). The email's HTML part has the charts.\n\n%s",
		date_month_name(mo), y, REPORT_MONTHS - 1, at_text, file, report_text);
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The report as one self-contained HTML page (casewatch(1), report,
 * --format html), for a committee's papers and for the managers' monthly
 * email. Because it is also an email's HTML part it is written as careful
 * email is: every style inline on its element (Outlook drops <style>),
 * tables for layout, no script, nothing fetched, no image but inline SVG
 * drawn here. The one <style> block holds print rules only (A4, page
 * breaks), which a mail client ignores harmlessly. Its size grows with
 * standards x periods x (teams + officers), never with cases. */
#include "report.h"

#include <string.h>

#include "rules.h"
#include "util.h"

#define FONT "font-family:Arial,Helvetica,sans-serif;"
#define NAVY "#1d3557"
#define INK "#1b1b1b"
#define MUTED "#555555"
#define RED "#b00020"
#define GREEN "#1e6b34"
#define TEXT FONT "font-size:14px;line-height:1.45;color:" INK ";"
#define SMALL FONT "font-size:12px;line-height:1.4;color:" MUTED ";"
#define H1 "margin:0 0 6px 0;" FONT "font-size:24px;line-height:1.25;color:" NAVY ";"
#define H2 \
	"margin:28px 0 10px 0;padding:0 0 4px 0;border-bottom:2px solid " NAVY ";" FONT \
	"font-size:19px;line-height:1.3;color:" NAVY ";"
#define H3 "margin:22px 0 6px 0;" FONT "font-size:16px;line-height:1.35;color:" INK ";"
#define H4 "margin:14px 0 6px 0;" FONT "font-size:14px;line-height:1.35;color:" NAVY ";"
#define P "margin:0 0 8px 0;" TEXT
#define LEAD "margin:0 0 8px 0;" FONT "font-size:16px;line-height:1.4;color:" INK ";"
/* A data table: the font set once on the table, which every cell
 * inherits; spacing by cellpadding, which every mail client honours; rows
 * told apart by a light stripe on every other one rather than a rule
 * under each cell: a table costs a few bytes a cell, whatever its size.
 * Figures right-aligned (align, which Outlook honours too) in columns of
 * equal-width digits. */
#define TABLE \
	"<table width=\"100%\" cellpadding=\"4\" cellspacing=\"0\" border=\"0\" style=\"width:100%;" \
	"border-collapse:collapse;margin:0 0 8px 0;" FONT "font-size:12px;line-height:1.3;color:" INK ";" \
	"font-variant-numeric:tabular-nums\">\n"
#define STRIPE " bgcolor=\"#eef2f7\" style=\"background-color:#eef2f7\""
/* The total row's cells: bold, under a rule. */
#define TOTAL "font-weight:bold;border-top:2px solid " NAVY ";"
/* A row's heading: a period, kept on one line, or a long id or title,
 * wrapped rather than widening a phone's page. */
#define NOWRAP "font-weight:normal;white-space:nowrap;"
#define WRAP "font-weight:normal;min-width:5em;overflow-wrap:anywhere;"
#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- Text ---------------------------------------------------------------- */

/* A rule's title as the other writers show it, escaped. */
static void put_title(const struct rule *r, FILE *f)
{
	_cleanup_free_ char *t = text_clean(r->title, 0, NULL);
	html_fputs(t, f);
}

/* A figure with one decimal and a unit, or an en dash when there is none
 * (< 0). */
static void put_fig(double v, const char *unit, FILE *f)
{
	if (v < 0)
		fputs("&ndash;", f);
	else
		fprintf(f, "%.1f%s", v, unit);
}

/* "1 Oct 2026" */
static void put_day(cw_day day, FILE *f)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	fprintf(f, "%d %s %d", d, date_month_abbr(m), y);
}

/* ---- The chart ------------------------------------------------------------ */

/* A standard's chart: the share on time in each of the report's last
 * CHART_PERIODS periods, a point per period with a figure, joined where
 * neighbours both have one; 0-100 % up the side, the periods along the
 * bottom, the target dashed across. Across, positions are percentages of
 * the chart's width, and up and down pixels of its fixed height: it is as
 * wide as its column, a phone's or an A4 page's, and its text stays the
 * size it is written in, never scaled down to a phone's width. */
#define CHART_PERIODS 12
#define CHART_H 220    /* pixels */
#define PLOT_T 38      /* the legend, and a point's label above 100 % */
#define PLOT_B 36      /* two lines of period labels */
#define PLOT_L 9.0     /* percent of the width: the scale's labels */
#define PLOT_R 1.0

/* The first of the periods shown. */
static size_t chart_first(size_t n_periods)
{
	return n_periods > CHART_PERIODS ? n_periods - CHART_PERIODS : 0;
}

/* Across, in percent of the width: the middle of the i-th of n slots of
 * the plot. */
static double chart_x(size_t i, size_t n)
{
	return PLOT_L + (100.0 - PLOT_L - PLOT_R) * ((double)i + 0.5) / (double)n;
}

/* Down, in pixels: pct percent, 0 at the bottom of the plot and 100 at
 * its top. */
static double chart_y(double pct)
{
	return PLOT_T + (double)(CHART_H - PLOT_T - PLOT_B) * (100.0 - pct) / 100.0;
}

/* The share on time a standard aims at, or -1 for none. The rules give a
 * deadline, recurring rule, gate or check no percentage: the standard is
 * promised every time ("we will contact you within 1 working day"), so
 * its target is all of them, 100 %, as a unit rule's goal is every month
 * owed. An interval target's goal is an average in days (victims updated
 * within 14 days on average), which no share on time measures: no line,
 * and the targets' table has its figure. */
static double chart_target(const struct rule *r)
{
	return r->kind == RULE_TARGET ? -1 : 100.0;
}

/* The line through the points of v[0..n) (< 0: no figure): a segment
 * between each two neighbours that both have a figure, so that a period
 * without one is a gap (never a zero) and a point alone has none. Returns
 * the segments written. */
static size_t chart_segments(const double *v, size_t n, FILE *f)
{
	size_t k = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (v[i] < 0 || v[i + 1] < 0)
			continue;
		fprintf(f, "<line class=\"cw-line\" x1=\"%.2f%%\" y1=\"%.1f\" x2=\"%.2f%%\" y2=\"%.1f\"/>\n",
			chart_x(i, n), chart_y(v[i]), chart_x(i + 1, n), chart_y(v[i + 1]));
		k++;
	}
	return k;
}

/* A period's label under the plot: the month or quarter, and its year
 * under the first and under each January or first quarter; a year
 * alone. */
static void chart_label(const struct report *rep, size_t p, bool first, double x, FILE *f)
{
	int y, m, d;
	date_to_ymd(rep->periods[p].first, &y, &m, &d);
	int base = CHART_H - PLOT_B + 16;
	fprintf(f, "<text x=\"%.2f%%\" y=\"%d\" text-anchor=\"middle\">", x, base);
	switch (rep->by) {
	case REPORT_BY_MONTH:
		fputs(date_month_abbr(m), f);
		break;
	case REPORT_BY_QUARTER:
		fprintf(f, "Q%d", (m - 1) / 3 + 1);
		break;
	case REPORT_BY_YEAR:
	case _REPORT_BY_MAX:
		fprintf(f, "%d", y);
		break;
	}
	fputs("</text>", f);
	if (rep->by != REPORT_BY_YEAR && (first || m == 1))
		fprintf(f, "<text x=\"%.2f%%\" y=\"%d\" text-anchor=\"middle\" fill=\"" MUTED "\">%d</text>", x,
			base + 14, y);
	fputc('\n', f);
}

static void chart(const struct report *rep, size_t s, FILE *f)
{
	const struct rule *r = &rep->ev->rules->v[rep->standards[s]];
	size_t first = chart_first(rep->n_periods), n = rep->n_periods - first;
	double v[CHART_PERIODS], target = chart_target(r);
	for (size_t i = 0; i < n; i++)
		v[i] = report_counts(rep, s, first + i, REPORT_ALL, REPORT_ALL)->on_time;

	/* What it shows, for those who cannot see it: the label reads the
	 * figures out, and the table below has them all. */
	fputs("<svg class=\"cw-chart\" width=\"100%\" height=\"" STR(CHART_H) "\" role=\"img\" aria-label=\"", f);
	html_fputs(r->id, f);
	fprintf(f, ": share on time by %s", report_by_to_string(rep->by));
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s %s ", i ? "," : ":", rep->periods[first + i].label);
		if (v[i] < 0)
			fputs("no figure", f);
		else
			fprintf(f, "%.1f%%", v[i]);
	}
	if (target >= 0)
		fprintf(f, "; target %g%%", target);
	fputs("\" style=\"display:block;width:100%;height:" STR(CHART_H) "px;margin:6px 0 2px 0;" FONT
	      "font-size:12px\">\n<title>", f);
	html_fputs(r->id, f);
	fprintf(f, ": share of deadlines met on time, by %s</title>\n", report_by_to_string(rep->by));

	/* The legend, top left. */
	fputs("<g fill=\"" INK "\"><line x1=\"0\" y1=\"12\" x2=\"22\" y2=\"12\" stroke=\"" NAVY "\" "
	      "stroke-width=\"2.5\"/><circle cx=\"11\" cy=\"12\" r=\"3.5\" fill=\"" NAVY "\"/>"
	      "<text x=\"28\" y=\"16\">On time</text>", f);
	if (target >= 0)
		fprintf(f, "<line x1=\"100\" y1=\"12\" x2=\"122\" y2=\"12\" stroke=\"" RED "\" stroke-width=\"2\" "
			"stroke-dasharray=\"5 3\"/><text x=\"128\" y=\"16\">Target %g%%</text>", target);
	fputs("</g>\n", f);

	/* The scale: a line and a label every 25 %. */
	fputs("<g fill=\"" MUTED "\" font-size=\"11\">\n", f);
	for (int t = 0; t <= 100; t += 25)
		fprintf(f, "<line x1=\"%.2f%%\" y1=\"%.1f\" x2=\"%.2f%%\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>"
			"<text x=\"%.2f%%\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n", PLOT_L - 1, chart_y(t),
			100 - PLOT_R, chart_y(t), t ? "#dddddd" : "#888888", PLOT_L - 1.5, chart_y(t) + 4, t);
	fputs("</g>\n<g fill=\"" INK "\">\n", f);
	for (size_t i = 0; i < n; i++)
		chart_label(rep, first + i, i == 0, chart_x(i, n), f);
	fputs("</g>\n", f);

	if (target >= 0)
		fprintf(f, "<line class=\"cw-target\" x1=\"%.2f%%\" y1=\"%.1f\" x2=\"%.2f%%\" y2=\"%.1f\" stroke=\"" RED
			"\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n", PLOT_L - 1, chart_y(target), 100 - PLOT_R,
			chart_y(target));
	fputs("<g stroke=\"" NAVY "\" stroke-width=\"2.5\" stroke-linecap=\"round\">\n", f);
	chart_segments(v, n, f);
	fputs("</g>\n<g fill=\"" NAVY "\">\n", f);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 0)
			continue;
		const struct report_counts *c = report_counts(rep, s, first + i, REPORT_ALL, REPORT_ALL);
		size_t decided = c->n[OB_MET] + c->n[OB_MET_LATE] + c->n[OB_OVERDUE];
		const char *label = rep->periods[first + i].label;
		double x = chart_x(i, n), y = chart_y(v[i]);
		/* Whole percents, rounded down as the managers' digest rounds
		 * them, so that 199 of 200 never shows as 100 %. */
		fprintf(f, "<circle class=\"cw-point\" data-period=\"%s\" cx=\"%.2f%%\" cy=\"%.1f\" r=\"4\">"
			"<title>%s: %.1f%% on time (%zu of %zu)</title></circle>"
			"<text x=\"%.2f%%\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%d%%</text>\n",
			label, x, y, label, v[i], c->n[OB_MET], decided, x, y - 8, (int)(v[i] + 1e-9));
	}
	fputs("</g>\n</svg>\n", f);
}

/* ---- Tables -------------------------------------------------------------- */

static void th(const char *text, bool num, FILE *f)
{
	fprintf(f, "<th scope=\"col\" align=\"%s\" style=\"color:" NAVY ";border-bottom:2px solid " NAVY ";"
		"vertical-align:bottom\">%s</th>", num ? "right" : "left", text);
}

/* The header of a table of counts: the first column's, then the
 * figures'. Soft hyphens let the long words break on a phone. */
static void counts_head(const char *first, FILE *f)
{
	fputs(TABLE "<thead><tr>", f);
	th(first, false, f);
	static const char *const cols[] = { "Due", "Met", "Late", "Over&shy;due", "Pend&shy;ing", "On time",
					    "Med&shy;ian", "P90" };
	for (size_t i = 0; i < ELEMENTSOF(cols); i++)
		th(cols[i], true, f);
	fputs("</tr></thead>\n<tbody>\n", f);
}

/* The i-th row of a table's body (striped when odd), or its total row,
 * and its heading cell, whose content the caller writes. */
static void row_open(size_t i, bool total, const char *style, FILE *f)
{
	fprintf(f, "<tr%s><th scope=\"row\" align=\"left\" style=\"%s%s\">", !total && i % 2 ? STRIPE : "",
		style, total ? TOTAL : "");
}

static void td_num(bool total, FILE *f)
{
	fputs(total ? "<td align=\"right\" style=\"" TOTAL "\">" : "<td align=\"right\">", f);
}

/* The rest of a row of counts, after its heading. */
static void counts_row_close(const struct report_counts *c, bool total, FILE *f)
{
	fputs("</th>", f);
	const size_t n[] = { c->due, c->n[OB_MET], c->n[OB_MET_LATE], c->n[OB_OVERDUE], c->n[OB_PENDING] };
	for (size_t i = 0; i < ELEMENTSOF(n); i++) {
		td_num(total, f);
		fprintf(f, "%zu</td>", n[i]);
	}
	const double v[] = { c->on_time, c->median, c->p90 };
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		td_num(total, f);
		put_fig(v[i], i == 0 ? "%" : "", f);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

static const char *const table_close = "</tbody></table>\n";

/* Whether a team's or officer's row has anything to show, as the text
 * writer decides. */
static bool counts_any(const struct report_counts *c)
{
	return c->due + c->n[OB_CANCELLED] + c->n[OB_PAUSED] > 0;
}

static void range_text(const struct report *rep, FILE *f)
{
	fprintf(f, "%s", rep->periods[0].label);
	if (rep->n_periods > 1)
		fprintf(f, " to %s", rep->periods[rep->n_periods - 1].label);
}

static void standard(const struct report *rep, size_t s, FILE *f)
{
	const struct rule *r = &rep->ev->rules->v[rep->standards[s]];
	size_t first = chart_first(rep->n_periods);
	const struct report_counts *total = report_counts(rep, s, rep->n_periods, REPORT_ALL, REPORT_ALL);

	fputs("<div class=\"cw-keep\">\n<h3 style=\"" H3 "\"><span style=\"color:" MUTED ";font-weight:normal\">", f);
	html_fputs(r->id, f);
	fputs("</span><br>", f);
	put_title(r, f);
	fputs("</h3>\n", f);
	chart(rep, s, f);
	fputs("<p style=\"" SMALL "margin:0 0 10px 0\">Share of the deadlines met on time, by ", f);
	fputs(report_by_to_string(rep->by), f);
	if (first)
		fprintf(f, ", the last %d of the %zu periods", CHART_PERIODS, rep->n_periods);
	fputs(". A period with nothing due and decided has no point. ", f);
	if (chart_target(r) >= 0) {
		fputs("Target 100%: the standard is promised every time.", f);
	} else {
		char goal[256];
		report_goal_words(r, goal, sizeof(goal));
		fputs("No target line: this standard&#39;s goal is ", f);
		html_fputs(goal, f);
		fputs(", not a share on time (see Targets).", f);
	}
	fputs("</p>\n</div>\n", f);

	counts_head("Period", f);
	for (size_t p = 0; p < rep->n_periods; p++) {
		row_open(p, false, NOWRAP, f);
		fputs(rep->periods[p].label, f);
		counts_row_close(report_counts(rep, s, p, REPORT_ALL, REPORT_ALL), false, f);
	}
	row_open(0, true, NOWRAP, f);
	fputs("Total", f);
	counts_row_close(total, true, f);
	fputs(table_close, f);
	if (total->n[OB_CANCELLED] || total->n[OB_PAUSED])
		fprintf(f, "<p style=\"" SMALL "margin:0 0 8px 0\">Not due, and not counted above: %zu cancelled "
			"(the case closed or the standard stopped applying first), %zu paused (the case on hold).</p>\n",
			total->n[OB_CANCELLED], total->n[OB_PAUSED]);

	/* The whole range by team and by officer: those with an obligation
	 * in any state, as the text writer lists them. */
	bool head = false;
	for (int pass = 0; pass < 2; pass++) {
		const struct report_names *nm = pass ? &rep->officers : &rep->teams;
		bool group = false;
		size_t rows = 0;
		for (size_t k = 0; k < nm->n; k++) {
			int i = (int)nm->order[k];
			const struct report_counts *c = pass ? report_counts(rep, s, rep->n_periods, REPORT_ALL, i)
							     : report_counts(rep, s, rep->n_periods, i, REPORT_ALL);
			if (!counts_any(c))
				continue;
			if (!head) {
				fputs("<h4 style=\"" H4 "\">By team and officer, ", f);
				range_text(rep, f);
				fputs("</h4>\n", f);
				counts_head("", f);
				head = true;
			}
			if (!group) {
				fprintf(f, "<tr><th scope=\"rowgroup\" colspan=\"9\" align=\"left\" style=\"padding-top:10px;"
					"color:" NAVY ";border-bottom:1px solid " NAVY "\">%s</th></tr>\n",
					pass ? "Officers" : "Teams");
				group = true;
			}
			row_open(rows++, false, WRAP, f);
			if (nm->v[i])
				html_fputs(nm->v[i], f);
			else
				fputs("(none)", f);
			counts_row_close(c, false, f);
		}
	}
	if (head)
		fputs(table_close, f);
}

/* A target's result, in words and in colour. */
static void put_met(int met, FILE *f)
{
	if (met < 0)
		fputs("<span style=\"color:" MUTED "\">&ndash;</span>", f);
	else if (met)
		fputs("<strong style=\"color:" GREEN "\">met</strong>", f);
	else
		fputs("<strong style=\"color:" RED "\">not met</strong>", f);
}

static void target(const struct report *rep, const struct report_target *t, FILE *f)
{
	const struct rule *r = &rep->ev->rules->v[t->rule];
	const struct report_figure *all = &t->v[rep->n_periods];
	char words[256];
	fputs("<h3 style=\"" H3 "\"><span style=\"color:" MUTED ";font-weight:normal\">", f);
	html_fputs(r->id, f);
	fputs("</span><br>", f);
	put_title(r, f);
	fputs("</h3>\n<p style=\"" P "\">Goal: ", f);
	report_goal_words(r, words, sizeof(words));
	html_fputs(words, f);
	fputs(".<br>", f);
	range_text(rep, f);
	fputs(": ", f);
	put_met(all->met, f);
	report_target_words(r, all, words, sizeof(words));
	fputs(" &middot; ", f);
	html_fputs(words, f);
	/* The same widths in every target's table, so that they line up. */
	fputs(".</p>\n" TABLE "<colgroup><col width=\"16%\"><col width=\"14%\"><col></colgroup><thead><tr>", f);
	th("Period", false, f);
	th("Result", false, f);
	th("Figure", false, f);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t p = 0; p <= rep->n_periods; p++) {
		bool total = p == rep->n_periods;
		row_open(p, total, NOWRAP, f);
		fprintf(f, "%s</th><td style=\"white-space:nowrap;%s\">", total ? "Total" : rep->periods[p].label,
			total ? TOTAL : "");
		put_met(t->v[p].met, f);
		fprintf(f, "</td><td style=\"%s\">", total ? TOTAL : "");
		report_target_words(r, &t->v[p], words, sizeof(words));
		html_fputs(words, f);
		fputs("</td></tr>\n", f);
	}
	fputs(table_close, f);
}

/* The standards at a glance: the whole range's figures. */
static void glance(const struct report *rep, FILE *f)
{
	fputs(TABLE "<thead><tr>", f);
	th("Standard", false, f);
	th("Due", true, f);
	th("Late or over&shy;due", true, f);
	th("On time", true, f);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t s = 0; s < rep->n_standards; s++) {
		const struct rule *r = &rep->ev->rules->v[rep->standards[s]];
		const struct report_counts *c = report_counts(rep, s, rep->n_periods, REPORT_ALL, REPORT_ALL);
		row_open(s, false, WRAP, f);
		fputs("<strong>", f);
		html_fputs(r->id, f);
		fputs("</strong> ", f);
		put_title(r, f);
		fputs("</th>", f);
		td_num(false, f);
		fprintf(f, "%zu</td>", c->due);
		td_num(false, f);
		fprintf(f, "%zu</td>", c->n[OB_MET_LATE] + c->n[OB_OVERDUE]);
		td_num(false, f);
		put_fig(c->on_time, "%", f);
		fputs("</td></tr>\n", f);
	}
	fputs(table_close, f);
}

/* ---- The page ------------------------------------------------------------ */

/* Print only: A4 with margins, nothing split that reads as one, and the
 * light rules and colours printed as shown. */
#define PRINT_STYLE \
	"<style>\n" \
	"@page { size: A4; margin: 14mm 12mm; }\n" \
	"@media print {\n" \
	"  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n" \
	"  .cw-keep, tr { break-inside: avoid; page-break-inside: avoid; }\n" \
	"  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }\n" \
	"}\n" \
	"</style>\n"

static void whose(const struct report *rep, FILE *f)
{
	_cleanup_free_ char *team = rep->team ? text_clean(rep->team, TEXT_MAX_ID, NULL) : NULL;
	_cleanup_free_ char *officer = rep->officer ? text_clean(rep->officer, TEXT_MAX_ID, NULL) : NULL;
	if (!team && !officer) {
		fputs("The unit: every team and officer", f);
		return;
	}
	if (team) {
		fputs("Team ", f);
		html_fputs(team, f);
	}
	if (officer) {
		fputs(team ? ", officer " : "Officer ", f);
		html_fputs(officer, f);
	}
}

void report_write_html(const struct report *rep, const char *at_text, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>Service standards report, ", f);
	range_text(rep, f);
	fputs("</title>\n" PRINT_STYLE "</head>\n"
	      "<body style=\"margin:0;padding:0;background-color:#ffffff;" TEXT "\">\n"
	      "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">"
	      "<tr><td align=\"center\" style=\"padding:16px 10px\">\n"
	      "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
	      "style=\"width:100%;max-width:700px\"><tr><td align=\"left\" style=\"" TEXT "\">\n", f);

	/* The heading: what, over which periods, whose, at what moment. */
	fputs("<div style=\"border-top:6px solid " NAVY ";padding:12px 0 10px 0;margin:0 0 4px 0\">\n"
	      "<h1 style=\"" H1 "\">Service standards report</h1>\n<p style=\"" LEAD "\">", f);
	fprintf(f, "By %s, ", report_by_to_string(rep->by));
	range_text(rep, f);
	fputs(" (", f);
	put_day(rep->from, f);
	fputs(" to ", f);
	put_day(rep->to, f);
	fputs(")</p>\n<p style=\"" P "\">", f);
	whose(rep, f);
	fputs(" &middot; as at ", f);
	html_fputs(at_text, f);
	fprintf(f, "</p>\n<p style=\"" SMALL "margin:0\">%zu case%s counted (%zu open), %zu skipped for bad data.</p>\n"
		"</div>\n", rep->cases, rep->cases == 1 ? "" : "s", rep->open, rep->skipped);

	if (rep->n_targets) {
		fputs("<h2 style=\"" H2 "\">Targets</h2>\n", f);
		for (size_t i = 0; i < rep->n_targets; i++)
			target(rep, &rep->targets[i], f);
	}

	fputs("<h2 style=\"" H2 "\">Standards</h2>\n", f);
	if (!rep->n_standards) {
		fputs("<p style=\"" P "\">No rule gives cases obligations: there is nothing to count.</p>\n", f);
	} else {
		fputs("<p style=\"" P "\">Each standard&#39;s deadlines that fell in the period: how many were met on "
		      "time, met late, are overdue or still pending, and the share met on time of those decided.</p>\n",
		      f);
		glance(rep, f);
		for (size_t s = 0; s < rep->n_standards; s++)
			standard(rep, s, f);
	}

	fputs("<h2 style=\"" H2 "\">Notes</h2>\n<p style=\"" SMALL "margin:0 0 6px 0\">"
	      "<strong>Due</strong>: the deadline fell in the period, and the obligation was not cancelled or paused "
	      "(met + late + overdue + pending). <strong>Met</strong>: met on time. <strong>On time</strong>: met of "
	      "met + late + overdue, so a deadline still to come does not count against it. <strong>Median</strong>, "
	      "<strong>P90</strong>: working days from the start to the meeting, of those met on time or late (the "
	      "90th percentile: nine in ten took at most that). &ndash;: no figure.</p>\n"
	      "<p style=\"" SMALL "margin:0 0 6px 0\">Written by casewatch from the case database; the figures are "
	      "those of casewatch report in any other format.</p>\n"
	      "</td></tr></table>\n</td></tr></table>\n</body>\n</html>\n", f);
}

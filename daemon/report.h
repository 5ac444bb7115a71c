/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "eval.h"
#include "tally.h"

/* casewatch report (casewatch(1)): how well the unit kept each promise,
 * period by period. One structure, filled from the evaluated obligations
 * of every case and the unit's meetings and surveys, then finished; the
 * writers (text, CSV, JSON: report-write.c; HTML: report-html.c) only
 * read it, so another format is one more writer over the same figures. */

enum report_by { REPORT_BY_MONTH, REPORT_BY_QUARTER, REPORT_BY_YEAR, _REPORT_BY_MAX };
/* "month", "quarter", "year"; the from_string returns the value or
 * -EINVAL. */
const char *report_by_to_string(enum report_by by);
int report_by_from_string(const char *s);

/* The first and last day of the period of `by` containing `day`. */
void report_period_of(enum report_by by, cw_day day, cw_day *ret_first, cw_day *ret_last);
/* The first day of the period n periods after (n < 0: before) the one
 * containing `day`. */
cw_day report_period_add(enum report_by by, cw_day day, int n);
/* "2026-10", "2026-Q4" or "2026". */
#define REPORT_LABEL_STRLEN 32
char *report_period_label(enum report_by by, cw_day day, char buf[static REPORT_LABEL_STRLEN]);

/* Whole numbers counted by value, in order of value: a report holds one
 * for each of its rows, so its memory grows with the values seen, not
 * with the cases. Zero-initialise. */
struct report_hist {
	struct report_bin {
		int value;
		size_t n;
	} *v;
	size_t n_bins, cap, count;
};
void report_hist_add(struct report_hist *h, int value);
void report_hist_free(struct report_hist *h);
/* Percentile p (0 to 1) of the values, interpolated between the two
 * nearest ranks as a spreadsheet's PERCENTILE.INC (and MEDIAN, for p =
 * 0.5) does; h->count > 0. */
double report_percentile(const struct report_hist *h, double p);

struct report_period {
	cw_day first, last;
	char label[REPORT_LABEL_STRLEN];
};

/* The obligations of one standard in one period (or over every period),
 * for one team and officer (or all of them). */
struct report_counts {
	size_t n[_OB_STATE_MAX];
	/* Working days from the start of each obligation met (on time or
	 * late) to its meeting; freed by report_finish. */
	struct report_hist days;
	/* By report_finish: due = met + met_late + overdue + pending
	 * (cancelled and paused are not due); on_time = met of met +
	 * met_late + overdue, in percent; median and p90 of days. Each
	 * figure < 0 when there is nothing to take it of. */
	size_t due;
	double on_time, median, p90;
};

/* A team's or an officer's id as the cases give it; NULL for a case with
 * none. */
struct report_names {
	char **v;
	size_t n, cap;
	/* By report_finish: the indexes of v in the order shown (by id,
	 * none last). */
	size_t *order;
	void *map;
	size_t map_cap;
};

/* A target's or unit rule's figure for one period (or over all). */
struct report_figure {
	size_t count;   /* cycles, answers or months owed */
	size_t waiting; /* interval: cycles still waiting for their update */
	size_t yes;     /* satisfaction: satisfied; unit: months met */
	double sum;     /* interval: days */
	int current;    /* unit: the current month, as eval_unit_range */
	/* By report_finish: the figure (the average in days, the share
	 * satisfied in percent, the months met), and whether it met the
	 * goal: 1, 0, or -1 when nothing was measured (count 0). */
	double figure;
	int met;
};

struct report_target {
	size_t rule;               /* index into the ruleset */
	struct report_figure *v;   /* n_periods, then the total */
};

#define REPORT_ALL -1 /* every team, or every officer */

struct report_row {
	int32_t standard, period, team, officer;
	struct report_counts c;
};

/* What the writers read, once report_finish has run: the periods, the
 * standards with report_counts() for each period, team and officer, the
 * cells in order, and the targets' figures. */
struct report {
	const struct evaluator *ev;
	enum report_by by;
	const char *team, *officer; /* the filters, or NULL */
	struct report_period *periods;
	size_t n_periods;
	cw_day from, to; /* the first period's first day, the last one's last */
	cw_day today;    /* the local date of ev->at */

	/* Set by the caller: the cases counted (after the filters). */
	size_t cases, open, skipped;

	/* The rules with obligations, in pack order (indexes into the
	 * ruleset), then the unit rules and targets. */
	size_t *standards, n_standards;
	struct report_target *targets;
	size_t n_targets;

	struct report_names teams, officers;
	/* The rows of one team and one officer in one period, by standard,
	 * period, team and officer in the order shown. */
	const struct report_row **cells;
	size_t n_cells;

	/* The rest is report.c's. Every combination seen of (standard,
	 * period, team, officer), and once finished those of (standard,
	 * period or n_periods for the total, team or REPORT_ALL, officer or
	 * REPORT_ALL) with a team or an officer or neither, found through
	 * map. */
	struct report_row *rows;
	size_t n_rows, cap_rows;
	void *map;
	size_t map_cap;
	int first_ordinal; /* the first period's, counted from year 0 */
	/* Survey answers per period and over all: count and yes. */
	struct report_figure *surveys;
	/* Each rule's index in standards and targets, or -1. */
	int *rule_standard, *rule_target;
	/* The case last counted, its team's and officer's indexes. */
	int64_t last_case;
	int last_team, last_officer;
};

/* A report of the periods of `by` from the one containing `from` to the
 * one containing `to` (from <= to, both within the calendar's years), as
 * at ev->at, of the cases of team and officer (NULL: any). The strings
 * must outlive the report. */
struct report *report_new(const struct evaluator *ev, enum report_by by, cw_day from, cw_day to, const char *team,
			  const char *officer);
void report_free(struct report *rep);

/* Count one obligation of case c (c->id, c->team, c->officer). An
 * obligation belongs to the period of its deadline's local date; a gate's,
 * which has none, to that of the day it was met, or fell overdue (its
 * closing event came first), or was cancelled, or, still pending, the
 * report's day. Outside the report's periods it is not counted. */
void report_add_obligation(struct report *rep, const struct eval_case *c, const struct obligation *o);
/* One survey answer (scan_surveys_each), counted when its case's team and
 * officer pass the filters, its day is in the periods and not after
 * today. */
void report_add_survey(struct report *rep, cw_day day, bool satisfied, const char *team, const char *officer);
/* The meetings of unit rule `rule` (days in any order), owed from the
 * month of `first` (the earliest case or meeting). */
void report_set_meetings(struct report *rep, size_t rule, cw_day first, const cw_day *days, size_t n);
/* Sort, take the medians and percentiles, work out the figures. */
void report_finish(struct report *rep);

/* The counts of (standard index, period or n_periods, team, officer);
 * zero counts when none was seen. */
const struct report_counts *report_counts(const struct report *rep, size_t standard, size_t period, int team,
					  int officer);

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML, _REPORT_FORMAT_MAX };
const char *report_format_to_string(enum report_format f);
int report_format_from_string(const char *s);
/* Write the finished report to f; at_text is the moment as shown. The
 * caller checks f for errors. */
void report_write(const struct report *rep, enum report_format format, const char *at_text, FILE *f);
void report_write_text(const struct report *rep, const char *at_text, FILE *f);
void report_write_csv(const struct report *rep, const char *at_text, FILE *f);
void report_write_json(const struct report *rep, const char *at_text, FILE *f);
/* One self-contained page (report-html.c): inline styles, inline SVG
 * charts, nothing fetched and no script, so that it is also an email's
 * HTML part; printable on A4. */
void report_write_html(const struct report *rep, const char *at_text, FILE *f);

/* The writers' words for a unit rule's or target's goal ("an average of
 * at most 14 days") and for its figure of one period ("average 14.0 days
 * over 2 intervals"), into buf of len bytes. */
struct rule;
void report_goal_words(const struct rule *r, char *buf, size_t len);
void report_target_words(const struct rule *r, const struct report_figure *v, char *buf, size_t len);

struct scan_bad;
struct report_fill_fns {
	/* Each problem of a case (tally_fns), and the rows of meetings or
	 * surveys that cannot be read; either may be NULL. */
	void (*problem)(struct tally *t, const struct eval_case *c, const char *msg, bool skipped, void *userdata);
	void (*bad_rows)(const char *table, const struct scan_bad *b, void *userdata);
	/* Each obligation counted, after the report has it (NULL: none),
	 * for a caller that counts something else in the same pass. */
	void (*obligation)(const struct eval_case *c, const struct obligation *o, void *userdata);
	/* Told how many cases are done (scan_evaluate); may be NULL. */
	struct progress *progress;
};
/* Count into rep every case of the case database db evaluated at
 * rep->ev->at (those of rep->team and rep->officer), the meetings of its
 * unit rules and its survey answers; rep->cases, open and skipped set, and
 * the tally in *ret_tally. The caller holds the read transaction that
 * makes it all one moment of the database, and then calls report_finish.
 * Returns 0, or < 0 with *ret_err. (report-fill.c) */
int report_fill(struct report *rep, sqlite3 *db, const struct report_fill_fns *fns, void *userdata,
		struct tally *ret_tally, char **ret_err);

/* report_fill() in steps, for a caller that evaluates every case itself
 * (casewatchd's full scan): report_fill_case() with each case and its
 * result in case order, then report_fill_end(), which reads the meetings
 * and the surveys and sets what report_fill() sets. Returns as it. */
struct report_filler {
	struct report *rep;
	const struct report_fill_fns *fns;
	void *userdata;
	struct tally_fns tf;
	struct tally t;
};
void report_fill_begin(struct report_filler *f, struct report *rep, const struct report_fill_fns *fns,
		       void *userdata);
void report_fill_case(struct report_filler *f, const struct eval_case *c, const struct eval_result *res);
int report_fill_end(struct report_filler *f, sqlite3 *db, struct tally *ret_tally, char **ret_err);

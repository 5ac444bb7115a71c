/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far long work has got (casewatch(1), PROGRESS), for whoever waits on
 * it: on a terminal a bar on standard error, redrawn in place and cleared
 * at the end; otherwise a line at each tenth, a few seconds apart at the
 * least; or, through a callback, casewatchd's STATUS=. Work that ends
 * within the delay (CASEWATCH_PROGRESS, 2 seconds unless set) shows
 * nothing, so quick commands print exactly what they always printed.
 *
 * The count is reported by the thread that drives the work: a scan's
 * threads hand their cases to that one in case order, and it counts them
 * as they come, so nothing here is shared between threads. */

enum progress_unit { PROGRESS_CASES, PROGRESS_BYTES };

/* A callback's view: `what` ("scanning", "importing"), how much is done of
 * how much (total 0: not known). */
typedef void (*progress_fn)(const char *what, uint64_t done, uint64_t total, enum progress_unit unit,
			    void *userdata);

enum progress_mode { PROGRESS_BAR, PROGRESS_LINES, PROGRESS_CALLBACK };

/* The fields are progress.c's; `next` is here for progress_at(). */
struct progress {
	uint64_t next; /* progress_at() does nothing below this count */
	enum progress_mode mode;
	int64_t delay_ms, every_ms;
	progress_fn fn;
	void *userdata;
	const char *what;
	enum progress_unit unit;
	uint64_t total, done, step;
	int64_t begun_ms, shown_ms; /* CLOCK_MONOTONIC; shown_ms -1: never */
	int tenth;                  /* the last tenth told (lines) */
	size_t drawn;               /* the bar's width on the terminal now; 0: none */
	bool active;
};

/* Progress on standard error, a bar or lines as it is a terminal or not;
 * NULL (which every function takes, doing nothing) when CASEWATCH_PROGRESS
 * is "off". */
struct progress *progress_new_stderr(void);
/* Progress through fn, at most every every_ms once the delay is past; NULL
 * when CASEWATCH_PROGRESS is "off". */
struct progress *progress_new_fn(progress_fn fn, void *userdata, int64_t every_ms);
void progress_free(struct progress *p);

/* A new piece of work of `total` (0: not known) in `unit`; the delay
 * counts from here. */
void progress_begin(struct progress *p, const char *what, uint64_t total, enum progress_unit unit);
void progress_update(struct progress *p, uint64_t done);
/* `done` of the work so far: cheap enough for every case. */
static inline void progress_at(struct progress *p, uint64_t done)
{
	if (!p)
		return;
	p->done = done;
	if (done >= p->next)
		progress_update(p, done);
}
/* The work is over: the bar is cleared; a callback that was called is
 * called once more, with the count the work ended on. */
void progress_end(struct progress *p);

/* Clear the bar on the terminal, if one is drawn, before other text goes
 * to standard error; it comes back at the next update. */
void progress_hide(void);

/* "412,000 of 1,000,000 cases", "3.1 of 12.0 MB", "412,000 cases" (total
 * not known), newly allocated. */
char *progress_text(uint64_t done, uint64_t total, enum progress_unit unit);

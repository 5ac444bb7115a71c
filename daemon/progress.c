/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "progress.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define DELAY_DEFAULT_MS 2000
/* A bar redrawn ten times a second looks alive and costs nothing. */
#define BAR_EVERY_MS 100
#define BAR_WIDTH_MAX 30
#define BAR_WIDTH_MIN 10

/* The bar drawn on the terminal now, if any: there is one standard error. */
static struct progress *on_screen;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The delay before anything is shown: CASEWATCH_PROGRESS in seconds
 * (a decimal number, 0 for at once), or 2 s; -1 when it is "off". */
static int64_t progress_delay_ms(void)
{
	const char *e = getenv("CASEWATCH_PROGRESS");
	if (!e || !*e)
		return DELAY_DEFAULT_MS;
	if (strcmp(e, "off") == 0)
		return -1;
	char *end;
	errno = 0;
	double s = strtod(e, &end);
	/* Anything else is not worth failing a command over. */
	if (errno != 0 || *end != '\0' || !isfinite(s) || s < 0 || s > 86400)
		return DELAY_DEFAULT_MS;
	return (int64_t)(s * 1000 + 0.5);
}

static struct progress *progress_new(enum progress_mode mode, int64_t every_ms)
{
	int64_t delay = progress_delay_ms();
	if (delay < 0)
		return NULL;
	struct progress *p = xcalloc(1, sizeof(*p));
	p->mode = mode;
	p->delay_ms = delay;
	p->every_ms = every_ms;
	p->next = UINT64_MAX;
	return p;
}

struct progress *progress_new_stderr(void)
{
	/* Not a terminal: a log or a file, where a line at each tenth, no
	 * closer together than the delay, says enough. */
	if (isatty(STDERR_FILENO))
		return progress_new(PROGRESS_BAR, BAR_EVERY_MS);
	struct progress *p = progress_new(PROGRESS_LINES, 0);
	if (p)
		p->every_ms = p->delay_ms;
	return p;
}

struct progress *progress_new_fn(progress_fn fn, void *userdata, int64_t every_ms)
{
	struct progress *p = progress_new(PROGRESS_CALLBACK, every_ms);
	if (p) {
		p->fn = fn;
		p->userdata = userdata;
	}
	return p;
}

void progress_free(struct progress *p)
{
	if (!p)
		return;
	progress_end(p);
	free(p);
}

/* "1,234,567" into buf (at least 27 bytes); returns buf. */
static char *progress_count(uint64_t n, char *buf)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	char *o = buf;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			*o++ = ',';
		*o++ = digits[i];
	}
	*o = '\0';
	return buf;
}

char *progress_text(uint64_t done, uint64_t total, enum progress_unit unit)
{
	if (unit == PROGRESS_BYTES) {
		uint64_t scale = total >= 10000000000ULL ? 1000000000ULL : total >= 1000000 ? 1000000 : 1000;
		const char *name = scale == 1000000000ULL ? "GB" : scale == 1000000 ? "MB" : "kB";
		if (!total)
			return xasprintf("%.1f MB", (double)done / 1e6);
		return xasprintf("%.1f of %.1f %s", (double)done / (double)scale, (double)total / (double)scale, name);
	}
	char a[32], b[32];
	if (!total)
		return xasprintf("%s cases", progress_count(done, a));
	return xasprintf("%s of %s cases", progress_count(done, a), progress_count(total, b));
}

static unsigned percent(const struct progress *p)
{
	if (!p->total)
		return 0;
	uint64_t done = p->done < p->total ? p->done : p->total;
	return (unsigned)(done * 100 / p->total);
}

static void clear_bar(struct progress *p)
{
	if (!p->drawn)
		return;
	char *blank = xmalloc(p->drawn + 3);
	blank[0] = '\r';
	memset(blank + 1, ' ', p->drawn);
	blank[p->drawn + 1] = '\r';
	fwrite(blank, 1, p->drawn + 2, stderr);
	free(blank);
	p->drawn = 0;
	if (on_screen == p)
		on_screen = NULL;
}

static size_t terminal_columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* "casewatch: scanning [#########           ]  45% 450,000 of 1,000,000
 * cases", cut to the terminal's width less one column: a line that wraps
 * cannot be redrawn in place. */
static void draw_bar(struct progress *p)
{
	_cleanup_free_ char *text = progress_text(p->done, p->total, p->unit);
	size_t cols = terminal_columns(), room = cols > 1 ? cols - 1 : 1;
	struct strbuf b = { 0 };
	strbuf_adds(&b, "\rcasewatch: ");
	strbuf_adds(&b, p->what);
	if (p->total) {
		char pct[8];
		snprintf(pct, sizeof(pct), " %3u%% ", percent(p));
		/* What is left for the bar and its brackets and space. */
		size_t rest = strlen("casewatch: ") + strlen(p->what) + strlen(pct) + strlen(text);
		size_t width = room > rest + 3 ? room - rest - 3 : 0;
		if (width > BAR_WIDTH_MAX)
			width = BAR_WIDTH_MAX;
		if (width >= BAR_WIDTH_MIN) {
			size_t full = width * percent(p) / 100;
			strbuf_adds(&b, " [");
			for (size_t i = 0; i < width; i++)
				strbuf_add(&b, i < full ? "#" : " ", 1);
			strbuf_adds(&b, "]");
		}
		strbuf_adds(&b, pct);
	} else {
		strbuf_adds(&b, " ");
	}
	strbuf_adds(&b, text);
	size_t len = b.n - 1; /* less the \r */
	if (len > room) {
		len = room;
		b.n = len + 1;
		b.p[b.n] = '\0';
	}
	/* Spaces over what a longer line before left (a narrower
	 * terminal's). */
	for (size_t i = len; i < p->drawn; i++)
		strbuf_add(&b, " ", 1);
	fwrite(b.p, 1, b.n, stderr);
	free(b.p);
	p->drawn = len;
	on_screen = p;
}

/* The count at which the work reaches tenth k. */
static uint64_t tenth_count(const struct progress *p, int k)
{
	return ((uint64_t)k * p->total + 9) / 10;
}

void progress_begin(struct progress *p, const char *what, uint64_t total, enum progress_unit unit)
{
	if (!p)
		return;
	if (p->active)
		progress_end(p);
	p->what = what;
	p->total = total;
	p->unit = unit;
	p->done = 0;
	p->tenth = 0;
	p->active = true;
	p->begun_ms = now_ms();
	p->shown_ms = -1;
	/* The clock is read every thousandth of the work, and no less often
	 * than every 1024 of it: a few hundred nanoseconds in all per
	 * thousand cases. */
	p->step = total / 1000;
	if (p->step < 1)
		p->step = 1;
	if (p->step > 1024 || !total)
		p->step = 1024;
	p->next = p->step;
	if (p->mode == PROGRESS_LINES && total && tenth_count(p, 1) < p->next)
		p->next = tenth_count(p, 1);
}

void progress_update(struct progress *p, uint64_t done)
{
	if (!p || !p->active)
		return;
	p->done = done;
	p->next = done + p->step;
	int64_t now = now_ms();
	bool due = now - p->begun_ms >= p->delay_ms && (p->shown_ms < 0 || now - p->shown_ms >= p->every_ms);
	switch (p->mode) {
	case PROGRESS_BAR:
		if (due) {
			draw_bar(p);
			p->shown_ms = now;
		}
		break;
	case PROGRESS_LINES: {
		if (!p->total)
			break;
		int tenth = (int)(percent(p) / 10);
		if (due && tenth > p->tenth && tenth < 10) {
			_cleanup_free_ char *text = progress_text(done, p->total, p->unit);
			fprintf(stderr, "casewatch: %s %u%% (%s)\n", p->what, percent(p), text);
			p->tenth = tenth;
			p->shown_ms = now;
		}
		/* Each tenth seen as the count reaches it. */
		if (tenth < 9 && tenth_count(p, tenth + 1) < p->next)
			p->next = tenth_count(p, tenth + 1);
		break;
	}
	case PROGRESS_CALLBACK:
		if (due) {
			p->fn(p->what, done, p->total, p->unit, p->userdata);
			p->shown_ms = now;
		}
		break;
	}
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	clear_bar(p);
	/* Whatever comes after the work (a scan's indexes, its messages)
	 * comes with its count complete, not a second old. */
	if (p->active && p->mode == PROGRESS_CALLBACK && p->shown_ms >= 0)
		p->fn(p->what, p->done, p->total, p->unit, p->userdata);
	p->active = false;
	p->next = UINT64_MAX;
}

void progress_hide(void)
{
	if (on_screen) {
		struct progress *p = on_screen;
		clear_bar(p);
		/* Back at the next update. */
		p->shown_ms = -1;
	}
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatchd: scans the case database on a timer, keeps every obligation's
 * stage in the state database and queues what is owed (casewatchd(8)). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "inbox.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "progress.h"
#include "retention.h"
#include "stage.h"
#include "util.h"
#include "watch.h"

#ifndef CONFIG_DEFAULT
#define CONFIG_DEFAULT "/etc/casewatch/casewatch.conf"
#endif

/* A scan that found the case database locked is tried again this soon. */
#define BUSY_RETRY_SEC 30
/* Sending that stopped (the state database failed, or another process
 * sends) is tried again this much later. */
#define SEND_RETRY_SEC 5
/* How long one notify.keep_sent pass may take: a backlog (the first pass
 * after an upgrade, or after keep_sent was shortened) is worked through a
 * little at each scan, never in one long stall. */
#define PRUNE_BUDGET_MS 2000
/* STATUS= during a long scan: once a second is plenty for a person
 * watching `systemctl status`, and costs the manager nothing. */
#define METER_EVERY_MS 1000

/* Everything that comes from one reading of the configuration. */
struct setup {
	struct conf *conf;
	struct tz *tz;
	struct calendar *cal;
	struct sender *sender;
	bool embedded;
};

struct daemon {
	sd_event *event;
	sd_event_source *timer;
	sd_event_source *send_timer; /* the next retry, when before the next scan */
	const char *config_path;
	bool config_explicit;
	struct setup *setup;
	struct watch *watch;
	uint64_t watchdog_usec; /* 0: the unit asks for none */
	uint64_t last_ping;     /* CLOCK_MONOTONIC µs */
	bool ready;
	char *last_error;       /* why the last scan failed, to log it once */
	char *send_error;       /* why sending stopped, to log it once an outage */
	bool journal_warned;    /* the send journal could not be opened: said once */
	char *inbox_error;      /* why the inbox could not be read or imported, logged once */
	char *prune_error;      /* why removing old messages' text failed, logged once */
	char *import_note;      /* what the last import run got wrong, for STATUS= */
	int stale;              /* -1: not known yet; else whether the data was stale */
	enum watch_full next_full;
	struct progress *meter; /* a long scan's or import's progress, in STATUS= */
	struct metrics metrics; /* casewatchd(8), METRICS */
	size_t (*obligation_counts)[3];
	char *metrics_written;  /* the file last written, to remove when the path changes */
	char *metrics_error;    /* why writing it failed, logged once */
};

/* The scan's hooks share one userdata: the daemon, for progress, and the
 * outbox's context, for composing. */
struct compose_hook {
	struct daemon *d;
	struct outbox_ctx *ctx;
};

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void setup_free(struct setup *s)
{
	if (!s)
		return;
	sender_free(s->sender);
	calendar_free(s->cal);
	tz_free(s->tz);
	conf_free(s->conf);
	free(s);
}

/* The embedded defaults keep their files in the service's state folder
 * (systemd's StateDirectory=), or else the working folder. */
static struct conf *embedded_conf(void)
{
	struct conf *c = conf_new_default();
	const char *dir = getenv("STATE_DIRECTORY");
	if (dir && *dir) {
		_cleanup_free_ char *first = xstrndup(dir, strcspn(dir, ":"));
		char *db = path_join(first, c->database), *st = path_join(first, c->state);
		free(c->database);
		free(c->state);
		c->database = db;
		c->state = st;
	}
	return c;
}

/* Read and check the configuration into new structures; nothing running
 * is touched. Problems are logged one per line as FILE:LINE: message. */
static void on_send_progress(void *userdata);

static int setup_load(struct daemon *d, struct setup **ret)
{
	struct diags diags = { 0 };
	struct setup *s = xcalloc(1, sizeof(*s));
	int r = conf_load(d->config_path, &s->conf, &diags);
	/* The embedded defaults stand in for a file that was never there,
	 * not for one deleted under a running daemon. */
	if (r == -ENOENT && !d->config_explicit && (!d->setup || d->setup->embedded)) {
		diags_free(&diags);
		s->conf = embedded_conf();
		s->embedded = true;
		r = 0;
	}
	if (r >= 0)
		r = conf_timezone(s->conf, &s->tz, &diags);
	if (r >= 0)
		r = conf_secrets_readable(s->conf, &diags);
	if (r < 0 || diags.n > 0) {
		diags_sort(&diags);
		for (size_t i = 0; i < diags.n; i++) {
			_cleanup_free_ char *line = diag_line(&diags.v[i]);
			log_msg(LOG_ERR, "%s", line);
		}
		diags_free(&diags);
		setup_free(s);
		return r < 0 ? r : -EINVAL;
	}
	s->cal = conf_calendar(s->conf, -1);
	s->sender = sender_new(s->conf);
	sender_set_progress(s->sender, on_send_progress, d);
	if (s->embedded)
		log_msg(LOG_NOTICE, "%s does not exist: running on the embedded defaults (case database %s)",
			d->config_path, s->conf->database);
	if (s->conf->ruleset.n == 0)
		log_msg(LOG_WARNING, "no rules are configured: there are no obligations to watch "
			"(see casewatch-rules(5))");
	*ret = s;
	return 0;
}

static void configure_watch(struct watch *w, const struct setup *s)
{
	const struct conf *c = s->conf;
	watch_set_config(w, &c->ruleset, s->cal, s->tz);
	watch_set_webhooks(w, c->webhooks, c->n_webhooks);
}

static int open_watch(const struct setup *s, struct watch **ret)
{
	_cleanup_free_ char *err = NULL;
	bool created = false;
	int r = watch_open(s->conf->state, ret, &created, &err);
	if (r < 0) {
		log_msg(LOG_ERR, "%s", err);
		return r;
	}
	if (created)
		log_msg(LOG_WARNING, "created the state database %s: it holds no record of notifications sent "
			"before, so any sent before it was created are forgotten; the stages obligations have "
			"reached at the first scan are taken as notified", s->conf->state);
	configure_watch(*ret, s);
	return 0;
}

static void ping_watchdog(struct daemon *d, bool force)
{
	if (!d->watchdog_usec)
		return;
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	if (force || now - d->last_ping >= d->watchdog_usec / 2) {
		sd_notify(0, "WATCHDOG=1");
		d->last_ping = now;
	}
}

static bool stop_pending(void)
{
	sigset_t pending;
	return sigpending(&pending) == 0 && (sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT));
}

/* Called every few thousand cases while a scan runs: keep the watchdog and
 * the start timeout fed, and give up at once when asked to stop. */
static int on_progress(void *userdata)
{
	struct daemon *d = ((struct compose_hook *)userdata)->d;
	ping_watchdog(d, false);
	if (!d->ready)
		sd_notify(0, "EXTEND_TIMEOUT_USEC=60000000");
	return stop_pending() ? -ECANCELED : 0;
}

static void on_send_progress(void *userdata)
{
	ping_watchdog(userdata, false);
}

/* While sending: keep on unless asked to stop or to reload. The message in
 * hand is finished first, within a few seconds (casewatchd(8), SIGNALS). */
static bool keep_sending(void *userdata)
{
	ping_watchdog(userdata, false);
	sigset_t pending;
	return !stop_pending() && !(sigpending(&pending) == 0 && sigismember(&pending, SIGHUP));
}

static void log_compose(const struct outbox_report *rep)
{
	for (size_t i = 0; i < rep->n_lines; i++)
		log_msg(rep->lines[i].problem ? LOG_WARNING : LOG_INFO, "%s", rep->lines[i].text);
	if (rep->held)
		log_msg(LOG_DEBUG, "%zu notifications held for the send window", rep->held);
	if (rep->voided)
		log_msg(LOG_INFO, "%zu notifications dropped before sending: met, paused or overtaken by a later stage",
			rep->voided);
}

static int on_send_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* Deliver what is due, then arm the retry timer for the next attempt
 * that comes before the next scan. */
static void deliver(struct daemon *d)
{
	const struct setup *s = d->setup;
	sqlite3 *db = watch_db(d->watch);
	struct outbox_sent sent = { 0 };
	_cleanup_free_ char *err = NULL;
	int64_t now = (int64_t)time(NULL);
	int r = outbox_send(s->sender, db, now, keep_sending, d, &sent, &err);
	if (sent.recovered)
		log_msg(LOG_NOTICE, "recorded %zu message%s sent by a send that was stopped (from its journal)",
			sent.recovered, sent.recovered == 1 ? "" : "s");
	if (sent.journal_errno && !d->journal_warned) {
		log_msg(LOG_WARNING, "cannot open the send journal %s-sent: %s; each message is recorded on its own, "
			"slower", s->conf->state, strerror(sent.journal_errno));
		d->journal_warned = true;
	}
	for (size_t i = 0; i < sent.n_errors; i++)
		log_msg(LOG_WARNING, "not delivered: %s", sent.errors[i]);
	/* A state database that cannot be written (a full disk) stops the
	 * sending until it can: said once, and once more when it is over. */
	if (r < 0 && !d->send_error) {
		log_msg(LOG_ERR, "sending stopped: %s; it goes on once the state database can be written", err);
		free(d->send_error);
		d->send_error = TAKE_PTR(err);
	} else if (r >= 0 && d->send_error) {
		log_msg(LOG_NOTICE, "sending resumed");
		free(d->send_error);
		d->send_error = NULL;
	}
	if (sent.busy)
		log_msg(LOG_DEBUG, "another process is sending from the state database: its turn");
	if (sent.sent || sent.retry || sent.dead)
		log_msg(LOG_INFO, "sent %zu messages (%zu email, %zu webhook) in %lld ms; %zu to retry, %zu dead",
			sent.sent, sent.email, sent.webhook, (long long)sent.ms, sent.retry, sent.dead);
	outbox_sent_free(&sent);
	if (stop_pending())
		return;
	if (r < 0 || sent.busy) {
		/* Try again a little later, not at once. */
		uint64_t when = now_usec(CLOCK_MONOTONIC) + (uint64_t)SEND_RETRY_SEC * 1000000;
		if (!d->send_timer)
			sd_event_add_time(d->event, &d->send_timer, CLOCK_MONOTONIC, when, 1000000, on_send_timer, d);
		else {
			sd_event_source_set_time(d->send_timer, when);
			sd_event_source_set_enabled(d->send_timer, SD_EVENT_ONESHOT);
		}
		return;
	}
	int64_t next = outbox_next_attempt(db);
	if (next == INT64_MAX) {
		if (d->send_timer)
			sd_event_source_set_enabled(d->send_timer, SD_EVENT_OFF);
		return;
	}
	now = (int64_t)time(NULL);
	uint64_t when = now_usec(CLOCK_MONOTONIC) + (uint64_t)(next > now ? next - now : 1) * 1000000;
	if (!d->send_timer)
		sd_event_add_time(d->event, &d->send_timer, CLOCK_MONOTONIC, when, 1000000, on_send_timer, d);
	else {
		sd_event_source_set_time(d->send_timer, when);
		sd_event_source_set_enabled(d->send_timer, SD_EVENT_ONESHOT);
	}
}

static int on_send_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	deliver(userdata);
	return 0;
}

/* notify.keep_sent: the text of messages sent or given up longer ago is
 * removed, at most once an hour (casewatchd(8), THE STATE DATABASE). */
static void prune(struct daemon *d)
{
	const struct setup *s = d->setup;
	if (s->conf->keep_sent <= 0)
		return;
	struct retention_result res;
	_cleanup_free_ char *err = NULL;
	int r = retention_prune(watch_db(d->watch), (int64_t)time(NULL), s->conf->keep_sent, PRUNE_BUDGET_MS,
				keep_sending, d, &res, &err);
	if (r < 0) {
		if (!d->prune_error || strcmp(d->prune_error, err) != 0)
			log_msg(LOG_ERR, "removing the text of old messages failed (it is tried again at the next "
				"scan): %s", err);
		free(d->prune_error);
		d->prune_error = TAKE_PTR(err);
	} else if (res.ran && d->prune_error) {
		log_msg(LOG_NOTICE, "removing the text of old messages works again after: %s", d->prune_error);
		free(d->prune_error);
		d->prune_error = NULL;
	}
	if (res.pruned) {
		_cleanup_free_ char *what = retention_text(res.pruned, res.before, s->conf->keep_sent, s->tz);
		log_msg(LOG_INFO, "removed %s%s", what, res.more ? "; more at the next scan" : "");
	}
}

static uint64_t seconds_until_next_scan(struct daemon *d, int64_t now, int busy)
{
	const struct setup *s = d->setup;
	int64_t interval = busy ? BUSY_RETRY_SEC : s->conf->scan_interval;
	if (busy && interval > s->conf->scan_interval)
		interval = s->conf->scan_interval;
	/* The first scan of each local day is a full one: make it soon after
	 * midnight, not up to an interval later. */
	int64_t midnight = tz_local_to_instant(s->tz, tz_local_day(s->tz, now) + 1, 0);
	if (midnight - now + 1 < interval)
		interval = midnight - now + 1;
	return (uint64_t)(interval > 0 ? interval : 1);
}

static void set_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_status(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", msg);
}

static void log_scan(const struct watch_stats *st, bool quiet_transitions)
{
	struct log_fields f = { .has_scan_ms = true, .scan_ms = st->ms };
	int prio = st->full ? LOG_INFO : LOG_DEBUG;
	log_with(prio, &f, "scan: %zu cases evaluated (%s), %zu changed, %zu stages reached, %zu messages queued, "
		 "%lld ms", st->scanned, watch_full_to_string(st->full), st->changed, st->transitions, st->queued,
		 (long long)st->ms);
	for (size_t i = 0; i < st->n_problems; i++) {
		/* "REF: problem": the reference goes in its own field too. */
		const char *p = st->problems[i];
		_cleanup_free_ char *ref = xstrndup(p, strcspn(p, ":"));
		struct log_fields pf = { .case_ref = ref };
		log_with(LOG_WARNING, &pf, "case %s skipped or partly read: %s", ref, p + strlen(ref) + 2);
	}
	if (st->new_problems > st->n_problems)
		log_msg(LOG_WARNING, "and %zu more cases with new problems (casewatch status lists them)",
			st->new_problems - st->n_problems);
	if (st->baseline) {
		log_msg(LOG_NOTICE, "first scan of a new state database: %zu stages already reached are the "
			"starting point and are not notified", st->transitions);
		return;
	}
	if (quiet_transitions)
		return;
	for (size_t i = 0; i < st->n_tv; i++) {
		const struct watch_transition *t = &st->tv[i];
		const char *stage = notify_stage_to_string((enum notify_stage)t->stage);
		struct log_fields tf = { .case_ref = t->ref, .rule = t->rule, .stage = stage };
		log_with(LOG_INFO, &tf, "%s %s: %s, %zu notification%s queued", t->ref, t->rule, stage, t->recipients,
			 t->recipients == 1 ? "" : "s");
	}
	if (st->transitions > st->n_tv)
		log_msg(LOG_INFO, "and %zu more stages reached, not listed one by one", st->transitions - st->n_tv);
}

static int schedule(struct daemon *d, uint64_t seconds);

/* A scan or an import that goes on past the delay (progress.h) says how
 * far it has got, once a second: "Scanning: 412,000 of 1,000,000 cases".
 * The scan's own figures replace it when it ends. */
static void on_meter(const char *what, uint64_t done, uint64_t total, enum progress_unit unit, void *userdata)
{
	(void)userdata;
	_cleanup_free_ char *text = progress_text(done, total, unit);
	set_status("%c%s: %s", what[0] >= 'a' && what[0] <= 'z' ? what[0] - 'a' + 'A' : what[0], what + 1, text);
}

/* What STATUS= says before the scan's figures: stale data, and what the
 * last import run or the inbox got wrong. */
static char *status_prefix(const struct daemon *d, const struct outbox_report *fresh)
{
	const struct setup *s = d->setup;
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	if (fresh->stale) {
		char when[TZ_TIMESTAMP_STRLEN];
		_cleanup_free_ char *t = fresh->last_import
			? xasprintf("STALE DATA: no import since %s; %zu notice%s held. ",
				    tz_format_timestamp(s->tz, fresh->last_import, when), fresh->held_stale,
				    fresh->held_stale == 1 ? "" : "s")
			: xasprintf("STALE DATA: no import yet; %zu notice%s held. ", fresh->held_stale,
				    fresh->held_stale == 1 ? "" : "s");
		strbuf_adds(&b, t);
	}
	if (d->inbox_error) {
		_cleanup_free_ char *t = xasprintf("Import failing: %s. ", d->inbox_error);
		strbuf_adds(&b, t);
	} else if (d->import_note) {
		_cleanup_free_ char *t = xasprintf("Last %s. ", d->import_note);
		strbuf_adds(&b, t);
	}
	return b.p;
}


/* The metrics after a scan that ended with r (casewatchd(8), METRICS),
 * and the textfile when one is configured. */
static void write_metrics(struct daemon *d, int r, const struct watch_stats *st, const struct outbox_report *fresh)
{
	const struct setup *s = d->setup;
	const struct conf *c = s->conf;
	struct metrics *m = &d->metrics;
	m->scans++;
	if (r < 0) {
		m->failures++;
	} else {
		m->scanned = true;
		m->scan_ms = st->ms;
		m->success_at = (int64_t)time(NULL);
		m->due_today = st->due_today;
		m->stale = c->import && c->import_max_age > 0 ? fresh->stale : -1;
		m->last_import = fresh->last_import;
	}
	/* A file this daemon wrote and no longer writes (the configuration
	 * changed) would be read on, stale, beside the new one. */
	if (d->metrics_written && (!c->metrics_textfile || strcmp(d->metrics_written, c->metrics_textfile) != 0)) {
		if (unlink(d->metrics_written) < 0 && errno != ENOENT)
			log_msg(LOG_WARNING, "cannot remove the metrics file %s written before: %s", d->metrics_written,
				strerror(errno));
		free(d->metrics_written);
		d->metrics_written = NULL;
	}
	if (!c->metrics_textfile)
		return;

	_cleanup_free_ char *err = NULL;
	m->rules = &c->ruleset;
	d->obligation_counts = xrealloc(d->obligation_counts, (c->ruleset.n + 1) * sizeof(*d->obligation_counts));
	m->obligations = watch_obligation_counts(d->watch, d->obligation_counts, &err) < 0 ? NULL : d->obligation_counts;
	char *merr = NULL;
	if (metrics_read_messages(watch_db(d->watch), m, &merr) < 0 && !err)
		err = merr;
	else
		free(merr);
	_cleanup_free_ char *text = metrics_text(m);
	char *werr = NULL;
	if (metrics_write(c->metrics_textfile, text, &werr) < 0) {
		free(err);
		err = werr;
	} else if (!d->metrics_written) {
		d->metrics_written = xstrdup(c->metrics_textfile);
	}
	if (err && (!d->metrics_error || strcmp(d->metrics_error, err) != 0))
		log_msg(LOG_WARNING, "metrics: %s", err);
	else if (!err && d->metrics_error)
		log_msg(LOG_NOTICE, "metrics: %s written again after: %s", c->metrics_textfile, d->metrics_error);
	free(d->metrics_error);
	d->metrics_error = TAKE_PTR(err);
}

static int compose_hook(void *userdata, sqlite3 *state, sqlite3 *cases, bool changed, char **ret_err)
{
	struct compose_hook *ch = userdata;
	return outbox_compose(ch->ctx, state, cases, changed, ret_err);
}

static int full_begin_hook(void *userdata, sqlite3 *state, sqlite3 *cases, bool *ret_want, char **ret_err)
{
	return outbox_full_begin(((struct compose_hook *)userdata)->ctx, state, cases, ret_want, ret_err);
}

static void each_hook(void *userdata, const struct eval_case *c, const struct eval_result *res)
{
	outbox_each(((struct compose_hook *)userdata)->ctx, c, res);
}

/* The inbox's files into the case database before the scan reads it.
 * Returns -ECANCELED when asked to stop, else 0: a failure is logged, and
 * the files wait for the next scan. */
static int import_inbox(struct daemon *d, struct compose_hook *ch)
{
	const struct setup *s = d->setup;
	struct inbox_result res = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = inbox_run(s->conf, s->tz, on_progress, ch, d->meter, &res, &err);
	if (r == -ECANCELED) {
		inbox_result_free(&res);
		return r;
	}
	if (r < 0 && !err)
		err = xasprintf("the import inbox %s: %s", s->conf->import_inbox, strerror(-r));
	if (r < 0 && (!d->inbox_error || strcmp(d->inbox_error, err) != 0))
		log_msg(LOG_ERR, "import: %s", err);
	else if (r >= 0 && d->inbox_error)
		log_msg(LOG_NOTICE, "import: the inbox works again after: %s", d->inbox_error);
	free(d->inbox_error);
	d->inbox_error = r < 0 ? TAKE_PTR(err) : NULL;

	for (size_t i = 0; i < res.n; i++) {
		const struct inbox_file *f = &res.v[i];
		if (f->outcome == INBOX_FAILED)
			log_msg(LOG_ERR, "import: %s not imported, moved to %s/failed/: %s", f->name,
				s->conf->import_inbox, f->problem);
	}
	for (size_t i = 0; i < res.n_lines; i++)
		log_msg(LOG_WARNING, "import: %s", res.lines[i]);
	if (res.more_lines)
		log_msg(LOG_WARNING, "import: and %zu more rejected rows or remarks, in the reports (NAME.errors) "
			"in %s/done/", res.more_lines, s->conf->import_inbox);
	if (res.summary)
		log_msg(res.rejected ? LOG_WARNING : LOG_INFO, "import: %zu file%s from %s: %s", res.done,
			res.done == 1 ? "" : "s", s->conf->import_inbox, res.summary);
	if (res.n) {
		free(d->import_note);
		d->import_note = NULL;
		if (res.failed || res.rejected) {
			char when[TZ_TIMESTAMP_STRLEN];
			_cleanup_free_ char *at = xstrndup(tz_format_timestamp(s->tz, (int64_t)time(NULL), when) + 11, 5);
			d->import_note = xasprintf("import at %s: %zu file%s failed, %zu row%s rejected (see %s)", at,
						   res.failed, res.failed == 1 ? "" : "s", res.rejected,
						   res.rejected == 1 ? "" : "s", s->conf->import_inbox);
		}
	}
	inbox_result_free(&res);
	return 0;
}

/* import.max_age: said once when the data goes stale, and once when a
 * fresh import ends it. */
static void log_freshness(struct daemon *d, const struct outbox_report *rep)
{
	const struct setup *s = d->setup;
	if (!s->conf->import || s->conf->import_max_age <= 0)
		return;
	if (rep->stale && d->stale != 1) {
		char when[TZ_TIMESTAMP_STRLEN];
		_cleanup_free_ char *age = seconds_text(s->conf->import_max_age);
		if (rep->last_import)
			log_msg(LOG_ERR, "import: no import has landed since %s, longer than import.max_age (%s): "
				"the case data is stale; overdue and escalated notices reached since are held until a "
				"fresh import lands", tz_format_timestamp(s->tz, rep->last_import, when), age);
		else
			log_msg(LOG_ERR, "import: no import has landed in the case database yet: overdue and escalated "
				"notices are held until one does");
	} else if (!rep->stale && d->stale == 1) {
		log_msg(LOG_NOTICE, "import: a fresh import landed: held notices go out as the data now says");
	}
	d->stale = rep->stale;
}

static int scan(struct daemon *d, enum watch_full full)
{
	const struct setup *s = d->setup;
	if (watch_replaced(d->watch)) {
		struct watch *w = NULL;
		log_msg(LOG_WARNING, "the state database %s was deleted or replaced: making it anew", s->conf->state);
		if (open_watch(s, &w) == 0) {
			watch_free(d->watch);
			d->watch = w;
		}
	}
	struct watch_stats st = { 0 };
	_cleanup_free_ char *err = NULL;
	int64_t now = (int64_t)time(NULL);
	struct outbox_report rep = { 0 };
	struct outbox_ctx octx = { .conf = s->conf, .cal = s->cal, .tz = s->tz, .at = now, .report = &rep };
	struct compose_hook ch = { .d = d, .ctx = &octx };
	struct watch_hooks hooks = {
		.progress = on_progress,
		.compose = compose_hook,
		.full_begin = full_begin_hook,
		.each = each_hook,
		.userdata = &ch,
		.meter = d->meter,
	};
	if (s->conf->import_inbox && import_inbox(d, &ch) == -ECANCELED)
		return -ECANCELED;
	int r = watch_scan(d->watch, s->conf->database, now, full, false, &hooks, &st, &err);
	if (r == -ECANCELED) {
		outbox_report_free(&rep);
		return r; /* stopping */
	}
	struct outbox_report fresh = { .stale = rep.stale, .last_import = rep.last_import, .held_stale = rep.held_stale };
	if (r >= 0) {
		log_freshness(d, &rep);
		log_compose(&rep);
		deliver(d);
	}
	/* Whatever became of the scan: a case database that cannot be read
	 * must not keep old messages' text. */
	if (!stop_pending())
		prune(d);
	outbox_report_free(&rep);
	if (stop_pending()) {
		watch_stats_free(&st);
		return -ECANCELED;
	}
	write_metrics(d, r, &st, &fresh);

	/* Counted from the end of the scan: one that waited on a lock must
	 * not announce a next scan already past. */
	now = (int64_t)time(NULL);
	uint64_t next = seconds_until_next_scan(d, now, r == -EBUSY);
	char next_text[TZ_TIMESTAMP_STRLEN];
	tz_format_timestamp(s->tz, now + (int64_t)next, next_text);
	if (r < 0) {
		if (!d->last_error || strcmp(d->last_error, err) != 0)
			log_msg(r == -EBUSY ? LOG_WARNING : LOG_ERR, "scan failed, trying again at %s: %s", next_text,
				err);
		free(d->last_error);
		d->last_error = TAKE_PTR(err);
		set_status("Scan failed: %s; next try %s", d->last_error, next_text);
		/* A full evaluation asked for still has to happen. */
		if (full != WATCH_FULL_NO && d->next_full == WATCH_FULL_NO)
			d->next_full = full;
	} else {
		if (d->last_error) {
			log_msg(LOG_NOTICE, "scan succeeded again after: %s", d->last_error);
			free(d->last_error);
			d->last_error = NULL;
		}
		d->next_full = WATCH_FULL_NO;
		log_scan(&st, false);
		_cleanup_free_ char *pre = status_prefix(d, &fresh);
		set_status("%sScanned %zu cases (%s) in %lld ms; %zu due today, %zu overdue, %zu waiting to be sent; "
			   "next scan %s", pre, st.scanned, watch_full_to_string(st.full), (long long)st.ms,
			   st.due_today, st.overdue, outbox_waiting(watch_db(d->watch)), next_text);
	}
	watch_stats_free(&st);
	return schedule(d, next);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	struct daemon *d = userdata;
	/* -ECANCELED: a stop is pending; its handler runs next. */
	(void)scan(d, d->next_full);
	return 0;
}

static int schedule(struct daemon *d, uint64_t seconds)
{
	uint64_t when = now_usec(CLOCK_MONOTONIC) + seconds * 1000000;
	if (!d->timer)
		return sd_event_add_time(d->event, &d->timer, CLOCK_MONOTONIC, when, 1000000, on_timer, d);
	sd_event_source_set_time(d->timer, when);
	return sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)s;
	(void)si;
	struct daemon *d = userdata;
	char buf[64];
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)now_usec(CLOCK_MONOTONIC));
	sd_notify(0, buf);
	log_msg(LOG_INFO, "reloading the configuration from %s", d->config_path);

	struct setup *n = NULL;
	struct watch *w = NULL;
	if (setup_load(d, &n) < 0 ||
	    (strcmp(n->conf->state, d->setup->conf->state) != 0 && open_watch(n, &w) < 0)) {
		log_msg(LOG_ERR, "configuration not reloaded: still running on the one loaded before");
		setup_free(n);
		sd_notify(0, "READY=1\nSTATUS=Configuration not reloaded: see the log; running on the previous one");
		return 0;
	}
	if (w) {
		watch_free(d->watch);
		d->watch = w;
	} else {
		configure_watch(d->watch, n);
	}
	/* Acceptances a full disk kept from being recorded stay to be
	 * recorded (a new state database has none of their messages). */
	if (!w)
		sender_take_unrecorded(n->sender, d->setup->sender);
	setup_free(d->setup);
	d->setup = n;
	log_msg(LOG_INFO, "configuration reloaded");
	int r = scan(d, WATCH_FULL_RELOAD);
	if (r == -ECANCELED)
		return 0;
	sd_notify(0, "READY=1");
	return 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)userdata;
	log_msg(LOG_INFO, "stopping on %s", strsignal((int)si->ssi_signo));
	sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* As casewatchd(8)'s SYNOPSIS and OPTIONS have it (tests/cli-help.sh). */
static void usage(FILE *f)
{
	fputs("Usage: casewatchd [-c FILE]\n"
	      "       casewatchd -h\n"
	      "       casewatchd -V\n", f);
}

static void help(FILE *f)
{
	usage(f);
	fputs("\n"
	      "Watch an ASB unit's case database, keep track of what its service standards\n"
	      "require, and tell officers, supervisors and managers (casewatchd(8)).\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE  the configuration (default " CONFIG_DEFAULT ")\n"
	      "  -h, --help         show this help\n"
	      "  -V, --version      show the version\n", f);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("casewatchd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	fputs("Try 'casewatchd --help'.\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct daemon d = { .config_path = CONFIG_DEFAULT, .stale = -1, .metrics = { .stale = -1 } };
	int o, r;
	malloc_tune();
	/* No count of SQLite's memory, nobody reads it: it takes a lock at
	 * every allocation. Before SQLite starts, which ignores it after. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":c:hV", opts, NULL)) != -1) {
		char shortopt[3] = { '-', (char)optopt, '\0' };
		const char *last = argv[optind - 1];
		bool is_long = strncmp(last, "--", 2) == 0 && (o == ':' || optopt == 0);
		switch (o) {
		case 'c':
			d.config_path = optarg;
			d.config_explicit = true;
			break;
		case 'h':
			help(stdout);
			return 0;
		case 'V':
			/* The program, then its package and version. */
			puts("casewatchd (" PACKAGE_NAME ") " PACKAGE_VERSION);
			return 0;
		case ':':
			return usage_error("%s needs a value", is_long ? last : shortopt);
		default:
			return usage_error("unknown option '%s'", is_long ? last : shortopt);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	log_setup("casewatchd");
	d.meter = progress_new_fn(on_meter, &d, METER_EVERY_MS);

	/* Signals arrive through the event loop; blocked from here on, so a
	 * scan can see a pending SIGTERM and stop early. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	int status = 1;
	if ((r = sd_event_default(&d.event)) < 0) {
		log_msg(LOG_ERR, "cannot create the event loop: %s", strerror(-r));
		goto out;
	}
	if ((r = sd_event_add_signal(d.event, NULL, SIGTERM, on_stop, &d)) < 0 ||
	    (r = sd_event_add_signal(d.event, NULL, SIGINT, on_stop, &d)) < 0 ||
	    (r = sd_event_add_signal(d.event, NULL, SIGHUP, on_reload, &d)) < 0) {
		log_msg(LOG_ERR, "cannot watch signals: %s", strerror(-r));
		goto out;
	}
	/* sd-event pings at the right pace while the loop is idle; scans
	 * ping from their progress hook. */
	if ((r = sd_watchdog_enabled(false, &d.watchdog_usec)) <= 0) {
		if (r < 0)
			log_msg(LOG_WARNING, "ignoring the watchdog settings: %s", strerror(-r));
		d.watchdog_usec = 0;
	} else if ((r = sd_event_set_watchdog(d.event, true)) < 0) {
		log_msg(LOG_WARNING, "cannot set up the watchdog: %s", strerror(-r));
		d.watchdog_usec = 0;
	}

	if (setup_load(&d, &d.setup) < 0) {
		log_msg(LOG_ERR, "not starting: the configuration %s has errors", d.config_path);
		goto out;
	}
	if (open_watch(d.setup, &d.watch) < 0)
		goto out;
	log_msg(LOG_INFO, "started: case database %s, state database %s, %zu rules, a scan every %d s; logging "
		"to %s", d.setup->conf->database, d.setup->conf->state, d.setup->conf->ruleset.n,
		d.setup->conf->scan_interval, log_target());
	ping_watchdog(&d, true);

	r = scan(&d, WATCH_FULL_START);
	if (r == -ECANCELED) {
		log_msg(LOG_INFO, "stopping during the first scan");
		sd_notify(0, "STOPPING=1");
		status = 0;
		goto out;
	}
	d.ready = true;
	sd_notify(0, "READY=1");

	r = sd_event_loop(d.event);
	if (r < 0) {
		log_msg(LOG_ERR, "event loop failed: %s", strerror(-r));
		goto out;
	}
	status = 0;
out:
	if (d.setup && sender_unrecorded(d.setup->sender))
		log_msg(LOG_WARNING, "%zu messages the server accepted could not be recorded (a full disk): the next "
			"send sends them again", sender_unrecorded(d.setup->sender));
	watch_free(d.watch);
	setup_free(d.setup);
	sd_event_source_unref(d.timer);
	sd_event_source_unref(d.send_timer);
	sd_event_unref(d.event);
	free(d.last_error);
	free(d.send_error);
	free(d.inbox_error);
	free(d.prune_error);
	free(d.import_note);
	free(d.obligation_counts);
	free(d.metrics_written);
	free(d.metrics_error);
	progress_free(d.meter);
	return status;
}

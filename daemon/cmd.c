/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the commands of the casewatch program share: errors, the
 * configuration and the moment they work on, and the outbox's listing. */
#include "cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "diag.h"
#include "outbox.h"
#include "progress.h"
#include "scan.h"
#include "util.h"

const char *config_path;
bool config_explicit;

int bad_input(const char *fmt, ...)
{
	va_list ap;
	fputs("casewatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_BADINPUT;
}

/* The configuration: the named file, or the default file, or, when no file
 * was named and the default does not exist, the embedded defaults. Problems
 * go to d, for the caller to print where it prints them. */
int load_conf_diags(struct conf **ret, bool *ret_embedded, struct diags *d)
{
	struct diags mine = { 0 };
	int r = conf_load(config_path, ret, &mine);
	*ret_embedded = r == -ENOENT && !config_explicit;
	if (*ret_embedded) {
		diags_free(&mine);
		*ret = conf_new_default();
		return 0;
	}
	diags_move(d, &mine);
	return r;
}

int load_conf(struct conf **ret)
{
	struct diags d = { 0 };
	bool embedded;
	int r = load_conf_diags(ret, &embedded, &d);
	diags_sort(&d);
	diags_print(&d, stderr);
	diags_free(&d);
	return r;
}

int cmd_parse_at(const struct tz *tz, const char *s, int64_t *ret)
{
	cw_day d;
	int64_t t;
	int r;
	if (strlen(s) == 10 && date_parse(s, &d) == 0) {
		t = tz_local_to_instant(tz, d, 12 * 3600);
		r = 0;
	} else {
		r = tz_parse_timestamp(tz, s, &t);
	}
	if (r < 0 || !calendar_in_range(tz_local_day(tz, t)))
		return -EINVAL;
	*ret = t;
	return 0;
}

static int parse_at(const struct tz *tz, const char *s, int64_t *ret)
{
	if (cmd_parse_at(tz, s, ret) < 0) {
		bad_input("--at '%s' is not a time: give RFC 3339 (2026-11-20T09:30:00Z) or a date "
			  "YYYY-MM-DD within %d-%d", s, CALENDAR_MIN_YEAR, CALENDAR_MAX_YEAR);
		return -EINVAL;
	}
	return 0;
}

int cmd_world_load(const char *at_arg, struct cmd_world *ret)
{
	struct cmd_world w = { 0 };
	struct diags d = { 0 };
	if (load_conf(&w.conf) < 0)
		return EXIT_BADINPUT;
	if (conf_timezone(w.conf, &w.tz, &d) < 0) {
		diags_print(&d, stderr);
		diags_free(&d);
		cmd_world_free(&w);
		return EXIT_BADINPUT;
	}
	if (!at_arg) {
		w.at = (int64_t)time(NULL);
	} else if (parse_at(w.tz, at_arg, &w.at) < 0) {
		cmd_world_free(&w);
		return EXIT_BADINPUT;
	}
	w.cal = conf_calendar(w.conf, -1);
	*ret = w;
	return 0;
}

void cmd_world_free(struct cmd_world *w)
{
	calendar_free(w->cal);
	tz_free(w->tz);
	conf_free(w->conf);
	*w = (struct cmd_world){ 0 };
}

static void when(const struct tz *tz, int64_t t, char buf[static TZ_TIMESTAMP_STRLEN])
{
	tz_format_timestamp(tz, t, buf);
}

const char *cmd_pruned_at(sqlite3 *db)
{
	return sqlite3_exec(db, "SELECT pruned_at FROM messages LIMIT 0", NULL, NULL, NULL) == SQLITE_OK ? "pruned_at"
													  : "NULL";
}

/* The length of s without the whitespace at its end (NULL: 0): the last
 * field of a line of the listing never ends it in spaces. */
static int trimmed(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return (int)n;
}

int print_undelivered(sqlite3 *db, const struct tz *tz, FILE *f, bool dead_only)
{
	_cleanup_free_ char *sql = xasprintf(
		"SELECT id, status, channel, destination, attempts, next_attempt_at, finished_at, subject, last_error, "
		"%s FROM messages WHERE status IN ('pending', 'sending', 'dead') AND (?1 = 0 OR status = 'dead') "
		"ORDER BY status = 'dead', id", cmd_pruned_at(db));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, dead_only);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char t[TZ_TIMESTAMP_STRLEN];
		const char *status = (const char *)sqlite3_column_text(st, 1);
		bool dead = strcmp(status, "dead") == 0;
		when(tz, sqlite3_column_int64(st, dead ? 6 : 5), t);
		const char *err = (const char *)sqlite3_column_text(st, 8);
		const char *subject = (const char *)sqlite3_column_text(st, 7);
		fprintf(f, "%lld\t%s\t%s%s\t%d attempt%s\t%s %s\t%.*s\n", (long long)sqlite3_column_int64(st, 0),
			dead ? "dead" : "pending", strcmp((const char *)sqlite3_column_text(st, 2), "webhook") == 0 ? "webhook "
														     : "",
			(const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
			sqlite3_column_int(st, 4) == 1 ? "" : "s", dead ? "given up" : "next", t, trimmed(subject),
			subject ? subject : "");
		if (err)
			fprintf(f, "\tlast error: %.*s\n", trimmed(err), err);
		if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
			when(tz, sqlite3_column_int64(st, 9), t);
			fprintf(f, "\ttext removed %s (notify.keep_sent): it cannot be sent again\n", t);
		}
		n++;
	}
	sqlite3_finalize(st);
	/* Notifications nobody could be named for: no message to list. */
	static const char items[] =
		"SELECT o.id, o.status, o.recipient, c.ref, o.rule, o.stage, o.last_error FROM outbox o "
		"LEFT JOIN cases c ON c.case_id = o.case_id WHERE o.message_id IS NULL AND o.last_error IS NOT NULL "
		"AND (o.status = 'dead' OR (?1 = 0 AND o.status = 'pending')) ORDER BY o.id";
	if (sqlite3_prepare_v2(db, items, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, dead_only);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 3);
		const char *err = (const char *)sqlite3_column_text(st, 6);
		fprintf(f, "-\t%s\t%s of %s\t%s %s\t%.*s\n", (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), ref ? ref : "a deleted case",
			(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
			trimmed(err), err);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

int cmd_send(const struct conf *c, sqlite3 *db, int64_t at, char **ret_err)
{
	struct diags d = { 0 };
	if (conf_secrets_readable(c, &d) < 0) {
		diags_print(&d, stderr);
		diags_free(&d);
		return bad_input("nothing sent: the messages wait");
	}
	struct outbox_sent sent = { 0 };
	struct sender *snd = sender_new(c);
	int r = outbox_send(snd, db, at, NULL, NULL, &sent, ret_err);
	if (sent.journal_errno)
		fprintf(stderr, "casewatch: cannot open the send journal %s-sent: %s (run casewatch as the user "
			"casewatchd runs as)\n", c->state, strerror(sent.journal_errno));
	size_t lost = sender_unrecorded(snd);
	if (lost)
		fprintf(stderr, "casewatch: %zu message%s the server accepted could not be recorded (the state database "
			"and its journal could not be written): the next send sends %s again\n", lost,
			lost == 1 ? "" : "s", lost == 1 ? "it" : "them");
	sender_free(snd);
	if (sent.busy)
		printf("another process (casewatchd, or another casewatch) is sending from this state database: "
		       "what is due is left to it\n");
	if (sent.recovered)
		printf("recorded %zu message%s sent by a send that was stopped (from its journal)\n", sent.recovered,
		       sent.recovered == 1 ? "" : "s");
	for (size_t i = 0; i < sent.n_errors; i++)
		printf("not delivered: %s\n", sent.errors[i]);
	printf("sent %zu message%s (%zu email, %zu webhook); %zu to retry, %zu dead\n", sent.sent,
	       sent.sent == 1 ? "" : "s", sent.email, sent.webhook, sent.retry, sent.dead);
	/* The time, for bench/notify; not on stdout, which tests compare. */
	if (getenv("CASEWATCH_SEND_TIMING"))
		fprintf(stderr, "casewatch: sending took %lld ms\n", (long long)sent.ms);
	outbox_sent_free(&sent);
	if (r < 0)
		return bad_input("%s", *ret_err);
	return 0;
}

void status_undelivered(const char *state, const struct tz *tz)
{
	sqlite3 *db = NULL;
	if (access(state, F_OK) < 0 || sqlite3_open_v2(state, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return;
	}
	sqlite3_busy_timeout(db, 5000);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = f ? print_undelivered(db, tz, f, true) : -ENOMEM;
	if (f)
		fclose(f);
	if (n > 0)
		printf("\nmessages given up (casewatch outbox retry ID sends one again):\n%s", buf);
	free(buf);
	sqlite3_close(db);
}

/* The case database, for writing: it must exist and be a casewatch one. */
int cmd_open_cases_rw(const char *path, sqlite3 **ret)
{
	_cleanup_free_ char *err = NULL;
	sqlite3 *db = NULL;
	if (scan_open(path, &db, &err) < 0)
		return bad_input("%s", err);
	sqlite3_close(db);
	db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		int r = bad_input("cannot open the case database %s for writing: %s", path,
				  db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return r;
	}
	/* Another writer (the council's own, or casewatch event) is waited
	 * for a while, not failed at once. */
	sqlite3_busy_timeout(db, 30000);
	*ret = db;
	return 0;
}

char *printable(const char *s)
{
	char *t = xstrdup(s);
	for (unsigned char *p = (unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return t;
}

void print_bad_rows(const char *table, const struct scan_bad *b)
{
	size_t shown = b->n < SCAN_BAD_KEPT ? b->n : SCAN_BAD_KEPT;
	progress_hide();
	for (size_t i = 0; i < shown; i++) {
		_cleanup_free_ char *why = printable(b->v[i].why);
		fprintf(stderr, "casewatch: %s row %lld: %s (skipped)\n", table, (long long)b->v[i].id, why);
	}
	if (b->n > shown)
		fprintf(stderr, "casewatch: %zu more %s rows that cannot be read (skipped)\n", b->n - shown, table);
}

/* Over a whole database the lines are many: the first few, then how many
 * more; status names each with its case. */
void cmd_print_problem(struct tally *t, const struct eval_case *c, const char *msg, bool skipped,
		       void *userdata)
{
	(void)userdata;
	if (t->problems >= TALLY_PROBLEMS_SHOWN) {
		t->unshown++;
		return;
	}
	_cleanup_free_ char *ref = printable(c->ref), *m = printable(msg);
	progress_hide();
	fprintf(stderr, "casewatch: case %s: %s%s\n", ref, m, skipped ? " (case skipped)" : "");
}

int cmd_tally(sqlite3 *db, const struct evaluator *ev, const struct tally_fns *fns, void *userdata,
	      struct tally *ret, char **ret_err)
{
	struct tally_fns f = *fns;
	f.problem = cmd_print_problem;
	return tally_cases(db, ev, &f, userdata, ret, ret_err);
}

void tally_print_unshown(const struct tally *t)
{
	if (t->unshown)
		fprintf(stderr, "casewatch: %zu more problem lines (casewatch status prints each with its case)\n",
			t->unshown);
}

int cmd_list_refs(const char *database, const char *prefix, FILE *f, char **ret_err)
{
	sqlite3 *db = NULL;
	int r = scan_open(database, &db, ret_err);
	if (r < 0)
		return r;
	/* A range, not LIKE: the index on ref answers it, whatever the
	 * number of cases, and the case of the letters counts as it does
	 * for status REF. No UTF-8 sequence has the byte 0xff. */
	_cleanup_free_ char *end = xasprintf("%s\xff", prefix);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT ref FROM cases WHERE ref >= ?1 AND ref < ?2 ORDER BY ref LIMIT ?3", -1,
			       &st, NULL) != SQLITE_OK) {
		*ret_err = xasprintf("cannot read the case database %s: %s", database, sqlite3_errmsg(db));
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, CMD_REFS_MAX);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		_cleanup_free_ char *ref = printable((const char *)sqlite3_column_text(st, 0));
		fprintf(f, "%s\n", ref);
	}
	r = 0;
	if (rc != SQLITE_DONE) {
		*ret_err = xasprintf("cannot read the case database %s: %s", database, sqlite3_errmsg(db));
		r = -EIO;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

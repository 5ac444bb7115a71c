/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval.h"
#include "util.h"

int metrics_read_messages(sqlite3 *state, struct metrics *m, char **ret_err)
{
	/* What waits from the running counts the triggers keep
	 * (schema/state.sql: a backlog can run to hundreds of thousands);
	 * what was given up by a walk of its rows in messages_by_status,
	 * never of what was sent. */
	static const char sql[] = "SELECT (SELECT n FROM outbox_counts WHERE name = 'unsent'), "
				  "(SELECT count(*) FROM messages WHERE status = 'dead'), "
				  "(SELECT n FROM outbox_counts WHERE name = 'pending')";
	sqlite3_stmt *st = NULL;
	m->has_messages = false;
	if (sqlite3_prepare_v2(state, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		*ret_err = xasprintf("state database: counting the messages: %s", sqlite3_errmsg(state));
		sqlite3_finalize(st);
		return -EIO;
	}
	m->messages_waiting = (size_t)sqlite3_column_int64(st, 0);
	m->messages_dead = (size_t)sqlite3_column_int64(st, 1);
	m->notifications_waiting = (size_t)sqlite3_column_int64(st, 2);
	m->has_messages = true;
	sqlite3_finalize(st);
	return 0;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the exposition format quotes it. */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

char *metrics_text(const struct metrics *m)
{
	static const char *const states[3] = { "pending", "overdue", "paused" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		oom();

	if (m->obligations) {
		family(f, "casewatch_obligations", "gauge",
		       "Obligations still owed after the last successful scan, by standard (rule) and state.");
		for (size_t k = 0; k < m->rules->n; k++)
			for (int s = 0; s < 3 && eval_rule_has_obligations(&m->rules->v[k]); s++) {
				fputs("casewatch_obligations{rule=", f);
				label_value(f, m->rules->v[k].id);
				fprintf(f, ",state=\"%s\"} %zu\n", states[s], m->obligations[k][s]);
			}
	}
	if (m->scanned) {
		family(f, "casewatch_obligations_due_today", "gauge",
		       "Pending obligations whose deadline is today (local time), at the last successful scan.");
		fprintf(f, "casewatch_obligations_due_today %zu\n", m->due_today);
	}
	if (m->has_messages) {
		family(f, "casewatch_messages", "gauge",
		       "Messages not delivered: waiting (to be sent, or retried) and dead (given up).");
		fprintf(f, "casewatch_messages{state=\"waiting\"} %zu\n", m->messages_waiting);
		fprintf(f, "casewatch_messages{state=\"dead\"} %zu\n", m->messages_dead);
		family(f, "casewatch_notifications_waiting", "gauge",
		       "Notifications queued and not yet in a message (held for the send window).");
		fprintf(f, "casewatch_notifications_waiting %zu\n", m->notifications_waiting);
	}
	if (m->scanned) {
		family(f, "casewatch_scan_duration_seconds", "gauge", "How long the last successful scan took.");
		fprintf(f, "casewatch_scan_duration_seconds %lld.%03lld\n", (long long)(m->scan_ms / 1000),
			(long long)(m->scan_ms % 1000));
		family(f, "casewatch_last_scan_success_timestamp_seconds", "gauge",
		       "When the last successful scan ended, in seconds since the epoch.");
		fprintf(f, "casewatch_last_scan_success_timestamp_seconds %lld\n", (long long)m->success_at);
	}
	family(f, "casewatch_scans_total", "counter", "Scans since casewatchd started, successful or not.");
	fprintf(f, "casewatch_scans_total %llu\n", (unsigned long long)m->scans);
	family(f, "casewatch_scan_failures_total", "counter", "Scans that failed since casewatchd started.");
	fprintf(f, "casewatch_scan_failures_total %llu\n", (unsigned long long)m->failures);
	if (m->stale >= 0) {
		family(f, "casewatch_data_stale", "gauge",
		       "1 when no import has landed within import.max_age, and overdue notices are held; else 0.");
		fprintf(f, "casewatch_data_stale %d\n", m->stale);
		if (m->last_import) {
			family(f, "casewatch_last_import_timestamp_seconds", "gauge",
			       "When the last import that brought data landed, in seconds since the epoch.");
			fprintf(f, "casewatch_last_import_timestamp_seconds %lld\n", (long long)m->last_import);
		}
	}
	if (fclose(f) != 0)
		oom();
	return buf;
}

int metrics_write(const char *path, const char *text, char **ret_err)
{
	_cleanup_free_ char *dir = path_dirname(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	/* A dot first and no .prom last: the textfile collector reads only
	 * NAME.prom, so it never sees the file half written. */
	_cleanup_free_ char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;
		*ret_err = xasprintf("cannot create a file in %s: %s", dir, strerror(-r));
		return r;
	}
	int r = 0;
	size_t len = strlen(text), off = 0;
	/* Readable by node_exporter's user, whatever the service's umask. */
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	while (r == 0 && off < len) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = -errno;
		else
			off += (size_t)k;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		*ret_err = xasprintf("cannot write %s: %s", path, strerror(-r));
	}
	return r;
}

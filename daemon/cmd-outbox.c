/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch outbox: the messages still to be delivered and those given up,
 * and a second chance for the latter (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "outbox.h"
#include "util.h"

static int open_state(const char *path, bool write, sqlite3 **ret)
{
	if (access(path, F_OK) < 0)
		return bad_input("there is no state database %s yet: casewatchd (or casewatch run --once) makes it "
				 "at its first scan", path);
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "SELECT 1 FROM messages LIMIT 0", NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		int r = bad_input("cannot read the state database %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

static void when(const struct tz *tz, int64_t t, char buf[static TZ_TIMESTAMP_STRLEN])
{
	tz_format_timestamp(tz, t, buf);
}

int print_undelivered(sqlite3 *db, const struct tz *tz, FILE *f, bool dead_only)
{
	static const char sql[] =
		"SELECT id, status, channel, destination, attempts, next_attempt_at, finished_at, subject, last_error "
		"FROM messages WHERE status IN ('pending', 'sending', 'dead') AND (?1 = 0 OR status = 'dead') "
		"ORDER BY status = 'dead', id";
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
		fprintf(f, "%lld\t%s\t%s%s\t%d attempt%s\t%s %s\t%s\n", (long long)sqlite3_column_int64(st, 0),
			dead ? "dead" : "pending", strcmp((const char *)sqlite3_column_text(st, 2), "webhook") == 0 ? "webhook "
														     : "",
			(const char *)sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
			sqlite3_column_int(st, 4) == 1 ? "" : "s", dead ? "given up" : "next", t,
			(const char *)sqlite3_column_text(st, 7));
		if (err)
			fprintf(f, "\tlast error: %s\n", err);
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
		fprintf(f, "-\t%s\t%s of %s\t%s %s\t%s\n", (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), ref ? ref : "a deleted case",
			(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
			(const char *)sqlite3_column_text(st, 6));
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static int retry(sqlite3 *db, char **ids, int n)
{
	int status = 0;
	int64_t now = (int64_t)time(NULL);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
	for (int i = 0; i < n; i++) {
		char *end;
		errno = 0;
		long long id = strtoll(ids[i], &end, 10);
		if (errno || *end || end == ids[i] || id < 1) {
			status = usage_error("'%s' is not a message number (casewatch outbox lists them)", ids[i]);
			break;
		}
		sqlite3_stmt *st;
		/* A new start: the age for giving up counts from now. */
		sqlite3_prepare_v2(db, "UPDATE messages SET status = 'pending', attempts = 0, next_attempt_at = ?2, "
				       "created_at = ?2, finished_at = NULL WHERE id = ?1 AND status = 'dead'",
				   -1, &st, NULL);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			status = bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
			break;
		}
		if (sqlite3_changes(db) == 0) {
			status = bad_input("message %lld is not dead (casewatch outbox lists the dead ones)", id);
			break;
		}
		sqlite3_prepare_v2(db, "UPDATE outbox SET status = 'sending', finished_at = NULL WHERE message_id = ?1", -1,
				   &st, NULL);
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			status = bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
			break;
		}
		printf("message %lld will be sent again at the next scan\n", id);
	}
	if (sqlite3_exec(db, status ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL) != SQLITE_OK && !status)
		status = bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
	return status;
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
	sender_free(snd);
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

int cmd_outbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dead", no_argument, NULL, 'd' },
		{ 0 }
	};
	bool dead_only = false;
	int o;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		switch (o) {
		case 'd':
			dead_only = true;
			break;
		default:
			return usage_error("unknown option '%s' for outbox", argv[optind - 1]);
		}
	}
	bool do_retry = optind < argc && strcmp(argv[optind], "retry") == 0;
	bool do_send = optind < argc && strcmp(argv[optind], "send") == 0;
	if (optind < argc && !do_retry && !do_send)
		return usage_error("outbox takes no operands but 'retry ID...' or 'send', got '%s'", argv[optind]);
	if (do_retry && optind + 1 >= argc)
		return usage_error("outbox retry needs the number of a dead message (casewatch outbox lists them)");
	if (do_send && optind + 1 < argc && strcmp(argv[optind + 1], "--at") != 0)
		return usage_error("outbox send takes only --at TIME, got '%s'", argv[optind + 1]);
	if (do_send && optind + 1 < argc && optind + 3 != argc)
		return usage_error("outbox send --at needs one TIME");

	struct cmd_world world;
	if (cmd_world_load(do_send && optind + 2 < argc ? argv[optind + 2] : NULL, &world) != 0)
		return EXIT_BADINPUT;
	sqlite3 *db = NULL;
	int status = open_state(world.conf->state, do_retry || do_send, &db);
	if (status == 0) {
		if (do_send) {
			_cleanup_free_ char *err = NULL;
			status = cmd_send(world.conf, db, world.at, &err);
		} else if (do_retry) {
			status = retry(db, argv + optind + 1, argc - optind - 1);
		} else {
			int n = print_undelivered(db, world.tz, stdout, dead_only);
			if (n < 0)
				status = bad_input("cannot read the state database: %s", sqlite3_errmsg(db));
			else if (n == 0)
				puts(dead_only ? "no message was given up" : "nothing waiting to be delivered, and nothing given up");
		}
	}
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
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

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch outbox: the messages still to be delivered and those given up,
 * a second chance for the latter, and one message as stored (casewatch(1)). */
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

static int parse_id(const char *s, long long *ret)
{
	char *end;
	errno = 0;
	long long id = strtoll(s, &end, 10);
	if (errno || *end || end == s || id < 1)
		return usage_error("'%s' is not a message number (casewatch outbox lists them)", s);
	*ret = id;
	return 0;
}

/* Why message id cannot be given another start: it is not dead, or its
 * text went after notify.keep_sent. */
static int not_retried(sqlite3 *db, const struct tz *tz, long long id)
{
	_cleanup_free_ char *sql = xasprintf("SELECT %s FROM messages WHERE id = ?1", cmd_pruned_at(db));
	sqlite3_stmt *st;
	int64_t pruned = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			pruned = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (pruned >= 0) {
		char t[TZ_TIMESTAMP_STRLEN];
		return bad_input("message %lld cannot be sent again: its text was removed %s (notify.keep_sent)", id,
				 tz_format_timestamp(tz, pruned, t));
	}
	return bad_input("message %lld is not dead (casewatch outbox lists the dead ones)", id);
}

static int retry(sqlite3 *db, const struct tz *tz, char **ids, int n)
{
	int status = 0;
	int64_t now = (int64_t)time(NULL);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
	/* A message whose text went can never go again. */
	_cleanup_free_ char *sql = xasprintf(
		"UPDATE messages SET status = 'pending', attempts = 0, next_attempt_at = ?2, created_at = ?2, "
		"finished_at = NULL WHERE id = ?1 AND status = 'dead' AND %s IS NULL", cmd_pruned_at(db));
	for (int i = 0; i < n; i++) {
		long long id;
		if ((status = parse_id(ids[i], &id)) != 0)
			break;
		sqlite3_stmt *st;
		/* A new start: the age for giving up counts from now. */
		sqlite3_prepare_v2(db, sql, -1, &st, NULL);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			status = bad_input("cannot write the state database: %s", sqlite3_errmsg(db));
			break;
		}
		if (sqlite3_changes(db) == 0) {
			status = not_retried(db, tz, id);
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

/* One message as the state database has it: what it is, then its text,
 * or when that was removed (notify.keep_sent). */
static int show(sqlite3 *db, const struct tz *tz, const char *arg)
{
	long long id;
	int status = parse_id(arg, &id);
	if (status != 0)
		return status;
	/* A state database before version 9 (read as it is) keeps the body
	 * in the message's row. */
	bool bodies = sqlite3_exec(db, "SELECT body FROM message_bodies LIMIT 0", NULL, NULL, NULL) == SQLITE_OK;
	_cleanup_free_ char *sql = xasprintf(
		"SELECT kind, channel, destination, subject, ref, created_at, status, attempts, next_attempt_at, "
		"finished_at, last_error, %s, %s FROM messages WHERE id = ?1", cmd_pruned_at(db),
		bodies ? "(SELECT body FROM message_bodies WHERE message_id = messages.id)" : "body");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return bad_input("cannot read the state database: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		status = rc == SQLITE_DONE ? bad_input("there is no message %lld in the state database", id)
					   : bad_input("cannot read the state database: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return status;
	}
	bool webhook = strcmp((const char *)sqlite3_column_text(st, 1), "webhook") == 0;
	const char *state = (const char *)sqlite3_column_text(st, 6);
	char t[TZ_TIMESTAMP_STRLEN];
	printf("message %lld: %s\n", id, (const char *)sqlite3_column_text(st, 0));
	printf("to: %s%s\n", webhook ? "webhook " : "", (const char *)sqlite3_column_text(st, 2));
	printf("subject: %s\n", (const char *)sqlite3_column_text(st, 3));
	printf("%s: %s\n", webhook ? "Idempotency-Key" : "Message-ID", (const char *)sqlite3_column_text(st, 4));
	printf("composed: %s\n", tz_format_timestamp(tz, sqlite3_column_int64(st, 5), t));
	if (strcmp(state, "sent") == 0 || strcmp(state, "dead") == 0)
		printf("%s: %s\n", state[0] == 's' ? "sent" : "given up",
		       tz_format_timestamp(tz, sqlite3_column_int64(st, 9), t));
	else
		printf("%s: next attempt %s\n", state, tz_format_timestamp(tz, sqlite3_column_int64(st, 8), t));
	printf("attempts: %d\n", sqlite3_column_int(st, 7));
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		printf("last error: %s\n", (const char *)sqlite3_column_text(st, 10));
	if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
		printf("text removed: %s (notify.keep_sent)\n",
		       tz_format_timestamp(tz, sqlite3_column_int64(st, 11), t));
	} else {
		/* Then the message exactly as it goes out. */
		putchar('\n');
		fwrite(sqlite3_column_blob(st, 12), 1, (size_t)sqlite3_column_bytes(st, 12), stdout);
	}
	sqlite3_finalize(st);
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
	bool do_show = optind < argc && strcmp(argv[optind], "show") == 0;
	if (optind < argc && !do_retry && !do_send && !do_show)
		return usage_error("outbox takes no operands but 'retry ID...', 'send' or 'show ID', got '%s'",
				   argv[optind]);
	if (do_show && optind + 2 != argc)
		return usage_error("outbox show needs the number of one message");
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
			status = retry(db, world.tz, argv + optind + 1, argc - optind - 1);
		} else if (do_show) {
			status = show(db, world.tz, argv[optind + 1]);
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

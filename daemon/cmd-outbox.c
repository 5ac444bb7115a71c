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

/* What each outbox command starts from: the configuration, the moment
 * and the state database. Returns 0, or the exit status with nothing to
 * free. */
static int outbox_open(const char *at_arg, bool write, struct cmd_world *ret_world, sqlite3 **ret_db)
{
	if (cmd_world_load(at_arg, ret_world) != 0)
		return EXIT_BADINPUT;
	int status = open_state(ret_world->conf->state, write, ret_db);
	if (status != 0)
		cmd_world_free(ret_world);
	return status;
}

/* Options for a command with no options of its own but --help. */
static int no_options(const char *name, int argc, char **argv)
{
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup(name), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1)
		if (o == CMD_EXIT)
			return p.status;
	return -1;
}

int cmd_outbox_retry(int argc, char **argv)
{
	int status = no_options("outbox retry", argc, argv);
	if (status >= 0)
		return status;
	if (optind >= argc)
		return usage_error("outbox retry needs the number of a dead message (casewatch outbox lists them)");
	long long id;
	for (int i = optind; i < argc; i++)
		if ((status = parse_id(argv[i], &id)) != 0)
			return status;
	struct cmd_world world;
	sqlite3 *db = NULL;
	if ((status = outbox_open(NULL, true, &world, &db)) != 0)
		return status;
	status = retry(db, world.tz, argv + optind, argc - optind);
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

int cmd_outbox_send(int argc, char **argv)
{
	const char *at_arg = NULL;
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("outbox send"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'a':
			at_arg = optarg;
			break;
		}
	}
	if (optind < argc)
		return usage_error("outbox send takes only --at TIME, got '%s'", argv[optind]);
	struct cmd_world world;
	sqlite3 *db = NULL;
	int status = outbox_open(at_arg, true, &world, &db);
	if (status != 0)
		return status;
	_cleanup_free_ char *err = NULL;
	status = cmd_send(world.conf, db, world.at, &err);
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

int cmd_outbox_show(int argc, char **argv)
{
	int status = no_options("outbox show", argc, argv);
	if (status >= 0)
		return status;
	if (argc - optind != 1)
		return usage_error("outbox show needs the number of one message");
	long long id;
	if ((status = parse_id(argv[optind], &id)) != 0)
		return status;
	struct cmd_world world;
	sqlite3 *db = NULL;
	if ((status = outbox_open(NULL, false, &world, &db)) != 0)
		return status;
	status = show(db, world.tz, argv[optind]);
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

int cmd_outbox(int argc, char **argv)
{
	bool dead_only = false;
	struct cmd_parser p;
	int o;
	/* outbox --dead retry ID: the options before the subcommand are
	 * outbox's, those after it the subcommand's. */
	cmd_parser_init(&p, cmd_lookup("outbox"), true);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'd':
			dead_only = true;
			break;
		}
	}
	if (optind < argc) {
		_cleanup_free_ char *name = xasprintf("outbox %s", argv[optind]);
		const struct cmd_def *sub = cmd_lookup(name);
		if (!sub)
			return usage_error("outbox takes no operands but 'retry ID...', 'send' or 'show ID', got '%s'",
					   argv[optind]);
		cmd_current = sub->name;
		return sub->run(argc - optind, argv + optind);
	}

	struct cmd_world world;
	sqlite3 *db = NULL;
	int status = outbox_open(NULL, false, &world, &db);
	if (status != 0)
		return status;
	int n = print_undelivered(db, world.tz, stdout, dead_only);
	if (n < 0)
		status = bad_input("cannot read the state database: %s", sqlite3_errmsg(db));
	else if (n == 0)
		puts(dead_only ? "no message was given up" : "nothing waiting to be delivered, and nothing given up");
	sqlite3_close(db);
	cmd_world_free(&world);
	return status;
}

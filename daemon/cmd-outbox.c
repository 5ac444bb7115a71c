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

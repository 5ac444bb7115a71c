/* SPDX-License-Identifier: GPL-3.0-or-later */
/* casewatch event: one event recorded by hand or by a script, checked as
 * an imported row is (casewatch(1)). */
#include <errno.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casedb.h"
#include "cmd.h"
#include "conf.h"
#include "tz.h"
#include "util.h"


static bool known(const char *const *list, const char *v)
{
	for (; *list; list++)
		if (strcmp(*list, v) == 0)
			return true;
	return false;
}

/* "a, b or c" */
static char *listed(const char *const *list)
{
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (size_t i = 0; list[i]; i++) {
		strbuf_adds(&b, i == 0 ? "" : list[i + 1] ? ", " : " or ");
		strbuf_adds(&b, list[i]);
	}
	return b.p;
}

static int lookup_int(sqlite3 *db, const char *sql, const char *text, int64_t num, int64_t *ret, bool *found)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, num);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int cmd_event(int argc, char **argv)
{
	const char *at_arg = NULL, *party_arg = NULL, *channel = NULL, *detail = NULL, *officer = NULL;
	struct cmd_parser p;
	int o;
	cmd_parser_init(&p, cmd_lookup("event"), false);
	while ((o = cmd_getopt(&p, argc, argv)) != -1) {
		switch (o) {
		case CMD_EXIT:
			return p.status;
		case 'a':
			at_arg = optarg;
			break;
		case 'p':
			party_arg = optarg;
			break;
		case 'C':
			channel = optarg;
			break;
		case 'd':
			detail = optarg;
			break;
		case 'o':
			officer = optarg;
			break;
		}
	}
	if (argc - optind != 2)
		return usage_error("event takes two operands, the case's reference and the event's kind");
	const char *ref = argv[optind], *kind = argv[optind + 1];

	/* What can be checked without the database first. */
	if (!known(casedb_kinds, kind)) {
		_cleanup_free_ char *l = listed(casedb_kinds);
		return bad_input("'%s' is not an event kind (%s)", kind, l);
	}
	if (channel && !known(casedb_channels, channel)) {
		_cleanup_free_ char *l = listed(casedb_channels);
		return bad_input("'%s' is not a channel (%s)", channel, l);
	}
	if (strcmp(kind, "contact") == 0 && !channel) {
		_cleanup_free_ char *l = listed(casedb_channels);
		return bad_input("a contact needs --channel (%s)", l);
	}
	if (strcmp(kind, "risk") == 0 && (!detail || !known(casedb_risks, detail)))
		return bad_input("a risk event needs --detail with the new level (standard, medium or high)");
	if (strcmp(kind, "agreed") == 0 && (!detail || !*detail))
		return bad_input("an agreed event needs --detail with the timescale agreed, such as \"10 working days\"");
	int64_t party = 0;
	if (party_arg) {
		char *end;
		errno = 0;
		long long v = strtoll(party_arg, &end, 10);
		if (errno || *end || end == party_arg || v < 1)
			return bad_input("'%s' is not a party's id (a number)", party_arg);
		party = v;
	}
	if (detail && !utf8_valid(detail, strlen(detail)))
		return bad_input("the detail is not valid UTF-8");
	if (officer && !utf8_valid(officer, strlen(officer)))
		return bad_input("the officer is not valid UTF-8");

	struct conf *c = NULL;
	if (load_conf(&c) < 0)
		return EXIT_BADINPUT;
	int status = 0;
	struct tz *tz = NULL;
	struct diags d = { 0 };
	sqlite3 *db = NULL;
	if (conf_timezone(c, &tz, &d) < 0) {
		diags_print(&d, stderr);
		status = EXIT_BADINPUT;
		goto out;
	}
	int64_t at = (int64_t)time(NULL);
	if (at_arg && tz_parse_timestamp(tz, at_arg, &at) < 0) {
		status = bad_input("'%s' is not a time: RFC 3339, such as 2026-11-20T09:05:00Z, or local "
				   "2026-11-20T09:05:00", at_arg);
		goto out;
	}
	if ((status = cmd_open_cases_rw(c->database, &db)) != 0)
		goto out;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		status = bad_input("cannot write the case database %s: %s", c->database, sqlite3_errmsg(db));
		goto out;
	}
	int64_t case_id = 0, party_case = 0;
	bool found = false;
	if (lookup_int(db, "SELECT id FROM cases WHERE ref = ?1", ref, 0, &case_id, &found) < 0) {
		status = bad_input("cannot read the case database: %s", sqlite3_errmsg(db));
		goto rollback;
	}
	if (!found) {
		_cleanup_free_ char *s = text_clean(ref, 64, NULL);
		status = bad_input("no case has the reference '%s'", s);
		goto rollback;
	}
	if (party) {
		if (lookup_int(db, "SELECT case_id FROM parties WHERE id = ?1", NULL, party, &party_case, &found) < 0) {
			status = bad_input("cannot read the case database: %s", sqlite3_errmsg(db));
			goto rollback;
		}
		if (!found) {
			status = bad_input("there is no party %lld", (long long)party);
			goto rollback;
		}
		if (party_case != case_id) {
			_cleanup_free_ char *s = text_clean(ref, 64, NULL);
			status = bad_input("party %lld is not a party of case %s", (long long)party, s);
			goto rollback;
		}
	}
	char when[24];
	struct tm tm;
	time_t tt = (time_t)at;
	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL) != SQLITE_OK) {
		status = bad_input("cannot write the case database: %s", sqlite3_errmsg(db));
		goto rollback;
	}
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	if (party)
		sqlite3_bind_int64(st, 4, party);
	if (channel)
		sqlite3_bind_text(st, 5, channel, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	if (officer)
		sqlite3_bind_text(st, 7, officer, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		status = bad_input("the case database refuses the event: %s", sqlite3_errmsg(db));
		goto rollback;
	}
	int64_t id = sqlite3_last_insert_rowid(db);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		status = bad_input("cannot write the case database: %s", sqlite3_errmsg(db));
		goto rollback;
	}
	{
		char local[TZ_TIMESTAMP_STRLEN];
		_cleanup_free_ char *s = text_clean(ref, 64, NULL);
		printf("event %lld recorded: %s %s at %s\n", (long long)id, s, kind, tz_format_timestamp(tz, at, local));
	}
	goto out;
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_close(db);
	tz_free(tz);
	diags_free(&d);
	conf_free(c);
	return status;
}

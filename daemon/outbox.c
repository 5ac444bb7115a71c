/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "outbox.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "outbox-int.h"
#include "util.h"

/* What the outbox modules share: the state database's small helpers. */

int db_fail(sqlite3 *db, const char *what, char **ret_err)
{
	*ret_err = xasprintf("state database: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

void report_line(struct outbox_report *r, bool problem, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->lines = xgrow(r->lines, &r->cap_lines, r->n_lines + 1, sizeof(*r->lines));
	r->lines[r->n_lines++] = (struct outbox_line){ .text = xvasprintf(fmt, ap), .problem = problem };
	va_end(ap);
}

void outbox_report_free(struct outbox_report *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i].text);
	free(r->lines);
	digest_share_free(r->share);
	*r = (struct outbox_report){ 0 };
}

void outbox_sent_free(struct outbox_sent *s)
{
	for (size_t i = 0; i < s->n_errors; i++)
		free(s->errors[i]);
	free(s->errors);
	*s = (struct outbox_sent){ 0 };
}

char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

const struct webhook_conf *find_webhook(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_webhooks; i++)
		if (strcmp(c->webhooks[i].name, name) == 0)
			return &c->webhooks[i];
	return NULL;
}

int exec_bind(sqlite3 *db, const char *sql, char **ret_err, int64_t a, int64_t b, const char *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, sql, ret_err);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (t)
		sqlite3_bind_text(st, 3, t, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, sql, ret_err);
	return sqlite3_changes(db);
}

int meta_text(sqlite3 *db, const char *key, char **ret, char **ret_err)
{
	sqlite3_stmt *st;
	*ret = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading meta", ret_err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*ret = col_dup(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int meta_set_text(sqlite3 *db, const char *key, const char *value, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "writing meta", ret_err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "writing meta", ret_err);
}

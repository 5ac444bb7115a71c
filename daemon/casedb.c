/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "casedb.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "eval.h"
#include "util.h"

/* schema/casedb.sql, carried in the program by sql2c.sh. */
extern const char casedb_schema_sql[];

/* ---- Version 1 to 2 ------------------------------------------------------ */

/* A council's case database is theirs: they may have added columns,
 * indexes, triggers and views of their own, to the events table too. So
 * the upgrade changes only what version 2 needs, in place: it adds
 * parties.roles (unless it is there), rebuilds the one covering index
 * that must include it, and loosens the events table's kind CHECK by
 * editing the table's definition, the way SQLite documents for removing or
 * changing a CHECK constraint (lang_altertable.html, "Making Other Kinds Of
 * Table Schema Changes"): every row stays where it is, rows written past
 * the old constraints too, and nothing that names the table is dropped. */

#define ROLES_CHECK                                                                                              \
	"CHECK (trim(replace(replace(replace(replace(replace(replace(replace(replace(replace("                   \
	"roles, 'complainant', ''), 'perpetrator', ''), 'referrer', ''), 'witness', ''), 'victim', ''), "      \
	"',', ''), ';', ''), '/', ''), char(9), '')) = '')"

/* The end of version 1's kind CHECK, and what version 2 makes of it. */
static const char kinds_v1[] = "'risk', 'serious', 'contact'))";
static const char kinds_v2[] = "'risk', 'serious', 'contact', 'hate', 'agreed'))";

static int upgrade_error(sqlite3 *db, const char *what, char **ret_err)
{
	*ret_err = xasprintf("%s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static int exec(sqlite3 *db, const char *sql, char **ret_err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return upgrade_error(db, sql, ret_err);
	return 0;
}

static int has_column(sqlite3 *db, const char *table, const char *column, bool *ret, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", -1, &st, NULL) !=
	    SQLITE_OK)
		return upgrade_error(db, "reading the parties table", ret_err);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*ret = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : upgrade_error(db, "reading the parties table", ret_err);
}

static int events_kinds(sqlite3 *db, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	_cleanup_free_ char *sql = NULL, *bump = NULL;
	int64_t cookie = 0;
	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'events'", -1, &st,
			       NULL) != SQLITE_OK)
		return upgrade_error(db, "reading the events table's definition", ret_err);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		sql = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!sql) {
		*ret_err = xstrdup("the case database has no events table");
		return -EIO;
	}
	if (strstr(sql, "'hate'") && strstr(sql, "'agreed'"))
		return 0; /* done before, by hand */
	char *p = strstr(sql, kinds_v1);
	if (!p || strstr(p + 1, kinds_v1)) {
		*ret_err = xstrdup("the events table's CHECK on kind is not the one casewatch made: add the kinds "
				   "'hate' and 'agreed' to it by hand, then run casewatch db init again");
		return -EIO;
	}
	_cleanup_free_ char *v2 = xasprintf("%.*s%s%s", (int)(p - sql), sql, kinds_v2, p + strlen(kinds_v1));

	if (sqlite3_prepare_v2(db, "PRAGMA schema_version", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return upgrade_error(db, "reading the schema version", ret_err);
	}
	cookie = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	/* A connection in defensive mode ignores writable_schema. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	int r = exec(db, "PRAGMA writable_schema = ON", ret_err);
	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(db, "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'events'", -1, &st,
			       NULL) != SQLITE_OK) {
		r = upgrade_error(db, "changing the events table's definition", ret_err);
		goto out;
	}
	sqlite3_bind_text(st, 1, v2, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		r = upgrade_error(db, "changing the events table's definition", ret_err);
	sqlite3_finalize(st);
	if (r < 0)
		goto out;
	/* A new schema cookie: every connection, ours and the council's,
	 * reads the definition again. */
	bump = xasprintf("PRAGMA schema_version = %lld", (long long)cookie + 1);
	r = exec(db, bump, ret_err);
out:
	sqlite3_exec(db, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
	if (r < 0)
		return r;
	/* The new definition must parse, and take the new kinds. */
	return exec(db, "SELECT count(*) FROM events WHERE kind IN ('hate', 'agreed') AND 0", ret_err);
}

static int upgrade_to_2(sqlite3 *db, char **ret_err)
{
	bool roles;
	int r = has_column(db, "parties", "roles", &roles, ret_err);
	if (r < 0)
		return r;
	if (!roles && (r = exec(db, "ALTER TABLE parties ADD COLUMN roles TEXT " ROLES_CHECK, ret_err)) < 0)
		return r;
	if ((r = exec(db, "DROP INDEX IF EXISTS parties_by_case", ret_err)) < 0 ||
	    (r = exec(db, "CREATE INDEX parties_by_case ON parties(case_id, id, role, preferred_channel, identified_at, "
			  "roles)", ret_err)) < 0)
		return r;
	return events_kinds(db, ret_err);
}

const char *const casedb_stages[] = { "enquiry", "case", "closed", NULL };
const char *const casedb_risks[] = { "standard", "medium", "high", NULL };
const char *const casedb_roles[] = { "victim", "complainant", "witness", "perpetrator", "referrer", NULL };
const char *const casedb_channels[] = { "phone", "letter", "email", "visit", "sms", "meeting", NULL };
const char *const casedb_kinds[] = {
	"accepted", "not_accepted", "closed", "reopened", "hold", "resume", "risk", "serious", "contact",
	"hate", "agreed", NULL,
};
_Static_assert(ELEMENTSOF(casedb_stages) == _STAGE_MAX + 1, "stages");
_Static_assert(ELEMENTSOF(casedb_risks) == _RISK_MAX + 1, "risk levels");
_Static_assert(ELEMENTSOF(casedb_roles) == _ROLE_MAX + 1, "roles");
_Static_assert(ELEMENTSOF(casedb_channels) == _CHANNEL_MAX + 1, "channels");
_Static_assert(ELEMENTSOF(casedb_kinds) == _EV_MAX + 1, "event kinds");

/* upgrades[v - 1] takes version v to v + 1. */
static const char *const casedb_upgrades[] = { NULL };
static int (*const casedb_upgrade_fns[])(sqlite3 *db, char **ret_err) = { upgrade_to_2 };

const struct schema casedb_schema = {
	.what = "case database",
	.application_id = CASEDB_APPLICATION_ID,
	.version = CASEDB_VERSION,
	.create_sql = casedb_schema_sql,
	.upgrades = casedb_upgrades,
	.upgrade_fns = casedb_upgrade_fns,
};

int casedb_init(const char *path, int *ret_from, char **ret_err)
{
	sqlite3 *db = NULL;
	int r = schema_open(path, &casedb_schema, &db, ret_from, ret_err);
	sqlite3_close(db);
	return r;
}

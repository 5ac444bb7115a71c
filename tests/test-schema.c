/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The versioned-schema mechanism, on schemas made up for the test, so that
 * upgrades are exercised before the case database has any. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tap.h"
#include "casedb.h"
#include "schema.h"
#include "util.h"

static const char v1[] =
	"PRAGMA application_id = 4242; PRAGMA user_version = 1;"
	"CREATE TABLE t (a INTEGER) STRICT;";
static const char v3[] =
	"PRAGMA application_id = 4242; PRAGMA user_version = 3;"
	"CREATE TABLE t (a INTEGER, b TEXT, c TEXT) STRICT;";
static const char *const ups[] = {
	"ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t (a, b) VALUES (2, 'two');",
	"ALTER TABLE t ADD COLUMN c TEXT; UPDATE t SET c = 'three';",
};
static const char *const bad_ups[] = {
	"ALTER TABLE t ADD COLUMN b TEXT;",
	"INSERT INTO t (a) VALUES (3); ALTER TABLE nosuch ADD COLUMN c TEXT;",
};

static const struct schema s1 = { .what = "test database", .application_id = 4242, .version = 1, .create_sql = v1 };
static const struct schema s3 = {
	.what = "test database", .application_id = 4242, .version = 3, .create_sql = v3, .upgrades = ups,
};
static const struct schema s3bad = {
	.what = "test database", .application_id = 4242, .version = 3, .create_sql = v3, .upgrades = bad_ups,
};

/* An upgrade in code after the SQL of its step: it sees the step's SQL
 * done, and a failure undoes the whole upgrade. */
static int fn_counts(sqlite3 *db, char **ret_err)
{
	(void)ret_err;
	return sqlite3_exec(db, "UPDATE t SET b = (SELECT count(*) FROM t)", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}
static int fn_fails(sqlite3 *db, char **ret_err)
{
	(void)db;
	*ret_err = xstrdup("the table is not as expected");
	return -EIO;
}
static int (*const fns[])(sqlite3 *, char **) = { fn_counts, NULL };
static int (*const bad_fns[])(sqlite3 *, char **) = { NULL, fn_fails };
static const char *const step2[] = { NULL, "ALTER TABLE t ADD COLUMN c TEXT;" };
static const struct schema s3fn = {
	.what = "test database", .application_id = 4242, .version = 3, .create_sql = v3, .upgrades = step2,
	.upgrade_fns = fns,
};
static const struct schema s3fnbad = {
	.what = "test database", .application_id = 4242, .version = 3, .create_sql = v3, .upgrades = step2,
	.upgrade_fns = bad_fns,
};

static sqlite3 *open_mem(void)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	return db;
}

static int64_t q(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_empty_database_is_created_at_current_version(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	assert_int_equal(schema_apply(db, &s3, &from, NULL), 0);
	assert_int_equal(from, 0);
	assert_int_equal(q(db, "PRAGMA user_version"), 3);
	assert_int_equal(q(db, "PRAGMA application_id"), 4242);
	assert_int_equal(q(db, "SELECT count(*) FROM pragma_table_info('t')"), 3);
	sqlite3_close(db);
}

static void test_old_version_upgraded_step_by_step_keeping_rows(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	assert_int_equal(schema_apply(db, &s1, &from, NULL), 0);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t (a) VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(schema_apply(db, &s3, &from, NULL), 0);
	assert_int_equal(from, 1);
	assert_int_equal(q(db, "PRAGMA user_version"), 3);
	assert_int_equal(q(db, "SELECT count(*) FROM t WHERE c = 'three'"), 2);
	/* Again: nothing to do. */
	assert_int_equal(schema_apply(db, &s3, &from, NULL), 0);
	assert_int_equal(from, 3);
	sqlite3_close(db);
}

/* Opening a database already at the current version writes nothing: no
 * frame in the write-ahead log, no transaction left open. It used to set
 * user_version to the value it had, a write of the header's page with its
 * syncs at every start, and a checkpoint at every close. */
static void test_open_at_current_version_writes_nothing(void **state)
{
	char dir[] = "/tmp/casewatch-schema.XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/t.db", dir);
	_cleanup_free_ char *wal = xasprintf("%s-wal", path);
	sqlite3 *db = NULL;
	int from = -1;
	char *err = NULL;
	assert_int_equal(schema_open(path, &s3, &db, &from, &err), 0);
	assert_int_equal(from, 0);
	sqlite3_close(db);
	assert_int_equal(access(wal, F_OK), -1); /* checkpointed and removed */

	db = NULL;
	assert_int_equal(schema_open(path, &s3, &db, &from, &err), 0);
	assert_int_equal(from, 3);
	assert_int_equal(sqlite3_get_autocommit(db), 1);
	struct stat sb;
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(q(db, "PRAGMA user_version"), 3);
	sqlite3_close(db);
	schema_remove_files(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_failed_upgrade_changes_nothing(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	char *err = NULL;
	assert_int_equal(schema_apply(db, &s1, &from, NULL), 0);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t (a) VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	from = -1;
	assert_int_equal(schema_apply(db, &s3bad, &from, &err), -EIO);
	assert_int_equal(from, -1);
	assert_non_null(strstr(err, "cannot upgrade the test database from version 2: no such table: nosuch"));
	free(err);
	/* Neither the first step nor the half of the second stayed. */
	assert_int_equal(q(db, "PRAGMA user_version"), 1);
	assert_int_equal(q(db, "SELECT count(*) FROM pragma_table_info('t')"), 1);
	assert_int_equal(q(db, "SELECT count(*) FROM t"), 1);
	sqlite3_close(db);
}

static void test_upgrade_functions_run_after_their_sql_and_fail_whole(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	char *err = NULL;
	assert_int_equal(schema_apply(db, &s1, &from, NULL), 0);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t (a) VALUES (1), (2)", NULL, NULL, NULL), SQLITE_OK);
	/* Step 1 of s3fn is a function only, which needs column b. */
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE t ADD COLUMN b TEXT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(schema_apply(db, &s3fnbad, &from, &err), -EIO);
	assert_string_equal(err, "cannot upgrade the test database from version 2: the table is not as expected");
	free(err);
	/* Nothing of it stayed: still version 1, no column c. */
	assert_int_equal(q(db, "PRAGMA user_version"), 1);
	assert_int_equal(q(db, "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'c'"), 0);
	assert_int_equal(schema_apply(db, &s3fn, &from, NULL), 0);
	assert_int_equal(from, 1);
	assert_int_equal(q(db, "PRAGMA user_version"), 3);
	assert_int_equal(q(db, "SELECT count(*) FROM t WHERE b = '2'"), 2);
	assert_int_equal(q(db, "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'c'"), 1);
	sqlite3_close(db);
}

static void test_newer_and_foreign_databases_refused(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	char *err = NULL;
	assert_int_equal(schema_apply(db, &s3, &from, NULL), 0);
	assert_int_equal(schema_apply(db, &s1, &from, &err), -EPROTO);
	assert_string_equal(err, "test database schema version 3 is newer than this casewatch knows (1)");
	free(err);
	sqlite3_close(db);

	db = open_mem();
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE theirs (x)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(schema_apply(db, &s1, &from, &err), -EEXIST);
	assert_string_equal(err, "not a casewatch test database");
	free(err);
	assert_int_equal(q(db, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(db);
}

static void test_case_schema_creates_every_contract_table(void **state)
{
	sqlite3 *db = open_mem();
	int from = -1;
	assert_int_equal(schema_apply(db, &casedb_schema, &from, NULL), 0);
	assert_int_equal(q(db, "PRAGMA user_version"), CASEDB_VERSION);
	assert_int_equal(q(db, "PRAGMA application_id"), CASEDB_APPLICATION_ID);
	static const char *const cols[] = {
		"teams:id,name,supervisor,manager_email",
		"officers:id,name,email,team,active",
		"cases:id,ref,stage,category,serious,hate,risk,officer,team,agreed_contact,received_at",
		"parties:id,case_id,role,label,preferred_channel,identified_at,roles",
		"events:id,case_id,at,kind,party_id,channel,detail,officer",
		"surveys:id,case_id,at,satisfied",
		"meetings:id,kind,held_on,team",
	};
	for (size_t i = 0; i < ELEMENTSOF(cols); i++) {
		_cleanup_free_ char *table = xstrndup(cols[i], strcspn(cols[i], ":"));
		_cleanup_free_ char *sql = xasprintf(
			"SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('%s') ORDER BY cid)",
			table);
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), strchr(cols[i], ':') + 1);
		sqlite3_finalize(st);
		_cleanup_free_ char *strict = xasprintf("SELECT strict FROM pragma_table_list WHERE name = '%s'", table);
		assert_int_equal(q(db, strict), 1);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_database_is_created_at_current_version),
		cmocka_unit_test(test_old_version_upgraded_step_by_step_keeping_rows),
		cmocka_unit_test(test_open_at_current_version_writes_nothing),
		cmocka_unit_test(test_failed_upgrade_changes_nothing),
		cmocka_unit_test(test_upgrade_functions_run_after_their_sql_and_fail_whole),
		cmocka_unit_test(test_newer_and_foreign_databases_refused),
		cmocka_unit_test(test_case_schema_creates_every_contract_table),
	};
	return tap_exit(cmocka_run_group_tests(tests, NULL, NULL));
}

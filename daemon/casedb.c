/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "casedb.h"

#include <stddef.h>

/* schema/casedb.sql, carried in the program by sql2c.sh. */
extern const char casedb_schema_sql[];

/* schema/casedb-2.sql and on, when there are any, go here in order. */
static const char *const casedb_upgrades[] = { NULL };

const struct schema casedb_schema = {
	.what = "case database",
	.application_id = CASEDB_APPLICATION_ID,
	.version = CASEDB_VERSION,
	.create_sql = casedb_schema_sql,
	.upgrades = casedb_upgrades,
};

int casedb_init(const char *path, int *ret_from, char **ret_err)
{
	sqlite3 *db = NULL;
	int r = schema_open(path, &casedb_schema, &db, ret_from, ret_err);
	sqlite3_close(db);
	return r;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "casedb.h"

#include <stddef.h>

/* schema/casedb.sql and the upgrades schema/casedb-N.sql, carried in the
 * program by sql2c.sh. */
extern const char casedb_schema_sql[];
extern const char casedb_upgrade_2_sql[];

/* upgrades[v - 1] takes version v to v + 1. */
static const char *const casedb_upgrades[] = { casedb_upgrade_2_sql };

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

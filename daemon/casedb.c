/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "casedb.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

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

static void remove_db(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < ELEMENTSOF(suffix); i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", path, suffix[i]);
		unlink(p);
	}
}

int casedb_init(const char *path, int *ret_from, char **ret_err)
{
	int version = 0;
	bool created = false;
	int r = schema_probe_file(path, &casedb_schema, &version);

	if (r < 0) {
		*ret_err = xasprintf("%s: %s", path, r == -EISDIR ? "is a folder" : strerror(-r));
		return r;
	}
	switch ((enum schema_probe)r) {
	case SCHEMA_PROBE_FOREIGN:
		*ret_err = xasprintf("%s exists and is not a casewatch case database; left as it was", path);
		return -EEXIST;
	case SCHEMA_PROBE_OURS:
		if (version > CASEDB_VERSION) {
			*ret_err = xasprintf("%s has schema version %d, newer than this casewatch knows (%d); left as it was",
					     path, version, CASEDB_VERSION);
			return -EPROTO;
		}
		break;
	case SCHEMA_PROBE_MISSING: {
		/* Victims' details live here: readable by the owner and the
		 * service's group only. O_EXCL: never clobber a file that
		 * appeared meanwhile. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd < 0) {
			r = -errno;
			*ret_err = xasprintf("cannot create %s: %s", path, strerror(-r));
			return r;
		}
		close(fd);
		created = true;
		break;
	}
	case SCHEMA_PROBE_EMPTY:
		break;
	}

	sqlite3 *db = NULL;
	char *e = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		*ret_err = xasprintf("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		r = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	/* WAL lets the daemon read while the council's systems write. It is a
	 * property of the file, set outside any transaction. */
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, &e) != SQLITE_OK) {
		*ret_err = xasprintf("cannot set WAL mode on %s: %s", path, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		r = -EIO;
		goto out;
	}
	char *why = NULL;
	r = schema_apply(db, &casedb_schema, ret_from, &why);
	if (r < 0) {
		*ret_err = xasprintf("%s: %s", path, why);
		free(why);
	}
out:
	sqlite3_close(db);
	if (r < 0 && created)
		remove_db(path);
	return r;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The SQLite file header: "SQLite format 3\0", the user version at byte 60
 * and the application id at byte 68, big-endian (fileformat2.html). */
#define HEADER_LEN 100
static const char sqlite_magic[16] = "SQLite format 3";

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int query_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (r == SQLITE_OK) {
		r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			*ret = sqlite3_column_int64(st, 0);
			r = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return r;
}

/* In WAL mode (header byte 18 = 2) the header is brought up to date only
 * at a checkpoint: while another process holds the database open, the
 * latest application id may still be in the -wal file. Only then ask
 * SQLite, read-only: the -wal and -shm files already exist, so opening it
 * creates nothing. */
static bool probe_wal(const char *path, const struct schema *s, int *ret_version)
{
	_cleanup_free_ char *wal = xasprintf("%s-wal", path);
	struct stat st;
	if (stat(wal, &st) < 0 || st.st_size == 0)
		return false;

	sqlite3 *db = NULL;
	int64_t app = 0, version = 0;
	bool ours = false;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    query_int(db, "PRAGMA application_id", &app) == SQLITE_OK &&
	    query_int(db, "PRAGMA user_version", &version) == SQLITE_OK &&
	    app == s->application_id) {
		*ret_version = (int)version;
		ours = true;
	}
	sqlite3_close(db);
	return ours;
}

int schema_probe_file(const char *path, const struct schema *s, int *ret_version)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? SCHEMA_PROBE_MISSING : -errno;

	struct stat st;
	unsigned char h[HEADER_LEN];
	ssize_t n = 0;
	int r;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		r = SCHEMA_PROBE_FOREIGN;
	else if (st.st_size == 0)
		r = SCHEMA_PROBE_EMPTY;
	else if ((n = read(fd, h, sizeof(h))) < 0)
		r = -errno;
	else if (n < HEADER_LEN || memcmp(h, sqlite_magic, sizeof(sqlite_magic)) != 0)
		r = SCHEMA_PROBE_FOREIGN;
	else if ((int32_t)be32(h + 68) == s->application_id) {
		*ret_version = (int)be32(h + 60);
		r = SCHEMA_PROBE_OURS;
	} else if (h[18] == 2 && probe_wal(path, s, ret_version))
		r = SCHEMA_PROBE_OURS;
	else
		r = SCHEMA_PROBE_FOREIGN;
	close(fd);
	return r;
}

static int fail(sqlite3 *db, char **ret_err, int r, char *msg)
{
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (ret_err)
		*ret_err = msg;
	else
		free(msg);
	return r;
}

int schema_apply(sqlite3 *db, const struct schema *s, int *ret_from, char **ret_err)
{
	char *e = NULL;
	int64_t app = 0, version = 0, objects = 0;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &e) != SQLITE_OK) {
		char *msg = xasprintf("cannot lock the %s: %s", s->what, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		return fail(db, ret_err, -EIO, msg);
	}
	/* Read again under the lock: the file may have changed since a probe. */
	if (query_int(db, "PRAGMA application_id", &app) != SQLITE_OK ||
	    query_int(db, "PRAGMA user_version", &version) != SQLITE_OK ||
	    query_int(db, "SELECT count(*) FROM sqlite_schema", &objects) != SQLITE_OK)
		return fail(db, ret_err, -EIO, xasprintf("cannot read the %s: %s", s->what, sqlite3_errmsg(db)));

	if (app == 0 && version == 0 && objects == 0) {
		if (sqlite3_exec(db, s->create_sql, NULL, NULL, &e) != SQLITE_OK) {
			char *msg = xasprintf("cannot create the %s: %s", s->what, e ? e : sqlite3_errmsg(db));
			sqlite3_free(e);
			return fail(db, ret_err, -EIO, msg);
		}
	} else if (app != s->application_id) {
		return fail(db, ret_err, -EEXIST, xasprintf("not a casewatch %s", s->what));
	} else if (version > s->version) {
		return fail(db, ret_err, -EPROTO,
			    xasprintf("%s schema version %lld is newer than this casewatch knows (%d)",
				      s->what, (long long)version, s->version));
	} else if (version < 1) {
		return fail(db, ret_err, -EPROTO,
			    xasprintf("%s has no schema version", s->what));
	} else if (version == s->version) {
		/* Nothing to do, and nothing written: setting user_version to
		 * the value it has still writes the header's page, which made
		 * every open of the state database a write transaction with
		 * its syncs, and its close a checkpoint. */
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		*ret_from = (int)version;
		return 0;
	} else {
		for (int64_t v = version; v < s->version; v++) {
			if (s->upgrades[v - 1] && sqlite3_exec(db, s->upgrades[v - 1], NULL, NULL, &e) != SQLITE_OK) {
				char *msg = xasprintf("cannot upgrade the %s from version %lld: %s", s->what,
						      (long long)v, e ? e : sqlite3_errmsg(db));
				sqlite3_free(e);
				return fail(db, ret_err, -EIO, msg);
			}
			char *why = NULL;
			int r = s->upgrade_fns && s->upgrade_fns[v - 1] ? s->upgrade_fns[v - 1](db, &why) : 0;
			if (r < 0) {
				char *msg = xasprintf("cannot upgrade the %s from version %lld: %s", s->what,
						      (long long)v, why);
				free(why);
				return fail(db, ret_err, r, msg);
			}
		}
		_cleanup_free_ char *set = xasprintf("PRAGMA user_version = %d", s->version);
		if (sqlite3_exec(db, set, NULL, NULL, NULL) != SQLITE_OK)
			return fail(db, ret_err, -EIO, xasprintf("cannot upgrade the %s: %s", s->what,
								 sqlite3_errmsg(db)));
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &e) != SQLITE_OK) {
		char *msg = xasprintf("cannot commit the %s: %s", s->what, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		return fail(db, ret_err, -EIO, msg);
	}
	*ret_from = (int)version;
	return 0;
}

void schema_remove_files(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < ELEMENTSOF(suffix); i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", path, suffix[i]);
		unlink(p);
	}
}

int schema_open(const char *path, const struct schema *s, sqlite3 **ret_db, int *ret_from, char **ret_err)
{
	int version = 0;
	bool created = false;
	int r = schema_probe_file(path, s, &version);

	if (r < 0) {
		*ret_err = xasprintf("%s: %s", path, r == -EISDIR ? "is a folder" : strerror(-r));
		return r;
	}
	switch ((enum schema_probe)r) {
	case SCHEMA_PROBE_FOREIGN:
		*ret_err = xasprintf("%s exists and is not a casewatch %s; left as it was", path, s->what);
		return -EEXIST;
	case SCHEMA_PROBE_OURS:
		if (version > s->version) {
			*ret_err = xasprintf("%s has schema version %d, newer than this casewatch knows (%d); left as it was",
					     path, version, s->version);
			return -EPROTO;
		}
		break;
	case SCHEMA_PROBE_MISSING: {
		/* Readable by the owner and the service's group only: these
		 * files hold data about victims. O_EXCL: never clobber a
		 * file that appeared meanwhile. */
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
	/* Our programs never share a connection between threads. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		*ret_err = xasprintf("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		r = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(db, 10000);
	/* WAL lets readers read while a writer writes. It is a property of
	 * the file, set outside any transaction. */
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, &e) != SQLITE_OK) {
		*ret_err = xasprintf("cannot set WAL mode on %s: %s", path, e ? e : sqlite3_errmsg(db));
		sqlite3_free(e);
		r = -EIO;
		goto out;
	}
	char *why = NULL;
	r = schema_apply(db, s, ret_from, &why);
	if (r < 0) {
		*ret_err = xasprintf("%s: %s", path, why);
		free(why);
	}
out:
	if (r < 0) {
		sqlite3_close(db);
		if (created)
			schema_remove_files(path);
		return r;
	}
	*ret_db = db;
	return 0;
}

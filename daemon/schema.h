/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdint.h>

/* Versioned SQLite schemas: a database is created at the current version in
 * one transaction, or upgraded from an older one in one transaction, and a
 * database that is not ours is never touched. Used for the case database
 * and, later, the state database. */
struct schema {
	const char *what;        /* "case database", for messages */
	int32_t application_id;  /* PRAGMA application_id that marks our files */
	int version;             /* the current version */
	const char *create_sql;  /* builds the current version from nothing and
				  * sets application_id and user_version */
	/* upgrades[v - 1] takes version v to v + 1, for v = 1 .. version - 1:
	 * SQL, then (where the array and its entry are not NULL) a function
	 * for what SQL alone cannot do, in the same transaction; it returns 0
	 * or a negative errno with *ret_err. */
	const char *const *upgrades;
	int (*const *upgrade_fns)(sqlite3 *db, char **ret_err);
};

/* What a file holds, read from its header without opening it in SQLite, so
 * that looking changes nothing (not even a -wal or -shm file). */
enum schema_probe {
	SCHEMA_PROBE_MISSING,  /* no such file */
	SCHEMA_PROBE_EMPTY,    /* a file of 0 bytes: an empty database */
	SCHEMA_PROBE_OURS,     /* *ret_version set */
	SCHEMA_PROBE_FOREIGN,  /* anything else, SQLite or not */
};

/* Returns a schema_probe, or -errno when the file cannot be read. */
int schema_probe_file(const char *path, const struct schema *s, int *ret_version);

/* On an open read-write connection: create the schema in an empty database,
 * or upgrade ours to the current version; all or nothing, under BEGIN
 * IMMEDIATE so that two at once cannot both do it. *ret_from is the version
 * found (0 for an empty database). Returns 0, or -EEXIST (not ours),
 * -EPROTO (a version newer than this program knows), -EIO (SQLite failed;
 * nothing changed); *ret_err then says why. */
int schema_apply(sqlite3 *db, const struct schema *s, int *ret_from, char **ret_err);

/* Open the database at `path` read-write, creating it (mode 0640, WAL) or
 * upgrading it to the current version; a file that is not ours, or of a
 * newer version, or a folder, is refused and left exactly as it was, and a
 * file created here is removed again on failure. *ret_from is the version
 * found: 0 when created. Returns 0 (*ret_db open, busy timeout set) or a
 * negative errno with *ret_err. */
int schema_open(const char *path, const struct schema *s, sqlite3 **ret_db, int *ret_from, char **ret_err);

/* Remove the database at `path` and its -wal, -shm and -journal files. */
void schema_remove_files(const char *path);

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "mapping.h"
#include "tz.h"

struct progress;

/* `casewatch import` (casewatch-import(5)): CSV exports written into the
 * case database through a mapping, in one transaction. */

struct import_count {
	size_t added, changed, unchanged, deleted;
};

struct import_result {
	struct import_count t[_IMPORT_TABLE_MAX];
	bool present[_IMPORT_TABLE_MAX]; /* some file of the run was of that table */
	size_t rows;     /* data rows read */
	size_t rejected; /* of them, skipped */
	size_t notices;  /* rows read with a remark (a time that happened twice) */
};

struct import_hooks {
	/* Each rejected row or remark as it is found: "FILE:LINE: column
	 * "NAME": what is wrong". May be NULL. */
	void (*line)(void *userdata, bool rejected, const char *text);
	/* Called every few thousand rows (for a watchdog, or a signal): a
	 * negative return abandons the import (nothing written), and is
	 * returned. May be NULL. */
	int (*progress)(void *userdata);
	void *userdata;
	/* Told how many bytes of the files are read, of their size
	 * (progress.h); may be NULL. */
	struct progress *meter;
};

/* Name of the table the importer keeps in the case database: each imported
 * row's key, for the next import to find it. Made when missing. */
#define IMPORT_KEYS_TABLE "import_keys"

/* The table of the runs that landed (written, rows rejected or not): id,
 * at (Unix seconds), files (their base names), rows, rejected, changed
 * (rows new, changed or deleted); the last thousand. Made when missing. */
#define IMPORT_RUNS_TABLE "import_runs"
#define IMPORT_RUNS_FILES_MAX 500 /* bytes of the names kept */

/* When the last import landed (Unix seconds) that brought data: one that
 * rejected every row it read does not count. 0 when none has; -EIO when
 * the database cannot say. */
int import_last(sqlite3 *db, int64_t *ret_at);

/* Is the data stale by import.max_age (seconds; 0: never) at `at`, the
 * last import having landed at `last` (0: none has)? */
bool import_stale(int64_t last, int64_t at, int max_age);

/* Import the files at paths[0..n) into db (the case database, open for
 * writing) through m, reading local times in tz: each file through the
 * first source whose match fits its name, tables first (teams, officers,
 * cases, parties, events, surveys, meetings), then in the order given.
 * One transaction: with dry_run, or when a file as a whole is wrong (it
 * cannot be read, is not CSV, fits no source, lacks a column the mapping
 * names, or a snapshot guard refuses it), nothing is written and every
 * such problem is in file_problems (-EINVAL, or -errno of the database).
 * A row that is wrong is skipped, told through hooks->line, and counted.
 * Returns 0 when written (or, with dry_run, when it would have been). */
int import_files(sqlite3 *db, const struct mapping *m, const struct tz *tz, char *const *paths, size_t n,
		 bool dry_run, const struct import_hooks *hooks, struct import_result *ret,
		 struct diags *file_problems);

/* The summary line: "cases: 2 new, 1 changed, 40 unchanged; ...; 1 row
 * rejected", tables of the run only, newly allocated. */
char *import_summary(const struct import_result *r);

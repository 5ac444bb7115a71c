/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "csvread.h"
#include "diag.h"

/* An import mapping (casewatch-import(5); DESIGN.md section 9): which
 * export column is which casewatch column, how values translate and how
 * dates are written, read from a libconfig file. */

enum import_table {
	IMPORT_TEAMS,
	IMPORT_OFFICERS,
	IMPORT_CASES,
	IMPORT_PARTIES,
	IMPORT_EVENTS,
	IMPORT_SURVEYS,
	IMPORT_MEETINGS,
	_IMPORT_TABLE_MAX,
};
/* "teams" ... "meetings"; from_string returns -EINVAL for anything else. */
const char *import_table_to_string(enum import_table t);
int import_table_from_string(const char *s);

/* What a time that happened twice (the clocks going back) is read as. */
enum import_fold { IMPORT_FOLD_EARLIER, IMPORT_FOLD_LATER, IMPORT_FOLD_REJECT };

struct map_value {
	char *from; /* the export's value, exactly (after trimming spaces) */
	char *to;   /* the casewatch value */
};

struct map_column {
	char *column;  /* the casewatch column ("ref", "received_at", "case", "party", ...) */
	char **from;   /* export columns, their values joined by one space; none with set */
	size_t n_from;
	char *set;     /* the constant of `set`, or NULL */
	struct map_value *values; /* its `values` list, or none */
	size_t n_values;
	int line;      /* where it is in the mapping file */
};

/* A role given by an export column of its own ("Is Victim": Y/N). */
struct map_flag {
	char *role;  /* victim, complainant, witness, perpetrator, referrer */
	char *from;  /* the export column */
	int line;
};

struct map_source {
	char *match;             /* glob (fnmatch) on the file's base name */
	enum import_table into;
	char **key;              /* export columns that identify a row across exports */
	size_t n_key;
	struct map_column *columns; /* `columns` and `set` together, columns first */
	size_t n_columns;
	/* parties only: role_flags = { victim = "Is Victim"; ... }; a role is
	 * held when its column's value is one of `yes` (default "Y", "Yes",
	 * "1", "True", "X"; compared without regard to case). */
	struct map_flag *role_flags;
	size_t n_role_flags;
	char **yes;
	size_t n_yes;
	bool snapshot;           /* the export is every row: rows not in it are deleted */
	double snapshot_min;     /* the guard: refuse when fewer than this share of the rows last imported */
	int line;
};

struct mapping {
	char *path;
	enum csv_encoding encoding;   /* "utf-8" (default) or "windows-1252" */
	char delimiter;               /* default ',' */
	char *timestamp_format;       /* strptime-style, default "%d/%m/%Y %H:%M" */
	char *date_format;            /* default "%d/%m/%Y" */
	enum import_fold fold;        /* `ambiguous_time`, default earlier */
	struct map_source *sources;
	size_t n_sources;
};

/* Read and check a mapping file: every problem goes to diags as FILE:LINE
 * (unknown keys, a table that is not one, a casewatch column the table
 * does not have, a required column not mapped (cases: ref, received_at;
 * parties: case, and role, roles or role_flags; events: case, at, kind; officers and
 * teams: id; surveys: at, satisfied; meetings: kind, held_on), a key
 * missing, a `values` entry that is not a pair of strings, a delimiter
 * that is not one byte, an encoding not known). Returns 0 with *ret set
 * when there was no problem, -EINVAL otherwise (nothing in *ret). */
int mapping_load(const char *path, struct mapping **ret, struct diags *diags);
void mapping_free(struct mapping *m);
/* Is value one of the source's `yes` values? */
bool map_is_yes(const struct map_source *s, const char *value);
/* The first source whose match fits the base name of path, or NULL. */
const struct map_source *mapping_source_for(const struct mapping *m, const char *path);
/* The translation of value for a column with a values list: its `to`, or
 * NULL when the list has no pair for it. A column with no list returns
 * value itself. */
const char *map_translate(const struct map_column *c, const char *value);

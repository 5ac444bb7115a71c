/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "schema.h"

/* The case database (DESIGN.md section 3, schema/casedb.sql). */

#define CASEDB_APPLICATION_ID 0x43574442 /* 'CWDB' */
#define CASEDB_VERSION 2

extern const struct schema casedb_schema;

/* The words the case database's CHECKs allow (schema/casedb.sql), in the
 * order of eval.h's enums, each list NULL-terminated: for the importer,
 * casewatch event and the mapping's checks, which refuse what could never
 * be stored. */
extern const char *const casedb_stages[];
extern const char *const casedb_risks[];
extern const char *const casedb_roles[];
extern const char *const casedb_channels[];
extern const char *const casedb_kinds[];

/* `casewatch db init`: create the case database at `path` (mode 0640, WAL),
 * or upgrade a casewatch one to the current version; a file that is not a
 * casewatch database (or a folder) is refused and left exactly as it was.
 * *ret_from is the version found: 0 when created, CASEDB_VERSION when it was
 * already current. Returns 0 or a negative errno with *ret_err. */
int casedb_init(const char *path, int *ret_from, char **ret_err);

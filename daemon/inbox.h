/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "import.h"
#include "tz.h"

/* The daemon's import inbox (casewatchd(8), THE IMPORT INBOX): the complete
 * files in import.inbox imported in one run, then each moved into done/ or
 * failed/ with a NAME.errors report beside it. */

/* A file newer than this (seconds, by its modification time) may still be
 * being written by a job that does not rename: it waits for a later scan. */
#define INBOX_SETTLE_SEC 10
/* The inbox's private folder: each complete file is moved into it before
 * it is read, so that nobody else can change or replace it meanwhile; a
 * crash leaves files there, imported again at the next scan. */
#define INBOX_WORK ".importing"
/* Files taken in one run; more wait for the next scan. */
#define INBOX_MAX_FILES 1000
/* Rejected rows told in the log, per run; all of them are in the reports. */
#define INBOX_LOG_LINES 10

enum inbox_outcome { INBOX_DONE, INBOX_FAILED };

struct inbox_file {
	char *name;               /* the base name */
	enum inbox_outcome outcome;
	size_t rejected;          /* rows of it skipped (done), or 0 */
	char *problem;            /* failed: the first file-level problem */
	bool report;              /* a NAME.errors is beside it */
};

struct inbox_result {
	struct inbox_file *v;     /* in name order */
	size_t n, cap;
	size_t done, failed, rejected;
	size_t waiting;           /* files left for a later scan (too new) */
	char *summary;            /* import_summary() of what landed, or NULL */
	char **lines;             /* rejected rows and remarks, the first INBOX_LOG_LINES */
	size_t n_lines, cap_lines;
	size_t more_lines;        /* beyond those */
};
void inbox_result_free(struct inbox_result *r);

/* Import the complete files of c->import_inbox (and those a crash left in
 * INBOX_WORK) through c->mapping, in one run (tables first, then name
 * order), into the case database, opened for writing only here. A file
 * that is not a plain file with one name goes to failed/ unread. A file with a file-level problem goes to failed/ and
 * the run is made again without it; the others go to done/ once the run
 * is committed. `progress` (may be NULL) is import_hooks.progress: a
 * negative return abandons the run, nothing written or moved, and is
 * returned; `meter` (may be NULL) is import_hooks.meter. Returns 0
 * (nothing to do, or files moved), or -errno with *ret_err when the inbox
 * or the case database failed: the files are left for the next scan. */
struct progress;
int inbox_run(const struct conf *c, const struct tz *tz, int (*progress)(void *userdata), void *userdata,
	      struct progress *meter, struct inbox_result *ret, char **ret_err);

/* Is dir an inbox casewatchd can use: a folder, and sticky if others may
 * write it? 0, or -errno with *ret_err. */
int inbox_usable(const char *dir, char **ret_err);

/* Each file waiting in the inbox's failed/ folder (not the reports), in
 * name order, with the first line of its report, for the managers'
 * digest. Returns the number given to `each`, or -errno. */
int inbox_failed(const char *inbox, void (*each)(void *userdata, const char *name, const char *problem),
		 void *userdata);

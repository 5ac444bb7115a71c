/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "conf.h"
#include "directory.h"
#include "message.h"
#include "outbox.h"
#include "tmpl.h"

/* Shared by the outbox's modules (outbox.c, directory.c, compose.c,
 * digest.c, deliver.c); not for the programs. */

/* "state database: WHAT: sqlite's message" in *ret_err; returns -EIO. */
int db_fail(sqlite3 *db, const char *what, char **ret_err);
void report_line(struct outbox_report *r, bool problem, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Column i as a new string, NULL for NULL. */
char *col_dup(sqlite3_stmt *st, int i);
/* Run sql with ?1 = a, ?2 = b and ?3 = t (when not NULL). Returns the
 * rows changed, or -EIO with *ret_err. */
int exec_bind(sqlite3 *db, const char *sql, char **ret_err, int64_t a, int64_t b, const char *t);
const struct webhook_conf *find_webhook(const struct conf *c, const char *name);
int meta_text(sqlite3 *db, const char *key, char **ret, char **ret_err);
int meta_set_text(sqlite3 *db, const char *key, const char *value, char **ret_err);

/* The parts of one notification that a message may carry. */
struct item {
	int64_t id, case_id;
	char *ref, *rule, *stage, *recipient, *due, *officer, *team;
	int64_t due_day; /* -1: none */
	int64_t overdue_at, created_at;
	bool urgent, hours;
	/* Resolved: */
	bool webhook;
	char *dest;
};

struct composer {
	struct outbox_ctx *ctx;
	const struct conf *conf;
	sqlite3 *db;
	sqlite3 *cases; /* the case database, read */
	struct directory dir;
	char *instance, *domain;
	cw_day today;
	int minutes; /* local time of day */
	/* With stale data, overdue and escalated stages reached after this
	 * instant are held (INT64_MAX: the data is fresh). */
	int64_t hold_after;
	int64_t next_id;
};


void item_free(struct item *it);
const char *stage_label(const char *stage, bool hours);
/* How late, in the terms of the deadline: "3 working days late"; NULL
 * when not late. */
char *late_text(struct composer *m, int64_t due_day, int64_t overdue_at, bool hours);
char *case_link(const struct conf *c, const char *ref);
char *due_text(const char *due);
void item_fields(struct composer *m, struct tmpl_data *d, const struct item *it, bool with_officer);
/* "2 due today, 1 overdue" from counts by label. */
char *summary_text(const char *const *labels, const size_t *counts, size_t n);
/* Render an email of kind k for `to` and add it. Returns its id, 0 when a
 * digest for the period was already there, or -errno. */
int64_t add_email(struct composer *m, enum msg_kind k, const char *to, const char *period, int64_t case_id,
		  struct tmpl_data *d, char **ret_err);
/* "the case data has not been updated since ...": why items are held, or
 * NULL when the data is fresh. */
char *stale_text(struct composer *m);
/* The digests whose time has come. */
int compose_digests(struct composer *m, char **ret_err);

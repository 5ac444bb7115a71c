/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "directory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "outbox-int.h"
#include "util.h"

static int cmp_officer(const void *a, const void *b)
{
	return strcmp(((const struct officer *)a)->id, ((const struct officer *)b)->id);
}

static int cmp_team(const void *a, const void *b)
{
	return strcmp(((const struct team *)a)->id, ((const struct team *)b)->id);
}

static int cmp_by_email(const void *a, const void *b)
{
	const struct officer *x = *(const struct officer *const *)a, *y = *(const struct officer *const *)b;
	return strcmp(x->email, y->email);
}

void directory_free(struct directory *d)
{
	for (size_t i = 0; i < d->n_officers; i++) {
		free(d->officers[i].id);
		free(d->officers[i].name);
		free(d->officers[i].email);
	}
	for (size_t i = 0; i < d->n_teams; i++) {
		free(d->teams[i].id);
		free(d->teams[i].name);
		free(d->teams[i].supervisor);
		free(d->teams[i].manager);
	}
	free(d->officers);
	free(d->teams);
	free(d->by_email);
}

char *col_clean(sqlite3_stmt *st, int i, size_t cap)
{
	return text_clean((const char *)sqlite3_column_text(st, i), cap, NULL);
}

/* Column i when it is an address a message can carry, else NULL: an
 * address is never repaired nor cut, which would make it another's. */
static char *col_address(sqlite3_stmt *st, int i)
{
	const char *a = (const char *)sqlite3_column_text(st, i);
	return address_usable(a) ? xstrdup(a) : NULL;
}

/* The ids are cleaned as scan.c cleans a case's officer and team
 * (text_clean() with TEXT_MAX_ID), so that a case still finds them here. */
int directory_load(sqlite3 *cdb, struct directory *d, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;
	if (sqlite3_prepare_v2(cdb, "SELECT id, name, email FROM officers WHERE id IS NOT NULL", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->officers = xgrow(d->officers, &cap, d->n_officers + 1, sizeof(*d->officers));
		d->officers[d->n_officers++] = (struct officer){
			col_clean(st, 0, TEXT_MAX_ID), col_clean(st, 1, TEXT_MAX_NAME), col_address(st, 2),
		};
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	cap = 0;
	if (sqlite3_prepare_v2(cdb, "SELECT id, name, supervisor, manager_email FROM teams WHERE id IS NOT NULL", -1,
			       &st, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->teams = xgrow(d->teams, &cap, d->n_teams + 1, sizeof(*d->teams));
		d->teams[d->n_teams++] = (struct team){
			col_clean(st, 0, TEXT_MAX_ID), col_clean(st, 1, TEXT_MAX_NAME), col_clean(st, 2, TEXT_MAX_ID),
			col_address(st, 3),
		};
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (d->n_officers)
		qsort(d->officers, d->n_officers, sizeof(*d->officers), cmp_officer);
	if (d->n_teams)
		qsort(d->teams, d->n_teams, sizeof(*d->teams), cmp_team);
	d->by_email = xcalloc(d->n_officers + 1, sizeof(*d->by_email));
	for (size_t i = 0; i < d->n_officers; i++)
		if (d->officers[i].email)
			d->by_email[d->n_by_email++] = &d->officers[i];
	if (d->n_by_email)
		qsort(d->by_email, d->n_by_email, sizeof(*d->by_email), cmp_by_email);
	return 0;
fail:
	*ret_err = xasprintf("case database: reading officers and teams: %s", sqlite3_errmsg(cdb));
	sqlite3_finalize(st);
	return -EIO;
}

const struct officer *directory_officer(const struct directory *d, const char *id)
{
	if (!id || !d->n_officers)
		return NULL;
	struct officer key = { .id = (char *)id };
	return bsearch(&key, d->officers, d->n_officers, sizeof(key), cmp_officer);
}

const struct team *directory_team(const struct directory *d, const char *id)
{
	if (!id || !d->n_teams)
		return NULL;
	struct team key = { .id = (char *)id };
	return bsearch(&key, d->teams, d->n_teams, sizeof(key), cmp_team);
}

bool address_usable(const char *a)
{
	return addr_spec_ok(a);
}

const char *directory_address_name(const struct directory *d, const char *address)
{
	if (!address)
		return NULL;
	size_t lo = 0, hi = d->n_by_email;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(d->by_email[mid]->email, address) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Every officer with this address, one name among them. */
	const char *name = NULL;
	for (size_t i = lo; i < d->n_by_email && strcmp(d->by_email[i]->email, address) == 0; i++) {
		const char *n = d->by_email[i]->name;
		if (!n || !*n)
			continue;
		if (name && strcmp(name, n) != 0)
			return NULL;
		name = n;
	}
	return name;
}

const char *directory_officer_name(const struct directory *d, const char *id)
{
	const struct officer *o = directory_officer(d, id);
	return o && o->name && *o->name ? o->name : id ? id : "(none)";
}

const char *directory_team_name(const struct directory *d, const char *id)
{
	const struct team *t = directory_team(d, id);
	return t && t->name && *t->name ? t->name : id ? id : "(none)";
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>


/* The unit's staff, from the case database: who the officer, supervisor
 * and manager of a case are, and what to call them. */
struct officer {
	char *id, *name, *email;
};
struct team {
	char *id, *name, *supervisor, *manager;
};
struct directory {
	struct officer *officers;
	size_t n_officers;
	struct team *teams;
	size_t n_teams;
	/* The officers with an address, by address: directory_address_name()'s. */
	struct officer **by_email;
	size_t n_by_email;
};


/* Read the officers and teams of the case database, cleaned as they are
 * read (text_clean()): ids to TEXT_MAX_ID, names to TEXT_MAX_NAME; an
 * address that is not address_usable() is NULL. Returns 0 or -EIO with
 * *ret_err. */
int directory_load(sqlite3 *cases, struct directory *d, char **ret_err);
void directory_free(struct directory *d);
const struct officer *directory_officer(const struct directory *d, const char *id);
const struct team *directory_team(const struct directory *d, const char *id);
/* What to call them: the name, else the id, else "(none)". */
const char *directory_officer_name(const struct directory *d, const char *id);
const char *directory_team_name(const struct directory *d, const char *id);
/* Column i of a row, cleaned for a message: text_clean(text, cap); NULL
 * for NULL. Shared by the outbox's modules. */
char *col_clean(sqlite3_stmt *st, int i, size_t cap);
/* Whether `a` can be written in a message's To and RCPT TO:
 * addr_spec_ok(). */
bool address_usable(const char *a);
/* The name to write beside `address` in a message's To: the name of the
 * officer whose email it is; NULL when no officer with a name has it, or
 * officers of different names share it. */
const char *directory_address_name(const struct directory *d, const char *address);

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CSV importer (import_files, casewatch-import(5)), with the reader
 * (csv_read_file) and the mappings it reads through, into a case database
 * in memory, in Europe/London.
 *
 * An input is one control byte, then up to seven CSV files separated by
 * lines of "====", written as cases-x.csv, contacts-x.csv, actions-x.csv,
 * staff-x.csv, teams-x.csv, surveys-x.csv and meetings-x.csv, which the
 * mappings read into cases, parties, events, officers, teams, surveys and
 * meetings (a file of no bytes is left out of the import). Seven files
 * more, after a further "====", are the next day's export. The control
 * byte:
 *   bit 0     the first import is a dry run;
 *   bits 1-2  the mapping: 0 UTF-8 and commas; 1 Windows-1252, the later of
 *             a time that happened twice, keys of two columns, constants
 *             (set), role_flags with its own yes, every table a snapshot;
 *             2 UTF-8, semicolons, ISO dates, such a time refused; 3
 *             Windows-1252, tabs, "25 Oct 2026" dates, snapshots;
 *   bits 3-4  a second import: 0 none; 1 the same files again; 2 the same
 *             files, each without its last line (rows gone from a
 *             snapshot); 3 the next day's files;
 *   bit 5     the second import is a dry run.
 *
 * Checked on every import: it returns 0 or -EINVAL, and -EINVAL with the
 * problem told; a dry run or a refused import changes nothing in the
 * database; every row read is counted once, rejected or written; rows
 * rejected and remarks are told one line each, as FILE:LINE of a line
 * the file has; once written, each table has the rows its counts say,
 * every row is found by a key and every key finds a row, no row written
 * is deleted, and what names a case or a party names one that is there;
 * every CHECK of the schema holds, and the connection has them back.
 * The same files imported again add nothing and reject the same rows.
 * The database is emptied after each input. */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedb.h"
#include "fuzz-common.h"
#include "import.h"
#include "mapping.h"
#include "tz.h"

/* The mappings' first lines: how the files are written. */
static const char *const heads[4] = {
	"encoding = \"utf-8\";\n"
	"delimiter = \",\";\n",

	"encoding = \"windows-1252\";\n"
	"delimiter = \",\";\n"
	"ambiguous_time = \"later\";\n",

	"delimiter = \";\";\n"
	"timestamp_format = \"%Y-%m-%d %H:%M:%S\";\n"
	"date_format = \"%Y-%m-%d\";\n"
	"ambiguous_time = \"reject\";\n",

	"encoding = \"windows-1252\";\n"
	"delimiter = \"\\t\";\n"
	"timestamp_format = \"%d %b %Y %H:%M\";\n"
	"date_format = \"%d %b %Y\";\n"
	"ambiguous_time = \"earlier\";\n",
};

/* The sources of mappings 0 and 2: every column mapped, translations. */
static const char sources_plain[] =
	"sources = (\n"
	"  { match = \"cases*.csv\"; into = \"cases\"; key = [ \"Case Ref\" ];\n"
	"    columns = { ref = \"Case Ref\"; received_at = [ \"Date Received\", \"Time Received\" ];\n"
	"      stage = \"Status\"; category = \"Category\"; serious = \"Serious\"; hate = \"Hate\";\n"
	"      risk = \"Risk\"; officer = \"Officer\"; team = \"Team\"; agreed_contact = \"Agreed\"; };\n"
	"    values = {\n"
	"      stage = ( [ \"Open - Enquiry\", \"enquiry\" ], [ \"Open - Case\", \"case\" ], [ \"Closed\", \"closed\" ] );\n"
	"      serious = ( [ \"Y\", \"1\" ], [ \"N\", \"0\" ] );\n"
	"      hate = ( [ \"Y\", \"1\" ], [ \"N\", \"0\" ] );\n"
	"      risk = ( [ \"Standard\", \"standard\" ], [ \"Medium\", \"medium\" ], [ \"High\", \"high\" ] ); }; },\n"
	"  { match = \"contacts*.csv\"; into = \"parties\"; key = \"Contact ID\";\n"
	"    columns = { case = \"Case Ref\"; label = \"Name\"; role = \"Role\"; preferred_channel = \"Prefers\";\n"
	"      identified_at = [ \"Identified\" ]; };\n"
	"    values = { preferred_channel = ( [ \"Phone\", \"phone\" ], [ \"Email\", \"email\" ], [ \"Letter\", \"letter\" ] ); };\n"
	"    role_flags = { victim = \"Victim?\"; complainant = \"Complainant?\"; witness = \"Witness?\"; }; },\n"
	"  { match = \"actions*.csv\"; into = \"events\"; key = \"Action ID\";\n"
	"    columns = { case = \"Case Ref\"; party = \"Contact ID\"; at = [ \"Date\", \"Time\" ]; kind = \"Type\";\n"
	"      channel = \"How\"; detail = \"Detail\"; officer = \"By\"; };\n"
	"    values = {\n"
	"      kind = ( [ \"Phone call\", \"contact\" ], [ \"Letter\", \"contact\" ], [ \"Accepted\", \"accepted\" ],\n"
	"               [ \"Closed\", \"closed\" ], [ \"Risk\", \"risk\" ], [ \"Agreed\", \"agreed\" ] );\n"
	"      channel = ( [ \"TEL\", \"phone\" ], [ \"LTR\", \"letter\" ], [ \"EML\", \"email\" ] ); }; },\n"
	"  { match = \"staff*.csv\"; into = \"officers\"; key = \"Staff ID\";\n"
	"    columns = { id = \"Staff ID\"; name = \"Name\"; email = \"Email\"; team = \"Team\"; active = \"Active\"; };\n"
	"    values = { active = ( [ \"Y\", \"1\" ], [ \"N\", \"0\" ] ); }; },\n"
	"  { match = \"teams*.csv\"; into = \"teams\"; key = \"Team\";\n"
	"    columns = { id = \"Team\"; name = \"Team Name\"; supervisor = \"Supervisor\"; manager_email = \"Manager\"; }; },\n"
	"  { match = \"surveys*.csv\"; into = \"surveys\"; key = [ \"Survey ID\" ];\n"
	"    columns = { case = \"Case Ref\"; at = \"Answered\"; satisfied = \"Satisfied\"; };\n"
	"    values = { satisfied = ( [ \"Yes\", \"1\" ], [ \"No\", \"0\" ] ); }; },\n"
	"  { match = \"meetings*.csv\"; into = \"meetings\"; key = [ \"Meeting\", \"Held\" ];\n"
	"    columns = { kind = \"Meeting\"; held_on = \"Held\"; team = \"Team\"; }; }\n"
	");\n";

/* The sources of mappings 1 and 3: snapshots, keys of two columns (an
 * event names its party by both), constants, a roles column beside
 * role_flags with yes words of its own, an officer's key not its id. */
static const char sources_snapshot[] =
	"sources = (\n"
	"  { match = \"cases*.csv\"; into = \"cases\"; key = \"Case ID\"; snapshot = true; snapshot_min = 0.5;\n"
	"    columns = { ref = \"Case Ref\"; received_at = [ \"Date Received\", \"Time Received\" ];\n"
	"      stage = \"Status\"; risk = \"Risk\"; officer = \"Officer\"; team = \"Team\"; };\n"
	"    set = { category = \"nuisance\"; hate = 0; };\n"
	"    values = { stage = ( [ \"Open\", \"case\" ], [ \"Enquiry\", \"enquiry\" ], [ \"Closed\", \"closed\" ] ); }; },\n"
	"  { match = \"contacts*.csv\"; into = \"parties\"; key = [ \"Case Ref\", \"Contact ID\" ]; snapshot = true;\n"
	"    columns = { case = \"Case Ref\"; label = \"Name\"; roles = \"Roles\"; identified_at = [ \"Date\", \"Time\" ]; };\n"
	"    role_flags = { victim = \"Victim?\"; perpetrator = \"Perp?\"; };\n"
	"    yes = [ \"Y\", \"Ticked\" ]; },\n"
	"  { match = \"actions*.csv\"; into = \"events\"; key = \"Action ID\"; snapshot = true; snapshot_min = 0.9;\n"
	"    columns = { case = \"Case Ref\"; party = [ \"Case Ref\", \"Contact ID\" ]; at = [ \"Date\", \"Time\" ];\n"
	"      kind = \"Type\"; detail = \"Detail\"; };\n"
	"    set = { channel = \"visit\"; officer = \"system\"; };\n"
	"    values = { kind = ( [ \"Visit\", \"contact\" ], [ \"Accepted\", \"accepted\" ], [ \"Risk\", \"risk\" ] ); }; },\n"
	"  { match = \"staff*.csv\"; into = \"officers\"; key = \"Payroll No\"; snapshot = true;\n"
	"    columns = { id = \"Login\"; name = \"Name\"; team = \"Team\"; };\n"
	"    set = { active = true; }; },\n"
	"  { match = \"teams*.csv\"; into = \"teams\"; key = \"Team\"; snapshot = true; snapshot_min = 1;\n"
	"    columns = { id = \"Team\"; name = \"Team Name\"; }; },\n"
	"  { match = \"surveys*.csv\"; into = \"surveys\"; key = [ \"Case Ref\", \"Answered\" ]; snapshot = true;\n"
	"    columns = { case = \"Case Ref\"; at = \"Answered\"; satisfied = \"Satisfied\"; }; },\n"
	"  { match = \"meetings*.csv\"; into = \"meetings\"; key = [ \"Meeting\", \"Held\" ]; snapshot = true;\n"
	"    columns = { kind = \"Meeting\"; held_on = \"Held\"; }; }\n"
	");\n";

#define N_FILES 7
static const char *const file_names[N_FILES] = {
	"cases-x.csv", "contacts-x.csv", "actions-x.csv", "staff-x.csv",
	"teams-x.csv", "surveys-x.csv",  "meetings-x.csv",
};

/* The tables, children first (the order they are emptied in), with the
 * import's own table of keys and the change log after them. */
static const char *const tables[] = { "events", "parties", "surveys", "cases", "meetings", "officers", "teams" };
static const enum import_table table_ids[] = { IMPORT_EVENTS,   IMPORT_PARTIES,  IMPORT_SURVEYS, IMPORT_CASES,
					       IMPORT_MEETINGS, IMPORT_OFFICERS, IMPORT_TEAMS };
_Static_assert(ELEMENTSOF(tables) == _IMPORT_TABLE_MAX, "every table");
_Static_assert(ELEMENTSOF(table_ids) == _IMPORT_TABLE_MAX, "every table");

static struct mapping *maps[4];
static struct tz *london;
static sqlite3 *db;
static unsigned long inputs;
/* FUZZ_IMPORT_VERBOSE set: each import's problems, remarks and summary on
 * stderr, to see what an input does. */
static bool verbose;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz-import: %s\n", what);
	abort();
}

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz-import: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void exec(const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		failf("%s: %s", sql, e ? e : sqlite3_errmsg(db));
}

/* The harness's queries, each prepared once: they run several times an
 * input. */
static sqlite3_stmt *query(const char *sql)
{
	static struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[64];
	static size_t n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(cache[i].sql, sql) == 0) {
			sqlite3_reset(cache[i].st);
			return cache[i].st;
		}
	if (n == ELEMENTSOF(cache))
		fail("more queries than the cache holds");
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cache[n].st, NULL) != SQLITE_OK)
		failf("%s: %s", sql, sqlite3_errmsg(db));
	cache[n].sql = xstrdup(sql);
	return cache[n++].st;
}

static int64_t query_int(const char *sql)
{
	sqlite3_stmt *st = query(sql);
	if (sqlite3_step(st) != SQLITE_ROW)
		failf("%s: %s", sql, sqlite3_errmsg(db));
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

static int64_t count_rows(const char *table)
{
	_cleanup_free_ char *sql = xasprintf("SELECT count(*) FROM %s", table);
	return query_int(sql);
}

/* Everything in the database, as one number: FNV-1a over every value of
 * every table, in order. */
static uint64_t fingerprint(void)
{
	static const char *const all[] = { "events",   "parties", "surveys",     "cases",   "meetings",
					   "officers", "teams",   IMPORT_KEYS_TABLE, "changes", "sqlite_sequence" };
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t t = 0; t < ELEMENTSOF(all); t++) {
		_cleanup_free_ char *sql = xasprintf("SELECT * FROM %s ORDER BY 1, 2", all[t]);
		sqlite3_stmt *st = query(sql);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				const unsigned char *p = sqlite3_column_text(st, i);
				size_t n = p ? (size_t)sqlite3_column_bytes(st, i) : 0;
				h = (h ^ (uint64_t)sqlite3_column_type(st, i)) * UINT64_C(1099511628211);
				for (size_t k = 0; k < n; k++)
					h = (h ^ p[k]) * UINT64_C(1099511628211);
			}
			h = (h ^ 0xff) * UINT64_C(1099511628211);
		}
		if (rc != SQLITE_DONE)
			failf("%s: %s", sql, sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	verbose = getenv("FUZZ_IMPORT_VERBOSE") != NULL;
	if (tz_load("Europe/London", &london, NULL) < 0)
		fail("cannot load Europe/London from the zoneinfo");
	for (size_t v = 0; v < ELEMENTSOF(maps); v++) {
		_cleanup_free_ char *name = xasprintf("mapping-%zu.conf", v);
		_cleanup_free_ char *text = xasprintf("%s%s", heads[v], v & 1 ? sources_snapshot : sources_plain);
		_cleanup_free_ char *path = fuzz_write(name, text, strlen(text), 0644);
		struct diags d = { 0 };
		if (mapping_load(path, &maps[v], &d) < 0) {
			diags_print(&d, stderr);
			fail("the harness's mapping does not load");
		}
		diags_free(&d);
	}

	/* The case database, in memory: the schema as casewatch db init
	 * makes it, and the import's table of keys, which its first import
	 * makes (then nothing an input does is outside the transactions). */
	char *err = NULL;
	int from;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || schema_apply(db, &casedb_schema, &from, &err) < 0)
		failf("cannot make the case database: %s", err ? err : sqlite3_errmsg(db));
	struct import_result res;
	struct diags d = { 0 };
	if (import_files(db, maps[0], london, NULL, 0, false, NULL, &res, &d) < 0)
		fail("an import of nothing fails");
	diags_free(&d);
	return 0;
}

/* ---- One import ------------------------------------------------------ */

struct run {
	char *paths[N_FILES];
	size_t lines[N_FILES]; /* the lines of each file: its LFs, and one more */
	size_t n;
	size_t rejected, notices; /* told through the hook */
};

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->paths[i]);
}

static size_t count_lf(const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/* A file of no bytes is none: the import is of the others. (An empty
 * export is still tried: one of blank lines.) */
static void add_file(struct run *r, size_t i, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	r->paths[r->n] = fuzz_write(file_names[i], p, n, 0644);
	r->lines[r->n] = count_lf(p, n) + 1;
	r->n++;
}

/* Each remark is one line, "FILE:LINE: ...", of a file of the run and a
 * line that file has, in UTF-8. */
static void on_line(void *userdata, bool rejected, const char *text)
{
	struct run *r = userdata;
	if (verbose)
		fprintf(stderr, "  %s: %s\n", rejected ? "rejected" : "note", text);
	if (rejected)
		r->rejected++;
	else
		r->notices++;
	if (strchr(text, '\n') || strchr(text, '\r'))
		failf("a remark of more than one line: '%s'", text);
	if (!utf8_valid(text, strlen(text)))
		failf("a remark not in UTF-8: '%s'", text);
	for (size_t i = 0; i < r->n; i++) {
		size_t k = strlen(r->paths[i]);
		if (strncmp(text, r->paths[i], k) != 0 || text[k] != ':')
			continue;
		char *end;
		unsigned long line = strtoul(text + k + 1, &end, 10);
		if (end == text + k + 1 || strncmp(end, ": ", 2) != 0)
			failf("a remark without a line: '%s'", text);
		/* Only LFs count as line ends (csvread.h): after a lone CR, a row
		 * may be on the line of the header. */
		if (line < 1 || line > r->lines[i])
			failf("a remark at line %lu of a file of %zu lines: '%s'", line, r->lines[i], text);
		return;
	}
	failf("a remark not about a file of the import: '%s'", text);
}

static int on_progress(void *userdata)
{
	(void)userdata;
	return 0;
}

/* Rows of `table` no key finds, or keys of it that find no row. */
static void check_keys(const char *table)
{
	_cleanup_free_ char *keyless = xasprintf(
		"SELECT count(*) FROM %s t WHERE NOT EXISTS (SELECT 1 FROM " IMPORT_KEYS_TABLE
		" k WHERE k.tbl = '%s' AND k.row_id = t.id)",
		table, table);
	_cleanup_free_ char *dangling = xasprintf(
		"SELECT count(*) FROM " IMPORT_KEYS_TABLE " k WHERE k.tbl = '%s' AND NOT EXISTS "
		"(SELECT 1 FROM %s t WHERE t.id = k.row_id)",
		table, table);
	int64_t n;
	if ((n = query_int(keyless)) != 0)
		failf("%lld rows of %s that no key of the import finds", (long long)n, table);
	if ((n = query_int(dangling)) != 0)
		failf("%lld keys of %s that find no row", (long long)n, table);
}

/* Import the run's files; check what can be checked. Returns the
 * import's return value, its result in *res. */
static int import(struct run *run, const struct mapping *m, bool dry_run, struct import_result *res)
{
	int64_t before[_IMPORT_TABLE_MAX];
	for (size_t t = 0; t < ELEMENTSOF(tables); t++)
		before[t] = count_rows(tables[t]);
	uint64_t fp = fingerprint();

	struct import_hooks hooks = { .line = on_line, .progress = on_progress, .userdata = run };
	struct diags d = { 0 };
	run->rejected = run->notices = 0;
	int r = import_files(db, m, london, run->paths, run->n, dry_run, &hooks, res, &d);
	if (verbose) {
		_cleanup_free_ char *summary = import_summary(res);
		diags_print(&d, stderr);
		fprintf(stderr, "import of %zu files%s: %d: %s\n", run->n, dry_run ? " (dry run)" : "", r,
			r < 0 ? "nothing imported" : summary);
	}

	if (r > 0 || (r < 0 && r != -EINVAL))
		failf("import_files returned %d (%s)", r, r < 0 ? strerror(-r) : "");
	if (r < 0 && d.n == 0)
		fail("the import failed and said nothing about why");
	for (size_t i = 0; i < d.n; i++)
		if (strchr(d.v[i].msg, '\n'))
			failf("a problem of more than one line: '%s'", d.v[i].msg);
	if (sqlite3_get_autocommit(db) == 0)
		fail("the import left its transaction open");
	/* The import leaves the CHECKs out of its own transaction, where it
	 * checks every value itself: the connection gets them back, and
	 * every CHECK of the schema holds on every row. */
	if (query_int("PRAGMA ignore_check_constraints") != 0)
		fail("the import left the CHECKs off");
	sqlite3_stmt *qc = query("PRAGMA quick_check");
	const char *said = sqlite3_step(qc) == SQLITE_ROW ? (const char *)sqlite3_column_text(qc, 0) : NULL;
	if (!said || strcmp(said, "ok") != 0)
		failf("PRAGMA quick_check: %s", said ? said : sqlite3_errmsg(db));
	sqlite3_reset(qc);
	if ((r < 0 || dry_run) && fingerprint() != fp)
		failf("the database changed in an import that %s", r < 0 ? "failed" : "was a dry run");
	diags_free(&d);
	if (r < 0)
		return r;

	size_t counted = res->rejected;
	for (int t = 0; t < _IMPORT_TABLE_MAX; t++) {
		const struct import_count *c = &res->t[t];
		if (!res->present[t] && (c->added || c->changed || c->unchanged || c->deleted))
			failf("counts for %s, which no file was of", import_table_to_string(t));
		counted += c->added + c->changed + c->unchanged;
	}
	if (counted != res->rows)
		failf("%zu rows read, %zu counted (written or rejected)", res->rows, counted);
	if (run->rejected != res->rejected || run->notices != res->notices)
		failf("%zu rejected and %zu remarks counted, %zu and %zu told", res->rejected, res->notices,
		      run->rejected, run->notices);
	if (dry_run)
		return r;

	/* What the counts say: a case's parties and events go with it. */
	bool cases_gone = res->t[IMPORT_CASES].deleted > 0;
	for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
		const struct import_count *c = &res->t[table_ids[t]];
		int64_t want = before[t] + (int64_t)c->added - (int64_t)c->deleted, got = count_rows(tables[t]);
		bool cascades = cases_gone && (table_ids[t] == IMPORT_PARTIES || table_ids[t] == IMPORT_EVENTS);
		if (cascades ? got > want : got != want)
			failf("%s: %lld rows before, %zu added, %zu deleted: %lld after", tables[t],
			      (long long)before[t], c->added, c->deleted, (long long)got);
		check_keys(tables[t]);
	}
	static const char *const orphans[] = {
		"SELECT count(*) FROM parties WHERE case_id NOT IN (SELECT id FROM cases)",
		"SELECT count(*) FROM events WHERE case_id NOT IN (SELECT id FROM cases)",
		"SELECT count(*) FROM events WHERE party_id IS NOT NULL AND party_id NOT IN (SELECT id FROM parties)",
		"SELECT count(*) FROM surveys WHERE case_id IS NOT NULL AND case_id NOT IN (SELECT id FROM cases)",
	};
	for (size_t i = 0; i < ELEMENTSOF(orphans); i++)
		if (query_int(orphans[i]) != 0)
			failf("rows naming what is not there: %s", orphans[i]);
	/* Every row written is still there: a snapshot deletes only rows
	 * the export no longer has. The keys of the rows written are in the
	 * import's own table of the run, temp.import_seen. */
	int64_t lost = query_int("SELECT count(*) FROM temp.import_seen s WHERE NOT EXISTS (SELECT 1 FROM "
				 IMPORT_KEYS_TABLE " k WHERE k.tbl = s.tbl AND k.key = s.key)");
	if (lost)
		failf("%lld rows of the files written, and then deleted", (long long)lost);
	return r;
}

/* ---- The input ------------------------------------------------------- */

/* The next file of the input: up to a line "====" (the file keeps its
 * line end), or to the end. *p and *n move past it and the separator;
 * returns false when there was no more input. */
static bool next_file(const uint8_t **p, size_t *n, const uint8_t **ret, size_t *ret_len, bool *more)
{
	static const char sep[] = "====\n";
	const size_t k = sizeof(sep) - 1;
	if (!*more)
		return false;
	const uint8_t *s = *p;
	for (size_t i = 0; i + k <= *n; i++)
		if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, sep, k) == 0) {
			*ret = s;
			*ret_len = i;
			*p = s + i + k;
			*n -= i + k;
			return true;
		}
	*ret = s;
	*ret_len = *n;
	*p = s + *n;
	*n = 0;
	*more = false;
	return true;
}

/* The file without its last line (up to the LF before its last byte). */
static size_t cut_last_line(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = n - 1; i > 0; i--)
		if (p[i - 1] == '\n')
			return i;
	return 0;
}

static void empty_database(void)
{
	for (size_t t = 0; t < ELEMENTSOF(tables); t++) {
		_cleanup_free_ char *sql = xasprintf("DELETE FROM %s", tables[t]);
		exec(sql);
	}
	exec("DELETE FROM " IMPORT_KEYS_TABLE);
	exec("DELETE FROM changes");
	exec("DELETE FROM sqlite_sequence");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (len < 1)
		return 0;
	const uint8_t ctl = data[0];
	const struct mapping *m = maps[(ctl >> 1) & 3];
	const int second = (ctl >> 3) & 3;
	const bool dry1 = ctl & 1, dry2 = ctl & 0x20;

	const uint8_t *p = data + 1, *f[2 * N_FILES];
	size_t n = len - 1, flen[2 * N_FILES], nf = 0;
	bool more = true;
	while (nf < 2 * N_FILES && next_file(&p, &n, &f[nf], &flen[nf], &more))
		nf++;

	struct run run1 = { 0 };
	for (size_t i = 0; i < nf && i < N_FILES; i++)
		add_file(&run1, i, f[i], flen[i]);
	struct import_result res1, res2;
	int r1 = import(&run1, m, dry1, &res1);

	if (second) {
		struct run run2 = { 0 };
		for (size_t i = 0; i < N_FILES; i++) {
			if (second == 1 && i < nf)
				add_file(&run2, i, f[i], flen[i]);
			else if (second == 2 && i < nf)
				add_file(&run2, i, f[i], cut_last_line(f[i], flen[i]));
			else if (second == 3 && N_FILES + i < nf)
				add_file(&run2, i, f[N_FILES + i], flen[N_FILES + i]);
		}
		int r2 = import(&run2, m, dry2, &res2);
		/* The same rows again: each found, none new, the same ones
		 * refused. */
		if (second == 1 && r1 == 0 && !dry1) {
			if (r2 < 0)
				fail("the same files imported again are refused");
			for (int t = 0; t < _IMPORT_TABLE_MAX; t++)
				if (res2.t[t].added)
					failf("the same files imported again add %zu rows to %s", res2.t[t].added,
					      import_table_to_string(t));
			if (res2.rows != res1.rows || res2.rejected != res1.rejected)
				failf("the same files imported again: %zu rows, %zu rejected; the first time %zu, %zu",
				      res2.rows, res2.rejected, res1.rows, res1.rejected);
		}
		run_free(&run2);
	}
	run_free(&run1);

	/* Slow next to the rest: now and then. */
	if (++inputs % 1024 == 0 &&
	    query_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'") != 0)
		fail("PRAGMA integrity_check finds the database damaged");
	empty_database();
	return 0;
}

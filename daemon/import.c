/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "import.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "casedb.h"
#include "csvread.h"
#include "date.h"
#include "progress.h"
#include "util.h"

/* ---- What each casewatch column is ---------------------------------- */

enum ctype {
	C_TEXT,
	C_TIMESTAMP, /* RFC 3339, from timestamp_format (or date_format: midnight) */
	C_DATE,      /* YYYY-MM-DD, from date_format */
	C_BOOL,      /* 0 or 1 */
	C_ENUM,      /* one of a list */
	C_CASE,      /* a case's ref: stored as case_id */
	C_PARTY,     /* a party's key: stored as party_id */
	C_ROLE,      /* parties.role, and with C_ROLES and role_flags, roles */
	C_ROLES,
};

/* The words are schema/casedb.sql's (casedb.h); casedb_roles is in the
 * order a party's first role is chosen as its `role`. */

struct cdef {
	const char *name; /* the casewatch column, as the mapping names it */
	const char *db;   /* the database column (NULL: made from others) */
	enum ctype type;
	const char *const *allowed;
};

static const struct cdef teams_cols[] = {
	{ "id", "id", C_TEXT, NULL },
	{ "name", "name", C_TEXT, NULL },
	{ "supervisor", "supervisor", C_TEXT, NULL },
	{ "manager_email", "manager_email", C_TEXT, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef officers_cols[] = {
	{ "id", "id", C_TEXT, NULL },
	{ "name", "name", C_TEXT, NULL },
	{ "email", "email", C_TEXT, NULL },
	{ "team", "team", C_TEXT, NULL },
	{ "active", "active", C_BOOL, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef cases_cols[] = {
	{ "ref", "ref", C_TEXT, NULL },
	{ "stage", "stage", C_ENUM, casedb_stages },
	{ "category", "category", C_TEXT, NULL },
	{ "serious", "serious", C_BOOL, NULL },
	{ "hate", "hate", C_BOOL, NULL },
	{ "risk", "risk", C_ENUM, casedb_risks },
	{ "officer", "officer", C_TEXT, NULL },
	{ "team", "team", C_TEXT, NULL },
	{ "agreed_contact", "agreed_contact", C_TEXT, NULL },
	{ "received_at", "received_at", C_TIMESTAMP, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef parties_cols[] = {
	{ "case", "case_id", C_CASE, NULL },
	{ "role", NULL, C_ROLE, casedb_roles },
	{ "roles", NULL, C_ROLES, casedb_roles },
	{ "label", "label", C_TEXT, NULL },
	{ "preferred_channel", "preferred_channel", C_ENUM, casedb_channels },
	{ "identified_at", "identified_at", C_TIMESTAMP, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef events_cols[] = {
	{ "case", "case_id", C_CASE, NULL },
	{ "party", "party_id", C_PARTY, NULL },
	{ "at", "at", C_TIMESTAMP, NULL },
	{ "kind", "kind", C_ENUM, casedb_kinds },
	{ "channel", "channel", C_ENUM, casedb_channels },
	{ "detail", "detail", C_TEXT, NULL },
	{ "officer", "officer", C_TEXT, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef surveys_cols[] = {
	{ "case", "case_id", C_CASE, NULL },
	{ "at", "at", C_TIMESTAMP, NULL },
	{ "satisfied", "satisfied", C_BOOL, NULL },
	{ NULL, NULL, 0, NULL },
};
static const struct cdef meetings_cols[] = {
	{ "kind", "kind", C_TEXT, NULL },
	{ "held_on", "held_on", C_DATE, NULL },
	{ "team", "team", C_TEXT, NULL },
	{ NULL, NULL, 0, NULL },
};

static const struct tdef {
	const char *name;
	const char *pk;        /* its primary key column */
	const char *natural;   /* a column that finds a row not imported before, or NULL */
	const struct cdef *cols;
} tables[_IMPORT_TABLE_MAX] = {
	[IMPORT_TEAMS] = { "teams", "id", "id", teams_cols },
	[IMPORT_OFFICERS] = { "officers", "id", "id", officers_cols },
	[IMPORT_CASES] = { "cases", "id", "ref", cases_cols },
	[IMPORT_PARTIES] = { "parties", "id", NULL, parties_cols },
	[IMPORT_EVENTS] = { "events", "id", NULL, events_cols },
	[IMPORT_SURVEYS] = { "surveys", "id", NULL, surveys_cols },
	[IMPORT_MEETINGS] = { "meetings", "id", NULL, meetings_cols },
};

static const struct cdef *cdef_find(enum import_table t, const char *name)
{
	for (const struct cdef *c = tables[t].cols; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static bool in_list(const char *const *list, const char *v)
{
	for (; *list; list++)
		if (strcmp(*list, v) == 0)
			return true;
	return false;
}

/* ---- The run --------------------------------------------------------- */

/* One value bound for a database column. */
struct dbval {
	const char *col;
	bool is_int;
	int64_t i;
	char *s; /* NULL: SQL NULL (when !is_int) */
};

#define MAX_DBVALS 16

/* Rows a batch INSERT writes (batch_flush): its statement's fixed cost
 * (the statement journal, the trigger programs, the cursors) once for
 * them all. */
#define BATCH_ROWS 32

struct imp {
	sqlite3 *db;
	const struct mapping *m;
	const struct tz *tz;
	const struct import_hooks *hooks;
	struct import_result *ret;
	struct diags *problems;
	int r; /* < 0: the database failed */
	/* Each source's name in import_keys: its table's, or with several
	 * sources into one table, "table/match", so that their keys never
	 * meet. */
	char **labels;
	sqlite3_stmt *find_key, *add_key, *add_keys, *find_case, *find_party, *party_case, *seen_get, *seen_add, *seen_put;
	/* The database's tables and triggers are exactly casewatch's (see
	 * checks_skippable()): no trigger of a council's own can refuse part
	 * of a batch, skip a row or add one between its ids. */
	bool stock;
	uint64_t bytes_before; /* of the files read before this one, for progress */
};

struct pending;
struct file;
static int batch_flush(struct file *f);

/* A lookup remembered for the rest of a file. A file writes only its own
 * table (and the change log and keys), so what it looks up in another
 * table (a case by its ref, a party by its key) cannot change under it. */
struct memo {
	char *key;
	int64_t id, of; /* the row; for a party, its case */
};

/* Parties are looked up by events, most often a party named a few rows
 * before; cases by parties and events, in runs of rows of one case. */
#define PARTY_MEMOS 64

/* The keys a file added to a source that had none when it began (a first
 * import): a key the filter has not had cannot be in import_keys, and is
 * not looked up there. A fixed size, whatever the file's: 8 MiB, about 4%
 * of keys looked up in vain at 9 million rows. */
#define KEY_FILTER_BITS (UINT64_C(1) << 26)

/* Rows a file wrote, by their line, in the order of their ids: new rows
 * take ids one after another, and an export in the order of its ids reads
 * rows found by their keys so too, so a run of them on lines one after
 * another is one entry. */
struct id_run {
	int64_t first_id;
	unsigned long first_line;
	uint64_t n;
};

struct id_runs {
	struct id_run *v;
	size_t n, cap;
	bool off; /* full, or a row out of order came: no more kept */
};

/* How many runs a file keeps (of each kind) before it writes the lines of
 * its rows to the rows-seen table instead (6 MiB). */
#define ID_RUNS_MAX (256 * 1024)

/* The most ids the file's bitmap of the rows found by their keys covers
 * (16 MiB); a table with more keeps them in the rows seen. */
#define SEEN_IDS_MAX (INT64_C(1) << 27)

/* One file being read. */
struct file {
	struct imp *im;
	const char *path;
	const struct map_source *src;
	const char *label; /* the source's name in import_keys */
	enum import_table t;
	int file_no;
	bool header_done;
	bool failed; /* a file-level problem: the run imports nothing */
	/* For each map column, the header index of each of its from[]. */
	long **from_idx;
	const struct cdef **cdefs; /* each map column's */
	/* Room for a record's values (see field() and column_value()). */
	struct strbuf value, scratch;
	long *key_idx;
	long *flag_idx;
	size_t n_header;
	size_t rows;
	sqlite3_stmt *find_natural;
	/* The row statements, made at their first use: every row of a file
	 * has the same columns (cols says which). */
	sqlite3_stmt *ins, *upd, *differs;
	const char *cols[MAX_DBVALS];
	size_t n_cols;
	struct memo case_memo;
	struct memo party_memo[PARTY_MEMOS];
	uint64_t *key_filter; /* NULL: the source had keys when the file began */
	/* A file of a source that is no snapshot, into a table whose ids are
	 * numbers, leaves the keys of the rows it adds out of the rows seen:
	 * a key import_keys finds with an id above max_id is such a row's
	 * (the rows seen then lack it), and runs has its line. Snapshots
	 * count the rows seen, and keep them all. */
	bool track_added;
	int64_t max_id; /* the table's largest id when the file began */
	struct id_runs added;
	/* A file that batches (below) marks the rows it finds by their keys
	 * in seen_ids (ids up to max_id) and keeps their lines in found,
	 * not in the rows seen: a key is 1:1 with its row there, so a row
	 * marked is a key seen. When found is off, the rows seen have the
	 * rest. */
	uint64_t *seen_ids;
	struct id_runs found;
	/* New rows of a table without a natural column, written BATCH_ROWS
	 * at a time by one INSERT (see batch_flush). */
	bool batching;
	struct pending *batch;
	size_t n_batch;
	sqlite3_stmt *ins_many;
};

/* The row's key as import_keys has it, read before anything else: a key
 * not there cannot have been seen earlier in the run either (a row written
 * leaves its key there). */
struct key_hit {
	bool found;
	int64_t id;
	char *text_id; /* teams and officers */
	bool added;     /* write_row added the row, as new_id */
	int64_t new_id;
};

/* The key's four bits, in one 512-bit block: one cache line read a key. */
static void key_filter_bits(uint64_t h, uint64_t bit[static 4])
{
	uint64_t h2 = ((h >> 31) ^ h) * UINT64_C(0x9e3779b97f4a7c15);
	uint64_t block = h % (KEY_FILTER_BITS / 512) * 512;
	for (int i = 0; i < 4; i++)
		bit[i] = block + (h2 >> (9 * i) & 511);
}

static bool key_filter_has(const uint64_t *filter, uint64_t key_hash)
{
	uint64_t bit[4];
	key_filter_bits(key_hash, bit);
	for (int i = 0; i < 4; i++)
		if (!(filter[bit[i] / 64] & UINT64_C(1) << bit[i] % 64))
			return false;
	return true;
}

static void key_filter_add(uint64_t *filter, uint64_t key_hash)
{
	uint64_t bit[4];
	key_filter_bits(key_hash, bit);
	for (int i = 0; i < 4; i++)
		filter[bit[i] / 64] |= UINT64_C(1) << bit[i] % 64;
}

/* Remember that the file wrote row id on line; false when runs keeps no
 * more (the rows seen then have it, and every row after it). */
static bool runs_add(struct id_runs *runs, int64_t id, unsigned long line)
{
	if (runs->off)
		return false;
	struct id_run *last = runs->n ? &runs->v[runs->n - 1] : NULL;
	if (last && id == last->first_id + (int64_t)last->n && line == last->first_line + last->n) {
		last->n++;
		return true;
	}
	if (runs->n == ID_RUNS_MAX || (last && id < last->first_id + (int64_t)last->n)) {
		runs->off = true;
		return false;
	}
	if (runs->n == runs->cap) {
		runs->cap = runs->cap ? 2 * runs->cap : 16;
		runs->v = xrealloc(runs->v, runs->cap * sizeof(*runs->v));
	}
	runs->v[runs->n++] = (struct id_run){ .first_id = id, .first_line = line, .n = 1 };
	return true;
}

/* The line of row id, when runs has it; else 0. */
static unsigned long runs_line(const struct id_runs *runs, int64_t id)
{
	size_t lo = 0, hi = runs->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (runs->v[mid].first_id <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	const struct id_run *run = &runs->v[lo - 1];
	return id - run->first_id < (int64_t)run->n ? run->first_line + (unsigned long)(id - run->first_id) : 0;
}

static bool seen_id(const struct file *f, int64_t id)
{
	return f->seen_ids[id / 64] & UINT64_C(1) << id % 64;
}

static void hook_line(struct imp *im, bool rejected, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void hook_line(struct imp *im, bool rejected, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *text = xvasprintf(fmt, ap);
	va_end(ap);
	if (im->hooks && im->hooks->line)
		im->hooks->line(im->hooks->userdata, rejected, text);
}

static int db_problem(struct imp *im, const char *what)
{
	diags_add(im->problems, NULL, 0, "%s: %s", what, sqlite3_errmsg(im->db));
	im->r = -EIO;
	return -EIO;
}

static int prepare(struct imp *im, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(im->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return db_problem(im, "preparing the import");
	return 0;
}

/* The keys of a batch's rows (BATCH_ROWS, below): ?1 the source's name,
 * then each key and its row's id. */
static int prepare_add_keys(struct imp *im)
{
	struct strbuf sql = { 0 };
	strbuf_adds(&sql, "INSERT INTO " IMPORT_KEYS_TABLE " (tbl, key, row_id) VALUES ");
	for (int i = 0; i < BATCH_ROWS; i++) {
		char *p = xasprintf("%s(?1, ?%d, ?%d)", i ? ", " : "", 2 * i + 2, 2 * i + 3);
		strbuf_adds(&sql, p);
		free(p);
	}
	int r = prepare(im, sql.p, &im->add_keys);
	free(sql.p);
	return r;
}

static int exec(struct imp *im, const char *sql)
{
	if (sqlite3_exec(im->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_problem(im, sql);
	return 0;
}

/* The text of field i of rec, trimmed of spaces at both ends: in the
 * record itself when nothing follows it, else copied into buf. Valid while
 * the record and buf are. */
static const char *field(const struct csv_record *rec, long i, struct strbuf *buf)
{
	if (i < 0 || (size_t)i >= rec->n)
		return "";
	const char *s = rec->field[i];
	size_t n = rec->len[i];
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0 || (s[n - 1] != ' ' && s[n - 1] != '\t'))
		return s; /* the record's fields end in a NUL */
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	buf->n = 0;
	strbuf_add(buf, s, n);
	strbuf_add(buf, "", 0);
	return buf->p;
}

/* The value of map column ci for rec: its export columns' values joined
 * by sep (empty ones left out), or its constant. Valid until the file's
 * next record (it may be in the record, or in f->value). */
static const char *column_value(struct file *f, size_t ci, const struct csv_record *rec, char sep)
{
	const struct map_column *c = &f->src->columns[ci];
	if (c->set)
		return c->set;
	if (c->n_from == 1)
		return field(rec, f->from_idx[ci][0], &f->value);
	f->value.n = 0;
	for (size_t j = 0; j < c->n_from; j++) {
		const char *v = field(rec, f->from_idx[ci][j], &f->scratch);
		if (!*v)
			continue;
		if (f->value.n)
			strbuf_add(&f->value, &sep, 1);
		strbuf_adds(&f->value, v);
	}
	strbuf_add(&f->value, "", 0);
	return f->value.p;
}

/* "Date Received, Time Received": the export columns a column is read from. */
static char *column_names(const struct map_column *c)
{
	if (c->set)
		return xasprintf("(set %s)", c->column);
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (size_t j = 0; j < c->n_from; j++) {
		if (j)
			strbuf_adds(&b, ", ");
		strbuf_adds(&b, c->from[j]);
	}
	return b.p;
}

/* ---- Times ----------------------------------------------------------- */

/* Parse v with the strptime format fmt, whole (spaces after it allowed). */
static bool read_tm(const char *v, const char *fmt, struct tm *tm)
{
	*tm = (struct tm){ .tm_mday = 1 };
	const char *end = strptime(v, fmt, tm);
	if (!end)
		return false;
	while (*end == ' ')
		end++;
	return *end == '\0';
}

static bool tm_valid(const struct tm *tm, cw_day *ret_day)
{
	int y = tm->tm_year + 1900, mo = tm->tm_mon + 1, d = tm->tm_mday;
	if (y < 1900 || y > 2199 || !date_valid_ymd(y, mo, d))
		return false;
	if (tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59 || tm->tm_sec < 0 ||
	    tm->tm_sec > 59)
		return false;
	*ret_day = date_from_ymd(y, mo, d);
	return true;
}

enum local_kind { LOCAL_ONE, LOCAL_FOLD, LOCAL_GAP };

/* The instant(s) of a local time: one, two (the clocks went back: *ret the
 * earlier, *ret_later the later) or none (they went forward). */
static enum local_kind local_instant(const struct tz *tz, cw_day day, int32_t secs, int64_t *ret, int64_t *ret_later)
{
	int64_t naive = (int64_t)day * 86400 + secs;
	int32_t o1 = tz_offset(tz, naive - 86400), o2 = tz_offset(tz, naive + 86400);
	int64_t t1 = naive - o1, t2 = naive - o2;
	bool v1 = tz_offset(tz, t1) == o1, v2 = tz_offset(tz, t2) == o2;
	if (o1 == o2 || (v1 && !v2) || (v2 && !v1)) {
		*ret = v1 || o1 == o2 ? t1 : t2;
		if (o1 == o2 && !v1) {
			/* A change of more than a day's span: whatever holds. */
			*ret = naive - tz_offset(tz, naive);
		}
		return LOCAL_ONE;
	}
	if (v1 && v2) {
		*ret = t1 < t2 ? t1 : t2;
		*ret_later = t1 < t2 ? t2 : t1;
		return LOCAL_FOLD;
	}
	return LOCAL_GAP;
}

static void format_utc(int64_t t, char buf[static 24])
{
	int64_t d = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t s = t - d * 86400;
	int y, mo, dd;
	date_to_ymd((cw_day)d, &y, &mo, &dd);
	if (y < 0 || y > 9999) {
		snprintf(buf, 24, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, dd, (int)(s / 3600), (int)(s / 60 % 60),
			 (int)(s % 60));
		return;
	}
	/* As the snprintf above writes it: once a row, the time of a million
	 * rows' formatting. */
	int part[6] = { y / 100, y % 100, mo, dd, (int)(s / 3600), (int)(s / 60 % 60) };
	static const char sep[6] = { 0, 0, '-', '-', 'T', ':' };
	char *p = buf;
	for (int i = 0; i < 6; i++) {
		if (sep[i])
			*p++ = sep[i];
		*p++ = (char)('0' + part[i] / 10);
		*p++ = (char)('0' + part[i] % 10);
	}
	*p++ = ':';
	*p++ = (char)('0' + (int)(s % 60) / 10);
	*p++ = (char)('0' + (int)(s % 60) % 10);
	*p++ = 'Z';
	*p = '\0';
}

/* ---- Rows ------------------------------------------------------------ */

struct row {
	struct dbval v[MAX_DBVALS];
	size_t n;
	char *why;     /* the row is rejected: why, with the column */
	char *notice;  /* read, with a remark */
	int64_t case_id;
	bool has_case;
	int64_t party_case; /* the case of the party named, or -1 */
	bool has_party;
	/* parties: the roles held */
	bool role[5];
	char *first_role; /* the role column's value, when mapped */
};

/* A new row waiting for its batch's INSERT. */
struct pending {
	struct row r;
	char *key;
	uint64_t key_hash; /* hash_str()'s */
	unsigned long line;
};

static void row_free(struct row *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].s);
	free(r->why);
	free(r->notice);
	free(r->first_role);
}

static void reject(struct row *r, const struct map_column *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reject(struct row *r, const struct map_column *c, const char *fmt, ...)
{
	if (r->why)
		return; /* the first problem is told */
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *what = xvasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *names = column_names(c);
	r->why = xasprintf("column \"%s\": %s", names, what);
}

static void put_text(struct row *r, const char *col, char *s)
{
	r->v[r->n++] = (struct dbval){ .col = col, .s = s };
}

static void put_int(struct row *r, const char *col, int64_t i)
{
	r->v[r->n++] = (struct dbval){ .col = col, .is_int = true, .i = i };
}

static int role_index(const char *s, size_t n)
{
	for (int i = 0; casedb_roles[i]; i++)
		if (strlen(casedb_roles[i]) == n && strncmp(casedb_roles[i], s, n) == 0)
			return i;
	return -1;
}

/* A value shown in a problem: cleaned, cut short. */
static char *shown(const char *v)
{
	return text_clean(v, 60, NULL);
}

/* Lookups in the run's transaction. */
static int lookup(struct imp *im, sqlite3_stmt *st, const char *a, const char *b, int64_t *ret_id, bool *found)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found)
		*ret_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_problem(im, "reading the case database");
	return 0;
}

/* Columns NOT NULL with a default in schema/casedb.sql. */
static bool has_default(enum import_table t, const char *col)
{
	static const char *const cases_d[] = { "stage", "serious", "hate", "risk", NULL };
	static const char *const officers_d[] = { "active", NULL };
	if (!col)
		return false;
	if (t == IMPORT_CASES)
		return in_list(cases_d, col);
	if (t == IMPORT_OFFICERS)
		return in_list(officers_d, col);
	return false;
}

/* Convert one mapped column's value for the database, or reject the row. */
static int convert(struct file *f, size_t ci, const struct csv_record *rec, struct row *r)
{
	struct imp *im = f->im;
	const struct map_column *c = &f->src->columns[ci];
	const struct cdef *d = f->cdefs[ci];
	if (!d)
		return 0; /* the mapping's loader refuses such columns */
	/* A field not valid in the file's encoding. */
	for (size_t j = 0; j < c->n_from && !c->set; j++)
		if (rec->bad_field >= 0 && f->from_idx[ci][j] == rec->bad_field) {
			reject(r, c, "%s", im->m->encoding == CSV_UTF8 ?
						   "not valid UTF-8 (is the export Windows-1252? say encoding = \"windows-1252\")" :
						   "a byte Windows-1252 does not define");
			return 0;
		}
	if (d->type == C_PARTY) {
		/* A party's key with a part empty names no party: a row
		 * about the case as a whole. */
		bool part_empty = false;
		for (size_t j = 0; j < c->n_from; j++)
			part_empty |= !*field(rec, f->from_idx[ci][j], &f->scratch);
		if (part_empty) {
			put_text(r, d->db, NULL);
			return 0;
		}
	}
	const char *raw = column_value(f, ci, rec, d->type == C_PARTY ? '\x1f' : ' ');
	if (!*raw) {
		/* Empty is NULL, and needs no translation. */
		if (d->type == C_ROLE || d->type == C_ROLES)
			return 0;
		if (d->type == C_CASE && f->t != IMPORT_SURVEYS) {
			reject(r, c, "empty: the row names no case");
			return 0;
		}
		/* A column the schema gives a default (a case's stage and
		 * risk, the flags) keeps its default, or what it holds. */
		if (has_default(f->t, d->db))
			return 0;
		if (d->db)
			put_text(r, d->db, NULL);
		return 0;
	}
	const char *v = map_translate(c, raw);
	if (!v) {
		_cleanup_free_ char *s = shown(raw);
		reject(r, c, "\"%s\" has no translation in the mapping's values for %s", s, c->column);
		return 0;
	}
	char buf[24];
	switch (d->type) {
	case C_TEXT:
		put_text(r, d->db, xstrdup(v));
		return 0;
	case C_BOOL:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "\"%s\" is not 0 or 1 for %s (a values list can translate it)", s, c->column);
			return 0;
		}
		put_int(r, d->db, v[0] - '0');
		return 0;
	case C_ENUM:
		if (!in_list(d->allowed, v)) {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "\"%s\" is not a %s casewatch knows (a values list can translate it)", s,
			       c->column);
			return 0;
		}
		put_text(r, d->db, xstrdup(v));
		return 0;
	case C_TIMESTAMP:
	case C_DATE: {
		struct tm tm;
		cw_day day;
		bool timed = d->type == C_TIMESTAMP && read_tm(v, im->m->timestamp_format, &tm);
		if (!timed && !read_tm(v, im->m->date_format, &tm)) {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "\"%s\" is not a %s written as \"%s\"", s, d->type == C_DATE ? "date" : "time",
			       d->type == C_DATE ? im->m->date_format : im->m->timestamp_format);
			return 0;
		}
		if (!tm_valid(&tm, &day)) {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "\"%s\" is no such %s", s, d->type == C_DATE || !timed ? "date" : "date or time");
			return 0;
		}
		if (d->type == C_DATE) {
			char dbuf[DATE_STRLEN];
			put_text(r, d->db, xstrdup(date_format(day, dbuf)));
			return 0;
		}
		int32_t secs = timed ? tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec : 0;
		int64_t t = 0, later = 0;
		switch (local_instant(im->tz, day, secs, &t, &later)) {
		case LOCAL_ONE:
			break;
		case LOCAL_GAP: {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "\"%s\" did not happen in %s: the clocks went forward over it", s, tz_name(im->tz));
			return 0;
		}
		case LOCAL_FOLD: {
			_cleanup_free_ char *s = shown(v);
			if (im->m->fold == IMPORT_FOLD_REJECT) {
				reject(r, c, "\"%s\" happened twice in %s (the clocks went back): ambiguous_time = \"reject\"",
				       s, tz_name(im->tz));
				return 0;
			}
			if (im->m->fold == IMPORT_FOLD_LATER)
				t = later;
			char at[TZ_TIMESTAMP_STRLEN];
			_cleanup_free_ char *names = column_names(c);
			free(r->notice);
			r->notice = xasprintf("column \"%s\": \"%s\" happened twice in %s (the clocks went back): read as "
					      "the %s, %s",
					      names, s, tz_name(im->tz),
					      im->m->fold == IMPORT_FOLD_LATER ? "later" : "earlier",
					      tz_format_timestamp(im->tz, t, at));
			break;
		}
		}
		format_utc(t, buf);
		put_text(r, d->db, xstrdup(buf));
		return 0;
	}
	case C_CASE: {
		int64_t id = f->case_memo.id;
		bool found = f->case_memo.key && strcmp(f->case_memo.key, v) == 0;
		if (!found && lookup(im, im->find_case, v, NULL, &id, &found) < 0)
			return im->r;
		if (found && (!f->case_memo.key || strcmp(f->case_memo.key, v) != 0)) {
			free(f->case_memo.key);
			f->case_memo = (struct memo){ .key = xstrdup(v), .id = id };
		}
		if (!found) {
			_cleanup_free_ char *s = shown(v);
			reject(r, c, "no case has the reference \"%s\"", s);
			return 0;
		}
		r->case_id = id;
		r->has_case = true;
		put_int(r, d->db, id);
		return 0;
	}
	case C_PARTY: {
		int64_t id, pc;
		bool found;
		struct memo *memo = &f->party_memo[hash_str(0, v) % PARTY_MEMOS];
		if (memo->key && strcmp(memo->key, v) == 0) {
			put_int(r, d->db, memo->id);
			r->party_case = memo->of;
			r->has_party = true;
			return 0;
		}
		/* The party's key, in whichever parties source made it. */
		found = false;
		for (size_t k = 0; k < im->m->n_sources && !found; k++) {
			if (im->m->sources[k].into != IMPORT_PARTIES)
				continue;
			if (lookup(im, im->find_key, im->labels[k], v, &id, &found) < 0)
				return im->r;
		}
		_cleanup_free_ char *s = NULL;
		if (!found) {
			s = shown(v);
			for (char *p = s; *p; p++)
				if (*p == '\x1f')
					*p = ' ';
			reject(r, c, "no party imported has the key \"%s\"", s);
			return 0;
		}
		sqlite3_reset(im->party_case);
		sqlite3_bind_int64(im->party_case, 1, id);
		int rc = sqlite3_step(im->party_case);
		pc = rc == SQLITE_ROW ? sqlite3_column_int64(im->party_case, 0) : -1;
		sqlite3_reset(im->party_case);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_problem(im, "reading the parties");
		free(memo->key);
		*memo = (struct memo){ .key = xstrdup(v), .id = id, .of = pc };
		/* Checked once the case is known (columns come in any order). */
		put_int(r, d->db, id);
		r->party_case = pc;
		r->has_party = true;
		return 0;
	}
	case C_ROLE:
	case C_ROLES: {
		/* Names separated by commas, semicolons, slashes or spaces. */
		const char *p = v;
		while (*p) {
			size_t n = strcspn(p, ",;/ \t");
			if (n) {
				int i = role_index(p, n);
				if (i < 0) {
					_cleanup_free_ char *s = shown(v);
					reject(r, c, "\"%s\" is not a role casewatch knows (victim, complainant, witness, "
						     "perpetrator, referrer; a values list can translate it)",
					       s);
					return 0;
				}
				r->role[i] = true;
				if (d->type == C_ROLE && !r->first_role)
					r->first_role = xstrdup(casedb_roles[i]);
			}
			p += n;
			p += strspn(p, ",;/ \t");
		}
		return 0;
	}
	}
	return 0;
}

/* Build the row's database values from rec. Returns < 0 when the database
 * failed; a rejected row has r->why. */
static int build_row(struct file *f, const struct csv_record *rec, struct row *r)
{
	for (size_t ci = 0; ci < f->src->n_columns && !r->why && r->n < MAX_DBVALS - 2; ci++) {
		int e = convert(f, ci, rec, r);
		if (e < 0)
			return e;
	}
	if (r->why)
		return 0;
	/* The party named by an event must be of its case. */
	if (r->has_party && r->has_case && r->party_case != r->case_id) {
		for (size_t ci = 0; ci < f->src->n_columns; ci++)
			if (strcmp(f->src->columns[ci].column, "party") == 0)
				reject(r, &f->src->columns[ci], "the party is a party of another case");
		return 0;
	}
	if (f->t == IMPORT_EVENTS) {
		/* A risk event's detail is the new level (the events table's
		 * CHECK, which the import does not run: see checks_skippable). */
		const struct dbval *kind = NULL, *detail = NULL;
		for (size_t i = 0; i < r->n; i++) {
			if (strcmp(r->v[i].col, "kind") == 0)
				kind = &r->v[i];
			else if (strcmp(r->v[i].col, "detail") == 0)
				detail = &r->v[i];
		}
		if (kind && kind->s && strcmp(kind->s, "risk") == 0 && detail && detail->s &&
		    !in_list(casedb_risks, detail->s)) {
			for (size_t ci = 0; ci < f->src->n_columns; ci++)
				if (strcmp(f->src->columns[ci].column, "detail") == 0) {
					_cleanup_free_ char *s = shown(detail->s);
					reject(r, &f->src->columns[ci],
					       "\"%s\" is not a risk casewatch knows, and a risk event's detail is "
					       "the new risk (a values list can translate it)",
					       s);
				}
			return 0;
		}
	}
	if (f->t == IMPORT_PARTIES) {
		for (size_t i = 0; i < f->src->n_role_flags; i++) {
			const char *v = field(rec, f->flag_idx[i], &f->scratch);
			if (map_is_yes(f->src, v)) {
				int k = role_index(f->src->role_flags[i].role, strlen(f->src->role_flags[i].role));
				if (k >= 0)
					r->role[k] = true;
			}
		}
		const char *first = r->first_role;
		for (int i = 0; casedb_roles[i] && !first; i++)
			if (r->role[i])
				first = casedb_roles[i];
		if (!first) {
			/* Named by the export columns the roles come from. */
			struct strbuf names = { 0 };
			strbuf_add(&names, "", 0);
			for (size_t ci = 0; ci < f->src->n_columns; ci++) {
				const struct map_column *c = &f->src->columns[ci];
				if (strcmp(c->column, "role") != 0 && strcmp(c->column, "roles") != 0)
					continue;
				_cleanup_free_ char *n = column_names(c);
				strbuf_adds(&names, names.n ? ", " : "");
				strbuf_adds(&names, n);
			}
			for (size_t i = 0; i < f->src->n_role_flags; i++) {
				strbuf_adds(&names, names.n ? ", " : "");
				strbuf_adds(&names, f->src->role_flags[i].from);
			}
			r->why = xasprintf("column \"%s\": no role: the party holds none of the roles the mapping reads",
					   names.p);
			free(names.p);
			return 0;
		}
		struct strbuf more = { 0 };
		for (int i = 0; casedb_roles[i]; i++)
			if (r->role[i] && strcmp(casedb_roles[i], first) != 0) {
				if (more.n)
					strbuf_adds(&more, ", ");
				strbuf_adds(&more, casedb_roles[i]);
			}
		put_text(r, "role", xstrdup(first));
		put_text(r, "roles", more.p);
	}
	return 0;
}

static void bind_val(sqlite3_stmt *st, int i, const struct dbval *v)
{
	if (v->is_int)
		sqlite3_bind_int64(st, i, v->i);
	else if (v->s)
		sqlite3_bind_text(st, i, v->s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

enum row_sql { ROW_INSERT, ROW_UPDATE, ROW_DIFFERS };

/* INSERT of the row's columns; UPDATE of them where one differs; or the
 * SELECT that says whether one does (with the UPDATE's own WHERE, so the
 * same comparisons). */
static char *row_sql(const struct tdef *td, const struct row *r, enum row_sql what)
{
	struct strbuf sql = { 0 };
	if (what != ROW_INSERT) {
		if (what == ROW_DIFFERS) {
			strbuf_adds(&sql, "SELECT 1 FROM ");
			strbuf_adds(&sql, td->name);
		} else {
			strbuf_adds(&sql, "UPDATE ");
			strbuf_adds(&sql, td->name);
			strbuf_adds(&sql, " SET ");
			for (size_t i = 0; i < r->n; i++) {
				char *p = xasprintf("%s%s = ?%zu", i ? ", " : "", r->v[i].col, i + 1);
				strbuf_adds(&sql, p);
				free(p);
			}
		}
		char *p = xasprintf(" WHERE %s = ?%zu AND (", td->pk, r->n + 1);
		strbuf_adds(&sql, p);
		free(p);
		for (size_t i = 0; i < r->n; i++) {
			p = xasprintf("%s%s IS NOT ?%zu", i ? " OR " : "", r->v[i].col, i + 1);
			strbuf_adds(&sql, p);
			free(p);
		}
		strbuf_adds(&sql, ")");
	} else {
		strbuf_adds(&sql, "INSERT INTO ");
		strbuf_adds(&sql, td->name);
		strbuf_adds(&sql, " (");
		for (size_t i = 0; i < r->n; i++) {
			strbuf_adds(&sql, i ? ", " : "");
			strbuf_adds(&sql, r->v[i].col);
		}
		strbuf_adds(&sql, ") VALUES (");
		for (size_t i = 0; i < r->n; i++) {
			char *p = xasprintf("%s?%zu", i ? ", " : "", i + 1);
			strbuf_adds(&sql, p);
			free(p);
		}
		strbuf_adds(&sql, ")");
	}
	return sql.p;
}

/* Does the party `id`, written into case `case_id`, leave a case whose
 * events name it? Sets *ret_why when it does; -EIO when the database
 * fails. */
static int party_moves(struct imp *im, const struct map_source *src, int64_t id, int64_t case_id, char **ret_why)
{
	sqlite3_reset(im->party_case);
	sqlite3_bind_int64(im->party_case, 1, id);
	int rc = sqlite3_step(im->party_case);
	int64_t was = rc == SQLITE_ROW ? sqlite3_column_int64(im->party_case, 0) : case_id;
	sqlite3_reset(im->party_case);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_problem(im, "reading the case database");
	if (was == case_id)
		return 0;
	sqlite3_stmt *st = NULL;
	_cleanup_free_ char *ref = NULL;
	if (sqlite3_prepare_v2(im->db, "SELECT (SELECT ref FROM cases WHERE id = ?1) FROM events "
			       "WHERE case_id = ?1 AND party_id = ?2 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return db_problem(im, "reading the case database");
	sqlite3_bind_int64(st, 1, was);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ref = text_clean((const char *)sqlite3_column_text(st, 0), TEXT_MAX_REF, NULL);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_problem(im, "reading the case database");
	if (rc == SQLITE_ROW) {
		_cleanup_free_ char *names = NULL;
		for (size_t i = 0; i < src->n_columns && !names; i++)
			if (strcmp(src->columns[i].column, "case") == 0)
				names = column_names(&src->columns[i]);
		*ret_why = xasprintf("column \"%s\": the party is of case %s, whose events name it: a party with "
				     "events cannot move to another case (correct it in the case database by hand)",
				     names ? names : "case", ref ? ref : "(no reference)");
	}
	return 0;
}

/* Every row of a file has the same columns: its statements are kept
 * (and made again only if that ever changes). The names are the column
 * tables' own strings: the same column, the same pointer. */
static bool cols_same(const struct file *f, const struct row *r)
{
	bool same = f->n_cols == r->n;
	for (size_t i = 0; i < r->n && same; i++)
		same = f->cols[i] == r->v[i].col;
	return same;
}

static void use_cols(struct file *f, const struct row *r)
{
	if (cols_same(f, r))
		return;
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->upd);
	sqlite3_finalize(f->differs);
	sqlite3_finalize(f->ins_many);
	f->ins = f->upd = f->differs = f->ins_many = NULL;
	for (size_t i = 0; i < r->n; i++)
		f->cols[i] = r->v[i].col;
	f->n_cols = r->n;
}

/* The file's statement of the kind what for the row (made at its first
 * use), its values bound, and with ROW_UPDATE and ROW_DIFFERS the row's
 * id: text_id when the table's ids are text, else id. */
static int row_stmt(struct file *f, const struct row *r, enum row_sql what, int64_t id, const char *text_id,
		    sqlite3_stmt **ret)
{
	sqlite3_stmt **cached = what == ROW_INSERT ? &f->ins : what == ROW_UPDATE ? &f->upd : &f->differs;
	if (!*cached) {
		_cleanup_free_ char *sql = row_sql(&tables[f->t], r, what);
		if (sqlite3_prepare_v3(f->im->db, sql, -1, SQLITE_PREPARE_PERSISTENT, cached, NULL) != SQLITE_OK)
			return db_problem(f->im, "preparing a row's statement");
	}
	sqlite3_stmt *st = *cached;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (size_t i = 0; i < r->n; i++)
		bind_val(st, (int)i + 1, &r->v[i]);
	if (what != ROW_INSERT) {
		if (text_id)
			sqlite3_bind_text(st, (int)r->n + 1, text_id, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, (int)r->n + 1, id);
	}
	*ret = st;
	return 0;
}

/* Write the row: found by its key (or natural column), updated only when
 * something differs, or added. */
static int write_row(struct file *f, struct row *r, const char *key, struct key_hit *hit)
{
	struct imp *im = f->im;
	const struct tdef *td = &tables[f->t];
	int64_t id = hit->id;
	bool found = hit->found;
	char *text_id = TAKE_PTR(hit->text_id);
	bool text_pk = f->t == IMPORT_TEAMS || f->t == IMPORT_OFFICERS;
	int rc;
	bool keyed = found;
	if (!found && td->natural && f->find_natural) {
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->v[i].col, td->natural) == 0 && r->v[i].s) {
				sqlite3_reset(f->find_natural);
				sqlite3_bind_text(f->find_natural, 1, r->v[i].s, -1, SQLITE_STATIC);
				rc = sqlite3_step(f->find_natural);
				if (rc == SQLITE_ROW) {
					found = true;
					if (text_pk)
						text_id = xstrdup((const char *)sqlite3_column_text(f->find_natural, 0));
					else
						id = sqlite3_column_int64(f->find_natural, 0);
				}
				sqlite3_reset(f->find_natural);
				if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
					free(text_id);
					return db_problem(im, "reading the case database");
				}
			}
	}

	/* A party that moves to another case: refused while events of its
	 * old case name it (they would then belong to one case and name the
	 * party of another, and the old case's obligations they met would be
	 * unmet). */
	if (found && f->t == IMPORT_PARTIES && r->has_case) {
		int mv = party_moves(im, f->src, id, r->case_id, &r->why);
		if (mv < 0 || r->why) {
			free(text_id);
			return mv < 0 ? mv : 0;
		}
	}

	use_cols(f, r);
	sqlite3_stmt *st = NULL;
	if (found) {
		/* Most rows of an export are as the last one had them: a read
		 * finds so, without the UPDATE's statement transaction. */
		if (row_stmt(f, r, ROW_DIFFERS, id, text_id, &st) < 0) {
			free(text_id);
			return im->r;
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			free(text_id);
			return db_problem(im, "reading the case database");
		}
		st = NULL;
		if (rc == SQLITE_ROW && row_stmt(f, r, ROW_UPDATE, id, text_id, &st) < 0) {
			free(text_id);
			return im->r;
		}
	} else if (row_stmt(f, r, ROW_INSERT, 0, NULL, &st) < 0) {
		free(text_id);
		return im->r;
	}
	rc = st ? sqlite3_step(st) : SQLITE_DONE;
	int changes = st ? sqlite3_changes(im->db) : 0;
	int64_t new_id = sqlite3_last_insert_rowid(im->db);
	const char *err = rc == SQLITE_DONE ? NULL : sqlite3_errmsg(im->db);
	_cleanup_free_ char *why = err ? xstrdup(err) : NULL;
	int ext = sqlite3_extended_errcode(im->db);
	if (st)
		sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(text_id);
		if ((ext & 0xff) == SQLITE_CONSTRAINT) {
			r->why = xasprintf("the case database refuses the row: %s", why);
			return 0;
		}
		return db_problem(im, "writing a row");
	}
	struct import_count *cnt = &im->ret->t[f->t];
	if (found)
		changes ? cnt->changed++ : cnt->unchanged++;
	else
		cnt->added++;
	if (keyed && text_pk) {
		/* The id is the primary key here: when the export changed it
		 * (an officer's login, keyed by payroll number), the keys
		 * that found the row by the old one follow it. */
		const char *idv = NULL;
		for (size_t i = 0; i < r->n && !idv; i++)
			if (strcmp(r->v[i].col, "id") == 0)
				idv = r->v[i].s;
		if (idv && strcmp(idv, text_id) != 0) {
			sqlite3_stmt *st2 = NULL;
			rc = sqlite3_prepare_v2(im->db, "UPDATE " IMPORT_KEYS_TABLE " SET row_id = ?1 WHERE tbl = ?2 "
					    "AND row_id = ?3", -1, &st2, NULL);
			if (rc == SQLITE_OK) {
				sqlite3_bind_text(st2, 1, idv, -1, SQLITE_STATIC);
				sqlite3_bind_text(st2, 2, f->label, -1, SQLITE_STATIC);
				sqlite3_bind_text(st2, 3, text_id, -1, SQLITE_STATIC);
				rc = sqlite3_step(st2);
			}
			sqlite3_finalize(st2);
			if (rc != SQLITE_DONE) {
				free(text_id);
				return db_problem(im, "writing the import keys");
			}
		}
	}
	if (!keyed) {
		/* The key, for the next import to find the row by. */
		sqlite3_reset(im->add_key);
		sqlite3_bind_text(im->add_key, 1, f->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->add_key, 2, key, -1, SQLITE_STATIC);
		if (text_pk) {
			const char *idv = text_id;
			for (size_t i = 0; i < r->n && !idv; i++)
				if (strcmp(r->v[i].col, "id") == 0)
					idv = r->v[i].s;
			sqlite3_bind_text(im->add_key, 3, idv, -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(im->add_key, 3, found ? id : new_id);
		}
		rc = sqlite3_step(im->add_key);
		sqlite3_reset(im->add_key);
		if (rc != SQLITE_DONE) {
			free(text_id);
			return db_problem(im, "writing the import keys");
		}
		if (f->key_filter)
			key_filter_add(f->key_filter, hash_str(0, key));
		hit->added = !found;
		hit->new_id = new_id;
	}
	free(text_id);
	return 0;
}

/* ---- Records --------------------------------------------------------- */

static long header_index(const struct csv_record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++) {
		const char *s = rec->field[i];
		size_t n = rec->len[i];
		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (strlen(name) == n && strncmp(s, name, n) == 0)
			return (long)i;
	}
	return -1;
}

static void missing_column(struct file *f, const char *name, int line)
{
	diags_add(f->im->problems, f->path, 1,
		  "column \"%s\" (the mapping's line %d) is not in the header: nothing imported", name, line);
	f->failed = true;
}

static int on_header(struct file *f, const struct csv_record *rec)
{
	const struct map_source *s = f->src;
	f->n_header = rec->n;
	f->from_idx = xcalloc(s->n_columns, sizeof(*f->from_idx));
	f->cdefs = xcalloc(s->n_columns ? s->n_columns : 1, sizeof(*f->cdefs));
	for (size_t ci = 0; ci < s->n_columns; ci++) {
		const struct map_column *c = &s->columns[ci];
		f->from_idx[ci] = xcalloc(c->n_from ? c->n_from : 1, sizeof(long));
		f->cdefs[ci] = cdef_find(f->t, c->column);
		for (size_t j = 0; j < c->n_from; j++)
			if ((f->from_idx[ci][j] = header_index(rec, c->from[j])) < 0)
				missing_column(f, c->from[j], c->line);
	}
	f->key_idx = xcalloc(s->n_key ? s->n_key : 1, sizeof(long));
	for (size_t j = 0; j < s->n_key; j++)
		if ((f->key_idx[j] = header_index(rec, s->key[j])) < 0)
			missing_column(f, s->key[j], s->line);
	f->flag_idx = xcalloc(s->n_role_flags ? s->n_role_flags : 1, sizeof(long));
	for (size_t j = 0; j < s->n_role_flags; j++)
		if ((f->flag_idx[j] = header_index(rec, s->role_flags[j].from)) < 0)
			missing_column(f, s->role_flags[j].from, s->role_flags[j].line);
	return 0;
}

/* The row's key: its key columns' values, joined by U+001F. */
static char *row_key(struct file *f, const struct csv_record *rec, bool *empty)
{
	struct strbuf *b = &f->value;
	b->n = 0;
	strbuf_add(b, "", 0);
	*empty = true;
	for (size_t j = 0; j < f->src->n_key; j++) {
		const char *v = field(rec, f->key_idx[j], &f->scratch);
		if (*v)
			*empty = false;
		if (j)
			strbuf_add(b, "\x1f", 1);
		strbuf_adds(b, v);
	}
	return xstrndup(b->p, b->n);
}

/* "Case Ref, Contact ID": the key's export columns. */
static char *key_names(const struct map_source *s)
{
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (size_t j = 0; j < s->n_key; j++) {
		if (j)
			strbuf_adds(&b, ", ");
		strbuf_adds(&b, s->key[j]);
	}
	return b.p;
}

/* After the row's write (e < 0: the database failed): a row added is
 * remembered by its id, or else, as every other row written, in the rows
 * seen; a rejected row or a remark told. */
static int row_done(struct file *f, struct row *r, const char *key, unsigned long line, const struct key_hit *hit,
		    int e)
{
	struct imp *im = f->im;
	bool remembered = false;
	if (e >= 0 && !r->why && hit->added && f->track_added)
		remembered = runs_add(&f->added, hit->new_id, line);
	else if (e >= 0 && !r->why && hit->found && f->seen_ids && hit->id >= 0 && hit->id <= f->max_id) {
		f->seen_ids[hit->id / 64] |= UINT64_C(1) << hit->id % 64;
		remembered = runs_add(&f->found, hit->id, line);
	}
	if (e >= 0 && !r->why && !remembered) {
		/* A key new to import_keys is new to the rows seen too. */
		sqlite3_stmt *seen = hit->found ? im->seen_put : im->seen_add;
		sqlite3_reset(seen);
		sqlite3_bind_text(seen, 1, f->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(seen, 2, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(seen, 3, f->file_no);
		sqlite3_bind_int64(seen, 4, (sqlite3_int64)line);
		int rc = sqlite3_step(seen);
		sqlite3_reset(seen);
		if (rc != SQLITE_DONE)
			e = db_problem(im, "writing the rows seen");
	}
	if (e >= 0 && r->why) {
		im->ret->rejected++;
		hook_line(im, true, "%s:%lu: %s", f->path, line, r->why);
	} else if (e >= 0 && r->notice) {
		im->ret->notices++;
		hook_line(im, false, "%s:%lu: %s", f->path, line, r->notice);
	}
	row_free(r);
	return e < 0 ? e : 0;
}

/* The batch's rows, in their order: one INSERT of them all when there are
 * BATCH_ROWS, else (or when the database refuses one of them) each alone,
 * as any other row, so that a row refused is told as before. Their ids
 * are one after another: SQLite gives a new row the table's largest id
 * and one (batching stops short of the largest id there is). */
static int batch_flush(struct file *f)
{
	struct imp *im = f->im;
	size_t n = f->n_batch;
	struct pending *b = f->batch;
	f->n_batch = 0;
	int e = 0;
	bool done = false;
	if (n == BATCH_ROWS) {
		if (!f->ins_many) {
			struct strbuf sql = { 0 };
			_cleanup_free_ char *one = row_sql(&tables[f->t], &b[0].r, ROW_INSERT);
			const char *values = strstr(one, ") VALUES (");
			strbuf_add(&sql, one, (size_t)(values - one));
			strbuf_adds(&sql, ") VALUES ");
			for (size_t i = 0; i < n; i++) {
				strbuf_adds(&sql, i ? ", (" : "(");
				for (size_t c = 0; c < b[0].r.n; c++) {
					char *p = xasprintf("%s?%zu", c ? ", " : "", i * b[0].r.n + c + 1);
					strbuf_adds(&sql, p);
					free(p);
				}
				strbuf_adds(&sql, ")");
			}
			int rc = sqlite3_prepare_v3(im->db, sql.p, -1, SQLITE_PREPARE_PERSISTENT, &f->ins_many, NULL);
			free(sql.p);
			if (rc != SQLITE_OK)
				e = db_problem(im, "preparing a row's statement");
		}
		if (e >= 0) {
			sqlite3_stmt *st = f->ins_many;
			sqlite3_reset(st);
			for (size_t i = 0; i < n; i++)
				for (size_t c = 0; c < b[i].r.n; c++)
					bind_val(st, (int)(i * b[i].r.n + c + 1), &b[i].r.v[c]);
			int rc = sqlite3_step(st);
			int ext = sqlite3_extended_errcode(im->db);
			int64_t last = sqlite3_last_insert_rowid(im->db);
			int took = sqlite3_changes(im->db);
			sqlite3_reset(st);
			if (rc == SQLITE_DONE && took == (int)n)
				done = true;
			else if (rc == SQLITE_DONE)
				/* Not with casewatch's own schema: the keys could not
				 * be told their rows. Nothing of the run is kept. */
				e = db_problem(im, "writing rows: the case database took a part of a batch");
			else if ((ext & 0xff) != SQLITE_CONSTRAINT)
				e = db_problem(im, "writing rows");
			/* Their keys, in one INSERT too: none is in import_keys
			 * (a row found there is not batched) and no two are the
			 * same (a key waiting is written before it is looked up). */
			if (done) {
				sqlite3_stmt *ks = im->add_keys;
				sqlite3_reset(ks);
				sqlite3_bind_text(ks, 1, f->label, -1, SQLITE_STATIC);
				for (size_t i = 0; i < n; i++) {
					sqlite3_bind_text(ks, 2 * (int)i + 2, b[i].key, -1, SQLITE_STATIC);
					sqlite3_bind_int64(ks, 2 * (int)i + 3, last - (int64_t)(n - 1 - i));
				}
				rc = sqlite3_step(ks);
				sqlite3_reset(ks);
				if (rc != SQLITE_DONE)
					e = db_problem(im, "writing the import keys");
			}
			for (size_t i = 0; i < n && done; i++) {
				struct key_hit hit = { .added = true, .new_id = last - (int64_t)(n - 1 - i) };
				im->ret->t[f->t].added++;
				if (e >= 0 && f->key_filter)
					key_filter_add(f->key_filter, b[i].key_hash);
				e = row_done(f, &b[i].r, b[i].key, b[i].line, &hit, e);
			}
		}
	}
	for (size_t i = 0; i < n && !done; i++) {
		struct key_hit hit = { 0 };
		int w = e >= 0 ? write_row(f, &b[i].r, b[i].key, &hit) : e;
		e = row_done(f, &b[i].r, b[i].key, b[i].line, &hit, w);
	}
	for (size_t i = 0; i < n; i++)
		free(b[i].key);
	return e;
}

static int on_record(void *userdata, const struct csv_record *rec)
{
	struct file *f = userdata;
	struct imp *im = f->im;
	if (!f->header_done) {
		f->header_done = true;
		return on_header(f, rec);
	}
	if (f->failed)
		return 0; /* the rest is not read for rows */
	im->ret->rows++;
	f->rows++;
	if (im->hooks)
		progress_at(im->hooks->meter, im->bytes_before + rec->offset);
	if (im->hooks && im->hooks->progress && im->ret->rows % 4096 == 0) {
		int e = im->hooks->progress(im->hooks->userdata);
		if (e < 0) {
			im->r = e; /* abandoned: the run's end, not the file's problem */
			return e;
		}
	}
	bool empty;
	_cleanup_free_ char *key = row_key(f, rec, &empty);
	uint64_t key_hash = hash_str(0, key);
	struct row r = { 0 };
	/* A key of a row waiting in the batch: written before it is looked
	 * up. */
	for (size_t i = 0; i < f->n_batch; i++)
		if (f->batch[i].key_hash == key_hash && strcmp(f->batch[i].key, key) == 0) {
			int e = batch_flush(f);
			if (e < 0)
				return e;
			break;
		}
	if (empty) {
		_cleanup_free_ char *names = key_names(f->src);
		r.why = xasprintf("column \"%s\": empty, and it is the row's key", names);
	}
	struct key_hit hit = { 0 };
	if (!r.why && (!f->key_filter || key_filter_has(f->key_filter, key_hash))) {
		sqlite3_reset(im->find_key);
		sqlite3_bind_text(im->find_key, 1, f->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->find_key, 2, key, -1, SQLITE_STATIC);
		int rc = sqlite3_step(im->find_key);
		if (rc == SQLITE_ROW) {
			hit.found = true;
			if (f->t == IMPORT_TEAMS || f->t == IMPORT_OFFICERS)
				hit.text_id = xstrdup((const char *)sqlite3_column_text(im->find_key, 0));
			else
				hit.id = sqlite3_column_int64(im->find_key, 0);
		}
		sqlite3_reset(im->find_key);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_problem(im, "reading the import keys");
	}
	if (!r.why && hit.found) {
		/* The same key twice in one file: the later row is refused. A
		 * row found by its key and not marked in seen_ids was not
		 * seen; one marked was, and found or the rows seen have its
		 * line. */
		bool marked = f->seen_ids && hit.id >= 0 && hit.id <= f->max_id;
		long long line = marked && seen_id(f, hit.id) ? (long long)runs_line(&f->found, hit.id) : 0;
		int rc = SQLITE_DONE;
		sqlite3_reset(im->seen_get);
		if (!line && (!marked || seen_id(f, hit.id))) {
			sqlite3_bind_text(im->seen_get, 1, f->label, -1, SQLITE_STATIC);
			sqlite3_bind_text(im->seen_get, 2, key, -1, SQLITE_STATIC);
			rc = sqlite3_step(im->seen_get);
		}
		if (rc == SQLITE_ROW && sqlite3_column_int(im->seen_get, 0) == f->file_no)
			line = sqlite3_column_int64(im->seen_get, 1);
		else if (rc == SQLITE_DONE && !line && f->track_added && hit.id > f->max_id)
			line = (long long)runs_line(&f->added, hit.id);
		if (line) {
			_cleanup_free_ char *names = key_names(f->src);
			r.why = xasprintf("column \"%s\": the same key as line %lld: the row is left out", names, line);
		}
		sqlite3_reset(im->seen_get);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			free(hit.text_id);
			return db_problem(im, "reading the rows seen");
		}
	}
	int e = r.why ? 0 : build_row(f, rec, &r);
	if (e >= 0 && !r.why && !hit.found && !r.notice && f->batching && !f->added.off) {
		/* Its INSERT waits for the batch's; nothing about it is told
		 * (a row with a remark is written alone, in its turn). */
		if (!cols_same(f, &r) && (e = batch_flush(f)) < 0) {
			row_free(&r);
			return e;
		}
		use_cols(f, &r);
		f->batch[f->n_batch++] =
			(struct pending){ .r = r, .key = TAKE_PTR(key), .key_hash = key_hash, .line = rec->line };
		return f->n_batch == BATCH_ROWS ? batch_flush(f) : 0;
	}
	/* The rows before it are written, and told, first. */
	if (e >= 0 && f->n_batch)
		e = batch_flush(f);
	if (e >= 0 && !r.why)
		e = write_row(f, &r, key, &hit);
	free(hit.text_id);
	return row_done(f, &r, key, rec->line, &hit, e);
}

/* ---- Snapshots ------------------------------------------------------- */

static int count_sql(struct imp *im, const char *sql, const char *tbl, int64_t *ret)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_problem(im, "counting rows");
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*ret = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_problem(im, "counting rows");
}

/* Rows a snapshot source's table had from earlier imports and this run
 * did not see: deleted, unless the export looks cut short. */
/* Run sql with ?1 bound to text. */
static int exec_text(struct imp *im, const char *sql, const char *text)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_problem(im, "preparing a snapshot's deletions");
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_problem(im, "a snapshot's deletions");
}

static int snapshot(struct imp *im, enum import_table t, const struct map_source *src, const char *label,
		    const char *path)
{
	const char *name = tables[t].name;
	int64_t before, seen;
	int r;
	if ((r = count_sql(im, "SELECT count(*) FROM " IMPORT_KEYS_TABLE " WHERE tbl = ?1", label, &before)) < 0 ||
	    (r = count_sql(im, "SELECT count(*) FROM temp.import_seen WHERE tbl = ?1", label, &seen)) < 0)
		return r;
	if (before > 0 && (seen == 0 || (double)seen < src->snapshot_min * (double)before)) {
		diags_add(im->problems, path, 0,
			  "a snapshot of %lld %s where the database has %lld from earlier imports: fewer than "
			  "snapshot_min (%g) of them, so the export looks cut short; nothing imported",
			  (long long)seen, name, (long long)before, src->snapshot_min);
		return -EINVAL;
	}
	/* A row is gone when no key this run saw finds it, not when one of
	 * its keys is missing: a row found by its natural column (a case's
	 * ref) has a key for each export row that found it, and one of them
	 * still in the export keeps it. Each row once. */
	if ((r = exec_text(im, "CREATE TEMP TABLE import_gone AS SELECT row_id FROM " IMPORT_KEYS_TABLE " WHERE tbl = ?1 "
			       "EXCEPT SELECT k.row_id FROM temp.import_seen s JOIN " IMPORT_KEYS_TABLE " k ON k.tbl = s.tbl "
			       "AND k.key = s.key WHERE s.tbl = ?1",
			   label)) < 0)
		return r;
	int64_t n;
	if ((r = count_sql(im, "SELECT count(*) FROM temp.import_gone WHERE ?1 = ?1", label, &n)) < 0)
		return r;
	im->ret->t[t].deleted += (size_t)n;
	const char *sqls[8] = { 0 };
	size_t k = 0;
	switch (t) {
	case IMPORT_CASES:
		/* A case's parties and events go with it, and their keys. */
		sqls[k++] = "DELETE FROM " IMPORT_KEYS_TABLE " WHERE (tbl = 'parties' OR tbl GLOB 'parties/*') AND row_id "
			    "IN (SELECT id FROM parties WHERE case_id IN (SELECT row_id FROM temp.import_gone))";
		sqls[k++] = "DELETE FROM " IMPORT_KEYS_TABLE " WHERE (tbl = 'events' OR tbl GLOB 'events/*') AND row_id "
			    "IN (SELECT id FROM events WHERE case_id IN (SELECT row_id FROM temp.import_gone))";
		sqls[k++] = "DELETE FROM events WHERE case_id IN (SELECT row_id FROM temp.import_gone)";
		sqls[k++] = "DELETE FROM parties WHERE case_id IN (SELECT row_id FROM temp.import_gone)";
		sqls[k++] = "UPDATE surveys SET case_id = NULL WHERE case_id IN (SELECT row_id FROM temp.import_gone)";
		break;
	case IMPORT_PARTIES:
		sqls[k++] = "UPDATE events SET party_id = NULL WHERE party_id IN (SELECT row_id FROM temp.import_gone)";
		break;
	default:
		break;
	}
	for (size_t i = 0; i < k; i++)
		if ((r = exec(im, sqls[i])) < 0)
			return r;
	_cleanup_free_ char *del = xasprintf("DELETE FROM %s WHERE %s IN (SELECT row_id FROM temp.import_gone)", name,
					     tables[t].pk);
	if ((r = exec(im, del)) < 0 ||
	    (r = exec_text(im, "DELETE FROM " IMPORT_KEYS_TABLE " WHERE tbl = ?1 AND row_id IN "
			       "(SELECT row_id FROM temp.import_gone)",
			   label)) < 0 ||
	    (r = exec(im, "DROP TABLE temp.import_gone")) < 0)
		return r;
	return 0;
}

/* ---- The run --------------------------------------------------------- */

static void file_free(struct file *f)
{
	if (f->from_idx)
		for (size_t ci = 0; ci < f->src->n_columns; ci++)
			free(f->from_idx[ci]);
	free(f->from_idx);
	free(f->cdefs);
	free(f->value.p);
	free(f->scratch.p);
	free(f->key_idx);
	free(f->flag_idx);
	sqlite3_finalize(f->find_natural);
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->upd);
	sqlite3_finalize(f->differs);
	free(f->case_memo.key);
	for (size_t i = 0; i < PARTY_MEMOS; i++)
		free(f->party_memo[i].key);
	free(f->key_filter);
	free(f->added.v);
	free(f->found.v);
	free(f->seen_ids);
	for (size_t i = 0; i < f->n_batch; i++) {
		row_free(&f->batch[i].r);
		free(f->batch[i].key);
	}
	free(f->batch);
	sqlite3_finalize(f->ins_many);
}

/* What the file knows before its first row: whether its source has keys
 * yet, and the table's largest id. */
static int file_begin(struct file *f)
{
	struct imp *im = f->im;
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(im->db, "SELECT 1 FROM " IMPORT_KEYS_TABLE " WHERE tbl = ?1 LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_problem(im, "reading the import keys");
	sqlite3_bind_text(st, 1, f->label, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_problem(im, "reading the import keys");
	if (rc == SQLITE_DONE)
		f->key_filter = xcalloc(KEY_FILTER_BITS / 64, sizeof(uint64_t));
	if (f->t == IMPORT_TEAMS || f->t == IMPORT_OFFICERS || f->src->snapshot)
		return 0;
	_cleanup_free_ char *sql = xasprintf("SELECT max(%s) FROM %s", tables[f->t].pk, tables[f->t].name);
	if (sqlite3_prepare_v2(im->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_problem(im, "reading the case database");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		f->max_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_problem(im, "reading the case database");
	/* New rows get ids above max_id only while it is short of the largest
	 * id there is (SQLite picks at random after that); and ids are kept
	 * in a bitmap only from 0. */
	bool ordinary = f->max_id >= 0 && f->max_id < INT64_MAX / 2;
	f->track_added = ordinary;
	f->batching = ordinary && im->stock && !tables[f->t].natural;
	if (f->batching)
		f->batch = xcalloc(BATCH_ROWS, sizeof(*f->batch));
	if (f->batching && f->max_id < SEEN_IDS_MAX)
		f->seen_ids = xcalloc((size_t)f->max_id / 64 + 1, sizeof(uint64_t));
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The run, in the import's own transaction: when it landed (the daemon's
 * import.max_age counts from it), its files and counts. The last
 * thousand are kept. */
static int record_run(struct imp *im, char *const *paths, size_t n)
{
	struct strbuf files = { 0 };
	strbuf_adds(&files, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_adds(&files, ", ");
		strbuf_adds(&files, base_name(paths[i]));
	}
	_cleanup_free_ char *names = text_clean(files.p, IMPORT_RUNS_FILES_MAX, NULL);
	free(files.p);
	size_t changed = 0;
	for (int t = 0; t < _IMPORT_TABLE_MAX; t++)
		changed += im->ret->t[t].added + im->ret->t[t].changed + im->ret->t[t].deleted;
	sqlite3_stmt *st = NULL;
	int r;
	if ((r = exec(im, "CREATE TABLE IF NOT EXISTS " IMPORT_RUNS_TABLE " (id INTEGER PRIMARY KEY, "
			  "at INTEGER NOT NULL, files TEXT NOT NULL, rows INTEGER NOT NULL, rejected INTEGER NOT NULL, "
			  "changed INTEGER NOT NULL) STRICT")) < 0 ||
	    (r = prepare(im, "INSERT INTO " IMPORT_RUNS_TABLE " (at, files, rows, rejected, changed) "
			     "VALUES (?1, ?2, ?3, ?4, ?5)", &st)) < 0)
		return r;
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_text(st, 2, names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)im->ret->rows);
	sqlite3_bind_int64(st, 4, (int64_t)im->ret->rejected);
	sqlite3_bind_int64(st, 5, (int64_t)changed);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_problem(im, "recording the import");
	return exec(im, "DELETE FROM " IMPORT_RUNS_TABLE " WHERE id <= (SELECT max(id) FROM " IMPORT_RUNS_TABLE
		    ") - 1000");
}

/* ---- The case database's CHECKs --------------------------------------- */

/* SQLite builds a table of each CHECK's word list for every row it checks
 * (`stage IN ('enquiry', 'case', 'closed')`): a seventh of the import's
 * time. The import checks every value it writes against the
 * same words before it writes (convert and build_row: the word lists,
 * 0 or 1, the timestamps and dates it formats itself, a party's roles, a
 * risk event's detail), so it can leave the CHECKs out of its own
 * transaction when they are exactly schema/casedb.sql's. A CHECK or a
 * trigger the council added (or an older version's) may say more than the
 * import knows: then SQLite runs them all, as always. */

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       (unsigned char)c >= 0x80;
}

/* The length of SQL's token at p, as far as CHECKs need one: a quoted
 * string or name, a comment, or one character. */
static size_t token_len(const char *p)
{
	char close;
	const char *e;
	switch (*p) {
	case '\'':
	case '"':
	case '`':
		close = *p;
		break;
	case '[':
		close = ']';
		break;
	case '-':
		return p[1] == '-' ? strcspn(p, "\n") : 1;
	case '/':
		if (p[1] != '*')
			return 1;
		e = strstr(p + 2, "*/");
		return e ? (size_t)(e + 2 - p) : strlen(p);
	default:
		return 1;
	}
	e = strchr(p + 1, close);
	return e ? (size_t)(e + 1 - p) : strlen(p);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* p[0..n) into out, comments and runs of white space outside quotes made
 * one space, so that a statement reads the same however it was laid out. */
static void sql_normalize(const char *p, size_t n, struct strbuf *out)
{
	bool space = false, started = false;
	for (size_t i = 0; i < n;) {
		size_t k = token_len(p + i);
		if (k > n - i)
			k = n - i;
		if (is_space(p[i]) || (k > 1 && (p[i] == '-' || p[i] == '/'))) {
			space = true;
			i += k;
			continue;
		}
		if (space && started)
			strbuf_add(out, " ", 1);
		space = false;
		started = true;
		strbuf_add(out, p + i, k);
		i += k;
	}
}

/* A CREATE TABLE statement's CHECKs, each "(...)" on a line of its own,
 * after a line end. */
static char *table_checks(const char *sql)
{
	struct strbuf out = { 0 };
	strbuf_add(&out, "\n", 1);
	const char *p = sql;
	while (*p) {
		if (!word_char(*p)) {
			p += token_len(p);
			continue;
		}
		size_t k = 0;
		while (word_char(p[k]))
			k++;
		const char *q = p + k;
		while (is_space(*q))
			q++;
		if (k != 5 || strncasecmp(p, "check", 5) != 0 || *q != '(') {
			p += k;
			continue;
		}
		const char *e = q;
		int depth = 0;
		do {
			depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
			e += token_len(e);
		} while (*e && depth > 0);
		sql_normalize(q, (size_t)(e - q), &out);
		strbuf_add(&out, "\n", 1);
		p = e;
	}
	return out.p;
}

struct schema_item {
	char *name;
	bool trigger;
	char *text; /* a table's CHECKs (table_checks), a trigger's statement */
};

static void schema_items_free(struct schema_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].text);
	}
	free(v);
}

/* The tables and triggers of db's main schema. */
static int schema_items(sqlite3 *db, struct schema_item **ret, size_t *ret_n)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT type = 'trigger', name, sql FROM sqlite_schema WHERE type IN "
			       "('table', 'trigger') AND sql IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	struct schema_item *v = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sql = (const char *)sqlite3_column_text(st, 2);
		struct schema_item it = { .name = xstrdup((const char *)sqlite3_column_text(st, 1)),
					  .trigger = sqlite3_column_int(st, 0) };
		if (it.trigger) {
			struct strbuf b = { 0 };
			strbuf_add(&b, "", 0);
			sql_normalize(sql, strlen(sql), &b);
			it.text = b.p;
		} else {
			it.text = table_checks(sql);
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = it;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		schema_items_free(v, n);
		return -EIO;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static const struct schema_item *schema_item_find(const struct schema_item *v, size_t n, const char *name,
						  bool trigger)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].trigger == trigger && strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Whether every CHECK the run could meet is one the import's own checks
 * keep: each CHECK of the database's tables is one of schema/casedb.sql's
 * for that table, each trigger one of its triggers, word for word, and
 * each source of events maps detail (a risk event's detail is checked
 * with its kind, and an event updated without it would keep a detail the
 * import never saw). */
static int checks_skippable(struct imp *im, bool *ret)
{
	*ret = false;
	for (size_t i = 0; i < im->m->n_sources; i++) {
		const struct map_source *s = &im->m->sources[i];
		bool detail = false;
		for (size_t ci = 0; ci < s->n_columns; ci++)
			detail |= strcmp(s->columns[ci].column, "detail") == 0;
		if (s->into == IMPORT_EVENTS && !detail)
			return 0;
	}
	sqlite3 *ref = NULL;
	struct schema_item *want = NULL, *have = NULL;
	size_t n_want = 0, n_have = 0;
	int r = 0;
	if (sqlite3_open(":memory:", &ref) != SQLITE_OK ||
	    sqlite3_exec(ref, casedb_schema.create_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    schema_items(ref, &want, &n_want) < 0) {
		diags_add(im->problems, NULL, 0, "reading casewatch's own schema: %s",
			  ref ? sqlite3_errmsg(ref) : "out of memory");
		r = im->r = -EIO;
		goto out;
	}
	if (schema_items(im->db, &have, &n_have) < 0) {
		r = db_problem(im, "reading the case database's schema");
		goto out;
	}
	bool ok = true;
	for (size_t i = 0; i < n_have && ok; i++) {
		const struct schema_item *h = &have[i], *w = schema_item_find(want, n_want, h->name, h->trigger);
		if (h->trigger) {
			ok = w && strcmp(w->text, h->text) == 0;
			continue;
		}
		/* Every line of h's CHECKs among w's. */
		for (const char *p = h->text + 1; *p && ok; p = strchr(p, '\n') + 1) {
			size_t k = strcspn(p, "\n");
			_cleanup_free_ char *line = xasprintf("\n%.*s\n", (int)k, p);
			ok = w && strstr(w->text, line);
		}
	}
	*ret = ok;
out:
	schema_items_free(want, n_want);
	schema_items_free(have, n_have);
	sqlite3_close(ref);
	return r;
}

bool import_stale(int64_t last, int64_t at, int max_age)
{
	return max_age > 0 && (last == 0 || at - last > max_age);
}

int import_last(sqlite3 *db, int64_t *ret_at)
{
	*ret_at = 0;
	sqlite3_stmt *st;
	/* No table: no import yet. */
	/* A run that rejected every row it read brought nothing: not fresh. */
	if (sqlite3_prepare_v2(db, "SELECT max(at) FROM " IMPORT_RUNS_TABLE " WHERE rows = 0 OR rejected < rows", -1,
			       &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(db) == SQLITE_ERROR ? 0 : -EIO;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*ret_at = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

int import_files(sqlite3 *db, const struct mapping *m, const struct tz *tz, char *const *paths, size_t n,
		 bool dry_run, const struct import_hooks *hooks, struct import_result *ret,
		 struct diags *file_problems)
{
	*ret = (struct import_result){ 0 };
	struct imp im = { .db = db, .m = m, .tz = tz, .hooks = hooks, .ret = ret, .problems = file_problems };
	const struct map_source **src = xcalloc(n ? n : 1, sizeof(*src));
	int r = 0;
	bool skip_checks = false, checks_were_off = false;

	/* Each file's source, before anything is read. */
	for (size_t i = 0; i < n; i++) {
		src[i] = mapping_source_for(m, paths[i]);
		if (!src[i]) {
			diags_add(file_problems, paths[i], 0,
				  "no source of the mapping matches the file name \"%s\": nothing imported",
				  base_name(paths[i]));
			r = -EINVAL;
		}
	}
	if (r < 0) {
		free(src);
		return r;
	}
	/* Progress in bytes read of the files' sizes: known at once, and
	 * what the time taken follows. */
	struct progress *meter = hooks ? hooks->meter : NULL;
	uint64_t *sizes = xcalloc(n ? n : 1, sizeof(*sizes)), total = 0;
	for (size_t i = 0; meter && i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			total += sizes[i] = (uint64_t)st.st_size;
	}
	progress_begin(meter, "importing", total, PROGRESS_BYTES);

	im.labels = xcalloc(m->n_sources ? m->n_sources : 1, sizeof(char *));
	for (size_t i = 0; i < m->n_sources; i++) {
		size_t same = 0;
		for (size_t j = 0; j < m->n_sources; j++)
			same += m->sources[j].into == m->sources[i].into;
		const char *name = tables[m->sources[i].into].name;
		im.labels[i] = same > 1 ? xasprintf("%s/%s", name, m->sources[i].match) : xstrdup(name);
	}

	/* A statement that may have to be undone alone inside the
	 * transaction (an INSERT whose trigger writes the change log, and
	 * the log's pruning in it) keeps a statement journal of the pages it
	 * changes: a few pages, let go at the statement's end. SQLite keeps
	 * it in memory up to 64 KiB, and then in a temporary file for the
	 * rest of the transaction: once the change log's pruning (a thousand
	 * entries at a time, from its 100,000th) had gone past that, every
	 * row's statement after it wrote its pages to the file (270 MB on
	 * 10,000 cases). Where a transaction's statement journals go SQLite
	 * takes from temp_store when the transaction begins: MEMORY for the
	 * BEGIN, which puts them in memory, whatever their size. Then FILE,
	 * for the temporary tables the run makes (its rows seen grow with
	 * the import): a change of temp_store lets go of the temporary
	 * database, so FILE first makes the MEMORY one such a change, and the
	 * last finds no temporary database to let go of inside the
	 * transaction. */
	if ((r = exec(&im, "PRAGMA temp_store = FILE")) < 0 || (r = exec(&im, "PRAGMA temp_store = MEMORY")) < 0 ||
	    (r = exec(&im, "BEGIN IMMEDIATE")) < 0) {
		sqlite3_exec(db, "PRAGMA temp_store = FILE", NULL, NULL, NULL);
		for (size_t i = 0; i < m->n_sources; i++)
			free(im.labels[i]);
		free(im.labels);
		free(src);
		free(sizes);
		progress_end(meter);
		return r;
	}
	if ((r = exec(&im, "PRAGMA temp_store = FILE")) < 0)
		goto out;
	/* Only this transaction leaves the CHECKs out: the connection is
	 * given back as it came. */
	if ((r = checks_skippable(&im, &skip_checks)) < 0)
		goto out;
	im.stock = skip_checks;
	if (skip_checks) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, "PRAGMA ignore_check_constraints", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			checks_were_off = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (!checks_were_off && (r = exec(&im, "PRAGMA ignore_check_constraints = ON")) < 0)
			goto out;
	}
	if ((r = exec(&im, "CREATE TABLE IF NOT EXISTS " IMPORT_KEYS_TABLE
			   " (tbl TEXT NOT NULL, key TEXT NOT NULL, row_id ANY NOT NULL, PRIMARY KEY (tbl, key)) "
			   "STRICT, WITHOUT ROWID")) < 0 ||
	    (r = exec(&im, "CREATE TEMP TABLE IF NOT EXISTS import_seen (tbl TEXT NOT NULL, key TEXT NOT NULL, "
			   "file INTEGER NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID")) < 0 ||
	    (r = exec(&im, "DELETE FROM temp.import_seen")) < 0 ||
	    (r = prepare(&im, "SELECT row_id FROM " IMPORT_KEYS_TABLE " WHERE tbl = ?1 AND key = ?2", &im.find_key)) <
		    0 ||
	    (r = prepare(&im, "INSERT INTO " IMPORT_KEYS_TABLE " (tbl, key, row_id) VALUES (?1, ?2, ?3)",
			 &im.add_key)) < 0 || (r = prepare_add_keys(&im)) < 0 ||
	    (r = prepare(&im, "SELECT id FROM cases WHERE ref = ?1", &im.find_case)) < 0 ||
	    (r = prepare(&im, "SELECT case_id FROM parties WHERE id = ?1", &im.party_case)) < 0 ||
	    (r = prepare(&im, "SELECT file, line FROM temp.import_seen WHERE tbl = ?1 AND key = ?2", &im.seen_get)) <
		    0 ||
	    (r = prepare(&im, "INSERT OR REPLACE INTO temp.import_seen (tbl, key, file, line) VALUES (?1, ?2, ?3, ?4)",
			 &im.seen_put)) < 0 ||
	    (r = prepare(&im, "INSERT INTO temp.import_seen (tbl, key, file, line) VALUES (?1, ?2, ?3, ?4)",
			 &im.seen_add)) < 0)
		goto out;

	/* Keys whose row was deleted by hand are forgotten: the row is the
	 * export's again, added as new. */
	for (int t = 0; t < _IMPORT_TABLE_MAX && r >= 0; t++) {
		bool present = false;
		for (size_t i = 0; i < n; i++)
			present = present || (int)src[i]->into == t;
		if (!present)
			continue;
		_cleanup_free_ char *sql = xasprintf(
			"DELETE FROM " IMPORT_KEYS_TABLE " WHERE (tbl = '%s' OR tbl GLOB '%s/*') AND NOT EXISTS "
			"(SELECT 1 FROM %s WHERE %s = " IMPORT_KEYS_TABLE ".row_id)",
			tables[t].name, tables[t].name, tables[t].name, tables[t].pk);
		r = exec(&im, sql);
	}
	if (r < 0)
		goto out;

	/* Tables first, then the order given. */
	for (int t = 0; t < _IMPORT_TABLE_MAX && r >= 0; t++) {
		const struct map_source *snap = NULL;
		const char *snap_path = NULL, *snap_label = NULL;
		for (size_t i = 0; i < n && r >= 0; i++) {
			if ((int)src[i]->into != t)
				continue;
			ret->present[t] = true;
			struct file f = { .im = &im, .path = paths[i], .src = src[i], .t = (enum import_table)t,
					  .label = im.labels[src[i] - m->sources],
					  .file_no = (int)i + 1 };
			if (tables[t].natural) {
				_cleanup_free_ char *sql = xasprintf("SELECT %s FROM %s WHERE %s = ?1", tables[t].pk,
								     tables[t].name, tables[t].natural);
				if ((r = prepare(&im, sql, &f.find_natural)) < 0)
					break;
			}
			if ((r = file_begin(&f)) < 0) {
				file_free(&f);
				break;
			}
			char *err = NULL;
			int e = csv_read_file(paths[i], m->encoding, m->delimiter, on_record, &f, &err);
			im.bytes_before += sizes[i];
			if (e < 0 && im.r >= 0) {
				/* "PATH: ..." or "PATH:LINE: ...", as the reader says:
				 * the file's problem (unreadable, not CSV, a record
				 * too long), not the run's. */
				if (err)
					diags_add(file_problems, NULL, 0, "%s: nothing imported", err);
				else
					diags_add(file_problems, paths[i], 0, "cannot read: %s: nothing imported",
						  strerror(-e));
				e = -EINVAL;
			}
			free(err);
			if (e >= 0 && im.r >= 0 && f.n_batch)
				e = batch_flush(&f);
			if (e >= 0 && !f.header_done) {
				diags_add(file_problems, paths[i], 0, "empty: no header row: nothing imported");
				e = -EINVAL;
			}
			if (e >= 0 && f.failed)
				e = -EINVAL;
			if (im.r < 0)
				e = im.r;
			file_free(&f);
			if (e < 0)
				r = im.r < 0 ? im.r : e;
			if (src[i]->snapshot) {
				snap = src[i];
				snap_path = paths[i];
				snap_label = f.label;
			}
		}
		if (r >= 0 && snap)
			r = snapshot(&im, (enum import_table)t, snap, snap_label, snap_path);
	}
	if (r >= 0 && im.r < 0)
		r = im.r;
	if (r >= 0 && !dry_run)
		r = record_run(&im, paths, n);

out:
	sqlite3_finalize(im.find_key);
	sqlite3_finalize(im.add_key);
	sqlite3_finalize(im.add_keys);
	sqlite3_finalize(im.find_case);
	sqlite3_finalize(im.party_case);
	sqlite3_finalize(im.seen_get);
	sqlite3_finalize(im.seen_put);
	sqlite3_finalize(im.seen_add);
	if (r >= 0 && !dry_run) {
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			r = db_problem(&im, "committing the import");
	}
	if (r < 0 || dry_run)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (skip_checks && !checks_were_off)
		sqlite3_exec(db, "PRAGMA ignore_check_constraints = OFF", NULL, NULL, NULL);
	for (size_t i = 0; i < m->n_sources; i++)
		free(im.labels[i]);
	free(im.labels);
	free(src);
	free(sizes);
	progress_end(meter);
	return r;
}

char *import_summary(const struct import_result *r)
{
	struct strbuf b = { 0 };
	strbuf_add(&b, "", 0);
	for (int t = 0; t < _IMPORT_TABLE_MAX; t++) {
		if (!r->present[t])
			continue;
		const struct import_count *c = &r->t[t];
		char *p = xasprintf("%s%s: %zu new, %zu changed, %zu unchanged", b.n ? "; " : "", tables[t].name,
				    c->added, c->changed, c->unchanged);
		strbuf_adds(&b, p);
		free(p);
		if (c->deleted) {
			p = xasprintf(", %zu deleted", c->deleted);
			strbuf_adds(&b, p);
			free(p);
		}
	}
	char *p = xasprintf("%s%zu row%s rejected", b.n ? "; " : "", r->rejected, r->rejected == 1 ? "" : "s");
	strbuf_adds(&b, p);
	free(p);
	return b.p;
}

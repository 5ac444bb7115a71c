/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "scan.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casedb.h"
#include "progress.h"
#include "rules.h"
#include "util.h"

#define BUSY_TIMEOUT_MS 5000

static int sql_error(sqlite3 *db, const char *what, char **ret_err)
{
	int rc = sqlite3_errcode(db);
	*ret_err = xasprintf("%s: %s", what, sqlite3_errmsg(db));
	/* A writer held the lock for longer than the busy timeout: worth
	 * trying again soon, unlike anything else. */
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? -EBUSY : -EIO;
}

static int pragma_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		r = 0;
	} else if (sqlite3_errcode(db) == SQLITE_BUSY || sqlite3_errcode(db) == SQLITE_LOCKED) {
		r = -EBUSY;
	}
	sqlite3_finalize(st);
	return r;
}

int scan_open(const char *path, sqlite3 **ret, char **ret_err)
{
	sqlite3 *db = NULL;
	/* One connection per thread, never shared: no mutexes, which cost
	 * the scan an eighth of its time. */
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		*ret_err = xasprintf("cannot open the case database %s: %s%s", path,
				     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
				     rc == SQLITE_CANTOPEN ? " (create it with casewatch db init)" : "");
		sqlite3_close(db);
		return -ENOENT;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* Asked of SQLite, not read from the file's header, which lags an
	 * upgrade still in the write-ahead log. */
	int64_t app = 0, version = 0;
	int r = pragma_int(db, "PRAGMA application_id", &app);
	if (r == 0)
		r = pragma_int(db, "PRAGMA user_version", &version);
	if (r < 0)
		*ret_err = xasprintf("cannot read the case database %s: %s", path, sqlite3_errmsg(db));
	else if (app != CASEDB_APPLICATION_ID)
		r = -EINVAL, *ret_err = xasprintf("%s is not a casewatch case database", path);
	else if (version > CASEDB_VERSION)
		r = -EPROTO, *ret_err = xasprintf("the case database %s has schema version %lld, newer than "
						  "this casewatch reads (%d)", path, (long long)version,
						  CASEDB_VERSION);
	else if (version < 1)
		r = -EPROTO, *ret_err = xasprintf("the case database %s has no schema version: create it "
						  "with casewatch db init", path);
	if (r < 0) {
		sqlite3_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

/* Text columns are copied into blocks that never move, so that the rows
 * point straight at them as they are read. The blocks are kept from case
 * to case, and a new one is twice the size of the last: a case's texts take
 * a block or two. */
struct arena_block {
	struct arena_block *next;
	size_t cap;
	char data[];
};

struct arena {
	struct arena_block *head, *cur;
	size_t used; /* of cur */
};

#define ARENA_FIRST 512

static void arena_reset(struct arena *a)
{
	a->cur = a->head;
	a->used = 0;
}

static void arena_free(struct arena *a)
{
	for (struct arena_block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	*a = (struct arena){ 0 };
}

/* Make room for need bytes: the next block kept, or a new one after the
 * current. */
static void arena_room(struct arena *a, size_t need)
{
	struct arena_block *next = a->cur ? a->cur->next : a->head;
	if (!next || next->cap < need) {
		size_t cap = a->cur ? a->cur->cap * 2 : ARENA_FIRST;
		if (cap < need)
			cap = need;
		struct arena_block *b = xmalloc(sizeof(*b) + cap);
		b->cap = cap;
		b->next = next;
		if (a->cur)
			a->cur->next = b;
		else
			a->head = b;
		next = b;
	}
	a->cur = next;
	a->used = 0;
}

static const char *arena_add(struct arena *a, const char *t, size_t n)
{
	if (!a->cur || a->cur->cap - a->used < n + 1)
		arena_room(a, n + 1);
	char *p = a->cur->data + a->used;
	memcpy(p, t, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

/* Whether t is one of a's texts (its blocks up to the current). */
static bool arena_owns(const struct arena *a, const char *t)
{
	uintptr_t p = (uintptr_t)t;
	for (const struct arena_block *b = a->head; b; b = b->next) {
		if (p >= (uintptr_t)b->data && p < (uintptr_t)b->data + b->cap)
			return true;
		if (b == a->cur)
			break;
	}
	return false;
}

/* t, in to when it is one of from's texts. */
static const char *arena_adopt(struct arena *to, const struct arena *from, const char *t)
{
	return t && arena_owns(from, t) ? arena_add(to, t, strlen(t)) : t;
}

static const char *value_text(struct arena *a, sqlite3_value *v)
{
	/* NULL for SQL NULL (and on allocation failure, which the step that
	 * follows reports). strlen, not sqlite3_value_bytes: the texts are
	 * short, and a call into SQLite costs more (callgrind). */
	const char *t = (const char *)sqlite3_value_text(v);
	return t ? arena_add(a, t, strlen(t)) : NULL;
}

/* A column whose values come from a small vocabulary (a kind, a channel,
 * a role, a stage, a risk level): the vocabulary's own string, which the
 * evaluation recognises by its address, and nothing copied; any other
 * text is copied for the evaluation to report. */
static const char *value_word(struct arena *a, sqlite3_value *v, const char *(*word)(const char *))
{
	const char *t = (const char *)sqlite3_value_text(v);
	if (!t)
		return NULL;
	const char *w = word(t);
	return w ? w : arena_add(a, t, strlen(t));
}

/* Like value_text, for a text that reaches messages, logs and the state
 * database: cleaned and cut to `cap` when it needs to be (text_clean), and
 * *ret_fix says what was done. */
static const char *value_clean(struct arena *a, sqlite3_value *v, size_t cap, struct eval_text_fix *ret_fix)
{
	const char *t = (const char *)sqlite3_value_text(v);
	*ret_fix = (struct eval_text_fix){ 0 };
	if (!t)
		return NULL;
	size_t n = strlen(t);
	if (text_faults(t, n, cap) == 0)
		return arena_add(a, t, n);
	unsigned f;
	_cleanup_free_ char *clean = text_clean(t, cap, &f);
	*ret_fix = (struct eval_text_fix){ .flags = f, .len = n };
	return arena_add(a, clean, strlen(clean));
}

static int64_t int_or(sqlite3_stmt *st, int col, int64_t dflt)
{
	int t = sqlite3_column_type(st, col);
	if (t == SQLITE_INTEGER)
		return sqlite3_column_int64(st, col);
	/* Not an integer (a table without its constraints): a value the
	 * evaluation rejects, so the case is reported, never misread. */
	return t == SQLITE_NULL ? dflt : INT64_MIN;
}

static int64_t value_int_or(sqlite3_value *v, int64_t dflt)
{
	int t = sqlite3_value_type(v);
	if (t == SQLITE_INTEGER)
		return sqlite3_value_int64(v);
	return t == SQLITE_NULL ? dflt : INT64_MIN;
}

/* One case read whole: its rows copied, so that it outlives the cursors'
 * next steps (and, in a parallel scan, travels to the thread that hands it
 * on). The buffers are kept from case to case. */
struct case_buf {
	struct arena a;
	struct eval_party *pv;
	size_t n_pv, cap_pv;
	struct eval_event *ev;
	size_t n_ev, cap_ev;
	struct eval_case c;
	struct eval_result res; /* scan_evaluate's */
};

static void case_buf_done(struct case_buf *b)
{
	arena_free(&b->a);
	free(b->pv);
	free(b->ev);
	eval_result_free(&b->res);
}

/* ---- Reading the case database ------------------------------------------
 *
 * Three statements walk one range of case ids: the cases, their parties and
 * their events, merged case by case. Each statement's one column is an SQL
 * function of the row's values (casewatch_case(), casewatch_party(),
 * casewatch_event()), which sqlite3_step() calls as it reaches the row: the
 * reader takes the values from the function's arguments. Taken with the
 * column API, a call for each value and its checks cost a tenth of a full
 * scan (perf), more than the copying. A row of the case being read goes
 * straight into it; the one row read past its last, of a later case, waits
 * in its cursor until that case is read.
 *
 * That needs the calls to come one a step, in the statement's order: so
 * they do when the covering index gives the order. A plan that sorts (an
 * index dropped or changed by hand) would compute the column of every row
 * before its first step returned: the statement then selects the columns
 * themselves, and the reader hands each row to the same handler after its
 * step (sqlite3_column_value(), whose values are safe to read on the one
 * thread that has the connection). Each step checks that it handed over
 * exactly one row. */

#define READER_POINTER "casewatch-reader"

/* Both read only the covering indexes parties_by_case and events_by_case.
 * A database of schema version 1 has no parties.roles: each party has its
 * one role. */
#define CASE_COLS "id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at"
#define CASE_FROM " FROM cases WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
#define PARTY_COLS "case_id, id, role, preferred_channel, identified_at, roles"
#define PARTY_V1_COLS "case_id, id, role, preferred_channel, identified_at, NULL"
#define PARTY_FROM " FROM parties WHERE case_id BETWEEN ?1 AND ?2 ORDER BY case_id, id"
#define EVENT_COLS "case_id, id, at, kind, party_id, channel, detail"
#define EVENT_FROM " FROM events WHERE case_id BETWEEN ?1 AND ?2 ORDER BY case_id, at, id"

struct reader;

/* A statement of the reader: what it reads, and how. */
struct cursor_def {
	const char *what; /* "cases", for messages */
	const char *fn;   /* its SQL function */
	void (*fn_impl)(sqlite3_context *ctx, int argc, sqlite3_value **argv);
	void (*row)(struct reader *rd, sqlite3_value **v); /* the row's values, as the function has them */
	int n_cols;
	const char *cols, *from;
};

struct cursor {
	const struct cursor_def *def;
	sqlite3_stmt *st;
	bool by_column; /* the plan sorts: each row handed over after its step */
	int rc;         /* the last step: SQLITE_ROW before the first */
	unsigned calls; /* rows handed over by the last step */
	bool waiting;   /* a row of case `next` is in `ahead` */
	int64_t next;
	struct arena ahead_a;
	union {
		struct eval_party party;
		struct eval_event event;
	} ahead;
};

struct reader {
	sqlite3 *db;
	struct cursor cases, parties, events;
	struct case_buf *fill; /* the case being read, and its id */
	int64_t want;
	bool failed; /* a step failed: no case is read after it */
};

static struct eval_party *new_party(struct case_buf *b)
{
	if (b->n_pv == b->cap_pv)
		b->pv = xgrow(b->pv, &b->cap_pv, b->n_pv + 1, sizeof(*b->pv));
	return &b->pv[b->n_pv++];
}

static struct eval_event *new_event(struct case_buf *b)
{
	if (b->n_ev == b->cap_ev)
		b->ev = xgrow(b->ev, &b->cap_ev, b->n_ev + 1, sizeof(*b->ev));
	return &b->ev[b->n_ev++];
}

/* The case a row of case id goes into: the one being read, or NULL for
 * cu's `ahead`, made ready for it. */
static struct case_buf *row_case(struct reader *rd, struct cursor *cu, int64_t id)
{
	cu->calls++;
	if (rd->fill && id == rd->want)
		return rd->fill;
	arena_reset(&cu->ahead_a);
	cu->waiting = true;
	cu->next = id;
	return NULL;
}

static void case_row(struct reader *rd, sqlite3_value **v)
{
	struct case_buf *b = rd->fill;
	rd->cases.calls++;
	if (!b)
		return; /* not in a step of reader_next(): the step fails */
	struct arena *a = &b->a;
	arena_reset(a);
	b->n_pv = b->n_ev = 0;
	b->c = (struct eval_case){
		.id = sqlite3_value_int64(v[0]),
		.stage = value_word(a, v[2], stage_word),
		.category = value_text(a, v[3]),
		.serious = value_int_or(v[4], 0),
		.hate = value_int_or(v[5], 0),
		.risk = value_word(a, v[6], risk_word),
		.agreed_contact = value_text(a, v[9]),
		.received_at = value_text(a, v[10]),
	};
	/* What goes into messages, logs and the state database, and from
	 * there into every email and webhook call. */
	struct eval_text_fix *fixed = b->c.fixed;
	b->c.ref = value_clean(a, v[1], TEXT_MAX_REF, &fixed[EVAL_TEXT_REF]);
	b->c.officer = value_clean(a, v[7], TEXT_MAX_ID, &fixed[EVAL_TEXT_OFFICER]);
	b->c.team = value_clean(a, v[8], TEXT_MAX_ID, &fixed[EVAL_TEXT_TEAM]);
	if (!b->c.ref)
		b->c.ref = "(no reference)";
}

static void party_row(struct reader *rd, sqlite3_value **v)
{
	struct cursor *cu = &rd->parties;
	struct case_buf *b = row_case(rd, cu, sqlite3_value_int64(v[0]));
	struct arena *a = b ? &b->a : &cu->ahead_a;
	*(b ? new_party(b) : &cu->ahead.party) = (struct eval_party){
		.id = sqlite3_value_int64(v[1]),
		.role = value_word(a, v[2], role_word),
		.preferred_channel = value_word(a, v[3], channel_word),
		.identified_at = value_text(a, v[4]),
		.roles = value_text(a, v[5]),
	};
}

static void event_row(struct reader *rd, sqlite3_value **v)
{
	struct cursor *cu = &rd->events;
	struct case_buf *b = row_case(rd, cu, sqlite3_value_int64(v[0]));
	struct arena *a = b ? &b->a : &cu->ahead_a;
	int pt = sqlite3_value_type(v[4]);
	*(b ? new_event(b) : &cu->ahead.event) = (struct eval_event){
		.id = sqlite3_value_int64(v[1]),
		.at = value_text(a, v[2]),
		.kind = value_word(a, v[3], event_kind_word),
		.has_party = pt != SQLITE_NULL,
		.party_id = pt == SQLITE_INTEGER ? sqlite3_value_int64(v[4]) : pt != SQLITE_NULL ? INT64_MIN : 0,
		.channel = value_word(a, v[5], channel_word),
		.detail = value_text(a, v[6]),
	};
}

/* The SQL functions: their first argument is the reader, bound as a
 * pointer (sqlite3_bind_pointer), the rest the row. */
static void fn_case(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct reader *rd = sqlite3_value_pointer(argv[0], READER_POINTER);
	if (rd)
		case_row(rd, argv + 1);
}

static void fn_party(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct reader *rd = sqlite3_value_pointer(argv[0], READER_POINTER);
	if (rd)
		party_row(rd, argv + 1);
}

static void fn_event(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct reader *rd = sqlite3_value_pointer(argv[0], READER_POINTER);
	if (rd)
		event_row(rd, argv + 1);
}

/* Step cu: 0 with cu->rc SQLITE_ROW or SQLITE_DONE, or < 0. */
static int cursor_step(struct reader *rd, struct cursor *cu, char **ret_err)
{
	cu->calls = 0;
	cu->rc = sqlite3_step(cu->st);
	if (cu->rc == SQLITE_ROW && cu->by_column) {
		/* Copies: a column's own value is for binding, not reading. */
		sqlite3_value *v[11]; /* the most: a case's */
		int n = 0;
		while (n < cu->def->n_cols && (v[n] = sqlite3_value_dup(sqlite3_column_value(cu->st, n))))
			n++;
		if (n == cu->def->n_cols)
			cu->def->row(rd, v);
		while (n > 0)
			sqlite3_value_free(v[--n]);
	}
	if (cu->rc != SQLITE_ROW && cu->rc != SQLITE_DONE) {
		_cleanup_free_ char *what = xasprintf("reading %s", cu->def->what);
		rd->failed = true;
		return sql_error(rd->db, what, ret_err);
	}
	if (cu->calls != (cu->rc == SQLITE_ROW)) {
		*ret_err = xasprintf("reading %s: a step handed over %u rows", cu->def->what, cu->calls);
		cu->rc = SQLITE_ERROR;
		rd->failed = true;
		return -EIO;
	}
	return 0;
}

/* The rows of case id from cu into rd->fill: the one waiting, then those
 * its steps hand over, up to the first of a later case. */
static int gather(struct reader *rd, struct cursor *cu, int64_t id, char **ret_err)
{
	struct case_buf *b = rd->fill;
	if (cu->waiting && cu->next < id)
		cu->waiting = false; /* of a case that is not in the range */
	if (cu->waiting && cu->next == id) {
		const struct arena *from = &cu->ahead_a;
		if (cu == &rd->parties) {
			struct eval_party p = cu->ahead.party;
			p.role = arena_adopt(&b->a, from, p.role);
			p.preferred_channel = arena_adopt(&b->a, from, p.preferred_channel);
			p.identified_at = arena_adopt(&b->a, from, p.identified_at);
			p.roles = arena_adopt(&b->a, from, p.roles);
			*new_party(b) = p;
		} else {
			struct eval_event e = cu->ahead.event;
			e.at = arena_adopt(&b->a, from, e.at);
			e.kind = arena_adopt(&b->a, from, e.kind);
			e.channel = arena_adopt(&b->a, from, e.channel);
			e.detail = arena_adopt(&b->a, from, e.detail);
			*new_event(b) = e;
		}
		cu->waiting = false;
	}
	rd->want = id;
	while (!cu->waiting && cu->rc == SQLITE_ROW) {
		int r = cursor_step(rd, cu, ret_err);
		if (r < 0)
			return r;
		if (cu->waiting && cu->next < id)
			cu->waiting = false;
	}
	return 0;
}

static const struct cursor_def case_def = {
	"cases", "casewatch_case", fn_case, case_row, 11, CASE_COLS, CASE_FROM,
};
static const struct cursor_def party_def = {
	"parties", "casewatch_party", fn_party, party_row, 6, PARTY_COLS, PARTY_FROM,
};
static const struct cursor_def party_v1_def = {
	"parties", "casewatch_party", fn_party, party_row, 6, PARTY_V1_COLS, PARTY_FROM,
};
static const struct cursor_def event_def = {
	"events", "casewatch_event", fn_event, event_row, 7, EVENT_COLS, EVENT_FROM,
};

/* Prepare one of the reader's statements: its columns through its
 * function, or selected themselves when that plan sorts. */
static int cursor_prepare(struct reader *rd, struct cursor *cu, const struct cursor_def *def, char **ret_err)
{
	sqlite3 *db = rd->db;
	const char *fn = def->fn;
	_cleanup_free_ char *sql = xasprintf("SELECT %s(?3, %s)%s", fn, def->cols, def->from);
	*cu = (struct cursor){ .def = def, .rc = SQLITE_ROW };
	/* Kept for the whole scan, and in a parallel one rebound for each
	 * block of cases. The function is the connection's from its first
	 * scan on (made only where it is missing: making it again would
	 * expire the connection's statements). */
	_cleanup_free_ char *missing = xasprintf("no such function: %s", fn);
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cu->st, NULL);
	if (rc != SQLITE_OK && strcmp(sqlite3_errmsg(db), missing) == 0) {
		if (sqlite3_create_function_v2(db, fn, def->n_cols + 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
					       def->fn_impl, NULL, NULL, NULL) != SQLITE_OK)
			return sql_error(db, "preparing the scan", ret_err);
		rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cu->st, NULL);
	}
	if (rc != SQLITE_OK)
		return sql_error(db, "preparing the scan", ret_err);

	/* Does the plan sort? Then the function would be called for every
	 * row before the first step returned. */
	bool sorts = false;
	sqlite3_stmt *x = NULL;
	_cleanup_free_ char *explain = xasprintf("EXPLAIN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &x, NULL) != SQLITE_OK) {
		sqlite3_finalize(x);
		return sql_error(db, "preparing the scan", ret_err);
	}
	while ((rc = sqlite3_step(x)) == SQLITE_ROW && !sorts) {
		const char *op = (const char *)sqlite3_column_text(x, 1);
		sorts = op && (strcmp(op, "SorterOpen") == 0 || strcmp(op, "OpenEphemeral") == 0);
	}
	sqlite3_finalize(x);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_error(db, "preparing the scan", ret_err);
	if (!sorts) {
		sqlite3_bind_pointer(cu->st, 3, rd, READER_POINTER, NULL);
		return 0;
	}
	sqlite3_finalize(cu->st);
	cu->st = NULL;
	cu->by_column = true;
	free(sql);
	sql = xasprintf("SELECT %s%s", def->cols, def->from);
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &cu->st, NULL) != SQLITE_OK)
		return sql_error(db, "preparing the scan", ret_err);
	return 0;
}

static void reader_finalize(struct reader *rd)
{
	struct cursor *v[] = { &rd->cases, &rd->parties, &rd->events };
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		sqlite3_finalize(v[i]->st);
		arena_free(&v[i]->ahead_a);
	}
	*rd = (struct reader){ 0 };
}

/* Within the read transaction that is to be the scan's. The reader stays
 * where it is until reader_finalize(): the statements hold its address. */
static int reader_prepare(struct reader *rd, sqlite3 *db, char **ret_err)
{
	int64_t version = CASEDB_VERSION;
	int r;
	*rd = (struct reader){ .db = db };
	if (pragma_int(db, "PRAGMA user_version", &version) < 0)
		return sql_error(db, "reading the schema version", ret_err);
	/* Each statement keeps the plan it was prepared with, the one whose
	 * sorting cursor_prepare() looked for: a SQLite built with STAT4
	 * could otherwise plan again for the values bound to each range. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, NULL);
	if ((r = cursor_prepare(rd, &rd->cases, &case_def, ret_err)) < 0 ||
	    (r = cursor_prepare(rd, &rd->parties, version < 2 ? &party_v1_def : &party_def, ret_err)) < 0 ||
	    (r = cursor_prepare(rd, &rd->events, &event_def, ret_err)) < 0) {
		reader_finalize(rd);
		return r;
	}
	return 0;
}

/* Start reading the cases with lo <= id <= hi. */
static void reader_bind(struct reader *rd, int64_t lo, int64_t hi)
{
	struct cursor *v[] = { &rd->cases, &rd->parties, &rd->events };
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		sqlite3_reset(v[i]->st);
		sqlite3_bind_int64(v[i]->st, 1, lo);
		sqlite3_bind_int64(v[i]->st, 2, hi);
		v[i]->rc = SQLITE_ROW;
		v[i]->waiting = false;
	}
}

/* Read the next case into b: 1, 0 when there is none, or < 0 with
 * *ret_err. */
static int reader_next(struct reader *rd, struct case_buf *b, char **ret_err)
{
	int r;
	if (rd->failed) {
		*ret_err = xstrdup("reading the case database: a read before this one failed");
		return -EIO;
	}
	if (rd->cases.rc != SQLITE_ROW)
		return 0;
	rd->fill = b;
	if ((r = cursor_step(rd, &rd->cases, ret_err)) < 0 || rd->cases.rc == SQLITE_DONE ||
	    (r = gather(rd, &rd->parties, b->c.id, ret_err)) < 0 || (r = gather(rd, &rd->events, b->c.id, ret_err)) < 0) {
		rd->fill = NULL;
		return r;
	}
	rd->fill = NULL;
	b->c.parties = b->pv;
	b->c.n_parties = b->n_pv;
	b->c.events = b->ev;
	b->c.n_events = b->n_ev;
	return 1;
}

int scan_cases(sqlite3 *db, int64_t lo, int64_t hi, scan_fn fn, void *userdata, char **ret_err)
{
	struct reader rd = { 0 };
	struct case_buf b = { 0 };
	int r;
	/* One read transaction, so the three cursors see one snapshot; or
	 * the caller's, when it wants several scans to see one. */
	bool own = sqlite3_get_autocommit(db);
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(db, "starting the scan", ret_err);
	if ((r = reader_prepare(&rd, db, ret_err)) < 0)
		goto out;
	reader_bind(&rd, lo, hi);
	while ((r = reader_next(&rd, &b, ret_err)) > 0)
		if ((r = fn(&b.c, userdata)) < 0)
			break;
out:
	reader_finalize(&rd);
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	case_buf_done(&b);
	return r < 0 ? r : 0;
}

int scan_cases_ids(sqlite3 *db, const int64_t *ids, size_t n, scan_fn fn, scan_absent_fn absent, void *userdata,
		   struct progress *progress, char **ret_err)
{
	struct reader rd = { 0 };
	struct case_buf b = { 0 };
	int r = 0;
	bool own = sqlite3_get_autocommit(db);
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(db, "starting the scan", ret_err);
	if (n > 0 && (r = reader_prepare(&rd, db, ret_err)) < 0)
		goto out;
	progress_begin(progress, "scanning", n, PROGRESS_CASES);
	/* The statements prepared once, bound again for each case: a few
	 * changed cases cost no more than their rows. */
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		reader_bind(&rd, ids[i], ids[i]);
		bool found = false;
		while ((r = reader_next(&rd, &b, ret_err)) > 0) {
			found = true;
			if ((r = fn(&b.c, userdata)) < 0)
				break;
		}
		if (r >= 0 && !found && absent)
			r = absent(ids[i], userdata);
		progress_at(progress, i + 1);
	}
	progress_end(progress);
out:
	reader_finalize(&rd);
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	case_buf_done(&b);
	return r < 0 ? r : 0;
}

/* ---- The parallel scan (scan_evaluate) ---------------------------------
 *
 * The cases are cut by id into blocks of about PAR_BLOCK cases each. Each
 * thread, the calling one included, has its own read-only connection (the
 * calling thread: the caller's) and cursors, and a ring of PAR_RING batches
 * of at most PAR_BATCH cases each: it claims the next block, reads and
 * evaluates its cases into its ring. The calling thread also takes the
 * blocks in id order, each from the ring of the thread that claimed it, and
 * calls fn for each case: the order of the calls, and so the output, is
 * that of one stream. It reads and evaluates whenever the next block to
 * hand on is not ready, so that two threads keep two CPUs busy, and the
 * blocks it evaluates are handed on from its own cache. No block is claimed
 * more than PAR_AHEAD past the one being handed on, and a thread waits when
 * its ring is full: what is held is bounded by the threads, never by the
 * cases. */
#define PAR_BLOCK 128
#define PAR_BATCH 32
#define PAR_RING 8
#define PAR_AHEAD 16
/* Below this many cases a full scan takes some tens of milliseconds, and
 * a second connection and thread would buy little. */
#define PAR_MIN_CASES 4096

struct par_batch {
	struct case_buf v[PAR_BATCH];
	size_t n;
	size_t read; /* cases read: those `want` passed over too */
	bool last; /* of its block */
	int r;     /* < 0: the worker failed here, with err */
	char *err;
};

struct par;

struct par_worker {
	struct par *p;
	pthread_t thread;
	sqlite3 *db; /* NULL for the calling thread's, the caller's */
	struct reader rd;
	struct eval_result res; /* evaluated into, its scratch kept warm */
	struct par_batch *ring; /* PAR_RING */
	size_t tail, count;     /* the next to hand on, and how many are ready */
	pthread_cond_t room;    /* count went down to half, or stop */
	bool reading;           /* in the middle of a block */
	bool fresh;             /* ... not yet bound: the block */
	uint64_t block;
};

struct par {
	pthread_mutex_t lock;
	pthread_cond_t ready;     /* a block claimed or a batch handed over */
	pthread_cond_t claimable; /* applying went up, or stop */
	const struct evaluator *ev;
	scan_want_fn want;
	void *userdata;
	struct progress *progress;
	uint64_t done;           /* cases handed on, for progress */
	int64_t first;           /* the first id */
	uint64_t span, width;    /* last id - first id, and a block's ids */
	uint64_t n_blocks, next_block, applying;
	unsigned owner[PAR_AHEAD]; /* the thread of block b, at b % PAR_AHEAD; 0: the calling one */
	bool stop;
	unsigned n;
	struct par_worker w[SCAN_THREADS_MAX];
};

/* The CPU time a cgroup directory allows, in CPUs (quota / period), or 0
 * for no limit: cgroup v2's cpu.max ("max 100000", "150000 100000"), v1's
 * cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us. */
static double cgroup_dir_cpus(const char *dir, bool v2)
{
	char path[PATH_MAX * 2 + 32], buf[64] = "";
	double quota = 0, period = 0;
	if (v2) {
		snprintf(path, sizeof(path), "%s/cpu.max", dir);
		FILE *f = fopen(path, "re");
		if (!f)
			return 0;
		bool got = fgets(buf, sizeof(buf), f) != NULL;
		fclose(f);
		if (!got || sscanf(buf, "%lf %lf", &quota, &period) != 2) /* "max ...": none */
			return 0;
	} else {
		static const char *const names[] = { "cpu.cfs_quota_us", "cpu.cfs_period_us" };
		double *v[] = { &quota, &period };
		for (size_t i = 0; i < ELEMENTSOF(names); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			FILE *f = fopen(path, "re");
			if (!f)
				return 0;
			bool got = fgets(buf, sizeof(buf), f) != NULL && sscanf(buf, "%lf", v[i]) == 1;
			fclose(f);
			if (!got)
				return 0;
		}
	}
	return quota > 0 && period > 0 ? quota / period : 0;
}

unsigned scan_cgroup_cpus(const char *root, const char *self)
{
	FILE *f = fopen(self, "re");
	if (!f)
		return 0;
	char line[PATH_MAX + 64], rel[PATH_MAX + 8] = "", v2_rel[PATH_MAX + 8] = "";
	bool v1 = false, v2 = false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		/* ID:CONTROLLERS:PATH, v2's being 0::PATH. */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c2[1] != '/')
			continue;
		*c1 = *c2 = '\0';
		const char *ctl = c1 + 1, *path = c2 + 1;
		if (!*ctl && strcmp(line, "0") == 0) {
			snprintf(v2_rel, sizeof(v2_rel), "%s", path);
			v2 = true;
			continue;
		}
		/* v1: the hierarchy with the cpu controller among its own,
		 * mounted at ROOT/cpu. */
		for (const char *p = ctl; *p;) {
			size_t n = strcspn(p, ",");
			if (n == 3 && strncmp(p, "cpu", 3) == 0) {
				snprintf(rel, sizeof(rel), "/cpu%s", path);
				v1 = true;
			}
			p += n + (p[n] == ',');
		}
	}
	fclose(f);
	/* The unified hierarchy when it is mounted at ROOT itself (a hybrid
	 * mounts it at ROOT/unified, without the cpu controller). */
	char probe[PATH_MAX];
	snprintf(probe, sizeof(probe), "%s/cgroup.controllers", root);
	if (v2 && access(probe, F_OK) == 0) {
		memcpy(rel, v2_rel, sizeof(rel));
		v1 = false;
	} else {
		v2 = false;
	}
	if (!v1 && !v2)
		return 0;
	/* The least of the cgroup's and its ancestors' limits (a slice's
	 * CPUQuota= holds for every service in it), up to the top. */
	size_t base = v2 ? 0 : strlen("/cpu");
	double least = 0;
	for (;;) {
		char dir[PATH_MAX * 2 + 16];
		snprintf(dir, sizeof(dir), "%s%s", root, rel);
		double c = cgroup_dir_cpus(dir, v2);
		if (c > 0 && (least == 0 || c < least))
			least = c;
		char *top = rel + base, *slash = strrchr(top, '/');
		if (!slash || (slash == top && !top[1]))
			break;
		if (slash == top)
			top[1] = '\0';
		else
			*slash = '\0';
	}
	if (least <= 0)
		return 0;
	unsigned whole = (unsigned)least;
	return (double)whole < least ? whole + 1 : whole;
}

static unsigned cgroup_quota;

static void read_quota(void)
{
	cgroup_quota = scan_cgroup_cpus("/sys/fs/cgroup", "/proc/self/cgroup");
}

unsigned scan_threads(bool *ret_forced)
{
	const char *e = getenv("CASEWATCH_THREADS");
	*ret_forced = false;
	if (e && *e) {
		char *end;
		errno = 0;
		unsigned long n = strtoul(e, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 1 && n <= SCAN_THREADS_MAX) {
			*ret_forced = true;
			return (unsigned)n;
		}
	}
	/* The CPUs this process may run on (a service's CPUAffinity=, a
	 * container's cpuset), not those of the machine. */
	cpu_set_t set;
	int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* And the CPU time its cgroup may use (a service's CPUQuota=, a
	 * container's CPU limit): a second thread on a quota of one CPU
	 * only gets the process throttled. Read once a process, not at each
	 * full scan: a quota set on the running service (systemctl
	 * set-property) counts from its next start. */
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, read_quota);
	unsigned quota = cgroup_quota;
	if (quota > 0 && (int)quota < cpus)
		cpus = (int)quota;
	return cpus >= 2 ? 2 : 1;
}

static void block_range(const struct par *p, uint64_t b, int64_t *ret_lo, int64_t *ret_hi)
{
	uint64_t lo = b * p->width, hi = p->span - lo < p->width ? p->span : lo + p->width - 1;
	*ret_lo = (int64_t)((uint64_t)p->first + lo);
	*ret_hi = (int64_t)((uint64_t)p->first + hi);
}

/* The batch to fill next, emptied; NULL once the scan is stopping. */
static struct par_batch *par_acquire(struct par_worker *w)
{
	struct par *p = w->p;
	pthread_mutex_lock(&p->lock);
	while (!p->stop && w->count == PAR_RING)
		pthread_cond_wait(&w->room, &p->lock);
	struct par_batch *bt = p->stop ? NULL : &w->ring[(w->tail + w->count) % PAR_RING];
	pthread_mutex_unlock(&p->lock);
	if (bt) {
		/* Its cases' buffers are kept, grown to the largest case. */
		bt->n = 0;
		bt->read = 0;
		bt->last = false;
		bt->r = 0;
		bt->err = NULL;
	}
	return bt;
}

/* Wake the calling thread once half the ring is ready, or the block is
 * done, not for every batch: each wake-up costs both threads. */
static void par_publish(struct par_worker *w, const struct par_batch *bt)
{
	struct par *p = w->p;
	pthread_mutex_lock(&p->lock);
	if (++w->count >= PAR_RING / 2 || bt->last)
		pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
}

/* The result of an evaluation moves to the case that travels; the
 * scratch space stays with the thread. */
static void result_move(struct eval_result *from, struct eval_result *to)
{
	struct eval_result t = *to;
	*to = *from;
	*from = t;
	from->scratch = to->scratch;
	to->scratch = t.scratch;
}

/* Take block b to read. Called with the lock held; the cursors are
 * rebound by par_fill, without it. */
static void par_claim(struct par_worker *w, uint64_t b)
{
	struct par *p = w->p;
	p->owner[b % PAR_AHEAD] = (unsigned)(w - p->w);
	p->next_block = b + 1;
	w->block = b;
	w->reading = w->fresh = true;
}

/* Read and evaluate the next cases of the block being read into bt, up
 * to a batch; bt->last at the end of the block, or with bt->r < 0 when
 * reading failed. */
static void par_fill(struct par_worker *w, struct par_batch *bt)
{
	struct par *p = w->p;
	if (w->fresh) {
		int64_t lo, hi;
		block_range(p, w->block, &lo, &hi);
		reader_bind(&w->rd, lo, hi);
		w->fresh = false;
	}
	while (bt->n < PAR_BATCH) {
		struct case_buf *cb = &bt->v[bt->n];
		int r = reader_next(&w->rd, cb, &bt->err);
		if (r <= 0) {
			bt->r = r;
			bt->last = true;
			w->reading = false;
			return;
		}
		bt->read++;
		if (p->want && !p->want(&cb->c, p->userdata))
			continue;
		eval_case(p->ev, &cb->c, &w->res);
		result_move(&w->res, &cb->res);
		bt->n++;
	}
}

static void *par_work(void *userdata)
{
	struct par_worker *w = userdata;
	struct par *p = w->p;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->stop && p->next_block < p->n_blocks && p->next_block >= p->applying + PAR_AHEAD)
			pthread_cond_wait(&p->claimable, &p->lock);
		if (p->stop || p->next_block >= p->n_blocks) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		par_claim(w, p->next_block);
		pthread_mutex_unlock(&p->lock);
		while (w->reading) {
			struct par_batch *bt = par_acquire(w);
			if (!bt)
				return NULL;
			par_fill(w, bt);
			par_publish(w, bt);
			if (bt->r < 0)
				return NULL;
		}
	}
}

/* The last sequence number of the change log: every write to a case, a
 * party or an event moves it (schema/casedb.sql, its triggers), so two
 * connections that read the same one see the same cases. -ENOENT when the
 * database has no log, or not all of its triggers. */
static int changes_head(sqlite3 *db, int64_t *ret)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN ("
		"'cases_logged_insert', 'cases_logged_update', 'cases_logged_delete', "
		"'parties_logged_insert', 'parties_logged_update', 'parties_logged_delete', "
		"'events_logged_insert', 'events_logged_update', 'events_logged_delete')), "
		"(SELECT seq FROM sqlite_sequence WHERE name = 'changes')";
	sqlite3_stmt *st = NULL;
	int r = -EIO;
	/* No sqlite_sequence: no table with AUTOINCREMENT, so no log. */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		r = -ENOENT;
	else if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 1);
		r = sqlite3_column_int(st, 0) == 9 ? 0 : -ENOENT;
	}
	sqlite3_finalize(st);
	return r;
}

/* The first and last id of the cases in [lo, hi], and how many there are. */
static int case_span(sqlite3 *db, int64_t lo, int64_t hi, int64_t *ret_first, int64_t *ret_last, int64_t *ret_n,
		     char **ret_err)
{
	/* min and max each a seek; the count, over the whole table, the
	 * quick walk of its smallest index. */
	static const char all_sql[] = "SELECT (SELECT min(id) FROM cases WHERE id BETWEEN ?1 AND ?2), "
				      "(SELECT max(id) FROM cases WHERE id BETWEEN ?1 AND ?2), "
				      "(SELECT count(*) FROM cases)";
	static const char range_sql[] = "SELECT min(id), max(id), count(*) FROM cases WHERE id BETWEEN ?1 AND ?2";
	sqlite3_stmt *st = NULL;
	int r = 0;
	if (sqlite3_prepare_v2(db, lo == INT64_MIN && hi == INT64_MAX ? all_sql : range_sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_error(db, "counting the cases", ret_err);
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	if (sqlite3_step(st) != SQLITE_ROW)
		r = sql_error(db, "counting the cases", ret_err);
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		*ret_n = 0;
	else {
		*ret_first = sqlite3_column_int64(st, 0);
		*ret_last = sqlite3_column_int64(st, 1);
		*ret_n = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return r;
}

/* A worker's connection, in a read transaction that sees what `head`
 * says the caller's does; 0, or < 0 when it cannot be had (and the scan
 * is then done by one thread). */
static int par_connect(struct par_worker *w, sqlite3 *db, const char *path, int64_t head)
{
	int64_t h;
	char *err = NULL;
	if (w == w->p->w) {
		/* The calling thread reads in the caller's transaction. */
		int r = reader_prepare(&w->rd, db, &err);
		free(err);
		return r;
	}
	if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_busy_timeout(w->db, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(w->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK || changes_head(w->db, &h) < 0 || h != head)
		return -ESTALE;
	int r = reader_prepare(&w->rd, w->db, &err);
	free(err);
	return r;
}

static void par_disconnect(struct par_worker *w)
{
	reader_finalize(&w->rd);
	if (w->db && !sqlite3_get_autocommit(w->db))
		sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(w->db);
	w->db = NULL;
	if (w->ring)
		for (size_t i = 0; i < PAR_RING; i++) {
			free(w->ring[i].err);
			for (size_t j = 0; j < PAR_BATCH; j++)
				case_buf_done(&w->ring[i].v[j]);
		}
	free(w->ring);
	w->ring = NULL;
	eval_result_free(&w->res);
}

/* The calling thread's part: hand the blocks on in order, and read and
 * evaluate while the next one is not ready. The other threads are
 * running. */
static int par_apply(struct par *p, scan_result_fn fn, void *userdata, char **ret_err)
{
	struct par_worker *self = &p->w[0];
	int r = 0;
	pthread_mutex_lock(&p->lock);
	for (uint64_t b = 0; b < p->n_blocks && r >= 0;) {
		if (p->next_block <= b) {
			/* Nobody has it yet (and this thread has finished
			 * its own): it is this thread's. */
			par_claim(self, b);
			continue;
		}
		struct par_worker *w = &p->w[p->owner[b % PAR_AHEAD]];
		if (w->count > 0) {
			struct par_batch *bt = &w->ring[w->tail];
			pthread_mutex_unlock(&p->lock);
			/* The cases read before a failure first, as one
			 * stream would hand them on. */
			for (size_t i = 0; i < bt->n && r >= 0; i++)
				r = fn(&bt->v[i].c, &bt->v[i].res, userdata);
			if (r >= 0 && bt->r < 0) {
				r = bt->r;
				*ret_err = bt->err;
				bt->err = NULL;
			}
			/* Counted here, as the cases are handed on in order
			 * on this one thread: nothing shared to count. */
			p->done += bt->read;
			progress_at(p->progress, p->done);
			pthread_mutex_lock(&p->lock);
			w->tail = (w->tail + 1) % PAR_RING;
			if (--w->count == PAR_RING / 2 && w != self)
				pthread_cond_signal(&w->room);
			if (bt->last) {
				p->applying = ++b;
				pthread_cond_broadcast(&p->claimable);
			}
			continue;
		}
		/* Block b is another thread's and not ready: read ahead,
		 * when there is room and something to read. */
		if (self->count < PAR_RING && !self->reading && p->next_block < p->n_blocks &&
		    p->next_block < b + PAR_AHEAD)
			par_claim(self, p->next_block);
		if (self->count == PAR_RING || !self->reading) {
			pthread_cond_wait(&p->ready, &p->lock);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		struct par_batch *bt = &self->ring[(self->tail + self->count) % PAR_RING];
		bt->n = 0;
		bt->read = 0;
		bt->last = false;
		bt->r = 0;
		bt->err = NULL;
		par_fill(self, bt);
		pthread_mutex_lock(&p->lock);
		self->count++;
	}
	p->stop = true;
	pthread_cond_broadcast(&p->claimable);
	for (unsigned i = 1; i < p->n; i++)
		pthread_cond_broadcast(&p->w[i].room);
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* The scan by n threads; 1 when it ran (r is then its result), 0 when it
 * could not start and one thread is to do it. */
static int par_scan(sqlite3 *db, const struct evaluator *ev, int64_t first, int64_t last, int64_t n_cases,
		    unsigned n, scan_want_fn want, scan_result_fn fn, void *userdata, struct progress *progress,
		    int *ret_r, char **ret_err)
{
	const char *path = sqlite3_db_filename(db, "main");
	int64_t head;
	if (!path || !*path || changes_head(db, &head) < 0)
		return 0;
	struct par *p = xcalloc(1, sizeof(*p));
	*p = (struct par){
		.ev = ev, .want = want, .userdata = userdata, .progress = progress, .first = first,
		.span = (uint64_t)last - (uint64_t)first,
	};
	uint64_t blocks = (uint64_t)n_cases / PAR_BLOCK + 1;
	p->width = p->span / blocks + 1;
	p->n_blocks = p->span / p->width + 1;
	int ok = 1;
	for (unsigned i = 0; i < n && ok; i++) {
		struct par_worker *w = &p->w[i];
		w->p = p;
		w->ring = xcalloc(PAR_RING, sizeof(*w->ring));
		ok = par_connect(w, db, path, head) == 0;
	}
	if (ok) {
		pthread_mutex_init(&p->lock, NULL);
		pthread_cond_init(&p->ready, NULL);
		pthread_cond_init(&p->claimable, NULL);
		for (unsigned i = 0; i < n; i++)
			pthread_cond_init(&p->w[i].room, NULL);
		/* Signals are the calling thread's to take. */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		/* Fewer threads than asked for (a limit on them) do the same
		 * work more slowly; this one alone, all of it. */
		unsigned started = 1;
		for (unsigned i = 1; i < n; i++)
			if (pthread_create(&p->w[started].thread, NULL, par_work, &p->w[started]) == 0)
				started++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		p->n = started;
		*ret_r = par_apply(p, fn, userdata, ret_err);
		for (unsigned i = 1; i < started; i++)
			pthread_join(p->w[i].thread, NULL);
		for (unsigned i = 0; i < n; i++)
			pthread_cond_destroy(&p->w[i].room);
		pthread_cond_destroy(&p->claimable);
		pthread_cond_destroy(&p->ready);
		pthread_mutex_destroy(&p->lock);
	}
	for (unsigned i = 0; i < n; i++)
		par_disconnect(&p->w[i]);
	free(p);
	return ok;
}

struct one_cb {
	const struct evaluator *ev;
	scan_want_fn want;
	scan_result_fn fn;
	void *userdata;
	struct eval_result res;
	struct progress *progress;
	uint64_t done;
};

static int one_case(const struct eval_case *c, void *userdata)
{
	struct one_cb *cb = userdata;
	progress_at(cb->progress, ++cb->done);
	if (cb->want && !cb->want(c, cb->userdata))
		return 0;
	eval_case(cb->ev, c, &cb->res);
	return cb->fn(c, &cb->res, cb->userdata);
}

int scan_evaluate(sqlite3 *db, const struct evaluator *ev, int64_t lo, int64_t hi, scan_want_fn want,
		  scan_result_fn fn, void *userdata, struct progress *progress, char **ret_err)
{
	bool forced;
	unsigned n = scan_threads(&forced);
	int r = 0;
	int64_t first = 0, last = 0, n_cases = -1;
	/* The span of the cases, for the threads to share and for the
	 * progress shown, in the read transaction the workers' must match. */
	bool span = (n > 1 && lo < hi) || progress;
	bool own = span && sqlite3_get_autocommit(db);
	if (own && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(db, "starting the scan", ret_err);
	if (span && (r = case_span(db, lo, hi, &first, &last, &n_cases, ret_err)) < 0)
		goto out;
	progress_begin(progress, "scanning", n_cases > 0 ? (uint64_t)n_cases : 0, PROGRESS_CASES);
	if (n > 1 && lo < hi && n_cases > 1 && (forced || n_cases >= PAR_MIN_CASES) &&
	    par_scan(db, ev, first, last, n_cases, n, want, fn, userdata, progress, &r, ret_err))
		goto out;
	struct one_cb cb = { .ev = ev, .want = want, .fn = fn, .userdata = userdata, .progress = progress };
	r = scan_cases(db, lo, hi, one_case, &cb, ret_err);
	eval_result_free(&cb.res);
out:
	progress_end(progress);
	if (own)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return r;
}

/* A reference as casewatch shows it: someone asking about a case whose
 * reference had to be cleaned or cut types what they were shown. The
 * references that needed nothing are passed over without allocating. */
static int find_shown_ref(sqlite3 *db, const char *ref, int64_t *ret_id, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT id, ref FROM cases WHERE ref IS NOT NULL ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_error(db, "finding a case", ret_err);
	int64_t found = 0;
	size_t n_found = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		if (!t || text_faults(t, strlen(t), TEXT_MAX_REF) == 0)
			continue;
		_cleanup_free_ char *shown = text_clean(t, TEXT_MAX_REF, NULL);
		if (strcmp(shown, ref) == 0 && n_found++ == 0)
			found = sqlite3_column_int64(st, 0);
	}
	int r = 0;
	if (rc != SQLITE_DONE)
		r = sql_error(db, "finding a case", ret_err);
	else if (n_found == 0)
		r = -ENOENT;
	else if (n_found > 1) {
		_cleanup_free_ char *shown = text_clean(ref, TEXT_MAX_REF, NULL);
		*ret_err = xasprintf("the reference '%s' is how %zu cases are shown, their references being cut short "
				     "or cleaned (casewatch-rules(5), LIMITS): correct them in the case database",
				     shown, n_found);
		r = -ENOTUNIQ;
	} else
		*ret_id = found;
	sqlite3_finalize(st);
	return r;
}

int scan_find_ref(sqlite3 *db, const char *ref, int64_t *ret_id, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT id FROM cases WHERE ref = ?1", -1, &st, NULL) != SQLITE_OK)
		return sql_error(db, "finding a case", ret_err);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), r;
	if (rc == SQLITE_ROW) {
		*ret_id = sqlite3_column_int64(st, 0);
		r = 0;
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = sql_error(db, "finding a case", ret_err);
	}
	sqlite3_finalize(st);
	if (r == -ENOENT)
		r = find_shown_ref(db, ref, ret_id, ret_err);
	return r;
}

static void note_bad(struct scan_bad *b, int64_t id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note_bad(struct scan_bad *b, int64_t id, const char *fmt, ...)
{
	if (b->n < SCAN_BAD_KEPT) {
		va_list ap;
		va_start(ap, fmt);
		b->v[b->n].id = id;
		vsnprintf(b->v[b->n].why, sizeof(b->v[b->n].why), fmt, ap);
		va_end(ap);
	}
	b->n++;
}

/* A bad value (a date, a timestamp, a number) quoted in a message: clean
 * and at most this long (casewatch-rules(5), LIMITS). */
#define QUOTE_MAX 40

int scan_meetings(sqlite3 *db, const char *kind, const char *team, cw_day **ret_days, size_t *ret_n,
		  cw_day *ret_first, struct scan_bad *ret_bad, char **ret_err)
{
	sqlite3_stmt *st;
	cw_day *days = NULL, first = CW_DAY_NONE;
	size_t n = 0, cap = 0;
	int r;
	*ret_bad = (struct scan_bad){ 0 };
	if (sqlite3_prepare_v2(db, "SELECT id, held_on FROM meetings WHERE kind = ?1 "
			       "AND (?2 IS NULL OR team IS NULL OR team = ?2) ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return sql_error(db, "reading meetings", ret_err);
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	if (team)
		sqlite3_bind_text(st, 2, team, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		cw_day d;
		if (!t) {
			note_bad(ret_bad, id, "held_on is empty");
			continue;
		}
		if (date_parse(t, &d) < 0) {
			_cleanup_free_ char *q = text_clean(t, QUOTE_MAX, NULL);
			note_bad(ret_bad, id, "held_on '%s' is not a date YYYY-MM-DD", q);
			continue;
		}
		days = xgrow(days, &cap, n + 1, sizeof(cw_day));
		days[n++] = d;
		if (d < first)
			first = d;
	}
	if (rc != SQLITE_DONE) {
		r = sql_error(db, "reading meetings", ret_err);
		sqlite3_finalize(st);
		free(days);
		return r;
	}
	sqlite3_finalize(st);
	*ret_days = days;
	*ret_n = n;
	*ret_first = first;
	return 0;
}

/* A case's team or officer id as scan_cases gives it: cleaned and cut. */
static char *clean_id(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (!t)
		return NULL;
	return text_faults(t, strlen(t), TEXT_MAX_ID) ? text_clean(t, TEXT_MAX_ID, NULL) : xstrdup(t);
}

int scan_surveys_each(sqlite3 *db, const struct tz *tz, scan_survey_fn fn, void *userdata, struct scan_bad *ret_bad,
		      char **ret_err)
{
	sqlite3_stmt *st;
	*ret_bad = (struct scan_bad){ 0 };
	if (sqlite3_prepare_v2(db, "SELECT s.id, s.at, s.satisfied, c.team, c.officer "
			       "FROM surveys s LEFT JOIN cases c ON c.id = s.case_id ORDER BY s.id", -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_error(db, "reading surveys", ret_err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		int64_t when, sat = int_or(st, 2, -1);
		if (!t) {
			note_bad(ret_bad, id, "at is empty");
			continue;
		}
		if (tz_parse_timestamp(tz, t, &when) < 0) {
			_cleanup_free_ char *q = text_clean(t, QUOTE_MAX, NULL);
			note_bad(ret_bad, id, "at '%s' is not an RFC 3339 timestamp", q);
			continue;
		}
		if (sat != 0 && sat != 1) {
			if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
				note_bad(ret_bad, id, "satisfied is empty");
			} else {
				_cleanup_free_ char *q =
					text_clean((const char *)sqlite3_column_text(st, 2), QUOTE_MAX, NULL);
				note_bad(ret_bad, id, "satisfied is '%s', not 0 or 1", q ? q : "");
			}
			continue;
		}
		_cleanup_free_ char *team = clean_id(st, 3), *officer = clean_id(st, 4);
		fn(tz_local_day(tz, when), sat == 1, team, officer, userdata);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_error(db, "reading surveys", ret_err);
	return 0;
}

struct survey_count {
	cw_day from, to;
	size_t total, yes;
};

static void count_survey(cw_day day, bool satisfied, const char *team, const char *officer, void *userdata)
{
	struct survey_count *c = userdata;
	(void)team;
	(void)officer;
	if (day < c->from || day > c->to)
		return;
	c->total++;
	c->yes += satisfied;
}

int scan_surveys(sqlite3 *db, const struct tz *tz, cw_day from, cw_day to, size_t *ret_total,
		 size_t *ret_satisfied, struct scan_bad *ret_bad, char **ret_err)
{
	struct survey_count c = { .from = from, .to = to };
	int r = scan_surveys_each(db, tz, count_survey, &c, ret_bad, ret_err);
	if (r < 0)
		return r;
	*ret_total = c.total;
	*ret_satisfied = c.yes;
	return 0;
}

int scan_id_known(sqlite3 *db, bool officer, const char *id, bool *ret_known, char **ret_err)
{
	static const char team_sql[] =
		"SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?1) OR EXISTS (SELECT 1 FROM cases WHERE team = ?1)";
	static const char officer_sql[] =
		"SELECT EXISTS (SELECT 1 FROM officers WHERE id = ?1) OR EXISTS (SELECT 1 FROM cases WHERE officer = ?1)";
	const char *what = officer ? "reading officers" : "reading teams";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, officer ? officer_sql : team_sql, -1, &st, NULL) != SQLITE_OK)
		return sql_error(db, what, ret_err);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	int r = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		*ret_known = sqlite3_column_int(st, 0) != 0;
	else
		r = sql_error(db, what, ret_err);
	sqlite3_finalize(st);
	return r;
}

int scan_changes_head(sqlite3 *db, int64_t since, int64_t *ret_head, bool *ret_complete, char **ret_err)
{
	/* sqlite_sequence keeps the last number given out even when the log
	 * has been pruned empty; no row there means nothing was ever logged. */
	sqlite3_stmt *st = NULL;
	int64_t head = 0, first = INT64_MAX;
	int rc = sqlite3_prepare_v2(db, "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'changes'), "
				    "(SELECT min(seq) FROM changes WHERE seq > ?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, since);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_ROW) {
		int r = sql_error(db, "reading the change log", ret_err);
		sqlite3_finalize(st);
		return r;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		head = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		first = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	*ret_head = head;
	/* Complete when nothing is new, or the first entry after `since`
	 * is the very next one. A head behind `since` is another database
	 * (or one restored from an older copy): nothing is known. */
	*ret_complete = head == since || (head > since && first == since + 1);
	return 0;
}

int scan_changed_cases(sqlite3 *db, int64_t since, int64_t head, int (*fn)(int64_t id, void *userdata),
		       void *userdata, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT case_id FROM changes WHERE seq > ?1 AND seq <= ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_error(db, "reading the change log", ret_err);
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, head);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = fn(sqlite3_column_int64(st, 0), userdata)) < 0)
			break;
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_error(db, "reading the change log", ret_err);
	sqlite3_finalize(st);
	return r;
}

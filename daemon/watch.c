/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "watch.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "date.h"
#include "eval.h"
#include "scan.h"
#include "schema.h"
#include "stage.h"
#include "util.h"

/* schema/state.sql, carried in the program by sql2c.sh. */
extern const char state_schema_sql[];
extern const char state_upgrade_2_sql[];
extern const char state_upgrade_3_sql[];
extern const char state_upgrade_4_sql[];
extern const char state_upgrade_5_sql[];
extern const char state_upgrade_6_sql[];
extern const char state_upgrade_7_sql[];
extern const char state_upgrade_8_sql[];
extern const char state_upgrade_9_sql[];
extern const char state_upgrade_10_sql[];
static const char *const state_upgrades[] = { state_upgrade_2_sql, state_upgrade_3_sql, state_upgrade_4_sql,
					      state_upgrade_5_sql, state_upgrade_6_sql, state_upgrade_7_sql,
					      state_upgrade_8_sql, state_upgrade_9_sql, state_upgrade_10_sql };

/* Version 8 to 9, after schema/state-9.sql has copied the bodies: the old
 * column goes, its text overwritten where it lay, whatever the library's
 * default for secure_delete; the setting is put back after. */
static int drop_message_body(sqlite3 *db, char **ret_err)
{
	int secure = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA secure_delete", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		secure = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_exec(db, "PRAGMA secure_delete = 1", NULL, NULL, NULL);
	int rc = sqlite3_exec(db, "ALTER TABLE messages DROP COLUMN body", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		*ret_err = xasprintf("dropping the messages' old body column: %s", sqlite3_errmsg(db));
	char sql[32];
	snprintf(sql, sizeof(sql), "PRAGMA secure_delete = %d", secure);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -EIO;
}
static int (*const state_upgrade_fns[])(sqlite3 *, char **) = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, drop_message_body, NULL,
};

#define STATE_APPLICATION_ID 0x43575354 /* 'CWST' */
#define STATE_VERSION 10

_Static_assert(ELEMENTSOF(state_upgrades) == STATE_VERSION - 1 && ELEMENTSOF(state_upgrade_fns) == STATE_VERSION - 1,
	       "one upgrade per version");

static const struct schema state_schema = {
	.what = "state database",
	.application_id = STATE_APPLICATION_ID,
	.version = STATE_VERSION,
	.create_sql = state_schema_sql,
	.upgrades = state_upgrades,
	.upgrade_fns = state_upgrade_fns,
};

/* Bumped whenever what a scan stores for the same input changes, so that
 * a new casewatch re-derives everything once. */
#define WATCH_FORMAT 2

/* How many cases between two calls of the progress hook. */
#define PROGRESS_EVERY 2048

enum {
	ST_GET_CASE,
	ST_PUT_CASE,
	ST_DEL_CASE,
	ST_OLD_OBLIGATIONS,
	ST_DEL_OBLIGATIONS,
	ST_PUT_OBLIGATION,
	ST_QUEUE,
	ST_WAKE,
	ST_META_GET,
	ST_META_PUT,
	ST_COUNT_ADD,
	_ST_MAX,
};

static const char *const statement_sql[_ST_MAX] = {
	[ST_GET_CASE] = "SELECT digest, problems FROM cases WHERE case_id = ?1",
	[ST_PUT_CASE] = "INSERT INTO cases (case_id, ref, officer, team, open, problems, digest, wake_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (case_id) DO UPDATE SET "
			"ref = ?2, officer = ?3, team = ?4, open = ?5, problems = ?6, digest = ?7, wake_at = ?8",
	[ST_DEL_CASE] = "DELETE FROM cases WHERE case_id = ?1",
	[ST_OLD_OBLIGATIONS] = "SELECT rule, party_id, cycle, stage, state FROM obligations WHERE case_id = ?1",
	[ST_DEL_OBLIGATIONS] = "DELETE FROM obligations WHERE case_id = ?1",
	[ST_PUT_OBLIGATION] = "INSERT INTO obligations (case_id, rule, party_id, cycle, party_role, start, due, "
			      "due_day, overdue_at, state, stage) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_QUEUE] = "INSERT INTO outbox (case_id, rule, party_id, cycle, stage, recipient, urgent, created_at, "
		     "reached_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
	[ST_WAKE] = "SELECT case_id FROM cases WHERE wake_at <= ?1",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_PUT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = ?2",
	[ST_COUNT_ADD] = "INSERT INTO obligation_counts (rule, state, n) VALUES (?1, ?2, ?3) "
			 "ON CONFLICT (rule, state) DO UPDATE SET n = n + ?3",
};

struct watch {
	sqlite3 *db; /* the state database, read-write */
	sqlite3 *ro; /* the same, for reading the old state beside the writes */
	char *path;
	dev_t dev; /* the file opened, to notice it deleted or replaced */
	ino_t ino;
	sqlite3_stmt *st[_ST_MAX];

	const struct ruleset *rules;
	const struct calendar *cal;
	const struct tz *tz;
	uint64_t config_digest;
	uint64_t *rule_hash; /* of each rule's id */
	bool case_db_failed; /* the last scan could not read the case database */
	char **webhooks; /* "webhook:NAME" */
	size_t n_webhooks;
};

void watch_set_webhooks(struct watch *w, const struct webhook_conf *v, size_t n)
{
	for (size_t i = 0; i < w->n_webhooks; i++)
		free(w->webhooks[i]);
	free(w->webhooks);
	w->webhooks = n ? xcalloc(n, sizeof(char *)) : NULL;
	for (size_t i = 0; i < n; i++)
		w->webhooks[i] = xasprintf("webhook:%s", v[i].name);
	w->n_webhooks = n;
}

sqlite3 *watch_db(struct watch *w)
{
	return w->db;
}

const char *watch_full_to_string(enum watch_full f)
{
	static const char *const names[_WATCH_FULL_MAX] = {
		[WATCH_FULL_NO] = "incremental",
		[WATCH_FULL_START] = "start",
		[WATCH_FULL_RELOAD] = "reload",
		[WATCH_FULL_REQUESTED] = "requested",
		[WATCH_FULL_NEW_STATE] = "new state database",
		[WATCH_FULL_CONFIG] = "rules, calendar or time zone changed",
		[WATCH_FULL_NEW_DAY] = "new day",
		[WATCH_FULL_CHANGES] = "change log incomplete",
		[WATCH_FULL_RETURNED] = "case database readable again",
	};
	return names[f];
}

static int db_error(sqlite3 *db, const char *what, char **ret_err)
{
	*ret_err = xasprintf("state database: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static int exec(sqlite3 *db, const char *sql, char **ret_err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, sql, ret_err);
	return 0;
}

int watch_open(const char *path, struct watch **ret, bool *ret_created, char **ret_err)
{
	sqlite3 *db = NULL;
	int from = 0;
	int r = schema_open(path, &state_schema, &db, &from, ret_err);
	if (r < 0)
		return r;
	struct watch *w = xcalloc(1, sizeof(*w));
	w->db = db;
	w->path = xstrdup(path);
	/* FULL: a commit survives power loss, so no stage is queued twice or
	 * lost; it costs one sync a scan. The size limit gives the space of
	 * a large first scan's log back. */
	if ((r = exec(db, "PRAGMA synchronous = FULL", ret_err)) < 0 ||
	    (r = exec(db, "PRAGMA foreign_keys = ON", ret_err)) < 0 ||
	    (r = exec(db, "PRAGMA journal_size_limit = 67108864", ret_err)) < 0)
		goto fail;
	for (int i = 0; i < _ST_MAX; i++)
		if (sqlite3_prepare_v3(db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &w->st[i], NULL) !=
		    SQLITE_OK) {
			r = db_error(db, "preparing statements", ret_err);
			goto fail;
		}
	if (sqlite3_open_v2(path, &w->ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = db_error(w->ro, "opening a reader", ret_err);
		goto fail;
	}
	sqlite3_busy_timeout(w->ro, 10000);
	struct stat stbuf;
	if (stat(path, &stbuf) < 0) {
		r = -errno;
		*ret_err = xasprintf("%s: %s", path, strerror(-r));
		goto fail;
	}
	w->dev = stbuf.st_dev;
	w->ino = stbuf.st_ino;
	*ret = w;
	*ret_created = from == 0;
	return 0;
fail:
	watch_free(w);
	return r;
}

bool watch_replaced(const struct watch *w)
{
	struct stat st;
	return stat(w->path, &st) < 0 || st.st_dev != w->dev || st.st_ino != w->ino;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	for (int i = 0; i < _ST_MAX; i++)
		sqlite3_finalize(w->st[i]);
	sqlite3_close(w->ro);
	sqlite3_close(w->db);
	free(w->rule_hash);
	free(w->path);
	watch_set_webhooks(w, NULL, 0);
	free(w);
}

void watch_stats_free(struct watch_stats *s)
{
	for (size_t i = 0; i < s->n_tv; i++) {
		free(s->tv[i].ref);
		free(s->tv[i].rule);
	}
	free(s->tv);
	for (size_t i = 0; i < s->n_problems; i++)
		free(s->problems[i]);
	free(s->problems);
	*s = (struct watch_stats){ 0 };
}

void watch_set_config(struct watch *w, const struct ruleset *rules, const struct calendar *cal,
		      const struct tz *tz)
{
	w->rules = rules;
	w->cal = cal;
	w->tz = tz;
	free(w->rule_hash);
	w->rule_hash = xcalloc(rules->n + 1, sizeof(uint64_t));
	for (size_t i = 0; i < rules->n; i++)
		w->rule_hash[i] = hash_str(HASH_INIT, rules->v[i].id);

	/* What the obligations depend on: the rules' meaning, which days are
	 * working days, and where each local day starts. */
	uint64_t h = hash_u64(rules_digest(rules), WATCH_FORMAT);
	h = hash_str(h, tz_name(tz));
	cw_day lo = date_from_ymd(CALENDAR_MIN_YEAR, 1, 1), hi = date_from_ymd(CALENDAR_MAX_YEAR, 12, 31);
	/* Each local midnight, 64 days at a time, each run found a change at
	 * a time (tz_local_to_instants()): a day at a time was the largest
	 * cost of a scan with nothing to do. */
	uint64_t bits = 0;
	for (cw_day d0 = lo; d0 <= hi; d0 += 64) {
		int64_t midnight[64];
		size_t n = (size_t)(hi - d0 + 1) < 64 ? (size_t)(hi - d0 + 1) : 64;
		tz_local_to_instants(tz, d0, n, 0, midnight);
		for (size_t i = 0; i < n; i++) {
			cw_day d = d0 + (cw_day)i;
			bits = bits << 1 | calendar_is_working_day(cal, d);
			if ((d - lo) % 64 == 63)
				h = hash_u64(h, bits);
			h = hash_u64(h, (uint64_t)midnight[i]);
		}
	}
	w->config_digest = hash_u64(h, bits);
}

/* ---- meta ------------------------------------------------------------ */

static int meta_get(struct watch *w, const char *key, int64_t *ret, bool *ret_found, char **ret_err)
{
	sqlite3_stmt *st = w->st[ST_META_GET];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*ret_found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER;
	if (*ret_found)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(w->db, "reading meta", ret_err);
	return 0;
}

static int meta_put(struct watch *w, const char *key, int64_t v, char **ret_err)
{
	sqlite3_stmt *st = w->st[ST_META_PUT];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(w->db, "writing meta", ret_err);
	return 0;
}

/* ---- one case -------------------------------------------------------- */

struct old_obligation {
	char *rule;
	int64_t party_id;
	int cycle;
	int stage;
	int counted; /* its state's column in the counts (COUNTED_*), or -1 */
};

/* The states of the obligations kept, as obligation_counts has them. */
enum { COUNTED_PENDING, COUNTED_OVERDUE, COUNTED_PAUSED, _COUNTED_MAX };
static const char *const counted_names[_COUNTED_MAX] = { "pending", "overdue", "paused" };

static int counted_index(enum ob_state s)
{
	return s == OB_PENDING ? COUNTED_PENDING : s == OB_OVERDUE ? COUNTED_OVERDUE : s == OB_PAUSED ? COUNTED_PAUSED : -1;
}

static int counted_from_string(const char *s)
{
	for (int i = 0; s && i < _COUNTED_MAX; i++)
		if (strcmp(s, counted_names[i]) == 0)
			return i;
	return -1;
}

struct run {
	struct watch *w;
	struct evaluator ev;
	const struct watch_hooks *hooks;
	struct watch_stats *stats;
	bool baseline;
	int64_t at;
	cw_day today;
	struct eval_result res;     /* the incremental scan's own */
	const struct eval_result *cur; /* the result of the case in hand */
	int *stages;
	size_t cap_stages;
	struct old_obligation *old;
	size_t n_old, cap_old;
	bool each; /* every case goes to hooks->each (a full scan) */
	/* A full scan reads the old state in case order beside the new. */
	sqlite3_stmt *reader;
	int reader_rc;
	int64_t reader_id;
	/* The obligations kept, by rule and state (obligation_counts): a
	 * full scan counts every one as it goes (count_all), an incremental
	 * one what it writes less what it removes. */
	int64_t (*counts)[_COUNTED_MAX];
	bool count_all;
	char *err;
};

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == EVAL_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* Every caller binds each of the statement's parameters before each
 * step, NULL included: clearing them after would cost a first scan of
 * 1,000,000 cases a second. */
static int step_done(struct run *x, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_error(x->w->db, what, &x->err);
	return 0;
}

static int load_old(struct run *x, int64_t id);
static void uncount_old(struct run *x);

static int delete_case(struct run *x, int64_t id)
{
	int r;
	/* A full scan counts what it keeps; an incremental one takes off
	 * what goes. */
	if (!x->count_all) {
		if ((r = load_old(x, id)) < 0)
			return r;
		uncount_old(x);
	}
	sqlite3_stmt *st = x->w->st[ST_DEL_OBLIGATIONS];
	sqlite3_bind_int64(st, 1, id);
	if ((r = step_done(x, st, "deleting obligations")) < 0)
		return r;
	st = x->w->st[ST_DEL_CASE];
	sqlite3_bind_int64(st, 1, id);
	if ((r = step_done(x, st, "deleting a case")) < 0)
		return r;
	/* Its notifications waiting to go are to be voided. */
	if (sqlite3_changes(x->w->db) > 0)
		x->stats->deleted++;
	return 0;
}

static char *join_problems(const struct eval_result *res)
{
	if (res->n_problems == 0)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < res->n_problems; i++)
		len += strlen(res->problems[i]) + 2;
	char *s = xmalloc(len), *p = s;
	for (size_t i = 0; i < res->n_problems; i++) {
		size_t n = strlen(res->problems[i]);
		memcpy(p, res->problems[i], n);
		p += n;
		*p = '\0';
		if (i + 1 < res->n_problems) {
			/* One line, for the log and the terminal. */
			*p++ = ';';
			*p++ = ' ';
		}
	}
	return s;
}

static void clear_old(struct run *x)
{
	for (size_t i = 0; i < x->n_old; i++)
		free(x->old[i].rule);
	x->n_old = 0;
}

static int load_old(struct run *x, int64_t id)
{
	clear_old(x);
	sqlite3_stmt *st = x->w->st[ST_OLD_OBLIGATIONS];
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		x->old = xgrow(x->old, &x->cap_old, x->n_old + 1, sizeof(*x->old));
		const char *stage = (const char *)sqlite3_column_text(st, 3);
		x->old[x->n_old++] = (struct old_obligation){
			.rule = xstrdup((const char *)sqlite3_column_text(st, 0)),
			.party_id = sqlite3_column_int64(st, 1),
			.cycle = sqlite3_column_int(st, 2),
			.stage = stage ? notify_stage_from_string(stage) : STAGE_NONE,
			.counted = counted_from_string((const char *)sqlite3_column_text(st, 4)),
		};
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(x->w->db, "reading obligations", &x->err);
	return 0;
}

/* The obligations load_old() read are going: off the counts. A rule no
 * longer configured cannot be among them (new rules make a full scan). */
static void uncount_old(struct run *x)
{
	const struct ruleset *rs = x->ev.rules;
	for (size_t i = 0; i < x->n_old; i++) {
		if (x->old[i].counted < 0)
			continue;
		for (size_t k = 0; k < rs->n; k++)
			if (strcmp(rs->v[k].id, x->old[i].rule) == 0) {
				x->counts[k][x->old[i].counted]--;
				break;
			}
	}
}

static int old_stage(const struct run *x, const char *rule, const struct obligation *o)
{
	for (size_t i = 0; i < x->n_old; i++)
		if (x->old[i].party_id == o->party_id && x->old[i].cycle == o->cycle &&
		    strcmp(x->old[i].rule, rule) == 0)
			return x->old[i].stage;
	return STAGE_NONE;
}

/* o reached `stage`; `tell` is the stage (at most `stage`) to notify, or
 * STAGE_NONE when every stage it passed is off. */
static int queue(struct run *x, const struct eval_case *c, const struct obligation *o, int stage, int tell)
{
	const struct rule *r = &x->ev.rules->v[o->rule];
	struct watch_stats *s = x->stats;
	s->transitions++;
	if (x->baseline)
		return 0;
	/* Memory stays flat whatever a scan finds: the first few are kept
	 * for the caller to report one by one, the rest only counted. */
	struct watch_transition scratch, *t = &scratch;
	if (s->n_tv < WATCH_REPORT_MAX) {
		s->tv = xgrow(s->tv, &s->cap_tv, s->n_tv + 1, sizeof(*s->tv));
		t = &s->tv[s->n_tv++];
		*t = (struct watch_transition){ .ref = xstrdup(c->ref), .rule = xstrdup(r->id),
						 .stage = stage, .told = tell };
	} else {
		scratch = (struct watch_transition){ 0 };
	}
	if (tell == STAGE_NONE)
		return 0;
	const struct notify_stage_policy *p = &r->notify[tell];
	static const struct { unsigned bit; const char *name; } roles[] = {
		{ RECIPIENT_OFFICER, "officer" },
		{ RECIPIENT_SUPERVISOR, "supervisor" },
		{ RECIPIENT_MANAGER, "manager" },
	};
	size_t n = ELEMENTSOF(roles) + p->n_addresses + x->w->n_webhooks;
	sqlite3_stmt *st = x->w->st[ST_QUEUE];
	/* When the stage told began, no later than now: import.max_age
	 * holds an accusation reached after the last import. */
	int64_t reached = stage_start(&x->ev, o, (enum notify_stage)tell);
	if (reached == EVAL_NONE || reached > x->at)
		reached = x->at;
	for (size_t i = 0; i < n; i++) {
		const char *to;
		if (i < ELEMENTSOF(roles)) {
			if (!(p->to & roles[i].bit))
				continue;
			to = roles[i].name;
		} else if (i < ELEMENTSOF(roles) + p->n_addresses) {
			to = p->addresses[i - ELEMENTSOF(roles)];
		} else {
			to = x->w->webhooks[i - ELEMENTSOF(roles) - p->n_addresses];
		}
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, o->party_id);
		sqlite3_bind_int(st, 4, o->cycle);
		sqlite3_bind_text(st, 5, notify_stage_to_string((enum notify_stage)tell), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, r->urgent);
		sqlite3_bind_int64(st, 8, x->at);
		if (reached == INT64_MIN)
			sqlite3_bind_null(st, 9);
		else
			sqlite3_bind_int64(st, 9, reached);
		int rr = step_done(x, st, "queueing a notification");
		if (rr < 0)
			return rr;
		size_t added = (size_t)sqlite3_changes(x->w->db);
		t->recipients += added;
		s->queued += added;
	}
	return 0;
}

static int write_case(struct run *x, const struct eval_case *c, bool live, const char *problems, uint64_t digest,
		      int64_t wake, bool had_row)
{
	struct watch *w = x->w;
	const struct eval_result *res = x->cur;
	int r;
	if (had_row && (r = load_old(x, c->id)) < 0)
		return r;
	if (!had_row)
		clear_old(x);
	if (!x->count_all)
		uncount_old(x);
	if (had_row) {
		sqlite3_stmt *st = w->st[ST_DEL_OBLIGATIONS];
		sqlite3_bind_int64(st, 1, c->id);
		if ((r = step_done(x, st, "deleting obligations")) < 0)
			return r;
	}
	if (digest == 0) {
		sqlite3_stmt *st = w->st[ST_DEL_CASE];
		sqlite3_bind_int64(st, 1, c->id);
		return step_done(x, st, "deleting a case");
	}

	sqlite3_stmt *st = w->st[ST_PUT_CASE];
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, c->ref, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, c->officer);
	bind_text_or_null(st, 4, c->team);
	sqlite3_bind_int(st, 5, res->open);
	bind_text_or_null(st, 6, problems);
	sqlite3_bind_int64(st, 7, (int64_t)digest);
	bind_int_or_null(st, 8, wake);
	if ((r = step_done(x, st, "writing a case")) < 0)
		return r;

	for (size_t i = 0; live && i < res->n; i++) {
		const struct obligation *o = &res->v[i];
		/* Only what can still be owed is kept (the case's digest
		 * covers the rest): a met or cancelled obligation has no
		 * stage, is in no digest and voids what was queued for it. */
		if (!ob_state_unmet(o->state))
			continue;
		if (!x->count_all)
			x->counts[o->rule][counted_index(o->state)]++;
		const struct rule *rule = &x->ev.rules->v[o->rule];
		int stage = x->stages[i];
		char start[DATE_STRLEN], due[TZ_TIMESTAMP_STRLEN], due_day[DATE_STRLEN];
		st = w->st[ST_PUT_OBLIGATION];
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_text(st, 2, rule->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, o->party_id);
		sqlite3_bind_int(st, 4, o->cycle);
		bind_text_or_null(st, 5, o->has_party ? role_to_string(o->party_role) : NULL);
		/* The texts are bound where they lie, until the step below. */
		sqlite3_bind_text(st, 6, date_format(o->start, start), DATE_STRLEN - 1, SQLITE_STATIC);
		if (o->has_due) {
			cw_day d = o->due_instant ? tz_local_day(x->ev.tz, o->due_at) : o->due_day;
			if (o->due_instant)
				tz_format_timestamp(x->ev.tz, o->due_at, due);
			else
				date_format(o->due_day, due);
			sqlite3_bind_text(st, 7, due, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, date_format(d, due_day), DATE_STRLEN - 1, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(st, 7);
			sqlite3_bind_null(st, 8);
		}
		bind_int_or_null(st, 9, o->overdue_at);
		sqlite3_bind_text(st, 10, ob_state_to_string(o->state), -1, SQLITE_STATIC);
		bind_text_or_null(st, 11, stage == STAGE_NONE ? NULL : notify_stage_to_string((enum notify_stage)stage));
		if ((r = step_done(x, st, "writing an obligation")) < 0)
			return r;
		/* Only the latest stage reached is owed: after downtime an
		 * obligation that went from nothing to overdue is told once,
		 * that it is overdue. The latest whose policy is on, that is:
		 * an escalation that is off must not swallow the overdue
		 * notice it passed on its way. */
		int was = old_stage(x, rule->id, o), tell = stage;
		if (stage == STAGE_NONE || stage <= was)
			continue;
		while (tell > was && !rule->notify[tell].enabled)
			tell--;
		if ((r = queue(x, c, o, stage, tell > was ? tell : STAGE_NONE)) < 0)
			return r;
	}
	return 0;
}

/* The old digest and problems of case `id`, from the reader (full scan) or
 * by looking it up; *ret_found false when the state has no row for it. */
static int old_case(struct run *x, int64_t id, uint64_t *ret_digest, char **ret_problems, bool *ret_found)
{
	*ret_found = false;
	*ret_problems = NULL;
	*ret_digest = 0;
	if (x->reader) {
		while (x->reader_rc == SQLITE_ROW && x->reader_id < id) {
			/* In the state, gone from the case database. */
			int r = delete_case(x, x->reader_id);
			if (r < 0)
				return r;
			x->reader_rc = sqlite3_step(x->reader);
			x->reader_id = x->reader_rc == SQLITE_ROW ? sqlite3_column_int64(x->reader, 0) : INT64_MAX;
		}
		if (x->reader_rc != SQLITE_ROW && x->reader_rc != SQLITE_DONE)
			return db_error(x->w->ro, "reading the state", &x->err);
		if (x->reader_rc == SQLITE_ROW && x->reader_id == id) {
			*ret_found = true;
			*ret_digest = (uint64_t)sqlite3_column_int64(x->reader, 1);
			const char *p = (const char *)sqlite3_column_text(x->reader, 2);
			*ret_problems = p ? xstrdup(p) : NULL;
			x->reader_rc = sqlite3_step(x->reader);
			x->reader_id = x->reader_rc == SQLITE_ROW ? sqlite3_column_int64(x->reader, 0) : INT64_MAX;
		}
		return 0;
	}
	sqlite3_stmt *st = x->w->st[ST_GET_CASE];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_found = true;
		*ret_digest = (uint64_t)sqlite3_column_int64(st, 0);
		const char *p = (const char *)sqlite3_column_text(st, 1);
		*ret_problems = p ? xstrdup(p) : NULL;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(x->w->db, "reading a case", &x->err);
	return 0;
}

/* Case c evaluated to res: what changed is written, and the stages it
 * reached queued. */
static int on_result(const struct eval_case *c, const struct eval_result *res, void *userdata)
{
	struct run *x = userdata;
	struct watch_stats *s = x->stats;
	x->cur = res;
	if (++s->scanned % PROGRESS_EVERY == 0 && x->hooks && x->hooks->progress) {
		int r = x->hooks->progress(x->hooks->userdata);
		if (r < 0) {
			x->err = xstrdup("scan abandoned");
			return r;
		}
	}
	if (x->each)
		x->hooks->each(x->hooks->userdata, c, res);

	/* Kept: the unmet obligations of what `status` shows (open cases,
	 * and closed ones with something unmet), a case's problems, and
	 * anything that will change with time alone. The digest covers every
	 * obligation, kept or not, so that any change to one is seen. */
	bool live = res->exists && !res->skipped && (res->open || eval_result_unmet(res));
	int64_t wake = res->moving ? x->at : res->next_input;
	x->stages = xgrow(x->stages, &x->cap_stages, res->n + 1, sizeof(int));
	uint64_t h = hash_str(hash_str(hash_str(HASH_INIT, c->ref), c->officer), c->team);
	h = hash_u64(h, res->open);
	for (size_t i = 0; live && i < res->n; i++) {
		const struct obligation *o = &res->v[i];
		int64_t next;
		int stage = stage_at(&x->ev, o, &next);
		x->stages[i] = stage;
		if (next < wake)
			wake = next;
		h = hash_u64(h, x->w->rule_hash[o->rule]);
		h = hash_u64(h, (uint64_t)o->party_id);
		h = hash_u64(h, (uint64_t)o->cycle << 8 | (uint64_t)o->party_role << 1 | o->has_party);
		h = hash_u64(h, (uint64_t)o->start);
		h = hash_u64(h, (uint64_t)o->has_due << 1 | o->due_instant);
		h = hash_u64(h, o->has_due ? (o->due_instant ? (uint64_t)o->due_at : (uint64_t)o->due_day) : 0);
		h = hash_u64(h, (uint64_t)o->overdue_at);
		h = hash_u64(h, (uint64_t)o->state << 8 | (uint64_t)(stage + 1));
		h = hash_u64(h, (uint64_t)o->met_at);
		/* What write_case() keeps of a live case, counted whether it
		 * is written again or not. */
		if (x->count_all && ob_state_unmet(o->state))
			x->counts[o->rule][counted_index(o->state)]++;
	}
	_cleanup_free_ char *problems = join_problems(res);
	h = hash_str(h, problems);
	h = hash_u64(h, (uint64_t)wake);
	bool keep = live || problems || wake != EVAL_NONE;
	uint64_t digest = keep ? (h ? h : 1) : 0; /* 0: nothing kept */

	uint64_t old_digest;
	_cleanup_free_ char *old_problems = NULL;
	bool had_row;
	int r = old_case(x, c->id, &old_digest, &old_problems, &had_row);
	if (r < 0)
		return r;
	if (digest == old_digest)
		return 0;
	s->changed++;
	if (problems && (!old_problems || strcmp(problems, old_problems) != 0)) {
		s->new_problems++;
		if (s->n_problems < WATCH_REPORT_MAX) {
			s->problems = xgrow(s->problems, &s->cap_problems, s->n_problems + 1, sizeof(char *));
			s->problems[s->n_problems++] = xasprintf("%s: %s", c->ref, problems);
		}
	}
	return write_case(x, c, live, problems, digest, wake, had_row);
}

/* A case of an incremental scan: evaluated here. */
static int on_case(const struct eval_case *c, void *userdata)
{
	struct run *x = userdata;
	eval_case(&x->ev, c, &x->res);
	return on_result(c, &x->res, userdata);
}

static int on_absent(int64_t id, void *userdata)
{
	return delete_case(userdata, id);
}

/* ---- the scan -------------------------------------------------------- */

/* obligation_counts after the scan: replaced by a full scan's, or moved by
 * an incremental one's changes, a few rows either way. */
static int counts_save(struct run *x, char **ret_err)
{
	struct watch *w = x->w;
	const struct ruleset *rs = x->ev.rules;
	int r;
	if (x->count_all && (r = exec(w->db, "DELETE FROM obligation_counts", ret_err)) < 0)
		return r;
	sqlite3_stmt *st = w->st[ST_COUNT_ADD];
	for (size_t k = 0; k < rs->n; k++)
		for (int s = 0; s < _COUNTED_MAX; s++) {
			if (x->counts[k][s] == 0)
				continue;
			sqlite3_bind_text(st, 1, rs->v[k].id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, counted_names[s], -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, x->counts[k][s]);
			int rc = sqlite3_step(st);
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			if (rc != SQLITE_DONE)
				return db_error(w->db, "counting obligations", ret_err);
		}
	return 0;
}

int watch_obligation_counts(struct watch *w, size_t (*ret)[3], char **ret_err)
{
	const struct ruleset *rs = w->rules;
	sqlite3_stmt *st;
	for (size_t k = 0; k < rs->n; k++)
		ret[k][0] = ret[k][1] = ret[k][2] = 0;
	if (sqlite3_prepare_v2(w->db, "SELECT rule, state, n FROM obligation_counts", -1, &st, NULL) != SQLITE_OK)
		return db_error(w->db, "reading the counts of obligations", ret_err);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *rule = (const char *)sqlite3_column_text(st, 0);
		int s = counted_from_string((const char *)sqlite3_column_text(st, 1));
		int64_t n = sqlite3_column_int64(st, 2);
		for (size_t k = 0; rule && s >= 0 && n > 0 && k < rs->n; k++)
			if (strcmp(rs->v[k].id, rule) == 0)
				ret[k][s] = (size_t)n;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(w->db, "reading the counts of obligations", ret_err);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

struct idset {
	int64_t *v;
	size_t n, cap;
};

static int add_id(int64_t id, void *userdata)
{
	struct idset *s = userdata;
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(int64_t));
	s->v[s->n++] = id;
	return 0;
}

static int count(struct watch *w, const char *sql, const char *arg, size_t *ret, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(w->db, "counting", ret_err);
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(w->db, "counting", ret_err);
	return 0;
}

/* A scan that rewrites the state in bulk (a new state database, or new
 * rules) takes off the indexes other than the tables' keys, whose entries
 * go in out of order (a third of a first scan once). It puts them back
 * from their own SQL in the schema, in the same transaction, where an
 * index is built in one sorted pass. The obligations and cases have no
 * triggers: what is counted of them, the scan counts itself. */
struct bulk {
	char **sql;
	size_t n;
};

static void bulk_free(struct bulk *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->sql[i]);
	free(b->sql);
	*b = (struct bulk){ 0 };
}

static int bulk_begin(struct watch *w, struct bulk *b, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(w->db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND "
				      "tbl_name IN ('obligations', 'cases') AND sql IS NOT NULL ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(w->db, "reading the schema", ret_err);
	size_t cap = 0;
	char **drops = NULL;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b->sql = xgrow(b->sql, &cap, b->n + 1, sizeof(*b->sql));
		drops = xrealloc(drops, (b->n + 1) * sizeof(*drops));
		drops[b->n] = xasprintf("DROP INDEX \"%s\"", (const char *)sqlite3_column_text(st, 0));
		b->sql[b->n++] = xstrdup((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	int r = rc == SQLITE_DONE ? 0 : db_error(w->db, "reading the schema", ret_err);
	for (size_t i = 0; i < b->n; i++) {
		if (r >= 0)
			r = exec(w->db, drops[i], ret_err);
		free(drops[i]);
	}
	free(drops);
	return r;
}

static int bulk_end(struct watch *w, struct bulk *b, char **ret_err)
{
	int r = 0;
	for (size_t i = 0; i < b->n && r >= 0; i++)
		r = exec(w->db, b->sql[i], ret_err);
	bulk_free(b);
	return r;
}

static int full_scan(struct run *x, sqlite3 *cdb, char **ret_err)
{
	struct watch *w = x->w;
	const struct watch_hooks *h = x->hooks;
	if (h && h->full_begin && h->each) {
		int r = h->full_begin(h->userdata, w->db, cdb, &x->each, ret_err);
		if (r < 0)
			return r;
	}
	if (sqlite3_exec(w->ro, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->ro, "SELECT case_id, digest, problems FROM cases ORDER BY case_id", -1, &x->reader,
			       NULL) != SQLITE_OK) {
		int r = db_error(w->ro, "reading the state", ret_err);
		sqlite3_exec(w->ro, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	x->reader_rc = sqlite3_step(x->reader);
	x->reader_id = x->reader_rc == SQLITE_ROW ? sqlite3_column_int64(x->reader, 0) : INT64_MAX;
	/* Every case evaluated on as many threads as scan_evaluate() takes,
	 * each result written here, in case order. */
	int r = scan_evaluate(cdb, &x->ev, INT64_MIN, INT64_MAX, NULL, on_result, x, x->hooks ? x->hooks->meter : NULL,
			      ret_err);
	if (r >= 0) {
		/* Whatever is left is gone from the case database. */
		uint64_t d;
		char *p;
		bool found;
		r = old_case(x, INT64_MAX, &d, &p, &found);
		free(p);
	}
	sqlite3_finalize(x->reader);
	x->reader = NULL;
	sqlite3_exec(w->ro, "COMMIT", NULL, NULL, NULL);
	return r;
}

static int incremental_scan(struct run *x, sqlite3 *cdb, int64_t since, int64_t head, char **ret_err)
{
	struct watch *w = x->w;
	struct idset ids = { 0 };
	int r = 0, rc;
	if (head > since && (r = scan_changed_cases(cdb, since, head, add_id, &ids, ret_err)) < 0)
		goto out;
	sqlite3_stmt *st = w->st[ST_WAKE];
	sqlite3_bind_int64(st, 1, x->at);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_id(sqlite3_column_int64(st, 0), &ids);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		r = db_error(w->db, "reading the wake-up index", ret_err);
		goto out;
	}
	if (ids.n > 1)
		qsort(ids.v, ids.n, sizeof(int64_t), cmp_id);
	/* One read transaction: every case from one snapshot. */
	if (sqlite3_exec(cdb, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		*ret_err = xasprintf("case database: %s", sqlite3_errmsg(cdb));
		r = -EIO;
		goto out;
	}
	r = scan_cases_ids(cdb, ids.v, ids.n, on_case, on_absent, x, x->hooks ? x->hooks->meter : NULL, ret_err);
	sqlite3_exec(cdb, "COMMIT", NULL, NULL, NULL);
out:
	free(ids.v);
	return r;
}

int watch_scan(struct watch *w, const char *case_db, int64_t at, enum watch_full full, bool dry_run,
	       const struct watch_hooks *hooks, struct watch_stats *ret, char **ret_err)
{
	int64_t t0 = now_ms();
	struct watch_stats stats = { 0 };
	struct bulk bulk_objects = { 0 };
	struct run x = {
		.w = w,
		.ev = { .rules = w->rules, .cal = w->cal, .tz = w->tz, .at = at },
		.hooks = hooks,
		.stats = &stats,
		.at = at,
		.today = tz_local_day(w->tz, at),
	};
	sqlite3 *cdb = NULL;
	int r = scan_open(case_db, &cdb, ret_err);
	if (r < 0) {
		/* Locked is only late; anything else may come back as
		 * another file, to be read in full. */
		if (r != -EBUSY)
			w->case_db_failed = true;
		return r;
	}

	if ((r = exec(w->db, "BEGIN IMMEDIATE", ret_err)) < 0)
		goto out;
	int64_t since = 0, config = 0, full_day = 0, started = 0, head = 0;
	bool has_since, has_config, has_day, has_started, complete;
	if ((r = meta_get(w, "change_seq", &since, &has_since, ret_err)) < 0 ||
	    (r = meta_get(w, "config", &config, &has_config, ret_err)) < 0 ||
	    (r = meta_get(w, "full_day", &full_day, &has_day, ret_err)) < 0 ||
	    (r = meta_get(w, "baseline_at", &started, &has_started, ret_err)) < 0)
		goto rollback;
	/* Read before the cases: a change made during the scan is seen
	 * again by the next one, never missed. */
	if ((r = scan_changes_head(cdb, since, &head, &complete, ret_err)) < 0)
		goto rollback;

	x.baseline = !has_started;
	if (full == WATCH_FULL_NO) {
		if (!has_started || !has_since)
			full = WATCH_FULL_NEW_STATE;
		else if (!has_config || (uint64_t)config != w->config_digest)
			full = WATCH_FULL_CONFIG;
		else if (!has_day || full_day != x.today)
			full = WATCH_FULL_NEW_DAY;
		else if (w->case_db_failed)
			full = WATCH_FULL_RETURNED;
		else if (!complete)
			full = WATCH_FULL_CHANGES;
	}
	stats.full = full;
	stats.baseline = x.baseline;
	x.count_all = full != WATCH_FULL_NO;
	x.counts = xcalloc(w->rules->n + 1, sizeof(*x.counts));
	bool bulk = full == WATCH_FULL_NEW_STATE || full == WATCH_FULL_CONFIG;
	if (bulk && (r = bulk_begin(w, &bulk_objects, ret_err)) < 0)
		goto rollback;
	r = full != WATCH_FULL_NO ? full_scan(&x, cdb, ret_err) : incremental_scan(&x, cdb, since, head, ret_err);
	if (r >= 0 && bulk)
		r = bulk_end(w, &bulk_objects, ret_err);
	if (r < 0) {
		/* The callbacks' own failures carry their message in x.err;
		 * the scan functions set *ret_err only for theirs. */
		if (x.err)
			*ret_err = TAKE_PTR(x.err);
		goto rollback;
	}
	if ((r = counts_save(&x, ret_err)) < 0)
		goto rollback;
	if ((r = meta_put(w, "change_seq", head, ret_err)) < 0 ||
	    (r = meta_put(w, "config", (int64_t)w->config_digest, ret_err)) < 0 ||
	    (r = meta_put(w, "scan_at", at, ret_err)) < 0 ||
	    (full != WATCH_FULL_NO && (r = meta_put(w, "full_day", x.today, ret_err)) < 0) ||
	    (x.baseline && (r = meta_put(w, "baseline_at", at, ret_err)) < 0))
		goto rollback;

	char today[DATE_STRLEN];
	date_format(x.today, today);
	/* The notifications queued and those waiting for the send window,
	 * and the messages not yet delivered, are counted by triggers as they
	 * are written (schema/state.sql), and counted again by a full
	 * evaluation; the overdue are in obligation_counts (counts_save). */
	if (full != WATCH_FULL_NO &&
	    (r = exec(w->db, "UPDATE outbox_counts SET n = CASE name "
			     "WHEN 'waiting' THEN (SELECT count(*) FROM outbox WHERE status = 'pending' AND NOT urgent) "
			     "WHEN 'pending' THEN (SELECT count(*) FROM outbox WHERE status = 'pending') "
			     "ELSE (SELECT count(*) FROM messages WHERE status = 'pending' OR status = 'sending') END",
		      ret_err)) < 0)
		goto rollback;
	if ((r = count(w, "SELECT count(*) FROM obligations WHERE state = 'pending' AND due_day = ?1", today,
		       &stats.due_today, ret_err)) < 0 ||
	    (r = count(w, "SELECT coalesce(sum(n), 0) FROM obligation_counts WHERE state = 'overdue'", NULL,
		       &stats.overdue, ret_err)) < 0 ||
	    (r = count(w, "SELECT n FROM outbox_counts WHERE name = 'pending'", NULL, &stats.pending, ret_err)) < 0)
		goto rollback;
	bool changed = full != WATCH_FULL_NO || stats.changed > 0 || stats.deleted > 0 || stats.queued > 0;
	if (hooks && hooks->compose && (r = hooks->compose(hooks->userdata, w->db, cdb, changed, ret_err)) < 0)
		goto rollback;
	if ((r = exec(w->db, dry_run ? "ROLLBACK" : "COMMIT", ret_err)) < 0)
		goto rollback;
	w->case_db_failed = false;
	stats.ms = now_ms() - t0;
	*ret = stats;
	stats = (struct watch_stats){ 0 };
	r = 0;
	goto out;

rollback:
	sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
out:
	bulk_free(&bulk_objects);
	clear_old(&x);
	free(x.old);
	free(x.stages);
	free(x.counts);
	free(x.err);
	eval_result_free(&x.res);
	watch_stats_free(&stats);
	sqlite3_close(cdb);
	return r;
}

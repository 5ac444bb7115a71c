/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "outbox.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "date.h"
#include "mail.h"
#include "message.h"
#include "tmpl.h"
#include "util.h"
#include "webhook.h"

/* Messages delivered per batch: each batch is one SMTP session. */
#define BATCH 50
/* Retries: a minute, doubling, at most an hour, less up to half at random
 * so that a relay coming back is not met by every message at once. */
#define BACKOFF_FIRST 60
#define BACKOFF_MAX 3600
/* Webhooks: the whole exchange. */
#define WEBHOOK_TIMEOUT_MS 30000

static int db_fail(sqlite3 *db, const char *what, char **ret_err)
{
	*ret_err = xasprintf("state database: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static void report_line(struct outbox_report *r, bool problem, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report_line(struct outbox_report *r, bool problem, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->lines = xgrow(r->lines, &r->cap_lines, r->n_lines + 1, sizeof(*r->lines));
	r->lines[r->n_lines++] = (struct outbox_line){ .text = xvasprintf(fmt, ap), .problem = problem };
	va_end(ap);
}

void outbox_report_free(struct outbox_report *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i].text);
	free(r->lines);
	*r = (struct outbox_report){ 0 };
}

void outbox_sent_free(struct outbox_sent *s)
{
	for (size_t i = 0; i < s->n_errors; i++)
		free(s->errors[i]);
	free(s->errors);
	*s = (struct outbox_sent){ 0 };
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

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
};

static int cmp_officer(const void *a, const void *b)
{
	return strcmp(((const struct officer *)a)->id, ((const struct officer *)b)->id);
}

static int cmp_team(const void *a, const void *b)
{
	return strcmp(((const struct team *)a)->id, ((const struct team *)b)->id);
}

static void directory_free(struct directory *d)
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
}

static int directory_load(sqlite3 *cdb, struct directory *d, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;
	if (sqlite3_prepare_v2(cdb, "SELECT id, name, email FROM officers WHERE id IS NOT NULL", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->officers = xgrow(d->officers, &cap, d->n_officers + 1, sizeof(*d->officers));
		d->officers[d->n_officers++] = (struct officer){ col_dup(st, 0), col_dup(st, 1), col_dup(st, 2) };
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
		d->teams[d->n_teams++] =
			(struct team){ col_dup(st, 0), col_dup(st, 1), col_dup(st, 2), col_dup(st, 3) };
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (d->n_officers)
		qsort(d->officers, d->n_officers, sizeof(*d->officers), cmp_officer);
	if (d->n_teams)
		qsort(d->teams, d->n_teams, sizeof(*d->teams), cmp_team);
	return 0;
fail:
	*ret_err = xasprintf("case database: reading officers and teams: %s", sqlite3_errmsg(cdb));
	sqlite3_finalize(st);
	return -EIO;
}

static const struct officer *find_officer(const struct directory *d, const char *id)
{
	if (!id || !d->n_officers)
		return NULL;
	struct officer key = { .id = (char *)id };
	return bsearch(&key, d->officers, d->n_officers, sizeof(key), cmp_officer);
}

static const struct team *find_team(const struct directory *d, const char *id)
{
	if (!id || !d->n_teams)
		return NULL;
	struct team key = { .id = (char *)id };
	return bsearch(&key, d->teams, d->n_teams, sizeof(key), cmp_team);
}

static bool address_ok(const char *a)
{
	return a && *a && strchr(a, '@') && !strpbrk(a, " \t\r\n<>\",;");
}

static const char *officer_name(const struct directory *d, const char *id)
{
	const struct officer *o = find_officer(d, id);
	return o && o->name && *o->name ? o->name : id ? id : "(none)";
}

static const char *team_name(const struct directory *d, const char *id)
{
	const struct team *t = find_team(d, id);
	return t && t->name && *t->name ? t->name : id ? id : "(none)";
}

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

static void item_free(struct item *it)
{
	free(it->ref);
	free(it->rule);
	free(it->stage);
	free(it->recipient);
	free(it->due);
	free(it->officer);
	free(it->team);
	free(it->dest);
}

struct composer {
	struct outbox_ctx *ctx;
	const struct conf *conf;
	sqlite3 *db;
	struct directory dir;
	char *instance, *domain;
	cw_day today;
	int minutes; /* local time of day */
	int64_t next_id;
};

static const char *stage_label(const char *stage, bool hours)
{
	if (strcmp(stage, "upcoming") == 0)
		return "coming up";
	if (strcmp(stage, "due") == 0)
		return hours ? "due" : "due today";
	return stage; /* overdue, escalated */
}

static int stage_rank(const char *stage)
{
	return strcmp(stage, "upcoming") == 0 ? 0 : strcmp(stage, "due") == 0 ? 1 : strcmp(stage, "overdue") == 0 ? 2 : 3;
}

static const char *rule_title(const struct conf *c, const char *id)
{
	for (size_t i = 0; i < c->ruleset.n; i++)
		if (strcmp(c->ruleset.v[i].id, id) == 0)
			return c->ruleset.v[i].title ? c->ruleset.v[i].title : id;
	return id;
}

/* How late, in the terms of the deadline: "3 working days late". */
static char *late_text(struct composer *m, int64_t due_day, int64_t overdue_at, bool hours)
{
	int64_t at = m->ctx->at;
	if (overdue_at <= 0 || at < overdue_at)
		return NULL;
	if (hours || due_day < 0) {
		int64_t h = (at - overdue_at) / 3600;
		return h < 1 ? xstrdup("less than an hour late") : xasprintf("%lld hour%s late", (long long)h, h == 1 ? "" : "s");
	}
	int n = 0;
	if (calendar_working_days_between(m->ctx->cal, (cw_day)due_day, m->today, &n) < 0 || n < 1)
		return xstrdup("late");
	return xasprintf("%d working day%s late", n, n == 1 ? "" : "s");
}

static char *case_link(const struct conf *c, const char *ref)
{
	if (!c->case_link)
		return NULL;
	/* The reference, percent-encoded: it is data, not URL syntax. */
	char enc[3 * 256 + 1];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)ref; *p && n + 4 < sizeof(enc); p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			enc[n++] = (char)*p;
		else
			n += (size_t)snprintf(enc + n, sizeof(enc) - n, "%%%02X", *p);
	}
	enc[n] = '\0';
	const char *at = strstr(c->case_link, "{ref}");
	return xasprintf("%.*s%s%s", (int)(at - c->case_link), c->case_link, enc, at + 5);
}

static char *due_text(const char *due)
{
	/* "2026-11-23T14:00:00+00:00" reads better as "2026-11-23 14:00". */
	if (due && strlen(due) >= 16 && (due[10] == 'T' || due[10] == 't'))
		return xasprintf("%.10s %.5s", due, due + 11);
	return xstrdup(due ? due : "");
}

static void item_fields(struct composer *m, struct tmpl_data *d, const struct item *it, bool with_officer)
{
	_cleanup_free_ char *late = late_text(m, it->due_day, it->overdue_at, it->hours);
	_cleanup_free_ char *link = case_link(m->conf, it->ref);
	_cleanup_free_ char *due = due_text(it->due);
	tmpl_data_set(d, "case", it->ref);
	tmpl_data_set(d, "rule", it->rule);
	tmpl_data_set(d, "title", rule_title(m->conf, it->rule));
	tmpl_data_set(d, "stage", stage_label(it->stage, it->hours));
	tmpl_data_set(d, "due", due);
	tmpl_data_set(d, "late", late ? late : "");
	tmpl_data_set(d, "team", team_name(&m->dir, it->team));
	if (with_officer)
		tmpl_data_set(d, "officer", officer_name(&m->dir, it->officer));
	tmpl_data_set(d, "link", link ? link : "");
}

/* "2 due today, 1 overdue" from counts by label. */
static char *summary_text(const char *const *labels, const size_t *counts, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		if (!counts[i])
			continue;
		char *t = xasprintf("%s%s%zu %s", s, *s ? ", " : "", counts[i], labels[i]);
		free(s);
		s = t;
	}
	if (!*s) {
		free(s);
		s = xstrdup("nothing due");
	}
	return s;
}

static char *notice_summary(const struct item *v, size_t n)
{
	static const char *const labels[] = { "due today", "due", "overdue", "escalated", "coming up" };
	size_t counts[ELEMENTSOF(labels)] = { 0 };
	for (size_t i = 0; i < n; i++) {
		const char *l = stage_label(v[i].stage, v[i].hours);
		for (size_t k = 0; k < ELEMENTSOF(labels); k++)
			if (strcmp(l, labels[k]) == 0)
				counts[k]++;
	}
	return summary_text(labels, counts, ELEMENTSOF(labels));
}

static int64_t message_insert(struct composer *m, enum msg_kind kind, bool webhook, const char *dest,
			      const char *period, int64_t case_id, const char *ref, const char *subject,
			      const char *body, size_t len, char **ret_err)
{
	static const char sql[] =
		"INSERT INTO messages (id, kind, channel, destination, period, case_id, ref, subject, body, "
		"created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) "
		"ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "adding a message", ret_err);
	int64_t id = m->next_id;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, msg_kind_to_string(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, webhook ? "webhook" : "email", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, dest, -1, SQLITE_STATIC);
	if (period)
		sqlite3_bind_text(st, 5, period, -1, SQLITE_STATIC);
	if (case_id >= 0)
		sqlite3_bind_int64(st, 6, case_id);
	sqlite3_bind_text(st, 7, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, m->ctx->at);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(m->db, "adding a message", ret_err);
	if (sqlite3_changes(m->db) == 0)
		return 0; /* a digest already made for this period */
	m->next_id++;
	return id;
}

static char *message_ref(struct composer *m, int64_t id)
{
	return xasprintf("<casewatch.%s.%lld@%s>", m->instance, (long long)id, m->domain);
}

static char *render(struct composer *m, enum msg_kind k, enum msg_part p, const struct tmpl_data *d)
{
	return tmpl_render(m->conf->templates.t[k][p], d, p == MSG_HTML);
}

/* Render an email of kind k for `to` and add it. Returns its id, 0 when a
 * digest for the period was already there, or -errno. */
static int64_t add_email(struct composer *m, enum msg_kind k, const char *to, const char *period, int64_t case_id,
			 struct tmpl_data *d, char **ret_err)
{
	int64_t id = m->next_id;
	_cleanup_free_ char *ref = message_ref(m, id);
	_cleanup_free_ char *thread = case_id >= 0 ? xasprintf("<casewatch.%s.case.%lld@%s>", m->instance,
							       (long long)case_id, m->domain)
						   : NULL;
	tmpl_data_set(d, "recipient", to);
	_cleanup_free_ char *subject = render(m, k, MSG_SUBJECT, d);
	_cleanup_free_ char *text = render(m, k, MSG_TEXT, d);
	_cleanup_free_ char *html = render(m, k, MSG_HTML, d);
	/* A subject is one line, whatever a template or a value holds; the
	 * line end a template file has is not part of it. */
	for (char *c = subject; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	for (size_t n = strlen(subject); n > 0 && subject[n - 1] == ' ';)
		subject[--n] = '\0';
	struct email_head h = {
		.from = m->conf->from, .to = to, .message_id = ref, .references = thread, .date = m->ctx->at,
	};
	size_t len;
	_cleanup_free_ char *body = email_build(&h, subject, text, html, &len);
	return message_insert(m, k, false, to, period, case_id, ref, subject, body, len, ret_err);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int64_t add_webhook(struct composer *m, const struct webhook_conf *w, const struct item *v, size_t n,
			   char **ret_err)
{
	int64_t id = m->next_id;
	_cleanup_free_ char *key = xasprintf("casewatch-%s-%lld", m->instance, (long long)id);
	_cleanup_free_ char *summary = notice_summary(v, n);
	_cleanup_free_ char *subject = xasprintf("casewatch: %s", summary);
	json_t *root = NULL;
	json_t *arr = json_array();
	_cleanup_free_ char *lines = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];
		_cleanup_free_ char *link = case_link(m->conf, it->ref);
		_cleanup_free_ char *late = late_text(m, it->due_day, it->overdue_at, it->hours);
		_cleanup_free_ char *due = due_text(it->due);
		const char *title = rule_title(m->conf, it->rule);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "case", it->ref,
						     "rule", it->rule, "title", title, "stage", it->stage, "due",
						     it->due ? it->due : "", "late", jstr(late), "officer",
						     officer_name(&m->dir, it->officer), "team",
						     team_name(&m->dir, it->team), "link", jstr(link)));
		/* Chat formats: one line per notification. */
		_cleanup_free_ char *ref = w->format == WEBHOOK_SLACK && link ? xasprintf("<%s|%s>", link, it->ref)
					   : w->format == WEBHOOK_TEAMS && link ? xasprintf("[%s](%s)", it->ref, link)
										: xstrdup(it->ref);
		char *t = xasprintf("%s%s%s %s: %s, due %s%s%s, %s (%s)", lines, *lines ? "\n" : "",
				    w->format == WEBHOOK_SLACK ? "\u2022" : "-", ref, title,
				    due, late ? ", " : "", late ? late : "", stage_label(it->stage, it->hours),
				    team_name(&m->dir, it->team));
		free(lines);
		lines = t;
	}
	switch (w->format) {
	case WEBHOOK_GENERIC:
		root = arr;
		arr = NULL;
		break;
	case WEBHOOK_SLACK: {
		_cleanup_free_ char *text = xasprintf("%s\n%s", subject, lines);
		root = json_pack("{s:s}", "text", text);
		break;
	}
	case WEBHOOK_TEAMS: {
		/* Teams renders line ends in markdown as paragraphs. */
		_cleanup_free_ char *text = xstrdup(lines);
		root = json_pack("{s:s, s:s, s:s, s:s, s:s}", "@type", "MessageCard", "@context",
				 "https://schema.org/extensions", "summary", subject, "title", subject, "text", text);
		break;
	}
	case _WEBHOOK_FORMAT_MAX:
		abort();
	}
	json_decref(arr);
	_cleanup_free_ char *body = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(root);
	return message_insert(m, MSG_NOTICE, true, w->name, NULL, -1, key, subject, body,
			      strlen(body), ret_err);
}

static const struct webhook_conf *find_webhook(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_webhooks; i++)
		if (strcmp(c->webhooks[i].name, name) == 0)
			return &c->webhooks[i];
	return NULL;
}

static int exec_bind(sqlite3 *db, const char *sql, char **ret_err, int64_t a, int64_t b, const char *t)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, sql, ret_err);
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (t)
		sqlite3_bind_text(st, 3, t, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, sql, ret_err);
	return sqlite3_changes(db);
}

/* Who a notification goes to: an address, or a webhook. NULL and *why
 * when nobody can be named. */
static char *resolve(struct composer *m, struct item *it, char **why)
{
	const struct directory *d = &m->dir;
	if (strncmp(it->recipient, "webhook:", 8) == 0) {
		if (!find_webhook(m->conf, it->recipient + 8)) {
			*why = xasprintf("webhook '%s' is no longer configured", it->recipient + 8);
			return NULL;
		}
		it->webhook = true;
		return xstrdup(it->recipient + 8);
	}
	if (strcmp(it->recipient, "officer") == 0) {
		const struct officer *o = find_officer(d, it->officer);
		if (!it->officer) {
			*why = xstrdup("the case has no officer");
			return NULL;
		}
		if (!o || !address_ok(o->email)) {
			*why = xasprintf("officer '%s' has no usable email address", it->officer);
			return NULL;
		}
		return xstrdup(o->email);
	}
	if (strcmp(it->recipient, "supervisor") == 0) {
		const struct team *t = find_team(d, it->team);
		const struct officer *o = t ? find_officer(d, t->supervisor) : NULL;
		if (!t || !t->supervisor) {
			*why = xasprintf("team '%s' has no supervisor", it->team ? it->team : "(none)");
			return NULL;
		}
		if (!o || !address_ok(o->email)) {
			*why = xasprintf("supervisor '%s' of team '%s' has no usable email address", t->supervisor,
					 it->team);
			return NULL;
		}
		return xstrdup(o->email);
	}
	if (strcmp(it->recipient, "manager") == 0) {
		const struct team *t = find_team(d, it->team);
		if (!t || !address_ok(t->manager)) {
			*why = xasprintf("team '%s' has no usable manager_email", it->team ? it->team : "(none)");
			return NULL;
		}
		return xstrdup(t->manager);
	}
	if (!address_ok(it->recipient)) {
		*why = xasprintf("'%s' is not an email address", it->recipient);
		return NULL;
	}
	return xstrdup(it->recipient);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = (int)x->webhook - (int)y->webhook;
	if (!c)
		c = strcmp(x->dest, y->dest);
	if (!c)
		c = strcmp(x->ref, y->ref);
	if (!c)
		c = stage_rank(y->stage) - stage_rank(x->stage);
	if (!c)
		c = x->id < y->id ? -1 : x->id > y->id;
	return c;
}

static bool window_open(struct composer *m)
{
	const struct conf *c = m->conf;
	if (!c->window_every_day && !calendar_is_working_day(m->ctx->cal, m->today))
		return false;
	return m->minutes >= c->window_from && m->minutes < c->window_to;
}

/* Drop what no longer needs saying: obligations met, paused, cancelled or
 * gone, and stages overtaken by a later one for the same recipient. */
static int void_stale(struct composer *m, char **ret_err)
{
	static const char sql[] =
		"UPDATE outbox SET status = 'void', finished_at = ?1, last_error = CASE "
		"WHEN NOT EXISTS (SELECT 1 FROM obligations o WHERE o.case_id = outbox.case_id AND o.rule = outbox.rule "
		"AND o.party_id = outbox.party_id AND o.cycle = outbox.cycle AND o.state IN ('pending', 'overdue')) "
		"THEN 'met, paused, cancelled or gone before it was sent' ELSE 'overtaken by a later stage' END "
		"WHERE status = 'pending' AND ?2 = ?2 AND (NOT EXISTS (SELECT 1 FROM obligations o "
		"WHERE o.case_id = outbox.case_id AND o.rule = outbox.rule AND o.party_id = outbox.party_id "
		"AND o.cycle = outbox.cycle AND o.state IN ('pending', 'overdue')) "
		"OR EXISTS (SELECT 1 FROM outbox l WHERE l.case_id = outbox.case_id AND l.rule = outbox.rule "
		"AND l.party_id = outbox.party_id AND l.cycle = outbox.cycle AND l.recipient = outbox.recipient "
		"AND l.status IN ('pending', 'sending', 'sent') AND "
		"(CASE l.stage WHEN 'upcoming' THEN 0 WHEN 'due' THEN 1 WHEN 'overdue' THEN 2 ELSE 3 END) > "
		"(CASE outbox.stage WHEN 'upcoming' THEN 0 WHEN 'due' THEN 1 WHEN 'overdue' THEN 2 ELSE 3 END)))";
	int r = exec_bind(m->db, sql, ret_err, m->ctx->at, 0, NULL);
	if (r < 0)
		return r;
	m->ctx->report->voided += (size_t)r;
	return 0;
}

static int load_items(struct composer *m, bool in_window, struct item **ret, size_t *ret_n, char **ret_err)
{
	static const char sql[] =
		"SELECT ob.id, ob.case_id, c.ref, ob.rule, ob.stage, ob.recipient, o.due, c.officer, c.team, o.due_day, "
		"o.overdue_at, ob.created_at, ob.urgent FROM outbox ob "
		"JOIN obligations o ON o.case_id = ob.case_id AND o.rule = ob.rule AND o.party_id = ob.party_id "
		"AND o.cycle = ob.cycle JOIN cases c ON c.case_id = ob.case_id "
		"WHERE ob.status = 'pending' ORDER BY ob.id";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading the outbox", ret_err);
	struct item *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool urgent = sqlite3_column_int(st, 12);
		if (!urgent && !in_window) {
			m->ctx->report->held++;
			continue;
		}
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		struct item *it = &v[n++];
		*it = (struct item){
			.id = sqlite3_column_int64(st, 0),
			.case_id = sqlite3_column_int64(st, 1),
			.ref = col_dup(st, 2),
			.rule = col_dup(st, 3),
			.stage = col_dup(st, 4),
			.recipient = col_dup(st, 5),
			.due = col_dup(st, 6),
			.officer = col_dup(st, 7),
			.team = col_dup(st, 8),
			.due_day = -1,
			.overdue_at = sqlite3_column_type(st, 10) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 10),
			.created_at = sqlite3_column_int64(st, 11),
			.urgent = urgent,
		};
		cw_day day;
		const char *dd = (const char *)sqlite3_column_text(st, 9);
		if (dd && date_parse(dd, &day) == 0)
			it->due_day = day;
		it->hours = it->due && strlen(it->due) > 10;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < n; i++)
			item_free(&v[i]);
		free(v);
		return db_fail(m->db, "reading the outbox", ret_err);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int compose_group(struct composer *m, struct item *v, size_t n, char **ret_err)
{
	int64_t id;
	bool one_case = true;
	for (size_t i = 1; i < n; i++)
		if (v[i].case_id != v[0].case_id)
			one_case = false;
	if (v[0].webhook) {
		id = add_webhook(m, find_webhook(m->conf, v[0].dest), v, n, ret_err);
	} else {
		struct tmpl_data *d = tmpl_data_new();
		_cleanup_free_ char *summary = notice_summary(v, n);
		tmpl_data_set(d, "summary", summary);
		tmpl_data_setf(d, "count", "%zu", n);
		for (size_t i = 0; i < n; i++) {
			/* The same notification reached by two roles (an
			 * officer who supervises the team) is one line. */
			if (i > 0 && strcmp(v[i].ref, v[i - 1].ref) == 0 && strcmp(v[i].rule, v[i - 1].rule) == 0 &&
			    strcmp(v[i].stage, v[i - 1].stage) == 0 && strcmp(v[i].due ? v[i].due : "", v[i - 1].due ? v[i - 1].due : "") == 0)
				continue;
			item_fields(m, tmpl_data_add(d, "items"), &v[i], true);
		}
		id = add_email(m, MSG_NOTICE, v[0].dest, NULL, one_case ? v[0].case_id : -1, d, ret_err);
		tmpl_data_free(d);
	}
	if (id < 0)
		return (int)id;
	for (size_t i = 0; i < n; i++) {
		int r = exec_bind(m->db, "UPDATE outbox SET status = 'sending', message_id = ?1 WHERE id = ?2", ret_err,
				  id, v[i].id, NULL);
		if (r < 0)
			return r;
	}
	struct outbox_report *rep = m->ctx->report;
	rep->messages++;
	_cleanup_free_ char *summary = notice_summary(v, n);
	report_line(rep, false, "message %lld to %s%s: %s", (long long)id, v[0].webhook ? "webhook " : "", v[0].dest,
		    summary);
	return 0;
}

static int compose_notices(struct composer *m, char **ret_err)
{
	bool in_window = window_open(m);
	struct item *v = NULL;
	size_t n = 0;
	int r = load_items(m, in_window, &v, &n, ret_err);
	if (r < 0)
		return r;
	size_t k = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		_cleanup_free_ char *why = NULL;
		v[i].dest = resolve(m, &v[i], &why);
		if (v[i].dest) {
			if (k != i) {
				v[k] = v[i];
				v[i] = (struct item){ 0 };
			}
			k++;
			continue;
		}
		/* Nobody to tell, yet: kept, and given up only after as long
		 * as a failing message would be. */
		bool dead = m->ctx->at - v[i].created_at >= m->conf->give_up_after;
		r = exec_bind(m->db,
			      dead ? "UPDATE outbox SET status = 'dead', finished_at = ?1, last_error = ?3 WHERE id = ?2"
				   : "UPDATE outbox SET last_error = ?3 WHERE id = ?2 AND ?1 = ?1",
			      ret_err, m->ctx->at, v[i].id, why);
		report_line(m->ctx->report, true, "%s %s %s to %s: %s%s", v[i].ref, v[i].rule, v[i].stage,
			    v[i].recipient, why, dead ? " (given up)" : " (kept until it can be sent)");
		item_free(&v[i]);
	}
	n = r < 0 ? n : k;
	if (r >= 0 && n > 1)
		qsort(v, n, sizeof(*v), cmp_item);
	for (size_t i = 0; i < n && r >= 0;) {
		size_t j = i + 1;
		while (j < n && v[j].webhook == v[i].webhook && strcmp(v[j].dest, v[i].dest) == 0)
			j++;
		r = compose_group(m, v + i, j - i, ret_err);
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		item_free(&v[i]);
	free(v);
	return r;
}

/* Digests. */

static int meta_text(sqlite3 *db, const char *key, char **ret, char **ret_err)
{
	sqlite3_stmt *st;
	*ret = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "reading meta", ret_err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		*ret = col_dup(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int meta_set_text(sqlite3 *db, const char *key, const char *value, char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, "writing meta", ret_err);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, "writing meta", ret_err);
}

struct drow {
	char *officer, *team, *ref, *rule, *due, *state, *stage;
	int64_t due_day, overdue_at;
};

static void drows_free(struct drow *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].officer);
		free(v[i].team);
		free(v[i].ref);
		free(v[i].rule);
		free(v[i].due);
		free(v[i].state);
		free(v[i].stage);
	}
	free(v);
}

static int load_drows(struct composer *m, const char *sql, bool bind_today, struct drow **ret, size_t *ret_n,
		      char **ret_err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	if (bind_today) {
		char today[DATE_STRLEN];
		sqlite3_bind_text(st, 1, date_format(m->today, today), -1, SQLITE_TRANSIENT);
	}
	struct drow *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		struct drow *d = &v[n++];
		*d = (struct drow){ col_dup(st, 0), col_dup(st, 1), col_dup(st, 2), col_dup(st, 3),
				    col_dup(st, 4), col_dup(st, 5), col_dup(st, 6), -1, 0 };
		cw_day day;
		const char *dd = (const char *)sqlite3_column_text(st, 7);
		if (dd && date_parse(dd, &day) == 0)
			d->due_day = day;
		d->overdue_at = sqlite3_column_int64(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		drows_free(v, n);
		return db_fail(m->db, "reading obligations for a digest", ret_err);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static void drow_fields(struct composer *m, struct tmpl_data *d, const struct drow *r)
{
	struct item it = {
		.ref = r->ref, .rule = r->rule, .stage = r->stage ? r->stage : (char *)"overdue", .due = r->due,
		.team = r->team, .officer = r->officer, .due_day = r->due_day, .overdue_at = r->overdue_at,
		.hours = r->due && strlen(r->due) > 10,
	};
	item_fields(m, d, &it, false);
}

static int officer_digests(struct composer *m, const char *period, char **ret_err)
{
	static const char sql[] =
		"SELECT c.officer, c.team, c.ref, o.rule, o.due, o.state, o.stage, o.due_day, o.overdue_at "
		"FROM obligations o JOIN cases c ON c.case_id = o.case_id "
		"WHERE c.open = 1 AND c.officer IS NOT NULL AND (o.state = 'overdue' OR "
		"(o.state = 'pending' AND (o.due_day = ?1 OR o.stage = 'upcoming'))) "
		"ORDER BY c.officer, o.due_day, o.due, c.ref, o.rule";
	struct drow *v = NULL;
	size_t n = 0;
	int r = load_drows(m, sql, true, &v, &n, ret_err);
	char today[DATE_STRLEN];
	date_format(m->today, today);
	for (size_t i = 0; i < n && r >= 0;) {
		size_t j = i;
		while (j < n && strcmp(v[j].officer, v[i].officer) == 0)
			j++;
		const struct officer *o = find_officer(&m->dir, v[i].officer);
		if (!o || !address_ok(o->email)) {
			i = j;
			continue;
		}
		struct tmpl_data *d = tmpl_data_new();
		size_t counts[3] = { 0 };
		for (size_t k = i; k < j; k++) {
			const char *list;
			if (strcmp(v[k].state, "overdue") == 0) {
				list = "overdue";
				counts[1]++;
			} else if (v[k].due && strncmp(v[k].due, today, 10) == 0) {
				list = "due_today";
				counts[0]++;
			} else {
				list = "upcoming";
				counts[2]++;
			}
			drow_fields(m, tmpl_data_add(d, list), &v[k]);
		}
		static const char *const labels[] = { "due today", "overdue", "coming up" };
		_cleanup_free_ char *summary = summary_text(labels, counts, 3);
		tmpl_data_set(d, "summary", summary);
		tmpl_data_set(d, "officer", officer_name(&m->dir, v[i].officer));
		tmpl_data_set(d, "date", today);
		int64_t id = add_email(m, MSG_OFFICER_DIGEST, o->email, period, -1, d, ret_err);
		tmpl_data_free(d);
		if (id < 0)
			r = (int)id;
		else if (id > 0) {
			m->ctx->report->messages++;
			report_line(m->ctx->report, false, "message %lld to %s: officer digest: %s", (long long)id,
				    o->email, summary);
		}
		i = j;
	}
	drows_free(v, n);
	return r;
}

static int manager_digests(struct composer *m, const char *period, char **ret_err)
{
	static const char sql[] =
		"SELECT c.officer, c.team, c.ref, o.rule, o.due, o.state, o.stage, o.due_day, o.overdue_at "
		"FROM obligations o JOIN cases c ON c.case_id = o.case_id "
		"WHERE c.open = 1 AND o.state = 'overdue' ORDER BY c.team, c.officer, o.due_day, o.due, c.ref, o.rule";
	struct drow *v = NULL;
	size_t n = 0;
	int r = load_drows(m, sql, false, &v, &n, ret_err);
	if (r < 0)
		return r;
	/* What could not be delivered since the last digest (from the same
	 * second on: a message given up in the run that made the last digest
	 * was not in it), and each standard's figures. */
	sqlite3_stmt *st = NULL, *fs = NULL;
	_cleanup_free_ char *last = NULL;
	if ((r = meta_text(m->db, "manager_digest_at", &last, ret_err)) < 0)
		goto out;
	static const char fig_sql[] =
		"SELECT rule, sum(state = 'pending'), sum(state = 'overdue'), sum(state = 'paused'), "
		"sum(state = 'met'), sum(state = 'met_late') FROM obligations GROUP BY rule";
	if (sqlite3_prepare_v2(m->db, fig_sql, -1, &fs, NULL) != SQLITE_OK) {
		r = db_fail(m->db, "counting obligations", ret_err);
		goto out;
	}
	static const char dead_sql[] =
		"SELECT destination, subject, last_error, created_at FROM messages WHERE status = 'dead' AND finished_at >= ?1 "
		"UNION ALL SELECT recipient || ' of ' || (SELECT ref FROM cases WHERE cases.case_id = outbox.case_id), "
		"rule || ' ' || stage, last_error, created_at FROM outbox WHERE status = 'dead' AND message_id IS NULL "
		"AND finished_at >= ?1 ORDER BY 4";
	if (sqlite3_prepare_v2(m->db, dead_sql, -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(m->db, "reading undelivered messages", ret_err);
		goto out;
	}
	sqlite3_bind_int64(st, 1, last ? strtoll(last, NULL, 10) : 0);
	size_t n_dead = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		n_dead++;

	/* One digest per manager address, of the teams it manages. */
	for (size_t t = 0; t < m->dir.n_teams && r >= 0; t++) {
		const char *to = m->dir.teams[t].manager;
		if (!address_ok(to))
			continue;
		bool seen = false;
		for (size_t u = 0; u < t; u++)
			if (m->dir.teams[u].manager && strcmp(m->dir.teams[u].manager, to) == 0)
				seen = true;
		if (seen)
			continue;
		struct tmpl_data *d = tmpl_data_new();
		size_t counts[2] = { 0 };
		struct tmpl_data *team = NULL, *off = NULL;
		const char *cur_team = NULL, *cur_off = NULL;
		for (size_t k = 0; k < n; k++) {
			const struct team *tm = find_team(&m->dir, v[k].team);
			if (!tm || !tm->manager || strcmp(tm->manager, to) != 0)
				continue;
			if (!cur_team || strcmp(cur_team, v[k].team) != 0) {
				team = tmpl_data_add(d, "teams");
				tmpl_data_set(team, "team", team_name(&m->dir, v[k].team));
				cur_team = v[k].team;
				cur_off = NULL;
			}
			const char *oid = v[k].officer ? v[k].officer : "";
			if (!cur_off || strcmp(cur_off, oid) != 0) {
				off = tmpl_data_add(team, "officers");
				tmpl_data_set(off, "officer", v[k].officer ? officer_name(&m->dir, v[k].officer) : "(no officer)");
				cur_off = oid;
			}
			drow_fields(m, tmpl_data_add(off, "items"), &v[k]);
			counts[v[k].stage && strcmp(v[k].stage, "escalated") == 0]++;
		}
		static const char *const labels[] = { "overdue", "escalated" };
		_cleanup_free_ char *summary = summary_text(labels, counts, 2);
		if (strcmp(summary, "nothing due") == 0) {
			free(summary);
			summary = xstrdup("nothing overdue");
		}
		if (n_dead) {
			char *s2 = xasprintf("%s, %zu undelivered", summary, n_dead);
			free(summary);
			summary = s2;
		}
		tmpl_data_set(d, "summary", summary);
		tmpl_data_set(d, "period", period);
		char today[DATE_STRLEN];
		tmpl_data_set(d, "date", date_format(m->today, today));
		tmpl_data_setf(d, "undelivered_count", "%zu", n_dead);
		sqlite3_reset(st);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct tmpl_data *e = tmpl_data_add(d, "undelivered");
			const char *dest = (const char *)sqlite3_column_text(st, 0);
			tmpl_data_set(e, "recipient", dest ? dest : "(unknown)");
			tmpl_data_set(e, "subject", (const char *)sqlite3_column_text(st, 1));
			const char *err = (const char *)sqlite3_column_text(st, 2);
			tmpl_data_set(e, "error", err ? err : "");
			char when[TZ_TIMESTAMP_STRLEN];
			tmpl_data_set(e, "since", tz_format_timestamp(m->ctx->tz, sqlite3_column_int64(st, 3), when));
		}
		/* The figures, in the order of the rules. */
		for (size_t i = 0; i < m->conf->ruleset.n; i++) {
			const struct rule *rl = &m->conf->ruleset.v[i];
			sqlite3_reset(fs);
			while (sqlite3_step(fs) == SQLITE_ROW) {
				if (strcmp((const char *)sqlite3_column_text(fs, 0), rl->id) != 0)
					continue;
				struct tmpl_data *e = tmpl_data_add(d, "standards");
				tmpl_data_set(e, "rule", rl->id);
				tmpl_data_set(e, "title", rl->title ? rl->title : rl->id);
				static const char *const cols[] = { "pending", "overdue", "paused", "met", "met_late" };
				for (int k = 0; k < 5; k++)
					tmpl_data_setf(e, cols[k], "%lld", (long long)sqlite3_column_int64(fs, k + 1));
			}
		}
		int64_t id = add_email(m, MSG_MANAGER_DIGEST, to, period, -1, d, ret_err);
		tmpl_data_free(d);
		if (id < 0)
			r = (int)id;
		else if (id > 0) {
			m->ctx->report->messages++;
			report_line(m->ctx->report, false, "message %lld to %s: manager digest: %s", (long long)id, to,
				    summary);
		}
	}
	if (r >= 0) {
		char at[32];
		snprintf(at, sizeof(at), "%lld", (long long)m->ctx->at);
		r = meta_set_text(m->db, "manager_digest_at", at, ret_err);
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(fs);
	drows_free(v, n);
	return r;
}

static int compose_digests(struct composer *m, char **ret_err)
{
	const struct conf *c = m->conf;
	bool working = calendar_is_working_day(m->ctx->cal, m->today);
	int r;
	char today[DATE_STRLEN];
	date_format(m->today, today);
	/* Morning digests go out on working days from their time until the
	 * window closes: a daemon started in the evening sends none. */
	if (c->officer_digest >= 0 && working && m->minutes >= c->officer_digest && m->minutes < c->window_to) {
		_cleanup_free_ char *done = NULL;
		if ((r = meta_text(m->db, "officer_digest", &done, ret_err)) < 0)
			return r;
		if (!done || strcmp(done, today) != 0) {
			if ((r = officer_digests(m, today, ret_err)) < 0 ||
			    (r = meta_set_text(m->db, "officer_digest", today, ret_err)) < 0)
				return r;
		}
	}
	if (c->manager_every != DIGEST_NEVER && working && m->minutes >= c->manager_time && m->minutes < c->window_to &&
	    (c->manager_every == DIGEST_DAILY || date_weekday(m->today) >= c->manager_day)) {
		char period[16];
		if (c->manager_every == DIGEST_DAILY) {
			memcpy(period, today, DATE_STRLEN);
		} else {
			int y, mo, d;
			date_to_ymd(m->today, &y, &mo, &d);
			struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = 12 };
			timegm(&tm);
			strftime(period, sizeof(period), "%G-W%V", &tm);
		}
		_cleanup_free_ char *done = NULL;
		if ((r = meta_text(m->db, "manager_digest", &done, ret_err)) < 0)
			return r;
		if (!done || strcmp(done, period) != 0) {
			if ((r = manager_digests(m, period, ret_err)) < 0 ||
			    (r = meta_set_text(m->db, "manager_digest", period, ret_err)) < 0)
				return r;
		}
	}
	return 0;
}

static char *mail_domain(const char *from)
{
	const char *at = strrchr(from, '@');
	if (!at)
		return xstrdup("localhost");
	size_t n = strcspn(at + 1, ">");
	return n ? xstrndup(at + 1, n) : xstrdup("localhost");
}

int outbox_compose(void *userdata, sqlite3 *db, sqlite3 *cdb, char **ret_err)
{
	struct outbox_ctx *ctx = userdata;
	struct composer m = {
		.ctx = ctx,
		.conf = ctx->conf,
		.db = db,
		.today = tz_local_day(ctx->tz, ctx->at),
		.minutes = tz_local_seconds(ctx->tz, ctx->at) / 60,
		.domain = mail_domain(ctx->conf->from),
	};
	int r;
	if ((r = exec_bind(db, "INSERT INTO meta (key, value) VALUES ('instance', lower(hex(randomblob(6)))) "
			       "ON CONFLICT DO NOTHING",
			   ret_err, 0, 0, NULL)) < 0 ||
	    (r = meta_text(db, "instance", &m.instance, ret_err)) < 0)
		goto out;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) + 1 FROM messages", -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(db, "reading messages", ret_err);
		goto out;
	}
	sqlite3_step(st);
	m.next_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if ((r = directory_load(cdb, &m.dir, ret_err)) < 0 || (r = void_stale(&m, ret_err)) < 0 ||
	    (r = compose_notices(&m, ret_err)) < 0 || (r = compose_digests(&m, ret_err)) < 0)
		goto out;
out:
	directory_free(&m.dir);
	free(m.instance);
	free(m.domain);
	return r < 0 ? r : 0;
}

/* Sending. */

static void progress_none(void *userdata)
{
	(void)userdata;
}

struct sender {
	const struct conf *conf;
	struct mailer *mailer;
	char *mailer_err;
	bool mailer_tried;
	struct webhooker *hooker;
	char *hooker_err;
	char *maildir;
	void (*progress)(void *userdata);
	void *userdata;
};

void sender_set_progress(struct sender *s, void (*progress)(void *userdata), void *userdata)
{
	s->progress = progress;
	s->userdata = userdata;
}

struct sender *sender_new(const struct conf *c)
{
	struct sender *s = xcalloc(1, sizeof(*s));
	s->conf = c;
	s->maildir = conf_maildir(c);
	s->progress = progress_none;
	return s;
}

void sender_free(struct sender *s)
{
	if (!s)
		return;
	mailer_free(s->mailer);
	webhooker_free(s->hooker);
	free(s->mailer_err);
	free(s->hooker_err);
	free(s->maildir);
	free(s);
}

struct outgoing {
	int64_t id, created_at, attempts;
	bool webhook;
	char *dest, *ref, *subject;
	char *body;
	size_t len;
	enum delivery result;
	char *error;
	int64_t retry_after;
};

static void outgoing_free(struct outgoing *o)
{
	free(o->dest);
	free(o->ref);
	free(o->subject);
	free(o->body);
	free(o->error);
}

static int64_t backoff(int64_t attempts)
{
	int64_t d = BACKOFF_FIRST;
	for (int64_t i = 1; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	uint32_t rnd = 0;
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)rand();
	/* Between half and all of it. */
	return d / 2 + (int64_t)(rnd % (uint32_t)(d / 2 + 1));
}

static int record(sqlite3 *db, const struct outgoing *o, int64_t at, int give_up_after, struct outbox_sent *ret,
		  char **ret_err)
{
	int r;
	enum delivery res = o->result;
	if (res == DELIVERY_RETRY && at - o->created_at >= give_up_after)
		res = DELIVERY_DEAD;
	switch (res) {
	case DELIVERY_SENT:
		if ((r = exec_bind(db, "UPDATE messages SET status = 'sent', finished_at = ?1, last_error = NULL "
				       "WHERE id = ?2", ret_err, at, o->id, NULL)) < 0 ||
		    (r = exec_bind(db, "INSERT INTO ledger (outbox_id, case_id, rule, party_id, cycle, stage, recipient, "
				       "address, message_id, sent_at) SELECT o.id, o.case_id, o.rule, o.party_id, o.cycle, o.stage, "
				       "o.recipient, m.destination, m.ref, ?1 FROM outbox o JOIN messages m ON m.id = ?2 "
				       "WHERE o.message_id = ?2", ret_err, at, o->id, NULL)) < 0 ||
		    (r = exec_bind(db, "UPDATE outbox SET status = 'sent', finished_at = ?1 WHERE message_id = ?2", ret_err,
				   at, o->id, NULL)) < 0)
			return r;
		ret->sent++;
		if (o->webhook)
			ret->webhook++;
		else
			ret->email++;
		return 0;
	case DELIVERY_RETRY: {
		int64_t wait = backoff(o->attempts);
		if (o->retry_after > wait)
			wait = o->retry_after > BACKOFF_MAX * 6 ? BACKOFF_MAX * 6 : o->retry_after;
		if ((r = exec_bind(db, "UPDATE messages SET status = 'pending', next_attempt_at = ?1, last_error = ?3 "
				       "WHERE id = ?2", ret_err, at + wait, o->id, o->error)) < 0)
			return r;
		ret->retry++;
		break;
	}
	case DELIVERY_DEAD:
		if ((r = exec_bind(db, "UPDATE messages SET status = 'dead', finished_at = ?1, last_error = ?3 "
				       "WHERE id = ?2", ret_err, at, o->id, o->error ? o->error : "failed")) < 0 ||
		    (r = exec_bind(db, "UPDATE outbox SET status = 'dead', finished_at = ?1 WHERE message_id = ?2", ret_err,
				   at, o->id, NULL)) < 0)
			return r;
		ret->dead++;
		break;
	}
	ret->errors = xgrow(ret->errors, &ret->cap_errors, ret->n_errors + 1, sizeof(char *));
	ret->errors[ret->n_errors++] =
		xasprintf("message %lld to %s%s \"%s\": %s%s", (long long)o->id, o->webhook ? "webhook " : "", o->dest,
			  o->subject, o->error ? o->error : "failed",
			  res == DELIVERY_DEAD ? o->result == DELIVERY_DEAD ? " (dead: refused)" : " (dead: gave up)"
					       : " (will retry)");
	return 0;
}

static void deliver_webhook(struct sender *s, struct outgoing *o)
{
	const struct webhook_conf *w = find_webhook(s->conf, o->dest);
	if (!w) {
		o->result = DELIVERY_DEAD;
		o->error = xasprintf("webhook '%s' is no longer configured", o->dest);
		return;
	}
	if (!s->hooker && !s->hooker_err)
		webhooker_new(&s->hooker, &s->hooker_err);
	if (!s->hooker) {
		o->result = DELIVERY_RETRY;
		o->error = xstrdup(s->hooker_err ? s->hooker_err : "cannot start libcurl");
		return;
	}
	struct webhook_result res = { 0 };
	webhook_post(s->hooker, w, o->body, o->len, o->ref, WEBHOOK_TIMEOUT_MS, &res);
	o->result = res.result;
	o->error = res.error;
	o->retry_after = res.retry_after;
}

static void deliver_emails(struct sender *s, struct outgoing *v, size_t n)
{
	if (!s->conf->smtp) {
		for (size_t i = 0; i < n; i++) {
			/* The file name is the message's: a resend replaces. */
			_cleanup_free_ char *name = xasprintf("%lld.%.*s", (long long)v[i].created_at,
							      (int)strcspn(v[i].ref + 1, "@>"), v[i].ref + 1);
			for (char *c = name; *c; c++)
				if (*c == '/' || *c == ':' || *c == '<' || *c == '>' || *c == '@')
					*c = '_';
			char *err = NULL;
			v[i].result = maildir_deliver(s->maildir, name, v[i].body, v[i].len, &err) < 0 ? DELIVERY_RETRY
												       : DELIVERY_SENT;
			v[i].error = err;
		}
		return;
	}
	if (!s->mailer && !s->mailer_tried) {
		s->mailer_tried = true;
		mailer_new(s->conf->smtp, &s->mailer, &s->mailer_err);
	}
	if (!s->mailer) {
		for (size_t i = 0; i < n; i++) {
			v[i].result = DELIVERY_RETRY;
			v[i].error = xstrdup(s->mailer_err ? s->mailer_err : "cannot set up SMTP");
		}
		return;
	}
	struct mail_msg *mm = xcalloc(n, sizeof(*mm));
	for (size_t i = 0; i < n; i++)
		mm[i] = (struct mail_msg){ .to = v[i].dest, .data = v[i].body, .len = v[i].len };
	mailer_send(s->mailer, mm, n, s->progress, s->userdata);
	for (size_t i = 0; i < n; i++) {
		v[i].result = mm[i].result;
		v[i].error = mm[i].error;
	}
	free(mm);
}

int outbox_send(struct sender *s, sqlite3 *db, int64_t at, bool (*keep_going)(void *userdata), void *userdata,
		struct outbox_sent *ret, char **ret_err)
{
	static const char pick[] =
		"SELECT id, created_at, attempts + 1, channel = 'webhook', destination, ref, subject, body FROM messages "
		"WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?1 AND id > ?2 ORDER BY id LIMIT ?3";
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = 0;
	int64_t after = 0;
	for (;;) {
		if (keep_going && !keep_going(userdata))
			break;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, pick, -1, &st, NULL) != SQLITE_OK)
			return db_fail(db, "reading messages", ret_err);
		sqlite3_bind_int64(st, 1, at);
		sqlite3_bind_int64(st, 2, after);
		sqlite3_bind_int(st, 3, BATCH);
		struct outgoing v[BATCH];
		size_t n = 0;
		while (n < BATCH && sqlite3_step(st) == SQLITE_ROW) {
			struct outgoing *o = &v[n++];
			*o = (struct outgoing){
				.id = sqlite3_column_int64(st, 0),
				.created_at = sqlite3_column_int64(st, 1),
				.attempts = sqlite3_column_int64(st, 2),
				.webhook = sqlite3_column_int(st, 3),
				.dest = col_dup(st, 4),
				.ref = col_dup(st, 5),
				.subject = col_dup(st, 6),
				.len = (size_t)sqlite3_column_bytes(st, 7),
				.retry_after = -1,
			};
			o->body = xmalloc(o->len + 1);
			memcpy(o->body, sqlite3_column_blob(st, 7), o->len);
			o->body[o->len] = '\0';
		}
		sqlite3_finalize(st);
		if (n == 0)
			break;
		after = v[n - 1].id;
		/* Claimed before the first byte goes out: after a crash from
		 * here on, the same messages go again, with the same ids. */
		if ((r = exec_bind(db, "BEGIN IMMEDIATE", ret_err, 0, 0, NULL)) >= 0) {
			for (size_t i = 0; i < n && r >= 0; i++)
				r = exec_bind(db, "UPDATE messages SET status = 'sending', attempts = attempts + 1 "
						  "WHERE id = ?2 AND ?1 = ?1", ret_err, 0, v[i].id, NULL);
			if (r >= 0)
				r = exec_bind(db, "COMMIT", ret_err, 0, 0, NULL);
			else
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
		if (r >= 0) {
			/* Emails in one session; webhooks one by one. */
			struct outgoing em[BATCH];
			size_t ne = 0;
			for (size_t i = 0; i < n; i++)
				if (!v[i].webhook)
					em[ne++] = v[i];
			deliver_emails(s, em, ne);
			for (size_t i = 0, k = 0; i < n; i++) {
				if (!v[i].webhook) {
					v[i] = em[k++];
					continue;
				}
				deliver_webhook(s, &v[i]);
				s->progress(s->userdata);
			}
			if ((r = exec_bind(db, "BEGIN IMMEDIATE", ret_err, 0, 0, NULL)) >= 0) {
				for (size_t i = 0; i < n && r >= 0; i++)
					r = record(db, &v[i], at, s->conf->give_up_after, ret, ret_err);
				if (r >= 0)
					r = exec_bind(db, "COMMIT", ret_err, 0, 0, NULL);
				else
					sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			}
		}
		for (size_t i = 0; i < n; i++)
			outgoing_free(&v[i]);
		if (r < 0)
			return r;
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ret->ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return 0;
}

int64_t outbox_next_attempt(sqlite3 *db)
{
	sqlite3_stmt *st;
	int64_t next = INT64_MAX;
	if (sqlite3_prepare_v2(db, "SELECT min(next_attempt_at) FROM messages WHERE status IN ('pending', 'sending')", -1,
			       &st, NULL) != SQLITE_OK)
		return next;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return next;
}

size_t outbox_waiting(sqlite3 *db)
{
	sqlite3_stmt *st;
	size_t n = 0;
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')) + "
			       "(SELECT count(*) FROM outbox WHERE status = 'pending')", -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

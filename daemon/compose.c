/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "outbox.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "import.h"
#include "message.h"
#include "outbox-int.h"
#include "tmpl.h"
#include "util.h"
#include "webhook.h"

/* Composing: the notifications due to go become messages, one per
 * recipient, and the digests whose time has come are added. */

void item_free(struct item *it)
{
	free(it->ref);
	free(it->rule);
	free(it->stage);
	free(it->recipient);
	free(it->due);
	free(it->officer);
	free(it->team);
	free(it->party_role);
	free(it->dest);
}

const char *stage_label(const char *stage, bool hours)
{
	if (strcmp(stage, "upcoming") == 0)
		return "coming up";
	if (strcmp(stage, "due") == 0)
		return hours ? "due" : "due today";
	return stage; /* overdue, escalated */
}

int stage_rank(const char *stage)
{
	return strcmp(stage, "upcoming") == 0 ? 0 : strcmp(stage, "due") == 0 ? 1 : strcmp(stage, "overdue") == 0 ? 2 : 3;
}

static const struct rule *rule_find(const struct conf *c, const char *id)
{
	for (size_t i = 0; i < c->ruleset.n; i++)
		if (strcmp(c->ruleset.v[i].id, id) == 0)
			return &c->ruleset.v[i];
	return NULL;
}

const char *rule_title(const struct conf *c, const char *id)
{
	const struct rule *r = rule_find(c, id);
	return r && r->title ? r->title : id;
}

char *met_by_text(const struct conf *c, const char *id)
{
	const struct rule *r = rule_find(c, id);
	_cleanup_free_ char *raw = r ? rule_met_by_text(r) : NULL;
	/* The configuration's words (details, a meeting kind), checked by
	 * nobody for UTF-8, as the title. */
	return raw ? text_clean(raw, 0, NULL) : NULL;
}

char *deadline_text(const char *due, cw_day today)
{
	static const char *const days[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	cw_day day;
	if (!due || strlen(due) < 10 || date_parse_n(due, 10, &day) < 0)
		return xstrdup(due ? due : "");
	int y, mo, d;
	date_to_ymd(day, &y, &mo, &d);
	char year[8] = "";
	if (y != date_year(today))
		snprintf(year, sizeof(year), " %d", y);
	/* A deadline in hours: its local time as written ("...T14:00:00+00:00"). */
	if (strlen(due) >= 16 && (due[10] == 'T' || due[10] == 't'))
		return xasprintf("%s %d %s%s, %.5s", days[date_weekday(day)], d, date_month_abbr(mo), year, due + 11);
	return xasprintf("%s %d %s%s", days[date_weekday(day)], d, date_month_abbr(mo), year);
}

char *when_text(const char *stage, const char *deadline, const char *late, bool hours)
{
	if (strcmp(stage, "upcoming") == 0)
		return xasprintf("coming up: deadline %s", deadline);
	if (strcmp(stage, "due") == 0)
		return hours ? xasprintf("due: deadline %s", deadline) : xasprintf("due today, %s", deadline);
	return xasprintf("%s: deadline %s%s%s", stage, deadline, late ? ", " : "", late ? late : "");
}

/* How late, in the terms of the deadline: "3 working days late". */
char *late_text(struct composer *m, int64_t due_day, int64_t overdue_at, bool hours)
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

char *case_link(const struct conf *c, const char *ref)
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

char *due_text(const char *due)
{
	/* "2026-11-23T14:00:00+00:00" reads better as "2026-11-23 14:00". */
	if (due && strlen(due) >= 16 && (due[10] == 'T' || due[10] == 't'))
		return xasprintf("%.10s %.5s", due, due + 11);
	return xstrdup(due ? due : "");
}

void item_fields(struct composer *m, struct tmpl_data *d, const struct item *it, bool with_officer)
{
	_cleanup_free_ char *late = late_text(m, it->due_day, it->overdue_at, it->hours);
	_cleanup_free_ char *link = case_link(m->conf, it->ref);
	_cleanup_free_ char *due = due_text(it->due);
	/* A title is the configuration's, checked by nobody for UTF-8. */
	_cleanup_free_ char *title = text_clean(rule_title(m->conf, it->rule), 0, NULL);
	tmpl_data_set(d, "case", it->ref);
	tmpl_data_set(d, "rule", it->rule);
	tmpl_data_set(d, "title", title);
	tmpl_data_set(d, "stage", stage_label(it->stage, it->hours));
	tmpl_data_set(d, "due", due);
	tmpl_data_set(d, "late", late ? late : "");
	tmpl_data_set(d, "team", directory_team_name(&m->dir, it->team));
	if (with_officer)
		tmpl_data_set(d, "officer", directory_officer_name(&m->dir, it->officer));
	tmpl_data_set(d, "link", link ? link : "");
	_cleanup_free_ char *deadline = deadline_text(it->due, m->today);
	_cleanup_free_ char *when = when_text(it->stage, deadline, late, it->hours);
	_cleanup_free_ char *met_by = met_by_text(m->conf, it->rule);
	tmpl_data_set(d, "deadline", deadline);
	tmpl_data_set(d, "when", when);
	tmpl_data_set(d, "owed_to", it->party_role ? it->party_role : "");
	tmpl_data_set(d, "met_by", met_by ? met_by : "");
	/* The stage's colour in the HTML: red when late, amber due, blue
	 * coming up (each dark enough to read on white). */
	int rank = stage_rank(it->stage);
	tmpl_data_set(d, "colour", rank >= 2 ? "#b00020" : rank == 1 ? "#8a4b00" : "#1d4e89");
}

/* "2 due today, 1 overdue" from counts by label. */
char *summary_text(const char *const *labels, const size_t *counts, size_t n)
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

char *notice_summary(const struct item *v, size_t n)
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

static int64_t message_insert(struct composer *m, const char *kind, bool webhook, const char *dest,
			      const char *period, int64_t case_id, const char *ref, const char *subject,
			      const char *body, size_t len, char **ret_err)
{
	static const char sql[] =
		"INSERT INTO messages (id, kind, channel, destination, period, case_id, ref, subject, "
		"created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10, ?10) "
		"ON CONFLICT DO NOTHING";
	static const char body_sql[] = "INSERT INTO message_bodies (message_id, body) VALUES (?1, ?2)";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "adding a message", ret_err);
	int64_t id = m->next_id;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, webhook ? "webhook" : "email", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, dest, -1, SQLITE_STATIC);
	if (period)
		sqlite3_bind_text(st, 5, period, -1, SQLITE_STATIC);
	if (case_id >= 0)
		sqlite3_bind_int64(st, 6, case_id);
	sqlite3_bind_text(st, 7, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, m->ctx->at);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE && sqlite3_changes(m->db) == 0) {
		sqlite3_finalize(st);
		return 0; /* a digest already made for this period */
	}
	if (rc == SQLITE_DONE) {
		sqlite3_stmt *b;
		if (sqlite3_prepare_v2(m->db, body_sql, -1, &b, NULL) != SQLITE_OK) {
			rc = SQLITE_ERROR;
		} else {
			sqlite3_bind_int64(b, 1, id);
			sqlite3_bind_blob(b, 2, body, (int)len, SQLITE_STATIC);
			rc = sqlite3_step(b);
			sqlite3_finalize(b);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(m->db, "adding a message", ret_err);
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
int64_t add_email(struct composer *m, enum msg_kind k, const char *to, const char *period, int64_t case_id,
			 struct tmpl_data *d, char **ret_err)
{
	int64_t id = m->next_id;
	_cleanup_free_ char *ref = message_ref(m, id);
	_cleanup_free_ char *thread = case_id >= 0 ? xasprintf("<casewatch.%s.case.%lld@%s>", m->instance,
							       (long long)case_id, m->domain)
						   : NULL;
	tmpl_data_set(d, "recipient", to);
	_cleanup_free_ char *raw = render(m, k, MSG_SUBJECT, d);
	_cleanup_free_ char *text = render(m, k, MSG_TEXT, d);
	_cleanup_free_ char *html = render(m, k, MSG_HTML, d);
	/* A subject is one line of UTF-8, whatever a template holds; the
	 * line end a template file has is not part of it. */
	_cleanup_free_ char *subject = text_clean(raw, 0, NULL);
	for (size_t n = strlen(subject); n > 0 && subject[n - 1] == ' ';)
		subject[--n] = '\0';
	/* The To name is the officer's whose address it is: a manager's
	 * address, or a rule's, goes alone unless an officer has it. */
	struct email_head h = {
		.from = { m->conf->from_name, m->conf->from_address },
		.to = { directory_address_name(&m->dir, to), to },
		.message_id = ref, .references = thread, .date = m->ctx->at,
	};
	size_t len;
	_cleanup_free_ char *body = email_build(&h, subject, text, html, &len);
	return message_insert(m, msg_kind_to_string(k), false, to, period, case_id, ref, subject, body, len, ret_err);
}

int64_t add_report_email(struct composer *m, const char *to, const char *period, const char *subject,
			 const char *text, const char *html, const struct email_attachment *att, size_t n_att,
			 char **ret_err)
{
	_cleanup_free_ char *ref = message_ref(m, m->next_id);
	struct email_head h = {
		.from = { m->conf->from_name, m->conf->from_address },
		.to = { directory_address_name(&m->dir, to), to },
		.message_id = ref, .date = m->ctx->at,
	};
	size_t len;
	_cleanup_free_ char *body = email_build_mixed(&h, subject, text, html, att, n_att, &len);
	return message_insert(m, "report", false, to, period, -1, ref, subject, body, len, ret_err);
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

char *link_encode(const char *link, const char *chars)
{
	struct strbuf b = { 0 };
	strbuf_adds(&b, "");
	for (const char *p = link; *p; p++) {
		char e[4];
		if (strchr(chars, *p))
			snprintf(e, sizeof(e), "%%%02X", (unsigned char)*p);
		else
			e[0] = *p, e[1] = '\0';
		strbuf_adds(&b, e);
	}
	return b.p;
}

/* One line of a Slack message for `it`: each piece of data escaped, so
 * that nothing in a case reference, a title or a name can mention, link or
 * format. */
static char *slack_line(struct composer *m, const struct item *it, const char *title, const char *due,
			const char *late, const char *link)
{
	_cleanup_free_ char *ref = webhook_slack_escape(it->ref), *t = webhook_slack_escape(title),
			    *d = webhook_slack_escape(due), *l = webhook_slack_escape(late ? late : ""),
			    *stage = webhook_slack_escape(stage_label(it->stage, it->hours)),
			    *team = webhook_slack_escape(directory_team_name(&m->dir, it->team)), *what = NULL;
	if (link) {
		/* <URL|TEXT>: the URL ends at the first "|". */
		_cleanup_free_ char *u = link_encode(link, "|<> ");
		what = xasprintf("<%s|%s>", u, ref);
	} else
		what = xstrdup(ref);
	return xasprintf("\u2022 %s: %s, due %s%s%s, %s (%s)", what, t, d, late ? ", " : "", l, stage, team);
}

/* A webhook's message: the generic JSON array of the notifications, a
 * Slack message of one line each, or a Teams card. Returns its id, or 0
 * with *ret_why when it could not be made, or -errno. */
static int64_t add_webhook(struct composer *m, const struct webhook_conf *w, const struct item *v, size_t n,
			   char **ret_why, char **ret_err)
{
	int64_t id = m->next_id;
	_cleanup_free_ char *key = xasprintf("casewatch-%s-%lld", m->instance, (long long)id);
	_cleanup_free_ char *summary = notice_summary(v, n);
	_cleanup_free_ char *subject = xasprintf("casewatch: %s", summary);
	_cleanup_free_ char *body = NULL;
	json_t *root = NULL;
	json_t *arr = json_array();
	json_error_t e;
	struct strbuf lines = { 0 };
	strbuf_adds(&lines, "");
	if (!arr) {
		*ret_why = xstrdup("its JSON could not be made");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &v[i];
		_cleanup_free_ char *link = case_link(m->conf, it->ref);
		_cleanup_free_ char *late = late_text(m, it->due_day, it->overdue_at, it->hours);
		_cleanup_free_ char *due = due_text(it->due);
		_cleanup_free_ char *title = text_clean(rule_title(m->conf, it->rule), 0, NULL);
		/* The generic format carries the values as they are (cleaned):
		 * JSON is the receiver's to read, not to render. */
		json_t *o = json_pack_ex(&e, 0, "{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o}", "case", it->ref,
					 "rule", it->rule, "title", title, "stage", it->stage, "due",
					 it->due ? it->due : "", "late", jstr(late), "officer",
					 directory_officer_name(&m->dir, it->officer), "team",
					 directory_team_name(&m->dir, it->team), "link", jstr(link));
		if (!o || json_array_append_new(arr, o) < 0) {
			*ret_why = xasprintf("its JSON could not be made (%s: %s)", it->ref, o ? "appending" : e.text);
			goto out;
		}
		if (w->format == WEBHOOK_SLACK) {
			_cleanup_free_ char *line = slack_line(m, it, title, due, late, link);
			if (i)
				strbuf_adds(&lines, "\n");
			strbuf_adds(&lines, line);
		}
	}
	switch (w->format) {
	case WEBHOOK_GENERIC:
		root = arr;
		arr = NULL;
		break;
	case WEBHOOK_SLACK: {
		_cleanup_free_ char *text = xasprintf("%s\n%s", subject, lines.p);
		root = json_pack_ex(&e, 0, "{s:s}", "text", text);
		break;
	}
	case WEBHOOK_TEAMS:
		body = teams_card(m, v, n, subject, ret_why);
		goto out;
	case _WEBHOOK_FORMAT_MAX:
		abort();
	}
	if (!root) {
		*ret_why = xasprintf("its JSON could not be made (%s)", e.text);
		goto out;
	}
	body = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!body) {
		*ret_why = xstrdup("its JSON could not be written");
		goto out;
	}
out:
	json_decref(arr);
	json_decref(root);
	free(lines.p);
	if (!body)
		return 0;
	return message_insert(m, msg_kind_to_string(MSG_NOTICE), true, w->name, NULL, -1, key, subject, body, strlen(body), ret_err);
}

/* A notification that cannot go yet: kept, with why, and given up only
 * after as long as a failing message would be. */
static int item_hold(struct composer *m, const struct item *it, const char *why, char **ret_err)
{
	bool dead = m->ctx->at - it->created_at >= m->conf->give_up_after;
	int r = exec_bind(m->db,
			  dead ? "UPDATE outbox SET status = 'dead', finished_at = ?1, last_error = ?3 WHERE id = ?2"
			       : "UPDATE outbox SET last_error = ?3 WHERE id = ?2 AND ?1 = ?1",
			  ret_err, m->ctx->at, it->id, why);
	report_line(m->ctx->report, true, "%s %s %s to %s: %s%s", it->ref, it->rule, it->stage, it->recipient, why,
		    dead ? " (given up)" : " (kept until it can be sent)");
	return r < 0 ? r : 0;
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
		const struct officer *o = directory_officer(d, it->officer);
		if (!it->officer) {
			*why = xstrdup("the case has no officer");
			return NULL;
		}
		if (!o || !address_usable(o->email)) {
			*why = xasprintf("officer '%s' has no usable email address", it->officer);
			return NULL;
		}
		return xstrdup(o->email);
	}
	if (strcmp(it->recipient, "supervisor") == 0) {
		const struct team *t = directory_team(d, it->team);
		const struct officer *o = t ? directory_officer(d, t->supervisor) : NULL;
		if (!t || !t->supervisor) {
			*why = xasprintf("team '%s' has no supervisor", it->team ? it->team : "(none)");
			return NULL;
		}
		if (!o || !address_usable(o->email)) {
			*why = xasprintf("supervisor '%s' of team '%s' has no usable email address", t->supervisor,
					 it->team);
			return NULL;
		}
		return xstrdup(o->email);
	}
	if (strcmp(it->recipient, "manager") == 0) {
		const struct team *t = directory_team(d, it->team);
		if (!t || !address_usable(t->manager)) {
			*why = xasprintf("team '%s' has no usable manager_email", it->team ? it->team : "(none)");
			return NULL;
		}
		return xstrdup(t->manager);
	}
	if (!address_usable(it->recipient)) {
		*why = xasprintf("'%s' is not an email address", it->recipient);
		return NULL;
	}
	return xstrdup(it->recipient);
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

/* The columns of one notification as the composer reads it (item_read). */
#define ITEM_COLUMNS \
	"ob.id, ob.case_id, c.ref, ob.rule, ob.stage, ob.recipient, o.due, c.officer, c.team, o.due_day, " \
	"o.overdue_at, ob.created_at, ob.urgent, coalesce(ob.reached_at, ob.created_at), o.party_role, ob.party_id "
#define ITEM_JOIN \
	"JOIN obligations o ON o.case_id = ob.case_id AND o.rule = ob.rule AND o.party_id = ob.party_id " \
	"AND o.cycle = ob.cycle JOIN cases c ON c.case_id = ob.case_id "

/* Whatever the state database holds (one written before its text was
 * cleaned, or by hand), each text is cleaned as it is read; the officer
 * and team as scan.c and directory.c clean them, so that they still
 * match. The recipient comes from the rules' configuration: repaired,
 * never cut, which could make it another's. */
static void item_read(sqlite3_stmt *st, struct item *it)
{
	*it = (struct item){
		.id = sqlite3_column_int64(st, 0),
		.case_id = sqlite3_column_int64(st, 1),
		.ref = col_clean(st, 2, TEXT_MAX_REF),
		.rule = col_clean(st, 3, MSG_MAX_RULE),
		.stage = col_clean(st, 4, MSG_MAX_WORD),
		.recipient = col_clean(st, 5, 0),
		.due = col_clean(st, 6, MSG_MAX_WORD),
		.officer = col_clean(st, 7, TEXT_MAX_ID),
		.team = col_clean(st, 8, TEXT_MAX_ID),
		.due_day = -1,
		.overdue_at = sqlite3_column_type(st, 10) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 10),
		.created_at = sqlite3_column_int64(st, 11),
		.urgent = sqlite3_column_int(st, 12),
		.party_role = col_clean(st, 14, MSG_MAX_WORD),
		.party_id = sqlite3_column_int64(st, 15),
	};
	cw_day day;
	const char *dd = (const char *)sqlite3_column_text(st, 9);
	if (dd && date_parse(dd, &day) == 0)
		it->due_day = day;
	it->hours = it->due && strlen(it->due) > 10;
}

/* The notifications to compose in this scan are not held in memory, which
 * a scan after days without one (hundreds of thousands at a million
 * cases) would fill: each goes into this table of the connection's
 * temporary database (SQLite spills it to a file), with whom it is for,
 * and is read back one destination at a time, in the order a message
 * lists them. A notification nobody can be named for yet keeps why. */
static const char notices_schema[] =
	"CREATE TEMP TABLE IF NOT EXISTS compose_items (id INTEGER PRIMARY KEY, webhook INTEGER NOT NULL, "
	"dest TEXT, ref TEXT NOT NULL, rank INTEGER NOT NULL, why TEXT); "
	"CREATE INDEX IF NOT EXISTS temp.compose_items_by_dest ON compose_items(webhook, dest, ref, rank DESC, id); "
	"DELETE FROM temp.compose_items;";

/* Each pending notification not held (stale data, the send window) with
 * its destination, into temp.compose_items; the groups (one per
 * destination) into m->groups. */
static int load_items(struct composer *m, bool in_window, char **ret_err)
{
	/* Outside the send window only the urgent are read: the others,
	 * which wait however many there are, are only counted (each with its
	 * obligation still owed: void_stale() saw to that after the last scan
	 * that changed one). */
	static const char sql[] = "SELECT " ITEM_COLUMNS "FROM outbox ob " ITEM_JOIN
				  "WHERE ob.status = 'pending' ORDER BY ob.id";
	/* Through the index of the urgent alone (the planner, which cannot
	 * know how many are held, would walk every pending one). */
	static const char urgent_sql[] = "SELECT " ITEM_COLUMNS "FROM outbox ob INDEXED BY outbox_urgent " ITEM_JOIN
					 "WHERE ob.status = 'pending' AND ob.urgent ORDER BY ob.id";
	static const char held_sql[] =
		"SELECT count(*), coalesce(sum(ob.stage IN ('overdue', 'escalated') AND "
		"coalesce(ob.reached_at, ob.created_at) > ?1), 0) FROM outbox ob WHERE ob.status = 'pending' AND NOT ob.urgent";
	if (sqlite3_exec(m->db, notices_schema, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(m->db, "making the table of notifications", ret_err);
	sqlite3_stmt *st = NULL, *ins = NULL;
	if (!in_window && m->hold_after == INT64_MAX) {
		/* Fresh data: the count the triggers keep (schema/state.sql). */
		if (sqlite3_prepare_v2(m->db, "SELECT n FROM outbox_counts WHERE name = 'waiting'", -1, &st, NULL) !=
		    SQLITE_OK)
			return db_fail(m->db, "reading the outbox", ret_err);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			m->ctx->report->held += (size_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW)
			return db_fail(m->db, "reading the outbox", ret_err);
	} else if (!in_window) {
		/* Stale data: which of them are held for it too. */
		if (sqlite3_prepare_v2(m->db, held_sql, -1, &st, NULL) != SQLITE_OK)
			return db_fail(m->db, "reading the outbox", ret_err);
		sqlite3_bind_int64(st, 1, m->hold_after);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			size_t all = (size_t)sqlite3_column_int64(st, 0), stale = (size_t)sqlite3_column_int64(st, 1);
			m->ctx->report->held_stale += stale;
			m->ctx->report->held += all - stale;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW)
			return db_fail(m->db, "reading the outbox", ret_err);
	}
	if (sqlite3_prepare_v2(m->db, in_window ? sql : urgent_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->db, "INSERT INTO temp.compose_items (id, webhook, dest, ref, rank, why) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &ins, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return db_fail(m->db, "reading the outbox", ret_err);
	}
	int rc, r = 0;
	while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool urgent = sqlite3_column_int(st, 12);
		/* Stale data: an overdue or escalated stage reached since the
		 * last import may be one the missing rows contradict. */
		const char *stage = (const char *)sqlite3_column_text(st, 4);
		bool accuses = stage && (strcmp(stage, "overdue") == 0 || strcmp(stage, "escalated") == 0);
		if (accuses && sqlite3_column_int64(st, 13) > m->hold_after) {
			m->ctx->report->held_stale++;
			continue;
		}
		if (!urgent && !in_window) {
			m->ctx->report->held++;
			continue;
		}
		struct item it;
		item_read(st, &it);
		_cleanup_free_ char *why = NULL;
		it.dest = resolve(m, &it, &why);
		sqlite3_bind_int64(ins, 1, it.id);
		sqlite3_bind_int(ins, 2, it.webhook);
		if (it.dest)
			sqlite3_bind_text(ins, 3, it.dest, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, it.ref, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 5, stage_rank(it.stage));
		if (why)
			sqlite3_bind_text(ins, 6, why, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			r = db_fail(m->db, "keeping a notification to compose", ret_err);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		item_free(&it);
	}
	if (r >= 0 && rc != SQLITE_DONE)
		r = db_fail(m->db, "reading the outbox", ret_err);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	if (r < 0)
		return r;

	/* Nobody to tell, yet: kept, or given up. */
	if (sqlite3_prepare_v2(m->db, "SELECT " ITEM_COLUMNS ", t.why FROM temp.compose_items t "
				      "JOIN outbox ob ON ob.id = t.id " ITEM_JOIN "WHERE t.dest IS NULL ORDER BY t.id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading the outbox", ret_err);
	while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct item it;
		item_read(st, &it);
		r = item_hold(m, &it, (const char *)sqlite3_column_text(st, 16), ret_err);
		item_free(&it);
	}
	if (r >= 0 && rc != SQLITE_DONE)
		r = db_fail(m->db, "reading the outbox", ret_err);
	sqlite3_finalize(st);
	if (r < 0)
		return r;

	/* One group per destination, in the order the messages go. */
	if (sqlite3_prepare_v2(m->db, "SELECT webhook, dest, count(*) FROM temp.compose_items WHERE dest IS NOT NULL "
				      "GROUP BY webhook, dest ORDER BY webhook, dest", -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading the outbox", ret_err);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->groups = xgrow(m->groups, &cap, m->n_groups + 1, sizeof(*m->groups));
		m->groups[m->n_groups++] = (struct notice_group){
			.webhook = sqlite3_column_int(st, 0),
			.dest = xstrdup((const char *)sqlite3_column_text(st, 1)),
			.n = (size_t)sqlite3_column_int64(st, 2),
		};
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(m->db, "reading the outbox", ret_err);
	return 0;
}

int notices_open(struct composer *m, const struct notice_group *g, struct notices *ns, char **ret_err)
{
	*ns = (struct notices){ 0 };
	if (sqlite3_prepare_v2(m->db, "SELECT " ITEM_COLUMNS "FROM temp.compose_items t JOIN outbox ob ON ob.id = t.id "
				      ITEM_JOIN "WHERE t.webhook = ?1 AND t.dest = ?2 ORDER BY t.ref, t.rank DESC, t.id",
			       -1, &ns->st, NULL) != SQLITE_OK)
		return db_fail(m->db, "reading the notifications to compose", ret_err);
	sqlite3_bind_int(ns->st, 1, g->webhook);
	sqlite3_bind_text(ns->st, 2, g->dest, -1, SQLITE_TRANSIENT);
	ns->webhook = g->webhook;
	ns->dest = g->dest;
	return 0;
}

int notices_next(struct composer *m, struct notices *ns, char **ret_err)
{
	item_free(&ns->v[0]);
	ns->v[0] = ns->v[1];
	ns->v[1] = (struct item){ 0 };
	ns->has_prev = ns->has_item;
	ns->has_item = false;
	int rc = sqlite3_step(ns->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(m->db, "reading the notifications to compose", ret_err);
	item_read(ns->st, &ns->v[1]);
	ns->v[1].webhook = ns->webhook;
	ns->v[1].dest = xstrdup(ns->dest);
	ns->has_item = true;
	return 1;
}

bool notices_repeat(const struct notices *ns)
{
	return ns->has_prev && item_repeats(ns->v, 1);
}

void notices_close(struct notices *ns)
{
	sqlite3_finalize(ns->st);
	item_free(&ns->v[0]);
	item_free(&ns->v[1]);
	*ns = (struct notices){ 0 };
}

int notices_take(struct composer *m, struct notice_group *g, int64_t id, char **ret_err)
{
	g->taken = true;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(m->db, "UPDATE outbox SET status = 'sending', message_id = ?1 WHERE id IN "
				      "(SELECT id FROM temp.compose_items WHERE webhook = ?2 AND dest = ?3)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(m->db, "recording what a message carries", ret_err);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, g->webhook);
	sqlite3_bind_text(st, 3, g->dest, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(m->db, "recording what a message carries", ret_err);
	return 0;
}

struct notice_group *notice_group_find(struct composer *m, bool webhook, const char *dest)
{
	for (size_t i = 0; i < m->n_groups; i++)
		if (m->groups[i].webhook == webhook && strcmp(m->groups[i].dest, dest) == 0)
			return &m->groups[i];
	return NULL;
}

bool item_repeats(const struct item *v, size_t i)
{
	return i > 0 && v[i].case_id == v[i - 1].case_id && v[i].party_id == v[i - 1].party_id &&
	       strcmp(v[i].ref, v[i - 1].ref) == 0 &&
	       strcmp(v[i].rule, v[i - 1].rule) == 0 && strcmp(v[i].stage, v[i - 1].stage) == 0 &&
	       strcmp(v[i].due ? v[i].due : "", v[i - 1].due ? v[i - 1].due : "") == 0;
}

/* What a message says of all the notices it carries, listed or not. */
struct group_totals {
	size_t n;
	size_t by_label[5]; /* notice_summary's labels */
	bool one_case;
	int64_t case_id;
};

static const char *const summary_labels[] = { "due today", "due", "overdue", "escalated", "coming up" };

static void totals_add(struct group_totals *t, const struct item *it)
{
	const char *l = stage_label(it->stage, it->hours);
	for (size_t k = 0; k < ELEMENTSOF(summary_labels); k++)
		if (strcmp(l, summary_labels[k]) == 0)
			t->by_label[k]++;
	if (t->n == 0) {
		t->one_case = true;
		t->case_id = it->case_id;
	} else if (it->case_id != t->case_id) {
		t->one_case = false;
	}
	t->n++;
}

/* One message of the notices v[0..n) to one destination, which carries
 * those of tot (v and the ones not listed); with g, every notice of the
 * group is recorded as carried by it, else those of v. */
static int compose_message(struct composer *m, struct item *v, size_t n, const struct group_totals *tot,
			   struct notice_group *g, char **ret_err)
{
	int64_t id;
	_cleanup_free_ char *summary = summary_text(summary_labels, tot->by_label, ELEMENTSOF(summary_labels));
	if (v[0].webhook) {
		_cleanup_free_ char *why = NULL;
		id = add_webhook(m, find_webhook(m->conf, v[0].dest), v, n, &why, ret_err);
		if (why) {
			/* Not made: said, and kept (or given up) as a
			 * notification nobody can be named for is. */
			_cleanup_free_ char *what = xasprintf("the message to webhook %s was not made: %s", v[0].dest,
							      why);
			for (size_t i = 0; i < n; i++) {
				int r = item_hold(m, &v[i], what, ret_err);
				if (r < 0)
					return r;
			}
			return 0;
		}
	} else {
		struct tmpl_data *d = tmpl_data_new();
		tmpl_data_set(d, "summary", summary);
		tmpl_data_setf(d, "count", "%zu", tot->n);
		if (tot->n > n)
			tmpl_data_setf(d, "more", "%zu", tot->n - n);
		/* A notice about one case names it in its subject. */
		tmpl_data_set(d, "case", tot->one_case ? v[0].ref : "");
		for (size_t i = 0; i < n; i++)
			if (!item_repeats(v, i))
				item_fields(m, tmpl_data_add(d, "items"), &v[i], true);
		id = add_email(m, MSG_NOTICE, v[0].dest, NULL, tot->one_case ? v[0].case_id : -1, d, ret_err);
		tmpl_data_free(d);
	}
	if (id < 0)
		return (int)id;
	if (g) {
		int r = notices_take(m, g, id, ret_err);
		if (r < 0)
			return r;
	} else {
		for (size_t i = 0; i < n; i++) {
			int r = exec_bind(m->db, "UPDATE outbox SET status = 'sending', message_id = ?1 WHERE id = ?2",
					  ret_err, id, v[i].id, NULL);
			if (r < 0)
				return r;
		}
	}
	struct outbox_report *rep = m->ctx->report;
	rep->messages++;
	report_line(rep, false, "message %lld to %s%s: %s", (long long)id, v[0].webhook ? "webhook " : "", v[0].dest,
		    summary);
	return 0;
}

/* The notices of group g as messages, read NOTICE_ITEMS at a time: an
 * email lists the first NOTICE_ITEMS and counts the rest (one email per
 * person a scan, however many); a webhook gets a call for each
 * NOTICE_ITEMS, so that a receiver still has every one. */
static int compose_dest(struct composer *m, struct notice_group *g, char **ret_err)
{
	struct notices ns;
	int r = notices_open(m, g, &ns, ret_err);
	if (r < 0)
		return r;
	struct item *v = xcalloc(NOTICE_ITEMS, sizeof(*v));
	size_t n = 0;
	struct group_totals tot = { 0 };
	while ((r = notices_next(m, &ns, ret_err)) > 0) {
		totals_add(&tot, &ns.v[1]);
		if (n < NOTICE_ITEMS) {
			/* Taken whole: no longer the cursor's, to free or to
			 * compare the next one with. */
			v[n++] = ns.v[1];
			ns.v[1] = (struct item){ 0 };
			ns.has_item = false;
			if (g->webhook && n == NOTICE_ITEMS) {
				r = compose_message(m, v, n, &tot, NULL, ret_err);
				for (size_t i = 0; i < n; i++)
					item_free(&v[i]);
				n = 0;
				tot = (struct group_totals){ 0 };
				if (r < 0)
					break;
			}
		}
	}
	notices_close(&ns);
	if (r >= 0 && n > 0)
		r = compose_message(m, v, n, &tot, g->webhook ? NULL : g, ret_err);
	for (size_t i = 0; i < n; i++)
		item_free(&v[i]);
	free(v);
	g->taken = true;
	return r < 0 ? r : 0;
}

static int compose_notices(struct composer *m, char **ret_err)
{
	int r = load_items(m, window_open(m), ret_err);
	if (r < 0)
		return r;
	/* At most one email per person a scan: with the morning digests,
	 * the notices to email addresses wait for them (see struct
	 * composer). */
	bool officers = false, managers = false;
	char period[MANAGER_PERIOD_STRLEN];
	if (m->n_groups > 0 && (r = officer_digests_due(m, &officers, ret_err)) >= 0 &&
	    (r = manager_digest_due(m, &managers, period, ret_err)) >= 0 &&
	    (officers || (managers && m->minutes >= m->conf->manager_time)))
		r = digest_recipients(m, officers, managers && m->minutes >= m->conf->manager_time, ret_err);
	for (size_t i = 0; i < m->n_groups && r >= 0; i++) {
		struct notice_group *g = &m->groups[i];
		if (!g->webhook && digest_bound(m, g->dest))
			g->folded = true;
		else
			r = compose_dest(m, g, ret_err);
	}
	return r;
}

/* The notices held back for the digests that no digest took: each
 * destination's as a message of its own, as without digests. */
static int compose_unfolded(struct composer *m, char **ret_err)
{
	int r = 0;
	for (size_t i = 0; i < m->n_groups && r >= 0; i++)
		if (m->groups[i].folded && !m->groups[i].taken)
			r = compose_dest(m, &m->groups[i], ret_err);
	return r;
}

/* import.max_age: has an import landed recently enough to trust that
 * what the case database lacks did not happen? */
int composer_freshness(struct composer *m, sqlite3 *cdb, char **ret_err)
{
	struct outbox_report *rep = m->ctx->report;
	m->hold_after = INT64_MAX;
	if (!m->conf->import || m->conf->import_max_age <= 0)
		return 0;
	int64_t last;
	if (import_last(cdb, &last) < 0) {
		*ret_err = xasprintf("case database: reading when the last import landed: %s", sqlite3_errmsg(cdb));
		return -EIO;
	}
	rep->last_import = last;
	rep->stale = import_stale(last, m->ctx->at, m->conf->import_max_age);
	if (rep->stale)
		m->hold_after = last;
	return 0;
}

char *stale_text(struct composer *m)
{
	const struct outbox_report *rep = m->ctx->report;
	if (!rep->stale)
		return NULL;
	if (!rep->last_import)
		return xstrdup("no import of the case data has landed yet: overdue and escalated items are held "
			       "until one does");
	char at[TZ_TIMESTAMP_STRLEN];
	_cleanup_free_ char *when = due_text(tz_format_timestamp(m->ctx->tz, rep->last_import, at));
	return xasprintf("the case data has not been updated since %s: items that fell overdue or were "
			 "escalated since are held until a fresh import lands", when);
}

static char *mail_domain(const char *from_address)
{
	const char *at = from_address ? strrchr(from_address, '@') : NULL;
	return at && at[1] ? xstrdup(at + 1) : xstrdup("localhost");
}

struct composer composer_at(struct outbox_ctx *ctx, sqlite3 *db, sqlite3 *cdb)
{
	return (struct composer){
		.ctx = ctx,
		.conf = ctx->conf,
		.db = db,
		.cases = cdb,
		.today = tz_local_day(ctx->tz, ctx->at),
		.minutes = tz_local_seconds(ctx->tz, ctx->at) / 60,
	};
}

int outbox_compose(void *userdata, sqlite3 *db, sqlite3 *cdb, bool changed, char **ret_err)
{
	struct outbox_ctx *ctx = userdata;
	struct composer m = composer_at(ctx, db, cdb);
	m.domain = mail_domain(ctx->conf->from_address);
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
	if ((r = composer_freshness(&m, cdb, ret_err)) < 0 || (r = directory_load(cdb, &m.dir, ret_err)) < 0 ||
	    (changed && (r = void_stale(&m, ret_err)) < 0) ||
	    (r = compose_notices(&m, ret_err)) < 0 || (r = compose_digests(&m, ret_err)) < 0 ||
	    (r = compose_report(&m, ret_err)) < 0 ||
	    (r = compose_unfolded(&m, ret_err)) < 0)
		goto out;
out:
	/* Not kept between scans: what the table holds (references, whom
	 * each was for) is this scan's. */
	sqlite3_exec(db, "DELETE FROM temp.compose_items", NULL, NULL, NULL);
	digest_lines_free(&m);
	for (size_t i = 0; i < m.n_groups; i++)
		free(m.groups[i].dest);
	free(m.groups);
	for (size_t i = 0; i < m.n_digest_to; i++)
		free(m.digest_to[i]);
	free(m.digest_to);
	directory_free(&m.dir);
	free(m.instance);
	free(m.domain);
	return r < 0 ? r : 0;
}


/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "outbox.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "mail.h"
#include "outbox-int.h"
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

/* Delivery: each message to its server, and the verdict recorded. */

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

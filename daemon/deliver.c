/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "mail.h"
#include "outbox-int.h"
#include "util.h"
#include "webhook.h"

/* Messages claimed (their bodies read) at a time; the SMTP session takes
 * them as it goes, MAIL_AHEAD ahead of their verdicts at most, so that
 * memory does not grow with the number of messages. */
#define CLAIM 32
#define POOL (CLAIM + MAIL_AHEAD)
/* Verdicts recorded in one transaction, whose commit syncs the log: the
 * server's acceptances wait in the journal (journal_add()) meanwhile. A
 * power cut loses at most the records of one group, and a message whose
 * record is lost is sent again, never lost. */
#define GROUP 50
/* The journal's records read at a time when it is replayed. */
#define REPLAY_CHUNK 64
/* Retries: a minute, doubling, at most an hour, less up to half at random
 * so that a relay coming back is not met by every message at once. */
#define BACKOFF_FIRST 60
#define BACKOFF_MAX 3600
/* Webhooks: the whole exchange. */
#define WEBHOOK_TIMEOUT_MS 30000

/* Delivery: each message to its server, and its verdict recorded the
 * moment it is known (casewatchd(8), NOTIFICATIONS). */

static void progress_none(void *userdata)
{
	(void)userdata;
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
	bool skip; /* another sender settled it between reading and claiming */
	bool untried; /* stopped before it was sent: released, not retried */
	bool journaled; /* SENT, and in the journal until its group is committed */
	bool recovered; /* an acceptance an earlier send could not record */
	struct mail_msg mm; /* as handed to the mailer */
};

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
	/* Messages the server took whose record the state database refused
	 * (a full disk): recorded first at the next send, not sent again. */
	struct outgoing *unrecorded;
	size_t n_unrecorded, cap_unrecorded;
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

static void outgoing_free(struct outgoing *o)
{
	free(o->dest);
	free(o->ref);
	free(o->subject);
	free(o->body);
	free(o->error);
	*o = (struct outgoing){ 0 };
}

void sender_take_unrecorded(struct sender *to, struct sender *from)
{
	for (size_t i = 0; i < from->n_unrecorded; i++) {
		to->unrecorded = xgrow(to->unrecorded, &to->cap_unrecorded, to->n_unrecorded + 1,
				       sizeof(*to->unrecorded));
		to->unrecorded[to->n_unrecorded++] = from->unrecorded[i];
	}
	from->n_unrecorded = 0;
}

size_t sender_unrecorded(const struct sender *s)
{
	return s ? s->n_unrecorded : 0;
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
	for (size_t i = 0; i < s->n_unrecorded; i++)
		outgoing_free(&s->unrecorded[i]);
	free(s->unrecorded);
	free(s);
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

/* Where a channel's claims have got to: each takes what comes after, so
 * that nothing is read twice in a round, and nothing released (stopped)
 * is taken again. */
struct cursor {
	int64_t due, id;
};

/* One sending: where it is, what it found. */
struct round {
	struct sender *s;
	sqlite3 *db;
	int64_t at;
	struct outbox_sent *ret;
	bool (*keep_going)(void *userdata);
	void *userdata;
	int r;          /* < 0: the state database failed, in *ret_err */
	char **ret_err;
	char *smtp_down; /* the SMTP session failed as a whole: the rest wait */
	/* Failures with the same reason as the last one listed are counted,
	 * not listed again. */
	char *last_error;
	size_t repeats;
	bool stopped;   /* keep_going() said no */
	int level;      /* the connection's synchronous level */
	/* The verdicts not yet committed, in the order they came: their
	 * strings, not their bodies. */
	struct outgoing group[GROUP];
	size_t n_group;
	size_t settled; /* verdicts given (not releases), committed or not */
	/* The journal (journal_open()): -1 when there is none, and then each
	 * acceptance is committed at once. Its length, in whole records. */
	int journal;
	off_t journal_len;
	/* The emails claimed and not yet settled (used), and of them those
	 * not yet handed to the mailer, in order (queue). */
	struct outgoing pool[POOL];
	bool used[POOL];
	size_t queue[POOL], q_head, q_len;
	bool claimed_all; /* no more emails are due */
	struct cursor email_cursor;
	char *last_email_error;
	/* The statements of the round, prepared once each: the SQL text's
	 * address is the key. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[16];
	size_t n_cache;
};

/* exec_bind() for the round's recurring statements (sql a string literal),
 * each prepared at its first use in the round and reset after each. */
static int rd_exec(struct round *rd, const char *sql, int64_t a, int64_t b, const char *t)
{
	sqlite3_stmt *st = NULL;
	for (size_t i = 0; i < rd->n_cache && !st; i++)
		if (rd->cache[i].sql == sql)
			st = rd->cache[i].st;
	if (!st) {
		if (rd->n_cache == ELEMENTSOF(rd->cache))
			return exec_bind(rd->db, sql, rd->ret_err, a, b, t);
		if (sqlite3_prepare_v3(rd->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
			return db_fail(rd->db, sql, rd->ret_err);
		rd->cache[rd->n_cache].sql = sql;
		rd->cache[rd->n_cache++].st = st;
	}
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (t)
		sqlite3_bind_text(st, 3, t, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_fail(rd->db, sql, rd->ret_err);
	return sqlite3_changes(rd->db);
}

static void flush_repeats(struct round *rd)
{
	struct outbox_sent *ret = rd->ret;
	if (rd->repeats) {
		ret->errors = xgrow(ret->errors, &ret->cap_errors, ret->n_errors + 1, sizeof(char *));
		ret->errors[ret->n_errors++] = xasprintf("%zu more message%s not delivered for the same reason",
							 rd->repeats, rd->repeats == 1 ? "" : "s");
	}
	rd->repeats = 0;
	free(rd->last_error);
	rd->last_error = NULL;
}

/* The connection's PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
static int sync_level(sqlite3 *db)
{
	sqlite3_stmt *st;
	int level = 2;
	if (sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &st, NULL) != SQLITE_OK)
		return level;
	if (sqlite3_step(st) == SQLITE_ROW)
		level = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return level;
}

static void set_sync_level(sqlite3 *db, int level)
{
	char sql[32];
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %d", level);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Message id sent at `at`, recorded (with its notifications, in the
 * ledger) if it is still claimed: the one way a message is recorded sent,
 * for a verdict as for the journal's replay. Returns 1 when recorded, 0
 * when it was not claimed (already recorded), or -EIO. */
static int record_sent(struct round *rd, int64_t id, int64_t at)
{
	int r = rd_exec(rd, "UPDATE messages SET status = 'sent', finished_at = ?1, last_error = NULL "
			"WHERE id = ?2 AND status = 'sending'", at, id, NULL);
	if (r <= 0)
		return r;
	if ((r = rd_exec(rd, "INSERT INTO ledger (outbox_id, case_id, rule, party_id, cycle, stage, recipient, "
			 "address, message_id, sent_at) SELECT o.id, o.case_id, o.rule, o.party_id, o.cycle, o.stage, "
			 "o.recipient, m.destination, m.ref, ?1 FROM outbox o JOIN messages m ON m.id = ?2 "
			 "WHERE o.message_id = ?2", at, id, NULL)) < 0 ||
	    (r = rd_exec(rd, "UPDATE outbox SET status = 'sent', finished_at = ?1 WHERE message_id = ?2", at, id,
			 NULL)) < 0)
		return r;
	return 1;
}

/* What o's verdict comes to: a retry that has been failing for longer
 * than give_up_after is dead. */
static enum delivery fate(const struct round *rd, const struct outgoing *o)
{
	if (o->result == DELIVERY_RETRY && rd->at - o->created_at >= rd->s->conf->give_up_after)
		return DELIVERY_DEAD;
	return o->result;
}

/* The verdict on o, in the state database: released (stopped before it
 * went), sent (with the ledger), retried later (exponential backoff with
 * jitter, or the server's Retry-After), or dead. */
static int record(struct round *rd, const struct outgoing *o)
{
	int r;
	int64_t at = rd->at;
	if (o->untried)
		/* Back to pending as it was, for the next send, with no
		 * attempt counted and no wait. */
		return rd_exec(rd, "UPDATE messages SET status = 'pending', attempts = max(attempts - 1, 0) "
				   "WHERE id = ?2 AND status = 'sending' AND ?1 = ?1", 0, o->id, NULL);
	switch (fate(rd, o)) {
	case DELIVERY_SENT:
		return record_sent(rd, o->id, at);
	case DELIVERY_RETRY: {
		int64_t wait = backoff(o->attempts);
		if (o->retry_after > wait)
			wait = o->retry_after > BACKOFF_MAX * 6 ? BACKOFF_MAX * 6 : o->retry_after;
		return rd_exec(rd, "UPDATE messages SET status = 'pending', next_attempt_at = ?1, last_error = ?3 "
				     "WHERE id = ?2", at + wait, o->id, o->error);
	}
	case DELIVERY_DEAD:
		if ((r = rd_exec(rd, "UPDATE messages SET status = 'dead', finished_at = ?1, last_error = ?3 "
				       "WHERE id = ?2", at, o->id, o->error ? o->error : "failed")) < 0 ||
		    (r = rd_exec(rd, "UPDATE outbox SET status = 'dead', finished_at = ?1 WHERE message_id = ?2",
				   at, o->id, NULL)) < 0)
			return r;
		return 0;
	}
	return 0;
}

/* The journal: DATABASE-sent beside the state database, the messages the
 * server accepted whose verdicts are not yet committed, one record each,
 * each written with one write() the moment the server accepts: the
 * page cache keeps it whatever ends the process, so that only the
 * acceptance itself and that write() are not covered. Not synced: a
 * power cut loses the group in hand at most, as it loses the
 * uncommitted group. Emptied when a group's commit covers it; replayed
 * (replay_journal()) by the next send. A record is the message's id and
 * creation time (so that a journal left from another database names
 * nothing in this one), when it was sent, and a check over them, so that
 * a torn last record (a power cut) is ignored. Native byte order: the
 * file never leaves the machine. */
struct journal_rec {
	uint32_t magic, check;
	int64_t id, created_at, sent_at;
};
#define JOURNAL_MAGIC UINT32_C(0x31535743) /* "CWS1" */

static uint32_t journal_check(const struct journal_rec *j)
{
	uint64_t h = hash_u64(HASH_INIT, j->magic);
	h = hash_u64(h, (uint64_t)j->id);
	h = hash_u64(h, (uint64_t)j->created_at);
	h = hash_u64(h, (uint64_t)j->sent_at);
	return (uint32_t)(h ^ (h >> 32));
}

/* The file beside the state database `db` whose name ends in `suffix`,
 * opened (made when missing, mode 0640) with `flags`: the descriptor, -1
 * when there is none (an in-memory database), or -errno. */
static int state_file_open(sqlite3 *db, const char *suffix, int flags)
{
	const char *path = sqlite3_db_filename(db, "main");
	if (!path || !*path)
		return -1;
	_cleanup_free_ char *name = xasprintf("%s%s", path, suffix);
	int fd = open(name, flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	return fd < 0 ? -errno : fd;
}

/* The journal of `db`, opened (made when missing) for this send: the
 * descriptor, or -1 when there is none (an in-memory database) or it
 * cannot be opened; then each acceptance is committed on its own. */
static int journal_open(sqlite3 *db, struct outbox_sent *ret)
{
	int fd = state_file_open(db, "-sent", O_RDWR);
	if (fd < -1)
		ret->journal_errno = -fd; /* said: a kill may now send more than one again */
	return fd < 0 ? -1 : fd;
}

/* The journal no longer needed, its records committed: emptied, or,
 * when it cannot be, no longer used in this send (what it holds is then
 * recorded already, which its replay finds). */
static void journal_empty(struct round *rd)
{
	if (rd->journal < 0 || rd->journal_len == 0)
		return;
	if (ftruncate(rd->journal, 0) == 0) {
		rd->journal_len = 0;
		return;
	}
	close(rd->journal);
	rd->journal = -1;
}

/* o, accepted by the server, in the journal: true once write() has it. A
 * short write is overwritten by the next record. */
static bool journal_add(struct round *rd, const struct outgoing *o)
{
	if (rd->journal < 0)
		return false;
	struct journal_rec j = { .magic = JOURNAL_MAGIC, .id = o->id, .created_at = o->created_at, .sent_at = rd->at };
	j.check = journal_check(&j);
	ssize_t w;
	do
		w = pwrite(rd->journal, &j, sizeof(j), rd->journal_len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(j))
		return false;
	rd->journal_len += (off_t)sizeof(j);
	return true;
}

/* What the journal says a send that ended without committing its verdicts
 * (a crash, a kill, a state database that could not be written) had
 * delivered: each message it names that is still claimed (sending) is
 * recorded sent, as its verdict would have been, in one transaction at
 * the connection's own synchronous level; then the journal is emptied.
 * Reading stops at the first record that is not whole and right. Must
 * run before what is left sending is released. */
static int replay_journal(struct round *rd)
{
	if (rd->journal < 0)
		return 0;
	struct stat sb;
	if (fstat(rd->journal, &sb) < 0 || sb.st_size == 0)
		return 0;
	rd->journal_len = sb.st_size;
	sqlite3_stmt *st = NULL;
	static const char sql[] = "SELECT 1 FROM messages WHERE id = ?1 AND created_at = ?2 AND status = 'sending'";
	if (rd->level > 1)
		set_sync_level(rd->db, rd->level);
	int r = rd_exec(rd, "BEGIN IMMEDIATE", 0, 0, NULL);
	if (r >= 0 && sqlite3_prepare_v2(rd->db, sql, -1, &st, NULL) != SQLITE_OK)
		r = db_fail(rd->db, "reading the journal's messages", rd->ret_err);
	size_t found = 0;
	off_t off = 0;
	bool end = false;
	while (r >= 0 && !end) {
		struct journal_rec v[REPLAY_CHUNK];
		ssize_t got;
		do
			got = pread(rd->journal, v, sizeof(v), off);
		while (got < 0 && errno == EINTR);
		if (got <= 0)
			break;
		size_t n = (size_t)got / sizeof(v[0]);
		end = n < REPLAY_CHUNK;
		off += got;
		for (size_t i = 0; i < n && r >= 0; i++) {
			if (v[i].magic != JOURNAL_MAGIC || v[i].check != journal_check(&v[i])) {
				end = true;
				break;
			}
			sqlite3_bind_int64(st, 1, v[i].id);
			sqlite3_bind_int64(st, 2, v[i].created_at);
			int rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc == SQLITE_ROW) {
				if ((r = record_sent(rd, v[i].id, v[i].sent_at)) > 0)
					found++;
			} else if (rc != SQLITE_DONE)
				r = db_fail(rd->db, "reading the journal's messages", rd->ret_err);
		}
	}
	sqlite3_finalize(st);
	if (r >= 0)
		r = rd_exec(rd, "COMMIT", 0, 0, NULL);
	if (r < 0)
		sqlite3_exec(rd->db, "ROLLBACK", NULL, NULL, NULL);
	if (rd->level > 1)
		set_sync_level(rd->db, 1);
	if (r < 0)
		return r;
	rd->ret->recovered += found;
	journal_empty(rd);
	return 0;
}

/* Counted, and a failure listed, once its record is committed. */
static void count(struct round *rd, const struct outgoing *o)
{
	struct outbox_sent *ret = rd->ret;
	if (o->untried)
		return;
	if (o->recovered) {
		/* Sent by an earlier send: said as recovered, not as sent. */
		ret->recovered++;
		return;
	}
	enum delivery res = fate(rd, o);
	if (res == DELIVERY_SENT) {
		ret->sent++;
		if (o->webhook)
			ret->webhook++;
		else
			ret->email++;
		return;
	}
	if (res == DELIVERY_RETRY)
		ret->retry++;
	else
		ret->dead++;
	const char *why = o->error ? o->error : "failed";
	const char *how = res == DELIVERY_DEAD ? o->result == DELIVERY_DEAD ? " (dead: refused)" : " (dead: gave up)"
					       : " (will retry)";
	_cleanup_free_ char *reason = xasprintf("%s%s", why, how);
	if (rd->last_error && strcmp(rd->last_error, reason) == 0) {
		rd->repeats++;
		return;
	}
	flush_repeats(rd);
	ret->errors = xgrow(ret->errors, &ret->cap_errors, ret->n_errors + 1, sizeof(char *));
	ret->errors[ret->n_errors++] = xasprintf("message %lld to %s%s \"%s\": %s", (long long)o->id,
						 o->webhook ? "webhook " : "", o->dest, o->subject, reason);
	rd->last_error = TAKE_PTR(reason);
}

/* An acceptance neither the journal nor the state database has: kept in
 * memory, recorded first by the next send, not sent again. */
static void keep_unrecorded(struct sender *s, const struct outgoing *o)
{
	s->unrecorded = xgrow(s->unrecorded, &s->cap_unrecorded, s->n_unrecorded + 1, sizeof(*s->unrecorded));
	s->unrecorded[s->n_unrecorded++] = (struct outgoing){
		.id = o->id, .created_at = o->created_at, .webhook = o->webhook, .result = DELIVERY_SENT,
	};
}

/* The verdicts in hand, committed in one transaction that syncs the log
 * (at the connection's own synchronous level), then the journal emptied.
 * When the state database fails, the acceptances the journal does not
 * hold are kept in memory, to be recorded before anything else is sent.
 * Returns false when the state database failed. */
static bool commit_group(struct round *rd)
{
	struct sender *s = rd->s;
	if (rd->n_group == 0)
		return rd->r >= 0;
	int r = rd->r;
	if (r >= 0) {
		if (rd->level > 1)
			set_sync_level(rd->db, rd->level);
		r = rd_exec(rd, "BEGIN IMMEDIATE", 0, 0, NULL);
		for (size_t i = 0; i < rd->n_group && r >= 0; i++)
			r = record(rd, &rd->group[i]);
		if (r >= 0)
			r = rd_exec(rd, "COMMIT", 0, 0, NULL);
		if (r < 0)
			sqlite3_exec(rd->db, "ROLLBACK", NULL, NULL, NULL);
		if (rd->level > 1)
			set_sync_level(rd->db, 1);
	}
	if (r >= 0)
		journal_empty(rd);
	else
		rd->r = r;
	for (size_t i = 0; i < rd->n_group; i++) {
		struct outgoing *o = &rd->group[i];
		if (r >= 0)
			count(rd, o);
		else if (o->result == DELIVERY_SENT && !o->untried && !o->journaled)
			keep_unrecorded(s, o);
		outgoing_free(o);
	}
	rd->n_group = 0;
	return r >= 0;
}

/* o's verdict, to be committed with its group: its strings move there
 * (o keeps its body, for the caller to free). An acceptance goes into
 * the journal first; one the journal cannot take is committed at once
 * (its group with it). Returns false when the state database failed:
 * nothing else is sent. */
static bool settle(struct round *rd, struct outgoing *o)
{
	if (rd->r < 0) {
		/* The state database failed meanwhile (a claim): a
		 * message whose data had already ended may still have
		 * been accepted, and is not sent again either. */
		if (o->result == DELIVERY_SENT && !o->untried && !journal_add(rd, o))
			keep_unrecorded(rd->s, o);
		return false;
	}
	if (!o->untried)
		rd->settled++;
	struct outgoing *g = &rd->group[rd->n_group++];
	*g = (struct outgoing){
		.id = o->id, .created_at = o->created_at, .attempts = o->attempts, .webhook = o->webhook,
		.dest = TAKE_PTR(o->dest), .subject = TAKE_PTR(o->subject), .result = o->result,
		.error = TAKE_PTR(o->error), .retry_after = o->retry_after, .untried = o->untried,
		.recovered = o->recovered,
	};
	bool now = rd->n_group == GROUP;
	if (g->result == DELIVERY_SENT && !g->untried) {
		g->journaled = journal_add(rd, g);
		now = now || !g->journaled;
	}
	return now ? commit_group(rd) : true;
}

static bool on_keep_going(void *userdata);

static void deliver_webhook(struct round *rd, struct outgoing *o)
{
	struct sender *s = rd->s;
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
	webhooker_set_keep_going(s->hooker, on_keep_going, rd);
	webhook_post(s->hooker, w, o->body, o->len, o->ref, WEBHOOK_TIMEOUT_MS, &res);
	webhooker_set_keep_going(s->hooker, NULL, NULL);
	o->result = res.result;
	o->error = res.error;
	o->retry_after = res.retry_after;
	/* Released for the next send, as an email stopped in hand is. */
	o->untried = res.stopped;
}

/* Claim the next due messages of a channel, max at most: read and mark
 * sending in one transaction, so that what is read is what is claimed.
 * Taken in the order they fell due, oldest first, through the index on
 * (status, next_attempt_at), so that each claim reads what it takes and
 * no more, whatever the number waiting. */
static int claim(struct round *rd, bool webhook, struct cursor *after, struct outgoing *v, size_t max, size_t *ret_n)
{
	static const char pick[] =
		"SELECT m.id, m.created_at, m.attempts + 1, m.destination, m.ref, m.subject, b.body, m.next_attempt_at "
		"FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id "
		"WHERE m.status = 'pending' AND m.next_attempt_at <= ?1 AND m.channel = ?2 "
		"AND (m.next_attempt_at, m.id) > (?4, ?5) ORDER BY m.next_attempt_at, m.id LIMIT ?3";
	sqlite3 *db = rd->db;
	size_t n = 0;
	int r = rd_exec(rd, "BEGIN IMMEDIATE", 0, 0, NULL);
	if (r < 0)
		return r;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, pick, -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(db, "reading messages", rd->ret_err);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return r;
	}
	sqlite3_bind_int64(st, 1, rd->at);
	sqlite3_bind_text(st, 2, webhook ? "webhook" : "email", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	sqlite3_bind_int64(st, 4, after->due);
	sqlite3_bind_int64(st, 5, after->id);
	int rc;
	struct cursor last = *after;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = (struct cursor){ .due = sqlite3_column_int64(st, 7), .id = sqlite3_column_int64(st, 0) };
		struct outgoing *o = &v[n++];
		*o = (struct outgoing){
			.id = sqlite3_column_int64(st, 0),
			.created_at = sqlite3_column_int64(st, 1),
			.attempts = sqlite3_column_int64(st, 2),
			.webhook = webhook,
			.dest = col_dup(st, 3),
			.ref = col_dup(st, 4),
			.subject = col_dup(st, 5),
			.len = (size_t)sqlite3_column_bytes(st, 6),
			.retry_after = -1,
		};
		o->body = xmalloc(o->len + 1);
		if (o->len)
			memcpy(o->body, sqlite3_column_blob(st, 6), o->len);
		o->body[o->len] = '\0';
	}
	sqlite3_finalize(st);
	/* Claimed before the first byte goes out: after a crash from here
	 * on, the same messages go again, with the same ids; the status is
	 * checked again, so nothing another sender settled is taken. */
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = rd_exec(rd, "UPDATE messages SET status = 'sending', attempts = attempts + 1 "
				"WHERE id = ?2 AND status = 'pending' AND ?1 = ?1", 0, v[i].id, NULL);
		if (r == 0) /* not ours after all */
			v[i].skip = true;
	}
	if (r >= 0)
		r = rd_exec(rd, "COMMIT", 0, 0, NULL);
	if (r < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		for (size_t i = 0; i < n; i++)
			outgoing_free(&v[i]);
		return r;
	}
	*after = last;
	*ret_n = n;
	return 0;
}

/* The next email claimed and not yet handed out, claiming more when none
 * is left; NULL when no more are due (or the state database failed). */
static struct outgoing *next_email(struct round *rd)
{
	while (rd->q_len == 0 && !rd->claimed_all && rd->r >= 0) {
		struct outgoing v[CLAIM];
		size_t free_slots = 0;
		for (size_t i = 0; i < POOL; i++)
			free_slots += !rd->used[i];
		size_t want = free_slots < CLAIM ? free_slots : CLAIM, n = 0;
		if (want == 0)
			break; /* cannot happen: the mailer holds MAIL_AHEAD at most */
		if ((rd->r = claim(rd, false, &rd->email_cursor, v, want, &n)) < 0)
			break;
		if (n < want)
			rd->claimed_all = true;
		for (size_t i = 0, slot = 0; i < n; i++) {
			if (v[i].skip) {
				outgoing_free(&v[i]);
				continue;
			}
			while (rd->used[slot])
				slot++;
			rd->used[slot] = true;
			rd->pool[slot] = v[i];
			rd->queue[(rd->q_head + rd->q_len++) % POOL] = slot;
		}
	}
	if (rd->q_len == 0)
		return NULL;
	size_t slot = rd->queue[rd->q_head];
	rd->q_head = (rd->q_head + 1) % POOL;
	rd->q_len--;
	return &rd->pool[slot];
}

/* An email has been settled: its place in the pool is free. */
static void email_done(struct round *rd, struct outgoing *o)
{
	size_t slot = (size_t)(o - rd->pool);
	outgoing_free(o);
	rd->used[slot] = false;
}

/* The mailer's hooks: each verdict recorded as it comes. */
static bool on_mail_verdict(void *userdata, struct mail_msg *msg)
{
	struct round *rd = userdata;
	struct outgoing *o = (struct outgoing *)((char *)msg - offsetof(struct outgoing, mm));
	o->result = msg->result;
	o->error = TAKE_PTR(msg->error);
	o->untried = msg->untried;
	if (o->result == DELIVERY_RETRY && o->error && !o->untried) {
		free(rd->last_email_error);
		rd->last_email_error = xstrdup(o->error);
	}
	bool ok = settle(rd, o);
	email_done(rd, o);
	rd->s->progress(rd->s->userdata);
	return ok;
}

static bool on_keep_going(void *userdata)
{
	struct round *rd = userdata;
	rd->s->progress(rd->s->userdata);
	if (rd->keep_going && !rd->keep_going(rd->userdata))
		rd->stopped = true;
	return !rd->stopped;
}

static struct mail_msg *on_mail_next(void *userdata)
{
	struct round *rd = userdata;
	if (rd->stopped)
		return NULL;
	struct outgoing *o = next_email(rd);
	if (!o)
		return NULL;
	o->mm = (struct mail_msg){ .to = o->dest, .data = o->body, .len = o->len };
	return &o->mm;
}

/* Every email due: through one SMTP session (another after one that ends
 * early, or at MAIL_SESSION_MAX), or into the Maildir; each one's verdict
 * recorded as it comes. */
static void deliver_emails(struct round *rd)
{
	struct sender *s = rd->s;
	if (!s->conf->smtp) {
		struct outgoing *o;
		while (rd->r >= 0 && !(rd->keep_going && !rd->keep_going(rd->userdata)) && (o = next_email(rd))) {
			/* The file name is the message's: a resend replaces. */
			_cleanup_free_ char *name = xasprintf("%lld.%.*s", (long long)o->created_at,
							      (int)strcspn(o->ref + 1, "@>"), o->ref + 1);
			for (char *c = name; *c; c++)
				if (*c == '/' || *c == ':' || *c == '<' || *c == '>' || *c == '@')
					*c = '_';
			char *err = NULL;
			o->result = maildir_deliver(s->maildir, name, o->body, o->len, &err) < 0 ? DELIVERY_RETRY
												: DELIVERY_SENT;
			o->error = err;
			settle(rd, o);
			email_done(rd, o);
			s->progress(s->userdata);
		}
		return;
	}
	if (!s->mailer && !s->mailer_tried) {
		s->mailer_tried = true;
		mailer_new(s->conf->smtp, &s->mailer, &s->mailer_err);
	}
	if (!s->mailer)
		rd->smtp_down = xstrdup(s->mailer_err ? s->mailer_err : "cannot set up SMTP");
	struct mail_hooks hooks = {
		.verdict = on_mail_verdict, .keep_going = on_keep_going, .next = on_mail_next, .userdata = rd,
	};
	while (rd->r >= 0 && !rd->stopped && !rd->smtp_down) {
		if (rd->keep_going && !rd->keep_going(rd->userdata)) {
			rd->stopped = true;
			break;
		}
		free(rd->last_email_error);
		rd->last_email_error = NULL;
		size_t before = rd->settled;
		int r = mailer_send(s->mailer, NULL, 0, &hooks);
		if (r < 0)
			/* The session's reason, for the rest: the last
			 * message's, as the first may say more of its own
			 * (data sent, no reply). */
			rd->smtp_down = xstrdup(rd->last_email_error ? rd->last_email_error : "the SMTP session failed");
		else if (rd->q_len == 0 && rd->claimed_all)
			break;
		else if (rd->settled == before)
			break; /* took nothing: stopped, or the state database failed */
	}
	/* The relay failed this round: the rest wait their turn with the
	 * same reason, without the same wait. */
	struct outgoing *o;
	while (rd->smtp_down && rd->r >= 0 && !rd->stopped && (o = next_email(rd))) {
		o->result = DELIVERY_RETRY;
		o->error = xstrdup(rd->smtp_down);
		settle(rd, o);
		email_done(rd, o);
	}
}

/* The emails claimed and never handed out, when stopped: back to pending
 * as they were. */
static void release_claimed(struct round *rd)
{
	for (size_t i = 0; i < POOL; i++) {
		if (!rd->used[i])
			continue;
		rd->pool[i].untried = true;
		settle(rd, &rd->pool[i]);
		email_done(rd, &rd->pool[i]);
	}
	rd->q_len = 0;
}

/* Every webhook due, one by one. */
static void deliver_webhooks(struct round *rd)
{
	struct cursor after = { INT64_MIN, INT64_MIN };
	while (rd->r >= 0) {
		if (rd->keep_going && !rd->keep_going(rd->userdata))
			break;
		struct outgoing v[CLAIM];
		size_t n = 0;
		if ((rd->r = claim(rd, true, &after, v, CLAIM, &n)) < 0 || n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (v[i].skip)
				continue;
			if (rd->r < 0 || (rd->keep_going && !rd->keep_going(rd->userdata)))
				v[i].untried = true; /* released for the next send */
			else
				deliver_webhook(rd, &v[i]);
			settle(rd, &v[i]);
			rd->s->progress(rd->s->userdata);
		}
		for (size_t i = 0; i < n; i++)
			outgoing_free(&v[i]);
		if (n < CLAIM)
			break;
	}
}

/* One sender at a time for a state database: an exclusive flock(2) on the
 * file beside it named DATABASE-sendlock while sending, released with the
 * descriptor whatever ends the process. Not on the database itself:
 * closing any descriptor of a file drops the process's fcntl(2) locks on
 * it, and SQLite's are those. Returns the descriptor, -1 when there is
 * nothing to lock (an in-memory database) or the lock file cannot be
 * made (then the database cannot be written either), or -EWOULDBLOCK
 * when another process holds it. */
static int send_lock(sqlite3 *db)
{
	int fd = state_file_open(db, "-sendlock", O_RDONLY);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? -EWOULDBLOCK : -1;
	}
	return fd;
}

int outbox_send(struct sender *s, sqlite3 *db, int64_t at, bool (*keep_going)(void *userdata), void *userdata,
		struct outbox_sent *ret, char **ret_err)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int lock = send_lock(db);
	if (lock == -EWOULDBLOCK) {
		ret->busy = true;
		return 0;
	}
	struct round rd = {
		.s = s, .db = db, .at = at, .ret = ret, .keep_going = keep_going, .userdata = userdata, .ret_err = ret_err,
		.email_cursor = { INT64_MIN, INT64_MIN }, .journal = lock >= 0 ? journal_open(db, ret) : -1,
	};
	/* Claims, and the replay's reading, at synchronous = NORMAL: in WAL
	 * mode such a commit survives the process's crash (a kill -9)
	 * without an fsync of its own. The verdicts are committed GROUP at a
	 * time, each group's commit at the connection's own level (FULL in
	 * casewatchd), which syncs the log and makes every commit before it
	 * durable against a power cut too; until then the server's
	 * acceptances are in the journal, which costs one write() each
	 * instead of a transaction (about 130 us). */
	int level = sync_level(db);
	rd.level = level;
	if (level > 1)
		set_sync_level(db, 1);
	/* What a send that ended before committing its verdicts (a crash)
	 * delivered, first: then what a failed state database could not
	 * record before, in this process. Neither is sent again. */
	if ((rd.r = replay_journal(&rd)) >= 0) {
		while (s->n_unrecorded > 0 && rd.r >= 0) {
			struct outgoing copy = s->unrecorded[--s->n_unrecorded];
			copy.recovered = true;
			settle(&rd, &copy); /* put back when it cannot be recorded */
			outgoing_free(&copy);
		}
		commit_group(&rd);
	}
	/* What a sender that ended without its verdicts (a crash) left
	 * claimed goes again, with the same ids, as if never claimed: this
	 * process is the only one sending (send_lock()), and what it knows
	 * was sent is recorded above. */
	if (rd.r >= 0) {
		int r = rd_exec(&rd, "UPDATE messages SET status = 'pending' WHERE status = 'sending' AND ?1 = ?1 AND ?2 = ?2",
				0, 0, NULL);
		if (r < 0)
			rd.r = r;
	}
	/* Emails in one session, then webhooks one by one. */
	if (rd.r >= 0)
		deliver_emails(&rd);
	release_claimed(&rd);
	if (rd.r >= 0 && !rd.stopped)
		deliver_webhooks(&rd);
	commit_group(&rd);
	flush_repeats(&rd);
	free(rd.smtp_down);
	free(rd.last_email_error);
	for (size_t i = 0; i < rd.n_cache; i++)
		sqlite3_finalize(rd.cache[i].st);
	if (level > 1)
		set_sync_level(db, level);
	if (rd.journal >= 0)
		close(rd.journal);
	if (lock >= 0)
		close(lock);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ret->ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return rd.r < 0 ? rd.r : 0;
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
	/* The running counts of schema/state.sql: the messages pending or
	 * sending, and the notifications queued and not yet in a message. */
	if (sqlite3_prepare_v2(db, "SELECT sum(n) FROM outbox_counts WHERE name = 'unsent' OR name = 'pending'", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

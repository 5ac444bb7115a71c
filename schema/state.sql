-- The casewatchd state database, schema version 10 (casewatchd(8)).
--
-- Everything here but the ledger is derived from the case database and the
-- configuration, and is rebuilt when the file is deleted. The daemon is the
-- only writer; `casewatch` reads it.

-- 'CWST'
PRAGMA application_id = 1129796436;
PRAGMA user_version = 10;

-- Where the last scan left off: the change-log position read, the local
-- day of the last full evaluation, a digest of the rules, calendar and
-- time zone it used, and when the file was created.
CREATE TABLE meta (
	key TEXT PRIMARY KEY NOT NULL,
	value ANY
) STRICT;

-- Each case that has something to keep: live obligations, problems, or a
-- row dated in the future. `digest` covers everything stored for the case,
-- so an evaluation that finds the same digest writes nothing. `wake_at` is
-- the first instant (Unix seconds) at which passing time alone changes the
-- case's obligations or their stages: the wake-up index.
CREATE TABLE cases (
	case_id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL,
	officer TEXT,
	team TEXT,
	open INTEGER NOT NULL,
	problems TEXT,
	digest INTEGER NOT NULL,
	wake_at INTEGER
) STRICT;
CREATE INDEX cases_by_wake ON cases(wake_at) WHERE wake_at IS NOT NULL;

-- The unmet obligations (pending, overdue, paused) of the cases kept, as
-- `casewatch status` shows them, each with its notification stage. Met
-- and cancelled ones are not kept: nothing is owed for them, and the
-- case's digest notices any change to them. The checks are written as
-- comparisons, not IN lists: SQLite builds a list of three or more into a
-- temporary table each time a statement runs, which cost a bulk scan
-- more than writing the rows.
CREATE TABLE obligations (
	case_id INTEGER NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
	rule TEXT NOT NULL,
	party_id INTEGER NOT NULL, -- 0 for the case's own
	cycle INTEGER NOT NULL,
	party_role TEXT,
	start TEXT NOT NULL,       -- YYYY-MM-DD
	due TEXT,                  -- YYYY-MM-DD, or RFC 3339 for a deadline in hours; NULL for a gate
	due_day TEXT,              -- the local date of the deadline
	overdue_at INTEGER,        -- the first late instant
	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'overdue' OR state = 'paused'),
	stage TEXT CHECK (stage = 'upcoming' OR stage = 'due' OR stage = 'overdue' OR stage = 'escalated'),
	PRIMARY KEY (case_id, rule, party_id, cycle)
) STRICT, WITHOUT ROWID;
-- The pending obligations by the local day they fall due, for the count
-- of those due today each scan makes. Only these: most obligations kept
-- are overdue, and an index of every one by state held 1.9 million
-- entries at 1,000,000 cases that nothing read, built in 2.5 s of a first
-- scan; the overdue are counted by the scan (obligation_counts). The
-- state is in it too, so that the count reads the index alone: SQLite
-- (3.40) does not take a partial index's condition as covered, and would
-- look up every row counted in the table, a page read each.
CREATE INDEX obligations_due ON obligations(due_day, state) WHERE state = 'pending';

-- The obligations kept, by rule and state, as the metrics casewatchd
-- writes give them (casewatchd(8), METRICS), and whence the count of the
-- overdue each scan reports (STATUS=, its log line): kept by the scan
-- itself, not by triggers, which would cost every obligation written, so
-- that a scan that changes nothing counts nothing that grows with the
-- database. A full evaluation counts them all as it goes, replacing
-- these; an incremental scan adds what it wrote and takes off what it
-- removed.
CREATE TABLE obligation_counts (
	rule TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'overdue' OR state = 'paused'),
	n INTEGER NOT NULL,
	PRIMARY KEY (rule, state)
) STRICT, WITHOUT ROWID;

-- What one recipient is sent in one go: an email to one address, or one
-- POST to one webhook. It is written whole (its body in message_bodies,
-- exactly as it goes out) before the first attempt, so a resend after a
-- crash or a failure is the same message with the same Message-ID or
-- Idempotency-Key. A digest has a `period` (its day, or its week), the
-- monthly report its month, and the unique key makes each at most one per
-- recipient per period. Once a message has been sent or given up for
-- longer than notify.keep_sent, its body is removed and `pruned_at` says
-- when: the row stays, with its ref, as the record of what was sent to
-- whom, and a message whose body went can never be sent again.
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('notice', 'officer-digest', 'manager-digest', 'report')),
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	destination TEXT NOT NULL, -- an address, or a webhook's name
	period TEXT,               -- YYYY-MM-DD or YYYY-Www for a digest, YYYY-MM a report
	case_id INTEGER,           -- the one case a notice is about, if one
	ref TEXT NOT NULL,         -- its Message-ID, or its Idempotency-Key
	subject TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	finished_at INTEGER,       -- when it was sent, or given up
	pruned_at INTEGER          -- when its body was removed (notify.keep_sent)
		CHECK (pruned_at IS NULL OR status IN ('sent', 'dead')),
	UNIQUE (kind, destination, period)
) STRICT;
CREATE INDEX messages_by_status ON messages(status, next_attempt_at);
-- The messages whose bodies notify.keep_sent will remove, oldest first.
CREATE INDEX messages_to_prune ON messages(finished_at) WHERE pruned_at IS NULL AND status IN ('sent', 'dead');

-- Each message's body, RFC 5322 with CRLF line ends or JSON, until it is
-- removed (notify.keep_sent). Apart from its row, so that what a send
-- changes (claimed, then sent, each message's status) rewrites a row of
-- some 150 bytes, many to a page, rather than each one's 3 KB text.
CREATE TABLE message_bodies (
	message_id INTEGER PRIMARY KEY REFERENCES messages(id),
	body BLOB NOT NULL
) STRICT;
-- A message with its body, empty once removed: for reading by hand.
CREATE VIEW message_text AS
	SELECT m.*, coalesce(b.body, X'') AS body FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id;

-- One row per notification owed: an obligation reaching a stage, for one
-- recipient (officer, supervisor, manager, an address the rule names, or
-- `webhook:NAME`). The unique key is what makes each of them happen at
-- most once, ever. `message_id` is the message that carries it.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL,
	rule TEXT NOT NULL,
	party_id INTEGER NOT NULL,
	cycle INTEGER NOT NULL,
	stage TEXT NOT NULL CHECK (stage IN ('upcoming', 'due', 'overdue', 'escalated')),
	recipient TEXT NOT NULL,
	urgent INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	-- When the obligation reached the stage (Unix seconds), which may be
	-- before the scan that queued it: import.max_age holds an overdue or
	-- escalated notice reached after the last import. NULL: not known
	-- (queued before schema version 3), read as created_at.
	reached_at INTEGER,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'void')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER,
	last_error TEXT,
	message_id INTEGER REFERENCES messages(id),
	finished_at INTEGER,
	UNIQUE (case_id, rule, party_id, cycle, stage, recipient)
) STRICT;
CREATE INDEX outbox_by_status ON outbox(status, next_attempt_at);
CREATE INDEX outbox_by_message ON outbox(message_id) WHERE message_id IS NOT NULL;
-- The urgent notifications waiting: all a scan outside the send window
-- composes, however many others are held for the window.
CREATE INDEX outbox_urgent ON outbox(id) WHERE status = 'pending' AND urgent;

-- Running counts of the outbox and the messages, kept by the triggers
-- below as they change, so that a scan with nothing to do reads three
-- numbers rather than a backlog that can run to hundreds of thousands
-- after days without a scan or outside the send window: the
-- notifications waiting for the window (`waiting`: pending, not urgent),
-- those queued and not yet in a message (`pending`), and the messages not
-- yet delivered (`unsent`: pending or sending). A full evaluation counts
-- them all again.
CREATE TABLE outbox_counts (
	name TEXT PRIMARY KEY CHECK (name = 'waiting' OR name = 'pending' OR name = 'unsent'),
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO outbox_counts (name, n) VALUES ('waiting', 0), ('pending', 0), ('unsent', 0);
CREATE TRIGGER outbox_waiting_insert AFTER INSERT ON outbox
	WHEN new.status = 'pending' AND NOT new.urgent
BEGIN
	UPDATE outbox_counts SET n = n + 1 WHERE name = 'waiting';
END;
CREATE TRIGGER outbox_waiting_delete AFTER DELETE ON outbox
	WHEN old.status = 'pending' AND NOT old.urgent
BEGIN
	UPDATE outbox_counts SET n = n - 1 WHERE name = 'waiting';
END;
CREATE TRIGGER outbox_waiting_update AFTER UPDATE OF status, urgent ON outbox
	WHEN (old.status = 'pending' AND NOT old.urgent) <> (new.status = 'pending' AND NOT new.urgent)
BEGIN
	UPDATE outbox_counts SET n = n + (new.status = 'pending' AND NOT new.urgent)
		- (old.status = 'pending' AND NOT old.urgent) WHERE name = 'waiting';
END;
CREATE TRIGGER outbox_pending_insert AFTER INSERT ON outbox WHEN new.status = 'pending'
BEGIN
	UPDATE outbox_counts SET n = n + 1 WHERE name = 'pending';
END;
CREATE TRIGGER outbox_pending_delete AFTER DELETE ON outbox WHEN old.status = 'pending'
BEGIN
	UPDATE outbox_counts SET n = n - 1 WHERE name = 'pending';
END;
CREATE TRIGGER outbox_pending_update AFTER UPDATE OF status ON outbox
	WHEN (old.status = 'pending') <> (new.status = 'pending')
BEGIN
	UPDATE outbox_counts SET n = n + (new.status = 'pending') - (old.status = 'pending') WHERE name = 'pending';
END;
CREATE TRIGGER messages_unsent_insert AFTER INSERT ON messages
	WHEN new.status = 'pending' OR new.status = 'sending'
BEGIN
	UPDATE outbox_counts SET n = n + 1 WHERE name = 'unsent';
END;
CREATE TRIGGER messages_unsent_delete AFTER DELETE ON messages
	WHEN old.status = 'pending' OR old.status = 'sending'
BEGIN
	UPDATE outbox_counts SET n = n - 1 WHERE name = 'unsent';
END;
CREATE TRIGGER messages_unsent_update AFTER UPDATE OF status ON messages
	WHEN (old.status = 'pending' OR old.status = 'sending') <> (new.status = 'pending' OR new.status = 'sending')
BEGIN
	UPDATE outbox_counts SET n = n + (new.status = 'pending' OR new.status = 'sending')
		- (old.status = 'pending' OR old.status = 'sending') WHERE name = 'unsent';
END;

-- What was delivered, and to whom: the one thing here that cannot be
-- rebuilt. Losing it (deleting this file) means a notification already
-- sent may be sent again, and the daemon says so when it starts afresh.
CREATE TABLE ledger (
	id INTEGER PRIMARY KEY,
	outbox_id INTEGER NOT NULL,
	case_id INTEGER NOT NULL,
	rule TEXT NOT NULL,
	party_id INTEGER NOT NULL,
	cycle INTEGER NOT NULL,
	stage TEXT NOT NULL,
	recipient TEXT NOT NULL,
	address TEXT NOT NULL,
	message_id TEXT NOT NULL,
	sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_by_obligation ON ledger(case_id, rule, party_id, cycle, stage);

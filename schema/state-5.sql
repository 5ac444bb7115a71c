-- Upgrade the casewatchd state database from version 4 to 5: messages of
-- kind 'report', the monthly report (schema/state.sql). A CHECK constraint
-- cannot be altered in place, so the table is made again and its rows
-- copied, as SQLite's ALTER TABLE documentation describes; foreign keys
-- are off while the schema is applied, so outbox.message_id keeps pointing
-- at the same rows.
CREATE TABLE messages_5 (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('notice', 'officer-digest', 'manager-digest', 'report')),
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	destination TEXT NOT NULL,
	period TEXT,
	case_id INTEGER,
	ref TEXT NOT NULL,
	subject TEXT NOT NULL,
	body BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	finished_at INTEGER,
	pruned_at INTEGER
		CHECK (pruned_at IS NULL OR status IN ('sent', 'dead')),
	UNIQUE (kind, destination, period)
) STRICT;
INSERT INTO messages_5 (id, kind, channel, destination, period, case_id, ref, subject, body, created_at, status,
		attempts, next_attempt_at, last_error, finished_at, pruned_at)
	SELECT id, kind, channel, destination, period, case_id, ref, subject, body, created_at, status,
		attempts, next_attempt_at, last_error, finished_at, pruned_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_5 RENAME TO messages;
CREATE INDEX messages_by_status ON messages(status, next_attempt_at);
CREATE INDEX messages_to_prune ON messages(finished_at) WHERE pruned_at IS NULL AND status IN ('sent', 'dead');

-- Upgrade the casewatchd state database from version 1 to 2: messages, and
-- the message that carries each notification (schema/state.sql).
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('notice', 'officer-digest', 'manager-digest')),
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	destination TEXT NOT NULL,
	period TEXT,
	case_id INTEGER,
	ref TEXT NOT NULL,         -- its Message-ID, or its Idempotency-Key
	subject TEXT NOT NULL,
	body BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	finished_at INTEGER,       -- when it was sent, or given up
	UNIQUE (kind, destination, period)
) STRICT;
CREATE INDEX messages_by_status ON messages(status, next_attempt_at);
ALTER TABLE outbox ADD COLUMN message_id INTEGER REFERENCES messages(id);
ALTER TABLE outbox ADD COLUMN finished_at INTEGER;
CREATE INDEX outbox_by_message ON outbox(message_id) WHERE message_id IS NOT NULL;

-- Upgrade the casewatchd state database from version 8 to 9: each
-- message's body in a table of its own (schema/state.sql), so that a
-- send's updates of a message's status rewrite a small row; two more
-- running counts, of the notifications queued and of the messages not
-- yet delivered; the index of the urgent notifications waiting; and the
-- counts of the obligations kept, by rule and state, counted once here
-- from the obligations the state holds. Bodies
-- already removed (notify.keep_sent, pruned_at set) have no row. The
-- column is then dropped by the upgrade's code (watch.c), with
-- secure_delete on, so that no copy of a body is left in free space to
-- outlive its removal.
CREATE TABLE message_bodies (
	message_id INTEGER PRIMARY KEY REFERENCES messages(id),
	body BLOB NOT NULL
) STRICT;
INSERT INTO message_bodies (message_id, body) SELECT id, body FROM messages WHERE pruned_at IS NULL;
CREATE VIEW message_text AS
	SELECT m.*, coalesce(b.body, X'') AS body FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id;
-- The counts' table made anew (a check cannot be altered), with its
-- triggers: any of theirs go first, naming the old table.
DROP TRIGGER IF EXISTS outbox_waiting_insert;
DROP TRIGGER IF EXISTS outbox_waiting_delete;
DROP TRIGGER IF EXISTS outbox_waiting_update;
DROP TRIGGER IF EXISTS outbox_pending_insert;
DROP TRIGGER IF EXISTS outbox_pending_delete;
DROP TRIGGER IF EXISTS outbox_pending_update;
DROP TRIGGER IF EXISTS messages_unsent_insert;
DROP TRIGGER IF EXISTS messages_unsent_delete;
DROP TRIGGER IF EXISTS messages_unsent_update;
DROP TABLE outbox_counts;
CREATE TABLE outbox_counts (
	name TEXT PRIMARY KEY CHECK (name = 'waiting' OR name = 'pending' OR name = 'unsent'),
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO outbox_counts (name, n) VALUES
	('waiting', (SELECT count(*) FROM outbox WHERE status = 'pending' AND NOT urgent)),
	('pending', (SELECT count(*) FROM outbox WHERE status = 'pending')),
	('unsent', (SELECT count(*) FROM messages WHERE status = 'pending' OR status = 'sending'));
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
CREATE TABLE IF NOT EXISTS obligation_counts (
	rule TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'overdue' OR state = 'paused'),
	n INTEGER NOT NULL,
	PRIMARY KEY (rule, state)
) STRICT, WITHOUT ROWID;
DELETE FROM obligation_counts;
INSERT INTO obligation_counts (rule, state, n) SELECT rule, state, count(*) FROM obligations GROUP BY rule, state;
CREATE INDEX IF NOT EXISTS outbox_urgent ON outbox(id) WHERE status = 'pending' AND urgent;

-- Upgrade the casewatchd state database from version 7 to 8: the running
-- count of the notifications waiting for the send window (schema/state.sql).
CREATE TABLE IF NOT EXISTS outbox_counts (
	name TEXT PRIMARY KEY CHECK (name = 'waiting'),
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT OR REPLACE INTO outbox_counts (name, n)
	VALUES ('waiting', (SELECT count(*) FROM outbox WHERE status = 'pending' AND NOT urgent));
CREATE TRIGGER IF NOT EXISTS outbox_waiting_insert AFTER INSERT ON outbox
	WHEN new.status = 'pending' AND NOT new.urgent
BEGIN
	UPDATE outbox_counts SET n = n + 1 WHERE name = 'waiting';
END;
CREATE TRIGGER IF NOT EXISTS outbox_waiting_delete AFTER DELETE ON outbox
	WHEN old.status = 'pending' AND NOT old.urgent
BEGIN
	UPDATE outbox_counts SET n = n - 1 WHERE name = 'waiting';
END;
CREATE TRIGGER IF NOT EXISTS outbox_waiting_update AFTER UPDATE OF status, urgent ON outbox
	WHEN (old.status = 'pending' AND NOT old.urgent) <> (new.status = 'pending' AND NOT new.urgent)
BEGIN
	UPDATE outbox_counts SET n = n + (new.status = 'pending' AND NOT new.urgent)
		- (old.status = 'pending' AND NOT old.urgent) WHERE name = 'waiting';
END;

-- Upgrade the casewatchd state database from version 5 to 6: the running
-- count of overdue obligations (schema/state.sql).
-- Running counts, kept by the triggers below as obligations are written,
-- so that a scan that changes nothing does not count a table that grows
-- with the database (STATUS=, the scan's log line); a full evaluation
-- counts again and puts right anything they could miss.
CREATE TABLE IF NOT EXISTS counts (
	name TEXT PRIMARY KEY CHECK (name IN ('overdue')),
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT OR REPLACE INTO counts (name, n) VALUES ('overdue', (SELECT count(*) FROM obligations WHERE state = 'overdue'));
CREATE TRIGGER IF NOT EXISTS obligations_overdue_insert AFTER INSERT ON obligations WHEN new.state = 'overdue'
BEGIN
	UPDATE counts SET n = n + 1 WHERE name = 'overdue';
END;
CREATE TRIGGER IF NOT EXISTS obligations_overdue_delete AFTER DELETE ON obligations WHEN old.state = 'overdue'
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'overdue';
END;
CREATE TRIGGER IF NOT EXISTS obligations_overdue_update AFTER UPDATE OF state ON obligations
	WHEN (old.state = 'overdue') <> (new.state = 'overdue')
BEGIN
	UPDATE counts SET n = n + (new.state = 'overdue') - (old.state = 'overdue') WHERE name = 'overdue';
END;

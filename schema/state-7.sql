-- Upgrade the casewatchd state database from version 6 to 7: only unmet
-- obligations are kept, without met_at, and the table's checks are
-- comparisons rather than IN lists (schema/state.sql). Each case's digest
-- was made from all of its obligations, kept or not, so the rows copied
-- are what a scan of version 7 writes. The table is made anew (a check
-- cannot be altered); dropping the old one drops its index and triggers,
-- made again below. The space the old rows held is reused by later
-- writes; `VACUUM` (with casewatchd stopped) gives it back.
CREATE TABLE obligations_7 (
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
INSERT INTO obligations_7 (case_id, rule, party_id, cycle, party_role, start, due, due_day, overdue_at, state, stage)
	SELECT case_id, rule, party_id, cycle, party_role, start, due, due_day, overdue_at, state, stage
	FROM obligations WHERE state IN ('pending', 'overdue', 'paused');
DROP TABLE obligations;
ALTER TABLE obligations_7 RENAME TO obligations;
CREATE INDEX obligations_by_state ON obligations(state, due_day);
CREATE TRIGGER obligations_overdue_insert AFTER INSERT ON obligations WHEN new.state = 'overdue'
BEGIN
	UPDATE counts SET n = n + 1 WHERE name = 'overdue';
END;
CREATE TRIGGER obligations_overdue_delete AFTER DELETE ON obligations WHEN old.state = 'overdue'
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'overdue';
END;
CREATE TRIGGER obligations_overdue_update AFTER UPDATE OF state ON obligations
	WHEN (old.state = 'overdue') <> (new.state = 'overdue')
BEGIN
	UPDATE counts SET n = n + (new.state = 'overdue') - (old.state = 'overdue') WHERE name = 'overdue';
END;
UPDATE counts SET n = (SELECT count(*) FROM obligations WHERE state = 'overdue') WHERE name = 'overdue';

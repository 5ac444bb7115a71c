-- Upgrade the casewatchd state database from version 8 to 9: the running
-- counts of the obligations kept, by rule and state (schema/state.sql),
-- counted once here from the obligations the state holds.
CREATE TABLE IF NOT EXISTS obligation_counts (
	rule TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'overdue' OR state = 'paused'),
	n INTEGER NOT NULL,
	PRIMARY KEY (rule, state)
) STRICT, WITHOUT ROWID;
DELETE FROM obligation_counts;
INSERT INTO obligation_counts (rule, state, n) SELECT rule, state, count(*) FROM obligations GROUP BY rule, state;

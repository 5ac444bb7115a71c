-- Upgrade the casewatchd state database from version 9 to 10: the index
-- of every obligation by state and day gives way to one of the pending
-- obligations by day, all that reads it (schema/state.sql).
DROP INDEX IF EXISTS obligations_by_state;
CREATE INDEX IF NOT EXISTS obligations_due ON obligations(due_day, state) WHERE state = 'pending';

-- Upgrade the casewatchd state database from version 9 to 10: the index
-- of every obligation by state and day gives way to one of the pending
-- obligations by day, all that reads it (schema/state.sql); and the count
-- of the overdue goes, with the triggers that kept it at every obligation
-- written: obligation_counts, which the scans keep, holds the same.
DROP INDEX IF EXISTS obligations_by_state;
CREATE INDEX IF NOT EXISTS obligations_due ON obligations(due_day, state) WHERE state = 'pending';
DROP TRIGGER IF EXISTS obligations_overdue_insert;
DROP TRIGGER IF EXISTS obligations_overdue_delete;
DROP TRIGGER IF EXISTS obligations_overdue_update;
DROP TABLE IF EXISTS counts;

-- Upgrade the casewatchd state database from version 2 to 3: when each
-- notification's stage was reached (schema/state.sql).
ALTER TABLE outbox ADD COLUMN reached_at INTEGER;

-- Upgrade the casewatchd state database from version 3 to 4: when the body
-- of a message sent or given up was removed after notify.keep_sent
-- (schema/state.sql).
ALTER TABLE messages ADD COLUMN pruned_at INTEGER
	CHECK (pruned_at IS NULL OR status IN ('sent', 'dead'));
CREATE INDEX messages_to_prune ON messages(finished_at) WHERE pruned_at IS NULL AND status IN ('sent', 'dead');

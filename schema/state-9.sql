-- Upgrade the casewatchd state database from version 8 to 9: each
-- message's body in a table of its own (schema/state.sql), so that a
-- send's updates of a message's status rewrite a small row. Bodies
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

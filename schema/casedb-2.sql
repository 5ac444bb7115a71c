-- Upgrade a casewatch case database from schema version 1 to 2
-- (schema/casedb.sql says what version 2 adds). `casewatch db init` runs it
-- in one transaction, on a connection without foreign key enforcement, and
-- sets user_version itself.
--
-- parties gains the column roles; events' CHECK gains the kinds hate and
-- agreed, which SQLite can change only by copying the table. Rows an
-- integration wrote past the old constraints are copied as they are
-- (the evaluation reports them): an upgrade loses nothing. Nothing is
-- logged in changes: no row means anything new.

PRAGMA ignore_check_constraints = 1;

ALTER TABLE parties ADD COLUMN roles TEXT CHECK (trim(replace(replace(replace(replace(replace(replace(replace(
	replace(replace(roles, 'complainant', ''), 'perpetrator', ''), 'referrer', ''), 'witness', ''), 'victim', ''),
	',', ''), ';', ''), '/', ''), char(9), '')) = '');
DROP INDEX parties_by_case;
CREATE INDEX parties_by_case ON parties(case_id, id, role, preferred_channel, identified_at, roles);

CREATE TABLE events_v2 (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	at TEXT NOT NULL
		CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'),
	kind TEXT NOT NULL CHECK (kind IN ('accepted', 'not_accepted', 'closed', 'reopened',
					   'hold', 'resume', 'risk', 'serious', 'contact', 'hate', 'agreed')),
	party_id INTEGER REFERENCES parties(id) ON DELETE SET NULL,
	channel TEXT CHECK (channel IN ('phone', 'letter', 'email', 'visit', 'sms', 'meeting')),
	-- for a contact what it was for (acknowledgement, update, sendback, or
	-- a local word); for a risk event the new level; for an agreed event
	-- the timescale ('10 working days', 'fortnightly', '1 month', ...)
	detail TEXT,
	officer TEXT,
	CHECK (kind <> 'risk' OR detail IN ('standard', 'medium', 'high'))
) STRICT;
INSERT INTO events_v2 (id, case_id, at, kind, party_id, channel, detail, officer)
	SELECT id, case_id, at, kind, party_id, channel, detail, officer FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;

CREATE INDEX events_by_case ON events(case_id, at, id, kind, party_id, channel, detail);

CREATE TRIGGER events_logged_insert AFTER INSERT ON events
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.case_id);
END;
CREATE TRIGGER events_logged_update AFTER UPDATE ON events
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.case_id);
	INSERT INTO changes (case_id) SELECT OLD.case_id WHERE OLD.case_id <> NEW.case_id;
END;
CREATE TRIGGER events_logged_delete AFTER DELETE ON events
BEGIN
	INSERT INTO changes (case_id) VALUES (OLD.case_id);
END;

PRAGMA ignore_check_constraints = 0;

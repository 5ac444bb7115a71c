-- The casewatch case database (DESIGN.md section 3), schema version 2.
--
-- The tables and columns named in DESIGN.md are the contract that the
-- council's systems write to. Every column beyond them is nullable or has a
-- default, so an integration that writes only the contract's columns keeps
-- working. `casewatch db init` runs this file in one transaction on a new
-- database; it upgrades an older one in place (daemon/casedb.c), changing
-- only what the new version needs, so that what a council added to its
-- database (columns, indexes, triggers, views) stays.
--
-- Version 2 (extensions, casewatch(1) and casewatch-rules(5)): a party may
-- hold several roles (parties.roles), and two event kinds: `hate` (flagged
-- a hate crime after receipt) and `agreed` (a contact timescale agreed from
-- that day on, in detail).
--
-- Foreign keys are declared for the integrations that turn them on; the
-- evaluation never relies on them and reports rows that break them.

-- 'CWDB': how `casewatch db init` knows a file is a casewatch database.
PRAGMA application_id = 1129792578;
PRAGMA user_version = 2;

CREATE TABLE teams (
	id TEXT PRIMARY KEY NOT NULL,
	name TEXT,
	supervisor TEXT REFERENCES officers(id) DEFERRABLE INITIALLY DEFERRED,
	manager_email TEXT
) STRICT;

CREATE TABLE officers (
	id TEXT PRIMARY KEY NOT NULL,
	name TEXT,
	email TEXT,
	team TEXT REFERENCES teams(id) DEFERRABLE INITIALLY DEFERRED,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

-- Timestamps are RFC 3339 text; the CHECKs catch gross mistakes at the
-- door (a date alone, a number), the evaluation validates them fully.
CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL UNIQUE,
	stage TEXT NOT NULL DEFAULT 'enquiry' CHECK (stage IN ('enquiry', 'case', 'closed')),
	-- personal, nuisance, environmental, or a local word
	category TEXT,
	serious INTEGER NOT NULL DEFAULT 0 CHECK (serious IN (0, 1)),
	hate INTEGER NOT NULL DEFAULT 0 CHECK (hate IN (0, 1)),
	risk TEXT NOT NULL DEFAULT 'standard' CHECK (risk IN ('standard', 'medium', 'high')),
	officer TEXT REFERENCES officers(id) DEFERRABLE INITIALLY DEFERRED,
	team TEXT REFERENCES teams(id) DEFERRABLE INITIALLY DEFERRED,
	-- an agreed contact timescale such as '10 working days'
	agreed_contact TEXT,
	received_at TEXT NOT NULL
		CHECK (received_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*')
) STRICT;

-- A party holds `role` and every role named in `roles`: a victim who
-- reported the matter themselves is role 'victim', roles 'complainant' (or
-- 'victim, complainant'). An integration that knows one role writes role
-- alone. The CHECK catches a word that is no role at the door (not every
-- run-together spelling, which the evaluation reports).
CREATE TABLE parties (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('victim', 'complainant', 'witness', 'perpetrator', 'referrer')),
	-- how officers know them; never leaves the database by default
	label TEXT,
	preferred_channel TEXT CHECK (preferred_channel IN ('phone', 'letter', 'email', 'visit', 'sms', 'meeting')),
	identified_at TEXT
		CHECK (identified_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'),
	-- more roles of the same party: names separated by commas, semicolons,
	-- slashes or spaces
	roles TEXT CHECK (trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(
		roles, 'complainant', ''), 'perpetrator', ''), 'referrer', ''), 'witness', ''), 'victim', ''),
		',', ''), ';', ''), '/', ''), char(9), '')) = '')
) STRICT;

CREATE TABLE events (
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

CREATE TABLE surveys (
	id INTEGER PRIMARY KEY,
	-- NULL for an answer that cannot be tied to a case
	case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
	at TEXT NOT NULL,
	satisfied INTEGER NOT NULL CHECK (satisfied IN (0, 1))
) STRICT;

CREATE TABLE meetings (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	held_on TEXT NOT NULL CHECK (held_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	team TEXT REFERENCES teams(id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

-- The evaluation's access paths: every case's parties and events read in
-- one pass ordered by case, events in time order. The two indexes cover
-- every column the evaluation reads, so the pass reads them in order and
-- never jumps into the tables, whatever order the rows were written in.
CREATE INDEX parties_by_case ON parties(case_id, id, role, preferred_channel, identified_at, roles);
CREATE INDEX events_by_case ON events(case_id, at, id, kind, party_id, channel, detail);
CREATE INDEX cases_by_stage ON cases(stage);
CREATE INDEX surveys_by_time ON surveys(at);
CREATE INDEX meetings_by_day ON meetings(kind, held_on);

-- The change log: every insert, update and delete of a case, a party or an
-- event appends the case it touched, so the daemon (which only reads this
-- database) re-evaluates just those. AUTOINCREMENT keeps sequence numbers
-- from ever being reused. The log keeps the latest 100,000 entries or so; a
-- reader that finds the entries after its last one pruned evaluates
-- everything, so the pruning can lose nothing.
CREATE TABLE changes (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id INTEGER NOT NULL
) STRICT;

CREATE TRIGGER changes_prune AFTER INSERT ON changes WHEN NEW.seq % 1000 = 0
BEGIN
	DELETE FROM changes WHERE seq <= NEW.seq - 100000;
END;

CREATE TRIGGER cases_logged_insert AFTER INSERT ON cases
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.id);
END;
CREATE TRIGGER cases_logged_update AFTER UPDATE ON cases
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.id);
	INSERT INTO changes (case_id) SELECT OLD.id WHERE OLD.id <> NEW.id;
END;
CREATE TRIGGER cases_logged_delete AFTER DELETE ON cases
BEGIN
	INSERT INTO changes (case_id) VALUES (OLD.id);
END;

CREATE TRIGGER parties_logged_insert AFTER INSERT ON parties
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.case_id);
END;
CREATE TRIGGER parties_logged_update AFTER UPDATE ON parties
BEGIN
	INSERT INTO changes (case_id) VALUES (NEW.case_id);
	INSERT INTO changes (case_id) SELECT OLD.case_id WHERE OLD.case_id <> NEW.case_id;
END;
CREATE TRIGGER parties_logged_delete AFTER DELETE ON parties
BEGIN
	INSERT INTO changes (case_id) VALUES (OLD.case_id);
END;

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

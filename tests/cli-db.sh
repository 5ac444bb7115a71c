#!/bin/sh
# casewatch db init, and the case database it makes: WAL, versioned,
# constrained, change-logged; a file that is not ours is never touched.
. "${top_srcdir:-.}/tests/lib.sh"

db="$T/cases.db"
run "db init creates" 0 "$CASEWATCH" db init "$db"
expect_out "says it created it" "created the case database $db (schema version 2)"
sql() { sqlite3 -batch "$db" "$@"; }
[ "$(stat -c %a "$db")" = 640 ] && ok "file mode 0640 (victims' data)" || not_ok "file mode 0640: $(stat -c %a "$db")"
[ "$(sql 'PRAGMA journal_mode')" = wal ] && ok "WAL mode" || not_ok "WAL mode"
[ "$(sql 'PRAGMA user_version')" = 2 ] && ok "user_version 2" || not_ok "user_version"
[ "$(sql 'PRAGMA application_id')" = 1129792578 ] && ok "application_id CWDB" || not_ok "application_id"

run "db init again" 0 "$CASEWATCH" db init "$db"
expect_out "already current" "the case database $db is already at schema version 2"

# Rows as an integration writes them: only the contract's columns.
sql "PRAGMA foreign_keys = ON;
INSERT INTO teams (id, name) VALUES ('east', 'East team');
INSERT INTO officers (id, name, email, team, active) VALUES ('o1', 'A Officer', 'a@example.org', 'east', 1);
UPDATE teams SET supervisor = 'o1' WHERE id = 'east';
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at)
	VALUES (1, 'ASB/1', 'enquiry', 'personal', 1, 0, 'standard', 'o1', 'east', NULL, '2026-11-20T16:05:00Z'),
	       (2, 'ASB/2', 'case', 'nuisance', 0, 0, 'high', 'o1', 'east', '10 working days', '2026-11-21T09:00:00+00:00');
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at)
	VALUES (1, 1, 'victim', 'Mrs A', 'phone', '2026-11-20T16:05:00Z');
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer)
	VALUES (1, '2026-11-21T10:00:00Z', 'contact', 1, 'phone', 'acknowledgement', 'o1');
INSERT INTO surveys (case_id, at, satisfied) VALUES (1, '2026-11-22T10:00:00Z', 1);
INSERT INTO meetings (kind, held_on, team) VALUES ('jag', '2026-11-05', 'east');" 2>"$T/err" &&
	ok "the contract's columns accept an integration's rows" || { not_ok "integration rows"; sed 's/^/# /' "$T/err"; }

[ "$(sql 'SELECT group_concat(case_id) FROM changes ORDER BY seq')" = "1,2,1,1" ] &&
	ok "inserts of cases, parties and events are logged" || not_ok "inserts logged: $(sql 'SELECT group_concat(case_id) FROM changes')"
sql "UPDATE events SET case_id = 2 WHERE case_id = 1; DELETE FROM parties WHERE id = 1;"
[ "$(sql 'SELECT group_concat(case_id) FROM (SELECT case_id FROM changes WHERE seq > 4 ORDER BY seq)')" = "2,1,1" ] &&
	ok "an event moved between cases logs both; a delete logs its case" ||
	not_ok "update/delete logged: $(sql 'SELECT group_concat(case_id) FROM changes WHERE seq > 4')"
sql "PRAGMA foreign_keys = ON; DELETE FROM cases WHERE id = 2;"
[ "$(sql 'SELECT count(*) FROM events')" = 0 ] && [ "$(sql 'SELECT case_id FROM changes ORDER BY seq DESC LIMIT 1')" = 2 ] &&
	ok "deleting a case cascades to its events, logged" || not_ok "cascade"

reject() {
	if sql "$2" 2>"$T/err"; then not_ok "$1 (accepted)"; else grep -q "constraint failed\|cannot store" "$T/err" && ok "$1" || not_ok "$1: $(cat "$T/err")"; fi
}
reject "unknown stage refused" "INSERT INTO cases (ref, stage, received_at) VALUES ('X1', 'open', '2026-11-20T10:00:00Z')"
reject "unknown risk level refused" "INSERT INTO cases (ref, risk, received_at) VALUES ('X2', 'severe', '2026-11-20T10:00:00Z')"
reject "a date where a timestamp belongs refused" "INSERT INTO cases (ref, received_at) VALUES ('X3', '2026-11-20')"
reject "unknown event kind refused" "INSERT INTO events (case_id, at, kind) VALUES (1, '2026-11-20T10:00:00Z', 'phoned')"
reject "a risk event without a level refused" "INSERT INTO events (case_id, at, kind, detail) VALUES (1, '2026-11-20T10:00:00Z', 'risk', 'very')"
reject "unknown channel refused" "INSERT INTO events (case_id, at, kind, channel) VALUES (1, '2026-11-20T10:00:00Z', 'contact', 'pigeon')"
reject "unknown party role refused" "INSERT INTO parties (case_id, role) VALUES (1, 'bystander')"
reject "serious is 0 or 1" "INSERT INTO cases (ref, serious, received_at) VALUES ('X4', 2, '2026-11-20T10:00:00Z')"
reject "a word in roles that is no role refused" "INSERT INTO parties (case_id, role, roles) VALUES (1, 'victim', 'victim, bystander')"
reject "STRICT: text in an integer column refused" "INSERT INTO events (case_id, at, kind) VALUES ('one', '2026-11-20T10:00:00Z', 'contact')"

# Version 2: a party of several roles, and the event kinds hate and agreed.
sql "INSERT INTO parties (id, case_id, role, roles) VALUES (5, 1, 'victim', 'complainant'), (6, 1, 'victim', 'victim, complainant'),
	(7, 1, 'referrer', 'witness/complainant; victim');
INSERT INTO events (case_id, at, kind) VALUES (1, '2026-11-21T10:00:00Z', 'hate');
INSERT INTO events (case_id, at, kind, party_id, detail) VALUES (1, '2026-11-21T10:00:00Z', 'agreed', 5, 'fortnightly');" 2>"$T/err" &&
	ok "several roles for a party, and hate and agreed events, are accepted" ||
	{ not_ok "several roles, hate and agreed accepted"; sed 's/^/# /' "$T/err"; }
before=$(sql 'SELECT max(seq) FROM changes')
sql "UPDATE parties SET roles = 'complainant' WHERE id = 6"
[ "$(sql "SELECT group_concat(case_id) FROM changes WHERE seq > $before")" = 1 ] &&
	ok "a change of a party's roles is logged" || not_ok "a change of roles logged"
sql "DELETE FROM events WHERE kind IN ('hate', 'agreed'); DELETE FROM parties WHERE id IN (5, 6, 7)"

# The change log stays bounded and its sequence never goes back.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
	INSERT INTO events (case_id, at, kind) SELECT 1, '2026-11-20T10:00:00Z', 'contact' FROM n;"
n=$(sql 'SELECT count(*) FROM changes'); lo=$(sql 'SELECT min(seq) FROM changes'); hi=$(sql 'SELECT max(seq) FROM changes')
if [ "$n" -le 101000 ] && [ "$n" -ge 100000 ] && [ $((hi - lo + 1)) -eq "$n" ] && [ "$hi" -ge 120000 ]; then
	ok "change log pruned to the latest ~100,000 ($n), no gaps"
else
	not_ok "change log bounded: count $n, seq $lo..$hi"
fi

# Upgrading a version 1 database (tests/data/casedb-v1.sql, the schema as
# casewatch 0.1.0 made it) keeps every row, ids and rows past the old
# constraints included, and leaves the same tables, columns, indexes and
# triggers as a new database.
v1="$T/v1.db"
{
	echo "PRAGMA journal_mode = WAL;"
	cat "$DATA/casedb-v1.sql"
	cat <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (7, 'OLD/7', 'case', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (70, 7, 'victim');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(700, 7, '2026-11-03T10:00:00Z', 'accepted', NULL, NULL, NULL),
	(705, 7, '2026-11-04T10:00:00Z', 'contact', 70, 'visit', 'update');
PRAGMA ignore_check_constraints = 1;
INSERT INTO events (id, case_id, at, kind, detail) VALUES (710, 7, '2026-11-05T10:00:00Z', 'risk', 'severe');
SQL
} | sqlite3 -bail "$v1" >"$T/sqlout" 2>&1 || { not_ok "making a version 1 database"; sed 's/^/# /' "$T/sqlout"; }
seq_before=$(sqlite3 "$v1" 'SELECT max(seq) FROM changes')
integrity_before=$(sqlite3 "$v1" 'PRAGMA integrity_check')
run "db init upgrades a version 1 database" 0 "$CASEWATCH" db init "$v1"
expect_out "says it upgraded it" "upgraded the case database $v1 from schema version 1 to 2"
v1sql() { sqlite3 -batch "$v1" "$@"; }
same "upgraded: user_version 2" "$(v1sql 'PRAGMA user_version')" 2
same "upgraded: every event kept, with its id and columns, one past the old constraints too" \
	"$(v1sql "SELECT group_concat(id || ' ' || kind || ' ' || coalesce(detail, '-'), ', ') FROM (SELECT * FROM events ORDER BY id)")" \
	"700 accepted -, 705 contact update, 710 risk severe"
same "upgraded: the party kept, with no extra roles" \
	"$(v1sql "SELECT id || ' ' || role || ' ' || coalesce(roles, 'null') FROM parties")" "70 victim null"
same "upgraded: nothing written to the change log" "$(v1sql 'SELECT max(seq) FROM changes')" "$seq_before"
# shape DB: every table's columns, every index's columns, every trigger.
shape() {
	sqlite3 -batch "$1" "SELECT m.type, m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'
		UNION ALL SELECT m.type, m.name, p.name FROM sqlite_schema m, pragma_index_info(m.name) p WHERE m.type = 'index'
		UNION ALL SELECT type, name, tbl_name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 1, 2, 3"
}
if [ "$(shape "$v1")" = "$(shape "$db")" ]; then
	ok "upgraded: the same tables, columns, indexes and triggers as a new database"
else
	not_ok "upgraded: the same shape as a new database"
	shape "$v1" >"$T/shape-up"
	shape "$db" >"$T/shape-new"
	diff "$T/shape-new" "$T/shape-up" | sed 's/^/# /'
fi
v1sql "INSERT INTO events (case_id, at, kind) VALUES (7, '2026-11-06T10:00:00Z', 'hate');
	UPDATE parties SET roles = 'complainant' WHERE id = 70;" 2>"$T/err" &&
	ok "upgraded: hate events and roles accepted" || { not_ok "upgraded: new kinds and roles"; sed 's/^/# /' "$T/err"; }
same "upgraded: the triggers log changes to events and parties" \
	"$(v1sql "SELECT group_concat(case_id) FROM changes WHERE seq > $seq_before")" "7,7"
if v1sql "INSERT INTO events (case_id, at, kind) VALUES (7, '2026-11-06T10:00:00Z', 'phoned')" 2>/dev/null; then
	not_ok "upgraded: the events CHECK still refuses an unknown kind"
else
	ok "upgraded: the events CHECK still refuses an unknown kind"
fi
same "upgraded: foreign keys intact" "$(v1sql 'PRAGMA foreign_key_check')" ""
# The only finding is the row written past the old constraint, as before.
same "upgraded: integrity as before the upgrade" "$(v1sql 'PRAGMA integrity_check')" "$integrity_before"
same "upgraded: what integrity_check finds is only the old bad row" "$integrity_before" "CHECK constraint failed in events"

# What a council added to its version 1 database stays through the upgrade:
# a column, an index and a trigger of its own on events, a view over events
# and parties; and the upgrade copes with the covering index dropped and
# with a roles column already there.
{
	echo "PRAGMA journal_mode = WAL;"
	cat "$DATA/casedb-v1.sql"
	cat <<'SQL'
ALTER TABLE events ADD COLUMN siebel_id TEXT;
CREATE INDEX council_events_by_officer ON events(officer);
CREATE TABLE council_audit (event_id INTEGER, seen TEXT);
CREATE TRIGGER council_audit_events AFTER INSERT ON events BEGIN
	INSERT INTO council_audit (event_id, seen) VALUES (NEW.id, 'yes');
END;
CREATE VIEW council_contacts AS SELECT e.id, e.siebel_id, p.role FROM events e JOIN parties p ON p.id = e.party_id;
ALTER TABLE parties ADD COLUMN roles TEXT;
DROP INDEX parties_by_case;
INSERT INTO cases (id, ref, stage, received_at) VALUES (1, 'C/1', 'case', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role, roles) VALUES (10, 1, 'victim', 'complainant');
INSERT INTO events (id, case_id, at, kind, party_id, channel, officer, siebel_id) VALUES
	(100, 1, '2026-11-03T10:00:00Z', 'contact', 10, 'phone', 'o1', 'SB-123');
SQL
} | sqlite3 -bail "$T/council.db" >"$T/sqlout" 2>&1 || { not_ok "making the council's version 1 database"; sed 's/^/# /' "$T/sqlout"; }
csql() { sqlite3 -batch "$T/council.db" "$@"; }
run "db init upgrades a database with a council's own additions" 0 "$CASEWATCH" db init "$T/council.db"
same "council: the events column of its own keeps its values" "$(csql 'SELECT siebel_id FROM events WHERE id = 100')" "SB-123"
same "council: its index, trigger and view are kept" \
	"$(csql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE name LIKE 'council%' ORDER BY name)")" \
	"council_audit council_audit_events council_contacts council_events_by_officer"
csql "INSERT INTO events (id, case_id, at, kind, party_id, detail) VALUES (101, 1, '2026-11-04T10:00:00Z', 'agreed', 10, 'weekly')" 2>"$T/err" &&
	ok "council: an agreed event is accepted" || { not_ok "council: an agreed event is accepted"; sed 's/^/# /' "$T/err"; }
same "council: its trigger still fires" "$(csql "SELECT group_concat(event_id) FROM council_audit")" "100,101"
same "council: its view still reads" "$(csql 'SELECT count(*) FROM council_contacts')" "2"
same "council: the roles it had added are kept" "$(csql 'SELECT roles FROM parties WHERE id = 10')" "complainant"
same "council: the covering index is back, with roles" \
	"$(csql "SELECT group_concat(name, ',') FROM pragma_index_info('parties_by_case')")" \
	"case_id,id,role,preferred_channel,identified_at,roles"
same "council: integrity" "$(csql 'PRAGMA integrity_check')" "ok"

# An events table whose kind CHECK is not casewatch's: refused, and the
# database left at version 1, unchanged.
{
	echo "PRAGMA journal_mode = WAL;"
	sed "s/'serious', 'contact'))/'serious', 'contact', 'letter'))/" "$DATA/casedb-v1.sql"
} | sqlite3 -bail "$T/custom.db" >"$T/sqlout" 2>&1 || { not_ok "making a version 1 database with its own CHECK"; sed 's/^/# /' "$T/sqlout"; }
before=$(sqlite3 "$T/custom.db" .schema | sha256sum)
run "an events CHECK that is not casewatch's is refused" 1 "$CASEWATCH" db init "$T/custom.db"
expect_err "what to do about it" "casewatch: $T/custom.db: cannot upgrade the case database from version 1: the events table's CHECK on kind is not the one casewatch made: add the kinds 'hate' and 'agreed' to it by hand, then run casewatch db init again"
same "refused: still version 1" "$(sqlite3 "$T/custom.db" 'PRAGMA user_version')" 1
same "refused: the schema unchanged" "$(sqlite3 "$T/custom.db" .schema | sha256sum)" "$before"

# casewatch reads a version 1 database as it is, each party with its one
# role, and leaves it at version 1 (the daemon only reads).
{
	echo "PRAGMA journal_mode = WAL;"
	cat "$DATA/casedb-v1.sql"
	cat <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES (1, 'OLD/1', 'enquiry', '2026-11-02T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (10, 1, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES (1, '2026-11-03T10:00:00Z', 'contact', 10, 'phone', 'acknowledgement');
SQL
} | sqlite3 -bail "$T/old.db" >"$T/sqlout" 2>&1 || { not_ok "making a second version 1 database"; sed 's/^/# /' "$T/sqlout"; }
printf 'database = "old.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$(cd "$top_srcdir" && pwd)" >"$T/old.conf"
run "status reads a version 1 database without upgrading it" 0 "$CASEWATCH" -c "$T/old.conf" status --json --at 2026-11-10 OLD/1
same "status on version 1: the acknowledgement is met" \
	"$(jq -r '.obligations[] | "\(.rule) \(.state)"' "$T/out")" "acknowledge-enquiry met"
same "status on version 1: the database is left at version 1" "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" 1

# Files that are not ours are left exactly as they were.
check_untouched() {
	name=$1 file=$2
	before=$(sha256sum "$file")
	run "$name refused" 1 "$CASEWATCH" db init "$file"
	if [ "$(sha256sum "$file")" = "$before" ] && [ ! -e "$file-wal" ] && [ ! -e "$file-shm" ] &&
		grep -q "is not a casewatch case database; left as it was" "$T/err"; then
		ok "$name left exactly as it was"
	else
		not_ok "$name left exactly as it was"; sed 's/^/# /' "$T/err"
	fi
}
sqlite3 "$T/other.db" "PRAGMA journal_mode = WAL; CREATE TABLE cases (id INTEGER); INSERT INTO cases VALUES (1);" >/dev/null
check_untouched "another application's SQLite database (WAL)" "$T/other.db"
echo "ref,stage" >"$T/cases.csv"
check_untouched "a text file" "$T/cases.csv"

cp "$db" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 99" 
run "a newer schema refused" 1 "$CASEWATCH" db init "$T/newer.db"
expect_err "newer schema message" "casewatch: $T/newer.db has schema version 99, newer than this casewatch knows (2); left as it was"

: >"$T/empty.db"
run "an empty file is initialised" 0 "$CASEWATCH" db init "$T/empty.db"
[ "$(sqlite3 "$T/empty.db" 'PRAGMA user_version')" = 2 ] && ok "empty file now version 2" || not_ok "empty file now version 2"

mkdir "$T/folder.db"
run "a folder refused" 1 "$CASEWATCH" db init "$T/folder.db"
expect_err "folder message" "casewatch: $T/folder.db: is a folder"
run "no such folder" 1 "$CASEWATCH" db init "$T/nowhere/cases.db"
expect_err "missing folder message" "casewatch: cannot create $T/nowhere/cases.db: No such file or directory"

# Without PATH: the configured database, relative to the configuration.
mkdir "$T/etc"
echo 'database = "unit.db";' >"$T/etc/casewatch.conf"
run "db init with the configured path" 0 "$CASEWATCH" -c "$T/etc/casewatch.conf" db init
expect_out "configured database created beside the configuration" "created the case database $T/etc/unit.db (schema version 2)"
run "db init usage" 2 "$CASEWATCH" db create

done_testing

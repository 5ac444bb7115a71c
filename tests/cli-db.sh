#!/bin/sh
# casewatch db init, and the case database it makes: WAL, versioned,
# constrained, change-logged; a file that is not ours is never touched.
. "${top_srcdir:-.}/tests/lib.sh"

db="$T/cases.db"
run "db init creates" 0 "$CASEWATCH" db init "$db"
expect_out "says it created it" "created the case database $db (schema version 1)"
sql() { sqlite3 -batch "$db" "$@"; }
[ "$(stat -c %a "$db")" = 640 ] && ok "file mode 0640 (victims' data)" || not_ok "file mode 0640: $(stat -c %a "$db")"
[ "$(sql 'PRAGMA journal_mode')" = wal ] && ok "WAL mode" || not_ok "WAL mode"
[ "$(sql 'PRAGMA user_version')" = 1 ] && ok "user_version 1" || not_ok "user_version"
[ "$(sql 'PRAGMA application_id')" = 1129792578 ] && ok "application_id CWDB" || not_ok "application_id"

run "db init again" 0 "$CASEWATCH" db init "$db"
expect_out "already current" "the case database $db is already at schema version 1"

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
reject "STRICT: text in an integer column refused" "INSERT INTO events (case_id, at, kind) VALUES ('one', '2026-11-20T10:00:00Z', 'contact')"

# The change log stays bounded and its sequence never goes back.
sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
	INSERT INTO events (case_id, at, kind) SELECT 1, '2026-11-20T10:00:00Z', 'contact' FROM n;"
n=$(sql 'SELECT count(*) FROM changes'); lo=$(sql 'SELECT min(seq) FROM changes'); hi=$(sql 'SELECT max(seq) FROM changes')
if [ "$n" -le 101000 ] && [ "$n" -ge 100000 ] && [ $((hi - lo + 1)) -eq "$n" ] && [ "$hi" -ge 120000 ]; then
	ok "change log pruned to the latest ~100,000 ($n), no gaps"
else
	not_ok "change log bounded: count $n, seq $lo..$hi"
fi

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
expect_err "newer schema message" "casewatch: $T/newer.db has schema version 99, newer than this casewatch knows (1); left as it was"

: >"$T/empty.db"
run "an empty file is initialised" 0 "$CASEWATCH" db init "$T/empty.db"
[ "$(sqlite3 "$T/empty.db" 'PRAGMA user_version')" = 1 ] && ok "empty file now version 1" || not_ok "empty file now version 1"

mkdir "$T/folder.db"
run "a folder refused" 1 "$CASEWATCH" db init "$T/folder.db"
expect_err "folder message" "casewatch: $T/folder.db: is a folder"
run "no such folder" 1 "$CASEWATCH" db init "$T/nowhere/cases.db"
expect_err "missing folder message" "casewatch: cannot create $T/nowhere/cases.db: No such file or directory"

# Without PATH: the configured database, relative to the configuration.
mkdir "$T/etc"
echo 'database = "unit.db";' >"$T/etc/casewatch.conf"
run "db init with the configured path" 0 "$CASEWATCH" -c "$T/etc/casewatch.conf" db init
expect_out "configured database created beside the configuration" "created the case database $T/etc/unit.db (schema version 1)"
run "db init usage" 2 "$CASEWATCH" db create

done_testing

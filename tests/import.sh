#!/bin/sh
# casewatch import: CSV exports as real case systems write them (RFC 4180
# quoting, CRLF, a byte-order mark, Windows-1252), UK dates read as local
# time with the clock changes handled as documented, bad rows skipped and
# named by FILE:LINE, the rest imported in one transaction; importing
# again changes nothing; a changed row changes only its case; a file-level
# problem or a kill -9 leaves the database as it was.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cd "$T" || exit 1
"$CASEWATCH" db init cases.db >/dev/null
cat >casewatch.conf <<'EOF'
database = "cases.db";
state = "state.db";
rules = [ ];
EOF
q() { sqlite3 -batch -cmd '.timeout 10000' cases.db "$1" </dev/null; }
# The database's content and change log, as text: equal means unchanged.
snapshot() { sqlite3 -batch cases.db .dump </dev/null; }
# The file itself, with its log folded in.
file_hash() { sqlite3 cases.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null && sha256sum cases.db | cut -d' ' -f1; }
import() { "$CASEWATCH" -c casewatch.conf import "$@"; }
crlf() { sed 's/$/\r/'; }

cat >map.conf <<'EOF'
encoding = "utf-8";
delimiter = ",";
timestamp_format = "%d/%m/%Y %H:%M";
date_format = "%d/%m/%Y";
sources = (
  {
    match = "cases*.csv";
    into = "cases";
    key = [ "Case Ref" ];
    columns = {
      ref = "Case Ref";
      received_at = [ "Date Received", "Time Received" ];
      stage = "Status";
      officer = "Officer";
      hate = "Hate";
    };
    values = {
      stage = ( [ "Open - Enquiry", "enquiry" ], [ "Open - Case", "case" ], [ "Closed", "closed" ] );
      hate = ( [ "Y", "1" ], [ "N", "0" ] );
    };
  },
  {
    match = "contacts*.csv";
    into = "parties";
    key = "Contact ID";
    columns = { case = "Case Ref"; label = "Name"; };
    role_flags = { victim = "Victim?"; complainant = "Complainant?"; witness = "Witness?"; };
  },
  {
    match = "actions*.csv";
    into = "events";
    key = "Action ID";
    columns = {
      case = "Case Ref";
      party = "Contact ID";
      at = [ "Date", "Time" ];
      kind = "Type";
      channel = "How";
    };
    values = {
      kind = ( [ "Phone call", "contact" ], [ "Letter", "contact" ], [ "Accepted", "accepted" ] );
      channel = ( [ "TEL", "phone" ], [ "LTR", "letter" ] );
    };
  }
);
EOF

# cases.csv: a byte-order mark, CRLF, a comma and a line end inside quoted
# fields, a column the mapping does not name. Line numbers as an editor
# shows them: ASB-2's note spans lines 3 and 4.
{
	printf '\357\273\277'
	crlf <<'EOF'
Case Ref,Status,Date Received,Time Received,Officer,Hate,Notes
ASB-1,Open - Case,20/11/2026,09:05,o1,N,"a comma, here"
ASB-2,Open - Enquiry,21/11/2026,,o1,Y,"a note over
two lines"
ASB-3,Pending,22/11/2026,10:00,o1,N,
ASB-4,Closed,31/02/2026,10:00,o1,N,
ASB-5,Open - Case,25/10/2026,01:30,o1,N,"""quoted"""
ASB-6,Open - Case,29/03/2026,01:30,o1,N,
,Open - Case,20/11/2026,09:00,o1,N,
ASB-1,Closed,20/11/2026,09:05,o1,N,twice
EOF
} >cases.csv

before=$(snapshot)
hash0=$(file_hash)
run "a dry run: some rows rejected (exit 3)" 3 import --mapping map.conf --dry-run cases.csv
expect_out "a dry run: the summary, nothing written" \
	"dry run, nothing written: cases: 3 new, 0 changed, 0 unchanged; 5 rows rejected"
same "a dry run writes nothing" "$(file_hash)" "$hash0"

run "import: some rows rejected (exit 3)" 3 import --mapping map.conf cases.csv
expect_out "import: the summary" "cases: 3 new, 0 changed, 0 unchanged; 5 rows rejected"
expect_err "import: each bad row by FILE:LINE and column; the time that happened twice noted" \
'rejected: cases.csv:5: column "Status": "Pending" has no translation in the mapping'"'"'s values for stage
rejected: cases.csv:6: column "Date Received, Time Received": "31/02/2026 10:00" is no such date or time
note: cases.csv:7: column "Date Received, Time Received": "25/10/2026 01:30" happened twice in Europe/London (the clocks went back): read as the earlier, 2026-10-25T01:30:00+01:00
rejected: cases.csv:8: column "Date Received, Time Received": "29/03/2026 01:30" did not happen in Europe/London: the clocks went forward over it
rejected: cases.csv:9: column "Case Ref": empty, and it is the row'"'"'s key
rejected: cases.csv:10: column "Case Ref": the same key as line 2: the row is left out'
same "the cases as imported: UTC, a date alone at local midnight, the earlier of the fold" \
	"$(q "SELECT ref, stage, hate, officer, received_at FROM cases ORDER BY ref")" \
	"ASB-1|case|0|o1|2026-11-20T09:05:00Z
ASB-2|enquiry|1|o1|2026-11-21T00:00:00Z
ASB-5|case|0|o1|2026-10-25T00:30:00Z"
changes1=$(q "SELECT count(*) FROM changes")

### Importing the same file again changes nothing.
run "again: the same rows rejected" 3 import --mapping map.conf cases.csv
expect_out "again: every row unchanged" "cases: 0 new, 0 changed, 3 unchanged; 5 rows rejected"
same "again: nothing in the change log" "$(q "SELECT count(*) FROM changes")" "$changes1"

### The same key in two files of one source is no repeat: the later file's
### row is read again (here, unchanged); a repeat within either is refused.
cp cases.csv cases-b.csv
run "two files of one source" 3 import --mapping map.conf cases.csv cases-b.csv
expect_out "two files of one source: each row of both read" "cases: 0 new, 0 changed, 6 unchanged; 10 rows rejected"
same "two files of one source: the repeat in each refused" \
	"$(grep -c 'the same key as line 2' "$T/err")" 2
same "two files of one source: nothing in the change log" "$(q "SELECT count(*) FROM changes")" "$changes1"
rm -f cases-b.csv

### A changed row changes only its case.
sed 's/^ASB-2,Open - Enquiry,/ASB-2,Open - Case,/' cases.csv >cases-2.csv
run "a changed row" 3 import --mapping map.conf cases-2.csv
expect_out "a changed row: one changed" "cases: 0 new, 1 changed, 2 unchanged; 5 rows rejected"
same "a changed row: only its case in the change log" \
	"$(q "SELECT group_concat(c.ref) FROM changes g JOIN cases c ON c.id = g.case_id WHERE g.seq > (SELECT max(seq) FROM changes) - 1")" "ASB-2"
same "a changed row: one more entry in the change log" "$(q "SELECT count(*) FROM changes")" "$((changes1 + 1))"

### Parties with roles from flag columns, events naming their party.
crlf >contacts.csv <<'EOF'
Case Ref,Contact ID,Name,Victim?,Complainant?,Witness?
ASB-1,C1,Mrs A,Y,Y,N
ASB-1,C2,Mr B,N,N,yes
ASB-2,C3,Ms C,N,N,N
ASB-9,C4,Mr D,Y,N,N
EOF
run "parties: one without a role, one of an unknown case" 3 import --mapping map.conf contacts.csv
expect_err "parties: the two rejected rows" \
'rejected: contacts.csv:4: column "Victim?, Complainant?, Witness?": no role: the party holds none of the roles the mapping reads
rejected: contacts.csv:5: column "Case Ref": no case has the reference "ASB-9"'
same "parties: roles from the flag columns" \
	"$(q "SELECT c.ref, p.label, p.role, coalesce(p.roles, '') FROM parties p JOIN cases c ON c.id = p.case_id ORDER BY p.label")" \
	"ASB-1|Mr B|witness|
ASB-1|Mrs A|victim|complainant"

crlf >actions.csv <<'EOF'
Action ID,Case Ref,Contact ID,Date,Time,Type,How
A1,ASB-1,C1,20/11/2026,10:00,Phone call,TEL
A2,ASB-1,,21/11/2026,09:00,Accepted,
A3,ASB-2,C1,21/11/2026,11:00,Letter,LTR
A4,ASB-1,C1,21/11/2026,12:00,Visit,TEL
EOF
run "events: a party of another case, a kind with no translation" 3 import --mapping map.conf actions.csv
expect_err "events: the two rejected rows" \
'rejected: actions.csv:4: column "Contact ID": the party is a party of another case
rejected: actions.csv:5: column "Type": "Visit" has no translation in the mapping'"'"'s values for kind'
same "events: as imported" \
	"$(q "SELECT c.ref, e.at, e.kind, coalesce(e.channel, ''), coalesce(p.label, '') FROM events e JOIN cases c ON c.id = e.case_id LEFT JOIN parties p ON p.id = e.party_id ORDER BY e.at")" \
	"ASB-1|2026-11-20T10:00:00Z|contact|phone|Mrs A
ASB-1|2026-11-21T09:00:00Z|accepted||"

### Two sources into one table keep their keys apart; a party named by
### two columns, one of them empty, is no party.
cat >map-two.conf <<'EOF'
sources = (
  { match = "two-cases*.csv"; into = "cases"; key = "Ref";
    columns = { ref = "Ref"; received_at = "Received"; }; },
  { match = "two-people*.csv"; into = "parties"; key = [ "Ref", "No" ];
    columns = { case = "Ref"; role = "Role"; }; },
  { match = "calls*.csv"; into = "events"; key = "ID";
    columns = { case = "Ref"; party = [ "Ref", "No" ]; at = "When"; }; set = { kind = "contact"; channel = "phone"; }; },
  { match = "letters*.csv"; into = "events"; key = "ID";
    columns = { case = "Ref"; party = [ "Ref", "No" ]; at = "When"; }; set = { kind = "contact"; channel = "letter"; }; }
);
EOF
printf 'Ref,Received\nTWO-1,20/11/2026 09:00\n' >two-cases.csv
printf 'Ref,No,Role\nTWO-1,1,victim\n' >two-people.csv
printf 'ID,Ref,No,When\n1,TWO-1,1,20/11/2026 10:00\n2,TWO-1,,20/11/2026 11:00\n' >calls.csv
printf 'ID,Ref,No,When\n1,TWO-1,1,21/11/2026 10:00\n' >letters.csv
run "two sources into events" 0 import --mapping map-two.conf two-cases.csv two-people.csv calls.csv letters.csv
expect_out "two sources into events: three events" \
	"cases: 1 new, 0 changed, 0 unchanged; parties: 1 new, 0 changed, 0 unchanged; events: 3 new, 0 changed, 0 unchanged; 0 rows rejected"
same "two sources: each event kept, the party empty where its number is" \
	"$(q "SELECT e.at, e.channel, coalesce(e.party_id, '-') FROM events e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'TWO-1' ORDER BY e.at")" \
	"2026-11-20T10:00:00Z|phone|$(q "SELECT p.id FROM parties p JOIN cases c ON c.id = p.case_id WHERE c.ref = 'TWO-1'")
2026-11-20T11:00:00Z|phone|-
2026-11-21T10:00:00Z|letter|$(q "SELECT p.id FROM parties p JOIN cases c ON c.id = p.case_id WHERE c.ref = 'TWO-1'")"
changes2=$(q "SELECT count(*) FROM changes")
run "two sources again" 0 import --mapping map-two.conf two-cases.csv two-people.csv calls.csv letters.csv
expect_out "two sources again: all unchanged" \
	"cases: 0 new, 0 changed, 1 unchanged; parties: 0 new, 0 changed, 1 unchanged; events: 0 new, 0 changed, 3 unchanged; 0 rows rejected"
same "two sources again: nothing in the change log" "$(q "SELECT count(*) FROM changes")" "$changes2"

### Several files at once, given in any order: tables first.
run "all three, events first on the command line" 3 import --mapping map.conf actions.csv contacts.csv cases-2.csv
expect_out "all three: tables first, all unchanged" \
	"cases: 0 new, 0 changed, 3 unchanged; parties: 0 new, 0 changed, 2 unchanged; events: 0 new, 0 changed, 2 unchanged; 9 rows rejected"

### A file-level problem imports nothing, and leaves the file as it was.
hash1=$(file_hash)
dump1=$(snapshot)
printf 'Case Ref,Status,Date Received,Officer,Hate\r\nASB-7,Closed,23/11/2026,o1,N\r\n' >cases-nocol.csv
run "a mapped column missing from the header" 1 import --mapping map.conf contacts.csv cases-nocol.csv
expect_err "the missing column named, with the mapping's line" \
	"cases-nocol.csv:1: column \"Time Received\" (the mapping's line 12) is not in the header: nothing imported"
same "nothing imported: the database file is byte-identical" "$(file_hash)" "$hash1"
run "a file no source matches" 1 import --mapping map.conf other.csv
expect_err "the file's name is told" \
	'other.csv: no source of the mapping matches the file name "other.csv": nothing imported'
run "an unreadable file" 1 import --mapping map.conf cases-missing.csv
expect_err "the file's problem is told" "cases-missing.csv: No such file or directory: nothing imported"
printf 'Case Ref,Status\r\n"ASB-8,Closed\r\n' >cases-open.csv
run "a file that is not CSV" 1 import --mapping map.conf cases-open.csv
same "nothing imported: still byte-identical" "$(file_hash)" "$hash1"
same "nothing imported: the same rows" "$(snapshot)" "$dump1"

### Windows-1252: the pound sign and curly quotes become UTF-8.
cat >map-1252.conf <<'EOF'
encoding = "windows-1252";
sources = ( {
  match = "teams*.csv"; into = "teams"; key = "Code";
  columns = { id = "Code"; name = "Name"; };
} );
EOF
printf 'Code,Name\r\nT1,\243 \223East\224 team\r\nT2,Si\342n O\222Neill\r\n' >teams.csv
run "Windows-1252" 0 import --mapping map-1252.conf teams.csv
same "Windows-1252: as UTF-8" "$(q "SELECT id || '=' || name FROM teams ORDER BY id")" \
	"T1=£ “East” team
T2=Siân O’Neill"
printf 'Code,Name\r\nT3,Caf\351\r\n' >teams-latin.csv
cat >map-utf8teams.conf <<'EOF'
sources = ( { match = "teams*.csv"; into = "teams"; key = "Code"; columns = { id = "Code"; name = "Name"; }; } );
EOF
run "a byte that is not UTF-8" 3 import --mapping map-utf8teams.conf teams-latin.csv
expect_err "the row is rejected with a hint" \
	'rejected: teams-latin.csv:2: column "Name": not valid UTF-8 (is the export Windows-1252? say encoding = "windows-1252")'

### Snapshots: rows not in the export are deleted, unless it looks cut short.
cat >map-snap.conf <<'EOF'
sources = ( {
  match = "officers*.csv"; into = "officers"; key = "Id"; snapshot = true;
  columns = { id = "Id"; name = "Name"; };
} );
EOF
printf 'Id,Name\no1,One\no2,Two\no3,Three\no4,Four\n' >officers.csv
run "snapshot: the first export" 0 import --mapping map-snap.conf officers.csv
printf 'Id,Name\no1,One\no2,Two\no3,Three\n' >officers-2.csv
run "snapshot: one officer gone" 0 import --mapping map-snap.conf officers-2.csv
expect_out "snapshot: one deleted" "officers: 0 new, 0 changed, 3 unchanged, 1 deleted; 0 rows rejected"
printf 'Id,Name\no1,One\n' >officers-3.csv
run "snapshot: an export cut short is refused" 1 import --mapping map-snap.conf officers-3.csv
expect_err "snapshot: the guard says why" \
	"officers-3.csv: a snapshot of 1 officers where the database has 3 from earlier imports: fewer than snapshot_min (0.5) of them, so the export looks cut short; nothing imported"
printf 'Id,Name\n' >officers-4.csv
run "snapshot: an empty export is refused" 1 import --mapping map-snap.conf officers-4.csv
same "snapshot: the officers kept" "$(q "SELECT group_concat(id) FROM (SELECT id FROM officers ORDER BY id)")" "o1,o2,o3"

### An officer's id changed by the export (keyed by payroll number): the
### row follows, and the next import finds it by its key.
cat >map-payroll.conf <<'EOF'
sources = ( { match = "staff*.csv"; into = "officers"; key = "Payroll"; columns = { id = "Login"; name = "Name"; }; } );
EOF
printf 'Payroll,Login,Name\n100,jsmith,J Smith\n' >staff.csv
run "payroll: the first export" 0 import --mapping map-payroll.conf staff.csv
printf 'Payroll,Login,Name\n100,jsmith2,J Smith\n' >staff-2.csv
run "payroll: the login changed" 0 import --mapping map-payroll.conf staff-2.csv
expect_out "payroll: the same officer changed" "officers: 0 new, 1 changed, 0 unchanged; 0 rows rejected"
run "payroll: again" 0 import --mapping map-payroll.conf staff-2.csv
expect_out "payroll: found by its key, unchanged" "officers: 0 new, 0 changed, 1 unchanged; 0 rows rejected"
same "payroll: one officer, under the new login" "$(q "SELECT group_concat(id) FROM officers WHERE name = 'J Smith'")" "jsmith2"

### An empty field of a column with a default: the default, not a refusal.
cat >map-risk.conf <<'EOF'
sources = ( { match = "risk*.csv"; into = "cases"; key = "Ref";
  columns = { ref = "Ref"; received_at = "Received"; risk = "Risk"; }; } );
EOF
printf 'Ref,Received,Risk\nRISK-1,20/11/2026 09:00,\nRISK-2,20/11/2026 09:00,high\n' >risk.csv
run "an empty risk" 0 import --mapping map-risk.conf risk.csv
same "an empty risk: the default" "$(q "SELECT ref || '=' || risk FROM cases WHERE ref GLOB 'RISK-*' ORDER BY ref")" "RISK-1=standard
RISK-2=high"

### The case database's CHECKs: the import leaves them out of its own
### transaction, so it must refuse whatever they would. Values with no
### values list, passed through as they are, of every column a CHECK
### covers; the CHECKs, run afterwards (integrity_check runs them on
### every row), all hold.
cat >map-raw.conf <<'EOF'
sources = (
  { match = "raw-cases*.csv"; into = "cases"; key = "Ref";
    columns = { ref = "Ref"; received_at = "Received"; stage = "Stage"; risk = "Risk"; serious = "Serious"; }; },
  { match = "raw-people*.csv"; into = "parties"; key = "No";
    columns = { case = "Ref"; role = "Role"; roles = "Roles"; preferred_channel = "Prefers";
                identified_at = "Identified"; }; },
  { match = "raw-actions*.csv"; into = "events"; key = "ID";
    columns = { case = "Ref"; at = "When"; kind = "Kind"; channel = "How"; detail = "Detail"; }; }
);
EOF
cat >raw-cases.csv <<'EOF'
Ref,Received,Stage,Risk,Serious
RAW-1,20/11/2026 09:00,case,high,1
RAW-2,20/11/2026 09:00,Pending,,
RAW-3,20/11/2026 09:00,,HIGH,
RAW-4,20/11/2026,,,0
RAW-5,2026-11-20T09:00:00Z,,,
RAW-6,20/11/2026 09:00,,,yes
EOF
cat >raw-people.csv <<'EOF'
No,Ref,Role,Roles,Prefers,Identified
1,RAW-1,victim,witness; referrer,phone,20/11/2026 10:00
2,RAW-1,king,,,
3,RAW-1,,victim/knave,,
4,RAW-1,witness,,fax,
5,RAW-1,witness,,,31/02/2026 10:00
EOF
cat >raw-actions.csv <<'EOF'
ID,Ref,When,Kind,How,Detail
1,RAW-1,20/11/2026 11:00,risk,,high
2,RAW-1,20/11/2026 11:00,risk,,
3,RAW-1,20/11/2026 11:00,risk,,severe
4,RAW-1,20/11/2026 11:00,contact,fax,
5,RAW-1,20/11/2026 11:00,visit,,
6,RAW-1,20/11/2026 11:00,contact,phone,anything goes
EOF
run "values passed through: the ones no CHECK allows rejected (exit 3)" 3 \
	import --mapping map-raw.conf raw-cases.csv raw-people.csv raw-actions.csv
expect_out "values passed through: the summary" \
	"cases: 2 new, 0 changed, 0 unchanged; parties: 1 new, 0 changed, 0 unchanged; events: 3 new, 0 changed, 0 unchanged; 11 rows rejected"
expect_err "values passed through: each refused with its column" \
'rejected: raw-cases.csv:3: column "Stage": "Pending" is not a stage casewatch knows (a values list can translate it)
rejected: raw-cases.csv:4: column "Risk": "HIGH" is not a risk casewatch knows (a values list can translate it)
rejected: raw-cases.csv:6: column "Received": "2026-11-20T09:00:00Z" is not a time written as "%d/%m/%Y %H:%M"
rejected: raw-cases.csv:7: column "Serious": "yes" is not 0 or 1 for serious (a values list can translate it)
rejected: raw-people.csv:3: column "Role": "king" is not a role casewatch knows (victim, complainant, witness, perpetrator, referrer; a values list can translate it)
rejected: raw-people.csv:4: column "Roles": "victim/knave" is not a role casewatch knows (victim, complainant, witness, perpetrator, referrer; a values list can translate it)
rejected: raw-people.csv:5: column "Prefers": "fax" is not a preferred_channel casewatch knows (a values list can translate it)
rejected: raw-people.csv:6: column "Identified": "31/02/2026 10:00" is no such date or time
rejected: raw-actions.csv:4: column "Detail": "severe" is not a risk casewatch knows, and a risk event'"'"'s detail is the new risk (a values list can translate it)
rejected: raw-actions.csv:5: column "How": "fax" is not a channel casewatch knows (a values list can translate it)
rejected: raw-actions.csv:6: column "Kind": "visit" is not a kind casewatch knows (a values list can translate it)'
same "values passed through: the rows written" \
	"$(q "SELECT ref, stage, risk, serious, received_at FROM cases WHERE ref GLOB 'RAW-*' ORDER BY ref;
	      SELECT role, roles, preferred_channel, identified_at FROM parties WHERE roles = 'witness, referrer';
	      SELECT e.kind, coalesce(e.channel, '-'), coalesce(e.detail, '-') FROM events e JOIN cases c ON c.id = e.case_id
	      WHERE c.ref = 'RAW-1' ORDER BY e.id")" \
	"RAW-1|case|high|1|2026-11-20T09:00:00Z
RAW-4|enquiry|standard|0|2026-11-20T00:00:00Z
victim|witness, referrer|phone|2026-11-20T10:00:00Z
risk|-|high
risk|-|-
contact|phone|anything goes"
# An event already written, changed into a risk event with a detail that
# is no risk: refused (an update), as a new one is.
sed 's/^6,RAW-1,20\/11\/2026 11:00,contact,phone,/6,RAW-1,20\/11\/2026 11:00,risk,,/' raw-actions.csv >raw-actions-2.csv
run "an event changed into a risk event with no risk" 3 import --mapping map-raw.conf raw-actions-2.csv
expect_out "an event changed into a risk event: refused, the rest unchanged" \
	"events: 0 new, 0 changed, 2 unchanged; 4 rows rejected"
same "every CHECK of the case database holds" "$(q 'PRAGMA integrity_check')" "ok"
# A constant that no CHECK allows is refused with the mapping.
sed 's/channel = "How"; detail = "Detail"; }; }/detail = "Detail"; }; set = { channel = "fax"; }; }/' \
	map-raw.conf >map-raw-set.conf
run "a constant that is not a channel" 1 import --mapping map-raw-set.conf raw-actions.csv
same "a constant that is not a channel: told" "$(grep -c "'fax' is not a channel" "$T/err")" 1
# A CHECK of the council's own (here, of a table a trigger writes): the
# import cannot know what it says, so SQLite runs every CHECK, as always.
q "CREATE TABLE council_audit (detail TEXT CHECK (length(detail) < 10));
   CREATE TRIGGER council_audit AFTER INSERT ON events BEGIN INSERT INTO council_audit VALUES (NEW.detail); END"
printf 'ID,Ref,When,Kind,How,Detail\n7,RAW-1,20/11/2026 12:00,contact,phone,a long detail\n8,RAW-1,20/11/2026 12:00,contact,phone,short\n' \
	>raw-actions-3.csv
run "a CHECK of the council's" 3 import --mapping map-raw.conf raw-actions-3.csv
expect_err "a CHECK of the council's: the row refused by the database" \
	'rejected: raw-actions-3.csv:2: the case database refuses the row: CHECK constraint failed: length(detail) < 10'
same "a CHECK of the council's: the other row written" "$(q "SELECT group_concat(detail) FROM council_audit")" "short"
q "DROP TRIGGER council_audit; DROP TABLE council_audit"

### The command line.
run "no mapping" 2 import cases.csv
run "no file" 2 import --mapping map.conf
run "an unknown option" 2 import --mapping map.conf --frobnicate cases.csv
printf 'sources = ( { match = "x"; into = "nothing"; key = "K"; } );\n' >bad-map.conf
run "a mapping with a problem" 1 import --mapping bad-map.conf cases.csv

### A row deleted by hand comes back; a party with events does not move.
cat >map-move.conf <<'EOF'
sources = (
  { match = "mcases*.csv"; into = "cases"; key = "Ref";
    columns = { ref = "Ref"; received_at = "Received"; }; },
  { match = "mparties*.csv"; into = "parties"; key = "Id";
    columns = { case = "Ref"; role = "Role"; }; },
  { match = "mevents*.csv"; into = "events"; key = "Id";
    columns = { case = "Ref"; party = "Party"; at = "At"; kind = "Kind"; channel = "How"; }; }
);
EOF
printf 'Ref,Received\nMV-1,02/11/2026 10:00\nMV-2,03/11/2026 10:00\n' >mcases.csv
printf 'Id,Ref,Role\np1,MV-1,victim\np2,MV-1,witness\n' >mparties.csv
printf 'Id,Ref,Party,At,Kind,How\ne1,MV-1,p1,04/11/2026 09:00,contact,phone\n' >mevents.csv
run "move: the first export" 0 import --mapping map-move.conf mcases.csv mparties.csv mevents.csv
q "DELETE FROM events WHERE case_id = (SELECT id FROM cases WHERE ref = 'MV-1')"
run "a row deleted by hand: imported again" 0 import --mapping map-move.conf mevents.csv
expect_out "it comes back as new" "events: 1 new, 0 changed, 0 unchanged; 0 rows rejected"
same "it is there again" "$(q "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'MV-1'")" 1
run "the same again: unchanged" 0 import --mapping map-move.conf mevents.csv
expect_out "unchanged" "events: 0 new, 0 changed, 1 unchanged; 0 rows rejected"
printf 'Id,Ref,Role\np1,MV-2,victim\np2,MV-2,witness\n' >mparties-2.csv
run "parties moved to another case" 3 import --mapping map-move.conf mparties-2.csv
expect_out "the one without events moves" "parties: 0 new, 1 changed, 0 unchanged; 1 row rejected"
expect_err "the one with events is refused, and why" \
	'rejected: mparties-2.csv:2: column "Ref": the party is of case MV-1, whose events name it: a party with events cannot move to another case (correct it in the case database by hand)'
same "p1 stays with MV-1, p2 is with MV-2" \
	"$(q "SELECT group_concat(c.ref, ' ') FROM parties p JOIN cases c ON c.id = p.case_id WHERE c.ref GLOB 'MV-*' ORDER BY p.id")" "MV-1 MV-2"

### A key repeated in one file, for rows the file adds and a row it found:
### each repeat refused with the line of the row written (REP-2's notes
### span lines 3 and 4).
cat >cases-rep.csv <<'EOF'
Case Ref,Status,Date Received,Time Received,Officer,Hate,Notes
REP-1,Open - Case,20/11/2026,09:05,o1,N,
REP-2,Open - Case,20/11/2026,09:05,o1,N,"two
lines"
ASB-1,Open - Case,20/11/2026,09:05,o1,N,
REP-3,Open - Case,20/11/2026,09:05,o1,N,
REP-2,Closed,20/11/2026,09:05,o1,N,
REP-3,Closed,20/11/2026,09:05,o1,N,
ASB-1,Closed,20/11/2026,09:05,o1,N,
REP-1,Closed,20/11/2026,09:05,o1,N,
EOF
repeats='rejected: cases-rep.csv:7: column "Case Ref": the same key as line 3: the row is left out
rejected: cases-rep.csv:8: column "Case Ref": the same key as line 6: the row is left out
rejected: cases-rep.csv:9: column "Case Ref": the same key as line 5: the row is left out
rejected: cases-rep.csv:10: column "Case Ref": the same key as line 2: the row is left out'
run "a key repeated in one file" 3 import --mapping map.conf cases-rep.csv
expect_out "a key repeated in one file: the first of each read" "cases: 3 new, 0 changed, 1 unchanged; 4 rows rejected"
expect_err "a key repeated in one file: each repeat with the line of the first" "$repeats"
same "a key repeated in one file: the first of each written" \
	"$(q "SELECT ref, stage FROM cases WHERE ref GLOB 'REP-*' ORDER BY ref")" "REP-1|case
REP-2|case
REP-3|case"
run "a key repeated in one file, again" 3 import --mapping map.conf cases-rep.csv
expect_out "again: the first of each unchanged" "cases: 0 new, 0 changed, 4 unchanged; 4 rows rejected"
expect_err "again: the same repeats refused" "$repeats"

### New events are written many at a time: a row the database refuses
### among them (no time: NOT NULL), one the import refuses, repeats of a
### key written with others and of one waiting to be, each told in order,
### the rest written.
awk 'BEGIN { print "Action ID,Case Ref,Contact ID,Date,Time,Type,How";
	for (i = 1; i <= 70; i++) {
		id = i == 65 ? "B40" : i == 69 ? "B68" : "B" i
		if (i == 10) printf "%s,ASB-1,,,,Accepted,\n", id
		else if (i == 66) printf "%s,ASB-1,,22/11/2026,10:00,Visit,\n", id
		else printf "%s,ASB-1,,22/11/2026,%02d:%02d,Phone call,TEL\n", id, 10 + int(i / 60), i % 60
	} }' >actions-many.csv
many='rejected: actions-many.csv:11: the case database refuses the row: NOT NULL constraint failed: events.at
rejected: actions-many.csv:66: column "Action ID": the same key as line 41: the row is left out
rejected: actions-many.csv:67: column "Type": "Visit" has no translation in the mapping'"'"'s values for kind
rejected: actions-many.csv:70: column "Action ID": the same key as line 69: the row is left out'
changes_before=$(q "SELECT max(seq) FROM changes")
run "many events" 3 import --mapping map.conf actions-many.csv
expect_out "many events: the summary" "events: 66 new, 0 changed, 0 unchanged; 4 rows rejected"
expect_err "many events: each refused row in order" "$many"
same "many events: each written once, with its own time" \
	"$(q "SELECT count(*), count(DISTINCT at), min(at), max(at) FROM events WHERE at GLOB '2026-11-22T1[01]:*'")" \
	"66|66|2026-11-22T10:01:00Z|2026-11-22T11:10:00Z"
same "many events: the keys find them" \
	"$(q "SELECT count(*) FROM import_keys k JOIN events e ON e.id = k.row_id WHERE k.tbl = 'events' AND k.key GLOB 'B*' AND e.at = '2026-11-22T' || printf('%02d:%02d', 10 + CAST(substr(k.key, 2) AS INTEGER) / 60, CAST(substr(k.key, 2) AS INTEGER) % 60) || ':00Z'")" 66
same "many events: one change logged each" "$(q "SELECT max(seq) FROM changes")" "$((changes_before + 66))"
run "many events again" 3 import --mapping map.conf actions-many.csv
expect_out "many events again: all unchanged" "events: 0 new, 0 changed, 66 unchanged; 4 rows rejected"
expect_err "many events again: the same rows refused" "$many"
same "many events again: nothing in the change log" "$(q "SELECT max(seq) FROM changes")" "$((changes_before + 66))"
# The same rows last to first: each repeat's first row is now the later
# one (B68 at 11:09, B40 at 11:05), and changes its event.
{ head -n 1 actions-many.csv; tail -n +2 actions-many.csv | sed -n '1!G;h;$p'; } >actions-rev.csv
run "many events, last to first" 3 import --mapping map.conf actions-rev.csv
expect_out "last to first: two changed" "events: 0 new, 2 changed, 64 unchanged; 4 rows rejected"
expect_err "last to first: each refused row in order" \
'rejected: actions-rev.csv:4: column "Action ID": the same key as line 3: the row is left out
rejected: actions-rev.csv:6: column "Type": "Visit" has no translation in the mapping'"'"'s values for kind
rejected: actions-rev.csv:32: column "Action ID": the same key as line 7: the row is left out
rejected: actions-rev.csv:62: the case database refuses the row: NOT NULL constraint failed: events.at'
same "last to first: the two changed events" \
	"$(q "SELECT k.key, e.at FROM import_keys k JOIN events e ON e.id = k.row_id WHERE k.tbl = 'events' AND k.key IN ('B40', 'B68') ORDER BY k.key")" \
	"B40|2026-11-22T11:05:00Z
B68|2026-11-22T11:09:00Z"
same "last to first: their two changes logged" "$(q "SELECT max(seq) FROM changes")" "$((changes_before + 68))"

### Ids at the edges, and a council's own trigger (then no rows are batched).
"$CASEWATCH" db init edge.db >/dev/null
printf 'database = "edge.db";\nstate = "edge-state.db";\nrules = [ ];\n' >edge.conf
cat >map-edge.conf <<'EOF'
sources = (
  { match = "ecases*.csv"; into = "cases"; key = "Ref";
    columns = { ref = "Ref"; received_at = "Received"; }; },
  { match = "eevents*.csv"; into = "events"; key = "Id";
    columns = { case = "Ref"; at = "At"; kind = "Kind"; channel = "How"; detail = "Detail"; }; }
);
EOF
eq() { sqlite3 -batch -cmd '.timeout 10000' edge.db "$1" </dev/null; }
eimport() { "$CASEWATCH" -c edge.conf import --mapping map-edge.conf "$@"; }
# The largest id there is: SQLite gives new rows ids at random below it.
eq "INSERT INTO cases (id, ref, received_at) VALUES (9223372036854775807, 'HUGE', '2026-11-01T10:00:00Z')"
printf 'Ref,Received\nHG-1,02/11/2026 10:00\nHG-1,03/11/2026 10:00\nHG-2,02/11/2026 10:00\nHG-2,03/11/2026 10:00\n' >ecases-1.csv
run "the largest id there is: a repeated key is still refused" 3 eimport ecases-1.csv
expect_out "two new, two refused" "cases: 2 new, 0 changed, 0 unchanged; 2 rows rejected"
same "each first row kept" "$(eq "SELECT group_concat(substr(received_at, 1, 10), ' ') FROM (SELECT received_at FROM cases WHERE ref GLOB 'HG-*' ORDER BY ref)")" \
	"2026-11-02 2026-11-02"
# Only negative ids in a table.
eq "INSERT INTO events (id, case_id, at, kind) VALUES (-100, 9223372036854775807, '2026-11-02T09:00:00Z', 'contact')"
awk 'BEGIN { print "Id,Ref,At,Kind,How,Detail"; for (i = 1; i <= 40; i++) printf "n%d,HG-1,04/11/2026 09:00,contact,phone,ok\n", i }' >eevents-1.csv
run "a table with only negative ids: imported" 0 eimport eevents-1.csv
expect_out "forty new" "events: 40 new, 0 changed, 0 unchanged; 0 rows rejected"
# A council's trigger that refuses a row with FAIL (the rows before it in
# its statement stay): each row is written, and the one refused told.
eq "CREATE TRIGGER council_refuse BEFORE INSERT ON events WHEN NEW.detail = 'refuse' BEGIN SELECT RAISE(FAIL, 'refused by the council'); END"
changes=$(eq "SELECT count(*) FROM changes")
awk 'BEGIN { print "Id,Ref,At,Kind,How,Detail"; for (i = 1; i <= 40; i++) printf "t%d,HG-2,04/11/2026 09:00,contact,phone,%s\n", i, i == 10 ? "refuse" : "ok" }' >eevents-2.csv
run "a council's trigger refuses one row of forty" 3 eimport eevents-2.csv
expect_out "39 new, 1 refused" "events: 39 new, 0 changed, 0 unchanged; 1 row rejected"
same "the refused row told once" "$(grep -c 'eevents-2.csv:11: the case database refuses the row: refused by the council' "$T/err")" 1
same "39 events, no more" "$(eq "SELECT count(*) FROM events e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'HG-2'")" 39
same "39 changes logged, no more" "$(eq "SELECT count(*) FROM changes")" "$((changes + 39))"
same "every key to its own row" "$(eq "SELECT count(*) FROM import_keys k JOIN events e ON e.id = k.row_id WHERE k.tbl = 'events' AND k.key GLOB 't*' AND e.detail = 'ok'")" 39

### kill -9 at any moment: the database as before or as after.
awk 'BEGIN { print "Case Ref,Status,Date Received,Time Received,Officer,Hate,Notes";
	for (i = 1; i <= 60000; i++) printf "BIG-%06d,Open - Case,20/11/2026,09:05,o1,N,row %d\n", i, i }' >cases-big.csv
cases_before=$(q "SELECT count(*) FROM cases")
ms() { date +%s%3N; }
# Once whole, to know how long it takes; then killed at a fifth, two
# fifths, ... of that.
t0=$(ms)
run "a big import, whole" 0 import --mapping map.conf cases-big.csv
took=$(($(ms) - t0))
same "a big import: every row" "$(q "SELECT count(*) FROM cases")" "$((cases_before + 60000))"
echo "# the big import took $took ms"
unbig() { q "DELETE FROM cases WHERE ref GLOB 'BIG-*'; DELETE FROM import_keys WHERE tbl = 'cases' AND key GLOB 'BIG-*'"; }
unbig
mixed=0
for fifth in 1 2 3 4; do
	import --mapping map.conf cases-big.csv >/dev/null 2>&1 &
	pid=$!
	sleep "$(awk -v t="$took" -v f="$fifth" 'BEGIN { printf "%.3f", t * f / 5000 }')"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	n=$(q "SELECT count(*) FROM cases")
	if [ "$n" -ne "$cases_before" ] && [ "$n" -ne $((cases_before + 60000)) ]; then mixed=$((mixed + 1)); fi
	[ "$(q 'PRAGMA integrity_check')" = ok ] || mixed=$((mixed + 1))
	echo "# killed after $fifth fifths of the time: $n cases"
	[ "$n" -ne "$cases_before" ] && unbig
done
same "kill -9 mid-import: always before or after, never between" "$mixed" 0

done_testing

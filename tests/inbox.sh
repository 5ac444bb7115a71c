#!/bin/sh
# The import inbox under a real casewatchd (casewatchd(8), THE IMPORT
# INBOX): only complete files are read, a run imports them together, each
# is moved into done/ or failed/ with its report, a re-import after a crash
# changes nothing, a kill -9 mid-import leaves the case database as before
# or after; and stale data (import.max_age): notices that the missing rows
# could contradict are held, the managers are told once, and a fresh import
# lets the rest go. Every wait polls, with a generous bound.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/daemon-lib.sh"

cd "$T" || exit 1
db="$T/cases.db"
state="$T/state.db"
inbox="$T/inbox"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" <"$top_srcdir/examples/demo.sql"
cp "$top_srcdir/rules/leeds-asbu.conf" "$T/rules.conf"
mkdir "$inbox"

# A mapping for two plain exports: cases, and their contacts.
cat >map.conf <<'EOF'
sources = (
  { match = "cases*.csv"; into = "cases"; key = "Ref";
    columns = { ref = "Ref"; received_at = "Received"; stage = "Stage"; serious = "Serious";
                officer = "Officer"; team = "Team"; }; },
  { match = "contacts*.csv"; into = "events"; key = "Id";
    columns = { case = "Ref"; at = "At"; kind = "Kind"; channel = "How"; }; }
);
EOF
# Messages may go at any hour, so the managers' stale-data message is not
# waiting for a window; no digests but that one.
cat >casewatch.conf <<'EOF'
database = "cases.db";
state = "state.db";
rules = [ "rules.conf" ];
timezone = "Europe/London";
scan_interval = 1;
notify = {
  window = { days = "all"; from = "00:00"; to = "23:59"; };
  officer_digest = false;
  manager_digest = { every = "never"; };
};
import = { inbox = "inbox"; mapping = "map.conf"; max_age = "1 hour"; };
EOF

# put NAME: the file $T/NAME, finished, moved into the inbox as an export
# job does (written elsewhere, then renamed), dated a minute ago so that it
# counts as complete at once.
put() { touch -d '1 minute ago' "$T/$1" && mv "$T/$1" "$inbox/$1"; }
q1() { q "$db" "$1"; }
in_done() { [ -f "$inbox/done/$1" ] && [ ! -e "$inbox/$1" ]; }
in_failed() { [ -f "$inbox/failed/$1" ] && [ ! -e "$inbox/$1" ]; }
# wait_moved DIR NAME: until the file is in DIR and no longer in the inbox.
wait_moved() {
	_i=0
	until [ -f "$inbox/$1/$2" ] && [ ! -e "$inbox/$2" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
# mail_text FILE: the decoded headers and text part of a message.
mail_text() {
	"$PY" - "$1" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("Subject: %s" % m["Subject"])
print(m.get_body(preferencelist=("plain",)).get_content(), end="")
EOF
}
# decode_mail2: each message of the digests' Maildir as FILE.txt.
decode_mail2() { for f in "$T/mail2"/new/*; do mail_text "$f" >"$f.txt"; done; }
status_line() { grep ' STATUS=' "$T/$1.notify" | tail -n 1 | cut -d ' ' -f 2-; }

### 1. `check` covers the import group, mapping included.
cat >bad.conf <<'EOF'
database = "cases.db";
rules = [ "rules.conf" ];
import = { inbox = "inbox"; max_age = "10 minutes"; colour = 1; };
EOF
run "check: an import group without a mapping" 1 "$CASEWATCH" -c bad.conf check
expect_out "check: each problem with its line" "bad.conf:3: unknown setting 'colour' in import
bad.conf:3: import needs mapping = \"FILE\": how the exports' columns become casewatch's (casewatch-import(5))
bad.conf:3: import max_age must be between 1 hour and 30 days"
printf 'sources = ( { match = "x*.csv"; into = "nowhere"; key = "K"; } );\n' >badmap.conf
printf 'database = "cases.db";\nimport = { mapping = "badmap.conf"; max_age = false; };\n' >bad2.conf
run "check: a mapping that does not load" 1 "$CASEWATCH" -c bad2.conf check
if grep -q '^\(\./\)\{0,1\}badmap.conf:1: unknown table' "$T/out"; then ok "check: the mapping's problem by its own FILE:LINE"; else
	not_ok "check: the mapping's problem by its own FILE:LINE"
	show "$T/out" out
fi
run "check: the configuration with its inbox" 0 "$CASEWATCH" -c casewatch.conf check
sed 's|inbox = "inbox";|inbox = "no-such-inbox";|' casewatch.conf >noinbox.conf
run "check: an inbox that does not exist" 1 "$CASEWATCH" -c noinbox.conf check
expect_out "check: says so" "noinbox.conf: cannot read the import inbox ./no-such-inbox: No such file or directory"
mkdir open-inbox && chmod 0777 open-inbox
sed 's|inbox = "inbox";|inbox = "open-inbox";|' casewatch.conf >openinbox.conf
run "check: an inbox anyone may write, not sticky" 1 "$CASEWATCH" -c openinbox.conf check
expect_out "check: says what to do" "openinbox.conf: the import inbox ./open-inbox may be written by others but is not sticky: chmod +t it (casewatchd(8), THE IMPORT INBOX)"

### 2. Only complete files: names being written, links and new files wait.
cat >cases-1.csv <<'EOF'
Ref,Received,Stage,Serious,Officer,Team
IN-1,02/11/2026 10:00,case,0,mokafor,east
EOF
cp cases-1.csv "$inbox/.cases-1.csv"
cp cases-1.csv "$inbox/cases-2.csv.tmp"
cp cases-1.csv "$inbox/cases-3.csv.part"
cp cases-1.csv elsewhere.csv
ln -s "$T/elsewhere.csv" "$inbox/cases-link.csv"
sed 's/IN-1/IN-NEW/' cases-1.csv >"$inbox/cases-new.csv" # modified just now
put cases-1.csv
start_daemon main "$T/casewatch.conf" || not_ok "the daemon starts"
if wait_for ' READY=1$' "$T/main.notify"; then ok "READY=1 after start"; else
	not_ok "READY=1 after start"
	show "$T/main.log" log
fi
check "a complete file is imported and moved into done/" wait_moved done cases-1.csv
same "its case is in the case database" "$(q1 "SELECT officer || ' ' || team FROM cases WHERE ref = 'IN-1'")" "mokafor east"
same "the run is recorded" "$(q1 "SELECT files || ' ' || rows || ' ' || rejected FROM import_runs")" "cases-1.csv 1 0"
grep -qF "import: 1 file from $inbox: cases: 1 new, 0 changed, 0 unchanged; 0 rows rejected" "$T/main.log" &&
	ok "the log has the import's summary" || { not_ok "the log has the import's summary"; show "$T/main.log" log; }
# Three more scans, and the others are where they were.
n=$(lines "$T/main.log")
wait_count "$n" 3 'scan: ' "$T/main.log"
for f in .cases-1.csv cases-2.csv.tmp cases-3.csv.part cases-link.csv cases-new.csv; do
	check "left in the inbox: $f" test -e "$inbox/$f"
done
same "none of their cases imported" "$(q1 "SELECT count(*) FROM cases WHERE ref LIKE 'IN-%'")" 1
# The new file, once it has not changed for a while, is taken.
touch -d '1 minute ago' "$inbox/cases-new.csv"
check "a file left alone long enough is taken" wait_moved done cases-new.csv
check "the link stays: a link is never followed" test -L "$inbox/cases-link.csv"

### 3. What the export job's group could leave to mislead the daemon.
# A link swapped in for a file, and a hard link to one elsewhere: failed,
# unread. (The link in section 2 is never taken; this one is put where a
# file was listed, so it is: a link in the work folder is what a swap
# between the listing and the read would leave.)
stop_daemon main TERM
no_sanitizer main
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-SECRET,02/11/2026 10:00,case,0,mokafor,east\n' >secret.csv
ln -s "$T/secret.csv" "$inbox/.importing/cases-swapped.csv"
ln "$T/secret.csv" "$T/cases-hard.csv"
touch -d '1 minute ago' "$T/cases-hard.csv"
mv "$T/cases-hard.csv" "$inbox/"
start_daemon links "$T/casewatch.conf" || not_ok "the daemon starts again"
check "a link in the work folder: moved into failed/" wait_moved failed cases-swapped.csv
check "a hard link: moved into failed/" wait_moved failed cases-hard.csv
same "neither was read" "$(q1 "SELECT count(*) FROM cases WHERE ref = 'IN-SECRET'")" 0
same "the link's report" "$(cat "$inbox/failed/cases-swapped.csv.errors")" "$inbox/cases-swapped.csv: not a plain file"
same "the hard link's report" "$(cat "$inbox/failed/cases-hard.csv.errors")" \
	"$inbox/cases-hard.csv: it has other names (hard links): copy it instead"
check "the file linked to is as it was" test "$(cat secret.csv | wc -l)" -eq 2
# done/ replaced by a link: refused, nothing moved, said.
stop_daemon links TERM
no_sanitizer links
mv "$inbox/done" "$T/done.real"
mkdir "$T/elsewhere"
ln -s "$T/elsewhere" "$inbox/done"
cp cases-1.csv cases-x.csv 2>/dev/null || printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-1,02/11/2026 10:00,case,0,mokafor,east\n' >cases-x.csv
put cases-x.csv
start_daemon back "$T/casewatch.conf" || not_ok "the daemon starts with done/ a link"
if wait_for "import: $inbox/done is not a folder of this user's that only it may write: move it away" "$T/back.log"; then
	ok "done/ as a link: refused, and said"
else
	not_ok "done/ as a link: refused, and said"
	show "$T/back.log" log
fi
check "the file waits in the inbox" test -f "$inbox/cases-x.csv"
same "nothing went where the link points" "$(ls -A "$T/elsewhere")" ""
if wait_for 'STATUS=Import failing: .*is not a folder of this user' "$T/back.notify"; then ok "STATUS= says the import is failing"; else
	not_ok "STATUS= says the import is failing (got '$(status_line back)')"
fi
rm "$inbox/done"
mv "$T/done.real" "$inbox/done"
check "with done/ back, the file is taken" wait_moved done cases-x.csv
wait_for "import: the inbox works again after: $inbox/done is not a folder" "$T/back.log" &&
	ok "the log says it works again" || not_ok "the log says it works again"
# An inbox others may write, without the sticky bit: refused until it has it.
chmod 0775 "$inbox"
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-1,02/11/2026 10:00,case,0,mokafor,east\n' >cases-y.csv
put cases-y.csv
if wait_for "import: the import inbox $inbox may be written by others but is not sticky: chmod \\+t it" "$T/back.log"; then
	ok "a group-writable inbox that is not sticky: refused, and said"
else
	not_ok "a group-writable inbox that is not sticky: refused, and said"
	show "$T/back.log" log
fi
check "the file waits" test -f "$inbox/cases-y.csv"
chmod 1775 "$inbox"
check "once sticky, the file is taken" wait_moved done cases-y.csv

### 4. One run, tables first: contacts named before their cases.
cat >contacts-a.csv <<'EOF'
Id,Ref,At,Kind,How
c1,IN-2,03/11/2026 09:00,contact,phone
EOF
cat >cases-b.csv <<'EOF'
Ref,Received,Stage,Serious,Officer,Team
IN-2,02/11/2026 11:00,case,0,shughes,east
EOF
touch -d '1 minute ago' contacts-a.csv cases-b.csv
mv contacts-a.csv cases-b.csv "$inbox/"
check "both files moved into done/" sh -c "$(printf '%s' "
	i=0; until [ -f '$inbox/done/contacts-a.csv' ] && [ -f '$inbox/done/cases-b.csv' ]; do
		[ \$i -ge 300 ] && exit 1; sleep 0.1; i=\$((i + 1)); done")"
same "the contact found its case, imported in the same run" \
	"$(q1 "SELECT c.ref || ' ' || e.kind || ' ' || e.channel FROM events e JOIN cases c ON c.id = e.case_id WHERE c.ref = 'IN-2'")" \
	"IN-2 contact phone"
same "one run for the two" "$(q1 "SELECT files FROM import_runs ORDER BY id DESC LIMIT 1")" "cases-b.csv, contacts-a.csv"

# A file left in the work folder by a crash, and a new one of the same
# name in the inbox: the old is imported first, the new at the next scan.
# The daemon is stopped meanwhile, so that one scan finds both.
kill -STOP "$(cat "$T/back.dpid")"
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-OLD,02/11/2026 10:00,case,0,mokafor,east\n' >"$inbox/.importing/cases-same.csv"
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-NEWER,02/11/2026 10:00,case,0,mokafor,east\n' >cases-same.csv
put cases-same.csv
kill -CONT "$(cat "$T/back.dpid")"
# The new file leaves the inbox for .importing before its import commits:
# wait for its row, and for .importing to be empty again.
wait_newer() {
	_i=0
	until [ "$(q1 "SELECT count(*) FROM cases WHERE ref = 'IN-NEWER'")" = 1 ] &&
		[ -z "$(ls -A "$inbox/.importing")" ] && [ ! -e "$inbox/cases-same.csv" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
check "the new file of the same name is taken too, after" wait_newer
same "both were imported, the crash's first" \
	"$(q1 "SELECT group_concat(ref, ' ') FROM (SELECT ref FROM cases WHERE ref IN ('IN-OLD', 'IN-NEWER') ORDER BY id)")" "IN-OLD IN-NEWER"

### 5. A file that fails goes to failed/; rejected rows stay with their file.
cat >cases-c.csv <<'EOF'
Ref,Received,Stage,Serious,Officer,Team
IN-3,04/11/2026 10:00,case,0,mokafor,east
IN-4,31/11/2026 10:00,case,0,mokafor,east
EOF
printf 'Ref,Received\nIN-5,04/11/2026 10:00\n' >cases-d.csv
printf 'a,b\n1,2\n' >other.csv
touch -d '1 minute ago' cases-c.csv cases-d.csv other.csv
n=$(lines "$T/back.log")
mv cases-c.csv cases-d.csv other.csv "$inbox/"
check "the file with a missing column: moved into failed/" wait_moved failed cases-d.csv
check "the file no source matches: moved into failed/" wait_moved failed other.csv
check "the file with a bad row: moved into done/" wait_moved done cases-c.csv
same "its good row imported, the bad one not" "$(q1 "SELECT group_concat(ref, ' ') FROM cases WHERE ref IN ('IN-3', 'IN-4', 'IN-5')")" "IN-3"
same "the rejected row in done/cases-c.csv.errors" "$(cat "$inbox/done/cases-c.csv.errors")" \
	"rejected: $inbox/cases-c.csv:3: column \"Received\": \"31/11/2026 10:00\" is no such date or time"
head -n 1 "$inbox/failed/cases-d.csv.errors" | grep -q "^$inbox/cases-d.csv:1: column \"[A-Za-z]*\" (the mapping's line [0-9]*) is not in the header: nothing imported\$" &&
	ok "failed/cases-d.csv.errors names the missing column" ||
	{ not_ok "failed/cases-d.csv.errors names the missing column"; show "$inbox/failed/cases-d.csv.errors" report; }
same "failed/other.csv.errors: no source" "$(cat "$inbox/failed/other.csv.errors")" \
	"$inbox/other.csv: no source of the mapping matches the file name \"other.csv\": nothing imported"
wait_after "$n" "import: 1 file from $inbox: cases: 1 new" "$T/back.log"
for want in "import: cases-d.csv not imported, moved to $inbox/failed/: cases-d.csv:1: column" \
	"import: other.csv not imported, moved to $inbox/failed/: other.csv: no source" \
	"import: rejected: $inbox/cases-c.csv:3: column \"Received\"" \
	"import: 1 file from $inbox: cases: 1 new, 0 changed, 0 unchanged; 1 row rejected"; do
	after "$n" "$T/back.log" | grep -qF -- "$want" && ok "logged: $want" || not_ok "logged: $want"
done
if wait_for "STATUS=Last import at [0-9][0-9]:[0-9][0-9]: 2 files failed, 1 row rejected \\(see $inbox\\)\\. Scanned" \
	"$T/back.notify"; then ok "STATUS= tells what the last import got wrong"; else
	not_ok "STATUS= tells what the last import got wrong (got '$(status_line back)')"
fi

### 6. A crash between the import and the move: imported again, no change.
changes=$(q1 "SELECT count(*) FROM changes")
cases=$(q1 "SELECT count(*) FROM cases")
runs=$(q1 "SELECT count(*) FROM import_runs")
n=$(lines "$T/back.log")
cp "$inbox/done/cases-b.csv" "$inbox/done/contacts-a.csv" "$T/"
touch -d '1 minute ago' cases-b.csv contacts-a.csv
mv cases-b.csv contacts-a.csv "$inbox/"
if wait_after "$n" "import: 2 files from $inbox: cases: 0 new, 0 changed, 1 unchanged; events: 0 new, 0 changed, 1 unchanged; 0 rows rejected" "$T/back.log"; then
	ok "the same files again: all unchanged"
else
	not_ok "the same files again: all unchanged"
	show "$T/back.log" log
fi
check "moved into done/ again" wait_moved done cases-b.csv
same "nothing in the change log" "$(q1 "SELECT count(*) FROM changes")" "$changes"
same "no case added" "$(q1 "SELECT count(*) FROM cases")" "$cases"
same "the run is recorded: it landed" "$(q1 "SELECT count(*) FROM import_runs")" "$((runs + 1))"
if wait_for 'STATUS=Scanned' "$T/back.notify" && status_line back | grep -q '^STATUS=Scanned'; then
	ok "STATUS= drops the import note after a clean run"
else
	not_ok "STATUS= drops the import note after a clean run (got '$(status_line back)')"
fi
stop_daemon back TERM
same "the daemon stops with status 0" "$(cat "$T/back.status")" 0
no_sanitizer back

### 7. kill -9 in the middle of a big import: before or after, never between.
N=20000
awk -v n=$N 'BEGIN { print "Ref,Received,Stage,Serious,Officer,Team";
	for (i = 1; i <= n; i++) printf "BIG-%05d,05/11/2026 10:00,case,0,mokafor,east\n", i }' >cases-big.csv
before=$(q1 "SELECT count(*) FROM cases")
put cases-big.csv
start_daemon kill "$T/casewatch.conf" || not_ok "the daemon starts for the kill"
# Once it has the file open, or a moment after, whichever is first.
_i=0
until ls -l "/proc/$(cat "$T/kill.dpid")/fd" 2>/dev/null | grep -q 'cases-big.csv' || [ $_i -ge 50 ]; do
	sleep 0.02
	_i=$((_i + 1))
done
kill -KILL "$(cat "$T/kill.dpid")"
wait_file "$T/kill.status"
got=$(q1 "SELECT count(*) FROM cases")
if [ "$got" -eq "$before" ] || [ "$got" -eq $((before + N)) ]; then
	ok "killed: the case database as before or after ($got cases)"
else
	not_ok "killed: the case database as before or after (got $got, want $before or $((before + N)))"
fi
left=$(ls -A "$inbox" | grep -v '^done$\|^failed$\|^\.importing$\|^\.cases-1\.csv$\|^cases-2\.csv\.tmp$\|^cases-3\.csv\.part$\|^cases-link\.csv$\|^cases-big\.csv$' || :)
same "nothing of the daemon's left in the inbox itself" "$left" ""
where=$(ls "$inbox/cases-big.csv" "$inbox/.importing/cases-big.csv" "$inbox/done/cases-big.csv" 2>/dev/null)
case $where in
"$inbox/cases-big.csv" | "$inbox/.importing/cases-big.csv" | "$inbox/done/cases-big.csv")
	ok "the file is in one place: the inbox, the work folder or done/ (${where#"$inbox/"})" ;;
*) not_ok "the file is in one place: the inbox, the work folder or done/ (got '$where')" ;;
esac
start_daemon again "$T/casewatch.conf" || not_ok "the daemon starts again"
check "after the restart the file is imported and moved" wait_moved done cases-big.csv
same "every row once" "$(q1 "SELECT count(*) FROM cases WHERE ref LIKE 'BIG-%'")" $N
stop_daemon again TERM
no_sanitizer again

### 8. Stale data. Two serious cases whose phone call is owed: one went
### overdue (and escalated) long before the last import, one after it.
at_old=$(date -d '40 days ago' '+%Y-%m-%dT10:00:00Z')
at_new=$(date -d '10 days ago' '+%Y-%m-%dT10:00:00Z')
last=$(epoch "$(date -d '20 days ago' '+%Y-%m-%d 12:00:00Z')")
q1 "INSERT INTO cases (ref, stage, category, serious, officer, team, received_at) VALUES
	('ST-OLD', 'case', 'personal', 1, 'mokafor', 'east', '$at_old'),
	('ST-NEW', 'case', 'personal', 1, 'mokafor', 'east', '$at_new');
	UPDATE import_runs SET at = $last;"
start_daemon stale "$T/casewatch.conf" || not_ok "the daemon starts on stale data"
wait_for ' READY=1$' "$T/stale.notify"
# As the daemon writes a time: RFC 3339, local, Z for +00:00.
last_text=$(TZ=Europe/London date -d "@$last" '+%Y-%m-%dT%H:%M:%S%:z' | sed 's/+00:00$/Z/')
if wait_for "no import has landed since $last_text, longer than import.max_age \\(1 hour\\): the case data is stale" \
	"$T/stale.log"; then ok "the log says the data is stale"; else
	not_ok "the log says the data is stale"
	show "$T/stale.log" log
fi
# What the daemon holds: ST-NEW's overdue and escalated notifications.
held_sql="SELECT count(*) FROM outbox o JOIN cases c USING (case_id) WHERE c.ref = 'ST-NEW'
	AND o.status = 'pending' AND o.stage IN ('overdue', 'escalated')"
wait_for 'STATUS=STALE DATA' "$T/stale.notify"
n=$(lines "$T/stale.log")
wait_count "$n" 2 'scan: ' "$T/stale.log"
held=$(q "$state" "$held_sql")
[ "$held" -gt 0 ] && ok "ST-NEW's notifications are held ($held)" || not_ok "ST-NEW's notifications are held"
same "ST-NEW's are all of those held: nothing of ST-OLD waits" \
	"$(q "$state" "SELECT count(*) FROM outbox o JOIN cases c USING (case_id) WHERE c.ref = 'ST-OLD'
		AND o.status = 'pending' AND o.stage IN ('overdue', 'escalated')")" 0
status=$(status_line stale)
case $status in
"STATUS=STALE DATA: no import since $last_text; $held notice$([ "$held" -eq 1 ] || echo s) held. "*) ok "STATUS= says the data is stale and how many are held" ;;
*) not_ok "STATUS= says the data is stale and how many are held (got '$status', $held held)" ;;
esac
grep -c 'the case data is stale' "$T/stale.log" | grep -qx 1 && ok "said once in the log, not at every scan" ||
	not_ok "said once in the log, not at every scan"
# What went out: ST-OLD, and to each manager the stale-data digest; nothing
# about ST-NEW.
mail="$T/mail"
wait_sql "$state" "SELECT count(*) FROM messages WHERE kind = 'manager-digest' AND period = 'stale-$last' AND status = 'sent'" 2 &&
	ok "each of the two managers is told once" ||
	not_ok "each of the two managers is told once (got $got)"
check "ST-OLD's escalation went out" sh -c "grep -rlq 'ST-OLD' '$mail/new'"
if grep -rlq 'ST-NEW' "$mail/new"; then not_ok "nothing about ST-NEW went out"; else ok "nothing about ST-NEW went out"; fi
alert=
for f in "$mail"/new/*; do
	mail_text "$f" >"$T/text"
	grep -q '^Subject: casewatch: service standards, .*: case data out of date' "$T/text" && alert="$T/alert" &&
		mv "$T/text" "$alert" && break
done
if [ -n "$alert" ] && grep -q 'Warning: the case data has not been updated since' "$alert"; then
	ok "the managers' message says the data is out of date"
else
	not_ok "the managers' message says the data is out of date"
fi
[ -n "$alert" ] && grep -qF "Import: cases-d.csv: not imported, waiting in $inbox/failed: line 1: column" "$alert" &&
	ok "it lists the file waiting in failed/" || not_ok "it lists the file waiting in failed/"
# A run that rejects every row it reads brings no data: still stale.
n=$(lines "$T/stale.log")
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-1,2026-11-02 10:00,case,0,mokafor,east\n' >cases-allbad.csv
put cases-allbad.csv
wait_after "$n" 'import: 1 file from .*; 1 row rejected' "$T/stale.log"
n2=$(lines "$T/stale.log")
wait_count "$n2" 2 'scan: ' "$T/stale.log"
if after "$n" "$T/stale.log" | grep -q 'a fresh import landed'; then
	not_ok "an import that rejected every row does not end it"
else
	ok "an import that rejected every row does not end it"
fi
case $(status_line stale) in
STATUS=STALE*) ok "STATUS= still says stale" ;;
*) not_ok "STATUS= still says stale (got '$(status_line stale)')" ;;
esac
# A fresh import ends it: the held notifications go.
n=$(lines "$T/stale.log")
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-1,02/11/2026 10:00,case,0,mokafor,east\n' >cases-fresh.csv
put cases-fresh.csv
if wait_after "$n" 'import: a fresh import landed: held notices go out as the data now says' "$T/stale.log"; then
	ok "the log says fresh data arrived"
else
	not_ok "the log says fresh data arrived"
	show "$T/stale.log" log
fi
wait_sql "$state" "$held_sql" 0 && ok "the held notifications are no longer held" ||
	not_ok "the held notifications are no longer held ($got still pending)"
_i=0
until grep -rlq 'ST-NEW' "$mail/new" || [ $_i -ge $((WAIT * 10)) ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "ST-NEW's notices went out" sh -c "grep -rlq 'ST-NEW' '$mail/new'"
wait_for 'STATUS=Scanned' "$T/stale.notify"
case $(status_line stale) in
STATUS=STALE*) not_ok "STATUS= no longer says stale" ;;
*) ok "STATUS= no longer says stale" ;;
esac
stop_daemon stale TERM
no_sanitizer stale

### 9. The digests while the data is stale, at chosen moments (run --once
### --at): the officers' lists leave out what fell overdue since the last
### import, the managers' digest of the day says it, and no alert repeats it.
q1 "UPDATE import_runs SET at = $last"
cat >digest.conf <<'EOF'
database = "cases.db";
state = "digest.db";
maildir = "mail2";
rules = [ "rules.conf" ];
timezone = "Europe/London";
notify = { officer_digest = "08:00"; manager_digest = { every = "day"; time = "09:00"; }; };
import = { mapping = "map.conf"; max_age = "1 hour"; };
EOF
day=$("$CASEWATCH" -c digest.conf calendar add "$(TZ=Europe/London date +%F)" 1)
at() { TZ=Europe/London date -d "$day $1" '+%Y-%m-%dT%H:%M:%S%:z'; }
run "status --summary on stale data" 0 "$CASEWATCH" -c digest.conf status --summary --at "$(at 08:30)"
same "status --summary: when the last import landed, and stale" "$(sed -n 3p "$T/out")" \
	"import: last landed $last_text; STALE: overdue and escalated notices are held (import.max_age 1 hour)"
run "status --summary --json on stale data" 0 "$CASEWATCH" -c digest.conf status --summary --json --at "$(at 08:30)"
same "status --summary --json: the import member" "$(jq -c .import "$T/out")" \
	"{\"last\":\"$last_text\",\"max_age\":3600,\"stale\":true}"
run "08:30, stale: a scan" 0 "$CASEWATCH" -c digest.conf run --once --at "$(at 08:30)"
grep -q "^the case data is stale: no import since $last_text; " "$T/out" && ok "run --once says the data is stale" ||
	{ not_ok "run --once says the data is stale"; show "$T/out" out; }
grep -q '^composed: message [0-9]* to michael.okafor@example.gov.uk: officer digest: case data out of date, ' "$T/out" &&
	ok "08:30: the officer's digest says the data is out of date" ||
	{ not_ok "08:30: the officer's digest says the data is out of date"; show "$T/out" out; }
if grep -q 'manager digest' "$T/out"; then not_ok "08:30: no managers' message before the day's digest at 09:00"; else
	ok "08:30: no managers' message before the day's digest at 09:00"
fi
decode_mail2
off=$(grep -l '^Subject: casewatch: your cases on' "$T/mail2"/new/*.txt | xargs grep -l 'Good morning Michael Okafor' | head -n 1)
if [ -n "$off" ] && grep -q 'ST-OLD' "$off" && ! grep -q 'ST-NEW' "$off" &&
	grep -q '^Note: the case data has not been updated since' "$off"; then
	ok "the officer's digest: ST-OLD listed, ST-NEW held, and why"
else
	not_ok "the officer's digest: ST-OLD listed, ST-NEW held, and why"
	[ -n "$off" ] && show "$off" digest 30
fi
rm -f "$T/mail2"/new/*.txt
run "09:30, stale: a scan" 0 "$CASEWATCH" -c digest.conf run --once --at "$(at 09:30)"
n=$(grep -c 'manager digest: case data out of date, .*held until the data is fresh' "$T/out")
same "09:30: the day's digest to each manager, saying the data is out of date and what is held" "$n" 2
run "10:30, stale: a scan" 0 "$CASEWATCH" -c digest.conf run --once --at "$(at 10:30)"
same "no stale-data alert after the digest that said it" \
	"$(q digest.db "SELECT count(*) FROM messages WHERE kind = 'manager-digest'")" 2
decode_mail2
mgr=$(grep -l 'Subject: casewatch: service standards' "$T/mail2"/new/*.txt | xargs grep -l 'Team ASB Unit East' | head -n 1)
if [ -n "$mgr" ] && grep -q 'ST-OLD' "$mgr" && ! grep -q 'ST-NEW' "$mgr" &&
	grep -q '^Warning: the case data has not been updated since' "$mgr"; then
	ok "the managers' digest: ST-OLD listed, ST-NEW held, and why"
else
	not_ok "the managers' digest: ST-OLD listed, ST-NEW held, and why"
	[ -n "$mgr" ] && show "$mgr" digest 40
fi
rm -f "$T/mail2"/new/*.txt

### 10. A state database of version 2 (before reached_at, and before
### version 4's pruned_at) is upgraded.
sed -e '/^	reached_at INTEGER,$/d' -e '/^	pruned_at INTEGER /d' -e "/^		CHECK (pruned_at IS NULL OR status IN ('sent', 'dead')),\$/d" \
	-e '/^CREATE INDEX messages_to_prune /d' -e 's/^PRAGMA user_version = 10;$/PRAGMA user_version = 2;/' \
	-e 's/^	subject TEXT NOT NULL,$/&\n	body BLOB NOT NULL,/' -e '/^CREATE TABLE message_bodies (/,/^) STRICT;$/d' \
	-e '/^CREATE VIEW message_text AS$/,/;$/d' \
	"$top_srcdir/schema/state.sql" | sqlite3 -batch v2.db
same "a version 2 state database, made for the test" "$(q v2.db 'PRAGMA user_version')" 2
sed 's/^state = "state.db";$/state = "v2.db";/' casewatch.conf >v2.conf
run "run --once on it" 0 "$CASEWATCH" -c v2.conf run --once
same "upgraded to the current version, 10" "$(q v2.db 'PRAGMA user_version')" 10
same "the outbox has reached_at" "$(q v2.db "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'reached_at'")" 1

### 11. `casewatch import` takes the configuration's mapping.
printf 'Ref,Received,Stage,Serious,Officer,Team\nIN-9,06/11/2026 10:00,case,0,akhan,west\n' >cases-cli.csv
run "import without --mapping: the configuration's" 0 "$CASEWATCH" -c casewatch.conf import cases-cli.csv
expect_out "imported" "cases: 1 new, 0 changed, 0 unchanged; 0 rows rejected"
run "status --summary after it" 0 "$CASEWATCH" -c casewatch.conf status --summary
sed -n 3p "$T/out" | grep -q '^import: last landed [0-9T:+Z-]*; fresh (import.max_age 1 hour)$' &&
	ok "status --summary: fresh" || { not_ok "status --summary: fresh"; show "$T/out" out; }
"$CASEWATCH" db init empty.db >/dev/null
sed 's/^database = "cases.db";$/database = "empty.db";/' casewatch.conf >empty.conf
run "status --summary before any import" 0 "$CASEWATCH" -c empty.conf status --summary
same "status --summary: none yet, stale" "$(sed -n 3p "$T/out")" \
	"import: none has landed yet; STALE: overdue and escalated notices are held (import.max_age 1 hour)"
printf 'database = "cases.db";\n' >nomap.conf
run "import without --mapping or import.mapping" 2 "$CASEWATCH" -c nomap.conf import cases-cli.csv
expect_err "says what is missing" "casewatch: import needs --mapping FILE, or import.mapping in the configuration (see casewatch-import(5))
Usage: casewatch [-c FILE] import [--mapping MAPPING] [--dry-run] FILE...
Try 'casewatch import --help'."

done_testing

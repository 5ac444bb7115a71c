#!/bin/sh
# The monthly report (casewatchd(8), THE MONTHLY REPORT), end to end with
# `casewatch run --once` (its --at moves the clock) delivering to a real
# SMTP server (tests/smtp-server.py): when it goes (the first working day
# of the month, from its time of day; a later working day when the first
# was missed; never twice for a month), to whom (every team's manager,
# each address once, or notify.monthly_report.to), what it is (a
# multipart/mixed email, read back by Python's email parser: the text and
# HTML reports as `casewatch report` writes them at the same moment, and
# the CSV attached), false, the setting's errors in `casewatch check`, and
# the upgrade of a version 4 state database (which had no 'report' kind).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
SMTP_SERVER="$top_srcdir/tests/smtp-server.py"
need_python aiosmtpd.smtp
trap 'stop_servers; if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi' EXIT

# Two standards, a unit rule and a target; three teams: north and east
# share a manager, south has its own, west has none. Cases in October and
# November 2026 (worked through in sections 2 and 7), one closed, one with
# no officer.
cat >"$T/pack.conf" <<'EOF'
pack = "monthly-test";
rules = (
	{ id = "ack"; title = "Acknowledge within 3 working days"; kind = "deadline";
	  within = "3 working days"; met_by = { kind = "contact"; }; },
	{ id = "visit"; title = "Visit within 10 working days"; kind = "deadline";
	  within = "10 working days"; met_by = { kind = "contact"; channel = "visit"; }; },
	{ id = "jag"; title = "A JAG meeting every month"; kind = "unit"; meeting = "jag"; every = "1 month"; },
	{ id = "satisfaction"; title = "75% satisfied"; kind = "target"; measure = "satisfaction"; goal = "75%"; }
);
notify = { upcoming = false; due = false; overdue = false; escalated = false; };
EOF
"$CASEWATCH" db init "$T/cases.db" >/dev/null
sqlite3 -bail -batch "$T/cases.db" <<'EOF'
INSERT INTO teams (id, name, manager_email) VALUES ('north', 'North', 'boss@council.test'),
	('east', 'East', 'boss@council.test'), ('south', 'South', 'south.mgr@council.test'), ('west', 'West', NULL);
INSERT INTO officers (id, name, email, team) VALUES ('ann', 'Ann', 'ann@council.test', 'north'),
	('cat', 'Cat', 'cat@council.test', 'south');
INSERT INTO cases (id, ref, stage, officer, team, received_at) VALUES
	(1, 'C1', 'enquiry', 'ann', 'north', '2026-10-01T10:00:00Z'),
	(2, 'C2', 'enquiry', 'cat', 'south', '2026-11-02T10:00:00Z'),
	(3, 'C3', 'enquiry', 'ann', 'north', '2026-11-09T10:00:00Z'),
	(4, 'C4', 'closed', 'ann', 'north', '2026-11-12T10:00:00Z'),
	(5, 'C5', 'enquiry', NULL, 'north', '2026-11-13T10:00:00Z');
INSERT INTO events (case_id, at, kind, channel, detail) VALUES
	(1, '2026-10-02T10:00:00Z', 'contact', 'letter', NULL),
	(1, '2026-10-09T10:00:00Z', 'contact', 'visit', NULL),
	(2, '2026-11-10T10:00:00Z', 'contact', 'phone', NULL),
	(4, '2026-11-13T10:00:00Z', 'contact', 'letter', NULL),
	(4, '2026-11-14T10:00:00Z', 'closed', NULL, NULL);
INSERT INTO meetings (kind, held_on, team) VALUES ('jag', '2026-10-08', NULL);
INSERT INTO surveys (case_id, at, satisfied) VALUES
	(1, '2026-10-20T10:00:00Z', 1), (2, '2026-11-10T10:00:00Z', 0), (3, '2026-11-12T10:00:00Z', 1);
EOF

# scenario NAME [MONTHLY_REPORT_SETTING [MANAGER_DIGEST_SETTING [MORE]]]:
# $T/NAME with its own SMTP server (its port in $port) and state database;
# notices and (by default) digests off, so that only the report is sent;
# the report on (monthly_report = true, or the setting given; "none": no
# setting); MORE is more of the configuration's top level.
scenario() {
	mkdir -p "$T/$1/out"
	if ! serve "$T/$1/port" "$T/$1/server.log" "$SMTP_SERVER" --out "$T/$1/out"; then
		echo "Bail out! the SMTP server did not start"
		exit 1
	fi
	port=$served_port
	_md=${3:-}
	[ -n "$_md" ] || _md='manager_digest = { every = "never"; time = "09:00"; };'
	_mr=${2:-monthly_report = true;}
	[ "$_mr" != none ] || _mr=''
	cat >"$T/$1/casewatch.conf" <<EOF
database = "../cases.db";
state = "state.db";
rules = [ "../pack.conf" ];
timezone = "Europe/London";
smtp = { server = "127.0.0.1:$port"; tls = "none"; from = "ASB Unit <asb@council.test>"; timeout = 5; };
${4:-}
notify = {
	officer_digest = false;
	$_md
	$_mr
};
EOF
}
# at NAME TIME: a scan of scenario NAME at TIME.
at() { run "$1: scan at $2" 0 "$CASEWATCH" -c "$T/$1/casewatch.conf" run --once --at "$2"; }
# got NAME: what NAME's server accepted, a line per recipient: the address
# and the subject, in order.
got() {
	[ -f "$T/$1/out/log" ] || return 0
	for f in $(ls "$T/$1/out" | grep '\.eml$' | sort -n); do
		"$PY" - "$T/$1/out/$f" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["To"].addresses[0].addr_spec, m["Subject"])
PY
	done
}
PY=/usr/bin/python3

### 1. When it goes. Tuesday 1 December 2026 is the first working day of
### December; the report is for November, from the managers' digest time
### (09:00) by default.
scenario dec
run "dec: check" 0 "$CASEWATCH" -c "$T/dec/casewatch.conf" check
at dec 2026-11-30T10:00:00Z
at dec 2026-12-01T08:59:00Z
same "dec: nothing before 09:00 on the first working day" "$(got dec)" ""
at dec 2026-12-01T09:00:00Z
same "dec: at 09:00, one to each manager's address (north and east share one; west has none)" "$(got dec)" \
"boss@council.test Service standards report: November 2026
south.mgr@council.test Service standards report: November 2026"
if grep -qF "the monthly report for 2026-11" "$T/out"; then
	ok "dec: run --once names the messages"
else
	not_ok "dec: run --once names the messages"
	sed 's/^/# /' "$T/out"
fi
at dec 2026-12-01T15:00:00Z
at dec 2026-12-02T09:30:00Z
at dec 2026-12-31T09:30:00Z
same "dec: never twice for a month" "$(got dec | wc -l | tr -d ' ')" 2
same "dec: the state has one per address for 2026-11" \
	"$(sqlite3 -batch "$T/dec/state.db" "SELECT kind, destination, period, status FROM messages ORDER BY destination")" \
"report|boss@council.test|2026-11|sent
report|south.mgr@council.test|2026-11|sent"
run "dec: casewatch outbox lists them as sent, not waiting" 0 "$CASEWATCH" -c "$T/dec/casewatch.conf" outbox
# January 2027: Friday 1 is New Year's Day, Monday 4 the first working day.
at dec 2027-01-01T10:00:00Z
same "dec: nothing on New Year's Day" "$(got dec | wc -l | tr -d ' ')" 2
at dec 2027-01-04T10:00:00Z
same "dec: Monday 4 January, the report for December" "$(got dec | tail -n 2)" \
"boss@council.test Service standards report: December 2026
south.mgr@council.test Service standards report: December 2026"

### 2. What it is: read back from the server, against casewatch report at
### the same moment, over the twelve months to November.
mkdir -p "$T/parts"
first=$(ls "$T/dec/out" | grep '\.eml$' | sort -n | head -n 1)
"$PY" - "$T/dec/out/$first" "$T/parts" >"$T/structure" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
out = sys.argv[2]
print(m.get_content_type())
for p in m.walk():
    print(p.get_content_type(), p.get_filename() or "-", p.get("Content-Transfer-Encoding", "-"))
open(out + "/text", "w").write(m.get_body(("plain",)).get_content())
open(out + "/html", "w").write(m.get_body(("html",)).get_content())
att = [p for p in m.iter_attachments()]
open(out + "/csv", "wb").write(att[0].get_content().encode() if isinstance(att[0].get_content(), str) else att[0].get_content())
print("From:", m["From"])
print("Auto-Submitted:", m["Auto-Submitted"])
PY
same "the email's structure: mixed, the alternative of text and HTML, the CSV attached" "$(cat "$T/structure")" \
"multipart/mixed
multipart/mixed - -
multipart/alternative - -
text/plain - quoted-printable
text/html - quoted-printable
text/csv casewatch-report-2026-11.csv base64
From: ASB Unit <asb@council.test>
Auto-Submitted: auto-generated"
cat >"$T/plain.conf" <<EOF
database = "$T/cases.db";
rules = [ "$T/pack.conf" ];
timezone = "Europe/London";
EOF
rep() { "$CASEWATCH" -c "$T/plain.conf" report --by month --from 2025-12-01 --to 2026-11-30 --at 2026-12-01T09:00:00Z "$@"; }
rep --format csv >"$T/want.csv"
if cmp -s "$T/want.csv" "$T/parts/csv"; then
	ok "the CSV attached is casewatch report's, byte for byte"
else
	not_ok "the CSV attached is casewatch report's, byte for byte"
	diff "$T/want.csv" "$T/parts/csv" | head -n 20 | sed 's/^/# /'
fi
rep --format html >"$T/want.html"
if cmp -s "$T/want.html" "$T/parts/html"; then
	ok "the HTML part is casewatch report --format html's"
else
	not_ok "the HTML part is casewatch report --format html's"
	diff "$T/want.html" "$T/parts/html" | head -n 20 | sed 's/^/# /'
fi
# The text part: what the email is, then the month's figures, worked by
# hand. ack's deadlines in November: C2 Thu 5 (met late), C3 Thu 12
# (overdue), C4 Tue 17 (met: the letter of the 13th), C5 Wed 18
# (overdue): 4 due, 1 on time, 25.0%; with C1's of Tue 6 October (met), 5
# and 40.0% over the twelve months. visit's: C2 Mon 16, C3 Mon 23, C5 Fri
# 27, all overdue at 1 December (C4's was cancelled by the closure): 3 due,
# 0.0%; with C1's of Thu 15 October (met), 4 and 25.0%. November had no JAG
# meeting (owed since October, the first case's month); its answers were
# C2 no, C3 yes: 50.0%, under 75%.
same "the text part says what it is, and the month's figures" "$(cat "$T/parts/text")" \
"How well each service standard was kept in November 2026, as at 2026-12-01T09:00:00Z.

The HTML part of this email is the full report: a chart of each standard over the last
twelve months, and the figures of each team and officer. The attached CSV file (casewatch-report-2026-11.csv)
has every figure for a spreadsheet (casewatch(1), report).

On time, of the deadlines in November 2026 (and in the twelve months to it):
  ack: Acknowledge within 3 working days: 4 due, 25.0% on time (twelve months: 5 due, 40.0%)
  visit: Visit within 10 working days: 3 due, 0.0% on time (twelve months: 4 due, 25.0%)

Targets, November 2026:
  jag: A JAG meeting every month: not met: 0 of 1 month had a jag meeting
  satisfaction: 75% satisfied: not met: 50.0% of 2 answers satisfied"
same "no case reference in any part" "$(cat "$T/parts/text" "$T/parts/html" "$T/parts/csv" | grep -cw 'C[1-5]')" 0
# The month made is forgotten: the next scan makes it again, and the
# messages' key keeps it to one per address.
sqlite3 -batch "$T/dec/state.db" "DELETE FROM meta WHERE key = 'monthly_report'"
at dec 2027-01-04T11:00:00Z
sqlite3 -batch "$T/dec/state.db" "DELETE FROM meta WHERE key = 'monthly_report'"
at dec 2027-01-04T11:30:00Z
same "a month made again after meta lost it: nothing sent twice" \
	"$(got dec | wc -l | tr -d ' ') $(sqlite3 -batch "$T/dec/state.db" "SELECT count(*) FROM messages WHERE kind = 'report'")" "4 4"

### 3. A day missed: the daemon was not running on 1 December; the next
### working day's scan sends it, from its time of day.
scenario missed
at missed 2026-11-30T10:00:00Z
at missed 2026-12-05T10:00:00Z
same "missed: nothing on a Saturday" "$(got missed)" ""
at missed 2026-12-07T08:00:00Z
same "missed: nothing before the time on Monday" "$(got missed)" ""
at missed 2026-12-07T09:00:00Z
same "missed: Monday at 09:00 it goes" "$(got missed | wc -l | tr -d ' ')" 2

### 3b. The send window: not after it closes; the next working day.
scenario window 'window = { from = "08:00"; to = "17:00"; }; monthly_report = true;'
at window 2026-11-30T10:00:00Z
at window 2026-12-01T17:30:00Z
same "window: nothing after the window closes" "$(got window)" ""
at window 2026-12-02T09:30:00Z
same "window: the next working day in it, the report" "$(got window | wc -l | tr -d ' ')" 2

### 3c. Summer time: Monday 1 June 2026, 09:00 in London is 08:00Z.
scenario june
at june 2026-05-29T10:00:00Z
at june 2026-06-01T07:59:00Z
same "june: nothing at 08:59 British Summer Time" "$(got june)" ""
at june 2026-06-01T08:00:00Z
same "june: at 09:00 BST, the report for May" "$(got june | cut -d' ' -f2- | sort -u)" \
	"Service standards report: May 2026"

### 3d. Stale data (import.max_age): the report waits for a fresh import.
scenario stale '' '' "import = { mapping = \"$top_srcdir/examples/import/northfield/northfield.conf\"; max_age = \"26 hours\"; };"
run "stale: check" 0 "$CASEWATCH" -c "$T/stale/casewatch.conf" check
at stale 2026-11-30T10:00:00Z
at stale 2026-12-01T09:00:00Z
# (The managers are told the data is stale, by the stale-data alert.)
same "stale: no report while no import has landed" "$(got stale | grep -c 'Service standards report')" 0
sqlite3 -bail -batch "$T/cases.db" "CREATE TABLE import_runs (id INTEGER PRIMARY KEY, at INTEGER NOT NULL,
	files TEXT NOT NULL, rows INTEGER NOT NULL, rejected INTEGER NOT NULL, changed INTEGER NOT NULL) STRICT;
	INSERT INTO import_runs (at, files, rows, rejected, changed) VALUES ($(epoch 2026-12-01T09:30:00Z), 'cases.csv', 5, 0, 0);"
at stale 2026-12-01T10:00:00Z
same "stale: the import lands, the report goes" "$(got stale | grep -c 'Service standards report: November 2026')" 2
sqlite3 -bail -batch "$T/cases.db" "DROP TABLE import_runs"

### 4. The setting: to and time; false.
scenario to 'monthly_report = { to = [ "chief@council.test", "chief@council.test", "boss@council.test" ]; time = "10:30"; };'
run "to: check" 0 "$CASEWATCH" -c "$T/to/casewatch.conf" check
at to 2026-12-01T10:29:00Z
same "to: nothing before 10:30" "$(got to)" ""
at to 2026-12-01T10:30:00Z
same "to: the addresses given, each once, and no manager unlisted" "$(got to | sort)" \
"boss@council.test Service standards report: November 2026
chief@council.test Service standards report: November 2026"
scenario off 'monthly_report = false;'
at off 2026-12-01T12:00:00Z
same "off: nothing" "$(got off)" ""
same "off: no report message in the state" "$(sqlite3 -batch "$T/off/state.db" "SELECT count(*) FROM messages WHERE kind = 'report'")" 0
# Unset, it follows the managers' digest: none with a digest of "never",
# the report with a weekly one.
scenario follow none
at follow 2026-11-30T10:00:00Z
at follow 2026-12-01T12:00:00Z
same "unset, with no managers' digest: nothing" "$(got follow)" ""
scenario follow2 none 'manager_digest = { every = "week"; day = "friday"; time = "09:00"; };'
at follow2 2026-11-30T10:00:00Z
at follow2 2026-12-01T12:00:00Z
same "unset, with a weekly managers' digest: the report" "$(got follow2 | grep -c 'Service standards report: November 2026')" 2

### 5. Its errors in casewatch check.
scenario bad 'monthly_report = { to = [ "not-an-address" ]; time = "25:00"; colour = "red"; };'
run "bad: check fails" 1 "$CASEWATCH" -c "$T/bad/casewatch.conf" check
for want in "monthly_report to 'not-an-address' is not an email address" "monthly_report time" "colour"; do
	if cat "$T/out" "$T/err" | grep -qF "$want"; then ok "bad: check says: $want"; else not_ok "bad: check says: $want"; sed 's/^/# /' "$T/err"; fi
done
scenario empty 'monthly_report = { to = [ ]; };'
run "empty to: check fails" 1 "$CASEWATCH" -c "$T/empty/casewatch.conf" check
if cat "$T/out" "$T/err" | grep -qF "monthly_report to is empty"; then ok "empty to: says so"; else not_ok "empty to: says so"; sed 's/^/# /' "$T/err"; fi
scenario str 'monthly_report = "monthly";'
run "a string: check fails" 1 "$CASEWATCH" -c "$T/str/casewatch.conf" check
if cat "$T/out" "$T/err" | grep -qF "monthly_report is true, false or a group"; then ok "a string: says what it may be"; else not_ok "a string: says what it may be"; sed 's/^/# /' "$T/err"; fi
scenario late 'window = { from = "08:00"; to = "17:00"; }; monthly_report = { time = "17:30"; };'
run "late: check fails" 1 "$CASEWATCH" -c "$T/late/casewatch.conf" check
if cat "$T/out" "$T/err" | grep -qE "casewatch\.conf:[0-9]+: the monthly report's time \(17:30\) is not before the send window closes \(17:00\)"; then
	ok "late: a time after the window is refused"
else
	not_ok "late: a time after the window is refused"
	sed 's/^/# /' "$T/err"
fi

### 6. A version 4 state database (messages could not be of kind
### 'report') is upgraded: its messages and their notifications kept.
scenario v4
sed -e "s/'notice', 'officer-digest', 'manager-digest', 'report'/'notice', 'officer-digest', 'manager-digest'/" \
	-e 's/^PRAGMA user_version = 10;$/PRAGMA user_version = 4;/' -e 's/^	subject TEXT NOT NULL,$/&\n	body BLOB NOT NULL,/' -e '/^CREATE TABLE message_bodies (/,/^) STRICT;$/d' \
	-e '/^CREATE VIEW message_text AS$/,/;$/d' "$top_srcdir/schema/state.sql" |
	sqlite3 -bail -batch "$T/v4/state.db"
sqlite3 -bail -batch "$T/v4/state.db" <<'EOF'
INSERT INTO messages (id, kind, channel, destination, period, ref, subject, body, created_at, status, next_attempt_at,
	finished_at) VALUES (7, 'manager-digest', 'email', 'boss@council.test', '2026-W47', '<m7@x>', 'digest', CAST('body' AS BLOB), 1,
	'sent', 1, 2);
INSERT INTO outbox (id, case_id, rule, party_id, cycle, stage, recipient, created_at, status, message_id)
	VALUES (1, 1, 'ack', 0, 0, 'due', 'ann', 1, 'sent', 7);
EOF
if sqlite3 -batch "$T/v4/state.db" "INSERT INTO messages (kind, channel, destination, ref, subject, body, created_at,
	next_attempt_at) VALUES ('report', 'email', 'x', 'r', 's', CAST('b' AS BLOB), 1, 1)" 2>/dev/null; then
	not_ok "v4: made for the test, refusing kind 'report'"
else
	ok "v4: made for the test, refusing kind 'report'"
fi
at v4 2026-12-01T09:00:00Z
same "v4: upgraded to version 10" "$(sqlite3 -batch "$T/v4/state.db" 'PRAGMA user_version')" 10
same "v4: the old message kept, its notification still pointing at it" \
	"$(sqlite3 -batch "$T/v4/state.db" "SELECT m.id || ' ' || m.kind || ' ' || m.period || ' ' || m.status FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = 1")" \
	"7 manager-digest 2026-W47 sent"
same "v4: foreign keys and integrity hold" \
	"$(sqlite3 -batch "$T/v4/state.db" 'PRAGMA foreign_key_check; PRAGMA integrity_check')" "ok"
same "v4: both indexes of messages there" \
	"$(sqlite3 -batch "$T/v4/state.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name)")" \
	"messages_by_status messages_to_prune"
same "v4: and the report sent" "$(got v4 | wc -l | tr -d ' ')" 2

### 7. The managers' weekly digest opens with the unit's figures: by team
### and officer, and the targets. Monday 23 November 2026, 09:00; the
### week before is Monday 16 to Sunday 22 November.
###   Deadlines (3 and 10 working days from receipt):
###     C1 north/ann, 1 Oct: ack Tue 6 Oct (letter 2 Oct: met); visit
###        Thu 15 Oct (visit 9 Oct: met).
###     C2 south/cat, 2 Nov: ack Thu 5 Nov (phone 10 Nov: late); visit
###        Mon 16 Nov: none, overdue.
###     C3 north/ann, 9 Nov: ack Thu 12 Nov: none, overdue; visit Mon 23
###        Nov: due today.
###     C4 north/ann, 12 Nov, closed 14 Nov: ack Tue 17 Nov (letter 13 Nov:
###        met); visit cancelled by the closure.
###     C5 north/no officer, 13 Nov: ack Wed 18 Nov: none, overdue.
###   Last week's deadlines: C2's visit (South, Cat: 0 of 1), C4's ack and
###   C5's ack (North 1 of 2: Ann 1 of 1, no officer 0 of 1); the week
###   before, C3's ack (0 of 1). Overdue now: Ann 1 (C3 ack), no officer 1
###   (C5 ack), Cat 1 (C2 visit).
###   jag: one meeting, 8 Oct; owed from October (the first case):
###     October met; November, the current month, not judged yet.
###   satisfaction (75%): October C1 yes: 1 of 1, 100.0%, met; November
###     C2 no, C3 yes: 1 of 2, 50.0%, not met.
scenario weekly 'monthly_report = false;' 'manager_digest = { every = "week"; day = "monday"; time = "09:00"; };'
at weekly 2026-11-23T09:00:00Z
same "weekly: one digest to each manager's address" "$(got weekly | cut -d' ' -f1)" \
"boss@council.test
south.mgr@council.test"
# text NAME N: the text part of NAME's Nth message.
text() {
	"$PY" - "$T/$1/out/$2.eml" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
sys.stdout.write(m.get_body(("plain",)).get_content())
PY
}
for n in 1 2; do text weekly $n >"$T/weekly.$n.txt"; done
to1=$(got weekly | sed -n 1p | cut -d' ' -f1)
[ "$to1" = boss@council.test ] && north=1 south=2 || north=2 south=1
same "weekly: North's manager: the team and its officer" \
	"$(sed -n '/^By team and officer/,/^$/p' "$T/weekly.$north.txt")" \
"By team and officer, on time of the same deadlines, and overdue now:
  North: 50% (1 of 2); 2 overdue now
    Ann: 100% (1 of 1); 1 overdue now
    (no officer): 0% (0 of 1); 1 overdue now"
same "weekly: South's manager: the team and its officer" \
	"$(sed -n '/^By team and officer/,/^$/p' "$T/weekly.$south.txt")" \
"By team and officer, on time of the same deadlines, and overdue now:
  South: 0% (0 of 1); 1 overdue now
    Cat: 0% (0 of 1); 1 overdue now"
same "weekly: each standard on time, from every case (C4, closed, counts)" \
	"$(sed -n '/^On time, of the deadlines/,/^$/p' "$T/weekly.$north.txt")" \
"On time, of the deadlines Mon 16 Nov to Sun 22 Nov (before: Mon 9 Nov to Sun 15 Nov):
  Acknowledge within 3 working days: 50% (1 of 2); before: 0% (0 of 1)
  Visit within 10 working days: 0% (0 of 1); before: none fell due"
same "weekly: the unit's targets, this month and last, met or not" \
	"$(sed -n '/^The unit.s targets/,/^$/p' "$T/weekly.$north.txt")" \
"The unit's targets, this month (November 2026) so far and last month (October 2026):
  A JAG meeting every month (a jag meeting every calendar month): this month not yet measured: this month's jag meeting not held yet; last month met: 1 of 1 month had a jag meeting
  75% satisfied (at least 75% of survey answers satisfied): this month not met: 50.0% of 2 answers satisfied; last month met: 100.0% of 1 answer satisfied"

done_testing

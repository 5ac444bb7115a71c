#!/bin/sh
# casewatchd's metrics (casewatchd(8), METRICS): after each scan, the
# Prometheus textfile that casewatch.conf's metrics.textfile names, read
# strictly (tests/prom-parse.py) and by promtool when it is installed,
# with exact values on a case database whose obligations are known: by
# standard and state, due today, messages waiting and dead, notifications
# waiting, scans and failed scans, how long the last scan took and when.
# Written whole (a new file renamed over the old, mode 0644 whatever the
# umask), moved or removed with the configuration, and a folder that is
# not there said once in the log, the daemon running on.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/daemon-lib.sh"
PARSE="$top_srcdir/tests/prom-parse.py"

# Two rules with plain calendar days, so that which obligations are
# pending, overdue or paused depends only on how long ago each case came in.
cat >"$T/pack.conf" <<'EOF'
pack = "metrics";
title = "Metrics";
rules = (
	{ id = "call-in-days"; title = "Call within 2 days"; kind = "deadline"; from = "received";
	  within = "2 days"; met_by = { kind = "contact"; channel = "phone"; }; },
	{ id = "letter-in-year"; title = "Letter within 400 days"; kind = "deadline"; from = "received";
	  within = "400 days"; met_by = { kind = "contact"; channel = "letter"; }; on_hold = "run"; }
);
EOF
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
# M-1 and M-3 came in years ago, M-3 with its call made: both letters
# overdue, and M-1's call. M-2 and M-4 came in an hour ago, M-4 then put on
# hold: the call pending, and paused; the letters pending (M-4's runs on
# hold). M-6 came in at noon two days ago (local time): its call due today.
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
two_days=$(TZ=Europe/London date -d "$(TZ=Europe/London date +%F) -2 days" +%F)T12:00:00
sqlite3 -bail -batch "$db" <<EOF
INSERT INTO teams (id, name) VALUES ('t1', 'Team One');
INSERT INTO officers (id, name, email, team, active) VALUES ('o1', 'Officer One', 'o1@example.gov.uk', 't1', 1);
INSERT INTO cases (id, ref, stage, officer, team, received_at) VALUES
	(1, 'M-1', 'case', 'o1', 't1', '2020-01-06T09:00:00Z'),
	(2, 'M-2', 'case', 'o1', 't1', '$(ago '1 hour')'),
	(3, 'M-3', 'case', 'o1', 't1', '2020-01-06T09:00:00Z'),
	(4, 'M-4', 'case', 'o1', 't1', '$(ago '1 hour')'),
	(6, 'M-6', 'case', 'o1', 't1', '$two_days');
INSERT INTO events (case_id, at, kind, channel) VALUES (3, '2020-01-06T10:00:00Z', 'contact', 'phone');
INSERT INTO events (case_id, at, kind) VALUES (4, '$(ago '30 minutes')', 'hold');
EOF

mkdir "$T/textfile"
prom="$T/textfile/casewatch.prom"
conf="$T/casewatch.conf"
# write_conf [METRICS]: the configuration, with the metrics group given.
write_conf() {
	cat >"$conf" <<EOF
database = "cases.db";
state = "state.db";
rules = [ "pack.conf" ];
scan_interval = 3600;
notify = { officer_digest = false; manager_digest = { every = "never"; }; monthly_report = false; };
$1
EOF
}
write_conf 'metrics = { textfile = "textfile/casewatch.prom"; };'
run "casewatch check takes metrics.textfile" 0 "$CASEWATCH" -c "$conf" check
expect_out "configuration OK" "configuration OK"

# parse FILE: the samples, or the fault; samples NAME: its lines.
parse() { /usr/bin/python3 "$PARSE" "$1" >"$T/samples" 2>"$T/parse.err" || cat "$T/parse.err" >"$T/samples"; }
samples() { grep -E "^$1(\{| )" "$T/samples"; }
value() { samples "$1" | sed 's/.* //'; }
# promtool NAME FILE: promtool's check of the format and its naming rules.
promtool_check() {
	if ! command -v promtool >/dev/null 2>&1; then
		ok "$1 # SKIP promtool is not installed (Debian's prometheus package)"
	elif promtool check metrics <"$2" >"$T/promtool.out" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/# promtool: /' "$T/promtool.out"
	fi
}
# last_ms NAME: the time the daemon's last scan took, from its log line.
last_ms() { grep 'scan: .* cases evaluated' "$T/$1.log" | tail -n 1 | sed 's/.* \([0-9]*\) ms$/\1/'; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%d.%03d", ms / 1000, ms % 1000 }'; }

obligations_before='casewatch_obligations{rule="call-in-days",state="pending"} 2
casewatch_obligations{rule="call-in-days",state="overdue"} 1
casewatch_obligations{rule="call-in-days",state="paused"} 1
casewatch_obligations{rule="letter-in-year",state="pending"} 3
casewatch_obligations{rule="letter-in-year",state="overdue"} 2
casewatch_obligations{rule="letter-in-year",state="paused"} 0'

### 1. The first scan.
t0=$(date +%s)
umask 077
start_daemon main "$conf" || not_ok "the daemon starts"
umask 022
wait_for ' READY=1$' "$T/main.notify" || not_ok "READY=1"
t1=$(date +%s)
if [ -f "$prom" ]; then ok "the textfile is there once the first scan is done"; else not_ok "the textfile is there once the first scan is done"; fi
same "mode 0644 under a umask of 077" "$(stat -c %a "$prom")" 644
same "nothing else in its folder" "$(ls -A "$T/textfile")" "casewatch.prom"
parse "$prom"
same "read strictly: HELP and TYPE, samples, names" "$(cat "$T/parse.err")" ""
promtool_check "promtool check metrics" "$prom"
same "obligations by standard and state" "$(samples casewatch_obligations)" "$obligations_before"
same "one due today" "$(samples casewatch_obligations_due_today)" "casewatch_obligations_due_today 1"
same "no message waiting or dead" "$(samples casewatch_messages)" 'casewatch_messages{state="waiting"} 0
casewatch_messages{state="dead"} 0'
same "no notification waiting" "$(samples casewatch_notifications_waiting)" "casewatch_notifications_waiting 0"
same "one scan, none failed" "$(samples 'casewatch_scan(s|_failures)_total')" "casewatch_scans_total 1
casewatch_scan_failures_total 0"
same "the scan's duration, as the log says it" "$(value casewatch_scan_duration_seconds)" "$(seconds "$(last_ms main)")"
success=$(value casewatch_last_scan_success_timestamp_seconds)
if [ -n "$success" ] && [ "$success" -ge "$t0" ] && [ "$success" -le "$t1" ]; then
	ok "when the scan ended, in Unix seconds"
else
	not_ok "when the scan ended, in Unix seconds (got '$success', want $t0 to $t1)"
fi
same "STATUS= says as much: due today and overdue" \
	"$(grep ' STATUS=Scanned' "$T/main.notify" | tail -n 1 | sed 's/.*; \([0-9]* due today, [0-9]* overdue\),.*/\1/')" \
	"1 due today, 3 overdue"
same "no data freshness without import.max_age" "$(samples 'casewatch_(data_stale|last_import_timestamp_seconds)')" ""
same "every family, in order" "$(grep '^# TYPE' "$prom")" "# TYPE casewatch_obligations gauge
# TYPE casewatch_obligations_due_today gauge
# TYPE casewatch_messages gauge
# TYPE casewatch_notifications_waiting gauge
# TYPE casewatch_scan_duration_seconds gauge
# TYPE casewatch_last_scan_success_timestamp_seconds gauge
# TYPE casewatch_scans_total counter
# TYPE casewatch_scan_failures_total counter"

### 2. A case with nobody to tell (no officer, no team): its call and its
### letter, escalated long ago, are owed to the team's manager, and wait; two messages given up and one waiting for its
### retry, in the state database. A reload scans again.
ino=$(stat -c %i "$prom")
q "$db" "INSERT INTO cases (id, ref, stage, received_at) VALUES (7, 'M-7', 'case', '2020-01-06T09:00:00Z')"
q "$T/state.db" "INSERT INTO messages (kind, channel, destination, ref, subject, created_at, status, attempts,
	next_attempt_at, finished_at) VALUES
	('notice', 'email', 'a@example.gov.uk', '<a@x>', 's', 1, 'dead', 5, 1, 2),
	('notice', 'email', 'b@example.gov.uk', '<b@x>', 's', 1, 'dead', 5, 1, 2),
	('notice', 'email', 'c@example.gov.uk', '<c@x>', 's', 1, 'pending', 1, 4102444800, NULL);
	INSERT INTO message_bodies (message_id, body) SELECT id, CAST('b' AS BLOB) FROM messages WHERE ref IN ('<a@x>', '<b@x>', '<c@x>')"
n=$(lines "$T/main.notify")
reload_daemon() { kill -HUP "$(cat "$T/$1.dpid")"; }
reload_daemon main
wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded"
if [ "$(stat -c %i "$prom")" != "$ino" ]; then ok "a new file, renamed over the old"; else not_ok "a new file, renamed over the old"; fi
parse "$prom"
same "reloaded: read strictly" "$(cat "$T/parse.err")" ""
promtool_check "reloaded: promtool check metrics" "$prom"
same "reloaded: M-7's call and letter overdue" "$(samples casewatch_obligations | grep overdue)" \
	'casewatch_obligations{rule="call-in-days",state="overdue"} 2
casewatch_obligations{rule="letter-in-year",state="overdue"} 3'
same "reloaded: two dead, one waiting" "$(samples casewatch_messages)" 'casewatch_messages{state="waiting"} 1
casewatch_messages{state="dead"} 2'
waiting=$(q "$T/state.db" "SELECT count(*) FROM outbox WHERE status = 'pending' AND case_id = 7")
same "reloaded: M-7's two notifications wait, with nobody to send them to" "$waiting" 2
same "reloaded: the notifications waiting" "$(samples casewatch_notifications_waiting)" "casewatch_notifications_waiting 2"
same "reloaded: two scans, none failed" "$(samples 'casewatch_scan(s|_failures)_total')" "casewatch_scans_total 2
casewatch_scan_failures_total 0"
same "reloaded: the scan's duration" "$(value casewatch_scan_duration_seconds)" "$(seconds "$(last_ms main)")"
same "the counts the metrics read are the state's obligations, counted" \
	"$(q "$T/state.db" "SELECT group_concat(rule || ' ' || state || ' ' || n, ', ') FROM (SELECT * FROM obligation_counts WHERE n > 0 ORDER BY rule, state)")" \
	"$(q "$T/state.db" "SELECT group_concat(rule || ' ' || state || ' ' || n, ', ') FROM (SELECT rule, state, count(*) AS n FROM obligations GROUP BY rule, state ORDER BY rule, state)")"

### 3. A scan that fails (the case database gone): counted, and the rest
### as the last successful scan left it.
success=$(value casewatch_last_scan_success_timestamp_seconds)
duration=$(value casewatch_scan_duration_seconds)
mv "$db" "$T/cases.db.away"
n=$(lines "$T/main.notify")
reload_daemon main
wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded without the case database"
parse "$prom"
same "failed: three scans, one failed" "$(samples 'casewatch_scan(s|_failures)_total')" "casewatch_scans_total 3
casewatch_scan_failures_total 1"
same "failed: the last success and its duration as they were" \
	"$(value casewatch_last_scan_success_timestamp_seconds) $(value casewatch_scan_duration_seconds)" "$success $duration"
same "failed: the obligations as the last successful scan left them" "$(samples casewatch_obligations | grep -c .)" 6
mv "$T/cases.db.away" "$db"

### 4. Moved by the configuration: the old file removed, so that the
### collector never reads the same series twice; then turned off.
mkdir "$T/other"
write_conf 'metrics = { textfile = "other/cw.prom"; };'
n=$(lines "$T/main.notify")
reload_daemon main
wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded with another path"
if [ ! -e "$prom" ] && [ -f "$T/other/cw.prom" ]; then ok "moved: the old file removed, the new one written"; else
	not_ok "moved: the old file removed, the new one written"
fi
parse "$T/other/cw.prom"
same "moved: the counts go on" "$(samples casewatch_scans_total)" "casewatch_scans_total 4"
write_conf ''
n=$(lines "$T/main.notify")
reload_daemon main
wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded without metrics"
same "turned off: the file removed" "$(ls -A "$T/other")" ""

### 5. A folder that is not there: said once, and once more when it works
### again; the daemon runs on.
write_conf 'metrics = { textfile = "missing/casewatch.prom"; };'
for i in 1 2; do
	n=$(lines "$T/main.notify")
	reload_daemon main
	wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded ($i) with a missing folder"
done
same "a missing folder: said once" "$(grep -c 'metrics: cannot create a file in .*/missing: No such file or directory' "$T/main.log")" 1
mkdir "$T/missing"
n=$(lines "$T/main.notify")
reload_daemon main
wait_after "$n" ' READY=1$' "$T/main.notify" || not_ok "reloaded with the folder there"
same "the folder there: written, and said" \
	"$(grep -c 'metrics: .*/missing/casewatch.prom written again after: cannot create a file in' "$T/main.log") $(ls -A "$T/missing")" \
	"1 casewatch.prom"
if alive main; then ok "the daemon runs on"; else not_ok "the daemon runs on"; fi
stop_daemon main TERM
same "stopped: exit status 0" "$(cat "$T/main.status")" 0
if [ -f "$T/missing/casewatch.prom" ]; then ok "stopped: the last file left for the collector"; else not_ok "stopped: the last file left for the collector"; fi
no_sanitizer main

### 6. With import.max_age: whether the data is stale, and when the last
### import landed (none yet: stale, and no time).
cat >"$T/map.conf" <<'EOF'
sources = ( { match = "*cases*.csv"; into = "cases"; key = [ "Ref" ]; columns = { ref = "Ref"; received_at = "Received"; }; } );
EOF
write_conf 'metrics = { textfile = "textfile/casewatch.prom"; };
import = { mapping = "map.conf"; max_age = "26 hours"; };'
start_daemon fresh "$conf" || not_ok "the daemon starts with import.max_age"
wait_for ' READY=1$' "$T/fresh.notify" || not_ok "READY=1 with import.max_age"
stop_daemon fresh TERM
parse "$prom"
same "import.max_age: stale, no import yet" "$(samples 'casewatch_(data_stale|last_import_timestamp_seconds)')" \
	"casewatch_data_stale 1"
promtool_check "import.max_age: promtool check metrics" "$prom"
no_sanitizer fresh

done_testing

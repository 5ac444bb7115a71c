#!/bin/sh
# casewatchd as systemd runs it: a real daemon, with NOTIFY_SOCKET bound by
# notify-listen.py, on the demo database with a scan every second. What it
# tells the service manager (READY, STATUS, RELOADING, WATCHDOG, STOPPING),
# what it keeps in the state database while another process writes cases,
# reloads good and bad, locks and a vanished database, and configuration
# errors at start. Every wait polls, with a generous bound, for what must
# eventually happen; the only durations asserted are the watchdog's gaps
# and the retry after a lock, each with a wide margin.
. "${top_srcdir:-.}/tests/lib.sh"

. "$top_srcdir/tests/daemon-lib.sh"
HOLD="$top_srcdir/tests/daemon-hold.py"

# hold NAME DB MODE SQL...: daemon-hold.py in the background, logging to
# $T/NAME.hold; it commits once $T/NAME.release exists.
hold() {
	_name=$1 _db=$2 _mode=$3
	shift 3
	"$PY" "$HOLD" "$_db" "$_mode" "$T/$_name.hold" "$T/$_name.release" 120 "$@" >"$T/$_name.hout" 2>&1 &
	echo $! >"$T/$_name.hpid"
}

# shown_met CONF REF RULE: the state of the case's obligation under RULE as
# `casewatch status` shows it now, and when it was met in Unix seconds.
shown_met() {
	_m=$("$CASEWATCH" -c "$1" status --json |
		jq -r --arg c "$2" --arg r "$3" '.obligations[] | select(.case == $c and .rule == $r) | "\(.state) \(.met_at)"')
	echo "${_m%% *} $(date -u -d "${_m#* }" +%s 2>/dev/null)"
}

# The state database against `casewatch status` at the moment (which
# works the obligations out on its own): the same unmet obligations, states and
# due dates. The daemon's last scan may be a moment behind: poll.
like_status() {
	_i=0
	while :; do
		q "$2" "SELECT c.ref AS \"case\", o.rule, nullif(o.party_id, 0) AS party, o.cycle, o.state, o.due
			FROM obligations o JOIN cases c USING (case_id)" |
			sed 's/|/\t/g' | sort >"$T/kept"
		"$CASEWATCH" -c "$1" status --json |
			jq -r '.obligations[] | select(.state == "pending" or .state == "overdue" or .state == "paused") |
				[.case, .rule, (.party // "" | tostring), .cycle, .state, .due] | @tsv' |
			sort >"$T/shown"
		[ -s "$T/shown" ] && cmp -s "$T/kept" "$T/shown" && return 0
		[ $_i -ge $((WAIT * 10)) ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	diff "$T/shown" "$T/kept" | head -n 20 | sed 's/^/# /'
	return 1
}

# The demo case database, its rules copied beside the configuration.
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" <"$top_srcdir/examples/demo.sql"
cp "$top_srcdir/rules/leeds-asbu.conf" "$T/rules.conf"
conf="$T/casewatch.conf"
cat >"$conf" <<'EOF'
database = "cases.db";
state = "state.db";
rules = [ "rules.conf" ];
timezone = "Europe/London";
scan_interval = 1;
EOF
cp "$conf" "$T/casewatch.conf.good"
state="$T/state.db"
n_cases() { q "$db" "SELECT count(*) FROM cases"; }
N=$(n_cases)
same "the demo has 39 cases" "$N" 39

### 1. Start: READY=1 and a STATUS line with the scan's figures.
start_daemon main "$conf" WATCHDOG_USEC=1000000 || not_ok "the daemon starts"
if wait_for ' READY=1$' "$T/main.notify"; then ok "READY=1 after start"; else
	not_ok "READY=1 after start"
	show "$T/main.notify" notify
	show "$T/main.log" log
fi
first=$(grep -m 1 ' STATUS=' "$T/main.notify" | cut -d ' ' -f 2-)
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})'
if printf '%s\n' "$first" | grep -Eqx "STATUS=Scanned $N cases \(start\) in [0-9]+ ms; [0-9]+ due today, [0-9]+ overdue, [0-9]+ waiting to be sent; next scan $ts"; then
	ok "STATUS: Scanned $N cases, due today, overdue, waiting to be sent, next scan"
else
	not_ok "STATUS: Scanned $N cases, due today, overdue, waiting to be sent, next scan (got '$first')"
fi
next=$(printf '%s\n' "$first" | sed -n 's/.*; next scan //p')
gap=$(($(epoch "$next") - $(date +%s)))
if [ "$gap" -ge -60 ] && [ "$gap" -le 60 ]; then ok "the next scan is about a second away"; else
	not_ok "the next scan is about a second away (next scan $next, $gap s from now)"
fi
grep -q "created the state database $state: it holds no record of notifications sent before" "$T/main.log" &&
	ok "the log says the state database is new" || not_ok "the log says the state database is new"
# The figures are the state database's, after the scan and the sending
# that followed it. Waiting to be sent: the messages not yet delivered,
# and the notifications in no message yet (held for the send window, or
# with nobody to send them to yet).
figures() {
	_today=$(TZ=Europe/London date +%F)
	echo "$(q "$state" "SELECT count(*) FROM obligations WHERE state = 'pending' AND due_day = '$_today'") due today, $(q "$state" "SELECT count(*) FROM obligations WHERE state = 'overdue'") overdue, $(q "$state" "SELECT (SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')) + (SELECT count(*) FROM outbox WHERE status = 'pending')") waiting to be sent;"
}
_i=0
until grep ' STATUS=Scanned' "$T/main.notify" | tail -n 1 | grep -qF -- "$(figures)"; do
	[ $_i -ge $((WAIT * 10)) ] && break
	sleep 0.1
	_i=$((_i + 1))
done
if [ $_i -lt $((WAIT * 10)) ]; then ok "STATUS figures match the state database"; else
	not_ok "STATUS figures match the state database (want '$(figures)')"
	grep ' STATUS=' "$T/main.notify" | tail -n 3 | sed 's/^/# /'
fi
check "the state database holds what status shows" like_status "$conf" "$state"
wait_count 0 3 ' WATCHDOG=1$' "$T/main.notify" && ok "watchdog pings" || not_ok "watchdog pings"

### 2. Another process writes the case database: seen at the next scan.
received=$(now)
q "$db" "INSERT INTO cases (id, ref, stage, officer, team, received_at)
	VALUES (9001, 'T-9001', 'enquiry', 'shughes', 'east', '$received');
INSERT INTO parties (id, case_id, role) VALUES (90011, 9001, 'complainant');"
sql="SELECT coalesce((SELECT state FROM obligations WHERE case_id = 9001 AND rule = 'acknowledge-enquiry'), 'not kept')"
if wait_sql "$state" "$sql" "pending"; then ok "a new case is picked up without a restart"; else
	not_ok "a new case is picked up without a restart (got '$got')"
fi
contact=$(now)
q "$db" "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer)
	VALUES (9001, '$contact', 'contact', 90011, 'email', 'acknowledgement', 'shughes');"
# Met: no longer kept in the state database; status says when.
if wait_sql "$state" "$sql" "not kept"; then ok "the acknowledgement meets the pending obligation"; else
	not_ok "the acknowledgement meets the pending obligation (got '$got')"
fi
same "status: the acknowledgement met at the time of the contact" \
	"$(shown_met "$conf" T-9001 acknowledge-enquiry)" "met $(epoch "$contact")"
same "still the first start: one READY=1" "$(grep -c ' READY=1$' "$T/main.notify")" 1
check "still running" alive main

### 7b. A writer holds the case database (WAL): scans go on meanwhile.
m=$(lines "$T/main.notify")
hold wal "$db" IMMEDIATE \
	"INSERT INTO cases (id, ref, stage, received_at) VALUES (9002, 'T-9002', 'enquiry', '$(now)')" \
	"INSERT INTO parties (id, case_id, role) VALUES (90021, 9002, 'complainant')"
if wait_for ' locked$' "$T/wal.hold"; then
	m=$(lines "$T/main.notify")
	if wait_count "$m" 2 ' STATUS=Scanned ' "$T/main.notify"; then ok "WAL: scans complete while a writer holds its lock"; else
		not_ok "WAL: scans complete while a writer holds its lock"
		after "$m" "$T/main.notify" | sed 's/^/# /'
	fi
	after "$m" "$T/main.notify" | grep -q 'Scan failed' && not_ok "WAL: no scan failed" || ok "WAL: no scan failed"
	q "$state" "SELECT count(*) FROM cases WHERE case_id = 9002" | grep -qx 0 &&
		ok "WAL: the uncommitted case is not seen" || not_ok "WAL: the uncommitted case is not seen"
else
	not_ok "WAL: the writer took its lock"
	show "$T/wal.hout" hold
fi
touch "$T/wal.release"
wait_for ' released$' "$T/wal.hold"
if wait_sql "$state" "SELECT state FROM obligations WHERE case_id = 9002 AND rule = 'acknowledge-enquiry'" pending; then
	ok "WAL: the case committed is seen at the next scan"
else
	not_ok "WAL: the case committed is seen at the next scan (got '$got')"
fi

### 3. SIGHUP with a broken configuration: kept running on the old one.
# reload_fails WHAT LINE-TEXT MESSAGE: append LINE-TEXT to the
# configuration, SIGHUP, and check what follows.
reload_fails() {
	cp "$T/casewatch.conf.good" "$conf"
	_line=$(($(lines "$conf") + 1))
	printf '%s\n' "$2" >>"$conf"
	_m=$(lines "$T/main.notify")
	_ml=$(lines "$T/main.log")
	kill -HUP "$(cat "$T/main.dpid")"
	if wait_after "$_m" ' RELOADING=1$' "$T/main.notify"; then ok "$1: RELOADING=1"; else not_ok "$1: RELOADING=1"; fi
	_r=$(line_after "$_m" ' RELOADING=1$' "$T/main.notify")
	if wait_after "$_r" ' READY=1$' "$T/main.notify"; then ok "$1: then READY=1"; else
		not_ok "$1: then READY=1"
		after "$_m" "$T/main.notify" | sed 's/^/# /'
	fi
	after "$_r" "$T/main.notify" | grep -q ' STATUS=Configuration not reloaded' &&
		ok "$1: STATUS says it was not reloaded" || not_ok "$1: STATUS says it was not reloaded"
	if wait_after "$_ml" "^<[0-9]>casewatchd: $conf:$_line: $3" "$T/main.log"; then ok "$1: FILE:LINE: message in the log"; else
		not_ok "$1: FILE:LINE: message in the log (want '$conf:$_line: $3')"
		after "$_ml" "$T/main.log" | sed 's/^/# /'
	fi
	wait_after "$_ml" 'not reloaded' "$T/main.log" && ok "$1: the log says not reloaded" ||
		not_ok "$1: the log says not reloaded"
	check "$1: still running" alive main
	_y=$(line_after "$_r" ' READY=1$' "$T/main.notify")
	if wait_after "$_y" ' STATUS=Scanned [0-9]+ cases \(incremental\)' "$T/main.notify"; then ok "$1: scans go on"; else
		not_ok "$1: scans go on"
		after "$_m" "$T/main.notify" | sed 's/^/# /'
	fi
}
reload_fails "unknown key" 'colour = "blue";' "unknown setting 'colour' in the configuration"
reload_fails "syntax error" 'this is not a setting' "syntax error"
cp "$T/casewatch.conf.good" "$conf"

### 4. SIGHUP with a changed rule: the due dates follow.
# 0109 was accepted Wednesday 4 November: its victim visit, due 10
# working days later on 18 November, is due on the 25th at 15.
vv="SELECT due FROM obligations WHERE case_id = 109 AND rule = 'victim-visit'"
same "0109's visit due 10 working days after acceptance" "$(q "$state" "$vv")" 2026-11-18
same "15 working days after 4 November" "$("$CASEWATCH" calendar add 2026-11-04 15)" 2026-11-25
q "$state" "SELECT case_id || '/' || party_id || '/' || cycle, due FROM obligations WHERE rule = 'victim-visit' ORDER BY 1" >"$T/vv-before"
sed 's/within = "10 working days";/within = "15 working days";/' "$T/rules.conf" >"$T/rules.new"
same "one rule changed" "$(diff "$T/rules.conf" "$T/rules.new" | grep -c '^>')" 1
mv "$T/rules.new" "$T/rules.conf"
m=$(lines "$T/main.notify")
ml=$(lines "$T/main.log")
kill -HUP "$(cat "$T/main.dpid")"
wait_after "$m" ' RELOADING=1$' "$T/main.notify" && ok "rule change: RELOADING=1" || not_ok "rule change: RELOADING=1"
N=$(n_cases)
if wait_after "$m" " STATUS=Scanned $N cases \(reload\) " "$T/main.notify"; then ok "rule change: STATUS says Scanned $N cases (reload)"; else
	not_ok "rule change: STATUS says Scanned $N cases (reload)"
	after "$m" "$T/main.notify" | sed 's/^/# /'
fi
r=$(line_after "$m" ' RELOADING=1$' "$T/main.notify")
wait_after "$r" ' READY=1$' "$T/main.notify" && ok "rule change: then READY=1" || not_ok "rule change: then READY=1"
wait_after "$ml" 'configuration reloaded$' "$T/main.log" && ok "rule change: the log says reloaded" ||
	not_ok "rule change: the log says reloaded"
if wait_sql "$state" "$vv" 2026-11-25; then ok "0109's visit is now due on the 25th"; else
	not_ok "0109's visit is now due on the 25th (got '$got')"
fi
q "$state" "SELECT case_id || '/' || party_id || '/' || cycle, due FROM obligations WHERE rule = 'victim-visit' ORDER BY 1" >"$T/vv-after"
later=$(LC_ALL=C join -t '|' "$T/vv-before" "$T/vv-after" | awk -F '|' '$3 > $2' | wc -l)
same "every victim visit is due later" "$later $(lines "$T/vv-after")" "$(lines "$T/vv-before") $(lines "$T/vv-before")"
check "after the reload the state database holds what status shows" like_status "$conf" "$state"
check "still running after the reloads" alive main

### 8. The case database deleted under the daemon, then put back.
q "$db" ".backup '$T/saved.db'"
m=$(lines "$T/main.notify")
ml=$(lines "$T/main.log")
rm -f "$db" "$db-wal" "$db-shm"
if wait_after "$ml" "scan failed, trying again at $ts: cannot open the case database $db" "$T/main.log"; then
	ok "database gone: the log says the scan failed and why"
else
	not_ok "database gone: the log says the scan failed and why"
	after "$ml" "$T/main.log" | sed 's/^/# /'
fi
wait_after "$m" " STATUS=Scan failed: cannot open the case database $db" "$T/main.notify" &&
	ok "database gone: STATUS says the scan failed" || not_ok "database gone: STATUS says the scan failed"
# Logged once, as an error, not at every attempt.
wait_count "$m" 2 ' STATUS=Scan failed: ' "$T/main.notify" || not_ok "database gone: a second attempt"
same "database gone: logged once, as an error" \
	"$(after "$ml" "$T/main.log" | grep 'scan failed' | cut -c 1-3 | tr '\n' ' ')" "<3> "
check "database gone: still running" alive main
m=$(lines "$T/main.notify")
cp "$T/saved.db" "$T/cases.db.new" && mv "$T/cases.db.new" "$db"
if wait_after "$m" " STATUS=Scanned $N cases \((case database readable again|new day)\)" "$T/main.notify"; then
	ok "database back: STATUS says Scanned $N cases"
else
	not_ok "database back: STATUS says Scanned $N cases"
	after "$m" "$T/main.notify" | sed 's/^/# /'
fi
wait_after "$ml" 'scan succeeded again after: cannot open the case database' "$T/main.log" &&
	ok "database back: the log says it succeeded again" || not_ok "database back: the log says it succeeded again"

### The state database deleted under the daemon: made anew, from scratch.
m=$(lines "$T/main.notify")
ml=$(lines "$T/main.log")
rm -f "$state" "$state-wal" "$state-shm"
if wait_after "$ml" "^<4>casewatchd: the state database $state was deleted or replaced: making it anew" "$T/main.log"; then
	ok "state gone: the log says so, as a warning"
else
	not_ok "state gone: the log says so, as a warning"
	after "$ml" "$T/main.log" | sed 's/^/# /'
fi
wait_after "$m" " STATUS=Scanned $N cases \\(new state database\\)" "$T/main.notify" &&
	ok "state gone: STATUS says Scanned $N cases (new state database)" ||
	not_ok "state gone: STATUS says Scanned $N cases (new state database)"
wait_after "$ml" 'first scan of a new state database' "$T/main.log" &&
	ok "state gone: the next scan is a baseline" || not_ok "state gone: the next scan is a baseline"
check "state gone: the new state database holds what status shows" like_status "$conf" "$state"
check "state gone: still running" alive main

### 6. SIGTERM: STOPPING=1, exit 0.
m=$(lines "$T/main.notify")
if stop_daemon main TERM; then
	same "SIGTERM: exit status 0" "$(cat "$T/main.status")" 0
else
	not_ok "SIGTERM: the daemon exits"
fi
wait_after "$m" ' STOPPING=1$' "$T/main.notify" && ok "SIGTERM: STOPPING=1" || not_ok "SIGTERM: STOPPING=1"
grep -q 'stopping on Terminated' "$T/main.log" && ok "SIGTERM: logged" || not_ok "SIGTERM: logged"
no_sanitizer main

### 5. The watchdog, over the whole run: pings all along, none late.
# sd-event pings between half and three quarters of the interval; a gap
# of more than 1.5 s would mean the loop stalled.
awk '$2 == "WATCHDOG=1" { if (n++) { g = $1 - p; if (g > max) max = g } p = $1 }
     $2 == "STOPPING=1" { stop = $1 }
     END { printf "%d %.3f %.3f\n", n, max, stop - p }' "$T/main.notify" >"$T/wd"
read -r pings maxgap tail_gap <"$T/wd"
echo "# watchdog: $pings pings, longest gap ${maxgap} s, last ping ${tail_gap} s before STOPPING=1"
[ "$pings" -ge 3 ] && ok "watchdog: at least 3 pings" || not_ok "watchdog: at least 3 pings ($pings)"
awk -v g="$maxgap" 'BEGIN { exit !(g < 1.5) }' && ok "watchdog: no gap much over the 1 s interval" ||
	not_ok "watchdog: no gap much over the 1 s interval (longest ${maxgap} s)"
awk -v g="$tail_gap" 'BEGIN { exit !(g >= 0 && g < 1.5) }' && ok "watchdog: pings until the end" ||
	not_ok "watchdog: pings until the end (last ping ${tail_gap} s before stopping)"

### 6b. SIGINT: the same.
start_daemon int "$conf" || not_ok "the daemon starts again"
wait_for ' READY=1$' "$T/int.notify" && ok "SIGINT: READY=1 on the existing state database" ||
	not_ok "SIGINT: READY=1 on the existing state database"
if stop_daemon int INT; then
	same "SIGINT: exit status 0" "$(cat "$T/int.status")" 0
else
	not_ok "SIGINT: the daemon exits"
fi
wait_for ' STOPPING=1$' "$T/int.notify" && ok "SIGINT: STOPPING=1" || not_ok "SIGINT: STOPPING=1"
grep -q 'stopping on Interrupt' "$T/int.log" && ok "SIGINT: logged" || not_ok "SIGINT: logged"
grep -q 'created the state database' "$T/int.log" && not_ok "SIGINT: the state database was kept" ||
	ok "SIGINT: the state database was kept"
no_sanitizer int

### 7. A writer locks a rollback-journal case database longer than the
### daemon's busy timeout (5 s): the scan fails, the daemon lives on.
lockdb="$T/lock.db"
q "$db" ".backup '$lockdb'"
same "the copy is in rollback journal mode" "$(q "$lockdb" "PRAGMA journal_mode = DELETE")" delete
q "$lockdb" "INSERT INTO cases (id, ref, stage, received_at) VALUES (9003, 'T-9003', 'enquiry', '$(now)');
INSERT INTO parties (id, case_id, role) VALUES (90031, 9003, 'complainant');"
sed -e 's/"cases.db"/"lock.db"/' -e 's/"state.db"/"lock-state.db"/' "$conf" >"$T/lock.conf"
lstate="$T/lock-state.db"
start_daemon lock "$T/lock.conf" || not_ok "the daemon starts on the copy"
wait_for ' READY=1$' "$T/lock.notify" && ok "lock: READY=1" || not_ok "lock: READY=1"
sql="SELECT coalesce((SELECT state FROM obligations WHERE case_id = 9003 AND rule = 'acknowledge-enquiry'), 'not kept')"
wait_sql "$lstate" "$sql" "pending" && ok "lock: T-9003 pending" || not_ok "lock: T-9003 pending (got '$got')"
ml=$(lines "$T/lock.log")
contact=$(now)
hold excl "$lockdb" EXCLUSIVE "INSERT INTO events (case_id, at, kind, party_id, channel, detail)
	VALUES (9003, '$contact', 'contact', 90031, 'email', 'acknowledgement')"
wait_for ' locked$' "$T/excl.hold" || { not_ok "lock: the writer took its lock"; show "$T/excl.hout" hold; }
m=$(lines "$T/lock.notify")
if wait_after "$ml" 'scan failed, .*database is locked' "$T/lock.log"; then ok "lock: the log says the scan failed: database is locked"; else
	not_ok "lock: the log says the scan failed: database is locked"
	show "$T/lock.log" log
fi
same "lock: logged as a warning" "$(after "$ml" "$T/lock.log" | grep -m 1 'scan failed' | cut -c 1-3)" "<4>"
wait_after "$m" ' STATUS=Scan failed: .*database is locked' "$T/lock.notify" &&
	ok "lock: STATUS says the scan failed" || not_ok "lock: STATUS says the scan failed"
check "lock: still running" alive lock
touch "$T/excl.release"
wait_for ' released$' "$T/excl.hold"
m=$(lines "$T/lock.notify")
if wait_sql "$lstate" "$sql" "not kept" &&
	[ "$(shown_met "$T/lock.conf" T-9003 acknowledge-enquiry)" = "met $(epoch "$contact")" ]; then
	ok "lock released: the event committed is seen"
else
	not_ok "lock released: the event committed is seen (got '$got')"
fi
wait_after "$ml" 'scan succeeded again after: .*database is locked' "$T/lock.log" &&
	ok "lock released: the log says it succeeded again" || not_ok "lock released: the log says it succeeded again"
wait_after "$m" ' STATUS=Scanned ' "$T/lock.notify" && ok "lock released: STATUS says Scanned" ||
	not_ok "lock released: STATUS says Scanned"
if stop_daemon lock TERM; then
	same "lock: exit status 0" "$(cat "$T/lock.status")" 0
else
	not_ok "lock: the daemon exits"
fi
no_sanitizer lock

# A locked database is tried again soon (casewatchd.c: BUSY_RETRY_SEC, 30
# s), not a whole scan interval later. Locked from before the start, with
# a scan every minute: the first scan fails and names its next try.
sed -e 's/"lock-state.db"/"busy-state.db"/' -e 's/scan_interval = 1;/scan_interval = 60;/' "$T/lock.conf" >"$T/busy.conf"
hold busy "$lockdb" EXCLUSIVE "SELECT 1"
wait_for ' locked$' "$T/busy.hold" || { not_ok "busy: the writer took its lock"; show "$T/busy.hout" hold; }
start_daemon busy "$T/busy.conf" || not_ok "the daemon starts on the locked copy"
if wait_for ' STATUS=Scan failed: .*database is locked; next try ' "$T/busy.notify"; then
	seen=$(date +%s)
	next=$(grep -m 1 ' STATUS=Scan failed' "$T/busy.notify" | sed -n 's/.*; next try //p')
	in=$(($(epoch "$next") - seen))
	if [ "$in" -le 40 ]; then ok "busy: the next try is within 30 s"; else
		not_ok "busy: the next try is within 30 s (next try $next, $in s after the failure was seen)"
		show "$T/busy.log" log
	fi
else
	not_ok "busy: STATUS says the scan failed"
	show "$T/busy.notify" notify
fi
wait_for ' READY=1$' "$T/busy.notify" && ok "busy: READY=1 all the same" || not_ok "busy: READY=1 all the same"
touch "$T/busy.release"
wait_for ' released$' "$T/busy.hold"
if stop_daemon busy TERM; then
	same "busy: exit status 0" "$(cat "$T/busy.status")" 0
else
	not_ok "busy: the daemon exits"
fi
no_sanitizer busy

### A case database missing at start does not stop the daemon: READY=1
### all the same, the failure in STATUS and the log.
sed -e 's/"lock.db"/"absent.db"/' -e 's/"lock-state.db"/"absent-state.db"/' "$T/lock.conf" >"$T/absent.conf"
start_daemon absent "$T/absent.conf" || not_ok "the daemon starts without a case database"
wait_for ' READY=1$' "$T/absent.notify" && ok "no case database: READY=1" || not_ok "no case database: READY=1"
grep -q " STATUS=Scan failed: cannot open the case database $T/absent.db: .*casewatch db init" "$T/absent.notify" &&
	ok "no case database: STATUS says why the scan failed" || {
	not_ok "no case database: STATUS says why the scan failed"
	show "$T/absent.notify" notify
}
grep -Eq "^<3>casewatchd: scan failed, trying again at $ts: cannot open the case database $T/absent.db" "$T/absent.log" &&
	ok "no case database: logged as an error" || { not_ok "no case database: logged as an error"; show "$T/absent.log" log; }
check "no case database: still running" alive absent
if stop_daemon absent TERM; then
	same "no case database: exit status 0" "$(cat "$T/absent.status")" 0
else
	not_ok "no case database: the daemon exits"
fi
no_sanitizer absent

# Never a party label in the log (DESIGN.md section 6).
grep -l 'Resident\|Housing Officer\|PC \|PCSO ' "$T/main.log" "$T/int.log" "$T/lock.log" "$T/busy.log" "$T/absent.log" >"$T/labels" &&
	{ not_ok "no party label in the logs"; sed 's/^/# /' "$T/labels"; } || ok "no party label in the logs"

### 9. Two problems in the configuration at start: both logged, exit 1,
### and nothing told to the service manager as ready.
cat >"$T/bad.conf" <<'EOF'
database = "cases.db";
state = "bad-state.db";
colour = "blue";
timezone = "Mars/Olympus";
EOF
"$PY" "$LISTEN" "$T/bad.sock" "$T/bad.notify" >"$T/bad.lout" 2>&1 &
echo $! >"$T/bad.lpid"
wait_for '^listening$' "$T/bad.notify"
run "bad configuration at start" 1 timeout 60 env NOTIFY_SOCKET="$T/bad.sock" "$CASEWATCHD" -c "$T/bad.conf"
grep -qxF "<3>casewatchd: $T/bad.conf:3: unknown setting 'colour' in the configuration" "$T/err" &&
	ok "the unknown key, as FILE:LINE: message" || { not_ok "the unknown key, as FILE:LINE: message"; show "$T/err" stderr; }
grep -q "^<3>casewatchd: $T/bad.conf:4: unknown timezone 'Mars/Olympus'" "$T/err" &&
	ok "the bad time zone, as FILE:LINE: message" || { not_ok "the bad time zone, as FILE:LINE: message"; show "$T/err" stderr; }
grep -q "not starting" "$T/err" && ok "says it is not starting" || not_ok "says it is not starting"
check "no state database created" test ! -e "$T/bad-state.db"
# A datagram of our own after everything the daemon sent: what came
# before it is all the daemon said.
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"END=1", sys.argv[1])' "$T/bad.sock"
wait_for ' END=1$' "$T/bad.notify"
grep -q ' READY=1$' "$T/bad.notify" && not_ok "no READY=1 for a bad configuration" || ok "no READY=1 for a bad configuration"

### 10. A configuration file that does not exist.
run "missing -c file" 1 timeout 60 "$CASEWATCHD" -c "$T/nope.conf"
expect_err "says the file cannot be read" \
"<3>casewatchd: $T/nope.conf: cannot read: No such file or directory
<3>casewatchd: not starting: the configuration $T/nope.conf has errors"

### 11. A long first scan: it keeps the start timeout fed, and SIGTERM
### during it stops at once, keeping nothing of the scan.
big="$T/big.db"
"$CASEWATCH" db init "$big" >/dev/null
q "$big" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
	INSERT INTO cases (ref, received_at) SELECT 'BIG-' || i, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (i % 20) || ' days') FROM n"
printf 'database = "big.db";\nstate = "big-state.db";\nrules = [ "rules.conf" ];\n' >"$T/big.conf"
start_daemon big "$T/big.conf" || not_ok "the daemon starts on 50,000 cases"
if wait_for ' EXTEND_TIMEOUT_USEC=[0-9]+$' "$T/big.notify"; then
	ok "a long first scan extends the start timeout"
else
	not_ok "a long first scan extends the start timeout"
	show "$T/big.notify" notify
fi
stop_daemon big TERM
same "SIGTERM during the first scan: exit status 0" "$(cat "$T/big.status")" 0
grep -q ' STOPPING=1$' "$T/big.notify" && ok "SIGTERM during the first scan: STOPPING=1" ||
	not_ok "SIGTERM during the first scan: STOPPING=1"
grep -q ' READY=1$' "$T/big.notify" && not_ok "no READY=1 for a scan abandoned" || ok "no READY=1 for a scan abandoned"
same "the abandoned scan kept nothing" "$(q "$T/big-state.db" "SELECT count(*) FROM cases")" 0
no_sanitizer big

done_testing

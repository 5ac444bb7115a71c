# What the tests of a running casewatchd share: starting it as systemd
# does, with NOTIFY_SOCKET bound by notify-listen.py, stopping it, and
# waiting, by polling with a generous bound, for what must eventually
# happen. Sourced after tests/lib.sh.

CASEWATCHD="$top_builddir/casewatchd"
PY=/usr/bin/python3
LISTEN="$top_srcdir/tests/notify-listen.py"
WAIT=30 # seconds: the bound of every wait; the normal path takes far less

# Every process started here is ended by its id, even when a check fails
# or the script is interrupted.
cleanup() {
	for f in "$T"/*.dpid; do
		[ -f "$f" ] && [ ! -f "${f%.dpid}.status" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	for f in "$T"/*.hpid; do
		[ -f "$f" ] && ! grep -q ' released$' "${f%.hpid}.hold" 2>/dev/null && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	for f in "$T"/*.lpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	wait
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
lines() { wc -l <"$1" | tr -d ' '; }
# after N FILE: the lines of FILE after the first N.
after() { sed -n "$(($1 + 1)),\$p" "$2" 2>/dev/null; }
# line_after N PATTERN FILE: the number of the first line after the first
# N that matches PATTERN (an ERE), or N when there is none.
line_after() { awk -v n="$1" -v p="$2" 'NR > n && $0 ~ p { print NR; f = 1; exit } END { if (!f) print n }' "$3"; }
# wait_after N PATTERN FILE: until a line after the first N of FILE
# matches PATTERN, polling every 0.1 s for at most $WAIT seconds.
wait_after() {
	_i=0
	until after "$1" "$3" | grep -Eq -- "$2"; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
wait_for() { wait_after 0 "$1" "$2"; }
# wait_count N COUNT PATTERN FILE: until COUNT lines after the first N match.
wait_count() {
	_i=0
	until [ "$(after "$1" "$4" | grep -Ec -- "$3")" -ge "$2" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
wait_file() {
	_i=0
	until [ -s "$1" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
# q DB SQL: a query, waiting out a writer's lock.
q() { sqlite3 -batch -cmd '.timeout 10000' "$1" "$2"; }
# wait_sql DB SQL WANT: until the answer is WANT; the last one is in $got.
wait_sql() {
	_i=0
	until got=$(q "$1" "$2" 2>&1) && [ "$got" = "$3" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
alive() { [ ! -f "$T/$1.status" ] && kill -0 "$(cat "$T/$1.dpid")" 2>/dev/null; }
show() { sed "s/^/# $2: /" "$1" | tail -n "${3:-15}"; }

# start_daemon NAME CONF [VAR=VALUE...]: a listener on $T/NAME.sock logging
# to $T/NAME.notify, and casewatchd -c CONF told of it, with stderr in
# $T/NAME.log, its pid in $T/NAME.dpid and, once it exits, its status in
# $T/NAME.status.
start_daemon() {
	_name=$1 _conf=$2
	shift 2
	"$PY" "$LISTEN" "$T/$_name.sock" "$T/$_name.notify" >"$T/$_name.lout" 2>&1 &
	echo $! >"$T/$_name.lpid"
	wait_for '^listening$' "$T/$_name.notify" || return 1
	(
		env NOTIFY_SOCKET="$T/$_name.sock" "$@" \
			sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$T/$_name.dpid" \
			"$CASEWATCHD" -c "$_conf" >"$T/$_name.out" 2>"$T/$_name.log"
		echo $? >"$T/$_name.status"
	) </dev/null >/dev/null 2>&1 &
	wait_file "$T/$_name.dpid"
}
# stop_daemon NAME SIGNAL: signal it and wait for it to exit.
stop_daemon() {
	kill -"$2" "$(cat "$T/$1.dpid")"
	wait_file "$T/$1.status"
}
# no_sanitizer NAME: the daemon's log has no sanitizer report.
no_sanitizer() {
	if grep -q 'Sanitizer\|runtime error:' "$T/$1.log"; then
		not_ok "$1: no sanitizer report"
		show "$T/$1.log" log 40
	else
		ok "$1: no sanitizer report"
	fi
}

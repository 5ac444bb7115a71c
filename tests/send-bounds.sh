#!/bin/sh
# Every wait on an SMTP relay is bounded, whatever the relay does: against
# tests/bad-relay.py in four modes (silent: never a greeting; trickle: each
# reply one byte a second, so that no single read times out; hang-after-
# data: no reply to the end of DATA; syn-drop: a full accept queue, so that
# connect() itself hangs, as libESMTP has no connect timeout).
#
# (a) tests/mail-send, timeout 2 s, three messages: the session fails
#     within a bound, every message to retry with a reason that says what
#     happened.
# (b) casewatchd (smtp timeout = 2, WATCHDOG_USEC set, NOTIFY_SOCKET bound
#     by tests/notify-listen.py) with $N messages due: the round fails fast
#     (one connection, the first failure and "N more messages not delivered
#     for the same reason"), scans go on, and with a session stuck under a
#     timeout of 30 s (a bound of 60 s) a SIGHUP is answered with
#     RELOADING=1 and READY=1 and a SIGTERM ends the daemon, each within
#     seconds; the watchdog is pinged all along; nothing is left 'sending'.
# (c) casewatchd posting to a webhook that never answers: a SIGTERM ends
#     it within seconds, the POST to be tried again.
#
# The bounds asserted are functional (a hang against a bound many times the
# normal time), never performance; the times measured are printed as TAP
# comments. The four daemons of (b) run side by side to keep the test short.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CASEWATCHD="$top_builddir/casewatchd"
MAIL_SEND="$top_builddir/tests/mail-send"
. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
RELAY="$top_srcdir/tests/bad-relay.py"
LISTEN="$top_srcdir/tests/notify-listen.py"
N=${BOUNDS_MESSAGES:-120} # messages due: three batches of the outbox (50 a session)
MORE=5                    # messages of each stuck session
WD_USEC=10000000          # the watchdog interval given to casewatchd
WAIT=30                   # seconds: the bound of every wait for what must happen
BOUND=15                  # seconds: the bound asserted for an answer to a signal
MODES=${BOUNDS_MODES:-silent trickle hang-after-data syn-drop}

need_python

# Every process started here is ended by its id, even when a check fails
# or the script is interrupted.
cleanup() {
	for f in "$T"/*/dpid; do
		[ -f "$f" ] && [ ! -f "${f%dpid}status" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	for f in "$T"/*/lpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	stop_servers
	wait
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

tab=$(printf '\t')
mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
# elapsed T0 T1: T1 - T0 in seconds, to the millisecond.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# below X LIMIT: X < LIMIT (decimals).
below() { awk -v x="$1" -v l="$2" 'BEGIN { exit !(x != "" && x + 0 < l + 0) }'; }
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
# has_child PID: PID has a child process (casewatchd's SMTP session).
# (cat, not awk, reads the files: a process may end between the glob and
# the read.)
has_child() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{ sub(/^.*\) /, ""); if ($2 == p) f = 1 } END { exit !f }'
}
wait_child() {
	_i=0
	until has_child "$1"; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

### The relays, one per mode. trickle sends a byte a second, half the
### timeout: libESMTP's own timeout of each read never fires, and only the
### session's bound can end it.
for mode in $MODES; do
	if ! serve "$T/$mode.port" "$T/$mode.relay" "$RELAY" "$mode" --interval 1; then
		echo "Bail out! tests/bad-relay.py $mode did not start"
		exit 1
	fi
done

# syn-drop is real only if the kernel drops the SYN of a connection to a
# full accept queue: a connect() must hang, not succeed nor be refused.
probe_connect() {
	"$PY" -c '
import socket, sys
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    print("succeeds")
except socket.timeout:
    print("hangs")
except OSError as e:
    print("fails: %s" % e)
' "$1"
}
case " $MODES " in
*" syn-drop "*)
	probe=$(probe_connect "$(cat "$T/syn-drop.port")")
	if [ "$probe" = "hangs" ]; then
		ok "syn-drop: a connect() to the relay's full accept queue hangs (SYN dropped)"
	else
		# No iptables or nft here to drop SYNs another way: say so
		# and test the other modes.
		echo "# syn-drop: a connect() to the full accept queue $probe on this kernel ($(uname -r)): mode not tested"
		ok "syn-drop: a connect() to the relay's full accept queue hangs # SKIP it $probe on this kernel"
		MODES=$(echo "$MODES" | sed 's/syn-drop//')
	fi
	;;
esac

### (a) mail-send: three messages, a timeout of 2 s.
# The reason each mode must give for every message.
why_silent="no greeting from the server within 2 s, or the connection was closed before it"
why_trickle="no answer from the server within 4 s: the session was ended"
why_syn_drop="$why_trickle"
for mode in $MODES; do
	port=$(cat "$T/$mode.port")
	t0=$(mono)
	run "$mode: mail-send returns" 0 timeout -s KILL 120 "$MAIL_SEND" --server "127.0.0.1:$port" --no-tls \
		--timeout-ms 2000 --show-session --count 3 a@council.test
	t1=$(mono)
	ms=$(sed -n "s/^session${tab}failed${tab}\([0-9]*\)\$/\1/p" "$T/out")
	echo "# $mode: mail-send session failed after ${ms:-?} ms (the process ran $(elapsed "$t0" "$t1") s)"
	if [ -n "$ms" ] && [ "$ms" -lt 20000 ]; then
		ok "$mode: the session failed within 20 s (${ms} ms)"
	else
		not_ok "$mode: the session failed within 20 s"
		sed 's/^/# out: /' "$T/out"
	fi
	same "$mode: a line for each message, then the session's" "$(lines "$T/out")" 4
	same "$mode: every message to retry" "$(head -n 3 "$T/out" | cut -f 1,2 | sort -u)" "a@council.test${tab}retry"
	case $mode in
	hang-after-data)
		# The first message went out whole and had no reply; the
		# others were never sent.
		lost="smtp 127.0.0.1:$port: no reply after DATA within 2 s: the session was ended"
		same "$mode: the messages never sent: no reply after DATA" "$(sed -n 2,3p "$T/out" | cut -f 3,4 | sort -u)" \
			"0${tab}$lost"
		first=$(head -n 1 "$T/out")
		# 354 is the server's go-ahead for the data, not a verdict on
		# the message: the reason must say there was no reply.
		if [ "$(printf '%s\n' "$first" | cut -f 3)" != 354 ] && ! printf '%s\n' "$first" | grep -q 'DATA: 354'; then
			ok "$mode: the message in hand is not said to be refused with 354 (a go-ahead, not a verdict)"
		else
			not_ok "$mode: the message in hand is not said to be refused with 354 (a go-ahead, not a verdict)"
			echo "# got: $first"
		fi
		same "$mode: the message in hand: no reply, and the server may have it" "$(printf '%s\n' "$first" | cut -f 3,4)" \
			"0${tab}$lost (the message data was sent: the server may have it)"
		;;
	*)
		eval "why=\$why_$(echo "$mode" | tr - _)"
		same "$mode: the reason, for each message" "$(head -n 3 "$T/out" | cut -f 3,4 | sort -u)" \
			"0${tab}smtp 127.0.0.1:$port: $why"
		;;
	esac
done

### (a2) Relays that answer wrongly, not slowly. data-250: DATA answered
### with 250 where 354 is due, so no message was ever sent: none may be
### called sent. no-quit-reply: every message taken, QUIT never answered:
### every message sent, and the session not called failed.
for mode in data-250 no-quit-reply; do
	if ! serve "$T/$mode.port" "$T/$mode.relay" "$RELAY" "$mode"; then
		not_ok "$mode: tests/bad-relay.py started"
		continue
	fi
	port=$(cat "$T/$mode.port")
	run "$mode: mail-send returns" 0 timeout -s KILL 120 "$MAIL_SEND" --server "127.0.0.1:$port" --no-tls \
		--timeout-ms 2000 --show-session --count 3 a@council.test
	case $mode in
	data-250)
		# (libESMTP is lost after that reply: the others fail as they may.)
		same "$mode: no message called sent" "$(head -n 3 "$T/out" | cut -f 2 | sort -u)" retry
		same "$mode: the first one's reason" "$(head -n 1 "$T/out" | cut -f 3-)" \
			"250${tab}smtp 127.0.0.1:$port: DATA: the server answered 250, not 354: the message was not sent"
		;;
	no-quit-reply)
		same "$mode: every message sent" "$(head -n 3 "$T/out" | cut -f 1,2 | sort -u)" "a@council.test${tab}sent"
		same "$mode: the session did not fail" "$(sed -n 4p "$T/out" | cut -f 1,2)" "session${tab}ok"
		;;
	esac
done

### (b) casewatchd. N officers of one team, a rule of one hour that tells
### the officer when it is overdue; a baseline scan with no case; then N
### cases received two hours ago, so that the daemon's first scan queues N
### messages, all due at once.
base="$T/base"
mkdir "$base"
mass_setup "$base" b "$N"
# write_conf DIR PORT TIMEOUT
write_conf() { mass_conf "$1/casewatch.conf" state.db "$(mass_smtp "$2" "$3")"; }
write_conf "$base" 25 2
run "baseline: the first scan, with no case yet" 0 "$CASEWATCH" -c "$base/casewatch.conf" run --once
mass_cases "$base/cases.db" b B 1 "$N"

# The relays of (b), fresh, so that their logs count only the daemons'
# connections.
for mode in $MODES; do
	if ! serve "$T/$mode.port2" "$T/$mode.relay2" "$RELAY" "$mode" --interval 1; then
		echo "Bail out! tests/bad-relay.py $mode did not start"
		exit 1
	fi
done

# more_cases DB FIRST: MORE new cases from id FIRST, received two hours
# ago, for the first MORE officers: MORE new messages at the next scan.
more_cases() { mass_cases "$1" b B "$2" $(($2 + MORE - 1)) $(($2 - 1)); }

# A mode's checks run in the background and write "PASS name", "FAIL name"
# and "# comment" lines, replayed in order afterwards.
r_ok() { echo "PASS $*"; }
r_not_ok() { echo "FAIL $*"; }
r_check() {
	_name=$1
	shift
	if "$@"; then r_ok "$_name"; else r_not_ok "$_name"; fi
}
r_same() { if [ "$2" = "$3" ]; then r_ok "$1"; else r_not_ok "$1 (got '$2', want '$3')"; fi; }
r_below() { if below "$2" "$3"; then r_ok "$1 (${2} s)"; else r_not_ok "$1 (${2:-no answer} s, bound $3 s)"; fi; }
show() { tail -n "${3:-15}" "$1" | sed "s/^/# $2: /"; }

# start_daemon DIR: a listener on DIR/notify.sock logging to DIR/notify,
# and casewatchd -c DIR/casewatch.conf told of it and of a watchdog, with
# stderr in DIR/daemon.log, its pid in DIR/dpid and, once it exits, its
# status in DIR/status.
start_daemon() {
	"$PY" "$LISTEN" "$1/notify.sock" "$1/notify" >"$1/listen.out" 2>&1 &
	echo $! >"$1/lpid"
	wait_after 0 '^listening$' "$1/notify" || return 1
	(
		env NOTIFY_SOCKET="$1/notify.sock" WATCHDOG_USEC=$WD_USEC \
			sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$1/dpid" \
			"$CASEWATCHD" -c "$1/casewatch.conf" >"$1/daemon.out" 2>"$1/daemon.log"
		echo $? >"$1/status"
	) </dev/null >/dev/null 2>&1 &
	wait_file "$1/dpid"
}

# round_checks NAME DIR FROM-LINE COUNT: the round whose log starts after
# line FROM-LINE of DIR/daemon.log failed fast: every one of its COUNT
# messages to retry, listed as a few lines and "K more messages not
# delivered for the same reason".
round_checks() {
	_count=$4
	_log="$2/daemon.log"
	if ! wait_after "$3" 'casewatchd: sent 0 messages \(0 email, 0 webhook\) in [0-9]+ ms; [0-9]+ to retry, 0 dead$' "$_log"; then
		r_not_ok "$1: the round ends, every message to retry"
		show "$_log" log
		return
	fi
	_end=$(line_after "$3" 'casewatchd: sent 0 messages' "$_log")
	sed -n "$(($3 + 1)),${_end}p" "$_log" >"$2/round"
	_ms=$(sed -n 's/.*: sent 0 messages (0 email, 0 webhook) in \([0-9]*\) ms; .*/\1/p' "$2/round")
	_retry=$(sed -n 's/.*; \([0-9]*\) to retry, 0 dead$/\1/p' "$2/round")
	# (Messages of an earlier round may come due during a later one.)
	if [ -n "$_retry" ] && [ "$_retry" -ge "$_count" ]; then r_ok "$1: the round ends, its $_count messages to retry"; else
		r_not_ok "$1: the round ends, its $_count messages to retry ($_retry to retry)"
	fi
	_listed=$(grep -c 'casewatchd: not delivered: message [0-9]* to ' "$2/round")
	_more=$(sed -n 's/.*casewatchd: not delivered: \([0-9]*\) more messages\{0,1\} not delivered for the same reason$/\1/p' "$2/round" |
		awk '{ s += $1 } END { print s + 0 }')
	echo "# $1: the round took $_ms ms: $_listed messages listed, $_more more for the same reason"
	sed -n 's/.*casewatchd: not delivered: /# '"$1"': /p' "$2/round" | head -n 6
	r_same "$1: each message listed or counted once" "$((_listed + _more))" "$_retry"
	if [ "$_listed" -le 5 ] && [ "$_more" -ge $((_retry - 5)) ]; then
		r_ok "$1: the first failures, and the rest as N more for the same reason ($_listed, $_more)"
	else
		r_not_ok "$1: the first failures, and the rest as N more for the same reason ($_listed listed, $_more more)"
	fi
	# The session's bound is 2 x 2 s; N waits of it would be minutes.
	r_below "$1: the round took about one timeout, not one per message" "$(awk -v m="$_ms" 'BEGIN { printf "%.3f", m / 1000 }')" 20
}

# daemon_mode MODE: (b) for one relay mode, in $T/b-MODE.
daemon_mode() {
	mode=$1
	d="$T/b-$mode"
	port=$(cat "$T/$mode.port2")
	relay="$T/$mode.relay2"
	mkdir "$d"
	cp "$base/cases.db" "$base/state.db" "$base/rules.conf" "$d/"
	write_conf "$d" "$port" 2
	log="$d/daemon.log"
	notify="$d/notify"

	### The first scan queues N messages; their round fails fast.
	if ! start_daemon "$d"; then
		r_not_ok "$mode: the daemon starts"
		return
	fi
	dpid=$(cat "$d/dpid")
	if wait_after 0 ' READY=1$' "$notify"; then r_ok "$mode: READY=1 after the first scan and its round"; else
		r_not_ok "$mode: READY=1 after the first scan and its round"
		show "$log" log
	fi
	round_checks "$mode: first round" "$d" 0 "$N"
	case $mode in
	syn-drop) ;; # no connection ever completes
	*)
		r_same "$mode: first round: one connection to the relay, the later batches spared it" \
			"$(grep -c 'bad-relay connection [0-9]* (' "$relay")" 1
		;;
	esac

	### The scans go on.
	m=$(line_after 0 'casewatchd: sent 0 messages' "$log")
	if wait_count "$m" 3 'casewatchd: scan: ' "$log"; then r_ok "$mode: the scans go on after the failed round"; else
		r_not_ok "$mode: the scans go on after the failed round"
		show "$log" log
	fi

	### A session stuck under a timeout of 30 s (a bound of 60 s): new
	### cases, whose messages the next scan sends. (The state database is
	### the daemon's alone while it runs.)
	write_conf "$d" "$port" 30
	m=$(lines "$notify")
	ml=$(lines "$log")
	kill -HUP "$dpid"
	if wait_after "$m" ' READY=1$' "$notify" && wait_after "$ml" 'configuration reloaded$' "$log"; then
		r_ok "$mode: reloaded with timeout = 30"
	else
		r_not_ok "$mode: reloaded with timeout = 30"
		show "$log" log
	fi
	more_cases "$d/cases.db" $((N + 1))
	if wait_child "$dpid"; then r_ok "$mode: a session under timeout = 30 under way"; else
		r_not_ok "$mode: a session under timeout = 30 under way"
		show "$log" log
	fi
	sleep 1

	### SIGHUP while it is stuck: RELOADING=1 and READY=1 within seconds,
	### the reload back to timeout = 2 (the reload's scan sends again, and
	### fails fast).
	write_conf "$d" "$port" 2
	m=$(lines "$notify")
	ml=$(lines "$log")
	t0=$(mono)
	kill -HUP "$dpid"
	wait_after "$m" ' READY=1$' "$notify"
	rl=$(after "$m" "$notify" | awk '$2 == "RELOADING=1" { print $1; exit }')
	rd=$(after "$m" "$notify" | awk '$2 == "READY=1" { print $1; exit }')
	hup_reloading=$([ -n "$rl" ] && elapsed "$t0" "$rl")
	hup_ready=$([ -n "$rd" ] && elapsed "$t0" "$rd")
	echo "# $mode: SIGHUP during a stuck session: RELOADING=1 after ${hup_reloading:-never} s, READY=1 after ${hup_ready:-never} s"
	r_below "$mode: SIGHUP while stuck: RELOADING=1 within $BOUND s" "$hup_reloading" $BOUND
	r_below "$mode: SIGHUP while stuck: READY=1 within $BOUND s" "$hup_ready" $BOUND
	case $mode in
	hang-after-data)
		# The message in hand had its data sent when the session was
		# stopped: the server may have it, so it is tried again after
		# the usual wait, in the stopped round's summary, never
		# released at once; the reload's round sends the others.
		if wait_after "$ml" 'casewatchd: sent 0 messages .* 1 to retry, 0 dead$' "$log"; then
			stopped=$(line_after "$ml" 'casewatchd: sent 0 messages' "$log")
			if sed -n "$((ml + 1)),${stopped}p" "$log" |
				grep -q 'not sent: stopped (the message data was sent: the server may have it) (will retry)$'; then
				r_ok "$mode: the stopped round: the message in hand to retry, the server may have it"
			else
				r_not_ok "$mode: the stopped round: the message in hand to retry, the server may have it"
				show "$log" log
			fi
			round_checks "$mode: the reload's round" "$d" "$stopped" $((MORE - 1))
		else
			r_not_ok "$mode: the stopped round: the message in hand to retry, the server may have it"
			show "$log" log
		fi
		;;
	*)
		# Nothing went out of the message in hand: released, it goes
		# with the others in the reload's round.
		round_checks "$mode: the reload's round" "$d" "$ml" $MORE
		;;
	esac

	### SIGTERM while it is stuck: the daemon exits within seconds.
	write_conf "$d" "$port" 30
	m=$(lines "$notify")
	kill -HUP "$dpid"
	if wait_after "$m" ' READY=1$' "$notify"; then r_ok "$mode: reloaded with timeout = 30 again"; else
		r_not_ok "$mode: reloaded with timeout = 30 again"
	fi
	more_cases "$d/cases.db" $((N + MORE + 1))
	if wait_child "$dpid"; then r_ok "$mode: a session under timeout = 30 under way again"; else
		r_not_ok "$mode: a session under timeout = 30 under way again"
	fi
	sleep 1
	t0=$(mono)
	kill -TERM "$dpid"
	_i=0
	until [ -s "$d/status" ] || [ $_i -ge 1200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	t1=$(mono)
	if [ -s "$d/status" ]; then
		term=$(elapsed "$t0" "$t1")
		echo "# $mode: SIGTERM during a stuck session: exited after $term s"
		r_below "$mode: SIGTERM while stuck: the daemon exits within $BOUND s" "$term" $BOUND
		r_same "$mode: SIGTERM while stuck: exit status 0" "$(cat "$d/status")" 0
	else
		r_not_ok "$mode: SIGTERM while stuck: the daemon exits within $BOUND s (still running after 60 s)"
		kill -KILL "$dpid"
		wait_file "$d/status"
	fi
	if grep -q ' STOPPING=1$' "$notify"; then r_ok "$mode: STOPPING=1"; else r_not_ok "$mode: STOPPING=1"; fi

	### What is left: every message pending, none claimed, none sent.
	r_same "$mode: every message waiting, none left 'sending', none sent" \
		"$(q "$d/state.db" "SELECT status || ' ' || count(*) FROM messages GROUP BY status")" "pending $((N + 2 * MORE))"

	### The watchdog, over the whole run: pinged all along.
	awk '$2 == "WATCHDOG=1" { if (n++) { g = $1 - p; if (g > max) max = g } p = $1 }
	     $2 == "STOPPING=1" { stop = $1 }
	     END { printf "%d %.3f %.3f\n", n, max, stop - p }' "$notify" >"$d/wd"
	read -r pings maxgap tailgap <"$d/wd"
	echo "# $mode: watchdog (WATCHDOG_USEC=$WD_USEC): $pings pings, longest gap $maxgap s, last $tailgap s before STOPPING=1"
	r_check "$mode: watchdog pinged at least 5 times" [ "$pings" -ge 5 ]
	r_below "$mode: watchdog: every gap below the interval" "$maxgap" "$((WD_USEC / 1000000))"
	r_below "$mode: watchdog: pinged until the end" "$tailgap" "$((WD_USEC / 1000000))"
	if grep -q 'Sanitizer\|runtime error:' "$log"; then
		r_not_ok "$mode: no sanitizer report"
		grep -A 30 'Sanitizer\|runtime error:' "$log" | head -n 40 | sed 's/^/# /'
	else
		r_ok "$mode: no sanitizer report"
	fi
}

for mode in $MODES; do
	daemon_mode "$mode" >"$T/b-$mode.tap" 2>&1 &
	echo $! >"$T/b-$mode.jpid"
done
for mode in $MODES; do
	wait "$(cat "$T/b-$mode.jpid")"
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) not_ok "${line#FAIL }" ;;
		"#"*) echo "$line" ;;
		*) echo "# $mode: $line" ;;
		esac
	done <"$T/b-$mode.tap"
done

### (c) A webhook that takes the POST and never answers (tests/http-
### receiver.py sleeping 120 s; the post's own bound is 30 s): a SIGTERM
### while it waits ends the daemon within seconds, and the POST, which the
### receiver has, is to be tried again.
c="$T/c-webhook"
mkdir "$c"
cp "$base/cases.db" "$base/state.db" "$base/rules.conf" "$c/"
if serve "$T/hook.port" "$T/hook.err" "$top_srcdir/tests/http-receiver.py" --out "$c/hook.log" --sleep /hang=120; then
	mass_conf "$c/casewatch.conf" state.db \
		"webhooks = ( { name = \"hang\"; url = \"http://127.0.0.1:$(cat "$T/hook.port")/hang\"; } );"
	start_daemon "$c"
	dpid=$(cat "$c/dpid")
	if wait_file "$c/hook.log"; then ok "webhook: the POST reached the receiver, which does not answer"; else
		not_ok "webhook: the POST reached the receiver, which does not answer"
		tail -n 15 "$c/daemon.log" | sed 's/^/# log: /'
	fi
	sleep 1
	t0=$(mono)
	kill -TERM "$dpid"
	_i=0
	until [ -s "$c/status" ] || [ $_i -ge 1200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	t1=$(mono)
	if [ -s "$c/status" ]; then
		term=$(elapsed "$t0" "$t1")
		echo "# webhook: SIGTERM during a POST with no answer: exited after $term s"
		if below "$term" $BOUND; then ok "webhook: SIGTERM while stuck: the daemon exits within $BOUND s ($term s)"; else
			not_ok "webhook: SIGTERM while stuck: the daemon exits within $BOUND s ($term s)"
		fi
		same "webhook: SIGTERM while stuck: exit status 0" "$(cat "$c/status")" 0
	else
		not_ok "webhook: SIGTERM while stuck: the daemon exits within $BOUND s (still running after 60 s)"
		kill -KILL "$dpid"
		wait_file "$c/status"
	fi
	# It went, unanswered: tried again later, its attempt counted.
	same "webhook: the POST to retry, the server may have it" \
		"$(q "$c/state.db" "SELECT status || ' ' || attempts || ' ' || last_error FROM messages WHERE channel = 'webhook'")" \
		"pending 1 webhook hang: stopped with no answer (the request was sent: the server may have it)"
	same "webhook: the emails went to the Maildir" \
		"$(q "$c/state.db" "SELECT status || ' ' || count(*) FROM messages WHERE channel = 'email' GROUP BY status")" "sent $N"
	if grep -q 'Sanitizer\|runtime error:' "$c/daemon.log"; then
		not_ok "webhook: no sanitizer report"
		grep -A 30 'Sanitizer\|runtime error:' "$c/daemon.log" | head -n 40 | sed 's/^/# /'
	else
		ok "webhook: no sanitizer report"
	fi
else
	not_ok "webhook: tests/http-receiver.py started"
fi

done_testing

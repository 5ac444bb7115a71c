#!/bin/sh
# Two senders on one state database: casewatchd (a scan every second) and,
# beside it, `casewatch run --once` and `casewatch outbox send` in turn,
# round after round, against a real SMTP server (tests/smtp-server.py,
# aiosmtpd, which logs each delivery: recipient, Message-ID, sha256). The
# cases arrive in waves, so that new messages keep appearing while both
# run, and after every other wave the command line scans at once, racing
# the daemon for it. Nobody is killed here, so every message must arrive
# exactly once; the ledger has one row per notification; nothing is left
# 'sending'; and one of the two must have been told at least once that
# the other was sending (proof that they really overlapped: the counts are
# printed).
# Whether the two overlapped, and whether each sent some, is up to the
# machine's timing: a run where they did not proved nothing about them,
# and is run again, at most three times in all. Any other failure is
# reported at once.
if [ -z "${SEND_CONCURRENT_ATTEMPT:-}" ]; then
	_out=$(mktemp)
	for _a in 1 2 3; do
		_st=0
		SEND_CONCURRENT_ATTEMPT=$_a sh "$0" >"$_out" 2>&1 || _st=$?
		if [ $_a -lt 3 ] && grep -q '^not ok' "$_out" &&
			! grep -v '^not ok [0-9]* - \(the command line overlapped\|both sent some\)' "$_out" | grep -q '^not ok'; then
			echo "# attempt $_a: the two senders did not overlap, or did not both send; again:"
			grep '^not ok' "$_out" | sed 's/^/#   /'
			continue
		fi
		cat "$_out"
		[ $_a -eq 1 ] || echo "# (attempt $_a of 3)"
		rm -f "$_out"
		exit $_st
	done
fi
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CASEWATCHD="$top_builddir/casewatchd"
. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
SMTP="$top_srcdir/tests/smtp-server.py"
N=${CONCURRENT_MESSAGES:-600} # officers, each with one overdue case: one message each
WAVES=${CONCURRENT_WAVES:-12} # the cases arrive in this many waves
MIN_ROUNDS=24                 # command-line rounds at least
WAIT=90                       # seconds: the bound of the final wait

need_python aiosmtpd

dpid=
cleanup() {
	[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null
	stop_servers
	wait
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

sent_now() { if [ -f "$T/smtp/log" ]; then lines "$T/smtp/log"; else echo 0; fi; }

mkdir "$T/smtp"
# The relay takes 20 ms a message, as a real one does: a wave's sending
# then lasts long enough for the other sender to come (over loopback with
# nothing to slow it, one process sent everything between the other's
# scans).
if ! serve "$T/smtp.port" "$T/smtp.err" "$SMTP" --out "$T/smtp" --data-delay 20; then
	echo "Bail out! the SMTP server did not start"
	exit 1
fi

db="$T/cases.db"
mass_setup "$T" c "$N"
conf="$T/casewatch.conf"
mass_conf "$conf" state.db "$(mass_smtp "$(cat "$T/smtp.port")")"
state="$T/state.db"
run "baseline: the first scan, with no case yet" 0 "$CASEWATCH" -c "$conf" run --once

"$CASEWATCHD" -c "$conf" >/dev/null 2>"$T/daemon.log" </dev/null &
dpid=$!
_i=0
until grep -q '^<[0-7]>casewatchd: scan: ' "$T/daemon.log" 2>/dev/null; do
	if [ $_i -ge 300 ] || ! kill -0 "$dpid" 2>/dev/null; then
		echo "Bail out! casewatchd did not scan"
		sed 's/^/# log: /' "$T/daemon.log" | tail -n 20
		exit 1
	fi
	sleep 0.1
	_i=$((_i + 1))
done
ok "casewatchd runs and scans"

# The waves of cases, in the background: N / WAVES cases a second.
per=$((N / WAVES))
(
	w=0
	while [ $w -lt $WAVES ]; do
		from=$((w * per + 1))
		to=$(((w + 1) * per))
		[ $w -eq $((WAVES - 1)) ] && to=$N
		mass_cases "$db" c C "$from" "$to" || echo "wave $w failed"
		# After every other wave the command line scans at once,
		# racing the daemon's next scan for it (the rounds below
		# mostly find a wave taken: the daemon scans every second);
		# the daemon has the others to itself until its scan.
		if [ $((w % 2)) -eq 1 ]; then
			"$CASEWATCH" -c "$conf" run --once >"$T/wave$w.out" 2>"$T/wave$w.err" ||
				echo "wave $w: run --once failed"
		fi
		w=$((w + 1))
		sleep 1
	done
	echo done
) >"$T/waves.out" 2>&1 &
waves=$!

# The command line, round after round, until the waves are in and
# MIN_ROUNDS are done: run --once (scan, queue, send) one round in six,
# outbox send the others. Each round's output is kept.
rounds=0 busy=0 failed=0
while :; do
	rounds=$((rounds + 1))
	if [ $((rounds % 6)) -eq 1 ]; then
		set -- run --once
	else
		set -- outbox send
	fi
	st=0
	"$CASEWATCH" -c "$conf" "$@" >"$T/round$rounds.out" 2>"$T/round$rounds.err" || st=$?
	if [ $st -ne 0 ]; then
		failed=$((failed + 1))
		echo "# round $rounds ($*): exit $st"
		sed 's/^/# /' "$T/round$rounds.err" | head -n 5
	fi
	if grep -q 'another process (casewatchd, or another casewatch) is sending from this state database' \
		"$T/round$rounds.out" "$T/round$rounds.err"; then
		busy=$((busy + 1))
	fi
	if [ $rounds -ge $MIN_ROUNDS ] && ! kill -0 "$waves" 2>/dev/null; then
		break
	fi
	# A breath between rounds: every other one lasts until casewatchd has
	# logged two more scans (at most 5 s), so that a whole scan of its,
	# and the send after it, began after this round: casewatchd starts
	# sending in it (the relay's 20 ms a message make that last), and the
	# next round comes while it does; the others are short. The command
	# line alone, every 0.1 s, held the state database's send lock almost
	# all the time under the sanitizers, and a fixed pause of 1.2 s was
	# not always a scan of casewatchd's when the suite ran in parallel.
	if [ $((rounds % 2)) -eq 0 ]; then
		scans=$(grep -c 'casewatchd: scan: ' "$T/daemon.log" || true)
		waited=0
		while [ "$(grep -c 'casewatchd: scan: ' "$T/daemon.log" || true)" -lt $((scans + 2)) ] &&
			[ $waited -lt 50 ]; do
			sleep 0.1
			waited=$((waited + 1))
		done
	else
		sleep 0.1
	fi
done
wait "$waves"
same "the $WAVES waves of cases went in" "$(cat "$T/waves.out")" "done"
same "every command-line round exited 0" "$failed" 0
sent_cli=$(cat "$T"/round*.out "$T"/wave*.out | sed -n 's/.*sent \([0-9]*\) messages.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
echo "# $rounds command-line rounds; $busy told another process was sending; the command line's own sends: $sent_cli messages"
# Either side may find the other sending: both are proof.
found=$(grep -c 'another process is sending from the state database' "$T/daemon.log" || true)
if [ "$busy" -ge 1 ] || [ "$found" -ge 1 ]; then
	ok "the command line overlapped with casewatchd ($busy of $rounds rounds told another process was sending; casewatchd told so $found times)"
else
	not_ok "the command line overlapped with casewatchd (neither was told the other was sending)"
	sed 's/^/# last round: /' "$T/round$rounds.out" | head -n 5
fi

# Then casewatchd alone finishes: every message to the server.
_i=0
until [ "$(sent_now)" -ge "$N" ] || [ $_i -ge $((WAIT * 10)) ]; do
	sleep 0.1
	_i=$((_i + 1))
done
# A moment more, for a duplicate to show.
sleep 2
kill -TERM "$dpid"
st=0
wait "$dpid" || st=$?
dpid=
same "casewatchd: SIGTERM, exit status 0" "$st" 0
if grep -q 'Sanitizer\|runtime error:' "$T/daemon.log" "$T"/round*.err "$T"/wave*.err; then
	not_ok "no sanitizer report"
	grep -h -A 30 'Sanitizer\|runtime error:' "$T/daemon.log" "$T"/round*.err "$T"/wave*.err | head -n 40 | sed 's/^/# /'
else
	ok "no sanitizer report"
fi
# Both really sent: casewatchd's own share, from its log.
sent_daemon=$(sed -n 's/.*casewatchd: sent \([0-9]*\) messages.*/\1/p' "$T/daemon.log" | awk '{ s += $1 } END { print s + 0 }')
busy_daemon=$(grep -c 'another process is sending from the state database' "$T/daemon.log")
echo "# casewatchd sent $sent_daemon messages, the command line $sent_cli; casewatchd found the command line sending $busy_daemon times"
if [ "$sent_daemon" -ge 1 ] && [ "$sent_cli" -ge 1 ]; then
	ok "both sent some of the messages"
else
	not_ok "both sent some of the messages (casewatchd $sent_daemon, the command line $sent_cli)"
fi
same "casewatchd: no scan failed" "$(grep -c 'scan failed' "$T/daemon.log")" 0
grep 'scan failed' "$T/daemon.log" | head -n 3 | sed 's/^/# /'
grep -h 'not delivered\|sending stopped' "$T/daemon.log" "$T"/round*.out "$T"/round*.err >"$T/failures"
same "no delivery failed or was stopped" "$(lines "$T/failures")" 0
head -n 5 "$T/failures" | sed 's/^/# /'

### What the server received: each officer exactly once.
q "$db" "SELECT email FROM officers ORDER BY email" >"$T/expected"
cut -f 1 "$T/smtp/log" | LC_ALL=C sort >"$T/received"
deliveries=$(lines "$T/received")
dups=$(uniq -d "$T/received" | wc -l | tr -d ' ')
echo "# $deliveries deliveries to $(uniq "$T/received" | wc -l | tr -d ' ') recipients; $dups recipients got more than one"
same "no message delivered twice" "$dups" 0
uniq -d "$T/received" | head -n 3 | while read -r r; do grep -F "$r	" "$T/smtp/log" | sed 's/^/# twice: /'; done
if uniq "$T/received" | cmp -s "$T/expected" -; then
	ok "every officer received the message, and nobody else"
else
	not_ok "every officer received the message, and nobody else"
	uniq "$T/received" | comm -3 "$T/expected" - | head -n 5 | sed 's/^/# /'
fi

### The state database.
same "the messages: $N, all sent, none left 'sending'" \
	"$(q "$state" "SELECT status || ' ' || count(*) FROM messages GROUP BY status")" "sent $N"
same "the running counts, kept by two processes at once: nothing queued, nothing unsent" \
	"$(q "$state" "SELECT group_concat(name || ' ' || n, ', ') FROM (SELECT * FROM outbox_counts ORDER BY name)")" \
	"pending 0, unsent 0, waiting 0"
same "the outbox: $N notifications, all sent" \
	"$(q "$state" "SELECT count(*) || ' ' || group_concat(DISTINCT status) FROM outbox")" "$N sent"
same "the ledger: one row for each notification" \
	"$(q "$state" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) || ' ' || count(DISTINCT case_id || '/' || rule || '/' || party_id || '/' || cycle || '/' || stage || '/' || recipient) FROM ledger")" \
	"$N $N $N"
q "$state" "SELECT destination || char(9) || ref FROM messages ORDER BY destination" >"$T/refs"
cut -f 1,2 "$T/smtp/log" | LC_ALL=C sort >"$T/received-ids"
if cmp -s "$T/refs" "$T/received-ids"; then
	ok "each message arrived under its own Message-ID"
else
	not_ok "each message arrived under its own Message-ID"
	diff "$T/refs" "$T/received-ids" | head -n 6 | sed 's/^/# /'
fi
same "the state database passes integrity_check" "$(q "$state" "PRAGMA integrity_check")" "ok"

done_testing

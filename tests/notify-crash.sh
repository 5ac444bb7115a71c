#!/bin/sh
# Crash safety of delivery: casewatchd sends a large batch of emails to a
# real SMTP server (tests/smtp-server.py, aiosmtpd) and is killed with
# SIGKILL at random moments, restarted, killed again, many times, then left
# to finish. Every message must reach its recipient; a message may arrive
# twice (killed after the server took it and before the state database
# knew), but only ever with the Message-ID of its first copy, and never
# more than once per kill (only the message in flight); and the
# ledger records each notification exactly once. The counts are printed as
# a TAP diagnostic. No timing is asserted: every wait polls, with a
# generous bound.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CASEWATCHD="$top_builddir/casewatchd"
. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
SMTP="$top_srcdir/tests/smtp-server.py"
N=${CRASH_MESSAGES:-500}   # officers, each with one overdue obligation: one message each
KILLS=${CRASH_KILLS:-25}   # daemons started and killed
WAIT=60                    # seconds: the bound of every wait

need_python aiosmtpd

# Every process started here is ended by its id, even when a check fails
# or the script is interrupted.
dpid=
cleanup() {
	[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null
	stop_servers
	wait
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

wait_file() {
	_i=0
	until [ -s "$1" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}
# wait_sql DB SQL WANT: until the answer is WANT; the last one is in $got.
wait_sql() {
	_i=0
	until got=$(q "$1" "$2" 2>&1) && [ "$got" = "$3" ]; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

### The SMTP server.
mkdir "$T/smtp"
if ! serve "$T/smtp.port" "$T/smtp.err" "$SMTP" --out "$T/smtp"; then
	not_ok "the SMTP server starts"
	done_testing
fi
smtp_log="$T/smtp/log"

### N officers of one team, a rule of one hour, urgent, that tells only
### the officer when it is overdue; digests off.
db="$T/cases.db"
mass_setup "$T" crash "$N"
conf="$T/casewatch.conf"
mass_conf "$conf" state.db "$(mass_smtp "$(cat "$T/smtp.port")")"
state="$T/state.db"

# The state database's first scan, the baseline, before there is any case:
# whatever the cases bring later is new.
run "baseline: the first scan, with no case yet" 0 "$CASEWATCH" -c "$conf" run --once --at "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
grep -q '^first scan of this state database: 0 stages reached are the starting point; none queued$' "$T/out" &&
	ok "baseline: nothing queued" || { not_ok "baseline: nothing queued"; sed 's/^/# /' "$T/out"; }

# start NAME: casewatchd in the background, its stderr in $T/NAME.log.
start() {
	"$CASEWATCHD" -c "$conf" >/dev/null 2>"$T/$1.log" </dev/null &
	dpid=$!
}
# sent_now: how many deliveries the server has logged.
sent_now() { if [ -f "$smtp_log" ]; then lines "$smtp_log"; else echo 0; fi; }
# wait_log NAME PATTERN: until the daemon's log has a line matching PATTERN.
wait_log() {
	_i=0
	until grep -Eq -- "$2" "$T/$1.log" 2>/dev/null; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

### First a clean stop in the middle of the sending. The daemon starts
### with nothing to do; once it has scanned, the cases arrive; its next
### scan queues them and sends, and it gets SIGTERM as soon as the server
### has taken a message. The batch in hand is finished and recorded, then
### it exits 0: nothing it delivered is left unrecorded (to be sent
### twice), nothing is left claimed.
start term
if wait_log term '^<[0-7]>casewatchd: scan: '; then ok "SIGTERM: the daemon has scanned, with no case yet"; else
	not_ok "SIGTERM: the daemon has scanned, with no case yet"
	tail -n 20 "$T/term.log" | sed 's/^/# log: /'
fi

# Then N cases, one for each officer, received two hours ago: each call
# was due an hour ago, so the daemon's next scan finds every one overdue
# and queues one message for each officer, all at once.
mass_cases "$db" crash CR 1 "$N"
q "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO parties (id, case_id, role, label) SELECT i, i, 'victim', printf('Resident %04d', i) FROM n;"
q "$db" "SELECT email FROM officers ORDER BY email" >"$T/expected"
same "$N officers to tell" "$(lines "$T/expected")" "$N"
_i=0
until [ "$(sent_now)" -gt 0 ]; do
	if [ $_i -ge $((WAIT * 100)) ] || ! kill -0 "$dpid" 2>/dev/null; then
		not_ok "SIGTERM: the daemon starts sending"
		tail -n 20 "$T/term.log" | sed 's/^/# log: /'
		break
	fi
	sleep 0.01
	_i=$((_i + 1))
done
kill -TERM "$dpid"
st=0
wait "$dpid" || st=$?
dpid=
same "SIGTERM while sending: exit status 0" "$st" 0
grep -q 'stopping' "$T/term.log" && ok "SIGTERM while sending: logged" || not_ok "SIGTERM while sending: logged"
term_sent=$(q "$state" "SELECT count(*) FROM messages WHERE status = 'sent'")
same "SIGTERM while sending: every message the server took is recorded as sent" "$(sent_now)" "$term_sent"
same "SIGTERM while sending: none left claimed" "$(q "$state" "SELECT count(*) FROM messages WHERE status = 'sending'")" 0
if [ "$term_sent" -gt 0 ] && [ "$term_sent" -lt "$N" ]; then
	ok "SIGTERM while sending: stopped part way ($term_sent of $N sent)"
else
	not_ok "SIGTERM while sending: stopped part way ($term_sent of $N sent)"
fi
if grep -q 'Sanitizer\|runtime error:' "$T/term.log"; then
	not_ok "SIGTERM while sending: no sanitizer report"
	grep -A 30 'Sanitizer\|runtime error:' "$T/term.log" | head -n 40 | sed 's/^/# /'
else
	ok "SIGTERM while sending: no sanitizer report"
fi

### Kill -9 at random moments, KILLS times. Each daemon runs for a random
### 0.05-1.5 s; once it is seen delivering (the server's log grows), it
### is killed sooner, 0-0.1 s later, so that most kills land in the middle
### of the sending. The seed is printed, to repeat a run.
seed=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# random seed $seed (CRASH_SEED=$seed repeats the delays)"
awk -v seed="$seed" -v n="$KILLS" 'BEGIN { srand(seed); for (i = 0; i < n; i++) printf "%d %d\n", 50 + int(rand() * 1451), int(rand() * 101) }' >"$T/delays"
kills=0 sending_kills=0 exited=0 sanitizer=0
i=0
while read -r whole extra; do
	i=$((i + 1))
	before=$(sent_now)
	start "run$i"
	# Poll every 10 ms for at most $whole ms, stopping early once the
	# server has taken a message from this daemon.
	waited=0 seen=
	while [ "$waited" -lt "$whole" ]; do
		if [ "$(sent_now)" -gt "$before" ]; then
			seen=1
			break
		fi
		sleep 0.01
		waited=$((waited + 10))
	done
	[ -n "$seen" ] && sleep "$(printf '0.%03d' "$extra")"
	if kill -0 "$dpid" 2>/dev/null; then
		if [ "$(q "$state" "SELECT count(*) FROM messages WHERE status = 'sent'" 2>/dev/null || echo 0)" != "$N" ]; then
			sending_kills=$((sending_kills + 1))
		fi
		kill -KILL "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
		kills=$((kills + 1))
	else
		# It must never stop by itself.
		wait "$dpid"
		echo "# run $i: casewatchd exited by itself with status $?"
		sed 's/^/# log: /' "$T/run$i.log" | tail -n 20
		exited=$((exited + 1))
	fi
	dpid=
	if grep -q 'Sanitizer\|runtime error:' "$T/run$i.log"; then
		sanitizer=$((sanitizer + 1))
		sed 's/^/# run '"$i"': /' "$T/run$i.log" | grep -A 30 'Sanitizer\|runtime error:' | head -n 40
	fi
done <"$T/delays"
same "casewatchd never exited by itself while it was being killed" "$exited" 0
same "no sanitizer report from the daemons killed" "$sanitizer" 0
same "killed $KILLS times" "$kills" "$KILLS"

### Then left to finish: everything sent, and a clean stop.
start final
# Its first scan done (it sends after it) before anything else: a SIGTERM
# before it has set up its signals would end it as the default action does.
wait_log final '^<[0-7]>casewatchd: scan: ' || { not_ok "finally: the daemon scans"; tail -n 20 "$T/final.log" | sed 's/^/# log: /'; }
if wait_sql "$state" "SELECT count(*) FROM messages WHERE status = 'sent'" "$N"; then
	ok "finally: all $N messages sent"
else
	not_ok "finally: all $N messages sent (got '$got')"
	q "$state" "SELECT status, count(*) FROM messages GROUP BY status" | sed 's/^/# messages: /'
	tail -n 20 "$T/final.log" | sed 's/^/# log: /'
fi
kill -TERM "$dpid"
st=0
wait "$dpid" || st=$?
dpid=
same "finally: SIGTERM, exit status 0" "$st" 0
if grep -q 'Sanitizer\|runtime error:' "$T/final.log"; then
	not_ok "finally: no sanitizer report"
	grep -A 30 'Sanitizer\|runtime error:' "$T/final.log" | head -n 40 | sed 's/^/# /'
else
	ok "finally: no sanitizer report"
fi
cat "$T/term.log" "$T"/run*.log "$T/final.log" >"$T/all.log"
grep 'not delivered\|sending stopped' "$T/all.log" >"$T/failures"
same "no delivery failed or was stopped by an error" "$(lines "$T/failures")" 0
head -n 5 "$T/failures" | sed 's/^/# /'

### What the server received.
# Its log: recipient, Message-ID, sha256 of the data, one line a delivery.
cut -f 1 "$smtp_log" | LC_ALL=C sort -u >"$T/received"
if cmp -s "$T/expected" "$T/received"; then
	ok "every officer received the message, and nobody else received one"
else
	not_ok "every officer received the message, and nobody else received one"
	echo "# missing: $(comm -23 "$T/expected" "$T/received" | wc -l), unexpected: $(comm -13 "$T/expected" "$T/received" | wc -l)"
	comm -3 "$T/expected" "$T/received" | head -n 5 | sed 's/^/# /'
fi
cut -f 1,2 "$smtp_log" | LC_ALL=C sort -u | cut -f 1 | uniq -d >"$T/two-ids"
if [ -s "$T/two-ids" ]; then
	not_ok "each recipient's copies all carry one Message-ID"
	head -n 3 "$T/two-ids" | while read -r r; do grep -F "$r	" "$smtp_log" | cut -f 1,2 | sed 's/^/# /'; done
else
	ok "each recipient's copies all carry one Message-ID"
fi
cut -f 1,3 "$smtp_log" | LC_ALL=C sort -u | cut -f 1 | uniq -d >"$T/two-bodies"
if [ -s "$T/two-bodies" ]; then
	not_ok "a copy sent again is the same message, byte for byte"
	head -n 3 "$T/two-bodies" | sed 's/^/# /'
else
	ok "a copy sent again is the same message, byte for byte"
fi
# The Message-ID received is the one the state database gave the message
# for that recipient; one message for each, ever.
q "$state" "SELECT destination || char(9) || ref FROM messages ORDER BY destination" >"$T/refs"
same "one message for each officer in the state database" "$(lines "$T/refs")" "$N"
cut -f 1,2 "$smtp_log" | LC_ALL=C sort -u >"$T/received-ids"
if cmp -s "$T/refs" "$T/received-ids"; then
	ok "the Message-IDs received are the messages' own"
else
	not_ok "the Message-IDs received are the messages' own"
	diff "$T/refs" "$T/received-ids" | head -n 6 | sed 's/^/# /'
fi

### The ledger: each notification exactly once.
same "the outbox: $N notifications, all sent" \
	"$(q "$state" "SELECT count(*) || ' ' || group_concat(DISTINCT status) FROM outbox")" "$N sent"
same "the ledger: one row for each notification" \
	"$(q "$state" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) || ' ' || count(DISTINCT case_id || '/' || rule || '/' || party_id || '/' || cycle || '/' || stage || '/' || recipient) FROM ledger")" \
	"$N $N $N"
same "the ledger: every notification of the outbox, to the address the server saw, under its Message-ID" \
	"$(q "$state" "SELECT count(*) FROM outbox o JOIN ledger l ON l.outbox_id = o.id JOIN messages m ON m.id = o.message_id
		WHERE l.address = m.destination AND l.message_id = m.ref")" "$N"

deliveries=$(lines "$smtp_log")
dups=$((deliveries - $(lines "$T/received")))
resent=$(cut -f 1 "$smtp_log" | LC_ALL=C sort | uniq -d | wc -l | tr -d ' ')
attempts=$(q "$state" "SELECT sum(attempts) FROM messages")
echo "# delivered $(lines "$T/received"), duplicates $dups (to $resent recipients), kills $kills ($sending_kills before all was sent); $deliveries deliveries, $attempts attempts recorded"
# Each message is recorded as sent the moment the server takes it, and the
# next one waits for that record: a kill can repeat only the message in
# flight.
if [ "$dups" -le "$kills" ]; then
	ok "at most one duplicate per kill ($dups duplicates, $kills kills)"
else
	not_ok "at most one duplicate per kill ($dups duplicates, $kills kills)"
fi

done_testing

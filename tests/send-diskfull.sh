#!/bin/sh
# A state database that cannot be written: casewatchd sends a batch of
# emails to a real SMTP server (tests/smtp-server.py) with its state
# database on a small tmpfs, and the tmpfs is filled (a filler file) as
# soon as the server has taken the first message. Then: "sending stopped"
# logged exactly once for the outage, the daemon still running, the state
# database whole (PRAGMA integrity_check), no message delivered twice; and
# once the filler is removed, "sending resumed" within seconds and every
# message delivered, once. Needs root to mount the tmpfs: without it the
# test fails, saying why (it is no test of the full disk otherwise).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

CASEWATCHD="$top_builddir/casewatchd"
. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
SMTP="$top_srcdir/tests/smtp-server.py"
N=${DISKFULL_MESSAGES:-400} # officers, each with one overdue case: one message each
SIZE=${DISKFULL_SIZE:-24m}  # the tmpfs
WAIT=60                     # seconds: the bound of every wait

need_python aiosmtpd

fs="$T/fs"
mounted=
dpid=
cleanup() {
	[ -z "$dpid" ] || kill -KILL "$dpid" 2>/dev/null
	stop_servers
	wait
	[ -z "$mounted" ] || umount "$fs" 2>/dev/null || umount -l "$fs" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

sent_now() { if [ -f "$T/smtp/log" ]; then lines "$T/smtp/log"; else echo 0; fi; }
mono() { "$PY" -c 'import time; print("%.3f" % time.monotonic())'; }
# wait_log PATTERN: until the daemon's log has a line matching PATTERN.
wait_log() {
	_i=0
	until grep -Eq -- "$1" "$T/daemon.log" 2>/dev/null; do
		[ $_i -ge $((WAIT * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

mkdir "$fs"
if [ "$(id -u)" -ne 0 ]; then
	not_ok "a tmpfs for the state database (not root: mount -t tmpfs needs root; run the test as root)"
	done_testing
fi
if ! mount -t tmpfs -o size="$SIZE",mode=0700 tmpfs "$fs" 2>"$T/mount.err"; then
	not_ok "a tmpfs for the state database (mount -t tmpfs failed: $(cat "$T/mount.err"))"
	done_testing
fi
mounted=1
ok "a tmpfs of $SIZE for the state database"

mkdir "$T/smtp"
if ! serve "$T/smtp.port" "$T/smtp.err" "$SMTP" --out "$T/smtp"; then
	echo "Bail out! the SMTP server did not start"
	exit 1
fi

db="$T/cases.db"
mass_setup "$T" f "$N"
conf="$T/casewatch.conf"
state="$fs/state.db"
mass_conf "$conf" "$state" "$(mass_smtp "$(cat "$T/smtp.port")")"
run "baseline: the first scan, with no case yet" 0 "$CASEWATCH" -c "$conf" run --once

"$CASEWATCHD" -c "$conf" >/dev/null 2>"$T/daemon.log" </dev/null &
dpid=$!
if wait_log '^<[0-7]>casewatchd: scan: '; then ok "casewatchd scans"; else
	not_ok "casewatchd scans"
	tail -n 20 "$T/daemon.log" | sed 's/^/# log: /'
fi

# The cases: the next scan queues N messages and sends them.
mass_cases "$db" f F 1 "$N"
_i=0
until [ "$(sent_now)" -gt 0 ] || [ $_i -ge $((WAIT * 100)) ]; do
	sleep 0.01
	_i=$((_i + 1))
done
# The disk fills while the messages are being sent.
dd if=/dev/zero of="$fs/filler" bs=64k >/dev/null 2>"$T/dd.err"
at_fill=$(sent_now)
echo "# the tmpfs filled after $at_fill deliveries: $(df -k "$fs" | awk 'NR == 2 { print $3 " kB used, " $4 " kB free" }')"
if wait_log 'casewatchd: sending stopped: .*; it goes on once the state database can be written$'; then
	ok "sending stopped, saying why"
	grep 'sending stopped' "$T/daemon.log" | head -n 1 | sed 's/^/# /'
else
	not_ok "sending stopped, saying why"
	tail -n 20 "$T/daemon.log" | sed 's/^/# log: /'
fi
# The outage goes on for a while: the daemon tries again every 5 s.
sleep 12
stopped_at=$(sent_now)
check "the daemon keeps running while the disk is full" kill -0 "$dpid"
same "sending stopped is said once for the outage" "$(grep -c 'sending stopped' "$T/daemon.log")" 1
grep 'scan failed' "$T/daemon.log" | head -n 2 | sed 's/^/# /'
cut -f 1 "$T/smtp/log" | LC_ALL=C sort | uniq -d >"$T/dups"
same "no message delivered twice during the outage" "$(lines "$T/dups")" 0
sleep 3
same "nothing more delivered during the outage" "$(sent_now)" "$stopped_at"
echo "# delivered before the outage: $stopped_at of $N"
same "the state database passes integrity_check during the outage" "$(q "$state" "PRAGMA integrity_check" 2>&1)" "ok"

# The disk has room again: sending resumes, everything is delivered.
t0=$(mono)
rm -f "$fs/filler"
if wait_log 'casewatchd: sending resumed$'; then
	t1=$(mono)
	echo "# sending resumed $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after the filler was removed"
	ok "sending resumed, said once the filler is removed"
else
	not_ok "sending resumed, said once the filler is removed"
	tail -n 20 "$T/daemon.log" | sed 's/^/# log: /'
fi
_i=0
until [ "$(sent_now)" -ge "$N" ] || [ $_i -ge $((WAIT * 10)) ]; do
	sleep 0.1
	_i=$((_i + 1))
done
sleep 2
same "sending resumed is said once" "$(grep -c 'sending resumed' "$T/daemon.log")" 1
kill -TERM "$dpid"
st=0
wait "$dpid" || st=$?
dpid=
same "casewatchd: SIGTERM, exit status 0" "$st" 0
if grep -q 'Sanitizer\|runtime error:' "$T/daemon.log"; then
	not_ok "no sanitizer report"
	grep -A 30 'Sanitizer\|runtime error:' "$T/daemon.log" | head -n 40 | sed 's/^/# /'
else
	ok "no sanitizer report"
fi

### What the server received, and what the state database says.
q "$db" "SELECT email FROM officers ORDER BY email" >"$T/expected"
cut -f 1 "$T/smtp/log" | LC_ALL=C sort >"$T/received"
dups=$(uniq -d "$T/received" | wc -l | tr -d ' ')
echo "# $(lines "$T/received") deliveries; $dups recipients got more than one"
same "no message delivered twice" "$dups" 0
if uniq "$T/received" | cmp -s "$T/expected" -; then
	ok "every officer received the message"
else
	not_ok "every officer received the message"
	uniq "$T/received" | comm -3 "$T/expected" - | head -n 5 | sed 's/^/# /'
fi
same "the messages: all sent, none left 'sending'" \
	"$(q "$state" "SELECT status || ' ' || count(*) FROM messages GROUP BY status")" "sent $N"
same "the ledger: one row for each notification" \
	"$(q "$state" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) FROM ledger")" "$N $N"
same "the state database passes integrity_check at the end" "$(q "$state" "PRAGMA integrity_check")" "ok"

done_testing

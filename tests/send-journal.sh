#!/bin/sh
# The send journal (STATE-sent, casewatchd(8) DELIVERY): the server's
# acceptances are written there one record each and committed to the state
# database a group at a time. 1. A sender killed (SIGKILL) in the middle of
# a long send, against a real SMTP server (tests/smtp-server.py) that takes
# its time: every message the server took is recorded sent or in the
# journal, but for the one in flight; the next send records those of the
# journal sent without sending them, and nothing reaches anyone twice but
# that one; the ledger has each notification once. 2. Journals written by
# hand: a torn last record, a record with a wrong check and one from
# another database are ignored; one naming a message not claimed, or
# already sent, changes nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
SMTP="$top_srcdir/tests/smtp-server.py"
N=150  # officers, each with one overdue case: one message each
K=70   # the sender is killed once the server has taken K messages
WAIT=60

need_python aiosmtpd

spid=
cleanup() {
	[ -z "$spid" ] || kill -KILL "$spid" 2>/dev/null
	stop_servers
	wait
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# journal FILE: the ids of FILE's records, one a line, up to the first
# record that is not whole and right (as the sender reads it).
# journal FILE write ID:CREATED:SENT[:bad]... : FILE written with those
# records ("bad": a wrong check), then the bytes of $TORN appended (a
# record cut short: its first 16 bytes), when set.
journal() {
	"$PY" - "$@" <<'EOF'
import struct, sys
MAGIC, M = 0x31535743, (1 << 64) - 1
REC = struct.Struct("=IIqqq")
def check(magic, i, c, s):
    h = 0xcbf29ce484222325
    for v in (magic, i & M, c & M, s & M):
        h ^= v
        h = (h * 0x9e3779b97f4a7c15) & M
        h ^= h >> 29
    return (h ^ (h >> 32)) & 0xffffffff
path = sys.argv[1]
if len(sys.argv) > 2 and sys.argv[2] == "write":
    out = b""
    for spec in sys.argv[3:]:
        if spec.startswith("torn:"):
            i, c, s = (int(x) for x in spec[5:].split(":"))
            out += REC.pack(MAGIC, check(MAGIC, i, c, s), i, c, s)[:16]
            continue
        f = spec.split(":")
        i, c, s = int(f[0]), int(f[1]), int(f[2])
        k = check(MAGIC, i, c, s) ^ (1 if len(f) > 3 else 0)
        out += REC.pack(MAGIC, k, i, c, s)
    open(path, "wb").write(out)
    sys.exit(0)
data = open(path, "rb").read()
for off in range(0, len(data) - REC.size + 1, REC.size):
    magic, k, i, c, s = REC.unpack_from(data, off)
    if magic != MAGIC or k != check(magic, i, c, s):
        break
    print(i)
EOF
}
# received DIR: the messages the server in DIR saved.
received() { if [ -f "$1/smtp/log" ]; then lines "$1/smtp/log"; else echo 0; fi; }
# ids_of DIR: the state database's ids of the messages the server saved.
ids_of() {
	cut -f2 "$1/smtp/log" | sort -u | while read -r ref; do
		q "$1/state.db" "SELECT id FROM messages WHERE ref = '$ref'"
	done | sort -n
}
size() { stat -c %s "$1"; }

### 1. Killed in the middle of a long send.
a="$T/a"
mkdir -p "$a/smtp"
mass_setup "$a" j "$N" || { echo "Bail out! the case database"; exit 1; }
# Each DATA answered after 20 ms: the send takes some 3 s, a kill lands
# in the middle of it.
if ! serve "$a/smtp.port" "$a/server.log" "$SMTP" --out "$a/smtp" --data-delay 20; then
	echo "Bail out! the SMTP server did not start"
	exit 1
fi
mass_conf "$a/casewatch.conf" state.db "$(mass_smtp "$(cat "$a/smtp.port")")"
run "killed: the baseline scan" 0 "$CASEWATCH" -c "$a/casewatch.conf" run --once
mass_cases "$a/cases.db" j J 1 "$N"
"$CASEWATCH" -c "$a/casewatch.conf" run --once >"$a/first.out" 2>"$a/first.err" &
spid=$!
_i=0
until [ "$(received "$a")" -ge "$K" ]; do
	if [ $_i -ge $((WAIT * 200)) ] || ! kill -0 "$spid" 2>/dev/null; then
		break
	fi
	sleep 0.005
	_i=$((_i + 1))
done
kill -KILL "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
took=$(received "$a")
if [ "$took" -ge "$K" ] && [ "$took" -lt "$N" ]; then ok "killed: in the middle of the send ($took of $N taken)"; else
	not_ok "killed: in the middle of the send ($took of $N taken)"
	sed 's/^/# /' "$a/first.out" "$a/first.err" | tail -n 5
fi
sent=$(q "$a/state.db" "SELECT count(*) FROM messages WHERE status = 'sent'")
check "killed: the journal is there" test -f "$a/state.db-sent"
journal "$a/state.db-sent" >"$a/journal"
echo "# the server took $took; recorded sent $sent; in the journal $(lines "$a/journal") ($(size "$a/state.db-sent") bytes)"
if [ "$sent" -lt "$took" ] && [ -s "$a/journal" ]; then
	ok "killed: some acceptances only in the journal"
else
	not_ok "killed: some acceptances only in the journal"
fi
# What the server took, against what the sender knew of: the state
# database's sent and the journal. Nothing known that the server did not
# take; at most one taken and not known (the one in flight).
ids_of "$a" >"$a/taken"
{ q "$a/state.db" "SELECT id FROM messages WHERE status = 'sent'"; cat "$a/journal"; } | sort -nu >"$a/known"
same "killed: every message known sent was taken by the server" "$(comm -13 "$a/taken" "$a/known" | wc -l | tr -d ' ')" 0
unknown=$(comm -23 "$a/taken" "$a/known" | wc -l | tr -d ' ')
if [ "$unknown" -le 1 ]; then ok "killed: at most one taken and not known ($unknown)"; else
	not_ok "killed: at most one taken and not known ($unknown)"
fi
same "killed: the journal's messages are still claimed" \
	"$(for i in $(cat "$a/journal"); do q "$a/state.db" "SELECT status FROM messages WHERE id = $i"; done | sort -u)" \
	"sending"
injournal=$(lines "$a/journal")

run "killed: the next send" 0 "$CASEWATCH" -c "$a/casewatch.conf" outbox send
expect_out "killed: the journal's messages recorded sent, the rest sent" \
	"recorded $injournal message$([ "$injournal" -eq 1 ] || echo s) sent by a send that was stopped (from its journal)
sent $((N - sent - injournal)) messages ($((N - sent - injournal)) email, 0 webhook); 0 to retry, 0 dead"
dups=$(($(received "$a") - N))
same "killed: every officer received the message" "$(cut -f1 "$a/smtp/log" | sort -u | wc -l | tr -d ' ')" "$N"
if [ "$dups" -le 1 ] && [ "$dups" -eq "$unknown" ]; then
	ok "killed: sent twice only the one in flight ($dups)"
else
	not_ok "killed: sent twice only the one in flight ($dups duplicates, $unknown not known)"
	cut -f1 "$a/smtp/log" | sort | uniq -d | head -n 5 | sed 's/^/# /'
fi
same "killed: the messages all sent" "$(q "$a/state.db" "SELECT status || ' ' || count(*) FROM messages GROUP BY status")" \
	"sent $N"
same "killed: the ledger, one row for each notification" \
	"$(q "$a/state.db" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) FROM ledger")" "$N $N"
same "killed: the ledger, under the Message-IDs the server saw" \
	"$(q "$a/state.db" "SELECT message_id FROM ledger ORDER BY message_id" | tr '\n' ' ')" \
	"$(cut -f2 "$a/smtp/log" | sort -u | tr '\n' ' ')"
same "killed: the journal is emptied" "$(size "$a/state.db-sent")" 0
stop_servers

### 2. Journals written by hand.
b="$T/b"
M=10
mkdir -p "$b/smtp"
mass_setup "$b" h "$M" || { echo "Bail out! the case database"; exit 1; }
if ! serve "$b/smtp.port" "$b/server.log" "$SMTP" --out "$b/smtp"; then
	echo "Bail out! the SMTP server did not start"
	exit 1
fi
# The messages composed with no relay listening (port 9 of loopback): all
# to retry; then, as a killed sender leaves them, 1 to 5 claimed and the
# rest due.
mass_conf "$b/casewatch.conf" state.db "$(mass_smtp 9)"
"$CASEWATCH" -c "$b/casewatch.conf" run --once >/dev/null 2>&1
mass_cases "$b/cases.db" h H 1 "$M"
run "by hand: the messages composed, the relay away" 0 "$CASEWATCH" -c "$b/casewatch.conf" run --once
q "$b/state.db" "UPDATE messages SET next_attempt_at = 0, status = CASE WHEN id <= 5 THEN 'sending' ELSE 'pending' END"
same "by hand: $M messages, 5 claimed" "$(q "$b/state.db" "SELECT count(*), sum(status = 'sending') FROM messages")" "$M|5"
mass_conf "$b/casewatch.conf" state.db "$(mass_smtp "$(cat "$b/smtp.port")")"
c() { q "$b/state.db" "SELECT created_at FROM messages WHERE id = $1"; }
at=1700000000
# 1 and 2: right; 6: right, but not claimed (pending); 3: from another
# database (its creation time differs); then 4 with a wrong check, 5 after
# it (reading stops at the first bad record); and a torn record for 5.
journal "$b/state.db-sent" write "1:$(c 1):$at" "2:$(c 2):$at" "6:$(c 6):$at" "3:$(($(c 3) + 1)):$at" \
	"4:$(c 4):$at:bad" "5:$(c 5):$at" "torn:5:$(c 5):$at"
same "by hand: the journal reads as 1, 2, 6, 3" "$(journal "$b/state.db-sent" | tr '\n' ' ')" "1 2 6 3 "
run "by hand: a send" 0 "$CASEWATCH" -c "$b/casewatch.conf" outbox send
expect_out "by hand: 1 and 2 recorded from the journal, the other 8 sent" \
	"recorded 2 messages sent by a send that was stopped (from its journal)
sent 8 messages (8 email, 0 webhook); 0 to retry, 0 dead"
same "by hand: the server got 3 to 10, once each" "$(ids_of "$b" | tr '\n' ' ') $(received "$b")" "3 4 5 6 7 8 9 10  8"
same "by hand: 1 and 2 recorded sent when the journal says" \
	"$(q "$b/state.db" "SELECT id || ' ' || status || ' ' || finished_at FROM messages WHERE id <= 2 ORDER BY id" | tr '\n' ' ')" \
	"1 sent $at 2 sent $at "
same "by hand: the ledger, one row for each, 1 and 2 at the journal's time" \
	"$(q "$b/state.db" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) || ' ' || sum(sent_at = $at) FROM ledger")" \
	"$M $M 2"
same "by hand: the journal is emptied" "$(size "$b/state.db-sent")" 0
# A journal naming messages already sent changes nothing.
before=$(q "$b/state.db" "SELECT id, status, finished_at FROM messages ORDER BY id; SELECT count(*), sum(sent_at) FROM ledger")
journal "$b/state.db-sent" write "1:$(c 1):$((at + 5))" "7:$(c 7):$((at + 5))" "10:$(c 10):$((at + 5))"
run "by hand: a send with a journal of messages already sent" 0 "$CASEWATCH" -c "$b/casewatch.conf" outbox send
expect_out "by hand: nothing recorded from it, nothing sent" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "by hand: the messages and the ledger unchanged" \
	"$(q "$b/state.db" "SELECT id, status, finished_at FROM messages ORDER BY id; SELECT count(*), sum(sent_at) FROM ledger")" \
	"$before"
same "by hand: that journal is emptied too" "$(size "$b/state.db-sent")" 0
# Garbage: ignored whole.
head -c 100 /dev/urandom >"$b/state.db-sent"
run "by hand: a send with a journal of garbage" 0 "$CASEWATCH" -c "$b/casewatch.conf" outbox send
expect_out "by hand: garbage ignored" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "by hand: the server got nothing more" "$(received "$b")" 8
# A journal that cannot be opened (here a folder where the file would be;
# as often a file another user made): said, and the send goes on.
rm -f "$b/state.db-sent"
mkdir "$b/state.db-sent"
run "by hand: a send with no journal to be had" 0 "$CASEWATCH" -c "$b/casewatch.conf" outbox send
expect_out "by hand: no journal: nothing to send" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
if grep -q "^casewatch: cannot open the send journal .*state.db-sent: Is a directory (run casewatch as the user casewatchd runs as)\$" "$T/err"; then
	ok "by hand: no journal: said why"
else
	not_ok "by hand: no journal: said why"
	sed 's/^/# /' "$T/err"
fi
rmdir "$b/state.db-sent"
stop_servers

done_testing

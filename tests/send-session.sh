#!/bin/sh
# One SMTP session for every email of a send, against a real SMTP server
# (tests/smtp-server.py): more messages than the sender holds in memory at
# once (it claims and hands them over a few at a time), one recipient
# refused in the middle, the others all sent in the same session; then a
# relay that drops the connection mid-session: the messages it had taken
# are recorded sent, those in hand are left to retry, the rest go in a new
# session, and a later send delivers the ones left, each exactly once.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
. "$top_srcdir/tests/mass-lib.sh"
SMTP="$top_srcdir/tests/smtp-server.py"
N=90         # officers, each with one overdue case: one message each
REFUSED=0045 # the officer whose address the server refuses
DROP=40      # the message after which the second relay goes away

need_python aiosmtpd

cleanup() {
	stop_servers
	wait
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# connections DIR: the connections the server in DIR took.
connections() { grep -c ' handling connection$' "$1/server.log"; }
# received DIR: the messages the server in DIR saved.
received() { lines "$1/smtp/log"; }
# twice DIR: Message-IDs the server in DIR saved more than once.
twice() { cut -f2 "$1/smtp/log" | sort | uniq -d | wc -l | tr -d ' '; }
# states DIR: the messages of DIR's state database by status.
states() { q "$1/state.db" "SELECT status || ' ' || count(*) FROM messages GROUP BY status ORDER BY status" | tr '\n' ' '; }

# setup DIR SERVER-ARGS...: a case database of N officers, each with an
# overdue case, and a relay with SERVER-ARGS.
setup() {
	_d=$1
	shift
	mkdir -p "$_d/smtp"
	mass_setup "$_d" c "$N" || return 1
	serve "$_d/smtp.port" "$_d/server.log" "$SMTP" --out "$_d/smtp" "$@" || return 1
	mass_conf "$_d/casewatch.conf" state.db "$(mass_smtp "$(cat "$_d/smtp.port")")"
	"$CASEWATCH" -c "$_d/casewatch.conf" run --once >/dev/null 2>&1 || return 1
	mass_cases "$_d/cases.db" c C 1 "$N"
}

# 1. One session, one recipient refused in the middle.
a="$T/a"
if ! setup "$a" --script "officer$REFUSED@example.gov.uk=550"; then
	echo "Bail out! the first setup failed"
	exit 1
fi
run "refused: a scan and a send" 0 "$CASEWATCH" -c "$a/casewatch.conf" run --once
has() { if grep -qF -- "$2" "$T/out"; then ok "$1"; else not_ok "$1"; sed 's/^/# /' "$T/out"; fi; }
has "refused: says so" "sent $((N - 1)) messages ($((N - 1)) email, 0 webhook); 0 to retry, 1 dead"
has "refused: names the refused one" "to officer$REFUSED@example.gov.uk \"casewatch: C-$REFUSED: 1 overdue\": smtp 127.0.0.1:$(cat "$a/smtp.port"): RCPT TO:<officer$REFUSED@example.gov.uk>: 550"
same "refused: the others received, each once" "$(received "$a") $(twice "$a")" "$((N - 1)) 0"
same "refused: all in one session" "$(connections "$a")" 1
same "refused: the messages' states" "$(states "$a")" "dead 1 sent $((N - 1)) "
same "refused: the ledger, one row for each sent" "$(q "$a/state.db" "SELECT count(*), count(DISTINCT outbox_id) FROM ledger")" \
	"$((N - 1))|$((N - 1))"
same "refused: the server's Message-IDs are those recorded sent" \
	"$(cut -f2 "$a/smtp/log" | sort | tr '\n' ' ')" \
	"$(q "$a/state.db" "SELECT ref FROM messages WHERE status = 'sent' ORDER BY ref" | tr '\n' ' ')"

# 2. The relay goes away after message DROP, mid-session.
b="$T/b"
if ! setup "$b" --drop-after "$DROP"; then
	echo "Bail out! the second setup failed"
	exit 1
fi
run "dropped: a scan and a send" 0 "$CASEWATCH" -c "$b/casewatch.conf" run --once
retry=$(q "$b/state.db" "SELECT count(*) FROM messages WHERE status = 'pending'")
same "dropped: the first $DROP taken before the drop, none twice" \
	"$(head -n "$DROP" "$b/smtp/log" | wc -l | tr -d ' ') $(twice "$b")" "$DROP 0"
same "dropped: a second session for the rest" "$(connections "$b")" 2
has "dropped: the rest sent, those in hand at the drop to retry" \
	"sent $((N - retry)) messages ($((N - retry)) email, 0 webhook); $retry to retry, 0 dead"
if [ "$retry" -ge 1 ] && [ "$retry" -le 8 ]; then ok "dropped: 1 to 8 in hand at the drop ($retry)"; else
	not_ok "dropped: 1 to 8 in hand at the drop ($retry)"
fi
has "dropped: says why" "SMTP server dropped connection (will retry)"
same "dropped: the server has what is recorded sent, nothing else" \
	"$(cut -f2 "$b/smtp/log" | sort | tr '\n' ' ')" \
	"$(q "$b/state.db" "SELECT ref FROM messages WHERE status = 'sent' ORDER BY ref" | tr '\n' ' ')"
same "dropped: nothing left sending" "$(q "$b/state.db" "SELECT count(*) FROM messages WHERE status = 'sending'")" 0
later=$(date -u -d "@$(($(date +%s) + 7200))" +%Y-%m-%dT%H:%M:%SZ)
run "dropped: a send two hours later" 0 "$CASEWATCH" -c "$b/casewatch.conf" outbox send --at "$later"
expect_out "dropped: it sends the rest" "sent $retry message$([ "$retry" -eq 1 ] || echo s) ($retry email, 0 webhook); 0 to retry, 0 dead"
same "dropped: every officer received one, once" "$(received "$b") $(cut -f1 "$b/smtp/log" | sort -u | wc -l | tr -d ' ') $(twice "$b")" \
	"$N $N 0"
same "dropped: the messages' states" "$(states "$b")" "sent $N "
same "dropped: the ledger, one row for each" "$(q "$b/state.db" "SELECT count(*), count(DISTINCT outbox_id) FROM ledger")" "$N|$N"
stop_servers

done_testing

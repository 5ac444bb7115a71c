#!/bin/sh
# mail.c against real SMTP servers (tests/smtp-server.py, aiosmtpd) through
# tests/mail-send, with certificates from tests/make-certs.sh. Checked, each
# on mail-send's lines and on what the server kept: several messages over
# STARTTLS and AUTH in three sessions of one process (libESMTP 1.1.0 crashes
# on a second STARTTLS session unless given one SSL_CTX), arriving byte for
# byte as handed over (so libESMTP added and rewrote no header, Message-ID
# included); a wrong password; a 450 then 250; a 550; a sender refused
# with 553 5.7.1, with AUTH and without; a DATA refused with 451; a server that is down, that refuses at the greeting, that offers no
# STARTTLS, whose certificate comes from another authority or names
# another host; tls = none with and without AUTH; a message without a
# Message-ID refused before sending; and Maildir delivery.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
SERVER="$top_srcdir/tests/smtp-server.py"
MAIL_SEND="$top_builddir/tests/mail-send"
need_python aiosmtpd.smtp

# Servers are stopped however the script ends; KEEP=1 keeps $T to look at.
cleanup() {
	stop_servers
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

for d in certs other-ca; do
	if ! sh "$top_srcdir/tests/make-certs.sh" "$T/$d" >"$T/$d.log" 2>&1; then
		echo "Bail out! tests/make-certs.sh failed"
		sed 's/^/# /' "$T/$d.log"
		exit 1
	fi
done
CA="$T/certs/ca.pem"
USER=clerk
PASSWORD='pass word:with colon'
printf '%s\n' "$PASSWORD" >"$T/password"
printf 'not the password\n' >"$T/wrong-password"

# start_server NAME [ARGS...]: a server with its files in $T/NAME (out/
# for what it accepts, server.log for its log). Sets $port.
start_server() {
	_dir="$T/$1"
	shift
	mkdir -p "$_dir/out"
	if ! serve "$_dir/port" "$_dir/server.log" "$SERVER" --out "$_dir/out" "$@"; then
		echo "Bail out! the SMTP server $_dir did not start"
		exit 1
	fi
	echo "$served_pid" >"$_dir/pid"
	port=$served_port
}
# delivered NAME: the lines of NAME's server log, sorted.
delivered() { sort "$T/$1/out/log" 2>/dev/null || true; }
# expect_delivered TEST NAME TEXT: NAME's server log, sorted, is TEXT.
expect_delivered() {
	delivered "$2" >"$T/got-log"
	printf '%s' "$3" | sed '/^$/d' | sort >"$T/want-log"
	if cmp -s "$T/want-log" "$T/got-log"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/want-log" "$T/got-log" | sed 's/^/# /'
	fi
}
# sent_line TO FILE-ID: the log line the server writes for the message
# mail-send built as FILE-ID and saved in $T/sent.
sent_line() {
	printf '%s\t<%s@mail-send.test>\t%s\n' "$1" "$2" "$(sha256sum <"$T/sent/$2.eml" | cut -d' ' -f1)"
}
mkdir "$T/sent"
tls_send() { "$MAIL_SEND" --server "127.0.0.1:$port" --ca "$CA" --user "$USER" --password-file "$T/password" --save "$T/sent" "$@"; }
tab=$(printf '\t')

# --- STARTTLS and AUTH, three sessions in one process -------------------

start_server tls --tls "$T/certs/server.pem" "$T/certs/server.key" --auth "$USER:$PASSWORD" \
	--script 'later@council.test=450,250' --script 'gone@council.test=550' \
	--sender-script 'refused@council.test=553'
tls_port=$port
run "three STARTTLS sessions in one process" 0 tls_send --rounds 3 --count 2 --tag multi --show-progress \
	a@council.test b@council.test
expect_out "three sessions: every message sent, progress after each" \
"a@council.test${tab}sent${tab}250${tab}
a@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
progress${tab}4
a@council.test${tab}sent${tab}250${tab}
a@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
progress${tab}8
a@council.test${tab}sent${tab}250${tab}
a@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
b@council.test${tab}sent${tab}250${tab}
progress${tab}12"
want=
for r in 1 2 3; do
	want="$want$(sent_line a@council.test multi.$r.1)
$(sent_line a@council.test multi.$r.2)
$(sent_line b@council.test multi.$r.3)
$(sent_line b@council.test multi.$r.4)
"
done
# The digest is of the data as received: equal to what was handed over,
# so no header was added, dropped or rewritten.
expect_delivered "three sessions: each Message-ID arrived once, byte for byte as sent" tls "$want"
same "three sessions: three connections" "$(grep -c 'handling connection' "$T/tls/server.log")" 3
same "three sessions: all twelve over TLS after AUTH" "$(grep -c 'saved .*, tls True, auth True$' "$T/tls/server.log")" 12
n_ids=$(cat "$T/tls/out/"*.eml | grep -c -i '^Message-ID:')
same "three sessions: one Message-ID header in each message" "$n_ids" 12
same "three sessions: Date, Message-ID and Auto-Submitted as composed" \
	"$(grep -i -E '^(Date|Message-ID|Auto-Submitted):' "$T/tls/out/5.eml" | tr -d '\r')" \
	"Date: Mon, 02 Nov 2026 09:00:00 +0000
Message-ID: <multi.2.1@mail-send.test>
Auto-Submitted: auto-generated"
before=$(delivered tls)

run "certificate checked by host name" 0 "$MAIL_SEND" --server "localhost:$tls_port" --ca "$CA" --user "$USER" \
	--password-file "$T/password" --save "$T/sent" --tag byname a@council.test
expect_out "host name localhost: sent" "a@council.test${tab}sent${tab}250${tab}"
before="$before
$(sent_line a@council.test byname.1.1)"

run "wrong password" 0 "$MAIL_SEND" --server "127.0.0.1:$tls_port" --ca "$CA" --user "$USER" \
	--password-file "$T/wrong-password" --count 2 a@council.test
expect_out "wrong password: each message retried, naming the server and the refusal" \
"a@council.test${tab}retry${tab}535${tab}smtp 127.0.0.1:$tls_port: authentication as '$USER' failed: 535 5.7.8 Authentication credentials invalid
a@council.test${tab}retry${tab}535${tab}smtp 127.0.0.1:$tls_port: authentication as '$USER' failed: 535 5.7.8 Authentication credentials invalid"
expect_delivered "wrong password: nothing delivered" tls "$before"

run "450 then 250" 0 tls_send --resend 2 --tag later later@council.test
expect_out "450 then 250: retried with 450, then sent" \
"later@council.test${tab}retry${tab}450${tab}smtp 127.0.0.1:$tls_port: RCPT TO:<later@council.test>: 450 4.2.1 Mailbox temporarily unavailable, try again later
later@council.test${tab}sent${tab}250${tab}"
before="$before
$(sent_line later@council.test later.1.1)"
expect_delivered "450 then 250: delivered once, with its Message-ID" tls "$before"

run "550" 0 tls_send --tag gone gone@council.test a@council.test
expect_out "550: dead with 550, the other message of the session sent" \
"gone@council.test${tab}dead${tab}550${tab}smtp 127.0.0.1:$tls_port: RCPT TO:<gone@council.test>: 550 5.1.1 Mailbox unavailable
a@council.test${tab}sent${tab}250${tab}"
before="$before
$(sent_line a@council.test gone.1.2)"
expect_delivered "550: only the other message delivered" tls "$before"

run "sender refused, with AUTH" 0 tls_send --from refused@council.test a@council.test
expect_out "sender refused for policy, with AUTH: retried, a configuration to fix" \
"a@council.test${tab}retry${tab}553${tab}smtp 127.0.0.1:$tls_port: MAIL FROM:<refused@council.test>: 553 5.7.1 Sender address rejected: not owned by user"
expect_delivered "sender refused, with AUTH: nothing delivered" tls "$before"

run "a message without a Message-ID" 0 tls_send --tag noid --drop-header Message-ID a@council.test
expect_out "no Message-ID: dead before sending, rather than given one by libESMTP" \
"a@council.test${tab}dead${tab}0${tab}smtp 127.0.0.1:$tls_port: not sent: the message to 'a@council.test' has no Message-ID header"
expect_delivered "no Message-ID: nothing delivered" tls "$before"

run "CA mismatch" 0 "$MAIL_SEND" --server "127.0.0.1:$tls_port" --ca "$T/other-ca/ca.pem" --user "$USER" \
	--password-file "$T/password" a@council.test
expect_out "CA mismatch: retried, the certificate refused" \
"a@council.test${tab}retry${tab}0${tab}smtp 127.0.0.1:$tls_port: TLS: certificate verification failed: unable to get local issuer certificate"
expect_delivered "CA mismatch: nothing delivered" tls "$before"

start_server other --tls "$T/certs/other.pem" "$T/certs/other.key"
run "certificate for another host" 0 "$MAIL_SEND" --server "127.0.0.1:$port" --ca "$CA" a@council.test
expect_out "certificate for another host: retried, the name refused" \
"a@council.test${tab}retry${tab}0${tab}smtp 127.0.0.1:$port: TLS: certificate verification failed: IP address mismatch"
same "certificate for another host: not a command after STARTTLS" \
	"$(grep -c -E ">> b'(EHLO|MAIL|RCPT|DATA)" "$T/other/server.log")" 1

# --- Servers that cannot be used ----------------------------------------

start_server gone
gone_port=$port
kill "$(cat "$T/gone/pid")"
wait "$(cat "$T/gone/pid")" 2>/dev/null
run "server not running" 0 "$MAIL_SEND" --server "127.0.0.1:$gone_port" --ca "$CA" --count 2 a@council.test
expect_out "server not running: each message retried, cannot connect" \
"a@council.test${tab}retry${tab}0${tab}smtp 127.0.0.1:$gone_port: cannot connect: Connection refused
a@council.test${tab}retry${tab}0${tab}smtp 127.0.0.1:$gone_port: cannot connect: Connection refused"

start_server busy --greeting-code 421
run "greeting 421" 0 "$MAIL_SEND" --server "127.0.0.1:$port" --no-tls a@council.test
expect_out "greeting 421: retried with 421" \
"a@council.test${tab}retry${tab}421${tab}smtp 127.0.0.1:$port: greeting: 421 4.3.2 Service not available, closing channel"

# --- Plain text ---------------------------------------------------------

start_server plain --fail-data 1 --sender-script 'refused@council.test=553'
plain_port=$port
run "no STARTTLS offered" 0 "$MAIL_SEND" --server "127.0.0.1:$plain_port" --ca "$CA" a@council.test
expect_out "no STARTTLS offered: retried, saying so" \
"a@council.test${tab}retry${tab}0${tab}smtp 127.0.0.1:$plain_port: the server does not offer STARTTLS (tls = \"required\")"
same "no STARTTLS offered: no MAIL, RCPT or DATA in plain text" \
	"$(grep -c -E ">> b'(MAIL|RCPT|DATA)" "$T/plain/server.log")" 0
expect_delivered "no STARTTLS offered: nothing delivered" plain ""

run "tls none" 0 "$MAIL_SEND" --server "127.0.0.1:$plain_port" --no-tls --save "$T/sent" --tag plain --resend 1 \
	a@council.test b@council.test
expect_out "tls none: a 451 after DATA retried, the rest of the session sent, then the resend" \
"a@council.test${tab}retry${tab}451${tab}smtp 127.0.0.1:$plain_port: DATA: 451 4.3.0 Scripted failure of DATA
b@council.test${tab}sent${tab}250${tab}
a@council.test${tab}sent${tab}250${tab}"
expect_delivered "tls none: both delivered once, byte for byte" plain \
	"$(sent_line a@council.test plain.1.1)
$(sent_line b@council.test plain.1.2)"

run "sender refused, without AUTH" 0 "$MAIL_SEND" --server "127.0.0.1:$plain_port" --no-tls \
	--from refused@council.test a@council.test
expect_out "sender refused without AUTH: dead with 553" \
"a@council.test${tab}dead${tab}553${tab}smtp 127.0.0.1:$plain_port: MAIL FROM:<refused@council.test>: 553 5.7.1 Sender address rejected: not owned by user"

start_server plainauth --auth "$USER:$PASSWORD"
run "tls none with AUTH" 0 "$MAIL_SEND" --server "127.0.0.1:$port" --no-tls --user "$USER" \
	--password-file "$T/password" --save "$T/sent" --tag plainauth a@council.test
expect_out "tls none with AUTH: sent" "a@council.test${tab}sent${tab}250${tab}"
expect_delivered "tls none with AUTH: delivered" plainauth "$(sent_line a@council.test plainauth.1.1)"

# --- Maildir ------------------------------------------------------------

md="$T/mail/box"
run "maildir: deliver" 0 "$MAIL_SEND" --maildir "$md" --name 1.casewatch --save "$T/sent" --tag md1 a@council.test
expect_out "maildir: delivered" "delivered"
same "maildir: the folder and its parent made, tmp new cur 0700" \
	"$(stat -c '%n %a' "$T/mail" "$md" "$md/tmp" "$md/new" "$md/cur" | sed "s|$T/||")" \
	"mail 700
mail/box 700
mail/box/tmp 700
mail/box/new 700
mail/box/cur 700"
tr -d '\r' <"$T/sent/md1.1.1.eml" >"$T/want-md"
check "maildir: the message with LF line ends" cmp -s "$T/want-md" "$md/new/1.casewatch"
run "maildir: deliver the same name again" 0 "$MAIL_SEND" --maildir "$md" --name 1.casewatch --save "$T/sent" \
	--tag md2 a@council.test
expect_out "maildir: delivered again" "delivered"
same "maildir: one file in new/, none left in tmp/" "$(ls "$md/new")|$(ls "$md/tmp")" "1.casewatch|"
tr -d '\r' <"$T/sent/md2.1.1.eml" >"$T/want-md"
check "maildir: the second copy replaced the first" cmp -s "$T/want-md" "$md/new/1.casewatch"
same "maildir: no CR left" "$(grep -c "$(printf '\r')" "$md/new/1.casewatch")" 0
for name in ../escape .hidden a/b; do
	run "maildir: name '$name' refused" 0 "$MAIL_SEND" --maildir "$md" --name "$name" a@council.test
	expect_out "maildir: '$name' is EINVAL" \
		"error${tab}EINVAL${tab}maildir $md: '$name' is not a file name for a message"
done
same "maildir: still one file in new/" "$(ls "$md/new")" "1.casewatch"
: >"$T/not-a-folder"
run "maildir: a file in the way" 0 "$MAIL_SEND" --maildir "$T/not-a-folder/box" --name 2.casewatch a@council.test
expect_out "maildir: ENOTDIR with the path" \
	"error${tab}ENOTDIR${tab}maildir: cannot create $T/not-a-folder/box: Not a directory"

done_testing

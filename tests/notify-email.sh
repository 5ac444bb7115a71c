#!/bin/sh
# Notifications by email, end to end: casewatch run --once composing and
# sending to a real SMTP server (tests/smtp-server.py, aiosmtpd) over
# STARTTLS with AUTH, trusting a certificate authority this test makes
# (tests/make-certs.sh). Each scenario has its own case database, state
# database and server, on a fixed week of March 2027 (Monday 1st to
# Monday 8th; GMT, so local times are UTC). What is checked: delivery of
# several messages per session, each Message-ID once; a wrong password,
# a 450 then 250, a 550, a server that is down and a 451 after DATA, each
# retried or given up as DESIGN.md section 5 says, a resend keeping its
# Message-ID and bytes; the send window and urgent rules; one message per
# recipient per scan; only the latest stage after downtime; the officers'
# and managers' digests; the password file's mode and systemd's
# credential; and that no party label, flag or free text ever leaves.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
SMTP_SERVER="$top_srcdir/tests/smtp-server.py"
need_python aiosmtpd.smtp

# Servers are stopped however the script ends; KEEP=1 keeps $T to look at.
cleanup() {
	stop_servers
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

certs="$T/certs"
if ! sh "$top_srcdir/tests/make-certs.sh" "$certs" >"$T/certs.log" 2>&1; then
	echo "Bail out! tests/make-certs.sh failed"
	sed 's/^/# /' "$T/certs.log"
	exit 1
fi
PASSWORD='s3cret pass:word'

# start_server NAME [ARGS...]: a server for scenario NAME requiring
# STARTTLS and AUTH as casewatch, files in $T/NAME/smtp (out/ for what it
# accepts, server.log for its log). Sets $port.
start_server() {
	_dir="$T/$1/smtp"
	shift
	mkdir -p "$_dir/out"
	if ! serve "$_dir/port" "$_dir/server.log" "$SMTP_SERVER" --out "$_dir/out" \
		--tls "$certs/server.pem" "$certs/server.key" --auth "casewatch:$PASSWORD" "$@"; then
		echo "Bail out! the SMTP server did not start"
		exit 1
	fi
	echo "$served_pid" >"$_dir/pid"
	port=$served_port
}

# stop_server NAME: stops scenario NAME's server and waits for it.
stop_server() {
	_pid=$(cat "$T/$1/smtp/pid")
	kill "$_pid" 2>/dev/null || true
	wait "$_pid" 2>/dev/null || true
}

# The rules: a 2-working-day reply (upcoming the day before, due on the
# day, overdue after, escalated 2 working days after) and an urgent 4-hour
# call for serious cases (due from the start).
cat >"$T/pack.conf" <<'EOF'
pack = "email-test";
title = "Standards for the email test";
notify = {
	upcoming = { before = "1 working day"; to = [ "officer" ]; };
	due = { to = [ "officer" ]; };
	overdue = { to = [ "officer", "supervisor" ]; };
	escalated = { after = "2 working days"; to = [ "manager" ]; };
};
rules = (
	{
		id = "reply";
		title = "Reply to the complainant within 2 working days";
		kind = "deadline";
		when = { serious = false; };
		from = "received";
		within = "2 working days";
		met_by = { kind = "contact"; };
	},
	{
		id = "urgent-call";
		title = "Phone call within 4 hours of a serious incident";
		kind = "deadline";
		when = { serious = true; };
		from = "received";
		within = "4 hours";
		met_by = { kind = "contact"; channel = "phone"; };
		urgent = true;
	}
);
EOF

# scenario NAME PORT [NOTIFY-SETTINGS]: $T/NAME with a case database
# holding the unit's staff, a password file and a configuration sending
# through 127.0.0.1:PORT. Cases come from `cases NAME` (SQL on stdin).
scenario() {
	_notify=${3:-'officer_digest = false; manager_digest = { every = "never"; };'}
	mkdir -p "$T/$1"
	printf '%s\n' "$PASSWORD" >"$T/$1/smtp-password"
	chmod 600 "$T/$1/smtp-password"
	cat >"$T/$1/casewatch.conf" <<EOF
database = "cases.db";
state = "state.db";
rules = [ "../pack.conf" ];
timezone = "Europe/London";
smtp = {
	server = "127.0.0.1:$2";
	tls = "required";
	ca_file = "../certs/ca.pem";
	user = "casewatch";
	password_file = "smtp-password";
	from = "Casewatch Monitor <casewatch@council.test>";
	timeout = 3;
};
notify = {
	case_link = "https://crm.example.gov.uk/asb/{ref}";
	$_notify
};
EOF
	"$CASEWATCH" db init "$T/$1/cases.db" >/dev/null
	sqlite3 -bail -batch "$T/$1/cases.db" <<'EOF'
INSERT INTO teams (id, name, supervisor, manager_email) VALUES
	('north', 'North Team', 'sup', 'manager@council.test'),
	('south', 'South Team', 'sup2', 'manager@council.test');
INSERT INTO officers (id, name, email, team) VALUES
	('sup', 'Sam Supervisor', 'sup@council.test', 'north'),
	('sup2', 'Sian Supervisor', 'sup2@council.test', 'south'),
	('off1', 'Olive One', 'off1@council.test', 'north'),
	('off2', 'Owen Two', 'off2@council.test', 'north'),
	('off3', 'Oona Three', 'off3@council.test', 'north'),
	('off4', 'Otto Four', 'off4@council.test', 'north'),
	('off5', 'Orla Five', 'off5@council.test', 'north'),
	('offc', 'Colm South', 'offc@council.test', 'south'),
	('idle', 'Ivy Idle', 'idle@council.test', 'north'),
	('tmp', 'Tam Later', 'tmp@council.test', 'north'),
	('bad', 'Bea Bounce', 'bad@council.test', 'north');
EOF
}

# cases NAME: runs the SQL on stdin against scenario NAME's case database.
cases() {
	if ! sqlite3 -bail -batch "$T/$1/cases.db" >"$T/sqlout" 2>&1; then
		echo "Bail out! inserting the cases of $1 failed"
		sed 's/^/# /' "$T/sqlout"
		exit 1
	fi
}

# case_sql ID OFFICER RECEIVED [SERIOUS]: a case ASB-2027-ID (team south
# for offc, north otherwise) with a complainant.
case_sql() {
	_team=north
	[ "$2" = offc ] && _team=south
	printf "INSERT INTO cases (id, ref, category, serious, officer, team, received_at) VALUES (%d, 'ASB-2027-%04d', 'nuisance', %d, '%s', '%s', '%s');\n" \
		"$1" "$1" "${4:-0}" "$2" "$_team" "$3"
	printf "INSERT INTO parties (id, case_id, role, label) VALUES (%d, %d, 'complainant', 'Resident-Label %d');\n" \
		"$1" "$1" "$1"
}

# sensitive_sql ID: what must never leave: a party's name, the hate and
# risk flags, a category and an event's free text.
sensitive_sql() {
	printf "UPDATE cases SET hate = 1, risk = 'high', category = 'zqxcategory' WHERE id = %d;\n" "$1"
	printf "UPDATE parties SET label = 'Zebedee Quartermaine-Fox' WHERE case_id = %d;\n" "$1"
	printf "INSERT INTO events (case_id, at, kind, channel, detail, officer) VALUES (%d, '2027-09-01T10:00:00Z', 'contact', 'phone', 'zqxdetail', 'off2');\n" "$1"
}

# cw NAME ARGS...: casewatch with scenario NAME's configuration.
cw() {
	_s=$1
	shift
	"$CASEWATCH" -c "$T/$_s/casewatch.conf" "$@"
}

# crun TEST STATUS NAME ARGS...: `run` of casewatch for scenario NAME,
# everything it printed also kept in $T/transcript.
crun() {
	_t=$1 _w=$2
	shift 2
	run "$_t" "$_w" cw "$@"
	{ cat "$T/out" "$T/err"; } >>"$T/transcript"
}

# has NAME LINE: the last run's stdout has the line LINE.
has() {
	if grep -qxF -- "$2" "$T/out"; then ok "$1"; else
		not_ok "$1 (no line '$2')"
		sed 's/^/# stdout: /' "$T/out"
	fi
}
# has_re NAME ERE: the last run's stdout has a line matching ERE (whole).
has_re() {
	if grep -qxE -- "$2" "$T/out"; then ok "$1"; else
		not_ok "$1 (no line matching '$2')"
		sed 's/^/# stdout: /' "$T/out"
	fi
}

# st NAME SQL: a query of scenario NAME's state database.
st() {
	_s=$1
	shift
	sqlite3 -batch "$T/$_s/state.db" "$@"
}

# The server's record of scenario NAME: a line per recipient per message.
srvlog() { cat "$T/$1/smtp/out/log" 2>/dev/null || true; }
# delivered NAME: how many messages the server accepted.
delivered() { srvlog "$1" | wc -l | tr -d ' '; }
# once NAME TEST: every Message-ID the server of NAME accepted, it
# accepted once (and there was at least one).
once() {
	_d=$(srvlog "$1" | cut -f2 | sort | uniq -d)
	if [ -z "$_d" ] && [ -s "$T/$1/smtp/out/log" ]; then ok "$2"; else
		not_ok "$2 (repeated: $_d)"
		srvlog "$1" | sed 's/^/# log: /'
	fi
}
# same_ids NAME TEST: the Message-IDs the server of NAME has are exactly
# the refs of the messages its state database has as sent.
same_ids() {
	srvlog "$1" | cut -f2 | sort >"$T/ids.server"
	st "$1" "SELECT ref FROM messages WHERE status = 'sent' AND channel = 'email'" | sort >"$T/ids.state"
	if [ -s "$T/ids.server" ] && cmp -s "$T/ids.server" "$T/ids.state"; then ok "$2"; else
		not_ok "$2"
		diff "$T/ids.state" "$T/ids.server" | sed 's/^/# /'
	fi
}

# eml NAME ADDRESS: the file of the last message the server of NAME
# accepted for ADDRESS (To: the address, or "Name <address>").
eml() {
	grep -l -i -E "^To: (.* <)?$2>?[[:space:]]*\$" "$T/$1/smtp/out/"*.eml 2>/dev/null | sort -V | tail -n 1
}

# text FILE: the decoded headers and text part of a message (nothing
# when there is no FILE).
text() {
	[ -f "$1" ] || return 0
	"$PY" - "$1" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for k in ("From", "To", "Subject", "Message-ID", "References", "Auto-Submitted"):
    if m[k] is not None:
        print("%s: %s" % (k, m[k]))
print()
print(m.get_body(preferencelist=("plain",)).get_content(), end="")
EOF
}

########################################################################
# 1, 8, 9: STARTTLS and AUTH, several messages a session; the send
# window and urgent rules; one message per recipient per scan.
start_server tls
scenario tls "$port"
{
	for i in 1 2 3 4 5 6 7 8 9 10; do case_sql "$i" off1 2027-03-01T09:00:00Z; done
	case_sql 11 off2 2027-03-01T09:00:00Z
	case_sql 12 off3 2027-03-01T09:00:00Z
	case_sql 13 off4 2027-03-01T09:00:00Z
	case_sql 14 off5 2027-03-01T09:00:00Z
	sensitive_sql 11
	# Serious, each called back in time: Wednesday 06:30, Saturday 10:00.
	case_sql 15 off3 2027-03-03T06:30:00Z 1
	case_sql 16 off4 2027-03-06T10:00:00Z 1
	echo "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
		(15, '2027-03-03T07:30:00Z', 'contact', 15, 'phone', 'update', 'off3'),
		(16, '2027-03-06T11:00:00Z', 'contact', 16, 'phone', 'update', 'off4');"
} | cases tls
crun "tls: check" 0 tls check
crun "tls: the first scan, on Monday before any case" 0 tls run --once --at 2027-03-01T06:00:00Z
crun "tls: Tuesday 09:00" 0 tls run --once --at 2027-03-02T09:00:00Z
expect_out "tls: Tuesday: ten for off1 in one message, one each for four others" \
"scan at 2027-03-02T09:00:00Z: 16 cases evaluated (full: new day), 14 changed
queued: ASB-2027-0001 reply: upcoming (1 notification)
queued: ASB-2027-0002 reply: upcoming (1 notification)
queued: ASB-2027-0003 reply: upcoming (1 notification)
queued: ASB-2027-0004 reply: upcoming (1 notification)
queued: ASB-2027-0005 reply: upcoming (1 notification)
queued: ASB-2027-0006 reply: upcoming (1 notification)
queued: ASB-2027-0007 reply: upcoming (1 notification)
queued: ASB-2027-0008 reply: upcoming (1 notification)
queued: ASB-2027-0009 reply: upcoming (1 notification)
queued: ASB-2027-0010 reply: upcoming (1 notification)
queued: ASB-2027-0011 reply: upcoming (1 notification)
queued: ASB-2027-0012 reply: upcoming (1 notification)
queued: ASB-2027-0013 reply: upcoming (1 notification)
queued: ASB-2027-0014 reply: upcoming (1 notification)
0 due today, 0 overdue, 14 notifications queued
composed: message 1 to off1@council.test: 10 coming up
composed: message 2 to off2@council.test: 1 coming up
composed: message 3 to off3@council.test: 1 coming up
composed: message 4 to off4@council.test: 1 coming up
composed: message 5 to off5@council.test: 1 coming up
5 messages composed
sent 5 messages (5 email, 0 webhook); 0 to retry, 0 dead"
same "tls: Tuesday: the server accepted 5 messages" "$(delivered tls)" 5
same "tls: Tuesday: to these recipients, one each" \
	"$(srvlog tls | cut -f1 | sort | tr '\n' ' ')" \
	"off1@council.test off2@council.test off3@council.test off4@council.test off5@council.test "
once tls "tls: Tuesday: each Message-ID once"
same_ids tls "tls: Tuesday: the server has the Message-IDs the state database has as sent"
same "tls: Tuesday: all 5 over TLS, authenticated, in one session" \
	"$(grep -c ' saved .*, tls True, auth True$' "$T/tls/smtp/server.log") $(grep -c ' handling connection$' "$T/tls/smtp/server.log")" "5 1"
same "tls: Tuesday: nothing waiting" "$(st tls "SELECT count(*) FROM messages WHERE status <> 'sent'")" 0
run "tls: Tuesday: outbox is empty" 0 cw tls outbox
expect_out "tls: Tuesday: outbox says so" "nothing waiting to be delivered, and nothing given up"

# 9: off1's one message lists the ten cases, each once.
m=$(eml tls off1@council.test)
text "$m" >"$T/m.txt"
same "grouping: off1's subject" "$(grep '^Subject:' "$T/m.txt")" "Subject: casewatch: 10 coming up"
same "grouping: ten case lines" "$(grep -c '^ASB-2027-00[0-9][0-9]: Reply' "$T/m.txt")" 10
same "grouping: the ten cases of off1, each once" \
	"$(grep -o 'ASB-2027-[0-9]*' "$T/m.txt" | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" \
	"2xASB-2027-0001 2xASB-2027-0002 2xASB-2027-0003 2xASB-2027-0004 2xASB-2027-0005 2xASB-2027-0006 2xASB-2027-0007 2xASB-2027-0008 2xASB-2027-0009 2xASB-2027-0010 "
same "grouping: a message about several cases has no References" "$(grep -c '^References:' "$T/m.txt")" 0
# The message's form.
instance=$(st tls "SELECT value FROM meta WHERE key = 'instance'")
m=$(eml tls off2@council.test)
text "$m" >"$T/m.txt"
same "message: From is smtp.from" "$(grep '^From:' "$T/m.txt")" "From: Casewatch Monitor <casewatch@council.test>"
same "message: To is the officer, by name" "$(grep '^To:' "$T/m.txt")" "To: Owen Two <off2@council.test>"
same "message: its Message-ID" "$(grep '^Message-ID:' "$T/m.txt")" "Message-ID: <casewatch.$instance.2@council.test>"
same "message: one case: References threads it" "$(grep '^References:' "$T/m.txt")" \
	"References: <casewatch.$instance.case.11@council.test>"
same "message: Auto-Submitted" "$(grep '^Auto-Submitted:' "$T/m.txt")" "Auto-Submitted: auto-generated"
same "message: a neutral subject" "$(grep '^Subject:' "$T/m.txt")" "Subject: casewatch: ASB-2027-0011: 1 coming up"
same "message: text and HTML, quoted-printable" \
	"$(tr -d '\r' <"$m" | grep -i '^Content-T' | tr '\n' '|')" \
	"Content-Type: multipart/alternative; boundary=\"=_casewatch_$(tr -d '\r' <"$m" | sed -n 's/.*boundary="=_casewatch_\([0-9a-f]*\)".*/\1/p')\"|Content-Type: text/plain; charset=utf-8|Content-Transfer-Encoding: quoted-printable|Content-Type: text/html; charset=utf-8|Content-Transfer-Encoding: quoted-printable|"
same "message: what it says of the case" "$(sed -n '/^ASB/,/^$/p' "$T/m.txt")" \
"ASB-2027-0011: Reply to the complainant within 2 working days (reply)
  coming up: deadline Wed 3 Mar
  met by a contact
  officer Owen Two, team North Team
  https://crm.example.gov.uk/asb/ASB-2027-0011"

# 8: Wednesday 07:00, before the window: the 14 due notices are held, the
# urgent call of the case received at 06:30 goes at once.
crun "window: Wednesday 07:00" 0 tls run --once --at 2027-03-03T07:00:00Z
expect_out "window: Wednesday 07:00: the urgent call goes, the rest is held" \
"scan at 2027-03-03T07:00:00Z: 16 cases evaluated (full: new day), 15 changed
queued: ASB-2027-0001 reply: due (1 notification)
queued: ASB-2027-0002 reply: due (1 notification)
queued: ASB-2027-0003 reply: due (1 notification)
queued: ASB-2027-0004 reply: due (1 notification)
queued: ASB-2027-0005 reply: due (1 notification)
queued: ASB-2027-0006 reply: due (1 notification)
queued: ASB-2027-0007 reply: due (1 notification)
queued: ASB-2027-0008 reply: due (1 notification)
queued: ASB-2027-0009 reply: due (1 notification)
queued: ASB-2027-0010 reply: due (1 notification)
queued: ASB-2027-0011 reply: due (1 notification)
queued: ASB-2027-0012 reply: due (1 notification)
queued: ASB-2027-0013 reply: due (1 notification)
queued: ASB-2027-0014 reply: due (1 notification)
queued: ASB-2027-0015 urgent-call: due (1 notification)
15 due today, 0 overdue, 15 notifications queued
composed: message 6 to off3@council.test: 1 due
1 message composed, 14 notifications held for the send window
sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "window: 07:00: the server got the urgent one only" "$(delivered tls)" 6
text "$(eml tls off3@council.test)" >"$T/m.txt"
same "window: 07:00: it is about the serious case" "$(grep -o 'ASB-2027-[0-9]*' "$T/m.txt" | sort -u)" ASB-2027-0015
same "window: 07:00: the held notifications wait in the outbox" \
	"$(st tls "SELECT count(*) || ' ' || group_concat(DISTINCT stage) FROM outbox WHERE status = 'pending' AND urgent = 0")" "14 due"

crun "window: Wednesday 08:05" 0 tls run --once --at 2027-03-03T08:05:00Z
expect_out "window: 08:05: the held ones go, one message per officer" \
"scan at 2027-03-03T08:05:00Z: 1 cases evaluated (incremental), 1 changed
14 due today, 0 overdue, 14 notifications queued
composed: message 7 to off1@council.test: 10 due today
composed: message 8 to off2@council.test: 1 due today
composed: message 9 to off3@council.test: 1 due today
composed: message 10 to off4@council.test: 1 due today
composed: message 11 to off5@council.test: 1 due today
5 messages composed
sent 5 messages (5 email, 0 webhook); 0 to retry, 0 dead"
same "window: 08:05: 11 messages delivered in all" "$(delivered tls)" 11
once tls "window: 08:05: each Message-ID once"
same_ids tls "window: 08:05: the server has what the state database has as sent"
text "$(eml tls off1@council.test)" >"$T/m.txt"
same "window: 08:05: off1's ten, in one message" \
	"$(grep '^Subject:' "$T/m.txt"; grep -c '^  due today, Wed 3 Mar$' "$T/m.txt")" \
	"Subject: casewatch: 10 due today
10"

# Saturday, after two days without a scan: the reply obligations went from
# due through overdue (Thursday) to escalated (Friday); only the
# escalation is owed, to the manager, and it waits for Monday. The urgent
# call of the case received on Saturday goes at once.
crun "window: Saturday 10:30" 0 tls run --once --at 2027-03-06T10:30:00Z
expect_out "window: Saturday: the urgent call goes, the escalations wait" \
"scan at 2027-03-06T10:30:00Z: 16 cases evaluated (full: new day), 15 changed
queued: ASB-2027-0001 reply: escalated (1 notification)
queued: ASB-2027-0002 reply: escalated (1 notification)
queued: ASB-2027-0003 reply: escalated (1 notification)
queued: ASB-2027-0004 reply: escalated (1 notification)
queued: ASB-2027-0005 reply: escalated (1 notification)
queued: ASB-2027-0006 reply: escalated (1 notification)
queued: ASB-2027-0007 reply: escalated (1 notification)
queued: ASB-2027-0008 reply: escalated (1 notification)
queued: ASB-2027-0009 reply: escalated (1 notification)
queued: ASB-2027-0010 reply: escalated (1 notification)
queued: ASB-2027-0011 reply: escalated (1 notification)
queued: ASB-2027-0012 reply: escalated (1 notification)
queued: ASB-2027-0013 reply: escalated (1 notification)
queued: ASB-2027-0014 reply: escalated (1 notification)
queued: ASB-2027-0016 urgent-call: due (1 notification)
1 due today, 14 overdue, 15 notifications queued
composed: message 12 to off4@council.test: 1 due
1 message composed, 14 notifications held for the send window
sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "window: Saturday: delivered at once" \
	"$(srvlog tls | sed -n 12p | cut -f1) $(text "$(eml tls off4@council.test)" | grep -o 'ASB-2027-[0-9]*' | sort -u)" \
	"off4@council.test ASB-2027-0016"
same "catch-up: no overdue notice was owed after the jump" \
	"$(st tls "SELECT count(*) FROM outbox WHERE stage = 'overdue'")" 0
crun "window: Monday 08:00" 0 tls run --once --at 2027-03-08T08:00:00Z
expect_out "window: Monday 08:00: the manager's 14 escalations in one message" \
"scan at 2027-03-08T08:00:00Z: 16 cases evaluated (full: new day), 1 changed
0 due today, 14 overdue, 14 notifications queued
composed: message 13 to manager@council.test: 14 escalated
1 message composed
sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
text "$(eml tls manager@council.test)" >"$T/m.txt"
same "window: Monday: the manager's message lists the 14 cases once each" \
	"$(grep -c '^ASB-2027-00[0-9][0-9]: Reply' "$T/m.txt") $(grep -o '^ASB-2027-[0-9]*' "$T/m.txt" | sort -u | wc -l)" "14 14"
same "window: Monday: escalated, 3 working days late" \
	"$(grep -c '^  escalated: deadline Wed 3 Mar, 3 working days late$' "$T/m.txt")" 14
same "tls: 13 messages delivered in all" "$(delivered tls)" 13
once tls "tls: each Message-ID once, over 6 runs"
same_ids tls "tls: the server has what the state database has as sent"

########################################################################
# 10: catch-up. The upcoming notices of Tuesday 07:00 are held; no scan
# for two days; on Thursday the obligations are overdue, and each
# recipient gets one message with that alone: not the upcoming notice
# held, not the due notice never queued.
start_server catchup
scenario catchup "$port"
{
	case_sql 21 off1 2027-03-01T09:00:00Z
	case_sql 22 off1 2027-03-01T09:00:00Z
	case_sql 23 off2 2027-03-01T09:00:00Z
} | cases catchup
crun "catch-up: the first scan" 0 catchup run --once --at 2027-03-01T06:00:00Z
crun "catch-up: Tuesday 07:00" 0 catchup run --once --at 2027-03-02T07:00:00Z
has "catch-up: Tuesday 07:00: held" "0 messages composed, 3 notifications held for the send window"
crun "catch-up: Thursday 09:00, two days later" 0 catchup run --once --at 2027-03-04T09:00:00Z
expect_out "catch-up: Thursday: only overdue, one message per recipient" \
"scan at 2027-03-04T09:00:00Z: 3 cases evaluated (full: new day), 3 changed
queued: ASB-2027-0021 reply: overdue (2 notifications)
queued: ASB-2027-0022 reply: overdue (2 notifications)
queued: ASB-2027-0023 reply: overdue (2 notifications)
0 due today, 3 overdue, 9 notifications queued
composed: message 1 to off1@council.test: 2 overdue
composed: message 2 to off2@council.test: 1 overdue
composed: message 3 to sup@council.test: 3 overdue
3 messages composed, 3 dropped (met or overtaken)
sent 3 messages (3 email, 0 webhook); 0 to retry, 0 dead"
same "catch-up: one message to each recipient" \
	"$(srvlog catchup | cut -f1 | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" \
	"1xoff1@council.test 1xoff2@council.test 1xsup@council.test "
for a in off1 off2 sup; do
	text "$(eml catchup $a@council.test)" >"$T/m.txt"
	if grep -q 'coming up\|due today' "$T/m.txt" || [ "$(grep -c '^  overdue: deadline Wed 3 Mar, 1 working day late$' "$T/m.txt")" -ne \
		"$(grep -c '^ASB-2027-' "$T/m.txt")" ]; then
		not_ok "catch-up: $a's message says overdue, and nothing else"
		sed 's/^/# /' "$T/m.txt"
	else
		ok "catch-up: $a's message says overdue, and nothing else"
	fi
done
same "catch-up: the upcoming notices were dropped, the due stage never queued" \
	"$(st catchup "SELECT stage || ' ' || status || ' ' || count(*) FROM outbox GROUP BY stage, status ORDER BY stage")" \
	"overdue sent 6
upcoming void 3"
same "catch-up: the ledger has the 6 overdue notices sent" \
	"$(st catchup "SELECT count(*) FROM ledger WHERE stage = 'overdue'") $(st catchup "SELECT count(*) FROM ledger")" "6 6"

########################################################################
# 11: digests. Officers' on working days from 08:00, managers' weekly on
# Monday: overdue and escalated by team and officer.
start_server digest
scenario digest "$port" 'officer_digest = "08:00"; manager_digest = { every = "week"; day = "monday"; time = "08:00"; };'
{
	case_sql 31 off1 2027-03-01T09:00:00Z # due Wed 3: escalated by Monday
	case_sql 32 off1 2027-03-04T09:00:00Z # due Mon 8
	case_sql 33 off1 2027-03-05T09:00:00Z # due Tue 9: upcoming on Monday
	case_sql 34 offc 2027-03-02T09:00:00Z # due Thu 4: escalated on Monday (south)
	case_sql 35 idle 2027-03-01T09:00:00Z # met at once: idle has nothing
	# Met at once and closed: not in the state database, but in the
	# managers' figures, which evaluate every case.
	case_sql 36 idle 2027-03-01T09:00:00Z
	echo "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) VALUES
		(35, '2027-03-01T10:00:00Z', 'contact', 35, 'phone', 'acknowledgement', 'idle'),
		(36, '2027-03-01T10:00:00Z', 'contact', 36, 'phone', 'acknowledgement', 'idle');
	INSERT INTO events (case_id, at, kind) VALUES (36, '2027-03-01T11:00:00Z', 'closed');"
} | cases digest
crun "digest: the first scan, on Saturday" 0 digest run --once --at 2027-03-06T12:00:00Z
crun "digest: Monday 07:30" 0 digest run --once --at 2027-03-08T07:30:00Z
has "digest: 07:30: no digest before 08:00" "0 messages composed, 3 notifications held for the send window"
crun "digest: Monday 08:05" 0 digest run --once --at 2027-03-08T08:05:00Z
expect_out "digest: Monday 08:05: the notices held, then folded into the digests: one email each" \
"scan at 2027-03-08T08:05:00Z: 0 cases evaluated (incremental), 0 changed
1 due today, 2 overdue, 3 notifications queued
composed: message 1 to off1@council.test: officer digest: 1 due today, 1 overdue, 1 coming up (with 2 notifications of this scan)
composed: message 2 to offc@council.test: officer digest: 1 overdue
composed: message 3 to manager@council.test: manager digest: 2 escalated (with 1 notification of this scan)
3 messages composed
sent 3 messages (3 email, 0 webhook); 0 to retry, 0 dead"
same "digest: Monday: the folded notifications are sent with their digests, each in the ledger once" \
	"$(st digest "SELECT group_concat(o.recipient || ' ' || o.stage || ' ' || m.kind || ' ' || o.status || ' ' || (SELECT count(*) FROM ledger l WHERE l.outbox_id = o.id), ', ') FROM (SELECT * FROM outbox ORDER BY id) o JOIN messages m ON m.id = o.message_id")" \
	"$(st digest "SELECT group_concat(recipient || ' ' || stage || ' ' || CASE recipient WHEN 'manager' THEN 'manager-digest' ELSE 'officer-digest' END || ' sent 1', ', ') FROM (SELECT * FROM outbox ORDER BY id)")"
same "digest: Monday: three notifications folded" "$(st digest "SELECT count(*) FROM outbox WHERE message_id IS NOT NULL")" 3
same "digest: Monday: one digest per officer with something, none for idle; the managers' for the week" \
	"$(st digest "SELECT group_concat(kind || ' ' || destination || ' ' || period, ', ') FROM (SELECT * FROM messages WHERE kind <> 'notice' ORDER BY id)")" \
	"officer-digest off1@council.test 2027-03-08, officer-digest offc@council.test 2027-03-08, manager-digest manager@council.test 2027-W10"
same "digest: Monday: nothing reached idle" "$(srvlog digest | grep -c '^idle@')" 0
text "$(eml digest off1@council.test)" >"$T/m.txt"
same "digest: off1's digest" "$(sed -n '/^Subject:/p; /^Good morning/,/^-- $/p' "$T/m.txt")" \
"Subject: casewatch: your cases on 2027-03-08: 1 due today, 1 overdue, 1 coming up
Good morning Olive One: 1 due today, 1 overdue, 1 coming up.

Overdue: ASB-2027-0031: Reply to the complainant within 2 working days
  escalated: deadline Wed 3 Mar, 3 working days late
  met by a contact
  https://crm.example.gov.uk/asb/ASB-2027-0031

Due today (new): ASB-2027-0032: Reply to the complainant within 2 working days
  due today, Mon 8 Mar
  met by a contact
  https://crm.example.gov.uk/asb/ASB-2027-0032

Coming up (new): ASB-2027-0033: Reply to the complainant within 2 working days
  coming up: deadline Tue 9 Mar
  met by a contact
  https://crm.example.gov.uk/asb/ASB-2027-0033

-- "
text "$(eml digest manager@council.test)" >"$T/m.txt"
same "digest: the managers' digest: overdue by team and officer, and the figures" \
	"$(sed -n '/^Subject:/p; /^Service standards/,/^-- $/p' "$T/m.txt")" \
"Subject: casewatch: service standards, 2027-W10: 2 escalated
Service standards, 2027-W10: 2 escalated.

On time, of the deadlines Mon 1 Mar to Sun 7 Mar (before: Mon 22 Feb to Sun 28 Feb):
  Reply to the complainant within 2 working days: 50% (2 of 4); before: none fell due

By team and officer, on time of the same deadlines, and overdue now:
  North Team: 66% (2 of 3); 1 overdue now
    Ivy Idle: 100% (2 of 2); 0 overdue now
    Olive One: 0% (0 of 1); 1 overdue now
  South Team: 0% (0 of 1); 1 overdue now
    Colm South: 0% (0 of 1); 1 overdue now

Team North Team: 1 overdue
  Olive One: 1
    ASB-2027-0031: Reply to the complainant within 2 working days: escalated: deadline Wed 3 Mar, 3 working days late

Team South Team: 1 overdue
  Colm South: 1
    ASB-2027-0034 (new): Reply to the complainant within 2 working days: escalated: deadline Thu 4 Mar, 2 working days late

Every obligation, by state (closed cases included):
  Reply to the complainant within 2 working days (reply): 2 overdue, 2 pending, 0 paused, 2 met, 0 met late

-- "
crun "digest: Monday 10:00" 0 digest run --once --at 2027-03-08T10:00:00Z
has "digest: Monday 10:00: no second digest the same day" "0 messages composed"
same "digest: Monday 10:00: still 3 messages" "$(st digest "SELECT count(*) FROM messages")" 3
crun "digest: Tuesday 08:30" 0 digest run --once --at 2027-03-09T08:30:00Z
same "digest: Tuesday: the officers' digests again, not the managers' (weekly)" \
	"$(st digest "SELECT group_concat(kind || ' ' || destination, ', ') FROM (SELECT * FROM messages WHERE kind <> 'notice' AND id > 3 ORDER BY id)")" \
	"officer-digest off1@council.test, officer-digest offc@council.test"
same "digest: all delivered, each once" \
	"$(st digest "SELECT count(*) FROM messages WHERE status <> 'sent'") $(srvlog digest | cut -f2 | sort | uniq -d | wc -l) $(delivered digest)" \
	"0 0 $(st digest "SELECT count(*) FROM messages")"

########################################################################
# 2: a wrong password. Nothing is sent, the error names the server and
# the refusal, the messages wait; with the right password a later run
# delivers each once.
start_server badpass
scenario badpass "$port"
printf 'not the password\n' >"$T/badpass/smtp-password"
{
	case_sql 41 off1 2027-03-01T09:00:00Z
	case_sql 42 off2 2027-03-01T09:00:00Z
	case_sql 43 off3 2027-03-01T09:00:00Z
} | cases badpass
crun "password: the first scan" 0 badpass run --once --at 2027-03-01T06:00:00Z
crun "password: Tuesday 09:00, with the wrong password" 0 badpass run --once --at 2027-03-02T09:00:00Z
auth_err="smtp 127.0.0.1:$port: authentication as 'casewatch' failed: 535 5.7.8 Authentication credentials invalid"
expect_out "password: the run says why nothing went, and that it will retry" \
"scan at 2027-03-02T09:00:00Z: 3 cases evaluated (full: new day), 3 changed
queued: ASB-2027-0041 reply: upcoming (1 notification)
queued: ASB-2027-0042 reply: upcoming (1 notification)
queued: ASB-2027-0043 reply: upcoming (1 notification)
0 due today, 0 overdue, 3 notifications queued
composed: message 1 to off1@council.test: 1 coming up
composed: message 2 to off2@council.test: 1 coming up
composed: message 3 to off3@council.test: 1 coming up
3 messages composed
not delivered: message 1 to off1@council.test \"casewatch: ASB-2027-0041: 1 coming up\": $auth_err (will retry)
not delivered: 2 more messages not delivered for the same reason
sent 0 messages (0 email, 0 webhook); 3 to retry, 0 dead"
same "password: the server accepted nothing" "$(delivered badpass)" 0
same "password: the password is nowhere in the output" "$(grep -c 'not the password' "$T/out" "$T/err" | grep -vc ':0$')" 0
run "password: outbox" 0 cw badpass outbox
sed 's/\tnext 2027-03-02T09:0[01]:[0-9][0-9]Z\t/\tnext SOON\t/' "$T/out" >"$T/outbox"
if [ "$(cat "$T/outbox")" = "1	pending	off1@council.test	1 attempt	next SOON	casewatch: ASB-2027-0041: 1 coming up
	last error: $auth_err
2	pending	off2@council.test	1 attempt	next SOON	casewatch: ASB-2027-0042: 1 coming up
	last error: $auth_err
3	pending	off3@council.test	1 attempt	next SOON	casewatch: ASB-2027-0043: 1 coming up
	last error: $auth_err" ] &&
	[ "$(st badpass "SELECT count(*) FROM messages WHERE next_attempt_at - $(epoch 2027-03-02T09:00:00Z) BETWEEN 30 AND 60")" = 3 ]; then
	ok "password: outbox lists the three waiting, retried in 30 to 60 s, with the error"
else
	not_ok "password: outbox lists the three waiting, retried in 30 to 60 s, with the error"
	sed 's/^/# /' "$T/out"
fi
# An outbox send before the retry time sends nothing.
run "password: outbox send before the retry time" 0 cw badpass outbox send --at 2027-03-02T09:00:20Z
expect_out "password: nothing was due" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
printf '%s\n' "$PASSWORD" >"$T/badpass/smtp-password"
crun "password: Tuesday 11:00, the password fixed" 0 badpass run --once --at 2027-03-02T11:00:00Z
expect_out "password: all three sent" \
"scan at 2027-03-02T11:00:00Z: 0 cases evaluated (incremental), 0 changed
0 due today, 0 overdue, 0 notifications queued
0 messages composed
sent 3 messages (3 email, 0 webhook); 0 to retry, 0 dead"
same "password: delivered once each" "$(delivered badpass) $(srvlog badpass | cut -f2 | sort -u | wc -l)" "3 3"
same_ids badpass "password: the Message-IDs composed before the failure are the ones delivered"
same "password: two attempts each" "$(st badpass "SELECT group_concat(attempts) FROM messages")" "2,2,2"
run "password: outbox is empty" 0 cw badpass outbox
expect_out "password: outbox says so" "nothing waiting to be delivered, and nothing given up"

########################################################################
# 3, 4: one recipient's server says 450 then 250, another's always 550.
start_server script --script tmp@council.test=450,250 --script bad@council.test=550
script_port=$port
scenario script "$port" 'officer_digest = false; manager_digest = { every = "day"; time = "08:00"; };'
{
	case_sql 51 tmp 2027-03-01T09:00:00Z
	case_sql 52 bad 2027-03-01T09:00:00Z
	case_sql 53 off1 2027-03-01T09:00:00Z
} | cases script
crun "refusals: the first scan" 0 script run --once --at 2027-03-01T06:00:00Z
crun "refusals: Tuesday 09:00" 0 script run --once --at 2027-03-02T09:00:00Z
rcpt_err() { echo "smtp 127.0.0.1:$script_port: RCPT TO:<$1@council.test>: $2"; }
e450=$(rcpt_err tmp '450 4.2.1 Mailbox temporarily unavailable, try again later')
e550=$(rcpt_err bad '550 5.1.1 Mailbox unavailable')
expect_out "refusals: Tuesday: 450 will be retried, 550 is dead, the rest sent" \
"scan at 2027-03-02T09:00:00Z: 3 cases evaluated (full: new day), 3 changed
queued: ASB-2027-0051 reply: upcoming (1 notification)
queued: ASB-2027-0052 reply: upcoming (1 notification)
queued: ASB-2027-0053 reply: upcoming (1 notification)
0 due today, 0 overdue, 3 notifications queued
composed: message 1 to bad@council.test: 1 coming up
composed: message 2 to off1@council.test: 1 coming up
composed: message 3 to tmp@council.test: 1 coming up
composed: message 4 to manager@council.test: manager digest: nothing overdue
4 messages composed
not delivered: message 1 to bad@council.test \"casewatch: ASB-2027-0052: 1 coming up\": $e550 (dead: refused)
not delivered: message 3 to tmp@council.test \"casewatch: ASB-2027-0051: 1 coming up\": $e450 (will retry)
sent 2 messages (2 email, 0 webhook); 1 to retry, 1 dead"
run "refusals: outbox" 0 cw script outbox
sed 's/\tnext 2027-03-02T09:0[01]:[0-9][0-9]Z\t/\tnext SOON\t/' "$T/out" >"$T/outbox"
if [ "$(st script "SELECT next_attempt_at - $(epoch 2027-03-02T09:00:00Z) BETWEEN 30 AND 60 FROM messages WHERE id = 3")" != 1 ]; then
	sed -i 's/\tnext SOON\t/\tnext NOT BETWEEN 30 AND 60 s\t/' "$T/outbox"
fi
same "refusals: outbox lists the one waiting (in 30 to 60 s) and the one given up" "$(cat "$T/outbox")" \
"3	pending	tmp@council.test	1 attempt	next SOON	casewatch: ASB-2027-0051: 1 coming up
	last error: $e450
1	dead	bad@council.test	1 attempt	given up 2027-03-02T09:00:00Z	casewatch: ASB-2027-0052: 1 coming up
	last error: $e550"
run "refusals: outbox --dead" 0 cw script outbox --dead
expect_out "refusals: outbox --dead lists the dead one" \
"1	dead	bad@council.test	1 attempt	given up 2027-03-02T09:00:00Z	casewatch: ASB-2027-0052: 1 coming up
	last error: $e550"
run "refusals: status" 0 cw script status --at 2027-03-02T09:30:00Z
same "refusals: status lists the message given up" "$(sed -n '/^messages given up/,$p' "$T/out")" \
"messages given up (casewatch outbox retry ID sends one again):
1	dead	bad@council.test	1 attempt	given up 2027-03-02T09:00:00Z	casewatch: ASB-2027-0052: 1 coming up
	last error: $e550"
crun "refusals: Tuesday 11:00" 0 script run --once --at 2027-03-02T11:00:00Z
has "refusals: Tuesday 11:00: the 450 one is sent now" "sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "refusals: tmp got it once, bad nothing" \
	"$(srvlog script | cut -f1 | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')" \
	"1xmanager@council.test 1xoff1@council.test 1xtmp@council.test "
same "refusals: the 450 one was delivered with the Message-ID it was composed with" \
	"$(srvlog script | grep '^tmp@' | cut -f2)" "$(st script "SELECT ref FROM messages WHERE id = 3")"
same "refusals: RCPT TO tmp: 450 then 250, once each" \
	"$(grep -o 'RCPT TO:<tmp@council.test> -> [0-9]*' "$T/script/smtp/server.log" | tr '\n' ' ')" \
	"RCPT TO:<tmp@council.test> -> 450 RCPT TO:<tmp@council.test> -> 250 "
# The next managers' digest tells of the message given up.
crun "refusals: Wednesday 08:30" 0 script run --once --at 2027-03-03T08:30:00Z
has "refusals: Wednesday: the managers' digest" "composed: message 8 to manager@council.test: manager digest: nothing overdue, 1 undelivered"
text "$(eml script manager@council.test)" >"$T/m.txt"
if grep -qxF "Undelivered: bad@council.test: \"casewatch: ASB-2027-0052: 1 coming up\" since 2027-03-02T09:00:00Z: $e550" "$T/m.txt"; then
	ok "refusals: the next managers' digest lists the message given up"
else
	not_ok "refusals: the next managers' digest lists the message given up"
	sed 's/^/# /' "$T/m.txt"
fi
run "refusals: outbox retry" 0 cw script outbox retry 1
expect_out "refusals: outbox retry says so" "message 1 will be sent again at the next scan"
run "refusals: outbox after the retry" 0 cw script outbox
if sed -n 1p "$T/out" | grep -qE '^1	pending	bad@council.test	0 attempts	next [0-9T:-]+Z	casewatch: ASB-2027-0052: 1 coming up$'; then
	ok "refusals: after outbox retry it is pending again"
else
	not_ok "refusals: after outbox retry it is pending again"
	sed 's/^/# /' "$T/out"
fi
run "refusals: outbox retry of a message that is not dead" 1 cw script outbox retry 2
expect_err "refusals: says it is not dead" "casewatch: message 2 is not dead (casewatch outbox lists the dead ones)"
# outbox send has no --at here: `outbox retry` made it due now.
run "refusals: outbox send" 0 cw script outbox send
{ cat "$T/out" "$T/err"; } >>"$T/transcript"
expect_out "refusals: sent again, refused again" \
"not delivered: message 1 to bad@council.test \"casewatch: ASB-2027-0052: 1 coming up\": $e550 (dead: refused)
sent 0 messages (0 email, 0 webhook); 0 to retry, 1 dead"

########################################################################
# 5: the server is down: everything waits; once it is up, a later run
# delivers each message once. The port is one the server had, then let go.
start_server down
down_port=$port
stop_server down
scenario down "$down_port"
{
	case_sql 61 off1 2027-03-01T09:00:00Z
	case_sql 62 off2 2027-03-01T09:00:00Z
} | cases down
crun "server down: the first scan" 0 down run --once --at 2027-03-01T06:00:00Z
crun "server down: Tuesday 09:00" 0 down run --once --at 2027-03-02T09:00:00Z
conn_err="smtp 127.0.0.1:$down_port: cannot connect: Connection refused"
expect_out "server down: nothing sent, both to retry" \
"scan at 2027-03-02T09:00:00Z: 2 cases evaluated (full: new day), 2 changed
queued: ASB-2027-0061 reply: upcoming (1 notification)
queued: ASB-2027-0062 reply: upcoming (1 notification)
0 due today, 0 overdue, 2 notifications queued
composed: message 1 to off1@council.test: 1 coming up
composed: message 2 to off2@council.test: 1 coming up
2 messages composed
not delivered: message 1 to off1@council.test \"casewatch: ASB-2027-0061: 1 coming up\": $conn_err (will retry)
not delivered: 1 more message not delivered for the same reason
sent 0 messages (0 email, 0 webhook); 2 to retry, 0 dead"
same "server down: both pending, with the error" \
	"$(st down "SELECT group_concat(status || ' ' || attempts || ' ' || last_error, ', ') FROM messages")" \
	"pending 1 $conn_err, pending 1 $conn_err"
start_server down --port "$down_port"
crun "server down: Tuesday 11:00, the server back" 0 down run --once --at 2027-03-02T11:00:00Z
has "server down: both sent" "sent 2 messages (2 email, 0 webhook); 0 to retry, 0 dead"
same "server down: delivered once each" "$(delivered down) $(srvlog down | cut -f2 | sort -u | wc -l)" "2 2"
same_ids down "server down: with the Message-IDs composed while it was down"

########################################################################
# 6: a resend carries the same Message-ID and the same bytes: the server
# answers 451 at the end of the first message's DATA.
start_server faildata --fail-data 1
scenario faildata "$port"
{
	case_sql 71 off1 2027-03-01T09:00:00Z
	case_sql 72 off2 2027-03-01T09:00:00Z
} | cases faildata
crun "resend: the first scan" 0 faildata run --once --at 2027-03-01T06:00:00Z
crun "resend: Tuesday 09:00" 0 faildata run --once --at 2027-03-02T09:00:00Z
has_re "resend: the first message is refused after DATA, to retry" \
	"not delivered: message 1 to off1@council.test \"casewatch: ASB-2027-0071: 1 coming up\": smtp 127\.0\.0\.1:$port: .*451 4\.3\.0 Scripted failure of DATA \(will retry\)"
has "resend: the second is sent in the same session" "sent 1 message (1 email, 0 webhook); 1 to retry, 0 dead"
same "resend: the server refused one DATA" "$(grep -c 'DATA from .* refused (451)' "$T/faildata/smtp/server.log")" 1
ref1=$(st faildata "SELECT ref FROM messages WHERE id = 1")
st faildata "SELECT writefile('$T/body1', body) FROM message_text WHERE id = 1" >/dev/null
hash1=$(sha256sum <"$T/body1" | cut -d' ' -f1)
crun "resend: Tuesday 11:00" 0 faildata run --once --at 2027-03-02T11:00:00Z
has "resend: sent now" "sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "resend: delivered once, with the Message-ID and the bytes of the first attempt" \
	"$(srvlog faildata | grep '^off1@')" "off1@council.test	$ref1	$hash1"
same "resend: two attempts" "$(st faildata "SELECT attempts || ' ' || status FROM messages WHERE id = 1")" "2 sent"
once faildata "resend: each Message-ID once"

########################################################################
# 12: the password file must be its owner's alone; systemd's credential
# smtp-password does instead of password_file.
start_server cred
scenario cred "$port"
pw_line=$(grep -n 'password_file' "$T/cred/casewatch.conf" | cut -d: -f1)
chmod 640 "$T/cred/smtp-password"
run "credentials: check refuses a password file its group may read" 1 cw cred check
expect_out "credentials: check says where, why and what to do" \
"$T/cred/casewatch.conf:$pw_line: the smtp password file $T/cred/smtp-password may be read by its group (mode 0640): allow its owner only (chmod 600 $T/cred/smtp-password)"
chmod 604 "$T/cred/smtp-password"
run "credentials: check refuses a password file others may read" 1 cw cred check
expect_out "credentials: check names others" \
"$T/cred/casewatch.conf:$pw_line: the smtp password file $T/cred/smtp-password may be read by others (mode 0604): allow its owner only (chmod 600 $T/cred/smtp-password)"
run "credentials: run refuses it too" 1 cw cred run --once --at 2027-03-01T06:00:00Z
expect_err "credentials: run says why" \
"$T/cred/casewatch.conf:$pw_line: the smtp password file $T/cred/smtp-password may be read by others (mode 0604): allow its owner only (chmod 600 $T/cred/smtp-password)"
same "credentials: and sends nothing" "$(delivered cred) $([ -e "$T/cred/state.db" ] && echo state || echo none)" "0 none"
chmod 600 "$T/cred/smtp-password"
run "credentials: mode 600 passes" 0 cw cred check
# No password_file: the credential.
sed -i '/password_file/d' "$T/cred/casewatch.conf"
mv "$T/cred/smtp-password" "$T/cred/pw.saved"
run "credentials: user without a password is refused" 1 env -u CREDENTIALS_DIRECTORY "$CASEWATCH" -c "$T/cred/casewatch.conf" check
has_re "credentials: says how to give one" \
	"$T/cred/casewatch.conf:[0-9]+: smtp user 'casewatch' has no password: set password_file, or give the service the credential smtp-password"
# Outside the service, only sending needs the password: an officer's
# status, the administrator's calendar work without it.
run "credentials: without it, calendar still works" 0 env -u CREDENTIALS_DIRECTORY "$CASEWATCH" -c "$T/cred/casewatch.conf" calendar add 2027-03-01 1
expect_out "credentials: the next working day" "2027-03-02"
run "credentials: without it, status still works" 0 env -u CREDENTIALS_DIRECTORY "$CASEWATCH" -c "$T/cred/casewatch.conf" status --summary --at 2027-03-01
mkdir "$T/cred/creds"
cp "$T/cred/pw.saved" "$T/cred/creds/smtp-password"
chmod 600 "$T/cred/creds/smtp-password"
credrun() { env CREDENTIALS_DIRECTORY="$T/cred/creds" "$CASEWATCH" -c "$T/cred/casewatch.conf" "$@"; }
chmod 640 "$T/cred/creds/smtp-password"
run "credentials: a credential its group may read is refused too" 1 credrun check
has_re "credentials: check names the credential" \
	"$T/cred/casewatch.conf:[0-9]+: the smtp password file $T/cred/creds/smtp-password may be read by its group \\(mode 0640\\): allow its owner only \\(chmod 600 $T/cred/creds/smtp-password\\)"
chmod 600 "$T/cred/creds/smtp-password"
run "credentials: CREDENTIALS_DIRECTORY/smtp-password does" 0 credrun check
expect_out "credentials: configuration OK" "configuration OK"
case_sql 81 off1 2027-03-01T09:00:00Z | cases cred
run "credentials: the first scan" 0 credrun run --once --at 2027-03-01T06:00:00Z
run "credentials: Tuesday, sent with the credential's password" 0 credrun run --once --at 2027-03-02T09:00:00Z
{ cat "$T/out" "$T/err"; } >>"$T/transcript"
has "credentials: sent" "sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "credentials: the server authenticated it" \
	"$(delivered cred) $(grep -c "AUTH [A-Z]* as b'casewatch': ok" "$T/cred/smtp/server.log")" "1 1"

########################################################################
# No smtp group: messages go into the Maildir beside the state database.
scenario maildir 1
sed -i '/^smtp = {/,/^};/d' "$T/maildir/casewatch.conf"
{
	case_sql 91 off1 2027-03-01T09:00:00Z
	case_sql 92 off1 2027-03-01T09:00:00Z
	case_sql 93 off2 2027-03-01T09:00:00Z
	sensitive_sql 93
} | cases maildir
crun "maildir: the first scan" 0 maildir run --once --at 2027-03-01T06:00:00Z
crun "maildir: Tuesday" 0 maildir run --once --at 2027-03-02T09:00:00Z
has "maildir: sent" "sent 2 messages (2 email, 0 webhook); 0 to retry, 0 dead"
same "maildir: two messages in mail/new" "$(ls "$T/maildir/mail/new" | wc -l)" 2
same "maildir: with the Message-IDs of the state database" \
	"$(cat "$T/maildir/mail/new/"* | grep -i '^Message-ID:' | sed 's/^[^:]*: //' | sort | tr '\n' ' ')" \
	"$(st maildir "SELECT ref FROM messages ORDER BY ref" | tr '\n' ' ')"

########################################################################
# To whom each item is owed and what record meets it: a visit owed to
# each victim (Maildir, a pack of its own). The case has two victims and a
# complainant: two items, each owed to the victim, met by a visit to them.
cat >"$T/owed-pack.conf" <<'EOF'
pack = "owed-test";
notify = { upcoming = { before = "1 working day"; to = [ "officer" ]; }; };
rules = (
	{
		id = "visit";
		title = "Visit each victim within 3 working days";
		kind = "deadline";
		from = "received";
		within = "3 working days";
		for = [ "victim" ];
		met_by = { kind = "contact"; channel = "visit"; party = "own"; };
	}
);
EOF
scenario owed 1
sed -i '/^smtp = {/,/^};/d; s|"../pack.conf"|"../owed-pack.conf"|' "$T/owed/casewatch.conf"
{
	case_sql 95 off1 2027-03-01T09:00:00Z
	echo "INSERT INTO parties (id, case_id, role, label) VALUES (951, 95, 'victim', 'Victim-Label A'), (952, 95, 'victim', 'Victim-Label B');"
} | cases owed
crun "owed: the first scan" 0 owed run --once --at 2027-03-01T06:00:00Z
crun "owed: Wednesday" 0 owed run --once --at 2027-03-03T09:00:00Z
has "owed: one message" "sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
text "$(ls "$T/owed/mail/new/"*)" >"$T/m.txt"
same "owed: a notice about one case names it in its subject" "$(grep '^Subject:' "$T/m.txt")" \
	"Subject: casewatch: ASB-2027-0095: 2 coming up"
same "owed: each item says to whom it is owed and what meets it" "$(sed -n '/^ASB/,/^$/p' "$T/m.txt")" \
"ASB-2027-0095: Visit each victim within 3 working days (visit)
  coming up: deadline Thu 4 Mar
  owed to the victim
  met by a visit to them
  officer Olive One, team North Team
  https://crm.example.gov.uk/asb/ASB-2027-0095

ASB-2027-0095: Visit each victim within 3 working days (visit)
  coming up: deadline Thu 4 Mar
  owed to the victim
  met by a visit to them
  officer Olive One, team North Team
  https://crm.example.gov.uk/asb/ASB-2027-0095"
"$PY" - "$(ls "$T/owed/mail/new/"*)" >"$T/m.html" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(preferencelist=("html",)).get_content(), end="")
EOF
same "owed: the HTML says it too" \
	"$(grep -c '^Owed to the victim<br>$' "$T/m.html") $(grep -c '^Met by a visit to them<br>$' "$T/m.html")" "2 2"
same "owed: no party's label" "$(grep -c -i 'victim-label' "$T/m.txt")" 0

########################################################################
# Digests are bounded: 60 overdue cases of one officer (team north) and 2
# of another (south). The officer's morning digest lists 50 and counts
# the rest; the managers' lists 50 of the north team, counts the team and
# each officer in full, and says how many are not listed.
scenario bounds 1 'officer_digest = "08:00"; manager_digest = { every = "day"; time = "08:00"; };'
sed -i '/^smtp = {/,/^};/d' "$T/bounds/casewatch.conf"
{
	for i in $(seq 101 160); do case_sql "$i" off1 2027-03-01T09:00:00Z; done
	case_sql 161 offc 2027-03-01T09:00:00Z
	case_sql 162 offc 2027-03-01T09:00:00Z
} | cases bounds
crun "bounds: the first scan" 0 bounds run --once --at 2027-03-01T06:00:00Z
crun "bounds: Friday 07:00" 0 bounds run --once --at 2027-03-05T07:00:00Z
crun "bounds: Friday 08:05" 0 bounds run --once --at 2027-03-05T08:05:00Z
has "bounds: the officer's digest counts all 60" \
	"composed: message 1 to off1@council.test: officer digest: 60 overdue"
mail_to() { grep -l "^To: .*$1" "$T/bounds/mail/new/"* | head -n 1; }
text "$(mail_to off1@council.test)" >"$T/m.txt"
same "bounds: the officer's digest lists 50, and says 10 more" \
	"$(grep -c '^Overdue: ASB-2027-0' "$T/m.txt") $(grep -c '^And 10 more not listed here: casewatch status --unmet lists them all\.$' "$T/m.txt")" \
	"50 1"
text "$(mail_to manager@council.test)" >"$T/m.txt"
same "bounds: the managers' digest counts each team and officer in full" \
	"$(grep -E '^(Team|  [A-Z][a-z]+ [A-Z][a-z]+:)' "$T/m.txt")" \
"  North Team: none fell due; 60 overdue now
  South Team: none fell due; 2 overdue now
Team North Team: 60 overdue
  Olive One: 60
Team South Team: 2 overdue
  Colm South: 2"
same "bounds: it lists 50 of the north team and both of the south" \
	"$(grep -c '^    ASB-2027-01[0-5][0-9]' "$T/m.txt") $(grep -c '^    ASB-2027-016[12]' "$T/m.txt")" "50 2"
same "bounds: and says how many it left out" \
	"$(grep -c '^  And 10 more not listed here: casewatch status --unmet lists them all\.$' "$T/m.txt")" 1
same "bounds: its summary has the totals" "$(grep '^Subject:' "$T/m.txt")" \
	"Subject: casewatch: service standards, 2027-03-05: 62 escalated"
same "bounds: a daily digest's figures are of yesterday's deadlines, and the day's before" \
	"$(sed -n '/^On time/,/^$/p' "$T/m.txt")" \
"On time, of the deadlines Thu 4 Mar (before: Wed 3 Mar):
  Reply to the complainant within 2 working days: none fell due; before: 0% (0 of 62)"
same "bounds: the escalations of this scan the team's list leaves out are listed after it" \
	"$(grep -c '^Also for you: ASB-2027-01[0-9][0-9]: ' "$T/m.txt")" 10
# A flood of notices in the scan of a digest (days without a scan, or
# a large import): 130 cases of one officer escalated in the scan of the
# managers' daily digest. The team's list takes 50; of the 80
# escalations it does not say, 50 are listed and 30 counted, so that the
# digest stays bounded whatever one scan brings.
scenario flood 1 'officer_digest = false; manager_digest = { every = "day"; time = "08:00"; };'
sed -i '/^smtp = {/,/^};/d' "$T/flood/casewatch.conf"
for i in $(seq 201 330); do case_sql "$i" off1 2027-03-01T09:00:00Z; done | cases flood
crun "flood: the first scan" 0 flood run --once --at 2027-03-01T06:00:00Z
crun "flood: Friday 07:00" 0 flood run --once --at 2027-03-05T07:00:00Z
crun "flood: Friday 08:05" 0 flood run --once --at 2027-03-05T08:05:00Z
text "$(grep -l "^To: .*manager@council.test" "$T/flood/mail/new/"* | head -n 1)" >"$T/m.txt"
same "flood: 50 in the team's list, 50 of the other escalations, and the rest counted" \
	"$(grep -c '^    ASB-2027-0' "$T/m.txt") $(grep -c '^Also for you: ' "$T/m.txt") $(grep -c '^And 30 more notifications of this scan not listed here: casewatch status --unmet lists them all\.$' "$T/m.txt")" \
	"50 50 1"
same "flood: one email for the manager" "$(grep -l "^To: .*manager@council.test" "$T/flood/mail/new/"* | wc -l | tr -d ' ')" 1
# The same flood with no digest to fold it into: one notice to the
# manager lists the first 200 (by case reference) and counts the other 30,
# and carries all 230.
scenario floodn 1
sed -i '/^smtp = {/,/^};/d' "$T/floodn/casewatch.conf"
for i in $(seq 401 630); do case_sql "$i" off1 2027-03-01T09:00:00Z; done | cases floodn
crun "flood, no digests: the first scan" 0 floodn run --once --at 2027-03-01T06:00:00Z
crun "flood, no digests: Friday 08:05" 0 floodn run --once --at 2027-03-05T08:05:00Z
mgr=$(grep -l "^To: .*manager@council.test" "$T/floodn/mail/new/"*)
same "flood, no digests: one email for the manager" "$(echo "$mgr" | wc -l | tr -d ' ')" 1
text "$mgr" >"$T/m.txt"
same "flood, no digests: its subject counts all 230" "$(grep '^Subject:' "$T/m.txt")" \
	"Subject: casewatch: 230 escalated"
same "flood, no digests: 200 listed, the first by reference, and 30 counted" \
	"$(grep -c '^ASB-2027-0[0-9]*: ' "$T/m.txt") $(grep '^ASB-2027-0[0-9]*: ' "$T/m.txt" | sed -n '1p;$p' | cut -d: -f1 | tr '\n' ' ')$(grep -c '^And 30 more notifications not listed here: casewatch status --unmet lists them all\.$' "$T/m.txt")" \
	"200 ASB-2027-0401 ASB-2027-0600 1"
same "flood, no digests: the message carries all 230 notifications to the manager" \
	"$(st floodn "SELECT count(*), count(DISTINCT message_id), min(status), max(status) FROM outbox WHERE recipient = 'manager'")" \
	"230|1|sent|sent"

# Monday: the daily digest's figures cover every day since Friday's, so
# that no deadline falls between two digests.
crun "bounds: Monday 08:05" 0 bounds run --once --at 2027-03-08T08:05:00Z
text "$(grep -l "^To: .*manager@council.test" $(ls -t "$T/bounds/mail/new/"*) | head -n 1)" >"$T/m.txt"
same "bounds: Monday's figures are of Friday to Sunday, and the three days before" \
	"$(sed -n '/^On time/,/^$/p' "$T/m.txt")" \
"On time, of the deadlines Fri 5 Mar to Sun 7 Mar (before: Tue 2 Mar to Thu 4 Mar):
  Reply to the complainant within 2 working days: none fell due; before: 0% (0 of 62)"

########################################################################
# 7: data protection, over everything this test made casewatch send or
# say: the party's name, the hate and risk flags, the category and the
# event's text of the cases that have them (ASB-2027-0011, -0093) never
# appear, in the bytes sent or decoded, nor does any party label or the
# SMTP password.
ls "$T"/*/smtp/out/*.eml "$T"/maildir/mail/new/* >"$T/sent-files"
"$PY" - "$T/sent-files" >"$T/decoded" <<'EOF_PY'
import email, email.header, email.policy, sys
for path in open(sys.argv[1]).read().split():
    m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    print("==", path)
    for k, v in m.items():
        print("%s: %s" % (k, str(email.header.make_header(email.header.decode_header(v)))))
    for part in m.walk():
        if part.get_content_maintype() == "text":
            print(part.get_content())
EOF_PY
n_sent=$(wc -l <"$T/sent-files")
if [ "$n_sent" -ge 30 ] && grep -q 'ASB-2027-0011' "$T/decoded" && grep -q 'ASB-2027-0093' "$T/decoded"; then
	ok "data protection: $n_sent messages to look at, the sensitive cases' among them"
else
	not_ok "data protection: $n_sent messages to look at, the sensitive cases' among them"
fi
leaks=$(grep -r -i -l -E 'zebedee|quartermaine|resident-label|zqxcategory|zqxdetail' \
	"$T"/*/smtp "$T"/maildir/mail "$T/transcript" "$T/decoded" 2>/dev/null)
same "data protection: no party label, category or event text anywhere" "$leaks" ""
# shellcheck disable=SC2046 # the paths are $T's, without spaces
leaks=$(grep -i -w -E 'hate|risk|high' "$T/decoded" $(cat "$T/sent-files") | head -n 5)
same "data protection: no hate or risk flag in any message" "$leaks" ""
leaks=$(grep -r -F -l "$PASSWORD" "$T"/*/smtp "$T"/maildir/mail "$T/transcript" "$T/decoded" 2>/dev/null)
same "data protection: the SMTP password is in nothing sent or printed" "$leaks" ""

done_testing

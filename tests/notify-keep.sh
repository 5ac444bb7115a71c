#!/bin/sh
# notify.keep_sent, end to end: the text of messages sent or given up is
# removed from the state database once it is older than the setting, by
# `casewatch run --once` (its --at moves the clock) and by a real
# casewatchd (the times in the state database moved back), delivering to a
# real SMTP server (tests/smtp-server.py, STARTTLS and AUTH). What is
# checked: the bodies gone, from the rows and from the file; the messages,
# their notifications and the ledger kept, with their Message-IDs, and
# nothing sent again; a message still to be delivered never touched, and
# delivered whole later; at most one pass an hour; a dry run; what
# `casewatch outbox` shows of a message whose text went, and that it cannot
# be retried; the default (90 days) and false; the upgrade of a version 3
# state database; the setting's errors in `casewatch check`.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
SMTP_SERVER="$top_srcdir/tests/smtp-server.py"
need_python aiosmtpd.smtp
. "$top_srcdir/tests/daemon-lib.sh"

# The servers are stopped however the script ends, and the daemon (by
# daemon-lib.sh's cleanup).
trap 'stop_servers; cleanup' EXIT

certs="$T/certs"
if ! sh "$top_srcdir/tests/make-certs.sh" "$certs" >"$T/certs.log" 2>&1; then
	echo "Bail out! tests/make-certs.sh failed"
	sed 's/^/# /' "$T/certs.log"
	exit 1
fi
PASSWORD='keep-s3cret'
printf '%s\n' "$PASSWORD" >"$T/smtp-password"
chmod 600 "$T/smtp-password"

# start_server [ARGS...]: the SMTP server, requiring STARTTLS and AUTH,
# keeping what it accepts in $T/smtp/out. Sets $port (kept by a restart
# with --port).
start_server() {
	mkdir -p "$T/smtp/out"
	if ! serve "$T/smtp/port" "$T/smtp/server.log" "$SMTP_SERVER" --out "$T/smtp/out" \
		--tls "$certs/server.pem" "$certs/server.key" --auth "casewatch:$PASSWORD" "$@"; then
		echo "Bail out! the SMTP server did not start"
		exit 1
	fi
	echo "$served_pid" >"$T/smtp/pid"
	port=$served_port
}
stop_server() {
	kill "$(cat "$T/smtp/pid")" 2>/dev/null || true
	wait "$(cat "$T/smtp/pid")" 2>/dev/null || true
}
# What the server accepted: a line per recipient (address, Message-ID).
srvlog() { cut -f1,2 "$T/smtp/out/log" 2>/dev/null || true; }
delivered() { srvlog | wc -l | tr -d ' '; }

# A 2-working-day reply, told when it is coming up and when it is due.
cat >"$T/pack.conf" <<'EOF'
pack = "keep-test";
title = "Standards for the retention test";
notify = {
	upcoming = { before = "1 working day"; to = [ "officer" ]; };
	due = { to = [ "officer" ]; };
	overdue = false;
	escalated = false;
};
rules = (
	{
		id = "reply";
		title = "Reply to the complainant within 2 working days";
		kind = "deadline";
		from = "received";
		within = "2 working days";
		met_by = { kind = "contact"; };
	}
);
EOF

# conf DIR PORT [NOTIFY...]: DIR/casewatch.conf sending through PORT.
conf() {
	mkdir -p "$1"
	cat >"$1/casewatch.conf" <<EOF
database = "cases.db";
state = "state.db";
rules = [ "$T/pack.conf" ];
timezone = "Europe/London";
scan_interval = 1;
smtp = {
	server = "127.0.0.1:$2";
	tls = "required";
	ca_file = "$certs/ca.pem";
	user = "casewatch";
	password_file = "$T/smtp-password";
	from = "Casewatch Monitor <casewatch@council.test>";
	timeout = 3;
};
notify = {
	officer_digest = false;
	monthly_report = false;
	manager_digest = { every = "never"; };
	give_up_after = "30 days";
	${3:-}
};
EOF
}
# staff DB: a case database with the unit's staff and no cases.
staff() {
	"$CASEWATCH" db init "$1" >/dev/null
	sqlite3 -bail -batch "$1" <<'EOF'
INSERT INTO teams (id, name, supervisor, manager_email) VALUES ('north', 'North Team', 'off1', 'manager@council.test');
INSERT INTO officers (id, name, email, team) VALUES
	('off1', 'Quentin Keepsake', 'off1@council.test', 'north'),
	('slow', 'Sally Slow', 'slow@council.test', 'north'),
	('bad', 'Bea Bounce', 'bad@council.test', 'north');
EOF
}
# sq DIR SQL: a query of DIR's state database.
sq() { sqlite3 -batch "$1/state.db" "$2"; }
# in_file TEXT FILE...: how many times TEXT is in the files, as bytes.
in_file() {
	_t=$1
	shift
	cat "$@" 2>/dev/null | grep -aoF -- "$_t" | wc -l | tr -d ' '
}
# One line per message: destination, status, whether it has its body, and
# when it was pruned.
bodies() {
	sq "$1" "SELECT destination || ' ' || status || ' ' || (length(body) > 0) || ' ' || ifnull(pruned_at, '-')
		FROM message_text ORDER BY destination, id"
}

########################################################################
# 1. `casewatch run --once`, keep_sent = "2 days". off1 accepts, bad
# refuses for good (dead at once), slow answers 450 (the message waits).
start_server --script 'slow@council.test=450' --script 'bad@council.test=550'
main="$T/main"
conf "$main" "$port" 'keep_sent = "2 days";'
staff "$main/cases.db"
sqlite3 -bail -batch "$main/cases.db" <<'EOF'
INSERT INTO cases (id, ref, category, officer, team, received_at) VALUES
	(1, 'ASB-2027-0001', 'nuisance', 'off1', 'north', '2027-03-01T09:00:00Z'),
	(2, 'ASB-2027-0002', 'nuisance', 'bad', 'north', '2027-03-01T09:00:00Z'),
	(3, 'ASB-2027-0003', 'nuisance', 'slow', 'north', '2027-03-01T09:00:00Z');
INSERT INTO parties (id, case_id, role, label) VALUES (1, 1, 'complainant', 'A'), (2, 2, 'complainant', 'B'),
	(3, 3, 'complainant', 'C');
EOF
cw() { "$CASEWATCH" -c "$main/casewatch.conf" "$@"; }

run "check: keep_sent = \"2 days\" is a good setting" 0 cw check
expect_out "check: configuration OK" "configuration OK"
run "Monday: the first scan" 0 cw run --once --at 2027-03-01T09:30:00Z
run "Tuesday: the upcoming notices" 0 cw run --once --at 2027-03-02T09:00:00Z
run "Wednesday: the due notices" 0 cw run --once --at 2027-03-03T09:00:00Z
same "Wednesday: two sent to off1, two dead for bad, two waiting for slow" "$(bodies "$main")" \
"bad@council.test dead 1 -
bad@council.test dead 1 -
off1@council.test sent 1 -
off1@council.test sent 1 -
slow@council.test pending 1 -
slow@council.test pending 1 -"
same "Wednesday: the server has off1's two" "$(srvlog | cut -f1 | tr '\n' ' ')" "off1@council.test off1@council.test "
same "Wednesday: the state database holds off1's name, in the To, text and HTML of two messages" \
	"$(in_file 'Quentin Keepsake' "$main/state.db") $(sq "$main" "SELECT count(*) FROM message_text WHERE instr(body, 'Quentin Keepsake')")" \
	"6 2"
sq "$main" "SELECT id || ' ' || outbox_id || ' ' || case_id || ' ' || rule || ' ' || stage || ' ' || recipient || ' ' ||
	address || ' ' || message_id || ' ' || sent_at FROM ledger ORDER BY id" >"$T/ledger.before"
same "Wednesday: the ledger has off1's two" "$(wc -l <"$T/ledger.before" | tr -d ' ')" 2
srvlog >"$T/server.before"
slow_len=$(sq "$main" "SELECT group_concat(length(body)) FROM message_text WHERE destination = 'slow@council.test' ORDER BY id")
off1_first=$(sq "$main" "SELECT min(id) FROM messages WHERE destination = 'off1@council.test'")
off1_ref=$(sq "$main" "SELECT ref FROM messages WHERE id = $off1_first")
dead_first=$(sq "$main" "SELECT min(id) FROM messages WHERE status = 'dead'")
dead_second=$(sq "$main" "SELECT max(id) FROM messages WHERE status = 'dead'")
run "outbox show, before: the message as it went" 0 cw outbox show "$off1_first"
same "outbox show, before: what it is, then the message" "$(sed -n '1,9p' "$T/out" | tr -d '\r')" \
"message $off1_first: notice
to: off1@council.test
subject: casewatch: ASB-2027-0001: 1 coming up
Message-ID: $off1_ref
composed: 2027-03-02T09:00:00Z
sent: 2027-03-02T09:00:00Z
attempts: 1

From: Casewatch Monitor <casewatch@council.test>"
same "outbox show, before: the whole body, byte for byte" \
	"$(tail -n +9 "$T/out" | od -An -v -tx1 | tr -d ' \n')" "$(sq "$main" "SELECT lower(hex(body)) FROM message_text WHERE id = $off1_first")"
# Kept for the upgrade and the daemon below: the state as Wednesday left it.
cp "$main/state.db" "$T/wednesday.db"

# Thursday 08:59: Tuesday's messages are 2 days old but for a minute.
run "Thursday 08:59: nothing is old enough" 0 cw run --once --at 2027-03-04T08:59:00Z
if grep -q 'the text of' "$T/out"; then not_ok "Thursday 08:59: nothing removed"; sed 's/^/# /' "$T/out"; else
	ok "Thursday 08:59: nothing removed"
fi
same "Thursday 08:59: every body still there" \
	"$(sq "$main" "SELECT count(*) FROM message_text WHERE pruned_at IS NULL AND length(body) > 0")" 6

# Monday 8 March, 10:00: Tuesday's and Wednesday's sent and dead messages
# are more than 2 days old.
# Sent in the order they fell due: the first of slow's two listed.
slow_due=$(sq "$main" "SELECT id || ' ' || subject FROM messages WHERE destination = 'slow@council.test'
	AND status = 'pending' ORDER BY next_attempt_at, id LIMIT 1")
run "Monday: a scan" 0 cw run --once --at 2027-03-08T10:00:00Z
expect_out "Monday: says how many it removed, and up to when" \
"scan at 2027-03-08T10:00:00Z: 3 cases evaluated (full: new day), 0 changed
0 due today, 3 overdue, 0 notifications queued
0 messages composed
not delivered: message ${slow_due%% *} to slow@council.test \"${slow_due#* }\": smtp 127.0.0.1:$port: RCPT TO:<slow@council.test>: 450 4.2.1 Mailbox temporarily unavailable, try again later (will retry)
not delivered: 1 more message not delivered for the same reason
sent 0 messages (0 email, 0 webhook); 2 to retry, 0 dead
removed the text of 4 messages sent or given up before 2027-03-06T10:00:00Z (notify.keep_sent 2 days)"
monday=$(epoch 2027-03-08T10:00:00Z)
same "Monday: the sent and dead bodies gone, the waiting ones kept" "$(bodies "$main")" \
"bad@council.test dead 0 $monday
bad@council.test dead 0 $monday
off1@council.test sent 0 $monday
off1@council.test sent 0 $monday
slow@council.test pending 1 -
slow@council.test pending 1 -"
same "Monday: the waiting messages byte for byte as they were" \
	"$(sq "$main" "SELECT group_concat(length(body)) FROM message_text WHERE destination = 'slow@council.test' ORDER BY id")" "$slow_len"
same "Monday: off1's name is gone from the file" "$(in_file 'Quentin Keepsake' "$main/state.db" "$main/state.db-wal")" 0
same "Monday: so is bad's" "$(in_file 'Bea Bounce' "$main/state.db" "$main/state.db-wal")" 0
same "Monday: slow's is still there, in the waiting messages" \
	"$(sq "$main" "SELECT count(*) FROM message_text WHERE instr(body, 'Sally Slow')")" 2
sq "$main" "SELECT id || ' ' || outbox_id || ' ' || case_id || ' ' || rule || ' ' || stage || ' ' || recipient || ' ' ||
	address || ' ' || message_id || ' ' || sent_at FROM ledger ORDER BY id" >"$T/ledger.after"
if cmp -s "$T/ledger.before" "$T/ledger.after"; then ok "Monday: the ledger is as it was"; else
	not_ok "Monday: the ledger is as it was"
	diff "$T/ledger.before" "$T/ledger.after" | sed 's/^/# /'
fi
same "Monday: the ledger's Message-IDs are the messages'" \
	"$(sq "$main" "SELECT count(*) FROM ledger l JOIN outbox o ON o.id = l.outbox_id JOIN messages m ON m.id = o.message_id
		WHERE m.ref = l.message_id AND m.pruned_at IS NOT NULL")" 2
same "Monday: every notification keeps its status and message" \
	"$(sq "$main" "SELECT group_concat(status || ':' || (message_id IS NOT NULL), ' ') FROM (SELECT * FROM outbox ORDER BY id)")" \
	"sent:1 dead:1 sending:1 sent:1 dead:1 sending:1"
srvlog >"$T/server.after"
if cmp -s "$T/server.before" "$T/server.after"; then ok "Monday: nothing sent again"; else
	not_ok "Monday: nothing sent again"
	diff "$T/server.before" "$T/server.after" | sed 's/^/# /'
fi
same "Monday: the last pass is recorded" "$(sq "$main" "SELECT value FROM meta WHERE key = 'prune_at'")" "$monday"

# What casewatch outbox says of them.
run "outbox show: a message whose text went" 0 cw outbox show "$off1_first"
expect_out "outbox show: says so, and what was sent to whom" \
"message $off1_first: notice
to: off1@council.test
subject: casewatch: ASB-2027-0001: 1 coming up
Message-ID: $off1_ref
composed: 2027-03-02T09:00:00Z
sent: 2027-03-02T09:00:00Z
attempts: 1
text removed: 2027-03-08T10:00:00Z (notify.keep_sent)"
run "outbox --dead: the dead ones" 0 cw outbox --dead
expect_out "outbox --dead: each says its text was removed" \
"$dead_first	dead	bad@council.test	1 attempt	given up 2027-03-02T09:00:00Z	casewatch: ASB-2027-0002: 1 coming up
	last error: smtp 127.0.0.1:$port: RCPT TO:<bad@council.test>: 550 5.1.1 Mailbox unavailable
	text removed 2027-03-08T10:00:00Z (notify.keep_sent): it cannot be sent again
$dead_second	dead	bad@council.test	1 attempt	given up 2027-03-03T09:00:00Z	casewatch: ASB-2027-0002: 1 due today
	last error: smtp 127.0.0.1:$port: RCPT TO:<bad@council.test>: 550 5.1.1 Mailbox unavailable
	text removed 2027-03-08T10:00:00Z (notify.keep_sent): it cannot be sent again"
run "outbox retry: a dead message whose text went is refused" 1 cw outbox retry "$dead_first"
expect_err "outbox retry: says why" \
	"casewatch: message $dead_first cannot be sent again: its text was removed 2027-03-08T10:00:00Z (notify.keep_sent)"
same "outbox retry: it stays dead, without its text" \
	"$(sq "$main" "SELECT status || ' ' || length(body) FROM message_text WHERE id = $dead_first")" "dead 0"
sq "$main" "UPDATE messages SET status = 'pending' WHERE id = $dead_first" >"$T/sqlout" 2>&1
same "the database itself refuses to send a message without its text" \
	"$(grep -c "CHECK constraint failed: pruned_at IS NULL OR status IN ('sent', 'dead')" "$T/sqlout") $(sq "$main" "SELECT status FROM messages WHERE id = $dead_first")" \
	"1 dead"
run "outbox show: no such message" 1 cw outbox show 999
expect_err "outbox show: says so" "casewatch: there is no message 999 in the state database"
run "outbox show: not a number" 2 cw outbox show x1
run "outbox show: one number only" 2 cw outbox show 1 2

# slow's server comes back: the waiting messages go out whole.
stop_server
start_server --port "$port"
run "Monday 10:30: slow's messages go" 0 cw run --once --at 2027-03-08T10:30:00Z
same "Monday 10:30: the server has slow's two" "$(srvlog | cut -f1 | grep -c '^slow@council.test$')" 2
for f in "$T"/smtp/out/*.eml; do
	grep -q '^To: .*slow@council\.test' "$f" && tr -d '\r' <"$f" >>"$T/slow.eml"
done
same "Monday 10:30: whole, each with its officer's name and link" \
	"$(grep -c '^  officer Sally Slow, team North Team$' "$T/slow.eml")" 2
same "Monday 10:30: with the Message-IDs they were written with" \
	"$(srvlog | grep '^slow@' | cut -f2 | sort | tr '\n' ' ')" \
	"$(sq "$main" "SELECT ref FROM messages WHERE destination = 'slow@council.test'" | sort | tr '\n' ' ')"

# At most one pass an hour. Wednesday 10:20: a pass, with nothing old
# enough (slow's were sent at 10:30 on Monday).
run "Wednesday 10:20: a pass" 0 cw run --once --at 2027-03-10T10:20:00Z
if grep -q 'the text of' "$T/out"; then not_ok "Wednesday 10:20: nothing old enough"; sed 's/^/# /' "$T/out"; else
	ok "Wednesday 10:20: nothing old enough"
fi
same "Wednesday 10:20: the pass is recorded" "$(sq "$main" "SELECT value FROM meta WHERE key = 'prune_at'")" \
	"$(epoch 2027-03-10T10:20:00Z)"
run "Wednesday 11:00: slow's are old enough, but the last pass was 40 minutes ago" 0 \
	cw run --once --at 2027-03-10T11:00:00Z
if grep -q 'the text of' "$T/out"; then not_ok "Wednesday 11:00: no pass"; sed 's/^/# /' "$T/out"; else
	ok "Wednesday 11:00: no pass"
fi
same "Wednesday 11:00: slow's bodies are still there" \
	"$(sq "$main" "SELECT count(*) FROM message_text WHERE destination = 'slow@council.test' AND length(body) > 0")" 2
run "Wednesday 11:20, dry run" 0 cw run --once --at 2027-03-10T11:20:00Z --dry-run
same "Wednesday 11:20, dry run: what it would remove" "$(tail -n 2 "$T/out")" \
"would remove the text of 2 messages sent or given up before 2027-03-08T11:20:00Z (notify.keep_sent 2 days)
dry run: nothing was kept or sent"
same "Wednesday 11:20, dry run: nothing removed" \
	"$(sq "$main" "SELECT count(*) FROM messages WHERE pruned_at IS NULL")" 2
run "Wednesday 11:20" 0 cw run --once --at 2027-03-10T11:20:00Z
same "Wednesday 11:20: the pass removes slow's" "$(tail -n 1 "$T/out")" \
	"removed the text of 2 messages sent or given up before 2027-03-08T11:20:00Z (notify.keep_sent 2 days)"
same "Wednesday 11:20: every body gone, every message kept" \
	"$(sq "$main" "SELECT count(*) || ' ' || sum(length(body)) || ' ' || count(pruned_at) FROM message_text")" "6 0 6"
same "Wednesday 11:20: no officer's name left in the file" \
	"$(in_file 'Sally Slow' "$main/state.db" "$main/state.db-wal") $(in_file 'Quentin Keepsake' "$main/state.db" "$main/state.db-wal")" "0 0"
same "Wednesday 11:20: the ledger has all four delivered" "$(sq "$main" "SELECT count(*) FROM ledger")" 4
run "a week later" 0 cw run --once --at 2027-03-17T11:00:00Z
same "a week later: the server has each message once, none again" \
	"$(srvlog | cut -f2 | sort | uniq -c | awk '{print $1}' | sort -u) $(delivered)" "1 4"

########################################################################
# 2. The default, 90 days, and false, on copies of Wednesday's state
# (nothing listens on the port: the waiting messages just wait).
for name in default forever; do
	mkdir -p "$T/$name"
	cp "$T/wednesday.db" "$T/$name/state.db"
	cp "$main/cases.db" "$T/$name/cases.db"
done
conf "$T/default" 1
conf "$T/forever" 1 'keep_sent = false;'
# 90 days after Tuesday 09:00 is Monday 31 May 09:00 (in GMT: at 10:00 BST).
run "default: Monday 31 May 09:59 BST" 0 "$CASEWATCH" -c "$T/default/casewatch.conf" run --once --at 2027-05-31T09:59:00+01:00
same "default: none older than 90 days" "$(sq "$T/default" "SELECT count(pruned_at) FROM messages")" 0
run "default: Monday 31 May 11:00 BST" 0 "$CASEWATCH" -c "$T/default/casewatch.conf" run --once --at 2027-05-31T11:00:00+01:00
same "default: Tuesday's removed" "$(tail -n 1 "$T/out")" \
	"removed the text of 2 messages sent or given up before 2027-03-02T10:00:00Z (notify.keep_sent 90 days)"
same "default: Tuesday's two, not Wednesday's" \
	"$(sq "$T/default" "SELECT group_concat(destination || ':' || (pruned_at IS NOT NULL), ' ') FROM (SELECT * FROM messages
		WHERE destination <> 'slow@council.test' ORDER BY id)")" \
	"bad@council.test:1 off1@council.test:1 bad@council.test:0 off1@council.test:0"
run "false: ten years later" 0 "$CASEWATCH" -c "$T/forever/casewatch.conf" run --once --at 2037-03-03T12:00:00Z
same "false: nothing removed" "$(sq "$T/forever" "SELECT count(pruned_at) || ' ' || min(length(body) > 0) FROM message_text")" "0 1"
same "false: no pass since Wednesday's" "$(sq "$T/forever" "SELECT value FROM meta WHERE key = 'prune_at'")" \
	"$(epoch 2027-03-03T09:00:00Z)"

# Many at once: 400 (exactly two batches of 200), 396 of them copies of
# off1's first message.
mkdir -p "$T/many"
cp "$T/wednesday.db" "$T/many/state.db"
cp "$main/cases.db" "$T/many/cases.db"
conf "$T/many" 1 'keep_sent = "2 days";'
sq "$T/many" "CREATE TEMP TABLE before AS SELECT max(id) AS id FROM messages;
	INSERT INTO messages (kind, channel, destination, case_id, ref, subject, created_at, status, attempts,
	next_attempt_at, finished_at) SELECT kind, channel, destination, case_id, ref, subject, created_at, status,
	attempts, next_attempt_at, finished_at FROM messages, generate_series(1, 396) WHERE id = $off1_first;
	INSERT INTO message_bodies (message_id, body) SELECT id, (SELECT body FROM message_bodies
	WHERE message_id = $off1_first) FROM messages WHERE id > (SELECT id FROM temp.before)"
run "many: Monday" 0 "$CASEWATCH" -c "$T/many/casewatch.conf" run --once --at 2027-03-08T10:00:00Z
same "many: all 400 removed in one pass" "$(tail -n 1 "$T/out")" \
	"removed the text of 400 messages sent or given up before 2027-03-06T10:00:00Z (notify.keep_sent 2 days)"
same "many: none left, the waiting ones kept" \
	"$(sq "$T/many" "SELECT status || ' ' || count(*) || ' ' || sum(length(body) > 0) || ' ' || count(pruned_at) FROM message_text GROUP BY status ORDER BY status")" \
"dead 2 0 2
pending 2 2 0
sent 398 0 398"

########################################################################
# 3. A version 3 state database (before keep_sent), holding Wednesday's
# rows, is upgraded and pruned alike.
v3="$T/v3"
mkdir -p "$v3"
cp "$main/cases.db" "$v3/cases.db"
conf "$v3" 1 'keep_sent = "2 days";'
sed -e '/^	pruned_at INTEGER /d' -e "/^		CHECK (pruned_at IS NULL OR status IN ('sent', 'dead')),\$/d" \
	-e '/^-- The messages whose bodies notify.keep_sent will remove/d' -e '/^CREATE INDEX messages_to_prune /d' \
	-e 's/^PRAGMA user_version = 10;$/PRAGMA user_version = 3;/' -e 's/^	subject TEXT NOT NULL,$/&\n	body BLOB NOT NULL,/' -e '/^CREATE TABLE message_bodies (/,/^) STRICT;$/d' \
	-e '/^CREATE VIEW message_text AS$/,/;$/d' "$top_srcdir/schema/state.sql" |
	sqlite3 -bail -batch "$v3/state.db"
same "v3: made for the test, without pruned_at" \
	"$(sq "$v3" "PRAGMA user_version") $(sq "$v3" "SELECT count(*) FROM pragma_table_info('messages') WHERE name = 'pruned_at'")" "3 0"
sqlite3 -bail -batch "$v3/state.db" <<EOF
ATTACH '$T/wednesday.db' AS w;
INSERT INTO meta SELECT * FROM w.meta;
INSERT INTO cases SELECT * FROM w.cases;
INSERT INTO obligations SELECT * FROM w.obligations;
INSERT INTO messages SELECT id, kind, channel, destination, period, case_id, ref, subject, body, created_at, status,
	attempts, next_attempt_at, last_error, finished_at FROM w.message_text;
INSERT INTO outbox SELECT * FROM w.outbox;
INSERT INTO ledger SELECT * FROM w.ledger;
EOF
run "v3: outbox --dead reads it before the upgrade" 0 "$CASEWATCH" -c "$v3/casewatch.conf" outbox --dead
same "v3: two dead, with their text" "$(grep -c '	dead	' "$T/out") $(grep -c 'text removed' "$T/out")" "2 0"
run "v3: run --once on Monday" 0 "$CASEWATCH" -c "$v3/casewatch.conf" run --once --at 2027-03-08T10:00:00Z
same "v3: upgraded to version 10, with pruned_at and its index" \
	"$(sq "$v3" "PRAGMA user_version") $(sq "$v3" "SELECT count(*) FROM pragma_table_info('messages') WHERE name = 'pruned_at'") $(sq "$v3" "SELECT count(*) FROM sqlite_schema WHERE name = 'messages_to_prune'")" \
	"10 1 1"
same "v3: the bodies in their own table (version 9): the column gone, the waiting two kept as they were" \
	"$(sq "$v3" "SELECT count(*) FROM pragma_table_info('messages') WHERE name = 'body'") $(sq "$v3" "SELECT group_concat(message_id || ':' || hex(body)) FROM (SELECT * FROM message_bodies ORDER BY message_id)")" \
	"0 $(sqlite3 -batch "$T/wednesday.db" "SELECT group_concat(id || ':' || hex(body)) FROM (SELECT * FROM message_text WHERE destination = 'slow@council.test' ORDER BY id)")"
same "v3: off1's removed texts nowhere in the file, nor in its log" \
	"$(in_file 'Quentin Keepsake' "$v3/state.db" "$v3/state.db-wal")" 0
same "v3: the same four removed" "$(tail -n 1 "$T/out")" \
	"removed the text of 4 messages sent or given up before 2027-03-06T10:00:00Z (notify.keep_sent 2 days)"
same "v3: the waiting ones kept" "$(bodies "$v3")" \
"bad@council.test dead 0 $monday
bad@council.test dead 0 $monday
off1@council.test sent 0 $monday
off1@council.test sent 0 $monday
slow@council.test pending 1 -
slow@council.test pending 1 -"
sq "$v3" "SELECT id || ' ' || outbox_id || ' ' || case_id || ' ' || rule || ' ' || stage || ' ' || recipient || ' ' ||
	address || ' ' || message_id || ' ' || sent_at FROM ledger ORDER BY id" >"$T/ledger.v3"
if cmp -s "$T/ledger.before" "$T/ledger.v3"; then ok "v3: the ledger is as it was"; else
	not_ok "v3: the ledger is as it was"
	diff "$T/ledger.before" "$T/ledger.v3" | sed 's/^/# /'
fi
same "v3: integrity" "$(sq "$v3" "PRAGMA integrity_check")" ok

########################################################################
# 4. casewatchd: Wednesday's state, its messages moved back to 3 and 4
# days ago, the last pass 2 hours ago, on a case database with no cases
# (so that nothing new is composed). slow's address answers 450 again.
stop_server
start_server --port "$port" --script 'slow@council.test=450'
d="$T/daemon"
conf "$d" "$port" 'keep_sent = "2 days";'
staff "$d/cases.db"
cp "$T/wednesday.db" "$d/state.db"
now=$(date -u +%s)
shift_by=$(($(epoch 2027-03-03T09:00:00Z) - (now - 3 * 86400)))
sqlite3 -bail -batch "$d/state.db" "UPDATE messages SET created_at = created_at - $shift_by,
	next_attempt_at = next_attempt_at - $shift_by, finished_at = finished_at - $shift_by;
	UPDATE ledger SET sent_at = sent_at - $shift_by;
	INSERT INTO meta (key, value) VALUES ('prune_at', $now - 7200) ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
srvlog >"$T/server.before"
start_daemon keep "$d/casewatch.conf" || { not_ok "daemon: started"; done_testing; }
if wait_for 'removed the text of' "$T/keep.log"; then ok "daemon: a pass at its first scan"; else
	not_ok "daemon: a pass at its first scan"
	show "$T/keep.log" log
fi
grep 'removed the text of' "$T/keep.log" | sed 's/ before [^ ]* / before TIME /' >"$T/keep.removed"
same "daemon: logs the count" "$(cat "$T/keep.removed")" \
	"<6>casewatchd: removed the text of 4 messages sent or given up before TIME (notify.keep_sent 2 days)"
same "daemon: the sent and dead bodies gone, the waiting ones kept" \
	"$(bodies "$d" | cut -d' ' -f1-3)" \
"bad@council.test dead 0
bad@council.test dead 0
off1@council.test sent 0
off1@council.test sent 0
slow@council.test pending 1
slow@council.test pending 1"
same "daemon: off1's name is gone from the database and its log, while the daemon runs" \
	"$(in_file 'Quentin Keepsake' "$d/state.db" "$d/state.db-wal")" 0
same "daemon: the ledger kept" "$(sq "$d" "SELECT count(*) FROM ledger")" 2
pass=$(sq "$d" "SELECT value FROM meta WHERE key = 'prune_at'")
n=$(lines "$T/keep.notify")
if wait_count "$n" 3 ' STATUS=Scanned' "$T/keep.notify"; then ok "daemon: three more scans"; else
	not_ok "daemon: three more scans"
	show "$T/keep.notify" notify
fi
same "daemon: no other pass within the hour" \
	"$(sq "$d" "SELECT value FROM meta WHERE key = 'prune_at'") $(grep -c 'the text of' "$T/keep.log")" "$pass 1"
stop_daemon keep TERM
same "daemon: exits 0 on SIGTERM" "$(cat "$T/keep.status")" 0
no_sanitizer keep
srvlog >"$T/server.after"
if cmp -s "$T/server.before" "$T/server.after"; then ok "daemon: nothing sent again"; else
	not_ok "daemon: nothing sent again"
	diff "$T/server.before" "$T/server.after" | sed 's/^/# /'
fi
same "daemon: slow's still waiting, whole" \
	"$(sq "$d" "SELECT group_concat(length(body)) FROM message_text WHERE destination = 'slow@council.test' ORDER BY id")" "$slow_len"

########################################################################
# 5. The setting's errors, each FILE:LINE: message, in `casewatch check`.
bad() {
	printf 'database = "cases.db";\nnotify = {\n\tkeep_sent = %s;\n};\n' "$2" >"$T/$1.conf"
	run "check: keep_sent = $2" 1 "$CASEWATCH" -c "$T/$1.conf" check
	expect_out "check: keep_sent = $2: $3" "$T/$1.conf:3: $3"
}
bad fortnight '"a fortnight"' "keep_sent 'a fortnight' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\""
bad weeks '"12 weeks"' "keep_sent '12 weeks' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\""
bad hours '"23 hours"' "keep_sent must be between 1 day and 3650 days"
bad zero 0 "keep_sent must be between 1 day and 3650 days"
bad negative -86400 "keep_sent must be between 1 day and 3650 days"
bad long '"3651 days"' "keep_sent must be between 1 day and 3650 days"
bad true true "keep_sent is a duration like \"90 days\", or false to keep sent messages for ever"
bad float 1.5 "keep_sent must be a number of seconds or a string like \"5 minutes\", not a number"
bad list '[ "90 days" ]' "keep_sent must be a number of seconds or a string like \"5 minutes\", not an array"
for good in '"1 day"' 86400 '"3650 days"' '"90 days"' false; do
	printf 'database = "cases.db";\nnotify = {\n\tkeep_sent = %s;\n};\n' "$good" >"$T/good.conf"
	run "check: keep_sent = $good is good" 0 "$CASEWATCH" -c "$T/good.conf" check
done
printf 'database = "cases.db";\nnotify = {\n\tkeep_sent = "1 year";\n\tgive_up_after = "1 minute";\n};\n' >"$T/two.conf"
run "check: two problems" 1 "$CASEWATCH" -c "$T/two.conf" check
expect_out "check: both reported" \
"$T/two.conf:3: keep_sent '1 year' is not a duration like \"5 minutes\", \"90 seconds\" or \"1 hour\"
$T/two.conf:4: give_up_after must be between 1 hour and 30 days"

stop_servers
done_testing

#!/bin/sh
# casewatch run --once: one scan through casewatchd's own code, at fixed
# moments on the demo database. What it prints, what it keeps in the state
# database (checked against `casewatch status`, which works the same
# obligations out independently), what it queues (each stage at most once,
# only the latest one after a jump), the messages it composes and sends
# (into the Maildir beside the state database), --dry-run and --full, and
# its errors. The digests are off: this is about the scan and the queue.
. "${top_srcdir:-.}/tests/lib.sh"

db="$T/cases.db"
state="$T/state.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" <"$top_srcdir/examples/demo.sql"
conf="$T/casewatch.conf"
no_digests='notify = { officer_digest = false; manager_digest = { every = "never"; }; };'
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n%s\n' "$top_srcdir" "$no_digests" >"$conf"
cw() { "$CASEWATCH" -c "$conf" "$@"; }
st() { sqlite3 -batch "$state" "$@"; }
# The Maildir beside the state database, where email goes with no smtp.
mail="$T/mail"
# maildir_holds NAME: $mail/new holds exactly one file per message in the
# state database, named after it (its creation time and Message-ID), each
# to the message's address (To: "Name <address>", the officer's name), and
# nothing is left in $mail/tmp.
maildir_holds() {
	for _f in "$mail"/new/*; do
		[ -f "$_f" ] && printf '%s %s\n' "${_f##*/}" \
			"$(sed -n 's/^To: //p' "$_f" | tr -d '\r' | sed 's/^.* <\([^<>]*\)>$/\1/')"
	done | sort >"$T/in-maildir"
	st "SELECT created_at || '.' || substr(ref, 2, instr(ref, '@') - 2) || ' ' || destination FROM messages" |
		sort >"$T/in-messages"
	if [ -s "$T/in-messages" ] && cmp -s "$T/in-messages" "$T/in-maildir" && [ -z "$(ls -A "$mail/tmp")" ]; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/in-messages" "$T/in-maildir" | sed 's/^/# /'
		ls -A "$mail/tmp" | sed 's/^/# left in tmp: /'
	fi
}

# like_status NAME TIME: the obligations kept in the state database are
# exactly the unmet ones (pending, overdue, paused) that `casewatch status
# --at TIME --json` lists, with the same state and due date.
like_status() {
	st -json "SELECT c.ref AS \"case\", o.rule, nullif(o.party_id, 0) AS party, o.cycle, o.state, o.due
		FROM obligations o JOIN cases c USING (case_id)" |
		jq -S -c 'sort_by(.case, .rule, .party, .cycle) | .[]' >"$T/kept"
	cw status --at "$2" --json |
		jq -S -c '[.obligations[] | select(.state == "pending" or .state == "overdue" or .state == "paused") |
			{case, rule, party, cycle, state, due}] | sort_by(.case, .rule, .party, .cycle) | .[]' >"$T/shown"
	if [ -s "$T/shown" ] && cmp -s "$T/shown" "$T/kept"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/shown" "$T/kept" | head -n 20 | sed 's/^/# /'
	fi
}
# shown_state TIME REF RULE: the state and met_at of the case's obligation
# under RULE, as `casewatch status --at TIME --json` lists it.
shown_state() {
	cw status --at "$1" --json |
		jq -r --arg c "$2" --arg r "$3" '.obligations[] | select(.case == $c and .rule == $r) | "\(.state) \(.met_at)"'
}
# status_count TIME JQ-FILTER: how many obligations status lists at TIME
# that match the filter.
status_count() {
	cw status --at "$1" --json | jq "[.obligations[] | select($2)] | length"
}

n_cases=$(sqlite3 -batch "$db" "SELECT count(*) FROM cases")
same "the demo has 39 cases" "$n_cases" 39

# A dry run from nothing keeps nothing, not even a state database: it
# works in a scratch one and says so; the next real scan is the first.
printf 'database = "cases.db";\nstate = "dry.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n%s\n' "$top_srcdir" "$no_digests" >"$T/dry.conf"
mkdir "$T/tmp"
run "dry run with no state database" 0 env TMPDIR="$T/tmp" "$CASEWATCH" -c "$T/dry.conf" run --once --at 2026-11-18 --dry-run
expect_out "dry run of the first scan" \
"scan at 2026-11-18T12:00:00Z: 39 cases evaluated (full: new state database), 33 changed
first scan of this state database: 13 stages reached are the starting point; none queued
2 due today, 10 overdue, 0 notifications queued
0 messages composed
dry run: nothing was kept or sent"
expect_err "dry run: says there is no state database yet" \
"casewatch: there is no state database $T/dry.db yet: this is what its first scan would do"
if [ ! -e "$T/dry.db" ] && [ -z "$(ls -A "$T/tmp")" ] && [ ! -e "$mail" ]; then
	ok "dry run: no state database or Maildir made, and its scratch one removed"
else
	not_ok "dry run: no state database or Maildir made, and its scratch one removed"
	ls -la "$T" "$T/tmp" | sed 's/^/# /'
fi
run "a real run after the dry run" 0 "$CASEWATCH" -c "$T/dry.conf" run --once --at 2026-11-18
expect_out "after the dry run: still the first scan" \
"scan at 2026-11-18T12:00:00Z: 39 cases evaluated (full: new state database), 33 changed
first scan of this state database: 13 stages reached are the starting point; none queued
2 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"

# The first scan of a new state database is the baseline: every stage
# already reached is recorded and none is queued. The 39 cases less the 6
# closed with everything met (0101, 0105, 0106, 0111, 0125, 0133) have
# something to keep. Among the 13 stages: 0138's call (a hate crime
# received this morning, due tomorrow) is upcoming, a stage its rule does
# not notify but still reaches.
run "first run" 0 cw run --once --at 2026-11-18
expect_out "first run: the baseline" \
"scan at 2026-11-18T12:00:00Z: 39 cases evaluated (full: new state database), 33 changed
first scan of this state database: 13 stages reached are the starting point; none queued
2 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
expect_err "first run: says the state database is new and knows of nothing sent" \
"casewatch: created the state database $state: it holds no record of notifications sent before; the stages obligations have reached now are the starting point and are not notified again"
same "first run: the cases changed are the cases kept" "$(st "SELECT count(*) FROM cases")" 33
same "first run: the stages reached are the stages kept" "$(st "SELECT count(*) FROM obligations WHERE stage IS NOT NULL")" 13
same "first run: nothing queued" "$(st "SELECT count(*) FROM outbox")" 0
same "first run: nothing composed" "$(st "SELECT count(*) FROM messages")" 0
check "first run: nothing sent, no Maildir made" test ! -e "$mail"
# Wednesday 18th: 0103's call (received Tue 17, 1 working day) and 0109's
# visit (accepted Wed 4, 10 working days) are due today.
same "first run: due today as status counts it" \
	"$(status_count 2026-11-18 '.state == "pending" and (.due | startswith("2026-11-18"))')" 2
same "first run: overdue as status counts it" "$(status_count 2026-11-18 '.state == "overdue"')" 10
same "0109's visit is due on the 18th" \
	"$(st "SELECT due || ' ' || state FROM obligations WHERE case_id = 109 AND rule = 'victim-visit'")" "2026-11-18 pending"
same "0103's call is due on the 18th" \
	"$(st "SELECT due || ' ' || state || ' ' || stage FROM obligations WHERE case_id = 103 AND rule = 'serious-incident-call'")" \
	"2026-11-18 pending due"
like_status "first run: the state database holds what status shows" 2026-11-18

# The same moment again: nothing changed, nothing to evaluate.
run "second run at the same moment" 0 cw run --once --at 2026-11-18
expect_out "second run: incremental, nothing evaluated" \
"scan at 2026-11-18T12:00:00Z: 0 cases evaluated (incremental), 0 changed
2 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
[ -s "$T/err" ] && not_ok "second run: nothing on stderr" || ok "second run: nothing on stderr"

# Later the same day, after the officer records 0109's visit: only that
# case is evaluated, since no case wakes before 12:30 (the state's wake-up
# index says which would).
sqlite3 -batch "$db" "INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer)
	VALUES (109, '2026-11-18T12:15:00Z', 'contact', 1091, 'visit', 'update', 'mokafor')"
woken=$(st "SELECT count(*) FROM cases WHERE wake_at <= $(epoch 2026-11-18T12:30:00Z) AND case_id <> 109")
same "no case wakes between 12:00 and 12:30" "$woken" 0
run "a run after a new event" 0 cw run --once --at 2026-11-18T12:30:00Z
expect_out "only the changed case is evaluated" \
"scan at 2026-11-18T12:30:00Z: 1 cases evaluated (incremental), 1 changed
1 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "0109's visit is met, at the time recorded" \
	"$(shown_state 2026-11-18T12:30:00Z ASB-2026-0109 victim-visit)" "met 2026-11-18T12:15:00Z"
same "0109's visit is met: no longer kept in the state database" \
	"$(st "SELECT count(*) FROM obligations WHERE case_id = 109 AND rule = 'victim-visit'")" 0
like_status "after the event: the state database holds what status shows" 2026-11-18T12:30:00Z

# Thursday 19th. 0103's call, due Wednesday and escalated 1 working day
# after, goes straight from due to escalated (the manager); 0110's visit,
# due Friday 20 after its hold, is upcoming (the officer); 0138's call,
# received Wednesday, is due today (the officer). A dry run says so, and
# what it would send, and keeps and sends nothing. Among the 11 cases
# changed: 0138 (its call due, its acknowledgement sent this morning) and
# 0137 (its perpetrator letter sent this morning).
st .dump >"$T/dump-before"
run "dry run the next day" 0 cw run --once --at 2026-11-19 --dry-run
expect_out "dry run: would queue" \
"scan at 2026-11-19T12:00:00Z: 39 cases evaluated (full: new day), 11 changed
would queue: ASB-2026-0103 serious-incident-call: escalated (1 notification)
would queue: ASB-2026-0110 victim-visit: upcoming (1 notification)
would queue: ASB-2026-0138 serious-incident-call: due (1 notification)
1 due today, 11 overdue, 3 notifications queued
would send: message 1 to aisha.khan@example.gov.uk: 1 due today
would send: message 2 to declan.walsh@example.gov.uk: 1 coming up
would send: message 3 to robert.ng@example.gov.uk: 1 escalated
3 messages composed
dry run: nothing was kept or sent"
st .dump >"$T/dump-after"
if cmp -s "$T/dump-before" "$T/dump-after"; then ok "dry run: the state database is unchanged"; else
	not_ok "dry run: the state database is unchanged"
	diff "$T/dump-before" "$T/dump-after" | head -n 20 | sed 's/^/# /'
fi
check "dry run: nothing sent, no Maildir made" test ! -e "$mail"

run "the next day" 0 cw run --once --at 2026-11-19
expect_out "the next day: a full scan, three stages queued" \
"scan at 2026-11-19T12:00:00Z: 39 cases evaluated (full: new day), 11 changed
queued: ASB-2026-0103 serious-incident-call: escalated (1 notification)
queued: ASB-2026-0110 victim-visit: upcoming (1 notification)
queued: ASB-2026-0138 serious-incident-call: due (1 notification)
1 due today, 11 overdue, 3 notifications queued
composed: message 1 to aisha.khan@example.gov.uk: 1 due today
composed: message 2 to declan.walsh@example.gov.uk: 1 coming up
composed: message 3 to robert.ng@example.gov.uk: 1 escalated
3 messages composed
sent 3 messages (3 email, 0 webhook); 0 to retry, 0 dead"
same "the outbox holds one row per notification, each sent in its message" \
	"$(st "SELECT group_concat(case_id || ' ' || rule || ' ' || stage || ' ' || recipient || ' ' || status || ' ' || message_id, ', ')
		FROM (SELECT * FROM outbox ORDER BY case_id)")" \
	"103 serious-incident-call escalated manager sent 3, 110 victim-visit upcoming officer sent 2, 138 serious-incident-call due officer sent 1"
same "one message per recipient, sent" \
	"$(st "SELECT group_concat(id || ' ' || kind || ' ' || channel || ' ' || destination || ' ' || case_id || ' ' || status, ', ')
		FROM (SELECT * FROM messages ORDER BY id)")" \
	"1 notice email aisha.khan@example.gov.uk 138 sent, 2 notice email declan.walsh@example.gov.uk 110 sent, 3 notice email robert.ng@example.gov.uk 103 sent"
maildir_holds "the next day: the Maildir holds the three messages"
same "queued at the scan's moment" "$(st "SELECT DISTINCT created_at FROM outbox")" "$(epoch 2026-11-19T12:00:00Z)"
same "composed and sent at the scan's moment" \
	"$(st "SELECT DISTINCT created_at || ' ' || finished_at FROM messages")" \
	"$(epoch 2026-11-19T12:00:00Z) $(epoch 2026-11-19T12:00:00Z)"
same "0103's call skipped the overdue stage" \
	"$(st "SELECT count(*) FROM outbox WHERE case_id = 103 AND stage <> 'escalated'")" 0
like_status "the next day: the state database holds what status shows" 2026-11-19

# Each stage is queued once, ever. (0138's call stays due today until
# midnight.)
run "the next day again" 0 cw run --once --at 2026-11-19
expect_out "the same moment again queues nothing" \
"scan at 2026-11-19T12:00:00Z: 0 cases evaluated (incremental), 0 changed
1 due today, 11 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "still three rows in the outbox" "$(st "SELECT count(*) FROM outbox")" 3
same "still three messages" "$(st "SELECT count(*) FROM messages")" 3

# 0103's call is recorded, then the record is withdrawn: the obligation
# is escalated again, but its escalation was queued before.
sqlite3 -batch "$db" "INSERT INTO events (id, case_id, at, kind, party_id, channel, detail, officer)
	VALUES (9001, 103, '2026-11-19T13:00:00Z', 'contact', 1031, 'phone', 'update', 'akhan')"
run "a late call recorded" 0 cw run --once --at 2026-11-19T13:30:00Z
expect_out "the call meets the obligation late" \
"scan at 2026-11-19T13:30:00Z: 1 cases evaluated (incremental), 1 changed
1 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "0103's call: met late" "$(shown_state 2026-11-19T13:30:00Z ASB-2026-0103 serious-incident-call | cut -d' ' -f1)" met_late
same "0103's call: met late, no longer kept in the state database" \
	"$(st "SELECT count(*) FROM obligations WHERE case_id = 103 AND rule = 'serious-incident-call'")" 0
sqlite3 -batch "$db" "DELETE FROM events WHERE id = 9001"
run "the call withdrawn" 0 cw run --once --at 2026-11-19T14:00:00Z
expect_out "escalated again, but no second message" \
"scan at 2026-11-19T14:00:00Z: 1 cases evaluated (incremental), 1 changed
queued: ASB-2026-0103 serious-incident-call: escalated (no notification: the stage is off for this rule, or was queued before)
1 due today, 11 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "still three rows in the outbox after the stage is reached again" "$(st "SELECT count(*) FROM outbox")" 3
same "and still three messages" "$(st "SELECT count(*) FROM messages")" 3

run "--full" 0 cw run --once --full --at 2026-11-19T14:00:00Z
expect_out "--full evaluates everything and finds nothing new" \
"scan at 2026-11-19T14:00:00Z: 39 cases evaluated (full: requested), 0 changed
1 due today, 11 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"

# A change log pruned past the position last read cannot say what changed:
# everything is evaluated. (An update call to 0118, already kept informed,
# is written, which changes none of its obligations, and the log is lost.)
sqlite3 -batch "$db" "INSERT INTO events (case_id, at, kind, channel, detail)
	SELECT id, '2026-11-19T14:05:00Z', 'contact', 'phone', 'update' FROM cases WHERE ref = 'ASB-2026-0118';
	DELETE FROM changes;"
run "change log pruned" 0 cw run --once --at 2026-11-19T14:10:00Z
same "a pruned change log means a full evaluation" "$(head -n 1 "$T/out")" \
	"scan at 2026-11-19T14:10:00Z: 39 cases evaluated (full: change log incomplete), 0 changed"
run "after the pruned log" 0 cw run --once --at 2026-11-19T14:11:00Z
same "and the scan after it is incremental again" "$(head -n 1 "$T/out")" \
	"scan at 2026-11-19T14:11:00Z: 0 cases evaluated (incremental), 0 changed"

# Another calendar (a closure day added, far from any deadline here) means
# the stored stages may be wrong: everything is evaluated, nothing changes.
printf 'calendar = { closures = ( "2027-06-01" ); };\n' >>"$conf"
run "calendar changed" 0 cw run --once --at 2026-11-19T14:20:00Z
same "a changed calendar means a full evaluation" "$(head -n 1 "$T/out")" \
	"scan at 2026-11-19T14:20:00Z: 39 cases evaluated (full: rules, calendar or time zone changed), 0 changed"

# A month later. 0102 was accepted Wednesday 18 November: its victim visit
# (10 working days) was due 2 December and escalated 5 working days later;
# its perpetrator letter (20 working days) was due 16 December: overdue,
# not yet escalated. Neither had reached a stage on the 19th; each is
# queued at its latest stage only. Among the 25 cases changed: 0137,
# whose keep-informed cycle due 15 December is overdue (the officer and
# supervisor; escalated only from the 22nd); 0138, whose call, due on the
# 19th and due when last scanned, is escalated (the manager); and 0139,
# whose fortnightly cycle due 23 November is escalated (the manager).
same "10 working days after 18 November" "$(cw calendar add 2026-11-18 10)" 2026-12-02
same "20 working days after 18 November" "$(cw calendar add 2026-11-18 20)" 2026-12-16
same "0102's stages on the 19th" \
	"$(st "SELECT group_concat(rule || ' ' || coalesce(stage, '-'), ', ') FROM (SELECT * FROM obligations
		WHERE case_id = 102 AND rule IN ('victim-visit', 'perpetrator-letter') ORDER BY rule)")" \
	"perpetrator-letter -, victim-visit -"
same "before the jump every notification was sent: none waits" "$(st "SELECT count(*) FROM outbox WHERE status <> 'sent'")" 0
run "a month later" 0 cw run --once --at 2026-12-19
head -n 1 "$T/out" >"$T/first"
same "a month later: a full scan" "$(cat "$T/first")" \
	"scan at 2026-12-19T12:00:00Z: 39 cases evaluated (full: new day), 25 changed"
jump=$(epoch 2026-12-19T12:00:00Z)
same "0102's visit: escalated to the manager only" \
	"$(st "SELECT group_concat(stage || ' ' || recipient, ', ') FROM outbox WHERE case_id = 102 AND rule = 'victim-visit'")" \
	"escalated manager"
same "0102's perpetrator letter: overdue to the officer and supervisor only" \
	"$(st "SELECT group_concat(stage || ' ' || recipient, ', ') FROM (SELECT * FROM outbox
		WHERE case_id = 102 AND rule = 'perpetrator-letter' ORDER BY recipient)")" \
	"overdue officer, overdue supervisor"
same "0102's due dates" \
	"$(st "SELECT group_concat(rule || ' ' || due || ' ' || state, ', ') FROM (SELECT * FROM obligations
		WHERE case_id = 102 AND rule IN ('victim-visit', 'perpetrator-letter') ORDER BY rule)")" \
	"perpetrator-letter 2026-12-16 overdue, victim-visit 2026-12-02 overdue"
# Across the whole outbox: no obligation had two stages queued by the
# jump, and what it queued is each obligation's stage now; on the demo,
# every stage the jump reached is overdue or escalated.
same "one stage per obligation queued by the jump" \
	"$(st "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE created_at = $jump
		GROUP BY case_id, rule, party_id, cycle HAVING count(DISTINCT stage) > 1)")" 0
same "what the jump queued is each obligation's current stage" \
	"$(st "SELECT count(*) FROM outbox b JOIN obligations o USING (case_id, rule, party_id, cycle)
		WHERE b.created_at = $jump AND b.stage IS NOT o.stage")" 0
same "no upcoming or due row queued by the jump" \
	"$(st "SELECT count(*) FROM outbox WHERE created_at = $jump AND stage IN ('upcoming', 'due')")" 0
# Each "queued:" line is backed by its rows.
n=$(sed -n 's/^queued: .* (\([0-9]*\) notifications*)$/\1/p' "$T/out" | awk '{ s += $1 } END { print s + 0 }')
same "the notifications announced are the rows added" "$n" "$(st "SELECT count(*) FROM outbox WHERE created_at = $jump")"
# Saturday 19 December is outside the send window: the two urgent
# notifications (the serious-incident-calls of 0104 and 0138, both West's,
# escalated to its manager) go at once, in one message; the 43 others
# (among them 0137's two and 0139's one above) are held, pending, in no
# message yet.
same "a month later: the urgent notifications are sent, the others held" \
	"$(st "SELECT group_concat(x, ', ') FROM (SELECT urgent || ' ' || status || ' ' || count(message_id) || ' ' || count(*) AS x
		FROM outbox WHERE created_at = $jump GROUP BY urgent, status ORDER BY urgent, status)")" \
	"0 pending 0 43, 1 sent 2 2"
same "the urgent ones are 0104's and 0138's calls, escalated to the manager" \
	"$(st "SELECT group_concat(x, ', ') FROM (SELECT case_id || ' ' || rule || ' ' || stage || ' ' || recipient || ' ' || message_id AS x
		FROM outbox WHERE created_at = $jump AND urgent ORDER BY case_id)")" \
	"104 serious-incident-call escalated manager 4, 138 serious-incident-call escalated manager 4"
# After the queued lines: the overdue obligations and the notifications
# pending before the compose (those the jump queued, since none waited
# before it), then the message composed and sent, and the rest held.
same "a month later: counts, the message composed, the notifications held, the message sent" \
	"$(sed -n '/ notifications* queued$/,$p' "$T/out")" \
	"0 due today, $(st "SELECT count(*) FROM obligations WHERE state = 'overdue'") overdue, $(st "SELECT count(*) FROM outbox WHERE created_at = $jump") notifications queued
composed: message 4 to robert.ng@example.gov.uk: 2 escalated
1 message composed, $(st "SELECT count(*) FROM outbox WHERE status = 'pending'") notifications held for the send window
sent 1 message (1 email, 0 webhook); 0 to retry, 0 dead"
same "a month later: four messages in all, each sent" "$(st "SELECT group_concat(id || ' ' || status, ', ') FROM messages")" \
	"1 sent, 2 sent, 3 sent, 4 sent"
maildir_holds "a month later: the Maildir holds the four messages"
like_status "a month later: the state database holds what status shows" 2026-12-19
same "a month later: the running counts are the tables' (outbox_counts)" \
	"$(st "SELECT group_concat(n, ' ') FROM (SELECT n FROM outbox_counts ORDER BY name)")" \
	"$(st "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending') || ' ' ||
		(SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')) || ' ' ||
		(SELECT count(*) FROM outbox WHERE status = 'pending' AND NOT urgent)")"

# A version 6 state database, which kept met and cancelled obligations too
# (and, before version 9, each message's body in its row), is upgraded to
# 7: those go, the rest stays as it was, and the digests
# still hold (they were made from every obligation, kept or not), so the
# next scan at the same moment changes nothing.
cp "$state" "$T/v6.db"
sqlite3 -bail -batch "$T/v6.db" "PRAGMA user_version = 6;
	CREATE TABLE counts (name TEXT PRIMARY KEY CHECK (name IN ('overdue')), n INTEGER NOT NULL) STRICT, WITHOUT ROWID;
	INSERT INTO counts (name, n) VALUES ('overdue', 0);
	ALTER TABLE messages ADD COLUMN body BLOB NOT NULL DEFAULT X'';
	UPDATE messages SET body = coalesce((SELECT body FROM message_bodies WHERE message_id = messages.id), X'');
	DROP VIEW message_text;
	DROP TABLE message_bodies;
	CREATE TABLE o6 (
		case_id INTEGER NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
		rule TEXT NOT NULL, party_id INTEGER NOT NULL, cycle INTEGER NOT NULL, party_role TEXT,
		start TEXT NOT NULL, due TEXT, due_day TEXT, overdue_at INTEGER,
		state TEXT NOT NULL CHECK (state IN ('pending', 'met', 'met_late', 'overdue', 'cancelled', 'paused')),
		met_at INTEGER, stage TEXT CHECK (stage IN ('upcoming', 'due', 'overdue', 'escalated')),
		PRIMARY KEY (case_id, rule, party_id, cycle)) STRICT, WITHOUT ROWID;
	INSERT INTO o6 (case_id, rule, party_id, cycle, party_role, start, due, due_day, overdue_at, state, stage)
		SELECT case_id, rule, party_id, cycle, party_role, start, due, due_day, overdue_at, state, stage FROM obligations;
	DROP TABLE obligations;
	ALTER TABLE o6 RENAME TO obligations;
	CREATE INDEX obligations_by_state ON obligations(state, due_day);
	INSERT INTO obligations (case_id, rule, party_id, cycle, start, due, due_day, state, met_at)
	VALUES (109, 'victim-visit', 0, 99, '2026-11-02', '2026-11-16', '2026-11-16', 'met', 1795004100),
	       (109, 'victim-visit', 0, 98, '2026-11-02', '2026-11-16', '2026-11-16', 'met_late', 1795004100),
	       (103, 'serious-incident-call', 0, 99, '2026-11-17', '2026-11-18', '2026-11-18', 'cancelled', NULL)"
kept_v6() { sqlite3 -batch "$T/v6.db" "SELECT group_concat(x, ', ') FROM (SELECT case_id || ' ' || rule || ' ' || party_id || ' ' ||
	cycle || ' ' || state || ' ' || coalesce(stage, '-') AS x FROM obligations ORDER BY case_id, rule, party_id, cycle)"; }
sqlite3 -batch "$T/v6.db" "SELECT count(*) FROM obligations WHERE state IN ('met', 'met_late', 'cancelled')" >"$T/v6.met"
want=$(st "SELECT group_concat(x, ', ') FROM (SELECT case_id || ' ' || rule || ' ' || party_id || ' ' ||
	cycle || ' ' || state || ' ' || coalesce(stage, '-') AS x FROM obligations ORDER BY case_id, rule, party_id, cycle)")
same "v6: made for the test, with three met or cancelled" "$(cat "$T/v6.met")" 3
sed 's/^state = "state.db";$/state = "v6.db";/' "$conf" >"$T/v6.conf"
run "v6: a scan at the same moment" 0 "$CASEWATCH" -c "$T/v6.conf" run --once --at "$(st "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', value, 'unixepoch') FROM meta WHERE key = 'scan_at'")"
same "v6: upgraded to version 10" "$(sqlite3 -batch "$T/v6.db" 'PRAGMA user_version')" 10
same "v6: the met and cancelled gone, the rest as it was" "$(kept_v6)" "$want"
same "v6: the table as a new one's, with its index and triggers" \
	"$(sqlite3 -batch "$T/v6.db" "SELECT group_concat(type || ' ' || name || ' ' || sql, '; ') FROM (SELECT * FROM sqlite_schema WHERE tbl_name = 'obligations' ORDER BY name)" |
		sed 's/^table obligations CREATE TABLE "obligations" (/table obligations CREATE TABLE obligations (/')" \
	"$(st "SELECT group_concat(type || ' ' || name || ' ' || sql, '; ') FROM (SELECT * FROM sqlite_schema WHERE tbl_name = 'obligations' ORDER BY name)")"
same "v6: the overdue counted by the scan, the old count and its triggers gone" \
	"$(sqlite3 -batch "$T/v6.db" "SELECT (SELECT sum(n) FROM obligation_counts WHERE state = 'overdue'), (SELECT count(*) FROM sqlite_schema WHERE name = 'counts' OR name LIKE 'obligations_overdue_%')")" \
	"$(st "SELECT count(*) FROM obligations WHERE state = 'overdue'")|0"
same "v6: integrity" "$(sqlite3 -batch "$T/v6.db" "PRAGMA integrity_check; PRAGMA foreign_key_check")" ok
same "v6: nothing changed" "$(sed -n 's/^scan at [^ ]*: //p' "$T/out")" "0 cases evaluated (incremental), 0 changed"

# A case deleted from the case database while its notification waits for
# the send window: the incremental scan that sees it gone voids the
# notification, though nothing else changed.
mkdir -p "$T/gone"
"$CASEWATCH" db init "$T/gone/cases.db" >/dev/null
sqlite3 -bail -batch "$T/gone/cases.db" "INSERT INTO teams (id, name) VALUES ('t', 'Team');
INSERT INTO officers (id, name, email, team) VALUES ('o1', 'Officer 1', 'o1@example.gov.uk', 't');
INSERT INTO cases (id, ref, officer, team, received_at) VALUES (1, 'ASB-1', 'o1', 't', '2026-11-16T09:00:00Z'),
	(2, 'ASB-2', 'o1', 't', '2026-11-16T09:00:00Z');"
cat >"$T/gone/rules.conf" <<'EOF'
pack = "p";
title = "P";
rules = (
	{
		id = "reply";
		title = "Reply within 1 working day";
		kind = "deadline";
		from = "received";
		within = "1 working day";
		met_by = { kind = "contact"; };
		notify = { upcoming = false; due = false; overdue = { to = [ "officer" ]; }; escalated = false; };
	}
);
EOF
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ "rules.conf" ];\n%s\n' "$no_digests" >"$T/gone/casewatch.conf"
gw() { "$CASEWATCH" -c "$T/gone/casewatch.conf" "$@"; }
run "gone: the first scan" 0 gw run --once --at 2026-11-16T19:00:00Z
run "gone: both overdue at night, held for the window" 0 gw run --once --at 2026-11-18T00:30:00Z
same "gone: two notifications waiting" \
	"$(sqlite3 -batch "$T/gone/state.db" "SELECT group_concat(case_id || ' ' || status, ', ') FROM outbox")" "1 pending, 2 pending"
sqlite3 -batch "$T/gone/cases.db" "DELETE FROM cases WHERE id = 1"
run "gone: a scan after case 1 is deleted" 0 gw run --once --at 2026-11-18T01:00:00Z
same "gone: its notification is void, the other still waits" \
	"$(sqlite3 -batch "$T/gone/state.db" "SELECT group_concat(case_id || ' ' || status || ' ' || coalesce(last_error, '-'), ', ') FROM outbox")" \
	"1 void met, paused, cancelled or gone before it was sent, 2 pending -"

# Errors.
run "run without --once" 2 cw run
expect_err "says --once is needed" \
"casewatch: run needs --once (casewatchd runs the scans continuously)
Usage: casewatch [-c FILE] run --once [--at TIME] [--dry-run] [--full]
Try 'casewatch run --help'."
run "unknown option" 2 cw run --once --bogus
expect_err "names the option" \
"casewatch: unknown option '--bogus' for run
Usage: casewatch [-c FILE] run --once [--at TIME] [--dry-run] [--full]
Try 'casewatch run --help'."
run "an operand" 2 cw run --once extra
expect_err "names the operand" \
"casewatch: run takes no operands, got 'extra'
Usage: casewatch [-c FILE] run --once [--at TIME] [--dry-run] [--full]
Try 'casewatch run --help'."
run "--at without a value" 2 cw run --once --at
run "bad --at" 1 cw run --once --at 2026-02-30
expect_err "says what a time is" \
"casewatch: --at '2026-02-30' is not a time: give RFC 3339 (2026-11-20T09:30:00Z) or a date YYYY-MM-DD within 1978-2199"

printf 'these are my notes, not a database\n' >"$T/notes.txt"
cp "$T/notes.txt" "$T/notes.orig"
printf 'database = "cases.db";\nstate = "notes.txt";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/notes.conf"
run "a state path that is not SQLite" 1 "$CASEWATCH" -c "$T/notes.conf" run --once --at 2026-11-18
expect_err "refused, and left alone" "casewatch: $T/notes.txt exists and is not a casewatch state database; left as it was"
check "the file is untouched" cmp -s "$T/notes.txt" "$T/notes.orig"
[ -s "$T/out" ] && not_ok "nothing on stdout for a bad state path" || ok "nothing on stdout for a bad state path"

sqlite3 -batch "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
cp "$T/other.db" "$T/other.orig"
printf 'database = "cases.db";\nstate = "other.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/other.conf"
run "another application's SQLite database" 1 "$CASEWATCH" -c "$T/other.conf" run --once --at 2026-11-18
expect_err "refused too" "casewatch: $T/other.db exists and is not a casewatch state database; left as it was"
check "that database is untouched" cmp -s "$T/other.db" "$T/other.orig"

printf 'database = "cases.db";\nstate = "nowhere/state.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/nodir.conf"
run "a state database in a missing folder" 1 "$CASEWATCH" -c "$T/nodir.conf" run --once --at 2026-11-18
expect_err "says it cannot be created and why" "casewatch: cannot create $T/nowhere/state.db: No such file or directory"
check "no folder made" test ! -e "$T/nowhere"

printf 'database = "missing.db";\nstate = "state2.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/missing.conf"
run "no case database" 1 "$CASEWATCH" -c "$T/missing.conf" run --once --at 2026-11-18
if grep -q "cannot open the case database $T/missing.db: .*casewatch db init" "$T/err"; then
	ok "names the case database and says how to create it"
else
	not_ok "names the case database and says how to create it"
	sed 's/^/# stderr: /' "$T/err"
fi
check "no case database is created" test ! -e "$T/missing.db"
[ -s "$T/out" ] && not_ok "nothing on stdout without a case database" || ok "nothing on stdout without a case database"

### The managers' figures from a full scan's own evaluation: a scan that
### composes the managers' digest counts them from its evaluation of
### every case when it is a full one (outbox_full_begin()), else by
### evaluating every case again. The two must make the same digests, byte
### for byte: the same state (a first scan at 07:00 on Monday 23 November,
### before the managers' time, 08:00), the same moment, --full or not.
mkdir "$T/share"
cp "$db" "$T/share/cases.db"
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" \
	>"$T/share/casewatch.conf"
run "figures: the first scan, before the managers' time" 0 \
	"$CASEWATCH" -c "$T/share/casewatch.conf" run --once --at 2026-11-23T07:00:00Z
for v in full incremental; do
	mkdir "$T/share/$v"
	cp "$T/share/cases.db" "$T/share/state.db" "$T/share/casewatch.conf" "$T/share/$v/"
done
run "figures: a full scan at 09:00" 0 "$CASEWATCH" -c "$T/share/full/casewatch.conf" run --once --full \
	--at 2026-11-23T09:00:00Z
same "figures: it was a full one" "$(head -n 1 "$T/out")" \
	"scan at 2026-11-23T09:00:00Z: 39 cases evaluated (full: requested), 0 changed"
run "figures: an incremental scan at 09:00" 0 "$CASEWATCH" -c "$T/share/incremental/casewatch.conf" run --once \
	--at 2026-11-23T09:00:00Z
same "figures: it was an incremental one" "$(head -n 1 "$T/out")" \
	"scan at 2026-11-23T09:00:00Z: 0 cases evaluated (incremental), 0 changed"
digests() {
	sqlite3 -batch "$T/share/$1/state.db" "SELECT destination, hex(body) FROM message_text
		WHERE kind = 'manager-digest' ORDER BY destination" >"$T/share/$1.digests"
}
digests full
digests incremental
same "figures: both made the managers' two digests" "$(wc -l <"$T/share/full.digests") $(wc -l <"$T/share/incremental.digests")" "2 2"
check "figures: the same digests, byte for byte" cmp -s "$T/share/full.digests" "$T/share/incremental.digests"
sqlite3 -batch "$T/share/full/state.db" "SELECT body FROM message_text WHERE kind = 'manager-digest' LIMIT 1" |
	tr -d '\r' >"$T/share/one"
check "figures: the digest has its figures" grep -q '35 met, 1 met late' "$T/share/one"

done_testing

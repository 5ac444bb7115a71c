#!/bin/sh
# Incremental scans (the change log and the wake-up index) give exactly
# what full evaluations give: a random case database written to across a
# simulated month, scanned both ways at every step (tests/watch-equiv.py).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# Seed 7 again with the full evaluations on three threads (CASEWATCH_THREADS
# forces them however few the cases): the same state as on one.
packs="$top_srcdir/rules/leeds-asbu.conf $top_srcdir/rules/oadby-wigston.conf $top_srcdir/tests/data/packs/hours.conf"
for seed in 1 7 7t; do
	mkdir "$T/$seed"
	threads=1
	[ "$seed" = 7t ] && threads=3
	# shellcheck disable=SC2086
	CASEWATCH_THREADS=$threads /usr/bin/python3 "$top_srcdir/tests/watch-equiv.py" "$CASEWATCH" "$T/$seed" "${seed%t}" $packs |
		sed "s/^\(ok\|not ok\) [0-9]* - /\1 /" >"$T/tap" || true
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) not_ok "${line#not ok }" ;;
		*) echo "$line" ;;
		esac
	done <"$T/tap"
	grep -q '^ok \|^not ok ' "$T/tap" || not_ok "the month of scans ran (seed $seed)"
	# The first scan takes the indexes off for its writes: they are back,
	# as the schema makes them.
	same "the indexes of the obligations and cases are there after the month (seed $seed)" \
		"$(sqlite3 -batch "$T/$seed/inc.db" "SELECT group_concat(name || ': ' || sql, '; ') FROM (SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('obligations', 'cases') AND sql IS NOT NULL ORDER BY name)")" \
		"cases_by_wake: CREATE INDEX cases_by_wake ON cases(wake_at) WHERE wake_at IS NOT NULL; obligations_due: CREATE INDEX obligations_due ON obligations(due_day, state) WHERE state = 'pending'"
done
dump() { sqlite3 -batch "$1" "SELECT * FROM cases ORDER BY case_id; SELECT * FROM obligations ORDER BY case_id, rule, party_id, cycle;
	SELECT case_id, rule, party_id, cycle, stage, recipient, status FROM outbox ORDER BY id"; }
if [ -s "$T/7/inc.db" ] && [ "$(dump "$T/7/inc.db")" = "$(dump "$T/7t/inc.db")" ]; then
	ok "the month on three threads leaves the state it leaves on one"
else
	not_ok "the month on three threads leaves the state it leaves on one"
fi

# The triggers of the outbox's and the messages' running counts, each
# way a row can change, on the schema itself.
sqlite3 -bail -batch "$T/counts.db" <"$top_srcdir/schema/state.sql"
sqlite3 -bail -batch "$T/counts.db" "INSERT INTO cases (case_id, ref, open, digest) VALUES (1, 'C1', 1, 0), (2, 'C2', 1, 0)"
same "the obligations have no triggers: what is counted of them, the scans count" \
	"$(sqlite3 -batch "$T/counts.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name IN ('obligations', 'cases')")" 0
# Only what is still owed is kept: the table refuses a met obligation,
# and takes a pending, an overdue and a paused one.
ob() { echo "INSERT INTO obligations (case_id, rule, party_id, cycle, start, state) VALUES ($1, '$2', 0, 1, '2026-03-16', '$3')"; }
same "a met obligation is not kept" \
	"$(sqlite3 -batch "$T/counts.db" "$(ob 2 m met)" 2>&1 | grep -c 'CHECK constraint failed')" 1
same "... a pending, an overdue and a paused one are" \
	"$(sqlite3 -batch "$T/counts.db" "$(ob 1 a pending); $(ob 1 b overdue); $(ob 1 c paused); SELECT count(*) FROM obligations")" 3

# The triggers that count the notifications waiting (pending, not urgent).
wq() { sqlite3 -bail -batch "$T/counts.db" "$1; SELECT n FROM outbox_counts WHERE name = 'waiting'"; }
nb() { echo "INSERT INTO outbox (id, case_id, rule, party_id, cycle, stage, recipient, urgent, created_at, status) VALUES ($1, 1, 'a', 0, $1, 'due', 'officer', $2, 1, '$3')"; }
same "waiting: two pending inserted, one urgent, one sent" "$(wq "$(nb 1 0 pending); $(nb 2 0 pending); $(nb 3 1 pending); $(nb 4 0 sent)")" 2
same "waiting: one taken into a message" "$(wq "UPDATE outbox SET status = 'sending' WHERE id = 1")" 1
same "waiting: the urgent one made not urgent" "$(wq "UPDATE outbox SET urgent = 0 WHERE id = 3")" 2
same "waiting: one voided, one deleted" "$(wq "UPDATE outbox SET status = 'void' WHERE id = 2; DELETE FROM outbox WHERE id = 3")" 0
same "waiting: a status that stays pending changes nothing" "$(wq "$(nb 5 0 pending); UPDATE outbox SET status = 'pending' WHERE id = 5")" 1

# And those that count the notifications queued (pending, urgent or not)
# and the messages not yet delivered (pending or sending), each way.
pq() { sqlite3 -bail -batch "$T/counts.db" "$1; SELECT group_concat(n, ' ') FROM (SELECT n FROM outbox_counts WHERE name = 'pending' UNION ALL SELECT count(*) FROM outbox WHERE status = 'pending')"; }
same "pending: the count is the table's (one pending)" "$(pq "UPDATE outbox SET id = id WHERE 0")" "1 1"
same "pending: an urgent one queued, one taken into a message" "$(pq "$(nb 6 1 pending); UPDATE outbox SET status = 'sending' WHERE id = 5")" "1 1"
same "pending: one sent back to pending, one deleted" "$(pq "UPDATE outbox SET status = 'pending' WHERE id = 5; DELETE FROM outbox WHERE id = 6")" "1 1"
same "pending: urgent changes nothing" "$(pq "UPDATE outbox SET urgent = 1 - urgent")" "1 1"
same "pending: three queued at once" "$(pq "$(nb 7 0 pending); $(nb 8 1 pending); $(nb 9 0 pending)")" "4 4"
uq() { sqlite3 -bail -batch "$T/counts.db" "$1; SELECT group_concat(n, ' ') FROM (SELECT n FROM outbox_counts WHERE name = 'unsent' UNION ALL SELECT count(*) FROM messages WHERE status IN ('pending', 'sending'))"; }
nm() { echo "INSERT INTO messages (id, kind, channel, destination, ref, subject, created_at, status, next_attempt_at) VALUES ($1, 'notice', 'email', 'o$1@x', '<$1@x>', 's', 1, '$2', 1)"; }
same "unsent: two pending and one dead inserted" "$(uq "$(nm 1 pending); $(nm 2 pending); $(nm 3 dead)")" "2 2"
same "unsent: claimed (sending), then one sent" "$(uq "UPDATE messages SET status = 'sending' WHERE status = 'pending'; UPDATE messages SET status = 'sent' WHERE id = 1")" "1 1"
same "unsent: a dead one retried, a sending one back to pending" "$(uq "UPDATE messages SET status = 'pending' WHERE id = 3; UPDATE messages SET status = 'pending' WHERE id = 2")" "2 2"
same "unsent: one deleted, one given up" "$(uq "DELETE FROM messages WHERE id = 2; UPDATE messages SET status = 'dead' WHERE id = 3")" "0 0"
done_testing

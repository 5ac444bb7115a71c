#!/bin/sh
# What casewatch prints for people: tables as wide as their content, no
# line ending in whitespace anywhere, and colour only on a terminal, never
# with NO_COLOR set. Run on the demo database (examples/demo.sql), with
# text chosen to end in spaces where the data allows it.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 1
"$CASEWATCH" db init cases.db >/dev/null
sqlite3 -bail cases.db <"$top_srcdir/examples/demo.sql"
# A team and an officer whose ids end in a space.
sqlite3 -batch cases.db "UPDATE cases SET team = 'east ', officer = 'ofc ' WHERE ref = 'ASB-2026-0103';"
printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nSUMMARY:Christmas Eve  \r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261223\r\nSUMMARY: \r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >closures.ics
cat >casewatch.conf <<EOF
database = "cases.db";
state = "state.db";
rules = [ "$top_srcdir/rules/leeds-asbu.conf", "$top_srcdir/rules/oadby-wigston.conf" ];
calendar = { holidays = [ "closures.ics" ]; closures = ( { date = "2026-12-29"; title = "Office closed  "; } ); };
EOF
cw() { "$CASEWATCH" -c casewatch.conf "$@"; }

# A first scan, then messages given up whose subject and error end in
# spaces, as a relay's reply may.
cw run --once --at 2026-11-19T12:00:00Z >/dev/null 2>&1
sqlite3 -batch state.db "
CREATE TEMP TABLE copied AS SELECT id FROM messages ORDER BY id LIMIT 2;
INSERT INTO messages (kind, channel, destination, subject, ref, created_at, status, attempts,
	next_attempt_at, finished_at, last_error)
SELECT kind, channel, destination, subject || '  ', ref || '.x', created_at, 'dead', 3, next_attempt_at,
	created_at, '550 no such user ' || char(13) || char(10)
FROM messages WHERE id IN (SELECT id FROM temp.copied) ORDER BY id;
INSERT INTO message_bodies (message_id, body) SELECT n.id, b.body FROM messages n
	JOIN messages o ON o.ref || '.x' = n.ref JOIN message_bodies b ON b.message_id = o.id;" 2>"$T/sql.err"
same "two messages given up" "$(sqlite3 -batch state.db "SELECT count(*) FROM messages WHERE status = 'dead'") $(cat "$T/sql.err")" "2 "

# every_line_clean NAME: no line of $T/out ends in a space or a tab.
every_line_clean() {
	if grep -n '[[:blank:]]$' "$T/out" >"$T/blank"; then
		not_ok "$1: no line ends in whitespace"
		sed 's/^/# /' "$T/blank" | cat -A | head -n 5
	else
		ok "$1: no line ends in whitespace"
	fi
}

# 1. Every output a person reads.
while read -r name args; do
	# shellcheck disable=SC2086
	run "$name" 0 cw $args
	same "$name: something was printed" "$([ -s "$T/out" ] && echo yes)" yes
	every_line_clean "$name"
	cp "$T/out" "$T/$name"
done <<'EOF'
status status --at 2026-11-20
unmet status --unmet --at 2026-11-20
summary status --summary --at 2026-11-20
report report --at 2026-11-20
report-by-quarter report --by quarter --at 2026-11-20 --from 2026-01-01
report-team report --team east --at 2026-11-20
holidays calendar holidays 2026
list-rules check --list-rules
outbox outbox
outbox-dead outbox --dead
run run --once --at 2026-11-20T12:00:00Z --dry-run
help help
help-report help report
help-outbox outbox --help
EOF

same "holidays: titles without their spaces" "$(grep '^2026-12-2[349]' "$T/holidays")" "$(printf '2026-12-23\tHoliday\n2026-12-24\tChristmas Eve\n2026-12-29\tOffice closed')"
same "outbox: the subject without its spaces" "$(sed -n 1p "$T/outbox-dead" | cut -f6)" \
	"$(sqlite3 -batch state.db "SELECT rtrim(subject) FROM messages WHERE status = 'dead' ORDER BY id LIMIT 1")"
same "outbox: the error without its spaces and line end" "$(sed -n 2p "$T/outbox-dead")" "$(printf '\tlast error: 550 no such user')"

# 2. Tables as wide as their content: a column starts where its heading
# starts, one space after the widest cell of the column before it.
# The tables of a report under the same heading share their widths, so
# that they line up: their content is that of them all.
python3 - "$T/status" "$T/summary" "$T/report" "$T/report-by-quarter" "$T/report-team" >"$T/widths" <<'PY'
import re, sys
def tables(lines):
    """Each table: a heading line of upper-case words, then its rows up to
    an empty line; the tables under one heading as one."""
    out, cur = {}, None
    for l in lines:
        if cur is not None and l == '':
            cur = None
        elif cur is not None:
            cur.append(l)
        elif re.match(r'^(CASE|STANDARD|PERIOD) ', l):
            cur = out.setdefault(l, [l])
    return out.values()
bad = 0
for path in sys.argv[1:]:
    lines = open(path, encoding='utf-8').read().split('\n')
    for t in tables(lines):
        head, rows = t[0], t[1:]
        # Gaps: offsets that are a space in every line of the table.
        width = max(len(l) for l in t)
        gaps = [i for i in range(width) if all(i >= len(l) or l[i] == ' ' for l in t)]
        # A column boundary is a gap of exactly one: two spaces in every
        # line would be a column wider than its content.
        wide = [i for i in gaps if i + 1 in gaps and i > 0 and any(i + 1 < len(l) for l in rows)]
        if wide:
            bad += 1
            print('# %s: spaces at offsets %s in every line of the table headed %r' % (path, wide[:5], head[:40]))
print(bad)
PY
same "no column wider than its content" "$(tail -1 "$T/widths")" 0
sed '$d' "$T/widths"
sed '/^$/q' "$T/status" | sed '/^$/d' >"$T/table"
same "status: the widest reference sets the first column" \
	"$(awk 'NR > 1 { if (length($1) > w) w = length($1) } END { print w + 1 }' "$T/table")" \
	"$(head -1 "$T/status" | awk '{ print index($0, "STANDARD") - 1 }')"

# 3. Colour: overdue in red on a terminal, never into a pipe or a file,
# never with NO_COLOR set to anything, never for TERM=dumb. The terminal
# is a real one: a pseudo-terminal (tests/pty-run.py).
ontty() {
	_st=0
	/usr/bin/python3 "$top_srcdir/tests/pty-run.py" 200 - "$T/ontty.raw" "$T/ontty.screen" "$@" || _st=$?
	sed 's/\r$//' "$T/ontty.raw"
	return $_st
}
red=$(printf '\033[31moverdue\033[0m')
esc=$(printf '\033')
# The rows of the table, before the messages given up.
sed '/^$/q' "$T/status" >"$T/table"
n_overdue=$(grep -c -E ' overdue( |$)' "$T/table")
check "the demo has overdue obligations to colour" [ "$n_overdue" -gt 5 ]
for case in "terminal:TERM=xterm:1" "NO_COLOR=1:TERM=xterm NO_COLOR=1:0" "NO_COLOR empty:TERM=xterm NO_COLOR=:1" \
	"TERM=dumb:TERM=dumb:0"; do
	name=${case%%:*} rest=${case#*:}
	envs=${rest%:*} want=${rest##*:}
	# shellcheck disable=SC2086
	(unset NO_COLOR; export $envs; ontty sh -c 'exec "$@" 2>/dev/null' sh "$CASEWATCH" -c casewatch.conf status --at 2026-11-20) >"$T/tty" 2>&1
	n_red=$(grep -c -F "$red" "$T/tty")
	n_esc=$(grep -c "$esc" "$T/tty")
	if [ "$want" = 1 ]; then
		same "$name: each overdue in red, nothing else coloured" "$n_red $n_esc" "$n_overdue $n_overdue"
	else
		same "$name: no colour" "$n_esc" 0
	fi
	# What the terminal shows is the table of the pipe.
	sed "s/$esc\[31m//g; s/$esc\[0m//g" "$T/tty" >"$T/tty.plain"
	if cmp -s "$T/status" "$T/tty.plain"; then ok "$name: the same table"; else not_ok "$name: the same table"; diff "$T/status" "$T/tty.plain" | head -5 | sed 's/^/# /'; fi
done
same "into a pipe: no colour" "$(grep -c "$esc" "$T/status")" 0

done_testing

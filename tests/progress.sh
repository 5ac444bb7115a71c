#!/bin/sh
# Progress on long work (casewatch(1), PROGRESS; casewatchd(8), STATUS):
# nothing for work done within the delay, so quick commands print what they
# always printed; past it, a line at each tenth when standard error is not
# a terminal, and on a terminal a bar redrawn in place and cleared, so that
# the screen ends as it would have without it; and casewatchd's STATUS=
# during its first scan. CASEWATCH_PROGRESS=0 shows it at once, so that
# the demo's 39 cases are long work here.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/daemon-lib.sh"
PTY="$top_srcdir/tests/pty-run.py"
# The harness turns progress off for every other test.
unset CASEWATCH_PROGRESS CASEWATCH_THREADS

db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" <"$top_srcdir/examples/demo.sql"
conf="$T/casewatch.conf"
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
	"$top_srcdir" "$top_srcdir" >"$conf"
AT=2026-11-20
# The problems status --summary prints on standard error, as it always did.
problems="casewatch: case ASB-2026-0117: first-contact: no victim or complainant on the case, so nothing is owed until one is recorded
casewatch: case ASB-2026-0117: victim-update: no victim or complainant on the case, so nothing is owed until one is recorded"

### 1. Quick work shows nothing, whatever the setting but 0.
run "progress off" 0 env CASEWATCH_PROGRESS=off "$CASEWATCH" -c "$conf" status --summary --at $AT
cp "$T/out" "$T/summary.out"
expect_err "progress off: the problems alone" "$problems"
run "progress by default" 0 "$CASEWATCH" -c "$conf" status --summary --at $AT
expect_err "by default: a quick run prints what it always printed" "$problems"
same "by default: the same output" "$(cat "$T/out")" "$(cat "$T/summary.out")"
run "a delay of 60 seconds" 0 env CASEWATCH_PROGRESS=60 "$CASEWATCH" -c "$conf" status --summary --at $AT
expect_err "a delay of 60 seconds: nothing within it" "$problems"
run "a setting that does not read" 0 env CASEWATCH_PROGRESS=soon "$CASEWATCH" -c "$conf" status --summary --at $AT
expect_err "a setting that does not read: the default delay" "$problems"

### 2. Not a terminal: a line at each tenth, as the count reaches it.
run "status --summary, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" status --summary --at $AT
expect_err "status --summary: a line at each tenth, the problems where they come" \
"casewatch: scanning 10% (4 of 39 cases)
casewatch: scanning 20% (8 of 39 cases)
casewatch: scanning 30% (12 of 39 cases)
casewatch: scanning 41% (16 of 39 cases)
$problems
casewatch: scanning 51% (20 of 39 cases)
casewatch: scanning 61% (24 of 39 cases)
casewatch: scanning 71% (28 of 39 cases)
casewatch: scanning 82% (32 of 39 cases)
casewatch: scanning 92% (36 of 39 cases)"
same "status --summary: the output as without progress" "$(cat "$T/out")" "$(cat "$T/summary.out")"
tenths="casewatch: scanning 10% (4 of 39 cases)
casewatch: scanning 20% (8 of 39 cases)
casewatch: scanning 30% (12 of 39 cases)
casewatch: scanning 41% (16 of 39 cases)
casewatch: scanning 51% (20 of 39 cases)
casewatch: scanning 61% (24 of 39 cases)
casewatch: scanning 71% (28 of 39 cases)
casewatch: scanning 82% (32 of 39 cases)
casewatch: scanning 92% (36 of 39 cases)"
run "report, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" report --at $AT
same "report: a line at each tenth" "$(grep -v ': case ' "$T/err")" "$tenths"
run "status listing into a file, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" status --at $AT
same "status listing: a line at each tenth" "$(grep -v ': case ' "$T/err")" "$tenths"
run "status of one case, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" status --at $AT ASB-2026-0101
same "status of one case: no progress" "$(cat "$T/err")" ""
run "the first scan, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" run --once --at $AT
same "run --once: a line at each tenth of the first scan" \
	"$(grep -v '^casewatch: created the state database' "$T/err")" "$tenths"
run "a scan with nothing to do, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$conf" run --once --at $AT
same "a scan of no case: no progress" "$(cat "$T/err")" ""
run "a full scan, once a minute" 0 env CASEWATCH_PROGRESS=60 "$CASEWATCH" -c "$conf" run --once --full --at $AT
same "a full scan within the delay: no progress" "$(cat "$T/err")" ""

# Import: in bytes of the files, which are read a piece at a time (each of
# these whole at once): tables first, so teams (184 bytes), officers (451),
# cases (786), parties (648), actions (1,199), survey (113), jag (110).
EX="$top_srcdir/examples/import/northfield"
same "the northfield exports: 3,491 bytes" "$(cat "$EX"/*.csv | wc -c | tr -d ' ')" 3491
"$CASEWATCH" db init "$T/imp.db" >/dev/null
printf 'database = "imp.db";\nstate = "imp-state.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/imp.conf"
run "import, at once" 0 env CASEWATCH_PROGRESS=0 "$CASEWATCH" -c "$T/imp.conf" import --mapping "$EX/northfield.conf" "$EX"/*.csv
expect_err "import: a line at each tenth of the bytes" \
"casewatch: importing 18% (0.6 of 3.5 kB)
casewatch: importing 40% (1.4 of 3.5 kB)
casewatch: importing 59% (2.1 of 3.5 kB)
casewatch: importing 93% (3.3 of 3.5 kB)"

# On two threads, counted as the cases are handed on in order: a database
# of the demo's cases 61 times over, 2,379 cases, in blocks of about 128.
big="$T/big.db"
cp "$db" "$big"
sqlite3 -bail -batch "$big" <<'EOF'
BEGIN;
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 60)
INSERT INTO cases (id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, received_at)
	SELECT id + n * 100000, ref || '-' || n, stage, category, serious, hate, risk, officer, team, agreed_contact,
		received_at FROM cases, k;
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 60)
INSERT INTO parties (id, case_id, role, label, preferred_channel, identified_at, roles)
	SELECT id + n * 100000, case_id + n * 100000, role, label, preferred_channel, identified_at, roles
	FROM parties, k WHERE case_id < 100000;
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 60)
INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer)
	SELECT case_id + n * 100000, at, kind, party_id + n * 100000, channel, detail, officer
	FROM events, k WHERE case_id < 100000;
COMMIT;
EOF
same "the large database: 2,379 cases" "$(sqlite3 -batch "$big" 'SELECT count(*) FROM cases')" 2379
sed 's/^database = "cases.db";$/database = "big.db";/' "$conf" >"$T/big.conf"
run "two threads, at once" 0 env CASEWATCH_PROGRESS=0 CASEWATCH_THREADS=2 "$CASEWATCH" -c "$T/big.conf" status --summary --at $AT
grep '^casewatch: scanning ' "$T/err" >"$T/lines"
cp "$T/out" "$T/two.out"
# Each tenth once, in order, with the count that reached it: the count is
# within a batch (32 cases) of the tenth, and never falls back.
same "two threads: each tenth told once, in order, of 2,379 cases" \
	"$(awk '{ match($0, /[0-9]+% \(([0-9,]+) of 2,379 cases\)$/); s = substr($0, RSTART); split(s, a, "%"); n = substr(s, index(s, "(") + 1); sub(/ of.*/, "", n); gsub(/,/, "", n);
		t = int(NR * 2379 / 10 + 0.9999); ok = RSTART > 0 && n >= t && n < t + 32 && n + 0 > last && int(a[1] / 10) == NR; last = n + 0;
		print ok ? "ok" : "bad: " $0 }' "$T/lines" | sort | uniq -c | sed 's/^ *//')" "9 ok"
run "one thread" 0 env CASEWATCH_PROGRESS=off CASEWATCH_THREADS=1 "$CASEWATCH" -c "$T/big.conf" status --summary --at $AT
same "two threads: the output of one" "$(cat "$T/two.out")" "$(cat "$T/out")"

### 3. On a terminal: a bar on standard error, cleared at the end.
# pty_run NAME COLUMNS STDOUT VAR=VALUE... -- ARGS: casewatch on a terminal
# COLUMNS wide; $T/NAME.raw is what it wrote there, $T/NAME.screen what the
# terminal shows at the end.
pty_run() {
	_name=$1 _cols=$2 _out=$3
	shift 3
	_env=""
	while [ "$1" != "--" ]; do _env="$_env $1"; shift; done
	shift
	# A run that failed would show no bar too: its exit status is a test.
	_st=0
	# shellcheck disable=SC2086
	env $_env /usr/bin/python3 "$PTY" "$_cols" "$_out" "$T/$_name.raw" "$T/$_name.screen" "$CASEWATCH" -c "$conf" "$@" || _st=$?
	same "terminal ($_name): casewatch $* exits 0" "$_st" 0
}
# frames NAME: each drawing of the bar, one a line.
frames() { tr '\r' '\n' <"$T/$1.raw" | grep '^casewatch: scanning'; }
widest() { frames "$1" | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'; }
# clears NAME: how many times the bar was cleared, and how many of those
# did not cover exactly the drawing before.
clears() {
	tr '\r' '\n' <"$T/$1.raw" | awk '/^ +$/ { n++; if (length($0) != length(prev)) bad++; next } { prev = $0 }
		END { print n + 0, bad + 0 }'
}

pty_run bar 80 "$T/bar.out" CASEWATCH_PROGRESS=0 -- status --summary --at $AT
same "terminal: the bar drawn first as the first case is counted" "$(frames bar | head -n 1)" \
	"casewatch: scanning [                              ]   2% 1 of 39 cases"
same "terminal: every drawing of it a bar" "$(frames bar | grep -cv '^casewatch: scanning \[[# ]\{30\}\] [ 0-9]\{3\}% [0-9]* of 39 cases$')" 0
# At most 30 columns of bar: the widest drawing is 72 columns, of 80.
same "terminal: the widest drawing" "$(widest bar)" 72
same "terminal: the screen at the end shows what it would without the bar" "$(cat "$T/bar.screen")" "$problems"
same "terminal: the output as without progress" "$(cat "$T/bar.out")" "$(cat "$T/summary.out")"
# The bar goes before the problem lines (one case's two, together), and
# after the last drawing, with spaces over exactly its width.
same "terminal: cleared before the problems and at the end, over its width" "$(clears bar)" "2 0"

pty_run narrow 30 "$T/narrow.out" CASEWATCH_PROGRESS=0 -- status --summary --at $AT
same "a narrow terminal: cut to its width less one column" "$(frames narrow | head -n 1)" \
	"casewatch: scanning   2% 1 of"
same "a narrow terminal: no line wider" "$(widest narrow)" 29
same "a narrow terminal: the screen at the end as without the bar" "$(cat "$T/narrow.screen")" "$problems"

pty_run listing 80 - CASEWATCH_PROGRESS=0 -- status --at $AT
same "a listing on the terminal: no bar among its lines" "$(grep -c 'scanning' "$T/listing.raw")" 0
pty_run listfile 80 "$T/listfile.out" CASEWATCH_PROGRESS=0 -- status --at $AT
same "a listing into a file: the bar on the terminal" "$(frames listfile | head -n 1 | cut -c 1-20)" "casewatch: scanning "
pty_run off 80 "$T/off.out" CASEWATCH_PROGRESS=off -- status --summary --at $AT
same "terminal, progress off: no bar" "$(grep -c 'scanning' "$T/off.raw")" 0
pty_run quick 80 "$T/quick.out" -- status --summary --at $AT
same "terminal, by default: a quick run draws no bar" "$(grep -c 'scanning' "$T/quick.raw")" 0
same "terminal, by default: exactly the problems" "$(tr -d '\r' <"$T/quick.raw")" "$problems"

### 4. casewatchd: STATUS= during the first scan, once a second at most,
### and once more with the count it ended on.
cp "$conf" "$T/d.conf"
echo 'scan_interval = 3600;' >>"$T/d.conf"
rm -f "$T/state.db" "$T/state.db-wal" "$T/state.db-shm"
start_daemon slow "$T/d.conf" CASEWATCH_PROGRESS=0 || not_ok "the daemon starts"
wait_for ' READY=1$' "$T/slow.notify" || not_ok "READY=1"
stop_daemon slow TERM
same "casewatchd: the scan's progress, then its figures, then READY=1" \
	"$(grep -E ' (STATUS|READY)=' "$T/slow.notify" | head -n 4 | cut -d ' ' -f 2- | cut -c 1-34)" \
	"STATUS=Scanning: 1 of 39 cases
STATUS=Scanning: 39 of 39 cases
STATUS=Scanned 39 cases (start) in
READY=1"
rm -f "$T/state.db" "$T/state.db-wal" "$T/state.db-shm"
start_daemon quick "$T/d.conf" || not_ok "the daemon starts"
wait_for ' READY=1$' "$T/quick.notify" || not_ok "READY=1"
stop_daemon quick TERM
same "casewatchd, by default: a quick scan says only its figures" \
	"$(grep -m 1 ' STATUS=' "$T/quick.notify" | cut -d ' ' -f 2- | cut -c 1-34)" "STATUS=Scanned 39 cases (start) in"
no_sanitizer slow
no_sanitizer quick

done_testing

#!/bin/sh
# The full evaluation on several threads (scan_evaluate, CASEWATCH_THREADS)
# prints exactly what one thread prints: status in each of its forms and
# report in each format, on standard output and standard error, over a case
# database of 2,000 and more cases whose ids are sparse, clustered and
# negative, with cases on both sides of the first block boundaries.
. "${top_srcdir:-.}/tests/lib.sh"

src="$T/demo.db"
db="$T/cases.db"
"$CASEWATCH" db init "$src" >/dev/null
sqlite3 -batch "$src" <"$top_srcdir/examples/demo.sql"
cp "$src" "$db"

# The demo's 39 cases copied 60 times under new ids (the originals kept):
# clusters far apart, one near each end of the 64-bit range, runs of
# consecutive ids and runs with gaps. Which ids start a block follows from
# the first and last id and the count (scan.c: PAR_BLOCK cases a block on
# average, the width span / (count / PAR_BLOCK + 1) + 1): the cases at
# first + width - 1, first + width and first + 2 * width are there, so a
# block ends on a case and the next begins on one.
/usr/bin/python3 - "$src" "$db" >"$T/boundary" <<'EOF' || not_ok "the test database is built"
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2], isolation_level=None)
cases = src.execute("SELECT id, ref, stage, category, serious, hate, risk, officer, team, agreed_contact, "
                    "received_at FROM cases ORDER BY id").fetchall()
parties = src.execute("SELECT id, case_id, role, label, preferred_channel, identified_at, roles "
                      "FROM parties ORDER BY id").fetchall()
events = src.execute("SELECT case_id, at, kind, party_id, channel, detail, officer FROM events ORDER BY id").fetchall()
copies = 60
n = len(cases) * (copies + 1)
first, last = -(1 << 62), (1 << 62) + 12345
blocks = n // 128 + 1
width = (last - first) // blocks + 1
special = [first + width - 1, first + width, first + 2 * width]
orig = {c[0] for c in cases}
ids = {first, last} | set(special)
k = 0
while len(ids) < n - len(cases):
    # clusters of 40 consecutive ids, then 40 ids 7 apart, spread over
    # the range on both sides of zero
    base = first + (k + 1) * ((last - first) // 57)
    for i in list(range(40)) + [1000 + 7 * i for i in range(40)]:
        if len(ids) < n - len(cases) and base + i not in orig:
            ids.add(base + i)
    k += 1
ids = sorted(ids)
dst.execute("BEGIN")
pid = 10**6
j = 0
for copy in range(copies):
    for c in cases:
        cid = ids[j]
        j += 1
        dst.execute("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, "%s-%02d" % (c[1], copy)) + tuple(c[2:]))
        pmap = {}
        for p in parties:
            if p[1] == c[0]:
                pid += 1
                pmap[p[0]] = pid
                dst.execute("INSERT INTO parties VALUES (?, ?, ?, ?, ?, ?, ?)", (pid, cid) + tuple(p[2:]))
        for e in events:
            if e[0] == c[0]:
                dst.execute("INSERT INTO events (case_id, at, kind, party_id, channel, detail, officer) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)", (cid, e[1], e[2], pmap.get(e[3]), e[4], e[5], e[6]))
dst.execute("COMMIT")
print(" ".join(str(i) for i in special))
EOF

same "the database holds the cases" "$(sqlite3 -batch "$db" "SELECT count(*) FROM cases")" 2379
same "a case on each side of the first boundary, and at the second" \
	"$(sqlite3 -batch "$db" "SELECT count(*) FROM cases WHERE id IN ($(sed 's/ /, /g' "$T/boundary"))")" 3

conf="$T/c.conf"
printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
	"$top_srcdir" "$top_srcdir" >"$conf"

# both NAME ARGS...: the command with one thread and with N, the same
# bytes on stdout and stderr and the same exit status.
both() {
	_name=$1
	shift
	for _t in 1 2 3; do
		_st=0
		CASEWATCH_THREADS=$_t "$CASEWATCH" -c "$conf" "$@" >"$T/out.$_t" 2>"$T/err.$_t" || _st=$?
		echo "$_st" >"$T/st.$_t"
	done
	if grep -q 'Sanitizer\|runtime error:\|ThreadSanitizer' "$T/err.1" "$T/err.2" "$T/err.3"; then
		not_ok "$_name (sanitizer report)"
		sed 's/^/# stderr: /' "$T/err.2" "$T/err.3"
	elif [ ! -s "$T/out.1" ]; then
		not_ok "$_name (nothing printed)"
	elif cmp -s "$T/out.1" "$T/out.2" && cmp -s "$T/err.1" "$T/err.2" && cmp -s "$T/st.1" "$T/st.2" &&
		cmp -s "$T/out.1" "$T/out.3" && cmp -s "$T/err.1" "$T/err.3" && cmp -s "$T/st.1" "$T/st.3"; then
		ok "$_name"
	else
		not_ok "$_name"
		diff "$T/out.1" "$T/out.2" | head -n 20 | sed 's/^/# /'
		diff "$T/err.1" "$T/err.2" | head -n 20 | sed 's/^/# /'
	fi
}

both "status: the same table on 1, 2 and 3 threads" status --at 2026-11-20
lines=$(wc -l <"$T/out.1")
if [ "$lines" -gt 10000 ]; then ok "status lists every copy ($lines lines)"; else not_ok "status lists every copy ($lines lines)"; fi
# The table is in id order, the copies' negative ids first.
tail -n +2 "$T/out.2" | cut -d' ' -f1 | uniq >"$T/listed"
sqlite3 -batch "$db" "SELECT ref FROM cases ORDER BY id" | grep -Fx -f "$T/listed" >"$T/by-id"
if cmp -s "$T/listed" "$T/by-id" && [ "$(head -n 1 "$T/listed")" = "ASB-2026-0102-00" ]; then
	ok "the cases are listed in id order"
else
	not_ok "the cases are listed in id order"
	diff "$T/by-id" "$T/listed" | head -n 10 | sed 's/^/# /'
fi
both "status --unmet" status --unmet --at 2026-11-20
both "status --json" status --json --at 2026-11-20
both "status --summary" status --summary --at 2026-11-20
both "status --summary --json" status --summary --json --at 2026-11-20
both "status of named cases" status --at 2026-11-20 ASB-2026-0139-59 ASB-2026-0101-00 ASB-2026-0120
both "report, text" report --at 2026-11-20
both "report, csv" report --format csv --at 2026-11-20
both "report, json" report --format json --at 2026-11-20
both "report, html" report --format html --at 2026-11-20
both "report of a team" report --format json --team east --at 2026-11-20
both "report of an officer" report --format csv --officer mokafor --at 2026-11-20

# A page of the events index that cannot be read, in the middle of the
# cases: the listing stops at the same case with the same message, and
# what was printed before it is the same.
cp "$db" "$T/bad.db"
page=$(sqlite3 -batch "$T/bad.db" "SELECT pageno FROM dbstat WHERE name = 'events_by_case' AND pagetype = 'leaf'
	ORDER BY pageno LIMIT 1 OFFSET 40")
printf '\377' | dd of="$T/bad.db" bs=1 seek=$(((page - 1) * $(sqlite3 -batch "$T/bad.db" "PRAGMA page_size"))) \
	conv=notrunc status=none
printf 'database = "bad.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$conf"
both "a page that cannot be read: the same output up to it, and the same error" status --at 2026-11-20
same "... which is an error" "$(cat "$T/st.2")" 1
if grep -q 'reading events: database disk image is malformed' "$T/err.2"; then
	ok "... that says so"
else
	not_ok "... that says so"
	sed 's/^/# /' "$T/err.2" | tail -n 3
fi
printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
	"$top_srcdir" "$top_srcdir" >"$conf"

# threads_started NAME WANT ARGS...: how many threads the command starts
# with CASEWATCH_THREADS=2 beyond those it starts with 1 (Linux: a clone
# each; a sanitizer may start one of its own).
clones() {
	_t=$1
	shift
	CASEWATCH_THREADS=$_t strace -f -qq -e trace=clone,clone3 -o "$T/trace" "$CASEWATCH" -c "$conf" "$@" \
		>/dev/null 2>&1
	grep -c 'clone' "$T/trace"
}
threads_started() {
	_name=$1 _want=$2
	shift 2
	if command -v strace >/dev/null 2>&1; then
		same "$_name" "$(($(clones 2 "$@") - $(clones 1 "$@")))" "$_want"
	else
		ok "$_name # SKIP no strace"
	fi
}
threads_started "a second thread is started" 1 status --summary --at 2026-11-20
threads_started "none for one case" 0 status --at 2026-11-20 ASB-2026-0101-00
# Without its covering indexes (dropped by hand) the scan's statements
# sort: the reader then takes each row after its step, not through its SQL
# functions as the plan reaches it (scan.c). The same answer as with them,
# on one thread and on several, for every case and for named ones (read a
# case at a time), with a party and events of a case that is not there
# (between two that are) passed over either way.
CASEWATCH_THREADS=2 "$CASEWATCH" -c "$conf" status --at 2026-11-20 >"$T/clean" 2>"$T/clean.err"
orphan=$(sqlite3 -batch "$db" "SELECT min(id) + 1 FROM cases WHERE id + 1 NOT IN (SELECT id FROM cases)
	AND id > (SELECT min(id) FROM cases)")
sqlite3 -batch "$db" "PRAGMA ignore_check_constraints = ON;
	INSERT INTO parties (id, case_id, role) VALUES (99000001, $orphan, 'victim');
	INSERT INTO events (case_id, at, kind, party_id, channel, detail)
	VALUES ($orphan, '2026-01-05T10:00:00Z', 'contact', 99000001, 'phone', 'update'),
	       ($orphan, '2026-01-06T10:00:00Z', 'bogus', NULL, NULL, NULL)"
same "a party and two events of a case that is not there" \
	"$(sqlite3 -batch "$db" "SELECT (SELECT count(*) FROM parties WHERE case_id = $orphan) ||
		(SELECT count(*) FROM events WHERE case_id = $orphan) || (SELECT count(*) FROM cases WHERE id = $orphan)")" 120
cp "$db" "$T/noindex.db"
sqlite3 -batch "$T/noindex.db" "DROP INDEX events_by_case; DROP INDEX parties_by_case"
plans() {
	for _q in "SELECT case_id, id, at FROM events WHERE case_id BETWEEN 1 AND 2 ORDER BY case_id, at, id" \
		"SELECT case_id, id, role FROM parties WHERE case_id BETWEEN 1 AND 2 ORDER BY case_id, id"; do
		sqlite3 -batch "$1" "EXPLAIN QUERY PLAN $_q"
	done
}
case $(plans "$T/noindex.db") in
*'TEMP B-TREE FOR'*'ORDER BY'*'TEMP B-TREE FOR'*'ORDER BY'*) ok "without the indexes, reading parties and events sorts" ;;
*) not_ok "without the indexes, reading parties and events sorts" && plans "$T/noindex.db" | sed 's/^/# /' ;;
esac
case $(plans "$db") in
*'TEMP B-TREE'*) not_ok "with them, neither sorts" && plans "$db" | sed 's/^/# /' ;;
*) ok "with them, neither sorts" ;;
esac
for form in "" --json --summary "ASB-2026-0139-59 ASB-2026-0101-00 ASB-2026-0120"; do
	# shellcheck disable=SC2086 # the form's words
	CASEWATCH_THREADS=2 "$CASEWATCH" -c "$conf" status $form --at 2026-11-20 >"$T/indexed" 2>"$T/indexed.err"
	printf 'database = "noindex.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
		"$top_srcdir" "$top_srcdir" >"$conf"
	# shellcheck disable=SC2086
	both "a database without its covering indexes: status ${form:-(the table)}" status $form --at 2026-11-20
	if cmp -s "$T/indexed" "$T/out.1" && cmp -s "$T/indexed.err" "$T/err.1"; then
		ok "... the same as with them"
	else
		not_ok "... the same as with them"
		diff "$T/indexed" "$T/out.1" | head -n 10 | sed 's/^/# /'
		diff "$T/indexed.err" "$T/err.1" | head -n 10 | sed 's/^/# /'
	fi
	printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
		"$top_srcdir" "$top_srcdir" >"$conf"
	if [ -z "$form" ]; then
		if cmp -s "$T/clean" "$T/indexed" && cmp -s "$T/clean.err" "$T/indexed.err" &&
			cmp -s "$T/clean" "$T/out.1" && cmp -s "$T/clean.err" "$T/err.1"; then
			ok "... and as without the rows of the case that is not there"
		else
			not_ok "... and as without the rows of the case that is not there"
			diff "$T/clean.err" "$T/indexed.err" | head -n 10 | sed 's/^/# /'
			diff "$T/clean.err" "$T/err.1" | head -n 10 | sed 's/^/# /'
		fi
	fi
done

# A database whose change log is not kept (its triggers dropped) cannot
# tell that two connections see the same moment: one thread, the same
# answer.
cp "$db" "$T/nolog.db"
sqlite3 -batch "$T/nolog.db" "DROP TRIGGER cases_logged_update; DROP TRIGGER events_logged_insert"
printf 'database = "nolog.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$conf"
both "a database whose change log is not kept" status --summary --at 2026-11-20
threads_started "... is evaluated by one thread" 0 status --summary --at 2026-11-20
done_testing

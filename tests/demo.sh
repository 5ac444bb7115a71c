#!/bin/sh
# The README's first command, scripts/demo, runs to its end on the programs
# just built (DEMO_BUILT=1: no install, no build): every step exits 0,
# nothing fails on the way, its scan sends what it says it sends, and it
# writes the HTML reports it names.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
trap 'rm -rf "$T"' EXIT

st=0
DEMO_BUILT=1 BUILD="$top_builddir" sh "$top_srcdir/scripts/demo" >"$T/out" 2>"$T/err" || st=$?
same "scripts/demo exits 0" "$st" 0
if grep -q -E 'Traceback|Sanitizer|runtime error:' "$T/out" "$T/err"; then
	not_ok "nothing failed on the way"
	grep -h -E -A5 'Traceback|Sanitizer|runtime error:' "$T/out" "$T/err" | head -n 20 | sed 's/^/# /'
else
	ok "nothing failed on the way"
fi
same "its scan sends one email a person" "$(grep -c '^sent 7 messages (7 email, 0 webhook); 0 to retry, 0 dead$' "$T/out")" 1
same "it shows a digest with this scan's reminders folded in" \
	"$(grep -c "^An officer's morning digest, this scan's reminders folded in:$" "$T/out") $(grep -c '^    Due today (new): ' "$T/out")" "1 1"
same "and the managers' on-time figures" "$(grep -c '^    On time, of the deadlines ' "$T/out")" 1
same "it shows a report as text" "$(grep -c '^casewatch report at 2026-11-20T12:00:00Z$' "$T/out")" 1
# The HTML reports, where it says they are: a chart for each of Leeds's
# eight standards and Oadby & Wigston's three.
for pack in leeds-asbu:8 oadby-wigston:3; do
	f="$top_srcdir/_build/demo-html/report-${pack%:*}.html"
	same "it writes ${pack%:*}'s HTML report and says where" \
		"$(grep -c -x -F "    $f" "$T/out") $(grep -o '<svg class="cw-chart"' "$f" 2>/dev/null | wc -l)" "1 ${pack#*:}"
done
done_testing

#!/bin/sh
# examples/import: each example set imports into a fresh case database
# with the summary and the one rejected row that examples/import/README and
# scripts/demo show, imports again unchanged, and leaves work due and
# overdue at the demo's moment; each mapping is the man page's example word
# for word. So the examples cannot rot unnoticed.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

EX="$top_srcdir/examples/import"
# The demo's moment (scripts/demo): Friday 20 November 2026, 12:00.
AT=2026-11-20

# The example of casewatch-import(5) under HEADING, as a file: what lies
# between .nf and .fi, with the page's escapes for - and \ undone.
man_example() {
	awk -v h="$1" '$0 == h { f = 1; next }
		f == 1 && $0 == ".nf" { f = 2; next }
		f == 2 && $0 == ".fi" { exit }
		f == 2 { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print }' "$top_srcdir/man/casewatch-import.5"
}
same "northfield.conf is the man page's example, word for word" \
	"$(cat "$EX/northfield/northfield.conf")" "$(man_example ".SS One export per table")"
same "southvale.conf is the man page's example, word for word" \
	"$(cat "$EX/southvale/southvale.conf")" "$(man_example ".SS A wide contacts file")"

# The exports as the systems write them.
same "northfield: every line of every export ends in CRLF" \
	"$(cat "$EX"/northfield/*.csv | grep -c -v "$(printf '\r')\$")" 0
same "southvale: every export starts with a byte-order mark" \
	"$(for f in "$EX"/southvale/*.csv; do head -c 3 "$f" | od -An -tx1 | tr -d ' \n'; echo; done | sort -u)" "efbbbf"

# setup NAME PACK: a fresh case database and a configuration for it.
setup() {
	"$CASEWATCH" db init "$T/$1.db" >/dev/null
	printf 'database = "%s";\nstate = "%s";\nrules = [ "%s" ];\n' \
		"$T/$1.db" "$T/$1-state.db" "$top_srcdir/rules/$2.conf" >"$T/$1.conf"
}
q() { sqlite3 -batch "$T/$1.db" "$2" </dev/null; }
# The import is run from examples/import, as the README and the demo do, so
# that the rejected row is named by the path they show.
import() {
	_set=$1
	shift
	(cd "$EX" && "$CASEWATCH" -c "$T/$_set.conf" import --mapping "$_set/$_set.conf" "$@" "$_set"/*.csv)
}
# obligations NAME JQ-FILTER: how many obligations at the demo's moment
# pass the filter.
obligations() {
	"$CASEWATCH" -c "$T/$1.conf" status --json --at "$AT" >"$T/status.json" 2>"$T/status.err"
	jq "[.obligations[] | select($2)] | length" "$T/status.json"
}

### Northfield: one export per table, Windows-1252, CRLF; every row good.
setup northfield leeds-asbu
run "northfield: a dry run" 0 import northfield --dry-run
expect_out "northfield: a dry run counts every row, writes nothing" \
	"dry run, nothing written: teams: 2 new, 0 changed, 0 unchanged; officers: 5 new, 0 changed, 0 unchanged; cases: 6 new, 0 changed, 0 unchanged; parties: 11 new, 0 changed, 0 unchanged; events: 17 new, 0 changed, 0 unchanged; surveys: 2 new, 0 changed, 0 unchanged; meetings: 3 new, 0 changed, 0 unchanged; 0 rows rejected"
same "northfield: nothing written by the dry run" "$(q northfield "SELECT count(*) FROM cases")" 0
run "northfield: the import" 0 import northfield
expect_out "northfield: the summary" \
	"teams: 2 new, 0 changed, 0 unchanged; officers: 5 new, 0 changed, 0 unchanged; cases: 6 new, 0 changed, 0 unchanged; parties: 11 new, 0 changed, 0 unchanged; events: 17 new, 0 changed, 0 unchanged; surveys: 2 new, 0 changed, 0 unchanged; meetings: 3 new, 0 changed, 0 unchanged; 0 rows rejected"
check "northfield: no row rejected, nothing on stderr" test ! -s "$T/err"
same "northfield: Windows-1252 read as such, names joined, codes translated" \
	"$(q northfield "SELECT t.name || '|' || o.name || '|' || o.active FROM officers o JOIN teams t ON t.id = o.team WHERE o.id IN ('N1001', 'N1005') ORDER BY o.id")" \
	"ASB Team – Town Centre|Officer A|1
ASB Team – Estates|Officer E|0"
same "northfield: the cases as the export has them, in UTC" \
	"$(q northfield "SELECT ref, stage, category, serious, hate, risk, received_at FROM cases ORDER BY ref")" \
	"NF-ASB-0285|closed|nuisance|0|0|standard|2026-10-05T09:30:00Z
NF-ASB-0298|case|personal|0|1|medium|2026-11-02T11:00:00Z
NF-ASB-0301|case|nuisance|0|0|standard|2026-10-26T09:15:00Z
NF-ASB-0307|case|personal|1|0|high|2026-11-18T22:40:00Z
NF-ASB-0309|enquiry|environmental|0|0|standard|2026-11-12T13:00:00Z
NF-ASB-0312|enquiry|nuisance|0|0|standard|2026-11-17T14:00:00Z"
changes=$(q northfield "SELECT count(*) FROM changes")
run "northfield: again" 0 import northfield
expect_out "northfield: again, every row unchanged" \
	"teams: 0 new, 0 changed, 2 unchanged; officers: 0 new, 0 changed, 5 unchanged; cases: 0 new, 0 changed, 6 unchanged; parties: 0 new, 0 changed, 11 unchanged; events: 0 new, 0 changed, 17 unchanged; surveys: 0 new, 0 changed, 2 unchanged; meetings: 0 new, 0 changed, 3 unchanged; 0 rows rejected"
same "northfield: again, nothing in the change log" "$(q northfield "SELECT count(*) FROM changes")" "$changes"
same "northfield: obligations at the demo's moment" "$(obligations northfield 'true' | awk '{ print ($1 > 0) }')" 1
same "northfield: some overdue" "$(obligations northfield '.state == "overdue"' | awk '{ print ($1 > 0) }')" 1
same "northfield: one due that day" "$(obligations northfield '.state == "pending" and .due == "2026-11-20"')" 1
same "northfield: no problem in the data" "$(jq '.problems | length' "$T/status.json")" 0

### Southvale: semicolons, UTF-8 with a byte-order mark, dates and times
### apart, local codes; one contact by fax, which has no translation.
setup southvale oadby-wigston
run "southvale: the import, one row rejected (exit 3)" 3 import southvale
expect_out "southvale: the summary" \
	"cases: 5 new, 0 changed, 0 unchanged; parties: 10 new, 0 changed, 0 unchanged; events: 16 new, 0 changed, 0 unchanged; 1 row rejected"
expect_err "southvale: the rejected row by file, line and column" \
	'rejected: southvale/ASB_Contacts_20261120.csv:13: column "How": "F" has no translation in the mapping'"'"'s values for channel'
same "southvale: roles from the main role and the flag columns" \
	"$(q southvale "SELECT p.label || '|' || p.role || '|' || coalesce(p.roles, '') FROM parties p WHERE p.label IN ('Resident P', 'Resident N', 'Resident S') ORDER BY p.label")" \
	"Resident N|victim|witness
Resident P|victim|complainant
Resident S|witness|complainant"
same "southvale: the man page's contact row, read as it says" \
	"$(q southvale "SELECT e.at || '|' || e.kind || '|' || e.channel || '|' || e.detail || '|' || e.officer || '|' || p.label FROM events e JOIN parties p ON p.id = e.party_id WHERE e.at = '2026-11-03T14:05:00Z'")" \
	"2026-11-03T14:05:00Z|contact|phone|update|jsmith|Resident P"
same "southvale: a contact with How empty has no channel" \
	"$(q southvale "SELECT count(*) FROM events WHERE channel IS NULL")" 1
changes=$(q southvale "SELECT count(*) FROM changes")
run "southvale: again, the same row rejected" 3 import southvale
expect_out "southvale: again, every row unchanged" \
	"cases: 0 new, 0 changed, 5 unchanged; parties: 0 new, 0 changed, 10 unchanged; events: 0 new, 0 changed, 16 unchanged; 1 row rejected"
same "southvale: again, nothing in the change log" "$(q southvale "SELECT count(*) FROM changes")" "$changes"
same "southvale: obligations at the demo's moment" "$(obligations southvale 'true' | awk '{ print ($1 > 0) }')" 1
same "southvale: some overdue" "$(obligations southvale '.state == "overdue"' | awk '{ print ($1 > 0) }')" 1
same "southvale: no problem in the data" "$(jq '.problems | length' "$T/status.json")" 0

done_testing

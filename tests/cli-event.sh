#!/bin/sh
# casewatch event: one event recorded, checked as an imported row is: an
# unknown case, a party of another case, a kind or channel that is not
# one are clear errors and write nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cd "$T" || exit 1
"$CASEWATCH" db init cases.db >/dev/null
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ ];\n' >casewatch.conf
q() { sqlite3 -batch cases.db "$1" </dev/null; }
q "INSERT INTO cases (id, ref, received_at) VALUES (1, 'ASB-1', '2026-11-20T09:00:00Z'), (2, 'ASB-2', '2026-11-20T09:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (10, 1, 'victim'), (20, 2, 'victim');"
ev() { "$CASEWATCH" -c casewatch.conf event "$@"; }
changes0=$(q "SELECT count(*) FROM changes")

run "a contact" 0 ev ASB-1 contact --at 2026-11-20T10:30:00 --party 10 --channel phone --detail acknowledgement --officer o1
expect_out "a contact: told, in local time" "event 1 recorded: ASB-1 contact at 2026-11-20T10:30:00Z"
same "a contact: as written, in UTC" "$(q "SELECT case_id, at, kind, party_id, channel, detail, officer FROM events")" \
	"1|2026-11-20T10:30:00Z|contact|10|phone|acknowledgement|o1"
run "summer time" 0 ev ASB-1 accepted --at 2026-07-01T09:00:00
expect_out "summer time: the local time with its offset" "event 2 recorded: ASB-1 accepted at 2026-07-01T09:00:00+01:00"
same "summer time: stored in UTC" "$(q "SELECT at FROM events WHERE id = 2")" "2026-07-01T08:00:00Z"
same "the change log has the case" "$(q "SELECT count(*) FROM changes")" "$((changes0 + 2))"

n=$(q "SELECT count(*) FROM events")
run "an unknown case" 1 ev ASB-9 contact --channel phone
expect_err "an unknown case: said" "casewatch: no case has the reference 'ASB-9'"
run "a party of another case" 1 ev ASB-1 contact --channel phone --party 20
expect_err "a party of another case: said" "casewatch: party 20 is not a party of case ASB-1"
run "no such party" 1 ev ASB-1 contact --channel phone --party 99
expect_err "no such party: said" "casewatch: there is no party 99"
run "a kind that is not one" 1 ev ASB-1 visit
expect_err "a bad kind: the kinds listed" \
	"casewatch: 'visit' is not an event kind (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)"
run "a channel that is not one" 1 ev ASB-1 contact --channel pigeon
expect_err "a bad channel: the channels listed" "casewatch: 'pigeon' is not a channel (phone, letter, email, visit, sms or meeting)"
run "a contact with no channel" 1 ev ASB-1 contact
run "a risk with no level" 1 ev ASB-1 risk --detail severe
run "an agreed event with no timescale" 1 ev ASB-1 agreed
run "a time that is not one" 1 ev ASB-1 accepted --at yesterday
run "a party that is not a number" 1 ev ASB-1 accepted --party x
same "nothing written by the refused ones" "$(q "SELECT count(*) FROM events")" "$n"
run "a risk" 0 ev ASB-2 risk --detail high --at 2026-11-21T12:00:00Z
run "no operands" 2 ev
run "one operand" 2 ev ASB-1
run "an unknown option" 2 ev ASB-1 contact --loud
printf 'database = "missing.db";\nstate = "state.db";\nrules = [ ];\n' >missing.conf
run "no case database" 1 "$CASEWATCH" -c missing.conf event ASB-1 accepted

done_testing

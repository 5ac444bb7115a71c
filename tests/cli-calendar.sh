#!/bin/sh
# casewatch calendar holidays|add|between and check, through the real binary
# and real configuration and holiday files.
. "${top_srcdir:-.}/tests/lib.sh"

cat >"$T/ew.conf" <<'CONF'
calendar = { division = "england-and-wales"; };
CONF

run "holidays 2026 runs" 0 "$CASEWATCH" -c "$T/ew.conf" calendar holidays 2026
expect_out "holidays 2026 england-and-wales, tab-separated" "$(printf '%s\t%s\n' \
	2026-01-01 "New Year’s Day" 2026-04-03 "Good Friday" 2026-04-06 "Easter Monday" \
	2026-05-04 "Early May bank holiday" 2026-05-25 "Spring bank holiday" \
	2026-08-31 "Summer bank holiday" 2026-12-25 "Christmas Day" \
	2026-12-28 "Boxing Day (substitute day)")"

run "holidays --division scotland" 0 "$CASEWATCH" -c "$T/ew.conf" calendar holidays --division scotland 2024
expect_out "scotland 2024: St Andrew's Day on Saturday moves to Monday 2 December" "$(printf '%s\t%s\n' \
	2024-01-01 "New Year’s Day" 2024-01-02 "2nd January" 2024-03-29 "Good Friday" \
	2024-05-06 "Early May bank holiday" 2024-05-27 "Spring bank holiday" \
	2024-08-05 "Summer bank holiday" 2024-12-02 "St Andrew’s Day (substitute day)" \
	2024-12-25 "Christmas Day" 2024-12-26 "Boxing Day")"

run "option after the operand" 0 "$CASEWATCH" -c "$T/ew.conf" calendar holidays 2026 --division=northern-ireland
if grep -q "^2026-07-13	Battle of the Boyne" "$T/out"; then ok "northern-ireland 2026 Boyne substitute"; else not_ok "northern-ireland 2026 Boyne substitute"; fi

run "add: Saturday + 1" 0 "$CASEWATCH" -c "$T/ew.conf" calendar add 2026-11-21 1
expect_out "Saturday report, 1 working day -> Monday" "2026-11-23"
run "add: Friday before bank holiday" 0 "$CASEWATCH" -c "$T/ew.conf" calendar add 2026-08-28 1
expect_out "Friday before the summer bank holiday + 1 -> Tuesday" "2026-09-01"
run "add: 0 is day 0" 0 "$CASEWATCH" -c "$T/ew.conf" calendar add 2026-11-22 0
expect_out "N = 0 gives the date itself" "2026-11-22"
run "add: negative" 0 "$CASEWATCH" -c "$T/ew.conf" calendar add 2026-04-07 -1
expect_out "one working day before Tuesday after Easter -> Thursday 2 April" "2026-04-02"
run "add: scotland has no Easter Monday" 0 "$CASEWATCH" -c "$T/ew.conf" calendar add --division scotland 2026-04-02 1
expect_out "scotland: Thursday 2 April + 1 -> Monday 6 April" "2026-04-06"

run "between" 0 "$CASEWATCH" -c "$T/ew.conf" calendar between 2026-12-01 2026-12-31
expect_out "between 1 and 31 December 2026" "20"
run "between backwards" 0 "$CASEWATCH" -c "$T/ew.conf" calendar between 2026-11-23 2026-11-20
expect_out "between, TO before FROM, is negative" "-1"

# The weekend, closures and holiday files of the configuration.
cat >"$T/unit.conf" <<'CONF'
# A unit that works Saturdays, closed over Christmas.
calendar = {
	division = "england-and-wales";
	weekend = [ "sunday" ];
	closures = ( "2026-12-24..2026-12-31", { date = "2026-11-27"; title = "Staff training"; } );
	holidays = ( "gov.json", { file = "extra.ics"; division = "england-and-wales"; } );
};
CONF
cat >"$T/gov.json" <<'JSON'
{"england-and-wales":{"division":"england-and-wales","events":[
 {"title":"New Year’s Day","date":"2027-01-01","notes":"","bunting":true},
 {"title":"Invented bank holiday","date":"2027-03-01","notes":"","bunting":false}]},
 "scotland":{"division":"scotland","events":[
 {"title":"New Year’s Day","date":"2027-01-01","notes":"","bunting":true}]}}
JSON
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20280607\r\nDTEND;VALUE=DATE:20280608\r\nSUMMARY:Council\r\n  founding day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$T/extra.ics"

run "check a full calendar configuration" 0 "$CASEWATCH" -c "$T/unit.conf" check
expect_out "check says configuration OK" "configuration OK"
run "saturday is a working day" 0 "$CASEWATCH" -c "$T/unit.conf" calendar add 2026-11-20 1
expect_out "Friday + 1 with a Sunday-only weekend -> Saturday" "2026-11-21"
run "closures and a closure title" 0 "$CASEWATCH" -c "$T/unit.conf" calendar holidays 2026
if grep -q "^2026-11-27	Staff training$" "$T/out" && grep -q "^2026-12-29	Closure$" "$T/out" &&
	grep -q "^2026-12-25	Christmas Day$" "$T/out" && [ "$(grep -c '^2026-12-2[4-9]\|^2026-12-3' "$T/out")" -eq 8 ]; then
	ok "closure range listed day by day, bank holidays keep their titles"
else
	not_ok "closure range listed day by day, bank holidays keep their titles"; sed 's/^/# /' "$T/out"
fi
run "json file year" 0 "$CASEWATCH" -c "$T/unit.conf" calendar holidays 2027
expect_out "2027 comes from the file alone (no computed Easter)" "$(printf '%s\t%s\n' \
	2027-01-01 "New Year’s Day" 2027-03-01 "Invented bank holiday")"
run "computed rules go on after the file" 0 "$CASEWATCH" -c "$T/unit.conf" calendar holidays 2029
if grep -q "^2029-04-02	Easter Monday$" "$T/out"; then ok "2029 computed after the file's last year"; else not_ok "2029 computed after the file's last year"; fi
run "ics year" 0 "$CASEWATCH" -c "$T/unit.conf" calendar holidays 2028
expect_out "a file's year replaces the computed year entirely, closures aside" "$(printf '%s\t%s\n' \
	2028-06-07 "Council founding day")"
run "ics file" 0 "$CASEWATCH" -c "$T/unit.conf" calendar add 2028-06-06 1
expect_out "ics holiday (a folded SUMMARY) is not a working day" "2028-06-08"
run "ics serves only its division" 0 "$CASEWATCH" -c "$T/unit.conf" calendar add --division scotland 2028-06-06 1
expect_out "scotland ignores the england-and-wales ics" "2028-06-07"

done_testing

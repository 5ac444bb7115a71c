#!/bin/sh
# Bad input of every kind: one clear message naming the input and where in
# it, exit status 1 (2 for a command line that does not parse); never a
# crash or a wrong answer.
. "${top_srcdir:-.}/tests/lib.sh"

echo 'calendar = { division = "england-and-wales"; };' >"$T/ok.conf"
cw() { "$CASEWATCH" -c "$T/ok.conf" "$@"; }

run "impossible date" 1 cw calendar add 2026-02-30 1
expect_err "impossible date message" "casewatch: date '2026-02-30' is not a real date"
run "malformed date" 1 cw calendar between 2026-1-5 2026-02-01
expect_err "malformed date message" "casewatch: from '2026-1-5' is not a date of the form YYYY-MM-DD"
run "year out of range" 1 cw calendar holidays 2300
expect_err "year out of range message" "casewatch: year '2300' is out of range (1978 to 2199)"
run "year not a number" 1 cw calendar holidays 20x6
expect_err "year not a number message" "casewatch: year '20x6' is not a whole number"
run "date out of range" 1 cw calendar add 1977-12-30 1
expect_err "date outside the years message" "casewatch: date '1977-12-30' is outside the calendar's years 1978-2199"
run "answer out of range" 1 cw calendar add 2199-12-30 5
expect_err "answer outside the years message" "casewatch: 5 working days from 2199-12-30 is outside the calendar's years 1978-2199"
run "unknown division" 1 cw calendar holidays --division wales 2026
expect_err "unknown division message" "casewatch: unknown division 'wales' (england-and-wales, scotland or northern-ireland)"
run "unknown command" 2 cw frobnicate
run "unknown calendar command" 2 cw calendar sum 2026-01-01 2026-01-02
run "too many operands" 2 cw calendar add 2026-01-01 1 2
run "unknown option" 2 cw calendar add --fast 2026-01-01 1
run "missing explicit configuration" 1 "$CASEWATCH" -c "$T/nonexistent.conf" calendar add 2026-01-01 1
expect_err "missing configuration message" "$T/nonexistent.conf: cannot read: No such file or directory"

# Configuration problems: every one of them, each FILE:LINE: message.
cat >"$T/bad.conf" <<'CONF'
timezone = "Europe/Lundun";
colour = "blue";
calendar = {
	division = "wales";
	weekend = [ "saturday", "funday" ];
	closures = [ "2026-02-30" ];
	holidays = [ "missing.json" ];
	extra = 1;
};
CONF
run "check reports every problem" 1 "$CASEWATCH" -c "$T/bad.conf" check
grep -v "^$T/bad.conf:1: unknown timezone 'Europe/Lundun'" "$T/out" >"$T/rest"
if grep -q "^$T/bad.conf:1: unknown timezone 'Europe/Lundun'" "$T/out"; then ok "bad timezone at line 1"; else not_ok "bad timezone at line 1"; fi
cp "$T/rest" "$T/out"
expect_out "all other problems with file and line, in line order" "$T/bad.conf:2: unknown setting 'colour' in the configuration
$T/bad.conf:4: unknown division 'wales' (england-and-wales, scotland or northern-ireland)
$T/bad.conf:5: unknown day 'funday' in weekend (monday ... sunday)
$T/bad.conf:6: closure '2026-02-30' is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD (no such date)
$T/bad.conf:7: cannot read holiday file $T/missing.json: No such file or directory
$T/bad.conf:8: unknown setting 'extra' in calendar"

printf 'calendar = {\n\tdivision = "scotland";\n\tweekend = ;\n};\n' >"$T/syntax.conf"
run "syntax error" 1 "$CASEWATCH" -c "$T/syntax.conf" check
expect_out "syntax error at its line" "$T/syntax.conf:3: syntax error"

printf 'calendar = { holidays = [ "missing.json" ]; };\n' >"$T/nofile.conf"
run "missing holiday file" 1 "$CASEWATCH" -c "$T/nofile.conf" check
expect_out "missing holiday file named with the line that configures it" \
	"$T/nofile.conf:1: cannot read holiday file $T/missing.json: No such file or directory"

# Holiday files: malformed, truncated, wrong kind.
printf '{"england-and-wales": {"division": "england-and-wales", "events": [\n {"title": "Boxing Day", "date": "2026-12-28"},\n' >"$T/trunc.json"
printf 'calendar = { holidays = [ "trunc.json" ]; };\n' >"$T/trunc.conf"
run "truncated json" 1 "$CASEWATCH" -c "$T/trunc.conf" calendar add 2026-12-24 1
if grep -q "^$T/trunc.json:[23]: " "$T/err" && [ ! -s "$T/out" ]; then ok "truncated json: its line, no answer"; else not_ok "truncated json: its line, no answer"; sed 's/^/# /' "$T/err"; fi

printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261332\nEND:VEVENT\nEND:VCALENDAR\n' >"$T/bad.ics"
printf 'calendar = { holidays = [ "bad.ics" ]; };\n' >"$T/ics.conf"
run "bad ics date" 1 "$CASEWATCH" -c "$T/ics.conf" check
if grep -q "^$T/bad.ics:3: " "$T/out"; then ok "bad ics date at line 3"; else not_ok "bad ics date at line 3"; sed 's/^/# /' "$T/out"; fi

printf 'calendar = { holidays = [ "/dev/zero" ]; };\n' >"$T/dev.conf"
run "a device as a holiday file" 1 "$CASEWATCH" -c "$T/dev.conf" check
expect_out "a device is refused, not read forever" "$T/dev.conf:1: cannot read holiday file /dev/zero: not a regular file"

echo "hello" >"$T/hello.txt"
printf 'calendar = { holidays = [ "hello.txt" ]; };\n' >"$T/txt.conf"
run "not a holiday file" 1 "$CASEWATCH" -c "$T/txt.conf" check
expect_out "not a holiday file message" "$T/txt.conf:1: $T/hello.txt is not a GOV.UK bank-holidays.json or iCalendar (.ics) file"

done_testing

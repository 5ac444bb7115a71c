#!/bin/sh
# casewatch report: each standard's obligations by period, team and
# officer, and the targets' figures, as text, CSV and JSON; its totals
# against status --summary's; its options and errors. The fixture and
# its figures, worked out by hand, are in report-lib.sh.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/report-lib.sh"

######################################################################
# Text
######################################################################
run "text" 0 "$CASEWATCH" -c "$conf" report $range
expect_out "a table per standard and per target" \
'casewatch report at 2026-11-20T12:00:00Z
by month, 2026-10 to 2026-11 (2026-10-01 to 2026-11-30), every team and officer
cases: 8 (6 open), 0 skipped for bad data

ack: Acknowledge "promptly", within 3 working days
PERIOD  TEAM OR OFFICER DUE MET LATE OVERDUE PENDING ON TIME MEDIAN  P90 CANCELLED PAUSED
2026-10 all               4   2    1       1       0   50.0%    2.0  4.4         0      0
        team north        2   1    1       0       0   50.0%    3.0  4.6         0      0
        team south        2   1    0       1       0   50.0%    2.0  2.0         0      0
        officer ann       1   1    0       0       0  100.0%    1.0  1.0         0      0
        officer bob       1   0    1       0       0    0.0%    5.0  5.0         0      0
        officer cat       2   1    0       1       0   50.0%    2.0  2.0         0      0
2026-11 all               2   1    0       0       1  100.0%    2.0  2.0         1      1
        team north        0   0    0       0       0       -      -    -         1      1
        team south        2   1    0       0       1  100.0%    2.0  2.0         0      0
        officer ann       0   0    0       0       0       -      -    -         0      1
        officer bob       0   0    0       0       0       -      -    -         1      0
        officer cat       2   1    0       0       1  100.0%    2.0  2.0         0      0
total   all               6   3    1       1       1   60.0%    2.0  4.1         1      1

sendback: Sendback letter before the case is closed
PERIOD  TEAM OR OFFICER DUE MET LATE OVERDUE PENDING ON TIME MEDIAN  P90 CANCELLED PAUSED
2026-10 all               1   1    0       0       0  100.0%    2.0  2.0         0      0
        team south        1   1    0       0       0  100.0%    2.0  2.0         0      0
        officer cat       1   1    0       0       0  100.0%    2.0  2.0         0      0
2026-11 all               1   0    0       1       0    0.0%      -    -         0      0
        team north        1   0    0       1       0    0.0%      -    -         0      0
        officer bob       1   0    0       1       0    0.0%      -    -         0      0
total   all               2   1    0       1       0   50.0%    2.0  2.0         0      0

update: Updated within 14 days on average
PERIOD  TEAM OR OFFICER DUE MET LATE OVERDUE PENDING ON TIME MEDIAN  P90 CANCELLED PAUSED
2026-10 all               3   1    1       1       0   33.3%   10.0 12.4         0      0
        team north        2   1    1       0       0   50.0%   10.0 12.4         0      0
        team south        1   0    0       1       0    0.0%      -    -         0      0
        officer ann       2   1    1       0       0   50.0%   10.0 12.4         0      0
        officer cat       1   0    0       1       0    0.0%      -    -         0      0
2026-11 all               1   0    0       1       0    0.0%      -    -         0      0
        team north        1   0    0       1       0    0.0%      -    -         0      0
        officer ann       1   0    0       1       0    0.0%      -    -         0      0
total   all               4   1    1       2       0   25.0%   10.0 12.4         0      0

update: Updated within 14 days on average
goal: an average of at most 14 days
PERIOD  RESULT  FIGURE
2026-10 met     average 14.0 days over 2 intervals
2026-11 not met average 30.0 days over 2 intervals, 2 still waiting for an update
total   not met average 22.0 days over 4 intervals, 2 still waiting for an update

jag: A JAG meeting every month
goal: a jag meeting every calendar month
PERIOD  RESULT  FIGURE
2026-10 met     1 of 1 month had a jag meeting
2026-11 -       this month'"'"'s jag meeting not held yet
total   met     1 of 1 month had a jag meeting; this month'"'"'s not yet

satisfaction: 75% satisfied
goal: at least 75% of survey answers satisfied
PERIOD  RESULT  FIGURE
2026-10 not met 66.7% of 3 answers satisfied
2026-11 met     100.0% of 1 answer satisfied
total   met     75.0% of 4 answers satisfied

DUE: deadline in the period, not cancelled or paused (MET + LATE + OVERDUE + PENDING).
MET: met on time. ON TIME: MET of MET + LATE + OVERDUE.
MEDIAN, P90: working days from the start to the meeting, of those met on time or late.'
[ -s "$T/err" ] && not_ok "nothing on stderr" || ok "nothing on stderr"
cp "$T/out" "$T/text"

######################################################################
# CSV: parsed back with Python's csv module, every row exact
######################################################################
run "csv" 0 "$CASEWATCH" -c "$conf" report $range --format csv
cat >"$T/want.py" <<'PY'
H = ["kind", "rule", "title", "period", "period_start", "period_end", "team", "officer",
     "due", "met", "met_late", "overdue", "pending", "cancelled", "paused",
     "on_time_pct", "median_working_days", "p90_working_days", "figure", "count", "goal", "unit", "goal_met"]
ACK = 'Acknowledge "promptly", within 3 working days'
OCT = ["2026-10", "2026-10-01", "2026-10-31"]
NOV = ["2026-11", "2026-11-01", "2026-11-30"]
E = [""] * 5
ROWS = [
    ["standard", "ack", ACK] + OCT + ["north", "ann", "1", "1", "0", "0", "0", "0", "0", "100.0", "1.0", "1.0"] + E,
    ["standard", "ack", ACK] + OCT + ["north", "bob", "1", "0", "1", "0", "0", "0", "0", "0.0", "5.0", "5.0"] + E,
    ["standard", "ack", ACK] + OCT + ["south", "cat", "2", "1", "0", "1", "0", "0", "0", "50.0", "2.0", "2.0"] + E,
    ["standard", "ack", ACK] + NOV + ["north", "ann", "0", "0", "0", "0", "0", "0", "1", "", "", ""] + E,
    ["standard", "ack", ACK] + NOV + ["north", "bob", "0", "0", "0", "0", "0", "1", "0", "", "", ""] + E,
    ["standard", "ack", ACK] + NOV + ["south", "cat", "2", "1", "0", "0", "1", "0", "0", "100.0", "2.0", "2.0"] + E,
    ["standard", "sendback", "Sendback letter before the case is closed"] + OCT +
    ["south", "cat", "1", "1", "0", "0", "0", "0", "0", "100.0", "2.0", "2.0"] + E,
    ["standard", "sendback", "Sendback letter before the case is closed"] + NOV +
    ["north", "bob", "1", "0", "0", "1", "0", "0", "0", "0.0", "", ""] + E,
    ["standard", "update", "Updated within 14 days on average"] + OCT +
    ["north", "ann", "2", "1", "1", "0", "0", "0", "0", "50.0", "10.0", "12.4"] + E,
    ["standard", "update", "Updated within 14 days on average"] + OCT +
    ["south", "cat", "1", "0", "0", "1", "0", "0", "0", "0.0", "", ""] + E,
    ["standard", "update", "Updated within 14 days on average"] + NOV +
    ["north", "ann", "1", "0", "0", "1", "0", "0", "0", "0.0", "", ""] + E,
    ["target", "update", "Updated within 14 days on average"] + OCT + [""] * 12 + ["14.0", "2", "14", "days", "true"],
    ["target", "update", "Updated within 14 days on average"] + NOV + [""] * 12 + ["30.0", "2", "14", "days", "false"],
    ["target", "jag", "A JAG meeting every month"] + OCT + [""] * 12 + ["1", "1", "1", "months", "true"],
    ["target", "jag", "A JAG meeting every month"] + NOV + [""] * 12 + ["0", "0", "0", "months", ""],
    ["target", "satisfaction", "75% satisfied"] + OCT + [""] * 12 + ["66.7", "3", "75", "%", "false"],
    ["target", "satisfaction", "75% satisfied"] + NOV + [""] * 12 + ["100.0", "1", "75", "%", "true"],
]
PY
cat >"$T/check.py" <<'PY'
import csv, io, sys
exec(open(sys.argv[2]).read())
raw = open(sys.argv[1], "rb").read()
bad = []
if not raw.startswith(b"\xef\xbb\xbf"):
    bad.append("no UTF-8 byte order mark")
lines = raw.split(b"\r\n")
if lines[-1] != b"" or any(b"\n" in l or b"\r" in l for l in lines[:-1]):
    bad.append("lines do not all end in CRLF")
if b'"Acknowledge ""promptly"", within 3 working days"' not in raw:
    bad.append("the title is not quoted as RFC 4180 says")
rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
if rows[0] != H:
    bad.append("header %r" % rows[0])
for i, (got, want) in enumerate(zip(rows[1:], ROWS)):
    if got != want:
        bad.append("row %d: got %r, want %r" % (i + 1, got, want))
if len(rows) - 1 != len(ROWS):
    bad.append("%d rows, want %d" % (len(rows) - 1, len(ROWS)))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
check "csv: header, BOM, CRLF, quoting and every row" python3 "$T/check.py" "$T/out" "$T/want.py"

######################################################################
# JSON (jq): compared as values
######################################################################
run "json" 0 "$CASEWATCH" -c "$conf" report $range --format json
# json_is NAME FILTER WANT: the value of FILTER equals the JSON WANT.
json_is() {
	if jq -e --argjson want "$3" "($2) == \$want" "$T/out" >/dev/null 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		jq -c "$2" "$T/out" 2>&1 | sed 's/^/# got:  /'
		printf '# want: %s\n' "$3"
	fi
}
json_is "json: the report's frame" '{at, by, from, to, team, officer, cases, open, skipped, periods,
	standards: [.standards[].rule], targets: [.targets[].rule]}' \
'{"at": "2026-11-20T12:00:00Z", "by": "month", "from": "2026-10-01", "to": "2026-11-30", "team": null,
  "officer": null, "cases": 8, "open": 6, "skipped": 0,
  "periods": [{"period": "2026-10", "from": "2026-10-01", "to": "2026-10-31"},
	      {"period": "2026-11", "from": "2026-11-01", "to": "2026-11-30"}],
  "standards": ["ack", "sendback", "update"], "targets": ["update", "jag", "satisfaction"]}'
json_is "json: a standard's month, with its teams and officers" '.standards[0] | {rule, title, kind, p: .periods[1]}' \
'{"rule": "ack", "title": "Acknowledge \"promptly\", within 3 working days", "kind": "deadline",
  "p": {"period": "2026-11", "due": 2, "met": 1, "met_late": 0, "overdue": 0, "pending": 1, "cancelled": 1,
	"paused": 1, "on_time_pct": 100.0, "median_working_days": 2.0, "p90_working_days": 2.0,
	"teams": [
	  {"team": "north", "due": 0, "met": 0, "met_late": 0, "overdue": 0, "pending": 0, "cancelled": 1,
	   "paused": 1, "on_time_pct": null, "median_working_days": null, "p90_working_days": null},
	  {"team": "south", "due": 2, "met": 1, "met_late": 0, "overdue": 0, "pending": 1, "cancelled": 0,
	   "paused": 0, "on_time_pct": 100.0, "median_working_days": 2.0, "p90_working_days": 2.0}],
	"officers": [
	  {"officer": "ann", "due": 0, "met": 0, "met_late": 0, "overdue": 0, "pending": 0, "cancelled": 0,
	   "paused": 1, "on_time_pct": null, "median_working_days": null, "p90_working_days": null},
	  {"officer": "bob", "due": 0, "met": 0, "met_late": 0, "overdue": 0, "pending": 0, "cancelled": 1,
	   "paused": 0, "on_time_pct": null, "median_working_days": null, "p90_working_days": null},
	  {"officer": "cat", "due": 2, "met": 1, "met_late": 0, "overdue": 0, "pending": 1, "cancelled": 0,
	   "paused": 0, "on_time_pct": 100.0, "median_working_days": 2.0, "p90_working_days": 2.0}]}}'
json_is "json: each standard's total" '[.standards[] | .total]' \
'[{"due": 6, "met": 3, "met_late": 1, "overdue": 1, "pending": 1, "cancelled": 1, "paused": 1,
   "on_time_pct": 60.0, "median_working_days": 2.0, "p90_working_days": 4.1},
  {"due": 2, "met": 1, "met_late": 0, "overdue": 1, "pending": 0, "cancelled": 0, "paused": 0,
   "on_time_pct": 50.0, "median_working_days": 2.0, "p90_working_days": 2.0},
  {"due": 4, "met": 1, "met_late": 1, "overdue": 2, "pending": 0, "cancelled": 0, "paused": 0,
   "on_time_pct": 25.0, "median_working_days": 10.0, "p90_working_days": 12.4}]'
json_is "json: October's on-time figures" '[.standards[] | .periods[0] | [.on_time_pct, .median_working_days, .p90_working_days]]' \
'[[50.0, 2.0, 4.4], [100.0, 2.0, 2.0], [33.3, 10.0, 12.4]]'
json_is "json: targets by month and in all" '.targets' \
'[{"rule": "update", "title": "Updated within 14 days on average", "kind": "target", "measure": "interval",
   "unit": "days",
   "periods": [{"period": "2026-10", "figure": 14.0, "count": 2, "waiting": 0, "goal": 14, "met": true},
	       {"period": "2026-11", "figure": 30.0, "count": 2, "waiting": 2, "goal": 14, "met": false}],
   "total": {"figure": 22.0, "count": 4, "waiting": 2, "goal": 14, "met": false}},
  {"rule": "jag", "title": "A JAG meeting every month", "kind": "unit", "measure": "meetings", "unit": "months",
   "periods": [{"period": "2026-10", "figure": 1, "count": 1, "current_month": null, "goal": 1, "met": true},
	       {"period": "2026-11", "figure": 0, "count": 0, "current_month": "pending", "goal": 0, "met": null}],
   "total": {"figure": 1, "count": 1, "current_month": "pending", "goal": 1, "met": true}},
  {"rule": "satisfaction", "title": "75% satisfied", "kind": "target", "measure": "satisfaction", "unit": "%",
   "periods": [{"period": "2026-10", "figure": 66.7, "count": 3, "goal": 75, "met": false},
	       {"period": "2026-11", "figure": 100.0, "count": 1, "goal": 75, "met": true}],
   "total": {"figure": 75.0, "count": 4, "goal": 75, "met": true}}]'

######################################################################
# The totals are status --summary's, at the same moment, when the
# periods hold every obligation
######################################################################
# same_totals NAME CONF AT: every standard's count in each state, and
# each target's figure, from report and status --summary at AT.
same_totals() {
	_ok=1
	"$CASEWATCH" -c "$2" report --at "$3" --from 2025-01-01 --to 2027-12-31 --format json >"$T/r.json" 2>/dev/null || _ok=0
	"$CASEWATCH" -c "$2" status --summary --json --at "$3" >"$T/s.json" 2>/dev/null || _ok=0
	jq -c '[.standards[] | [.rule, .total.met, .total.met_late, .total.overdue, .total.pending,
		.total.cancelled, .total.paused]]' "$T/r.json" >"$T/r.txt" 2>&1 || _ok=0
	jq -c '[.rules[] | [.rule, .met, .met_late, .overdue, .pending, .cancelled, .paused]]' \
		"$T/s.json" >"$T/s.txt" 2>&1 || _ok=0
	if [ "$_ok" = 1 ] && [ "$(jq 'length' "$T/s.txt")" -gt 0 ] && cmp -s "$T/r.txt" "$T/s.txt"; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/# report: /' "$T/r.txt"
		sed 's/^/# status: /' "$T/s.txt"
	fi
}
same_totals "totals equal status --summary's (the fixture)" "$conf" 2026-11-20
# status --summary's window for a target is the 12 months to the moment,
# which holds every interval here: the same four.
cp "$T/r.json" "$T/out"
json_is "the interval target over the periods" '.targets[0].total' \
'{"figure": 22.0, "count": 4, "waiting": 2, "goal": 14, "met": false}'
cp "$T/s.json" "$T/out"
json_is "... is status --summary's figure" '.figures[0] | {rule, figure, count, waiting, met}' \
'{"rule": "update", "figure": 22.0, "count": 4, "waiting": 2, "met": false}'

# The demo data, with both councils' packs: recurring contacts, checks,
# gates and holds of every kind, 39 cases.
"$CASEWATCH" db init "$T/demo.db" >/dev/null
sqlite3 -bail -batch "$T/demo.db" <"$top_srcdir/examples/demo.sql"
printf 'database = "demo.db";\nrules = [ "%s/rules/leeds-asbu.conf", "%s/rules/oadby-wigston.conf" ];\n' \
	"$top_srcdir" "$top_srcdir" >"$T/demo.conf"
same_totals "totals equal status --summary's (the demo data, both packs)" "$T/demo.conf" 2026-11-20

######################################################################
# Filters
######################################################################
# north: C1 C2 C5 C7, open C1 C2 C5; ack due 2 (C1 met, C2 late; C5
# paused, C7 cancelled). update: C1 alone, 11 17 22 days: 50 / 3 = 16.7.
# The meeting of no team is everyone's. Surveys of north's cases: C1
# yes, C2 no: 50.0%.
run "--team" 0 "$CASEWATCH" -c "$conf" report $range --team north --format json
json_is "--team: its cases, its teams' rows, its surveys" \
'{team, officer, cases, open, teams: [.standards[].periods[].teams[].team] | unique,
  ack: .standards[0].total.due, fig: [.targets[] | .total.figure]}' \
'{"team": "north", "officer": null, "cases": 4, "open": 3, "teams": ["north"], "ack": 2, "fig": [16.7, 1, 50.0]}'
# cat: C3 C4 C6 C8. ack: C3 overdue, C8 met, C4 met, C6 pending.
run "--officer" 0 "$CASEWATCH" -c "$conf" report $range --officer cat --format json
json_is "--officer: the officer's cases" \
'{officer, cases, ack: .standards[0].total | [.due, .met, .overdue, .pending, .on_time_pct]}' \
'{"officer": "cat", "cases": 4, "ack": [4, 2, 1, 1, 66.7]}'
run "--team and --officer that never meet" 0 "$CASEWATCH" -c "$conf" report $range --team north --officer cat --format json
json_is "no case is both" '{cases, due: [.standards[].total.due]}' '{"cases": 0, "due": [0, 0, 0]}'
run "an officer with no case" 0 "$CASEWATCH" -c "$conf" report $range --officer dan
sed -n 1,3p "$T/out" >"$T/head"
same "the text says whose report it is" "$(cat "$T/head")" "casewatch report at 2026-11-20T12:00:00Z
by month, 2026-10 to 2026-11 (2026-10-01 to 2026-11-30), officer dan
cases: 0 (0 open), 0 skipped for bad data"

######################################################################
# Periods
######################################################################
# By default the 12 months up to the one containing the moment.
run "default periods" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --format json
json_is "December 2025 to November 2026" '{from, to, n: (.periods | length), first: .periods[0].period,
	last: .periods[-1].period, ack: .standards[0].total.due}' \
'{"from": "2025-12-01", "to": "2026-11-30", "n": 12, "first": "2025-12", "last": "2026-11", "ack": 6}'
# The quarter of 1 October is October to December: everything at once.
run "--by quarter" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --by quarter --from 2026-10-01 --to 2026-10-01 --format json
json_is "one quarter holds both months" '{periods, ack: .standards[0].periods[0] | [.due, .on_time_pct]}' \
'{"periods": [{"period": "2026-Q4", "from": "2026-10-01", "to": "2026-12-31"}], "ack": [6, 60.0]}'
# Only --to: 12 years ending with 2026's.
run "--by year" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --by year --to 2026-06-30 --format json
json_is "twelve years up to 2026" '{from, to, n: (.periods | length), last: .periods[-1]}' \
'{"from": "2015-01-01", "to": "2026-12-31", "n": 12, "last": {"period": "2026", "from": "2026-01-01", "to": "2026-12-31"}}'
# Only --from: up to the moment's month. September had nothing.
run "--from alone" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --from 2026-09-15 --format json
json_is "September to November" '[.periods[].period] + [.standards[0].periods[0].due]' '["2026-09", "2026-10", "2026-11", 0]'

######################################################################
# -o FILE
######################################################################
mkdir "$T/outdir"
echo "last month's" >"$T/outdir/report.txt"
run "-o" 0 "$CASEWATCH" -c "$conf" report $range -o "$T/outdir/report.txt"
[ -s "$T/out" ] && not_ok "-o: nothing on stdout" || ok "-o: nothing on stdout"
check "-o: the file holds what stdout would, replacing what was there" cmp -s "$T/outdir/report.txt" "$T/text"
same "-o: no temporary file left beside it" "$(ls -A "$T/outdir")" "report.txt"
run "-o in a folder that does not exist" 1 "$CASEWATCH" -c "$conf" report $range --format csv -o "$T/nowhere/r.csv"
expect_err "-o: says why" "casewatch: cannot write $T/nowhere/r.csv: No such file or directory"
# What is not a regular file is written to, never replaced: /dev/null, a
# pipe (as root, a temporary file in /dev renamed over /dev/null would
# take the device's place).
run "-o /dev/null" 0 "$CASEWATCH" -c "$conf" report $range -o /dev/null
check "-o /dev/null: still the device" test -c /dev/null
mkfifo "$T/pipe"
cat "$T/pipe" >"$T/from-pipe" &
reader=$!
run "-o a named pipe" 0 "$CASEWATCH" -c "$conf" report $range -o "$T/pipe"
wait "$reader"
check "-o a named pipe: the report through it" cmp -s "$T/from-pipe" "$T/text"
check "-o a named pipe: still a pipe" test -p "$T/pipe"
# A link stays a link: what it points to is replaced whole.
mkdir "$T/linked"
echo old >"$T/linked/target.txt"
ln -s "$T/linked/target.txt" "$T/link.txt"
run "-o a link to a file" 0 "$CASEWATCH" -c "$conf" report $range -o "$T/link.txt"
check "-o a link: still a link" test -L "$T/link.txt"
check "-o a link: what it points to holds the report" cmp -s "$T/linked/target.txt" "$T/text"
same "-o a link: no temporary file left beside the target" "$(ls -A "$T/linked")" "target.txt"

######################################################################
# Errors: a clear line, exit 2, nothing on stdout
######################################################################
# usage_fails NAME WANT_LINE ARGS...: exit 2, that first line on stderr,
# nothing on stdout.
usage_fails() {
	_name=$1 _line=$2
	shift 2
	run "$_name" 2 "$CASEWATCH" -c "$conf" report "$@"
	same "$_name: says what is wrong" "$(head -n 1 "$T/err")" "$_line"
	[ -s "$T/out" ] && not_ok "$_name: nothing on stdout" || ok "$_name: nothing on stdout"
}
usage_fails "a date that does not exist" "casewatch: --from '2026-02-30' is not a date: give YYYY-MM-DD" --from 2026-02-30
usage_fails "a date outside the calendar" "casewatch: --to '1900-01-01' is outside the calendar's years 1978-2199" --to 1900-01-01
usage_fails "--from after --to" "casewatch: --from 2026-11-01 is after --to 2026-10-31" --from 2026-11-01 --to 2026-10-31
usage_fails "--from after the default end" \
	"casewatch: --from 2027-01-01 is after the month the report ends with by default (it ends 2026-11-30): give --to" \
	--at 2026-11-20 --from 2027-01-01
usage_fails "--by week" "casewatch: --by 'week' is not month, quarter or year" --by week
usage_fails "--format xml" "casewatch: --format 'xml' is not text, csv, json or html" --format xml
usage_fails "an unknown team" "casewatch: unknown team 'east': no row of teams and no case in $T/cases.db names it" --team east
usage_fails "an unknown officer" "casewatch: unknown officer 'eve': no row of officers and no case in $T/cases.db names it" --officer eve
usage_fails "a bad --at" "casewatch: --at 'soon' is not a time: give RFC 3339 (2026-11-20T09:30:00Z) or a date YYYY-MM-DD within 1978-2199" --at soon
usage_fails "an operand" "casewatch: report takes no operands, got 'C1'" C1
usage_fails "an unknown option" "casewatch: unknown option '--everything' for report" --everything

# CSV injection: a team or officer id a spreadsheet would take for a
# formula is written as text, a ' before it (OWASP's advice); an ordinary
# value and the numbers are not touched.
mkdir "$T/inj"
cp "$db" "$T/inj/cases.db"
cp "$T/pack.conf" "$T/inj/"
printf 'database = "cases.db";\nrules = [ "pack.conf" ];\n' >"$T/inj/c.conf"
sqlite3 -bail "$T/inj/cases.db" "UPDATE cases SET team = '=2+5', officer = '@SUM(A1)' WHERE officer = 'cat';
	UPDATE cases SET officer = '-ann' WHERE officer = 'ann'"
run "csv: cells that look like formulas" 0 "$CASEWATCH" -c "$T/inj/c.conf" report $range --format csv
same "csv: team and officer ids that start a formula are written as text" \
	"$(python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
cells = sorted({(r[6], r[7]) for r in rows[1:] if r[0] == "standard"})
print(" ".join("%s|%s" % c for c in cells))' "$T/out")" "'=2+5|'@SUM(A1) north|'-ann north|bob"

done_testing

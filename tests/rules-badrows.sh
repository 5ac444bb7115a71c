#!/bin/sh
# Rows casewatch cannot read correctly (casewatch-rules(5), BAD ROWS): the
# case is reported on stderr with its reference, listed in the JSON's
# "problems", and skipped whole (not one obligation of it, since a deadline
# computed from half a case could be wrong); every other case in the same
# database is evaluated as usual, and status exits 0.
#
# Rows that the schema's constraints would refuse are inserted with
# `PRAGMA ignore_check_constraints = 1`, as a careless integration could.
. "${top_srcdir:-.}/tests/lib.sh"

. "$top_srcdir/tests/cases-lib.sh"
cases_setup leeds-asbu

# The good cases, worked by hand (Leeds pack):
# OK-1: enquiry received Monday 2 March 2026 10:00 GMT; acknowledge-enquiry
#   due Thursday 5 March (Tue 3, Wed 4, Thu 5); letter of acknowledgement
#   to complainant 11 on Wed 4: met. Not serious: nothing else applies.
# OK-2: serious enquiry received Mon 2 March 09:00; serious-incident-call
#   due Tue 3 March; a phone call of acknowledgement to complainant 71 on
#   Tue 3 09:00 meets both it and acknowledge-enquiry (due Thu 5).
# OK-2 comes after the bad cases (by id), so evaluation goes on past them.
#
# The bad ones:
# BAD-PARTY: an event whose party (11) belongs to OK-1.
# BAD-RISK-COLUMN: cases.risk 'severe'.
# BAD-RISK-EVENT: a risk event whose level is 'critical'.
# BAD-TIME: an event at 2026-03-03T25:00:00Z (hour 25), beside a good one.
# BAD-DATE: received_at 2026-02-30T10:00:00Z (no such day).
# BAD-KIND: an event of kind 'phoned'.
# Each would otherwise have obligations (an acknowledge-enquiry at least).
#
# Not a bad row but a problem: WARN-NO-ACCEPT has stage column 'case' and no
# accepted event. It is reported in problems, yet not skipped: its
# acknowledge-enquiry (received Mon 2 March, due Thu 5, no contact) is
# overdue on 10 March; nothing counted from acceptance starts, and it has
# only a complainant, so that is all it has.
if ! sqlite3 -bail -batch "$db" >"$T/sqlout" 2>&1 <<'SQL'
PRAGMA ignore_check_constraints = 1;
INSERT INTO cases (id, ref, stage, serious, risk, received_at) VALUES
	(1, 'OK-1', 'enquiry', 0, 'standard', '2026-03-02T10:00:00Z'),
	(2, 'BAD-PARTY', 'enquiry', 0, 'standard', '2026-03-02T10:00:00Z'),
	(3, 'BAD-RISK-COLUMN', 'enquiry', 0, 'severe', '2026-03-02T10:00:00Z'),
	(4, 'BAD-RISK-EVENT', 'enquiry', 0, 'standard', '2026-03-02T10:00:00Z'),
	(5, 'BAD-TIME', 'enquiry', 0, 'standard', '2026-03-02T10:00:00Z'),
	(6, 'BAD-DATE', 'enquiry', 0, 'standard', '2026-02-30T10:00:00Z'),
	(7, 'BAD-KIND', 'enquiry', 0, 'standard', '2026-03-02T10:00:00Z'),
	(8, 'OK-2', 'enquiry', 1, 'standard', '2026-03-02T09:00:00Z'),
	(9, 'WARN-NO-ACCEPT', 'case', 0, 'standard', '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES
	(11, 1, 'complainant'), (21, 2, 'complainant'), (31, 3, 'complainant'),
	(41, 4, 'complainant'), (51, 5, 'complainant'), (61, 6, 'complainant'),
	(71, 8, 'complainant'), (72, 7, 'complainant'), (91, 9, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(1, '2026-03-04T10:00:00Z', 'contact', 11, 'letter', 'acknowledgement'),
	(2, '2026-03-03T10:00:00Z', 'contact', 11, 'letter', 'acknowledgement'),
	(4, '2026-03-03T10:00:00Z', 'risk', NULL, NULL, 'critical'),
	(5, '2026-03-03T09:00:00Z', 'contact', 51, 'letter', 'acknowledgement'),
	(5, '2026-03-03T25:00:00Z', 'contact', 51, 'phone', 'update'),
	(6, '2026-03-03T10:00:00Z', 'contact', 61, 'letter', 'acknowledgement'),
	(7, '2026-03-03T10:00:00Z', 'phoned', 72, 'phone', 'acknowledgement'),
	(8, '2026-03-03T09:00:00Z', 'contact', 71, 'phone', 'acknowledgement');
SQL
then
	echo "Bail out! inserting the rows: $(cat "$T/sqlout")"
	exit 1
fi

bad="BAD-PARTY BAD-RISK-COLUMN BAD-RISK-EVENT BAD-TIME BAD-DATE BAD-KIND"
line='.obligations[] | [.case, .rule, (.party // "-"), .cycle, .start, (.due // "-"), .state, (.met_at // "-")] | map(tostring) | join(" ")'

# jqtest NAME FILTER EXPECTED: one test on $T/json.
jqtest() {
	if jq -r "$2" "$T/json" >"$T/out" 2>"$T/jqerr"; then
		printf '%s\n' "$3" >"$T/want"
		if cmp -s "$T/want" "$T/out"; then ok "$1"; else not_ok "$1"; diff "$T/want" "$T/out" | sed 's/^/# /'; fi
	else
		not_ok "$1"
		sed 's/^/# jq: /' "$T/jqerr"
		sed 's/^/# stdout: /' "$T/json"
	fi
}

# All cases at noon on Tuesday 10 March.
_st=0
"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 >"$T/json" 2>"$T/err" || _st=$?
if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
	not_ok "status over a database with bad rows (sanitizer report)"
	sed 's/^/# stderr: /' "$T/err"
elif [ "$_st" -eq 0 ]; then
	ok "status over a database with bad rows exits 0"
else
	not_ok "status over a database with bad rows exits 0 (exit $_st)"
	sed 's/^/# stderr: /' "$T/err"
fi
cp "$T/err" "$T/all-err"

jqtest "the good cases beside the bad ones are evaluated as usual" \
	"$line | select(startswith(\"OK-\"))" \
"OK-1 acknowledge-enquiry - 1 2026-03-02 2026-03-05 met 2026-03-04T10:00:00Z
OK-2 serious-incident-call - 1 2026-03-02 2026-03-03 met 2026-03-03T09:00:00Z
OK-2 acknowledge-enquiry - 1 2026-03-02 2026-03-05 met 2026-03-03T09:00:00Z"
jqtest "no obligation at all of a case with a bad row" \
	'[.obligations[] | select(.case | startswith("BAD-"))] | length' "0"
jqtest "problems lists every case with a bad row, and no good case" \
	'[.problems[].case | select(startswith("BAD-") or startswith("OK-"))] | unique | join(" ")' \
	"BAD-DATE BAD-KIND BAD-PARTY BAD-RISK-COLUMN BAD-RISK-EVENT BAD-TIME"
jqtest "problems have a message each" \
	'[.problems[] | select((.message | type) != "string" or (.message | length) == 0)] | length' "0"
jqtest "problems of the bad cases say they were skipped" \
	'[.problems[] | select((.case | startswith("BAD-")) and .skipped != true)] | length' "0"

for ref in $bad; do
	if grep -qF -- "$ref" "$T/all-err"; then
		ok "$ref: reported on stderr with its reference"
	else
		not_ok "$ref: reported on stderr with its reference"
		sed 's/^/# stderr: /' "$T/all-err"
	fi
done

# Each bad case asked for by reference: exit 0, no obligations, itself in
# problems.
# badcase REF DESCRIPTION
badcase() {
	_st=0
	"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 "$1" >"$T/json" 2>"$T/err" || _st=$?
	if [ "$_st" -eq 0 ] && ! grep -q 'Sanitizer\|runtime error:' "$T/err" &&
		[ "$(jq -r '.obligations | length' "$T/json" 2>/dev/null)" = 0 ] &&
		[ "$(jq -r '[.problems[].case] | unique | join(" ")' "$T/json" 2>/dev/null)" = "$1" ] &&
		grep -qF -- "$1" "$T/err"; then
		ok "$2: $1 skipped whole, in problems and on stderr"
	else
		not_ok "$2: $1 skipped whole, in problems and on stderr (exit $_st)"
		sed 's/^/# stdout: /' "$T/json"
		sed 's/^/# stderr: /' "$T/err"
	fi
}
badcase BAD-PARTY "an event whose party belongs to another case"
badcase BAD-RISK-COLUMN "an unknown risk level in the case's risk column"
badcase BAD-RISK-EVENT "a risk event with an unknown level"
badcase BAD-TIME "a malformed event timestamp (hour 25)"
badcase BAD-DATE "a received_at that is no real date (30 February)"
badcase BAD-KIND "an unknown event kind"

# A case whose column says 'case' with no accepted event: a problem, but not
# a bad row.
_st=0
"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 WARN-NO-ACCEPT >"$T/json" 2>"$T/err" || _st=$?
[ "$_st" -eq 0 ] || { not_ok "status WARN-NO-ACCEPT exits 0 (exit $_st)"; sed 's/^/# stderr: /' "$T/err"; }
jqtest "stage column 'case' with no accepted event: reported in problems, not skipped" \
	'[.problems[] | "\(.case) \(.skipped)"] | unique | join(" ")' "WARN-NO-ACCEPT false"
jqtest "stage column 'case' with no accepted event: still evaluated, nothing counted from acceptance" \
	"$line" "WARN-NO-ACCEPT acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -"

# The summary counts the skipped cases apart: 6 skipped, and none of their
# obligations counted: acknowledge-enquiry met twice (OK-1, OK-2) and
# overdue once (WARN-NO-ACCEPT); serious-incident-call met once (OK-2).
_st=0
"$CASEWATCH" -c "$conf" status --summary --json --at 2026-03-10 >"$T/json" 2>"$T/err" || _st=$?
[ "$_st" -eq 0 ] || { not_ok "status --summary with bad rows exits 0 (exit $_st)"; sed 's/^/# stderr: /' "$T/err"; }
jqtest "summary: the 6 cases with bad rows skipped" '.skipped' "6"
jqtest "summary: the skipped cases' obligations are not counted" \
	'[.rules[] | select(.rule == "acknowledge-enquiry" or .rule == "serious-incident-call")
	  | "\(.rule) \(.pending) \(.met) \(.met_late) \(.overdue) \(.cancelled) \(.paused)"] | join(", ")' \
	"serious-incident-call 0 1 0 0 0 0, acknowledge-enquiry 0 2 0 1 0 0"

# More bad rows, each in a case of its own (Tuesday 10 March, as above):
# BAD-RISK-NOLEVEL: a risk event with no level at all, which the schema
#   lets through (a CHECK on NULL passes): named as what is missing, never
#   as '(null)'.
# BAD-ROLES: a party whose roles hold a word that is no role.
if sqlite3 -bail -batch "$db" >"$T/sqlout" 2>&1 <<'SQL'
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(20, 'BAD-RISK-NOLEVEL', 'enquiry', '2026-03-02T10:00:00Z'),
	(21, 'BAD-ROLES', 'enquiry', '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (201, 20, 'complainant');
INSERT INTO events (id, case_id, at, kind, detail) VALUES (2001, 20, '2026-03-03T10:00:00Z', 'risk', NULL);
PRAGMA ignore_check_constraints = 1;
INSERT INTO parties (id, case_id, role, roles) VALUES (211, 21, 'complainant', 'victim; neighbour');
SQL
then :; else
	echo "Bail out! inserting the rows: $(cat "$T/sqlout")"
	exit 1
fi
badmsg() {
	_st=0
	"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 "$1" >"$T/json" 2>"$T/err" || _st=$?
	jqtest "$2" '.problems[] | "\(.message) (skipped: \(.skipped))"' "$3"
	[ "$(jq -r '.obligations | length' "$T/json" 2>/dev/null)" = 0 ] && [ "$_st" -eq 0 ] &&
		ok "$1: no obligation, exit 0" || not_ok "$1: no obligation, exit 0 (exit $_st)"
}
badmsg BAD-RISK-NOLEVEL "a risk event with no level says so" \
	"event 2001: a risk event with no level (its detail must be standard, medium or high) (skipped: true)"
badmsg BAD-ROLES "a word in roles that is no role" \
	"party 211: unknown role 'neighbour' in roles (victim, complainant, witness, perpetrator or referrer) (skipped: true)"

# Bad survey and meeting rows are named by id on standard error, the first
# 10 of each table, then how many more; the figures count the others.
# 12 bad survey rows (ids 101-112), one good satisfied answer; a jag
# meeting dated the UK way (id 7) and one on a date that is none (id 8).
printf 'database = "cases.db";\nrules = [ "%s/rules/oadby-wigston.conf" ];\n' "$src" >"$T/oadby.conf"
if sqlite3 -bail -batch "$db" >"$T/sqlout" 2>&1 <<'SQL'
PRAGMA ignore_check_constraints = 1;
INSERT INTO surveys (id, case_id, at, satisfied) VALUES
	(101, 1, 'yesterday', 1), (102, 1, '2026-03-05T10:00:00Z', 2), (103, 1, '2026-02-30T10:00:00Z', 1),
	(104, 1, 'x', 1), (105, 1, 'x', 1), (106, 1, 'x', 1), (107, 1, 'x', 1), (108, 1, 'x', 1),
	(109, 1, 'x', 1), (110, 1, 'x', 1), (111, 1, 'x', 1), (112, 1, 'x', 1), (113, 1, '2026-03-05T10:00:00Z', 1);
INSERT INTO meetings (id, kind, held_on) VALUES (7, 'jag', '10/02/2026'), (8, 'jag', '2026-02-30'), (9, 'jag', '2026-02-10');
SQL
then :; else
	echo "Bail out! inserting the survey rows: $(cat "$T/sqlout")"
	exit 1
fi
_st=0
"$CASEWATCH" -c "$T/oadby.conf" status --summary --json --at 2026-03-10 >"$T/json" 2>"$T/err" || _st=$?
[ "$_st" -eq 0 ] && ok "summary with bad survey and meeting rows exits 0" ||
	{ not_ok "summary with bad survey and meeting rows exits 0 (exit $_st)"; sed 's/^/# /' "$T/err"; }
grep 'surveys row\|meetings row' "$T/err" >"$T/out"
printf '%s\n' \
	"casewatch: meetings row 7: held_on '10/02/2026' is not a date YYYY-MM-DD (skipped)" \
	"casewatch: meetings row 8: held_on '2026-02-30' is not a date YYYY-MM-DD (skipped)" \
	"casewatch: surveys row 101: at 'yesterday' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 102: satisfied is '2', not 0 or 1 (skipped)" \
	"casewatch: surveys row 103: at '2026-02-30T10:00:00Z' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 104: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 105: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 106: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 107: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 108: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 109: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: surveys row 110: at 'x' is not an RFC 3339 timestamp (skipped)" \
	"casewatch: 2 more surveys rows that cannot be read (skipped)" >"$T/want"
if cmp -s "$T/want" "$T/out"; then
	ok "bad survey and meeting rows named by id, the first 10, then how many more"
else
	not_ok "bad survey and meeting rows named by id, the first 10, then how many more"
	diff "$T/want" "$T/out" | sed 's/^/# /'
fi
jqtest "the one good survey answer is counted, the bad ones are not" \
	'.figures[] | select(.rule == "satisfaction") | "\(.figure) \(.count)"' "100 1"

# Text casewatch must not pass on as it is (casewatch-rules(5), LIMITS).
# The reference, officer and team are cleaned and capped, the case is still
# evaluated, and a problem line says what was done; free text (agreed_contact,
# an event's detail) is named by column and length, never quoted. Each case is
# an enquiry received Monday 2 March 10:00 with a complainant and no contact:
# acknowledge-enquiry due Thursday 5 March, overdue on Tuesday 10 March.
# BIG-...: a reference of 10 MB (10,485,760 bytes): shown as its first 61
#   bytes and "..." (U+2026), the 64 allowed.
# U-FF-, U-CONT-, U-OVERLONG-, U-SURROGATE-: references ending in bytes that
#   are not UTF-8 (0xff; a lone continuation byte; an overlong '/', C0 AF; a
#   surrogate, ED A0 80), one U+FFFD for each byte.
# OFFICER-NL: an officer id with a line end in it: a space.
# AGREED-BIG: an agreed_contact of 10 MB (10,485,760 characters) naming
#   someone: named, not quoted, and the standard's own timescale applies.
# RISK-NAME: a risk event whose detail names someone (20 characters): a bad
#   row, the case skipped, its detail named, not quoted.
# DUP-: two references shown alike (0xff and 0xfe both become U+FFFD).
FFFD=$(printf '\357\277\275')
ELL=$(printf '\342\200\246')
if sqlite3 -bail -batch "$db" >"$T/sqlout" 2>&1 <<'SQL'
PRAGMA ignore_check_constraints = 1;
INSERT INTO cases (id, ref, stage, risk, officer, team, agreed_contact, received_at) VALUES
	(30, 'BIG-' || hex(zeroblob(5242878)), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(31, 'U-FF-' || CAST(X'ff' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(32, 'U-CONT-' || CAST(X'80' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(33, 'U-OVERLONG-' || CAST(X'c0af' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(34, 'U-SURROGATE-' || CAST(X'eda080' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(35, 'OFFICER-NL', 'enquiry', 'standard', 'o.one' || char(10) || 'x', 'east', NULL, '2026-03-02T10:00:00Z'),
	(36, 'AGREED-BIG', 'enquiry', 'standard', NULL, NULL, 'ring Jane Smith ' || hex(zeroblob(5242872)),
	 '2026-03-02T10:00:00Z'),
	(37, 'RISK-NAME', 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(38, 'DUP-' || CAST(X'ff' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z'),
	(39, 'DUP-' || CAST(X'fe' AS TEXT), 'enquiry', 'standard', NULL, NULL, NULL, '2026-03-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES
	(301, 30, 'complainant'), (311, 31, 'complainant'), (321, 32, 'complainant'), (331, 33, 'complainant'),
	(341, 34, 'complainant'), (351, 35, 'complainant'), (361, 36, 'complainant'), (371, 37, 'complainant'),
	(381, 38, 'complainant'), (391, 39, 'complainant');
INSERT INTO events (id, case_id, at, kind, detail) VALUES (3701, 37, '2026-03-03T10:00:00Z', 'risk', 'Jane Smith says high');
SQL
then :; else
	echo "Bail out! inserting the rows: $(cat "$T/sqlout")"
	exit 1
fi
big="BIG-000000000000000000000000000000000000000000000000000000000$ELL"
texts='^(BIG-|U-|OFFICER-NL|AGREED-BIG|RISK-NAME|DUP-)'

_st=0
"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 >"$T/json" 2>"$T/err" || _st=$?
if [ "$_st" -eq 0 ] && ! grep -q 'Sanitizer\|runtime error:' "$T/err" && jq -e . "$T/json" >/dev/null 2>&1; then
	ok "status over text to clean: exit 0, valid JSON"
else
	not_ok "status over text to clean: exit 0, valid JSON (exit $_st)"
	head -c 2000 "$T/err" | sed 's/^/# stderr: /'
fi
_size=$(cat "$T/json" "$T/err" | wc -c)
[ "$_size" -lt 65536 ] && ok "status over 30 MB of text says it in under 64 kB" ||
	not_ok "status over 30 MB of text says it in under 64 kB ($_size bytes)"
if grep -q 'Jane\|0000000000000000000000000000000000000000000000000000000000000000' "$T/json" "$T/err"; then
	not_ok "no free text is echoed, nor more of a reference than the cap"
	grep -o '.\{0,40\}Jane.\{0,40\}' "$T/json" "$T/err" | head -5 | sed 's/^/# /'
else
	ok "no free text is echoed, nor more of a reference than the cap"
fi
jqtest "each cleaned or cut reference and id, and each free text, has its problem line" \
	".problems[] | select(.case | test(\"$texts\")) | \"\(.case): \(.message) (skipped: \(.skipped))\"" \
"$big: the reference is 10485760 bytes, more than the 64 allowed: shown cut short (skipped: false)
U-FF-$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)
U-CONT-$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)
U-OVERLONG-$FFFD$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)
U-SURROGATE-$FFFD$FFFD$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)
OFFICER-NL: the officer id has control characters: shown with spaces (skipped: false)
AGREED-BIG: agreed_contact (10485760 characters) is not a timescale like \"10 working days\", \"fortnightly\" or \"1 month\": the standard's own timescale applies (skipped: false)
RISK-NAME: event 3701: its detail (20 characters) is not a risk level (standard, medium or high) (skipped: true)
DUP-$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)
DUP-$FFFD: the reference is not valid UTF-8: shown with U+FFFD (skipped: false)"
jqtest "cases with cleaned text are still evaluated, under the reference shown" \
	"$line | select(test(\"$texts\"))" \
"$big acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
U-FF-$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
U-CONT-$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
U-OVERLONG-$FFFD$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
U-SURROGATE-$FFFD$FFFD$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
OFFICER-NL acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
AGREED-BIG acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
DUP-$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -
DUP-$FFFD acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -"
if grep -qxF "casewatch: case OFFICER-NL: the officer id has control characters: shown with spaces" "$T/err" &&
	grep -qxF "casewatch: case $big: the reference is 10485760 bytes, more than the 64 allowed: shown cut short" "$T/err"; then
	ok "stderr names the cases as shown, one line each"
else
	not_ok "stderr names the cases as shown, one line each"
	grep 'OFFICER-NL\|BIG-' "$T/err" | sed 's/^/# stderr: /'
fi

# A reference is asked for as it is shown.
for ref in "$big" "U-SURROGATE-$FFFD$FFFD$FFFD"; do
	_st=0
	"$CASEWATCH" -c "$conf" status --json --at 2026-03-10 "$ref" >"$T/json" 2>"$T/err" || _st=$?
	[ "$_st" -eq 0 ] || { not_ok "status REF as shown exits 0 (exit $_st)"; sed 's/^/# stderr: /' "$T/err"; }
	jqtest "status finds ${ref%%-*}-... by its reference as shown" "$line" \
		"$ref acknowledge-enquiry - 1 2026-03-02 2026-03-05 overdue -"
done
_st=0
"$CASEWATCH" -c "$conf" status --at 2026-03-10 "DUP-$FFFD" >"$T/out" 2>"$T/err" || _st=$?
printf '%s\n' "casewatch: the reference 'DUP-$FFFD' is how 2 cases are shown, their references being cut short or cleaned (casewatch-rules(5), LIMITS): correct them in the case database" >"$T/want"
if [ "$_st" -eq 1 ] && cmp -s "$T/want" "$T/err" && [ ! -s "$T/out" ]; then
	ok "a reference shown alike for two cases is refused, saying so"
else
	not_ok "a reference shown alike for two cases is refused, saying so (exit $_st)"
	diff "$T/want" "$T/err" | sed 's/^/# /'
fi

# The scan that feeds the daemon keeps the same clean values in the state
# database, which messages are composed from.
_st=0
"$CASEWATCH" -c "$conf" run --once --at 2026-03-10 >"$T/out" 2>"$T/err" || _st=$?
if [ "$_st" -eq 0 ] && ! grep -q 'Sanitizer\|runtime error:' "$T/err"; then
	ok "run --once over text to clean exits 0"
else
	not_ok "run --once over text to clean exits 0 (exit $_st)"
	head -c 2000 "$T/err" | sed 's/^/# stderr: /'
fi
_got=$(sqlite3 -batch "$T/state.db" "SELECT count(*) FROM cases WHERE length(CAST(ref AS BLOB)) > 64
	OR length(CAST(officer AS BLOB)) > 64 OR length(CAST(team AS BLOB)) > 64 OR problems LIKE '%Jane%'")
same "the state database holds no reference or id over its cap, and no free text" "$_got" 0
_got=$(sqlite3 -batch "$T/state.db" "SELECT ref || ' ' || ifnull(replace(officer, char(10), '\\n'), '-') FROM cases WHERE case_id IN (30, 34, 35) ORDER BY case_id" | tr '\n' '|')
same "the state database holds the references and ids as shown" "$_got" \
	"$big -|U-SURROGATE-$FFFD$FFFD$FFFD -|OFFICER-NL o.one x|"
grep -q 'Jane\|0000000000000000000000000000000000000000000000000000000000000000' "$T/out" "$T/err" &&
	not_ok "run --once echoes no free text, nor more of a reference than the cap" ||
	ok "run --once echoes no free text, nor more of a reference than the cap"

done_testing

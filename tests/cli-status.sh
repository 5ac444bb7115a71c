#!/bin/sh
# casewatch status and check as a user meets them: the command line, its
# errors, the shapes of its output, and rule packs checked with the
# configuration. The rules' arithmetic is tested in rules-*.sh and
# test-eval.
. "${top_srcdir:-.}/tests/lib.sh"

db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" "
INSERT INTO cases (id, ref, stage, serious, received_at) VALUES
	(1, 'A-1', 'enquiry', 1, '2026-11-16T10:00:00Z'),
	(2, 'A-2', 'closed', 0, '2026-11-02T10:00:00Z'),
	(3, 'A-3', 'closed', 0, '2026-11-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (1, 1, 'complainant'), (2, 2, 'complainant'), (3, 3, 'complainant');
INSERT INTO events (case_id, at, kind, party_id, channel, detail) VALUES
	(2, '2026-11-03T10:00:00Z', 'contact', 2, 'letter', 'acknowledgement'),
	(2, '2026-11-04T10:00:00Z', 'closed', NULL, NULL, NULL),
	(3, '2026-11-09T10:00:00Z', 'closed', NULL, NULL, NULL);
"
conf="$T/c.conf"
printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$conf"

# Case 1: serious, received Monday 16th, no call: due Tuesday 17th.
# Case 2: closed with everything met: shown only when named.
# Case 3: closed with its acknowledgement overdue: shown by default.
run "status, table" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20
expect_out "open cases and closed ones with something unmet" \
"CASE STANDARD              PARTY DUE        STATE   LATE
A-1  serious-incident-call -     2026-11-17 overdue 3 working days late
A-1  acknowledge-enquiry   -     2026-11-19 overdue 1 working day late
A-3  acknowledge-enquiry   -     2026-11-05 overdue 11 working days late"

run "status of a named closed case" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20 --json A-2
expect_out "every obligation of a named case" \
'{"at": "2026-11-20T12:00:00Z", "obligations": [
  {"case": "A-2", "rule": "acknowledge-enquiry", "party": null, "cycle": 1, "start": "2026-11-02", "due": "2026-11-05", "state": "met", "met_at": "2026-11-03T10:00:00Z"}
], "problems": []}'

run "status --unmet" 0 "$CASEWATCH" -c "$conf" status --unmet --at 2026-11-20 A-2 A-3
expect_out "only what is still to do" \
"CASE STANDARD            PARTY DUE        STATE   LATE
A-3  acknowledge-enquiry -     2026-11-05 overdue 11 working days late"

run "--at with a time and an offset" 0 "$CASEWATCH" -c "$conf" status --json --at 2026-11-17T23:59:59+00:00 A-1
if jq -e '.at == "2026-11-17T23:59:59Z" and .obligations[0].state == "pending"' "$T/out" >/dev/null; then
	ok "the last second of the due day is still pending"
else
	not_ok "the last second of the due day is still pending"; sed 's/^/# /' "$T/out"
fi

run "an empty answer" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-01
expect_out "nothing received yet" "no obligations at 2026-11-01T12:00:00Z"

run "summary as JSON" 0 "$CASEWATCH" -c "$conf" status --summary --json --at 2026-11-20
if jq -e '.cases == 3 and .open == 1 and .skipped == 0 and
	  (.rules[] | select(.rule == "acknowledge-enquiry") | .met == 1 and .overdue == 2) and
	  (.rules[] | select(.rule == "serious-incident-call") | .overdue == 1) and
	  (.rules | length) == 8 and .figures == []' "$T/out" >/dev/null; then
	ok "summary counts by rule and state"
else
	not_ok "summary counts by rule and state"; sed 's/^/# /' "$T/out"
fi

run "summary as text" 0 "$CASEWATCH" -c "$conf" status --summary --at 2026-11-20
expect_out "counts by standard and state" \
"casewatch status at 2026-11-20T12:00:00Z
cases: 3 (1 open), 0 skipped for bad data

STANDARD                pending met met_late overdue cancelled paused
serious-incident-call         0   0        0       1         0      0
acknowledge-enquiry           0   1        0       2         0      0
sendback-letter               0   0        0       0         0      0
acknowledgement-letters       0   0        0       0         0      0
victim-visit                  0   0        0       0         0      0
perpetrator-letter            0   0        0       0         0      0
no-perpetrator                0   0        0       0         0      0
keep-informed                 0   0        0       0         0      0"

# Oadby's figures on the same rows. first-contact: A-1 due Thursday 19,
# no contact: overdue; A-2 met by the letter of the 3rd; A-3 due Thursday
# 5, closed on the 9th: overdue. victim-update (14 days): A-1 pending
# (due 30th); A-2 cycle 1 met the 3rd (1 day), cycle 2 cancelled by the
# closure on the 4th; A-3 cancelled by the closure on the 9th (due 16th).
# The average counts A-2's met cycle (1 day) and A-1's cycle still waiting,
# up to the day of evaluation (16th to 20th: 4 days): 2.5 days over 2
# intervals; the cancelled ones were never owed. No meeting and the first case in
# November: no complete month owed yet. No survey answers.
printf 'database = "cases.db";\nrules = [ "%s/rules/oadby-wigston.conf" ];\n' "$top_srcdir" >"$T/oadby.conf"
run "summary with figures as text" 0 "$CASEWATCH" -c "$T/oadby.conf" status --summary --at 2026-11-20
expect_out "figures against their goals" \
"casewatch status at 2026-11-20T12:00:00Z
cases: 3 (1 open), 0 skipped for bad data

STANDARD         pending met met_late overdue cancelled paused
first-contact          0   1        0       2         0      0
victim-update          1   1        0       0         2      0
high-risk-update       0   0        0       0         0      0

victim-update    average 2.5 days over 2 intervals, 1 still waiting for an update; goal 14 days: met
jag-meeting      0 of 0 months had a jag meeting; this month: due by 2026-11-30; goal every month: met
satisfaction     no survey answers in the last 12 months; goal 97%: not met"

# References are text from another system: bytes that are not UTF-8
# still give valid JSON, and control characters cannot fake table lines.
sqlite3 -batch "$db" "INSERT INTO cases (id, ref, stage, received_at) VALUES
	(4, CAST(X'4153422DFF' AS TEXT), 'enquiry', '2026-11-19T10:00:00Z'),
	(5, 'B' || char(10) || 'C', 'enquiry', '2026-11-19T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (4, 4, 'complainant'), (5, 5, 'complainant');"
run "odd references, JSON" 0 "$CASEWATCH" -c "$conf" status --json --at 2026-11-20
if jq -e '[.obligations[].case] | index("ASB-\ufffd") != null and index("B C") != null' "$T/out" >/dev/null; then
	ok "valid JSON with U+FFFD for a byte that is not UTF-8"
else
	not_ok "valid JSON with U+FFFD for a byte that is not UTF-8"; sed 's/^/# /' "$T/out"
fi
run "odd references, table" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20 'B
C'
expect_out "a newline in a reference is shown as a space" \
"CASE STANDARD            PARTY DUE        STATE   LATE
B C  acknowledge-enquiry -     2026-11-24 pending"
sqlite3 -batch "$db" "DELETE FROM cases WHERE id IN (4, 5); DELETE FROM parties WHERE id IN (4, 5);"

# Errors: one clear line on stderr, nothing on stdout.
run "unknown reference" 1 "$CASEWATCH" -c "$conf" status --at 2026-11-20 A-1 NOPE
expect_err "names the reference" "casewatch: no case with reference 'NOPE' in $T/cases.db"
[ -s "$T/out" ] && not_ok "nothing on stdout for a bad reference" || ok "nothing on stdout for a bad reference"
run "bad --at" 1 "$CASEWATCH" -c "$conf" status --at 2026-02-30
expect_err "says what a time is" "casewatch: --at '2026-02-30' is not a time: give RFC 3339 (2026-11-20T09:30:00Z) or a date YYYY-MM-DD within 1978-2199"
run "--summary takes no references" 2 "$CASEWATCH" -c "$conf" status --summary A-1
run "unknown option" 2 "$CASEWATCH" -c "$conf" status --everything
run "--at needs a value" 2 "$CASEWATCH" -c "$conf" status --at

printf 'database = "missing.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/missing.conf"
run "no case database" 1 "$CASEWATCH" -c "$T/missing.conf" status
grep -q "create it with casewatch db init" "$T/err" && ok "says how to create it" || not_ok "says how to create it"
[ ! -e "$T/missing.db" ] && ok "status creates no database" || not_ok "status creates no database"

sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
printf 'database = "other.db";\n' >"$T/other.conf"
run "another application's database" 1 "$CASEWATCH" -c "$T/other.conf" status
expect_err "refused" "casewatch: $T/other.db is not a casewatch case database"

printf 'database = "cases.db";\n' >"$T/norules.conf"
run "no rules configured" 0 "$CASEWATCH" -c "$T/norules.conf" status --at 2026-11-20
expect_err "says there are no rules" "casewatch: no rules are configured: there are no obligations to show (see casewatch-rules(5))"

# check covers the rule packs: every problem, FILE:LINE, sorted.
mkdir "$T/packs"
cat >"$T/packs/a.conf" <<'PACK'
pack = "a";
rules = (
	{ id = "one"; title = "One"; kind = "deadline"; within = "3 wrking days";
	  met_by = { kind = "letter"; }; },
	{ id = "two"; title = "Two"; kind = "recurring"; met_by = { party = "own"; }; },
	{ id = "one"; title = "Again"; kind = "sometimes"; }
);
PACK
printf 'rules = [ "packs" ];\ncolour = "blue";\n' >"$T/bad.conf"
run "check finds every problem in the packs" 1 "$CASEWATCH" -c "$T/bad.conf" check
expect_out "each as FILE:LINE: message" \
"$T/bad.conf:2: unknown setting 'colour' in the configuration
$T/packs/a.conf:3: within '3 wrking days' is not a duration like \"3 working days\", \"14 days\" or \"48 hours\"
$T/packs/a.conf:4: unknown event kind 'letter' (accepted, not_accepted, closed, reopened, hold, resume, risk, serious, contact, hate or agreed)
$T/packs/a.conf:5: recurring rule two has no period (every = \"...\";)
$T/packs/a.conf:5: party = \"own\" needs for = [ ... ]: a rule once per case has no party of its own
$T/packs/a.conf:6: duplicate rule id 'one' (first defined at $T/packs/a.conf:3)
$T/packs/a.conf:6: unknown rule kind 'sometimes' (deadline, recurring, gate, check, unit or target)"

printf 'rules = [ "%s/rules" ];\n' "$top_srcdir" >"$T/both.conf"
run "both shipped packs check together" 0 "$CASEWATCH" -c "$T/both.conf" check
expect_out "configuration OK" "configuration OK"

# The sample configuration, with the packs where this tree has them.
sed "s|/usr/share/casewatch/rules|$top_srcdir/rules|" "$top_srcdir/examples/casewatch.conf" >"$T/sample.conf"
run "the sample configuration checks" 0 "$CASEWATCH" -c "$T/sample.conf" check
expect_out "sample: configuration OK" "configuration OK"

# Problems on standard error: those of the cases listed (and of skipped
# ones), so a closed case with nothing left to do keeps its old problem to
# itself until named; --summary prints 20 lines, then how many more.
# P-CLOSED: received Monday 2 November, its acceptance dated Thursday 1
# October (a problem), its acknowledgement met, a perpetrator known, closed
# Wednesday 4 before anything else was due: nothing unmet.
# P-1 .. P-25: open enquiries with only a victim, each with one problem
# (no complainant or referrer to acknowledge).
sqlite3 -batch "$db" "
INSERT INTO cases (id, ref, stage, received_at) VALUES (40, 'P-CLOSED', 'closed', '2026-11-02T10:00:00Z');
INSERT INTO parties (id, case_id, role) VALUES (40, 40, 'complainant'), (41, 40, 'perpetrator');
INSERT INTO events (id, case_id, at, kind, party_id, channel, detail) VALUES
	(401, 40, '2026-10-01T10:00:00+01:00', 'accepted', NULL, NULL, NULL),
	(402, 40, '2026-11-03T10:00:00Z', 'contact', 40, 'letter', 'acknowledgement'),
	(403, 40, '2026-11-04T10:00:00Z', 'closed', NULL, NULL, NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25)
	INSERT INTO cases (id, ref, stage, received_at) SELECT 100 + i, 'P-' || i, 'enquiry', '2026-11-16T10:00:00Z' FROM n;
INSERT INTO parties (case_id, role) SELECT id, 'victim' FROM cases WHERE ref LIKE 'P-%' AND ref <> 'P-CLOSED';
"
run "status lists problems with their cases" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20
if grep -q "P-CLOSED" "$T/err"; then
	not_ok "a closed case with nothing to do keeps its old problem out of the listing"
	sed 's/^/# /' "$T/err"
else
	ok "a closed case with nothing to do keeps its old problem out of the listing"
fi
same "every listed case's problem is on standard error" "$(grep -c 'no complainant or referrer' "$T/err")" 25
run "status of the closed case by name" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20 P-CLOSED
expect_err "named, its problem is shown" \
"casewatch: case P-CLOSED: event 401 (accepted) is dated 2026-10-01, before the case was received on 2026-11-02: taken as at receipt, and meets nothing"
run "summary with many problems" 0 "$CASEWATCH" -c "$conf" status --summary --at 2026-11-20
same "summary: 20 problem lines" "$(grep -c '^casewatch: case ' "$T/err")" 20
same "summary: then how many more" "$(tail -n 1 "$T/err")" \
	"casewatch: 6 more problem lines (casewatch status prints each with its case)"

# --rule: only the obligations of the rules named; each must be configured.
run "status --rule" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20 --rule serious-incident-call A-1 A-3
expect_out "only that rule's" \
"CASE STANDARD              PARTY DUE        STATE   LATE
A-1  serious-incident-call -     2026-11-17 overdue 3 working days late"
run "status --rule twice" 0 "$CASEWATCH" -c "$conf" status --at 2026-11-20 --rule acknowledge-enquiry --rule serious-incident-call --json A-1
same "both rules, in pack order" "$(jq -r '[.obligations[].rule] | join(" ")' "$T/out")" "serious-incident-call acknowledge-enquiry"
run "status --summary --rule" 0 "$CASEWATCH" -c "$conf" status --summary --at 2026-11-20 --rule acknowledge-enquiry --json
same "the summary of that rule alone" "$(jq -c '[.rules[] | [.rule, .met, .overdue]]' "$T/out")" '[["acknowledge-enquiry",2,2]]'
run "status --rule not configured" 1 "$CASEWATCH" -c "$conf" status --rule keep-informd
expect_err "names it, and where the rules are listed" \
	"casewatch: no rule 'keep-informd' is configured (casewatch check --list-rules lists them)"
[ -s "$T/out" ] && not_ok "nothing on stdout for an unknown rule" || ok "nothing on stdout for an unknown rule"

# --list-refs PREFIX: the references that begin with it, sorted, at most
# 100; the case of the letters counts, as for status REF.
run "status --list-refs" 0 "$CASEWATCH" -c "$conf" status --list-refs P-2
expect_out "sorted, by prefix" "P-2
P-20
P-21
P-22
P-23
P-24
P-25"
run "status --list-refs, lower case" 0 "$CASEWATCH" -c "$conf" status --list-refs p-2
[ -s "$T/out" ] && not_ok "nothing: references are compared as they are" || ok "nothing: references are compared as they are"
run "status --list-refs, empty" 0 "$CASEWATCH" -c "$conf" status --list-refs ''
same "every reference, from the first" "$(wc -l <"$T/out") $(head -n 3 "$T/out" | tr '\n' ' ')" "29 A-1 A-2 A-3 "
sqlite3 -batch "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)
	INSERT INTO cases (id, ref, stage, received_at) SELECT 1000 + i, printf('M-%03d', i), 'closed', '2026-01-05T10:00:00Z' FROM n;"
run "status --list-refs, many" 0 "$CASEWATCH" -c "$conf" status --list-refs M-
same "at most 100" "$(wc -l <"$T/out") $(tail -n 1 "$T/out")" "100 M-100"
plan=$(sqlite3 -batch "$db" "EXPLAIN QUERY PLAN SELECT ref FROM cases WHERE ref >= 'M-' AND ref < 'M-'||x'ff' ORDER BY ref LIMIT 100")
case $plan in *"USING COVERING INDEX"*) ok "the query reads the index on ref" ;; *) not_ok "the query reads the index on ref: $plan" ;; esac
sqlite3 -batch "$db" "DELETE FROM cases WHERE id > 1000;"
run "status --list-refs with other options" 2 "$CASEWATCH" -c "$conf" status --list-refs A --json
run "status --list-refs without a database" 1 "$CASEWATCH" -c "$T/missing.conf" status --list-refs A

# check --list-rules: each rule's id and title, a tab between, in pack
# order; with problems, the problems and no list.
run "check --list-rules" 0 "$CASEWATCH" -c "$conf" check --list-rules
same "the ids of the pack" "$(cut -f1 "$T/out" | tr '\n' ' ')" \
	"serious-incident-call acknowledge-enquiry sendback-letter acknowledgement-letters victim-visit perpetrator-letter no-perpetrator keep-informed "
same "a tab, then the title" "$(sed -n 1p "$T/out" | cut -f2-)" \
	"$(sed -n '/id = "serious-incident-call"/,/title/p' "$top_srcdir/rules/leeds-asbu.conf" | sed -n 's/^.*title = "\(.*\)";.*$/\1/p')"
run "check --list-rules with problems" 1 "$CASEWATCH" -c "$T/bad.conf" check --list-rules
same "the problems, no list" "$(grep -c -v "^$T/" "$T/out")" 0
run "check with an operand" 2 "$CASEWATCH" -c "$conf" check rules

done_testing

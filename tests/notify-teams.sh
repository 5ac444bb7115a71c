#!/bin/sh
# The Teams webhook format, end to end: `casewatch run --once` posting to a
# real HTTP receiver (tests/http-receiver.py) an Adaptive Card in the
# Workflows envelope. What is checked: tests/card-check.py finds each kind
# of defect it looks for (so that its "N cards checked" means something);
# thirteen stages reached in one scan make one card of ten blocks, the most
# urgent first, and "and 3 more: 3 coming up", all thirteen in the ledger
# under its Idempotency-Key; a 500 is retried with the same key and body,
# signed both times; data that would start a markdown list is escaped;
# without case_link no link, no selectAction, no button; a card about one
# case has a button for it, and the link is encoded for markdown and for
# the button each as it needs; a long rule title keeps the card under
# 24000 bytes with fewer blocks, and a huge one with none; every card
# passes tests/card-check.py; no party label in any request.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"

need_python

cleanup() {
	stop_servers
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

SCHEMA="$DATA/adaptive-card/adaptive-card.json"
# card_check FILE: tests/card-check.py on FILE's bodies, one a line. Not a
# skip when python3-jsonschema is missing: the check fails, saying so.
card_check() { "$PY" "$top_srcdir/tests/card-check.py" "$SCHEMA" "$1" 2>&1 | sed 's/^Traceback.*/& (scripts\/deps installs python3-jsonschema)/'; }
# jq_same NAME JSON WANT: the two JSON values are equal (keys sorted).
jq_same() {
	_got=$(printf '%s\n' "$2" | jq -S -c . 2>&1)
	_want=$(printf '%s\n' "$3" | jq -S -c .)
	if [ "$_got" = "$_want" ]; then ok "$1"; else
		not_ok "$1"
		echo "# got:  $_got"
		echo "# want: $_want"
	fi
}

### 0. The checker: a card of each defect, and what it must say of each.
cat >"$T/bad" <<'EOF'
{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":1.4,"body":[{"type":"TextBlock","wrap":true,"text":"a"},{"type":"TextBlock","wrap":true},{"type":"Bogus"},{"type":"FactSet","facts":[{"title":"a","value":"b"},{"name":"x","value":"y"}]},{"type":"Container","items":[{"type":"TextBlock","text":"x","wrapp":true}]}],"actions":[{"type":"Action.OpenUrl","title":"t"},{"type":"Action.Submit","title":"s"}]}}]}
{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.thumbnail","contentUrl":null,"content":{"type":"AdaptiveCard","version":"1.5","body":[]}}]}
{"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"s","title":"t","text":"x"}
EOF
same "card-check.py finds every defect of the bad cards" "$(card_check "$T/bad")" \
"1: content: schema: {'type': 'Action.OpenUrl', 'title': 't'} is not valid under any of the given schemas
1: content: schema: 1.4 is not of type 'string'
1: content.version: not a string
1: body[1]: schema: 'text' is a required property
1: body[1]: TextBlock without text
1: body[2]: not an element the schema knows: {\"type\": \"Bogus\"}
1: body[3]: schema: 'title' is a required property
1: body[3].facts[1]: a fact is a title and a value: {\"name\": \"x\", \"value\": \"y\"}
1: body[4].items[0]: properties the schema does not give TextBlock: wrapp
1: body[4].items[0]: TextBlock that does not wrap
1: actions[0]: schema: 'url' is a required property
1: actions[0]: Action.OpenUrl without an http or https url
1: actions[1]: Action.Submit: not an action casewatch's cards use
2: contentType: not application/vnd.microsoft.card.adaptive
2: content.\$schema: not the Adaptive Card schema's URL
2: content.version: 1.5: later than Workflows take (1.4)
2: content.body: no elements
3: body: not {type, attachments}: {\"@type\": \"MessageCard\", \"@context\": \"https://schema.org/extensions\", \"summary\":
3 cards checked"

### The receiver: every request signed; /flaky answers 500, then 200.
secret=casewatch-teams-secret-41xQ
printf '%s\n' "$secret" >"$T/secret"
chmod 600 "$T/secret"
: >"$T/hook.log"
serve "$T/hook.port" "$T/hook.err" "$top_srcdir/tests/http-receiver.py" --out "$T/hook.log" \
	--secret-file "$T/secret" --script /flaky=500,200 || {
	echo "Bail out! the HTTP receiver did not start"
	exit 1
}
base="http://127.0.0.1:$served_port"
log="$T/hook.log"
# reqs PATH JQ-FILTER: the filter applied to each request logged for PATH.
reqs() { jq -c --arg p "$1" "select(.path == \$p) | $2" "$log"; }
# card PATH JQ-FILTER: the filter applied to the card of the last request
# logged for PATH.
card() { reqs "$1" '.body.attachments[0].content' | tail -n 1 | jq -r "$2"; }

### The case database: thirteen cases whose 2-working-day reply reaches
### a stage on Tuesday 2 March 2027: three coming up (received Monday),
### three due (Friday), three overdue (Thursday), four escalated
### (Wednesday). Their references sort the other way round. An officer's
### name and a team's name that would start a markdown list.
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -bail -batch "$db" <<'EOF'
INSERT INTO teams (id, name, supervisor, manager_email) VALUES
	('west', 'ASB Unit West', 'sup', 'west.manager@council.test'),
	('first', '1. First Response', 'sup', 'first.manager@council.test');
INSERT INTO officers (id, name, email, team) VALUES
	('sup', 'Sam Supervisor', 'sup@council.test', 'west'),
	('ann', 'Ann Officer', 'ann@council.test', 'west'),
	('dash', '- Dash Officer', 'dash@council.test', 'first');
INSERT INTO cases (id, ref, category, officer, team, received_at) VALUES
	(1, 'ASB-2027-0001', 'nuisance', 'ann', 'west', '2027-03-01T09:00:00Z'),
	(2, 'ASB-2027-0002', 'nuisance', 'ann', 'west', '2027-03-01T09:00:00Z'),
	(3, 'ASB-2027-0003', 'nuisance', 'ann', 'west', '2027-03-01T09:00:00Z'),
	(11, 'ASB-2027-0101', 'nuisance', 'ann', 'west', '2027-02-26T09:00:00Z'),
	(12, 'ASB-2027-0102', 'nuisance', 'ann', 'west', '2027-02-26T09:00:00Z'),
	(13, 'ASB-2027-0103', 'nuisance', 'ann', 'west', '2027-02-26T09:00:00Z'),
	(21, 'ASB-2027-0201', 'nuisance', 'ann', 'first', '2027-02-25T09:00:00Z'),
	(22, 'ASB-2027-0202', 'nuisance', 'ann', 'west', '2027-02-25T09:00:00Z'),
	(23, 'ASB-2027-0203', 'nuisance', 'ann', 'west', '2027-02-25T09:00:00Z'),
	(31, 'ASB-2027-0301', 'nuisance', 'dash', 'west', '2027-02-24T09:00:00Z'),
	(32, 'ASB-2027-0302', 'nuisance', 'ann', 'west', '2027-02-24T09:00:00Z'),
	(33, 'ASB-2027-0303', 'nuisance', 'ann', 'west', '2027-02-24T09:00:00Z'),
	(34, 'ASB-2027-0304', 'nuisance', 'ann', 'west', '2027-02-24T09:00:00Z');
INSERT INTO parties (case_id, role, label) SELECT id, 'complainant', 'Resident R' || id FROM cases;
EOF

# pack TITLE: the rule pack, its one rule titled TITLE, on stdout.
pack() {
	cat <<EOF
pack = "teams-test";
title = "Standards for the Teams card test";
notify = {
	upcoming = { before = "1 working day"; to = [ "officer" ]; };
	due = { to = [ "officer" ]; };
	overdue = { to = [ "officer" ]; };
	escalated = { after = "2 working days"; to = [ "manager" ]; };
};
rules = (
	{
		id = "reply";
		title = "$1";
		kind = "deadline";
		from = "received";
		within = "2 working days";
		met_by = { kind = "contact"; };
	}
);
EOF
}
pack "Reply to the complainant within 2 working days" >"$T/pack.conf"
quiet='officer_digest = false; manager_digest = { every = "never"; }; monthly_report = false;'
# config NAME DATABASE PACK PATH [NOTIFY]: $T/NAME.conf, with the state
# database $T/NAME.db and one Teams webhook posting to PATH.
config() {
	cat >"$T/$1.conf" <<EOF
database = "$2";
state = "$1.db";
rules = [ "$3" ];
webhooks = ( { name = "teams"; url = "$base$4"; format = "teams"; secret_file = "secret"; } );
notify = { ${5:-} $quiet };
EOF
}
# two_days NAME: the baseline scan on Monday, then Tuesday's.
two_days() {
	run "$1: Monday, the baseline" 0 "$CASEWATCH" -c "$T/$1.conf" run --once --at 2027-03-01T12:00:00Z
	run "$1: Tuesday" 0 "$CASEWATCH" -c "$T/$1.conf" run --once --at 2027-03-02T12:00:00Z
}
link='case_link = "https://crm.example.gov.uk/asb/{ref}";'

### 1. Thirteen stages, one card, to a webhook that fails once.
config many cases.db pack.conf /flaky "$link"
two_days many
same "many: one message to the webhook, with the thirteen" \
	"$(grep '^composed: message [0-9]* to webhook' "$T/out")" \
	"composed: message 3 to webhook teams: 3 due today, 3 overdue, 4 escalated, 3 coming up"
same "many: the 500 is kept for a retry" "$(tail -n 1 "$T/out")" \
	"sent 2 messages (2 email, 0 webhook); 1 to retry, 0 dead"
run "many: outbox send a minute later" 0 "$CASEWATCH" -c "$T/many.conf" outbox send --at 2027-03-02T12:01:00Z
expect_out "many: the retry is accepted" "sent 1 message (0 email, 1 webhook); 0 to retry, 0 dead"
instance=$(sqlite3 -batch "$T/many.db" "SELECT value FROM meta WHERE key = 'instance'")
same "many: 500 then 200, signed both times" "$(reqs /flaky '[.status, .signature_ok] | @tsv' | tr '\n' ' ')" \
	'"500\ttrue" "200\ttrue" '
same "many: the same Idempotency-Key both times" "$(reqs /flaky .idempotency_key | sort -u)" "\"casewatch-$instance-3\""
same "many: the same body both times" "$(reqs /flaky .body | sort -u | wc -l | tr -d ' ')" 1
same "many: the ledger has the thirteen, under that key" \
	"$(sqlite3 -batch "$T/many.db" "SELECT count(*) || ' ' || group_concat(DISTINCT message_id) FROM ledger WHERE recipient = 'webhook:teams'")" \
	"13 casewatch-$instance-3"
same "many: the heading, ten blocks most urgent first, and the rest counted" \
	"$(card /flaky '.body[] | if .type == "Container" then .items[0].text else .text end')" \
	"casewatch: 3 due today, 3 overdue, 4 escalated, 3 coming up
[ASB-2027-0301](https://crm.example.gov.uk/asb/ASB-2027-0301): escalated
[ASB-2027-0302](https://crm.example.gov.uk/asb/ASB-2027-0302): escalated
[ASB-2027-0303](https://crm.example.gov.uk/asb/ASB-2027-0303): escalated
[ASB-2027-0304](https://crm.example.gov.uk/asb/ASB-2027-0304): escalated
[ASB-2027-0201](https://crm.example.gov.uk/asb/ASB-2027-0201): overdue
[ASB-2027-0202](https://crm.example.gov.uk/asb/ASB-2027-0202): overdue
[ASB-2027-0203](https://crm.example.gov.uk/asb/ASB-2027-0203): overdue
[ASB-2027-0101](https://crm.example.gov.uk/asb/ASB-2027-0101): due today
[ASB-2027-0102](https://crm.example.gov.uk/asb/ASB-2027-0102): due today
[ASB-2027-0103](https://crm.example.gov.uk/asb/ASB-2027-0103): due today
and 3 more: 3 coming up"
jq_same "many: the last line is subtle and set apart" "$(card /flaky '.body[-1]')" \
	'{"type": "TextBlock", "text": "and 3 more: 3 coming up", "wrap": true, "isSubtle": true, "separator": true}'
# A name or a title at the start of a markdown text: "- " and "1. " would
# make a list there.
jq_same "many: an officer's name that starts with '- ' is escaped" "$(card /flaky '.body[1].items[2]')" \
	'{"type": "FactSet", "facts": [{"title": "Deadline", "value": "Fri 26 Feb"},
	  {"title": "Late", "value": "2 working days late"}, {"title": "Met by", "value": "a contact"},
	  {"title": "Officer", "value": "\\- Dash Officer"},
	  {"title": "Team", "value": "ASB Unit West"}]}'
same "many: a team's name that starts with '1. ' is escaped" \
	"$(card /flaky '.body[5].items[2].facts[] | select(.title == "Team") | .value')" '1\. First Response'
same "many: each block is a link to its case; several cases, so no button" \
	"$(card /flaky '([.body[] | select(.type == "Container") | .selectAction.url | ltrimstr("https://crm.example.gov.uk/asb/")] | join(" ")), has("actions")')" \
	"ASB-2027-0301 ASB-2027-0302 ASB-2027-0303 ASB-2027-0304 ASB-2027-0201 ASB-2027-0202 ASB-2027-0203 ASB-2027-0101 ASB-2027-0102 ASB-2027-0103
false"

### 2. No case_link: no link anywhere.
config nolink cases.db pack.conf /nolink
two_days nolink
same "nolink: the blocks name each case in plain text" \
	"$(card /nolink '[.body[] | select(.type == "Container") | .items[0].text] | .[0], .[9]')" \
	"ASB-2027-0301: escalated
ASB-2027-0103: due today"
same "nolink: no markdown link, no selectAction, no button" \
	"$(card /nolink '[.body | .. | strings | select(contains("](") or contains("http"))] + [.. | objects | select(has("selectAction") or has("actions"))] | length')" 0

### 3. One case: a button too. Its reference has a slash, a space and
### parentheses; the link's template parentheses: encoded as markdown needs
### in the text, as a URL needs in the button.
one="$T/one.db"
"$CASEWATCH" db init "$one" >/dev/null
sqlite3 -bail -batch "$one" <<'EOF'
INSERT INTO teams (id, name, supervisor, manager_email) VALUES ('west', 'ASB Unit West', NULL, NULL);
INSERT INTO officers (id, name, email, team) VALUES ('ann', 'Ann Officer', 'ann@council.test', 'west');
INSERT INTO cases (id, ref, category, officer, team, received_at) VALUES
	(1, 'ASB/2027 (1)', 'nuisance', 'ann', 'west', '2027-03-01T09:00:00Z');
INSERT INTO parties (case_id, role, label) VALUES (1, 'complainant', 'Resident R1');
EOF
config single one.db pack.conf /single 'case_link = "https://crm.example.gov.uk/view(case)?ref={ref}";'
two_days single
jq_same "single: the whole card, with its button" "$(card /single .)" '{
 "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
 "fallbackText": "casewatch: 1 coming up",
 "body": [
  {"type": "TextBlock", "text": "casewatch: 1 coming up", "wrap": true, "size": "medium", "weight": "bolder"},
  {"type": "Container", "separator": true, "spacing": "medium", "items": [
    {"type": "TextBlock", "wrap": true, "weight": "bolder",
     "text": "[ASB/2027 \\(1\\)](https://crm.example.gov.uk/view%28case%29?ref=ASB%2F2027%20%281%29): coming up"},
    {"type": "TextBlock", "text": "Reply to the complainant within 2 working days", "wrap": true},
    {"type": "FactSet", "facts": [{"title": "Deadline", "value": "Wed 3 Mar"},
     {"title": "Met by", "value": "a contact"}, {"title": "Officer", "value": "Ann Officer"}, {"title": "Team", "value": "ASB Unit West"}]}],
   "selectAction": {"type": "Action.OpenUrl", "title": "Open ASB/2027 (1)",
    "url": "https://crm.example.gov.uk/view(case)?ref=ASB%2F2027%20%281%29"}}],
 "actions": [{"type": "Action.OpenUrl", "title": "Open ASB/2027 (1)",
  "url": "https://crm.example.gov.uk/view(case)?ref=ASB%2F2027%20%281%29"}]
}'

### 4. Long titles: the card stays under 24000 bytes. A title of 9000
### bytes leaves room for two blocks; one of 30000, for none.
title9k="Reply$(printf '%8995s' '' | sed 's/     /, now/g')"
title30k="Reply$(printf '%29995s' '' | sed 's/     /, now/g')"
same "the long titles are 9000 and 30000 bytes" "${#title9k} ${#title30k}" "9000 30000"
pack "$title9k" >"$T/pack-9k.conf"
pack "$title30k" >"$T/pack-30k.conf"
config long cases.db pack-9k.conf /long "$link"
two_days long
config huge cases.db pack-30k.conf /huge "$link"
two_days huge
same "long: two blocks, then the rest counted" \
	"$(card /long '[.body[] | select(.type == "Container")] | length'; card /long '.body[-1].text')" \
	"2
and 11 more: 3 due today, 3 overdue, 2 escalated, 3 coming up"
same "huge: no block, and why" \
	"$(card /huge '[.body[] | select(.type == "Container")] | length'; card /huge '.body[-1].text')" \
	"0
13 notifications, too long to show here: 3 due today, 3 overdue, 4 escalated, 3 coming up"
same "long and huge: each body under 24000 bytes, and sent" \
	"$(for p in /long /huge; do
		sqlite3 -batch "$T/${p#/}.db" "SELECT status, length(body) < 24000, length(body) > 18000 * ('$p' = '/long') FROM message_text WHERE channel = 'webhook'"
	done | tr '\n' ' ')" "sent|1|1 sent|1|1 "

### Every card, and what they must not carry.
jq -c '.body' "$log" >"$T/cards"
same "every request was a card" "$(wc -l <"$T/cards" | tr -d ' ')" 6
same "every card passes tests/card-check.py" "$(card_check "$T/cards")" "6 cards checked"
if grep -q 'Resident R' "$T/cards"; then not_ok "no party label in any card"; else ok "no party label in any card"; fi

done_testing

#!/bin/sh
# Notifications to webhooks, end to end: `casewatch run --once` and
# `casewatch outbox send` on the demo database, posting to a real HTTP
# receiver (tests/http-receiver.py) that checks each signature and logs
# every request. What is checked: the signed generic body, field by field;
# one POST per webhook per scan whatever the number of stage changes; the
# Slack shape; the Teams card exactly, most urgent first, and every card
# against the Adaptive Card schema; 500 then 200 retried with the same Idempotency-Key;
# a 429's Retry-After honoured; a 400 dead and listed; no party label, nor
# the URL's token, anywhere. Messages to people go to the Maildir (no smtp
# group) and are only counted here (tests/notify-email.sh covers them).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
RECEIVER="$top_srcdir/tests/http-receiver.py"

need_python
# Not a skip: the Teams cards are checked with it (scripts/deps installs it).
"$PY" -c 'import jsonschema' 2>/dev/null || echo "# $PY cannot import jsonschema: install python3-jsonschema"

# The receiver is ended by its id, even when a check fails or the script
# is interrupted.
cleanup() {
	stop_servers
	wait
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

lines() { wc -l <"$1" | tr -d ' '; }

# start_receiver NAME ARGS...: http-receiver.py logging to $T/NAME.log, its
# port in $NAME_port once it listens.
start_receiver() {
	_name=$1
	shift
	: >"$T/$_name.log"
	serve "$T/$_name.port" "$T/$_name.err" "$top_srcdir/tests/http-receiver.py" --out "$T/$_name.log" "$@" || return 1
	eval "${_name}_port=\$served_port"
}

# reqs PATH JQ-FILTER: the filter applied to each request the receiver
# logged for PATH (with its query), one compact JSON value a line.
reqs() { jq -c --arg p "$1" "select(.path == \$p) | $2" "$log"; }
# n_reqs PATH: how many requests the receiver logged for PATH.
n_reqs() { reqs "$1" .path | wc -l | tr -d ' '; }
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
# next_attempt CONF ID: the time `casewatch -c CONF outbox` gives for message ID's
# next attempt, in Unix seconds (empty when it lists no such line).
next_attempt() {
	"$CASEWATCH" -c "$1" outbox | awk -F '\t' -v id="$2" '$1 == id && $2 == "pending" { sub(/^next /, "", $5); print $5 }' >"$T/next"
	[ -s "$T/next" ] && epoch "$(cat "$T/next")"
}

### The receiver: every request must be signed with the shared secret
### (anything else is answered 401); /flaky answers 500 then 200, /busy
### 429 (Retry-After: 7200) then 200, /bad 400; anything else 200.
secret=casewatch-webhook-secret-7Hq2
printf '%s\n' "$secret" >"$T/secret"
chmod 600 "$T/secret"
start_receiver hook --secret-file "$T/secret" \
	--script /flaky=500,200 --script /busy=429,200 --retry-after 7200 --script /bad=400 ||
	not_ok "the receiver starts"
log="$T/hook.log"
base="http://127.0.0.1:$hook_port"

# The demo database; its parties have labels ("Resident A.B.") that must
# never leave it.
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" <"$top_srcdir/examples/demo.sql"
sqlite3 -batch "$db" "SELECT label FROM parties WHERE label IS NOT NULL AND label <> ''" >"$T/labels"
same "the demo's parties have labels" "$(lines "$T/labels")" "$(sqlite3 -batch "$db" "SELECT count(*) FROM parties")"

# Digests off, so that each scan composes only the stages it reached.
quiet='officer_digest = false; manager_digest = { every = "never"; };'

### 1 and 5. Three signed webhooks, one of each format.
conf="$T/casewatch.conf"
cat >"$conf" <<EOF
database = "cases.db";
state = "state.db";
rules = [ "$top_srcdir/rules/leeds-asbu.conf" ];
webhooks = (
	{ name = "ops"; url = "$base/hook"; format = "generic"; secret_file = "secret"; },
	{ name = "slack"; url = "$base/slack"; format = "slack"; secret_file = "secret"; },
	{ name = "teams"; url = "$base/teams"; format = "teams"; secret_file = "secret"; }
);
notify = { case_link = "https://cases.example.gov.uk/asb/{ref}"; $quiet };
EOF
cw() { "$CASEWATCH" -c "$conf" "$@"; }
state="$T/state.db"

# libcurl is loaded when the first webhook is posted, not before
# (daemon/curl-load.c): ld.so's record of the files each run loaded.
# loads_curl LD: the times libcurl was loaded, linked or not; dlopens_curl
# LD: loaded by dlopen().
loads_curl() { cat "$T/$1".* | grep -c 'file=libcurl\.so\.4 \[0\];  \(needed\|dynamically loaded\) by'; }
dlopens_curl() { cat "$T/$1".* | grep -c 'file=libcurl\.so\.4 \[0\];  dynamically loaded by'; }
cwld() {
	_ld=$1
	shift
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/$_ld" "$CASEWATCH" -c "$conf" "$@"
}

# The baseline: the first scan queues nothing and posts nothing.
run "baseline run" 0 cwld ld-base run --once --at 2026-11-18
same "baseline: libcurl was not loaded, nothing being posted" "$(loads_curl ld-base)" 0
expect_out "baseline: nothing queued, nothing composed, nothing sent" \
"scan at 2026-11-18T12:00:00Z: 39 cases evaluated (full: new state database), 33 changed
first scan of this state database: 13 stages reached are the starting point; none queued
2 due today, 10 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "baseline: no request" "$(lines "$log")" 0

# Thursday 19th: four obligations reach a stage (cli-run.sh says why:
# 0103's call escalated, 0110's visit coming up, 0138's call due today;
# and 0109's visit, due on the 18th and never made, overdue). One POST
# per webhook carries the four.
run "the next day" 0 cwld ld-next run --once --at 2026-11-19
same "the next day: libcurl loaded once, to post" "$(loads_curl ld-next) $(dlopens_curl ld-next)" "1 1"
expect_out "the next day: four stages, one message per person and one per webhook, all sent" \
"scan at 2026-11-19T12:00:00Z: 39 cases evaluated (full: new day), 12 changed
queued: ASB-2026-0103 serious-incident-call: escalated (4 notifications)
queued: ASB-2026-0109 victim-visit: overdue (5 notifications)
queued: ASB-2026-0110 victim-visit: upcoming (4 notifications)
queued: ASB-2026-0138 serious-incident-call: due (4 notifications)
1 due today, 12 overdue, 17 notifications queued
composed: message 1 to aisha.khan@example.gov.uk: 1 due today
composed: message 2 to declan.walsh@example.gov.uk: 1 coming up
composed: message 3 to jaya.patel@example.gov.uk: 1 overdue
composed: message 4 to michael.okafor@example.gov.uk: 1 overdue
composed: message 5 to robert.ng@example.gov.uk: 1 escalated
composed: message 6 to webhook ops: 1 due today, 1 overdue, 1 escalated, 1 coming up
composed: message 7 to webhook slack: 1 due today, 1 overdue, 1 escalated, 1 coming up
composed: message 8 to webhook teams: 1 due today, 1 overdue, 1 escalated, 1 coming up
8 messages composed
sent 8 messages (5 email, 3 webhook); 0 to retry, 0 dead"
instance=$(sqlite3 -batch "$state" "SELECT value FROM meta WHERE key = 'instance'")
same "one request for each webhook, in the order composed" "$(jq -r .path "$log" | tr '\n' ' ')" "/hook /slack /teams "
same "each request: POST, JSON, the signature verified, accepted" \
	"$(jq -r '[.method, .content_type, .signature_ok, .status] | @tsv' "$log" | sort | uniq -c | sed 's/^ *//')" \
	"3 POST	application/json	true	200"
same "each Idempotency-Key is casewatch-INSTANCE-MESSAGE" "$(jq -r .idempotency_key "$log" | tr '\n' ' ')" \
	"casewatch-$instance-6 casewatch-$instance-7 casewatch-$instance-8 "
same "the state database keeps the keys as the messages' references" \
	"$(sqlite3 -batch "$state" "SELECT group_concat(ref, ' ') FROM (SELECT ref FROM messages WHERE channel = 'webhook' ORDER BY id)")" \
	"casewatch-$instance-6 casewatch-$instance-7 casewatch-$instance-8"

# The generic body: an array of one object per notification, each field
# as documented (casewatch.conf(5)): the stage by name, the deadline, how
# late (or null), the officer and team by name, the link from case_link.
jq_same "generic: the JSON array, field by field" "$(reqs /hook '.body | sort_by(.case, .rule)')" '[
 {"case": "ASB-2026-0103", "rule": "serious-incident-call",
  "title": "Phone call within 1 working day of a serious incident",
  "stage": "escalated", "due": "2026-11-18", "late": "1 working day late",
  "officer": "Aisha Khan", "team": "ASB Unit West",
  "link": "https://cases.example.gov.uk/asb/ASB-2026-0103"},
 {"case": "ASB-2026-0109", "rule": "victim-visit",
  "title": "Visit to the victim within 10 working days of the case being accepted",
  "stage": "overdue", "due": "2026-11-18", "late": "1 working day late",
  "officer": "Michael Okafor", "team": "ASB Unit East",
  "link": "https://cases.example.gov.uk/asb/ASB-2026-0109"},
 {"case": "ASB-2026-0110", "rule": "victim-visit",
  "title": "Visit to the victim within 10 working days of the case being accepted",
  "stage": "upcoming", "due": "2026-11-20", "late": null,
  "officer": "Declan Walsh", "team": "ASB Unit West",
  "link": "https://cases.example.gov.uk/asb/ASB-2026-0110"},
 {"case": "ASB-2026-0138", "rule": "serious-incident-call",
  "title": "Phone call within 1 working day of a serious incident",
  "stage": "due", "due": "2026-11-19", "late": null,
  "officer": "Aisha Khan", "team": "ASB Unit West",
  "link": "https://cases.example.gov.uk/asb/ASB-2026-0138"}]'
same "generic: each object has exactly the documented fields" \
	"$(reqs /hook '[.body[] | keys_unsorted | sort | join(",")] | unique | .[]' | tr -d '"')" \
	"case,due,late,link,officer,rule,stage,team,title"

# Slack: {"text": ...}, with one line per notification, each case a Slack
# link <URL|REF>.
same "slack: an object with text only" "$(reqs /slack '.body | [keys[], (.text | type)] | join(" ")')" '"text string"'
for ref in ASB-2026-0103 ASB-2026-0109 ASB-2026-0110 ASB-2026-0138; do
	same "slack: one line for $ref, as a Slack link" \
		"$(reqs /slack '.body.text' | jq -r . | grep -c -F "<https://cases.example.gov.uk/asb/$ref|$ref>")" 1
done

# Teams: an Adaptive Card in the Workflows envelope (casewatch.conf(5)),
# exactly: the counts as its heading, then a block for each notification,
# the most urgent first, with the case as a markdown link and the whole
# block a link, the standard, and the deadline, how late, officer and
# team as facts. Four cases, so no button for one case.
jq_same "teams: the Workflows envelope and its Adaptive Card, exactly" "$(reqs /teams '.body')" '{
 "type": "message",
 "attachments": [{
  "contentType": "application/vnd.microsoft.card.adaptive",
  "contentUrl": null,
  "content": {
   "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
   "type": "AdaptiveCard", "version": "1.4",
   "fallbackText": "casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up",
   "body": [
    {"type": "TextBlock", "text": "casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up",
     "wrap": true, "size": "medium", "weight": "bolder"},
    {"type": "Container", "separator": true, "spacing": "medium", "items": [
      {"type": "TextBlock", "text": "[ASB-2026-0103](https://cases.example.gov.uk/asb/ASB-2026-0103): escalated",
       "wrap": true, "weight": "bolder", "color": "attention"},
      {"type": "TextBlock", "text": "Phone call within 1 working day of a serious incident", "wrap": true},
      {"type": "FactSet", "facts": [{"title": "Deadline", "value": "Wed 18 Nov"},
       {"title": "Late", "value": "1 working day late"}, {"title": "Met by", "value": "a phone call"},
       {"title": "Officer", "value": "Aisha Khan"},
       {"title": "Team", "value": "ASB Unit West"}]}],
     "selectAction": {"type": "Action.OpenUrl", "title": "Open ASB-2026-0103",
      "url": "https://cases.example.gov.uk/asb/ASB-2026-0103"}},
    {"type": "Container", "separator": true, "spacing": "medium", "items": [
      {"type": "TextBlock", "text": "[ASB-2026-0109](https://cases.example.gov.uk/asb/ASB-2026-0109): overdue",
       "wrap": true, "weight": "bolder", "color": "attention"},
      {"type": "TextBlock", "text": "Visit to the victim within 10 working days of the case being accepted",
       "wrap": true},
      {"type": "FactSet", "facts": [{"title": "Deadline", "value": "Wed 18 Nov"},
       {"title": "Late", "value": "1 working day late"}, {"title": "Owed to", "value": "victim"},
       {"title": "Met by", "value": "a visit to them"}, {"title": "Officer", "value": "Michael Okafor"},
       {"title": "Team", "value": "ASB Unit East"}]}],
     "selectAction": {"type": "Action.OpenUrl", "title": "Open ASB-2026-0109",
      "url": "https://cases.example.gov.uk/asb/ASB-2026-0109"}},
    {"type": "Container", "separator": true, "spacing": "medium", "items": [
      {"type": "TextBlock", "text": "[ASB-2026-0138](https://cases.example.gov.uk/asb/ASB-2026-0138): due today",
       "wrap": true, "weight": "bolder"},
      {"type": "TextBlock", "text": "Phone call within 1 working day of a serious incident", "wrap": true},
      {"type": "FactSet", "facts": [{"title": "Deadline", "value": "Thu 19 Nov"},
       {"title": "Met by", "value": "a phone call"}, {"title": "Officer", "value": "Aisha Khan"}, {"title": "Team", "value": "ASB Unit West"}]}],
     "selectAction": {"type": "Action.OpenUrl", "title": "Open ASB-2026-0138",
      "url": "https://cases.example.gov.uk/asb/ASB-2026-0138"}},
    {"type": "Container", "separator": true, "spacing": "medium", "items": [
      {"type": "TextBlock", "text": "[ASB-2026-0110](https://cases.example.gov.uk/asb/ASB-2026-0110): coming up",
       "wrap": true, "weight": "bolder"},
      {"type": "TextBlock", "text": "Visit to the victim within 10 working days of the case being accepted",
       "wrap": true},
      {"type": "FactSet", "facts": [{"title": "Deadline", "value": "Fri 20 Nov"},
       {"title": "Owed to", "value": "victim"}, {"title": "Met by", "value": "a visit to them"},
       {"title": "Officer", "value": "Declan Walsh"}, {"title": "Team", "value": "ASB Unit West"}]}],
     "selectAction": {"type": "Action.OpenUrl", "title": "Open ASB-2026-0110",
      "url": "https://cases.example.gov.uk/asb/ASB-2026-0110"}}
   ]
  }
 }]
}'

same "the ledger: each notification to a webhook once, under the key that carried it" \
	"$(sqlite3 -batch "$state" "SELECT recipient || ' ' || count(*) || ' ' || group_concat(DISTINCT message_id) FROM ledger
		WHERE recipient LIKE 'webhook:%' GROUP BY recipient ORDER BY recipient" | tr '\n' ' ')" \
	"webhook:ops 4 casewatch-$instance-6 webhook:slack 4 casewatch-$instance-7 webhook:teams 4 casewatch-$instance-8 "
same "five emails in the Maildir" "$(ls "$T/mail/new" | wc -l | tr -d ' ')" 5

# Later the same day: nothing new, so nothing is posted.
run "later the same day" 0 cw run --once --at 2026-11-19T12:30:00Z
expect_out "later the same day: nothing queued, nothing sent" \
"scan at 2026-11-19T12:30:00Z: 0 cases evaluated (incremental), 0 changed
1 due today, 12 overdue, 0 notifications queued
0 messages composed
sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "later the same day: no request" "$(lines "$log")" 3

# Friday 20th: ten stages reached, still one POST per webhook, each with
# a key of its own, carrying exactly the stages the scan says it queued.
# Two of the ten are 0138's call, escalated to West's manager, and 0139's
# fortnightly keep-informed cycle (due Monday 23), coming up for its
# officer: each goes to someone told of other stages too (two more
# escalations, two more coming up), so the emails are still six.
run "Friday" 0 cw run --once --at 2026-11-20
sed -n 's/^queued: \([^ ]*\) \([^:]*\): \([a-z]*\) ([1-9][0-9]* notifications*)$/\1 \2 \3/p' "$T/out" | sort >"$T/queued"
same "Friday: ten stages queued" "$(lines "$T/queued")" 10
same "Friday: everything sent" "$(tail -n 1 "$T/out")" "sent 9 messages (6 email, 3 webhook); 0 to retry, 0 dead"
same "Friday: one request more for each webhook" "$(sed -n '4,$p' "$log" | jq -r .path | tr '\n' ' ')" "/hook /slack /teams "
same "Friday: all signed and accepted" \
	"$(sed -n '4,$p' "$log" | jq -r '[.signature_ok, .status] | @tsv' | sort | uniq -c | sed 's/^ *//')" "3 true	200"
# The last request to /hook: Friday's.
jq -c 'select(.path == "/hook")' "$log" | tail -n 1 | jq -r '.body[] | [.case, .rule, .stage] | join(" ")' | sort >"$T/posted"
if [ -s "$T/posted" ] && cmp -s "$T/posted" "$T/queued"; then
	ok "Friday: the generic body carries exactly the stages queued"
else
	not_ok "Friday: the generic body carries exactly the stages queued"
	diff "$T/queued" "$T/posted" | sed 's/^/# /'
fi
# Teams on Friday: ten blocks, the most urgent first (escalated, due
# today, coming up; by reference within each), none left out.
same "Friday: the Teams card's blocks, most urgent first" \
	"$(jq -c 'select(.path == "/teams")' "$log" | tail -n 1 |
		jq -r '.body.attachments[0].content.body[1:][] | .items[0].text | sub("^\\[(?<r>[^]]*)\\]\\([^)]*\\): "; "\(.r) ")' | tr '\n' ',')" \
	"ASB-2026-0119 escalated,ASB-2026-0124 escalated,ASB-2026-0127 escalated,ASB-2026-0138 escalated,ASB-2026-0104 due today,ASB-2026-0110 due today,ASB-2026-0102 coming up,ASB-2026-0128 coming up,ASB-2026-0130 coming up,ASB-2026-0139 coming up,"
# Every Teams body against the Adaptive Card schema and the rules it
# leaves loose (tests/card-check.py).
reqs /teams .body >"$T/cards"
same "teams: every card passes tests/card-check.py" \
	"$("$PY" "$top_srcdir/tests/card-check.py" "$DATA/adaptive-card/adaptive-card.json" "$T/cards" 2>&1)" "2 cards checked"
same "Friday: a new key for each request, none reused" "$(jq -r .idempotency_key "$log" | sort -u | wc -l | tr -d ' ')" 6

### 2, 3 and 4. Webhooks that fail: another state database, the same
### receiver and secret. The token in /bad's query must never be shown.
rconf="$T/retry.conf"
cat >"$rconf" <<EOF
database = "cases.db";
state = "retry-state.db";
rules = [ "$top_srcdir/rules/leeds-asbu.conf" ];
webhooks = (
	{ name = "flaky"; url = "$base/flaky"; secret_file = "secret"; },
	{ name = "busy"; url = "$base/busy"; secret_file = "secret"; },
	{ name = "bad"; url = "$base/bad?token=SEKRIT-TOKEN-42"; secret_file = "secret"; }
);
notify = { $quiet };
EOF
rw() { "$CASEWATCH" -c "$rconf" "$@"; }
rstate="$T/retry-state.db"
: >"$T/said"
run "failing webhooks: baseline" 0 rw run --once --at 2026-11-18
n=$(lines "$log")
run "failing webhooks: the next day" 0 rw run --once --at 2026-11-19
cat "$T/out" "$T/err" >>"$T/said"
expect_out "500 and 429 will be retried, 400 is dead" \
"scan at 2026-11-19T12:00:00Z: 39 cases evaluated (full: new day), 12 changed
queued: ASB-2026-0103 serious-incident-call: escalated (4 notifications)
queued: ASB-2026-0109 victim-visit: overdue (5 notifications)
queued: ASB-2026-0110 victim-visit: upcoming (4 notifications)
queued: ASB-2026-0138 serious-incident-call: due (4 notifications)
1 due today, 12 overdue, 17 notifications queued
composed: message 1 to aisha.khan@example.gov.uk: 1 due today
composed: message 2 to declan.walsh@example.gov.uk: 1 coming up
composed: message 3 to jaya.patel@example.gov.uk: 1 overdue
composed: message 4 to michael.okafor@example.gov.uk: 1 overdue
composed: message 5 to robert.ng@example.gov.uk: 1 escalated
composed: message 6 to webhook bad: 1 due today, 1 overdue, 1 escalated, 1 coming up
composed: message 7 to webhook busy: 1 due today, 1 overdue, 1 escalated, 1 coming up
composed: message 8 to webhook flaky: 1 due today, 1 overdue, 1 escalated, 1 coming up
8 messages composed
not delivered: message 6 to webhook bad \"casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up\": webhook bad: HTTP 400: status 400 for [hidden]?[hidden] (dead: refused)
not delivered: message 7 to webhook busy \"casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up\": webhook busy: HTTP 429: status 429 for [hidden] (will retry)
not delivered: message 8 to webhook flaky \"casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up\": webhook flaky: HTTP 500: status 500 for [hidden] (will retry)
sent 5 messages (5 email, 0 webhook); 2 to retry, 1 dead"
same "one request to each failing webhook" "$(sed -n "$((n + 1)),\$p" "$log" | jq -r '[.path, .status, .signature_ok] | @tsv' | tr '\n' ' ')" \
	"/bad?token=SEKRIT-TOKEN-42	400	true /busy	429	true /flaky	500	true "
rinstance=$(sqlite3 -batch "$rstate" "SELECT value FROM meta WHERE key = 'instance'")
t0=$(epoch 2026-11-19T12:00:00Z)
at() { date -u -d "@$((t0 + $1))" +%Y-%m-%dT%H:%M:%SZ; }

## 2. 500: the first retry 30 to 60 s later, then 200.
flaky_next=$(next_attempt "$rconf" 8)
if [ -n "$flaky_next" ] && [ $((flaky_next - t0)) -ge 30 ] && [ $((flaky_next - t0)) -le 60 ]; then
	ok "500: outbox shows the next attempt 30-60 s later"
else
	not_ok "500: outbox shows the next attempt 30-60 s later (got '$(cat "$T/next")')"
	rw outbox | sed 's/^/# /'
fi
n=$(lines "$log")
run "outbox send 29 s later" 0 rw outbox send --at "$(at 29)"
expect_out "29 s later: nothing is due yet" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "29 s later: no request" "$(lines "$log")" "$n"
run "outbox send 60 s later" 0 rw outbox send --at "$(at 60)"
cat "$T/out" "$T/err" >>"$T/said"
expect_out "60 s later: the 500 one is sent; the 429 one waits" "sent 1 message (0 email, 1 webhook); 0 to retry, 0 dead"
same "500 then 200: two requests to /flaky, statuses" "$(reqs /flaky .status | tr '\n' ' ')" "500 200 "
same "500 then 200: the same Idempotency-Key both times" "$(reqs /flaky .idempotency_key | sort -u)" "\"casewatch-$rinstance-8\""
same "500 then 200: the same body both times" "$(reqs /flaky .body | sort -u | wc -l | tr -d ' ')" 1
same "500 then 200: signed both times" "$(reqs /flaky .signature_ok | tr '\n' ' ')" "true true "
same "500 then 200: one accepted delivery" "$(reqs /flaky 'select(.status == 200) | .status' | wc -l | tr -d ' ')" 1
same "500 then 200: the message is sent, after two attempts" \
	"$(sqlite3 -batch "$rstate" "SELECT status || ' ' || attempts || ' ' || (finished_at - $t0) FROM messages WHERE id = 8")" "sent 2 60"
same "500 then 200: its four notifications in the ledger once each" \
	"$(sqlite3 -batch "$rstate" "SELECT count(*) || ' ' || count(DISTINCT outbox_id) || ' ' || group_concat(DISTINCT message_id) FROM ledger WHERE recipient = 'webhook:flaky'")" \
	"4 4 casewatch-$rinstance-8"

## 3. 429 with Retry-After: 7200: nothing before two hours.
busy_next=$(next_attempt "$rconf" 7)
if [ -n "$busy_next" ] && [ $((busy_next - t0)) -ge 7200 ] && [ $((busy_next - t0)) -le 10800 ]; then
	ok "429: outbox shows the next attempt no earlier than Retry-After (at +$((busy_next - t0)) s)"
else
	not_ok "429: outbox shows the next attempt no earlier than Retry-After (got '$(cat "$T/next")', want >= $(at 7200))"
	rw outbox | sed 's/^/# /'
	[ -n "$busy_next" ] || busy_next=$((t0 + 7200))
fi
same "429: the last error is kept" "$(rw outbox | grep -A1 '^7	' | sed -n 2p)" "	last error: webhook busy: HTTP 429: status 429 for [hidden]"
run "outbox send a second before" 0 rw outbox send --at "$(at $((busy_next - t0 - 1)))"
expect_out "a second before: nothing sent" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "a second before: still one request to /busy" "$(n_reqs /busy)" 1
run "outbox send when it is due" 0 rw outbox send --at "$(at $((busy_next - t0)))"
expect_out "when it is due: sent" "sent 1 message (0 email, 1 webhook); 0 to retry, 0 dead"
same "429 then 200: statuses" "$(reqs /busy .status | tr '\n' ' ')" "429 200 "
same "429 then 200: the same Idempotency-Key both times" "$(reqs /busy .idempotency_key | sort -u)" "\"casewatch-$rinstance-7\""
same "429 then 200: the same body both times" "$(reqs /busy .body | sort -u | wc -l | tr -d ' ')" 1

## 4. 400: dead at once, never tried again, listed.
run "outbox: only the dead one is left" 0 rw outbox
cat "$T/out" >>"$T/said"
expect_out "outbox lists the 400 as dead, with its error" \
"6	dead	webhook bad	1 attempt	given up 2026-11-19T12:00:00Z	casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up
	last error: webhook bad: HTTP 400: status 400 for [hidden]?[hidden]"
run "outbox --dead" 0 rw outbox --dead
expect_out "outbox --dead lists it too" \
"6	dead	webhook bad	1 attempt	given up 2026-11-19T12:00:00Z	casewatch: 1 due today, 1 overdue, 1 escalated, 1 coming up
	last error: webhook bad: HTTP 400: status 400 for [hidden]?[hidden]"
run "outbox send a day later" 0 rw outbox send --at 2026-11-20T14:00:00Z
expect_out "a day later: nothing to send" "sent 0 messages (0 email, 0 webhook); 0 to retry, 0 dead"
same "400: one request, never another" "$(n_reqs '/bad?token=SEKRIT-TOKEN-42')" 1
same "400: its notifications are dead, none in the ledger" \
	"$(sqlite3 -batch "$rstate" "SELECT group_concat(DISTINCT status) || ' ' || count(*) || ' ' || (SELECT count(*) FROM ledger WHERE recipient = 'webhook:bad') FROM outbox WHERE recipient = 'webhook:bad'")" \
	"dead 4 0"
run "status" 0 rw status --at 2026-11-20
cat "$T/out" >>"$T/said"
if grep -q '^messages given up' "$T/out" && grep -q '^6	dead	webhook bad	' "$T/out"; then
	ok "status lists the dead message"
else
	not_ok "status lists the dead message"
	tail -n 5 "$T/out" | sed 's/^/# /'
fi

### 5b. A scan with more notifications for one webhook than one call
### carries (230, after days without a scan): calls of at most 200, every
### notification in exactly one of them, none lost, none twice.
mdb="$T/many/cases.db"
mkdir -p "$T/many"
cp "$T/secret" "$T/many/secret"
"$CASEWATCH" db init "$mdb" >/dev/null
{
	echo "BEGIN;"
	for i in $(seq 5001 5230); do
		echo "INSERT INTO cases (id, ref, stage, category, serious, officer, team, received_at) VALUES ($i, 'ASB-2026-$i', 'enquiry', 'personal', 1, 'akhan', 'west', '2026-11-17T09:30:00Z');"
		echo "INSERT INTO parties (id, case_id, role, preferred_channel) VALUES ($i, $i, 'victim', 'phone');"
	done
	echo "COMMIT;"
} | sqlite3 -bail -batch "$mdb"
printf '%s\n' 'database = "cases.db";' 'state = "state.db";' "rules = [ \"$top_srcdir/rules/leeds-asbu.conf\" ];" \
	"webhooks = ( { name = \"many\"; url = \"$base/many\"; format = \"generic\"; secret_file = \"secret\"; } );" \
	"notify = { $quiet };" >"$T/many/casewatch.conf"
run "many: the baseline" 0 "$CASEWATCH" -c "$T/many/casewatch.conf" run --once --at 2026-11-17T10:00:00Z
run "many: two days later" 0 "$CASEWATCH" -c "$T/many/casewatch.conf" run --once --at 2026-11-19T12:00:00Z
same "many: 230 notifications for the webhook" \
	"$(sqlite3 -batch "$T/many/state.db" "SELECT count(*) FROM outbox WHERE recipient = 'webhook:many'")" 230
same "many: two calls, of 200 and 30" "$(reqs /many '.body | length' | tr '\n' ' ')" "200 30 "
same "many: each case once, all 230" \
	"$(reqs /many '.body[] | .case' | sort -u | wc -l | tr -d ' ') $(reqs /many '.body[] | .case' | wc -l | tr -d ' ')" "230 230"
same "many: every notification sent, in one of two messages" \
	"$(sqlite3 -batch "$T/many/state.db" "SELECT min(status) || ' ' || max(status) || ' ' || count(DISTINCT message_id) FROM outbox WHERE recipient = 'webhook:many'")" \
	"sent sent 2"

### 6. Never a party label in any request, and never the URL's token in
### anything casewatch said.
jq -r '.body | tostring' "$log" >"$T/bodies"
same "the receiver logged every request" "$(lines "$T/bodies")" 13
if grep -F -f "$T/labels" "$T/bodies" >"$T/leaked"; then
	not_ok "no party label in any request body"
	head -n 3 "$T/leaked" | cut -c 1-200 | sed 's/^/# /'
else
	ok "no party label in any request body"
fi
grep -q SEKRIT "$T/said" && not_ok "the URL's token never shown" || ok "the URL's token never shown"

done_testing

#!/bin/sh
# Text from the case database that is not fit for a message (issue 12):
# bytes that are not UTF-8 (0xff, a lone continuation byte, an overlong
# form, a surrogate encoded in UTF-8, a sequence cut short at the end),
# control characters (CR, LF, ESC), a value of 10 MB, a Slack mention and
# a markdown link, planted in every column of the case database that
# reaches a message: cases.ref, officer and team; officers.id, name and
# email; teams.id, name, supervisor and manager_email. Notifications and
# digests go to a generic, a Slack and a Teams webhook (a real HTTP
# receiver, tests/http-receiver.py) and by email to a real SMTP server
# (tests/smtp-server.py), through a week of March 2027 (GMT) with the
# send window open and the digests due. What is checked: every run exits
# 0 without a sanitizer report; every POST body is JSON, with U+FFFD where
# the bytes were bad and no value over its cap; the Slack text has no live
# mention and no link but ours, the Teams card's texts no link but ours,
# and every card passes tests/card-check.py; every
# notification the ledger says was delivered reached a receiver and the
# other way round; every email parses without a defect, is UTF-8 and is
# below a bound computed from the caps; the digests were delivered; and a
# notification whose address is unusable is kept and said, not lost.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
need_python aiosmtpd.smtp

cleanup() {
	stop_servers
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# The caps (daemon/util.h), in bytes after cleaning.
TEXT_MAX_REF=64
TEXT_MAX_ID=64
TEXT_MAX_NAME=100

### The servers: SMTP without TLS (a local relay), and the receiver.
mkdir -p "$T/smtp/out"
serve "$T/smtp/port" "$T/smtp/server.log" "$top_srcdir/tests/smtp-server.py" --out "$T/smtp/out" || {
	echo "Bail out! the SMTP server did not start"
	exit 1
}
smtp_port=$served_port
: >"$T/hook.log"
serve "$T/hook.port" "$T/hook.err" "$top_srcdir/tests/http-receiver.py" --out "$T/hook.log" || {
	echo "Bail out! the HTTP receiver did not start"
	exit 1
}
base="http://127.0.0.1:$served_port"

### The values. As SQL: bytes planted with CAST(X'..' AS TEXT), which
### SQLite stores as they are.
# R, 0xff, a lone 0x80, the overlong 0xc0 0xaf, the surrogate U+D800 as
# 0xed 0xa0 0x80, CR LF, ESC [1m, X, and 0xe2 0x82 cut short at the end.
bad_hex='52FF80C0AFEDA0800D0A1B5B316D58E282'
BAD="CAST(X'$bad_hex' AS TEXT)"
# Each bad byte one U+FFFD (the overlong form two, the surrogate three),
# each control character a space.
FFFD=$(printf '\357\277\275')
bad_clean="R$FFFD$FFFD$FFFD$FFFD$FFFD$FFFD$FFFD   [1mX$FFFD$FFFD"
# 10 MB.
HUGE="printf('%.*c', 10485760, 'H')"
# Cut at the cap, ending in U+2026 within it.
huge_clean() { printf '%s\342\200\246' "$(printf "%$(($1 - 3))s" '' | tr ' ' H)"; }
MENTION="'<!channel> <@U123> & co'"
MDLINK="'[click](http://evil.example)'"

### The case database: a row for each kind of value in each column.
db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -bail -batch "$db" >"$T/sql.out" 2>&1 <<EOF || { echo "Bail out! the case database"; sed 's/^/# /' "$T/sql.out"; exit 1; }
INSERT INTO teams (id, name, supervisor, manager_email) VALUES
	($BAD, $MENTION, 'sup1', 'mgr1@council.test'),
	($HUGE, $MDLINK, $BAD, 'mgr2@council.test'),
	($MENTION, $HUGE, $HUGE, $BAD),
	($MDLINK, $BAD, 'sup1', $HUGE),
	('t5', 'Team Five', $MENTION, $MENTION),
	('t6', 'Team Six', $MDLINK, $MDLINK);
INSERT INTO officers (id, name, email, team) VALUES
	('sup1', $BAD, 'sup1@council.test', 't5'),
	($BAD, $HUGE, 'o2@council.test', 't5'),
	($HUGE, $MENTION, 'o3@council.test', 't5'),
	($MENTION, $MDLINK, 'o4@council.test', 't5'),
	($MDLINK, 'Orla Five', $BAD, 't5'),
	('o6', 'Otto Six', $HUGE, 't5'),
	('o7', 'Olive Seven', $MENTION, 't5'),
	('o8', 'Oona Eight', $MDLINK, 't5');
INSERT INTO cases (id, ref, category, officer, team, received_at) VALUES
	(1, $BAD, 'nuisance', $BAD, $BAD, '2027-03-01T09:00:00Z'),
	(2, $HUGE, 'nuisance', $HUGE, $HUGE, '2027-03-01T09:00:00Z'),
	(3, $MENTION, 'nuisance', $MENTION, $MENTION, '2027-03-01T09:00:00Z'),
	(4, $MDLINK, 'nuisance', 'sup1', $MDLINK, '2027-03-01T09:00:00Z'),
	(5, 'ASB|2027|5', 'nuisance', $MDLINK, 't5', '2027-03-01T09:00:00Z'),
	(6, 'ASB-2027-0006', 'nuisance', 'o6', 't6', '2027-03-01T09:00:00Z'),
	(7, 'ASB-2027-0007', 'nuisance', 'o7', 't5', '2027-03-01T09:00:00Z'),
	(8, 'ASB-2027-0008', 'nuisance', 'o8', 't6', '2027-03-01T09:00:00Z');
INSERT INTO parties (case_id, role, label) SELECT id, 'complainant', 'Resident ' || id FROM cases;
EOF
same "the 10 MB values are stored whole" \
	"$(sqlite3 -batch "$db" "SELECT length(ref) FROM cases WHERE id = 2; SELECT max(length(name)) FROM officers" | tr '\n' ' ')" \
	"10485760 10485760 "

# A 2-working-day reply: upcoming the day before (to the officer), due on
# the day (the officer), overdue after (the officer and the supervisor),
# escalated 2 working days after (the manager).
cat >"$T/pack.conf" <<'EOF'
pack = "badtext-test";
title = "Standards for the bad text test";
notify = {
	upcoming = { before = "1 working day"; to = [ "officer" ]; };
	due = { to = [ "officer" ]; };
	overdue = { to = [ "officer", "supervisor" ]; };
	escalated = { after = "2 working days"; to = [ "manager" ]; };
};
rules = (
	{
		id = "reply";
		title = "Reply to the complainant within 2 working days";
		kind = "deadline";
		from = "received";
		within = "2 working days";
		met_by = { kind = "contact"; };
	}
);
EOF
conf="$T/casewatch.conf"
cat >"$conf" <<EOF
database = "cases.db";
state = "state.db";
rules = [ "pack.conf" ];
timezone = "Europe/London";
smtp = {
	server = "127.0.0.1:$smtp_port";
	tls = "none";
	from = "Casewatch <casewatch@council.test>";
	timeout = 5;
};
webhooks = (
	{ name = "ops"; url = "$base/ops"; format = "generic"; },
	{ name = "slack"; url = "$base/slack"; format = "slack"; },
	{ name = "teams"; url = "$base/teams"; format = "teams"; }
);
notify = {
	case_link = "https://crm.example.gov.uk/asb/{ref}";
	officer_digest = "08:00";
	manager_digest = { every = "day"; time = "08:00"; };
};
EOF
state="$T/state.db"
cw() { "$CASEWATCH" -c "$conf" "$@"; }
st() { sqlite3 -batch "$state" "$@"; }

### The week: Monday's first scan is the starting point; each day after,
### at noon, the stages reached and the digests.
: >"$T/said"
for day in 2027-03-01 2027-03-02 2027-03-03 2027-03-04 2027-03-05 2027-03-08; do
	run "run --once on $day exits 0" 0 cw run --once --at "${day}T12:00:00Z"
	cat "$T/out" "$T/err" >>"$T/said"
	same "$day: no message left half made (sending)" "$(st "SELECT count(*) FROM outbox WHERE status = 'sending'")" 0
done
# What casewatch printed names cases by their cleaned references too
# (scan.c cleans them as it reads them).
widest=$(wc -L <"$T/said")
n_ctl=$(LC_ALL=C grep -c "$(printf '[\r\033]')" "$T/said")
if [ "$widest" -le 1000 ] && [ "$n_ctl" -eq 0 ]; then
	ok "every line printed is short, with no CR or ESC"
else
	not_ok "every line printed is short, with no CR or ESC (widest $widest, $n_ctl lines with CR or ESC)"
fi
if [ "${KEEP:-}" ]; then cut -c 1-300 "$T/said" | sed 's/^/# said: /'; fi

### Webhooks: every body is JSON, as posted and as stored.
n_posts=$(wc -l <"$T/hook.log" | tr -d ' ')
same "the receiver parsed every body as JSON" \
	"$(jq -r '.body | type' "$T/hook.log" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')" \
	"$((n_posts / 3)) array $((n_posts / 3 * 2)) object "
same "each webhook was posted to each day a stage was reached" \
	"$(jq -r .path "$T/hook.log" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')" "4 /ops 4 /slack 4 /teams "
bad_bodies=0
for id in $(st "SELECT id FROM messages WHERE channel = 'webhook'"); do
	st "SELECT body FROM message_text WHERE id = $id" >"$T/body"
	jq -e . "$T/body" >/dev/null 2>&1 || bad_bodies=$((bad_bodies + 1))
	LC_ALL=C grep -q '[^ -~]' "$T/body" && bad_bodies=$((bad_bodies + 1))
done
same "every webhook body stored is JSON, and ASCII" "$bad_bodies" 0

# The generic bodies: the values cleaned, each within its cap.
jq -c 'select(.path == "/ops") | .body[]' "$T/hook.log" >"$T/items"
# item_for CASE: the officer and team of the last item posted for CASE.
item_for() { jq -r --arg c "$1" 'select(.case == $c) | [.officer, .team] | join(" / ")' "$T/items" | tail -n 1; }
h61=$(huge_clean $TEXT_MAX_REF)
h97=$(huge_clean $TEXT_MAX_NAME)
same "generic: bad bytes become U+FFFD, controls spaces (reference, officer name, team name)" \
	"$(item_for "$bad_clean")" "$h97 / <!channel> <@U123> & co"
same "generic: a 10 MB reference, officer id and team id, cut to their caps" \
	"$(item_for "$h61")" "<!channel> <@U123> & co / [click](http://evil.example)"
same "generic: a mention as a reference, the huge team name cut" \
	"$(item_for "<!channel> <@U123> & co")" "[click](http://evil.example) / $h97"
same "generic: a markdown link as a reference; a bad officer name and team name" \
	"$(item_for "[click](http://evil.example)")" "$bad_clean / $bad_clean"
same "generic: the link carries the reference percent-encoded" \
	"$(jq -r 'select(.case | startswith("R")) | .link' "$T/items" | sort -u)" \
	"https://crm.example.gov.uk/asb/R%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD%20%20%20%5B1mX%EF%BF%BD%EF%BF%BD"
same "generic: no value over its cap (in bytes)" \
	"$(jq -r '[.case, .officer, .team] | map(utf8bytelength) | "\(.[0] <= '$TEXT_MAX_REF') \(.[1] <= '$TEXT_MAX_NAME') \(.[2] <= '$TEXT_MAX_NAME')"' "$T/items" | sort -u)" \
	"true true true"
same "generic: no control character in any value" \
	"$(jq -r '.. | strings | select(explode | any(. < 32 or . == 127))' "$T/items" | wc -l | tr -d ' ')" 0

# Slack: each piece of data escaped, so nothing but our links is markup.
# Each of the four days with a stage reached, a line for case 1 (the bad
# reference) and one for case 4 (the bad team name); two for the mention
# (case 3's reference, case 1's team name), two for the markdown link.
jq -r 'select(.path == "/slack") | .body.text' "$T/hook.log" >"$T/slack"
same "slack: U+FFFD where the bytes were bad" "$(grep -c -F "$bad_clean" "$T/slack")" 8
same "slack: no live mention" "$(grep -c -e '<!' -e '<@' "$T/slack")" 0
same "slack: the mention is shown, escaped" "$(grep -c -F '&lt;!channel&gt; &lt;@U123&gt; &amp; co' "$T/slack")" 8
# Removing our links <https://crm.example.gov.uk/asb/...|...> leaves no < or >.
same "slack: no < or > but our links'" \
	"$(sed 's#<https://crm\.example\.gov\.uk/asb/[^|<> ]*|[^<>]*>##g' "$T/slack" | grep -c '[<>]')" 0
same "slack: a | in a reference does not split the link" \
	"$(grep -c -F '<https://crm.example.gov.uk/asb/ASB%7C2027%7C5|ASB|2027|5>' "$T/slack")" 4

# Teams: an Adaptive Card, its text in TextBlocks and fact values, which
# Teams reads as markdown: a backslash before each markdown special of the
# data. A line of $T/teams for each such text. Each of the four days,
# each value shows three times: the bad bytes as case 1's reference, and
# case 4's officer's and team's names; the mention as case 3's reference,
# case 2's officer's name and case 1's team's; the markdown link as case
# 4's reference, case 3's officer's name and case 2's team's.
jq -r 'select(.path == "/teams") | .body.attachments[0].content.body[] | ..
	| objects | (select(.type == "TextBlock") | .text), (.facts // [] | .[] | .value)' "$T/hook.log" >"$T/teams"
same "teams: U+FFFD where the bytes were bad" "$(grep -c -F "$(printf '%s' "$bad_clean" | sed 's/\[/\\[/')" "$T/teams")" 12
same "teams: the markdown link is inert" "$(grep -c -F '\[click\]\(http://evil.example\)' "$T/teams")" 12
same "teams: the mention is escaped" "$(grep -c -F '\<\!channel\> \<@U123\> & co' "$T/teams")" 12
# Removing our links [...](https://crm.example.gov.uk/asb/...) leaves no
# [ ] < > that is not escaped.
same "teams: no link but ours" \
	"$(sed 's#\[\([^]\\]\|\\.\)*\](https://crm\.example\.gov\.uk/asb/[^)]*)##g' "$T/teams" | grep -c '\(^\|[^\\]\)[][<>]')" 0
same "teams: our link for each notification" \
	"$(grep -c '^\[\([^]\\]\|\\.\)*\](https://crm\.example\.gov\.uk/asb/[^)]*): ' "$T/teams")" 32
jq -c 'select(.path == "/teams") | .body' "$T/hook.log" >"$T/cards"
same "teams: every card passes tests/card-check.py" \
	"$("$PY" "$top_srcdir/tests/card-check.py" "$DATA/adaptive-card/adaptive-card.json" "$T/cards" 2>&1)" "4 cards checked"

### Nothing silently dropped: what the ledger says each webhook was given
### is what it got, notification by notification.
for hook in ops slack teams; do
	same "the ledger's notifications to webhook $hook are what it got" \
		"$(st "SELECT count(*) FROM ledger WHERE recipient = 'webhook:$hook'")" \
		"$(case $hook in
			ops) jq -c 'select(.path == "/ops") | .body[]' "$T/hook.log" | wc -l ;;
			slack) jq -r 'select(.path == "/slack") | .body.text' "$T/hook.log" | grep -c '^• ' ;;
			# Teams: a block each, and those "and N more" counts.
			teams) jq 'select(.path == "/teams") | .body.attachments[0].content.body[]
				| if .type == "Container" then 1 else (.text | capture("^and (?<n>[0-9]+) more") | .n | tonumber) // 0 end' \
				"$T/hook.log" | awk '{ n += $1 } END { print n }' ;;
		esac | tr -d ' ')"
done
same "every webhook message sent, each accepted" \
	"$(st "SELECT group_concat(DISTINCT status) || ' ' || count(*) FROM messages WHERE channel = 'webhook'") $(jq -r .status "$T/hook.log" | sort -u)" \
	"sent 12 200"

### Email.
n_mail=$(ls "$T/smtp/out" | grep -c '\.eml$')
same "every email the state database has as sent, the server has" \
	"$(st "SELECT count(*) FROM messages WHERE channel = 'email' AND status = 'sent'")" "$n_mail"
same "no message dead, none waiting" "$(st "SELECT count(*) FROM messages WHERE status <> 'sent'")" 0
same "the officers' and managers' digests, all delivered" \
	"$(st "SELECT kind || ' ' || destination || ' ' || status FROM messages WHERE kind <> 'notice' AND period = '2027-03-08' ORDER BY kind, destination" | tr '\n' ',')" \
	"manager-digest mgr1@council.test sent,manager-digest mgr2@council.test sent,officer-digest o2@council.test sent,officer-digest o3@council.test sent,officer-digest o4@council.test sent,officer-digest sup1@council.test sent,"

# The bound: a message's fields are capped, so its size is bounded by its
# number of lines (obligations, or undelivered notifications) times what
# one line can take (a reference, two names, an id, the reference three
# times in a link, and 512 bytes of template, title, date and lateness),
# six times over for HTML escaping (&quot;) and for each of the text and
# HTML parts, three times over for quoted-printable, plus 16 KiB of the
# rest.
lines=$(($(st "SELECT count(*) FROM obligations") + $(st "SELECT count(*) FROM outbox WHERE status = 'dead'")))
line_max=$((TEXT_MAX_REF + 2 * TEXT_MAX_NAME + TEXT_MAX_ID + 3 * TEXT_MAX_REF + 512))
bound=$((16384 + lines * line_max * (1 + 6) * 3))
"$PY" - "$T/smtp/out" "$bound" "$bad_clean" >"$T/mail.check" 2>&1 <<'EOF'
import email, email.policy, glob, os, sys
out, bound, bad = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fffd = 0
for f in sorted(glob.glob(os.path.join(out, "*.eml"))):
    raw = open(f, "rb").read()
    name = os.path.basename(f)
    if len(raw) >= bound:
        print("%s: %d bytes, over the bound of %d" % (name, len(raw), bound))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    if m.defects:
        print("%s: defects %s" % (name, m.defects))
    heads = sorted(set(k.lower() for k in m.keys()))
    want = ["auto-submitted", "content-type", "date", "from", "message-id", "mime-version", "subject", "to",
            "x-auto-response-suppress"]
    if [h for h in heads if h != "references"] != want:
        print("%s: headers %s" % (name, heads))
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if len(line) > 998 or any(c > 0x7e or (c < 0x20 and c != 9) for c in line):
            print("%s: a header line not 7-bit or too long: %r" % (name, line[:80]))
    str(m["Subject"])
    for part in m.walk():
        if part.is_multipart():
            continue
        if part.defects:
            print("%s: part defects %s" % (name, part.defects))
        try:
            text = part.get_payload(decode=True).decode("utf-8")
        except UnicodeDecodeError as e:
            print("%s: a part is not UTF-8: %s" % (name, e))
            continue
        if bad in text:
            fffd += 1
        if "\x1b" in text or "\r" in text.replace("\r\n", ""):
            print("%s: a control character in a part" % name)
print("%d parts with the repaired text" % (fffd > 0))
EOF
same "every email parses without a defect, 7-bit headers, UTF-8 parts, each below $bound bytes" \
	"$(cat "$T/mail.check")" "1 parts with the repaired text"
same "no email anywhere near the 10 MB of the values" \
	"$(find "$T/smtp/out" -name '*.eml' -size +1024k | wc -l | tr -d ' ')" 0

### Unusable addresses: kept and said, then given up and listed, never lost.
same "each notification given up was said to be, with why" \
	"$(grep -c '^problem: .* has no usable \(email address\|manager_email\) (given up)$' "$T/said")" \
	"$(st "SELECT count(*) FROM outbox WHERE status = 'dead'")"
same "every notification sent, or dead with the reason (none silently pending)" \
	"$(st "SELECT count(*) FROM outbox WHERE NOT (status = 'sent' OR status = 'void' OR (status IN ('dead', 'pending') AND last_error LIKE '%usable%'))")" 0
same "the unusable addresses' notifications were given up" \
	"$(st "SELECT count(*) > 0 FROM outbox WHERE status = 'dead' AND last_error LIKE '%no usable%'")" 1
same "the ledger has only what was sent" \
	"$(st "SELECT count(*) FROM ledger")" "$(st "SELECT count(*) FROM outbox WHERE status = 'sent'")"

done_testing

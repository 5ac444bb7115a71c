#!/bin/sh
# Templates named in the configuration replace the built-in ones in what is
# sent (casewatch.conf(5), TEMPLATES): the demo database's Friday scan,
# into the Maildir, with a notice subject (its file's line end not part of
# it) and text of the unit's own; an
# HTML template escapes what it is given; a template naming a field the
# kind does not offer is refused with its own file and line.
. "${top_srcdir:-.}/tests/lib.sh"

"$CASEWATCH" db init "$T/cases.db" >/dev/null
sqlite3 -batch "$T/cases.db" <"$top_srcdir/examples/demo.sql"
# An officer name that HTML must escape.
sqlite3 -batch "$T/cases.db" "UPDATE officers SET name = 'Declan <Walsh> & Co' WHERE id = 'dwalsh'"
printf 'Reminder: {{count}} for {{recipient}}\n' >"$T/subject.tmpl"
printf '{{#items}}\n{{case}} {{stage}} ({{officer}})\n{{/items}}\n' >"$T/text.tmpl"
printf '<p>{{#items}}{{officer}}{{/items}}</p>\n' >"$T/html.tmpl"
cat >"$T/casewatch.conf" <<CONF
database = "cases.db";
rules = [ "$top_srcdir/rules/leeds-asbu.conf" ];
notify = {
	officer_digest = false;
	manager_digest = { every = "never"; };
	templates = { notice_subject = "subject.tmpl"; notice_text = "text.tmpl"; notice_html = "html.tmpl"; };
};
CONF
cw() { "$CASEWATCH" -c "$T/casewatch.conf" "$@"; }

run "the configuration with templates is OK" 0 cw check
run "the first scan" 0 cw run --once --at 2026-11-19T07:00:00Z
run "the Friday scan sends" 0 cw run --once --at 2026-11-20
# The officer's name, which holds < and >, in To as one quoted-string.
f=$(grep -l '^To: "Declan <Walsh> & Co" <declan.walsh@example.gov.uk>' "$T"/mail/new/* | head -n 1)
same "the subject is the unit's" "$(sed -n 's/^Subject: //p' "$f" | tr -d '\r')" \
	"Reminder: 1 for declan.walsh@example.gov.uk"
/usr/bin/python3 - "$f" >"$T/parts" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("plain",)).get_content(), end="")
print(m.get_body(("html",)).get_content(), end="")
PY
cp "$T/parts" "$T/out"
expect_out "the text and HTML parts are the unit's, escaped in HTML only" \
	"$(printf 'ASB-2026-0110 due today (Declan <Walsh> & Co)\n<p>Declan &lt;Walsh&gt; &amp; Co</p>')"

printf 'Hello {{officer}}\n{{#items}}\n{{label}}\n{{/items}}\n' >"$T/text.tmpl"
run "a field the notice does not offer" 1 cw check
expect_out "is refused at the template's own line" \
	"$T/text.tmpl:1: field 'officer' is only valid inside {{#items}}...{{/items}}
$T/text.tmpl:3: unknown field 'label' (fields here: case, rule, title, stage, due, late, officer, team, link, deadline, when, owed_to, met_by, colour, summary, count, recipient, items, more)"
done_testing

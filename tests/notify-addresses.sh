#!/bin/sh
# The addresses in the emails casewatch sends, as a mail client reads them:
# casewatch run --once sends to a real SMTP server (tests/smtp-server.py,
# aiosmtpd) and Python 3's email package (policy=email.policy.default, its
# headerregistry) parses each message it received. From is smtp.from and
# To the recipient with the officer's name from the case database; each
# must hold exactly one address, with the display name and addr-spec meant,
# whatever the name holds: commas, quotes and backslashes, dots and
# parentheses, text that looks like an encoded-word, letters that are not
# ASCII (a long Welsh name among them, several encoded-words). An address
# no officer has goes without a name. The SMTP envelope (MAIL FROM, RCPT
# TO) carries the bare addresses. `casewatch check` refuses a sender or a
# recipient that cannot be written safely, naming the setting and line.
# casewatch.conf(5), ADDRESSES. Each run of words that are not ASCII here
# fits one encoded-word: Debian 12's Python 3.11 keeps the white space between
# two encoded-words of a display name, which RFC 2047 section 6.2 says to
# drop (CPython gh-128110), so a run cut in two reads back with a space
# too many; tests/test-message.c checks that case byte for byte.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

. "$top_srcdir/tests/servers.sh"
SMTP_SERVER="$top_srcdir/tests/smtp-server.py"
need_python aiosmtpd.smtp

cleanup() {
	stop_servers
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# An upcoming reminder for the officer and a team address the day before a
# 2-working-day deadline; the managers' digest every day.
cat >"$T/pack.conf" <<'EOF'
pack = "address-test";
title = "Standards for the address test";
notify = {
	upcoming = { before = "1 working day"; to = [ "officer", "asb-team@council.test" ]; };
	due = false;
	overdue = false;
	escalated = false;
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

# The unit's staff: a name for each way a display name can go wrong, two
# officers of different names sharing one mailbox, and a manager who is
# not an officer. One case each, received on Monday 1 March 2027.
"$CASEWATCH" db init "$T/cases.db" >/dev/null
sqlite3 -bail -batch "$T/cases.db" <<'EOF'
INSERT INTO teams (id, name, supervisor, manager_email) VALUES
	('north', 'North Team', 'plain', 'manager@council.test');
INSERT INTO officers (id, name, email, team) VALUES
	('plain', 'Olive One', 'olive.one@council.test', 'north'),
	('comma', 'Smith, Jo', 'jo.smith@council.test', 'north'),
	('quote', 'Jo "JJ" O''Brien \ North', 'jj.obrien@council.test', 'north'),
	('dots', 'J. R. Hartley', 'jr.hartley@council.test', 'north'),
	('paren', 'Ffion Price (£ Fund)', 'ffion.price@council.test', 'north'),
	('accent', 'Siân Évans', 'sian.evans@council.test', 'north'),
	('welsh', 'Gwenllïan ferch Gruffydd ap Cynan, Swyddog Ymddygiad Gwrthgymdeithasol, Tîm Ynys Môn a Gwynedd',
		'gwenllian@council.test', 'north'),
	('ew', '=?UTF-8?B?SGk=?=', 'hi@council.test', 'north'),
	('pat1', 'Pat One', 'shared@council.test', 'north'),
	('pat2', 'Pat Two', 'shared@council.test', 'north');
EOF
i=0
for o in plain comma quote dots paren accent welsh ew pat1 pat2; do
	i=$((i + 1))
	printf "INSERT INTO cases (id, ref, category, officer, team, received_at) VALUES (%d, 'ASB-2027-%04d', 'nuisance', '%s', 'north', '2027-03-01T09:00:00Z');\n" \
		"$i" "$i" "$o"
done | sqlite3 -bail -batch "$T/cases.db"

# What each message must say, one line each, sorted: To's addr-spec and
# display name, then From's. "-" is no name.
to_lines() {
	cat <<'EOF'
asb-team@council.test	-
gwenllian@council.test	Gwenllïan ferch Gruffydd ap Cynan, Swyddog Ymddygiad Gwrthgymdeithasol, Tîm Ynys Môn a Gwynedd
hi@council.test	=?UTF-8?B?SGk=?=
jj.obrien@council.test	Jo "JJ" O'Brien \ North
jo.smith@council.test	Smith, Jo
jr.hartley@council.test	J. R. Hartley
ffion.price@council.test	Ffion Price (£ Fund)
manager@council.test	-
olive.one@council.test	Olive One
shared@council.test	-
sian.evans@council.test	Siân Évans
EOF
}

# read_back DIR: each message DIR holds, parsed by Python's email package:
# "TO-ADDRESS <tab> TO-NAME <tab> FROM-ADDRESS <tab> FROM-NAME", sorted,
# and a line for anything wrong: not exactly one From or To header, not
# exactly one address in it, a defect the parser found, or a header line
# that is not ASCII or longer than 78 characters.
read_back() {
	PYTHONIOENCODING=utf-8 "$PY" - "$1" <<'EOF' | LC_ALL=C sort
import email, email.policy, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if not f.endswith(".eml"):
        continue
    raw = open(os.path.join(d, f), "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        if len(line) > 78 or any(c > 0x7e or c < 0x20 for c in line):
            print("%s: header line %r" % (f, line))
    m = email.message_from_bytes(raw, policy=email.policy.default)
    out = []
    for k in ("To", "From"):
        hs = m.get_all(k) or []
        if len(hs) != 1:
            print("%s: %d %s headers" % (f, len(hs), k))
            continue
        h = hs[0]
        if h.defects:
            print("%s: %s defects %r" % (f, k, h.defects))
        if len(h.addresses) != 1 or len(h.groups) != 1 or h.groups[0].display_name is not None:
            print("%s: %s holds %d addresses: %r" % (f, k, len(h.addresses), str(h)))
            continue
        a = h.addresses[0]
        out += [a.addr_spec, a.display_name or "-"]
    if len(out) == 4:
        print("\t".join(out))
EOF
}

# scenario NAME FROM: a configuration sending as FROM (a libconfig string,
# as written in the file) to a server of its own; two scans (Monday,
# Tuesday 09:00), the second sending.
scenario() {
	mkdir -p "$T/$1/out"
	if ! serve "$T/$1/port" "$T/$1/server.log" "$SMTP_SERVER" --out "$T/$1/out"; then
		echo "Bail out! the SMTP server did not start"
		exit 1
	fi
	cat >"$T/$1/casewatch.conf" <<EOF
database = "../cases.db";
state = "state.db";
rules = [ "../pack.conf" ];
timezone = "Europe/London";
smtp = {
	server = "127.0.0.1:$served_port";
	tls = "none";
	from = $2;
	timeout = 5;
};
notify = {
	officer_digest = false;
	manager_digest = { every = "day"; time = "08:00"; };
};
EOF
	run "$1: check" 0 "$CASEWATCH" -c "$T/$1/casewatch.conf" check
	run "$1: the first scan" 0 "$CASEWATCH" -c "$T/$1/casewatch.conf" run --once --at 2027-03-01T06:00:00Z
	run "$1: Tuesday 09:00" 0 "$CASEWATCH" -c "$T/$1/casewatch.conf" run --once --at 2027-03-02T09:00:00Z
	if grep -qxF "sent 11 messages (11 email, 0 webhook); 0 to retry, 0 dead" "$T/out"; then
		ok "$1: eleven messages sent"
	else
		not_ok "$1: eleven messages sent"
		sed 's/^/# stdout: /' "$T/out"
	fi
}

# expect_read_back NAME FROM-ADDRESS FROM-NAME: what the messages of
# scenario NAME read back as is exactly to_lines, with that From.
expect_read_back() {
	read_back "$T/$1/out" >"$T/got"
	to_lines | while IFS= read -r _l; do printf '%s\t%s\t%s\n' "$_l" "$2" "$3"; done | LC_ALL=C sort >"$T/want"
	if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
		ok "$1: From and To each one address, with the names meant"
	else
		not_ok "$1: From and To each one address, with the names meant"
		diff "$T/want" "$T/got" | sed 's/^/# /'
	fi
}

# expect_envelope NAME FROM-ADDRESS: MAIL FROM and RCPT TO of scenario
# NAME held the bare addresses.
expect_envelope() {
	same "$1: MAIL FROM is the bare address" \
		"$(grep -o 'MAIL FROM:<[^>]*> -> [0-9]*' "$T/$1/server.log" | sort -u)" "MAIL FROM:<$2> -> 250"
	same "$1: RCPT TO the bare addresses, one each" \
		"$(grep -o 'RCPT TO:<[^>]*> -> [0-9]*' "$T/$1/server.log" | LC_ALL=C sort | tr '\n' ' ')" \
		"$(to_lines | cut -f1 | LC_ALL=C sort | sed 's/.*/RCPT TO:<&> -> 250/' | tr '\n' ' ')"
}

# A comma in the sender's name, as people write it.
scenario comma '"Leeds City Council, ASB Unit <asb@leeds.example>"'
expect_read_back comma asb@leeds.example "Leeds City Council, ASB Unit"
expect_envelope comma asb@leeds.example
same "comma: the From line as written" \
	"$(grep -h '^From:' "$T/comma/out/"*.eml | tr -d '\r' | sort -u)" \
	'From: "Leeds City Council, ASB Unit" <asb@leeds.example>'

# Quotes and a backslash, the name given as a quoted-string.
scenario quoted '"\"The \\\"Quiet\\\" Unit \\\\ North\" <quiet@council.test>"'
expect_read_back quoted quiet@council.test 'The "Quiet" Unit \ North'
expect_envelope quoted quiet@council.test
same "quoted: the From line as written" \
	"$(grep -h '^From:' "$T/quoted/out/"*.eml | tr -d '\r' | sort -u)" \
	'From: "The \"Quiet\" Unit \\ North" <quiet@council.test>'

# Letters that are not ASCII, a comma and a dash.
scenario welsh '"Cyngor Sir Ynys Môn, Tîm ASB – Gogledd <asb@ynysmon.example>"'
expect_read_back welsh asb@ynysmon.example "Cyngor Sir Ynys Môn, Tîm ASB – Gogledd"
expect_envelope welsh asb@ynysmon.example

# What cannot be written safely is refused by check, with file and line.
mkdir -p "$T/bad"
cat >"$T/bad/casewatch.conf" <<'EOF'
database = "../cases.db";
state = "state.db";
rules = [ "pack.conf" ];
smtp = {
	server = "127.0.0.1:25";
	tls = "none";
	from = "Alice <alice@council.test>, Bob <bob@council.test>";
};
EOF
sed 's/"asb-team@council.test"/"asb team@council.test", "asb-team@council..test"/' "$T/pack.conf" >"$T/bad/pack.conf"
run "check refuses two senders and bad recipient addresses" 1 "$CASEWATCH" -c "$T/bad/casewatch.conf" check
expect_out "check names each setting and its line" \
"$T/bad/casewatch.conf:7: smtp from 'Alice <alice@council.test>, Bob <bob@council.test>': its name holds < or >: give one address, and put a name that holds them in double quotes
$T/bad/pack.conf:4: recipient address 'asb team@council.test' holds a space
$T/bad/pack.conf:4: recipient address 'asb-team@council..test' has a dot at the start or end of its domain, or two in a row"
printf 'database = "../cases.db";\nsmtp = { server = "127.0.0.1:25"; from = "ASB <asb@council.test"; };\n' >"$T/bad/unclosed.conf"
run "check refuses a < without its >" 1 "$CASEWATCH" -c "$T/bad/unclosed.conf" check
expect_out "check says so" "$T/bad/unclosed.conf:2: smtp from 'ASB <asb@council.test': it has a < without a >"

done_testing

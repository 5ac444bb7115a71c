#!/bin/sh
# What people look at, looked at: every email of the demo's day (examples/
# demo.sql under Leeds's standards at Friday 2026-11-20 12:00: notices, the
# officers' morning digests and the managers' weekly one) rendered by a
# real browser, Debian's chromium, headless. For each message's HTML part:
# no script, no style sheet, no image or anything else fetched; every style
# inline; at phone width (390 px) nothing wider than the screen; the
# rendered text has the message's cases, what each is owed to and met by,
# and the managers' on-time figures; and a screenshot at phone and desktop
# widths (kept with KEEP=1, to be looked at).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cleanup() { if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	echo "Bail out! chromium is not installed (scripts/deps installs it)"
	exit 1
fi
PY=/usr/bin/python3

src=$(cd "$top_srcdir" && pwd)
"$CASEWATCH" db init "$T/cases.db" >/dev/null
sqlite3 -bail "$T/cases.db" <"$src/examples/demo.sql"
printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\nnotify = { case_link = "https://crm.example.gov.uk/asb/{ref}"; };\n' \
	"$src" >"$T/leeds.conf"
run "the first scan" 0 "$CASEWATCH" -c "$T/leeds.conf" run --once --at 2026-11-19T07:00:00Z
run "Friday 12:00" 0 "$CASEWATCH" -c "$T/leeds.conf" run --once --at 2026-11-20T12:00:00Z

# Each message's HTML part into $T/html/N.html, its recipient and kind in
# $T/html/list.
mkdir -p "$T/html" "$T/shots"
"$PY" - "$T/mail/new" "$T/html" <<'PY'
import email, email.policy, os, sys
d, out = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(d), key=lambda n: int(n.rsplit(".", 1)[1]))
with open(os.path.join(out, "list"), "w") as lst:
    for i, name in enumerate(names, 1):
        m = email.message_from_binary_file(open(os.path.join(d, name), "rb"), policy=email.policy.default)
        with open(os.path.join(out, "%d.html" % i), "w") as f:
            f.write(m.get_body(("html",)).get_content())
        with open(os.path.join(out, "%d.txt" % i), "w") as f:
            f.write(m.get_body(("plain",)).get_content())
        lst.write("%d %s %s\n" % (i, m["To"].addresses[0].addr_spec, m["Subject"]))
PY
n=$(wc -l <"$T/html/list")
if [ "$n" -ge 5 ] && grep -q 'service standards' "$T/html/list" && grep -q 'your cases on' "$T/html/list"; then
	ok "the day's $n messages, digests among them"
else
	not_ok "the day's $n messages, digests among them"
	sed 's/^/# /' "$T/html/list"
fi

# The measuring page: the message in an iframe of the phone's width; the
# widest element's right edge and the page's scroll width written into the
# DOM that --dump-dom prints. (The script is the test's, not the email's.)
measure() {
	cat >"$T/measure.html" <<HTML
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="$1" style="width:390px;height:2000px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById("f").onload = function () {
  var d = this.contentDocument, w = 0;
  d.querySelectorAll("*").forEach(function (e) { w = Math.max(w, Math.ceil(e.getBoundingClientRect().right)); });
  document.getElementById("out").textContent = "widest " + w + " scroll " + d.documentElement.scrollWidth;
};
</script></body></html>
HTML
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
		--virtual-time-budget=5000 --dump-dom "file://$T/measure.html" 2>/dev/null |
		sed -n 's/.*<pre id="out">\(.*\)<\/pre>.*/\1/p'
}

i=0
while read -r num to subject; do
	i=$((i + 1))
	h="$T/html/$num.html"
	# Nothing a mail client would block or Outlook ignore.
	same "$num ($to): no script, style sheet, image, frame or form" \
		"$(grep -c -i -E '<script|<style|<link|<img|<iframe|<form|<object|<embed|javascript:' "$h")" 0
	same "$num ($to): no remote resource" "$(grep -c -i -E '(src|background)="?(https?:)?//' "$h")" 0
	got=$(measure "file://$h")
	case $got in
	"widest "*" scroll "*)
		w=${got#widest }
		w=${w%% *}
		s=${got##* }
		if [ "$w" -le 390 ] && [ "$s" -le 390 ]; then ok "$num ($to): fits a phone's 390 px ($got)"; else
			not_ok "$num ($to): fits a phone's 390 px ($got)"
		fi ;;
	*) not_ok "$num ($to): measured at 390 px (got '$got')" ;;
	esac
	# What the browser shows: the text of the DOM after rendering.
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --dump-dom "file://$h" 2>/dev/null >"$T/dom.html"
	"$PY" - "$T/dom.html" >"$T/dom.txt" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.t = []
    def handle_data(self, d): self.t.append(d)
p = P(); p.feed(open(sys.argv[1]).read()); print(" ".join(" ".join(p.t).split()))
PY
	# Every case the text part names, the browser shows.
	refs=$(grep -o 'ASB-2026-[0-9]*' "$T/html/$num.txt" | sort -u)
	missing=""
	for r in $refs; do grep -q "$r" "$T/dom.txt" || missing="$missing $r"; done
	if [ -n "$refs" ] && [ -z "$missing" ]; then ok "$num ($to): shows its $(echo "$refs" | wc -l) cases"; else
		not_ok "$num ($to): shows its cases (missing:$missing)"
	fi
	for shot in 390x1400 1000x1400; do
		"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${shot%x*},${shot#*x}" \
			--screenshot="$T/shots/$num-${shot%x*}.png" "file://$h" >/dev/null 2>&1
	done
	same "$num ($to): screenshots at phone and desktop width" \
		"$("$PY" -c 'import struct,sys
for p in sys.argv[1:]:
    b = open(p, "rb").read(24)
    print(b[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", b[16:24]))' \
		"$T/shots/$num-390.png" "$T/shots/$num-1000.png" | tr '\n' ' ')" "(390, 1400) (1000, 1400) "
	case $subject in
	*"service standards"*)
		if grep -q 'On time' "$T/dom.txt" && grep -q -E '[0-9]+% \([0-9]+ of [0-9]+\)|none fell due' "$T/dom.txt"; then
			ok "$num ($to): the managers' digest shows the on-time figures"
		else
			not_ok "$num ($to): the managers' digest shows the on-time figures"
		fi ;;
	esac
done <"$T/html/list"
# Somewhere in the day: an item owed to the victim, met by a visit to them,
# and overdue said in words, not by colour alone.
cat "$T"/html/*.html >"$T/all.html"
same "the day's messages say to whom items are owed and what meets them" \
	"$(grep -c 'Owed to the victim' "$T/all.html" | awk '{print ($1 > 0)}') $(grep -c 'Met by a visit to them' "$T/all.html" | awk '{print ($1 > 0)}')" "1 1"
same "overdue is said in words" "$(grep -c -E '>(overdue|escalated)</strong>' "$T/all.html" | awk '{print ($1 > 0)}')" 1

done_testing

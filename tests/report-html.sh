#!/bin/sh
# casewatch report --format html, looked at in a real browser (Debian's
# chromium, headless): one self-contained page (no script, nothing
# fetched, styles inline but for the print rules) whose rendered text has
# report-lib.sh's figures, worked out by hand, in the order the man page
# gives; a chart per standard with a point where each period has a
# figure, drawn where the figure says, a gap where it has none, and the
# target dashed across where the standard has one; nothing wider than a
# phone's 390 px; printed, A4 pages; its size the same however many cases
# there are; every string escaped. Screenshots at phone and A4 width, and
# the PDF, are kept with KEEP=1, to be looked at.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/report-lib.sh"

cleanup() { if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	echo "Bail out! chromium is not installed (scripts/deps installs it)"
	exit 1
fi
PY=/usr/bin/python3
chromium() { "$CHROMIUM" --headless --no-sandbox --disable-gpu "$@" 2>/dev/null; }

h="$T/report.html"
run "html to a file" 0 "$CASEWATCH" -c "$conf" report $range --format html -o "$h"
[ -s "$T/out" ] && not_ok "-o: nothing on stdout" || ok "-o: nothing on stdout"
run "html to stdout" 0 "$CASEWATCH" -c "$conf" report $range --format html
check "stdout holds what the file holds" cmp -s "$T/out" "$h"

######################################################################
# Self-contained, and fit to be an email's HTML part
######################################################################
same "no script, frame, form, object, link or image" \
	"$(grep -c -i -E '<script|javascript:|<iframe|<form|<object|<embed|<link|<img|<meta http-equiv' "$h")" 0
same "nothing fetched: no URL in src, href or a style" \
	"$(grep -c -i -E '(src|href|background|xlink:href)=|url\(|@import' "$h")" 0
# One <style>, holding nothing but the page's size and print rules.
same "the only style block is for print" "$("$PY" - "$h" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"<style[^>]*>(.*?)</style>", s, re.S | re.I)
def strip(css):
    # Remove each @page or @media print block, braces balanced.
    out, i = "", 0
    while i < len(css):
        m = re.compile(r"@(page|media print)\s*\{").match(css, i)
        if m:
            depth, j = 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(css[j], 0)
                j += 1
            i = j
        else:
            out += css[i]
            i += 1
    return out.strip()
print(len(blocks), "@page" in blocks[0] and "size: A4" in blocks[0], repr(strip(blocks[0])))
PY
)" "1 True ''"
# Every heading, paragraph and data table carries its own font (a data
# table's cells inherit it); tables for layout say they are.
same "styles are inline" "$("$PY" - "$h" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
tags = re.findall(r"<(h1|h2|h3|h4|p|table)\b([^>]*)>", s)
bare = [t for t, a in tags if "font-family" not in a and 'role="presentation"' not in a]
print(len(tags) > 30, bare)
PY
)" "True []"

######################################################################
# What the browser shows
######################################################################
# The rendered DOM as lines: each heading, paragraph and table row (its
# cells' text, | between them), and each chart: its points' periods,
# whether it has a target line, and the segments of its line. Up to the
# notes at the end.
cat >"$T/lines.py" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.out, self.text, self.cells, self.block, self.chart, self.skip = [], [], None, None, None, 0
    # The rows of the data tables; the layout's, which hold the page, have
    # no row open when they end.
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("title", "style", "text"):
            self.skip += 1
        elif tag == "svg":
            self.chart = {"label": a.get("aria-label", "").split(":")[0], "points": [], "target": 0, "lines": 0}
        elif self.chart is not None and tag == "circle" and "cw-point" in cls:
            self.chart["points"].append(a.get("data-period"))
        elif self.chart is not None and tag == "line" and "cw-target" in cls:
            self.chart["target"] += 1
        elif self.chart is not None and tag == "line" and "cw-line" in cls:
            self.chart["lines"] += 1
        elif tag in ("h1", "h2", "h3", "h4", "p"):
            self.block, self.text = tag, []
        elif tag == "tr":
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.text = []
        elif tag == "br":
            self.text.append(" ")
    def handle_endtag(self, tag):
        if tag in ("title", "style", "text"):
            self.skip -= 1
        elif tag == "svg":
            c = self.chart
            self.out.append("chart %s: points %s; target %d; segments %d"
                            % (c["label"], " ".join(c["points"]) or "none", c["target"], c["lines"]))
            self.chart = None
        elif tag == self.block:
            self.out.append("%s %s" % (tag, self.flat()))
            self.block = None
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(self.flat())
        elif tag == "tr" and self.cells is not None:
            self.out.append("| " + " | ".join(self.cells))
            self.cells = None
    def handle_data(self, d):
        if not self.skip:
            self.text.append(d)
    def flat(self):
        return " ".join("".join(self.text).replace("\xad", "").split())
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
for line in p.out:
    if line == "h2 Notes":
        break
    print(line)
PY
chromium --dump-dom "file://$h" >"$T/dom.html"
"$PY" "$T/lines.py" "$T/dom.html" >"$T/got"
cat >"$T/want" <<'WANT'
h1 Service standards report
p By month, 2026-10 to 2026-11 (1 Oct 2026 to 30 Nov 2026)
p The unit: every team and officer · as at 2026-11-20T12:00:00Z
p 8 cases counted (6 open), 0 skipped for bad data.
h2 Targets
h3 update Updated within 14 days on average
p Goal: an average of at most 14 days. 2026-10 to 2026-11: not met · average 22.0 days over 4 intervals, 2 still waiting for an update.
| Period | Result | Figure
| 2026-10 | met | average 14.0 days over 2 intervals
| 2026-11 | not met | average 30.0 days over 2 intervals, 2 still waiting for an update
| Total | not met | average 22.0 days over 4 intervals, 2 still waiting for an update
h3 jag A JAG meeting every month
p Goal: a jag meeting every calendar month. 2026-10 to 2026-11: met · 1 of 1 month had a jag meeting; this month's not yet.
| Period | Result | Figure
| 2026-10 | met | 1 of 1 month had a jag meeting
| 2026-11 | – | this month's jag meeting not held yet
| Total | met | 1 of 1 month had a jag meeting; this month's not yet
h3 satisfaction 75% satisfied
p Goal: at least 75% of survey answers satisfied. 2026-10 to 2026-11: met · 75.0% of 4 answers satisfied.
| Period | Result | Figure
| 2026-10 | not met | 66.7% of 3 answers satisfied
| 2026-11 | met | 100.0% of 1 answer satisfied
| Total | met | 75.0% of 4 answers satisfied
h2 Standards
p Each standard's deadlines that fell in the period: how many were met on time, met late, are overdue or still pending, and the share met on time of those decided.
| Standard | Due | Late or overdue | On time
| ack Acknowledge "promptly", within 3 working days | 6 | 2 | 60.0%
| sendback Sendback letter before the case is closed | 2 | 1 | 50.0%
| update Updated within 14 days on average | 4 | 3 | 25.0%
h3 ack Acknowledge "promptly", within 3 working days
chart ack: points 2026-10 2026-11; target 1; segments 1
p Share of the deadlines met on time, by month. A period with nothing due and decided has no point. Target 100%: the standard is promised every time.
| Period | Due | Met | Late | Overdue | Pending | On time | Median | P90
| 2026-10 | 4 | 2 | 1 | 1 | 0 | 50.0% | 2.0 | 4.4
| 2026-11 | 2 | 1 | 0 | 0 | 1 | 100.0% | 2.0 | 2.0
| Total | 6 | 3 | 1 | 1 | 1 | 60.0% | 2.0 | 4.1
p Not due, and not counted above: 1 cancelled (the case closed or the standard stopped applying first), 1 paused (the case on hold).
h4 By team and officer, 2026-10 to 2026-11
|  | Due | Met | Late | Overdue | Pending | On time | Median | P90
| Teams
| north | 2 | 1 | 1 | 0 | 0 | 50.0% | 3.0 | 4.6
| south | 4 | 2 | 0 | 1 | 1 | 66.7% | 2.0 | 2.0
| Officers
| ann | 1 | 1 | 0 | 0 | 0 | 100.0% | 1.0 | 1.0
| bob | 1 | 0 | 1 | 0 | 0 | 0.0% | 5.0 | 5.0
| cat | 4 | 2 | 0 | 1 | 1 | 66.7% | 2.0 | 2.0
h3 sendback Sendback letter before the case is closed
chart sendback: points 2026-10 2026-11; target 1; segments 1
p Share of the deadlines met on time, by month. A period with nothing due and decided has no point. Target 100%: the standard is promised every time.
| Period | Due | Met | Late | Overdue | Pending | On time | Median | P90
| 2026-10 | 1 | 1 | 0 | 0 | 0 | 100.0% | 2.0 | 2.0
| 2026-11 | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
| Total | 2 | 1 | 0 | 1 | 0 | 50.0% | 2.0 | 2.0
h4 By team and officer, 2026-10 to 2026-11
|  | Due | Met | Late | Overdue | Pending | On time | Median | P90
| Teams
| north | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
| south | 1 | 1 | 0 | 0 | 0 | 100.0% | 2.0 | 2.0
| Officers
| bob | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
| cat | 1 | 1 | 0 | 0 | 0 | 100.0% | 2.0 | 2.0
h3 update Updated within 14 days on average
chart update: points 2026-10 2026-11; target 0; segments 1
p Share of the deadlines met on time, by month. A period with nothing due and decided has no point. No target line: this standard's goal is an average of at most 14 days, not a share on time (see Targets).
| Period | Due | Met | Late | Overdue | Pending | On time | Median | P90
| 2026-10 | 3 | 1 | 1 | 1 | 0 | 33.3% | 10.0 | 12.4
| 2026-11 | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
| Total | 4 | 1 | 1 | 2 | 0 | 25.0% | 10.0 | 12.4
h4 By team and officer, 2026-10 to 2026-11
|  | Due | Met | Late | Overdue | Pending | On time | Median | P90
| Teams
| north | 3 | 1 | 1 | 1 | 0 | 33.3% | 10.0 | 12.4
| south | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
| Officers
| ann | 3 | 1 | 1 | 1 | 0 | 33.3% | 10.0 | 12.4
| cat | 1 | 0 | 0 | 1 | 0 | 0.0% | – | –
WANT
if cmp -s "$T/want" "$T/got"; then
	ok "the rendered page: heading, targets, each standard's chart and tables, by team and officer"
else
	not_ok "the rendered page: heading, targets, each standard's chart and tables, by team and officer"
	diff "$T/want" "$T/got" | sed 's/^/# /'
fi
same "the notes close it" "$("$PY" - "$T/dom.html" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
print(s.count(">Notes</h2>"), s.rindex(">Notes</h2>") > s.rindex("cw-chart"))
PY
)" "1 True"

# Where the browser draws it, measured in a page of the phone's width:
# each point's middle, across in percent of the chart's width and down
# in pixels from its top, and the target line's height. The plot is 146
# px high from 38 px down: a figure v at 38 + 146 (100 - v) / 100; the
# n periods' slots fill 90 % of the width after the first 9 %, a point
# in the middle of its slot: 9 + 90 (i + 0.5) / n.
#   2 periods: 31.5 % and 76.5 %.  50 %: 111; 100 %: 38; 0 %: 184;
#   33.3 %: 135.4, 135. Target 100 %: 38.
# The measuring page's script is the test's, not the report's.
measure() {
	cat >"$T/measure.html" <<HTML
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="$1" style="width:390px;height:3000px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById("f").onload = function () {
  var d = this.contentDocument, w = 0, out = [];
  d.querySelectorAll("*").forEach(function (e) { w = Math.max(w, Math.ceil(e.getBoundingClientRect().right)); });
  out.push("widest " + w + " scroll " + d.documentElement.scrollWidth);
  d.querySelectorAll("svg.cw-chart").forEach(function (svg) {
    var s = svg.getBoundingClientRect(), line = [svg.getAttribute("aria-label").split(":")[0]];
    svg.querySelectorAll("circle.cw-point").forEach(function (c) {
      var r = c.getBoundingClientRect();
      line.push(c.getAttribute("data-period") + "@" + (100 * (r.left + r.width / 2 - s.left) / s.width).toFixed(1) +
        "%," + Math.round(r.top + r.height / 2 - s.top));
    });
    svg.querySelectorAll("line.cw-target").forEach(function (t) {
      line.push("target@" + Math.round(t.getBoundingClientRect().top - s.top));
    });
    out.push(line.join(" "));
  });
  document.getElementById("out").textContent = out.join("\n");
};
</script></body></html>
HTML
	chromium --allow-file-access-from-files --virtual-time-budget=5000 --dump-dom "file://$T/measure.html" |
		sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
}
measure "file://$h" >"$T/measured"
got=$(head -n 1 "$T/measured")
case $got in
"widest "*" scroll "*)
	w=${got#widest }
	w=${w%% *}
	s=${got##* }
	if [ "$w" -le 390 ] && [ "$s" -le 390 ]; then ok "fits a phone's 390 px ($got)"; else
		not_ok "fits a phone's 390 px ($got)"
	fi ;;
*) not_ok "measured at 390 px (got '$got')" ;;
esac
same "each point drawn where its figure says, the target at 100 %" "$(tail -n +2 "$T/measured")" \
"ack 2026-10@31.5%,111 2026-11@76.5%,38 target@38
sendback 2026-10@31.5%,38 2026-11@76.5%,184 target@38
update 2026-10@31.5%,135 2026-11@76.5%,184"

# From September, which had nothing due: three periods, September a gap
# with no point and no segment to it, not a zero. 3 periods: 24 %, 54 %
# and 84 %.
run "html from September" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --from 2026-09-01 --to 2026-11-30 \
	--format html -o "$T/sep.html"
chromium --dump-dom "file://$T/sep.html" >"$T/sep-dom.html"
same "a period with nothing due is a gap, not a zero" "$("$PY" "$T/lines.py" "$T/sep-dom.html" | grep -E '^chart|^\| 2026-09 \| 0 ')" \
"chart ack: points 2026-10 2026-11; target 1; segments 1
| 2026-09 | 0 | 0 | 0 | 0 | 0 | – | – | –
chart sendback: points 2026-10 2026-11; target 1; segments 1
| 2026-09 | 0 | 0 | 0 | 0 | 0 | – | – | –
chart update: points 2026-10 2026-11; target 0; segments 1
| 2026-09 | 0 | 0 | 0 | 0 | 0 | – | – | –"
same "... drawn in the second and third of three slots" "$(measure "file://$T/sep.html" | sed -n 2p)" \
	"ack 2026-10@54.0%,111 2026-11@84.0%,38 target@38"

# Fourteen months: the chart shows the last 12, the table all 14.
run "html of fourteen months" 0 "$CASEWATCH" -c "$conf" report --at 2026-11-20 --from 2025-10-01 --to 2026-11-30 \
	--format html -o "$T/long.html"
chromium --dump-dom "file://$T/long.html" >"$T/long-dom.html"
"$PY" "$T/lines.py" "$T/long-dom.html" >"$T/long.txt"
same "the chart has the last 12 periods, the table every one" \
	"$(grep -c '^| 2025-1[01] | 0 |' "$T/long.txt") $(grep -o 'the last 12 of the 14 periods' "$T/long-dom.html" | wc -l) $(grep -c 'aria-label="ack: share on time by month: 2025-12 no figure,' "$T/long.html")" \
	"6 3 1"

######################################################################
# Screenshots and print
######################################################################
mkdir -p "$T/shots"
for shot in 390x2400 794x1123; do
	chromium --hide-scrollbars --window-size="${shot%x*},${shot#*x}" --screenshot="$T/shots/report-${shot%x*}.png" \
		"file://$h" >/dev/null
done
same "screenshots at phone and A4 width" "$("$PY" -c 'import struct, sys
for p in sys.argv[1:]:
    b = open(p, "rb").read(24)
    print(b[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", b[16:24]))' \
	"$T/shots/report-390.png" "$T/shots/report-794.png" | tr '\n' ' ')" "(390, 2400) (794, 1123) "
chromium --no-pdf-header-footer --print-to-pdf="$T/shots/report.pdf" "file://$h" >/dev/null
# Every page's MediaBox A4, 595 x 842 points (210 x 297 mm).
same "printed: A4 pages" "$("$PY" - "$T/shots/report.pdf" <<'PY'
import re, sys
try:
    b = open(sys.argv[1], "rb").read()
except OSError as e:
    print("no PDF:", e)
    sys.exit()
boxes = [tuple(round(float(x)) for x in m.split()) for m in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", b)]
pages = len(re.findall(rb"/Type\s*/Page\b", b))
print(b[:5] == b"%PDF-", pages >= 2, len(boxes) == pages, set(boxes))
PY
)" "True True True {(0, 0, 595, 842)}"

######################################################################
# Escaped, and bounded
######################################################################
# A title from a pack and team and officer ids from the case system with
# markup in them: shown as text, never taken for markup.
mkdir "$T/esc"
cp "$db" "$T/esc/cases.db"
sed 's|title = "Acknowledge \\"promptly\\", within 3 working days";|title = "<script>alert(1)</script> \& <b>bold</b>";|' \
	"$T/pack.conf" >"$T/esc/pack.conf"
printf 'database = "cases.db";\nrules = [ "pack.conf" ];\n' >"$T/esc/c.conf"
sqlite3 -bail "$T/esc/cases.db" "UPDATE cases SET team = '<i>north</i>' WHERE team = 'north';
	UPDATE cases SET officer = 'o\"onmouseover=\"x' WHERE officer = 'cat'"
run "html of markup in the data" 0 "$CASEWATCH" -c "$T/esc/c.conf" report $range --format html -o "$T/esc.html"
same "no markup from the data" "$(grep -c -i -E '<script|<b>bold|<i>north|"onmouseover' "$T/esc.html")" 0
chromium --dump-dom "file://$T/esc.html" >"$T/esc-dom.html"
"$PY" "$T/lines.py" "$T/esc-dom.html" >"$T/esc.txt"
same "... shown as the text it is" \
	"$(grep -c -F 'h3 ack <script>alert(1)</script> & <b>bold</b>' "$T/esc.txt") $(grep -c -F '| <i>north</i> | 2 |' "$T/esc.txt") $(grep -c -F '| o"onmouseover="x | 4 |' "$T/esc.txt")" \
	"1 1 1"

# Three hundred more cases like C4 (south/cat, met in two working days):
# the counts grow, the page does not, and no case reference is in it.
mkdir "$T/big"
cp "$db" "$T/big/cases.db"
cp "$T/pack.conf" "$T/big/"
printf 'database = "cases.db";\nrules = [ "pack.conf" ];\n' >"$T/big/c.conf"
sqlite3 -bail "$T/big/cases.db" "
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
	INSERT INTO cases (id, ref, stage, category, officer, team, received_at)
		SELECT 100 + i, printf('BULK-%04d', i), 'enquiry', NULL, 'cat', 'south', '2026-11-02T10:00:00Z' FROM n;
	INSERT INTO events (case_id, at, kind, channel, detail)
		SELECT id, '2026-11-04T10:00:00Z', 'contact', 'email', 'acknowledgement' FROM cases WHERE id > 100;"
run "html of 308 cases" 0 "$CASEWATCH" -c "$T/big/c.conf" report $range --format html -o "$T/big.html"
a=$(wc -c <"$h")
b=$(wc -c <"$T/big.html")
# ack's November, south, cat and the totals gain two or three digits in
# a few cells; the heading's case count two: far under 200 bytes.
if [ $((b - a)) -ge 0 ] && [ $((b - a)) -lt 200 ]; then ok "the page's size does not grow with the cases ($a, then $b bytes)"; else
	not_ok "the page's size does not grow with the cases ($a, then $b bytes)"
fi
same "no case reference in it" "$(grep -c -E 'BULK-|C[1-8]\b' "$T/big.html")" 0
same "the counts are there" "$(grep -c -F '>308 cases counted (306 open)' "$T/big.html")" 1

done_testing

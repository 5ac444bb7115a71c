#!/bin/sh
# casewatchd logs to the journal, with structured fields, when systemd
# connected its stderr to the journal (JOURNAL_STREAM names stderr) and
# journald's socket is there; to stderr otherwise. journald does not run on
# a build machine, so a real datagram socket at journald's own address
# stands in for it (tests/daemon-journal.py): libsystemd's sd_journal_send
# talks to it exactly as to journald. Needs root to create /run/systemd/journal;
# where that is not possible, or journald itself is there, the checks are
# skipped and say why.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
CASEWATCHD="$top_builddir/casewatchd"
sock=/run/systemd/journal/socket

if [ "$(id -u)" -ne 0 ] || [ -e /run/systemd/journal ]; then
	echo "# skipped: needs root and no journald (/run/systemd/journal exists or not root)"
	echo "1..0 # SKIP no place for a stand-in journald"
	exit 0
fi
made_run_systemd=
[ -d /run/systemd ] || made_run_systemd=1
mkdir -p /run/systemd/journal
jpid=
dpid=
cleanup() {
	[ -z "$dpid" ] || kill "$dpid" 2>/dev/null || true
	[ -z "$jpid" ] || kill "$jpid" 2>/dev/null || true
	rm -rf /run/systemd/journal
	[ -z "$made_run_systemd" ] || rmdir /run/systemd 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

/usr/bin/python3 "$top_srcdir/tests/daemon-journal.py" "$sock" "$T/journal" &
jpid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done

"$CASEWATCH" db init "$T/cases.db" >/dev/null
sqlite3 -bail "$T/cases.db" <"$top_srcdir/examples/demo.sql"
# A label no log line may ever carry.
sqlite3 "$T/cases.db" "UPDATE parties SET label = 'Zebediah-Quartermaine-7781'"
printf 'database = "cases.db";\nstate = "state.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\nscan_interval = 1;\n' \
	"$top_srcdir" >"$T/casewatch.conf"
# The first scan is the baseline; a second state database made earlier
# with a run as of last week makes today's stages new, so they are logged.
"$CASEWATCH" -c "$T/casewatch.conf" run --once --at 2026-11-02 >"$T/baseline.out" 2>&1

# stderr is a file; JOURNAL_STREAM names it, as systemd would.
: >"$T/stderr"
exec 3>>"$T/stderr"
js=$(stat -c '%d:%i' "$T/stderr")
JOURNAL_STREAM=$js "$CASEWATCHD" -c "$T/casewatch.conf" 2>&3 &
dpid=$!
exec 3>&-
i=0
while ! grep -q '"SCAN_MS"' "$T/journal" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill "$dpid"
st=0
wait "$dpid" || st=$?
dpid=
[ "$st" -eq 0 ] && ok "stopped with status 0" || not_ok "stopped with status 0 (got $st)"

jq_ok() { jq -e -s "$1" "$T/journal" >/dev/null 2>&1; }
if jq_ok 'map(select(.MESSAGE != null and .SYSLOG_IDENTIFIER == "casewatchd" and .PRIORITY == "6")) | length > 0'; then
	ok "entries reach the journal with MESSAGE, PRIORITY and SYSLOG_IDENTIFIER"
else
	not_ok "entries reach the journal with MESSAGE, PRIORITY and SYSLOG_IDENTIFIER"
	sed 's/^/# /' "$T/journal" | head -n 20
fi
jq_ok 'map(select((.SCAN_MS // "") | test("^[0-9]+$"))) | length > 0' &&
	ok "scans carry SCAN_MS" || not_ok "scans carry SCAN_MS"
jq_ok 'map(select(.CASE_REF != null and .RULE != null and .STAGE != null and
		  (. as $e | $e.MESSAGE | startswith($e.CASE_REF + " " + $e.RULE + ": " + $e.STAGE)))) | length > 0' &&
	ok "each stage reached carries CASE_REF, RULE and STAGE" ||
	not_ok "each stage reached carries CASE_REF, RULE and STAGE"
if [ -s "$T/stderr" ]; then
	not_ok "nothing went to stderr while the journal listened"
	sed 's/^/# /' "$T/stderr" | head -n 5
else
	ok "nothing went to stderr while the journal listened"
fi
if grep -q 'Zebediah' "$T/journal" "$T/stderr"; then
	not_ok "no party label in any entry"
else
	ok "no party label in any entry"
fi

# The same daemon with JOURNAL_STREAM naming some other stream logs to
# stderr, with priority prefixes.
: >"$T/stderr2"
JOURNAL_STREAM=1:1 "$CASEWATCHD" -c "$T/casewatch.conf" 2>"$T/stderr2" &
dpid=$!
i=0
while ! grep -q 'scan: ' "$T/stderr2" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill "$dpid"
wait "$dpid" || true
dpid=
grep -q '^<6>casewatchd: started: .*logging to stderr$' "$T/stderr2" &&
	ok "JOURNAL_STREAM for another stream: stderr, with <N> prefixes" ||
	{ not_ok "JOURNAL_STREAM for another stream: stderr, with <N> prefixes"; sed 's/^/# /' "$T/stderr2" | head -n 5; }
done_testing

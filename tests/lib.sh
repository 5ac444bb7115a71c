# Shared by the shell tests: TAP output, so that the harness counts each
# check, and helpers to run the built programs.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CASEWATCH="$top_builddir/casewatch"
DATA="$top_srcdir/tests/data"
T=$(mktemp -d "${TMPDIR:-/tmp}/casewatch-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

_n=0
_failed=0
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
# skip NAME WHY: a test that cannot run here, and why (TAP SKIP).
skip() { ok "$1 # SKIP $2"; }
# The plan comes last, so a script that dies early has none and the harness
# reports it; failures are counted from the "not ok" lines, not the status.
done_testing() { echo "1..$_n"; exit 0; }

# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}
# same NAME GOT WANT: ok when the two strings are equal.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}
# epoch TIME: TIME (anything date(1) reads) in Unix seconds.
epoch() { date -u -d "$1" +%s; }

# run NAME EXPECTED_STATUS COMMAND...: runs COMMAND, keeping its output in
# $T/out and $T/err, and checks its exit status.
run() {
	_name=$1 _want=$2
	shift 2
	_st=0
	"$@" >"$T/out" 2>"$T/err" || _st=$?
	# A sanitizer report fails the check whatever the exit status.
	if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		not_ok "$_name (sanitizer report)"
		sed 's/^/# stderr: /' "$T/err"
	elif [ "$_st" -eq "$_want" ]; then
		ok "$_name"
	else
		not_ok "$_name (exit $_st, want $_want)"
		sed 's/^/# stdout: /' "$T/out"
		sed 's/^/# stderr: /' "$T/err"
	fi
}

# expect_out NAME TEXT: stdout of the last run is exactly TEXT.
expect_out() {
	printf '%s\n' "$2" >"$T/want"
	if cmp -s "$T/want" "$T/out"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/want" "$T/out" | sed 's/^/# /'
	fi
}

# expect_err NAME TEXT: stderr of the last run is exactly TEXT.
expect_err() {
	printf '%s\n' "$2" >"$T/want"
	if cmp -s "$T/want" "$T/err"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/want" "$T/err" | sed 's/^/# /'
	fi
}

# Shared by the rule scenario tests (rules-*.sh): a case database, a
# configuration naming one shipped pack, and helpers to insert rows and
# compare the obligations `casewatch status --json` reports. Source after
# lib.sh, then call cases_setup PACK.

# cases_setup PACK: $db and $conf for rules/PACK.conf.
cases_setup() {
	src=$(cd "$top_srcdir" && pwd)
	db="$T/cases.db"
	conf="$T/$1.conf"
	printf 'database = "cases.db";\nrules = [ "%s/rules/%s.conf" ];\n' "$src" "$1" >"$conf"
	if ! "$CASEWATCH" db init "$db" >"$T/out" 2>"$T/err"; then
		echo "Bail out! casewatch db init failed: $(cat "$T/err")"
		exit 1
	fi
}

# rows: runs the SQL on stdin against the test database.
rows() {
	if ! sqlite3 -bail -batch "$db" >"$T/sqlout" 2>&1; then
		not_ok "inserting the rows of the next scenario"
		sed 's/^/# /' "$T/sqlout"
	fi
}

# _status AT [ARGS...]: casewatch status --json --at AT ARGS into $T/json;
# on failure sets $_why and returns 1. $_key is the array checked for
# (obligations, or rules for --summary).
_key=obligations
_status() {
	_at=$1
	shift
	_st=0
	"$CASEWATCH" -c "$conf" status --json --at "$_at" "$@" >"$T/json" 2>"$T/err" || _st=$?
	if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
		_why="sanitizer report"
	elif [ "$_st" -ne 0 ]; then
		_why="exit $_st"
	elif ! jq -e --arg k "$_key" '.[$k] | type == "array"' "$T/json" >/dev/null 2>&1; then
		_why="no $_key array in the output"
	else
		return 0
	fi
	return 1
}

_diag() {
	sed 's/^/# stdout: /' "$T/json"
	sed 's/^/# stderr: /' "$T/err"
}

_compare() {
	if [ -z "$2" ]; then : >"$T/want"; else printf '%s\n' "$2" >"$T/want"; fi
	if cmp -s "$T/want" "$T/out"; then
		ok "$1"
	else
		not_ok "$1"
		diff "$T/want" "$T/out" | sed 's/^/# /'
	fi
}

# expect NAME AT REF "RULE [PARTY]" EXPECTED: one TAP test. The obligations
# of case REF at time AT, those of RULE only (and of PARTY only when given),
# are exactly the lines EXPECTED (empty: none at all), each
#   CASE RULE PARTY CYCLE START DUE STATE MET_AT    ("-" for null)
expect() {
	_name=$1 _at=$2 _ref=$3 _want=$5
	set -- $4
	_rule=$1 _party=${2:-}
	if ! _status "$_at" "$_ref"; then
		not_ok "$_name ($_why)"
		_diag
		return
	fi
	jq -r --arg rule "$_rule" --arg party "$_party" '
		.obligations[]
		| select(.rule == $rule and ($party == "" or (.party | tostring) == $party))
		| [.case, .rule, (.party // "-"), .cycle, .start, (.due // "-"), .state, (.met_at // "-")]
		| map(tostring) | join(" ")' "$T/json" >"$T/out"
	_compare "$_name" "$_want"
}

# problems_are NAME AT REF EXPECTED: the problems `status --json --at AT
# REF` lists for case REF are exactly the lines EXPECTED (empty: none),
# each "MESSAGE (skipped: BOOL)", in any order.
problems_are() {
	_name=$1 _at=$2 _ref=$3 _want=$4
	if ! _status "$_at" "$_ref"; then
		not_ok "$_name ($_why)"
		_diag
		return
	fi
	if ! jq -e '.problems | type == "array"' "$T/json" >/dev/null 2>&1; then
		not_ok "$_name (no problems array in the output)"
		_diag
		return
	fi
	jq -r --arg ref "$_ref" '.problems[] | select(.case == $ref) | "\(.message) (skipped: \(.skipped))"' \
		"$T/json" | LC_ALL=C sort >"$T/out"
	[ -z "$_want" ] || _want=$(printf '%s\n' "$_want" | LC_ALL=C sort)
	_compare "$_name" "$_want"
}

#!/bin/sh
# The bash completion for real: bash sources bash-completion and
# contrib/bash-completion/casewatch, calls _casewatch with COMP_WORDS and
# COMP_CWORD set as readline sets them, and the test compares COMPREPLY,
# word for word and in order. The words come from the built casewatch.
. "${top_srcdir:-.}/tests/lib.sh"

BASH_COMPLETION=/usr/share/bash-completion/bash_completion
if ! command -v bash >/dev/null 2>&1 || [ ! -r "$BASH_COMPLETION" ]; then
	# scripts/deps installs both; without them there is nothing to run.
	echo "1..0 # SKIP bash or bash-completion ($BASH_COMPLETION) is not installed"
	exit 0
fi

db="$T/cases.db"
"$CASEWATCH" db init "$db" >/dev/null
sqlite3 -batch "$db" "
INSERT INTO cases (id, ref, stage, received_at) VALUES
	(1, 'ASB-2026-0101', 'enquiry', '2026-11-16T10:00:00Z'),
	(2, 'ASB-2026-0102', 'enquiry', '2026-11-16T10:00:00Z'),
	(3, 'ASB-2027-0001', 'enquiry', '2027-01-04T10:00:00Z'),
	(4, 'OW/1', 'enquiry', '2026-11-16T10:00:00Z'),
	(5, 'B C', 'enquiry', '2026-11-16T10:00:00Z');
"
printf 'database = "cases.db";\nrules = [ "%s/rules/leeds-asbu.conf" ];\n' "$top_srcdir" >"$T/c.conf"
mkdir "$T/files" "$T/files/sub"
: >"$T/files/cases-nov.csv"
: >"$T/files/cases-dec.csv"
: >"$T/files/mapping.conf"

# comp WORD...: COMPREPLY after completing the last word (which may be
# empty) of `casewatch WORD...`, one a line. COMP_WORDS is split at "="
# as readline splits it when the line holds --option=VALUE.
cat >"$T/comp.bash" <<'EOF'
. "$BASH_COMPLETION"
. "$top_srcdir/contrib/bash-completion/casewatch"
comp() {
	local line="casewatch $*" w
	COMP_WORDS=(casewatch)
	for w in "$@"; do
		# readline's own split: "--format=cs" is "--format" "=" "cs".
		if [[ $w == *=* ]]; then
			COMP_WORDS+=("${w%%=*}" "=" "${w#*=}")
		else
			COMP_WORDS+=("$w")
		fi
	done
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_casewatch casewatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
cd "$T/files" || exit 1
comp "$@"
EOF
PATH="$top_builddir:$PATH" BASH_COMPLETION="$BASH_COMPLETION" top_srcdir="$top_srcdir" T="$T"
export PATH BASH_COMPLETION top_srcdir T

# expect NAME WANT WORD...: COMPREPLY is WANT's words, one a line.
expect() {
	_name=$1 _want=$2
	shift 2
	bash --norc --noprofile "$T/comp.bash" "$@" >"$T/got" 2>"$T/got.err"
	printf '%s\n' "$_want" | sed '/^$/d' >"$T/want"
	sed '/^$/d' "$T/got" >"$T/got.words"
	if cmp -s "$T/want" "$T/got.words" && [ ! -s "$T/got.err" ]; then
		ok "$_name"
	else
		not_ok "$_name"
		diff "$T/want" "$T/got.words" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$T/got.err"
	fi
}

expect "the commands" "check
calendar
db
status
report
run
outbox
import
event
help" ''
expect "a command by its start" "status" st
expect "casewatch's own options" "--config
--help
--version" -
expect "a subcommand" "holidays
add
between" calendar ''
expect "db init" "init" db ''
expect "a subcommand's options" "--division
--help" calendar holidays --
expect "the divisions" "england-and-wales
scotland
northern-ireland" calendar add --division ''
expect "the divisions, by their start" "scotland" calendar holidays --division s
expect "the formats" "text
csv
json
html" report --format ''
expect "--format=VALUE" "csv" report --format=c
expect "the periods" "quarter" report --by q
expect "no operands: the options" "--from
--to
--by
--team
--officer
--format
--output
--at
--help" report ''
expect "an option's value of no known words: nothing" "" status --at ''
expect "run's options" "--once" run --o
expect "outbox's subcommands" "retry
send
show" outbox ''
expect "outbox's options, then a subcommand" "retry" outbox --dead r
expect "a subcommand after outbox's options has its own" "--at
--help" outbox --dead send --
expect "the kinds of event, after its case" "accepted
agreed" -c "$T/c.conf" event ASB-2026-0101 a
expect "the channels" "phone
letter
email
visit
sms
meeting" event ASB-1 contact --channel ''
expect "help: the commands" "check
calendar" help c
expect "help: a group's subcommands" "add" help calendar a
expect "help: the options of help are hidden" "--help" help --

# Rule ids from the configuration named on the line being completed.
expect "status --rule: the configured rules" "acknowledge-enquiry
acknowledgement-letters" -c "$T/c.conf" status --rule ack
expect "status --rule with --config=FILE" "keep-informed" --config="$T/c.conf" status --rule k
expect "status --rule with -c FILE after other words" "victim-visit" -c "$T/c.conf" status --json --rule v
# No configuration, no rules: the embedded defaults have none.
expect "status --rule with no configuration file" "" -c "$T/missing.conf" status --rule ''

# Case references from its case database, sorted, by their start.
expect "status REF" "ASB-2026-0101
ASB-2026-0102" -c "$T/c.conf" status ASB-2026
expect "status REF after another" "ASB-2027-0001" -c "$T/c.conf" status ASB-2026-0101 ASB-2027
expect "status --list-refs PREFIX" "OW/1" -c "$T/c.conf" status --list-refs O
expect "event REF" "ASB-2026-0101
ASB-2026-0102
ASB-2027-0001" -c "$T/c.conf" event A
expect "a reference with a space, quoted" 'B\ C' -c "$T/c.conf" status B
expect "a word that starts with - is an option" "--at
--json
--unmet
--rule
--summary
--list-refs
--help" -c "$T/c.conf" status --
expect "after --, references" "ASB-2027-0001" -c "$T/c.conf" status -- ASB-2027

# File names where a file is named.
expect "import: files" "cases-dec.csv
cases-nov.csv" import cases-
expect "import --mapping: files" "mapping.conf" import --mapping m
expect "-c: files" "sub" -c s
expect "report -o: files" "cases-dec.csv
cases-nov.csv" report -o c
expect "db init: a file" "mapping.conf" db init map

# What is not a command completes to nothing, and says nothing.
expect "an unknown command" "" frobnicate ''
expect "calendar with an unknown subcommand" "" calendar sum ''

# Where it installs: where bash-completion's pkg-config file says.
if [ -z "$(sed -n 's/^bashcompletiondir = //p' "$top_builddir/Makefile")" ]; then
	ok "# SKIP configured --with-bash-completion-dir=no: nothing to install"
	done_testing
fi
if want=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null) && [ -n "$want" ]; then
	same "configure found bash-completion's folder" \
		"$(sed -n 's/^bashcompletiondir = //p' "$top_builddir/Makefile")" "$want"
else
	same "without bash-completion.pc, the folder under the prefix" \
		"$(sed -n 's/^bashcompletiondir = //p' "$top_builddir/Makefile")" '${datadir}/bash-completion/completions'
fi
make -s -C "$top_builddir" install-bashcompletionDATA DESTDIR="$T/root" >"$T/install.out" 2>&1
installed=$(sed -n 's/^bashcompletiondir = //p' "$top_builddir/Makefile" |
	sed "s|\${datadir}|$(sed -n 's/^datadir = //p' "$top_builddir/Makefile")|; s|\${datarootdir}|$(sed -n 's/^datarootdir = //p' "$top_builddir/Makefile")|; s|\${prefix}|$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")|")
if cmp -s "$top_srcdir/contrib/bash-completion/casewatch" "$T/root$installed/casewatch"; then
	ok "make install puts it there, named casewatch"
else
	not_ok "make install puts it there, named casewatch"
	sed 's/^/# /' "$T/install.out"
	find "$T/root" | sed 's/^/# /'
fi

done_testing

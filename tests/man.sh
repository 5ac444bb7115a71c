#!/bin/sh
# The manual pages in man/: each formats without a warning (groff, as
# man formats it in a UTF-8 and in the C locale, and, where installed,
# man-db's and mandoc's checks, which lintian runs), has the sections a
# reader looks for, documents every option, setting and environment
# variable the programs read, and its examples print what the page says
# they print.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

MAN="$top_srcdir/man"
PAGES="casewatch.1 casewatchd.8 casewatch.conf.5 casewatch-rules.5 casewatch-import.5"

same "man/ holds exactly the pages this test knows" \
	"$(cd "$MAN" && ls | sort)" "$(printf '%s\n' $PAGES | sort)"
same "Makefile.am installs every page" \
	"$(sed -n 's/^dist_man_MANS = //p' "$top_srcdir/Makefile.am" | tr ' ' '\n' | sed 's|^man/||' | sort)" \
	"$(printf '%s\n' $PAGES | sort)"
same "the unit's Documentation= names every page" \
	"$(sed -n 's/^Documentation=//p' "$top_srcdir/contrib/systemd/casewatchd.service.in" | tr ' ' '\n' |
		sed 's/^man:\(.*\)(\([0-9]\))$/\1.\2/' | sort)" \
	"$(printf '%s\n' $PAGES | sort)"

# quiet NAME COMMAND...: ok when COMMAND succeeds and writes nothing to
# standard error (formatters warn there).
quiet() {
	_name=$1
	shift
	_st=0
	"$@" >/dev/null 2>"$T/err" || _st=$?
	if [ "$_st" -eq 0 ] && [ ! -s "$T/err" ]; then
		ok "$_name"
	else
		not_ok "$_name (exit $_st)"
		sed 's/^/# /' "$T/err"
	fi
}
have() { command -v "$1" >/dev/null 2>&1; }

### Formatting.
for p in $PAGES; do
	f="$MAN/$p"
	if have groff; then
		quiet "$p: groff -ww -mandoc -Tutf8: no warning" groff -ww -mandoc -Tutf8 -z "$f"
		quiet "$p: groff -ww at 80 columns: no warning" groff -ww -mandoc -Tutf8 -rLL=80n -rLT=80n -z "$f"
		# What man shows a reader in the C locale.
		quiet "$p: groff -mandoc -Tascii: no warning" groff -mandoc -Tascii -z "$f"
	else
		not_ok "$p: groff is not installed (scripts/deps installs groff-base)"
	fi
	# lintian's check of a page, and of its NAME line.
	if have man && have lexgrog; then
		quiet "$p: man --warnings: no warning" env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
			man --warnings -E UTF-8 -l -Tutf8 -Z "$f"
		quiet "$p: lexgrog reads its NAME line" lexgrog "$f"
	else
		skip "$p: man --warnings" "man-db is not installed"
	fi
	if have mandoc; then
		# Warnings and worse; not the page's date against this
		# machine's clock, which says nothing about the page.
		mandoc -Tlint -W warning "$f" >"$T/lint" 2>&1
		grep -v ': WARNING: date in the future, using it anyway:' "$T/lint" >"$T/lint.kept"
		if [ -s "$T/lint.kept" ]; then
			not_ok "$p: mandoc -Tlint: no warning"
			sed 's/^/# /' "$T/lint.kept"
		else
			ok "$p: mandoc -Tlint: no warning"
		fi
	else
		skip "$p: mandoc -Tlint" "mandoc is not installed"
	fi
done

### Sections.
# sections PAGE: its .SH headings, one a line, without quotes.
sections() { sed -n 's/^\.SH  *//p' "$MAN/$1" | tr -d '"'; }
# section PAGE HEADING: the source of that section, escapes of - undone.
section() {
	awk -v h=".SH $2" '$0 == h || $0 == ".SH \"" substr(h, 5) "\"" { f = 1; next }
		f && /^\.SH / { exit } f' "$MAN/$1" | sed 's/\\-/-/g'
}
for p in $PAGES; do
	want="NAME DESCRIPTION FILES EXAMPLES"
	case $p in
	*.1 | *.8) want="$want SYNOPSIS OPTIONS EXIT_STATUS ENVIRONMENT" ;;
	casewatch.conf.5) want="$want ENVIRONMENT" ;;
	esac
	missing=""
	for s in $want "SEE_ALSO"; do
		sections "$p" | grep -qx "$(echo "$s" | tr _ ' ')" || missing="$missing $s"
	done
	same "$p: has the sections it needs" "$missing" ""
	same "$p: NAME comes first" "$(sections "$p" | head -1)" "NAME"
	same "$p: SEE ALSO comes last" "$(sections "$p" | tail -1)" "SEE ALSO"
	case $p in *.1 | *.8)
		same "$p: SYNOPSIS, then DESCRIPTION" "$(sections "$p" | sed -n 2,3p | tr '\n' ' ')" \
			"SYNOPSIS DESCRIPTION "
		;;
	esac
	# The whatis line: "name \- what it is", the page's own name.
	same "$p: NAME names the page" \
		"$(section "$p" NAME | grep -v '^\.' | head -1 | sed 's/ - .*//')" "${p%.[0-9]}"
	# Every casewatch page it names exists.
	bad=$(sed 's/\\-/-/g' "$MAN/$p" | grep -oE 'casewatch[a-z.-]* ?\([0-9]\)' | tr -d ' ' | sort -u |
		while read -r ref; do
			[ -f "$MAN/$(echo "$ref" | sed 's/(\(.\))/.\1/')" ] || echo "$ref"
		done)
	same "$p: names only pages that exist" "$bad" ""
done

### What the programs read, documented.
# c_keys FILE...: the setting names the checkers accept (the NULL-ended
# keys[] arrays that cfg_check_keys() is given).
c_keys() {
	awk '/keys(_[a-z]+)?\[\] = \{/ { f = 1 }
		f { s = $0; while (match(s, /"[a-z_]+"/)) { print substr(s, RSTART + 1, RLENGTH - 2);
			s = substr(s, RSTART + RLENGTH) } }
		f && /NULL/ { f = 0 }' "$@" | sort -u
}
# undocumented PAGE WORD...: the words that no bold macro line of PAGE
# (its settings are set in bold) holds as a word.
undocumented() {
	_page=$1
	shift
	for w in "$@"; do
		grep -Eq "^\.(B|BR|RB|BI|IB) (.*[^A-Za-z_])?$w([^A-Za-z_]|\$)" "$MAN/$_page" || echo "$w"
	done
}
conf_keys=$(c_keys "$top_srcdir/daemon/conf.c")
same "conf.c's settings are found" "$(echo "$conf_keys" | grep -cx 'database\|keep_sent\|max_age')" 3
same "casewatch.conf(5) documents every setting casewatch.conf takes" \
	"$(undocumented casewatch.conf.5 $conf_keys)" ""
# Each setting the page describes (a .TP of SETTINGS that opens with its
# name) is one the programs take.
described=$(section casewatch.conf.5 SETTINGS |
	awk 'prev == ".TP" && match($0, /^\.B[IR]? "?[a-z_]+/) { s = substr($0, RSTART, RLENGTH);
		sub(/^\.B[IR]? "?/, "", s); print s } { prev = $0 }' | sort -u)
same "casewatch.conf(5)'s settings are found" "$(echo "$described" | grep -cx 'database\|server\|max_age')" 3
same "casewatch.conf(5) describes no setting casewatch.conf does not take" \
	"$(for k in $described; do echo "$conf_keys" | grep -qx "$k" || echo "$k"; done)" ""
rule_keys=$(c_keys "$top_srcdir/daemon/rules.c")
same "rules.c's settings are found" "$(echo "$rule_keys" | grep -cx 'pack\|met_by\|before\|escalated')" 4
same "casewatch-rules(5) documents every setting a rule pack takes" \
	"$(undocumented casewatch-rules.5 $rule_keys)" ""
mapping_keys=$(c_keys "$top_srcdir/daemon/mapping.c")
same "mapping.c's settings are found" "$(echo "$mapping_keys" | grep -cx 'encoding\|snapshot_min')" 2
same "casewatch-import(5) documents every setting a mapping takes" \
	"$(undocumented casewatch-import.5 $mapping_keys)" ""

# Every long option of both programs, in its page.
# Every long option of both programs: getopt_long's tables, and the
# command table's (daemon/cmd-table.c) but for the hidden ones, which are
# for the tests and the completion.
long_opts() {
	{
		grep -ho '{ "[a-z-]*", [a-z_]*_argument' "$@" | sed 's/{ "\([a-z-]*\)".*/\1/'
		grep -h '\.name = "[a-z-]*", \.id = ' "$@" | grep -v '\.hidden = true' | sed 's/.*\.name = "\([a-z-]*\)".*/\1/'
	} | sort -u
}
opts_missing() {
	_page=$1
	shift
	for o in "$@"; do
		sed 's/\\-/-/g' "$MAN/$_page" | grep -q -- "--$o\\b" || echo "--$o"
	done
}
cw_opts=$(long_opts "$top_srcdir"/daemon/casewatch.c "$top_srcdir"/daemon/cmd*.c)
same "casewatch's options are found" "$(echo "$cw_opts" | grep -cx 'config\|dry-run\|summary')" 3
same "casewatch(1) documents every option casewatch takes" "$(opts_missing casewatch.1 $cw_opts)" ""
same "casewatchd(8) documents every option casewatchd takes" \
	"$(opts_missing casewatchd.8 $(long_opts "$top_srcdir/daemon/casewatchd.c"))" ""

# Every environment variable the programs read, under an ENVIRONMENT.
env_read=$(grep -ho 'getenv("[A-Z_]*")' "$top_srcdir"/daemon/*.c | sed 's/.*("\(.*\)")/\1/' | sort -u)
same "the environment variables read are found" "$(echo "$env_read" | grep -cx 'TZDIR\|CASEWATCH_THREADS')" 2
env_doc=$( (section casewatch.1 ENVIRONMENT; section casewatchd.8 ENVIRONMENT) | grep -E '^\.(B|BR|RB) ')
same "every environment variable read is under an ENVIRONMENT of casewatch(1) or casewatchd(8)" \
	"$(for v in $env_read; do echo "$env_doc" | grep -qw "$v" || echo "$v"; done)" ""

### Examples.
# Each page's EXAMPLES run as written, on a machine laid out as the pages
# describe: the paths of an installation are mapped into $T and the source
# tree, and back again in what the commands print.
to_test() {
	sed -e "s|/etc/casewatch|$T/etc|g" -e "s|/var/lib/casewatch|$T/var|g" \
		-e "s|/usr/share/casewatch/rules|$top_srcdir/rules|g" \
		-e "s|/usr/share/doc/casewatch/examples|$top_srcdir/examples|g" -e "s|/srv/reports|$T/reports|g"
}
from_test() {
	sed -e "s|$T/etc|/etc/casewatch|g" -e "s|$T/var|/var/lib/casewatch|g" \
		-e "s|$top_srcdir/rules|/usr/share/casewatch/rules|g" \
		-e "s|$top_srcdir/examples|/usr/share/doc/casewatch/examples|g" -e "s|$T/reports|/srv/reports|g"
}
# The section's no-fill blocks as a stream of tagged lines: "F PATH" and
# its "L" lines for a block that is a file (its first line "# /PATH", no
# command), "C COMMAND" and its "O" lines for a block of commands ("$ "
# lines, each followed by what it prints on standard output); and
# "S COMMAND" for each `.\" test: COMMAND` line in the page, which sets up
# what the prose around it says (`.\" test: exits N`: the next command
# exits with N, not 0). The page's escapes are undone as a reader sees
# them.
examples() {
	section "$1" EXAMPLES | awk '
		/^\.\\" test: / { sub(/^\.\\" test: /, ""); print "S " $0; next }
		$0 == ".nf" { f = 1; n = 0; cmds = 0; next }
		$0 == ".fi" { f = 0
			if (!cmds && line[1] ~ /^# \//) {
				print "F " substr(line[1], 3)
				for (i = 1; i <= n; i++) print "L " line[i]
			} else {
				seen = 0
				for (i = 1; i <= n; i++)
					if (line[i] ~ /^\$ /) { print "C " substr(line[i], 3); seen = 1 }
					else if (seen) print "O " line[i]
			}
			next }
		f && /^\.\\"/ { next }
		f { line[++n] = $0; if ($0 ~ /^\$ /) cmds = 1 }' |
		sed -e 's/\\(cq/’/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' -e 's/\\e/\\/g'
}
# Blanks are not compared: a table's columns may be sized to its content.
squeeze() { from_test | sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/ $//'; }

# example_setup: an installation with the demo's cases and Leeds's pack,
# for the pages' examples to start from.
example_setup() {
	rm -rf "$T/etc" "$T/var" "$T/reports" "$T/work"
	mkdir -p "$T/etc" "$T/var" "$T/reports" "$T/work"
	printf 'database = "%s";\nstate = "%s";\nrules = [ "%s" ];\n' "/var/lib/casewatch/cases.db" \
		"/var/lib/casewatch/state.db" "/usr/share/casewatch/rules/leeds-asbu.conf" | to_test >"$T/etc/casewatch.conf"
	"$CASEWATCH" db init "$T/var/cases.db" >/dev/null &&
		sqlite3 -bail "$T/var/cases.db" <"$top_srcdir/examples/demo.sql"
}

# example_sh COMMAND: run it in a shell where `casewatch` is the built
# program with the installation's configuration; its standard output in
# $T/ex.got, its standard error (progress, notes) in $T/ex.err.
example_sh() {
	{
		echo 'casewatch() { "$CASEWATCH" -c "$EX_CONF" "$@"; }'
		printf '%s\n' "$1" | to_test
	} >"$T/ex.sh"
	(cd "$T/work" && CASEWATCH="$CASEWATCH" EX_CONF="$T/etc/casewatch.conf" sh "$T/ex.sh") \
		>"$T/ex.got" 2>"$T/ex.err"
}
# example_check PAGE: the command gathered so far exits as it should and
# prints what the page says.
example_check() {
	[ -z "$cmd" ] && return
	_st=0
	example_sh "$cmd" || _st=$?
	if grep -q 'Sanitizer\|runtime error:' "$T/ex.err"; then
		not_ok "$1 EXAMPLES: \$ $cmd (sanitizer report)"
		sed 's/^/# stderr: /' "$T/ex.err"
	elif [ "$_st" -eq "$want_exit" ] && [ "$(squeeze <"$T/ex.got")" = "$(squeeze <"$T/ex.want")" ]; then
		ok "$1 EXAMPLES: \$ $cmd"
	else
		not_ok "$1 EXAMPLES: \$ $cmd (exit $_st, want $want_exit)"
		squeeze <"$T/ex.want" >"$T/ex.w"
		squeeze <"$T/ex.got" >"$T/ex.g"
		diff "$T/ex.w" "$T/ex.g" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$T/ex.err"
	fi
	cmd=
	want_exit=0
}
run_examples() {
	example_setup || { not_ok "$1 EXAMPLES: the demo installation"; return; }
	examples "$1" >"$T/ex.stream"
	same "$1 EXAMPLES: commands found" "$(grep -c '^C ' "$T/ex.stream" | sed 's/^0$/none/')" "$2"
	cmd=
	file=
	want_exit=0
	while IFS= read -r l; do
		tag=${l%%" "*}
		text=${l#? }
		case $tag in
		C)
			example_check "$1"
			cmd=$text
			: >"$T/ex.want"
			;;
		O) printf '%s\n' "$text" >>"$T/ex.want" ;;
		F)
			example_check "$1"
			file=$(printf '%s\n' "$text" | to_test)
			: >"$file"
			;;
		L) printf '%s\n' "$text" | to_test >>"$file" ;;
		S)
			example_check "$1"
			case $text in "exits "*)
				want_exit=${text#exits }
				continue
				;;
			esac
			if example_sh "$text"; then
				ok "$1 EXAMPLES: set up: $text"
			else
				not_ok "$1 EXAMPLES: set up: $text"
				sed 's/^/# /' "$T/ex.got" "$T/ex.err"
			fi
			;;
		esac
	done <"$T/ex.stream"
	example_check "$1"
}
run_examples casewatch.1 8
run_examples casewatch-rules.5 3

done_testing

#!/bin/sh
# casewatch's help comes from one table in the code: `help --synopsis` must
# be casewatch(1)'s SYNOPSIS exactly (text and fonts), every command and
# subcommand answers --help and -h with its usage and options, and every
# one of them refuses an unknown option with exit status 2 and its usage.
. "${top_srcdir:-.}/tests/lib.sh"

# A configuration that works, in case anything reads one.
echo 'calendar = { division = "england-and-wales"; };' >"$T/ok.conf"
cw() { "$CASEWATCH" -c "$T/ok.conf" "$@"; }

# The SYNOPSIS of a man page as man shows it, one form a line: wide
# enough that no form is broken, without the indent.
man_synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$1" | sed '1d;$d' | { echo '.TH SYNOPSISONLY 1'; cat; } |
		groff -man -Tascii -rLL=400n "$2" 2>"$T/groff.err" |
		grep -v 'SYNOPSISONLY' | sed 's/^ *//' | sed '/^$/d'
}

# 1. The table against casewatch(1).
run "help --synopsis" 0 "$CASEWATCH" help --synopsis
cp "$T/out" "$T/table"
man_synopsis "$top_srcdir/man/casewatch.1" -P-cbu >"$T/man"
if [ -s "$T/groff.err" ]; then not_ok "groff reads the SYNOPSIS silently"; sed 's/^/# /' "$T/groff.err"; else ok "groff reads the SYNOPSIS silently"; fi
same "as many forms as the man page" "$(wc -l <"$T/table")" "$(wc -l <"$T/man")"
if cmp -s "$T/table" "$T/man"; then
	ok "help --synopsis is casewatch(1)'s SYNOPSIS"
else
	not_ok "help --synopsis is casewatch(1)'s SYNOPSIS"
	diff "$T/man" "$T/table" | sed 's/^/# /'
fi

# The fonts, by the man pages' rule for a synopsis: what is typed as it is
# in bold, what stands for something (FILE, TIME) in italics, the brackets,
# bars and dots in roman. groff marks bold as c\bc and italics as _\bc.
man_synopsis "$top_srcdir/man/casewatch.1" -P-c >"$T/man.ov"
python3 - "$T/man.ov" >"$T/fonts" <<'EOF'
import re, sys
def fonts(line):
    """The font of each character but spaces: B, I or R."""
    out, i = [], 0
    while i < len(line):
        if i + 2 < len(line) and line[i + 1] == '\b':
            out.append((line[i + 2], 'I' if line[i] == '_' else 'B'))
            i += 3
        else:
            out.append((line[i], 'R'))
            i += 1
    return out
def expected(text):
    out = []
    for m in re.finditer(r'[A-Za-z-]+|.', text):
        w = m.group(0)
        f = 'I' if re.fullmatch(r'[A-Z]+', w) else 'R' if w in '[]|.' else 'B'
        out += [(c, f) for c in w]
    return out
bad = 0
for raw in open(sys.argv[1], encoding='utf-8').read().splitlines():
    got = [(c, f) for c, f in fonts(raw) if c != ' ']
    text = ''.join(c for c, f in fonts(raw))
    want = [(c, f) for c, f in expected(text) if c != ' ']
    if got != want:
        bad += 1
        print('# %s' % text)
        print('#   fonts %s' % ''.join(f for c, f in got))
        print('#   want  %s' % ''.join(f for c, f in want))
print(bad)
EOF
same "each word of the SYNOPSIS in its font" "$(tail -1 "$T/fonts")" 0
sed '$d' "$T/fonts"

# The check can fail: a form the man page lacks is seen.
sed '/outbox show/d' "$T/man" >"$T/man.short"
if cmp -s "$T/table" "$T/man.short"; then not_ok "a missing form is a difference"; else ok "a missing form is a difference"; fi

# 2. Every command and subcommand: --help, -h, help NAME, and an unknown
# option. The names are the table's: the forms of help --synopsis.
names=$(sed 's/^casewatch \(\[-c FILE\] \)\{0,1\}//' "$T/table" | awk '
	{ n = $1; if ($2 ~ /^[a-z]+$/ && $1 != "help") n = n " " $2; if (!(n in seen)) { seen[n] = 1; print n } }')
same "the commands of the table" "$(echo "$names" | tr '\n' ',')" \
	"check,calendar holidays,calendar add,calendar between,db init,status,report,run,outbox,outbox retry,outbox send,outbox show,import,event,help,"

# The forms of a command (of a group: of its every command).
forms() { grep -E "^casewatch (\[-c FILE\] )?$1( |\$)" "$T/table"; }

echo "$names" >"$T/names"
# The forms of the command itself, without its subcommands'.
own_forms() {
	forms "$1" | while read -r line; do
		next=$(echo "$line" | sed "s/^casewatch \(\[-c FILE\] \)\{0,1\}$1 \{0,1\}//" | cut -d' ' -f1)
		grep -Fqx "$1 $next" "$T/names" || echo "$line"
	done
}

while read -r name <&3; do
	# shellcheck disable=SC2086
	set -- $name
	run "$name --help" 0 cw "$@" --help
	cp "$T/out" "$T/help"
	forms "$name" | sed '1s/^/Usage: /; 2,$s/^/       /' >"$T/usage"
	head -n "$(wc -l <"$T/usage")" "$T/help" >"$T/head"
	if cmp -s "$T/usage" "$T/head"; then ok "$name --help: its usage, the table's forms"; else not_ok "$name --help: its usage, the table's forms"; diff "$T/usage" "$T/head" | sed 's/^/# /'; fi
	# The options listed are those its forms show, and --help.
	listed=$(sed -n '/^Options:$/,/^$/p' "$T/help" | grep -o '^ *\(-[a-zA-Z], \)\{0,1\}--[a-z-]*' |
		sed 's/^ *//' | grep -v -- '--help$' | sort | tr '\n' ' ')
	shown=$(own_forms "$name" | sed 's/^casewatch \[-c FILE\] //' | grep -o -- '-\{1,2\}[a-z][a-z-]*' | sort -u |
		while read -r o; do
			grep -o "^ *\(-[a-zA-Z], \)\{0,1\}--[a-z-]*" "$T/help" | sed 's/^ *//' |
				grep -E -- "^($o, |$o\$|-., $o\$)" || echo "missing:$o"
		done | sort | tr '\n' ' ')
	same "$name --help: an option for each of its forms' options, and no other" "$listed" "$shown"
	run "$name -h" 0 cw "$@" -h
	if cmp -s "$T/help" "$T/out"; then ok "$name -h is --help"; else not_ok "$name -h is --help"; fi
	run "help $name" 0 cw help "$@"
	if cmp -s "$T/help" "$T/out"; then ok "help $name is $name --help"; else not_ok "help $name is $name --help"; fi
	run "$name --no-such-option" 2 cw "$@" --no-such-option
	{
		echo "casewatch: unknown option '--no-such-option' for $name"
		cat "$T/usage"
		echo "Try 'casewatch $name --help'."
	} >"$T/want"
	if cmp -s "$T/want" "$T/err" && [ ! -s "$T/out" ]; then
		ok "$name --no-such-option: exit 2, the message and its usage on stderr"
	else
		not_ok "$name --no-such-option: exit 2, the message and its usage on stderr"
		diff "$T/want" "$T/err" | sed 's/^/# /'
	fi
done 3<"$T/names"

# 3. What the issue found, and the groups.
cd "$T" || exit 1
run "db init --help" 0 cw db init --help
check "db init --help creates no database named --help" [ ! -e "$T/--help" ]
run "help calendar" 0 cw help calendar
same "help calendar: the usage of its three commands" "$(sed -n 1,3p "$T/out")" \
"Usage: casewatch [-c FILE] calendar holidays [--division D] YEAR
       casewatch [-c FILE] calendar add [--division D] DATE N
       casewatch [-c FILE] calendar between [--division D] FROM TO"
run "calendar --help" 0 cw calendar --help
run "calendar without a command" 2 cw calendar
same "says what is missing, with the group's usage" "$(sed -n '1p;$p' "$T/err")" \
"casewatch: calendar needs a command: holidays, add or between
Try 'casewatch calendar --help'."
run "unknown calendar command" 2 cw calendar sum 1 2
same "names the commands" "$(sed -n 1p "$T/err")" "casewatch: unknown calendar command 'sum' (holidays, add or between)"
for group in calendar db; do
	run "$group --no-such-option" 2 cw $group --no-such-option
	same "$group --no-such-option: an unknown option, with the group's usage" "$(sed -n '1p;$p' "$T/err")" \
"casewatch: unknown option '--no-such-option' for $group
Try 'casewatch $group --help'."
done
run "db without a command" 2 cw db
same "db needs init" "$(sed -n 1,2p "$T/err")" "casewatch: db needs a command: init
Usage: casewatch [-c FILE] db init [PATH]"
run "outbox --dead retry --help" 0 cw outbox --dead retry --help
same "a subcommand after the group's options: its help" "$(sed -n 1p "$T/out")" "Usage: casewatch [-c FILE] outbox retry ID..."
run "help of an unknown command" 2 cw help frobnicate
same "says so" "$(sed -n 1p "$T/err")" "casewatch: unknown command 'frobnicate'"
run "help with three words" 2 cw help calendar add more
run "--help" 0 "$CASEWATCH" --help
cp "$T/out" "$T/top"
run "help" 0 "$CASEWATCH" help
if cmp -s "$T/top" "$T/out"; then ok "help is --help"; else not_ok "help is --help"; fi
sed -n '/^Commands:$/,/^$/p' "$T/out" | sed '1d;/^$/d' >"$T/commands"
listed=0
while read -r name <&3; do
	grep -q "^  $name  *[^ ]" "$T/commands" && listed=$((listed + 1))
done 3<"$T/names"
same "the commands listed, the table's" "$listed $(wc -l <"$T/commands")" "$(wc -l <"$T/names") $(wc -l <"$T/names")"
run "no command" 2 "$CASEWATCH"
if cmp -s "$T/top" "$T/err"; then ok "no command: the help on stderr"; else not_ok "no command: the help on stderr"; fi
run "unknown option of casewatch" 2 "$CASEWATCH" --no-such-option status
same "its message" "$(sed -n 1p "$T/err")" "casewatch: unknown option '--no-such-option'"
run "a value missing" 2 cw status --at
same "names the option" "$(sed -n 1p "$T/err")" "casewatch: --at needs a value"
run "-o without its value" 2 cw report -o
same "names the short option" "$(sed -n 1p "$T/err")" "casewatch: -o needs a value"
run "unknown short option" 2 cw report -x
same "names it" "$(sed -n 1p "$T/err")" "casewatch: unknown option '-x' for report"
run "calendar option with its value" 0 cw calendar add --division=scotland 2026-11-27 1
expect_out "--division=D" "2026-12-01"
run "calendar: unknown option among the operands" 2 cw calendar add 2026-01-01 --fast 1
same "names it, with the usage" "$(cat "$T/err")" "casewatch: unknown option '--fast' for calendar add
Usage: casewatch [-c FILE] calendar add [--division D] DATE N
Try 'casewatch calendar add --help'."
run "calendar: a negative N is an operand" 0 cw calendar add 2026-12-01 -1
expect_out "one working day back" "2026-11-30"

# 4. casewatchd: --version names it, --help is its man page's synopsis.
CASEWATCHD="$top_builddir/casewatchd"
run "casewatchd --version" 0 "$CASEWATCHD" --version
version=$("$CASEWATCH" --version | sed 's/^casewatch //')
expect_out "casewatchd (casewatch) VERSION" "casewatchd (casewatch) $version"
run "casewatchd -V" 0 "$CASEWATCHD" -V
expect_out "-V too" "casewatchd (casewatch) $version"
run "casewatchd --help" 0 "$CASEWATCHD" --help
cp "$T/out" "$T/dhelp"
man_synopsis "$top_srcdir/man/casewatchd.8" -P-cbu | sed '1s/^/Usage: /; 2,$s/^/       /' >"$T/dusage"
head -n "$(wc -l <"$T/dusage")" "$T/dhelp" >"$T/dhead"
if cmp -s "$T/dusage" "$T/dhead"; then ok "casewatchd --help: casewatchd(8)'s SYNOPSIS"; else not_ok "casewatchd --help: casewatchd(8)'s SYNOPSIS"; diff "$T/dusage" "$T/dhead" | sed 's/^/# /'; fi
# Its options are those of casewatchd(8)'s OPTIONS.
same "casewatchd --help: casewatchd(8)'s options" \
	"$(sed -n '/^Options:$/,/^$/p' "$T/dhelp" | grep -o -- '-[a-zA-Z], --[a-z-]*' | tr '\n' ' ')" \
	"$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$top_srcdir/man/casewatchd.8" | grep '^\.BR \\-' |
		sed 's/^\.BR \\-\(.\) ", " \\-\\-\([a-z-]*\).*/-\1, --\2/' | tr '\n' ' ')"
run "casewatchd -h" 0 "$CASEWATCHD" -h
if cmp -s "$T/dhelp" "$T/out"; then ok "casewatchd -h is --help"; else not_ok "casewatchd -h is --help"; fi
run "casewatchd with an unknown option" 2 "$CASEWATCHD" --no-such-option
same "casewatchd: the message and the usage" "$(sed -n '1,2p;$p' "$T/err")" "casewatchd: unknown option '--no-such-option'
Usage: casewatchd [-c FILE]
Try 'casewatchd --help'."
run "casewatchd with an operand" 2 "$CASEWATCHD" extra
same "casewatchd: names it" "$(sed -n 1p "$T/err")" "casewatchd: unexpected argument 'extra'"

done_testing

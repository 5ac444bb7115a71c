#!/bin/sh
# The systemd integration: the unit built from casewatchd.service.in, and the
# sysusers.d and tmpfiles.d snippets, checked with systemd's own tools where
# they are installed (Debian's systemd package; scripts/deps installs it).
# None of them needs a running systemd.
. "${top_srcdir:-.}/tests/lib.sh"

UNIT="$top_builddir/contrib/systemd/casewatchd.service"
SYSUSERS="$top_srcdir/contrib/systemd/casewatch.sysusers"
TMPFILES="$top_srcdir/contrib/systemd/casewatch.tmpfiles"

# is_same A B: A is not empty and equals B.
is_same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
# setting KEY: the value of KEY= in the unit (the last one, as systemd reads
# a single-valued setting).
setting() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }
has_line() { grep -qx -- "$1" "$UNIT"; }

if [ -f "$UNIT" ]; then ok "the unit is built"; else
	not_ok "the unit is built ($UNIT is missing)"
	done_testing
fi
if grep -n '@[a-z_]*@' "$UNIT" >"$T/left"; then
	not_ok "every @variable@ is substituted"
	sed 's/^/# /' "$T/left"
else
	ok "every @variable@ is substituted"
fi

check "Type=notify" has_line "Type=notify"
case $(setting ExecStart) in
/*/casewatchd | /*/casewatchd\ *) ok "ExecStart runs the installed casewatchd" ;;
*) not_ok "ExecStart runs the installed casewatchd (got '$(setting ExecStart)')" ;;
esac
check "ExecReload sends SIGHUP to the main process" has_line 'ExecReload=/bin/kill -HUP $MAINPID'
check "Restart=on-failure" has_line "Restart=on-failure"
check "the daemon may write the import inbox tmpfiles.d makes" has_line "ReadWritePaths=-/var/spool/casewatch/inbox"
check "tmpfiles.d makes that inbox" grep -q '^d /var/spool/casewatch/inbox ' "$TMPFILES"
case $(setting WatchdogSec) in
"" | 0 | infinity) not_ok "WatchdogSec is set (got '$(setting WatchdogSec)')" ;;
*) ok "WatchdogSec is set" ;;
esac

# The three files must agree with each other.
user=$(awk '$1 == "u" { print $2 }' "$SYSUSERS")
check "the unit runs as the user that sysusers.d creates" is_same "$user" "$(setting User)"
statemode=$(awk '$1 == "d" && $2 == "/var/lib/casewatch" { print $3 }' "$TMPFILES")
check "tmpfiles.d gives the state folder the unit's StateDirectoryMode" \
	is_same "$statemode" "$(setting StateDirectoryMode)"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify finds nothing to say" "systemd-analyze is not installed"
	skip "systemd-analyze security rates the unit 1.5 or better" "systemd-analyze is not installed"
else
	# verify wants the ExecStart program to exist: check a copy that runs the
	# built daemon, or true(1) until there is one. Every other line is as
	# built. It reports unknown or bad settings on stderr, exit status 0.
	mkdir "$T/unit"
	exe="$top_builddir/casewatchd"
	[ -x "$exe" ] || exe=$(command -v true)
	sed "s|^ExecStart=[^ ]*|ExecStart=$exe|" "$UNIT" >"$T/unit/casewatchd.service"
	st=0
	systemd-analyze verify --man=no "$T/unit/casewatchd.service" >"$T/out" 2>"$T/err" || st=$?
	if [ "$st" -eq 0 ] && ! grep -q 'casewatchd\.service' "$T/err"; then
		ok "systemd-analyze verify finds nothing to say"
	else
		not_ok "systemd-analyze verify finds nothing to say (exit $st)"
	fi
	sed 's/^/# verify: /' "$T/err"

	st=0
	systemd-analyze security --offline=yes "$UNIT" >"$T/out" 2>"$T/err" || st=$?
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p' "$T/out")
	if [ "$st" -eq 0 ] && [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s + 0 <= 1.5) }'; then
		ok "systemd-analyze security rates the unit 1.5 or better ($score)"
	else
		not_ok "systemd-analyze security rates the unit 1.5 or better (exit $st, score '$score')"
		grep '✗\|^X\|Overall' "$T/out" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$T/err"
	fi
fi

# Both snippets applied for real under a scratch root: sysusers.d writes its
# passwd and group, tmpfiles.d resolves the names from them.
mkdir -p "$T/root/etc"
if ! command -v systemd-sysusers >/dev/null 2>&1; then
	skip "sysusers.d snippet creates the user and group" "systemd-sysusers is not installed"
else
	run "sysusers.d snippet applies" 0 systemd-sysusers --root="$T/root" "$SYSUSERS"
	pw=$(grep "^casewatch:" "$T/root/etc/passwd" 2>/dev/null)
	case $pw in
	casewatch:x:*:*:*:/var/lib/casewatch:/usr/sbin/nologin) ok "casewatch: a system user living in /var/lib/casewatch, no shell" ;;
	*) not_ok "casewatch: a system user living in /var/lib/casewatch, no shell (got '$pw')" ;;
	esac
	imp=$(grep "^casewatch-import:" "$T/root/etc/group" 2>/dev/null)
	case $imp in
	casewatch-import:x:*:casewatch) ok "casewatch-import: a group for the export job, with casewatch in it" ;;
	*) not_ok "casewatch-import: a group for the export job, with casewatch in it (got '$imp')" ;;
	esac
	igid=$(echo "$imp" | cut -d: -f3)
	uid=$(echo "$pw" | cut -d: -f3)
	gid=$(sed -n 's/^casewatch:x:\([0-9]*\):.*/\1/p' "$T/root/etc/group")
	if [ -n "$uid" ] && [ -n "$gid" ] && [ "$uid" -lt 1000 ] && [ "$gid" = "$(echo "$pw" | cut -d: -f4)" ]; then
		ok "casewatch: a system uid with its own group"
	else
		not_ok "casewatch: a system uid with its own group (uid '$uid', gid '$gid')"
	fi
fi

if ! command -v systemd-tmpfiles >/dev/null 2>&1 || ! [ -n "${gid:-}" ]; then
	skip "tmpfiles.d snippet applies" "systemd-tmpfiles or systemd-sysusers is not installed"
else
	# As an ordinary user, tmpfiles makes the folders but cannot give them
	# away: status 73 with only those complaints. Bad lines are status 65.
	st=0
	systemd-tmpfiles --create --root="$T/root" "$TMPFILES" >"$T/out" 2>"$T/err" || st=$?
	grep -v '^fchownat() of .* failed: Operation not permitted$' "$T/err" >"$T/errs" || :
	if { [ "$st" -eq 0 ] || { [ "$st" -eq 73 ] && [ "$(id -u)" -ne 0 ]; }; } && ! [ -s "$T/errs" ]; then
		ok "tmpfiles.d snippet applies"
	else
		not_ok "tmpfiles.d snippet applies (exit $st)"
		sed 's/^/# stderr: /' "$T/err"
	fi
	mode() { stat -c %a "$T/root$1" 2>/dev/null; }
	owner() { stat -c %u:%g "$T/root$1" 2>/dev/null; }
	check "/var/lib/casewatch is 0750" test "$(mode /var/lib/casewatch)" = 750
	check "/etc/casewatch is 0750" test "$(mode /etc/casewatch)" = 750
	check "/var/spool/casewatch/inbox is 3770: the group's, set-group-ID, sticky" \
		test "$(mode /var/spool/casewatch/inbox)" = 3770
	check "/var/spool/casewatch lets through, lists nothing private" test "$(mode /var/spool/casewatch)" = 755
	if [ "$(id -u)" -eq 0 ]; then
		check "/var/lib/casewatch belongs to casewatch:casewatch" test "$(owner /var/lib/casewatch)" = "$uid:$gid"
		check "/etc/casewatch belongs to root:casewatch" test "$(owner /etc/casewatch)" = "0:$gid"
		check "the inbox belongs to casewatch:casewatch-import" \
			test "$(owner /var/spool/casewatch/inbox)" = "$uid:$igid"
	else
		skip "/var/lib/casewatch belongs to casewatch:casewatch" "needs root to give it away"
		skip "/etc/casewatch belongs to root:casewatch" "needs root to give it away"
		skip "the inbox belongs to casewatch:casewatch-import" "needs root to give it away"
	fi
fi

done_testing

#!/bin/sh
# The Debian package (debian/), as a council's IT would meet it: built with
# `dpkg-buildpackage -us -uc -b` from this tree's tarball (make distdir into
# a temporary folder: the source and build trees are left as they were),
# checked with lintian, installed with `dpkg -i`, run from the installed
# files with the installed configuration (`casewatch check`, casewatchd
# waiting for a case database that does not exist yet, a database made by
# `casewatch db init` with the demo's cases, a status and a scan as the
# casewatch user), removed, purged, and checked for what is left behind.
#
# Where it is installed. dpkg -i runs as root in a private copy-on-write
# view of this machine: an overlay of / whose upper layer is a tmpfs, in
# mount and PID namespaces of its own (every process started there ends
# with it), entered with chroot, with a /run and a /tmp of its own. The maintainer scripts run exactly as they would on the
# machine (the same dpkg database, libraries and systemd tools), but
# nothing reaches the machine itself: the tests running beside this one
# (which read /etc/casewatch/casewatch.conf when not given -c) never see an
# installed casewatch, a casewatch package the machine has is left as it
# is, nothing needs cleaning up after a crash, and what the package leaves
# behind after its purge is exactly what the upper layer holds. With no
# /run/systemd/system in the view, the maintainer scripts never talk to a
# systemd, as in a container. Where no overlay can be mounted (an
# unprivileged container), or with CASEWATCH_PACKAGE_ON_MACHINE=1, the
# package goes onto the machine itself, only if no casewatch package is
# installed there, and is purged on exit.
#
# Skipped, saying why, where the package cannot be built (no
# dpkg-buildpackage or debhelper) and, for the installation, where neither
# root nor `sudo -n` is available.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
arch=$(dpkg --print-architecture 2>/dev/null)

for tool in dpkg dpkg-buildpackage dpkg-deb dh; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "# skipped: $tool is not installed (scripts/deps installs dpkg-dev and debhelper)"
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done

# Run as root, or through sudo when it asks no password; neither: the
# package is built and checked, not installed.
ROOT=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		ROOT="sudo -n"
	else
		ROOT=none
	fi
fi

# The package's version is the project's.
cl=$(cd "$top_srcdir" && dpkg-parsechangelog -S Version 2>/dev/null)
same "debian/changelog's version is configure's" "$cl" "$version"

# The tarball's tree, then the package from it. The environment of make
# check (its jobserver, the sanitizers' options) stays out of the build.
src="$T/src/casewatch-$version"
mkdir -p "$T/src"
st=0
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" distdir \
	distdir="$src" top_distdir="$src" >"$T/dist.out" 2>&1 || st=$?
same "make distdir makes the source package's tree" "$st" 0
[ "$st" -eq 0 ] || sed 's/^/# /' "$T/dist.out"
for f in debian/control debian/rules debian/changelog debian/copyright debian/source/format COPYING; do
	check "the tarball carries $f" test -f "$src/$f"
done

st=0
(
	cd "$src" &&
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u ASAN_OPTIONS -u UBSAN_OPTIONS \
			-u CFLAGS -u CPPFLAGS -u LDFLAGS -u top_srcdir -u top_builddir \
			DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b
) >"$T/build.log" 2>&1 || st=$?
deb="$T/src/casewatch_${version}_$arch.deb"
changes="$T/src/casewatch_${version}_$arch.changes"
if [ "$st" -eq 0 ] && [ -f "$deb" ] && [ -f "$changes" ]; then
	ok "dpkg-buildpackage -us -uc -b builds casewatch_${version}_$arch.deb"
else
	not_ok "dpkg-buildpackage -us -uc -b builds casewatch_${version}_$arch.deb (exit $st)"
	tail -n 40 "$T/build.log" | sed 's/^/# build: /'
	done_testing
fi
# The unit tests run in the package build unless DEB_BUILD_OPTIONS has
# nocheck (here: this suite runs them).
if grep -q '^# TOTAL:' "$T/build.log"; then
	not_ok "DEB_BUILD_OPTIONS=nocheck skips the unit tests"
else
	ok "DEB_BUILD_OPTIONS=nocheck skips the unit tests"
fi
# The project's flags, every warning an error, with Debian's hardening.
check "built with -Werror and Debian's hardening flags" \
	grep -q -e '-Werror .*-fstack-protector-strong' "$T/build.log"
check "and without sanitizers" sh -c "! grep -q -e '-fsanitize' '$T/build.log'"
# Built in the copy: none of debhelper's files in the source tree.
left=
for f in debian/build debian/casewatch debian/.debhelper debian/files debian/debhelper-build-stamp; do
	[ ! -e "$top_srcdir/$f" ] || left="$left $f"
done
same "the source tree is left as it was" "$left" ""

# What the package holds.
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$T/contents"
for f in /usr/bin/casewatch /usr/sbin/casewatchd \
	/usr/share/casewatch/rules/leeds-asbu.conf /usr/share/casewatch/rules/oadby-wigston.conf \
	/usr/share/man/man1/casewatch.1.gz /usr/share/man/man8/casewatchd.8.gz \
	/usr/share/man/man5/casewatch.conf.5.gz /usr/share/man/man5/casewatch-rules.5.gz \
	/usr/share/man/man5/casewatch-import.5.gz \
	/lib/systemd/system/casewatchd.service /usr/lib/sysusers.d/casewatch.conf \
	/usr/lib/tmpfiles.d/casewatch.conf /etc/casewatch/casewatch.conf \
	/usr/share/doc/casewatch/copyright /usr/share/doc/casewatch/examples/casewatch.conf \
	/usr/share/bash-completion/completions/casewatch; do
	check "the package holds $f" grep -qx -- "$f" "$T/contents"
done
same "its only conffile is /etc/casewatch/casewatch.conf" \
	"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" /etc/casewatch/casewatch.conf
mkdir "$T/ctl"
dpkg-deb -e "$deb" "$T/ctl"
# Maintainer scripts: the users before the folders (tmpfiles.d names
# them), the unit enabled, never started by the installation, restarted by
# an upgrade only if it was running.
first() { grep -n -m1 -e "$1" "$T/ctl/postinst" | cut -d: -f1; }
users=$(first '^[[:space:]]*systemd-sysusers ') folders=$(first '^[[:space:]]*systemd-tmpfiles ')
if [ -n "$users" ] && [ -n "$folders" ] && [ "$users" -lt "$folders" ]; then
	ok "postinst makes the user (sysusers.d) before the folders (tmpfiles.d)"
else
	not_ok "postinst makes the user (sysusers.d) before the folders (tmpfiles.d) (lines '$users', '$folders')"
fi
check "postinst enables casewatchd.service" grep -q "deb-systemd-helper enable 'casewatchd.service'" "$T/ctl/postinst"
check "the installation never starts it" sh -c "! grep -q 'deb-systemd-invoke start' '$T/ctl/postinst'"
check "an upgrade restarts it only if it runs (try-restart)" \
	grep -q "deb-systemd-invoke try-restart 'casewatchd.service'" "$T/ctl/postinst"
check "and does not stop it beforehand" sh -c "! grep -q 'deb-systemd-invoke stop' '$T/ctl/preinst' 2>/dev/null"
dep=$(dpkg-deb -f "$deb" Depends)
case $dep in
*"systemd | systemd-standalone-sysusers | systemd-sysusers"*) ok "it depends on a systemd-sysusers" ;;
*) not_ok "it depends on a systemd-sysusers (Depends: $dep)" ;;
esac
# libcurl is loaded by name when a webhook is first posted (not linked, so
# dpkg-shlibdeps cannot see it): the package names it.
case $dep in
*"libcurl4 (>= 7.85)"*) ok "it depends on libcurl4, which the programs load" ;;
*) not_ok "it depends on libcurl4, which the programs load (Depends: $dep)" ;;
esac

# lintian: no error and no warning (overrides carry their reasons in
# debian/casewatch.lintian-overrides).
if ! command -v lintian >/dev/null 2>&1; then
	skip "lintian finds no error or warning" "lintian is not installed"
else
	st=0
	lintian --fail-on error,warning "$changes" >"$T/lintian.out" 2>"$T/lintian.err" || st=$?
	if [ "$st" -eq 0 ] && ! grep -q '^[EW]: ' "$T/lintian.out"; then
		ok "lintian finds no error or warning"
	else
		not_ok "lintian finds no error or warning (exit $st)"
		cat "$T/lintian.err"
	fi
	sed 's/^/# lintian: /' "$T/lintian.out"
fi

if [ "$ROOT" = none ]; then
	echo "# skipped: installing the package needs root, or sudo without a password"
	skip "the package installs, runs and purges" "needs root, or sudo without a password"
	done_testing
fi

# The installation's checks, run as root in the package's root (the
# overlay's, or the machine's), printing TAP lines without numbers.
cat >"$T/inside.sh" <<'INSIDE'
set -u
pkg=$1 version=$2 deb=$3
n_ok() { echo "ok - $*"; }
n_not() { echo "not ok - $*"; }
chk() { _n=$1; shift; if "$@"; then n_ok "$_n"; else n_not "$_n"; fi; }
eq() { if [ "$2" = "$3" ]; then n_ok "$1"; else n_not "$1 (got '$2', want '$3')"; fi; }
# r NAME STATUS COMMAND...: COMMAND exits STATUS; its output in $pkg/out and $pkg/err.
r() {
	_n=$1 _w=$2; shift 2; _s=0
	"$@" >"$pkg/out" 2>"$pkg/err" || _s=$?
	if [ "$_s" -eq "$_w" ]; then n_ok "$_n"; else
		n_not "$_n (exit $_s, want $_w)"
		sed 's/^/# stdout: /' "$pkg/out"; sed 's/^/# stderr: /' "$pkg/err"
	fi
}
as_cw() { setpriv --reuid=casewatch --regid=casewatch --init-groups -- "$@"; }
status() { dpkg-query -W -f='${db:Status-Abbrev}' casewatch 2>/dev/null | tr -d ' '; }
mode() { stat -c '%U:%G %a' "$1" 2>/dev/null; }
CONF=/etc/casewatch/casewatch.conf

r "dpkg -i installs the package" 0 dpkg -i "$deb"
eq "dpkg has it installed" "$(status)" ii
eq "casewatch --version names this version" "$(casewatch --version 2>&1)" "casewatch $version"
chk "casewatchd is in /usr/sbin" test -x /usr/sbin/casewatchd
chk "the conffile is there" test -f "$CONF"
chk "and names the packs where they are installed" grep -q '"/usr/share/casewatch/rules/leeds-asbu.conf"' "$CONF"

pw=$(getent passwd casewatch)
case $pw in
casewatch:x:*:*:*:/var/lib/casewatch:/usr/sbin/nologin) n_ok "sysusers.d made the casewatch user" ;;
*) n_not "sysusers.d made the casewatch user (got '$pw')" ;;
esac
case $(getent group casewatch-import) in
casewatch-import:x:*:casewatch) n_ok "and the casewatch-import group, casewatch in it" ;;
*) n_not "and the casewatch-import group, casewatch in it (got '$(getent group casewatch-import)')" ;;
esac
eq "tmpfiles.d made /etc/casewatch root:casewatch 0750" "$(mode /etc/casewatch)" "root:casewatch 750"
eq "and /var/lib/casewatch casewatch:casewatch 0750" "$(mode /var/lib/casewatch)" "casewatch:casewatch 750"
eq "and the import inbox casewatch:casewatch-import 3770" "$(mode /var/spool/casewatch/inbox)" "casewatch:casewatch-import 3770"

want=/etc/systemd/system/multi-user.target.wants/casewatchd.service
eq "casewatchd.service is enabled" "$(readlink "$want")" /lib/systemd/system/casewatchd.service
running=
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/casewatchd ] && running="$running ${p#/proc/}"
done
eq "and not started" "$running" ""

r "casewatch check passes on the installed configuration" 0 casewatch check
eq "it says so" "$(cat "$pkg/out")" "configuration OK"
r "and as the casewatch user, who reads it through its group" 0 as_cw casewatch check

# Enabled but not yet configured: a daemon started before the case
# database exists waits for it, retrying each scan; it does not exit
# (which would make systemd restart it until the start limit).
setpriv --reuid=casewatch --regid=casewatch --init-groups -- casewatchd 2>"$pkg/daemon.err" &
dpid=$!
i=0
while ! grep -q 'scan failed' "$pkg/daemon.err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
chk "casewatchd with no case database says to create it" grep -q 'create it with casewatch db init' "$pkg/daemon.err"
chk "and keeps running" kill -0 "$dpid"
kill "$dpid" 2>/dev/null
st=0
wait "$dpid" || st=$?
kill -KILL "$dpid" 2>/dev/null
eq "and stops on SIGTERM with status 0" "$st" 0
sed 's/^/# casewatchd: /' "$pkg/daemon.err"

r "casewatch db init, as the casewatch user, makes the configured database" 0 as_cw casewatch db init
eq "in /var/lib/casewatch" "$(mode /var/lib/casewatch/cases.db | cut -d' ' -f1)" casewatch:casewatch
r "the demo's cases load into it" 0 as_cw sqlite3 -bail /var/lib/casewatch/cases.db ".read $pkg/demo.sql"
r "casewatch status reads them with the installed packs" 0 as_cw casewatch status --summary --at 2026-11-20T12:00:00Z
eq "all 39 cases" "$(sed -n 2p "$pkg/out")" "cases: 39 (31 open), 0 skipped for bad data"
r "a scan as the daemon's user" 0 as_cw casewatch run --once --at 2026-11-20T12:00:00Z
chk "sends the demo's 7 emails" grep -qx 'sent 7 messages (7 email, 0 webhook); 0 to retry, 0 dead' "$pkg/out"
eq "into the Maildir beside the state database" "$(ls /var/lib/casewatch/mail/new 2>/dev/null | wc -l)" 7

r "dpkg -r removes it" 0 dpkg -r casewatch
eq "leaving its configuration" "$(status)" rc
chk "the programs are gone" test ! -e /usr/bin/casewatch -a ! -e /usr/sbin/casewatchd
chk "the conffile stays" test -f "$CONF"
chk "and the data in /var/lib/casewatch" test -f /var/lib/casewatch/cases.db

r "dpkg --purge purges it" 0 dpkg --purge casewatch
eq "dpkg knows it no more" "$(status)" ""
for d in /etc/casewatch /var/lib/casewatch /var/spool/casewatch /usr/share/casewatch \
	/usr/share/doc/casewatch "$want"; do
	chk "$d is gone" test ! -e "$d" -a ! -L "$d"
done
has_user() { getent passwd casewatch >/dev/null; }
chk "the casewatch user stays, as Debian keeps system accounts" has_user
echo "# the checks ran to their end"
INSIDE

# The overlay: a tmpfs for its upper layer, / beneath, a /run and a /tmp of
# its own, /proc and /dev from the machine. After the checks, every file
# of the upper layer is a change the package's life made to the machine;
# what may stay is what dpkg, man-db and the account database keep.
cat >"$T/overlay.sh" <<'OVERLAY'
set -eu
ovl=$1 deb=$2 version=$3 demo=$4
mount -t tmpfs -o mode=0755 casewatch-package "$ovl"
mkdir "$ovl/upper" "$ovl/work" "$ovl/root"
mount -t overlay casewatch-package -o "lowerdir=/,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/root"
root=$ovl/root
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=0755 casewatch-run "$root/run"
mount -t tmpfs -o mode=1777 casewatch-tmp "$root/tmp"
mkdir -m 0755 "$root/tmp/pkg"
cp "$deb" "$root/tmp/pkg/"
cp "$demo" "$root/tmp/pkg/demo.sql"
cp "$ovl.inside" "$root/tmp/pkg/inside.sh"
chmod 0644 "$root/tmp/pkg/demo.sql"
touch "$ovl.mounted"
chroot "$root" /bin/sh /tmp/pkg/inside.sh /tmp/pkg "$version" "/tmp/pkg/${deb##*/}" || :
cd "$ovl/upper"
# Whiteouts (character devices 0/0) are removals, not remains; folders
# count only when the machine has no such folder.
find . -mindepth 1 ! -type c ! -type d | sed 's|^\.||' >"$ovl.files"
find . -mindepth 1 -type d | sed 's|^\.||' | while read -r d; do [ -d "$d" ] || echo "$d/"; done >>"$ovl.files"
sort "$ovl.files" >"$ovl.left"
OVERLAY

cp "$top_srcdir/examples/demo.sql" "$T/demo.sql"
mkdir "$T/ovl"
cp "$T/inside.sh" "$T/ovl.inside"
st=0
if [ "${CASEWATCH_PACKAGE_ON_MACHINE:-}" = 1 ]; then
	echo "overlay not tried: CASEWATCH_PACKAGE_ON_MACHINE=1" >"$T/inside.err"
else
	# shellcheck disable=SC2086
	$ROOT unshare --mount --propagation private --pid --fork \
		sh "$T/overlay.sh" "$T/ovl" "$deb" "$version" "$T/demo.sql" \
		>"$T/inside.out" 2>"$T/inside.err" || st=$?
fi
if ! [ -f "$T/ovl.mounted" ]; then
	# No overlay here: the machine itself, when it has no casewatch.
	echo "# no private overlay of / (exit $st):"
	sed 's/^/# /' "$T/inside.err"
	if [ -n "$(dpkg-query -W -f='${db:Status-Abbrev}' casewatch 2>/dev/null | tr -d ' ')" ]; then
		echo "# skipped: a casewatch package is on this machine, and the test would replace and purge it"
		skip "the package installs, runs and purges" "a casewatch package is installed on this machine"
		done_testing
	fi
	trap '$ROOT dpkg --purge casewatch >/dev/null 2>&1; $ROOT rm -rf "$T"' EXIT
	trap 'exit 1' INT TERM
	mkdir -p "$T/pkg"
	cp "$T/demo.sql" "$T/pkg/demo.sql"
	chmod 0755 "$T" "$T/pkg"
	chmod 0644 "$T/pkg/demo.sql"
	st=0
	$ROOT sh "$T/inside.sh" "$T/pkg" "$version" "$deb" >"$T/inside.out" 2>"$T/inside.err" || st=$?
	overlay=no
else
	overlay=yes
fi
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done <"$T/inside.out"
if [ "$st" -eq 0 ] && grep -qx '# the checks ran to their end' "$T/inside.out"; then
	ok "the installation's checks ran to their end"
else
	not_ok "the installation's checks ran to their end (exit $st)"
fi
sed 's/^/# stderr: /' "$T/inside.err"

if [ "$overlay" = yes ]; then
	# What Debian keeps after a purge, and why:
	# - dpkg's own database and log (the package's entry says it is gone);
	# - the casewatch user and the casewatch-import group, in the account
	#   files and their backups (and the lock systemd-sysusers took on
	#   them): Debian never removes a system account, as files elsewhere
	#   may still belong to it;
	# - man-db's index, which its trigger rebuilt.
	allowed='^/var/lib/dpkg/|^/var/log/dpkg\.log$|^/etc/(passwd|group|shadow|gshadow)-?$|^/etc/\.pwd\.lock$|^/var/cache/man/'
	grep -v -E "$allowed" "$T/ovl.left" >"$T/left" || :
	if [ -s "$T/left" ]; then
		not_ok "the purge leaves nothing behind but what Debian keeps"
		sed 's/^/# left: /' "$T/left"
	else
		ok "the purge leaves nothing behind but what Debian keeps"
	fi
	sed 's/^/# kept: /' "$T/ovl.left"
fi

done_testing

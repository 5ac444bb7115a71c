#!/bin/sh
# Incremental scans (the change log and the wake-up index) give exactly
# what full evaluations give: a random case database written to across a
# simulated month, scanned both ways at every step (tests/watch-equiv.py).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

packs="$top_srcdir/rules/leeds-asbu.conf $top_srcdir/rules/oadby-wigston.conf $top_srcdir/tests/data/packs/hours.conf"
for seed in 1 7; do
	mkdir "$T/$seed"
	# shellcheck disable=SC2086
	/usr/bin/python3 "$top_srcdir/tests/watch-equiv.py" "$CASEWATCH" "$T/$seed" "$seed" $packs |
		sed "s/^\(ok\|not ok\) [0-9]* - /\1 /" >"$T/tap" || true
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) not_ok "${line#not ok }" ;;
		*) echo "$line" ;;
		esac
	done <"$T/tap"
	grep -q '^ok \|^not ok ' "$T/tap" || not_ok "the month of scans ran (seed $seed)"
done
done_testing

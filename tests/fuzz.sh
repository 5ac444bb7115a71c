#!/bin/sh
# The fuzz harnesses (tests/fuzz/) keep building and passing: each runs a
# fixed number of inputs from its seed corpus on (tests/fuzz/harnesses),
# then every regression input once (tests/fuzz/regressions/NAME/*, inputs
# that once crashed or leaked). Without clang and libFuzzer this fails:
# scripts/deps installs them. Longer runs: scripts/fuzz.
. "${top_srcdir:-.}/tests/lib.sh"
top=$top_srcdir
. "$top/tests/fuzz/common.sh"

if ! fuzz_need_clang 2>"$T/err"; then
	not_ok "clang with libFuzzer"
	sed 's/^/# /' "$T/err"
	done_testing
fi
# Built afresh in the scratch folder: nothing left in the build tree for
# distclean to miss.
out=$T/build
if fuzz_build "$out" 2>"$T/err"; then
	ok "the harnesses build"
else
	not_ok "the harnesses build"
	sed 's/^/# /' "$T/err"
	done_testing
fi
fuzz_env

fuzz_harnesses >"$T/list"
while read -r name max_len runs; do
	mkdir "$T/$name"
	# New inputs go to the scratch folder, never to the seed corpus.
	# -seed fixed: the same runs every time.
	st=0
	"$out/fuzz-$name" -seed=1 -runs="$runs" -max_len="$max_len" -timeout=30 \
		-artifact_prefix="$T/$name/" "$T/$name" "$top/tests/fuzz/corpus/$name" \
		</dev/null >"$T/$name.log" 2>&1 || st=$?
	if [ "$st" -ne 0 ]; then
		not_ok "fuzz-$name: $runs runs (exit $st)"
		grep -A40 '^==[0-9]*==ERROR\|runtime error:\|^INFO: a leak' "$T/$name.log" | head -60 | sed 's/^/# /'
		for f in "$T/$name"/crash-* "$T/$name"/leak-* "$T/$name"/timeout-* "$T/$name"/oom-*; do
			[ -e "$f" ] && echo "# artifact: $f"
		done
		continue
	fi
	regs=$(find "$top/tests/fuzz/regressions/$name" -type f 2>/dev/null | wc -l)
	if [ "$regs" -gt 0 ]; then
		"$out/fuzz-$name" -timeout=30 "$top/tests/fuzz/regressions/$name"/* \
			</dev/null >"$T/$name-reg.log" 2>&1 || st=$?
	fi
	if [ "$st" -ne 0 ]; then
		not_ok "fuzz-$name: a regression input fails (exit $st)"
		grep '^Running:\|^==[0-9]*==ERROR\|runtime error:\|^SUMMARY' "$T/$name-reg.log" | sed 's/^/# /'
	else
		ok "fuzz-$name: $runs runs, $regs regression inputs"
	fi
done <"$T/list"
done_testing

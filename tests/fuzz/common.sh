# Shared by scripts/fuzz and tests/fuzz.sh: check for clang with libFuzzer,
# build the harnesses, list them.
: "${top:?tests/fuzz/common.sh needs top, the source tree}"

# fuzz_need_clang: 0, or 1 with the reason on stderr.
fuzz_need_clang() {
	if ! command -v clang >/dev/null 2>&1; then
		echo "fuzz: clang is not installed (scripts/deps installs clang and libclang-rt-14-dev)" >&2
		return 1
	fi
	_d=$(mktemp -d "${TMPDIR:-/tmp}/casewatch-fuzz-cc.XXXXXX")
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$_d/t.c"
	if ! clang -fsanitize=fuzzer,address,undefined "$_d/t.c" -o "$_d/t" >"$_d/out" 2>&1; then
		echo "fuzz: clang cannot link libFuzzer (-fsanitize=fuzzer): scripts/deps installs libclang-rt-14-dev" >&2
		sed 's/^/fuzz:   /' "$_d/out" >&2
		rm -rf "$_d"
		return 1
	fi
	rm -rf "$_d"
}

# fuzz_build OUT: every harness into OUT (fuzz-NAME), the build's output in
# OUT/build.out; 0 or 1. A make this runs under (make check) must not lend
# it its jobserver, which a test does not get.
fuzz_build() {
	mkdir -p "$1"
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j"$(nproc)" -f "$top/tests/fuzz/fuzz.mk" \
		top="$top" O="$1" >"$1/build.out" 2>&1; then
		echo "fuzz: building the harnesses failed:" >&2
		cat "$1/build.out" >&2
		return 1
	fi
}

# fuzz_harnesses: "NAME MAX_LEN CHECK_RUNS" lines.
fuzz_harnesses() {
	grep -v '^#' "$top/tests/fuzz/harnesses" | grep -v '^[[:space:]]*$'
}

# The sanitizers' settings for every run: libconfig's own leaks suppressed.
fuzz_env() {
	ASAN_OPTIONS=detect_leaks=1
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	LSAN_OPTIONS=suppressions=$top/tests/fuzz/lsan.supp:print_suppressions=0
	export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
}

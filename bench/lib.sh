# Shared by the benchmarks: build in release mode, generate (or reuse) a
# database of $n cases with seed $seed, and time commands.
# Sourced with top, n and seed set; sets BUILD, db, work.

"$top/scripts/deps"
BUILD=${BUILD:-$top/_build/release}
export BUILD
# Timed runs show no progress (casewatch(1), CASEWATCH_PROGRESS): the
# benchmarks compare what the programs print, and time only their work.
CASEWATCH_PROGRESS=off
export CASEWATCH_PROGRESS
CFLAGS="-O2 -g" "$top/scripts/build"
make -C "$BUILD" -s bench >/dev/null

# A generated database is reused while it is newer than the schema and the
# generator's source; it is written under a temporary name so that an
# interrupted run leaves nothing to reuse.
dbdir=${BENCH_DB_DIR:-$top/_build/bench}
mkdir -p "$dbdir"
dbdir=$(cd "$dbdir" && pwd)
db=$dbdir/cases-$n-seed$seed.db
if [ ! -f "$db" ] || [ -n "$(find "$top/schema/casedb.sql" "$top/bench/gen-cases.c" -newer "$db")" ]; then
	rm -f "$db" "$db-wal" "$db-shm" "$db.tmp" "$db.tmp-wal" "$db.tmp-shm" "$db.tmp-journal"
	echo "generating $n cases (seed $seed) into $db ..." >&2
	"$BUILD/bench/gen-cases" --seed "$seed" "$db.tmp" "$n" >"$dbdir/gen-$n-seed$seed.out"
	mv "$db.tmp" "$db"
	echo "generated in $(sed -n 's/^seconds //p' "$dbdir/gen-$n-seed$seed.out") s" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

esc() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }

# best NAME CMD...: run CMD three times, its output in $work/NAME.out; sets
# best_s (the fastest wall time, seconds; also min_s), max_s (the slowest) and peak_kib (the most memory any
# run held).
best() {
	name=$1
	shift
	best_s=""
	max_s=""
	peak_kib=0
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		if ! /usr/bin/time -f %M -o "$work/$name.rss" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
			echo "$name failed: $*" >&2
			head -n 20 "$work/$name.err" >&2
			return 1
		fi
		t1=$(date +%s%N)
		s=$(awk "BEGIN { printf \"%.3f\", ($t1 - $t0) / 1e9 }")
		kib=$(tail -n 1 "$work/$name.rss")
		if [ -z "$best_s" ] || awk "BEGIN { exit !($s < $best_s) }"; then
			best_s=$s
		fi
		if [ -z "$max_s" ] || awk "BEGIN { exit !($s > $max_s) }"; then
			max_s=$s
		fi
		if [ "$kib" -gt "$peak_kib" ]; then
			peak_kib=$kib
		fi
	done
	min_s=$best_s
	return 0
}
mib() { awk "BEGIN { printf \"%.1f\", $1 / 1024 }"; }

ok() { awk "BEGIN { exit !($1) }" && echo "met" || echo "NOT met"; }

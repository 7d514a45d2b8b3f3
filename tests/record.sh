#!/bin/sh
# record.sh NETSPLIT — recordings end to end: `run --record` stores a run;
# `export --format ns` gives a scenario that `netsplit run` repeats with the
# same trace, byte for byte (expect lines aside, which name their own file
# and line); `export --format jsonl` is that trace; `import` stores a
# scenario; listing, renaming and deleting work; bad ids are refused.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
db="$tmp/ns.db"
strip() { grep -v '"kind":"expect"' "$1" | grep -v '"kind":"summary"' | grep -v '"kind":"info"'; }

for f in tests/scenarios/heartbeat_crash_vs_cut.ns tests/scenarios/schedule_at.ns; do
	"$ns" run --json --seed 9 --record "r $f" --db "$db" "$f" >"$tmp/orig.json" 2>"$tmp/err" ||
		[ $? -eq 1 ] || fail "run --record $f: $(cat "$tmp/err")"
	id=$(sed -n 's/.*recorded as \([0-9]*\).*/\1/p' "$tmp/err")
	[ -n "$id" ] || fail "no recording id: $(cat "$tmp/err")"
	"$ns" export "$id" --db "$db" -o "$tmp/rec.ns" || fail "export ns"
	grep -q '^seed 9$' "$tmp/rec.ns" || fail "the exported scenario lacks the effective seed"
	"$ns" run --json "$tmp/rec.ns" >"$tmp/again.json" 2>&1 || [ $? -eq 1 ] || fail "run exported"
	strip "$tmp/orig.json" >"$tmp/a"
	strip "$tmp/again.json" >"$tmp/b"
	[ -s "$tmp/a" ] || fail "empty trace"
	cmp -s "$tmp/a" "$tmp/b" || fail "$f: the exported scenario's trace differs"
	"$ns" export "$id" --format jsonl --db "$db" >"$tmp/trace.json" || fail "export jsonl"
	strip "$tmp/trace.json" >"$tmp/c"
	cmp -s "$tmp/a" "$tmp/c" || fail "$f: the exported trace differs"
done
"$ns" export 1 --format cast --db "$db" >"$tmp/rec.cast" || fail "export cast"
head -n 1 "$tmp/rec.cast" | grep -q '^{"version": 2, "width": 80, "height": 24' || fail "cast header"
[ "$(sed -n '2,$p' "$tmp/rec.cast" | grep -c '^\[[0-9.]*, "o", ".*"\]$')" -ge 10 ] || fail "cast frames"
grep -q 'Follower\|Detector\|Leader' "$tmp/rec.cast" || fail "cast frames do not show the cluster"
"$ns" import tests/scenarios/heartbeat_partition.ns --title imported --db "$db" >"$tmp/out" || fail "import"
grep -q "Stored as recording 3" "$tmp/out" || fail "import: $(cat "$tmp/out")"
"$ns" recordings --db "$db" >"$tmp/list" || fail "list"
grep -q "imported" "$tmp/list" || fail "list lacks the import"
"$ns" recordings --db "$db" --rename 3 "renamed" || fail "rename"
"$ns" recordings --db "$db" | grep -q renamed || fail "rename not listed"
"$ns" recordings --db "$db" --delete 3 --rename 3 x >/dev/null 2>&1; [ $? -eq 2 ] || fail "--delete with --rename"
"$ns" recordings --db "$db" --delete 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--delete of a bad id"
"$ns" recordings --db "$db" --delete 3 extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "--delete with an operand"
"$ns" recordings --db "$db" | grep -q renamed || fail "deleted by a bad command"
"$ns" recordings --db "$db" --delete 3 || fail "delete"
"$ns" recordings --db "$db" | grep -q renamed && fail "still listed after delete"
"$ns" export 99 --db "$db" >/dev/null 2>&1; [ $? -eq 1 ] || fail "export of a missing id"
"$ns" export x --db "$db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "export of a bad id"
"$ns" export 1 --format gif --db "$db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad format"
printf 'run 1s\n' >"$tmp/nocluster.ns"
"$ns" import "$tmp/nocluster.ns" --db "$db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "import without cluster"
echo "record: ok"

#!/bin/sh
# determinism.sh NETSPLIT — the same scenario with the same seed prints
# byte-identical output, text and JSON; another seed gives another run.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for f in tests/scenarios/*.ns; do
	"$ns" run --json "$f" >"$tmp/a" 2>&1
	"$ns" run --json "$f" >"$tmp/b" 2>&1
	cmp -s "$tmp/a" "$tmp/b" || fail "$f: two runs differ"
	"$ns" run "$f" >"$tmp/c" 2>&1
	"$ns" run "$f" >"$tmp/d" 2>&1
	cmp -s "$tmp/c" "$tmp/d" || fail "$f: two text runs differ"
done
f=tests/scenarios/heartbeat_crash_vs_cut.ns
"$ns" run --json --seed 1 "$f" >"$tmp/a" 2>&1
"$ns" run --json --seed 2 "$f" >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" && fail "seeds 1 and 2 gave the same run"
grep -q '"seed":2' "$tmp/b" || fail "--seed did not override the file's seed"
echo "determinism: ok"

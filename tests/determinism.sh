#!/bin/sh
# determinism.sh NETSPLIT — the same scenario with the same seed prints
# byte-identical output, text and JSON; another seed gives another run.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# A sanitizer report in either output is the failure to name, not the
# difference it makes (addresses differ from run to run).
same() {
	for o in "$tmp/$2" "$tmp/$3"; do
		if grep -q -E 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$o"; then
			grep -m1 -A3 -E 'runtime error:|ERROR: [A-Za-z]*Sanitizer' "$o" >&2
			fail "$1: the sanitizer reported an error"
		fi
	done
	cmp -s "$tmp/$2" "$tmp/$3" && return 0
	diff "$tmp/$2" "$tmp/$3" | head -n 8 >&2
	return 1
}
for f in tests/scenarios/*.ns; do
	"$ns" run --json "$f" >"$tmp/a" 2>&1
	"$ns" run --json "$f" >"$tmp/b" 2>&1
	same "$f" a b || fail "$f: two runs differ"
	"$ns" run "$f" >"$tmp/c" 2>&1
	"$ns" run "$f" >"$tmp/d" 2>&1
	same "$f" c d || fail "$f: two text runs differ"
done
f=tests/scenarios/heartbeat_crash_vs_cut.ns
"$ns" run --json --seed 1 "$f" >"$tmp/a" 2>&1
"$ns" run --json --seed 2 "$f" >"$tmp/b" 2>&1
cmp -s "$tmp/a" "$tmp/b" && fail "seeds 1 and 2 gave the same run"
grep -q '"seed":2' "$tmp/b" || fail "--seed did not override the file's seed"
echo "determinism: ok"

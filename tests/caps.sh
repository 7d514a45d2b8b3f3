#!/bin/sh
# caps.sh NETSPLIT — protocol capabilities as the command line sees them:
# a protocol that serves no key-value clients (the heartbeat detector)
# refuses put/get/cas/append and a client workload with a clear message
# (file:line:col, exit 2), and the fuzzer runs it with its own liveness
# (no client load; every node trusts every peer again) instead of a
# pretend write that can only fail.
set -u
ns=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-caps.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for cmd in "put x 1" "get x" "cas x 1 2" "append x y"; do
	printf 'cluster heartbeat 3\nrun 200ms\n%s\n' "$cmd" >"$tmp/s.ns"
	"$ns" run "$tmp/s.ns" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ "$rc" -eq 2 ] || fail "heartbeat: \"$cmd\" exit $rc, expected 2"
	grep -q "s.ns:3:1: heartbeat serves no key-value clients" "$tmp/err" ||
		fail "heartbeat: \"$cmd\": $(cat "$tmp/err")"
done
printf 'cluster heartbeat 3\nworkload clients 2 rate 10/s\n' >"$tmp/s.ns"
"$ns" run "$tmp/s.ns" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "heartbeat: workload exit $rc, expected 2"
grep -q "a client workload does not apply" "$tmp/err" || fail "workload: $(cat "$tmp/err")"
# A kv store takes the same line.
printf 'cluster raft 3\nrun until leader timeout 5s\nput x 1\nrun until committed x = 1 timeout 2s\nexpect committed x = 1\n' >"$tmp/r.ns"
"$ns" run "$tmp/r.ns" >"$tmp/out" 2>&1 || fail "raft put: $(tail -3 "$tmp/out")"

"$ns" fuzz heartbeat --seeds 60 --out "$tmp" >"$tmp/out" 2>&1 ||
	fail "fuzz heartbeat: $(tail -5 "$tmp/out")"
grep -q "0 failed" "$tmp/out" || fail "fuzz heartbeat: $(tail -1 "$tmp/out")"
echo "caps: ok"

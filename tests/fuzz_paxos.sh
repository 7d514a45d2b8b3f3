#!/bin/sh
# fuzz_paxos.sh — Multi-Paxos against random fault schedules in CI: 500
# seeds with the defaults (a distinguished proposer; batch, heartbeat and
# the roles layout varied per seed), 100 with short election timeouts
# (more leader changes, more gap filling), 100 whose client histories must
# also be linearizable, and 100 with the roles apart (n1..n3 accept, the
# last two nodes propose). Agreement, validity, P1a, monotone promises and P2c are
# checked after every event; once the faults stop a leader must emerge
# and a write be chosen and applied. (leader=off promises no liveness —
# dueling proposers — and the fuzzer always checks liveness, so it is not
# fuzzed here: test_paxos runs 80 leader=off seeds for safety only.)
# A failing seed's scenario is kept and its path printed.
# Usage: fuzz_paxos.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz paxos --seeds 500 --from 1 --out "$out" || status=1
"$bin" fuzz paxos --seeds 100 --from 100001 --out "$out" election=60ms..120ms heartbeat=20ms ||
	status=1
"$bin" fuzz paxos --seeds 100 --from 200001 --lin --out "$out" || status=1
"$bin" fuzz paxos --seeds 100 --from 300001 --out "$out" acceptors=3 proposers=2 || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_paxos: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

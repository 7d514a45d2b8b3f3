#!/bin/sh
# fuzz_multileader.sh — multi-leader replication against random fault
# schedules in CI: 250 seeds with last-writer-wins and 250 with siblings
# (invariants after every event: exact vector clocks, no silent drop of a
# sibling, one version under lww; then a write acknowledged and every
# replica converged within 10 s of the faults ending), 160 more with fast
# and slow replication settings — each seed drawing clock=physical, lamport
# or hlc (then also: the clock condition, no write lost to its causal past
# under lww, HLC's bounds); and 20 seeds whose histories must be found
# NOT linearizable (an AP system: the checker must find and explain the
# violations). A failing seed's scenario is kept and its path printed.
# Usage: fuzz_multileader.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz multileader --seeds 250 --from 1 --out "$out" || status=1
"$bin" fuzz multileader --seeds 250 --from 100001 --out "$out" resolve=siblings || status=1
"$bin" fuzz multileader --seeds 80 --from 200001 --out "$out" resolve=siblings interval=200ms \
	retry=100ms || status=1
"$bin" fuzz multileader --seeds 80 --from 300001 --out "$out" interval=5ms retry=2s || status=1
lin=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz-lin.XXXXXX") || exit 1
"$bin" fuzz multileader --seeds 20 --from 400001 --lin --out "$lin" >"$lin/log" 2>&1
code=$?
if [ "$code" -ne 1 ] || ! grep -q "not linearizable: Not linearizable" "$lin/log"; then
	echo "fuzz_multileader: --lin found no violation (exit $code):" >&2
	cat "$lin/log" >&2
	status=1
fi
rm -rf "$lin"
if [ "$status" -ne 0 ]; then
	echo "fuzz_multileader: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

#!/bin/sh
# fuzz_clocks.sh — the clocks protocol against random fault schedules in
# CI: after every event, the clock condition for Lamport and hybrid
# logical clocks, vector clocks equal to the frontier of the causal past,
# HLC's l the largest physical time heard of and c bounded, commit wait
# honoured; once the faults stop, news flows between every pair of nodes
# again (`knows-all 2s`). 300 seeds with the varied workload, 100 with
# commit wait off and a wide epsilon, 100 of two nodes. A failing seed's
# scenario is kept and its path printed. Usage: fuzz_clocks.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz clocks --seeds 300 --from 1 --out "$out" || status=1
"$bin" fuzz clocks --seeds 100 --from 100001 --out "$out" commitwait=off epsilon=300ms || status=1
"$bin" fuzz clocks --seeds 100 --from 200001 --nodes 2 --out "$out" || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_clocks: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"
echo "fuzz_clocks: ok"

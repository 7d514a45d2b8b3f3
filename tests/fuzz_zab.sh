#!/bin/sh
# fuzz_zab.sh — Zab against random fault schedules in CI (crashes,
# restarts, partitions, one-way cuts, loss, duplication, clock skew and
# client load): 500 seeds with the defaults (tick and snap varied per
# seed), 100 with a short tick and timeout (more epoch changes), and 100
# with reads=sync whose client histories must also be linearizable.
# Integrity, total order and agreement, primary order, primary integrity
# and one primary per epoch are checked after every event; once the
# faults stop a leader must be established and a write committed.
# (reads=local histories are not linearizable by design — stale local
# reads — so --lin runs with reads=sync only.) A failing seed's scenario
# is kept and its path printed.
# Usage: fuzz_zab.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz zab --seeds 500 --from 1 --out "$out" || status=1
"$bin" fuzz zab --seeds 100 --from 100001 --out "$out" tick=20ms timeout=100ms || status=1
"$bin" fuzz zab --seeds 100 --from 200001 --lin --out "$out" reads=sync || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_zab: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

#!/bin/sh
# fuzz_pbft.sh — PBFT against random fault schedules in CI, with Byzantine
# nodes: in every seed the fuzzer makes up to floor((N-1)/3) replicas
# traitors (silent, lie, equivocate or random, drawn per seed) from the
# start, on top of crashes, partitions, cuts, loss, duplication, jitter and
# clock faults. Within that bound Agreement (no two correct replicas
# execute different requests at one sequence number) is checked after
# every event; 100 seeds on 4 replicas and 60 on 7 must also keep the
# client history linearizable (clients believe f+1 matching replies).
# PBFT here has no checkpoints nor state transfer (docs/PROTOCOLS.md), so
# no liveness is required once the faults stop: safety only.
# A failing seed's scenario is kept and its path printed.
# Usage: fuzz_pbft.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz pbft --seeds 400 --from 1 --out "$out" || status=1
"$bin" fuzz pbft --seeds 100 --from 100001 --nodes 4 --lin --out "$out" || status=1
"$bin" fuzz pbft --seeds 60 --from 200001 --nodes 7 --lin --out "$out" || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_pbft: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

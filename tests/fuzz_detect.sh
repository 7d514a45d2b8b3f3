#!/bin/sh
# fuzz_detect.sh — the phi accrual and SWIM detectors against random
# fault schedules in CI (crashes, restarts, partitions, one-way cuts,
# loss, duplication, jitter, clock skew and drift). phi: 300 seeds, its
# liveness that every up node trusts every up peer again for 1 s after
# the faults. swim: 300 seeds with its options varied, 100 with the
# defaults fixed, and 10 of 16 to 40 members; invariants on incarnation
# numbers after every event, and every up member's view converged to the
# truth within 10 s. A failing seed's scenario is kept and its path
# printed.
# Usage: fuzz_detect.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz phi --seeds 300 --from 1 --out "$out" || status=1
"$bin" fuzz swim --seeds 300 --from 1 --out "$out" || status=1
"$bin" fuzz swim --seeds 100 --from 100001 --fixed --out "$out" || status=1
"$bin" fuzz swim --seeds 10 --from 200001 --nodes 16..40 --out "$out" || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_detect: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

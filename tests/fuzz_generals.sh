#!/bin/sh
# fuzz_generals.sh NETSPLIT — the oral-messages algorithm OM(m) against
# every single traitor on N=4, m=1 (within the bound N >= 3m+1: IC1 and IC2
# must hold, and a failure is a bug, which `safe` reports), and every
# traitor on N=3, m=1 (beyond it: the checker may note a failure as an
# observation, and `safe` must still hold — it never cries wolf), each in
# every lying mode, over several seeds.
set -u
ns=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-generals.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

runs=0 observed=0
for n in 4 3; do
	for s in 1 2 3 4 5; do
		for t in $(seq 1 "$n"); do
			for mode in lie equivocate random; do
				for order in attack retreat; do
					f="$tmp/g.ns"
					{
						echo "cluster generals $n m=1"
						echo "traitor n$t $mode"
						echo "order $order"
						echo "run 1s"
						echo "expect safe"
						[ "$n" -ge 4 ] && echo "expect agreement and validity"
					} >"$f"
					"$ns" run "$f" --seed "$s" --quiet >"$tmp/out" 2>&1 ||
						fail "N=$n seed $s traitor n$t $mode order $order: $(tail -4 "$tmp/out")"
					grep -q "observation" "$tmp/out" && observed=$((observed + 1))
					runs=$((runs + 1))
				done
			done
		done
	done
done
# Beyond the bound the failure must show up somewhere (else the N=3 runs
# prove nothing): the three-generals impossibility, as an observation.
[ "$observed" -ge 1 ] || fail "no N=3 run broke IC1 or IC2: the impossibility never showed"
echo "ok: $runs runs, $observed observations beyond the bound (N=3), none within it"

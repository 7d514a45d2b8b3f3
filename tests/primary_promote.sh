#!/bin/sh
# primary_promote.sh — `promote NODE` deposes a running primary on every
# seed, not by timing luck (issue 13, bug 1): the promote scenarios run on
# seeds 1..50 with failover=manual and failover=auto, in the replication
# modes at either end, async and sync (the cluster line's options
# rewritten), and primary_promote_by_hand.ns (manual failover by design)
# on seeds 1..50.
# A failing run is named with its seed and mode and kept for replay.
# Usage: primary_promote.sh NETSPLIT
set -u
bin=$1
dir=tests/scenarios
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-promote.XXXXXX") || exit 1
status=0
runs=0
failed=0
# fail NAME SEED: report one failed run (the first 10 in full).
fail() {
	status=1
	failed=$((failed + 1))
	if [ "$failed" -le 10 ]; then
		echo "primary_promote: $1 seed $2 failed:" >&2
		grep -E 'FAILED|error' "$tmp/out" >&2
	fi
}
for name in primary_promote_alive primary_promote_after_write \
	primary_promote_needs_old_primary; do
	for failover in manual auto; do
		for mode in async sync; do
			ns=$tmp/$name-$failover-$mode.ns
			sed "s/^cluster primary \([0-9]*\) failover=manual/cluster primary \1 failover=$failover mode=$mode/" \
				"$dir/$name.ns" >"$ns"
			if ! grep -q "^cluster primary [0-9]* failover=$failover mode=$mode" "$ns"; then
				echo "primary_promote: $name.ns has no 'cluster primary N failover=manual' line" >&2
				exit 1
			fi
			seed=1
			while [ "$seed" -le 50 ]; do
				runs=$((runs + 1))
				"$bin" run "$ns" --seed "$seed" --quiet >"$tmp/out" 2>&1 ||
					fail "$ns" "$seed"
				seed=$((seed + 1))
			done
		done
	done
done
seed=1
while [ "$seed" -le 50 ]; do
	runs=$((runs + 1))
	"$bin" run "$dir/primary_promote_by_hand.ns" --seed "$seed" --quiet >"$tmp/out" 2>&1 ||
		fail "$dir/primary_promote_by_hand.ns" "$seed"
	seed=$((seed + 1))
done
echo "primary_promote: $runs runs, $failed failed"
if [ "$status" -eq 0 ]; then
	rm -rf "$tmp"
else
	echo "primary_promote: scenarios kept in $tmp" >&2
fi
exit "$status"

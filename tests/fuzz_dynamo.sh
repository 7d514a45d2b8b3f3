#!/bin/sh
# fuzz_dynamo.sh — dynamo against random fault schedules in CI: the
# invariants (vector clocks never order concurrent writes; with W + R > N
# and sloppy=off a quorum read sees every acknowledged write; siblings
# only) after every event, and a write acknowledged once the faults stop.
# 200 seeds with the defaults (sloppy quorum), 150 strict (sloppy=off),
# 100 with w=1 r=1, 50 with virtual nodes and n=4. Then the AP lesson:
# with --lin, histories under partitions are not linearizable, and the
# checker must say so (and nothing else may fail). A failing seed's
# scenario is kept and its path printed. Usage: fuzz_dynamo.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz dynamo --seeds 200 --from 1 --out "$out" || status=1
"$bin" fuzz dynamo --seeds 150 --from 100001 --out "$out" sloppy=off || status=1
"$bin" fuzz dynamo --seeds 100 --from 200001 --out "$out" w=1 r=1 read-repair=off || status=1
"$bin" fuzz dynamo --seeds 50 --from 300001 --out "$out" n=4 w=3 r=2 vnodes=4 \
	anti-entropy=200ms || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_dynamo: failing scenarios kept in $out" >&2
	exit 1
fi
# AP: the linearizability checker must find violations, and only those.
lin="$out/lin"
mkdir "$lin"
"$bin" fuzz dynamo --seeds 20 --from 400001 --lin --out "$lin" w=1 r=1 -v >"$out/lin.txt" 2>&1
code=$?
if [ "$code" -ne 1 ]; then
	echo "fuzz_dynamo: --lin with w=1 r=1 exited $code; expected violations (1)" >&2
	cat "$out/lin.txt" >&2
	exit 1
fi
if grep "FAILED" "$out/lin.txt" | grep -v "not linearizable" >&2; then
	echo "fuzz_dynamo: a --lin seed failed for another reason than linearizability" >&2
	exit 1
fi
echo "fuzz_dynamo: ok ($(grep -c 'FAILED' "$out/lin.txt") of 20 histories not linearizable, as expected)"
rm -rf "$out"

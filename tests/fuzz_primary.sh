#!/bin/sh
# fuzz_primary.sh — primary-backup replication against random fault
# schedules in CI: 400 seeds in sync mode, 200 in semisync and 300 in
# async (the heartbeat varied per seed; safety: one primary per epoch,
# in-order application, sync durability; liveness: after the faults one
# primary of the newest epoch stands, and a write is committed and
# stays), then 200 sync seeds whose client histories must also be
# linearizable.
#
# Async mode runs too since the liveness write waits for `stable`: before,
# it could land on a primary that a partition left behind, be acknowledged
# at once and be discarded when the partition healed — the lesson of async
# failover, reported as a false liveness failure (issue 13, bug 3; seeds 1
# to 300 held two). A failing seed's scenario is kept and its path printed.
# Usage: fuzz_primary.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz primary --seeds 400 --from 1 --out "$out" mode=sync || status=1
"$bin" fuzz primary --seeds 200 --from 100001 --out "$out" mode=semisync || status=1
"$bin" fuzz primary --seeds 300 --from 1 --out "$out" mode=async || status=1
"$bin" fuzz primary --seeds 200 --from 300001 --lin --out "$out" mode=sync || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_primary: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

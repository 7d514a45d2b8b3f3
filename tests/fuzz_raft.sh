#!/bin/sh
# fuzz_raft.sh — Raft against random fault schedules in CI: 500 seeds with
# the default options (per-seed variation of batch, timeouts and snapshots),
# 200 more with PreVote, CheckQuorum and leases, and 100 whose client
# histories must also be linearizable. A failing seed's scenario is kept
# and its path printed. Usage: fuzz_raft.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz raft --seeds 500 --from 1 --out "$out" || status=1
"$bin" fuzz raft --seeds 200 --from 100001 --out "$out" prevote=on checkquorum=on reads=lease ||
	status=1
"$bin" fuzz raft --seeds 100 --from 200001 --lin --out "$out" || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_raft: failing scenarios kept in $out" >&2
	exit 1
fi
rm -rf "$out"

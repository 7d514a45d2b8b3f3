#!/bin/sh
# fuzz_spanner.sh — the spanner protocol against random fault schedules in
# CI, with the clients' history checked for linearizability: after every
# event, timestamps at least TT.now().latest and increasing at each leader,
# commit wait honoured, reads served only when safe and with the newest
# version at or below s_read, and s < the true time of an acknowledgement
# while TrueTime holds; once the faults stop, a write is acknowledged. The
# fuzzer keeps clock errors within epsilon (TrueTime's assumption; caps.c):
# 300 seeds with epsilon varied, 100 with a wide epsilon (skews up to half
# a second), 100 of two nodes. Then the other side: with commit wait off
# the same fuzzer must find a history that is not linearizable (a stale
# read), or the check above proves nothing. A failing seed's scenario is
# kept and its path printed. Usage: fuzz_spanner.sh NETSPLIT
set -u
bin=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
status=0
"$bin" fuzz spanner --lin --seeds 300 --from 1 --out "$out" || status=1
"$bin" fuzz spanner --lin --seeds 100 --from 100001 --out "$out" epsilon=1s || status=1
"$bin" fuzz spanner --lin --seeds 100 --from 200001 --nodes 2 --out "$out" || status=1
if [ "$status" -ne 0 ]; then
	echo "fuzz_spanner: failing scenarios kept in $out" >&2
	exit 1
fi
neg=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fuzz.XXXXXX") || exit 1
if "$bin" fuzz spanner --lin --seeds 30 --from 1 --out "$neg" commitwait=off epsilon=1s >"$neg/log" 2>&1; then
	echo "fuzz_spanner: commit wait off, yet no stale read in 30 seeds" >&2
	status=1
elif ! grep -q "not linearizable" "$neg/log"; then
	echo "fuzz_spanner: commit wait off failed for another reason:" >&2
	tail -5 "$neg/log" >&2
	status=1
fi
rm -rf "$neg"
[ "$status" -eq 0 ] || exit 1
rm -rf "$out"
echo "fuzz_spanner: ok"

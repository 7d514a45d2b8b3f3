#!/bin/sh
# check_primary_lost.sh NETSPLIT — which acknowledged writes a failover
# lost is said by the checker (src/check/primary_invariants.c), not by the
# protocol: in an async failover the trace carries the checker's notes (the
# writes the new primary lacks, then the ones the old primary discards, in
# order, each once), the protocol's own state lines say nothing of losses,
# and the JSON trace gives the notes as "note" events of the node concerned.
set -u
ns=$1
sc=tests/scenarios/primary_async_failover_loses_writes.ns
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$ns" run "$sc" >"$tmp/out" 2>&1 || fail "$sc did not pass: $(cat "$tmp/out")"
grep -E '^ +[0-9.]+s  (2 acknowledged|n1 discarded)' "$tmp/out" | sed -E 's/^ +[0-9.]+s  //' >"$tmp/notes"
cat >"$tmp/want" <<'W'
2 acknowledged writes are not on the primary n2 (e2), lost: put x 2 (c1, acked by n1), put y 3 (c1, acked by n1)
n1 discarded 2 acknowledged writes (lost): put x 2 (c1), put y 3 (c1)
W
cmp -s "$tmp/notes" "$tmp/want" || fail "the checker's notes:
$(cat "$tmp/notes")
expected:
$(cat "$tmp/want")"
grep -E '^ +[0-9.]+s  n[0-9]+ (becomes|discards)' "$tmp/out" | grep -q 'lost' &&
	fail "a protocol state line speaks of lost writes"
"$ns" run --json "$sc" >"$tmp/json" 2>&1 || fail "--json did not pass"
grep -q '"kind":"note","node":"n2","text":"2 acknowledged writes are not on the primary n2 (e2)' "$tmp/json" ||
	fail "JSON: no note of n2 about the lost writes"
grep -q '"kind":"note","node":"n1","text":"n1 discarded 2 acknowledged writes (lost)' "$tmp/json" ||
	fail "JSON: no note of n1 about the discarded writes"
[ "$(grep -c 'acknowledged writes\? \(is\|are\) not on the primary' "$tmp/json")" -eq 1 ] ||
	fail "JSON: the loss is noted more than once"
echo "check_primary_lost: ok"

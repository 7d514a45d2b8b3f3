#!/bin/sh
# figure8_seeds.sh NETSPLIT — MIT 6.824's Figure8 test
# (tests/scenarios/raft_mit_figure8.ns) over 20 seeds: the file follows
# whoever leads on each seed (let L = leader; crash $L), every run must
# pass, and the seeds must really differ (not one run twenty times).
set -u
ns=$1
dir=$(dirname "$0")/scenarios
tmp=$(mktemp -d "${TMPDIR:-/tmp}/netsplit-fig8.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for s in $(seq 1 20); do
	"$ns" run "$dir/raft_mit_figure8.ns" --seed "$s" --quiet >"$tmp/$s" 2>&1 ||
		fail "seed $s: exit $?: $(tail -5 "$tmp/$s")"
	grep -q -- "-- 4 expects held, 0 failed" "$tmp/$s" || fail "seed $s: $(tail -3 "$tmp/$s")"
	# the leader was really crashed, again and again
	n=$(grep -c '! crash n' "$tmp/$s")
	[ "$n" -ge 10 ] || fail "seed $s: only $n leaders crashed"
	grep 'let L = leader)' "$tmp/$s" | awk '{print $2, $4}' >"$tmp/leaders.$s"
done
# different seeds, different leaders crashed
distinct=$(for s in $(seq 1 20); do md5sum <"$tmp/leaders.$s"; done | sort -u | wc -l)
[ "$distinct" -ge 10 ] || fail "only $distinct distinct leader sequences over 20 seeds"
echo "ok: 20 seeds, $distinct distinct leader sequences"

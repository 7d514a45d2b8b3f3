#!/bin/sh
# cli_usage.sh NETSPLIT — small things the command line says right
# (issue 14): `sandbox`, `open` and `replay` answer --help (they said
# "unknown option"); a recording id too large for a number is said to be
# out of range, not answered with the usage alone; a history time of
# INT64_MAX (which stands for "never") is refused as too large, not as
# "needs complete >= invoke".
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LC_ALL=C LANGUAGE=

for cmd in sandbox open replay; do
	"$ns" "$cmd" --help >"$tmp/out" 2>"$tmp/err" || fail "$cmd --help: exit $?: $(cat "$tmp/err")"
	grep -q "^Usage: netsplit $cmd" "$tmp/out" || fail "$cmd --help: $(cat "$tmp/out")"
	[ -s "$tmp/err" ] && fail "$cmd --help wrote to stderr: $(cat "$tmp/err")"
	"$ns" "$cmd" -h >"$tmp/out" 2>&1 || fail "$cmd -h: exit $?"
done
"$ns" sandbox --help | grep -q "^Protocols: raft .*primary" || fail "sandbox --help lists no protocols"

big=99999999999999999999999
"$ns" export "$big" --db "$tmp/x.db" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "export $big: exit $rc"
grep -q "netsplit export: the recording id $big is out of range (ids go from 1 to 9223372036854775807)" "$tmp/err" ||
	fail "export $big: $(cat "$tmp/err")"
"$ns" export abc --db "$tmp/x.db" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "export abc: exit $rc"
grep -q 'expected a recording id (a whole number from 1), got "abc"' "$tmp/err" || fail "export abc: $(cat "$tmp/err")"
"$ns" export 9223372036854775807 --db "$tmp/x.db" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "export of the largest id: exit $rc"
grep -q 'There is no recording #9223372036854775807' "$tmp/err" || fail "largest id: $(cat "$tmp/err")"
"$ns" recordings --delete "$big" --db "$tmp/x.db" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "recordings --delete $big: exit $rc"
grep -q "the recording id $big is out of range" "$tmp/err" || fail "recordings --delete: $(cat "$tmp/err")"

max=9223372036854775807
printf '{"id":0,"client":1,"node":"n1","f":"put","key":"x","value":"1","invoke":%s,"complete":%s,"outcome":"ok"}\n' \
	"$max" "$max" >"$tmp/max.jsonl"
"$ns" check "$tmp/max.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "check INT64_MAX: exit $rc"
grep -q 'max.jsonl:1: "invoke" is 9223372036854775807, too large' "$tmp/err" || fail "check INT64_MAX: $(cat "$tmp/err")"
grep -q 'complete.*>=' "$tmp/err" && fail "check INT64_MAX blames the order"
printf '{"id":0,"client":1,"node":"n1","f":"put","key":"x","value":"1","invoke":5,"complete":%s,"outcome":"ok"}\n' \
	"$max" >"$tmp/max2.jsonl"
"$ns" check "$tmp/max2.jsonl" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "check complete INT64_MAX: exit $rc"
grep -q '"complete" is 9223372036854775807, too large' "$tmp/err" || fail "complete INT64_MAX: $(cat "$tmp/err")"
m1=9223372036854775806
printf '{"id":0,"client":1,"node":"n1","f":"put","key":"x","value":"1","invoke":%s,"complete":%s,"outcome":"ok"}\n' \
	"$m1" "$m1" >"$tmp/max3.jsonl"
"$ns" check "$tmp/max3.jsonl" >"$tmp/out" 2>"$tmp/err" || fail "check INT64_MAX-1: $(cat "$tmp/err")"
echo "cli_usage: ok"

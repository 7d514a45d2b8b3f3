#!/bin/sh
# check.sh NETSPLIT — `netsplit check` on every history in
# tests/data (Porcupine's and Knossos' histories, tests/data/NOTICE.md)
# agrees with its EXPECTED.tsv (exit 0 linearizable,
# 1 not), and bad input exits 2 with file:line.
set -u
ns=$1
data=${NETSPLIT_TESTDATA:-$(dirname "$0")/data}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$data" ] || fail "no test data at $data"
n=0
for dir in porcupine knossos; do
	while IFS="$(printf '\t')" read -r file expected model note; do
		case "$file" in ''|'#'*) continue ;; esac
		[ "$expected" = skip ] && continue
		"$ns" check --model "$model" -q "$data/$dir/$file" >/dev/null 2>&1
		rc=$?
		want=1
		[ "$expected" = true ] && want=0
		[ "$rc" -eq "$want" ] || fail "$dir/$file: exit $rc, expected $want ($expected)"
		n=$((n + 1))
	done <"$data/$dir/EXPECTED.tsv"
done
[ "$n" -ge 200 ] || fail "only $n histories checked"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '{"process": 0, "type": "invoke", "f": "put"\n' >"$tmp/bad.jsonl"
"$ns" check "$tmp/bad.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "bad input: exit $rc"
grep -q "bad.jsonl:1" "$tmp/err" || fail "bad input: no file:line: $(cat "$tmp/err")"
# Transactions under a model that cannot judge them: a message and exit
# 2, not a read past the end of a register vector (found by
# tests/fuzz/fuzz_history.c).
txn=$(ls "$data"/knossos/multi-register/good/* | head -1)
for m in kv cas-register etcd; do
	"$ns" check "$txn" --model "$m" >/dev/null 2>"$tmp/err"; rc=$?
	[ "$rc" -eq 2 ] || fail "txn history under --model $m: exit $rc"
	grep -q "only the multi-register model" "$tmp/err" || fail "txn under $m: $(cat "$tmp/err")"
done
echo "check: $n histories agree with EXPECTED.tsv"

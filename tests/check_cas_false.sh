#!/bin/sh
# check_cas_false.sh NETSPLIT — `netsplit check` treats a cas whose compare
# failed as an observation: JSON lines with "result":false and EDN with
# :error :compare-failed are not linearizable after an acknowledged write
# of the expected value; Jepsen's plain :fail cas keeps Knossos' meaning
# (did not happen: linearizable). See docs/HISTORY.md.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cat >"$tmp/h.jsonl" <<'H'
{"netsplit":"history","version":1,"times":"us"}
{"client":1,"node":"n1","f":"put","key":"x","value":"1","invoke":0,"complete":2000,"outcome":"ok"}
{"client":1,"node":"n2","f":"cas","key":"x","expect":"1","value":"2","result":false,"invoke":3000,"complete":5000,"outcome":"ok","why":"x is missing here"}
H
"$ns" check "$tmp/h.jsonl" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "jsonl: expected not linearizable"
grep -q 'cas x 1→2 → false by c1' "$tmp/out" || fail "jsonl: the explanation names the false cas"
cat >"$tmp/h.edn" <<'H'
[{:process 0, :type :invoke, :f :write, :value 1}
 {:process 0, :type :ok, :f :write, :value 1}
 {:process 1, :type :invoke, :f :cas, :value [1 2]}
 {:process 1, :type :fail, :f :cas, :value [1 2], :error :compare-failed}]
H
"$ns" check -q "$tmp/h.edn" >/dev/null 2>&1
[ $? -eq 1 ] || fail "edn with :error :compare-failed: expected not linearizable"
sed 's/, :error :compare-failed//' "$tmp/h.edn" >"$tmp/plain.edn"
"$ns" check -q "$tmp/plain.edn" >/dev/null 2>&1
[ $? -eq 0 ] || fail "plain :fail cas: expected linearizable (Knossos: did not happen)"
sed 's/"result":false/"result":"no"/' "$tmp/h.jsonl" >"$tmp/bad.jsonl"
"$ns" check -q "$tmp/bad.jsonl" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "a non-boolean result is bad input"
grep -q 'bad.jsonl:3:' "$tmp/out" || fail "bad input names file:line"
echo "check_cas_false: ok"

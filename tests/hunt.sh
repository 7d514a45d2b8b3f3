#!/bin/sh
# hunt.sh NETSPLIT — `netsplit hunt`: for every rule a protocol can switch
# off (`hunt --list`), the hunt finds a run that breaks safety within a
# fixed seed budget and shrinks it to a short scenario; that file fails
# under `netsplit run`, passes with bug= removed (so the rule alone makes
# the difference), names the rule and the property in its comments, and
# comes out byte for byte the same from a second hunt. With every rule on,
# no seed breaks safety. Bad usage is exit 2 with a message.
set -u
ns=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
MAX_COMMANDS=45 # lines that are not comments, in a shrunk file

"$ns" hunt --list >"$tmp/list" || fail "hunt --list exit $?"
[ "$(wc -l <"$tmp/list")" -ge 4 ] || fail "hunt --list: $(cat "$tmp/list")"
while read -r proto bug rest; do
	name=${bug#bug=}
	mkdir "$tmp/$name" "$tmp/$name.again"
	"$ns" hunt "$proto" "$bug" -n 2000 -o "$tmp/$name" >"$tmp/out" 2>&1 ||
		fail "hunt $proto $bug: exit $? $(cat "$tmp/out")"
	grep -q "the rule is what prevents it" "$tmp/out" || fail "hunt $proto $bug: $(cat "$tmp/out")"
	f=$(ls "$tmp/$name"/hunt-"$proto-$name"-*.ns)
	[ -f "$f" ] || fail "hunt $proto $bug wrote no file: $(ls "$tmp/$name")"
	grep -q "^# The rule switched off, $name (" "$f" || fail "$f does not name the rule"
	grep -q "^# What breaks, at " "$f" || fail "$f does not say what breaks"
	n=$(grep -cv '^#' "$f")
	[ "$n" -le "$MAX_COMMANDS" ] || fail "$f: $n commands, more than $MAX_COMMANDS"
	"$ns" run -q "$f" >/dev/null 2>&1
	[ $? -eq 1 ] || fail "$f does not fail under netsplit run"
	sed "s/ bug=[^ ]*//" "$f" >"$tmp/on.ns"
	"$ns" run -q "$tmp/on.ns" >"$tmp/out" 2>&1 || fail "$f with the rule on: $(tail -3 "$tmp/out")"
	"$ns" hunt "$proto" "$bug" -n 2000 -o "$tmp/$name.again" >/dev/null 2>&1
	cmp -s "$f" "$tmp/$name.again/$(basename "$f")" || fail "a second hunt of $bug wrote another file"
	echo "hunt: $proto $bug: $n commands ($(sed -n 's/^# Shrunk from //p' "$f"))"
done <"$tmp/list"

"$ns" hunt raft -n 300 -o "$tmp" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "hunt raft with every rule on: $(cat "$tmp/out")"
grep -q "no run broke safety in 300 seeds" "$tmp/out" || fail "hunt raft: $(cat "$tmp/out")"
"$ns" hunt paxos -n 300 -o "$tmp" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "hunt paxos with every rule on: $(cat "$tmp/out")"
grep -q "no run broke safety in 300 seeds" "$tmp/out" || fail "hunt paxos: $(cat "$tmp/out")"
for p in dynamo; do
	"$ns" hunt $p -n 300 -o "$tmp" >"$tmp/out" 2>&1
	[ $? -eq 1 ] || fail "hunt $p with every rule on: $(cat "$tmp/out")"
	grep -q "no run broke safety in 300 seeds" "$tmp/out" || fail "hunt $p: $(cat "$tmp/out")"
done
"$ns" hunt zab -n 300 -o "$tmp" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "hunt zab with every rule on: $(cat "$tmp/out")"
grep -q "no run broke safety in 300 seeds" "$tmp/out" || fail "hunt zab: $(cat "$tmp/out")"

"$ns" hunt raft bug=no-such-rule >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "an unknown rule is not bad usage"
grep -q 'no-such-rule' "$tmp/err" || fail "unknown rule: $(cat "$tmp/err")"
"$ns" hunt nosuch >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "an unknown protocol is not bad usage"
"$ns" hunt raft bug=forget-term --out "$tmp/missing" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "a missing --out directory is not bad usage"
grep -q "missing is not a directory it can write in" "$tmp/err" || fail "--out missing: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "--out missing: it hunted anyway: $(cat "$tmp/out")"
"$ns" hunt raft --seeds 0 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--seeds 0 is not bad usage"
echo "hunt: ok"

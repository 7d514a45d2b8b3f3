#!/bin/sh
# script_deep.sh NETSPLIT — the long predicates that used to crash `run`,
# `import` and `open` with a stack overflow (issue 14), through the binary:
# a 10,000-term `and` chain (a 100 KB line) runs, imports and replays; a
# 10,000-deep `not` chain and 50,000 nested parentheses are refused with
# exit 2 and file:line:col at the token past the documented depth (64).
# Never a signal. (tests/unit/test_deep_preds.c tests the same in-process,
# with lessons.)
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# nothing of the user's: open's log and history go here
HOME=$tmp XDG_DATA_HOME=$tmp XDG_STATE_HOME=$tmp
export HOME XDG_DATA_HOME XDG_STATE_HOME

# rep N TEXT SEP: TEXT N times, joined by SEP
rep() { awk -v n="$1" -v t="$2" -v s="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? s : ""), t }'; }

{
	echo "cluster raft 3"
	echo "run 1s"
	printf 'expect '
	rep 10000 "up n1" " and "
	echo
	printf 'run until '
	rep 10000 "up n1" " and "
	echo " and time 1.5s timeout 2s"
	echo "expect time 1.5s"
} >"$tmp/and.ns"
{
	echo "cluster raft 3"
	printf 'expect '
	rep 10000 "not" " "
	echo " safe"
} >"$tmp/not.ns"
{
	echo "cluster raft 3"
	printf 'expect '
	rep 50000 "(" ""
	printf 'safe'
	rep 50000 ")" ""
	echo
} >"$tmp/paren.ns"
[ "$(wc -c <"$tmp/and.ns")" -gt 200000 ] || fail "the and chain was not generated"

# exit status of "$@" in $rc; a signal (>= 128) always fails
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -lt 128 ] || fail "$*: killed by a signal (status $rc)"
}

run "$ns" run -q "$tmp/and.ns"
[ $rc -eq 0 ] || fail "run and.ns: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "2 expects held, 0 failed" "$tmp/out" || fail "run and.ns: $(tail -n 1 "$tmp/out" | head -c 300)"

want="nested too deeply: at most 64 levels of \`not\` and parentheses"
for f in not paren; do
	case $f in
	not) col=$((8 + 64 * 4)) ;;  # "expect " then "not " per level
	paren) col=$((8 + 64)) ;;
	esac
	for cmd in run import open; do
		case $cmd in
		run) run "$ns" run "$tmp/$f.ns" ;;
		import) run "$ns" import "$tmp/$f.ns" --title deep --db "$tmp/ns.db" ;;
		open) run "$ns" open "$tmp/$f.ns" --db "$tmp/ns.db" </dev/null ;;
		esac
		[ $rc -eq 2 ] || fail "$cmd $f.ns: exit $rc, want 2"
		grep -q "^$tmp/$f.ns:2:$col: $want\$" "$tmp/err" ||
			fail "$cmd $f.ns: $(head -c 300 "$tmp/err")"
	done
done

# the flat chain imports, and its recording replays to the same verdict
run "$ns" import "$tmp/and.ns" --title chain --db "$tmp/ns.db"
[ $rc -eq 0 ] || fail "import and.ns: exit $rc: $(head -c 300 "$tmp/err")"
id=$(sed -n 's/.*recording \([0-9]*\).*/\1/p' "$tmp/out")
[ -n "$id" ] || fail "import and.ns: no id: $(cat "$tmp/out")"
run "$ns" export "$id" --db "$tmp/ns.db" -o "$tmp/again.ns"
[ $rc -eq 0 ] || fail "export: exit $rc"
run "$ns" run -q "$tmp/again.ns"
[ $rc -eq 0 ] || fail "run the exported chain: exit $rc: $(head -c 300 "$tmp/err")"
grep -q "2 expects held, 0 failed" "$tmp/out" || fail "the exported chain: $(tail -n 1 "$tmp/out" | head -c 300)"
echo "script_deep: ok"

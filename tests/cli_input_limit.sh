#!/bin/sh
# cli_input_limit.sh NETSPLIT — input files are regular files of at most
# 64 MiB (NS_FILE_MAX): /dev/zero, a directory, a FIFO and a (sparse) file
# over the limit are refused at once, with a clear message and exit 2, by
# check, run, open and import; a lesson directory with such a lesson
# reports it and goes on. Each command is bounded by `timeout`, so a read
# of /dev/zero to exhaustion fails the test instead of the machine.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"

mkdir "$tmp/dir"
truncate -s 65M "$tmp/big.ns" || fail "truncate"
mkfifo "$tmp/fifo" || fail "mkfifo"

expect() { # expect CMD FILE MESSAGE
	timeout 20 "$ns" $1 "$2" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ "$rc" -eq 2 ] || fail "$1 $2: exit $rc (want 2): $(cat "$tmp/err")"
	grep -q "$3" "$tmp/err" || fail "$1 $2: message: $(cat "$tmp/err")"
}
for cmd in check run open import; do
	expect "$cmd" /dev/zero "not a regular file"
	expect "$cmd" "$tmp/fifo" "not a regular file"
	expect "$cmd" "$tmp/dir" "it is a directory, not a file"
	expect "$cmd" "$tmp/big.ns" "larger than 64 MiB"
done
# Standard input is bounded too.
timeout 20 "$ns" run - </dev/zero >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "run - </dev/zero: exit $rc"
grep -q "larger than 64 MiB" "$tmp/err" || fail "run -: $(cat "$tmp/err")"

# A file just under the limit is read (and rejected for what it holds).
truncate -s 1M "$tmp/zeros.ns"
timeout 20 "$ns" run "$tmp/zeros.ns" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "zeros: exit $rc"
grep -q "not a text file" "$tmp/err" || fail "zeros: $(cat "$tmp/err")"

# Lessons: a directory named like a lesson is reported, the others load.
mkdir -p "$tmp/lessons"
cp lessons/*.lesson "$tmp/lessons/" 2>/dev/null || fail "no lessons to copy"
mkdir "$tmp/lessons/zz-dir.lesson"
NETSPLIT_LESSONS="$tmp/lessons" timeout 20 "$ns" lessons --db "$tmp/db" >"$tmp/out" 2>"$tmp/err"
grep -q "zz-dir.lesson: cannot read: it is a directory, not a file" "$tmp/err" ||
	fail "lessons: $(cat "$tmp/err")"
[ -s "$tmp/out" ] || fail "lessons: the other lessons did not load"
exit 0

#!/bin/sh
# cli.sh NETSPLIT — GNU conventions: --help and --version on stdout with
# exit 0; an unknown option or command prints usage on stderr, exit 2;
# `run` exit codes 0/1/2.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ns" --help >"$tmp/out" 2>"$tmp/err" || fail "--help exit $?"
grep -q "Usage: netsplit" "$tmp/out" || fail "--help not on stdout"
[ -s "$tmp/err" ] && fail "--help wrote to stderr"
"$ns" --version >"$tmp/out" 2>&1 || fail "--version exit $?"
grep -q "^netsplit [0-9]" "$tmp/out" || fail "--version: $(cat "$tmp/out")"
"$ns" --bogus >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "unknown option exit $rc"
grep -q "Usage:" "$tmp/err" || fail "unknown option: no usage on stderr"
[ -s "$tmp/out" ] && fail "unknown option wrote to stdout"
"$ns" frobnicate >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "unknown command exit $rc"
"$ns" run --help >"$tmp/out" || fail "run --help"
grep -q -- "--seed" "$tmp/out" || fail "run --help lacks --seed"

printf 'cluster heartbeat 3\nrun 1s\nexpect up all\n' >"$tmp/ok.ns"
"$ns" run "$tmp/ok.ns" >/dev/null; rc=$?
[ "$rc" -eq 0 ] || fail "passing scenario exit $rc"
printf 'cluster heartbeat 3\nrun 1s\nexpect down n1\n' >"$tmp/fail.ns"
"$ns" run "$tmp/fail.ns" >"$tmp/out"; rc=$?
[ "$rc" -eq 1 ] || fail "failing scenario exit $rc"
grep -q "fail.ns:3: expect down n1: FAILED" "$tmp/out" || fail "no file:line for the failed expect"
printf 'cluster heartbeat 3\nrun soon\n' >"$tmp/bad.ns"
"$ns" run "$tmp/bad.ns" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "bad scenario exit $rc"
grep -q 'bad.ns:2:5: expected a duration like 500ms, got "soon"' "$tmp/err" || fail "bad input message: $(cat "$tmp/err")"
"$ns" run "$tmp/missing.ns" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "missing file exit $rc"
printf 'cluster heartbeat 2\0run 1s\n' >"$tmp/nul.ns"
"$ns" run "$tmp/nul.ns" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "binary file exit $rc"
printf 'cluster heartbeat 2\nrun 1s\n' | "$ns" run - >/dev/null || fail "stdin"
"$ns" run --seed x "$tmp/ok.ns" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "bad --seed exit $rc"
echo "cli: ok"

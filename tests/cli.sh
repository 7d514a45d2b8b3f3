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
# As GNU programs say it: the name and version alone on the first line,
# then the copyright, the licence (GPL-3.0-or-later) and no warranty.
want=$(sed -n 's/^project(netsplit VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ "$(head -n 1 "$tmp/out")" = "netsplit $want" ] || fail "--version first line: $(head -n 1 "$tmp/out") (want netsplit $want)"
sed -n 2p "$tmp/out" | grep -q "^Copyright (C) [0-9]\{4\} " || fail "--version: no copyright line"
grep -q "^License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>" "$tmp/out" ||
	fail "--version: no licence line"
grep -q "NO WARRANTY" "$tmp/out" || fail "--version: no warranty line"
"$ns" -V | cmp -s - "$tmp/out" || fail "-V differs from --version"
LANGUAGE=es LC_ALL=C.UTF-8 "$ns" --version | head -n 1 | grep -qx "netsplit $want" || fail "--version first line translated"
# --theme on the screen's commands: refused before any screen starts.
"$ns" sandbox --theme no-such-theme >/dev/null 2>"$tmp/err" </dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "--theme no-such-theme exit $rc"
grep -q 'no theme "no-such-theme"' "$tmp/err" || fail "--theme unknown: $(cat "$tmp/err")"
printf '[mono]\nleader = bold\ncut = blinking\n' >"$tmp/bad.theme"
"$ns" --theme "$tmp/bad.theme" >/dev/null 2>"$tmp/err" </dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "malformed theme exit $rc"
grep -q "bad.theme:3:7: unknown attribute \"blinking\"" "$tmp/err" || fail "malformed theme: $(cat "$tmp/err")"
"$ns" cap --theme="$tmp/bad.theme" >/dev/null 2>&1 </dev/null; [ $? -eq 2 ] || fail "cap --theme= malformed"
"$ns" sandbox --theme >/dev/null 2>&1 </dev/null; [ $? -eq 2 ] || fail "--theme without a name"
# netsplit themes: lists, saves (after checking), unsets.
"$ns" themes --db "$tmp/t.db" >"$tmp/out" || fail "themes"
for t in default high-contrast monochrome; do grep -q "^[* ] $t " "$tmp/out" || fail "themes lacks $t"; done
grep -q '^\* default ' "$tmp/out" || fail "themes: default not marked"
"$ns" themes --db "$tmp/t.db" --set monochrome >/dev/null || fail "themes --set"
"$ns" themes --db "$tmp/t.db" | grep -q '^\* monochrome ' || fail "themes: the saved one is not marked"
"$ns" themes --db "$tmp/t.db" --set "$tmp/bad.theme" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] || fail "themes --set malformed"
grep -q "bad.theme:3:7:" "$tmp/err" || fail "themes --set malformed: $(cat "$tmp/err")"
"$ns" themes --db "$tmp/t.db" | grep -q '^\* monochrome ' || fail "a malformed theme replaced the saved one"
"$ns" themes --db "$tmp/t.db" --unset >/dev/null || fail "themes --unset"
"$ns" themes --db "$tmp/t.db" | grep -q '^\* default ' || fail "themes --unset: default not marked"
"$ns" themes --set a --unset >/dev/null 2>&1; [ $? -eq 2 ] || fail "themes --set with --unset"
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

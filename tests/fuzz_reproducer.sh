#!/bin/sh
# fuzz_reproducer.sh NETSPLIT — `netsplit fuzz` writes a failing seed's
# scenario only into a file it creates (issue 14): an existing file, a
# symbolic link to a victim file and a dangling link at the names it would
# use are all left alone, it takes the next free name (-2, -3, ...) and
# says where it wrote; a directory it cannot create in is an error on
# stderr. A liveness bound of 1us makes seed 1 fail on any protocol.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LC_ALL=C LANGUAGE=

out=$tmp/out
mkdir "$out"
echo keep >"$out/fuzz-raft-1.ns"
echo victim >"$tmp/victim"
ln -s "$tmp/victim" "$out/fuzz-raft-1-2.ns"
ln -s "$tmp/nothere" "$out/fuzz-raft-1-3.ns"
"$ns" fuzz raft --seeds 1 --liveness 1us --time 1s --out "$out" >"$tmp/log" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "fuzz exit $rc (expected 1): $(cat "$tmp/log")"
[ "$(cat "$out/fuzz-raft-1.ns")" = keep ] || fail "an existing file was overwritten"
[ "$(cat "$tmp/victim")" = victim ] || fail "wrote through a symbolic link"
[ -e "$tmp/nothere" ] && fail "created the target of a dangling link"
[ -L "$out/fuzz-raft-1-2.ns" ] && [ -L "$out/fuzz-raft-1-3.ns" ] || fail "a link was replaced"
grep -q "3 files of those names exist: left alone" "$tmp/log" || fail "no note of the names left alone: $(cat "$tmp/log")"
grep -q "wrote $out/fuzz-raft-1-4.ns; .* reproduces the failure" "$tmp/log" ||
	fail "did not say where it wrote: $(cat "$tmp/log")"
grep -q "^cluster raft" "$out/fuzz-raft-1-4.ns" || fail "the reproducer holds no scenario"
"$ns" run "$out/fuzz-raft-1-4.ns" >/dev/null 2>&1
[ $? -eq 1 ] || fail "the reproducer does not reproduce"

# A second run takes the next name again and leaves the first alone.
cp "$out/fuzz-raft-1-4.ns" "$tmp/first"
"$ns" fuzz raft --seeds 1 --liveness 1us --time 1s --out "$out" >"$tmp/log" 2>&1
grep -q "wrote $out/fuzz-raft-1-5.ns" "$tmp/log" || fail "second run: $(cat "$tmp/log")"
cmp -s "$tmp/first" "$out/fuzz-raft-1-4.ns" || fail "second run replaced the first reproducer"

# Nowhere to write: said on stderr, and the seed still counts as failed.
"$ns" fuzz raft --seeds 1 --liveness 1us --time 1s --out "$tmp/missing" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "missing directory: exit $rc"
grep -q "cannot create a new file fuzz-raft-1.ns in $tmp/missing: No such file or directory" "$tmp/err" ||
	fail "missing directory: $(cat "$tmp/err")"
echo "fuzz_reproducer: ok"

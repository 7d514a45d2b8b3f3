#!/bin/sh
# store_cli.sh NETSPLIT — the database from the command line: lessons list
# with progress, progress --reset, and bad databases: a corrupt file is
# moved aside (never deleted) and netsplit goes on; an unwritable place
# still lets netsplit run, without saving.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ns" lessons --db "$tmp/a.db" >"$tmp/out" 2>"$tmp/err" || fail "lessons: $(cat "$tmp/err")"
grep -q "failure-modes" "$tmp/out" || fail "lessons list lacks failure-modes"
[ "$(stat -c %a "$tmp/a.db")" = 600 ] || fail "database mode is not 0600"
"$ns" progress --db "$tmp/a.db" --reset failure-modes >/dev/null || fail "progress --reset LESSON"
"$ns" progress --db "$tmp/a.db" --reset >/dev/null || fail "progress --reset"
"$ns" progress --db "$tmp/a.db" >/dev/null 2>&1; [ $? -eq 2 ] || fail "progress without --reset"

head -c 5000 /dev/urandom >"$tmp/bad.db"
"$ns" lessons --db "$tmp/bad.db" >"$tmp/out" 2>"$tmp/err" || fail "lessons on a corrupt db"
grep -q "failure-modes" "$tmp/out" || fail "no lessons with a corrupt db"
ls "$tmp" | grep -q "bad.db.corrupt-" || fail "the corrupt file was not moved aside"
[ -s "$tmp/err" ] || fail "no message about the corrupt database"

touch "$tmp/file"
"$ns" lessons --db "$tmp/file/x.db" >"$tmp/out" 2>"$tmp/err" || fail "lessons with an unwritable path"
grep -q "failure-modes" "$tmp/out" || fail "no lessons with an unwritable path"
[ -s "$tmp/err" ] || fail "no message about not saving"
# import into a database that cannot be written: says why (issue 14: it
# printed an empty "netsplit: "), and so does run --record.
printf 'cluster heartbeat 3\nrun 1s\n' >"$tmp/ok.ns"
"$ns" import "$tmp/ok.ns" --db "$tmp/file/x.db" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "import into an unwritable path: exit $rc"
grep -qx 'netsplit: *' "$tmp/err" && fail "import: an empty error message"
grep -q '^netsplit: Could not save the recording: Cannot save to .*file/x.db: cannot create the directory' "$tmp/err" ||
	fail "import: no reason: $(cat "$tmp/err")"
"$ns" run "$tmp/ok.ns" --quiet --record t --db "$tmp/file/x.db" >/dev/null 2>"$tmp/err"
grep -q 'the recording was not saved: .*Cannot save to .*file/x.db' "$tmp/err" ||
	fail "run --record: no reason: $(cat "$tmp/err")"
echo "store_cli: ok"

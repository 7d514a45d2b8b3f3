#!/bin/sh
# cli_escape.sh NETSPLIT — text from users' files and from the database
# never reaches the terminal raw (issue 14): keys, values and notes of a
# scenario in `netsplit run` (ESC ]2;...BEL would retitle the window,
# ESC [2J clear it), keys in `netsplit check`'s explanation, recording
# titles in `netsplit recordings`; a title with a newline is refused by
# run --record, import --title and recordings --rename, and one forged
# into the database cannot add commands to `export --format ns`. An
# ordinary scenario prints exactly what it printed before (the byte
# counts below), and the JSON output keeps its own escapes.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LC_ALL=C LANGUAGE=
esc=$(printf '\033')
bel=$(printf '\007')
# has_ctl FILE: does FILE hold a control byte other than newline and tab?
has_ctl() { LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; }

printf 'cluster raft 3\nrun 1s\nnote "hi \033]2;pwned\007 there"\nput "k\033[2J" "v\033[31m"\nrun 1s\nget "k\033[2J"\nrun 1s\nexpect committed "k\033[2J" = "v\033[31m"\nexpect committed "k\033[2J" = "w\233"\n' >"$tmp/esc.ns"
"$ns" run "$tmp/esc.ns" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "run esc.ns: exit $?"
has_ctl "$tmp/out" && fail "run printed a control character: $(cat -v "$tmp/out" | grep -m1 '\^')"
grep -q 'hi \\e]2;pwned\\x07 there' "$tmp/out" || fail "the note is not shown escaped"
grep -q 'c1 ok get k\\e\[2J -> v\\e\[31m' "$tmp/out" || fail "key and value are not shown escaped"
grep -q '= "w\\x9b"' "$tmp/out" || fail "a byte that is not UTF-8 is not escaped"
"$ns" run --json "$tmp/esc.ns" >"$tmp/out" 2>&1
has_ctl "$tmp/out" && fail "run --json printed a control character"
grep -q 'hi \\u001b]2;pwned\\u0007 there' "$tmp/out" || fail "JSON lost its escapes"

# Errors quoting the file are escaped too (stderr).
printf 'cluster raft 3\nput "\033[2J"\ncrash "n9\033[2J"\n' >"$tmp/bad.ns"
"$ns" run "$tmp/bad.ns" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || fail "bad.ns: exit $?"
[ -s "$tmp/err" ] || fail "bad.ns: no error"
has_ctl "$tmp/err" && fail "an error printed a control character: $(cat -v "$tmp/err")"

# Ordinary text, UTF-8 and backslashes included, is printed unchanged.
printf 'cluster raft 3\nrun 500ms\nnote "caf\303\251 \\\\ \342\206\222 ok"\n' >"$tmp/plain.ns"
"$ns" run --quiet "$tmp/plain.ns" >"$tmp/out" 2>&1 || fail "plain.ns"
grep -qF "$(printf 'caf\303\251 \\ \342\206\222 ok')" "$tmp/out" || fail "ordinary text changed: $(grep caf "$tmp/out")"

# netsplit check: keys from a history file.
printf '{"id":0,"client":1,"node":"n1","f":"put","key":"k\\u001b]2;x\\u0007","value":"1","invoke":100,"complete":200,"outcome":"ok"}\n{"id":1,"client":2,"node":"n2","f":"get","key":"k\\u001b]2;x\\u0007","result":"2","invoke":300,"complete":400,"outcome":"ok"}\n' >"$tmp/h.jsonl"
"$ns" check "$tmp/h.jsonl" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "check: exit $? ($(cat "$tmp/out"))"
has_ctl "$tmp/out" && fail "check printed a control character"
grep -q 'k\\e]2;x\\x07' "$tmp/out" || fail "check: the key is not shown escaped"

# Titles: one line, refused with a newline or an escape, wherever given.
db=$tmp/rec.db
printf 'cluster heartbeat 3\nrun 1s\n' >"$tmp/ok.ns"
nl='t
crash n1'
"$ns" run "$tmp/ok.ns" --record "$nl" --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "run --record with a newline: exit $?"
grep -q 'netsplit run: --record: the title "t\\ncrash n1" holds a control character' "$tmp/err" ||
	fail "run --record: $(cat "$tmp/err")"
"$ns" import "$tmp/ok.ns" --title "a${esc}]2;x${bel}" --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "import --title with ESC: exit $?"
grep -q 'netsplit import: --title: the title "a\\e]2;x\\x07"' "$tmp/err" || fail "import --title: $(cat "$tmp/err")"
"$ns" run "$tmp/ok.ns" --record fine --db "$db" >/dev/null 2>&1 || fail "run --record fine"
"$ns" recordings --rename 1 "$nl" --db "$db" 2>"$tmp/err"
[ $? -eq 2 ] || fail "rename with a newline: exit $?"
grep -q 'holds a control character' "$tmp/err" || fail "rename: $(cat "$tmp/err")"
# A file name with a newline as the default title: escaped, not refused.
cp "$tmp/ok.ns" "$tmp/two
lines.ns"
"$ns" import "$tmp/two
lines.ns" --db "$db" >/dev/null 2>"$tmp/err" || fail "import of a file named with a newline: $(cat "$tmp/err")"
"$ns" recordings --db "$db" >"$tmp/out" 2>&1 || fail "recordings"
grep -q 'two\\nlines.ns' "$tmp/out" || fail "recordings: the default title is not escaped: $(cat "$tmp/out")"

# A title forged into the database (as an older netsplit, or another
# program, could have written it), with the sqlite3 shell when there is one.
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "cli_escape: ok (no sqlite3 shell: forged rows not tried)"
	exit 0
fi
sqlite3 "$db" "UPDATE recording SET title = 'x' || char(10) || 'crash n1' || char(27) || '[2J' WHERE id = 1" ||
	fail "sqlite3"
"$ns" recordings --db "$db" >"$tmp/out" 2>&1 || fail "recordings (forged)"
has_ctl "$tmp/out" && fail "recordings printed a control character"
grep -q 'x\\ncrash n1\\e\[2J' "$tmp/out" || fail "recordings: forged title not escaped: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "recordings: a title spans lines"
"$ns" export 1 --db "$db" >"$tmp/exp.ns" 2>"$tmp/err" || fail "export: $(cat "$tmp/err")"
head -1 "$tmp/exp.ns" | grep -q '^# netsplit recording 1: x\\ncrash n1\\e\[2J$' || fail "export: $(head -2 "$tmp/exp.ns")"
grep -q '^crash' "$tmp/exp.ns" && fail "export: the title became a command"
has_ctl "$tmp/exp.ns" && fail "export: a control character in the comments"
"$ns" run "$tmp/exp.ns" >/dev/null 2>&1 || fail "the export does not run"
# A command of two lines forged into the database: refused, not exported.
sqlite3 "$db" "UPDATE recording_cmd SET cmd = 'run 1ms' || char(10) || 'crash n1' WHERE recording = 1 AND seq = (SELECT MIN(seq) FROM recording_cmd WHERE recording = 1)" ||
	fail "sqlite3 (cmd)"
"$ns" export 1 --db "$db" >"$tmp/exp.ns" 2>"$tmp/err"
[ $? -eq 2 ] || fail "export of a forged command: exit $?"
grep -q 'Recording #1 is damaged: command 1 spans several lines' "$tmp/err" || fail "export forged cmd: $(cat "$tmp/err")"
echo "cli_escape: ok"

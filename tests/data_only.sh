#!/bin/sh
# data_only.sh NETSPLIT — scenarios, lessons and recordings are data
# (issue 14): nothing in them can make netsplit read or write a file that
# the user did not name on the command line.
#
#  1. The language has no command or predicate that takes a file: no
#     usage or help text of the built-ins or of any protocol (commands,
#     predicates, options) mentions a file, a path or a directory.
#  2. The code that parses and runs the language (src/sim, src/proto,
#     src/script, src/check) calls no file, directory or process function;
#     the only file I/O in src/check is history_load/history_save
#     (history_io.c, for `netsplit check FILE`), and src/script, src/lesson
#     and src/proto never call those.
#  3. Run, import, export, list and load, in a private tree (HOME, XDG_*,
#     TMPDIR and the working directory inside it), a scenario and a lesson
#     whose every argument looks like a path into that tree: afterwards the
#     tree holds exactly what it held plus the files named on the command
#     lines (the database with its -wal/-shm, the export), and no file
#     that existed changed.
set -u
ns=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(mktemp -d)
snap=$(mktemp -d)
trap 'rm -rf "$root" "$snap"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LC_ALL=C LANGUAGE=

# 1. No file in the language.
{
	printf 'help\n'
	for p in raft heartbeat primary multileader dynamo; do
		printf 'cluster %s 3\nhelp\nhelp %s\n' "$p" "$p"
	done
} >"$root/help.ns"
"$ns" run "$root/help.ns" >"$root/help.txt" 2>&1 || fail "help: $(tail -3 "$root/help.txt")"
[ "$(grep -c '^  ' "$root/help.txt")" -gt 100 ] || fail "help printed too little"
bad=$(grep -iwE 'files?|paths?|dir|directory|directories|filename' "$root/help.txt")
[ -z "$bad" ] || fail "the language mentions files: $bad"
rm "$root/help.ns" "$root/help.txt"

# 2. No file, directory or process call in the code that runs the language.
calls='\b(fopen|freopen|fdopen|open|openat|creat|opendir|scandir|read_file|unlink|unlinkat|remove|rename|renameat|mkdir|rmdir|truncate|symlink|link|chmod|chdir|system|popen|fork|execl|execlp|execle|execv|execve|execvp|dlopen|tmpfile|mkstemp|getenv)[[:space:]]*\('
# (comment lines left out: "link(from, to)" in prose is no call)
bad=$(grep -rnE --include='*.c' --include='*.h' "$calls" src/sim src/proto src/script src/check |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' | grep -v '^src/check/history_io.c:')
[ -z "$bad" ] || fail "file or process calls where the language runs: $bad"
bad=$(grep -rnE '\bhistory_(load|save)[[:space:]]*\(' src/sim src/proto src/script src/lesson)
[ -z "$bad" ] || fail "the language layers load or save histories: $bad"

# 3. Run everything in a private tree.
mkdir -p "$root/home" "$root/data" "$root/state" "$root/config" "$root/cache" "$root/tmp" \
	"$root/work" "$root/lessons" "$root/out"
export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_STATE_HOME="$root/state" \
	XDG_CONFIG_HOME="$root/config" XDG_CACHE_HOME="$root/cache" TMPDIR="$root/tmp" \
	NETSPLIT_LESSONS="$root/lessons"
echo "keep me" >"$root/victim"
ln -s "$root/victim" "$root/work/link"
cat >"$root/work/evil.ns" <<NS
# every argument a path into the tree: they must stay words
seed 3
cluster raft 3 prevote=on
note "$root/victim"
note $root/created.txt
put "$root/victim" "$root/created"
put ./link ../victim via n1
get "$root/victim"
cas ./link ../victim "/etc/passwd"
append "$root/out/x" "$root/out/y"
client latency 1ms
net latency 2ms
link n1 n2 latency 3ms
clock n2 skew +1ms
set heartbeat 50ms
workload clients 2 rate 20/s keys 2
run 1s
workload stop
at 1.5s note "$root/at"
after 100ms note "$snap/after"
run 1s
help put
help raft
expect committed "$root/victim" = "$root/created" or safe
expect linearizable
NS
cp "$root/work/evil.ns" "$root/evil.ns.orig"
sed "s|ROOT|$root|g" >"$root/lessons/paths.lesson" <<'LESSON'
lesson: paths
title: ROOT/victim
order: 999
summary: ROOT/created
step: ROOT/step
text:
  ROOT/text
setup:
  cluster raft 3
  note "ROOT/setup"
  put "ROOT/victim" "ROOT/created"
  run 1s
goal: leader
hint: :note ROOT/hint
solution:
  note "ROOT/solution"
  run 1s
LESSON

snapshot() { (cd "$root" && find . | LC_ALL=C sort | while read -r f; do
	if [ -f "$f" ] && [ ! -L "$f" ]; then echo "$f $(cksum <"$f")"; else echo "$f"; fi
done) >"$1"; }
snapshot "$snap/before"
# check_tree WHAT ALLOWED...: the tree is the last snapshot, but for the
# paths matching ALLOWED (regexes, relative to the tree), which may be new
# or changed.
check_tree() {
	what=$1
	shift
	snapshot "$snap/after"
	extra=$(LC_ALL=C comm -13 "$snap/before" "$snap/after")
	gone=$(LC_ALL=C comm -23 "$snap/before" "$snap/after")
	for allowed in "$@"; do
		extra=$(printf '%s\n' "$extra" | grep -vE "^\./($allowed)( |$)")
		gone=$(printf '%s\n' "$gone" | grep -vE "^\./($allowed)( |$)")
	done
	extra=$(printf '%s' "$extra" | grep -v '^$')
	gone=$(printf '%s' "$gone" | grep -v '^$')
	[ -z "$extra" ] || fail "$what: unexpected files: $extra"
	[ -z "$gone" ] || fail "$what: files changed or removed: $gone"
	cp "$snap/after" "$snap/before"
}

cd "$root/work" || fail "cd"
"$ns" run evil.ns >"$root/out/run.txt" 2>&1
check_tree "run" "out/run.txt"
grep -q "c1 invokes put $root/victim $root/created" "$root/out/run.txt" || fail "run: $(tail -5 "$root/out/run.txt")"
"$ns" run --json evil.ns >"$root/out/run.json" 2>&1
check_tree "run --json" "out/run.json"
"$ns" run evil.ns --record "$root/victim" --db "$root/out/rec.db" >/dev/null 2>"$root/out/err" ||
	fail "run --record: $(cat "$root/out/err")"
check_tree "run --record" "out/rec\.db(-wal|-shm)?" "out/err"
"$ns" import evil.ns --title "$root/created" --db "$root/out/rec.db" >/dev/null 2>"$root/out/err" ||
	fail "import: $(cat "$root/out/err")"
check_tree "import" "out/rec\.db(-wal|-shm)?" "out/err"
"$ns" recordings --db "$root/out/rec.db" >"$root/out/list.txt" 2>&1 || fail "recordings"
check_tree "recordings" "out/rec\.db(-wal|-shm)?" "out/list.txt"
grep -q "$root/created" "$root/out/list.txt" || fail "recordings: $(cat "$root/out/list.txt")"
"$ns" export 2 --db "$root/out/rec.db" -o "$root/out/exp.ns" 2>"$root/out/err" || fail "export: $(cat "$root/out/err")"
"$ns" export 2 --format jsonl --db "$root/out/rec.db" -o "$root/out/exp.jsonl" 2>"$root/out/err" ||
	fail "export jsonl: $(cat "$root/out/err")"
check_tree "export" "out/rec\.db(-wal|-shm)?" "out/err" "out/exp\.ns" "out/exp\.jsonl"
"$ns" run "$root/out/exp.ns" >"$root/out/run2.txt" 2>&1 || fail "the export does not run"
check_tree "run of the export" "out/run2.txt"
"$ns" lessons --db "$root/out/rec.db" >"$root/out/lessons.txt" 2>&1 || fail "lessons"
check_tree "lessons" "out/rec\.db(-wal|-shm)?" "out/lessons.txt"
grep -q "paths .*$root/victim" "$root/out/lessons.txt" || fail "lessons: the test lesson did not load: $(cat "$root/out/lessons.txt")"
cmp -s "$root/work/evil.ns" "$root/evil.ns.orig" || fail "the scenario was changed"
[ "$(cat "$root/victim")" = "keep me" ] || fail "the victim changed"
echo "data_only: ok"

set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
unset NETSPLIT_LESSONS

# The checks, run from elsewhere ($1: a label).
checks() {
	cd "$tmp/cwd" || fail "cd"
	n="$p/bin/netsplit"
	"$n" --version | head -n 1 | grep -qx 'netsplit [0-9.]*' || fail "$1: --version"
	"$n" lessons --db "$tmp/db" >"$tmp/out" 2>&1 || fail "$1: lessons: $(cat "$tmp/out")"
	grep -q "raft-election" "$tmp/out" || fail "$1: lessons lacks raft-election"
	grep -q "welcome" "$tmp/out" || fail "$1: lessons lacks welcome"
	"$n" run "$tmp/s.ns" >"$tmp/out" 2>&1 || fail "$1: run: $(tail -3 "$tmp/out")"
	grep -q "expect" "$tmp/out" || fail "$1: run printed no expect"
	LANGUAGE=es LC_ALL=C.UTF-8 "$n" --help >"$tmp/out" 2>&1 || fail "$1: --help"
	grep -q "^Uso: netsplit" "$tmp/out" || fail "$1: --help not in Spanish: $(head -1 "$tmp/out")"
	"$n" themes --db "$tmp/db" >"$tmp/out" 2>&1 || fail "$1: themes: $(cat "$tmp/out")"
	grep -q "^Themes in $p/share/netsplit/themes" "$tmp/out" || fail "$1: themes from $(head -1 "$tmp/out")"
	grep -q "high-contrast" "$tmp/out" || fail "$1: no high-contrast theme"
	# Take files out of the installed copy: the program must notice.
	mv "$p/share/netsplit/lessons/welcome.lesson" "$tmp/w.lesson"
	"$n" lessons --db "$tmp/db" >"$tmp/out" 2>&1
	mv "$tmp/w.lesson" "$p/share/netsplit/lessons/welcome.lesson"
	grep -Eq '^ \[.*\] welcome ' "$tmp/out" && fail "$1: lessons are read from somewhere else than the installed copy"
	mv "$p/share/locale/es/LC_MESSAGES/netsplit.mo" "$tmp/es.mo"
	LANGUAGE=es LC_ALL=C.UTF-8 "$n" --help >"$tmp/out" 2>&1
	mv "$tmp/es.mo" "$p/share/locale/es/LC_MESSAGES/netsplit.mo"
	grep -q "^Usage: netsplit" "$tmp/out" || fail "$1: translations are read from somewhere else than the installed copy"
	if command -v man >/dev/null 2>&1; then
		MANPATH="$p/share/man" man -w netsplit 2>/dev/null | grep -q "$p/share/man/man1/netsplit.1" ||
			fail "$1: man netsplit does not find the installed page"
		MANWIDTH=80 MANPATH="$p/share/man" man netsplit 2>/dev/null | grep -q "learn distributed systems" ||
			fail "$1: man netsplit"
	fi
	cd "$src" || fail "cd"
}

# Inside the mount namespace (see the end): the checks again, nothing else.
if [ "$1" = --hidden ]; then
	checks "source and build trees hidden"
	exit 0
fi

ns=$1
build=$(cd "$(dirname "$ns")" && pwd)
src=$(pwd)
cmake=${NETSPLIT_CMAKE:-cmake}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"

DESTDIR="$tmp/stage" "$cmake" --install "$build" >"$tmp/log" 2>&1 || fail "cmake --install: $(tail -5 "$tmp/log")"
bin=$(find "$tmp/stage" -type f -name netsplit -path '*/bin/*')
[ -n "$bin" ] || fail "no bin/netsplit installed"
prefix=$(dirname "$(dirname "$bin")")
mv "$prefix" "$tmp/inst" || fail "moving the installed tree"
rm -rf "$tmp/stage"
p="$tmp/inst"
for f in bin/netsplit share/netsplit/lessons/welcome.lesson share/netsplit/lessons/es/welcome.lesson \
	share/netsplit/themes/default.theme share/netsplit/themes/high-contrast.theme \
	share/netsplit/themes/monochrome.theme share/locale/es/LC_MESSAGES/netsplit.mo \
	share/man/man1/netsplit.1; do
	[ -f "$p/$f" ] || fail "not installed: $f"
done
cp tests/scenarios/heartbeat_crash_vs_cut.ns "$tmp/s.ns"
mkdir "$tmp/cwd"

checks "installed copy"

# Again with the source and build trees out of reach: empty file systems
# mounted over both, in a private mount namespace.
if unshare -rm true 2>/dev/null; then
	cp "$0" "$tmp/install.sh"
	export p tmp src build
	unshare -rm sh -c '
		mount -t tmpfs none "$build" && mount -t tmpfs none "$src" || exit 3
		[ ! -e "$src/lessons" ] && [ ! -e "$src/assets" ] && [ ! -e "$build/locale" ] || exit 4
		exec sh "$tmp/install.sh" --hidden' || fail "with the trees hidden (exit $?)"
	echo "install: ok (also with the source and build trees hidden)"
else
	echo "install: ok (unshare cannot hide the trees here: checked by removing installed files)"
fi

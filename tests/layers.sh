#!/bin/sh
# layers.sh — the pure core never includes a screen, readline or database
# header, and only src/store includes sqlite3.h, only src/tui curses and
# readline.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
bad=$(grep -rlE '#include[[:space:]]*[<"](n?curses|ncursesw/|readline/|sqlite3)' \
	src/sim src/proto src/check src/script src/lesson src/util 2>/dev/null)
[ -z "$bad" ] || fail "core includes UI or database headers: $bad"
bad=$(grep -rlE '#include[[:space:]]*[<"]sqlite3' src | grep -v '^src/store/')
[ -z "$bad" ] || fail "sqlite3.h outside src/store: $bad"
bad=$(grep -rlE '#include[[:space:]]*[<"](n?curses|ncursesw/|readline/)' src | grep -v '^src/tui/')
[ -z "$bad" ] || fail "curses or readline outside src/tui: $bad"
echo "layers: ok"

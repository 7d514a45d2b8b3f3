#!/bin/sh
# layers.sh — the layers hold:
#   1. include direction: util < sim < proto < check < script < lesson <
#      store < tui < app; a file in one layer includes project headers
#      only from its own layer or those below it (src/main.c is app);
#   2. a protocol reaches the world only through its node (send, timers,
#      local clock, randomness, replies, state lines): struct node holds
#      no pointer to the simulation (sim.h; a protocol that tried could
#      not compile), and no file in src/proto follows one (`->sim`) or
#      reads the simulator's clock through a node (`->now`), without
#      exception. Protocol predicates and commands get the simulation as
#      an argument (`struct sim *s`): they are the views' side, not the
#      node's;
#   3. the pure core never includes a screen, readline or database
#      header, and only src/store includes sqlite3.h, only src/tui curses
#      and readline.
# Run from the source tree (CTest does).
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
order="util sim proto check script lesson store tui app"
rank() {
	r=0
	for l in $order; do
		[ "$l" = "$1" ] && { echo $r; return; }
		r=$((r + 1))
	done
	echo -1
}
bad=""
for layer in $order; do
	lr=$(rank "$layer")
	files=$(find "src/$layer" -name '*.[ch]' 2>/dev/null)
	[ "$layer" = app ] && files="$files src/main.c"
	for f in $files; do
		# Every `#include "X/..."` of a project layer X.
		grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]+/' "$f" |
			sed -E 's/^([0-9]+):.*include[[:space:]]*"([a-z]+)\/.*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
		while read -r line inc; do
			ir=$(rank "$inc")
			[ "$ir" -lt 0 ] && continue
			if [ "$ir" -gt "$lr" ]; then
				bad="$bad
  $f:$line: $layer includes $inc/ (a layer above it)"
			fi
		done <"${TMPDIR:-/tmp}/layers.$$"
	done
done
rm -f "${TMPDIR:-/tmp}/layers.$$"
[ -z "$bad" ] || fail "includes against the layer order ($order):$bad"
bad=$(grep -nE -- '->(sim|now)\b' src/proto/*.c src/proto/*.h)
[ -z "$bad" ] || fail "protocol code reaches past its node (->sim, ->now): $bad"
bad=$(sed -n '/^struct node {/,/^};/p' src/sim/sim.h | grep -nE 'struct sim[[:space:]]*\*|sim_time[[:space:]]*\*')
[ -z "$bad" ] || fail "struct node (src/sim/sim.h) hands protocols a pointer into the simulation: $bad"
bad=$(grep -rlE '#include[[:space:]]*[<"](n?curses|ncursesw/|readline/|sqlite3)' \
	src/sim src/proto src/check src/script src/lesson src/util 2>/dev/null)
[ -z "$bad" ] || fail "core includes UI or database headers: $bad"
bad=$(grep -rlE '#include[[:space:]]*[<"]sqlite3' src | grep -v '^src/store/')
[ -z "$bad" ] || fail "sqlite3.h outside src/store: $bad"
bad=$(grep -rlE '#include[[:space:]]*[<"](n?curses|ncursesw/|readline/)' src | grep -v '^src/tui/')
[ -z "$bad" ] || fail "curses or readline outside src/tui: $bad"
echo "layers: ok"

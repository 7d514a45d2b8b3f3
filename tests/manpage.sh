#!/bin/sh
# manpage.sh NETSPLIT — docs/netsplit.1 covers every subcommand main.c
# dispatches and every key in the key table (src/tui/tui_keys.c), names the
# files and themes the program uses, and renders without warnings where
# man(1) is installed.
set -u
set -f # keys such as ? must not expand as file names
ns=$1
page=docs/netsplit.1
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$page" ] || fail "no $page"
# The subcommands: main.c's table and the screens.
cmds=$(grep -o '{"[a-z]*", [a-z_]*_main}' src/main.c | sed 's/{"\([a-z]*\)".*/\1/')
[ "$(echo "$cmds" | wc -w)" -ge 9 ] || fail "could not read the commands from src/main.c"
for c in $cmds sandbox open cap replay; do
	grep -q "^\.B $c\( \|$\)" "$page" || fail "$page has no section for \"netsplit $c\""
done
# The keys: the names in the key table, as the page writes them.
keys=$(sed -n 's/^ *{[^,]*, "\([^"]*\)", ACT_.*/\1/p' src/tui/tui_keys.c)
[ "$(echo "$keys" | wc -l)" -ge 30 ] || fail "could not read the keys from src/tui/tui_keys.c"
# Every word of the page's .B/.BR lines, one a line, to match keys exactly.
grep '^\.B' "$page" | sed 's/^\.B[RI]*//' | tr ' ' '\n' | grep -v '^$' >"${TMPDIR:-/tmp}/manwords.$$"
trap 'rm -f "${TMPDIR:-/tmp}/manwords.$$"' EXIT
for k in $(echo "$keys" | tr ' ' '\n'); do
	case "$k" in
	1-9) w='1' ;;   # written 1 \- 9
	-) w='\-' ;;
	*) w=$k ;;
	esac
	grep -qxF -- "$w" "${TMPDIR:-/tmp}/manwords.$$" || fail "$page lacks the key \"$k\""
done
for f in netsplit.db history netsplit.log themes/ lessons/ netsplit.mo NO_COLOR \
	'high\-contrast' monochrome XDG_DATA_HOME XDG_STATE_HOME NETSPLIT_LESSONS; do
	grep -qF -- "$f" "$page" || fail "$page does not mention $f"
done
v=$("$ns" --version | head -n 1 | cut -d' ' -f2)
grep -q "^\.TH NETSPLIT 1 .*\"netsplit $v\"" "$page" || fail "$page is not for version $v"
if command -v man >/dev/null 2>&1; then
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "man warns: $w"
fi
echo "manpage: ok"

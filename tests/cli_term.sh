#!/bin/sh
# cli_term.sh NETSPLIT — the screen on a terminal type terminfo does not
# know (issue 14): it exits 1 and says on stderr what is wrong and how to
# fix it, instead of leaving ncurses' message in the log file. Runs the
# screen on a pseudo-terminal with script(1); skipped without it.
set -u
ns=$1
command -v script >/dev/null 2>&1 || { echo "cli_term: skipped (no script(1))"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LC_ALL=C LANGUAGE= HOME="$tmp" XDG_STATE_HOME="$tmp/state" XDG_DATA_HOME="$tmp/data"
# timeout: should the screen start after all, it must not hang the suite.
TERM=netsplit-no-such-terminal timeout 20 script -qec \
	"'$ns' sandbox --db '$tmp/s.db' 2>'$tmp/err'; echo \$? >'$tmp/rc'" /dev/null \
	>/dev/null 2>&1 </dev/null
[ -f "$tmp/rc" ] || fail "the screen did not exit"
[ "$(cat "$tmp/rc")" = 1 ] || fail "exit $(cat "$tmp/rc")"
grep -q 'netsplit: the terminal type TERM="netsplit-no-such-terminal" is not in the terminfo database' "$tmp/err" ||
	fail "no message on stderr: $(cat "$tmp/err")"
grep -q 'TERM=xterm-256color' "$tmp/err" || fail "no advice: $(cat "$tmp/err")"
echo "cli_term: ok"

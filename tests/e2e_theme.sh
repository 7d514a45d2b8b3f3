#!/bin/sh
# e2e_theme.sh NETSPLIT — colour themes on the real screen, in tmux: the
# default theme's colours (Okabe-Ito sky blue status line), --theme
# high-contrast (a black background, nothing dim), --theme monochrome (no
# colour, attributes kept), a theme saved with `netsplit themes --set` and
# used by the next screen, a saved theme that went bad (said on the screen,
# the default kept), and NO_COLOR winning over any theme. Reads the screen
# with its escapes (capture-pane -e). Needs tmux.
set -u
command -v tmux >/dev/null || { echo "e2e_theme: tmux is needed" >&2; exit 1; }
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d)
fails=0
n=0
sock=""
T() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	i=1
	while [ "$i" -le "$n" ]; do
		tmux -L "nstheme$$-$i" -f /dev/null kill-server 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM
esc=$(printf '\033')
screen() { T capture-pane -p -e -t ns; }
wait_for() { # wait_for REGEX [SECONDS]: the screen, with escapes, matches
	limit=$(( ${2:-10} * 20 * ${NETSPLIT_E2E_SCALE:-1} ))
	i=0
	while [ $i -lt "$limit" ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
check() {
	name=$1
	shift
	if "$@"; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		screen | head -3 | cat -v
		fails=$((fails + 1))
	fi
}
# start TERM NO_COLOR ARGS...: the sandbox in a fresh tmux server.
start() {
	n=$((n + 1))
	sock=nstheme$$-$n
	term=$1 nocolor=$2
	shift 2
	{
		echo "TERM=$term LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=$nocolor XDG_STATE_HOME=$tmp/state XDG_DATA_HOME=$tmp/data HOME=$tmp \"$bin\" $*"
		echo 'echo EXIT=$?'
		echo 'sleep 60'
	} >"$tmp/run.sh"
	T new-session -d -s ns -x 80 -y 24 "sh $tmp/run.sh"
	wait_for ' netsplit · ' 10
}
quit() { T send-keys -t ns q; wait_for 'EXIT=0' 5; T kill-server 2>/dev/null; }
# sgr CODES: an escape sequence ESC[...m holding CODES among its parameters.
sgr() { screen | grep -Eq -- "$esc\\[([0-9;]*;)?$1(;[0-9;]*)?m"; }
no_sgr() { ! sgr "$1"; }
# Any SGR colour, foreground or background (39 and 49 are the defaults).
colour() { screen | grep -Eq "$esc\\[([0-9]+;)*(3[0-8]|4[0-8])(;|m)"; }
no_colour() { ! colour; }

db="$tmp/t.db"
check "default: the screen comes up" start screen-256color "" sandbox raft 3 --seed 3 --db "$db"
check "default: Okabe-Ito sky blue status line (48;5;74)" sgr '48;5;74'
quit
check "default, 8 colours: the screen comes up" start screen "" sandbox raft 3 --seed 3 --db "$db"
check "default, 8 colours: the status line on cyan (46)" sgr 46
quit

check "high-contrast: comes up" start screen-256color "" sandbox raft 3 --seed 3 --theme high-contrast
check "high-contrast: black background (48;5;16)" sgr '48;5;16'
check "high-contrast: the status line black on yellow (48;5;226)" sgr '48;5;226'
check "high-contrast: nothing dim" no_sgr 2
quit

check "monochrome: comes up" start screen-256color "" sandbox raft 3 --seed 3 --theme=monochrome
check "monochrome: no colour escapes" no_colour
check "monochrome: the status line in reverse" sgr 7
quit

"$bin" themes --db "$db" --set high-contrast >/dev/null || { echo "FAIL themes --set"; fails=$((fails + 1)); }
check "saved theme: comes up" start screen-256color "" sandbox raft 3 --seed 3 --db "$db"
check "saved theme: high-contrast used (48;5;16)" sgr '48;5;16'
quit
check "saved theme, --theme wins: comes up" start screen-256color "" sandbox raft 3 --seed 3 --db "$db" --theme monochrome
check "saved theme, --theme wins: no colour" no_colour
quit

printf '[mono]\nbar = reverse\n' >"$tmp/mine.theme"
"$bin" themes --db "$db" --set "$tmp/mine.theme" >/dev/null || { echo "FAIL themes --set FILE"; fails=$((fails + 1)); }
printf '[mono]\nbar = reverse sideways\n' >"$tmp/mine.theme"
check "saved theme gone bad: the screen still comes up" start screen-256color "" sandbox raft 3 --seed 3 --db "$db"
check "saved theme gone bad: said on the screen, with file:line:col" wait_for 'mine.theme:2:15' 5
check "saved theme gone bad: the default's colours" sgr '48;5;74'
quit

check "NO_COLOR: comes up" start screen-256color 1 sandbox raft 3 --seed 3 --theme high-contrast
check "NO_COLOR wins over a theme: no colour escapes" no_colour
check "NO_COLOR: the theme's attributes (bold)" sgr 1
quit

if [ $fails -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"

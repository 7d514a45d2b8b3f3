#!/bin/sh
# e2e_history.sh NETSPLIT — the history view, the live verdict and the CAP
# screen end to end, in tmux, as a user sees them.
#
# 1. A sandbox of Raft with reads=local (reads served from a node's own
#    state): paused, the clock driven by `run` commands so the story is the
#    same every time. Write x=1, isolate n1, write x=2 through the majority,
#    read x through n1: the status line says "not linearizable", and the
#    history view shows the two operations that prove it heavy (┣━┫, ┃ when short) with
#    the explanation in words. Scrolling and zooming keep the screen alive.
# 2. `netsplit cap` at 80x24: both clusters drawn side by side with their
#    tallies; after `p` (a partition both take) the AP side counts stale
#    reads and is not linearizable while the CP side has none and stays
#    linearizable. At 160x50 (--ap primary) each side shows its history.
#
# Waiting is by polling the screen for the expected text with a timeout.
# Needs tmux.
set -u

if ! command -v tmux >/dev/null; then
	echo "e2e_history: tmux is needed to drive the screen" >&2
	exit 1
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if ! printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	echo "e2e_history: raft is not compiled in; nothing to test"
	exit 0
fi
sock=nshist$$
tmp=$(mktemp -d)
fails=0
T() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

screen() { T capture-pane -p -t ns; }

# wait_for REGEX [SECONDS]: polls the screen until a line matches.
wait_for() {
	limit=$(( ${2:-10} * 20 * ${NETSPLIT_E2E_SCALE:-1} ))
	i=0
	while [ $i -lt $limit ]; do
		if screen | grep -Eq -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait_gone REGEX [SECONDS]: polls until no line matches.
wait_gone() {
	limit=$(( ${2:-10} * 20 * ${NETSPLIT_E2E_SCALE:-1} ))
	i=0
	while [ $i -lt $limit ]; do
		if ! screen | grep -Eq -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

check() { # check NAME COMMAND...
	name=$1
	shift
	if "$@"; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		echo "---- screen:"
		screen
		echo "----"
		fails=$((fails + 1))
	fi
}

# start W H ARGS...: a fresh tmux server running netsplit ARGS.
start() {
	w=$1
	h=$2
	shift 2
	T kill-server 2>/dev/null
	sleep 0.1
	T new-session -d -s ns -x "$w" -y "$h" \
		"LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$tmp XDG_STATE_HOME=$tmp/state $bin $*; sleep 60"
}

# cmd TEXT: opens the `:` prompt, waits until it is open (an empty prompt
# line), types TEXT and Enter, and waits until the prompt has closed.
cmd() {
	T send-keys -t ns ':'
	wait_for '^:$' 10 || echo "e2e_history: the prompt did not open for: $1"
	T send-keys -t ns -l "$1"
	T send-keys -t ns Enter
	wait_gone '^:' 10
}

# ---- the sandbox: a stale read through the minority --------------------------

start 100 30 sandbox raft 5 --seed 7
check "sandbox starts" wait_for 'netsplit · raft · 5 nodes' 10
T send-keys -t ns ' '
check "paused" wait_for 'paused' 5
cmd 'cluster raft 5 reads=local'
cmd 'run 2s'
cmd 'put x 1'
cmd 'run 1s'
cmd 'partition n1 | n2 n3 n4 n5'
cmd 'run 2s'
cmd 'put x 2 via n2'
cmd 'run 2s'
check "verdict still linearizable" wait_for '^ netsplit .* linearizable$' 5
cmd 'get x via n1'
cmd 'run 1s'
check "status line: not linearizable" wait_for '^ netsplit .*not linearizable' 10
check "message points at the history view" wait_for 'tab to the history view' 5
T send-keys -t ns Tab Tab Tab
check "history view" wait_for 'history · [0-9]+ operations · not linearizable' 5
check "core operations highlighted" wait_for '┣(━)*┫' 5  # grouped: a C locale's grep sees bytes
check "stale read labelled" wait_for 'get x→1' 5
check "the write it missed labelled" wait_for 'put x 2' 5
check "explanation in words" wait_for 'Not linearizable: key x' 5
check "time axis" wait_for '┴[0-9.]+m?s' 5
T send-keys -t ns '>' '>' '<' Left Left Right
check "zoom and scroll keep the view" wait_for 'history · [0-9]+ operations' 5
T send-keys -t ns w ' '
check "w starts a workload" wait_for 'workload clients 3 rate 20/s keys 2' 5
check "workload clients get rows" wait_for '^c10[0-9]' 10
T send-keys -t ns q
check "quits" wait_gone 'history · ' 5

# ---- cap: the same cut, two choices ------------------------------------------

start 80 24 cap 5 --seed 7
check "cap: CP side" wait_for '^ CP · raft 5 reads=readindex' 10
check "cap: AP side" wait_for '│ +AP · (dynamo 5 n=3 w=1 r=1|primary 5|raft 5 reads=local)' 5
check "cap: tallies" wait_for 'answered [0-9]+ · stale reads [0-9]+ +│ +answered' 5
check "cap: workload visible" wait_for 'both clusters run: workload clients 3' 5
T send-keys -t ns p
check "cap: one partition for both" wait_for 'partition n1 n2 \| n3 n4 n5 \(both clusters\)' 5
check "cap: AP answers with stale reads" wait_for '│ +answered [0-9]+ · stale reads [1-9]' 20
check "cap: AP not linearizable" wait_for '│ +not linearizable' 10
check "cap: CP no stale reads" wait_for '^ answered [0-9]+ · stale reads 0 ' 5
check "cap: CP linearizable" wait_for '^ linearizable ' 5
T send-keys -t ns h
check "cap: heal" wait_for 'heal \(both clusters\)' 5
T send-keys -t ns q

# ---- cap on a tall screen: each side's history under its diagram -------------

start 160 50 cap 5 --seed 7 --ap primary
check "cap 160x50: primary on the AP side" wait_for '│ +AP · primary 5 mode=async' 10
check "cap 160x50: two histories" wait_for 'history · [0-9]+ operations.*│ +history · [0-9]+ operations' 10
T send-keys -t ns q

if [ $fails -gt 0 ]; then
	echo "e2e_history: $fails failed"
	exit 1
fi
echo "e2e_history: all passed"

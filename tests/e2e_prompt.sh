#!/bin/sh
# e2e_prompt.sh NETSPLIT — the status line and the prompt in tmux at 80x24
# (issue 11): the live verdict is drawn beside the REC mark, not over it;
# lines typed ahead while a long command runs are run after it, never lost;
# tab completion shows every row of candidates, not the first one only.
#
# Waiting is by polling the screen with a timeout. Needs tmux.
set -u

e2e_name=e2e_prompt
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if ! printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	e2e_skip "raft is not compiled in"
fi
sock=nsprompt$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

T new-session -d -s ns -x 80 -y 24 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$tmp XDG_STATE_HOME=$tmp/state $bin sandbox raft 5 --seed 3 --db $tmp/ns.db; sleep 60"
check "sandbox starts" wait_for 'netsplit · raft · 5 nodes' 10
T send-keys -t ns ' '
check "paused" wait_for 'paused' 5

# The verdict and REC side by side on the status line.
T send-keys -t ns R
check "asks for a title" wait_for 'title of the recording' 5
T send-keys -t ns -l demo
T send-keys -t ns Enter
check "recording" wait_for 'REC' 5
cmd 'put x 1'
cmd 'run 1s'
check "verdict beside REC, the time kept" wait_for '^ raft · 5 nodes · t=[0-9.]+s · 1.0x · paused +linearizable +● REC *$' 5

# Typed ahead: a second line sent while the first (a long run) runs.
T send-keys -t ns -l "$(printf ':run 300s\r:put x 7\r')"
check "the typed-ahead line ran" wait_for 'invokes put x 7' 20

# Every row of candidates, in columns ("workload" sorts last).
T send-keys -t ns ':'
check "prompt" wait_for '^:$' 5
T send-keys -t ns Tab
check "completions title" wait_for '─ completions ─' 5
check "first candidate" wait_for '^ add ' 5
check "last candidate" wait_for ' workload *$' 5
T send-keys -t ns Escape
check "closed" wait_gone 'completions' 5
e2e_done

#!/bin/sh
# e2e_traitor.sh NETSPLIT — traitors on the screen (issue 19), in tmux: `b`
# turns the selected node traitor and cycles lie -> equivocate -> silent ->
# loyal; a traitor's box says so on its top border in words ("☠ lie"), the
# side pane's title says TRAITOR and the mode; a protocol that cannot forge
# messages (raft) refuses `lie`, and the refusal is the command's message.
# Needs tmux.
set -u

e2e_name=e2e_traitor
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
printf 'cluster generals 4\n' | "$bin" run - >/dev/null 2>&1 || e2e_skip "generals is not compiled in"
sock=nstraitor$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

T new-session -d -s ns -x 100 -y 30 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp/state HOME=$tmp $bin sandbox generals 4 --seed 3 --db $tmp/s.db; sleep 60"

check "the screen comes up" wait_for '^ netsplit · generals · 4 nodes' 10
T send-keys -t ns 2
check "n2 selected" wait_for '│ n2 · ' 5
T send-keys -t ns b
check "b: the command traitor n2 lie" wait_for '^ :traitor n2 lie' 5
check "n2's box carries the marker" wait_for '━ ☠ lie ━' 5
check "the side pane's title says TRAITOR lie" wait_for '│ n2 · .*TRAITOR lie' 5
T send-keys -t ns b
check "b again: equivocate" wait_for '━ ☠ equivocate' 5
T send-keys -t ns b
check "b again: silent" wait_for '━ ☠ silent' 5
T send-keys -t ns b
check "b again: loyal" wait_for '^ :loyal n2' 5
check "the marker is gone" wait_gone '☠' 5

# raft has no corrupt_msg: lie is refused, with the command's own words.
if printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	cmd 'cluster raft 3'
	check "raft: three nodes" wait_for '^ netsplit · raft · 3 nodes' 10
	T send-keys -t ns 1 b
	check "raft refuses lie (the command's message)" wait_for 'cannot forge messages' 5
	check "and no marker is drawn" wait_gone '☠' 5
fi

T send-keys -t ns q
e2e_done

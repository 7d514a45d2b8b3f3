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

e2e_name=e2e_history
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if ! printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	e2e_skip "raft is not compiled in"
fi
sock=nshist$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

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

start 80 24 cap 5 --seed 7 --db "$tmp/cap.db"
check "cap: CP side" wait_for '^ CP · raft 5 reads=readindex' 10
check "cap: AP side" wait_for '│ +AP · (dynamo 5 n=3 w=1 r=1|primary 5|raft 5 reads=local)' 5
check "cap: tallies" wait_for 'answered [0-9]+ · stale reads [0-9]+ +│ +answered' 5
check "cap: workload visible" wait_for 'both clusters run: workload clients 5 .* home nodes' 5
check "cap: says the clients are tied" wait_for 'each node has a client on its side' 5
check "cap: CP refuses nothing before the split" wait_for '^ refused 0 · timed out 0 ' 5
# p is the sandbox's preset: first the selected node alone, then a
# minority/majority split, then heal.
T send-keys -t ns p
check "cap: p isolates n1 in both" wait_for 'partition n1 \| n2 n3 n4 n5 \(both clusters\)' 5
T send-keys -t ns p
check "cap: one partition for both" wait_for 'partition n1 n2 \| n3 n4 n5 \(both clusters\)' 5
check "cap: AP answers with stale reads" wait_for '│ +answered [0-9]+ · stale reads [1-9]' 20
check "cap: AP not linearizable" wait_for '│ +not linearizable' 10
check "cap: CP no stale reads" wait_for '^ answered [0-9]+ · stale reads 0 ' 5
check "cap: CP linearizable" wait_for '^ linearizable ' 5
# The minority's clients are cut off from the majority: CP is not available
# to them (issue 10).
check "cap: CP minority clients refused or timed out" wait_for '^ refused [0-9]+ · timed out [0-9]+' 5
check "cap: and their number climbs above zero" wait_for '^ refused ([1-9][0-9]*|0 · timed out [1-9])' 20
T send-keys -t ns h
check "cap: heal" wait_for 'heal \(both clusters\)' 5
# After h the next p partitions again, never heals.
T send-keys -t ns p
check "cap: p after h partitions again" wait_for ':partition n1 \| n2 n3 n4 n5 \(both clusters\)' 5
T send-keys -t ns h
check "cap: heal again" wait_for ':heal \(both clusters\)' 5

# Every key of the single screen, on both clusters (the one event loop).
T send-keys -t ns 1 x 2
check "cap: x 1 2 cuts the link in both" wait_for ':cut n1 n2 \(both clusters\)' 5
check "cap: both draw it cut" wait_for '╳.*│.*╳' 5
T send-keys -t ns h .
check "cap: . is one event in each cluster" wait_for 'one event in each cluster' 5
check "cap: . pauses both" wait_for '^ netsplit · cap · 5 nodes .* paused' 5
cmd 'crash n3'
check "cap: the prompt runs in both" wait_for ':crash n3 \(both clusters\)' 5
check "cap: n3 down on both sides" wait_for 'n3 ✗ down.*│.*n3 ✗ down' 5
T send-keys -t ns '?'
check "cap: ? the help, from the key table" wait_for 'crash the selected node' 5
# The legend lists each protocol's message glyphs under its name.
# (on any page: the two lists need not fit on one screen)
help_has_both() {
	cp=0 ap=0
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do
		screen | grep -q '^ *raft:' && cp=1
		screen | grep -Eq '^ *(dynamo|primary):' && ap=1
		[ "$cp$ap" = 11 ] && return 0
		T send-keys -t ns NPage
		sleep 0.2
	done
	return 1
}
check "cap: help lists both protocols' messages" help_has_both
T send-keys -t ns Escape
check "cap: esc leaves the help" wait_gone 'crash the selected node' 5
T send-keys -t ns Tab
check "cap: tab is refused with a message" wait_for 'side by side: the logs' 5
T send-keys -t ns ' '
check "cap: space runs both again" wait_for '^ netsplit · cap .* running' 5
T send-keys -t ns R
check "cap: R asks for a title" wait_for 'title of the recording' 5
T send-keys -t ns -l "cap crash"
T send-keys -t ns Enter
check "cap: REC on the status line" wait_for 'REC *$' 5
T send-keys -t ns 2 c
check "cap: c crashes n2 in both" wait_for ':(crash|restart) n2 \(both clusters\)' 5
sleep 0.5
T send-keys -t ns R
check "cap: R saves one recording per cluster" wait_for 'recordings 1 to 2 saved, one per cluster' 5
cmd 'run 1000000000s'
check "cap: a long run shows its progress" wait_for ':run 1000000000s .*% .*esc cancels' 5
T send-keys -t ns Escape
check "cap: esc cancels it in both" wait_for ':run 1000000000s cancelled' 5
check "cap: the cancel is noted per cluster" wait_for 'AP: cancelled at' 5
T send-keys -t ns q
check "cap: q quits" wait_gone '^ netsplit · cap' 5
sleep 0.5
check "cap: netsplit recordings lists the CP one" sh -c "'$bin' recordings --db '$tmp/cap.db' | grep -q 'cap crash · CP'"
check "cap: and the AP one" sh -c "'$bin' recordings --db '$tmp/cap.db' | grep -q 'cap crash · AP'"
check "cap: the AP recording replays its own cluster and the crash" sh -c "'$bin' export 2 --format ns --db '$tmp/cap.db' | grep -q '^cluster \(dynamo\|primary\|raft\)' && '$bin' export 2 --format ns --db '$tmp/cap.db' | grep -Eq '(crash|restart) n2'"
check "cap: the CP recording is raft's" sh -c "'$bin' export 1 --format ns --db '$tmp/cap.db' | grep -q '^cluster raft 5 reads=readindex'"

# ---- cap on a tall screen: each side's history under its diagram -------------

start 160 50 cap 5 --seed 7 --ap primary
check "cap 160x50: primary on the AP side" wait_for '│ +AP · primary 5 mode=async' 10
check "cap 160x50: two histories" wait_for 'history · [0-9]+ operations.*│ +history · [0-9]+ operations' 10
T send-keys -t ns q

# ---- cap --systems: three real systems, the CAP table's last column -----------

start 160 34 cap --systems zookeeper,cassandra,etcd --seed 3 --db "$tmp/sys.db"
check "systems: three columns, named" wait_for '^ zookeep · zookeeper 5 .*│ +cassand · cassandra 5 .*│ +etcd · etcd 5' 10
T send-keys -t ns p
sleep 0.3
T send-keys -t ns p
check "systems: the split applies to all three" wait_for 'partition n1 n2 \| n3 n4 n5 \(all 3 clusters\)' 5
check "systems: Cassandra at ONE serves stale reads, not linearizable" wait_for '│ +not linearizable +│ +linearizable' 30
check "systems: ZooKeeper's minority clients time out" wait_for '^ refused [0-9]+ · timed out [1-9]' 30
T send-keys -t ns q

e2e_done

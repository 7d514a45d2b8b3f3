#!/bin/sh
# e2e_progress.sh NETSPLIT — a long headless command says how far it is
# (issue 14): on a terminal, after two seconds of wall time, `netsplit run`
# with its trace going to a file and `netsplit fuzz` show one progress line
# on stderr, rewritten in place, gone when the command ends; with stderr
# not a terminal nothing is written there, and the trace is the same bytes
# with the progress line or without it. Needs tmux.
set -u

e2e_name=e2e_progress
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
e2e_private nsprog

# Long enough for a few seconds on any machine, short enough to finish.
printf 'seed 3\ncluster raft 5\nworkload clients 3 rate 50/s\nrun 15000s\n' >"$tmp/long.ns"

T new-session -d -s ns -x 120 -y 10 \
	"$bin run -q $tmp/long.ns >$tmp/trace.out; echo EXIT=\$?; sleep 60"
check "run: a progress line after two seconds" wait_for '^netsplit run: [0-9.]+s simulated, [0-9]+ events \([0-9]+ s\)' 30
check "run: it ends, status 0" wait_for 'EXIT=0' 120
check "run: the line is gone at the end" sh -c "! tmux -L $sock capture-pane -p -t ns | grep -q 'netsplit run:'"
T kill-server

"$bin" run -q "$tmp/long.ns" >"$tmp/trace2.out" 2>"$tmp/err"
check "run: stderr not a terminal: nothing written there" test ! -s "$tmp/err"
check "run: the same trace with or without the line" cmp -s "$tmp/trace.out" "$tmp/trace2.out"

T new-session -d -s ns -x 120 -y 10 "$bin fuzz raft --seeds 100000; echo EXIT=\$?; sleep 60"
check "fuzz: seed by seed" wait_for '^netsplit fuzz raft: seed [0-9]+, [0-9]+ of 100000, 0 failed' 30
T send-keys -t ns C-c
T kill-server
e2e_done

#!/bin/sh
# e2e_violation.sh NETSPLIT — a run that breaks safety, opened on the screen
# (issue 21), in tmux: `netsplit hunt` writes the shrunk counterexample of
# Raft without its up-to-date check; `netsplit open` on it stops at the end
# of the event after which Leader Completeness fails — not at the file's
# end — with the time, the line and the property on the status line, the
# new leader's election the last event shown, paused; space runs on from
# there; --to-end runs the whole file and pauses at its end.
# Needs tmux.
set -u

e2e_name=e2e_violation
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
e2e_private nsviol

"$bin" hunt raft bug=no-up-to-date-check -o "$tmp" >"$tmp/hunt.out" 2>&1 ||
	{ cat "$tmp/hunt.out" >&2; e2e_skip "hunt found nothing"; }
f=$(ls "$tmp"/hunt-raft-no-up-to-date-check-*.ns)
# Where it breaks, as the file's comment says.
at=$(sed -n 's/^# What breaks, at \([0-9.]*s\): .*/\1/p' "$f")
[ -n "$at" ] || { echo "FAIL: $f says nowhere what breaks" >&2; exit 1; }

T new-session -d -s ns -x 160 -y 40 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp/state HOME=$tmp $bin open $f --db $tmp/s.db; sleep 60"
check "the screen comes up, paused" wait_for '^ netsplit · raft · 3 nodes .*bug=no-up-to-date-check.* · paused' 10
check "the status line says where safety broke" wait_for "safety broke at $at \\(line [0-9]+\\): Leader Completeness" 5
check "the clock stands at that moment" wait_for "t=$(echo "$at" | sed 's/\([0-9]*\.[0-9][0-9][0-9]\).*/\1/')s" 5
check "the last event is the election that broke it" wait_for "became Leader for term" 5
T send-keys -t ns ' '
check "space runs on from there" wait_for '^ netsplit · raft · .* · running' 5
T send-keys -t ns q
T kill-server 2>/dev/null
# A new server on the socket of one still shutting down may die with it.
sock=nsviol$$b

T new-session -d -s ns -x 160 -y 40 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp/state HOME=$tmp $bin open --to-end $f --db $tmp/s.db; sleep 60"
check "--to-end: the whole file runs" wait_for "ran to [0-9.]*s; paused" 10
check "--to-end: and its expect reports the violation" wait_for "expect safe: FAILED" 5
T send-keys -t ns q
e2e_done

#!/bin/sh
# e2e_time.sh NETSPLIT — time made visible on the screen (issue 11), in tmux:
# the selected follower's election timeout is drawn with what is left of
# it; after the leader crashes, the follower with the least time left is
# the first to become Candidate; `t` (time out now) makes the selected
# follower campaign at once; `m` opens a message in flight and shows what it
# carries; the slowest speed is 0.01x; M slows an election down to 0.05x
# and gives the speed back after; [ rewinds the live session and ] comes
# back to the same state, and a command while rewound forks the timeline;
# P (presenter mode) draws without the dim attribute.
# Needs tmux and perl.
set -u

e2e_name=e2e_time
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux perl
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1 || e2e_skip "raft is not compiled in"
sock=nstime$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	T kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

T new-session -d -s ns -x 100 -y 30 \
	"LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$tmp/state HOME=$tmp $bin sandbox raft 5 --seed 7 --db $tmp/s.db; sleep 60"

leader_of() { screen | grep -Eo 'n[0-9]+ Leader' | head -1 | sed 's/ Leader//; s/n//'; }
# left_ms: the time left of the side pane's first timer, in microseconds.
left_us() {
	screen | perl -CSA -Mutf8 -ne 'if (/[█░]+ ([0-9.]+)(ms|us|s)\s*$/) {
		$v = $1 * ($2 eq "s" ? 1e6 : $2 eq "ms" ? 1e3 : 1); print int($v), "\n"; exit }'
}

check "the screen comes up" wait_for '^ netsplit · raft · 5 nodes · seed 7'
check "a leader is elected" wait_for 'n[0-9]+ Leader' 10
T send-keys -t ns ' '
check "space pauses" wait_for 'paused' 5
old=$(leader_of)
T send-keys -t ns "$old" c
check "the leader n$old is down" wait_for "n$old ✗ down" 5

# Every follower's election timeout, as the side pane shows it.
first=
best=
for n in 1 2 3 4 5; do
	[ "$n" = "$old" ] && continue
	T send-keys -t ns "$n"
	wait_for "│ n$n · Follower" 5
	check "n$n: its election timeout is shown" wait_for 'election timeout' 5
	us=$(left_us)
	check "n$n: with the time left ($us us)" test -n "$us"
	if [ -n "$us" ] && { [ -z "$best" ] || [ "$us" -lt "$best" ]; }; then
		best=$us
		first=$n
	fi
done
check "the box bars are drawn" wait_for '▀' 2
# In slow motion (0.05x), so that the event log can be read as it happens.
T send-keys -t ns - - - -
check "four times - is 0.05x" wait_for ' 0.05x ' 5
T send-keys -t ns ' '
check "the follower with the least time left, n$first, campaigns first" \
	wait_for "n$first became (Pre)?Candidate" 10
cand=$(screen | grep -Eo 'n[0-9]+ became Candidate' | head -1)
check "no other node campaigned before n$first ($cand)" test "$cand" = "n$first became Candidate"
check "a new leader is elected" wait_for 'became Leader' 10
T send-keys -t ns + + + +
check "four times + is 1x again" wait_for ' 1.0x ' 5

# t: time out now, on a follower.
T send-keys -t ns ' '
check "paused again" wait_for 'paused' 5
l=$(leader_of)
f=1
while [ "$f" = "$l" ] || [ "$f" = "$old" ]; do f=$((f + 1)); done
T send-keys -t ns "$f" t
check "t on n$f runs campaign n$f" wait_for ":campaign n$f" 5
check "n$f becomes Candidate at once" wait_for "n$f became Candidate" 5
T send-keys -t ns "$l" t
check "t on the leader says why not" wait_for "n$l is the leader" 5

# m: a message in flight, opened.
T send-keys -t ns m
check "m opens a message" wait_for '│ message ' 5
check "with its contents" wait_for 'RequestVote|AppendEntries' 5
check "and when it arrives" wait_for 'arrives at' 5
T send-keys -t ns Escape
check "esc closes it" wait_gone '│ message ' 5

# Slow motion: - down to 0.01x.
for i in 1 2 3 4 5 6 7 8 9 10; do T send-keys -t ns -; done
check "the slowest speed is 0.01x" wait_for ' 0.01x ' 5

for i in 1 2 3 4 5 6 7 8 9 10 11 12; do T send-keys -t ns +; done
check "+ again up to 100x" wait_for ' 100x ' 5
for i in 1 2 3 4 5 6; do T send-keys -t ns -; done
check "and back to 1x" wait_for ' 1.0x ' 5

# M: slow motion while a node campaigns, and back afterwards.
T send-keys -t ns ' '
check "running again" wait_for 'running' 5
check "a leader again" wait_for 'n[0-9]+ Leader' 10
T send-keys -t ns M
check "M arms slow motion" wait_for '1.0x auto slow-mo' 5
l=$(leader_of)
T send-keys -t ns "$l" c
check "an election after n$l crashed is slowed down" wait_for '0\.05x slow-mo' 10
check "and the speed comes back once it is over" wait_for '1\.0x auto slow-mo' 20

# Live rewind: [ goes back (re-run from the start), ] forward to the
# present: the same cluster as never having moved; a command while rewound
# forks the timeline there and discards the future.
T send-keys -t ns ' '
check "paused for the rewind" wait_for 'paused' 5
cluster() { screen | sed -n '2,22p' | sed 's/[·✕]/ /g'; }
cluster >"$tmp/before"
t_end=$(status_time)
T send-keys -t ns '['
check "[ rewinds the live session" wait_for '─ rewound ' 5
t_back=$(status_time)
check "to an earlier time ($t_back < $t_end)" perl -e 'exit !($ARGV[0] < $ARGV[1])' "$t_back" "$t_end"
T send-keys -t ns ']'
check "] comes back to the present" wait_for 'back at the present: live again' 5
check "at the same time ($t_end)" test "$(status_time)" = "$t_end"
cluster >"$tmp/after"
check "back then forward equals never having moved" sh -c "diff \"$tmp/before\" \"$tmp/after\" || exit 1"
T send-keys -t ns '[' '['
check "rewound again" wait_for '─ rewound ' 5
t_fork=$(status_time)
T send-keys -t ns 1 c
check "a key while rewound forks the timeline" wait_for "forked at ${t_fork}" 5
check "and acts, live" wait_for ':(crash|restart) n1' 5
T send-keys -t ns '['
check "rewinding after the fork" wait_for '─ rewound ' 5
check "the future after the fork is gone (the end is now $t_fork)" \
	wait_for "${t_fork%?}[0-9]s ─\$" 5
T send-keys -t ns Escape ']'
check "] back to the fork's present" wait_for 'back at the present' 5

# Presenter mode: P, high contrast with no dim attribute (capture-pane -e
# shows the attributes), traffic left out of the event log.
dims() { T capture-pane -p -e -t ns | perl -ne '$n++ while /\e\[(?:\d+;)*2(?:;\d+)*m/g; END { print $n + 0, "\n" }'; }
check "the normal screen has dim text" test "$(dims)" -gt 0
T send-keys -t ns P
check "P: presenter mode" wait_for ' · presenter' 5
check "presenter mode has no dim attribute" test "$(dims)" -eq 0
T send-keys -t ns ' '
check "running in presenter mode" wait_for 'running · presenter' 5
events() { screen | sed -n '/─ events ─/,$p' | head -6; }
sleep 0.5
events >"$tmp/ev1"
sleep 1
events >"$tmp/ev2"
# State changes may still be logged (an election can happen meanwhile);
# what must not be is traffic: a line with an arrow is a message.
check "its event log leaves out the traffic (no new message line in 1 s)" \
	sh -c "! diff '$tmp/ev1' '$tmp/ev2' | grep '^>' | grep -q '→'"
T send-keys -t ns P
check "P again: presenter mode off" wait_gone ' · presenter' 5

T send-keys -t ns q
e2e_done

#!/bin/sh
# e2e_screen.sh NETSPLIT — the screen end to end, in tmux, as a user sees it.
#
# Runs `netsplit sandbox raft 5` (heartbeat when Raft is not compiled in) in
# private tmux servers at 80x24 and at 160x50, drives it with keys, mouse
# clicks and commands, and reads the screen back with capture-pane: crash
# the leader and see another node lead, click a node and a link, cut a link
# and see it drawn cut, partition and heal, resize with the prompt open,
# resize below the minimum and back, a bad command shows an error while the
# screen goes on, the views and the help; then that `q`, ^C, SIGTERM, SIGHUP
# and a crash all leave the terminal as it was (same stty settings,
# alternate screen off); and that a C locale with NO_COLOR gives ASCII
# without colour.
#
# Waiting is by polling the screen for the expected text with a timeout,
# never by long fixed sleeps. Needs tmux and perl.
set -u

e2e_name=e2e_screen
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux perl
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
# One private tmux server per session (nstest$$a, nstest$$b, ...): a new
# server on the socket of one still shutting down may die with it.
sessions="a b c d e f g h i j k"
sock=nstest$$
tmp=$(mktemp -d)
fails=0
cleanup() {
	for x in ${used:-}; do
		tmux -L "nstest$$$x" -f /dev/null kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

if printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	proto=raft
else
	proto=heartbeat
fi
echo "protocol: $proto"

# start W H [LOCALE [NO_COLOR]]: a fresh tmux server running the sandbox
# in a shell that reports the exit status and whether the terminal
# settings came back.
start() {
	T kill-server 2>/dev/null
	next=${sessions%% *}
	sessions=${sessions#* }
	used="${used:-} $next"
	sock=nstest$$$next
	loc=${3:-C.UTF-8}
	nocolor=${4:-}
	cat >"$tmp/run.sh" <<EOF
trap : INT
before=\$(stty -g)
LANG=$loc LC_ALL=$loc NO_COLOR=$nocolor XDG_STATE_HOME=$tmp/state HOME=$tmp \\
	sh -c 'echo \$\$ >"$tmp/pid"; exec "\$0" "\$@"' "$bin" ${args-sandbox $proto 5 --seed 7}
status=\$?
after=\$(stty -g)
[ "\$before" = "\$after" ] && echo TTY-RESTORED
echo EXIT=\$status
sleep 60
EOF
	T new-session -d -s ns -x "$1" -y "$2" "sh $tmp/run.sh"
}

# find TEXT: "X Y" of the first place TEXT is drawn in the cluster pane
# (rows 1-17, columns 0-53 at 80x24), counting characters, not bytes.
find_text() {
	screen | perl -CSA -ne 'BEGIN { $t = shift } $y = $. - 1;
		next if $y < 1 || $y > 17; $l = substr($_, 0, 54);
		if (($x = index($l, $t)) >= 0) { print "$x $y\n"; exit }' "$1"
}

leader_of() { screen | grep -Eo 'n[0-9]+ Leader' | head -1 | sed 's/ Leader//; s/n//'; }

# ---- 80x24 ------------------------------------------------------------------
start 80 24
check "80x24: the screen comes up" wait_for '^ netsplit · '"$proto"' · 5 nodes · seed 7'
for n in 1 2 3 4 5; do
	check "80x24: n$n visible" wait_for "n$n " 2
done
check "80x24: the key bar" wait_for 'q quit'

if [ "$proto" = raft ]; then
	check "a leader is elected" wait_for 'n[0-9]+ Leader' 10
	old=$(leader_of)
	T send-keys -t ns "$old" c
	check "the old leader n$old is drawn down" wait_for "n$old ✗ down" 5
	new_leader() {
		l=$(leader_of)
		[ -n "$l" ] && [ "$l" != "$old" ]
	}
	i=0
	until new_leader || [ $i -gt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	check "a different node is Leader after n$old crashed" new_leader
	T send-keys -t ns c
	check "n$old restarts" wait_gone "n$old ✗ down" 5
else
	T send-keys -t ns 1 c
	check "c crashes the selected node" wait_for 'n1 ✗ down' 5
	T send-keys -t ns 2
	check "the others presume it dead" wait_for 'n1 presumed' 10
	T send-keys -t ns 1 c
	check "c again restarts it" wait_gone 'n1 ✗ down' 5
fi

# The mouse: click a node to select it, click a link to cut it.
T send-keys -t ns ' '
check "space pauses" wait_for 'paused' 5
at=$(find_text "n2 ")
check "n2 is drawn in the cluster pane" test -n "$at"
[ -n "$at" ] && click $at
check "a click on n2 selects it" wait_for '│ n2 · ' 5
at=$(find_text "·")
check "a link is drawn" test -n "$at"
[ -n "$at" ] && click $at
check "a click on a link cuts it" wait_for ':cut n[0-9]+ n[0-9]+' 5
T send-keys -t ns h ' '
check "h heals, space runs" wait_for 'running' 5

T send-keys -t ns 1 x 2
check "x 1 2 runs cut n1 n2" wait_for ':cut n1 n2' 5
check "the cut link is drawn cut" wait_for '╳' 5
T send-keys -t ns h
check "h heals" wait_gone '╳' 5

T send-keys -t ns : 'partition n1 n2 | n3 n4 n5' Enter
check ":partition runs" wait_for ':partition n1 n2 \| n3 n4 n5' 5
check "partitioned links are drawn cut" wait_for '╳' 5
T send-keys -t ns : heal Enter
check ":heal heals" wait_gone '╳' 5

T send-keys -t ns e
check "e: the event log without the message traffic" wait_for 'event log: what happened' 5
check "e: no message lines left in the log" sh -c "sleep 0.5; ! tmux -L $sock capture-pane -p -t ns | sed -n '/─ events/,\$p' | grep -q ' → n[0-9]'"
check "e: the heal is still there" sh -c "tmux -L $sock capture-pane -p -t ns | sed -n '/─ events/,\$p' | grep -q 'heal'"
T send-keys -t ns e
check "e again: everything" wait_for 'event log: everything' 5
T send-keys -t ns : 'frobnicate n1' Enter
check "a bad command shows an error" wait_for 'frobnicate' 5
t1=$(status_time)
goes_on() { t2=$(status_time); [ -n "$t2" ] && [ "$t2" != "$t1" ]; }
i=0
until goes_on || [ $i -gt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
check "the screen goes on after the error" goes_on

# A resize while the prompt is open: the prompt follows, the line is kept.
T send-keys -t ns : 'partition n1 | n2'
T resize-window -t ns -x 90 -y 26
T send-keys -t ns ' n3' Enter
check "a resize keeps the prompt's line" wait_for ':partition n1 \| n2 n3' 5
T resize-window -t ns -x 80 -y 24
T send-keys -t ns h

T resize-window -t ns -x 60 -y 20
check "60x20 asks to enlarge the terminal" wait_for 'at least 80x24' 5
T resize-window -t ns -x 80 -y 24
check "80x24 again draws the cluster" wait_for '^ netsplit · ' 5
check "80x24 again: n5 visible" wait_for 'n5 ' 5

T send-keys -t ns q
check "q quits with status 0" wait_for 'EXIT=0' 5
check "q leaves the terminal settings as they were" wait_for 'TTY-RESTORED' 2
check "q leaves the alternate screen" sh -c "[ \"\$(tmux -L $sock display -p -t ns '#{alternate_on}')\" = 0 ]"

# ---- 160x50 -----------------------------------------------------------------
start 160 50
check "160x50: the screen comes up" wait_for '^ netsplit · '"$proto"
for n in 1 2 3 4 5; do
	check "160x50: n$n visible" wait_for "n$n " 2
done
T send-keys -t ns Tab
check "tab: the logs view" wait_for ' · logs$' 5
T send-keys -t ns Tab
check "tab: the timeline view" wait_for 'timeline' 5
T send-keys -t ns '?'
check "?: the help, from the key table" wait_for 'crash the selected node' 5
# (the key list grew with the history view and issue 11's keys: scroll on)
T send-keys -t ns Up PageUp
check "?: up at the top stays at the top" wait_for 'crash the selected node' 5
T send-keys -t ns Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down Down
check "?: down scrolls on: the help, from the command table" wait_for 'crash NODES' 5
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do T send-keys -t ns PageDown; done
check "?: page down stops at the end, not on a blank screen" wait_for 'take over and go on live' 5
T send-keys -t ns PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp PageUp
check "?: page up comes back to the top" wait_for 'crash the selected node' 5
T send-keys -t ns Escape
check "esc leaves the help" wait_gone 'crash the selected node' 5
T send-keys -t ns C-c
check "^C quits and restores the terminal" wait_for 'TTY-RESTORED' 5

# ---- SIGTERM ----------------------------------------------------------------
start 80 24
check "again: the screen comes up" wait_for '^ netsplit · '
kill -TERM "$(cat "$tmp/pid")"
check "SIGTERM restores the terminal" wait_for 'TTY-RESTORED' 5

# ---- a long command: progress, esc and ^C cancel, signals end it ---------------
start 80 24
check "long run: the screen comes up" wait_for '^ netsplit · '
cmd 'run 1000000000s'
check "long run: progress on the message line" wait_for ':run 1000000000s .*%.*esc cancels' 5
t1=$(status_time)
sleep 0.5
check "long run: simulated time moves on" sh -c "[ \"\$(tmux -L $sock capture-pane -p -t ns | head -1 | sed -n 's/.*t=\([0-9.]*\)s.*/\1/p')\" != '$t1' ]"
T send-keys -t ns c
check "long run: other keys are refused" wait_for 'is running: esc cancels it|esc cancels' 3
T send-keys -t ns Escape
check "long run: esc cancels it, with a note" wait_for ':run 1000000000s cancelled' 5
check "long run: the note in the event log" wait_for '^ cancelled at [0-9.]+s: [0-9.]+s of 1000000000s run' 2
check "long run: paused where it stopped" wait_for '^ netsplit · .* paused$' 2
T send-keys -t ns ' '
check "long run: space runs on" wait_for '^ netsplit · .* running$' 2
cmd 'run 1000000000s'
check "long run again" wait_for ':run 1000000000s .*%' 5
T send-keys -t ns C-c
check "long run: ^C cancels it too" wait_for ':run 1000000000s cancelled' 5
check "long run: the screen is still there after ^C" wait_for '^ netsplit · ' 2
cmd 'run until leader timeout 1000000000s'
check "run until: short, done in a slice" wait_for ':run until leader timeout 1000000000s$|held at' 5
cmd 'run until no leader timeout 1000000000s'
check "run until: long, progress" wait_for ':run until no leader .*%' 5
T send-keys -t ns q
check "long run: q cancels and quits" wait_for 'EXIT=0' 5
check "long run: q restores the terminal" wait_for 'TTY-RESTORED' 2
for sig in TERM HUP INT; do
	start 80 24
	check "SIG$sig during a long run: the screen comes up" wait_for '^ netsplit · '
	cmd 'run 1000000000s'
	check "SIG$sig during a long run: it runs" wait_for ':run 1000000000s .*%' 5
	kill -$sig "$(cat "$tmp/pid")"
	if [ $sig = INT ]; then
		# SIGINT is ^C: it cancels the command; a second one ends the program.
		check "SIGINT during a long run cancels it" wait_for ':run 1000000000s cancelled' 5
		kill -INT "$(cat "$tmp/pid")"
	fi
	check "SIG$sig during a long run: the program ends" wait_for 'EXIT=' 5
	check "SIG$sig during a long run: 128 + the signal" wait_for "EXIT=$(case $sig in TERM) echo 143 ;; HUP) echo 129 ;; INT) echo 130 ;; esac)" 1
	check "SIG$sig during a long run: terminal restored" wait_for 'TTY-RESTORED' 2
	check "SIG$sig during a long run: alternate screen off" sh -c "[ \"\$(tmux -L $sock display -p -t ns '#{alternate_on}')\" = 0 ]"
done

# ---- SIGHUP, and a crash ------------------------------------------------------
start 80 24
check "again: the screen comes up" wait_for '^ netsplit · '
kill -HUP "$(cat "$tmp/pid")"
check "SIGHUP restores the terminal" wait_for 'TTY-RESTORED' 5
start 80 24
check "again: the screen comes up" wait_for '^ netsplit · '
kill -SEGV "$(cat "$tmp/pid")"
check "a crash (SIGSEGV) restores the terminal" wait_for 'TTY-RESTORED' 5
check "a crash still fails (139, or a sanitizer's 1)" wait_for 'EXIT=[1-9]' 2

# ---- no UTF-8, no colour ---------------------------------------------------------
start 80 24 C 1
check "C locale: the screen comes up in ASCII" wait_for '^ netsplit - '"$proto"' - 5 nodes'
T send-keys -t ns 1 x 2
check "C locale: a cut link is drawn with X" wait_for ':cut n1 n2' 5
ascii_only() { ! screen | LC_ALL=C grep -q '[^ -~]'; }
check "C locale: nothing but ASCII on the screen" ascii_only
esc=$(printf '\033')
# Any SGR colour, foreground or background (39 and 49 are the defaults).
no_colour() { ! T capture-pane -p -e -t ns | grep -Eq "$esc\\[([0-9]+;)*(3[0-8]|4[0-8])(;|m)"; }
check "NO_COLOR: no colour escapes" no_colour
T send-keys -t ns q
check "C locale: q quits" wait_for 'EXIT=0' 5

# ---- the home screen -----------------------------------------------------------
args="" start 80 24
check "home: the menu comes up" wait_for 'Sandbox' 5
check "home: no Continue without a lesson begun" sh -c "! tmux -L $sock capture-pane -p -t ns | grep -q 'Continue'"
T send-keys -t ns s
check "home: s opens a sandbox" wait_for '^ netsplit · ' 5
T send-keys -t ns q
check "home: q quits with status 0" wait_for 'EXIT=0' 5

e2e_done

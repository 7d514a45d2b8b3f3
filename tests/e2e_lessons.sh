#!/bin/sh
# e2e_lessons.sh NETSPLIT — lessons, progress and recordings on the screen,
# end to end in tmux, as a user sees them.
#
# With a database in a temporary directory (--db): the home screen has no
# "Continue" at first; open the first lesson from the list, see its first
# step open paused at 1x ("space to start", nothing run yet), use "show
# me" (paused after the set-up; space plays it and it stops at the goal),
# see the step marked done and held there (no auto-advance), n and N move
# between steps, quit; `netsplit lessons` counts the step; start again and "Continue"
# resumes at the saved step. Then record a sandbox with R (a title at the
# prompt, "REC" on the status line), stop, quit; `netsplit recordings`
# lists it; `netsplit replay ID` plays it with a progress bar, seeks
# backwards and forwards exactly (the crash recorded is there after it and
# not before), and takes over; the home screen lists the recording too. A
# damaged database is moved aside and the home screen says so.
#
# Waiting is by polling the screen for the expected text with a timeout.
# Needs tmux and perl (as e2e_screen.sh).
set -u

e2e_name=e2e_lessons
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
. "$here/lib/e2e.sh"
e2e_need tmux perl
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if ! printf 'cluster raft 3\n' | "$bin" run - >/dev/null 2>&1; then
	e2e_skip "the lessons need Raft"
fi
sessions="a b c d e f g h i j k l m n o p q r s t u v w x y z"
sock=nsles$$
tmp=$(mktemp -d)
db=$tmp/progress.db
fails=0
cleanup() {
	for x in ${used:-}; do
		tmux -L "nsles$$$x" -f /dev/null kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# start W H ARGS...: a fresh tmux server running netsplit ARGS.
start() {
	w=$1
	h=$2
	shift 2
	next=${sessions%% *}
	sessions=${sessions#* }
	used="${used:-} $next"
	sock=nsles$$$next
	cat >"$tmp/run.sh" <<EOF
LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE= HOME=$tmp XDG_STATE_HOME=$tmp/state "$bin" $*
echo EXIT=\$?
sleep 60
EOF
	T new-session -d -s ns -x "$w" -y "$h" "sh $tmp/run.sh"
}

# ---- a lesson: first step, show me, done, next step ---------------------------
start 80 24 --db "$db"
check "home: the menu comes up" wait_for 'Lessons' 5
check "home: no Continue before any lesson" sh -c "! tmux -L $sock capture-pane -p -t ns | grep -q Continue"
check "home: Recordings entry" wait_for 'Recordings' 2
T send-keys -t ns l
check "lesson list: every lesson, the next one marked" wait_for 'Welcome.*next' 5
check "lesson list: progress and prerequisites" wait_for '0/[0-9]+ steps .*after:' 2
T send-keys -t ns Enter
check "lesson: the pane shows step 1" wait_for 'Step 1/4' 5
check "lesson: the step's text, wrapped" wait_for '│ This cluster has a single node' 2
check "lesson: the goal's status" wait_for 'Goal not reached yet' 2
check "lesson: the key bar" wait_for 'S show me' 2
check "lesson: the step opens paused" wait_for 'paused *space to start' 2
t0=$(status_time)
check "lesson: time waits for space" sh -c "sleep 1; tmux -L $sock capture-pane -p -t ns | head -1 | grep -q 't=$t0'"
check "lesson: at the lesson's speed" sh -c "tmux -L $sock capture-pane -p -t ns | head -1 | grep -q ' 1\.0x '"
T send-keys -t ns H
check "lesson: a hint in the pane" wait_for 'Hint 1: ' 3
T send-keys -t ns K
check "lesson: K shows the glossary" wait_for 'Glossary' 3
T send-keys -t ns K
check "lesson: K again, the step" wait_for 'Step 1/4' 3
T send-keys -t ns S
check "lesson: show me opens paused after the set-up" wait_for 'show me: from the set-up' 3
check "lesson: show me waits for space" sh -c "sleep 0.5; ! tmux -L $sock capture-pane -p -t ns | grep -q 'Goal reached'"
T send-keys -t ns Space
check "lesson: show me reaches the goal" wait_for 'Goal reached' 5
check "lesson: and holds the moment" sh -c "tmux -L $sock capture-pane -p -t ns | grep -q 'the first instant the goal holds'"
check "lesson: paused on it" sh -c "tmux -L $sock capture-pane -p -t ns | head -1 | grep -q 'paused'"
check "lesson: no auto-advance" sh -c "sleep 3; tmux -L $sock capture-pane -p -t ns | grep -q 'Step 1/4'"
T send-keys -t ns n
check "lesson: n opens the next step" wait_for 'Step 2/4' 3
check "lesson: it opens paused too" wait_for 'space to start' 2
T send-keys -t ns N
check "lesson: N goes back a step" wait_for 'Step 1/4' 3
check "lesson: back, paused" wait_for 'space to start' 2
T send-keys -t ns n
check "lesson: and forward again" wait_for 'Step 2/4' 3
cp "$tmp/run.sh" "$tmp/run1.sh"
T send-keys -t ns q
check "lesson: q quits with status 0" wait_for 'EXIT=0' 5

check "netsplit lessons counts the step" sh -c "'$bin' lessons --db '$db' | grep -q '1 of 4 steps done'"
check "netsplit lessons sums up the course" sh -c "'$bin' lessons --db '$db' | grep -Eq '^Course: 0 of [0-9]+ lessons complete; 1 of [0-9]+ steps done'"

# ---- continue resumes at the saved step ---------------------------------------------
start 80 24 --db "$db"
check "home: Continue names the saved step" wait_for 'step 2/4' 5
T send-keys -t ns Enter
check "continue: resumes at step 2" wait_for 'Step 2/4' 5
check "continue: the step's set-up ran (one node)" wait_for '1 node' 2
T send-keys -t ns l
check "l: the node's details instead of the lesson" sh -c "sleep 0.3; ! tmux -L $sock capture-pane -p -t ns | grep -q 'Step 2/4'"
T send-keys -t ns l
check "l again: the lesson" wait_for 'Step 2/4' 3
T send-keys -t ns q
check "continue: q quits" wait_for 'EXIT=0' 5

# ---- record with R ------------------------------------------------------------------------
start 80 24 sandbox raft 5 --seed 7 --db "$db"
check "sandbox comes up" wait_for 'n[0-9] Leader' 10
T send-keys -t ns R
check "R asks for a title" wait_for 'title of the recording' 3
T send-keys -t ns -l "e2e crash"
T send-keys -t ns Enter
check "REC on the status line" wait_for 'REC *$' 3
sleep 0.5
T send-keys -t ns 2 c
check "the crash is shown" wait_for 'n2 ✗ down' 3
sleep 1
T send-keys -t ns R
check "R again saves it" wait_for 'recording 1 saved' 3
check "REC gone" sh -c "! tmux -L $sock capture-pane -p -t ns | head -1 | grep -q REC"
T send-keys -t ns +
check "+: faster" wait_for ' 2\.0x ' 3
T send-keys -t ns q
check "sandbox: q quits" wait_for 'EXIT=0' 5
check "netsplit recordings lists it" sh -c "'$bin' recordings --db '$db' | grep -q 'e2e crash'"

check "replay of no such recording: exit 2, said" sh -c "'$bin' replay 99 --db '$db' 2>&1 >/dev/null | grep -q 'no recording'; [ \$? -eq 0 ] && ! '$bin' replay 99 --db '$db' 2>/dev/null"

# ---- replay: play, seek exactly, take over -----------------------------------------------
start 80 24 replay 1 --db "$db"
check "replay: the progress bar" wait_for 'replay 1: e2e crash.*[0-9]s' 5
check "the speed was kept (a setting)" wait_for ' 2\.0x ' 2
check "replay: plays to the end" wait_for 'end of the recording' 10
check "replay: the crash replayed" wait_for 'n2 ✗ down' 2
T send-keys -t ns G
check "G asks for a time" wait_for 'go to time' 3
T send-keys -t ns -l "0.5s"
T send-keys -t ns Enter
check "seek back: the time" wait_for 't=0\.500s' 3
check "seek back: before the crash n2 is up" sh -c "! tmux -L $sock capture-pane -p -t ns | grep -q 'n2 ✗ down'"
T send-keys -t ns ']'
check "] seeks forward" sh -c "sleep 0.3; t=\$(tmux -L $sock capture-pane -p -t ns | head -1 | sed -n 's/.*t=\([0-9.]*\)s.*/\1/p'); [ \"\$t\" != 0.500 ]"
T send-keys -t ns G
T send-keys -t ns -l "100s"
T send-keys -t ns Enter
check "seek to the end: n2 down again" wait_for 'n2 ✗ down' 3
end_t=$(status_time)
# A click on the progress bar (row 18 at 80x24) seeks to the time under it.
bar_x=$(screen | perl -CSA -ne 'if ($. == 19 && /[━─]{4}/) { print $-[0] + 2; exit }')
click "${bar_x:-40}" 18
check "a click on the bar seeks back" sh -c "sleep 0.3; t=\$(tmux -L $sock capture-pane -p -t ns | head -1 | sed -n 's/.*t=\([0-9.]*\)s.*/\1/p'); [ \"\$t\" != '$end_t' ]"
T send-keys -t ns c
check "before take-over, keys do not act" wait_for 'T takes over' 3
T send-keys -t ns T
check "take over" wait_for 'taken over' 3
T send-keys -t ns 2 c
check "after take-over, c acts on n2" wait_for ':(crash|restart) n2' 3
T send-keys -t ns q
check "replay: q quits" wait_for 'EXIT=0' 5

# ---- the home screen's recordings ----------------------------------------------------------
start 100 30 --db "$db"
check "home at 100x30" wait_for 'Recordings' 5
T send-keys -t ns r
check "recordings list" wait_for '1  e2e crash' 3
T send-keys -t ns Enter
check "opens the replay" wait_for 'replay 1: e2e crash' 5
T send-keys -t ns q
check "q quits" wait_for 'EXIT=0' 5

# ---- L from a sandbox: the lesson list, then the menu ----------------------------------------
start 80 24 sandbox raft 3 --db "$db"
check "L: sandbox comes up" wait_for 'n[0-9] Leader' 10
T send-keys -t ns L
check "L: the lesson list" wait_for 'Welcome.*next' 5
check "L: the lesson's progress is kept" wait_for '1/4 steps' 2
T send-keys -t ns Escape
check "esc: the menu, with Continue" wait_for 'Continue' 3
T send-keys -t ns q
check "L: q quits" wait_for 'EXIT=0' 5 || { screen | tail -25 >&2; false; }

# ---- long commands run in slices, and a recording of them replays exactly ---------------
# `run`, `run until` and `step N` typed at the prompt run in slices between
# frames; what the recorder keeps must give the very same run: the replay
# ends with the same message counts on n1 as the live screen had.
sdb=$tmp/sliced.db
start 100 30 sandbox raft 5 --seed 11 --db "$sdb"
check "sliced: sandbox comes up" wait_for 'n[0-9] Leader' 10
T send-keys -t ns ' '
check "sliced: paused" wait_for 'paused' 3
T send-keys -t ns R
check "sliced: R asks for a title" wait_for 'title of the recording' 3
T send-keys -t ns -l "sliced"
T send-keys -t ns Enter
check "sliced: recording" wait_for 'REC *$' 3
cmd 'run 300s'
check "sliced: run 300s done" wait_for '^ :run 300s$' 20
T send-keys -t ns . . .
cmd 'run until no leader timeout 2s'
check "sliced: run until, still false" wait_for 'still false after 2s' 10
cmd 'step 30000'
check "sliced: step 30000 done" wait_for '^ :step 30000$' 20
cmd 'crash n1'
cmd 'run until leader timeout 100s'
check "sliced: run until leader held" wait_for 'run until leader: held at' 10
cmd 'restart n1'
cmd 'run 100s'
check "sliced: run 100s done" wait_for '^ :run 100s$' 20
live=$(screen | grep -Eo 'sent [0-9]+' | head -1)
live_t=$(status_time)
check "sliced: n1's counts shown ($live at $live_t)" test -n "$live"
T send-keys -t ns R
check "sliced: saved" wait_for 'recording 1 saved' 3
T send-keys -t ns q
check "sliced: q quits" wait_for 'EXIT=0' 5
start 100 30 replay 1 --db "$sdb"
check "sliced replay: comes up" wait_for 'replay 1: sliced' 5
T send-keys -t ns G
check "sliced replay: G asks for a time" wait_for 'go to time' 3
T send-keys -t ns -l "100000s"
T send-keys -t ns Enter
check "sliced replay: at the end" wait_for "t=$live_t" 20
check "sliced replay: the same counts on n1 ($live)" wait_for "${live:-no count} " 5
T send-keys -t ns q
check "sliced replay: q quits" wait_for 'EXIT=0' 5

# ---- the lesson's speed, not the sandbox's; B retakes from step 1 -------------------------------
start 80 24 --db "$db"
check "home again: Continue" wait_for 'Continue' 5
T send-keys -t ns Enter
check "continue: the step" wait_for 'Step [0-9]/4' 5
check "continue: the lesson's speed (1x), not the sandbox's 2x" sh -c "tmux -L $sock capture-pane -p -t ns | head -1 | grep -q ' 1\.0x '"
T send-keys -t ns B
check "B: the lesson again from step 1" wait_for 'Step 1/4' 3
T send-keys -t ns q
check "B: q quits" wait_for 'EXIT=0' 5
start 80 24 sandbox raft 3 --db "$db"
check "the sandbox keeps its own speed" wait_for ' 2\.0x ' 5
T send-keys -t ns q
check "sandbox: q quits again" wait_for 'EXIT=0' 5

# ---- Figure 8 by hand, at 1x: the step waits while read, time stops at the moment -------------
# pause: let the screen take a command before the next key (slow builds).
pause() { sleep "$(echo "0.3 * ${NETSPLIT_E2E_SCALE:-1}" | bc 2>/dev/null || echo 1)"; }
start 100 30 --db "$tmp/f8.db"
check "f8: home" wait_for 'Lessons' 5
T send-keys -t ns l
check "f8: the list" wait_for 'Raft: replicating the log' 5
# Down until the cursor is on it (the list grows as lessons are added).
choose() {
	n=0
	while [ $n -lt 30 ] && ! screen | grep -Eq -- "^> .*$1"; do
		T send-keys -t ns Down
		sleep 0.1
		n=$((n + 1))
	done
	screen | grep -Eq -- "^> .*$1"
}
check "f8: the cursor on it" choose 'Raft: replicating the log'
T send-keys -t ns Enter
check "f8: the lesson opens" wait_for 'Raft: replicating the log' 5
check "f8: at step 1" wait_for 'Step 1/5' 5
T send-keys -t ns n
check "f8: step 2" wait_for 'Step 2/5' 3
T send-keys -t ns n
check "f8: step 3" wait_for 'Step 3/5' 3
T send-keys -t ns n
check "f8: step 4, paused" wait_for 'Step 4/5' 3
t0=$(status_time)
check "f8: nothing happens while it is read" sh -c "sleep 2; tmux -L $sock capture-pane -p -t ns | head -1 | grep -q 't=$t0'"
T send-keys -t ns :
T send-keys -t ns -l "restart n5 n3 n4"
T send-keys -t ns Enter
pause
T send-keys -t ns Space
check "f8: by hand, time stops at the moment" wait_for 'step 4 done at' 8
check "f8: paused there" sh -c "tmux -L $sock capture-pane -p -t ns | head -1 | grep -q paused"
check "f8: n5 leads, nothing committed at 3" sh -c "tmux -L $sock capture-pane -p -t ns | grep -q 'n5 Leader'"
T send-keys -t ns n
check "f8: step 5 opens when asked" wait_for 'Step 5/5' 3
T send-keys -t ns :
T send-keys -t ns -l "heal"
T send-keys -t ns Enter
pause
T send-keys -t ns :
T send-keys -t ns -l "restart n2"
T send-keys -t ns Enter
pause
T send-keys -t ns Space
check "f8: step 5 by hand" wait_for 'step 5 done at' 10
# Steps 1-3 were skipped with n, not done: the quiz's opening says so.
T send-keys -t ns n
check "f8: the quiz counts the steps done, not the steps passed" \
	wait_for '2 of 5 steps done \(N goes back one\); now the quiz' 5
T send-keys -t ns q
check "f8: q quits" wait_for 'EXIT=0' 5

# ---- the final exam ends on the course summary ----------------------------------------------------
start 100 40 --db "$tmp/exam.db"
check "exam: the menu" wait_for 'Lessons' 5
T send-keys -t ns l
check "exam: the list" wait_for 'Welcome.*next' 5
T send-keys -t ns Up
check "exam: last in the list" wait_for '> .*Final exam' 5
T send-keys -t ns Enter
check "exam: a live task first" wait_for 'Step 1/2 · Two leaders, one history' 5
T send-keys -t ns n
check "exam: the second task" wait_for 'Step 2/2' 5
T send-keys -t ns n
check "exam: then the questions" wait_for 'Quiz 1/10' 5
i=0
while [ $i -lt 10 ]; do
	T send-keys -t ns 1
	sleep 0.2
	T send-keys -t ns Enter
	sleep 0.2
	i=$((i + 1))
done
check "exam: the score" wait_for 'Quiz done: [0-9]+ of 10 right' 5
check "exam: the course so far" wait_for 'The course so far: 0 of [0-9]+ lessons' 5
check "exam: steps, hints, quizzes summed" wait_for '0 of [0-9]+ steps done, 0 hints, 0' 5
T send-keys -t ns q
check "exam: q quits" wait_for 'EXIT=0' 5

# ---- a damaged database ------------------------------------------------------------------------
i=0
while [ $i -lt 50 ]; do echo "this is not a database"; i=$((i + 1)); done >"$tmp/bad.db"
start 80 24 --db "$tmp/bad.db"
check "damaged database: said on the home screen" wait_for 'was damaged' 5
check "damaged database: moved aside" sh -c "ls '$tmp' | grep -q 'bad.db.corrupt-'"
T send-keys -t ns q
check "damaged database: q quits" wait_for 'EXIT=0' 5

e2e_done

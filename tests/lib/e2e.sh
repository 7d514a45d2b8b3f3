# tests/lib/e2e.sh — what the tmux end-to-end scripts share (sourced by
# tests/e2e_*.sh; POSIX sh).
#
# A script sets `sock` (the tmux socket of its private server) and `fails=0`,
# sources this file, and then drives the real binary in tmux: T runs tmux
# on that socket, screen prints the pane, wait_for / wait_gone poll it for a
# regular expression, check runs one named check and counts failures, click
# sends a mouse click, e2e_done ends the script with the right status.
#
# A test that cannot run here (no tmux, a protocol not compiled in) calls
# e2e_skip: it exits 77, which tests/CMakeLists.txt declares as CTest's
# SKIP_RETURN_CODE, so it is reported as skipped, never as passed.
#
# Waiting is by polling with a timeout, never by long fixed sleeps;
# NETSPLIT_E2E_SCALE multiplies every timeout (slow sanitizer builds).

# e2e_skip WHY: this test cannot run here.
e2e_skip() {
	echo "${e2e_name:-e2e}: skipped: $1"
	exit 77
}

# e2e_need TOOL...: skips unless every tool is installed.
e2e_need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || e2e_skip "$tool is needed to drive the screen"
	done
}

# e2e_private PREFIX: a tmux socket of this script's own (PREFIX and the
# pid) in $sock, a fresh temporary directory in $tmp, no failures yet, and
# traps that kill the tmux server and remove $tmp however the script ends.
e2e_private() {
	sock=$1$$
	tmp=$(mktemp -d)
	fails=0
	trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
	trap "exit 1" INT TERM
}

T() { tmux -L "$sock" -f /dev/null "$@"; }

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

# check NAME COMMAND...: runs COMMAND; on failure prints the screen.
check() {
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

# click X Y: a left click at column X, row Y (0-based), as an xterm sends
# it (X10 encoding, which the pane's TERM=screen announces).
click() {
	cx=$(printf "\\$(printf %o $(($1 + 33)))")
	cy=$(printf "\\$(printf %o $(($2 + 33)))")
	T send-keys -t ns -l "$(printf '\033[M ')$cx$cy"
	T send-keys -t ns -l "$(printf '\033[M#')$cx$cy"
}

# cmd TEXT: opens the `:` prompt, waits until it is open (an empty prompt
# line), types TEXT and Enter, and waits until the prompt has closed.
cmd() {
	T send-keys -t ns ':'
	wait_for '^:$' 10 || echo "${e2e_name:-e2e}: the prompt did not open for: $1"
	T send-keys -t ns -l "$1"
	T send-keys -t ns Enter
	wait_gone '^:' 10
}

status_time() { screen | head -1 | sed -n 's/.*t=\([0-9.]*\)s.*/\1/p'; }

# e2e_done: the script's exit status from the count of failed checks.
e2e_done() {
	if [ "$fails" -ne 0 ]; then
		echo "${e2e_name:-e2e}: $fails check(s) failed"
		exit 1
	fi
	echo "${e2e_name:-e2e}: all checks passed"
	exit 0
}

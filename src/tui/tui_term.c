/*
 * tui_term.c — owning the terminal: curses set-up and teardown, the style
 * roles mapped to colours and attributes (through the theme), stderr
 * redirected while curses runs, and signals.
 *
 * Signals. SIGINT, SIGTERM and SIGHUP only set a flag; the event loop sees
 * it (poll() returns EINTR), leaves, and restores the terminal in the normal
 * way. If the loop has not seen it within QUIT_GRACE seconds (stuck in one
 * long computation), an alarm ends the program from the handler, and so
 * does a second quit signal before the loop saw the first: the terminal
 * restored (endwin(), as for a crash), exit status 128 + the signal. A
 * crash (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL) runs a handler
 * that calls endwin() — not async-signal-safe, but the process is dying and
 * a restored terminal is worth the risk — puts stderr back so the crash
 * report is seen, and re-raises the signal to whoever handled it before
 * (the default action, or a sanitizer that prints its report).
 *
 * Styles. The roles' colours and attributes come from the colour theme
 * (tui_theme.c, assets/themes/NAME.theme); the default follows Okabe and Ito's
 * palette for colour-blind readers. With NO_COLOR set (https://no-color.org)
 * only the theme's [mono] attributes are used; roles stay written out.
 */
#include "tui/tui_internal.h"

#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <term.h>
#include <unistd.h>

static volatile sig_atomic_t pending_sig;
static volatile sig_atomic_t curses_on;
static volatile sig_atomic_t crash_stderr = -1;

static const int crash_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
static struct sigaction crash_old[ARRAY_LEN(crash_sigs)];

static int sig_slot(int sig)
{
	for (size_t i = 0; i < ARRAY_LEN(crash_sigs); i++)
		if (crash_sigs[i] == sig)
			return (int)i;
	return 0;
}

#define QUIT_GRACE 2 /* seconds the loop has to see a quit signal */

/* The screen did not end in time: restore the terminal and go. */
static void quit_now(int sig)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	_exit(128 + sig);
}

static void on_alarm(int sig)
{
	(void)sig;
	quit_now(pending_sig ? pending_sig : SIGALRM);
}

static void on_quit_signal(int sig)
{
	if (pending_sig)
		quit_now(pending_sig); /* a second one: the user means it */
	pending_sig = sig;
	alarm(QUIT_GRACE);
}

static void on_crash_signal(int sig)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	if (crash_stderr >= 0)
		dup2(crash_stderr, 2);
	/* Whoever handled it before (the default, or a sanitizer that prints
	 * a report) handles it now. */
	sigaction(sig, &crash_old[sig_slot(sig)], NULL);
	raise(sig);
}

int tui_term_pending_signal(void)
{
	return pending_sig;
}

void tui_term_signal_handled(void)
{
	alarm(0);
	pending_sig = 0;
}

void tui_term_signal_seen(void)
{
	alarm(0);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < ARRAY_LEN(crash_sigs); i++)
		sigaction(crash_sigs[i], &sa, &crash_old[i]);
}

static void restore_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGALRM};
	alarm(0);
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		signal(sigs[i], SIG_DFL);
	for (size_t i = 0; i < ARRAY_LEN(crash_sigs); i++)
		sigaction(crash_sigs[i], &crash_old[i], NULL);
}

/* Where stderr goes while curses runs: $XDG_STATE_HOME/netsplit/netsplit.log
 * (or ~/.local/state/...), else /dev/null. */
static int open_log(void)
{
	char dir[1024];
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		ns_snprintf(dir, sizeof dir, "%s/netsplit", xdg);
	else if (home && *home)
		ns_snprintf(dir, sizeof dir, "%s/.local/state/netsplit", home);
	else
		dir[0] = '\0';
	if (dir[0]) {
		/* mkdir -p */
		for (char *p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
		mkdir(dir, 0700);
		char path[1100];
		ns_snprintf(path, sizeof path, "%s/netsplit.log", dir);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
	}
	return open("/dev/null", O_WRONLY | O_CLOEXEC);
}

bool tui_term_open(struct tui_term *t)
{
	memset(t, 0, sizeof *t);
	t->saved_stderr = -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s\n",
			_("netsplit: the screen needs a terminal (try `netsplit run FILE.ns`)"));
		return false;
	}
	const char *term = getenv("TERM");
	if (!term || !*term || !strcmp(term, "dumb")) {
		fprintf(stderr, "%s\n",
			_("netsplit: TERM is not set to a terminal that curses can drive"));
		return false;
	}
	/* initscr() on a terminal type terminfo does not know prints its
	 * error to stderr — the log file, by then — and exits: ask first,
	 * while stderr is still the user's. */
	int terr = 0;
	TERMINAL *prev = cur_term; /* a screen opened before (the home screen's) */
	int ok = setupterm(term, STDOUT_FILENO, &terr);
	TERMINAL *probe = cur_term != prev ? cur_term : NULL;
	set_curterm(prev);
	if (probe)
		del_curterm(probe);
	if (ok != OK) {
		if (terr == 0)
			fprintf(
			    stderr,
			    _("netsplit: the terminal type TERM=\"%s\" is not in the terminfo "
			      "database.\nSet TERM to one it knows (for example "
			      "TERM=xterm-256color) or install its entry (on Debian and Ubuntu: "
			      "the ncurses-term package).\n"),
			    term);
		else
			fprintf(
			    stderr,
			    _("netsplit: no terminfo database was found for TERM=\"%s\".\nInstall "
			      "one (on Debian and Ubuntu: ncurses-base), or point TERMINFO at "
			      "it.\n"),
			    term);
		return false;
	}
	t->unicode = !strcmp(nl_langinfo(CODESET), "UTF-8");
	fflush(stderr);
	t->saved_stderr = dup(STDERR_FILENO);
	int log = open_log();
	if (log >= 0) {
		dup2(log, STDERR_FILENO);
		close(log);
	}
	crash_stderr = t->saved_stderr;
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	if (!initscr()) {
		tui_term_close(t);
		fprintf(stderr, "%s\n", _("netsplit: cannot initialise the terminal"));
		return false;
	}
	t->active = true;
	curses_on = 1;
	pending_sig = 0;
	install_signals();
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	curs_set(0);
	/* No checks for typeahead during an update: curses would flush its
	 * output and poll the terminal every few lines. */
	typeahead(-1);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	mouseinterval(0);
	const char *nc = getenv("NO_COLOR");
	tui_term_styles(t, !(nc && *nc));
	return true;
}

void tui_term_close(struct tui_term *t)
{
	if (t->active) {
		curs_set(1);
		endwin();
		t->active = false;
		curses_on = 0;
	}
	restore_signals();
	if (t->saved_stderr >= 0) {
		fflush(stderr);
		dup2(t->saved_stderr, STDERR_FILENO);
		close(t->saved_stderr);
		t->saved_stderr = -1;
		crash_stderr = -1;
	}
}

void tui_term_styles(struct tui_term *t, bool want_color)
{
	t->color = want_color && has_colors() && start_color() == OK;
	if (t->color)
		use_default_colors();
	tui_theme_styles(t->attr, t->color);
}

void tui_term_present(const struct tui_term *t, attr_t *out)
{
	for (int i = 0; i < SS_COUNT; i++)
		out[i] = t->attr[i] & ~(attr_t)A_DIM;
	out[SS_DIM] = A_NORMAL;
	out[SS_FOLLOWER] = A_BOLD;
	out[SS_FRAME] = A_BOLD;
	out[SS_DOWN] = A_BOLD | (t->attr[SS_CUT] & A_COLOR);
	out[SS_TIMER] |= A_BOLD;
	out[SS_TIMER_NEXT] |= A_BOLD;
	out[SS_MSG] |= A_BOLD;
	out[SS_REPLY] |= A_BOLD;
}

/*
 * tui_term.c — owning the terminal: curses set-up and teardown, the style
 * roles mapped to colours and attributes (in this one place), stderr
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
 * Palette. Colours follow Okabe and Ito's palette for colour-blind readers
 * (orange, sky blue, bluish green, yellow, blue, vermillion, reddish
 * purple), in the 256-colour cube when the terminal has it, else the eight
 * basic colours. With NO_COLOR set (https://no-color.org) only attributes
 * are used: bold, underline, reverse and dim; roles stay written out.
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

/* Okabe-Ito colours: index in the 256-colour cube, and the nearest of the
 * eight basic colours. */
enum { OI_ORANGE, OI_SKY, OI_GREEN, OI_YELLOW, OI_BLUE, OI_VERMILLION, OI_PURPLE, OI_COUNT };
static const short oi_256[OI_COUNT] = {214, 74, 36, 228, 26, 166, 175};
static const short oi_8[OI_COUNT] = {COLOR_YELLOW, COLOR_CYAN, COLOR_GREEN,  COLOR_YELLOW,
				     COLOR_BLUE,   COLOR_RED,  COLOR_MAGENTA};

void tui_term_styles(struct tui_term *t, bool want_color)
{
	attr_t *a = t->attr;
	memset(t->attr, 0, sizeof t->attr);
	/* Attributes carry meaning with or without colour. */
	a[SS_DIM] = A_DIM;
	a[SS_BAR] = A_REVERSE;
	a[SS_KEY] = A_BOLD | A_REVERSE;
	a[SS_TITLE] = A_BOLD;
	a[SS_LEADER] = A_BOLD;
	a[SS_CANDIDATE] = A_UNDERLINE;
	a[SS_DOWN] = A_DIM;
	a[SS_SELECT] = A_BOLD;
	a[SS_CUT] = A_BOLD;
	a[SS_ONEWAY] = A_BOLD;
	a[SS_DEGRADED] = A_UNDERLINE;
	a[SS_MSG] = A_BOLD;
	a[SS_DROP] = A_BOLD;
	a[SS_ERROR] = A_BOLD | A_REVERSE;
	a[SS_OK] = A_BOLD;
	a[SS_REC] = A_BOLD | A_REVERSE;
	a[SS_TIMER_NEXT] = A_BOLD;
	a[SS_MSG_SEL] = A_BOLD | A_REVERSE;
	t->color = want_color && has_colors() && start_color() == OK;
	if (!t->color)
		return;
	use_default_colors();
	bool rich = COLORS >= 256;
	for (short i = 0; i < OI_COUNT; i++)
		init_pair((short)(i + 1), rich ? oi_256[i] : oi_8[i], -1);
	init_pair(OI_COUNT + 1, COLOR_BLACK, rich ? oi_256[OI_SKY] : COLOR_CYAN); /* status bar */
#define P(c) COLOR_PAIR((c) + 1)
	a[SS_BAR] = COLOR_PAIR(OI_COUNT + 1);
	a[SS_KEY] = A_BOLD | P(OI_SKY) | A_REVERSE;
	a[SS_LEADER] |= P(OI_ORANGE);
	a[SS_CANDIDATE] |= P(OI_YELLOW);
	a[SS_FOLLOWER] = P(OI_SKY);
	a[SS_ROLE] = P(OI_PURPLE);
	a[SS_SELECT] |= P(OI_ORANGE);
	a[SS_CUT] |= P(OI_VERMILLION);
	a[SS_ONEWAY] |= P(OI_YELLOW);
	a[SS_DEGRADED] |= P(OI_PURPLE);
	a[SS_MSG] |= P(OI_GREEN);
	a[SS_REPLY] = P(OI_SKY);
	a[SS_DROP] |= P(OI_VERMILLION);
	static const int term_colour[SCENE_TERM_COLOURS] = {OI_ORANGE, OI_SKY,  OI_GREEN,
							    OI_YELLOW, OI_BLUE, OI_PURPLE};
	for (int i = 0; i < SCENE_TERM_COLOURS; i++)
		a[SS_TERM0 + i] = P(term_colour[i]);
	a[SS_ERROR] = A_BOLD | P(OI_VERMILLION);
	a[SS_OK] = P(OI_GREEN);
	a[SS_REC] = A_BOLD | P(OI_VERMILLION);
	a[SS_TIMER] = P(OI_SKY);
	a[SS_TIMER_NEXT] |= P(OI_YELLOW);
	a[SS_MSG_SEL] = A_BOLD | A_REVERSE | P(OI_GREEN);
#undef P
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

/*
 * tui_prompt.c — the `:` command line: GNU readline inside curses, by the
 * callback technique (ulfalizer's rlncurses): curses owns the terminal;
 * readline never touches it (no prep/deprep, no signals, no SIGWINCH, no
 * environment). The screen reads bytes from a one-line window with keypad
 * off, so that escape sequences reach readline whole, and hands them over
 * one at a time through rl_getc_function; readline's redisplay hook draws
 * the prompt and the line into that window and puts the cursor where
 * rl_point is, by display width. Completion candidates come from the
 * command language (script_complete) and are listed by the screen above the
 * prompt (readline's own listing would scribble on the screen).
 *
 * History lives in $XDG_STATE_HOME/netsplit/history (or
 * ~/.local/state/netsplit/history), loaded at start and written after each
 * line; a failure to write it is silent.
 *
 * Readline is global state, so there is one prompt per process.
 */
#include "tui/tui_internal.h"

#include "util/i18n.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tui_prompt {
	struct world **w;
	void (*on_line)(void *ctx, const char *line);
	void *ctx;
	WINDOW *win;
	int y, width;
	bool active;
	unsigned char input;
	bool input_avail;
	char history[1024];
	struct sbuf matches; /* the last completion listing */
	/* candidates collected from script_complete for the generator */
	char **cands;
	size_t ncands, capcands, next;
	FILE *devnull;
	mmask_t mouse; /* the mouse events wanted when the prompt is closed */
	/* a question (tui_prompt_ask): its answer goes here, not to on_line */
	void (*ask)(void *ctx, const char *answer);
	void *ask_ctx;
	/* the screen's own completions (`glossary TERM`), before the language's */
	tui_prompt_completer extra;
	void *extra_ctx;
};

/* Hands a finished line (NULL: cancelled) to whoever waits for it. */
static void deliver(struct tui_prompt *p, const char *line)
{
	if (p->ask) {
		void (*cb)(void *, const char *) = p->ask;
		p->ask = NULL;
		cb(p->ask_ctx, line);
		return;
	}
	p->on_line(p->ctx, line);
}

static struct tui_prompt *the_prompt;

static int rl_getc_hook(FILE *f)
{
	(void)f;
	the_prompt->input_avail = false;
	return the_prompt->input;
}

static int rl_avail_hook(void)
{
	return the_prompt->input_avail;
}

/* Display columns of the first n bytes of s. */
static int cols(const char *s, size_t n)
{
	char buf[1024];
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return scene_width(buf);
}

static void redisplay(void)
{
	struct tui_prompt *p = the_prompt;
	if (!p || !p->win)
		return;
	const char *prompt = rl_display_prompt ? rl_display_prompt : "";
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	int pw = scene_width(prompt);
	int cur = pw + cols(line, (size_t)rl_point);
	/* Scroll the line horizontally so the cursor stays visible. */
	int skip = cur >= p->width - 1 ? cur - (p->width - 2) : 0;
	werase(p->win);
	wmove(p->win, 0, 0);
	if (!skip) {
		waddstr(p->win, prompt);
		waddnstr(p->win, line, (int)scene_fit(line, p->width - pw - 1, NULL));
	} else {
		/* Skip `skip - pw` columns of the line. */
		int used;
		size_t off = scene_fit(line, skip - pw, &used);
		waddstr(p->win, "<");
		waddnstr(p->win, line + off, (int)scene_fit(line + off, p->width - 2, NULL));
		cur = 1 + cur - pw - used;
	}
	wmove(p->win, 0, MIN(cur, p->width - 1));
	wnoutrefresh(p->win);
}

/* Closes the prompt: readline lets go, the cursor hides, the mouse
 * comes back (while the prompt is open its escape sequences would reach
 * readline as keystrokes, so it is off). */
static void close_prompt(struct tui_prompt *p)
{
	rl_callback_handler_remove();
	p->active = false;
	sbuf_clear(&p->matches);
	curs_set(0);
	mousemask(p->mouse, NULL);
}

static void got_line(char *line)
{
	struct tui_prompt *p = the_prompt;
	close_prompt(p);
	if (line && *line && !p->ask) {
		add_history(line);
		if (p->history[0]) {
			write_history(p->history);
			history_truncate_file(p->history, 1000);
		}
	}
	deliver(p, line);
	free(line);
}

/* ---- completion ---------------------------------------------------------------- */

static void collect(void *ctx, const char *cand)
{
	struct tui_prompt *p = ctx;
	xgrow((void **)&p->cands, &p->capcands, p->ncands + 1, sizeof *p->cands);
	p->cands[p->ncands++] = xstrdup(cand);
}

static char *generator(const char *text, int state)
{
	struct tui_prompt *p = the_prompt;
	(void)text;
	if (!state)
		p->next = 0;
	if (p->next < p->ncands)
		return xstrdup(p->cands[p->next++]);
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	struct tui_prompt *p = the_prompt;
	(void)start;
	rl_attempted_completion_over = 1;
	for (size_t i = 0; i < p->ncands; i++)
		free(p->cands[i]);
	p->ncands = 0;
	if (!p->extra || !p->extra(p->extra_ctx, rl_line_buffer, end, collect, p))
		script_complete(*p->w, rl_line_buffer, end, collect, p);
	/* An option value is completed as key=value: keep no space after '='. */
	if (p->ncands && p->cands[0][strlen(p->cands[0]) - 1] == '=')
		rl_completion_suppress_append = 1;
	return rl_completion_matches(text, generator);
}

static void show_matches(char **matches, int num, int max_len)
{
	struct tui_prompt *p = the_prompt;
	(void)max_len;
	sbuf_clear(&p->matches);
	for (int i = 1; i <= num; i++) {
		if (i > 1)
			sbuf_puts(&p->matches, "\n");
		sbuf_puts(&p->matches, matches[i]);
	}
}

/* ---- the interface --------------------------------------------------------------- */

static void history_path(char *buf, size_t n)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[900];
	buf[0] = '\0';
	if (xdg && *xdg)
		ns_snprintf(dir, sizeof dir, "%s/netsplit", xdg);
	else if (home && *home)
		ns_snprintf(dir, sizeof dir, "%s/.local/state/netsplit", home);
	else
		return;
	for (char *q = dir + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(dir, 0700);
		*q = '/';
	}
	mkdir(dir, 0700);
	ns_snprintf(buf, n, "%s/history", dir);
}

struct tui_prompt *tui_prompt_new(struct world **w, void (*on_line)(void *ctx, const char *line),
				  void *ctx)
{
	struct tui_prompt *p = xcalloc(1, sizeof *p);
	p->w = w;
	p->on_line = on_line;
	p->ctx = ctx;
	the_prompt = p;
	/* Readline must leave the terminal, signals and environment to
	 * curses and the screen. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_getc_function = rl_getc_hook;
	rl_input_available_hook = rl_avail_hook;
	rl_redisplay_function = redisplay;
	p->devnull = fopen("/dev/null", "w");
	if (p->devnull)
		rl_outstream = p->devnull;
	rl_readline_name = "netsplit";
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_completion_query_items = -1;
	rl_basic_word_break_characters = " ";
	rl_variable_bind("page-completions", "off");
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("horizontal-scroll-mode", "on");
	using_history();
	history_path(p->history, sizeof p->history);
	if (p->history[0])
		read_history(p->history);
	return p;
}

void tui_prompt_free(struct tui_prompt *p)
{
	if (!p)
		return;
	if (p->active)
		rl_callback_handler_remove();
	if (p->win)
		delwin(p->win);
	for (size_t i = 0; i < p->ncands; i++)
		free(p->cands[i]);
	free(p->cands);
	sbuf_free(&p->matches);
	if (p->devnull) {
		rl_outstream = stdout;
		fclose(p->devnull);
	}
	clear_history();
	if (the_prompt == p)
		the_prompt = NULL;
	free(p);
}

void tui_prompt_resize(struct tui_prompt *p, int y, int w)
{
	p->y = y;
	p->width = MAX(2, w);
	if (p->win)
		delwin(p->win);
	p->win = newwin(1, p->width, y, 0);
	/* No keypad: readline understands escape sequences itself. */
	keypad(p->win, FALSE);
	nodelay(p->win, TRUE);
}

void tui_prompt_open(struct tui_prompt *p, int y, int w)
{
	tui_prompt_resize(p, y, w);
	p->active = true;
	sbuf_clear(&p->matches);
	curs_set(1);
	mousemask(0, &p->mouse);
	rl_callback_handler_install(":", got_line);
}

void tui_prompt_ask(struct tui_prompt *p, int y, int w, const char *question,
		    void (*cb)(void *ctx, const char *answer), void *ctx)
{
	tui_prompt_resize(p, y, w);
	p->active = true;
	p->ask = cb;
	p->ask_ctx = ctx;
	sbuf_clear(&p->matches);
	curs_set(1);
	mousemask(0, &p->mouse);
	rl_callback_handler_install(question, got_line);
}

void tui_prompt_set_completer(struct tui_prompt *p, tui_prompt_completer fn, void *ctx)
{
	p->extra = fn;
	p->extra_ctx = ctx;
}

bool tui_prompt_active(const struct tui_prompt *p)
{
	return p && p->active;
}

int tui_prompt_feed(struct tui_prompt *p, const unsigned char *bytes, int n)
{
	int i = 0;
	while (i < n && p->active) {
		/* A lone Escape (nothing after it in this read) cancels. */
		if (bytes[i] == 27 && i == n - 1) {
			close_prompt(p);
			deliver(p, NULL);
			return n;
		}
		p->input = bytes[i++];
		p->input_avail = true;
		rl_callback_read_char();
	}
	/* What follows the line's end (typed ahead) is the caller's. */
	return i;
}

void tui_prompt_draw(struct tui_prompt *p)
{
	if (p->active)
		redisplay();
}

WINDOW *tui_prompt_window(struct tui_prompt *p)
{
	return p->win;
}

const char *tui_prompt_matches(const struct tui_prompt *p)
{
	return p->matches.len ? p->matches.s : NULL;
}

/*
 * tui_home.c — the home screen (`netsplit` without a command) and its
 * lists: continue (the last lesson, at the step saved), the lessons (with
 * prerequisites, progress and the next one suggested), a sandbox, the
 * recordings, help, quit. The home screen owns the terminal and the
 * session (store, lessons) and runs each screen inside them; a screen that
 * ends with L comes back to the lesson list, q leaves netsplit.
 */
#include "tui/tui_internal.h"
#include "tui/tui_session.h"

#include "util/i18n.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct home_item {
	char label[256];
	char detail[256];
	int id;  /* what choosing it means */
	int key; /* its shortcut, or 0 */
};

struct home {
	struct tui_term term;
	struct scene sc;
	struct scene_grid grid;
	struct tui_session *ses;
	int status; /* 128 + signal once one arrived */
};

enum { PICK_BACK = -1, PICK_QUIT = -2 };

struct msg_lines {
	int n;
	char *v[16];
};

static void msg_line(void *ctx, const char *line, size_t len)
{
	struct msg_lines *m = ctx;
	if (m->n < (int)ARRAY_LEN(m->v))
		m->v[m->n++] = xstrndup(line, len);
}

/* Draws a titled list of two-line items, scrolled so the cursor shows. */
static void list_draw(struct home *h, const char *title, const struct home_item *it, int n, int cur,
		      const char *keys, const char *msg)
{
	struct scene *sc = &h->sc;
	scene_reset(sc, COLS, LINES, h->term.unicode);
	int rows = MAX(1, (LINES - 5) / 2);
	int first = cur >= rows ? cur - rows + 1 : 0;
	int shown = MIN(n - first, rows);
	int y = MAX(0, (LINES - (shown * 2 + 4)) / 2);
	scene_text(sc, MAX(0, (COLS - scene_width(title)) / 2), y, -1, SS_TITLE, title);
	int widest = 0;
	for (int i = 0; i < n; i++)
		widest =
		    MAX(widest, MAX(scene_width(it[i].label) + 2, scene_width(it[i].detail) + 4));
	int x = MAX(0, (COLS - MIN(widest, COLS)) / 2);
	for (int i = first; i < first + shown; i++) {
		char line[300];
		ns_snprintf(line, sizeof line, "%s %s", i == cur ? ">" : " ", it[i].label);
		int row = y + 2 + (i - first) * 2;
		scene_text(sc, x, row, COLS - x, i == cur ? SS_SELECT : SS_NORMAL, line);
		scene_text(sc, x + 4, row + 1, COLS - x - 4, SS_DIM, it[i].detail);
	}
	if (first + shown < n)
		scene_text(sc, x, y + 2 + shown * 2, -1, SS_DIM, h->term.unicode ? "↓ …" : "v ...");
	if (msg && *msg) {
		/* The store's message can be long (a path, what was done): up to
		 * three lines above the keys. */
		struct msg_lines ml = {0};
		tui_wrap(msg, COLS - 2, msg_line, &ml);
		int nml = MIN(ml.n, 3);
		for (int i = 0; i < nml; i++)
			scene_text(sc, 1, LINES - 1 - nml + i, COLS - 2, SS_ERROR, ml.v[i]);
		for (int i = 0; i < ml.n; i++)
			free(ml.v[i]);
	}
	scene_text(sc, MAX(0, (COLS - scene_width(keys)) / 2), LINES - 1, COLS, SS_DIM, keys);
	scene_rasterize(sc, &h->grid);
	werase(stdscr);
	tui_paint(stdscr, &h->grid, NULL, h->term.attr);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Lets the user pick an item: its index, PICK_BACK (esc, or q when
 * `q_backs`), or PICK_QUIT (q, or a signal). */
static int list_pick(struct home *h, const char *title, const struct home_item *it, int n, int cur,
		     const char *keys, const char *msg, bool q_backs)
{
	if (n <= 0)
		cur = 0;
	for (;;) {
		list_draw(h, title, it, n, cur, keys, msg);
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return PICK_QUIT;
		if (tui_term_pending_signal()) {
			h->status = 128 + tui_term_pending_signal();
			return PICK_QUIT;
		}
		nodelay(stdscr, TRUE);
		int ch;
		while ((ch = wgetch(stdscr)) != ERR) {
			if (ch == KEY_UP || ch == 'k')
				cur = n ? (cur + n - 1) % n : 0;
			else if (ch == KEY_DOWN || ch == 'j' || ch == '\t')
				cur = n ? (cur + 1) % n : 0;
			else if ((ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == ' ') && n)
				return cur;
			else if (ch == 27 || (ch == 'q' && q_backs) || ch == KEY_BACKSPACE)
				return PICK_BACK;
			else if (ch == 'q')
				return PICK_QUIT;
			else
				for (int i = 0; i < n; i++)
					if (it[i].key && it[i].key == ch)
						return i;
		}
	}
}

/* ---- the lessons ---------------------------------------------------------------------- */

/* The lesson list; returns the index of the lesson chosen, or PICK_*. */
static int lessons_pick(struct home *h)
{
	struct tui_session *s = h->ses;
	tui_session_lessons(s);
	int n = s->lessons.n;
	struct home_item *it = xcalloc((size_t)n + 1, sizeof *it);
	int suggest = -1;
	bool uni = h->term.unicode;
	for (int i = 0; i < n; i++) {
		const struct lesson *l = s->lessons.v[i];
		int done, right;
		tui_lesson_progress(s->store, l, &done, &right);
		bool complete = done >= l->nsteps;
		if (!complete && suggest < 0)
			suggest = i;
		const char *mark = complete ? (uni ? "✓" : "[x]")
				   : done   ? (uni ? "◐" : "[~]")
					    : (uni ? "○" : "[ ]");
		ns_snprintf(it[i].label, sizeof it[i].label, "%s %s%s", mark, l->title,
			    suggest == i ? (uni ? _("  ← next") : _("  <- next")) : "");
		struct sbuf d = {0};
		sbuf_printf(&d, _("%d/%d steps"), done, l->nsteps);
		if (l->nquiz)
			sbuf_printf(&d, _(" · quiz %d/%d"), right, l->nquiz);
		if (l->nrequires) {
			sbuf_puts(&d, _(" · after:"));
			for (int r = 0; r < l->nrequires; r++) {
				const struct lesson *req =
				    lesson_set_find(&s->lessons, l->requires[r]);
				sbuf_printf(&d, "%s%s", r ? ", " : " ",
					    req ? req->title : l->requires[r]);
			}
		}
		ns_strlcpy(it[i].detail, sbuf_str(&d), sizeof it[i].detail);
		sbuf_free(&d);
		it[i].id = i;
	}
	const char *msg = s->lessons_err[0] ? s->lessons_err : NULL;
	if (!n && !msg)
		msg = _("no lessons found");
	int pick = list_pick(
	    h, _("Lessons"), it, n, MAX(0, suggest),
	    _("up/down choose · enter open (where you left off) · esc back · q quit"), msg, false);
	free(it);
	return pick;
}

/* ---- the recordings --------------------------------------------------------------------- */

static int recordings_pick(struct home *h, int64_t *id)
{
	struct tui_session *s = h->ses;
	struct store_rec_summary *v = NULL;
	size_t n = 0;
	const char *msg = NULL;
	if (store_recording_list(s->store, &v, &n) < 0)
		msg = store_errmsg(s->store);
	else if (!n)
		msg = _("no recordings yet: press R on the screen to record a session");
	struct home_item *it = xcalloc(n + 1, sizeof *it);
	for (size_t i = 0; i < n; i++) {
		char when[32] = "-", dur[32] = "-";
		time_t t = (time_t)v[i].created;
		struct tm tm;
		if (v[i].created && localtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		if (v[i].duration >= 0)
			simtime_fmt(v[i].duration / SIM_MS * SIM_MS, dur, sizeof dur);
		ns_snprintf(it[i].label, sizeof it[i].label, "%lld  %s", (long long)v[i].id,
			    v[i].title);
		ns_snprintf(it[i].detail, sizeof it[i].detail, _("%s · %d nodes · %s · %s"),
			    v[i].protocol, v[i].nodes, dur, when);
	}
	int pick = list_pick(h, _("Recordings"), it, (int)n, 0,
			     _("up/down choose · enter replay · esc back · q quit"), msg, false);
	if (pick >= 0)
		*id = v[pick].id;
	free(it);
	store_rec_summaries_free(v, n);
	return pick;
}

/* ---- the menu -------------------------------------------------------------------------------- */

enum { HOME_CONTINUE, HOME_LESSONS, HOME_SANDBOX, HOME_RECORDINGS, HOME_HELP, HOME_QUIT };

static const struct {
	const char *label, *help; /* N_() */
	int id, key;
} home_entries[] = {
    {N_("Lessons"), N_("learn step by step, with a live cluster"), HOME_LESSONS, 'l'},
    {N_("Sandbox"), N_("a fresh cluster to break as you like"), HOME_SANDBOX, 's'},
    {N_("Recordings"), N_("replay a recorded session, seek, take over"), HOME_RECORDINGS, 'r'},
    {N_("Help"), N_("keys, commands and the legend"), HOME_HELP, '?'},
    {N_("Quit"), N_("leave netsplit"), HOME_QUIT, 'q'},
};

/* The menu; *lesson gets the lesson to continue (owned by the caller). */
static int menu_pick(struct home *h, char **cont)
{
	struct tui_session *s = h->ses;
	struct home_item it[8];
	int n = 0;
	char *last = NULL;
	int step = -1;
	*cont = NULL;
	tui_session_lessons(s);
	store_position_last(s->store, &last, &step);
	const struct lesson *l = last ? lesson_set_find(&s->lessons, last) : NULL;
	if (l) {
		memset(&it[n], 0, sizeof it[n]);
		ns_snprintf(it[n].label, sizeof it[n].label, "%s", _("Continue"));
		if (step < l->nsteps)
			ns_snprintf(it[n].detail, sizeof it[n].detail, _("%s, step %d/%d: %s"),
				    l->title, step + 1, l->nsteps, l->steps[step].title);
		else
			ns_snprintf(it[n].detail, sizeof it[n].detail, _("%s: the quiz"), l->title);
		it[n].id = HOME_CONTINUE;
		it[n].key = 'c';
		n++;
		*cont = xstrdup(l->id);
	}
	free(last);
	for (size_t i = 0; i < ARRAY_LEN(home_entries); i++) {
		memset(&it[n], 0, sizeof it[n]);
		ns_strlcpy(it[n].label, _(home_entries[i].label), sizeof it[n].label);
		ns_strlcpy(it[n].detail, _(home_entries[i].help), sizeof it[n].detail);
		it[n].id = home_entries[i].id;
		it[n].key = home_entries[i].key;
		n++;
	}
	const char *title = h->term.unicode
				? _("netsplit — learn distributed systems by breaking them")
				: "netsplit";
	int pick = list_pick(h, title, it, n, 0, _("up/down choose · enter open · q quit"),
			     s->store_msg, false);
	if (pick == PICK_BACK || pick == PICK_QUIT)
		return HOME_QUIT;
	return it[pick].id;
}

/* The home screen, from the menu or (lessons) from the lesson list. */
static int home_main(const struct tui_options *o, bool lessons)
{
	struct home *h = xcalloc(1, sizeof *h);
	h->term.saved_stderr = -1;
	scene_init(&h->sc);
	scene_grid_init(&h->grid);
	h->ses = tui_session_new(o);
	int status = 0;
	if (!tui_term_open(&h->term)) {
		status = 1;
		goto out;
	}
	bool menu = !lessons;
	char *cont = NULL; /* the lesson "continue" would open; freed on every path */
	for (;;) {
		struct tui_options run = *o;
		free(cont);
		cont = NULL;
		int64_t id = 0;
		int choice = menu ? menu_pick(h, &cont) : HOME_LESSONS;
		menu = true;
		if (choice == HOME_QUIT)
			break;
		if (choice == HOME_CONTINUE) {
			run.lesson = cont;
		} else if (choice == HOME_LESSONS) {
			int k = lessons_pick(h);
			if (k == PICK_QUIT)
				break;
			if (k < 0)
				continue;
			run.lesson = h->ses->lessons.v[k]->id;
		} else if (choice == HOME_RECORDINGS) {
			int k = recordings_pick(h, &id);
			if (k == PICK_QUIT)
				break;
			if (k < 0)
				continue;
			run.replay_id = id;
		} else if (choice == HOME_HELP) {
			run.start_help = true;
		}
		h->ses->next = NEXT_QUIT;
		status = tui_screen_run(&run, &h->term, h->ses);
		if (status || h->ses->next != NEXT_LESSONS)
			break;
		/* L: back to the lesson list. */
		menu = false;
		tui_session_lessons(h->ses);
	}
	free(cont);
	if (!status && h->status)
		status = h->status;
out:
	scene_close(&h->sc);
	scene_grid_close(&h->grid);
	tui_term_close(&h->term);
	tui_session_free(h->ses);
	free(h);
	return status;
}

int tui_home(const struct tui_options *o)
{
	return home_main(o, false);
}

int tui_home_lessons(const struct tui_options *o)
{
	return home_main(o, true);
}

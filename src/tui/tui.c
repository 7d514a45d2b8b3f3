/*
 * tui.c — the screen's state and its one event loop.
 *
 * The loop. Simulated time advances with wall time times the speed
 * (0.1x..100x): each frame computes the simulated time that wall time has
 * reached since the clock's anchor and calls world_advance_to(); a command
 * or a pause re-anchors the clock. While running, the loop waits in poll()
 * on the terminal for what is left of the frame (30 frames a second); while
 * paused it waits without a timeout, so a paused screen costs no CPU. A
 * signal (resize, ^C, SIGTERM, SIGHUP) interrupts poll() and is handled at
 * the top of the loop. Nothing is drawn from a signal handler.
 *
 * Every action that changes the world is command text run by
 * world_exec_line() — `c` on n3 is "crash n3", `x` 1 2 is "cut n1 n2" — so
 * a recorder attached to the world sees keystrokes as commands, and the
 * event log shows the command that was run. Only time (world_advance_to,
 * world_step), the speed, the selection and the view are the screen's own.
 *
 * Lessons, recordings and replays live in the session (tui_session.h),
 * which this file calls at a few hooks: a key, the advance of time, after
 * each frame's advance, the snapshot, and over the finished frame.
 *
 * Drawing. A frame is a snapshot (tui_snap.c) turned into a scene by a view
 * (scene_view.c), rasterised into a grid and painted (tui_paint.c); curses
 * sends only the cells that changed.
 */
#include "tui/tui_internal.h"
#include "tui/tui_history.h"
#include "tui/tui_session.h"

#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FRAME_US  (1000000 / 30)
#define EV_MAX    256
#define EV_LEN    200
#define TL_MAX    4096
#define DROPS_MAX 64
#define DROP_LIFE 0.8 /* seconds of running wall time a drop mark stays */

static const double speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};
enum { SPEED_1X = 3 };

enum tui_view { VIEW_CLUSTER, VIEW_LOGS, VIEW_TIMELINE, VIEW_HISTORY, VIEW_HELP };
static const char *const view_names[] = {N_("cluster"), N_("logs"), N_("timeline"),
					 N_("history"), N_("help")};

struct tui_drop {
	struct scene_drop d;
	double age;
};

struct tui {
	struct tui_options opt;
	struct world *w;
	struct sim *sim; /* world_sim(w), followed through world_on_new_sim */
	struct tui_term term;
	struct tui_prompt *prompt;
	struct scene sc;
	struct scene_grid grid;
	struct scene_grid painted; /* what stdscr holds */
	struct scene_snap snap;
	struct tui_snapbuf sb;
	bool running;
	int speed;
	double wall0, last_frame;
	sim_time sim0;
	enum tui_view view, before_help;
	int sel;
	enum tui_act pending; /* ACT_CUT or ACT_CUT_ONEWAY waiting for a node */
	int preset;
	unsigned ops;
	/* the event log: a ring of formatted lines */
	char ev[EV_MAX][EV_LEN];
	uint8_t ev_style[EV_MAX];
	int ev_next, ev_n;
	struct scene_line evlines[EV_MAX + 1]; /* and a line of completions */
	/* the timeline: a ring of events */
	struct scene_tl_event tl[TL_MAX];
	int tl_next, tl_n;
	struct scene_tl_event tl_lin[TL_MAX];
	struct tui_drop drops[DROPS_MAX];
	int ndrops;
	struct scene_drop droplist[DROPS_MAX];
	char msg[512];
	int msg_style;
	char status[256];
	char status_right[32];
	int tl_scroll, logs_scroll, help_scroll;
	struct scene_line *help;
	int nhelp;
	struct scene_key keys[16];
	int nkeys;
	bool quit;
	struct sbuf line; /* scratch for formatting */
	struct sbuf fail; /* why setup failed, printed once the terminal is ours again */
	struct tui_hist *hist; /* the live verdict and the history view (tui_history.c) */
	struct scene_hist hv;
	struct tui_session *ses; /* lessons, recordings, replays (tui_session.h) */
	bool keep_term;          /* the terminal is the home screen's: leave it open */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void anchor(struct tui *t)
{
	t->wall0 = wall_now();
	t->sim0 = t->sim ? sim_now(t->sim) : 0;
}

static void set_msg(struct tui *t, int style, const char *fmt, ...) NS_PRINTF(3, 4);
static void set_msg(struct tui *t, int style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	/* One line: the message line has one row. */
	for (char *p = t->msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	t->msg_style = style;
}

/* ---- the event log and the timeline ------------------------------------------ */

/* Appends a line; " -> " becomes an arrow where the terminal has one. */
static void log_line(struct tui *t, int style, const char *text)
{
	while (*text == ' ')
		text++;
	char *dst = t->ev[t->ev_next];
	size_t o = 0;
	for (const char *p = text; *p && o + 4 < EV_LEN; p++) {
		if (t->term.unicode && !strncmp(p, " -> ", 4)) {
			memcpy(dst + o, " → ", 5);
			o += 5;
			p += 3;
			continue;
		}
		dst[o++] = *p == '\n' ? ' ' : *p;
	}
	/* Cut at a whole character: drop a multibyte sequence left incomplete. */
	size_t lead = o;
	while (lead > 0 && ((unsigned char)dst[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && ((unsigned char)dst[lead - 1] & 0x80)) {
		unsigned char c = (unsigned char)dst[lead - 1];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (o - (lead - 1) < need)
			o = lead - 1;
	}
	dst[o] = '\0';
	t->ev_style[t->ev_next] = (uint8_t)style;
	t->ev_next = (t->ev_next + 1) % EV_MAX;
	if (t->ev_n < EV_MAX)
		t->ev_n++;
}

static void tl_add(struct tui *t, struct scene_tl_event e)
{
	t->tl[t->tl_next] = e;
	t->tl_next = (t->tl_next + 1) % TL_MAX;
	if (t->tl_n < TL_MAX)
		t->tl_n++;
}

/* Where on its way a lost message died, for the drop mark. */
static float drop_where(enum drop_reason r)
{
	switch (r) {
	case DROP_LINK_DOWN: return 0.2f;
	case DROP_SENDER_DOWN: return 0.1f;
	case DROP_NODE_DOWN:
	case DROP_RESTARTED: return 0.9f;
	default: return 0.5f;
	}
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tui *t = ctx;
	const struct proto_ops *ops = sim_proto(t->sim);
	int style = SS_NORMAL;
	switch (ev->kind) {
	case TR_DELIVER:
	case TR_DROP: {
		const struct msg *m = ev->msg;
		const struct msg_kind *k =
		    m->type < ops->nmsg_kinds ? &ops->msg_kinds[m->type] : NULL;
		bool drop = ev->kind == TR_DROP;
		tl_add(t,
		       (struct scene_tl_event){m->sent_at, ev->at, (int16_t)m->from, (int16_t)m->to,
					       k ? k->glyph : '?',
					       (uint8_t)(k && k->reply ? SS_REPLY : SS_MSG), drop});
		if (drop) {
			style = SS_DROP;
			struct tui_drop d = {
			    {(int16_t)m->from, (int16_t)m->to, drop_where(ev->reason)}, 0};
			if (t->ndrops == DROPS_MAX) {
				memmove(t->drops, t->drops + 1,
					sizeof t->drops[0] * (DROPS_MAX - 1));
				t->ndrops--;
			}
			t->drops[t->ndrops++] = d;
		}
		break;
	}
	case TR_STATE:
		style = SS_TITLE;
		if (ev->node >= 0)
			tl_add(t, (struct scene_tl_event){ev->at, ev->at, (int16_t)ev->node, -1,
							  '*', SS_ROLE, false});
		break;
	case TR_FAULT:
		style = SS_CUT;
		if (ev->node >= 0)
			tl_add(t, (struct scene_tl_event){ev->at, ev->at, (int16_t)ev->node, -1,
							  '!', SS_CUT, false});
		if (ev->peer >= 0)
			tl_add(t, (struct scene_tl_event){ev->at, ev->at, (int16_t)ev->peer, -1,
							  '!', SS_CUT, false});
		break;
	case TR_EXPECT: style = ev->ok ? SS_OK : SS_ERROR; break;
	case TR_INVOKE:
	case TR_COMPLETE: style = SS_REPLY; break;
	default: break;
	}
	sbuf_clear(&t->line);
	if (trace_format(t->sim, ev, &t->line))
		log_line(t, style, sbuf_str(&t->line));
}

static void on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	struct tui *t = ctx;
	(void)w;
	t->sim = s;
	sim_observe(s, on_trace, t);
	t->tl_n = t->tl_next = 0;
	t->ndrops = 0;
	t->sel = MIN(MAX(t->sel, 0), sim_nodes(s) - 1);
	t->preset = 0;
}

static void on_output(void *ctx, enum world_out k, const char *text)
{
	struct tui *t = ctx;
	/* Multi-line output (help for one command) goes to the event log. */
	const char *p = text;
	bool first = true;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[EV_LEN];
		ns_snprintf(line, sizeof line, "%.*s", (int)len, p);
		if (first)
			set_msg(t, k == OUT_ERROR ? SS_ERROR : SS_OK, "%s", line);
		if (k != OUT_INFO || !first)
			log_line(t, k == OUT_ERROR ? SS_ERROR : first ? SS_TITLE : SS_NORMAL, line);
		first = false;
		p += len;
		if (*p == '\n')
			p++;
	}
}

/* ---- actions ---------------------------------------------------------------- */

/* Runs one command of the language: typed at the prompt or made by a key. */
static void exec(struct tui *t, const char *cmd)
{
	struct sbuf err = {0};
	t->msg[0] = '\0';
	enum exec_status st = world_exec_line(t->w, cmd, &err);
	if (st == EXEC_ERROR)
		set_msg(t, SS_ERROR, "%s", sbuf_str(&err));
	else if (!t->msg[0])
		set_msg(t, SS_DIM, ":%s", cmd);
	sbuf_free(&err);
	if (t->sim && t->sel >= sim_nodes(t->sim))
		t->sel = sim_nodes(t->sim) - 1;
	anchor(t);
}

static void execf(struct tui *t, const char *fmt, ...) NS_PRINTF(2, 3);
static void execf(struct tui *t, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	exec(t, cmd);
}

static void help_open(struct tui *t);

static void on_prompt_line(void *ctx, const char *line)
{
	struct tui *t = ctx;
	if (!line) {
		t->msg[0] = '\0';
		return;
	}
	while (*line == ' ')
		line++;
	if (!*line)
		return;
	/* `help` alone is the help screen; `help crash` answers in the log. */
	if (!strcmp(line, "help")) {
		help_open(t);
		return;
	}
	exec(t, line);
}

static int nnodes(const struct tui *t)
{
	return t->sim ? sim_nodes(t->sim) : 0;
}

static bool link_up(struct tui *t, int a, int b)
{
	return sim_link_c(t->sim, a, b)->up;
}

/* x/X then a node: cut the link from the selected node, or heal it. */
static void cut_to(struct tui *t, int target, bool oneway)
{
	int a = t->sel, b = target;
	if (a == b) {
		set_msg(t, SS_ERROR, _("pick another node than n%d"), a + 1);
		return;
	}
	if (oneway)
		execf(t, "%s n%d -> n%d", link_up(t, a, b) ? "cut" : "heal", a + 1, b + 1);
	else
		execf(t, "%s n%d n%d", link_up(t, a, b) && link_up(t, b, a) ? "cut" : "heal", a + 1,
		      b + 1);
}

static void select_node(struct tui *t, int i)
{
	if (i < 0 || i >= nnodes(t))
		return;
	if (t->pending == ACT_CUT || t->pending == ACT_CUT_ONEWAY) {
		bool oneway = t->pending == ACT_CUT_ONEWAY;
		t->pending = ACT_NONE;
		cut_to(t, i, oneway);
		return;
	}
	t->sel = i;
}

/* p: isolate the selected node, then a minority/majority split that puts
 * it in the minority, then heal. */
static void partition_preset(struct tui *t)
{
	int n = nnodes(t);
	struct sbuf a = {0}, b = {0};
	int step = t->preset++ % 3;
	if (n < 2 || step == 2) {
		exec(t, "heal");
		return;
	}
	int k = step == 0 ? 1 : MAX(1, (n - 1) / 2);
	for (int i = 0; i < n; i++) {
		int idx = (t->sel + i) % n;
		sbuf_printf(i < k ? &a : &b, "%sn%d", (i < k ? a.len : b.len) ? " " : "", idx + 1);
	}
	execf(t, "partition %s | %s", sbuf_str(&a), sbuf_str(&b));
	sbuf_free(&a);
	sbuf_free(&b);
}

static void help_open(struct tui *t)
{
	tui_keys_help_free(t->help, t->nhelp);
	tui_keys_help(t->w, t->term.unicode, &t->help, &t->nhelp);
	if (t->view != VIEW_HELP)
		t->before_help = t->view;
	t->view = VIEW_HELP;
	t->help_scroll = 0;
}

static void scroll_view(struct tui *t, int delta)
{
	if (t->view == VIEW_HISTORY) {
		/* Up and page up go back in time. */
		tui_hist_scroll(t->hist, t->w, -delta * (delta == 1 || delta == -1 ? 10 : 4));
		return;
	}
	int *s = t->view == VIEW_LOGS       ? &t->logs_scroll
		 : t->view == VIEW_TIMELINE ? &t->tl_scroll
					    : &t->help_scroll;
	*s = MAX(0, *s + delta);
}

static void act(struct tui *t, enum tui_act a, int code)
{
	int n = nnodes(t);
	if (t->ses && tui_session_act(t->ses, a, code))
		return;
	if (a != ACT_SELECT && a != ACT_BACK && a != ACT_HELP && t->pending != ACT_NONE) {
		t->pending = ACT_NONE;
		t->msg[0] = '\0';
	}
	int page = MAX(1, LINES - 10);
	switch (a) {
	case ACT_NONE: break;
	case ACT_HELP:
		if (t->view == VIEW_HELP)
			t->view = t->before_help;
		else
			help_open(t);
		break;
	case ACT_BACK:
		if (t->view == VIEW_HELP)
			t->view = t->before_help;
		t->pending = ACT_NONE;
		t->msg[0] = '\0';
		break;
	case ACT_QUIT: t->quit = true; break;
	case ACT_RUN:
		t->running = !t->running;
		anchor(t);
		break;
	case ACT_STEP:
		t->running = false;
		if (!world_step(t->w))
			set_msg(t, SS_DIM, "%s", _("nothing left to happen"));
		anchor(t);
		break;
	case ACT_FASTER:
	case ACT_SLOWER:
		t->speed =
		    MAX(0, MIN((int)ARRAY_LEN(speeds) - 1, t->speed + (a == ACT_FASTER ? 1 : -1)));
		anchor(t);
		break;
	case ACT_SELECT: select_node(t, code == '0' ? 9 : code - '1'); break;
	case ACT_PREV:
	case ACT_NEXT:
		if (t->view == VIEW_HISTORY)
			scroll_view(t, a == ACT_PREV ? 1 : -1);
		else if (n)
			t->sel = (t->sel + (a == ACT_NEXT ? 1 : n - 1)) % n;
		break;
	case ACT_UP:
	case ACT_DOWN:
		if (t->view == VIEW_CLUSTER)
			act(t, a == ACT_UP ? ACT_PREV : ACT_NEXT, 0);
		else
			scroll_view(t, a == ACT_UP ? 1 : -1);
		break;
	case ACT_PGUP: scroll_view(t, page); break;
	case ACT_PGDN: scroll_view(t, -page); break;
	case ACT_CRASH:
		if (n)
			execf(t, "%s n%d", sim_node_c(t->sim, t->sel)->up ? "crash" : "restart",
			      t->sel + 1);
		break;
	case ACT_CUT:
	case ACT_CUT_ONEWAY:
		if (n < 2)
			break;
		t->pending = a;
		set_msg(
		    t, SS_KEY,
		    a == ACT_CUT
			? _("cut or heal the link between n%d and which node? (1-9, esc cancels)")
			: _("cut or heal the way from n%d to which node? (1-9, esc cancels)"),
		    t->sel + 1);
		break;
	case ACT_PARTITION: partition_preset(t); break;
	case ACT_HEAL: exec(t, "heal"); break;
	case ACT_PUT:
		t->ops++;
		execf(t, "put k%u v%u via n%d", t->ops % 3 + 1, t->ops, t->sel + 1);
		break;
	case ACT_GET: execf(t, "get k%u via n%d", t->ops % 3 + 1, t->sel + 1); break;
	case ACT_VIEW:
		t->view = t->view == VIEW_HELP ? t->before_help : (t->view + 1) % VIEW_HELP;
		break;
	case ACT_ZOOM_IN:
	case ACT_ZOOM_OUT: tui_hist_zoom(t->hist, a == ACT_ZOOM_IN ? 1 : -1); break;
	case ACT_WORKLOAD: exec(t, "workload clients 3 rate 20/s keys 2"); break;
	case ACT_PROMPT: {
		int y = LINES - 2;
		tui_prompt_open(t->prompt, y, COLS);
		break;
	}
	default: break; /* the session's keys (tui_session.c) */
	}
}

/* A click: a node selects it (or completes x/X); a link toggles its cut. */
static void on_mouse(struct tui *t)
{
	MEVENT me;
	if (getmouse(&me) != OK || !(me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (t->ses && tui_session_click(t->ses, me.x, me.y))
		return;
	if (t->view != VIEW_CLUSTER)
		return;
	int node, peer;
	if (!scene_hit(&t->sc, me.x, me.y, &node, &peer))
		return;
	if (peer < 0) {
		select_node(t, node);
		return;
	}
	bool up = link_up(t, node, peer) && link_up(t, peer, node);
	execf(t, "%s n%d n%d", up ? "cut" : "heal", node + 1, peer + 1);
}

/* ---- frames ------------------------------------------------------------------- */

static void build_status(struct tui *t)
{
	struct sbuf d = {0};
	world_describe(t->w, &d);
	char tb[32], sp[16];
	/* Milliseconds are enough on the status line. */
	simtime_fmt(t->sim ? sim_now(t->sim) / SIM_MS * SIM_MS : 0, tb, sizeof tb);
	double s = speeds[t->speed];
	ns_snprintf(sp, sizeof sp, s < 10 ? "%.1fx" : "%.0fx", s);
	const char *dot = t->term.unicode ? " · " : " - ";
	ns_snprintf(t->status, sizeof t->status, "netsplit%s%s%st=%s%s%s%s%s", dot, sbuf_str(&d),
		    dot, tb, dot, sp, dot, t->running ? _("running") : _("paused"));
	if (t->view != VIEW_CLUSTER) {
		size_t len = strlen(t->status);
		ns_snprintf(t->status + len, sizeof t->status - len, "%s%s", dot,
			    _(view_names[t->view]));
	}
	sbuf_free(&d);
}

static void build_keys(struct tui *t)
{
	t->nkeys = 0;
	for (int i = 0; tui_keys[i].code && t->nkeys < (int)ARRAY_LEN(t->keys); i++) {
		if (!tui_keys[i].bar)
			continue;
		const char *label = _(tui_keys[i].bar);
		if (tui_keys[i].act == ACT_RUN && t->running)
			label = _("pause");
		t->keys[t->nkeys++] = (struct scene_key){tui_keys[i].name, label};
	}
}

static void build_snapshot(struct tui *t)
{
	struct scene_snap *s = &t->snap;
	memset(s, 0, sizeof *s);
	s->w = COLS;
	s->h = LINES;
	s->unicode = t->term.unicode;
	s->color = t->term.color;
	build_status(t);
	s->status = t->status;
	s->selected = -1;
	if (t->sim) {
		tui_snap_cluster(t->sim, t->sel, &t->sb, s);
		if (t->pending != ACT_NONE)
			s->selected = t->sel;
	}
	for (int i = 0; i < t->ndrops; i++)
		t->droplist[i] = t->drops[i].d;
	s->ndrops = t->ndrops;
	s->drops = t->droplist;
	/* the event log, oldest first */
	int first = (t->ev_next - t->ev_n + EV_MAX) % EV_MAX;
	for (int i = 0; i < t->ev_n; i++) {
		int k = (first + i) % EV_MAX;
		t->evlines[i] = (struct scene_line){t->ev[k], t->ev_style[k]};
	}
	s->nevents = t->ev_n;
	s->events = t->evlines;
	const char *matches = tui_prompt_matches(t->prompt);
	s->prompt = tui_prompt_active(t->prompt);
	if (matches && s->prompt) {
		/* Completion candidates take the event log's last line. */
		t->evlines[t->ev_n] = (struct scene_line){(char *)matches, SS_KEY};
		s->nevents = t->ev_n + 1;
	}
	s->message = t->msg[0] ? t->msg : NULL;
	s->message_style = t->msg_style;
	build_keys(t);
	s->nkeys = t->nkeys;
	s->keys = t->keys;
	if (t->ses)
		tui_session_snap(t->ses, s);
	if (t->view == VIEW_LOGS && t->sim)
		tui_snap_logs(t->sim, t->logs_scroll, MAX(0, LINES - 4), &t->sb, s);
	if (t->view == VIEW_TIMELINE) {
		int first_tl = (t->tl_next - t->tl_n + TL_MAX) % TL_MAX;
		for (int i = 0; i < t->tl_n; i++)
			t->tl_lin[i] = t->tl[(first_tl + i) % TL_MAX];
		s->ntl = t->tl_n;
		s->tl = t->tl_lin;
		s->tl_now = t->sim ? sim_now(t->sim) : 0;
		s->tl_scale = 5 * SIM_MS;
		s->tl_scroll = t->tl_scroll;
	}
	if (t->view == VIEW_HELP) {
		s->nhelp = t->nhelp;
		s->help = t->help;
		s->help_scroll = t->help_scroll;
	}
}

static void draw(struct tui *t)
{
	build_snapshot(t);
	switch (t->view) {
	case VIEW_CLUSTER: scene_view_cluster(&t->sc, &t->snap); break;
	case VIEW_LOGS: scene_view_logs(&t->sc, &t->snap); break;
	case VIEW_TIMELINE: scene_view_timeline(&t->sc, &t->snap); break;
	case VIEW_HISTORY:
		tui_hist_fill(t->hist, t->w, t->term.unicode, COLS - SCENE_HIST_GUTTER - 1, &t->hv);
		scene_view_history(&t->sc, &t->snap, &t->hv);
		break;
	case VIEW_HELP: scene_view_help(&t->sc, &t->snap); break;
	}
	if (world_history(t->w)->n && !scene_too_small(COLS, LINES))
		scene_status_badge(&t->sc, t->status, tui_hist_verdict_text(t->hist),
				   tui_hist_verdict_style(t->hist));
	if (t->ses && !scene_too_small(COLS, LINES))
		tui_session_overlay(t->ses, &t->sc);
	scene_rasterize(&t->sc, &t->grid);
	tui_paint(stdscr, &t->grid, &t->painted, t->term.attr);
	/* The prompt's window covers the message line while it is open;
	 * once closed, stdscr's line must be shown again. */
	touchline(stdscr, LINES - 2, 1);
	wnoutrefresh(stdscr);
	if (tui_prompt_active(t->prompt) && !scene_too_small(COLS, LINES))
		tui_prompt_draw(t->prompt);
	doupdate();
}

/* Simulated time follows wall time times the speed. */
static void advance(struct tui *t)
{
	double now = wall_now();
	double dt = now - t->last_frame;
	t->last_frame = now;
	if (!t->running || !t->sim)
		return;
	for (int i = 0; i < t->ndrops; i++)
		t->drops[i].age += dt;
	int keep = 0;
	for (int i = 0; i < t->ndrops; i++)
		if (t->drops[i].age < DROP_LIFE)
			t->drops[keep++] = t->drops[i];
	t->ndrops = keep;
	sim_time target = t->sim0 + (sim_time)((now - t->wall0) * speeds[t->speed] * 1e6);
	/* After a stall (a suspended terminal, a slow frame) do not catch up
	 * on all the time missed at once: at most a fifth of a second's worth. */
	sim_time most = sim_now(t->sim) + (sim_time)(0.2 * speeds[t->speed] * 1e6);
	bool slipped = target > most;
	if (!t->ses || !tui_session_advance(t->ses, slipped ? most : target))
		world_advance_to(t->w, slipped ? most : target);
	/* If the simulation cannot keep up, let the clock slip rather than
	 * fall further behind each frame. */
	if (slipped || wall_now() - now > 0.2)
		anchor(t);
}

/* ---- input ----------------------------------------------------------------------- */

static void on_resize(struct tui *t)
{
	if (tui_prompt_active(t->prompt))
		tui_prompt_resize(t->prompt, LINES - 2, COLS);
	tui_paint_forget(&t->painted);
	clearok(curscr, TRUE);
}

static void read_input(struct tui *t)
{
	if (tui_prompt_active(t->prompt)) {
		/* Raw bytes for readline, escape sequences whole. */
		unsigned char buf[256];
		int n = 0;
		WINDOW *win = tui_prompt_window(t->prompt);
		int ch;
		while (n < (int)sizeof buf && (ch = wgetch(win)) != ERR) {
			if (ch == KEY_RESIZE) {
				/* The prompt's window is made anew for the new size. */
				on_resize(t);
				win = tui_prompt_window(t->prompt);
				continue;
			}
			if (ch > 255)
				continue;
			buf[n++] = (unsigned char)ch;
		}
		tui_prompt_feed(t->prompt, buf, n);
		return;
	}
	nodelay(stdscr, TRUE);
	int ch;
	while (!t->quit && !tui_prompt_active(t->prompt) && (ch = wgetch(stdscr)) != ERR) {
		if (ch == KEY_RESIZE) {
			on_resize(t);
			continue;
		}
		if (ch == KEY_MOUSE) {
			on_mouse(t);
			continue;
		}
		if (scene_too_small(COLS, LINES) && ch != 'q')
			continue;
		act(t, tui_keys_action(ch), ch);
	}
}

static void loop(struct tui *t)
{
	anchor(t);
	t->last_frame = wall_now();
	while (!t->quit) {
		if (tui_term_pending_signal())
			break;
		advance(t);
		if (tui_hist_tick(t->hist, t->w, 0.002))
			set_msg(t, SS_ERROR, "%s",
				_("not linearizable: tab to the history view for the proof"));
		if (t->ses)
			tui_session_frame(t->ses);
		draw(t);
		double spent = wall_now() - t->last_frame;
		int timeout = -1;
		if (t->running || tui_hist_busy(t->hist) || (t->ses && tui_session_busy(t->ses)))
			timeout = MAX(1, (int)((FRAME_US / 1e6 - spent) * 1000));
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		int r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR)
			break;
		/* A resize (EINTR) or input: let curses read it. */
		read_input(t);
		if (pfd.revents & (POLLHUP | POLLERR))
			break;
	}
}

/* ---- set-up -------------------------------------------------------------------------- */

static uint64_t random_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
			s = 0;
		close(fd);
	}
	if (!s)
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return s % 1000000; /* short enough to read off the status line */
}

static const char *default_proto(void)
{
	return proto_find("raft") ? "raft" : proto_all[0]->name;
}

/* Builds the world (before the terminal is taken, or under the home
 * screen). Returns 0, or an exit status with the reason in t->fail, which
 * the caller prints once curses has let go of the terminal. */
static int setup(struct tui *t, const struct tui_options *o)
{
	t->opt = *o;
	t->term.saved_stderr = -1; /* the terminal is not ours yet */
	/* Known before the terminal is taken: the event log is written from
	 * the first command on. */
	t->term.unicode = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->w = world_new();
	t->hist = tui_hist_new();
	t->speed = SPEED_1X;
	t->view = VIEW_CLUSTER;
	t->before_help = VIEW_CLUSTER;
	scene_init(&t->sc);
	scene_grid_init(&t->grid);
	world_set_output(t->w, on_output, t);
	world_on_new_sim(t->w, on_new_sim, t);
	if (t->ses) {
		/* Settings, the recorder; a lesson or a replay opens here. */
		int st = tui_session_begin(t->ses, t, o, &t->fail);
		if (st || tui_session_opens(o))
			return st;
	}
	struct sbuf err = {0};
	int status = 0;
	if (o->open_file) {
		size_t len;
		char *text = read_file(o->open_file, &len);
		if (!text) {
			sbuf_printf(&t->fail, _("netsplit open: cannot read %s: %s\n"),
				    o->open_file, read_file_error(errno));
			return 2;
		}
		if (o->seed_set)
			world_force_seed(t->w, o->seed);
		struct script *sc = script_parse(text, o->open_file, t->w, &err);
		free(text);
		if (!sc) {
			sbuf_printf(&t->fail, "%s\n", sbuf_str(&err));
			status = 2;
			goto out;
		}
		if (world_run(t->w, sc, &err) == EXEC_ERROR)
			set_msg(t, SS_ERROR, "%s", sbuf_str(&err));
		script_free(sc);
		if (!t->sim) {
			sbuf_printf(
			    &t->fail,
			    _("netsplit open: %s creates no cluster (add e.g. `cluster raft 5`)\n"),
			    o->open_file);
			status = 2;
			goto out;
		}
		t->running = false;
		if (t->msg_style != SS_ERROR) {
			char tb[32];
			set_msg(t, SS_OK, _("%s ran to %s; paused (space runs on)"), o->open_file,
				simtime_fmt(sim_now(t->sim), tb, sizeof tb));
		}
		goto out;
	}
	const char *proto = o->proto ? o->proto : default_proto();
	if (!proto_find(proto)) {
		sbuf_printf(&t->fail, _("netsplit sandbox: unknown protocol \"%s\"; known:"),
			    proto);
		for (int i = 0; proto_all[i]; i++)
			sbuf_printf(&t->fail, " %s", proto_all[i]->name);
		sbuf_putc(&t->fail, '\n');
		status = 2;
		goto out;
	}
	int n = o->nodes ? o->nodes : 5;
	char cmd[128];
	ns_snprintf(cmd, sizeof cmd, "seed %llu",
		    (unsigned long long)(o->seed_set ? o->seed : random_seed()));
	if (world_exec_line(t->w, cmd, &err) == EXEC_OK) {
		ns_snprintf(cmd, sizeof cmd, "cluster %s %d", proto, n);
		world_exec_line(t->w, cmd, &err);
	}
	if (!t->sim || err.len) {
		sbuf_printf(&t->fail, "netsplit sandbox: %s\n", sbuf_str(&err));
		status = 2;
		goto out;
	}
	t->running = true;
	set_msg(t, SS_DIM, "%s", _("? help · space pause · : command · q quit"));
out:
	sbuf_free(&err);
	return status;
}

static void teardown(struct tui *t)
{
	tui_prompt_free(t->prompt);
	t->prompt = NULL;
	if (t->ses)
		tui_session_end(t->ses);
	if (!t->keep_term)
		tui_term_close(&t->term);
	world_free(t->w);
	t->w = NULL;
	tui_hist_free(t->hist);
	t->hist = NULL;
	scene_close(&t->sc);
	scene_grid_close(&t->grid);
	scene_grid_close(&t->painted);
	tui_snapbuf_free(&t->sb);
	tui_keys_help_free(t->help, t->nhelp);
	t->help = NULL;
	t->nhelp = 0;
	sbuf_free(&t->line);
	if (t->fail.len)
		fputs(sbuf_str(&t->fail), stderr);
	sbuf_free(&t->fail);
}

/* Runs the screen over a world already set up. */
static int screen(struct tui *t)
{
	if (!t->term.active && !tui_term_open(&t->term))
		return 1;
	t->prompt = tui_prompt_new(&t->w, on_prompt_line, t);
	tui_keys_help(t->w, t->term.unicode, &t->help, &t->nhelp);
	if (t->opt.start_help) {
		t->running = false;
		help_open(t);
	}
	loop(t);
	int sig = tui_term_pending_signal();
	return sig ? 128 + sig : 0;
}

int tui_run(const struct tui_options *o)
{
	struct tui_session *ses = tui_session_new(o);
	int status = tui_screen_run(o, NULL, ses);
	bool lessons = ses->next == NEXT_LESSONS;
	tui_session_free(ses);
	/* L: the lesson list, which the home screen shows. */
	if (!status && lessons)
		return tui_home_lessons(o);
	return status;
}

/* A screen inside the home screen: it keeps the home screen's terminal
 * (term), which the caller closes; with term NULL the screen takes the
 * terminal and gives it back. */
int tui_screen_run(const struct tui_options *o, struct tui_term *term, struct tui_session *ses)
{
	struct tui *t = xcalloc(1, sizeof *t);
	t->ses = ses;
	int status = setup(t, o);
	if (term) {
		t->term = *term;
		t->term.unicode = !strcmp(nl_langinfo(CODESET), "UTF-8");
	}
	if (!status) {
		/* What opening the store did (the home screen has said it). */
		if (ses && ses->store_msg[0] && !term) {
			set_msg(t, SS_ERROR, "%s", ses->store_msg);
			log_line(t, SS_ERROR, ses->store_msg);
		}
		status = screen(t);
	}
	/* The home screen goes on with the terminal. */
	t->keep_term = term != NULL;
	teardown(t);
	free(t);
	return status;
}

/* ---- what the session's files may use (tui_session.h) -------------------------------- */

struct world *tui_world(struct tui *t)
{
	return t->w;
}

void tui_exec(struct tui *t, const char *cmd)
{
	exec(t, cmd);
}

void tui_say(struct tui *t, int style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	set_msg(t, style, "%s", buf);
}

void tui_log(struct tui *t, int style, const char *text)
{
	log_line(t, style, text);
}

bool tui_is_running(const struct tui *t)
{
	return t->running;
}

void tui_set_running(struct tui *t, bool on)
{
	t->running = on;
	anchor(t);
}

int tui_speed(const struct tui *t)
{
	return t->speed;
}

void tui_set_speed(struct tui *t, int index)
{
	t->speed = MAX(0, MIN((int)ARRAY_LEN(speeds) - 1, index));
	anchor(t);
}

double tui_speed_factor(const struct tui *t)
{
	return speeds[t->speed];
}

bool tui_view_is_cluster(const struct tui *t)
{
	return t->view == VIEW_CLUSTER;
}

void tui_quit(struct tui *t)
{
	t->quit = true;
}

bool tui_unicode(const struct tui *t)
{
	return t->term.unicode;
}

struct world *tui_world_renew(struct tui *t)
{
	world_free(t->w);
	t->sim = NULL;
	t->w = world_new();
	world_set_output(t->w, on_output, t);
	world_on_new_sim(t->w, on_new_sim, t);
	t->ev_n = t->ev_next = 0;
	t->tl_n = t->tl_next = 0;
	t->ndrops = 0;
	return t->w;
}

void tui_ask(struct tui *t, const char *question, void (*cb)(void *ctx, const char *answer),
	     void *ctx)
{
	tui_prompt_ask(t->prompt, LINES - 2, COLS, question, cb, ctx);
}

/*
 * tui.c — the screen's state and its one event loop, for every screen: a
 * sandbox, a scenario opened, a lesson, a replay (through the session
 * hooks), and clusters side by side (`netsplit cap`, through a
 * struct tui_screen_ops: its layout and the keys it refuses).
 *
 * Panes. The screen holds one to TUI_PANES_MAX worlds under one clock.
 * Every command — typed, or made by a key — runs in every pane, `.` is one
 * event in each, a long command is sliced in each; with one pane the event
 * log shows everything, with several it shows faults once and the rest
 * tagged with the pane ("CP: ...").
 *
 * The loop. Simulated time advances with wall time times the speed
 * (0.1x..100x): each frame computes the simulated time that wall time has
 * reached since the clock's anchor and calls world_advance_to(); a command
 * or a pause re-anchors the clock. While running, the loop waits in poll()
 * on the terminal for what is left of the frame (30 frames a second); while
 * paused it waits without a timeout, so a paused screen costs no CPU. A
 * signal (resize, ^C, SIGTERM, SIGHUP) interrupts poll() and is handled at
 * the top of the loop; ^C while a long command runs cancels the command
 * instead (see "long commands" below). Nothing is drawn from a signal
 * handler.
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
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FRAME_US (1000000 / 30)
#define EV_MAX   256
#define EV_LEN   TUI_EV_LEN

/* A ring of formatted event-log lines, oldest overwritten. */
struct ev_ring {
	char line[EV_MAX][EV_LEN];
	uint8_t style[EV_MAX];
	int next, n;
};
#define TL_MAX    4096
#define DROPS_MAX TUI_DROPS_MAX
#define JOB_SLICE 0.025 /* seconds of wall time a long command runs per frame */
#define DROP_LIFE 0.8   /* seconds of running wall time a drop mark stays */

/* Down to 0.01x: at the slowest an election (a few hundred milliseconds
 * of simulated time) takes half a minute, message by message, as in
 * RaftScope; the frame rate stays 30 a second, so messages glide along
 * their path cell by cell. */
static const double speeds[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};
enum { SPEED_1X = 6 };

enum tui_view { VIEW_CLUSTER, VIEW_LOGS, VIEW_TIMELINE, VIEW_HISTORY, VIEW_HELP };
static const char *const view_names[] = {N_("cluster"), N_("logs"), N_("timeline"), N_("history"),
					 N_("help")};

struct tui {
	struct tui_options opt;
	struct tui_pane pane[TUI_PANES_MAX]; /* pane[0] is the world of a single screen */
	int npanes;
	const struct tui_multi *multi; /* several panes: the screen's set-up and callbacks */
	char job_cmd[256];             /* the long command running (tui_job), or "" */
	double job_wall0;
	bool job_resume; /* time was running when it began: runs on once it is done */
	/* Lines typed at the prompt while a long command ran, '\n' after
	 * each: they run in order once it is done (issue 11: typed ahead,
	 * never lost). */
	struct sbuf typed_ahead;
	struct tui_term term;
	struct tui_prompt *prompt;
	struct scene sc;
	struct scene_grid grid;
	struct scene_grid painted; /* what stdscr holds */
	struct scene_snap snap;
	struct tui_snapbuf sb;
	bool running;
	int speed;
	bool auto_slow; /* M: slow motion while a node campaigns (SLOW_MOTION) */
	bool present;   /* P, --present: presenter mode */
	attr_t present_attr[SS_COUNT];
	double eff_speed; /* the speed time ran at last frame */
	double wall0, last_frame;
	sim_time sim0;
	enum tui_view view, before_help;
	int sel;
	enum tui_act pending; /* ACT_CUT or ACT_CUT_ONEWAY waiting for a node */
	int preset;
	unsigned ops;
	/* the event log: every line, and the lines that are not message
	 * traffic (e shows only those: a heartbeat every 50ms would push a
	 * client's answer out of the ring in a second) */
	struct ev_ring all, happened;
	bool traffic_off;
	struct scene_line evlines[EV_MAX + 1]; /* and a line of completions */
	/* the timeline: a ring of events */
	struct scene_tl_event tl[TL_MAX];
	int tl_next, tl_n;
	struct scene_tl_event tl_lin[TL_MAX];
	struct tui_st *st;        /* the clocks protocol's diagram (made when first drawn) */
	struct tui_gossip gossip; /* SWIM's membership matrix */
	struct tui_phi phi;       /* the phi detector's plot */
	char msg[512];
	int msg_style;
	bool msg_was_open; /* a message was open in the side pane last frame */
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

#define SLOW_MOTION 0.05 /* the speed of M's slow motion */

/* Something a learner should watch: a node campaigning (a Raft candidate,
 * a backup asking to become primary). */
static bool watch_worthy(const struct tui *t)
{
	struct sim *s = t->pane[0].sim;
	if (!s)
		return false;
	const struct proto_ops *ops = sim_proto(s);
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct node *n = sim_node_c(s, i);
		struct node_status st;
		if (!n->up)
			continue;
		ops->status(n->self, &st);
		if (st.kind == ROLE_CANDIDATE)
			return true;
	}
	return false;
}

/* The speed time runs at now: the chosen one, or slow motion with M while
 * something worth watching happens. */
static double speed_now(const struct tui *t)
{
	double x = speeds[t->speed];
	if (t->auto_slow && x > SLOW_MOTION && watch_worthy(t))
		return SLOW_MOTION;
	return x;
}

static void anchor(struct tui *t)
{
	t->wall0 = wall_now();
	t->sim0 = t->pane[0].sim ? sim_now(t->pane[0].sim) : 0;
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
static void ring_add(struct ev_ring *r, bool unicode, int style, const char *text)
{
	char *dst = r->line[r->next];
	size_t o = 0;
	for (const char *p = text; *p && o + 4 < EV_LEN; p++) {
		if (unicode && !strncmp(p, " -> ", 4)) {
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
	r->style[r->next] = (uint8_t)style;
	r->next = (r->next + 1) % EV_MAX;
	if (r->n < EV_MAX)
		r->n++;
}

/* A line of the event log; traffic (a message sent, delivered or dropped,
 * a timer) goes only to the ring of every line. */
static void log_line_kind(struct tui *t, int style, const char *text, bool traffic)
{
	while (*text == ' ')
		text++;
	ring_add(&t->all, t->term.unicode, style, text);
	if (!traffic)
		ring_add(&t->happened, t->term.unicode, style, text);
}

static void log_line(struct tui *t, int style, const char *text)
{
	log_line_kind(t, style, text, false);
}

static void log_clear(struct tui *t)
{
	t->all.n = t->all.next = t->happened.n = t->happened.next = 0;
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

/* One line of several panes: "CP: text" in the event log. */
static void log_tagged(struct tui_pane *p, int style, const char *text)
{
	char line[EV_LEN + 16];
	while (*text == ' ')
		text++;
	ns_snprintf(line, sizeof line, "%s%s%s", p->tag, p->tag[0] ? ": " : "", text);
	log_line(p->t, style, line);
}

static void add_drop(struct tui_pane *p, const struct msg *m, enum drop_reason why)
{
	struct tui_drop d = {{(int16_t)m->from, (int16_t)m->to, drop_where(why)}, 0};
	if (p->ndrops == DROPS_MAX) {
		memmove(p->drops, p->drops + 1, sizeof p->drops[0] * (DROPS_MAX - 1));
		p->ndrops--;
	}
	p->drops[p->ndrops++] = d;
}

/* Several panes share one event log: a fault (the same in every pane) is
 * logged once, from the first; a state change or a note per pane, tagged;
 * messages only as drop marks. */
static void on_trace_multi(struct tui_pane *p, const struct trace_event *ev)
{
	struct tui *t = p->t;
	if (ev->kind == TR_DROP)
		add_drop(p, ev->msg, ev->reason);
	if (ev->kind != TR_FAULT && ev->kind != TR_STATE && ev->kind != TR_NOTE &&
	    ev->kind != TR_EXPECT)
		return;
	sbuf_clear(&t->line);
	if (!trace_format(p->sim, ev, &t->line))
		return;
	const char *txt = sbuf_str(&t->line);
	if (ev->kind == TR_STATE) {
		ns_snprintf(p->last, sizeof p->last, "%s", txt + strspn(txt, " "));
		return;
	}
	if (ev->kind == TR_FAULT) {
		if (p == &t->pane[0])
			log_line(t, SS_CUT, txt);
		return;
	}
	log_tagged(p, ev->kind == TR_EXPECT ? (ev->ok ? SS_OK : SS_ERROR) : SS_NORMAL, txt);
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tui_pane *pn = ctx;
	struct tui *t = pn->t;
	if (t->npanes > 1) {
		on_trace_multi(pn, ev);
		return;
	}
	const struct proto_ops *ops = sim_proto(t->pane[0].sim);
	int style = SS_NORMAL;
	switch (ev->kind) {
	case TR_DELIVER:
	case TR_DROP: {
		const struct msg *m = ev->msg;
		const struct msg_kind *k =
		    m->type < ops->node.nmsg_kinds ? &ops->node.msg_kinds[m->type] : NULL;
		bool drop = ev->kind == TR_DROP;
		tl_add(t,
		       (struct scene_tl_event){m->sent_at, ev->at, (int16_t)m->from, (int16_t)m->to,
					       k ? k->glyph : '?',
					       (uint8_t)(k && k->reply ? SS_REPLY : SS_MSG), drop});
		if (drop) {
			style = SS_DROP;
			add_drop(pn, m, ev->reason);
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
	/* The presenter's event log: state changes, faults and client
	 * operations; the traffic (heartbeats above all, and the messages
	 * lost, which the cluster marks where they died) is left out. */
	bool traffic = ev->kind == TR_DELIVER || ev->kind == TR_SEND || ev->kind == TR_TIMER ||
		       ev->kind == TR_DROP;
	if (t->present && traffic)
		return;
	sbuf_clear(&t->line);
	if (trace_format(t->pane[0].sim, ev, &t->line))
		log_line_kind(t, style, sbuf_str(&t->line), traffic);
}

static void on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	struct tui_pane *p = ctx;
	struct tui *t = p->t;
	(void)w;
	p->sim = s;
	sim_observe(s, on_trace, p);
	t->tl_n = t->tl_next = 0;
	if (t->st)
		tui_st_reset(t->st);
	p->ndrops = 0;
	t->sel = MIN(MAX(t->sel, 0), sim_nodes(s) - 1);
	t->preset = 0;
}

static void on_output(void *ctx, enum world_out k, const char *text)
{
	struct tui_pane *pn = ctx;
	struct tui *t = pn->t;
	if (t->npanes > 1) {
		/* The same reply from every pane says nothing new; errors are
		 * tagged with their pane. */
		if (k != OUT_ERROR && pn != &t->pane[0])
			return;
		if (k == OUT_ERROR) {
			log_tagged(pn, SS_ERROR, text);
			set_msg(t, SS_ERROR, "%s: %s", pn->tag, text);
			return;
		}
	}
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

/* Runs one command of the language, typed at the prompt or made by a key,
 * in every pane. */
static void exec(struct tui *t, const char *cmd)
{
	t->msg[0] = '\0';
	bool failed = false;
	for (int i = 0; i < t->npanes; i++) {
		struct sbuf err = {0};
		enum exec_status st = world_exec_line(t->pane[i].w, cmd, &err);
		if (st == EXEC_ERROR && !failed) {
			if (t->npanes > 1)
				set_msg(t, SS_ERROR, "%s: %s", t->pane[i].tag, sbuf_str(&err));
			else
				set_msg(t, SS_ERROR, "%s", sbuf_str(&err));
			failed = true;
		}
		sbuf_free(&err);
	}
	if (!t->msg[0]) {
		if (t->npanes == 2)
			set_msg(t, SS_DIM, _(":%s (both clusters)"), cmd);
		else if (t->npanes > 2)
			set_msg(t, SS_DIM, _(":%s (all %d clusters)"), cmd, t->npanes);
		else
			set_msg(t, SS_DIM, ":%s", cmd);
	}
	if (t->pane[0].sim && t->sel >= sim_nodes(t->pane[0].sim))
		t->sel = sim_nodes(t->pane[0].sim) - 1;
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

/* ---- long commands --------------------------------------------------------------
 *
 * `run DURATION`, `run until PRED [timeout DURATION]` and `step N` typed at
 * the prompt do not run to the end in one call: the loop runs them in slices of
 * JOB_SLICE seconds of wall time between frames, so keys, signals and the
 * screen go on (the message line shows the progress; esc or ^C cancels and
 * pauses, q cancels and quits). A slice is sim_run_while() with a stop test that
 * looks at the wall clock every 64 events, so even a dense stretch of
 * simulated time yields in time.
 *
 * What the recorder sees is the time that passed, `run D` before the next
 * command (world_advance_to's rule), which replays exactly: a run that
 * stops part-way (held, cancelled) first finishes the simulated instant it
 * stopped in, so that no event of that instant is left for later. Nothing
 * else differs from the command run in one go: the same events in the same
 * order. `step N` runs as commands `step K` of a slice's worth of events
 * each, recorded as they are. */

static bool job_running(const struct tui *t)
{
	return t->job_cmd[0] != '\0';
}

/* Parses `run ...` for the slicer: true with each pane's job set up, false
 * when the line is not a run the slicer takes (then it runs as a command). */
static bool job_begin(struct tui *t, const char *line)
{
	long steps = 0;
	if (!strncmp(line, "step ", 5)) {
		char *end;
		errno = 0;
		steps = strtol(line + 5, &end, 10);
		if (errno || steps < 1 || *(end + strspn(end, " ")))
			return false;
	} else if (strncmp(line, "run ", 4)) {
		return false;
	}
	const char *rest = line + 4 + strspn(line + 4, " ");
	sim_time dur = 0;
	char pred_text[256] = "";
	bool until = !steps && !strncmp(rest, "until ", 6);
	if (steps) {
		/* events, not time */
	} else if (until) {
		rest += 6;
		dur = 10 * SIM_S; /* the language's default timeout */
		const char *to = strstr(rest, " timeout ");
		size_t plen = to ? (size_t)(to - rest) : strlen(rest);
		if (plen >= sizeof pred_text)
			return false;
		memcpy(pred_text, rest, plen);
		pred_text[plen] = '\0';
		if (to) {
			char d[64];
			ns_snprintf(d, sizeof d, "%s", to + 9 + strspn(to + 9, " "));
			d[strcspn(d, " ")] = '\0';
			if (!simtime_parse(d, &dur, 0))
				return false;
		}
	} else {
		char d[64];
		ns_snprintf(d, sizeof d, "%s", rest);
		size_t n = strlen(d);
		while (n && d[n - 1] == ' ')
			d[--n] = '\0';
		if (!simtime_parse(d, &dur, 0))
			return false;
	}
	/* The language must agree that this is one valid command. */
	for (int i = 0; i < t->npanes; i++) {
		struct sbuf err = {0};
		struct script *sc = script_parse(line, NULL, t->pane[i].w, &err);
		bool ok = sc && script_len(sc) == 1 && t->pane[i].sim;
		script_free(sc);
		sbuf_free(&err);
		if (!ok)
			return false;
	}
	for (int i = 0; i < t->npanes; i++) {
		struct tui_pane *p = &t->pane[i];
		struct pred *pr = NULL;
		if (until) {
			struct sbuf err = {0};
			pr = pred_parse(pred_text, NULL, 1, p->w, &err);
			sbuf_free(&err);
			if (!pr) {
				for (int k = 0; k < i; k++) {
					pred_free(t->pane[k].job.pred);
					t->pane[k].job = (struct tui_job){0};
				}
				return false;
			}
		}
		sim_time now = sim_now(p->sim);
		p->job = (struct tui_job){
		    true,  now, dur > SIM_NEVER - now ? SIM_NEVER : now + dur, pr, false, steps,
		    steps, 256};
		if (!steps && sim_next_time(p->sim) <= now) {
			/* Events are due at this very instant (after a `.`): they
			 * run as a command of their own, recorded, so that the
			 * slices start at an instant's boundary. */
			char first[320];
			if (until)
				ns_snprintf(first, sizeof first, "run until %s timeout 0us",
					    pred_text);
			else
				ns_snprintf(first, sizeof first, "run 0us");
			struct sbuf err = {0};
			world_exec_line(p->w, first, &err);
			sbuf_free(&err);
			if (pr && pred_eval(p->w, pr, NULL)) {
				pred_free(pr);
				p->job = (struct tui_job){0}; /* held: exec said so */
			}
		}
	}
	ns_snprintf(t->job_cmd, sizeof t->job_cmd, "%s", line);
	t->job_wall0 = wall_now();
	t->job_resume = t->running;
	t->running = false;
	return true;
}

struct job_slice {
	struct tui_pane *p;
	double deadline;
	unsigned events;
	bool yielded;
};

static bool job_stop(void *ctx, struct sim *s)
{
	struct job_slice *js = ctx;
	(void)s;
	if (js->p->job.pred && pred_eval(js->p->w, js->p->job.pred, NULL)) {
		js->p->job.held = true;
		return true;
	}
	if ((++js->events & 63) == 0 && wall_now() > js->deadline) {
		js->yielded = true;
		return true;
	}
	return false;
}

/* Ends the job of pane p: finishes the instant, says how it ended. */
static void job_end(struct tui_pane *p, bool cancelled)
{
	struct tui *t = p->t;
	struct tui_job *j = &p->job;
	if (!j->on)
		return;
	/* Every event of the instant it stopped in runs now, as a recorded
	 * `run` replays it (the slices began at an instant's boundary, so
	 * time has moved if any event ran). A `step` was recorded as run. */
	if (!j->steps && sim_now(p->sim) > j->start)
		sim_run_until(p->sim, sim_now(p->sim));
	char tb[32], db[32], eb[32];
	simtime_fmt(sim_now(p->sim), tb, sizeof tb);
	if (cancelled && j->steps) {
		char line[EV_LEN];
		ns_snprintf(line, sizeof line, _("cancelled at %s: %ld of %ld steps run"), tb,
			    j->steps - j->steps_left, j->steps);
		log_tagged(p, SS_ERROR, line);
	} else if (cancelled) {
		char line[EV_LEN];
		ns_snprintf(line, sizeof line, _("cancelled at %s: %s of %s run"), tb,
			    simtime_fmt(sim_now(p->sim) - j->start, db, sizeof db),
			    simtime_fmt_dur(j->end - j->start, eb, sizeof eb));
		log_tagged(p, SS_ERROR, line);
	} else if (j->pred) {
		struct sbuf why = {0};
		pred_eval(p->w, j->pred, &why);
		const char *ptext = t->job_cmd + 4 + strspn(t->job_cmd + 4, " ") + 6;
		char pt[200];
		ns_snprintf(pt, sizeof pt, "%s", ptext);
		char *to = strstr(pt, " timeout ");
		if (to)
			*to = '\0';
		char line[EV_LEN];
		if (j->held)
			ns_snprintf(line, sizeof line, _("run until %s: held at %s (%s)"), pt, tb,
				    sbuf_str(&why));
		else
			ns_snprintf(line, sizeof line, _("run until %s: still false after %s (%s)"),
				    pt, simtime_fmt_dur(j->end - j->start, db, sizeof db),
				    sbuf_str(&why));
		log_tagged(p, j->held ? SS_OK : SS_NORMAL, line);
		sbuf_free(&why);
	}
	pred_free(j->pred);
	*j = (struct tui_job){0};
}

/* Stops the long command in every pane (esc, ^C, q). */
static void job_cancel(struct tui *t)
{
	if (!job_running(t))
		return;
	for (int i = 0; i < t->npanes; i++)
		job_end(&t->pane[i], true);
	/* Paused where it stopped, so that the note stays in view. Lines
	 * typed ahead are cancelled with it (up recalls them). */
	int queued = 0;
	for (size_t i = 0; i < t->typed_ahead.len; i++)
		queued += t->typed_ahead.s[i] == '\n';
	sbuf_clear(&t->typed_ahead);
	if (queued)
		set_msg(t, SS_ERROR,
			P_(":%s cancelled, and %d line typed after it (: and up recall it); "
			   "paused",
			   ":%s cancelled, and %d lines typed after it (: and up recall them); "
			   "paused",
			   (unsigned long)queued),
			t->job_cmd, queued);
	else
		set_msg(t, SS_ERROR, _(":%s cancelled; paused (space runs on)"), t->job_cmd);
	t->job_cmd[0] = '\0';
	t->running = false;
	anchor(t);
}

/* One slice of `step N` in pane p, as `step K` commands: true while
 * events are left. */
static bool job_steps(struct tui_pane *p, double deadline)
{
	struct tui_job *j = &p->job;
	while (j->steps_left > 0) {
		long k = MIN(j->chunk, j->steps_left);
		char cmd[48];
		ns_snprintf(cmd, sizeof cmd, "step %ld", k);
		uint64_t before = sim_events(p->sim);
		double t0 = wall_now();
		struct sbuf err = {0};
		world_exec_line(p->w, cmd, &err);
		sbuf_free(&err);
		long done = (long)(sim_events(p->sim) - before);
		j->steps_left -= k;
		if (done < k)
			j->steps_left = 0; /* nothing left to happen */
		/* Chunks of about a fifth of a slice. */
		double took = wall_now() - t0;
		if (took < JOB_SLICE / 10 && j->chunk < (1L << 24))
			j->chunk *= 2;
		else if (took > JOB_SLICE / 3 && j->chunk > 1)
			j->chunk /= 2;
		if (wall_now() > deadline)
			break;
	}
	return j->steps_left > 0;
}

/* One slice of the long command in every pane; the progress on the
 * message line, or how it ended. */
static void job_slice(struct tui *t)
{
	double deadline = wall_now() + JOB_SLICE / t->npanes;
	bool left = false;
	double done = 1;
	for (int i = 0; i < t->npanes; i++) {
		struct tui_pane *p = &t->pane[i];
		if (!p->job.on)
			continue;
		if (p->job.steps) {
			if (job_steps(p, deadline)) {
				left = true;
				done =
				    MIN(done, 1 - (double)p->job.steps_left / (double)p->job.steps);
			} else {
				p->job = (struct tui_job){0};
			}
			deadline += JOB_SLICE / t->npanes;
			continue;
		}
		struct job_slice js = {p, deadline, 0, false};
		bool stopped = sim_run_while(p->sim, p->job.end, job_stop, &js);
		if (stopped && js.yielded) {
			left = true;
			double span = (double)(p->job.end - p->job.start);
			double f = span > 0 ? (double)(sim_now(p->sim) - p->job.start) / span : 1;
			done = MIN(done, f);
		} else {
			job_end(p, false);
		}
		deadline += JOB_SLICE / t->npanes;
	}
	if (!left && t->npanes > 1) {
		/* Each pane's `run until` stopped when its own predicate held:
		 * the panes that stopped earlier run on to the latest, so that
		 * the screen keeps one clock. */
		sim_time latest = 0;
		for (int i = 0; i < t->npanes; i++)
			latest = MAX(latest, sim_now(t->pane[i].sim));
		for (int i = 0; i < t->npanes; i++) {
			struct tui_pane *p = &t->pane[i];
			if (sim_now(p->sim) < latest) {
				p->job = (struct tui_job){
				    .on = true, .start = sim_now(p->sim), .end = latest};
				left = true;
				done = 0;
			}
		}
	}
	if (left) {
		char tb[32];
		simtime_fmt(sim_now(t->pane[0].sim) / SIM_MS * SIM_MS, tb, sizeof tb);
		int queued = 0;
		for (size_t i = 0; i < t->typed_ahead.len; i++)
			queued += t->typed_ahead.s[i] == '\n';
		if (queued)
			set_msg(t, SS_KEY,
				_(":%s  %.1f%%  t=%s  %.0fs  then %d typed ahead (esc cancels)"),
				t->job_cmd, 100 * done, tb, wall_now() - t->job_wall0, queued);
		else
			set_msg(t, SS_KEY, _(":%s  %.1f%%  t=%s  %.0fs  (esc cancels)"), t->job_cmd,
				100 * done, tb, wall_now() - t->job_wall0);
		return;
	}
	set_msg(t, SS_DIM, ":%s", t->job_cmd);
	t->job_cmd[0] = '\0';
	t->running = t->job_resume;
	anchor(t);
}

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
	/* `glossary TERM`: the screen's, like `help` (tui_glossary.c). */
	if (!strncmp(line, "glossary", 8) && (!line[8] || line[8] == ' ')) {
		if (t->ses)
			tui_session_glossary(t->ses, line + 8);
		else
			set_msg(t, SS_ERROR, "%s", _("no glossary found in the lessons directory"));
		return;
	}
	if (job_running(t)) {
		/* Typed ahead: it runs when the long command is done. */
		sbuf_printf(&t->typed_ahead, "%s\n", line);
		set_msg(t, SS_KEY, _("queued :%s (it runs after :%s; esc cancels both)"), line,
			t->job_cmd);
		return;
	}
	if (job_begin(t, line)) {
		job_slice(t);
		return;
	}
	exec(t, line);
}

static int nnodes(const struct tui *t)
{
	return t->pane[0].sim ? sim_nodes(t->pane[0].sim) : 0;
}

static bool link_up(struct tui *t, int a, int b)
{
	return sim_link_c(t->pane[0].sim, a, b)->up;
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
	/* A network with every link up starts the cycle again: after h (or a
	 * heal typed at the prompt) the next p partitions, never heals. */
	bool whole = true;
	for (int i = 0; i < n && whole; i++)
		for (int j = 0; j < n && whole; j++)
			whole = i == j || link_up(t, i, j);
	if (whole)
		t->preset = 0;
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
	struct world *ws[TUI_PANES_MAX];
	for (int i = 0; i < t->npanes; i++)
		ws[i] = t->pane[i].w;
	tui_keys_help_many(ws, t->npanes, t->term.unicode, &t->help, &t->nhelp);
	if (t->view != VIEW_HELP)
		t->before_help = t->view;
	t->view = VIEW_HELP;
	t->help_scroll = 0;
}

static void scroll_view(struct tui *t, int delta)
{
	if (t->view == VIEW_HISTORY) {
		/* Up and page up go back in time. */
		tui_hist_scroll(t->pane[0].hist, t->pane[0].w,
				-delta * (delta == 1 || delta == -1 ? 10 : 4));
		return;
	}
	if (t->view == VIEW_HELP) {
		/* The help reads down: down and page down go on, up and page
		 * up back; never past its last lines into a blank screen. */
		t->help_scroll = MAX(0, MIN(t->help_scroll - delta, t->nhelp - 3));
		return;
	}
	int *s = t->view == VIEW_LOGS ? &t->logs_scroll : &t->tl_scroll;
	*s = MAX(0, *s + delta);
}

/* t: the protocol's "time out now" on the selected node, as command text
 * (recorded like any other), or why there is none. */
static void timeout_now(struct tui *t)
{
	if (!t->pane[0].sim || !nnodes(t))
		return;
	const struct proto_ops *ops = sim_proto(t->pane[0].sim);
	if (!ops->timeout_cmd) {
		set_msg(t, SS_ERROR, _("%s has no \"time out now\": no timer makes its nodes act"),
			ops->name);
		return;
	}
	execf(t, "%s n%d", ops->timeout_cmd, t->sel + 1);
}

/* m: opens the message in flight after the one open (by id, the order
 * they were sent in), wrapping around; time pauses so that it stays on
 * the wire while the learner reads it. */
static void open_next_msg(struct tui *t)
{
	struct sim *s = t->pane[0].sim;
	if (!s || t->view != VIEW_CLUSTER)
		return;
	struct tui_snapbuf *b = &t->sb;
	bool found = false, have_first = false;
	uint32_t best = 0, first = 0;
	for (int i = 0; i < sim_inflight_count(s); i++) {
		const struct msg *m = sim_inflight(s, i);
		if (m->from >= SCENE_MAX_NODES || m->to >= SCENE_MAX_NODES)
			continue;
		if (!have_first || m->id < first) {
			first = m->id;
			have_first = true;
		}
		if ((!b->msg_open || m->id > b->msg_sel) && (!found || m->id < best)) {
			best = m->id;
			found = true;
		}
	}
	if (!have_first) {
		b->msg_open = false;
		set_msg(t, SS_DIM, "%s", _("no message in flight (. runs one event)"));
		return;
	}
	b->msg_open = true;
	b->msg_sel = found ? best : first;
	t->msg_was_open = true;
	if (t->running) {
		t->running = false;
		anchor(t);
	}
	set_msg(t, SS_DIM, "%s",
		_("paused on a message: m the next one, . one event, space runs on, esc closes"));
}

/* What the view shows when it is the timeline: the message traffic, or
 * the protocol's own picture of time (one cluster only). */
enum tl_kind { TL_NONE, TL_TRAFFIC, TL_CLOCKS, TL_SWIM, TL_PHI };

static enum tl_kind timeline_kind(const struct tui *t)
{
	struct sim *s = t->pane[0].sim;
	if (t->view != VIEW_TIMELINE)
		return TL_NONE;
	if (t->npanes != 1 || !s)
		return TL_TRAFFIC;
	return tui_st_applies(s)       ? TL_CLOCKS
	       : tui_gossip_applies(s) ? TL_SWIM
	       : tui_phi_applies(s)    ? TL_PHI
				       : TL_TRAFFIC;
}

/* The space-time diagram's state, made when first needed. */
static struct tui_st *st_of(struct tui *t)
{
	if (!t->st)
		t->st = tui_st_new();
	return t->st;
}

static void act(struct tui *t, enum tui_act a, int code)
{
	int n = nnodes(t);
	if (job_running(t)) {
		/* A long command runs: esc cancels it, q cancels it and quits. */
		if (a == ACT_PROMPT) {
			/* A line typed now waits for the command (on_prompt_line). */
			tui_prompt_open(t->prompt, LINES - 2, COLS);
			return;
		}
		if (a == ACT_BACK || a == ACT_QUIT)
			job_cancel(t);
		if (a == ACT_QUIT)
			t->quit = true;
		else if (a != ACT_BACK && a != ACT_NONE)
			set_msg(t, SS_ERROR, _(":%s is running: esc cancels it"), t->job_cmd);
		return;
	}
	if (t->multi && t->multi->ops->refuse) {
		const char *no = t->multi->ops->refuse(t, a);
		if (no) {
			set_msg(t, SS_ERROR, "%s", no);
			return;
		}
	}
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
		else if (timeline_kind(t) == TL_CLOCKS)
			tui_st_clear(st_of(t));
		t->sb.msg_open = t->msg_was_open = false;
		t->pending = ACT_NONE;
		t->msg[0] = '\0';
		break;
	case ACT_QUIT: t->quit = true; break;
	case ACT_RUN:
		t->running = !t->running;
		anchor(t);
		break;
	case ACT_STEP: {
		t->running = false;
		bool any = false;
		for (int i = 0; i < t->npanes; i++)
			any |= world_step(t->pane[i].w);
		if (!any)
			set_msg(t, SS_DIM, "%s", _("nothing left to happen"));
		else if (t->npanes > 1)
			set_msg(t, SS_DIM, "%s", _("one event in each cluster"));
		anchor(t);
		break;
	}
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
		if (timeline_kind(t) == TL_CLOCKS)
			tui_st_move(st_of(t), t->pane[0].sim, a == ACT_UP ? -1 : 1);
		else if (timeline_kind(t) == TL_SWIM)
			tui_gossip_scroll(&t->gossip, t->pane[0].sim,
					  scene_gossip_rows(COLS, LINES), a == ACT_UP ? -1 : 1);
		else if (timeline_kind(t) == TL_PHI)
			tui_phi_peer(&t->phi, t->pane[0].sim, t->sel, a == ACT_UP ? -1 : 1);
		else if (t->view == VIEW_CLUSTER)
			act(t, a == ACT_UP ? ACT_PREV : ACT_NEXT, 0);
		else
			scroll_view(t, a == ACT_UP ? 1 : -1);
		break;
	case ACT_PGUP:
	case ACT_PGDN:
		if (timeline_kind(t) == TL_CLOCKS)
			tui_st_move(st_of(t), t->pane[0].sim, a == ACT_PGUP ? -page : page);
		else if (timeline_kind(t) == TL_SWIM)
			tui_gossip_scroll(&t->gossip, t->pane[0].sim,
					  scene_gossip_rows(COLS, LINES),
					  a == ACT_PGUP ? -page : page);
		else
			scroll_view(t, a == ACT_PGUP ? page : -page);
		break;
	case ACT_CRASH:
		if (n)
			execf(t, "%s n%d",
			      sim_node_c(t->pane[0].sim, t->sel)->up ? "crash" : "restart",
			      t->sel + 1);
		break;
	case ACT_TRAITOR:
		if (n) {
			/* loyal -> lie -> equivocate -> silent -> loyal (issue 19); a
			 * refusal (no corrupt_msg: only silent) is the command's. */
			static const char *const next[] = {[BYZ_LOYAL] = "traitor n%d lie",
							   [BYZ_LIE] = "traitor n%d equivocate",
							   [BYZ_EQUIVOCATE] = "traitor n%d silent",
							   [BYZ_SILENT] = "loyal n%d",
							   [BYZ_RANDOM] = "loyal n%d"};
			enum byz_mode m = sim_byzantine(t->pane[0].sim, t->sel);
			execf(t, next[m], t->sel + 1);
		}
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
		if (t->view == VIEW_HISTORY)
			tui_hist_open(t->pane[0].hist, t->pane[0].w, COLS - SCENE_HIST_GUTTER - 1);
		break;
	case ACT_ZOOM_IN:
	case ACT_ZOOM_OUT:
		if (timeline_kind(t) == TL_CLOCKS)
			execf(t, "set show %s",
			      tui_st_next_clock(t->pane[0].sim, a == ACT_ZOOM_IN ? 1 : -1));
		else if (timeline_kind(t) == TL_PHI)
			tui_phi_zoom(&t->phi, a == ACT_ZOOM_IN ? 1 : -1);
		else
			tui_hist_zoom(t->pane[0].hist, a == ACT_ZOOM_IN ? 1 : -1);
		break;
	case ACT_WORKLOAD: exec(t, "workload clients 3 rate 20/s keys 2"); break;
	case ACT_TIMEOUT: timeout_now(t); break;
	case ACT_PRESENT:
		t->present = !t->present;
		tui_term_present(&t->term, t->present_attr);
		tui_paint_forget(&t->painted);
		set_msg(t, SS_DIM, "%s",
			t->present ? _("presenter mode: on (P turns it off)")
				   : _("presenter mode: off"));
		break;
	case ACT_EVENTS:
		t->traffic_off = !t->traffic_off;
		set_msg(
		    t, SS_DIM, "%s",
		    t->traffic_off
			? _("event log: what happened, without the message traffic (e: everything)")
			: _("event log: everything, messages included"));
		break;
	case ACT_SLOWMO:
		t->auto_slow = !t->auto_slow;
		set_msg(t, SS_DIM, "%s",
			t->auto_slow ? _("slow motion while a node campaigns: on (M turns it off)")
				     : _("slow motion while a node campaigns: off"));
		break;
	case ACT_MSG: open_next_msg(t); break;
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
	if (job_running(t))
		return;
	if (t->ses && tui_session_click(t->ses, me.x, me.y))
		return;
	if (t->view != VIEW_CLUSTER)
		return;
	int mi = scene_hit_msg(&t->sc, me.x, me.y);
	if (mi >= 0 && mi < t->snap.nmsgs && t->sb.msg_ids) {
		/* A message: open it (and pause, as m does). */
		t->sb.msg_open = t->msg_was_open = true;
		t->sb.msg_sel = t->sb.msg_ids[mi];
		t->running = false;
		anchor(t);
		set_msg(t, SS_DIM, "%s",
			_("paused on a message: m the next one, . one event, space runs on, esc "
			  "closes"));
		return;
	}
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
	if (t->multi)
		sbuf_printf(&d, "%s%s%d %s%sseed %llu", t->multi->name,
			    t->term.unicode ? " · " : " - ", t->multi->nodes, _("nodes"),
			    t->term.unicode ? " · " : " - ", (unsigned long long)t->multi->seed);
	else
		world_describe(t->pane[0].w, &d);
	char tb[32], sp[16];
	/* Milliseconds are enough on the status line. */
	simtime_fmt(t->pane[0].sim ? sim_now(t->pane[0].sim) / SIM_MS * SIM_MS : 0, tb, sizeof tb);
	double s = speed_now(t);
	ns_snprintf(sp, sizeof sp, s < 0.095 ? "%.2fx" : s < 10 ? "%.1fx" : "%.0fx", s);
	const char *dot = t->term.unicode ? " · " : " - ";
	/* M: "slow-mo" while it slows time down, "auto slow-mo" while armed. */
	const char *slow = !t->auto_slow          ? ""
			   : s < speeds[t->speed] ? _(" slow-mo")
						  : _(" auto slow-mo");
	ns_snprintf(t->status, sizeof t->status, "netsplit%s%s%st=%s%s%s%s%s%s", dot, sbuf_str(&d),
		    dot, tb, dot, sp, slow, dot, t->running ? _("running") : _("paused"));
	if (t->present) {
		size_t len = strlen(t->status);
		ns_snprintf(t->status + len, sizeof t->status - len, "%s%s", dot, _("presenter"));
	}
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
	if (t->pane[0].sim) {
		tui_snap_cluster(t->pane[0].sim, t->sel, &t->sb, s);
		if (t->pending != ACT_NONE)
			s->selected = t->sel;
	}
	for (int i = 0; i < t->npanes; i++) {
		struct tui_pane *p = &t->pane[i];
		for (int k = 0; k < p->ndrops; k++)
			p->droplist[k] = p->drops[k].d;
	}
	s->ndrops = t->pane[0].ndrops;
	s->drops = t->pane[0].droplist;
	/* the event log, oldest first */
	struct ev_ring *r = t->traffic_off ? &t->happened : &t->all;
	int first = (r->next - r->n + EV_MAX) % EV_MAX;
	for (int i = 0; i < r->n; i++) {
		int k = (first + i) % EV_MAX;
		t->evlines[i] = (struct scene_line){r->line[k], r->style[k]};
	}
	s->nevents = r->n;
	s->events = t->evlines;
	const char *matches = tui_prompt_matches(t->prompt);
	s->prompt = tui_prompt_active(t->prompt);
	s->completions = s->prompt ? matches : NULL;
	s->message = t->msg[0] ? t->msg : NULL;
	s->message_style = t->msg_style;
	build_keys(t);
	s->nkeys = t->nkeys;
	s->keys = t->keys;
	if (t->sb.msg_open != t->msg_was_open) {
		/* The message opened left the wire since the last frame. */
		t->msg_was_open = false;
		set_msg(t, SS_DIM, "%s", _("the message opened has arrived or was lost"));
		s->message = t->msg;
		s->message_style = t->msg_style;
	}
	if (t->ses)
		tui_session_snap(t->ses, s);
	if (s->side != t->sb.side)
		s->side_node = -1; /* the session's pane (a lesson) */
	if (t->view == VIEW_LOGS && t->pane[0].sim)
		tui_snap_logs(t->pane[0].sim, t->logs_scroll, MAX(0, LINES - 4), &t->sb, s);
	enum tl_kind tk = timeline_kind(t);
	if (tk == TL_CLOCKS) {
		tui_st_fill(st_of(t), t->pane[0].sim, t->term.unicode,
			    scene_spacetime_rows(COLS, LINES), s);
	} else if (tk == TL_SWIM) {
		tui_gossip_fill(&t->gossip, t->pane[0].sim, t->sel, t->term.unicode, s);
	} else if (tk == TL_PHI) {
		tui_phi_fill(&t->phi, t->pane[0].sim, t->sel, t->term.unicode, s);
	} else if (tk == TL_TRAFFIC) {
		int first_tl = (t->tl_next - t->tl_n + TL_MAX) % TL_MAX;
		for (int i = 0; i < t->tl_n; i++)
			t->tl_lin[i] = t->tl[(first_tl + i) % TL_MAX];
		s->ntl = t->tl_n;
		s->tl = t->tl_lin;
		s->tl_now = t->pane[0].sim ? sim_now(t->pane[0].sim) : 0;
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
	case VIEW_CLUSTER:
		if (t->multi)
			t->multi->ops->draw(t, &t->sc, &t->snap);
		else
			scene_view_cluster(&t->sc, &t->snap);
		break;
	case VIEW_LOGS: scene_view_logs(&t->sc, &t->snap); break;
	case VIEW_TIMELINE:
		switch (timeline_kind(t)) {
		case TL_CLOCKS: scene_view_spacetime(&t->sc, &t->snap); break;
		case TL_SWIM: scene_view_gossip(&t->sc, &t->snap); break;
		case TL_PHI: scene_view_phi(&t->sc, &t->snap); break;
		default: scene_view_timeline(&t->sc, &t->snap); break;
		}
		break;
	case VIEW_HISTORY:
		tui_hist_fill(t->pane[0].hist, t->pane[0].w, t->term.unicode,
			      COLS - SCENE_HIST_GUTTER - 1, &t->hv);
		scene_view_history(&t->sc, &t->snap, &t->hv);
		break;
	case VIEW_HELP: scene_view_help(&t->sc, &t->snap); break;
	}
	if (!t->multi && world_history(t->pane[0].w)->n && !scene_too_small(COLS, LINES))
		scene_status_badge(&t->sc, t->status, t->snap.status_right,
				   tui_hist_verdict_text(t->pane[0].hist),
				   tui_hist_verdict_style(t->pane[0].hist));
	if (t->ses && !scene_too_small(COLS, LINES))
		tui_session_overlay(t->ses, &t->sc);
	scene_view_completions(&t->sc, &t->snap);
	scene_rasterize(&t->sc, &t->grid);
	tui_paint(stdscr, &t->grid, &t->painted, t->present ? t->present_attr : t->term.attr);
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
	if (!t->running || !t->pane[0].sim)
		return;
	for (int k = 0; k < t->npanes; k++) {
		struct tui_pane *p = &t->pane[k];
		for (int i = 0; i < p->ndrops; i++)
			p->drops[i].age += dt;
		int keep = 0;
		for (int i = 0; i < p->ndrops; i++)
			if (p->drops[i].age < DROP_LIFE)
				p->drops[keep++] = p->drops[i];
		p->ndrops = keep;
	}
	double x = speed_now(t);
	if (x != t->eff_speed) {
		/* Slow motion began or ended: time goes on from here at x. */
		t->eff_speed = x;
		t->wall0 = t->last_frame - dt;
		t->sim0 = sim_now(t->pane[0].sim);
	}
	sim_time target = t->sim0 + (sim_time)((now - t->wall0) * x * 1e6);
	/* After a stall (a suspended terminal, a slow frame) do not catch up
	 * on all the time missed at once: at most a fifth of a second's worth. */
	sim_time most = sim_now(t->pane[0].sim) + (sim_time)(0.2 * x * 1e6);
	bool slipped = target > most;
	sim_time to = slipped ? most : target;
	if (t->auto_slow && x > SLOW_MOTION) {
		/* Armed slow motion: an election can start and end within one
		 * frame at 1x, so time goes in steps of a millisecond until
		 * something worth watching begins; the rest of the frame is
		 * then slow (the next frame re-anchors at the slow speed). */
		sim_time at = sim_now(t->pane[0].sim);
		while (at < to && !watch_worthy(t)) {
			at = MIN(to, at + SIM_MS);
			if (!t->ses || !tui_session_advance(t->ses, at))
				for (int i = 0; i < t->npanes; i++)
					world_advance_to(t->pane[i].w, at);
		}
	} else if (!t->ses || !tui_session_advance(t->ses, to)) {
		for (int i = 0; i < t->npanes; i++)
			world_advance_to(t->pane[i].w, to);
	}
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

/* Bytes read after a prompt line ended in the same read (typed ahead):
 * keys again, up to a ':' that opens the prompt, which gets the rest.
 * Escape sequences (arrows) in them are skipped: keypad translation was
 * for stdscr's reads, and a lone escape would cancel what was typed. */
static void typed_ahead_keys(struct tui *t, const unsigned char *b, int n)
{
	int i = 0;
	while (i < n && !t->quit) {
		if (tui_prompt_active(t->prompt)) {
			i += tui_prompt_feed(t->prompt, b + i, n - i);
			continue;
		}
		int ch = b[i++];
		if (ch == 27) {
			if (i < n && (b[i] == '[' || b[i] == 'O'))
				for (i++; i < n && !(b[i] >= 0x40 && b[i] <= 0x7e); i++)
					;
			i += i < n;
			continue;
		}
		if (ch == '\r')
			ch = '\n';
		if (scene_too_small(COLS, LINES) && ch != 'q')
			continue;
		act(t, tui_keys_action(ch), ch);
	}
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
		int used = tui_prompt_feed(t->prompt, buf, n);
		typed_ahead_keys(t, buf + used, n - used);
		if (tui_prompt_active(t->prompt) || t->quit)
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
		int sig = tui_term_pending_signal();
		if (sig == SIGINT && job_running(t)) {
			/* ^C stops the long command, not the program. */
			tui_term_signal_handled();
			job_cancel(t);
		} else if (sig) {
			tui_term_signal_seen();
			break;
		}
		if (job_running(t))
			job_slice(t);
		while (!job_running(t) && t->typed_ahead.len) {
			/* The next line typed ahead, as if typed now. */
			char *nl = strchr(t->typed_ahead.s, '\n');
			size_t len = (size_t)(nl - t->typed_ahead.s);
			char *line = xstrndup(t->typed_ahead.s, len);
			memmove(t->typed_ahead.s, nl + 1, t->typed_ahead.len - len - 1);
			t->typed_ahead.len -= len + 1;
			t->typed_ahead.s[t->typed_ahead.len] = '\0';
			on_prompt_line(t, line);
			free(line);
		}
		advance(t);
		bool busy = false;
		for (int i = 0; i < t->npanes; i++) {
			struct tui_pane *p = &t->pane[i];
			if (tui_hist_tick(p->hist, p->w, 0.002 / t->npanes) && !t->multi)
				set_msg(
				    t, SS_ERROR, "%s",
				    _("not linearizable: tab to the history view for the proof"));
			busy |= tui_hist_busy(p->hist);
		}
		if (t->ses)
			tui_session_frame(t->ses);
		draw(t);
		double spent = wall_now() - t->last_frame;
		int timeout = -1;
		if (job_running(t))
			timeout = 0; /* the next slice after a look at the keys */
		else if (t->running || busy || (t->ses && tui_session_busy(t->ses)))
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

/* Builds the world (before the terminal is taken, or under the home
 * screen). Returns 0, or an exit status with the reason in t->fail, which
 * the caller prints once curses has let go of the terminal. */
/* A fresh world for pane i, with the screen's hooks. */
static void pane_world(struct tui *t, int i)
{
	struct tui_pane *p = &t->pane[i];
	p->t = t;
	p->sim = NULL;
	p->w = world_new();
	world_set_output(p->w, on_output, p);
	world_on_new_sim(p->w, on_new_sim, p);
}

/* What every screen starts with: npanes worlds, the scene, the speed. */
static void setup_common(struct tui *t, int npanes)
{
	t->term.saved_stderr = -1; /* the terminal is not ours yet */
	/* Known before the terminal is taken: the event log is written from
	 * the first command on. */
	t->term.unicode = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t->npanes = npanes;
	for (int i = 0; i < npanes; i++) {
		pane_world(t, i);
		t->pane[i].hist = tui_hist_new();
	}
	t->speed = SPEED_1X;
	t->view = VIEW_CLUSTER;
	t->before_help = VIEW_CLUSTER;
	scene_init(&t->sc);
	scene_grid_init(&t->grid);
}

static int setup(struct tui *t, const struct tui_options *o)
{
	t->opt = *o;
	setup_common(t, 1);
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
			world_force_seed(t->pane[0].w, o->seed);
		struct script *sc = script_parse(text, o->open_file, t->pane[0].w, &err);
		free(text);
		if (!sc) {
			sbuf_printf(&t->fail, "%s\n", sbuf_str(&err));
			status = 2;
			goto out;
		}
		/* Stop at the moment safety breaks, not after the file's end:
		 * that moment is what a learner opens a failing run to see. */
		world_halt_at_violation(t->pane[0].w, !o->open_to_end);
		if (world_run(t->pane[0].w, sc, &err) == EXEC_ERROR)
			set_msg(t, SS_ERROR, "%s", sbuf_str(&err));
		script_free(sc);
		world_halt_at_violation(t->pane[0].w, false);
		const char *why = NULL;
		sim_time vat = 0;
		if (t->pane[0].sim && sim_halted(t->pane[0].sim) &&
		    world_violation(t->pane[0].w, &why, &vat)) {
			sim_resume(t->pane[0].sim);
			t->running = false;
			char tb[32];
			set_msg(t, SS_ERROR,
				_("safety broke at %s (line %d): %s; paused there, the rest of the "
				  "file not run (space runs on)"),
				simtime_fmt(vat, tb, sizeof tb), world_halted_line(t->pane[0].w),
				why);
			goto out;
		}
		if (!t->pane[0].sim) {
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
				simtime_fmt(sim_now(t->pane[0].sim), tb, sizeof tb));
		}
		goto out;
	}
	const char *proto = o->proto ? o->proto : proto_all[0]->name;
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
	if (world_exec_line(t->pane[0].w, cmd, &err) == EXEC_OK) {
		ns_snprintf(cmd, sizeof cmd, "cluster %s %d", proto, n);
		world_exec_line(t->pane[0].w, cmd, &err);
	}
	if (!t->pane[0].sim || err.len) {
		sbuf_printf(&t->fail, "netsplit sandbox: %s\n", sbuf_str(&err));
		status = 2;
		goto out;
	}
	t->running = true;
	/* No hint on the message line: the key bar below says the same. */
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
	for (int i = 0; i < t->npanes; i++) {
		struct tui_pane *p = &t->pane[i];
		pred_free(p->job.pred);
		world_free(p->w);
		tui_hist_free(p->hist);
		tui_snapbuf_free(&p->sb);
		*p = (struct tui_pane){0};
	}
	scene_close(&t->sc);
	scene_grid_close(&t->grid);
	scene_grid_close(&t->painted);
	tui_snapbuf_free(&t->sb);
	tui_st_free(t->st);
	t->st = NULL;
	tui_gossip_free(&t->gossip);
	tui_phi_free(&t->phi);
	tui_keys_help_free(t->help, t->nhelp);
	t->help = NULL;
	t->nhelp = 0;
	sbuf_free(&t->line);
	sbuf_free(&t->typed_ahead);
	if (t->fail.len)
		fputs(sbuf_str(&t->fail), stderr);
	sbuf_free(&t->fail);
}

/* Runs the screen over a world already set up. */
static bool glossary_complete(void *ctx, const char *line, int end,
			      void (*add)(void *actx, const char *cand), void *actx)
{
	return tui_session_glossary_complete(ctx, line, end, add, actx);
}

static int screen(struct tui *t)
{
	if (!t->term.active && !tui_term_open(&t->term))
		return 1;
	t->prompt = tui_prompt_new(&t->pane[0].w, on_prompt_line, t);
	if (t->ses)
		tui_prompt_set_completer(t->prompt, glossary_complete, t->ses);
	tui_keys_help(t->pane[0].w, t->term.unicode, &t->help, &t->nhelp);
	t->present = t->opt.present;
	tui_term_present(&t->term, t->present_attr);
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
	return t->pane[0].w;
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

void tui_set_speed_factor(struct tui *t, double x)
{
	int best = SPEED_1X;
	for (int i = 0; i < (int)ARRAY_LEN(speeds); i++)
		if (fabs(speeds[i] - x) < fabs(speeds[best] - x))
			best = i;
	tui_set_speed(t, best);
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
	world_free(t->pane[0].w);
	pane_world(t, 0);
	log_clear(t);
	t->tl_n = t->tl_next = 0;
	if (t->st)
		tui_st_reset(t->st);
	t->pane[0].ndrops = 0;
	return t->pane[0].w;
}

void tui_ask(struct tui *t, const char *question, void (*cb)(void *ctx, const char *answer),
	     void *ctx)
{
	tui_prompt_ask(t->prompt, LINES - 2, COLS, question, cb, ctx);
}

/* ---- screens of several panes (tui_internal.h) ------------------------------------------ */

int tui_multi_run(const struct tui_multi *m)
{
	struct tui *t = xcalloc(1, sizeof *t);
	t->multi = m;
	setup_common(t, MAX(1, MIN(m->n, TUI_PANES_MAX)));
	int status = 0;
	for (int i = 0; i < t->npanes; i++)
		ns_snprintf(t->pane[i].tag, sizeof t->pane[i].tag, "%s", m->pane[i].tag);
	t->ses = m->ses;
	if (t->ses) {
		/* Settings, and R's recorders on every world before its first
		 * command. */
		struct tui_options o = t->ses->opt;
		o.lesson = NULL;
		o.replay_id = 0;
		status = tui_session_begin(t->ses, t, &o, &t->fail);
	}
	char seed[64];
	ns_snprintf(seed, sizeof seed, "seed %llu", (unsigned long long)m->seed);
	for (int i = 0; i < t->npanes && !status; i++) {
		struct tui_pane *p = &t->pane[i];
		/* The set-up may be several commands, one a line. */
		char *setup = m->setup ? xstrdup(m->setup) : NULL, *save = NULL;
		const char *cmds[16] = {seed, m->pane[i].cluster};
		size_t ncmds = 2;
		for (char *l = setup ? strtok_r(setup, "\n", &save) : NULL;
		     l && ncmds < ARRAY_LEN(cmds); l = strtok_r(NULL, "\n", &save))
			cmds[ncmds++] = l;
		for (size_t k = 0; k < ncmds && !status; k++) {
			struct sbuf e = {0};
			if (world_exec_line(p->w, cmds[k], &e) == EXEC_ERROR) {
				sbuf_printf(&t->fail, "netsplit %s: %s: %s\n", m->name, cmds[k],
					    sbuf_str(&e));
				status = 2;
			}
			sbuf_free(&e);
		}
		free(setup);
		const char *c = m->pane[i].cluster;
		ns_snprintf(p->title, sizeof p->title, "%s%s%s", p->tag,
			    t->term.unicode ? " · " : " - ",
			    !strncmp(c, "cluster ", 8) ? c + 8 : c);
	}
	if (!status) {
		/* The set-up's replies: the titles say it. */
		log_clear(t);
		t->msg[0] = '\0';
		for (size_t i = 0; i < ARRAY_LEN(m->intro); i++)
			if (m->intro[i])
				log_line(t, i ? SS_NORMAL : SS_TITLE, m->intro[i]);
		/* What opening the store did. */
		if (t->ses && t->ses->store_msg[0]) {
			set_msg(t, SS_ERROR, "%s", t->ses->store_msg);
			log_line(t, SS_ERROR, t->ses->store_msg);
		}
		t->running = true;
		status = screen(t);
	}
	teardown(t);
	free(t);
	return status;
}

int tui_npanes(const struct tui *t)
{
	return t->npanes;
}

struct tui_pane *tui_pane(struct tui *t, int i)
{
	return i >= 0 && i < t->npanes ? &t->pane[i] : NULL;
}

int tui_selected(const struct tui *t)
{
	return t->sel;
}

bool tui_term_unicode(const struct tui *t)
{
	return t->term.unicode;
}

bool tui_term_color(const struct tui *t)
{
	return t->term.color;
}

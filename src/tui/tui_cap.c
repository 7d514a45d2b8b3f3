/*
 * tui_cap.c — `netsplit cap`: CAP, side by side.
 *
 * Two worlds of the same size under the same seed: a CP cluster (Raft with
 * ReadIndex reads, linearizable) and an AP one (Dynamo-style quorums with
 * w=1 r=1, or an asynchronous primary). Both run the same client workload
 * (`workload clients 3 rate 10/s keys 2`, started at once) on the same
 * clock, and every command — typed at the prompt or made by a key — is run
 * in both: the learner cuts the network once and both clusters take the
 * same cut. Each side shows its tally (answered, refused, timed out, stale
 * reads; history_stats.c) and its live linearizability verdict, checked
 * within a small budget per frame (tui_history.c).
 *
 * The loop is the sandbox's (tui.c) in small: simulated time follows wall
 * time times the speed, a paused screen waits without a timeout, nothing
 * is drawn from a signal handler.
 */
#include "tui/tui_cap.h"

#include "tui/tui_history.h"
#include "tui/tui_internal.h"
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

#define CAP_FRAME_US (1000000 / 30)
#define CAP_EV_MAX   64
#define CAP_EV_LEN   160
#define CAP_WORKLOAD "workload clients 3 rate 10/s keys 2"

static const double cap_speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10};
enum { CAP_SPEED_1X = 3 };

struct cap;

struct cap_side {
	struct cap *cap;
	const char *tag; /* "CP", "AP" */
	struct world *w;
	struct tui_hist *hist;
	struct scene_snap snap;
	struct tui_snapbuf sb;
	struct hist_stats st;
	uint64_t st_rev;
	struct scene_hist hv;
	char title[96];
	char last[CAP_EV_LEN];
};

struct cap {
	struct cap_side side[2];
	struct tui_term term;
	struct tui_prompt *prompt;
	struct scene sc;
	struct scene_grid grid, painted;
	struct scene_snap snap;
	bool running, quit;
	int speed, sel, preset, nodes;
	uint64_t seed;
	double wall0;
	sim_time sim0;
	char ev[CAP_EV_MAX][CAP_EV_LEN];
	uint8_t ev_style[CAP_EV_MAX];
	int ev_next, ev_n;
	struct scene_line evlines[CAP_EV_MAX];
	char msg[256];
	int msg_style;
	char status[160];
	struct scene_key keys[8];
	struct sbuf line;
};

static double cap_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sim_time cap_now(struct cap *c)
{
	struct sim *s = world_sim(c->side[0].w);
	return s ? sim_now(s) : 0;
}

static void cap_anchor(struct cap *c)
{
	c->wall0 = cap_wall();
	c->sim0 = cap_now(c);
}

static void cap_log(struct cap *c, int style, const char *text)
{
	char *dst = c->ev[c->ev_next];
	ns_snprintf(dst, CAP_EV_LEN, "%s", text);
	for (char *p = dst; *p; p++)
		if (*p == '\n')
			*p = ' ';
	c->ev_style[c->ev_next] = (uint8_t)style;
	c->ev_next = (c->ev_next + 1) % CAP_EV_MAX;
	if (c->ev_n < CAP_EV_MAX)
		c->ev_n++;
}

/* Faults are the same on both sides: logged once (from the CP side); state
 * changes (a new leader) per side, tagged. */
static void cap_on_trace(void *ctx, const struct trace_event *ev)
{
	struct cap_side *sd = ctx;
	struct cap *c = sd->cap;
	struct sim *s = world_sim(sd->w);
	if (ev->kind != TR_FAULT && ev->kind != TR_STATE)
		return;
	sbuf_clear(&c->line);
	if (!trace_format(s, ev, &c->line))
		return;
	if (ev->kind == TR_STATE) {
		const char *txt = sbuf_str(&c->line);
		ns_snprintf(sd->last, sizeof sd->last, "%s", txt + strspn(txt, " "));
		return;
	}
	if (sd == &c->side[0])
		cap_log(c, SS_CUT, sbuf_str(&c->line));
}

static void cap_on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	(void)w;
	sim_observe(s, cap_on_trace, ctx);
}

static void cap_on_output(void *ctx, enum world_out k, const char *text)
{
	struct cap_side *sd = ctx;
	struct cap *c = sd->cap;
	if (k == OUT_INFO && sd != &c->side[0])
		return; /* the same reply twice says nothing */
	char line[CAP_EV_LEN + 8];
	ns_snprintf(line, sizeof line, "%s%s%s", k == OUT_INFO ? "" : sd->tag,
		    k == OUT_INFO ? "" : ": ", text);
	cap_log(c, k == OUT_ERROR ? SS_ERROR : SS_NORMAL, line);
	if (k == OUT_ERROR) {
		ns_snprintf(c->msg, sizeof c->msg, "%s", line);
		c->msg_style = SS_ERROR;
	}
}

/* Runs one command in both worlds. */
static void cap_exec(struct cap *c, const char *cmd)
{
	c->msg[0] = '\0';
	for (int i = 0; i < 2; i++) {
		struct sbuf err = {0};
		if (world_exec_line(c->side[i].w, cmd, &err) == EXEC_ERROR && !c->msg[0]) {
			ns_snprintf(c->msg, sizeof c->msg, "%s: %s", c->side[i].tag,
				    sbuf_str(&err));
			c->msg_style = SS_ERROR;
		}
		sbuf_free(&err);
	}
	if (!c->msg[0]) {
		ns_snprintf(c->msg, sizeof c->msg, _(":%s (both clusters)"), cmd);
		c->msg_style = SS_DIM;
	}
	cap_anchor(c);
}

static void cap_execf(struct cap *c, const char *fmt, ...) NS_PRINTF(2, 3);
static void cap_execf(struct cap *c, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cap_exec(c, cmd);
}

static void cap_on_line(void *ctx, const char *line)
{
	struct cap *c = ctx;
	if (!line)
		return;
	while (*line == ' ')
		line++;
	if (*line)
		cap_exec(c, line);
}

/* p: the selected node and its neighbour cut off from the rest (a
 * minority), then healed. */
static void cap_partition(struct cap *c)
{
	int n = c->nodes;
	if (n < 2 || c->preset++ % 2 == 1) {
		cap_exec(c, "heal");
		return;
	}
	int k = MAX(1, (n - 1) / 2);
	struct sbuf a = {0}, b = {0};
	for (int i = 0; i < n; i++) {
		int idx = (c->sel + i) % n;
		struct sbuf *to = i < k ? &a : &b;
		sbuf_printf(to, "%sn%d", to->len ? " " : "", idx + 1);
	}
	cap_execf(c, "partition %s | %s", sbuf_str(&a), sbuf_str(&b));
	sbuf_free(&a);
	sbuf_free(&b);
}

static void cap_act(struct cap *c, enum tui_act a, int code)
{
	int n = c->nodes;
	switch (a) {
	case ACT_QUIT: c->quit = true; break;
	case ACT_RUN:
	case ACT_STEP:
		c->running = a == ACT_RUN ? !c->running : false;
		cap_anchor(c);
		break;
	case ACT_FASTER:
	case ACT_SLOWER:
		c->speed = MAX(
		    0, MIN((int)ARRAY_LEN(cap_speeds) - 1, c->speed + (a == ACT_FASTER ? 1 : -1)));
		cap_anchor(c);
		break;
	case ACT_SELECT: {
		int i = code == '0' ? 9 : code - '1';
		if (i >= 0 && i < n)
			c->sel = i;
		break;
	}
	case ACT_PREV:
	case ACT_NEXT:
	case ACT_UP:
	case ACT_DOWN: c->sel = (c->sel + (a == ACT_NEXT || a == ACT_DOWN ? 1 : n - 1)) % n; break;
	case ACT_CRASH: {
		struct sim *s = world_sim(c->side[0].w);
		cap_execf(c, "%s n%d", sim_node_c(s, c->sel)->up ? "crash" : "restart", c->sel + 1);
		break;
	}
	case ACT_PARTITION: cap_partition(c); break;
	case ACT_HEAL: cap_exec(c, "heal"); break;
	case ACT_PUT:
		cap_execf(c, "put x %u via n%d", (unsigned)(cap_now(c) % 1000), c->sel + 1);
		break;
	case ACT_GET: cap_execf(c, "get x via n%d", c->sel + 1); break;
	case ACT_WORKLOAD: cap_exec(c, CAP_WORKLOAD); break;
	case ACT_PROMPT: tui_prompt_open(c->prompt, LINES - 2, COLS); break;
	case ACT_HELP:
		ns_snprintf(c->msg, sizeof c->msg, "%s",
			    _("keys act on both clusters: 1-9 select · c crash · p split/heal · "
			      "h heal · s put · g get · w workload · : command · space pause"));
		c->msg_style = SS_KEY;
		break;
	default: break;
	}
}

static void cap_side_frame(struct cap *c, struct cap_side *sd, struct scene_cap_side *out)
{
	struct sim *s = world_sim(sd->w);
	memset(&sd->snap, 0, sizeof sd->snap);
	sd->snap.unicode = c->term.unicode;
	sd->snap.color = c->term.color;
	tui_snap_cluster(s, c->sel, &sd->sb, &sd->snap);
	sd->snap.selected = c->sel;
	const struct history *h = world_history(sd->w);
	if (h->rev != sd->st_rev) {
		history_stats(h, &sd->st);
		sd->st_rev = h->rev;
	}
	*out = (struct scene_cap_side){
	    .title = sd->title,
	    .snap = &sd->snap,
	    .st = sd->st,
	    .verdict = h->n ? tui_hist_verdict_text(sd->hist) : NULL,
	    .verdict_style = tui_hist_verdict_style(sd->hist),
	    .last = sd->last[0] ? sd->last : NULL,
	};
	if (LINES >= 40) {
		tui_hist_fill(sd->hist, sd->w, c->term.unicode, COLS / 2 - SCENE_HIST_GUTTER - 3,
			      &sd->hv);
		out->hist = &sd->hv;
	}
}

static void cap_draw(struct cap *c)
{
	struct scene_snap *s = &c->snap;
	memset(s, 0, sizeof *s);
	s->w = COLS;
	s->h = LINES;
	s->unicode = c->term.unicode;
	s->color = c->term.color;
	char tb[32];
	simtime_fmt(cap_now(c) / SIM_MS * SIM_MS, tb, sizeof tb);
	const char *dot = c->term.unicode ? " · " : " - ";
	double sp = cap_speeds[c->speed];
	ns_snprintf(c->status, sizeof c->status, "netsplit cap%s%d %s%sseed %llu%st=%s%s%.1fx%s%s",
		    dot, c->nodes, _("nodes"), dot, (unsigned long long)c->seed, dot, tb, dot, sp,
		    dot, c->running ? _("running") : _("paused"));
	s->status = c->status;
	int first = (c->ev_next - c->ev_n + CAP_EV_MAX) % CAP_EV_MAX;
	for (int i = 0; i < c->ev_n; i++) {
		int k = (first + i) % CAP_EV_MAX;
		c->evlines[i] = (struct scene_line){c->ev[k], c->ev_style[k]};
	}
	s->nevents = c->ev_n;
	s->events = c->evlines;
	s->message = c->msg[0] ? c->msg : NULL;
	s->message_style = c->msg_style;
	s->prompt = tui_prompt_active(c->prompt);
	int nk = 0;
	c->keys[nk++] = (struct scene_key){"space", c->running ? _("pause") : _("run")};
	c->keys[nk++] = (struct scene_key){"p", _("split")};
	c->keys[nk++] = (struct scene_key){"c", _("crash")};
	c->keys[nk++] = (struct scene_key){"h", _("heal")};
	c->keys[nk++] = (struct scene_key){":", _("command")};
	c->keys[nk++] = (struct scene_key){"?", _("help")};
	c->keys[nk++] = (struct scene_key){"q", _("quit")};
	s->nkeys = nk;
	s->keys = c->keys;
	struct scene_cap_side cp, ap;
	cap_side_frame(c, &c->side[0], &cp);
	cap_side_frame(c, &c->side[1], &ap);
	scene_view_cap(&c->sc, s, &cp, &ap);
	scene_rasterize(&c->sc, &c->grid);
	tui_paint(stdscr, &c->grid, &c->painted, c->term.attr);
	touchline(stdscr, LINES - 2, 1);
	wnoutrefresh(stdscr);
	if (tui_prompt_active(c->prompt) && !scene_too_small(COLS, LINES))
		tui_prompt_draw(c->prompt);
	doupdate();
}

static void cap_advance(struct cap *c)
{
	if (!c->running)
		return;
	double now = cap_wall();
	sim_time target = c->sim0 + (sim_time)((now - c->wall0) * cap_speeds[c->speed] * 1e6);
	sim_time most = cap_now(c) + (sim_time)(0.2 * cap_speeds[c->speed] * 1e6);
	bool slipped = target > most;
	for (int i = 0; i < 2; i++)
		world_advance_to(c->side[i].w, slipped ? most : target);
	if (slipped || cap_wall() - now > 0.2)
		cap_anchor(c);
}

static void cap_input(struct cap *c)
{
	if (tui_prompt_active(c->prompt)) {
		unsigned char buf[256];
		int n = 0, ch;
		WINDOW *win = tui_prompt_window(c->prompt);
		while (n < (int)sizeof buf && (ch = wgetch(win)) != ERR) {
			if (ch == KEY_RESIZE) {
				tui_prompt_resize(c->prompt, LINES - 2, COLS);
				tui_paint_forget(&c->painted);
				win = tui_prompt_window(c->prompt);
				continue;
			}
			if (ch <= 255)
				buf[n++] = (unsigned char)ch;
		}
		tui_prompt_feed(c->prompt, buf, n);
		return;
	}
	nodelay(stdscr, TRUE);
	int ch;
	while (!c->quit && !tui_prompt_active(c->prompt) && (ch = wgetch(stdscr)) != ERR) {
		if (ch == KEY_RESIZE) {
			tui_paint_forget(&c->painted);
			clearok(curscr, TRUE);
			continue;
		}
		if (ch == KEY_MOUSE || (scene_too_small(COLS, LINES) && ch != 'q'))
			continue;
		cap_act(c, tui_keys_action(ch), ch);
	}
}

static void cap_loop(struct cap *c)
{
	cap_anchor(c);
	while (!c->quit && !tui_term_pending_signal()) {
		double t0 = cap_wall();
		cap_advance(c);
		for (int i = 0; i < 2; i++)
			tui_hist_tick(c->side[i].hist, c->side[i].w, 0.001);
		cap_draw(c);
		int timeout = -1;
		if (c->running || tui_hist_busy(c->side[0].hist) || tui_hist_busy(c->side[1].hist))
			timeout = MAX(1, (int)((CAP_FRAME_US / 1e6 - (cap_wall() - t0)) * 1000));
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		int r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR)
			break;
		cap_input(c);
		if (pfd.revents & (POLLHUP | POLLERR))
			break;
	}
}

/* The AP side's cluster command; NULL (message in err) if not available. */
static const char *ap_command(const char *ap, int n, char *buf, size_t len, struct sbuf *err)
{
	if (!ap)
		ap = proto_find("dynamo") ? "dynamo" : proto_find("primary") ? "primary" : NULL;
	if (!ap) {
		/* Neither AP protocol is built in: Raft answering reads from any
		 * node's local state stands in (available, not linearizable). */
		ns_snprintf(buf, len, "cluster raft %d reads=local", n);
		return buf;
	}
	if (!proto_find(ap)) {
		sbuf_printf(err, _("netsplit cap: --ap %s: that protocol is not built in\n"), ap);
		return NULL;
	}
	if (!strcmp(ap, "dynamo"))
		ns_snprintf(buf, len, "cluster dynamo %d n=%d w=1 r=1", n, MIN(3, n));
	else if (!strcmp(ap, "primary"))
		ns_snprintf(buf, len, "cluster primary %d mode=async", n);
	else {
		sbuf_printf(err, _("netsplit cap: --ap expects dynamo or primary, got \"%s\"\n"),
			    ap);
		return NULL;
	}
	return buf;
}

static int cap_setup(struct cap *c, const char *ap, struct sbuf *err)
{
	char cmds[2][128];
	ns_snprintf(cmds[0], sizeof cmds[0], "cluster raft %d reads=readindex", c->nodes);
	if (!ap_command(ap, c->nodes, cmds[1], sizeof cmds[1], err))
		return 2;
	c->term.unicode = !strcmp(nl_langinfo(CODESET), "UTF-8");
	for (int i = 0; i < 2; i++) {
		struct cap_side *sd = &c->side[i];
		sd->cap = c;
		sd->tag = i == 0 ? "CP" : "AP";
		sd->w = world_new();
		sd->hist = tui_hist_new();
		world_set_output(sd->w, cap_on_output, sd);
		world_on_new_sim(sd->w, cap_on_new_sim, sd);
		char seed[64];
		ns_snprintf(seed, sizeof seed, "seed %llu", (unsigned long long)c->seed);
		const char *setup[] = {seed, cmds[i], CAP_WORKLOAD};
		for (size_t k = 0; k < ARRAY_LEN(setup); k++) {
			struct sbuf e = {0};
			if (world_exec_line(sd->w, setup[k], &e) == EXEC_ERROR) {
				sbuf_printf(err, "netsplit cap: %s: %s\n", setup[k], sbuf_str(&e));
				sbuf_free(&e);
				return 2;
			}
			sbuf_free(&e);
		}
		ns_snprintf(sd->title, sizeof sd->title, "%s%s%s", sd->tag,
			    c->term.unicode ? " · " : " - ", cmds[i] + strlen("cluster "));
	}
	c->ev_n = c->ev_next = 0; /* the set-up's replies: the titles say it */
	char intro[CAP_EV_LEN];
	ns_snprintf(intro, sizeof intro, _("both clusters run: %s"), CAP_WORKLOAD);
	cap_log(c, SS_TITLE, intro);
	cap_log(c, SS_NORMAL,
		_("every key and command applies to both: p splits the network, h heals it"));
	c->running = true;
	return 0;
}

static void cap_teardown(struct cap *c)
{
	tui_prompt_free(c->prompt);
	tui_term_close(&c->term);
	for (int i = 0; i < 2; i++) {
		world_free(c->side[i].w);
		tui_hist_free(c->side[i].hist);
		tui_snapbuf_free(&c->side[i].sb);
	}
	scene_close(&c->sc);
	scene_grid_close(&c->grid);
	scene_grid_close(&c->painted);
	sbuf_free(&c->line);
}

static uint64_t cap_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
			s = 0;
		close(fd);
	}
	return (s ? s : (uint64_t)getpid()) % 1000000;
}

int tui_cap_main(int argc, char **argv)
{
	int nodes = 5;
	bool seed_set = false;
	uint64_t seed = 0;
	const char *ap = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(
			    "%s",
			    _("Usage: netsplit cap [N] [--seed S] [--ap dynamo|primary]\n"
			      "A CP cluster (raft, ReadIndex reads) and an AP cluster (dynamo\n"
			      "n=3 w=1 r=1, or an asynchronous primary) side by side, under the\n"
			      "same seed, workload, clock and faults: every key and command\n"
			      "applies to both. Each side counts requests answered, refused and\n"
			      "timed out, stale reads, and says whether it stayed "
			      "linearizable.\n"));
			return 0;
		}
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;
			errno = 0;
			seed = strtoull(argv[++i], &end, 10);
			if (*end || errno || !*argv[i] || *argv[i] == '-') {
				fprintf(stderr,
					_("netsplit: --seed expects a whole number, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			seed_set = true;
		} else if (!strcmp(argv[i], "--ap") && i + 1 < argc) {
			ap = argv[++i];
		} else if (argv[i][0] >= '1' && argv[i][0] <= '9') {
			char *end;
			long n = strtol(argv[i], &end, 10);
			if (*end || n < 1 || n > SCENE_MAX_NODES || n > SIM_MAX_NODES) {
				fprintf(stderr,
					_("netsplit cap: expected a number of nodes, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			nodes = (int)n;
		} else {
			fprintf(stderr, _("netsplit cap: unexpected argument \"%s\"\n"), argv[i]);
			return 2;
		}
	}
	struct cap *c = xcalloc(1, sizeof *c);
	c->nodes = nodes;
	c->seed = seed_set ? seed : cap_seed();
	c->speed = CAP_SPEED_1X;
	c->term.saved_stderr = -1;
	scene_init(&c->sc);
	scene_grid_init(&c->grid);
	struct sbuf err = {0};
	int status = cap_setup(c, ap, &err);
	if (!status) {
		if (!tui_term_open(&c->term)) {
			status = 1;
		} else {
			c->prompt = tui_prompt_new(&c->side[0].w, cap_on_line, c);
			cap_loop(c);
			int sig = tui_term_pending_signal();
			status = sig ? 128 + sig : 0;
		}
	}
	cap_teardown(c);
	free(c);
	if (err.len)
		fputs(sbuf_str(&err), stderr);
	sbuf_free(&err);
	return status;
}

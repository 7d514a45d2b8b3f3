/*
 * tui_internal.h — what the screen's files share: the terminal (tui_term.c),
 * painting a grid (tui_paint.c), the key table (tui_keys.c), the prompt
 * (tui_prompt.c), snapshots of the world (tui_snap.c), and the screen's
 * panes and the callbacks by which a screen of several clusters side by side
 * (tui_cap.c) shares the one event loop (tui.c). Only src/tui includes this
 * file.
 */
#ifndef NETSPLIT_TUI_INTERNAL_H
#define NETSPLIT_TUI_INTERNAL_H

#include "check/history_stats.h"
#include "script/script.h"
#include "tui/scene_history.h"
#include "tui/scene.h"
#include "tui/tui.h"

#include <curses.h>
#include <signal.h>

/* ---- the terminal (tui_term.c) --------------------------------------------- */

struct tui_term {
	bool active;           /* curses owns the terminal */
	bool unicode;          /* the locale's charset is UTF-8 */
	bool color;            /* colours in use (a colour terminal and no NO_COLOR) */
	attr_t attr[SS_COUNT]; /* each style role as curses attributes */
	int saved_stderr;      /* fd 2 while curses runs, or -1 */
};

/* Takes the terminal: stderr to a log file, curses, keypad and mouse,
 * signal handlers. Returns false (terminal untouched, message on stderr)
 * if there is no usable terminal. */
bool tui_term_open(struct tui_term *t);
/* Gives the terminal back; safe to call twice. */
void tui_term_close(struct tui_term *t);
/* Fills t->attr for the current curses screen (colour or NO_COLOR). */
void tui_term_styles(struct tui_term *t, bool want_color);
/* Fills attr[SS_COUNT] from the theme in use (tui_theme.h): its [colour]
 * styles and colour pairs when color, else its [mono] attributes. */
void tui_theme_styles(attr_t *attr, bool color);
/* The presenter's palette (P, --present): t's styles with no dim
 * attribute anywhere (dim text and dotted links wash out on projectors),
 * followers and secondary text in the terminal's own colour, bold where
 * colour alone would be faint. */
void tui_term_present(const struct tui_term *t, attr_t *out);
/* A quit signal that arrived (SIGINT, SIGTERM, SIGHUP), or 0. */
int tui_term_pending_signal(void);
/* Takes back a pending SIGINT that the screen used (^C cancelling a long
 * command) instead of ending: the program goes on. */
void tui_term_signal_handled(void);
/* The loop saw the pending signal and is ending: the grace alarm is off
 * (saving a recording on the way out may take its time). */
void tui_term_signal_seen(void);

/* ---- painting (tui_paint.c) ---------------------------------------------------- */

/* Paints the grid into win, one run of text per style change. Curses then
 * sends only what differs from the screen (wnoutrefresh + doupdate). With
 * `prev` (the grid painted last into win, or NULL), only cells that
 * changed are painted, and prev becomes a copy of g. */
void tui_paint(WINDOW *win, const struct scene_grid *g, struct scene_grid *prev,
	       const attr_t *attr);
/* Forgets the previous frame: the next tui_paint paints everything (after
 * a resize, or when something else drew into the window). */
void tui_paint_forget(struct scene_grid *prev);

/* ---- keys (tui_keys.c) ------------------------------------------------------ */

enum tui_act {
	ACT_NONE,
	ACT_HELP,
	ACT_QUIT,
	ACT_RUN,
	ACT_STEP,
	ACT_FASTER,
	ACT_SLOWER,
	ACT_SELECT, /* digits */
	ACT_PREV,
	ACT_NEXT,
	ACT_CRASH,
	ACT_CUT,
	ACT_CUT_ONEWAY,
	ACT_PARTITION,
	ACT_HEAL,
	ACT_PUT,
	ACT_GET,
	ACT_VIEW,
	ACT_PROMPT,
	ACT_UP,
	ACT_DOWN,
	ACT_PGUP,
	ACT_PGDN,
	ACT_BACK,
	ACT_ZOOM_IN, /* history view */
	ACT_ZOOM_OUT,
	ACT_WORKLOAD,
	ACT_TIMEOUT, /* time out now: the protocol's timeout_cmd on the selected node */
	ACT_MSG,     /* open the next message in flight */
	ACT_SLOWMO,  /* slow motion while a node campaigns, on or off */
	ACT_PRESENT, /* presenter mode on or off */
	ACT_EVENTS,  /* the event log with or without the message traffic */
	/* lessons, recordings and replays (tui_session.c) */
	ACT_LESSON_NEXT,
	ACT_HINT,
	ACT_SHOW_ME,
	ACT_RESTART,
	ACT_PANE,
	ACT_LESSONS,
	ACT_ENTER,
	ACT_RECORD,
	ACT_SEEK_BACK,
	ACT_SEEK_FWD,
	ACT_GOTO,
	ACT_TAKEOVER,
	ACT_LESSON_PREV,  /* lessons: the previous step */
	ACT_LESSON_FIRST, /* lessons: again from step 1 */
	ACT_GLOSSARY,     /* lessons: the glossary in the pane */
	ACT_TRAITOR,      /* the selected node: loyal, lie, equivocate, silent */
};

struct tui_key {
	int code;         /* a curses key code or a character */
	const char *name; /* as shown: "space", "1-9", "tab" */
	enum tui_act act;
	const char *help; /* N_() */
	const char *bar;  /* N_() short label for the key bar, or NULL */
};

/* The key table, ending with code 0. */
extern const struct tui_key tui_keys[];
/* The action for a key code, or ACT_NONE. */
enum tui_act tui_keys_action(int code);
/* The help text: every key, then every command and predicate of the
 * language (the current protocol's too), then the message glyphs of the
 * current protocol. Appends lines to out (caller frees with
 * tui_keys_help_free). */
void tui_keys_help(struct world *w, bool unicode, struct scene_line **out, int *n);
/* The same over several worlds (panes side by side): each protocol's
 * commands, predicates and glyphs once. */
void tui_keys_help_many(struct world *const *w, int nw, bool unicode, struct scene_line **out,
			int *n);
void tui_keys_help_free(struct scene_line *lines, int n);

/* ---- snapshots (tui_snap.c) ------------------------------------------------------ */

/* Buffers a snapshot points into; reused from frame to frame. Zero it to
 * start; tui_snapbuf_free releases it. */
struct tui_snapbuf {
	struct scene_link *links;
	size_t caplinks;
	struct scene_msg *msgs;
	size_t capmsgs;
	uint32_t *msg_ids; /* msg_ids[i]: the id of msgs[i] */
	size_t capids;
	bool msg_open;    /* a message is opened in the side pane */
	uint32_t msg_sel; /* its id (struct msg) */
	struct log_view_entry *logs;
	size_t caplogs;
	bool carry[SCENE_MAX_NODES][SCENE_MAX_NODES];
	int nside;
	struct scene_line side[VIEW_LINES + 12];
	char side_text[VIEW_LINES + 12][VIEW_LINE_LEN + 48];
	char side_title[64];
	struct node_view view; /* scratch */
};

/* Fills the nodes, links, messages in flight and side pane of out from s,
 * with node `sel` selected (-1: none). */
void tui_snap_cluster(struct sim *s, int sel, struct tui_snapbuf *b, struct scene_snap *out);
/* Fills the logs view's rows (after tui_snap_cluster): `rows` indexes
 * down from the newest, less `scroll`. */
void tui_snap_logs(struct sim *s, int scroll, int rows, struct tui_snapbuf *b,
		   struct scene_snap *out);
void tui_snapbuf_free(struct tui_snapbuf *b);

/* ---- the clocks protocol's space-time diagram (tui_spacetime.c) ----------------- */

/* The diagram's state: the selected event and the buffers of its
 * snapshot. */
struct tui_st;
struct tui_st *tui_st_new(void);
void tui_st_free(struct tui_st *st);
/* Whether simulation s keeps clock events (the timeline view then draws
 * the diagram instead of the message traffic). */
bool tui_st_applies(struct sim *s);
/* Forgets the selection (a new cluster). */
void tui_st_reset(struct tui_st *st);
/* Fills out's space-time fields (nst, st, st_top, st_title, st_detail)
 * for a diagram of `rows` rows. The pointers stay valid until the next
 * call. */
void tui_st_fill(struct tui_st *st, struct sim *s, bool unicode, int rows, struct scene_snap *out);
/* Moves the selection delta events in screen order (by row, then node);
 * with nothing selected, selects the newest event. */
void tui_st_move(struct tui_st *st, struct sim *s, int delta);
/* Drops the selection; false if there was none. */
bool tui_st_clear(struct tui_st *st);
/* The `show` word delta clocks on from the one shown (< and >). */
const char *tui_st_next_clock(struct sim *s, int delta);

/* ---- the SWIM membership matrix (tui_gossip.c) ----------------------------------- */

/* Its buffers and scroll; zero it to start. */
struct tui_gossip {
	uint8_t *cell, *row;
	size_t capcell, caprow;
	int top;
	char title[200];
	char detail[3][320];
	struct scene_line lines[3];
};
/* Whether simulation s runs SWIM (the timeline view then draws the
 * matrix). */
bool tui_gossip_applies(struct sim *s);
/* Fills out's gossip fields, tracing member `subject` (-1: none). */
void tui_gossip_fill(struct tui_gossip *g, struct sim *s, int subject, bool unicode,
		     struct scene_snap *out);
/* Scrolls the rows by delta, `rows` of them shown. */
void tui_gossip_scroll(struct tui_gossip *g, struct sim *s, int rows, int delta);
void tui_gossip_free(struct tui_gossip *g);

/* ---- the phi detector's plot (tui_phi.c) ------------------------------------------ */

#include "proto/phi.h"

/* The plot's peer, its span, buffers. Zero it to start. */
struct tui_phi {
	int peer; /* the peer chosen + 1; 0: the node after the observer */
	sim_time span;
	float *vals;
	size_t cap;
	struct phi_point pts[PHI_HIST];
	double now_value; /* φ at the observer's clock now (NAN: none), as filled */
	char title[200];
	char detail[2][320];
	struct scene_line lines[2];
};
/* Whether simulation s runs the phi detector (the timeline view then
 * plots phi). */
bool tui_phi_applies(struct sim *s);
/* Fills out's phi fields for observer obs (out->w set). */
void tui_phi_fill(struct tui_phi *p, struct sim *s, int obs, bool unicode, struct scene_snap *out);
/* Another peer, delta nodes on (the observer skipped). */
void tui_phi_peer(struct tui_phi *p, struct sim *s, int obs, int delta);
/* Halves (in > 0) or doubles the span, within 1 s .. 60 s. */
void tui_phi_zoom(struct tui_phi *p, int in);
void tui_phi_free(struct tui_phi *p);

/* ---- the prompt (tui_prompt.c) --------------------------------------------------- */

/* The `:` command line: GNU readline in callback mode inside curses. */
struct tui_prompt;
/* on_line receives each accepted line (NULL: cancelled). */
struct tui_prompt *tui_prompt_new(struct world **w, void (*on_line)(void *ctx, const char *line),
				  void *ctx);
void tui_prompt_free(struct tui_prompt *p);
/* Completions of the screen's own (`glossary TERM`): fn adds candidates
 * through add and returns true when the language's should not be added. */
typedef bool (*tui_prompt_completer)(void *ctx, const char *line, int end,
				     void (*add)(void *actx, const char *cand), void *actx);
void tui_prompt_set_completer(struct tui_prompt *p, tui_prompt_completer fn, void *ctx);
/* Opens the prompt on row y of width w. */
void tui_prompt_open(struct tui_prompt *p, int y, int w);
bool tui_prompt_active(const struct tui_prompt *p);
/* Moves the prompt after a resize. */
void tui_prompt_resize(struct tui_prompt *p, int y, int w);
/* Feeds the bytes read from the terminal, up to the end of a line (Enter)
 * or a cancel; returns how many it took: the bytes after the end were
 * typed ahead, and are the caller's to read as keys. */
int tui_prompt_feed(struct tui_prompt *p, const unsigned char *bytes, int n);
/* Opens the prompt for a question (no completion of commands needed, no
 * history kept): cb gets the answer, or NULL when cancelled. */
void tui_prompt_ask(struct tui_prompt *p, int y, int w, const char *question,
		    void (*cb)(void *ctx, const char *answer), void *ctx);
/* Draws the prompt line (last, so the cursor stays in it). */
void tui_prompt_draw(struct tui_prompt *p);
/* The window the prompt reads from (keypad off: readline gets raw bytes). */
WINDOW *tui_prompt_window(struct tui_prompt *p);
/* Completion candidates shown above the prompt, one a line ('\n'
 * between them), or NULL. */
const char *tui_prompt_matches(const struct tui_prompt *p);

/* ---- panes and screens (tui.c) ------------------------------------------------- */

#define TUI_EV_LEN    200
#define TUI_DROPS_MAX 64

struct tui_hist;
struct tui;
struct tui_session;

struct tui_drop {
	struct scene_drop d;
	double age; /* seconds of running wall time since the message died */
};

/* A long command (`run DURATION`, `run until PRED`) that the loop runs in
 * slices between frames, in one pane. */
struct tui_job {
	bool on;
	sim_time start, end; /* the command's span of simulated time */
	struct pred *pred;   /* `run until`: stop once it holds (owned), or NULL */
	bool held;
	long steps, steps_left; /* `step N`: events to process (0: a run) */
	long chunk;             /* events per `step` command of a slice */
};

/* One cluster of the screen: its world and what the screen keeps for it.
 * A single screen has one pane; `netsplit cap` has two. Every command, key
 * and long command applies to every pane. */
struct tui_pane {
	struct tui *t;
	struct world *w;
	struct sim *sim;       /* world_sim(w), followed through world_on_new_sim */
	struct tui_hist *hist; /* its live verdict (tui_history.c) */
	char tag[8];           /* "CP", shown before its lines; "" with one pane */
	char title[96];        /* above its diagram (several panes) */
	char last[TUI_EV_LEN]; /* its latest state change, for the title area */
	struct tui_drop drops[TUI_DROPS_MAX];
	int ndrops;
	struct scene_drop droplist[TUI_DROPS_MAX];
	struct hist_stats st; /* its tally, recomputed when the history changes */
	uint64_t st_rev;
	struct scene_snap snap; /* its own snapshot (several panes) */
	struct tui_snapbuf sb;
	struct scene_hist hv;
	struct tui_job job;
};

/* What a screen of several panes gives the loop (tui_cap.c). Every key,
 * the prompt, the help, long commands and signals are the loop's. */
struct tui_screen_ops {
	/* Draws the cluster view of every pane into sc, in the frame of snap
	 * (status, event log, message, key bar already filled). */
	void (*draw)(struct tui *t, struct scene *sc, const struct scene_snap *snap);
	/* A message refusing action a on this screen (translated), or NULL
	 * when the loop should do it. */
	const char *(*refuse)(struct tui *t, int act);
};

/* One pane of a multi-cluster screen, as its set-up describes it. */
struct tui_pane_spec {
	const char *tag;     /* "CP" */
	const char *cluster; /* its `cluster` command: "cluster raft 5 reads=readindex" */
};

/* A screen of n panes under one seed, one clock and the same commands:
 * each pane's world runs `seed SEED`, its cluster command, then `setup`
 * (if any); `intro` lines open the event log. */
struct tui_multi {
	const char *name; /* "cap": the status line says "netsplit cap" */
	int n;
	struct tui_pane_spec pane[TUI_PANES_MAX];
	int nodes;
	uint64_t seed;
	const char *setup;    /* commands (one a line) run in every pane after the
			       * cluster, or NULL */
	const char *intro[2]; /* translated lines for the event log, or NULL */
	const struct tui_screen_ops *ops;
	struct tui_session *ses; /* the store and R's recorders, or NULL */
};

/* Runs a screen of several panes until the user quits; returns the exit
 * status like tui_run (2 with a message on stderr if a set-up command
 * fails). */
int tui_multi_run(const struct tui_multi *m);
int tui_npanes(const struct tui *t);
struct tui_pane *tui_pane(struct tui *t, int i);
/* The selected node, the terminal's charset and colour. */
int tui_selected(const struct tui *t);
bool tui_term_unicode(const struct tui *t);
bool tui_term_color(const struct tui *t);

#endif

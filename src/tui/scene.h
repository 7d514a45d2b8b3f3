/*
 * scene.h — the screen as data. A scene is what one frame shows, computed
 * without curses: a list of drawing items (boxes and text runs, each with a
 * style role and, for the mouse, the node or link it belongs to) for a
 * given width and height. A scene is rasterised into a grid of cells; the
 * grid is what curses paints (tui_paint.c), what the golden tests compare
 * as plain text, and what a `dump` prints.
 *
 * The views (scene_view.c) turn a snapshot of the simulation (struct
 * scene_snap: node states, links worth drawing, messages in flight with
 * their progress, recent drops, event lines, ...) into a scene. Nothing in
 * this layer reads the simulator or the terminal: a snapshot in, a scene
 * out, which is what makes the layout testable at every size.
 *
 * Widths are display widths (columns), measured with wcwidth() in the
 * current locale, never bytes: translated labels and the box-drawing
 * characters both take one column per glyph.
 */
#ifndef NETSPLIT_SCENE_H
#define NETSPLIT_SCENE_H

#include "proto/proto.h"
#include "sim/simtime.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

#define SCENE_MAX_NODES 64 /* the ring is meant for 1..12; more fall back to a grid */

/* Style roles. Colours and attributes are attached to roles in one place
 * (tui_term.c); the scene only says what a thing is. */
enum scene_style {
	SS_NORMAL,
	SS_DIM,    /* secondary text, plain links */
	SS_BAR,    /* the status line */
	SS_KEY,    /* a key in the key bar or the help */
	SS_FRAME,  /* pane borders */
	SS_TITLE,  /* pane titles, headings */
	SS_LEADER, /* role words */
	SS_CANDIDATE,
	SS_FOLLOWER,
	SS_ROLE,     /* any other role word */
	SS_DOWN,     /* a crashed node */
	SS_SELECT,   /* the selected node's frame */
	SS_CUT,      /* a cut link */
	SS_ONEWAY,   /* a link cut in one direction */
	SS_DEGRADED, /* a slow or lossy link */
	SS_MSG,      /* a request in flight */
	SS_REPLY,    /* a reply in flight */
	SS_DROP,     /* where a message died */
	SS_TERM0,    /* log entries, coloured by term modulo SCENE_TERM_COLOURS */
	SS_TERM5 = SS_TERM0 + 5,
	SS_ERROR,
	SS_OK,
	SS_REC,        /* the recording mark */
	SS_TIMER,      /* what is left of a timer (its bar) */
	SS_TIMER_NEXT, /* the bar of the timeout that runs out first */
	SS_MSG_SEL,    /* the message opened (m, a click) */
	SS_TRAITOR,    /* a Byzantine node's marker (traitor NODES MODE) */
	SS_COUNT
};

#define SCENE_TERM_COLOURS 6

enum scene_kind {
	SCENE_TEXT,  /* one line of UTF-8 text */
	SCENE_BOX,   /* a rectangle's border */
	SCENE_FILL,  /* a rectangle of blanks in a style (bars) */
	SCENE_GLYPH, /* one glyph of width 1 (links, messages): no text buffer */
};

/* Box borders. */
enum {
	SCENE_HEAVY = 1,  /* the selected node: heavy lines (or '#' in ASCII) */
	SCENE_DASHED = 2, /* a crashed node: dashed lines (or '.' in ASCII) */
};

struct scene_rect {
	int x, y, w, h;
};

struct scene_item {
	uint8_t kind;  /* enum scene_kind */
	uint8_t style; /* enum scene_style */
	uint8_t flags; /* SCENE_HEAVY, SCENE_DASHED */
	int16_t x, y;
	int16_t w, h;  /* TEXT: display width and 1 */
	int16_t node;  /* mouse target: a node index, or -1 */
	int16_t peer;  /* with node: the link node-peer; -1 for the node itself */
	int16_t msg;   /* mouse target: a message in flight (snap->msgs index), or -1 */
	uint32_t text; /* TEXT: offset of the NUL-terminated text in scene.text */
	char g[4];     /* GLYPH: its UTF-8 bytes, NUL-padded */
};

/* A frame's drawing. Owned by the caller (scene_init/scene_close); reused
 * from frame to frame without reallocating. */
struct scene {
	int w, h;
	bool unicode; /* false: ASCII only */
	struct scene_item *items;
	size_t nitems, cap;
	struct sbuf text;
	/* The ring's layout, kept for hit tests and the overlap checks. */
	struct scene_rect area;
	int nboxes;
	struct scene_rect box[SCENE_MAX_NODES];
	bool names_only; /* the grid of names alone: no links or messages drawn */
	/* The straight paths between boxes, computed at most once per pair
	 * and frame (scene_view.c): cells in paths[path_off[i]..+path_len[i]]
	 * for the pair i = lo * SCENE_MAX_NODES + hi, path_off -1 if not yet. */
	struct scene_cellpos {
		int16_t x, y;
	} * paths;
	size_t npaths, cappaths;
	int32_t path_off[SCENE_MAX_NODES * SCENE_MAX_NODES];
	int16_t path_len[SCENE_MAX_NODES * SCENE_MAX_NODES];
};

void scene_init(struct scene *sc);
void scene_close(struct scene *sc);
/* Empties the scene for a new frame of w x h cells. */
void scene_reset(struct scene *sc, int w, int h, bool unicode);

/* The Unicode glyph, or its ASCII stand-in when the scene has no UTF-8. */
static inline const char *scene_g(const struct scene *sc, const char *uni, const char *ascii)
{
	return sc->unicode ? uni : ascii;
}

/* Adds text at (x, y) cut to at most maxw columns (maxw < 0: to the
 * scene's edge); returns the columns used. */
int scene_text(struct scene *sc, int x, int y, int maxw, int style, const char *utf8);
/* Same, with a mouse target. */
int scene_text_hit(struct scene *sc, int x, int y, int maxw, int style, const char *utf8, int node,
		   int peer);
/* One glyph of one column (at most 4 bytes of UTF-8) at (x, y): the cheap
 * item for lines and messages. */
void scene_glyph(struct scene *sc, int x, int y, int style, const char *utf8, int node, int peer);
/* A message's glyph, whose mouse target is message `msg` (its index in
 * the snapshot's msgs), found by scene_hit_msg. */
void scene_glyph_msg(struct scene *sc, int x, int y, int style, const char *utf8, int msg);
void scene_box(struct scene *sc, struct scene_rect r, int style, int flags, int node);
void scene_fill(struct scene *sc, struct scene_rect r, int style);

/* The mouse: the topmost item under (x, y) with a target. Returns true and
 * sets *node and *peer (peer -1: the node itself). */
bool scene_hit(const struct scene *sc, int x, int y, int *node, int *peer);
/* The message under (x, y) (its index in the snapshot's msgs), or -1. */
int scene_hit_msg(const struct scene *sc, int x, int y);

/* ---- measuring text -------------------------------------------------------- */

/* Display width of a UTF-8 (locale-encoded) string, in columns. */
int scene_width(const char *s);
/* The number of bytes of s that fit in maxw columns. */
size_t scene_fit(const char *s, int maxw, int *used);

/* ---- the grid ------------------------------------------------------------- */

struct scene_cell {
	char g[8]; /* the glyph, UTF-8, NUL-terminated; "" under a wide glyph */
	uint8_t style;
};

struct scene_grid {
	int w, h;
	struct scene_cell *c; /* w * h, row by row */
};

void scene_grid_init(struct scene_grid *g);
void scene_grid_close(struct scene_grid *g);
/* Rasterises the scene's items in order (later ones on top). */
void scene_rasterize(const struct scene *sc, struct scene_grid *g);
/* The grid as text: h lines, trailing blanks trimmed, each ending in '\n'. */
void scene_grid_text(const struct scene_grid *g, struct sbuf *out);
/* Rasterises and renders in one go (tests, `dump`). */
void scene_render_text(const struct scene *sc, struct sbuf *out);

/* ---- snapshots and views --------------------------------------------------- */

#define SCENE_LOG_TAIL VIEW_LOG_MAX

/* One node as the views need it. */
struct scene_node {
	char name[8];
	bool up;
	char byz[12];          /* a traitor's mode (byz_mode_str: "lie", ...), "" if loyal */
	struct node_status st; /* st.role is the untranslated word */
	char badge[24];        /* the box shows it instead of "t3 c7" */
	int nlog;              /* the log's tail, in index order */
	struct {
		int64_t index, term;
	} log[SCENE_LOG_TAIL];
	int64_t log_last;
	/* Its timers (struct view_timer, proto.h): timers[0] is drawn on the
	 * box's bottom border as a bar of what is left at snap->now, on one
	 * scale per kind across the nodes. */
	int ntimers;
	struct view_timer timers[VIEW_TIMERS];
};

/* A link worth drawing (the pair a < b); see scene_view.c for which. */
struct scene_link {
	int16_t a, b;
	bool ab, ba; /* each direction is up */
	bool slow;   /* latency or jitter above the cluster's default */
	bool lossy;  /* loses or duplicates messages */
};

/* A message in flight: `at` is its progress 0..1 from sender to receiver. */
struct scene_msg {
	int16_t from, to;
	float at;
	char glyph;
	bool reply;
	bool selected; /* the message opened in the side pane */
};

/* A recent loss: where on the way from `from` to `to` it died (0..1). */
struct scene_drop {
	int16_t from, to;
	float at;
};

/* A line of text with a style (event log, side pane, help). */
struct scene_line {
	char *text; /* owned by the snapshot */
	uint8_t style;
};

/* One event for the timeline: a message (from -> to, sent at t0, gone
 * at t1, dropped or delivered), or a mark on one node at t0 (a fault,
 * a state change). */
struct scene_tl_event {
	sim_time t0, t1;
	int16_t from, to; /* to = -1: a mark on `from` */
	char glyph;
	uint8_t style;
	bool dropped;
};

/* One event of the space-time diagram of clock events (the clocks
 * protocol's timeline, scene_spacetime.c): drawn at (row, node), rows in
 * causal order. A receipt names the row and node of its send (from_row
 * -1: the send is older than the events kept); the end of a commit wait
 * the row of its commit, and a commit still waiting draws its span to
 * the last row. */
enum scene_st_rel { ST_NONE, ST_SELECTED, ST_PAST, ST_FUTURE, ST_CONCURRENT };
struct scene_st_event {
	int32_t row;
	int16_t node;
	int16_t from_node; /* a receipt: the sender; else -1 */
	int32_t from_row;  /* a receipt: the send's row (-1: not kept) */
	int32_t wait_row;  /* the end of a commit wait: its commit's row; else -1 */
	sim_time wait_at;  /* ... and its commit's true time */
	bool waiting;      /* a commit still in its commit wait */
	uint8_t rel;       /* enum scene_st_rel, to the selected event */
	sim_time at;       /* the true time (the gutter) */
	char label[40];    /* name and the shown clock: "a L3" */
};

/* A cell of the SWIM membership matrix: what one member's view holds of
 * another. */
enum scene_gossip_cell { GC_NONE, GC_SELF, GC_ALIVE, GC_SUSPECT, GC_DEAD, GC_LEFT };
#define SCENE_GOSSIP_NEWS 0x80
/* A row's member: up and in the group, crashed, or up outside it. */
enum scene_gossip_row { GR_UP, GR_DOWN, GR_OUT };

struct scene_key {
	const char *key;   /* "space" */
	const char *label; /* already translated */
};

/* Everything a frame shows. Filled by the screen (tui_snap.c) or by a test;
 * the arrays are owned by whoever fills them. */
struct scene_snap {
	int w, h;
	bool unicode;
	bool color;               /* false: NO_COLOR; log tails show term digits */
	const char *status;       /* left part of the status line */
	const char *status_right; /* "● REC", or NULL */
	int nnodes;
	struct scene_node node[SCENE_MAX_NODES];
	int selected; /* node index, or -1 */
	int nlinks;
	const struct scene_link *links;
	int nmsgs;
	const struct scene_msg *msgs;
	int ndrops;
	const struct scene_drop *drops;
	int nevents; /* event log lines, oldest first */
	const struct scene_line *events;
	int side_w; /* the side pane's width in the cluster view; 0: the default */
	const char *side_title;
	int nside; /* side pane lines */
	const struct scene_line *side;
	/* The side pane's node (its timers drawn under the title as bars),
	 * or -1: the pane shows something else (a lesson, a message). */
	int side_node;
	sim_time now;        /* the simulated instant of the frame (timers) */
	const char *message; /* the line above the key bar (errors, replies) */
	int message_style;
	bool prompt; /* the prompt owns the message line: leave it blank */
	/* Tab completion's candidates, one a line ('\n' between them), or
	 * NULL: drawn in columns over the event log, and over the main area
	 * above it when they need more rows (scene_view_completions). */
	const char *completions;
	int nkeys;
	const struct scene_key *keys;
	/* logs view: `logs_rows` rows of entries, row r holding index
	 * logs_top - r; cell [r * nnodes + node], index 0 when not held */
	int logs_rows;
	int64_t logs_top;
	const struct log_view_entry *logs;
	/* timeline view */
	int ntl;
	const struct scene_tl_event *tl;
	sim_time tl_now;
	sim_time tl_scale; /* simulated time per row */
	int tl_scroll;     /* rows scrolled back from now */
	/* the space-time diagram of clock events (nst > 0 replaces the
	 * message timeline): events in row order, the first row shown, a
	 * title (which clock, the legend) and detail lines for the selected
	 * event */
	int nst;
	const struct scene_st_event *st;
	int st_top;
	const char *st_title;
	int nst_detail;
	const struct scene_line *st_detail;
	/* the SWIM membership matrix (ngossip > 0 replaces the message
	 * timeline, scene_gossip.c): ngossip members, each a row (its view)
	 * and a column (what the views hold of it) */
	int ngossip;
	const uint8_t *gossip_cell; /* [row * ngossip + col]: enum scene_gossip_cell,
				     * | SCENE_GOSSIP_NEWS if it holds the subject's news */
	const uint8_t *gossip_row;  /* per member: enum scene_gossip_row */
	int gossip_subject;         /* the column traced, or -1 */
	int gossip_top;             /* the first row shown */
	const char *gossip_title;
	int ngossip_detail;
	const struct scene_line *gossip_detail;
	/* the φ plot (nphi > 0 replaces the message timeline, scene_phi.c):
	 * a value per column, oldest first (NAN: the observer was down;
	 * negative: nothing recorded), the threshold, the time the columns
	 * span, and a title and detail lines */
	int nphi;
	const float *phi;
	double phi_threshold;
	sim_time phi_span;
	const char *phi_title;
	int nphi_detail;
	const struct scene_line *phi_detail;
	/* help view */
	int nhelp;
	const struct scene_line *help;
	int help_scroll;
};

/* The smallest screen the views are laid out for. */
#define SCENE_MIN_W 80
#define SCENE_MIN_H 24

/* Where the parts of a frame go, for a w x h screen. */
struct scene_layout {
	struct scene_rect status, main, cluster, side, events, message, keys;
};
void scene_layout(int w, int h, struct scene_layout *l);

/* The views. Each resets the scene to snap->w x snap->h and draws a whole
 * frame; below SCENE_MIN_W x SCENE_MIN_H they draw a request to enlarge the
 * terminal instead. */
void scene_view_cluster(struct scene *sc, const struct scene_snap *snap);
void scene_view_logs(struct scene *sc, const struct scene_snap *snap);
void scene_view_timeline(struct scene *sc, const struct scene_snap *snap);
void scene_view_help(struct scene *sc, const struct scene_snap *snap);
/* The space-time diagram of clock events (snap->nst of them): one column
 * per node, a row per causal step, each event's label beside it, sends
 * joined to their receipts, commit waits as spans, the selected event's
 * past, future and concurrent events marked (scene_spacetime.c). */
void scene_view_spacetime(struct scene *sc, const struct scene_snap *snap);
/* The SWIM membership matrix (snap->ngossip members): a row per member's
 * view, a column per member, the traced member's column and the views
 * that hold its news marked, detail lines under it (scene_gossip.c). */
void scene_view_gossip(struct scene *sc, const struct scene_snap *snap);
/* How many rows of members the matrix shows in a w x h frame. */
int scene_gossip_rows(int w, int h);
/* The φ accrual detector's plot of one observer's φ for one peer over
 * time, with the threshold line (snap->nphi columns; scene_phi.c). */
void scene_view_phi(struct scene *sc, const struct scene_snap *snap);
/* How many columns of values the φ plot draws in a frame w wide. */
int scene_phi_cols(int w);
/* How many rows of events the space-time diagram shows in a w x h frame. */
int scene_spacetime_rows(int w, int h);
/* Draws only the ring of nodes into `area` (used by the cluster view). */
void scene_cluster(struct scene *sc, struct scene_rect area, const struct scene_snap *snap);
/* A message in a space-time diagram, from (x0, y0) to (x1, y1): a
 * staircase of horizontal runs with a slanted step at each row change,
 * `tail` at the sending end and `head` (an arrowhead, or the mark of a
 * loss) at the other (either NULL: none); only cells inside clip. */
void scene_staircase(struct scene *sc, int x0, int y0, int x1, int y1, int style, const char *head,
		     const char *tail, struct scene_rect clip);
/* The frame every view shares (status line, event log, message line, key
 * bar) for views drawn elsewhere (scene_history.c): resets sc and fills l;
 * false (a request to enlarge the terminal drawn) when it is too small. */
bool scene_frame(struct scene *sc, const struct scene_snap *s, struct scene_layout *l);
/* Draws completion candidates (one a line, '\n' between them) into r, in
 * columns as `ls` does (down, then across), as many rows as r has; when
 * they do not all fit, the last row says how many more there are.
 * Returns how many candidates were drawn. */
int scene_completions(struct scene *sc, struct scene_rect r, const char *cands);
/* Over a finished frame of any view, while the prompt is open with
 * candidates: the candidates in the event log's place, growing up over
 * the lower half of the main area when they need more rows. */
void scene_view_completions(struct scene *sc, const struct scene_snap *s);
/* True if the frame is too small: the views then show only a message. */
bool scene_too_small(int w, int h);

#endif

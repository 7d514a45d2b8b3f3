/*
 * scene_history.h — the history view as data: client operations as bars
 * over simulated time, one row per client, coloured by outcome, with a time
 * axis, the live linearizability verdict and, after a violation, the
 * operations that prove it highlighted and the explanation in words.
 *
 * Like the other views (scene.h), it is a pure function from a snapshot (a
 * struct scene_hist, filled by tui_history.c or by a test) to a scene: no
 * curses, no simulator. The time window is given by its right edge and its
 * scale (simulated time per column); the screen decides whether it follows
 * the latest operations or stays pinned.
 */
#ifndef NETSPLIT_SCENE_HISTORY_H
#define NETSPLIT_SCENE_HISTORY_H

#include "check/history.h"
#include "tui/scene.h"

/* One operation as drawn. */
struct scene_hop {
	int row;         /* index into scene_hist.rows */
	sim_time t0, t1; /* invocation; completion (or when the client gave up,
			  * or "now" for a pending operation) */
	uint8_t outcome; /* enum op_outcome */
	bool core;       /* one of the operations that prove a violation */
	char label[28];  /* "put x 3", "get x→1" */
};

struct scene_hist {
	int nrows;
	const char (*rows)[12]; /* row names: "c1", "c101" */
	int total;              /* operations in the history (for the title) */
	int nops;               /* those worth drawing, in invocation order */
	const struct scene_hop *ops;
	sim_time right;      /* the time at the right edge */
	sim_time scale;      /* simulated time per column (> 0) */
	bool follow;         /* the window follows the latest operation */
	const char *verdict; /* "linearizable", ... (translated), or NULL */
	int verdict_style;
	int nexplain; /* the explanation, one line each (already wrapped or not) */
	const struct scene_line *explain;
};

/* The compact label of op in h: "put x 3", "get x→1", "get x→∅" (absent),
 * "get x→?" (no answer), "cas x 1→2", "app x+a"; ASCII arrows when
 * !unicode. Written to buf (always NUL-terminated). */
void scene_hist_label(const struct history *h, const struct hist_op *op, bool unicode, char *buf,
		      size_t len);

/* Draws the history into area: a title line, the client rows (two lines
 * each, bar and label, when there is room; else one), the time axis, then
 * as much of the explanation as fits. */
void scene_history(struct scene *sc, struct scene_rect area, const struct scene_hist *hv);

/* The whole view: the shared frame (status line, events, message, keys)
 * with the history in the main area. */
void scene_view_history(struct scene *sc, const struct scene_snap *snap,
			const struct scene_hist *hv);

/* Puts text (the live verdict) at the right end of the status line, left
 * of `right` (the snapshot's status_right, "● REC", kept whole; NULL if
 * none), over what is there, in its own style; nothing if text is NULL or
 * there is no room in the right half. Where the status line's text
 * (`status`, as drawn from column 1) would run into it, that text is
 * drawn again without its "netsplit" and "seed N" parts and, if still too
 * long, cut at its last " · " that fits. */
void scene_status_badge(struct scene *sc, const char *status, const char *right, const char *text,
			int style);

/* Columns the rows' names take (the bars start after them). */
#define SCENE_HIST_GUTTER 6

#endif

/*
 * tui_cap.h — clusters side by side under one seed, one client workload,
 * one clock and the same faults: `netsplit cap` (a CP cluster and an AP
 * one), and any screen that compares two or three clusters. The screen is
 * the one event loop of tui.c with several panes; tui_cap.c gives it the
 * layout and says which keys do not apply. Which protocols run is the
 * caller's data (src/app/cap_cmd.c): the screen names none.
 */
#ifndef NETSPLIT_TUI_CAP_H
#define NETSPLIT_TUI_CAP_H

#include "check/history_stats.h"
#include "tui/scene_history.h"
#include "tui/scene.h"

#include <stdint.h>

/* One cluster of a side-by-side screen. */
struct tui_cap_cluster {
	const char *tag;     /* "CP": its title and its lines in the event log */
	const char *cluster; /* its `cluster` command: "cluster raft 5 reads=readindex" */
};

struct tui_cap_spec {
	const char *name; /* on the status line: "netsplit cap" */
	int n;            /* clusters, 1 to 3 */
	struct tui_cap_cluster cluster[3];
	int nodes;            /* for the status line */
	uint64_t seed;        /* every cluster's seed */
	const char *workload; /* commands (one a line) every cluster runs at once, or NULL */
	bool tied;            /* each client is tied to its node (said in the event log) */
	const char *db_path;  /* --db PATH: the store for R (NULL: the default place) */
};

/* Runs the screen until the user quits. Returns the process exit status,
 * like tui_run (2, with the message on stderr, if a cluster cannot be
 * made). */
int tui_cap_run(const struct tui_cap_spec *spec);

/* One side of the screen as the pure layout needs it. */
struct scene_cap_side {
	const char *title;             /* "CP · raft 5 reads=readindex" */
	const struct scene_snap *snap; /* the cluster (nodes, links, messages) */
	struct hist_stats st;
	const char *verdict; /* translated, or NULL */
	int verdict_style;
	const char *last;              /* the latest event line of this side, or NULL */
	const struct scene_hist *hist; /* the side's history (tall screens), or NULL */
};

/* Draws a whole frame of snap->w x snap->h (status line, message and key
 * bar from snap; the n sides in columns, left to right). */
void scene_view_sides(struct scene *sc, const struct scene_snap *snap,
		      const struct scene_cap_side *sides, int n);

#endif

/*
 * tui_cap.h — `netsplit cap`: a CP cluster and an AP cluster side by side,
 * under the same seed, the same client workload, the same clock and the
 * same faults (see tui_cap.c).
 */
#ifndef NETSPLIT_TUI_CAP_H
#define NETSPLIT_TUI_CAP_H

#include "check/history_stats.h"
#include "tui/scene_history.h"
#include "tui/scene.h"

/* `netsplit cap [N] [--seed S] [--ap dynamo|primary]` (argv[0] is "cap").
 * Returns the process exit status, like tui_run. */
int tui_cap_main(int argc, char **argv);

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

/* Draws a whole CAP frame of snap->w x snap->h (status line, message and
 * key bar from snap; the two sides left and right). */
void scene_view_cap(struct scene *sc, const struct scene_snap *snap,
		    const struct scene_cap_side *cp, const struct scene_cap_side *ap);

#endif

/*
 * tui_history.h — the screen's side of the history view and of the live
 * linearizability verdict: runs the world's incremental checker within a
 * time budget each frame, keeps the verdict, the core of a violation and
 * its explanation, and turns the world's history into a struct scene_hist
 * (scene_history.h) for the current window (zoom, scroll, follow).
 *
 * Used by the sandbox screen (tui.c) and the side-by-side CAP screen
 * (tui_cap.c). Owns everything it allocates; borrows the world.
 */
#ifndef NETSPLIT_TUI_HISTORY_H
#define NETSPLIT_TUI_HISTORY_H

#include "check/lin.h"
#include "script/script.h"
#include "tui/scene_history.h"

struct tui_hist;

struct tui_hist *tui_hist_new(void);
void tui_hist_free(struct tui_hist *h);

/* Lets the world's checker work for at most `seconds` of wall time (the
 * per-frame budget: 0.002 keeps a frame fast), catching up with new
 * operations. After a first violation, computes its core and explanation
 * once (bounded by steps, so they do not depend on the machine) and pins
 * the view on the core. Returns true when that violation is new. */
bool tui_hist_tick(struct tui_hist *h, struct world *w, double seconds);

/* The verdict of the last tick; LIN_OK with no operations. */
enum lin_verdict tui_hist_verdict(const struct tui_hist *h);
/* "linearizable", "not linearizable", "checking", "unknown" (translated),
 * or NULL while the history is empty; and the style to show it in. */
const char *tui_hist_verdict_text(const struct tui_hist *h);
int tui_hist_verdict_style(const struct tui_hist *h);
/* True while the checker has work left (the screen should keep ticking
 * even when paused). */
bool tui_hist_busy(const struct tui_hist *h);

/* Fills out (pointing into h's buffers, valid until the next call) with the
 * operations of w's history for a window `cols` columns wide ending now
 * (following) or where the user pinned it. */
void tui_hist_fill(struct tui_hist *h, struct world *w, bool unicode, int cols,
		   struct scene_hist *out);

/* Moves the window by `cols` columns (negative: back in time); moving past
 * now follows the latest operations again. */
void tui_hist_scroll(struct tui_hist *h, struct world *w, int cols);
/* The zoom (index of the time per column) a window `cols` wide opens at:
 * the whole history (`span` from its first invocation to now) if its
 * typical operation (`typical` long, 0 unknown) still takes three
 * columns at that scale, else the widest window where it does (the
 * recent operations, legible). Pure; issue 11. */
int tui_hist_fit_zoom(sim_time span, sim_time typical, int cols);
/* The view opens: chooses the zoom by tui_hist_fit_zoom from w's history
 * (the median length of its last 64 operations), unless the window is
 * pinned on a violation. */
void tui_hist_open(struct tui_hist *h, struct world *w, int cols);
/* Zooms in (dir > 0: less time per column) or out. */
void tui_hist_zoom(struct tui_hist *h, int dir);
/* Follows the latest operations again. */
void tui_hist_follow(struct tui_hist *h);

#endif

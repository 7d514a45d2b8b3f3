/*
 * scene_cap.c — the layout of clusters side by side (the CAP screen, and
 * any screen that runs two or three clusters under one fault), pure like
 * the other views: compact cluster diagrams side by side, each under a title and a tally —
 * requests answered, refused, timed out; stale reads; the live
 * linearizability verdict — inside the shared frame (status line, event
 * log, message line, key bar).
 *
 * Brewer's conjecture as Gilbert and Lynch proved it ("Brewer's Conjecture
 * and the Feasibility of Consistent, Available, Partition-Tolerant Web
 * Services", 2002): under a partition a system must give up either
 * atomic (linearizable) answers or availability. The two tallies show the
 * two choices: the CP side refuses or times out, the AP side answers and
 * some of its reads are stale.
 */
#include "tui/tui_cap.h"

#include "tui/scene_history.h"

#include "util/i18n.h"

#include <string.h>

static void side(struct scene *sc, struct scene_rect r, const struct scene_cap_side *s)
{
	char line[160];
	scene_text(sc, r.x + 1, r.y, r.w - 2, SS_TITLE, s->title);
	const char *dot = sc->unicode ? " · " : " - ";
	/* Three short lines, so that a 40-column side shows them whole. */
	int x = r.x + 1;
	ns_snprintf(line, sizeof line, _("answered %d"), s->st.ok);
	x += scene_text(sc, x, r.y + 1, r.w - 2, SS_NORMAL, line);
	x += scene_text(sc, x, r.y + 1, r.x + r.w - 1 - x, SS_NORMAL, dot);
	ns_snprintf(line, sizeof line, _("stale reads %d"), s->st.stale_reads);
	scene_text(sc, x, r.y + 1, r.x + r.w - 1 - x, s->st.stale_reads ? SS_ERROR : SS_NORMAL,
		   line);
	ns_snprintf(line, sizeof line, _("refused %d%stimed out %d"), s->st.fail, dot,
		    s->st.unknown);
	scene_text(sc, r.x + 1, r.y + 2, r.w - 2,
		   s->st.fail + s->st.unknown ? SS_ONEWAY : SS_NORMAL, line);
	if (s->verdict)
		scene_text(sc, r.x + 1, r.y + 3, r.w - 2, s->verdict_style, s->verdict);
	int top = 4;
	if (s->last && r.h > 14) {
		scene_text(sc, r.x + 1, r.y + 4, r.w - 2, SS_DIM, s->last);
		top = 5;
	}
	/* On a tall screen the side's history goes under its diagram. */
	int hist_h = 0;
	if (s->hist && r.h - top >= 30)
		hist_h = MIN(14, (r.h - top) * 2 / 5);
	/* Each diagram computes its own paths: forget the other side's. */
	sc->npaths = 0;
	memset(sc->path_off, 0xff, sizeof sc->path_off);
	scene_cluster(sc, (struct scene_rect){r.x, r.y + top, r.w, r.h - top - hist_h}, s->snap);
	if (hist_h)
		scene_history(sc, (struct scene_rect){r.x, r.y + r.h - hist_h, r.w, hist_h},
			      s->hist);
}

void scene_view_sides(struct scene *sc, const struct scene_snap *snap,
		      const struct scene_cap_side *sides, int n)
{
	struct scene_layout l;
	if (!scene_frame(sc, snap, &l) || n < 1)
		return;
	struct scene_rect m = l.main;
	int x = m.x;
	for (int i = 0; i < n; i++) {
		/* n columns split by rules; a blank column each side of a rule
		 * keeps the boxes off it. */
		int right = m.x + (int)((long)m.w * (i + 1) / n);
		int w = right - x - (i + 1 < n ? 1 : 0);
		side(sc, (struct scene_rect){x, m.y, w, m.h}, &sides[i]);
		if (i + 1 < n)
			for (int y = m.y; y < m.y + m.h; y++)
				scene_text(sc, right, y, 1, SS_FRAME, sc->unicode ? "│" : "|");
		x = right + 2;
	}
}

/*
 * scene_phi.c — the φ accrual detector's plot (issue 17): one observer's
 * φ for one peer over the last seconds, against the threshold, the
 * picture of Hayashibara et al. (SRDS 2004, Figure 3): φ climbs while a
 * heartbeat is late and falls to near zero when one arrives; a peer is
 * suspected while φ is above the threshold. Under jitter the window's
 * deviation grows and the same lateness raises φ less — the detector
 * adapts, where a fixed timeout cannot.
 *
 * A column per slice of time (the newest at the right), its height φ in
 * eighths of a row (▁▂▃▄▅▆▇█), green below the threshold and red above
 * it; the threshold a dashed line across; a column where the observer was
 * down dotted along the bottom. The y axis runs to 1.5 × the threshold,
 * or further while φ climbs (up to 3 ×: past that a crash looks the same
 * whatever its height). In ASCII: # and -.
 *
 * Pure: values in (computed by tui_phi.c from the protocol's record),
 * scene items out.
 */
#include "tui/scene.h"

#include "util/i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PHI_AXIS   7 /* "   8.0┤" */
#define PHI_DETAIL 2

int scene_phi_cols(int w)
{
	return MAX(1, w - PHI_AXIS - 1);
}

void scene_view_phi(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!scene_frame(sc, s, &l))
		return;
	/* The plot takes the event pane's room too. */
	struct scene_rect m = {0, 1, s->w, l.main.h + l.events.h};
	scene_fill(sc, m, SS_NORMAL);
	if (s->phi_title)
		scene_text(sc, 1, m.y, m.w - 2, SS_TITLE, s->phi_title);
	int rows = MAX(3, m.h - 2 - 1 - PHI_DETAIL); /* title, x axis, gap, detail */
	int cols = MIN(s->nphi, scene_phi_cols(m.w));
	double thr = s->phi_threshold > 0 ? s->phi_threshold : 8;
	double top = thr * 1.5;
	for (int c = 0; c < cols; c++)
		if (s->phi[c] > top && !isnan(s->phi[c]))
			top = MIN(thr * 3, (double)s->phi[c]);
	double per = top / rows; /* φ per row */
	int y0 = m.y + 1;        /* the top row of the plot */
	int x0 = PHI_AXIS;
	/* The y axis, with 0, the threshold and the top labelled. */
	int thr_row = rows - 1 - (int)floor(thr / per);
	if (thr_row < 0)
		thr_row = 0;
	for (int r = 0; r < rows; r++) {
		char lab[16] = "";
		if (r == 0)
			ns_snprintf(lab, sizeof lab, "%.0f", top);
		else if (r == thr_row)
			ns_snprintf(lab, sizeof lab, "%.0f", thr);
		else if (r == rows - 1)
			ns_snprintf(lab, sizeof lab, "0");
		if (lab[0])
			scene_text(sc, x0 - 1 - scene_width(lab), y0 + r, scene_width(lab),
				   r == thr_row ? SS_ERROR : SS_DIM, lab);
		scene_text(sc, x0 - 1, y0 + r, 1, SS_DIM, scene_g(sc, "┤", "|"));
	}
	static const char *const eighths[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	for (int c = 0; c < cols; c++) {
		float v = s->phi[c];
		int x = x0 + c;
		if (isnan(v)) { /* the observer was down: no φ */
			scene_text(sc, x, y0 + rows - 1, 1, SS_DOWN, scene_g(sc, "·", "."));
			continue;
		}
		double h = v < 0 ? 0 : MIN((double)v, top) / per; /* in rows */
		for (int r = 0; r < rows; r++) {
			int y = y0 + rows - 1 - r; /* r: rows from the bottom */
			double fill = h - r;
			const char *g;
			if (fill >= 1)
				g = scene_g(sc, "█", "#");
			else if (fill > 0)
				g = sc->unicode   ? eighths[MAX(1, (int)lround(fill * 8))]
				    : fill >= 0.5 ? "#"
						  : " ";
			else
				g = NULL;
			bool above = (r + (fill > 0 && fill < 1 ? fill : 1)) * per > thr;
			if (g && strcmp(g, " "))
				scene_text(sc, x, y, 1, above ? SS_ERROR : SS_OK, g);
			else if (y == y0 + thr_row)
				scene_text(sc, x, y, 1, SS_ERROR, scene_g(sc, "╌", "-"));
		}
	}
	/* The x axis: how long ago. */
	int ya = y0 + rows;
	scene_text(sc, x0 - 1, ya, 1, SS_DIM, scene_g(sc, "└", "+"));
	for (int c = 0; c < cols; c++)
		scene_text(sc, x0 + c, ya, 1, SS_DIM, scene_g(sc, "─", "-"));
	char t[32];
	ns_snprintf(t, sizeof t, "-%.3gs", (double)s->phi_span / SIM_S);
	scene_text(sc, x0, ya + 1, scene_width(t), SS_DIM, t);
	ns_snprintf(t, sizeof t, "-%.3gs", (double)s->phi_span / SIM_S / 2);
	scene_text(sc, x0 + cols / 2 - scene_width(t) / 2, ya + 1, scene_width(t), SS_DIM, t);
	const char *now = _("now");
	scene_text(sc, x0 + cols - scene_width(now), ya + 1, scene_width(now), SS_DIM, now);
	for (int i = 0; i < s->nphi_detail && i < PHI_DETAIL; i++)
		scene_text(sc, 1, ya + 2 + i, m.w - 2, s->phi_detail[i].style,
			   s->phi_detail[i].text);
}

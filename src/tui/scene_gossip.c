/*
 * scene_gossip.c — the SWIM membership matrix (issue 17): gossip is about
 * scale, so the timeline view of a `swim` cluster draws every member's
 * view at once, one glyph a cell, for 16 to 64 members as for 3.
 *
 * Row i is member i's view, column j what it holds of member j: · alive,
 * ? suspect, ✕ dead, - left, blank unknown, ■ itself. The row's mark says
 * whether member i is up (●), crashed (✕) or up outside the group (○). One member is traced — the
 * selected node: its column is highlighted, and the views that already
 * hold its newest news are drawn in the news's colour, so that a death
 * is seen filling its column as it infects the group (Das, Gupta &
 * Motivala 2002, §4.1). The detail lines under the matrix (tui_gossip.c)
 * count how many held the news after each protocol period.
 *
 * Pure: a snapshot in, scene items out. Rows scroll when the members do
 * not fit; the header gives each column's number (tens above units).
 */
#include "tui/scene.h"

#include "util/i18n.h"

#include <stdio.h>
#include <string.h>

#define GS_LABEL  6 /* "n12 ● " */
#define GS_DETAIL 3

int scene_gossip_rows(int w, int h)
{
	struct scene_layout l;
	scene_layout(w, h, &l);
	return MAX(1, l.main.h + l.events.h - 3 - GS_DETAIL);
}

static const char *cell_glyph(const struct scene *sc, int c)
{
	switch (c) {
	case GC_SELF: return scene_g(sc, "■", "#");
	case GC_ALIVE: return scene_g(sc, "·", ".");
	case GC_SUSPECT: return "?";
	case GC_DEAD: return scene_g(sc, "✕", "x");
	case GC_LEFT: return "-";
	default: return " ";
	}
}

static int cell_style(int c)
{
	switch (c) {
	case GC_SELF: return SS_TITLE;
	case GC_ALIVE: return SS_DIM;
	case GC_SUSPECT: return SS_CANDIDATE;
	case GC_DEAD: return SS_DOWN;
	case GC_LEFT: return SS_ROLE;
	default: return SS_NORMAL;
	}
}

void scene_view_gossip(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!scene_frame(sc, s, &l))
		return;
	/* The matrix is this view's event log: it takes that pane's room. */
	struct scene_rect m = {0, 1, s->w, l.main.h + l.events.h};
	scene_fill(sc, m, SS_NORMAL);
	int n = s->ngossip;
	if (s->gossip_title)
		scene_text(sc, 1, m.y, m.w - 2, SS_TITLE, s->gossip_title);
	int rows = MAX(1, m.h - 3 - GS_DETAIL);
	/* Columns: one cell each, with a gap every five when there is room. */
	bool gaps = GS_LABEL + n + n / 5 <= m.w;
	int colx[SCENE_MAX_NODES];
	for (int j = 0, x = GS_LABEL; j < n && j < SCENE_MAX_NODES; j++) {
		colx[j] = x++;
		if (gaps && j % 5 == 4)
			x++;
	}
	for (int j = 0; j < n && j < SCENE_MAX_NODES; j++) {
		if (colx[j] >= m.w)
			break;
		int st = j == s->gossip_subject ? SS_SELECT : SS_DIM;
		char d[4];
		if (j + 1 >= 10) {
			ns_snprintf(d, sizeof d, "%d", (j + 1) / 10 % 10);
			scene_text(sc, colx[j], m.y + 1, 1, st, d);
		}
		ns_snprintf(d, sizeof d, "%d", (j + 1) % 10);
		scene_text(sc, colx[j], m.y + 2, 1, st, d);
	}
	int top = MAX(0, MIN(s->gossip_top, n - rows));
	for (int r = 0; r < rows && top + r < n; r++) {
		int i = top + r, y = m.y + 3 + r;
		char name[16];
		ns_snprintf(name, sizeof name, "n%d", i + 1);
		int rs = s->gossip_row ? s->gossip_row[i] : GR_UP;
		scene_text_hit(sc, 0, y, 4, rs == GR_DOWN ? SS_DOWN : SS_TITLE, name, i, -1);
		scene_text(sc, 4, y, 1,
			   rs == GR_DOWN  ? SS_DOWN
			   : rs == GR_OUT ? SS_ROLE
					  : SS_OK,
			   rs == GR_DOWN  ? scene_g(sc, "✕", "x")
			   : rs == GR_OUT ? scene_g(sc, "○", "o")
					  : scene_g(sc, "●", "*"));
		for (int j = 0; j < n && j < SCENE_MAX_NODES && colx[j] < m.w; j++) {
			uint8_t c = s->gossip_cell[(size_t)i * (size_t)n + (size_t)j];
			int k = c & ~SCENE_GOSSIP_NEWS;
			int st = cell_style(k);
			if (j == s->gossip_subject)
				st = c & SCENE_GOSSIP_NEWS ? (k == GC_ALIVE ? SS_OK : st)
							   : SS_SELECT;
			if (rs == GR_DOWN && k != GC_SELF)
				st = SS_DIM;
			scene_text(sc, colx[j], y, 1, st, cell_glyph(sc, k));
		}
	}
	/* Rows out of sight: said at the end of the title line. */
	char more[64] = "", k[48];
	if (top + rows < n) {
		ns_snprintf(k, sizeof k, _("%d more: down"), n - top - rows);
		ns_snprintf(more, sizeof more, "%s %s", scene_g(sc, "↓", "v"), k);
	} else if (top > 0) {
		ns_snprintf(k, sizeof k, _("%d more: up"), top);
		ns_snprintf(more, sizeof more, "%s %s", scene_g(sc, "↑", "^"), k);
	}
	if (more[0]) {
		int w = scene_width(more);
		scene_fill(sc, (struct scene_rect){m.w - w - 2, m.y, w + 2, 1}, SS_NORMAL);
		scene_text(sc, m.w - w - 1, m.y, w, SS_DIM, more);
	}
	for (int i = 0; i < s->ngossip_detail && i < GS_DETAIL; i++)
		scene_text(sc, 1, m.y + 3 + rows + i, m.w - 2, s->gossip_detail[i].style,
			   s->gossip_detail[i].text);
}

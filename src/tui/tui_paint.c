/*
 * tui_paint.c — the only place a scene reaches curses: a grid of cells is
 * written into a window row by row, one waddnstr() per run of cells of the
 * same style. The window is then flushed with wnoutrefresh()/doupdate() by
 * the caller, so curses compares with what the terminal shows and sends
 * only the difference: an unchanged frame costs (almost) no bytes, and
 * nothing flickers because nothing is ever cleared on the terminal.
 *
 * With the previous frame's grid, only the runs of cells that changed are
 * painted: curses then has little to compare, and an unchanged frame costs
 * one pass over the cells.
 */
#include "tui/tui_internal.h"

#include <stdlib.h>
#include <string.h>

static bool same(const struct scene_cell *a, const struct scene_cell *b)
{
	return a->style == b->style && !strcmp(a->g, b->g);
}

/* Paints cells [x0, x1) of row y. */
static void paint_span(WINDOW *win, const struct scene_grid *g, int y, int x0, int x1,
		       const attr_t *attr)
{
	char run[4096];
	const struct scene_cell *row = &g->c[(size_t)y * g->w];
	int x = x0;
	while (x < x1) {
		int style = row[x].style, start = x;
		size_t len = 0;
		while (x < x1 && row[x].style == style) {
			size_t l = strlen(row[x].g);
			if (len + l >= sizeof run)
				break;
			memcpy(run + len, row[x].g, l);
			len += l;
			x++;
		}
		if (x == start) { /* a cell longer than the buffer: cannot happen */
			x++;
			continue;
		}
		run[len] = '\0';
		wattrset(win, attr[style]);
		/* The bottom-right cell makes curses report ERR (it would
		 * scroll); the text is drawn all the same. */
		mvwaddnstr(win, y, start, run, (int)len);
	}
}

void tui_paint(WINDOW *win, const struct scene_grid *g, struct scene_grid *prev, const attr_t *attr)
{
	int maxy, maxx;
	getmaxyx(win, maxy, maxx);
	bool full = !prev || prev->w != g->w || prev->h != g->h;
	for (int y = 0; y < g->h && y < maxy; y++) {
		int w = MIN(g->w, maxx);
		if (full) {
			paint_span(win, g, y, 0, w, attr);
			continue;
		}
		/* Paint each run of changed cells; runs closer than a few
		 * cells are painted as one. */
		const struct scene_cell *a = &g->c[(size_t)y * g->w];
		const struct scene_cell *b = &prev->c[(size_t)y * g->w];
		int x = 0;
		while (x < w) {
			while (x < w && same(&a[x], &b[x]))
				x++;
			if (x == w)
				break;
			int x0 = x, x1 = x + 1, gap = 0;
			for (x = x1; x < w && gap <= 3; x++) {
				if (same(&a[x], &b[x])) {
					gap++;
				} else {
					gap = 0;
					x1 = x + 1;
				}
			}
			x = x1;
			/* Start on a whole glyph, not under a wide one. */
			while (x0 > 0 && !a[x0].g[0])
				x0--;
			paint_span(win, g, y, x0, x1, attr);
		}
	}
	wattrset(win, A_NORMAL);
	if (!prev)
		return;
	size_t cells = (size_t)g->w * (size_t)g->h;
	if (full) {
		free(prev->c);
		prev->c = xcalloc(cells ? cells : 1, sizeof *prev->c);
		prev->w = g->w;
		prev->h = g->h;
	}
	memcpy(prev->c, g->c, cells * sizeof *g->c);
}

void tui_paint_forget(struct scene_grid *prev)
{
	prev->w = prev->h = 0;
}

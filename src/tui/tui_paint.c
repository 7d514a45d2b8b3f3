/*
 * tui_paint.c — the only place a scene reaches curses: a grid of cells is
 * written into a window row by row, one waddnstr() per run of cells of the
 * same style. The window is then flushed with wnoutrefresh()/doupdate() by
 * the caller, so curses compares with what the terminal shows and sends
 * only the difference: an unchanged frame costs (almost) no bytes, and
 * nothing flickers because nothing is ever cleared on the terminal.
 */
#include "tui/tui_internal.h"

#include <string.h>

void tui_paint(WINDOW *win, const struct scene_grid *g, const attr_t *attr)
{
	char run[4096];
	int maxy, maxx;
	getmaxyx(win, maxy, maxx);
	for (int y = 0; y < g->h && y < maxy; y++) {
		const struct scene_cell *row = &g->c[(size_t)y * g->w];
		int x = 0;
		while (x < g->w && x < maxx) {
			int style = row[x].style, x0 = x;
			size_t len = 0;
			while (x < g->w && x < maxx && row[x].style == style) {
				size_t l = strlen(row[x].g);
				if (len + l >= sizeof run)
					break;
				memcpy(run + len, row[x].g, l);
				len += l;
				x++;
			}
			if (x == x0) { /* a cell longer than the buffer: cannot happen */
				x++;
				continue;
			}
			run[len] = '\0';
			wattrset(win, attr[style]);
			/* The bottom-right cell makes curses report ERR (it would
			 * scroll); the text is drawn all the same. */
			mvwaddnstr(win, y, x0, run, (int)len);
		}
	}
	wattrset(win, A_NORMAL);
}

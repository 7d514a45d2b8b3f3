/*
 * scene_spacetime.c — the space-time diagram of clock events (issue 18):
 * the picture of Lamport's 1978 paper (Figure 1: a vertical line per
 * process, a dot per event, a wavy arrow per message), drawn for the
 * clocks protocol's timeline view.
 *
 * One column per node, its lifeline dotted; each event a glyph with its
 * label (name and the clock the `show` option chose) beside it; a send
 * joined to its receipt by a staircase; a commit's commit wait a heavy
 * span down its node's line, open while it waits. Rows go down in true
 * time, compacted (tui_spacetime.c): events of different nodes that
 * happened one after the other share a row, so a few dozen events fit a
 * small terminal, and every arrow points down. The gutter gives the true
 * time of each row's first event, which no node can read — it is there
 * to compare with the stamps.
 *
 * Lines: a row of events, then — when a message leaves that row — a
 * line of its own for the messages' horizontal runs, so that a run never
 * passes through another event's label. A message leaves its send
 * diagonally onto that line, runs along it to beside its receiver, and
 * goes down beside the receiver's lifeline into the receipt.
 *
 * With an event selected, the others are marked by how they relate to
 * it: ▲ in its causal past, ▼ in its future, ∥ concurrent (neither), and
 * the messages of the chains through it drawn in the past's and future's
 * styles. In ASCII: @ ^ v | and o.
 *
 * Pure: a snapshot in (struct scene_st_event, filled by tui_spacetime.c),
 * scene items out.
 */
#include "tui/scene.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define ST_GUTTER 9
#define ST_DETAIL 3 /* detail lines under the diagram */

int scene_spacetime_rows(int w, int h)
{
	struct scene_layout l;
	scene_layout(w, h, &l);
	return MAX(1, l.main.h + l.events.h - 2 - ST_DETAIL);
}

static int rel_style(int rel)
{
	switch (rel) {
	case ST_SELECTED: return SS_SELECT;
	case ST_PAST: return SS_LEADER;
	case ST_FUTURE: return SS_CANDIDATE;
	case ST_CONCURRENT: return SS_ROLE;
	default: return SS_NORMAL;
	}
}

static const char *rel_glyph(const struct scene *sc, int rel)
{
	switch (rel) {
	case ST_SELECTED: return scene_g(sc, "◆", "@");
	case ST_PAST: return scene_g(sc, "▲", "^");
	case ST_FUTURE: return scene_g(sc, "▼", "v");
	case ST_CONCURRENT: return scene_g(sc, "∥", "|");
	default: return scene_g(sc, "●", "o");
	}
}

/* A message edge is part of a chain through the selected event when both
 * ends are in its past (or are it), or both in its future (or are it). */
static int edge_style(int from_rel, int to_rel)
{
	bool past_from = from_rel == ST_PAST, past_to = to_rel == ST_PAST || to_rel == ST_SELECTED;
	bool fut_from = from_rel == ST_FUTURE || from_rel == ST_SELECTED,
	     fut_to = to_rel == ST_FUTURE;
	if (past_from && past_to)
		return SS_LEADER;
	if (fut_from && fut_to)
		return SS_CANDIDATE;
	return SS_DIM;
}

static void cell(struct scene *sc, struct scene_rect clip, int x, int y, int style, const char *g)
{
	if (x >= clip.x && x < clip.x + clip.w && y >= clip.y && y < clip.y + clip.h)
		scene_text(sc, x, y, 1, style, g);
}

/* A message from the glyph at (x0, y0) to the glyph at (x1, y1), y1 > y0:
 * diagonally onto line y0 + 1, along it, then down beside the receiver. */
static void route(struct scene *sc, struct scene_rect clip, int x0, int y0, int x1, int y1,
		  int style)
{
	bool right = x1 > x0;
	int d = right ? 1 : -1;
	const char *down = right ? scene_g(sc, "╲", "\\") : scene_g(sc, "╱", "/");
	int y = y0 + 1, xs = x0 + d, xe = x1 - d;
	if (x0 == x1) { /* to itself: cannot happen, a node does not message itself */
		for (int yy = y0 + 1; yy < y1; yy++)
			cell(sc, clip, x0, yy, style, scene_g(sc, "│", "|"));
		return;
	}
	cell(sc, clip, xs, y, style, down);
	for (int x = xs + d; x != xe && x != xe + d; x += d)
		cell(sc, clip, x, y, style, scene_g(sc, "─", "-"));
	if (xe == xs)
		return;
	if (y1 == y + 1) {
		cell(sc, clip, xe, y, style, down);
		return;
	}
	cell(sc, clip, xe, y, style, right ? scene_g(sc, "╮", "+") : scene_g(sc, "╭", "+"));
	for (int yy = y + 1; yy < y1 - 1; yy++)
		cell(sc, clip, xe, yy, style, scene_g(sc, "│", "|"));
	cell(sc, clip, xe, y1 - 1, style, down);
}

void scene_view_spacetime(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!scene_frame(sc, s, &l))
		return;
	/* The diagram is this view's event log: it takes that pane's room. */
	struct scene_rect m = {0, 1, s->w, l.main.h + l.events.h};
	scene_fill(sc, m, SS_NORMAL);
	int n = s->nnodes;
	if (n <= 0)
		return;
	int colw = MAX(4, (m.w - ST_GUTTER) / n);
	int avail = MAX(1, m.h - 2 - ST_DETAIL);
	struct scene_rect clip = {ST_GUTTER, m.y + 2, m.w - ST_GUTTER, avail};
	if (s->st_title)
		scene_text(sc, 1, m.y, m.w - 2, SS_TITLE, s->st_title);
	for (int k = 0; k < n; k++) {
		int x = ST_GUTTER + k * colw + 1;
		scene_text(sc, x, m.y + 1, colw - 1, SS_TITLE, s->node[k].name);
		for (int r = 0; r < avail; r++)
			scene_text(sc, x, clip.y + r, 1, SS_DIM, scene_g(sc, "┊", ":"));
	}
	scene_text(sc, 0, m.y + 1, ST_GUTTER - 1, SS_DIM, _("true t"));
	for (int i = 0; i < s->nst_detail && i < ST_DETAIL; i++)
		scene_text(sc, 1, clip.y + avail + i, m.w - 2, s->st_detail[i].style,
			   s->st_detail[i].text);
	if (!s->nst) {
		scene_text(sc, ST_GUTTER, clip.y, clip.w, SS_DIM,
			   _("(no events yet: event n1 a, send n1 n2 m, commit n1 x)"));
		return;
	}
	/* Rows come in order (tui_spacetime.c places them so). A row takes
	 * two lines when a message leaves it. */
	int minrow = s->st[0].row, maxrow = s->st[s->nst - 1].row;
	int nrows = maxrow - minrow + 1, sel_row = -1;
	uint8_t *lines = xcalloc((size_t)nrows, 1);
	int *yof = xcalloc((size_t)nrows, sizeof *yof);
	for (int r = 0; r < nrows; r++)
		lines[r] = 1;
	for (int i = 0; i < s->nst; i++) {
		const struct scene_st_event *e = &s->st[i];
		if (e->from_row >= minrow && e->from_row <= maxrow)
			lines[e->from_row - minrow] = 2;
		if (e->rel == ST_SELECTED)
			sel_row = e->row;
	}
	/* The first row shown: the newest rows that fit, or the hint, moved
	 * as little as keeps the selected event on screen. */
	int top;
	if (sel_row < 0) {
		top = maxrow;
		for (int used = lines[top - minrow];
		     top > minrow && used + lines[top - 1 - minrow] <= avail;)
			used += lines[--top - minrow];
	} else {
		top = MAX(minrow, MIN(s->st_top, sel_row));
		for (;;) {
			int used = 0;
			for (int r = top; r <= sel_row; r++)
				used += lines[r - minrow];
			if (used - (lines[sel_row - minrow] - 1) <= avail || top == sel_row)
				break;
			top++;
		}
	}
	for (int r = top, y = clip.y; r <= maxrow; r++) {
		yof[r - minrow] = y;
		y += lines[r - minrow];
	}
	for (int r = top - 1, y = clip.y; r >= minrow; r--) {
		y -= lines[r - minrow];
		yof[r - minrow] = y;
	}
#define YOF(r) ((r) < minrow ? clip.y - 3 : yof[(r)-minrow])
	/* Commit waits: heavy spans between a commit and its end. */
	for (int i = 0; i < s->nst; i++) {
		const struct scene_st_event *e = &s->st[i];
		if (e->node < 0 || e->node >= n || (e->wait_row < 0 && !e->waiting))
			continue;
		int y0 = e->wait_row >= 0 ? YOF(e->wait_row) + 1 : YOF(e->row) + 1;
		int y1 = e->wait_row >= 0 ? YOF(e->row) - 1 : clip.y + clip.h - 1;
		int x = ST_GUTTER + e->node * colw + 1;
		for (int y = y0; y <= y1; y++)
			cell(sc, clip, x, y, SS_TIMER_NEXT, scene_g(sc, "┃", "#"));
		if (y0 >= clip.y && y0 <= y1 && y0 < clip.y + clip.h && colw > 3) {
			char d[32], lab[48];
			if (e->waiting) {
				ns_snprintf(lab, sizeof lab, "%s", _("commit wait…"));
			} else {
				sim_time w = e->at - e->wait_at;
				if (w >= SIM_S)
					ns_snprintf(d, sizeof d, "%.3fs", (double)w / SIM_S);
				else
					ns_snprintf(d, sizeof d, "%.1fms", (double)w / SIM_MS);
				ns_snprintf(lab, sizeof lab, _("commit wait %s"), d);
			}
			scene_text(sc, x + 2, y0, colw - 3, SS_TIMER_NEXT, lab);
		}
	}
	/* Messages: from the send's glyph to the receipt's. */
	for (int i = 0; i < s->nst; i++) {
		const struct scene_st_event *e = &s->st[i];
		if (e->from_node < 0 || e->from_row < 0 || e->from_node >= n || e->node >= n ||
		    e->row < top)
			continue;
		int from_rel = ST_NONE;
		for (int j = i - 1; j >= 0 && s->st[j].row >= e->from_row; j--)
			if (s->st[j].row == e->from_row && s->st[j].node == e->from_node) {
				from_rel = s->st[j].rel;
				break;
			}
		int x0 = ST_GUTTER + e->from_node * colw + 1;
		int x1 = ST_GUTTER + e->node * colw + 1;
		route(sc, clip, x0, YOF(e->from_row), x1, YOF(e->row),
		      edge_style(from_rel, e->rel));
	}
	/* The events and their labels, over the lines. */
	int gutter_row = INT32_MIN;
	for (int i = 0; i < s->nst; i++) {
		const struct scene_st_event *e = &s->st[i];
		if (e->node < 0 || e->node >= n || e->row < top)
			continue;
		int x = ST_GUTTER + e->node * colw + 1, y = YOF(e->row);
		if (y >= clip.y + clip.h)
			break;
		if (e->row != gutter_row) {
			/* Milliseconds are enough to order the rows by eye. */
			char t[32];
			ns_snprintf(t, sizeof t, "%lld.%03llds", (long long)(e->at / SIM_S),
				    (long long)(e->at % SIM_S / SIM_MS));
			scene_text(sc, 0, y, ST_GUTTER - 1, SS_DIM, t);
			gutter_row = e->row;
		}
		int st = rel_style(e->rel);
		scene_text_hit(sc, x, y, 1, st, rel_glyph(sc, e->rel), e->node, -1);
		if (colw > 3)
			scene_text(sc, x + 2, y, colw - 3, e->rel == ST_NONE ? SS_NORMAL : st,
				   e->label);
	}
#undef YOF
	free(lines);
	free(yof);
}

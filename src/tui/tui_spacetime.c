/*
 * tui_spacetime.c — the clocks protocol's timeline: its events laid out
 * for the space-time diagram (scene_spacetime.c), the selected event and
 * what it shows of it (issue 18).
 *
 * Rows follow true time, compacted: events are placed in true-time order
 * (a receipt only after its send), each on the row of the event placed
 * before it unless its node already has an event there — one row more
 * than its node's previous event and than the send it receives. So rows
 * never go back in time, program order and messages point down, and
 * events of different nodes that happened one after the other share a
 * row; a commit wait takes at least one row of its own. The relation of each event to the selected
 * one comes from the event graph: the past from clocks_past (a search backwards over the graph),
 * the future by carrying "after the selected" forward along program order and messages in the same
 * placing order. No clock is consulted for either: the clocks are what the learner compares with
 * it.
 *
 * Events are only ever appended, in true-time order, so the placing is
 * incremental: each frame places only the events that are new since the
 * last (O(new events × nodes)); a new simulation starts it again. The
 * relations are O(events) with an event selected, and the scene gets only
 * the events of the rows around the window (found by bisection: rows
 * never go back in placing order).
 */
#include "tui/tui_internal.h"

#include "proto/clocks.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct st_cell {
	int32_t row;
	uint8_t rel;
};

struct tui_st {
	bool has_sel;
	int sel_node;
	uint32_t sel_index;
	int top; /* first row shown while an event is selected */
	struct st_cell *cell[SIM_MAX_NODES];
	size_t capcell[SIM_MAX_NODES];
	uint32_t *upto;
	struct scene_st_event *ev;
	size_t capev;
	/* the events in placing order: (node, index) */
	struct st_ref {
		int16_t node;
		uint32_t index;
	} * order;
	size_t caporder;
	uint32_t norder;
	/* the placing so far: for which simulation, each node's next event,
	 * the row of the last event placed */
	const struct sim *placed_for;
	uint32_t next[SIM_MAX_NODES];
	int32_t last;
	/* the marks so far: for which selected event, up to which event of
	 * the placing order, and how many of each */
	bool rel_on;
	int rel_node;
	uint32_t rel_index, rel_done;
	uint32_t npast, nfuture, nconc;
	char title[200];
	char detail[3][320];
	struct scene_line lines[3];
};

struct tui_st *tui_st_new(void)
{
	return xcalloc(1, sizeof(struct tui_st));
}

void tui_st_free(struct tui_st *st)
{
	if (!st)
		return;
	for (int i = 0; i < SIM_MAX_NODES; i++)
		free(st->cell[i]);
	free(st->upto);
	free(st->ev);
	free(st->order);
	free(st);
}

bool tui_st_applies(struct sim *s)
{
	return s && !strcmp(sim_proto(s)->name, "clocks");
}

void tui_st_reset(struct tui_st *st)
{
	st->has_sel = false;
	st->top = 0;
	st->placed_for = NULL;
}

/* Places every event not placed yet: fills cell[i][k].row and the placing
 * order. */
static void place(struct tui_st *st, struct sim *s)
{
	int n = MIN(sim_nodes(s), SIM_MAX_NODES);
	const struct clk_event *ev[SIM_MAX_NODES];
	uint32_t cnt[SIM_MAX_NODES], *next = st->next;
	uint32_t total = 0;
	bool fresh = st->placed_for != s;
	for (int i = 0; i < n; i++) {
		ev[i] = clocks_events(s, i, &cnt[i]);
		total += cnt[i];
		fresh = fresh || cnt[i] < next[i]; /* cannot happen: events stay */
		if (cnt[i] > st->capcell[i])
			xgrow((void **)&st->cell[i], &st->capcell[i], cnt[i], sizeof *st->cell[i]);
	}
	if (fresh) {
		memset(st->next, 0, sizeof st->next);
		st->norder = 0;
		st->last = 0;
		st->placed_for = s;
		st->rel_on = false; /* the cells are placed again: no marks */
	}
	if (total > st->caporder)
		xgrow((void **)&st->order, &st->caporder, total, sizeof *st->order);
	int32_t last = st->last; /* the row of the event placed before */
	while (st->norder < total) {
		int best = -1;
		for (int i = 0; i < n; i++) {
			if (next[i] >= cnt[i])
				continue;
			const struct clk_event *e = &ev[i][next[i]];
			/* A receipt waits for its send to be placed. */
			if (e->kind == CLK_RECV && e->peer >= 0 && e->peer < n &&
			    e->parent > next[e->peer] && e->parent <= cnt[e->peer])
				continue;
			if (best < 0 || e->true_at < ev[best][next[best]].true_at)
				best = i;
		}
		if (best < 0) /* a receipt of a send never kept: cannot happen */
			break;
		const struct clk_event *e = &ev[best][next[best]];
		int32_t row = MAX(last, next[best] ? st->cell[best][next[best] - 1].row + 1 : 0);
		if (e->kind == CLK_RECV && e->peer >= 0 && e->peer < n && e->parent >= 1 &&
		    e->parent <= cnt[e->peer])
			row = MAX(row, st->cell[e->peer][e->parent - 1].row + 1);
		/* A commit wait takes at least a row, so that it shows as a span. */
		if (e->kind == CLK_DONE && e->parent >= 1 && e->parent <= next[best])
			row = MAX(row, st->cell[best][e->parent - 1].row + 2);
		st->cell[best][next[best]] = (struct st_cell){row, ST_NONE};
		last = row;
		st->order[st->norder++] = (struct st_ref){(int16_t)best, next[best] + 1};
		next[best]++;
	}
	st->last = last;
}

/* The relation of every event to the selected one, from the graph:
 * the past (clocks_past) once per selection, then each event placed since
 * the last frame carried forward — nothing placed later can be in the
 * selected event's past, and what is after it stays after it. */
static void relate(struct tui_st *st, struct sim *s, const struct clk_event *sel)
{
	int n = MIN(sim_nodes(s), SIM_MAX_NODES);
	bool same = st->rel_on && sel && st->rel_node == sel->node && st->rel_index == sel->index;
	if (!same && st->rel_on) { /* the marks of another selection go */
		for (uint32_t k = 0; k < st->norder; k++)
			st->cell[st->order[k].node][st->order[k].index - 1].rel = ST_NONE;
		st->rel_on = false;
	}
	if (!sel)
		return;
	if (!same) {
		st->upto = xrealloc(st->upto, (size_t)sim_nodes(s) * sizeof *st->upto);
		clocks_past(s, sel, st->upto);
		st->rel_on = true;
		st->rel_node = sel->node;
		st->rel_index = sel->index;
		st->rel_done = 0;
		st->npast = st->nfuture = st->nconc = 0;
	}
	for (uint32_t k = st->rel_done; k < st->norder; k++) {
		int i = st->order[k].node;
		uint32_t idx = st->order[k].index;
		uint32_t cnt;
		const struct clk_event *e = &clocks_events(s, i, &cnt)[idx - 1];
		struct st_cell *c = &st->cell[i][idx - 1];
		if (e == sel) {
			c->rel = ST_SELECTED;
			continue;
		}
		if (idx <= st->upto[i]) {
			c->rel = ST_PAST;
			st->npast++;
			continue;
		}
		bool after = idx > 1 && (st->cell[i][idx - 2].rel == ST_FUTURE ||
					 st->cell[i][idx - 2].rel == ST_SELECTED);
		if (!after && e->kind == CLK_RECV && e->peer >= 0 && e->peer < n &&
		    e->parent >= 1) {
			uint8_t r = st->cell[e->peer][e->parent - 1].rel;
			after = r == ST_FUTURE || r == ST_SELECTED;
		}
		c->rel = after ? ST_FUTURE : ST_CONCURRENT;
		st->nfuture += after;
		st->nconc += !after;
	}
	st->rel_done = st->norder;
}

static const struct clk_event *selected(struct tui_st *st, struct sim *s)
{
	if (!st->has_sel || st->sel_node >= sim_nodes(s))
		return NULL;
	uint32_t cnt;
	const struct clk_event *ev = clocks_events(s, st->sel_node, &cnt);
	return ev && st->sel_index >= 1 && st->sel_index <= cnt ? &ev[st->sel_index - 1] : NULL;
}

static const char *kind_text(const struct clk_event *e, char *buf, size_t n)
{
	switch (e->kind) {
	case CLK_LOCAL: ns_snprintf(buf, n, "%s", _("a local event")); break;
	case CLK_SEND: ns_snprintf(buf, n, _("a send to n%d"), e->peer + 1); break;
	case CLK_RECV:
		ns_snprintf(buf, n, _("the receipt of n%d.%u"), e->peer + 1, e->parent);
		break;
	case CLK_COMMIT: ns_snprintf(buf, n, "%s", _("a commit")); break;
	default:
		ns_snprintf(buf, n, _("the end of the commit wait of n%d.%u"), e->node + 1,
			    e->parent);
	}
	return buf;
}

static void fill_detail(struct tui_st *st, struct sim *s, const struct clk_event *sel,
			uint32_t past, uint32_t future, uint32_t conc, bool unicode)
{
	char tb[32], tb2[32], kb[96], id[24];
	if (!sel) {
		ns_snprintf(st->detail[0], sizeof st->detail[0], "%s",
			    unicode ? _("↑ ↓ select an event: ▲ its causal past, ▼ its future, "
					"∥ concurrent with it")
				    : _("up/down select an event: ^ its causal past, v its future, "
					"| concurrent with it"));
		ns_snprintf(
		    st->detail[1], sizeof st->detail[1],
		    _("< > the clock shown, or :set show lamport|vector|hlc|physical|truetime"));
		st->detail[2][0] = '\0';
		return;
	}
	/* TRANSLATORS: an event, what it is, its true time, then how many
	 * events are in its past, its future, and concurrent with it. */
	ns_snprintf(st->detail[0], sizeof st->detail[0],
		    _("%s%s%s: %s · true time %s · %s%u %s%u %s%u"), clocks_id(sel, id, sizeof id),
		    sel->name[0] ? " " : "", sel->name, kind_text(sel, kb, sizeof kb),
		    simtime_fmt(sel->true_at, tb, sizeof tb), unicode ? "▲" : "^", past,
		    unicode ? "▼" : "v", future, unicode ? "∥" : "|", conc);
	struct sbuf v = {0}, h = {0};
	clocks_fmt_stamp(sel, CLK_SHOW_VECTOR, &v);
	clocks_fmt_stamp(sel, CLK_SHOW_HLC, &h);
	ns_snprintf(st->detail[1], sizeof st->detail[1], _("Lamport %llu · vector %s · HLC (%s)"),
		    (unsigned long long)sel->lamport, sbuf_str(&v), sbuf_str(&h));
	sbuf_free(&v);
	sbuf_free(&h);
	ns_snprintf(st->detail[2], sizeof st->detail[2], _("physical %s · TrueTime [%s, %s]"),
		    simtime_fmt(sel->pt, tb, sizeof tb),
		    simtime_fmt(sel->tt_earliest, tb2, sizeof tb2),
		    simtime_fmt(sel->tt_latest, kb, sizeof kb));
	if (sel->kind == CLK_COMMIT || sel->kind == CLK_DONE) {
		size_t len = strlen(st->detail[2]);
		ns_snprintf(st->detail[2] + len, sizeof st->detail[2] - len, _(" · commit s=%s"),
			    simtime_fmt(sel->commit_ts, tb, sizeof tb));
	}
}

/* A label's stamp: the shown clock, a vector as its counters in node
 * order ("[3 1 0]": the column says whose is whose). */
static void label_stamp(const struct clk_event *e, enum clk_show w, int n, struct sbuf *out)
{
	if (w != CLK_SHOW_VECTOR) {
		clocks_fmt_stamp(e, w, out);
		return;
	}
	sbuf_puts(out, "[");
	for (int i = 0; i < n; i++)
		sbuf_printf(out, "%s%u", i ? " " : "", vclock_get(&e->vc, i));
	sbuf_puts(out, "]");
}

void tui_st_fill(struct tui_st *st, struct sim *s, bool unicode, int rows, struct scene_snap *out)
{
	place(st, s);
	const struct clk_event *sel = selected(st, s);
	if (!sel)
		st->has_sel = false;
	relate(st, s, sel);
	int32_t maxrow = -1;
	int n = MIN(sim_nodes(s), SIM_MAX_NODES);
	for (int i = 0; i < n; i++) {
		uint32_t cnt;
		clocks_events(s, i, &cnt);
		if (cnt)
			maxrow = MAX(maxrow, st->cell[i][cnt - 1].row);
	}
	int32_t top = MAX(0, maxrow - rows + 1);
	if (sel) {
		int32_t r = st->cell[sel->node][sel->index - 1].row;
		if (st->top > r)
			st->top = r;
		if (r >= st->top + rows)
			st->top = r - rows + 1;
		st->top = MAX(0, MIN(st->top, top));
		top = st->top;
	}
	/* The scene gets the rows it may show: from a row before the window
	 * to two windows after it (receipts below draw their messages), the
	 * first found by bisection. */
	int32_t lo = MAX(0, top - 1), hi = top + 2 * rows;
	uint32_t past = st->npast, future = st->nfuture, conc = st->nconc, nev = 0;
	uint32_t first = 0, end = st->norder;
	while (first < end) {
		uint32_t mid = first + (end - first) / 2;
		if (st->cell[st->order[mid].node][st->order[mid].index - 1].row < lo)
			first = mid + 1;
		else
			end = mid;
	}
	for (uint32_t k = first; k < st->norder; k++) {
		int i = st->order[k].node;
		uint32_t idx = st->order[k].index, cnt;
		const struct clk_event *e = &clocks_events(s, i, &cnt)[idx - 1];
		const struct st_cell *c = &st->cell[i][idx - 1];
		if (c->row > hi)
			break;
		if (nev >= st->capev)
			xgrow((void **)&st->ev, &st->capev, nev + 1, sizeof *st->ev);
		struct scene_st_event *o = &st->ev[nev++];
		memset(o, 0, sizeof *o);
		o->row = c->row;
		o->node = (int16_t)i;
		o->from_node = -1;
		o->from_row = -1;
		o->wait_row = -1;
		o->rel = c->rel;
		o->at = e->true_at;
		if (e->kind == CLK_RECV && e->peer >= 0 && e->peer < n && e->parent >= 1) {
			o->from_node = (int16_t)e->peer;
			o->from_row = st->cell[e->peer][e->parent - 1].row;
		}
		if (e->kind == CLK_DONE && e->parent >= 1 && e->parent <= cnt) {
			o->wait_row = st->cell[i][e->parent - 1].row;
			o->wait_at = clocks_events(s, i, &cnt)[e->parent - 1].true_at;
		}
		o->waiting = clocks_waiting(s, e);
		struct sbuf b = {0};
		if (e->name[0])
			sbuf_printf(&b, "%s ", e->name);
		else
			sbuf_printf(&b, ".%u ", e->index);
		label_stamp(e, clocks_shown(s), n, &b);
		ns_strlcpy(o->label, sbuf_str(&b), sizeof o->label);
		sbuf_free(&b);
	}
	/* The scene draws events in row order. */
	out->nst = (int)nev;
	out->st = st->ev;
	out->st_top = top;
	static const char *const names[CLK_SHOW_COUNT] = {
	    N_("Lamport clock"), N_("vector clock"), N_("hybrid logical clock (l,c)"),
	    N_("physical clock"), N_("TrueTime [earliest,latest]")};
	ns_snprintf(st->title, sizeof st->title,
		    _("Events, down in true time · shown: %s · tab: next view"),
		    _(names[clocks_shown(s)]));
	out->st_title = st->title;
	fill_detail(st, s, sel, past, future, conc, unicode);
	for (int i = 0; i < 3; i++) {
		st->lines[i].text = st->detail[i];
		st->lines[i].style = (uint8_t)(sel ? SS_NORMAL : SS_DIM);
	}
	out->nst_detail = 3;
	out->st_detail = st->lines;
}

/* The screen order: by row, then node. */
static int64_t screen_key(const struct tui_st *st, int node, uint32_t index)
{
	return (int64_t)st->cell[node][index - 1].row * SIM_MAX_NODES + node;
}

void tui_st_move(struct tui_st *st, struct sim *s, int delta)
{
	place(st, s);
	if (!st->norder)
		return;
	if (!st->has_sel || !selected(st, s)) {
		/* Nothing selected: start at the newest event on screen. */
		struct st_ref best = st->order[0];
		for (uint32_t k = 1; k < st->norder; k++)
			if (screen_key(st, st->order[k].node, st->order[k].index) >
			    screen_key(st, best.node, best.index))
				best = st->order[k];
		st->has_sel = true;
		st->sel_node = best.node;
		st->sel_index = best.index;
		return;
	}
	for (int step = 0; step < abs(delta); step++) {
		int64_t cur = screen_key(st, st->sel_node, st->sel_index);
		bool found = false;
		struct st_ref best = {0, 0};
		int64_t bk = 0;
		for (uint32_t k = 0; k < st->norder; k++) {
			int64_t key = screen_key(st, st->order[k].node, st->order[k].index);
			bool beyond = delta > 0 ? key > cur : key < cur;
			if (beyond && (!found || (delta > 0 ? key < bk : key > bk))) {
				found = true;
				best = st->order[k];
				bk = key;
			}
		}
		if (!found)
			break;
		st->sel_node = best.node;
		st->sel_index = best.index;
	}
}

bool tui_st_clear(struct tui_st *st)
{
	bool had = st->has_sel;
	st->has_sel = false;
	return had;
}

const char *tui_st_next_clock(struct sim *s, int delta)
{
	int w = ((int)clocks_shown(s) + delta + CLK_SHOW_COUNT) % CLK_SHOW_COUNT;
	return clocks_show_words[w];
}

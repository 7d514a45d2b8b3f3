/*
 * tui_history.c — the live verdict and the history view's window.
 *
 * Each frame the screen gives the world's incremental checker (lin.h) a
 * small wall-clock budget: a live history mostly re-validates the last
 * witness in O(n), so the verdict keeps up without making frames slow, and
 * when a search needs longer the status line says "checking" until it is
 * done. The budget only ever delays an answer, it never changes one.
 *
 * After the first violation, the core (the operations that cannot be
 * ordered whatever the others did) and the explanation are computed once,
 * with a step budget, and the view pins its window on the core so the
 * proof is on screen; scrolling forward past now follows the latest
 * operations again.
 */
#include "tui/tui_history.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* Zoom levels: simulated time per column. */
static const sim_time zooms[] = {
    100,         200,         500,          SIM_MS,       2 * SIM_MS,   5 * SIM_MS, 10 * SIM_MS,
    20 * SIM_MS, 50 * SIM_MS, 100 * SIM_MS, 200 * SIM_MS, 500 * SIM_MS, SIM_S,
};
enum { ZOOM_DEFAULT = 5 };

struct tui_hist {
	const struct lin_checker *lin; /* the checker the state below is about */
	uint32_t epoch;
	enum lin_verdict verdict;
	bool explained;
	uint32_t *core;
	int ncore;
	struct sbuf explain;
	struct scene_line *expl;
	int nexpl;
	struct scene_hop *ops;
	size_t capops;
	char (*rows)[12];
	int *procs;
	int nrows;
	size_t caprows, capprocs;
	int zoom;
	bool pinned, pin_pending;
	sim_time pin; /* the right edge when pinned */
	/* What fill has seen of the history, so that a frame costs the ops
	 * near the window, not the whole history (see scan). */
	const struct history *scan_hist;
	uint32_t scan_epoch;
	size_t rows_scanned; /* ops whose client has a row */
	bool unsorted;       /* some op was invoked before the one added before it */
	size_t final_n;      /* ops[0..final_n) have their end fixed */
	int64_t final_max;   /* the latest end among them */
	int64_t *blockmax;   /* [b]: the latest end among ops[0..(b + 1) * HIST_BLOCK) */
	size_t nblocks, capblocks;
};

enum { HIST_BLOCK = 256 };

struct tui_hist *tui_hist_new(void)
{
	struct tui_hist *h = xcalloc(1, sizeof *h);
	h->zoom = ZOOM_DEFAULT;
	return h;
}

static void forget(struct tui_hist *h)
{
	free(h->core);
	h->core = NULL;
	h->ncore = 0;
	free(h->expl);
	h->expl = NULL;
	h->nexpl = 0;
	sbuf_clear(&h->explain);
	h->explained = false;
	h->verdict = LIN_OK;
	h->pin_pending = false;
}

void tui_hist_free(struct tui_hist *h)
{
	if (!h)
		return;
	forget(h);
	sbuf_free(&h->explain);
	free(h->ops);
	free(h->rows);
	free(h->procs);
	free(h->blockmax);
	free(h);
}

/* Splits the explanation into lines (pointing into h->explain). */
static void split_explain(struct tui_hist *h)
{
	char *p = h->explain.len ? h->explain.s : NULL;
	int n = 0;
	for (char *q = p; q && *q; q++)
		n += *q == '\n';
	h->expl = xcalloc((size_t)n + 1, sizeof *h->expl);
	h->nexpl = 0;
	while (p && *p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p)
			h->expl[h->nexpl++] = (struct scene_line){p, SS_NORMAL};
		if (!nl)
			break;
		p = nl + 1;
	}
}

bool tui_hist_tick(struct tui_hist *h, struct world *w, double seconds)
{
	struct lin_checker *c = world_lin(w);
	const struct history *hist = world_history(w);
	if (c != h->lin || hist->epoch != h->epoch) {
		forget(h);
		h->scan_hist = NULL; /* a new world: scan its history afresh */
		h->lin = c;
		h->epoch = hist->epoch;
		h->pinned = false;
	}
	if (!c || hist->n == 0) {
		h->verdict = LIN_OK;
		return false;
	}
	if (h->explained)
		return false; /* a violation stays one: nothing later can fix it */
	struct lin_budget b = {.max_seconds = seconds};
	h->verdict = lin_check(c, &b);
	if (h->verdict != LIN_VIOLATION)
		return false;
	/* The core and the words: once, bounded by steps (the defaults). */
	const uint32_t *ids;
	int n = lin_core(c, NULL, &ids);
	h->core = xcalloc((size_t)MAX(n, 1), sizeof *h->core);
	memcpy(h->core, ids, sizeof *ids * (size_t)n);
	h->ncore = n;
	lin_explain(c, NULL, &h->explain);
	split_explain(h);
	h->explained = true;
	h->pin_pending = true;
	return true;
}

enum lin_verdict tui_hist_verdict(const struct tui_hist *h)
{
	return h->verdict;
}

const char *tui_hist_verdict_text(const struct tui_hist *h)
{
	if (!h->lin)
		return NULL;
	return _(lin_verdict_name(h->verdict));
}

int tui_hist_verdict_style(const struct tui_hist *h)
{
	switch (h->verdict) {
	case LIN_OK: return SS_OK;
	case LIN_VIOLATION: return SS_ERROR;
	default: return SS_DIM;
	}
}

bool tui_hist_busy(const struct tui_hist *h)
{
	return h->lin && h->verdict == LIN_CHECKING;
}

static bool in_core(const struct tui_hist *h, uint32_t id)
{
	for (int i = 0; i < h->ncore; i++)
		if (h->core[i] == id)
			return true;
	return false;
}

static int row_of(struct tui_hist *h, int proc)
{
	for (int i = 0; i < h->nrows; i++)
		if (h->procs[i] == proc)
			return i;
	/* Rows in client order: insert sorted. */
	xgrow((void **)&h->procs, &h->capprocs, (size_t)h->nrows + 1, sizeof *h->procs);
	int at = h->nrows;
	while (at > 0 && h->procs[at - 1] > proc)
		at--;
	memmove(h->procs + at + 1, h->procs + at, sizeof *h->procs * (size_t)(h->nrows - at));
	h->procs[at] = proc;
	h->nrows++;
	return -1; /* rows moved: the caller assigns rows after collecting them */
}

/* Pins the window on the core of the violation: the whole core in about
 * two thirds of the width. */
static void pin_on_core(struct tui_hist *h, const struct history *hist, int cols)
{
	sim_time lo = HIST_NEVER, hi = 0;
	for (int i = 0; i < h->ncore; i++) {
		const struct hist_op *op = history_op(hist, h->core[i]);
		if (!op)
			continue;
		lo = MIN(lo, op->invoked);
		sim_time end = op->completed != HIST_NEVER ? op->completed
			       : op->gave_up != HIST_NEVER ? op->gave_up
							   : op->invoked;
		hi = MAX(hi, end);
	}
	if (lo == HIST_NEVER)
		return;
	sim_time span = MAX(hi - lo, 1);
	int z = 0;
	while (z < (int)ARRAY_LEN(zooms) - 1 && zooms[z] * (cols * 2 / 3) < span)
		z++;
	h->zoom = z;
	h->pinned = true;
	h->pin = hi + (sim_time)(cols / 6) * zooms[z];
}

/* Where an op's bar ends: its completion, when its client gave up, or now. */
static sim_time op_end(const struct hist_op *op, sim_time now)
{
	return op->completed != HIST_NEVER ? op->completed
	       : op->gave_up != HIST_NEVER ? op->gave_up
					   : now;
}

/* Catches up with the history: a row for every new client, and the
 * latest end over each block of ops whose ends are fixed (a prefix of the
 * history), which bounds where the window's ops can start. */
static void scan(struct tui_hist *h, const struct history *hist)
{
	if (h->scan_hist != hist || h->scan_epoch != hist->epoch || hist->n < h->rows_scanned) {
		h->scan_hist = hist;
		h->scan_epoch = hist->epoch;
		h->nrows = 0;
		h->rows_scanned = 0;
		h->unsorted = false;
		h->final_n = 0;
		h->final_max = INT64_MIN;
		h->nblocks = 0;
	}
	/* A long session's history forgets its past (history_forget): what
	 * the view had not seen of it is skipped (every op there was final;
	 * the blocks' ends are then lower bounds, which only widens the
	 * search in fill). */
	for (size_t i = MAX(h->rows_scanned, hist->base); i < hist->n; i++) {
		const struct hist_op *op = history_op(hist, i), *prev = history_op(hist, i - 1);
		row_of(h, op->process);
		if (i > 0 && prev && op->invoked < prev->invoked)
			h->unsorted = true;
	}
	h->rows_scanned = hist->n;
	while (h->final_n < hist->base) {
		h->final_n = MIN(hist->base, (h->final_n / HIST_BLOCK + 1) * HIST_BLOCK);
		if (h->final_n % HIST_BLOCK == 0) {
			xgrow((void **)&h->blockmax, &h->capblocks, h->nblocks + 1,
			      sizeof *h->blockmax);
			h->blockmax[h->nblocks++] = h->final_max;
		}
	}
	while (h->final_n < hist->n) {
		const struct hist_op *op = history_op(hist, h->final_n);
		if (op->completed == HIST_NEVER && op->gave_up == HIST_NEVER)
			break; /* still running: its end moves */
		h->final_max = MAX(h->final_max, op_end(op, 0));
		h->final_n++;
		if (h->final_n % HIST_BLOCK == 0) {
			xgrow((void **)&h->blockmax, &h->capblocks, h->nblocks + 1,
			      sizeof *h->blockmax);
			h->blockmax[h->nblocks++] = h->final_max;
		}
	}
}

/* Adds op to the window's ops[0..n) if it reaches into [left, right];
 * returns the new n. */
static size_t add_op(struct tui_hist *h, const struct history *hist, const struct hist_op *op,
		     size_t n, sim_time now, sim_time left, sim_time right, bool unicode)
{
	sim_time end = op_end(op, now);
	if (end < left || op->invoked > right)
		return n;
	xgrow((void **)&h->ops, &h->capops, n + 1, sizeof *h->ops);
	struct scene_hop *o = &h->ops[n++];
	o->row = row_of(h, op->process);
	o->t0 = op->invoked;
	o->t1 = end;
	o->outcome = (uint8_t)op->outcome;
	o->core = h->ncore && in_core(h, op->id);
	scene_hist_label(hist, op, unicode, o->label, sizeof o->label);
	return n;
}

void tui_hist_fill(struct tui_hist *h, struct world *w, bool unicode, int cols,
		   struct scene_hist *out)
{
	const struct history *hist = world_history(w);
	struct sim *s = world_sim(w);
	sim_time now = s ? sim_now(s) : 0;
	cols = MAX(cols, 1);
	if (h->pin_pending) {
		pin_on_core(h, hist, cols);
		h->pin_pending = false;
	}
	if (h->pinned && h->pin >= now)
		h->pinned = false;
	sim_time scale = zooms[h->zoom];
	sim_time right = h->pinned ? h->pin : now;
	sim_time left = right - (sim_time)cols * scale;
	scan(h, hist);
	xgrow((void **)&h->rows, &h->caprows, (size_t)h->nrows + 1, sizeof *h->rows);
	for (int i = 0; i < h->nrows; i++)
		ns_snprintf(h->rows[i], sizeof h->rows[i], "%c%d", hist->jepsen ? 'p' : 'c',
			    h->procs[i]);
	/* The operations that reach into the window: none before the first
	 * block whose latest end reaches it; none after one invoked past it
	 * when the history is in invocation order (a live one is). */
	size_t lo = 0, hi = h->nblocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->blockmax[mid] < left)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0, first = lo * HIST_BLOCK;
	/* Forgotten ops are not drawn, but those kept aside (a violation's
	 * core) are. */
	for (size_t k = 0; first < hist->base && k < hist->nkept; k++) {
		const struct hist_op *op = &hist->kept[k];
		if (op->id < first)
			continue;
		n = add_op(h, hist, op, n, now, left, right, unicode);
	}
	for (size_t i = MAX(first, hist->base); i < hist->n; i++) {
		const struct hist_op *op = history_op(hist, i);
		if (op->invoked > right && !h->unsorted)
			break;
		n = add_op(h, hist, op, n, now, left, right, unicode);
	}
	*out = (struct scene_hist){
	    .nrows = h->nrows,
	    .rows = (const char(*)[12])h->rows,
	    .total = (int)hist->n,
	    .nops = (int)n,
	    .ops = h->ops,
	    .right = right,
	    .scale = scale,
	    .follow = !h->pinned,
	    .verdict = hist->n ? tui_hist_verdict_text(h) : NULL,
	    .verdict_style = tui_hist_verdict_style(h),
	    .nexplain = h->nexpl,
	    .explain = h->expl,
	};
}

void tui_hist_scroll(struct tui_hist *h, struct world *w, int cols)
{
	struct sim *s = world_sim(w);
	sim_time now = s ? sim_now(s) : 0;
	if (!h->pinned)
		h->pin = now;
	h->pin += (sim_time)cols * zooms[h->zoom];
	h->pinned = h->pin < now;
}

int tui_hist_fit_zoom(sim_time span, sim_time typical, int cols)
{
	int nz = (int)ARRAY_LEN(zooms);
	cols = MAX(cols, 1);
	/* The least time per column that shows the whole span. */
	int whole = 0;
	while (whole < nz - 1 && zooms[whole] * cols < span)
		whole++;
	if (typical <= 0 || typical >= 3 * zooms[whole])
		return whole;
	/* The whole history would draw its operations as dots: the widest
	 * window in which a typical one still takes three columns. */
	int z = whole;
	while (z > 0 && typical < 3 * zooms[z])
		z--;
	return z;
}

void tui_hist_open(struct tui_hist *h, struct world *w, int cols)
{
	const struct history *hist = world_history(w);
	struct sim *s = world_sim(w);
	if (h->pinned || h->pin_pending || !hist->n || !s)
		return;
	sim_time now = sim_now(s);
	/* A typical operation: the median length of the last ones. */
	enum { LAST = 64 };
	sim_time len[LAST];
	int n = 0;
	for (size_t i = hist->n; i-- > 0 && n < LAST;) {
		const struct hist_op *op = &hist->ops[i];
		len[n++] = MAX(op_end(op, now) - op->invoked, 1);
	}
	for (int i = 1; i < n; i++) /* insertion sort: at most 64 */
		for (int k = i; k > 0 && len[k - 1] > len[k]; k--) {
			sim_time x = len[k];
			len[k] = len[k - 1];
			len[k - 1] = x;
		}
	sim_time span = now - hist->ops[0].invoked + 1;
	h->zoom = tui_hist_fit_zoom(span, len[n / 2], cols);
}

void tui_hist_zoom(struct tui_hist *h, int dir)
{
	h->zoom = MAX(0, MIN((int)ARRAY_LEN(zooms) - 1, h->zoom - (dir > 0 ? 1 : -1)));
}

void tui_hist_follow(struct tui_hist *h)
{
	h->pinned = false;
}

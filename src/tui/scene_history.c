/*
 * scene_history.c — the history view: each client a row, each operation a
 * bar from its invocation to its completion, the way Jepsen's and
 * Porcupine's visualisations draw a history ("Linearizability: A
 * Correctness Condition for Concurrent Objects", Herlihy & Wing 1990, draws
 * operations as intervals on one time line per process: the picture the
 * checker reasons about).
 *
 * A bar reads left to right: ├──┤ an operation that completed (ok), ├──✕
 * one that failed, ├──? one whose client gave up (unknown: it may or may
 * not have happened), ├──… one still running. The operations that prove a
 * violation (lin_core) are drawn heavy (┣━━┫) in the error style. In ASCII
 * the same shapes are [--], [--x, [--?, [--> and #### for the core.
 *
 * Pure: a struct scene_hist in, scene items out.
 */
#include "tui/scene_history.h"

#include "util/i18n.h"

#include <stdio.h>
#include <string.h>

static const char *G(const struct scene *sc, const char *uni, const char *ascii)
{
	return sc->unicode ? uni : ascii;
}

void scene_hist_label(const struct history *h, const struct hist_op *op, bool unicode, char *buf,
		      size_t len)
{
	(void)h;
	const char *k = op->key ? op->key : "";
	const char *arrow = unicode ? "→" : "->";
	const char *a = op->arg ? op->arg : "";
	switch (op->f) {
	case HIST_READ:
		if (op->outcome == OUT_OK)
			ns_snprintf(buf, len, "get %s%s%s", k, arrow,
				    op->result ? op->result
				    : unicode  ? "∅"
					       : "nil");
		else
			ns_snprintf(buf, len, "get %s%s?", k, arrow);
		break;
	case HIST_WRITE: ns_snprintf(buf, len, "put %s %s", k, a); break;
	case HIST_CAS:
		if (op->cas_false) /* done, and what it saw: not the expected value */
			ns_snprintf(buf, len, "cas %s%s%s", k, unicode ? "≠" : "!=", a);
		else
			ns_snprintf(buf, len, "cas %s %s%s%s", k, a, arrow,
				    op->arg2 ? op->arg2 : "");
		break;
	case HIST_APPEND: ns_snprintf(buf, len, "app %s+%s", k, a); break;
	default: ns_snprintf(buf, len, "%s", hist_fn_name(op)); break;
	}
}

static int hop_style(const struct scene_hop *o)
{
	if (o->core)
		return SS_ERROR;
	switch (o->outcome) {
	case OUT_OK: return SS_OK;
	case OUT_FAIL: return SS_DROP;
	case OUT_UNKNOWN: return SS_ONEWAY;
	default: return SS_DIM;
	}
}

/* The glyph that ends a bar (or is the whole bar when it is one column). */
static const char *hop_end(const struct scene *sc, const struct scene_hop *o, bool single)
{
	switch (o->outcome) {
	case OUT_FAIL: return G(sc, "✕", "x");
	case OUT_UNKNOWN: return "?";
	case OUT_PENDING: return G(sc, "…", ">");
	default:
		if (o->core)
			return single ? G(sc, "┃", "#") : G(sc, "┫", "#");
		return single ? G(sc, "│", "|") : G(sc, "┤", "]");
	}
}

/* The column of time t, for the window whose right edge (column xr) is at
 * `right`: may be left of the area or right of it. */
static int64_t col_of(sim_time t, sim_time right, sim_time scale, int xr)
{
	int64_t d = right - t;
	if (d >= 0)
		return xr - d / scale;
	return xr + (-d + scale - 1) / scale;
}

/* A round tick step: 1, 2 or 5 times a power of ten microseconds, at least
 * `min` long. */
static sim_time tick_step(sim_time min)
{
	sim_time s = 1;
	for (;;) {
		if (s >= min)
			return s;
		if (2 * s >= min)
			return 2 * s;
		if (5 * s >= min)
			return 5 * s;
		s *= 10;
	}
}

/* "1.25s", "980ms": short time labels for the axis. */
static void axis_label(sim_time t, sim_time step, char *buf, size_t len)
{
	if (t < SIM_S && step >= SIM_MS) {
		ns_snprintf(buf, len, "%lldms", (long long)(t / SIM_MS));
	} else if (step >= SIM_S / 1000) {
		int decimals = step >= SIM_S         ? 0
			       : step >= SIM_S / 10  ? 1
			       : step >= SIM_S / 100 ? 2
						     : 3;
		ns_snprintf(buf, len, "%.*fs", decimals, (double)t / SIM_S);
	} else {
		ns_snprintf(buf, len, "%.1fms", (double)t / SIM_MS);
	}
}

static void draw_axis(struct scene *sc, int x0, int xr, int y, sim_time right, sim_time scale)
{
	struct sbuf b = {0};
	for (int x = x0; x <= xr; x++)
		sbuf_puts(&b, G(sc, "─", "-"));
	scene_text(sc, x0, y, xr - x0 + 1, SS_FRAME, sbuf_str(&b));
	sbuf_free(&b);
	sim_time step = tick_step(scale * 12);
	sim_time left = right - (sim_time)(xr - x0) * scale;
	sim_time first = left <= 0 ? 0 : (left + step - 1) / step * step;
	int last_end = x0 - 1;
	for (sim_time t = first; t <= right; t += step) {
		int x = (int)col_of(t, right, scale, xr);
		if (x < x0 || x <= last_end)
			continue;
		char lab[24], txt[32];
		axis_label(t, step, lab, sizeof lab);
		ns_snprintf(txt, sizeof txt, "%s%s", G(sc, "┴", "+"), lab);
		int wd = scene_width(txt);
		if (x + wd - 1 > xr) {
			scene_text(sc, x, y, 1, SS_FRAME, G(sc, "┴", "+"));
			break;
		}
		scene_text(sc, x, y, -1, SS_DIM, txt);
		last_end = x + wd;
	}
}

/* One operation's bar on row y, between columns x0 and xr; with a label
 * line (ly >= 0) the label goes under the bar if the row has room after
 * the last label (*lab_end), else inside the bar if it fits. */
static void draw_op(struct scene *sc, const struct scene_hop *o, int x0, int xr, int y, int ly,
		    int *lab_end, sim_time right, sim_time scale)
{
	int64_t c0 = col_of(o->t0, right, scale, xr);
	int64_t c1 = col_of(o->t1 < o->t0 ? o->t0 : o->t1, right, scale, xr);
	if (c1 < x0 || c0 > xr)
		return;
	bool cut_left = c0<x0, cut_right = c1> xr;
	int a = (int)(cut_left ? x0 : c0), z = (int)(cut_right ? xr : c1);
	int style = hop_style(o);
	struct sbuf b = {0};
	if (a == z && !cut_left && !cut_right) {
		sbuf_puts(&b, hop_end(sc, o, true));
	} else {
		for (int x = a; x <= z; x++) {
			if (x == a && !cut_left)
				sbuf_puts(&b, o->core ? G(sc, "┣", "#") : G(sc, "├", "["));
			else if (x == z && !cut_right)
				sbuf_puts(&b, hop_end(sc, o, false));
			else
				sbuf_puts(&b, o->core ? G(sc, "━", "#") : G(sc, "─", "-"));
		}
	}
	scene_text(sc, a, y, z - a + 1, style, sbuf_str(&b));
	sbuf_free(&b);
	int lw = scene_width(o->label);
	if (ly >= 0) {
		if (a > *lab_end && a + lw - 1 <= xr) {
			scene_text(sc, a, ly, lw, style, o->label);
			*lab_end = a + lw;
		}
	} else if (z - a - 1 >= lw) {
		scene_text(sc, a + 1, y, lw, style, o->label);
	}
}

/* Word-wraps one line of text into rows y.. (continuations indented by
 * two), stopping at maxy; returns the next free row. */
static int wrap_line(struct scene *sc, int x, int y, int w, int maxy, int style, const char *p)
{
	int indent = 0;
	while (*p && y < maxy) {
		int used;
		size_t n = scene_fit(p, w - indent, &used);
		if (p[n]) {
			size_t k = n;
			while (k > 0 && p[k] != ' ')
				k--;
			if (k > 0)
				n = k;
		}
		if (n == 0)
			n = strlen(p) ? 1 : 0;
		char line[512];
		ns_snprintf(line, sizeof line, "%.*s", (int)MIN(n, sizeof line - 1), p);
		scene_text(sc, x + indent, y++, w - indent, style, line);
		p += n;
		while (*p == ' ')
			p++;
		indent = 2;
	}
	return y;
}

void scene_history(struct scene *sc, struct scene_rect m, const struct scene_hist *hv)
{
	if (m.w < SCENE_HIST_GUTTER + 10 || m.h < 3)
		return;
	int x0 = m.x + SCENE_HIST_GUTTER, xr = m.x + m.w - 1;
	sim_time scale = hv->scale > 0 ? hv->scale : SIM_MS;
	/* The title: how many operations, the verdict, the window. */
	char head[160], dur[32];
	ns_snprintf(head, sizeof head, _("history · %d operations"), hv->total);
	if (!sc->unicode)
		ns_snprintf(head, sizeof head, _("history - %d operations"), hv->total);
	int x = m.x + 1;
	x += scene_text(sc, x, m.y, m.w - 2, SS_TITLE, head);
	if (hv->verdict) {
		x += scene_text(sc, x, m.y, xr - x, SS_NORMAL, sc->unicode ? " · " : " - ");
		x += scene_text(sc, x, m.y, xr - x, hv->verdict_style, hv->verdict);
	}
	simtime_fmt_dur(scale, dur, sizeof dur);
	char win[96];
	ns_snprintf(win, sizeof win, _("%s/col%s"), dur, hv->follow ? "" : _(" · pinned"));
	int ww = scene_width(win);
	if (xr - ww > x + 1)
		scene_text(sc, xr - ww, m.y, ww, SS_DIM, win);
	if (hv->total == 0) {
		wrap_line(sc, m.x + 1, m.y + 2, m.w - 2, m.y + m.h, SS_DIM,
			  _("No client operations yet: s writes and g reads through the selected "
			    "node; w starts a workload (workload clients 3 rate 20/s keys 2)."));
		return;
	}
	/* Rows: two lines each (bar, label) if they fit with two lines of
	 * explanation, else one. */
	int avail = m.h - 2;
	int want_expl = hv->nexplain > 0 ? MIN(hv->nexplain, 2) : 0;
	int per = 2 * hv->nrows + want_expl <= avail ? 2 : 1;
	int shown = MIN(hv->nrows, avail / per);
	if (shown < hv->nrows && shown > 0)
		shown--; /* room for "+N more" */
	int lab_end[64];
	for (int r = 0; r < shown; r++) {
		scene_text(sc, m.x, m.y + 1 + r * per, SCENE_HIST_GUTTER - 1, SS_TITLE,
			   hv->rows[r]);
		lab_end[r % 64] = x0 - 1;
	}
	if (shown < hv->nrows) {
		char more[48];
		ns_snprintf(more, sizeof more, _("+%d more clients"), hv->nrows - shown);
		scene_text(sc, m.x, m.y + 1 + shown * per, m.w, SS_DIM, more);
	}
	for (int i = 0; i < hv->nops; i++) {
		const struct scene_hop *o = &hv->ops[i];
		if (o->row < 0 || o->row >= shown)
			continue;
		int y = m.y + 1 + o->row * per;
		draw_op(sc, o, x0, xr, y, per == 2 ? y + 1 : -1, &lab_end[o->row % 64], hv->right,
			scale);
	}
	int rows_used = shown < hv->nrows ? shown + 1 : shown;
	int ay = m.y + 1 + (shown < hv->nrows ? shown * per + 1 : rows_used * per);
	if (ay >= m.y + m.h)
		return;
	draw_axis(sc, x0, xr, ay, hv->right, scale);
	int y = ay + 1;
	for (int i = 0; i < hv->nexplain && y < m.y + m.h; i++)
		y = wrap_line(sc, m.x + 1, y, m.w - 2, m.y + m.h, hv->explain[i].style,
			      hv->explain[i].text);
}

void scene_view_history(struct scene *sc, const struct scene_snap *snap,
			const struct scene_hist *hv)
{
	struct scene_layout l;
	if (!scene_frame(sc, snap, &l))
		return;
	scene_history(sc, l.main, hv);
}

void scene_status_badge(struct scene *sc, const char *status, const char *right, const char *text,
			int style)
{
	if (!text)
		return;
	int w = scene_width(text);
	/* The status line's right end ("● REC", "space to start") keeps its
	 * place: the badge goes to its left (frame_status gives it its width
	 * plus two blanks). */
	int rw = right ? scene_width(right) + 2 : 0;
	int x = sc->w - rw - w - 2;
	if (x < sc->w / 2)
		return;
	/* Where the status line's own text would run into the badge, it is
	 * drawn again without its least useful parts (the program's name,
	 * the seed), and if that is still too long, cut at its last
	 * separator that fits, not in the middle of a word. */
	int from = x - 1;
	const char *sep = sc->unicode ? " · " : " - ";
	char shorter[256];
	if (status && 1 + scene_width(status) > x - 2) {
		struct sbuf b = {0};
		const char *p = status;
		while (p) {
			const char *q = strstr(p, sep);
			size_t len = q ? (size_t)(q - p) : strlen(p);
			bool drop =
			    (len == 8 && !strncmp(p, "netsplit", 8)) || !strncmp(p, "seed ", 5);
			if (!drop) {
				if (b.len)
					sbuf_puts(&b, sep);
				sbuf_printf(&b, "%.*s", (int)len, p);
			}
			p = q ? q + strlen(sep) : NULL;
		}
		ns_snprintf(shorter, sizeof shorter, "%s", sbuf_str(&b));
		sbuf_free(&b);
		status = shorter;
		from = 0;
	}
	if (status && 1 + scene_width(status) > x - 2) {
		const char *cut = NULL;
		for (const char *p = strstr(status, sep); p; p = strstr(p + 1, sep)) {
			char prefix[256];
			ns_snprintf(prefix, sizeof prefix, "%.*s", (int)(p - status), status);
			if (1 + scene_width(prefix) > x - 2)
				break;
			cut = p;
		}
		if (cut)
			shorter[cut - status] = '\0';
		else
			shorter[scene_fit(shorter, x - 3, NULL)] = '\0';
	}
	if (from == 0) {
		scene_fill(sc, (struct scene_rect){0, 0, x + w + 1, 1}, SS_BAR);
		scene_text(sc, 1, 0, x - 2, SS_BAR, status);
		scene_text(sc, x, 0, w, style, text);
		return;
	}
	scene_fill(sc, (struct scene_rect){from, 0, x + w + 1 - from, 1}, SS_BAR);
	scene_text(sc, x, 0, w, style, text);
}

/*
 * scene_view.c — the views as pure functions from a snapshot to a scene:
 * the frame every view shares (status line, event log, message line, key
 * bar), the cluster ring, and the logs, timeline and help views.
 *
 * The ring. Nodes sit on an ellipse (or, when that is too tight, a
 * squarer curve that pushes them into the corners), all boxes the same
 * size. The largest box style that fits without two boxes touching wins:
 * bordered with three lines (name and role / term and commit / log tail),
 * then two, then one, then borderless. If no ring fits, a grid does. Links
 * are drawn only when they say something (the screen decides which: cut,
 * one-way, slow, lossy, carrying a message), as RaftScope does; messages
 * travel on the straight path between the two boxes, at the position their
 * progress in simulated time gives.
 */
#include "tui/scene.h"

#include "util/i18n.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *G(const struct scene *sc, const char *uni, const char *ascii)
{
	return sc->unicode ? uni : ascii;
}

bool scene_too_small(int w, int h)
{
	return w < SCENE_MIN_W || h < SCENE_MIN_H;
}

void scene_layout(int w, int h, struct scene_layout *l)
{
	int ev = MAX(4, MIN(h / 5, 12));
	int side_w = w >= 120 ? MAX(30, MIN(w / 4, 44)) : 26;
	int main_h = h - 3 - ev;
	l->status = (struct scene_rect){0, 0, w, 1};
	l->main = (struct scene_rect){0, 1, w, main_h};
	l->side = (struct scene_rect){w - side_w, 1, side_w, main_h};
	l->cluster = (struct scene_rect){0, 1, w - side_w, main_h};
	l->events = (struct scene_rect){0, 1 + main_h, w, ev};
	l->message = (struct scene_rect){0, h - 2, w, 1};
	l->keys = (struct scene_rect){0, h - 1, w, 1};
}

/* ---- the frame ------------------------------------------------------------- */

static void hrule(struct scene *sc, int x, int y, int w, const char *title)
{
	const char *h = G(sc, "─", "-");
	struct sbuf b = {0};
	for (int i = 0; i < w; i++)
		sbuf_puts(&b, h);
	scene_text(sc, x, y, w, SS_FRAME, sbuf_str(&b));
	if (title)
		scene_text(sc, x + 1, y, w - 2, SS_TITLE, title);
	sbuf_free(&b);
}

static void vrule(struct scene *sc, int x, int y, int h)
{
	for (int i = 0; i < h; i++)
		scene_text(sc, x, y + i, 1, SS_FRAME, G(sc, "│", "|"));
}

static void frame_status(struct scene *sc, const struct scene_snap *s, const struct scene_layout *l)
{
	scene_fill(sc, l->status, SS_BAR);
	int right = s->status_right ? scene_width(s->status_right) + 2 : 0;
	if (s->status)
		scene_text(sc, 1, 0, l->status.w - 2 - right, SS_BAR, s->status);
	if (s->status_right)
		scene_text(sc, l->status.w - right + 1, 0, right - 1, SS_REC, s->status_right);
}

/* The key bar: every key if it fits with two blanks between entries,
 * else with one; if even that is too long, entries are left out from the
 * end, but the last one (quit) always stays. */
static void frame_keys(struct scene *sc, const struct scene_snap *s, const struct scene_layout *l)
{
	int n = s->nkeys, total = 0;
	for (int i = 0; i < n; i++)
		total += scene_width(s->keys[i].key) + 1 + scene_width(s->keys[i].label);
	int gap = total + 2 * (n - 1) + 1 < l->keys.w ? 2 : 1;
	int x = 1, y = l->keys.y;
	for (int i = 0; i < n; i++) {
		const struct scene_key *k = &s->keys[i];
		int need = scene_width(k->key) + 1 + scene_width(k->label);
		const struct scene_key *last = &s->keys[n - 1];
		int reserve =
		    i < n - 1 ? gap + scene_width(last->key) + 1 + scene_width(last->label) : 0;
		if (x + need + reserve > l->keys.w)
			continue;
		x += scene_text(sc, x, y, -1, SS_KEY, k->key);
		x += 1;
		x += scene_text(sc, x, y, -1, SS_NORMAL, k->label);
		x += gap;
	}
}

int scene_completions(struct scene *sc, struct scene_rect r, const char *cands)
{
	if (!cands || r.h < 1 || r.w < 2)
		return 0;
	int n = 1, widest = 1;
	for (const char *p = cands; *p; p++)
		n += *p == '\n';
	const char **item = xcalloc((size_t)n, sizeof *item);
	char *copy = xstrdup(cands);
	n = 0;
	for (char *p = copy, *nl; p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		item[n++] = p;
		widest = MAX(widest, scene_width(p));
	}
	int colw = MIN(widest + 2, r.w);
	int ncols = MAX(1, r.w / colw);
	int rows = (n + ncols - 1) / ncols;
	int shown = n;
	if (rows > r.h) {
		/* The last row says how many are left out. */
		rows = r.h;
		shown = MAX(0, (rows - 1) * ncols);
	}
	int per_col = shown == n ? rows : rows - 1;
	for (int i = 0; i < shown; i++) {
		int c = per_col ? i / per_col : 0, row = per_col ? i % per_col : 0;
		scene_text(sc, r.x + c * colw, r.y + row, colw - 1, SS_KEY, item[i]);
	}
	if (shown < n) {
		char more[96];
		ns_snprintf(more, sizeof more, _("... and %d more: type a letter or two, then tab"),
			    n - shown);
		scene_text(sc, r.x, r.y + rows - 1, r.w, SS_DIM, more);
	}
	free(copy);
	free(item);
	return shown;
}

/* Rows scene_completions needs for cands at width w. */
static int completion_rows(const char *cands, int w)
{
	int n = 1, widest = 1, cur = 0;
	for (const char *p = cands;; p++) {
		if (*p == '\n' || !*p) {
			widest = MAX(widest, cur);
			cur = 0;
			if (!*p)
				break;
			n++;
			continue;
		}
		cur += ((unsigned char)*p & 0xc0) != 0x80; /* candidates are words */
	}
	int ncols = MAX(1, w / MIN(widest + 2, MAX(w, 1)));
	return (n + ncols - 1) / ncols;
}

void scene_view_completions(struct scene *sc, const struct scene_snap *s)
{
	if (!s->prompt || !s->completions || scene_too_small(s->w, s->h))
		return;
	struct scene_layout l;
	scene_layout(s->w, s->h, &l);
	/* The event log's rows, and upwards over the main area up to half
	 * of it when more are needed. */
	int want = completion_rows(s->completions, s->w - 2);
	int rows = MAX(l.events.h - 1, MIN(want, l.events.h - 1 + l.main.h / 2));
	int y = l.events.y + l.events.h - rows; /* the first row of candidates */
	scene_fill(sc, (struct scene_rect){0, y - 1, s->w, rows + 1}, SS_NORMAL);
	hrule(sc, 0, y - 1, s->w, _(" completions "));
	scene_completions(sc, (struct scene_rect){1, y, s->w - 2, rows}, s->completions);
}

static void frame_events(struct scene *sc, const struct scene_snap *s, const struct scene_rect r)
{
	hrule(sc, r.x, r.y, r.w, _(" events "));
	int rows = r.h - 1;
	int first = s->nevents > rows ? s->nevents - rows : 0;
	for (int i = first; i < s->nevents; i++)
		scene_text(sc, r.x + 1, r.y + 1 + (i - first), r.w - 1, s->events[i].style,
			   s->events[i].text);
}

static void frame_message(struct scene *sc, const struct scene_snap *s,
			  const struct scene_layout *l)
{
	if (s->prompt || !s->message)
		return;
	scene_text(sc, 1, l->message.y, l->message.w - 1, s->message_style, s->message);
}

/* The request to enlarge the terminal, word-wrapped and centred. */
static void too_small(struct scene *sc, const struct scene_snap *s)
{
	char msg[256];
	ns_snprintf(msg, sizeof msg,
		    _("netsplit needs a terminal of at least %dx%d; this one is %dx%d. "
		      "Please enlarge it (q quits)."),
		    SCENE_MIN_W, SCENE_MIN_H, s->w, s->h);
	int width = MAX(1, s->w - 2);
	const char *p = msg;
	int lines = 0;
	char line[256];
	struct {
		char t[256];
	} out[16];
	while (*p && lines < 16) {
		/* Take as many whole words as fit. */
		size_t len = scene_fit(p, width, NULL);
		if (p[len]) {
			size_t cut = len;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut > 0)
				len = cut;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		ns_strlcpy(out[lines++].t, line, sizeof out[0].t);
		p += len;
		while (*p == ' ')
			p++;
	}
	int y = MAX(0, (s->h - lines) / 2);
	for (int i = 0; i < lines; i++) {
		int w = scene_width(out[i].t);
		scene_text(sc, MAX(0, (s->w - w) / 2), y + i, -1, i ? SS_NORMAL : SS_TITLE,
			   out[i].t);
	}
}

/* Starts a frame: returns false (after drawing the request to enlarge the
 * terminal) when the screen is too small. */
static bool frame_begin(struct scene *sc, const struct scene_snap *s, struct scene_layout *l)
{
	scene_reset(sc, s->w, s->h, s->unicode);
	if (scene_too_small(s->w, s->h)) {
		too_small(sc, s);
		return false;
	}
	scene_layout(s->w, s->h, l);
	frame_status(sc, s, l);
	frame_events(sc, s, l->events);
	frame_message(sc, s, l);
	frame_keys(sc, s, l);
	return true;
}

/* ---- the ring -------------------------------------------------------------- */

struct box_style {
	bool border;
	bool pad;  /* a blank column inside each border */
	int lines; /* content lines */
};

static const struct box_style box_styles[] = {
    {true, true, 3},  {true, true, 2},   {true, false, 2},  {true, true, 1},
    {true, false, 1}, {false, false, 2}, {false, false, 1},
};

/* Is there anything for the second and third lines? */
static void content_needs(const struct scene_snap *s, bool *line2, bool *line3)
{
	*line2 = *line3 = false;
	for (int i = 0; i < s->nnodes; i++) {
		const struct scene_node *n = &s->node[i];
		if (n->st.term >= 0 || n->st.commit >= 0 || n->badge[0])
			*line2 = true;
		if (n->st.commit >= 0 || n->nlog > 0)
			*line3 = true;
	}
}

static const char *role_word(const struct scene_node *n)
{
	if (!n->up)
		return _("down");
	return n->st.role ? _(n->st.role) : "";
}

static int role_style(const struct scene_node *n)
{
	if (!n->up)
		return SS_DOWN;
	switch (n->st.kind) {
	case ROLE_LEADER: return SS_LEADER;
	case ROLE_CANDIDATE: return SS_CANDIDATE;
	case ROLE_FOLLOWER: return SS_FOLLOWER;
	default: return SS_ROLE;
	}
}

static void line1_text(const struct scene *sc, const struct scene_node *n, char *buf, size_t len)
{
	if (!n->up)
		ns_snprintf(buf, len, "%s %s%s", n->name, G(sc, "✗ ", "X "), role_word(n));
	else
		ns_snprintf(buf, len, "%s %s", n->name, role_word(n));
}

/* The protocol's badge when it gives one, in its own words ("e2 2:3" for
 * Zab, a ballot for Paxos), else "t3 c7". */
static void numbers_text(const struct scene_node *n, char *buf, size_t len)
{
	buf[0] = '\0';
	if (n->badge[0])
		ns_strlcpy(buf, n->badge, len);
	else if (n->st.term >= 0 && n->st.commit >= 0)
		ns_snprintf(buf, len, "t%lld c%lld", (long long)n->st.term,
			    (long long)n->st.commit);
	else if (n->st.term >= 0)
		ns_snprintf(buf, len, "t%lld", (long long)n->st.term);
	else if (n->st.commit >= 0)
		ns_snprintf(buf, len, "c%lld", (long long)n->st.commit);
}

/* The widest content any node needs in this style (the log tail fills
 * whatever is left and needs nothing). */
static int content_width(const struct scene *sc, const struct scene_snap *s,
			 const struct box_style *bs)
{
	int w = 0;
	char a[96], b[64];
	for (int i = 0; i < s->nnodes; i++) {
		const struct scene_node *n = &s->node[i];
		line1_text(sc, n, a, sizeof a);
		numbers_text(n, b, sizeof b);
		int w1 = scene_width(a);
		int w2 = scene_width(b);
		if (bs->lines == 1)
			w1 += w2 ? 1 + w2 : 0;
		w = MAX(w, w1);
		if (bs->lines >= 2)
			w = MAX(w, w2);
	}
	/* Room for a role change (Follower -> Candidate) without the ring
	 * jumping, within reason. */
	return MIN(MAX(w, 11), 24);
}

static bool overlaps(struct scene_rect a, struct scene_rect b, int gx, int gy)
{
	return a.x < b.x + b.w + gx && b.x < a.x + a.w + gx && a.y < b.y + b.h + gy &&
	       b.y < a.y + a.h + gy;
}

static double shape(double c, double p)
{
	double m = pow(fabs(c), 2.0 / p);
	return c < 0 ? -m : m;
}

/* Places n boxes of bw x bh on a ring in area; false if two overlap. The
 * ring's points are stretched to the area's full extent (three nodes use
 * the height as well as four do). */
static bool ring(struct scene_rect area, int n, int bw, int bh, double p, int gx, int gy,
		 struct scene_rect *out)
{
	if (bw > area.w || bh > area.h)
		return false;
	double ux[SCENE_MAX_NODES], uy[SCENE_MAX_NODES];
	double minx = 0, maxx = 0, miny = 0, maxy = 0;
	double off = n % 2 == 0 ? M_PI / n : 0;
	for (int i = 0; i < n; i++) {
		double a = -M_PI / 2 + 2 * M_PI * i / n + off;
		ux[i] = n == 1 ? 0 : shape(cos(a), p);
		uy[i] = n == 1 ? 0 : shape(sin(a), p);
		minx = i ? MIN(minx, ux[i]) : ux[i];
		maxx = i ? MAX(maxx, ux[i]) : ux[i];
		miny = i ? MIN(miny, uy[i]) : uy[i];
		maxy = i ? MAX(maxy, uy[i]) : uy[i];
	}
	double spanx = area.w - bw, spany = area.h - bh;
	for (int i = 0; i < n; i++) {
		double fx = maxx - minx > 1e-9 ? (ux[i] - minx) / (maxx - minx) : 0.5;
		double fy = maxy - miny > 1e-9 ? (uy[i] - miny) / (maxy - miny) : 0.5;
		struct scene_rect r = {area.x + (int)lround(fx * spanx),
				       area.y + (int)lround(fy * spany), bw, bh};
		for (int j = 0; j < i; j++)
			if (overlaps(r, out[j], gx, gy))
				return false;
		out[i] = r;
	}
	return true;
}

/* The fallback: rows of boxes. False if not every box fits. */
static bool grid(struct scene_rect area, int n, int bw, int bh, struct scene_rect *out)
{
	int cols = MAX(1, (area.w + 1) / (bw + 1));
	int rows = (n + cols - 1) / cols;
	if (rows * bh > area.h)
		return false;
	int gy = rows > 1 ? MIN(1, (area.h - rows * bh) / (rows - 1)) : 0;
	for (int i = 0; i < n; i++)
		out[i] = (struct scene_rect){area.x + (i % cols) * (bw + 1),
					     area.y + (i / cols) * (bh + gy), bw, bh};
	return true;
}

static struct box_style layout_ring(struct scene *sc, struct scene_rect area,
				    const struct scene_snap *s)
{
	bool l2, l3;
	content_needs(s, &l2, &l3);
	int need = 1 + l2 + (l2 && l3);
	int n = MIN(s->nnodes, SCENE_MAX_NODES);
	struct box_style last = box_styles[ARRAY_LEN(box_styles) - 1];
	for (size_t k = 0; k < ARRAY_LEN(box_styles); k++) {
		struct box_style bs = box_styles[k];
		if (bs.lines > need)
			continue;
		int cw = content_width(sc, s, &bs);
		int bw = cw + (bs.border ? 2 : 0) + (bs.pad ? 2 : 0);
		int bh = bs.lines + (bs.border ? 2 : 0);
		static const double shapes[] = {2.0, 3.0, 5.0};
		for (size_t q = 0; q < ARRAY_LEN(shapes); q++)
			if (ring(area, n, bw, bh, shapes[q], 2, bs.border ? 1 : 0, sc->box)) {
				sc->nboxes = n;
				return bs;
			}
	}
	/* No ring fits: a grid of the smallest boxes; if not all of them fit,
	 * of the names alone (a role or badge cut short would mislead)
	 * before any node is left out. */
	int cw = content_width(sc, s, &last), namew = 1;
	for (int i = 0; i < n; i++)
		namew = MAX(namew, scene_width(s->node[i].name));
	if (!grid(area, n, cw, 1, sc->box)) {
		cw = MIN(cw, namew);
		sc->names_only = true;
	}
	while (n > 0 && !grid(area, n, cw, 1, sc->box))
		n--;
	sc->nboxes = n;
	return last;
}

/* The cells of the straight path between two boxes' centres, outside
 * both, from box lo to box hi, computed once per frame and pair. Integer
 * arithmetic on doubled coordinates (centres fall on half cells). */
struct cellpos {
	int16_t x, y;
};

static bool in_rect(struct scene_rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

static const struct scene_cellpos *path(struct scene *sc, int lo, int hi, int *n)
{
	int key = lo * SCENE_MAX_NODES + hi;
	if (sc->path_off[key] >= 0) {
		*n = sc->path_len[key];
		return sc->paths + sc->path_off[key];
	}
	struct scene_rect ra = sc->box[lo], rb = sc->box[hi];
	int ax = 2 * ra.x + ra.w - 1, ay = 2 * ra.y + ra.h - 1;
	int bx = 2 * rb.x + rb.w - 1, by = 2 * rb.y + rb.h - 1;
	int dx = bx - ax, dy = by - ay;
	int steps = (MAX(abs(dx), abs(dy)) + 1) / 2;
	xgrow((void **)&sc->paths, &sc->cappaths, sc->npaths + (size_t)steps + 1,
	      sizeof *sc->paths);
	struct scene_cellpos *out = sc->paths + sc->npaths;
	int len = 0, lx = -1, ly = -1;
	for (int t = 0; t <= steps; t++) {
		int x = steps ? (ax * steps + dx * t + steps) / (2 * steps) : (ax + 1) / 2;
		int y = steps ? (ay * steps + dy * t + steps) / (2 * steps) : (ay + 1) / 2;
		if (in_rect(ra, x, y) || in_rect(rb, x, y) || (x == lx && y == ly))
			continue;
		out[len++] = (struct scene_cellpos){(int16_t)x, (int16_t)y};
		lx = x;
		ly = y;
	}
	sc->path_off[key] = (int32_t)sc->npaths;
	sc->path_len[key] = (int16_t)len;
	sc->npaths += (size_t)len;
	*n = len;
	return out;
}

/* A line glyph for the direction from box a to box b (cells are about
 * twice as tall as wide). */
static const char *line_glyph(const struct scene *sc, int a, int b, bool dashed)
{
	double dx = sc->box[b].x - sc->box[a].x, dy = 2.0 * (sc->box[b].y - sc->box[a].y);
	if (fabs(dy) < 0.45 * fabs(dx))
		return dashed ? G(sc, "╌", "-") : G(sc, "─", "-");
	if (fabs(dx) < 0.45 * fabs(dy))
		return dashed ? G(sc, "╎", "|") : G(sc, "│", "|");
	return (dx > 0) == (dy > 0) ? G(sc, "╲", "\\") : G(sc, "╱", "/");
}

static const char *arrow_glyph(const struct scene *sc, int from, int to)
{
	double dx = sc->box[to].x - sc->box[from].x, dy = 2.0 * (sc->box[to].y - sc->box[from].y);
	if (!sc->unicode) {
		if (fabs(dx) >= fabs(dy))
			return dx > 0 ? ">" : "<";
		return dy > 0 ? "v" : "^";
	}
	static const char *const arrows[8] = {"→", "↘", "↓", "↙", "←", "↖", "↑", "↗"};
	double ang = atan2(dy, dx); /* y grows downwards: clockwise from east */
	int k = (int)lround(ang / (M_PI / 4));
	return arrows[(k + 8) % 8];
}

static void draw_link(struct scene *sc, const struct scene_link *lk, bool marks)
{
	int a = MIN(lk->a, lk->b), b = MAX(lk->a, lk->b);
	if (a < 0 || b >= sc->nboxes || a == b)
		return;
	int n;
	const struct scene_cellpos *cells = path(sc, a, b, &n);
	if (!n)
		return;
	bool cut = !lk->ab && !lk->ba, oneway = lk->ab != lk->ba;
	int style = cut                     ? SS_CUT
		    : oneway                ? SS_ONEWAY
		    : lk->slow || lk->lossy ? SS_DEGRADED
					    : SS_DIM;
	bool plain = style == SS_DIM;
	const char *g = plain ? G(sc, "·", ".") : line_glyph(sc, a, b, cut);
	int mid = n / 2;
	for (int i = 0; i < n && !marks; i++) {
		/* A cut link is broken around its mark. */
		if (cut && n >= 5 && (i == mid - 1 || i == mid + 1))
			continue;
		/* A plain link is a light dotted line. */
		if (plain && i % 2)
			continue;
		scene_glyph(sc, cells[i].x, cells[i].y, style, g, a, b);
	}
	if (!marks)
		return;
	if (cut)
		scene_glyph(sc, cells[mid].x, cells[mid].y, SS_CUT, G(sc, "╳", "X"), a, b);
	else if (oneway)
		scene_glyph(sc, cells[mid].x, cells[mid].y, SS_ONEWAY,
			    (lk->a == a ? lk->ab : lk->ba) ? arrow_glyph(sc, a, b)
							   : arrow_glyph(sc, b, a),
			    a, b);
	if (!cut && (lk->slow || lk->lossy)) {
		const char *mark = lk->slow && lk->lossy ? "~%" : lk->slow ? "~" : "%";
		int at = oneway ? MIN(mid + 1, n - 1) : mid;
		for (int k = 0; mark[k] && at + k < n; k++) {
			char m[2] = {mark[k], '\0'};
			scene_glyph(sc, cells[at + k].x, cells[at + k].y, SS_DEGRADED, m, a, b);
		}
	}
}

/* The cell at progress f (0..1) from `from` to `to`, or false. */
static bool along(struct scene *sc, int from, int to, float f, struct cellpos *out)
{
	if (from < 0 || to < 0 || from >= sc->nboxes || to >= sc->nboxes || from == to)
		return false;
	int n;
	const struct scene_cellpos *cells = path(sc, MIN(from, to), MAX(from, to), &n);
	if (!n)
		return false;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	int i = (int)(f * (float)(n - 1) + 0.5f);
	if (from > to)
		i = n - 1 - i;
	*out = (struct cellpos){cells[i].x, cells[i].y};
	return true;
}

static void draw_tail(struct scene *sc, int x, int y, int w, const struct scene_snap *s,
		      const struct scene_node *n)
{
	int k = MIN(n->nlog, w);
	for (int i = 0; i < k; i++) {
		const int j = n->nlog - k + i;
		bool committed = n->log[j].index <= n->st.commit;
		int style = SS_TERM0 + (int)(n->log[j].term % SCENE_TERM_COLOURS);
		char g[8];
		if (!s->color) {
			ns_snprintf(g, sizeof g, "%d", (int)(n->log[j].term % 10));
			if (!committed)
				style = SS_DIM;
		} else {
			ns_strlcpy(g, committed ? G(sc, "▪", "#") : G(sc, "▫", "+"), sizeof g);
		}
		if (!n->up)
			style = SS_DOWN;
		scene_glyph(sc, x + i, y, style, g, (int)(n - s->node), -1);
	}
}

/* ---- timers ------------------------------------------------------------------ */

/* What is left of timer t at snap->now, clamped to [0, span]. */
static sim_time timer_left(const struct scene_snap *s, const struct view_timer *t)
{
	sim_time left = t->fires_at - s->now;
	return left < 0 ? 0 : MIN(left, t->fires_at - t->armed_at);
}

/* The scale of the boxes' bars of one kind: the longest span among the
 * up nodes' first timers of that kind, so that bars compare (shorter =
 * fires sooner). */
static sim_time timer_scale(const struct scene_snap *s, int kind)
{
	sim_time m = 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct scene_node *n = &s->node[i];
		if (n->up && n->ntimers > 0 && n->timers[0].kind == kind)
			m = MAX(m, n->timers[0].fires_at - n->timers[0].armed_at);
	}
	return m;
}

/* The node whose first timer is a timeout that runs out soonest, or -1. */
static int timer_next(const struct scene_snap *s)
{
	int best = -1;
	for (int i = 0; i < s->nnodes; i++) {
		const struct scene_node *n = &s->node[i];
		if (!n->up || n->ntimers <= 0 || n->timers[0].kind != VT_TIMEOUT)
			continue;
		if (best < 0 || n->timers[0].fires_at < s->node[best].timers[0].fires_at)
			best = i;
	}
	return best;
}

/* Cells of a bar of `w` for `left` of `scale`: rounded up, so that a timer
 * not yet run out always shows one cell. */
static int bar_cells(sim_time left, sim_time scale, int w)
{
	if (scale <= 0 || left <= 0 || w <= 0)
		return 0;
	return (int)MIN((int64_t)w, (left * w + scale - 1) / scale);
}

/* The bar on the bottom border of a bordered box: what is left of the
 * node's first timer, drawn from the left over the border line. */
static void draw_box_timer(struct scene *sc, const struct scene_snap *s, int i, int next)
{
	const struct scene_node *n = &s->node[i];
	if (!n->up || n->ntimers <= 0)
		return;
	const struct view_timer *t = &n->timers[0];
	struct scene_rect r = sc->box[i];
	int w = r.w - 2;
	int k = bar_cells(timer_left(s, t), timer_scale(s, t->kind), w);
	int style = i == next ? SS_TIMER_NEXT : SS_TIMER;
	for (int x = 0; x < k; x++)
		scene_glyph(sc, r.x + 1 + x, r.y + r.h - 1, style, G(sc, "▀", "="), i, -1);
}

/* Under the side pane's title: each timer of its node as a name, a bar
 * of what is left (on the timer's own span) and the time left. Returns
 * the next free row. */
static int side_timers(struct scene *sc, const struct scene_snap *s, struct scene_rect r, int y)
{
	if (s->side_node < 0 || s->side_node >= s->nnodes)
		return y;
	const struct scene_node *n = &s->node[s->side_node];
	if (!n->up)
		return y;
	int shown = 0, next = timer_next(s);
	int w = r.w - 3, barw = MAX(4, MIN(12, w / 3));
	for (int i = 0; i < n->ntimers && y < r.y + r.h; i++) {
		if (shown == 4 && n->ntimers > 5) {
			char more[64];
			ns_snprintf(more, sizeof more, _("%d more timers"), n->ntimers - shown);
			scene_text(sc, r.x + 2, y++, w, SS_DIM, more);
			break;
		}
		const struct view_timer *t = &n->timers[i];
		sim_time span = t->fires_at - t->armed_at, left = timer_left(s, t);
		char tb[32];
		simtime_fmt_dur(left / SIM_MS * SIM_MS, tb, sizeof tb);
		int tw = scene_width(tb);
		int namew = MAX(1, w - barw - tw - 2);
		int x = r.x + 2;
		if (scene_width(t->name) > namew) {
			/* Narrow: the name on a row of its own, the bar below. */
			scene_text(sc, x, y++, w, SS_NORMAL, t->name);
			if (y >= r.y + r.h)
				break;
			x += 2;
		} else {
			scene_text(sc, x, y, namew, SS_NORMAL, t->name);
			x += namew + 1;
		}
		int k = bar_cells(left, span, barw);
		int style = i == 0 && s->side_node == next ? SS_TIMER_NEXT : SS_TIMER;
		for (int c = 0; c < barw; c++)
			scene_glyph(sc, x + c, y, c < k ? style : SS_DIM,
				    c < k ? G(sc, "█", "#") : G(sc, "░", "."), -1, -1);
		scene_text(sc, x + barw + 1, y, tw, SS_NORMAL, tb);
		y++;
		shown++;
	}
	return y;
}

static void draw_node(struct scene *sc, const struct scene_snap *s, int i,
		      const struct box_style *bs)
{
	const struct scene_node *n = &s->node[i];
	struct scene_rect r = sc->box[i];
	bool sel = i == s->selected;
	int frame = !n->up ? SS_DOWN : sel ? SS_SELECT : SS_FRAME;
	if (bs->border) {
		scene_box(sc, r, frame, sel ? SCENE_HEAVY : !n->up ? SCENE_DASHED : 0, i);
		draw_box_timer(sc, s, i, timer_next(s));
	} else
		scene_fill(sc, r, sel ? SS_SELECT : SS_NORMAL);
	int in = (bs->border ? 1 : 0) + (bs->pad ? 1 : 0);
	int x = r.x + in, y = r.y + (bs->border ? 1 : 0), w = r.w - 2 * in;
	char num[64];
	numbers_text(n, num, sizeof num);
	int name_style = !n->up ? SS_DOWN : sel && !bs->border ? SS_SELECT : SS_TITLE;
	int used = scene_text_hit(sc, x, y, w, name_style, n->name, i, -1);
	used += 1;
	if (used >= w) { /* the name alone: its colour says up or down */
		if (!n->up)
			scene_text_hit(sc, x, y, w, SS_DOWN, n->name, i, -1);
		return;
	}
	const char *down = !n->up ? G(sc, "✗ ", "X ") : "";
	int rs = role_style(n);
	if (*down)
		used += scene_text_hit(sc, x + used, y, w - used, rs, down, i, -1);
	used += scene_text_hit(sc, x + used, y, w - used, rs, role_word(n), i, -1);
	if (n->byz[0]) {
		/* A traitor says so in words, not only in colour (issue 19): on
		 * the box's top border, where the name and role leave it room. */
		char mark[32];
		ns_snprintf(mark, sizeof mark, " %s%s ", G(sc, "\u2620 ", "TRAITOR "), n->byz);
		if (bs->border && r.w > 4)
			scene_text_hit(sc, r.x + 2, r.y, r.w - 4, SS_TRAITOR, mark, i, -1);
		else if (used + 1 < w)
			used += 1 + scene_text_hit(sc, x + used + 1, y, w - used - 1, SS_TRAITOR,
						   mark + 1, i, -1);
	}
	int ns = n->up ? SS_NORMAL : SS_DOWN;
	if (bs->lines == 1) {
		if (num[0] && used + 1 < w)
			scene_text_hit(sc, x + used + 1, y, w - used - 1, ns, num, i, -1);
		return;
	}
	int u2 = scene_text_hit(sc, x, y + 1, w, ns, num, i, -1);
	if (bs->lines == 2) {
		int tx = u2 ? u2 + 1 : 0;
		if (w - tx > 0)
			draw_tail(sc, x + tx, y + 1, w - tx, s, n);
		return;
	}
	draw_tail(sc, x, y + 2, w, s, n);
}

void scene_cluster(struct scene *sc, struct scene_rect area, const struct scene_snap *s)
{
	sc->area = area;
	if (area.w <= 0 || area.h <= 0)
		return;
	sc->names_only = false;
	struct box_style bs = layout_ring(sc, area, s);
	/* Names packed in a grid leave no room for paths between them. */
	int nlinks = sc->names_only ? 0 : s->nlinks, nmsgs = sc->names_only ? 0 : s->nmsgs;
	int ndrops = sc->names_only ? 0 : s->ndrops;
	for (int i = 0; i < nlinks; i++)
		draw_link(sc, &s->links[i], false);
	for (int i = 0; i < nmsgs; i++) {
		const struct scene_msg *m = &s->msgs[i];
		struct cellpos c;
		if (!along(sc, m->from, m->to, m->at, &c))
			continue;
		char g[2] = {m->glyph ? m->glyph : '*', '\0'};
		scene_glyph_msg(sc, c.x, c.y,
				m->selected ? SS_MSG_SEL
				: m->reply  ? SS_REPLY
					    : SS_MSG,
				g, i);
	}
	for (int i = 0; i < ndrops; i++) {
		const struct scene_drop *d = &s->drops[i];
		struct cellpos c;
		if (along(sc, d->from, d->to, d->at, &c))
			scene_glyph(sc, c.x, c.y, SS_DROP, G(sc, "✕", "*"), d->from, d->to);
	}
	for (int i = 0; i < nlinks; i++)
		draw_link(sc, &s->links[i], true);
	for (int i = 0; i < nmsgs; i++) {
		/* The opened message on top of every other glyph. */
		const struct scene_msg *m = &s->msgs[i];
		struct cellpos c;
		if (!m->selected || !along(sc, m->from, m->to, m->at, &c))
			continue;
		char g[2] = {m->glyph ? m->glyph : '*', '\0'};
		scene_glyph_msg(sc, c.x, c.y, SS_MSG_SEL, g, i);
	}
	for (int i = 0; i < sc->nboxes; i++)
		draw_node(sc, s, i, &bs);
	if (sc->nboxes < s->nnodes) {
		char note[96];
		ns_snprintf(note, sizeof note, _("%d nodes not shown"), s->nnodes - sc->nboxes);
		scene_text(sc, area.x, area.y + area.h - 1, area.w, SS_DIM, note);
	} else if (sc->names_only) {
		scene_text(sc, area.x, area.y + area.h - 1, area.w, SS_DIM,
			   _("names only at this size: select one (left/right) for its state"));
	}
}

/* Draws text wrapped at blanks into w columns from row y, no further than
 * row maxy (exclusive); continuation lines are indented by `indent`.
 * Returns the next free row. */
static int wrap(struct scene *sc, int x, int y, int w, int maxy, int style, const char *p,
		int indent)
{
	int in = 0;
	if (indent >= w - 4)
		indent = 2;
	while (*p && y < maxy) {
		size_t len = scene_fit(p, w - in, NULL);
		if (p[len]) {
			size_t cut = len;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut > 0)
				len = cut;
			else if (!len)
				len = 1;
		}
		char line[512];
		ns_snprintf(line, sizeof line, "%.*s", (int)len, p);
		scene_text(sc, x + in, y++, w - in, style, line);
		p += len;
		while (*p == ' ')
			p++;
		in = indent;
	}
	return y;
}

/* The side pane; long lines wrap, continuing indented. */
static void side_pane(struct scene *sc, const struct scene_snap *s, struct scene_rect r)
{
	vrule(sc, r.x, r.y, r.h);
	if (s->side_title)
		scene_text(sc, r.x + 2, r.y, r.w - 3, SS_TITLE, s->side_title);
	int y = side_timers(sc, s, r, r.y + 1);
	for (int i = 0; i < s->nside && y < r.y + r.h; i++)
		y = wrap(sc, r.x + 2, y, r.w - 3, r.y + r.h, s->side[i].style, s->side[i].text, 2);
}

void scene_view_cluster(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!frame_begin(sc, s, &l))
		return;
	if (s->side_w > 0 && s->side_w <= s->w - 30) {
		/* A wider pane (a lesson's text) narrows the ring. */
		l.side.x = s->w - s->side_w;
		l.side.w = s->side_w;
		l.cluster.w = s->w - s->side_w;
	}
	struct scene_rect area = l.cluster;
	area.x += 1;
	area.w -= 2;
	scene_cluster(sc, area, s);
	side_pane(sc, s, l.side);
}

/* ---- logs: every node's log side by side, aligned by index ------------------ */

void scene_view_logs(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!frame_begin(sc, s, &l))
		return;
	struct scene_rect m = l.main;
	int n = s->nnodes;
	if (n <= 0)
		return;
	/* The index column is as wide as the largest index, and a blank. */
	char top[24];
	int gutter = MAX(3, ns_snprintf(top, sizeof top, "%lld", (long long)s->logs_top) + 1);
	int colw = MAX(4, (m.w - gutter) / n);
	scene_text(sc, 0, m.y, gutter, SS_TITLE, "#");
	for (int k = 0; k < n; k++) {
		const struct scene_node *nd = &s->node[k];
		char head[64];
		if (nd->st.commit >= 0)
			ns_snprintf(head, sizeof head, "%s c%lld", nd->name,
				    (long long)nd->st.commit);
		else
			ns_strlcpy(head, nd->name, sizeof head);
		scene_text_hit(sc, gutter + k * colw, m.y, colw - 1, nd->up ? SS_TITLE : SS_DOWN,
			       head, k, -1);
	}
	for (int r = 0; r < s->logs_rows && r + 1 < m.h; r++) {
		int y = m.y + 1 + r;
		int64_t index = s->logs_top - r;
		if (index < 1)
			break;
		char num[24];
		ns_snprintf(num, sizeof num, "%*lld", gutter - 1, (long long)index);
		scene_text(sc, 0, y, gutter, SS_DIM, num);
		for (int k = 0; k < n; k++) {
			const struct log_view_entry *e = &s->logs[(size_t)r * n + k];
			if (e->index == 0)
				continue;
			const struct scene_node *nd = &s->node[k];
			bool committed = e->index <= nd->st.commit;
			char cell[96];
			ns_snprintf(cell, sizeof cell, "%s t%lld %s",
				    committed ? G(sc, "✓", "+") : " ", (long long)e->term, e->cmd);
			int style = SS_TERM0 + (int)(e->term % SCENE_TERM_COLOURS);
			if (!committed && !s->color)
				style = SS_DIM;
			scene_text_hit(sc, gutter + k * colw, y, colw - 1, style, cell, k, -1);
		}
	}
	if (s->logs_rows == 0)
		scene_text(sc, gutter, m.y + 2, m.w - gutter, SS_DIM, _("(no log entries)"));
}

/* ---- timeline: a space-time diagram ----------------------------------------- */

void scene_staircase(struct scene *sc, int x0, int y0, int x1, int y1, int style, const char *head,
		     const char *tail, struct scene_rect clip)
{
	int steps = MAX(abs(x1 - x0), abs(y1 - y0));
	const char *slant = (x1 > x0) == (y1 > y0) ? G(sc, "╲", "\\") : G(sc, "╱", "/");
	int px = x0, py = y0;
	for (int t = 1; t < steps; t++) {
		int x = x0 + (int)lround((double)(x1 - x0) * t / steps);
		int y = y0 + (int)lround((double)(y1 - y0) * t / steps);
		int nx = x0 + (int)lround((double)(x1 - x0) * (t + 1) / steps);
		int ny = y0 + (int)lround((double)(y1 - y0) * (t + 1) / steps);
		const char *g = x == px && x == nx   ? G(sc, "│", "|")
				: y == py && y == ny ? G(sc, "─", "-")
						     : slant;
		if (in_rect(clip, x, y))
			scene_text(sc, x, y, 1, style, g);
		px = x;
		py = y;
	}
	if (tail && in_rect(clip, x0, y0))
		scene_text(sc, x0, y0, 1, style, tail);
	if (head && in_rect(clip, x1, y1))
		scene_text(sc, x1, y1, 1, style, head);
}

void scene_view_timeline(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!frame_begin(sc, s, &l))
		return;
	struct scene_rect m = l.main;
	int n = s->nnodes;
	if (n <= 0)
		return;
	int gutter = 9;
	int colw = MAX(3, (m.w - gutter) / n);
	int rows = m.h - 1;
	sim_time scale = s->tl_scale > 0 ? s->tl_scale : 5 * SIM_MS;
	/* Row r shows (bottom - (rows - 1 - r) * scale); bottom is now,
	 * less the scroll. */
	sim_time bottom = s->tl_now - (sim_time)s->tl_scroll * scale;
	sim_time top = bottom - (sim_time)(rows - 1) * scale;
	struct scene_rect clip = {gutter, m.y + 1, m.w - gutter, rows};
	for (int k = 0; k < n; k++) {
		int x = gutter + k * colw + colw / 2;
		scene_text(sc, x - (int)strlen(s->node[k].name) / 2, m.y, colw, SS_TITLE,
			   s->node[k].name);
		for (int r = 0; r < rows; r++)
			scene_text(sc, x, m.y + 1 + r, 1, SS_DIM, G(sc, "┊", ":"));
	}
	for (int r = 0; r < rows; r += 5) {
		char t[32];
		simtime_fmt((top + (sim_time)r * scale) / SIM_MS * SIM_MS, t, sizeof t);
		scene_text(sc, 0, m.y + 1 + r, gutter - 1, SS_DIM, t);
	}
	for (int i = 0; i < s->ntl; i++) {
		const struct scene_tl_event *e = &s->tl[i];
		sim_time end = e->to >= 0 ? e->t1 : e->t0;
		if (end < top || e->t0 > bottom + scale || e->from < 0 || e->from >= n ||
		    e->to >= n)
			continue;
		int y0 = m.y + 1 + (int)((e->t0 - top) / scale);
		int x0 = gutter + e->from * colw + colw / 2;
		char g[2] = {e->glyph ? e->glyph : '*', '\0'};
		if (e->to < 0) {
			if (in_rect(clip, x0, y0))
				scene_text(sc, x0, y0, 1, e->style, g);
			continue;
		}
		int y1 = m.y + 1 + (int)((e->t1 - top) / scale);
		int x1 = gutter + e->to * colw + colw / 2;
		const char *head = e->dropped ? G(sc, "✕", "*")
				   : x1 > x0  ? G(sc, "▶", ">")
					      : G(sc, "◀", "<");
		scene_staircase(sc, x0, y0, x1, y1, e->dropped ? SS_DROP : e->style, head, g, clip);
	}
}

/* ---- help --------------------------------------------------------------------- */

void scene_view_help(struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	if (!frame_begin(sc, s, &l))
		return;
	/* Help takes the event pane's room too. */
	struct scene_rect m = {0, 1, s->w, l.main.h + l.events.h};
	scene_fill(sc, m, SS_NORMAL);
	int first = MAX(0, MIN(s->help_scroll, s->nhelp - 1));
	int y = m.y;
	for (int i = first; i < s->nhelp && y < m.y + m.h; i++) {
		/* Continuation lines line up with the description: after the
		 * first double blank that follows the line's leading words. */
		const char *t = s->help[i].text;
		const char *lead = t + strspn(t, " ");
		const char *gap = strstr(lead, "  ");
		int indent = gap ? (int)(gap - t) + (int)strspn(gap, " ") : 2;
		y = wrap(sc, 1, y, m.w - 2, m.y + m.h, s->help[i].style, t, indent);
	}
}

/* ---- the shared frame, for views defined in other files ------------------------ */

bool scene_frame(struct scene *sc, const struct scene_snap *s, struct scene_layout *l)
{
	return frame_begin(sc, s, l);
}

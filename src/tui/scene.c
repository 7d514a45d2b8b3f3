/*
 * scene.c — drawing items, text measurement and rasterisation into a grid
 * of cells. See scene.h. Costs: adding an item is O(1) amortised;
 * rasterising is O(cells covered by items), a few thousand per frame.
 */
#include "tui/scene.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void scene_init(struct scene *sc)
{
	memset(sc, 0, sizeof *sc);
	sbuf_init(&sc->text);
}

void scene_close(struct scene *sc)
{
	if (!sc)
		return;
	free(sc->items);
	free(sc->paths);
	sbuf_free(&sc->text);
	memset(sc, 0, sizeof *sc);
}

void scene_reset(struct scene *sc, int w, int h, bool unicode)
{
	sc->w = w;
	sc->h = h;
	sc->unicode = unicode;
	sc->nitems = 0;
	sbuf_clear(&sc->text);
	sc->nboxes = 0;
	sc->area = (struct scene_rect){0, 0, 0, 0};
	sc->npaths = 0;
	memset(sc->path_off, 0xff, sizeof sc->path_off);
}

static struct scene_item *add_item(struct scene *sc)
{
	if (sc->nitems == sc->cap)
		xgrow((void **)&sc->items, &sc->cap, sc->nitems + 1, sizeof *sc->items);
	struct scene_item *it = &sc->items[sc->nitems++];
	memset(it, 0, sizeof *it);
	it->node = -1;
	it->peer = -1;
	it->msg = -1;
	return it;
}

/* ---- measuring ----------------------------------------------------------- */

/* Decodes one character at s; returns its length in bytes (>= 1) and its
 * width in *w (an undecodable byte counts as one column: it is shown as '?'). */
static size_t next_char(const char *s, size_t n, int *w, bool *bad)
{
	/* ASCII, the common case, without the locale's decoder. */
	unsigned char c = (unsigned char)*s;
	if (c >= 0x20 && c < 0x7f) {
		*w = 1;
		*bad = false;
		return 1;
	}
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t len = mbrtowc(&wc, s, n, &st);
	*bad = false;
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		*w = 1;
		*bad = true;
		return 1;
	}
	/* wcwidth() is slow and the same few glyphs (box drawing, arrows)
	 * come back every frame: a small direct-mapped cache. */
	static struct {
		wchar_t wc;
		int w;
	} cache[256];
	unsigned slot = (unsigned)wc & 255;
	int cw;
	if (cache[slot].wc == wc && wc) {
		cw = cache[slot].w;
	} else {
		cw = wcwidth(wc);
		cache[slot].wc = wc;
		cache[slot].w = cw;
	}
	if (cw < 0) {
		*w = 1;
		*bad = true;
	} else {
		*w = cw;
	}
	return len;
}

size_t scene_fit(const char *s, int maxw, int *used)
{
	size_t n = strlen(s), i = 0;
	int cols = 0;
	while (i < n) {
		int w;
		bool bad;
		size_t len = next_char(s + i, n - i, &w, &bad);
		if (cols + w > maxw)
			break;
		cols += w;
		i += len;
	}
	if (used)
		*used = cols;
	return i;
}

int scene_width(const char *s)
{
	int used;
	scene_fit(s, 1 << 20, &used);
	return used;
}

/* ---- ASCII fallback ------------------------------------------------------------ */

/* Without a UTF-8 locale, text (which gettext hands over in UTF-8, and
 * which may hold the screen's own separators) is turned into ASCII: the
 * few symbols the screen uses and Latin letters with accents get their
 * nearest ASCII, anything else a '?'. */
static const struct {
	uint32_t cp;
	const char *ascii;
} translit[] = {
    {0xb7, "-"},   {0x2192, "->"}, {0x2190, "<-"},  {0x2014, "-"},  {0x2013, "-"},  {0x2717, "X"},
    {0x2715, "x"}, {0x25cf, "*"},  {0x2026, "..."}, {0xa1, "!"},    {0xbf, "?"},    {0xab, "\""},
    {0xbb, "\""},  {0x2018, "'"},  {0x2019, "'"},   {0x201c, "\""}, {0x201d, "\""}, {0xd7, "x"},
};

static const char *latin(uint32_t cp)
{
	/* U+00C0..U+00FF, folded to their base letters */
	static const char base[] = "AAAAAAACEEEEIIII"
				   "DNOOOOO*OUUUUYTs"
				   "aaaaaaaceeeeiiii"
				   "dnooooo/ouuuuyty";
	static char out[2];
	if (cp < 0xc0 || cp > 0xff)
		return NULL;
	out[0] = base[cp - 0xc0];
	out[1] = '\0';
	return out;
}

static void to_ascii(const char *s, struct sbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x80) {
			sbuf_putc(out, (char)*p++);
			continue;
		}
		int len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		uint32_t cp = len == 1 ? 0 : *p & (0x7f >> len);
		bool ok = len > 1;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				ok = false;
				len = i;
				break;
			}
			cp = cp << 6 | (p[i] & 0x3f);
		}
		p += len;
		const char *rep = NULL;
		for (size_t i = 0; ok && i < ARRAY_LEN(translit) && !rep; i++)
			if (translit[i].cp == cp)
				rep = translit[i].ascii;
		if (!rep && ok)
			rep = latin(cp);
		sbuf_puts(out, rep ? rep : "?");
	}
}

/* ---- items --------------------------------------------------------------- */

static int text_item(struct scene *sc, int x, int y, int maxw, int style, const char *utf8,
		     int node, int peer);

int scene_text_hit(struct scene *sc, int x, int y, int maxw, int style, const char *utf8, int node,
		   int peer)
{
	if (y < 0 || y >= sc->h || x >= sc->w || !utf8 || !*utf8)
		return 0;
	struct sbuf ascii = {0};
	if (!sc->unicode) {
		bool plain = true;
		for (const char *q = utf8; *q && plain; q++)
			plain = (unsigned char)*q < 0x80;
		if (!plain) {
			to_ascii(utf8, &ascii);
			utf8 = sbuf_str(&ascii);
		}
	}
	int used = text_item(sc, x, y, maxw, style, utf8, node, peer);
	sbuf_free(&ascii);
	return used;
}

static int text_item(struct scene *sc, int x, int y, int maxw, int style, const char *utf8,
		     int node, int peer)
{
	if (maxw < 0 || x + maxw > sc->w)
		maxw = sc->w - x;
	/* Text starting left of the screen: skip the invisible part. */
	if (x < 0) {
		int skip;
		utf8 += scene_fit(utf8, -x, &skip);
		maxw -= skip;
		x += skip;
		if (x < 0)
			return 0;
	}
	int used;
	size_t len = scene_fit(utf8, maxw, &used);
	if (!len)
		return 0;
	struct scene_item *it = add_item(sc);
	it->kind = SCENE_TEXT;
	it->style = (uint8_t)style;
	it->x = (int16_t)x;
	it->y = (int16_t)y;
	it->w = (int16_t)used;
	it->h = 1;
	it->node = (int16_t)node;
	it->peer = (int16_t)peer;
	it->text = (uint32_t)sc->text.len;
	sbuf_add(&sc->text, utf8, len);
	sbuf_putc(&sc->text, '\0');
	return used;
}

int scene_text(struct scene *sc, int x, int y, int maxw, int style, const char *utf8)
{
	return scene_text_hit(sc, x, y, maxw, style, utf8, -1, -1);
}

void scene_glyph(struct scene *sc, int x, int y, int style, const char *utf8, int node, int peer)
{
	if (x < 0 || y < 0 || x >= sc->w || y >= sc->h)
		return;
	struct scene_item *it = add_item(sc);
	it->kind = SCENE_GLYPH;
	it->style = (uint8_t)style;
	it->x = (int16_t)x;
	it->y = (int16_t)y;
	it->w = 1;
	it->h = 1;
	it->node = (int16_t)node;
	it->peer = (int16_t)peer;
	size_t len = strlen(utf8);
	memcpy(it->g, utf8, len < sizeof it->g ? len : sizeof it->g);
}

void scene_box(struct scene *sc, struct scene_rect r, int style, int flags, int node)
{
	if (r.w < 2 || r.h < 2)
		return;
	struct scene_item *it = add_item(sc);
	it->kind = SCENE_BOX;
	it->style = (uint8_t)style;
	it->flags = (uint8_t)flags;
	it->x = (int16_t)r.x;
	it->y = (int16_t)r.y;
	it->w = (int16_t)r.w;
	it->h = (int16_t)r.h;
	it->node = (int16_t)node;
}

void scene_fill(struct scene *sc, struct scene_rect r, int style)
{
	struct scene_item *it = add_item(sc);
	it->kind = SCENE_FILL;
	it->style = (uint8_t)style;
	it->x = (int16_t)r.x;
	it->y = (int16_t)r.y;
	it->w = (int16_t)r.w;
	it->h = (int16_t)r.h;
}

static bool inside(const struct scene_item *it, int x, int y)
{
	return x >= it->x && x < it->x + it->w && y >= it->y && y < it->y + it->h;
}

bool scene_hit(const struct scene *sc, int x, int y, int *node, int *peer)
{
	for (size_t i = sc->nitems; i-- > 0;) {
		const struct scene_item *it = &sc->items[i];
		if (it->node < 0 || !inside(it, x, y))
			continue;
		/* A link is named the same from either end. */
		*node = it->peer >= 0 ? MIN(it->node, it->peer) : it->node;
		*peer = it->peer >= 0 ? MAX(it->node, it->peer) : -1;
		return true;
	}
	return false;
}

void scene_glyph_msg(struct scene *sc, int x, int y, int style, const char *utf8, int msg)
{
	size_t before = sc->nitems;
	scene_glyph(sc, x, y, style, utf8, -1, -1);
	if (sc->nitems > before)
		sc->items[before].msg = (int16_t)(msg < INT16_MAX ? msg : -1);
}

int scene_hit_msg(const struct scene *sc, int x, int y)
{
	for (size_t i = sc->nitems; i-- > 0;) {
		const struct scene_item *it = &sc->items[i];
		if (!inside(it, x, y))
			continue;
		if (it->msg >= 0)
			return it->msg;
		if (it->node >= 0 && it->peer < 0)
			return -1; /* a node's box is on top */
	}
	return -1;
}

/* ---- the grid ------------------------------------------------------------ */

void scene_grid_init(struct scene_grid *g)
{
	memset(g, 0, sizeof *g);
}

void scene_grid_close(struct scene_grid *g)
{
	if (!g)
		return;
	free(g->c);
	memset(g, 0, sizeof *g);
}

/* Border glyphs: corners tl tr bl br, horizontal, vertical. */
static const char *const box_glyphs[2][3][6] = {
    {
	{"+", "+", "+", "+", "-", "|"},
	{"#", "#", "#", "#", "=", "#"},
	{".", ".", ".", ".", ".", ":"},
    },
    {
	{"╭", "╮", "╰", "╯", "─", "│"},
	{"┏", "┓", "┗", "┛", "━", "┃"},
	{"╭", "╮", "╰", "╯", "┄", "┆"},
    },
};

static void put(struct scene_grid *g, int x, int y, const char *glyph, size_t len, int style)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return;
	struct scene_cell *c = &g->c[(size_t)y * g->w + x];
	if (len >= sizeof c->g)
		len = sizeof c->g - 1;
	memcpy(c->g, glyph, len);
	c->g[len] = '\0';
	c->style = (uint8_t)style;
}

static void raster_text(struct scene_grid *g, const struct scene_item *it, const char *s)
{
	size_t n = strlen(s), i = 0;
	int x = it->x;
	while (i < n && x < it->x + it->w) {
		int w;
		bool bad;
		size_t len = next_char(s + i, n - i, &w, &bad);
		if (bad) {
			put(g, x, it->y, "?", 1, it->style);
		} else if (w == 0) {
			/* A combining mark joins the glyph before it. */
			if (x > it->x && x - 1 < g->w && it->y < g->h) {
				struct scene_cell *c = &g->c[(size_t)it->y * g->w + x - 1];
				size_t have = strlen(c->g);
				if (have + len < sizeof c->g) {
					memcpy(c->g + have, s + i, len);
					c->g[have + len] = '\0';
				}
			}
		} else {
			put(g, x, it->y, s + i, len, it->style);
			for (int k = 1; k < w; k++)
				put(g, x + k, it->y, "", 0, it->style);
		}
		x += bad ? 1 : w;
		i += len;
	}
}

static void raster_box(struct scene_grid *g, const struct scene_item *it, bool unicode)
{
	int v = it->flags & SCENE_HEAVY ? 1 : it->flags & SCENE_DASHED ? 2 : 0;
	const char *const *b = box_glyphs[unicode][v];
	int x0 = it->x, y0 = it->y, x1 = it->x + it->w - 1, y1 = it->y + it->h - 1;
	for (int x = x0 + 1; x < x1; x++) {
		put(g, x, y0, b[4], strlen(b[4]), it->style);
		put(g, x, y1, b[4], strlen(b[4]), it->style);
	}
	for (int y = y0 + 1; y < y1; y++) {
		put(g, x0, y, b[5], strlen(b[5]), it->style);
		put(g, x1, y, b[5], strlen(b[5]), it->style);
		for (int x = x0 + 1; x < x1; x++)
			put(g, x, y, " ", 1, SS_NORMAL);
	}
	put(g, x0, y0, b[0], strlen(b[0]), it->style);
	put(g, x1, y0, b[1], strlen(b[1]), it->style);
	put(g, x0, y1, b[2], strlen(b[2]), it->style);
	put(g, x1, y1, b[3], strlen(b[3]), it->style);
}

void scene_rasterize(const struct scene *sc, struct scene_grid *g)
{
	size_t cells = (size_t)sc->w * (size_t)sc->h;
	if (g->w != sc->w || g->h != sc->h) {
		free(g->c);
		g->c = xcalloc(cells ? cells : 1, sizeof *g->c);
		g->w = sc->w;
		g->h = sc->h;
	}
	for (size_t i = 0; i < cells; i++) {
		g->c[i].g[0] = ' ';
		g->c[i].g[1] = '\0';
		g->c[i].style = SS_NORMAL;
	}
	for (size_t i = 0; i < sc->nitems; i++) {
		const struct scene_item *it = &sc->items[i];
		switch (it->kind) {
		case SCENE_TEXT: raster_text(g, it, sc->text.s + it->text); break;
		case SCENE_BOX: raster_box(g, it, sc->unicode); break;
		case SCENE_GLYPH:
			put(g, it->x, it->y, it->g, strnlen(it->g, sizeof it->g), it->style);
			break;
		case SCENE_FILL:
			for (int y = it->y; y < it->y + it->h; y++)
				for (int x = it->x; x < it->x + it->w; x++)
					put(g, x, y, " ", 1, it->style);
			break;
		}
	}
}

void scene_grid_text(const struct scene_grid *g, struct sbuf *out)
{
	for (int y = 0; y < g->h; y++) {
		size_t start = out->len;
		size_t keep = out->len;
		for (int x = 0; x < g->w; x++) {
			const char *c = g->c[(size_t)y * g->w + x].g;
			sbuf_puts(out, c);
			if (strcmp(c, " ") != 0 && *c)
				keep = out->len;
		}
		(void)start;
		out->len = keep;
		sbuf_putc(out, '\n');
	}
}

void scene_render_text(const struct scene *sc, struct sbuf *out)
{
	struct scene_grid g;
	scene_grid_init(&g);
	scene_rasterize(sc, &g);
	scene_grid_text(&g, out);
	scene_grid_close(&g);
}

/*
 * tui_theme.c — the screen's colour theme (tui_theme.h): which theme, and
 * its styles as curses attributes. Colour pairs are made for the distinct
 * (text, background) pairs the theme uses, in role order, with the
 * 256-colour index on terminals that have 256 colours and the basic colour
 * otherwise; "default" is the terminal's own colour (use_default_colors).
 */
#include "tui/tui_theme.h"

#include "tui/tui_internal.h"
#include "util/i18n.h"
#include "util/paths.h"

#include "theme_builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct theme current;
static bool have, chosen;

const char *tui_theme_dir(void)
{
	static char dir[PATHS_MAX + 16];
	if (!dir[0])
		ns_snprintf(dir, sizeof dir, "%s/themes", paths_get()->assets);
	return dir;
}

bool tui_theme_select(const char *arg, bool explicit_choice, struct sbuf *err)
{
	char path[PATHS_MAX + 96];
	if (theme_is_path(arg))
		ns_strlcpy(path, arg, sizeof path);
	else if (!theme_path(tui_theme_dir(), arg, path, sizeof path, err))
		return false;
	struct theme *t = xmalloc(sizeof *t);
	bool ok = theme_load(path, t, err);
	if (ok) {
		current = *t;
		have = true;
		chosen = chosen || explicit_choice;
	}
	free(t);
	return ok;
}

bool tui_theme_chosen(void)
{
	return chosen;
}

const struct theme *tui_theme_current(void)
{
	if (have)
		return &current;
	struct sbuf err = {0};
	if (!tui_theme_select("default", false, &err)) {
		/* The themes folder is missing or its default is broken: say so
		 * (stderr, or the log while curses runs) and use the copy built in. */
		fprintf(stderr, _("netsplit: %s; using the built-in default theme\n"),
			sbuf_str(&err));
		sbuf_clear(&err);
		bool ok = theme_parse(tui_theme_builtin, sizeof tui_theme_builtin - 1,
				      "default.theme (built in)", &current, &err);
		if (!ok) /* the build checks the file (tests/unit/test_theme.c) */
			memset(&current, 0, sizeof current);
		have = true;
	}
	sbuf_free(&err);
	return &current;
}

static attr_t curses_attrs(unsigned a)
{
	attr_t r = 0;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

static short pick(struct theme_colour c, bool rich)
{
	short v = rich ? c.c256 : c.c8;
	return v < COLORS ? v : -1;
}

void tui_theme_styles(attr_t *attr, bool color)
{
	const struct theme *th = tui_theme_current();
	memset(attr, 0, SS_COUNT * sizeof *attr);
	bool rich = color && COLORS >= 256;
	const struct theme_style *normal = &th->colour[SS_NORMAL];
	short pairs[SS_COUNT][2];
	int np = 0;
	for (int r = 0; r < SS_COUNT; r++) {
		bool in_colour = color && th->colour[r].set;
		const struct theme_style *st = in_colour ? &th->colour[r] : &th->mono[r];
		attr[r] = curses_attrs(st->attrs);
		if (!color)
			continue;
		short fg = in_colour && st->has_fg ? pick(st->fg, rich) : -1;
		short bg = in_colour && st->has_bg ? pick(st->bg, rich)
			   : normal->has_bg        ? pick(normal->bg, rich)
						   : -1;
		if (fg < 0 && bg < 0)
			continue;
		int k = 0;
		while (k < np && (pairs[k][0] != fg || pairs[k][1] != bg))
			k++;
		if (k == np) {
			if (np + 1 >= COLOR_PAIRS || init_pair((short)(np + 1), fg, bg) == ERR)
				continue;
			pairs[np][0] = fg;
			pairs[np][1] = bg;
			np++;
		}
		attr[r] |= COLOR_PAIR(k + 1);
	}
}

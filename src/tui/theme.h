/*
 * theme.h — colour themes as data files (assets/themes/NAME.theme,
 * installed in PREFIX/share/netsplit/themes): parsing and finding them,
 * without curses. tui_theme.c maps a parsed theme onto curses attributes
 * and colour pairs.
 *
 * A theme gives each style role of the screen (enum scene_style, named as
 * in theme_role_name(): "leader", "cut", "term0", ...) a style twice: in
 * [colour], used when the terminal has colours and NO_COLOR is unset, and
 * in [mono], used otherwise (attributes only). A role missing from [colour]
 * takes its [mono] style; one missing from both is plain. The format:
 *
 *   # a comment (a whole line, or after white space)
 *   [theme]
 *   name = default
 *   description = Okabe-Ito colours, safe for colour-blind readers
 *
 *   [palette]            # colour names for the sections below
 *   orange = 214 yellow  # a 256-colour index, then the basic colour used
 *   sky = cyan           #   on 8-colour terminals; or a basic colour alone
 *
 *   [colour]
 *   leader = orange bold # COLOUR [on COLOUR] ATTRIBUTE...
 *   bar = black on sky
 *
 *   [mono]
 *   leader = bold        # ATTRIBUTE... or `plain`
 *
 * Colours: a palette name, a basic colour (black red green yellow blue
 * magenta cyan white) or `default` (the terminal's own). A palette entry
 * may take a basic colour's name (`yellow = 228 yellow`): the sections
 * below then mean the palette's; its value always means the basic one. Attributes: bold,
 * dim, underline, reverse, italic, standout; `plain` for none. A style
 * without `on COLOUR` takes the background of `normal` (so a theme can set
 * one background for the whole screen). Errors are reported as
 * FILE:LINE:COL: what was wrong, and what was expected.
 */
#ifndef NETSPLIT_THEME_H
#define NETSPLIT_THEME_H

#include "tui/scene.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Attributes, as bits. */
enum {
	THEME_BOLD = 1 << 0,
	THEME_DIM = 1 << 1,
	THEME_UNDERLINE = 1 << 2,
	THEME_REVERSE = 1 << 3,
	THEME_ITALIC = 1 << 4,
	THEME_STANDOUT = 1 << 5,
};

/* A colour: its index on 256-colour terminals and on 8-colour ones; -1 is
 * the terminal's default colour. */
struct theme_colour {
	short c256, c8;
};

struct theme_style {
	bool set;            /* given in the file */
	bool has_fg, has_bg; /* a colour given for the text, the background */
	struct theme_colour fg, bg;
	unsigned attrs; /* THEME_* bits */
};

#define THEME_NAME_MAX 64
#define THEME_DESC_MAX 200

struct theme {
	char name[THEME_NAME_MAX];        /* [theme] name, else the file's base name */
	char description[THEME_DESC_MAX]; /* [theme] description, or "" */
	struct theme_style colour[SS_COUNT];
	struct theme_style mono[SS_COUNT];
};

/* The role's name in theme files ("normal", "leader", "term0", ...), or
 * NULL for a value outside the enum. */
const char *theme_role_name(int role);

/* Parses text[0..len) (file names it in messages) into *out. Returns false
 * with "FILE:LINE:COL: message" in err on the first error (*out is then
 * unspecified). */
bool theme_parse(const char *text, size_t len, const char *file, struct theme *out,
		 struct sbuf *err);

/* Reads and parses the file at path (err: "PATH: cannot read: reason" or a
 * parse error). */
bool theme_load(const char *path, struct theme *out, struct sbuf *err);

/* Whether s names a theme file by its path (it holds a '/' or ends in
 * ".theme") rather than an installed theme by name. */
bool theme_is_path(const char *s);

/* The path of the theme `name` in the themes folder dir (dir/NAME.theme)
 * into buf; false (with a message in err) when the name is not a plain
 * name ([a-z0-9_-]) or no such file exists. */
bool theme_path(const char *dir, const char *name, char *buf, size_t n, struct sbuf *err);

/* The names of the themes in dir (files NAME.theme), sorted: *names is a
 * malloc'd array of *n malloc'd strings; theme_names_free() frees it. */
void theme_names(const char *dir, char ***names, int *n);
void theme_names_free(char **names, int n);

#endif

/*
 * tui_theme.h — the colour theme the screen uses: chosen before the
 * terminal opens (`--theme NAME|PATH`, else the "theme" setting in the
 * store, else "default"), loaded from the themes folder (util/paths.h) and
 * mapped onto curses attributes and colour pairs when the terminal opens.
 * A copy of assets/themes/default.theme is compiled in, for a program that
 * finds no themes folder. NO_COLOR (or a terminal without colours) selects
 * the theme's [mono] styles.
 */
#ifndef NETSPLIT_TUI_THEME_H
#define NETSPLIT_TUI_THEME_H

#include "tui/theme.h"
#include "util/util.h"

#include <stdbool.h>

/* The folder of installed themes (PREFIX/share/netsplit/themes, or
 * SOURCE/assets/themes from the build tree). */
const char *tui_theme_dir(void);

/* Loads the theme `arg` (a name in tui_theme_dir(), or a path, see
 * theme_is_path()) and makes it the screen's. On failure returns false
 * with a message in err (FILE:LINE:COL for a malformed file) and keeps the
 * theme in use. `chosen` marks it as the user's explicit choice, which a
 * saved setting does not override (tui_theme_chosen()). */
bool tui_theme_select(const char *arg, bool chosen, struct sbuf *err);

/* Whether a theme was chosen explicitly (--theme). */
bool tui_theme_chosen(void);

/* The theme in use: the one selected, else the default theme file, else
 * the compiled-in copy of it. */
const struct theme *tui_theme_current(void);

#endif

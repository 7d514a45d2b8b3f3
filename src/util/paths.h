/*
 * paths.h — where netsplit's data files are: the lessons, the assets (colour
 * themes) and the compiled translations, for a program run from its build
 * tree and for one installed under a prefix.
 *
 * The rule, from the running program's own path (/proc/self/exe):
 *
 *   installed    the program is PREFIX/bin/netsplit (bin: the configured
 *                CMAKE_INSTALL_BINDIR) and PREFIX/share/netsplit/lessons
 *                exists: lessons in PREFIX/share/netsplit/lessons, themes in
 *                PREFIX/share/netsplit/themes, translations in
 *                PREFIX/share/locale. The prefix is found at run time, so an
 *                installed tree works wherever it is copied or staged
 *                (DESTDIR, a .deb's /usr while configured for /usr/local).
 *   uninstalled  the program lives inside the build directory it was built
 *                in (build/netsplit, build/tests/test_x, build/bench/...):
 *                lessons in SOURCE/lessons, themes in SOURCE/assets/themes,
 *                translations in BUILD/locale.
 *   otherwise    the directories configured at build time (NETSPLIT_DATADIR,
 *                NETSPLIT_LOCALEDIR); without /proc, the source tree when the
 *                configured place holds no lessons.
 *
 * An installed program never reads the source tree, and a build-tree one
 * never reads an older installed copy.
 */
#ifndef NETSPLIT_PATHS_H
#define NETSPLIT_PATHS_H

#include <stdbool.h>

#define PATHS_MAX 4096

struct paths {
	char lessons[PATHS_MAX]; /* the folder of *.lesson files (and LANG/) */
	char assets[PATHS_MAX];  /* the folder holding themes/ */
	char locale[PATHS_MAX];  /* the root that bindtextdomain() is given */
	bool uninstalled;        /* run from its build tree: the source's files */
};

/* Fills out for a program at `exe` (an absolute path with symbolic links
 * resolved, or NULL when unknown), by the rule above. Reads only the file
 * system's directories; testable with any path. */
void paths_resolve(const char *exe, struct paths *out);

/* The paths of this process, resolved once on the first call (not
 * thread-safe before that call; netsplit makes it at start-up). */
const struct paths *paths_get(void);

#endif

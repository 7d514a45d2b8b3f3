/*
 * theme_cmd.c — colour themes from the command line: `netsplit themes`
 * lists the installed themes and the one saved in the database, `--set`
 * checks a theme and saves it (the screen then starts with it), `--unset`
 * goes back to the default; and the saved theme for screens that open no
 * store of their own (`netsplit cap`).
 */
#include "app/app.h"

#include "store/store.h"
#include "tui/tui_theme.h"
#include "util/i18n.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: netsplit themes [--db PATH] [--set NAME|FILE | --unset]\n"
		  "List the colour themes; --set checks one and saves it as the screen's\n"
		  "theme, --unset goes back to the default. `--theme NAME|FILE` on the\n"
		  "screen's commands chooses one for a single run.\n"));
}

int themes_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"set", required_argument, NULL, 's'},
	    {"unset", no_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *set = NULL;
	bool unset = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's': set = optarg; break;
		case 'u': unset = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (set && unset)) {
		usage(stderr);
		return 2;
	}
	char value[PATH_MAX];
	if (set) {
		/* Check it before saving; a file is saved by its absolute path. */
		struct sbuf err = {0};
		if (!tui_theme_select(set, true, &err)) {
			fprintf(stderr, "netsplit: %s\n", sbuf_str(&err));
			sbuf_free(&err);
			return 2;
		}
		sbuf_free(&err);
		if (!theme_is_path(set) || !realpath(set, value))
			ns_strlcpy(value, set, sizeof value);
	}
	struct store *st = app_open_store(db);
	int status = 0;
	if (set || unset) {
		int rc =
		    set ? store_setting_set(st, "theme", value) : store_setting_unset(st, "theme");
		if (rc < 0) {
			fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
			status = 1;
		} else if (rc == STORE_MEMORY_ONLY) {
			fprintf(stderr, "%s\n", _("netsplit: not saving: the theme is not kept"));
			status = 1;
		} else if (set) {
			printf(_("Theme %s saved: the screen starts with it.\n"), value);
		} else {
			printf("%s\n", _("Theme setting removed: the screen uses the default."));
		}
		store_close(st);
		return status;
	}
	char *saved = NULL;
	store_setting_get(st, "theme", &saved);
	store_close(st);
	const char *dir = tui_theme_dir();
	char **names;
	int n;
	theme_names(dir, &names, &n);
	printf(_("Themes in %s:\n"), dir);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX + 96];
		struct sbuf err = {0};
		struct theme *t = xcalloc(1, sizeof *t);
		ns_snprintf(path, sizeof path, "%s/%s.theme", dir, names[i]);
		bool ok = theme_load(path, t, &err);
		bool mark = saved ? !strcmp(saved, names[i]) : !strcmp(names[i], "default");
		printf("%c %-16s %s\n", mark ? '*' : ' ', names[i],
		       ok ? t->description : sbuf_str(&err));
		if (!ok)
			status = 1;
		free(t);
		sbuf_free(&err);
	}
	if (!n)
		printf("  %s\n", _("(none: netsplit uses its built-in default)"));
	if (saved && theme_is_path(saved))
		printf("* %s\n", saved);
	theme_names_free(names, n);
	free(saved);
	return status;
}

/*
 * test_theme.c — colour theme files without a terminal (tui/theme.h): the
 * themes in assets/themes parse, mean what the screen expects (the default
 * keeps the Okabe-Ito styles, NO_COLOR attributes for every role that
 * carries meaning, high-contrast nothing dim), the compiled-in copy is the
 * default file; and malformed files are refused with FILE:LINE:COL and a
 * message that says what was wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/theme.h"

#include "theme_builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THEMES SOURCE_DIR "/assets/themes"

static void load(const char *name, struct theme *t)
{
	char path[512];
	struct sbuf err = {0};
	snprintf(path, sizeof path, "%s/%s.theme", THEMES, name);
	bool ok = theme_load(path, t, &err);
	if (!ok)
		fail_msg("%s", sbuf_str(&err));
	sbuf_free(&err);
	assert_string_equal(t->name, name);
	assert_true(t->description[0]);
}

static void test_installed_themes_parse(void **state)
{
	(void)state;
	char **names;
	int n;
	theme_names(THEMES, &names, &n);
	assert_true(n >= 3);
	assert_string_equal(names[0], "default");
	assert_string_equal(names[1], "high-contrast");
	assert_string_equal(names[2], "monochrome");
	struct theme *t = malloc(sizeof *t);
	for (int i = 0; i < n; i++) {
		load(names[i], t);
		/* Meaning never rests on colour alone: without colour, the roles
		 * that say something still look different from plain text. */
		static const int meaningful[] = {SS_BAR,    SS_KEY,  SS_LEADER, SS_CANDIDATE,
						 SS_SELECT, SS_CUT,  SS_ONEWAY, SS_DEGRADED,
						 SS_MSG,    SS_DROP, SS_ERROR,  SS_REC};
		for (size_t k = 0; k < sizeof meaningful / sizeof meaningful[0]; k++)
			assert_true(t->mono[meaningful[k]].attrs != 0);
	}
	free(t);
	theme_names_free(names, n);
}

static void test_default_keeps_okabe_ito(void **state)
{
	(void)state;
	struct theme *t = malloc(sizeof *t);
	load("default", t);
	const struct theme_style *s = &t->colour[SS_LEADER];
	assert_true(s->set && s->has_fg && !s->has_bg);
	assert_int_equal(s->fg.c256, 214); /* Okabe-Ito orange */
	assert_int_equal(s->fg.c8, 3);     /* yellow on 8-colour terminals */
	assert_int_equal(s->attrs, THEME_BOLD);
	s = &t->colour[SS_BAR];
	assert_true(s->has_fg && s->has_bg);
	assert_int_equal(s->fg.c256, 0);
	assert_int_equal(s->bg.c256, 74); /* sky blue */
	assert_int_equal(s->bg.c8, 6);
	assert_int_equal(t->colour[SS_CUT].fg.c256, 166); /* vermillion */
	assert_false(t->colour[SS_DIM].set);              /* falls back to [mono] */
	assert_int_equal(t->mono[SS_DIM].attrs, THEME_DIM);
	assert_int_equal(t->mono[SS_KEY].attrs, THEME_BOLD | THEME_REVERSE);
	for (int i = 0; i < 6; i++)
		assert_true(t->colour[SS_TERM0 + i].has_fg);
	free(t);
}

static void test_high_contrast_and_monochrome(void **state)
{
	(void)state;
	struct theme *t = malloc(sizeof *t);
	load("high-contrast", t);
	assert_true(t->colour[SS_NORMAL].has_bg); /* one background for the screen */
	assert_int_equal(t->colour[SS_NORMAL].bg.c8, 0);
	for (int r = 0; r < SS_COUNT; r++) {
		assert_false(t->colour[r].attrs & THEME_DIM);
		if (!t->colour[r].set) /* every role has its colour style */
			fail_msg("high-contrast: no [colour] style for %s", theme_role_name(r));
	}
	load("monochrome", t);
	for (int r = 0; r < SS_COUNT; r++)
		assert_false(t->colour[r].set);
	free(t);
}

static void test_builtin_is_the_default_file(void **state)
{
	(void)state;
	struct theme *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	struct sbuf err = {0};
	load("default", a);
	assert_true(
	    theme_parse(tui_theme_builtin, sizeof tui_theme_builtin - 1, "default.theme", b, &err));
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->description, b->description);
	for (int r = 0; r < SS_COUNT; r++)
		for (int m = 0; m < 2; m++) {
			const struct theme_style *x = m ? &a->mono[r] : &a->colour[r];
			const struct theme_style *y = m ? &b->mono[r] : &b->colour[r];
			assert_int_equal(x->set, y->set);
			assert_int_equal(x->attrs, y->attrs);
			assert_int_equal(x->has_fg, y->has_fg);
			assert_int_equal(x->has_bg, y->has_bg);
			assert_int_equal(x->fg.c256 * 1000 + x->fg.c8,
					 y->fg.c256 * 1000 + y->fg.c8);
			assert_int_equal(x->bg.c256 * 1000 + x->bg.c8,
					 y->bg.c256 * 1000 + y->bg.c8);
		}
	sbuf_free(&err);
	free(a);
	free(b);
}

static void test_format(void **state)
{
	(void)state;
	struct theme *t = malloc(sizeof *t);
	struct sbuf err = {0};
	const char *text = "# comment\r\n"
			   "[theme]\n"
			   "name = mine\n"
			   "  description = Größe # a comment after white space\n"
			   "[palette]\n"
			   "yellow = 228 yellow\n"
			   "x = red\n"
			   "[color]\n"
			   "normal = default on x\n"
			   "leader = yellow on black bold underline\n"
			   "key = plain\n"
			   "[mono]\n"
			   "leader = italic standout reverse";
	assert_true(theme_parse(text, strlen(text), "a/b.theme", t, &err));
	assert_string_equal(t->name, "mine");
	assert_string_equal(t->description, "Größe");
	assert_int_equal(t->colour[SS_NORMAL].fg.c256, -1);
	assert_int_equal(t->colour[SS_NORMAL].bg.c256, 1);
	assert_int_equal(t->colour[SS_LEADER].fg.c256, 228); /* the palette's yellow */
	assert_int_equal(t->colour[SS_LEADER].fg.c8, 3);
	assert_int_equal(t->colour[SS_LEADER].bg.c256, 0);
	assert_int_equal(t->colour[SS_LEADER].attrs, THEME_BOLD | THEME_UNDERLINE);
	assert_true(t->colour[SS_KEY].set);
	assert_int_equal(t->colour[SS_KEY].attrs, 0);
	assert_int_equal(t->mono[SS_LEADER].attrs, THEME_ITALIC | THEME_STANDOUT | THEME_REVERSE);
	/* Without [theme] name, the file's base name. */
	assert_true(theme_parse("", 0, "/x/y/my-theme.theme", t, &err));
	assert_string_equal(t->name, "my-theme");
	sbuf_free(&err);
	free(t);
}

static void test_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text, *where, *what;
	} bad[] = {
	    {"leader = bold\n", "t.theme:1:1:", "expected a section first"},
	    {"[colours]\n", "t.theme:1:2:", "unknown section \"colours\""},
	    {"[mono\n", "t.theme:1:6:", "expected `]`"},
	    {"[mono] x\n", "t.theme:1:7:", "unexpected text after the section"},
	    {"[mono]\nleader bold\n", "t.theme:2:8:", "expected `=` after \"leader\""},
	    {"[mono]\nLeader = bold\n", "t.theme:2:1:", "expected a name"},
	    {"[mono]\nleaders = bold\n", "t.theme:2:1:", "unknown role \"leaders\""},
	    {"[mono]\nleader = blod\n", "t.theme:2:10:", "unknown attribute \"blod\""},
	    {"[mono]\nleader = red\n", "t.theme:2:10:", "colours belong in [colour]"},
	    {"[mono]\nleader =\n", "t.theme:2:9:", "expected attributes"},
	    {"[mono]\nleader = bold\n\nleader = dim\n", "t.theme:4:1:", "already set at line 2"},
	    {"[colour]\nleader = orange\n",
	     "t.theme:2:10:", "unknown colour or attribute \"orange\""},
	    {"[colour]\nleader = red on\n", "t.theme:2:16:", "expected a colour after `on`"},
	    {"[colour]\nleader = red blue\n", "t.theme:2:14:", "a second text colour"},
	    {"[colour]\nleader = on red on blue\n", "t.theme:2:17:", "a second background"},
	    {"[colour]\nleader = plain bold\n", "t.theme:2:10:", "`plain` stands alone"},
	    {"[palette]\norange = 214\n", "t.theme:2:13:", "expected the basic colour"},
	    {"[palette]\norange = 256 red\n", "t.theme:2:10:", "expected a colour index 0-255"},
	    {"[palette]\norange = 214 orange\n", "t.theme:2:14:", "expected a basic colour"},
	    {"[palette]\norange = red 3\n", "t.theme:2:14:", "a basic colour stands alone"},
	    {"[palette]\nbold = red\n", "t.theme:2:1:", "built-in word"},
	    {"[palette]\na = red\na = blue\n", "t.theme:3:1:", "defined twice"},
	    {"[palette]\na = 1 2 3\n", "t.theme:2:5:", "too many words"},
	    {"[theme]\ncolour = red\n", "t.theme:2:1:", "unknown key \"colour\""},
	    {"[theme]\nname = My Theme\n", "t.theme:2:8:", "only a-z"},
	    /* Columns count characters, not bytes. */
	    {"[theme]\ndescription = é\n[mono]\n  ok = é\n", "t.theme:4:8:", "unknown attribute"},
	    {"[mono]\nok = bold\n\0x", "t.theme:3:1:", "NUL byte"},
	};
	struct theme *t = malloc(sizeof *t);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sbuf err = {0};
		size_t len = strlen(bad[i].text);
		if (strstr(bad[i].what, "NUL"))
			len += 2;
		bool ok = theme_parse(bad[i].text, len, "t.theme", t, &err);
		if (ok || strncmp(sbuf_str(&err), bad[i].where, strlen(bad[i].where)) ||
		    !strstr(sbuf_str(&err), bad[i].what))
			fail_msg("case %zu: %s -> %s (wanted %s %s)", i, bad[i].text,
				 ok ? "accepted" : sbuf_str(&err), bad[i].where, bad[i].what);
		sbuf_free(&err);
	}
	free(t);
}

static void test_lookup(void **state)
{
	(void)state;
	char path[600];
	struct sbuf err = {0};
	assert_true(theme_path(THEMES, "monochrome", path, sizeof path, &err));
	assert_string_equal(path, THEMES "/monochrome.theme");
	assert_false(theme_path(THEMES, "nope", path, sizeof path, &err));
	assert_non_null(strstr(sbuf_str(&err), "no theme \"nope\""));
	assert_non_null(strstr(sbuf_str(&err), "high-contrast"));
	sbuf_clear(&err);
	assert_false(theme_path(THEMES, "../x", path, sizeof path, &err));
	assert_non_null(strstr(sbuf_str(&err), "not a theme name"));
	assert_true(theme_is_path("./x"));
	assert_true(theme_is_path("x.theme"));
	assert_false(theme_is_path("default"));
	sbuf_clear(&err);
	struct theme t;
	assert_false(theme_load("/nonexistent/x.theme", &t, &err));
	assert_non_null(strstr(sbuf_str(&err), "/nonexistent/x.theme: cannot read"));
	sbuf_free(&err);
	for (int r = 0; r < SS_COUNT; r++)
		assert_non_null(theme_role_name(r));
	assert_null(theme_role_name(SS_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_installed_themes_parse),
	    cmocka_unit_test(test_default_keeps_okabe_ito),
	    cmocka_unit_test(test_high_contrast_and_monochrome),
	    cmocka_unit_test(test_builtin_is_the_default_file),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

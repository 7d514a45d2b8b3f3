/*
 * test_paths.c — where the program looks for its lessons, themes and
 * translations (util/paths.h): an installed layout next to the program
 * wins, wherever the tree was copied; a program in its build tree uses the
 * source tree; anything else the configured directories, never the
 * source tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "util/paths.h"
#include "util/util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[1024];

static void mkdirs(const char *rel)
{
	char p[PATH_MAX];
	ns_snprintf(p, sizeof p, "%s/%s", root, rel);
	for (char *q = p + strlen(root) + 1; *q; q++)
		if (*q == '/') {
			*q = '\0';
			mkdir(p, 0700);
			*q = '/';
		}
	mkdir(p, 0700);
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/netsplit-paths-XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	char real[PATH_MAX];
	if (!realpath(tmpl, real) || strlen(real) >= sizeof root)
		return -1;
	ns_strlcpy(root, real, sizeof root);
	mkdirs("inst/" NETSPLIT_BINDIR_REL);
	mkdirs("inst/" NETSPLIT_DATADIR_REL "/lessons");
	mkdirs("bare/" NETSPLIT_BINDIR_REL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	ns_snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_installed_tree_anywhere(void **state)
{
	(void)state;
	char exe[PATH_MAX], want[PATH_MAX];
	struct paths p;
	ns_snprintf(exe, sizeof exe, "%s/inst/%s/netsplit", root, NETSPLIT_BINDIR_REL);
	paths_resolve(exe, &p);
	assert_false(p.uninstalled);
	ns_snprintf(want, sizeof want, "%s/inst/%s/lessons", root, NETSPLIT_DATADIR_REL);
	assert_string_equal(p.lessons, want);
	ns_snprintf(want, sizeof want, "%s/inst/%s", root, NETSPLIT_DATADIR_REL);
	assert_string_equal(p.assets, want);
	ns_snprintf(want, sizeof want, "%s/inst/%s", root, NETSPLIT_LOCALEDIR_REL);
	assert_string_equal(p.locale, want);
}

static void test_build_tree_uses_the_source(void **state)
{
	(void)state;
	struct paths p;
	char real[PATH_MAX], exe[PATH_MAX + 32];
	assert_non_null(realpath(NETSPLIT_BUILD_DIR, real));
	ns_snprintf(exe, sizeof exe, "%s/netsplit", real);
	paths_resolve(exe, &p);
	assert_true(p.uninstalled);
	assert_string_equal(p.lessons, NETSPLIT_SOURCE_DIR "/lessons");
	assert_string_equal(p.assets, NETSPLIT_SOURCE_DIR "/assets");
	assert_string_equal(p.locale, NETSPLIT_BUILD_DIR "/locale");
	ns_snprintf(exe, sizeof exe, "%s/tests/test_paths", real);
	paths_resolve(exe, &p);
	assert_true(p.uninstalled);
	/* This test itself runs from the build tree. */
	assert_true(paths_get()->uninstalled);
	assert_string_equal(paths_get()->lessons, NETSPLIT_SOURCE_DIR "/lessons");
}

static void test_elsewhere_never_the_source(void **state)
{
	(void)state;
	char exe[PATH_MAX];
	struct paths p;
	/* A program in PREFIX/bin without PREFIX/share/netsplit, and one in no
	 * bin/ at all: the configured directories, not the source tree. */
	ns_snprintf(exe, sizeof exe, "%s/bare/%s/netsplit", root, NETSPLIT_BINDIR_REL);
	paths_resolve(exe, &p);
	assert_false(p.uninstalled);
	assert_string_equal(p.lessons, NETSPLIT_DATADIR "/lessons");
	assert_string_equal(p.assets, NETSPLIT_DATADIR);
	assert_string_equal(p.locale, NETSPLIT_LOCALEDIR);
	ns_snprintf(exe, sizeof exe, "%s/netsplit", root);
	paths_resolve(exe, &p);
	assert_false(p.uninstalled);
	assert_string_equal(p.lessons, NETSPLIT_DATADIR "/lessons");
	/* A build directory's name as a prefix of another directory's is not
	 * inside it. */
	ns_snprintf(exe, sizeof exe, "%s-other/netsplit", NETSPLIT_BUILD_DIR);
	paths_resolve(exe, &p);
	assert_false(p.uninstalled);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_installed_tree_anywhere),
	    cmocka_unit_test(test_build_tree_uses_the_source),
	    cmocka_unit_test(test_elsewhere_never_the_source),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

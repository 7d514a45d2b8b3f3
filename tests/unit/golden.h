/*
 * golden.h — comparing a rendered screen with its golden file in
 * tests/golden/ (NAME.txt). Set NETSPLIT_UPDATE_GOLDEN=1 to rewrite the
 * files after an intended change, and review the diff. For the unit tests
 * that draw views (test_scene.c, test_spacetime.c); include after cmocka.h.
 */
#ifndef NETSPLIT_TEST_GOLDEN_H
#define NETSPLIT_TEST_GOLDEN_H

#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN_DIR SOURCE_DIR "/tests/golden"

/* Fails the test when text differs from tests/golden/NAME.txt, printing
 * both. */
static void golden(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.txt", GOLDEN_DIR, name);
	const char *upd = getenv("NETSPLIT_UPDATE_GOLDEN");
	if (upd && *upd == '1') {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	size_t len;
	char *want = read_file(path, &len);
	if (!want)
		fail_msg("missing golden file %s (run with NETSPLIT_UPDATE_GOLDEN=1)", path);
	if (strcmp(want, text) != 0) {
		printf("--- %s (golden)\n%s--- got\n%s", path, want, text);
		free(want);
		fail_msg("%s differs from its golden file", name);
	}
	free(want);
}

#endif

/*
 * testdata_tsv.h — the walk over a test-data folder's EXPECTED.tsv, shared
 * by the one-shot (test_lin_testdata.c) and live (test_lin_live_testdata.c)
 * checks: each row names a history file, its expected verdict ("true",
 * "false" or "skip") and the model to check it with. Include after cmocka.h,
 * check/history.h and check/lin.h.
 */
#ifndef NETSPLIT_TESTDATA_TSV_H
#define NETSPLIT_TESTDATA_TSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Called for each history not skipped, loaded into h; returns the verdict
 * the caller's checker reached. */
typedef enum lin_verdict (*testdata_check_fn)(struct history *h, enum lin_model m, void *ctx);

/* Checks every history of TESTDATA_DIR/folder with fn against its expected
 * verdict; counts the files in *nfiles; returns how many disagreed (each
 * printed with what label calls the checker). */
static int testdata_each(const char *folder, const char *label, testdata_check_fn fn, void *ctx,
			 int *nfiles)
{
	char path[512];
	ns_snprintf(path, sizeof path, "%s/%s/EXPECTED.tsv", TESTDATA_DIR, folder);
	size_t len;
	char *tsv = read_file(path, &len);
	assert_non_null(tsv);
	int bad = 0;
	char *save = NULL;
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[0])
			continue;
		char *f = line, *exp = strchr(f, '\t');
		assert_non_null(exp);
		*exp++ = '\0';
		char *model = strchr(exp, '\t');
		assert_non_null(model);
		*model++ = '\0';
		char *end = strchr(model, '\t');
		if (end)
			*end = '\0';
		if (!strcmp(exp, "skip"))
			continue;
		enum lin_model m;
		assert_true(lin_model_parse(model, &m));
		struct history h;
		history_init(&h);
		struct sbuf err = {0};
		ns_snprintf(path, sizeof path, "%s/%s/%s", TESTDATA_DIR, folder, f);
		bool ok = history_load(&h, path, HIST_FMT_AUTO, &err);
		if (!ok)
			print_error("%s\n", sbuf_str(&err));
		assert_true(ok);
		enum lin_verdict want = !strcmp(exp, "true") ? LIN_OK : LIN_VIOLATION;
		enum lin_verdict v = fn(&h, m, ctx);
		if (v != want) {
			print_error("%s/%s: %s %s, expected %s\n", folder, f, label,
				    lin_verdict_name(v), lin_verdict_name(want));
			bad++;
		}
		(*nfiles)++;
		sbuf_free(&err);
		history_close(&h);
	}
	free(tsv);
	return bad;
}

#endif

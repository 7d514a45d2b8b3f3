/*
 * test_lin_testdata.c — every history in tests/data (Porcupine's
 * etcd logs and kv histories, Knossos' cas-register, multi-register and
 * mutex histories) against the verdict in its folder's EXPECTED.tsv, with
 * the model the TSV names, through the file reader and the one-shot
 * checker; and a few through `netsplit check` itself (check_cmd_main) for
 * its exit codes. All of them together take well under a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* src/app is linked into the program only: compile the command in. */
#include "app/check_cmd.c"
#include "check/history.h"
#include "check/lin.h"
#include "testdata_tsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum lin_verdict check_one(struct history *h, enum lin_model m, void *ctx)
{
	struct lin_budget b = {0, 30, *(const int *)ctx};
	return lin_check_history(h, m, &b, NULL, NULL);
}

static int check_folder(const char *folder, int threads, int *nfiles)
{
	return testdata_each(folder, "got", check_one, &threads, nfiles);
}

static void test_porcupine(void **state)
{
	(void)state;
	int n = 0;
	assert_int_equal(check_folder("porcupine", 1, &n), 0);
	assert_int_equal(n, 102 + 6); /* etcd_095 is empty and skipped */
	n = 0;
	assert_int_equal(check_folder("porcupine", 2, &n), 0); /* kv keys on two threads */
}

static void test_knossos(void **state)
{
	(void)state;
	int n = 0;
	assert_int_equal(check_folder("knossos", 1, &n), 0);
	assert_true(n >= 120);
}

static int run_cmd(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = {"check", (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL};
	int argc = 1;
	while (argv[argc])
		argc++;
	fflush(stdout);
	return check_cmd_main(argc, argv);
}

static void test_check_cmd_exit_codes(void **state)
{
	(void)state;
	char ok[512], bad[512], kv[512], knossos[512];
	ns_snprintf(ok, sizeof ok, "%s/porcupine/jepsen/etcd_002.log", TESTDATA_DIR);
	ns_snprintf(bad, sizeof bad, "%s/porcupine/jepsen/etcd_000.log", TESTDATA_DIR);
	ns_snprintf(kv, sizeof kv, "%s/porcupine/kv/c50-ok.txt", TESTDATA_DIR);
	ns_snprintf(knossos, sizeof knossos, "%s/knossos/cas-register/bad/cas-failure.edn",
		    TESTDATA_DIR);
	assert_int_equal(run_cmd(ok, "--model", "etcd", "-q", NULL), 0);
	assert_int_equal(run_cmd(ok, NULL, NULL, NULL, NULL), 0); /* auto: etcd */
	assert_int_equal(run_cmd(bad, "--format", "jepsen-log", NULL, NULL), 1);
	assert_int_equal(run_cmd(knossos, "--model", "cas-register", NULL, NULL), 1);
	/* A budget too small to finish: unknown, not a guess. */
	assert_int_equal(run_cmd(kv, "--budget", "1us", "-q", NULL), 3);
	assert_int_equal(run_cmd(kv, "--budget", "30s", "-q", NULL), 0);
	/* Bad input and bad usage. */
	assert_int_equal(run_cmd(ok, "--format", "edn", "-q", NULL), 2);
	assert_int_equal(run_cmd(ok, "--model", "nope", NULL, NULL), 2);
	assert_int_equal(run_cmd(ok, "--budget", "soon", NULL, NULL), 2);
	assert_int_equal(run_cmd("/nonexistent/file", NULL, NULL, NULL, NULL), 2);
	assert_int_equal(run_cmd(NULL, NULL, NULL, NULL, NULL), 2);
	assert_int_equal(run_cmd("--help", NULL, NULL, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_porcupine),
	    cmocka_unit_test(test_knossos),
	    cmocka_unit_test(test_check_cmd_exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

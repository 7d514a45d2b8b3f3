/*
 * test_lin_scale.c — the checker's phases on inputs large enough that a
 * quadratic phase would run for minutes (issue 14): each test must return
 * well within the TIMEOUT that tests/CMakeLists.txt gives this executable,
 * and a tiny budget must end in "unknown", never in a hang or a guess.
 *
 *  - 300,000 unknown puts of distinct values on one key, then an ok
 *    append and get:
 *    the twin pre-pass of ls_new was a backward scan per open op;
 *  - 300,000 keys: part_for scanned every key per operation;
 *  - 200,000 concurrent EDN invocations: pairing an event with its
 *    invocation scanned every running operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/lin.h"

#include <stdio.h>
#include <string.h>

static uint32_t add(struct history *h, int proc, enum hist_fn f, const char *key, const char *a,
		    int64_t t)
{
	struct hist_op op = {0};
	op.process = proc;
	op.node = 0;
	op.f = f;
	op.key = key;
	op.arg = a;
	op.invoked = t;
	op.completed = HIST_NEVER;
	op.gave_up = HIST_NEVER;
	op.outcome = OUT_PENDING;
	return history_add(h, &op);
}

static void test_many_open_puts(void **state)
{
	(void)state;
	enum { N = 300000 };
	struct history h;
	history_init(&h);
	char v[32];
	for (int i = 0; i < N; i++) {
		snprintf(v, sizeof v, "%d", i);
		uint32_t id = add(&h, i, HIST_WRITE, "x", v, i);
		history_complete(&h, id, i + 1, OUT_UNKNOWN, NULL, -1, "timed out");
	}
	/* An append (so that no put is a "dead write" the search may leave
	 * out: every one goes into the search), then a get of "150000z". */
	uint32_t a = add(&h, N, HIST_APPEND, "x", "z", N);
	history_complete(&h, a, N + 1, OUT_OK, NULL, -1, NULL);
	snprintf(v, sizeof v, "%dz", N / 2);
	uint32_t g = add(&h, N, HIST_READ, "x", NULL, N + 2);
	history_complete(&h, g, N + 3, OUT_OK, v, -1, NULL);
	struct lin_budget b = {0, 0.05, 1};
	enum lin_verdict r = lin_check_history(&h, LIN_MODEL_KV, &b, NULL, NULL);
	/* Linearizable (put 150000, the append, the get), but not provable
	 * in 50ms by a search of 300,000 open puts: unknown, or the proof. */
	assert_true(r == LIN_UNKNOWN || r == LIN_OK);
	/* Steps: the same, machine-independent. */
	struct lin_budget bs = {2000, 0, 1};
	r = lin_check_history(&h, LIN_MODEL_KV, &bs, NULL, NULL);
	assert_true(r == LIN_UNKNOWN || r == LIN_OK);
	history_close(&h);
}

static void test_many_keys(void **state)
{
	(void)state;
	enum { N = 300000 };
	struct history h;
	history_init(&h);
	char k[32];
	for (int i = 0; i < N; i++) {
		snprintf(k, sizeof k, "k%d", i);
		uint32_t id = add(&h, 1, HIST_WRITE, k, "1", 2 * i);
		history_complete(&h, id, 2 * i + 1, OUT_OK, NULL, -1, NULL);
	}
	/* One key read wrong, at the end: found once every key is seen. */
	uint32_t g = add(&h, 2, HIST_READ, "k7", NULL, 2 * N);
	history_complete(&h, g, 2 * N + 1, OUT_OK, "2", -1, NULL);
	struct lin_stats st;
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, &st), LIN_VIOLATION);
	assert_int_equal(st.nkeys, N);
	/* A tiny budget: an answer that is not a guess, returned at once. */
	struct lin_budget b = {0, 1e-6, 1};
	enum lin_verdict r = lin_check_history(&h, LIN_MODEL_KV, &b, NULL, NULL);
	assert_true(r == LIN_UNKNOWN || r == LIN_VIOLATION);
	history_close(&h);
}

static void test_many_concurrent_edn(void **state)
{
	(void)state;
	enum { N = 200000 };
	struct sbuf t = {0};
	sbuf_puts(&t, "[\n");
	for (int i = 0; i < N; i++)
		sbuf_printf(&t, "{:process %d, :type :invoke, :f :write, :value %d}\n", i, i);
	for (int i = N - 1; i >= 0; i--)
		sbuf_printf(&t, "{:process %d, :type :ok, :f :write, :value %d}\n", i, i);
	/* A process that completes twice is still an error. */
	sbuf_puts(&t, "{:process 7, :type :ok, :f :write, :value 7}\n]\n");
	struct history h;
	history_init(&h);
	struct sbuf err = {0};
	assert_false(history_parse(&h, t.s, t.len, "big.edn", HIST_FMT_EDN, &err));
	assert_non_null(strstr(sbuf_str(&err), "without having invoked it"));
	assert_int_equal(h.n, N);
	for (int i = 0; i < N; i += 9973) {
		assert_int_equal(h.ops[i].process, i);
		assert_int_equal(h.ops[i].outcome, OUT_OK);
		assert_int_equal(h.ops[i].completed, 2 * N - 1 - i);
	}
	sbuf_free(&err);
	sbuf_free(&t);
	history_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_open_puts),
	    cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_many_concurrent_edn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

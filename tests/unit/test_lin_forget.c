/*
 * test_lin_forget.c — a long session's history forgets its folded past
 * (history_forget, lin_forget) and nothing changes but the memory: the
 * indexes stay, the ops kept aside are found, a completion of a forgotten
 * op is ignored; on random histories checked op by op, a checker whose
 * history forgets gives the verdict and the explanation of one whose
 * history keeps everything; a world running a workload for an hour holds
 * a bounded number of ops and still finds a stale read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/lin.h"
#include "script/script.h"

#include <stdio.h>
#include <string.h>

static uint32_t inv(struct history *h, int proc, enum hist_fn f, const char *key, const char *a,
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

static void test_forget_keeps_indexes(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	char v[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(v, sizeof v, "v%d", i);
		uint32_t id = inv(&h, 1, HIST_WRITE, i % 2 ? "y" : "x", v, i * 10);
		assert_int_equal(id, i);
		history_complete(&h, id, i * 10 + 5, OUT_OK, NULL, -1, NULL);
	}
	const char *x = history_op(&h, 0)->key;
	uint32_t keep[] = {7, 7, 100, 2999};
	history_forget(&h, 3000, keep, 4);
	assert_int_equal(h.n, 5000);
	assert_int_equal(h.base, 3000);
	assert_int_equal(history_held(&h), 2000 + 3);
	assert_null(history_op(&h, 0));
	assert_null(history_op(&h, 2998));
	assert_null(history_op(&h, 5000));
	assert_string_equal(history_op(&h, 7)->arg, "v7");
	assert_string_equal(history_op(&h, 100)->arg, "v100");
	assert_string_equal(history_op(&h, 2999)->arg, "v2999");
	assert_string_equal(history_op(&h, 3000)->arg, "v3000");
	assert_int_equal(history_op(&h, 4999)->id, 4999);
	/* Keys stay interned (a checker holds them); values are re-pooled. */
	assert_ptr_equal(history_op(&h, 4000)->key, x);
	/* A forgotten op cannot change; later ones still come. */
	history_complete(&h, 5, 99, OUT_FAIL, NULL, -1, NULL);
	uint32_t id = inv(&h, 1, HIST_READ, "x", NULL, 60000);
	assert_int_equal(id, 5000);
	history_complete(&h, id, 60005, OUT_OK, "v4998", -1, NULL);
	assert_string_equal(history_op(&h, 5000)->result, "v4998");
	/* Forgetting again drops what is no longer listed. */
	uint32_t keep2[] = {100};
	history_forget(&h, 4500, keep2, 1);
	assert_null(history_op(&h, 7));
	assert_non_null(history_op(&h, 100));
	assert_int_equal(history_held(&h), 501 + 1);
	history_clear(&h);
	assert_int_equal(h.base, 0);
	assert_null(history_op(&h, 100));
	history_close(&h);
}

/* xorshift */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Adds the same op to both histories. */
static uint32_t inv2(struct history *a, struct history *b, int proc, enum hist_fn f,
		     const char *key, const char *arg, int64_t t)
{
	uint32_t i = inv(a, proc, f, key, arg, t);
	assert_int_equal(inv(b, proc, f, key, arg, t), i);
	return i;
}

static void done2(struct history *a, struct history *b, uint32_t i, int64_t t, enum op_outcome o,
		  const char *result)
{
	history_complete(a, i, t, o, result, -1, NULL);
	history_complete(b, i, t, o, result, -1, NULL);
}

/* Random concurrent histories of two keys (3 clients, each op taking
 * effect inside its interval on real registers; some reads corrupted late,
 * some writes unknown, quiet gaps): one copy forgets after every check
 * (keeping only the latest 4 ops), the other keeps everything. Same
 * verdict at every step, same explanation at the end. */
static void test_forget_changes_nothing(void **state)
{
	(void)state;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	int bad = 0;
	size_t forgot = 0;
	for (int run = 0; run < 200; run++) {
		struct history ha, hb;
		history_init(&ha);
		history_init(&hb);
		struct lin_checker *ca = lin_new(&ha, LIN_MODEL_KV);
		struct lin_checker *cb = lin_new(&hb, LIN_MODEL_KV);
		char reg[2][32] = {"", ""};
		int64_t t = 0;
		int next_val = 1;
		bool corrupt = run % 3 == 0;
		for (int step = 0; step < 120; step++) {
			int k = 1 + (int)(rnd(&seed) % 3);
			uint32_t ids[3];
			int order[3] = {0, 1, 2}, key[3];
			for (int i = k - 1; i > 0; i--) {
				int j = (int)(rnd(&seed) % (uint64_t)(i + 1));
				int tmp = order[i];
				order[i] = order[j];
				order[j] = tmp;
			}
			char vals[3][32], seen[3][32];
			bool write[3];
			for (int i = 0; i < k; i++) {
				write[i] = rnd(&seed) % 2;
				key[i] = (int)(rnd(&seed) % 2);
				snprintf(vals[i], sizeof vals[i], "%d", next_val++);
				ids[i] = inv2(&ha, &hb, i + 1, write[i] ? HIST_WRITE : HIST_READ,
					      key[i] ? "y" : "x", write[i] ? vals[i] : NULL, t + i);
			}
			for (int o = 0; o < k; o++) {
				int i = order[o];
				if (write[i])
					snprintf(reg[key[i]], sizeof reg[key[i]], "%s", vals[i]);
				else
					snprintf(seen[i], sizeof seen[i], "%s", reg[key[i]]);
			}
			for (int i = 0; i < k; i++) {
				int64_t d = t + 10 + (int64_t)(rnd(&seed) % 5);
				uint64_t r = rnd(&seed) % 20;
				if (write[i] && r == 0)
					done2(&ha, &hb, ids[i], d, OUT_UNKNOWN, NULL);
				else if (!write[i] && corrupt && r == 1 && step > 80)
					done2(&ha, &hb, ids[i], d, OUT_OK, "999999");
				else
					done2(&ha, &hb, ids[i], d, OUT_OK,
					      write[i] ? NULL : (seen[i][0] ? seen[i] : NULL));
			}
			t += rnd(&seed) % 2 ? 12 : 100;
			enum lin_verdict va = lin_check(ca, NULL), vb = lin_check(cb, NULL);
			assert_int_equal(va, vb);
			forgot += lin_forget(ca, &ha, 4);
		}
		struct sbuf ea = {0}, eb = {0};
		bool xa = lin_explain(ca, NULL, &ea), xb = lin_explain(cb, NULL, &eb);
		assert_int_equal(xa, xb);
		assert_string_equal(sbuf_str(&ea), sbuf_str(&eb));
		bad += xa;
		sbuf_free(&ea);
		sbuf_free(&eb);
		lin_free(ca);
		lin_free(cb);
		history_close(&ha);
		history_close(&hb);
	}
	assert_true(bad > 10);      /* both answers were exercised */
	assert_true(forgot > 5000); /* and the past was forgotten */
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void run(struct world *w, const char *cmd)
{
	struct sbuf err = {0};
	assert_int_not_equal(world_exec_line(w, cmd, &err), EXEC_ERROR);
	sbuf_free(&err);
}

/* An hour of raft with a workload, headless (no screen ticks the checker):
 * the world's history holds a bounded number of ops, and a stale read at
 * the end is still found and explained. */
static void test_world_history_bounded(void **state)
{
	(void)state;
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	run(w, "seed 3");
	run(w, "cluster raft 3 reads=readindex");
	run(w, "workload clients 3 rate 20/s keys 2");
	run(w, "run 3600s");
	struct history *h = world_history(w);
	assert_true(h->n > 60000);
	assert_true(history_held(h) < 40000);
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "expect linearizable", &err), EXEC_OK);
	sbuf_free(&err);
	struct hist_op op = {0};
	op.process = 99;
	op.f = HIST_READ;
	op.key = "x";
	op.invoked = sim_now(world_sim(w)) + SIM_MS;
	op.completed = op.invoked + SIM_MS;
	op.gave_up = HIST_NEVER;
	op.outcome = OUT_OK;
	op.result = "never-written";
	history_add(h, &op);
	assert_int_equal(lin_check(world_lin(w), NULL), LIN_VIOLATION);
	struct sbuf ex = {0};
	assert_true(lin_explain(world_lin(w), NULL, &ex));
	assert_non_null(strstr(sbuf_str(&ex), "never-written"));
	sbuf_free(&ex);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forget_keeps_indexes),
	    cmocka_unit_test(test_forget_changes_nothing),
	    cmocka_unit_test(test_world_history_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

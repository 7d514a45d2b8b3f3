/*
 * test_lin_fold.c — the live checker folds a proven prefix into the key's
 * state (lin.c, fold): a long session stays cheap, and the verdict is the
 * one-shot verdict. A violation after a long linearizable prefix is still
 * found and explained, with the operation that fixed the state; an unknown
 * put from before a fold may still take effect after it; and on random
 * concurrent histories, checked op by op while folding, the verdict always
 * equals the one-shot check's.
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

/* A long linearizable prefix on two keys: sequential puts and gets, one
 * client per key at a time, a few unknown puts whose values nobody reads. */
static int64_t prefix(struct history *h, struct lin_checker *c, int n)
{
	int64_t t = 1000;
	char v[32];
	for (int i = 0; i < n; i++) {
		const char *k = i % 2 ? "y" : "x";
		snprintf(v, sizeof v, "%d", i);
		uint32_t p = inv(h, 1, HIST_WRITE, k, v, t);
		history_complete(h, p, t + 10, OUT_OK, NULL, -1, NULL);
		uint32_t g = inv(h, 2, HIST_READ, k, NULL, t + 20);
		history_complete(h, g, t + 30, OUT_OK, v, -1, NULL);
		if (i % 97 == 0) {
			snprintf(v, sizeof v, "lost%d", i);
			uint32_t u = inv(h, 3, HIST_WRITE, k, v, t + 40);
			history_complete(h, u, t + 45, OUT_UNKNOWN, NULL, -1, "timed out");
		}
		t += 100;
		if (i % 50 == 0) {
			struct lin_budget b = {0, 0, 1};
			assert_int_equal(lin_check(c, &b), LIN_OK);
		}
	}
	return t;
}

static void test_violation_after_long_prefix(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	int64_t t = prefix(&h, c, 20000);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	struct lin_stats st;
	lin_get_stats(c, &st);
	assert_true(st.folded > 30000); /* most of the prefix was folded away */
	/* A stale read: x was 19998 (the last put on x), this get sees 4. */
	uint32_t g = inv(&h, 4, HIST_READ, "x", NULL, t);
	history_complete(&h, g, t + 10, OUT_OK, "4", -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	/* The one-shot check agrees (the unknown puts nobody read are dead
	 * writes to it, so its search stays small too). */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_VIOLATION);
	const uint32_t *ids;
	int n = lin_core(c, NULL, &ids);
	assert_true(n >= 2 && n <= 3);
	bool has_stale = false;
	for (int i = 0; i < n; i++)
		has_stale |= ids[i] == g;
	assert_true(has_stale);
	struct sbuf ex = {0};
	assert_true(lin_explain(c, NULL, &ex));
	assert_non_null(strstr(sbuf_str(&ex), "get x → 4 by c4"));
	assert_non_null(strstr(sbuf_str(&ex), "19998")); /* what fixed the state */
	sbuf_free(&ex);
	lin_free(c);
	history_close(&h);
}

static void test_unknown_put_survives_fold(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	/* An unknown put of "late", then a long prefix that never reads it. */
	uint32_t u = inv(&h, 9, HIST_WRITE, "x", "late", 10);
	history_complete(&h, u, 20, OUT_UNKNOWN, NULL, -1, "timed out");
	int64_t t = prefix(&h, c, 2000);
	struct lin_stats st;
	lin_get_stats(c, &st);
	assert_true(st.folded > 1000);
	/* It took effect just now: linearizable (it may, it was unknown). */
	uint32_t g = inv(&h, 4, HIST_READ, "x", NULL, t);
	history_complete(&h, g, t + 10, OUT_OK, "late", -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_OK);
	/* But not twice: "late", then the put after it, then "late" again. */
	uint32_t p = inv(&h, 1, HIST_WRITE, "x", "after", t + 20);
	history_complete(&h, p, t + 30, OUT_OK, NULL, -1, NULL);
	uint32_t g2 = inv(&h, 4, HIST_READ, "x", NULL, t + 40);
	history_complete(&h, g2, t + 50, OUT_OK, "late", -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_VIOLATION);
	lin_free(c);
	history_close(&h);
}

/* A fold point must be quiet: q (a read of 1) is not one while a put of 2
 * runs beside it, since the put may not come before the read. Folding there
 * would let the put come first and a later read of 1 pass. */
static void test_fold_needs_quiet_point(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	uint32_t p1 = inv(&h, 1, HIST_WRITE, "x", "1", 0);
	history_complete(&h, p1, 5, OUT_OK, NULL, -1, NULL);
	uint32_t q = inv(&h, 2, HIST_READ, "x", NULL, 10);
	history_complete(&h, q, 20, OUT_OK, "1", -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	uint32_t r = inv(&h, 3, HIST_WRITE, "x", "2", 15);
	history_complete(&h, r, 18, OUT_OK, NULL, -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_OK); /* put 1, get 1, put 2 */
	uint32_t g = inv(&h, 4, HIST_READ, "x", NULL, 30);
	history_complete(&h, g, 40, OUT_OK, "1", -1, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_VIOLATION);
	lin_free(c);
	history_close(&h);
}

/* xorshift, for the random histories */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random concurrent histories of one register: 3 clients, each op takes
 * effect at a random instant inside its interval on a real register (so
 * the history is linearizable), some reads corrupted, some ops unknown or
 * failed, quiet gaps now and then (fold points). Checked op by op with
 * folding, and in one shot: the verdicts agree. */
static void test_fold_agrees_with_one_shot(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int bad = 0, folded_runs = 0;
	for (int run = 0; run < 300; run++) {
		struct history h;
		history_init(&h);
		struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
		char reg[32] = "";
		int64_t t = 0;
		int next_val = 1;
		bool corrupt = run % 3 == 0;
		for (int step = 0; step < 60; step++) {
			/* 1 to 3 concurrent ops invoked at t.. t+2, taking effect in
			 * a random order, completing after all took effect. */
			int k = 1 + (int)(rnd(&seed) % 3);
			uint32_t ids[3];
			int order[3] = {0, 1, 2};
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
				snprintf(vals[i], sizeof vals[i], "%d", next_val++);
				ids[i] = inv(&h, i + 1, write[i] ? HIST_WRITE : HIST_READ, "x",
					     write[i] ? vals[i] : NULL, t + i);
			}
			/* Checked while they run, too: a fold must not assume what
			 * a pending read will see. */
			if (rnd(&seed) % 2)
				lin_check(c, NULL);
			for (int o = 0; o < k; o++) {
				int i = order[o];
				if (write[i])
					snprintf(reg, sizeof reg, "%s", vals[i]);
				else
					snprintf(seen[i], sizeof seen[i], "%s", reg);
			}
			for (int i = 0; i < k; i++) {
				int64_t done = t + 10 + (int64_t)(rnd(&seed) % 5);
				uint64_t r = rnd(&seed) % 20;
				if (write[i] && r == 0)
					history_complete(&h, ids[i], done, OUT_UNKNOWN, NULL, -1,
							 NULL);
				else if (!write[i] && corrupt && r == 1 && step > 40)
					history_complete(&h, ids[i], done, OUT_OK, "999999", -1,
							 NULL);
				else
					history_complete(&h, ids[i], done, OUT_OK,
							 write[i] ? NULL
								  : (seen[i][0] ? seen[i] : NULL),
							 -1, NULL);
			}
			/* Sometimes overlap the next group, sometimes a quiet gap. */
			t += rnd(&seed) % 2 ? 12 : 100;
			lin_check(c, NULL);
		}
		enum lin_verdict live = lin_check(c, NULL);
		enum lin_verdict once = lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL);
		if (live != once)
			fprintf(stderr, "run %d: live %d, one shot %d\n", run, live, once);
		assert_int_equal(live, once);
		bad += once == LIN_VIOLATION;
		struct lin_stats st;
		lin_get_stats(c, &st);
		folded_runs += st.folded > 0;
		lin_free(c);
		history_close(&h);
	}
	assert_true(bad > 10);          /* both answers were exercised */
	assert_true(folded_runs > 100); /* and folding happened */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_violation_after_long_prefix),
	    cmocka_unit_test(test_unknown_put_survives_fold),
	    cmocka_unit_test(test_fold_needs_quiet_point),
	    cmocka_unit_test(test_fold_agrees_with_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

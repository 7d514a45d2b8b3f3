/*
 * test_lin.c — the linearizability checker on histories built by hand: the
 * models' steps, the search, unknown outcomes, the etcd/Knossos rules, the
 * budget, per-key interleaving, incremental use and explanations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/lin.h"
#include "check/lin_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------ */

static uint32_t inv(struct history *h, int proc, enum hist_fn f, const char *key, const char *a,
		    const char *b, int64_t t)
{
	struct hist_op op = {0};
	op.process = proc;
	op.node = 0;
	op.f = f;
	op.key = key;
	op.arg = a;
	op.arg2 = b;
	op.invoked = t;
	op.completed = HIST_NEVER;
	op.gave_up = HIST_NEVER;
	op.outcome = OUT_PENDING;
	return history_add(h, &op);
}

static void ok(struct history *h, uint32_t id, int64_t t, const char *result)
{
	history_complete(h, id, t, OUT_OK, result, -1, NULL);
}

static enum lin_verdict check(const struct history *h, enum lin_model m)
{
	return lin_check_history(h, m, NULL, NULL, NULL);
}

/* ---- model steps -------------------------------------------------------------- */

static void test_steps(void **state)
{
	(void)state;
	struct lvals v;
	lvals_init(&v);
	uint32_t one = lvals_str(&v, "1"), two = lvals_str(&v, "2"), next;
	assert_int_equal(lvals_str(&v, "1"), one); /* interned */
	assert_int_equal(lvals_str(&v, NULL), LV_ABSENT);

	struct lop rd = {.kind = LOP_READ, .a = one};
	assert_true(lop_step(&v, NULL, one, &rd, &next));
	assert_int_equal(next, one);
	assert_false(lop_step(&v, NULL, two, &rd, &next));
	rd.a = LV_ANY;
	assert_true(lop_step(&v, NULL, two, &rd, &next));

	struct lop wr = {.kind = LOP_WRITE, .a = two};
	assert_true(lop_step(&v, NULL, LV_ABSENT, &wr, &next));
	assert_int_equal(next, two);

	struct lop cas = {.kind = LOP_CAS, .a = one, .b = two};
	assert_true(lop_step(&v, NULL, one, &cas, &next));
	assert_int_equal(next, two);
	assert_false(lop_step(&v, NULL, two, &cas, &next));

	struct lop notcas = {.kind = LOP_NOTCAS, .a = one};
	assert_false(lop_step(&v, NULL, one, &notcas, &next));
	assert_true(lop_step(&v, NULL, two, &notcas, &next));
	assert_int_equal(next, two);

	/* Appends: equal strings are equal states, however they were built. */
	uint32_t ab = lvals_str(&v, "ab"), a = lvals_str(&v, "a"), b = lvals_str(&v, "b");
	uint32_t empty = lvals_str(&v, "");
	struct lop apa = {.kind = LOP_APPEND, .a = a}, apb = {.kind = LOP_APPEND, .a = b};
	uint32_t s1, s2;
	assert_true(lop_step(&v, NULL, empty, &apa, &s1));
	assert_int_equal(s1, a);
	assert_true(lop_step(&v, NULL, s1, &apb, &s2));
	assert_int_equal(s2, ab);
	assert_true(lop_step(&v, NULL, LV_ABSENT, &apa, &s1)); /* absent reads as "" */
	assert_int_equal(s1, a);
	size_t len;
	assert_string_equal(lvals_bytes(&v, s2, &len), "ab");
	assert_int_equal(len, 2);
	lvals_free(&v);
}

/* ---- the search ---------------------------------------------------------------- */

/* A write, then a read that started after it completed, seeing the old
 * value: the classic stale read. */
static void test_stale_read(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "1", NULL, 100), 200, NULL);
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 300), 400, NULL); /* absent */
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	assert_int_equal(check(&h, LIN_MODEL_REGISTER), LIN_VIOLATION);
	history_close(&h);

	/* The same read concurrent with the write may go first. */
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "1", NULL, 100), 300, NULL);
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 200), 400, NULL);
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	history_close(&h);

	/* Touching intervals (one ends when the other starts) are concurrent. */
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "1", NULL, 100), 200, NULL);
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 200), 300, NULL);
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	history_close(&h);
}

/* Needs backtracking: two concurrent writes and reads that fix their order. */
static void test_backtracking(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	uint32_t w1 = inv(&h, 1, HIST_WRITE, NULL, "1", NULL, 0);
	uint32_t w2 = inv(&h, 2, HIST_WRITE, NULL, "2", NULL, 1);
	ok(&h, w1, 10, NULL);
	ok(&h, w2, 11, NULL);
	ok(&h, inv(&h, 3, HIST_READ, NULL, NULL, NULL, 20), 21, "1"); /* so w2 came first */
	ok(&h, inv(&h, 3, HIST_READ, NULL, NULL, NULL, 22), 23, "1");
	assert_int_equal(check(&h, LIN_MODEL_REGISTER), LIN_OK);
	ok(&h, inv(&h, 4, HIST_READ, NULL, NULL, NULL, 24), 25, "2"); /* flips back: illegal */
	assert_int_equal(check(&h, LIN_MODEL_REGISTER), LIN_VIOLATION);
	history_close(&h);
}

/* An unknown write may take effect at any time after its invocation, or
 * never; a failed one did not happen. */
static void test_unknown_outcomes(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	uint32_t w = inv(&h, 1, HIST_WRITE, "x", "1", NULL, 0);
	history_complete(&h, w, 50, OUT_UNKNOWN, NULL, -1, "timed out");
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 100), 110, NULL); /* not yet */
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 200), 210, "1");  /* now */
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	/* But once seen, it cannot be unseen. */
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 300), 310, NULL);
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	history_close(&h);

	/* Never happening is fine too. */
	history_init(&h);
	w = inv(&h, 1, HIST_WRITE, "x", "1", NULL, 0);
	history_complete(&h, w, 50, OUT_UNKNOWN, NULL, -1, NULL);
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 100), 110, NULL);
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	/* A read seeing a value before the write was invoked is illegal. */
	ok(&h, inv(&h, 3, HIST_WRITE, "y", "7", NULL, 500), 510, NULL);
	ok(&h, inv(&h, 4, HIST_READ, "y", NULL, NULL, 400), 450, "7");
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	history_close(&h);

	/* A failed write did not happen: reading its value is illegal. */
	history_init(&h);
	w = inv(&h, 1, HIST_WRITE, "x", "1", NULL, 0);
	history_complete(&h, w, 50, OUT_FAIL, NULL, -1, "refused");
	ok(&h, inv(&h, 2, HIST_READ, "x", NULL, NULL, 20), 110, "1");
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	history_close(&h);
}

/* Porcupine's etcd model: a failed cas observed that the register did not
 * hold the expected value; Knossos drops it. Knossos reads of nil match
 * anything; etcd's read absent. */
static void test_etcd_vs_knossos(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, NULL, "1", NULL, 0), 1, NULL);
	uint32_t c = inv(&h, 2, HIST_CAS, NULL, "1", "2", 2);
	history_complete(&h, c, 3, OUT_FAIL, NULL, -1, NULL);
	assert_int_equal(check(&h, LIN_MODEL_ETCD), LIN_VIOLATION);
	assert_int_equal(check(&h, LIN_MODEL_CAS_REGISTER), LIN_OK);
	history_close(&h);

	history_init(&h);
	ok(&h, inv(&h, 1, HIST_READ, NULL, NULL, NULL, 0), 1, NULL); /* nil */
	assert_int_equal(check(&h, LIN_MODEL_ETCD), LIN_OK);         /* absent */
	ok(&h, inv(&h, 1, HIST_WRITE, NULL, "3", NULL, 2), 3, NULL);
	ok(&h, inv(&h, 1, HIST_READ, NULL, NULL, NULL, 4), 5, NULL);
	assert_int_equal(check(&h, LIN_MODEL_ETCD), LIN_VIOLATION);
	assert_int_equal(check(&h, LIN_MODEL_CAS_REGISTER), LIN_OK); /* nil: any */
	ok(&h, inv(&h, 1, HIST_READ, NULL, NULL, NULL, 6), 7, "0");
	assert_int_equal(check(&h, LIN_MODEL_CAS_REGISTER), LIN_VIOLATION);
	history_close(&h);

	/* Knossos' register starts at 0. */
	history_init(&h);
	c = inv(&h, 1, HIST_CAS, NULL, "0", "5", 0);
	ok(&h, c, 1, NULL);
	assert_int_equal(check(&h, LIN_MODEL_CAS_REGISTER), LIN_OK);
	assert_int_equal(check(&h, LIN_MODEL_ETCD), LIN_VIOLATION);
	history_close(&h);
}

static void test_kv_append_and_keys(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_APPEND, "a", "x;", NULL, 0), 10, NULL);
	ok(&h, inv(&h, 2, HIST_APPEND, "a", "y;", NULL, 5), 15, NULL);
	ok(&h, inv(&h, 3, HIST_READ, "a", NULL, NULL, 20), 30, "y;x;");
	ok(&h, inv(&h, 3, HIST_READ, "b", NULL, NULL, 40), 50, ""); /* "" = absent */
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	/* Keys are separate objects: a write to b does not make a read of a
	 * legal, and the register model (one object) sees it differently. */
	ok(&h, inv(&h, 4, HIST_WRITE, "b", "q", NULL, 60), 70, NULL);
	ok(&h, inv(&h, 4, HIST_READ, "b", NULL, NULL, 80), 90, "q");
	ok(&h, inv(&h, 4, HIST_READ, "a", NULL, NULL, 100), 110, "y;x;");
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	assert_int_equal(check(&h, LIN_MODEL_REGISTER), LIN_VIOLATION);
	ok(&h, inv(&h, 4, HIST_READ, "a", NULL, NULL, 120), 130, "x;y;");
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	history_close(&h);
}

static void test_cas_and_mutex(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "1", NULL, 0), 10, NULL);
	ok(&h, inv(&h, 2, HIST_CAS, "x", "1", "2", 20), 30, NULL);
	ok(&h, inv(&h, 3, HIST_CAS, "x", "2", "3", 25), 35, NULL); /* after the first */
	ok(&h, inv(&h, 1, HIST_READ, "x", NULL, NULL, 40), 50, "3");
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_OK);
	uint32_t c = inv(&h, 2, HIST_CAS, "x", "1", "9", 60);
	ok(&h, c, 70, NULL); /* x is 3, not 1 */
	assert_int_equal(check(&h, LIN_MODEL_KV), LIN_VIOLATION);
	history_close(&h);

	history_init(&h);
	ok(&h, inv(&h, 1, HIST_ACQUIRE, NULL, NULL, NULL, 0), 10, NULL);
	ok(&h, inv(&h, 2, HIST_ACQUIRE, NULL, NULL, NULL, 5), 30, NULL); /* after a release? */
	assert_int_equal(check(&h, LIN_MODEL_MUTEX), LIN_VIOLATION);
	ok(&h, inv(&h, 1, HIST_RELEASE, NULL, NULL, NULL, 12), 20, NULL);
	assert_int_equal(check(&h, LIN_MODEL_MUTEX), LIN_OK);
	history_close(&h);
}

/* Transactions over two registers (Knossos' multi-register). */
static void test_multi_register(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	struct hist_mop wr[2] = {{true, "x", "1"}, {true, "y", "1"}};
	struct hist_mop rd[2] = {{false, "x", "1"}, {false, "y", "0"}};
	uint32_t t = inv(&h, 1, HIST_TXN, NULL, NULL, NULL, 0);
	history_set_mops(&h, t, wr, 2);
	ok(&h, t, 10, NULL);
	t = inv(&h, 2, HIST_TXN, NULL, NULL, NULL, 20);
	history_set_mops(&h, t, rd, 2);
	ok(&h, t, 30, NULL);
	/* The transaction is atomic: x=1 with y=0 cannot be seen. */
	assert_int_equal(check(&h, LIN_MODEL_MULTI_REGISTER), LIN_VIOLATION);
	rd[1].val = "1";
	history_set_mops(&h, t, rd, 2);
	assert_int_equal(check(&h, LIN_MODEL_MULTI_REGISTER), LIN_OK);
	history_close(&h);
}

/* ---- budget and interleaving ---------------------------------------------------- */

/* A key that is expensive to search: many concurrent unknown writes of
 * distinct values, and reads that cannot be explained. */
static void add_hard_key(struct history *h, const char *key, int n)
{
	char v[16];
	for (int i = 0; i < n; i++) {
		ns_snprintf(v, sizeof v, "%d", i);
		uint32_t w = inv(h, 100 + i, HIST_APPEND, key, v, NULL, i);
		ok(h, w, 1000 + i, NULL);
	}
	/* Reads that fix no order but many prefixes: each sees a long state. */
	ok(h, inv(h, 999, HIST_READ, key, NULL, NULL, 2000), 2001, "nope");
}

static void test_budget_unknown(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	add_hard_key(&h, "hard", 40);
	struct lin_budget b = {.max_steps = 20000};
	struct lin_stats st;
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, &b, NULL, &st), LIN_UNKNOWN);
	assert_true(st.steps <= 20000 + 16384);
	/* A time budget too. */
	struct lin_budget t = {.max_seconds = 0.01};
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, &t, NULL, NULL), LIN_UNKNOWN);
	history_close(&h);
}

static void test_hard_key_does_not_hide_easy_violation(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	add_hard_key(&h, "a-hard", 40); /* searched first */
	struct lin_budget b = {.max_steps = 200000};
	/* Alone, the hard key does not finish within the budget... */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, &b, NULL, NULL), LIN_UNKNOWN);
	/* ...and it does not hide a violation on another key. */
	ok(&h, inv(&h, 1, HIST_WRITE, "z-easy", "1", NULL, 5000), 5010, NULL);
	ok(&h, inv(&h, 2, HIST_READ, "z-easy", NULL, NULL, 5020), 5030, "0");
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, &b, NULL, NULL), LIN_VIOLATION);
	b.threads = 2; /* the same on two threads, easy key or not */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, &b, NULL, NULL), LIN_VIOLATION);
	history_close(&h);
}

/* ---- incremental use ---------------------------------------------------------- */

static void test_incremental(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	assert_int_equal(lin_check(c, NULL), LIN_OK); /* empty */

	uint32_t w = inv(&h, 1, HIST_WRITE, "x", "1", NULL, 100);
	assert_int_equal(lin_check(c, NULL), LIN_OK); /* pending: may or may not */
	ok(&h, w, 200, NULL);
	uint32_t r = inv(&h, 2, HIST_READ, "x", NULL, NULL, 300);
	uint32_t w2 = inv(&h, 3, HIST_WRITE, "y", "5", NULL, 300);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	ok(&h, r, 400, "1");
	ok(&h, w2, 400, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	struct lin_stats st;
	lin_get_stats(c, &st);
	assert_true(st.witness_hits >= 2); /* settled without searching again */
	assert_int_equal(st.nkeys, 2);

	/* A stale read on x: x turns bad, y stays good. */
	uint32_t stale = inv(&h, 2, HIST_READ, "x", NULL, NULL, 500);
	ok(&h, stale, 600, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	for (int i = 0; i < lin_nkeys(c); i++) {
		const char *k = lin_key(c, i);
		assert_int_equal(lin_key_verdict(c, i), !strcmp(k, "x") ? LIN_VIOLATION : LIN_OK);
	}
	/* It stays a violation whatever comes next. */
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "absent?", NULL, 700), 800, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	const uint32_t *ids;
	int n = lin_core(c, NULL, &ids);
	/* {put x=1, the stale get} or {get x → 1, the stale get}: both prove it. */
	assert_int_equal(n, 2);
	assert_true(ids[0] == w || ids[0] == r);
	assert_int_equal(ids[1], stale);
	/* Cleared and refilled beyond its old length: the checker starts over. */
	history_clear(&h);
	for (int i = 0; i < 12; i++)
		ok(&h, inv(&h, 1, HIST_WRITE, i % 2 ? "a" : "b", "v", NULL, 1000 + 10 * i),
		   1005 + 10 * i, NULL);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	assert_int_equal(lin_nkeys(c), 2);
	lin_free(c);
	history_close(&h);
}

/* The incremental verdict equals the one-shot verdict at every prefix of
 * random histories (registers with writes, cas and unknowns; appends), and
 * the shortcuts (witness re-validation, pinned re-searches) are taken. */
static void random_incremental(enum lin_model m, uint64_t seed, uint64_t *hits, uint64_t *pinned)
{
	struct rng r;
	rng_seed(&r, seed);
	for (int round = 0; round < 40; round++) {
		struct history h;
		history_init(&h);
		struct lin_checker *c = lin_new(&h, m);
		uint32_t open[4];
		bool busy[4] = {false};
		int64_t t = 0;
		int nvals = 2 + round % 3;
		for (int step = 0; step < 60; step++) {
			t += (int64_t)rng_range(&r, 1, 10);
			int p = (int)rng_below(&r, 4);
			char v[8], v2[8];
			ns_snprintf(v, sizeof v, "%d", (int)rng_below(&r, (uint64_t)nvals));
			ns_snprintf(v2, sizeof v2, "%d", (int)rng_below(&r, (uint64_t)nvals));
			if (!busy[p]) {
				int kind = (int)rng_below(&r, 4);
				enum hist_fn f = kind <= 1           ? HIST_READ
						 : kind == 2         ? HIST_WRITE
						 : m == LIN_MODEL_KV ? HIST_APPEND
								     : HIST_CAS;
				open[p] = inv(&h, p, f, "k", f == HIST_READ ? NULL : v,
					      f == HIST_CAS ? v2 : NULL, t);
				busy[p] = true;
			} else {
				int out = (int)rng_below(&r, 12);
				const char *res = v;
				if (h.ops[open[p]].f == HIST_READ && m == LIN_MODEL_KV) {
					/* Read what a sequential replay would say, mostly. */
					res = rng_below(&r, 4) ? NULL : v;
				}
				history_complete(&h, open[p], t,
						 out == 0   ? OUT_UNKNOWN
						 : out == 1 ? OUT_FAIL
							    : OUT_OK,
						 res, -1, NULL);
				busy[p] = false;
			}
			enum lin_verdict live = lin_check(c, NULL);
			enum lin_verdict once = check(&h, m);
			assert_int_equal(live, once);
		}
		struct lin_stats st;
		lin_get_stats(c, &st);
		*hits += st.witness_hits;
		*pinned += st.pinned;
		lin_free(c);
		history_close(&h);
	}
}

static void test_incremental_matches_oneshot(void **state)
{
	(void)state;
	uint64_t hits = 0, pinned = 0;
	random_incremental(LIN_MODEL_REGISTER, 7, &hits, &pinned);
	random_incremental(LIN_MODEL_ETCD, 8, &hits, &pinned);
	random_incremental(LIN_MODEL_CAS_REGISTER, 9, &hits, &pinned);
	random_incremental(LIN_MODEL_KV, 10, &hits, &pinned);
	print_message("witness hits %llu, pinned re-searches %llu\n", (unsigned long long)hits,
		      (unsigned long long)pinned);
	assert_true(hits > 100);
	assert_true(pinned > 10);
}

/* ---- explanations --------------------------------------------------------------- */

static void test_explain(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	/* Noise, then the violation, then more noise. */
	for (int i = 0; i < 20; i++) {
		char v[8];
		ns_snprintf(v, sizeof v, "%d", i);
		ok(&h, inv(&h, 3, HIST_WRITE, "x", v, NULL, i * 10), i * 10 + 5, NULL);
		ok(&h, inv(&h, 4, HIST_READ, "x", NULL, NULL, i * 10 + 6), i * 10 + 8, v);
	}
	uint32_t put = inv(&h, 1, HIST_WRITE, "x", "new", NULL, 1100000);
	history_complete(&h, put, 1205000, OUT_OK, NULL, 0, NULL);
	uint32_t get = inv(&h, 2, HIST_READ, "x", NULL, NULL, 1310000);
	history_complete(&h, get, 1400000, OUT_OK, "19", 1, NULL);
	for (int i = 0; i < 5; i++)
		ok(&h, inv(&h, 3, HIST_READ, "x", NULL, NULL, 2000000 + i * 10), 2000005 + i * 10,
		   "new");
	struct sbuf out = {0};
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, &out, NULL), LIN_VIOLATION);
	const char *s = sbuf_str(&out);
	assert_non_null(strstr(s, "key x"));
	assert_non_null(strstr(s, "get x → 19 by c2 started at 1.310s, after put x=new by c1 had "
				  "completed at 1.205s through n1"));
	/* The core: the put, the get, and the last write of 19. */
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	const uint32_t *ids;
	int n = lin_core(c, NULL, &ids);
	assert_true(n >= 2 && n <= 3);
	bool has_put = false, has_get = false;
	for (int i = 0; i < n; i++) {
		has_put |= ids[i] == put;
		has_get |= ids[i] == get;
	}
	assert_true(has_put && has_get);
	lin_free(c);
	sbuf_free(&out);
	history_close(&h);
}

/* The core is a proof: it never relies on an unknown op not happening.
 * Here put x=2 timed out; a get saw 2, then a later get saw 1 again. The
 * two gets together are impossible; the first alone is not (the put of 2
 * may have happened). */
static void test_core_keeps_unknowns_possible(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	ok(&h, inv(&h, 1, HIST_WRITE, "x", "1", NULL, 0), 10, NULL);
	uint32_t w2 = inv(&h, 2, HIST_WRITE, "x", "2", NULL, 5);
	history_complete(&h, w2, 100, OUT_UNKNOWN, NULL, -1, "timed out");
	uint32_t g2 = inv(&h, 3, HIST_READ, "x", NULL, NULL, 20);
	ok(&h, g2, 30, "2");
	uint32_t g1 = inv(&h, 3, HIST_READ, "x", NULL, NULL, 40);
	ok(&h, g1, 50, "1");
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	const uint32_t *ids;
	int n = lin_core(c, NULL, &ids);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], g2);
	assert_int_equal(ids[1], g1);
	lin_free(c);
	history_close(&h);
}

/* ---- against brute force ------------------------------------------------------- */

/* An independent, exhaustive checker for tiny histories: tries every order
 * (and, for unknown ops, taking effect or not), with the model's rules
 * written out again here, from the spec in lin.h. */
struct bf {
	const struct history *h;
	enum lin_model m;
	bool used[16];
	bool relaxed[16]; /* may take effect within its interval, or not at all */
};

/* A state: a string, or absent (kv: absent is ""). */
struct bfst {
	bool absent;
	char s[96];
};

static bool st_is(const struct bf *b, const struct bfst *st, const char *v)
{
	if (b->m == LIN_MODEL_KV) /* absent reads as "" */
		return !strcmp(st->absent ? "" : st->s, v ? v : "");
	if (!v)
		return st->absent;
	return !st->absent && !strcmp(st->s, v);
}

static void st_set(struct bfst *st, const char *v)
{
	st->absent = !v;
	ns_strlcpy(st->s, v ? v : "", sizeof st->s);
}

/* Whether op o counts at all, and whether it must take effect. */
static bool bf_counts(const struct bf *b, const struct hist_op *o, bool *required)
{
	if (b->relaxed[o->id]) {
		*required = false;
		return o->f != HIST_READ && !(o->outcome == OUT_FAIL && o->f == HIST_CAS);
	}
	*required = o->outcome == OUT_OK;
	if (o->outcome == OUT_FAIL) {
		/* etcd: an observation, made within the op's interval */
		*required = true;
		return b->m == LIN_MODEL_ETCD && o->f == HIST_CAS;
	}
	if (o->f == HIST_READ && o->outcome != OUT_OK)
		return false;
	if (o->f == HIST_READ && !o->result && b->m == LIN_MODEL_CAS_REGISTER)
		return false;
	return true;
}

static bool bf_step(const struct bf *b, const struct hist_op *o, struct bfst *st)
{
	switch (o->f) {
	case HIST_READ: return st_is(b, st, o->result);
	case HIST_WRITE: st_set(st, o->arg); return true;
	case HIST_APPEND: {
		char buf[96];
		ns_snprintf(buf, sizeof buf, "%s%s", st->absent ? "" : st->s, o->arg);
		st_set(st, buf);
		return true;
	}
	case HIST_CAS:
		if (o->outcome == OUT_FAIL) /* etcd: saw something else */
			return !st_is(b, st, o->arg);
		if (!st_is(b, st, o->arg))
			return false;
		st_set(st, o->arg2);
		return true;
	default: return false;
	}
}

static bool bf_search(struct bf *b, struct bfst st)
{
	const struct history *h = b->h;
	bool left = false;
	for (size_t i = 0; i < h->n; i++) {
		bool req;
		if (!b->used[i] && bf_counts(b, &h->ops[i], &req) && req)
			left = true;
	}
	if (!left)
		return true;
	for (size_t i = 0; i < h->n; i++) {
		bool req;
		const struct hist_op *x = &h->ops[i];
		if (b->used[i] || !bf_counts(b, x, &req))
			continue;
		/* Every required op that completed before x began must come first. */
		bool blocked = false;
		for (size_t j = 0; j < h->n && !blocked; j++) {
			bool rj;
			const struct hist_op *y = &h->ops[j];
			if (j != i && !b->used[j] && bf_counts(b, y, &rj) && rj &&
			    y->completed < x->invoked)
				blocked = true;
		}
		struct bfst ns = st;
		if (blocked || !bf_step(b, x, &ns))
			continue;
		/* Optional ops whose interval ended before x began can no longer
		 * take effect once x has. */
		bool expired[16] = {false};
		for (size_t j = 0; j < h->n; j++) {
			if (!b->used[j] && j != i && h->ops[j].completed < x->invoked) {
				expired[j] = true;
				b->used[j] = true;
			}
		}
		b->used[i] = true;
		bool ok = bf_search(b, ns);
		b->used[i] = false;
		for (size_t j = 0; j < h->n; j++)
			if (expired[j])
				b->used[j] = false;
		if (ok)
			return true;
	}
	return false;
}

static void test_against_brute_force(void **state)
{
	(void)state;
	static const char *const vals[] = {"0", "1", "2"};
	enum lin_model models[] = {LIN_MODEL_REGISTER, LIN_MODEL_ETCD, LIN_MODEL_CAS_REGISTER,
				   LIN_MODEL_KV};
	struct rng r;
	rng_seed(&r, 2024);
	int seen[2] = {0, 0};
	for (int round = 0; round < 4000; round++) {
		enum lin_model m = models[round % 4];
		struct history h;
		history_init(&h);
		int n = 2 + (int)rng_below(&r, 7);
		for (int i = 0; i < n; i++) {
			int64_t a = (int64_t)rng_below(&r, 20), d = (int64_t)rng_below(&r, 8);
			int kind = (int)rng_below(&r, 3);
			const char *v = vals[rng_below(&r, 3)], *v2 = vals[rng_below(&r, 3)];
			enum hist_fn f = kind == 0                               ? HIST_READ
					 : kind == 1                             ? HIST_WRITE
					 : m == LIN_MODEL_KV && rng_below(&r, 2) ? HIST_APPEND
										 : HIST_CAS;
			uint32_t id = inv(&h, i, f, NULL, f == HIST_READ ? NULL : v,
					  f == HIST_CAS ? v2 : NULL, a);
			int out = (int)rng_below(&r, 10);
			/* kv reads see appended strings too, now and then */
			const char *res = rng_below(&r, 4) ? v : NULL;
			if (m == LIN_MODEL_KV && f == HIST_READ && rng_below(&r, 3) == 0)
				res = rng_below(&r, 2) ? "01" : "10";
			history_complete(&h, id, a + d,
					 out < 7   ? OUT_OK
					 : out < 9 ? OUT_FAIL
						   : OUT_UNKNOWN,
					 res, -1, NULL);
		}
		struct bf b = {&h, m, {false}, {false}};
		struct bfst init;
		st_set(&init, m == LIN_MODEL_CAS_REGISTER ? "0" : NULL);
		bool want = bf_search(&b, init);
		enum lin_verdict got = check(&h, m);
		if (got != (want ? LIN_OK : LIN_VIOLATION)) {
			struct sbuf d = {0};
			for (size_t i = 0; i < h.n; i++) {
				history_describe_op(&h, &h.ops[i], &d);
				sbuf_putc(&d, '\n');
			}
			print_error("model %s, round %d: brute force %d, checker %s\n%s",
				    lin_model_name(m), round, want, lin_verdict_name(got),
				    sbuf_str(&d));
			sbuf_free(&d);
		}
		assert_int_equal(got, want ? LIN_OK : LIN_VIOLATION);
		seen[want]++;
		if (!want) {
			/* The core is a proof: with every other op relaxed, still
			 * nothing works. */
			struct lin_checker *c = lin_new(&h, m);
			assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
			const uint32_t *ids;
			int nc = lin_core(c, NULL, &ids);
			assert_true(nc >= 1);
			struct bf rb = {&h, m, {false}, {false}};
			for (size_t i = 0; i < h.n; i++) {
				bool req; /* only what must take effect can be relaxed */
				rb.relaxed[i] = bf_counts(&b, &h.ops[i], &req) && req;
			}
			for (int k = 0; k < nc; k++)
				rb.relaxed[ids[k]] = false;
			assert_false(bf_search(&rb, init));
			lin_free(c);
		}
		history_close(&h);
	}
	assert_true(seen[0] > 300 && seen[1] > 300); /* both verdicts exercised */
}

static void test_names(void **state)
{
	(void)state;
	enum lin_model m;
	for (int i = LIN_MODEL_KV; i <= LIN_MODEL_MUTEX; i++) {
		assert_true(lin_model_parse(lin_model_name((enum lin_model)i), &m));
		assert_int_equal(m, i);
	}
	assert_false(lin_model_parse("nope", &m));
	assert_string_equal(lin_verdict_name(LIN_VIOLATION), "not linearizable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steps),
	    cmocka_unit_test(test_stale_read),
	    cmocka_unit_test(test_backtracking),
	    cmocka_unit_test(test_unknown_outcomes),
	    cmocka_unit_test(test_etcd_vs_knossos),
	    cmocka_unit_test(test_kv_append_and_keys),
	    cmocka_unit_test(test_cas_and_mutex),
	    cmocka_unit_test(test_multi_register),
	    cmocka_unit_test(test_budget_unknown),
	    cmocka_unit_test(test_hard_key_does_not_hide_easy_violation),
	    cmocka_unit_test(test_incremental),
	    cmocka_unit_test(test_incremental_matches_oneshot),
	    cmocka_unit_test(test_against_brute_force),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_core_keeps_unknowns_possible),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

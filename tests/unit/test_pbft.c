/*
 * test_pbft.c — PBFT (src/proto/pbft*.c) where a scenario cannot say it:
 * the quorum rule against f and N, request signatures and digests, the
 * client's f+1 matching replies (a lone traitor's forged reply is never
 * believed), many seeds of an equivocating primary within the bound
 * (never a divergence, always a linearizable history), and the checker
 * calling a divergence beyond the bound an observation, not a violation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/invariants.h"
#include "check/lin.h"
#include "proto/pbft.h"
#include "proto/proto.h"

#include <stdlib.h>
#include <string.h>

static void test_quorums(void **state)
{
	(void)state;
	/* N = 3f+1: the paper's 2f+1. */
	assert_int_equal(pbft_q_of(4, 1), 3);
	assert_int_equal(pbft_q_of(7, 2), 5);
	assert_int_equal(pbft_q_of(10, 3), 7);
	/* f = 0: a majority (any two share one correct replica). */
	assert_int_equal(pbft_q_of(1, 0), 1);
	assert_int_equal(pbft_q_of(3, 0), 2);
	/* Beyond the bound: capped at N-f, two quorums share f or fewer. */
	assert_int_equal(pbft_q_of(3, 1), 2);
	for (int n = 1; n <= 40; n++)
		for (int f = 0; 3 * f + 1 <= n; f++) {
			int q = pbft_q_of(n, f);
			assert_true(q <= n - f);         /* live with f silent */
			assert_true(2 * q - n >= f + 1); /* safe: a correct replica in common */
		}
	struct proto_opts o;
	proto_opts_default(&pbft_ops, &o);
	assert_int_equal(pbft_f_of(&o, 4), 1);
	assert_int_equal(pbft_f_of(&o, 6), 1);
	assert_int_equal(pbft_f_of(&o, 7), 2);
}

static void test_signatures(void **state)
{
	(void)state;
	struct pbft_req r;
	memset(&r, 0, sizeof r);
	r.client = 1;
	r.seq = 3;
	r.op.fn = KV_PUT;
	strcpy(r.op.key, "x");
	strcpy(r.op.arg, "1");
	r.sig = pbft_sign(&r);
	assert_true(pbft_sig_ok(&r));
	uint64_t d = pbft_digest(&r);
	struct pbft_req l = r;
	strcpy(l.op.arg, "2"); /* a traitor changes the content */
	assert_false(pbft_sig_ok(&l));
	assert_true(pbft_digest(&l) != d);
	char t[48];
	pbft_req_fmt(&r, t, sizeof t);
	assert_string_equal(t, "put x 1");
	memset(&r, 0, sizeof r);
	pbft_req_fmt(&r, t, sizeof t);
	assert_string_equal(t, "null");
}

static struct kv_op op(enum kv_fn fn, const char *k, const char *v)
{
	struct kv_op o;
	memset(&o, 0, sizeof o);
	o.fn = fn;
	strcpy(o.key, k);
	if (v)
		strcpy(o.arg, v);
	return o;
}

struct rec {
	struct history h;
	int ok_get;
	char last_get[KV_VAL_MAX];
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct rec *r = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->op.fn == KV_GET && ev->op->outcome == OUT_OK) {
		r->ok_get++;
		strcpy(r->last_get, ev->op->result);
	}
}

/* A lying traitor's replies to a get are forged; the client waits for
 * f+1 = 2 matching ones, so it reads what the correct replicas hold. */
static void test_client_needs_matching_replies(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim *s = sim_new(&pbft_ops, NULL, 4, seed);
		struct rec *r = calloc(1, sizeof *r);
		history_init(&r->h);
		history_attach(&r->h, s);
		sim_observe(s, on_trace, r);
		assert_true(sim_set_byzantine(s, 1, BYZ_LIE));
		struct kv_op p = op(KV_PUT, "x", "7");
		sim_client_invoke(s, 1, 0, &p);
		sim_run_until(s, 2 * SIM_S);
		struct kv_op g = op(KV_GET, "x", NULL);
		sim_client_invoke(s, 1, 1, &g); /* asked at the traitor first */
		sim_run_until(s, 5 * SIM_S);
		assert_int_equal(r->ok_get, 1);
		assert_string_equal(r->last_get, "7");
		assert_false(pbft_diverged(s, NULL));
		history_detach(&r->h);
		sim_free(s);
		history_close(&r->h);
		free(r);
	}
}

/* Many seeds of an equivocating primary with load from three clients:
 * never a divergence, the checker never fails, the history linearizable. */
static void test_equivocating_primary_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		int nn = seed % 2 ? 4 : 7;
		struct sim *s = sim_new(&pbft_ops, NULL, nn, seed);
		struct rec *r = calloc(1, sizeof *r);
		history_init(&r->h);
		history_attach(&r->h, s);
		sim_observe(s, on_trace, r);
		struct inv_watch *w = inv_watch_new(s);
		assert_true(sim_set_byzantine(s, 0, BYZ_EQUIVOCATE));
		if (nn == 7)
			assert_true(sim_set_byzantine(s, 3, BYZ_RANDOM));
		for (int round = 0; round < 6; round++) {
			char v[8];
			snprintf(v, sizeof v, "%d", round);
			for (int c = 1; c <= 3; c++) {
				if (sim_client_busy(s, c))
					continue;
				struct kv_op o = c == 3 ? op(KV_GET, "x", NULL)
							: op(c == 1 ? KV_PUT : KV_APPEND, "x", v);
				sim_client_invoke(s, c, -1, &o);
			}
			sim_run_until(s, sim_now(s) + 700 * SIM_MS);
		}
		sim_run_until(s, sim_now(s) + 5 * SIM_S);
		const char *why = NULL;
		assert_true(inv_watch_ok(w, &why, NULL));
		assert_false(pbft_diverged(s, NULL));
		struct lin_checker *lc = lin_new(&r->h, LIN_MODEL_KV);
		assert_int_equal(lin_check(lc, NULL), LIN_OK);
		lin_free(lc);
		inv_watch_free(w);
		history_detach(&r->h);
		sim_free(s);
		history_close(&r->h);
		free(r);
	}
}

/* 3 replicas configured for f = 1 diverge in some seeds; the checker
 * calls it an observation (inv_watch stays ok), the predicate sees it. */
static void test_beyond_bound_is_an_observation(void **state)
{
	(void)state;
	struct proto_opts o;
	proto_opts_default(&pbft_ops, &o);
	struct sbuf err = {0};
	assert_true(proto_option_parse(&pbft_ops, PBFT_OPT_F, "1", &o.v[PBFT_OPT_F], &err));
	sbuf_free(&err);
	int diverged = 0;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim *s = sim_new(&pbft_ops, &o, 3, seed);
		struct inv_watch *w = inv_watch_new(s);
		assert_true(sim_set_byzantine(s, 0, BYZ_EQUIVOCATE));
		struct kv_op a = op(KV_PUT, "x", "1"), b = op(KV_PUT, "x", "2");
		sim_client_invoke(s, 1, 1, &a);
		sim_client_invoke(s, 2, 0, &b);
		sim_run_until(s, 2 * SIM_S);
		diverged += pbft_diverged(s, NULL);
		assert_true(inv_watch_ok(w, NULL, NULL));
		inv_watch_free(w);
		sim_free(s);
	}
	assert_true(diverged > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quorums),
	    cmocka_unit_test(test_signatures),
	    cmocka_unit_test(test_client_needs_matching_replies),
	    cmocka_unit_test(test_equivocating_primary_seeds),
	    cmocka_unit_test(test_beyond_bound_is_an_observation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

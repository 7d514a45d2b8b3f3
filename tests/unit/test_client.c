/*
 * test_client.c — the simulator's clients never work without simulated
 * time passing (issue 13/14: `client attempt 0ms` retried one put forever
 * at one instant, 50 M events). Each client duration has a documented
 * minimum (sim.h): sim_client_setting_check refuses less with a message,
 * and a configuration set below it by code behaves as the minimum. The
 * workload's arrivals are at least a microsecond apart at its highest rate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto/proto.h"
#include "sim/sim.h"
#include "sim/workload.h"

#include <string.h>

static void test_minimums(void **state)
{
	(void)state;
	struct sbuf why = {0};
	assert_false(sim_client_setting_check("attempt", 0, &why));
	assert_string_equal(sbuf_str(&why),
			    "client attempt must be at least 1ms, not 0s: a shorter one would "
			    "make the client work without simulated time passing");
	sbuf_free(&why);
	assert_false(sim_client_setting_check("attempt", 999, &why));
	sbuf_free(&why);
	assert_true(sim_client_setting_check("attempt", CLIENT_ATTEMPT_MIN, &why));
	assert_false(sim_client_setting_check("latency", 0, &why));
	assert_non_null(strstr(sbuf_str(&why), "client latency must be at least 1us"));
	sbuf_free(&why);
	assert_true(sim_client_setting_check("latency", 1, &why));
	assert_false(sim_client_setting_check("timeout", 0, &why));
	assert_non_null(strstr(sbuf_str(&why), "client timeout must be at least 1ms"));
	sbuf_free(&why);
	assert_true(sim_client_setting_check("backoff", 0, &why));
	assert_true(sim_client_setting_check("redirects", 0, &why));
	assert_int_equal(why.len, 0);
	/* The defaults are above every minimum. */
	struct sim *s = sim_new(proto_find("raft"), NULL, 3, 1);
	const struct client_config *cc = sim_client_config(s);
	assert_true(cc->latency >= CLIENT_LATENCY_MIN);
	assert_true(cc->attempt_timeout >= CLIENT_ATTEMPT_MIN);
	assert_true(cc->deadline >= CLIENT_DEADLINE_MIN);
	assert_true(cc->backoff >= CLIENT_BACKOFF_MIN);
	sim_free(s);
}

/* Runs at most max events; returns whether the op completed by then. */
static bool steps(struct sim *s, uint32_t id, uint64_t max)
{
	for (uint64_t k = 0; k < max; k++) {
		bool pending = false;
		for (int i = 0; i < sim_pending_count(s); i++)
			pending |= sim_pending(s, i)->id == id;
		if (!pending)
			return true;
		if (!sim_step(s))
			return false;
	}
	return false;
}

/* Every setting at zero, set by code, not through the language: a put to
 * a cluster with no leader still ends at its deadline, in few events. */
static void test_zero_settings_are_harmless(void **state)
{
	(void)state;
	struct sim *s = sim_new(proto_find("raft"), NULL, 3, 1);
	for (int i = 0; i < 3; i++)
		sim_crash(s, i); /* nobody answers: every attempt times out */
	sim_restart(s, 0);
	struct client_config *cc = sim_client_config(s);
	cc->latency = 0;
	cc->attempt_timeout = 0;
	cc->deadline = 0;
	cc->backoff = 0;
	struct kv_op put;
	memset(&put, 0, sizeof put);
	put.fn = KV_PUT;
	strcpy(put.key, "x");
	strcpy(put.arg, "1");
	sim_time t0 = sim_now(s);
	uint32_t id = sim_client_invoke(s, 1, 1, &put);
	assert_true(steps(s, id, 10000));
	assert_true(sim_now(s) >= t0 + CLIENT_DEADLINE_MIN);

	/* attempt 0 with a long deadline: retries at most every minimum. */
	cc->deadline = 2 * SIM_S;
	t0 = sim_now(s);
	uint64_t e0 = sim_events(s);
	id = sim_client_invoke(s, 1, 1, &put);
	assert_true(steps(s, id, 1000000));
	assert_true(sim_now(s) >= t0 + 2 * SIM_S);
	/* 2000 attempts, a few events each, plus the cluster's own. */
	assert_true(sim_events(s) - e0 < 100000);
	sim_free(s);
}

/* The workload at its highest rate lets time pass between arrivals. */
static void test_workload_fastest(void **state)
{
	(void)state;
	struct workload_cfg cfg;
	struct sbuf err = {0};
	assert_true(workload_parse("rate 1000/ms clients 1000", &cfg, &err));
	assert_false(workload_parse("rate 1001/ms", &cfg, &err));
	sbuf_free(&err);
	assert_true(workload_parse("rate 1000/ms clients 1000", &cfg, &err));
	struct sim *s = sim_new(proto_find("raft"), NULL, 3, 1);
	struct workload *w = workload_start(s, &cfg);
	sim_run_until(s, 10 * SIM_MS);
	const struct workload_stats *st = workload_stats(w);
	uint64_t arrivals = st->skipped;
	for (int i = 0; i < WL_NFN; i++)
		arrivals += st->invoked[i];
	assert_true(arrivals > 0);
	assert_true(arrivals <= 10 * 1000); /* one per microsecond at most */
	workload_stop(w);
	sim_free(s);
	workload_free(w);
}

/* Per-request consistency (issue 20): level words and their aliases, how
 * an operation prints with one, and which protocol takes which level. */
static void test_levels(void **state)
{
	(void)state;
	enum kv_level l;
	assert_true(kv_level_parse("quorum", &l));
	assert_int_equal(l, KV_LEVEL_QUORUM);
	assert_true(kv_level_parse("consistent", &l));
	assert_int_equal(l, KV_LEVEL_LINEARIZABLE);
	assert_true(kv_level_parse("eventual", &l));
	assert_int_equal(l, KV_LEVEL_SERIALIZABLE);
	assert_false(kv_level_parse("two", &l));
	assert_false(kv_level_parse("", &l));

	struct kv_op op;
	memset(&op, 0, sizeof op);
	op.fn = KV_GET;
	strcpy(op.key, "x");
	struct sbuf b = {0};
	kv_op_fmt(&op, &b);
	assert_string_equal(sbuf_str(&b), "get x"); /* no level: as before */
	op.level = KV_LEVEL_ONE;
	sbuf_clear(&b);
	kv_op_fmt(&op, &b);
	assert_string_equal(sbuf_str(&b), "get x consistency=one");

	struct sbuf why = {0};
	const struct proto_ops *raft = proto_find("raft"), *dyn = proto_find("dynamo");
	assert_non_null(raft);
	assert_non_null(dyn);
	assert_true(proto_level_check(dyn, &op, &why));
	assert_false(proto_level_check(raft, &op, &why));
	assert_non_null(strstr(sbuf_str(&why), "serializable|linearizable"));
	op.level = KV_LEVEL_SERIALIZABLE;
	assert_true(proto_level_check(raft, &op, &why));
	op.fn = KV_PUT;
	sbuf_clear(&why);
	assert_false(proto_level_check(raft, &op, &why)); /* raft writes: no level */
	op.level = KV_LEVEL_DEFAULT;
	assert_true(proto_level_check(raft, &op, &why));
	sbuf_free(&b);
	sbuf_free(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimums),
	    cmocka_unit_test(test_zero_settings_are_harmless),
	    cmocka_unit_test(test_workload_fastest),
	    cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

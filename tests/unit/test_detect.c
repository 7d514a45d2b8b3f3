/*
 * test_detect.c — the phi accrual detector's arithmetic against values
 * computed by hand (the logistic approximation and the exact normal tail),
 * and both detectors over many seeds: phi suspects a crash soon and makes
 * no mistake on a calm network; SWIM declares a crashed member dead
 * everywhere (completeness), keeps a member behind a one-way cut alive,
 * and its incarnation invariants hold after every event. Lifeguard's
 * local health: a slow member's score climbs to its ceiling and falls back
 * once it is healthy; a member probing a crashed peer gets nacks and stays
 * healthy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"

#include "check/invariants.h"
#include "proto/phi.h"
#include "proto/proto.h"
#include "proto/swim.h"
#include "sim/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the arithmetic ------------------------------------------------------- */

/* By hand: y = (t − μ)/σ, z = y(1.5976 + 0.070566 y²), φ = log10(1 + e^z).
 *   y = 0:  z = 0,         φ = log10 2             = 0.30103
 *   y = 1:  z = 1.668166,  φ = log10(1 + 5.30224)  = 0.79949
 *   y = 2:  z = 3.759728,  φ = log10(1 + 42.9371)  = 1.64286
 *   y = −1: z = −1.668166, φ = log10(1 + 0.188600) = 0.07504 */
static void test_phi_by_hand(void **state)
{
	(void)state;
	assert_true(fabs(phi_compute(100, 100, 10) - 0.30103) < 1e-4);
	assert_true(fabs(phi_compute(110, 100, 10) - 0.79949) < 1e-4);
	assert_true(fabs(phi_compute(120, 100, 10) - 1.64286) < 1e-4);
	assert_true(fabs(phi_compute(90, 100, 10) - 0.07504) < 1e-4);
}

/* The approximation against the exact tail −log10(½·erfc(y/√2)): within
 * 1.5% up to 3σ; beyond, it overestimates, by a growing margin (by hand:
 * at y = 5.25 the logistic φ is 8.08, the exact one 7.12 — threshold 8 is
 * crossed at about 5.2σ, where the exact normal would wait for 5.9σ).
 * Finite and increasing far out. */
static void test_phi_vs_erfc(void **state)
{
	(void)state;
	for (double y = 1.0; y <= 8.0; y += 0.25) {
		double exact = -log10(0.5 * erfc(y / sqrt(2.0)));
		double approx = phi_compute(100 + y * 10, 100, 10);
		if (y <= 3.0 && fabs(approx - exact) > 0.015 * exact)
			fail_msg("y=%.2f: phi %.4f, exact %.4f", y, approx, exact);
		if (y > 3.0 && !(approx > exact && approx < 1.5 * exact))
			fail_msg("y=%.2f: phi %.4f, exact %.4f", y, approx, exact);
	}
	assert_true(fabs(phi_compute(152.5, 100, 10) - 8.077) < 0.01);
	double prev = 0;
	for (double t = 0; t < 1e7; t = t * 2 + 1) {
		double phi = phi_compute(t, 100, 10);
		assert_true(isfinite(phi));
		assert_true(phi >= prev);
		prev = phi;
	}
	assert_true(prev > 1e6);
}

static void test_phi_stats(void **state)
{
	(void)state;
	double mean, sd;
	/* 90 and 110: mean 100, deviation 10. */
	phi_stats(2, 200, 90 * 90 + 110 * 110, 0, 1, &mean, &sd);
	assert_true(fabs(mean - 100) < 1e-9 && fabs(sd - 10) < 1e-9);
	/* A regular window: the deviation is raised to min-std-deviation;
	 * acceptable-heartbeat-pause is added to the mean. */
	phi_stats(3, 300, 3 * 100 * 100, 50, 20, &mean, &sd);
	assert_true(fabs(mean - 150) < 1e-9 && fabs(sd - 20) < 1e-9);
}

/* ---- predicates, by name ------------------------------------------------------- */

static bool pred(struct sim *s, const char *name, struct proto_args *a)
{
	const struct proto_ops *ops = sim_proto(s);
	for (int i = 0; ops->preds[i].name; i++)
		if (!strcmp(ops->preds[i].name, name)) {
			struct sbuf why = {0};
			bool ok = ops->preds[i].eval(s, a, &why);
			sbuf_free(&why);
			return ok;
		}
	fail_msg("no predicate %s", name);
	return false;
}

static struct proto_args node_cmp(int node, const char *op, int64_t num)
{
	struct proto_args a = {.n = 3};
	a.a[0] = (struct arg){.kind = ARG_NODE, .present = true, .node = node};
	a.a[1] = (struct arg){.kind = ARG_WORD, .present = true};
	strcpy(a.a[1].str, op);
	a.a[2] = (struct arg){.kind = ARG_DURATION, .present = true, .num = num};
	return a;
}

static struct proto_args cmp_int(const char *op, int64_t num)
{
	struct proto_args a = {.n = 2};
	a.a[0] = (struct arg){.kind = ARG_WORD, .present = true};
	strcpy(a.a[0].str, op);
	a.a[1] = (struct arg){.kind = ARG_INT, .present = true, .num = num};
	return a;
}

/* Every up member (but p) holds p in state st. */
static bool all_hold(struct sim *s, int p, enum swim_state st)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		uint32_t inc;
		if (i != p && sim_node(s, i)->up &&
		    swim_view_of(sim_node(s, i)->self, p, &inc) != st)
			return false;
	}
	return true;
}

/* ---- phi over many seeds -------------------------------------------------------- */

static void test_phi_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct sim *s = sim_new(proto_find("phi"), NULL, 4, seed);
		sim_run_until(s, 3 * SIM_S);
		struct proto_args f = cmp_int("<=", 0);
		if (!pred(s, "false-suspicions", &f))
			fail_msg("seed %llu: a mistake on a calm network",
				 (unsigned long long)seed);
		sim_crash(s, 1);
		sim_run_until(s, 3500 * SIM_MS);
		struct proto_args d = node_cmp(1, "<=", 300 * SIM_MS);
		if (!pred(s, "detection", &d))
			fail_msg("seed %llu: n2's crash not detected within 300ms",
				 (unsigned long long)seed);
		sim_free(s);
	}
}

/* ---- SWIM over many seeds ----------------------------------------------------------- */

static void test_swim_completeness(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		int n = 3 + (int)(seed % 10);
		struct sim *s = sim_new(&swim_ops, NULL, n, seed);
		struct inv_watch *w = inv_watch_new(s);
		sim_run_until(s, 2 * SIM_S);
		assert_true(all_hold(s, 0, SWIM_ALIVE));
		sim_crash(s, 0);
		/* probe + suspicion timeout (4 periods at n < 10) + gossip */
		sim_run_until(s, 6 * SIM_S);
		if (!all_hold(s, 0, SWIM_DEAD))
			fail_msg("seed %llu, %d members: n1 not dead everywhere",
				 (unsigned long long)seed, n);
		sim_restart(s, 0);
		sim_run_until(s, 10 * SIM_S);
		if (!all_hold(s, 0, SWIM_ALIVE))
			fail_msg("seed %llu: restarted n1 not alive everywhere",
				 (unsigned long long)seed);
		assert_true(swim_incarnation(sim_node(s, 0)->self) >= 1);
		const char *why = NULL;
		if (!inv_watch_ok(w, &why, NULL))
			fail_msg("seed %llu: %s", (unsigned long long)seed, why);
		inv_watch_free(w);
		sim_free(s);
	}
}

static void test_swim_one_way_cut(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		struct sim *s = sim_new(&swim_ops, NULL, 5, seed);
		sim_run_until(s, 1 * SIM_S);
		sim_cut(s, 2, 0); /* n3 -> n1 */
		sim_run_until(s, 11 * SIM_S);
		struct proto_args f = cmp_int("<=", 0);
		if (!all_hold(s, 2, SWIM_ALIVE) || !pred(s, "false-suspicions", &f))
			fail_msg("seed %llu: n3 suspected behind a one-way cut",
				 (unsigned long long)seed);
		sim_free(s);
	}
}

/* ---- Lifeguard's local health awareness -------------------------------------------- */

static struct sim *swim_with_awareness(int n, uint64_t seed, const char *max)
{
	char kv[32];
	snprintf(kv, sizeof kv, "awareness=%s", max);
	const char *const opts[] = {kv, NULL};
	struct proto_opts o;
	opts_with(&swim_ops, opts, &o);
	return sim_new(&swim_ops, &o, n, seed);
}

/* Every message to n1 takes 250 ms, more than a protocol period. */
static void slow_in(struct sim *s, int n, sim_time latency)
{
	for (int j = 1; j < n; j++)
		sim_link(s, j, 0)->cfg.latency = latency;
}

static void test_swim_local_health(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim *s = swim_with_awareness(6, seed, "8");
		struct inv_watch *w = inv_watch_new(s);
		sim_run_until(s, 1 * SIM_S);
		slow_in(s, 6, 250 * SIM_MS);
		sim_run_until(s, 15 * SIM_S);
		/* Failed probes and missed nacks raise the score until the
		 * stretched timeout, 100 ms x (score + 1), outlasts the 250 ms
		 * each ack takes to reach it: at least 2. */
		int h = swim_health(sim_node(s, 0)->self);
		if (h < 2)
			fail_msg("seed %llu: the slow n1's health is only %d",
				 (unsigned long long)seed, h);
		for (int i = 1; i < 6; i++) /* the healthy members are not fooled */
			if (swim_health(sim_node(s, i)->self) > 1)
				fail_msg("seed %llu: n%d's health %d", (unsigned long long)seed,
					 i + 1, swim_health(sim_node(s, i)->self));
		slow_in(s, 6, sim_link_base.latency);
		sim_run_until(s, 60 * SIM_S);
		/* Successful probes, one point each: healthy again. */
		if (swim_health(sim_node(s, 0)->self) != 0)
			fail_msg("seed %llu: n1's health stays %d once healed",
				 (unsigned long long)seed, swim_health(sim_node(s, 0)->self));
		const char *why = NULL;
		if (!inv_watch_ok(w, &why, NULL))
			fail_msg("seed %llu: %s", (unsigned long long)seed, why);
		inv_watch_free(w);
		sim_free(s);
	}
}

/* A crashed peer is not my ill health: the helpers' nacks say that they
 * could not reach it either. */
static void test_swim_nacks(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim *s = swim_with_awareness(6, seed, "8");
		sim_run_until(s, 1 * SIM_S);
		sim_crash(s, 5);
		for (sim_time t = 1 * SIM_S; t <= 6 * SIM_S; t += 100 * SIM_MS) {
			sim_run_until(s, t);
			for (int i = 0; i < 5; i++)
				if (swim_health(sim_node(s, i)->self) > 1)
					fail_msg("seed %llu: n%d's health %d after probing a crash",
						 (unsigned long long)seed, i + 1,
						 swim_health(sim_node(s, i)->self));
		}
		if (!all_hold(s, 5, SWIM_DEAD))
			fail_msg("seed %llu: n6 not dead everywhere", (unsigned long long)seed);
		sim_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phi_by_hand),       cmocka_unit_test(test_phi_vs_erfc),
	    cmocka_unit_test(test_phi_stats),         cmocka_unit_test(test_phi_seeds),
	    cmocka_unit_test(test_swim_completeness), cmocka_unit_test(test_swim_one_way_cut),
	    cmocka_unit_test(test_swim_local_health), cmocka_unit_test(test_swim_nacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_sim.c — the simulator: event ordering and tie-breaks, PRNG
 * determinism, every network knob measured over many messages, partitions
 * and one-way cuts, crash and restart, clock skew and drift, clients.
 *
 * A tiny protocol, "probe", lives in this file: node 0 sends numbered
 * probes to node 1 on request; every node records what it receives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto/proto.h"
#include "sim/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXREC 20000

extern const struct proto_ops heartbeat_ops;

struct probe {
	struct node *n;
	int received;
	uint32_t seq[MAXREC];
	sim_time at[MAXREC];
	bool dup[MAXREC];
	int timers_fired;
	sim_time timer_at[8];
	int crashes, restarts;
	int volatile_state; /* cleared on crash */
	int stable_state;   /* kept across crashes */
};

static void *probe_create(struct node *n, const void *o)
{
	(void)o;
	struct probe *p = calloc(1, sizeof *p);
	p->n = n;
	p->volatile_state = 7;
	p->stable_state = 9;
	return p;
}
static void probe_destroy(void *self)
{
	free(self);
}
static void probe_on_message(void *self, const struct msg *m)
{
	struct probe *p = self;
	if (p->received < MAXREC) {
		memcpy(&p->seq[p->received], m->data, sizeof(uint32_t));
		p->at[p->received] = m->arrives_at;
		p->dup[p->received] = m->flags & MSG_DUPLICATE;
	}
	p->received++;
}
static void probe_on_timer(void *self, int t)
{
	struct probe *p = self;
	p->timers_fired++;
	p->timer_at[t] = node_trace_time(p->n);
}
static void probe_on_client(void *self, const struct client_req *r)
{
	struct probe *p = self;
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1, .found = true};
	if (!strcmp(r->op.key, "refuse"))
		rep.status = REPLY_UNAVAILABLE;
	else if (!strcmp(r->op.key, "silent"))
		return;
	ns_strlcpy(rep.value, "v", sizeof rep.value);
	node_reply(p->n, r, &rep);
}
static void probe_on_crash(void *self)
{
	struct probe *p = self;
	p->crashes++;
	p->volatile_state = 0;
}
static void probe_on_restart(void *self)
{
	struct probe *p = self;
	p->restarts++;
	p->volatile_state = 7;
}
static void probe_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, NULL, -1, -1, -1};
}

static const struct msg_kind probe_msgs[] = {{"Probe", 'p', false}};
static const struct proto_ops probe_ops = {
    .node =
	{
	    .create = probe_create,
	    .destroy = probe_destroy,
	    .on_message = probe_on_message,
	    .on_timer = probe_on_timer,
	    .on_client = probe_on_client,
	    .on_crash = probe_on_crash,
	    .on_restart = probe_on_restart,
	    .msg_kinds = probe_msgs,
	    .nmsg_kinds = 1,
	},
    .name = "probe",
    .kv_clients = true,
    .status = probe_status,
};

static struct probe *P(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

static void send_probes(struct sim *s, int from, int to, int count, sim_time spacing)
{
	for (uint32_t k = 0; k < (uint32_t)count; k++) {
		node_send(sim_node(s, from), to, 0, &k, sizeof k);
		if (spacing)
			sim_run_until(s, sim_now(s) + spacing);
	}
}

/* ---- event queue ---------------------------------------------------------- */

static int order[16], norder;
static void record_call(void *ctx, struct sim *s, uint64_t arg)
{
	(void)ctx;
	(void)s;
	order[norder++] = (int)arg;
}

static void test_ties_break_by_insertion(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 1);
	norder = 0;
	sim_schedule(s, 100, record_call, NULL, 1);
	sim_schedule(s, 50, record_call, NULL, 2);
	sim_schedule(s, 100, record_call, NULL, 3);
	sim_schedule(s, 100, record_call, NULL, 4);
	sim_schedule(s, 50, record_call, NULL, 5);
	sim_run_until(s, 1000);
	int want[] = {2, 5, 1, 3, 4};
	assert_int_equal(norder, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(order[i], want[i]);
	assert_int_equal(sim_now(s), 1000);
	sim_free(s);
}

static void test_step_is_one_event(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 1);
	norder = 0;
	sim_schedule(s, 10, record_call, NULL, 1);
	sim_schedule(s, 20, record_call, NULL, 2);
	assert_true(sim_step(s));
	assert_int_equal(norder, 1);
	assert_int_equal(sim_now(s), 10);
	assert_true(sim_step(s));
	assert_false(sim_step(s));
	sim_free(s);
}

/* sim_halt from inside an event: that event finishes, no later one
 * starts, the clock does not move to `until`; sim_resume goes on. */
static void halt_call(void *ctx, struct sim *s, uint64_t i)
{
	record_call(ctx, s, i);
	sim_halt(s);
}

static void test_halt_stops_runs_until_resumed(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 1);
	norder = 0;
	sim_schedule(s, 10, record_call, NULL, 1);
	sim_schedule(s, 20, halt_call, NULL, 2);
	sim_schedule(s, 30, record_call, NULL, 3);
	sim_run_until(s, 1000);
	assert_true(sim_halted(s));
	assert_int_equal(norder, 2);
	assert_int_equal(sim_now(s), 20); /* not 1000 */
	assert_false(sim_step(s));
	sim_run_until(s, 2000);
	assert_int_equal(norder, 2);
	assert_int_equal(sim_now(s), 20);
	sim_resume(s);
	assert_false(sim_halted(s));
	sim_run_until(s, 1000);
	assert_int_equal(norder, 3);
	assert_int_equal(sim_now(s), 1000);
	sim_free(s);
}

static void test_cancelled_timers_are_skipped(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 1, 1);
	struct node *n = sim_node(s, 0);
	node_set_timer(n, 0, 100);
	node_set_timer(n, 0, 300); /* re-arming replaces */
	node_set_timer(n, 1, 200);
	node_cancel_timer(n, 1);
	sim_run_until(s, 1000);
	assert_int_equal(P(s, 0)->timers_fired, 1);
	assert_int_equal(P(s, 0)->timer_at[0], 300);
	assert_int_equal(sim_events(s), 1);
	sim_free(s);
}

/* ---- PRNG ------------------------------------------------------------------------ */

static void test_rng_determinism(void **state)
{
	(void)state;
	struct rng a, b, c;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	int same_c = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
		assert_true(x == y);
		same_c += x == z;
	}
	assert_true(same_c < 2);
	/* rng_below is uniform: chi-square over 10 buckets, 100000 draws */
	int bucket[10] = {0};
	for (int i = 0; i < 100000; i++)
		bucket[rng_below(&a, 10)]++;
	double chi = 0;
	for (int i = 0; i < 10; i++)
		chi += (bucket[i] - 10000.0) * (bucket[i] - 10000.0) / 10000.0;
	assert_true(chi < 27.9); /* p = 0.001 for 9 degrees of freedom */
	for (int i = 0; i < 1000; i++) {
		int64_t r = rng_range(&a, -3, 3);
		assert_true(r >= -3 && r <= 3);
		double d = rng_double(&a);
		assert_true(d >= 0 && d < 1);
	}
}

/* ---- network knobs, measured -------------------------------------------------- */

static void test_latency_and_jitter(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 7);
	struct link *l = sim_link(s, 0, 1);
	l->cfg = (struct link_config){.latency = 20 * SIM_MS, .jitter = 10 * SIM_MS};
	send_probes(s, 0, 1, 5000, 0);
	sim_run_until(s, SIM_S);
	struct probe *p = P(s, 1);
	assert_int_equal(p->received, 5000);
	double sum = 0;
	sim_time lo = SIM_NEVER, hi = 0;
	int inversions = 0;
	for (int i = 0; i < p->received; i++) {
		sum += (double)p->at[i];
		lo = p->at[i] < lo ? p->at[i] : lo;
		hi = p->at[i] > hi ? p->at[i] : hi;
		if (i && p->seq[i] < p->seq[i - 1])
			inversions++;
	}
	assert_true(lo >= 20 * SIM_MS);
	assert_true(hi <= 30 * SIM_MS);
	double mean = sum / p->received;
	assert_true(fabs(mean - 25 * SIM_MS) < 300); /* within 0.3ms of 25ms */
	assert_true(inversions > 1000);              /* jitter reorders */
	sim_free(s);
}

static void test_no_jitter_keeps_order(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 7);
	sim_link(s, 0, 1)->cfg = (struct link_config){.latency = 5 * SIM_MS};
	send_probes(s, 0, 1, 500, 100);
	sim_run_until(s, 10 * SIM_S);
	struct probe *p = P(s, 1);
	assert_int_equal(p->received, 500);
	for (int i = 1; i < p->received; i++)
		assert_true(p->seq[i] > p->seq[i - 1]);
	sim_free(s);
}

static void test_loss_rate(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 11);
	sim_link(s, 0, 1)->cfg.loss_ppm = 200000; /* 20% */
	send_probes(s, 0, 1, 20000, 0);
	sim_run_until(s, SIM_S);
	double got = P(s, 1)->received / 20000.0;
	assert_true(fabs(got - 0.8) < 0.015);
	assert_int_equal(sim_link(s, 0, 1)->lost, 20000 - P(s, 1)->received);
	sim_free(s);
}

static void test_duplication_rate(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 13);
	sim_link(s, 0, 1)->cfg.dup_ppm = 100000; /* 10% */
	send_probes(s, 0, 1, 10000, 0);
	sim_run_until(s, SIM_S);
	struct probe *p = P(s, 1);
	int dups = 0;
	for (int i = 0; i < p->received && i < MAXREC; i++)
		dups += p->dup[i];
	assert_int_equal(p->received, 10000 + dups);
	assert_true(fabs(dups / 10000.0 - 0.10) < 0.012);
	sim_free(s);
}

static void test_bandwidth_serialises(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 3);
	/* 4-byte probes at 400 B/s: one per 10ms on the wire */
	sim_link(s, 0, 1)->cfg = (struct link_config){.latency = SIM_MS, .bandwidth = 400};
	send_probes(s, 0, 1, 10, 0);
	sim_run_until(s, SIM_S);
	struct probe *p = P(s, 1);
	assert_int_equal(p->received, 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(p->at[i], (i + 1) * 10 * SIM_MS + SIM_MS);
	sim_free(s);
}

/* ---- partitions and cuts -------------------------------------------------------- */

struct drops {
	int count[8];
};
static void count_drops(void *ctx, const struct trace_event *ev)
{
	struct drops *d = ctx;
	if (ev->kind == TR_DROP)
		d->count[ev->reason]++;
}

static void test_one_way_cut(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 5);
	struct drops d = {0};
	sim_observe(s, count_drops, &d);
	assert_true(sim_cut(s, 0, 1));
	assert_false(sim_cut(s, 0, 1));
	send_probes(s, 0, 1, 10, 0);
	send_probes(s, 1, 0, 10, 0);
	sim_run_until(s, SIM_S);
	assert_int_equal(P(s, 1)->received, 0);
	assert_int_equal(P(s, 0)->received, 10);
	assert_int_equal(d.count[DROP_LINK_DOWN], 10);
	sim_heal_all(s);
	send_probes(s, 0, 1, 10, 0);
	sim_run_until(s, 2 * SIM_S);
	assert_int_equal(P(s, 1)->received, 10);
	sim_free(s);
}

static void test_cut_in_flight_is_lost(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 5);
	struct drops d = {0};
	sim_observe(s, count_drops, &d);
	send_probes(s, 0, 1, 10, 0);
	assert_int_equal(sim_inflight_count(s), 10);
	sim_run_until(s, SIM_MS);
	sim_cut(s, 0, 1);
	sim_heal_link(s, 0, 1); /* healed again before they arrive: still lost */
	sim_run_until(s, SIM_S);
	assert_int_equal(P(s, 1)->received, 0);
	assert_int_equal(d.count[DROP_CUT_IN_FLIGHT], 10);
	assert_int_equal(sim_inflight_count(s), 0);
	sim_free(s);
}

static void test_partition_groups(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 5, 5);
	int group[5] = {0, 0, 1, 1, 1};
	sim_partition(s, group);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			if (i != j)
				assert_int_equal(sim_link_c(s, i, j)->up, group[i] == group[j]);
	int all[5] = {0};
	sim_partition(s, all);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 5; j++)
			assert_true(sim_link_c(s, i, j)->up);
	sim_free(s);
}

/* ---- crash and restart --------------------------------------------------------------- */

static void test_crash_and_restart(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 5);
	struct drops d = {0};
	sim_observe(s, count_drops, &d);
	node_set_timer(sim_node(s, 1), 0, 50 * SIM_MS);
	send_probes(s, 0, 1, 5, 0);
	assert_true(sim_crash(s, 1));
	assert_false(sim_crash(s, 1));
	assert_int_equal(P(s, 1)->volatile_state, 0);
	assert_int_equal(P(s, 1)->stable_state, 9);
	sim_run_until(s, SIM_S);
	assert_int_equal(P(s, 1)->received, 0);
	assert_int_equal(P(s, 1)->timers_fired, 0);
	assert_int_equal(d.count[DROP_NODE_DOWN], 5);
	/* in flight across a crash and restart: lost with the connection */
	send_probes(s, 0, 1, 3, 0);
	sim_restart(s, 1);
	sim_run_until(s, 2 * SIM_S);
	assert_int_equal(d.count[DROP_NODE_DOWN], 5);
	assert_int_equal(P(s, 1)->received, 3); /* sent while down, but it restarted... */
	sim_free(s);
}

static void test_restart_drops_old_connection(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 5);
	struct drops d = {0};
	sim_observe(s, count_drops, &d);
	send_probes(s, 0, 1, 4, 0);
	sim_crash(s, 1);
	sim_restart(s, 1);
	sim_run_until(s, SIM_S);
	assert_int_equal(P(s, 1)->received, 0);
	assert_int_equal(d.count[DROP_RESTARTED], 4);
	assert_int_equal(P(s, 1)->restarts, 1);
	assert_int_equal(P(s, 1)->volatile_state, 7);
	sim_free(s);
}

/* ---- clocks ------------------------------------------------------------------------- */

static void test_clock_skew_and_drift(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 2, 5);
	struct node *n = sim_node(s, 0);
	sim_set_skew(s, 0, 200 * SIM_MS);
	assert_int_equal(node_local_now(n), 200 * SIM_MS);
	sim_set_drift(s, 0, 100000); /* +10% */
	sim_run_until(s, SIM_S);
	assert_int_equal(node_local_now(n), SIM_S + 200 * SIM_MS + 100 * SIM_MS);
	/* a local 110ms timer fires after 100ms of true time */
	node_set_timer(n, 0, 110 * SIM_MS);
	sim_run_until(s, 2 * SIM_S);
	assert_int_equal(P(s, 0)->timer_at[0], SIM_S + 100 * SIM_MS);
	/* drift changes keep the local clock continuous */
	sim_time before = node_local_now(n);
	sim_set_drift(s, 0, -50000);
	assert_int_equal(node_local_now(n), before);
	assert_int_equal(node_local_now(sim_node(s, 1)), 2 * SIM_S);
	sim_free(s);
}

/* ---- clients ------------------------------------------------------------------------ */

struct outcomes {
	int ok, fail, unknown;
	int attempts;
};
static void count_outcomes(void *ctx, const struct trace_event *ev)
{
	struct outcomes *o = ctx;
	if (ev->kind != TR_COMPLETE)
		return;
	o->ok += ev->op->outcome == OUT_OK;
	o->fail += ev->op->outcome == OUT_FAIL;
	o->unknown += ev->op->outcome == OUT_UNKNOWN;
	o->attempts = ev->op->attempts;
}

static void test_client_outcomes(void **state)
{
	(void)state;
	struct sim *s = sim_new(&probe_ops, NULL, 3, 5);
	struct outcomes o = {0};
	sim_observe(s, count_outcomes, &o);
	struct kv_op op = {.fn = KV_GET};
	strcpy(op.key, "x");
	sim_client_invoke(s, 1, 0, &op);
	assert_true(sim_client_busy(s, 1));
	assert_int_equal(sim_client_idle(s, 1), 2);
	sim_run_until(s, SIM_S);
	assert_int_equal(o.ok, 1);
	assert_false(sim_client_busy(s, 1));
	/* every node refuses: certainly not done -> fail */
	strcpy(op.key, "refuse");
	sim_client_invoke(s, 1, 0, &op);
	sim_run_until(s, 5 * SIM_S);
	assert_int_equal(o.fail, 1);
	/* nobody answers: it may have happened -> unknown, after retries */
	strcpy(op.key, "silent");
	sim_client_invoke(s, 1, 0, &op);
	sim_run_until(s, 10 * SIM_S);
	assert_int_equal(o.unknown, 1);
	assert_true(o.attempts >= 4);
	/* all nodes down: no attempt arrives anywhere, but the client hears
	 * only silence and cannot tell a lost request from a lost reply ->
	 * unknown (Jepsen's :info; issue 10) */
	for (int i = 0; i < 3; i++)
		sim_crash(s, i);
	strcpy(op.key, "x");
	sim_client_invoke(s, 2, -1, &op);
	sim_run_until(s, 15 * SIM_S);
	assert_int_equal(o.fail, 1);
	assert_int_equal(o.unknown, 2);
	assert_int_equal(sim_pending_count(s), 0);
	sim_free(s);
}

static void test_same_seed_same_run(void **state)
{
	(void)state;
	uint64_t sig[3];
	uint64_t seeds[3] = {9, 9, 10};
	for (int k = 0; k < 3; k++) {
		struct sim *s = sim_new(&heartbeat_ops, NULL, 6, seeds[k]);
		sim_link(s, 0, 1)->cfg.loss_ppm = 300000;
		sim_run_until(s, 3 * SIM_S);
		sig[k] = sim_events(s) * 1000003 + (uint64_t)sim_link(s, 0, 1)->lost;
		sim_free(s);
	}
	assert_true(sig[0] == sig[1]);
	assert_true(sig[0] != sig[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ties_break_by_insertion),
	    cmocka_unit_test(test_step_is_one_event),
	    cmocka_unit_test(test_halt_stops_runs_until_resumed),
	    cmocka_unit_test(test_cancelled_timers_are_skipped),
	    cmocka_unit_test(test_rng_determinism),
	    cmocka_unit_test(test_latency_and_jitter),
	    cmocka_unit_test(test_no_jitter_keeps_order),
	    cmocka_unit_test(test_loss_rate),
	    cmocka_unit_test(test_duplication_rate),
	    cmocka_unit_test(test_bandwidth_serialises),
	    cmocka_unit_test(test_one_way_cut),
	    cmocka_unit_test(test_cut_in_flight_is_lost),
	    cmocka_unit_test(test_partition_groups),
	    cmocka_unit_test(test_crash_and_restart),
	    cmocka_unit_test(test_restart_drops_old_connection),
	    cmocka_unit_test(test_clock_skew_and_drift),
	    cmocka_unit_test(test_client_outcomes),
	    cmocka_unit_test(test_same_seed_same_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_spanner.c — the spanner protocol against hand-computed timestamps:
 * monotonic timestamps at a leader whose clock is set back, the commit
 * wait of 2 epsilon, a read that waits until it is safe at its s_read, and
 * the stale read without commit wait that the linearizability checker
 * rejects (and the same run with commit wait, which it accepts); a write
 * acknowledged only once a majority holds it, and a leader's lease that
 * runs out in a minority and is renewed once healed.
 *
 * Links have a fixed latency and no jitter, clients the default 1 ms each
 * way, so every time below can be worked out from the rule quoted in
 * src/proto/spanner.c. The record each node keeps (spanner.h) is read to
 * see what was decided, and the invariant checker runs after every event.
 */
#include "check/history.h"
#include "check/invariants.h"
#include "check/lin.h"
#include "proto/proto.h"
#include "proto/spanner.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

extern const struct proto_ops spanner_ops;

/* n nodes, options as "key=value", links of a fixed latency. */
static struct sim *mk(int n, sim_time latency, const char *const *opts)
{
	struct proto_opts o;
	opts_with(&spanner_ops, opts, &o);
	struct sim *s = sim_new(&spanner_ops, &o, n, 1);
	struct link_config lc = {.latency = latency};
	sim_set_all_links(s, &lc);
	return s;
}

static uint32_t invoke(struct sim *s, int client, int node, enum kv_fn fn, const char *key,
		       const char *val)
{
	struct kv_op op;
	memset(&op, 0, sizeof op);
	op.fn = fn;
	strcpy(op.key, key);
	if (val)
		strcpy(op.arg, val);
	return sim_client_invoke(s, client, node, &op);
}

/* The k-th record of `kind` at node i (0-based), or fails. */
static const struct span_ghost *nth(struct sim *s, int i, enum span_ghost_kind kind, int k)
{
	uint32_t n;
	const struct span_ghost *g = spanner_ghosts(s, i, &n);
	for (uint32_t j = 0; j < n; j++)
		if (g[j].kind == kind && k-- == 0)
			return &g[j];
	fail_msg("n%d has no record %d of kind %d", i + 1, k, (int)kind);
	return NULL;
}

static int count(struct sim *s, int i, enum span_ghost_kind kind)
{
	uint32_t n;
	int c = 0;
	const struct span_ghost *g = spanner_ghosts(s, i, &n);
	for (uint32_t j = 0; j < n; j++)
		c += g[j].kind == kind;
	return c;
}

static bool has_line(const struct node_view *v, const char *prefix)
{
	for (int i = 0; i < v->nlines; i++)
		if (!strncmp(v->lines[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* x's leader in three nodes is n1, y's n2 (FNV-1a mod 3). */
static void test_leaders(void **state)
{
	(void)state;
	assert_int_equal(spanner_leader_of("x", 3), 0);
	assert_int_equal(spanner_leader_of("y", 3), 1);
	assert_int_equal(spanner_leader_of("k3", 3), 2);
	assert_int_equal(spanner_leader_of("x", 1), 0);
}

/* 4.1.2: timestamps increase at a leader even when its clock goes back,
 * and stay above every timestamp it served a read at (4.1.3). */
static void test_monotonic_after_clock_set_back(void **state)
{
	(void)state;
	const char *opts[] = {"epsilon=7ms", "commitwait=off", NULL};
	struct sim *s = mk(3, 10 * SIM_MS, opts);
	struct inv_watch *w = inv_watch_new(s);
	sim_run_until(s, 100 * SIM_MS);
	invoke(s, 1, 0, KV_PUT, "x", "1"); /* at n1 at 101ms: s = 108ms */
	sim_run_until(s, 150 * SIM_MS);
	invoke(s, 3, 1, KV_GET, "x", NULL); /* through n2 at 151ms: s_read = 158ms */
	sim_run_until(s, 200 * SIM_MS);
	sim_set_skew(s, 0, -1 * SIM_S);     /* n1's clock a second back */
	invoke(s, 1, 0, KV_PUT, "x", "2");  /* latest = 201 - 1000 + 7 < 108ms */
	invoke(s, 2, 0, KV_PUT, "k2", "3"); /* k2 is n1's too */
	sim_run_until(s, 300 * SIM_MS);
	assert_int_equal(count(s, 0, SPG_WRITE), 3);
	sim_time s1 = nth(s, 0, SPG_WRITE, 0)->s, s2 = nth(s, 0, SPG_WRITE, 1)->s,
		 s3 = nth(s, 0, SPG_WRITE, 2)->s;
	assert_int_equal(s1, 108 * SIM_MS);
	assert_true(nth(s, 0, SPG_WRITE, 1)->latest < s1);
	/* max(latest, floor + 1): floor is the read's s_read, above s1 (a
	 * write below it would change what that read should have seen). */
	assert_int_equal(nth(s, 0, SPG_READ, 0)->s, 158 * SIM_MS);
	assert_int_equal(s2, 158 * SIM_MS + 1);
	assert_int_equal(s3, s2 + 1);
	/* A crash and restart forget nothing of it (stable storage). */
	sim_crash(s, 0);
	sim_restart(s, 0);
	invoke(s, 1, 0, KV_PUT, "x", "4");
	sim_run_until(s, 400 * SIM_MS);
	assert_int_equal(nth(s, 0, SPG_WRITE, 3)->s, s3 + 1);
	const char *why = NULL;
	assert_true(inv_watch_ok(w, &why, NULL));
	inv_watch_free(w);
	sim_free(s);
}

/* 4.1.2: commit wait holds the acknowledgement until TT.after(s): with s
 * = pt + eps, until pt' - eps > s, 2 eps (and a microsecond) later; the
 * wait overlaps replication, so the acknowledgement comes at the later of
 * that and the majority's round trip (2 x 10ms links). */
static void test_commit_wait_is_two_epsilon(void **state)
{
	(void)state;
	const sim_time eps[] = {1 * SIM_MS, 7 * SIM_MS, 100 * SIM_MS};
	const char *names[] = {"epsilon=1ms", "epsilon=7ms", "epsilon=100ms"};
	for (int on = 0; on < 2; on++)
		for (int e = 0; e < 3; e++) {
			const char *opts[] = {names[e], on ? "commitwait=on" : "commitwait=off",
					      NULL};
			struct sim *s = mk(3, 10 * SIM_MS, opts);
			sim_set_skew(s, 0, 3 * SIM_MS / 10 * (sim_time)(e + 1));
			sim_run_until(s, 50 * SIM_MS);
			invoke(s, 1, 0, KV_PUT, "x", "1");
			sim_run_until(s, 60 * SIM_MS); /* the Accepts are on their way */
			struct node_view v;
			spanner_ops.describe(proto_self(s, 0), &v);
			assert_true(has_line(&v, " put x of c1 at s="));
			assert_true(has_line(&v, " x = 1 at s="));
			sim_run_until(s, 80 * SIM_MS); /* a majority holds it from 71ms */
			spanner_ops.describe(proto_self(s, 0), &v);
			assert_int_equal(has_line(&v, " put x of c1 in its commit wait"),
					 on && e == 2);
			sim_run_until(s, 1 * SIM_S);
			const struct span_ghost *wr = nth(s, 0, SPG_WRITE, 0),
						*ack = nth(s, 0, SPG_ACK, 0);
			assert_int_equal(wr->s, wr->latest);
			assert_int_equal(ack->s, wr->s);
			sim_time rtt = 20 * SIM_MS, wait = 2 * eps[e] + 1;
			assert_int_equal(ack->true_at - wr->true_at, on && wait > rtt ? wait : rtt);
			if (on)
				assert_true(ack->earliest > ack->s && ack->s < ack->true_at);
			sim_free(s);
		}
}

/* 2.1, 4.1.2: a write is acknowledged only once a majority holds it. A
 * leader whose two replicas are down still holds a lease (asked at 0s,
 * 2s long) and takes the write, but cannot acknowledge it; once one
 * replica is back, the retransmission (every 100ms) reaches it and the
 * write is acknowledged. */
static void test_ack_only_after_majority(void **state)
{
	(void)state;
	const char *opts[] = {"epsilon=1ms", "commitwait=on", NULL};
	struct sim *s = mk(3, 10 * SIM_MS, opts);
	struct inv_watch *w = inv_watch_new(s);
	sim_run_until(s, 100 * SIM_MS);
	sim_crash(s, 1);
	sim_crash(s, 2);
	invoke(s, 1, 0, KV_PUT, "x", "1");
	sim_run_until(s, 1 * SIM_S);
	assert_int_equal(count(s, 0, SPG_WRITE), 1);
	assert_int_equal(count(s, 0, SPG_ACK), 0); /* a minority: no acknowledgement */
	struct node_view v;
	spanner_ops.describe(proto_self(s, 0), &v);
	assert_true(has_line(&v, " put x of c1 at s="));
	assert_true(has_line(&v, " x = 1 at s="));
	sim_restart(s, 1);
	sim_run_until(s, 1500 * SIM_MS);
	assert_int_equal(count(s, 1, SPG_ACCEPT), 1);
	assert_int_equal(count(s, 2, SPG_ACCEPT), 0);
	const struct span_ghost *acc = nth(s, 1, SPG_ACCEPT, 0);
	assert_int_equal(acc->peer, 0);
	assert_int_equal(acc->s, nth(s, 0, SPG_WRITE, 0)->s);
	/* Held by two of three: acknowledged, after n2 came back. */
	assert_int_equal(count(s, 0, SPG_ACK), 1);
	assert_true(nth(s, 0, SPG_ACK, 0)->true_at > 1 * SIM_S);
	spanner_ops.describe(proto_self(s, 0), &v);
	assert_false(has_line(&v, " put x of c1 at s=")); /* no longer waiting */
	/* n3 catches up once it is back, and holds the version too. */
	sim_restart(s, 2);
	sim_run_until(s, 2 * SIM_S);
	assert_int_equal(count(s, 2, SPG_ACCEPT), 1);
	spanner_ops.describe(proto_self(s, 2), &v);
	assert_true(has_line(&v, " x = 1 at s="));
	const char *why = NULL;
	assert_true(inv_watch_ok(w, &why, NULL));
	inv_watch_free(w);
	sim_free(s);
}

struct outcomes {
	enum op_outcome last[8];
	int done[8];
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct outcomes *o = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->client >= 0 && ev->op->client < 8) {
		o->last[ev->op->client] = ev->op->outcome;
		o->done[ev->op->client]++;
	}
}

/* 4.1.1: the lease runs until the local time the leader asked plus the
 * lease, once a majority granted. lease=400ms, renewals every 100ms,
 * links 10ms: cut off at 150ms, n1's last granted round was asked at
 * 100ms, so it serves until its clock reads 500ms and refuses after; once
 * healed (at 600ms) the next round's votes give it a lease again. */
static void test_lease_runs_out_in_a_minority(void **state)
{
	(void)state;
	const char *opts[] = {"epsilon=1ms", "lease=400ms", NULL};
	struct sim *s = mk(3, 10 * SIM_MS, opts);
	struct inv_watch *w = inv_watch_new(s);
	struct outcomes o = {0};
	sim_observe(s, on_trace, &o);
	sim_client_config(s)->stick = true;
	sim_client_config(s)->deadline = 40 * SIM_MS;
	sim_run_until(s, 150 * SIM_MS);
	struct node_view v;
	spanner_ops.describe(proto_self(s, 0), &v);
	assert_true(has_line(&v, "lease until 0.500s"));
	const int groups[] = {0, 1, 1};
	sim_partition(s, groups);
	/* Within the lease: n1 serves a read of x (a value: none yet). */
	sim_run_until(s, 450 * SIM_MS);
	invoke(s, 1, 0, KV_GET, "x", NULL);
	sim_run_until(s, 495 * SIM_MS);
	assert_int_equal(count(s, 0, SPG_READ), 1);
	assert_int_equal(o.last[1], OUT_OK);
	/* Past it: refused, read and write alike, and certainly not done. */
	sim_run_until(s, 510 * SIM_MS);
	spanner_ops.describe(proto_self(s, 0), &v);
	assert_true(has_line(&v, "no lease"));
	invoke(s, 2, 0, KV_GET, "x", NULL);
	invoke(s, 3, 0, KV_PUT, "x", "1");
	sim_run_until(s, 590 * SIM_MS);
	assert_int_equal(count(s, 0, SPG_READ), 1);
	assert_int_equal(count(s, 0, SPG_WRITE), 0);
	assert_int_equal(o.done[2], 1);
	assert_int_equal(o.last[2], OUT_FAIL);
	assert_int_equal(o.last[3], OUT_FAIL);
	/* The majority's side keeps its own leases (y's leader is n2). */
	spanner_ops.describe(proto_self(s, 1), &v);
	assert_true(has_line(&v, "lease until"));
	/* Healed: renewed within a round. */
	sim_heal_all(s);
	sim_run_until(s, 750 * SIM_MS);
	spanner_ops.describe(proto_self(s, 0), &v);
	assert_true(has_line(&v, "lease until"));
	invoke(s, 2, 0, KV_GET, "x", NULL);
	invoke(s, 3, 0, KV_PUT, "x", "1");
	sim_run_until(s, 850 * SIM_MS);
	assert_int_equal(count(s, 0, SPG_READ), 2);
	assert_int_equal(o.last[2], OUT_OK);
	assert_int_equal(o.last[3], OUT_OK);
	const char *why = NULL;
	assert_true(inv_watch_ok(w, &why, NULL));
	inv_watch_free(w);
	sim_free(s);
}

/* 4.1.3: a read at s_read is served once the leader is safe at s_read —
 * its own latest has reached s_read — and the newest version at or below
 * s_read is past its commit wait. */
static void test_read_waits_until_safe(void **state)
{
	(void)state;
	const char *opts[] = {"epsilon=7ms", "commitwait=on", NULL};
	/* A coordinator ahead of the leader: n2 at +5ms, n1 at -5ms, links of
	 * 1ms. The get reaches n2 at 101ms: s_read = 101 + 5 + 7 = 113ms; the
	 * Read reaches n1 at 102ms, whose latest is 102 - 5 + 7 = 104ms: it
	 * waits until its clock reads 106ms, true time 111ms. */
	struct sim *s = mk(3, 1 * SIM_MS, opts);
	struct inv_watch *w = inv_watch_new(s);
	sim_set_skew(s, 1, 5 * SIM_MS);
	sim_set_skew(s, 0, -5 * SIM_MS);
	sim_run_until(s, 100 * SIM_MS);
	invoke(s, 1, 1, KV_GET, "x", NULL);
	sim_run_until(s, 200 * SIM_MS);
	const struct span_ghost *st = nth(s, 1, SPG_STAMP, 0), *rd = nth(s, 0, SPG_READ, 0);
	assert_int_equal(st->s, 113 * SIM_MS);
	assert_int_equal(rd->s, 113 * SIM_MS);
	assert_int_equal(rd->true_at, 111 * SIM_MS);
	assert_int_equal(rd->latest, rd->s);
	assert_int_equal(rd->vts, SIM_NEVER);

	/* A version in its commit wait is not readable: at one node, put x
	 * at 201ms takes s = 196 + 7 = 203ms (n1's clock 5ms behind) and is
	 * acknowledged at 215.001ms; a get reaching n1 at 206ms picks
	 * s_read = 208ms >= s and waits for the same instant. */
	invoke(s, 2, 0, KV_PUT, "x", "v");
	sim_run_until(s, 205 * SIM_MS);
	invoke(s, 3, 0, KV_GET, "x", NULL);
	sim_run_until(s, 400 * SIM_MS);
	const struct span_ghost *wr = nth(s, 0, SPG_WRITE, 0), *ack = nth(s, 0, SPG_ACK, 0);
	rd = nth(s, 0, SPG_READ, 1);
	assert_int_equal(wr->s, 203 * SIM_MS);
	assert_int_equal(rd->s, 208 * SIM_MS);
	assert_int_equal(ack->true_at, 215 * SIM_MS + 1);
	assert_int_equal(rd->true_at, ack->true_at);
	assert_int_equal(rd->vts, wr->s);
	const char *why = NULL;
	assert_true(inv_watch_ok(w, &why, NULL));
	inv_watch_free(w);
	sim_free(s);
}

/* The stale read of tests/scenarios/spanner_no_commit_wait.ns, by hand:
 * eps 7ms, n1 (x's leader) 6ms ahead, n2 6ms behind, links of 1ms. put
 * x at n1 at 101ms: s = 114ms, held by a majority at 103ms and
 * acknowledged then (commitwait=off; the client hears at 104ms); get x
 * from 105ms through n2: s_read = 106 - 6 + 7 = 107ms < 114ms: absent.
 * Not linearizable. With commit wait, the put is acknowledged at
 * 115.001ms, the get (from 117ms) picks s_read = 119ms and reads 1. */
static void test_stale_read_without_commit_wait(void **state)
{
	(void)state;
	for (int on = 0; on < 2; on++) {
		const char *opts[] = {"epsilon=7ms", on ? "commitwait=on" : "commitwait=off", NULL};
		struct sim *s = mk(3, 1 * SIM_MS, opts);
		struct history h;
		history_init(&h);
		history_attach(&h, s);
		struct inv_watch *w = inv_watch_new(s);
		sim_set_skew(s, 0, 6 * SIM_MS);
		sim_set_skew(s, 1, -6 * SIM_MS);
		sim_run_until(s, 100 * SIM_MS);
		invoke(s, 1, 0, KV_PUT, "x", "1");
		sim_time acked = on ? 116 * SIM_MS + 1 : 104 * SIM_MS;
		sim_run_until(s, acked);
		assert_false(sim_client_busy(s, 1));
		sim_run_until(s, acked + 1 * SIM_MS);
		invoke(s, 2, 1, KV_GET, "x", NULL);
		sim_run_until(s, 1 * SIM_S);
		assert_int_equal(nth(s, 0, SPG_WRITE, 0)->s, 114 * SIM_MS);
		const struct span_ghost *rd = nth(s, 0, SPG_READ, 0);
		assert_int_equal(rd->s, on ? 119 * SIM_MS + 1 : 107 * SIM_MS);
		assert_int_equal(rd->vts, on ? 114 * SIM_MS : SIM_NEVER);
		struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
		assert_int_equal(lin_check(c, NULL), on ? LIN_OK : LIN_VIOLATION);
		lin_free(c);
		const char *why = NULL;
		assert_true(inv_watch_ok(w, &why, NULL)); /* the code followed its rules */
		inv_watch_free(w);
		history_detach(&h);
		history_close(&h);
		sim_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_leaders),
	    cmocka_unit_test(test_monotonic_after_clock_set_back),
	    cmocka_unit_test(test_commit_wait_is_two_epsilon),
	    cmocka_unit_test(test_ack_only_after_majority),
	    cmocka_unit_test(test_lease_runs_out_in_a_minority),
	    cmocka_unit_test(test_read_waits_until_safe),
	    cmocka_unit_test(test_stale_read_without_commit_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

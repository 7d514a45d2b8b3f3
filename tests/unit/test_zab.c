/*
 * test_zab.c — Zab's phases on a seeded simulation, and each invariant of
 * src/check/zab_invariants.c firing.
 *
 * First a life: an election, an epoch established, writes committed and
 * delivered everywhere in zxid order, with the checker watching every
 * event. Then bug injection by poking a node's state directly (the
 * protocol itself has no bug switches): a delivered transaction nobody
 * broadcast (Integrity), two servers delivering different transactions
 * at one position (Total order and agreement), a follower delivering a
 * leader's 1:3 right after 1:1 (Primary order), a lagging server made the
 * primary of a new epoch broadcasting before it delivered what was
 * delivered elsewhere (Primary integrity — a `broadcast-before-sync` bug
 * would be the same: zab_broadcast without its `phase == broadcast`
 * test), and two primaries in one epoch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check/invariants.h"
#include "proto/proto.h"
#include "proto/zab.h"
#include "sim/sim.h"

struct zf {
	struct sim *s;
	struct inv_watch *w;
};

static int leader_of(struct sim *s)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		struct zab *p = zab_of(s, i);
		if (sim_node(s, i)->up && p->role == ZAB_LEADING && p->phase == ZAB_BROADCAST)
			return i;
	}
	return -1;
}

static void zf_init(struct zf *f, int n, uint64_t seed)
{
	f->s = sim_new(&zab_ops, NULL, n, seed);
	f->w = inv_watch_new(f->s);
	sim_run_until(f->s, 500 * SIM_MS);
	assert_true(leader_of(f->s) >= 0);
}

static void zf_free(struct zf *f)
{
	inv_watch_free(f->w);
	sim_free(f->s);
}

static void put(struct zf *f, int client, int node, const char *key, const char *val)
{
	struct kv_op op;
	memset(&op, 0, sizeof op);
	op.fn = KV_PUT;
	ns_strlcpy(op.key, key, sizeof op.key);
	ns_strlcpy(op.arg, val, sizeof op.arg);
	sim_client_invoke(f->s, client, node, &op);
}

static void assert_safe(struct zf *f)
{
	const char *why = NULL;
	sim_time at;
	if (!inv_watch_ok(f->w, &why, &at))
		fail_msg("%s", why);
}

static void assert_violation(struct zf *f, const char *property)
{
	const char *why = NULL;
	sim_time at;
	assert_false(inv_watch_ok(f->w, &why, &at));
	if (!strstr(why, property))
		fail_msg("expected a %s violation, got: %s", property, why);
}

static void isolate(struct sim *s, int a)
{
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != a) {
			sim_cut(s, a, i);
			sim_cut(s, i, a);
		}
}

/* Phases 0-3: one leader, epoch 1, writes 1:1 and 1:2 delivered by all. */
static void test_life(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 5, 1);
	int l = leader_of(f.s);
	assert_int_equal(zab_of(f.s, l)->epoch, 1);
	put(&f, 1, (l + 1) % 5, "x", "1");
	sim_run_until(f.s, sim_now(f.s) + 300 * SIM_MS);
	put(&f, 1, l, "x", "2");
	sim_run_until(f.s, sim_now(f.s) + 300 * SIM_MS);
	for (int i = 0; i < 5; i++) {
		struct zab *p = zab_of(f.s, i);
		assert_int_equal(p->st.delivered, 2);
		assert_int_equal(p->st.h[0].zxid, zab_zxid(1, 1));
		assert_int_equal(p->st.h[1].zxid, zab_zxid(1, 2));
		assert_string_equal(kv_get(&p->kv, "x"), "2");
		assert_int_equal(p->st.current_epoch, 1);
	}
	assert_safe(&f);
	zf_free(&f);
}

/* A lagging follower f and a leader that committed 1:1 without it. */
static int lagging(struct zf *f, int *follower)
{
	int l = leader_of(f->s);
	int fl = (l + 1) % sim_nodes(f->s);
	isolate(f->s, fl);
	put(f, 1, l, "x", "1");
	sim_run_until(f->s, sim_now(f->s) + 100 * SIM_MS);
	assert_int_equal(zab_of(f->s, l)->st.delivered, 1);
	assert_int_equal(zab_of(f->s, fl)->st.delivered, 0);
	assert_safe(f);
	*follower = fl;
	return l;
}

static void test_integrity(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 3, 2);
	int fl;
	lagging(&f, &fl);
	struct zab *p = zab_of(f.s, fl);
	struct zab_txn t;
	memset(&t, 0, sizeof t);
	t.zxid = zab_zxid(1, 1);
	t.op.fn = KV_PUT;
	ns_strlcpy(t.op.key, "x", sizeof t.op.key);
	ns_strlcpy(t.op.arg, "forged", sizeof t.op.arg);
	zab_hist_append(p, &t);
	zab_deliver(p, 1);
	sim_step(f.s);
	assert_violation(&f, "Integrity");
	zf_free(&f);
}

static void test_agreement(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 3, 3);
	int fl;
	int l = lagging(&f, &fl);
	put(&f, 2, l, "y", "2");
	sim_run_until(f.s, sim_now(f.s) + 100 * SIM_MS);
	struct zab *ld = zab_of(f.s, l), *p = zab_of(f.s, fl);
	assert_int_equal(ld->st.delivered, 2);
	zab_hist_append(p, &ld->st.h[1]); /* 1:2 where 1:1 belongs */
	zab_deliver(p, 1);
	sim_step(f.s);
	assert_violation(&f, "Total order and agreement");
	zf_free(&f);
}

static void test_primary_order(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 3, 4);
	int l = leader_of(f.s);
	isolate(f.s, l); /* it broadcasts, nobody acknowledges */
	put(&f, 1, l, "x", "1");
	put(&f, 2, l, "x", "2");
	put(&f, 3, l, "x", "3");
	sim_run_until(f.s, sim_now(f.s) + 20 * SIM_MS);
	struct zab *ld = zab_of(f.s, l), *p = zab_of(f.s, (l + 1) % 3);
	assert_int_equal(ld->st.nh, 3);
	assert_int_equal(ld->st.delivered, 0);
	assert_safe(&f);
	zab_hist_append(p, &ld->st.h[0]);
	zab_hist_append(p, &ld->st.h[2]); /* 1:3 right after 1:1 */
	zab_deliver(p, 2);
	sim_step(f.s);
	assert_violation(&f, "Primary order");
	zf_free(&f);
}

static void test_primary_integrity(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 3, 5);
	int fl;
	lagging(&f, &fl);
	/* The lagging server made the primary of epoch 7 and broadcasting
	 * at once, without synchronising: it never delivered 1:1. */
	struct zab *p = zab_of(f.s, fl);
	p->role = ZAB_LEADING;
	p->phase = ZAB_BROADCAST;
	p->epoch = 7;
	struct zab_txn t;
	memset(&t, 0, sizeof t);
	t.op.fn = KV_PUT;
	ns_strlcpy(t.op.key, "z", sizeof t.op.key);
	assert_true(zab_broadcast(p, &t));
	sim_step(f.s);
	assert_violation(&f, "Primary integrity");
	zf_free(&f);
}

static void test_one_primary_per_epoch(void **state)
{
	(void)state;
	struct zf f;
	zf_init(&f, 3, 6);
	int l = leader_of(f.s);
	put(&f, 1, l, "x", "1");
	sim_run_until(f.s, sim_now(f.s) + 200 * SIM_MS);
	assert_safe(&f);
	struct zab *p = zab_of(f.s, (l + 1) % 3);
	assert_int_equal(p->st.delivered, 1);
	p->role = ZAB_LEADING;
	p->phase = ZAB_BROADCAST;
	p->epoch = zab_of(f.s, l)->epoch;
	struct zab_txn t;
	memset(&t, 0, sizeof t);
	t.op.fn = KV_PUT;
	assert_true(zab_broadcast(p, &t));
	sim_step(f.s);
	assert_violation(&f, "one primary per epoch");
	zf_free(&f);
}

/* Many seeds of crashes and partitions: the invariants hold. */
static void test_many_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct zf f;
		zf_init(&f, 5, seed);
		for (int r = 0; r < 6; r++) {
			int l = leader_of(f.s);
			for (int c = 1; c <= 3; c++)
				if (!sim_client_busy(f.s, c))
					put(&f, c, -1, "k", r % 2 ? "a" : "b");
			if (l >= 0 && r % 2 == 0)
				sim_crash(f.s, l);
			sim_run_until(f.s, sim_now(f.s) + 700 * SIM_MS);
			for (int i = 0; i < 5; i++)
				if (!sim_node(f.s, i)->up)
					sim_restart(f.s, i);
		}
		sim_run_until(f.s, sim_now(f.s) + 2 * SIM_S);
		assert_safe(&f);
		assert_true(leader_of(f.s) >= 0);
		zf_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_life),
	    cmocka_unit_test(test_integrity),
	    cmocka_unit_test(test_agreement),
	    cmocka_unit_test(test_primary_order),
	    cmocka_unit_test(test_primary_integrity),
	    cmocka_unit_test(test_one_primary_per_epoch),
	    cmocka_unit_test(test_many_seeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

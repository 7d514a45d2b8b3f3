/*
 * test_raft_membership.c — membership changes one server at a time
 * (thesis §4.1-§4.2), also under faults, and log compaction with
 * InstallSnapshot (§7), with the Figure 3 invariants after every event.
 */
#include "raft_fixture.h"

static bool p_config(void *ctx, struct sim *s)
{
	uint64_t mask = *(uint64_t *)ctx;
	int l = proto_leader(s);
	if (l < 0)
		return false;
	const struct raft *r = raft_of(s, l);
	return r->cfg.w[0] == mask && r->cfg.w[1] == 0 && r->cfg_index <= r->commit;
}

static void change(struct fix *f, int node, bool add, uint64_t want)
{
	struct sbuf err = {0};
	int rc = -1;
	/* The leader may be busy with a previous change or new in its term:
	 * retry for a while, as an operator would. */
	for (int tries = 0; tries < 100 && rc; tries++) {
		sbuf_clear(&err);
		rc = add ? raft_add_server(f->s, node, &err) : raft_remove_server(f->s, node, &err);
		if (rc)
			fix_run(f, 100 * SIM_MS);
	}
	if (rc)
		fprintf(stderr, "%s\n", sbuf_str(&err));
	assert_int_equal(rc, 0);
	sbuf_free(&err);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_config, &want));
}

/* add n6: a fresh node joins, catches up, and counts in the majority. */
static void test_add_server(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 21, NULL);
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	assert_int_equal(fix_put(f, -1, "x", "1")->outcome, OUT_OK);
	change(f, 5, true, 0x3f);
	assert_int_equal(sim_nodes(f->s), 6);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(raft_is_member(R(f, 5), 5));
	assert_string_equal(raft_kv_get(R(f, 5)->kv, "x"), "1");
	/* Six members: two down leaves four, still a majority. */
	int l = proto_leader(f->s);
	int down = 0;
	for (int i = 0; i < 6 && down < 2; i++)
		if (i != l && i != 5) {
			sim_crash(f->s, i);
			down++;
		}
	assert_int_equal(fix_put(f, -1, "x", "2")->outcome, OUT_OK);
	assert_true(fix_committed(f, "x", "2"));
	/* Adding n9 creates n7 and n8, which stay outside and never campaign. */
	change(f, 8, true, 0x13f);
	fix_run(f, 3 * SIM_S);
	for (int i = 6; i < 8; i++) {
		assert_int_equal(R(f, i)->st.term, 0);
		assert_false(raft_is_member(R(f, i), i));
	}
	fix_free(f);
}

/* remove a follower: it learns it is out and stays quiet; the cluster
 * commits with the rest. */
static void test_remove_follower(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 22, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	int x = (l + 1) % 5;
	change(f, x, false, 0x1f & ~(1u << x));
	fix_run(f, 500 * SIM_MS);
	int64_t t = R(f, l)->st.term;
	assert_false(raft_is_member(R(f, x), x));
	fix_run(f, 5 * SIM_S);
	assert_int_equal(R(f, x)->st.term, t); /* never campaigned */
	assert_int_equal(proto_leader(f->s), l);
	assert_int_equal(fix_put(f, -1, "y", "1")->outcome, OUT_OK);
	fix_free(f);
}

/* A removed server that restarts (forgetting commitIndex) still knows it
 * was removed, and stays quiet even when the leader no longer talks to it. */
static void test_removed_server_restarts(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 27, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	int x = (l + 1) % 5;
	uint64_t want = 0x1f & ~(1u << x);
	change(f, x, false, want);
	fix_run(f, 500 * SIM_MS);
	change(f, 5, true, want | 0x20); /* another change: x is not in the previous one */
	fix_run(f, 500 * SIM_MS);
	l = proto_leader(f->s);
	int64_t t = R(f, l)->st.term;
	sim_crash(f->s, x);
	sim_restart(f->s, x);
	fix_run(f, 5 * SIM_S);
	assert_int_equal(proto_leader(f->s), l);
	assert_int_equal(R(f, l)->st.term, t);
	assert_true(R(f, x)->st.term <= t);
	fix_free(f);
}

/* remove the leader: it keeps leading until the change commits, then steps
 * down (thesis §4.2.2); the others elect a leader among themselves. */
static void test_remove_leader(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 23, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	struct sbuf err = {0};
	fix_run(f, 200 * SIM_MS);
	assert_int_equal(raft_remove_server(f->s, l, &err), 0);
	sbuf_free(&err);
	uint64_t want = 7 & ~(1u << l);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_config, &want));
	int l2 = proto_leader(f->s);
	assert_true(l2 >= 0 && l2 != l);
	assert_int_not_equal(R(f, l)->role, RAFT_LEADER);
	assert_int_equal(fix_put(f, -1, "z", "1")->outcome, OUT_OK);
	fix_free(f);
}

/* Changes while nodes are down and the network is split. */
static void test_membership_under_faults(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 24, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	int dead = (l + 4) % 5;
	sim_crash(f->s, dead);
	change(f, 5, true, 0x3f);                     /* 6 members, 5 up */
	change(f, dead, false, 0x3f & ~(1u << dead)); /* drop the dead one */
	l = proto_leader(f->s);
	/* Cut one follower off; 4 of 5 members remain. */
	int cut = (l + 1) % 6 == dead ? (l + 2) % 6 : (l + 1) % 6;
	fix_isolate(f, cut);
	change(f, dead, true, 0x3f); /* and bring it back in */
	sim_restart(f->s, dead);
	sim_heal_all(f->s);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_converged, f));
	assert_int_equal(fix_put(f, -1, "w", "1")->outcome, OUT_OK);
	fix_free(f);
}

/* §7: snapshots keep the log short; a follower that was down receives the
 * leader's snapshot (InstallSnapshot) and catches up; a node restarted
 * from its snapshot rebuilds its state machine. */
static void test_snapshot(void **state)
{
	(void)state;
	const char *opts[] = {"snapshot=20", NULL};
	struct fix *f = fix_new(5, 25, opts);
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	int l = proto_leader(f->s);
	int x = (l + 1) % 5;
	sim_crash(f->s, x);
	char v[16];
	for (int k = 0; k < 100; k++) {
		ns_snprintf(v, sizeof v, "%d", k);
		assert_int_equal(
		    fix_do(f, 1 + k % 3, -1, fix_op(KV_PUT, k % 2 ? "a" : "b", v, NULL))->outcome,
		    OUT_OK);
	}
	fix_run(f, 500 * SIM_MS);
	for (int i = 0; i < 5; i++)
		if (i != x) {
			assert_true(R(f, i)->st.snap_index >= 80);
			assert_true(R(f, i)->st.nlog <= 40);
		}
	int sent = f->sends[RAFT_MSG_SNAPSHOT];
	sim_restart(f->s, x);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(f->sends[RAFT_MSG_SNAPSHOT] > sent);
	assert_true(R(f, x)->st.snap_index >= 80);
	assert_string_equal(raft_kv_get(R(f, x)->kv, "a"), "99");
	/* Sessions travel in the snapshot: a retry of an old write is not
	 * applied again. */
	const struct kv_session *s = raft_kv_session(R(f, x)->kv, 1);
	assert_non_null(s);
	/* Crash everyone; the snapshot and the log rebuild the state. */
	for (int i = 0; i < 5; i++)
		sim_crash(f->s, i);
	for (int i = 0; i < 5; i++)
		sim_restart(f->s, i);
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(fix_committed(f, "a", "99"));
	assert_true(fix_committed(f, "b", "98"));
	fix_free(f);
}

/* Bounded memory over a long run: 3000 writes with snapshot=100. */
static void test_bounded_log(void **state)
{
	(void)state;
	const char *opts[] = {"snapshot=100", NULL};
	struct fix *f = fix_new(3, 26, opts);
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	int issued = 0;
	while (issued < 3000) {
		for (int c = 1; c <= 8; c++)
			if (!sim_client_busy(f->s, c)) {
				struct kv_op op = fix_op(KV_PUT, "k", "v", NULL);
				ns_snprintf(op.key, sizeof op.key, "k%d", issued % 50);
				sim_client_invoke(f->s, c, -1, &op);
				issued++;
			}
		fix_run(f, 5 * SIM_MS);
	}
	fix_run(f, 2 * SIM_S);
	for (int i = 0; i < 3; i++) {
		assert_true(R(f, i)->st.snap_index > 2500);
		assert_true(R(f, i)->st.nlog <= 200);
		assert_true(R(f, i)->st.caplog <= 512);
	}
	fix_free(f);
}

struct chaos {
	struct fix *f;
	struct rng g;
	int changes; /* configuration changes accepted */
};

/* One random fault or membership change, every 100 ms to 1 s. */
static void chaos_step(void *ctx, struct sim *s, uint64_t arg)
{
	struct chaos *c = ctx;
	int n = sim_nodes(s);
	int a = (int)rng_below(&c->g, (uint64_t)n);
	struct sbuf err = {0};
	switch (rng_below(&c->g, 8)) {
	case 0: sim_crash(s, a); break;
	case 1:
	case 2: sim_restart(s, a); break;
	case 3: {
		int g[SIM_MAX_NODES];
		for (int i = 0; i < n; i++)
			g[i] = (int)rng_below(&c->g, 2);
		sim_partition(s, g);
		break;
	}
	case 4: sim_heal_all(s); break;
	case 5:
		if (raft_add_server(s, n < 9 ? n : a, &err) == 0)
			c->changes++;
		break;
	case 6:
	case 7:
		if (raft_remove_server(s, a, &err) == 0)
			c->changes++;
		break;
	}
	sbuf_free(&err);
	if (sim_now(s) < 15 * SIM_S)
		sim_schedule(s, sim_now(s) + (sim_time)rng_range(&c->g, 100, 1000) * SIM_MS,
			     chaos_step, c, arg);
}

static bool p_committed_live(void *ctx, struct sim *s)
{
	(void)s;
	return fix_committed(ctx, "live", "1");
}

/* Membership changes among crashes and partitions, over many seeds: the
 * invariants hold after every event, and once the faults stop a leader is
 * elected and a write commits. */
static void test_membership_chaos(void **state)
{
	(void)state;
	int changes = 0;
	const char *env = getenv("RAFT_CHAOS_SEEDS");
	uint64_t seeds = env ? strtoull(env, NULL, 10) : 60;
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		static const char *const optsets[][3] = {{NULL},
							 {"prevote=on", "checkquorum=on", NULL},
							 {"snapshot=10", "batch=2", NULL}};
		struct fix *f = fix_new(3 + (int)(seed % 3), seed, optsets[seed / 3 % 3]);
		struct chaos c = {.f = f};
		rng_seed(&c.g, seed * 7919);
		sim_schedule(f->s, 500 * SIM_MS, chaos_step, &c, 0);
		for (sim_time t = 0; t < 15 * SIM_S; t += 50 * SIM_MS) {
			int cl = sim_client_idle(f->s, 1);
			if (cl <= 4) {
				struct kv_op op = fix_op(KV_APPEND, "k", "x", NULL);
				sim_client_invoke(f->s, cl, -1, &op);
			}
			fix_run(f, 50 * SIM_MS);
		}
		fix_run(f, 1 * SIM_S);
		sim_heal_all(f->s);
		for (int i = 0; i < sim_nodes(f->s); i++)
			sim_restart(f->s, i);
		fix_check(f);
		if (fix_leader(f, 10 * SIM_S) < 0) {
			fprintf(stderr, "seed %llu: no leader after the faults\n",
				(unsigned long long)seed);
			for (int i = 0; i < sim_nodes(f->s); i++) {
				char cfg[80];
				raft_config_fmt(&R(f, i)->cfg, cfg, sizeof cfg);
				fprintf(stderr,
					"  n%d %s t%lld last %lld/t%lld commit %lld cfg %s @%lld\n",
					i + 1, raft_role_name(R(f, i)->role),
					(long long)R(f, i)->st.term,
					(long long)raft_last_index(R(f, i)),
					(long long)raft_last_term(R(f, i)),
					(long long)R(f, i)->commit, cfg,
					(long long)R(f, i)->cfg_index);
			}
			fail();
		}
		sim_client_config(f->s)->deadline = 10 * SIM_S;
		struct kv_op op = fix_op(KV_PUT, "live", "1", NULL);
		sim_client_invoke(f->s, sim_client_idle(f->s, 100), -1, &op);
		bool ok = sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_committed_live, f);
		if (!ok)
			fprintf(stderr, "seed %llu: no committed write after the faults\n",
				(unsigned long long)seed);
		assert_true(ok);
		changes += c.changes;
		fix_free(f);
	}
	fprintf(stderr, "%d configuration changes accepted\n", changes);
	assert_true(changes > (int)seeds * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_server),
	    cmocka_unit_test(test_remove_follower),
	    cmocka_unit_test(test_remove_leader),
	    cmocka_unit_test(test_membership_under_faults),
	    cmocka_unit_test(test_snapshot),
	    cmocka_unit_test(test_bounded_log),
	    cmocka_unit_test(test_removed_server_restarts),
	    cmocka_unit_test(test_membership_chaos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

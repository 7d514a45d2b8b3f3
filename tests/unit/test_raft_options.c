/*
 * test_raft_options.c — the behaviours the options switch: PreVote against a
 * disruptive rejoining node (thesis §9.6), and the three read paths
 * (thesis §6.4): local reads that are stale, ReadIndex that is not, and a
 * lease that clock skew breaks.
 */
#include "raft_fixture.h"

/* A follower cut off for a while keeps raising its term. Without PreVote,
 * when it comes back its RequestVote makes the whole cluster move to its
 * term — the leader steps down although nothing was wrong (thesis §9.6).
 * With PreVote its pre-votes are refused (the others hear their leader),
 * no term changes, and the leader stays. */
static void run_disruptive(bool prevote)
{
	const char *opts[] = {prevote ? "prevote=on" : "prevote=off", NULL};
	struct fix *f = fix_new(5, 11, opts);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	int64_t t = R(f, l)->st.term;
	int x = (l + 2) % 5;
	fix_isolate(f, x);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK); /* x falls behind */
	fix_run(f, 3 * SIM_S);
	if (prevote) {
		assert_int_equal(R(f, x)->st.term, t);
		assert_int_equal(R(f, x)->role, RAFT_PRECANDIDATE);
	} else {
		assert_true(R(f, x)->st.term > t + 3);
	}
	int64_t xt = R(f, x)->st.term;
	sim_heal_all(f->s);
	fix_run(f, 2 * SIM_S);
	int l2 = proto_leader(f->s);
	assert_true(l2 >= 0);
	if (prevote) {
		assert_int_equal(l2, l);
		assert_int_equal(R(f, l2)->st.term, t);
		assert_int_equal(R(f, x)->role, RAFT_FOLLOWER);
	} else {
		assert_true(R(f, l2)->st.term >= xt); /* everybody moved to x's term */
		assert_true(l2 != x);                 /* whose log was too old to win */
	}
	assert_true(fix_converged(f));
	fix_free(f);
}

static void test_disruptive_without_prevote(void **state)
{
	(void)state;
	run_disruptive(false);
}

static void test_disruptive_with_prevote(void **state)
{
	(void)state;
	run_disruptive(true);
}

/* The client waits on one node only (no retry elsewhere) for `d`. */
static const struct client_op *get_only_at(struct fix *f, int node, const char *key, sim_time d)
{
	struct client_config saved = *sim_client_config(f->s);
	sim_client_config(f->s)->attempt_timeout = d;
	sim_client_config(f->s)->deadline = d;
	const struct client_op *op = fix_get(f, node, key);
	*sim_client_config(f->s) = saved;
	return op;
}

/* reads=local: a node cut off from the leader answers from its own, old,
 * state. */
static void test_local_read_is_stale(void **state)
{
	(void)state;
	const char *opts[] = {"reads=local", NULL};
	struct fix *f = fix_new(5, 12, opts);
	int l = fix_leader(f, 5 * SIM_S);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	int x = (l + 1) % 5;
	fix_isolate(f, x);
	assert_int_equal(fix_put(f, l, "x", "2")->outcome, OUT_OK);
	const struct client_op *op = get_only_at(f, x, "x", 1 * SIM_S);
	assert_int_equal(op->outcome, OUT_OK);
	assert_string_equal(op->result, "1"); /* stale */
	op = get_only_at(f, l, "x", 1 * SIM_S);
	assert_string_equal(op->result, "2");
	fix_free(f);
}

/* reads=readindex: a deposed leader stranded in a minority cannot confirm
 * its leadership, so it never answers with its old value; the leader of
 * the majority answers the new one. */
static void test_readindex_is_not_stale(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 13, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	fix_split(f, 1u << l);
	fix_run(f, 1 * SIM_S);
	int l2 = proto_leader(f->s);
	assert_true(l2 >= 0 && l2 != l);
	assert_int_equal(R(f, l)->role, RAFT_LEADER); /* still thinks so */
	assert_int_equal(fix_put(f, l2, "x", "2")->outcome, OUT_OK);
	const struct client_op *op = get_only_at(f, l, "x", 1 * SIM_S);
	assert_int_not_equal(op->outcome, OUT_OK);
	op = get_only_at(f, l2, "x", 1 * SIM_S);
	assert_int_equal(op->outcome, OUT_OK);
	assert_string_equal(op->result, "2");
	fix_free(f);
}

/* reads=lease: the same stranded leader serves reads alone while its lease
 * lasts. With sane clocks the lease ends before the majority can elect
 * another leader, so no read is stale. A clock that jumps back (skew)
 * stretches the lease in real time: the old leader answers with its old
 * value while the new leader has committed a new one. */
static void run_lease(bool skew)
{
	const char *opts[] = {"reads=lease", NULL};
	struct fix *f = fix_new(5, 14, opts);
	int l = fix_leader(f, 5 * SIM_S);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	/* A lease read: answered at once, from the leader's own state. */
	const struct client_op *op = get_only_at(f, l, "x", 1 * SIM_S);
	assert_int_equal(op->outcome, OUT_OK);
	assert_true(op->completed - op->invoked <= 2 * sim_client_config(f->s)->latency);
	fix_split(f, 1u << l);
	if (skew)
		sim_set_skew(f->s, l, -3 * SIM_S);
	int l2 = -1;
	uint64_t others = 0x1f & ~(1u << l);
	sim_time deadline = sim_now(f->s) + 5 * SIM_S;
	while (sim_now(f->s) < deadline) {
		fix_run(f, 10 * SIM_MS);
		l2 = -1;
		for (int i = 0; i < 5; i++)
			if ((others >> i & 1) && R(f, i)->role == RAFT_LEADER)
				l2 = i;
		if (l2 >= 0)
			break;
	}
	assert_true(l2 >= 0);
	assert_int_equal(fix_put(f, l2, "x", "2")->outcome, OUT_OK);
	op = get_only_at(f, l, "x", 1 * SIM_S);
	if (skew) {
		assert_int_equal(op->outcome, OUT_OK);
		assert_string_equal(op->result, "1"); /* stale: the lease outlived its term */
	} else {
		assert_int_not_equal(op->outcome, OUT_OK);
	}
	fix_free(f);
}

static void test_lease_read(void **state)
{
	(void)state;
	run_lease(false);
}

static void test_lease_broken_by_skew(void **state)
{
	(void)state;
	run_lease(true);
}

/* Options change while running (`set`): CheckQuorum switched on later. */
static void test_live_checkquorum(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 15, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	fix_split(f, 1u << l);
	fix_run(f, 2 * SIM_S);
	assert_int_equal(R(f, l)->role, RAFT_LEADER);
	int idx = proto_option_index(&raft_ops, "checkquorum");
	sim_opts_mut(f->s)->v[idx].i = 1;
	for (int i = 0; i < 3; i++)
		raft_ops.option_changed(R(f, i), idx);
	fix_run(f, 1 * SIM_S);
	assert_int_not_equal(R(f, l)->role, RAFT_LEADER);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disruptive_without_prevote),
	    cmocka_unit_test(test_disruptive_with_prevote),
	    cmocka_unit_test(test_local_read_is_stale),
	    cmocka_unit_test(test_readindex_is_not_stale),
	    cmocka_unit_test(test_lease_read),
	    cmocka_unit_test(test_lease_broken_by_skew),
	    cmocka_unit_test(test_live_checkquorum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

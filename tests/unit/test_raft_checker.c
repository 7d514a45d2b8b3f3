/*
 * test_raft_checker.c — the invariant checker can fail: each Figure 3
 * property, broken on purpose by writing into a node's state, is reported
 * by name with the nodes and the index.
 */
#include "raft_fixture.h"

/* A healthy 5-node cluster with a few committed writes; returns the leader. */
static int healthy(struct fix *f)
{
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(fix_put(f, l, "x", "v")->outcome, OUT_OK);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	fix_check(f);
	return l;
}

static void expect_violation(struct fix *f, const char *property)
{
	const char *why = NULL;
	assert_false(inv_watch_ok(f->w, &why, NULL));
	fprintf(stderr, "  reported: %s\n", why);
	assert_non_null(strstr(why, property));
	inv_watch_free(f->w);
	sim_free(f->s);
	free(f);
}

static struct raft_entry other_entry(int64_t term)
{
	struct raft_entry e;
	memset(&e, 0, sizeof e);
	e.term = term;
	e.type = RAFT_ENTRY_CMD;
	e.client = 77;
	e.seq = 1;
	e.op = fix_op(KV_PUT, "evil", "1", NULL);
	return e;
}

static void test_election_safety(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 31, NULL);
	int l = healthy(f);
	int x = (l + 1) % 5;
	R(f, x)->role = RAFT_LEADER; /* same term as l */
	expect_violation(f, "Election Safety");
}

static void test_leader_append_only(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 32, NULL);
	int l = healthy(f);
	raft_log_truncate(R(f, l), raft_last_index(R(f, l)));
	expect_violation(f, "Leader Append-Only");
}

static void test_log_matching(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 33, NULL);
	int l = healthy(f);
	int x = (l + 1) % 5;
	struct raft *r = R(f, x);
	int64_t i = raft_last_index(r);
	struct raft_entry e = other_entry(raft_term_at(r, i));
	raft_log_truncate(r, i);
	raft_log_append(r, &e);
	expect_violation(f, "Log Matching");
}

static void test_leader_completeness(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 34, NULL);
	int l = healthy(f);
	int x = (l + 1) % 5;
	struct raft *r = R(f, x);
	raft_log_truncate(r, r->commit); /* loses a committed entry */
	r->st.term++;
	r->role = RAFT_LEADER;
	expect_violation(f, "Leader Completeness");
}

static void test_state_machine_safety(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 35, NULL);
	int l = healthy(f);
	int x = (l + 1) % 5;
	/* x applies, at the next index, an entry that nobody else has. */
	struct raft_entry e = other_entry(R(f, l)->st.term + 5);
	raft_log_append(R(f, x), &e);
	R(f, x)->commit = raft_last_index(R(f, x));
	raft_apply(R(f, x));
	assert_true(inv_watch_ok(f->w, NULL, NULL)); /* nobody else committed there yet */
	/* The leader commits its own entry at that index. */
	assert_int_equal(fix_put(f, l, "x", "w")->outcome, OUT_OK);
	expect_violation(f, "State Machine Safety");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_election_safety),      cmocka_unit_test(test_leader_append_only),
	    cmocka_unit_test(test_log_matching),         cmocka_unit_test(test_leader_completeness),
	    cmocka_unit_test(test_state_machine_safety),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_raft_paper.c — the paper's own figures, replayed: Figure 7 (follower
 * logs repaired by a new leader), Figure 8 (why a leader never commits an
 * entry of an earlier term by counting replicas), fast backtracking over a
 * long divergent log (§5.3), and split votes (§5.2). The Figure 3
 * invariants are checked after every event throughout.
 */
#include "raft_fixture.h"

/* Figure 7: "When the leader at the top comes to power, it is possible
 * that any of scenarios (a-f) could occur in follower logs." The leader of
 * term 8 makes every follower's log identical to its own: (a), (b), (e)
 * are missing entries, (c), (d) have extra uncommitted ones, (f) has
 * entries of terms 2 and 3 that no other server has. */
static void test_figure7(void **state)
{
	(void)state;
	static const int leader[] = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
	static const int a[] = {1, 1, 1, 4, 4, 5, 5, 6, 6};
	static const int b[] = {1, 1, 1, 4};
	static const int c[] = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6};
	static const int d[] = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7};
	static const int e[] = {1, 1, 1, 4, 4, 4, 4};
	static const int ff[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3};
	struct fix *f = fix_new(7, 70, NULL);
	fix_set_log(f, 0, leader, 10, 7);
	fix_set_log(f, 1, a, 9, 7);
	fix_set_log(f, 2, b, 4, 7);
	fix_set_log(f, 3, c, 11, 7);
	fix_set_log(f, 4, d, 12, 7);
	fix_set_log(f, 5, e, 7, 7);
	fix_set_log(f, 6, ff, 11, 7);
	/* n1's timeout fires first: it campaigns for term 8. (c) and (d)
	 * refuse (their logs are more up-to-date, §5.4.1); the others grant. */
	raft_on_election_timeout(R(f, 0));
	int l = fix_leader(f, 1 * SIM_S);
	assert_int_equal(l, 0);
	assert_int_equal(R(f, 0)->st.term, 8);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	for (int i = 1; i < 7; i++)
		assert_true(fix_same_log(f, 0, i));
	/* 10 entries of the old leader plus its no-op, all committed now. */
	assert_int_equal(raft_last_index(R(f, 0)), 11);
	assert_int_equal(R(f, 6)->commit, 11);
	assert_int_equal(raft_term_at(R(f, 6), 4), 4);  /* (f)'s term 2 is gone */
	assert_int_equal(raft_term_at(R(f, 4), 11), 8); /* (d)'s term 7 is gone */
	assert_true(fix_committed(f, "x", "10@t6"));
	fix_free(f);
}

struct match_ctx {
	struct fix *f;
	int leader;
	int64_t k;
	int who;
};

/* Some follower other than `skip` has entry k but not k+1, as the leader
 * knows it. */
static bool p_only_k(void *ctx, struct sim *s)
{
	struct match_ctx *c = ctx;
	(void)s;
	const struct raft *l = R(c->f, c->leader);
	for (int p = 0; p < 5; p++)
		if (p != c->leader && p != c->who && l->peer[p].match == c->k)
			return true;
	return false;
}

static bool p_leader_among(void *ctx, struct sim *s)
{
	uint64_t mask = *(uint64_t *)ctx;
	for (int i = 0; i < sim_nodes(s); i++)
		if ((mask >> i & 1) && sim_node(s, i)->up && raft_of(s, i)->role == RAFT_LEADER)
			return true;
	return false;
}

/* Figure 8, step by step, with batch=1 so that a leader sends one entry at
 * a time and the moment of (c) — an old entry on a majority — can be held.
 * "(a) S1 is leader and partially replicates the log entry at index 2.
 *  (b) S1 crashes; S5 is elected leader for term 3 with votes from S3, S4,
 *      and itself, and accepts a different entry at log index 2.
 *  (c) S5 crashes; S1 restarts, is elected leader, and continues
 *      replication. At this point, the log entry from term 2 has been
 *      replicated on a majority of the servers, but it is not committed.
 *  (d) If S1 crashes, S5 could be elected leader (with votes from S2, S3,
 *      and S4) and overwrite the entry with its own entry from term 3." */
static void test_figure8(void **state)
{
	(void)state;
	const char *opts[] = {"batch=1", NULL};
	struct fix *f = fix_new(5, 80, opts);
	int s1 = fix_leader(f, 5 * SIM_S);
	assert_true(s1 >= 0);
	assert_int_equal(fix_put(f, s1, "x", "0")->outcome, OUT_OK);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	int s2 = (s1 + 1) % 5;
	int64_t k = raft_last_index(R(f, s1)) + 1;
	int64_t t1 = R(f, s1)->st.term;

	/* (a) S1 replicates the entry at k to S2 only. */
	for (int j = 0; j < 5; j++)
		if (j != s1 && j != s2) {
			sim_cut(f->s, s1, j);
			sim_cut(f->s, j, s1);
		}
	struct client_req req = {.op_id = 1u << 30,
				 .attempt = 1,
				 .client = 7,
				 .seq = 1,
				 .op = fix_op(KV_PUT, "x", "a", NULL)};
	raft_on_client(R(f, s1), &req);
	fix_run(f, 100 * SIM_MS);
	assert_int_equal(raft_term_at(R(f, s2), k), t1);

	/* (b) S1 crashes; S2 is cut off; S5 (one of the other three) is
	 * elected and appends its no-op at k, which nobody else receives. */
	sim_crash(f->s, s1);
	fix_isolate(f, s2);
	uint64_t rest = 0x1f & ~(1u << s1) & ~(1u << s2);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_leader_among, &rest));
	int s5 = proto_leader(f->s);
	assert_true(s5 >= 0 && (rest >> s5 & 1));
	int64_t t2 = R(f, s5)->st.term;
	assert_int_equal(raft_term_at(R(f, s5), k), t2);
	fix_isolate(f, s5); /* its AppendEntries die on the wire */
	sim_crash(f->s, s5);

	/* (c) S1 restarts and is elected (S1 and S2 hold the entry of term
	 * t1 at k, which makes their logs the most up-to-date). */
	sim_heal_all(f->s);
	fix_isolate(f, s5);
	sim_restart(f->s, s1);
	uint64_t pair = (1u << s1) | (1u << s2);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_leader_among, &pair));
	int l3 = proto_leader(f->s);
	int other = l3 == s1 ? s2 : s1;
	int64_t t3 = R(f, l3)->st.term;
	assert_true(t3 > t2);
	/* Run until a third server holds the entry of term t1 at k — a
	 * majority — but not yet the new leader's no-op at k + 1. */
	struct match_ctx mc = {f, l3, k, other};
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_only_k, &mc));
	/* The rule of §5.4.2: on a majority, but of an earlier term: not
	 * committed. */
	assert_true(R(f, l3)->commit < k);

	/* (d) The leader (and the other holder of its no-op) crash; S5
	 * restarts and wins with the votes of the remaining two, whose logs
	 * end in term t1 < t2, and overwrites the entry at k. */
	fix_isolate(f, l3);
	sim_crash(f->s, l3);
	sim_crash(f->s, other);
	sim_heal_all(f->s);
	sim_restart(f->s, s5);
	uint64_t just5 = 1u << s5;
	assert_true(sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_leader_among, &just5));
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	for (int j = 0; j < 5; j++)
		if (sim_node(f->s, j)->up)
			assert_int_equal(raft_term_at(R(f, j), k), t2);
	/* Everyone back: the entry of term t1 at k is gone everywhere, and
	 * nothing committed was lost (the checker watched every step). */
	sim_restart(f->s, l3);
	sim_restart(f->s, other);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	for (int j = 0; j < 5; j++)
		assert_int_equal(raft_term_at(R(f, j), k), t2);
	assert_true(fix_committed(f, "x", "0"));
	fix_free(f);
}

/* §5.3: "the leader can decrement nextIndex to bypass all of the
 * conflicting entries in that term; one AppendEntries RPC will be required
 * for each term with conflicting entries, rather than one RPC per entry."
 * A leader stranded alone appends 300 entries; the majority commits 300
 * others; after healing the stranded node's log is repaired with a handful
 * of rejections, not 300. */
static void test_fast_backtracking(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 90, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	fix_isolate(f, l);
	for (int i = 0; i < 300; i++) {
		struct client_req req = {.op_id = 1u << 30,
					 .client = 5,
					 .seq = (uint64_t)i + 1,
					 .op = fix_op(KV_PUT, "x", "stale", NULL)};
		raft_on_client(R(f, l), &req);
	}
	uint64_t others = 7 & ~(1u << l);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_leader_among, &others));
	int l2 = proto_leader(f->s);
	for (int i = 0; i < 300; i++) {
		struct client_req req = {.op_id = 1u << 30,
					 .client = 6,
					 .seq = (uint64_t)i + 1,
					 .op = fix_op(KV_PUT, "x", "fresh", NULL)};
		raft_on_client(R(f, l2), &req);
	}
	fix_run(f, 2 * SIM_S);
	assert_true(R(f, l2)->commit >= 300);
	f->rejects = 0;
	sim_heal_all(f->s);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(fix_same_log(f, l, l2));
	assert_true(f->rejects <= 4);
	assert_true(fix_committed(f, "x", "fresh"));
	fix_free(f);
}

/* §5.2: with an even cluster and a narrow timeout range, candidates split
 * the vote; randomized timeouts resolve it within a few terms. */
static void test_split_votes(void **state)
{
	(void)state;
	const char *opts[] = {"election=150ms..170ms", NULL};
	int splits = 0;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct fix *f = fix_new(6, seed, opts);
		int l = fix_leader(f, 20 * SIM_S);
		assert_true(l >= 0);
		if (R(f, l)->st.term > 1)
			splits++;
		fix_free(f);
	}
	assert_true(splits >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_figure7),
	    cmocka_unit_test(test_figure8),
	    cmocka_unit_test(test_fast_backtracking),
	    cmocka_unit_test(test_split_votes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

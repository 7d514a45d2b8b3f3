/*
 * test_raft_transfer.c — leadership transfer (Ongaro's thesis §3.10,
 * src/proto/raft_transfer.c): the target catches up and wins at once even
 * with sticky followers; a transfer to a cut-off target is aborted after
 * the minimum election timeout and the leader takes writes again; while a
 * transfer runs nothing new enters the leader's log; the refusals.
 */
#include "raft_fixture.h"

static int transfer(struct fix *f, int target, struct sbuf *err)
{
	struct proto_args a = {.n = 1};
	a.a[0].kind = ARG_NODE;
	a.a[0].present = true;
	a.a[0].node = target;
	return raft_cmd_transfer(f->s, &a, err);
}

/* Starts node i's election now (as `campaign`), the configuration fixed. */
static void campaign(struct fix *f, int i)
{
	for (int k = 0; k < sim_nodes(f->s); k++)
		raft_boot(R(f, k));
	raft_on_election_timeout(R(f, i));
}

/* A leader elected by hand (long timeouts: nobody else campaigns). */
static struct fix *elected(const char *const *opts, int leader)
{
	struct fix *f = fix_new(5, 11, opts);
	campaign(f, leader);
	assert_int_equal(fix_leader(f, 1 * SIM_S), leader);
	fix_run(f, 100 * SIM_MS);
	assert_int_equal(fix_put(f, leader, "x", "1")->outcome, OUT_OK);
	return f;
}

/* "the prior leader sends its log entries to the target server, then the
 * target server runs an election without waiting for an election timeout
 * to elapse." With prevote and checkquorum every follower is sticky
 * (thesis §4.2.3), and still the target wins: its RequestVote carries the
 * transfer flag, and it skips the pre-vote. */
static void test_transfer_sticky(void **state)
{
	(void)state;
	const char *opts[] = {"election=2s..3s", "prevote=on", "checkquorum=on", NULL};
	struct fix *f = elected(opts, 0);
	int64_t term = R(f, 0)->st.term;
	/* n4 misses a write: the leader must send it before TimeoutNow. */
	int g[] = {0, 0, 0, 1, 0};
	sim_partition(f->s, g);
	assert_int_equal(fix_put(f, 0, "y", "2")->outcome, OUT_OK);
	int none[] = {0, 0, 0, 0, 0};
	sim_partition(f->s, none);
	assert_true(R(f, 3)->st.nlog < R(f, 0)->st.nlog);
	int sent = f->sends[RAFT_MSG_TIMEOUT_NOW];
	struct sbuf err = {0};
	assert_int_equal(transfer(f, 3, &err), 0);
	assert_true(raft_transferring(R(f, 0)));
	/* Step 2 comes first: no TimeoutNow while n4's log is short. */
	assert_int_equal(f->sends[RAFT_MSG_TIMEOUT_NOW], sent);
	assert_int_equal(fix_leader(f, 0), 0);
	/* Well within an election timeout, n4 leads in the next term. */
	fix_run(f, 300 * SIM_MS);
	assert_int_equal(proto_leader(f->s), 3);
	assert_int_equal(R(f, 3)->st.term, term + 1);
	assert_int_equal(f->sends[RAFT_MSG_TIMEOUT_NOW], sent + 1);
	assert_int_equal(f->sends[RAFT_MSG_PREVOTE], 4); /* n1's only, at the start */
	assert_int_equal(R(f, 0)->role, RAFT_FOLLOWER);
	assert_false(raft_transferring(R(f, 0)));
	assert_int_equal(fix_put(f, -1, "z", "3")->outcome, OUT_OK);
	assert_string_equal(raft_kv_get(R(f, 3)->kv, "y"), "2");
	sbuf_free(&err);
	fix_free(f);
}

/* "If leadership transfer does not complete after about an election
 * timeout, the prior leader aborts the transfer and resumes accepting
 * client requests." The target is cut off, so TimeoutNow is lost. */
static void test_transfer_abort(void **state)
{
	(void)state;
	const char *opts[] = {"election=1s..2s", NULL};
	struct fix *f = elected(opts, 0);
	int g[] = {0, 1, 0, 0, 0};
	sim_partition(f->s, g);
	struct sbuf err = {0};
	sim_time start = sim_now(f->s);
	assert_int_equal(transfer(f, 1, &err), 0);
	/* Step 1: a write is refused, not appended. */
	int64_t last = raft_last_index(R(f, 0));
	struct kv_op op = fix_op(KV_PUT, "w", "9", NULL);
	sim_client_invoke(f->s, 3, 0, &op);
	sim_run_until(f->s, start + 1 * SIM_S - 1);
	assert_true(raft_transferring(R(f, 0)));
	assert_int_equal(raft_last_index(R(f, 0)), last);
	/* The minimum election timeout: aborted, exactly then. */
	sim_run_until(f->s, start + 1 * SIM_S);
	assert_false(raft_transferring(R(f, 0)));
	assert_int_equal(proto_leader(f->s), 0);
	assert_int_equal(fix_put(f, 0, "x", "2")->outcome, OUT_OK);
	assert_int_equal(R(f, 0)->st.term, 1);
	sbuf_free(&err);
	fix_free(f);
}

/* What the command refuses (PROTO_REFUSED: the cluster cannot do it now),
 * and configuration changes refused while a transfer runs. */
static void test_transfer_refused(void **state)
{
	(void)state;
	const char *opts[] = {"election=2s..3s", NULL};
	struct fix *f = fix_new(5, 11, opts);
	struct sbuf err = {0};
	assert_int_equal(transfer(f, 1, &err), PROTO_REFUSED); /* no leader */
	campaign(f, 0);
	assert_int_equal(fix_leader(f, 1 * SIM_S), 0);
	fix_run(f, 100 * SIM_MS);
	assert_int_equal(transfer(f, 0, &err), PROTO_REFUSED); /* already the leader */
	sim_crash(f->s, 4);
	assert_int_equal(transfer(f, 4, &err), PROTO_REFUSED); /* down */
	int g[] = {0, 1, 0, 0, 0};
	sim_partition(f->s, g);
	assert_int_equal(transfer(f, 1, &err), 0);
	assert_int_equal(transfer(f, 2, &err), PROTO_REFUSED); /* one at a time */
	assert_int_equal(raft_remove_server(f->s, 3, &err), PROTO_REFUSED);
	assert_int_equal(R(f, 0)->transfer_to, 1);
	sbuf_free(&err);
	fix_free(f);
}

/* A TimeoutNow of an older term (a deposed leader's, delayed) is ignored. */
static void test_stale_timeout_now(void **state)
{
	(void)state;
	const char *opts[] = {"election=2s..3s", NULL};
	struct fix *f = elected(opts, 0);
	campaign(f, 2);
	fix_run(f, 300 * SIM_MS);
	assert_int_equal(proto_leader(f->s), 2);
	struct raft_wire_timeout_now w = {.term = 1, .leader = 0};
	struct msg m = {.from = 0, .to = 1, .type = RAFT_MSG_TIMEOUT_NOW, .len = sizeof w};
	m.data = &w;
	int64_t term = R(f, 1)->st.term;
	raft_recv_timeout_now(R(f, 1), &m);
	assert_int_equal(R(f, 1)->st.term, term);
	assert_int_equal(R(f, 1)->role, RAFT_FOLLOWER);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transfer_sticky),
	    cmocka_unit_test(test_transfer_abort),
	    cmocka_unit_test(test_transfer_refused),
	    cmocka_unit_test(test_stale_timeout_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_raft.c — Raft's election, replication, persistence and client
 * semantics, driven through the simulator with the Figure 3 invariants
 * checked after every event (fix_free asserts none was violated).
 */
#include "raft_fixture.h"

/* §5.2: a leader emerges, alone, and every node agrees on its term. */
static void test_first_election(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 1, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	fix_run(f, 1 * SIM_S);
	assert_int_equal(fix_nleaders(f), 1);
	assert_int_equal(proto_leader(f->s), l);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(R(f, i)->st.term, R(f, l)->st.term);
		assert_int_equal(R(f, i)->leader, l);
		assert_int_equal(R(f, i)->commit, 1); /* the leader's no-op */
	}
	fix_free(f);
}

/* Figure 2: after the leader crashes, another is elected in a later term;
 * the old one rejoins as a follower. */
static void test_reelection(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 2, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	int64_t t = R(f, l)->st.term;
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	sim_crash(f->s, l);
	int l2 = fix_leader(f, 5 * SIM_S);
	assert_true(l2 >= 0 && l2 != l);
	assert_true(R(f, l2)->st.term > t);
	sim_restart(f->s, l);
	fix_run(f, 2 * SIM_S);
	assert_int_equal(R(f, l)->role, RAFT_FOLLOWER);
	assert_int_equal(R(f, l)->leader, proto_leader(f->s));
	assert_true(fix_committed(f, "x", "1"));
	assert_true(fix_converged(f));
	fix_free(f);
}

struct never_ctx {
	struct fix *f;
	uint64_t mask;
};

static bool p_leader_in(void *ctx, struct sim *s)
{
	struct never_ctx *c = ctx;
	for (int i = 0; i < sim_nodes(s); i++)
		if ((c->mask >> i & 1) && sim_node(s, i)->up && raft_of(s, i)->role == RAFT_LEADER)
			return true;
	return false;
}

/* §5.2: a lone node never becomes leader; a minority never elects one,
 * however long it tries. */
static void test_minority_no_leader(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 3, NULL);
	fix_isolate(f, 0);
	struct never_ctx c = {f, 1};
	assert_false(sim_run_while(f->s, 10 * SIM_S, p_leader_in, &c));
	assert_true(R(f, 0)->st.term > 5); /* it kept trying */
	/* Now split 2 | 3 with the leader, if any, in the majority. */
	sim_heal_all(f->s);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	uint64_t minority = 0;
	for (int i = 0, k = 0; i < 5 && k < 2; i++)
		if (i != l) {
			minority |= 1u << i;
			k++;
		}
	fix_split(f, minority);
	c.mask = minority;
	assert_false(sim_run_while(f->s, sim_now(f->s) + 10 * SIM_S, p_leader_in, &c));
	assert_int_equal(proto_leader(f->s), l);
	fix_free(f);
}

/* §5.3: a leader cut off in a minority appends but cannot commit; with
 * CheckQuorum (thesis §6.2) it steps down within an election timeout or
 * two. After healing, its uncommitted entries are overwritten (§5.3) and
 * all logs converge. */
static void run_minority_leader(bool checkquorum)
{
	const char *opts[] = {checkquorum ? "checkquorum=on" : "checkquorum=off", NULL};
	struct fix *f = fix_new(5, 4, opts);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	int other = (l + 1) % 5;
	fix_split(f, (1u << l) | (1u << other));
	int64_t commit = R(f, l)->commit;
	/* A write to the stranded leader: appended, never committed. The
	 * client waits for it there, and does not retry elsewhere. */
	struct client_config saved = *sim_client_config(f->s);
	sim_client_config(f->s)->attempt_timeout = 3 * SIM_S;
	sim_client_config(f->s)->deadline = 3 * SIM_S;
	struct kv_op op = fix_op(KV_PUT, "x", "lost", NULL);
	sim_client_invoke(f->s, 3, l, &op);
	fix_run(f, 1 * SIM_S);
	*sim_client_config(f->s) = saved;
	assert_int_equal(R(f, l)->commit, commit);
	assert_true(raft_last_index(R(f, l)) > commit);
	if (checkquorum)
		assert_int_not_equal(R(f, l)->role, RAFT_LEADER); /* then it campaigns */
	else
		assert_int_equal(R(f, l)->role, RAFT_LEADER);
	/* The majority elects its own leader and commits. */
	int l2 = proto_leader(f->s);
	assert_true(l2 >= 0);
	if (l2 == l) {
		/* proto_leader prefers the higher term: the majority's. */
		fail_msg("stranded leader reported as the leader");
	}
	assert_int_equal(fix_put(f, l2, "x", "2")->outcome, OUT_OK);
	sim_heal_all(f->s);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(fix_committed(f, "x", "2"));
	/* The stranded write is gone from every log. */
	for (int i = 0; i < 5; i++)
		for (int64_t k = R(f, i)->st.snap_index + 1; k <= raft_last_index(R(f, i)); k++)
			assert_string_not_equal(raft_entry_at(R(f, i), k)->op.arg, "lost");
	for (int i = 1; i < 5; i++)
		assert_int_equal(R(f, i)->st.term, R(f, 0)->st.term);
	fix_free(f);
}

static void test_minority_leader(void **state)
{
	(void)state;
	run_minority_leader(false);
}

static void test_minority_leader_checkquorum(void **state)
{
	(void)state;
	run_minority_leader(true);
}

/* §5.1: every node crashes and restarts; nothing committed is lost, since
 * currentTerm, votedFor and the log are on stable storage. */
static void test_all_crash_restart(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 5, NULL);
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	char v[8];
	for (int k = 0; k < 10; k++) {
		ns_snprintf(v, sizeof v, "%d", k);
		assert_int_equal(fix_put(f, -1, "x", v)->outcome, OUT_OK);
	}
	int64_t terms[3];
	for (int i = 0; i < 3; i++) {
		terms[i] = R(f, i)->st.term;
		sim_crash(f->s, i);
	}
	for (int i = 0; i < 3; i++) {
		assert_null(R(f, i)->kv); /* volatile state is gone */
		assert_true(R(f, i)->st.nlog >= 11);
	}
	fix_run(f, 1 * SIM_S);
	for (int i = 0; i < 3; i++) {
		sim_restart(f->s, i);
		assert_int_equal(R(f, i)->st.term, terms[i]);
		assert_int_equal(R(f, i)->commit, 0);
	}
	assert_true(fix_leader(f, 5 * SIM_S) >= 0);
	assert_true(sim_run_while(f->s, sim_now(f->s) + 5 * SIM_S, p_converged, f));
	assert_true(fix_committed(f, "x", "9"));
	assert_int_equal(fix_get(f, -1, "x")->outcome, OUT_OK);
	fix_free(f);
}

/* Loss, duplication and reordering: writes still commit, exactly once. */
static void test_lossy_network(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 6, NULL);
	struct link_config lc = {
	    .latency = 10 * SIM_MS, .jitter = 30 * SIM_MS, .loss_ppm = 300000, .dup_ppm = 100000};
	sim_set_all_links(f->s, &lc);
	sim_client_config(f->s)->deadline = 30 * SIM_S;
	int ok = 0;
	char v[8];
	for (int k = 0; k < 20; k++) {
		ns_snprintf(v, sizeof v, "%c", 'a' + k);
		const struct client_op *op = fix_do(f, 1, -1, fix_op(KV_APPEND, "log", v, NULL));
		if (op->outcome == OUT_OK)
			ok++;
	}
	assert_true(ok >= 15);
	int l = proto_leader(f->s);
	assert_true(l >= 0);
	/* Each letter at most once, in order: exactly-once despite retries. */
	const char *val = raft_kv_get(R(f, l)->kv, "log");
	assert_non_null(val);
	for (size_t i = 1; val[i]; i++)
		assert_true(val[i] > val[i - 1]);
	fix_free(f);
}

/* Thesis §6.3: a retried write with the same (client, seq) is applied once
 * and answered from the session. */
static void test_exactly_once(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 7, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_true(l >= 0);
	struct raft *r = R(f, l);
	struct client_req req = {.op_id = 999,
				 .attempt = 1,
				 .client = 9,
				 .seq = 1,
				 .op = fix_op(KV_APPEND, "y", "a", NULL)};
	int64_t last = raft_last_index(r);
	raft_on_client(r, &req);
	req.attempt = 2;
	raft_on_client(r, &req); /* while in the log: waits, no second entry */
	assert_int_equal(raft_last_index(r), last + 1);
	fix_run(f, 1 * SIM_S);
	req.attempt = 3;
	raft_on_client(r, &req); /* applied: answered from the session */
	assert_int_equal(raft_last_index(r), last + 1);
	assert_string_equal(raft_kv_get(r->kv, "y"), "a");
	const struct kv_session *s = raft_kv_session(r->kv, 9);
	assert_non_null(s);
	assert_int_equal(s->seq, 1);
	/* A duplicate entry in the log (two leaders both appended it) is
	 * applied once. */
	struct raft_kv *kv = raft_kv_new();
	struct raft_entry e;
	memset(&e, 0, sizeof e);
	e.type = RAFT_ENTRY_CMD;
	e.client = 4;
	e.seq = 1;
	e.op = fix_op(KV_APPEND, "z", "q", NULL);
	struct client_reply rep;
	raft_kv_apply(kv, &e, &rep);
	raft_kv_apply(kv, &e, &rep);
	assert_int_equal(rep.status, REPLY_OK);
	assert_string_equal(raft_kv_get(kv, "z"), "q");
	e.seq = 2;
	e.op = fix_op(KV_CAS, "z", "nope", "w");
	raft_kv_apply(kv, &e, &rep);
	assert_int_equal(rep.status, REPLY_CAS_FALSE);
	assert_string_equal(raft_kv_get(kv, "z"), "q");
	raft_kv_free(kv);
	fix_free(f);
}

/* Clients may talk to any node: followers redirect to the leader. */
static void test_redirect(void **state)
{
	(void)state;
	struct fix *f = fix_new(5, 8, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	fix_run(f, 500 * SIM_MS);
	int follower = (l + 2) % 5;
	const struct client_op *op = fix_put(f, follower, "k", "v");
	assert_int_equal(op->outcome, OUT_OK);
	assert_int_equal(op->node, l);
	assert_true(op->attempts >= 2);
	op = fix_do(f, 1, follower, fix_op(KV_CAS, "k", "x", "y"));
	assert_int_equal(op->outcome, OUT_FAIL);
	op = fix_do(f, 1, follower, fix_op(KV_CAS, "k", "v", "w"));
	assert_int_equal(op->outcome, OUT_OK);
	op = fix_get(f, follower, "k");
	assert_int_equal(op->outcome, OUT_OK);
	assert_true(op->found);
	assert_string_equal(op->result, "w");
	fix_free(f);
}

static void check_msg(int type, const void *data, size_t len, const char *want)
{
	struct msg m = {.type = (uint16_t)type, .len = (uint32_t)len, .data = data};
	struct sbuf out = {0};
	raft_ops.node.describe_msg(&m, &out);
	assert_string_equal(sbuf_str(&out), want);
	sbuf_free(&out);
}

/* Messages in words, as the views and the trace show them. */
static void test_describe_msg(void **state)
{
	(void)state;
	struct raft_wire_vote v = {.term = 4, .last_index = 9, .last_term = 3, .candidate = 1};
	check_msg(RAFT_MSG_VOTE, &v, sizeof v, "RequestVote t4 last=9/t3");
	check_msg(RAFT_MSG_PREVOTE, &v, sizeof v, "PreVote t4 last=9/t3");
	struct raft_wire_vote_reply vr = {.term = 4, .granted = 1};
	check_msg(RAFT_MSG_VOTE_REPLY, &vr, sizeof vr, "RequestVote reply t4 granted");
	vr.granted = 0;
	check_msg(RAFT_MSG_PREVOTE_REPLY, &vr, sizeof vr, "PreVote reply t4 refused");
	unsigned char buf[sizeof(struct raft_wire_append) + 2 * sizeof(struct raft_entry)] = {0};
	struct raft_wire_append a = {
	    .term = 3, .prev_index = 7, .prev_term = 2, .commit = 6, .nentries = 2};
	memcpy(buf, &a, sizeof a);
	check_msg(RAFT_MSG_APPEND, buf, sizeof buf, "AppendEntries t3 prev=7/t2 +2 commit=6");
	struct raft_wire_append_reply ar = {.term = 3, .match = 9, .success = 1};
	check_msg(RAFT_MSG_APPEND_REPLY, &ar, sizeof ar, "AppendEntries reply t3 ok match=9");
	ar = (struct raft_wire_append_reply){.term = 3, .conflict_term = 2, .conflict_index = 5};
	check_msg(RAFT_MSG_APPEND_REPLY, &ar, sizeof ar,
		  "AppendEntries reply t3 rejected: log mismatch (conflict t2 from 5)");
	ar = (struct raft_wire_append_reply){.term = 3, .conflict_index = 5};
	check_msg(RAFT_MSG_APPEND_REPLY, &ar, sizeof ar,
		  "AppendEntries reply t3 rejected: log too short (ends at 4)");
	ar = (struct raft_wire_append_reply){.term = 5};
	check_msg(RAFT_MSG_APPEND_REPLY, &ar, sizeof ar,
		  "AppendEntries reply t5 rejected: stale term");
	check_msg(RAFT_MSG_APPEND, buf, 3, "AppendEntries ?");
	struct raft_wire_snapshot_reply sr = {.term = 2, .last_index = 40};
	check_msg(RAFT_MSG_SNAPSHOT_REPLY, &sr, sizeof sr, "InstallSnapshot reply t2 last=40");
}

/* The views: status, details and the log tail of a leader. */
static void test_views(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 9, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	assert_int_equal(fix_put(f, l, "x", "1")->outcome, OUT_OK);
	struct sbuf err = {0};
	assert_int_equal(raft_add_server(f->s, 3, &err), 0);
	sbuf_free(&err);
	fix_run(f, 500 * SIM_MS);
	struct node_view v;
	raft_ops.describe(R(f, l), &v);
	assert_int_equal(v.st.kind, ROLE_LEADER);
	assert_string_equal(v.st.role, "Leader");
	assert_int_equal(v.log_first, 1);
	assert_int_equal(v.log_last, 3);
	assert_int_equal(v.nlog, 3);
	assert_string_equal(v.log[0].cmd, "no-op");
	assert_string_equal(v.log[1].cmd, "put x 1");
	assert_string_equal(v.log[2].cmd, "config +n4");
	assert_int_equal(v.applied, 3);
	bool next_match = false;
	for (int i = 0; i < v.nlines; i++)
		if (strstr(v.lines[i], "n4 4/3"))
			next_match = true;
	assert_true(next_match);
	struct log_view_entry e;
	assert_true(raft_ops.log_entry(R(f, 3), 2, &e));
	assert_string_equal(e.cmd, "put x 1");
	assert_false(raft_ops.log_entry(R(f, 3), 9, &e));
	sim_crash(f->s, 0);
	raft_ops.describe(R(f, 0), &v);
	assert_int_equal(v.applied, -1);
	bool cfg = false;
	for (int i = 0; i < v.nlines; i++)
		if (strstr(v.lines[i], "n1 n2 n3 n4 (index 3)"))
			cfg = true;
	assert_true(cfg); /* read from stable storage while down */
	fix_free(f);
}

/* A leader that cannot commit refuses writes beyond a bound, so its log
 * cannot grow without end; the refusal is certain. */
static void test_uncommitted_bound(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 10, NULL);
	int l = fix_leader(f, 5 * SIM_S);
	fix_isolate(f, l);
	for (int i = 0; i < RAFT_MAX_UNCOMMITTED + 50; i++) {
		struct client_req req = {.op_id = 1u << 30,
					 .client = 5 + i,
					 .seq = 1,
					 .op = fix_op(KV_PUT, "x", "v", NULL)};
		raft_on_client(R(f, l), &req);
	}
	assert_int_equal(raft_last_index(R(f, l)) - R(f, l)->commit, RAFT_MAX_UNCOMMITTED);
	assert_true(R(f, l)->npend <= RAFT_MAX_UNCOMMITTED);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_election),
	    cmocka_unit_test(test_reelection),
	    cmocka_unit_test(test_minority_no_leader),
	    cmocka_unit_test(test_minority_leader),
	    cmocka_unit_test(test_minority_leader_checkquorum),
	    cmocka_unit_test(test_all_crash_restart),
	    cmocka_unit_test(test_lossy_network),
	    cmocka_unit_test(test_exactly_once),
	    cmocka_unit_test(test_redirect),
	    cmocka_unit_test(test_describe_msg),
	    cmocka_unit_test(test_views),
	    cmocka_unit_test(test_uncommitted_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

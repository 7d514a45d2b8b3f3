/*
 * test_raft_timeline.c — the paper's scenarios with every simulated time
 * pinned, in the manner of canonical/raft's integration tests
 * (`STEP_UNTIL_CANDIDATE(0); ASSERT_TIME(1000);`): the first election of a
 * three-node cluster (§5.2), Figure 7's log repair (§5.3) and Figure 8's
 * commitment rule (§5.4.2). Each step runs the simulation one event at a
 * time until something happens, then says when it happened (microseconds
 * of simulated time) and which events led there — state changes,
 * deliveries and drops, one line each, as the trace prints them. The seeds
 * are fixed, so the times are exact: they were read from the real run and
 * pinned. A change to the protocol, the simulator's network or its random
 * draws shows up here first, as a diff of a timeline a reader can follow.
 *
 * Defaults in force: election timeouts drawn from 150ms..300ms, heartbeats
 * every 50ms, links of 10ms ± 5ms jitter. The Figure 3 invariants are
 * checked after every event (raft_fixture.h).
 */
#include "raft_fixture.h"

/* §5.2, with seed 1. */
static void test_first_election(void **state)
{
	(void)state;
	struct fix *f = fix_new(3, 1, NULL);
	fix_mark(f);
	/* "When servers start up, they begin as followers." */
	for (int i = 0; i < 3; i++) {
		ASSERT_ROLE(f, i, RAFT_FOLLOWER);
		ASSERT_TERM(f, i, 0);
	}
	/* "If a follower receives no communication over a period of time
	 * called the election timeout, then it assumes there is no viable
	 * leader and begins an election to choose a new leader." Each timeout
	 * is drawn at random from 150..300ms; n1's, 185.873ms, is the
	 * shortest. "To begin an election, a follower increments its current
	 * term and transitions to candidate state. It then votes for itself
	 * and issues RequestVote RPCs in parallel to each of the other
	 * servers." */
	STEP_UNTIL_CANDIDATE(f, 0);
	ASSERT_TIME(f, 185873);
	ASSERT_TERM(f, 0, 1);
	assert_int_equal(R(f, 0)->st.voted_for, 0);
	ASSERT_EVENTS(f, "185873 n1 became Candidate for term 1");

	/* "A candidate wins an election if it receives votes from a majority
	 * of the servers in the full cluster for the same term. Each server
	 * will vote for at most one candidate in a given term, on a
	 * first-come-first-served basis." n3's vote, with n1's own, is a
	 * majority of three: n1 leads 24.477ms after it began. */
	STEP_UNTIL_LEADER(f, 0);
	ASSERT_TIME(f, 210350);
	ASSERT_TERM(f, 0, 1);
	ASSERT_EVENTS(f, "199330 n1 -> n3 RequestVote t1 last=0/t0",
		      "200267 n1 -> n2 RequestVote t1 last=0/t0",
		      "210350 n3 -> n1 RequestVote reply t1 granted",
		      "210350 n1 became Leader for term 1");
	ASSERT_ROLE(f, 1, RAFT_FOLLOWER);
	ASSERT_ROLE(f, 2, RAFT_FOLLOWER);

	/* "Once a candidate wins an election, it becomes leader. It then sends
	 * heartbeat messages to all of the other servers to establish its
	 * authority." Here they carry the no-op entry of the new term (thesis
	 * §6.4: "each leader commit a blank no-op entry into the log at the
	 * start of its term"). Figure 2: "If there exists an N such that N >
	 * commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term ==
	 * currentTerm: set commitIndex = N" — n2's acknowledgement is that
	 * majority. n2's late vote changes nothing. */
	STEP_UNTIL_COMMIT(f, 0, 1);
	ASSERT_TIME(f, 233607);
	ASSERT_EVENTS(f, "214618 n2 -> n1 RequestVote reply t1 granted",
		      "222682 n1 -> n3 AppendEntries t1 prev=0/t0 +1 commit=0",
		      "222724 n1 -> n2 AppendEntries t1 prev=0/t0 +1 commit=0",
		      "233607 n2 -> n1 AppendEntries reply t1 ok match=1");

	/* Followers learn the commit index from the next heartbeat, 50ms
	 * after the first (sent at 260.350ms). */
	STEP_UNTIL_COMMIT(f, 2, 1);
	ASSERT_TIME(f, 272314);
	STEP_UNTIL_COMMIT(f, 1, 1);
	ASSERT_TIME(f, 274810);
	ASSERT_EVENTS(f, "235417 n3 -> n1 AppendEntries reply t1 ok match=1",
		      "272314 n1 -> n3 AppendEntries t1 prev=1/t1 +0 commit=1",
		      "274810 n1 -> n2 AppendEntries t1 prev=1/t1 +0 commit=1");
	/* And no second election: heartbeats keep resetting the timers. */
	STEP_UNTIL_TIME(f, 2 * SIM_S);
	for (int i = 0; i < 3; i++)
		ASSERT_TERM(f, i, 1);
	ASSERT_ROLE(f, 0, RAFT_LEADER);
	fix_free(f);
}

/* Runs until every follower's log equals n1's; when[i] gets the time at
 * which node i's log first did. */
static void step_until_repaired(struct fix *f, int n, sim_time *when)
{
	for (int i = 1; i < n; i++)
		when[i] = -1;
	for (int k = 0; k < 100000; k++) {
		bool all = true;
		for (int i = 1; i < n; i++) {
			if (when[i] < 0 && fix_same_log(f, 0, i))
				when[i] = sim_now(f->s);
			all &= when[i] >= 0;
		}
		if (all)
			return;
		assert_true(sim_step(f->s));
	}
	fail_msg("the logs never converged");
}

/* Figure 7: "When the leader at the top comes to power, it is possible that
 * any of scenarios (a–f) could occur in follower logs." n1 holds the
 * leader's log (terms 1 1 1 4 4 5 5 6 6 6) and n2..n7 hold (a)..(f). */
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
	fix_mark(f);

	/* At 0 n1's election timeout fires: it campaigns for term 8. §5.4.1:
	 * "the voter denies its vote if its own log is more up-to-date than
	 * that of the candidate": (c) (n4) and (d) (n5) hold longer logs of
	 * the same last term 6 or a later one (7), and refuse. (a), (b) and
	 * (f) grant: three votes and n1's make four of seven. */
	raft_on_election_timeout(R(f, 0));
	STEP_UNTIL_LEADER(f, 0);
	ASSERT_TIME(f, 25199);
	ASSERT_TERM(f, 0, 8);
	ASSERT_EVENTS(
	    f, "0 n1 became Candidate for term 8", "11051 n1 -> n7 RequestVote t8 last=10/t6",
	    "11723 n1 -> n4 RequestVote t8 last=10/t6", "11729 n1 -> n3 RequestVote t8 last=10/t6",
	    "11835 n1 -> n5 RequestVote t8 last=10/t6", "12230 n1 -> n2 RequestVote t8 last=10/t6",
	    "12434 n1 -> n6 RequestVote t8 last=10/t6",
	    "24060 n3 -> n1 RequestVote reply t8 granted",
	    "24260 n7 -> n1 RequestVote reply t8 granted",
	    "24779 n5 -> n1 RequestVote reply t8 refused",
	    "24957 n4 -> n1 RequestVote reply t8 refused",
	    "25199 n2 -> n1 RequestVote reply t8 granted", "25199 n1 became Leader for term 8");

	/* §5.3: "the leader handles inconsistencies by forcing the followers'
	 * logs to duplicate its own." Its first AppendEntries carries its
	 * no-op at index 11 after prev=10/t6. (c) and (d) match at 10: their
	 * extra uncommitted entries are overwritten or cut. (a), (b), (e) are
	 * too short, and say where they end; (f) conflicts at 7 (term 3).
	 * "After a rejection, the leader decrements nextIndex and retries",
	 * here straight to the hint (the optimization of §5.3), so (a) and
	 * (b) need one retry; (e) and (f) two, (f)'s entries of terms 2 and 3
	 * being replaced by the leader's, term by term. */
	sim_time when[7];
	step_until_repaired(f, 7, when);
	/* A follower's log is the leader's once the AppendEntries that repairs
	 * it is delivered: */
	assert_int_equal(when[4], 35450); /* (d), n5: at once, term 7 cut */
	assert_int_equal(when[3], 37211); /* (c), n4: at once, 11/t6 replaced */
	assert_int_equal(when[1], 61819); /* (a), n2: after one "too short" */
	assert_int_equal(when[2], 64360); /* (b), n3: 7 entries at once */
	assert_int_equal(when[5], 83819); /* (e), n6: too short, then conflict t4 */
	assert_int_equal(when[6], 85525); /* (f), n7: conflict t3, then t2 */
	assert_int_equal(f->rejects, 6);
	ASSERT_EVENTS(f, "27152 n6 -> n1 RequestVote reply t8 granted",
		      "35450 n1 -> n5 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "36206 n1 -> n7 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "37211 n1 -> n4 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "37707 n1 -> n2 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "38248 n1 -> n6 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "39998 n1 -> n3 AppendEntries t8 prev=10/t6 +1 commit=0",
		      "47155 n7 -> n1 AppendEntries reply t8 rejected: log mismatch (conflict t3 "
		      "from 7)",
		      "48347 n6 -> n1 AppendEntries reply t8 rejected: log too short (ends at 7)",
		      "48453 n4 -> n1 AppendEntries reply t8 ok match=11",
		      "49196 n5 -> n1 AppendEntries reply t8 ok match=11",
		      "49372 n2 -> n1 AppendEntries reply t8 rejected: log too short (ends at 9)",
		      "50052 n3 -> n1 AppendEntries reply t8 rejected: log too short (ends at 4)",
		      "57939 n1 -> n7 AppendEntries t8 prev=6/t5 +5 commit=0",
		      "61276 n1 -> n6 AppendEntries t8 prev=7/t5 +4 commit=0",
		      "61819 n1 -> n2 AppendEntries t8 prev=9/t6 +2 commit=0",
		      "64360 n1 -> n3 AppendEntries t8 prev=4/t4 +7 commit=0",
		      "70638 n7 -> n1 AppendEntries reply t8 rejected: log mismatch (conflict t2 "
		      "from 4)",
		      "73633 n2 -> n1 AppendEntries reply t8 ok match=11",
		      "73795 n6 -> n1 AppendEntries reply t8 rejected: log mismatch (conflict t4 "
		      "from 4)",
		      "77930 n3 -> n1 AppendEntries reply t8 ok match=11",
		      "83819 n1 -> n6 AppendEntries t8 prev=5/t4 +6 commit=11",
		      "85525 n1 -> n7 AppendEntries t8 prev=3/t1 +8 commit=0");
	/* The no-op of term 8 was on a majority (n1, n4, n5, n2) at 73.633ms:
	 * committed, and with it the ten entries before it (§5.4.2). */
	assert_int_equal(R(f, 0)->commit, 11);
	assert_int_equal(raft_term_at(R(f, 6), 4), 4);  /* (f)'s term 2 is gone */
	assert_int_equal(raft_term_at(R(f, 4), 11), 8); /* (d)'s term 7 is gone */
	fix_free(f);
}

/* Starts node i's election now (its election timeout, fired by hand). */
static void campaign(struct fix *f, int i)
{
	raft_on_election_timeout(R(f, i));
}

/* Figure 8, with n1..n5 as S1..S5, batch=1 (one entry per AppendEntries,
 * so that the moment of (c) can be held) and seed 80. Every node starts
 * with one committed entry of term 1. The entry at index 2 is a leader's
 * no-op of its term rather than a client's command: the figure is the
 * same. */
static void test_figure8(void **state)
{
	(void)state;
	const char *opts[] = {"batch=1", NULL};
	static const int one[] = {1};
	struct fix *f = fix_new(5, 80, opts);
	for (int i = 0; i < 5; i++)
		fix_set_log(f, i, one, 1, 1);
	fix_mark(f);

	/* "(a) S1 is leader and partially replicates the log entry at index
	 * 2." n1 wins term 2 with n2's and n4's votes; from then on it
	 * reaches only n2. */
	campaign(f, 0);
	STEP_UNTIL_LEADER(f, 0);
	ASSERT_TIME(f, 23300);
	ASSERT_TERM(f, 0, 2);
	for (int j = 2; j < 5; j++) {
		sim_cut(f->s, 0, j);
		sim_cut(f->s, j, 0);
	}
	ASSERT_EVENTS(
	    f, "0 n1 became Candidate for term 2", "11289 n1 -> n2 RequestVote t2 last=1/t1",
	    "11570 n1 -> n3 RequestVote t2 last=1/t1", "11726 n1 -> n4 RequestVote t2 last=1/t1",
	    "12026 n1 -> n5 RequestVote t2 last=1/t1",
	    "21788 n2 -> n1 RequestVote reply t2 granted",
	    "23300 n4 -> n1 RequestVote reply t2 granted", "23300 n1 became Leader for term 2");
	STEP_UNTIL_TIME(f, 36037);
	assert_int_equal(raft_term_at(R(f, 1), 2), 2);
	assert_int_equal(raft_last_index(R(f, 2)), 1);
	ASSERT_EVENTS(f, "23597 n3 -> n1 RequestVote reply t2 granted (dropped)",
		      "24881 n5 -> n1 RequestVote reply t2 granted (dropped)",
		      "33788 n1 -> n3 AppendEntries t2 prev=1/t1 +1 commit=0 (dropped)",
		      "35283 n1 -> n4 AppendEntries t2 prev=1/t1 +1 commit=0 (dropped)",
		      "36037 n1 -> n2 AppendEntries t2 prev=1/t1 +1 commit=0");

	/* "(b) S1 crashes; S5 is elected leader for term 3 with votes from S3,
	 * S4, and itself, and accepts a different entry at log index 2."
	 * Its entry reaches nobody: n5 is cut off, then crashes too. */
	sim_crash(f->s, 0);
	fix_isolate(f, 1);
	campaign(f, 4);
	STEP_UNTIL_LEADER(f, 4);
	ASSERT_TIME(f, 60790);
	ASSERT_TERM(f, 4, 3);
	assert_int_equal(raft_term_at(R(f, 4), 2), 3);
	ASSERT_EVENTS(
	    f, "36037 n5 became Candidate for term 3",
	    "36037 n5 -> n1 RequestVote t3 last=1/t1 (dropped)",
	    "36037 n5 -> n2 RequestVote t3 last=1/t1 (dropped)",
	    "36428 n1 -> n5 AppendEntries t2 prev=1/t1 +1 commit=0 (dropped)",
	    "47067 n2 -> n1 AppendEntries reply t2 ok match=2 (dropped)",
	    "47946 n5 -> n4 RequestVote t3 last=1/t1", "49306 n5 -> n3 RequestVote t3 last=1/t1",
	    "60020 n4 -> n5 RequestVote reply t3 granted",
	    "60790 n3 -> n5 RequestVote reply t3 granted", "60790 n5 became Leader for term 3",
	    "60790 n5 -> n1 AppendEntries t3 prev=1/t1 +1 commit=0 (dropped)",
	    "60790 n5 -> n2 AppendEntries t3 prev=1/t1 +1 commit=0 (dropped)");
	fix_isolate(f, 4);
	sim_crash(f->s, 4);
	sim_heal_all(f->s);
	fix_isolate(f, 4);

	/* "(c) S5 crashes; S1 restarts, is elected leader, and continues
	 * replication." Its first try, for term 3, fails: n3 and n4 voted for
	 * n5 in term 3 ("at most one candidate in a given term"). */
	sim_restart(f->s, 0);
	campaign(f, 0);
	STEP_UNTIL_TIME(f, 88126);
	ASSERT_ROLE(f, 0, RAFT_CANDIDATE);
	ASSERT_EVENTS(f, "60790 n1 restarted from stable storage: term 2, log up to 2, snapshot 0",
		      "60790 n1 became Candidate for term 3",
		      "60790 n1 -> n5 RequestVote t3 last=2/t2 (dropped)",
		      "73761 n5 -> n4 AppendEntries t3 prev=1/t1 +1 commit=0 (dropped)",
		      "74788 n1 -> n4 RequestVote t3 last=2/t2",
		      "74957 n1 -> n2 RequestVote t3 last=2/t2",
		      "75244 n1 -> n3 RequestVote t3 last=2/t2",
		      "75497 n5 -> n3 AppendEntries t3 prev=1/t1 +1 commit=0 (dropped)",
		      "87434 n2 -> n1 RequestVote reply t3 granted",
		      "87817 n4 -> n1 RequestVote reply t3 refused",
		      "88126 n3 -> n1 RequestVote reply t3 refused");
	/* Term 4: its log (last entry 2/t2) is at least as up-to-date as
	 * anyone's it can reach, and it wins. */
	campaign(f, 0);
	STEP_UNTIL_LEADER(f, 0);
	ASSERT_TIME(f, 112710);
	ASSERT_TERM(f, 0, 4);
	ASSERT_EVENTS(
	    f, "88126 n1 became Candidate for term 4",
	    "88126 n1 -> n5 RequestVote t4 last=2/t2 (dropped)",
	    "99162 n1 -> n4 RequestVote t4 last=2/t2", "99510 n1 -> n2 RequestVote t4 last=2/t2",
	    "100899 n1 -> n3 RequestVote t4 last=2/t2",
	    "111360 n2 -> n1 RequestVote reply t4 granted",
	    "112710 n3 -> n1 RequestVote reply t4 granted", "112710 n1 became Leader for term 4",
	    "112710 n1 -> n5 AppendEntries t4 prev=2/t2 +1 commit=0 (dropped)");
	/* "At this point, the log entry from term 2 has been replicated on a
	 * majority of the servers, but it is not committed." At 147.755ms n3
	 * receives it: n1, n2, n3 hold 2/t2. §5.4.2: "Raft never commits log
	 * entries from previous terms by counting replicas" — commit stays 0
	 * (n1's no-op of term 4, index 3, is only on n1 and n2). */
	STEP_UNTIL_TIME(f, 147755);
	assert_int_equal(raft_term_at(R(f, 2), 2), 2);
	assert_int_equal(R(f, 0)->commit, 0);
	assert_int_equal(raft_last_index(R(f, 1)), 3);
	ASSERT_EVENTS(f, "113920 n4 -> n1 RequestVote reply t4 granted",
		      "124790 n1 -> n2 AppendEntries t4 prev=2/t2 +1 commit=0",
		      "125872 n1 -> n3 AppendEntries t4 prev=2/t2 +1 commit=0",
		      "126263 n1 -> n4 AppendEntries t4 prev=2/t2 +1 commit=0",
		      "136103 n3 -> n1 AppendEntries reply t4 rejected: log too short (ends at 1)",
		      "137990 n4 -> n1 AppendEntries reply t4 rejected: log too short (ends at 1)",
		      "138954 n2 -> n1 AppendEntries reply t4 ok match=3",
		      "147755 n1 -> n3 AppendEntries t4 prev=1/t1 +1 commit=0");

	/* "(d) If S1 crashes, S5 could be elected leader (with votes from S2,
	 * S3, and S4) and overwrite the entry with its own entry from term
	 * 3." n1 and n2 (the holders of term 4's no-op) crash; n5 restarts.
	 * Its try for term 4 fails (n3 and n4 voted for n1 in term 4) ... */
	fix_isolate(f, 0);
	sim_crash(f->s, 0);
	sim_crash(f->s, 1);
	sim_heal_all(f->s);
	sim_restart(f->s, 4);
	campaign(f, 4);
	STEP_UNTIL_TIME(f, 174928);
	ASSERT_ROLE(f, 4, RAFT_CANDIDATE);
	ASSERT_EVENTS(f, "147755 n5 restarted from stable storage: term 3, log up to 2, snapshot 0",
		      "147755 n5 became Candidate for term 4",
		      "149993 n1 -> n4 AppendEntries t4 prev=1/t1 +1 commit=0 (dropped)",
		      "159325 n5 -> n3 RequestVote t4 last=2/t3",
		      "159609 n5 -> n2 RequestVote t4 last=2/t3 (dropped)",
		      "160913 n5 -> n1 RequestVote t4 last=2/t3 (dropped)",
		      "162222 n3 -> n1 AppendEntries reply t4 ok match=2 (dropped)",
		      "162521 n5 -> n4 RequestVote t4 last=2/t3",
		      "173067 n3 -> n5 RequestVote reply t4 refused",
		      "174928 n4 -> n5 RequestVote reply t4 refused");
	/* ... and for term 5 it wins: its last entry, 2/t3, is more
	 * up-to-date than n3's 2/t2 and n4's 1/t1 (§5.4.1 compares the last
	 * terms first). */
	campaign(f, 4);
	STEP_UNTIL_LEADER(f, 4);
	ASSERT_TIME(f, 203110);
	ASSERT_TERM(f, 4, 5);
	ASSERT_EVENTS(
	    f, "174928 n5 became Candidate for term 5",
	    "186869 n5 -> n2 RequestVote t5 last=2/t3 (dropped)",
	    "188034 n5 -> n1 RequestVote t5 last=2/t3 (dropped)",
	    "188262 n5 -> n3 RequestVote t5 last=2/t3", "188635 n5 -> n4 RequestVote t5 last=2/t3",
	    "202405 n3 -> n5 RequestVote reply t5 granted",
	    "203110 n4 -> n5 RequestVote reply t5 granted", "203110 n5 became Leader for term 5");
	/* n3's entry of term 2 at index 2 — once on a majority — conflicts
	 * and is replaced by n5's of term 3 at 242.752ms. Had it been counted
	 * as committed in (c), a committed entry would now be lost. */
	STEP_UNTIL_TIME(f, 242752);
	assert_int_equal(raft_term_at(R(f, 2), 2), 3);
	assert_int_equal(raft_term_at(R(f, 3), 2), 3);
	ASSERT_EVENTS(f, "215160 n5 -> n4 AppendEntries t5 prev=2/t3 +1 commit=0",
		      "216123 n5 -> n1 AppendEntries t5 prev=2/t3 +1 commit=0 (dropped)",
		      "216335 n5 -> n3 AppendEntries t5 prev=2/t3 +1 commit=0",
		      "217192 n5 -> n2 AppendEntries t5 prev=2/t3 +1 commit=0 (dropped)",
		      "225366 n4 -> n5 AppendEntries reply t5 rejected: log too short (ends at 1)",
		      "230334 n3 -> n5 AppendEntries reply t5 rejected: log mismatch (conflict t2 "
		      "from 2)",
		      "239631 n5 -> n4 AppendEntries t5 prev=1/t1 +1 commit=0",
		      "242752 n5 -> n3 AppendEntries t5 prev=1/t1 +1 commit=0");
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_election),
	    cmocka_unit_test(test_figure7),
	    cmocka_unit_test(test_figure8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

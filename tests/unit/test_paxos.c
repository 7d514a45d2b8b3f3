/*
 * test_paxos.c — Paxos as the paper says it, and its checker firing.
 *
 * The first tests follow Lamport, "Paxos Made Simple" (2001), rule by
 * rule, on a seeded simulation with the invariant checker watching every
 * event: phase 1(b) refuses a lower-numbered prepare and reports the
 * highest-numbered accepted proposal; phase 2(a) adopts it; §2.4, the
 * promise survives a crash. The timeline is pinned with the network's
 * jitter off, so every delivery happens at a known microsecond.
 *
 * Then bug injection (enum paxos_bug): each invariant of
 * src/check/paxos_invariants.c is made to fire by a protocol that breaks
 * the rule it guards — a proposer that ignores the accepted values
 * (Agreement/P2c), an acceptor that accepts below its promise (P1a), one
 * that loses its promise in a crash (monotone promises), a proposer that
 * proposes what nobody proposed (Validity) — and the same run without the
 * bug holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check/fuzz.h"
#include "check/invariants.h"
#include "proto/paxos.h"
#include "proto/proto.h"
#include "sim/sim.h"

struct px {
	struct sim *s;
	struct inv_watch *w;
	struct proto_opts o;
	int obs;
	struct sbuf sends; /* "at from->to words" lines */
};

static void px_observe(void *ctx, const struct trace_event *ev)
{
	struct px *f = ctx;
	if (ev->kind != TR_DELIVER)
		return;
	sbuf_printf(&f->sends, "%lld n%d->n%d ", (long long)ev->at, ev->msg->from + 1,
		    ev->msg->to + 1);
	sim_describe_msg(f->s, ev->msg, &f->sends);
	sbuf_putc(&f->sends, '\n');
}

/* n nodes, leader=off (each node proposes on its own), no jitter. */
static void px_init(struct px *f, int n, bool leader, uint64_t seed)
{
	memset(f, 0, sizeof *f);
	proto_opts_default(&paxos_ops, &f->o);
	f->o.v[PAXOS_OPT_LEADER].i = leader;
	f->s = sim_new(&paxos_ops, &f->o, n, seed);
	struct link_config lc = sim_link_base;
	lc.jitter = 0;
	sim_set_all_links(f->s, &lc);
	sim_set_default_link(f->s, &lc);
	f->w = inv_watch_new(f->s);
	f->obs = sim_observe(f->s, px_observe, f);
}

static void px_free(struct px *f)
{
	inv_watch_free(f->w);
	sim_free(f->s);
	sbuf_free(&f->sends);
}

static void cut2(struct sim *s, int a, int b)
{
	sim_cut(s, a, b);
	sim_cut(s, b, a);
}

static bool learnt(struct sim *s, int node, int64_t slot, const char *v)
{
	const struct paxos_slot *sl = paxos_slot_c(paxos_of(s, node), slot);
	char buf[80];
	if (!sl || !sl->chosen)
		return false;
	paxos_value_fmt(&sl->val, buf, sizeof buf);
	return !strcmp(buf, v);
}

static void assert_safe(struct px *f)
{
	const char *why = NULL;
	sim_time at;
	bool ok = inv_watch_ok(f->w, &why, &at);
	if (!ok)
		fail_msg("%s", why);
}

static void assert_violation(struct px *f, const char *property)
{
	const char *why = NULL;
	sim_time at;
	assert_false(inv_watch_ok(f->w, &why, &at));
	assert_non_null(why);
	if (!strstr(why, property))
		fail_msg("expected a %s violation, got: %s", property, why);
}

/* PMS §2.2 phases 1 and 2, the synod on one slot: n1 prepares (1,n1), both
 * acceptors promise with nothing accepted, n1 sends Accept with its own
 * value ("any value if the responses reported no proposals"), a majority
 * accepts and the distinguished learner n1 tells the others. 10 ms links. */
static void test_synod_timeline(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 1);
	assert_true(paxos_propose_value(paxos_of(f.s, 0), "x"));
	sim_run_until(f.s, 25 * SIM_MS);
	assert_string_equal(sbuf_str(&f.sends), "10000 n1->n2 Prepare b=(1,n1) slots>=1\n"
						"10000 n1->n3 Prepare b=(1,n1) slots>=1\n"
						"20000 n2->n1 Promise b=(1,n1) accepted=none\n"
						"20000 n3->n1 Promise b=(1,n1) accepted=none\n");
	/* The Accept goes with the first heartbeat, at once. */
	sim_run_until(f.s, 60 * SIM_MS);
	assert_true(learnt(f.s, 0, 1, "x"));
	assert_true(learnt(f.s, 1, 1, "x"));
	assert_true(learnt(f.s, 2, 1, "x"));
	assert_non_null(strstr(sbuf_str(&f.sends), "30000 n1->n2 Accept b=(1,n1) 1:x\n"));
	assert_non_null(strstr(sbuf_str(&f.sends), "40000 n2->n1 Accepted b=(1,n1) slot 1\n"));
	assert_non_null(strstr(sbuf_str(&f.sends), "50000 n1->n3 Chosen 1:x\n"));
	assert_safe(&f);
	px_free(&f);
}

/* Phase 1(b): a prepare "with number n greater than that of any prepare
 * request to which it has already responded" gets a promise and "the
 * highest-numbered proposal (if any) that it has accepted"; a lower one
 * does not. n2 has accepted (1,n1):x; n3 prepares (1,n3) and hears it. Pinned: 10 ms links, no
 * jitter. */
static void test_promise_reports_highest_accepted(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 2);
	cut2(f.s, 0, 2);
	cut2(f.s, 1, 2);
	paxos_propose_value(paxos_of(f.s, 0), "x");
	/* Accepted by n2 at 30 ms, chosen at n1 at 40 ms; cut n1 off before
	 * its Chosen reaches n2 (50 ms). */
	sim_run_until(f.s, 45 * SIM_MS);
	assert_int_equal(paxos_of(f.s, 1)->st.slot[1].acc_ballot, paxos_ballot(1, 0));
	assert_false(paxos_of(f.s, 1)->st.slot[1].chosen);
	sim_heal_all(f.s);
	cut2(f.s, 0, 1);
	cut2(f.s, 0, 2);
	sbuf_clear(&f.sends);
	paxos_propose_value(paxos_of(f.s, 2), "y");
	sim_run_until(f.s, 200 * SIM_MS);
	/* (1,n3) > (1,n1): same round, ordered by node — disjoint sets of
	 * numbers. Phase 2(a): n3 proposes x in slot 1 (adopted), y in 2. */
	assert_string_equal(sbuf_str(&f.sends),
			    "55000 n3->n2 Prepare b=(1,n3) slots>=1\n"
			    "65000 n2->n3 Promise b=(1,n3) 1:accepted=(1,n1):x\n"
			    "75000 n3->n2 Heartbeat b=(1,n3) chosen<1\n"
			    "75000 n3->n2 Accept b=(1,n3) 1:x 2:y\n"
			    "85000 n2->n3 Accepted b=(1,n3) 2 slots 1..2\n"
			    "95000 n3->n2 Chosen 1:x 2:y\n"
			    "125000 n3->n2 Heartbeat b=(1,n3) chosen<3\n"
			    "175000 n3->n2 Heartbeat b=(1,n3) chosen<3\n");
	assert_true(learnt(f.s, 2, 1, "x"));
	assert_true(learnt(f.s, 2, 2, "y"));
	assert_safe(&f);
	px_free(&f);
}

/* A prepare not above the promise is refused (here with a Nack). */
static void test_lower_prepare_refused(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 3);
	paxos_propose_value(paxos_of(f.s, 0), "x");
	sim_run_until(f.s, 100 * SIM_MS);
	struct paxos *p2 = paxos_of(f.s, 1);
	int64_t before = p2->st.promised;
	struct paxos_wire_prepare w = {.ballot = paxos_ballot(1, 0) - 1, .from = 1};
	sbuf_clear(&f.sends);
	paxos_on_prepare(p2, 2, &w);
	sim_run_until(f.s, 120 * SIM_MS);
	assert_int_equal(p2->st.promised, before);
	assert_non_null(strstr(sbuf_str(&f.sends), "n2->n3 Nack b=(0,n256) promised=(1,n1)"));
	assert_safe(&f);
	px_free(&f);
}

/* PMS §2.4: the promise and the acceptances are on stable storage. */
static void test_promise_survives_crash(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 4);
	paxos_propose_value(paxos_of(f.s, 0), "x");
	sim_run_until(f.s, 100 * SIM_MS);
	int64_t promised = paxos_of(f.s, 2)->st.promised;
	assert_int_equal(promised, paxos_ballot(1, 0));
	sim_crash(f.s, 2);
	sim_restart(f.s, 2);
	assert_int_equal(paxos_of(f.s, 2)->st.promised, promised);
	assert_int_equal(paxos_of(f.s, 2)->st.slot[1].acc_ballot, promised);
	assert_true(learnt(f.s, 2, 1, "x"));
	assert_safe(&f);
	px_free(&f);
}

/* ---- bug injection: each invariant fires ---------------------------------- */

/* x is chosen in slot 1 by n1 and n2 while n3 is cut off, and n1 is cut
 * off before n2 learns it; then n3, with n2, proposes y. A correct n3 adopts x; the buggy one fills
 * slot 1 with a no-op that n2 and n3 accept: two values chosen in one slot. */
static void run_adopt(struct px *f)
{
	cut2(f->s, 0, 2);
	cut2(f->s, 1, 2);
	paxos_propose_value(paxos_of(f->s, 0), "x");
	sim_run_until(f->s, 45 * SIM_MS); /* n2 accepted x, not yet learnt it */
	sim_heal_all(f->s);
	cut2(f->s, 0, 1);
	cut2(f->s, 0, 2);
	paxos_propose_value(paxos_of(f->s, 2), "y");
	sim_run_until(f->s, 400 * SIM_MS);
}

static void test_bug_ignore_accepted(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 5);
	run_adopt(&f);
	assert_safe(&f);
	px_free(&f);

	px_init(&f, 3, false, 5);
	sim_opts_mut(f.s)->v[PAXOS_OPT_BUG].i = 1 << (PAXOS_BUG_IGNORE_ACCEPTED - 1);
	run_adopt(&f);
	const char *why = NULL;
	sim_time at;
	assert_false(inv_watch_ok(f.w, &why, &at));
	if (!strstr(why, "P2c") && !strstr(why, "Agreement"))
		fail_msg("expected P2c or Agreement, got: %s", why);
	assert_non_null(strstr(why, "slot 1"));
	px_free(&f);
}

/* Dueling proposers: Accepts arrive after a higher promise. Refused when
 * correct; accepted by the buggy acceptor (P1a). */
static void run_duel(struct px *f)
{
	struct proto_opts *o = sim_opts_mut(f->s);
	o->v[PAXOS_OPT_RETRY].i = o->v[PAXOS_OPT_RETRY].j = 5 * SIM_MS;
	paxos_propose_value(paxos_of(f->s, 0), "a");
	paxos_propose_value(paxos_of(f->s, 1), "b");
	sim_run_until(f->s, 300 * SIM_MS);
}

static void test_bug_accept_below_promise(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 6);
	run_duel(&f);
	assert_safe(&f);
	px_free(&f);

	px_init(&f, 3, false, 6);
	sim_opts_mut(f.s)->v[PAXOS_OPT_BUG].i = 1 << (PAXOS_BUG_ACCEPT_BELOW - 1);
	run_duel(&f);
	assert_violation(&f, "P1a");
	px_free(&f);
}

static void run_crash(struct px *f)
{
	paxos_propose_value(paxos_of(f->s, 0), "x");
	sim_run_until(f->s, 100 * SIM_MS);
	sim_crash(f->s, 1);
	sim_run_until(f->s, 110 * SIM_MS);
	sim_restart(f->s, 1);
	sim_run_until(f->s, 200 * SIM_MS);
}

static void test_bug_forget_promise(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 7);
	run_crash(&f);
	assert_safe(&f);
	px_free(&f);

	px_init(&f, 3, false, 7);
	sim_opts_mut(f.s)->v[PAXOS_OPT_BUG].i = 1 << (PAXOS_BUG_FORGET_PROMISE - 1);
	run_crash(&f);
	assert_violation(&f, "promises are monotone: n2 had promised (1,n1)");
	px_free(&f);
}

static void test_bug_invent_value(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 8);
	paxos_propose_value(paxos_of(f.s, 0), "x");
	sim_run_until(f.s, 100 * SIM_MS);
	assert_safe(&f);
	px_free(&f);

	px_init(&f, 3, false, 8);
	sim_opts_mut(f.s)->v[PAXOS_OPT_BUG].i = 1 << (PAXOS_BUG_INVENT - 1);
	paxos_propose_value(paxos_of(f.s, 0), "x");
	sim_run_until(f.s, 100 * SIM_MS);
	assert_violation(&f, "Validity: n1 accepted forged in slot 1");
	px_free(&f);
}

/* PMS §3: "a distinguished proposer must be selected" — with leader=on
 * one leader emerges and client-free proposals are all chosen. */
static void test_distinguished_proposer_ends_duel(void **state)
{
	(void)state;
	struct px f;
	px_init(&f, 3, false, 9);
	run_duel(&f);
	assert_false(learnt(f.s, 2, 1, "a") || learnt(f.s, 2, 1, "b"));
	struct proto_opts *o = sim_opts_mut(f.s);
	o->v[PAXOS_OPT_LEADER].i = 1;
	for (int i = 0; i < 3; i++)
		paxos_ops.option_changed(paxos_of(f.s, i), PAXOS_OPT_LEADER);
	sim_run_until(f.s, 2 * SIM_S);
	const struct paxos *p3 = paxos_of(f.s, 2);
	assert_true(p3->first_unchosen >= 3);
	assert_true((learnt(f.s, 2, 1, "a") && learnt(f.s, 2, 2, "b")) ||
		    (learnt(f.s, 2, 1, "b") && learnt(f.s, 2, 2, "a")));
	assert_safe(&f);
	px_free(&f);
}

/* Roles apart (PMS §2.1): 5 nodes, acceptors=3 (n1..n3), proposers=1
 * (n5). n5 prepares only to the acceptors and needs two of their three
 * promises (its own node accepts nothing); n4, a learner only, gets no
 * Prepare and no Accept but learns the value from Chosen; n1 refuses to
 * propose. Two acceptors down: nothing is chosen, although three of the
 * five nodes are up. 10 ms links, no jitter. */
static void test_roles_apart(void **state)
{
	(void)state;
	struct px f;
	memset(&f, 0, sizeof f);
	proto_opts_default(&paxos_ops, &f.o);
	f.o.v[PAXOS_OPT_LEADER].i = 0;
	f.o.v[PAXOS_OPT_ACCEPTORS].i = 3;
	f.o.v[PAXOS_OPT_PROPOSERS].i = 1;
	f.s = sim_new(&paxos_ops, &f.o, 5, 1);
	struct link_config lc = sim_link_base;
	lc.jitter = 0;
	sim_set_all_links(f.s, &lc);
	f.w = inv_watch_new(f.s);
	f.obs = sim_observe(f.s, px_observe, &f);
	const struct proto_opts *o = sim_opts(f.s);
	assert_int_equal(paxos_nacceptors(o, 5), 3);
	assert_int_equal(paxos_quorum(o, 5), 2);
	assert_true(paxos_is_acceptor(o, 5, 2));
	assert_false(paxos_is_acceptor(o, 5, 3));
	assert_false(paxos_is_proposer(o, 5, 3));
	assert_true(paxos_is_proposer(o, 5, 4));

	assert_false(paxos_propose_value(paxos_of(f.s, 0), "no"));
	assert_true(paxos_propose_value(paxos_of(f.s, 4), "x"));
	sim_run_until(f.s, 25 * SIM_MS);
	assert_string_equal(sbuf_str(&f.sends), "10000 n5->n1 Prepare b=(1,n5) slots>=1\n"
						"10000 n5->n2 Prepare b=(1,n5) slots>=1\n"
						"10000 n5->n3 Prepare b=(1,n5) slots>=1\n"
						"20000 n1->n5 Promise b=(1,n5) accepted=none\n"
						"20000 n2->n5 Promise b=(1,n5) accepted=none\n"
						"20000 n3->n5 Promise b=(1,n5) accepted=none\n");
	sim_run_until(f.s, 80 * SIM_MS);
	for (int k = 0; k < 5; k++)
		assert_true(learnt(f.s, k, 1, "x"));
	assert_null(strstr(sbuf_str(&f.sends), "->n4 Accept"));
	assert_null(strstr(sbuf_str(&f.sends), "->n4 Prepare"));
	assert_null(strstr(sbuf_str(&f.sends), "n4->n5 Accepted"));
	/* The proposer's own node holds nothing accepted. */
	assert_int_equal(paxos_slot_c(paxos_of(f.s, 4), 1)->acc_ballot, 0);

	sim_crash(f.s, 0);
	sim_crash(f.s, 1);
	assert_true(paxos_propose_value(paxos_of(f.s, 4), "y"));
	sim_run_until(f.s, 2 * SIM_S);
	assert_false(learnt(f.s, 4, 2, "y"));
	sim_restart(f.s, 0);
	sim_run_until(f.s, 4 * SIM_S);
	assert_true(learnt(f.s, 4, 2, "y"));
	assert_true(learnt(f.s, 3, 2, "y"));
	assert_safe(&f);
	px_free(&f);
}

/* Without a distinguished proposer Paxos promises no progress (the duel),
 * but it is as safe: 80 fault schedules with leader=off, every invariant
 * after every event; liveness may fail, safety must not. */
static void test_leader_off_fuzz_safety(void **state)
{
	(void)state;
	static const char *const options[] = {"leader=off", NULL};
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.proto = "paxos";
	o.options = options;
	o.duration = 10 * SIM_S;
	o.liveness = 2 * SIM_S;
	int live = 0;
	for (uint64_t seed = 1; seed <= 80; seed++) {
		struct fuzz_plan plan;
		struct fuzz_result res;
		fuzz_plan_make(&plan, &o, 300000 + seed);
		fuzz_run(&plan, &o, &res);
		fuzz_plan_free(&plan);
		if (res.safety_failed)
			fail_msg("seed %llu: %s", (unsigned long long)(300000 + seed), res.why);
		live += res.ok;
	}
	/* Most seeds still make progress: the duel is an unlucky timing. */
	print_message("leader=off: %d of 80 seeds live\n", live);
	assert_true(live >= 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_synod_timeline),
	    cmocka_unit_test(test_promise_reports_highest_accepted),
	    cmocka_unit_test(test_lower_prepare_refused),
	    cmocka_unit_test(test_promise_survives_crash),
	    cmocka_unit_test(test_bug_ignore_accepted),
	    cmocka_unit_test(test_bug_accept_below_promise),
	    cmocka_unit_test(test_bug_forget_promise),
	    cmocka_unit_test(test_bug_invent_value),
	    cmocka_unit_test(test_distinguished_proposer_ends_duel),
	    cmocka_unit_test(test_leader_off_fuzz_safety),
	    cmocka_unit_test(test_roles_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

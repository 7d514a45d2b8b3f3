/*
 * test_clocks.c — the clocks protocol against hand-computed stamps, the
 * papers' rules one by one, and properties over random schedules of
 * thousands of events.
 *
 * Every test drives a simulation through the protocol's own command and
 * predicate tables (event, send, commit; happened-before, ...) on links
 * of a fixed 10 ms latency, so each stamp below can be worked out with
 * pencil and paper from the rule quoted beside it.
 */
#include "check/invariants.h"
#include "proto/clocks.h"
#include "proto/proto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

extern const struct proto_ops clocks_ops;
extern const struct invariant_ops clocks_invariants;

/* A simulation of n nodes, options as "key=value" strings, links of a
 * fixed 10 ms (no jitter): each delivery time is known. */
static struct sim *mk(int n, uint64_t seed, const char *const *opts)
{
	struct proto_opts o;
	opts_with(&clocks_ops, opts, &o);
	struct sim *s = sim_new(&clocks_ops, &o, n, seed);
	struct link_config lc = {.latency = 10 * SIM_MS};
	sim_set_all_links(s, &lc);
	return s;
}

static const struct proto_cmd *cmd(const char *name)
{
	for (const struct proto_cmd *c = clocks_ops.commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	fail_msg("no command %s", name);
	return NULL;
}

static const struct proto_pred *pred(const char *name)
{
	for (const struct proto_pred *p = clocks_ops.preds; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	fail_msg("no predicate %s", name);
	return NULL;
}

static struct arg node_arg(int i)
{
	return (struct arg){.kind = ARG_NODE, .present = true, .node = i};
}

static struct arg word_arg(const char *w)
{
	struct arg a = {.kind = ARG_WORD, .present = w != NULL};
	if (w)
		strcpy(a.str, w);
	return a;
}

/* `event nI name` */
static void ev(struct sim *s, int i, const char *name)
{
	struct proto_args a = {2, {node_arg(i), word_arg(name)}};
	struct sbuf err = {0};
	assert_int_equal(cmd("event")->run(s, &a, &err), 0);
	sbuf_free(&err);
}

/* `send nI nJ name` */
static void snd(struct sim *s, int i, int j, const char *name)
{
	struct proto_args a = {3, {node_arg(i), node_arg(j), word_arg(name)}};
	struct sbuf err = {0};
	assert_int_equal(cmd("send")->run(s, &a, &err), 0);
	sbuf_free(&err);
}

static void commit(struct sim *s, int i, const char *name)
{
	struct proto_args a = {2, {node_arg(i), word_arg(name)}};
	struct sbuf err = {0};
	assert_int_equal(cmd("commit")->run(s, &a, &err), 0);
	sbuf_free(&err);
}

/* A two-event predicate: `happened-before a b`, `lamport a < lamport b`. */
static bool holds2(struct sim *s, const char *p, const char *x, const char *y)
{
	struct proto_args a = {2, {word_arg(x), word_arg(y)}};
	struct sbuf why = {0};
	bool r = pred(p)->eval(s, &a, &why);
	sbuf_free(&why);
	return r;
}

static bool holds0(struct sim *s, const char *p)
{
	struct proto_args a = {0, {{0}}};
	struct sbuf why = {0};
	bool r = pred(p)->eval(s, &a, &why);
	sbuf_free(&why);
	return r;
}

static const struct clk_event *E(struct sim *s, const char *w)
{
	const struct clk_event *e = clocks_find(s, w);
	if (!e)
		fail_msg("no event %s", w);
	return e;
}

static void run(struct sim *s, sim_time d)
{
	sim_run_until(s, sim_now(s) + d);
}

/* The invariant checker, run from scratch over the whole run. */
static bool checker_ok(struct sim *s, struct sbuf *why)
{
	void *c = clocks_invariants.create(s);
	bool ok = clocks_invariants.check(c, s, why);
	clocks_invariants.destroy(c);
	return ok;
}

static const char *const quiet[] = {"every=0ms", NULL};

/* Lamport 1978, IR1: "Each process Pi increments Ci between any two
 * successive events." IR2: a message carries Tm = Ci(a); "upon receiving
 * a message m, process Pj sets Cj greater than or equal to its present
 * value and greater than Tm." */
static void test_lamport_rules(void **state)
{
	(void)state;
	struct sim *s = mk(3, 1, quiet);
	ev(s, 0, "p1");      /* P: 1 */
	snd(s, 0, 1, "m");   /* P: 2, m carries 2 */
	ev(s, 1, "q1");      /* Q: 1 */
	ev(s, 1, "q2");      /* Q: 2 */
	ev(s, 1, "q3");      /* Q: 3 */
	ev(s, 2, "r1");      /* R: 1 */
	run(s, 10 * SIM_MS); /* m arrives: Q = max(3, 2) + 1 = 4 */
	snd(s, 1, 2, "k");   /* Q: 5, k carries 5 */
	run(s, 10 * SIM_MS); /* k arrives: R = max(1, 5) + 1 = 6 */
	ev(s, 2, "r2");      /* R: 7 */
	assert_int_equal(E(s, "p1")->lamport, 1);
	assert_int_equal(E(s, "m")->lamport, 2);
	assert_int_equal(E(s, "q3")->lamport, 3);
	assert_int_equal(E(s, "m.recv")->lamport, 4);
	assert_int_equal(E(s, "k")->lamport, 5);
	assert_int_equal(E(s, "k.recv")->lamport, 6);
	assert_int_equal(E(s, "r2")->lamport, 7);
	/* The clock condition: p1 -> r2 (through m and k), and 1 < 7. */
	assert_true(holds2(s, "happened-before", "p1", "r2"));
	assert_true(holds2(s, "lamport", "p1", "r2"));
	/* But not the converse: m (2) < q3 (3), and m did not happen before
	 * q3 — they are concurrent. */
	assert_true(holds2(s, "lamport", "m", "q3"));
	assert_false(holds2(s, "happened-before", "m", "q3"));
	assert_true(holds2(s, "concurrent", "m", "q3"));
	/* r1 (1) is concurrent with q2 (2), and with p1 (1), equal clocks. */
	assert_true(holds2(s, "concurrent", "r1", "p1"));
	assert_false(holds2(s, "lamport", "r1", "p1"));
	assert_false(holds2(s, "lamport", "p1", "r1"));
	struct sbuf why = {0};
	assert_true(checker_ok(s, &why));
	sbuf_free(&why);
	sim_free(s);
}

/* Fidge 1988, Mattern 1988: each process counts its own events in its own
 * entry; a receive takes the pointwise maximum and counts itself. Then
 * V(a) < V(b) exactly when a -> b. The same run as above. */
static void test_vector_clocks(void **state)
{
	(void)state;
	struct sim *s = mk(3, 1, quiet);
	ev(s, 0, "p1");
	snd(s, 0, 1, "m");
	ev(s, 1, "q1");
	ev(s, 1, "q2");
	ev(s, 1, "q3");
	ev(s, 2, "r1");
	run(s, 10 * SIM_MS);
	snd(s, 1, 2, "k");
	run(s, 10 * SIM_MS);
	ev(s, 2, "r2");
	static const struct {
		const char *ev, *vc;
	} want[] = {
	    {"p1", "[n1:1]"},
	    {"m", "[n1:2]"},
	    {"q3", "[n2:3]"},
	    {"m.recv", "[n1:2 n2:4]"},
	    {"k", "[n1:2 n2:5]"},
	    {"r1", "[n3:1]"},
	    {"k.recv", "[n1:2 n2:5 n3:2]"},
	    {"r2", "[n1:2 n2:5 n3:3]"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct sbuf b = {0};
		vclock_fmt(&E(s, want[i].ev)->vc, &b);
		assert_string_equal(sbuf_str(&b), want[i].vc);
		sbuf_free(&b);
	}
	/* Every pair: vector order agrees with happened-before, found from
	 * the messages. */
	const char *names[] = {"p1", "m", "q1", "q2", "q3", "m.recv", "k", "r1", "k.recv", "r2"};
	for (size_t i = 0; i < 10; i++)
		for (size_t j = 0; j < 10; j++) {
			bool hb = holds2(s, "happened-before", names[i], names[j]);
			assert_int_equal(hb, holds2(s, "vector", names[i], names[j]));
			if (i != j && !hb && !holds2(s, "happened-before", names[j], names[i]))
				assert_true(holds2(s, "concurrent", names[i], names[j]));
		}
	sim_free(s);
}

/* Kulkarni et al. 2014, Figure 5. n2's clock is 100 ms behind. */
static void test_hlc_rules(void **state)
{
	(void)state;
	struct sim *s = mk(2, 1, quiet);
	sim_set_skew(s, 1, -100 * SIM_MS);
	run(s, 10 * SIM_MS);
	ev(s, 0, "a"); /* pt 10ms: l = max(-inf, 10ms) = 10ms, c = 0 */
	assert_int_equal(E(s, "a")->hlc_l, 10 * SIM_MS);
	assert_int_equal(E(s, "a")->hlc_c, 0);
	snd(s, 0, 1, "m"); /* pt still 10ms: l = l', so c = c + 1 = 1 */
	assert_int_equal(E(s, "m")->hlc_l, 10 * SIM_MS);
	assert_int_equal(E(s, "m")->hlc_c, 1);
	ev(s, 1, "b0"); /* n2: pt = -90ms; l = -90ms, c = 0 */
	assert_int_equal(E(s, "b0")->hlc_l, -90 * SIM_MS);
	run(s, 10 * SIM_MS);
	/* receipt at true 20ms, pt -80ms: l = max(-90ms, 10ms, -80ms) = l.m,
	 * so c = c.m + 1 = 2 ("Elseif (l.j = l.m) then c.j := c.m + 1") */
	const struct clk_event *r = E(s, "m.recv");
	assert_int_equal(r->pt, -80 * SIM_MS);
	assert_int_equal(r->hlc_l, 10 * SIM_MS);
	assert_int_equal(r->hlc_c, 2);
	ev(s, 1, "b"); /* pt -80ms < l: l stays, c = 3 */
	assert_int_equal(E(s, "b")->hlc_l, 10 * SIM_MS);
	assert_int_equal(E(s, "b")->hlc_c, 3);
	/* The showcase: the physical clocks put b before its cause. */
	assert_true(holds2(s, "physical", "b", "a"));
	assert_true(holds2(s, "happened-before", "a", "b"));
	assert_true(holds2(s, "hlc", "a", "b"));
	/* Once n2's clock passes l, l follows it again and c resets. */
	run(s, 200 * SIM_MS); /* true 220ms, pt 120ms */
	ev(s, 1, "c");
	assert_int_equal(E(s, "c")->hlc_l, 120 * SIM_MS);
	assert_int_equal(E(s, "c")->hlc_c, 0);
	/* Receipt with equal l everywhere: c = max(c.j, c.m) + 1. */
	sim_set_skew(s, 1, 0);
	ev(s, 0, "x");                    /* n1 pt 220ms: l 220ms c 0 */
	snd(s, 0, 1, "y");                /* l 220ms c 1 */
	ev(s, 1, "z");                    /* n2 pt 220ms: l 220ms c 0 */
	ev(s, 1, "z2");                   /* c 1 */
	ev(s, 1, "z3");                   /* c 2 */
	sim_set_skew(s, 1, -10 * SIM_MS); /* so that pt stays below 220ms */
	run(s, 10 * SIM_MS);
	r = E(s, "y.recv");
	assert_int_equal(r->hlc_l, 220 * SIM_MS);
	assert_int_equal(r->hlc_c, 3); /* max(2, 1) + 1 */
	struct sbuf why = {0};
	assert_true(checker_ok(s, &why));
	sbuf_free(&why);
	sim_free(s);
}

/* Spanner 4.1.2: s = TT.now().latest; acknowledged once TT.after(s), that
 * is once the clock reads more than s + epsilon: 2 epsilon later. */
static void test_commit_wait_is_two_epsilon(void **state)
{
	(void)state;
	static const char *const o[] = {"every=0ms", "epsilon=10ms", NULL};
	struct sim *s = mk(1, 1, o);
	run(s, 100 * SIM_MS);
	commit(s, 0, "t");
	assert_int_equal(E(s, "t")->commit_ts, 110 * SIM_MS);
	struct proto_args a = {1, {word_arg("t")}};
	struct sbuf why = {0};
	run(s, 20 * SIM_MS); /* TT.now().earliest = 110ms: not after s yet */
	assert_false(pred("acknowledged")->eval(s, &a, &why));
	run(s, 1); /* earliest 110.001ms > s */
	assert_true(pred("acknowledged")->eval(s, &a, &why));
	const struct clk_event *d = E(s, "t.done");
	assert_int_equal(d->true_at, 120 * SIM_MS + 1);
	assert_true(d->tt_earliest > d->commit_ts);
	assert_true(checker_ok(s, &why));
	sbuf_free(&why);
	sim_free(s);
}

/* External consistency over many seeds: a random workload with commits
 * on three nodes whose clocks err by at most epsilon. With commit wait it
 * always holds; without, some seed loses it. */
static void test_external_consistency_many_seeds(void **state)
{
	(void)state;
	static const char *const on[] = {"every=10ms", "epsilon=10ms", "commitwait=on", NULL};
	static const char *const off[] = {"every=10ms", "epsilon=10ms", "commitwait=off", NULL};
	int broken = 0;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		for (int w = 0; w < 2; w++) {
			struct sim *s = mk(3, seed, w ? off : on);
			for (int i = 0; i < 3; i++)
				sim_set_skew(s, i,
					     ((int64_t)((seed * 7 + (uint64_t)i * 13) % 21) - 10) *
						 SIM_MS);
			run(s, 2 * SIM_S);
			assert_true(holds0(s, "truetime-holds"));
			if (!w)
				assert_true(holds0(s, "externally-consistent"));
			else if (!holds0(s, "externally-consistent"))
				broken++;
			struct sbuf why = {0};
			if (!checker_ok(s, &why))
				fail_msg("seed %llu: %s", (unsigned long long)seed, sbuf_str(&why));
			sbuf_free(&why);
			sim_free(s);
		}
	}
	assert_true(broken > 0);
}

/* Properties over random schedules: thousands of events under crashes,
 * clock jumps back and forth, drift and partitions. The checker after
 * every event, then direct pairwise checks on a sample of pairs. */
static bool step_check(void *ctx, struct sim *s)
{
	struct sbuf why = {0};
	bool ok = clocks_invariants.check(ctx, s, &why);
	if (!ok)
		fail_msg("%s", sbuf_str(&why));
	sbuf_free(&why);
	return false;
}

static void test_random_schedules(void **state)
{
	(void)state;
	static const char *const o[] = {"every=5ms", "epsilon=1ms", NULL};
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct sim *s = mk(5, seed, o);
		struct rng g;
		rng_seed(&g, seed);
		void *c = clocks_invariants.create(s);
		for (int round = 0; round < 100; round++) {
			int i = (int)rng_below(&g, 5);
			switch (rng_below(&g, 5)) {
			case 0:
				sim_set_skew(s, i, ((int64_t)rng_below(&g, 400) - 200) * SIM_MS);
				break;
			case 1:
				sim_set_drift(s, i, ((int32_t)rng_below(&g, 21) - 10) * 1000);
				break;
			case 2: sim_node(s, i)->up ? sim_crash(s, i) : sim_restart(s, i); break;
			case 3: sim_cut(s, i, (i + 1) % 5); break;
			default: sim_heal_all(s);
			}
			sim_run_while(s, sim_now(s) + 100 * SIM_MS, step_check, c);
		}
		clocks_invariants.destroy(c);
		uint32_t total = 0, n;
		for (int i = 0; i < 5; i++) {
			clocks_events(s, i, &n);
			total += n;
		}
		print_message("seed %llu: %u events\n", (unsigned long long)seed, total);
		assert_true(total > 2000);
		/* Pairs drawn at random, judged by the graph. */
		char x[24], y[24];
		for (int k = 0; k < 3000; k++) {
			uint32_t na, nb;
			int ia = (int)rng_below(&g, 5), ib = (int)rng_below(&g, 5);
			const struct clk_event *ea = clocks_events(s, ia, &na),
					       *eb = clocks_events(s, ib, &nb);
			if (!na || !nb)
				continue;
			const struct clk_event *a = &ea[rng_below(&g, na)],
					       *b = &eb[rng_below(&g, nb)];
			clocks_id(a, x, sizeof x);
			clocks_id(b, y, sizeof y);
			bool hb = holds2(s, "happened-before", x, y);
			if (hb) {
				assert_true(a->lamport < b->lamport);
				assert_true(a->hlc_l < b->hlc_l ||
					    (a->hlc_l == b->hlc_l && a->hlc_c < b->hlc_c));
			}
			assert_int_equal(hb, vclock_compare(&a->vc, &b->vc) == VC_BEFORE);
			assert_true(a->hlc_l >= a->pt);
		}
		sim_free(s);
	}
}

/* The checker is not a tautology: a wrong stamp is caught. */
static void test_checker_catches_wrong_stamps(void **state)
{
	(void)state;
	struct sim *s = mk(2, 1, quiet);
	ev(s, 0, "a");
	snd(s, 0, 1, "m");
	run(s, 10 * SIM_MS);
	ev(s, 1, "b");
	struct sbuf why = {0};
	assert_true(checker_ok(s, &why));
	struct clk_event *b = (struct clk_event *)E(s, "b");
	struct clk_event saved = *b;
	b->lamport = 1; /* not above m.recv's 3 */
	assert_false(checker_ok(s, &why));
	assert_non_null(strstr(sbuf_str(&why), "Lamport"));
	*b = saved;
	sbuf_clear(&why);
	vclock_increment(&b->vc, 0); /* claims to know an n1 event that did not reach it */
	assert_false(checker_ok(s, &why));
	assert_non_null(strstr(sbuf_str(&why), "vector"));
	*b = saved;
	sbuf_clear(&why);
	b->hlc_c = 7; /* more than the events sharing its l */
	assert_false(checker_ok(s, &why));
	assert_non_null(strstr(sbuf_str(&why), "c exceeds"));
	*b = saved;
	sbuf_clear(&why);
	b->hlc_l += 1;
	b->hlc_c = 0;
	assert_false(checker_ok(s, &why));
	assert_non_null(strstr(sbuf_str(&why), "largest physical"));
	sbuf_free(&why);
	sim_free(s);
}

/* Names: unique, no '.', receipts and acknowledgements named after them. */
static void test_names(void **state)
{
	(void)state;
	struct sim *s = mk(2, 1, quiet);
	ev(s, 0, "a");
	struct sbuf err = {0};
	struct proto_args dup = {2, {node_arg(1), word_arg("a")}};
	assert_int_equal(cmd("event")->run(s, &dup, &err), -1);
	struct proto_args dot = {2, {node_arg(1), word_arg("x.y")}};
	assert_int_equal(cmd("event")->run(s, &dot, &err), -1);
	struct proto_args self = {3, {node_arg(1), node_arg(1), word_arg("q")}};
	assert_int_equal(cmd("send")->run(s, &self, &err), -1);
	sim_crash(s, 1);
	struct proto_args down = {2, {node_arg(1), word_arg("z")}};
	assert_int_equal(cmd("event")->run(s, &down, &err), -1);
	sbuf_free(&err);
	assert_ptr_equal(clocks_find(s, "n1.1"), clocks_find(s, "a"));
	assert_null(clocks_find(s, "n1.2"));
	assert_null(clocks_find(s, "nope"));
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lamport_rules),
	    cmocka_unit_test(test_vector_clocks),
	    cmocka_unit_test(test_hlc_rules),
	    cmocka_unit_test(test_commit_wait_is_two_epsilon),
	    cmocka_unit_test(test_external_consistency_many_seeds),
	    cmocka_unit_test(test_random_schedules),
	    cmocka_unit_test(test_checker_catches_wrong_stamps),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_multileader.c — the multileader protocol on a simulated cluster:
 * last-writer-wins picking the wrong winner under clock skew, lost updates
 * counted, siblings detected and merged by a put, local cas and append,
 * convergence after partitions, crash and restart with stable storage,
 * the messages in words, the invariant checker catching a damaged store,
 * Lamport and HLC stamps computed by hand (clock=lamport|hlc), and a
 * randomized run over many seeds with the invariants checked after every
 * event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/invariants.h"
#include "fixture.h"
#include "proto/hlc.h"
#include "proto/multileader_internal.h"
#include "sim/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cluster with its checker and a record of the last completed op. */
struct fx {
	struct sim *s;
	struct inv_watch *inv;
	int obs;
	struct client_op last; /* the last completed operation */
	int completed;
	char replicate_text[128]; /* the first Replicate delivered, in words */
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct fx *f = ctx;
	if (ev->kind == TR_COMPLETE) {
		f->last = *ev->op;
		f->completed++;
	}
	if (ev->kind == TR_DELIVER && ev->msg->type == ML_MSG_REPLICATE && !f->replicate_text[0]) {
		struct sbuf b = {0};
		sim_describe_msg(f->s, ev->msg, &b);
		ns_strlcpy(f->replicate_text, sbuf_str(&b), sizeof f->replicate_text);
		sbuf_free(&b);
	}
}

static void fx_init_clock(struct fx *f, int n, bool siblings, int clock, uint64_t seed)
{
	memset(f, 0, sizeof *f);
	struct proto_opts o;
	proto_opts_default(&multileader_ops, &o);
	o.v[ML_OPT_RESOLVE].i = siblings ? ML_RESOLVE_SIBLINGS : ML_RESOLVE_LWW;
	o.v[ML_OPT_CLOCK].i = clock;
	f->s = sim_new(&multileader_ops, &o, n, seed);
	f->inv = inv_watch_new(f->s);
	f->obs = sim_observe(f->s, on_trace, f);
}

static void fx_init(struct fx *f, int n, bool siblings, uint64_t seed)
{
	fx_init_clock(f, n, siblings, ML_CLOCK_PHYSICAL, seed);
}

static void fx_free(struct fx *f)
{
	const char *why = NULL;
	if (!inv_watch_ok(f->inv, &why, NULL))
		fail_msg("invariant violated: %s", why);
	sim_unobserve(f->s, f->obs);
	inv_watch_free(f->inv);
	sim_free(f->s);
}

static void run_for(struct fx *f, sim_time d)
{
	sim_run_until(f->s, sim_now(f->s) + d);
}

/* Runs one client operation at node `node` to completion. */
static const struct client_op *op(struct fx *f, enum kv_fn fn, const char *key, const char *a,
				  const char *b, int node)
{
	struct kv_op k = {.fn = fn};
	ns_strlcpy(k.key, key, sizeof k.key);
	ns_strlcpy(k.arg, a ? a : "", sizeof k.arg);
	ns_strlcpy(k.arg2, b ? b : "", sizeof k.arg2);
	int before = f->completed;
	sim_client_invoke(f->s, sim_client_idle(f->s, 1), node, &k);
	while (f->completed == before && sim_step(f->s))
		;
	assert_int_equal(f->completed, before + 1);
	return &f->last;
}

static void put(struct fx *f, const char *key, const char *v, int node)
{
	const struct client_op *o = op(f, KV_PUT, key, v, NULL, node);
	assert_int_equal(o->outcome, OUT_OK);
	assert_int_equal(o->node, node);
}

static const char *value_at(struct fx *f, int node, const char *key)
{
	static char buf[KV_VAL_MAX];
	const struct ml *m = sim_node(f->s, node)->self;
	if (!ml_read(ml_find_key(m, key), buf, sizeof buf))
		return "(none)";
	return buf;
}

/* Evaluates the protocol predicate `name` with up to two args. */
static bool pred(struct fx *f, const char *name, const struct proto_args *a, struct sbuf *why)
{
	for (int i = 0; ml_preds[i].name; i++)
		if (!strcmp(ml_preds[i].name, name))
			return ml_preds[i].eval(f->s, a, why);
	fail_msg("no predicate %s", name);
	return false;
}

static bool converged(struct fx *f)
{
	struct proto_args a = {0};
	struct sbuf why = {0};
	bool ok = pred(f, "converged", &a, &why);
	if (!ok)
		print_message("not converged: %s\n", sbuf_str(&why));
	sbuf_free(&why);
	return ok;
}

static int64_t count_pred(struct fx *f, const char *name)
{
	/* the largest n for which `name >= n` holds */
	int64_t n = 0;
	for (;;) {
		struct proto_args a = {.n = 1};
		a.a[0].kind = ARG_INT;
		a.a[0].present = true;
		a.a[0].num = n + 1;
		struct sbuf why = {0};
		bool ok = pred(f, name, &a, &why);
		sbuf_free(&why);
		if (!ok)
			return n;
		n++;
	}
}

static void partition2(struct fx *f, const int *group)
{
	sim_partition(f->s, group);
}

/* ---- last-writer-wins ----------------------------------------------------------- */

static void test_lww_skew_wrong_winner(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 3, false, 11);
	run_for(&f, 100 * SIM_MS);
	sim_set_skew(f.s, 1, -500 * SIM_MS); /* n2's clock is half a second behind */
	static const int split[] = {0, 1, 1};
	partition2(&f, split);
	put(&f, "x", "first", 0); /* true time ~0.1s, ts ~0.1s */
	run_for(&f, 300 * SIM_MS);
	put(&f, "x", "second", 1); /* later in true time, ts ~ -0.1s */
	run_for(&f, 300 * SIM_MS);
	assert_string_equal(value_at(&f, 1, "x"), "second");
	assert_string_equal(value_at(&f, 0, "x"), "first");
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	/* the write that came later in real time lost everywhere */
	for (int i = 0; i < 3; i++)
		assert_string_equal(value_at(&f, i, "x"), "first");
	assert_int_equal(count_pred(&f, "lost-updates"), 1);
	assert_int_equal(count_pred(&f, "conflicts"), 1);
	const struct ml *n2 = sim_node(f.s, 1)->self;
	assert_true(n2->nlost >= 1);
	assert_string_equal(n2->lost[0].value, "second");
	assert_int_equal(n2->lost[0].writer, 1);
	/* a get through n2 now returns the other write */
	const struct client_op *g = op(&f, KV_GET, "x", NULL, NULL, 1);
	assert_true(g->found);
	assert_string_equal(g->result, "first");
	fx_free(&f);
}

static void test_lww_own_write_lost_at_once(void **state)
{
	(void)state;
	/* n1 (clock 1s ahead) writes; n2 (true clock) reads it, then writes
	 * a causally later value, which loses at once to the "newer" one. */
	struct fx f;
	fx_init(&f, 2, false, 3);
	sim_set_skew(f.s, 0, 1 * SIM_S);
	put(&f, "x", "old", 0);
	run_for(&f, 500 * SIM_MS);
	assert_string_equal(value_at(&f, 1, "x"), "old");
	put(&f, "x", "new", 1);                           /* acknowledged ... */
	assert_string_equal(value_at(&f, 1, "x"), "old"); /* ... and gone */
	run_for(&f, 1 * SIM_S);
	assert_true(converged(&f));
	assert_string_equal(value_at(&f, 0, "x"), "old");
	assert_int_equal(count_pred(&f, "lost-updates"), 1);
	assert_int_equal(count_pred(&f, "conflicts"), 0); /* not concurrent: causally after */
	fx_free(&f);
}

static void test_lww_lost_updates_counted(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 4, false, 5);
	static const int alone[] = {0, 1, 2, 3};
	partition2(&f, alone);
	for (int i = 0; i < 4; i++) {
		char v[8];
		ns_snprintf(v, sizeof v, "v%d", i + 1);
		put(&f, "k", v, i);
		run_for(&f, 10 * SIM_MS);
	}
	run_for(&f, 200 * SIM_MS);
	for (int i = 0; i < 4; i++) {
		char v[8];
		ns_snprintf(v, sizeof v, "v%d", i + 1);
		assert_string_equal(value_at(&f, i, "k"), v); /* every node took its write */
	}
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	/* one write survives (the highest timestamp: the last one), three are lost */
	assert_string_equal(value_at(&f, 0, "k"), "v4");
	assert_int_equal(count_pred(&f, "lost-updates"), 3);
	assert_true(count_pred(&f, "conflicts") >= 3);
	fx_free(&f);
}

/* ---- siblings ------------------------------------------------------------------- */

static void test_siblings_detected_and_merged(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 3, true, 7);
	static const int split[] = {0, 1, 1};
	partition2(&f, split);
	put(&f, "x", "b", 0);
	put(&f, "x", "a", 1);
	run_for(&f, 500 * SIM_MS);
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	const struct client_op *g = op(&f, KV_GET, "x", NULL, NULL, 2);
	assert_true(g->found);
	assert_string_equal(g->result, "a|b"); /* sorted */
	struct proto_args a = {.n = 2};
	a.a[0].kind = ARG_KEY;
	ns_strlcpy(a.a[0].str, "x", sizeof a.a[0].str);
	a.a[1].kind = ARG_INT;
	a.a[1].num = 2;
	struct sbuf why = {0};
	assert_true(pred(&f, "siblings", &a, &why));
	sbuf_free(&why);
	assert_int_equal(count_pred(&f, "lost-updates"), 0);
	assert_int_equal(count_pred(&f, "conflicts"), 1);
	/* append and cas need one value */
	const struct client_op *o = op(&f, KV_APPEND, "x", "c", NULL, 0);
	assert_int_equal(o->outcome, OUT_FAIL);
	assert_non_null(strstr(o->why, "siblings"));
	o = op(&f, KV_CAS, "x", "a", "c", 0);
	assert_int_equal(o->outcome, OUT_FAIL);
	/* a put through n3 supersedes both siblings, everywhere */
	put(&f, "x", "ab", 2);
	assert_string_equal(value_at(&f, 2, "x"), "ab");
	run_for(&f, 1 * SIM_S);
	assert_true(converged(&f));
	for (int i = 0; i < 3; i++)
		assert_string_equal(value_at(&f, i, "x"), "ab");
	const struct ml *n1 = sim_node(f.s, 0)->self;
	struct sbuf vc = {0};
	vclock_fmt(&ml_find_key(n1, "x")->ver[0].vc, &vc);
	assert_string_equal(sbuf_str(&vc), "[n1:1 n2:1 n3:1]");
	sbuf_free(&vc);
	fx_free(&f);
}

static void test_siblings_three_way_and_partial_merge(void **state)
{
	(void)state;
	/* A merge at a node that has seen only two of three siblings keeps the
	 * third: it is not in the merging write's context. */
	struct fx f;
	fx_init(&f, 3, true, 9);
	static const int alone[] = {0, 1, 2};
	partition2(&f, alone);
	put(&f, "x", "1", 0);
	put(&f, "x", "2", 1);
	put(&f, "x", "3", 2);
	sim_heal_link(f.s, 1, 0); /* n2 -> n1 only */
	run_for(&f, 1 * SIM_S);
	assert_string_equal(value_at(&f, 0, "x"), "1|2");
	put(&f, "x", "12", 0);
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	assert_string_equal(value_at(&f, 1, "x"), "12|3");
	fx_free(&f);
}

/* ---- local cas and append ----------------------------------------------------------- */

static void test_cas_append_local(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, false, 13);
	const struct client_op *o = op(&f, KV_CAS, "x", "0", "1", 0);
	assert_int_equal(o->outcome, OUT_FAIL);
	assert_non_null(strstr(o->why, "missing"));
	put(&f, "x", "0", 0);
	run_for(&f, 500 * SIM_MS);
	static const int split[] = {0, 1};
	partition2(&f, split);
	/* both nodes' cas succeed: each compares with its own copy */
	assert_int_equal(op(&f, KV_CAS, "x", "0", "a", 0)->outcome, OUT_OK);
	assert_int_equal(op(&f, KV_CAS, "x", "0", "b", 1)->outcome, OUT_OK);
	o = op(&f, KV_CAS, "x", "0", "c", 1);
	assert_int_equal(o->outcome, OUT_FAIL);
	assert_string_equal(o->why, "x is \"b\" here");
	assert_int_equal(op(&f, KV_APPEND, "x", "+", NULL, 1)->outcome, OUT_OK);
	assert_string_equal(value_at(&f, 1, "x"), "b+");
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	assert_int_equal(count_pred(&f, "lost-updates"), 1); /* cas ... a */
	fx_free(&f);
}

/* ---- crash and restart --------------------------------------------------------------- */

static void test_crash_restart(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 3, true, 17);
	sim_crash(f.s, 2);
	static const int alone[] = {0, 1, 2};
	partition2(&f, alone);
	put(&f, "x", "1", 0);
	put(&f, "y", "2", 1);
	/* n1 crashes before its write could leave: the write is on its disk */
	sim_crash(f.s, 0);
	sim_heal_all(f.s);
	run_for(&f, 1 * SIM_S);
	assert_string_equal(value_at(&f, 1, "x"), "(none)");
	sim_restart(f.s, 2);
	sim_restart(f.s, 0);
	assert_string_equal(value_at(&f, 0, "x"), "1");
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	assert_string_equal(value_at(&f, 2, "x"), "1");
	assert_string_equal(value_at(&f, 2, "y"), "2");
	/* a restarted node writes on from its stored clock */
	put(&f, "x", "3", 0);
	run_for(&f, 1 * SIM_S);
	assert_true(converged(&f));
	const struct ml *n2 = sim_node(f.s, 1)->self;
	struct sbuf vc = {0};
	vclock_fmt(&ml_find_key(n2, "x")->ver[0].vc, &vc);
	assert_string_equal(sbuf_str(&vc), "[n1:2]");
	sbuf_free(&vc);
	fx_free(&f);
}

/* A backlog drains at a batch per tick even while new writes keep coming
 * (a resend clock that restarted at every send would starve it). */
static void test_backlog_drains_under_load(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, false, 31);
	static const int split[] = {0, 1};
	partition2(&f, split);
	char key[16];
	for (int i = 0; i < 80; i++) {
		ns_snprintf(key, sizeof key, "k%d", i);
		put(&f, key, "v", 0);
	}
	sim_heal_all(f.s);
	for (int i = 0; i < 25; i++) {
		put(&f, "hot", key, 0);
		run_for(&f, 40 * SIM_MS);
	}
	run_for(&f, 300 * SIM_MS);
	const struct ml *n2 = sim_node(f.s, 1)->self;
	assert_int_equal(n2->recv_upto[0], 105);
	assert_true(converged(&f));
	fx_free(&f);
}

/* Batches overtaken by later ones on a jittery link wait at the receiver
 * for the gap to fill: no write waits for a resend (`retry`). */
static void test_reordered_batches_wait(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, true, 37);
	struct link_config lc = *sim_default_link(f.s);
	lc.jitter = 40 * SIM_MS;
	sim_set_all_links(f.s, &lc);
	char key[16];
	for (int i = 0; i < 200; i++) {
		ns_snprintf(key, sizeof key, "k%d", i);
		put(&f, key, "v", 0);
	}
	run_for(&f, 200 * SIM_MS); /* < retry (500ms) */
	const struct ml *n2 = sim_node(f.s, 1)->self;
	assert_int_equal(n2->recv_upto[0], 200);
	assert_int_equal(n2->nearly[0], 0);
	assert_true(converged(&f));
	fx_free(&f);
}

/* ---- words and the checker --------------------------------------------------------- */

static void test_messages_in_words(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, false, 19);
	run_for(&f, 1200 * SIM_MS);
	put(&f, "x", "5", 0);
	run_for(&f, 200 * SIM_MS);
	assert_non_null(strstr(f.replicate_text, "Replicate put x 5 ts=1.20"));
	assert_non_null(strstr(f.replicate_text, "[n1:1]"));
	struct node_view v;
	multileader_ops.describe(sim_node(f.s, 1)->self, &v);
	assert_string_equal(v.st.role, "Writer");
	assert_int_equal(v.st.kind, ROLE_OTHER);
	assert_int_equal(proto_leader(f.s), -1);
	assert_non_null(strstr(v.lines[0], "x = 5"));
	fx_free(&f);
}

static void test_checker_catches_a_dropped_sibling(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, true, 23);
	static const int split[] = {0, 1};
	partition2(&f, split);
	put(&f, "x", "a", 0);
	put(&f, "x", "b", 1);
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(inv_watch_ok(f.inv, NULL, NULL));
	/* damage n1's store behind the protocol's back: lose one sibling */
	struct ml *n1 = sim_node(f.s, 0)->self;
	struct ml_key *k = (struct ml_key *)ml_find_key(n1, "x");
	assert_int_equal(k->nver, 2);
	k->nver = 1;
	put(&f, "y", "1", 1); /* any event with a store at n1 ... */
	run_for(&f, 500 * SIM_MS);
	/* ... the checker looks again at n1's keys once n1 restarts */
	sim_crash(f.s, 0);
	sim_restart(f.s, 0);
	run_for(&f, 100 * SIM_MS);
	const char *why = NULL;
	assert_false(inv_watch_ok(f.inv, &why, NULL));
	assert_non_null(strstr(why, "Siblings: n1 has silently dropped put x"));
	sim_unobserve(f.s, f.obs);
	inv_watch_free(f.inv);
	sim_free(f.s);
}

static void test_checker_catches_a_wrong_clock(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, 2, true, 29);
	put(&f, "x", "a", 0);
	run_for(&f, 500 * SIM_MS);
	/* n2 forgets its context: its next write will not descend n1's */
	struct ml *n2 = sim_node(f.s, 1)->self;
	struct ml_key *k = (struct ml_key *)ml_find_key(n2, "x");
	vclock_init(&k->ctx);
	put(&f, "x", "b", 1);
	const char *why = NULL;
	assert_false(inv_watch_ok(f.inv, &why, NULL));
	assert_non_null(strstr(why, "Vector clocks: on key x"));
	assert_non_null(strstr(why, "the clocks say concurrent"));
	sim_unobserve(f.s, f.obs);
	inv_watch_free(f.inv);
	sim_free(f.s);
}

/* ---- clock=lamport and clock=hlc, by hand ------------------------------------------------ */

static const struct ml *node_ml(struct fx *f, int i)
{
	return sim_node(f->s, i)->self;
}

/* The stamp of node i's write number wseq. */
static const struct ml_version *stamp_of(struct fx *f, int i, uint32_t wseq)
{
	const struct ml *m = node_ml(f, i);
	assert_true(wseq >= 1 && wseq <= m->nout);
	return &m->out[wseq - 1].v;
}

/* Figure 5 of Kulkarni et al. 2014, case by case, on literal clocks. */
static void test_hlc_rules_by_hand(void **state)
{
	(void)state;
	int64_t l = HLC_NONE;
	uint32_t c = 0;
	hlc_local(&l, &c, 10); /* first event: l = pt, c = 0 */
	assert_int_equal(l, 10);
	assert_int_equal(c, 0);
	hlc_local(&l, &c, 7); /* pt behind l (clock set back): l stays, c + 1 */
	assert_int_equal(l, 10);
	assert_int_equal(c, 1);
	hlc_local(&l, &c, 12); /* pt ahead: l = pt, c = 0 */
	assert_int_equal(l, 12);
	assert_int_equal(c, 0);
	hlc_recv(&l, &c, 20, 3, 13); /* l.m largest: l = l.m, c = c.m + 1 */
	assert_int_equal(l, 20);
	assert_int_equal(c, 4);
	hlc_recv(&l, &c, 20, 9, 14); /* l = l' = l.m: c = max(c, c.m) + 1 */
	assert_int_equal(l, 20);
	assert_int_equal(c, 10);
	hlc_recv(&l, &c, 15, 40, 16); /* l' largest: l stays, c + 1 */
	assert_int_equal(l, 20);
	assert_int_equal(c, 11);
	hlc_recv(&l, &c, 21, 5, 30); /* pt largest: l = pt, c = 0 */
	assert_int_equal(l, 30);
	assert_int_equal(c, 0);
	assert_true(hlc_less(30, 0, 30, 1));
	assert_true(hlc_less(29, 99, 30, 0));
	assert_false(hlc_less(30, 1, 30, 1));
}

/* IR1 before each write, IR2 on each replicated version applied. */
static void test_lamport_stamps_by_hand(void **state)
{
	(void)state;
	struct fx f;
	fx_init_clock(&f, 3, false, ML_CLOCK_LAMPORT, 31);
	sim_set_skew(f.s, 1, -30 * SIM_S); /* no matter to a counter */
	put(&f, "x", "a", 0);              /* n1: 0 -> L1 */
	put(&f, "y", "b", 0);              /* n1: L2 */
	assert_int_equal(stamp_of(&f, 0, 1)->ts, 1);
	assert_int_equal(stamp_of(&f, 0, 2)->ts, 2);
	run_for(&f, 300 * SIM_MS);                    /* n2, n3 apply L1, L2: counter 2 */
	assert_int_equal(node_ml(&f, 1)->lamport, 2); /* IR2: max(0, 1), max(1, 2) */
	put(&f, "x", "c", 1);                         /* n2: IR1 2 -> L3 */
	assert_int_equal(stamp_of(&f, 1, 1)->ts, 3);
	assert_string_equal(value_at(&f, 1, "x"), "c"); /* L3 > L1: the later write wins */
	run_for(&f, 300 * SIM_MS);
	put(&f, "x", "d", 2); /* n3 has applied L1, L2, L3: L4 */
	assert_int_equal(stamp_of(&f, 2, 1)->ts, 4);
	run_for(&f, 300 * SIM_MS);
	assert_true(converged(&f));
	for (int i = 0; i < 3; i++)
		assert_string_equal(value_at(&f, i, "x"), "d");
	assert_int_equal(count_pred(&f, "lost-updates"), 0);
	/* the counter is stable storage: a restart does not reset it */
	sim_crash(f.s, 0);
	sim_restart(f.s, 0);
	assert_int_equal(node_ml(&f, 0)->lamport, 4);
	put(&f, "x", "e", 0); /* L5 */
	assert_int_equal(stamp_of(&f, 0, 3)->ts, 5);
	struct node_view v;
	multileader_ops.describe(sim_node(f.s, 0)->self, &v);
	bool line = false, clock = false;
	for (int i = 0; i < v.nlines; i++) {
		line |= strstr(v.lines[i], "x = e  n1 L5 [n1:2 n2:1 n3:1]") != NULL;
		clock |= !strcmp(v.lines[i], "Lamport clock 5");
	}
	assert_true(line);
	assert_true(clock);
	fx_free(&f);
}

/* n2's clock is 30s behind; its write after receiving n1's is stamped
 * with n1's l and a larger c (Figure 5), and wins. */
static void test_hlc_stamps_by_hand(void **state)
{
	(void)state;
	struct fx f;
	fx_init_clock(&f, 3, false, ML_CLOCK_HLC, 37);
	sim_set_skew(f.s, 1, -30 * SIM_S);
	run_for(&f, 31 * SIM_S);
	/* The put reaches n1 1ms later (the client's latency), at 31.001s
	 * on n1's true clock: first event, l = pt, c = 0. */
	put(&f, "x", "first", 0);
	assert_int_equal(stamp_of(&f, 0, 1)->ts, 31001 * SIM_MS);
	assert_int_equal(stamp_of(&f, 0, 1)->tc, 0);
	run_for(&f, 499 * SIM_MS); /* to 31.501s */
	/* n2 applied it: receive with l' = none, l.m = 31.001s, pt ~ 1.05s:
	 * l = l.m, c = c.m + 1 = 1 */
	assert_int_equal(node_ml(&f, 1)->hlc_l, 31001 * SIM_MS);
	assert_int_equal(node_ml(&f, 1)->hlc_c, 1);
	/* n2 writes at 31.502s, pt = 1.502s: l = max(31.001s, 1.502s) is l',
	 * so c = 1 + 1 */
	put(&f, "x", "second", 1);
	assert_int_equal(stamp_of(&f, 1, 1)->ts, 31001 * SIM_MS);
	assert_int_equal(stamp_of(&f, 1, 1)->tc, 2);
	assert_string_equal(value_at(&f, 1, "x"), "second"); /* (31.001s, 2) > (31.001s, 0) */
	run_for(&f, 497 * SIM_MS);                           /* to 32.0s */
	assert_true(converged(&f));
	for (int i = 0; i < 3; i++)
		assert_string_equal(value_at(&f, i, "x"), "second");
	assert_int_equal(count_pred(&f, "lost-updates"), 0);
	/* n1 writes at 32.001s: its clock has passed every l it heard of,
	 * so l = pt, c = 0 */
	put(&f, "x", "third", 0);
	assert_int_equal(stamp_of(&f, 0, 2)->ts, 32001 * SIM_MS);
	assert_int_equal(stamp_of(&f, 0, 2)->tc, 0);
	run_for(&f, 499 * SIM_MS);
	/* n2 applied (32.001s, 0) with l' = 31.001s and pt ~ 2.1s: c = 0 + 1 */
	assert_int_equal(node_ml(&f, 1)->hlc_l, 32001 * SIM_MS);
	assert_int_equal(node_ml(&f, 1)->hlc_c, 1);
	/* (l, c) is stable storage: after a restart n2 goes on from it */
	sim_crash(f.s, 1);
	sim_restart(f.s, 1);
	put(&f, "x", "fourth", 1);
	assert_int_equal(stamp_of(&f, 1, 2)->ts, 32001 * SIM_MS);
	assert_int_equal(stamp_of(&f, 1, 2)->tc, 2);
	struct node_view v;
	multileader_ops.describe(sim_node(f.s, 1)->self, &v);
	bool line = false, clock = false;
	for (int i = 0; i < v.nlines; i++) {
		line |= strstr(v.lines[i], "x = fourth  n2 hlc 32.001s,2 [n1:2 n2:2]") != NULL;
		clock |= !strcmp(v.lines[i], "hybrid logical clock (l,c) 32.001s,2");
	}
	assert_true(line);
	assert_true(clock);
	run_for(&f, 1 * SIM_S);
	assert_true(converged(&f));
	assert_string_equal(value_at(&f, 0, "x"), "fourth");
	fx_free(&f);
}

/* HLC orders what is causally related, not concurrent writes: two writes
 * made while cut off from each other are still compared by the writers'
 * clocks, and one is lost. */
static void test_hlc_concurrent_still_lost(void **state)
{
	(void)state;
	struct fx f;
	fx_init_clock(&f, 2, false, ML_CLOCK_HLC, 41);
	sim_set_skew(f.s, 1, -30 * SIM_S);
	run_for(&f, 31 * SIM_S);
	static const int split[] = {0, 1};
	partition2(&f, split);
	put(&f, "x", "first", 0);  /* (31.001s, 0) */
	put(&f, "x", "second", 1); /* later in true time; (~1.003s, 0) */
	assert_int_equal(stamp_of(&f, 1, 1)->tc, 0);
	assert_true(stamp_of(&f, 1, 1)->ts < stamp_of(&f, 0, 1)->ts);
	sim_heal_all(f.s);
	run_for(&f, 2 * SIM_S);
	assert_true(converged(&f));
	assert_string_equal(value_at(&f, 0, "x"), "first");
	assert_string_equal(value_at(&f, 1, "x"), "first");
	assert_int_equal(count_pred(&f, "lost-updates"), 1);
	assert_int_equal(count_pred(&f, "conflicts"), 1);
	fx_free(&f);
}

/* ---- randomized ------------------------------------------------------------------------ */

/* Random writes, reads, partitions, crashes, skews and lossy links for a
 * few simulated seconds, under each clock; invariants after every event; then heal, restart
 * everyone, wait, and every replica must hold the same versions. */
static void random_run(uint64_t seed, bool siblings)
{
	struct fx f;
	/* every clock: physical, lamport, hlc by turns */
	fx_init_clock(&f, 3 + (int)(seed % 3), siblings, (int)(seed / 3 % 3), seed);
	struct rng r;
	rng_seed(&r, seed * 7919 + 1);
	int n = sim_nodes(f.s);
	static const char *const keys[] = {"x", "y", "z"};
	for (int step = 0; step < 120; step++) {
		int what = (int)rng_below(&r, 20);
		int node = (int)rng_below(&r, (uint64_t)n);
		if (what < 10) {
			int c = sim_client_idle(f.s, 1);
			struct kv_op k = {.fn = what < 6   ? KV_PUT
						: what < 8 ? KV_GET
						: what < 9 ? KV_APPEND
							   : KV_CAS};
			ns_strlcpy(k.key, keys[rng_below(&r, 3)], sizeof k.key);
			ns_snprintf(k.arg, sizeof k.arg, "%d", (int)rng_below(&r, 10));
			ns_snprintf(k.arg2, sizeof k.arg2, "%d", (int)rng_below(&r, 10));
			if (c < 8)
				sim_client_invoke(f.s, c, node, &k);
		} else if (what < 12) {
			int group[SIM_MAX_NODES];
			for (int i = 0; i < n; i++)
				group[i] = (int)rng_below(&r, 2);
			sim_partition(f.s, group);
		} else if (what < 13) {
			sim_heal_all(f.s);
		} else if (what < 14) {
			if (sim_node(f.s, node)->up)
				sim_crash(f.s, node);
			else
				sim_restart(f.s, node);
		} else if (what < 15) {
			sim_set_skew(f.s, node, rng_range(&r, -800, 800) * SIM_MS);
		} else if (what < 16) {
			struct link_config lc = *sim_default_link(f.s);
			lc.loss_ppm = (uint32_t)rng_below(&r, 300000);
			lc.dup_ppm = (uint32_t)rng_below(&r, 100000);
			lc.jitter = 30 * SIM_MS;
			sim_set_all_links(f.s, &lc);
		} else if (what < 17 && !siblings) {
			/* lww runs also switch the option live, both ways */
			struct opt_value *v = &sim_opts_mut(f.s)->v[ML_OPT_RESOLVE];
			v->i = v->i == ML_RESOLVE_LWW ? ML_RESOLVE_SIBLINGS : ML_RESOLVE_LWW;
			for (int i = 0; i < n; i++)
				multileader_ops.option_changed(sim_node(f.s, i)->self,
							       ML_OPT_RESOLVE);
		}
		run_for(&f, (sim_time)rng_range(&r, 1, 150) * SIM_MS);
		const char *why = NULL;
		if (!inv_watch_ok(f.inv, &why, NULL))
			fail_msg("seed %llu (%s): %s", (unsigned long long)seed,
				 siblings ? "siblings" : "lww", why);
	}
	sim_heal_all(f.s);
	struct link_config lc = *sim_default_link(f.s);
	lc.loss_ppm = 0;
	lc.dup_ppm = 0;
	sim_set_all_links(f.s, &lc);
	for (int i = 0; i < n; i++)
		sim_restart(f.s, i);
	run_for(&f, 5 * SIM_S);
	if (!converged(&f))
		fail_msg("seed %llu (%s): no convergence", (unsigned long long)seed,
			 siblings ? "siblings" : "lww");
	fx_free(&f);
}

static void test_random_many_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 400; seed++) {
		random_run(seed, false);
		random_run(seed, true);
	}
}

/* lost-updates says its count after what the conjuncts before it said,
 * not in front of them ("0 lost updatesall 3 up nodes hold ...", found
 * taking the multileader lesson at 1x). */
static void test_lost_updates_explanation_in_order(void **state)
{
	(void)state;
	struct world *w = world_with("seed 3\ncluster multileader 3\nput x a via n1\nrun 1s");
	struct sbuf err = {0}, why = {0};
	struct pred *p = pred_parse("converged and not lost-updates >= 1", "t", 1, w, &err);
	assert_non_null(p);
	assert_true(pred_eval(w, p, &why));
	if (!strstr(sbuf_str(&why), "the same versions; 0 lost updates"))
		fail_msg("explanation out of order: %s", sbuf_str(&why));
	pred_free(p);
	sbuf_free(&why);
	sbuf_free(&err);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lww_skew_wrong_winner),
	    cmocka_unit_test(test_lww_own_write_lost_at_once),
	    cmocka_unit_test(test_lww_lost_updates_counted),
	    cmocka_unit_test(test_siblings_detected_and_merged),
	    cmocka_unit_test(test_siblings_three_way_and_partial_merge),
	    cmocka_unit_test(test_cas_append_local),
	    cmocka_unit_test(test_crash_restart),
	    cmocka_unit_test(test_backlog_drains_under_load),
	    cmocka_unit_test(test_reordered_batches_wait),
	    cmocka_unit_test(test_messages_in_words),
	    cmocka_unit_test(test_checker_catches_a_dropped_sibling),
	    cmocka_unit_test(test_checker_catches_a_wrong_clock),
	    cmocka_unit_test(test_hlc_rules_by_hand),
	    cmocka_unit_test(test_lamport_stamps_by_hand),
	    cmocka_unit_test(test_hlc_stamps_by_hand),
	    cmocka_unit_test(test_hlc_concurrent_still_lost),
	    cmocka_unit_test(test_random_many_seeds),
	    cmocka_unit_test(test_lost_updates_explanation_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

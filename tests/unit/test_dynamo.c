/*
 * test_dynamo.c — the dynamo protocol: the ring and preference lists,
 * sibling merging, quorum writes and reads, W + R > N against W + R <= N,
 * sloppy quorums and hinted handoff, read repair, anti-entropy, crashes,
 * the message encoding and descriptions, the invariant checker catching
 * a planted bug, and a many-seed randomized run with the invariants
 * checked after every event and convergence required at the end.
 *
 * Placement on 5 nodes with one token each (dynamo_ring.c's hash):
 *   x -> n5 n1 n4 (then n3 n2)    z -> n4 n3 n2    a -> n1 n4 n3
 * test_placement pins it, so the other tests can name nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/invariants.h"
#include "check/lin.h"
#include "proto/dynamo_internal.h"
#include "script/script.h"
#include "sim/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a world driven by command lines, and what its clients saw --------- */

struct seen {
	char key[KV_KEY_MAX];
	enum op_outcome out;
	bool found;
	char result[KV_VAL_MAX];
	int completed;
};

static struct seen last_op; /* the last completed operation */

static void on_trace(void *ctx, const struct trace_event *ev)
{
	(void)ctx;
	if (ev->kind != TR_COMPLETE)
		return;
	ns_strlcpy(last_op.key, ev->op->op.key, sizeof last_op.key);
	last_op.out = ev->op->outcome;
	last_op.found = ev->op->found;
	ns_strlcpy(last_op.result, ev->op->result, sizeof last_op.result);
	last_op.completed++;
}

static void on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	(void)ctx;
	(void)w;
	sim_observe(s, on_trace, NULL);
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void cmd(struct world *w, const char *fmt, ...) NS_PRINTF(2, 3);

/* A world running `cluster` with `seed`. */
static struct world *world(int seed, const char *cluster)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	world_on_new_sim(w, on_new_sim, NULL);
	memset(&last_op, 0, sizeof last_op);
	cmd(w, "seed %d", seed);
	cmd(w, "%s", cluster);
	return w;
}

static void cmd(struct world *w, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	struct sbuf err = {0};
	if (world_exec_line(w, line, &err) != EXEC_OK)
		fail_msg("%s: %s", line, sbuf_str(&err));
	sbuf_free(&err);
}

/* Whether a predicate holds now; why (if not NULL) gets the explanation. */
static bool holds(struct world *w, const char *text, char *why, size_t n)
{
	struct sbuf err = {0}, b = {0};
	struct pred *p = pred_parse(text, "t", 1, w, &err);
	if (!p)
		fail_msg("%s: %s", text, sbuf_str(&err));
	bool ok = pred_eval(w, p, &b);
	if (why)
		ns_strlcpy(why, sbuf_str(&b), n);
	pred_free(p);
	sbuf_free(&err);
	sbuf_free(&b);
	return ok;
}

#define EXPECT(w, text)                                                                            \
	do {                                                                                       \
		char why_[512];                                                                    \
		if (!holds(w, text, why_, sizeof why_))                                            \
			fail_msg("expected %s: %s", text, why_);                                   \
	} while (0)
#define EXPECT_NOT(w, text)                                                                        \
	do {                                                                                       \
		char why_[512];                                                                    \
		if (holds(w, text, why_, sizeof why_))                                             \
			fail_msg("expected not %s: %s", text, why_);                               \
	} while (0)

/* Runs an operation to completion (at most 3s) and returns what it saw. */
static struct seen op(struct world *w, const char *line)
{
	int before = last_op.completed;
	cmd(w, "%s", line);
	for (int i = 0; i < 300 && last_op.completed == before; i++)
		cmd(w, "run 10ms");
	assert_int_equal(last_op.completed, before + 1);
	return last_op;
}

static void done(struct world *w)
{
	world_free(w);
}

/* The linearizability checker's verdict on the world's client history. */
static enum lin_verdict lin_of(struct world *w)
{
	struct lin_checker *c = lin_new(world_history(w), LIN_MODEL_KV);
	enum lin_verdict v = lin_check(c, NULL);
	lin_free(c);
	return v;
}

static struct dyn *node_dyn(struct world *w, int i)
{
	return sim_node(world_sim(w), i)->self;
}

/* ---- pure parts ------------------------------------------------------------- */

static void test_placement(void **state)
{
	(void)state;
	struct dyn_ring r = {0};
	dyn_ring_build(&r, 5, 1);
	int p[5];
	assert_int_equal(dyn_ring_pref(&r, "x", 3, p), 3);
	assert_int_equal(p[0], 4);
	assert_int_equal(p[1], 0);
	assert_int_equal(p[2], 3);
	assert_int_equal(dyn_ring_pref(&r, "z", 3, p), 3);
	assert_int_equal(p[0], 3);
	assert_int_equal(dyn_ring_pref(&r, "a", 3, p), 3);
	assert_int_equal(p[0], 0);
	/* n larger than the cluster: every node once. */
	assert_int_equal(dyn_ring_pref(&r, "x", 9, p), 5);
	/* Ranges: a key falls in the range of the first token at or after it. */
	for (int i = 0; i < r.ntok; i++) {
		assert_int_equal(dyn_ring_range(&r, r.tok[i].pos), i);
		assert_int_equal(dyn_ring_range(&r, r.tok[i].pos + 1), (i + 1) % r.ntok);
	}
	/* Virtual nodes: the preference list still names distinct nodes, and
	 * every node owns some of 1000 keys. */
	dyn_ring_build(&r, 7, 8);
	int owned[7] = {0};
	for (int k = 0; k < 1000; k++) {
		char key[16];
		ns_snprintf(key, sizeof key, "k%d", k);
		int q[4];
		assert_int_equal(dyn_ring_pref(&r, key, 4, q), 4);
		for (int i = 0; i < 4; i++)
			for (int j = 0; j < i; j++)
				assert_int_not_equal(q[i], q[j]);
		owned[q[0]]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(owned[i] > 40);
	dyn_ring_free(&r);
}

static struct dyn_ver ver(const char *val, int node, uint32_t ctr, const char *clock)
{
	struct dyn_ver v = {0};
	ns_strlcpy(v.val, val, sizeof v.val);
	v.dot_node = (uint16_t)node;
	v.dot_ctr = ctr;
	assert_true(vclock_parse(&v.vc, clock));
	return v;
}

static void test_siblings_merge(void **state)
{
	(void)state;
	struct dyn_obj o = {.key = "x"};
	struct dyn_ver a = ver("1", 0, 1, "[n1:1]"), b = ver("2", 1, 1, "[n2:1]"),
		       c = ver("3", 0, 2, "[n1:2 n2:1]");
	assert_true(dyn_obj_merge(&o, &a));
	assert_false(dyn_obj_merge(&o, &a)); /* idempotent */
	assert_true(dyn_obj_merge(&o, &b));  /* concurrent: a sibling */
	assert_int_equal(o.nv, 2);
	char val[KV_VAL_MAX];
	dyn_obj_values(&o, val, sizeof val);
	assert_string_equal(val, "1|2");
	assert_true(dyn_obj_merge(&o, &c)); /* descends from both */
	assert_int_equal(o.nv, 1);
	assert_false(dyn_obj_merge(&o, &a)); /* an ancestor changes nothing */
	dyn_obj_values(&o, val, sizeof val);
	assert_string_equal(val, "3");
	/* Merging is order-independent: hashes agree. */
	struct dyn_obj p = {.key = "x"};
	dyn_obj_merge(&p, &c);
	dyn_obj_merge(&p, &b);
	assert_true(dyn_obj_same(&o, &p));
	assert_true(dyn_obj_hash(&o) == dyn_obj_hash(&p));
	dyn_obj_merge(
	    &p, &(struct dyn_ver){.val = "9", .dot_node = 2, .dot_ctr = 1, .vc = {.c = {[2] = 1}}});
	assert_false(dyn_obj_hash(&o) == dyn_obj_hash(&p));
	struct sbuf b2 = {0};
	dyn_obj_fmt(&p, "=", &b2);
	assert_string_equal(sbuf_str(&b2), "x=3 [n1:2 n2:1] | 9 [n3:1]");
	sbuf_free(&b2);
	dyn_obj_free(&o);
	dyn_obj_free(&p);
}

static void test_wire(void **state)
{
	(void)state;
	struct dyn_ver v = ver("5", 0, 2, "[n1:2]");
	struct dyn_wire w = {
	    .type = DYN_PUT, .req = 7, .hint = 1, .obj = {.key = "x", .nv = 1, .cap = 1, .v = &v}};
	struct sbuf b = {0};
	dyn_wire_encode(&w, &b);
	struct msg m = {.type = DYN_PUT, .to = 2, .len = (uint32_t)b.len, .data = b.s};
	struct dyn_wire back;
	assert_true(dyn_wire_decode(&m, &back));
	assert_int_equal(back.req, 7);
	assert_int_equal(back.hint, 1);
	assert_int_equal(back.obj.nv, 1);
	assert_string_equal(back.obj.v[0].val, "5");
	assert_int_equal(vclock_get(&back.obj.v[0].vc, 0), 2);
	dyn_wire_free(&back);
	extern const struct proto_ops dynamo_ops;
	struct sbuf d = {0};
	dynamo_ops.node.describe_msg(&m, &d);
	assert_string_equal(sbuf_str(&d), "Put x=5 [n1:2] to n3 (hint for n2)");
	/* A hint naming a node that cannot exist is refused. */
	struct dyn_wire bad = w;
	bad.hint = SIM_MAX_NODES + 3;
	struct sbuf bb = {0};
	dyn_wire_encode(&bad, &bb);
	struct msg mb = {.type = DYN_PUT, .len = (uint32_t)bb.len, .data = bb.s};
	assert_false(dyn_wire_decode(&mb, &back));
	sbuf_free(&bb);
	/* Every truncation is refused, never read past the end. */
	for (uint32_t len = 0; len < m.len; len++) {
		struct msg t = m;
		t.len = len;
		assert_false(dyn_wire_decode(&t, &back));
	}
	sbuf_clear(&b);
	struct dyn_wire dg = {
	    .type = DYN_DIGEST, .hint = -1, .range = 3, .hash = 0x9f2c000000000000ull};
	dyn_wire_encode(&dg, &b);
	struct msg m2 = {.type = DYN_DIGEST, .len = (uint32_t)b.len, .data = b.s};
	sbuf_clear(&d);
	dynamo_ops.node.describe_msg(&m2, &d);
	assert_string_equal(sbuf_str(&d), "Digest range 3 hash 9f2c");
	sbuf_free(&b);
	sbuf_free(&d);
}

/* ---- quorums ------------------------------------------------------------------ */

static void test_quorum_write_read(void **state)
{
	(void)state;
	struct world *w = world(5, "cluster dynamo 5");
	cmd(w, "run 300ms");
	/* Through a node outside x's list (n2): forwarded to n5. */
	struct seen s = op(w, "put x 1 via n2");
	assert_int_equal(s.out, OUT_OK);
	s = op(w, "get x via n3");
	assert_int_equal(s.out, OUT_OK);
	assert_true(s.found);
	assert_string_equal(s.result, "1");
	cmd(w, "run 200ms");
	EXPECT(w, "replicas x = 3");
	EXPECT(w, "value n5 x = 1 and value n1 x = 1 and value n4 x = 1");
	EXPECT(w, "value n2 x = \"\"");
	EXPECT(w, "converged and safe and quorum-overlap");
	s = op(w, "get nothing");
	assert_int_equal(s.out, OUT_OK);
	assert_false(s.found);
	/* Dynamo's interface is get and put. */
	s = op(w, "append x 2");
	assert_int_equal(s.out, OUT_FAIL);
	s = op(w, "put x \"a|b\"");
	assert_int_equal(s.out, OUT_FAIL);
	done(w);
}

/* A write that reached only w = 2 of x's replicas, then a read through the
 * third: with r = 2 the read still meets the write. */
static void test_fresh_read(void **state)
{
	(void)state;
	for (int seed = 1; seed <= 20; seed++) {
		struct world *w =
		    world(seed, "cluster dynamo 5 sloppy=off read-repair=off anti-entropy=0s");
		cmd(w, "run 300ms");
		assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
		cmd(w, "run 100ms");
		cmd(w, "partition n4"); /* n4 misses the next write */
		assert_int_equal(op(w, "put x 2 via n5").out, OUT_OK);
		cmd(w, "heal");
		EXPECT(w, "value n4 x = 1");
		struct seen s = op(w, "get x via n4");
		assert_int_equal(s.out, OUT_OK);
		assert_string_equal(s.result, "2");
		EXPECT(w, "safe");
		/* One client, every op acknowledged, strict quorums: this
		 * history must be linearizable. */
		assert_int_equal(lin_of(w), LIN_OK);
		done(w);
	}
}

/* w = 1, r = 1: the read asks one replica, which missed the write. */
static void test_stale_read(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=off read-repair=off anti-entropy=0s");
	cmd(w, "run 300ms");
	assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
	cmd(w, "run 100ms");
	cmd(w, "set w 1");
	cmd(w, "set r 1");
	EXPECT_NOT(w, "quorum-overlap");
	cmd(w, "partition n5"); /* x's coordinator alone with its write */
	assert_int_equal(op(w, "put x 2 via n5").out, OUT_OK);
	struct seen s = op(w, "get x via n4");
	assert_int_equal(s.out, OUT_OK);
	assert_string_equal(s.result, "1"); /* stale: the write of 2 was acknowledged */
	EXPECT(w, "last-read x = 1");
	EXPECT(w, "safe"); /* nothing was promised */
	assert_int_equal(lin_of(w), LIN_VIOLATION);
	done(w);
}

/* W + R > N and still not linearizable: two reads run while a write that
 * reached one replica is in progress (tests/scenarios/
 * dynamo_quorum_not_linearizable.ns tells the story). */
static void test_quorum_not_linearizable(void **state)
{
	(void)state;
	struct world *w =
	    world(31, "cluster dynamo 5 n=3 w=2 r=2 sloppy=off read-repair=off anti-entropy=0s");
	cmd(w, "link n1 n5 latency 100ms");
	cmd(w, "run 300ms");
	assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
	cmd(w, "run 400ms");
	cmd(w, "partition n5");
	cmd(w, "put x 2 via n5");
	cmd(w, "run 10ms");
	cmd(w, "heal");
	assert_string_equal(op(w, "get x via n5 as c2").result, "2");
	assert_string_equal(op(w, "get x via n1 as c3").result, "1");
	EXPECT(w, "quorum-overlap and safe and not acknowledged x = 2");
	assert_int_equal(lin_of(w), LIN_VIOLATION);
	done(w);
}

/* The checker is not vacuous: lose a replica's disk behind the protocol's
 * back and the next quorum read misses an acknowledged write. */
static void test_checker_catches_lost_write(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=off read-repair=off anti-entropy=0s");
	cmd(w, "run 300ms");
	cmd(w, "partition n4");
	assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
	cmd(w, "heal");
	EXPECT(w, "safe");
	/* Planted bug: n5 and n1, which acknowledged x, forget it. */
	for (int i = 0; i <= 4; i += 4) {
		struct dyn_obj *o = dyn_store_find(&node_dyn(w, i)->store, "x");
		assert_non_null(o);
		o->nv = 0;
	}
	struct seen s = op(w, "get x via n1");
	assert_int_equal(s.out, OUT_OK);
	assert_false(s.found);
	char why[512];
	assert_false(holds(w, "safe", why, sizeof why));
	assert_non_null(strstr(why, "quorum read"));
	done(w);
}

static void test_strict_quorum_unavailable(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=off w=3");
	cmd(w, "client timeout 1s");
	cmd(w, "run 300ms");
	cmd(w, "crash n4");
	cmd(w, "run 600ms");
	struct seen s = op(w, "put x 1 via n5");
	assert_int_equal(s.out, OUT_UNKNOWN); /* stored on 2 of 3: not acknowledged */
	EXPECT(w, "hints >= 0 and not hints >= 1");
	/* A node outside the list that trusts none of it refuses; the
	 * client's retries also reach the crashed n5 and n1, which say
	 * nothing, so to the client the outcome is unknown, not fail: it
	 * cannot tell a lost request from a lost reply (issue 10). */
	cmd(w, "crash n5 n1");
	cmd(w, "run 600ms");
	s = op(w, "get x via n2");
	assert_int_equal(s.out, OUT_UNKNOWN);
	/* Retrying only n2, every attempt is refused: the client knows it
	 * did not happen, fail. */
	cmd(w, "client stick on");
	s = op(w, "get x via n2");
	assert_int_equal(s.out, OUT_FAIL);
	done(w);
}

/* ---- sloppy quorum, hinted handoff, read repair, anti-entropy ------------- */

static void test_sloppy_handoff(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=on w=3 anti-entropy=0s");
	cmd(w, "run 300ms");
	cmd(w, "partition n4"); /* x's third replica */
	cmd(w, "run 600ms");    /* suspected by now */
	struct seen s = op(w, "put x 1 via n5");
	assert_int_equal(s.out, OUT_OK); /* n3 stood in for n4 */
	EXPECT(w, "hints >= 1");
	char why[512];
	holds(w, "hints >= 1", why, sizeof why);
	assert_non_null(strstr(why, "n3 holds x for n4"));
	EXPECT(w, "value n4 x = \"\"");
	EXPECT(w, "safe");
	/* The stand-in's pane shows the hinted copy and whom it suspects. */
	struct node_view v;
	struct node *n3 = sim_node(world_sim(w), 2);
	sim_proto(world_sim(w))->describe(n3->self, &v);
	assert_int_equal(v.st.kind, ROLE_OTHER);
	assert_string_equal(v.st.role, "Replica");
	assert_string_equal(v.badge, "0 keys +1 hints");
	bool hint_line = false, suspects_line = false;
	for (int i = 0; i < v.nlines; i++) {
		hint_line |= !strcmp(v.lines[i], "hint for n4: x=1 [n5:1]");
		suspects_line |= !strcmp(v.lines[i], "suspects n4");
	}
	assert_true(hint_line);
	assert_true(suspects_line);
	cmd(w, "heal");
	cmd(w, "run 1s");
	EXPECT(w, "value n4 x = 1");
	EXPECT(w, "not hints >= 1");
	EXPECT(w, "converged and replicas x = 3 and safe");
	done(w);
}

static void test_read_repair(void **state)
{
	(void)state;
	for (int repair = 0; repair <= 1; repair++) {
		struct world *w = world(1, "cluster dynamo 5 sloppy=off r=3 anti-entropy=0s");
		cmd(w, "set read-repair %s", repair ? "on" : "off");
		cmd(w, "run 300ms");
		cmd(w, "partition n1");
		assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
		cmd(w, "heal");
		cmd(w, "run 600ms");
		EXPECT(w, "replicas x = 2");
		struct seen s = op(w, "get x via n5");
		assert_string_equal(s.result, "1");
		cmd(w, "run 300ms");
		EXPECT(w, repair ? "replicas x = 3 and converged" : "replicas x = 2");
		EXPECT(w, "safe");
		done(w);
	}
}

static void test_anti_entropy(void **state)
{
	(void)state;
	for (int ae = 0; ae <= 1; ae++) {
		struct world *w = world(1, "cluster dynamo 5 sloppy=off w=1 read-repair=off");
		cmd(w, "set anti-entropy %s", ae ? "200ms" : "0s");
		cmd(w, "run 300ms");
		cmd(w, "partition n5 | n1 | n4 n2 n3");
		assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
		assert_int_equal(op(w, "put z 7 via n4").out, OUT_OK);
		cmd(w, "heal");
		cmd(w, "run 5s");
		if (ae) {
			EXPECT(w, "converged and replicas x = 3 and replicas z = 3");
		} else {
			EXPECT(w, "not converged");
			EXPECT(w, "replicas x = 1");
		}
		EXPECT(w, "safe");
		done(w);
	}
}

static void test_concurrent_siblings(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=off w=1 r=1 anti-entropy=200ms");
	cmd(w, "run 300ms");
	cmd(w, "partition n5 n2 | n1 n3 n4");
	assert_int_equal(op(w, "put x a via n5").out, OUT_OK);
	assert_int_equal(op(w, "put x b via n1").out, OUT_OK);
	cmd(w, "heal");
	cmd(w, "run 3s");
	EXPECT(w, "siblings x >= 2 and converged and safe");
	struct seen s = op(w, "get x via n4");
	assert_string_equal(s.result, "a|b");
	assert_int_equal(lin_of(w), LIN_VIOLATION); /* nobody wrote "a|b" */
	/* A write by a coordinator that holds both supersedes both. */
	assert_int_equal(op(w, "put x c via n5").out, OUT_OK);
	cmd(w, "run 3s");
	EXPECT(w, "not siblings x >= 2 and value n4 x = c and converged and safe");
	done(w);
}

static void test_crash_restart(void **state)
{
	(void)state;
	struct world *w = world(1, "cluster dynamo 5 sloppy=off");
	cmd(w, "run 300ms");
	assert_int_equal(op(w, "put x 1 via n5").out, OUT_OK);
	cmd(w, "run 100ms");
	cmd(w, "crash n5 n1 n4");
	cmd(w, "run 200ms");
	cmd(w, "restart n5 n1 n4");
	cmd(w, "run 600ms");
	EXPECT(w, "replicas x = 3");
	/* The coordinator's counter survived: a new write is not confused
	 * with the old one (the checker would say so). */
	assert_int_equal(op(w, "put x 2 via n5").out, OUT_OK);
	struct seen s = op(w, "get x via n1");
	assert_string_equal(s.result, "2");
	cmd(w, "run 300ms");
	EXPECT(w, "value n4 x = 2 and safe");
	done(w);
}

/* ---- randomized ------------------------------------------------------------ */

static bool conv(void *ctx, struct sim *s)
{
	(void)ctx;
	struct sbuf why = {0};
	bool ok = false;
	for (int i = 0; sim_proto(s)->preds[i].name; i++)
		if (!strcmp(sim_proto(s)->preds[i].name, "converged"))
			ok = sim_proto(s)->preds[i].eval(s, NULL, &why);
	sbuf_free(&why);
	return ok;
}

/* One seed: random options, then 8 s of crashes, restarts, partitions,
 * cuts, lossy links and puts and gets on four keys, with every invariant
 * checked after every event; then heal everything and require that the
 * replicas converge within 20 s and still hold every acknowledged write.
 * Returns the number of operations that completed. */
static int random_run(uint64_t seed)
{
	extern const struct proto_ops dynamo_ops;
	struct rng r;
	rng_seed(&r, seed * 7919 + 1);
	struct proto_opts o;
	proto_opts_default(&dynamo_ops, &o);
	int nodes = (int)rng_range(&r, 3, 7);
	o.v[DYN_OPT_N].i = rng_range(&r, 1, MIN(nodes, 4));
	o.v[DYN_OPT_W].i = rng_range(&r, 1, o.v[DYN_OPT_N].i);
	o.v[DYN_OPT_R].i = rng_range(&r, 1, o.v[DYN_OPT_N].i);
	o.v[DYN_OPT_SLOPPY].i = rng_below(&r, 2);
	if (seed % 2 == 0) { /* half the seeds under the quorum guarantee */
		o.v[DYN_OPT_SLOPPY].i = 0;
		o.v[DYN_OPT_W].i = o.v[DYN_OPT_N].i / 2 + 1;
		o.v[DYN_OPT_R].i = o.v[DYN_OPT_N].i - o.v[DYN_OPT_W].i + 1;
	}
	o.v[DYN_OPT_READ_REPAIR].i = rng_below(&r, 2);
	o.v[DYN_OPT_VNODES].i = rng_range(&r, 1, 3);
	o.v[DYN_OPT_ANTI_ENTROPY].i = rng_range(&r, 100, 1000) * SIM_MS;
	struct sim *s = sim_new(&dynamo_ops, &o, nodes, seed);
	struct inv_watch *iw = inv_watch_new(s);
	sim_observe(s, on_trace, NULL);
	static const char *const keys[] = {"x", "y", "z", "cart"};
	int ok_ops = 0, before = last_op.completed;
	for (sim_time t = 0; t < 8 * SIM_S; t += 50 * SIM_MS) {
		sim_run_until(s, t);
		uint64_t dice = rng_below(&r, 100);
		int a = (int)rng_below(&r, (uint64_t)nodes),
		    b = (int)rng_below(&r, (uint64_t)nodes);
		if (dice < 4)
			sim_crash(s, a);
		else if (dice < 10)
			sim_restart(s, a);
		else if (dice < 13) {
			int g[SIM_MAX_NODES];
			for (int i = 0; i < nodes; i++)
				g[i] = (int)rng_below(&r, 2);
			sim_partition(s, g);
		} else if (dice < 15 && a != b)
			sim_cut(s, a, b);
		else if (dice < 19)
			sim_heal_all(s);
		else if (dice < 20) {
			struct link_config c = *sim_default_link(s);
			c.loss_ppm = (uint32_t)rng_below(&r, 200000);
			c.dup_ppm = (uint32_t)rng_below(&r, 50000);
			sim_set_all_links(s, &c);
		} else if (dice < 60) {
			int c = sim_client_idle(s, 1);
			if (c <= 6) {
				struct kv_op op = {.fn = rng_below(&r, 2) ? KV_PUT : KV_GET};
				ns_strlcpy(op.key, keys[rng_below(&r, 4)], sizeof op.key);
				ns_snprintf(op.arg, sizeof op.arg, "%llu",
					    (unsigned long long)rng_below(&r, 1000));
				sim_client_invoke(s, c, -1, &op);
			}
		}
		if (dice == 99 && seed % 4 == 1) /* a live option change: set w 1 */
			sim_opts_mut(s)->v[DYN_OPT_W].i = 1;
		const char *why;
		sim_time at;
		if (!inv_watch_ok(iw, &why, &at))
			fail_msg("seed %llu: at %lld us: %s", (unsigned long long)seed,
				 (long long)at, why);
	}
	ok_ops = last_op.completed - before;
	struct link_config c = *sim_default_link(s);
	c.loss_ppm = c.dup_ppm = 0;
	sim_set_all_links(s, &c);
	sim_heal_all(s);
	for (int i = 0; i < nodes; i++)
		sim_restart(s, i);
	if (!sim_run_while(s, sim_now(s) + 20 * SIM_S, conv, NULL)) {
		struct sbuf why = {0};
		for (int i = 0; dynamo_ops.preds[i].name; i++)
			if (!strcmp(dynamo_ops.preds[i].name, "converged"))
				dynamo_ops.preds[i].eval(s, NULL, &why);
		fail_msg("seed %llu: no convergence 20s after healing: %s",
			 (unsigned long long)seed, sbuf_str(&why));
	}
	/* Durability: no acknowledged write was lost. After convergence the
	 * first replica of its key holds it or a version descending from it. */
	struct dyn_ring ring = {0};
	dyn_ring_build(&ring, nodes, (int)o.v[DYN_OPT_VNODES].i);
	for (int i = 0; i < nodes; i++) {
		const struct dyn *d = sim_node(s, i)->self;
		for (int g = 0; g < d->nghost; g++) {
			const struct dyn_ghost *gh = &d->ghost[g];
			if (gh->is_get || !gh->acked)
				continue;
			int pref[DYN_N_MAX];
			assert_int_equal(dyn_ring_pref(&ring, gh->key, 1, pref), 1);
			const struct dyn *first = sim_node(s, pref[0])->self;
			const struct dyn_obj *obj = dyn_store_find(&first->store, gh->key);
			bool kept = false;
			for (int k = 0; obj && k < obj->nv && !kept; k++)
				kept = vclock_descends(&obj->v[k].vc, &gh->ver.vc);
			if (!kept)
				fail_msg("seed %llu: the acknowledged put %s %s is lost",
					 (unsigned long long)seed, gh->key, gh->ver.val);
		}
	}
	dyn_ring_free(&ring);
	const char *why;
	if (!inv_watch_ok(iw, &why, NULL))
		fail_msg("seed %llu: %s", (unsigned long long)seed, why);
	inv_watch_free(iw);
	sim_free(s);
	return ok_ops;
}

static void test_randomized(void **state)
{
	(void)state;
	int total = 0;
	for (uint64_t seed = 1; seed <= 150; seed++)
		total += random_run(seed);
	printf("# 150 seeds: %d client operations completed\n", total);
	assert_true(total > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_siblings_merge),
	    cmocka_unit_test(test_wire),
	    cmocka_unit_test(test_quorum_write_read),
	    cmocka_unit_test(test_fresh_read),
	    cmocka_unit_test(test_stale_read),
	    cmocka_unit_test(test_quorum_not_linearizable),
	    cmocka_unit_test(test_checker_catches_lost_write),
	    cmocka_unit_test(test_strict_quorum_unavailable),
	    cmocka_unit_test(test_sloppy_handoff),
	    cmocka_unit_test(test_read_repair),
	    cmocka_unit_test(test_anti_entropy),
	    cmocka_unit_test(test_concurrent_siblings),
	    cmocka_unit_test(test_crash_restart),
	    cmocka_unit_test(test_randomized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

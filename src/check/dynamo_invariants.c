/*
 * dynamo_invariants.c — safety properties of the dynamo protocol, checked
 * after every simulated event.
 *
 * The checker reads each node's ghost log (dynamo_internal.h): for every
 * version a coordinator created, its dot, its clock and the dots of the
 * versions it superseded; for every read it answered, the versions it
 * returned and when. From the first it builds the true causal history of
 * every write, independently of the clocks: Lamport's happened-before,
 * where a write's past holds the versions its coordinator held when it
 * wrote, the coordinator's own earlier writes of that key (process order),
 * and their pasts. Then:
 *
 *  1. Vector clocks never order concurrent writes (Fidge, Mattern: a <= b
 *     iff a happened before b): for two versions of one key, the clocks
 *     compare "before" exactly when one is in the other's past, and are
 *     concurrent otherwise — never equal (a reused dot) and never reversed.
 *
 *  2. Quorum reads see acknowledged writes. DeCandia et al. §4.5: "Setting
 *     R and W such that R + W > N yields a quorum-like system." While
 *     w + r > n and sloppy=off hold (continuously, from the write's start
 *     to the read's answer), a read that succeeds returns, for every write
 *     of its key acknowledged before the read began, that write or a write
 *     whose past contains it. Writes still in progress and writes that
 *     never reached w acks are not owed. A read also returns exactly the
 *     values of the versions it gathered ("a|b" for siblings).
 *
 *  3. Each copy is a set of siblings: no version in a node's store or
 *     hinted copy descends from another one there.
 *
 * Convergence after healing is a liveness property, so it is not checked
 * here after every event but by the `converged` predicate, which scenarios
 * and the randomized test require at the end of a run.
 *
 * Cost: O(writes) per new write or read of the same key, O(writes^2 / 8)
 * bytes for the pasts; fine for the thousands of operations of a test.
 */
#include "check/invariants.h"

#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

struct dw {
	char key[KV_KEY_MAX];
	int node, ghost; /* where its ghost entry lives */
	uint16_t dot_node;
	uint32_t dot_ctr;
	struct vclock vc;
	int nwords;
	uint64_t *past; /* bit i: write i is in this write's causal past */
};

struct di {
	int cursor[SIM_MAX_NODES];
	struct dw *w;
	size_t nw, cap;
	sim_time last_bad; /* last time w + r <= n or sloppy=on; -1: never */
};

static void *di_create(struct sim *s)
{
	(void)s;
	struct di *c = xcalloc(1, sizeof *c);
	c->last_bad = -1;
	return c;
}

static void di_destroy(void *self)
{
	struct di *c = self;
	if (!c)
		return;
	for (size_t i = 0; i < c->nw; i++)
		free(c->w[i].past);
	free(c->w);
	free(c);
}

static int find_write(const struct di *c, const char *key, uint16_t node, uint32_t ctr)
{
	for (size_t i = c->nw; i-- > 0;)
		if (c->w[i].dot_node == node && c->w[i].dot_ctr == ctr && !strcmp(c->w[i].key, key))
			return (int)i;
	return -1;
}

static bool in_past(const struct dw *w, int i)
{
	return i / 64 < w->nwords && (w->past[i / 64] >> (i % 64) & 1);
}

static void dot_fmt(const struct dw *w, struct sbuf *out)
{
	sbuf_printf(out, "%s (n%d:%u) ", w->key, w->dot_node + 1, w->dot_ctr);
	vclock_fmt(&w->vc, out);
}

static bool add_write(struct di *c, int node, int gi, const struct dyn_ghost *g, struct sbuf *why)
{
	if (find_write(c, g->key, g->ver.dot_node, g->ver.dot_ctr) >= 0) {
		sbuf_printf(why, "vector clocks: n%d reused the dot n%d:%u of %s for a new write",
			    node + 1, g->ver.dot_node + 1, g->ver.dot_ctr, g->key);
		return false;
	}
	xgrow((void **)&c->w, &c->cap, c->nw + 1, sizeof *c->w);
	int me = (int)c->nw;
	struct dw *w = &c->w[c->nw++];
	memset(w, 0, sizeof *w);
	ns_strlcpy(w->key, g->key, sizeof w->key);
	w->node = node;
	w->ghost = gi;
	w->dot_node = g->ver.dot_node;
	w->dot_ctr = g->ver.dot_ctr;
	w->vc = g->ver.vc;
	w->nwords = me / 64 + 1;
	w->past = xcalloc((size_t)w->nwords, sizeof *w->past);
	for (int p = 0; p < g->npred; p++) {
		int k = find_write(c, g->key, g->pred[p].dot_node, g->pred[p].dot_ctr);
		if (k < 0) {
			sbuf_printf(why, "n%d superseded a version of %s (n%d:%u) nobody wrote",
				    node + 1, g->key, g->pred[p].dot_node + 1, g->pred[p].dot_ctr);
			return false;
		}
		w->past[k / 64] |= (uint64_t)1 << (k % 64);
		for (int x = 0; x < c->w[k].nwords; x++)
			w->past[x] |= c->w[k].past[x];
	}
	for (int k = 0; k < me; k++) {
		const struct dw *o = &c->w[k];
		if (o->dot_node != w->dot_node || strcmp(o->key, w->key))
			continue;
		w->past[k / 64] |= (uint64_t)1 << (k % 64); /* process order */
		for (int x = 0; x < o->nwords; x++)
			w->past[x] |= o->past[x];
	}
	for (int k = 0; k < me; k++) {
		const struct dw *o = &c->w[k];
		if (strcmp(o->key, w->key))
			continue;
		enum vclock_order got = vclock_compare(&o->vc, &w->vc);
		enum vclock_order want = in_past(w, k) ? VC_BEFORE : VC_CONCURRENT;
		if (got == want)
			continue;
		sbuf_printf(why, "vector clocks: the writes ");
		dot_fmt(o, why);
		sbuf_puts(why, " and ");
		dot_fmt(w, why);
		sbuf_printf(why, " compare %s but are %s", vclock_order_str(got),
			    want == VC_BEFORE ? "ordered (one saw the other)" : "concurrent");
		return false;
	}
	return true;
}

static bool check_read(struct di *c, struct sim *s, int node, const struct dyn_ghost *g,
		       struct sbuf *why)
{
	char val[KV_VAL_MAX];
	dyn_obj_values(&g->seen, val, sizeof val);
	if (strcmp(val, g->result)) {
		sbuf_printf(why, "n%d answered get %s with \"%s\" but gathered \"%s\"", node + 1,
			    g->key, g->result, val);
		return false;
	}
	if (g->started <= c->last_bad)
		return true; /* w + r <= n or sloppy=on at some point: nothing owed */
	for (size_t k = 0; k < c->nw; k++) {
		const struct dw *w = &c->w[k];
		if (strcmp(w->key, g->key))
			continue;
		const struct dyn_ghost *wg =
		    &((const struct dyn *)sim_node(s, w->node)->self)->ghost[w->ghost];
		if (!wg->acked || wg->acked_at >= g->started || wg->started <= c->last_bad)
			continue;
		bool seen = false;
		for (int v = 0; v < g->seen.nv && !seen; v++) {
			int x = find_write(c, g->key, g->seen.v[v].dot_node, g->seen.v[v].dot_ctr);
			seen = x == (int)k || (x >= 0 && in_past(&c->w[x], (int)k));
		}
		if (seen)
			continue;
		sbuf_printf(why,
			    "quorum read: with w + r > n and sloppy=off, n%d answered get %s "
			    "with \"%s\", missing the acknowledged write %s=%s ",
			    node + 1, g->key, g->result, w->key, wg->ver.val);
		vclock_fmt(&w->vc, why);
		return false;
	}
	return true;
}

static bool check_siblings(const struct dyn_obj *o, int node, struct sbuf *why)
{
	for (int i = 0; i < o->nv; i++)
		for (int j = 0; j < o->nv; j++)
			if (i != j && vclock_descends(&o->v[j].vc, &o->v[i].vc)) {
				sbuf_printf(why, "n%d keeps %s=%s though %s descends from it",
					    node + 1, o->key, o->v[i].val, o->v[j].val);
				return false;
			}
	return true;
}

static bool di_check(void *self, struct sim *s, struct sbuf *why)
{
	struct di *c = self;
	const struct proto_opts *o = sim_opts(s);
	int64_t n = MIN(o->v[DYN_OPT_N].i, sim_nodes(s)), w = MIN(o->v[DYN_OPT_W].i, n),
		r = MIN(o->v[DYN_OPT_R].i, n);
	if (w + r <= n || o->v[DYN_OPT_SLOPPY].i)
		c->last_bad = sim_now(s);
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = sim_node(s, i)->self;
		for (; c->cursor[i] < d->nghost; c->cursor[i]++) {
			const struct dyn_ghost *g = &d->ghost[c->cursor[i]];
			if (!(g->is_get ? check_read(c, s, i, g, why)
					: add_write(c, i, c->cursor[i], g, why)))
				return false;
		}
		for (int k = 0; k < d->store.n; k++)
			if (!check_siblings(&d->store.o[k], i, why))
				return false;
		for (int k = 0; k < d->nhints; k++)
			if (!check_siblings(&d->hints[k].obj, i, why))
				return false;
	}
	return true;
}

const struct invariant_ops dynamo_invariants = {
    .proto = "dynamo",
    .create = di_create,
    .destroy = di_destroy,
    .check = di_check,
};

/*
 * dynamo_invariants.c — safety properties of the dynamo protocol, checked
 * after every simulated event.
 *
 * The checker reads each node's ghost log (dynamo_internal.h): for every
 * version a coordinator created, its dot, its clock and the dots of the
 * versions it superseded; for every read it answered, the versions it
 * returned and when. From the first it builds, independently of the
 * protocol's clocks, the true causal history of every write: Lamport's
 * happened-before, where a write's past holds the versions its coordinator
 * held when it wrote, the coordinator's own earlier writes of that key
 * (process order), and their pasts. The checker summarises each past by
 * its true vector timestamp: for every node, the largest counter of that
 * node's writes in the past (the write itself included). Then:
 *
 *  1. Vector clocks never order concurrent writes (Fidge, Mattern: a <= b
 *     iff a happened before b). Each coordinator's counters for a key must
 *     increase in its process order, and each version's clock must equal
 *     its true timestamp. Together these make the clock order the
 *     happened-before order: a's dot (n, c) is in b's past iff b's true
 *     timestamp has entry n >= c, since n's writes with smaller counters
 *     precede it. So two versions compare "before" exactly when one is in
 *     the other's past and "concurrent" otherwise — never equal (a reused
 *     dot) and never reversed. On a violation the checker names a pair.
 *
 *  2. Quorum reads see acknowledged writes. DeCandia et al. §4.5: "Setting
 *     R and W such that R + W > N yields a quorum-like system." While
 *     sloppy=off holds (continuously, from the write's start to the read's
 *     answer), a read that succeeds returns, for every write of its key
 *     acknowledged before the read began whose acks and the read's replies
 *     add up to more than n (w + r, or the requests' own consistency
 *     levels: ONE + ALL, QUORUM + QUORUM), that write or a write whose past
 *     contains it. Writes still in progress and writes that
 *     never reached w acks are not owed. A read also returns exactly the
 *     values of the versions it gathered ("a|b" for siblings).
 *
 *  3. Each copy is a set of siblings: no version in a node's store or
 *     hinted copy descends from another one there (checked for a node when
 *     its store changed).
 *
 * Convergence after healing is a liveness property, so it is not checked
 * here after every event but by the `converged` predicate, which scenarios
 * and the randomized test require at the end of a run.
 *
 * Cost: O(SIM_MAX_NODES x superseded versions) per new write, O(writes of
 * the key) cheap comparisons per read, O(log) per dot looked up; memory
 * one vector timestamp (512 bytes) per write.
 */
#include "check/invariants.h"

#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

/* One write, as the checker knows it. */
struct dw {
	int node, ghost; /* where its ghost entry lives */
	uint32_t ctr;    /* its dot is (node, ctr) */
	struct vclock truth;
};

/* The writes of one key: all of them in creation order, and per
 * coordinator in increasing counter order (for dot lookups). */
struct dkey {
	char key[KV_KEY_MAX];
	int *all;
	size_t nall, allcap;
	struct {
		int *w;
		size_t n, cap;
	} by[SIM_MAX_NODES];
};

struct di {
	int cursor[SIM_MAX_NODES];
	uint64_t changes[SIM_MAX_NODES];
	struct dw *w;
	size_t nw, cap;
	struct dkey *k;
	size_t nk, kcap;
	sim_time last_bad; /* last time w + r <= n or sloppy=on; -1: never */
};

static void *di_create(struct sim *s)
{
	(void)s;
	struct di *c = xcalloc(1, sizeof *c);
	c->last_bad = -1;
	for (int i = 0; i < SIM_MAX_NODES; i++)
		c->changes[i] = UINT64_MAX;
	return c;
}

static void di_destroy(void *self)
{
	struct di *c = self;
	if (!c)
		return;
	for (size_t i = 0; i < c->nk; i++) {
		free(c->k[i].all);
		for (int n = 0; n < SIM_MAX_NODES; n++)
			free(c->k[i].by[n].w);
	}
	free(c->k);
	free(c->w);
	free(c);
}

static struct dkey *key_get(struct di *c, const char *key)
{
	for (size_t i = 0; i < c->nk; i++)
		if (!strcmp(c->k[i].key, key))
			return &c->k[i];
	xgrow((void **)&c->k, &c->kcap, c->nk + 1, sizeof *c->k);
	struct dkey *k = &c->k[c->nk++];
	memset(k, 0, sizeof *k);
	ns_strlcpy(k->key, key, sizeof k->key);
	return k;
}

/* The write with dot (node, ctr) of key k, or -1. */
static int find_write(const struct di *c, const struct dkey *k, int node, uint32_t ctr)
{
	if (node < 0 || node >= SIM_MAX_NODES)
		return -1;
	size_t lo = 0, hi = k->by[node].n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t m = c->w[k->by[node].w[mid]].ctr;
		if (m == ctr)
			return k->by[node].w[mid];
		if (m < ctr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct dyn_ghost *ghost_of(struct sim *s, const struct dw *w)
{
	return &((const struct dyn *)sim_node(s, w->node)->self)->ghost[w->ghost];
}

static void write_fmt(struct sim *s, const struct dw *w, struct sbuf *out)
{
	const struct dyn_ghost *g = ghost_of(s, w);
	sbuf_printf(out, "%s=%s (n%d:%u) ", g->key, g->ver.val, w->node + 1, w->ctr);
	vclock_fmt(&g->ver.vc, out);
}

/* Explains a clock that is not its true timestamp by a pair of writes the
 * clocks misorder. O(writes of the key): only on a violation. */
static void explain_clock(struct di *c, struct sim *s, const struct dkey *k, int me,
			  struct sbuf *why)
{
	const struct dw *w = &c->w[me];
	const struct dyn_ghost *g = ghost_of(s, w);
	for (size_t i = 0; i < k->nall; i++) {
		const struct dw *o = &c->w[k->all[i]];
		if (k->all[i] == me)
			continue;
		enum vclock_order got = vclock_compare(&ghost_of(s, o)->ver.vc, &g->ver.vc);
		bool o_before = vclock_get(&w->truth, o->node) >= o->ctr;
		enum vclock_order want = o_before ? VC_BEFORE : VC_CONCURRENT;
		if (got == want)
			continue;
		sbuf_puts(why, "vector clocks: the writes ");
		write_fmt(s, o, why);
		sbuf_puts(why, " and ");
		write_fmt(s, w, why);
		sbuf_printf(why, " compare %s but are %s", vclock_order_str(got),
			    o_before ? "ordered (one saw the other)" : "concurrent");
		return;
	}
	sbuf_puts(why, "vector clocks: ");
	write_fmt(s, w, why);
	sbuf_puts(why, " should carry the clock ");
	vclock_fmt(&w->truth, why);
	sbuf_puts(why, " (what its coordinator had seen)");
}

static bool add_write(struct di *c, struct sim *s, int node, int gi, struct sbuf *why)
{
	const struct dyn_ghost *g = &((const struct dyn *)sim_node(s, node)->self)->ghost[gi];
	struct dkey *k = key_get(c, g->key);
	uint32_t ctr = g->ver.dot_ctr;
	if (g->ver.dot_node != node) {
		sbuf_printf(why, "n%d created a version of %s with n%d's dot", node + 1, g->key,
			    g->ver.dot_node + 1);
		return false;
	}
	struct dw w = {.node = node, .ghost = gi, .ctr = ctr};
	if (k->by[node].n) {
		const struct dw *prev = &c->w[k->by[node].w[k->by[node].n - 1]];
		if (ctr <= prev->ctr) {
			sbuf_printf(why,
				    "vector clocks: n%d wrote %s with counter %u after using %u: "
				    "a reused dot would make two writes look equal",
				    node + 1, g->key, ctr, prev->ctr);
			return false;
		}
		w.truth = prev->truth; /* process order */
	}
	for (int p = 0; p < g->npred; p++) {
		int x = find_write(c, k, g->pred[p].dot_node, g->pred[p].dot_ctr);
		if (x < 0) {
			sbuf_printf(why, "n%d superseded a version of %s (n%d:%u) nobody wrote",
				    node + 1, g->key, g->pred[p].dot_node + 1, g->pred[p].dot_ctr);
			return false;
		}
		vclock_merge(&w.truth, &c->w[x].truth);
	}
	w.truth.c[node] = ctr;
	xgrow((void **)&c->w, &c->cap, c->nw + 1, sizeof *c->w);
	int me = (int)c->nw;
	c->w[c->nw++] = w;
	xgrow((void **)&k->all, &k->allcap, k->nall + 1, sizeof *k->all);
	k->all[k->nall++] = me;
	xgrow((void **)&k->by[node].w, &k->by[node].cap, k->by[node].n + 1, sizeof(int));
	k->by[node].w[k->by[node].n++] = me;
	if (vclock_compare(&g->ver.vc, &w.truth) != VC_EQUAL) {
		explain_clock(c, s, k, me, why);
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
		return true; /* sloppy=on at some point: nothing owed */
	int64_t n = MIN(sim_opts(s)->v[DYN_OPT_N].i, sim_nodes(s));
	struct dkey *k = key_get(c, g->key);
	/* What the returned versions have seen, together. */
	struct vclock seen = {{0}};
	for (int v = 0; v < g->seen.nv; v++) {
		int x = find_write(c, k, g->seen.v[v].dot_node, g->seen.v[v].dot_ctr);
		if (x < 0) {
			sbuf_printf(why, "n%d returned a version of %s (n%d:%u) nobody wrote",
				    node + 1, g->key, g->seen.v[v].dot_node + 1,
				    g->seen.v[v].dot_ctr);
			return false;
		}
		vclock_merge(&seen, &c->w[x].truth);
	}
	for (size_t i = 0; i < k->nall; i++) {
		const struct dw *w = &c->w[k->all[i]];
		if (vclock_get(&seen, w->node) >= w->ctr)
			continue; /* returned, or in a returned version's past */
		const struct dyn_ghost *wg = ghost_of(s, w);
		if (!wg->acked || wg->acked_at >= g->started || wg->started <= c->last_bad ||
		    wg->need + g->need <= n)
			continue; /* not owed: the two quorums need not overlap */
		sbuf_printf(why,
			    "quorum read: with w + r > n and sloppy=off, n%d answered get %s "
			    "with \"%s\", missing the acknowledged write ",
			    node + 1, g->key, g->result);
		write_fmt(s, w, why);
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
	if (o->v[DYN_OPT_SLOPPY].i)
		c->last_bad = sim_now(s);
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = sim_node(s, i)->self;
		for (; c->cursor[i] < d->nghost; c->cursor[i]++) {
			const struct dyn_ghost *g = &d->ghost[c->cursor[i]];
			if (!(g->is_get ? check_read(c, s, i, g, why)
					: add_write(c, s, i, c->cursor[i], why)))
				return false;
		}
		if (c->changes[i] == d->changes)
			continue;
		c->changes[i] = d->changes;
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
    .create = di_create,
    .destroy = di_destroy,
    .check = di_check,
};

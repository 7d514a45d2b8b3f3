/*
 * multileader_invariants.c — the invariants of the multileader protocol,
 * checked after every simulated event against a ground truth the checker
 * keeps itself.
 *
 * Ground truth. The checker follows each node's audit trail (every version
 * the node stored, in order) and keeps, per node and key, the set of
 * writes the node KNOWS: those it stored, and everything in their causal
 * past. A write's causal past is what its node knew of that key when it
 * wrote (Lamport's happened-before, 1978, restricted to one key: the
 * write follows every write its node had applied). The sets are closed
 * under the past by construction and never consult a vector clock.
 *
 * Invariants:
 *   1. Vector clocks are exact: for any two writes W1, W2 of a key, their
 *      clocks compare "before" exactly when W1 is in W2's causal past, and
 *      "concurrent" exactly when neither is in the other's. ("Vector
 *      clocks never order concurrent writes", and never miss an order.)
 *   2. Stored writes are real: a node stores only writes their writer made.
 *   3. Siblings keep everything: with resolve=siblings (for the whole run),
 *      every write a node knows is held by it or lies in the causal past of
 *      a version it holds — no acknowledged write silently disappears
 *      unless a write that causally follows it superseded it; and the
 *      versions a node holds are pairwise concurrent.
 *   4. Last-writer-wins keeps one version: with resolve=lww, an up node
 *      holds at most one version of a key.
 *   5. Logical clocks keep the clock condition (Lamport 1978: "if a -> b
 *      then C(a) < C(b)"): with clock=lamport or hlc, a write's stamp is
 *      larger than the stamp of every write in its causal past.
 *   6. Last-writer-wins on a logical clock keeps causal order: with
 *      resolve=lww and clock=lamport or hlc, no up node holds a version
 *      that happened before a write it knows — no write ever loses to a
 *      write in its own causal past. With clock=physical this is allowed:
 *      it is the lost update a skewed clock causes (the lesson's "Clocks
 *      lie"). Concurrent writes are not covered: lww still drops one.
 *   7. HLC stays close to physical time (Kulkarni et al. 2014, Theorems 1
 *      and 2): with clock=hlc, a write's l is at least its node's physical
 *      clock when it wrote, and l - pt is at most the largest offset from
 *      true time any node's clock has reached minus this node's offset
 *      (l is some node's physical reading in the write's past). Sampled
 *      at every check, that is after every event, when every write and
 *      every receipt happens.
 * Convergence after healing is a liveness property: scenarios check it
 * with the `converged` predicate once the network has been quiet.
 *
 * Cost: the past of each write is a bitset over the writes of its key, so
 * memory grows as writes^2/8 bytes per key, and each write is compared with
 * every earlier write of its key (O(writes) vector-clock comparisons).
 */
#include "check/invariants.h"

#include "proto/multileader_internal.h"

#include <stdlib.h>
#include <string.h>

struct bits {
	uint64_t *w;
	size_t n; /* words */
};

static void bits_set(struct bits *b, size_t i)
{
	size_t need = i / 64 + 1;
	if (need > b->n) {
		b->w = xrealloc(b->w, need * sizeof *b->w);
		memset(b->w + b->n, 0, (need - b->n) * sizeof *b->w);
		b->n = need;
	}
	b->w[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool bits_has(const struct bits *b, size_t i)
{
	return i / 64 < b->n && (b->w[i / 64] >> (i % 64)) & 1;
}

static void bits_or(struct bits *dst, const struct bits *src)
{
	if (src->n > dst->n) {
		dst->w = xrealloc(dst->w, src->n * sizeof *dst->w);
		memset(dst->w + dst->n, 0, (src->n - dst->n) * sizeof *dst->w);
		dst->n = src->n;
	}
	for (size_t i = 0; i < src->n; i++)
		dst->w[i] |= src->w[i];
}

/* The first index in a and not in b, or -1. */
static long bits_first_missing(const struct bits *a, const struct bits *b)
{
	for (size_t i = 0; i < a->n; i++) {
		uint64_t x = a->w[i] & ~(i < b->n ? b->w[i] : 0);
		if (x)
			return (long)(i * 64 + (size_t)__builtin_ctzll(x));
	}
	return -1;
}

struct ck_write {
	int writer;
	uint32_t wseq;
	int key;  /* index into keys */
	size_t k; /* index among the key's writes */
	struct vclock vc;
	sim_time ts; /* the stamp, as the writer recorded it */
	uint32_t tc;
	struct bits past; /* over the key's writes */
};

struct ck_key {
	char name[KV_KEY_MAX];
	size_t *writes; /* indexes into ck.w */
	size_t nw, cap;
};

struct ck_node {
	size_t cursor; /* audit entries consumed */
	uint32_t incarnation;
	bool was_up;
	struct bits *known; /* per key index */
	size_t nknown;
	size_t *byseq; /* the node's own writes: wseq - 1 -> index into ck.w */
	size_t nbyseq, byseq_cap;
};

struct ck {
	struct ck_write *w;
	size_t nw, wcap;
	struct ck_key *keys;
	size_t nkeys, kcap;
	struct ck_node node[SIM_MAX_NODES];
	bool ever_lww;
	bool checked, siblings; /* the mode at the last check */
	sim_time maxoff;        /* the largest offset of a node's clock from true time seen */
};

static void *ck_create(struct sim *s)
{
	(void)s;
	struct ck *c = xcalloc(1, sizeof(struct ck));
	c->maxoff = INT64_MIN;
	return c;
}

static int clock_of(struct sim *s)
{
	return (int)sim_opts(s)->v[ML_OPT_CLOCK].i;
}

/* Does the clock in force satisfy the clock condition (invariants 5, 6)? */
static bool causal_clock(struct sim *s)
{
	return clock_of(s) != ML_CLOCK_PHYSICAL;
}

static bool stamp_less(const struct ck_write *a, const struct ck_write *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->tc < b->tc);
}

static void ck_destroy(void *self)
{
	struct ck *c = self;
	if (!c)
		return;
	for (size_t i = 0; i < c->nw; i++)
		free(c->w[i].past.w);
	free(c->w);
	for (size_t i = 0; i < c->nkeys; i++)
		free(c->keys[i].writes);
	free(c->keys);
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		for (size_t k = 0; k < c->node[i].nknown; k++)
			free(c->node[i].known[k].w);
		free(c->node[i].known);
		free(c->node[i].byseq);
	}
	free(c);
}

static int key_index(struct ck *c, const char *name)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].name, name))
			return (int)i;
	xgrow((void **)&c->keys, &c->kcap, c->nkeys + 1, sizeof *c->keys);
	struct ck_key *k = &c->keys[c->nkeys];
	memset(k, 0, sizeof *k);
	ns_strlcpy(k->name, name, sizeof k->name);
	return (int)c->nkeys++;
}

static struct bits *known(struct ck *c, int node, int key)
{
	struct ck_node *n = &c->node[node];
	if ((size_t)key >= n->nknown) {
		n->known = xrealloc(n->known, ((size_t)key + 1) * sizeof *n->known);
		memset(n->known + n->nknown, 0, ((size_t)key + 1 - n->nknown) * sizeof *n->known);
		n->nknown = (size_t)key + 1;
	}
	return &n->known[key];
}

/* The checker's index of write (writer, wseq), or -1 if not seen. */
static long find_write(const struct ck *c, int writer, uint32_t wseq)
{
	const struct ck_node *n = &c->node[writer];
	if (wseq < 1 || wseq > n->nbyseq)
		return -1;
	return (long)n->byseq[wseq - 1];
}

static void say_write(const struct ck *c, const struct ck_write *w, struct sbuf *why)
{
	(void)c;
	sbuf_printf(why, "write #%u of n%d ", w->wseq, w->writer + 1);
	vclock_fmt(&w->vc, why);
}

static void say_stamped(struct sim *s, const struct ck *c, const struct ck_write *w,
			struct sbuf *why)
{
	say_write(c, w, why);
	struct ml_version v = {.ts = w->ts, .tc = w->tc};
	sbuf_putc(why, ' ');
	ml_fmt_stamp(&v, clock_of(s), why);
}

/* Invariant 7 for a write node i has just made (so its clock reads now
 * what it read when it wrote). */
static bool check_hlc_bounds(struct ck *c, struct sim *s, int i, const struct ck_write *w,
			     struct sbuf *why)
{
	sim_time pt = node_local_now(sim_node(s, i));
	sim_time off = pt - sim_now(s);
	char t1[32], t2[32], t3[32], t4[32];
	if (w->ts < pt) {
		sbuf_printf(why, "HLC: write #%u of n%d has l=%s below its physical clock %s",
			    w->wseq, i + 1, simtime_fmt(w->ts, t1, sizeof t1),
			    simtime_fmt(pt, t2, sizeof t2));
		return false;
	}
	if (w->ts - pt > c->maxoff - off) {
		sbuf_printf(why,
			    "HLC: write #%u of n%d has l=%s, %s ahead of its physical clock %s, "
			    "more than the skew reached (%s)",
			    w->wseq, i + 1, simtime_fmt(w->ts, t1, sizeof t1),
			    simtime_fmt_dur(w->ts - pt, t3, sizeof t3),
			    simtime_fmt(pt, t2, sizeof t2),
			    simtime_fmt_dur(c->maxoff - off, t4, sizeof t4));
		return false;
	}
	return true;
}

/* vclock_compare over the first n entries only (the others are checked to
 * be zero when a write is registered): a cluster of 5 compares 5 counters,
 * not SIM_MAX_NODES. */
static enum vclock_order compare_n(const struct vclock *a, const struct vclock *b, int n)
{
	bool less = false, more = false;
	for (int i = 0; i < n; i++) {
		less |= a->c[i] < b->c[i];
		more |= a->c[i] > b->c[i];
	}
	return less && more ? VC_CONCURRENT : less ? VC_BEFORE : more ? VC_AFTER : VC_EQUAL;
}

/* A new write by node i: its past is what i knows of the key now. */
static bool new_write(struct ck *c, struct sim *s, int i, uint32_t wseq, struct sbuf *why)
{
	const struct ml_write *mw = ml_write_of(s, i, wseq);
	struct ck_node *n = &c->node[i];
	if (!mw || wseq != n->nbyseq + 1) {
		sbuf_printf(why, "Writes: n%d stored its write #%u out of order or unrecorded",
			    i + 1, wseq);
		return false;
	}
	int key = key_index(c, mw->key);
	struct ck_key *k = &c->keys[key];
	xgrow((void **)&c->w, &c->wcap, c->nw + 1, sizeof *c->w);
	struct ck_write *w = &c->w[c->nw];
	memset(w, 0, sizeof *w);
	w->writer = i;
	w->wseq = wseq;
	w->key = key;
	w->k = k->nw;
	w->vc = mw->v.vc;
	w->ts = mw->v.ts;
	w->tc = mw->v.tc;
	int nodes = sim_nodes(s);
	for (int e = nodes; e < SIM_MAX_NODES; e++)
		if (w->vc.c[e]) {
			sbuf_printf(why,
				    "Vector clocks: write #%u of n%d counts events of n%d, "
				    "which does not exist",
				    wseq, i + 1, e + 1);
			return false;
		}
	bits_or(&w->past, known(c, i, key));
	/* Invariant 1: the clock is exact against every earlier write. */
	for (size_t j = 0; j < k->nw; j++) {
		const struct ck_write *o = &c->w[k->writes[j]];
		enum vclock_order want = bits_has(&w->past, j) ? VC_BEFORE : VC_CONCURRENT;
		enum vclock_order got = compare_n(&o->vc, &w->vc, nodes);
		if (got != want) {
			sbuf_printf(why, "Vector clocks: on key %s, ", k->name);
			say_write(c, o, why);
			sbuf_printf(why, " is %s ",
				    want == VC_BEFORE ? "in the causal past of"
						      : "concurrent with");
			say_write(c, w, why);
			sbuf_printf(why, ", but the clocks say %s", vclock_order_str(got));
			free(w->past.w);
			return false;
		}
		/* Invariant 5: the clock condition. */
		if (want == VC_BEFORE && causal_clock(s) && !stamp_less(o, w)) {
			sbuf_printf(why, "Clock condition: on key %s, ", k->name);
			say_stamped(s, c, o, why);
			sbuf_puts(why, " is in the causal past of ");
			say_stamped(s, c, w, why);
			sbuf_puts(why, ", but its stamp is not smaller");
			free(w->past.w);
			return false;
		}
	}
	/* Invariant 7, for a write seen in the check right after the event
	 * that made it (not at a watch's first check, which may come late). */
	if (clock_of(s) == ML_CLOCK_HLC && c->checked && !check_hlc_bounds(c, s, i, w, why)) {
		free(w->past.w);
		return false;
	}
	xgrow((void **)&k->writes, &k->cap, k->nw + 1, sizeof *k->writes);
	k->writes[k->nw++] = c->nw;
	xgrow((void **)&n->byseq, &n->byseq_cap, n->nbyseq + 1, sizeof *n->byseq);
	n->byseq[n->nbyseq++] = c->nw;
	c->nw++;
	return true;
}

/* Node i stored write (writer, wseq): it now knows it and its past. */
static bool stored(struct ck *c, struct sim *s, int i, const struct ml_audit *a, int *key,
		   struct sbuf *why)
{
	if (a->writer < 0 || a->writer >= sim_nodes(s)) {
		sbuf_printf(why, "Writes: n%d stored a write of a node that does not exist", i + 1);
		return false;
	}
	long wi = find_write(c, a->writer, a->wseq);
	if (wi < 0 && a->writer == i) {
		if (!new_write(c, s, i, a->wseq, why))
			return false;
		wi = (long)c->nw - 1;
	}
	if (wi < 0) {
		sbuf_printf(why, "Writes: n%d stored write #%u of n%d, which n%d never made", i + 1,
			    a->wseq, a->writer + 1, a->writer + 1);
		return false;
	}
	const struct ck_write *w = &c->w[wi];
	struct bits *kn = known(c, i, w->key);
	bits_or(kn, &w->past);
	bits_set(kn, w->k);
	*key = w->key;
	return true;
}

/* Invariants 3 and 4 for node i and key `key`. */
static bool check_holdings(struct ck *c, struct sim *s, int i, int key, bool siblings,
			   struct sbuf *why)
{
	const struct ml *m = sim_node(s, i)->self;
	const struct ck_key *ck = &c->keys[key];
	const struct ml_key *mk = ml_find_key(m, ck->name);
	int nver = mk ? mk->nver : 0;
	if (!siblings) {
		if (nver > 1 && sim_node(s, i)->up) {
			sbuf_printf(why, "Last-writer-wins: n%d holds %d versions of %s", i + 1,
				    nver, ck->name);
			return false;
		}
		if (nver != 1 || !causal_clock(s) || !sim_node(s, i)->up)
			return true;
		/* Invariant 6: what n holds is in the past of nothing it knows.
		 * O(writes of the key). */
		long hi = find_write(c, mk->ver[0].writer, mk->ver[0].wseq);
		if (hi < 0 || c->w[hi].key != key)
			return true; /* invariant 2's to report */
		const struct ck_write *h = &c->w[hi];
		const struct bits *kn = known(c, i, key);
		for (size_t j = 0; j < ck->nw; j++) {
			const struct ck_write *w = &c->w[ck->writes[j]];
			if (!bits_has(kn, j) || !bits_has(&w->past, h->k))
				continue;
			const struct ml_write *mw = ml_write_of(s, w->writer, w->wseq);
			sbuf_printf(why, "Last-writer-wins (causal clock): n%d keeps ", i + 1);
			ml_fmt_write(ck->name, mk->ver[0].value, h->writer, why);
			sbuf_puts(why, " over ");
			ml_fmt_write(ck->name, mw ? mw->v.value : "?", w->writer, why);
			sbuf_puts(why, ", which happened after it");
			return false;
		}
		return true;
	}
	struct bits cover = {0};
	long held[SIM_MAX_NODES];
	int nheld = 0;
	for (int v = 0; v < nver; v++) {
		long wi = find_write(c, mk->ver[v].writer, mk->ver[v].wseq);
		if (wi < 0 || c->w[wi].key != key) {
			sbuf_printf(why, "Writes: n%d holds a version of %s nobody wrote", i + 1,
				    ck->name);
			free(cover.w);
			return false;
		}
		bits_or(&cover, &c->w[wi].past);
		bits_set(&cover, c->w[wi].k);
		if (nheld < SIM_MAX_NODES)
			held[nheld++] = wi;
	}
	long miss = bits_first_missing(known(c, i, key), &cover);
	free(cover.w);
	if (miss >= 0) {
		const struct ck_write *w = &c->w[ck->writes[miss]];
		const struct ml_write *mw = ml_write_of(s, w->writer, w->wseq);
		sbuf_printf(why, "Siblings: n%d has silently dropped ", i + 1);
		ml_fmt_write(ck->name, mw ? mw->v.value : "?", w->writer, why);
		sbuf_puts(why, ", and no version it holds causally follows it");
		return false;
	}
	for (int a = 0; a < nheld; a++)
		for (int b = 0; b < nheld; b++) {
			const struct ck_write *x = &c->w[held[a]], *y = &c->w[held[b]];
			if (a != b && bits_has(&y->past, x->k)) {
				sbuf_printf(
				    why, "Siblings: n%d keeps %s beside a write that follows it: ",
				    i + 1, ck->name);
				say_write(c, x, why);
				sbuf_puts(why, " before ");
				say_write(c, y, why);
				return false;
			}
		}
	return true;
}

static bool ck_check(void *self, struct sim *s, struct sbuf *why)
{
	struct ck *c = self;
	bool siblings = sim_opts(s)->v[ML_OPT_RESOLVE].i == ML_RESOLVE_SIBLINGS;
	bool switched = c->checked && siblings != c->siblings;
	for (int i = 0; i < sim_nodes(s); i++) /* for invariant 7 */
		c->maxoff = MAX(c->maxoff, node_local_now(sim_node(s, i)) - sim_now(s));
	c->siblings = siblings;
	if (!siblings)
		c->ever_lww = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct ml *m = sim_node(s, i)->self;
		struct ck_node *n = &c->node[i];
		/* crashed or restarted since the last check: look at every key */
		bool restarted = sim_node(s, i)->incarnation != n->incarnation ||
				 sim_node(s, i)->up != n->was_up;
		n->incarnation = sim_node(s, i)->incarnation;
		n->was_up = sim_node(s, i)->up;
		/* touched keys, as a small list */
		int touched[16], nt = 0;
		bool many = restarted || switched;
		for (; n->cursor < m->naudit; n->cursor++) {
			int key;
			if (!stored(c, s, i, &m->audit[n->cursor], &key, why))
				return false;
			bool dup = false;
			for (int t = 0; t < nt; t++)
				dup |= touched[t] == key;
			if (!dup && nt < 16)
				touched[nt++] = key;
			else if (!dup)
				many = true;
		}
		bool strict = siblings && !c->ever_lww;
		if (!strict && !(!siblings && sim_node(s, i)->up))
			continue;
		if (many) {
			for (size_t k = 0; k < c->nkeys; k++)
				if (!check_holdings(c, s, i, (int)k, strict, why))
					return false;
		} else {
			for (int t = 0; t < nt; t++)
				if (!check_holdings(c, s, i, touched[t], strict, why))
					return false;
		}
	}
	c->checked = true;
	return true;
}

const struct invariant_ops multileader_invariants = {
    .create = ck_create,
    .destroy = ck_destroy,
    .check = ck_check,
};

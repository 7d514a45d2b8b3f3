/*
 * zab_invariants.c — the safety of Zab (Junqueira, Reed & Serafini, "Zab:
 * High-performance broadcast for primary-backup systems", DSN 2011, §III,
 * "core properties"), checked after every simulated event:
 *
 *   Integrity: "If some process delivers ⟨v, z⟩, then some process
 *     pi ∈ Π has broadcast ⟨v, z⟩."
 *   Total order and Agreement: "If some process delivers ⟨v, z⟩ before
 *     ⟨v', z'⟩, then any process that delivers ⟨v', z'⟩ must also deliver
 *     ⟨v, z⟩ and deliver ⟨v, z⟩ before ⟨v', z'⟩"; "if some process pi
 *     delivers ⟨v, z⟩ and some process pj delivers ⟨v', z'⟩, then either
 *     pi delivers ⟨v', z'⟩ or pj delivers ⟨v, z⟩" — together: every
 *     process's delivered sequence is a prefix of one sequence, and
 *     delivery is never taken back.
 *   Primary order (local and global): "If a primary broadcasts ⟨v, z⟩
 *     before it broadcasts ⟨v', z'⟩, then a process that delivers ⟨v', z'⟩
 *     must also deliver ⟨v, z⟩ before ⟨v', z'⟩"; transactions of a later
 *     epoch come after those of an earlier one — in the one sequence,
 *     zxids rise; within an epoch counters follow each other from 1.
 *   Primary integrity: "If a primary ρe broadcasts ⟨v, z⟩ and some process
 *     delivers ⟨v', z'⟩ such that ⟨v', z'⟩ has been broadcast by ρe' ∈ Σ,
 *     e' < e, then ρe must deliver ⟨v', z'⟩ before it broadcasts ⟨v, z⟩."
 *   And one primary per epoch (Zab §III: "ρe ... the primary of epoch
 *     e"): no two servers broadcast in the same epoch.
 *
 * Cost: each node lists, for the checker only, the proposals it broadcast
 * (struct zab_audit: zxid, hash, how much it had delivered); the checker
 * drains the list and looks at each node's newly delivered transactions
 * only (all of them again after a truncation).
 */
#include "check/invariants.h"

#include "proto/zab.h"

#include <stdlib.h>
#include <string.h>

struct zi_entry {
	int64_t zxid;
	uint64_t hash;
	int node; /* who delivered it first */
	char text[40];
};

struct zi_epoch {
	int64_t epoch;
	int leader;
	int64_t delivered; /* what it had delivered at its first broadcast */
};

struct zi {
	struct zi_entry *g; /* the one delivered sequence */
	size_t ng, capg;
	uint64_t *set; /* open addressing: hashes broadcast */
	size_t nset, capset;
	struct zi_epoch *ep;
	size_t nep, capep;
	int64_t seen[SIM_MAX_NODES];
	bool failed;
	char fail[512];
};

static void set_add(struct zi *c, uint64_t h)
{
	if (2 * (c->nset + 1) > c->capset) {
		size_t cap = c->capset ? c->capset * 2 : 1024;
		uint64_t *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < c->capset; i++) {
			if (!c->set[i])
				continue;
			size_t k = c->set[i] & (cap - 1);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = c->set[i];
		}
		free(c->set);
		c->set = t;
		c->capset = cap;
	}
	size_t k = h & (c->capset - 1);
	while (c->set[k]) {
		if (c->set[k] == h)
			return;
		k = (k + 1) & (c->capset - 1);
	}
	c->set[k] = h;
	c->nset++;
}

static bool set_has(const struct zi *c, uint64_t h)
{
	if (!c->capset)
		return false;
	size_t k = h & (c->capset - 1);
	while (c->set[k]) {
		if (c->set[k] == h)
			return true;
		k = (k + 1) & (c->capset - 1);
	}
	return false;
}

static void *zi_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct zi));
}

static void zi_destroy(void *self)
{
	struct zi *c = self;
	if (!c)
		return;
	free(c->g);
	free(c->set);
	free(c->ep);
	free(c);
}

static struct zi_epoch *epoch_rec(struct zi *c, int64_t e)
{
	for (size_t i = 0; i < c->nep; i++)
		if (c->ep[i].epoch == e)
			return &c->ep[i];
	return NULL;
}

/* Leading entries of g from epochs before e. */
static size_t before_epoch(const struct zi *c, int64_t e)
{
	size_t n = 0;
	while (n < c->ng && zab_epoch_of(c->g[n].zxid) < e)
		n++;
	return n;
}

static bool on_broadcast(struct zi *c, int node, const struct zab_bcast *b, struct sbuf *why)
{
	char z[24];
	set_add(c, b->hash);
	int64_t e = zab_epoch_of(b->zxid);
	struct zi_epoch *r = epoch_rec(c, e);
	if (r && r->leader != node) {
		sbuf_printf(why, "one primary per epoch: n%d and n%d both broadcast in epoch %lld",
			    r->leader + 1, node + 1, (long long)e);
		return false;
	}
	if (r)
		return true;
	size_t need = before_epoch(c, e);
	if ((int64_t)need > b->delivered) {
		const struct zi_entry *m = &c->g[b->delivered];
		sbuf_printf(why,
			    "Primary integrity: n%d broadcast %s as the primary of epoch %lld "
			    "before delivering %s (%s), which n%d had delivered",
			    node + 1, zab_zxid_fmt(b->zxid, z, sizeof z), (long long)e,
			    zab_zxid_fmt(m->zxid, (char[24]){0}, 24), m->text, m->node + 1);
		return false;
	}
	xgrow((void **)&c->ep, &c->capep, c->nep + 1, sizeof *c->ep);
	c->ep[c->nep++] = (struct zi_epoch){e, node, b->delivered};
	return true;
}

static bool deliver_one(struct zi *c, int node, size_t i, const struct zab_txn *t, struct sbuf *why)
{
	char z[24], y[24], text[40];
	uint64_t h = zab_txn_hash(t);
	zab_txn_fmt(t, text, sizeof text);
	zab_zxid_fmt(t->zxid, z, sizeof z);
	if (!set_has(c, h)) {
		sbuf_printf(why, "Integrity: n%d delivered %s (%s), which no primary broadcast",
			    node + 1, z, text);
		return false;
	}
	if (i < c->ng) {
		const struct zi_entry *g = &c->g[i];
		if (g->hash == h)
			return true;
		sbuf_printf(why,
			    "Total order and agreement: n%d delivered %s (%s) as transaction %zu, "
			    "n%d delivered %s (%s) there",
			    node + 1, z, text, i + 1, g->node + 1,
			    zab_zxid_fmt(g->zxid, y, sizeof y), g->text);
		return false;
	}
	if (c->ng) {
		const struct zi_entry *g = &c->g[c->ng - 1];
		int64_t pe = zab_epoch_of(g->zxid), e = zab_epoch_of(t->zxid);
		zab_zxid_fmt(g->zxid, y, sizeof y);
		if (t->zxid <= g->zxid) {
			sbuf_printf(why, "Total order: n%d delivered %s after %s", node + 1, z, y);
			return false;
		}
		if (e == pe && zab_counter_of(t->zxid) != zab_counter_of(g->zxid) + 1) {
			sbuf_printf(
			    why,
			    "Primary order: n%d delivered %s right after %s: the primary of "
			    "epoch %lld broadcast others in between",
			    node + 1, z, y, (long long)e);
			return false;
		}
	}
	if (zab_counter_of(t->zxid) != 1 &&
	    (!c->ng || zab_epoch_of(c->g[c->ng - 1].zxid) != zab_epoch_of(t->zxid))) {
		sbuf_printf(why,
			    "Primary order: n%d delivered %s as the first of its epoch: the "
			    "primary broadcast earlier ones",
			    node + 1, z);
		return false;
	}
	for (size_t k = 0; k < c->nep; k++) {
		const struct zi_epoch *r = &c->ep[k];
		if (r->epoch > zab_epoch_of(t->zxid) && (int64_t)c->ng >= r->delivered) {
			sbuf_printf(
			    why,
			    "Primary integrity: n%d delivered %s (%s) of an earlier epoch, "
			    "but n%d already broadcast as the primary of epoch %lld without "
			    "it",
			    node + 1, z, text, r->leader + 1, (long long)r->epoch);
			return false;
		}
	}
	xgrow((void **)&c->g, &c->capg, c->ng + 1, sizeof *c->g);
	struct zi_entry *g = &c->g[c->ng++];
	g->zxid = t->zxid;
	g->hash = h;
	g->node = node;
	ns_strlcpy(g->text, text, sizeof g->text);
	return true;
}

static bool zi_check(void *self, struct sim *s, struct sbuf *why)
{
	struct zi *c = self;
	if (c->failed) {
		sbuf_puts(why, c->fail);
		return false;
	}
	int n = sim_nodes(s);
	bool ok = true;
	for (int k = 0; k < n && ok; k++) {
		struct zab *p = zab_of(s, k);
		if (!p)
			return true;
		for (size_t j = 0; j < p->audit.nb && ok; j++)
			ok = on_broadcast(c, k, &p->audit.b[j], why);
		p->audit.nb = 0;
	}
	for (int k = 0; k < n && ok; k++) {
		struct zab *p = zab_of(s, k);
		int64_t from = c->seen[k];
		if (p->audit.rewritten) {
			p->audit.rewritten = false;
			if (p->st.delivered < c->seen[k]) {
				sbuf_printf(why,
					    "Agreement: n%d had delivered %lld transactions and "
					    "took back %lld of them",
					    k + 1, (long long)c->seen[k],
					    (long long)(c->seen[k] - p->st.delivered));
				ok = false;
				break;
			}
			from = 0;
		}
		for (int64_t i = from; i < p->st.delivered && ok; i++)
			ok = deliver_one(c, k, (size_t)i, &p->st.h[i], why);
		c->seen[k] = p->st.delivered;
	}
	if (!ok) {
		c->failed = true;
		ns_strlcpy(c->fail, sbuf_str(why), sizeof c->fail);
	}
	return ok;
}

const struct invariant_ops zab_invariants = {
    .create = zi_create,
    .destroy = zi_destroy,
    .check = zi_check,
};

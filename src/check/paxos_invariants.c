/*
 * paxos_invariants.c — the safety of Paxos (Lamport, "Paxos Made Simple",
 * 2001, §2.1-§2.2), checked after every simulated event:
 *
 *   Agreement: "Only a single value is chosen" — per slot, and a chosen
 *     value never changes; every learner learns that value ("a process
 *     never learns that a value has been chosen unless it actually has
 *     been").
 *   Validity: "Only a value that has been proposed may be chosen" —
 *     checked on every acceptance (stronger: an acceptor accepts only
 *     proposed values); a no-op is the leader's own proposal (PMS §3).
 *   P1a: "An acceptor can accept a proposal numbered n iff it has not
 *     responded to a prepare request having a number greater than n" — a
 *     new acceptance is never below the promise the acceptor held.
 *   Promises are monotone: an acceptor's promise never goes down, across
 *     crashes too (PMS §2.4: it is on stable storage).
 *   P2c, in its consequence P2b: "If a proposal with value v is chosen,
 *     then every higher-numbered proposal issued by any proposer has value
 *     v" — every acceptance in the slot at a ballot above the one at
 *     which v was chosen carries v. And one ballot, one value per slot.
 *
 * Cost: the protocol lists, for the checker only, the slots whose
 * acceptance or learnt value changed and the hashes of the values its
 * proposer put forward fresh (struct paxos_audit); this checker drains
 * those lists (one checker per simulation) and remembers per slot every
 * (ballot, value) accepted and by whom — what "chosen" is made of.
 */
#include "check/invariants.h"

#include "proto/paxos.h"

#include <stdlib.h>
#include <string.h>

struct pi_vote {
	int64_t ballot;
	uint64_t hash;
	struct nodeset by; /* acceptors that accepted it, ever */
	char text[40];
};

struct pi_slot {
	struct pi_vote *v;
	int nv, capv;
	bool chosen;
	int64_t chosen_ballot;
	uint64_t chosen_hash;
	char chosen_text[40];
	uint64_t learnt_hash; /* the first value a learner learnt; 0 none */
	int learnt_node;
	char learnt_text[40];
	int64_t last_ballot[SIM_MAX_NODES]; /* per acceptor, what it held */
};

struct pi {
	struct pi_slot *slot;
	int64_t nslot;
	int64_t promised[SIM_MAX_NODES];
	uint64_t *prop; /* open addressing set of proposed value hashes */
	size_t nprop, capprop;
	bool failed;
	char fail[512]; /* the first violation, said again on later checks */
};

static void prop_add(struct pi *c, uint64_t h)
{
	if (2 * (c->nprop + 1) > c->capprop) {
		size_t cap = c->capprop ? c->capprop * 2 : 1024;
		uint64_t *t = xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < c->capprop; i++) {
			if (!c->prop[i])
				continue;
			size_t k = c->prop[i] & (cap - 1);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = c->prop[i];
		}
		free(c->prop);
		c->prop = t;
		c->capprop = cap;
	}
	size_t k = h & (c->capprop - 1);
	while (c->prop[k]) {
		if (c->prop[k] == h)
			return;
		k = (k + 1) & (c->capprop - 1);
	}
	c->prop[k] = h;
	c->nprop++;
}

static bool prop_has(const struct pi *c, uint64_t h)
{
	if (!c->capprop)
		return false;
	size_t k = h & (c->capprop - 1);
	while (c->prop[k]) {
		if (c->prop[k] == h)
			return true;
		k = (k + 1) & (c->capprop - 1);
	}
	return false;
}

static struct pi_slot *pi_slot(struct pi *c, int64_t i)
{
	if (i >= c->nslot) {
		int64_t n = MAX(i + 1, c->nslot * 2);
		n = MAX(n, 64);
		c->slot = xrealloc(c->slot, (size_t)n * sizeof *c->slot);
		memset(c->slot + c->nslot, 0, (size_t)(n - c->nslot) * sizeof *c->slot);
		c->nslot = n;
	}
	return &c->slot[i];
}

static void *pi_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct pi));
}

static void pi_destroy(void *self)
{
	struct pi *c = self;
	if (!c)
		return;
	for (int64_t i = 0; i < c->nslot; i++)
		free(c->slot[i].v);
	free(c->slot);
	free(c->prop);
	free(c);
}

static void nodes_fmt(const struct nodeset *set, struct sbuf *out)
{
	for (int i = 0; i < SIM_MAX_NODES; i++)
		if (nodeset_has(set, i))
			sbuf_printf(out, " n%d", i + 1);
}

/* A slot became chosen (a majority at one ballot): Agreement, then P2c
 * against every acceptance above that ballot. */
static bool on_chosen(struct pi *c, int64_t i, struct pi_slot *sl, const struct pi_vote *v,
		      struct sbuf *why)
{
	char b[32], d[32];
	if (sl->chosen) {
		if (sl->chosen_hash == v->hash)
			return true;
		sbuf_printf(
		    why,
		    "Agreement: slot %lld was chosen with %s at %s, and now %s is chosen at "
		    "%s by",
		    (long long)i, sl->chosen_text, paxos_ballot_fmt(sl->chosen_ballot, b, sizeof b),
		    v->text, paxos_ballot_fmt(v->ballot, d, sizeof d));
		nodes_fmt(&v->by, why);
		return false;
	}
	sl->chosen = true;
	sl->chosen_ballot = v->ballot;
	sl->chosen_hash = v->hash;
	ns_strlcpy(sl->chosen_text, v->text, sizeof sl->chosen_text);
	for (int k = 0; k < sl->nv; k++) {
		const struct pi_vote *o = &sl->v[k];
		if (o->ballot > v->ballot && o->hash != v->hash) {
			sbuf_printf(
			    why,
			    "P2c: slot %lld chose %s at %s, but a higher proposal %s carries "
			    "%s (accepted by",
			    (long long)i, v->text, paxos_ballot_fmt(v->ballot, b, sizeof b),
			    paxos_ballot_fmt(o->ballot, d, sizeof d), o->text);
			nodes_fmt(&o->by, why);
			sbuf_puts(why, ")");
			return false;
		}
	}
	if (sl->learnt_hash && sl->learnt_hash != v->hash) {
		sbuf_printf(why, "Agreement: n%d learnt %s in slot %lld, but %s was chosen",
			    sl->learnt_node + 1, sl->learnt_text, (long long)i, v->text);
		return false;
	}
	return true;
}

static bool look_slot(struct pi *c, struct sim *s, int node, const struct paxos *p, int64_t i,
		      struct sbuf *why)
{
	const struct paxos_slot *ps = paxos_slot_c(p, i);
	if (!ps)
		return true;
	struct pi_slot *sl = pi_slot(c, i);
	char b[32], d[32], text[40];
	int quorum = paxos_quorum(p->o, sim_nodes(s));
	if (ps->acc_ballot && ps->acc_ballot != sl->last_ballot[node]) {
		uint64_t h = paxos_value_hash(&ps->acc);
		paxos_value_fmt(&ps->acc, text, sizeof text);
		if (ps->acc.type != PAXOS_V_NOOP && !prop_has(c, h)) {
			sbuf_printf(
			    why,
			    "Validity: n%d accepted %s in slot %lld at %s, a value no proposer "
			    "proposed",
			    node + 1, text, (long long)i,
			    paxos_ballot_fmt(ps->acc_ballot, b, sizeof b));
			return false;
		}
		if (ps->acc_ballot < c->promised[node]) {
			sbuf_printf(why,
				    "P1a: n%d accepted %s in slot %lld although it had promised %s",
				    node + 1, paxos_ballot_fmt(ps->acc_ballot, b, sizeof b),
				    (long long)i, paxos_ballot_fmt(c->promised[node], d, sizeof d));
			return false;
		}
		sl->last_ballot[node] = ps->acc_ballot;
		struct pi_vote *v = NULL;
		for (int k = 0; k < sl->nv && !v; k++)
			if (sl->v[k].ballot == ps->acc_ballot)
				v = &sl->v[k];
		if (v && v->hash != h) {
			sbuf_printf(why, "one value per ballot: slot %lld holds %s and %s at %s",
				    (long long)i, v->text, text,
				    paxos_ballot_fmt(ps->acc_ballot, b, sizeof b));
			return false;
		}
		if (!v) {
			if (sl->nv == sl->capv) {
				sl->capv = sl->capv ? sl->capv * 2 : 4;
				sl->v = xrealloc(sl->v, (size_t)sl->capv * sizeof *sl->v);
			}
			v = &sl->v[sl->nv++];
			memset(v, 0, sizeof *v);
			v->ballot = ps->acc_ballot;
			v->hash = h;
			ns_strlcpy(v->text, text, sizeof v->text);
		}
		nodeset_add(&v->by, node);
		if (sl->chosen && v->ballot > sl->chosen_ballot && v->hash != sl->chosen_hash) {
			sbuf_printf(
			    why,
			    "P2c: slot %lld chose %s at %s, but n%d accepted a higher proposal "
			    "%s carrying %s",
			    (long long)i, sl->chosen_text,
			    paxos_ballot_fmt(sl->chosen_ballot, b, sizeof b), node + 1,
			    paxos_ballot_fmt(v->ballot, d, sizeof d), v->text);
			return false;
		}
		if (nodeset_count(&v->by) >= quorum && !on_chosen(c, i, sl, v, why))
			return false;
	}
	if (ps->chosen) {
		uint64_t h = paxos_value_hash(&ps->val);
		paxos_value_fmt(&ps->val, text, sizeof text);
		if (sl->chosen && sl->chosen_hash != h) {
			sbuf_printf(
			    why, "Agreement: n%d learnt %s in slot %lld, but %s was chosen at %s",
			    node + 1, text, (long long)i, sl->chosen_text,
			    paxos_ballot_fmt(sl->chosen_ballot, b, sizeof b));
			return false;
		}
		if (sl->learnt_hash && sl->learnt_hash != h) {
			sbuf_printf(why, "Agreement: n%d learnt %s in slot %lld, n%d learnt %s",
				    sl->learnt_node + 1, sl->learnt_text, (long long)i, node + 1,
				    text);
			return false;
		}
		if (!sl->learnt_hash) {
			sl->learnt_hash = h;
			sl->learnt_node = node;
			ns_strlcpy(sl->learnt_text, text, sizeof sl->learnt_text);
		}
	}
	return true;
}

static bool pi_check(void *self, struct sim *s, struct sbuf *why)
{
	struct pi *c = self;
	if (c->failed) {
		sbuf_puts(why, c->fail);
		return false;
	}
	int n = sim_nodes(s);
	for (int k = 0; k < n; k++) {
		struct paxos *p = paxos_of(s, k);
		if (!p)
			return true;
		for (size_t j = 0; j < p->audit.nprop; j++)
			prop_add(c, p->audit.proposed[j]);
		p->audit.nprop = 0;
	}
	for (int k = 0; k < n; k++) {
		struct paxos *p = paxos_of(s, k);
		struct paxos_audit *a = &p->audit;
		bool ok = true;
		if (a->overflow) {
			for (int64_t i = 1; i < p->st.nslot && ok; i++)
				ok = look_slot(c, s, k, p, i, why);
		} else {
			for (size_t j = 0; j < a->n && ok; j++)
				ok = look_slot(c, s, k, p, a->slots[j], why);
		}
		a->n = 0;
		a->overflow = false;
		if (ok && p->st.promised < c->promised[k]) {
			char b[32], d[32];
			sbuf_printf(
			    why, "promises are monotone: n%d had promised %s and now promises %s",
			    k + 1, paxos_ballot_fmt(c->promised[k], b, sizeof b),
			    paxos_ballot_fmt(p->st.promised, d, sizeof d));
			ok = false;
		}
		if (!ok) {
			c->failed = true;
			ns_strlcpy(c->fail, sbuf_str(why), sizeof c->fail);
			return false;
		}
		c->promised[k] = p->st.promised;
	}
	return true;
}

const struct invariant_ops paxos_invariants = {
    .create = pi_create,
    .destroy = pi_destroy,
    .check = pi_check,
};

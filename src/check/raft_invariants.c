/*
 * raft_invariants.c — the five properties of Figure 3 of the Raft paper,
 * checked after every simulated event:
 *
 *   Election Safety: "at most one leader can be elected in a given term."
 *   Leader Append-Only: "a leader never overwrites or deletes entries in
 *     its log; it only appends new entries."
 *   Log Matching: "if two logs contain an entry with the same index and
 *     term, then the logs are identical in all entries up through the given
 *     index."
 *   Leader Completeness: "if a log entry is committed in a given term, then
 *     that entry will be present in the logs of the leaders for all
 *     higher-numbered terms."
 *   State Machine Safety: "if a server has applied a log entry at a given
 *     index to its state machine, no other server will ever apply a
 *     different log entry for the same index."
 *
 * Cost. The check runs after every event, so it looks only at what changed:
 * the protocol marks the lowest log index it wrote or removed since the last
 * look (raft_stable.dirty_from, which this checker resets: one checker per
 * simulation), and the checker remembers what it has seen —
 *
 *   - the leader of each term (Election Safety);
 *   - per (index, term) ever seen in any log, the command's hash and the
 *     term of the entry before it. Two logs with the same (index, term)
 *     must agree on both; by induction on the index that is exactly Log
 *     Matching, checked one new entry at a time;
 *   - per committed index, the entry (term, hash), the term in which it was
 *     first seen committed, and the state machine's chain hash after
 *     applying it (State Machine Safety, Leader Completeness).
 *
 * Memory stays bounded: what lies below every node's snapshot can no longer
 * be compared against anything and is forgotten.
 */
#include "check/invariants.h"

#include "proto/raft.h"

#include <stdlib.h>
#include <string.h>

/* What was seen at one (index, term). */
struct ri_gent {
	int64_t index, term; /* index 0: empty slot */
	int64_t prev_term;   /* term of the entry before it; -1 unknown */
	uint64_t hash;
	int node;
};

/* What was seen committed at one index. */
struct ri_kent {
	bool known;
	int node; /* who first committed it */
	int64_t term;
	int64_t commit_term; /* that node's term then: the entry is committed in it */
	uint64_t hash;
	uint64_t chain; /* state machine hash after applying it; 0 unknown */
	int chain_node;
};

struct ri_node {
	int64_t seen_commit, seen_applied;
	int64_t leader_term; /* term in which it was leader at the last check; 0 none */
	int64_t leader_last; /* its last index then */
};

struct ri {
	struct raft *r[SIM_MAX_NODES]; /* this check's nodes (raft_of), cached */
	bool up[SIM_MAX_NODES];
	int *leader_of_term; /* -1: none seen */
	size_t nterms;
	struct ri_gent *g;
	size_t gcap, gcount;
	int64_t gfloor;    /* entries at or below were pruned */
	struct ri_kent *k; /* k[i - kbase] */
	int64_t kbase;
	size_t kcap;
	struct ri_node node[SIM_MAX_NODES];
};

static void *ri_create(struct sim *s)
{
	(void)s;
	struct ri *c = xcalloc(1, sizeof *c);
	c->kbase = 1;
	return c;
}

static void ri_destroy(void *self)
{
	struct ri *c = self;
	if (!c)
		return;
	free(c->leader_of_term);
	free(c->g);
	free(c->k);
	free(c);
}

static void entry_words(const struct raft_entry *e, char *buf, size_t n)
{
	char cmd[48];
	raft_entry_fmt(e, cmd, sizeof cmd);
	ns_snprintf(buf, n, "t%lld %s", (long long)e->term, cmd);
}

/* ---- (index, term) table ---------------------------------------------------- */

static size_t gslot(const struct ri *c, int64_t index, int64_t term)
{
	uint64_t h =
	    (uint64_t)index * 0x9E3779B97F4A7C15ULL ^ (uint64_t)term * 0xC2B2AE3D27D4EB4FULL;
	return (size_t)(h ^ (h >> 29)) & (c->gcap - 1);
}

static void g_rehash(struct ri *c, size_t cap)
{
	struct ri_gent *old = c->g;
	size_t oldcap = c->gcap;
	c->g = xcalloc(cap, sizeof *c->g);
	c->gcap = cap;
	c->gcount = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].index || old[i].index <= c->gfloor)
			continue;
		size_t j = gslot(c, old[i].index, old[i].term);
		while (c->g[j].index)
			j = (j + 1) & (cap - 1);
		c->g[j] = old[i];
		c->gcount++;
	}
	free(old);
}

/* The record for (index, term), created empty (node -1) when absent. */
static struct ri_gent *g_get(struct ri *c, int64_t index, int64_t term)
{
	if ((c->gcount + 1) * 2 > c->gcap)
		g_rehash(c, c->gcap ? c->gcap * 2 : 1024);
	size_t j = gslot(c, index, term);
	while (c->g[j].index) {
		if (c->g[j].index == index && c->g[j].term == term)
			return &c->g[j];
		j = (j + 1) & (c->gcap - 1);
	}
	c->g[j] = (struct ri_gent){.index = index, .term = term, .prev_term = -1, .node = -1};
	c->gcount++;
	return &c->g[j];
}

/* ---- committed table ---------------------------------------------------------- */

static struct ri_kent *k_at(struct ri *c, int64_t i, bool grow)
{
	if (i < c->kbase)
		return NULL;
	size_t off = (size_t)(i - c->kbase);
	if (off >= c->kcap) {
		if (!grow)
			return NULL;
		size_t cap = c->kcap ? c->kcap : 1024;
		while (cap <= off)
			cap *= 2;
		c->k = xrealloc(c->k, cap * sizeof *c->k);
		memset(c->k + c->kcap, 0, (cap - c->kcap) * sizeof *c->k);
		c->kcap = cap;
	}
	return &c->k[off];
}

/* Forgets what lies at or below every node's snapshot. */
static void prune(struct ri *c, struct sim *s)
{
	int64_t floor = INT64_MAX;
	for (int i = 0; i < sim_nodes(s); i++)
		floor = MIN(floor, c->r[i]->st.snap_index);
	if (floor == INT64_MAX || floor - c->kbase < 4096)
		return;
	size_t drop = (size_t)MIN((int64_t)c->kcap, floor - c->kbase);
	memmove(c->k, c->k + drop, (c->kcap - drop) * sizeof *c->k);
	memset(c->k + c->kcap - drop, 0, drop * sizeof *c->k);
	c->kbase += (int64_t)drop;
	c->gfloor = floor;
	g_rehash(c, c->gcap);
}

/* ---- the checks ------------------------------------------------------------------ */

/* Log Matching, one entry: index i of node `who`. */
static bool check_entry(struct ri *c, const struct raft *r, int who, int64_t i, struct sbuf *why)
{
	if (i <= c->gfloor)
		return true;
	const struct raft_entry *e = raft_entry_at(r, i);
	int64_t pt = i - 1 == r->st.snap_index ? r->st.snap_term : raft_term_at(r, i - 1);
	uint64_t h = raft_entry_hash(e);
	struct ri_gent *g = g_get(c, i, e->term);
	if (g->node < 0) {
		g->node = who;
		g->hash = h;
		g->prev_term = pt;
		return true;
	}
	if (g->hash != h) {
		char w[64];
		entry_words(e, w, sizeof w);
		sbuf_printf(
		    why,
		    "Log Matching: n%d and n%d both hold an entry at index %lld in term %lld, "
		    "but different ones (n%d has %s)",
		    g->node + 1, who + 1, (long long)i, (long long)e->term, who + 1, w);
		return false;
	}
	if (pt >= 0 && g->prev_term >= 0 && pt != g->prev_term) {
		sbuf_printf(
		    why,
		    "Log Matching: n%d and n%d both hold index %lld in term %lld, but their "
		    "logs differ before it: index %lld is t%lld at n%d and t%lld at n%d",
		    g->node + 1, who + 1, (long long)i, (long long)e->term, (long long)i - 1,
		    (long long)g->prev_term, g->node + 1, (long long)pt, who + 1);
		return false;
	}
	if (g->prev_term < 0)
		g->prev_term = pt;
	return true;
}

/* Does leader r hold committed entry k at index i? (Leader Completeness) */
static bool leader_holds(struct ri *c, const struct raft *r, int who, int64_t i,
			 const struct ri_kent *k, const char *when, struct sbuf *why)
{
	(void)c;
	if (i < r->st.snap_index)
		return true; /* its snapshot holds only committed entries */
	int64_t t = raft_term_at(r, i);
	const struct raft_entry *e = raft_entry_at(r, i);
	if (t == k->term && (!e || raft_entry_hash(e) == k->hash))
		return true;
	sbuf_printf(
	    why,
	    "Leader Completeness: n%d %s leader of term %lld without the entry committed at "
	    "index %lld in term %lld by n%d (t%lld; it has %s)",
	    who + 1, when, (long long)r->st.term, (long long)i, (long long)k->commit_term,
	    k->node + 1, (long long)k->term, t < 0 ? "nothing there" : "another entry");
	return false;
}

static bool check_node_log(struct ri *c, struct sim *s, int i, struct sbuf *why)
{
	(void)s;
	struct raft *r = c->r[i];
	struct ri_node *nd = &c->node[i];
	int64_t d = r->st.dirty_from, last = raft_last_index(r);
	r->st.dirty_from = INT64_MAX;
	bool leader = c->up[i] && r->role == RAFT_LEADER;
	if (leader && nd->leader_term == r->st.term) {
		if (last < nd->leader_last || d <= nd->leader_last) {
			sbuf_printf(
			    why,
			    "Leader Append-Only: n%d, leader of term %lld, changed its log at "
			    "index %lld while it held entries up to %lld",
			    i + 1, (long long)r->st.term, (long long)MIN(d, last + 1),
			    (long long)nd->leader_last);
			return false;
		}
	}
	nd->leader_term = leader ? r->st.term : 0;
	nd->leader_last = last;
	if (d == INT64_MAX)
		return true;
	for (int64_t k = MAX(d, r->st.snap_index + 1); k <= last; k++)
		if (!check_entry(c, r, i, k, why))
			return false;
	return true;
}

static bool check_election(struct ri *c, struct sim *s, int i, struct sbuf *why)
{
	(void)s;
	const struct raft *r = c->r[i];
	if (!c->up[i] || r->role != RAFT_LEADER)
		return true;
	int64_t t = r->st.term;
	if ((size_t)t >= c->nterms) {
		size_t n = (size_t)t * 2 + 16;
		c->leader_of_term = xrealloc(c->leader_of_term, n * sizeof *c->leader_of_term);
		for (size_t k = c->nterms; k < n; k++)
			c->leader_of_term[k] = -1;
		c->nterms = n;
	}
	int prev = c->leader_of_term[t];
	if (prev >= 0 && prev != i) {
		sbuf_printf(why, "Election Safety: n%d and n%d were both leaders of term %lld",
			    prev + 1, i + 1, (long long)t);
		return false;
	}
	if (prev == i)
		return true;
	c->leader_of_term[t] = i;
	/* A new leader: it must hold every entry committed in earlier terms. */
	for (int64_t k = MAX(c->kbase, 1); k < c->kbase + (int64_t)c->kcap; k++) {
		const struct ri_kent *ke = k_at(c, k, false);
		if (ke && ke->known && ke->commit_term < t &&
		    !leader_holds(c, r, i, k, ke, "became", why))
			return false;
	}
	return true;
}

static bool check_commit(struct ri *c, struct sim *s, int i, struct sbuf *why)
{
	const struct raft *r = c->r[i];
	struct ri_node *nd = &c->node[i];
	if (!c->up[i])
		return true;
	if (r->commit < nd->seen_commit)
		nd->seen_commit = r->commit; /* restarted */
	for (int64_t k = nd->seen_commit + 1; k <= r->commit; k++) {
		const struct raft_entry *e = raft_entry_at(r, k);
		if (!e)
			continue; /* in a snapshot just installed */
		struct ri_kent *ke = k_at(c, k, true);
		if (!ke)
			continue;
		uint64_t h = raft_entry_hash(e);
		if (ke->known) {
			if (ke->term != e->term || ke->hash != h) {
				char w[64];
				entry_words(e, w, sizeof w);
				sbuf_printf(
				    why,
				    "State Machine Safety: n%d committed %s at index %lld, but "
				    "n%d committed a t%lld entry there",
				    i + 1, w, (long long)k, ke->node + 1, (long long)ke->term);
				return false;
			}
			continue;
		}
		*ke = (struct ri_kent){.known = true,
				       .node = i,
				       .term = e->term,
				       .commit_term = r->st.term,
				       .hash = h};
		/* Every current leader of a later term must hold it. */
		for (int j = 0; j < sim_nodes(s); j++) {
			const struct raft *l = c->r[j];
			if (c->up[j] && l->role == RAFT_LEADER && l->st.term > ke->commit_term &&
			    !leader_holds(c, l, j, k, ke, "is", why))
				return false;
		}
	}
	nd->seen_commit = r->commit;
	return true;
}

static bool check_applied(struct ri *c, struct sim *s, int i, struct sbuf *why)
{
	(void)s;
	const struct raft *r = c->r[i];
	struct ri_node *nd = &c->node[i];
	if (!c->up[i])
		return true;
	if (r->applied < nd->seen_applied)
		nd->seen_applied = r->applied;
	for (int64_t k = nd->seen_applied + 1; k <= r->applied; k++) {
		const struct raft_entry *e = raft_entry_at(r, k);
		struct ri_kent *ke = k_at(c, k, false);
		if (!e || !ke)
			continue;
		if (!ke->known) {
			sbuf_printf(why,
				    "State Machine Safety: n%d applied index %lld, which no server "
				    "has committed",
				    i + 1, (long long)k);
			return false;
		}
		if (ke->term != e->term || ke->hash != raft_entry_hash(e)) {
			char w[64];
			entry_words(e, w, sizeof w);
			sbuf_printf(why,
				    "State Machine Safety: n%d applied %s at index %lld, but the "
				    "entry committed there (by n%d) is of term %lld",
				    i + 1, w, (long long)k, ke->node + 1, (long long)ke->term);
			return false;
		}
	}
	nd->seen_applied = r->applied;
	/* The whole state machine, through its chain hash at this index. */
	struct ri_kent *ke = r->applied > 0 ? k_at(c, r->applied, true) : NULL;
	if (ke && r->kv) {
		if (!ke->chain) {
			ke->chain = r->kv->applied_hash;
			ke->chain_node = i;
		} else if (ke->chain != r->kv->applied_hash) {
			sbuf_printf(why,
				    "State Machine Safety: n%d and n%d have applied different "
				    "sequences of entries up to index %lld",
				    ke->chain_node + 1, i + 1, (long long)r->applied);
			return false;
		}
	}
	return true;
}

static bool ri_check(void *self, struct sim *s, struct sbuf *why)
{
	struct ri *c = self;
	int n = sim_nodes(s);
	for (int i = 0; i < n; i++) {
		c->r[i] = raft_of(s, i);
		c->up[i] = sim_node(s, i)->up;
	}
	for (int i = 0; i < n; i++)
		if (!check_node_log(c, s, i, why))
			return false;
	for (int i = 0; i < n; i++)
		if (!check_election(c, s, i, why) || !check_commit(c, s, i, why))
			return false;
	for (int i = 0; i < n; i++)
		if (!check_applied(c, s, i, why))
			return false;
	prune(c, s);
	return true;
}

const struct invariant_ops raft_invariants = {
    .create = ri_create,
    .destroy = ri_destroy,
    .check = ri_check,
};

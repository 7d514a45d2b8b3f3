/*
 * clocks_invariants.c — the invariants of the clocks protocol, checked
 * after every simulated event against a ground truth the checker computes
 * itself from the event graph.
 *
 * Ground truth. An event's causal past is every event of its node before
 * it (program order) and, for a receive, the send and the send's past
 * (Lamport 1978). The checker never reads a clock to build it: it takes
 * each event's node, index and, for a receive, the send it names, and
 * keeps the past as a frontier — for each node, the highest index of that
 * node in the past (the past is closed under program order, so this one
 * number per node is the whole set). It also keeps, per event, the
 * largest physical clock reading in the past and the event itself.
 *
 * Invariants, for every event e:
 *   1. Clock condition for Lamport clocks (Lamport 1978): g -> e implies
 *      C(g) < C(e). Checked on e's immediate predecessors (the previous
 *      event of its node; for a receive, the send): happened-before is the
 *      transitive closure of those edges, and < is transitive, so this
 *      proves it for every pair.
 *   2. The same for hybrid logical clocks, ordered by (l, c).
 *   3. Vector clocks characterise happened-before (Fidge 1988, Mattern
 *      1988): V(e)[k] is exactly the number of events of node k in e's
 *      past or e itself — the frontier. Then V(g) < V(e) holds exactly when
 *      g -> e, for every pair, and incomparable clocks are exactly the
 *      concurrent events.
 *   4. HLC's l is the largest physical time e has heard of (Kulkarni et
 *      al. 2014, Theorem 1 and 2): l(e) = max pt over e's past and e, so
 *      l(e) >= pt(e) and l(e) - pt(e) is at most how far the fastest clock
 *      that reached e ran ahead of e's own.
 *   5. HLC's c is bounded (Kulkarni et al. 2014, Theorem 3): c(e) is at
 *      most the number of events in e's past whose l equals l(e).
 *   6. Commit wait (Corbett et al. 2012, 4.1.2): with commitwait=on, a
 *      commit is acknowledged only when TT.after(s) held on its node's
 *      clock: the acknowledging event's TT.now().earliest > s.
 *
 * What is not here: that TrueTime's intervals contain true time, and
 * Spanner's external consistency. Both rest on an assumption about the
 * clocks (the error is within epsilon) that the learner may break on
 * purpose with `clock n2 skew`; they are predicates (`truetime-holds`,
 * `externally-consistent`) that scenarios expect true or false.
 *
 * Cost: per event, O(nodes) for the frontier and vector comparison, and
 * O(nodes log events) for the count in 5; memory, nodes + 2 numbers per
 * event.
 */
#include "check/invariants.h"

#include "proto/clocks.h"
#include "proto/proto.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct ci_event {
	uint32_t *front; /* front[k]: events of node k in the past, or this one */
	sim_time maxpt;  /* the largest physical reading among them */
};

struct ci_node {
	struct ci_event *ev;
	uint32_t done; /* events checked */
	size_t cap;
};

struct ci {
	int n; /* nodes, fixed at the first check */
	struct ci_node *node;
	bool failed;
};

static void *ci_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct ci));
}

static void ci_destroy(void *self)
{
	struct ci *c = self;
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		for (uint32_t j = 0; j < c->node[i].done; j++)
			free(c->node[i].ev[j].front);
		free(c->node[i].ev);
	}
	free(c->node);
	free(c);
}

static bool hlc_less(const struct clk_event *a, const struct clk_event *b)
{
	return a->hlc_l < b->hlc_l || (a->hlc_l == b->hlc_l && a->hlc_c < b->hlc_c);
}

/* Events of node k up to index `upto` whose l equals l (l never decreases
 * along a node's events: binary search). */
static uint32_t count_l(const struct clk_event *ev, uint32_t upto, int64_t l)
{
	uint32_t lo = 0, hi = upto; /* first index (0-based) with hlc_l >= l */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ev[mid].hlc_l < l)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t first = lo;
	hi = upto;
	while (lo < hi) { /* first index with hlc_l > l */
		uint32_t mid = lo + (hi - lo) / 2;
		if (ev[mid].hlc_l <= l)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

static bool fail(struct ci *c, struct sbuf *why, const struct clk_event *e, const char *fmt,
		 const char *other)
{
	char id[24];
	sbuf_printf(why, fmt, clocks_id(e, id, sizeof id), other ? other : "");
	c->failed = true;
	return false;
}

static bool check_one(struct ci *c, struct sim *s, int node, uint32_t index, struct sbuf *why);

/* Checks every event of node up to `index` not yet checked. */
static bool check_upto(struct ci *c, struct sim *s, int node, uint32_t index, struct sbuf *why)
{
	while (c->node[node].done < index)
		if (!check_one(c, s, node, c->node[node].done + 1, why))
			return false;
	return true;
}

static bool check_one(struct ci *c, struct sim *s, int node, uint32_t index, struct sbuf *why)
{
	uint32_t cnt, pcnt = 0;
	const struct clk_event *ev = clocks_events(s, node, &cnt), *pev = NULL;
	const struct clk_event *e = &ev[index - 1], *prev = index > 1 ? &ev[index - 2] : NULL;
	const struct clk_event *send = NULL;
	char other[48];
	if (e->node != node || e->index != index)
		return fail(c, why, e, _("%s: the event's id disagrees with its place%s"), NULL);
	if (e->kind == CLK_RECV) {
		if (e->peer < 0 || e->peer >= c->n)
			return fail(c, why, e, _("%s: received from no node%s"), NULL);
		pev = clocks_events(s, e->peer, &pcnt);
		if (e->parent < 1 || e->parent > pcnt || pev[e->parent - 1].kind != CLK_SEND ||
		    pev[e->parent - 1].peer != node)
			return fail(c, why, e, _("%s: receives a message no event sent%s"), NULL);
		send = &pev[e->parent - 1];
		/* The send is checked (and its frontier known) first. */
		if (!check_upto(c, s, e->peer, e->parent, why))
			return false;
	}
	struct ci_node *cn = &c->node[node];
	xgrow((void **)&cn->ev, &cn->cap, index, sizeof *cn->ev);
	struct ci_event *ce = &cn->ev[index - 1];
	ce->front = xcalloc((size_t)c->n, sizeof *ce->front);
	ce->maxpt = e->pt;
	cn->done = index; /* owned from here, even on failure */
	if (prev) {
		memcpy(ce->front, cn->ev[index - 2].front, (size_t)c->n * sizeof *ce->front);
		ce->maxpt = MAX(ce->maxpt, cn->ev[index - 2].maxpt);
	}
	if (send) {
		const struct ci_event *cs = &c->node[e->peer].ev[e->parent - 1];
		for (int k = 0; k < c->n; k++)
			ce->front[k] = MAX(ce->front[k], cs->front[k]);
		ce->maxpt = MAX(ce->maxpt, cs->maxpt);
	}
	ce->front[node] = index;

	/* 1, 2: the clock condition, on the immediate predecessors. */
	const struct clk_event *pred[2] = {prev, send};
	for (int p = 0; p < 2; p++) {
		if (!pred[p])
			continue;
		clocks_id(pred[p], other, sizeof other);
		if (!(pred[p]->lamport < e->lamport))
			return fail(c, why, e,
				    _("clock condition (Lamport): %s follows %s but its Lamport "
				      "clock is not larger"),
				    other);
		if (!hlc_less(pred[p], e))
			return fail(c, why, e,
				    _("clock condition (HLC): %s follows %s but its (l, c) is not "
				      "larger"),
				    other);
	}
	/* 3: the vector clock is the frontier of the past. */
	for (int k = 0; k < SIM_MAX_NODES; k++) {
		uint32_t want = k < c->n ? ce->front[k] : 0;
		if (vclock_get(&e->vc, k) != want) {
			ns_snprintf(other, sizeof other, "n%d: %u, not %u", k + 1,
				    vclock_get(&e->vc, k), want);
			return fail(c, why, e,
				    _("vector clocks characterise happened-before: %s's vector "
				      "clock does not count the events of its past (%s)"),
				    other);
		}
	}
	/* 4: l is the largest physical time heard of. */
	if (e->hlc_l != ce->maxpt) {
		char tb[32], tb2[32];
		ns_snprintf(other, sizeof other, "l=%s, max pt=%s",
			    simtime_fmt(e->hlc_l, tb, sizeof tb),
			    simtime_fmt(ce->maxpt, tb2, sizeof tb2));
		return fail(c, why, e,
			    _("HLC: %s's l is not the largest physical time in its past (%s)"),
			    other);
	}
	/* 5: c is bounded by the events of the past that share l. */
	uint32_t same = 0;
	for (int k = 0; k < c->n; k++) {
		uint32_t upto = k == node ? index - 1 : ce->front[k], kn;
		if (!upto)
			continue;
		const struct clk_event *kev = clocks_events(s, k, &kn);
		same += count_l(kev, MIN(upto, kn), e->hlc_l);
	}
	if (e->hlc_c > same) {
		ns_snprintf(other, sizeof other, "c=%u > %u", e->hlc_c, same);
		return fail(c, why, e,
			    _("HLC: %s's c exceeds the events of its past with the same l (%s)"),
			    other);
	}
	/* 6: commit wait. */
	if (e->kind == CLK_DONE && clocks_commit_wait(s) && !(e->tt_earliest > e->commit_ts)) {
		char tb[32];
		ns_snprintf(other, sizeof other, "s=%s", simtime_fmt(e->commit_ts, tb, sizeof tb));
		return fail(c, why, e,
			    _("commit wait: %s acknowledges a commit before TT.after(%s) holds"),
			    other);
	}
	return true;
}

static bool ci_check(void *self, struct sim *s, struct sbuf *why)
{
	struct ci *c = self;
	if (c->failed)
		return true; /* the first violation is kept by the watch */
	if (!c->node) {
		c->n = sim_nodes(s);
		c->node = xcalloc((size_t)c->n, sizeof *c->node);
	}
	for (int i = 0; i < c->n; i++) {
		uint32_t n;
		clocks_events(s, i, &n);
		if (!check_upto(c, s, i, n, why))
			return false;
	}
	return true;
}

const struct invariant_ops clocks_invariants = {
    .create = ci_create,
    .destroy = ci_destroy,
    .check = ci_check,
};

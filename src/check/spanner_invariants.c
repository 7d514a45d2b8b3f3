/*
 * spanner_invariants.c — the invariants of the spanner protocol, checked
 * after every simulated event against the record each node keeps of its
 * timestamp decisions (spanner.h), replayed into a store of the
 * checker's own.
 *
 * For every leader, in the order of its record:
 *   1. A write's timestamp is no less than TT.now().latest when it was
 *      assigned (Corbett et al. 2012, 4.1.2, "Start").
 *   2. Timestamps increase strictly at a leader (4.1.2, "monotonically
 *      increasing order"), and above every timestamp it served a read at
 *      (4.1.3: a read at t is served only once no write can get s <= t),
 *      across crashes and clocks set back.
 *   3. Commit wait (4.1.2): with commitwait on, a write is acknowledged only
 *      when TT.after(s) holds on the leader's clock (earliest > s), and
 *      only a write the leader did assign.
 *   4. A read is served only when safe (4.1.3): the leader's latest >=
 *      s_read and, with commit wait on, the version answered is past its
 *      own commit wait; and the version answered is the newest one of the
 *      key with s <= s_read in the checker's replay of the leader's writes.
 *   5. External consistency's premise, in true time: while TrueTime has
 *      held (every reading any node took contained the simulator's true
 *      time), a write acknowledged with commit wait on has s < the true
 *      time of its acknowledgement — the fact the linearizability of the
 *      history rests on (spanner.c's top comment).
 *   6. Majority replication (2.1, 4.1.2): a write is acknowledged only
 *      once a majority of the nodes (the leader included) hold its
 *      version, by the replicas' own records (a failed cas: the version
 *      it observed); a replica holds only versions its leader assigned.
 *   7. Leases (4.1.1): a leader assigns a write's timestamp or serves a
 *      read only while it holds a lease: a round of lease votes it asked
 *      for at local time t, granted (by the voters' own records, at or
 *      before that true time) by a majority with the leader, and its
 *      clock still below t + lease. While TrueTime holds, the same in
 *      true time: the serving instant is before the asking instant plus
 *      the lease plus both readings' epsilons.
 *
 * What is not here: that the history is linearizable (the checker of
 * src/check/lin.c judges the clients' history: `expect linearizable`),
 * and that TrueTime holds (an assumption a scenario may break on purpose:
 * the predicate `truetime-holds`). Rules 1 to 4 are the code's, and hold
 * however wrong the clocks are; 5 holds only under the assumption.
 *
 * Order: the records of one call are checked in three passes (the
 * leader's own decisions, then the votes and replicas' records, then what
 * depends on those: acknowledgements and lease checks), and the instant a
 * round or a version reached its majority is taken in that order; the
 * checker runs after every event, so that order is true time's.
 *
 * Cost: per event, the new records only; a read costs a scan of the
 * leader's versions (newest first), a lease check a scan of its rounds
 * (newest first, usually one).
 */
#include "check/invariants.h"

#include "proto/proto.h"
#include "proto/spanner.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct si_version {
	char key[KV_KEY_MAX];
	sim_time s;
	bool installed;      /* false: a cas that failed (a timestamp, no data) */
	struct nodeset held; /* the leader and the replicas that hold it */
	sim_time quorum_at;  /* true time a majority held it; SIM_NEVER: not yet */
};

/* A round of lease votes a leader asked for. */
struct si_ask {
	sim_time sent, len, eps, true_at;
	struct nodeset granted; /* the leader included */
	sim_time quorum_at;     /* true time a majority granted; SIM_NEVER: not yet */
};

struct si_node {
	uint32_t done; /* records checked */
	sim_time floor;
	bool any;
	struct si_version *ver;
	size_t nver, cap;
	struct si_ask *ask; /* ask[id - 1]: rounds are numbered 1, 2, ... */
	size_t nask, capask;
};

struct si {
	int n;
	struct si_node *node;
	bool tt_broken; /* some reading missed true time */
	bool failed;
};

static void *si_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct si));
}

static void si_destroy(void *self)
{
	struct si *c = self;
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->node[i].ver);
		free(c->node[i].ask);
	}
	free(c->node);
	free(c);
}

static bool fail(struct si *c, struct sbuf *why, int node, const char *fmt, const char *key,
		 sim_time a, sim_time b)
{
	char t1[32], t2[32];
	sbuf_printf(why, fmt, node + 1, key, simtime_fmt(a, t1, sizeof t1),
		    simtime_fmt(b, t2, sizeof t2));
	c->failed = true;
	return false;
}

static sim_time newest(const struct si_node *cn, const char *key, sim_time upto)
{
	for (size_t i = cn->nver; i > 0; i--)
		if (cn->ver[i - 1].installed && cn->ver[i - 1].s <= upto &&
		    !strcmp(cn->ver[i - 1].key, key))
			return cn->ver[i - 1].s;
	return SIM_NEVER;
}

/* Did the leader assign timestamp s to a write of key? (Timestamps are
 * increasing: a binary search would do; acknowledgements are few.) */
static bool assigned(const struct si_node *cn, const char *key, sim_time s)
{
	for (size_t i = cn->nver; i > 0 && cn->ver[i - 1].s >= s; i--)
		if (cn->ver[i - 1].s == s && !strcmp(cn->ver[i - 1].key, key))
			return true;
	return false;
}

static int majority(const struct si *c)
{
	return c->n / 2 + 1;
}

/* The leader's version (key, s), or NULL. */
static struct si_version *version(struct si_node *cn, const char *key, sim_time s)
{
	size_t lo = 0, hi = cn->nver;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cn->ver[mid].s < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cn->nver && cn->ver[lo].s == s && !strcmp(cn->ver[lo].key, key) ? &cn->ver[lo]
										    : NULL;
}

static void add_holder(struct si *c, struct si_version *v, int node, sim_time at)
{
	nodeset_add(&v->held, node);
	if (v->quorum_at == SIM_NEVER && nodeset_count(&v->held) >= majority(c))
		v->quorum_at = at;
}

static void add_grant(struct si *c, struct si_ask *a, int node, sim_time at)
{
	nodeset_add(&a->granted, node);
	if (a->quorum_at == SIM_NEVER && nodeset_count(&a->granted) >= majority(c))
		a->quorum_at = at;
}

/* Pass 2: a vote granted, a replica's copy taken. */
static bool check_vote(struct si *c, int node, const struct span_ghost *g, struct sbuf *why)
{
	if (g->peer < 0 || g->peer >= c->n)
		return fail(c, why, node,
			    _("n%d records a vote or a copy of %s at %s for no leader (true "
			      "time %s)"),
			    g->key, g->s, g->true_at);
	struct si_node *ln = &c->node[g->peer];
	if (g->kind == SPG_GRANT) {
		if (g->id == 0 || g->id > ln->nask || ln->ask[g->id - 1].true_at > g->true_at)
			return fail(c, why, node,
				    _("leases (4.1.1): n%d grants a lease vote%s for a round its "
				      "leader never asked for (asked at %s, now %s)"),
				    "", g->s, g->true_at);
		add_grant(c, &ln->ask[g->id - 1], node, g->true_at);
		return true;
	}
	struct si_version *v = version(ln, g->key, g->s);
	if (!v || !v->installed)
		return fail(c, why, node,
			    _("replication (2.1): n%d holds a version of %s at %s that its leader "
			      "never installed (its last timestamp: %s)"),
			    g->key, g->s, ln->any ? ln->floor : SIM_NEVER);
	add_holder(c, v, node, g->true_at);
	return true;
}

/* Pass 3, rule 7: the leader held a lease when it decided g. */
static bool check_lease(struct si *c, int node, const struct span_ghost *g, struct sbuf *why)
{
	struct si_node *cn = &c->node[node];
	sim_time pt = g->earliest + (g->latest - g->earliest) / 2,
		 e = (g->latest - g->earliest) / 2;
	for (size_t i = cn->nask; i > 0; i--) {
		const struct si_ask *a = &cn->ask[i - 1];
		if (a->quorum_at == SIM_NEVER || a->quorum_at > g->true_at ||
		    pt >= a->sent + a->len)
			continue;
		if (!c->tt_broken && !(g->true_at < a->true_at + a->len + a->eps + e))
			return fail(
			    c, why, node,
			    _("leases (4.1.1): n%d decides on %s at true time %s, after the "
			      "lease it was granted ran out in true time (%s)"),
			    g->key, g->true_at, a->true_at + a->len + a->eps + e);
		return true;
	}
	return fail(c, why, node,
		    _("leases (4.1.1): n%d serves %s at s=%s without a lease a majority granted "
		      "(its clock: %s)"),
		    g->key, g->s, pt);
}

/* Pass 3, rule 6: a majority held what an acknowledgement reports. */
static bool check_majority(struct si *c, int node, const struct span_ghost *g, struct sbuf *why)
{
	struct si_node *cn = &c->node[node];
	struct si_version *v = version(cn, g->key, g->s);
	if (v && !v->installed) { /* a failed cas: the version it observed */
		v = NULL;
		for (size_t i = cn->nver; i > 0 && !v; i--)
			if (cn->ver[i - 1].installed && cn->ver[i - 1].s < g->s &&
			    !strcmp(cn->ver[i - 1].key, g->key))
				v = &cn->ver[i - 1];
		if (!v)
			return true; /* it observed no version */
	}
	if (v && v->quorum_at != SIM_NEVER && v->quorum_at <= g->true_at)
		return true;
	return fail(c, why, node,
		    _("replication (4.1.2): n%d acknowledges the write of %s at s=%s held by "
		      "fewer than a majority (true time %s)"),
		    g->key, v ? v->s : g->s, g->true_at);
}

static bool check_one(struct si *c, int node, const struct span_ghost *g, struct sbuf *why)
{
	struct si_node *cn = &c->node[node];
	switch (g->kind) {
	case SPG_WRITE:
		if (g->s < g->latest)
			return fail(c, why, node,
				    _("timestamps (4.1.2): n%d gives a write of %s timestamp %s, "
				      "below TT.now().latest %s"),
				    g->key, g->s, g->latest);
		if (cn->any && g->s <= cn->floor)
			return fail(c, why, node,
				    _("monotonicity (4.1.2): n%d gives a write of %s timestamp %s, "
				      "not above %s, which it assigned or read at before"),
				    g->key, g->s, cn->floor);
		cn->any = true;
		cn->floor = g->s;
		xgrow((void **)&cn->ver, &cn->cap, cn->nver + 1, sizeof *cn->ver);
		ns_strlcpy(cn->ver[cn->nver].key, g->key, KV_KEY_MAX);
		cn->ver[cn->nver].installed = g->installed;
		cn->ver[cn->nver].held = (struct nodeset){{0, 0}};
		cn->ver[cn->nver].quorum_at = SIM_NEVER;
		cn->ver[cn->nver].s = g->s;
		if (g->installed)
			add_holder(c, &cn->ver[cn->nver], node, g->true_at);
		cn->nver++;
		break;
	case SPG_ASK:
		if (g->id != cn->nask + 1)
			return fail(c, why, node,
				    _("leases (4.1.1): n%d asks for lease votes%s out of order, at "
				      "its time %s (true time %s)"),
				    "", g->s, g->true_at);
		xgrow((void **)&cn->ask, &cn->capask, cn->nask + 1, sizeof *cn->ask);
		cn->ask[cn->nask] = (struct si_ask){.sent = g->s,
						    .len = g->vts,
						    .eps = (g->latest - g->earliest) / 2,
						    .true_at = g->true_at,
						    .quorum_at = SIM_NEVER};
		add_grant(c, &cn->ask[cn->nask++], node, g->true_at);
		break;
	case SPG_ACK:
		if (!assigned(cn, g->key, g->s))
			return fail(c, why, node,
				    _("n%d acknowledges a write of %s at %s that it never assigned "
				      "(its last timestamp: %s)"),
				    g->key, g->s, cn->any ? cn->floor : SIM_NEVER);
		if (g->commit_wait && !(g->earliest > g->s))
			return fail(
			    c, why, node,
			    _("commit wait (4.1.2): n%d acknowledges the write of %s at s=%s "
			      "while TT.now().earliest is %s"),
			    g->key, g->s, g->earliest);
		if (g->commit_wait && !c->tt_broken && !(g->s < g->true_at))
			return fail(c, why, node,
				    _("external consistency (4.1.2): n%d acknowledges the write of "
				      "%s at s=%s before true time passed it (%s)"),
				    g->key, g->s, g->true_at);
		break;
	case SPG_READ: {
		if (g->latest < g->s)
			return fail(c, why, node,
				    _("safe time (4.1.3): n%d serves a read of %s at %s while its "
				      "TT.now().latest is only %s"),
				    g->key, g->s, g->latest);
		sim_time want = newest(cn, g->key, g->s);
		if (g->vts != want)
			return fail(
			    c, why, node,
			    _("reads at a timestamp (4.1.3): n%d answers a read of %s with the "
			      "version at %s, not the newest at or below s_read, %s"),
			    g->key, g->vts, want);
		if (g->commit_wait && want != SIM_NEVER && !(g->earliest > want))
			return fail(c, why, node,
				    _("commit wait (4.1.2): n%d lets a read of %s see the version "
				      "at %s before TT.after holds (earliest %s)"),
				    g->key, want, g->earliest);
		cn->any = true;
		cn->floor = MAX(cn->floor, g->s);
		break;
	}
	default: break;
	}
	return true;
}

static bool si_check(void *self, struct sim *s, struct sbuf *why)
{
	struct si *c = self;
	if (c->failed)
		return true; /* the first violation is kept by the watch */
	if (!c->node) {
		c->n = sim_nodes(s);
		c->node = xcalloc((size_t)c->n, sizeof *c->node);
		for (int i = 0; i < c->n; i++)
			c->node[i].floor = INT64_MIN;
	}
	/* TrueTime's assumption first, over every new reading. */
	for (int i = 0; i < c->n && !c->tt_broken; i++) {
		uint32_t n;
		const struct span_ghost *g = spanner_ghosts(s, i, &n);
		for (uint32_t j = c->node[i].done; j < n; j++)
			if (g[j].true_at < g[j].earliest || g[j].true_at > g[j].latest)
				c->tt_broken = true;
	}
	/* Pass 1: each node's own decisions; pass 2: votes and copies; pass 3:
	 * what rests on those. */
	for (int pass = 1; pass <= 3; pass++)
		for (int i = 0; i < c->n; i++) {
			uint32_t n;
			const struct span_ghost *g = spanner_ghosts(s, i, &n);
			for (uint32_t j = c->node[i].done; j < n; j++) {
				const struct span_ghost *x = &g[j];
				bool vote = x->kind == SPG_GRANT || x->kind == SPG_ACCEPT;
				bool ok = true;
				if (pass == 1 && !vote)
					ok = check_one(c, i, x, why);
				else if (pass == 2 && vote)
					ok = check_vote(c, i, x, why);
				else if (pass == 3 && x->kind == SPG_ACK)
					ok = check_majority(c, i, x, why);
				else if (pass == 3 && (x->kind == SPG_WRITE || x->kind == SPG_READ))
					ok = check_lease(c, i, x, why);
				if (!ok)
					return false;
			}
		}
	for (int i = 0; i < c->n; i++)
		spanner_ghosts(s, i, &c->node[i].done);
	return true;
}

const struct invariant_ops spanner_invariants = {
    .create = si_create,
    .destroy = si_destroy,
    .check = si_check,
};

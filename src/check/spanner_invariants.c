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
 *
 * What is not here: that the history is linearizable (the checker of
 * src/check/lin.c judges the clients' history: `expect linearizable`),
 * and that TrueTime holds (an assumption a scenario may break on purpose:
 * the predicate `truetime-holds`). Rules 1 to 4 are the code's, and hold
 * however wrong the clocks are; 5 holds only under the assumption.
 *
 * Cost: per event, the new records only; a read costs a scan of the
 * leader's versions (newest first).
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
	bool installed; /* false: a cas that failed (a timestamp, no data) */
};

struct si_node {
	uint32_t done; /* records checked */
	sim_time floor;
	bool any;
	struct si_version *ver;
	size_t nver, cap;
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
	for (int i = 0; i < c->n; i++)
		free(c->node[i].ver);
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
		cn->ver[cn->nver++].s = g->s;
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
	for (int i = 0; i < c->n; i++) {
		uint32_t n;
		const struct span_ghost *g = spanner_ghosts(s, i, &n);
		while (c->node[i].done < n)
			if (!check_one(c, i, &g[c->node[i].done++], why))
				return false;
	}
	return true;
}

const struct invariant_ops spanner_invariants = {
    .create = si_create,
    .destroy = si_destroy,
    .check = si_check,
};

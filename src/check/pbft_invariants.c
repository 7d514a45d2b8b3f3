/*
 * pbft_invariants.c — the safety of PBFT (Castro & Liskov, OSDI 1999,
 * §4.2: "the prepared predicate and the commit protocol ensure that
 * non-faulty replicas agree on the sequence numbers of requests that
 * commit locally even if they commit in different views"), checked after
 * every simulated event:
 *
 *   Agreement: no two correct replicas execute different requests at the
 *   same sequence number.
 *
 * "Correct" is a replica that has never been a traitor in this run
 * (sim_byzantine, watched at every check). The paper promises agreement
 * only when N >= 3f+1 and at most f replicas are faulty; beyond that bound
 * (too few replicas for the f configured, or more traitors than f) a
 * divergence is what the bound says can happen — an observation, which
 * the `diverged` predicate reports, not a bug. Within it, the first
 * divergence is a violation.
 */
#include "check/invariants.h"

#include "proto/pbft.h"

#include <stdlib.h>
#include <string.h>

struct pbi_exec {
	int node; /* -1: none yet */
	uint64_t d;
	char text[48];
};

struct pbi {
	struct pbi_exec *e; /* per sequence number */
	int64_t ne;
	int64_t seen[SIM_MAX_NODES]; /* per node: executed up to here looked at */
	struct nodeset ever;         /* nodes that have been traitors */
	bool failed;
	char fail[256];
};

static void *pbi_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct pbi));
}

static void pbi_destroy(void *self)
{
	struct pbi *c = self;
	if (!c)
		return;
	free(c->e);
	free(c);
}

static struct pbi_exec *pbi_at(struct pbi *c, int64_t n)
{
	if (n >= c->ne) {
		int64_t k = MAX(n + 1, MAX(c->ne * 2, 64));
		c->e = xrealloc(c->e, (size_t)k * sizeof *c->e);
		for (int64_t i = c->ne; i < k; i++)
			c->e[i].node = -1;
		c->ne = k;
	}
	return &c->e[n];
}

static bool pbi_check(void *self, struct sim *s, struct sbuf *why)
{
	struct pbi *c = self;
	if (c->failed) {
		sbuf_puts(why, c->fail);
		return false;
	}
	int nn = sim_nodes(s);
	const struct pbft *p0 = pbft_of(s, 0);
	if (!p0)
		return true;
	for (int k = 0; k < nn; k++)
		if (sim_byzantine(s, k) != BYZ_LOYAL)
			nodeset_add(&c->ever, k);
	bool bound = nn >= 3 * p0->f + 1 && nodeset_count(&c->ever) <= p0->f;
	for (int k = 0; k < nn; k++) {
		const struct pbft *p = pbft_of(s, k);
		if (nodeset_has(&c->ever, k)) {
			c->seen[k] = p->executed;
			continue;
		}
		for (int64_t n = c->seen[k] + 1; n <= p->executed; n++) {
			const struct pbft_slot *sl = pbft_slot_c(p, n);
			if (!sl || !sl->executed)
				continue;
			struct pbi_exec *e = pbi_at(c, n);
			uint64_t d = pbft_digest(&sl->ereq);
			if (e->node < 0 || nodeset_has(&c->ever, e->node)) {
				e->node = k;
				e->d = d;
				pbft_req_fmt(&sl->ereq, e->text, sizeof e->text);
				continue;
			}
			if (e->d == d || !bound)
				continue; /* agreement, or beyond the bound: an observation */
			char t[48];
			pbft_req_fmt(&sl->ereq, t, sizeof t);
			sbuf_printf(
			    why,
			    "Agreement: correct replicas n%d and n%d executed different requests "
			    "at n=%lld (%s and %s)",
			    e->node + 1, k + 1, (long long)n, e->text, t);
			c->failed = true;
			ns_strlcpy(c->fail, sbuf_str(why), sizeof c->fail);
			return false;
		}
		c->seen[k] = p->executed;
	}
	return true;
}

const struct invariant_ops pbft_invariants = {
    .create = pbi_create,
    .destroy = pbi_destroy,
    .check = pbi_check,
};

/*
 * generals_invariants.c — IC1 and IC2 of the Byzantine generals (Lamport,
 * Shostak & Pease 1982), checked at the end of every order:
 *
 *   IC1. All loyal lieutenants obey the same order.
 *   IC2. If the commanding general is loyal, then every loyal lieutenant
 *        obeys the order he sends.
 *
 * They are invariants only within the bound of Theorem 1: "Algorithm
 * OM(m) satisfies conditions IC1 and IC2 if there are more than 3m
 * generals and at most m traitors." Beyond it (N <= 3m, or more than m
 * faulty generals) the paper proves that they may fail (§2: three generals
 * cannot cope with one traitor), so a failure there is an observation —
 * a note in the trace, once per order — and not a violation.
 *
 * Who is faulty. Traitors (any node the simulator made Byzantine at any
 * moment of the order), and every node that broke the paper's assumptions
 * A1-A3 on its side: a node down at any moment of the order, or that
 * crashed and restarted (it forgot the order), and the sender of any
 * message that a loyal receiver missed (lost, sent on a cut link, or late
 * for its round under delay or clock drift). The paper counts a failed
 * communication line as a failure of one of its generals; counting the
 * sender is the choice that keeps the reduction exact — to its receiver,
 * a missing message is what a traitor who sent nothing would produce, and
 * a missing message becomes RETREAT (OM step 2) as for such a traitor.
 * So with N > 3m and at most m faulty nodes so counted, OM(m) must give
 * IC1 and IC2 over the non-faulty lieutenants on every schedule: a failure
 * is a bug.
 *
 * Cost: O(N) per event; O(N) memory.
 */
#include "check/invariants.h"

#include "proto/generals.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct gi {
	uint32_t order;                      /* the order being watched (0: none) */
	bool settled;                        /* its verdict is in */
	struct nodeset faulty;               /* traitors, crashes, senders of missing messages */
	struct nodeset part;                 /* took part at its start */
	uint32_t incarnation[SIM_MAX_NODES]; /* at its start */
	int commander, truth, m;
	int observations; /* failures beyond the bound, noted (for tests) */
};

static void *gi_create(struct sim *s)
{
	(void)s;
	return xcalloc(1, sizeof(struct gi));
}

static void gi_destroy(void *self)
{
	free(self);
}

static void begin(struct gi *c, struct sim *s, uint32_t o)
{
	c->order = o;
	c->settled = false;
	c->faulty = (struct nodeset){{0, 0}};
	c->part = (struct nodeset){{0, 0}};
	c->commander = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct gen *g = gen_of(s, i);
		c->incarnation[i] = sim_node(s, i)->incarnation;
		if (g->order == o && (g->round || g->done) && sim_node(s, i)->up) {
			nodeset_add(&c->part, i);
			c->commander = g->commander;
			c->truth = g->truth;
			c->m = g->m;
		} else {
			nodeset_add(&c->faulty, i);
		}
	}
}

static bool gi_check(void *self, struct sim *s, struct sbuf *why)
{
	struct gi *c = self;
	int n = sim_nodes(s);
	uint32_t o = 0;
	for (int i = 0; i < n; i++)
		if (gen_of(s, i)->order > o)
			o = gen_of(s, i)->order;
	if (!o)
		return true;
	if (o != c->order)
		begin(c, s, o);
	if (c->settled || c->commander < 0)
		return true;
	/* Who is faulty so far; has every non-faulty lieutenant decided? */
	bool pending = false;
	for (int i = 0; i < n; i++) {
		const struct gen *g = gen_of(s, i);
		if (sim_byzantine(s, i) != BYZ_LOYAL)
			nodeset_add(&c->faulty, i);
		if (!sim_node(s, i)->up || sim_node(s, i)->incarnation != c->incarnation[i] ||
		    g->order != o)
			nodeset_add(&c->faulty, i);
	}
	for (int i = 0; i < n; i++) {
		const struct gen *g = gen_of(s, i);
		if (nodeset_has(&c->faulty, i))
			continue;
		for (int j = 0; j < n; j++)
			if (nodeset_has(&g->missing_from, j))
				nodeset_add(&c->faulty, j);
	}
	for (int i = 0; i < n; i++)
		if (i != c->commander && !nodeset_has(&c->faulty, i) && !gen_of(s, i)->done)
			pending = true;
	if (pending)
		return true;
	c->settled = true;

	/* The verdict, over the non-faulty lieutenants. */
	int first = -1;
	struct sbuf what = {0};
	for (int i = 0; i < n; i++) {
		if (i == c->commander || nodeset_has(&c->faulty, i))
			continue;
		int d = gen_of(s, i)->decision;
		if (first < 0)
			first = i;
		else if (d != gen_of(s, first)->decision && !what.len)
			sbuf_printf(&what, "IC1 (agreement): n%d decided %s, n%d decided %s",
				    first + 1, gen_value_str(gen_of(s, first)->decision), i + 1,
				    gen_value_str(d));
	}
	if (!what.len && !nodeset_has(&c->faulty, c->commander))
		for (int i = 0; i < n && !what.len; i++)
			if (i != c->commander && !nodeset_has(&c->faulty, i) &&
			    gen_of(s, i)->decision != c->truth)
				sbuf_printf(&what,
					    "IC2 (validity): the loyal commander n%d ordered %s, "
					    "n%d decided %s",
					    c->commander + 1, gen_value_str(c->truth), i + 1,
					    gen_value_str(gen_of(s, i)->decision));
	if (!what.len) {
		sbuf_free(&what);
		return true;
	}
	int nf = nodeset_count(&c->faulty);
	bool within = n > 3 * c->m && nf <= c->m;
	if (within) {
		sbuf_printf(why,
			    "%s in order #%u, with N=%d > 3m=%d and %d faulty <= m=%d "
			    "(Theorem 1 promises both)",
			    sbuf_str(&what), o, n, 3 * c->m, nf, c->m);
		sbuf_free(&what);
		return false;
	}
	c->observations++;
	if (n <= 3 * c->m)
		sim_note(
		    s, TR_NOTE, -1, -1,
		    _("observation, not a bug: %s in order #%u — N=%d <= 3m=%d, beyond the bound "
		      "of Theorem 1 (no algorithm copes with m traitors among 3m generals)"),
		    sbuf_str(&what), o, n, 3 * c->m);
	else
		sim_note(s, TR_NOTE, -1, -1,
			 _("observation, not a bug: %s in order #%u — %d faulty generals > m=%d, "
			   "beyond the bound of Theorem 1"),
			 sbuf_str(&what), o, nf, c->m);
	sbuf_free(&what);
	return true;
}

const struct invariant_ops generals_invariants = {
    .create = gi_create,
    .destroy = gi_destroy,
    .check = gi_check,
};

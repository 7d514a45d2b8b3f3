/*
 * swim_invariants.c — the safety properties of SWIM's incarnation numbers
 * (src/proto/swim.c), checked after every simulated event.
 *
 *   1. Incarnations are monotone: a member's own incarnation number never
 *      decreases, crashes included (it lives on stable storage; SWIM: it
 *      "can be incremented only by Mi").
 *   2. Nobody invents an incarnation: no view holds a member at an
 *      incarnation above the member's own — every incarnation number in
 *      the group was once announced by its member.
 *   3. Views only move forward: while an observer stays up, its entry for
 *      each member never goes back in SWIM's override order, (incarnation,
 *      alive < suspect < dead < left). In particular, once a live member's
 *      refutation {Alive Mj, i} has reached an observer, that observer
 *      never again holds Mj suspect or dead at an incarnation below i: "a
 *      live member is never declared dead by a suspicion it has refuted".
 *      (A restart of the observer drops its volatile view; the checker
 *      forgets it then.)
 *
 * What SWIM does not promise is not checked here: a member may be
 * declared dead while alive (a suspicion that times out before the
 * refutation arrives, or a partition): accuracy is measured
 * (`false-suspicions`), completeness and convergence are liveness
 * (`member NODE dead`, `converged`).
 *
 * Cost: O(n²) per event for n nodes, and n² entries of memory.
 */
#include "check/invariants.h"

#include "proto/swim.h"

#include <stdlib.h>
#include <string.h>

struct swim_seen {
	uint32_t inc;
	uint8_t state;
};

struct swim_chk {
	uint32_t own[SIM_MAX_NODES];   /* each member's own incarnation last seen */
	uint32_t boots[SIM_MAX_NODES]; /* the observer's sim incarnation (crashes) */
	struct swim_seen seen[SIM_MAX_NODES][SIM_MAX_NODES];
};

static void *swim_chk_create(struct sim *s)
{
	struct swim_chk *c = xcalloc(1, sizeof *c);
	for (int i = 0; i < sim_nodes(s); i++)
		c->boots[i] = sim_node(s, i)->incarnation;
	return c;
}

static void swim_chk_destroy(void *self)
{
	free(self);
}

static bool later(uint32_t inc, uint8_t st, const struct swim_seen *was)
{
	return inc > was->inc || (inc == was->inc && st >= was->state);
}

static bool swim_chk_check(void *self, struct sim *s, struct sbuf *why)
{
	struct swim_chk *c = self;
	int n = sim_nodes(s);
	for (int p = 0; p < n; p++) {
		uint32_t inc = swim_incarnation(sim_node(s, p)->self);
		if (inc < c->own[p]) {
			sbuf_printf(why,
				    "incarnations are monotone: n%d went back from incarnation %u "
				    "to %u",
				    p + 1, c->own[p], inc);
			return false;
		}
		c->own[p] = inc;
	}
	for (int o = 0; o < n; o++) {
		struct node *on = sim_node(s, o);
		if (on->incarnation != c->boots[o]) {
			c->boots[o] = on->incarnation;
			memset(c->seen[o], 0, sizeof c->seen[o]);
		}
		if (!on->up)
			continue;
		for (int p = 0; p < n; p++) {
			if (p == o)
				continue;
			uint32_t inc;
			enum swim_state st = swim_view_of(on->self, p, &inc);
			if (st == SWIM_NONE)
				continue;
			if (inc > c->own[p]) {
				sbuf_printf(why,
					    "nobody invents an incarnation: n%d holds n%d %s at "
					    "incarnation %u, but n%d has reached only %u",
					    o + 1, p + 1, swim_state_name(st), inc, p + 1,
					    c->own[p]);
				return false;
			}
			struct swim_seen *was = &c->seen[o][p];
			if (!later(inc, (uint8_t)st, was)) {
				sbuf_printf(
				    why,
				    "views only move forward: n%d held n%d %s at incarnation "
				    "%u, now %s at %u",
				    o + 1, p + 1, swim_state_name((enum swim_state)was->state),
				    was->inc, swim_state_name(st), inc);
				return false;
			}
			was->inc = inc;
			was->state = (uint8_t)st;
		}
	}
	return true;
}

const struct invariant_ops swim_invariants = {
    .create = swim_chk_create,
    .destroy = swim_chk_destroy,
    .check = swim_chk_check,
};

/*
 * invariants.h — per-protocol safety invariants, checked after every
 * simulated event (tests, fuzzing, `netsplit run`) and on demand by
 * `expect safe`.
 *
 * A checker is stateful: some properties are about history (Leader
 * Append-Only, Leader Completeness need what was committed before), so it
 * is created with the simulation, fed after every event, and remembers the
 * first violation it saw.
 */
#ifndef NETSPLIT_INVARIANTS_H
#define NETSPLIT_INVARIANTS_H

#include "sim/sim.h"

#include <stdbool.h>

struct proto_ops;

/* A protocol's checker; which protocol it belongs to is declared in the
 * check layer's table of capabilities (caps.h). */
struct invariant_ops {
	void *(*create)(struct sim *s);
	void (*destroy)(void *self);
	/* Checks the current state (called after every event). Returns false
	 * on a violation, with the property, nodes and indexes in why
	 * ("Log Matching: n1 and n3 hold different entries at index 4 ..."). */
	bool (*check)(void *self, struct sim *s, struct sbuf *why);
};

/* The checker of a protocol (as declared in caps.c), or NULL when it has
 * none. */
const struct invariant_ops *invariants_of(const struct proto_ops *ops);

/* A checker attached to a simulation's trace: checks after every event
 * (TR_STEP) and keeps the first violation. */
struct inv_watch;
struct inv_watch *inv_watch_new(struct sim *s);
void inv_watch_free(struct inv_watch *w);
/* True while no violation has been seen; otherwise *why (if not NULL) is
 * the first violation's text and *at its time. Checks once more now. */
bool inv_watch_ok(struct inv_watch *w, const char **why, sim_time *at);
/* Whether a violation has been seen (no check now; the watch checks at
 * each TR_STEP, so an observer registered after it sees the verdict of
 * the event that just ended). */
bool inv_watch_failed(const struct inv_watch *w);
/* The state of the checker the watch runs (what its create returned), for
 * the predicates that checker answers (caps.h); NULL when w is NULL or the
 * protocol has no checker. */
void *inv_watch_checker(const struct inv_watch *w);

#endif

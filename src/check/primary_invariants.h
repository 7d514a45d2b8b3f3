/*
 * primary_invariants.h — the invariant checker of the `primary` protocol
 * (declared in caps.c), and what it knows besides violations: which
 * writes were acknowledged, and how many of them failovers lost (its
 * trace notes, its predicates `acked-writes` and `lost-writes`).
 */
#ifndef NETSPLIT_PRIMARY_INVARIANTS_H
#define NETSPLIT_PRIMARY_INVARIANTS_H

#include "check/caps.h"
#include "check/invariants.h"

/* Create it with the simulation, before the first client operation: it
 * numbers each client's operations by watching them being invoked. */
extern const struct invariant_ops primary_invariants;

/* Acknowledged writes (outcome ok) seen so far by the checker `self`. */
int primary_invariants_acked(const void *self);
/* Of those, how many a later primary does not have, or the node that
 * acknowledged them discarded: lost by failover. Losses of writes
 * acknowledged in async or semisync mode are counted (and noted in the
 * trace), not reported as violations. Up to date after every event. */
int primary_invariants_lost(const void *self);

/* `acked-writes [>= INT] [= INT]`, `lost-writes [>= INT] [<= INT] [= INT]`:
 * the predicates this checker answers (its row in caps.c). */
extern const struct check_pred primary_invariants_preds[];

#endif

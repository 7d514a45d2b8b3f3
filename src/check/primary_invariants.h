/*
 * primary_invariants.h — the invariant checker of the `primary` protocol
 * (registered in invariants.c), and what tests may ask it besides
 * violations: how many acknowledged writes failovers lost.
 */
#ifndef NETSPLIT_PRIMARY_INVARIANTS_H
#define NETSPLIT_PRIMARY_INVARIANTS_H

#include "check/invariants.h"

/* Create it with the simulation, before the first client operation: it
 * numbers each client's operations by watching them being invoked. */
extern const struct invariant_ops primary_invariants;

/* Acknowledged writes (outcome ok) seen so far by the checker `self`. */
int primary_invariants_acked(const void *self);
/* Of those, how many a later primary does not have: lost by failover.
 * Losses of writes acknowledged in async or semisync mode are counted,
 * not reported as violations. */
int primary_invariants_lost(const void *self);

#endif

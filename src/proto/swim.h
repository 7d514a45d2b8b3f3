/*
 * swim.h — what the check layer and the tests may read of a SWIM node
 * (swim.c): its membership view and incarnation, without its internals.
 */
#ifndef NETSPLIT_SWIM_H
#define NETSPLIT_SWIM_H

#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

/* A member's state in one node's view, in the order SWIM's override rules
 * rank them at one incarnation (an update overrides another when its
 * (incarnation, state) is greater): alive < suspect < dead < left. NONE:
 * the node is unknown to this view. */
enum swim_state { SWIM_NONE, SWIM_ALIVE, SWIM_SUSPECT, SWIM_DEAD, SWIM_LEFT };

/* The state word for views and traces: "alive", "suspect", ... (N_()). */
const char *swim_state_name(enum swim_state st);

/* Is this node (a SWIM node's self) in the group: joined and not left? */
bool swim_in_group(const void *self);
/* Its own incarnation number (kept on stable storage). */
uint32_t swim_incarnation(const void *self);
/* Its view of node p: the state, and in *inc the incarnation. */
enum swim_state swim_view_of(const void *self, int p, uint32_t *inc);

/* The same, and in *since the true time this view took that state and
 * incarnation (0: from the start) — for the screen, which draws how one
 * update spreads; no node reads it. */
enum swim_state swim_view_since(const void *self, int p, uint32_t *inc, sim_time *since);
/* Its local health score (Lifeguard's LHM: 0 when awareness is off). */
int swim_health(const void *self);
/* Its protocol period (option `period`). */
sim_time swim_period(const void *self);
extern const struct proto_ops swim_ops;

#endif

/*
 * hlc.h — hybrid logical clocks, shared by the protocols that stamp events
 * with one (clocks, multileader).
 *
 * Kulkarni, Demirbas, Madappa, Avva & Leone (2014), "Logical Physical
 * Clocks", Figure 5: a timestamp (l, c), where l is the largest physical
 * time the event has heard of and c counts the events that share that l.
 * (l, c) ordered lexicographically respects happened-before: e -> f
 * implies (l, c)(e) < (l, c)(f); l >= pt at every event, and l - pt is
 * bounded by how far the fastest clock ran ahead (section 3, Theorems 1
 * and 2). It does not make concurrent events ordered in any meaningful
 * way: two events neither of which heard of the other are still compared
 * by their clocks alone.
 *
 * The clock is the caller's (two plain fields, kept where the protocol
 * keeps its stable state); these functions apply the paper's rules to it.
 * The clock starts at l = HLC_NONE, below every reading of a physical clock
 * (a simulated clock skewed back reads below 0), so the first event takes
 * l = pt, c = 0.
 */
#ifndef NETSPLIT_HLC_H
#define NETSPLIT_HLC_H

#include "sim/sim.h"

#include <stdbool.h>
#include <stdint.h>

#define HLC_NONE INT64_MIN /* l before the first event */

/* Figure 5, "Send or local event", with pt the node's physical clock:
 * advances (*l, *c); the event's timestamp is the result. */
void hlc_local(int64_t *l, uint32_t *c, sim_time pt);
/* Figure 5, "Receive event of message m", m stamped (lm, cm): advances
 * (*l, *c); the receive's timestamp is the result. */
void hlc_recv(int64_t *l, uint32_t *c, int64_t lm, uint32_t cm, sim_time pt);
/* Is (l1, c1) < (l2, c2), lexicographically? */
bool hlc_less(int64_t l1, uint32_t c1, int64_t l2, uint32_t c2);
/* "30.012s,2" (l as a time, then c); "-" before the first event. */
void hlc_fmt(int64_t l, uint32_t c, struct sbuf *out);

#endif

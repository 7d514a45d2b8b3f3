/*
 * vclock.h — vector clocks, shared by the protocols that version data
 * without a leader (multileader, dynamo).
 *
 * "A vector clock is effectively a list of (node, counter) pairs. One
 * vector clock is associated with every version of every object. One can
 * determine whether two versions of an object are on parallel branches or
 * have a causal ordering, by examine their vector clocks. If the counters
 * on the first object's clock are less-than-or-equal to all of the nodes
 * in the second clock, then the first is an ancestor of the second and can
 * be forgotten. Otherwise, the two changes are considered to be in
 * conflict and require reconciliation." (DeCandia et al., Dynamo, 2007,
 * section 4.4; the idea is Fidge's and Mattern's, 1988.)
 *
 * A struct vclock is a plain value (fixed size, one uint32 counter per
 * possible node, SIM_MAX_NODES of them): copy it with `=`, zero it with
 * vclock_init or `= {0}`. Node indexes are the simulator's (n1 is 0). On the
 * wire only the non-zero entries travel (vclock_encode): one byte for their
 * count, then five bytes each (node index, counter little-endian), in
 * increasing node order — a clock touched by two writers costs 11 bytes.
 *
 * Text form (vclock_fmt, vclock_parse): "[n1:2 n3:1]", non-zero entries in
 * node order; the zero clock is "[]".
 */
#ifndef NETSPLIT_VCLOCK_H
#define NETSPLIT_VCLOCK_H

#include "sim/sim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vclock {
	uint32_t c[SIM_MAX_NODES]; /* c[i]: events of node i this clock has seen */
};

/* How clock a relates to clock b (vclock_compare(a, b)). */
enum vclock_order {
	VC_EQUAL,      /* the same clock */
	VC_BEFORE,     /* a happened before b: a <= b everywhere, < somewhere */
	VC_AFTER,      /* b happened before a */
	VC_CONCURRENT, /* neither: a > b somewhere and a < b somewhere */
};

/* The largest encoding: the count byte and every entry. */
#define VCLOCK_WIRE_MAX (1 + 5 * SIM_MAX_NODES)

/* Sets every counter to zero (the clock of "nothing seen yet"). */
void vclock_init(struct vclock *v);
/* True when every counter is zero. */
bool vclock_is_zero(const struct vclock *v);
/* The counter of node i (0 <= i < SIM_MAX_NODES). */
static inline uint32_t vclock_get(const struct vclock *v, int i)
{
	return v->c[i];
}
/* Counts one more event of node i; returns the new counter. Saturates at
 * UINT32_MAX rather than wrapping (a wrapped counter would reorder
 * history). */
uint32_t vclock_increment(struct vclock *v, int i);
/* dst := the pointwise maximum of dst and src: the clock of an event that
 * has seen everything either has seen. */
void vclock_merge(struct vclock *dst, const struct vclock *src);
/* How a relates to b (see enum vclock_order). O(SIM_MAX_NODES). */
enum vclock_order vclock_compare(const struct vclock *a, const struct vclock *b);
/* True when a has seen everything b has (a >= b pointwise): compare gives
 * VC_AFTER or VC_EQUAL. */
bool vclock_descends(const struct vclock *a, const struct vclock *b);
/* The number of non-zero entries. */
int vclock_entries(const struct vclock *v);
/* The order in words: "equal", "before", "after", "concurrent". */
const char *vclock_order_str(enum vclock_order o);

/* Appends the text form, "[n1:2 n3:1]" ("[]" for the zero clock). */
void vclock_fmt(const struct vclock *v, struct sbuf *out);
/* Parses the text form (spaces between entries; entries in any order but
 * each node at most once; counters 1..UINT32_MAX). Returns false (and
 * leaves *v unspecified) on malformed text. */
bool vclock_parse(struct vclock *v, const char *text);

/* The number of bytes vclock_encode writes: 1 + 5 * vclock_entries(v). */
size_t vclock_wire_size(const struct vclock *v);
/* Writes the compact encoding into buf (cap bytes); returns the bytes
 * written, or 0 if cap is too small (nothing useful written). */
size_t vclock_encode(const struct vclock *v, uint8_t *buf, size_t cap);
/* Reads an encoding from buf (len bytes available); returns the bytes
 * consumed, or 0 when the bytes are not a well-formed clock (truncated, a
 * node index out of range, indexes not increasing, a zero counter). */
size_t vclock_decode(struct vclock *v, const uint8_t *buf, size_t len);

#endif

/*
 * history_stats.h — a client history's tally, for the side-by-side CAP
 * screen: how many requests were answered, refused or timed out, and how
 * many reads were stale.
 *
 * A stale read. A read that completed ok is stale when it returned a value
 * other than that of the latest acknowledged write of its key before the
 * read began (the write with the latest completion among ok writes that
 * completed before the read's invocation), and other than the value of any
 * write that may have taken effect after that one (any write of the key
 * invoked before the read completed that did not fail and did not complete
 * before the acknowledged one). In other words: whatever order a
 * linearizable store chose, the read would have seen one of those values;
 * it saw an older one. Reads with no acknowledged write before them are
 * never stale (the key's initial value may still be right). Only plain
 * puts count as writes; a key with cas or append operations is skipped.
 */
#ifndef NETSPLIT_HISTORY_STATS_H
#define NETSPLIT_HISTORY_STATS_H

#include "check/history.h"

struct hist_stats {
	int ops;
	int ok;      /* answered */
	int fail;    /* refused (certainly did not happen) */
	int unknown; /* timed out */
	int pending;
	int reads_ok;    /* reads answered */
	int stale_reads; /* of those, stale (see above) */
};

/* Computes the tally of h into *out. O(n log n) plus, per read, the writes
 * of its key that completed after the acknowledged one. */
void history_stats(const struct history *h, struct hist_stats *out);

/* Whether read r (an ok HIST_READ of h) is stale; see above. O(n). */
bool history_read_is_stale(const struct history *h, uint32_t r);

#endif

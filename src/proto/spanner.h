/*
 * spanner.h — what the `spanner` protocol (src/proto/spanner.c) shows the
 * check layer, the tests and the predicates: each node's record of what
 * it did with a timestamp, and the map from keys to their group leaders.
 *
 * The record (the "ghost" log) is instrumentation, not protocol state: a
 * node appends one entry whenever it takes a TrueTime reading to decide
 * something — a coordinator picking s_read, a leader assigning a write's
 * timestamp, acknowledging a write after its commit wait, serving a read
 * at a timestamp, asking for lease votes — and whenever it grants a lease
 * vote or takes a replica of another leader's write, with the reading,
 * the decision and the simulator's true time at that instant (which no
 * node decides by). The checker (src/check/spanner_invariants.c) replays
 * the entries against a store of its own and the rules of Corbett et al.
 * 2012, sections 2.1 and 4.1. The record survives crashes, like the
 * stable store it describes.
 */
#ifndef NETSPLIT_SPANNER_H
#define NETSPLIT_SPANNER_H

#include "sim/sim.h"

#include <stdbool.h>
#include <stdint.h>

enum span_ghost_kind {
	SPG_STAMP,  /* a coordinator took s_read = TT.now().latest for a read */
	SPG_WRITE,  /* a leader assigned timestamp s to a write (installed: a
		     * version (key, s) now exists; not installed: a cas whose
		     * compare failed, which takes a timestamp and writes nothing) */
	SPG_ACK,    /* a leader acknowledged the write of timestamp s */
	SPG_READ,   /* a leader served a read of key at s (s_read), answering
		     * the version of timestamp vts (SIM_NEVER: none) */
	SPG_ASK,    /* a leader asked every node for lease votes, round id, at
		     * its local time s, for a lease of vts */
	SPG_GRANT,  /* this node granted leader peer its vote of round id
		     * (asked at the leader's time s) */
	SPG_ACCEPT, /* this replica now holds leader peer's version (key, s) */
};

struct span_ghost {
	uint8_t kind;     /* enum span_ghost_kind */
	bool installed;   /* SPG_WRITE: a version was installed */
	bool commit_wait; /* commitwait was on when this happened */
	int16_t peer;     /* SPG_GRANT, SPG_ACCEPT: the leader; else -1 */
	uint32_t id;      /* SPG_ASK, SPG_GRANT: the round of lease votes */
	char key[KV_KEY_MAX];
	sim_time s;        /* the write's timestamp, or the read's s_read */
	sim_time vts;      /* SPG_READ: the version answered; SIM_NEVER: none */
	sim_time true_at;  /* the simulator's true time */
	sim_time earliest; /* TT.now() at the node at that instant */
	sim_time latest;
};

/* The record of node i of a spanner simulation, in order (*n entries);
 * NULL with *n = 0 when the simulation runs another protocol. */
const struct span_ghost *spanner_ghosts(struct sim *s, int i, uint32_t *n);
/* The group leader of key in a cluster of n nodes: FNV-1a of the key
 * modulo n (0-based). The same on every node, fixed for the run. */
int spanner_leader_of(const char *key, int n);
/* This simulation's epsilon and whether commit wait is on now. */
sim_time spanner_epsilon(struct sim *s);
bool spanner_commit_wait(struct sim *s);

#endif

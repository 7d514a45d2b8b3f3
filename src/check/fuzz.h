/*
 * fuzz.h — randomized fault schedules: the engine behind `netsplit fuzz`
 * and the many-seed unit tests.
 *
 * A seed determines a plan: a cluster size, then, at fixed simulated
 * times, faults (crash, restart, partition, one-way cut, heal, network
 * loss/duplication/jitter, clock skew and drift) and client operations.
 * At the end of the fault period every fault is undone. The run checks the
 * protocol's invariants after every event (safety), then requires that,
 * within a bounded simulated time, a leader emerges and a write commits
 * (liveness; for a protocol without a `committed` predicate: a write is
 * acknowledged and, if it has a `converged` predicate, its replicas
 * converge), and, when asked (it can be costly), that the clients'
 * history is linearizable — not with options meant to break it (leases
 * under clock skew, local reads).
 *
 * A plan renders as command-language text (fuzz_plan_text), so that a
 * failing seed can be written out as a scenario file that replays it.
 */
#ifndef NETSPLIT_FUZZ_H
#define NETSPLIT_FUZZ_H

#include "proto/proto.h"
#include "sim/sim.h"

#include <stdbool.h>
#include <stdint.h>

struct fuzz_opts {
	const char *proto;          /* "raft" */
	const char *const *options; /* "key=value" for the cluster, NULL-terminated, or NULL */
	int nodes_lo, nodes_hi;     /* cluster size drawn from [lo, hi] */
	sim_time duration;          /* faults and load last this long */
	sim_time liveness;          /* then a write must commit within this */
	bool vary;                  /* draw timing/batching options per seed (below) */
	bool linearizable;          /* also require a linearizable history (costly) */
};

/* With `vary`, each seed also draws values for those of these options that
 * the protocol has and `options` does not set: batch, election, heartbeat,
 * snapshot — so that seeds explore one-entry batches, tight timeouts and
 * frequent snapshots, where the subtle histories (Figure 8) are likelier. */
#define FUZZ_MAX_VARY 4

/* Defaults: raft, 3..7 nodes, 20 s of faults, 10 s for liveness, vary. */
void fuzz_opts_default(struct fuzz_opts *o);

enum fuzz_kind {
	FZ_CRASH,     /* a */
	FZ_RESTART,   /* a; -1: every node */
	FZ_PARTITION, /* side: the nodes of one side */
	FZ_CUT,       /* a -> b, one way */
	FZ_HEAL,
	FZ_NET,   /* loss_ppm, dup_ppm, jitter on every link */
	FZ_SKEW,  /* a, v (us, signed) */
	FZ_DRIFT, /* a, v (ppm, signed) */
	FZ_OP,    /* a client operation, op */
};

struct fuzz_step {
	sim_time at;
	enum fuzz_kind kind;
	int a, b;
	struct nodeset side;
	int64_t v;
	uint32_t loss_ppm, dup_ppm;
	sim_time jitter;
	struct kv_op op;
};

struct fuzz_plan {
	uint64_t seed;
	int nodes;
	int nvary;
	char vary[FUZZ_MAX_VARY][48]; /* drawn options, "key=value" */
	struct fuzz_step *steps;      /* in time order */
	size_t n, cap;
};

/* Builds the plan of `seed` (deterministic). Free with fuzz_plan_free. */
void fuzz_plan_make(struct fuzz_plan *p, const struct fuzz_opts *o, uint64_t seed);
void fuzz_plan_free(struct fuzz_plan *p);
/* The plan as a scenario in the command language, ending with the
 * liveness and safety expectations. */
void fuzz_plan_text(const struct fuzz_plan *p, const struct fuzz_opts *o, struct sbuf *out);

struct fuzz_result {
	bool ok;
	bool safety_failed;   /* an invariant was violated */
	bool liveness_failed; /* no committed write in time after the faults */
	bool lin_failed;      /* the history is not linearizable */
	bool lin_unknown;     /* the linearizability check ran out of budget */
	sim_time at;          /* when it failed */
	uint64_t events;      /* events simulated */
	int ops_ok;           /* client operations that completed ok */
	char why[512];
};

/* Runs a plan. Returns res->ok. Bad options (the protocol rejects them)
 * fail with why set and neither flag. */
bool fuzz_run(const struct fuzz_plan *p, const struct fuzz_opts *o, struct fuzz_result *res);

#endif

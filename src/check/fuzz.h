/*
 * fuzz.h — randomized fault schedules: the engine behind `netsplit fuzz`
 * and the many-seed unit tests.
 *
 * A seed determines a plan: a cluster size, then, at fixed simulated
 * times, faults (crash, restart, partition, one-way cut, heal, network
 * loss/duplication/jitter, clock skew and drift) and client operations.
 * At the end of the fault period every fault is undone. The run checks the
 * protocol's invariants after every event (safety), then the protocol's
 * declared liveness (struct fuzz_liveness, declared per protocol in
 * caps.c: for raft, a leader emerges and a write commits; for primary,
 * one primary of the newest epoch stands and a write commits; for the
 * leaderless stores, a write is acknowledged and the replicas converge;
 * for the heartbeat detector, every node trusts every peer again), each
 * step within a bounded simulated time, and, when asked (it can be
 * costly), that the clients' history is linearizable — not with options
 * meant to break it (leases under clock skew, local reads).
 *
 * Client load is part of the plan only for a protocol that serves
 * key-value clients (proto_ops.kv_clients); the options varied per seed
 * are the protocol's proto_ops.fuzz_vary.
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
	bool safety_only;           /* no liveness check after the faults (`hunt`:
				     * what it looks for is lost safety) */
};

/* With `vary`, each seed also draws a value for each option of the
 * protocol's fuzz_vary that `options` does not set. Every seed makes
 * FUZZ_MAX_VARY draws whatever the protocol declares, so that the rest of
 * a plan does not depend on how many options are varied. */
#define FUZZ_MAX_VARY PROTO_MAX_VARY

/* ---- liveness ---------------------------------------------------------------- */

/* The write the liveness check makes: put fuzz-live ok. */
#define FUZZ_LIVE_KEY   "fuzz-live"
#define FUZZ_LIVE_VALUE "ok"

enum fuzz_live_kind {
	FL_END,     /* terminates the steps */
	FL_COMMENT, /* a comment line in the scenario; `text` is a format with one
		     * %s: the liveness bound ("within %s") */
	FL_UNTIL,   /* run until PRED ARGS holds, within the bound */
	FL_WRITE,   /* client timeout = the bound; put fuzz-live ok (does not wait) */
	FL_ACK,     /* wait, within the bound, for that write's ok (no line in the
		     * scenario: the language cannot wait for one answer) */
	FL_EXPECT,  /* PRED ARGS holds now */
};

/* One step of a liveness check. It is run by fuzz_run and rendered by
 * fuzz_plan_text as the command-language lines that do the same, so that
 * a failing seed replays. PRED is a predicate of the protocol's table, or
 * `leader` (the built-in: some up node is Leader); ARGS its arguments as a
 * scenario writes them ("fuzz-live = ok", "1s"; NULL for none), matched
 * against the predicate's usage (KEY VALUE WORD INT DURATION, literals).
 * `fail` (N_(), with one %lld: the bound in ms) is the verdict when the
 * step does not hold; a `soft` step's failure is remembered and reported
 * only if a later step fails too (a late leader may still commit). */
struct fuzz_live_step {
	enum fuzz_live_kind kind;
	const char *pred; /* FL_UNTIL, FL_EXPECT; the text for FL_COMMENT */
	const char *args;
	const char *fail;
	bool soft;
	bool explain; /* append the predicate's why to the verdict */
};

struct fuzz_liveness {
	const struct fuzz_live_step *steps; /* terminated by FL_END */
};

/* Checks that a liveness declaration fits its protocol: every predicate
 * exists and takes its arguments, writes only for kv_clients. False with
 * a message in err otherwise (for the conformance test). */
bool fuzz_liveness_valid(const struct proto_ops *ops, const struct fuzz_liveness *l,
			 struct sbuf *err);

/* Defaults: raft, 3..7 nodes, 20 s of faults, 10 s for liveness, vary. */
void fuzz_opts_default(struct fuzz_opts *o);

enum fuzz_kind {
	FZ_CRASH,     /* a */
	FZ_RESTART,   /* a; -1: every node */
	FZ_PARTITION, /* side: the nodes of one side */
	FZ_CUT,       /* a -> b, one way */
	FZ_HEAL,
	FZ_NET,     /* loss_ppm, dup_ppm, jitter on every link */
	FZ_SKEW,    /* a, v (us, signed) */
	FZ_DRIFT,   /* a, v (ppm, signed) */
	FZ_OP,      /* a client operation, op */
	FZ_TRAITOR, /* a, v: node a becomes a traitor of mode v (enum byz_mode)
		     * for the whole run; only for a protocol whose caps.c row
		     * says it tolerates them */
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
	bool liveness_failed; /* the declared liveness did not hold in time after the faults */
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

/* ---- shrinking ---------------------------------------------------------------- */

/* What fuzz_shrink did, for the report and the benchmark. */
struct fuzz_shrink_stats {
	size_t steps_before, steps_after;
	int nodes_before, nodes_after;
	int vary_before, vary_after;
	sim_time duration_before, duration_after;
	int runs; /* fuzz_run calls made */
};

/* Shrinks a failing plan to a smaller one that fails the same way: the
 * same kind of failure (an invariant, or linearizability) and, for an
 * invariant, the same property (the text of `why` before its first ':').
 * In the manner of delta debugging (Zeller and Hildebrandt, "Simplifying
 * and Isolating Failure-Inducing Input", IEEE TSE 2002): it cuts the run
 * short at the failure, then removes ever smaller chunks of steps while
 * the failure stays, then single steps, then drops nodes that no step
 * names, drawn options, and client operations' arguments, repeating until
 * nothing more can go or `max_runs` runs are spent. Every candidate is a
 * whole new run (removing a step changes what follows it), so the result
 * is a plan that really fails, not a guess. On entry *res is p's failing
 * result (not ok, and not liveness alone); on return p, o->duration and
 * *res describe the smallest failing plan found. Returns false, touching
 * nothing, when *res is not a failure it can shrink. */
bool fuzz_shrink(struct fuzz_plan *p, struct fuzz_opts *o, struct fuzz_result *res, int max_runs,
		 struct fuzz_shrink_stats *st);

#endif

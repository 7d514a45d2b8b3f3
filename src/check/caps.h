/*
 * caps.h — what the check layer knows of each protocol, declared in one
 * table: its invariant checker and how the fuzzer judges its liveness.
 *
 * The protocol itself declares, as data in struct proto_ops, what needs no
 * checker: whether it serves key-value clients, which options the fuzzer
 * may vary. What involves the checkers cannot live there (proto may not
 * include check), so it lives here, in a table keyed by the protocol's
 * `const struct proto_ops *` (src/check/caps.c): one row per protocol.
 * Nothing in the check layer guesses a protocol's capabilities from the
 * names of its predicates or options; tests/unit/test_conformance.c
 * requires a row for every protocol in proto_all[].
 */
#ifndef NETSPLIT_CAPS_H
#define NETSPLIT_CAPS_H

#include "check/fuzz.h"
#include "check/invariants.h"
#include "proto/proto.h"

/* A predicate that the check layer answers for one protocol: what only its
 * checker knows (primary's acknowledged and lost writes). `info` is read
 * as a struct proto_pred is (name, usage parsed by the same rules, help);
 * its info.eval is NULL. eval gets the checker's state (NULL when the
 * world runs none) and brings it up to date before it answers. */
struct check_pred {
	struct proto_pred info;
	bool (*eval)(void *checker, struct sim *s, const struct proto_args *a, struct sbuf *why);
};

struct check_caps {
	const struct proto_ops *proto;
	/* Safety: checked after every event; NULL when it has none. */
	const struct invariant_ops *invariants;
	/* Liveness, once the fuzzer's faults stop; NULL when the protocol
	 * promises none (the fuzzer then checks safety only). */
	const struct fuzz_liveness *liveness;
	/* Predicates its checker answers, terminated by info.name == NULL;
	 * NULL when none. The language offers them beside the protocol's own
	 * (no name may be both). */
	const struct check_pred *preds;
	/* The clock error the protocol's guarantees assume, from its options
	 * (spanner: TrueTime's epsilon); NULL when it assumes none. The
	 * fuzzer keeps every node's clock error within it: a skew of at most
	 * half of it, and a drift that cannot add up to more than the other
	 * half over the faults (fuzz.c), so that a run it judges never
	 * breaks the assumption the protocol is entitled to. */
	sim_time (*clock_bound)(const struct proto_opts *o);
};

/* Every row, terminated by proto == NULL. */
extern const struct check_caps check_caps_all[];

/* The row of a protocol, or NULL when the check layer knows nothing of it
 * (a protocol of a test). */
const struct check_caps *check_caps_of(const struct proto_ops *ops);

/* Whether ops tolerates Byzantine nodes (the table check_byzantine in
 * caps.c): the fuzzer then makes up to floor((N-1)/3) nodes traitors, each
 * of a random mode (silent, lie, equivocate, random), from the start of
 * the run, on top of its other faults. */
bool check_tolerates_byzantine(const struct proto_ops *ops);

/* The checker's predicate of protocol ops called name, or NULL. */
const struct check_pred *check_pred_find(const struct proto_ops *ops, const char *name);

#endif

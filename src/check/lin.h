/*
 * lin.h — the linearizability checker.
 *
 * "Linearizability provides the illusion that each operation applied by
 * concurrent processes takes effect instantaneously at some point between
 * its invocation and its response" (Herlihy & Wing, 1990). A history is
 * linearizable when its operations can be put in one sequence that (1)
 * respects real time — an operation that completed before another was
 * invoked comes first — and (2) is legal for the object's sequential
 * specification, the model.
 *
 * How it is checked. Per key (P-compositionality: "a history is
 * linearizable iff, for each object, its restriction to that object is",
 * Herlihy & Wing, locality), each key is searched separately with the
 * Wing & Gong backtracking search in its "just-in-time" form (Lowe,
 * "Testing for linearizability", 2017; as in Porcupine and Knossos' wgl):
 * walk the events in time order; at an invocation, try to linearize that
 * operation now; at a response whose operation was not linearized yet,
 * backtrack. Lowe's memoisation prunes every configuration (set of
 * linearized operations, state) already explored; here a configuration is
 * a bitset with an incremental Zobrist hash plus the model state's id.
 *
 * Outcomes. ok operations must be linearized within their interval; unknown
 * (and pending) ones may take effect at any point after their invocation,
 * or never; fail ones did not happen — except in the etcd model, where a
 * failed cas is Jepsen's observation "the register did not hold the
 * expected value" and a failed read is unknown. An ok cas with cas_false
 * (its compare failed, history.h) is that same observation in every model.
 * The models:
 *
 *   kv            netsplit's and Porcupine's key-value store: per key;
 *                 get/put/cas/append on strings; a key never written
 *                 reads as absent, which equals "" (Porcupine's rule).
 *   register      one register (keys ignored), initially absent.
 *   etcd          Porcupine's etcd register: initially absent (a read of
 *                 nil reads absent); cas :fail is an observation; a failed
 *                 read matches anything; :info ops stay open to the end.
 *   cas-register  Knossos: initially 0; a read of nil matches anything;
 *                 :fail did not happen; :info stays open to the end.
 *   multi-register  Knossos: transactions of reads/writes over registers
 *                 that all start at 0 (one partition: txns span keys).
 *   mutex         Knossos: acquire/release of one lock, initially free.
 *
 * Budget. A check is given steps and/or seconds; when they run out the
 * answer is "unknown" (one-shot) or "checking" (live: call again), never a
 * guess. Keys are searched round-robin in slices, so a key whose search
 * explodes cannot hide another key that is quickly proven illegal.
 *
 * Incremental use. A checker is bound to one history and catches up with
 * its changes at each lin_check (cheap when nothing changed). What is
 * sound, and used:
 *   - a key whose operations did not change keeps its verdict;
 *   - a key proven non-linearizable stays so: later events only add
 *     operations invoked after everything seen, or narrow what a pending
 *     operation may have done (it completed ok, failed, or timed out), and
 *     each of those only removes possible linearizations;
 *   - a key that was linearizable keeps the witness sequence the search
 *     found; after a change the witness is re-validated (real-time order and
 *     the model, in O(n)), with newly required operations appended at its
 *     end — the usual case in a live run. When that fails the key is
 *     searched again, first keeping the witness's prefix of operations that
 *     completed before the earliest changed one was invoked (replayed, not
 *     searched), and only if that fails from scratch;
 *   - a proven key folds its past (lin.c, fold): at a quiet point q — every
 *     op before it done and, if ok, completed before q was invoked; q ok,
 *     completed before the next op was invoked, and a read, write or cas
 *     (it fixes the state by itself) — the ops before q are dropped from
 *     the key and q becomes its anchor, a write of the state after q to the
 *     search; unknown ops from before q are carried on. The key is
 *     linearizable iff what is left is, from that state (the proof is in
 *     lin.c), so the cost of a change follows the ops since the last quiet
 *     point, not the session's length. Post-hoc checkers (Porcupine,
 *     Knossos) see the whole history at once and cannot do this.
 *
 * Searches leave out dead writes: an unknown write whose new value no read
 * or cas of the key names is never needed (not with appends, etcd's failed
 * cas or transactions, whose legality depends on unnamed states).
 *
 * Explanation. For a violation, the checker shrinks the key's history to a
 * small core: first the shortest prefix (cut after some response) that is
 * already not linearizable, then, operation by operation, every operation
 * that can be "relaxed" (may take effect within its interval or not at all;
 * a read just dropped) while the rest stays non-linearizable. The core is a
 * proof: whatever the other operations did, these cannot be linearized.
 *
 * Threads: a checker is used by one thread at a time; lin_set_threads lets
 * it search several keys at once on worker threads of its own.
 */
#ifndef NETSPLIT_LIN_H
#define NETSPLIT_LIN_H

#include "check/history.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

enum lin_model {
	LIN_MODEL_KV,
	LIN_MODEL_REGISTER,
	LIN_MODEL_ETCD,
	LIN_MODEL_CAS_REGISTER,
	LIN_MODEL_MULTI_REGISTER,
	LIN_MODEL_MUTEX,
};

enum lin_verdict {
	LIN_OK,        /* linearizable */
	LIN_VIOLATION, /* not linearizable: see lin_explain */
	LIN_UNKNOWN,   /* the budget (or the checker's limit) ran out */
	LIN_CHECKING,  /* live: this call's budget ran out, call lin_check again */
};

/* A budget for one call; zero fields mean "no limit". Wall-clock seconds
 * are the one place the core reads a clock: they only ever turn an answer
 * into "unknown"/"checking". */
struct lin_budget {
	uint64_t max_steps;
	double max_seconds;
	int threads; /* lin_check_history only: workers (0, 1: the caller's thread) */
};

/* The model's name ("kv", "etcd", ...) and the reverse; false if unknown. */
const char *lin_model_name(enum lin_model m);
bool lin_model_parse(const char *name, enum lin_model *out);
/* "linearizable", "not linearizable", "unknown", "checking" (untranslated,
 * N_(): pass through _() to show). */
const char *lin_verdict_name(enum lin_verdict v);

struct lin_checker;

/* A checker for history h (borrowed: h must outlive the checker; it may keep
 * growing, e.g. attached to a sim). */
struct lin_checker *lin_new(const struct history *h, enum lin_model m);
void lin_free(struct lin_checker *c);

/* Per-search limit of steps after which a key gives up ("unknown") until
 * its operations change; 0 = none. Default 200 million. Also a limit on the
 * memory of the searches (memo tables and states), in bytes, shared by the
 * keys searched at once (default 1 GiB; each key gets at least 16 MiB). */
void lin_set_limits(struct lin_checker *c, uint64_t max_steps_per_search, size_t max_memo_bytes);

/* Checks keys on `threads` threads (default 1). The verdict does not
 * depend on it, except through the budget; when several keys are not
 * linearizable, which one lin_explain describes may. */
void lin_set_threads(struct lin_checker *c, int threads);

/* Catches up with the history and works within budget b (NULL: no limit;
 * b->threads is ignored here, see lin_set_threads). A key whose search is
 * interrupted by the budget resumes at the next call, unless its
 * operations changed meanwhile (then it restarts, cheaply when a prefix of
 * its last witness can be kept).
 * Returns LIN_VIOLATION as soon as one key is proven illegal; LIN_OK when
 * every key is proven linearizable; LIN_CHECKING when b ran out with work
 * left; LIN_UNKNOWN when some key hit the checker's own limits. */
enum lin_verdict lin_check(struct lin_checker *c, const struct lin_budget *b);
/* The verdict of the last lin_check, without doing anything. */
enum lin_verdict lin_verdict(const struct lin_checker *c);

/* Per key, for views: the number of partitions, and the key (NULL for the
 * single register) and verdict of partition i. */
int lin_nkeys(const struct lin_checker *c);
const char *lin_key(const struct lin_checker *c, int i);
enum lin_verdict lin_key_verdict(const struct lin_checker *c, int i);

/* After LIN_VIOLATION: computes (once) the core of the violation and
 * returns its history op indexes in invocation order in *ids (owned by the
 * checker, valid until the next lin_check) — 0 if there is no violation.
 * b bounds the shrinking: max_steps per trial search (default 50000; 5
 * million steps in all), and max_seconds in all if given (by default only
 * steps count, so the core does not depend on the machine). When it runs
 * out the core is simply less small: it is always a proof. */
int lin_core(struct lin_checker *c, const struct lin_budget *b, const uint32_t **ids);
/* Appends the violation in words (user's language), several lines, to out:
 * the key, the core operations, and why they cannot be ordered. Returns
 * false (and appends nothing) if there is no violation. */
bool lin_explain(struct lin_checker *c, const struct lin_budget *b, struct sbuf *out);

/* A long session: forgets the operations of h (the checker's own history,
 * which the caller owns) that the checker no longer needs and that are not
 * among the latest keep_recent — the folded past (see fold above). The
 * checker must have caught up (a lin_check since h last changed); ops it
 * still needs (an anchor, unknown ops carried on, a key not yet proven or
 * not linearizable) are kept aside (history_forget), so the verdict, its
 * explanation and later checks are exactly what they would have been.
 * Does nothing when there is little to gain. Returns the operations
 * forgotten. */
size_t lin_forget(struct lin_checker *c, struct history *h, size_t keep_recent);

/* Figures for benchmarks and the CLI. */
struct lin_stats {
	uint64_t steps;        /* search steps in total */
	uint64_t searches;     /* searches started */
	uint64_t witness_hits; /* changes settled by re-validating a witness */
	uint64_t pinned;       /* re-searches that kept a prefix of the witness */
	uint64_t folded;       /* operations folded into a key's state and dropped */
	int nkeys, keys_ok, keys_bad, keys_open;
};
void lin_get_stats(const struct lin_checker *c, struct lin_stats *out);

/* Whether model m can judge every operation of h: transactions (:txn)
 * need the multi-register model, which takes nothing else. False with the
 * first operation that does not fit in why (user's language). */
bool lin_model_fits(const struct history *h, enum lin_model m, struct sbuf *why);

/* One shot: checks h under model m within b. LIN_CHECKING never comes back
 * (it becomes LIN_UNKNOWN). If explain is not NULL and h is not
 * linearizable, the explanation is appended to it. */
enum lin_verdict lin_check_history(const struct history *h, enum lin_model m,
				   const struct lin_budget *b, struct sbuf *explain,
				   struct lin_stats *stats);

#endif

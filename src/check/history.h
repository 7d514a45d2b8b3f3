/*
 * history.h — client histories: every operation a client invoked, with the
 * process that invoked it, the node it went through, its invocation and
 * completion times, its result and its outcome. This is what the
 * linearizability checker (lin.h) judges and what the history view shows.
 *
 * An operation is an interval [invoked, completed] on one time line, in the
 * spirit of Herlihy & Wing ("Linearizability: A Correctness Condition for
 * Concurrent Objects", 1990): "each operation should appear to take effect
 * instantaneously at some point between its invocation and its response".
 * Its outcome says what the client knows:
 *
 *   ok       it happened, and `result` holds what a read saw; a cas with
 *            cas_false set happened as a failed compare: it changed
 *            nothing and observed that the register did not hold `arg`;
 *   fail     it certainly did not happen (for Porcupine's etcd logs, a
 *            failed cas is instead an observation: see lin.h);
 *   unknown  the client gave up waiting: it may have happened at any time
 *            after its invocation, or never (completed = HIST_NEVER);
 *   pending  still running (live histories only): treated like unknown.
 *
 * Time. Histories recorded from the simulator carry true simulated time in
 * microseconds (has_times). Imported Jepsen histories have only an order of
 * events: invoked/completed are then event numbers (0, 1, 2, ...) and each
 * operation keeps the source lines of its invocation and completion for the
 * explanations.
 *
 * Ownership. A struct history owns its operations and every string they
 * point to (interned: two equal strings of one history are one pointer, so
 * keys compare with ==). Pointers into ops[] are invalidated when an
 * operation is added; indexes are stable.
 *
 * Forgetting. A live history of a long session would grow without bound
 * (about 130 B per operation, 20 operations a second). Its owner may
 * forget the past it no longer needs (history_forget): operations before
 * `base` are dropped, except a few listed ones kept aside (the checker's
 * anchors, unknown operations it carries, a violation's core). Indexes
 * stay stable: history_op(h, i) finds operation i wherever it is held, or
 * returns NULL once it was forgotten. ops[] holds operations base..n-1
 * (ops[i - base]); a history that never forgot (every imported one) has
 * base 0, so ops[i] is operation i.
 */
#ifndef NETSPLIT_HISTORY_H
#define NETSPLIT_HISTORY_H

#include "sim/sim.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_NEVER INT64_MAX

enum hist_fn {
	HIST_READ,    /* get / :read: result holds the value read (NULL: absent/nil) */
	HIST_WRITE,   /* put / :write arg */
	HIST_CAS,     /* if value = arg then value = arg2 */
	HIST_APPEND,  /* value = value ++ arg */
	HIST_TXN,     /* Knossos multi-register: a list of micro-operations */
	HIST_ACQUIRE, /* Knossos mutex */
	HIST_RELEASE,
};

/* One micro-operation of a transaction (HIST_TXN). */
struct hist_mop {
	bool write;
	const char *key;
	const char *val; /* NULL: nil (a read whose value is unknown) */
};

struct hist_op {
	uint32_t id;     /* index in the history, stable */
	uint32_t sim_id; /* the simulator's op id (0 when imported) */
	int process;     /* client number (sim) or Jepsen process */
	int node;        /* node index (n1 = 0) that answered; -1 unknown */
	enum hist_fn f;
	const char *key;    /* NULL: the single register of a keyless history */
	const char *arg;    /* write/append value, cas expected value */
	const char *arg2;   /* cas new value */
	const char *result; /* read: the value read; NULL = absent (or nil) */
	int nmops;          /* HIST_TXN: mops[0..nmops) */
	struct hist_mop *mops;
	int64_t invoked;   /* us (has_times) or event number */
	int64_t completed; /* us or event number; HIST_NEVER: pending/unknown */
	int64_t gave_up;   /* unknown: when the client stopped waiting; else HIST_NEVER */
	enum op_outcome outcome;
	bool cas_false;  /* cas, ok: the compare failed (see above) */
	const char *why; /* fail/unknown (and a false cas): a short reason, or NULL */
	int line;        /* source line of the invocation (0: none) */
	int ret_line;    /* source line of the completion (0: none) */
	uint64_t rev;    /* history revision of the last change to this op */
};

struct history {
	struct hist_op *ops;  /* operations base..n-1: ops[i - base] */
	size_t n, cap;        /* n: operations ever added (the next index) */
	size_t base;          /* operations before base were forgotten, but kept[] */
	struct hist_op *kept; /* forgotten yet kept: ascending ids, all < base */
	size_t nkept;
	bool has_times; /* times are microseconds, not event numbers */
	bool jepsen;    /* imported: processes print as "p3", not "c3" */
	uint64_t rev;   /* bumped at every change; see hist_op.rev */
	uint32_t epoch; /* bumped by history_clear */
	/* private: the string pool and the simulator attachment */
	struct hist_pool *pool;
	struct sim *sim;
	int observer;
	uint32_t *by_sim_id; /* sim op id - by_sim_base -> index + 1 (0: none) */
	size_t by_sim_cap;
	uint32_t by_sim_base;    /* sim op ids below it are forgotten */
	struct hist_pool *kpool; /* keys, never forgotten (see history_forget) */
	size_t pool_at_forget;   /* pool strings after the last compaction */
};

/* Operation i, or NULL if it was forgotten (or i >= n). O(1) for the
 * operations not forgotten, O(log kept) for the ones kept aside. */
const struct hist_op *history_kept_op(const struct history *h, size_t i);
static inline const struct hist_op *history_op(const struct history *h, size_t i)
{
	if (i >= h->base)
		return i < h->n ? &h->ops[i - h->base] : NULL;
	return history_kept_op(h, i);
}

/* Forgets operations base..upto-1 except those whose index is in
 * keep[0..nkeep) (ascending; duplicates allowed; the ones already kept and
 * still wanted must be listed again, the others are dropped too). They
 * must be final (not pending): their completion is never recorded again.
 * Keys stay interned for the history's life; other strings no remaining
 * operation names are freed, so a caller must not hold them. Bumps nothing:
 * the operations that remain are unchanged. */
void history_forget(struct history *h, size_t upto, const uint32_t *keep, size_t nkeep);
/* Operations held (in ops[] and kept[]), for figures. */
size_t history_held(const struct history *h);

/* Initialises an empty history (has_times = true). */
void history_init(struct history *h);
/* Frees everything h owns (and detaches it from its simulator); h is left
 * empty and may be reused after history_init. Accepts NULL. */
void history_close(struct history *h);
/* Removes every operation (keeps the attachment). */
void history_clear(struct history *h);

/* Returns the pooled copy of s (NULL stays NULL); owned by h. */
const char *history_intern(struct history *h, const char *s);

/* Appends an operation (strings are interned, mops copied); returns its
 * index. The op's id and rev are set here. */
uint32_t history_add(struct history *h, const struct hist_op *op);
/* Records the completion of operation i at `at`: ok, fail, or unknown (the
 * client gave up at `at`; completed stays HIST_NEVER). result is interned;
 * node < 0 keeps the node. Clears cas_false (set it after, for a false
 * cas). */
void history_complete(struct history *h, uint32_t i, int64_t at, enum op_outcome outcome,
		      const char *result, int node, const char *why);
/* Replaces the micro-operations of transaction i (copied, interned). */
void history_set_mops(struct history *h, uint32_t i, const struct hist_mop *mops, int n);

/* Records the simulator's client operations into h from now on: a
 * TR_INVOKE adds a pending op, a TR_COMPLETE completes it. h must stay at
 * the same address while attached; history_detach (or history_close, or
 * freeing the sim after detaching) ends it. One sim per history. */
void history_attach(struct history *h, struct sim *s);
void history_detach(struct history *h);

/* Converts the simulator's view of an operation to a history op (strings
 * are borrowed from c: intern them through history_add). A cas the
 * simulator ended as fail with cas_false (its compare failed) becomes ok
 * with cas_false: an observation, not an operation that never happened. */
void history_op_from_client(const struct client_op *c, struct hist_op *out);

/* Names: "get"/"put"/"cas"/"append" for keyed ops, Jepsen's "read"/"write"
 * for the keyless register; "ok"/"fail"/"unknown"/"pending" (untranslated). */
const char *hist_fn_name(const struct hist_op *op);
const char *hist_outcome_name(enum op_outcome o);

/* The operation itself, short: "get x → 0", "put x=1", "cas x 1→2",
 * "append x+=a", "read → 3", "write 4", "txn [r x 0, w y 2]". */
void history_describe_call(const struct history *h, const struct hist_op *op, struct sbuf *out);
/* The client: "c2" or, for Jepsen histories, "p2". */
void history_describe_client(const struct history *h, const struct hist_op *op, struct sbuf *out);
/* A time point: "1.310s" with times, "line 12" (or "event 12") without. */
void history_describe_time(const struct history *h, const struct hist_op *op, bool completion,
			   struct sbuf *out);
/* The whole operation in words (user's language):
 * "get x → 0 by c2 through n1, 1.310s–1.402s, ok". */
void history_describe_op(const struct history *h, const struct hist_op *op, struct sbuf *out);

/* ---- files (history_io.c; formats in docs/HISTORY.md) ---------------------- */

enum hist_format {
	HIST_FMT_AUTO,       /* guess from the first characters */
	HIST_FMT_JSONL,      /* netsplit's JSON lines */
	HIST_FMT_EDN,        /* Jepsen/Knossos EDN operation maps */
	HIST_FMT_JEPSEN_LOG, /* Jepsen's log lines (Porcupine's etcd logs) */
};

/* "auto", "jsonl", "edn", "jepsen-log"; false if unknown. */
bool hist_format_parse(const char *name, enum hist_format *out);
const char *hist_format_name(enum hist_format f);
/* Guesses the format of text (JSONL for an empty text). */
enum hist_format history_detect(const char *text, size_t len);

/* Parses text (named `name` in errors) into h, which should be empty.
 * On bad input returns false with "name:line: what" in err (user's
 * language); h then holds what was read before the error. */
bool history_parse(struct history *h, const char *text, size_t len, const char *name,
		   enum hist_format fmt, struct sbuf *err);
/* Reads a file (see history_parse); "name: <strerror>" if unreadable. */
bool history_load(struct history *h, const char *path, enum hist_format fmt, struct sbuf *err);

/* Appends h in a format: JSON lines (header line first) or EDN (one map
 * per event, invocations and completions in time order, inside [ ]). */
void history_write_jsonl(const struct history *h, struct sbuf *out);
void history_write_edn(const struct history *h, struct sbuf *out);
/* Writes h to a file in fmt (JSONL or EDN); false with a message in err. */
bool history_save(const struct history *h, const char *path, enum hist_format fmt,
		  struct sbuf *err);

#endif

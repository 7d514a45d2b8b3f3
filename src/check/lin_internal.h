/*
 * lin_internal.h — the pieces of the linearizability checker shared by
 * lin.c (models, keys, incremental use, explanations), lin_search.c (the
 * search) and lin_vals.c (the model's values and states). Not a public
 * interface: include lin.h instead.
 */
#ifndef NETSPLIT_LIN_INTERNAL_H
#define NETSPLIT_LIN_INTERNAL_H

#include "check/lin.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values and states ---------------------------------------------------- */

/* The values and states of one key, interned: a state or value is a small
 * integer, equal ids meaning equal contents, so that the memo table stores
 * and compares one 32-bit word. Id 0 is "absent"; LV_ANY matches any state.
 * A state is a byte string: a value for registers, the concatenation for
 * append, a vector of value ids for the multi-register.
 *
 * A string is held either flat (its bytes) or, when made by an append, as
 * a chain: (parent id, appended id). Appends in a long history make many
 * long states that share prefixes; chains keep each in a few words instead
 * of a copy. Equality is still by content: lookups compare bytes (chains
 * written out into scratch buffers) whenever hashes and lengths agree. */
#define LV_ABSENT 0u
#define LV_ANY    UINT32_MAX
#define LV_FLAT   UINT32_MAX /* parent[] of a flat string */

struct lvals {
	char **str;       /* id -> bytes, flat strings only (else NULL) */
	uint32_t *parent; /* id -> parent of a chain, or LV_FLAT */
	uint32_t *tail;   /* id -> appended id of a chain */
	uint32_t *len;    /* id -> length */
	uint64_t *hash;   /* id -> polynomial hash (see lin_vals.c) */
	uint64_t *pw;     /* id -> B^len, to hash appends in O(1) */
	size_t n, cap;
	uint32_t *tab; /* open addressing: id + 1, 0 = empty */
	size_t tcap;
	/* memo of appends: (state, value) -> state */
	uint64_t *app_key;
	uint32_t *app_val;
	size_t app_n, app_cap;
	size_t flat_bytes; /* bytes of the flat strings */
	char *scratch[3];  /* for writing chains out */
	size_t scratch_cap[3];
	int nregs; /* multi-register: registers in a state vector */
};

void lvals_init(struct lvals *v);
void lvals_free(struct lvals *v);
/* Interns len bytes; returns the id (>= 1). */
uint32_t lvals_intern(struct lvals *v, const void *bytes, size_t len);
/* NULL -> LV_ABSENT, else the interned string. */
uint32_t lvals_str(struct lvals *v, const char *s);
/* The state after appending value a to state s (absent counts as ""). */
uint32_t lvals_append(struct lvals *v, uint32_t s, uint32_t a);
/* Bytes held (roughly), for the memory cap. */
size_t lvals_bytes_used(const struct lvals *v);
/* Contents of id (NULL for absent), NUL-terminated; for a chain, written
 * out into a buffer of v valid until the next call. */
const char *lvals_bytes(struct lvals *v, uint32_t id, size_t *len);

/* ---- operations as the search sees them ------------------------------------ */

enum lop_kind {
	LOP_READ,   /* legal iff state == a (a may be LV_ANY) */
	LOP_WRITE,  /* state := a */
	LOP_CAS,    /* legal iff state == a; state := b */
	LOP_NOTCAS, /* legal iff state != a (etcd's failed cas); no change */
	LOP_APPEND, /* state := state ++ a */
	LOP_TXN,    /* micro-ops mop[a .. a+b) on a register vector */
};

struct lmop {
	bool write;
	int reg;      /* register index in the state vector */
	uint32_t val; /* value id, LV_ANY for an unknown read */
};

struct lop {
	uint8_t kind;
	bool required; /* must be linearized (ok); else optional */
	uint32_t a, b;
	int64_t call; /* invocation time */
	int64_t ret;  /* response; HIST_NEVER: open to the end */
	uint32_t hop; /* history op index */
};

/* The sequential specification: one step from state s. */
bool lop_step(struct lvals *v, const struct lmop *mops, uint32_t s, const struct lop *o,
	      uint32_t *next);

/* ---- the search --------------------------------------------------------------- */

enum ls_result { LS_RUNNING, LS_OK, LS_BAD, LS_GAVE_UP };

struct lsearch;

/* A search over ops[0..n) (copied) from state init; v and mops borrowed. */
struct lsearch *ls_new(const struct lop *ops, int n, uint32_t init, struct lvals *v,
		       const struct lmop *mops, size_t max_memo_bytes);
void ls_free(struct lsearch *s);
/* Runs at most max_steps steps (and until deadline, a monotonic time in
 * seconds, if > 0). Returns the result so far. */
enum ls_result ls_run(struct lsearch *s, uint64_t max_steps, double deadline);
uint64_t ls_steps(const struct lsearch *s);
/* After LS_OK: the linearization, as indexes into ops (only the ops that
 * took effect), in order; *n set. Owned by s. */
const int *ls_witness(const struct lsearch *s, int *n);

/* Monotonic seconds, for budgets. */
double lin_clock(void);

/* ---- the checker's insides (lin.c), for lin_explain.c ------------------------- */

#define LIN_MAX_REGS 16 /* multi-register: registers per state vector */

/* One key (a partition of the history), checked on its own. Owned by the
 * checker; while a worker thread runs it, only that thread touches it. */
struct lin_part {
	const char *key;
	uint32_t *hops; /* history op indexes, in invocation order */
	int n, cap;
	struct lvals vals;
	const char *regs[LIN_MAX_REGS]; /* multi-register: key of each register */
	int nregs;
	bool too_many_regs;
	enum lin_verdict verdict;
	struct lsearch *search;
	struct lop *sops; /* the ops the search (or violation) is about */
	int nsops;
	struct lmop *mops;
	size_t nmops, mcap;
	uint32_t *witness; /* history op indexes, linearization order */
	int nwitness;
	int npin;         /* a re-search keeps witness[0..npin) (see first_unsettled) */
	uint32_t *wstate; /* the state after witness[0..k] */
	int64_t *wmax;    /* the latest completion among witness[0..k] (see done_at) */
	size_t wcap;
	bool unsorted;       /* hops not in invocation order (a hand-made file) */
	int64_t min_changed; /* earliest invocation changed since the witness */
	uint64_t pinned_searches;
	uint64_t witness_hits; /* changes settled by revalidate */
	bool recheck;          /* changed since proven: revalidate before searching */
	uint32_t anchor;       /* the op standing for a folded prefix (see fold), or UINT32_MAX */
	uint32_t anchor_state; /* the state after it */
	uint64_t folded;       /* ops dropped by folding */
	uint32_t *core;        /* after a violation: computed lazily */
	int ncore;
	bool core_done;
	uint32_t core_from; /* ops before shrinking */
};

/* The checker: its history (borrowed), keys, and what it has seen. */
struct lin_checker {
	const struct history *h;
	enum lin_model model;
	struct lin_part **parts;
	int nparts, pcap;
	int *ktab; /* key -> part index + 1 (open addressing; see part_for) */
	size_t kcap;
	int *part_of;     /* history op index - part_base -> part, -1 if none yet */
	size_t part_base; /* <= scan_from (lin_forget) */
	size_t known;     /* ops seen */
	size_t scan_from; /* ops before this index are final */
	uint64_t seen_rev;
	uint32_t epoch; /* the history's, at the last sync */
	enum lin_verdict verdict;
	uint64_t max_search_steps;
	size_t max_memo;
	int bad_part;   /* the first part found violating, or -1 */
	int threads;    /* workers for lin_check (1: this thread only) */
	int open_parts; /* keys being searched in this lin_check (memory cap) */
	struct lin_stats st;
};

/* The model's initial state for part p. */
uint32_t lin_part_init(struct lin_checker *c, struct lin_part *p);
/* p->sops from the history's current ops (see lin.c); *init: start state. */
void lin_build_sops(struct lin_checker *c, struct lin_part *p, uint32_t *init);

#endif

/*
 * lin_search.c — the Wing & Gong search with Lowe's memoisation, in the
 * "just-in-time" form of Lowe ("Testing for linearizability", Concurrency
 * and Computation 2017, section 4) that Porcupine also uses.
 *
 * The history is a doubly-linked list of events in time order: one call
 * entry per operation and one return entry per operation that has a
 * response. The walk starts at the head; at a call entry it tries to
 * linearize that operation now (legal in the current state, and the new
 * configuration never seen before): if so, it pushes a frame, lifts the
 * operation's two entries out of the list ("dancing links": they keep their
 * neighbours, so unlifting in reverse order is O(1)) and restarts from the
 * head. At a return entry whose operation is not yet linearized, the
 * current prefix cannot be extended: it pops the last frame and tries the
 * next call after it. The history is linearizable when every required
 * operation is linearized, and not when the stack is empty at a return.
 *
 * Optional operations (unknown outcome) have no return entry when they
 * are open to the end, so nothing forces them: they may be linearized or
 * left out. An optional operation with a deadline (a relaxed operation in
 * an explanation) has a return entry that, when reached, decides "it did
 * not happen": a forced frame that backtracking pops without trying
 * alternatives.
 *
 * Lowe's memo: a configuration is (set of decided operations, state). The
 * set is a bitset whose hash is kept incrementally (XOR of one random key
 * per operation: Zobrist hashing); the state is an interned id. Cost: each
 * memo entry stores a copy of the bitset (n/64 words); the memo and the
 * states are capped by max_memo_bytes, past which the search gives up.
 *
 * Two prunings, each keeping at least one linearization if there is one:
 *  - a read (an op that never changes the state) legal at its call entry is
 *    linearized there without alternatives: a linearization that places it
 *    later can move it here, since every op that had to precede it already
 *    has (no return entry came first) and the state is the same;
 *  - of two identical optional ops open to the end (two timed-out writes of
 *    3), the later is only tried once the earlier is linearized: either can
 *    stand for the other, and the earlier was invoked first.
 */
#include "check/lin_internal.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_BLOCK 4096 /* bitsets per block of the memo's arena */

struct lent {
	int op;    /* operation index */
	int match; /* call: its return entry (-1: none); return: its call */
	int prev, next;
	bool call;
};

struct frame {
	int ent;        /* the call entry lifted */
	uint32_t state; /* the state before */
	bool forced;    /* a deadline skip or a read: not a choice */
	bool skip;      /* a deadline skip: the op did not take effect */
};

/* One memo slot: 16 bytes, so that a probe touches one cache line. */
struct mslot {
	uint64_t h;
	uint32_t state;
	uint32_t off; /* index + 1 of the bitset (memo_bits); 0 = empty slot */
};

struct lsearch {
	int n;
	struct lop *ops;
	struct lvals *vals;
	const struct lmop *mops;
	int nent; /* entries 1..nent; 0 = head, nent + 1 = tail */
	struct lent *e;
	int words;
	uint64_t *lin;  /* decided operations */
	uint64_t *zkey; /* Zobrist key per operation */
	uint64_t zh;
	uint32_t state;
	struct frame *stack;
	int sp;
	int cur;
	int required_left;
	enum ls_result result;
	uint64_t steps;
	/* the memo: open addressing over (hash, state, offset of the bitset) */
	struct mslot *memo;
	size_t mcap, mcount;
	uint64_t **mblock; /* bitsets, MEMO_BLOCK to a block: no copying on growth */
	size_t nblocks, blocks_cap;
	size_t marena_n; /* bitsets stored */
	size_t max_bytes;
	int *witness;
	int nwitness;
	int *twin; /* see ls_new: an identical open op invoked earlier, or -1 */
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t state_key(uint32_t s)
{
	uint64_t x = s;
	return splitmix(&x);
}

struct ev {
	int64_t t;
	int kind; /* 0 call, 1 return: at equal times calls come first */
	int op;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->op - y->op;
}

struct lsearch *ls_new(const struct lop *ops, int n, uint32_t init, struct lvals *v,
		       const struct lmop *mops, size_t max_memo_bytes)
{
	struct lsearch *s = xcalloc(1, sizeof *s);
	s->n = n;
	s->ops = xmalloc((size_t)(n ? n : 1) * sizeof *s->ops);
	if (n)
		memcpy(s->ops, ops, (size_t)n * sizeof *ops);
	s->vals = v;
	s->mops = mops;
	s->state = init;
	s->max_bytes = max_memo_bytes;
	s->words = (n + 63) / 64;
	if (!s->words)
		s->words = 1;
	s->lin = xcalloc((size_t)s->words, sizeof *s->lin);
	s->zkey = xmalloc((size_t)(n ? n : 1) * sizeof *s->zkey);
	uint64_t seed = 0x6e657473706c6974ULL; /* fixed: deterministic */
	for (int i = 0; i < n; i++)
		s->zkey[i] = splitmix(&seed);

	struct ev *evs = xmalloc((size_t)(2 * n + 1) * sizeof *evs);
	int ne = 0;
	for (int i = 0; i < n; i++) {
		evs[ne++] = (struct ev){ops[i].call, 0, i};
		if (ops[i].ret != HIST_NEVER)
			evs[ne++] = (struct ev){ops[i].ret, 1, i};
		if (ops[i].required)
			s->required_left++;
	}
	qsort(evs, (size_t)ne, sizeof *evs, ev_cmp);

	/* Symmetry: two identical optional operations open to the end (say
	 * two timed-out writes of 3) are interchangeable, so the later one
	 * is only tried once the earlier one is linearized. Any linearization
	 * that uses the later but not the earlier can use the earlier
	 * instead: it was invoked first. Each op's twin is the latest such op
	 * invoked before it, found in a hash table of (kind, a, b) -> the
	 * last open op seen: O(n) over the events. */
	s->twin = xmalloc((size_t)(n ? n : 1) * sizeof *s->twin);
	size_t tcap = 16;
	while (tcap < (size_t)n * 2)
		tcap *= 2;
	int *tab = xmalloc(tcap * sizeof *tab); /* op index, -1 empty */
	for (size_t t = 0; t < tcap; t++)
		tab[t] = -1;
	for (int k = 0; k < ne; k++) {
		int i = evs[k].op;
		if (evs[k].kind != 0)
			continue;
		s->twin[i] = -1;
		if (ops[i].required || ops[i].ret != HIST_NEVER || ops[i].kind == LOP_TXN)
			continue;
		uint64_t x = ((uint64_t)ops[i].kind << 56) ^ ((uint64_t)ops[i].a << 24) ^ ops[i].b;
		size_t t = splitmix(&x) & (tcap - 1);
		while (tab[t] >= 0) {
			int j = tab[t];
			if (ops[j].kind == ops[i].kind && ops[j].a == ops[i].a &&
			    ops[j].b == ops[i].b)
				break;
			t = (t + 1) & (tcap - 1);
		}
		s->twin[i] = tab[t];
		tab[t] = i;
	}
	free(tab);
	s->nent = ne;
	s->e = xmalloc((size_t)(ne + 2) * sizeof *s->e);
	int *callent = xmalloc((size_t)(n ? n : 1) * sizeof *callent);
	for (int k = 0; k < ne; k++) {
		struct lent *en = &s->e[k + 1];
		en->op = evs[k].op;
		en->call = evs[k].kind == 0;
		en->match = -1;
		en->prev = k;
		en->next = k + 2;
		if (en->call) {
			callent[en->op] = k + 1;
		} else {
			en->match = callent[en->op];
			s->e[en->match].match = k + 1;
		}
	}
	s->e[0] = (struct lent){-1, -1, -1, 1, false};
	s->e[ne + 1] = (struct lent){-1, -1, ne, -1, false};
	free(callent);
	free(evs);
	s->stack = xmalloc((size_t)(n + 1) * sizeof *s->stack);
	s->cur = s->e[0].next;
	s->result = LS_RUNNING;
	return s;
}

void ls_free(struct lsearch *s)
{
	if (!s)
		return;
	free(s->ops);
	free(s->lin);
	free(s->zkey);
	free(s->e);
	free(s->stack);
	free(s->memo);
	for (size_t i = 0; i < s->nblocks; i++)
		free(s->mblock[i]);
	free(s->mblock);
	free(s->witness);
	free(s->twin);
	free(s);
}

uint64_t ls_steps(const struct lsearch *s)
{
	return s->steps;
}

static void lift(struct lsearch *s, int ci)
{
	struct lent *c = &s->e[ci];
	s->e[c->prev].next = c->next;
	s->e[c->next].prev = c->prev;
	if (c->match >= 0) {
		struct lent *r = &s->e[c->match];
		s->e[r->prev].next = r->next;
		s->e[r->next].prev = r->prev;
	}
}

static void unlift(struct lsearch *s, int ci)
{
	struct lent *c = &s->e[ci];
	if (c->match >= 0) {
		struct lent *r = &s->e[c->match];
		s->e[r->prev].next = c->match;
		s->e[r->next].prev = c->match;
	}
	s->e[c->prev].next = ci;
	s->e[c->next].prev = ci;
}

static void memo_grow(struct lsearch *s)
{
	size_t ncap = s->mcap ? s->mcap * 2 : 1024;
	struct mslot *nm = xcalloc(ncap, sizeof *nm);
	for (size_t i = 0; i < s->mcap; i++) {
		if (!s->memo[i].off)
			continue;
		size_t j = s->memo[i].h & (ncap - 1);
		while (nm[j].off)
			j = (j + 1) & (ncap - 1);
		nm[j] = s->memo[i];
	}
	free(s->memo);
	s->memo = nm;
	s->mcap = ncap;
}

static size_t memo_bytes(const struct lsearch *s)
{
	return s->mcap * sizeof(struct mslot) +
	       s->nblocks * MEMO_BLOCK * (size_t)s->words * sizeof(uint64_t);
}

static inline uint64_t *memo_bits(const struct lsearch *s, size_t i)
{
	return s->mblock[i / MEMO_BLOCK] + (i % MEMO_BLOCK) * (size_t)s->words;
}

static inline bool same_bits(const uint64_t *a, const uint64_t *b, size_t w)
{
	for (size_t i = 0; i < w; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Adds (lin, state) to the memo; returns false if it was there already.
 * Sets *full when the memo would pass its cap (nothing added). */
static bool memo_add(struct lsearch *s, uint32_t state, bool *full)
{
	if ((s->mcount + 1) * 2 > s->mcap) {
		if (s->max_bytes && memo_bytes(s) * 2 > s->max_bytes) {
			*full = true;
			return false;
		}
		memo_grow(s);
	}
	uint64_t h = s->zh ^ state_key(state);
	size_t w = (size_t)s->words;
	size_t j = h & (s->mcap - 1);
	for (struct mslot *m = &s->memo[j]; m->off; m = &s->memo[j]) {
		if (m->h == h && m->state == state &&
		    same_bits(memo_bits(s, m->off - 1), s->lin, w))
			return false;
		j = (j + 1) & (s->mcap - 1);
	}
	if (s->marena_n + 1 > UINT32_MAX - 1) {
		*full = true;
		return false;
	}
	if (s->marena_n == s->nblocks * MEMO_BLOCK) {
		if (s->max_bytes &&
		    memo_bytes(s) + MEMO_BLOCK * w * sizeof(uint64_t) > s->max_bytes) {
			*full = true;
			return false;
		}
		xgrow((void **)&s->mblock, &s->blocks_cap, s->nblocks + 1, sizeof *s->mblock);
		s->mblock[s->nblocks++] = xmalloc(MEMO_BLOCK * w * sizeof(uint64_t));
	}
	memcpy(memo_bits(s, s->marena_n), s->lin, w * sizeof *s->lin);
	s->marena_n++;
	s->memo[j] = (struct mslot){h, state, (uint32_t)s->marena_n};
	s->mcount++;
	return true;
}

static inline void flip(struct lsearch *s, int op)
{
	s->lin[op >> 6] ^= (uint64_t)1 << (op & 63);
	s->zh ^= s->zkey[op];
}

static void make_witness(struct lsearch *s)
{
	free(s->witness);
	s->witness = xmalloc((size_t)(s->sp + 1) * sizeof *s->witness);
	s->nwitness = 0;
	for (int i = 0; i < s->sp; i++)
		if (!s->stack[i].skip)
			s->witness[s->nwitness++] = s->e[s->stack[i].ent].op;
}

/* Pops frames until a real choice is undone; returns false when none is
 * left (not linearizable). */
static bool backtrack(struct lsearch *s)
{
	for (;;) {
		if (s->sp == 0)
			return false;
		struct frame f = s->stack[--s->sp];
		int op = s->e[f.ent].op;
		unlift(s, f.ent);
		flip(s, op);
		s->state = f.state;
		if (s->ops[op].required)
			s->required_left++;
		if (!f.forced) {
			s->cur = s->e[f.ent].next;
			return true;
		}
	}
}

enum ls_result ls_run(struct lsearch *s, uint64_t max_steps, double deadline)
{
	uint64_t done = 0;
	bool full = false;
	while (s->result == LS_RUNNING) {
		if (s->required_left == 0) {
			make_witness(s);
			s->result = LS_OK;
			break;
		}
		if (max_steps && done >= max_steps)
			break;
		if ((done & 1023) == 1023) {
			if (deadline > 0 && lin_clock() > deadline)
				break;
			/* The states the search made count against the cap too
			 * (appends make a new one at almost every step). */
			if (s->max_bytes &&
			    memo_bytes(s) + lvals_bytes_used(s->vals) > s->max_bytes) {
				s->result = LS_GAVE_UP;
				break;
			}
		}
		done++;
		s->steps++;
		int ci = s->cur;
		struct lent *en = &s->e[ci];
		if (en->op < 0) {
			/* The tail, with required operations left: cannot happen
			 * (each has a return entry we would have met first), but
			 * backtracking is the safe answer. */
			if (!backtrack(s))
				s->result = LS_BAD;
			continue;
		}
		const struct lop *o = &s->ops[en->op];
		if (en->call) {
			uint32_t next;
			int tw = s->twin[en->op];
			if (tw >= 0 && !(s->lin[tw >> 6] >> (tw & 63) & 1)) {
				s->cur = en->next; /* its twin goes first */
				continue;
			}
			if (lop_step(s->vals, s->mops, s->state, o, &next)) {
				flip(s, en->op);
				if (memo_add(s, next, &full)) {
					/* A read (an op that never changes the state) that
					 * is legal now is linearized now, without
					 * alternatives: every linearization that places it
					 * later can move it here (the state is the same,
					 * and every op that had to precede it already has:
					 * we met no return entry before its call). */
					bool pure = o->kind == LOP_READ || o->kind == LOP_NOTCAS;
					s->stack[s->sp++] =
					    (struct frame){ci, s->state, pure, false};
					s->state = next;
					lift(s, ci);
					if (o->required)
						s->required_left--;
					s->cur = s->e[0].next;
					continue;
				}
				flip(s, en->op);
				if (full) {
					s->result = LS_GAVE_UP;
					break;
				}
			}
			s->cur = en->next;
			continue;
		}
		/* A return entry of an operation not yet linearized. */
		if (!o->required) {
			/* Its deadline passed: it did not take effect. */
			flip(s, en->op);
			if (memo_add(s, s->state, &full)) {
				s->stack[s->sp++] = (struct frame){en->match, s->state, true, true};
				lift(s, en->match);
				s->cur = s->e[0].next;
				continue;
			}
			flip(s, en->op);
			if (full) {
				s->result = LS_GAVE_UP;
				break;
			}
		}
		if (!backtrack(s))
			s->result = LS_BAD;
	}
	return s->result;
}

const int *ls_witness(const struct lsearch *s, int *n)
{
	*n = s->nwitness;
	return s->witness;
}

/*
 * lin.c — the linearizability checker's public side: models (how a history
 * operation becomes a search operation), keys, the round-robin budgeted
 * checking, the incremental rules and the one-shot check. The search itself
 * is lin_search.c, values and states lin_vals.c, explanations lin_explain.c.
 * See lin.h for the semantics and what is sound in incremental use.
 */
#include "check/lin_internal.h"

#include "util/i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LIN_QUANTUM 16384 /* steps per key per round */

/* ---- names ---------------------------------------------------------------- */

static const char *const model_names[] = {
    [LIN_MODEL_KV] = "kv",
    [LIN_MODEL_REGISTER] = "register",
    [LIN_MODEL_ETCD] = "etcd",
    [LIN_MODEL_CAS_REGISTER] = "cas-register",
    [LIN_MODEL_MULTI_REGISTER] = "multi-register",
    [LIN_MODEL_MUTEX] = "mutex",
};

const char *lin_model_name(enum lin_model m)
{
	return (size_t)m < ARRAY_LEN(model_names) ? model_names[m] : "?";
}

bool lin_model_parse(const char *name, enum lin_model *out)
{
	for (size_t i = 0; i < ARRAY_LEN(model_names); i++) {
		if (!strcmp(name, model_names[i])) {
			*out = (enum lin_model)i;
			return true;
		}
	}
	return false;
}

const char *lin_verdict_name(enum lin_verdict v)
{
	switch (v) {
	case LIN_OK: return N_("linearizable");
	case LIN_VIOLATION: return N_("not linearizable");
	case LIN_UNKNOWN: return N_("unknown");
	case LIN_CHECKING: return N_("checking");
	}
	return "?";
}

/* ---- models: history op -> search op ---------------------------------------- */

uint32_t lin_part_init(struct lin_checker *c, struct lin_part *p)
{
	struct lvals *v = &p->vals;
	switch (c->model) {
	case LIN_MODEL_KV: return lvals_str(v, "");
	case LIN_MODEL_REGISTER:
	case LIN_MODEL_ETCD: return LV_ABSENT;
	case LIN_MODEL_CAS_REGISTER: return lvals_str(v, "0");
	case LIN_MODEL_MUTEX: return lvals_str(v, "unlocked");
	case LIN_MODEL_MULTI_REGISTER: {
		uint32_t vec[LIN_MAX_REGS];
		uint32_t zero = lvals_str(v, "0");
		for (int i = 0; i < LIN_MAX_REGS; i++)
			vec[i] = zero;
		return lvals_intern(v, vec, sizeof vec);
	}
	}
	return LV_ABSENT;
}

/* A value as the model sees it; nil (NULL) is absent, or "" for kv. */
static uint32_t model_val(struct lin_checker *c, struct lin_part *p, const char *s)
{
	if (!s && c->model == LIN_MODEL_KV)
		return lvals_str(&p->vals, "");
	return lvals_str(&p->vals, s);
}

static int reg_index(struct lin_part *p, const char *key)
{
	for (int i = 0; i < p->nregs; i++)
		if (p->regs[i] == key)
			return i;
	if (p->nregs == LIN_MAX_REGS) {
		p->too_many_regs = true;
		return 0;
	}
	p->regs[p->nregs] = key;
	return p->nregs++;
}

/* Converts history op o; returns false when the op constrains nothing and
 * is left out (a failed op that did not happen, a read that saw nothing). */
static bool to_lop(struct lin_checker *c, struct lin_part *p, const struct hist_op *o,
		   struct lop *out)
{
	enum lin_model m = c->model;
	memset(out, 0, sizeof *out);
	out->hop = o->id;
	out->call = o->invoked;
	if (o->id == p->anchor) {
		/* The op that fixed the state of a folded prefix (see fold). */
		out->kind = LOP_WRITE;
		out->required = true;
		out->ret = o->completed;
		out->a = p->anchor_state;
		return true;
	}
	switch (o->outcome) {
	case OUT_OK:
		out->required = true;
		out->ret = o->completed;
		break;
	case OUT_FAIL:
		/* Porcupine's etcd: a failed cas observed "not a"; a failed
		 * read is a timed-out read, which matches anything. Elsewhere
		 * a failure did not happen. */
		if (m != LIN_MODEL_ETCD || o->f != HIST_CAS)
			return false;
		out->required = true;
		out->ret = o->completed;
		out->kind = LOP_NOTCAS;
		out->a = model_val(c, p, o->arg);
		return true;
	case OUT_UNKNOWN:
	case OUT_PENDING:
		out->required = false;
		out->ret = HIST_NEVER;
		break;
	}
	if (out->required && out->ret == HIST_NEVER)
		return false; /* malformed: ok without a completion */
	switch (o->f) {
	case HIST_READ:
		if (!out->required)
			return false; /* an unknown read changes nothing */
		if (!o->result && m == LIN_MODEL_CAS_REGISTER)
			return false; /* Knossos: a nil read matches anything */
		out->kind = LOP_READ;
		out->a = model_val(c, p, o->result);
		return true;
	case HIST_WRITE:
		out->kind = LOP_WRITE;
		out->a = model_val(c, p, o->arg);
		return true;
	case HIST_CAS:
		if (o->cas_false) {
			/* A failed compare observed "not arg" and changed nothing.
			 * Against "" it proves nothing here: the models let a key
			 * never written equal "", the stores do not. */
			if (!o->arg || !*o->arg)
				return false;
			out->kind = LOP_NOTCAS;
			out->a = model_val(c, p, o->arg);
			return true;
		}
		out->kind = LOP_CAS;
		out->a = model_val(c, p, o->arg);
		out->b = model_val(c, p, o->arg2);
		return true;
	case HIST_APPEND:
		out->kind = LOP_APPEND;
		out->a = model_val(c, p, o->arg);
		return true;
	case HIST_ACQUIRE:
	case HIST_RELEASE: {
		uint32_t fr = lvals_str(&p->vals, "unlocked"), lk = lvals_str(&p->vals, "locked");
		out->kind = LOP_CAS;
		out->a = o->f == HIST_ACQUIRE ? fr : lk;
		out->b = o->f == HIST_ACQUIRE ? lk : fr;
		return true;
	}
	case HIST_TXN:
		/* Only the multi-register model's states are register vectors
		 * (lin_model_fits refuses such a pairing before a check). */
		if (m != LIN_MODEL_MULTI_REGISTER)
			return false;
		out->kind = LOP_TXN;
		out->a = (uint32_t)p->nmops;
		out->b = (uint32_t)o->nmops;
		xgrow((void **)&p->mops, &p->mcap, p->nmops + (size_t)o->nmops + 1,
		      sizeof *p->mops);
		for (int k = 0; k < o->nmops; k++) {
			struct lmop *mo = &p->mops[p->nmops++];
			mo->write = o->mops[k].write;
			mo->reg = reg_index(p, o->mops[k].key);
			mo->val = !mo->write && !o->mops[k].val ? LV_ANY
								: model_val(c, p, o->mops[k].val);
		}
		return true;
	}
	return false;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The search ops of part p as the history stands. With a pin (npin > 0),
 * the ops of witness[0..npin) are replayed from the initial state instead:
 * *init is the state after them, and the search gets the other ops only.
 * When the pinned ops no longer replay (one of them failed after all), the
 * pin is dropped and every op goes to the search. */
static void build_sops(struct lin_checker *c, struct lin_part *p, uint32_t *init)
{
	free(p->sops);
	p->sops = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *p->sops);
	p->nsops = 0;
	p->nmops = 0;
	*init = lin_part_init(c, p);
	if (p->npin <= 0) {
		for (int i = 0; i < p->n; i++) {
			struct lop lo;
			if (to_lop(c, p, history_op(c->h, p->hops[i]), &lo))
				p->sops[p->nsops++] = lo;
		}
		return;
	}
	/* The pinned hops, sorted, each with its place in the witness; pos[k]:
	 * -1 pinned but not (yet) converted, else its index in pin_ops. */
	struct pin {
		uint32_t hop;
		int k;
	} *pins = xmalloc((size_t)p->npin * sizeof *pins);
	for (int k = 0; k < p->npin; k++)
		pins[k] = (struct pin){p->witness[k], k};
	qsort(pins, (size_t)p->npin, sizeof *pins, u32_cmp); /* hop is the first field */
	int *pos = xmalloc((size_t)p->npin * sizeof *pos);
	for (int k = 0; k < p->npin; k++)
		pos[k] = -1;
	struct lop *pin_ops = xmalloc((size_t)p->npin * sizeof *pin_ops);
	int npo = 0;
	bool ok = true;
	for (int i = 0; i < p->n; i++) {
		struct lop lo;
		uint32_t hop = p->hops[i];
		struct pin *pn = bsearch(&hop, pins, (size_t)p->npin, sizeof *pins, u32_cmp);
		if (!to_lop(c, p, history_op(c->h, hop), &lo)) {
			ok &= !pn; /* a pinned op turned out not to happen */
			continue;
		}
		if (pn) {
			pos[pn->k] = npo;
			pin_ops[npo++] = lo;
		} else {
			p->sops[p->nsops++] = lo;
		}
	}
	uint32_t st = *init;
	for (int k = 0; k < p->npin && ok; k++)
		ok = pos[k] >= 0 && lop_step(&p->vals, p->mops, st, &pin_ops[pos[k]], &st);
	free(pin_ops);
	free(pos);
	free(pins);
	if (ok) {
		*init = st;
		return;
	}
	p->npin = 0;
	build_sops(c, p, init);
}

/* Dead writes: an unknown write (or cas) whose new value no read and no
 * cas of the search mentions is never needed. In a linearization that
 * uses it, nothing observes its value before the next write (a read or a
 * cas of that state would mention it), so without it the rest stays legal.
 * Dropping such ops keeps searches small when unknown writes pile up (a
 * long session with faults). Not with appends, etcd's failed cas (an
 * observation of "not a") or transactions, whose legality depends on
 * states no op names. */
static void prune_dead(struct lin_part *p)
{
	uint32_t *seen = xmalloc((size_t)(p->nsops ? p->nsops : 1) * sizeof *seen);
	size_t ns = 0;
	bool open = false;
	for (int i = 0; i < p->nsops; i++) {
		const struct lop *o = &p->sops[i];
		switch (o->kind) {
		case LOP_READ: seen[ns++] = o->a; break;
		case LOP_CAS: seen[ns++] = o->a; break;
		case LOP_WRITE: break;
		default: free(seen); return;
		}
		open |= !o->required;
	}
	if (open) {
		qsort(seen, ns, sizeof *seen, u32_cmp);
		int m = 0;
		for (int i = 0; i < p->nsops; i++) {
			const struct lop *o = &p->sops[i];
			uint32_t v = o->kind == LOP_CAS ? o->b : o->a;
			if (!o->required && o->kind != LOP_READ &&
			    !bsearch(&v, seen, ns, sizeof *seen, u32_cmp))
				continue;
			p->sops[m++] = *o;
		}
		p->nsops = m;
	}
	free(seen);
}

void lin_build_sops(struct lin_checker *c, struct lin_part *p, uint32_t *init)
{
	build_sops(c, p, init);
	prune_dead(p);
}

/* When an op stopped changing: its completion (ok, fail), the time its
 * client gave up (unknown), never while pending. */
static int64_t done_at(const struct hist_op *o)
{
	switch (o->outcome) {
	case OUT_OK:
	case OUT_FAIL: return o->completed;
	case OUT_UNKNOWN: return o->gave_up;
	case OUT_PENDING: break;
	}
	return HIST_NEVER;
}

static void witness_room(struct lin_part *p, size_t n)
{
	if (n <= p->wcap)
		return;
	size_t c = p->wcap ? p->wcap : 4; /* small: there may be many keys */
	while (c < n)
		c *= 2;
	p->wstate = xrealloc(p->wstate, c * sizeof *p->wstate);
	p->wmax = xrealloc(p->wmax, c * sizeof *p->wmax);
	p->wcap = c;
}

/* Recomputes wstate and wmax for witness[from..] by replaying it. */
static void witness_fill(struct lin_checker *c, struct lin_part *p, int from)
{
	witness_room(p, (size_t)p->nwitness + 1);
	uint32_t st = from > 0 ? p->wstate[from - 1] : lin_part_init(c, p);
	int64_t m = from > 0 ? p->wmax[from - 1] : INT64_MIN;
	p->nmops = 0;
	for (int k = from; k < p->nwitness; k++) {
		const struct hist_op *o = history_op(c->h, p->witness[k]);
		struct lop lo;
		if (to_lop(c, p, o, &lo))
			lop_step(&p->vals, p->mops, st, &lo, &st);
		int64_t d = done_at(o);
		if (d > m)
			m = d;
		p->wstate[k] = st;
		p->wmax[k] = m;
	}
}

/* The witness's settled prefix: the ops that stopped changing before the
 * earliest op changed since the witness was invoked (wmax is monotone, so
 * a binary search). A re-search may keep it: sound when the re-search
 * succeeds, since it is a prefix of a valid linearization of the history
 * before the change, and every op outside it changed after its ops were
 * invoked, or is new. When the re-search fails the key is searched again
 * from scratch, so the answer is exact either way. */
static int first_unsettled(const struct lin_part *p)
{
	int lo = 0, hi = p->nwitness;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (p->wmax[mid] < p->min_changed)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- folding a proven prefix ------------------------------------------------ */

/* Folding: after a key is proven linearizable, the longest prefix of its
 * operations that no later operation can interact with is dropped from the
 * key, so that a long session costs what its recent operations cost.
 *
 * The fold point is an op q (in invocation order, hops[0..i]) such that
 *   (1) every op invoked before q is done: ok, failed, or unknown (the
 *       client gave up: final); none is pending;
 *   (2) every ok op invoked before q completed before q was invoked (q is
 *       alone at the end of the prefix);
 *   (3) q is ok and completed before the next op (hops[i+1]) was invoked,
 *       hence before every later op, present or future (a live history
 *       only adds ops invoked later);
 *   (4) q fixes the state by itself: a write of v (state v), a read of v
 *       (state v), a cas a->b (state b); not an append or a transaction;
 *   (5) up to q, the witness holds the ok ops invoked up to q (and maybe
 *       unknown ones invoked before q), and stays legal without the
 *       unknown ones; s is the state after q.
 * Then the key is linearizable iff the rest — the ops after q, plus the
 * unknown ops invoked before q, which may still take effect at any time
 * after their invocation or never — is linearizable from state s:
 *   <= the witness's prefix without its unknown ops, followed by a
 *      linearization of the rest, is one of the whole: the rest's ok ops
 *      were invoked after q completed, and the prefix so replayed uses
 *      none of the unknown ops carried on;
 *   => in any linearization of the whole, every ok op of the prefix comes
 *      before q (2) and q before every ok op of the rest (3); after q the
 *      state is s whatever came before (4); so what follows q, with the
 *      carried unknown ops that it placed there, is a linearization of the
 *      rest from s (an unknown op placed before q is "never" in the rest).
 * So the verdict is exact, and stays so as the history grows (a later op
 * is invoked after q completed). q stays in the key as its "anchor": a
 * write of s as the search sees it (to_lop), so that an explanation can
 * name the op that fixed the state; the core never relaxes it. The ops
 * before q are dropped from the key (the history keeps them). */
static bool fold_kind(const struct lop *lo)
{
	return lo->kind == LOP_READ || lo->kind == LOP_WRITE || lo->kind == LOP_CAS;
}

/* After a fold most of a key's interned values belong to dropped ops:
 * when they are four times what the key still holds, the values are
 * interned afresh. Only the witness's states and the anchor's are kept
 * across calls (search ops are rebuilt from the history each time), so
 * only those are carried over, by content. */
static uint32_t vals_move(struct lvals *from, struct lvals *to, uint32_t id)
{
	size_t len;
	const char *b = lvals_bytes(from, id, &len);
	return b ? lvals_intern(to, b, len) : LV_ABSENT;
}

static void compact_vals(struct lin_part *p)
{
	size_t live = (size_t)p->nwitness + (size_t)p->n + 64;
	if (p->vals.n < 4 * live)
		return;
	struct lvals nv;
	lvals_init(&nv);
	nv.nregs = p->vals.nregs;
	for (int k = 0; k < p->nwitness; k++)
		p->wstate[k] = vals_move(&p->vals, &nv, p->wstate[k]);
	p->anchor_state = vals_move(&p->vals, &nv, p->anchor_state);
	lvals_free(&p->vals);
	p->vals = nv;
}

static void fold(struct lin_checker *c, struct lin_part *p)
{
	if (p->verdict != LIN_OK || p->unsorted || p->npin || p->search || p->n < 2 ||
	    c->model == LIN_MODEL_MULTI_REGISTER || p->nwitness < 1)
		return;
	const struct history *h = c->h;
	int best = -1, best_k = 0, nreq = 0;
	int64_t maxret = INT64_MIN; /* the latest completion of an ok op before q */
	for (int i = 0; i + 1 < p->n; i++) {
		const struct hist_op *q = history_op(h, p->hops[i]);
		if (q->outcome == OUT_PENDING)
			break; /* (1): nothing from here on */
		struct lop lo;
		bool lop = to_lop(c, p, q, &lo);
		if (lop && lo.required) {
			if (maxret < q->invoked && q->outcome == OUT_OK && fold_kind(&lo) &&
			    lo.ret < history_op(h, p->hops[i + 1])->invoked) {
				best = i;      /* (2), (3), (4) */
				best_k = nreq; /* ok ops invoked before q */
			}
			nreq++;
			if (lo.ret > maxret)
				maxret = lo.ret;
		}
	}
	if (best <= 0)
		return; /* nothing before q to drop */
	/* (5): up to q, the witness holds the ok ops invoked up to q, and
	 * maybe unknown ones from before q: it must stay legal without them
	 * (they are carried on, so they must not be used twice). */
	uint32_t qhop = p->hops[best];
	int64_t qcall = history_op(h, qhop)->invoked;
	int j = 0, req = 0;
	uint32_t st = lin_part_init(c, p);
	p->nmops = 0;
	for (; j < p->nwitness && p->witness[j] != qhop; j++) {
		const struct hist_op *o = history_op(h, p->witness[j]);
		struct lop lo;
		if (o->invoked > qcall || !to_lop(c, p, o, &lo))
			return;
		if (!lo.required)
			continue;
		if (!lop_step(&p->vals, p->mops, st, &lo, &st))
			return;
		req++;
	}
	struct lop ql;
	if (j == p->nwitness || req != best_k || !to_lop(c, p, history_op(h, qhop), &ql) ||
	    !lop_step(&p->vals, p->mops, st, &ql, &st))
		return;
	st = p->wstate[j]; /* fixed by q (4): the same either way */
	/* The key from now on: the unknown ops before q, q, the rest. */
	int n = 0;
	for (int i = 0; i < best; i++) {
		const struct hist_op *o = history_op(h, p->hops[i]);
		struct lop lo;
		if (o->outcome == OUT_UNKNOWN && to_lop(c, p, o, &lo))
			p->hops[n++] = p->hops[i];
	}
	p->folded += (uint64_t)(best - n);
	memmove(p->hops + n, p->hops + best, (size_t)(p->n - best) * sizeof *p->hops);
	p->n = n + (p->n - best);
	p->anchor = qhop;
	p->anchor_state = st;
	int drop = j; /* witness[j] is q, kept */
	p->nwitness -= drop;
	memmove(p->witness, p->witness + drop, (size_t)p->nwitness * sizeof *p->witness);
	memmove(p->wstate, p->wstate + drop, (size_t)p->nwitness * sizeof *p->wstate);
	memmove(p->wmax, p->wmax + drop, (size_t)p->nwitness * sizeof *p->wmax);
	/* Shrink what a long key grew. */
	if (p->cap > 64 && (size_t)p->n * 4 < (size_t)p->cap) {
		p->cap = MAX(p->n * 2, 64);
		p->hops = xrealloc(p->hops, (size_t)p->cap * sizeof *p->hops);
	}
	free(p->sops);
	p->sops = NULL;
	p->nsops = 0;
	compact_vals(p);
}

/* ---- the checker ------------------------------------------------------------ */

struct lin_checker *lin_new(const struct history *h, enum lin_model m)
{
	struct lin_checker *c = xcalloc(1, sizeof *c);
	c->h = h;
	c->epoch = h->epoch;
	c->model = m;
	c->verdict = LIN_OK;
	c->max_search_steps = 200000000ULL;
	c->max_memo = (size_t)1 << 30;
	c->bad_part = -1;
	c->threads = 1;
	return c;
}

void lin_set_threads(struct lin_checker *c, int threads)
{
	c->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
}

static void part_free(struct lin_part *p)
{
	if (!p)
		return;
	free(p->hops);
	lvals_free(&p->vals);
	ls_free(p->search);
	free(p->sops);
	free(p->mops);
	free(p->witness);
	free(p->wstate);
	free(p->wmax);
	free(p->core);
	free(p);
}

static void reset(struct lin_checker *c)
{
	for (int i = 0; i < c->nparts; i++)
		part_free(c->parts[i]);
	c->nparts = 0;
	if (c->ktab)
		memset(c->ktab, 0, c->kcap * sizeof *c->ktab);
	c->known = 0;
	c->scan_from = 0;
	c->part_base = 0;
	c->seen_rev = 0;
	c->bad_part = -1;
	c->verdict = LIN_OK;
}

void lin_free(struct lin_checker *c)
{
	if (!c)
		return;
	reset(c);
	free(c->parts);
	free(c->ktab);
	free(c->part_of);
	free(c);
}

void lin_set_limits(struct lin_checker *c, uint64_t max_steps_per_search, size_t max_memo_bytes)
{
	c->max_search_steps = max_steps_per_search;
	c->max_memo = max_memo_bytes;
}

static size_t key_slot(const struct lin_checker *c, const char *key)
{
	uint64_t x = (uint64_t)(uintptr_t)key;
	x = (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ULL;
	return (size_t)(x ^ (x >> 29)) & (c->kcap - 1);
}

/* The part of key (an interned pointer, so == is equality) in the table
 * c->ktab (part index + 1, 0 empty): O(1) whatever the number of keys. */
static int *key_find(struct lin_checker *c, const char *key)
{
	size_t j = key_slot(c, key);
	while (c->ktab[j] && c->parts[c->ktab[j] - 1]->key != key)
		j = (j + 1) & (c->kcap - 1);
	return &c->ktab[j];
}

static int part_for(struct lin_checker *c, const struct hist_op *o)
{
	const char *key = c->model == LIN_MODEL_KV ? o->key : NULL;
	if (c->kcap < 2 * ((size_t)c->nparts + 1)) {
		size_t ncap = c->kcap ? c->kcap * 2 : 16;
		free(c->ktab);
		c->ktab = xcalloc(ncap, sizeof *c->ktab);
		c->kcap = ncap;
		for (int i = 0; i < c->nparts; i++)
			*key_find(c, c->parts[i]->key) = i + 1;
	}
	int *slot = key_find(c, key);
	if (*slot)
		return *slot - 1;
	*slot = c->nparts + 1;
	if (c->nparts == c->pcap) {
		c->pcap = c->pcap ? c->pcap * 2 : 8;
		c->parts = xrealloc(c->parts, (size_t)c->pcap * sizeof *c->parts);
	}
	struct lin_part *p = xcalloc(1, sizeof *p);
	p->key = key;
	lvals_init(&p->vals);
	p->vals.nregs = LIN_MAX_REGS;
	p->verdict = LIN_OK;
	p->min_changed = HIST_NEVER;
	p->anchor = UINT32_MAX;
	c->parts[c->nparts] = p;
	return c->nparts++;
}

/* After a change: keeps the witness's settled prefix, and checks that the
 * rest of it, followed by every op that became required since (in
 * invocation order), is still a linearization: real-time order, then the
 * model from the prefix's state. Only ops invoked since the earliest change
 * can be new or changed, so the cost is the length of the unsettled tail
 * plus the recent ops, not the history's. On success stores the new
 * witness. */
static bool revalidate(struct lin_checker *c, struct lin_part *p)
{
	if (p->too_many_regs)
		return false;
	const struct history *h = c->h;
	int k0 = first_unsettled(p);
	/* The recent ops: from the first invoked at or after min_changed. */
	int first = 0;
	if (!p->unsorted) {
		int lo = 0, hi = p->n;
		while (lo < hi) {
			int mid = lo + (hi - lo) / 2;
			if (history_op(h, p->hops[mid])->invoked < p->min_changed)
				lo = mid + 1;
			else
				hi = mid;
		}
		first = lo;
	}
	size_t cap = (size_t)(p->nwitness - k0) + (size_t)(p->n - first) + 1;
	struct lop *lo = xmalloc(cap * sizeof *lo);
	uint32_t *seq = xmalloc(cap * sizeof *seq);
	int ns = 0;
	bool ok = true;
	p->nmops = 0;
	/* The witness's tail, sorted, to tell its ops from the recent ones
	 * (a binary search each: no array the size of the history). */
	int ntail = p->nwitness - k0;
	uint32_t *tail = xmalloc((size_t)(ntail > 0 ? ntail : 1) * sizeof *tail);
	for (int k = k0; k < p->nwitness && ok; k++) {
		uint32_t hop = p->witness[k];
		tail[k - k0] = hop;
		/* Took effect in the witness, now it did not: no longer valid. */
		ok = to_lop(c, p, history_op(h, hop), &lo[ns]);
		seq[ns++] = hop;
	}
	qsort(tail, (size_t)ntail, sizeof *tail, u32_cmp);
	for (int i = first; i < p->n && ok; i++) {
		uint32_t hop = p->hops[i];
		if (!bsearch(&hop, tail, (size_t)ntail, sizeof *tail, u32_cmp) &&
		    to_lop(c, p, history_op(h, hop), &lo[ns]) && lo[ns].required)
			seq[ns++] = hop;
	}
	free(tail);
	/* Real time: nothing may come after an op that completed before it was
	 * invoked. (Against the settled prefix it holds: its ops completed
	 * before any of these changed.) */
	int64_t minret = HIST_NEVER;
	for (int k = ns - 1; k >= 0 && ok; k--) {
		if (lo[k].call > minret)
			ok = false;
		if (lo[k].ret < minret)
			minret = lo[k].ret;
	}
	uint32_t st = k0 > 0 ? p->wstate[k0 - 1] : lin_part_init(c, p);
	int64_t m = k0 > 0 ? p->wmax[k0 - 1] : INT64_MIN;
	witness_room(p, (size_t)k0 + (size_t)ns + 1);
	uint32_t *nst = xmalloc(cap * sizeof *nst);
	for (int k = 0; k < ns && ok; k++) {
		ok = lop_step(&p->vals, p->mops, st, &lo[k], &st);
		nst[k] = st;
	}
	if (ok) {
		if ((size_t)k0 + (size_t)ns > (size_t)p->nwitness)
			p->witness = xrealloc(p->witness,
					      ((size_t)k0 + (size_t)ns + 1) * sizeof *p->witness);
		for (int k = 0; k < ns; k++) {
			p->witness[k0 + k] = seq[k];
			p->wstate[k0 + k] = nst[k];
			int64_t d = done_at(history_op(h, seq[k]));
			if (d > m)
				m = d;
			p->wmax[k0 + k] = m;
		}
		p->nwitness = k0 + ns;
		p->npin = 0;
		p->min_changed = HIST_NEVER;
	}
	free(nst);
	free(lo);
	free(seq);
	return ok;
}

/* Catches up with the history's changes. */
static void sync(struct lin_checker *c)
{
	const struct history *h = c->h;
	if (h->n < c->known || h->epoch != c->epoch) {
		reset(c); /* history_clear */
		c->epoch = h->epoch;
	}
	if (h->rev == c->seen_rev && h->n == c->known)
		return;
	if (h->n > c->known) {
		c->part_of = xrealloc(c->part_of, (h->n - c->part_base) * sizeof *c->part_of);
		for (size_t i = c->known; i < h->n; i++)
			c->part_of[i - c->part_base] = -1;
	}
	size_t maxparts = (size_t)c->nparts + (h->n - c->known) + 1;
	bool *changed = xcalloc(maxparts, sizeof *changed);
	int64_t *mincall = xmalloc(maxparts * sizeof *mincall);
	for (size_t k = 0; k < maxparts; k++)
		mincall[k] = HIST_NEVER;
	size_t first_pending = h->n;
	for (size_t i = c->scan_from; i < h->n; i++) {
		const struct hist_op *o = history_op(h, i);
		if (o->outcome == OUT_PENDING && i < first_pending)
			first_pending = i;
		if (o->rev <= c->seen_rev && i < c->known)
			continue;
		int pi = c->part_of[i - c->part_base];
		if (pi < 0) {
			pi = part_for(c, o);
			c->part_of[i - c->part_base] = pi;
			struct lin_part *p = c->parts[pi];
			if (c->bad_part >= 0)
				continue; /* the verdict stays (lin.h): the ops so far prove it */
			if (p->n == p->cap) {
				p->cap = p->cap ? p->cap * 2 : 4;
				p->hops = xrealloc(p->hops, (size_t)p->cap * sizeof *p->hops);
			}
			if (p->n && history_op(h, p->hops[p->n - 1])->invoked > o->invoked)
				p->unsorted = true;
			p->hops[p->n++] = (uint32_t)i;
		}
		changed[pi] = true;
		if (o->invoked < mincall[pi])
			mincall[pi] = o->invoked;
	}
	c->scan_from = first_pending;
	c->known = h->n;
	c->seen_rev = h->rev;
	for (int pi = 0; pi < c->nparts; pi++) {
		struct lin_part *p = c->parts[pi];
		if (!changed[pi] || p->verdict == LIN_VIOLATION)
			continue; /* a violation stays a violation (lin.h) */
		ls_free(p->search);
		p->search = NULL;
		if (mincall[pi] < p->min_changed)
			p->min_changed = mincall[pi];
		/* Re-validated (or searched) by run_part, within the budget. */
		p->recheck = p->recheck || p->verdict == LIN_OK;
		p->npin = p->verdict == LIN_UNKNOWN ? 0 : first_unsettled(p);
		p->verdict = LIN_CHECKING;
	}
	free(changed);
	free(mincall);
}

static enum lin_verdict overall(struct lin_checker *c, bool budget_left)
{
	bool open = false, unknown = false;
	for (int i = 0; i < c->nparts; i++) {
		switch (c->parts[i]->verdict) {
		case LIN_VIOLATION: return LIN_VIOLATION;
		case LIN_CHECKING: open = true; break;
		case LIN_UNKNOWN: unknown = true; break;
		case LIN_OK: break;
		}
	}
	if (open && !budget_left)
		return LIN_CHECKING;
	if (unknown || open)
		return LIN_UNKNOWN;
	return LIN_OK;
}

/* Runs part pi for at most `steps`; returns the part's verdict. Touches
 * only the part (so that parts can run on several threads): the steps done
 * go to *used, a search started to *started. */
static enum lin_verdict run_part(struct lin_checker *c, int pi, uint64_t steps, double deadline,
				 uint64_t *used, uint64_t *started)
{
	struct lin_part *p = c->parts[pi];
	if (p->recheck) {
		/* Changed since it was proven: the witness, extended, first. */
		p->recheck = false;
		if (revalidate(c, p)) {
			p->witness_hits++;
			p->verdict = LIN_OK;
			fold(c, p);
			return p->verdict;
		}
	}
	if (!p->search) {
		uint32_t init;
		lin_build_sops(c, p, &init);
		if (p->too_many_regs) {
			p->verdict = LIN_UNKNOWN;
			return p->verdict;
		}
		/* The memory cap is shared by the keys being searched. */
		size_t cap = c->max_memo / (size_t)(c->open_parts > 0 ? c->open_parts : 1);
		if (c->max_memo && cap < ((size_t)16 << 20))
			cap = MIN(c->max_memo, (size_t)16 << 20);
		p->search = ls_new(p->sops, p->nsops, init, &p->vals, p->mops, cap);
		(*started)++;
		if (p->npin > 0)
			p->pinned_searches++;
	}
	uint64_t before = ls_steps(p->search);
	enum ls_result r = ls_run(p->search, steps, deadline);
	*used += ls_steps(p->search) - before;
	switch (r) {
	case LS_OK: {
		int nw;
		const int *w = ls_witness(p->search, &nw);
		/* The pinned prefix, then what the search found. */
		uint32_t *nwit = xmalloc((size_t)(p->npin + nw + 1) * sizeof *nwit);
		if (p->npin)
			memcpy(nwit, p->witness, (size_t)p->npin * sizeof *nwit);
		for (int k = 0; k < nw; k++)
			nwit[p->npin + k] = p->sops[w[k]].hop;
		free(p->witness);
		p->witness = nwit;
		p->nwitness = p->npin + nw;
		witness_fill(c, p, p->npin);
		p->npin = 0;
		p->min_changed = HIST_NEVER;
		p->verdict = LIN_OK;
		ls_free(p->search);
		p->search = NULL;
		fold(c, p);
		break;
	}
	case LS_BAD:
		if (p->npin > 0) {
			/* The pin was too much: search the whole key. */
			p->npin = 0;
			ls_free(p->search);
			p->search = NULL;
			return p->verdict;
		}
		p->verdict = LIN_VIOLATION;
		p->core_done = false;
		break;
	case LS_GAVE_UP: p->verdict = LIN_UNKNOWN; break;
	case LS_RUNNING:
		if (c->max_search_steps && ls_steps(p->search) >= c->max_search_steps)
			p->verdict = LIN_UNKNOWN;
		break;
	}
	if (r != LS_RUNNING || p->verdict == LIN_UNKNOWN) {
		ls_free(p->search);
		p->search = NULL;
	}
	return p->verdict;
}

/* ---- several threads ---------------------------------------------------------- */

/* The parts still being checked are handed out round-robin, one quantum
 * at a time, to `threads` workers (the caller's thread is one of them).
 * Each part is run by one worker at a time; everything shared is under mu. */
struct lin_pool {
	struct lin_checker *c;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool *busy;
	int cursor, nbusy;
	uint64_t max_steps, used;
	double deadline;
	bool stop, budget_out;
};

static void *pool_worker(void *arg)
{
	struct lin_pool *P = arg;
	struct lin_checker *c = P->c;
	pthread_mutex_lock(&P->mu);
	while (!P->stop) {
		int pi = -1;
		for (int k = 0; k < c->nparts && pi < 0; k++) {
			int j = (P->cursor + k) % c->nparts;
			if (!P->busy[j] && c->parts[j]->verdict == LIN_CHECKING)
				pi = j;
		}
		if (pi < 0) {
			if (!P->nbusy)
				break;
			pthread_cond_wait(&P->cv, &P->mu);
			continue;
		}
		P->cursor = (pi + 1) % c->nparts;
		P->busy[pi] = true;
		P->nbusy++;
		uint64_t q = LIN_QUANTUM;
		if (P->max_steps && P->max_steps - P->used < q)
			q = P->max_steps - P->used;
		pthread_mutex_unlock(&P->mu);
		uint64_t did = 0, started = 0;
		enum lin_verdict v = run_part(c, pi, q, P->deadline, &did, &started);
		pthread_mutex_lock(&P->mu);
		P->busy[pi] = false;
		P->nbusy--;
		P->used += did;
		c->st.steps += did;
		c->st.searches += started;
		if (v == LIN_VIOLATION) {
			if (c->bad_part < 0)
				c->bad_part = pi;
			P->stop = true;
		}
		if ((P->max_steps && P->used >= P->max_steps) ||
		    (P->deadline > 0 && lin_clock() > P->deadline)) {
			P->budget_out = true;
			P->stop = true;
		}
		pthread_cond_broadcast(&P->cv);
	}
	pthread_cond_broadcast(&P->cv);
	pthread_mutex_unlock(&P->mu);
	return NULL;
}

/* Returns whether the budget is left. */
static bool check_parallel(struct lin_checker *c, uint64_t max_steps, double deadline)
{
	struct lin_pool P;
	memset(&P, 0, sizeof P);
	P.c = c;
	P.max_steps = max_steps;
	P.deadline = deadline;
	P.busy = xcalloc((size_t)c->nparts, sizeof *P.busy);
	pthread_mutex_init(&P.mu, NULL);
	pthread_cond_init(&P.cv, NULL);
	int nt = c->threads - 1, started = 0;
	pthread_t *th = xmalloc((size_t)(nt > 0 ? nt : 1) * sizeof *th);
	for (int i = 0; i < nt; i++)
		if (pthread_create(&th[started], NULL, pool_worker, &P) == 0)
			started++;
	pool_worker(&P);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&P.cv);
	pthread_mutex_destroy(&P.mu);
	free(th);
	free(P.busy);
	return !P.budget_out;
}

enum lin_verdict lin_check(struct lin_checker *c, const struct lin_budget *b)
{
	sync(c);
	uint64_t max_steps = b ? b->max_steps : 0, used = 0;
	double deadline = b && b->max_seconds > 0 ? lin_clock() + b->max_seconds : 0;
	bool budget_left = true;
	int open = 0;
	for (int pi = 0; pi < c->nparts; pi++) {
		if (c->parts[pi]->verdict == LIN_VIOLATION)
			return c->verdict = LIN_VIOLATION;
		open += c->parts[pi]->verdict == LIN_CHECKING;
	}
	c->open_parts = open;
	if (c->threads > 1 && open > 1) {
		budget_left = check_parallel(c, max_steps, deadline);
		return c->verdict = overall(c, budget_left);
	}
	for (;;) {
		bool work = false;
		for (int pi = 0; pi < c->nparts; pi++) {
			if (c->parts[pi]->verdict != LIN_CHECKING)
				continue;
			uint64_t q = LIN_QUANTUM;
			if (max_steps && max_steps - used < q)
				q = max_steps - used;
			uint64_t did = 0, started = 0;
			enum lin_verdict v = run_part(c, pi, q, deadline, &did, &started);
			used += did;
			c->st.steps += did;
			c->st.searches += started;
			if (v == LIN_VIOLATION) {
				if (c->bad_part < 0)
					c->bad_part = pi;
				return c->verdict = LIN_VIOLATION;
			}
			if (c->parts[pi]->verdict == LIN_CHECKING)
				work = true;
			if ((max_steps && used >= max_steps) ||
			    (deadline > 0 && lin_clock() > deadline)) {
				budget_left = false;
				break;
			}
		}
		if (!work || !budget_left)
			break;
	}
	return c->verdict = overall(c, budget_left);
}

enum lin_verdict lin_verdict(const struct lin_checker *c)
{
	return c->verdict;
}

int lin_nkeys(const struct lin_checker *c)
{
	return c->nparts;
}

const char *lin_key(const struct lin_checker *c, int i)
{
	return c->parts[i]->key;
}

enum lin_verdict lin_key_verdict(const struct lin_checker *c, int i)
{
	return c->parts[i]->verdict;
}

void lin_get_stats(const struct lin_checker *c, struct lin_stats *out)
{
	*out = c->st;
	out->nkeys = c->nparts;
	out->keys_ok = out->keys_bad = out->keys_open = 0;
	out->pinned = 0;
	for (int i = 0; i < c->nparts; i++) {
		out->pinned += c->parts[i]->pinned_searches;
		out->witness_hits += c->parts[i]->witness_hits;
		out->folded += c->parts[i]->folded;
		switch (c->parts[i]->verdict) {
		case LIN_OK: out->keys_ok++; break;
		case LIN_VIOLATION: out->keys_bad++; break;
		default: out->keys_open++; break;
		}
	}
}

/* ---- one shot ----------------------------------------------------------------- */

bool lin_model_fits(const struct history *h, enum lin_model m, struct sbuf *why)
{
	for (size_t i = 0; i < h->n; i++) {
		bool txn = h->ops[i].f == HIST_TXN;
		if (txn != (m == LIN_MODEL_MULTI_REGISTER)) {
			sbuf_printf(
			    why,
			    txn ? _("operation %zu is a transaction (:txn): only the "
				    "multi-register model checks those")
				: _("operation %zu is not a transaction: the multi-register "
				    "model checks only transactions (:txn)"),
			    i + 1);
			return false;
		}
	}
	return true;
}

enum lin_verdict lin_check_history(const struct history *h, enum lin_model m,
				   const struct lin_budget *b, struct sbuf *explain,
				   struct lin_stats *stats)
{
	struct lin_checker *c = lin_new(h, m);
	if (b)
		lin_set_threads(c, b->threads);
	double deadline = b && b->max_seconds > 0 ? lin_clock() + b->max_seconds : 0;
	enum lin_verdict v = lin_check(c, b);
	if (v == LIN_CHECKING)
		v = LIN_UNKNOWN;
	if (v == LIN_VIOLATION && explain) {
		/* The explanation is bounded by steps (so the core does not
		 * depend on the machine) and by what is left of the seconds. */
		struct lin_budget eb = {0, 0, 0};
		if (deadline > 0)
			eb.max_seconds = MAX(deadline - lin_clock(), 1e-6);
		lin_explain(c, &eb, explain);
	}
	if (stats)
		lin_get_stats(c, stats);
	lin_free(c);
	return v;
}

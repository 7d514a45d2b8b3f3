/*
 * history.c — the client history: operations, the string pool, recording
 * from the simulator's trace, and operations described in words. See
 * history.h. Reading and writing files is in history_io.c.
 */
#include "check/history.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* An open-addressing set of strings; every string is one malloc'd block. */
struct hist_pool {
	char **slot;
	size_t cap, n; /* cap is a power of two */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void pool_free(struct hist_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p);
}

static void pool_grow(struct hist_pool *p)
{
	size_t ncap = p->cap ? p->cap * 2 : 256;
	char **ns = xcalloc(ncap, sizeof *ns);
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->slot[i])
			continue;
		size_t j = str_hash(p->slot[i]) & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = p->slot[i];
	}
	free(p->slot);
	p->slot = ns;
	p->cap = ncap;
}

/* The pooled copy of s in *pp (made on first use). */
static const char *pool_intern(struct hist_pool **pp, const char *s)
{
	if (!s)
		return NULL;
	if (!*pp)
		*pp = xcalloc(1, sizeof **pp);
	struct hist_pool *p = *pp;
	if ((p->n + 1) * 2 > p->cap)
		pool_grow(p);
	size_t j = str_hash(s) & (p->cap - 1);
	while (p->slot[j]) {
		if (!strcmp(p->slot[j], s))
			return p->slot[j];
		j = (j + 1) & (p->cap - 1);
	}
	p->slot[j] = xstrdup(s);
	p->n++;
	return p->slot[j];
}

/* Puts the existing block s (not a copy) into p, unless it is there. */
static void pool_adopt(struct hist_pool *p, char *s)
{
	if ((p->n + 1) * 2 > p->cap)
		pool_grow(p);
	size_t j = str_hash(s) & (p->cap - 1);
	while (p->slot[j]) {
		if (p->slot[j] == s)
			return;
		j = (j + 1) & (p->cap - 1);
	}
	p->slot[j] = s;
	p->n++;
}

static bool pool_has(const struct hist_pool *p, const char *s)
{
	if (!p->cap)
		return false;
	size_t j = str_hash(s) & (p->cap - 1);
	while (p->slot[j]) {
		if (p->slot[j] == s)
			return true;
		j = (j + 1) & (p->cap - 1);
	}
	return false;
}

const char *history_intern(struct history *h, const char *s)
{
	return pool_intern(&h->pool, s);
}

/* Keys (and micro-operations' keys) live in a pool of their own that
 * history_forget never compacts: a checker or a view may hold them. */
static const char *key_intern(struct history *h, const char *s)
{
	return pool_intern(&h->kpool, s);
}

void history_init(struct history *h)
{
	memset(h, 0, sizeof *h);
	h->has_times = true;
	h->observer = -1;
}

static void free_ops(struct history *h)
{
	for (size_t i = h->base; i < h->n; i++)
		free(h->ops[i - h->base].mops);
	for (size_t i = 0; i < h->nkept; i++)
		free(h->kept[i].mops);
	free(h->kept);
	h->kept = NULL;
	h->nkept = 0;
	h->base = 0;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	history_detach(h);
	free_ops(h);
	free(h->ops);
	free(h->by_sim_id);
	pool_free(h->pool);
	pool_free(h->kpool);
	history_init(h);
}

void history_clear(struct history *h)
{
	free_ops(h);
	h->n = 0;
	h->rev++;
	h->epoch++;
	h->by_sim_base = 0;
	if (h->by_sim_id)
		memset(h->by_sim_id, 0, h->by_sim_cap * sizeof *h->by_sim_id);
}

uint32_t history_add(struct history *h, const struct hist_op *op)
{
	xgrow((void **)&h->ops, &h->cap, h->n - h->base + 1, sizeof *h->ops);
	struct hist_op *o = &h->ops[h->n - h->base];
	*o = *op;
	o->id = (uint32_t)h->n++;
	o->key = key_intern(h, op->key);
	o->arg = history_intern(h, op->arg);
	o->arg2 = history_intern(h, op->arg2);
	o->result = history_intern(h, op->result);
	o->why = history_intern(h, op->why);
	o->nmops = 0;
	o->mops = NULL;
	history_set_mops(h, o->id, op->mops, op->nmops);
	o->rev = ++h->rev;
	return o->id;
}

/* Operation i, to change: only those not forgotten. */
static struct hist_op *op_mut(struct history *h, size_t i)
{
	return i >= h->base && i < h->n ? &h->ops[i - h->base] : NULL;
}

void history_set_mops(struct history *h, uint32_t i, const struct hist_mop *mops, int n)
{
	struct hist_op *o = op_mut(h, i);
	if (!o)
		return;
	free(o->mops);
	o->mops = NULL;
	o->nmops = n > 0 ? n : 0;
	if (n > 0) {
		o->mops = xmalloc((size_t)n * sizeof *o->mops);
		for (int k = 0; k < n; k++) {
			o->mops[k].write = mops[k].write;
			o->mops[k].key = key_intern(h, mops[k].key);
			o->mops[k].val = history_intern(h, mops[k].val);
		}
	}
	o->rev = ++h->rev;
}

void history_complete(struct history *h, uint32_t i, int64_t at, enum op_outcome outcome,
		      const char *result, int node, const char *why)
{
	struct hist_op *o = op_mut(h, i);
	if (!o)
		return;
	o->outcome = outcome;
	bool open = outcome == OUT_UNKNOWN || outcome == OUT_PENDING;
	o->completed = open ? HIST_NEVER : at;
	o->gave_up = outcome == OUT_UNKNOWN ? at : HIST_NEVER;
	o->result = history_intern(h, result);
	if (node >= 0)
		o->node = node;
	o->why = history_intern(h, why);
	o->cas_false = false;
	o->rev = ++h->rev;
}

/* ---- forgetting the past ------------------------------------------------ */

static int kept_cmp(const void *key, const void *elem)
{
	size_t i = *(const size_t *)key;
	uint32_t id = ((const struct hist_op *)elem)->id;
	return i < id ? -1 : i > id;
}

const struct hist_op *history_kept_op(const struct history *h, size_t i)
{
	if (!h->nkept)
		return NULL;
	return bsearch(&i, h->kept, h->nkept, sizeof *h->kept, kept_cmp);
}

size_t history_held(const struct history *h)
{
	return h->n - h->base + h->nkept;
}

/* Moves the strings op names into p. */
static void adopt_strings(struct hist_pool *p, const struct hist_op *o)
{
	const char *f[] = {o->arg, o->arg2, o->result, o->why};
	for (size_t k = 0; k < ARRAY_LEN(f); k++)
		if (f[k])
			pool_adopt(p, (char *)f[k]);
	for (int k = 0; k < o->nmops; k++)
		if (o->mops[k].val)
			pool_adopt(p, (char *)o->mops[k].val);
}

/* Frees the pooled strings that no held operation names. */
static void compact_pool(struct history *h)
{
	struct hist_pool *old = h->pool;
	if (!old)
		return;
	struct hist_pool *np = xcalloc(1, sizeof *np);
	for (size_t i = h->base; i < h->n; i++)
		adopt_strings(np, &h->ops[i - h->base]);
	for (size_t i = 0; i < h->nkept; i++)
		adopt_strings(np, &h->kept[i]);
	for (size_t i = 0; i < old->cap; i++)
		if (old->slot[i] && !pool_has(np, old->slot[i]))
			free(old->slot[i]);
	free(old->slot);
	free(old);
	h->pool = np;
	h->pool_at_forget = np->n;
}

/* Whether id is in keep[*j..nkeep) (ascending), advancing *j. */
static bool wanted(uint32_t id, const uint32_t *keep, size_t nkeep, size_t *j)
{
	while (*j < nkeep && keep[*j] < id)
		(*j)++;
	return *j < nkeep && keep[*j] == id;
}

void history_forget(struct history *h, size_t upto, const uint32_t *keep, size_t nkeep)
{
	upto = MIN(upto, h->n);
	if (upto <= h->base)
		return;
	size_t cap = MIN(nkeep, h->nkept + (upto - h->base));
	struct hist_op *nk = xmalloc(MAX(cap, 1) * sizeof *nk);
	size_t m = 0, j = 0;
	for (size_t k = 0; k < h->nkept; k++) {
		if (m < cap && wanted(h->kept[k].id, keep, nkeep, &j))
			nk[m++] = h->kept[k];
		else
			free(h->kept[k].mops);
	}
	for (size_t i = h->base; i < upto; i++) {
		struct hist_op *o = &h->ops[i - h->base];
		if (m < cap && wanted((uint32_t)i, keep, nkeep, &j))
			nk[m++] = *o;
		else
			free(o->mops);
	}
	free(h->kept);
	h->kept = m ? xrealloc(nk, m * sizeof *nk) : (free(nk), NULL);
	h->nkept = m;
	size_t left = h->n - upto;
	memmove(h->ops, h->ops + (upto - h->base), left * sizeof *h->ops);
	h->base = upto;
	if (h->cap > 64 && left * 4 < h->cap) {
		h->cap = MAX(left * 2, 64);
		h->ops = xrealloc(h->ops, h->cap * sizeof *h->ops);
	}
	/* The simulator's ids of what remains: ids grow with invocations, so
	 * the map's lower part names forgotten operations only. */
	if (h->by_sim_id && left) {
		uint32_t lo = UINT32_MAX;
		for (size_t i = 0; i < left; i++)
			if (h->ops[i].sim_id < lo)
				lo = h->ops[i].sim_id;
		if (lo > h->by_sim_base && lo - h->by_sim_base <= h->by_sim_cap) {
			size_t d = lo - h->by_sim_base;
			memmove(h->by_sim_id, h->by_sim_id + d,
				(h->by_sim_cap - d) * sizeof *h->by_sim_id);
			memset(h->by_sim_id + (h->by_sim_cap - d), 0, d * sizeof *h->by_sim_id);
			h->by_sim_base = lo;
		}
	}
	if (h->pool && h->pool->n > 2 * h->pool_at_forget + 1024)
		compact_pool(h);
}

/* ---- recording from the simulator -------------------------------------- */

void history_op_from_client(const struct client_op *c, struct hist_op *out)
{
	static const enum hist_fn fns[] = {[KV_GET] = HIST_READ,
					   [KV_PUT] = HIST_WRITE,
					   [KV_CAS] = HIST_CAS,
					   [KV_APPEND] = HIST_APPEND};
	memset(out, 0, sizeof *out);
	out->sim_id = c->id;
	out->process = c->client;
	out->node = c->node;
	out->f = fns[c->op.fn];
	out->key = c->op.key;
	if (c->op.fn != KV_GET)
		out->arg = c->op.arg;
	if (c->op.fn == KV_CAS)
		out->arg2 = c->op.arg2;
	out->invoked = c->invoked;
	out->completed = HIST_NEVER;
	out->gave_up = HIST_NEVER;
	out->outcome = OUT_PENDING;
	if (c->outcome != OUT_PENDING) {
		bool f = c->outcome == OUT_FAIL && c->cas_false && c->op.fn == KV_CAS;
		out->outcome = f ? OUT_OK : c->outcome;
		out->cas_false = f;
		out->completed = c->outcome == OUT_UNKNOWN ? HIST_NEVER : c->completed;
		out->gave_up = c->outcome == OUT_UNKNOWN ? c->completed : HIST_NEVER;
		if (c->op.fn == KV_GET && c->outcome == OUT_OK && c->found)
			out->result = c->result;
		if (c->outcome != OUT_OK)
			out->why = c->why;
	}
}

static void map_sim_id(struct history *h, uint32_t sim_id, uint32_t idx)
{
	if (sim_id < h->by_sim_base)
		return; /* cannot happen: ids grow (history_forget) */
	sim_id -= h->by_sim_base;
	if (sim_id >= h->by_sim_cap) {
		size_t old = h->by_sim_cap;
		xgrow((void **)&h->by_sim_id, &h->by_sim_cap, (size_t)sim_id + 1,
		      sizeof *h->by_sim_id);
		memset(h->by_sim_id + old, 0, (h->by_sim_cap - old) * sizeof *h->by_sim_id);
	}
	h->by_sim_id[sim_id] = idx + 1;
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct history *h = ctx;
	const struct client_op *c = ev->op;
	if (c && c->op.fn == KV_SYNC)
		return; /* a sync changes and observes nothing: not an operation on a key */
	if (ev->kind == TR_INVOKE && c) {
		struct hist_op op;
		history_op_from_client(c, &op);
		map_sim_id(h, c->id, history_add(h, &op));
	} else if (ev->kind == TR_COMPLETE && c) {
		uint32_t k = c->id - h->by_sim_base;
		if (c->id < h->by_sim_base || k >= h->by_sim_cap || !h->by_sim_id[k])
			return; /* invoked before we attached (or forgotten) */
		uint32_t i = h->by_sim_id[k] - 1;
		struct hist_op d;
		history_op_from_client(c, &d);
		history_complete(h, i, c->completed, d.outcome, d.result, c->node, d.why);
		struct hist_op *o = op_mut(h, i);
		if (o)
			o->cas_false = d.cas_false;
	}
}

void history_attach(struct history *h, struct sim *s)
{
	history_detach(h);
	h->sim = s;
	h->has_times = true;
	h->observer = sim_observe(s, on_trace, h);
}

void history_detach(struct history *h)
{
	if (h && h->sim && h->observer >= 0)
		sim_unobserve(h->sim, h->observer);
	if (h) {
		h->sim = NULL;
		h->observer = -1;
	}
}

/* ---- words ---------------------------------------------------------------- */

const char *hist_fn_name(const struct hist_op *op)
{
	bool keyed = op->key != NULL;
	switch (op->f) {
	case HIST_READ: return keyed ? "get" : "read";
	case HIST_WRITE: return keyed ? "put" : "write";
	case HIST_CAS: return "cas";
	case HIST_APPEND: return "append";
	case HIST_TXN: return "txn";
	case HIST_ACQUIRE: return "acquire";
	case HIST_RELEASE: return "release";
	}
	return "?";
}

const char *hist_outcome_name(enum op_outcome o)
{
	switch (o) {
	case OUT_PENDING: return "pending";
	case OUT_OK: return "ok";
	case OUT_FAIL: return "fail";
	case OUT_UNKNOWN: return "unknown";
	}
	return "?";
}

static const char *val_or_nil(const char *v)
{
	return v ? v : "nil";
}

void history_describe_call(const struct history *h, const struct hist_op *op, struct sbuf *out)
{
	(void)h;
	const char *k = op->key;
	sbuf_puts(out, hist_fn_name(op));
	if (k)
		sbuf_printf(out, " %s", k);
	switch (op->f) {
	case HIST_READ:
		if (op->outcome == OUT_OK)
			sbuf_printf(out, " → %s", op->result ? op->result : _("absent"));
		break;
	case HIST_WRITE: sbuf_printf(out, k ? "=%s" : " %s", val_or_nil(op->arg)); break;
	case HIST_CAS:
		sbuf_printf(out, " %s→%s", val_or_nil(op->arg), val_or_nil(op->arg2));
		if (op->cas_false)
			sbuf_printf(out, " → %s", _("false"));
		break;
	case HIST_APPEND: sbuf_printf(out, k ? "+=%s" : " %s", val_or_nil(op->arg)); break;
	case HIST_TXN:
		sbuf_puts(out, " [");
		for (int i = 0; i < op->nmops; i++)
			sbuf_printf(out, "%s%c %s %s", i ? ", " : "", op->mops[i].write ? 'w' : 'r',
				    op->mops[i].key, val_or_nil(op->mops[i].val));
		sbuf_puts(out, "]");
		break;
	case HIST_ACQUIRE:
	case HIST_RELEASE: break;
	}
}

void history_describe_client(const struct history *h, const struct hist_op *op, struct sbuf *out)
{
	sbuf_printf(out, "%c%d", h->jepsen ? 'p' : 'c', op->process);
}

void history_describe_time(const struct history *h, const struct hist_op *op, bool completion,
			   struct sbuf *out)
{
	int64_t t = completion ? op->completed : op->invoked;
	int line = completion ? op->ret_line : op->line;
	if (t == HIST_NEVER) {
		sbuf_puts(out, _("never"));
	} else if (h->has_times) {
		char buf[32];
		sbuf_puts(out, simtime_fmt(t, buf, sizeof buf));
	} else if (line > 0) {
		sbuf_printf(out, _("line %d"), line);
	} else {
		sbuf_printf(out, _("event %lld"), (long long)t);
	}
}

void history_describe_op(const struct history *h, const struct hist_op *op, struct sbuf *out)
{
	history_describe_call(h, op, out);
	sbuf_printf(out, " %s ", _("by"));
	history_describe_client(h, op, out);
	if (op->node >= 0)
		sbuf_printf(out, " %s n%d", _("through"), op->node + 1);
	sbuf_puts(out, ", ");
	history_describe_time(h, op, false, out);
	if (op->completed != HIST_NEVER) {
		sbuf_puts(out, "–");
		history_describe_time(h, op, true, out);
	} else {
		sbuf_printf(out, " %s", _("onwards"));
	}
	sbuf_printf(out, ", %s", hist_outcome_name(op->outcome));
	if (op->why && (op->outcome != OUT_OK || op->cas_false))
		sbuf_printf(out, " (%s)", op->why);
}

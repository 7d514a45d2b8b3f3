/*
 * primary_invariants.c — safety of the `primary` protocol, checked after
 * every event:
 *
 *   1. One primary per epoch: two up nodes never act as primary of the same
 *      epoch (epochs are won by a majority of one-per-epoch votes).
 *   2. In-order application: every node's log is numbered 1..last without
 *      gaps, its epochs never decrease along the log, and its state machine
 *      equals the in-order application of its log (the checker keeps its
 *      own replay of each node's log to compare).
 *   3. Sync durability: a write acknowledged in sync mode was held by every
 *      backup when it was acknowledged, so every later primary has it at
 *      the same seq. "Later primary" is the up primary of the highest epoch.
 *
 * Writes acknowledged in async or semisync mode that a later primary does
 * not have are not violations: losing them is what those modes trade for
 * latency. The checker counts them (primary_invariants_lost), from its own
 * observation of the trace: it numbers each client's operations as the
 * client does (the n-th invocation of client c carries seq n) and, when an
 * operation completes ok, finds the entry in the answering node's log.
 */
#include "check/primary_invariants.h"

#include "proto/primary_internal.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct pi_write {
	int client;
	int64_t cseq, seq, epoch; /* seq -1: not found in any log when acked */
	int node;
	bool sync;
	bool lost;
	sim_time at;
	struct kv_op op;
};

struct pi_node {
	int64_t truncs; /* the node's truncation count when last replayed */
	int64_t cur;    /* log[..cur] applied to the shadow */
	bool dirty;
	struct pb_kv shadow;
};

struct pi {
	struct sim *sim;
	int handle;
	int64_t *cseq; /* per client: invocations so far */
	size_t nclients;
	struct pi_write *w;
	size_t nw, capw;
	size_t cursor;
	int top;
	int64_t top_epoch;
	int lost;
	int *owner; /* per epoch: node index + 1 of its primary, 0 if none seen */
	size_t nowner;
	struct pi_node node[SIM_MAX_NODES];
};

static const struct pb *pbof(struct sim *s, int i)
{
	return proto_self(s, i);
}

/* Where is (client, cseq) in node i's log? Recent writes are at the end. */
static const struct pb_entry *find_entry(struct sim *s, int i, int client, int64_t cseq)
{
	if (i < 0 || i >= sim_nodes(s))
		return NULL;
	const struct pb *p = pbof(s, i);
	for (int64_t k = p->nlog; k-- > 0;)
		if (p->log[k].client == client && p->log[k].cseq == cseq)
			return &p->log[k];
	return NULL;
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct pi *c = ctx;
	if (ev->kind == TR_INVOKE) {
		size_t cl = (size_t)ev->op->client;
		if (cl >= c->nclients) {
			size_t n = cl + 8;
			c->cseq = xrealloc(c->cseq, n * sizeof *c->cseq);
			memset(c->cseq + c->nclients, 0, (n - c->nclients) * sizeof *c->cseq);
			c->nclients = n;
		}
		c->cseq[cl]++;
		return;
	}
	if (ev->kind != TR_COMPLETE || ev->op->outcome != OUT_OK || ev->op->op.fn == KV_GET)
		return;
	const struct client_op *op = ev->op;
	if ((size_t)op->client >= c->nclients)
		return;
	struct pi_write w = {op->client, c->cseq[op->client], -1,    0, op->node, false,
			     false,      op->completed,       op->op};
	w.sync = sim_opts(c->sim)->v[PB_OPT_MODE].i == PB_SYNC;
	const struct pb_entry *e = find_entry(c->sim, op->node, w.client, w.cseq);
	if (!e)
		e = find_entry(c->sim, pb_top_primary(c->sim), w.client, w.cseq);
	if (e) {
		w.seq = e->seq;
		w.epoch = e->epoch;
	}
	xgrow((void **)&c->w, &c->capw, c->nw + 1, sizeof *c->w);
	c->w[c->nw++] = w;
}

static void *pi_create(struct sim *s)
{
	struct pi *c = xcalloc(1, sizeof *c);
	c->sim = s;
	c->top = -1;
	for (int i = 0; i < SIM_MAX_NODES; i++)
		pb_kv_init(&c->node[i].shadow);
	c->handle = sim_observe(s, on_trace, c);
	return c;
}

static void pi_destroy(void *self)
{
	struct pi *c = self;
	if (!c)
		return;
	sim_unobserve(c->sim, c->handle);
	for (int i = 0; i < SIM_MAX_NODES; i++)
		pb_kv_free(&c->node[i].shadow);
	free(c->cseq);
	free(c->w);
	free(c->owner);
	free(c);
}

static bool check_epochs(struct pi *c, struct sim *s, struct sbuf *why)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct pb *p = pbof(s, i);
		if (!sim_node(s, i)->up || p->role != PB_PRIMARY || p->epoch < 0)
			continue;
		size_t e = (size_t)p->epoch;
		if (e >= c->nowner) {
			size_t n = e + 16;
			c->owner = xrealloc(c->owner, n * sizeof *c->owner);
			memset(c->owner + c->nowner, 0, (n - c->nowner) * sizeof *c->owner);
			c->nowner = n;
		}
		if (!c->owner[e])
			c->owner[e] = i + 1;
		else if (c->owner[e] != i + 1) {
			sbuf_printf(
			    why,
			    "One primary per epoch: n%d and n%d both acted as primary of e%lld",
			    c->owner[e], i + 1, (long long)p->epoch);
			return false;
		}
	}
	return true;
}

static bool check_order(struct pi *c, struct sim *s, int i, struct sbuf *why)
{
	const struct pb *p = pbof(s, i);
	struct pi_node *pn = &c->node[i];
	if (pn->truncs != p->truncs || pn->cur > p->nlog) {
		pn->truncs = p->truncs;
		pn->cur = 0;
		pb_kv_clear(&pn->shadow);
		pn->dirty = true;
	}
	for (; pn->cur < p->nlog; pn->cur++) {
		const struct pb_entry *e = &p->log[pn->cur];
		if (e->seq != pn->cur + 1) {
			sbuf_printf(why,
				    "In-order application: n%d holds seq %lld at position %lld",
				    i + 1, (long long)e->seq, (long long)pn->cur + 1);
			return false;
		}
		if (pn->cur > 0 && e->epoch < p->log[pn->cur - 1].epoch) {
			sbuf_printf(why,
				    "In-order application: n%d's seq %lld is from e%lld, after an "
				    "entry from e%lld",
				    i + 1, (long long)e->seq, (long long)e->epoch,
				    (long long)p->log[pn->cur - 1].epoch);
			return false;
		}
		pb_kv_apply(&pn->shadow, e, NULL);
		pn->dirty = true;
	}
	if (pn->dirty && sim_node(s, i)->up) {
		struct sbuf d = {0};
		bool eq = pb_kv_equal(&pn->shadow, &p->kv, &d);
		if (!eq)
			sbuf_printf(why,
				    "In-order application: n%d's state is not its log applied in "
				    "order (seq 1..%lld): %s",
				    i + 1, (long long)p->nlog, sbuf_str(&d));
		sbuf_free(&d);
		if (!eq)
			return false;
		pn->dirty = false;
	}
	return true;
}

static bool check_writes(struct pi *c, struct sim *s, struct sbuf *why)
{
	int top = pb_top_primary(s);
	if (top < 0)
		return true;
	const struct pb *t = pbof(s, top);
	if (top != c->top || t->epoch != c->top_epoch) {
		c->top = top;
		c->top_epoch = t->epoch;
		c->cursor = 0;
	}
	for (; c->cursor < c->nw; c->cursor++) {
		struct pi_write *w = &c->w[c->cursor];
		if (w->lost || (w->seq >= 0 && w->epoch >= t->epoch))
			continue;
		if (w->seq >= 1 && w->seq <= t->nlog) {
			const struct pb_entry *e = &t->log[w->seq - 1];
			if (e->epoch == w->epoch && e->client == w->client && e->cseq == w->cseq)
				continue;
		}
		w->lost = true;
		c->lost++;
		if (w->sync) {
			struct sbuf op = {0};
			char tb[32];
			kv_op_fmt(&w->op, &op);
			sbuf_printf(why,
				    "Sync durability: %s (c%d, seq %lld of e%lld), acknowledged by "
				    "n%d at %s in sync mode, is not on the primary n%d of e%lld",
				    sbuf_str(&op), w->client, (long long)w->seq,
				    (long long)w->epoch, w->node + 1,
				    simtime_fmt(w->at, tb, sizeof tb), top + 1,
				    (long long)t->epoch);
			sbuf_free(&op);
			c->cursor++;
			return false;
		}
	}
	return true;
}

static bool pi_check(void *self, struct sim *s, struct sbuf *why)
{
	struct pi *c = self;
	if (sim_proto(s) != &primary_ops)
		return true;
	if (!check_epochs(c, s, why))
		return false;
	for (int i = 0; i < sim_nodes(s); i++)
		if (!check_order(c, s, i, why))
			return false;
	return check_writes(c, s, why);
}

int primary_invariants_acked(const void *self)
{
	const struct pi *c = self;
	return c ? (int)c->nw : 0;
}

int primary_invariants_lost(const void *self)
{
	const struct pi *c = self;
	return c ? c->lost : 0;
}

const struct invariant_ops primary_invariants = {
    .create = pi_create,
    .destroy = pi_destroy,
    .check = pi_check,
};

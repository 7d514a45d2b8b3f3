/*
 * primary_invariants.c — safety of the `primary` protocol, checked after
 * every event, and the one place that knows which writes were
 * acknowledged and which of them failovers lost:
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
 * latency. The checker counts them, from its own observation of the trace:
 * it numbers each client's operations as the client does (the n-th
 * invocation of client c carries seq n) and, when an operation completes
 * ok, finds the entry in the answering node's log. After every event it
 * looks for acknowledged writes that the primary of the highest epoch does
 * not hold, and for acknowledged writes that the node which acknowledged
 * them discarded; each finding is a note in the trace ("1 acknowledged
 * write is not on the primary n2 (e2), lost: put x 2 (c1, acked by n1)",
 * "n1 discarded 2 acknowledged writes (lost): ..."), and the counts answer
 * the predicates `acked-writes` and `lost-writes` (primary_invariants_preds,
 * declared in caps.c). The protocol itself keeps no such bookkeeping: it
 * never knows which of its answers reached a client.
 */
#include "check/primary_invariants.h"

#include "proto/primary_internal.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct pi_write {
	int client;
	int64_t cseq, seq, epoch; /* seq -1: not found in any log when acked */
	int node;                 /* the node that acknowledged it */
	bool sync;
	bool held;      /* found in that node's own log when acknowledged */
	bool lost;      /* counted in pi.lost */
	bool discarded; /* that node has discarded it since */
	sim_time at;
	struct kv_op op;
};

struct pi_node {
	int64_t truncs; /* the node's truncation count when last replayed */
	int64_t cur;    /* log[..cur] applied to the shadow */
	bool dirty;
	struct pb_kv shadow;
	int64_t seen_truncs; /* its truncation count when discards were last sought */
};

struct pi {
	struct sim *sim;
	bool ours; /* the simulation runs primary */
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
	struct sbuf viol; /* the first Sync durability violation, for pi_check */
	struct pi_node node[SIM_MAX_NODES];
};

static void account(struct pi *c, struct sim *s);

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
	if (ev->kind == TR_STEP) {
		account(c, c->sim);
		return;
	}
	if (!c->ours)
		return;
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
	struct pi_write w = {.client = op->client,
			     .cseq = c->cseq[op->client],
			     .seq = -1,
			     .node = op->node,
			     .at = op->completed,
			     .op = op->op};
	w.sync = sim_opts(c->sim)->v[PB_OPT_MODE].i == PB_SYNC;
	const struct pb_entry *e = find_entry(c->sim, op->node, w.client, w.cseq);
	w.held = e != NULL;
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
	c->ours = sim_proto(s) == &primary_ops;
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
	sbuf_free(&c->viol);
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

/* Does p's log hold w, at its seq, from the same epoch and client request? */
static bool holds(const struct pb *p, const struct pi_write *w)
{
	if (w->seq < 1 || w->seq > p->nlog)
		return false;
	const struct pb_entry *e = &p->log[w->seq - 1];
	return e->epoch == w->epoch && e->client == w->client && e->cseq == w->cseq;
}

/* Appends the k-th (0-based) write of a note's list: three, then "...". */
static void list_write(struct sbuf *out, const struct pi_write *w, int k, bool by)
{
	if (k < 3) {
		sbuf_puts(out, k ? ", " : "");
		kv_op_fmt(&w->op, out);
		if (by)
			sbuf_printf(out, " (c%d, acked by n%d)", w->client, w->node + 1);
		else
			sbuf_printf(out, " (c%d)", w->client);
	} else if (k == 3) {
		sbuf_puts(out, ", ...");
	}
}

/* Acknowledged writes that the primary of the highest epoch does not hold
 * are lost; a lost one acknowledged in sync mode breaks Sync durability.
 * Cheap: it resumes where it stopped unless that primary changed. */
static void find_lost(struct pi *c, struct sim *s)
{
	int top = pb_top_primary(s);
	if (top < 0)
		return;
	const struct pb *t = pbof(s, top);
	if (top != c->top || t->epoch != c->top_epoch) {
		c->top = top;
		c->top_epoch = t->epoch;
		c->cursor = 0;
	}
	struct sbuf list = {0};
	int k = 0;
	for (; c->cursor < c->nw; c->cursor++) {
		struct pi_write *w = &c->w[c->cursor];
		if (w->lost || (w->seq >= 0 && w->epoch >= t->epoch) || holds(t, w))
			continue;
		w->lost = true;
		c->lost++;
		list_write(&list, w, k++, true);
		if (w->sync && !c->viol.len) {
			struct sbuf op = {0};
			char tb[32];
			kv_op_fmt(&w->op, &op);
			sbuf_printf(&c->viol,
				    "Sync durability: %s (c%d, seq %lld of e%lld), acknowledged by "
				    "n%d at %s in sync mode, is not on the primary n%d of e%lld",
				    sbuf_str(&op), w->client, (long long)w->seq,
				    (long long)w->epoch, w->node + 1,
				    simtime_fmt(w->at, tb, sizeof tb), top + 1,
				    (long long)t->epoch);
			sbuf_free(&op);
		}
	}
	if (k)
		sim_note(s, TR_NOTE, top, -1,
			 "%d acknowledged write%s not on the primary n%d (e%lld), lost: %s", k,
			 k == 1 ? " is" : "s are", top + 1, (long long)t->epoch, sbuf_str(&list));
	sbuf_free(&list);
}

/* A node that cut its log back (it held entries its primary did not) may
 * have discarded writes it had itself acknowledged: those are lost too. */
static void find_discarded(struct pi *c, struct sim *s)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct pb *p = pbof(s, i);
		struct pi_node *pn = &c->node[i];
		if (p->truncs == pn->seen_truncs)
			continue;
		pn->seen_truncs = p->truncs;
		struct sbuf list = {0};
		int k = 0;
		for (size_t j = 0; j < c->nw; j++) {
			struct pi_write *w = &c->w[j];
			if (w->node != i || !w->held || w->discarded || holds(p, w))
				continue;
			w->discarded = true;
			if (!w->lost)
				c->lost++;
			w->lost = true;
			list_write(&list, w, k++, false);
		}
		if (k)
			sim_note(s, TR_NOTE, i, -1,
				 "n%d discarded %d acknowledged write%s (lost): %s", i + 1, k,
				 k == 1 ? "" : "s", sbuf_str(&list));
		sbuf_free(&list);
	}
}

/* Brings the count of lost writes up to date (after every event, and
 * before a predicate answers). */
static void account(struct pi *c, struct sim *s)
{
	if (!c->ours)
		return;
	find_lost(c, s);
	find_discarded(c, s);
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
	account(c, s);
	if (c->viol.len) {
		sbuf_puts(why, sbuf_str(&c->viol));
		return false;
	}
	return true;
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

/* ---- predicates -------------------------------------------------------------- */

/* Compares x with the optional groups a[i..i+k): "<= INT", ">= INT",
 * "= INT" in the order `ops` names them. No group given: x >= 1. */
static bool compare(const struct proto_args *a, int i, const char *ops, int64_t x)
{
	bool any = false, ok = true;
	for (int k = 0; ops[k]; k++, i++) {
		if (i >= a->n || !a->a[i].present)
			continue;
		any = true;
		int64_t v = a->a[i].num;
		switch (ops[k]) {
		case '<': ok = ok && x <= v; break;
		case '>': ok = ok && x >= v; break;
		case '=': ok = ok && x == v; break;
		}
	}
	return any ? ok : x >= 1;
}

static bool pred_lost(void *checker, struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	struct pi *c = checker;
	if (!c) {
		sbuf_puts(why, _("no checker watches this cluster"));
		return false;
	}
	account(c, s);
	sbuf_printf(
	    why,
	    P_("%d acknowledged write lost of %zu", "%d acknowledged writes lost of %zu", c->lost),
	    c->lost, c->nw);
	return compare(a, 0, "><=", c->lost);
}

static bool pred_acked(void *checker, struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)s;
	const struct pi *c = checker;
	if (!c) {
		sbuf_puts(why, _("no checker watches this cluster"));
		return false;
	}
	sbuf_printf(why, P_("%zu write acknowledged", "%zu writes acknowledged", c->nw), c->nw);
	return compare(a, 0, ">=", (int64_t)c->nw);
}

const struct check_pred primary_invariants_preds[] = {
    {{"lost-writes", "[>= INT] [<= INT] [= INT]",
      N_("acknowledged writes that a later primary does not have (lost by failovers)"), NULL},
     pred_lost},
    {{"acked-writes", "[>= INT] [= INT]", N_("writes acknowledged to clients so far"), NULL},
     pred_acked},
    {{NULL, NULL, NULL, NULL}, NULL},
};

const struct invariant_ops primary_invariants = {
    .create = pi_create,
    .destroy = pi_destroy,
    .check = pi_check,
};

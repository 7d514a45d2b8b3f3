/*
 * primary_kv.c — the state machine of the `primary` protocol and the
 * ledger of acknowledged writes.
 *
 * The state machine is the shared key-value machine with client sessions
 * (proto/kv.c), a pure function of the log: every node applies entries in
 * seq order, and after a crash or a truncation it replays the log from the
 * start (pb_replay). A write carries (client, cseq); the session remembers
 * each client's last cseq, its answer and the entry that holds it, so a
 * retry of a write that is already in the log is answered, not applied
 * twice (Ongaro's thesis, §6.3).
 *
 * The ledger records every write the protocol acknowledged to a client,
 * and finds the ones that a later primary does not have: the writes a
 * failover lost. It is the observer's knowledge, never the protocol's.
 */
#include "proto/primary_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void pb_kv_init(struct pb_kv *kv)
{
	kv_init(&kv->m);
}

void pb_kv_free(struct pb_kv *kv)
{
	if (kv)
		kv_close(&kv->m);
}

void pb_kv_clear(struct pb_kv *kv)
{
	kv_clear(&kv->m);
}

const char *pb_kv_get(const struct pb_kv *kv, const char *key)
{
	return kv_get(&kv->m, key);
}

const struct kv_session *pb_kv_session(const struct pb_kv *kv, int client)
{
	return kv_session(&kv->m, client);
}

void pb_kv_apply(struct pb_kv *kv, const struct pb_entry *e, struct kv_result *out)
{
	kv_apply(&kv->m, e->client, (uint64_t)e->cseq, e->seq, &e->op, out);
}

bool pb_kv_equal(const struct pb_kv *a, const struct pb_kv *b, struct sbuf *why)
{
	return kv_equal(&a->m, &b->m, why);
}

/* ---- the ledger --------------------------------------------------------------- */

struct pb_ledger *pb_ledger_of(struct sim *s)
{
	if (sim_nodes(s) < 1 || sim_proto(s) != &primary_ops)
		return NULL;
	return ((struct pb *)proto_self(s, 0))->ledger;
}

void pb_ledger_acked(struct pb *p, const struct client_req *r, const struct pb_entry *e)
{
	struct sim *s = p->n->sim;
	struct pb_ledger *l = pb_ledger_of(s);
	if (!l)
		return;
	/* An answer to a client that gave up acknowledges nothing. */
	bool waiting = false;
	for (int i = 0; i < sim_pending_count(s) && !waiting; i++)
		waiting = sim_pending(s, i)->id == r->op_id;
	if (!waiting)
		return;
	/* A retry answered again is the same write. Recent ones are at the end. */
	for (size_t i = l->n; i-- > 0 && i + 64 >= l->n;)
		if (l->w[i].client == e->client && l->w[i].cseq == e->cseq)
			return;
	xgrow((void **)&l->w, &l->cap, l->n + 1, sizeof *l->w);
	l->w[l->n++] = (struct pb_acked){e->client,  e->cseq,  e->seq,
					 e->epoch,   p->n->id, (enum pb_mode)pb_opt(p, PB_OPT_MODE),
					 *p->n->now, e->op,    false};
}

int pb_top_primary(struct sim *s)
{
	int best = -1;
	int64_t be = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		struct node *n = sim_node(s, i);
		const struct pb *p = n->self;
		if (n->up && p->role == PB_PRIMARY && p->epoch > be) {
			best = i;
			be = p->epoch;
		}
	}
	return best;
}

static void describe_lost(struct sbuf *out, const struct pb_acked *w, int k)
{
	if (!out)
		return;
	if (k < 3) {
		sbuf_puts(out, k ? ", " : "");
		kv_op_fmt(&w->op, out);
		sbuf_printf(out, " (c%d, acked by n%d)", w->client, w->node + 1);
	} else if (k == 3) {
		sbuf_puts(out, ", ...");
	}
}

int pb_ledger_check(struct sim *s, struct sbuf *out)
{
	struct pb_ledger *l = pb_ledger_of(s);
	int top = pb_top_primary(s);
	if (!l || top < 0)
		return 0;
	const struct pb *t = proto_self(s, top);
	if (top != l->top || t->epoch != l->top_epoch) {
		l->top = top;
		l->top_epoch = t->epoch;
		l->cursor = 0;
	}
	int k = 0;
	for (; l->cursor < l->n; l->cursor++) {
		struct pb_acked *w = &l->w[l->cursor];
		if (w->lost || w->epoch >= t->epoch)
			continue;
		const struct pb_entry *e = w->seq <= t->nlog ? &t->log[w->seq - 1] : NULL;
		if (e && e->epoch == w->epoch && e->client == w->client && e->cseq == w->cseq)
			continue;
		w->lost = true;
		l->lost++;
		describe_lost(out, w, k++);
	}
	return k;
}

int pb_ledger_discard(struct pb *p, int64_t from, int64_t to)
{
	struct pb_ledger *l = pb_ledger_of(p->n->sim);
	int k = 0;
	if (!l)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		struct pb_acked *w = &l->w[i];
		if (w->node != p->n->id || w->seq < from || w->seq > to)
			continue;
		const struct pb_entry *e = &p->log[w->seq - 1];
		if (e->epoch == w->epoch && e->client == w->client && e->cseq == w->cseq) {
			if (!w->lost)
				l->lost++;
			w->lost = true;
			k++;
		}
	}
	return k;
}

/*
 * multileader_view.c — what the screen, the trace and `expect` see of the
 * multileader protocol: node status and detail, messages in words, and the
 * predicates `value`, `siblings`, `converged`, `lost-updates` and
 * `conflicts`. Nothing here changes a node's state.
 */
#include "proto/multileader_internal.h"

#include "proto/hlc.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void ml_status(const void *self, struct node_status *out)
{
	(void)self;
	/* Every node is a writer; none is "the" leader (ROLE_OTHER keeps the
	 * generic `leader` predicate from firing). */
	*out = (struct node_status){ROLE_OTHER, N_("Writer"), -1, -1, -1};
}

/* "ts=1.200s [n1:1]" (physical), "L7 [n1:1]", "hlc 30.012s,2 [n1:1]". */
static void fmt_version(const struct ml_version *v, int clock, struct sbuf *out)
{
	if (clock == ML_CLOCK_PHYSICAL)
		sbuf_puts(out, "ts=");
	ml_fmt_stamp(v, clock, out);
	sbuf_putc(out, ' ');
	vclock_fmt(&v->vc, out);
}

void ml_describe(const void *self, struct node_view *v)
{
	const struct ml *m = self;
	memset(v, 0, sizeof *v);
	ml_status(self, &v->st);
	v->applied = -1;
	int nsib = 0;
	char val[KV_VAL_MAX];
	/* room for the writes line, the lost line and (logical clocks) the clock */
	int room = VIEW_LINES - 3 - (ml_clock(m) != ML_CLOCK_PHYSICAL);
	for (int i = 0; i < m->nkeys && v->nlines < room; i++) {
		const struct ml_key *k = &m->keys[i];
		if (!ml_read(k, val, sizeof val))
			continue;
		struct sbuf b = {0};
		if (k->nver == 1) {
			sbuf_printf(&b, "%s = %s  n%d ", k->key, val, k->ver[0].writer + 1);
			fmt_version(&k->ver[0], ml_clock(m), &b);
		} else {
			nsib++;
			sbuf_printf(&b, "%s = %s  ", k->key, val);
			sbuf_printf(&b, P_("(%d sibling)", "(%d siblings)", k->nver), k->nver);
		}
		ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
		sbuf_free(&b);
	}
	struct sbuf b = {0};
	if (ml_clock(m) == ML_CLOCK_LAMPORT) {
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("Lamport clock %llu"),
			    (unsigned long long)m->lamport);
	} else if (ml_clock(m) == ML_CLOCK_HLC) {
		hlc_fmt(m->hlc_l, m->hlc_c, &b);
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _("hybrid logical clock (l,c) %s"), sbuf_str(&b));
		sbuf_clear(&b);
	}
	sbuf_printf(&b, P_("%zu write here", "%zu writes here", m->nout), m->nout);
	bool any = false;
	for (int p = 0; p < node_count(m->n); p++) {
		if (p == m->n->id || m->acked[p] >= m->nout)
			continue;
		sbuf_printf(&b, "%s n%d %u", any ? "," : _("; unacked:"), p + 1,
			    (unsigned)(m->nout - m->acked[p]));
		any = true;
	}
	ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
	sbuf_clear(&b);
	if (m->nlost) {
		const struct ml_lost *l = &m->lost[m->nlost - 1];
		sbuf_printf(
		    &b,
		    P_("%zu lost update here; last: ", "%zu lost updates here; last: ", m->nlost),
		    m->nlost);
		ml_fmt_write(l->key, l->value, l->writer, &b);
		ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
	}
	sbuf_free(&b);
	if (nsib)
		ns_snprintf(v->badge, sizeof v->badge, P_("%d key split", "%d keys split", nsib),
			    nsib);
	else
		ns_snprintf(v->badge, sizeof v->badge, P_("%d key", "%d keys", m->nkeys), m->nkeys);
}

void ml_describe_msg(const struct msg *msg, struct sbuf *out)
{
	if (msg->type == ML_MSG_ACK) {
		uint32_t upto = 0;
		if (msg->len == 8) {
			const uint8_t *p = (const uint8_t *)msg->data + 4;
			upto = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24;
		}
		sbuf_printf(out, "Ack n%d's writes up to #%u", msg->to + 1, upto);
		return;
	}
	uint32_t lo;
	int count, clock;
	char keys[ML_BATCH][KV_KEY_MAX];
	struct ml_version *v = xmalloc(ML_BATCH * sizeof *v);
	if (!ml_decode_batch(msg, &lo, &count, &clock, keys, v, ML_BATCH)) {
		sbuf_puts(out, "Replicate ?");
		free(v);
		return;
	}
	sbuf_puts(out, "Replicate");
	if (count > 1)
		sbuf_printf(out, " #%u..%u:", lo, lo + (uint32_t)count - 1);
	for (int i = 0; i < count && i < 2; i++) {
		struct kv_op op = {.fn = KV_PUT};
		ns_strlcpy(op.key, keys[i], sizeof op.key);
		ns_strlcpy(op.arg, v[i].value, sizeof op.arg);
		sbuf_puts(out, i ? ", " : " ");
		kv_op_fmt(&op, out);
		sbuf_putc(out, ' ');
		fmt_version(&v[i], clock, out);
	}
	if (count > 2)
		sbuf_printf(out, ", +%d more", count - 2);
	free(v);
}

/* ---- predicates ---------------------------------------------------------------- */

static const struct ml *node_ml(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

/* value NODE KEY = VALUE: what a get at NODE would return. */
static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	char val[KV_VAL_MAX];
	bool found = ml_read(ml_find_key(node_ml(s, i), a->a[1].str), val, sizeof val);
	if (found)
		sbuf_printf(why, _("n%d has %s = %s"), i + 1, a->a[1].str, val);
	else
		sbuf_printf(why, _("n%d has no %s"), i + 1, a->a[1].str);
	if (!sim_node(s, i)->up)
		sbuf_printf(why, " %s", _("(down)"));
	return found && !strcmp(val, a->a[2].str);
}

/* siblings KEY >= INT: at some up node. */
static bool pred_siblings(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int best = 0, at = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct ml_key *k = ml_find_key(node_ml(s, i), a->a[0].str);
		if (sim_node(s, i)->up && k && k->nver > best) {
			best = k->nver;
			at = i;
		}
	}
	if (at < 0)
		sbuf_printf(why, _("no up node has %s"), a->a[0].str);
	else
		sbuf_printf(why,
			    P_("n%d holds %d version of %s", "n%d holds %d versions of %s", best),
			    at + 1, best, a->a[0].str);
	return best >= a->a[1].num;
}

static bool same_versions(const struct ml_key *x, const struct ml_key *y)
{
	int nx = x ? x->nver : 0, ny = y ? y->nver : 0;
	if (nx != ny)
		return false;
	for (int i = 0; i < nx; i++) {
		bool hit = false;
		for (int j = 0; j < ny && !hit; j++)
			hit = x->ver[i].writer == y->ver[j].writer &&
			      x->ver[i].wseq == y->ver[j].wseq;
		if (!hit)
			return false;
	}
	return true;
}

static void say_versions(const struct ml_key *k, struct sbuf *out)
{
	char val[KV_VAL_MAX];
	if (ml_read(k, val, sizeof val))
		sbuf_printf(out, "%s", val);
	else
		sbuf_puts(out, _("nothing"));
}

/* converged: nothing is on its way — no client operation pending, no
 * Replicate on the wire to an up node — and every up node holds the same
 * versions of every key. Without the first part it could hold the instant
 * after a put was issued, before its node applied it. */
static bool pred_converged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	if (sim_pending_count(s)) {
		sbuf_printf(why,
			    P_("%d client operation is pending", "%d client operations are pending",
			       sim_pending_count(s)),
			    sim_pending_count(s));
		return false;
	}
	for (int i = 0; i < sim_inflight_count(s); i++) {
		const struct msg *m = sim_inflight(s, i);
		if (m->type == ML_MSG_REPLICATE && sim_node(s, m->to)->up) {
			sbuf_printf(why, _("a Replicate from n%d to n%d is on the wire"),
				    m->from + 1, m->to + 1);
			return false;
		}
	}
	int ref = -1, nup = 0;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up)
			continue;
		nup++;
		if (ref < 0) {
			ref = i;
			continue;
		}
		/* every key either node has */
		for (int side = 0; side < 2; side++) {
			const struct ml *from = node_ml(s, side ? i : ref);
			for (int k = 0; k < from->nkeys; k++) {
				const char *key = from->keys[k].key;
				const struct ml_key *x = ml_find_key(node_ml(s, ref), key);
				const struct ml_key *y = ml_find_key(node_ml(s, i), key);
				if (same_versions(x, y))
					continue;
				sbuf_printf(why, _("n%d and n%d differ on %s: "), ref + 1, i + 1,
					    key);
				say_versions(x, why);
				sbuf_puts(why, _(" vs "));
				say_versions(y, why);
				return false;
			}
		}
	}
	if (nup == 0) {
		sbuf_puts(why, _("no node is up"));
		return false;
	}
	sbuf_printf(why,
		    P_("the %d up node holds the same versions",
		       "all %d up nodes hold the same versions", nup),
		    nup);
	return true;
}

static int cmp_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return *x < *y ? -1 : *x > *y;
}

/* Write ids (writer, wseq) packed for sorting. */
static uint64_t wid(int writer, uint32_t wseq)
{
	return (uint64_t)writer << 32 | wseq;
}

/* lost-updates >= INT: distinct writes some node lost. */
static bool pred_lost(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	size_t n = 0, cap = 0;
	uint64_t *ids = NULL;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct ml *m = node_ml(s, i);
		for (size_t k = 0; k < m->nlost; k++) {
			xgrow((void **)&ids, &cap, n + 1, sizeof *ids);
			ids[n++] = wid(m->lost[k].writer, m->lost[k].wseq);
		}
	}
	if (n)
		qsort(ids, n, sizeof *ids, cmp_pair);
	/* The writes named go after the count; `why` may already hold what
	 * other parts of a predicate said, so they are gathered apart. */
	struct sbuf named = {0};
	size_t distinct = 0;
	for (size_t k = 0; k < n; k++) {
		if (k && ids[k] == ids[k - 1])
			continue;
		const struct ml_write *w = ml_write_of(s, (int)(ids[k] >> 32), (uint32_t)ids[k]);
		if (w && distinct < 4) {
			sbuf_puts(&named, distinct ? ", " : ": ");
			ml_fmt_write(w->key, w->v.value, w->v.writer, &named);
		}
		distinct++;
	}
	free(ids);
	sbuf_printf(why, P_("%zu lost update", "%zu lost updates", distinct), distinct);
	sbuf_puts(why, sbuf_str(&named));
	sbuf_free(&named);
	return (int64_t)distinct >= a->a[0].num;
}

static int cmp_conflict(const void *a, const void *b)
{
	const struct ml_conflict *x = a, *y = b;
	uint64_t xa = wid(x->w1, x->s1), ya = wid(y->w1, y->s1);
	uint64_t xb = wid(x->w2, x->s2), yb = wid(y->w2, y->s2);
	if (xa != ya)
		return xa < ya ? -1 : 1;
	return xb < yb ? -1 : xb > yb;
}

/* conflicts >= INT: distinct pairs of concurrent writes some node met.
 * O(p log p) in the pairs recorded. */
static bool pred_conflicts(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	size_t n = 0, cap = 0;
	struct ml_conflict *all = NULL;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct ml *m = node_ml(s, i);
		xgrow((void **)&all, &cap, n + m->nconf + 1, sizeof *all);
		if (m->nconf)
			memcpy(all + n, m->conf, m->nconf * sizeof *all);
		n += m->nconf;
	}
	if (n)
		qsort(all, n, sizeof *all, cmp_conflict);
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (!i || cmp_conflict(&all[i], &all[i - 1]))
			distinct++;
	free(all);
	sbuf_printf(why,
		    P_("%zu conflict (pair of concurrent writes)",
		       "%zu conflicts (pairs of concurrent writes)", distinct),
		    distinct);
	return (int64_t)distinct >= a->a[0].num;
}

const struct proto_pred ml_preds[] = {
    {"value", "NODE KEY = VALUE",
     N_("a get at NODE would return VALUE (siblings sorted and joined by |: \"a|b\")"), pred_value},
    {"siblings", "KEY >= INT", N_("some up node holds at least INT concurrent versions of KEY"),
     pred_siblings},
    {"converged", "",
     N_("nothing in flight (no pending operation, no Replicate on the wire to an up node) and "
	"every up node holds the same versions of every key"),
     pred_converged},
    {"lost-updates", ">= INT",
     N_("at least INT writes were lost to last-writer-wins (overwritten by a write that did "
	"not causally follow them)"),
     pred_lost},
    {"conflicts", ">= INT", N_("at least INT pairs of concurrent writes were detected"),
     pred_conflicts},
    {NULL, NULL, NULL, NULL},
};

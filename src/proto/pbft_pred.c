/*
 * pbft_pred.c — PBFT's predicates for `expect` and `run until`: a
 * replica's view and whether it is the primary, how far it executed, what
 * its state machine holds, and whether correct replicas diverged (the
 * safety property of Castro & Liskov §4: "all non-faulty replicas agree on
 * a total order for the execution of requests").
 *
 * "Correct" means loyal now (sim_byzantine): the protocol is never told
 * who the traitors are, but its predicates, like its checker, may ask.
 */
#include "proto/pbft.h"

#include "util/i18n.h"

#include <string.h>

static bool cmp_op(const char *op, int64_t x, int64_t y)
{
	if (!strcmp(op, ">="))
		return x >= y;
	if (!strcmp(op, ">"))
		return x > y;
	if (!strcmp(op, "<="))
		return x <= y;
	if (!strcmp(op, "<"))
		return x < y;
	if (!strcmp(op, "!="))
		return x != y;
	return x == y;
}

/* view NODE CMP INT */
static bool pred_view(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct pbft *p = pbft_of(s, a->a[0].node);
	if (!p)
		return false;
	sbuf_printf(why, p->changing ? _("n%d is changing to view %lld") : _("n%d is in view %lld"),
		    a->a[0].node + 1, (long long)p->view);
	return cmp_op(a->a[1].str, p->view, a->a[2].num);
}

/* primary NODE: NODE is up, in a view it has entered, and its primary. */
static bool pred_primary(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct pbft *p = pbft_of(s, i);
	if (!p)
		return false;
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	if (p->changing) {
		sbuf_printf(why, _("n%d is changing to view %lld"), i + 1, (long long)p->view);
		return false;
	}
	sbuf_printf(why, _("n%d is in view %lld, whose primary is n%d"), i + 1, (long long)p->view,
		    pbft_primary(p, p->view) + 1);
	return pbft_primary(p, p->view) == i;
}

/* executed NODE >= INT */
static bool pred_executed(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct pbft *p = pbft_of(s, a->a[0].node);
	if (!p)
		return false;
	sbuf_printf(why, _("n%d executed up to n=%lld"), a->a[0].node + 1, (long long)p->executed);
	return p->executed >= a->a[1].num;
}

/* value NODE KEY = VALUE */
static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct pbft *p = pbft_of(s, a->a[0].node);
	if (!p)
		return false;
	const char *v = kv_get(&p->kv, a->a[1].str);
	if (!v) {
		sbuf_printf(why, _("%s is unset at n%d"), a->a[1].str, a->a[0].node + 1);
		return false;
	}
	sbuf_printf(why, _("%s = %s at n%d"), a->a[1].str, v, a->a[0].node + 1);
	return !strcmp(v, a->a[2].str);
}

bool pbft_diverged(struct sim *s, struct sbuf *why)
{
	int nn = sim_nodes(s);
	int64_t top = 0;
	for (int k = 0; k < nn; k++)
		top = MAX(top, pbft_of(s, k)->executed);
	for (int64_t n = 1; n <= top; n++) {
		int first = -1;
		const struct pbft_slot *a = NULL;
		for (int k = 0; k < nn; k++) {
			if (sim_byzantine(s, k) != BYZ_LOYAL)
				continue;
			const struct pbft_slot *sl = pbft_slot_c(pbft_of(s, k), n);
			if (!sl || !sl->executed)
				continue;
			if (first < 0) {
				first = k;
				a = sl;
				continue;
			}
			if (memcmp(&sl->ereq, &a->ereq, sizeof sl->ereq)) {
				char x[48], y[48];
				pbft_req_fmt(&a->ereq, x, sizeof x);
				pbft_req_fmt(&sl->ereq, y, sizeof y);
				if (why)
					sbuf_printf(
					    why,
					    _("at n=%lld correct n%d executed %s, correct n%d %s"),
					    (long long)n, first + 1, x, k + 1, y);
				return true;
			}
		}
	}
	if (why)
		sbuf_printf(why, _("correct replicas agree on every sequence number up to %lld"),
			    (long long)top);
	return false;
}

static bool pred_diverged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	return pbft_diverged(s, why);
}

const struct proto_pred pbft_preds[] = {
    {"view", "NODE >=|>|<=|<|=|!= INT",
     N_("NODE's view (the one it is in, or changing to) compared with INT"), pred_view},
    {"primary", "NODE", N_("NODE is up, in a view it has entered, and that view's primary"),
     pred_primary},
    {"executed", "NODE >= INT", N_("NODE has executed every request up to sequence number INT"),
     pred_executed},
    {"value", "NODE KEY = VALUE", N_("KEY has VALUE in NODE's state machine"), pred_value},
    {"diverged", "",
     N_("two correct (loyal) replicas executed different requests at one sequence number"),
     pred_diverged},
    {NULL, NULL, NULL, NULL},
};

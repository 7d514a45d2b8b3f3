/*
 * generals_view.c — what the Byzantine generals show and answer: each
 * node's status and side pane (the values a lieutenant heard per path,
 * the majority it computed, its decision), the `order` command, and the
 * predicates `agreement` (IC1), `validity` (IC2), `decided`, `heard` and
 * `decided-all` (Lamport, Shostak & Pease 1982; the algorithm is in
 * generals.c).
 *
 * "Loyal" in the predicates is the observer's knowledge: a node the
 * simulator has not made a traitor (sim_byzantine). The protocol itself
 * never knows — which is the whole difficulty.
 */
#include "proto/generals.h"

#include "util/i18n.h"

#include <string.h>

/* ---- the latest order ---------------------------------------------------------- */

static uint32_t latest(struct sim *s)
{
	uint32_t o = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		if (gen_of(s, i)->order > o)
			o = gen_of(s, i)->order;
	return o;
}

/* Node i takes part in order o: up, and it began o (a node that crashed
 * meanwhile has forgotten it). */
static bool takes_part(struct sim *s, int i, uint32_t o)
{
	const struct gen *g = gen_of(s, i);
	return sim_node(s, i)->up && g->order == o && (g->round || g->done);
}

/* The commander and true order of order o, from any node that took part. */
static bool order_of(struct sim *s, uint32_t o, int *commander, int *truth)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct gen *g = gen_of(s, i);
		if (g->order == o && (g->round || g->done)) {
			*commander = g->commander;
			*truth = g->truth;
			return true;
		}
	}
	return false;
}

/* Loyal in this order: it never sent as a traitor (a node made loyal after
 * lying is still the traitor of this order; one that turns traitor after
 * its last message obeyed the algorithm while it mattered). */
static bool loyal(struct sim *s, int i)
{
	return !gen_of(s, i)->lied;
}

/* ---- status and describe --------------------------------------------------------- */

void generals_status(const void *self, struct node_status *out)
{
	const struct gen *g = self;
	bool cmd = g->commander == g->n->id;
	*out = (struct node_status){cmd ? ROLE_LEADER : ROLE_FOLLOWER,
				    cmd ? N_("Commander") : N_("Lieutenant"), -1, -1, g->commander};
}

static char *line(struct node_view *v)
{
	return v->nlines < VIEW_LINES ? v->lines[v->nlines++] : v->lines[VIEW_LINES - 1];
}

void generals_describe(const void *self, struct node_view *v)
{
	const struct gen *g = self;
	int n = node_count(g->n), me = g->n->id, c = g->commander;
	memset(v, 0, sizeof *v);
	generals_status(self, &v->st);
	v->applied = -1;
	if (g->n->byz != BYZ_LOYAL)
		ns_snprintf(line(v), VIEW_LINE_LEN,
			    _("TRAITOR (%s): runs the loyal code, but what it sends is forged"),
			    byz_mode_str((enum byz_mode)g->n->byz));
	if (!g->n->up) {
		ns_strlcpy(v->badge, _("down"), sizeof v->badge);
		ns_strlcpy(line(v), _("down: it forgets the order in progress"), VIEW_LINE_LEN);
		return;
	}
	if (!g->round && !g->done) {
		ns_strlcpy(v->badge, _("waiting"), sizeof v->badge);
		ns_strlcpy(line(v), _("no order in progress: `order attack` or `order retreat`"),
			   VIEW_LINE_LEN);
		return;
	}
	if (me == c) {
		ns_snprintf(v->badge, sizeof v->badge, _("orders %s"), gen_value_str(g->decision));
		ns_snprintf(line(v), VIEW_LINE_LEN, _("commander of order #%u, OM(%d): %s"),
			    g->order, g->m, gen_value_str(g->decision));
		ns_snprintf(line(v), VIEW_LINE_LEN,
			    P_("sent %u message", "sent %u messages", g->sent), g->sent);
		return;
	}
	ns_snprintf(line(v), VIEW_LINE_LEN, _("lieutenant in order #%u, OM(%d), commander n%d"),
		    g->order, g->m, c + 1);
	uint8_t p[GEN_MAX_PATH] = {(uint8_t)c};
	int direct = gen_value_at(g, p, 1);
	ns_snprintf(line(v), VIEW_LINE_LEN, _("heard from n%d (commander): %s"), c + 1,
		    direct                    ? gen_value_str(direct)
		    : g->done || g->round > 1 ? _("nothing: takes retreat")
					      : _("nothing yet"));
	/* What each other lieutenant said the commander said ({c, j}); after
	 * the decision, with m >= 2, what j's sub-instance came to. */
	for (int j = 0; j < n; j++) {
		if (j == me || j == c)
			continue;
		p[1] = (uint8_t)j;
		int said = gen_value_at(g, p, 2);
		const char *w = said                      ? gen_value_str(said)
				: g->done || g->round > 2 ? _("nothing: takes retreat")
							  : _("nothing yet");
		if (g->m == 0)
			break;
		if (g->done && g->m >= 2)
			ns_snprintf(line(v), VIEW_LINE_LEN,
				    _("n%d says n%d said %s; OM(%d) from n%d comes to %s"), j + 1,
				    c + 1, w, g->m - 1, j + 1, gen_value_str(g->top[j]));
		else
			ns_snprintf(line(v), VIEW_LINE_LEN, _("n%d says n%d said %s"), j + 1, c + 1,
				    w);
	}
	if (g->done) {
		int att = 0, tot = 0;
		for (int j = 0; j < n && g->m >= 1; j++)
			if (j != me) {
				att += g->top[j] == GEN_ATTACK;
				tot++;
			}
		if (g->m >= 1)
			ns_snprintf(line(v), VIEW_LINE_LEN,
				    _("majority of %d: %d attack, %d retreat -> %s%s"), tot, att,
				    tot - att, gen_value_str(g->decision),
				    2 * att == tot ? _(" (no majority: retreat)") : "");
		ns_snprintf(line(v), VIEW_LINE_LEN, _("DECIDED: %s"), gen_value_str(g->decision));
		ns_strlcpy(v->badge, gen_value_str(g->decision), sizeof v->badge);
	} else {
		ns_snprintf(line(v), VIEW_LINE_LEN, _("round %d of %d"), g->round, g->m + 1);
		ns_snprintf(v->badge, sizeof v->badge, _("round %d/%d"), g->round, g->m + 1);
	}
	if (g->nmissing) {
		char *l = line(v);
		struct sbuf who = {0};
		for (int j = 0; j < n; j++)
			if (nodeset_has(&g->missing_from, j))
				sbuf_printf(&who, " n%d", j + 1);
		ns_snprintf(l, VIEW_LINE_LEN,
			    P_("%d message missing, taken as retreat (from%s)",
			       "%d messages missing, taken as retreat (from%s)", g->nmissing),
			    g->nmissing, sbuf_str(&who));
		sbuf_free(&who);
	}
	sim_time a, f;
	if (node_timer_span(g->n, 0, &a, &f))
		view_add_timer(v, _("end of round"), VT_TIMEOUT, -1, a, f);
}

/* ---- the order command -------------------------------------------------------- */

static int cmd_order(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int value = gen_value_parse(a->a[0].str);
	if (!value) {
		sbuf_printf(err, _("an order is attack or retreat, not %s"), a->a[0].str);
		return -1;
	}
	int commander = 0;
	uint32_t o = latest(s);
	int truth;
	if (a->a[1].present)
		commander = a->a[1].node;
	else if (o)
		order_of(s, o, &commander, &truth);
	return generals_order(s, commander, value, err);
}

const struct proto_cmd generals_commands[] = {
    {"order", "WORD [via NODE]",
     N_("the commander (n1, the last one, or NODE) orders attack or retreat: OM(m) runs its "
	"m+1 rounds on every up node"),
     cmd_order},
    {NULL, NULL, NULL, NULL},
};

/* ---- predicates ------------------------------------------------------------------ */

/* Every loyal lieutenant taking part has decided; false (with who) if not. */
static bool all_decided(struct sim *s, uint32_t o, int c, struct sbuf *why)
{
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != c && takes_part(s, i, o) && !gen_of(s, i)->done) {
			sbuf_printf(why, _("n%d has not decided yet (round %d of %d)"), i + 1,
				    gen_of(s, i)->round, gen_of(s, i)->m + 1);
			return false;
		}
	return true;
}

static void decisions(struct sim *s, uint32_t o, int c, struct sbuf *why)
{
	bool first = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (i == c || !takes_part(s, i, o))
			continue;
		sbuf_printf(why, "%sn%d %s%s", first ? "" : ", ", i + 1,
			    gen_value_str(gen_of(s, i)->decision),
			    loyal(s, i) ? "" : _(" (traitor)"));
		first = false;
	}
}

/* agreement — IC1: "All loyal lieutenants obey the same order." */
static bool pred_agreement(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t o = latest(s);
	int c, truth;
	if (!o || !order_of(s, o, &c, &truth)) {
		sbuf_puts(why, _("no order has been given"));
		return false;
	}
	if (!all_decided(s, o, c, why))
		return false;
	int seen = GEN_NONE;
	bool ok = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (i == c || !takes_part(s, i, o) || !loyal(s, i))
			continue;
		int d = gen_of(s, i)->decision;
		if (seen && d != seen)
			ok = false;
		seen = d;
	}
	decisions(s, o, c, why);
	return ok;
}

/* validity — IC2: "If the commanding general is loyal, then every loyal
 * lieutenant obeys the order he sends." */
static bool pred_validity(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t o = latest(s);
	int c, truth;
	if (!o || !order_of(s, o, &c, &truth)) {
		sbuf_puts(why, _("no order has been given"));
		return false;
	}
	if (!all_decided(s, o, c, why))
		return false;
	if (!loyal(s, c)) {
		sbuf_printf(why, _("the commander n%d is a traitor: IC2 asks nothing; "), c + 1);
		decisions(s, o, c, why);
		return true;
	}
	bool ok = true;
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != c && takes_part(s, i, o) && loyal(s, i) && gen_of(s, i)->decision != truth)
			ok = false;
	sbuf_printf(why, _("the loyal commander n%d ordered %s: "), c + 1, gen_value_str(truth));
	decisions(s, o, c, why);
	return ok;
}

/* decided NODE WORD: NODE, a lieutenant of the latest order, decided WORD. */
static bool pred_decided(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node, want = gen_value_parse(a->a[1].str);
	const struct gen *g = gen_of(s, i);
	if (!want) {
		sbuf_printf(why, _("an order is attack or retreat, not %s"), a->a[1].str);
		return false;
	}
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	if (!g->done || g->commander == i) {
		sbuf_printf(
		    why, g->commander == i ? _("n%d is the commander") : _("n%d has not decided"),
		    i + 1);
		return false;
	}
	sbuf_printf(why, _("n%d decided %s in order #%u"), i + 1, gen_value_str(g->decision),
		    g->order);
	return g->decision == want;
}

/* heard NODE WORD from NODE: in the order NODE is carrying out (or last
 * carried out), some message whose sender was the second NODE brought it
 * WORD in time. */
static bool pred_heard(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node, from = a->a[2].node, want = gen_value_parse(a->a[1].str);
	const struct gen *g = gen_of(s, i);
	if (!want) {
		sbuf_printf(why, _("an order is attack or retreat, not %s"), a->a[1].str);
		return false;
	}
	bool any = false, hit = false;
	sbuf_printf(why, _("n%d heard from n%d:"), i + 1, from + 1);
	for (int k = 0; k < g->nrec; k++) {
		const struct gen_rec *r = &g->rec[k];
		if (r->path[r->len - 1] != from || r->late)
			continue;
		sbuf_puts(why, any ? ", " : " ");
		for (int h = r->len - 2; h >= 0; h--)
			sbuf_printf(why, "n%d said ", r->path[h] + 1);
		sbuf_puts(why, gen_value_str(r->value));
		any = true;
		hit = hit || r->value == want;
	}
	if (!any)
		sbuf_puts(why, _(" nothing"));
	return hit;
}

/* decided-all: every up lieutenant of the latest order has decided. */
static bool pred_decided_all(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t o = latest(s);
	int c, truth;
	if (!o || !order_of(s, o, &c, &truth)) {
		sbuf_puts(why, _("no order has been given"));
		return false;
	}
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != c && takes_part(s, i, o) && !gen_of(s, i)->done) {
			sbuf_printf(why, _("n%d has not decided yet (round %d of %d)"), i + 1,
				    gen_of(s, i)->round, gen_of(s, i)->m + 1);
			return false;
		}
	decisions(s, o, c, why);
	return true;
}

const struct proto_pred generals_preds[] = {
    {"agreement", "",
     N_("IC1: every loyal lieutenant of the latest order has decided, and all decided the same"),
     pred_agreement},
    {"validity", "",
     N_("IC2: if the commander is loyal, every loyal lieutenant decided the order it was given"),
     pred_validity},
    {"decided", "NODE WORD", N_("NODE, a lieutenant, decided WORD (attack or retreat)"),
     pred_decided},
    {"heard", "NODE WORD from NODE",
     N_("in its order, NODE received from the second NODE a message carrying WORD"), pred_heard},
    {"decided-all", "", N_("every up lieutenant of the latest order has decided"),
     pred_decided_all},
    {NULL, NULL, NULL, NULL},
};

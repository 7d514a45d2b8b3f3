/*
 * paxos_pred.c — Paxos's command (`propose`) and its predicates for
 * `expect` and `run until`.
 *
 * "Chosen" is the paper's word (PMS §2.1: "a value is chosen when a
 * single proposal with that value has been accepted by a majority of the
 * acceptors"), judged from the whole system's state: a slot is chosen
 * with v when a majority of acceptors hold v accepted at one ballot now,
 * or when some learner (up or down: what it learnt is on its stable
 * storage) has learnt v there. `chosen-by` asks what one learner knows.
 */
#include "proto/paxos.h"

#include "util/i18n.h"

#include <string.h>

/* The value chosen in slot i as the system stands, or false. */
static bool chosen_in(struct sim *s, int64_t i, struct paxos_value *out)
{
	int n = sim_nodes(s);
	int quorum = paxos_quorum(paxos_of(s, 0)->o, n);
	for (int k = 0; k < n; k++) {
		const struct paxos_slot *sl = paxos_slot_c(paxos_of(s, k), i);
		if (sl && sl->chosen) {
			*out = sl->val;
			return true;
		}
	}
	for (int k = 0; k < n; k++) {
		const struct paxos_slot *a = paxos_slot_c(paxos_of(s, k), i);
		if (!a || !a->acc_ballot)
			continue;
		int votes = 0;
		for (int j = 0; j < n; j++) {
			const struct paxos_slot *b = paxos_slot_c(paxos_of(s, j), i);
			votes += b && b->acc_ballot == a->acc_ballot;
		}
		if (votes >= quorum) {
			*out = a->acc;
			return true;
		}
	}
	return false;
}

static int64_t max_slot(struct sim *s)
{
	int64_t m = 0;
	for (int k = 0; k < sim_nodes(s); k++)
		m = MAX(m, paxos_of(s, k)->st.nslot - 1);
	return m;
}

/* chosen [SLOT] = VALUE */
static bool pred_chosen(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const char *want = a->a[1].str;
	char buf[KV_VAL_MAX + 40];
	struct paxos_value v;
	if (a->a[0].present) {
		int64_t i = a->a[0].num;
		if (!chosen_in(s, i, &v)) {
			sbuf_printf(why, _("nothing is chosen in slot %lld yet"), (long long)i);
			return false;
		}
		paxos_value_fmt(&v, buf, sizeof buf);
		sbuf_printf(why, _("slot %lld is chosen with %s"), (long long)i, buf);
		return !strcmp(buf, want);
	}
	int64_t top = max_slot(s), nchosen = 0;
	for (int64_t i = 1; i <= top; i++) {
		if (!chosen_in(s, i, &v))
			continue;
		nchosen++;
		paxos_value_fmt(&v, buf, sizeof buf);
		if (!strcmp(buf, want)) {
			sbuf_printf(why, _("slot %lld is chosen with %s"), (long long)i, buf);
			return true;
		}
	}
	sbuf_printf(why, _("%s is chosen in no slot (%lld slots chosen)"), want,
		    (long long)nchosen);
	return false;
}

/* chosen-by NODE [SLOT] = VALUE: NODE's learner has learnt VALUE. */
static bool pred_chosen_by(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct paxos *p = paxos_of(s, a->a[0].node);
	const char *want = a->a[2].str;
	char buf[KV_VAL_MAX + 40];
	int64_t lo = 1, hi = p->st.nslot - 1;
	if (a->a[1].present)
		lo = hi = a->a[1].num;
	for (int64_t i = lo; i <= hi; i++) {
		const struct paxos_slot *sl = paxos_slot_c(p, i);
		if (!sl || !sl->chosen)
			continue;
		paxos_value_fmt(&sl->val, buf, sizeof buf);
		if (!strcmp(buf, want) || a->a[1].present) {
			sbuf_printf(why, _("n%d learnt %s in slot %lld"), a->a[0].node + 1, buf,
				    (long long)i);
			return !strcmp(buf, want);
		}
	}
	sbuf_printf(why, _("n%d has not learnt %s (it knows slots up to %lld chosen)"),
		    a->a[0].node + 1, want, (long long)(p->first_unchosen - 1));
	return false;
}

/* ballot NODE >= ROUND: NODE's promise is of round ROUND or higher. */
static bool pred_ballot(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct paxos *p = paxos_of(s, a->a[0].node);
	char b[32];
	sbuf_printf(why, _("n%d has promised %s"), a->a[0].node + 1,
		    paxos_ballot_fmt(p->st.promised, b, sizeof b));
	return paxos_round(p->st.promised) >= a->a[1].num;
}

/* accepted NODE SLOT = VALUE: NODE's acceptor holds VALUE accepted in SLOT. */
static bool pred_accepted(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct paxos *p = paxos_of(s, a->a[0].node);
	const struct paxos_slot *sl = paxos_slot_c(p, a->a[1].num);
	if (!sl || !sl->acc_ballot) {
		sbuf_printf(why, _("n%d has accepted nothing in slot %lld"), a->a[0].node + 1,
			    (long long)a->a[1].num);
		return false;
	}
	char b[32], v[KV_VAL_MAX + 40];
	paxos_value_fmt(&sl->acc, v, sizeof v);
	sbuf_printf(why, _("n%d accepted %s:%s in slot %lld"), a->a[0].node + 1,
		    paxos_ballot_fmt(sl->acc_ballot, b, sizeof b), v, (long long)a->a[1].num);
	return !strcmp(v, a->a[2].str);
}

/* committed KEY = VALUE: the leader has applied every slot it knows chosen
 * and KEY has VALUE in its state machine. */
static bool pred_committed(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int l = proto_leader(s);
	if (l < 0) {
		sbuf_puts(why, _("no leader"));
		return false;
	}
	const struct paxos *p = paxos_of(s, l);
	const char *v = kv_get(&p->kv, a->a[0].str);
	if (!v) {
		sbuf_printf(why, _("%s is unset at the leader n%d (chosen up to slot %lld)"),
			    a->a[0].str, l + 1, (long long)(p->first_unchosen - 1));
		return false;
	}
	sbuf_printf(why, _("%s = %s at the leader n%d (chosen up to slot %lld)"), a->a[0].str, v,
		    l + 1, (long long)(p->first_unchosen - 1));
	return !strcmp(v, a->a[1].str) && p->applied == p->first_unchosen - 1;
}

/* value NODE KEY = VALUE: KEY has VALUE in NODE's own state machine. */
static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct paxos *p = paxos_of(s, i);
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	const char *v = kv_get(&p->kv, a->a[1].str);
	if (!v) {
		sbuf_printf(why, _("%s is unset at n%d"), a->a[1].str, i + 1);
		return false;
	}
	sbuf_printf(why, _("%s = %s at n%d"), a->a[1].str, v, i + 1);
	return !strcmp(v, a->a[2].str);
}

/* learnt-all: every up node has learnt every slot any node knows chosen. */
static bool pred_learnt_all(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	int64_t top = 0;
	for (int k = 0; k < sim_nodes(s); k++)
		top = MAX(top, paxos_of(s, k)->first_unchosen - 1);
	for (int k = 0; k < sim_nodes(s); k++) {
		const struct paxos *p = paxos_of(s, k);
		if (sim_node(s, k)->up && p->first_unchosen - 1 < top) {
			sbuf_printf(why, _("n%d knows slots up to %lld chosen, not %lld"), k + 1,
				    (long long)(p->first_unchosen - 1), (long long)top);
			return false;
		}
	}
	sbuf_printf(why, _("every up node knows slots up to %lld chosen"), (long long)top);
	return true;
}

static int cmd_propose(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node;
	if (!sim_node(s, i)->up) {
		sbuf_printf(err, _("n%d is down: a crashed proposer proposes nothing"), i + 1);
		return PROTO_REFUSED;
	}
	struct paxos *p = paxos_of(s, i);
	if (!paxos_is_proposer(p->o, sim_nodes(s), i)) {
		int k = (int)p->o->v[PAXOS_OPT_PROPOSERS].i;
		sbuf_printf(err, _("n%d is not a proposer: with proposers=%d, n%d to n%d propose"),
			    i + 1, k, sim_nodes(s) - k + 1, sim_nodes(s));
		return PROTO_REFUSED;
	}
	if (!paxos_propose_value(p, a->a[1].str)) {
		sbuf_printf(err, _("n%d has too many values waiting"), i + 1);
		return PROTO_REFUSED;
	}
	return 0;
}

const struct proto_cmd paxos_commands[] = {
    {"propose", "NODE VALUE",
     N_("NODE proposes VALUE: it runs phase 1 with a new ballot, then phase 2 in the first slot "
	"it does not know chosen (the synod of Paxos Made Simple §2.2)"),
     cmd_propose},
    {NULL, NULL, NULL, NULL},
};

const struct proto_pred paxos_preds[] = {
    {"chosen", "[INT] = VALUE",
     N_("VALUE is chosen (in slot INT, or in any slot): accepted by a majority at one ballot, "
	"or learnt"),
     pred_chosen},
    {"chosen-by", "NODE [INT] = VALUE", N_("NODE's learner has learnt VALUE (in slot INT)"),
     pred_chosen_by},
    {"ballot", "NODE >= INT", N_("NODE has promised a ballot of round INT or higher"), pred_ballot},
    {"accepted", "NODE INT = VALUE", N_("NODE's acceptor holds VALUE accepted in slot INT"),
     pred_accepted},
    {"committed", "KEY = VALUE",
     N_("the leader has applied every slot it knows chosen, and KEY has VALUE in its state "
	"machine"),
     pred_committed},
    {"value", "NODE KEY = VALUE", N_("KEY has VALUE in NODE's own state machine"), pred_value},
    {"learnt-all", "", N_("every up node has learnt every slot known chosen anywhere"),
     pred_learnt_all},
    {NULL, NULL, NULL, NULL},
};

/*
 * zab_pred.c — Zab's predicates for `expect` and `run until`, and its
 * command `look` (a server starts a leader election now; the screen's
 * `t` key).
 *
 * "Committed" is judged at the established leader: a transaction is
 * committed once a quorum acknowledged it (Zab §IV-C), and the leader
 * delivers it then; `committed KEY = VALUE` holds when the leader in
 * broadcast has delivered KEY = VALUE. `value` asks one server's copy —
 * what a local read there would answer, stale or not.
 */
#include "proto/zab.h"

#include "util/i18n.h"

#include <string.h>

static int established_leader(struct sim *s)
{
	int best = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct zab *p = zab_of(s, i);
		if (!sim_node(s, i)->up || p->role != ZAB_LEADING || p->phase != ZAB_BROADCAST)
			continue;
		if (best < 0 || p->epoch > zab_of(s, best)->epoch)
			best = i;
	}
	return best;
}

/* epoch NODE >= INT: NODE's current epoch (f.a). */
static bool pred_epoch(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct zab *p = zab_of(s, a->a[0].node);
	sbuf_printf(why, _("n%d: accepted epoch %lld, current epoch %lld"), a->a[0].node + 1,
		    (long long)p->st.accepted_epoch, (long long)p->st.current_epoch);
	return p->st.current_epoch >= a->a[1].num;
}

/* zxid NODE = VALUE: NODE's last zxid ("2:3"). */
static bool pred_zxid(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct zab *p = zab_of(s, a->a[0].node);
	char z[24], d[24];
	zab_zxid_fmt(zab_last_zxid(p), z, sizeof z);
	sbuf_printf(why, _("n%d: last zxid %s, delivered up to %s"), a->a[0].node + 1, z,
		    zab_zxid_fmt(zab_delivered_zxid(p), d, sizeof d));
	return !strcmp(z, a->a[1].str);
}

/* delivered NODE = VALUE: the zxid NODE has delivered up to. */
static bool pred_delivered(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct zab *p = zab_of(s, a->a[0].node);
	char d[24];
	zab_zxid_fmt(zab_delivered_zxid(p), d, sizeof d);
	sbuf_printf(why, _("n%d has delivered up to %s (%lld transactions)"), a->a[0].node + 1, d,
		    (long long)p->st.delivered);
	return !strcmp(d, a->a[1].str);
}

/* phase NODE WORD */
static bool pred_phase(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct zab *p = zab_of(s, i);
	const char *want = a->a[1].str;
	if (strcmp(want, "election") && strcmp(want, "discovery") && strcmp(want, "sync") &&
	    strcmp(want, "broadcast")) {
		sbuf_printf(why, _("no such phase \"%s\" (election, discovery, sync, broadcast)"),
			    want);
		return false;
	}
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	sbuf_printf(why, _("n%d is in %s"), i + 1, zab_phase_name(p->phase));
	return !strcmp(zab_phase_name(p->phase), want);
}

/* serving NODE */
static bool pred_serving(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct zab *p = zab_of(s, i);
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	bool on = zab_serving(p);
	sbuf_printf(why, on ? _("n%d serves its clients (%s)") : _("n%d does not serve (%s)"),
		    i + 1, zab_phase_name(p->phase));
	return on;
}

/* committed KEY = VALUE */
static bool pred_committed(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int l = established_leader(s);
	if (l < 0) {
		sbuf_puts(why, _("no established leader"));
		return false;
	}
	const struct zab *p = zab_of(s, l);
	const char *v = kv_get(&p->kv, a->a[0].str);
	char d[24];
	zab_zxid_fmt(zab_delivered_zxid(p), d, sizeof d);
	if (!v) {
		sbuf_printf(why, _("%s is unset at the leader n%d (delivered up to %s)"),
			    a->a[0].str, l + 1, d);
		return false;
	}
	sbuf_printf(why, _("%s = %s at the leader n%d (delivered up to %s)"), a->a[0].str, v, l + 1,
		    d);
	return !strcmp(v, a->a[1].str);
}

/* value NODE KEY = VALUE */
static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct zab *p = zab_of(s, i);
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

/* synced: every up server is in broadcast with the established leader and
 * has delivered what it delivered. */
static bool pred_synced(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	int l = established_leader(s);
	if (l < 0) {
		sbuf_puts(why, _("no established leader"));
		return false;
	}
	const struct zab *ld = zab_of(s, l);
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct zab *p = zab_of(s, i);
		if (!sim_node(s, i)->up || i == l)
			continue;
		if (p->phase != ZAB_BROADCAST || p->leader != l) {
			sbuf_printf(why, _("n%d is in %s, not following n%d"), i + 1,
				    zab_phase_name(p->phase), l + 1);
			return false;
		}
		if (zab_delivered_zxid(p) < zab_delivered_zxid(ld)) {
			char d[24], e[24];
			sbuf_printf(why, _("n%d has delivered up to %s, the leader up to %s"),
				    i + 1, zab_zxid_fmt(zab_delivered_zxid(p), d, sizeof d),
				    zab_zxid_fmt(zab_delivered_zxid(ld), e, sizeof e));
			return false;
		}
	}
	sbuf_printf(why, _("every up server follows n%d and has delivered what it delivered"),
		    l + 1);
	return true;
}

static int cmd_look(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node;
	struct zab *p = zab_of(s, i);
	if (!sim_node(s, i)->up) {
		sbuf_printf(err, _("n%d is down"), i + 1);
		return PROTO_REFUSED;
	}
	if (p->role == ZAB_LOOKING) {
		sbuf_printf(err, _("n%d is already looking for a leader"), i + 1);
		return PROTO_REFUSED;
	}
	zab_look(p, "told to look for a leader");
	return 0;
}

const struct proto_cmd zab_commands[] = {
    {"look", "NODE",
     N_("NODE gives up its leader (or its followers) and starts a leader election now"), cmd_look},
    {NULL, NULL, NULL, NULL},
};

const struct proto_pred zab_preds[] = {
    {"epoch", "NODE >= INT", N_("NODE's current epoch is INT or higher"), pred_epoch},
    {"zxid", "NODE = VALUE", N_("NODE's last zxid is VALUE (epoch:counter, as 2:3)"), pred_zxid},
    {"delivered", "NODE = VALUE", N_("NODE has delivered up to zxid VALUE (as 2:3)"),
     pred_delivered},
    {"phase", "NODE WORD", N_("NODE is in phase WORD: election, discovery, sync or broadcast"),
     pred_phase},
    {"serving", "NODE", N_("NODE serves its clients (it is in the broadcast phase)"), pred_serving},
    {"committed", "KEY = VALUE",
     N_("the established leader has delivered KEY = VALUE (committed by a quorum)"),
     pred_committed},
    {"value", "NODE KEY = VALUE",
     N_("KEY has VALUE in NODE's own copy (what a local read there answers)"), pred_value},
    {"synced", "", N_("every up server follows the established leader and is caught up"),
     pred_synced},
    {NULL, NULL, NULL, NULL},
};

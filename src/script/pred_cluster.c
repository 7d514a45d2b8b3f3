/*
 * pred_cluster.c — the built-in predicates about the cluster itself: who
 * leads, which nodes are up or down, their roles, the links, the time and
 * the messages on the wire. One row each in pred_cluster_table; the usage
 * is what p_usage parses and what `help` shows.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <string.h>
#include <strings.h>

static void describe_leader(struct world *w, int l, struct sbuf *why)
{
	struct node_status st;
	struct node *n = sim_node(w->sim, l);
	sim_proto(w->sim)->status(n->self, &st);
	if (st.term >= 0)
		sbuf_printf(why, _("leader is %s (term %lld)"), n->name, (long long)st.term);
	else
		sbuf_printf(why, _("leader is %s"), n->name);
}

static bool g_leader(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int l = proto_leader(w->sim);
	if (l < 0) {
		sbuf_puts(why, _("no node is leader"));
		return false;
	}
	describe_leader(w, l, why);
	return !a->a[0].present || nodeset_has(&a->a[0].set, l);
}

static bool g_no_leader(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	bool none = true;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		struct node *n = sim_node(w->sim, i);
		if (!n->up || (a->a[0].present && !nodeset_has(&a->a[0].set, i)))
			continue;
		struct node_status st;
		sim_proto(w->sim)->status(n->self, &st);
		if (st.kind == ROLE_LEADER) {
			if (st.term >= 0)
				sbuf_printf(why, _("%s%s is leader (term %lld)"), none ? "" : ", ",
					    n->name, (long long)st.term);
			else
				sbuf_printf(why, _("%s%s is leader"), none ? "" : ", ", n->name);
			none = false;
		}
	}
	if (none)
		sbuf_puts(why, _("no leader"));
	return none;
}

static bool g_updown(struct world *w, const struct proto_args *a, struct sbuf *why, bool want)
{
	bool all = true;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		if (!nodeset_has(&a->a[0].set, i))
			continue;
		struct node *n = sim_node(w->sim, i);
		if (n->up != want) {
			sbuf_printf(why, "%s%s %s", all ? "" : ", ", n->name,
				    n->up ? _("is up") : _("is down"));
			all = false;
		}
	}
	if (all)
		sbuf_puts(why, want ? _("all up") : _("all down"));
	return all;
}

static bool g_up(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return g_updown(w, a, why, true);
}

static bool g_down(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return g_updown(w, a, why, false);
}

static bool g_role(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	struct node *n = sim_node(w->sim, a->a[0].node);
	if (!n->up) {
		sbuf_printf(why, _("%s is down"), n->name);
		return false;
	}
	struct node_status st;
	sim_proto(w->sim)->status(n->self, &st);
	const char *role = st.role ? st.role : "-";
	sbuf_printf(why, _("%s is %s"), n->name, role);
	return !strcasecmp(role, a->a[1].str);
}

static bool g_isolated(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int x = a->a[0].node;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		if (i == x)
			continue;
		if (sim_link_c(w->sim, x, i)->up || sim_link_c(w->sim, i, x)->up) {
			sbuf_printf(why, _("n%d and n%d still have a link"), x + 1, i + 1);
			return false;
		}
	}
	sbuf_printf(why, _("n%d is cut off from every node"), x + 1);
	return true;
}

static bool g_linked(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int x = a->a[0].node, y = a->a[1].node;
	bool xy = sim_link_c(w->sim, x, y)->up, yx = sim_link_c(w->sim, y, x)->up;
	sbuf_printf(why, _("n%d -> n%d %s, n%d -> n%d %s"), x + 1, y + 1, xy ? _("up") : _("cut"),
		    y + 1, x + 1, yx ? _("up") : _("cut"));
	return xy && yx;
}

static bool g_time(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	char tb[32];
	sbuf_printf(why, _("the time is %s"), simtime_fmt(sim_now(w->sim), tb, sizeof tb));
	return sim_now(w->sim) >= a->a[0].num;
}

static bool g_inflight(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int n = sim_inflight_count(w->sim);
	sbuf_printf(why, P_("%d message in flight", "%d messages in flight", n), n);
	return n >= a->a[0].num;
}

static bool g_leaders(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int n = 0;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		struct node *nd = sim_node(w->sim, i);
		if (!nd->up)
			continue;
		struct node_status st;
		sim_proto(w->sim)->status(nd->self, &st);
		if (st.kind == ROLE_LEADER) {
			if (st.term >= 0)
				sbuf_printf(why, _("%s%s leads term %lld"), n ? ", " : "", nd->name,
					    (long long)st.term);
			else
				sbuf_printf(why, _("%s%s leads"), n ? ", " : "", nd->name);
			n++;
		}
	}
	if (!n)
		sbuf_puts(why, _("no node is leader"));
	return n >= a->a[0].num;
}

const struct pred_entry pred_cluster_table[] = {
    {{"leader", "[in NODES]",
      N_("some up node is leader (in NODES, when given); the leader with the highest term "
	 "counts"),
      "leader in n1 n2"},
     g_leader},
    {{"no", "leader [among NODES]", N_("no up node (among NODES) is leader"),
      "no leader among n1..n2"},
     g_no_leader},
    {{"up", "NODES", N_("every node named is up"), "up n1 n3"}, g_up},
    {{"down", "NODES", N_("every node named is crashed"), "down all"}, g_down},
    {{"role", "NODE WORD", N_("NODE's role is WORD (leader, follower, candidate, ...)"),
      "role n2 follower"},
     g_role},
    {{"isolated", "NODE", N_("every link to and from NODE is cut"), "isolated n3"}, g_isolated},
    {{"linked", "NODE NODE", N_("the link between two nodes works both ways"), "linked n1 n2"},
     g_linked},
    {{"time", "DURATION", N_("simulated time has reached DURATION"), "time 1.5s"}, g_time},
    {{"inflight", ">= INT", N_("at least INT messages are on the wire"), "inflight >= 2"},
     g_inflight},
    {{"leaders", ">= INT", N_("at least INT up nodes believe they are leader (split brain: 2)"),
      "leaders >= 2"},
     g_leaders},
    {{NULL, NULL, NULL, NULL}, NULL},
};

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

/* traitor NODES: every node named is Byzantine (any mode but loyal). */
static bool g_traitor(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	bool all = true, first = true;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		if (!nodeset_has(&a->a[0].set, i))
			continue;
		enum byz_mode m = sim_byzantine(w->sim, i);
		sbuf_printf(why, "%sn%d %s", first ? "" : ", ", i + 1, byz_mode_str(m));
		first = false;
		if (m == BYZ_LOYAL)
			all = false;
	}
	return all;
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

/* A mark named by `since` or `until` (with or without $), or NULL with why. */
static const struct binding *mark_of(struct world *w, const char *name, struct sbuf *why)
{
	if (name[0] == '$')
		name++;
	const struct binding *b = world_binding(w, name);
	if (!b)
		sbuf_printf(why, _("no mark %s: set one first with `mark %s`"), name, name);
	else if (b->kind != BIND_TIME)
		sbuf_printf(why, _("%s is not a mark (mark %s, or let %s = now)"), name, name,
			    name);
	return b && b->kind == BIND_TIME ? b : NULL;
}

static bool compare(const char *op, int64_t x, int64_t y)
{
	if (!strcmp(op, "<="))
		return x <= y;
	if (!strcmp(op, ">="))
		return x >= y;
	if (!strcmp(op, "<"))
		return x < y;
	if (!strcmp(op, ">"))
		return x > y;
	if (!strcmp(op, "!="))
		return x != y;
	return x == y;
}

/* messages TYPE CMP INT [from NODES] [to NODES] [since MARK] [until MARK]:
 * messages sent (by the protocol, whether or not they arrived; not the
 * network's duplicates) of one kind, or `all`, counted by the world's
 * trace observer (MIT 6.824's RPC count test). */
static bool g_messages(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	const struct node_ops *ops = &sim_proto(w->sim)->node;
	const char *type = a->a[0].str;
	int k = -1;
	if (strcmp(type, "all") != 0) {
		for (int i = 0; i < ops->nmsg_kinds && k < 0; i++)
			if (!strcasecmp(ops->msg_kinds[i].name, type))
				k = i;
		if (k < 0) {
			sbuf_printf(why, _("%s sends no %s messages (it sends:"),
				    sim_proto(w->sim)->name, type);
			for (int i = 0; i < ops->nmsg_kinds; i++)
				sbuf_printf(why, " %s", ops->msg_kinds[i].name);
			sbuf_puts(why, _("; or all)"));
			return false;
		}
	}
	const struct binding *since = NULL, *until = NULL;
	if (a->a[5].present && !(since = mark_of(w, a->a[5].str, why)))
		return false;
	if (a->a[6].present && !(until = mark_of(w, a->a[6].str, why)))
		return false;
	uint64_t n = world_msg_count(w, k, a->a[3].present ? &a->a[3].set : NULL,
				     a->a[4].present ? &a->a[4].set : NULL,
				     since ? since->counts : NULL, until ? until->counts : NULL);
	sbuf_printf(why, P_("%llu message sent", "%llu messages sent", n), (unsigned long long)n);
	return compare(a->a[1].str, (int64_t)n, a->a[2].num);
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
    {{"traitor", "NODES", N_("every node named is a Byzantine traitor"), "traitor n1"}, g_traitor},
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
    {{"messages", "WORD <=|>=|<|>|=|!= INT [from NODES] [to NODES] [since WORD] [until WORD]",
      N_("how many messages of a kind (or all) were sent, from and to nodes, since a mark "
	 "(and until another)"),
      "messages AppendEntries <= 100 from leader"},
     g_messages},
    {{NULL, NULL, NULL, NULL}, NULL},
};

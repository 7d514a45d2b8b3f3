/*
 * raft_membership.c — cluster membership changes, one server at a time
 * (thesis §4.1-§4.2), and the `add` / `remove` commands.
 *
 * Thesis §4.1: "When the leader receives a request to add or remove a
 * server from its current configuration (Cold), it appends the new
 * configuration (Cnew) as an entry in its log and replicates that entry
 * using the normal Raft mechanism. The new configuration takes effect on
 * each server as soon as it is added to that server's log ... a server
 * always uses the latest configuration in its log, regardless of whether
 * the entry is committed." Because any majority of Cold and any majority of
 * Cnew overlap when they differ by one server, no two leaders can be
 * elected for one term. The leader accepts the next change only once the
 * previous one has committed, and — the fix of the thesis's errata (Raft
 * mailing list, 2015) — only once it has committed an entry of its own term.
 *
 * The initial configuration is every node that exists when the cluster
 * first runs: it is fixed lazily (raft_boot) because nodes are created one
 * by one. A node created later by `add` starts with an empty configuration:
 * it never campaigns, and learns its configuration from the leader's log.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void raft_config_recompute(struct raft *r)
{
	r->cfg = r->st.snap_config;
	r->cfg_index = r->st.snap_index;
	r->prev_cfg = r->st.snap_config;
	bool found = false;
	for (int64_t i = raft_last_index(r); i > r->st.snap_index; i--) {
		const struct raft_entry *e = raft_entry_at(r, i);
		if (e->type != RAFT_ENTRY_CONFIG)
			continue;
		if (!found) {
			r->cfg = e->config;
			r->cfg_index = i;
			found = true;
		} else {
			r->prev_cfg = e->config;
			break;
		}
	}
}

void raft_boot(struct raft *r)
{
	if (!r->st.boot)
		return;
	r->st.boot = false;
	memset(&r->st.snap_config, 0, sizeof r->st.snap_config);
	for (int i = 0; i < node_count(r->n); i++)
		nodeset_add(&r->st.snap_config, i);
	raft_persist(r);
	raft_config_recompute(r);
}

void raft_config_fmt(const struct nodeset *cfg, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < SIM_MAX_NODES && off + 1 < n; i++)
		if (nodeset_has(cfg, i))
			off +=
			    (size_t)ns_snprintf(buf + off, n - off, "%sn%d", off ? " " : "", i + 1);
	if (!off)
		ns_strlcpy(buf, "(none)", n);
}

/* The leader that can change the configuration now, or -1 with a reason. */
static int ready_leader(struct sim *s, struct sbuf *err)
{
	int l = proto_leader(s);
	if (l < 0) {
		sbuf_puts(err, _("no leader to change the configuration; wait for an election"));
		return PROTO_REFUSED;
	}
	struct raft *r = raft_of(s, l);
	if (raft_transferring(r)) {
		sbuf_printf(err, _("n%d is transferring its leadership to n%d; try again soon"),
			    l + 1, r->transfer_to + 1);
		return PROTO_REFUSED;
	}
	if (r->cfg_index > r->commit) {
		sbuf_printf(err,
			    _("n%d is still committing the previous configuration change (one at a "
			      "time, thesis §4.1)"),
			    l + 1);
		return PROTO_REFUSED;
	}
	if (raft_term_at(r, r->commit) != r->st.term) {
		sbuf_printf(
		    err, _("n%d has not yet committed an entry of its term %lld; try again soon"),
		    l + 1, (long long)r->st.term);
		return PROTO_REFUSED;
	}
	return l;
}

static void append_config(struct raft *r, int node, bool add)
{
	struct raft_entry e;
	memset(&e, 0, sizeof e);
	e.term = r->st.term;
	e.type = RAFT_ENTRY_CONFIG;
	e.client = -1;
	e.change_add = add;
	e.change_node = (int16_t)node;
	e.config = r->cfg;
	if (add)
		nodeset_add(&e.config, node);
	else
		nodeset_del(&e.config, node);
	raft_log_append(r, &e);
	if (add) {
		struct raft_peer *pp = &r->peer[node];
		*pp = (struct raft_peer){.next = raft_last_index(r), .active = true};
	}
	node_state(r->n, "appended configuration %sn%d at index %lld", add ? "+" : "-", node + 1,
		   (long long)raft_last_index(r));
	raft_advance_commit(r);
	if (r->role == RAFT_LEADER)
		raft_replicate(r);
}

int raft_add_server(struct sim *s, int node, struct sbuf *err)
{
	if (node < 0 || node >= SIM_MAX_NODES) {
		sbuf_printf(err, _("a cluster has at most %d nodes"), SIM_MAX_NODES);
		return -1;
	}
	for (int i = 0; i < sim_nodes(s); i++)
		raft_boot(raft_of(s, i));
	while (sim_nodes(s) <= node) {
		int k = sim_add_node(s);
		if (k < 0) {
			sbuf_printf(err, _("a cluster has at most %d nodes"), SIM_MAX_NODES);
			return -1;
		}
		/* A fresh server: no configuration until the leader's log
		 * gives it one (thesis §4.2.1). */
		struct raft *r = raft_of(s, k);
		r->st.boot = false;
		memset(&r->st.snap_config, 0, sizeof r->st.snap_config);
		raft_config_recompute(r);
		sim_note(s, TR_NOTE, k, -1, "n%d joins the simulation, outside any configuration",
			 k + 1);
	}
	int l = ready_leader(s, err);
	if (l < 0)
		return l;
	struct raft *r = raft_of(s, l);
	if (raft_is_member(r, node)) {
		sbuf_printf(err, _("n%d is already in the configuration"), node + 1);
		return PROTO_REFUSED;
	}
	append_config(r, node, true);
	return 0;
}

int raft_remove_server(struct sim *s, int node, struct sbuf *err)
{
	for (int i = 0; i < sim_nodes(s); i++)
		raft_boot(raft_of(s, i));
	int l = ready_leader(s, err);
	if (l < 0)
		return l;
	struct raft *r = raft_of(s, l);
	if (!raft_is_member(r, node)) {
		sbuf_printf(err, _("n%d is not in the configuration"), node + 1);
		return PROTO_REFUSED;
	}
	if (nodeset_count(&r->cfg) == 1) {
		sbuf_puts(err, _("cannot remove the last server of the configuration"));
		return PROTO_REFUSED;
	}
	append_config(r, node, false);
	return 0;
}

/* "n6" -> 5; -1 if not a node name. */
static int parse_node_name(const char *w)
{
	if (w[0] != 'n' || !w[1])
		return -1;
	char *end;
	long v = strtol(w + 1, &end, 10);
	if (*end || v < 1 || v > SIM_MAX_NODES)
		return -1;
	return (int)v - 1;
}

static int cmd_add(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int node = parse_node_name(a->a[0].str);
	if (node < 0) {
		sbuf_printf(err, _("expected a node name like n6, got \"%s\""), a->a[0].str);
		return -1;
	}
	return raft_add_server(s, node, err);
}

static int cmd_remove(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	return raft_remove_server(s, a->a[0].node, err);
}

const struct proto_cmd raft_commands[] = {
    {"add", "WORD",
     N_("add a server through the leader, one at a time (thesis §4.1); a name past the last "
	"node (add n6 in a cluster of 5) first creates the nodes up to it"),
     cmd_add},
    {"remove", "NODE",
     N_("remove a server through the leader (thesis §4.1); a removed leader steps down once "
	"the change commits"),
     cmd_remove},
    {"campaign", "NODE",
     N_("the node's election timeout runs out now: it starts an election (a pre-vote with "
	"prevote=on), as if its timer had fired (Figure 2, followers)"),
     raft_cmd_campaign},
    {"transfer", "NODE",
     N_("the leader hands its leadership to NODE (thesis §3.10): it stops taking client "
	"requests, brings NODE's log up to date, then sends TimeoutNow; aborted after an "
	"election timeout"),
     raft_cmd_transfer},
    {NULL, NULL, NULL, NULL},
};

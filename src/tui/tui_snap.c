/*
 * tui_snap.c — snapshots of a simulation for the views: each node's state
 * (through the protocol's describe(), so nothing here knows Raft or any
 * other protocol), the links worth drawing, the messages in flight with
 * their progress in simulated time, the selected node's detail for the
 * side pane, and the rows of the logs view.
 *
 * Which links are drawn: a cut (either way), slow (latency or jitter above
 * the cluster's default) or lossy (loss or duplication) link always; one
 * carrying a message in flight too, so that the message has a path; with
 * six nodes or fewer every link, faintly, so that each can be clicked.
 *
 * Cost: O(N^2) for the links (66 pairs at 12 nodes), O(messages in flight),
 * and one describe() per node: well under a millisecond per frame.
 */
#include "tui/tui_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define ALL_LINKS_UP_TO 6

static bool slow_link(const struct link_config *c, const struct link_config *def)
{
	return c->latency > def->latency || c->jitter > def->jitter || c->bandwidth;
}

static bool lossy_link(const struct link_config *c)
{
	return c->loss_ppm || c->dup_ppm;
}

static void side_line(struct tui_snapbuf *b, int style, const char *fmt, ...) NS_PRINTF(3, 4);
static void side_line(struct tui_snapbuf *b, int style, const char *fmt, ...)
{
	if (b->nside >= (int)ARRAY_LEN(b->side))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *dst = b->side_text[b->nside];
	vsnprintf(dst, sizeof b->side_text[0], fmt, ap);
	va_end(ap);
	b->side[b->nside].text = dst;
	b->side[b->nside].style = (uint8_t)style;
	b->nside++;
}

static int role_style(const struct node_status *st, bool up)
{
	if (!up)
		return SS_DOWN;
	switch (st->kind) {
	case ROLE_LEADER: return SS_LEADER;
	case ROLE_CANDIDATE: return SS_CANDIDATE;
	case ROLE_FOLLOWER: return SS_FOLLOWER;
	default: return SS_ROLE;
	}
}

/* The side pane: the selected node's full state. */
static void side_pane(struct sim *s, int sel, struct tui_snapbuf *b, struct scene_snap *out)
{
	b->nside = 0;
	out->side_title = NULL;
	if (sel < 0 || sel >= sim_nodes(s))
		return;
	const struct node *n = sim_node_c(s, sel);
	struct node_view *v = &b->view;
	sim_proto(s)->describe(n->self, v);
	const char *role = v->st.role ? _(v->st.role) : "";
	/* A traitor's mode comes first in the title (issue 19), in words: the
	 * pane is narrow. */
	enum byz_mode bm = sim_byzantine(s, sel);
	char byz[48] = "";
	if (bm != BYZ_LOYAL)
		ns_snprintf(byz, sizeof byz, " · %s %s", _("TRAITOR"), byz_mode_str(bm));
	ns_snprintf(b->side_title, sizeof b->side_title, "%s%s%s%s", n->name, byz,
		    *role ? " · " : "", n->up ? role : _("down"));
	out->side_title = b->side_title;
	if (!n->up)
		side_line(b, SS_DOWN, "%s", _("crashed: volatile state lost, stable storage kept"));
	/* The protocol's own lines say it best; these are for protocols that
	 * give none. */
	if (v->st.term >= 0 && !v->nlines)
		side_line(b, role_style(&v->st, n->up), _("term %lld"), (long long)v->st.term);
	if (v->st.commit >= 0 && !v->nlines) {
		if (v->applied >= 0)
			side_line(b, SS_NORMAL, _("commit %lld · applied %lld"),
				  (long long)v->st.commit, (long long)v->applied);
		else
			side_line(b, SS_NORMAL, _("commit %lld"), (long long)v->st.commit);
	}
	if (v->st.leader >= 0 && !v->nlines)
		side_line(b, SS_NORMAL, _("knows leader n%d"), v->st.leader + 1);
	for (int i = 0; i < v->nlines; i++)
		side_line(b, n->up ? SS_NORMAL : SS_DOWN, "%s", v->lines[i]);
	if (v->nlog > 0) {
		side_line(b, SS_TITLE, "%s", _("log (index term cmd)"));
		int first = MAX(0, v->nlog - 6);
		for (int i = first; i < v->nlog; i++)
			/* Entries not yet committed are dimmed. */
			side_line(b,
				  v->log[i].index <= v->st.commit
				      ? SS_TERM0 + (int)(v->log[i].term % SCENE_TERM_COLOURS)
				      : SS_DIM,
				  "%4lld t%lld %s", (long long)v->log[i].index,
				  (long long)v->log[i].term, v->log[i].cmd);
	}
	side_line(b, SS_DIM, _("sent %llu · received %llu"), (unsigned long long)n->sent,
		  (unsigned long long)n->received);
	out->nside = b->nside;
	out->side = b->side;
}

/* The side pane for the message opened (b->msg_sel): what it carries in
 * the protocol's words, who sent it to whom, when it left and when it
 * will arrive. If it is no longer on the wire (delivered or lost), the
 * pane says so once and the node's pane comes back on the next frame. */
static void msg_pane(struct sim *s, struct tui_snapbuf *b, struct scene_snap *out)
{
	const struct msg *m = NULL;
	for (int i = 0; i < sim_inflight_count(s) && !m; i++)
		if (sim_inflight(s, i)->id == b->msg_sel)
			m = sim_inflight(s, i);
	if (!m) {
		b->msg_open = false;
		return;
	}
	const struct proto_ops *ops = sim_proto(s);
	b->nside = 0;
	const char *kind = m->type < ops->node.nmsg_kinds ? ops->node.msg_kinds[m->type].name : "?";
	ns_snprintf(b->side_title, sizeof b->side_title, _("message %s"), kind);
	out->side_title = b->side_title;
	out->side_node = -1;
	side_line(b, SS_TITLE, "n%d -> n%d", m->from + 1, m->to + 1);
	struct sbuf d = {0};
	if (ops->node.describe_msg)
		ops->node.describe_msg(m, &d);
	/* The description may be long: the pane wraps it. */
	side_line(b, SS_MSG, "%s", sbuf_str(&d));
	sbuf_free(&d);
	char t0[32], t1[32], left[32];
	sim_time now = sim_now(s);
	side_line(b, SS_NORMAL, _("sent at %s"), simtime_fmt(m->sent_at, t0, sizeof t0));
	side_line(
	    b, SS_NORMAL, _("arrives at %s (in %s)"), simtime_fmt(m->arrives_at, t1, sizeof t1),
	    simtime_fmt_dur(m->arrives_at > now ? m->arrives_at - now : 0, left, sizeof left));
	side_line(b, SS_DIM, P_("%u byte", "%u bytes", m->len), (unsigned)m->len);
	if (m->flags & MSG_DUPLICATE)
		side_line(b, SS_DEGRADED, "%s", _("a duplicate made by the network"));
	if (m->flags & MSG_FORGED)
		side_line(b, SS_ERROR, "%s", _("forged by a traitor"));
	if (!sim_link_c(s, m->from, m->to)->up)
		side_line(b, SS_CUT, "%s", _("its link is cut: it will be dropped on arrival"));
	side_line(b, SS_DIM, "%s", _("m: the next message · esc: back to the node"));
	out->nside = b->nside;
	out->side = b->side;
}

void tui_snap_cluster(struct sim *s, int sel, struct tui_snapbuf *b, struct scene_snap *out)
{
	int n = MIN(sim_nodes(s), SCENE_MAX_NODES);
	sim_time now = sim_now(s);
	out->nnodes = n;
	out->selected = sel;
	for (int i = 0; i < n; i++) {
		const struct node *nd = sim_node_c(s, i);
		struct scene_node *sn = &out->node[i];
		struct node_view *v = &b->view;
		sim_proto(s)->describe(nd->self, v);
		ns_strlcpy(sn->name, nd->name, sizeof sn->name);
		sn->up = nd->up;
		enum byz_mode bm = sim_byzantine(s, i);
		ns_strlcpy(sn->byz, bm == BYZ_LOYAL ? "" : byz_mode_str(bm), sizeof sn->byz);
		sn->st = v->st;
		ns_strlcpy(sn->badge, v->badge, sizeof sn->badge);
		sn->nlog = MIN(v->nlog, SCENE_LOG_TAIL);
		for (int k = 0; k < sn->nlog; k++) {
			sn->log[k].index = v->log[v->nlog - sn->nlog + k].index;
			sn->log[k].term = v->log[v->nlog - sn->nlog + k].term;
		}
		sn->log_last = v->log_last;
		sn->ntimers = nd->up ? MIN(v->ntimers, VIEW_TIMERS) : 0;
		memcpy(sn->timers, v->timers, sizeof sn->timers[0] * (size_t)sn->ntimers);
	}
	out->now = now;
	out->side_node = sel;

	/* Messages in flight, and which pairs carry one. */
	int nin = sim_inflight_count(s);
	xgrow((void **)&b->msgs, &b->capmsgs, (size_t)nin + 1, sizeof *b->msgs);
	memset(b->carry, 0, sizeof b->carry);
	const struct proto_ops *ops = sim_proto(s);
	int nm = 0;
	for (int i = 0; i < nin; i++) {
		const struct msg *m = sim_inflight(s, i);
		if (m->from >= n || m->to >= n)
			continue;
		sim_time span = m->arrives_at - m->sent_at;
		float at = span > 0 ? (float)(now - m->sent_at) / (float)span : 1.0f;
		const struct msg_kind *k =
		    m->type < ops->node.nmsg_kinds ? &ops->node.msg_kinds[m->type] : NULL;
		xgrow((void **)&b->msg_ids, &b->capids, (size_t)nm + 1, sizeof *b->msg_ids);
		b->msg_ids[nm] = m->id;
		b->msgs[nm++] = (struct scene_msg){
		    (int16_t)m->from,   (int16_t)m->to,       at,
		    k ? k->glyph : '?', k ? k->reply : false, b->msg_open && m->id == b->msg_sel};
		b->carry[MIN(m->from, m->to)][MAX(m->from, m->to)] = true;
	}
	out->nmsgs = nm;
	out->msgs = b->msgs;

	/* Links worth drawing. */
	const struct link_config *def = sim_default_link(s);
	int nl = 0;
	for (int a = 0; a < n; a++)
		for (int c = a + 1; c < n; c++) {
			const struct link *ab = sim_link_c(s, a, c), *ba = sim_link_c(s, c, a);
			struct scene_link lk = {(int16_t)a,
						(int16_t)c,
						ab->up,
						ba->up,
						slow_link(&ab->cfg, def) ||
						    slow_link(&ba->cfg, def),
						lossy_link(&ab->cfg) || lossy_link(&ba->cfg)};
			bool says = !lk.ab || !lk.ba || lk.slow || lk.lossy || b->carry[a][c] ||
				    n <= ALL_LINKS_UP_TO;
			if (!says)
				continue;
			xgrow((void **)&b->links, &b->caplinks, (size_t)nl + 1, sizeof *b->links);
			b->links[nl++] = lk;
		}
	out->nlinks = nl;
	out->links = b->links;
	side_pane(s, sel, b, out);
	if (b->msg_open)
		msg_pane(s, b, out);
}

void tui_snap_logs(struct sim *s, int scroll, int rows, struct tui_snapbuf *b,
		   struct scene_snap *out)
{
	int n = MIN(sim_nodes(s), SCENE_MAX_NODES);
	int64_t last = 0;
	for (int i = 0; i < n; i++)
		last = MAX(last, out->node[i].log_last);
	int64_t top = MAX(0, last - scroll);
	rows = (int)MIN((int64_t)rows, top);
	xgrow((void **)&b->logs, &b->caplogs, (size_t)(rows * n + 1), sizeof *b->logs);
	memset(b->logs, 0, (size_t)(rows * n + 1) * sizeof *b->logs);
	for (int k = 0; k < n; k++) {
		const struct node *nd = sim_node_c(s, k);
		struct node_view *v = &b->view;
		sim_proto(s)->describe(nd->self, v);
		for (int r = 0; r < rows; r++) {
			int64_t index = top - r;
			struct log_view_entry *e = &b->logs[(size_t)r * n + k];
			if (sim_proto(s)->log_entry &&
			    sim_proto(s)->log_entry(nd->self, index, e)) {
				e->index = index;
				continue;
			}
			/* Without log_entry: what the view's tail holds. */
			for (int j = 0; j < v->nlog; j++)
				if (v->log[j].index == index)
					*e = v->log[j];
		}
	}
	out->logs_rows = rows;
	out->logs_top = top;
	out->logs = b->logs;
}

void tui_snapbuf_free(struct tui_snapbuf *b)
{
	if (!b)
		return;
	free(b->links);
	free(b->msgs);
	free(b->msg_ids);
	free(b->logs);
	memset(b, 0, sizeof *b);
}

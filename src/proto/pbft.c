/*
 * pbft.c — the PBFT protocol's table, options, node life, dispatch, views,
 * message words, and how a traitor lies in its wire format (see pbft.h for
 * the paper, Castro & Liskov OSDI 1999, and what is simplified).
 *
 * How a traitor lies (node_ops.corrupt_msg; the simulator decides when and
 * hands a value r — the same to every peer in lie mode, one per peer in
 * equivocate mode). A traitor cannot forge a client's signature nor a
 * prepared certificate (pbft.h, Signatures), so its lies are those a real
 * Byzantine replica can tell:
 *
 *   - PrePrepare, Prepare, Commit: by r, the truth; or the request moved to
 *     the neighbouring sequence number (n <-> its pair: 1<->2, 3<->4 ...),
 *     which with two requests in flight tells one backup "put x 1 at n=1"
 *     and another "put x 2 at n=1" — the equivocating primary of the
 *     issue; or a request whose content was changed, so its client
 *     signature no longer checks (a backup refuses it; a vote for it
 *     matches nothing). The choice is made from r alone, so an
 *     equivocating primary's PrePrepare and Commit to one backup agree.
 *   - Request (a relay): its content changed: the signature fails.
 *   - ViewChange: withholds its prepared certificates (P emptied or cut).
 *   - NewView: an O that does not follow from V (its first entry made a
 *     null request, or one invented): backups recompute O and refuse it.
 *   - replies to clients: forged by the simulator (src/sim/client.c); the
 *     client waits for f+1 matching ones.
 */
#include "proto/pbft.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_option pbft_options[] = {
    [PBFT_OPT_F] = {"f", OPT_INT, "-1", NULL, -1, 42,
		    N_("the number of Byzantine replicas the cluster is built to survive; -1: "
		       "floor((N-1)/3), the most 3f+1 <= N allows. Quorums are "
		       "min(ceil((N+f+1)/2), N-f): 2f+1 when N = 3f+1. Set f beyond the bound "
		       "(cluster pbft 3 f=1) and quorums of N-f no longer share a correct "
		       "replica"),
		    false},
    [PBFT_OPT_TIMEOUT] = {"timeout", OPT_DURATION, "300ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			  N_("a backup's view-change timer: how long a request may wait "
			     "unexecuted before the backup starts a view change (doubled for "
			     "each view change that does not complete)"),
			  true},
    [PBFT_OPT_WINDOW] = {"window", OPT_INT, "64", NULL, 1, 4096,
			 N_("H - h: how far past its last executed request a replica accepts "
			    "sequence numbers"),
			 true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind pbft_msgs[PBFT_MSG_KINDS] = {
    [PBFT_MSG_REQUEST] = {"Request", 'r', false},
    [PBFT_MSG_PREPREPARE] = {"PrePrepare", 'p', false},
    [PBFT_MSG_PREPARE] = {"Prepare", 'e', false},
    [PBFT_MSG_COMMIT] = {"Commit", 'c', false},
    [PBFT_MSG_VIEWCHANGE] = {"ViewChange", 'v', false},
    [PBFT_MSG_NEWVIEW] = {"NewView", 'n', false},
};

static const struct proto_vary pbft_vary[] = {
    {"timeout", "300ms|150ms|600ms"},
    {NULL, NULL},
};

int pbft_f_of(const struct proto_opts *o, int nn)
{
	int64_t f = o->v[PBFT_OPT_F].i;
	return f < 0 ? (nn - 1) / 3 : (int)f;
}

int pbft_q_of(int nn, int f)
{
	int q = (nn + f + 2) / 2; /* ceil((N+f+1)/2) */
	if (q > nn - f)
		q = nn - f;
	return q < 1 ? 1 : q;
}

/* ---- requests -------------------------------------------------------------- */

static uint64_t fnv(const void *d, size_t n, uint64_t h)
{
	const unsigned char *q = d;
	for (size_t i = 0; i < n; i++)
		h = (h ^ q[i]) * 1099511628211ull;
	return h;
}

uint64_t pbft_sign(const struct pbft_req *r)
{
	/* The client's key: a constant no replica's code uses but this. */
	return fnv(r, offsetof(struct pbft_req, sig), 0x6b65792d636c6e74ull) | 1;
}

bool pbft_sig_ok(const struct pbft_req *r)
{
	return r->sig == pbft_sign(r);
}

uint64_t pbft_digest(const struct pbft_req *r)
{
	return fnv(r, sizeof *r, 1469598103934665603ull) | 1;
}

void pbft_req_fmt(const struct pbft_req *r, char *buf, size_t n)
{
	if (!r->client) {
		ns_strlcpy(buf, "null", n);
		return;
	}
	struct sbuf b = {0};
	kv_op_fmt(&r->op, &b);
	ns_strlcpy(buf, sbuf_str(&b), n);
	sbuf_free(&b);
}

struct pbft *pbft_of(struct sim *s, int i)
{
	if (sim_proto(s) != &pbft_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node(s, i)->self;
}

const struct pbft *pbft_of_c(const struct sim *s, int i)
{
	if (sim_proto(s) != &pbft_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node_c(s, i)->self;
}

const struct pbft_slot *pbft_slot_c(const struct pbft *p, int64_t n)
{
	return p && n >= 1 && n < p->nslot && p->slot[n].prep ? &p->slot[n] : NULL;
}

/* ---- node life ------------------------------------------------------------- */

static void *pbft_create(struct node *n, const void *config)
{
	struct pbft *p = xcalloc(1, sizeof *p);
	p->n = n;
	p->o = config;
	p->next_n = 1;
	p->vc_timeout = p->o->v[PBFT_OPT_TIMEOUT].i;
	kv_init(&p->kv);
	pbft_sync(p);
	return p;
}

/* Nodes are created one by one, so a replica learns N at its first event
 * (a cluster does not grow afterwards: PBFT has no reconfiguration here). */
void pbft_sync(struct pbft *p)
{
	int nn = node_count(p->n);
	if (nn == p->nn)
		return;
	p->vc = xrealloc(p->vc, (size_t)nn * sizeof *p->vc);
	for (int j = p->nn; j < nn; j++) {
		p->vc[j].view = -1; /* none received */
		p->vc[j].np = 0;
		p->vc[j].p = NULL;
	}
	p->nn = nn;
	p->f = pbft_f_of(p->o, nn);
	p->q = pbft_q_of(nn, p->f);
}

static void pbft_destroy(void *self)
{
	struct pbft *p = self;
	if (!p)
		return;
	for (int64_t n = 0; n < p->nslot; n++)
		free(p->slot[n].prep);
	free(p->slot);
	kv_close(&p->kv);
	free(p->pend);
	pbft_free_volatile(p);
	free(p);
}

/* A replica's whole state is on stable storage (pbft.h): a crash loses
 * only its timers, which the simulator has cancelled. */
static void pbft_on_crash(void *self)
{
	(void)self;
}

static void pbft_on_restart(void *self)
{
	struct pbft *p = self;
	node_state(p->n, "restarted in view %lld, executed up to n=%lld", (long long)p->view,
		   (long long)p->executed);
	if (p->changing || (p->npend && pbft_primary(p, p->view) != p->n->id))
		node_set_timer(p->n, PBFT_TIMER_VIEW, p->vc_timeout);
}

static void pbft_on_message(void *self, const struct msg *m)
{
	struct pbft *p = self;
	pbft_sync(p);
	if (m->from >= p->nn)
		return;
	switch (m->type) {
	case PBFT_MSG_REQUEST: {
		struct pbft_wire_request w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		pbft_on_request(p, m->from, &w);
		return;
	}
	case PBFT_MSG_PREPREPARE:
	case PBFT_MSG_PREPARE:
	case PBFT_MSG_COMMIT: {
		struct pbft_wire_order w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		if (m->type == PBFT_MSG_PREPREPARE)
			pbft_on_preprepare(p, m->from, &w);
		else if (m->type == PBFT_MSG_PREPARE)
			pbft_on_prepare(p, m->from, &w);
		else
			pbft_on_commit(p, m->from, &w);
		return;
	}
	case PBFT_MSG_VIEWCHANGE: pbft_on_viewchange(p, m->from, m->data, m->len); return;
	case PBFT_MSG_NEWVIEW: pbft_on_newview(p, m->from, m->data, m->len); return;
	}
}

static void pbft_on_timer(void *self, int timer)
{
	pbft_sync(self);
	if (timer == PBFT_TIMER_VIEW)
		pbft_on_view_timer(self);
}

/* ---- views ------------------------------------------------------------------- */

static const char *role_of(const struct pbft *p)
{
	if (p->changing)
		return N_("ViewChange");
	return pbft_primary(p, p->view) == p->n->id ? N_("Primary") : N_("Backup");
}

static void pbft_status(const void *self, struct node_status *out)
{
	const struct pbft *p = self;
	bool prim = !p->changing && pbft_primary(p, p->view) == p->n->id;
	out->kind = p->changing ? ROLE_CANDIDATE : prim ? ROLE_LEADER : ROLE_FOLLOWER;
	out->role = role_of(p);
	out->term = p->view;
	out->commit = p->executed;
	out->leader = p->changing ? -1 : pbft_primary(p, p->view);
}

static bool pbft_log_entry(const void *self, int64_t index, struct log_view_entry *out)
{
	const struct pbft *p = self;
	const struct pbft_slot *sl = pbft_slot_c(p, index);
	if (!sl || (!sl->pp && !sl->executed && !sl->committed))
		return false;
	out->index = index;
	out->term = sl->view;
	char t[40];
	pbft_req_fmt(sl->executed ? &sl->ereq : &sl->req, t, sizeof t);
	ns_snprintf(out->cmd, sizeof out->cmd, "%s%s", t, sl->executed ? "" : " ?");
	return true;
}

NS_PRINTF(2, 3) static void line(struct node_view *v, const char *fmt, ...)
{
	if (v->nlines >= VIEW_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
	sbuf_free(&b);
}

static int64_t top_slot(const struct pbft *p)
{
	for (int64_t n = p->nslot - 1; n >= 1; n--)
		if (p->slot[n].prep && (p->slot[n].pp || p->slot[n].executed))
			return n;
	return 0;
}

static int count_votes(const struct pbft *p, const uint64_t *v, uint64_t d, int except)
{
	int k = 0;
	for (int j = 0; j < p->nn; j++)
		k += j != except && v[j] == d;
	return k;
}

static void pbft_describe(const void *self, struct node_view *v)
{
	const struct pbft *p = self;
	memset(v, 0, sizeof *v);
	pbft_status(self, &v->st);
	bool up = p->n->up;
	v->applied = p->executed;
	v->log_first = 1;
	v->log_last = top_slot(p);
	for (int64_t i = MAX(1, v->log_last - VIEW_LOG_MAX + 1); i <= v->log_last; i++)
		if (v->nlog < VIEW_LOG_MAX && pbft_log_entry(self, i, &v->log[v->nlog]))
			v->nlog++;
	int prim = pbft_primary(p, p->view);
	if (p->changing) {
		int k = 0;
		for (int j = 0; j < p->nn; j++)
			k += p->vc[j].view == p->view;
		line(v, _("changing to view %lld (primary n%d): %d of %d view changes"),
		     (long long)p->view, prim + 1, k, p->q);
	} else {
		line(v, _("view %lld, primary n%d%s"), (long long)p->view, prim + 1,
		     prim == p->n->id ? _(" (this replica)") : "");
	}
	line(v, _("f=%d: quorum %d of %d, client waits for %d matching replies"), p->f, p->q, p->nn,
	     p->f + 1);
	if (!up)
		line(v, _("down: its log is on stable storage"));
	line(v, _("executed up to n=%lld; %zu requests waiting"), (long long)p->executed, p->npend);
	line(v, _("sequence numbers (phase: prepares, commits)"));
	for (int64_t n = MAX(1, v->log_last - 9); n <= v->log_last; n++) {
		const struct pbft_slot *sl = pbft_slot_c(p, n);
		if (!sl || (!sl->pp && !sl->executed))
			continue;
		char t[40];
		pbft_req_fmt(sl->executed ? &sl->ereq : &sl->req, t, sizeof t);
		const char *ph = sl->executed    ? _("executed")
				 : sl->committed ? _("committed")
				 : sl->prepared  ? _("prepared")
						 : _("pre-prepared");
		int pr = sl->pp ? count_votes(p, sl->prep, sl->d, pbft_primary(p, sl->view)) : 0;
		int cm = sl->pp ? count_votes(p, sl->comm, sl->d, -1) : 0;
		line(v, " n=%lld v%lld %s: %s (%d/%d, %d/%d)", (long long)n, (long long)sl->view, t,
		     ph, pr, p->q - 1, cm, p->q);
	}
	if (p->rejected)
		line(v, _("%llu messages refused; last: %s"), (unsigned long long)p->rejected,
		     p->last_reject);
	if (p->views_changed)
		line(v, _("%llu view changes started"), (unsigned long long)p->views_changed);
	if (up) {
		sim_time armed, fires;
		if (node_timer_span(p->n, PBFT_TIMER_VIEW, &armed, &fires))
			view_add_timer(v,
				       p->changing ? _("new-view timer") : _("view-change timer"),
				       VT_TIMEOUT, -1, armed, fires);
	}
	ns_snprintf(v->badge, sizeof v->badge, p->changing ? "->v%lld" : "v%lld",
		    (long long)p->view);
}

static void pbft_describe_msg(const struct msg *m, struct sbuf *out)
{
	char t[48];
	switch (m->type) {
	case PBFT_MSG_REQUEST: {
		struct pbft_wire_request w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		pbft_req_fmt(&w.req, t, sizeof t);
		sbuf_printf(out, "Request %s (c%d #%llu)%s", t, w.req.client,
			    (unsigned long long)w.req.seq,
			    pbft_sig_ok(&w.req) ? "" : " bad signature");
		return;
	}
	case PBFT_MSG_PREPREPARE:
	case PBFT_MSG_PREPARE:
	case PBFT_MSG_COMMIT: {
		struct pbft_wire_order w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		pbft_req_fmt(&w.req, t, sizeof t);
		sbuf_printf(out, "%s v=%lld n=%lld %s%s", pbft_msgs[m->type].name,
			    (long long)w.view, (long long)w.n, t,
			    w.req.client && !pbft_sig_ok(&w.req) ? " bad signature" : "");
		return;
	}
	case PBFT_MSG_VIEWCHANGE: {
		struct pbft_wire_viewchange h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.np * sizeof(struct pbft_wire_order))
			break;
		sbuf_printf(out, "ViewChange v=%lld P=", (long long)h.view);
		if (!h.np)
			sbuf_puts(out, "none");
		for (uint32_t k = 0; k < h.np && k < 4; k++) {
			struct pbft_wire_order e;
			memcpy(&e, (const char *)m->data + sizeof h + k * sizeof e, sizeof e);
			pbft_req_fmt(&e.req, t, sizeof t);
			sbuf_printf(out, "%s%lld:%s", k ? "," : "", (long long)e.n, t);
		}
		if (h.np > 4)
			sbuf_printf(out, " +%u more", h.np - 4);
		return;
	}
	case PBFT_MSG_NEWVIEW: {
		struct pbft_wire_newview h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.no * sizeof(struct pbft_wire_order))
			break;
		sbuf_printf(out, "NewView v=%lld V=", (long long)h.view);
		int any = 0;
		for (int j = 0; j < SIM_MAX_NODES; j++)
			if (nodeset_has(&h.vset, j))
				sbuf_printf(out, "%sn%d", any++ ? "," : "", j + 1);
		sbuf_puts(out, " O=");
		if (!h.no)
			sbuf_puts(out, "none");
		for (uint32_t k = 0; k < h.no && k < 4; k++) {
			struct pbft_wire_order e;
			memcpy(&e, (const char *)m->data + sizeof h + k * sizeof e, sizeof e);
			pbft_req_fmt(&e.req, t, sizeof t);
			sbuf_printf(out, "%s%lld:%s", k ? "," : "", (long long)e.n, t);
		}
		if (h.no > 4)
			sbuf_printf(out, " +%u more", h.no - 4);
		return;
	}
	}
	sbuf_printf(out, "%s (malformed)",
		    m->type < PBFT_MSG_KINDS ? pbft_msgs[m->type].name : "?");
}

/* A request's content changed (the signature, left as it was, fails). */
static void forge_req(struct pbft_req *q, uint64_t r)
{
	if (!q->client) {
		q->client = 1;
		q->op.fn = KV_PUT;
		ns_strlcpy(q->op.key, "x", sizeof q->op.key);
	}
	if (q->op.fn == KV_GET)
		q->op.fn = KV_PUT;
	char v[KV_VAL_MAX];
	ns_snprintf(v, sizeof v, "%u", (unsigned)(r % 900 + 100));
	if (!strcmp(v, q->op.arg))
		ns_strlcpy(v, "forged", sizeof v);
	ns_strlcpy(q->op.arg, v, sizeof q->op.arg);
}

static void pbft_corrupt_msg(const struct node *from, int to, int type, void *buf, size_t *len,
			     size_t cap, uint64_t r)
{
	(void)from;
	(void)to;
	switch (type) {
	case PBFT_MSG_REQUEST: {
		struct pbft_wire_request w;
		if (*len != sizeof w)
			return;
		memcpy(&w, buf, sizeof w);
		forge_req(&w.req, r);
		memcpy(buf, &w, sizeof w);
		return;
	}
	case PBFT_MSG_PREPREPARE:
	case PBFT_MSG_PREPARE:
	case PBFT_MSG_COMMIT: {
		struct pbft_wire_order w;
		if (*len != sizeof w)
			return;
		memcpy(&w, buf, sizeof w);
		switch ((r >> 11) % 3) {
		case 0: return; /* the truth, to this peer */
		case 1: w.n = ((w.n - 1) ^ 1) + 1; break;
		default: forge_req(&w.req, r >> 13); break;
		}
		memcpy(buf, &w, sizeof w);
		return;
	}
	case PBFT_MSG_VIEWCHANGE: {
		struct pbft_wire_viewchange h;
		if (*len < sizeof h)
			return;
		memcpy(&h, buf, sizeof h);
		h.np = h.np ? (uint32_t)(r % h.np) : 0;
		memcpy(buf, &h, sizeof h);
		*len = sizeof h + (size_t)h.np * sizeof(struct pbft_wire_order);
		return;
	}
	case PBFT_MSG_NEWVIEW: {
		struct pbft_wire_newview h;
		if (*len < sizeof h)
			return;
		memcpy(&h, buf, sizeof h);
		struct pbft_wire_order e;
		if (h.no) {
			memcpy(&e, (char *)buf + sizeof h, sizeof e);
			if (e.req.client)
				memset(&e.req, 0, sizeof e.req);
			else
				forge_req(&e.req, r);
			memcpy((char *)buf + sizeof h, &e, sizeof e);
		} else if (*len + sizeof e <= cap) {
			memset(&e, 0, sizeof e);
			e.view = h.view;
			e.n = 1;
			h.no = 1;
			memcpy(buf, &h, sizeof h);
			memcpy((char *)buf + sizeof h, &e, sizeof e);
			*len = sizeof h + sizeof e;
		}
		return;
	}
	}
}

const struct proto_ops pbft_ops = {
    .node =
	{
	    .create = pbft_create,
	    .destroy = pbft_destroy,
	    .on_message = pbft_on_message,
	    .on_timer = pbft_on_timer,
	    .on_client = pbft_on_client,
	    .on_crash = pbft_on_crash,
	    .on_restart = pbft_on_restart,
	    .describe_msg = pbft_describe_msg,
	    .corrupt_msg = pbft_corrupt_msg,
	    .msg_kinds = pbft_msgs,
	    .nmsg_kinds = PBFT_MSG_KINDS,
	},
    .name = "pbft",
    .summary = N_("Practical Byzantine Fault Tolerance after Castro & Liskov (OSDI 1999): 3f+1 "
		  "replicas, pre-prepare/prepare/commit with quorums of 2f+1, view changes"),
    .options = pbft_options,
    .kv_clients = true,
    .status = pbft_status,
    .describe = pbft_describe,
    .log_entry = pbft_log_entry,
    .preds = pbft_preds,
    .fuzz_vary = pbft_vary,
};

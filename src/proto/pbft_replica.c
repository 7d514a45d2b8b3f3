/*
 * pbft_replica.c — what a PBFT replica does (Castro & Liskov, OSDI 1999;
 * see pbft.h for the paper, the quorum rule and the simplifications):
 * client requests (CL §4.1), the normal case (CL §4.2: pre-prepare,
 * prepare, commit, execution in sequence-number order, replies) and view
 * changes (CL §4.4: VIEW-CHANGE with the prepared certificates, NEW-VIEW
 * with the set O of re-issued pre-prepares and null requests).
 *
 * Everything here is the loyal code: a traitor runs it too, and the
 * simulator rewrites what it sends (pbft.c's corrupt_msg).
 */
#include "proto/pbft.h"

#include <stdlib.h>
#include <string.h>

static int me(const struct pbft *p)
{
	return p->n->id;
}

static void send_all(struct pbft *p, int type, const void *data, size_t len)
{
	for (int j = 0; j < p->nn; j++)
		if (j != me(p))
			node_send(p->n, j, type, data, len);
}

struct pbft_slot *pbft_slot(struct pbft *p, int64_t n)
{
	if (n >= p->nslot) {
		int64_t k = MAX(n + 1, p->nslot * 2);
		k = MAX(k, 64);
		p->slot = xrealloc(p->slot, (size_t)k * sizeof *p->slot);
		memset(p->slot + p->nslot, 0, (size_t)(k - p->nslot) * sizeof *p->slot);
		p->nslot = k;
	}
	struct pbft_slot *sl = &p->slot[n];
	if (!sl->prep) {
		sl->prep = xcalloc((size_t)p->nn * 2, sizeof *sl->prep);
		sl->comm = sl->prep + p->nn;
		sl->view = -1;
	}
	return sl;
}

/* The slot for n as view v sees it: votes and the pre-prepare of an older
 * view do not count in v (CL §4.2: messages are accepted "provided ...
 * their view number equals the replica's current view"). */
static struct pbft_slot *slot_in_view(struct pbft *p, int64_t n, int64_t v)
{
	struct pbft_slot *sl = pbft_slot(p, n);
	if (sl->view != v) {
		memset(sl->prep, 0, (size_t)p->nn * 2 * sizeof *sl->prep);
		sl->pp = false;
		sl->prepared = false;
		sl->view = v;
	}
	return sl;
}

static void reject(struct pbft *p, int from, const char *what, const char *why)
{
	p->rejected++;
	ns_snprintf(p->last_reject, sizeof p->last_reject, "%s from n%d: %s", what, from + 1, why);
}

static bool is_primary(const struct pbft *p)
{
	return pbft_primary(p, p->view) == me(p);
}

static struct pbft_pending *find_pending(struct pbft *p, int client, uint64_t seq)
{
	for (size_t i = 0; i < p->npend; i++)
		if (p->pend[i].req.client == client && p->pend[i].req.seq == seq)
			return &p->pend[i];
	return NULL;
}

static bool executed_already(const struct pbft *p, const struct pbft_req *m)
{
	const struct kv_session *s = kv_session(&p->kv, m->client);
	return s && s->seq >= m->seq;
}

/* CL §4.4: "a backup is waiting for a request if it received a valid
 * request and has not executed it. A backup starts a timer when it
 * receives a request and the timer is not already running. It stops the
 * timer when it is no longer waiting to execute the request, but restarts
 * it if at that point it is waiting to execute some other request." */
static void arm_request_timer(struct pbft *p, bool restart)
{
	if (p->changing)
		return;
	if (!p->npend || is_primary(p)) {
		node_cancel_timer(p->n, PBFT_TIMER_VIEW);
		return;
	}
	if (restart || !node_timer_armed(p->n, PBFT_TIMER_VIEW))
		node_set_timer(p->n, PBFT_TIMER_VIEW, p->o->v[PBFT_OPT_TIMEOUT].i);
}

static void check_slot(struct pbft *p, int64_t n);

/* The primary assigns sequence numbers to the requests it has not ordered
 * in this view. CL §4.2: "the primary assigns a sequence number, n, to the
 * request, multicasts a pre-prepare message with m piggybacked to the
 * backups, and appends the message to its log." */
static void assign(struct pbft *p)
{
	if (p->changing || !is_primary(p))
		return;
	for (size_t i = 0; i < p->npend; i++) {
		struct pbft_pending *pe = &p->pend[i];
		if (pe->assigned_view == p->view)
			continue;
		if (p->next_n > p->executed + p->o->v[PBFT_OPT_WINDOW].i)
			return; /* beyond the high water mark: wait for execution */
		int64_t n = p->next_n++;
		pe->assigned_view = p->view;
		struct pbft_slot *sl = slot_in_view(p, n, p->view);
		sl->pp = true;
		sl->req = pe->req;
		sl->d = pbft_digest(&pe->req);
		struct pbft_wire_order w = {p->view, n, pe->req};
		send_all(p, PBFT_MSG_PREPREPARE, &w, sizeof w);
		check_slot(p, n);
	}
}

/* A request heard from a client or relayed: answer it again if it was
 * executed (CL §4.1: "If the request has already been processed, the
 * replicas simply re-send the reply"), else wait for it. */
static void take_request(struct pbft *p, const struct pbft_req *m, const struct client_req *creq)
{
	if (executed_already(p, m)) {
		const struct kv_session *s = kv_session(&p->kv, m->client);
		if (creq && s->seq == m->seq) {
			struct client_reply r;
			kv_result_reply(&s->res, &r);
			r.matching = (uint8_t)(p->f + 1);
			node_reply(p->n, creq, &r);
		}
		return;
	}
	struct pbft_pending *pe = find_pending(p, m->client, m->seq);
	if (!pe) {
		xgrow((void **)&p->pend, &p->cappend, p->npend + 1, sizeof *p->pend);
		pe = &p->pend[p->npend++];
		memset(pe, 0, sizeof *pe);
		pe->req = *m;
		pe->assigned_view = -1;
		/* A request the primary put in this view's log already (O). */
		for (int64_t n = p->executed + 1; n < p->nslot; n++) {
			const struct pbft_slot *sl = &p->slot[n];
			if (sl->view == p->view && sl->pp && sl->req.client == m->client &&
			    sl->req.seq == m->seq)
				pe->assigned_view = p->view;
		}
	}
	if (creq && (!pe->has_creq || creq->attempt >= pe->creq.attempt)) {
		pe->creq = *creq;
		pe->has_creq = true;
	}
	arm_request_timer(p, false);
	assign(p);
}

void pbft_on_client(void *self, const struct client_req *r)
{
	struct pbft *p = self;
	pbft_sync(p);
	struct pbft_req m;
	memset(&m, 0, sizeof m);
	m.client = r->client;
	m.seq = r->seq;
	m.op = r->op;
	m.sig = pbft_sign(&m);
	/* CL §4.1: the client "sends the request to the primary"; when it
	 * does not hear back "it broadcasts the request to all replicas".
	 * Here the replica a client reached relays it to all, which stands
	 * for both and starts every backup's timer. */
	struct pbft_wire_request w;
	memset(&w, 0, sizeof w);
	w.req = m;
	w.creq = *r;
	send_all(p, PBFT_MSG_REQUEST, &w, sizeof w);
	take_request(p, &m, r);
}

void pbft_on_request(struct pbft *p, int from, const struct pbft_wire_request *w)
{
	if (w->req.client < 1 || !pbft_sig_ok(&w->req)) {
		reject(p, from, "Request", "bad client signature");
		return;
	}
	take_request(p, &w->req, &w->creq);
}

/* Executes every committed request next in sequence-number order. CL §4.2:
 * "Each replica i executes the operation requested by m after
 * committed-local(m, v, n, i) is true and i's state reflects the
 * sequential execution of all requests with lower sequence numbers." */
static void execute_ready(struct pbft *p)
{
	bool any = false;
	while (p->executed + 1 < p->nslot && p->slot[p->executed + 1].committed) {
		int64_t n = ++p->executed;
		struct pbft_slot *sl = &p->slot[n];
		const struct pbft_req *m = &sl->creq;
		sl->executed = true;
		sl->ereq = *m;
		sl->executed_at = node_trace_time(p->n);
		any = true;
		char t[48];
		pbft_req_fmt(m, t, sizeof t);
		if (!m->client) {
			p->null_reqs++;
			node_state(p->n, "executed n=%lld null", (long long)n);
			continue;
		}
		struct kv_result res;
		kv_apply(&p->kv, m->client, m->seq, n, &m->op, &res);
		node_state(p->n, "executed n=%lld %s", (long long)n, t);
		/* CL §4.2: "After executing the requested operation, replicas
		 * send a reply to the client." */
		struct pbft_pending *pe = find_pending(p, m->client, m->seq);
		if (pe) {
			if (pe->has_creq) {
				struct client_reply r;
				kv_result_reply(&res, &r);
				r.matching = (uint8_t)(p->f + 1);
				node_reply(p->n, &pe->creq, &r);
			}
			*pe = p->pend[--p->npend];
		}
	}
	/* Requests this execution made stale (an older seq of the client). */
	for (size_t i = 0; i < p->npend;) {
		if (executed_already(p, &p->pend[i].req) &&
		    kv_session(&p->kv, p->pend[i].req.client)->seq > p->pend[i].req.seq)
			p->pend[i] = p->pend[--p->npend];
		else
			i++;
	}
	if (any)
		arm_request_timer(p, true);
	assign(p);
}

static int votes(const struct pbft *p, const uint64_t *v, uint64_t d, int except)
{
	int k = 0;
	for (int j = 0; j < p->nn; j++)
		k += j != except && v[j] == d;
	return k;
}

/* The predicates of CL §4.2 for sequence number n in the current view:
 * "prepared(m, v, n, i) [is true] if and only if replica i has inserted
 * in its log: the request m, a pre-prepare for m in view v with sequence
 * number n, and 2f prepares from different backups that match the
 * pre-prepare"; "committed-local(m, v, n, i) is true if and only if
 * prepared(m, v, n, i) is true and i has accepted 2f+1 commits (possibly
 * including its own) from different replicas that match the pre-prepare".
 * 2f and 2f+1 are q-1 and q here (pbft.h). */
static void check_slot(struct pbft *p, int64_t n)
{
	struct pbft_slot *sl = pbft_slot(p, n);
	if (!sl->pp || sl->view != p->view || p->changing)
		return;
	if (!sl->prepared) {
		if (votes(p, sl->prep, sl->d, pbft_primary(p, sl->view)) < p->q - 1)
			return;
		sl->prepared = true;
		sl->has_p = true;
		sl->pview = sl->view;
		sl->preq = sl->req;
		/* "When prepared(m, v, n, i) becomes true, replica i multicasts
		 * <COMMIT, v, n, D(m), i> to the other replicas." */
		sl->comm[me(p)] = sl->d;
		struct pbft_wire_order w = {sl->view, n, sl->req};
		send_all(p, PBFT_MSG_COMMIT, &w, sizeof w);
	}
	if (!sl->committed && votes(p, sl->comm, sl->d, -1) >= p->q) {
		sl->committed = true;
		sl->creq = sl->req;
		execute_ready(p);
	}
}

/* Whether n lies between the water marks (CL §4.2: "the sequence number
 * in the pre-prepare message is between a low water mark, h, and a high
 * water mark, H"; h is 0 here, with no checkpoints). */
static bool in_window(const struct pbft *p, int64_t n)
{
	return n >= 1 && n <= p->executed + p->o->v[PBFT_OPT_WINDOW].i;
}

/* CL §4.2: "A backup accepts a pre-prepare message provided: the
 * signatures in the request and the pre-prepare message are correct and
 * d is the digest for m; it is in view v; it has not accepted a
 * pre-prepare message for view v and sequence number n containing a
 * different digest; the sequence number in the pre-prepare message is
 * between a low water mark, h, and a high water mark, H." */
/* Keeps a message of a view this replica has not entered; true if it was
 * one (kept or, past PBFT_EARLY_MAX, dropped). */
static bool early(struct pbft *p, int from, int type, const struct pbft_wire_order *w)
{
	if (w->view < p->view || (w->view == p->view && !p->changing))
		return false;
	if (p->nearly < PBFT_EARLY_MAX) {
		xgrow((void **)&p->early, &p->capearly, p->nearly + 1, sizeof *p->early);
		struct pbft_early *e = &p->early[p->nearly++];
		e->from = from;
		e->type = type;
		e->w = *w;
	}
	return true;
}

void pbft_on_preprepare(struct pbft *p, int from, const struct pbft_wire_order *w)
{
	if (early(p, from, PBFT_MSG_PREPREPARE, w))
		return;
	if (p->changing || w->view != p->view) {
		reject(p, from, "PrePrepare", "not in my view");
		return;
	}
	if (from != pbft_primary(p, w->view)) {
		reject(p, from, "PrePrepare", "not the primary");
		return;
	}
	if (w->req.client < 1 || !pbft_sig_ok(&w->req)) {
		reject(p, from, "PrePrepare", "bad client signature");
		return;
	}
	if (!in_window(p, w->n)) {
		reject(p, from, "PrePrepare", "outside the water marks");
		return;
	}
	struct pbft_slot *sl = slot_in_view(p, w->n, p->view);
	uint64_t d = pbft_digest(&w->req);
	if (sl->pp) {
		if (sl->d != d)
			reject(p, from, "PrePrepare", "another digest for this v,n");
		return;
	}
	sl->pp = true;
	sl->req = w->req;
	sl->d = d;
	/* "If backup i accepts the <PRE-PREPARE, v, n, d> message, it enters
	 * the prepare phase by multicasting a <PREPARE, v, n, d, i> message
	 * to all other replicas and adds both messages to its log." */
	sl->prep[me(p)] = d;
	send_all(p, PBFT_MSG_PREPARE, w, sizeof *w);
	take_request(p, &w->req, NULL);
	check_slot(p, w->n);
}

/* CL §4.2: "Replicas accept prepare messages and insert them in their log
 * provided their signatures are correct, their view number equals the
 * replica's current view, and their sequence number is between h and H."
 * (And from a backup: the primary sends none.) Commits likewise. */
static bool vote_ok(struct pbft *p, int from, const struct pbft_wire_order *w, const char *what)
{
	if (early(p, from, !strcmp(what, "Prepare") ? PBFT_MSG_PREPARE : PBFT_MSG_COMMIT, w))
		return false;
	if (p->changing || w->view != p->view) {
		reject(p, from, what, "not in my view");
		return false;
	}
	if (!in_window(p, w->n)) {
		reject(p, from, what, "outside the water marks");
		return false;
	}
	return true;
}

void pbft_on_prepare(struct pbft *p, int from, const struct pbft_wire_order *w)
{
	if (!vote_ok(p, from, w, "Prepare"))
		return;
	if (from == pbft_primary(p, w->view)) {
		reject(p, from, "Prepare", "the primary does not prepare");
		return;
	}
	struct pbft_slot *sl = slot_in_view(p, w->n, p->view);
	sl->prep[from] = pbft_digest(&w->req);
	check_slot(p, w->n);
}

void pbft_on_commit(struct pbft *p, int from, const struct pbft_wire_order *w)
{
	if (!vote_ok(p, from, w, "Commit"))
		return;
	struct pbft_slot *sl = slot_in_view(p, w->n, p->view);
	sl->comm[from] = pbft_digest(&w->req);
	check_slot(p, w->n);
}

/* ---- view changes (CL §4.4) ------------------------------------------------- */

static void vc_store(struct pbft *p, int j, int64_t view, const struct pbft_wire_order *e,
		     uint32_t np)
{
	struct pbft_vc *vc = &p->vc[j];
	free(vc->p);
	vc->view = view;
	vc->np = np;
	vc->p = np ? xmalloc(np * sizeof *e) : NULL;
	if (np)
		memcpy(vc->p, e, np * sizeof *e);
}

static void try_new_view(struct pbft *p);
static void try_held(struct pbft *p);

/* CL §4.4: "If the timer of backup i expires in view v, the backup starts
 * a view change to move the system to view v+1. It stops accepting
 * messages (other than checkpoint, view-change, and new-view messages) and
 * multicasts a <VIEW-CHANGE, v+1, n, C, P, i> message to all replicas." */
static void start_view_change(struct pbft *p, int64_t v)
{
	if (v <= p->view)
		return;
	if (!p->changing)
		p->vc_timeout = p->o->v[PBFT_OPT_TIMEOUT].i;
	p->view = v;
	p->changing = true;
	p->nv_sent = false;
	p->views_changed++;
	uint32_t np = 0;
	for (int64_t n = 1; n < p->nslot; n++)
		np += p->slot[n].has_p;
	size_t len = sizeof(struct pbft_wire_viewchange) + np * sizeof(struct pbft_wire_order);
	char *buf = xcalloc(1, len);
	struct pbft_wire_viewchange h = {v, np, 0};
	memcpy(buf, &h, sizeof h);
	struct pbft_wire_order *e = (struct pbft_wire_order *)(void *)(buf + sizeof h);
	uint32_t k = 0;
	for (int64_t n = 1; n < p->nslot; n++) {
		const struct pbft_slot *sl = &p->slot[n];
		if (!sl->has_p)
			continue;
		struct pbft_wire_order o = {sl->pview, n, sl->preq};
		memcpy(&e[k++], &o, sizeof o);
	}
	vc_store(p, me(p), v, e, np);
	node_state(p->n, "view change to view %lld (primary n%d), %u prepared", (long long)v,
		   pbft_primary(p, v) + 1, np);
	send_all(p, PBFT_MSG_VIEWCHANGE, buf, len);
	free(buf);
	/* "If the timer of backup i expires in view v+1 before it receives a
	 * valid new-view message for v+1 ... it starts a view change for view
	 * v+2 but this time it will wait 2T". */
	node_set_timer(p->n, PBFT_TIMER_VIEW, p->vc_timeout);
	p->vc_timeout = MIN(p->vc_timeout * 2, 60 * SIM_S);
	try_new_view(p);
	try_held(p);
}

void pbft_on_view_timer(struct pbft *p)
{
	if (p->changing || p->npend)
		start_view_change(p, p->view + 1);
}

/* O from the VIEW-CHANGE messages of vset, for view v. CL §4.4: "the
 * primary determines the sequence number min-s of the latest stable
 * checkpoint in V and the highest sequence number max-s in a prepare
 * message in V. The primary creates a new pre-prepare message for view
 * v+1 for each sequence number n between min-s and max-s. There are two
 * cases: (1) there is at least one set in the P component of some
 * view-change message in V with sequence number n, or (2) there is no such
 * set. In the first case, the primary creates a new message <PRE-PREPARE,
 * v+1, n, d>, where d is the request digest in the pre-prepare message
 * for sequence number n with the highest view number in V. In the second
 * case, it creates a new pre-prepare message <PRE-PREPARE, v+1, n, dnull>,
 * where dnull is the digest of a special null request." min-s is 0 here
 * (no checkpoints). Returns the entries (caller frees), *no their count. */
static struct pbft_wire_order *compute_o(const struct pbft *p, const struct nodeset *vset,
					 int64_t v, uint32_t *no)
{
	int64_t maxs = 0;
	for (int j = 0; j < p->nn; j++) {
		if (!nodeset_has(vset, j))
			continue;
		for (uint32_t k = 0; k < p->vc[j].np; k++)
			maxs = MAX(maxs, p->vc[j].p[k].n);
	}
	struct pbft_wire_order *o = maxs ? xcalloc((size_t)maxs, sizeof *o) : NULL;
	int64_t *best = maxs ? xcalloc((size_t)maxs, sizeof *best) : NULL;
	for (int64_t n = 1; n <= maxs; n++) {
		o[n - 1].view = v;
		o[n - 1].n = n;
		best[n - 1] = -1;
	}
	for (int j = 0; j < p->nn; j++) {
		if (!nodeset_has(vset, j))
			continue;
		for (uint32_t k = 0; k < p->vc[j].np; k++) {
			const struct pbft_wire_order *e = &p->vc[j].p[k];
			if (e->n < 1 || e->n > maxs || e->view <= best[e->n - 1])
				continue;
			best[e->n - 1] = e->view;
			o[e->n - 1].req = e->req;
		}
	}
	free(best);
	*no = (uint32_t)maxs;
	return o;
}

/* Enters view v with O (CL §4.4: the primary "enters view v+1"; a backup
 * "enters view v+1 ... and multicasts a prepare for each message in O"). */
static void install(struct pbft *p, int64_t v, const struct pbft_wire_order *o, uint32_t no)
{
	p->view = v;
	p->changing = false;
	p->vc_timeout = p->o->v[PBFT_OPT_TIMEOUT].i;
	free(p->nv_held);
	p->nv_held = NULL;
	p->nv_held_len = 0;
	node_state(p->n, "enters view %lld (primary n%d), O has %u", (long long)v,
		   pbft_primary(p, v) + 1, no);
	bool prim = is_primary(p);
	for (uint32_t k = 0; k < no; k++) {
		struct pbft_slot *sl = slot_in_view(p, o[k].n, v);
		sl->pp = true;
		sl->req = o[k].req;
		sl->d = pbft_digest(&o[k].req);
		if (!prim) {
			sl->prep[me(p)] = sl->d;
			send_all(p, PBFT_MSG_PREPARE, &o[k], sizeof o[k]);
		}
	}
	p->next_n = (int64_t)no + 1;
	for (size_t i = 0; i < p->npend; i++) {
		p->pend[i].assigned_view = -1;
		for (uint32_t k = 0; k < no; k++)
			if (o[k].req.client == p->pend[i].req.client &&
			    o[k].req.seq == p->pend[i].req.seq)
				p->pend[i].assigned_view = v;
	}
	node_cancel_timer(p->n, PBFT_TIMER_VIEW);
	arm_request_timer(p, true);
	for (uint32_t k = 0; k < no; k++)
		check_slot(p, o[k].n);
	/* What arrived early for this view, in arrival order; older views'
	 * messages are dropped, later ones kept. */
	struct pbft_early *e = p->early;
	size_t ne = p->nearly;
	p->early = NULL;
	p->nearly = p->capearly = 0;
	for (size_t i = 0; i < ne; i++) {
		if (e[i].w.view < v)
			continue;
		if (e[i].type == PBFT_MSG_PREPREPARE)
			pbft_on_preprepare(p, e[i].from, &e[i].w);
		else if (e[i].type == PBFT_MSG_PREPARE)
			pbft_on_prepare(p, e[i].from, &e[i].w);
		else
			pbft_on_commit(p, e[i].from, &e[i].w);
	}
	free(e);
	assign(p);
}

/* CL §4.4: "When the primary p of view v+1 receives 2f valid view-change
 * messages for view v+1 from other replicas, it multicasts a <NEW-VIEW,
 * v+1, V, O> message to all other replicas" (with its own: q in all). */
static void try_new_view(struct pbft *p)
{
	if (!p->changing || p->nv_sent || !is_primary(p))
		return;
	struct nodeset vset = {{0, 0}};
	for (int j = 0; j < p->nn; j++)
		if (p->vc[j].view == p->view)
			nodeset_add(&vset, j);
	if (nodeset_count(&vset) < p->q)
		return;
	uint32_t no;
	struct pbft_wire_order *o = compute_o(p, &vset, p->view, &no);
	size_t len = sizeof(struct pbft_wire_newview) + no * sizeof *o;
	char *buf = xcalloc(1, len);
	struct pbft_wire_newview h;
	memset(&h, 0, sizeof h);
	h.view = p->view;
	h.vset = vset;
	h.no = no;
	memcpy(buf, &h, sizeof h);
	if (no)
		memcpy(buf + sizeof h, o, no * sizeof *o);
	p->nv_sent = true;
	send_all(p, PBFT_MSG_NEWVIEW, buf, len);
	free(buf);
	install(p, p->view, o, no);
	free(o);
}

void pbft_on_viewchange(struct pbft *p, int from, const void *data, size_t len)
{
	struct pbft_wire_viewchange h;
	if (len < sizeof h)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.np * sizeof(struct pbft_wire_order))
		return;
	if (p->vc[from].view >= h.view)
		return; /* an older or repeated one */
	struct pbft_wire_order *e = h.np ? xmalloc(h.np * sizeof *e) : NULL;
	if (h.np)
		memcpy(e, (const char *)data + sizeof h, h.np * sizeof *e);
	vc_store(p, from, h.view, e, h.np);
	free(e);
	/* CL §4.5.2 (liveness): "if a replica receives a set of f+1 valid
	 * view-change messages from other replicas for views greater than its
	 * current view, it sends a view-change message for the smallest view
	 * in the set, even if its timer has not expired". */
	int above = 0;
	int64_t least = INT64_MAX;
	for (int j = 0; j < p->nn; j++)
		if (j != me(p) && p->vc[j].view > p->view) {
			above++;
			least = MIN(least, p->vc[j].view);
		}
	if (above >= p->f + 1)
		start_view_change(p, least);
	try_new_view(p);
	try_held(p);
}

/* CL §4.4: "A backup accepts a new-view message for view v+1 if it is
 * signed properly, if the view-change messages it contains are valid for
 * view v+1, and if the set O is correct; it verifies the correctness of O
 * by performing a computation similar to the one used by the primary to
 * create O." The view changes are those this backup received itself from
 * the senders in V; a NEW-VIEW naming one it has not received yet is held
 * until it arrives. Returns whether it was taken or refused (not held). */
static bool take_newview(struct pbft *p, int from, const void *data, size_t len, bool held)
{
	struct pbft_wire_newview h;
	if (len < sizeof h)
		return true;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.no * sizeof(struct pbft_wire_order))
		return true;
	if (h.view < p->view || (h.view == p->view && !p->changing))
		return true; /* old news */
	if (from != pbft_primary(p, h.view)) {
		reject(p, from, "NewView", "not the primary of that view");
		return true;
	}
	if (nodeset_count(&h.vset) < p->q) {
		reject(p, from, "NewView", "V has fewer than a quorum");
		return true;
	}
	for (int j = 0; j < p->nn; j++)
		if (nodeset_has(&h.vset, j) && p->vc[j].view != h.view) {
			if (p->vc[j].view > h.view) {
				reject(p, from, "NewView", "V names a view change I know is newer");
				return true;
			}
			if (!held) {
				free(p->nv_held);
				p->nv_held = xmalloc(len);
				memcpy(p->nv_held, data, len);
				p->nv_held_len = len;
			}
			return false;
		}
	uint32_t no;
	struct pbft_wire_order *o = compute_o(p, &h.vset, h.view, &no);
	bool same = no == h.no;
	const char *rest = (const char *)data + sizeof h;
	for (uint32_t k = 0; same && k < no; k++) {
		struct pbft_wire_order got;
		memcpy(&got, rest + k * sizeof got, sizeof got);
		same = got.view == o[k].view && got.n == o[k].n &&
		       !memcmp(&got.req, &o[k].req, sizeof got.req);
	}
	if (!same)
		reject(p, from, "NewView", "O does not follow from V");
	else
		install(p, h.view, o, no);
	free(o);
	return true;
}

void pbft_on_newview(struct pbft *p, int from, const void *data, size_t len)
{
	take_newview(p, from, data, len, false);
}

static void try_held(struct pbft *p)
{
	if (!p->nv_held)
		return;
	struct pbft_wire_newview h;
	memcpy(&h, p->nv_held, sizeof h);
	void *d = p->nv_held;
	size_t len = p->nv_held_len;
	if (take_newview(p, pbft_primary(p, h.view), d, len, true) && p->nv_held == d) {
		free(p->nv_held);
		p->nv_held = NULL;
		p->nv_held_len = 0;
	}
}

void pbft_free_volatile(struct pbft *p)
{
	for (int j = 0; j < p->nn; j++)
		free(p->vc[j].p);
	free(p->vc);
	p->vc = NULL;
	free(p->nv_held);
	p->nv_held = NULL;
	free(p->early);
	p->early = NULL;
	p->nearly = p->capearly = 0;
}

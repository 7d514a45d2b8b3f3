/*
 * dynamo_coord.c — client requests: who coordinates, quorum writes and
 * reads, read repair; and the replica side of Put and Get.
 *
 * Who coordinates. DeCandia et al. §4.5: "A node handling a read or write
 * operation is known as the coordinator. Typically, this is the first among
 * the top N nodes in the preference list. ... the node that receives the
 * request will not coordinate it if the node is not in the top N of the
 * requested key's preference list. Instead, that node will forward the
 * request to the first among the top N nodes in the preference list."
 * Here a node in the preference list coordinates what it receives; any
 * other node forwards to the first member it believes up (Forward; the
 * coordinator answers the client directly). If it believes none is up it
 * coordinates itself when sloppy=on, and refuses (unavailable) when
 * sloppy=off.
 *
 * Writes. §4.5: "Upon receiving a put() request for a key, the coordinator
 * generates the vector clock for the new version and writes the new
 * version locally. The coordinator then sends the new version (along with
 * the new vector clock) to the N highest-ranked reachable nodes. If at
 * least W-1 nodes respond then the write is considered successful."
 * Clients here send no context (a `put` is blind), so the new clock is the
 * merge of the clocks of every version the coordinator holds for the key
 * and of the clock of its own last write of the key, with its own counter
 * incremented. That last clock is kept in stable storage: a coordinator
 * never forgets what it saw, even when the versions it wrote were handed
 * off or it crashed, so a dot is never reused and a clock never claims
 * less than its writer knew (Lamport's process order). A version
 * concurrent with one the coordinator has not yet seen becomes a sibling. A write that gathers
 * fewer than W acks before `timeout` is not answered: some replicas may hold it, so the client's
 * attempt times out and its outcome is unknown.
 *
 * Reads. §4.5: "the coordinator requests all existing versions of data for
 * that key from the N highest-ranked reachable nodes in the preference list
 * for that key, and then waits for R responses before returning the result
 * to the client. If the coordinator ends up gathering multiple versions of
 * the data, it returns all the versions it deems to be causally
 * unrelated." Siblings reach the client as their distinct values sorted
 * and joined with '|' ("1|2"); a put of a value holding '|' is refused. A
 * read with fewer than R replies by `timeout` is refused (it had no effect).
 *
 * Read repair. §5: "After the read response has been returned to the
 * caller the state machine waits for a small period of time to receive any
 * outstanding responses. If stale versions were returned in any of the
 * responses, the coordinator updates those nodes with the latest version."
 * Here the coordinator waits for every target or for `timeout`, then sends
 * the merged latest versions to each replier that lacked one of them.
 *
 * Sloppy quorum. §4.6: "all read and write operations are performed on the
 * first N healthy nodes from the preference list, which may not always be
 * the first N nodes encountered while walking the consistent hashing
 * ring." With sloppy=on, each preference-list node this coordinator does
 * not trust is replaced by the next trusted node beyond the list, and that
 * node's copy carries a hint naming the intended owner. With sloppy=off the
 * targets are exactly the preference list, reachable or not.
 */
#include "proto/dynamo_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct dyn_hint *dyn_hint_get(struct dyn *d, int owner, const char *key)
{
	for (int i = 0; i < d->nhints; i++)
		if (d->hints[i].owner == owner && !strcmp(d->hints[i].obj.key, key))
			return &d->hints[i];
	size_t cap = (size_t)d->hcap;
	xgrow((void **)&d->hints, &cap, (size_t)d->nhints + 1, sizeof *d->hints);
	d->hcap = (int)cap;
	struct dyn_hint *h = &d->hints[d->nhints++];
	memset(h, 0, sizeof *h);
	h->owner = owner;
	ns_strlcpy(h->obj.key, key, sizeof h->obj.key);
	return h;
}

void dyn_local_versions(const struct dyn *d, const char *key, struct dyn_obj *out)
{
	memset(out, 0, sizeof *out);
	ns_strlcpy(out->key, key, sizeof out->key);
	const struct dyn_obj *o = dyn_store_find(&d->store, key);
	if (o)
		dyn_obj_merge_all(out, o);
	for (int i = 0; i < d->nhints; i++)
		if (!strcmp(d->hints[i].obj.key, key))
			dyn_obj_merge_all(out, &d->hints[i].obj);
}

/* Stores versions locally: in the store, or as a hinted copy for owner. */
static bool store_local(struct dyn *d, int hint, const struct dyn_obj *src);

/* bug=repair-overwrites: what a read repair brings replaces the object
 * (the versions held now, a newer write among them, are dropped). */
static void repair_local(struct dyn *d, int hint, const struct dyn_obj *src)
{
	if (!(dyn_opt(d, DYN_OPT_BUG) & DYN_BUG_REPAIR_OVERWRITES)) {
		(void)store_local(d, hint, src);
		return;
	}
	d->changes++;
	struct dyn_obj *o = hint >= 0 && hint != d->n->id ? &dyn_hint_get(d, hint, src->key)->obj
							  : dyn_store_get(&d->store, src->key);
	dyn_obj_free(o);
	dyn_obj_copy(o, src);
}

static bool store_local(struct dyn *d, int hint, const struct dyn_obj *src)
{
	d->changes++;
	if (hint >= 0 && hint != d->n->id)
		return dyn_obj_merge_all(&dyn_hint_get(d, hint, src->key)->obj, src);
	return dyn_obj_merge_all(dyn_store_get(&d->store, src->key), src);
}

static void reply(struct dyn *d, const struct client_req *cr, enum reply_status st,
		  const char *value, bool found, const char *why)
{
	struct client_reply rep = {.status = st, .leader_hint = -1, .found = found};
	if (value)
		ns_strlcpy(rep.value, value, sizeof rep.value);
	if (why)
		ns_strlcpy(rep.why, why, sizeof rep.why);
	node_reply(d->n, cr, &rep);
}

static struct dyn_ghost *ghost_new(struct dyn *d)
{
	size_t cap = (size_t)d->gcap;
	xgrow((void **)&d->ghost, &cap, (size_t)d->nghost + 1, sizeof *d->ghost);
	d->gcap = (int)cap;
	struct dyn_ghost *g = &d->ghost[d->nghost++];
	memset(g, 0, sizeof *g);
	return g;
}

static struct dyn_req *req_new(struct dyn *d)
{
	for (int i = 0; i < d->nreq; i++)
		if (!d->req[i].live)
			return memset(&d->req[i], 0, sizeof d->req[i]);
	size_t cap = (size_t)d->reqcap;
	xgrow((void **)&d->req, &cap, (size_t)d->nreq + 1, sizeof *d->req);
	d->reqcap = (int)cap;
	return memset(&d->req[d->nreq++], 0, sizeof d->req[0]);
}

static void req_free(struct dyn_req *q)
{
	for (int i = 0; i < DYN_N_MAX; i++)
		dyn_obj_free(&q->got[i]);
	q->live = false;
}

void dyn_coord_drop_all(struct dyn *d)
{
	for (int i = 0; i < d->nreq; i++)
		if (d->req[i].live)
			req_free(&d->req[i]);
	free(d->req);
	d->req = NULL;
	d->nreq = d->reqcap = 0;
}

static void arm_req_timer(struct dyn *d)
{
	sim_time first = SIM_NEVER, now = node_local_now(d->n);
	for (int i = 0; i < d->nreq; i++)
		if (d->req[i].live && d->req[i].deadline < first)
			first = d->req[i].deadline;
	if (first == SIM_NEVER)
		node_cancel_timer(d->n, DYN_TIMER_REQ);
	else
		node_set_timer(d->n, DYN_TIMER_REQ, first > now ? first - now : 0);
}

/* The targets of a request for key: the preference list, or with
 * sloppy=on the first n nodes of it this node trusts, with hinted
 * stand-ins beyond the list for the others. */
static void choose_targets(struct dyn *d, const char *key, struct dyn_req *q)
{
	const struct dyn_ring *ring = dyn_ring_of(d);
	int order[SIM_MAX_NODES];
	int total =
	    dyn_ring_walk(ring, dyn_ring_range(ring, dyn_key_pos(key)), ring->nodes, NULL, order);
	int n = MIN(dyn_n(d), total), spare = n;
	bool sloppy = dyn_opt(d, DYN_OPT_SLOPPY);
	q->ntarget = 0;
	for (int i = 0; i < n; i++) {
		int node = order[i], hint = -1;
		if (sloppy && !dyn_trusts(d, node)) {
			while (spare < total && !dyn_trusts(d, order[spare]))
				spare++;
			if (spare == total)
				continue; /* nobody healthy left to stand in */
			hint = node;
			node = order[spare++];
		}
		q->target[q->ntarget] = node;
		q->hint[q->ntarget] = hint;
		q->ntarget++;
	}
}

static int count_answers(const struct dyn_req *q)
{
	int k = 0;
	for (int i = 0; i < q->ntarget; i++)
		k += q->answered[i];
	return k;
}

/* Gets: the merged latest versions of every reply so far. */
static void merged_reads(const struct dyn_req *q, struct dyn_obj *out)
{
	memset(out, 0, sizeof *out);
	ns_strlcpy(out->key, q->creq.op.key, sizeof out->key);
	for (int i = 0; i < q->ntarget; i++)
		if (q->answered[i])
			dyn_obj_merge_all(out, &q->got[i]);
}

static void read_repair(struct dyn *d, struct dyn_req *q)
{
	if (!dyn_opt(d, DYN_OPT_READ_REPAIR))
		return;
	struct dyn_obj m;
	merged_reads(q, &m);
	for (int i = 0; i < q->ntarget; i++) {
		if (!q->answered[i] || dyn_obj_same(&q->got[i], &m))
			continue;
		struct dyn_obj probe;
		dyn_obj_copy(&probe, &q->got[i]);
		bool stale = dyn_obj_merge_all(&probe, &m);
		dyn_obj_free(&probe);
		if (!stale)
			continue;
		d->stat_repairs++;
		node_state(d->n, "read repair: n%d had an older %s", q->target[i] + 1, m.key);
		if (q->target[i] == d->n->id) {
			repair_local(d, q->hint[i], &m);
			continue;
		}
		struct dyn_wire w = {
		    .type = DYN_PUT, .hint = q->hint[i], .flags = DYN_PUT_REPAIR, .obj = m};
		dyn_send(d, q->target[i], &w);
	}
	dyn_obj_free(&m);
}

/* Answers the client as soon as the quorum is there; ends the request
 * once every target answered. */
static void progress(struct dyn *d, struct dyn_req *q)
{
	int got = count_answers(q);
	if (!q->replied && got >= q->need) {
		q->replied = true;
		struct dyn_ghost *g = q->ghost >= 0 ? &d->ghost[q->ghost] : NULL;
		if (q->is_get) {
			struct dyn_obj m;
			merged_reads(q, &m);
			char val[KV_VAL_MAX];
			dyn_obj_values(&m, val, sizeof val);
			g = ghost_new(d);
			g->is_get = true;
			g->need = q->need;
			g->op_id = q->creq.op_id;
			ns_strlcpy(g->key, m.key, sizeof g->key);
			g->started = q->started;
			g->acked = true;
			g->acked_at = node_trace_time(d->n);
			g->seen = m; /* owns m's versions */
			ns_strlcpy(g->result, val, sizeof g->result);
			reply(d, &q->creq, REPLY_OK, val, m.nv > 0, NULL);
		} else {
			if (g) {
				g->acked = true;
				g->acked_at = node_trace_time(d->n);
			}
			reply(d, &q->creq, REPLY_OK, NULL, false, NULL);
		}
	}
	if (got == q->ntarget) {
		if (q->is_get)
			read_repair(d, q);
		req_free(q);
	}
}

static struct dyn_req *find_req(struct dyn *d, uint32_t id, int from, int *slot)
{
	for (int i = 0; i < d->nreq; i++) {
		struct dyn_req *q = &d->req[i];
		if (!q->live || q->id != id)
			continue;
		for (int k = 0; k < q->ntarget; k++)
			if (q->target[k] == from && !q->answered[k]) {
				*slot = k;
				return q;
			}
		return NULL;
	}
	return NULL;
}

/* Begins coordinating a put: the new version, stored locally if this node
 * is a target, then sent to the others. */
static void coord_put(struct dyn *d, struct dyn_req *q)
{
	const char *key = q->creq.op.key;
	struct dyn_obj mine;
	dyn_local_versions(d, key, &mine);
	/* rec->mine: the clock of this node's last write of key (stable). */
	struct dyn_obj *rec = dyn_store_get(&d->store, key);
	struct dyn_ver *v = &q->ver;
	memset(v, 0, sizeof *v);
	ns_strlcpy(v->val, q->creq.op.arg, sizeof v->val);
	for (int i = 0; i < mine.nv; i++)
		vclock_merge(&v->vc, &mine.v[i].vc);
	vclock_merge(&v->vc, &rec->mine);
	uint32_t ctr = vclock_increment(&v->vc, d->n->id);
	rec->mine = v->vc;
	v->dot_node = (uint16_t)d->n->id;
	v->dot_ctr = ctr;

	struct dyn_ghost *g = ghost_new(d);
	q->ghost = d->nghost - 1;
	g->need = q->need;
	g->op_id = q->creq.op_id;
	ns_strlcpy(g->key, key, sizeof g->key);
	g->started = q->started;
	g->ver = *v;
	g->npred = mine.nv;
	g->pred = mine.v; /* the ghost owns the predecessors */

	struct dyn_obj one = {.nv = 1, .cap = 1, .v = v};
	ns_strlcpy(one.key, key, sizeof one.key);
	for (int i = 0; i < q->ntarget; i++) {
		if (q->target[i] == d->n->id) {
			store_local(d, q->hint[i], &one);
			q->answered[i] = true;
			continue;
		}
		struct dyn_wire w = {.type = DYN_PUT, .req = q->id, .hint = q->hint[i], .obj = one};
		dyn_send(d, q->target[i], &w);
	}
	progress(d, q);
}

static void coord_get(struct dyn *d, struct dyn_req *q)
{
	for (int i = 0; i < q->ntarget; i++) {
		if (q->target[i] == d->n->id) {
			dyn_local_versions(d, q->creq.op.key, &q->got[i]);
			q->answered[i] = true;
			continue;
		}
		struct dyn_wire w = {.type = DYN_GET, .req = q->id, .hint = q->hint[i]};
		ns_strlcpy(w.obj.key, q->creq.op.key, sizeof w.obj.key);
		dyn_send(d, q->target[i], &w);
	}
	progress(d, q);
}

/* How many replicas the request waits for: r or w, or the level it asks
 * (one; quorum, a majority of n; all of n). */
static int need_of(const struct dyn *d, const struct client_req *cr)
{
	int n = dyn_n(d);
	switch ((enum kv_level)cr->op.level) {
	case KV_LEVEL_ONE: return 1;
	case KV_LEVEL_QUORUM: return n / 2 + 1;
	case KV_LEVEL_ALL: return n;
	default: return cr->op.fn == KV_GET ? dyn_r(d) : dyn_w(d);
	}
}

static void coordinate(struct dyn *d, const struct client_req *cr)
{
	struct dyn_req *q = req_new(d);
	q->live = true;
	q->is_get = cr->op.fn == KV_GET;
	q->id = ++d->next_req;
	q->creq = *cr;
	q->ghost = -1;
	q->started = node_trace_time(d->n);
	q->deadline = node_local_now(d->n) + dyn_opt(d, DYN_OPT_TIMEOUT);
	q->need = need_of(d, cr);
	choose_targets(d, cr->op.key, q);
	int alive = q->ntarget;
	if (!dyn_opt(d, DYN_OPT_SLOPPY) && cr->op.level != KV_LEVEL_DEFAULT) {
		/* A level asked for by the request, over the strict preference
		 * list: as Cassandra's coordinator, refuse at once when fewer
		 * replicas are alive (trusted) than the level needs ("Cannot
		 * achieve consistency level QUORUM": UnavailableException),
		 * rather than write to some and leave the outcome unknown. */
		alive = 0;
		for (int i = 0; i < q->ntarget; i++)
			alive += q->target[i] == d->n->id || dyn_trusts(d, q->target[i]);
	}
	if (alive < q->need) {
		/* Even the sloppy list is short: the quorum cannot be met. */
		char why[64];
		if (cr->op.level != KV_LEVEL_DEFAULT)
			ns_snprintf(why, sizeof why, "%s needs %d replicas, %d alive",
				    kv_level_name((enum kv_level)cr->op.level), q->need, alive);
		else
			ns_snprintf(why, sizeof why, "%d of %d nodes healthy", alive, q->need);
		req_free(q);
		reply(d, cr, REPLY_UNAVAILABLE, NULL, false, why);
		return;
	}
	if (q->is_get)
		coord_get(d, q);
	else
		coord_put(d, q);
	arm_req_timer(d);
}

void dyn_on_client(void *self, const struct client_req *cr)
{
	struct dyn *d = self;
	if (cr->op.fn != KV_GET && cr->op.fn != KV_PUT) {
		reply(d, cr, REPLY_FAIL, NULL, false, "dynamo offers get and put only");
		return;
	}
	if (cr->op.fn == KV_PUT && strchr(cr->op.arg, '|')) {
		reply(d, cr, REPLY_FAIL, NULL, false, "'|' separates siblings");
		return;
	}
	int pref[DYN_N_MAX];
	int np = dyn_ring_pref(dyn_ring_of(d), cr->op.key, dyn_n(d), pref);
	for (int i = 0; i < np; i++)
		if (pref[i] == d->n->id) {
			coordinate(d, cr);
			return;
		}
	for (int i = 0; i < np; i++)
		if (dyn_trusts(d, pref[i])) {
			struct dyn_wire w = {.type = DYN_FORWARD, .creq = *cr};
			ns_strlcpy(w.obj.key, cr->op.key, sizeof w.obj.key);
			dyn_send(d, pref[i], &w);
			return;
		}
	if (dyn_opt(d, DYN_OPT_SLOPPY)) {
		coordinate(d, cr);
		return;
	}
	reply(d, cr, REPLY_UNAVAILABLE, NULL, false, "no replica reachable");
}

void dyn_coord_on_forward(struct dyn *d, const struct dyn_wire *w)
{
	coordinate(d, &w->creq);
}

void dyn_coord_on_put_ack(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	int k;
	struct dyn_req *q = find_req(d, w->req, m->from, &k);
	if (!q || q->is_get)
		return;
	q->answered[k] = true;
	progress(d, q);
	arm_req_timer(d);
}

void dyn_coord_on_get_reply(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	int k;
	struct dyn_req *q = find_req(d, w->req, m->from, &k);
	if (!q || !q->is_get)
		return;
	q->answered[k] = true;
	dyn_obj_copy(&q->got[k], &w->obj);
	progress(d, q);
	arm_req_timer(d);
}

void dyn_coord_timer(struct dyn *d)
{
	sim_time now = node_local_now(d->n);
	for (int i = 0; i < d->nreq; i++) {
		struct dyn_req *q = &d->req[i];
		if (!q->live || q->deadline > now)
			continue;
		/* §4.8.3: "node A may consider node B failed if node B does
		 * not respond to node A's messages". */
		for (int k = 0; k < q->ntarget; k++)
			if (!q->answered[k] && !d->suspect[q->target[k]]) {
				d->suspect[q->target[k]] = true;
				node_state(d->n, "suspects n%d (no answer in time)",
					   q->target[k] + 1);
			}
		if (!q->replied && q->is_get) {
			char why[64];
			if (q->creq.op.level != KV_LEVEL_DEFAULT)
				ns_snprintf(
				    why, sizeof why, "%d of %s=%d replies", count_answers(q),
				    kv_level_name((enum kv_level)q->creq.op.level), q->need);
			else
				ns_snprintf(why, sizeof why, "%d of r=%d replies", count_answers(q),
					    q->need);
			reply(d, &q->creq, REPLY_UNAVAILABLE, NULL, false, why);
		}
		if (q->is_get && q->replied)
			read_repair(d, q);
		req_free(q);
	}
	arm_req_timer(d);
}

void dyn_replica_on_put(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	if (w->flags & DYN_PUT_REPAIR) {
		repair_local(d, w->hint, &w->obj);
		return;
	}
	store_local(d, w->hint, &w->obj);
	struct dyn_wire a = {.type = DYN_PUT_ACK, .req = w->req, .hint = w->hint};
	ns_strlcpy(a.obj.key, w->obj.key, sizeof a.obj.key);
	dyn_send(d, m->from, &a);
}

void dyn_replica_on_get(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	struct dyn_wire a = {.type = DYN_GET_REPLY, .req = w->req, .hint = w->hint};
	dyn_local_versions(d, w->obj.key, &a.obj);
	dyn_send(d, m->from, &a);
	dyn_obj_free(&a.obj);
}

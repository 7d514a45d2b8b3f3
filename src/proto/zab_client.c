/*
 * zab_client.c — ZooKeeper's client semantics on top of Zab (Hunt et al.,
 * "ZooKeeper: Wait-free coordination for Internet-scale systems", USENIX
 * ATC 2010, §2.3 and §4; the ZooKeeper Programmer's Guide, "Consistency
 * Guarantees").
 *
 *   - A client talks to one server (the simulator's client: the node it
 *     invokes through, `via`).
 *   - Writes are linearizable: "all requests that update the state of
 *     ZooKeeper are serializable" (ZK §2.3); a follower forwards a write
 *     to the leader, which broadcasts it; the server that took the
 *     client's request answers once it has delivered the transaction.
 *     Exactly once rests on (client, seq): the leader does not broadcast
 *     a (client, seq) twice, and delivery applies it once (proto/kv.c).
 *   - Reads are local: "read requests are handled locally at each
 *     server" (ZK §4) and may be stale — sequentially consistent, not
 *     linearizable. With reads=sync each read first syncs.
 *   - `sync`: "sync causes a server to apply all pending write requests
 *     before processing the read" (ZK §2.3). The server asks its leader;
 *     the leader answers with its last proposal's zxid once a quorum has
 *     answered a fresh PING (so that it was still the leader) and that
 *     zxid is committed; the server answers its client once it has
 *     delivered up to there. A sync followed by a read of the same client
 *     through the same server sees every write completed before the sync
 *     was invoked. (ZooKeeper's own sync skips the quorum round and can
 *     be fooled by a deposed leader; this one is the safe variant.)
 *   - A server out of the broadcast phase — cut off from the quorum,
 *     electing, synchronising — stops serving: it refuses its clients
 *     (they move to another server). With readonly=on it still answers
 *     reads from its copy (ZooKeeper's read-only mode, off by default).
 *
 * A write a server had forwarded when it lost its leader is forgotten,
 * not refused: the leader may still commit it, so saying "fail" would be
 * a lie; the client's attempt times out and it retries elsewhere.
 */
#include "proto/zab.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

bool zab_serving(const struct zab *p)
{
	return p->n->up && p->phase == ZAB_BROADCAST && p->role != ZAB_LOOKING;
}

static void refuse(struct zab *p, const struct client_req *req, const char *why)
{
	struct client_reply rep = {.status = REPLY_UNAVAILABLE, .leader_hint = -1};
	ns_strlcpy(rep.why, why, sizeof rep.why);
	node_reply(p->n, req, &rep);
}

static void answer_read(struct zab *p, const struct client_req *req)
{
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	if (req->op.fn == KV_GET) {
		const char *v = kv_get(&p->kv, req->op.key);
		rep.found = v != NULL;
		if (v)
			ns_strlcpy(rep.value, v, sizeof rep.value);
	}
	node_reply(p->n, req, &rep);
}

static void pend_remove(struct zab *p, size_t i)
{
	memmove(&p->pend[i], &p->pend[i + 1], (p->npend - i - 1) * sizeof *p->pend);
	p->npend--;
}

static struct zab_pending *pend_add(struct zab *p, const struct client_req *req, int kind)
{
	xgrow((void **)&p->pend, &p->cappend, p->npend + 1, sizeof *p->pend);
	struct zab_pending *w = &p->pend[p->npend++];
	memset(w, 0, sizeof *w);
	w->req = *req;
	w->kind = (uint8_t)kind;
	return w;
}

void zab_answer_delivered(struct zab *p, const struct zab_txn *t, const struct kv_result *res)
{
	for (size_t k = 0; k < p->npend; k++) {
		struct zab_pending *w = &p->pend[k];
		if (w->kind != ZAB_PEND_WRITE || w->req.client != t->client || w->req.seq != t->seq)
			continue;
		struct client_reply rep;
		kv_result_reply(res, &rep);
		node_reply(p->n, &w->req, &rep);
		pend_remove(p, k);
		return;
	}
}

void zab_answer_syncs(struct zab *p)
{
	/* At the leader: syncs whose PING round a quorum answered and whose
	 * target is committed. */
	for (size_t k = 0; k < p->nsw;) {
		struct zab_syncwait *s = &p->sw[k];
		int c = 0;
		for (int i = 0; i < node_count(p->n); i++)
			c += (i == p->n->id || nodeset_has(&p->acknl, i)) &&
			     p->ping_acked[i] >= s->round;
		if (c < zab_quorum(p) || p->commit_zxid < s->target) {
			k++;
			continue;
		}
		struct zab_syncwait done = *s;
		memmove(s, s + 1, (p->nsw - k - 1) * sizeof *s);
		p->nsw--;
		if (done.from == p->n->id) {
			for (size_t j = 0; j < p->npend; j++)
				if (p->pend[j].kind != ZAB_PEND_WRITE &&
				    p->pend[j].sync_id == done.id) {
					p->pend[j].has_target = true;
					p->pend[j].target = done.target;
				}
		} else {
			struct zab_wire_syncmsg w = {
			    .epoch = p->epoch, .id = done.id, .target = done.target};
			zab_send(p, done.from, ZAB_MSG_SYNCREP, &w, sizeof w);
		}
	}
	int64_t have = zab_delivered_zxid(p);
	for (size_t k = 0; k < p->npend;) {
		struct zab_pending *w = &p->pend[k];
		if (w->kind == ZAB_PEND_WRITE || !w->has_target || have < w->target) {
			k++;
			continue;
		}
		answer_read(p, &w->req);
		pend_remove(p, k);
	}
}

void zab_on_syncrep(struct zab *p, const struct zab_wire_syncmsg *w)
{
	for (size_t k = 0; k < p->npend; k++)
		if (p->pend[k].kind != ZAB_PEND_WRITE && p->pend[k].sync_id == w->id) {
			p->pend[k].has_target = true;
			p->pend[k].target = w->target;
		}
	zab_answer_syncs(p);
}

void zab_clients_lost(struct zab *p, const char *why)
{
	for (size_t k = p->npend; k-- > 0;) {
		if (p->pend[k].kind != ZAB_PEND_WRITE)
			refuse(p, &p->pend[k].req, why);
		pend_remove(p, k);
	}
}

/* Is (client, seq) in the history but not yet delivered? */
static bool in_flight(const struct zab *p, int client, uint64_t seq)
{
	for (int64_t i = p->st.delivered; i < p->st.nh; i++)
		if (p->st.h[i].client == client && p->st.h[i].seq == seq)
			return true;
	return false;
}

static void leader_write(struct zab *p, const struct zab_txn *t)
{
	const struct kv_session *s = kv_session(&p->kv, t->client);
	if ((s && s->seq >= t->seq) || in_flight(p, t->client, t->seq))
		return; /* broadcast already: once only */
	zab_broadcast(p, t);
}

void zab_on_forward(struct zab *p, int from, const struct zab_wire_forward *w)
{
	(void)from;
	if (p->role != ZAB_LEADING || p->phase != ZAB_BROADCAST || w->epoch != p->epoch)
		return;
	leader_write(p, &w->t);
}

static void start_sync(struct zab *p, const struct client_req *req, int kind)
{
	struct zab_pending *w = pend_add(p, req, kind);
	w->sync_id = ++p->next_sync;
	if (p->role == ZAB_LEADING) {
		zab_leader_sync(p, p->n->id, w->sync_id);
	} else {
		struct zab_wire_syncmsg m = {.epoch = p->epoch, .id = w->sync_id, .target = 0};
		zab_send(p, p->leader, ZAB_MSG_SYNCREQ, &m, sizeof m);
	}
}

void zab_on_client(void *self, const struct client_req *req)
{
	struct zab *p = self;
	bool read = req->op.fn == KV_GET;
	bool sync = req->op.fn == KV_SYNC;
	if (!zab_serving(p)) {
		if (read && p->o->v[ZAB_OPT_READONLY].i) {
			p->served_local++;
			answer_read(p, req); /* read-only mode: possibly stale */
			return;
		}
		refuse(p, req, "not serving: no quorum");
		return;
	}
	if (p->npend >= ZAB_MAX_PENDING) {
		refuse(p, req, "too many waiting requests");
		return;
	}
	if (read && !p->o->v[ZAB_OPT_READS].i) {
		p->served_local++;
		answer_read(p, req); /* ZK §4: reads are served locally */
		return;
	}
	if (read || sync) {
		start_sync(p, req, read ? ZAB_PEND_READ : ZAB_PEND_SYNC);
		return;
	}
	const struct kv_session *s = kv_session(&p->kv, req->client);
	if (s && s->seq == req->seq) {
		/* Delivered already: answer as the first time. */
		struct client_reply rep;
		kv_result_reply(&s->res, &rep);
		node_reply(p->n, req, &rep);
		return;
	}
	if (s && s->seq > req->seq)
		return; /* an old attempt; its client has moved on */
	struct zab_pending *w = NULL;
	for (size_t k = 0; k < p->npend && !w; k++)
		if (p->pend[k].kind == ZAB_PEND_WRITE && p->pend[k].req.client == req->client)
			w = &p->pend[k];
	if (w)
		w->req = *req; /* the latest attempt is the one to answer */
	else
		pend_add(p, req, ZAB_PEND_WRITE);
	struct zab_txn t;
	memset(&t, 0, sizeof t);
	t.client = req->client;
	t.seq = req->seq;
	t.op = req->op;
	if (p->role == ZAB_LEADING) {
		leader_write(p, &t);
	} else {
		/* ZK §4: "write requests are forwarded to the leader". */
		struct zab_wire_forward f;
		memset(&f, 0, sizeof f);
		f.epoch = p->epoch;
		f.t = t;
		p->forwarded++;
		zab_send(p, p->leader, ZAB_MSG_FORWARD, &f, sizeof f);
	}
}

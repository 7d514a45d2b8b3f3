/*
 * raft_read.c — read-only queries, three ways (option `reads`).
 *
 * readindex (the default; thesis §6.4): "1. If the leader has not yet
 * marked an entry from its current term committed, it waits until it has
 * done so. 2. The leader saves its current commit index in a local
 * variable readIndex. 3. The leader needs to make sure it hasn't been
 * superseded by a newer leader of which it is unaware. It issues a new
 * round of heartbeats and waits for their acknowledgments from a majority
 * of the cluster. 4. The leader waits for its state machine to advance at
 * least as far as the readIndex. 5. The leader issues the query against its
 * state machine and replies to the client with the results." Linearizable.
 *
 * lease (thesis §6.4.1): "the leader would use the normal heartbeat
 * mechanism to maintain a lease ... once the leader's heartbeats were
 * acknowledged by a majority of the cluster, it would extend its lease to
 * start + election timeout / clock drift bound, since the followers
 * shouldn't time out before then." The leader then answers from its own
 * state without a round trip. Safe only while clocks keep their rate: a
 * skewed or drifting clock (`clock n1 skew ...`) breaks it, and the screen
 * shows a stale read. When the lease has run out the leader falls back to
 * ReadIndex.
 *
 * local: any server answers from its own state machine at once — fast, and
 * stale whenever it lags or is cut off. Not linearizable; here to be seen
 * failing.
 *
 * Per request (consistency.c): `get x consistency=serializable` is a local
 * read whatever the option, as etcd's serializable reads ("Serializable
 * requests are ... served by any etcd member ... may be stale", etcd API
 * guarantees); `get x consistency=linearizable` (`get x consistent`) is a
 * ReadIndex read even under reads=local, and under reads=lease a lease
 * read, which the lease makes linearizable while clocks keep their rate.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* Thesis §6.4 step 1: "If the leader has not yet marked an entry from its
 * current term committed, it waits until it has done so" (bug=no-noop does
 * not wait: its commit index may still lag the previous leader's). */
static bool term_committed(const struct raft *r)
{
	return raft_term_at(r, r->commit) == r->st.term || raft_bug(r, RAFT_BUG_NO_NOOP);
}

static void answer(struct raft *r, const struct client_req *req)
{
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	const char *v = raft_kv_get(r->kv, req->op.key);
	rep.found = v != NULL;
	if (v)
		ns_strlcpy(rep.value, v, sizeof rep.value);
	node_reply(r->n, req, &rep);
	r->read_found = rep.found;
	ns_strlcpy(r->read_key, req->op.key, sizeof r->read_key);
	ns_strlcpy(r->read_value, rep.value, sizeof r->read_value);
}

void raft_read_request(struct raft *r, const struct client_req *req)
{
	int mode = (int)r->o->v[RAFT_OPT_READS].i;
	if (req->op.level == KV_LEVEL_SERIALIZABLE)
		mode = RAFT_READ_LOCAL;
	else if (req->op.level == KV_LEVEL_LINEARIZABLE && mode == RAFT_READ_LOCAL)
		mode = RAFT_READ_INDEX;
	if (mode == RAFT_READ_LOCAL) {
		answer(r, req);
		return;
	}
	if (r->role != RAFT_LEADER) {
		raft_client_refuse(r, req);
		return;
	}
	/* One waiting read per client: a newer attempt replaces an older one
	 * (whose client has stopped waiting for it). */
	struct raft_read *rd = NULL;
	for (size_t i = 0; i < r->nreads && !rd; i++)
		if (r->reads[i].req.client == req->client)
			rd = &r->reads[i];
	if (!rd) {
		xgrow((void **)&r->reads, &r->capreads, r->nreads + 1, sizeof *r->reads);
		rd = &r->reads[r->nreads++];
	}
	rd->req = *req;
	rd->index = -1;
	rd->round = 0;
	if (mode == RAFT_READ_LEASE && term_committed(r) && node_local_now(r->n) < r->lease_until)
		rd->index = r->commit; /* round 0: confirmed by the lease */
	raft_reads_progress(r);
}

void raft_reads_progress(struct raft *r)
{
	if (r->reads_busy || !r->nreads)
		return;
	r->reads_busy = true;
	bool need_round = false;
	if (r->role == RAFT_LEADER && term_committed(r)) {
		for (size_t i = 0; i < r->nreads; i++)
			if (r->reads[i].index < 0) {
				r->reads[i].index = r->commit; /* 2. */
				r->reads[i].round = r->round + 1;
				need_round = true;
			}
	}
	if (need_round)
		raft_heartbeat(r); /* 3. (re-entry into this function is a no-op) */
	size_t k = 0;
	for (size_t i = 0; i < r->nreads; i++) {
		const struct raft_read *rd = &r->reads[i];
		if (r->role == RAFT_LEADER && rd->index >= 0 && rd->round <= r->confirmed_round &&
		    r->applied >= rd->index) { /* 4., 5. */
			answer(r, &rd->req);
			continue;
		}
		r->reads[k++] = *rd;
	}
	r->nreads = k;
	r->reads_busy = false;
}

void raft_reads_drop(struct raft *r, bool reply)
{
	/* A read changes nothing, so refusing it is always safe. */
	for (size_t i = 0; reply && i < r->nreads; i++)
		raft_client_refuse(r, &r->reads[i].req);
	r->nreads = 0;
}

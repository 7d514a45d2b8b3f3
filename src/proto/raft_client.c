/*
 * raft_client.c — client requests at a server (§8, thesis §6).
 *
 * §8: "Clients of Raft send all of their requests to the leader. When a
 * client first starts up, it connects to a randomly-chosen server. If the
 * client's first choice is not the leader, that server will reject the
 * client's request and supply information about the most recent leader it
 * has heard from." A leader appends a write to its log and answers once it
 * has applied it; a retry of a write already applied is answered from the
 * session (raft_kv.c), and a retry of one still in the log waits for it.
 *
 * Answers are given only when certain. A leader that loses its leadership
 * forgets its waiting writes without answering: the entry may still commit
 * under the next leader, so "not leader" would be a lie; the client times
 * out, knows the outcome is unknown, and retries with the same sequence
 * number — which the session makes harmless.
 *
 * Bounds. A leader keeps one waiting write per client, and refuses new
 * writes while RAFT_MAX_UNCOMMITTED entries of its log are uncommitted (a
 * leader stranded in a minority would otherwise grow its log without end;
 * etcd bounds it the same way), so memory stays bounded however long a
 * session runs.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void raft_client_refuse(struct raft *r, const struct client_req *req)
{
	struct client_reply rep = {.leader_hint = -1};
	if (r->role == RAFT_CANDIDATE || r->role == RAFT_PRECANDIDATE) {
		rep.status = REPLY_UNAVAILABLE;
		ns_strlcpy(rep.why, "election in progress", sizeof rep.why);
	} else {
		rep.status = REPLY_NOT_LEADER;
		rep.leader_hint = r->leader == r->n->id ? -1 : r->leader;
		ns_strlcpy(rep.why,
			   rep.leader_hint >= 0 ? "not leader" : "not leader, leader unknown",
			   sizeof rep.why);
	}
	node_reply(r->n, req, &rep);
}

void raft_on_client(void *self, const struct client_req *req)
{
	struct raft *r = self;
	raft_boot(r);
	raft_snapshot_maybe(r);
	if (raft_transferring(r)) {
		/* Thesis §3.10, step 1: "The prior leader stops accepting new
		 * client requests." Not appended, so certainly not done. */
		struct client_reply rep = {.status = REPLY_UNAVAILABLE, .leader_hint = -1};
		ns_strlcpy(rep.why, "leadership transfer in progress", sizeof rep.why);
		node_reply(r->n, req, &rep);
		return;
	}
	if (req->op.fn == KV_GET) {
		raft_read_request(r, req);
		return;
	}
	if (r->role != RAFT_LEADER) {
		raft_client_refuse(r, req);
		return;
	}
	const struct kv_session *s = raft_kv_session(r->kv, req->client);
	if (s && s->seq == req->seq) {
		/* Applied already: answer as the first time. */
		struct client_reply rep;
		kv_result_reply(&s->res, &rep);
		node_reply(r->n, req, &rep);
		return;
	}
	if (s && s->seq > req->seq)
		return; /* an old attempt; its client has moved on */
	/* One waiting write per client (clients are sequential): the latest
	 * attempt of the same command waits for the entry already in the
	 * log; a newer command means the client gave up on the older one. */
	struct raft_pending *pd = NULL;
	for (size_t i = 0; i < r->npend && !pd; i++)
		if (r->pend[i].req.client == req->client)
			pd = &r->pend[i];
	if (pd && pd->req.seq == req->seq) {
		pd->req = *req;
		return;
	}
	if (raft_last_index(r) - r->commit >= RAFT_MAX_UNCOMMITTED) {
		/* Not appended, so certainly not done: say so. */
		struct client_reply rep = {.status = REPLY_UNAVAILABLE, .leader_hint = -1};
		ns_strlcpy(rep.why, "too many uncommitted entries", sizeof rep.why);
		node_reply(r->n, req, &rep);
		return;
	}
	if (!pd) {
		xgrow((void **)&r->pend, &r->cappend, r->npend + 1, sizeof *r->pend);
		pd = &r->pend[r->npend++];
	}
	pd->req = *req;
	struct raft_entry e;
	memset(&e, 0, sizeof e);
	e.term = r->st.term;
	e.type = RAFT_ENTRY_CMD;
	e.client = req->client;
	e.seq = req->seq;
	e.op = req->op;
	/* Figure 2, leaders: "If command received from client: append entry
	 * to local log, respond after entry applied to state machine". */
	raft_log_append(r, &e);
	raft_advance_commit(r);
	if (r->role == RAFT_LEADER)
		raft_replicate(r);
}

void raft_client_applied(struct raft *r, const struct raft_entry *e, const struct client_reply *rep)
{
	for (size_t i = 0; i < r->npend; i++) {
		if (r->pend[i].req.client != e->client || r->pend[i].req.seq != e->seq)
			continue;
		node_reply(r->n, &r->pend[i].req, rep);
		r->pend[i] = r->pend[--r->npend];
		return;
	}
}

void raft_pending_drop(struct raft *r)
{
	r->npend = 0;
}

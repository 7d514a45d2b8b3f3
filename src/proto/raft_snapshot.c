/*
 * raft_snapshot.c — log compaction (§7) and InstallSnapshot (Figure 13).
 *
 * §7: "Each server takes snapshots independently, covering just the
 * committed entries in its log." A node snapshots when it has applied
 * `snapshot` entries past its last snapshot: the state machine (with its
 * client sessions), the last included index and term, and the
 * configuration as of that index (thesis §5.1.1) become stable storage, and
 * the log before it is dropped — so memory stays bounded however long a
 * session runs.
 *
 * A node compacts at the start of its next event rather than in the middle
 * of the one that applied the entries: the invariant checker, which runs
 * between events, then sees every applied entry once before it goes.
 *
 * The leader sends its snapshot, in one message, to a follower whose
 * nextIndex has fallen behind the start of its log.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void raft_snapshot_maybe(struct raft *r)
{
	int64_t threshold = r->o->v[RAFT_OPT_SNAPSHOT].i;
	if (!threshold || r->applied - r->st.snap_index < threshold)
		return;
	int64_t at = r->applied;
	/* The configuration as of `at`: the latest config entry up to it. */
	for (int64_t i = at; i > r->st.snap_index; i--) {
		const struct raft_entry *e = raft_entry_at(r, i);
		if (e->type == RAFT_ENTRY_CONFIG) {
			r->st.snap_config = e->config;
			break;
		}
	}
	raft_kv_free(r->st.snap_kv);
	r->st.snap_kv = raft_kv_copy(r->kv);
	raft_log_compact(r, at);
	r->snapshots_taken++;
	node_state(r->n, "took a snapshot up to index %lld (term %lld)", (long long)at,
		   (long long)r->st.snap_term);
}

void raft_send_snapshot(struct raft *r, int p)
{
	struct raft_wire_snapshot w = {
	    .term = r->st.term,
	    .last_index = r->st.snap_index,
	    .last_term = r->st.snap_term,
	    .round = r->round,
	    .config = r->st.snap_config,
	    .leader = r->n->id,
	};
	struct sbuf kv = {0};
	raft_kv_encode(r->st.snap_kv, &kv);
	w.kv_len = (uint32_t)kv.len;
	size_t len = sizeof w + kv.len;
	unsigned char *buf = xmalloc(len);
	memcpy(buf, &w, sizeof w);
	if (kv.len)
		memcpy(buf + sizeof w, kv.s, kv.len);
	node_send(r->n, p, RAFT_MSG_SNAPSHOT, buf, len);
	free(buf);
	sbuf_free(&kv);
	r->peer[p].inflight = true;
	r->peer[p].sent_round = r->round;
	r->peer[p].sent_last = r->st.snap_index;
	r->snapshots_sent++;
}

/* Figure 13, InstallSnapshot RPC, receiver implementation:
 * "1. Reply immediately if term < currentTerm ...
 *  6. If existing log entry has same index and term as snapshot's last
 *     included entry, retain log entries following it and reply
 *  7. Discard the entire log
 *  8. Reset state machine using snapshot contents (and load snapshot's
 *     cluster configuration)" */
void raft_recv_snapshot(struct raft *r, const struct msg *m)
{
	struct raft_wire_snapshot w;
	if (m->len < sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (m->len != sizeof w + w.kv_len)
		return;
	struct raft_wire_snapshot_reply rep = {.term = r->st.term, .round = w.round};
	if (w.term < r->st.term) { /* 1. */
		rep.last_index = raft_last_index(r);
		node_send(r->n, m->from, RAFT_MSG_SNAPSHOT_REPLY, &rep, sizeof rep);
		return;
	}
	if (w.term > r->st.term || r->role != RAFT_FOLLOWER)
		raft_step_down(r, w.term, "heard from the leader");
	r->leader = w.leader;
	r->heard_leader = node_local_now(r->n);
	r->heard_any_leader = true;
	raft_arm_election(r);
	rep.term = r->st.term;
	rep.last_index = w.last_index;
	if (w.last_index <= r->commit) {
		/* Everything it covers is committed here already. */
		node_send(r->n, m->from, RAFT_MSG_SNAPSHOT_REPLY, &rep, sizeof rep);
		return;
	}
	struct raft_kv *kv = raft_kv_decode((const unsigned char *)m->data + sizeof w, w.kv_len);
	if (!kv)
		return;
	if (raft_term_at(r, w.last_index) == w.last_term) {
		raft_log_compact(r, w.last_index); /* 6. */
	} else {
		raft_log_truncate(r, r->st.snap_index + 1); /* 7. */
		r->st.snap_index = w.last_index;
		r->st.snap_term = w.last_term;
		r->st.dirty_from = MIN(r->st.dirty_from, w.last_index);
	}
	r->st.snap_config = w.config;
	raft_kv_free(r->st.snap_kv);
	r->st.snap_kv = kv;
	raft_persist(r);
	raft_config_recompute(r);
	r->commit = w.last_index;
	if (r->applied < w.last_index) { /* 8. */
		raft_kv_free(r->kv);
		r->kv = raft_kv_copy(kv);
		r->applied = w.last_index;
	}
	node_state(r->n, "installed a snapshot from n%d up to index %lld (term %lld)", m->from + 1,
		   (long long)w.last_index, (long long)w.last_term);
	raft_apply(r);
	node_send(r->n, m->from, RAFT_MSG_SNAPSHOT_REPLY, &rep, sizeof rep);
}

void raft_recv_snapshot_reply(struct raft *r, const struct msg *m)
{
	struct raft_wire_snapshot_reply w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (w.term > r->st.term) {
		raft_step_down(r, w.term, "saw a higher term in an InstallSnapshot reply");
		return;
	}
	if (r->role != RAFT_LEADER || w.term != r->st.term)
		return;
	struct raft_peer *pp = &r->peer[m->from];
	pp->active = true;
	if (w.last_index > pp->commit_known)
		pp->commit_known = w.last_index; /* it committed what it installed */
	if (w.last_index > pp->match)
		pp->match = MIN(w.last_index, raft_last_index(r));
	if (pp->next < pp->match + 1)
		pp->next = pp->match + 1;
	if (pp->match >= pp->sent_last)
		pp->inflight = false;
	raft_peer_acked(r, m->from, w.round);
	raft_advance_commit(r);
	if (r->role == RAFT_LEADER && !pp->inflight && pp->next <= raft_last_index(r))
		raft_send_append(r, m->from, false);
}

/*
 * raft_replication.c — log replication (§5.3), the commit rule (§5.4.2) and
 * applying committed entries to the state machine.
 *
 * Flow control. A leader keeps at most one AppendEntries carrying entries in
 * flight per follower (`inflight`), with up to `batch` entries; the answer,
 * or the next heartbeat if it was lost, sends the next one. Entries that
 * arrive meanwhile wait and leave together, so a busy leader batches
 * naturally; a reordered or duplicated message is harmless because the
 * receiver only truncates on a real conflict (Figure 2, step 3).
 *
 * Heartbeats are numbered rounds. A reply carries the round it answers, so
 * the leader knows when a majority has acknowledged its leadership after a
 * given moment: that confirms ReadIndex reads and extends leases
 * (raft_read.c).
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct nodeset raft_targets(const struct raft *r)
{
	struct nodeset t = r->cfg;
	/* Servers being removed keep receiving entries until they say they
	 * know the change is committed: then they know they are out and stay
	 * quiet (raft_may_campaign; thesis §4.2.3 describes the disruption a
	 * removed server causes otherwise). */
	for (int p = 0; p < node_count(r->n); p++)
		if (nodeset_has(&r->prev_cfg, p) && r->peer[p].commit_known < r->cfg_index)
			nodeset_add(&t, p);
	nodeset_del(&t, r->n->id);
	for (int i = node_count(r->n); i < SIM_MAX_NODES; i++)
		nodeset_del(&t, i);
	return t;
}

void raft_send_append(struct raft *r, int p, bool empty)
{
	struct raft_peer *pp = &r->peer[p];
	int64_t prev = pp->next - 1, last = raft_last_index(r);
	if (pp->next <= r->st.snap_index) {
		/* §7: "the leader must occasionally send snapshots to
		 * followers that lag behind" — the entries it needs are gone.
		 * While one is on its way, heartbeats only. */
		if (!empty) {
			raft_send_snapshot(r, p);
			return;
		}
		prev = r->st.snap_index;
	}
	int64_t n = empty ? 0 : MIN(last - prev, r->o->v[RAFT_OPT_BATCH].i);
	if (n < 0)
		n = 0;
	struct raft_wire_append w = {
	    .term = r->st.term,
	    .prev_index = prev,
	    .prev_term = raft_term_at(r, prev),
	    .commit = r->commit,
	    .round = r->round,
	    .leader = r->n->id,
	    .nentries = (uint32_t)n,
	};
	size_t len = sizeof w + (size_t)n * sizeof(struct raft_entry);
	unsigned char stackbuf[sizeof w + 4 * sizeof(struct raft_entry)];
	unsigned char *buf = len <= sizeof stackbuf ? stackbuf : xmalloc(len);
	memcpy(buf, &w, sizeof w);
	if (n)
		memcpy(buf + sizeof w, raft_entry_at(r, prev + 1),
		       (size_t)n * sizeof(struct raft_entry));
	node_send(r->n, p, RAFT_MSG_APPEND, buf, len);
	if (buf != stackbuf)
		free(buf);
	if (n) {
		pp->inflight = true;
		pp->sent_round = r->round;
		pp->sent_last = prev + n;
	}
}

void raft_replicate(struct raft *r)
{
	struct nodeset t = raft_targets(r);
	for (int p = 0; p < node_count(r->n); p++)
		if (nodeset_has(&t, p) && !r->peer[p].inflight)
			raft_send_append(r, p, false);
}

uint64_t raft_heartbeat(struct raft *r)
{
	r->round++;
	r->round_sent[r->round % RAFT_ROUNDS] = node_local_now(r->n);
	struct nodeset t = raft_targets(r);
	for (int p = 0; p < node_count(r->n); p++) {
		if (!nodeset_has(&t, p))
			continue;
		/* Entries sent in this or the previous round are likely still
		 * on their way: an empty heartbeat. Older ones are sent again
		 * (they or their answer were probably lost). */
		const struct raft_peer *pp = &r->peer[p];
		raft_send_append(r, p, pp->inflight && pp->sent_round + 1 >= r->round);
	}
	node_set_timer(r->n, RAFT_TIMER_HEARTBEAT, r->o->v[RAFT_OPT_HEARTBEAT].i);
	raft_peer_acked(r, r->n->id, r->round); /* a configuration of one */
	return r->round;
}

static int cmp_desc(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x < y) - (x > y);
}

/* The highest value that a majority of the configuration has reached. */
static int64_t majority_value(const struct raft *r, int64_t (*get)(const struct raft *, int))
{
	int64_t v[SIM_MAX_NODES];
	int k = 0;
	for (int p = 0; p < node_count(r->n); p++)
		if (nodeset_has(&r->cfg, p))
			v[k++] = get(r, p);
	if (!k)
		return -1;
	qsort(v, (size_t)k, sizeof *v, cmp_desc);
	return v[k / 2];
}

static int64_t match_of(const struct raft *r, int p)
{
	return p == r->n->id ? raft_last_index(r) : r->peer[p].match;
}

static int64_t round_of(const struct raft *r, int p)
{
	return p == r->n->id ? (int64_t)r->round : (int64_t)r->peer[p].acked_round;
}

void raft_peer_acked(struct raft *r, int p, uint64_t round)
{
	if (p != r->n->id && round > r->peer[p].acked_round)
		r->peer[p].acked_round = round;
	int64_t q = majority_value(r, round_of);
	if (q <= (int64_t)r->confirmed_round)
		return;
	r->confirmed_round = (uint64_t)q;
	if (r->round - r->confirmed_round < RAFT_ROUNDS) {
		/* Thesis §6.4.1: the leader "would use its clock to bound the
		 * time it can serve reads without contacting a majority": from
		 * when the round was sent, less a margin for clock drift. */
		sim_time start = r->round_sent[r->confirmed_round % RAFT_ROUNDS];
		sim_time until = start + raft_election_lo(r) * 9 / 10;
		if (until > r->lease_until)
			r->lease_until = until;
	}
	raft_reads_progress(r);
}

/* Figure 2, leaders: "If there exists an N such that N > commitIndex, a
 * majority of matchIndex[i] >= N, and log[N].term == currentTerm: set
 * commitIndex = N (§5.3, §5.4)." The term condition is §5.4.2 and Figure 8:
 * "Raft never commits log entries from previous terms by counting
 * replicas." */
void raft_advance_commit(struct raft *r)
{
	if (r->role != RAFT_LEADER)
		return;
	int64_t n = majority_value(r, match_of);
	/* bug=commit-old-terms drops the term test: the leader of Figure 8
	 * (d) commits an entry of an old term once a majority holds it, and a
	 * later leader may still overwrite it. */
	if (n > r->commit &&
	    (raft_term_at(r, n) == r->st.term || raft_bug(r, RAFT_BUG_COMMIT_OLD_TERMS))) {
		r->commit = n;
		raft_apply(r);
	}
	/* Thesis §4.2.2: a leader removed from the configuration "steps down
	 * once the Cnew entry is committed". */
	if (r->role == RAFT_LEADER && r->cfg_index <= r->commit && !raft_is_member(r, r->n->id))
		raft_step_down(r, r->st.term, "removed from the configuration");
}

/* Figure 2, all servers: "If commitIndex > lastApplied: increment
 * lastApplied, apply log[lastApplied] to state machine (§5.3)". */
void raft_apply(struct raft *r)
{
	while (r->applied < r->commit) {
		const struct raft_entry *e = raft_entry_at(r, r->applied + 1);
		if (!e)
			break;
		struct client_reply rep;
		raft_kv_apply(r->kv, e, &rep);
		r->applied++;
		if (e->type == RAFT_ENTRY_CMD)
			raft_client_applied(r, e, &rep);
	}
	if (r->cfg_index <= r->commit && r->cfg_index > r->st.cfg_known) {
		r->st.cfg_known = r->cfg_index; /* see raft_may_campaign */
		raft_persist(r);
	}
	raft_reads_progress(r);
}

static void send_reply(struct raft *r, int to, struct raft_wire_append_reply *rep)
{
	rep->last_index = raft_last_index(r);
	rep->commit = r->commit;
	node_send(r->n, to, RAFT_MSG_APPEND_REPLY, rep, sizeof *rep);
}

/* Figure 2, AppendEntries RPC, receiver implementation:
 * "1. Reply false if term < currentTerm (§5.1)
 *  2. Reply false if log doesn't contain an entry at prevLogIndex whose
 *     term matches prevLogTerm (§5.3)
 *  3. If an existing entry conflicts with a new one (same index but
 *     different terms), delete the existing entry and all that follow it
 *  4. Append any new entries not already in the log
 *  5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit,
 *     index of last new entry)" */
void raft_recv_append(struct raft *r, const struct msg *m)
{
	struct raft_wire_append w;
	if (m->len < sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (m->len != sizeof w + (size_t)w.nentries * sizeof(struct raft_entry))
		return;
	const unsigned char *ents = (const unsigned char *)m->data + sizeof w;
	struct raft_wire_append_reply rep = {.term = r->st.term, .round = w.round};
	if (w.term < r->st.term) { /* 1. */
		send_reply(r, m->from, &rep);
		return;
	}
	if (w.term > r->st.term || r->role != RAFT_FOLLOWER)
		raft_step_down(r, w.term, "heard from the leader");
	r->leader = w.leader;
	r->heard_leader = node_local_now(r->n);
	r->heard_any_leader = true;
	raft_arm_election(r);
	rep.term = r->st.term;

	/* Entries up to snap_index are committed and already in the snapshot:
	 * skip them, and check consistency at the first one after it. */
	int64_t n = w.nentries, k0 = 0, prev = w.prev_index, prev_term = w.prev_term;
	if (prev < r->st.snap_index) {
		k0 = MIN(n, r->st.snap_index - prev);
		if (k0 == n) {
			rep.success = 1;
			rep.match = w.prev_index + n;
			send_reply(r, m->from, &rep);
			return;
		}
		struct raft_entry e;
		memcpy(&e, ents + (size_t)(k0 - 1) * sizeof e, sizeof e);
		prev += k0;
		prev_term = e.term;
	}
	int64_t last = raft_last_index(r);
	if (prev > last) { /* 2., our log is too short */
		rep.conflict_index = last + 1;
		send_reply(r, m->from, &rep);
		return;
	}
	int64_t t = raft_term_at(r, prev);
	if (t != prev_term) { /* 2., a different term at prevLogIndex */
		/* §5.3: "the follower can include the term of the conflicting
		 * entry and the first index it stores for that term." */
		int64_t ci = prev;
		while (ci - 1 > r->st.snap_index && raft_term_at(r, ci - 1) == t)
			ci--;
		rep.conflict_term = t;
		rep.conflict_index = ci;
		send_reply(r, m->from, &rep);
		return;
	}
	for (int64_t k = k0; k < n; k++) {
		const unsigned char *src = ents + (size_t)k * sizeof(struct raft_entry);
		int64_t idx = w.prev_index + 1 + k, term;
		memcpy(&term, src + offsetof(struct raft_entry, term), sizeof term);
		if (idx <= raft_last_index(r)) {
			if (raft_term_at(r, idx) == term)
				continue; /* already there: a duplicate or reordered message */
			raft_log_truncate(r, idx); /* 3. */
		}
		struct raft_entry e;
		memcpy(&e, src, sizeof e);
		raft_log_append(r, &e); /* 4. */
	}
	int64_t last_new = w.prev_index + n;
	/* bug=truncate-stale: the tail after the message's entries is cut
	 * whether or not anything conflicts, so a stale AppendEntries (late,
	 * or duplicated) deletes entries this follower has already
	 * acknowledged and the leader counted (what it knows committed stays). */
	if (raft_bug(r, RAFT_BUG_TRUNCATE_STALE) && raft_last_index(r) > MAX(last_new, r->commit))
		raft_log_truncate(r, MAX(last_new, r->commit) + 1);
	if (w.commit > r->commit) { /* 5. */
		int64_t c = MIN(w.commit, last_new);
		if (c > r->commit) {
			r->commit = c;
			raft_apply(r);
		}
	}
	rep.success = 1;
	rep.match = last_new;
	send_reply(r, m->from, &rep);
}

void raft_recv_append_reply(struct raft *r, const struct msg *m)
{
	struct raft_wire_append_reply w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (w.term > r->st.term) {
		raft_step_down(r, w.term, "saw a higher term in an AppendEntries reply");
		return;
	}
	if (r->role != RAFT_LEADER || w.term != r->st.term || m->from >= SIM_MAX_NODES)
		return;
	struct raft_peer *pp = &r->peer[m->from];
	pp->active = true;
	if (w.commit > pp->commit_known)
		pp->commit_known = w.commit;
	int64_t last = raft_last_index(r);
	if (w.success) {
		/* Figure 2, leaders: "If successful: update nextIndex and
		 * matchIndex for follower (§5.3)". */
		if (w.match > pp->match)
			pp->match = MIN(w.match, last);
		if (pp->next < pp->match + 1)
			pp->next = pp->match + 1;
		/* The answer to what is in flight (not to a heartbeat or a
		 * duplicate): the next batch may go. */
		if (pp->match >= pp->sent_last)
			pp->inflight = false;
		raft_peer_acked(r, m->from, w.round);
		raft_advance_commit(r);
		if (r->role == RAFT_LEADER && !pp->inflight && pp->next <= raft_last_index(r))
			raft_send_append(r, m->from, false);
		if (m->from == r->transfer_to)
			raft_transfer_progress(r); /* thesis §3.10, step 2 done? */
		return;
	}
	/* "If AppendEntries fails because of log inconsistency: decrement
	 * nextIndex and retry (§5.3)" — by a whole term at a time: if the
	 * leader has entries of the conflicting term, it resumes after its
	 * last one; otherwise at the first index the follower has for it. */
	raft_peer_acked(r, m->from, w.round);
	if (pp->inflight && pp->next <= r->st.snap_index)
		return; /* a heartbeat refused while the snapshot travels */
	int64_t next = w.conflict_index;
	if (w.conflict_term > 0) {
		for (int64_t j = MIN(last, pp->next - 1); j > r->st.snap_index; j--) {
			int64_t t = raft_term_at(r, j);
			if (t == w.conflict_term) {
				next = j + 1;
				break;
			}
			if (t < w.conflict_term)
				break;
		}
	}
	if (next > last + 1)
		next = last + 1;
	if (next < pp->match + 1)
		next = pp->match + 1;
	if (next < 1)
		next = 1;
	pp->next = next;
	pp->inflight = false;
	if (r->role == RAFT_LEADER)
		raft_send_append(r, m->from, false);
}

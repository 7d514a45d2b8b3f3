/*
 * raft_transfer.c — leadership transfer (Ongaro's thesis §3.10,
 * "Leadership transfer extension"): `transfer NODE` hands the leadership
 * of the cluster to NODE.
 *
 * Thesis §3.10: "To transfer leadership in Raft, the prior leader sends its
 * log entries to the target server, then the target server runs an
 * election without waiting for an election timeout to elapse." In steps:
 *
 *   "1. The prior leader stops accepting new client requests.
 *    2. The prior leader fully updates the target server's log to match
 *       its own, using the normal log replication mechanism described in
 *       Section 3.5.
 *    3. The prior leader sends a TimeoutNow request to the target server.
 *       This request has the same effect as the target server's election
 *       timer firing: the target server starts a new election
 *       (incrementing its term and becoming a candidate)."
 *
 * "If leadership transfer does not complete after about an election
 * timeout, the prior leader aborts the transfer and resumes accepting
 * client requests." Here the leader gives it the minimum election timeout
 * (RAFT_TIMER_TRANSFER); the transfer completes when the leader steps
 * down, which the target's higher term makes it do.
 *
 * While a transfer runs, the leader answers client requests (reads and
 * writes) "unavailable: leadership transfer in progress", and refuses
 * configuration changes: nothing new enters its log, so the target can
 * catch up. A refused client backs off and tries again (src/sim/client.c),
 * and so lands on the new leader, or on this one once the transfer is
 * aborted. Nothing is queued.
 *
 * The target's RequestVote carries a flag (struct raft_wire_vote.transfer)
 * so that servers that have heard from the leader recently still grant it
 * — thesis §4.2.3: "Those RequestVote requests can include a special flag
 * to indicate this behavior ('I have permission to disrupt the leader—it
 * told me to!')." With prevote=on the target skips the pre-vote, as etcd's
 * campaignTransfer does: the followers would refuse a pre-vote while their
 * leader is alive, which is exactly what the leader asked them to ignore.
 * Safety is untouched: votes still need an up-to-date log (§5.4.1).
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <string.h>

bool raft_transferring(const struct raft *r)
{
	return r->role == RAFT_LEADER && r->transfer_to >= 0;
}

void raft_transfer_clear(struct raft *r)
{
	r->transfer_to = -1;
	r->transfer_sent = false;
	node_cancel_timer(r->n, RAFT_TIMER_TRANSFER);
}

/* Step 2 then step 3: entries until the target's matchIndex is the
 * leader's last index, then one TimeoutNow. Called when the transfer
 * starts and on every successful AppendEntries reply from the target. */
void raft_transfer_progress(struct raft *r)
{
	if (!raft_transferring(r) || r->transfer_sent)
		return;
	int t = r->transfer_to;
	struct raft_peer *pp = &r->peer[t];
	if (pp->match < raft_last_index(r)) {
		if (!pp->inflight)
			raft_send_append(r, t, false);
		return;
	}
	struct raft_wire_timeout_now w = {.term = r->st.term, .leader = r->n->id};
	r->transfer_sent = true;
	node_state(r->n, "sends TimeoutNow to n%d: its log matches up to %lld", t + 1,
		   (long long)raft_last_index(r));
	node_send(r->n, t, RAFT_MSG_TIMEOUT_NOW, &w, sizeof w);
}

/* "If leadership transfer does not complete after about an election
 * timeout, the prior leader aborts the transfer and resumes accepting
 * client requests." */
void raft_on_transfer_timeout(struct raft *r)
{
	if (!raft_transferring(r))
		return;
	int t = r->transfer_to;
	raft_transfer_clear(r);
	node_state(r->n,
		   "aborted leadership transfer to n%d: not done within an election timeout; "
		   "accepting client requests again",
		   t + 1);
}

/* TimeoutNow at the target: "This request has the same effect as the
 * target server's election timer firing". Only from the leader of the
 * target's current term; a stale one (an older term) is ignored. */
void raft_recv_timeout_now(struct raft *r, const struct msg *m)
{
	struct raft_wire_timeout_now w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (w.term < r->st.term || r->role == RAFT_LEADER || !raft_may_campaign(r))
		return;
	if (w.term > r->st.term)
		raft_step_down(r, w.term, "saw a higher term in TimeoutNow");
	node_state(r->n, "TimeoutNow from n%d: campaigning now", m->from + 1);
	raft_start_election(r, true);
}

/* `transfer NODE`: the leader hands its leadership to NODE. */
int raft_cmd_transfer(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int t = a->a[0].node;
	for (int i = 0; i < sim_nodes(s); i++)
		raft_boot(raft_of(s, i));
	int l = proto_leader(s);
	if (l < 0) {
		sbuf_puts(err, _("no leader to transfer leadership from; wait for an election"));
		return PROTO_REFUSED;
	}
	if (t == l) {
		sbuf_printf(err, _("n%d is already the leader"), t + 1);
		return PROTO_REFUSED;
	}
	if (!sim_node_c(s, t)->up) {
		sbuf_printf(err, _("n%d is down: it cannot take the leadership"), t + 1);
		return PROTO_REFUSED;
	}
	struct raft *r = raft_of(s, l);
	if (!raft_is_member(r, t)) {
		sbuf_printf(err, _("n%d is not in the configuration: it cannot lead"), t + 1);
		return PROTO_REFUSED;
	}
	if (raft_transferring(r)) {
		sbuf_printf(err, _("n%d is already transferring its leadership to n%d"), l + 1,
			    r->transfer_to + 1);
		return PROTO_REFUSED;
	}
	r->transfer_to = t;
	r->transfer_sent = false;
	node_set_timer(r->n, RAFT_TIMER_TRANSFER, raft_election_lo(r));
	node_state(r->n,
		   "transferring leadership to n%d: no new client requests until it is done "
		   "(thesis §3.10)",
		   t + 1);
	raft_transfer_progress(r);
	return 0;
}

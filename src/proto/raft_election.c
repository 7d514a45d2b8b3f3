/*
 * raft_election.c — leader election (§5.2, §5.4.1), PreVote and CheckQuorum
 * (thesis §9.6, §6.2), and every change of role.
 *
 * §5.2: "Raft uses randomized election timeouts to ensure that split votes
 * are rare and that they are resolved quickly." A follower that hears
 * nothing from a leader for its election timeout (drawn anew each time
 * from the `election` range, on its local clock) becomes a candidate.
 *
 * Who may campaign is raft_may_campaign(): members, and a server left out
 * of a configuration change that is not yet known committed. Votes count
 * only from the members of the candidate's latest configuration.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <string.h>

bool raft_is_member(const struct raft *r, int node)
{
	return nodeset_has(&r->cfg, node);
}

/* Votes from a majority of the configuration (thesis §4.1: the latest one
 * in the log). Votes from servers outside it do not count. */
bool raft_majority(const struct raft *r, const struct nodeset *votes)
{
	int members = nodeset_count(&r->cfg), got = 0;
	for (int i = 0; i < node_count(r->n); i++)
		if (nodeset_has(&r->cfg, i) && nodeset_has(votes, i))
			got++;
	return members > 0 && 2 * got > members;
}

/* A member campaigns. So does a server that its own latest configuration
 * leaves out, as long as that configuration is not known to be committed:
 * it may be the one that must commit it — say a leader that removed itself
 * and crashed before the change committed, whose log is now the most
 * up-to-date (thesis §4.2.2: a leader outside the configuration manages
 * the cluster until the change commits, counting only the members' votes
 * and acknowledgements). A server with no configuration yet (a newcomer
 * catching up, thesis §4.2.1) or one that knows it was removed never does
 * (§4.2.3) — knows even after a restart, which forgets commitIndex: the
 * index of the latest configuration known committed is kept in stable
 * storage for this (st.cfg_known), or a removed server would disrupt the
 * cluster after every reboot. */
bool raft_may_campaign(const struct raft *r)
{
	if (raft_is_member(r, r->n->id))
		return true;
	return !nodeset_empty(&r->cfg) && r->cfg_index > r->commit &&
	       r->cfg_index > r->st.cfg_known;
}

void raft_arm_election(struct raft *r)
{
	const struct opt_value *v = &r->o->v[RAFT_OPT_ELECTION];
	node_set_timer(r->n, RAFT_TIMER_ELECTION, node_rand_range(r->n, v->i, v->j));
}

/* Is this server a leader, or a follower that heard from one within the
 * minimum election timeout? */
static bool heard_recently(const struct raft *r)
{
	if (r->role == RAFT_LEADER)
		return true;
	return r->heard_any_leader && r->leader >= 0 &&
	       node_local_now(r->n) - r->heard_leader < raft_election_lo(r);
}

bool raft_leader_is_fresh(const struct raft *r)
{
	bool sticky = r->o->v[RAFT_OPT_PREVOTE].i || r->o->v[RAFT_OPT_CHECKQUORUM].i ||
		      r->o->v[RAFT_OPT_READS].i == RAFT_READ_LEASE;
	return sticky && heard_recently(r);
}

void raft_step_down(struct raft *r, int64_t term, const char *why)
{
	bool was_leader = r->role == RAFT_LEADER;
	enum raft_role old = r->role;
	if (term > r->st.term) {
		/* Figure 2, all servers: "If RPC request or response contains
		 * term T > currentTerm: set currentTerm = T, convert to
		 * follower (§5.1)". */
		r->st.term = term;
		r->st.voted_for = -1;
		raft_persist(r);
		r->leader = -1;
	}
	r->role = RAFT_FOLLOWER;
	r->votes = (struct nodeset){{0, 0}};
	if (was_leader) {
		node_cancel_timer(r->n, RAFT_TIMER_HEARTBEAT);
		node_cancel_timer(r->n, RAFT_TIMER_CHECKQUORUM);
		/* A deposed leader cannot know whether its pending writes will
		 * commit: they get no answer, and the client times out. */
		raft_pending_drop(r);
		raft_reads_drop(r, true);
		r->lease_until = 0;
		r->leader = -1;
		/* Thesis §3.10: the target's higher term "causing the prior
		 * leader to step down. At this point, leadership transfer is
		 * complete." */
		raft_transfer_clear(r);
	}
	if (!node_timer_armed(r->n, RAFT_TIMER_ELECTION))
		raft_arm_election(r);
	if (old != RAFT_FOLLOWER)
		node_state(r->n, "became Follower in term %lld (%s)", (long long)r->st.term, why);
}

static void send_votes(struct raft *r, int type, int64_t term, bool transfer)
{
	struct raft_wire_vote w = {
	    .term = term,
	    .last_index = raft_last_index(r),
	    .last_term = raft_last_term(r),
	    .candidate = r->n->id,
	    .transfer = transfer,
	};
	for (int p = 0; p < node_count(r->n); p++)
		if (p != r->n->id && raft_is_member(r, p))
			node_send(r->n, p, type, &w, sizeof w);
}

/* Figure 2, candidates: "On conversion to candidate, start election:
 * increment currentTerm, vote for self, reset election timer, send
 * RequestVote RPCs to all other servers". */
void raft_start_election(struct raft *r, bool transfer)
{
	r->st.term++;
	r->st.voted_for = r->n->id;
	raft_persist(r);
	r->role = RAFT_CANDIDATE;
	r->leader = -1;
	r->votes = (struct nodeset){{0, 0}};
	nodeset_add(&r->votes, r->n->id);
	node_state(r->n, "became Candidate for term %lld", (long long)r->st.term);
	raft_arm_election(r);
	if (raft_majority(r, &r->votes)) {
		raft_become_leader(r);
		return;
	}
	send_votes(r, RAFT_MSG_VOTE, r->st.term, transfer);
}

/* Thesis §9.6: "a candidate would first ask other servers whether its log
 * was up-to-date enough to get their vote. Only if the candidate believed
 * it could get votes from a majority of the cluster would it increment its
 * term and start a normal election." */
static void start_prevote(struct raft *r)
{
	r->role = RAFT_PRECANDIDATE;
	r->leader = -1;
	r->votes = (struct nodeset){{0, 0}};
	nodeset_add(&r->votes, r->n->id);
	node_state(r->n, "became PreCandidate, asking for pre-votes for term %lld",
		   (long long)r->st.term + 1);
	raft_arm_election(r);
	if (raft_majority(r, &r->votes)) {
		raft_start_election(r, false);
		return;
	}
	send_votes(r, RAFT_MSG_PREVOTE, r->st.term + 1, false);
}

/* Figure 2, followers: "If election timeout elapses without receiving
 * AppendEntries RPC from current leader or granting vote to candidate:
 * convert to candidate". Candidates: "If election timeout elapses: start
 * new election". */
void raft_on_election_timeout(struct raft *r)
{
	if (r->role == RAFT_LEADER)
		return;
	if (!raft_may_campaign(r)) {
		raft_arm_election(r);
		return;
	}
	if (r->o->v[RAFT_OPT_PREVOTE].i)
		start_prevote(r);
	else
		raft_start_election(r, false);
}

/* `campaign NODE`: what the election timer does when it fires, now. A
 * learner can so force an election (or, with prevote=on, a pre-vote) on
 * any follower and watch it, rather than wait for the randomised timeout;
 * the cluster then behaves exactly as if the timeout had been that short.
 * A leader has no election timer, a crashed node no timers at all. */
int raft_cmd_campaign(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int id = a->a[0].node;
	if (!sim_node_c(s, id)->up) {
		sbuf_printf(err, _("n%d is down: a crashed node has no timers"), id + 1);
		return PROTO_REFUSED;
	}
	struct raft *r = raft_of(s, id);
	raft_boot(r);
	if (r->role == RAFT_LEADER) {
		sbuf_printf(err, _("n%d is the leader: it has no election timeout to run out"),
			    id + 1);
		return PROTO_REFUSED;
	}
	if (!raft_may_campaign(r)) {
		sbuf_printf(err, _("n%d is not in the configuration: it may not campaign"), id + 1);
		return PROTO_REFUSED;
	}
	raft_snapshot_maybe(r);
	raft_on_election_timeout(r);
	return 0;
}

void raft_become_leader(struct raft *r)
{
	r->role = RAFT_LEADER;
	r->leader = r->n->id;
	node_cancel_timer(r->n, RAFT_TIMER_ELECTION);
	int64_t last = raft_last_index(r);
	for (int p = 0; p < SIM_MAX_NODES; p++) {
		/* Figure 2, leaders: "nextIndex ... initialized to leader last
		 * log index + 1", "matchIndex ... initialized to 0". */
		r->peer[p] = (struct raft_peer){.next = last + 1, .active = true};
	}
	r->confirmed_round = r->round;
	r->lease_until = 0;
	node_state(r->n, "became Leader for term %lld", (long long)r->st.term);
	/* §8: "each leader commit a blank no-op entry into the log at the
	 * start of its term" — so that it learns which entries are committed
	 * (§5.4.2 forbids counting replicas of older terms) and can serve
	 * reads (thesis §6.4). */
	struct raft_entry e;
	memset(&e, 0, sizeof e);
	e.term = r->st.term;
	e.type = RAFT_ENTRY_NOOP;
	e.client = -1;
	if (!raft_bug(r, RAFT_BUG_NO_NOOP))
		raft_log_append(r, &e);
	if (r->o->v[RAFT_OPT_CHECKQUORUM].i)
		node_set_timer(r->n, RAFT_TIMER_CHECKQUORUM, raft_election_lo(r));
	raft_advance_commit(r); /* a configuration of one commits alone */
	if (r->role == RAFT_LEADER)
		raft_heartbeat(r);
}

/* §5.4.1: "Raft determines which of two logs is more up-to-date by
 * comparing the index and term of the last entries in the logs. If the
 * logs have last entries with different terms, then the log with the later
 * term is more up-to-date. If the logs end with the same term, then
 * whichever log is longer is more up-to-date." */
static bool candidate_up_to_date(const struct raft *r, const struct raft_wire_vote *w)
{
	/* §5.4.1: "the voter denies its vote if its own log is more
	 * up-to-date than that of the candidate." bug=no-up-to-date-check
	 * grants it anyway, so a leader may lack committed entries (Leader
	 * Completeness, Figure 3) and overwrite them. */
	if (raft_bug(r, RAFT_BUG_NO_UP_TO_DATE_CHECK))
		return true;
	int64_t lt = raft_last_term(r);
	return w->last_term > lt || (w->last_term == lt && w->last_index >= raft_last_index(r));
}

static bool read_vote(const struct msg *m, struct raft_wire_vote *w)
{
	if (m->len != sizeof *w)
		return false;
	memcpy(w, m->data, sizeof *w);
	return true;
}

static void reply_vote(struct raft *r, int to, int type, int64_t term, bool granted)
{
	struct raft_wire_vote_reply rep = {.term = term, .granted = granted};
	node_send(r->n, to, type, &rep, sizeof rep);
}

/* Figure 2, RequestVote RPC, receiver implementation:
 * "1. Reply false if term < currentTerm (§5.1)
 *  2. If votedFor is null or candidateId, and candidate's log is at least
 *     as up-to-date as receiver's log, grant vote (§5.2, §5.4)" */
void raft_recv_vote(struct raft *r, const struct msg *m)
{
	struct raft_wire_vote w;
	if (!read_vote(m, &w))
		return;
	/* Thesis §4.2.3: "if a server receives a RequestVote request within
	 * the minimum election timeout of hearing from a current leader, it
	 * does not update its term or grant its vote." Except for a leadership
	 * transfer: "RequestVote messages should be processed by other
	 * servers even when they believe a current cluster leader exists"
	 * (raft_transfer.c). */
	if (w.term > r->st.term && !w.transfer && raft_leader_is_fresh(r)) {
		reply_vote(r, m->from, RAFT_MSG_VOTE_REPLY, r->st.term, false);
		return;
	}
	if (w.term > r->st.term)
		raft_step_down(r, w.term, "saw a higher term in RequestVote");
	bool granted = w.term == r->st.term &&
		       (r->st.voted_for < 0 || r->st.voted_for == w.candidate) &&
		       candidate_up_to_date(r, &w);
	if (granted) {
		if (r->st.voted_for != w.candidate) {
			r->st.voted_for = w.candidate; /* persisted before replying */
			raft_persist(r);
		}
		raft_arm_election(r); /* "...or granting vote to candidate" */
	}
	reply_vote(r, m->from, RAFT_MSG_VOTE_REPLY, r->st.term, granted);
}

/* Figure 2, candidates: "If votes received from majority of servers:
 * become leader". */
void raft_recv_vote_reply(struct raft *r, const struct msg *m)
{
	struct raft_wire_vote_reply w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (w.term > r->st.term) {
		raft_step_down(r, w.term, "saw a higher term in a vote reply");
		return;
	}
	if (r->role != RAFT_CANDIDATE || w.term != r->st.term || !w.granted)
		return;
	nodeset_add(&r->votes, m->from);
	if (raft_majority(r, &r->votes))
		raft_become_leader(r);
}

/* A pre-vote is granted as a vote would be, without changing anything, and
 * only by a server that has itself lost its leader: thesis §9.6, "a server
 * would only grant a pre-vote if it believes the leader is dead". */
void raft_recv_prevote(struct raft *r, const struct msg *m)
{
	struct raft_wire_vote w;
	if (!read_vote(m, &w))
		return;
	bool granted = w.term > r->st.term && candidate_up_to_date(r, &w) && !heard_recently(r);
	reply_vote(r, m->from, RAFT_MSG_PREVOTE_REPLY, granted ? w.term : r->st.term, granted);
}

void raft_recv_prevote_reply(struct raft *r, const struct msg *m)
{
	struct raft_wire_vote_reply w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (!w.granted && w.term > r->st.term) {
		raft_step_down(r, w.term, "saw a higher term in a pre-vote reply");
		return;
	}
	if (r->role != RAFT_PRECANDIDATE || !w.granted || w.term != r->st.term + 1)
		return;
	nodeset_add(&r->votes, m->from);
	if (raft_majority(r, &r->votes))
		raft_start_election(r, false);
}

/* Thesis §6.2: "a leader steps down if an election timeout elapses without
 * a successful round of heartbeats to a majority of its cluster; this
 * allows clients to retry their requests with another server." */
void raft_on_checkquorum(struct raft *r)
{
	if (r->role != RAFT_LEADER || !r->o->v[RAFT_OPT_CHECKQUORUM].i)
		return;
	struct nodeset heard = {{0, 0}};
	nodeset_add(&heard, r->n->id);
	for (int p = 0; p < node_count(r->n); p++) {
		if (p != r->n->id && r->peer[p].active)
			nodeset_add(&heard, p);
		r->peer[p].active = false;
	}
	if (!raft_majority(r, &heard) && raft_is_member(r, r->n->id)) {
		raft_step_down(r, r->st.term,
			       "CheckQuorum: no majority heard in an election timeout");
		return;
	}
	node_set_timer(r->n, RAFT_TIMER_CHECKQUORUM, raft_election_lo(r));
}

/*
 * zab_peer.c — Zab's four phases (Junqueira, Reed & Serafini, DSN 2011,
 * §IV and §V; ZooKeeper 3.4's Leader/Follower/FastLeaderElection as
 * documented in its internals guide).
 *
 * Phase 0, leader election (Zab §V-A, "Fast Leader Election"): a LOOKING
 * server votes for itself and sends notifications to every peer; on a
 * better vote it changes its own and tells everyone. Votes are ordered by
 * (currentEpoch, last zxid, server id) — FastLeaderElection's
 * totalOrderPredicate — so that "the elected leader has the most recent
 * history among a quorum" (Zab §V-A: this lets Zab 1.0 skip the history
 * transfer of discovery). When a quorum agrees on its vote (and no
 * better one arrives for a short finalize wait) the server leads or
 * follows. A server that is not looking answers a notification with the
 * leader it follows, so that a latecomer joins it.
 *
 * Phase 1, discovery (Zab §IV-A, Algorithm 1): "f sends CEPOCH(f.p) to
 * the prospective leader"; once the leader has a quorum it picks an epoch
 * e' greater than every f.p and sends NEWEPOCH(e'); a follower "if e' >
 * f.p then f.p ← e', ACK-E(f.a, h_f)"; "if e' < f.p then f goes back to
 * Phase 0". As in ZooKeeper's Leader.waitForEpochAck, a follower whose
 * (f.a, last zxid) is ahead of the leader's makes the leader give up (the
 * leader must hold the most recent history of its quorum).
 *
 * Phase 2, synchronization (Zab §IV-B, Algorithm 2, and ZooKeeper's
 * LearnerHandler.syncFollower): the leader sends NEWLEADER(e', h) as one
 * of DIFF (the follower's history is a prefix of the leader's: the
 * missing suffix), TRUNC (the follower holds transactions the leader has
 * not — uncommitted proposals of an older epoch: cut back to the last
 * zxid they share, then the suffix) or SNAP (no shared point is known, or
 * the follower lacks more than `snap`: the whole history). A follower
 * "if f.p = e' then f.a ← e', accepts the history, ACK-LD"; on ACK-LD
 * from a quorum the leader "sends COMMIT-LD" (UPTODATE) and everyone
 * delivers the initial history. Only then does it broadcast.
 *
 * Phase 3, broadcast (Zab §IV-C, Algorithm 3): "ℓ proposes ⟨e', ⟨v, z⟩⟩
 * with z = ⟨e', c⟩, c incremented"; a follower accepts proposals in zxid
 * order ("f accepts ... and appends to h_f" only after its predecessor:
 * each PROPOSAL names the zxid before it, and an out-of-order one is
 * dropped and resent on the next tick — the network here may reorder,
 * where Zab assumes FIFO TCP channels); "upon receiving ACK from a quorum
 * ... send COMMIT"; a follower delivers in order up to the committed zxid.
 *
 * Failure detection (Zab §IV: "a leader ... abandons its followers when it
 * does not hear from a quorum within a timeout"; ZooKeeper's syncLimit):
 * the leader pings every `tick`; a follower not hearing its leader within
 * `timeout`, or a leader not hearing a quorum, goes back to Phase 0.
 */
#include "proto/zab.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define FINALIZE_WAIT (20 * SIM_MS) /* FastLeaderElection's finalizeWait, shortened */

static bool vote_better(const struct zab_vote *a, const struct zab_vote *b)
{
	/* totalOrderPredicate: epoch, then zxid, then id. */
	if (a->epoch != b->epoch)
		return a->epoch > b->epoch;
	if (a->zxid != b->zxid)
		return a->zxid > b->zxid;
	return a->id > b->id;
}

static bool vote_same(const struct zab_vote *a, const struct zab_vote *b)
{
	return a->epoch == b->epoch && a->zxid == b->zxid && a->id == b->id;
}

static struct zab_vote self_vote(const struct zab *p)
{
	struct zab_vote v;
	memset(&v, 0, sizeof v);
	v.epoch = p->st.current_epoch;
	v.zxid = zab_last_zxid(p);
	v.id = p->n->id;
	return v;
}

static void send_vote(struct zab *p, int to)
{
	struct zab_wire_vote w;
	memset(&w, 0, sizeof w);
	w.round = p->round;
	w.state = p->role;
	w.epoch = p->epoch;
	if (p->role == ZAB_LOOKING) {
		w.vote = p->vote;
	} else {
		w.vote.id = p->leader;
		w.vote.epoch = p->epoch;
	}
	zab_send(p, to, ZAB_MSG_VOTE, &w, sizeof w);
}

static void send_votes(struct zab *p)
{
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id)
			send_vote(p, i);
}

void zab_arm(struct zab *p)
{
	int64_t tick = p->o->v[ZAB_OPT_TICK].i;
	if (p->role == ZAB_LOOKING) {
		const struct opt_value *v = &p->o->v[ZAB_OPT_NOTIFY];
		node_set_timer(p->n, ZAB_TIMER_ELECTION,
			       v->i == v->j ? v->i : node_rand_range(p->n, v->i, v->j));
		node_cancel_timer(p->n, ZAB_TIMER_TICK);
	} else {
		node_cancel_timer(p->n, ZAB_TIMER_ELECTION);
		node_set_timer(p->n, ZAB_TIMER_TICK, tick);
	}
}

void zab_look(struct zab *p, const char *why)
{
	if (p->role != ZAB_LOOKING || p->phase != ZAB_ELECTION)
		node_state(p->n, "LOOKING: %s", why);
	p->role = ZAB_LOOKING;
	p->phase = ZAB_ELECTION;
	p->leader = -1;
	p->round++;
	p->elections++;
	p->vote = self_vote(p);
	memset(&p->voted, 0, sizeof p->voted);
	p->votes[p->n->id] = p->vote;
	nodeset_add(&p->voted, p->n->id);
	p->finalizing = false;
	p->nsw = 0;
	p->nooo = 0;
	zab_clients_lost(p, "server lost its leader");
	send_votes(p);
	zab_arm(p);
}

/* ---- Phase 0 -------------------------------------------------------------- */

static int count_for(const struct zab *p, const struct zab_vote *v)
{
	int c = 0;
	for (int i = 0; i < node_count(p->n); i++)
		if (nodeset_has(&p->voted, i) && vote_same(&p->votes[i], v))
			c++;
	return c;
}

static void start_discovery(struct zab *p, int leader);

static void decide(struct zab *p)
{
	p->finalizing = false;
	if (count_for(p, &p->vote) < zab_quorum(p))
		return;
	start_discovery(p, p->vote.id);
}

void zab_election_timer(struct zab *p)
{
	if (p->role != ZAB_LOOKING)
		return;
	if (p->finalizing) {
		decide(p);
		if (p->role != ZAB_LOOKING)
			return;
	}
	/* FastLeaderElection resends its notifications when none came. */
	send_votes(p);
	zab_arm(p);
}

void zab_on_vote(struct zab *p, int from, const struct zab_wire_vote *w)
{
	if (p->role != ZAB_LOOKING) {
		/* Tell a looking peer whom we follow. */
		if (w->state == ZAB_LOOKING)
			send_vote(p, from);
		return;
	}
	if (w->state != ZAB_LOOKING) {
		/* A peer out of the election names its leader: join it. The
		 * leader itself saying LEADING is enough; discovery decides
		 * whether it really has a quorum. */
		int l = w->vote.id;
		if (l < 0 || l >= node_count(p->n))
			return;
		if (w->state == ZAB_LEADING && l == from) {
			if (w->epoch && w->epoch < p->st.accepted_epoch)
				return; /* an old leader: its NEWEPOCH would be refused */
			start_discovery(p, l);
		} else if (l != p->n->id) {
			send_vote(p, l);
		}
		return;
	}
	if (w->round > p->round) {
		p->round = w->round;
		memset(&p->voted, 0, sizeof p->voted);
		struct zab_vote me = self_vote(p);
		p->vote = vote_better(&w->vote, &me) ? w->vote : me;
		p->finalizing = false;
		send_votes(p);
	} else if (w->round < p->round) {
		send_vote(p, from);
		return;
	} else if (vote_better(&w->vote, &p->vote)) {
		p->vote = w->vote;
		p->finalizing = false;
		send_votes(p);
	}
	p->votes[from] = w->vote;
	nodeset_add(&p->voted, from);
	p->votes[p->n->id] = p->vote;
	nodeset_add(&p->voted, p->n->id);
	if (!p->finalizing && count_for(p, &p->vote) >= zab_quorum(p)) {
		/* A quorum agrees: wait finalizeWait for a better vote. */
		p->finalizing = true;
		node_set_timer(p->n, ZAB_TIMER_ELECTION, FINALIZE_WAIT);
	}
}

/* ---- Phase 1 -------------------------------------------------------------- */

static void leader_reset(struct zab *p)
{
	memset(&p->info, 0, sizeof p->info);
	memset(&p->ackepoch, 0, sizeof p->ackepoch);
	memset(&p->acknl, 0, sizeof p->acknl);
	memset(p->acked, 0, sizeof p->acked);
	memset(p->ping_acked, 0, sizeof p->ping_acked);
	p->nsw = 0;
	p->commit_zxid = 0;
	sim_time now = node_local_now(p->n);
	for (int i = 0; i < SIM_MAX_NODES; i++)
		p->heard[i] = now;
}

static void send_followerinfo(struct zab *p)
{
	struct zab_wire_epoch w = {.epoch = p->st.accepted_epoch, .zxid = zab_last_zxid(p)};
	zab_send(p, p->leader, ZAB_MSG_FOLLOWERINFO, &w, sizeof w);
}

static void leader_got_info(struct zab *p, int from, int64_t accepted);

static void start_discovery(struct zab *p, int leader)
{
	p->leader = leader;
	p->phase = ZAB_DISCOVERY;
	p->finalizing = false;
	p->leader_heard = node_local_now(p->n);
	leader_reset(p);
	if (leader == p->n->id) {
		p->role = ZAB_LEADING;
		p->epoch = 0;
		p->max_accepted = p->st.accepted_epoch;
		node_state(p->n, "LEADING: elected with vote (epoch %lld, zxid %s); discovery",
			   (long long)p->vote.epoch, zab_zxid_fmt(p->vote.zxid, (char[24]){0}, 24));
		leader_got_info(p, p->n->id, p->st.accepted_epoch);
	} else {
		p->role = ZAB_FOLLOWING;
		p->epoch = 0;
		node_state(p->n, "FOLLOWING n%d: discovery", leader + 1);
		send_followerinfo(p);
	}
	zab_arm(p);
}

static void send_newepoch(struct zab *p, int to)
{
	struct zab_wire_epoch w = {.epoch = p->epoch, .zxid = 0};
	zab_send(p, to, ZAB_MSG_NEWEPOCH, &w, sizeof w);
}

static void leader_got_info(struct zab *p, int from, int64_t accepted)
{
	nodeset_add(&p->info, from);
	p->heard[from] = node_local_now(p->n);
	if (p->phase == ZAB_DISCOVERY && !p->epoch) {
		p->max_accepted = MAX(p->max_accepted, accepted);
		if (nodeset_count(&p->info) < zab_quorum(p))
			return;
		/* "ℓ ... proposes e' such that e' > e for every e of the
		 * CEPOCH(e) received": a quorum's f.p, plus one. */
		p->epoch = p->max_accepted + 1;
		p->st.accepted_epoch = p->epoch; /* the leader acknowledges itself */
		p->st.writes++;
		node_state(p->n, "proposes epoch %lld to its quorum", (long long)p->epoch);
		nodeset_add(&p->ackepoch, p->n->id);
		p->acked[p->n->id] = zab_last_zxid(p);
		for (int i = 0; i < node_count(p->n); i++)
			if (i != p->n->id && nodeset_has(&p->info, i))
				send_newepoch(p, i);
		return;
	}
	if (from != p->n->id && p->epoch) {
		if (accepted > p->epoch) {
			/* A follower promised a newer epoch: this leader's is dead. */
			zab_look(p, "a follower has accepted a newer epoch");
			return;
		}
		send_newepoch(p, from); /* a latecomer */
	}
}

static void on_newepoch(struct zab *p, int from, const struct zab_wire_epoch *w)
{
	if (p->role != ZAB_FOLLOWING || from != p->leader)
		return;
	p->leader_heard = node_local_now(p->n);
	if (w->epoch < p->st.accepted_epoch) {
		/* "if e' < f.p then f goes back to Phase 0". */
		zab_look(p, "NEWEPOCH older than the epoch it accepted");
		return;
	}
	if (w->epoch > p->st.accepted_epoch) {
		p->st.accepted_epoch = w->epoch; /* f.p ← e', on disk */
		p->st.writes++;
	}
	p->epoch = w->epoch;
	if (p->phase == ZAB_DISCOVERY)
		p->phase = ZAB_SYNC;
	struct zab_wire_ackepoch a;
	memset(&a, 0, sizeof a);
	a.epoch = w->epoch;
	a.current_epoch = p->st.current_epoch;
	a.last_zxid = zab_last_zxid(p);
	a.nhist = p->st.nh;
	int64_t from_i = MAX(0, p->st.nh - ZAB_RECENT);
	for (int64_t i = from_i; i < p->st.nh; i++)
		a.recent[a.n++] = p->st.h[i].zxid;
	zab_send(p, from, ZAB_MSG_ACKEPOCH, &a, sizeof a);
}

/* ---- Phase 2 -------------------------------------------------------------- */

static void send_sync(struct zab *p, int to, const struct zab_wire_ackepoch *a)
{
	/* The last zxid both hold: the newest of the follower's recent zxids
	 * that the leader's history has (0: the empty history). Histories
	 * that share a zxid agree up to it (Zab §IV: prefix consistency). */
	int64_t common = -2; /* index in the leader's history; -1: empty */
	int64_t czxid = 0;
	uint32_t n = a->n > ZAB_RECENT ? ZAB_RECENT : a->n;
	for (uint32_t k = n; k-- > 0;) {
		int64_t at = zab_hist_find(p, a->recent[k]);
		if (at >= 0) {
			common = at;
			czxid = a->recent[k];
			break;
		}
	}
	if (common == -2 && a->nhist <= (int64_t)n)
		common = -1; /* nothing shared but the empty prefix */
	int type;
	int64_t from;
	int64_t snap = p->o->v[ZAB_OPT_SNAP].i;
	if (common == -2 || p->st.nh - (common + 1) > snap) {
		type = ZAB_MSG_SNAP;
		from = 0;
		czxid = 0;
	} else {
		type = czxid == a->last_zxid ? ZAB_MSG_DIFF : ZAB_MSG_TRUNC;
		from = common + 1;
	}
	uint32_t cnt = (uint32_t)(p->st.nh - from);
	size_t len = sizeof(struct zab_wire_sync) + (size_t)cnt * sizeof(struct zab_txn);
	char *buf = xcalloc(1, len);
	struct zab_wire_sync h = {.epoch = p->epoch, .trunc = czxid, .n = cnt};
	memcpy(buf, &h, sizeof h);
	if (cnt)
		memcpy(buf + sizeof h, p->st.h + from, (size_t)cnt * sizeof(struct zab_txn));
	zab_send(p, to, type, buf, len);
	free(buf);
}

static void leader_enter_broadcast(struct zab *p);
static void send_uptodate(struct zab *p, int to);

static void on_ackepoch(struct zab *p, int from, const void *data, size_t len)
{
	struct zab_wire_ackepoch a;
	if (len != sizeof a || p->role != ZAB_LEADING)
		return;
	memcpy(&a, data, sizeof a);
	if (a.epoch != p->epoch || !p->epoch)
		return;
	p->heard[from] = node_local_now(p->n);
	int64_t mine = zab_last_zxid(p);
	if (a.current_epoch > p->st.current_epoch ||
	    (a.current_epoch == p->st.current_epoch && a.last_zxid > mine)) {
		/* Leader.waitForEpochAck: "Follower is ahead of the leader". */
		char b[24];
		char why[80];
		ns_snprintf(why, sizeof why, "follower n%d is ahead (epoch %lld, zxid %s)",
			    from + 1, (long long)a.current_epoch,
			    zab_zxid_fmt(a.last_zxid, b, sizeof b));
		zab_look(p, why);
		return;
	}
	nodeset_add(&p->ackepoch, from);
	p->acked[from] = 0;
	p->ae[from] = a;
	if (zab_bug_on(p, ZAB_BUG_BROADCAST_BEFORE_SYNC)) {
		/* The bug: no Phase 2. With a quorum of ACKEPOCH the leader
		 * establishes e' and broadcasts at once; each follower is told
		 * it is up to date with the history it already has. */
		nodeset_add(&p->acknl, from);
		if (p->phase != ZAB_DISCOVERY) {
			send_uptodate(p, from);
			return;
		}
		if (nodeset_count(&p->ackepoch) < zab_quorum(p))
			return;
		p->st.current_epoch = p->epoch;
		p->st.writes++;
		nodeset_add(&p->acknl, p->n->id);
		leader_enter_broadcast(p);
		return;
	}
	if (p->phase == ZAB_DISCOVERY) {
		if (nodeset_count(&p->ackepoch) < zab_quorum(p))
			return;
		/* A quorum acknowledged e': the leader's own NEWLEADER. */
		p->phase = ZAB_SYNC;
		p->st.current_epoch = p->epoch;
		p->st.writes++;
		nodeset_add(&p->acknl, p->n->id);
		node_state(p->n, "epoch %lld acknowledged by a quorum; synchronization",
			   (long long)p->epoch);
		/* Every follower that acknowledged gets its NEWLEADER now. */
		for (int i = 0; i < node_count(p->n); i++)
			if (i != p->n->id && nodeset_has(&p->ackepoch, i))
				send_sync(p, i, &p->ae[i]);
		return;
	}
	send_sync(p, from, &a);
}

static void on_sync(struct zab *p, int from, int type, const void *data, size_t len)
{
	struct zab_wire_sync h;
	if (len < sizeof h || p->role != ZAB_FOLLOWING || from != p->leader)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.n * sizeof(struct zab_txn))
		return;
	p->leader_heard = node_local_now(p->n);
	if (h.epoch != p->st.accepted_epoch)
		return; /* "if f.p = e'" only */
	if (p->st.current_epoch == h.epoch) {
		/* Already synchronised with this leader: acknowledge again. */
		struct zab_wire_epoch w = {.epoch = h.epoch, .zxid = zab_last_zxid(p)};
		zab_send(p, from, ZAB_MSG_ACKLD, &w, sizeof w);
		return;
	}
	const char *q = (const char *)data + sizeof h;
	char b[24];
	if (type == ZAB_MSG_SNAP) {
		/* The leader's whole state replaces ours. What we share with it
		 * (at least what we delivered: it is committed, so the leader
		 * has it) stays; the rest is cut and replaced. */
		int64_t same = 0;
		while (same < p->st.nh && same < (int64_t)h.n) {
			struct zab_txn t;
			memcpy(&t, q + (size_t)same * sizeof t, sizeof t);
			if (t.zxid != p->st.h[same].zxid)
				break;
			same++;
		}
		zab_hist_cut(p, same);
		node_state(p->n, "SNAP from n%d: takes the leader's %u transactions", from + 1,
			   h.n);
	} else {
		int64_t keep = h.trunc ? zab_hist_find(p, h.trunc) + 1 : 0;
		if (h.trunc && keep == 0)
			return; /* it does not hold the shared zxid: wait for a resend */
		if (keep < p->st.nh) {
			node_state(p->n, "TRUNC from n%d: drops %lld transactions after %s",
				   from + 1, (long long)(p->st.nh - keep),
				   zab_zxid_fmt(h.trunc, b, sizeof b));
			zab_hist_cut(p, keep);
		} else if (h.n) {
			node_state(p->n, "DIFF from n%d: %u transactions after %s", from + 1, h.n,
				   zab_zxid_fmt(h.trunc, b, sizeof b));
		}
	}
	for (uint32_t k = 0; k < h.n; k++) {
		struct zab_txn t;
		memcpy(&t, q + k * sizeof t, sizeof t);
		if (t.zxid > zab_last_zxid(p))
			zab_hist_append(p, &t);
	}
	/* f.a ← e': it accepted the new leader's history. */
	p->st.current_epoch = h.epoch;
	p->st.writes++;
	p->epoch = h.epoch;
	p->phase = ZAB_SYNC;
	struct zab_wire_epoch w = {.epoch = h.epoch, .zxid = zab_last_zxid(p)};
	zab_send(p, from, ZAB_MSG_ACKLD, &w, sizeof w);
}

static void send_uptodate(struct zab *p, int to)
{
	struct zab_wire_epoch w = {.epoch = p->epoch, .zxid = zab_delivered_zxid(p)};
	zab_send(p, to, ZAB_MSG_UPTODATE, &w, sizeof w);
}

static void leader_enter_broadcast(struct zab *p)
{
	p->phase = ZAB_BROADCAST;
	node_state(p->n, "epoch %lld established: delivers its %lld transactions; broadcast",
		   (long long)p->epoch, (long long)p->st.nh);
	/* COMMIT-LD: the initial history is committed. */
	zab_deliver(p, p->st.nh);
	p->commit_zxid = zab_last_zxid(p);
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id && nodeset_has(&p->acknl, i))
			send_uptodate(p, i);
}

static void on_ackld(struct zab *p, int from, const struct zab_wire_epoch *w)
{
	if (p->role != ZAB_LEADING || w->epoch != p->epoch || p->phase < ZAB_SYNC)
		return;
	p->heard[from] = node_local_now(p->n);
	nodeset_add(&p->acknl, from);
	p->acked[from] = MAX(p->acked[from], w->zxid);
	if (p->phase == ZAB_SYNC) {
		if (nodeset_count(&p->acknl) >= zab_quorum(p))
			leader_enter_broadcast(p);
		return;
	}
	send_uptodate(p, from);
}

static void follower_uptodate(struct zab *p, int64_t commit)
{
	if (p->phase == ZAB_SYNC) {
		p->phase = ZAB_BROADCAST;
		node_state(p->n, "UPTODATE: follows n%d in epoch %lld; broadcast", p->leader + 1,
			   (long long)p->epoch);
	}
	int64_t upto = p->st.delivered;
	while (upto < p->st.nh && p->st.h[upto].zxid <= commit)
		upto++;
	zab_deliver(p, upto);
}

/* ---- Phase 3 -------------------------------------------------------------- */

void zab_deliver(struct zab *p, int64_t upto)
{
	while (p->st.delivered < upto && p->st.delivered < p->st.nh) {
		const struct zab_txn *t = &p->st.h[p->st.delivered++];
		struct kv_result res;
		memset(&res, 0, sizeof res);
		kv_apply(&p->kv, t->client, t->seq, p->st.delivered, &t->op, &res);
		zab_answer_delivered(p, t, &res);
	}
	zab_answer_syncs(p);
}

static void send_proposal(struct zab *p, int to, int64_t i)
{
	struct zab_wire_proposal w;
	memset(&w, 0, sizeof w);
	w.epoch = p->epoch;
	w.prev = i > 0 ? p->st.h[i - 1].zxid : 0;
	w.t = p->st.h[i];
	zab_send(p, to, ZAB_MSG_PROPOSAL, &w, sizeof w);
}

bool zab_broadcast(struct zab *p, const struct zab_txn *t)
{
	/* Primary integrity rests here: a leader broadcasts only once its
	 * epoch is established (Phase 3). A `broadcast-before-sync` bug
	 * would drop `p->phase != ZAB_BROADCAST` from this test. */
	if (p->role != ZAB_LEADING || p->phase != ZAB_BROADCAST)
		return false;
	int64_t last = zab_last_zxid(p);
	int64_t c = zab_epoch_of(last) == p->epoch ? zab_counter_of(last) + 1 : 1;
	struct zab_txn x = *t;
	x.zxid = zab_zxid(p->epoch, c);
	zab_hist_append(p, &x);
	struct zab_audit *a = &p->audit;
	xgrow((void **)&a->b, &a->capb, a->nb + 1, sizeof *a->b);
	a->b[a->nb].zxid = x.zxid;
	a->b[a->nb].hash = zab_txn_hash(&x);
	a->b[a->nb].delivered = p->st.delivered;
	a->nb++;
	p->acked[p->n->id] = x.zxid;
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id && nodeset_has(&p->acknl, i))
			send_proposal(p, i, p->st.nh - 1);
	if (zab_quorum(p) <= 1) {
		p->commit_zxid = x.zxid;
		zab_deliver(p, p->st.nh);
	}
	return true;
}

static void send_commit(struct zab *p, int to)
{
	struct zab_wire_ack w = {.epoch = p->epoch, .zxid = p->commit_zxid};
	zab_send(p, to, ZAB_MSG_COMMIT, &w, sizeof w);
}

/* The highest zxid of this epoch held by a quorum: committed. */
static void leader_advance_commit(struct zab *p)
{
	int64_t best = p->commit_zxid;
	for (int i = 0; i < node_count(p->n); i++) {
		int64_t z = p->acked[i];
		if (!nodeset_has(&p->acknl, i) || z <= best || zab_epoch_of(z) != p->epoch)
			continue;
		int c = 0;
		for (int j = 0; j < node_count(p->n); j++)
			c += nodeset_has(&p->acknl, j) && p->acked[j] >= z;
		if (c >= zab_quorum(p))
			best = z;
	}
	if (best == p->commit_zxid)
		return;
	/* "upon receiving ACK ... from a quorum, send COMMIT" — in order:
	 * everything up to best. */
	p->commit_zxid = best;
	int64_t upto = p->st.delivered;
	while (upto < p->st.nh && p->st.h[upto].zxid <= best)
		upto++;
	zab_deliver(p, upto);
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id && nodeset_has(&p->acknl, i))
			send_commit(p, i);
}

static void on_proposal(struct zab *p, int from, const struct zab_wire_proposal *w)
{
	if (p->role != ZAB_FOLLOWING || from != p->leader || w->epoch != p->st.current_epoch ||
	    p->phase < ZAB_SYNC)
		return;
	p->leader_heard = node_local_now(p->n);
	int64_t last = zab_last_zxid(p);
	if (zab_epoch_of(w->t.zxid) != w->epoch)
		return;
	if (w->t.zxid > last) {
		/* Accept in zxid order only: its predecessor must be ours. A
		 * proposal ahead of it waits (a few), the rest are resent. */
		if (w->prev != last) {
			if (p->nooo < ZAB_RESEND) {
				xgrow((void **)&p->ooo, &p->capooo, p->nooo + 1, sizeof *p->ooo);
				p->ooo[p->nooo++] = *w;
			}
			return;
		}
		zab_hist_append(p, &w->t);
		for (bool more = true; more;) {
			more = false;
			for (size_t k = 0; k < p->nooo; k++) {
				if (p->ooo[k].epoch != p->st.current_epoch ||
				    p->ooo[k].t.zxid <= zab_last_zxid(p)) {
					p->ooo[k--] = p->ooo[--p->nooo];
					continue;
				}
				if (p->ooo[k].prev == zab_last_zxid(p)) {
					zab_hist_append(p, &p->ooo[k].t);
					p->ooo[k--] = p->ooo[--p->nooo];
					more = true;
				}
			}
		}
	}
	struct zab_wire_ack a = {.epoch = w->epoch, .zxid = zab_last_zxid(p)};
	zab_send(p, from, ZAB_MSG_ACK, &a, sizeof a);
}

static void on_commit(struct zab *p, int from, const struct zab_wire_ack *w)
{
	if (p->role != ZAB_FOLLOWING || from != p->leader || w->epoch != p->st.current_epoch ||
	    p->phase != ZAB_BROADCAST)
		return;
	p->leader_heard = node_local_now(p->n);
	follower_uptodate(p, w->zxid);
}

/* ---- heartbeats --------------------------------------------------------- */

static void send_ping(struct zab *p, int to)
{
	struct zab_wire_ping w = {
	    .epoch = p->epoch, .commit = p->commit_zxid, .round = p->ping_round, .last = 0};
	zab_send(p, to, ZAB_MSG_PING, &w, sizeof w);
}

void zab_leader_ping_all(struct zab *p);
void zab_leader_ping_all(struct zab *p)
{
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id && nodeset_has(&p->acknl, i))
			send_ping(p, i);
}

static void leader_tick(struct zab *p)
{
	sim_time now = node_local_now(p->n);
	sim_time timeout = p->o->v[ZAB_OPT_TIMEOUT].i;
	p->heard[p->n->id] = now;
	if (p->phase != ZAB_BROADCAST) {
		/* Discovery and synchronization have `timeout` (initLimit). */
		if (now - p->leader_heard > timeout) {
			zab_look(p, "no quorum established its epoch within the timeout");
			return;
		}
	} else {
		int alive = 0;
		for (int i = 0; i < node_count(p->n); i++)
			alive += now - p->heard[i] <= timeout &&
				 (i == p->n->id || nodeset_has(&p->acknl, i));
		if (alive < zab_quorum(p)) {
			zab_look(p, "lost its quorum of followers");
			return;
		}
	}
	for (int i = 0; i < node_count(p->n); i++) {
		if (i == p->n->id)
			continue;
		if (p->phase == ZAB_DISCOVERY && p->epoch && nodeset_has(&p->info, i) &&
		    !nodeset_has(&p->ackepoch, i))
			send_newepoch(p, i);
		if (p->phase != ZAB_BROADCAST || !nodeset_has(&p->acknl, i))
			continue;
		send_ping(p, i);
		/* Proposals it lacks (lost or reordered): send them again. */
		int64_t k = p->acked[i] ? zab_hist_find(p, p->acked[i]) + 1 : 0;
		for (int64_t j = k, sent = 0; j < p->st.nh && sent < ZAB_RESEND; j++, sent++)
			if (zab_epoch_of(p->st.h[j].zxid) == p->epoch)
				send_proposal(p, i, j);
	}
}

void zab_tick(struct zab *p)
{
	if (p->role == ZAB_LOOKING)
		return;
	if (p->role == ZAB_LEADING) {
		leader_tick(p);
	} else {
		sim_time now = node_local_now(p->n);
		if (now - p->leader_heard > p->o->v[ZAB_OPT_TIMEOUT].i) {
			zab_look(p, "its leader went silent");
			return;
		}
		/* Nothing from the leader for two ticks: a message of ours or
		 * its answer was lost; say it again. */
		bool quiet = now - p->leader_heard >= 2 * p->o->v[ZAB_OPT_TICK].i;
		if (!quiet)
			;
		else if (p->phase == ZAB_DISCOVERY ||
			 (p->phase == ZAB_SYNC && p->epoch && p->st.current_epoch != p->epoch))
			send_followerinfo(p);
		else if (p->phase == ZAB_SYNC) {
			/* Its ACK-LD may have been lost. */
			struct zab_wire_epoch w = {.epoch = p->epoch, .zxid = zab_last_zxid(p)};
			zab_send(p, p->leader, ZAB_MSG_ACKLD, &w, sizeof w);
		}
	}
	zab_arm(p);
}

static void on_ping(struct zab *p, int from, const struct zab_wire_ping *w)
{
	if (p->role != ZAB_FOLLOWING || from != p->leader || w->epoch != p->st.current_epoch)
		return;
	p->leader_heard = node_local_now(p->n);
	/* A PING from the leader in broadcast says this follower is up to
	 * date (an UPTODATE may have been lost). */
	follower_uptodate(p, w->commit);
	struct zab_wire_ping a = {
	    .epoch = w->epoch, .commit = 0, .round = w->round, .last = zab_last_zxid(p)};
	zab_send(p, from, ZAB_MSG_PINGACK, &a, sizeof a);
}

static void on_pingack(struct zab *p, int from, const struct zab_wire_ping *w)
{
	if (p->role != ZAB_LEADING || w->epoch != p->epoch || !nodeset_has(&p->acknl, from))
		return;
	p->heard[from] = node_local_now(p->n);
	p->ping_acked[from] = MAX(p->ping_acked[from], w->round);
	int64_t at = zab_hist_find(p, w->last);
	if (at >= 0 || !w->last)
		p->acked[from] = MAX(p->acked[from], w->last);
	leader_advance_commit(p);
	zab_answer_syncs(p);
}

/* ---- sync at the leader ------------------------------------------------------ */

void zab_leader_sync(struct zab *p, int from, uint32_t id)
{
	/* ZK §2.3: "sync causes a server to apply all pending write requests
	 * before processing the read". The target is the last proposal; a
	 * fresh PING round answered by a quorum proves this leader was
	 * still the leader after the sync arrived (as Raft's ReadIndex), so
	 * that sync + read sees every write completed before the sync. */
	xgrow((void **)&p->sw, &p->capsw, p->nsw + 1, sizeof *p->sw);
	struct zab_syncwait *s = &p->sw[p->nsw++];
	s->from = from;
	s->id = id;
	s->target = zab_last_zxid(p);
	s->round = ++p->ping_round;
	p->ping_acked[p->n->id] = p->ping_round;
	zab_leader_ping_all(p);
	zab_answer_syncs(p);
}

/* ---- dispatch ---------------------------------------------------------------- */

#define GET(type, var)                                                                             \
	type var;                                                                                  \
	if (m->len != sizeof var)                                                                  \
		return;                                                                            \
	memcpy(&var, m->data, sizeof var)

void zab_on_peer_msg(struct zab *p, const struct msg *m)
{
	switch (m->type) {
	case ZAB_MSG_FOLLOWERINFO: {
		GET(struct zab_wire_epoch, w);
		if (p->role == ZAB_LEADING)
			leader_got_info(p, m->from, w.epoch);
		else if (p->role == ZAB_FOLLOWING || p->role == ZAB_LOOKING)
			send_vote(p, m->from); /* not the leader: say whom we follow */
		return;
	}
	case ZAB_MSG_NEWEPOCH: {
		GET(struct zab_wire_epoch, w);
		on_newepoch(p, m->from, &w);
		return;
	}
	case ZAB_MSG_ACKEPOCH: on_ackepoch(p, m->from, m->data, m->len); return;
	case ZAB_MSG_DIFF:
	case ZAB_MSG_TRUNC:
	case ZAB_MSG_SNAP: on_sync(p, m->from, m->type, m->data, m->len); return;
	case ZAB_MSG_ACKLD: {
		GET(struct zab_wire_epoch, w);
		on_ackld(p, m->from, &w);
		return;
	}
	case ZAB_MSG_UPTODATE: {
		GET(struct zab_wire_epoch, w);
		if (zab_bug_on(p, ZAB_BUG_BROADCAST_BEFORE_SYNC) && p->role == ZAB_FOLLOWING &&
		    m->from == p->leader && w.epoch == p->st.accepted_epoch &&
		    p->st.current_epoch < w.epoch) {
			/* The bug's follower side: it takes the new epoch with
			 * the history it has, no Diff, Trunc or Snap. */
			p->st.current_epoch = w.epoch;
			p->st.writes++;
			p->epoch = w.epoch;
			p->phase = ZAB_SYNC;
		}
		if (p->role == ZAB_FOLLOWING && m->from == p->leader &&
		    w.epoch == p->st.current_epoch) {
			p->leader_heard = node_local_now(p->n);
			follower_uptodate(p, w.zxid);
		}
		return;
	}
	case ZAB_MSG_PROPOSAL: {
		GET(struct zab_wire_proposal, w);
		on_proposal(p, m->from, &w);
		return;
	}
	case ZAB_MSG_ACK: {
		GET(struct zab_wire_ack, w);
		if (p->role != ZAB_LEADING || w.epoch != p->epoch || p->phase < ZAB_SYNC)
			return;
		p->heard[m->from] = node_local_now(p->n);
		p->acked[m->from] = MAX(p->acked[m->from], w.zxid);
		if (p->phase == ZAB_BROADCAST)
			leader_advance_commit(p);
		return;
	}
	case ZAB_MSG_COMMIT: {
		GET(struct zab_wire_ack, w);
		on_commit(p, m->from, &w);
		return;
	}
	case ZAB_MSG_PING: {
		GET(struct zab_wire_ping, w);
		on_ping(p, m->from, &w);
		return;
	}
	case ZAB_MSG_PINGACK: {
		GET(struct zab_wire_ping, w);
		on_pingack(p, m->from, &w);
		return;
	}
	case ZAB_MSG_FORWARD: {
		GET(struct zab_wire_forward, w);
		zab_on_forward(p, m->from, &w);
		return;
	}
	case ZAB_MSG_SYNCREQ: {
		GET(struct zab_wire_syncmsg, w);
		if (p->role == ZAB_LEADING && p->phase == ZAB_BROADCAST && w.epoch == p->epoch)
			zab_leader_sync(p, m->from, w.id);
		return;
	}
	case ZAB_MSG_SYNCREP: {
		GET(struct zab_wire_syncmsg, w);
		if (p->role == ZAB_FOLLOWING && m->from == p->leader &&
		    w.epoch == p->st.current_epoch)
			zab_on_syncrep(p, &w);
		return;
	}
	}
}

/*
 * primary_repl.c — the `primary` protocol's replication stream, its
 * failure detector and failover.
 *
 * Replication. The primary numbers each write (seq), appends it to its
 * log, applies it and streams it to every backup in Replicate messages
 * that carry the entry before them (prev seq and epoch), as Raft's
 * AppendEntries do (Ongaro & Ousterhout, 2014, Figure 2: "Reply false if
 * log doesn't contain an entry at prevLogIndex whose term matches
 * prevLogTerm"). A backup that finds a mismatch answers with a hint, the
 * seq just before the run of entries of the epoch that conflicts, and the
 * primary resends from there; a backup whose log holds entries the primary
 * never had (a deposed primary's unreplicated writes) discards them. Each
 * Ack reports the highest seq the backup holds in agreement with the
 * primary; the primary answers clients when the mode's condition holds:
 * async at once, semisync when one backup has the write, sync when every
 * backup does.
 *
 * Failure detection and failover. The primary sends a Heartbeat every
 * `heartbeat` when it has nothing to stream; a backup that hears nothing
 * for `timeout` suspects it. With failover=auto the backups rank
 * themselves by the data they hold (highest seq first, ties by lowest id,
 * as the primary's last Heartbeat reported them) and the k-th waits k
 * timeouts before it asks for the next epoch with NewPrimary. A node
 * grants at most one NewPrimary per epoch (the promise is stable), and
 * only to a candidate that has at least its data and while it does not
 * hear the primary itself; a majority of grants makes the candidate
 * primary, so two primaries never share an epoch. `promote NODE` forces a
 * candidacy that voters grant regardless, and that deposes the running
 * primary: it is not abandoned for the old epoch's stream (accept_stream).
 *
 * Fencing. With fencing=on every Replicate and Heartbeat carries its
 * epoch; a node that knows a newer epoch rejects the stream, and the
 * rejection tells the old primary it was deposed. With fencing=off nodes
 * follow whoever streams to them, and a primary ignores another primary's
 * stream: after a partition heals, two primaries keep writing and the
 * backups flip between them — split brain.
 */
#include "proto/primary_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static sim_time now_local(const struct pb *p)
{
	return node_local_now(p->n);
}

static int majority(const struct pb *p)
{
	return node_count(p->n) / 2 + 1;
}

/* ---- the primary's side --------------------------------------------------- */

static void send_heartbeat(struct pb *p, int to)
{
	int count = node_count(p->n);
	size_t len = sizeof(struct pb_heartbeat_wire) + (size_t)count * sizeof(int64_t);
	char *buf = xcalloc(1, len);
	struct pb_heartbeat_wire h = {p->epoch, pb_last(p),      pb_epoch_at(p, pb_last(p)),
				      p->acked, (uint32_t)count, 0};
	memcpy(buf, &h, sizeof h);
	for (int i = 0; i < count; i++) {
		int64_t v = i == p->n->id ? pb_last(p) : p->match[i];
		memcpy(buf + sizeof h + (size_t)i * sizeof v, &v, sizeof v);
	}
	node_send(p->n, to, PB_MSG_HEARTBEAT, buf, len);
	free(buf);
}

/* Sends entries from next[to] (at most PB_BATCH) and advances next[to]
 * optimistically. */
static void send_entries(struct pb *p, int to)
{
	int64_t from = p->next[to], last = pb_last(p);
	if (from < 1)
		from = 1;
	int64_t n = last - from + 1;
	if (n < 0)
		n = 0;
	if (n > PB_BATCH)
		n = PB_BATCH;
	size_t len = sizeof(struct pb_replicate_wire) + (size_t)n * sizeof(struct pb_entry);
	char *buf = xmalloc(len);
	struct pb_replicate_wire w = {
	    p->epoch, from - 1, pb_epoch_at(p, from - 1), last, p->acked, (uint32_t)n, 0};
	memcpy(buf, &w, sizeof w);
	if (n)
		memcpy(buf + sizeof w, &p->log[from - 1], (size_t)n * sizeof(struct pb_entry));
	node_send(p->n, to, PB_MSG_REPLICATE, buf, len);
	free(buf);
	p->next[to] = from + n;
}

void pb_stream_new(struct pb *p)
{
	int64_t last = pb_last(p);
	for (int f = 0; f < node_count(p->n); f++)
		if (f != p->n->id && p->next[f] == last)
			send_entries(p, f);
}

/* The seq clients may be answered up to, by mode. Only Acks of the
 * current epoch count (match[] is reset at promotion). */
static int64_t mode_acked(const struct pb *p)
{
	int64_t last = pb_last(p), lo = last, hi = 0;
	int followers = 0;
	for (int f = 0; f < node_count(p->n); f++) {
		if (f == p->n->id)
			continue;
		followers++;
		int64_t m = MIN(p->match[f], last);
		lo = MIN(lo, m);
		hi = MAX(hi, m);
	}
	if (!followers)
		return last;
	switch ((enum pb_mode)pb_opt(p, PB_OPT_MODE)) {
	case PB_ASYNC: return last;
	case PB_SEMISYNC: return hi;
	case PB_SYNC: return lo;
	}
	return lo;
}

void pb_advance_acked(struct pb *p)
{
	if (p->role != PB_PRIMARY)
		return;
	int64_t a = mode_acked(p);
	if (a > p->acked)
		p->acked = a;
	size_t k = 0;
	for (size_t i = 0; i < p->nwait; i++) {
		struct pb_wait *w = &p->wait[i];
		if (w->seq <= p->acked) {
			node_reply(p->n, &w->req, &w->rep);
		} else {
			p->wait[k++] = *w;
		}
	}
	p->nwait = k;
}

void pb_become_primary(struct pb *p, int64_t epoch, const char *why)
{
	p->role = PB_PRIMARY;
	p->epoch = epoch;
	if (p->promised < epoch)
		p->promised = epoch;
	p->was_primary = true;
	p->primary = p->n->id;
	p->suspect = false;
	p->verified = pb_last(p);
	p->acked = 0;
	p->confirmed = true; /* a majority just voted for it */
	for (int f = 0; f < SIM_MAX_NODES; f++) {
		p->match[f] = 0;
		p->next[f] = pb_last(p) + 1;
		p->ack_at[f] = now_local(p);
		p->acked_once[f] = false;
	}
	node_cancel_timer(p->n, PB_TIMER_PROMOTE);
	node_cancel_timer(p->n, PB_TIMER_ELECT);
	node_state(p->n, "becomes Primary of e%lld with its log up to seq %lld (%s)",
		   (long long)epoch, (long long)pb_last(p), why);
	for (int f = 0; f < node_count(p->n); f++)
		if (f != p->n->id)
			send_heartbeat(p, f);
	pb_advance_acked(p);
	node_set_timer(p->n, PB_TIMER_TICK, pb_opt(p, PB_OPT_HEARTBEAT));
}

/* The primary learns of a newer epoch: it stops taking writes. Clients
 * waiting for an answer get none (they time out: unknown). Learning of an
 * epoch is not voting in it: `promised` moves only with a vote (or when
 * the node follows that epoch's primary), so an old primary fenced off by
 * a refusal of epoch e+1 can still grant the NewPrimary of e+1 that
 * follows, which a promotion by hand may need when other nodes are down. */
static void deposed(struct pb *p, int64_t epoch, int by)
{
	int64_t old = p->epoch;
	p->epoch = epoch;
	p->was_primary = false;
	p->role = PB_DEPOSED;
	p->primary = by;
	p->nwait = 0;
	p->verified = 0;
	p->suspect = false;
	p->last_heard = now_local(p);
	if (by >= 0)
		node_state(p->n,
			   "learns it was deposed: n%d is primary of e%lld, newer than its e%lld",
			   by + 1, (long long)epoch, (long long)old);
	else
		node_state(p->n, "learns it was deposed: e%lld is newer than its e%lld",
			   (long long)epoch, (long long)old);
}

void pb_on_ack(struct pb *p, const struct msg *m)
{
	struct pb_ack_wire a;
	if (m->len != sizeof a)
		return;
	memcpy(&a, m->data, sizeof a);
	if (!a.ok) {
		if (a.epoch > p->epoch && p->role == PB_PRIMARY)
			deposed(p, a.epoch, a.primary);
		return;
	}
	if (p->role != PB_PRIMARY || a.epoch != p->epoch)
		return;
	int f = m->from;
	p->ack_at[f] = now_local(p);
	p->acked_once[f] = true;
	if (!p->confirmed) {
		nodeset_add(&p->heard, f);
		if (nodeset_count(&p->heard) + 1 >= majority(p)) {
			p->confirmed = true;
			node_state(p->n, "is still Primary of e%lld: a majority follows it again",
				   (long long)p->epoch);
		}
	}
	if (a.match > p->match[f])
		p->match[f] = MIN(a.match, pb_last(p));
	if (a.nack || a.probe) {
		if (a.match < pb_last(p)) {
			/* Possibly no entries: a probe whose prev check decides. */
			/* Never behind what the follower already confirmed: a
			 * coarse hint (a whole run of an old epoch) would resend
			 * the agreed prefix forever. */
			p->next[f] = MAX(MIN(a.hint, pb_last(p)), p->match[f]) + 1;
			send_entries(p, f);
		} else {
			p->next[f] = pb_last(p) + 1;
		}
	} else if (p->next[f] <= pb_last(p)) {
		send_entries(p, f); /* a long catch-up: the next batch */
	}
	pb_advance_acked(p);
}

/* ---- the backup's side ---------------------------------------------------- */

static void send_ack(struct pb *p, int to, int64_t epoch, bool ok, bool nack, bool probe,
		     int64_t hint)
{
	struct pb_ack_wire a = {epoch, p->verified, hint, p->primary, ok, nack, probe, 0};
	node_send(p->n, to, PB_MSG_ACK, &a, sizeof a);
}

static void fmt_ops(const struct pb *p, int64_t from, int64_t to, struct sbuf *out)
{
	for (int64_t s = from; s <= to; s++) {
		if (s - from == 3) {
			sbuf_puts(out, ", ...");
			break;
		}
		if (s > from)
			sbuf_puts(out, ", ");
		kv_op_fmt(&p->log[s - 1].op, out);
	}
}

/* Discards log[from..] (entries the primary does not have), says which,
 * and rebuilds the state machine. */
static void truncate_from(struct pb *p, int64_t from, int by)
{
	int64_t last = pb_last(p);
	if (from > last)
		return;
	struct sbuf ops = {0};
	fmt_ops(p, from, last, &ops);
	char range[48];
	if (from == last)
		ns_snprintf(range, sizeof range, "seq %lld", (long long)from);
	else
		ns_snprintf(range, sizeof range, "seq %lld..%lld", (long long)from,
			    (long long)last);
	node_state(p->n, "discards %s (%s) not on the primary n%d", range, sbuf_str(&ops), by + 1);
	sbuf_free(&ops);
	p->discarded += last - from + 1;
	p->truncs++;
	p->nlog = from - 1;
	if (p->verified > p->nlog)
		p->verified = p->nlog;
	pb_replay(p);
}

/* A stream from a primary of epoch `epoch`: may this node follow it?
 * Adopts a newer epoch; false (after rejecting it) when the stream must
 * be refused. */
static bool accept_stream(struct pb *p, const struct msg *m, int64_t epoch)
{
	bool fencing = pb_opt(p, PB_OPT_FENCING);
	if (p->role == PB_PRIMARY) {
		if (!fencing || epoch == p->epoch)
			return false; /* another primary: split brain, or a stale copy */
		if (epoch < p->epoch) {
			send_ack(p, m->from, p->epoch, false, false, false, 0);
			return false;
		}
		deposed(p, epoch, m->from);
	}
	/* A forced candidacy is not abandoned for an older epoch's stream.
	 * `promote NODE` opens epoch c = e+1 and deposes the primary of e
	 * (PROTOCOLS.md): voters grant it regardless of that primary, and a
	 * Heartbeat or Replicate of e that was already in flight when the
	 * candidacy began says nothing new; giving up for it would leave the
	 * voters fenced off from e with nobody to follow in c. So, as Raft's
	 * candidate does with an AppendEntries of an older term (Ongaro &
	 * Ousterhout, 2014, §5.1: "If a server receives a request with a
	 * stale term number, it rejects the request"), a forced candidate of
	 * c refuses every stream of an epoch below c, and with fencing=on the
	 * refusal tells the old primary it was deposed. It steps down only for
	 * a primary of c or newer, a vote for a newer candidate, or its
	 * election timer. (An automatic candidacy still yields to the primary
	 * it suspected: hearing it means the suspicion was wrong.) */
	if (p->role == PB_CANDIDATE && p->cand_force && epoch < p->cand_epoch) {
		if (fencing) {
			struct pb_ack_wire a = {p->cand_epoch, p->verified, 0, -1, 0, 0, 0, 0};
			node_send(p->n, m->from, PB_MSG_ACK, &a, sizeof a);
		}
		return false;
	}
	/* A node that voted another node into a newer epoch refuses the old
	 * stream (its own failed candidacy binds nobody). */
	if (fencing && (epoch < p->epoch || (epoch < p->promised && p->voted_for != p->n->id))) {
		send_ack(p, m->from, MAX(p->epoch, p->promised), false, false, false, 0);
		return false;
	}
	if (epoch != p->epoch || p->primary != m->from) {
		if (epoch > p->epoch || p->primary != m->from)
			p->verified = 0;
		/* Without fencing a node takes the epoch of whoever streams. */
		if (epoch > p->epoch || !fencing)
			p->epoch = epoch;
		if (p->promised < epoch)
			p->promised = epoch;
		p->primary = m->from;
		p->was_primary = false;
		node_state(p->n, "follows n%d, primary of e%lld", m->from + 1, (long long)epoch);
	}
	if (p->role == PB_CANDIDATE) {
		node_cancel_timer(p->n, PB_TIMER_ELECT);
		node_state(p->n, "gives up its candidacy: n%d streams to it", m->from + 1);
	}
	if (p->role != PB_BACKUP && p->role != PB_DEPOSED)
		p->role = PB_BACKUP;
	p->last_heard = now_local(p);
	if (p->suspect) {
		p->suspect = false;
		node_state(p->n, "hears the primary n%d again", m->from + 1);
	}
	node_cancel_timer(p->n, PB_TIMER_PROMOTE);
	return true;
}

/* Entries beyond the primary's last seq from an older epoch are not on the
 * primary: the primary's log beyond p_last holds only its own epoch. */
static void drop_foreign_tail(struct pb *p, int64_t p_last, int64_t epoch, int by)
{
	int64_t s = p_last + 1;
	if (s <= pb_last(p) && p->log[s - 1].epoch < epoch)
		truncate_from(p, s, by);
}

/* The seq the primary should try as prev after a mismatch at prev: the
 * entry before this node's run of the conflicting epoch. */
static int64_t conflict_hint(const struct pb *p, int64_t prev)
{
	int64_t e = pb_epoch_at(p, prev), s = prev;
	while (s > 1 && pb_epoch_at(p, s - 1) == e)
		s--;
	return MAX(s - 1, 0);
}

void pb_drop_held(struct pb *p)
{
	for (int i = 0; i < p->nheld; i++)
		free(p->held[i].data);
	p->nheld = 0;
}

static bool hold(struct pb *p, const struct msg *m)
{
	if (p->nheld == PB_HOLD)
		return false;
	struct pb_held *h = &p->held[p->nheld++];
	h->from = m->from;
	h->len = m->len;
	h->data = xmalloc(m->len);
	memcpy(h->data, m->data, m->len);
	return true;
}

/* Applies held Replicates that now follow the log, from the same sender. */
static void release_held(struct pb *p, int from)
{
	for (bool again = true; again;) {
		again = false;
		for (int i = 0; i < p->nheld; i++) {
			struct pb_replicate_wire w;
			memcpy(&w, p->held[i].data, sizeof w);
			if (p->held[i].from != from || w.prev_seq > pb_last(p))
				continue;
			struct pb_held h = p->held[i];
			p->held[i] = p->held[--p->nheld];
			struct msg m = {.from = (uint16_t)h.from,
					.to = (uint16_t)p->n->id,
					.type = PB_MSG_REPLICATE,
					.len = (uint32_t)h.len,
					.data = h.data};
			pb_on_replicate(p, &m);
			free(h.data);
			again = true;
			break;
		}
	}
}

void pb_on_replicate(struct pb *p, const struct msg *m)
{
	struct pb_replicate_wire w;
	if (m->len < sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (m->len != sizeof w + (size_t)w.n * sizeof(struct pb_entry))
		return;
	if (!accept_stream(p, m, w.epoch))
		return;
	if (w.prev_seq > pb_last(p)) {
		/* A gap: an earlier Replicate is late (jitter reorders) or lost.
		 * Hold this one to apply after it; when the window is full, ask
		 * for a resend from what this node has. */
		if (hold(p, m))
			send_ack(p, m->from, w.epoch, true, false, false, p->verified);
		else
			send_ack(p, m->from, w.epoch, true, true, false, pb_last(p));
		return;
	}
	if (w.prev_seq > 0 && pb_epoch_at(p, w.prev_seq) != w.prev_epoch) {
		send_ack(p, m->from, w.epoch, true, true, false, conflict_hint(p, w.prev_seq));
		return;
	}
	const struct pb_entry *es = (const struct pb_entry *)((const char *)m->data + sizeof w);
	for (uint32_t i = 0; i < w.n; i++) {
		struct pb_entry e;
		memcpy(&e, &es[i], sizeof e);
		if (e.seq <= pb_last(p)) {
			if (p->log[e.seq - 1].epoch == e.epoch)
				continue;
			truncate_from(p, e.seq, m->from);
		}
		if (e.seq != pb_last(p) + 1)
			break; /* cannot happen after the prev check */
		pb_append(p, &e, NULL);
	}
	drop_foreign_tail(p, w.p_last, w.epoch, m->from);
	int64_t v = w.prev_seq + w.n;
	if (pb_epoch_at(p, pb_last(p)) == w.epoch)
		v = pb_last(p); /* entries of the primary's epoch match its log */
	if (v > p->verified)
		p->verified = v;
	if (p->role == PB_DEPOSED) {
		p->role = PB_BACKUP;
		node_state(p->n, "is a Backup of n%d now, in step up to seq %lld", m->from + 1,
			   (long long)p->verified);
	}
	send_ack(p, m->from, w.epoch, true, false, false, p->verified);
	if (p->nheld)
		release_held(p, m->from);
}

void pb_on_heartbeat(struct pb *p, const struct msg *m)
{
	struct pb_heartbeat_wire h;
	if (m->len < sizeof h)
		return;
	memcpy(&h, m->data, sizeof h);
	if (m->len != sizeof h + (size_t)h.count * sizeof(int64_t))
		return;
	if (!accept_stream(p, m, h.epoch))
		return;
	for (uint32_t i = 0; i < h.count && i < SIM_MAX_NODES; i++)
		memcpy(&p->peer_seq[i], (const char *)m->data + sizeof h + i * sizeof(int64_t),
		       sizeof(int64_t));
	int64_t hint;
	if (h.last <= pb_last(p) && pb_epoch_at(p, h.last) == h.last_epoch) {
		/* Log matching: this node agrees with the primary up to h.last. */
		drop_foreign_tail(p, h.last, h.epoch, m->from);
		if (h.last > p->verified)
			p->verified = h.last;
		if (pb_epoch_at(p, pb_last(p)) == h.epoch && pb_last(p) > p->verified)
			p->verified = pb_last(p);
		hint = p->verified;
	} else {
		hint = MIN(pb_last(p), h.last);
		if (hint > p->verified && hint > 0 && pb_epoch_at(p, hint) > h.last_epoch)
			hint = conflict_hint(p, hint);
		hint = MAX(hint, p->verified);
	}
	if (p->role == PB_DEPOSED && p->verified >= h.last) {
		p->role = PB_BACKUP;
		node_state(p->n, "is a Backup of n%d now, in step up to seq %lld", m->from + 1,
			   (long long)p->verified);
	}
	send_ack(p, m->from, h.epoch, true, false, true, hint);
}

/* ---- failure detection and failover ------------------------------------- */

/* How many nodes should take over before this one: those that hold more,
 * ties broken by the lower id. Every backup ranks from the same data, the
 * primary's last Heartbeat (its own log may have grown since, and so may
 * the others'), so that they agree on who goes first. */
static int rank(const struct pb *p)
{
	int r = 0;
	int64_t mine = p->peer_seq[p->n->id];
	for (int i = 0; i < node_count(p->n); i++) {
		if (i == p->n->id || i == p->primary)
			continue;
		if (p->peer_seq[i] > mine || (p->peer_seq[i] == mine && i < p->n->id))
			r++;
	}
	return r;
}

static void broadcast_heartbeats(struct pb *p)
{
	int64_t last = pb_last(p);
	for (int f = 0; f < node_count(p->n); f++) {
		if (f == p->n->id)
			continue;
		/* Entries when there are some to send; a Heartbeat every tick
		 * regardless: it carries what each node holds, which ranks the
		 * backups for failover, and probes a follower whose entries
		 * were lost. */
		if (p->match[f] < last && p->next[f] <= last)
			send_entries(p, f);
		send_heartbeat(p, f);
	}
}

void pb_tick(struct pb *p)
{
	node_set_timer(p->n, PB_TIMER_TICK, pb_opt(p, PB_OPT_HEARTBEAT));
	if (p->role == PB_PRIMARY) {
		broadcast_heartbeats(p);
		return;
	}
	if (p->role == PB_CANDIDATE)
		return;
	sim_time silent = now_local(p) - p->last_heard;
	if (silent <= pb_opt(p, PB_OPT_TIMEOUT) || p->suspect)
		return;
	p->suspect = true;
	char tb[32];
	simtime_fmt_dur(silent / 1000 * 1000, tb, sizeof tb);
	if (p->primary >= 0)
		node_state(p->n, "suspects the primary n%d (silent for %s)", p->primary + 1, tb);
	else
		node_state(p->n, "hears no primary (for %s)", tb);
	if (pb_opt(p, PB_OPT_FAILOVER) != PB_FAILOVER_AUTO)
		return;
	int r = rank(p);
	sim_time delay = pb_opt(p, PB_OPT_HEARTBEAT) + r * pb_opt(p, PB_OPT_TIMEOUT);
	node_set_timer(p->n, PB_TIMER_PROMOTE, delay);
}

void pb_on_promote_timer(struct pb *p)
{
	if (p->role == PB_PRIMARY || p->role == PB_CANDIDATE || !p->suspect)
		return;
	if (pb_opt(p, PB_OPT_FAILOVER) != PB_FAILOVER_AUTO)
		return;
	pb_start_candidacy(p, false);
}

void pb_start_candidacy(struct pb *p, bool force)
{
	int64_t e = MAX(MAX(p->epoch, p->promised), p->seen_epoch) + 1;
	p->role = PB_CANDIDATE;
	p->cand_epoch = e;
	p->cand_force = force;
	p->promised = e;
	p->voted_for = p->n->id;
	p->votes = (struct nodeset){{0, 0}};
	nodeset_add(&p->votes, p->n->id);
	node_cancel_timer(p->n, PB_TIMER_PROMOTE);
	node_state(p->n, "asks for e%lld with its log up to seq %lld (%s)", (long long)e,
		   (long long)pb_last(p), force ? "promoted by hand" : "the primary looks dead");
	if (nodeset_count(&p->votes) >= majority(p)) {
		pb_become_primary(p, e, force ? "promoted by hand" : "failover");
		return;
	}
	struct pb_newprimary_wire w = {e, pb_last(p), pb_epoch_at(p, pb_last(p)), force, {0}};
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id)
			node_send(p->n, i, PB_MSG_NEWPRIMARY, &w, sizeof w);
	sim_time t = pb_opt(p, PB_OPT_TIMEOUT);
	node_set_timer(p->n, PB_TIMER_ELECT, t + node_rand_range(p->n, 0, t / 2));
}

void pb_on_elect_timer(struct pb *p)
{
	if (p->role != PB_CANDIDATE)
		return;
	node_state(p->n, "gets too few votes for e%lld (%d of %d)", (long long)p->cand_epoch,
		   nodeset_count(&p->votes), node_count(p->n));
	p->role = PB_BACKUP;
	if (p->cand_force) {
		p->suspect = false;
		p->last_heard = now_local(p);
		return;
	}
	/* Still suspecting: try again after a random part of a timeout, so
	 * that two candidates that split the votes do not collide again. */
	node_set_timer(p->n, PB_TIMER_PROMOTE,
		       pb_opt(p, PB_OPT_HEARTBEAT) +
			   node_rand_range(p->n, 0, pb_opt(p, PB_OPT_TIMEOUT)));
}

void pb_on_newprimary(struct pb *p, const struct msg *m)
{
	struct pb_newprimary_wire w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	if (w.epoch > p->seen_epoch)
		p->seen_epoch = w.epoch;
	bool grant = true;
	const char *why = NULL;
	bool hears =
	    p->role == PB_PRIMARY || (p->primary >= 0 && p->primary != m->from &&
				      now_local(p) - p->last_heard <= pb_opt(p, PB_OPT_TIMEOUT));
	int64_t le = pb_epoch_at(p, pb_last(p));
	if (w.epoch <= p->promised) {
		grant = false;
		why = "already promised that epoch";
	} else if (w.epoch < p->epoch) {
		grant = false; /* deposed by a newer epoch than the one asked for */
		why = "it knows a newer epoch";
	} else if (!w.force && hears) {
		grant = false;
		why = p->role == PB_PRIMARY ? "it is the primary" : "it still hears the primary";
	} else if (!w.force && (w.last_epoch < le || (w.last_epoch == le && w.last < pb_last(p)))) {
		grant = false;
		why = "it holds more data";
	}
	if (grant) {
		p->promised = w.epoch;
		p->voted_for = m->from;
		if (p->role == PB_PRIMARY) {
			deposed(p, w.epoch, m->from);
		} else {
			if (p->role == PB_CANDIDATE) {
				node_cancel_timer(p->n, PB_TIMER_ELECT);
				p->role = PB_BACKUP;
			}
			/* Fencing: from now on the older epoch's stream is refused.
			 * The candidate is not primary yet: no hint to clients. */
			p->primary = -1;
			p->last_heard = now_local(p);
			p->suspect = false;
			node_cancel_timer(p->n, PB_TIMER_PROMOTE);
		}
		node_state(p->n, "votes for n%d in e%lld", m->from + 1, (long long)w.epoch);
	} else {
		node_state(p->n, "refuses n%d e%lld: %s", m->from + 1, (long long)w.epoch, why);
	}
	struct pb_vote_wire v = {grant ? w.epoch : p->promised, grant, {0}};
	node_send(p->n, m->from, PB_MSG_VOTE, &v, sizeof v);
}

void pb_on_vote(struct pb *p, const struct msg *m)
{
	struct pb_vote_wire v;
	if (m->len != sizeof v)
		return;
	memcpy(&v, m->data, sizeof v);
	if (v.epoch > p->seen_epoch)
		p->seen_epoch = v.epoch;
	if (p->role != PB_CANDIDATE || !v.granted || v.epoch != p->cand_epoch)
		return;
	nodeset_add(&p->votes, m->from);
	if (nodeset_count(&p->votes) >= majority(p))
		pb_become_primary(p, p->cand_epoch,
				  p->cand_force ? "promoted by hand" : "failover");
}

/* ---- the log ------------------------------------------------------------- */

void pb_append(struct pb *p, const struct pb_entry *e, struct kv_result *res)
{
	xgrow((void **)&p->log, &p->logcap, (size_t)p->nlog + 1, sizeof *p->log);
	p->log[p->nlog++] = *e;
	pb_kv_apply(&p->kv, e, res);
}

void pb_replay(struct pb *p)
{
	pb_kv_clear(&p->kv);
	for (int64_t i = 0; i < p->nlog; i++)
		pb_kv_apply(&p->kv, &p->log[i], NULL);
}

/*
 * spanner.c — Spanner's timestamps and commit wait (Corbett et al., OSDI
 * 2012, sections 3 and 4.1) over a sharded key-value store, with the
 * standard key-value clients, so that the linearizability checker judges
 * what TrueTime and commit wait buy: external consistency.
 *
 * The store. Keys are sharded: each key belongs to one group, whose leader
 * is node FNV-1a(key) mod N (spanner_leader_of; the same on every node,
 * fixed for the run, shown in each node's pane). Every group is a replica
 * group of all N nodes (2.1: "a Paxos state machine ... writes must
 * initiate the Paxos protocol at the leader"): the leader keeps a
 * multi-version store, every write installs a version (key, value, s),
 * and sends it to every other node (Accept; AcceptOk once the replica
 * holds it). A version is committed once a majority of the N nodes, the
 * leader included, hold it; unacknowledged Accepts are sent again every
 * SP_RESEND, so a replica cut off or down catches up once it is back. The
 * replicas keep the versions (stable; shown in their pane) although no
 * replica ever serves from them: leaders are fixed.
 *
 * Leases (4.1.1): "a potential leader sends requests for timed lease
 * votes; upon receiving a quorum of lease votes the leader knows it has a
 * lease." Every node (each leads the keys that hash to it) asks every
 * node for a vote every lease/4 (LeaseAsk, carrying its local time t);
 * a node grants by answering (LeaseOk); once a majority, itself included,
 * granted round t, the lease runs until local time t + lease. A leader
 * without a valid lease refuses new writes and reads (REPLY_UNAVAILABLE:
 * certainly not done), as etcd's leader does once CheckQuorum made it step
 * down in a minority (proposals dropped, ReadIndex reads failed): the
 * client learns at once rather than at its deadline, and tries elsewhere.
 * Within the lease's remainder, a leader cut off in a minority still
 * takes a write, which cannot reach a majority: its client times out
 * (outcome unknown), and the write is committed after the heal. Leaders
 * are fixed, so no vote can go to a rival and disjointness (4.1.1: "for
 * each Paxos group, each Paxos leader's lease interval is disjoint from
 * every other leader's") holds trivially.
 *
 * TrueTime (section 3): TT.now() = [pt - epsilon, pt + epsilon] where pt is
 * the node's local clock (node_local_now: the simulator's skew and drift).
 * "TT.now() returns a TTinterval that is guaranteed to contain the absolute
 * time during which TT.now() was invoked" — guaranteed here only while the
 * clock errs by at most epsilon, an assumption `clock n1 skew 20ms` breaks.
 *
 * The rules, at the key's leader L:
 *   - Write (4.1.2, "Start"): "the coordinator leader for a write Ti
 *     assigns a commit timestamp si no less than the value of
 *     TT.now().latest". Monotonicity (4.1.2): "Spanner assigns timestamps
 *     to Paxos writes in monotonically increasing order", so
 *     s = max(TT.now().latest, floor + 1), where floor is the largest
 *     timestamp L has assigned or served a read at (stable storage: a clock
 *     set back, or a restart, cannot make s go back). The version is
 *     installed at once. A cas or append reads the newest version (writes
 *     to a key are serialized at its leader) and installs its result; a
 *     cas whose compare fails installs nothing but takes a timestamp and
 *     waits like a write: its answer observed the newest version, which may
 *     itself be in its commit wait.
 *   - Commit wait (4.1.2): "The coordinator leader ensures that clients
 *     cannot see any data committed by Ti until TT.after(si) is true."
 *     With `commitwait=on` the write is acknowledged only once
 *     TT.after(s) = TT.now().earliest > s holds at L (a timer; about
 *     2 epsilon after s was taken) and a majority holds it: "commit wait
 *     is overlapped with Paxos communication" (4.1.2), so the answer comes
 *     at the later of the two; with `commitwait=off` once the majority
 *     holds it. A failed cas waits for the version it observed.
 *   - Read (4.1.4): the coordinator C that took the client's request picks
 *     "s_read = TT.now().latest" and asks L for the key at s_read. Serving
 *     reads at a timestamp (4.1.3): "A replica can satisfy a read at a
 *     timestamp t if t <= t_safe". L is safe at s_read when every write it
 *     will ever give a timestamp <= s_read is installed and visible: its own
 *     TT.now().latest >= s_read (later writes get s >= latest, and L then
 *     raises floor to s_read, so they get s > s_read however its clock
 *     moves), and, with commit wait on, the newest version <= s_read has
 *     passed its commit wait (TT.after(its s)) — a waiting version is not
 *     readable, as the paper says — and is committed by a majority
 *     (t_Paxos_safe: "the timestamp of the highest-applied Paxos write").
 *     Until then the read waits (a timer, or the commit); it is refused if
 *     L's lease has run out meanwhile.
 *     It answers the newest version with s <= s_read.
 *
 * Why waiting versions stay unreadable: a read R1 that saw a version of
 * timestamp s still in its wait could finish before true time reaches s;
 * a read R2 that begins after R1 ends, through a coordinator whose clock
 * is behind, may pick s_read < s and miss what R1 saw — not linearizable.
 * Once TT.after(s) held at L, true time is past s, and so is every later
 * s_read.
 *
 * The argument (external consistency, 4.1.2). With commit wait and clock
 * errors within epsilon, an acknowledged write has s < the true time of
 * its acknowledgement (TT.after(s) held then). A read that begins later
 * picks s_read = TT.now().latest >= true time > s, so L serves it a
 * version at least as new. Writes on a key are ordered by s, which
 * increases at L; a read is ordered at s_read. So each operation can be
 * placed at its timestamp, inside its own real-time interval as far as
 * the order of operations goes, and the history is linearizable. Without
 * commit wait, a leader whose clock is ahead acknowledges a write whose s
 * is in the future (by up to 2 epsilon); a read that begins right after
 * the acknowledgement, through a coordinator whose clock is behind, picks
 * s_read < s and misses it: a stale read (tests/scenarios/
 * spanner_no_commit_wait.ns: epsilon 7ms, n1 at +6ms, n2 at -6ms, links
 * of 1ms: the majority round trip must be shorter than the 2 epsilon the
 * clocks may disagree by). With
 * commit wait but a clock off by more than epsilon the same happens
 * (spanner_error_beyond_epsilon.ns).
 *
 * Availability: any node coordinates a request, forwarding it to the key's
 * leader and answering the client when the answer returns. A leader down
 * or cut off from the coordinator means no answer: the attempt times out
 * and the outcome is unknown. A leader in a minority refuses once its
 * lease has run out; the majority's side cannot serve its keys either
 * (their leader is on the other side): CP, issue 20's "a minority replica
 * cannot serve strong reads or writes".
 *
 * Simplified: leaders are fixed and there is no failover (a key whose
 * leader is down is unavailable until it restarts, although a majority
 * holds its versions); replication is Paxos's steady state under a
 * leader that never changes (no ballots: an Accept is a version and its
 * timestamp, a replica takes it as it comes);
 * every transaction touches one key (no two-phase commit across groups,
 * no locks: writes to a key serialize at its leader); reads of one key are
 * read-only transactions at s_read = TT.now().latest, without the
 * single-group optimisation (LastTS) of 4.1.4; the map of keys to groups
 * is a hash, not directories and movedir.
 *
 * Stable storage: the versions, floor, the client sessions (exactly-once
 * retries, as in raft's §8: a client's last sequence number, its answer
 * and its timestamp) and the record for the checker (spanner.h).
 * The replicas' copies and, at a leader, which nodes hold each version.
 * Volatile: the lease and the votes asked for (a restarted node asks
 * again), the writes in their commit wait and the reads waiting to be
 * safe; a crash drops them, their clients time out and retry, and a retry
 * of a write already installed is answered from its session once its
 * commit wait is over.
 */
#include "proto/spanner.h"

#include "proto/proto.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SP_OPT_EPSILON, SP_OPT_COMMITWAIT, SP_OPT_LEASE };
enum { SP_TIMER_WAIT, SP_TIMER_LEASE, SP_TIMER_RESEND };
enum {
	SP_MSG_WRITE,
	SP_MSG_WRITE_OK,
	SP_MSG_READ,
	SP_MSG_READ_OK,
	SP_MSG_ACCEPT,
	SP_MSG_ACCEPT_OK,
	SP_MSG_LEASE,
	SP_MSG_LEASE_OK,
};
enum { WAIT_ACK, WAIT_READ };

/* How often a leader sends a write again to the nodes that have not
 * acknowledged it (a healed partition catches up within this). */
#define SP_RESEND (100 * SIM_MS)
/* The lease votes a leader waits for at once (renewals are lease/4 apart:
 * an answer older than 4 renewals is past its lease anyway). */
#define SP_ASKS 4

static const struct proto_option sp_options[] = {
    {"epsilon", OPT_DURATION, "7ms", NULL, 0, 60 * SIM_S,
     N_("TrueTime uncertainty: TT.now() is [clock - epsilon, clock + epsilon]"), true},
    {"commitwait", OPT_BOOL, "on", NULL, 0, 0,
     N_("a write is acknowledged only once TT.after(its timestamp) holds at its leader"), true},
    {"lease", OPT_DURATION, "2s", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("a leader's lease, from a majority's votes: without one it refuses reads and writes"),
     true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind sp_msgs[] = {
    {"Write", 'w', false},    {"WriteOk", 'W', true}, {"Read", 'r', false},
    {"ReadOk", 'R', true},    {"Accept", 'a', false}, {"AcceptOk", 'A', true},
    {"LeaseAsk", 'l', false}, {"LeaseOk", 'L', true},
};

/* Within the safe envelope only: commit wait on (the default), epsilon
 * from tight to wide; the fuzzer keeps clock errors within epsilon
 * (check/caps.c). */
static const struct proto_vary sp_vary[] = {
    {"epsilon", "1ms|7ms|30ms|100ms"},
    {"lease", "300ms|2s"},
    {NULL, NULL},
};

/* One message, both ways: the client's request as the coordinator got it
 * (so the coordinator keeps no state), its incarnation (an answer that
 * comes back after it restarted is dropped, as a real connection would
 * be), the timestamps and the answer. */
struct sp_wire {
	struct client_req req;
	uint32_t inc;
	uint32_t pad;
	sim_time ts;  /* Read: s_read; WriteOk: s; ReadOk: s_read */
	sim_time vts; /* ReadOk: the version's s, SIM_NEVER: none */
	struct client_reply rep;
};

/* Accept (leader to replica) and AcceptOk (the replica holds it). */
struct sp_accept {
	char key[KV_KEY_MAX];
	char val[KV_VAL_MAX];
	sim_time s;
};

/* LeaseAsk (leader to every node) and LeaseOk (the vote). */
struct sp_lease {
	uint32_t id;
	uint32_t pad;
	sim_time sent; /* the leader's clock when it asked */
};

struct sp_version {
	char key[KV_KEY_MAX];
	char val[KV_VAL_MAX];
	sim_time s;
	int leader;          /* a replica's copy: whose write */
	bool committed;      /* at the leader: a majority holds it */
	struct nodeset held; /* at the leader: who holds it (itself included) */
};

struct sp_session {
	uint64_t seq; /* 0: none yet */
	sim_time s;   /* the timestamp that write took */
	struct client_reply rep;
};

/* A write in its commit wait (the answer is ready) or a read waiting to be
 * safe at s. */
struct sp_wait {
	uint8_t kind;
	int coord; /* the coordinator; this node when it coordinated */
	uint32_t inc;
	struct client_req req;
	sim_time s;
	sim_time since; /* true time it began waiting (views) */
};

/* One round of lease votes this leader asked for. */
struct sp_ask {
	uint32_t id; /* 0: none */
	sim_time sent;
	struct nodeset granted; /* itself included */
};

struct span {
	struct node *n;
	const struct proto_opts *o;
	/* stable */
	struct sp_version *ver; /* in timestamp order (s strictly increases) */
	size_t nver, capver;
	size_t synced;          /* ver[0..synced) are held by every node */
	struct sp_version *rep; /* the other leaders' writes this node holds */
	size_t nrep, caprep;
	sim_time floor; /* the largest timestamp assigned or read at */
	struct sp_session *sess;
	size_t nsess;
	uint32_t ask_id; /* the last lease round asked for */
	struct span_ghost *gh;
	uint32_t ngh;
	size_t capgh;
	/* volatile */
	struct sp_wait *wait;
	size_t nwait, capwait;
	struct sp_ask ask[SP_ASKS];
	sim_time lease_end; /* local time; INT64_MIN: no lease */
};

static const struct proto_ops *sp_self_ops(void);

static sim_time eps(const struct span *k)
{
	return k->o->v[SP_OPT_EPSILON].i;
}

static bool cw(const struct span *k)
{
	return k->o->v[SP_OPT_COMMITWAIT].i != 0;
}

static sim_time lease_len(const struct span *k)
{
	return k->o->v[SP_OPT_LEASE].i;
}

static int majority(const struct span *k)
{
	return node_count(k->n) / 2 + 1;
}

/* Section 3: TT.now() = [earliest, latest]. */
static void tt_now(const struct span *k, sim_time *earliest, sim_time *latest)
{
	sim_time pt = node_local_now(k->n);
	*earliest = pt - eps(k);
	*latest = pt + eps(k);
}

int spanner_leader_of(const char *key, int n)
{
	uint32_t h = 2166136261u; /* FNV-1a, 32 bits */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return n > 0 ? (int)(h % (uint32_t)n) : 0;
}

static struct span_ghost *ghost(struct span *k, enum span_ghost_kind kind, const char *key,
				sim_time s, sim_time vts, bool installed)
{
	xgrow((void **)&k->gh, &k->capgh, (size_t)k->ngh + 1, sizeof *k->gh);
	struct span_ghost *g = &k->gh[k->ngh++];
	memset(g, 0, sizeof *g);
	g->kind = (uint8_t)kind;
	g->installed = installed;
	g->commit_wait = cw(k);
	g->peer = -1;
	ns_strlcpy(g->key, key, sizeof g->key);
	g->s = s;
	g->vts = vts;
	g->true_at = node_trace_time(k->n);
	tt_now(k, &g->earliest, &g->latest);
	return g;
}

/* The newest version of key with s <= upto, or NULL. */
static const struct sp_version *newest(const struct span *k, const char *key, sim_time upto)
{
	for (size_t i = k->nver; i > 0; i--)
		if (k->ver[i - 1].s <= upto && !strcmp(k->ver[i - 1].key, key))
			return &k->ver[i - 1];
	return NULL;
}

/* Is the newest version of key at or below upto held by a majority
 * (true when there is none)? */
static bool committed_upto(const struct span *k, const char *key, sim_time upto)
{
	const struct sp_version *v = newest(k, key, upto);
	return !v || v->committed;
}

static struct sp_session *session(struct span *k, int client)
{
	if (client < 0)
		return NULL;
	if ((size_t)client >= k->nsess) {
		size_t n = (size_t)client + 1;
		k->sess = xrealloc(k->sess, n * sizeof *k->sess);
		memset(k->sess + k->nsess, 0, (n - k->nsess) * sizeof *k->sess);
		k->nsess = n;
	}
	return &k->sess[client];
}

/* Answers a request, at this node (it coordinated) or through its
 * coordinator. */
static void answer(struct span *k, int coord, uint32_t inc, const struct client_req *req, int type,
		   sim_time ts, sim_time vts, const struct client_reply *rep)
{
	if (coord == k->n->id) {
		node_reply(k->n, req, rep);
		return;
	}
	struct sp_wire w;
	memset(&w, 0, sizeof w);
	w.req = *req;
	w.inc = inc;
	w.ts = ts;
	w.vts = vts;
	w.rep = *rep;
	node_send(k->n, coord, type, &w, sizeof w);
}

/* ---- leases (4.1.1) --------------------------------------------------------------- */

/* 4.1.1: "upon receiving a quorum of lease votes the leader knows it has a
 * lease". Valid while this node's clock is below the end of the lease. */
static bool has_lease(const struct span *k)
{
	return node_local_now(k->n) < k->lease_end;
}

/* Refuses a request this leader cannot serve: certainly not done. etcd's
 * leader cut off in a minority does the same once CheckQuorum has made it
 * step down (its proposals are dropped, its ReadIndex reads fail): the
 * client learns at once instead of waiting for its deadline. */
static void refuse(struct span *k, int coord, uint32_t inc, const struct client_req *req)
{
	struct client_reply rep = {.status = REPLY_UNAVAILABLE, .leader_hint = -1};
	ns_strlcpy(rep.why, "no lease: a majority is out of reach", sizeof rep.why);
	node_state(k->n, "refuses %s %s of c%d: no lease", kv_fn_name(req->op.fn), req->op.key,
		   req->client);
	answer(k, coord, inc, req, req->op.fn == KV_GET ? SP_MSG_READ_OK : SP_MSG_WRITE_OK,
	       SIM_NEVER, SIM_NEVER, &rep);
}

/* The grant of a vote for round a: once a majority (this node included)
 * granted, the lease runs until the local time it asked, plus the lease
 * ("a potential leader sends requests for timed lease votes", 4.1.1). */
static void lease_granted(struct span *k, struct sp_ask *a, int from)
{
	nodeset_add(&a->granted, from);
	if (nodeset_count(&a->granted) < majority(k) || a->sent + lease_len(k) <= k->lease_end)
		return;
	bool had = has_lease(k);
	k->lease_end = a->sent + lease_len(k);
	if (!had) {
		char tb[32];
		node_state(k->n, "holds a lease until %s",
			   simtime_fmt(k->lease_end, tb, sizeof tb));
	}
}

static void waits_drop_reads(struct span *k);

/* Every lease/4: ask every node for a vote. Every node leads the keys
 * that hash to it, so every node asks. */
static void lease_tick(struct span *k)
{
	if (!has_lease(k))
		waits_drop_reads(k);
	struct sp_ask *a = &k->ask[++k->ask_id % SP_ASKS];
	memset(a, 0, sizeof *a);
	a->id = k->ask_id;
	a->sent = node_local_now(k->n);
	struct span_ghost *g = ghost(k, SPG_ASK, "", a->sent, lease_len(k), false);
	g->id = a->id;
	struct sp_lease l = {.id = a->id, .sent = a->sent};
	for (int i = 0; i < node_count(k->n); i++)
		if (i != k->n->id)
			node_send(k->n, i, SP_MSG_LEASE, &l, sizeof l);
	lease_granted(k, a, k->n->id);
	sim_time every = lease_len(k) / 4;
	node_set_timer(k->n, SP_TIMER_LEASE, every > 0 ? every : 1);
}

/* ---- replication (2.1, 4.1.2) ---------------------------------------------------- */

static void send_accept(struct span *k, const struct sp_version *v, int to)
{
	struct sp_accept a;
	memset(&a, 0, sizeof a);
	ns_strlcpy(a.key, v->key, sizeof a.key);
	ns_strlcpy(a.val, v->val, sizeof a.val);
	a.s = v->s;
	node_send(k->n, to, SP_MSG_ACCEPT, &a, sizeof a);
}

/* Sends every write not yet held everywhere to the nodes missing it. */
static void resend(struct span *k)
{
	int n = node_count(k->n);
	while (k->synced < k->nver && nodeset_count(&k->ver[k->synced].held) >= n)
		k->synced++;
	for (size_t i = k->synced; i < k->nver; i++)
		for (int j = 0; j < n; j++)
			if (!nodeset_has(&k->ver[i].held, j))
				send_accept(k, &k->ver[i], j);
	if (k->synced < k->nver)
		node_set_timer(k->n, SP_TIMER_RESEND, SP_RESEND);
	else
		node_cancel_timer(k->n, SP_TIMER_RESEND);
}

static void check_waits(struct span *k);

/* Node `from` holds version v: committed once a majority does. */
static void held(struct span *k, struct sp_version *v, int from)
{
	nodeset_add(&v->held, from);
	if (v->committed || nodeset_count(&v->held) < majority(k))
		return;
	v->committed = true;
	char tb[32];
	node_state(k->n, "commits %s at s=%s: a majority holds it", v->key,
		   simtime_fmt(v->s, tb, sizeof tb));
	check_waits(k);
}

/* A replica stores the leader's version (key, s), once. */
static void replica_accept(struct span *k, int leader, const struct sp_accept *a)
{
	for (size_t i = k->nrep; i > 0; i--)
		if (k->rep[i - 1].s == a->s && k->rep[i - 1].leader == leader &&
		    !strcmp(k->rep[i - 1].key, a->key))
			return;
	xgrow((void **)&k->rep, &k->caprep, k->nrep + 1, sizeof *k->rep);
	struct sp_version *v = &k->rep[k->nrep++];
	memset(v, 0, sizeof *v);
	ns_strlcpy(v->key, a->key, sizeof v->key);
	ns_strlcpy(v->val, a->val, sizeof v->val);
	v->s = a->s;
	v->leader = leader;
	struct span_ghost *g = ghost(k, SPG_ACCEPT, a->key, a->s, SIM_NEVER, true);
	g->peer = leader;
}

/* ---- waiting ------------------------------------------------------------------ */

/* The local time from which wait w can end, once the version it depends on
 * is committed: a write once TT.after(s), pt - eps > s; a read once latest
 * >= s_read and the newest version at or below it is past its own commit
 * wait. */
static sim_time due(const struct span *k, const struct sp_wait *w)
{
	if (w->kind == WAIT_ACK)
		return cw(k) ? w->s + eps(k) + 1 : INT64_MIN;
	sim_time d = w->s - eps(k);
	const struct sp_version *v = cw(k) ? newest(k, w->req.op.key, w->s) : NULL;
	if (v)
		d = MAX(d, v->s + eps(k) + 1);
	return d;
}

/* 4.1.3, t_safe: "t_Paxos_safe is the timestamp of the highest-applied
 * Paxos write": a write, and a read above it, wait for the newest version
 * at or below their timestamp to be committed by a majority. */
static bool ready(const struct span *k, const struct sp_wait *w)
{
	return committed_upto(k, w->req.op.key, w->s) && node_local_now(k->n) >= due(k, w);
}

static void arm(struct span *k)
{
	sim_time d = INT64_MAX, pt = node_local_now(k->n);
	for (size_t i = 0; i < k->nwait; i++)
		if (committed_upto(k, k->wait[i].req.op.key, k->wait[i].s))
			d = MIN(d, due(k, &k->wait[i]));
	if (d == INT64_MAX) {
		node_cancel_timer(k->n, SP_TIMER_WAIT);
		return;
	}
	node_set_timer(k->n, SP_TIMER_WAIT, d <= pt ? 0 : d - pt);
}

static void push_wait(struct span *k, int kind, int coord, uint32_t inc,
		      const struct client_req *req, sim_time s)
{
	/* One waiting write per client: a newer attempt replaces the older
	 * (clients are sequential; the reply goes to the latest attempt). */
	struct sp_wait *w = NULL;
	for (size_t i = 0; kind == WAIT_ACK && i < k->nwait && !w; i++)
		if (k->wait[i].kind == WAIT_ACK && k->wait[i].req.client == req->client)
			w = &k->wait[i];
	if (!w) {
		xgrow((void **)&k->wait, &k->capwait, k->nwait + 1, sizeof *k->wait);
		w = &k->wait[k->nwait++];
	}
	*w = (struct sp_wait){.kind = (uint8_t)kind,
			      .coord = coord,
			      .inc = inc,
			      .req = *req,
			      .s = s,
			      .since = node_trace_time(k->n)};
	arm(k);
}

/* The lease ran out: the reads waiting here are refused (a read changes
 * nothing, so a refusal is the truth); the writes wait on for their
 * majority, as etcd's uncommitted proposals do. */
static void waits_drop_reads(struct span *k)
{
	size_t j = 0;
	for (size_t i = 0; i < k->nwait; i++) {
		struct sp_wait w = k->wait[i];
		if (w.kind == WAIT_READ)
			refuse(k, w.coord, w.inc, &w.req);
		else
			k->wait[j++] = w;
	}
	if (j != k->nwait) {
		k->nwait = j;
		arm(k);
	}
}

/* ---- the leader ------------------------------------------------------------------ */

static void ack(struct span *k, int coord, uint32_t inc, const struct client_req *req)
{
	const struct sp_session *ss = session(k, req->client);
	ghost(k, SPG_ACK, req->op.key, ss->s, SIM_NEVER, false);
	char tb[32];
	node_state(k->n, "acknowledges %s of c%d at s=%s", kv_fn_name(req->op.fn), req->client,
		   simtime_fmt(ss->s, tb, sizeof tb));
	answer(k, coord, inc, req, SP_MSG_WRITE_OK, ss->s, SIM_NEVER, &ss->rep);
}

/* Executes one write at the key's leader, or answers a retry of one. */
static void lead_write(struct span *k, int coord, uint32_t inc, const struct client_req *req)
{
	struct sp_session *ss = session(k, req->client);
	if (!ss || ss->seq > req->seq)
		return; /* an old attempt: its client has moved on */
	if (ss->seq < req->seq) {
		/* 4.1.1: a leader serves only while it holds a lease. A retry
		 * of a write already decided (below) needs none: it waits for
		 * the answer decided then. */
		if (!has_lease(k)) {
			refuse(k, coord, inc, req);
			return;
		}
		const struct kv_op *op = &req->op;
		const struct sp_version *cur = newest(k, op->key, INT64_MAX);
		struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
		char val[KV_VAL_MAX];
		bool install = true;
		switch (op->fn) {
		case KV_APPEND:
			ns_strlcpy(val, cur ? cur->val : "", sizeof val);
			ns_strlcpy(val + strlen(val), op->arg, sizeof val - strlen(val));
			break;
		case KV_CAS:
			if (cur && !strcmp(cur->val, op->arg)) {
				ns_strlcpy(val, op->arg2, sizeof val);
				break;
			}
			install = false;
			rep.status = REPLY_CAS_FALSE;
			if (cur)
				ns_snprintf(rep.why, sizeof rep.why, "cas: %s is %s, not %s",
					    op->key, cur->val, op->arg);
			else
				ns_snprintf(rep.why, sizeof rep.why, "cas: %s is unset", op->key);
			break;
		default: ns_strlcpy(val, op->arg, sizeof val); break;
		}
		sim_time earliest, latest;
		tt_now(k, &earliest, &latest);
		/* 4.1.2: s no less than TT.now().latest, and monotonically
		 * increasing at this leader (above every read it served). */
		sim_time s = MAX(latest, k->floor + 1);
		k->floor = s;
		ghost(k, SPG_WRITE, op->key, s, SIM_NEVER, install);
		ss->seq = req->seq;
		ss->s = s;
		ss->rep = rep;
		char tb[32];
		node_state(k->n, "assigns s=%s to %s %s of c%d", simtime_fmt(s, tb, sizeof tb),
			   kv_fn_name(op->fn), op->key, req->client);
		if (install) {
			/* 2.1: "writes must initiate the Paxos protocol at the
			 * leader": the version goes to every replica, and counts
			 * once a majority holds it. */
			xgrow((void **)&k->ver, &k->capver, k->nver + 1, sizeof *k->ver);
			struct sp_version *v = &k->ver[k->nver++];
			memset(v, 0, sizeof *v);
			ns_strlcpy(v->key, op->key, sizeof v->key);
			ns_strlcpy(v->val, val, sizeof v->val);
			v->s = s;
			v->leader = k->n->id;
			for (int j = 0; j < node_count(k->n); j++)
				if (j != k->n->id)
					send_accept(k, v, j);
			sim_time armed, fires;
			if (!node_timer_span(k->n, SP_TIMER_RESEND, &armed, &fires))
				node_set_timer(k->n, SP_TIMER_RESEND, SP_RESEND);
			held(k, v, k->n->id);
		}
	}
	/* 4.1.2, commit wait, "overlapped with Paxos communication":
	 * acknowledged once TT.after(s) and once a majority holds the write
	 * (a failed cas: the version it observed). */
	struct sp_wait w = {.kind = WAIT_ACK, .req = *req, .s = ss->s};
	if (ready(k, &w))
		ack(k, coord, inc, req);
	else
		push_wait(k, WAIT_ACK, coord, inc, req, ss->s);
}

static void serve_read(struct span *k, int coord, uint32_t inc, const struct client_req *req,
		       sim_time s_read)
{
	if (!has_lease(k)) {
		refuse(k, coord, inc, req);
		return;
	}
	const struct sp_version *v = newest(k, req->op.key, s_read);
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	if (v) {
		rep.found = true;
		ns_strlcpy(rep.value, v->val, sizeof rep.value);
	}
	/* Every later write must take a timestamp above this read's. */
	k->floor = MAX(k->floor, s_read);
	sim_time vts = v ? v->s : SIM_NEVER;
	ghost(k, SPG_READ, req->op.key, s_read, vts, false);
	answer(k, coord, inc, req, SP_MSG_READ_OK, s_read, vts, &rep);
}

/* 4.1.3: serves a read at s_read once it is safe, or waits; 4.1.1: only
 * with a lease. */
static void lead_read(struct span *k, int coord, uint32_t inc, const struct client_req *req,
		      sim_time s_read)
{
	if (!has_lease(k)) {
		refuse(k, coord, inc, req);
		return;
	}
	struct sp_wait w = {.kind = WAIT_READ, .req = *req, .s = s_read};
	if (ready(k, &w))
		serve_read(k, coord, inc, req, s_read);
	else
		push_wait(k, WAIT_READ, coord, inc, req, s_read);
}

static void check_waits(struct span *k)
{
	for (size_t i = 0; i < k->nwait;) {
		if (!ready(k, &k->wait[i])) {
			i++;
			continue;
		}
		struct sp_wait w = k->wait[i];
		memmove(&k->wait[i], &k->wait[i + 1], (k->nwait - i - 1) * sizeof *k->wait);
		k->nwait--;
		if (w.kind == WAIT_ACK)
			ack(k, w.coord, w.inc, &w.req);
		else
			serve_read(k, w.coord, w.inc, &w.req, w.s);
	}
	arm(k);
}

/* ---- node callbacks -------------------------------------------------------------- */

static void *sp_create(struct node *n, const void *config)
{
	struct span *k = xcalloc(1, sizeof *k);
	k->n = n;
	k->o = config;
	k->floor = INT64_MIN / 2; /* below every clock reading */
	k->lease_end = INT64_MIN;
	node_set_timer(n, SP_TIMER_LEASE, 0);
	return k;
}

static void sp_destroy(void *self)
{
	struct span *k = self;
	if (!k)
		return;
	free(k->ver);
	free(k->rep);
	free(k->sess);
	free(k->gh);
	free(k->wait);
	free(k);
}

static void sp_on_client(void *self, const struct client_req *req)
{
	struct span *k = self;
	int me = k->n->id, leader = spanner_leader_of(req->op.key, node_count(k->n));
	struct sp_wire w;
	memset(&w, 0, sizeof w);
	w.req = *req;
	w.inc = k->n->incarnation;
	if (req->op.fn == KV_GET) {
		/* 4.1.4: "s_read = TT.now().latest", at the coordinator. */
		sim_time earliest, latest;
		tt_now(k, &earliest, &latest);
		ghost(k, SPG_STAMP, req->op.key, latest, SIM_NEVER, false);
		if (leader == me) {
			lead_read(k, me, w.inc, req, latest);
			return;
		}
		w.ts = latest;
		node_send(k->n, leader, SP_MSG_READ, &w, sizeof w);
		return;
	}
	if (req->op.fn == KV_SYNC)
		return; /* not offered (kv_sync is false) */
	if (leader == me)
		lead_write(k, me, w.inc, req);
	else
		node_send(k->n, leader, SP_MSG_WRITE, &w, sizeof w);
}

static bool decode(const struct msg *m, struct sp_wire *w)
{
	if (m->len != sizeof *w)
		return false;
	memcpy(w, m->data, sizeof *w);
	w->req.op.key[KV_KEY_MAX - 1] = '\0';
	w->req.op.arg[KV_VAL_MAX - 1] = '\0';
	w->req.op.arg2[KV_VAL_MAX - 1] = '\0';
	w->rep.value[KV_VAL_MAX - 1] = '\0';
	w->rep.why[sizeof w->rep.why - 1] = '\0';
	return true;
}

static bool decode_accept(const struct msg *m, struct sp_accept *a)
{
	if (m->len != sizeof *a)
		return false;
	memcpy(a, m->data, sizeof *a);
	a->key[KV_KEY_MAX - 1] = '\0';
	a->val[KV_VAL_MAX - 1] = '\0';
	return true;
}

static bool decode_lease(const struct msg *m, struct sp_lease *l)
{
	if (m->len != sizeof *l)
		return false;
	memcpy(l, m->data, sizeof *l);
	return true;
}

static void on_replication(struct span *k, const struct msg *m)
{
	struct sp_accept a;
	struct sp_lease l;
	switch (m->type) {
	case SP_MSG_ACCEPT:
		if (!decode_accept(m, &a) || spanner_leader_of(a.key, node_count(k->n)) != m->from)
			return;
		replica_accept(k, m->from, &a);
		ns_strlcpy(a.val, "", sizeof a.val);
		node_send(k->n, m->from, SP_MSG_ACCEPT_OK, &a, sizeof a);
		break;
	case SP_MSG_ACCEPT_OK:
		if (!decode_accept(m, &a))
			return;
		for (size_t i = k->nver; i > k->synced; i--)
			if (k->ver[i - 1].s == a.s && !strcmp(k->ver[i - 1].key, a.key)) {
				held(k, &k->ver[i - 1], m->from);
				break;
			}
		break;
	case SP_MSG_LEASE: {
		/* 4.1.1: a node grants a lease vote by answering. Leaders are
		 * fixed, so no vote can go to a rival: disjointness holds. */
		if (!decode_lease(m, &l))
			return;
		struct span_ghost *g = ghost(k, SPG_GRANT, "", l.sent, SIM_NEVER, false);
		g->peer = m->from;
		g->id = l.id;
		node_send(k->n, m->from, SP_MSG_LEASE_OK, &l, sizeof l);
		break;
	}
	default: /* SP_MSG_LEASE_OK */
		if (!decode_lease(m, &l))
			return;
		if (k->ask[l.id % SP_ASKS].id == l.id && l.id)
			lease_granted(k, &k->ask[l.id % SP_ASKS], m->from);
	}
}

static void sp_on_message(void *self, const struct msg *m)
{
	struct span *k = self;
	if (m->type >= SP_MSG_ACCEPT) {
		on_replication(k, m);
		return;
	}
	struct sp_wire w;
	if (!decode(m, &w))
		return;
	switch (m->type) {
	case SP_MSG_WRITE:
	case SP_MSG_READ:
		if (spanner_leader_of(w.req.op.key, node_count(k->n)) != k->n->id)
			return; /* not this group's: never sent so */
		if (m->type == SP_MSG_WRITE)
			lead_write(k, m->from, w.inc, &w.req);
		else
			lead_read(k, m->from, w.inc, &w.req, w.ts);
		break;
	default:
		/* An answer for a client of this node: only if this node has
		 * not restarted since it took the request. */
		if (w.inc == k->n->incarnation)
			node_reply(k->n, &w.req, &w.rep);
	}
}

static void sp_on_timer(void *self, int timer)
{
	struct span *k = self;
	if (timer == SP_TIMER_LEASE)
		lease_tick(k);
	else if (timer == SP_TIMER_RESEND)
		resend(k);
	else
		check_waits(k);
}

static void sp_on_crash(void *self)
{
	struct span *k = self;
	k->nwait = 0; /* the waiting answers are lost; the versions are not */
	memset(k->ask, 0, sizeof k->ask);
	k->lease_end = INT64_MIN; /* volatile: asked for again */
}

static void sp_on_restart(void *self)
{
	struct span *k = self;
	node_set_timer(k->n, SP_TIMER_LEASE, 0);
	if (k->synced < k->nver)
		node_set_timer(k->n, SP_TIMER_RESEND, 0);
}

static void sp_option_changed(void *self, int o)
{
	struct span *k = self;
	(void)o;
	if (k->n->up)
		check_waits(k);
}

/* ---- views ------------------------------------------------------------------------ */

static void sp_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, N_("Spanserver"), -1, -1, -1};
}

static void fmt_ts(sim_time t, struct sbuf *out)
{
	char tb[32];
	if (t == SIM_NEVER)
		sbuf_puts(out, "-");
	else
		sbuf_puts(out, simtime_fmt(t, tb, sizeof tb));
}

static void sp_describe(const void *self, struct node_view *v)
{
	const struct span *k = self;
	memset(v, 0, sizeof *v);
	sp_status(self, &v->st);
	v->applied = -1;
	char a[32], b[32], c[32];
	sim_time earliest, latest, pt = node_local_now(k->n);
	tt_now(k, &earliest, &latest);
	ns_snprintf(v->badge, sizeof v->badge, "[%s,%s]", simtime_fmt(earliest, a, sizeof a),
		    simtime_fmt(latest, b, sizeof b));
	sim_time off = pt - node_trace_time(k->n);
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("TrueTime [%s, %s], epsilon %s"),
		    simtime_fmt(earliest, a, sizeof a), simtime_fmt(latest, b, sizeof b),
		    simtime_fmt_dur(eps(k), c, sizeof c));
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("clock %s%s off true time"),
		    off < 0 ? "-" : "+", simtime_fmt_dur(off < 0 ? -off : off, a, sizeof a));
	ns_strlcpy(v->lines[v->nlines++],
		   cw(k) ? _("commit wait on: a write is acknowledged once TT.after(s)")
			 : _("commit wait off: a write is acknowledged at once"),
		   VIEW_LINE_LEN);
	if (has_lease(k))
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _("lease until %s (a majority's votes): serves reads and writes"),
			    simtime_fmt(k->lease_end, a, sizeof a));
	else
		ns_strlcpy(v->lines[v->nlines++],
			   _("no lease (no majority's votes): refuses reads and writes"),
			   VIEW_LINE_LEN);
	if (k->floor > INT64_MIN / 2)
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _("next timestamp above %s (the last assigned or read at)"),
			    simtime_fmt(k->floor, a, sizeof a));
	for (size_t i = 0; i < k->nwait && v->nlines < VIEW_LINES; i++) {
		const struct sp_wait *w = &k->wait[i];
		sim_time d = due(k, w); /* INT64_MIN: nothing to wait for */
		double left = d > pt ? (double)(d - pt) / SIM_MS : 0;
		simtime_fmt(w->s, a, sizeof a);
		if (!committed_upto(k, w->req.op.key, w->s))
			ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
				    _(" %s %s of c%d at s=%s waits for a majority to hold %s"),
				    w->kind == WAIT_ACK ? kv_fn_name(w->req.op.fn) : "get",
				    w->req.op.key, w->req.client, a, w->req.op.key);
		else if (w->kind == WAIT_ACK)
			ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
				    _(" %s %s of c%d in its commit wait: s=%s, %.1fms left"),
				    kv_fn_name(w->req.op.fn), w->req.op.key, w->req.client, a,
				    left);
		else
			ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
				    _(" read %s at %s waits until safe, %.1fms left"),
				    w->req.op.key, a, left);
	}
	/* The keys this node leads, newest version first. */
	int nkeys = 0;
	for (size_t i = k->nver; i > 0; i--) {
		const struct sp_version *x = &k->ver[i - 1];
		if (newest(k, x->key, INT64_MAX) != x)
			continue;
		nkeys++;
		if (v->nlines >= VIEW_LINES)
			continue;
		int nv = 0;
		for (size_t j = 0; j < k->nver; j++)
			nv += !strcmp(k->ver[j].key, x->key);
		struct sbuf t = {0};
		fmt_ts(x->s, &t);
		bool waiting = cw(k) && earliest <= x->s;
		ns_snprintf(
		    v->lines[v->nlines++], VIEW_LINE_LEN,
		    P_(" %s = %s at s=%s (%d version)%s", " %s = %s at s=%s (%d versions)%s", nv),
		    x->key, x->val, sbuf_str(&t), nv,
		    !x->committed ? _(", not yet held by a majority")
		    : waiting     ? _(", in its commit wait")
				  : "");
		sbuf_free(&t);
	}
	if (v->nlines < VIEW_LINES)
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    P_("leader of %d key (a key's leader: FNV-1a(key) mod %d)",
			       "leader of %d keys (a key's leader: FNV-1a(key) mod %d)", nkeys),
			    nkeys, node_count(k->n));
	/* The other leaders' writes this node holds, newest first. */
	for (size_t i = k->nrep; i > 0 && v->nlines < VIEW_LINES; i--) {
		const struct sp_version *x = &k->rep[i - 1];
		bool newer = false;
		for (size_t j = i; j < k->nrep && !newer; j++)
			newer = !strcmp(k->rep[j].key, x->key) && k->rep[j].s > x->s;
		for (size_t j = 0; j + 1 < i && !newer; j++)
			newer = !strcmp(k->rep[j].key, x->key) && k->rep[j].s > x->s;
		if (newer)
			continue;
		struct sbuf t = {0};
		fmt_ts(x->s, &t);
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _(" %s = %s at s=%s, replica of n%d"), x->key, x->val, sbuf_str(&t),
			    x->leader + 1);
		sbuf_free(&t);
	}
	sim_time armed, fires;
	if (node_timer_span(k->n, SP_TIMER_WAIT, &armed, &fires))
		view_add_timer(v, _("commit wait"), VT_TIMEOUT, -1, armed, fires);
	if (node_timer_span(k->n, SP_TIMER_LEASE, &armed, &fires))
		view_add_timer(v, _("lease renewal"), VT_PERIODIC, -1, armed, fires);
}

static void sp_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct sp_accept ac;
	struct sp_lease l;
	char tb[32];
	switch (m->type) {
	case SP_MSG_ACCEPT:
	case SP_MSG_ACCEPT_OK:
		if (!decode_accept(m, &ac)) {
			sbuf_puts(out, "? malformed");
			return;
		}
		if (m->type == SP_MSG_ACCEPT)
			sbuf_printf(out, "Accept %s=%s s=", ac.key, ac.val);
		else
			sbuf_printf(out, "AcceptOk %s s=", ac.key);
		fmt_ts(ac.s, out);
		return;
	case SP_MSG_LEASE:
	case SP_MSG_LEASE_OK:
		if (!decode_lease(m, &l)) {
			sbuf_puts(out, "? malformed");
			return;
		}
		sbuf_printf(out, "%s #%u asked at %s",
			    m->type == SP_MSG_LEASE ? "LeaseAsk" : "LeaseOk", l.id,
			    simtime_fmt(l.sent, tb, sizeof tb));
		return;
	default: break;
	}
	struct sp_wire w;
	if (!decode(m, &w)) {
		sbuf_puts(out, "? malformed");
		return;
	}
	switch (m->type) {
	case SP_MSG_WRITE:
		sbuf_puts(out, "Write ");
		kv_op_fmt(&w.req.op, out);
		sbuf_printf(out, " c%d#%llu", w.req.client, (unsigned long long)w.req.seq);
		break;
	case SP_MSG_READ:
		sbuf_printf(out, "Read %s at s_read=", w.req.op.key);
		fmt_ts(w.ts, out);
		break;
	case SP_MSG_WRITE_OK:
		sbuf_printf(out, "WriteOk %s s=", w.req.op.key);
		fmt_ts(w.ts, out);
		if (w.rep.status == REPLY_UNAVAILABLE)
			sbuf_printf(out, " (refused: %s)", w.rep.why);
		if (w.rep.status == REPLY_CAS_FALSE)
			sbuf_printf(out, " (%s)", w.rep.why);
		break;
	default:
		if (w.rep.status == REPLY_UNAVAILABLE) {
			sbuf_printf(out, "ReadOk %s refused: %s", w.req.op.key, w.rep.why);
			break;
		}
		sbuf_printf(out, "ReadOk %s=%s at s_read=", w.req.op.key,
			    w.rep.found ? w.rep.value : "(none)");
		fmt_ts(w.ts, out);
		if (w.rep.found) {
			sbuf_puts(out, " version s=");
			fmt_ts(w.vts, out);
		}
	}
}

/* ---- for the check layer and the predicates ------------------------------------- */

const struct span_ghost *spanner_ghosts(struct sim *s, int i, uint32_t *n)
{
	*n = 0;
	if (sim_proto(s) != sp_self_ops() || i < 0 || i >= sim_nodes(s))
		return NULL;
	const struct span *k = proto_self(s, i);
	*n = k->ngh;
	return k->gh;
}

sim_time spanner_epsilon(struct sim *s)
{
	return sim_opts(s)->v[SP_OPT_EPSILON].i;
}

bool spanner_commit_wait(struct sim *s)
{
	return sim_opts(s)->v[SP_OPT_COMMITWAIT].i != 0;
}

/* leads NODE KEY */
static bool pred_leads(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int l = spanner_leader_of(a->a[1].str, sim_nodes(s));
	sbuf_printf(why, _("%s's group leader is n%d"), a->a[1].str, l + 1);
	return l == a->a[0].node;
}

/* truetime-holds: every TT.now() the nodes took contained true time. */
static bool pred_tt_holds(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t n, total = 0;
	char t1[32], t2[32], t3[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct span_ghost *g = spanner_ghosts(s, i, &n);
		for (uint32_t j = 0; j < n; j++, total++) {
			if (g[j].earliest <= g[j].true_at && g[j].true_at <= g[j].latest)
				continue;
			sbuf_printf(why, _("n%d: TrueTime [%s, %s] misses true time %s"), i + 1,
				    simtime_fmt(g[j].earliest, t1, sizeof t1),
				    simtime_fmt(g[j].latest, t2, sizeof t2),
				    simtime_fmt(g[j].true_at, t3, sizeof t3));
			return false;
		}
	}
	sbuf_printf(why,
		    P_("%u reading contained true time", "%u readings contained true time", total),
		    total);
	return true;
}

static const struct proto_pred sp_preds[] = {
    {"leads", "NODE KEY", N_("NODE is the group leader of KEY (FNV-1a of the key, mod N)"),
     pred_leads},
    {"truetime-holds", "", N_("every TrueTime reading the nodes took contained true time"),
     pred_tt_holds},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops spanner_ops = {
    .node =
	{
	    .create = sp_create,
	    .destroy = sp_destroy,
	    .on_message = sp_on_message,
	    .on_timer = sp_on_timer,
	    .on_client = sp_on_client,
	    .on_crash = sp_on_crash,
	    .on_restart = sp_on_restart,
	    .describe_msg = sp_describe_msg,
	    .msg_kinds = sp_msgs,
	    .nmsg_kinds = (int)ARRAY_LEN(sp_msgs),
	},
    .name = "spanner",
    .summary = N_("Spanner's TrueTime timestamps and commit wait over a sharded key-value store"),
    .options = sp_options,
    .kv_clients = true,
    .kv_read_levels = KV_LEVEL_BIT(KV_LEVEL_LINEARIZABLE),
    .status = sp_status,
    .describe = sp_describe,
    .option_changed = sp_option_changed,
    .preds = sp_preds,
    .fuzz_vary = sp_vary,
};

static const struct proto_ops *sp_self_ops(void)
{
	return &spanner_ops;
}

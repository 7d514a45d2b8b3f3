/*
 * zab.c — the Zab protocol's table, options, node life, dispatch, views
 * and message words (see zab.h for the papers and the split by file).
 *
 * Crash and restart. A ZooKeeper server keeps its transaction log and its
 * two epochs on disk (Zab §IV: "f.p", "f.a" and "h_f" are persistent; the
 * ZooKeeper files acceptedEpoch and currentEpoch). A crash here keeps
 * struct zab_stable — the history, which prefix of it was delivered, both
 * epochs — and loses the rest: its role, its election, its leader's
 * bookkeeping, its waiting clients. A restart rebuilds the data tree by
 * delivering the delivered prefix again and starts looking (Phase 0).
 */
#include "proto/zab.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_option zab_options[] = {
    [ZAB_OPT_TICK] = {"tick", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
		      N_("time between the leader's PINGs (which also resend proposals a "
			 "follower has not acknowledged)"),
		      true},
    [ZAB_OPT_TIMEOUT] = {"timeout", OPT_DURATION, "300ms", NULL, 1 * SIM_MS, 600 * SIM_S,
			 N_("silence after which a follower gives up its leader, or a leader "
			    "its quorum, and goes back to leader election (ZooKeeper's syncLimit "
			    "and initLimit)"),
			 true},
    [ZAB_OPT_NOTIFY] = {"notify", OPT_RANGE, "50ms..100ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			N_("a looking server resends its election notification after a time "
			   "drawn from this range"),
			true},
    [ZAB_OPT_READS] = {"reads", OPT_CHOICE, "local", "local|sync", 0, 0,
		       N_("local: a server answers a read from its own copy, which may be "
			  "stale (ZooKeeper's default: sequentially consistent reads); sync: "
			  "every read first syncs with the leader (linearizable)"),
		       true},
    [ZAB_OPT_READONLY] = {"readonly", OPT_BOOL, "off", NULL, 0, 1,
			  N_("on: a server cut off from the quorum still answers reads from its "
			     "copy (ZooKeeper's read-only mode); off: it stops serving its "
			     "clients"),
			  true},
    [ZAB_OPT_SNAP] = {"snap", OPT_INT, "100", NULL, 0, 1000000,
		      N_("a follower that lacks more than this many transactions is sent the "
			 "leader's whole state (SNAP) instead of the missing ones (DIFF)"),
		      true},
    [ZAB_OPT_BUG] = {"bug", OPT_SET, "none", "broadcast-before-sync", 0, 0,
		     N_("switch off rules of the paper, to watch what breaks (docs/PROTOCOLS.md, "
			"zab, \"Rules you can switch off\")"),
		     false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind zab_msgs[ZAB_MSG_KINDS] = {
    [ZAB_MSG_VOTE] = {"Vote", 'v', false},
    [ZAB_MSG_FOLLOWERINFO] = {"FollowerInfo", 'i', false},
    [ZAB_MSG_NEWEPOCH] = {"NewEpoch", 'e', false},
    [ZAB_MSG_ACKEPOCH] = {"AckEpoch", 'E', true},
    [ZAB_MSG_DIFF] = {"Diff", 'd', false},
    [ZAB_MSG_TRUNC] = {"Trunc", 't', false},
    [ZAB_MSG_SNAP] = {"Snap", 's', false},
    [ZAB_MSG_ACKLD] = {"AckLd", 'L', true},
    [ZAB_MSG_UPTODATE] = {"UpToDate", 'u', false},
    [ZAB_MSG_PROPOSAL] = {"Proposal", 'p', false},
    [ZAB_MSG_ACK] = {"Ack", 'P', true},
    [ZAB_MSG_COMMIT] = {"Commit", 'c', false},
    [ZAB_MSG_PING] = {"Ping", 'h', false},
    [ZAB_MSG_PINGACK] = {"PingAck", 'H', true},
    [ZAB_MSG_FORWARD] = {"Forward", 'f', false},
    [ZAB_MSG_SYNCREQ] = {"SyncReq", 'y', false},
    [ZAB_MSG_SYNCREP] = {"SyncRep", 'Y', true},
};

static const struct proto_vary zab_vary[] = {
    {"tick", "50ms|20ms"},
    {"snap", "100|2"},
    {NULL, NULL},
};

/* The rules bug=NAME removes (ZAB_OPT_BUG's choices, in order). */
static const struct proto_bug zab_bugs[] = {
    {"broadcast-before-sync",
     N_("a new leader synchronizes its followers with its history before it broadcasts: "
	"they truncate what it lacks and take what they miss"),
     "Zab, §IV-B (Phase 2)", false},
    {NULL, NULL, NULL, false},
};

bool zab_bug_on(const struct zab *p, enum zab_bug b)
{
	return (p->o->v[ZAB_OPT_BUG].i >> b) & 1;
}

const char *zab_zxid_fmt(int64_t z, char *buf, size_t n)
{
	ns_snprintf(buf, n, "%lld:%lld", (long long)zab_epoch_of(z), (long long)zab_counter_of(z));
	return buf;
}

uint64_t zab_txn_hash(const struct zab_txn *t)
{
	const unsigned char *q = (const unsigned char *)t;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof *t; i++)
		h = (h ^ q[i]) * 1099511628211ull;
	return h | 1;
}

void zab_txn_fmt(const struct zab_txn *t, char *buf, size_t n)
{
	struct sbuf b = {0};
	kv_op_fmt(&t->op, &b);
	ns_strlcpy(buf, sbuf_str(&b), n);
	sbuf_free(&b);
}

struct zab *zab_of(struct sim *s, int i)
{
	if (sim_proto(s) != &zab_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node(s, i)->self;
}

int zab_quorum(const struct zab *p)
{
	return node_count(p->n) / 2 + 1;
}

int64_t zab_last_zxid(const struct zab *p)
{
	return p->st.nh ? p->st.h[p->st.nh - 1].zxid : 0;
}

int64_t zab_delivered_zxid(const struct zab *p)
{
	return p->st.delivered ? p->st.h[p->st.delivered - 1].zxid : 0;
}

void zab_send(struct zab *p, int to, int type, const void *data, size_t len)
{
	if (to >= 0 && to != p->n->id)
		node_send(p->n, to, type, data, len);
}

const char *zab_phase_name(enum zab_phase ph)
{
	switch (ph) {
	case ZAB_ELECTION: return "election";
	case ZAB_DISCOVERY: return "discovery";
	case ZAB_SYNC: return "sync";
	case ZAB_BROADCAST: return "broadcast";
	}
	return "?";
}

void zab_hist_append(struct zab *p, const struct zab_txn *t)
{
	xgrow((void **)&p->st.h, &p->st.caph, (size_t)p->st.nh + 1, sizeof *p->st.h);
	p->st.h[p->st.nh++] = *t;
	p->st.writes++;
}

void zab_hist_cut(struct zab *p, int64_t n)
{
	if (n >= p->st.nh)
		return;
	p->st.nh = n;
	p->st.writes++;
	p->audit.rewritten = true;
	if (p->st.delivered > n) {
		/* Delivered transactions taken back: the data tree is rebuilt
		 * (the checker reports it as a violation). */
		kv_clear(&p->kv);
		p->st.delivered = 0;
		zab_deliver(p, n);
	}
}

int64_t zab_hist_find(const struct zab *p, int64_t z)
{
	if (!z)
		return -1;
	/* The history is in zxid order: binary search. */
	int64_t lo = 0, hi = p->st.nh - 1;
	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;
		int64_t m = p->st.h[mid].zxid;
		if (m == z)
			return mid;
		if (m < z)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* ---- node life ---------------------------------------------------------------- */

static void volatile_init(struct zab *p)
{
	kv_init(&p->kv);
	int64_t d = p->st.delivered;
	p->st.delivered = 0;
	zab_deliver(p, d);
	p->leader = -1;
	p->role = ZAB_LOOKING;
	p->phase = ZAB_ELECTION;
	zab_look(p, "starts");
}

static void *zab_create(struct node *n, const void *config)
{
	struct zab *p = xcalloc(1, sizeof *p);
	p->n = n;
	p->o = config;
	p->ae = xcalloc(SIM_MAX_NODES, sizeof *p->ae);
	volatile_init(p);
	return p;
}

static void volatile_free(struct zab *p)
{
	kv_close(&p->kv);
	free(p->pend);
	free(p->sw);
	free(p->ooo);
}

static void zab_destroy(void *self)
{
	struct zab *p = self;
	if (!p)
		return;
	volatile_free(p);
	free(p->ae);
	free(p->st.h);
	free(p->audit.b);
	free(p);
}

static void zab_on_crash(void *self)
{
	struct zab *p = self;
	volatile_free(p);
	struct node *n = p->n;
	const struct proto_opts *o = p->o;
	struct zab_stable st = p->st;
	struct zab_audit audit = p->audit;
	struct zab_wire_ackepoch *ae = p->ae;
	int64_t round = p->round; /* logicalclock: volatile, but kept rising */
	memset(p, 0, sizeof *p);
	p->n = n;
	p->o = o;
	p->st = st;
	p->audit = audit;
	p->ae = ae;
	p->round = round;
	p->leader = -1;
}

static void zab_on_restart(void *self)
{
	struct zab *p = self;
	char b[24];
	node_state(p->n, "restarted from disk: epoch %lld, last zxid %s, %lld delivered",
		   (long long)p->st.current_epoch, zab_zxid_fmt(zab_last_zxid(p), b, sizeof b),
		   (long long)p->st.delivered);
	volatile_init(p);
}

static void zab_on_message(void *self, const struct msg *m)
{
	struct zab *p = self;
	if (m->type == ZAB_MSG_VOTE) {
		struct zab_wire_vote w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		zab_on_vote(p, m->from, &w);
		return;
	}
	zab_on_peer_msg(p, m);
}

static void zab_on_timer(void *self, int timer)
{
	struct zab *p = self;
	switch (timer) {
	case ZAB_TIMER_ELECTION: zab_election_timer(p); break;
	case ZAB_TIMER_TICK: zab_tick(p); break;
	}
}

/* ---- views ------------------------------------------------------------------- */

static void zab_status(const void *self, struct node_status *out)
{
	const struct zab *p = self;
	bool leads = p->role == ZAB_LEADING && p->phase == ZAB_BROADCAST;
	out->kind = leads                      ? ROLE_LEADER
		    : p->role == ZAB_FOLLOWING ? ROLE_FOLLOWER
		    : p->role == ZAB_LEADING   ? ROLE_OTHER
					       : ROLE_CANDIDATE;
	out->role = leads                      ? N_("Leader")
		    : p->role == ZAB_LEADING   ? N_("Prospective leader")
		    : p->role == ZAB_FOLLOWING ? N_("Follower")
					       : N_("Looking");
	out->term = p->role == ZAB_LEADING && p->epoch ? p->epoch : p->st.current_epoch;
	out->commit = p->st.delivered;
	out->leader = p->phase == ZAB_BROADCAST ? p->leader : -1;
}

static bool zab_log_entry(const void *self, int64_t index, struct log_view_entry *out)
{
	const struct zab *p = self;
	if (index < 1 || index > p->st.nh)
		return false;
	const struct zab_txn *t = &p->st.h[index - 1];
	char z[24], v[40];
	zab_txn_fmt(t, v, sizeof v);
	out->index = index;
	out->term = zab_epoch_of(t->zxid);
	ns_snprintf(out->cmd, sizeof out->cmd, "%s %s%s", zab_zxid_fmt(t->zxid, z, sizeof z), v,
		    index > p->st.delivered ? " ?" : "");
	return true;
}

NS_PRINTF(2, 3) static void line(struct node_view *v, const char *fmt, ...)
{
	if (v->nlines >= VIEW_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
	sbuf_free(&b);
}

static void timers(const struct zab *p, struct node_view *v)
{
	sim_time armed, fires;
	sim_time now = node_trace_time(p->n), local = node_local_now(p->n);
	sim_time timeout = p->o->v[ZAB_OPT_TIMEOUT].i;
	if (p->role == ZAB_LOOKING) {
		if (node_timer_span(p->n, ZAB_TIMER_ELECTION, &armed, &fires))
			view_add_timer(
			    v, p->finalizing ? _("finalize wait") : _("notification resend"),
			    VT_TIMEOUT, -1, armed, fires);
		return;
	}
	if (p->role == ZAB_FOLLOWING) {
		view_add_timer(v, _("leader silence"), VT_SILENCE, p->leader,
			       now - (local - p->leader_heard),
			       now + (p->leader_heard + timeout - local));
	} else if (p->phase != ZAB_BROADCAST) {
		view_add_timer(v, _("epoch deadline"), VT_TIMEOUT, -1,
			       now - (local - p->leader_heard),
			       now + (p->leader_heard + timeout - local));
	} else {
		/* The quorum-th freshest follower: when the leader gives up. */
		sim_time h[SIM_MAX_NODES];
		int k = 0;
		for (int i = 0; i < node_count(p->n); i++)
			if (i != p->n->id && nodeset_has(&p->acknl, i))
				h[k++] = p->heard[i];
		int need = zab_quorum(p) - 1;
		if (need > 0 && k >= need) {
			for (int a = 0; a < k; a++)
				for (int b = a + 1; b < k; b++)
					if (h[b] > h[a]) {
						sim_time t = h[a];
						h[a] = h[b];
						h[b] = t;
					}
			sim_time last = h[need - 1];
			view_add_timer(v, _("quorum silence"), VT_SILENCE, -1, now - (local - last),
				       now + (last + timeout - local));
		}
	}
	if (node_timer_span(p->n, ZAB_TIMER_TICK, &armed, &fires))
		view_add_timer(v, p->role == ZAB_LEADING ? _("ping") : _("check"), VT_PERIODIC, -1,
			       armed, fires);
}

static void zab_describe(const void *self, struct node_view *v)
{
	const struct zab *p = self;
	memset(v, 0, sizeof *v);
	zab_status(self, &v->st);
	bool up = p->n->up;
	char a[24], b[24];
	v->applied = up ? p->st.delivered : -1;
	v->log_first = 1;
	v->log_last = p->st.nh;
	for (int64_t i = MAX(1, p->st.nh - VIEW_LOG_MAX + 1); i <= p->st.nh; i++)
		if (v->nlog < VIEW_LOG_MAX && zab_log_entry(self, i, &v->log[v->nlog]))
			v->nlog++;
	line(v, _("accepted epoch %lld, current epoch %lld"), (long long)p->st.accepted_epoch,
	     (long long)p->st.current_epoch);
	line(v, _("last zxid %s, delivered up to %s"), zab_zxid_fmt(zab_last_zxid(p), a, sizeof a),
	     zab_zxid_fmt(zab_delivered_zxid(p), b, sizeof b));
	if (!up) {
		line(v, _("down: only its log and epochs on disk are left"));
	} else {
		line(v, _("phase: %s"), zab_phase_name(p->phase));
		if (p->role == ZAB_LOOKING) {
			int c = 0;
			for (int i = 0; i < node_count(p->n); i++)
				c += nodeset_has(&p->voted, i) && p->votes[i].id == p->vote.id &&
				     p->votes[i].zxid == p->vote.zxid &&
				     p->votes[i].epoch == p->vote.epoch;
			line(v,
			     _("round %lld: votes for n%d (epoch %lld, zxid %s), %d of %d agree"),
			     (long long)p->round, p->vote.id + 1, (long long)p->vote.epoch,
			     zab_zxid_fmt(p->vote.zxid, a, sizeof a), c, zab_quorum(p));
		} else if (p->role == ZAB_FOLLOWING) {
			line(v, _("follows n%d in epoch %lld"), p->leader + 1, (long long)p->epoch);
		} else {
			line(v, _("leads epoch %lld: %d in discovery, %d acknowledged, %d synced"),
			     (long long)p->epoch, nodeset_count(&p->info),
			     nodeset_count(&p->ackepoch), nodeset_count(&p->acknl));
			if (p->phase == ZAB_BROADCAST)
				line(v, _("committed up to %s"),
				     zab_zxid_fmt(p->commit_zxid, a, sizeof a));
		}
		bool serving = zab_serving(p);
		line(v, "%s",
		     serving ? _("serves its clients")
		     : p->o->v[ZAB_OPT_READONLY].i
			 ? _("read-only: answers reads from its copy, refuses writes")
			 : _("not serving: no quorum, refuses its clients"));
		if (p->npend)
			line(v, _("%zu client requests waiting"), p->npend);
	}
	line(v, _("history (zxid: txn; ? not delivered)"));
	for (int64_t i = MAX(0, p->st.nh - 8); i < p->st.nh; i++) {
		char t[40];
		zab_txn_fmt(&p->st.h[i], t, sizeof t);
		line(v, " %s: %s%s", zab_zxid_fmt(p->st.h[i].zxid, a, sizeof a), t,
		     i >= p->st.delivered ? " ?" : "");
	}
	line(v, _("%llu writes to disk"), (unsigned long long)p->st.writes);
	ns_snprintf(v->badge, sizeof v->badge, "e%lld %s", (long long)v->st.term,
		    zab_zxid_fmt(zab_last_zxid(p), a, sizeof a));
	if (up)
		timers(p, v);
}

static const char *state_word(uint32_t s)
{
	return s == ZAB_LEADING ? "LEADING" : s == ZAB_FOLLOWING ? "FOLLOWING" : "LOOKING";
}

static void zab_describe_msg(const struct msg *m, struct sbuf *out)
{
	char a[24], b[24], t[40];
	const char *name = m->type < ZAB_MSG_KINDS ? zab_msgs[m->type].name : "?";
	switch (m->type) {
	case ZAB_MSG_VOTE: {
		struct zab_wire_vote w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (w.state == ZAB_LOOKING)
			sbuf_printf(out, "Vote round %lld for n%d (epoch %lld, zxid %s) LOOKING",
				    (long long)w.round, w.vote.id + 1, (long long)w.vote.epoch,
				    zab_zxid_fmt(w.vote.zxid, a, sizeof a));
		else
			sbuf_printf(out, "Vote %s: leader n%d, epoch %lld", state_word(w.state),
				    w.vote.id + 1, (long long)w.epoch);
		return;
	}
	case ZAB_MSG_FOLLOWERINFO:
	case ZAB_MSG_NEWEPOCH:
	case ZAB_MSG_ACKLD:
	case ZAB_MSG_UPTODATE: {
		struct zab_wire_epoch w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (m->type == ZAB_MSG_FOLLOWERINFO)
			sbuf_printf(out, "FollowerInfo accepted epoch %lld, last zxid %s",
				    (long long)w.epoch, zab_zxid_fmt(w.zxid, a, sizeof a));
		else if (m->type == ZAB_MSG_NEWEPOCH)
			sbuf_printf(out, "NewEpoch %lld", (long long)w.epoch);
		else if (m->type == ZAB_MSG_ACKLD)
			sbuf_printf(out, "AckLd epoch %lld, last zxid %s", (long long)w.epoch,
				    zab_zxid_fmt(w.zxid, a, sizeof a));
		else
			sbuf_printf(out, "UpToDate epoch %lld, commit up to %s", (long long)w.epoch,
				    zab_zxid_fmt(w.zxid, a, sizeof a));
		return;
	}
	case ZAB_MSG_ACKEPOCH: {
		struct zab_wire_ackepoch w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "AckEpoch %lld: current epoch %lld, last zxid %s, %lld txns",
			    (long long)w.epoch, (long long)w.current_epoch,
			    zab_zxid_fmt(w.last_zxid, a, sizeof a), (long long)w.nhist);
		return;
	}
	case ZAB_MSG_DIFF:
	case ZAB_MSG_TRUNC:
	case ZAB_MSG_SNAP: {
		struct zab_wire_sync h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.n * sizeof(struct zab_txn))
			break;
		if (m->type == ZAB_MSG_SNAP)
			sbuf_printf(out, "Snap epoch %lld: the whole history, %u txns",
				    (long long)h.epoch, h.n);
		else if (m->type == ZAB_MSG_TRUNC)
			sbuf_printf(out, "Trunc epoch %lld: cut after %s, then %u txns",
				    (long long)h.epoch, zab_zxid_fmt(h.trunc, a, sizeof a), h.n);
		else
			sbuf_printf(out, "Diff epoch %lld: %u txns after %s", (long long)h.epoch,
				    h.n, zab_zxid_fmt(h.trunc, a, sizeof a));
		return;
	}
	case ZAB_MSG_PROPOSAL: {
		struct zab_wire_proposal w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		zab_txn_fmt(&w.t, t, sizeof t);
		sbuf_printf(out, "Proposal %s %s (after %s)", zab_zxid_fmt(w.t.zxid, a, sizeof a),
			    t, zab_zxid_fmt(w.prev, b, sizeof b));
		return;
	}
	case ZAB_MSG_ACK:
	case ZAB_MSG_COMMIT: {
		struct zab_wire_ack w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "%s up to %s", name, zab_zxid_fmt(w.zxid, a, sizeof a));
		return;
	}
	case ZAB_MSG_PING:
	case ZAB_MSG_PINGACK: {
		struct zab_wire_ping w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (m->type == ZAB_MSG_PING)
			sbuf_printf(out, "Ping epoch %lld #%lld, committed up to %s",
				    (long long)w.epoch, (long long)w.round,
				    zab_zxid_fmt(w.commit, a, sizeof a));
		else
			sbuf_printf(out, "PingAck epoch %lld #%lld, last zxid %s",
				    (long long)w.epoch, (long long)w.round,
				    zab_zxid_fmt(w.last, a, sizeof a));
		return;
	}
	case ZAB_MSG_FORWARD: {
		struct zab_wire_forward w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		zab_txn_fmt(&w.t, t, sizeof t);
		sbuf_printf(out, "Forward %s from c%d", t, w.t.client);
		return;
	}
	case ZAB_MSG_SYNCREQ:
	case ZAB_MSG_SYNCREP: {
		struct zab_wire_syncmsg w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (m->type == ZAB_MSG_SYNCREQ)
			sbuf_printf(out, "SyncReq #%u", w.id);
		else
			sbuf_printf(out, "SyncRep #%u: caught up once %s is delivered", w.id,
				    zab_zxid_fmt(w.target, a, sizeof a));
		return;
	}
	}
	sbuf_printf(out, "%s (malformed)", name);
}

const struct proto_ops zab_ops = {
    .node =
	{
	    .create = zab_create,
	    .destroy = zab_destroy,
	    .on_message = zab_on_message,
	    .on_timer = zab_on_timer,
	    .on_client = zab_on_client,
	    .on_crash = zab_on_crash,
	    .on_restart = zab_on_restart,
	    .describe_msg = zab_describe_msg,
	    .msg_kinds = zab_msgs,
	    .nmsg_kinds = ZAB_MSG_KINDS,
	},
    .name = "zab",
    .summary = N_("Zab after Junqueira, Reed & Serafini (DSN 2011), ZooKeeper's atomic "
		  "broadcast: leader election, discovery, synchronization, broadcast; local "
		  "reads and sync"),
    .options = zab_options,
    .kv_clients = true,
    .kv_sync = true,
    .status = zab_status,
    .describe = zab_describe,
    .log_entry = zab_log_entry,
    .commands = zab_commands,
    .timeout_cmd = "look",
    .preds = zab_preds,
    .fuzz_vary = zab_vary,
    .bugs = zab_bugs,
};

/*
 * primary.c — `primary`: leader-follower (primary-backup) replication, the
 * node interface, views, predicates and the `promote` command. The stream,
 * the failure detector and failover are in primary_repl.c; the state
 * machine in primary_kv.c; the shared definitions and the story in
 * primary_internal.h. Which acknowledged writes a failover lost is the
 * checker's to say (src/check/primary_invariants.c: its notes in the
 * trace, `acked-writes`, `lost-writes`).
 *
 *   cluster primary 3 mode=sync|semisync|async heartbeat=50ms timeout=300ms
 *                     failover=auto|manual reads=primary|any fencing=on|off
 *
 * n1 starts as the primary of epoch 1. Only the primary takes writes;
 * backups answer REPLY_NOT_LEADER with the primary as the hint (and, with
 * reads=any, serve reads from their own copy, which may be stale). A read
 * at the primary is answered with the state it sees, once everything it
 * saw is acknowledged in the mode's sense, so that in sync mode a read
 * never shows a write that a failover could still lose.
 *
 * Stable storage: the log, the epoch, the vote promise and whether the
 * node was primary. A crash loses the state machine (rebuilt from the log),
 * the clients waiting for answers, what the primary knew of its backups,
 * and the failure detector's timing.
 */
#include "proto/primary_internal.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_option pb_options[] = {
    [PB_OPT_MODE] = {"mode", OPT_CHOICE, "async", "sync|semisync|async", 0, 0,
		     N_("when the primary answers a write: after every backup has it (sync), "
			"after one has it (semisync), or at once (async)"),
		     true},
    [PB_OPT_HEARTBEAT] = {"heartbeat", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			  N_("time between two heartbeats of the primary"), true},
    [PB_OPT_TIMEOUT] = {"timeout", OPT_DURATION, "300ms", NULL, 1 * SIM_MS, 600 * SIM_S,
			N_("silence after which a backup suspects the primary"), true},
    [PB_OPT_FAILOVER] = {"failover", OPT_CHOICE, "auto", "auto|manual", 0, 0,
			 N_("auto: the backup with the most data takes over from a silent "
			    "primary; manual: only `promote NODE` does"),
			 true},
    [PB_OPT_READS] = {"reads", OPT_CHOICE, "primary", "primary|any", 0, 0,
		      N_("who answers reads: the primary only, or any node from its own copy "
			 "(possibly stale)"),
		      true},
    [PB_OPT_FENCING] = {"fencing", OPT_BOOL, "on", NULL, 0, 0,
			N_("epoch fencing: nodes refuse the stream of a primary from an older "
			   "epoch, which tells it that it was deposed"),
			true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind pb_msgs[PB_NMSG] = {
    [PB_MSG_REPLICATE] = {"Replicate", 'r', false},
    [PB_MSG_ACK] = {"Ack", 'R', true},
    [PB_MSG_HEARTBEAT] = {"Heartbeat", 'h', false},
    [PB_MSG_NEWPRIMARY] = {"NewPrimary", 'p', false},
    [PB_MSG_VOTE] = {"Vote", 'P', true},
};

/* ---- life cycle ------------------------------------------------------------ */

static void reset_volatile(struct pb *p)
{
	p->role = PB_BACKUP;
	p->primary = -1;
	p->verified = 0;
	p->suspect = false;
	p->nwait = 0;
	p->acked = 0;
	p->confirmed = false;
	p->cand_epoch = 0;
	p->votes = (struct nodeset){{0, 0}};
	memset(p->peer_seq, 0, sizeof p->peer_seq);
	memset(p->match, 0, sizeof p->match);
	memset(p->next, 0, sizeof p->next);
	memset(p->ack_at, 0, sizeof p->ack_at);
	memset(p->acked_once, 0, sizeof p->acked_once);
	pb_drop_held(p);
	pb_kv_clear(&p->kv);
}

/* The primary's view of its backups, fresh. */
static void reset_followers(struct pb *p)
{
	for (int f = 0; f < SIM_MAX_NODES; f++) {
		p->match[f] = 0;
		p->next[f] = pb_last(p) + 1;
		p->ack_at[f] = node_local_now(p->n);
		p->acked_once[f] = false;
	}
}

static void *pb_create(struct node *n, const void *config)
{
	const struct proto_opts *o = config; /* the options, as sim_new stored them */
	struct pb *p = xcalloc(1, sizeof *p);
	p->n = n;
	p->o = o;
	pb_kv_init(&p->kv);
	reset_volatile(p);
	/* The initial configuration: n1 is the primary of epoch 1. */
	p->epoch = 1;
	p->promised = 1;
	p->voted_for = 0;
	p->primary = 0;
	p->last_heard = node_local_now(n);
	if (n->id == 0) {
		p->role = PB_PRIMARY;
		p->was_primary = true;
		p->confirmed = true;
		reset_followers(p);
	}
	node_set_timer(n, PB_TIMER_TICK, node_rand_range(n, 0, pb_opt(p, PB_OPT_HEARTBEAT)));
	return p;
}

static void pb_destroy(void *self)
{
	struct pb *p = self;
	if (!p)
		return;
	pb_drop_held(p);
	free(p->log);
	free(p->wait);
	pb_kv_free(&p->kv);
	free(p);
}

static void pb_on_crash(void *self)
{
	reset_volatile(self);
}

static void pb_on_restart(void *self)
{
	struct pb *p = self;
	reset_volatile(p);
	pb_replay(p);
	p->last_heard = node_local_now(p->n);
	if (p->was_primary) {
		/* It may have been replaced while it was down: it takes no
		 * client request until a majority answers its stream in its
		 * epoch (a newer epoch's refusal deposes it instead). */
		p->role = PB_PRIMARY;
		p->primary = p->n->id;
		p->verified = pb_last(p);
		p->confirmed = node_count(p->n) / 2 + 1 <= 1;
		p->heard = (struct nodeset){{0, 0}};
		reset_followers(p);
		node_state(p->n,
			   "restarts as Primary of e%lld with its log up to seq %lld, unconfirmed "
			   "until a majority answers",
			   (long long)p->epoch, (long long)pb_last(p));
	} else {
		node_state(p->n, "restarts as a Backup with its log up to seq %lld, epoch e%lld",
			   (long long)pb_last(p), (long long)p->epoch);
	}
	node_set_timer(p->n, PB_TIMER_TICK, node_rand_range(p->n, 0, pb_opt(p, PB_OPT_HEARTBEAT)));
}

static void pb_on_timer(void *self, int timer)
{
	struct pb *p = self;
	switch (timer) {
	case PB_TIMER_TICK: pb_tick(p); break;
	case PB_TIMER_PROMOTE: pb_on_promote_timer(p); break;
	case PB_TIMER_ELECT: pb_on_elect_timer(p); break;
	}
}

static void pb_on_message(void *self, const struct msg *m)
{
	struct pb *p = self;
	switch (m->type) {
	case PB_MSG_REPLICATE: pb_on_replicate(p, m); break;
	case PB_MSG_ACK: pb_on_ack(p, m); break;
	case PB_MSG_HEARTBEAT: pb_on_heartbeat(p, m); break;
	case PB_MSG_NEWPRIMARY: pb_on_newprimary(p, m); break;
	case PB_MSG_VOTE: pb_on_vote(p, m); break;
	}
}

static void pb_option_changed(void *self, int opt)
{
	struct pb *p = self;
	if (opt == PB_OPT_MODE && p->n->up)
		pb_advance_acked(p); /* sync -> async releases the waiting clients */
}

/* ---- clients --------------------------------------------------------------- */

static void wait_for(struct pb *p, const struct client_req *r, int64_t seq,
		     const struct client_reply *rep)
{
	xgrow((void **)&p->wait, &p->waitcap, p->nwait + 1, sizeof *p->wait);
	p->wait[p->nwait++] = (struct pb_wait){*r, seq, *rep};
	pb_advance_acked(p);
}

static void read_local(const struct pb *p, struct client_reply *rep, const char *key)
{
	const char *v = pb_kv_get(&p->kv, key);
	rep->status = REPLY_OK;
	rep->found = v != NULL;
	ns_strlcpy(rep->value, v ? v : "", sizeof rep->value);
}

static void client_request(struct pb *p, const struct client_req *r)
{
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	bool any = pb_opt(p, PB_OPT_READS) == PB_READS_ANY;
	if (p->role == PB_PRIMARY && !p->confirmed && !(any && r->op.fn == KV_GET)) {
		rep.status = REPLY_UNAVAILABLE;
		ns_strlcpy(rep.why, "restarted primary, unconfirmed", sizeof rep.why);
		node_reply(p->n, r, &rep);
		return;
	}
	if (r->op.fn == KV_GET && (any || p->role == PB_PRIMARY)) {
		read_local(p, &rep, r->op.key);
		if (any)
			node_reply(p->n, r, &rep);
		else
			wait_for(p, r, pb_last(p), &rep);
		return;
	}
	if (p->role != PB_PRIMARY) {
		rep.status = REPLY_NOT_LEADER;
		/* Only a primary this node hears is worth a redirect; otherwise
		 * the client backs off and tries elsewhere. */
		rep.leader_hint = p->primary != p->n->id && !p->suspect && p->role != PB_CANDIDATE
				      ? p->primary
				      : -1;
		ns_strlcpy(rep.why, p->role == PB_DEPOSED ? "deposed primary" : "not the primary",
			   sizeof rep.why);
		node_reply(p->n, r, &rep);
		return;
	}
	const struct kv_session *s = pb_kv_session(&p->kv, r->client);
	if (s && s->seq == r->seq) {
		/* A retry of a write already in the log: answer, do not apply. */
		kv_result_reply(&s->res, &rep);
		wait_for(p, r, s->index, &rep);
		return;
	}
	if (s && s->seq > r->seq) {
		rep.status = REPLY_FAIL;
		ns_strlcpy(rep.why, "stale request", sizeof rep.why);
		node_reply(p->n, r, &rep);
		return;
	}
	struct pb_entry e = {
	    pb_last(p) + 1, p->epoch, (int64_t)r->seq, node_local_now(p->n), r->client, 0, r->op};
	struct kv_result res;
	pb_append(p, &e, &res);
	p->verified = pb_last(p);
	kv_result_reply(&res, &rep);
	pb_stream_new(p);
	wait_for(p, r, e.seq, &rep);
}

static void pb_on_client(void *self, const struct client_req *r)
{
	client_request(self, r);
}

/* ---- views ----------------------------------------------------------------- */

static const char *const role_words[] = {
    [PB_BACKUP] = N_("Backup"),
    [PB_PRIMARY] = N_("Primary"),
    [PB_CANDIDATE] = N_("Candidate"),
    [PB_DEPOSED] = N_("Deposed"),
};

static void pb_status(const void *self, struct node_status *out)
{
	const struct pb *p = self;
	static const enum role_kind kinds[] = {
	    [PB_BACKUP] = ROLE_FOLLOWER,
	    [PB_PRIMARY] = ROLE_LEADER,
	    [PB_CANDIDATE] = ROLE_CANDIDATE,
	    [PB_DEPOSED] = ROLE_OTHER,
	};
	*out = (struct node_status){kinds[p->role], role_words[p->role], p->epoch, pb_last(p),
				    p->primary};
}

static void entry_view(const struct pb_entry *e, struct log_view_entry *out)
{
	struct sbuf b = {0};
	kv_op_fmt(&e->op, &b);
	out->index = e->seq;
	out->term = e->epoch;
	ns_strlcpy(out->cmd, sbuf_str(&b), sizeof out->cmd);
	sbuf_free(&b);
}

static bool pb_log_entry(const void *self, int64_t index, struct log_view_entry *out)
{
	const struct pb *p = self;
	if (index < 1 || index > p->nlog)
		return false;
	entry_view(&p->log[index - 1], out);
	return true;
}

#define LINE(v) ((v)->nlines < VIEW_LINES ? (v)->lines[(v)->nlines++] : NULL)

static void add_line(struct node_view *v, const char *fmt, ...) NS_PRINTF(2, 3);
static void add_line(struct node_view *v, const char *fmt, ...)
{
	char *l = LINE(v);
	if (!l)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	ns_strlcpy(l, sbuf_str(&b), VIEW_LINE_LEN);
	sbuf_free(&b);
}

static void describe_primary(const struct pb *p, struct node_view *v)
{
	struct sbuf mode = {0};
	proto_option_fmt(&primary_ops, PB_OPT_MODE, &p->o->v[PB_OPT_MODE], &mode);
	add_line(v, _("Primary of e%lld, mode %s: seq %lld, acked %lld"), (long long)p->epoch,
		 sbuf_str(&mode), (long long)pb_last(p), (long long)p->acked);
	sbuf_free(&mode);
	if (!p->confirmed)
		add_line(v, _("restarted: takes no request until a majority answers (%d of %d)"),
			 nodeset_count(&p->heard) + 1, node_count(p->n) / 2 + 1);
	sim_time now = node_local_now(p->n);
	char tb[32], hb[32];
	for (int f = 0; f < node_count(p->n); f++) {
		if (f == p->n->id)
			continue;
		int64_t lag = pb_last(p) - p->match[f];
		simtime_fmt_dur((now - p->ack_at[f]) / 1000 * 1000, hb, sizeof hb);
		if (!p->acked_once[f]) {
			add_line(v, _("n%d no Ack yet in e%lld (lag %lld)"), f + 1,
				 (long long)p->epoch, (long long)lag);
		} else if (lag <= 0) {
			add_line(v, _("n%d acked %lld, in step (heard %s ago)"), f + 1,
				 (long long)p->match[f], hb);
		} else {
			sim_time behind = now - p->log[p->match[f]].at;
			simtime_fmt_dur(behind / 1000 * 1000, tb, sizeof tb);
			add_line(v, _("n%d acked %lld, lag %lld (%s) (heard %s ago)"), f + 1,
				 (long long)p->match[f], (long long)lag, tb, hb);
		}
	}
	if (p->nwait)
		add_line(v, P_("%zu client waits for acks", "%zu clients wait for acks", p->nwait),
			 p->nwait);
}

/* The timers (struct view_timer): a backup's silence of the primary
 * against the timeout that suspects it, then the failover deadline once
 * it suspects; a candidate's deadline for votes; the primary's tick. */
static void describe_timers(const struct pb *p, struct node_view *v)
{
	sim_time now = node_trace_time(p->n), a, f;
	if (node_timer_span(p->n, PB_TIMER_PROMOTE, &a, &f))
		view_add_timer(v, _("failover"), VT_TIMEOUT, -1, a, f);
	if (node_timer_span(p->n, PB_TIMER_ELECT, &a, &f))
		view_add_timer(v, _("votes deadline"), VT_TIMEOUT, -1, a, f);
	if ((p->role == PB_BACKUP || p->role == PB_DEPOSED) && !p->suspect) {
		sim_time since = now - (node_local_now(p->n) - p->last_heard);
		view_add_timer(v, _("silence of the primary"), VT_SILENCE, p->primary, since,
			       since + pb_opt(p, PB_OPT_TIMEOUT));
	}
	if (node_timer_span(p->n, PB_TIMER_TICK, &a, &f))
		view_add_timer(v, _("tick"), VT_PERIODIC, -1, a, f);
}

static void pb_describe(const void *self, struct node_view *v)
{
	const struct pb *p = self;
	memset(v, 0, sizeof *v);
	pb_status(self, &v->st);
	v->applied = pb_last(p);
	v->log_first = 1;
	v->log_last = pb_last(p);
	int64_t from = MAX(1, pb_last(p) - VIEW_LOG_MAX + 1);
	for (int64_t s = from; s <= pb_last(p); s++)
		entry_view(&p->log[s - 1], &v->log[v->nlog++]);
	ns_snprintf(v->badge, sizeof v->badge, "e%lld seq %lld", (long long)p->epoch,
		    (long long)pb_last(p));
	char tb[32];
	sim_time silent = node_local_now(p->n) - p->last_heard;
	simtime_fmt_dur(silent / 1000 * 1000, tb, sizeof tb);
	switch (p->role) {
	case PB_PRIMARY: describe_primary(p, v); break;
	case PB_BACKUP:
	case PB_DEPOSED:
		if (!p->n->up)
			break; /* what it heard is volatile, and gone */
		if (p->role == PB_DEPOSED)
			add_line(v, _("Deposed: was primary; now e%lld, waits for the stream"),
				 (long long)p->epoch);
		if (p->primary >= 0)
			add_line(v, _("follows n%d (e%lld): applied %lld, in step to %lld"),
				 p->primary + 1, (long long)p->epoch, (long long)pb_last(p),
				 (long long)p->verified);
		else
			add_line(v, _("knows no primary: applied %lld"), (long long)pb_last(p));
		if (p->suspect)
			add_line(v, _("suspects the primary: silent for %s"), tb);
		else
			add_line(v, _("heard the primary %s ago"), tb);
		break;
	case PB_CANDIDATE:
		add_line(v, _("asks for e%lld: %d of %d votes, needs %d"), (long long)p->cand_epoch,
			 nodeset_count(&p->votes), node_count(p->n), node_count(p->n) / 2 + 1);
		break;
	}
	if (!p->n->up)
		add_line(v, _("down: the log, epoch and promise are on stable storage"));
	else
		describe_timers(p, v);
	if (p->promised > p->epoch)
		add_line(v, _("promised e%lld to n%d"), (long long)p->promised, p->voted_for + 1);
	if (p->discarded)
		add_line(v,
			 P_("discarded %lld entry so far", "discarded %lld entries so far",
			    p->discarded),
			 (long long)p->discarded);
}

static void pb_describe_msg(const struct msg *m, struct sbuf *out)
{
	switch (m->type) {
	case PB_MSG_REPLICATE: {
		struct pb_replicate_wire w;
		if (m->len < sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (w.n)
			sbuf_printf(out, "Replicate e%lld seq %lld..%lld", (long long)w.epoch,
				    (long long)w.prev_seq + 1, (long long)w.prev_seq + w.n);
		else
			sbuf_printf(out, "Replicate e%lld after %lld (no entries)",
				    (long long)w.epoch, (long long)w.prev_seq);
		return;
	}
	case PB_MSG_ACK: {
		struct pb_ack_wire w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		if (!w.ok)
			sbuf_printf(out, "Ack e%lld: rejected, stale epoch", (long long)w.epoch);
		else if (w.nack)
			sbuf_printf(out, "Ack e%lld seq %lld: mismatch, try after %lld",
				    (long long)w.epoch, (long long)w.match, (long long)w.hint);
		else
			sbuf_printf(out, "Ack e%lld seq %lld", (long long)w.epoch,
				    (long long)w.match);
		return;
	}
	case PB_MSG_HEARTBEAT: {
		struct pb_heartbeat_wire w;
		if (m->len < sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Heartbeat e%lld last %lld", (long long)w.epoch,
			    (long long)w.last);
		return;
	}
	case PB_MSG_NEWPRIMARY: {
		struct pb_newprimary_wire w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "NewPrimary e%lld from n%d seq %lld%s", (long long)w.epoch,
			    m->from + 1, (long long)w.last, w.force ? " (promote)" : "");
		return;
	}
	case PB_MSG_VOTE: {
		struct pb_vote_wire w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Vote e%lld %s", (long long)w.epoch, w.granted ? "yes" : "no");
		return;
	}
	}
	sbuf_puts(out, "?");
}

/* ---- predicates ------------------------------------------------------------ */

/* Compares x with the optional groups a[i..i+k): "<= INT", ">= INT",
 * "= INT" in the order `ops` names them. No group given: x >= 1. */
static bool compare(const struct proto_args *a, int i, const char *ops, int64_t x)
{
	bool any = false, ok = true;
	for (int k = 0; ops[k]; k++, i++) {
		if (i >= a->n || !a->a[i].present)
			continue;
		any = true;
		int64_t v = a->a[i].num;
		switch (ops[k]) {
		case '<': ok = ok && x <= v; break;
		case '>': ok = ok && x >= v; break;
		case '=': ok = ok && x == v; break;
		}
	}
	return any ? ok : x >= 1;
}

static const struct pb *node_pb(struct sim *s, int i)
{
	return proto_self(s, i);
}

int pb_top_primary(struct sim *s)
{
	int best = -1;
	int64_t be = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct pb *p = node_pb(s, i);
		if (sim_node(s, i)->up && p->role == PB_PRIMARY && p->epoch > be) {
			best = i;
			be = p->epoch;
		}
	}
	return best;
}

static bool is_primary(struct sim *s, int i)
{
	return sim_node(s, i)->up && node_pb(s, i)->role == PB_PRIMARY;
}

static void list_primaries(struct sim *s, struct sbuf *why)
{
	int k = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		if (is_primary(s, i))
			sbuf_printf(why, "%sn%d (e%lld)", k++ ? ", " : "", i + 1,
				    (long long)node_pb(s, i)->epoch);
	if (!k)
		sbuf_puts(why, _("no primary"));
	else
		sbuf_puts(why, k == 1 ? _(" is primary") : _(" are primaries"));
}

/* primary [NODE] [in NODES] */
static bool pred_primary(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	list_primaries(s, why);
	if (a->a[0].present)
		return is_primary(s, a->a[0].node);
	int top = pb_top_primary(s);
	if (a->a[1].present)
		return top >= 0 && nodeset_has(&a->a[1].set, top);
	return top >= 0;
}

static bool pred_primaries(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int k = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		k += is_primary(s, i);
	list_primaries(s, why);
	return compare(a, 0, "=>", k);
}

/* stable: one primary of the newest epoch stands — exactly one up node acts
 * as primary, and every other up node is its backup in its epoch. Until
 * then a write may be acknowledged by a deposed primary that has not heard
 * of the newer epoch, and be discarded when it does (async, semisync): the
 * fuzzer's liveness write waits for this. */
static bool pred_stable(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	int top = pb_top_primary(s), k = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		k += is_primary(s, i);
	if (top < 0 || k != 1) {
		list_primaries(s, why);
		return false;
	}
	const struct pb *t = node_pb(s, top);
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct pb *p = node_pb(s, i);
		if (i == top || !sim_node(s, i)->up)
			continue;
		if (p->role != PB_BACKUP || p->primary != top || p->epoch != t->epoch) {
			sbuf_printf(why, _("n%d is not yet a backup of n%d in e%lld"), i + 1,
				    top + 1, (long long)t->epoch);
			return false;
		}
	}
	sbuf_printf(why, _("n%d is the one primary (e%lld), every up node its backup"), top + 1,
		    (long long)t->epoch);
	return true;
}

/* How many entries NODE is behind the top primary. */
static int64_t lag_of(struct sim *s, int i, int top)
{
	const struct pb *t = node_pb(s, top), *p = node_pb(s, i);
	if (i == top)
		return 0;
	int64_t same = MIN(pb_last(p), pb_last(t));
	/* Entries that disagree with the primary do not count as held. */
	while (same > 0 && pb_epoch_at(p, same) != pb_epoch_at(t, same))
		same--;
	return pb_last(t) - same;
}

static bool pred_lag(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int top = pb_top_primary(s), i = a->a[0].node;
	if (top < 0) {
		sbuf_puts(why, _("no primary"));
		return false;
	}
	int64_t lag = lag_of(s, i, top);
	sbuf_printf(why, _("n%d is %lld behind the primary n%d (seq %lld)"), i + 1, (long long)lag,
		    top + 1, (long long)pb_last(node_pb(s, top)));
	return compare(a, 1, "<>=", lag);
}

static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const char *v = pb_kv_get(&node_pb(s, i)->kv, a->a[1].str);
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	if (v)
		sbuf_printf(why, _("n%d has %s = %s"), i + 1, a->a[1].str, v);
	else
		sbuf_printf(why, _("n%d has no %s"), i + 1, a->a[1].str);
	return v && !strcmp(v, a->a[2].str);
}

/* committed KEY = VALUE: the primary of the highest epoch holds KEY =
 * VALUE, and the write that set it is acknowledged in the mode's sense.
 * With no primary standing (it crashed, a failover is under way), the
 * copy a failover would keep decides: the up node of the highest epoch
 * with the longest log holds KEY = VALUE. So the predicate does not turn
 * false the instant the primary dies. */
static bool pred_committed(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int top = pb_top_primary(s);
	if (top < 0) {
		int best = -1;
		for (int i = 0; i < sim_nodes(s); i++) {
			if (!sim_node(s, i)->up)
				continue;
			const struct pb *p = node_pb(s, i), *b = best < 0 ? NULL : node_pb(s, best);
			if (!b || p->epoch > b->epoch ||
			    (p->epoch == b->epoch && pb_last(p) > pb_last(b)))
				best = i;
		}
		if (best < 0) {
			sbuf_puts(why, _("no node is up"));
			return false;
		}
		const char *v = pb_kv_get(&node_pb(s, best)->kv, a->a[0].str);
		if (v)
			sbuf_printf(why,
				    _("no primary; the most up-to-date copy, n%d's, has %s = %s"),
				    best + 1, a->a[0].str, v);
		else
			sbuf_printf(why,
				    _("no primary; the most up-to-date copy, n%d's, has no %s"),
				    best + 1, a->a[0].str);
		return v && !strcmp(v, a->a[1].str);
	}
	const struct pb *t = node_pb(s, top);
	const char *v = pb_kv_get(&t->kv, a->a[0].str);
	int64_t seq = t->nlog;
	while (seq > 0 && strcmp(t->log[seq - 1].op.key, a->a[0].str))
		seq--;
	if (!v) {
		sbuf_printf(why, _("the primary n%d has no %s"), top + 1, a->a[0].str);
		return false;
	}
	sbuf_printf(why, _("the primary n%d has %s = %s (seq %lld, acknowledged up to %lld)"),
		    top + 1, a->a[0].str, v, (long long)seq, (long long)t->acked);
	return !strcmp(v, a->a[1].str) && seq <= t->acked;
}

static bool pred_has(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const char *v = pb_kv_get(&node_pb(s, i)->kv, a->a[1].str);
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return false;
	}
	if (v)
		sbuf_printf(why, _("n%d has %s = %s"), i + 1, a->a[1].str, v);
	else
		sbuf_printf(why, _("n%d has no %s"), i + 1, a->a[1].str);
	return v != NULL;
}

static bool pred_caught_up(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	int top = pb_top_primary(s);
	if (top < 0) {
		sbuf_puts(why, _("no primary"));
		return false;
	}
	for (int i = 0; i < sim_nodes(s); i++) {
		if (i == top || !sim_node(s, i)->up)
			continue;
		int64_t lag = lag_of(s, i, top);
		const struct pb *p = node_pb(s, i);
		if (lag || pb_last(p) != pb_last(node_pb(s, top))) {
			sbuf_printf(why, _("n%d holds seq %lld, %lld behind the primary n%d"),
				    i + 1, (long long)pb_last(p), (long long)lag, top + 1);
			return false;
		}
	}
	sbuf_printf(why, _("every up node holds up to seq %lld like the primary n%d"),
		    (long long)pb_last(node_pb(s, top)), top + 1);
	return true;
}

static bool pred_epoch(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct pb *p = node_pb(s, a->a[0].node);
	sbuf_printf(why, _("n%d is in e%lld"), a->a[0].node + 1, (long long)p->epoch);
	return compare(a, 1, "=>", p->epoch);
}

static bool pred_discarded(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct pb *p = node_pb(s, a->a[0].node);
	sbuf_printf(why, P_("n%d discarded %lld entry", "n%d discarded %lld entries", p->discarded),
		    a->a[0].node + 1, (long long)p->discarded);
	return compare(a, 1, ">=", p->discarded);
}

/* What the fuzzer varies from seed to seed (proto.h). */
static const struct proto_vary pb_vary[] = {
    {"heartbeat", "50ms|20ms|90ms"},
    {NULL, NULL},
};

static const struct proto_pred pb_preds[] = {
    {"primary", "[NODE] [in NODES]",
     N_("NODE is up and acts as primary; or the primary of the highest epoch is in NODES; or "
	"some node is primary"),
     pred_primary},
    {"stable", NULL,
     N_("one primary of the newest epoch stands: one up node is primary, every other up node "
	"its backup in that epoch"),
     pred_stable},
    {"primaries", "[= INT] [>= INT]", N_("how many up nodes act as primary (two in a split brain)"),
     pred_primaries},
    {"lag", "NODE [<= INT] [>= INT] [= INT]",
     N_("how many entries NODE is behind the primary of the highest epoch"), pred_lag},
    {"value", "NODE KEY = VALUE", N_("NODE's own copy has KEY = VALUE (stale copies included)"),
     pred_value},
    {"committed", "KEY = VALUE",
     N_("the primary holds KEY = VALUE and has acknowledged the write that set it (with no "
	"primary: the most up-to-date up copy holds it)"),
     pred_committed},
    {"has", "NODE KEY", N_("NODE's own copy holds KEY (whatever its value)"), pred_has},
    {"caught-up", NULL, N_("every up node holds exactly what the primary holds"), pred_caught_up},
    {"epoch", "NODE [= INT] [>= INT]", N_("NODE's epoch"), pred_epoch},
    {"discarded", "NODE [>= INT] [= INT]",
     N_("entries NODE discarded because the primary did not have them"), pred_discarded},
    {NULL, NULL, NULL, NULL},
};

/* ---- commands --------------------------------------------------------------- */

static int cmd_promote(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node;
	struct pb *p = proto_self(s, i);
	if (!sim_node(s, i)->up) {
		sbuf_printf(err, _("n%d is down: a crashed node cannot be promoted"), i + 1);
		return PROTO_REFUSED;
	}
	if (p->role == PB_PRIMARY) {
		sbuf_printf(err, _("n%d is already primary (e%lld)"), i + 1, (long long)p->epoch);
		return PROTO_REFUSED;
	}
	if (p->role == PB_CANDIDATE) {
		sbuf_printf(err, _("n%d is already asking for e%lld"), i + 1,
			    (long long)p->cand_epoch);
		return PROTO_REFUSED;
	}
	pb_start_candidacy(p, true);
	return 0;
}

static const struct proto_cmd pb_cmds[] = {
    {"promote", "NODE",
     N_("make NODE the primary of a new epoch (a majority must answer; the old primary is "
	"deposed when it hears)"),
     cmd_promote},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops primary_ops = {
    .node =
	{
	    .create = pb_create,
	    .destroy = pb_destroy,
	    .on_message = pb_on_message,
	    .on_timer = pb_on_timer,
	    .on_client = pb_on_client,
	    .on_crash = pb_on_crash,
	    .on_restart = pb_on_restart,
	    .describe_msg = pb_describe_msg,
	    .msg_kinds = pb_msgs,
	    .nmsg_kinds = PB_NMSG,
	},
    .name = "primary",
    .summary = N_("leader-follower (primary-backup) replication: sync, semisync or async, "
		  "with failover"),
    .options = pb_options,
    .kv_clients = true,
    .status = pb_status,
    .describe = pb_describe,
    .log_entry = pb_log_entry,
    .option_changed = pb_option_changed,
    .commands = pb_cmds,
    .timeout_cmd = "promote",
    .preds = pb_preds,
    .fuzz_vary = pb_vary,
};

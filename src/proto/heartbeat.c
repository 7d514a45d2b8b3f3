/*
 * heartbeat.c — an all-to-all heartbeat failure detector.
 *
 * Every node sends a Heartbeat to every other node each `interval` of its
 * local clock, and suspects a peer it has not heard from for `timeout`.
 * That is the classic timeout detector: in an asynchronous system it cannot
 * be both complete and accurate (Chandra & Toueg, 1996) — a crashed node and
 * a node behind a slow or cut link look the same from one vantage point.
 *
 * So each heartbeat also carries the set of peers its sender currently
 * hears. A node that suspects p but hears of p from a peer it trusts knows
 * more: p is alive, and the fault is on the path from p to it (a cut or
 * slow link) — "unreachable". A node that suspects p and hears of p from
 * nobody presumes it dead (crashed, or cut off from everyone it can hear).
 * This indirect evidence is the idea behind SWIM's indirect probes
 * (Das, Gupta & Motivala, 2002).
 *
 * Stable storage: none — a detector's knowledge is all volatile. After a
 * restart a node trusts everyone for one timeout before it suspects.
 */
#include "proto/proto.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

enum { HB_OPT_INTERVAL, HB_OPT_TIMEOUT };
enum { HB_TIMER_TICK };
enum { HB_MSG_HEARTBEAT };

static const struct proto_option hb_options[] = {
    {"interval", OPT_DURATION, "100ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("time between two heartbeats to each peer"), true},
    {"timeout", OPT_DURATION, "500ms", NULL, 1 * SIM_MS, 600 * SIM_S,
     N_("silence after which a peer is suspected"), true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind hb_msgs[] = {
    {"Heartbeat", 'h', false},
};

/* The wire format of a heartbeat. */
struct hb_wire {
	uint32_t seq;
	uint32_t pad;
	struct nodeset hears; /* peers the sender heard within its timeout */
};

struct hb_peer {
	sim_time last_heard;  /* local time; the node's start for a fresh peer */
	struct nodeset hears; /* what this peer last said it hears */
	uint32_t seq;         /* the peer's latest heartbeat number heard */
	bool suspected;
};

struct hb {
	struct node *n;
	const struct proto_opts *o;
	uint32_t seq;
	sim_time changed; /* true time of the last change of mind (or start) */
	/* A measurement, not a decision: suspicions contradicted by a later
	 * heartbeat of the same run of the peer (its numbers went on, so it
	 * had not crashed) — Chandra & Toueg's "mistakes". Kept across a
	 * crash of this node, as the observer's count of the whole run. */
	int64_t false_susp;
	struct hb_peer peer[SIM_MAX_NODES];
};

static sim_time opt(const struct hb *h, int i)
{
	return h->o->v[i].i;
}

static void trust_everyone(struct hb *h)
{
	sim_time now = node_local_now(h->n);
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		h->peer[i].last_heard = now;
		h->peer[i].hears = (struct nodeset){{0, 0}};
		h->peer[i].suspected = false;
	}
}

static void *hb_create(struct node *n, const void *config)
{
	const struct proto_opts *o = config; /* the options, as sim_new stored them */
	struct hb *h = xcalloc(1, sizeof *h);
	h->n = n;
	h->o = o;
	trust_everyone(h);
	h->changed = node_trace_time(n);
	/* Stagger the first tick so that nodes do not beat in lockstep. */
	node_set_timer(n, HB_TIMER_TICK, node_rand_range(n, 0, opt(h, HB_OPT_INTERVAL)));
	return h;
}

static void hb_destroy(void *self)
{
	free(self);
}

/* Is peer p (not me) currently heard by me, and should it be suspected? */
static void update_suspicions(struct hb *h)
{
	sim_time now = node_local_now(h->n);
	for (int p = 0; p < node_count(h->n); p++) {
		if (p == h->n->id)
			continue;
		struct hb_peer *pp = &h->peer[p];
		bool s = now - pp->last_heard > opt(h, HB_OPT_TIMEOUT);
		if (s != pp->suspected) {
			pp->suspected = s;
			h->changed = node_trace_time(h->n);
			if (s)
				node_state(h->n, "suspects n%d (silent for more than the timeout)",
					   p + 1);
			else
				node_state(h->n, "trusts n%d again", p + 1);
		}
	}
}

static void hb_on_timer(void *self, int timer)
{
	struct hb *h = self;
	(void)timer;
	update_suspicions(h);
	struct hb_wire w = {.seq = ++h->seq};
	for (int p = 0; p < node_count(h->n); p++)
		if (p != h->n->id && !h->peer[p].suspected)
			nodeset_add(&w.hears, p);
	for (int p = 0; p < node_count(h->n); p++)
		if (p != h->n->id)
			node_send(h->n, p, HB_MSG_HEARTBEAT, &w, sizeof w);
	node_set_timer(h->n, HB_TIMER_TICK, opt(h, HB_OPT_INTERVAL));
}

static void hb_on_message(void *self, const struct msg *m)
{
	struct hb *h = self;
	struct hb_wire w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	struct hb_peer *pp = &h->peer[m->from];
	pp->last_heard = node_local_now(h->n);
	pp->hears = w.hears;
	if (pp->suspected && pp->seq && w.seq > pp->seq)
		h->false_susp++; /* its heartbeats went on: it had not crashed */
	pp->seq = w.seq;
	if (pp->suspected) {
		pp->suspected = false;
		h->changed = node_trace_time(h->n);
		node_state(h->n, "trusts n%d again", m->from + 1);
	}
}

static void hb_on_crash(void *self)
{
	struct hb *h = self;
	memset(h->peer, 0, sizeof h->peer);
	h->seq = 0;
}

static void hb_on_restart(void *self)
{
	struct hb *h = self;
	trust_everyone(h);
	h->changed = node_trace_time(h->n);
	node_set_timer(h->n, HB_TIMER_TICK, node_rand_range(h->n, 0, opt(h, HB_OPT_INTERVAL)));
}

/* Whom among the peers I trust says it hears p? -1 if nobody. */
static int witness(const struct hb *h, int p)
{
	for (int k = 0; k < node_count(h->n); k++)
		if (k != p && k != h->n->id && !h->peer[k].suspected &&
		    nodeset_has(&h->peer[k].hears, p))
			return k;
	return -1;
}

static void hb_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, N_("Detector"), -1, -1, -1};
}

static void hb_describe(const void *self, struct node_view *v)
{
	const struct hb *h = self;
	memset(v, 0, sizeof *v);
	hb_status(self, &v->st);
	v->applied = -1;
	if (!h->n->up) {
		/* A detector keeps nothing on stable storage: a crashed one
		 * knows nothing, and says only that. */
		ns_strlcpy(v->badge, _("down"), sizeof v->badge);
		ns_strlcpy(v->lines[v->nlines++],
			   _("down: a detector keeps nothing across a crash"), VIEW_LINE_LEN);
		return;
	}
	sim_time now = node_local_now(h->n);
	int nsusp = 0;
	char tbuf[32];
	for (int p = 0; p < node_count(h->n) && v->nlines < VIEW_LINES; p++) {
		if (p == h->n->id)
			continue;
		const struct hb_peer *pp = &h->peer[p];
		simtime_fmt_dur((now - pp->last_heard) / 1000 * 1000, tbuf, sizeof tbuf);
		char *line = v->lines[v->nlines++];
		if (!pp->suspected) {
			ns_snprintf(line, VIEW_LINE_LEN, _("n%d trusted, heard %s ago"), p + 1,
				    tbuf);
			continue;
		}
		nsusp++;
		int w = witness(h, p);
		if (w >= 0)
			ns_snprintf(line, VIEW_LINE_LEN,
				    _("n%d unreachable: silent %s, but n%d hears it"), p + 1, tbuf,
				    w + 1);
		else
			ns_snprintf(line, VIEW_LINE_LEN, _("n%d presumed dead: silent %s"), p + 1,
				    tbuf);
	}
	/* The timers: each trusted peer's silence against the timeout, the
	 * nearest to being suspected first (it is the one in the box). Local
	 * deadlines converted to true time (struct view_timer). */
	sim_time tnow = node_trace_time(h->n);
	for (int p = 0; p < node_count(h->n); p++) {
		const struct hb_peer *pp = &h->peer[p];
		if (p == h->n->id || pp->suspected)
			continue;
		char name[32];
		ns_snprintf(name, sizeof name, _("silence of n%d"), p + 1);
		sim_time since = tnow - (now - pp->last_heard);
		view_add_timer(v, name, VT_SILENCE, p, since, since + opt(h, HB_OPT_TIMEOUT));
	}
	for (int i = 1; i < v->ntimers; i++)
		for (int k = i; k > 0 && v->timers[k].fires_at < v->timers[k - 1].fires_at; k--) {
			struct view_timer tmp = v->timers[k];
			v->timers[k] = v->timers[k - 1];
			v->timers[k - 1] = tmp;
		}
	sim_time a, f;
	if (node_timer_span(h->n, HB_TIMER_TICK, &a, &f))
		view_add_timer(v, _("next heartbeat"), VT_PERIODIC, -1, a, f);
	if (nsusp)
		ns_snprintf(v->badge, sizeof v->badge, P_("suspects %d", "suspects %d", nsusp),
			    nsusp);
	else
		ns_strlcpy(v->badge, _("trusts all"), sizeof v->badge);
}

static void hb_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct hb_wire w;
	if (m->len != sizeof w) {
		sbuf_puts(out, "Heartbeat ?");
		return;
	}
	memcpy(&w, m->data, sizeof w);
	sbuf_printf(out, "Heartbeat #%u hears", w.seq);
	int any = 0;
	for (int p = 0; p < SIM_MAX_NODES; p++)
		if (nodeset_has(&w.hears, p)) {
			sbuf_printf(out, "%sn%d", any++ ? "," : " ", p + 1);
		}
	if (!any)
		sbuf_puts(out, " nobody");
}

/* A traitor's heartbeat (sim.h, Byzantine nodes): it lies about whom it
 * hears — flipping, by r's bits, its word on each peer but the receiver,
 * and at least one. Claiming to hear a crashed node makes the others call
 * it "unreachable" instead of "presumed dead": indirect evidence is only
 * as good as the witness. */
static void hb_corrupt_msg(const struct node *from, int to, int type, void *buf, size_t *len,
			   size_t cap, uint64_t r)
{
	struct hb_wire w;
	(void)type;
	(void)cap;
	if (*len != sizeof w)
		return;
	memcpy(&w, buf, sizeof w);
	int n = node_count(from), first = -1, flipped = 0;
	for (int p = 0; p < n; p++) {
		if (p == from->id || p == to)
			continue;
		if (first < 0)
			first = p;
		if ((r >> (p % 64)) & 1) {
			w.hears.w[p >> 6] ^= (uint64_t)1 << (p & 63);
			flipped++;
		}
	}
	if (!flipped && first >= 0)
		w.hears.w[first >> 6] ^= (uint64_t)1 << (first & 63);
	memcpy(buf, &w, sizeof w);
}

/* ---- predicates ------------------------------------------------------------- */

/* The observers named in arg 1, or every up node but the subject. */
static struct nodeset observers(struct sim *s, const struct proto_args *a, int subject)
{
	if (a->a[1].present)
		return a->a[1].set;
	struct nodeset set = {{0, 0}};
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != subject && sim_node(s, i)->up)
			nodeset_add(&set, i);
	return set;
}

enum verdict { V_TRUSTED, V_UNREACHABLE, V_DEAD };

static bool judge_all(struct sim *s, const struct proto_args *a, struct sbuf *why,
		      bool (*want)(enum verdict))
{
	int p = a->a[0].node;
	struct nodeset obs = observers(s, a, p);
	bool all = !nodeset_empty(&obs), first = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!nodeset_has(&obs, i) || i == p)
			continue;
		const struct hb *h = sim_node(s, i)->self;
		enum verdict v = !sim_node(s, i)->up     ? V_TRUSTED
				 : !h->peer[p].suspected ? V_TRUSTED
				 : witness(h, p) >= 0    ? V_UNREACHABLE
							 : V_DEAD;
		bool ok = sim_node(s, i)->up && want(v);
		if (!ok)
			all = false;
		const char *word = !sim_node(s, i)->up  ? _("is down")
				   : v == V_TRUSTED     ? _("trusts it")
				   : v == V_UNREACHABLE ? _("finds it unreachable")
							: _("presumes it dead");
		sbuf_printf(why, "%sn%d %s", first ? "" : ", ", i + 1, word);
		first = false;
	}
	return all;
}

static bool want_suspected(enum verdict v)
{
	return v != V_TRUSTED;
}
static bool want_unreachable(enum verdict v)
{
	return v == V_UNREACHABLE;
}
static bool want_dead(enum verdict v)
{
	return v == V_DEAD;
}
static bool want_trusted(enum verdict v)
{
	return v == V_TRUSTED;
}

static bool pred_suspected(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge_all(s, a, why, want_suspected);
}
static bool pred_unreachable(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge_all(s, a, why, want_unreachable);
}
static bool pred_dead(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge_all(s, a, why, want_dead);
}
static bool pred_trusted(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge_all(s, a, why, want_trusted);
}

/* settled DURATION: every up node trusts every up peer and has not changed
 * its mind about anyone for DURATION. */
static bool pred_settled(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	sim_time now = sim_now(s), need = a->a[0].num;
	char tb[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up)
			continue;
		const struct hb *h = sim_node(s, i)->self;
		for (int p = 0; p < sim_nodes(s); p++)
			if (p != i && sim_node(s, p)->up && h->peer[p].suspected) {
				sbuf_printf(why, _("n%d suspects n%d, which is up"), i + 1, p + 1);
				return false;
			}
		if (now - h->changed < need) {
			sbuf_printf(
			    why, _("n%d changed its mind %s ago"), i + 1,
			    simtime_fmt_dur((now - h->changed) / 1000 * 1000, tb, sizeof tb));
			return false;
		}
	}
	sbuf_printf(why, _("no change of mind for %s"), simtime_fmt_dur(need, tb, sizeof tb));
	return true;
}

/* false-suspicions >=|<= INT: mistakes so far, by every node together. */
static bool pred_false(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int64_t total = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		total += ((const struct hb *)sim_node(s, i)->self)->false_susp;
	sbuf_printf(why, P_("%lld false suspicion", "%lld false suspicions", total),
		    (long long)total);
	return !strcmp(a->a[0].str, ">=") ? total >= a->a[1].num : total <= a->a[1].num;
}

static const struct proto_pred hb_preds[] = {
    {"settled", "DURATION",
     N_("every up node trusts every up peer, with no change of mind for DURATION"), pred_settled},
    {"suspected", "NODE [by NODES]",
     N_("every observer (default: every other up node) suspects NODE"), pred_suspected},
    {"unreachable", "NODE [by NODES]",
     N_("every observer suspects NODE but hears from a peer that NODE is alive"), pred_unreachable},
    {"presumed-dead", "NODE [by NODES]",
     N_("every observer suspects NODE and no peer it trusts hears NODE"), pred_dead},
    {"trusted", "NODE [by NODES]", N_("no observer suspects NODE"), pred_trusted},
    {"false-suspicions", ">=|<= INT",
     N_("mistakes so far, by every node together: suspicions ended by a later heartbeat "
	"from a peer that had not crashed"),
     pred_false},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops heartbeat_ops = {
    .node =
	{
	    .create = hb_create,
	    .destroy = hb_destroy,
	    .on_message = hb_on_message,
	    .on_timer = hb_on_timer,
	    .on_crash = hb_on_crash,
	    .on_restart = hb_on_restart,
	    .describe_msg = hb_describe_msg,
	    .corrupt_msg = hb_corrupt_msg,
	    .msg_kinds = hb_msgs,
	    .nmsg_kinds = 1,
	},
    .name = "heartbeat",
    .summary = N_("all-to-all heartbeat failure detector: crashed, or just unreachable?"),
    .options = hb_options,
    .status = hb_status,
    .describe = hb_describe,
    .preds = hb_preds,
};

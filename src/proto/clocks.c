/*
 * clocks.c — time and order: every event stamped with a Lamport clock, a
 * vector clock, a hybrid logical clock, the physical clock and a TrueTime
 * interval, so that a learner can compare what each says about order.
 *
 * Nodes do local events (`event n1 a`), send messages (`send n1 n2 m`:
 * the send is event m, its receipt m.recv), commit (`commit n1 x`, with
 * Spanner's commit wait) or a random mix of these (option `every`). Each
 * event is stamped by the rules of the papers, quoted beside the code:
 *
 *   - Lamport (1978), "Time, Clocks, and the Ordering of Events in a
 *     Distributed System": IR1 and IR2. The clock condition holds (a -> b
 *     implies C(a) < C(b)), but C(a) < C(b) does not imply a -> b.
 *   - Vector clocks, Fidge (1988) and Mattern (1988): V(a) < V(b) exactly
 *     when a -> b; incomparable clocks are concurrent events.
 *   - Hybrid logical clocks, Kulkarni, Demirbas, Madappa, Avva & Leone
 *     (2014), "Logical Physical Clocks", Figure 5: (l, c), where l is the
 *     largest physical time the event has heard of and c counts events
 *     that share it. l >= pt, and l - pt is bounded by the clock skew.
 *   - TrueTime, Corbett et al. (2012), "Spanner", section 3: TT.now()
 *     returns [earliest, latest] = [pt - eps, pt + eps], assumed to contain
 *     true time; commit wait (section 4.1.2) holds a commit with timestamp
 *     s = TT.now().latest until TT.after(s), about 2 eps.
 *
 * The physical clock is the node's local clock (node_local_now), which
 * the simulator skews and drifts (`clock n2 skew -200ms drift 1%`): that is
 * what makes `physical b < physical a and happened-before a b` possible.
 *
 * Stable storage: the clocks (Lamport counter, vector, (l, c)) and the
 * list of events. A real process must keep its logical clocks across a
 * restart, or its events after the restart could be stamped lower than
 * its events before it — which the clock condition forbids (program order
 * is part of happened-before). Volatile: the commits waiting out their
 * uncertainty, which a crash abandons.
 */
#include "proto/clocks.h"

#include "proto/hlc.h"

#include "proto/proto.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CLK_OPT_EPSILON, CLK_OPT_COMMITWAIT, CLK_OPT_EVERY, CLK_OPT_SHOW };
enum { CLK_TIMER_WORK, CLK_TIMER_WAIT };
enum { CLK_MSG };
enum {
	SHOW_LAMPORT = CLK_SHOW_LAMPORT,
	SHOW_VECTOR = CLK_SHOW_VECTOR,
	SHOW_HLC = CLK_SHOW_HLC,
	SHOW_PHYSICAL = CLK_SHOW_PHYSICAL,
	SHOW_TRUETIME = CLK_SHOW_TRUETIME
};

const char *const clocks_show_words[CLK_SHOW_COUNT] = {"lamport", "vector", "hlc", "physical",
						       "truetime"};

static const struct proto_option clk_options[] = {
    {"epsilon", OPT_DURATION, "7ms", NULL, 0, 10 * SIM_S,
     N_("TrueTime uncertainty: TT.now() is [clock - epsilon, clock + epsilon]"), true},
    {"commitwait", OPT_BOOL, "on", NULL, 0, 0,
     N_("a commit is acknowledged only once TT.after(its timestamp) holds"), true},
    {"every", OPT_DURATION, "500ms", NULL, 0, 60 * SIM_S,
     N_("random workload: each node acts about this often (0ms: only by command)"), true},
    {"show", OPT_CHOICE, "lamport", "lamport|vector|hlc|physical|truetime", 0, 0,
     N_("the clock shown on each node's box"), true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind clk_msgs[] = {
    {"Message", 'm', false},
};

static const struct proto_vary clk_vary[] = {
    {"every", "20ms|50ms|100ms"},
    {"epsilon", "1ms|7ms|50ms"},
    {NULL, NULL},
};

/* The wire: the send event's index and stamps, its name, then the vector
 * clock in vclock_encode's form. */
struct clk_wire {
	uint32_t index;
	uint32_t hlc_c;
	uint64_t lamport;
	int64_t hlc_l;
	char name[CLK_NAME_MAX];
};

#define CLK_WIRE_MAX (sizeof(struct clk_wire) + VCLOCK_WIRE_MAX)
#define CLK_MAX_WAIT 64 /* commits waiting at one node */

struct clk {
	struct node *n;
	const struct proto_opts *o;
	/* stable */
	uint64_t lamport;
	struct vclock vc;
	int64_t hlc_l;
	uint32_t hlc_c;
	struct clk_event *ev;
	uint32_t nev;
	size_t cap;
	/* volatile: commits in their commit wait (indexes of CLK_COMMIT events) */
	uint32_t waiting[CLK_MAX_WAIT];
	int nwaiting;
};

static int64_t opt(const struct clk *k, int i)
{
	return k->o->v[i].i;
}

static const struct proto_ops *clk_self_ops(void);

/* ---- the clocks --------------------------------------------------------------- */

/* A new event of this node, stamped with its physical clock and TrueTime
 * interval; the logical clocks are the caller's to advance. */
static struct clk_event *new_event(struct clk *k, enum clk_kind kind, const char *name)
{
	xgrow((void **)&k->ev, &k->cap, k->nev + 1, sizeof *k->ev);
	struct clk_event *e = &k->ev[k->nev++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	ns_strlcpy(e->name, name ? name : "", sizeof e->name);
	e->node = k->n->id;
	e->index = k->nev;
	e->peer = -1;
	e->true_at = node_trace_time(k->n);
	e->pt = node_local_now(k->n);
	/* Spanner section 3: "TT.now() returns a TTinterval that is
	 * guaranteed to contain the absolute time during which TT.now() was
	 * invoked" — guaranteed only while the clock's error is within eps. */
	e->tt_earliest = e->pt - opt(k, CLK_OPT_EPSILON);
	e->tt_latest = e->pt + opt(k, CLK_OPT_EPSILON);
	return e;
}

static void stamp(struct clk *k, struct clk_event *e)
{
	e->lamport = k->lamport;
	e->vc = k->vc;
	e->hlc_l = k->hlc_l;
	e->hlc_c = k->hlc_c;
}

/* A local or send event: the rules that need nothing from a message. */
static void tick(struct clk *k, struct clk_event *e)
{
	/* Lamport IR1: "Each process Pi increments Ci between any two
	 * successive events." */
	k->lamport++;
	/* Fidge, Mattern: a process counts its own events in its own entry. */
	vclock_increment(&k->vc, k->n->id);
	/* Kulkarni et al. 2014, Figure 5, "Send or local event" (hlc.c). */
	hlc_local(&k->hlc_l, &k->hlc_c, e->pt);
	stamp(k, e);
}

/* A receive event of message w (with vector clock vm) from node `from`. */
static void tick_recv(struct clk *k, struct clk_event *e, const struct clk_wire *w,
		      const struct vclock *vm)
{
	/* Lamport IR2(b): "Upon receiving a message m, process Pj sets Cj
	 * greater than or equal to its present value and greater than Tm." */
	k->lamport = MAX(k->lamport, w->lamport) + 1;
	/* Mattern 1988: on receipt, the pointwise maximum of the local and
	 * the message's vector, then count the receive itself. */
	vclock_merge(&k->vc, vm);
	vclock_increment(&k->vc, k->n->id);
	/* Kulkarni et al. 2014, Figure 5, "Receive event of message m"
	 * (hlc.c). */
	hlc_recv(&k->hlc_l, &k->hlc_c, w->hlc_l, w->hlc_c, e->pt);
	stamp(k, e);
}

/* ---- what a node does ------------------------------------------------------------ */

static void do_local(struct clk *k, const char *name)
{
	struct clk_event *e = new_event(k, CLK_LOCAL, name);
	tick(k, e);
}

static void do_send(struct clk *k, int to, const char *name)
{
	struct clk_event *e = new_event(k, CLK_SEND, name);
	e->peer = to;
	tick(k, e);
	/* Lamport IR2(a): "If event a is the sending of a message m by
	 * process Pi, then the message m contains a timestamp Tm = Ci(a)." */
	uint8_t buf[CLK_WIRE_MAX];
	struct clk_wire w = {
	    .index = e->index, .hlc_c = e->hlc_c, .lamport = e->lamport, .hlc_l = e->hlc_l};
	ns_strlcpy(w.name, e->name, sizeof w.name);
	memcpy(buf, &w, sizeof w);
	size_t vn = vclock_encode(&e->vc, buf + sizeof w, sizeof buf - sizeof w);
	node_send(k->n, to, CLK_MSG, buf, sizeof w + vn);
}

/* The earliest moment, on this node's clock, at which TT.after(s) holds:
 * TT.now().earliest > s, that is pt - eps > s. */
static void arm_wait(struct clk *k)
{
	if (!k->nwaiting) {
		node_cancel_timer(k->n, CLK_TIMER_WAIT);
		return;
	}
	sim_time pt = node_local_now(k->n), due = SIM_NEVER;
	for (int i = 0; i < k->nwaiting; i++)
		due = MIN(due, k->ev[k->waiting[i] - 1].commit_ts + opt(k, CLK_OPT_EPSILON) + 1);
	node_set_timer(k->n, CLK_TIMER_WAIT, MAX(0, due - pt));
}

static void finish_commit(struct clk *k, uint32_t commit)
{
	char name[CLK_NAME_MAX + 8] = "";
	const struct clk_event *c = &k->ev[commit - 1];
	if (c->name[0])
		snprintf(name, sizeof name, "%s.done", c->name);
	sim_time s = c->commit_ts;
	struct clk_event *e = new_event(k, CLK_DONE, name);
	e->parent = commit;
	e->commit_ts = s;
	tick(k, e);
	char tb[32];
	node_state(k->n, "acknowledges commit n%d.%u at s=%s", k->n->id + 1, commit,
		   simtime_fmt(s, tb, sizeof tb));
}

/* Spanner 4.1.2: "the coordinator leader chooses a timestamp s ... no
 * less than TT.now().latest"; "Commit Wait: The coordinator leader ensures
 * that clients cannot see any data committed by Ti until TT.after(si) is
 * true." With commitwait=off the commit is acknowledged at once. */
static void do_commit(struct clk *k, const char *name)
{
	struct clk_event *e = new_event(k, CLK_COMMIT, name);
	tick(k, e);
	e->commit_ts = e->tt_latest;
	if (!opt(k, CLK_OPT_COMMITWAIT) || k->nwaiting == CLK_MAX_WAIT) {
		finish_commit(k, e->index);
		return;
	}
	k->waiting[k->nwaiting++] = e->index;
	arm_wait(k);
}

static void check_waits(struct clk *k)
{
	sim_time earliest = node_local_now(k->n) - opt(k, CLK_OPT_EPSILON);
	bool off = !opt(k, CLK_OPT_COMMITWAIT);
	for (int i = 0; i < k->nwaiting;) {
		uint32_t c = k->waiting[i];
		if (off || earliest > k->ev[c - 1].commit_ts) { /* TT.after(s) */
			memmove(&k->waiting[i], &k->waiting[i + 1],
				(size_t)(k->nwaiting - i - 1) * sizeof k->waiting[0]);
			k->nwaiting--;
			finish_commit(k, c);
		} else {
			i++;
		}
	}
	arm_wait(k);
}

static void arm_work(struct clk *k)
{
	sim_time every = opt(k, CLK_OPT_EVERY);
	if (every <= 0) {
		node_cancel_timer(k->n, CLK_TIMER_WORK);
		return;
	}
	node_set_timer(k->n, CLK_TIMER_WORK, node_rand_range(k->n, every / 2, every * 3 / 2));
}

/* One random action: a local event, a send to a random peer (most often)
 * or a commit. */
static void work(struct clk *k)
{
	int r = (int)node_rand_range(k->n, 0, 9), n = node_count(k->n);
	if (r < 3 || n < 2) {
		if (r == 0)
			do_commit(k, NULL);
		else
			do_local(k, NULL);
	} else {
		int to = (int)node_rand_range(k->n, 0, n - 2);
		do_send(k, to >= k->n->id ? to + 1 : to, NULL);
	}
	arm_work(k);
}

/* ---- node callbacks -------------------------------------------------------------- */

static void *clk_create(struct node *n, const void *config)
{
	struct clk *k = xcalloc(1, sizeof *k);
	k->n = n;
	k->o = config;
	/* The paper starts l at 0 with clocks that start at 0; a simulated
	 * clock skewed back reads below 0, so l starts below every reading
	 * (the first event takes l = pt, c = 0). */
	k->hlc_l = HLC_NONE;
	arm_work(k);
	return k;
}

static void clk_destroy(void *self)
{
	struct clk *k = self;
	if (!k)
		return;
	free(k->ev);
	free(k);
}

static void clk_on_timer(void *self, int timer)
{
	struct clk *k = self;
	if (timer == CLK_TIMER_WORK)
		work(k);
	else
		check_waits(k);
}

static bool decode(const struct msg *m, struct clk_wire *w, struct vclock *vc)
{
	if (m->len < sizeof *w)
		return false;
	memcpy(w, m->data, sizeof *w);
	w->name[CLK_NAME_MAX - 1] = '\0';
	size_t rest = m->len - sizeof *w;
	return vclock_decode(vc, (const uint8_t *)m->data + sizeof *w, rest) == rest;
}

static void clk_on_message(void *self, const struct msg *m)
{
	struct clk *k = self;
	struct clk_wire w;
	struct vclock vm;
	if (!decode(m, &w, &vm))
		return;
	char name[CLK_NAME_MAX + 8] = "";
	/* The first receipt of m is m.recv; a duplicate has only its id. (No
	 * user name holds a '.', so m.recv names nothing else.) */
	if (w.name[0] && !(m->flags & MSG_DUPLICATE))
		snprintf(name, sizeof name, "%s.recv", w.name);
	struct clk_event *e = new_event(k, CLK_RECV, name);
	e->peer = m->from;
	e->parent = w.index;
	tick_recv(k, e, &w, &vm);
}

static void clk_on_crash(void *self)
{
	struct clk *k = self;
	k->nwaiting = 0; /* commits in their wait are abandoned */
}

static void clk_on_restart(void *self)
{
	struct clk *k = self;
	arm_work(k);
}

static void clk_option_changed(void *self, int o)
{
	struct clk *k = self;
	if (!k->n->up)
		return;
	if (o == CLK_OPT_EVERY)
		arm_work(k);
	else if (o == CLK_OPT_EPSILON || o == CLK_OPT_COMMITWAIT)
		check_waits(k);
}

/* ---- views ------------------------------------------------------------------------ */

static void clk_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, N_("Clock"), -1, -1, -1};
}

/* One clock of event e (or of the node's current clocks when e has them
 * copied in), as the `show` option names it. */
static void fmt_clock(const struct clk_event *e, int which, struct sbuf *out)
{
	clocks_fmt_stamp(e, (enum clk_show)which, out);
}

void clocks_fmt_stamp(const struct clk_event *e, enum clk_show which, struct sbuf *out)
{
	char a[32], b[32];
	switch (which) {
	case SHOW_LAMPORT: sbuf_printf(out, "L%llu", (unsigned long long)e->lamport); break;
	case SHOW_VECTOR: vclock_fmt(&e->vc, out); break;
	case SHOW_HLC: hlc_fmt(e->hlc_l, e->hlc_c, out); break;
	case SHOW_PHYSICAL: sbuf_puts(out, simtime_fmt(e->pt, a, sizeof a)); break;
	default:
		sbuf_printf(out, "[%s,%s]", simtime_fmt(e->tt_earliest, a, sizeof a),
			    simtime_fmt(e->tt_latest, b, sizeof b));
	}
}

char *clocks_id(const struct clk_event *e, char *buf, size_t n)
{
	snprintf(buf, n, "n%d.%u", e->node + 1, e->index);
	return buf;
}

static const char *kind_word(enum clk_kind k)
{
	switch (k) {
	case CLK_LOCAL: return "event";
	case CLK_SEND: return "send";
	case CLK_RECV: return "recv";
	case CLK_COMMIT: return "commit";
	default: return "done";
	}
}

/* "n1.3 a send->n2 L3 [n1:3] 1.002s,0 pt=1.002s" */
static void fmt_event(const struct clk_event *e, struct sbuf *out)
{
	char id[24], tb[32];
	sbuf_printf(out, "%s", clocks_id(e, id, sizeof id));
	if (e->name[0])
		sbuf_printf(out, " %s", e->name);
	sbuf_printf(out, " %s", kind_word(e->kind));
	if (e->kind == CLK_SEND)
		sbuf_printf(out, "->n%d", e->peer + 1);
	else if (e->kind == CLK_RECV)
		sbuf_printf(out, "<-n%d.%u", e->peer + 1, e->parent);
	sbuf_printf(out, " L%llu ", (unsigned long long)e->lamport);
	vclock_fmt(&e->vc, out);
	sbuf_puts(out, " hlc ");
	hlc_fmt(e->hlc_l, e->hlc_c, out);
	sbuf_printf(out, " pt %s", simtime_fmt(e->pt, tb, sizeof tb));
	if (e->kind == CLK_COMMIT) /* the commit's timestamp s = TT.now().latest */
		sbuf_printf(out, " s=%s", simtime_fmt(e->commit_ts, tb, sizeof tb));
}

static void clk_describe(const void *self, struct node_view *v)
{
	const struct clk *k = self;
	memset(v, 0, sizeof *v);
	clk_status(self, &v->st);
	v->applied = -1;
	char a[32], b[32];
	struct clk_event now = {0};
	now.lamport = k->lamport;
	now.vc = k->vc;
	now.hlc_l = k->hlc_l;
	now.hlc_c = k->hlc_c;
	now.pt = node_local_now(k->n);
	now.tt_earliest = now.pt - opt(k, CLK_OPT_EPSILON);
	now.tt_latest = now.pt + opt(k, CLK_OPT_EPSILON);
	struct sbuf s = {0};
	fmt_clock(&now, (int)opt(k, CLK_OPT_SHOW), &s);
	ns_strlcpy(v->badge, sbuf_str(&s), sizeof v->badge);
	sbuf_free(&s);

	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("Lamport clock %llu"),
		    (unsigned long long)k->lamport);
	struct sbuf vb = {0};
	vclock_fmt(&k->vc, &vb);
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("vector clock %s"), sbuf_str(&vb));
	sbuf_free(&vb);
	struct sbuf hb = {0};
	hlc_fmt(k->hlc_l, k->hlc_c, &hb);
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("hybrid logical clock (l,c) %s"),
		    sbuf_str(&hb));
	sbuf_free(&hb);
	sim_time off = now.pt - node_trace_time(k->n);
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
		    _("physical clock %s (%s%s off true time)"), simtime_fmt(now.pt, a, sizeof a),
		    off < 0 ? "-" : "+", simtime_fmt_dur(off < 0 ? -off : off, b, sizeof b));
	char c[32];
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("TrueTime [%s, %s] epsilon %s"),
		    simtime_fmt(now.tt_earliest, a, sizeof a),
		    simtime_fmt(now.tt_latest, b, sizeof b),
		    simtime_fmt_dur(opt(k, CLK_OPT_EPSILON), c, sizeof c));
	if (k->nwaiting)
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    P_("%d commit in its commit wait", "%d commits in their commit wait",
			       k->nwaiting),
			    k->nwaiting);
	ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
		    P_("%u event; the newest first:", "%u events; the newest first:", k->nev),
		    k->nev);
	/* Newest first: a small pane shows the latest. */
	for (uint32_t i = k->nev; i > 0 && v->nlines < VIEW_LINES; i--) {
		struct sbuf e = {0};
		sbuf_puts(&e, " ");
		fmt_event(&k->ev[i - 1], &e);
		ns_strlcpy(v->lines[v->nlines++], sbuf_str(&e), VIEW_LINE_LEN);
		sbuf_free(&e);
	}
}

static void clk_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct clk_wire w;
	struct vclock vc;
	if (!decode(m, &w, &vc)) {
		sbuf_puts(out, "Message ?");
		return;
	}
	sbuf_printf(out, "Message %s%sn%d.%u L%llu ", w.name, w.name[0] ? " " : "", m->from + 1,
		    w.index, (unsigned long long)w.lamport);
	vclock_fmt(&vc, out);
	sbuf_puts(out, " hlc ");
	hlc_fmt(w.hlc_l, w.hlc_c, out);
}

/* ---- the events, for the check layer and the predicates ------------------------ */

const struct clk_event *clocks_events(struct sim *s, int i, uint32_t *n)
{
	*n = 0;
	if (sim_proto(s) != clk_self_ops() || i < 0 || i >= sim_nodes(s))
		return NULL;
	const struct clk *k = proto_self(s, i);
	*n = k->nev;
	return k->ev;
}

static bool parse_id(const char *w, int *node, uint32_t *index)
{
	int nd;
	unsigned idx;
	char tail;
	if (sscanf(w, "n%d.%u%c", &nd, &idx, &tail) != 2 || nd < 1 || idx < 1)
		return false;
	*node = nd - 1;
	*index = idx;
	return true;
}

const struct clk_event *clocks_find(struct sim *s, const char *word)
{
	int node;
	uint32_t index, n;
	if (parse_id(word, &node, &index)) {
		const struct clk_event *ev = clocks_events(s, node, &n);
		return ev && index <= n ? &ev[index - 1] : NULL;
	}
	if (!word[0])
		return NULL;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct clk_event *ev = clocks_events(s, i, &n);
		for (uint32_t j = 0; j < n; j++)
			if (!strcmp(ev[j].name, word))
				return &ev[j];
	}
	return NULL;
}

bool clocks_waiting(struct sim *s, const struct clk_event *e)
{
	uint32_t n;
	if (e->kind != CLK_COMMIT || !clocks_events(s, e->node, &n))
		return false;
	const struct clk *k = proto_self(s, e->node);
	for (int i = 0; i < k->nwaiting; i++)
		if (k->waiting[i] == e->index)
			return true;
	return false;
}

enum clk_show clocks_shown(struct sim *s)
{
	return (enum clk_show)sim_opts(s)->v[CLK_OPT_SHOW].i;
}

bool clocks_commit_wait(struct sim *s)
{
	return sim_opts(s)->v[CLK_OPT_COMMITWAIT].i != 0;
}

sim_time clocks_epsilon(struct sim *s)
{
	return sim_opts(s)->v[CLK_OPT_EPSILON].i;
}

/* b's causal past (Lamport 1978: happened-before is the smallest relation
 * with (1) program order, (2) a send before its receipt, (3)
 * transitivity), searched backwards from b over the event graph, never
 * from a clock.
 * The past of an event is closed under program order, so it is held as
 * one number per node: upto[i], every event of node i up to that index.
 * Each event is visited at most once: O(events). */
void clocks_past(struct sim *s, const struct clk_event *b, uint32_t *upto)
{
	int n = sim_nodes(s);
	memset(upto, 0, (size_t)n * sizeof *upto);
	struct item {
		int node;
		uint32_t index;
	} *todo = NULL;
	size_t nt = 0, cap = 0;
	xgrow((void **)&todo, &cap, 2, sizeof *todo);
	todo[nt++] = (struct item){b->node, b->index - 1}; /* b's strict past on its node */
	if (b->kind == CLK_RECV)
		todo[nt++] = (struct item){b->peer, b->parent}; /* the send, and its past */
	while (nt) {
		struct item it = todo[--nt];
		if (it.node < 0 || it.node >= n || it.index <= upto[it.node])
			continue;
		uint32_t cnt;
		const struct clk_event *ev = clocks_events(s, it.node, &cnt);
		it.index = MIN(it.index, cnt);
		for (uint32_t i = upto[it.node] + 1; i <= it.index; i++)
			if (ev[i - 1].kind == CLK_RECV) {
				xgrow((void **)&todo, &cap, nt + 1, sizeof *todo);
				todo[nt++] = (struct item){ev[i - 1].peer, ev[i - 1].parent};
			}
		upto[it.node] = MAX(upto[it.node], it.index);
	}
	free(todo);
}

/* Does a happen before b? */
static bool happened_before(struct sim *s, const struct clk_event *a, const struct clk_event *b)
{
	uint32_t *upto = xcalloc((size_t)sim_nodes(s), sizeof *upto);
	clocks_past(s, b, upto);
	bool hb = a->index <= upto[a->node];
	free(upto);
	return hb;
}

/* ---- commands -------------------------------------------------------------------- */

static bool check_name(struct sim *s, const char *name, struct sbuf *err)
{
	if (!name[0])
		return true;
	if (strchr(name, '.')) {
		sbuf_printf(err, _("%s: an event name may not contain '.' (n1.3 is an event's id)"),
			    name);
		return false;
	}
	if (strlen(name) >= CLK_NAME_MAX - 5) {
		sbuf_printf(err, _("%s: an event name has at most %d characters"), name,
			    CLK_NAME_MAX - 6);
		return false;
	}
	if (clocks_find(s, name)) {
		sbuf_printf(err, _("there is already an event called %s"), name);
		return false;
	}
	return true;
}

static bool up_or_say(struct sim *s, int i, struct sbuf *err)
{
	if (sim_node(s, i)->up)
		return true;
	sbuf_printf(err, _("n%d is down: a crashed node does nothing"), i + 1);
	return false;
}

static const char *opt_word(const struct proto_args *a, int i)
{
	return a->a[i].present ? a->a[i].str : "";
}

static int cmd_event(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node;
	if (!up_or_say(s, i, err) || !check_name(s, opt_word(a, 1), err))
		return -1;
	do_local(proto_self(s, i), opt_word(a, 1));
	return 0;
}

static int cmd_send(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node, j = a->a[1].node;
	if (i == j) {
		sbuf_printf(err, _("n%d cannot send a message to itself: use event"), i + 1);
		return -1;
	}
	if (!up_or_say(s, i, err) || !check_name(s, opt_word(a, 2), err))
		return -1;
	do_send(proto_self(s, i), j, opt_word(a, 2));
	return 0;
}

static int cmd_commit(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int i = a->a[0].node;
	if (!up_or_say(s, i, err) || !check_name(s, opt_word(a, 1), err))
		return -1;
	do_commit(proto_self(s, i), opt_word(a, 1));
	return 0;
}

static const struct proto_cmd clk_cmds[] = {
    {"event", "NODE [WORD]", N_("NODE does a local event, called WORD"), cmd_event},
    {"send", "NODE NODE [WORD]",
     N_("the first NODE sends a message to the second: the send is event WORD, its receipt "
	"WORD.recv"),
     cmd_send},
    {"commit", "NODE [WORD]",
     N_("NODE commits with timestamp TT.now().latest; WORD.done when acknowledged"), cmd_commit},
    {NULL, NULL, NULL, NULL},
};

/* ---- predicates ------------------------------------------------------------------- */

static bool two_events(struct sim *s, const struct proto_args *a, const struct clk_event **x,
		       const struct clk_event **y, struct sbuf *why)
{
	*x = clocks_find(s, a->a[0].str);
	*y = clocks_find(s, a->a[1].str);
	if (!*x || !*y) {
		sbuf_printf(why, _("there is no event called %s"), !*x ? a->a[0].str : a->a[1].str);
		return false;
	}
	return true;
}

static bool pred_hb(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct clk_event *x, *y;
	if (!two_events(s, a, &x, &y, why))
		return false;
	bool hb = happened_before(s, x, y);
	sbuf_printf(why, hb ? _("%s happened before %s") : _("%s did not happen before %s"),
		    a->a[0].str, a->a[1].str);
	return hb;
}

static bool pred_concurrent(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct clk_event *x, *y;
	if (!two_events(s, a, &x, &y, why))
		return false;
	if (x == y) {
		sbuf_printf(why, _("%s is one event"), a->a[0].str);
		return false;
	}
	if (happened_before(s, x, y)) {
		sbuf_printf(why, _("%s happened before %s"), a->a[0].str, a->a[1].str);
		return false;
	}
	if (happened_before(s, y, x)) {
		sbuf_printf(why, _("%s happened before %s"), a->a[1].str, a->a[0].str);
		return false;
	}
	sbuf_printf(why, _("neither happened before the other"));
	return true;
}

/* `CLOCK a < CLOCK b`: compares one clock's stamps, and says both. */
static bool compare(struct sim *s, const struct proto_args *a, struct sbuf *why, int which)
{
	const struct clk_event *x, *y;
	if (!two_events(s, a, &x, &y, why))
		return false;
	bool lt;
	switch (which) {
	case SHOW_LAMPORT: lt = x->lamport < y->lamport; break;
	case SHOW_VECTOR: lt = vclock_compare(&x->vc, &y->vc) == VC_BEFORE; break;
	case SHOW_HLC: lt = hlc_less(x->hlc_l, x->hlc_c, y->hlc_l, y->hlc_c); break;
	case SHOW_PHYSICAL: lt = x->pt < y->pt; break;
	default: lt = x->tt_latest < y->tt_earliest; break; /* TT says: surely before */
	}
	sbuf_printf(why, "%s ", a->a[0].str);
	fmt_clock(x, which, why);
	sbuf_printf(why, ", %s ", a->a[1].str);
	fmt_clock(y, which, why);
	if (which == SHOW_VECTOR) {
		sbuf_puts(why, ": ");
		sbuf_puts(why, vclock_order_str(vclock_compare(&x->vc, &y->vc)));
	}
	return lt;
}

static bool pred_lamport(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return compare(s, a, why, SHOW_LAMPORT);
}
static bool pred_vector(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return compare(s, a, why, SHOW_VECTOR);
}
static bool pred_hlc(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return compare(s, a, why, SHOW_HLC);
}
static bool pred_physical(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return compare(s, a, why, SHOW_PHYSICAL);
}
static bool pred_truetime(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return compare(s, a, why, SHOW_TRUETIME);
}

/* truetime-holds: every interval stamped so far contained true time —
 * TrueTime's assumption, which a clock off by more than epsilon breaks. */
static bool pred_tt_holds(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t n, total = 0;
	char id[24], t1[32], t2[32], t3[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct clk_event *ev = clocks_events(s, i, &n);
		for (uint32_t j = 0; j < n; j++, total++) {
			const struct clk_event *e = &ev[j];
			if (e->tt_earliest <= e->true_at && e->true_at <= e->tt_latest)
				continue;
			sbuf_printf(why, _("%s: TrueTime [%s, %s] misses true time %s"),
				    clocks_id(e, id, sizeof id),
				    simtime_fmt(e->tt_earliest, t1, sizeof t1),
				    simtime_fmt(e->tt_latest, t2, sizeof t2),
				    simtime_fmt(e->true_at, t3, sizeof t3));
			return false;
		}
	}
	sbuf_printf(
	    why, P_("%u interval contained true time", "%u intervals contained true time", total),
	    total);
	return true;
}

/* externally-consistent: Spanner's external consistency over the commits —
 * "if the start of a transaction T2 occurs after the commit of a
 * transaction T1, then the commit timestamp of T2 must be greater than the
 * commit timestamp of T1" (Corbett et al. 2012, 4.1.2). A commit's start
 * is its commit event, its end (the acknowledgement) its done event, both
 * in true time. O(commits^2). */
static bool pred_ext(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	uint32_t n1, n2, pairs = 0;
	char i1[24], i2[24], t1[32], t2[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct clk_event *ev = clocks_events(s, i, &n1);
		for (uint32_t j = 0; j < n1; j++) {
			const struct clk_event *d = &ev[j];
			if (d->kind != CLK_DONE)
				continue;
			for (int k = 0; k < sim_nodes(s); k++) {
				const struct clk_event *fv = clocks_events(s, k, &n2);
				for (uint32_t m = 0; m < n2; m++) {
					const struct clk_event *c = &fv[m];
					if (c->kind != CLK_COMMIT || c->true_at <= d->true_at)
						continue;
					pairs++;
					if (d->commit_ts < c->commit_ts)
						continue;
					sbuf_printf(why,
						    _("commit %s began after commit %s was "
						      "acknowledged, yet its timestamp %s is not "
						      "later than %s"),
						    clocks_id(c, i1, sizeof i1),
						    clocks_id(&ev[d->parent - 1], i2, sizeof i2),
						    simtime_fmt(c->commit_ts, t1, sizeof t1),
						    simtime_fmt(d->commit_ts, t2, sizeof t2));
					return false;
				}
			}
		}
	}
	sbuf_printf(why,
		    P_("%u ordered pair of commits, timestamps in order",
		       "%u ordered pairs of commits, timestamps in order", pairs),
		    pairs);
	return true;
}

/* acknowledged WORD: the commit WORD has been acknowledged (its commit
 * wait is over). */
static bool pred_acked(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct clk_event *c = clocks_find(s, a->a[0].str);
	char tb[32], id[24];
	if (!c || c->kind != CLK_COMMIT) {
		sbuf_printf(why, _("there is no commit called %s"), a->a[0].str);
		return false;
	}
	uint32_t n;
	const struct clk_event *ev = clocks_events(s, c->node, &n);
	for (uint32_t i = c->index; i < n; i++)
		if (ev[i].kind == CLK_DONE && ev[i].parent == c->index) {
			sbuf_printf(why, _("acknowledged as %s after waiting %s"),
				    clocks_id(&ev[i], id, sizeof id),
				    simtime_fmt_dur(ev[i].true_at - c->true_at, tb, sizeof tb));
			return true;
		}
	sbuf_printf(why, _("%s is still in its commit wait (timestamp %s)"), a->a[0].str,
		    simtime_fmt(c->commit_ts, tb, sizeof tb));
	return false;
}

/* knows-all DURATION: every up node's clock has heard, directly or not, of
 * an event of every other up node at most DURATION old (true time): news
 * flows between every pair again. Read from the vector clocks, which the
 * check layer proves exact. */
static bool pred_knows_all(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	sim_time since = sim_now(s) - a->a[0].num;
	char tb[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up)
			continue;
		const struct clk *k = proto_self(s, i);
		for (int j = 0; j < sim_nodes(s); j++) {
			if (j == i || !sim_node(s, j)->up)
				continue;
			uint32_t n, seen = vclock_get(&k->vc, j);
			const struct clk_event *ev = clocks_events(s, j, &n);
			if (!seen || ev[seen - 1].true_at < since) {
				sbuf_printf(
				    why, _("n%d has heard of nothing n%d did in the last %s"),
				    i + 1, j + 1, simtime_fmt_dur(a->a[0].num, tb, sizeof tb));
				return false;
			}
		}
	}
	sbuf_printf(why, _("every node has news of every other from the last %s"),
		    simtime_fmt_dur(a->a[0].num, tb, sizeof tb));
	return true;
}

static const struct proto_pred clk_preds[] = {
    {"happened-before", "WORD WORD",
     N_("the first event happened before the second (Lamport's ->, from the messages)"), pred_hb},
    {"concurrent", "WORD WORD", N_("neither event happened before the other"), pred_concurrent},
    {"lamport", "WORD < lamport WORD", N_("the first event's Lamport clock is smaller"),
     pred_lamport},
    {"vector", "WORD < vector WORD",
     N_("the first event's vector clock is smaller (no entry larger, one smaller)"), pred_vector},
    {"hlc", "WORD < hlc WORD", N_("the first event's hybrid logical clock (l, c) is smaller"),
     pred_hlc},
    {"physical", "WORD < physical WORD", N_("the first event's physical clock reading is smaller"),
     pred_physical},
    {"truetime", "WORD < truetime WORD",
     N_("TrueTime says the first event is surely earlier: its latest before the other's "
	"earliest"),
     pred_truetime},
    {"truetime-holds", "", N_("every TrueTime interval stamped so far contained true time"),
     pred_tt_holds},
    {"externally-consistent", "",
     N_("a commit that began after another was acknowledged has a larger timestamp"), pred_ext},
    {"acknowledged", "WORD", N_("the commit WORD has been acknowledged: its commit wait is over"),
     pred_acked},
    {"knows-all", "DURATION",
     N_("every up node has heard of an event of every other up node within DURATION"),
     pred_knows_all},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops clocks_ops = {
    .node =
	{
	    .create = clk_create,
	    .destroy = clk_destroy,
	    .on_message = clk_on_message,
	    .on_timer = clk_on_timer,
	    .on_crash = clk_on_crash,
	    .on_restart = clk_on_restart,
	    .describe_msg = clk_describe_msg,
	    .msg_kinds = clk_msgs,
	    .nmsg_kinds = 1,
	},
    .name = "clocks",
    .summary = N_("time and order: Lamport, vector, hybrid logical clocks and TrueTime on every "
		  "event"),
    .options = clk_options,
    .kv_clients = false,
    .status = clk_status,
    .describe = clk_describe,
    .option_changed = clk_option_changed,
    .commands = clk_cmds,
    .preds = clk_preds,
    .fuzz_vary = clk_vary,
};

static const struct proto_ops *clk_self_ops(void)
{
	return &clocks_ops;
}

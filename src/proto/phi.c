/*
 * phi.c — the φ accrual failure detector (Hayashibara, Défago, Yared &
 * Katayama, "The φ Accrual Failure Detector", SRDS 2004), with the
 * parameters of Akka's PhiAccrualFailureDetector.
 *
 * Every node sends a Heartbeat to every other node each `interval` of its
 * local clock, like `heartbeat`. The difference is at the receiver: instead
 * of a yes/no after a fixed timeout, it keeps, per peer, a sliding window of
 * the last `max-samples` inter-arrival times and outputs a suspicion level
 *
 *   "φ(t_now) ≝ −log10(P_later(t_now − T_last))"                   (§3.2)
 *
 * where P_later(t) is the probability that a heartbeat arrives more than t
 * after the previous one, given the window: "P_later(t) = 1 − F(t), where
 * F(t) is the cumulative distribution function of a normal distribution
 * with mean μ and variance σ²" estimated from the window. The application
 * chooses the threshold Φ: "Φ = 1 ... the likelihood that we will make a
 * mistake (i.e., the decision will be contradicted in the future by the
 * reception of a late heartbeat) is about 10%. The likelihood is about 1%
 * with Φ = 2, 0.1% with Φ = 3, and so on." A peer is suspected while φ
 * exceeds `threshold` (Cassandra's phi_convict_threshold is 8; Akka's
 * default too). On a jittery network the window widens σ and the detector
 * waits longer before suspecting; on a steady one it suspects sooner.
 *
 * Akka's refinements, as options: `min-std-deviation` (σ never below it,
 * so that a perfectly regular window does not make φ leap at the first
 * late heartbeat), `acceptable-heartbeat-pause` (added to μ: pauses of up
 * to that much are forgiven), `first-heartbeat-estimate` (the window
 * before any sample: μ = estimate, σ = estimate / 4, seeded as the two
 * samples μ − σ and μ + σ). Akka records an interval only "if the
 * detector was available" when the heartbeat arrived (φ below the
 * threshold), so that a long outage does not enter the window and blind
 * the detector afterwards; so does this one. F is computed with Akka's
 * logistic approximation of the normal CDF (see phi.h).
 *
 * One difference: Akka gives φ = 0 until the first heartbeat (its cluster
 * starts monitoring on join). netsplit has no join, so a node starts, and
 * restarts, as if it had just heard every peer (the window seeded from
 * first-heartbeat-estimate): a peer that never speaks is suspected after
 * about the estimate plus a few σ, not never.
 *
 * Measurements (not decisions): each node counts its mistakes in the
 * paper's sense — a suspicion "contradicted in the future by the reception
 * of a late heartbeat" from the same run of the peer (each heartbeat
 * carries the sender's boot count, so a peer that crashed and came back
 * does not count): with no cut links, exactly the suspicions of a peer
 * that was up and reachable. It records the true time each suspicion
 * started, and each node remembers when it last crashed. The predicates
 * read them.
 *
 * Stable storage: none, as for heartbeat — a detector's knowledge is
 * volatile.
 */
#include "proto/phi.h"

#include "proto/proto.h"
#include "util/i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PHI_WINDOW_MAX 256 /* Akka's default max-sample-size is 1000 */

enum {
	PHI_OPT_INTERVAL,
	PHI_OPT_THRESHOLD,
	PHI_OPT_SAMPLES,
	PHI_OPT_MIN_SD,
	PHI_OPT_PAUSE,
	PHI_OPT_FIRST,
};
enum { PHI_TIMER_TICK, PHI_TIMER_CHECK };
enum { PHI_MSG_HEARTBEAT };

/* Akka's defaults are for a 1 s heartbeat (threshold 8, min-std-deviation
 * 100 ms, acceptable-heartbeat-pause 3 s in the cluster, first estimate
 * 1 s); these are for netsplit's 100 ms one, scaled by a tenth, with no
 * acceptable pause so that a crash is detected in time comparable to a
 * fixed timeout. */
static const struct proto_option phi_options[] = {
    {"interval", OPT_DURATION, "100ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("time between two heartbeats to each peer"), true},
    {"threshold", OPT_INT, "8", NULL, 1, 100,
     N_("suspect a peer while phi exceeds this (Cassandra's phi_convict_threshold is 8)"), true},
    {"max-samples", OPT_INT, "200", NULL, 2, PHI_WINDOW_MAX,
     N_("inter-arrival times kept per peer (the sliding window)"), false},
    {"min-std-deviation", OPT_DURATION, "10ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("the deviation used is never below this"), true},
    {"acceptable-heartbeat-pause", OPT_DURATION, "0ms", NULL, 0, 600 * SIM_S,
     N_("added to the mean: pauses up to this long are forgiven"), true},
    {"first-heartbeat-estimate", OPT_DURATION, "100ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("the mean interval assumed before any heartbeat (deviation: a quarter of it)"), false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct proto_vary phi_vary[] = {
    {"threshold", "8|3|12"},
    {"acceptable-heartbeat-pause", "0ms|100ms"},
    {"min-std-deviation", "10ms|50ms"},
    {NULL, NULL},
};

static const struct msg_kind phi_msgs[] = {
    {"Heartbeat", 'h', false},
};

struct phi_wire {
	uint32_t seq;
	uint32_t boot; /* the sender's boot count (measurement: see above) */
};

struct phi_peer {
	int32_t win[PHI_WINDOW_MAX]; /* inter-arrival times, us, a ring */
	int n, head;                 /* samples held; the next slot */
	int64_t sum, sumsq;          /* of the samples held: exact, in us and us² */
	sim_time last;               /* local time of the last heartbeat (or start) */
	bool heard;                  /* a heartbeat since start */
	uint32_t boot;               /* the boot count it last carried */
	bool suspected;
	sim_time suspected_at; /* true time this suspicion began (measurement) */
};

struct phi {
	struct node *n;
	const struct proto_opts *o;
	uint32_t seq;
	sim_time changed;    /* true time of the last change of mind (or start) */
	sim_time crashed_at; /* true time of this node's latest crash, or SIM_NEVER */
	int64_t false_susp;  /* suspicions contradicted by a later heartbeat */
	struct phi_peer peer[SIM_MAX_NODES];
	/* What the screen plots (issue 17): per peer, a ring of the moments
	 * φ's formula changed — each heartbeat, a restart, a crash, an
	 * option — so that φ at any moment of the last PHI_HIST of them can
	 * be computed again exactly. Allocated on a peer's first record.
	 * Observation only: no decision reads it. */
	struct phi_ring {
		struct phi_point p[PHI_HIST];
		int n, head;
	} * hist[SIM_MAX_NODES];
};

static int64_t opt(const struct phi *h, int i)
{
	return h->o->v[i].i;
}

/* ---- the arithmetic ------------------------------------------------------ */

double phi_compute(double elapsed, double mean, double sd)
{
	double y = (elapsed - mean) / sd;
	double z = y * (1.5976 + 0.070566 * y * y);
	/* φ = −log10(1/(1 + e^z)) = log10(1 + e^z); for z > 0 as
	 * z/ln10 + log10(1 + e^−z), so that e^z never overflows. */
	if (z > 0)
		return (z + log1p(exp(-z))) / M_LN10;
	return log1p(exp(z)) / M_LN10;
}

void phi_stats(int n, int64_t sum, int64_t sumsq, sim_time pause, sim_time min_sd, double *mean,
	       double *sd)
{
	double m = (double)sum / n;
	double var = (double)sumsq / n - m * m;
	double s = var > 0 ? sqrt(var) : 0;
	*mean = m + (double)pause;
	*sd = s < (double)min_sd ? (double)min_sd : s;
}

static void window_add(struct phi *h, struct phi_peer *pp, sim_time iv)
{
	int cap = (int)opt(h, PHI_OPT_SAMPLES);
	if (iv > INT32_MAX)
		iv = INT32_MAX;
	if (pp->n == cap) { /* full: the oldest sample leaves */
		int64_t old = pp->win[pp->head];
		pp->sum -= old;
		pp->sumsq -= old * old;
		pp->n--;
	}
	pp->win[pp->head] = (int32_t)iv;
	pp->head = (pp->head + 1) % cap;
	pp->sum += iv;
	pp->sumsq += iv * iv;
	pp->n++;
}

/* Records, for the screen, that from now on φ of peer p follows its
 * current window and last heartbeat (down: this node crashed). */
static void record(struct phi *h, int p, bool down)
{
	if (p == h->n->id || p >= node_count(h->n))
		return;
	if (!h->hist[p])
		h->hist[p] = xcalloc(1, sizeof *h->hist[p]);
	struct phi_ring *r = h->hist[p];
	const struct phi_peer *pp = &h->peer[p];
	struct phi_point pt = {.from = node_local_now(h->n), .last = pp->last};
	if (!down) {
		double mean, sd;
		phi_stats(pp->n, pp->sum, pp->sumsq, opt(h, PHI_OPT_PAUSE), opt(h, PHI_OPT_MIN_SD),
			  &mean, &sd);
		pt.mean = mean;
		pt.sd = sd;
	}
	r->p[r->head] = pt;
	r->head = (r->head + 1) % PHI_HIST;
	if (r->n < PHI_HIST)
		r->n++;
}

static void record_all(struct phi *h, bool down)
{
	for (int p = 0; p < node_count(h->n); p++)
		record(h, p, down);
}

/* φ of peer p now, from this node's point of view. */
static double phi_of(const struct phi *h, int p)
{
	const struct phi_peer *pp = &h->peer[p];
	double mean, sd;
	phi_stats(pp->n, pp->sum, pp->sumsq, opt(h, PHI_OPT_PAUSE), opt(h, PHI_OPT_MIN_SD), &mean,
		  &sd);
	return phi_compute((double)(node_local_now(h->n) - pp->last), mean, sd);
}

/* Akka's first heartbeat: "mean = firstHeartbeatEstimate, stdDeviation =
 * mean / 4", held as the two samples mean − σ and mean + σ. */
static void fresh_peers(struct phi *h)
{
	sim_time now = node_local_now(h->n), est = opt(h, PHI_OPT_FIRST);
	for (int p = 0; p < SIM_MAX_NODES; p++) {
		struct phi_peer *pp = &h->peer[p];
		memset(pp, 0, sizeof *pp);
		pp->last = now;
		window_add(h, pp, est - est / 4);
		window_add(h, pp, est + est / 4);
	}
}

static void set_suspected(struct phi *h, int p, bool s, double phi)
{
	struct phi_peer *pp = &h->peer[p];
	if (pp->suspected == s)
		return;
	pp->suspected = s;
	h->changed = node_trace_time(h->n);
	if (s) {
		pp->suspected_at = node_trace_time(h->n);
		node_state(h->n, "suspects n%d (phi %.1f > %lld)", p + 1, phi,
			   (long long)opt(h, PHI_OPT_THRESHOLD));
	} else {
		node_state(h->n, "trusts n%d again", p + 1);
	}
}

static void check_all(struct phi *h)
{
	for (int p = 0; p < node_count(h->n); p++) {
		if (p == h->n->id)
			continue;
		double phi = phi_of(h, p);
		set_suspected(h, p, phi > (double)opt(h, PHI_OPT_THRESHOLD), phi);
	}
}

static sim_time check_every(const struct phi *h)
{
	sim_time c = opt(h, PHI_OPT_INTERVAL) / 10;
	return c < SIM_MS ? SIM_MS : c;
}

/* ---- the node callbacks --------------------------------------------------- */

static void arm(struct phi *h)
{
	/* Stagger the first tick so that nodes do not beat in lockstep. */
	node_set_timer(h->n, PHI_TIMER_TICK, node_rand_range(h->n, 0, opt(h, PHI_OPT_INTERVAL)));
	node_set_timer(h->n, PHI_TIMER_CHECK, check_every(h));
}

static void *phi_create(struct node *n, const void *config)
{
	struct phi *h = xcalloc(1, sizeof *h);
	h->n = n;
	h->o = config;
	h->changed = node_trace_time(n);
	h->crashed_at = SIM_NEVER;
	fresh_peers(h);
	record_all(h, false);
	arm(h);
	return h;
}

static void phi_destroy(void *self)
{
	struct phi *h = self;
	for (int p = 0; p < SIM_MAX_NODES; p++)
		free(h->hist[p]);
	free(self);
}

static void phi_on_timer(void *self, int timer)
{
	struct phi *h = self;
	if (timer == PHI_TIMER_CHECK) {
		check_all(h);
		node_set_timer(h->n, PHI_TIMER_CHECK, check_every(h));
		return;
	}
	struct phi_wire w = {.seq = ++h->seq, .boot = h->n->incarnation};
	for (int p = 0; p < node_count(h->n); p++)
		if (p != h->n->id)
			node_send(h->n, p, PHI_MSG_HEARTBEAT, &w, sizeof w);
	node_set_timer(h->n, PHI_TIMER_TICK, opt(h, PHI_OPT_INTERVAL));
}

static void phi_on_message(void *self, const struct msg *m)
{
	struct phi *h = self;
	if (m->len != sizeof(struct phi_wire) || m->from >= SIM_MAX_NODES)
		return;
	struct phi_peer *pp = &h->peer[m->from];
	sim_time now = node_local_now(h->n);
	if (pp->heard) {
		/* Akka: the interval enters the history only "if
		 * (isAvailable(timestamp))" — φ below the threshold. */
		double phi = phi_of(h, m->from);
		if (phi <= (double)opt(h, PHI_OPT_THRESHOLD) && now >= pp->last)
			window_add(h, pp, now - pp->last);
	}
	struct phi_wire w;
	memcpy(&w, m->data, sizeof w);
	if (pp->suspected && pp->heard && w.boot == pp->boot)
		h->false_susp++; /* a mistake: it had not crashed */
	pp->heard = true;
	pp->boot = w.boot;
	pp->last = now;
	set_suspected(h, m->from, false, 0);
	record(h, m->from, false);
}

static void phi_on_crash(void *self)
{
	struct phi *h = self;
	memset(h->peer, 0, sizeof h->peer);
	h->seq = 0;
	h->crashed_at = node_trace_time(h->n);
	record_all(h, true);
}

static void phi_on_restart(void *self)
{
	struct phi *h = self;
	fresh_peers(h);
	record_all(h, false);
	h->changed = node_trace_time(h->n);
	arm(h);
}

static void phi_option_changed(void *self, int opt_idx)
{
	struct phi *h = self;
	if (opt_idx == PHI_OPT_INTERVAL && h->n->up)
		node_set_timer(h->n, PHI_TIMER_CHECK, check_every(h));
	if (h->n->up) /* the pause and the least deviation enter the formula */
		record_all(h, false);
}

/* ---- views ------------------------------------------------------------------ */

static void phi_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, N_("Detector"), -1, -1, -1};
}

/* A bar of 12 cells for φ from 0 to 1.2 × threshold, the threshold at the
 * 11th: "########..|." */
static void phi_bar(double phi, double thr, char *bar)
{
	const int cells = 12, mark = 10;
	int fill = (int)(phi / thr * mark + 0.5);
	if (fill > cells)
		fill = cells;
	int k = 0;
	for (int c = 0; c < cells; c++) {
		if (c == mark)
			bar[k++] = '|';
		bar[k++] = c < fill ? '#' : '.';
	}
	bar[k] = '\0';
}

static void phi_describe(const void *self, struct node_view *v)
{
	const struct phi *h = self;
	memset(v, 0, sizeof *v);
	phi_status(self, &v->st);
	v->applied = -1;
	double thr = (double)opt(h, PHI_OPT_THRESHOLD);
	int nsusp = 0;
	if (h->n->up)
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _("phi per peer; the bar's | is the threshold %lld"),
			    (long long)opt(h, PHI_OPT_THRESHOLD));
	for (int p = 0; p < node_count(h->n) && v->nlines < VIEW_LINES; p++) {
		if (p == h->n->id || !h->n->up)
			continue;
		const struct phi_peer *pp = &h->peer[p];
		double phi = phi_of(h, p), mean, sd;
		phi_stats(pp->n, pp->sum, pp->sumsq, 0, opt(h, PHI_OPT_MIN_SD), &mean, &sd);
		char bar[16];
		phi_bar(phi, thr, bar);
		char *line = v->lines[v->nlines++];
		if (pp->suspected)
			nsusp++;
		ns_snprintf(line, VIEW_LINE_LEN,
			    pp->suspected ? _("n%d %s %.1f suspected")
					  : _("n%d %s %.1f (mean %lldms sd %lldms)"),
			    p + 1, bar, phi > 99.9 ? 99.9 : phi, (long long)(mean / 1000),
			    (long long)(sd / 1000));
	}
	if (nsusp)
		ns_snprintf(v->badge, sizeof v->badge, P_("suspects %d", "suspects %d", nsusp),
			    nsusp);
	else
		ns_strlcpy(v->badge, _("trusts all"), sizeof v->badge);
}

static void phi_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct phi_wire w;
	if (m->len != sizeof w) {
		sbuf_puts(out, "Heartbeat ?");
		return;
	}
	memcpy(&w, m->data, sizeof w);
	sbuf_printf(out, "Heartbeat #%u", w.seq);
}

/* ---- predicates ------------------------------------------------------------- */

static const struct phi *phi_at(struct sim *s, int i)
{
	return proto_self(s, i);
}

/* ---- for the screen ---------------------------------------------------------- */

extern const struct proto_ops phi_ops;

bool phi_applies(struct sim *s)
{
	return s && sim_proto(s) == &phi_ops;
}

int phi_history(struct sim *s, int i, int p, struct phi_point *out, int cap)
{
	if (!phi_applies(s) || i < 0 || i >= sim_nodes(s) || p < 0 || p >= SIM_MAX_NODES)
		return 0;
	const struct phi_ring *r = phi_at(s, i)->hist[p];
	if (!r)
		return 0;
	int n = MIN(r->n, cap);
	for (int k = 0; k < n; k++)
		out[k] = r->p[(r->head - n + k + PHI_HIST) % PHI_HIST];
	return n;
}

double phi_threshold(struct sim *s)
{
	return (double)sim_opts(s)->v[PHI_OPT_THRESHOLD].i;
}

sim_time phi_local_now(struct sim *s, int i)
{
	return node_local_now(sim_node(s, i));
}

int64_t phi_false_suspicions(struct sim *s, int i)
{
	return phi_at(s, i)->false_susp;
}

/* The observers named in arg `k`, or every up node but the subject. */
static struct nodeset observers(struct sim *s, const struct proto_args *a, int k, int subject)
{
	if (a->a[k].present)
		return a->a[k].set;
	struct nodeset set = {{0, 0}};
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != subject && sim_node(s, i)->up)
			nodeset_add(&set, i);
	return set;
}

/* x OP y for OP in > >= < <= */
static bool cmp(const char *op, double x, double y)
{
	if (!strcmp(op, ">"))
		return x > y;
	if (!strcmp(op, ">="))
		return x >= y;
	if (!strcmp(op, "<"))
		return x < y;
	return x <= y;
}

static bool judge(struct sim *s, const struct proto_args *a, struct sbuf *why, bool want)
{
	int p = a->a[0].node;
	struct nodeset obs = observers(s, a, 1, p);
	bool all = !nodeset_empty(&obs), first = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!nodeset_has(&obs, i) || i == p)
			continue;
		bool up = sim_node(s, i)->up, susp = up && phi_at(s, i)->peer[p].suspected;
		if (!up || susp != want)
			all = false;
		const char *word = !up ? _("is down") : susp ? _("suspects it") : _("trusts it");
		sbuf_printf(why, "%sn%d %s", first ? "" : ", ", i + 1, word);
		if (up)
			sbuf_printf(why, " (phi %.1f)", phi_of(phi_at(s, i), p));
		first = false;
	}
	return all;
}

static bool pred_suspected(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge(s, a, why, true);
}

static bool pred_trusted(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	return judge(s, a, why, false);
}

/* phi NODE by NODE OP X */
static bool pred_phi(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int p = a->a[0].node, o = a->a[1].node;
	char *end;
	double x = strtod(a->a[3].str, &end);
	if (*end || end == a->a[3].str) {
		sbuf_printf(why, _("expected a number after %s, got \"%s\""), a->a[2].str,
			    a->a[3].str);
		return false;
	}
	if (!sim_node(s, o)->up) {
		sbuf_printf(why, _("n%d is down"), o + 1);
		return false;
	}
	if (o == p) {
		sbuf_puts(why, _("a node has no phi for itself"));
		return false;
	}
	double phi = phi_of(phi_at(s, o), p);
	sbuf_printf(why, _("phi of n%d at n%d is %.2f"), p + 1, o + 1, phi);
	return cmp(a->a[2].str, phi, x);
}

/* settled DURATION: every up node trusts every up peer, no change of mind
 * for DURATION (the fuzzer's liveness, as for heartbeat). */
static bool pred_settled(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	sim_time now = sim_now(s), need = a->a[0].num;
	char tb[32];
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up)
			continue;
		const struct phi *h = phi_at(s, i);
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

/* false-suspicions OP INT: mistakes, by every node since the start:
 * suspicions ended by a heartbeat from a peer that had not crashed. */
static bool pred_false(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int64_t total = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		total += phi_at(s, i)->false_susp;
	sbuf_printf(why, P_("%lld false suspicion", "%lld false suspicions", total),
		    (long long)total);
	return cmp(a->a[0].str, (double)total, (double)a->a[1].num);
}

/* detection NODE OP DURATION: the time from NODE's latest crash until the
 * last of the up observers suspected it. */
static bool pred_detection(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int p = a->a[0].node;
	sim_time crash = phi_at(s, p)->crashed_at, worst = 0;
	char tb[32];
	if (crash == SIM_NEVER) {
		sbuf_printf(why, _("n%d never crashed"), p + 1);
		return false;
	}
	for (int i = 0; i < sim_nodes(s); i++) {
		if (i == p || !sim_node(s, i)->up)
			continue;
		const struct phi_peer *pp = &phi_at(s, i)->peer[p];
		if (!pp->suspected) {
			sbuf_printf(why, _("n%d does not suspect n%d"), i + 1, p + 1);
			return false;
		}
		sim_time d = pp->suspected_at > crash ? pp->suspected_at - crash : 0;
		if (d > worst)
			worst = d;
	}
	sbuf_printf(why, _("every up node suspected n%d within %s of its crash"), p + 1,
		    simtime_fmt_dur(worst / 1000 * 1000, tb, sizeof tb));
	return cmp(a->a[1].str, (double)worst, (double)a->a[2].num);
}

static const struct proto_pred phi_preds[] = {
    {"settled", "DURATION",
     N_("every up node trusts every up peer, with no change of mind for DURATION"), pred_settled},
    {"suspected", "NODE [by NODES]",
     N_("every observer (default: every other up node) suspects NODE: its phi is over the "
	"threshold"),
     pred_suspected},
    {"trusted", "NODE [by NODES]", N_("no observer suspects NODE"), pred_trusted},
    {"phi", "NODE by NODE >|>=|<|<= WORD",
     N_("the phi of NODE as the second NODE computes it, against a number"), pred_phi},
    {"false-suspicions", ">=|<= INT",
     N_("mistakes so far, by every node together: suspicions ended by a heartbeat from a "
	"peer that had not crashed"),
     pred_false},
    {"detection", "NODE >=|<= DURATION",
     N_("time from NODE's latest crash until every up node suspected it"), pred_detection},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops phi_ops = {
    .node =
	{
	    .create = phi_create,
	    .destroy = phi_destroy,
	    .on_message = phi_on_message,
	    .on_timer = phi_on_timer,
	    .on_crash = phi_on_crash,
	    .on_restart = phi_on_restart,
	    .describe_msg = phi_describe_msg,
	    .msg_kinds = phi_msgs,
	    .nmsg_kinds = 1,
	},
    .name = "phi",
    .summary = N_("phi accrual failure detector: a suspicion level that adapts to the network"),
    .options = phi_options,
    .status = phi_status,
    .describe = phi_describe,
    .option_changed = phi_option_changed,
    .preds = phi_preds,
    .fuzz_vary = phi_vary,
};

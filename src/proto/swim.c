/*
 * swim.c — SWIM group membership with failure detection by random probing
 * and infection-style dissemination (Das, Gupta & Motivala, "SWIM:
 * Scalable Weakly-consistent Infection-style Process Group Membership
 * Protocol", DSN 2002), with two refinements of Lifeguard (Dadgar,
 * Phillips & Currey, HashiCorp, 2017) as hashicorp/memberlist has them.
 *
 * Failure detection (§3.1): "During each protocol period of length T'
 * ... a random member is selected from Mi's membership list (say Mj), and
 * a ping message sent to it. Mi then waits for a replying ack from Mj. If
 * this is not received within a prespecified time-out ..., Mi indirectly
 * probes Mj. Mi selects k members at random and sends each a ping-req(Mj)
 * message. Each of these members in turn (those that are alive) pings Mj
 * and forwards the ack from Mj (if received) back to Mi." A one-way cut
 * between Mi and Mj therefore does not make Mi suspect Mj: another path
 * answers. Targets are chosen round-robin over a shuffled list (§4.3).
 *
 * Suspicion (§4.2): a member whose probe fails is not declared dead at
 * once but marked suspect, and {Suspect Mj} is disseminated; "Suspected
 * entries in membership lists expire after a prespecified time-out", after
 * which {Confirm Mj} (here: dead) is spread. A suspected member that hears
 * of it refutes: its incarnation number "can be incremented only by Mi,
 * when it receives information ... about itself being suspected in the
 * current incarnation — Mi then generates an Alive message with its
 * identifier and an incremented incarnation number". The override rules:
 *
 *   {Alive Ml, i}   overrides {Suspect Ml, j}, i > j; {Alive Ml, j}, i > j
 *   {Suspect Ml, i} overrides {Suspect Ml, j}, i > j; {Alive Ml, j}, i >= j
 *   {Confirm Ml, i} overrides {Alive Ml, j}, any j; {Suspect Ml, j}, any j
 *
 * Here, as in memberlist, the last is bounded: dead at i overrides alive
 * and suspect at j <= i only, so that a member declared dead (wrongly,
 * behind a partition; or rightly, then restarted) comes back by refuting
 * with a higher incarnation. With left above dead, every rule is one
 * order: an update overrides another about the same member when its
 * (incarnation, alive < suspect < dead < left) is greater (swim.h).
 * Incarnations are kept on stable storage, and a restart starts at the
 * next one, so no member ever reuses an incarnation.
 *
 * Dissemination (§4.1): updates are piggybacked on ping, ping-req and
 * ack messages; each member keeps a buffer of recent updates with "a local
 * count for each buffer element ... the number of times the element has
 * been piggybacked so far" and piggybacks the least-sent first; each is
 * sent at most λ·log n times (memberlist: retransmit-mult ·
 * ⌈log10(n + 1)⌉). No multicast: an update reaches the group in O(log n)
 * protocol periods with high probability.
 *
 * From Lifeguard: the buddy system (always on: "a member that is
 * suspected is informed directly by piggybacking the suspicion on the
 * ping", so that it can refute at once; here also on the ack to a member
 * this node holds suspect or dead, so that two halves of a healed
 * partition find each other); and, with `lifeguard=on`, the dynamic
 * suspicion timeout: a suspicion starts at suspicion-max-mult times the
 * minimum and shrinks, as independent confirmations arrive, to the minimum
 * after K = suspicion-mult − 2 of them: timeout = max − (max − min) ·
 * log(C + 1) / log(K + 1). (Lifeguard's local health awareness — nacks and
 * a self-awareness score stretching the probe timeout — is not built.)
 *
 * Joins and leaves: `join nX via nY` makes nX announce itself alive to nY,
 * which answers with its whole view (memberlist's push-pull); `leave nX`
 * spreads {Left nX}. Members declared dead stay in the probe rotation, so
 * that a healed partition reunites (memberlist gossips to the dead for a
 * while for the same reason); a failed probe of a dead member changes
 * nothing.
 *
 * Stable storage: the incarnation number, whether the node is in the group,
 * and the set of nodes it has known as members (its seeds for rejoining
 * after a restart: it asks one of them for the whole view, as on a join).
 * Everything else is volatile. Measurements (not decisions): each member
 * counts the false suspicions it heard of itself — the accusations it
 * refuted, being alive — and each view records when it declared each
 * member dead; each node remembers when it last crashed.
 */
#include "proto/swim.h"

#include "util/i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
	SW_OPT_PERIOD,
	SW_OPT_PROBE_TIMEOUT,
	SW_OPT_INDIRECT,
	SW_OPT_SUSP_MULT,
	SW_OPT_SUSP_MAX,
	SW_OPT_RETRANSMIT,
	SW_OPT_PIGGYBACK,
	SW_OPT_LIFEGUARD,
	SW_OPT_PUSH_PULL,
	SW_OPT_AWARENESS,
};
enum {
	SW_TIMER_PERIOD,
	SW_TIMER_PROBE,
	SW_TIMER_SUSPECT,
	SW_TIMER_JOIN,
	SW_TIMER_SYNC,
	SW_TIMER_NACK
};
enum {
	SW_PING,
	SW_ACK,
	SW_PING_REQ,
	SW_JOIN,
	SW_JOIN_ACK,
	SW_LEAVE,
	SW_SYNC,
	SW_SYNC_ACK,
	SW_NACK,
	SW_NMSG
};

#define SW_PIGGY_MAX 16
#define SW_FWD_MAX   16 /* pings on others' ping-reqs awaiting an ack (nacks) */

/* memberlist's LAN defaults are a 1 s protocol period, 500 ms probe
 * timeout, 3 indirect checks, suspicion-mult 4, suspicion-max-mult 6,
 * retransmit-mult 4; netsplit's period is shorter, to watch it live. */
static const struct proto_option swim_options[] = {
    {"period", OPT_DURATION, "200ms", NULL, 2 * SIM_MS, 60 * SIM_S,
     N_("the protocol period: one probe per member per period"), true},
    {"probe-timeout", OPT_DURATION, "100ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("wait this long for an ack before asking k others to ping-req (less than the period)"),
     true},
    {"indirect", OPT_INT, "3", NULL, 0, 16, N_("k: members asked to probe indirectly"), true},
    {"suspicion-mult", OPT_INT, "4", NULL, 1, 100,
     N_("suspicion timeout = this x max(1, log10 n) x period"), true},
    {"suspicion-max-mult", OPT_INT, "6", NULL, 1, 100,
     N_("lifeguard: a suspicion starts at this many times the minimum timeout"), true},
    {"retransmit-mult", OPT_INT, "4", NULL, 1, 100,
     N_("lambda: each update is piggybacked lambda x ceil(log10(n+1)) times"), true},
    {"piggyback", OPT_INT, "6", NULL, 1, SW_PIGGY_MAX, N_("updates piggybacked per message"), true},
    {"lifeguard", OPT_BOOL, "off", NULL, 0, 0,
     N_("Lifeguard's dynamic suspicion timeout: shrinks as other members confirm"), true},
    {"push-pull", OPT_DURATION, "4s", NULL, 0, 600 * SIM_S,
     N_("every this long, swap whole views with one random member (0: never)"), true},
    {"awareness", OPT_INT, "0", NULL, 0, 16,
     N_("lifeguard: local health; probe period and timeout scale by (score + 1), the score "
	"below this (memberlist's AwarenessMaxMultiplier is 8; 0: off)"),
     true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct proto_vary swim_vary[] = {
    {"period", "200ms|100ms|300ms"},
    {"indirect", "3|1"},
    {"lifeguard", "off|on"},
    {"awareness", "0|8"},
    {NULL, NULL},
};

static const struct msg_kind swim_msgs[SW_NMSG] = {
    {"Ping", 'p', false}, {"Ack", 'P', true},     {"PingReq", 'r', false},
    {"Join", 'j', false}, {"JoinAck", 'J', true}, {"Leave", 'l', false},
    {"Sync", 's', false}, {"SyncAck", 'S', true}, {"Nack", 'n', true},
};

/* ---- the wire ----------------------------------------------------------------- */

/* One membership update: {state, node, incarnation}, and who raised it
 * (for a suspicion: the accuser, counted by Lifeguard's confirmations). */
struct swim_upd {
	uint16_t node;
	uint16_t from;
	uint8_t state;
	uint8_t pad[3];
	uint32_t inc;
};

/* Every message: a header, then nupd updates. Ping: seq, origin (the
 * member that asked for it by ping-req, or the sender), target (the
 * receiver). Ack: the ping's seq, origin and target. PingReq: the
 * requester's seq and the target. Join, JoinAck, Leave: updates only. */
struct swim_hdr {
	uint32_t seq;
	uint16_t origin;
	uint16_t target;
	uint16_t nupd;
	uint16_t pad;
};

#define SW_WIRE_MAX (sizeof(struct swim_hdr) + SIM_MAX_NODES * sizeof(struct swim_upd))

struct swim_wire {
	struct swim_hdr h;
	struct swim_upd u[SIM_MAX_NODES];
};

/* ---- state -------------------------------------------------------------------- */

struct swim_member {
	uint8_t state; /* enum swim_state */
	uint32_t inc;
	sim_time susp_start;      /* local time the suspicion began */
	struct nodeset confirmed; /* Lifeguard: accusers heard for this suspicion */
	sim_time dead_at;         /* true time this view declared it dead (measurement) */
	sim_time since;           /* true time this view took this (state, inc) (the screen) */
};

struct swim_bcast {
	bool queued;
	struct swim_upd u;
	int tx;         /* times piggybacked */
	uint32_t stamp; /* newer updates first among equals */
};

struct swim {
	struct node *n;
	const struct proto_opts *o;
	/* stable storage */
	uint32_t inc;
	bool member;          /* in the group: joined, not left */
	struct nodeset known; /* nodes seen as members: seeds for a rejoin */
	/* volatile */
	bool boot;    /* the initial group is not filled in yet (see boot()) */
	bool joining; /* waiting for a JoinAck */
	int join_via; /* the member asked */
	struct swim_member m[SIM_MAX_NODES];
	int order[SIM_MAX_NODES]; /* the probe rotation (§4.3) */
	int norder, pos;
	uint32_t seq;
	int target; /* probed this period, or -1 */
	bool acked; /* the probe's ack arrived (directly or via ping-req) */
	bool indirect_sent;
	struct swim_bcast bq[SIM_MAX_NODES]; /* one pending update per member */
	uint32_t bstamp;
	sim_time changed; /* true time of the last change of this view */
	/* measurements */
	sim_time crashed_at;
	int64_t false_susp;
	/* Lifeguard's local health (awareness > 0), volatile as in memberlist:
	 * the score, this probe's nacks heard and asked for, and the pings
	 * this node sent on others' ping-reqs, each owed a nack if no ack
	 * comes back in time. */
	int health;
	int nacks, expect_nacks;
	struct swim_fwd {
		bool on;
		uint32_t seq;
		uint16_t origin, target;
		sim_time due; /* local time */
	} fwd[SW_FWD_MAX];
};

static int64_t opt(const struct swim *w, int i)
{
	return w->o->v[i].i;
}

const char *swim_state_name(enum swim_state st)
{
	switch (st) {
	case SWIM_NONE: return N_("unknown");
	case SWIM_ALIVE: return N_("alive");
	case SWIM_SUSPECT: return N_("suspect");
	case SWIM_DEAD: return N_("dead");
	case SWIM_LEFT: return N_("left");
	}
	return "?";
}

bool swim_in_group(const void *self)
{
	return ((const struct swim *)self)->member;
}

uint32_t swim_incarnation(const void *self)
{
	return ((const struct swim *)self)->inc;
}

enum swim_state swim_view_of(const void *self, int p, uint32_t *inc)
{
	const struct swim *w = self;
	if (p == w->n->id) {
		*inc = w->inc;
		return w->member ? SWIM_ALIVE : SWIM_NONE;
	}
	*inc = w->m[p].inc;
	if (w->boot) /* what boot() will fill in */
		return p < node_count(w->n) ? SWIM_ALIVE : SWIM_NONE;
	return (enum swim_state)w->m[p].state;
}

enum swim_state swim_view_since(const void *self, int p, uint32_t *inc, sim_time *since)
{
	const struct swim *w = self;
	*since = p == w->n->id || w->boot ? 0 : w->m[p].since;
	return swim_view_of(self, p, inc);
}

int swim_health(const void *self)
{
	return ((const struct swim *)self)->health;
}

sim_time swim_period(const void *self)
{
	return opt(self, SW_OPT_PERIOD);
}

/* Members this view counts for n: alive or suspect, itself included. */
static int group_size(const struct swim *w)
{
	int k = w->member ? 1 : 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && (w->m[p].state == SWIM_ALIVE || w->m[p].state == SWIM_SUSPECT))
			k++;
	return k;
}

/* The initial group: every node of the cluster knows every other, alive at
 * incarnation 0 (a static seed list). The simulator creates nodes one by
 * one, so the list is filled in lazily, before the first event the node
 * handles (or the first question asked of it): by then the cluster is
 * whole. It draws no random number, so asking early changes no run. */
static void boot(struct swim *w)
{
	if (!w->boot)
		return;
	w->boot = false;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id) {
			w->m[p].state = SWIM_ALIVE;
			nodeset_add(&w->known, p);
		}
}

static void boot_all(struct sim *s)
{
	for (int i = 0; i < sim_nodes(s); i++)
		boot(sim_node(s, i)->self);
}

/* ---- dissemination (§4.1) ------------------------------------------------------ */

static void enqueue(struct swim *w, int node, enum swim_state st, uint32_t inc, int from)
{
	struct swim_bcast *b = &w->bq[node];
	*b = (struct swim_bcast){
	    true, {(uint16_t)node, (uint16_t)from, (uint8_t)st, {0}, inc}, 0, ++w->bstamp};
}

/* memberlist: retransmitLimit = mult · ⌈log10(n + 1)⌉. */
static int retransmit_limit(const struct swim *w)
{
	int n = group_size(w);
	return (int)opt(w, SW_OPT_RETRANSMIT) * (int)ceil(log10((double)n + 1));
}

/* Fills the message's updates: first, the buddy system's word to `to`
 * about itself when this view holds it suspect or dead; then the
 * least-piggybacked updates of the buffer, newest first among equals. */
static void piggyback(struct swim *w, struct swim_wire *out, int to)
{
	int max = (int)opt(w, SW_OPT_PIGGYBACK), limit = retransmit_limit(w), k = 0;
	if (to >= 0 && to != w->n->id &&
	    (w->m[to].state == SWIM_SUSPECT || w->m[to].state == SWIM_DEAD))
		out->u[k++] = (struct swim_upd){
		    (uint16_t)to, (uint16_t)w->n->id, w->m[to].state, {0}, w->m[to].inc};
	struct nodeset picked = {{0, 0}};
	while (k < max) {
		int best = -1;
		for (int p = 0; p < node_count(w->n); p++) {
			const struct swim_bcast *b = &w->bq[p];
			if (!b->queued || nodeset_has(&picked, p) ||
			    (k > 0 && p == to && out->u[0].node == to))
				continue;
			if (best < 0 || b->tx < w->bq[best].tx ||
			    (b->tx == w->bq[best].tx && b->stamp > w->bq[best].stamp))
				best = p;
		}
		if (best < 0)
			break;
		nodeset_add(&picked, best);
		out->u[k++] = w->bq[best].u;
		if (++w->bq[best].tx >= limit)
			w->bq[best].queued = false;
	}
	out->h.nupd = (uint16_t)k;
}

static void sw_send(struct swim *w, int to, int type, struct swim_wire *msg)
{
	node_send(w->n, to, type, msg, sizeof msg->h + (size_t)msg->h.nupd * sizeof msg->u[0]);
}

static void send_gossip(struct swim *w, int to, int type, uint32_t seq, int origin, int target)
{
	struct swim_wire msg;
	memset(&msg.h, 0, sizeof msg.h);
	msg.h.seq = seq;
	msg.h.origin = (uint16_t)origin;
	msg.h.target = (uint16_t)target;
	piggyback(w, &msg, to);
	sw_send(w, to, type, &msg);
}

/* ---- the membership list ---------------------------------------------------------- */

/* A new member enters the rotation "at a position that is chosen
 * uniformly at random" (§4.3). */
static void rotation_insert(struct swim *w, int p)
{
	for (int i = 0; i < w->norder; i++)
		if (w->order[i] == p)
			return;
	int at = (int)node_rand_range(w->n, 0, w->norder);
	memmove(&w->order[at + 1], &w->order[at], (size_t)(w->norder - at) * sizeof w->order[0]);
	w->order[at] = p;
	w->norder++;
	if (at < w->pos)
		w->pos++;
}

/* "On completing a traversal of the entire list, Mi rearranges the
 * membership list to a random reordering" (§4.3): the members alive,
 * suspect or dead (dead ones too: see the file's comment). */
static void rotation_shuffle(struct swim *w)
{
	w->norder = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && w->m[p].state != SWIM_NONE && w->m[p].state != SWIM_LEFT)
			w->order[w->norder++] = p;
	for (int i = w->norder - 1; i > 0; i--) {
		int j = (int)node_rand_range(w->n, 0, i);
		int t = w->order[i];
		w->order[i] = w->order[j];
		w->order[j] = t;
	}
	w->pos = 0;
}

static sim_time susp_min(const struct swim *w)
{
	/* memberlist: suspicionTimeout = mult · max(1, log10(max(1, n))) · interval */
	int n = group_size(w);
	double f = n > 1 ? log10((double)n) : 0;
	if (f < 1)
		f = 1;
	return (sim_time)((double)opt(w, SW_OPT_SUSP_MULT) * f * (double)opt(w, SW_OPT_PERIOD));
}

/* The suspicion timeout of member p now (Lifeguard when on). */
static sim_time susp_timeout(const struct swim *w, int p)
{
	sim_time min = susp_min(w);
	if (!opt(w, SW_OPT_LIFEGUARD))
		return min;
	sim_time max = min * opt(w, SW_OPT_SUSP_MAX);
	int n = group_size(w), k = (int)opt(w, SW_OPT_SUSP_MULT) - 2;
	if (n - 2 < k)
		k = 0;
	if (k < 1)
		return max;
	int c = nodeset_count(&w->m[p].confirmed) - 1; /* the first accuser is not a confirmation */
	if (c < 0)
		c = 0;
	double frac = log((double)c + 1) / log((double)k + 1);
	sim_time t = max - (sim_time)(frac * (double)(max - min));
	return t < min ? min : t;
}

static void arm_suspicion(struct swim *w)
{
	sim_time now = node_local_now(w->n), next = SIM_NEVER;
	for (int p = 0; p < node_count(w->n); p++)
		if (w->m[p].state == SWIM_SUSPECT) {
			sim_time due = w->m[p].susp_start + susp_timeout(w, p);
			if (due < next)
				next = due;
		}
	if (next == SIM_NEVER)
		node_cancel_timer(w->n, SW_TIMER_SUSPECT);
	else
		node_set_timer(w->n, SW_TIMER_SUSPECT, next > now ? next - now : 0);
}

/* This view's state of p becomes (st, inc); trace and measure. */
static void set_member(struct swim *w, int p, enum swim_state st, uint32_t inc, int from)
{
	struct swim_member *mm = &w->m[p];
	enum swim_state was = (enum swim_state)mm->state;
	if (was != st || mm->inc != inc)
		mm->since = node_trace_time(w->n);
	mm->state = (uint8_t)st;
	mm->inc = inc;
	w->changed = node_trace_time(w->n);
	if (st != SWIM_NONE && st != SWIM_LEFT)
		nodeset_add(&w->known, p);
	switch (st) {
	case SWIM_ALIVE:
		if (was == SWIM_NONE || was == SWIM_LEFT)
			rotation_insert(w, p);
		node_state(w->n, "n%d alive (incarnation %u)", p + 1, inc);
		break;
	case SWIM_SUSPECT:
		if (was != SWIM_SUSPECT) {
			mm->susp_start = node_local_now(w->n);
			memset(&mm->confirmed, 0, sizeof mm->confirmed);
		}
		if (from >= 0 && from < SIM_MAX_NODES)
			nodeset_add(&mm->confirmed, from);
		node_state(w->n, "suspects n%d (incarnation %u)", p + 1, inc);
		break;
	case SWIM_DEAD:
		mm->dead_at = node_trace_time(w->n);
		node_state(w->n, "declares n%d dead (incarnation %u)", p + 1, inc);
		break;
	case SWIM_LEFT: node_state(w->n, "n%d left (incarnation %u)", p + 1, inc); break;
	case SWIM_NONE: break;
	}
	arm_suspicion(w);
}

/* "Mi then generates an Alive message with its identifier and an
 * incremented incarnation number" — above the accusation's. */
static void health_add(struct swim *w, int d);

static void refute(struct swim *w, uint32_t accused)
{
	uint32_t inc = w->inc + 1;
	if (accused >= inc)
		inc = accused + 1;
	w->inc = inc;    /* stable storage */
	w->false_susp++; /* accused, and alive to say so */
	w->changed = node_trace_time(w->n);
	node_state(w->n, "refutes: alive at incarnation %u", inc);
	enqueue(w, w->n->id, SWIM_ALIVE, inc, w->n->id);
	health_add(w, 1); /* LHA-Probe: "refuting a suspect message about self" */
}

/* Does (st, inc) override this view's entry (the order of swim.h)? */
static bool overrides(const struct swim_member *mm, enum swim_state st, uint32_t inc)
{
	if (mm->state == SWIM_NONE)
		return st == SWIM_ALIVE; /* a stranger enters only alive */
	return inc > mm->inc || (inc == mm->inc && st > mm->state);
}

/* One update received, from `sender`. */
static void apply(struct swim *w, const struct swim_upd *u)
{
	int p = u->node;
	enum swim_state st = (enum swim_state)u->state;
	if (p >= node_count(w->n) || st < SWIM_ALIVE || st > SWIM_LEFT)
		return;
	if (p == w->n->id) {
		/* About me: refute a suspicion or a death in this incarnation
		 * or a later one (memberlist refutes a death too, unless it
		 * left). An accusation of an older incarnation means the
		 * accuser missed my refutation: say it again, unchanged. */
		if (w->member && (st == SWIM_SUSPECT || st == SWIM_DEAD)) {
			if (u->inc >= w->inc)
				refute(w, u->inc);
			else if (!w->bq[w->n->id].queued)
				enqueue(w, w->n->id, SWIM_ALIVE, w->inc, w->n->id);
		}
		return;
	}
	struct swim_member *mm = &w->m[p];
	if (st == SWIM_SUSPECT && mm->state == SWIM_SUSPECT && u->inc == mm->inc) {
		/* Lifeguard: an independent confirmation shortens the wait. */
		if (u->from < SIM_MAX_NODES && !nodeset_has(&mm->confirmed, u->from)) {
			nodeset_add(&mm->confirmed, u->from);
			enqueue(w, p, st, u->inc, u->from);
			arm_suspicion(w);
		}
		return;
	}
	if (!overrides(mm, st, u->inc))
		return;
	set_member(w, p, st, u->inc, u->from);
	enqueue(w, p, st, u->inc, u->from);
}

static void apply_all(struct swim *w, const struct swim_wire *msg)
{
	for (int i = 0; i < msg->h.nupd; i++)
		apply(w, &msg->u[i]);
}

/* ---- Lifeguard's local health awareness ------------------------------------------ */

/* Lifeguard (Dadgar, Phillips & Currey, "Lifeguard: Local Health Awareness
 * for More Accurate Failure Detection", 2018, §IV-A, LHA-Probe): a member
 * that is itself slow — starved of CPU, its network backed up — misses
 * acks that were sent in time and accuses healthy members. It keeps a
 * Local Health Multiplier, "a saturating counter" from 0 to S − 1: a
 * successful probe −1, a failed probe +1, refuting a suspicion about
 * itself +1, each nack it expected and missed +1; and "the probe interval
 * and probe timeout are scaled by LHM + 1", so an unhealthy member probes
 * less often and waits longer before it accuses (memberlist's awareness:
 * ApplyDelta, ScaleTimeout). S is the option `awareness` (memberlist's
 * AwarenessMaxMultiplier, 8); 0 turns it off. */
static void health_add(struct swim *w, int d)
{
	int max = (int)opt(w, SW_OPT_AWARENESS);
	if (max <= 0)
		return;
	int h = MAX(0, MIN(w->health + d, max - 1));
	if (h != w->health)
		node_state(w->n, "local health %d (of %d)", h, max - 1);
	w->health = h;
}

static sim_time scaled(const struct swim *w, sim_time t)
{
	return t * (opt(w, SW_OPT_AWARENESS) > 0 ? w->health + 1 : 1);
}

/* A ping sent on someone's ping-req: Lifeguard's nack is owed to the
 * requester if the target does not ack within a probe timeout — so that
 * the requester can tell "the target is silent" (a nack came) from "I
 * cannot hear" (no nack either). */
static void fwd_arm(struct swim *w)
{
	sim_time due = SIM_NEVER;
	for (int i = 0; i < SW_FWD_MAX; i++)
		if (w->fwd[i].on)
			due = MIN(due, w->fwd[i].due);
	if (due == SIM_NEVER)
		node_cancel_timer(w->n, SW_TIMER_NACK);
	else
		node_set_timer(w->n, SW_TIMER_NACK, MAX(0, due - node_local_now(w->n)));
}

static void fwd_add(struct swim *w, uint32_t seq, int origin, int target)
{
	int slot = 0;
	for (int i = 0; i < SW_FWD_MAX; i++) {
		if (!w->fwd[i].on) {
			slot = i;
			break;
		}
		if (w->fwd[i].due < w->fwd[slot].due)
			slot = i; /* full: the oldest gives way */
	}
	/* memberlist sends the nack a probe timeout after the ping-req, its
	 * LAN links a thousandth of its 500 ms timeout. Here links take
	 * 10-15 ms against a 100 ms timeout: the ping-req leaves a probe
	 * timeout into a period of two, and a nack a full timeout later would
	 * land after the requester's period ended. Half of one keeps it in
	 * time, and still longer than the round trip a live target answers
	 * in. */
	w->fwd[slot] = (struct swim_fwd){true, seq, (uint16_t)origin, (uint16_t)target,
					 node_local_now(w->n) + opt(w, SW_OPT_PROBE_TIMEOUT) / 2};
	fwd_arm(w);
}

static void fwd_acked(struct swim *w, uint32_t seq, int origin, int target)
{
	for (int i = 0; i < SW_FWD_MAX; i++)
		if (w->fwd[i].on && w->fwd[i].seq == seq && w->fwd[i].origin == origin &&
		    w->fwd[i].target == target)
			w->fwd[i].on = false;
}

static void send_gossip(struct swim *w, int to, int type, uint32_t seq, int origin, int target);

static void fwd_due(struct swim *w)
{
	sim_time now = node_local_now(w->n);
	for (int i = 0; i < SW_FWD_MAX; i++) {
		struct swim_fwd *f = &w->fwd[i];
		if (f->on && f->due <= now) {
			f->on = false;
			if (w->member)
				send_gossip(w, f->origin, SW_NACK, f->seq, f->origin, f->target);
		}
	}
	fwd_arm(w);
}

/* This node's probe of `p` failed: "marks Mj as a Suspected member" and
 * disseminates {Suspect Mj} (§4.2). */
static void probe_failed(struct swim *w, int p)
{
	struct swim_member *mm = &w->m[p];
	if (mm->state != SWIM_ALIVE)
		return; /* already suspect (the timeout runs), dead or gone */
	set_member(w, p, SWIM_SUSPECT, mm->inc, w->n->id);
	enqueue(w, p, SWIM_SUSPECT, mm->inc, w->n->id);
}

/* ---- the protocol period (§3.1) ------------------------------------------------ */

static int next_target(struct swim *w)
{
	for (int tries = 0; tries < 2; tries++) {
		while (w->pos < w->norder) {
			int p = w->order[w->pos++];
			enum swim_state st = (enum swim_state)w->m[p].state;
			if (st == SWIM_ALIVE || st == SWIM_SUSPECT || st == SWIM_DEAD)
				return p;
		}
		rotation_shuffle(w);
	}
	return -1;
}

static void period(struct swim *w)
{
	/* "At the end of this protocol period, Mi checks if it has received
	 * any acks, directly from Mj, or indirectly through one of the k
	 * members; if not, it declares Mj as failed" — here: suspect. */
	if (w->target >= 0 && w->m[w->target].state != SWIM_DEAD) {
		/* LHA-Probe: the probe's outcome says something of this node's
		 * own health — unless it was of a member it holds dead. */
		if (w->acked)
			health_add(w, -1);
		else if (w->expect_nacks > 0)
			health_add(w, MAX(0, w->expect_nacks - w->nacks));
		else
			health_add(w, 1);
	}
	if (w->target >= 0 && !w->acked)
		probe_failed(w, w->target);
	w->target = -1;
	w->nacks = w->expect_nacks = 0;
	if (!w->member)
		return;
	int t = next_target(w);
	if (t < 0)
		return;
	w->target = t;
	w->acked = false;
	w->indirect_sent = false;
	send_gossip(w, t, SW_PING, ++w->seq, w->n->id, t);
	node_set_timer(w->n, SW_TIMER_PROBE, scaled(w, opt(w, SW_OPT_PROBE_TIMEOUT)));
}

/* No ack within the probe timeout: "Mi selects k members at random and
 * sends each a ping-req(Mj) message." A dead member is not worth it. */
static void probe_timeout(struct swim *w)
{
	int t = w->target;
	if (t < 0 || w->acked || w->indirect_sent || w->m[t].state == SWIM_DEAD)
		return;
	w->indirect_sent = true;
	int cand[SIM_MAX_NODES], nc = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && p != t && w->m[p].state == SWIM_ALIVE)
			cand[nc++] = p;
	int k = (int)opt(w, SW_OPT_INDIRECT);
	for (int i = 0; i < k && i < nc; i++) {
		int j = (int)node_rand_range(w->n, i, nc - 1);
		int c = cand[j];
		cand[j] = cand[i];
		cand[i] = c;
		send_gossip(w, c, SW_PING_REQ, w->seq, w->n->id, t);
		if (opt(w, SW_OPT_AWARENESS) > 0)
			w->expect_nacks++;
	}
}

/* The whole view, this node included (memberlist's push-pull state). */
static void full_view(const struct swim *w, struct swim_wire *out)
{
	memset(&out->h, 0, sizeof out->h);
	int k = 0;
	out->u[k++] =
	    (struct swim_upd){(uint16_t)w->n->id, (uint16_t)w->n->id, SWIM_ALIVE, {0}, w->inc};
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && w->m[p].state != SWIM_NONE)
			out->u[k++] = (struct swim_upd){
			    (uint16_t)p, (uint16_t)w->n->id, w->m[p].state, {0}, w->m[p].inc};
	out->h.nupd = (uint16_t)k;
}

/* Anti-entropy (memberlist's periodic push-pull): an update whose
 * piggybacking ended before it reached everyone — lost to a partition or
 * to loss — is not lost for good. */
static void push_pull(struct swim *w)
{
	int cand[SIM_MAX_NODES], nc = 0;
	/* Dead members too: a view that holds everyone dead (behind a healed
	 * partition) must still find someone to swap with. */
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && (w->m[p].state == SWIM_ALIVE || w->m[p].state == SWIM_DEAD))
			cand[nc++] = p;
	if (nc) {
		struct swim_wire msg;
		full_view(w, &msg);
		sw_send(w, cand[node_rand_range(w->n, 0, nc - 1)], SW_SYNC, &msg);
	}
}

/* The first sync at a random point of the interval, so that members do
 * not all swap views at once. */
static void arm_sync(struct swim *w, bool first)
{
	sim_time pp = opt(w, SW_OPT_PUSH_PULL);
	if (pp > 0)
		node_set_timer(w->n, SW_TIMER_SYNC, first ? node_rand_range(w->n, 1, pp) : pp);
	else
		node_cancel_timer(w->n, SW_TIMER_SYNC);
}

static void send_join(struct swim *w)
{
	struct swim_wire msg;
	memset(&msg.h, 0, sizeof msg.h);
	msg.h.nupd = 1;
	msg.u[0] =
	    (struct swim_upd){(uint16_t)w->n->id, (uint16_t)w->n->id, SWIM_ALIVE, {0}, w->inc};
	sw_send(w, w->join_via, SW_JOIN, &msg);
	node_set_timer(w->n, SW_TIMER_JOIN, opt(w, SW_OPT_PERIOD));
}

/* Retry a join through another seed each period until a JoinAck. */
static void join_retry(struct swim *w)
{
	if (!w->joining)
		return;
	int cand[SIM_MAX_NODES], nc = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && nodeset_has(&w->known, p))
			cand[nc++] = p;
	if (nc > 1)
		w->join_via = cand[node_rand_range(w->n, 0, nc - 1)];
	send_join(w);
}

static void swim_on_timer(void *self, int timer)
{
	struct swim *w = self;
	boot(w);
	switch (timer) {
	case SW_TIMER_PERIOD:
		period(w);
		node_set_timer(w->n, SW_TIMER_PERIOD, scaled(w, opt(w, SW_OPT_PERIOD)));
		break;
	case SW_TIMER_NACK: fwd_due(w); break;
	case SW_TIMER_PROBE: probe_timeout(w); break;
	case SW_TIMER_SUSPECT: {
		/* "If Mj is suspected at some member Mh, and this entry times
		 * out before receipt of an Alive message, Mh declares Mj as
		 * faulty ... and begins spreading the message {Confirm Mj}." */
		sim_time now = node_local_now(w->n);
		for (int p = 0; p < node_count(w->n); p++)
			if (w->m[p].state == SWIM_SUSPECT &&
			    now - w->m[p].susp_start >= susp_timeout(w, p)) {
				uint32_t inc = w->m[p].inc;
				set_member(w, p, SWIM_DEAD, inc, w->n->id);
				enqueue(w, p, SWIM_DEAD, inc, w->n->id);
			}
		arm_suspicion(w);
		break;
	}
	case SW_TIMER_JOIN: join_retry(w); break;
	case SW_TIMER_SYNC:
		if (w->member)
			push_pull(w);
		arm_sync(w, false);
		break;
	}
}

static void swim_on_message(void *self, const struct msg *m)
{
	struct swim *w = self;
	struct swim_wire msg;
	boot(w);
	if (m->len < sizeof msg.h || m->len > sizeof msg || m->type >= SW_NMSG)
		return;
	memcpy(&msg, m->data, m->len);
	if (msg.h.nupd > SIM_MAX_NODES ||
	    m->len != sizeof msg.h + (size_t)msg.h.nupd * sizeof msg.u[0])
		return;
	int from = m->from;
	if (m->type == SW_JOIN_ACK) {
		if (!w->joining)
			return;
		w->joining = false;
		node_cancel_timer(w->n, SW_TIMER_JOIN);
		node_state(w->n, "joined through n%d", from + 1);
		apply_all(w, &msg);
		return;
	}
	if (!w->member)
		return; /* outside the group, or left: silent */
	apply_all(w, &msg);
	switch (m->type) {
	case SW_PING:
		/* Ack to the sender; origin and target travel back. */
		send_gossip(w, from, SW_ACK, msg.h.seq, msg.h.origin, w->n->id);
		break;
	case SW_ACK:
		if (msg.h.origin == w->n->id) {
			if (msg.h.seq == w->seq && msg.h.target == w->target)
				w->acked = true;
		} else if (msg.h.origin < node_count(w->n)) {
			/* I pinged on someone's ping-req: "forwards the ack". */
			send_gossip(w, msg.h.origin, SW_ACK, msg.h.seq, msg.h.origin, msg.h.target);
			fwd_acked(w, msg.h.seq, msg.h.origin, msg.h.target);
		}
		break;
	case SW_PING_REQ:
		if (msg.h.target < node_count(w->n) && msg.h.target != w->n->id) {
			send_gossip(w, msg.h.target, SW_PING, msg.h.seq, from, msg.h.target);
			if (opt(w, SW_OPT_AWARENESS) > 0)
				fwd_add(w, msg.h.seq, from, msg.h.target);
		}
		break;
	case SW_NACK:
		/* A helper heard nothing from the target either. */
		if (msg.h.origin == w->n->id && msg.h.seq == w->seq && msg.h.target == w->target)
			w->nacks++;
		break;
	case SW_JOIN:
	case SW_SYNC: {
		/* Push-pull: the whole view back, myself included. */
		struct swim_wire back;
		full_view(w, &back);
		sw_send(w, from, m->type == SW_JOIN ? SW_JOIN_ACK : SW_SYNC_ACK, &back);
		break;
	}
	case SW_SYNC_ACK:
	case SW_LEAVE: break; /* its update was applied */
	}
}

/* ---- lifecycle ------------------------------------------------------------------ */

static void start(struct swim *w)
{
	w->target = -1;
	rotation_shuffle(w);
	/* Stagger the first period so that members do not probe in lockstep. */
	node_set_timer(w->n, SW_TIMER_PERIOD, node_rand_range(w->n, 1, opt(w, SW_OPT_PERIOD)));
	arm_sync(w, true);
}

static void *swim_create(struct node *n, const void *config)
{
	struct swim *w = xcalloc(1, sizeof *w);
	w->n = n;
	w->o = config;
	w->member = true;
	w->boot = true;
	w->crashed_at = SIM_NEVER;
	w->changed = node_trace_time(n);
	start(w);
	return w;
}

static void swim_destroy(void *self)
{
	free(self);
}

static void swim_on_crash(void *self)
{
	struct swim *w = self;
	boot(w); /* its seeds are stable */
	memset(w->m, 0, sizeof w->m);
	memset(w->bq, 0, sizeof w->bq);
	w->norder = w->pos = 0;
	w->target = -1;
	w->joining = false;
	w->crashed_at = node_trace_time(w->n);
	w->health = w->nacks = w->expect_nacks = 0;
	memset(w->fwd, 0, sizeof w->fwd);
}

/* Back from a crash: a new incarnation, and the whole view asked of one of
 * the members it knew, as on a join. */
static void begin_join(struct swim *w, int via)
{
	w->member = true;
	w->joining = true;
	w->join_via = via;
	w->inc++; /* stable storage: never reuse an incarnation */
	w->changed = node_trace_time(w->n);
	if (w->m[via].state == SWIM_NONE) /* a seed: whatever it is, the JoinAck says */
		w->m[via].state = SWIM_ALIVE;
	enqueue(w, w->n->id, SWIM_ALIVE, w->inc, w->n->id);
	send_join(w);
	start(w);
}

static void swim_on_restart(void *self)
{
	struct swim *w = self;
	w->changed = node_trace_time(w->n);
	if (!w->member)
		return; /* it had left, or never joined: it stays outside */
	int cand[SIM_MAX_NODES], nc = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != w->n->id && nodeset_has(&w->known, p))
			cand[nc++] = p;
	if (!nc) {
		w->inc++;
		start(w);
		return;
	}
	for (int i = 0; i < nc; i++)
		w->m[cand[i]].state = SWIM_ALIVE;
	begin_join(w, cand[node_rand_range(w->n, 0, nc - 1)]);
}

/* ---- views ------------------------------------------------------------------------ */

static void swim_status(const void *self, struct node_status *out)
{
	const struct swim *w = self;
	*out = (struct node_status){ROLE_NONE,
				    w->joining  ? N_("Joining")
				    : w->member ? N_("Member")
						: N_("Outside"),
				    -1, -1, -1};
}

static void swim_describe(const void *self, struct node_view *v)
{
	/* Filling in the initial group early is invisible (see boot()). */
	boot((struct swim *)self);
	const struct swim *w = self;
	memset(v, 0, sizeof *v);
	swim_status(self, &v->st);
	v->applied = -1;
	char tb[32];
	if (w->n->up)
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN, _("self: incarnation %u, %s"),
			    w->inc, w->member ? _("in the group") : _("outside the group"));
	int nalive = 0, nsusp = 0, ndead = 0, queued = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (w->bq[p].queued)
			queued++;
	sim_time now = node_local_now(w->n);
	for (int p = 0; p < node_count(w->n); p++) {
		if (p == w->n->id || w->m[p].state == SWIM_NONE || !w->n->up)
			continue;
		const struct swim_member *mm = &w->m[p];
		if (mm->state == SWIM_ALIVE)
			nalive++;
		else if (mm->state == SWIM_SUSPECT)
			nsusp++;
		else if (mm->state == SWIM_DEAD)
			ndead++;
		if (v->nlines >= VIEW_LINES - 1)
			continue;
		char *line = v->lines[v->nlines++];
		if (mm->state == SWIM_SUSPECT) {
			sim_time left = mm->susp_start + susp_timeout(w, p) - now;
			simtime_fmt_dur(left > 0 ? left / 1000 * 1000 : 0, tb, sizeof tb);
			ns_snprintf(line, VIEW_LINE_LEN,
				    _("n%-3d suspect i%u, dead in %s (%d accusers)"), p + 1,
				    mm->inc, tb, nodeset_count(&mm->confirmed));
		} else {
			ns_snprintf(line, VIEW_LINE_LEN, "n%-3d %-7s i%u", p + 1,
				    _(swim_state_name((enum swim_state)mm->state)), mm->inc);
		}
	}
	if (w->n->up && v->nlines < VIEW_LINES)
		ns_snprintf(
		    v->lines[v->nlines++], VIEW_LINE_LEN,
		    P_("gossip: %d update to piggyback", "gossip: %d updates to piggyback", queued),
		    queued);
	if (w->n->up && opt(w, SW_OPT_AWARENESS) > 0 && v->nlines < VIEW_LINES) {
		char pb[32];
		simtime_fmt_dur(scaled(w, opt(w, SW_OPT_PERIOD)), pb, sizeof pb);
		ns_snprintf(v->lines[v->nlines++], VIEW_LINE_LEN,
			    _("local health %d of %lld: a probe every %s"), w->health,
			    (long long)opt(w, SW_OPT_AWARENESS) - 1, pb);
	}
	if (!w->member)
		ns_strlcpy(v->badge, _("outside"), sizeof v->badge);
	else if (nsusp || ndead)
		ns_snprintf(v->badge, sizeof v->badge, _("%d ok %d susp %d dead"), nalive + 1,
			    nsusp, ndead);
	else
		ns_snprintf(v->badge, sizeof v->badge, _("%d alive"), nalive + 1);
}

static void swim_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct swim_wire msg;
	const char *name = m->type < SW_NMSG ? swim_msgs[m->type].name : "?";
	if (m->len < sizeof msg.h || m->len > sizeof msg) {
		sbuf_printf(out, "%s ?", name);
		return;
	}
	memcpy(&msg, m->data, m->len);
	if (msg.h.nupd > SIM_MAX_NODES || m->len != sizeof msg.h + msg.h.nupd * sizeof msg.u[0]) {
		sbuf_printf(out, "%s ?", name);
		return;
	}
	sbuf_puts(out, name);
	switch (m->type) {
	case SW_PING:
	case SW_ACK:
		sbuf_printf(out, " #%u", msg.h.seq);
		if (msg.h.origin != (m->type == SW_PING ? m->from : m->to))
			sbuf_printf(out, " for n%d", msg.h.origin + 1);
		break;
	case SW_PING_REQ: sbuf_printf(out, " #%u n%d", msg.h.seq, msg.h.target + 1); break;
	}
	int shown = msg.h.nupd < 4 ? msg.h.nupd : 3;
	for (int i = 0; i < shown; i++)
		sbuf_printf(out, "%s%s n%d i%u", i ? "," : " [",
			    swim_state_name((enum swim_state)(
				msg.u[i].state <= SWIM_LEFT ? msg.u[i].state : 0)),
			    msg.u[i].node + 1, msg.u[i].inc);
	if (msg.h.nupd > shown)
		sbuf_printf(out, ", +%d", msg.h.nupd - shown);
	if (shown)
		sbuf_putc(out, ']');
}

/* ---- commands ----------------------------------------------------------------------- */

static struct swim *swim_at(struct sim *s, int i)
{
	return proto_self(s, i);
}

/* "n6" -> 5; -1 if not a node name. */
static int node_name(const char *t)
{
	if (t[0] != 'n' || !t[1])
		return -1;
	char *end;
	long v = strtol(t + 1, &end, 10);
	if (*end || v < 1 || v > SIM_MAX_NODES)
		return -1;
	return (int)v - 1;
}

/* join WORD via NODE: node WORD (created when past the last) announces
 * itself to NODE and asks for its view. */
static int cmd_join(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int x = node_name(a->a[0].str), via = a->a[1].node;
	boot_all(s); /* before the group grows */
	if (x < 0) {
		sbuf_printf(err, _("expected a node name like n6, got \"%s\""), a->a[0].str);
		return -1;
	}
	while (sim_nodes(s) <= x) {
		int k = sim_add_node(s);
		if (k < 0) {
			sbuf_printf(err, _("a cluster has at most %d nodes"), SIM_MAX_NODES);
			return -1;
		}
		/* A fresh node: outside the group, knowing nobody. */
		struct swim *w = swim_at(s, k);
		for (int t = 0; t < SIM_MAX_TIMERS; t++)
			node_cancel_timer(w->n, t);
		memset(w->m, 0, sizeof w->m);
		memset(&w->known, 0, sizeof w->known);
		w->member = false;
		w->boot = false;
		w->norder = 0;
		sim_note(s, TR_NOTE, k, -1, "n%d joins the simulation, outside the group", k + 1);
	}
	struct swim *w = swim_at(s, x);
	if (x == via) {
		sbuf_puts(err, _("a node joins through another member"));
		return -1;
	}
	if (!sim_node(s, x)->up) {
		sbuf_printf(err, _("n%d is down"), x + 1);
		return -1;
	}
	if (w->member) {
		sbuf_printf(err, _("n%d is already a member"), x + 1);
		return -1;
	}
	nodeset_add(&w->known, via);
	begin_join(w, via);
	return 0;
}

/* leave NODE: a graceful leave — {Left NODE} to k + 1 members, then
 * silence. */
static int cmd_leave(struct sim *s, const struct proto_args *a, struct sbuf *err)
{
	int x = a->a[0].node;
	struct swim *w = swim_at(s, x);
	boot_all(s);
	if (!sim_node(s, x)->up) {
		sbuf_printf(err, _("n%d is down"), x + 1);
		return -1;
	}
	if (!w->member) {
		sbuf_printf(err, _("n%d is not a member"), x + 1);
		return -1;
	}
	node_state(w->n, "leaves the group (incarnation %u)", w->inc);
	int cand[SIM_MAX_NODES], nc = 0;
	for (int p = 0; p < node_count(w->n); p++)
		if (p != x && w->m[p].state == SWIM_ALIVE)
			cand[nc++] = p;
	int k = (int)opt(w, SW_OPT_INDIRECT) + 1;
	struct swim_wire msg;
	memset(&msg.h, 0, sizeof msg.h);
	msg.h.nupd = 1;
	msg.u[0] = (struct swim_upd){(uint16_t)x, (uint16_t)x, SWIM_LEFT, {0}, w->inc};
	for (int i = 0; i < k && i < nc; i++) {
		int j = (int)node_rand_range(w->n, i, nc - 1);
		int c = cand[j];
		cand[j] = cand[i];
		cand[i] = c;
		sw_send(w, c, SW_LEAVE, &msg);
	}
	w->member = false;
	w->joining = false;
	w->target = -1;
	w->changed = node_trace_time(w->n);
	for (int t = 0; t < SIM_MAX_TIMERS; t++)
		node_cancel_timer(w->n, t);
	return 0;
}

static const struct proto_cmd swim_commands[] = {
    {"join", "WORD via NODE",
     N_("a node outside the group (a name past the last creates it) joins through a member"),
     cmd_join},
    {"leave", "NODE", N_("a member leaves the group gracefully, telling a few others"), cmd_leave},
    {NULL, NULL, NULL, NULL},
};

/* ---- predicates ------------------------------------------------------------------- */

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

/* Up members (in the group), but `but`. */
static struct nodeset members_up(struct sim *s, int but)
{
	struct nodeset set = {{0, 0}};
	for (int i = 0; i < sim_nodes(s); i++)
		if (i != but && sim_node(s, i)->up && swim_at(s, i)->member)
			nodeset_add(&set, i);
	return set;
}

/* member NODE alive|suspect|dead|left [by NODES] */
static bool pred_member(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	boot_all(s);
	int p = a->a[0].node;
	const char *want = a->a[1].str;
	struct nodeset obs = a->a[2].present ? a->a[2].set : members_up(s, p);
	bool all = !nodeset_empty(&obs), first = true;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!nodeset_has(&obs, i))
			continue;
		uint32_t inc;
		const char *word;
		if (!sim_node(s, i)->up) {
			word = _("is down");
			all = false;
			sbuf_printf(why, "%sn%d %s", first ? "" : ", ", i + 1, word);
		} else {
			enum swim_state st = swim_view_of(swim_at(s, i), p, &inc);
			if (strcmp(swim_state_name(st), want))
				all = false;
			sbuf_printf(why, _("%sn%d holds it %s i%u"), first ? "" : ", ", i + 1,
				    _(swim_state_name(st)), inc);
		}
		first = false;
	}
	if (first)
		sbuf_puts(why, _("no observer"));
	return all;
}

/* converged: every up member's view is the truth, the same everywhere —
 * every up member alive at its own incarnation, every crashed member dead
 * (or left), every member that left, left. */
static bool pred_converged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	boot_all(s);
	(void)a;
	int nobs = 0;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up || !swim_at(s, i)->member)
			continue;
		nobs++;
		const struct swim *wi = swim_at(s, i);
		for (int p = 0; p < sim_nodes(s); p++) {
			if (p == i)
				continue;
			const struct swim *wp = swim_at(s, p);
			uint32_t inc;
			enum swim_state st = swim_view_of(wi, p, &inc);
			bool up = sim_node(s, p)->up;
			bool ok;
			if (up && wp->member)
				ok = st == SWIM_ALIVE && inc == wp->inc;
			else if (up)
				ok = st == SWIM_NONE || st == SWIM_LEFT || st == SWIM_DEAD;
			else
				ok = st == SWIM_NONE || st == SWIM_DEAD || st == SWIM_LEFT;
			if (!ok) {
				sbuf_printf(why, _("n%d holds n%d %s i%u, but n%d is %s"), i + 1,
					    p + 1, _(swim_state_name(st)), inc, p + 1,
					    !up          ? _("down")
					    : wp->member ? _("an up member")
							 : _("outside the group"));
				if (up && wp->member)
					sbuf_printf(why, _(" at i%u"), wp->inc);
				return false;
			}
		}
	}
	sbuf_printf(
	    why, P_("%d up member agrees on the truth", "%d up members agree on the truth", nobs),
	    nobs);
	return nobs > 0;
}

static bool pred_false(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int64_t total = 0;
	for (int i = 0; i < sim_nodes(s); i++)
		total += swim_at(s, i)->false_susp;
	sbuf_printf(why, P_("%lld false suspicion", "%lld false suspicions", total),
		    (long long)total);
	return cmp(a->a[0].str, (double)total, (double)a->a[1].num);
}

/* detection NODE OP DURATION: from NODE's latest crash until the last up
 * member declared it dead — how long the news took to infect the group. */
static bool pred_detection(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	boot_all(s);
	int p = a->a[0].node;
	sim_time crash = swim_at(s, p)->crashed_at, worst = 0;
	char tb[32];
	if (crash == SIM_NEVER) {
		sbuf_printf(why, _("n%d never crashed"), p + 1);
		return false;
	}
	for (int i = 0; i < sim_nodes(s); i++) {
		if (i == p || !sim_node(s, i)->up || !swim_at(s, i)->member)
			continue;
		const struct swim_member *mm = &swim_at(s, i)->m[p];
		if (mm->state != SWIM_DEAD || mm->dead_at < crash) {
			sbuf_printf(why, _("n%d has not declared n%d dead"), i + 1, p + 1);
			return false;
		}
		if (mm->dead_at - crash > worst)
			worst = mm->dead_at - crash;
	}
	sbuf_printf(why, _("every up member declared n%d dead within %s of its crash"), p + 1,
		    simtime_fmt_dur(worst / 1000 * 1000, tb, sizeof tb));
	return cmp(a->a[1].str, (double)worst, (double)a->a[2].num);
}

/* load OP X: messages sent per up member per protocol period, the most of
 * any member, over the whole run. */
static bool pred_load(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	char *end;
	double x = strtod(a->a[1].str, &end);
	if (*end || end == a->a[1].str) {
		sbuf_printf(why, _("expected a number after %s, got \"%s\""), a->a[0].str,
			    a->a[1].str);
		return false;
	}
	double periods = (double)sim_now(s) / (double)sim_opts(s)->v[SW_OPT_PERIOD].i;
	if (periods < 1) {
		sbuf_puts(why, _("not one protocol period has passed"));
		return false;
	}
	double worst = 0;
	int who = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!sim_node(s, i)->up)
			continue;
		double l = (double)sim_node(s, i)->sent / periods;
		if (who < 0 || l > worst) {
			worst = l;
			who = i;
		}
	}
	if (who < 0) {
		sbuf_puts(why, _("no node is up"));
		return false;
	}
	sbuf_printf(why, _("n%d sent %.2f messages per period, the most"), who + 1, worst);
	return cmp(a->a[0].str, worst, x);
}

/* incarnation NODE OP INT: NODE's own incarnation number. */
static bool pred_incarnation(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	uint32_t inc = swim_at(s, a->a[0].node)->inc;
	sbuf_printf(why, _("n%d is at incarnation %u"), a->a[0].node + 1, inc);
	return cmp(a->a[1].str, (double)inc, (double)a->a[2].num);
}

static const struct proto_pred swim_preds[] = {
    {"member", "NODE alive|suspect|dead|left [by NODES]",
     N_("every observer (default: every other up member) holds NODE in that state"), pred_member},
    {"converged", "",
     N_("every up member's view is the truth: up members alive at their incarnation, crashed "
	"ones dead"),
     pred_converged},
    {"false-suspicions", ">=|<= INT",
     N_("accusations (suspect or dead) that live members heard of themselves and refuted, "
	"all members together"),
     pred_false},
    {"detection", "NODE >=|<= DURATION",
     N_("time from NODE's latest crash until every up member declared it dead"), pred_detection},
    {"load", ">=|<= WORD",
     N_("messages sent per member per protocol period, the most of any up member"), pred_load},
    {"incarnation", "NODE >=|<= INT", N_("NODE's own incarnation number"), pred_incarnation},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops swim_ops = {
    .node =
	{
	    .create = swim_create,
	    .destroy = swim_destroy,
	    .on_message = swim_on_message,
	    .on_timer = swim_on_timer,
	    .on_crash = swim_on_crash,
	    .on_restart = swim_on_restart,
	    .describe_msg = swim_describe_msg,
	    .msg_kinds = swim_msgs,
	    .nmsg_kinds = SW_NMSG,
	},
    .name = "swim",
    .summary = N_("SWIM membership: random probes, indirect ping-req, suspicion refuted by "
		  "incarnation, gossip"),
    .options = swim_options,
    .status = swim_status,
    .describe = swim_describe,
    .commands = swim_commands,
    .preds = swim_preds,
    .fuzz_vary = swim_vary,
};

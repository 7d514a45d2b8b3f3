/*
 * client.c — simulated clients. A client is a sequential process (like a
 * Jepsen process): one operation at a time, each operation recorded from
 * invocation to completion with an outcome of ok, fail or unknown.
 *
 * A cas whose compare failed (REPLY_CAS_FALSE) ends as fail with cas_false
 * set: nothing changed, but the client learnt that the key did not hold
 * the expected value, and the history (src/check/history.c) records that
 * observation as a completed cas with a false result.
 *
 * An operation is tried in attempts. An attempt travels to a node (client
 * latency), the node's on_client answers with node_reply (or never, if it
 * crashes or cannot commit), and the reply travels back. A reply of ok or
 * fail ends the operation whichever attempt it answers — with exactly-once
 * semantics at the server, any attempt's answer is the operation's. A
 * redirect or refusal starts the next attempt; an attempt that hears nothing
 * for attempt_timeout is retried on another node with the same (client,
 * seq); at the deadline the operation ends as fail if the client heard a
 * refusal for every attempt it sent, else as unknown: an attempt that met
 * silence may have taken effect (the client cannot tell a lost request
 * from a lost reply).
 *
 * Matching replies. A reply may say that the client needs `matching` of
 * the same content from different nodes before it believes it (PBFT: f+1,
 * so that one at least comes from a correct replica). The client then
 * keeps each node's latest answer and completes only when enough agree;
 * the history records the result only then. A Byzantine node's replies
 * pass through its mode as its messages do (sim.h): a silent traitor
 * answers nothing, a lying one forges the value (the simulator owns the
 * reply's format, so it needs no corrupt_msg for that).
 *
 * Clients reach every node: network faults apply between nodes, not between
 * clients and nodes — unless a client is tied to a home node
 * (sim_client_set_home): then it is on its home's side of the network, and
 * reaches another node only over the home's links.
 */
#include "sim/sim_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static inline uint64_t cev(enum client_ev k, uint32_t attempt, uint32_t extra)
{
	return (uint64_t)k | (uint64_t)(attempt & 0xffffff) << 8 | (uint64_t)extra << 32;
}

struct client_config *sim_client_config(struct sim *s)
{
	return &s->client;
}

static void ensure_client(struct sim *s, int client)
{
	if ((size_t)client < s->nclients)
		return;
	size_t n = (size_t)client + 8;
	s->client_busy = xrealloc(s->client_busy, n);
	s->client_seq = xrealloc(s->client_seq, n * sizeof *s->client_seq);
	s->client_home = xrealloc(s->client_home, n * sizeof *s->client_home);
	for (size_t i = s->nclients; i < n; i++) {
		s->client_busy[i] = 0;
		s->client_seq[i] = 0;
		s->client_home[i] = -1;
	}
	s->nclients = n;
}

void sim_client_set_home(struct sim *s, int client, int node)
{
	ensure_client(s, client);
	s->client_home[client] = node >= 0 && node < s->n ? node : -1;
}

int sim_client_home(const struct sim *s, int client)
{
	return client >= 0 && (size_t)client < s->nclients ? s->client_home[client] : -1;
}

/* Whether a message between a tied client and node can travel: toward the
 * node (to_node) over home -> node, back over node -> home. */
static bool client_reaches(const struct sim *s, int client, int node, bool to_node)
{
	int home = sim_client_home(s, client);
	if (home < 0 || home == node)
		return true;
	return to_node ? sim_link_c(s, home, node)->up : sim_link_c(s, node, home)->up;
}

bool sim_client_busy(const struct sim *s, int client)
{
	return (size_t)client < s->nclients && s->client_busy[client];
}

int sim_client_idle(const struct sim *s, int from)
{
	int c = from < 1 ? 1 : from;
	while (sim_client_busy(s, c))
		c++;
	return c;
}

int sim_pending_count(const struct sim *s)
{
	return (int)s->npending;
}

const struct client_op *sim_pending(const struct sim *s, int i)
{
	return &s->pend[s->pending_list[i]].op;
}

static int random_up_node(struct sim *s, int avoid)
{
	int cand[SIM_MAX_NODES], k = 0;
	for (int i = 0; i < s->n; i++)
		if (s->node[i].up && i != avoid)
			cand[k++] = i;
	if (!k)
		return avoid >= 0 ? avoid : (int)rng_below(&s->rng, (uint64_t)s->n);
	return cand[rng_below(&s->rng, (uint64_t)k)];
}

/* A retry goes to a node other than the last one; clients do not know which
 * nodes are up. */
static int random_other_node(struct sim *s, int avoid)
{
	if (s->n == 1)
		return 0;
	int k = (int)rng_below(&s->rng, (uint64_t)s->n - 1);
	return k >= avoid ? k + 1 : k;
}

bool sim_client_setting_check(const char *name, sim_time v, struct sbuf *why)
{
	static const struct {
		const char *name;
		sim_time min;
	} mins[] = {
	    {"latency", CLIENT_LATENCY_MIN},
	    {"attempt", CLIENT_ATTEMPT_MIN},
	    {"timeout", CLIENT_DEADLINE_MIN},
	    {"backoff", CLIENT_BACKOFF_MIN},
	};
	for (size_t i = 0; i < ARRAY_LEN(mins); i++) {
		if (strcmp(name, mins[i].name) || v >= mins[i].min)
			continue;
		char a[32], b[32];
		sbuf_printf(why,
			    _("client %s must be at least %s, not %s: a shorter one would make "
			      "the client work without simulated time passing"),
			    name, simtime_fmt_dur(mins[i].min, a, sizeof a),
			    simtime_fmt_dur(v, b, sizeof b));
		return false;
	}
	return true;
}

/* A setting, never below its minimum (sim.h): a client always lets
 * simulated time pass between two attempts. */
static sim_time at_least(sim_time v, sim_time min)
{
	return v < min ? min : v;
}

static void send_attempt(struct sim *s, uint32_t pi, int node)
{
	struct pend *p = &s->pend[pi];
	p->attempt++;
	p->node = node;
	p->op.node = node;
	p->op.attempts = (int)p->attempt;
	queue_push(s, s->now + at_least(s->client.latency, CLIENT_LATENCY_MIN), EV_CLIENT, p->op.id,
		   cev(CEV_ARRIVE, p->attempt, 0));
	queue_push(s, s->now + at_least(s->client.attempt_timeout, CLIENT_ATTEMPT_MIN), EV_CLIENT,
		   p->op.id, cev(CEV_TIMEOUT, p->attempt, 0));
}

uint32_t sim_client_invoke(struct sim *s, int client, int node, const struct kv_op *op)
{
	ensure_client(s, client);
	s->client_busy[client] = 1;
	uint32_t pi;
	if (s->free_pend != UINT32_MAX) {
		pi = s->free_pend;
		s->free_pend = s->pend[pi].next_free;
	} else {
		xgrow((void **)&s->pend, &s->pend_cap, s->npend + 1, sizeof *s->pend);
		pi = (uint32_t)s->npend++;
	}
	struct pend *p = &s->pend[pi];
	memset(p, 0, sizeof *p);
	p->live = true;
	p->seq = ++s->client_seq[client];
	p->op.id = ++s->next_op_id;
	p->op.client = client;
	p->op.op = *op;
	p->op.invoked = s->now;
	p->op.completed = SIM_NEVER;
	p->op.outcome = OUT_PENDING;
	xgrow((void **)&s->pending_list, &s->pending_cap, s->npending + 1, sizeof *s->pending_list);
	p->list_pos = (uint32_t)s->npending;
	s->pending_list[s->npending++] = pi;
	if ((node < 0 || node >= s->n) && s->client_home[client] >= 0)
		node = s->client_home[client];
	if (node < 0 || node >= s->n)
		node = random_up_node(s, -1);
	p->op.node = node;
	struct trace_event ev = {
	    .kind = TR_INVOKE, .at = s->now, .node = node, .peer = -1, .op = &p->op};
	sim_emit(s, &ev);
	send_attempt(s, pi, node);
	queue_push(s, s->now + at_least(s->client.deadline, CLIENT_DEADLINE_MIN), EV_CLIENT,
		   p->op.id, cev(CEV_DEADLINE, 0, 0));
	return p->op.id;
}

static void complete(struct sim *s, uint32_t pi, enum op_outcome out, const char *why)
{
	struct pend *p = &s->pend[pi];
	p->op.outcome = out;
	p->op.completed = s->now;
	if (why)
		ns_strlcpy(p->op.why, why, sizeof p->op.why);
	struct trace_event ev = {
	    .kind = TR_COMPLETE, .at = s->now, .node = p->op.node, .peer = -1, .op = &p->op};
	sim_emit(s, &ev);
	s->client_busy[p->op.client] = 0;
	p->live = false;
	free(p->votes);
	p->votes = NULL;
	uint32_t last = s->pending_list[--s->npending];
	s->pending_list[p->list_pos] = last;
	s->pend[last].list_pos = p->list_pos;
	p->next_free = s->free_pend;
	s->free_pend = pi;
}

/* The pending op with this id, or UINT32_MAX when it has completed.
 * Pending ops are few (one per busy client), so a scan is fine. */
static uint32_t find_pend(const struct sim *s, uint32_t op_id)
{
	for (size_t k = 0; k < s->npending; k++)
		if (s->pend[s->pending_list[k]].op.id == op_id)
			return s->pending_list[k];
	return UINT32_MAX;
}

/* A traitor's reply on its way out (see sim_set_byzantine): false to send
 * nothing; otherwise *r may now be a forged answer — an ok carrying a value
 * the traitor made up, the same for every client in lie mode, another per
 * client in equivocate mode, a fresh choice per reply in random mode. */
static bool byz_reply(struct sim *s, const struct node *n, const struct client_req *req,
		      struct client_reply *r)
{
	uint64_t x;
	switch ((enum byz_mode)s->byz[n->id]) {
	case BYZ_LOYAL: return true;
	case BYZ_SILENT: return false;
	case BYZ_LIE: x = s->byz_seed[n->id]; break;
	case BYZ_EQUIVOCATE:
		x = s->byz_seed[n->id] * 0x9e3779b97f4a7c15ULL + (uint64_t)req->client;
		break;
	case BYZ_RANDOM:
		x = rng_next(&s->rng);
		if ((x & 3) == 0)
			return true;
		if ((x & 3) == 1)
			return false;
		x >>= 2;
		break;
	default: return true;
	}
	x ^= x >> 29;
	r->status = REPLY_OK;
	r->found = true;
	r->why[0] = 0;
	ns_snprintf(r->value, sizeof r->value, "%u", (unsigned)(x % 900 + 100));
	return true;
}

void node_reply(struct node *n, const struct client_req *req, const struct client_reply *r)
{
	struct sim *s = node_sim(n);
	struct client_reply forged;
	if (s->nbyz && s->byz[n->id] != BYZ_LOYAL) {
		forged = *r;
		if (!byz_reply(s, n, req, &forged))
			return;
		r = &forged;
	}
	if (find_pend(s, req->op_id) != UINT32_MAX) {
		uint32_t ri;
		if (s->free_reply != UINT32_MAX) {
			ri = s->free_reply;
			s->free_reply = s->replies[ri].next_free;
		} else {
			xgrow((void **)&s->replies, &s->replies_cap, s->nreplies + 1,
			      sizeof *s->replies);
			ri = (uint32_t)s->nreplies++;
		}
		s->replies[ri].r = *r;
		s->replies[ri].attempt = req->attempt;
		s->replies[ri].node = n->id;
		queue_push(s, s->now + at_least(s->client.latency, CLIENT_LATENCY_MIN), EV_CLIENT,
			   req->op_id, cev(CEV_REPLY, req->attempt, ri));
	}
}

/* A hash of what a reply says (never 0). */
static uint64_t reply_hash(const struct client_reply *r)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char b[3 + KV_VAL_MAX + 64];
	memset(b, 0, sizeof b);
	b[0] = (unsigned char)r->status;
	b[1] = r->found;
	memcpy(b + 3, r->value, strnlen(r->value, KV_VAL_MAX - 1));
	memcpy(b + 3 + KV_VAL_MAX, r->why, strnlen(r->why, 63));
	for (size_t i = 0; i < sizeof b; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h | 1;
}

/* Records node's answer; true when r->matching nodes now say the same. */
static bool enough_matching(struct sim *s, struct pend *p, int node, const struct client_reply *r)
{
	if (!p->votes)
		p->votes = xcalloc(SIM_MAX_NODES, sizeof *p->votes);
	uint64_t h = reply_hash(r);
	p->votes[node] = h;
	int same = 0;
	for (int i = 0; i < s->n; i++)
		same += p->votes[i] == h;
	return same >= r->matching;
}

static void on_reply(struct sim *s, uint32_t pi, uint32_t attempt, uint32_t ri)
{
	struct reply_slot rs = s->replies[ri];
	s->replies[ri].next_free = s->free_reply;
	s->free_reply = ri;
	if (pi == UINT32_MAX)
		return; /* the op already completed */
	struct pend *p = &s->pend[pi];
	const struct client_reply *r = &rs.r;
	if (!client_reaches(s, p->op.client, (int)rs.node, false))
		return; /* lost on the way back: the attempt will time out */
	if (r->matching > 1 &&
	    (r->status == REPLY_OK || r->status == REPLY_CAS_FALSE || r->status == REPLY_FAIL) &&
	    !enough_matching(s, p, rs.node, r))
		return; /* believed only once enough nodes say the same */
	switch (r->status) {
	case REPLY_OK:
		p->op.node = rs.node;
		p->op.found = r->found;
		ns_strlcpy(p->op.result, r->value, sizeof p->op.result);
		complete(s, pi, OUT_OK, NULL);
		return;
	case REPLY_CAS_FALSE:
		/* Done, with a false answer: the trace says fail, as the client
		 * sees it; the history keeps it as an observation. */
		p->op.node = rs.node;
		p->op.cas_false = p->op.op.fn == KV_CAS;
		complete(s, pi, OUT_FAIL, r->why[0] ? r->why : "cas: compare failed");
		return;
	case REPLY_FAIL:
		p->op.node = rs.node;
		complete(s, pi, OUT_FAIL, r->why[0] ? r->why : "refused");
		return;
	case REPLY_NOT_LEADER:
	case REPLY_UNAVAILABLE:
		if (attempt <= 64)
			p->refused |= (uint64_t)1 << (attempt - 1);
		ns_strlcpy(p->op.why,
			   r->why[0]
			       ? r->why
			       : (r->status == REPLY_NOT_LEADER ? "not leader" : "unavailable"),
			   sizeof p->op.why);
		if (attempt != p->attempt)
			return; /* a stale refusal: the current attempt goes on */
		if (r->status == REPLY_NOT_LEADER && s->client.follow_redirects &&
		    !s->client.stick && r->leader_hint >= 0 && r->leader_hint < s->n &&
		    r->leader_hint != rs.node) {
			send_attempt(s, pi, r->leader_hint);
		} else {
			/* Back off, then try another node. */
			p->attempt++; /* invalidates the pending timeout */
			queue_push(s, s->now + s->client.backoff, EV_CLIENT, p->op.id,
				   cev(CEV_RETRY, p->attempt, 0));
		}
		return;
	}
}

void client_event(struct sim *s, uint32_t op_id, uint64_t b)
{
	enum client_ev kind = (enum client_ev)(b & 0xff);
	uint32_t attempt = (uint32_t)(b >> 8) & 0xffffff;
	uint32_t extra = (uint32_t)(b >> 32);
	uint32_t pi = find_pend(s, op_id);
	if (kind == CEV_REPLY) {
		on_reply(s, pi, attempt, extra);
		return;
	}
	if (pi == UINT32_MAX)
		return; /* a timer of an op that has completed */
	struct pend *p = &s->pend[pi];
	switch (kind) {
	case CEV_ARRIVE: {
		struct node *n = &s->node[p->node];
		if (!n->up || !client_reaches(s, p->op.client, p->node, true))
			return; /* lost: the attempt will time out */
		if (attempt <= 64)
			p->delivered |= (uint64_t)1 << (attempt - 1);
		else
			p->late_delivered = true; /* past the masks: assume it may count */
		struct client_req req = {p->op.id, attempt, p->op.client, p->seq, p->op.op};
		n->ops->on_client(n->self, &req);
		return;
	}
	case CEV_TIMEOUT:
		if (attempt != p->attempt)
			return;
		ns_strlcpy(p->op.why, "timed out", sizeof p->op.why);
		send_attempt(s, pi, s->client.stick ? p->node : random_other_node(s, p->node));
		return;
	case CEV_RETRY:
		if (attempt != p->attempt)
			return;
		p->attempt--; /* send_attempt numbers it */
		send_attempt(s, pi, s->client.stick ? p->node : random_other_node(s, p->node));
		return;
	case CEV_DEADLINE: {
		/* What the client knows: an attempt answered by a refusal did
		 * not take effect; one that met silence may have (it may have
		 * arrived and its reply been lost, as Jepsen's :info). So the
		 * operation failed only if every attempt sent was refused. */
		int sent = p->op.attempts;
		uint64_t all = sent >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << sent) - 1;
		bool maybe = sent > 64 || (p->refused & all) != all || p->late_delivered;
		complete(s, pi, maybe ? OUT_UNKNOWN : OUT_FAIL, maybe ? "timed out" : p->op.why);
		return;
	}
	case CEV_REPLY: break;
	}
}

static void put_value(struct sbuf *out, const char *v)
{
	if (!*v || strpbrk(v, " \t\"#|="))
		sbuf_printf(out, " \"%s\"", v);
	else
		sbuf_printf(out, " %s", v);
}

const char *kv_fn_name(enum kv_fn fn)
{
	static const char *const names[] = {"get", "put", "cas", "append", "sync"};
	return (unsigned)fn < sizeof names / sizeof names[0] ? names[fn] : "?";
}

void kv_op_fmt(const struct kv_op *op, struct sbuf *out)
{
	sbuf_puts(out, kv_fn_name(op->fn));
	if (op->fn == KV_SYNC)
		return;
	put_value(out, op->key);
	if (op->fn != KV_GET)
		put_value(out, op->arg);
	if (op->fn == KV_CAS)
		put_value(out, op->arg2);
	if (op->level != KV_LEVEL_DEFAULT && op->level < KV_LEVEL_COUNT)
		sbuf_printf(out, " consistency=%s", kv_level_name((enum kv_level)op->level));
}

static const char *const level_names[KV_LEVEL_COUNT] = {
    [KV_LEVEL_DEFAULT] = "",
    [KV_LEVEL_ONE] = "one",
    [KV_LEVEL_QUORUM] = "quorum",
    [KV_LEVEL_ALL] = "all",
    [KV_LEVEL_SERIALIZABLE] = "serializable",
    [KV_LEVEL_LINEARIZABLE] = "linearizable",
};

const char *kv_level_name(enum kv_level l)
{
	return (unsigned)l < KV_LEVEL_COUNT ? level_names[l] : "";
}

bool kv_level_parse(const char *word, enum kv_level *out)
{
	static const struct {
		const char *word;
		enum kv_level level;
	} alias[] = {
	    {"eventual", KV_LEVEL_SERIALIZABLE},
	    {"local", KV_LEVEL_SERIALIZABLE},
	    {"strong", KV_LEVEL_LINEARIZABLE},
	    {"consistent", KV_LEVEL_LINEARIZABLE},
	};
	for (int l = KV_LEVEL_ONE; l < KV_LEVEL_COUNT; l++)
		if (!strcmp(word, level_names[l])) {
			*out = (enum kv_level)l;
			return true;
		}
	for (size_t i = 0; i < ARRAY_LEN(alias); i++)
		if (!strcmp(word, alias[i].word)) {
			*out = alias[i].level;
			return true;
		}
	return false;
}

const char *op_outcome_str(enum op_outcome o)
{
	switch (o) {
	case OUT_PENDING: return "pending";
	case OUT_OK: return "ok";
	case OUT_FAIL: return "fail";
	case OUT_UNKNOWN: return "unknown";
	}
	return "?";
}

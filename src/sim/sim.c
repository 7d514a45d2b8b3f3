/*
 * sim.c — the simulator's event loop, network, nodes and clocks; see sim.h
 * for the stepping rule and the contracts.
 *
 * Memory. Nothing is allocated per message in steady state: message slots
 * live in blocks of SLOT_BLOCK that are never moved (so a struct msg pointer
 * stays valid while the message is in flight), recycled through a free
 * list; a payload up to SIM_MSG_INLINE bytes is copied into the slot, a
 * larger one into a per-slot buffer that is kept and reused. The event queue
 * is a 4-ary heap of 32-byte events that grows by doubling and never
 * shrinks.
 */
#include "sim/sim_internal.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct link_config sim_link_base = {.latency = 10 * SIM_MS, .jitter = 5 * SIM_MS};

int nodeset_count(const struct nodeset *s)
{
	return __builtin_popcountll(s->w[0]) + __builtin_popcountll(s->w[1]);
}

const char *drop_reason_str(enum drop_reason r)
{
	switch (r) {
	case DROP_LOSS: return N_("lost by the network");
	case DROP_LINK_DOWN: return N_("link is cut");
	case DROP_CUT_IN_FLIGHT: return N_("link was cut in flight");
	case DROP_NODE_DOWN: return N_("receiver is down");
	case DROP_RESTARTED: return N_("receiver restarted");
	case DROP_SENDER_DOWN: return N_("sender is down");
	}
	return "?";
}

/* ---- event queue ------------------------------------------------------- */

static inline bool ev_less(const struct event *a, const struct event *b)
{
	/* (at, seq) as one 128-bit key: at is never negative */
	unsigned __int128 ka = (unsigned __int128)(uint64_t)a->at << 64 | a->seq;
	unsigned __int128 kb = (unsigned __int128)(uint64_t)b->at << 64 | b->seq;
	return ka < kb;
}

/* A 4-ary min-heap: half the depth of a binary heap, and a node's four
 * children share two cache lines. Pop moves the hole left by the root down
 * to a leaf along the smallest children, then sifts the last event up from
 * there (Floyd's bottom-up variant: fewer comparisons, since the last event
 * usually belongs near the bottom). */
#define HEAP_D 4

static inline void sift_up(struct event *q, size_t i, struct event ev)
{
	while (i > 0) {
		size_t p = (i - 1) / HEAP_D;
		if (!ev_less(&ev, &q[p]))
			break;
		q[i] = q[p];
		i = p;
	}
	q[i] = ev;
}

void queue_push(struct sim *s, sim_time at, uint32_t kind, uint32_t a, uint64_t b)
{
	if (s->qlen == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 1024;
		s->q = xrealloc(s->q, s->qcap * sizeof *s->q);
	}
	struct event ev = {at, s->next_seq++, kind, a, b};
	sift_up(s->q, s->qlen++, ev);
}

static struct event queue_pop(struct sim *s)
{
	struct event *q = s->q;
	struct event top = q[0];
	size_t n = --s->qlen;
	if (n == 0)
		return top;
	struct event last = q[n];
	size_t i = 0;
	for (;;) {
		size_t c = HEAP_D * i + 1;
		if (c >= n)
			break;
		size_t best = c, end = c + HEAP_D < n ? c + HEAP_D : n;
		for (size_t k = c + 1; k < end; k++)
			if (ev_less(&q[k], &q[best]))
				best = k;
		q[i] = q[best];
		i = best;
	}
	sift_up(q, i, last);
	return top;
}

/* ---- message slots ----------------------------------------------------- */

static inline struct slot *slot_at(const struct sim *s, uint32_t i)
{
	return &s->blocks[i / SLOT_BLOCK][i % SLOT_BLOCK];
}

static uint32_t slot_alloc(struct sim *s)
{
	if (s->free_slot == UINT32_MAX) {
		size_t nb = s->nblocks++;
		s->blocks = xrealloc(s->blocks, s->nblocks * sizeof *s->blocks);
		s->blocks[nb] = xcalloc(SLOT_BLOCK, sizeof(struct slot));
		for (uint32_t k = SLOT_BLOCK; k-- > 0;) {
			s->blocks[nb][k].next_free = s->free_slot;
			s->free_slot = (uint32_t)(nb * SLOT_BLOCK + k);
		}
	}
	uint32_t i = s->free_slot;
	struct slot *sl = slot_at(s, i);
	s->free_slot = sl->next_free;
	sl->inflight_pos = s->ninflight;
	if (s->ninflight == s->inflight_cap) {
		s->inflight_cap = s->inflight_cap ? s->inflight_cap * 2 : 256;
		s->inflight = xrealloc(s->inflight, s->inflight_cap * sizeof *s->inflight);
	}
	s->inflight[s->ninflight++] = i;
	return i;
}

static void slot_free(struct sim *s, uint32_t i)
{
	struct slot *sl = slot_at(s, i);
	uint32_t last = s->inflight[--s->ninflight];
	s->inflight[sl->inflight_pos] = last;
	slot_at(s, last)->inflight_pos = sl->inflight_pos;
	sl->next_free = s->free_slot;
	s->free_slot = i;
}

static void slot_fill(struct slot *sl, const void *data, size_t len)
{
	unsigned char *dst = sl->inl;
	if (len > SIM_MSG_INLINE) {
		if (sl->bigcap < len) {
			free(sl->big);
			sl->bigcap = len < 256 ? 256 : len;
			sl->big = xmalloc(sl->bigcap);
		}
		dst = sl->big;
	}
	if (len)
		memcpy(dst, data, len);
	sl->m.len = (uint32_t)len;
	sl->m.data = dst;
}

int sim_inflight_count(const struct sim *s)
{
	return (int)s->ninflight;
}

const struct msg *sim_inflight(const struct sim *s, int i)
{
	return &slot_at(s, s->inflight[i])->m;
}

/* ---- observers ----------------------------------------------------------- */

int sim_observe(struct sim *s, trace_fn fn, void *ctx)
{
	for (int i = 0; i < s->nobs; i++)
		if (!s->obs[i].fn) {
			s->obs[i].fn = fn;
			s->obs[i].ctx = ctx;
			s->live_obs++;
			return i;
		}
	if (s->nobs == (int)ARRAY_LEN(s->obs))
		return -1;
	s->obs[s->nobs].fn = fn;
	s->obs[s->nobs].ctx = ctx;
	s->live_obs++;
	return s->nobs++;
}

void sim_unobserve(struct sim *s, int h)
{
	if (h >= 0 && h < s->nobs && s->obs[h].fn) {
		s->obs[h].fn = NULL;
		s->live_obs--;
	}
}

void sim_emit(struct sim *s, const struct trace_event *ev)
{
	for (int i = 0; i < s->nobs; i++)
		if (s->obs[i].fn)
			s->obs[i].fn(s->obs[i].ctx, ev);
}

static inline bool observed(const struct sim *s)
{
	return s->live_obs > 0;
}

static void emit_simple(struct sim *s, enum trace_kind kind, int node, int peer)
{
	struct trace_event ev = {.kind = kind, .at = s->now, .node = node, .peer = peer};
	sim_emit(s, &ev);
}

void sim_note(struct sim *s, enum trace_kind kind, int node, int peer, const char *fmt, ...)
{
	if (!observed(s))
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	struct trace_event ev = {
	    .kind = kind, .at = s->now, .node = node, .peer = peer, .text = buf};
	sim_emit(s, &ev);
}

/* ---- nodes --------------------------------------------------------------- */

static void link_init(struct sim *s, int from, int to)
{
	struct link *l = &s->links[(size_t)from * SIM_MAX_NODES + to];
	memset(l, 0, sizeof *l);
	l->up = true;
	l->cfg = s->link_default;
}

static void node_init(struct sim *s, int i)
{
	struct node *n = &s->node[i];
	memset(n, 0, sizeof *n);
	n->id = i;
	ns_snprintf(n->name, sizeof n->name, "n%d", i + 1);
	n->up = true;
	n->ops = s->ops;
	for (int t = 0; t < SIM_MAX_TIMERS; t++)
		n->timer_due[t] = SIM_NEVER;
	for (int j = 0; j <= i; j++) {
		link_init(s, i, j);
		link_init(s, j, i);
	}
}

struct sim *sim_create(const struct node_ops *ops, const void *config, size_t config_size, int n,
		       uint64_t seed)
{
	if (n < 1 || n > SIM_MAX_NODES)
		return NULL;
	struct sim *s = xcalloc(1, sizeof *s);
	s->ops = ops;
	s->config = xcalloc(1, config_size ? config_size : 1);
	if (config)
		memcpy(s->config, config, config_size);
	s->seed = seed;
	rng_seed(&s->rng, seed);
	s->free_slot = UINT32_MAX;
	s->free_call = UINT32_MAX;
	s->free_pend = UINT32_MAX;
	s->free_reply = UINT32_MAX;
	s->link_default = sim_link_base;
	s->client = (struct client_config){
	    .latency = 1 * SIM_MS,
	    .attempt_timeout = 500 * SIM_MS,
	    .deadline = 2 * SIM_S,
	    .backoff = 50 * SIM_MS,
	    .follow_redirects = true,
	};
	s->links = xcalloc((size_t)SIM_MAX_NODES * SIM_MAX_NODES, sizeof *s->links);
	for (int i = 0; i < n; i++)
		sim_add_node(s);
	return s;
}

int sim_add_node(struct sim *s)
{
	if (s->n == SIM_MAX_NODES)
		return -1;
	int i = s->n++;
	node_init(s, i);
	s->node[i].self = s->ops->create(&s->node[i], s->config);
	return i;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->ops->destroy)
			s->ops->destroy(s->node[i].self);
	for (size_t b = 0; b < s->nblocks; b++) {
		for (int k = 0; k < SLOT_BLOCK; k++)
			free(s->blocks[b][k].big);
		free(s->blocks[b]);
	}
	free(s->blocks);
	free(s->inflight);
	free(s->q);
	free(s->links);
	free(s->calls);
	for (size_t i = 0; i < s->npend; i++)
		free(s->pend[i].votes); /* NULL unless a pending op awaited matching replies */
	free(s->pend);
	free(s->pending_list);
	free(s->replies);
	free(s->client_busy);
	free(s->client_seq);
	free(s->client_home);
	free(s->config);
	free(s->byz_buf);
	free(s);
}

sim_time sim_now(const struct sim *s)
{
	return s->now;
}
uint64_t sim_seed(const struct sim *s)
{
	return s->seed;
}
struct rng *sim_rng(struct sim *s)
{
	return &s->rng;
}
int sim_nodes(const struct sim *s)
{
	return s->n;
}
struct node *sim_node(struct sim *s, int i)
{
	return &s->node[i];
}
const struct node *sim_node_c(const struct sim *s, int i)
{
	return &s->node[i];
}
const struct node_ops *sim_node_ops(const struct sim *s)
{
	return s->ops;
}
const void *sim_config(const struct sim *s)
{
	return s->config;
}
void *sim_config_mut(struct sim *s)
{
	return s->config;
}
uint64_t sim_events(const struct sim *s)
{
	return s->events;
}
const struct link_config *sim_default_link(const struct sim *s)
{
	return &s->link_default;
}
void sim_set_default_link(struct sim *s, const struct link_config *c)
{
	s->link_default = *c;
}

/* ---- sending -------------------------------------------------------------- */

/* ---- Byzantine nodes ------------------------------------------------------ */

bool sim_set_byzantine(struct sim *s, int node, enum byz_mode mode)
{
	if (node < 0 || node >= s->n)
		return false;
	if (mode != BYZ_LOYAL && mode != BYZ_SILENT && !s->ops->corrupt_msg)
		return false;
	s->nbyz += (mode != BYZ_LOYAL) - (s->byz[node] != BYZ_LOYAL);
	s->byz[node] = (uint8_t)mode;
	s->node[node].byz = (uint8_t)mode;
	s->byz_seed[node] = mode == BYZ_LIE || mode == BYZ_EQUIVOCATE ? rng_next(&s->rng) : 0;
	return true;
}

enum byz_mode sim_byzantine(const struct sim *s, int node)
{
	return node >= 0 && node < s->n ? (enum byz_mode)s->byz[node] : BYZ_LOYAL;
}

const char *byz_mode_str(enum byz_mode m)
{
	static const char *const names[] = {"loyal", "silent", "lie", "equivocate", "random"};
	return (unsigned)m < ARRAY_LEN(names) ? names[m] : "?";
}

/* A traitor's message on its way out: false to send nothing; otherwise
 * *data and *len may now give a forged payload (in s->byz_buf). */
static bool byz_filter(struct sim *s, const struct node *n, int to, int type, const void **data,
		       size_t *len, bool *forged)
{
	uint64_t r;
	switch ((enum byz_mode)s->byz[n->id]) {
	case BYZ_LOYAL: return true;
	case BYZ_SILENT: return false;
	case BYZ_LIE: r = s->byz_seed[n->id]; break;
	case BYZ_EQUIVOCATE:
		/* splitmix64 of (seed, to): a different, fixed lie per peer. */
		r = s->byz_seed[n->id] + 0x9e3779b97f4a7c15ULL * (uint64_t)(to + 1);
		r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
		r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
		r ^= r >> 31;
		break;
	case BYZ_RANDOM:
		r = rng_next(&s->rng);
		if ((r & 3) == 0)
			return true; /* as is */
		if ((r & 3) == 1)
			return false; /* dropped */
		r >>= 2;
		break;
	default: return true;
	}
	size_t cap = *len + 256;
	if (cap > s->byz_cap) {
		s->byz_buf = xrealloc(s->byz_buf, cap);
		s->byz_cap = cap;
	}
	if (*len)
		memcpy(s->byz_buf, *data, *len);
	size_t nlen = *len;
	s->ops->corrupt_msg(n, to, type, s->byz_buf, &nlen, cap, r);
	*data = s->byz_buf;
	*len = nlen <= cap ? nlen : cap;
	*forged = true;
	return true;
}

void node_send(struct node *n, int to, int type, const void *data, size_t len)
{
	struct sim *s = node_sim(n);
	bool forged = false;
	if (s->nbyz && !byz_filter(s, n, to, type, &data, &len, &forged))
		return;
	uint32_t id = s->next_msg_id++;
	struct link *l = &s->links[(size_t)n->id * SIM_MAX_NODES + to];
	n->sent++;
	l->sent++;
	enum drop_reason why;
	if (!n->up)
		why = DROP_SENDER_DOWN;
	else if (!l->up)
		why = DROP_LINK_DOWN;
	else if (l->cfg.loss_ppm && rng_chance_ppm(&s->rng, l->cfg.loss_ppm))
		why = DROP_LOSS;
	else
		goto deliver;
	/* Lost at the start: observers still see it sent, then dropped. */
	l->lost++;
	if (observed(s)) {
		struct msg m = {id,
				(uint16_t)n->id,
				(uint16_t)to,
				(uint16_t)type,
				forged ? MSG_FORGED : 0,
				s->now,
				s->now,
				(uint32_t)len,
				data};
		struct trace_event ev = {
		    .kind = TR_SEND, .at = s->now, .node = n->id, .peer = to, .msg = &m};
		sim_emit(s, &ev);
		ev.kind = TR_DROP;
		ev.reason = why;
		sim_emit(s, &ev);
	}
	return;

deliver:;
	int copies = 1 + (l->cfg.dup_ppm && rng_chance_ppm(&s->rng, l->cfg.dup_ppm));
	for (int c = 0; c < copies; c++) {
		sim_time start = s->now;
		if (l->cfg.bandwidth) {
			if (l->busy_until > start)
				start = l->busy_until;
			sim_time tx = (sim_time)(((uint64_t)len * 1000000 + l->cfg.bandwidth - 1) /
						 l->cfg.bandwidth);
			start += tx;
			l->busy_until = start;
		}
		sim_time delay = l->cfg.latency;
		if (l->cfg.jitter)
			delay += (sim_time)rng_below(&s->rng, (uint64_t)l->cfg.jitter + 1);
		uint32_t si = slot_alloc(s);
		struct slot *sl = slot_at(s, si);
		sl->m.id = id;
		sl->m.from = (uint16_t)n->id;
		sl->m.to = (uint16_t)to;
		sl->m.type = (uint16_t)type;
		sl->m.flags = (uint16_t)((c ? MSG_DUPLICATE : 0) | (forged ? MSG_FORGED : 0));
		sl->m.sent_at = s->now;
		sl->m.arrives_at = start + delay;
		sl->epoch = l->epoch;
		sl->incarnation = s->node[to].incarnation;
		slot_fill(sl, data, len);
		queue_push(s, sl->m.arrives_at, EV_DELIVER, si, 0);
		if (observed(s)) {
			struct trace_event ev = {.kind = TR_SEND,
						 .at = s->now,
						 .node = n->id,
						 .peer = to,
						 .msg = &sl->m};
			sim_emit(s, &ev);
		}
	}
}

static void deliver(struct sim *s, uint32_t si)
{
	struct slot *sl = slot_at(s, si);
	struct msg *m = &sl->m;
	struct link *l = &s->links[(size_t)m->from * SIM_MAX_NODES + m->to];
	struct node *dst = &s->node[m->to];
	enum drop_reason why;
	if (!l->up || l->epoch != sl->epoch)
		why = DROP_CUT_IN_FLIGHT;
	else if (!dst->up)
		why = DROP_NODE_DOWN;
	else if (dst->incarnation != sl->incarnation)
		why = DROP_RESTARTED;
	else {
		dst->received++;
		if (observed(s)) {
			struct trace_event ev = {.kind = TR_DELIVER,
						 .at = s->now,
						 .node = m->to,
						 .peer = m->from,
						 .msg = m};
			sim_emit(s, &ev);
		}
		/* The slot stays allocated during the callback: m->data is valid. */
		dst->ops->on_message(dst->self, m);
		slot_free(s, si);
		return;
	}
	l->lost++;
	if (observed(s)) {
		struct trace_event ev = {.kind = TR_DROP,
					 .at = s->now,
					 .node = m->from,
					 .peer = m->to,
					 .msg = m,
					 .reason = why};
		sim_emit(s, &ev);
	}
	slot_free(s, si);
}

void sim_describe_msg(const struct sim *s, const struct msg *m, struct sbuf *out)
{
	if (s->ops->describe_msg)
		s->ops->describe_msg(m, out);
	else
		sbuf_puts(out, sim_msg_name(s, m));
}

const char *sim_msg_name(const struct sim *s, const struct msg *m)
{
	if (m->type < s->ops->nmsg_kinds)
		return s->ops->msg_kinds[m->type].name;
	return "?";
}

/* ---- timers and clocks ------------------------------------------------------ */

void node_set_timer(struct node *n, int timer, sim_time local_delay)
{
	struct sim *s = node_sim(n);
	if (local_delay < 0)
		local_delay = 0;
	/* local time runs at (1 + drift) of true time */
	sim_time d = local_delay;
	if (n->drift_ppm)
		d = (sim_time)(((__int128)local_delay * 1000000 + (1000000 + n->drift_ppm) - 1) /
			       (1000000 + n->drift_ppm));
	uint32_t gen = ++n->timer_gen[timer];
	n->timer_due[timer] = s->now + d;
	n->timer_set[timer] = s->now;
	queue_push(s, s->now + d, EV_TIMER, (uint32_t)n->id, ((uint64_t)timer << 32) | gen);
}

void node_cancel_timer(struct node *n, int timer)
{
	n->timer_gen[timer]++;
	n->timer_due[timer] = SIM_NEVER;
}

bool node_timer_armed(const struct node *n, int timer)
{
	return n->timer_due[timer] != SIM_NEVER;
}

bool node_timer_span(const struct node *n, int timer, sim_time *armed, sim_time *fires)
{
	if (timer < 0 || timer >= SIM_MAX_TIMERS || n->timer_due[timer] == SIM_NEVER)
		return false;
	*armed = n->timer_set[timer];
	*fires = n->timer_due[timer];
	return true;
}

void sim_set_skew(struct sim *s, int i, sim_time skew)
{
	s->node[i].skew = skew;
}

void sim_set_drift(struct sim *s, int i, int32_t ppm)
{
	struct node *n = &s->node[i];
	if (ppm < -500000)
		ppm = -500000;
	if (ppm > 500000)
		ppm = 500000;
	n->drift_acc += (s->now - n->drift_since) * n->drift_ppm / 1000000;
	n->drift_since = s->now;
	n->drift_ppm = ppm;
}

sim_time node_local_now(const struct node *n)
{
	sim_time t = node_sim(n)->now;
	if (!n->drift_ppm)
		return t + n->skew + n->drift_acc;
	return t + n->skew + n->drift_acc + (t - n->drift_since) * n->drift_ppm / 1000000;
}

sim_time node_trace_time(const struct node *n)
{
	return node_sim(n)->now;
}

int node_count(const struct node *n)
{
	return node_sim(n)->n;
}

uint64_t node_rand(struct node *n)
{
	return rng_next(&node_sim(n)->rng);
}

int64_t node_rand_range(struct node *n, int64_t lo, int64_t hi)
{
	return rng_range(&node_sim(n)->rng, lo, hi);
}

void node_state(struct node *n, const char *fmt, ...)
{
	struct sim *s = node_sim(n);
	if (!observed(s))
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	struct trace_event ev = {
	    .kind = TR_STATE, .at = s->now, .node = n->id, .peer = -1, .text = buf};
	sim_emit(s, &ev);
}

/* ---- faults -------------------------------------------------------------- */

bool sim_crash(struct sim *s, int i)
{
	struct node *n = &s->node[i];
	if (!n->up)
		return false;
	n->up = false;
	n->incarnation++;
	for (int t = 0; t < SIM_MAX_TIMERS; t++)
		node_cancel_timer(n, t);
	n->ops->on_crash(n->self);
	return true;
}

bool sim_restart(struct sim *s, int i)
{
	struct node *n = &s->node[i];
	if (n->up)
		return false;
	n->up = true;
	n->ops->on_restart(n->self);
	return true;
}

struct link *sim_link(struct sim *s, int from, int to)
{
	return &s->links[(size_t)from * SIM_MAX_NODES + to];
}

const struct link *sim_link_c(const struct sim *s, int from, int to)
{
	return &s->links[(size_t)from * SIM_MAX_NODES + to];
}

bool sim_cut(struct sim *s, int from, int to)
{
	struct link *l = sim_link(s, from, to);
	if (!l->up || from == to)
		return false;
	l->up = false;
	l->epoch++;
	return true;
}

bool sim_heal_link(struct sim *s, int from, int to)
{
	struct link *l = sim_link(s, from, to);
	if (l->up)
		return false;
	l->up = true;
	return true;
}

void sim_heal_all(struct sim *s)
{
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->n; j++)
			sim_heal_link(s, i, j);
}

void sim_partition(struct sim *s, const int *group)
{
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->n; j++) {
			if (i == j)
				continue;
			if (group[i] == group[j])
				sim_heal_link(s, i, j);
			else
				sim_cut(s, i, j);
		}
}

void sim_set_all_links(struct sim *s, const struct link_config *cfg)
{
	s->link_default = *cfg;
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->n; j++)
			sim_link(s, i, j)->cfg = *cfg;
}

/* ---- scheduled calls ------------------------------------------------------- */

void sim_schedule(struct sim *s, sim_time at, void (*fn)(void *, struct sim *, uint64_t), void *ctx,
		  uint64_t arg)
{
	if (at < s->now)
		at = s->now;
	uint32_t i;
	if (s->free_call != UINT32_MAX) {
		i = s->free_call;
		s->free_call = s->calls[i].next_free;
	} else {
		xgrow((void **)&s->calls, &s->calls_cap, s->ncalls + 1, sizeof *s->calls);
		i = (uint32_t)s->ncalls++;
	}
	s->calls[i].fn = fn;
	s->calls[i].ctx = ctx;
	s->calls[i].arg = arg;
	queue_push(s, at, EV_CALL, i, 0);
}

static void run_call(struct sim *s, uint32_t i)
{
	struct call c = s->calls[i];
	s->calls[i].next_free = s->free_call;
	s->free_call = i;
	c.fn(c.ctx, s, c.arg);
}

/* ---- stepping ---------------------------------------------------------------- */

static bool event_live(const struct sim *s, const struct event *ev)
{
	if (ev->kind != EV_TIMER)
		return true;
	const struct node *n = &s->node[ev->a];
	return n->timer_gen[ev->b >> 32] == (uint32_t)ev->b;
}

void sim_halt(struct sim *s)
{
	s->halted = true;
}

void sim_resume(struct sim *s)
{
	s->halted = false;
}

bool sim_halted(const struct sim *s)
{
	return s->halted;
}

bool sim_step(struct sim *s)
{
	while (s->qlen && !s->halted) {
		struct event ev = queue_pop(s);
		if (!event_live(s, &ev))
			continue;
		s->now = ev.at;
		s->events++;
		switch (ev.kind) {
		case EV_DELIVER: deliver(s, ev.a); break;
		case EV_TIMER: {
			struct node *n = &s->node[ev.a];
			int t = (int)(ev.b >> 32);
			n->timer_due[t] = SIM_NEVER;
			if (observed(s)) {
				struct trace_event te = {.kind = TR_TIMER,
							 .at = s->now,
							 .node = n->id,
							 .peer = -1,
							 .timer = t};
				sim_emit(s, &te);
			}
			n->ops->on_timer(n->self, t);
			break;
		}
		case EV_CALL: run_call(s, ev.a); break;
		case EV_CLIENT: client_event(s, ev.a, ev.b); break;
		}
		if (observed(s))
			emit_simple(s, TR_STEP, -1, -1);
		return true;
	}
	return false;
}

sim_time sim_next_time(struct sim *s)
{
	while (s->qlen && !event_live(s, &s->q[0]))
		queue_pop(s);
	return s->qlen ? s->q[0].at : SIM_NEVER;
}

void sim_run_until(struct sim *s, sim_time until)
{
	while (!s->halted && sim_next_time(s) <= until)
		sim_step(s);
	if (!s->halted && until > s->now)
		s->now = until;
}

bool sim_run_while(struct sim *s, sim_time until, bool (*pred)(void *, struct sim *), void *ctx)
{
	if (pred(ctx, s))
		return true;
	while (!s->halted && sim_next_time(s) <= until) {
		sim_step(s);
		if (pred(ctx, s))
			return true;
	}
	if (!s->halted && until > s->now)
		s->now = until;
	return false;
}

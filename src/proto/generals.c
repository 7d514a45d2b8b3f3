/*
 * generals.c — the Byzantine generals: the oral-messages algorithm OM(m) of
 * Lamport, Shostak & Pease, "The Byzantine Generals Problem" (ACM TOPLAS
 * 4(3), 1982), §3.
 *
 * A commander sends an order (attack or retreat) to its N-1 lieutenants;
 * some generals may be traitors. The lieutenants must reach
 *   IC1. All loyal lieutenants obey the same order;
 *   IC2. If the commanding general is loyal, then every loyal lieutenant
 *        obeys the order he sends.
 * The paper's Algorithm OM(m), for m traitors:
 *   OM(0): (1) The commander sends his value to every lieutenant.
 *          (2) Each lieutenant uses the value he receives from the
 *              commander, or uses the value RETREAT if he receives no value.
 *   OM(m), m > 0: (1) The commander sends his value to every lieutenant.
 *          (2) For each i, let v_i be the value Lieutenant i receives from
 *              the commander, or else be RETREAT if he receives no value.
 *              Lieutenant i acts as the commander in Algorithm OM(m-1) to
 *              send the value v_i to each of the n-2 other lieutenants.
 *          (3) For each i, and each j != i, let v_j be the value Lieutenant
 *              i received from Lieutenant j in step (2) (using Algorithm
 *              OM(m-1)), or else RETREAT if he received no such value.
 *              Lieutenant i uses the value majority(v_1, ..., v_{n-1}).
 * Theorem 1: "For any m, Algorithm OM(m) satisfies conditions IC1 and IC2
 * if there are more than 3m generals and at most m traitors." And §2: no
 * solution with fewer than 3m+1 generals can cope with m traitors — three
 * generals cannot cope with one.
 *
 * The recursion unrolled. Every message carries the path it was relayed
 * along: {c} is the commander's order, {c, j} "j says c said", and so on
 * (the sub-instance OM(m-1) that lieutenant j commands is every path that
 * begins c, j). Round r carries the paths of length r: the commander sends
 * at the start of round 1; at the end of round r (r <= m) each lieutenant
 * relays every path of length r that it is not on, its own id appended, to
 * every general not on it — step (2) — using RETREAT for a path that never
 * came. At the end of round m+1 it decides, by the majorities of step (3)
 * computed bottom-up over the paths it holds (resolve() below).
 *
 * Assumptions (§3): A1 every message sent is delivered correctly; A2 the
 * receiver knows who sent it (a message whose last hop is not its sender
 * is discarded); A3 the absence of a message can be detected — the rounds
 * are synchronous: a round lasts `round` of each node's local clock, and a
 * message of a round that has ended is treated as missing. The `order`
 * command is the dawn every general knows: it starts the rounds on every
 * up node at once. A crash, a cut link, a lost or late message break A1:
 * the checker counts such a node as faulty like a traitor (the paper: "the
 * failure of a communication line ... cannot be distinguished from a
 * failure of one of the two generals").
 *
 * Traitors are the simulator's (sim.h, Byzantine nodes): a traitor runs
 * this loyal code and gen_corrupt_msg rewrites what it sends. Messages:
 * one per path, (n-1) + (n-1)(n-2) + ... per order: like n^(m+1).
 * Stable storage: none but the number of the last order heard of.
 */
#include "proto/generals.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

enum { GEN_TIMER_ROUND };
enum { GEN_MSG_ORDER };

static const struct proto_option gen_options[] = {
    {"m", OPT_INT, "1", NULL, 0, GEN_MAX_M,
     N_("traitors to tolerate: OM(m) relays for m rounds after the order (m+1 rounds)"), true},
    {"round", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("length of one synchronous round: a message later than its round counts as missing"), true},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind gen_msgs[] = {
    {"Order", 'o', false},
};

const char *gen_value_str(int v)
{
	return v == GEN_ATTACK ? "attack" : v == GEN_RETREAT ? "retreat" : "none";
}

int gen_value_parse(const char *word)
{
	if (!strcasecmp(word, "attack"))
		return GEN_ATTACK;
	if (!strcasecmp(word, "retreat"))
		return GEN_RETREAT;
	return GEN_NONE;
}

uint64_t generals_msgs(int n, int m)
{
	uint64_t total = 0, prod = 1;
	for (int k = 1; k <= m + 1 && n - k > 0; k++) {
		prod *= (uint64_t)(n - k);
		total += prod;
	}
	return total;
}

/* ---- the values received, by path ------------------------------------------- */

/* A path as a number: bijective base 129 over ids+1, never 0, distinct
 * for distinct paths of up to GEN_MAX_PATH nodes (129^4 < 2^32). */
static uint32_t path_code(const uint8_t *path, int len)
{
	uint32_t c = 0;
	for (int k = len - 1; k >= 0; k--)
		c = c * 129 + (uint32_t)path[k] + 1;
	return c;
}

static size_t slot_of(const struct gen *g, uint32_t code)
{
	size_t k = (code * 2654435761u) & (g->capidx - 1);
	while (g->key[k] && g->key[k] != code)
		k = (k + 1) & (g->capidx - 1);
	return k;
}

static const struct gen_rec *rec_at(const struct gen *g, const uint8_t *path, int len)
{
	if (!g->capidx)
		return NULL;
	size_t k = slot_of(g, path_code(path, len));
	return g->key[k] ? &g->rec[g->idx[k] - 1] : NULL;
}

int gen_value_at(const struct gen *g, const uint8_t *path, int len)
{
	const struct gen_rec *r = rec_at(g, path, len);
	return r && !r->late ? r->value : GEN_NONE;
}

static void idx_grow(struct gen *g)
{
	size_t cap = g->capidx ? g->capidx * 2 : 64;
	uint32_t *key = g->key, *idx = g->idx;
	size_t old = g->capidx;
	g->key = xcalloc(cap, sizeof *g->key);
	g->idx = xcalloc(cap, sizeof *g->idx);
	g->capidx = cap;
	for (size_t i = 0; i < old; i++)
		if (key[i]) {
			size_t k = slot_of(g, key[i]);
			g->key[k] = key[i];
			g->idx[k] = idx[i];
		}
	free(key);
	free(idx);
}

/* Records a value; false if that path was already held (a duplicate). */
static bool rec_add(struct gen *g, const struct gen_wire *w, bool late)
{
	if (2 * (size_t)(g->nrec + 1) > g->capidx)
		idx_grow(g);
	uint32_t code = path_code(w->path, w->len);
	size_t k = slot_of(g, code);
	if (g->key[k])
		return false;
	if (g->nrec == g->caprec) {
		g->caprec = g->caprec ? g->caprec * 2 : 32;
		g->rec = xrealloc(g->rec, (size_t)g->caprec * sizeof *g->rec);
	}
	struct gen_rec *r = &g->rec[g->nrec++];
	memset(r, 0, sizeof *r);
	r->len = w->len;
	memcpy(r->path, w->path, w->len);
	r->value = w->value;
	r->late = late;
	g->key[k] = code;
	g->idx[k] = (uint32_t)g->nrec;
	return true;
}

static void forget_order(struct gen *g)
{
	g->nrec = 0;
	if (g->capidx) {
		memset(g->key, 0, g->capidx * sizeof *g->key);
		memset(g->idx, 0, g->capidx * sizeof *g->idx);
	}
	g->round = 0;
	g->done = false;
	g->decision = GEN_NONE;
	memset(g->top, 0, sizeof g->top);
	g->missing_from = (struct nodeset){{0, 0}};
	g->nmissing = 0;
	g->lied = false;
}

/* Sends an Order; the observer notes whether the simulator rewrites it (a
 * traitor at the moment it sends). */
static void send_order(struct gen *g, int to, const struct gen_wire *w)
{
	node_send(g->n, to, GEN_MSG_ORDER, w, sizeof *w);
	g->sent++;
	if (g->n->byz != BYZ_LOYAL)
		g->lied = true;
}

/* ---- the node callbacks ------------------------------------------------------- */

static void *gen_create(struct node *n, const void *config)
{
	struct gen *g = xcalloc(1, sizeof *g);
	g->n = n;
	g->o = config;
	g->commander = 0;
	return g;
}

static void gen_destroy(void *self)
{
	struct gen *g = self;
	free(g->rec);
	free(g->key);
	free(g->idx);
	free(g);
}

static bool on_path(const uint8_t *path, int len, int id)
{
	for (int k = 0; k < len; k++)
		if (path[k] == id)
			return true;
	return false;
}

/* Calls fn on every path of length len that starts at the commander, has
 * no node twice and does not contain this node: what it should hear in
 * round len. O(n^(len-1)). */
static void each_path(struct gen *g, uint8_t *path, int at, int len,
		      void (*fn)(struct gen *g, uint8_t *path, int len))
{
	if (at == len) {
		fn(g, path, len);
		return;
	}
	if (at >= GEN_MAX_PATH) /* m <= 3: never; says so to the compiler */
		return;
	for (int j = 0; j < node_count(g->n); j++) {
		if (j == g->n->id || on_path(path, at, j))
			continue;
		path[at] = (uint8_t)j;
		each_path(g, path, at + 1, len, fn);
	}
}

/* End of round len, for one path: noted if it never came (A3), then
 * relayed (step 2 of OM(m - len + 1)) unless this is the last round. */
static void close_path(struct gen *g, uint8_t *path, int len)
{
	int v = gen_value_at(g, path, len);
	if (!v) {
		/* "or else be RETREAT if he receives no value" */
		nodeset_add(&g->missing_from, path[len - 1]);
		g->nmissing++;
		v = GEN_RETREAT;
	}
	if (len > g->m)
		return;
	struct gen_wire w = {.order = g->order, .value = (uint8_t)v, .len = (uint8_t)(len + 1)};
	memcpy(w.path, path, len);
	w.path[len] = (uint8_t)g->n->id;
	for (int j = 0; j < node_count(g->n); j++)
		if (j != g->n->id && !on_path(path, len, j))
			send_order(g, j, &w);
}

/* Step (3), bottom-up: the value this lieutenant takes for the instance
 * of path p — its own v for p, and for every j not on p the value that
 * j's sub-instance resolved to; the majority of them, RETREAT when there
 * is none ("majority(v1, ..., vn-1) ... equals RETREAT if there is no
 * majority", §3). At the deepest level OM(0): the value received. */
static int resolve(const struct gen *g, uint8_t *p, int len, int *att, int *tot)
{
	int v = gen_value_at(g, p, len);
	if (!v)
		v = GEN_RETREAT;
	if (len == g->m + 1)
		return v;
	int a = v == GEN_ATTACK, t = 1;
	for (int j = 0; j < node_count(g->n); j++) {
		if (j == g->n->id || on_path(p, len, j))
			continue;
		p[len] = (uint8_t)j;
		int w = resolve(g, p, len + 1, NULL, NULL);
		a += w == GEN_ATTACK;
		t++;
	}
	if (att)
		*att = a;
	if (tot)
		*tot = t;
	return 2 * a > t ? GEN_ATTACK : GEN_RETREAT;
}

static void decide(struct gen *g)
{
	uint8_t p[GEN_MAX_PATH + 1] = {(uint8_t)g->commander};
	int att = 0, tot = 1;
	g->decision = (uint8_t)resolve(g, p, 1, &att, &tot);
	/* For the screen: what each sub-instance came to. */
	int v = gen_value_at(g, p, 1);
	g->top[g->commander] = (uint8_t)(v ? v : GEN_RETREAT);
	for (int j = 0; j < node_count(g->n) && g->m >= 1; j++) {
		if (j == g->n->id || j == g->commander)
			continue;
		p[1] = (uint8_t)j;
		g->top[j] = (uint8_t)resolve(g, p, 2, NULL, NULL);
	}
	g->done = true;
	g->round = 0;
	node_state(g->n, "decides %s (order %u, OM(%d): %d attack, %d retreat%s)",
		   gen_value_str(g->decision), g->order, g->m, att, tot - att,
		   2 * att == tot ? ", no majority: retreat" : "");
}

static void gen_on_timer(void *self, int timer)
{
	struct gen *g = self;
	if (timer != GEN_TIMER_ROUND || !g->round)
		return;
	uint8_t path[GEN_MAX_PATH] = {(uint8_t)g->commander};
	each_path(g, path, 1, g->round, close_path);
	if (g->round <= g->m) {
		g->round++;
		node_set_timer(g->n, GEN_TIMER_ROUND, g->o->v[GEN_OPT_ROUND].i);
	} else {
		decide(g);
	}
}

static void gen_on_message(void *self, const struct msg *m)
{
	struct gen *g = self;
	struct gen_wire w;
	if (m->len != sizeof w)
		return;
	memcpy(&w, m->data, sizeof w);
	/* Only this order's messages, well formed, whose last hop is their
	 * sender (A2), about a path this node is not on. */
	if (w.order != g->order || (!g->round && !g->done) || w.len < 1 || w.len > g->m + 1 ||
	    w.path[0] != g->commander || w.path[w.len - 1] != m->from ||
	    on_path(w.path, w.len, g->n->id) || (w.value != GEN_ATTACK && w.value != GEN_RETREAT))
		return;
	for (int k = 1; k < w.len; k++)
		if (on_path(w.path, k, w.path[k]))
			return;
	/* A3: a round that has ended took the message as missing. */
	bool late = g->done || w.len < g->round;
	rec_add(g, &w, late);
}

static void gen_on_crash(void *self)
{
	struct gen *g = self;
	forget_order(g); /* g->order survives: the number of the last order heard of */
}

static void gen_on_restart(void *self)
{
	(void)self; /* it waits for the next order */
}

/* ---- orders ---------------------------------------------------------------------- */

static void start(struct gen *g, uint32_t order, int commander, int value)
{
	forget_order(g);
	g->order = order;
	g->commander = commander;
	g->m = (int)g->o->v[GEN_OPT_M].i;
	g->truth = (uint8_t)value;
	g->sent = 0;
	node_cancel_timer(g->n, GEN_TIMER_ROUND);
	if (g->n->id != commander) {
		g->round = 1;
		node_set_timer(g->n, GEN_TIMER_ROUND, g->o->v[GEN_OPT_ROUND].i);
		return;
	}
	/* OM(m) step (1): "The commander sends his value to every lieutenant." */
	g->decision = (uint8_t)value;
	g->done = true;
	node_state(g->n, "orders %s (order %u, OM(%d))", gen_value_str(value), order, g->m);
	struct gen_wire w = {.order = order, .value = (uint8_t)value, .len = 1};
	w.path[0] = (uint8_t)commander;
	for (int j = 0; j < node_count(g->n); j++)
		if (j != commander)
			send_order(g, j, &w);
}

int generals_order(struct sim *s, int commander, int value, struct sbuf *err)
{
	int n = sim_nodes(s);
	uint32_t order = 0;
	for (int i = 0; i < n; i++) {
		const struct gen *g = gen_of(s, i);
		if (g->order > order)
			order = g->order;
		if (sim_node(s, i)->up && g->round) {
			sbuf_printf(err,
				    _("order %u is still in its rounds (n%d is in round %d of %d)"),
				    g->order, i + 1, g->round, g->m + 1);
			return PROTO_REFUSED;
		}
	}
	if (!sim_node(s, commander)->up) {
		sbuf_printf(err, _("the commander n%d is down: it can give no order"),
			    commander + 1);
		return PROTO_REFUSED;
	}
	int m = (int)sim_opts(s)->v[GEN_OPT_M].i;
	uint64_t cost = generals_msgs(n, m);
	if (cost > GEN_MAX_MSGS) {
		sbuf_printf(err, _("OM(%d) on %d generals would send %llu messages; at most %d"), m,
			    n, (unsigned long long)cost, GEN_MAX_MSGS);
		return PROTO_REFUSED;
	}
	for (int i = 0; i < n; i++)
		if (sim_node(s, i)->up)
			start(sim_node(s, i)->self, order + 1, commander, value);
	return 0;
}

/* ---- traitors and words -------------------------------------------------------- */

/* A traitor's Order (sim.h, Byzantine nodes). The paper's traitor "may
 * send different orders to different lieutenants" (§1):
 *   lie         the opposite of what a loyal general would send, to all;
 *   equivocate  attack to even-numbered generals (n2, n4, ...), retreat
 *               to odd-numbered ones, whatever the truth — a commander
 *               telling n2 attack and n3 retreat is the paper's Fig. 2;
 *   random      a value drawn from r, per message.
 * The path is left alone (A2: a receiver knows the last hop; a relayed
 * lie is still a lie about what it heard). */
static void gen_corrupt_msg(const struct node *from, int to, int type, void *buf, size_t *len,
			    size_t cap, uint64_t r)
{
	struct gen_wire w;
	(void)type;
	(void)cap;
	if (*len != sizeof w)
		return;
	memcpy(&w, buf, sizeof w);
	switch (from->byz) {
	case BYZ_LIE: w.value = w.value == GEN_ATTACK ? GEN_RETREAT : GEN_ATTACK; break;
	case BYZ_EQUIVOCATE: w.value = (to + 1) % 2 == 0 ? GEN_ATTACK : GEN_RETREAT; break;
	default: w.value = (r & 1) ? GEN_ATTACK : GEN_RETREAT; break;
	}
	memcpy(buf, &w, sizeof w);
}

static void gen_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct gen_wire w;
	if (m->len != sizeof w) {
		sbuf_puts(out, "Order ?");
		return;
	}
	memcpy(&w, m->data, sizeof w);
	if (w.len < 1 || w.len > GEN_MAX_PATH) {
		sbuf_puts(out, "Order ?");
		return;
	}
	/* "Order #1 n3: n1 said retreat" — the sender, then what it heard. */
	sbuf_printf(out, "Order #%u n%d:", w.order, w.path[w.len - 1] + 1);
	for (int k = w.len - 2; k >= 0; k--)
		sbuf_printf(out, " n%d said", w.path[k] + 1);
	sbuf_printf(out, " %s", gen_value_str(w.value));
}

const struct proto_ops generals_ops = {
    .node =
	{
	    .create = gen_create,
	    .destroy = gen_destroy,
	    .on_message = gen_on_message,
	    .on_timer = gen_on_timer,
	    .on_crash = gen_on_crash,
	    .on_restart = gen_on_restart,
	    .describe_msg = gen_describe_msg,
	    .corrupt_msg = gen_corrupt_msg,
	    .msg_kinds = gen_msgs,
	    .nmsg_kinds = 1,
	},
    .name = "generals",
    .summary = N_("Byzantine generals, oral messages OM(m): a commander, lieutenants, traitors"),
    .options = gen_options,
    .status = generals_status,
    .describe = generals_describe,
    .commands = generals_commands,
    .preds = generals_preds,
};

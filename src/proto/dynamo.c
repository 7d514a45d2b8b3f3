/*
 * dynamo.c — `cluster dynamo N n=3 w=2 r=2 sloppy=on|off`: leaderless,
 * Dynamo-style replication (DeCandia et al., "Dynamo: Amazon's Highly
 * Available Key-value Store", SOSP 2007).
 *
 * Every node is a Replica; there is no leader. Keys live on a consistent-
 * hashing ring (dynamo_ring.c) and are replicated on the key's preference
 * list of n nodes. Any node takes client requests; a node of the list
 * coordinates them, others forward (dynamo_coord.c). A write waits for w
 * acknowledgements, a read for r replies; versions carry vector clocks
 * (proto/vclock.h) and concurrent versions are kept as siblings
 * (dynamo_store.c). Read repair, sloppy quorums with hinted handoff and
 * Merkle-tree anti-entropy (dynamo_sync.c) bring replicas back together.
 *
 * §4.5: "Setting R and W such that R + W > N yields a quorum-like system."
 * With `set w 1` and `set r 1` a learner can watch it stop holding; the
 * options that make sense to change while running are live.
 *
 * This file holds the node's life cycle (create, crash, restart), message
 * dispatch, the views and the predicates of the command language.
 */
#include "proto/dynamo_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static const struct proto_option dyn_options[] = {
    [DYN_OPT_N] = {"n", OPT_INT, "3", NULL, 1, DYN_N_MAX,
		   N_("replicas per key: the length of the preference list"), false},
    [DYN_OPT_W] = {"w", OPT_INT, "2", NULL, 1, DYN_N_MAX,
		   N_("acknowledgements a write waits for (at most n count)"), true},
    [DYN_OPT_R] = {"r", OPT_INT, "2", NULL, 1, DYN_N_MAX,
		   N_("replies a read waits for (at most n count)"), true},
    [DYN_OPT_SLOPPY] = {"sloppy", OPT_BOOL, "on", NULL, 0, 0,
			N_("sloppy quorum: stand-ins with hints replace unreachable replicas"),
			true},
    [DYN_OPT_READ_REPAIR] = {"read-repair", OPT_BOOL, "on", NULL, 0, 0,
			     N_("a read pushes the latest versions to replicas that lacked them"),
			     true},
    [DYN_OPT_ANTI_ENTROPY] = {"anti-entropy", OPT_DURATION, "1s", NULL, 0, 60 * SIM_S,
			      N_("time between two Merkle-tree comparisons by a node (0s: off)"),
			      true},
    [DYN_OPT_TIMEOUT] = {"timeout", OPT_DURATION, "200ms", NULL, 1 * SIM_MS, 10 * SIM_S,
			 N_("how long a coordinator waits for its quorum"), true},
    [DYN_OPT_PING] = {"ping", OPT_DURATION, "100ms", NULL, 1 * SIM_MS, 10 * SIM_S,
		      N_("time between two pings to each peer (and hinted handoff tries)"), true},
    [DYN_OPT_SUSPECT] = {"suspect", OPT_DURATION, "400ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			 N_("silence after which a peer is suspected"), true},
    [DYN_OPT_VNODES] = {"vnodes", OPT_INT, "1", NULL, 1, 8,
			N_("tokens (virtual nodes) per node on the ring"), false},
    [DYN_OPT_BUG] = {"bug", OPT_SET, "none", "repair-overwrites", 0, 0,
		     N_("switch off rules of the paper, to watch what breaks (docs/PROTOCOLS.md, "
			"dynamo, \"Rules you can switch off\")"),
		     false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

/* The rules bug=NAME removes (DYN_OPT_BUG's choices, in order). */
static const struct proto_bug dyn_bugs[] = {
    {"repair-overwrites",
     N_("a version is merged by its vector clock into what a replica holds: a read repair "
	"brings the versions a replica lacked and never discards a newer one"),
     "Dynamo, §4.4 and §5", false},
    {NULL, NULL, NULL, false},
};

int dyn_n(const struct dyn *d)
{
	return (int)MIN(dyn_opt(d, DYN_OPT_N), node_count(d->n));
}

int dyn_w(const struct dyn *d)
{
	return (int)MIN(dyn_opt(d, DYN_OPT_W), dyn_n(d));
}

int dyn_r(const struct dyn *d)
{
	return (int)MIN(dyn_opt(d, DYN_OPT_R), dyn_n(d));
}

const struct dyn_ring *dyn_ring_of(struct dyn *d)
{
	int nodes = node_count(d->n), vn = (int)dyn_opt(d, DYN_OPT_VNODES);
	if (d->ring.nodes != nodes || d->ring.vnodes != vn)
		dyn_ring_build(&d->ring, nodes, vn);
	return &d->ring;
}

bool dyn_trusts(const struct dyn *d, int p)
{
	return p == d->n->id || !d->suspect[p];
}

void dyn_heard(struct dyn *d, int p)
{
	d->heard[p] = node_local_now(d->n);
	if (d->suspect[p]) {
		d->suspect[p] = false;
		node_state(d->n, "trusts n%d again", p + 1);
	}
}

void dyn_send(struct dyn *d, int to, const struct dyn_wire *w)
{
	struct sbuf b = {0};
	dyn_wire_encode(w, &b);
	node_send(d->n, to, w->type, b.s, b.len);
	sbuf_free(&b);
}

static void trust_everyone(struct dyn *d)
{
	sim_time now = node_local_now(d->n);
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		d->heard[i] = now;
		d->suspect[i] = false;
	}
}

static void arm_timers(struct dyn *d)
{
	/* Staggered, so that nodes do not ping and compare in lockstep. */
	node_set_timer(d->n, DYN_TIMER_PING, node_rand_range(d->n, 0, dyn_opt(d, DYN_OPT_PING)));
	sim_time ae = dyn_opt(d, DYN_OPT_ANTI_ENTROPY);
	if (ae)
		node_set_timer(d->n, DYN_TIMER_AE, node_rand_range(d->n, ae / 2, ae));
}

static void *dyn_create(struct node *n, const void *config)
{
	const struct proto_opts *o = config; /* the options, as sim_new stored them */
	struct dyn *d = xcalloc(1, sizeof *d);
	d->n = n;
	d->o = o;
	trust_everyone(d);
	arm_timers(d);
	return d;
}

static void free_ghosts(struct dyn *d)
{
	for (int i = 0; i < d->nghost; i++) {
		free(d->ghost[i].pred);
		dyn_obj_free(&d->ghost[i].seen);
	}
	free(d->ghost);
}

static void dyn_destroy(void *self)
{
	struct dyn *d = self;
	if (!d)
		return;
	dyn_coord_drop_all(d);
	dyn_store_free(&d->store);
	for (int i = 0; i < d->nhints; i++)
		dyn_obj_free(&d->hints[i].obj);
	free(d->hints);
	dyn_ring_free(&d->ring);
	free_ghosts(d);
	free(d);
}

static void dyn_on_message(void *self, const struct msg *m)
{
	struct dyn *d = self;
	struct dyn_wire w;
	if (!dyn_wire_decode(m, &w))
		return;
	dyn_heard(d, m->from);
	switch (w.type) {
	case DYN_PUT: dyn_replica_on_put(d, m, &w); break;
	case DYN_PUT_ACK: dyn_coord_on_put_ack(d, m, &w); break;
	case DYN_GET: dyn_replica_on_get(d, m, &w); break;
	case DYN_GET_REPLY: dyn_coord_on_get_reply(d, m, &w); break;
	case DYN_FORWARD: dyn_coord_on_forward(d, &w); break;
	case DYN_HANDOFF: dyn_on_handoff(d, m, &w); break;
	case DYN_HANDOFF_ACK: dyn_on_handoff_ack(d, m, &w); break;
	case DYN_DIGEST: dyn_on_digest(d, m, &w); break;
	case DYN_KEY_DIGESTS: dyn_on_key_digests(d, m, &w); break;
	case DYN_SYNC: dyn_on_sync(d, m, &w); break;
	case DYN_PING: break;
	}
	dyn_wire_free(&w);
}

static void dyn_on_timer(void *self, int timer)
{
	struct dyn *d = self;
	switch (timer) {
	case DYN_TIMER_PING: dyn_ping_tick(d); break;
	case DYN_TIMER_AE: dyn_ae_tick(d); break;
	case DYN_TIMER_REQ: dyn_coord_timer(d); break;
	}
}

/* A crash loses requests in progress and the detector's view; the store,
 * the coordinator counters and the hints are on disk. */
static void dyn_on_crash(void *self)
{
	struct dyn *d = self;
	dyn_coord_drop_all(d);
	dyn_ring_free(&d->ring);
	memset(d->heard, 0, sizeof d->heard);
	memset(d->suspect, 0, sizeof d->suspect);
	d->ae_next = 0;
}

static void dyn_on_restart(void *self)
{
	struct dyn *d = self;
	trust_everyone(d);
	arm_timers(d);
}

static void dyn_option_changed(void *self, int opt)
{
	struct dyn *d = self;
	if (opt != DYN_OPT_ANTI_ENTROPY)
		return;
	if (dyn_opt(d, DYN_OPT_ANTI_ENTROPY))
		node_set_timer(d->n, DYN_TIMER_AE, dyn_opt(d, DYN_OPT_ANTI_ENTROPY));
	else
		node_cancel_timer(d->n, DYN_TIMER_AE);
}

static void dyn_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_OTHER, N_("Replica"), -1, -1, -1};
}

static void add_line(struct node_view *v, const char *text)
{
	if (v->nlines < VIEW_LINES)
		ns_strlcpy(v->lines[v->nlines++], text, VIEW_LINE_LEN);
}

static void dyn_describe(const void *self, struct node_view *v)
{
	const struct dyn *d = self;
	memset(v, 0, sizeof *v);
	dyn_status(self, &v->st);
	v->applied = -1;
	int nkeys = 0, nhints = 0;
	for (int i = 0; i < d->store.n; i++)
		nkeys += d->store.o[i].nv > 0;
	for (int i = 0; i < d->nhints; i++)
		nhints += d->hints[i].obj.nv > 0;
	if (nhints)
		ns_snprintf(v->badge, sizeof v->badge, _("%d keys +%d hints"), nkeys, nhints);
	else
		ns_snprintf(v->badge, sizeof v->badge, P_("%d key", "%d keys", nkeys), nkeys);
	char line[VIEW_LINE_LEN];
	int w = dyn_w(d), r = dyn_r(d), n = dyn_n(d);
	ns_snprintf(line, sizeof line, _("n=%d w=%d r=%d: %s; sloppy %s"), n, w, r,
		    w + r > n ? _("W+R>N, quorums overlap") : _("W+R<=N, reads may be stale"),
		    dyn_opt(d, DYN_OPT_SLOPPY) ? _("on") : _("off"));
	add_line(v, line);
	struct sbuf b = {0};
	for (int i = 0; i < d->store.n; i++) {
		if (!d->store.o[i].nv)
			continue;
		sbuf_clear(&b);
		dyn_obj_fmt(&d->store.o[i], "=", &b);
		add_line(v, sbuf_str(&b));
	}
	for (int i = 0; i < d->nhints; i++) {
		if (!d->hints[i].obj.nv)
			continue;
		sbuf_clear(&b);
		sbuf_printf(&b, _("hint for n%d: "), d->hints[i].owner + 1);
		dyn_obj_fmt(&d->hints[i].obj, "=", &b);
		add_line(v, sbuf_str(&b));
	}
	sbuf_clear(&b);
	for (int p = 0; p < node_count(d->n); p++)
		if (!dyn_trusts(d, p))
			sbuf_printf(&b, " n%d", p + 1);
	if (b.len) {
		ns_snprintf(line, sizeof line, _("suspects%s"), sbuf_str(&b));
		add_line(v, line);
	}
	ns_snprintf(line, sizeof line,
		    _("read repairs %llu, handoffs %llu, anti-entropy syncs %llu"),
		    (unsigned long long)d->stat_repairs, (unsigned long long)d->stat_handoffs,
		    (unsigned long long)d->stat_syncs);
	add_line(v, line);
	sbuf_free(&b);
}

static void dyn_describe_msg(const struct msg *m, struct sbuf *out)
{
	struct dyn_wire w;
	if (m->type >= DYN_NMSG || !dyn_wire_decode(m, &w)) {
		sbuf_puts(out, m->type < DYN_NMSG ? dyn_msg_kinds[m->type].name : "?");
		sbuf_puts(out, " ?");
		return;
	}
	sbuf_printf(out, "%s ", dyn_msg_kinds[w.type].name);
	switch (w.type) {
	case DYN_PUT:
	case DYN_HANDOFF:
		dyn_obj_fmt(&w.obj, "=", out);
		if (w.type == DYN_PUT)
			sbuf_printf(out, " to n%d", m->to + 1);
		if (w.hint >= 0 && w.type == DYN_PUT)
			sbuf_printf(out, " (hint for n%d)", w.hint + 1);
		if (w.flags & DYN_PUT_REPAIR)
			sbuf_puts(out, " (read repair)");
		break;
	case DYN_GET_REPLY: dyn_obj_fmt(&w.obj, ": ", out); break;
	case DYN_SYNC:
		dyn_obj_fmt(&w.obj, "=", out);
		sbuf_printf(out, " range %d%s", w.range, w.flags & 1 ? " (send yours)" : "");
		break;
	case DYN_PUT_ACK:
	case DYN_GET:
	case DYN_HANDOFF_ACK: sbuf_puts(out, w.obj.key); break;
	case DYN_FORWARD: kv_op_fmt(&w.creq.op, out); break;
	case DYN_DIGEST:
		sbuf_printf(out, "range %d hash %04x", w.range, (unsigned)(w.hash >> 48));
		break;
	case DYN_KEY_DIGESTS:
		sbuf_printf(out, "range %d:", w.range);
		for (int i = 0; i < w.nkeys; i++)
			sbuf_printf(out, " %s=%04x", w.keys[i], (unsigned)(w.hashes[i] >> 48));
		if (!w.nkeys)
			sbuf_puts(out, " empty");
		break;
	case DYN_PING: sbuf_printf(out, "#%u", w.req); break;
	}
	dyn_wire_free(&w);
}

/* ---- predicates ------------------------------------------------------------- */

static const struct dyn *node_dyn(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

/* The latest versions of key over every copy anywhere (stores and hints). */
static void latest(struct sim *s, const char *key, struct dyn_obj *out)
{
	memset(out, 0, sizeof *out);
	ns_strlcpy(out->key, key, sizeof out->key);
	for (int i = 0; i < sim_nodes(s); i++) {
		struct dyn_obj mine;
		dyn_local_versions(node_dyn(s, i), key, &mine);
		dyn_obj_merge_all(out, &mine);
		dyn_obj_free(&mine);
	}
}

static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct dyn *d = node_dyn(s, a->a[0].node);
	const struct dyn_obj *o = dyn_store_find(&d->store, a->a[1].str);
	char val[KV_VAL_MAX];
	dyn_obj_values(o, val, sizeof val);
	if (o && o->nv) {
		sbuf_printf(why, _("n%d holds "), a->a[0].node + 1);
		dyn_obj_fmt(o, "=", why);
	} else {
		sbuf_printf(why, _("n%d holds no %s"), a->a[0].node + 1, a->a[1].str);
	}
	return !strcmp(val, a->a[2].str);
}

static bool pred_replicas(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	struct dyn_obj m;
	latest(s, a->a[0].str, &m);
	int k = 0;
	struct sbuf who = {0};
	for (int i = 0; m.nv && i < sim_nodes(s); i++)
		if (dyn_obj_same(dyn_store_find(&node_dyn(s, i)->store, m.key), &m)) {
			k++;
			sbuf_printf(&who, " n%d", i + 1);
		}
	sbuf_printf(why, _("%d nodes hold the latest "), k);
	dyn_obj_fmt(&m, "=", why);
	if (k)
		sbuf_printf(why, ":%s", sbuf_str(&who));
	sbuf_free(&who);
	dyn_obj_free(&m);
	return k == a->a[1].num;
}

/* Every key anywhere, once. */
static int all_keys(struct sim *s, char (**keys)[KV_KEY_MAX])
{
	int n = 0;
	size_t cap = 0;
	*keys = NULL;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = node_dyn(s, i);
		for (int j = 0; j < d->store.n + d->nhints; j++) {
			const struct dyn_obj *o =
			    j < d->store.n ? &d->store.o[j] : &d->hints[j - d->store.n].obj;
			if (!o->nv)
				continue;
			bool dup = false;
			for (int k = 0; k < n && !dup; k++)
				dup = !strcmp((*keys)[k], o->key);
			if (dup)
				continue;
			xgrow((void **)keys, &cap, (size_t)n + 1, sizeof **keys);
			ns_strlcpy((*keys)[n++], o->key, KV_KEY_MAX);
		}
	}
	return n;
}

/* converged: nothing is still on its way — no client operation pending,
 * no Put, Forward, Handoff or Sync on the wire to an up node, no hinted
 * copy waiting to be handed back — and every node of every key's
 * preference list holds that key's latest versions. Without the first
 * part it could hold the instant after a put was issued, before any
 * replica heard of it, or while a hint still stood in for a replica. */
static bool pred_converged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	if (sim_pending_count(s)) {
		sbuf_printf(why,
			    P_("%d client operation is pending", "%d client operations are pending",
			       sim_pending_count(s)),
			    sim_pending_count(s));
		return false;
	}
	for (int i = 0; i < sim_inflight_count(s); i++) {
		const struct msg *m = sim_inflight(s, i);
		if ((m->type == DYN_PUT || m->type == DYN_FORWARD || m->type == DYN_HANDOFF ||
		     m->type == DYN_SYNC) &&
		    sim_node(s, m->to)->up) {
			sbuf_printf(why, _("a %s from n%d to n%d is on the wire"),
				    dyn_msg_kinds[m->type].name, m->from + 1, m->to + 1);
			return false;
		}
	}
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = node_dyn(s, i);
		for (int j = 0; j < d->nhints; j++)
			if (d->hints[j].obj.nv) {
				sbuf_printf(why, _("n%d still holds a hint of %s for n%d"), i + 1,
					    d->hints[j].obj.key, d->hints[j].owner + 1);
				return false;
			}
	}
	char(*keys)[KV_KEY_MAX];
	int nk = all_keys(s, &keys);
	bool ok = true;
	struct dyn *d0 = sim_node(s, 0)->self;
	for (int k = 0; k < nk && ok; k++) {
		struct dyn_obj m;
		latest(s, keys[k], &m);
		int pref[DYN_N_MAX];
		int np = dyn_ring_pref(dyn_ring_of(d0), keys[k], dyn_n(d0), pref);
		for (int i = 0; i < np && ok; i++) {
			const struct dyn_obj *o =
			    dyn_store_find(&node_dyn(s, pref[i])->store, keys[k]);
			if (dyn_obj_same(o, &m))
				continue;
			ok = false;
			sbuf_printf(why, _("n%d lacks the latest "), pref[i] + 1);
			dyn_obj_fmt(&m, "=", why);
		}
		dyn_obj_free(&m);
	}
	if (ok)
		sbuf_printf(why,
			    P_("%d key: every replica holds its latest versions",
			       "%d keys: every replica holds their latest versions", nk),
			    nk);
	free(keys);
	return ok;
}

static bool pred_hints(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int k = 0;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = node_dyn(s, i);
		for (int j = 0; j < d->nhints; j++)
			if (d->hints[j].obj.nv) {
				sbuf_printf(why, "%sn%d holds %s for n%d", k ? ", " : "", i + 1,
					    d->hints[j].obj.key, d->hints[j].owner + 1);
				k++;
			}
	}
	if (!k)
		sbuf_puts(why, _("no hinted copies"));
	return k >= a->a[0].num;
}

static bool pred_overlap(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	const struct dyn *d = sim_node(s, 0)->self;
	int w = dyn_w(d), r = dyn_r(d), n = dyn_n(d);
	sbuf_printf(why, "w + r = %d + %d %s n = %d", w, r, w + r > n ? ">" : "<=", n);
	return w + r > n;
}

static bool pred_siblings(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	struct dyn_obj m;
	latest(s, a->a[0].str, &m);
	sbuf_printf(why, P_("%d latest version: ", "%d latest versions: ", m.nv), m.nv);
	dyn_obj_fmt(&m, "=", why);
	bool ok = m.nv >= a->a[1].num;
	dyn_obj_free(&m);
	return ok;
}

/* The latest read of KEY a coordinator answered: from the ghost logs. */
static bool pred_last_read(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	const struct dyn_ghost *best = NULL;
	int who = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = node_dyn(s, i);
		for (int j = 0; j < d->nghost; j++) {
			const struct dyn_ghost *g = &d->ghost[j];
			if (g->is_get && !strcmp(g->key, a->a[0].str) &&
			    (!best || g->acked_at > best->acked_at)) {
				best = g;
				who = i;
			}
		}
	}
	if (!best) {
		sbuf_printf(why, _("no read of %s answered yet"), a->a[0].str);
		return false;
	}
	sbuf_printf(why, _("n%d answered get %s with \"%s\""), who + 1, best->key, best->result);
	return !strcmp(best->result, a->a[1].str);
}

/* A put of VALUE to KEY was acknowledged: its coordinator gathered w acks
 * (from the ghost logs). Not called `committed`: there is no log, and the
 * fault runner treats a protocol without `committed` as leaderless
 * (a write acknowledged, then `converged`). */
static bool pred_acknowledged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct dyn *d = node_dyn(s, i);
		for (int j = 0; j < d->nghost; j++) {
			const struct dyn_ghost *g = &d->ghost[j];
			if (!g->is_get && g->acked && !strcmp(g->key, a->a[0].str) &&
			    !strcmp(g->ver.val, a->a[1].str)) {
				sbuf_printf(why, _("n%d acknowledged put %s %s"), i + 1, g->key,
					    g->ver.val);
				return true;
			}
		}
	}
	sbuf_printf(why, _("no put %s %s acknowledged yet"), a->a[0].str, a->a[1].str);
	return false;
}

static const struct proto_pred dyn_preds[] = {
    {"value", "NODE KEY = VALUE",
     N_("NODE's own copy of KEY reads VALUE (siblings as \"a|b\"; \"\" when absent)"), pred_value},
    {"replicas", "KEY = INT", N_("exactly INT nodes hold the latest versions of KEY"),
     pred_replicas},
    {"converged", NULL,
     N_("nothing in flight (no pending operation, no write on the wire, no hint waiting) and "
	"every node of every key's preference list holds that key's latest versions"),
     pred_converged},
    {"hints", ">= INT", N_("at least INT hinted copies wait to be handed back"), pred_hints},
    {"quorum-overlap", NULL, N_("w + r > n: every read quorum meets every write quorum"),
     pred_overlap},
    {"siblings", "KEY >= INT", N_("KEY has at least INT concurrent latest versions"),
     pred_siblings},
    {"acknowledged", "KEY = VALUE",
     N_("a put of VALUE to KEY was acknowledged (w replicas stored it)"), pred_acknowledged},
    {"last-read", "KEY = VALUE", N_("the latest get of KEY a coordinator answered returned VALUE"),
     pred_last_read},
    {NULL, NULL, NULL, NULL},
};

const struct proto_ops dynamo_ops = {
    .node =
	{
	    .create = dyn_create,
	    .destroy = dyn_destroy,
	    .on_message = dyn_on_message,
	    .on_timer = dyn_on_timer,
	    .on_client = dyn_on_client,
	    .on_crash = dyn_on_crash,
	    .on_restart = dyn_on_restart,
	    .describe_msg = dyn_describe_msg,
	    .msg_kinds = dyn_msg_kinds,
	    .nmsg_kinds = DYN_NMSG,
	},
    .name = "dynamo",
    .summary = N_("leaderless quorums: consistent hashing, N/W/R, vector clocks, hinted "
		  "handoff, read repair, anti-entropy"),
    .options = dyn_options,
    .kv_clients = true,
    .kv_read_levels = DYN_LEVELS,
    .kv_write_levels = DYN_LEVELS,
    .status = dyn_status,
    .describe = dyn_describe,
    .option_changed = dyn_option_changed,
    .preds = dyn_preds,
    .bugs = dyn_bugs,
};

/*
 * exec.c — the world, and running parsed commands against it.
 *
 * The world owns the simulation and what lives beside it (the invariant
 * watch, the history, scheduled commands). Commands run in order; a command
 * that cannot run (a node that does not exist, `crash leader` with no
 * leader) stops the script with file:line:col, while a failed `expect` is
 * reported and counted and the script goes on.
 *
 * Recording: see script.h. rec_last is the simulated time of the last
 * recorded command; time that passed since (through world_advance_to) is
 * recorded as `run DURATION` just before the next command, so replaying the
 * recorded lines performs exactly the same sequence of sim_run_until, step
 * and command executions.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void default_out(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	fprintf(k == OUT_ERROR ? stderr : stdout, "%s\n", text);
}

struct world *world_new(void)
{
	struct world *w = xcalloc(1, sizeof *w);
	w->seed = 1;
	w->out = default_out;
	w->hist = xmalloc(sizeof *w->hist);
	history_init(w->hist);
	return w;
}

static void drop_sim(struct world *w)
{
	inv_watch_free(w->inv);
	w->inv = NULL;
	lin_free(w->lin);
	w->lin = NULL;
	history_detach(w->hist);
	history_clear(w->hist);
	sim_free(w->sim);
	w->sim = NULL;
	/* a workload's scheduled arrivals die with the sim: free it after */
	for (int i = 0; i < w->nwl; i++)
		workload_free(w->wl[i]);
	free(w->wl);
	w->wl = NULL;
	w->nwl = 0;
	/* scheduled commands that never ran die with their sim */
	for (int i = 0; i < w->nscheds; i++)
		free(w->scheds[i]);
	w->nscheds = 0;
}

void world_free(struct world *w)
{
	if (!w)
		return;
	drop_sim(w);
	for (int i = 0; i < w->nkept; i++)
		script_free(w->kept[i]);
	free(w->kept);
	history_close(w->hist);
	free(w->hist);
	free(w->scheds);
	free(w);
}

struct sim *world_sim(struct world *w)
{
	return w->sim;
}

struct history *world_history(struct world *w)
{
	return w->hist;
}

struct lin_checker *world_lin(struct world *w)
{
	return w->lin;
}

void world_set_output(struct world *w, void (*fn)(void *, enum world_out, const char *), void *ctx)
{
	w->out = fn ? fn : default_out;
	w->out_ctx = ctx;
}

void world_force_seed(struct world *w, uint64_t seed)
{
	w->seed = seed;
	w->seed_forced = true;
}

void world_on_new_sim(struct world *w, void (*fn)(void *, struct world *, struct sim *), void *ctx)
{
	w->on_sim = fn;
	w->on_sim_ctx = ctx;
}

void world_set_recorder(struct world *w, void (*fn)(void *, sim_time, const char *), void *ctx)
{
	w->rec = fn;
	w->rec_ctx = ctx;
	w->rec_last = w->sim ? sim_now(w->sim) : 0;
}

int world_expects_failed(const struct world *w)
{
	return w->failed;
}

int world_expects_passed(const struct world *w)
{
	return w->passed;
}

void world_say(struct world *w, enum world_out k, const char *fmt, ...)
{
	struct sbuf b = {0};
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	w->out(w->out_ctx, k, sbuf_str(&b));
	sbuf_free(&b);
}

void world_options_text(struct world *w, struct sbuf *out)
{
	if (!w->sim)
		return;
	const struct proto_ops *ops = sim_proto(w->sim);
	struct proto_opts def;
	proto_opts_default(ops, &def);
	for (int i = 0; ops->options && ops->options[i].key; i++) {
		const struct opt_value *v = &sim_opts(w->sim)->v[i];
		if (v->i == def.v[i].i && v->j == def.v[i].j)
			continue;
		sbuf_printf(out, "%s%s=", out->len ? " " : "", ops->options[i].key);
		proto_option_fmt(ops, i, v, out);
	}
}

void world_describe(struct world *w, struct sbuf *out)
{
	if (!w->sim) {
		sbuf_puts(out, _("no cluster"));
		return;
	}
	int n = sim_nodes(w->sim);
	sbuf_printf(out, "%s · ", sim_proto(w->sim)->name);
	sbuf_printf(out, P_("%d node", "%d nodes", n), n);
	sbuf_printf(out, " · ");
	sbuf_printf(out, _("seed %llu"), (unsigned long long)sim_seed(w->sim));
}

/* ---- recording ----------------------------------------------------------------- */

void world_record_flush(struct world *w)
{
	if (!w->rec || !w->sim || sim_now(w->sim) == w->rec_last)
		return;
	char d[32], cmd[48];
	simtime_fmt_dur(sim_now(w->sim) - w->rec_last, d, sizeof d);
	ns_snprintf(cmd, sizeof cmd, "run %s", d);
	w->rec(w->rec_ctx, w->rec_last, cmd);
	w->rec_last = sim_now(w->sim);
}

static void record(struct world *w, sim_time t, const char *cmd)
{
	if (!w->rec)
		return;
	w->rec(w->rec_ctx, t, cmd);
	w->rec_last = w->sim ? sim_now(w->sim) : 0;
}

void world_advance_to(struct world *w, sim_time until)
{
	if (w->sim && until > sim_now(w->sim))
		sim_run_until(w->sim, until);
}

bool world_step(struct world *w)
{
	if (!w->sim)
		return false;
	world_record_flush(w);
	sim_time t = sim_now(w->sim);
	bool r = sim_step(w->sim);
	if (r)
		record(w, t, "step");
	return r;
}

/* ---- node references ------------------------------------------------------------- */

int world_node(struct world *w, const struct noderef *r, struct sbuf *err)
{
	if (!w->sim) {
		sbuf_puts(err, _("no cluster yet: start one with `cluster raft 5`"));
		return -1;
	}
	if (r->index == NREF_LEADER) {
		int l = proto_leader(w->sim);
		if (l < 0)
			sbuf_puts(err, _("there is no leader now"));
		return l;
	}
	if (r->index == NREF_ALL) {
		sbuf_puts(err, _("expected one node here, not `all`"));
		return -1;
	}
	if (r->index >= sim_nodes(w->sim) || r->hi >= sim_nodes(w->sim)) {
		sbuf_printf(err, _("no node n%d: the cluster has n1..n%d"),
			    (r->hi >= sim_nodes(w->sim) ? r->hi : r->index) + 1, sim_nodes(w->sim));
		return -1;
	}
	return r->index;
}

bool world_nodes(struct world *w, const struct noderefs *r, struct nodeset *out, struct sbuf *err)
{
	*out = (struct nodeset){{0, 0}};
	for (int i = 0; i < r->n; i++) {
		const struct noderef *x = &r->v[i];
		if (x->index == NREF_ALL) {
			if (!w->sim) {
				sbuf_puts(err,
					  _("no cluster yet: start one with `cluster raft 5`"));
				return false;
			}
			for (int k = 0; k < sim_nodes(w->sim); k++)
				nodeset_add(out, k);
			continue;
		}
		int k = world_node(w, x, err);
		if (k < 0)
			return false;
		for (int j = k; j <= (x->index == NREF_LEADER ? k : x->hi); j++)
			nodeset_add(out, j);
	}
	return true;
}

/* ---- execution ---------------------------------------------------------------- */

struct ctx {
	struct world *w;
	const char *file;
	const struct cmd *c;
	struct sbuf *err;
};

static int fail_at(struct ctx *x, int col, const char *fmt, ...) NS_PRINTF(3, 4);
static int fail_at(struct ctx *x, int col, const char *fmt, ...)
{
	if (x->file)
		sbuf_printf(x->err, "%s:", x->file);
	sbuf_printf(x->err, "%d:%d: ", x->c->lineno, col);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(x->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int need_sim(struct ctx *x)
{
	if (x->w->sim)
		return 0;
	return fail_at(x, x->c->col, "%s", _("no cluster yet: start one with `cluster raft 5`"));
}

static int node_of(struct ctx *x, const struct noderef *r)
{
	struct sbuf m = {0};
	int i = world_node(x->w, r, &m);
	if (i < 0)
		fail_at(x, r->col, "%s", sbuf_str(&m));
	sbuf_free(&m);
	return i;
}

static int nodes_of(struct ctx *x, const struct noderefs *r, struct nodeset *out)
{
	*out = (struct nodeset){{0, 0}};
	for (int i = 0; i < r->n; i++) {
		struct noderefs one = {1, &r->v[i]};
		struct nodeset set;
		struct sbuf m = {0};
		bool ok = world_nodes(x->w, &one, &set, &m);
		if (!ok)
			fail_at(x, r->v[i].col, "%s", sbuf_str(&m));
		sbuf_free(&m);
		if (!ok)
			return -1;
		out->w[0] |= set.w[0];
		out->w[1] |= set.w[1];
	}
	return 0;
}

static void fault(struct world *w, int node, int peer, const char *text)
{
	sim_note(w->sim, TR_FAULT, node, peer, "%s", text);
}

struct cluster_spec {
	const struct proto_ops *proto;
	int n;
	struct proto_opts opts;
};

static struct cluster_spec last_cluster_of(const struct world *w)
{
	struct cluster_spec cs = {sim_proto(w->sim), sim_nodes(w->sim), *sim_opts(w->sim)};
	return cs;
}

static void count_ops(void *ctx, const struct trace_event *ev)
{
	struct world *w = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->outcome <= OUT_UNKNOWN) {
		w->ops[ev->op->outcome]++;
		w->last_took = ev->op->completed - ev->op->invoked;
	}
}

static void make_sim(struct world *w, const struct cluster_spec *cs)
{
	drop_sim(w);
	w->sim = sim_new(cs->proto, &cs->opts, cs->n, w->seed);
	memset(w->ops, 0, sizeof w->ops);
	w->last_took = -1;
	sim_observe(w->sim, count_ops, w);
	history_attach(w->hist, w->sim);
	w->lin = lin_new(w->hist, LIN_MODEL_KV);
	w->inv = inv_watch_new(w->sim);
	if (w->on_sim)
		w->on_sim(w->on_sim_ctx, w, w->sim);
}

static int x_cluster(struct ctx *x)
{
	struct cluster_spec cs = {x->c->proto, x->c->count, x->c->opts};
	make_sim(x->w, &cs);
	struct sbuf d = {0};
	world_describe(x->w, &d);
	world_say(x->w, OUT_INFO, _("new cluster: %s"), sbuf_str(&d));
	sbuf_free(&d);
	return 0;
}

static int x_seed(struct ctx *x)
{
	struct world *w = x->w;
	if (w->seed_forced) {
		world_say(w, OUT_INFO,
			  _("seed %llu ignored: the seed was set on the command line (%llu)"),
			  (unsigned long long)x->c->seed, (unsigned long long)w->seed);
		return 0;
	}
	w->seed = x->c->seed;
	if (w->sim && (sim_now(w->sim) > 0 || sim_events(w->sim) > 0)) {
		world_say(w, OUT_INFO, _("seed %llu: it takes effect with the next cluster"),
			  (unsigned long long)w->seed);
		return 0;
	}
	if (w->sim) {
		/* Same cluster, new seed: rebuild it as if the seed came first. */
		struct cluster_spec cs = last_cluster_of(w);
		make_sim(w, &cs);
	}
	return 0;
}

static bool until_pred(void *ctx, struct sim *s)
{
	(void)s;
	struct ctx *x = ctx;
	return pred_eval(x->w, x->c->pred, NULL);
}

static int x_run_until(struct ctx *x)
{
	struct sim *s = x->w->sim;
	sim_time start = sim_now(s);
	bool held = sim_run_while(s, start + x->c->dur, until_pred, x);
	char tb[32], db[32];
	struct sbuf why = {0};
	pred_eval(x->w, x->c->pred, &why);
	if (held)
		sim_note(s, TR_NOTE, -1, -1, _("run until %s: held at %s (%s)"), x->c->pred->text,
			 simtime_fmt(sim_now(s), tb, sizeof tb), sbuf_str(&why));
	else
		sim_note(s, TR_NOTE, -1, -1, _("run until %s: still false after %s (%s)"),
			 x->c->pred->text, simtime_fmt_dur(x->c->dur, db, sizeof db),
			 sbuf_str(&why));
	sbuf_free(&why);
	return 0;
}

static int x_crash_restart(struct ctx *x, bool crash)
{
	struct nodeset set;
	if (nodes_of(x, &x->c->a, &set) < 0)
		return -1;
	struct sim *s = x->w->sim;
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!nodeset_has(&set, i))
			continue;
		bool changed = crash ? sim_crash(s, i) : sim_restart(s, i);
		if (changed)
			sim_note(s, TR_FAULT, i, -1, "%s n%d", crash ? "crash" : "restart", i + 1);
		else
			sim_note(s, TR_NOTE, i, -1,
				 crash ? _("n%d is already down") : _("n%d is already up"), i + 1);
	}
	return 0;
}

static int x_partition(struct ctx *x)
{
	struct sim *s = x->w->sim;
	int group[SIM_MAX_NODES];
	for (int i = 0; i < SIM_MAX_NODES; i++)
		group[i] = -1;
	for (int g = 0; g < x->c->ngroups; g++) {
		struct nodeset set;
		if (nodes_of(x, &x->c->groups[g], &set) < 0)
			return -1;
		for (int i = 0; i < sim_nodes(s); i++) {
			if (!nodeset_has(&set, i))
				continue;
			if (group[i] >= 0 && group[i] != g)
				return fail_at(x, x->c->groups[g].v[0].col,
					       _("n%d is in two groups"), i + 1);
			group[i] = g;
		}
	}
	for (int i = 0; i < sim_nodes(s); i++)
		if (group[i] < 0)
			group[i] = x->c->ngroups;
	sim_partition(s, group);
	fault(x->w, -1, -1, x->c->src);
	return 0;
}

static int pair_of(struct ctx *x, int *a, int *b)
{
	if ((*a = node_of(x, &x->c->a.v[0])) < 0 || (*b = node_of(x, &x->c->b.v[0])) < 0)
		return -1;
	if (*a == *b)
		return fail_at(x, x->c->b.v[0].col,
			       _("a link joins two different nodes (n%d twice)"), *a + 1);
	return 0;
}

static int x_cut_heal(struct ctx *x, bool cut)
{
	struct sim *s = x->w->sim;
	if (!cut && !x->c->a.n) {
		sim_heal_all(s);
		fault(x->w, -1, -1, "heal");
		return 0;
	}
	int a, b;
	if (pair_of(x, &a, &b) < 0)
		return -1;
	if (cut) {
		sim_cut(s, a, b);
		if (!x->c->oneway)
			sim_cut(s, b, a);
	} else {
		sim_heal_link(s, a, b);
		if (!x->c->oneway)
			sim_heal_link(s, b, a);
	}
	fault(x->w, a, b, x->c->src);
	return 0;
}


static void apply_settings(struct link_config *cfg, const struct link_settings *ls,
			   const struct link_config *reset_to)
{
	if (ls->mask & LS_RESET)
		*cfg = *reset_to;
	if (ls->mask & LS_LATENCY)
		cfg->latency = ls->cfg.latency;
	if (ls->mask & LS_JITTER)
		cfg->jitter = ls->cfg.jitter;
	if (ls->mask & LS_LOSS)
		cfg->loss_ppm = ls->cfg.loss_ppm;
	if (ls->mask & LS_DUP)
		cfg->dup_ppm = ls->cfg.dup_ppm;
	if (ls->mask & LS_BANDWIDTH)
		cfg->bandwidth = ls->cfg.bandwidth;
}

static int x_link(struct ctx *x)
{
	struct sim *s = x->w->sim;
	int a, b;
	if (pair_of(x, &a, &b) < 0)
		return -1;
	apply_settings(&sim_link(s, a, b)->cfg, &x->c->ls, sim_default_link(s));
	if (!x->c->oneway)
		apply_settings(&sim_link(s, b, a)->cfg, &x->c->ls, sim_default_link(s));
	fault(x->w, a, b, x->c->src);
	return 0;
}

static int x_net(struct ctx *x)
{
	struct sim *s = x->w->sim;
	struct link_config def = *sim_default_link(s);
	apply_settings(&def, &x->c->ls, &sim_link_base);
	for (int i = 0; i < sim_nodes(s); i++)
		for (int j = 0; j < sim_nodes(s); j++)
			apply_settings(&sim_link(s, i, j)->cfg, &x->c->ls, &sim_link_base);
	sim_set_default_link(s, &def);
	fault(x->w, -1, -1, x->c->src);
	return 0;
}

static int x_clock(struct ctx *x)
{
	int n = node_of(x, &x->c->a.v[0]);
	if (n < 0)
		return -1;
	if (x->c->has_skew)
		sim_set_skew(x->w->sim, n, x->c->skew);
	if (x->c->has_drift)
		sim_set_drift(x->w->sim, n, x->c->drift_ppm);
	fault(x->w, n, -1, x->c->src);
	return 0;
}

static int x_op(struct ctx *x)
{
	struct sim *s = x->w->sim;
	int node = -1;
	if (!sim_proto(s)->kv_clients)
		return fail_at(x, x->c->col,
			       _("%s serves no key-value clients: put, get, cas and append do not "
				 "apply to it"),
			       sim_proto(s)->name);
	if (x->c->has_via && (node = node_of(x, &x->c->via)) < 0)
		return -1;
	int client = x->c->client;
	if (client && sim_client_busy(s, client))
		return fail_at(x, x->c->col, _("c%d is still waiting for its last operation"),
			       client);
	if (!client)
		client = sim_client_idle(s, 1);
	sim_client_invoke(s, client, node, &x->c->op);
	return 0;
}

static int x_client(struct ctx *x)
{
	struct client_config *cc = sim_client_config(x->w->sim);
	const struct client_config *n = &x->c->cc;
	unsigned m = x->c->cc_mask;
	if (m & CC_LATENCY)
		cc->latency = n->latency;
	if (m & CC_ATTEMPT)
		cc->attempt_timeout = n->attempt_timeout;
	if (m & CC_DEADLINE)
		cc->deadline = n->deadline;
	if (m & CC_BACKOFF)
		cc->backoff = n->backoff;
	if (m & CC_REDIRECTS)
		cc->follow_redirects = n->follow_redirects;
	if (m & CC_STICK)
		cc->stick = n->stick;
	return 0;
}

static int x_set(struct ctx *x)
{
	struct sim *s = x->w->sim;
	if (sim_proto(s) != x->c->proto)
		return fail_at(x, x->c->col, _("the running protocol is %s, not %s"),
			       sim_proto(s)->name, x->c->proto->name);
	sim_opts_mut(s)->v[x->c->opt] = x->c->optv;
	for (int i = 0; i < sim_nodes(s); i++)
		if (sim_proto(s)->option_changed)
			sim_proto(s)->option_changed(sim_node(s, i)->self, x->c->opt);
	fault(x->w, -1, -1, x->c->src);
	return 0;
}

static int x_workload(struct ctx *x)
{
	struct world *w = x->w;
	for (int i = 0; i < w->nwl; i++)
		workload_stop(w->wl[i]);
	if (!x->c->wl.clients) {
		fault(w, -1, -1, "workload stop");
		return 0;
	}
	if (!sim_proto(w->sim)->kv_clients)
		return fail_at(x, x->c->col,
			       _("%s serves no key-value clients: a client workload does not apply "
				 "to it"),
			       sim_proto(w->sim)->name);
	w->wl = xrealloc(w->wl, (size_t)(w->nwl + 1) * sizeof *w->wl);
	w->wl[w->nwl++] = workload_start(w->sim, &x->c->wl);
	fault(w, -1, -1, x->c->src);
	return 0;
}

static int exec_cmd(struct world *w, const struct cmd *c, const char *file, struct sbuf *err);

struct sched {
	struct world *w;
	const struct cmd *c;
	const char *file;
};

static void run_scheduled(void *ctx, struct sim *s, uint64_t arg)
{
	(void)arg;
	struct sched *sc = ctx;
	struct sbuf err = {0};
	if (exec_cmd(sc->w, sc->c, sc->file, &err) < 0) {
		sc->w->async_errors++;
		sim_note(s, TR_NOTE, -1, -1, _("error: %s"), sbuf_str(&err));
	}
	sbuf_free(&err);
	/* sc stays in w->scheds until the sim goes: its slot is not reused */
}

static int x_at(struct ctx *x, const struct script *owner)
{
	struct sim *s = x->w->sim;
	sim_time at = x->c->kind == C_AT ? x->c->dur : sim_now(s) + x->c->dur;
	char a[32], b[32];
	if (at < sim_now(s))
		return fail_at(x, x->c->col, _("%s is in the past: the time is %s"),
			       simtime_fmt(at, a, sizeof a), simtime_fmt(sim_now(s), b, sizeof b));
	struct sched *sc = xmalloc(sizeof *sc);
	xgrow((void **)&x->w->scheds, &x->w->scheds_cap, (size_t)x->w->nscheds + 1, sizeof(void *));
	x->w->scheds[x->w->nscheds++] = sc;
	sc->w = x->w;
	sc->c = x->c->sub;
	sc->file = owner ? owner->file : NULL;
	/* The scheduled command belongs to its script: keep the script. */
	struct world *w = x->w;
	xgrow((void **)&w->kept, &w->kept_cap, (size_t)w->nkept + 1, sizeof *w->kept);
	w->kept[w->nkept++] = (struct script *)owner;
	((struct script *)owner)->refs++;
	sim_schedule(s, at, run_scheduled, sc, 0);
	return 0;
}

static int x_expect(struct ctx *x)
{
	struct world *w = x->w;
	struct sbuf why = {0}, text = {0};
	bool ok = pred_eval(w, x->c->pred, &why);
	if (ok)
		w->passed++;
	else
		w->failed++;
	if (x->file)
		sbuf_printf(&text, "%s:", x->file);
	sbuf_printf(&text, "%d: expect %s: %s (%s)", x->c->lineno, x->c->pred->text,
		    ok ? "ok" : "FAILED", sbuf_str(&why));
	if (w->sim) {
		struct trace_event ev = {.kind = TR_EXPECT,
					 .at = sim_now(w->sim),
					 .node = -1,
					 .peer = -1,
					 .text = sbuf_str(&text),
					 .ok = ok};
		sim_emit(w->sim, &ev);
	} else {
		world_say(w, OUT_INFO, "%s", sbuf_str(&text));
	}
	sbuf_free(&why);
	sbuf_free(&text);
	return 0;
}

static int x_proto(struct ctx *x)
{
	struct sim *s = x->w->sim;
	if (sim_proto(s) != x->c->proto)
		return fail_at(x, x->c->col,
			       _("the running protocol is %s, which has no command %s"),
			       sim_proto(s)->name, x->c->pcmd->name);
	struct proto_args args;
	struct sbuf m = {0};
	if (!pargs_resolve(x->w, &x->c->pargs, &args, &m) || x->c->pcmd->run(s, &args, &m) < 0) {
		fail_at(x, x->c->col, "%s", sbuf_str(&m));
		sbuf_free(&m);
		return -1;
	}
	sbuf_free(&m);
	fault(x->w, -1, -1, x->c->src);
	return 0;
}

/* Runs one command; owner is the script it belongs to (for `at`). */
static int exec_owned(struct world *w, const struct cmd *c, const char *file, struct sbuf *err,
		      const struct script *owner)
{
	struct ctx x = {w, file, c, err};
	switch (c->kind) {
	case C_CLUSTER: return x_cluster(&x);
	case C_SEED: return x_seed(&x);
	case C_HELP: {
		struct sbuf h = {0};
		script_help(w, c->str && *c->str ? c->str : NULL, &h);
		world_say(w, OUT_HELP, "%s", sbuf_str(&h));
		sbuf_free(&h);
		return 0;
	}
	case C_EXPECT: return x_expect(&x);
	default: break;
	}
	if (need_sim(&x) < 0)
		return -1;
	switch (c->kind) {
	case C_RUN: sim_run_until(w->sim, sim_now(w->sim) + c->dur); return 0;
	case C_RUN_UNTIL: return x_run_until(&x);
	case C_STEP:
		for (int i = 0; i < c->count; i++)
			if (!sim_step(w->sim))
				break;
		return 0;
	case C_CRASH: return x_crash_restart(&x, true);
	case C_RESTART: return x_crash_restart(&x, false);
	case C_PARTITION: return x_partition(&x);
	case C_CUT: return x_cut_heal(&x, true);
	case C_HEAL: return x_cut_heal(&x, false);
	case C_LINK: return x_link(&x);
	case C_NET: return x_net(&x);
	case C_CLOCK: return x_clock(&x);
	case C_OP: return x_op(&x);
	case C_CLIENT: return x_client(&x);
	case C_SET: return x_set(&x);
	case C_AT:
	case C_AFTER:
		if (!owner)
			return fail_at(&x, c->col, "%s", _("`at` cannot be nested"));
		return x_at(&x, owner);
	case C_NOTE: sim_note(w->sim, TR_NOTE, -1, -1, "%s", c->str); return 0;
	case C_PROTO: return x_proto(&x);
	case C_WORKLOAD: return x_workload(&x);
	default: return 0;
	}
}

static int exec_cmd(struct world *w, const struct cmd *c, const char *file, struct sbuf *err)
{
	return exec_owned(w, c, file, err, NULL);
}

int world_run_one(struct world *w, const struct script *sc, int i, struct sbuf *err)
{
	const struct cmd *c = sc->cmd[i];
	world_record_flush(w);
	sim_time t = w->sim ? sim_now(w->sim) : 0;
	if (exec_owned(w, c, sc->file, err, sc) < 0)
		return -1;
	if (c->kind == C_CLUSTER || c->kind == C_SEED) {
		/* The effective seed (--seed may override the file's) goes
		 * into the recording, and before a cluster. */
		char seed[40];
		ns_snprintf(seed, sizeof seed, "seed %llu", (unsigned long long)w->seed);
		record(w, 0, seed);
		if (c->kind == C_CLUSTER)
			record(w, 0, c->src);
	} else if (c->kind != C_HELP) {
		record(w, t, c->src);
	}
	return 0;
}

enum exec_status world_run(struct world *w, const struct script *sc, struct sbuf *err)
{
	int failed_before = w->failed, async_before = w->async_errors;
	for (int i = 0; i < sc->n; i++)
		if (world_run_one(w, sc, i, err) < 0)
			return EXEC_ERROR;
	if (w->async_errors > async_before) {
		if (!err->len)
			sbuf_printf(err,
				    P_("%d scheduled command failed",
				       "%d scheduled commands failed",
				       w->async_errors - async_before),
				    w->async_errors - async_before);
		return EXEC_ERROR;
	}
	return w->failed > failed_before ? EXEC_EXPECT_FAILED : EXEC_OK;
}

enum exec_status world_exec_line(struct world *w, const char *line, struct sbuf *err)
{
	struct script *sc = script_parse(line, NULL, w, err);
	if (!sc)
		return EXEC_ERROR;
	enum exec_status st = world_run(w, sc, err);
	script_free(sc);
	return st;
}

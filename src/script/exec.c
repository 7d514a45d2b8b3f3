/*
 * exec.c — the world, and running parsed commands against it.
 *
 * The world owns the simulation and what lives beside it (the invariant
 * watch, the history, scheduled commands, bindings, message counts).
 * Commands run in order, each by its row's exec (cmd_*.c). A command that
 * cannot run (a node that does not exist, an unbound $X) stops the script
 * with file:line:col. One the cluster cannot carry out now (`crash leader`
 * with no leader) is refused: a TR_REFUSED trace event, counted like a
 * failed `expect` unless the script said `try`, and the script goes on —
 * except at the prompt (world_exec_line), where it is an error shown
 * inline. A failed `expect` is reported and counted and the script goes
 * on.
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

void msg_counts_free(struct msg_counts *c)
{
	if (!c)
		return;
	free(c->n);
	free(c);
}

static void clear_bindings(struct world *w)
{
	for (int i = 0; i < w->nbind; i++)
		msg_counts_free(w->bind[i].counts);
	w->nbind = 0;
}

static void drop_sim(struct world *w)
{
	clear_bindings(w);
	free(w->msgs.n);
	w->msgs = (struct msg_counts){0, 0, NULL};
	inv_watch_free(w->inv);
	w->inv = NULL;
	lin_free(w->lin);
	w->lin = NULL;
	history_detach(w->hist);
	history_clear(w->hist);
	sim_free(w->sim);
	w->sim = NULL;
	w->halt_obs = 0; /* freed with the sim */
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
	free(w->bind);
	sbuf_free(&w->refusal);
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

int world_refusals(const struct world *w)
{
	return w->refused;
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
	/* A cluster with rules switched off says so (issue 21). */
	const struct proto_ops *p = sim_proto(w->sim);
	int b = proto_option_index(p, "bug");
	if (b >= 0 && p->options[b].kind == OPT_SET && sim_opts(w->sim)->v[b].i) {
		sbuf_puts(out, " · bug=");
		proto_option_fmt(p, b, &sim_opts(w->sim)->v[b], out);
	}
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

void world_record(struct world *w, sim_time t, const char *cmd)
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
		world_record(w, t, "step");
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
		if (l < 0) {
			sbuf_puts(err, _("there is no leader now"));
			return RES_REFUSED;
		}
		return l;
	}
	if (r->index == NREF_VAR) {
		const struct binding *b = world_binding(w, r->var);
		if (!b) {
			sbuf_printf(err, _("$%s is not bound: bind it first (let %s = leader)"),
				    r->var, r->var);
			return RES_ERROR;
		}
		if (b->kind != BIND_NODE) {
			sbuf_printf(err, _("$%s is not a node"), r->var);
			return RES_ERROR;
		}
		if (b->num >= sim_nodes(w->sim)) {
			sbuf_printf(err, _("$%s is n%lld, which this cluster does not have"),
				    r->var, (long long)b->num + 1);
			return RES_ERROR;
		}
		return (int)b->num;
	}
	if (r->index == NREF_ALL) {
		sbuf_puts(err, _("expected one node here, not `all`"));
		return RES_ERROR;
	}
	if (r->index >= sim_nodes(w->sim) || r->hi >= sim_nodes(w->sim)) {
		sbuf_printf(err, _("no node n%d: the cluster has n1..n%d"),
			    (r->hi >= sim_nodes(w->sim) ? r->hi : r->index) + 1, sim_nodes(w->sim));
		return RES_ERROR;
	}
	return r->index;
}

int world_nodes(struct world *w, const struct noderefs *r, struct nodeset *out, struct sbuf *err)
{
	*out = (struct nodeset){{0, 0}};
	for (int i = 0; i < r->n; i++) {
		const struct noderef *x = &r->v[i];
		if (x->index == NREF_ALL) {
			if (!w->sim) {
				sbuf_puts(err,
					  _("no cluster yet: start one with `cluster raft 5`"));
				return RES_ERROR;
			}
			for (int k = 0; k < sim_nodes(w->sim); k++)
				nodeset_add(out, k);
			continue;
		}
		int k = world_node(w, x, err);
		if (k < 0)
			return k;
		for (int j = k; j <= (x->index < 0 ? k : x->hi); j++)
			nodeset_add(out, j);
	}
	return RES_OK;
}

/* ---- execution ---------------------------------------------------------------- */

int exec_fail(struct exec_ctx *x, int col, const char *fmt, ...)
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

int exec_refuse(struct exec_ctx *x, int col, const char *fmt, ...)
{
	if (x->file)
		sbuf_printf(x->err, "%s:", x->file);
	sbuf_printf(x->err, "%d:%d: ", x->c->lineno, col);
	va_list ap;
	va_start(ap, fmt);
	struct sbuf m = {0};
	sbuf_vprintf(&m, fmt, ap);
	va_end(ap);
	sbuf_puts(x->err, sbuf_str(&m));
	sbuf_clear(&x->w->refusal);
	sbuf_puts(&x->w->refusal, sbuf_str(&m));
	sbuf_free(&m);
	x->refused = true;
	return -1;
}

int exec_node(struct exec_ctx *x, const struct noderef *r)
{
	struct sbuf m = {0};
	int i = world_node(x->w, r, &m);
	if (i == RES_REFUSED)
		exec_refuse(x, r->col, "%s", sbuf_str(&m));
	else if (i < 0)
		exec_fail(x, r->col, "%s", sbuf_str(&m));
	sbuf_free(&m);
	return i < 0 ? -1 : i;
}

int exec_nodes(struct exec_ctx *x, const struct noderefs *r, struct nodeset *out)
{
	*out = (struct nodeset){{0, 0}};
	for (int i = 0; i < r->n; i++) {
		struct noderefs one = {1, &r->v[i]};
		struct nodeset set;
		struct sbuf m = {0};
		int rc = world_nodes(x->w, &one, &set, &m);
		if (rc == RES_REFUSED)
			exec_refuse(x, r->v[i].col, "%s", sbuf_str(&m));
		else if (rc < 0)
			exec_fail(x, r->v[i].col, "%s", sbuf_str(&m));
		sbuf_free(&m);
		if (rc < 0)
			return -1;
		out->w[0] |= set.w[0];
		out->w[1] |= set.w[1];
	}
	return 0;
}

void world_fault(struct world *w, int node, int peer, const char *text)
{
	sim_note(w->sim, TR_FAULT, node, peer, "%s", text);
}

void world_refused(struct world *w, const struct cmd *c, const char *file, bool expected)
{
	struct sbuf t = {0};
	if (file)
		sbuf_printf(&t, "%s:", file);
	sbuf_printf(&t, "%d: ", c->lineno);
	sbuf_printf(&t,
		    expected ? _("refused `%s` (as the script allowed, with try): %s")
			     : _("refused `%s`: %s"),
		    c->src, sbuf_str(&w->refusal));
	if (w->sim) {
		struct trace_event ev = {.kind = TR_REFUSED,
					 .at = sim_now(w->sim),
					 .node = -1,
					 .peer = -1,
					 .text = sbuf_str(&t),
					 .ok = expected};
		sim_emit(w->sim, &ev);
	} else {
		world_say(w, OUT_INFO, "%s", sbuf_str(&t));
	}
	sbuf_free(&t);
}

/* ---- bindings and message counts ------------------------------------------------- */

const struct binding *world_binding(const struct world *w, const char *name)
{
	for (int i = 0; i < w->nbind; i++)
		if (!strcmp(w->bind[i].name, name))
			return &w->bind[i];
	return NULL;
}

void world_bind(struct world *w, const char *name, const struct binding *b)
{
	struct binding *slot = (struct binding *)world_binding(w, name);
	if (slot) {
		msg_counts_free(slot->counts);
	} else {
		xgrow((void **)&w->bind, &w->bind_cap, (size_t)w->nbind + 1, sizeof *w->bind);
		slot = &w->bind[w->nbind++];
	}
	*slot = *b;
	ns_strlcpy(slot->name, name, sizeof slot->name);
}

/* Makes room for node index i (nodes may be added while running). */
static void counts_grow(struct msg_counts *c, int kinds, int dim)
{
	uint64_t *n = xcalloc((size_t)kinds * (size_t)dim * (size_t)dim, sizeof *n);
	for (int k = 0; k < c->kinds; k++)
		for (int f = 0; f < c->dim; f++)
			for (int t = 0; t < c->dim; t++)
				n[((size_t)k * dim + f) * dim + t] =
				    c->n[((size_t)k * c->dim + f) * c->dim + t];
	free(c->n);
	c->n = n;
	c->kinds = kinds;
	c->dim = dim;
}

static uint64_t count_at(const struct msg_counts *c, int k, int f, int t)
{
	if (!c || k >= c->kinds || f >= c->dim || t >= c->dim)
		return 0;
	return c->n[((size_t)k * c->dim + f) * c->dim + t];
}

uint64_t world_msg_count(const struct world *w, int k, const struct nodeset *from,
			 const struct nodeset *to, const struct msg_counts *base,
			 const struct msg_counts *upto)
{
	const struct msg_counts *c = upto ? upto : &w->msgs;
	uint64_t sum = 0;
	for (int kk = k < 0 ? 0 : k; kk < (k < 0 ? c->kinds : MIN(k + 1, c->kinds)); kk++)
		for (int f = 0; f < c->dim; f++) {
			if (from && !nodeset_has(from, f))
				continue;
			for (int t = 0; t < c->dim; t++)
				if (!to || nodeset_has(to, t))
					sum += count_at(c, kk, f, t) - count_at(base, kk, f, t);
		}
	return sum;
}

struct msg_counts *world_msg_snapshot(const struct world *w)
{
	struct msg_counts *c = xcalloc(1, sizeof *c);
	c->kinds = w->msgs.kinds;
	c->dim = w->msgs.dim;
	size_t n = (size_t)c->kinds * (size_t)c->dim * (size_t)c->dim;
	c->n = xcalloc(n ? n : 1, sizeof *c->n);
	if (n)
		memcpy(c->n, w->msgs.n, n * sizeof *c->n);
	return c;
}

/* A long session keeps its history bounded: every WORLD_HIST_RECENT
 * operations, the checker catches up (a step budget, so the same on every
 * machine; the verdict never depends on it) and the history forgets the
 * past it folded, keeping the latest WORLD_HIST_RECENT for the history view
 * (lin_forget). */
enum { WORLD_HIST_RECENT = 8192 };

static void forget_past(struct world *w)
{
	w->forget_at = w->hist->n + WORLD_HIST_RECENT;
	if (!w->lin)
		return;
	struct lin_budget b = {.max_steps = 1000000};
	lin_check(w->lin, &b);
	lin_forget(w->lin, w->hist, WORLD_HIST_RECENT);
}

/* The world's trace observer: client outcomes, and one count per message
 * sent (O(1); the array grows only when a node is added). */
static void count_ops(void *ctx, const struct trace_event *ev)
{
	struct world *w = ctx;
	if (ev->kind == TR_SEND) {
		const struct msg *m = ev->msg;
		struct msg_counts *c = &w->msgs;
		if (m->type >= c->kinds || m->from >= c->dim || m->to >= c->dim)
			counts_grow(c, MAX(c->kinds, (int)m->type + 1),
				    MAX(MAX(c->dim, sim_nodes(w->sim)), MAX(m->from, m->to) + 1));
		c->n[((size_t)m->type * c->dim + m->from) * c->dim + m->to]++;
		return;
	}
	if (ev->kind == TR_COMPLETE && ev->op->outcome <= OUT_UNKNOWN) {
		w->ops[ev->op->outcome]++;
		if (ev->op->op.fn == KV_GET)
			w->reads[ev->op->outcome]++;
		w->last_took = ev->op->completed - ev->op->invoked;
		if (w->hist->n >= w->forget_at)
			forget_past(w);
	}
}

static void halt_on_violation(void *ctx, const struct trace_event *ev)
{
	struct world *w = ctx;
	if (ev->kind == TR_STEP && inv_watch_failed(w->inv))
		sim_halt(w->sim);
}

/* The observer is attached only while halting is on, after the watch (so
 * that it sees the verdict of the event that just ended): no cost to the
 * runs that do not ask for it. */
static void halt_observe(struct world *w)
{
	bool want = w->halt_at_violation && w->sim;
	if (want && !w->halt_obs)
		w->halt_obs = sim_observe(w->sim, halt_on_violation, w) + 1;
	else if (!want && w->halt_obs) {
		if (w->sim)
			sim_unobserve(w->sim, w->halt_obs - 1);
		w->halt_obs = 0;
	}
}

void world_halt_at_violation(struct world *w, bool on)
{
	w->halt_at_violation = on;
	halt_observe(w);
}

int world_halted_line(const struct world *w)
{
	return w->halted_line;
}

bool world_violation(struct world *w, const char **why, sim_time *at)
{
	return w->inv && !inv_watch_ok(w->inv, why, at);
}

void world_make_sim(struct world *w, const struct proto_ops *proto, int n,
		    const struct proto_opts *opts)
{
	struct proto_opts o = *opts; /* opts may belong to the sim dropped here */
	drop_sim(w);
	w->sim = sim_new(proto, &o, n, w->seed);
	rng_seed(&w->rng, w->seed ^ 0x6c65742062696e64ULL); /* "let bind" */
	counts_grow(&w->msgs, proto->node.nmsg_kinds ? proto->node.nmsg_kinds : 1, n);
	memset(w->ops, 0, sizeof w->ops);
	memset(w->reads, 0, sizeof w->reads);
	w->last_took = -1;
	w->forget_at = 2 * WORLD_HIST_RECENT;
	sim_observe(w->sim, count_ops, w);
	history_attach(w->hist, w->sim);
	w->lin = lin_new(w->hist, LIN_MODEL_KV);
	w->inv = inv_watch_new(w->sim);
	halt_observe(w);
	if (w->on_sim)
		w->on_sim(w->on_sim_ctx, w, w->sim);
}

int world_exec(struct world *w, const struct cmd *c, const char *file, struct sbuf *err,
	       const struct script *owner)
{
	struct exec_ctx x = {w, file, c, c->args, err, owner, false};
	if (!w->sim && !(c->e->flags & CMD_NO_CLUSTER))
		return exec_fail(&x, c->col, "%s",
				 _("no cluster yet: start one with `cluster raft 5`"));
	int rc = c->e->exec(&x);
	return rc < 0 && x.refused ? WORLD_REFUSED : rc;
}

int world_try(struct exec_ctx *x, const struct cmd *sub)
{
	struct sbuf m = {0};
	int rc = world_exec(x->w, sub, x->file, &m, x->owner);
	if (rc == WORLD_REFUSED) {
		world_refused(x->w, sub, x->file, true);
		rc = 0;
	} else if (rc < 0) {
		sbuf_puts(x->err, sbuf_str(&m));
	}
	sbuf_free(&m);
	return rc;
}

int world_run_one(struct world *w, const struct script *sc, int i, struct sbuf *err)
{
	const struct cmd *c = sc->cmd[i];
	world_record_flush(w);
	sim_time t = w->sim ? sim_now(w->sim) : 0;
	struct sbuf m = {0};
	int rc = world_exec(w, c, sc->file, &m, sc);
	if (rc == WORLD_REFUSED && !w->refusals_stop) {
		/* the run goes on; the refusal is in the trace, and recorded so
		 * that a replay refuses it again at the same instant */
		world_refused(w, c, sc->file, false);
		w->refused++;
		rc = 0;
	} else if (rc < 0) {
		sbuf_puts(err, sbuf_str(&m));
		sbuf_free(&m);
		return -1;
	}
	sbuf_free(&m);
	if (c->e->record)
		c->e->record(w, c, t);
	else
		world_record(w, t, c->src);
	return 0;
}

enum exec_status world_run(struct world *w, const struct script *sc, struct sbuf *err)
{
	int failed_before = w->failed, async_before = w->async_errors;
	int refused_before = w->refused;
	w->halted_line = 0;
	for (int i = 0; i < sc->n; i++) {
		if (world_run_one(w, sc, i, err) < 0)
			return EXEC_ERROR;
		if (w->sim && sim_halted(w->sim)) {
			w->halted_line = sc->cmd[i]->lineno;
			break;
		}
	}
	if (w->async_errors > async_before) {
		if (!err->len)
			sbuf_printf(err,
				    P_("%d scheduled command failed",
				       "%d scheduled commands failed",
				       w->async_errors - async_before),
				    w->async_errors - async_before);
		return EXEC_ERROR;
	}
	return w->failed > failed_before || w->refused > refused_before ? EXEC_EXPECT_FAILED
									: EXEC_OK;
}

enum exec_status world_exec_line(struct world *w, const char *line, struct sbuf *err)
{
	struct script *sc = script_parse(line, NULL, w, err);
	if (!sc)
		return EXEC_ERROR;
	bool stop = w->refusals_stop;
	w->refusals_stop = true; /* at the prompt a refusal is shown inline */
	enum exec_status st = world_run(w, sc, err);
	w->refusals_stop = stop;
	script_free(sc);
	return st;
}

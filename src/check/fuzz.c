/*
 * fuzz.c — randomized fault schedules; see fuzz.h.
 *
 * The plan is drawn from its own generator (seeded from the seed), not from
 * the simulator's: the plan is fixed before the run, and the run uses the
 * seed for the simulator exactly as `seed N` in a scenario would. A plan's
 * steps are applied as scheduled simulator calls at their times, so the
 * run is what the rendered scenario describes.
 */
#include "check/fuzz.h"

#include "check/caps.h"
#include "check/history.h"
#include "check/invariants.h"
#include "check/lin.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_KEYS        5
#define FUZZ_LIN_STEPS   2000000 /* per seed; `expect linearizable` allows more */
#define FUZZ_LIN_SECONDS 2.0     /* a budget: past it the verdict is unknown */

void fuzz_opts_default(struct fuzz_opts *o)
{
	*o = (struct fuzz_opts){
	    .proto = "raft",
	    .nodes_lo = 3,
	    .nodes_hi = 7,
	    .duration = 20 * SIM_S,
	    .liveness = 10 * SIM_S,
	    .vary = true,
	};
}

static struct fuzz_step *add(struct fuzz_plan *p, sim_time at, enum fuzz_kind kind)
{
	xgrow((void **)&p->steps, &p->cap, p->n + 1, sizeof *p->steps);
	struct fuzz_step *s = &p->steps[p->n++];
	memset(s, 0, sizeof *s);
	s->at = at;
	s->kind = kind;
	return s;
}

static int pick(struct rng *g, const bool *ok, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += ok[i];
	if (!k)
		return -1;
	int c = (int)rng_below(g, (uint64_t)k);
	for (int i = 0; i < n; i++)
		if (ok[i] && c-- == 0)
			return i;
	return -1;
}

static void random_op(struct rng *g, struct kv_op *op)
{
	memset(op, 0, sizeof *op);
	ns_snprintf(op->key, sizeof op->key, "k%d", (int)rng_below(g, FUZZ_KEYS));
	int r = (int)rng_below(g, 100);
	if (r < 55) {
		op->fn = KV_PUT;
		ns_snprintf(op->arg, sizeof op->arg, "%d", (int)rng_below(g, 100));
	} else if (r < 70) {
		op->fn = KV_APPEND;
		ns_snprintf(op->arg, sizeof op->arg, "%c", 'a' + (int)rng_below(g, 26));
	} else if (r < 82) {
		op->fn = KV_CAS;
		ns_snprintf(op->arg, sizeof op->arg, "%d", (int)rng_below(g, 100));
		ns_snprintf(op->arg2, sizeof op->arg2, "%d", (int)rng_below(g, 100));
	} else {
		op->fn = KV_GET;
	}
}

static bool user_sets(const struct fuzz_opts *o, const char *key)
{
	size_t n = strlen(key);
	for (int i = 0; o->options && o->options[i]; i++)
		if (!strncmp(o->options[i], key, n) && o->options[i][n] == '=')
			return true;
	return false;
}

/* The n-th '|'-separated value of `values` into out. */
static void nth_value(const char *values, int n, char *out, size_t cap)
{
	const char *p = values;
	for (; n > 0 && p; n--) {
		p = strchr(p, '|');
		if (p)
			p++;
	}
	size_t len = p ? strcspn(p, "|") : 0;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, p ? p : "", len);
	out[len] = '\0';
}

static int count_values(const char *values)
{
	int n = 1;
	for (const char *p = values; *p; p++)
		n += *p == '|';
	return n;
}

/* Draws the varied options (the protocol's fuzz_vary, see fuzz.h) into
 * the plan: FUZZ_MAX_VARY draws whatever is declared. */
static void vary_options(struct fuzz_plan *p, const struct fuzz_opts *o, struct rng *g)
{
	const struct proto_ops *ops = proto_find(o->proto);
	const struct proto_vary *v = ops ? ops->fuzz_vary : NULL;
	for (int k = 0; k < FUZZ_MAX_VARY; k++) {
		if (!v || !v[k].key) {
			rng_next(g); /* a draw all the same, see above */
			v = NULL;
			continue;
		}
		/* Always draw, so a plan does not depend on what is skipped. */
		char val[40];
		nth_value(v[k].values, (int)rng_below(g, (uint64_t)count_values(v[k].values)), val,
			  sizeof val);
		if (!o->vary || proto_option_index(ops, v[k].key) < 0 || user_sets(o, v[k].key))
			continue;
		ns_snprintf(p->vary[p->nvary++], sizeof p->vary[0], "%s=%s", v[k].key, val);
	}
}

/* For a protocol that tolerates Byzantine nodes (caps.h): up to
 * floor((N-1)/3) traitors from time 0, drawn from a generator of their
 * own so that every other plan stays as it was. */
static void add_traitors(struct fuzz_plan *p, const struct proto_ops *ops, uint64_t seed)
{
	if (!ops || !check_tolerates_byzantine(ops))
		return;
	struct rng g;
	rng_seed(&g, seed ^ 0x62797a616e74696eULL); /* "byzantin" */
	int k = (int)rng_below(&g, (uint64_t)(p->nodes - 1) / 3 + 1);
	bool free_[SIM_MAX_NODES];
	for (int i = 0; i < p->nodes; i++)
		free_[i] = true;
	for (int j = 0; j < k; j++) {
		int a = pick(&g, free_, p->nodes);
		free_[a] = false;
		static const enum byz_mode modes[] = {BYZ_SILENT, BYZ_LIE, BYZ_EQUIVOCATE,
						      BYZ_RANDOM};
		struct fuzz_step *s = add(p, 0, FZ_TRAITOR);
		s->a = a;
		s->v = modes[rng_below(&g, ARRAY_LEN(modes))];
	}
	/* Keep time order: the traitors go first. */
	if (k) {
		struct fuzz_step t[SIM_MAX_NODES];
		memcpy(t, p->steps + p->n - (size_t)k, (size_t)k * sizeof *t);
		memmove(p->steps + k, p->steps, (p->n - (size_t)k) * sizeof *p->steps);
		memcpy(p->steps, t, (size_t)k * sizeof *t);
	}
}

static bool parse_options(const struct proto_ops *ops, const struct fuzz_opts *o,
			  const struct fuzz_plan *p, struct proto_opts *po,
			  struct fuzz_result *res);

/* The clock error the protocol assumes with this plan's options (caps.h:
 * clock_bound), or 0 when it assumes none. */
static sim_time plan_clock_bound(const struct fuzz_plan *p, const struct fuzz_opts *o)
{
	const struct proto_ops *ops = proto_find(o->proto);
	const struct check_caps *caps = ops ? check_caps_of(ops) : NULL;
	if (!caps || !caps->clock_bound)
		return 0;
	struct proto_opts po;
	struct fuzz_result res;
	if (!parse_options(ops, o, p, &po, &res))
		return 0; /* fuzz_run reports the bad option */
	return caps->clock_bound(&po);
}

void fuzz_plan_make(struct fuzz_plan *p, const struct fuzz_opts *o, uint64_t seed)
{
	memset(p, 0, sizeof *p);
	p->seed = seed;
	struct rng g;
	rng_seed(&g, seed ^ 0x6e657473706c6974ULL); /* "netsplit" */
	int lo = MAX(1, o->nodes_lo), hi = MAX(lo, MIN(o->nodes_hi, SIM_MAX_NODES));
	int n = p->nodes = (int)rng_range(&g, lo, hi);
	vary_options(p, o, &g);
	/* A protocol that assumes bounded clock errors (spanner: epsilon)
	 * gets skews scaled into half the bound and drifts that add up to at
	 * most the other half over the faults; the draws stay the same, so
	 * the rest of the plan does not depend on it. */
	sim_time bound = plan_clock_bound(p, o);
	int64_t max_ppm =
	    o->duration > 0 ? (int64_t)((double)(bound / 2) * 1e6 / (double)o->duration) : 0;
	bool down[SIM_MAX_NODES] = {0};
	bool skewed[SIM_MAX_NODES] = {0};
	bool net = false;

	/* Faults: one every 50 ms to 1.5 s, 600 ms or 300 ms (drawn per seed:
	 * some seeds are storms). */
	static const sim_time gaps[] = {1500 * SIM_MS, 600 * SIM_MS, 300 * SIM_MS};
	sim_time gap = gaps[rng_below(&g, ARRAY_LEN(gaps))];
	for (sim_time t = rng_range(&g, 50 * SIM_MS, gap); t < o->duration;
	     t += rng_range(&g, 50 * SIM_MS, gap)) {
		bool up_ok[SIM_MAX_NODES], down_ok[SIM_MAX_NODES], any[SIM_MAX_NODES];
		for (int i = 0; i < n; i++) {
			up_ok[i] = !down[i];
			down_ok[i] = down[i];
			any[i] = true;
		}
		int r = (int)rng_below(&g, 100);
		struct fuzz_step *s;
		if (r < 20) {
			int a = pick(&g, up_ok, n);
			if (a < 0)
				continue;
			s = add(p, t, FZ_CRASH);
			s->a = a;
			down[a] = true;
		} else if (r < 38) {
			int a = pick(&g, down_ok, n);
			if (a < 0)
				continue;
			s = add(p, t, FZ_RESTART);
			s->a = a;
			down[a] = false;
		} else if (r < 53) {
			if (n < 2)
				continue;
			s = add(p, t, FZ_PARTITION);
			/* A random non-trivial split. */
			do {
				s->side = (struct nodeset){{0, 0}};
				for (int i = 0; i < n; i++)
					if (rng_below(&g, 2))
						nodeset_add(&s->side, i);
			} while (nodeset_empty(&s->side) || nodeset_count(&s->side) == n);
		} else if (r < 63) {
			if (n < 2)
				continue;
			s = add(p, t, FZ_CUT);
			s->a = pick(&g, any, n);
			do
				s->b = pick(&g, any, n);
			while (s->b == s->a);
		} else if (r < 78) {
			add(p, t, FZ_HEAL);
		} else if (r < 88) {
			s = add(p, t, FZ_NET);
			s->loss_ppm = (uint32_t)rng_range(&g, 0, 30) * 10000;
			s->dup_ppm = (uint32_t)rng_range(&g, 0, 10) * 10000;
			s->jitter = rng_range(&g, 0, 40) * SIM_MS;
			net = true;
		} else if (r < 95) {
			s = add(p, t, FZ_SKEW);
			s->a = pick(&g, any, n);
			s->v = rng_range(&g, -300, 300) * SIM_MS;
			if (bound > 0)
				s->v = s->v * (bound / 2) / (300 * SIM_MS);
			skewed[s->a] = true;
		} else {
			s = add(p, t, FZ_DRIFT);
			s->a = pick(&g, any, n);
			s->v = rng_range(&g, -5, 5) * 2000; /* up to 1% */
			if (bound > 0)
				s->v = s->v * MIN(max_ppm, 10000) / 10000;
			skewed[s->a] = true;
		}
	}
	/* Client load: one operation every 20 to 150 ms. */
	/* Drawn for every protocol, so that what follows does not depend on
	 * it; kept only for one that serves key-value clients. */
	size_t nfaults = p->n;
	const struct proto_ops *ops = proto_find(o->proto);
	bool kv = ops && ops->kv_clients;
	for (sim_time t = rng_range(&g, 0, 150 * SIM_MS); t < o->duration;
	     t += rng_range(&g, 20 * SIM_MS, 150 * SIM_MS)) {
		struct kv_op op;
		random_op(&g, &op);
		if (kv)
			add(p, t, FZ_OP)->op = op;
	}
	/* Merge the two time-ordered runs (faults, then operations). */
	struct fuzz_step *m = xmalloc(p->n * sizeof *m);
	size_t i = 0, j = nfaults, k = 0;
	while (i < nfaults || j < p->n)
		m[k++] = (j >= p->n || (i < nfaults && p->steps[i].at <= p->steps[j].at))
			     ? p->steps[i++]
			     : p->steps[j++];
	free(p->steps);
	p->steps = m;
	p->cap = p->n;
	/* The end of the faults: everything undone. */
	add(p, o->duration, FZ_RESTART)->a = -1;
	add(p, o->duration, FZ_HEAL);
	if (net)
		add(p, o->duration, FZ_NET)->jitter = 5 * SIM_MS;
	for (int a = 0; a < n; a++)
		if (skewed[a]) {
			add(p, o->duration, FZ_SKEW)->a = a;
			add(p, o->duration, FZ_DRIFT)->a = a;
		}
	add_traitors(p, ops, seed);
}

void fuzz_plan_free(struct fuzz_plan *p)
{
	if (!p)
		return;
	free(p->steps);
	memset(p, 0, sizeof *p);
}

static void fmt_pct(struct sbuf *out, uint32_t ppm)
{
	sbuf_printf(out, "%u%%", ppm / 10000);
}

static void step_text(const struct fuzz_step *s, int nodes, struct sbuf *out)
{
	char buf[32];
	switch (s->kind) {
	case FZ_CRASH: sbuf_printf(out, "crash n%d", s->a + 1); break;
	case FZ_RESTART:
		if (s->a < 0)
			sbuf_puts(out, "restart all");
		else
			sbuf_printf(out, "restart n%d", s->a + 1);
		break;
	case FZ_PARTITION:
		sbuf_puts(out, "partition");
		for (int i = 0; i < nodes; i++)
			if (nodeset_has(&s->side, i))
				sbuf_printf(out, " n%d", i + 1);
		sbuf_puts(out, " |");
		for (int i = 0; i < nodes; i++)
			if (!nodeset_has(&s->side, i))
				sbuf_printf(out, " n%d", i + 1);
		break;
	case FZ_CUT: sbuf_printf(out, "cut n%d -> n%d", s->a + 1, s->b + 1); break;
	case FZ_HEAL: sbuf_puts(out, "heal"); break;
	case FZ_NET:
		sbuf_puts(out, "net loss ");
		fmt_pct(out, s->loss_ppm);
		sbuf_puts(out, " dup ");
		fmt_pct(out, s->dup_ppm);
		sbuf_printf(out, " jitter %s", simtime_fmt_dur(s->jitter, buf, sizeof buf));
		break;
	case FZ_SKEW:
		sbuf_printf(out, "clock n%d skew %s%s", s->a + 1, s->v < 0 ? "-" : "+",
			    simtime_fmt_dur(s->v < 0 ? -s->v : s->v, buf, sizeof buf));
		break;
	case FZ_DRIFT:
		if (s->v)
			sbuf_printf(out, "clock n%d drift %+lldppm", s->a + 1, (long long)s->v);
		else
			sbuf_printf(out, "clock n%d drift 0ppm", s->a + 1);
		break;
	case FZ_TRAITOR:
		sbuf_printf(out, "traitor n%d %s", s->a + 1, byz_mode_str((enum byz_mode)s->v));
		break;
	case FZ_OP:
		switch (s->op.fn) {
		case KV_SYNC: sbuf_puts(out, "sync"); break;
		case KV_GET: sbuf_printf(out, "get %s", s->op.key); break;
		case KV_PUT: sbuf_printf(out, "put %s %s", s->op.key, s->op.arg); break;
		case KV_APPEND: sbuf_printf(out, "append %s %s", s->op.key, s->op.arg); break;
		case KV_CAS:
			sbuf_printf(out, "cas %s %s %s", s->op.key, s->op.arg, s->op.arg2);
			break;
		}
		break;
	}
}

void fuzz_plan_text(const struct fuzz_plan *p, const struct fuzz_opts *o, struct sbuf *out)
{
	char buf[32];
	sbuf_printf(out, "# netsplit fuzz %s: seed %llu, %d nodes\n", o->proto,
		    (unsigned long long)p->seed, p->nodes);
	sbuf_printf(out, "seed %llu\n", (unsigned long long)p->seed);
	sbuf_printf(out, "cluster %s %d", o->proto, p->nodes);
	for (int i = 0; o->options && o->options[i]; i++)
		sbuf_printf(out, " %s", o->options[i]);
	for (int i = 0; i < p->nvary; i++)
		sbuf_printf(out, " %s", p->vary[i]);
	sbuf_putc(out, '\n');
	for (size_t i = 0; i < p->n; i++) {
		sbuf_printf(out, "at %s ", simtime_fmt(p->steps[i].at, buf, sizeof buf));
		step_text(&p->steps[i], p->nodes, out);
		sbuf_putc(out, '\n');
	}
	/* What fuzz_run does after the faults, step for step. */
	char lb[32];
	simtime_fmt_dur(o->liveness, lb, sizeof lb);
	sbuf_printf(out, "run %s\n", simtime_fmt_dur(o->duration, buf, sizeof buf));
	sbuf_puts(out, "expect safe\n");
	const struct check_caps *caps = check_caps_of(proto_find(o->proto));
	for (const struct fuzz_live_step *st =
		 caps && caps->liveness && !o->safety_only ? caps->liveness->steps : NULL;
	     st && st->kind != FL_END; st++) {
		switch (st->kind) {
		case FL_END: break;
		case FL_COMMENT:
			sbuf_puts(out, "# ");
			sbuf_printf(out, st->pred, lb);
			sbuf_putc(out, '\n');
			break;
		case FL_UNTIL:
			sbuf_printf(out, "run until %s%s%s timeout %s\n", st->pred,
				    st->args ? " " : "", st->args ? st->args : "", lb);
			break;
		case FL_WRITE: {
			/* The client's deadline is the liveness bound, but never
			 * below the language's minimum (the simulator clamps it
			 * the same way in fuzz_run). */
			char cb[32];
			sim_time dl =
			    o->liveness < CLIENT_DEADLINE_MIN ? CLIENT_DEADLINE_MIN : o->liveness;
			sbuf_printf(out, "client timeout %s\n", simtime_fmt_dur(dl, cb, sizeof cb));
			sbuf_printf(out, "put %s %s\n", FUZZ_LIVE_KEY, FUZZ_LIVE_VALUE);
			break;
		}
		case FL_ACK: break; /* no line: the language cannot wait for one answer */
		case FL_EXPECT:
			sbuf_printf(out, "expect %s%s%s\n", st->pred, st->args ? " " : "",
				    st->args ? st->args : "");
			break;
		}
	}
	if (!o->safety_only)
		sbuf_puts(out, "expect safe\n");
	if (o->linearizable)
		sbuf_puts(out, "expect linearizable\n");
}

/* ---- running ------------------------------------------------------------------ */

struct runner {
	struct sim *s;
	const struct fuzz_plan *p;
	struct link_config base;
	uint32_t live_id;
	bool live_ok;
	int ops_ok;
};

static void run_step(void *ctx, struct sim *s, uint64_t i)
{
	struct runner *rn = ctx;
	const struct fuzz_step *st = &rn->p->steps[i];
	switch (st->kind) {
	case FZ_CRASH: sim_crash(s, st->a); break;
	case FZ_RESTART:
		for (int a = 0; a < sim_nodes(s); a++)
			if (st->a < 0 || a == st->a)
				sim_restart(s, a);
		break;
	case FZ_PARTITION: {
		int g[SIM_MAX_NODES];
		for (int k = 0; k < sim_nodes(s); k++)
			g[k] = nodeset_has(&st->side, k);
		sim_partition(s, g);
		break;
	}
	case FZ_CUT: sim_cut(s, st->a, st->b); break;
	case FZ_HEAL: sim_heal_all(s); break;
	case FZ_NET: {
		struct link_config c = rn->base;
		c.loss_ppm = st->loss_ppm;
		c.dup_ppm = st->dup_ppm;
		c.jitter = st->jitter;
		sim_set_all_links(s, &c);
		break;
	}
	case FZ_SKEW: sim_set_skew(s, st->a, st->v); break;
	case FZ_DRIFT: sim_set_drift(s, st->a, (int32_t)st->v); break;
	case FZ_OP: sim_client_invoke(s, sim_client_idle(s, 1), -1, &st->op); break;
	case FZ_TRAITOR: sim_set_byzantine(s, st->a, (enum byz_mode)st->v); break;
	}
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct runner *rn = ctx;
	if (ev->kind != TR_COMPLETE || ev->op->outcome != OUT_OK)
		return;
	rn->ops_ok++;
	if (ev->op->id == rn->live_id)
		rn->live_ok = true;
}

/* ---- liveness steps ------------------------------------------------------------ */

/* A step's predicate, resolved: the protocol's (with its arguments filled)
 * or the built-in `leader` (pp NULL). */
struct live_pred {
	const struct proto_pred *pp;
	struct proto_args args;
};

static const struct proto_pred *find_pred(const struct proto_ops *ops, const char *name)
{
	for (int i = 0; ops->preds && ops->preds[i].name; i++)
		if (!strcmp(ops->preds[i].name, name))
			return &ops->preds[i];
	return NULL;
}

/* Fills a->a[] from `text` by the predicate's usage, as the command language
 * would for the few kinds a liveness step uses: KEY, VALUE, WORD, INT,
 * DURATION and literals; `[ ... ]` items are optional. False on a
 * mismatch. */
static bool fill_args(const char *usage, const char *text, struct proto_args *a, struct sbuf *err)
{
	char u[160], t[160];
	ns_strlcpy(u, usage ? usage : "", sizeof u);
	ns_strlcpy(t, text ? text : "", sizeof t);
	memset(a, 0, sizeof *a);
	char *us = NULL, *ts = NULL;
	char *tok = strtok_r(t, " ", &ts);
	for (char *item = strtok_r(u, " ", &us); item; item = strtok_r(NULL, " ", &us)) {
		char w[32];
		size_t k = 0;
		for (const char *c = item; *c && k + 1 < sizeof w; c++)
			if (*c != '[' && *c != ']')
				w[k++] = *c;
		w[k] = '\0';
		static const struct {
			const char *name;
			enum arg_kind kind;
		} kinds[] = {{"KEY", ARG_KEY},
			     {"VALUE", ARG_VALUE},
			     {"WORD", ARG_WORD},
			     {"INT", ARG_INT},
			     {"DURATION", ARG_DURATION}};
		int kind = -1;
		for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
			if (!strcmp(w, kinds[i].name))
				kind = (int)kinds[i].kind;
		if (!strcmp(w, "NODE") || !strcmp(w, "NODES")) {
			sbuf_printf(err, "liveness arguments cannot name nodes (%s)", usage);
			return false;
		}
		if (kind < 0) { /* a literal */
			if (tok && !strcmp(tok, w))
				tok = strtok_r(NULL, " ", &ts);
			continue;
		}
		if (a->n == PROTO_MAX_ARGS)
			return false;
		struct arg *g = &a->a[a->n++];
		g->kind = (enum arg_kind)kind;
		if (!tok)
			continue; /* an optional item not given (present = false) */
		g->present = true;
		if (kind == ARG_INT) {
			char *end;
			g->num = strtoll(tok, &end, 10);
			if (*end) {
				sbuf_printf(err, "\"%s\" is not an integer", tok);
				return false;
			}
		} else if (kind == ARG_DURATION) {
			if (!simtime_parse(tok, &g->num, 0)) {
				sbuf_printf(err, "\"%s\" is not a duration", tok);
				return false;
			}
		} else {
			ns_strlcpy(g->str, tok, sizeof g->str);
		}
		tok = strtok_r(NULL, " ", &ts);
	}
	if (tok) {
		sbuf_printf(err, "\"%s\" does not fit the usage \"%s\"", text, usage ? usage : "");
		return false;
	}
	return true;
}

static bool resolve(const struct proto_ops *ops, const struct fuzz_live_step *st,
		    struct live_pred *lp, struct sbuf *err)
{
	memset(lp, 0, sizeof *lp);
	if (!strcmp(st->pred, "leader") && !find_pred(ops, "leader")) {
		if (st->args) {
			sbuf_puts(err, "leader takes no arguments");
			return false;
		}
		return true;
	}
	lp->pp = find_pred(ops, st->pred);
	if (!lp->pp) {
		sbuf_printf(err, "%s has no predicate %s", ops->name, st->pred);
		return false;
	}
	return fill_args(lp->pp->usage, st->args, &lp->args, err);
}

static bool live_eval(const struct live_pred *lp, struct sim *s, struct sbuf *why)
{
	if (!lp->pp) {
		int l = proto_leader(s);
		if (l >= 0)
			sbuf_printf(why, "leader is n%d", l + 1);
		else
			sbuf_puts(why, "no leader");
		return l >= 0;
	}
	return lp->pp->eval(s, &lp->args, why);
}

static bool p_live(void *ctx, struct sim *s)
{
	struct sbuf why = {0};
	bool ok = live_eval(ctx, s, &why);
	sbuf_free(&why);
	return ok;
}

static bool p_acked(void *ctx, struct sim *s)
{
	(void)s;
	return ((struct runner *)ctx)->live_ok;
}

bool fuzz_liveness_valid(const struct proto_ops *ops, const struct fuzz_liveness *l,
			 struct sbuf *err)
{
	bool wrote = false;
	for (const struct fuzz_live_step *st = l->steps; st->kind != FL_END; st++) {
		struct live_pred lp;
		switch (st->kind) {
		case FL_END: break;
		case FL_COMMENT:
			if (!st->pred || !strstr(st->pred, "%s")) {
				sbuf_puts(err, "a liveness comment needs one %s");
				return false;
			}
			break;
		case FL_WRITE:
			if (!ops->kv_clients) {
				sbuf_printf(err,
					    "%s serves no key-value clients: no liveness write",
					    ops->name);
				return false;
			}
			wrote = true;
			break;
		case FL_ACK:
			if (!wrote) {
				sbuf_puts(err, "a liveness ack before the write");
				return false;
			}
			break;
		case FL_UNTIL:
		case FL_EXPECT:
			if (!st->fail || !resolve(ops, st, &lp, err))
				return false;
			break;
		}
	}
	return true;
}

/* Runs the protocol's declared liveness (caps.h) after the faults; sets
 * res on a failure. */
static void run_liveness(struct runner *rn, const struct fuzz_liveness *l,
			 const struct fuzz_opts *o, struct fuzz_result *res)
{
	const struct proto_ops *ops = sim_proto(rn->s);
	const char *soft_fail = NULL;
	long long ms = (long long)(o->liveness / SIM_MS);
	for (const struct fuzz_live_step *st = l->steps; st->kind != FL_END; st++) {
		struct live_pred lp;
		struct sbuf why = {0};
		bool ok = true;
		switch (st->kind) {
		case FL_END:
		case FL_COMMENT: continue;
		case FL_WRITE: {
			sim_client_config(rn->s)->deadline = o->liveness;
			struct kv_op op;
			memset(&op, 0, sizeof op);
			op.fn = KV_PUT;
			ns_strlcpy(op.key, FUZZ_LIVE_KEY, sizeof op.key);
			ns_strlcpy(op.arg, FUZZ_LIVE_VALUE, sizeof op.arg);
			rn->live_id = sim_client_invoke(rn->s, sim_client_idle(rn->s, 1), -1, &op);
			continue;
		}
		case FL_ACK:
			ok = sim_run_while(rn->s, sim_now(rn->s) + o->liveness, p_acked, rn);
			break;
		case FL_UNTIL:
		case FL_EXPECT:
			if (!resolve(ops, st, &lp, &why)) {
				ns_snprintf(res->why, sizeof res->why, "%s", sbuf_str(&why));
				res->liveness_failed = true;
				sbuf_free(&why);
				return;
			}
			if (st->kind == FL_UNTIL)
				ok =
				    sim_run_while(rn->s, sim_now(rn->s) + o->liveness, p_live, &lp);
			sbuf_clear(&why);
			ok = live_eval(&lp, rn->s, &why) && ok;
			break;
		}
		if (!ok && st->soft) {
			if (!soft_fail)
				soft_fail = st->fail;
		} else if (!ok) {
			res->liveness_failed = true;
			res->at = sim_now(rn->s);
			struct sbuf v = {0};
			sbuf_printf(&v, _(soft_fail ? soft_fail : st->fail), ms);
			if (!soft_fail && st->explain && why.len)
				sbuf_printf(&v, ": %s", sbuf_str(&why));
			ns_strlcpy(res->why, sbuf_str(&v), sizeof res->why);
			sbuf_free(&v);
		}
		sbuf_free(&why);
		if (res->liveness_failed)
			return;
	}
}

/* One "key=value" into po; false with res->why on error. */
static bool parse_option(const struct proto_ops *ops, const char *kv, struct proto_opts *po,
			 struct fuzz_result *res)
{
	const char *eq = strchr(kv, '=');
	char key[64];
	if (!eq || (size_t)(eq - kv) >= sizeof key) {
		ns_snprintf(res->why, sizeof res->why, _("expected key=value, got \"%s\""), kv);
		return false;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	int idx = proto_option_index(ops, key);
	if (idx < 0) {
		ns_snprintf(res->why, sizeof res->why, _("%s has no option %s"), ops->name, key);
		return false;
	}
	struct sbuf err = {0};
	bool ok = proto_option_parse(ops, idx, eq + 1, &po->v[idx], &err);
	if (!ok)
		ns_strlcpy(res->why, sbuf_str(&err), sizeof res->why);
	sbuf_free(&err);
	return ok;
}

static bool parse_options(const struct proto_ops *ops, const struct fuzz_opts *o,
			  const struct fuzz_plan *p, struct proto_opts *po, struct fuzz_result *res)
{
	proto_opts_default(ops, po);
	for (int i = 0; o->options && o->options[i]; i++)
		if (!parse_option(ops, o->options[i], po, res))
			return false;
	for (int i = 0; i < p->nvary; i++)
		if (!parse_option(ops, p->vary[i], po, res))
			return false;
	return true;
}

bool fuzz_run(const struct fuzz_plan *p, const struct fuzz_opts *o, struct fuzz_result *res)
{
	memset(res, 0, sizeof *res);
	const struct proto_ops *ops = proto_find(o->proto);
	if (!ops) {
		ns_snprintf(res->why, sizeof res->why, _("no protocol named %s"), o->proto);
		return false;
	}
	struct proto_opts po;
	if (!parse_options(ops, o, p, &po, res))
		return false;
	struct runner rn = {.p = p};
	rn.s = sim_new(ops, &po, p->nodes, p->seed);
	rn.base = *sim_default_link(rn.s);
	struct history hist;
	history_init(&hist);
	history_attach(&hist, rn.s);
	struct inv_watch *w = inv_watch_new(rn.s);
	int h = sim_observe(rn.s, on_trace, &rn);
	for (size_t i = 0; i < p->n; i++)
		sim_schedule(rn.s, p->steps[i].at, run_step, &rn, i);

	const char *why = NULL;
	sim_time at = 0;
	/* Faults and load, in slices so that a violation stops the run. */
	for (sim_time t = 0; t <= o->duration && inv_watch_ok(w, NULL, NULL);) {
		t = MIN(t + 500 * SIM_MS, o->duration);
		sim_run_until(rn.s, t);
		if (t == o->duration)
			break;
	}
	/* Liveness, as the rendered scenario does it: the protocol's declared
	 * steps (caps.c), each within the bound. */
	const struct check_caps *caps = check_caps_of(ops);
	if (caps && caps->liveness && !o->safety_only && inv_watch_ok(w, NULL, NULL))
		run_liveness(&rn, caps->liveness, o, res);
	if (!inv_watch_ok(w, &why, &at)) {
		res->safety_failed = true;
		res->liveness_failed = false;
		res->at = at;
		ns_strlcpy(res->why, why, sizeof res->why);
	}
	if (o->linearizable && !res->safety_failed && !res->liveness_failed) {
		/* A smaller budget than `expect linearizable`: a violation
		 * found here is found there too; "unknown" is not a failure. */
		struct lin_checker *lc = lin_new(&hist, LIN_MODEL_KV);
		struct lin_budget b = {.max_steps = FUZZ_LIN_STEPS,
				       .max_seconds = FUZZ_LIN_SECONDS};
		enum lin_verdict v = lin_check(lc, &b);
		if (v == LIN_VIOLATION) {
			struct sbuf e = {0};
			lin_explain(lc, &b, &e);
			res->lin_failed = true;
			res->at = sim_now(rn.s);
			ns_snprintf(res->why, sizeof res->why, _("not linearizable: %s"),
				    sbuf_str(&e));
			sbuf_free(&e);
		} else if (v != LIN_OK) {
			res->lin_unknown = true;
		}
		lin_free(lc);
	}
	history_detach(&hist);
	history_close(&hist);
	res->events = sim_events(rn.s);
	res->ops_ok = rn.ops_ok;
	res->ok = !res->safety_failed && !res->liveness_failed && !res->lin_failed;
	sim_unobserve(rn.s, h);
	inv_watch_free(w);
	sim_free(rn.s);
	return res->ok;
}

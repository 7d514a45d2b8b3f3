/*
 * cmd_cluster.c — the commands that make and tune a cluster: `cluster`
 * (a protocol, a size, options), `seed`, and `set` (an option that may
 * change while running). One row each in cmd_cluster_table.
 */
#include "script/script_internal.h"

#include "proto/presets.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- cluster PROTOCOL N [KEY=VALUE...] ------------------------------------------ */

struct cluster_args {
	const struct proto_ops *proto;
	int count;
	struct proto_opts opts;
};

static bool cluster_parse(struct parser *p, struct cmd *c)
{
	struct cluster_args *a = c->args;
	const struct token *t = p_peek(p);
	char got[80];
	const struct proto_preset *pre = t->kind == TK_WORD ? proto_preset_find(t->text) : NULL;
	if (pre && !proto_find(pre->base)) {
		p_error(p, t, _("%s is not available: it needs the %s protocol, not built in (%s)"),
			pre->name, pre->base, _(pre->summary));
		return false;
	}
	if (pre)
		a->proto = proto_find(pre->base);
	if (t->kind != TK_WORD || !(a->proto || (a->proto = proto_find(t->text)))) {
		struct sbuf names = {0};
		for (int i = 0; proto_all[i]; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", proto_all[i]->name);
		for (int i = 0; proto_presets[i].name; i++)
			if (proto_find(proto_presets[i].base))
				sbuf_printf(&names, ", %s", proto_presets[i].name);
		p_error(p, t, _("expected a protocol (%s), got %s"), sbuf_str(&names),
			p_got(t, got, sizeof got));
		sbuf_free(&names);
		return false;
	}
	p_next(p);
	uint64_t n;
	t = p_peek(p);
	if (!p_uint(p, &n, _("a number of nodes")))
		return false;
	if (n < 1 || n > SIM_MAX_NODES) {
		p_error(p, t, _("a cluster has 1 to %d nodes, got %llu"), SIM_MAX_NODES,
			(unsigned long long)n);
		return false;
	}
	a->count = (int)n;
	proto_opts_default(a->proto, &a->opts);
	/* A preset's options, then the user's (which may override them). */
	for (const char *o = pre ? pre->options : ""; *o;) {
		char kv[64];
		size_t len = strcspn(o, " ");
		ns_snprintf(kv, sizeof kv, "%.*s", (int)len, o);
		char *eq = strchr(kv, '=');
		int idx = -1;
		if (eq) {
			*eq = '\0';
			idx = proto_option_index(a->proto, kv);
		}
		struct sbuf e = {0};
		if (idx < 0 || !proto_option_parse(a->proto, idx, eq + 1, &a->opts.v[idx], &e))
			abort(); /* a preset's own options must parse */
		sbuf_free(&e);
		o += len;
		while (*o == ' ')
			o++;
	}
	while (!p_at_end(p)) {
		const struct token *k = p_next(p);
		if (k->kind != TK_WORD) {
			p_error(p, k, _("expected an option like key=value, got %s"),
				p_got(k, got, sizeof got));
			return false;
		}
		int idx = proto_option_index(a->proto, k->text);
		if (idx < 0) {
			struct sbuf keys = {0};
			for (int i = 0; a->proto->options && a->proto->options[i].key; i++)
				sbuf_printf(&keys, "%s%s", i ? ", " : "", a->proto->options[i].key);
			if (keys.len)
				p_error(p, k, _("%s has no option \"%s\" (it has: %s)"),
					a->proto->name, k->text, sbuf_str(&keys));
			else
				p_error(p, k, _("%s has no options, got \"%s\""), a->proto->name,
					k->text);
			sbuf_free(&keys);
			return false;
		}
		if (p_peek(p)->kind != TK_EQ) {
			p_error(p, p_peek(p), _("expected = after %s, got %s"), k->text,
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
		p_next(p);
		const struct token *v = p_next(p);
		struct sbuf e = {0};
		if (v->kind != TK_WORD ||
		    !proto_option_parse(a->proto, idx, v->text, &a->opts.v[idx], &e)) {
			if (!e.len)
				sbuf_printf(&e, _("expected a value for %s, got %s"), k->text,
					    p_got(v, got, sizeof got));
			p_error(p, v, "%s", sbuf_str(&e));
			sbuf_free(&e);
			return false;
		}
		sbuf_free(&e);
	}
	p->proto = a->proto;
	p->cluster_proto = a->proto;
	return true;
}

static int cluster_exec(struct exec_ctx *x)
{
	const struct cluster_args *a = x->args;
	world_make_sim(x->w, a->proto, a->count, &a->opts);
	struct sbuf d = {0};
	world_describe(x->w, &d);
	world_say(x->w, OUT_INFO, _("new cluster: %s"), sbuf_str(&d));
	sbuf_free(&d);
	return 0;
}

/* The effective seed (--seed may override the file's) goes into the
 * recording, and before the cluster. */
static void record_seed(struct world *w)
{
	char seed[40];
	ns_snprintf(seed, sizeof seed, "seed %llu", (unsigned long long)w->seed);
	world_record(w, 0, seed);
}

static void cluster_record(struct world *w, const struct cmd *c, sim_time t)
{
	(void)t;
	record_seed(w);
	world_record(w, 0, c->src);
}

static void cluster_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)w;
	if (nw == 1) {
		for (int i = 0; proto_all[i]; i++)
			comp_offer(k, proto_all[i]->name);
		return;
	}
	const struct proto_ops *p = proto_find(words[1]);
	if (!p || nw < 3 || !p->options)
		return;
	/* cluster raft 5 key=va|: complete the value of an option */
	const char *eq = strchr(k->prefix, '=');
	char cand[128];
	for (int i = 0; p->options[i].key; i++) {
		size_t klen = strlen(p->options[i].key);
		if (eq && (size_t)(eq - k->prefix) == klen &&
		    !strncmp(k->prefix, p->options[i].key, klen)) {
			const char *choices =
			    p->options[i].kind == OPT_BOOL ? "on|off" : p->options[i].choices;
			if (!choices) {
				ns_snprintf(cand, sizeof cand, "%s=%s", p->options[i].key,
					    p->options[i].def);
				comp_offer(k, cand);
				continue;
			}
			if (p->options[i].kind == OPT_SET) { /* bug=none, or names */
				ns_snprintf(cand, sizeof cand, "%s=none", p->options[i].key);
				comp_offer(k, cand);
			}
			for (const char *q = choices; *q;) {
				size_t l = strcspn(q, "|");
				ns_snprintf(cand, sizeof cand, "%s=%.*s", p->options[i].key, (int)l,
					    q);
				comp_offer(k, cand);
				q += l;
				if (*q == '|')
					q++;
			}
		} else if (!eq) {
			ns_snprintf(cand, sizeof cand, "%s=", p->options[i].key);
			comp_offer(k, cand);
		}
	}
}

/* ---- seed N ---------------------------------------------------------------------- */

struct seed_args {
	uint64_t seed;
};

static bool seed_parse(struct parser *p, struct cmd *c)
{
	struct seed_args *a = c->args;
	return p_uint(p, &a->seed, _("a seed (a whole number)")) && p_end(p);
}

static int seed_exec(struct exec_ctx *x)
{
	const struct seed_args *a = x->args;
	struct world *w = x->w;
	if (w->seed_forced) {
		world_say(w, OUT_INFO,
			  _("seed %llu ignored: the seed was set on the command line (%llu)"),
			  (unsigned long long)a->seed, (unsigned long long)w->seed);
		return 0;
	}
	w->seed = a->seed;
	if (w->sim && (sim_now(w->sim) > 0 || sim_events(w->sim) > 0)) {
		world_say(w, OUT_INFO, _("seed %llu: it takes effect with the next cluster"),
			  (unsigned long long)w->seed);
		return 0;
	}
	/* Same cluster, new seed: rebuild it as if the seed came first. */
	if (w->sim)
		world_make_sim(w, sim_proto(w->sim), sim_nodes(w->sim), sim_opts(w->sim));
	return 0;
}

static void seed_record(struct world *w, const struct cmd *c, sim_time t)
{
	(void)c;
	(void)t;
	record_seed(w);
}

/* ---- set KEY VALUE ----------------------------------------------------------------- */

struct set_args {
	const struct proto_ops *proto;
	int opt;
	struct opt_value v;
};

static bool set_parse(struct parser *p, struct cmd *c)
{
	struct set_args *a = c->args;
	char got[80];
	const struct token *k = p_next(p);
	if (!p->proto) {
		p_error(p, k, "%s", _("no cluster yet: start one with `cluster raft 5`"));
		return false;
	}
	a->proto = p->proto;
	a->opt = k->kind == TK_WORD ? proto_option_index(p->proto, k->text) : -1;
	if (a->opt < 0) {
		p_error(p, k, _("%s has no option %s"), p->proto->name, p_got(k, got, sizeof got));
		return false;
	}
	if (!p->proto->options[a->opt].live) {
		p_error(p, k, _("%s cannot change while running; start a new cluster with %s=..."),
			k->text, k->text);
		return false;
	}
	if (p_peek(p)->kind == TK_EQ)
		p_next(p);
	const struct token *v = p_next(p);
	struct sbuf e = {0};
	if (v->kind != TK_WORD || !proto_option_parse(p->proto, a->opt, v->text, &a->v, &e)) {
		if (!e.len)
			sbuf_printf(&e, _("expected a value for %s, got %s"), k->text,
				    p_got(v, got, sizeof got));
		p_error(p, v, "%s", sbuf_str(&e));
		sbuf_free(&e);
		return false;
	}
	sbuf_free(&e);
	return p_end(p);
}

static int set_exec(struct exec_ctx *x)
{
	const struct set_args *a = x->args;
	struct sim *s = x->w->sim;
	if (sim_proto(s) != a->proto)
		return exec_fail(x, x->c->col, _("the running protocol is %s, not %s"),
				 sim_proto(s)->name, a->proto->name);
	sim_opts_mut(s)->v[a->opt] = a->v;
	for (int i = 0; i < sim_nodes(s); i++)
		if (sim_proto(s)->option_changed)
			sim_proto(s)->option_changed(sim_node(s, i)->self, a->opt);
	world_fault(x->w, -1, -1, x->c->src);
	return 0;
}

static void set_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	if (!w || !w->sim)
		return;
	const struct proto_ops *p = sim_proto(w->sim);
	for (int i = 0; nw == 1 && p->options && p->options[i].key; i++)
		if (p->options[i].live)
			comp_offer(k, p->options[i].key);
}

/* ---- the table ---------------------------------------------------------------------- */

const struct cmd_entry cmd_cluster_table[] = {
    {.info = {"cluster", "PROTOCOL N [KEY=VALUE...]",
	      N_("start a new cluster of N nodes running PROTOCOL (e.g. cluster raft 5 "
		 "prevote=on)"),
	      "cluster raft 3 prevote=on"},
     .flags = CMD_NO_CLUSTER | CMD_UNSCHEDULED,
     .size = sizeof(struct cluster_args),
     .parse = cluster_parse,
     .exec = cluster_exec,
     .complete = cluster_complete,
     .record = cluster_record},
    {.info = {"seed", "N", N_("seed the simulation's random numbers (before it runs)"), "seed 42"},
     .flags = CMD_NO_CLUSTER | CMD_UNSCHEDULED,
     .size = sizeof(struct seed_args),
     .parse = seed_parse,
     .exec = seed_exec,
     .record = seed_record},
    {.info = {"set", "KEY VALUE",
	      N_("change a protocol option while running (e.g. set heartbeat 100ms)"),
	      "set heartbeat 40ms"},
     .size = sizeof(struct set_args),
     .parse = set_parse,
     .exec = set_exec,
     .complete = set_complete},
    {.info = {NULL, NULL, NULL, NULL}},
};

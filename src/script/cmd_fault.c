/*
 * cmd_fault.c — the faults: `crash` and `restart` nodes, `partition` the
 * network, `cut` and `heal` links, set a `link`'s or the whole `net`'s
 * latency, jitter, loss, duplication and bandwidth, skew or drift a
 * node's `clock`, and make nodes Byzantine (`traitor`, `loyal`). One row
 * each in cmd_fault_table.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static void complete_nodes(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	(void)nw;
	comp_nodes(k, w);
}

static void complete_nodes_all(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	(void)nw;
	comp_nodes(k, w);
	comp_offer(k, "all");
}

/* ---- crash NODES, restart NODES ----------------------------------------------- */

struct nodes_args {
	struct noderefs nodes;
};

static bool nodes_parse(struct parser *p, struct cmd *c)
{
	struct nodes_args *a = c->args;
	return p_nodes(p, &a->nodes) && p_end(p);
}

static void nodes_free(void *args)
{
	noderefs_free(&((struct nodes_args *)args)->nodes);
}

static int crash_restart(struct exec_ctx *x, bool crash)
{
	const struct nodes_args *a = x->args;
	struct nodeset set;
	if (exec_nodes(x, &a->nodes, &set) < 0)
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

static int crash_exec(struct exec_ctx *x)
{
	return crash_restart(x, true);
}

static int restart_exec(struct exec_ctx *x)
{
	return crash_restart(x, false);
}

/* ---- partition NODES | NODES [| NODES...] ------------------------------------------ */

struct partition_args {
	int ngroups;
	struct noderefs *groups;
};

static bool partition_parse(struct parser *p, struct cmd *c)
{
	struct partition_args *a = c->args;
	do {
		a->groups = xrealloc(a->groups, (size_t)(a->ngroups + 1) * sizeof *a->groups);
		memset(&a->groups[a->ngroups], 0, sizeof a->groups[0]);
		if (!p_nodes(p, &a->groups[a->ngroups++]))
			return false;
	} while (p_peek(p)->kind == TK_PIPE && p_next(p));
	return p_end(p);
}

static void partition_free(void *args)
{
	struct partition_args *a = args;
	for (int i = 0; i < a->ngroups; i++)
		noderefs_free(&a->groups[i]);
	free(a->groups);
}

static int partition_exec(struct exec_ctx *x)
{
	const struct partition_args *a = x->args;
	struct sim *s = x->w->sim;
	int group[SIM_MAX_NODES];
	for (int i = 0; i < SIM_MAX_NODES; i++)
		group[i] = -1;
	for (int g = 0; g < a->ngroups; g++) {
		struct nodeset set;
		if (exec_nodes(x, &a->groups[g], &set) < 0)
			return -1;
		for (int i = 0; i < sim_nodes(s); i++) {
			if (!nodeset_has(&set, i))
				continue;
			if (group[i] >= 0 && group[i] != g)
				return exec_fail(x, a->groups[g].v[0].col,
						 _("n%d is in two groups"), i + 1);
			group[i] = g;
		}
	}
	for (int i = 0; i < sim_nodes(s); i++)
		if (group[i] < 0)
			group[i] = a->ngroups;
	sim_partition(s, group);
	world_fault(x->w, -1, -1, x->c->src);
	return 0;
}

/* ---- link settings, shared by cut, heal, link and net --------------------------- */

/* Which settings a `link` or `net` command gives. */
enum { LS_LATENCY = 1, LS_JITTER = 2, LS_LOSS = 4, LS_DUP = 8, LS_BANDWIDTH = 16, LS_RESET = 32 };

struct link_args {
	bool pair; /* a link was named (heal may name none) */
	struct noderef a, b;
	bool oneway; /* a -> b */
	unsigned mask;
	struct link_config cfg;
};

/* NODE NODE or NODE -> NODE. */
static bool parse_pair(struct parser *p, struct link_args *a)
{
	if (!p_node(p, &a->a, false))
		return false;
	if (p_peek(p)->kind == TK_ARROW) {
		p_next(p);
		a->oneway = true;
	}
	if (!p_node(p, &a->b, false))
		return false;
	a->pair = true;
	return true;
}

static int pair_of(struct exec_ctx *x, const struct link_args *l, int *a, int *b)
{
	if ((*a = exec_node(x, &l->a)) < 0 || (*b = exec_node(x, &l->b)) < 0)
		return -1;
	if (*a == *b) {
		/* `cut n1 -> leader` while n1 leads names a link that does not
		 * exist now: refused; `cut n1 n1` never names one: an error */
		if (l->a.index < 0 || l->b.index < 0)
			return exec_refuse(x, l->b.col,
					   _("a link joins two different nodes, and both ends are "
					     "n%d now"),
					   *a + 1);
		return exec_fail(x, l->b.col, _("a link joins two different nodes (n%d twice)"),
				 *a + 1);
	}
	return 0;
}

static bool parse_settings(struct parser *p, struct link_args *ls)
{
	char got[80];
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s",
			_("expected a setting: latency, jitter, loss, dup, bandwidth or reset"));
		return false;
	}
	while (!p_at_end(p)) {
		const struct token *t = p_next(p);
		if (t->kind != TK_WORD)
			goto bad;
		if (!strcmp(t->text, "latency")) {
			ls->mask |= LS_LATENCY;
			if (!p_duration(p, &ls->cfg.latency, false))
				return false;
		} else if (!strcmp(t->text, "jitter")) {
			ls->mask |= LS_JITTER;
			if (!p_duration(p, &ls->cfg.jitter, false))
				return false;
		} else if (!strcmp(t->text, "loss")) {
			ls->mask |= LS_LOSS;
			if (!p_percent(p, &ls->cfg.loss_ppm))
				return false;
		} else if (!strcmp(t->text, "dup")) {
			ls->mask |= LS_DUP;
			if (!p_percent(p, &ls->cfg.dup_ppm))
				return false;
		} else if (!strcmp(t->text, "bandwidth")) {
			ls->mask |= LS_BANDWIDTH;
			if (!p_rate(p, &ls->cfg.bandwidth))
				return false;
		} else if (!strcmp(t->text, "reset")) {
			ls->mask |= LS_RESET;
		} else {
		bad:
			p_error(
			    p, t,
			    _("expected latency, jitter, loss, dup, bandwidth or reset, got %s"),
			    p_got(t, got, sizeof got));
			return false;
		}
	}
	return true;
}

static void apply_settings(struct link_config *cfg, const struct link_args *ls,
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

static const char *const link_settings[] = {"latency", "jitter",    "loss",
					    "dup",     "bandwidth", "reset"};

/* ---- cut NODE NODE | NODE -> NODE; heal [...] ------------------------------------- */

static bool cut_parse(struct parser *p, struct cmd *c)
{
	return parse_pair(p, c->args) && p_end(p);
}

static bool heal_parse(struct parser *p, struct cmd *c)
{
	if (p_at_end(p))
		return true;
	return parse_pair(p, c->args) && p_end(p);
}

static int cut_heal(struct exec_ctx *x, bool cut)
{
	const struct link_args *l = x->args;
	struct sim *s = x->w->sim;
	if (!cut && !l->pair) {
		sim_heal_all(s);
		world_fault(x->w, -1, -1, "heal");
		return 0;
	}
	int a, b;
	if (pair_of(x, l, &a, &b) < 0)
		return -1;
	if (cut) {
		sim_cut(s, a, b);
		if (!l->oneway)
			sim_cut(s, b, a);
	} else {
		sim_heal_link(s, a, b);
		if (!l->oneway)
			sim_heal_link(s, b, a);
	}
	world_fault(x->w, a, b, x->c->src);
	return 0;
}

static int cut_exec(struct exec_ctx *x)
{
	return cut_heal(x, true);
}

static int heal_exec(struct exec_ctx *x)
{
	return cut_heal(x, false);
}

/* ---- link NODE NODE|NODE -> NODE SETTINGS; net SETTINGS ------------------------- */

static bool link_parse(struct parser *p, struct cmd *c)
{
	return parse_pair(p, c->args) && parse_settings(p, c->args);
}

static int link_exec(struct exec_ctx *x)
{
	const struct link_args *l = x->args;
	struct sim *s = x->w->sim;
	int a, b;
	if (pair_of(x, l, &a, &b) < 0)
		return -1;
	apply_settings(&sim_link(s, a, b)->cfg, l, sim_default_link(s));
	if (!l->oneway)
		apply_settings(&sim_link(s, b, a)->cfg, l, sim_default_link(s));
	world_fault(x->w, a, b, x->c->src);
	return 0;
}

static void link_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	if (nw < 3) {
		comp_nodes(k, w);
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(link_settings); i++)
		comp_offer(k, link_settings[i]);
}

static bool net_parse(struct parser *p, struct cmd *c)
{
	return parse_settings(p, c->args);
}

static int net_exec(struct exec_ctx *x)
{
	const struct link_args *l = x->args;
	struct sim *s = x->w->sim;
	struct link_config def = *sim_default_link(s);
	apply_settings(&def, l, &sim_link_base);
	for (int i = 0; i < sim_nodes(s); i++)
		for (int j = 0; j < sim_nodes(s); j++)
			apply_settings(&sim_link(s, i, j)->cfg, l, &sim_link_base);
	sim_set_default_link(s, &def);
	world_fault(x->w, -1, -1, x->c->src);
	return 0;
}

static void net_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)w;
	(void)words;
	(void)nw;
	for (size_t i = 0; i < ARRAY_LEN(link_settings); i++)
		comp_offer(k, link_settings[i]);
}

/* ---- clock NODE [skew ±D] [drift ±P%] | NODE reset -------------------------------- */

struct clock_args {
	struct noderef node;
	bool has_skew, has_drift;
	sim_time skew;
	int32_t drift_ppm;
};

static bool clock_parse(struct parser *p, struct cmd *c)
{
	struct clock_args *a = c->args;
	char got[80];
	if (!p_node(p, &a->node, false))
		return false;
	if (p_accept_word(p, "reset")) {
		a->has_skew = a->has_drift = true;
		return p_end(p);
	}
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s", _("expected skew or drift"));
		return false;
	}
	while (!p_at_end(p)) {
		if (p_accept_word(p, "skew")) {
			a->has_skew = true;
			if (!p_duration(p, &a->skew, true))
				return false;
		} else if (p_accept_word(p, "drift")) {
			a->has_drift = true;
			if (!p_drift(p, &a->drift_ppm))
				return false;
		} else {
			p_error(p, p_peek(p), _("expected skew or drift, got %s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
	}
	return true;
}

static int clock_exec(struct exec_ctx *x)
{
	const struct clock_args *a = x->args;
	int n = exec_node(x, &a->node);
	if (n < 0)
		return -1;
	if (a->has_skew)
		sim_set_skew(x->w->sim, n, a->skew);
	if (a->has_drift)
		sim_set_drift(x->w->sim, n, a->drift_ppm);
	world_fault(x->w, n, -1, x->c->src);
	return 0;
}

static void clock_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	if (nw == 1) {
		comp_nodes(k, w);
		return;
	}
	comp_offer(k, "skew");
	comp_offer(k, "drift");
	comp_offer(k, "reset");
}

/* ---- traitor NODES [MODE], loyal NODES ------------------------------------------ */

/* A traitor runs the protocol's own code and lies on the wire (sim.h,
 * "Byzantine nodes"): Lamport, Shostak & Pease (1982) call such a node a
 * traitor; it "may send different orders to different lieutenants". */
struct traitor_args {
	struct noderefs nodes;
	enum byz_mode mode;
};

static const char *const traitor_modes[] = {"silent", "lie", "equivocate", "random"};

static bool traitor_parse(struct parser *p, struct cmd *c)
{
	struct traitor_args *a = c->args;
	if (!p_nodes(p, &a->nodes))
		return false;
	a->mode = BYZ_LIE;
	if (!p_at_end(p)) {
		bool found = false;
		for (int i = 0; i < 4 && !found; i++)
			if (p_accept_word(p, traitor_modes[i])) {
				a->mode = (enum byz_mode)(BYZ_SILENT + i);
				found = true;
			}
		if (!found) {
			char got[64];
			p_error(p, p_peek(p),
				_("expected silent, lie, equivocate or random, got %s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
	}
	return p_end(p);
}

static void traitor_free(void *args)
{
	noderefs_free(&((struct traitor_args *)args)->nodes);
}

static int set_byzantine(struct exec_ctx *x, const struct noderefs *nodes, enum byz_mode mode)
{
	struct nodeset set;
	if (exec_nodes(x, nodes, &set) < 0)
		return -1;
	struct sim *s = x->w->sim;
	bool changed[SIM_MAX_NODES] = {false};
	for (int i = 0; i < sim_nodes(s); i++) {
		if (!nodeset_has(&set, i) || sim_byzantine(s, i) == mode)
			continue;
		if (!sim_set_byzantine(s, i, mode))
			return exec_refuse(
			    x, nodes->v[0].col,
			    _("%s cannot forge messages (the protocol has no "
			      "corrupt_msg), so a traitor can only be silent: `traitor "
			      "n%d silent`"),
			    sim_proto(s)->name, i + 1);
		changed[i] = true;
	}
	for (int i = 0; i < sim_nodes(s); i++)
		if (changed[i])
			sim_note(s, TR_FAULT, i, -1, "%s n%d%s%s",
				 mode == BYZ_LOYAL ? "loyal" : "traitor", i + 1,
				 mode == BYZ_LOYAL ? "" : " ",
				 mode == BYZ_LOYAL ? "" : byz_mode_str(mode));
		else if (nodeset_has(&set, i))
			sim_note(s, TR_NOTE, i, -1, _("n%d is already %s"), i + 1,
				 byz_mode_str(mode));
	return 0;
}

static int traitor_exec(struct exec_ctx *x)
{
	const struct traitor_args *a = x->args;
	return set_byzantine(x, &a->nodes, a->mode);
}

static int loyal_exec(struct exec_ctx *x)
{
	const struct nodes_args *a = x->args;
	return set_byzantine(x, &a->nodes, BYZ_LOYAL);
}

static void traitor_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)words;
	comp_nodes(k, w);
	if (nw > 1)
		for (int i = 0; i < 4; i++)
			comp_offer(k, traitor_modes[i]);
}

/* ---- the table ---------------------------------------------------------------------- */

const struct cmd_entry cmd_fault_table[] = {
    {.info = {"crash", "NODES", N_("crash nodes: volatile state is lost, stable storage kept"),
	      "crash n1 n2..n3"},
     .size = sizeof(struct nodes_args),
     .parse = nodes_parse,
     .exec = crash_exec,
     .complete = complete_nodes_all,
     .free = nodes_free},
    {.info = {"restart", "NODES", N_("restart crashed nodes from their stable storage"),
	      "restart all"},
     .size = sizeof(struct nodes_args),
     .parse = nodes_parse,
     .exec = restart_exec,
     .complete = complete_nodes_all,
     .free = nodes_free},
    {.info = {"partition", "NODES | NODES [| NODES...]",
	      N_("split the network into groups; unnamed nodes form one more group"),
	      "partition n1 | n2 n3"},
     .size = sizeof(struct partition_args),
     .parse = partition_parse,
     .exec = partition_exec,
     .complete = complete_nodes_all,
     .free = partition_free},
    {.info = {"cut", "NODE NODE | NODE -> NODE",
	      N_("cut a link both ways, or one way (from -> to)"), "cut n1 -> n2"},
     .size = sizeof(struct link_args),
     .parse = cut_parse,
     .exec = cut_exec,
     .complete = complete_nodes},
    {.info = {"heal", "[NODE NODE | NODE -> NODE]", N_("heal one link, or every link"),
	      "heal n1 n2"},
     .size = sizeof(struct link_args),
     .parse = heal_parse,
     .exec = heal_exec,
     .complete = complete_nodes},
    {.info = {"link", "NODE NODE|NODE -> NODE SETTINGS",
	      N_("set a link: latency D, jitter D, loss P%, dup P%, bandwidth RATE, reset"),
	      "link n1 n2 latency 50ms jitter 10ms loss 20% dup 5%"},
     .size = sizeof(struct link_args),
     .parse = link_parse,
     .exec = link_exec,
     .complete = link_complete},
    {.info = {"net", "SETTINGS",
	      N_("set every link: latency D, jitter D, loss P%, dup P%, bandwidth RATE, "
		 "reset"),
	      "net latency 10ms bandwidth 1MB/s"},
     .size = sizeof(struct link_args),
     .parse = net_parse,
     .exec = net_exec,
     .complete = net_complete},
    {.info = {"clock", "NODE [skew ±D] [drift ±P%] | NODE reset",
	      N_("skew a node's clock by an offset, or make it run fast or slow"),
	      "clock n3 skew +200ms drift 1%"},
     .size = sizeof(struct clock_args),
     .parse = clock_parse,
     .exec = clock_exec,
     .complete = clock_complete},
    {.info = {"traitor", "NODES [silent|lie|equivocate|random]",
	      N_("make nodes Byzantine: they run the protocol but lie on the wire (default lie)"),
	      "traitor n1 silent"},
     .size = sizeof(struct traitor_args),
     .parse = traitor_parse,
     .exec = traitor_exec,
     .complete = traitor_complete,
     .free = traitor_free},
    {.info = {"loyal", "NODES", N_("make traitors loyal again"), "loyal all"},
     .size = sizeof(struct nodes_args),
     .parse = nodes_parse,
     .exec = loyal_exec,
     .complete = complete_nodes_all,
     .free = nodes_free},
    {.info = {NULL, NULL, NULL, NULL}},
};

/*
 * parse.c — the table of built-in commands and their parsers. Each command
 * is one row of script_commands (name, usage, help: what `help` prints and
 * completion offers) and one parse function; a protocol's own commands are
 * parsed from their usage strings (see proto.h), so no protocol is special
 * in here.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct cmd_info script_commands[] = {
    {"cluster", "PROTOCOL N [KEY=VALUE...]",
     N_("start a new cluster of N nodes running PROTOCOL (e.g. cluster raft 5 prevote=on)")},
    {"seed", "N", N_("seed the simulation's random numbers (before it runs)")},
    {"run", "DURATION | until PRED [timeout DURATION]",
     N_("advance simulated time, or run until a predicate holds (default timeout 10s)")},
    {"step", "[N]", N_("process exactly one event (or N)")},
    {"crash", "NODES", N_("crash nodes: volatile state is lost, stable storage kept")},
    {"restart", "NODES", N_("restart crashed nodes from their stable storage")},
    {"partition", "NODES | NODES [| NODES...]",
     N_("split the network into groups; unnamed nodes form one more group")},
    {"cut", "NODE NODE | NODE -> NODE", N_("cut a link both ways, or one way (from -> to)")},
    {"heal", "[NODE NODE | NODE -> NODE]", N_("heal one link, or every link")},
    {"link", "NODE NODE|NODE -> NODE SETTINGS",
     N_("set a link: latency D, jitter D, loss P%, dup P%, bandwidth RATE, reset")},
    {"net", "SETTINGS",
     N_("set every link: latency D, jitter D, loss P%, dup P%, bandwidth RATE, reset")},
    {"clock", "NODE [skew ±D] [drift ±P%] | NODE reset",
     N_("skew a node's clock by an offset, or make it run fast or slow")},
    {"put", "KEY VALUE [via NODE] [as CLIENT]", N_("a client writes KEY = VALUE")},
    {"get", "KEY [via NODE] [as CLIENT]", N_("a client reads KEY")},
    {"cas", "KEY OLD NEW [via NODE] [as CLIENT]", N_("a client sets KEY to NEW if it holds OLD")},
    {"append", "KEY VALUE [via NODE] [as CLIENT]", N_("a client appends VALUE to KEY")},
    {"client", "[latency D] [attempt D] [timeout D] [backoff D] [redirects on|off] [stick on|off]",
     N_("client settings: latency, per-attempt timeout, deadline; stick on: retry only the first "
	"node")},
    {"set", "KEY VALUE", N_("change a protocol option while running (e.g. set heartbeat 100ms)")},
    {"at", "TIME COMMAND", N_("run COMMAND when simulated time reaches TIME")},
    {"after", "DURATION COMMAND", N_("run COMMAND after DURATION of simulated time")},
    {"expect", "[not] PRED [and|or PRED...]",
     N_("check a predicate now; a script fails if it does not hold")},
    {"workload", "[clients N] [rate R/s] [keys N] [mix get:W,put:W,cas:W,append:W] | stop",
     N_("clients that issue operations by themselves (e.g. workload clients 3 rate 20/s keys 2)")},
    {"note", "TEXT", N_("print a line in the event log")},
    {"help", "[COMMAND]", N_("list commands and predicates, or explain one")},
    {NULL, NULL, NULL},
};

/* ---- small token parsers ----------------------------------------------------- */

static bool p_duration(struct parser *p, sim_time *out, bool sign)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD && simtime_parse(t->text, out, sign)) {
		p_next(p);
		return true;
	}
	p_error(p, t,
		sign ? _("expected a duration like +200ms, got %s")
		     : _("expected a duration like 500ms, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

static bool p_uint(struct parser *p, uint64_t *out, const char *what)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD && isdigit((unsigned char)t->text[0])) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(t->text, &end, 10);
		if (!*end && !errno) {
			*out = v;
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected %s, got %s"), what, p_got(t, got, sizeof got));
	return false;
}

/* A percentage "20%" or "0.5%" into parts per million. */
static bool p_percent(struct parser *p, uint32_t *ppm)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		char *end;
		double v = strtod(t->text, &end);
		if (end != t->text && !strcmp(end, "%") && v >= 0 && v <= 100) {
			*ppm = (uint32_t)(v * 10000 + 0.5);
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected a percentage from 0%% to 100%% like 20%%, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

/* A drift: "+1%", "-0.5%" or "200ppm" (signed) into ppm. */
static bool p_drift(struct parser *p, int32_t *ppm)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		char *end;
		double v = strtod(t->text, &end);
		if (end != t->text && (!strcmp(end, "%") || !strcmp(end, "ppm"))) {
			double scaled = *end == '%' ? v * 10000 : v;
			if (scaled >= -500000 && scaled <= 500000) {
				*ppm = (int32_t)(scaled + (scaled < 0 ? -0.5 : 0.5));
				p_next(p);
				return true;
			}
		}
	}
	p_error(p, t, _("expected a drift between -50%% and +50%% like +1%% or 200ppm, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

/* A bandwidth: "1MB/s", "100kB/s", "500B/s", "unlimited". */
static bool p_rate(struct parser *p, uint64_t *bps)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		if (!strcmp(t->text, "unlimited")) {
			*bps = 0;
			p_next(p);
			return true;
		}
		char *end;
		double v = strtod(t->text, &end);
		double mul = !strcmp(end, "B/s")    ? 1
			     : !strcmp(end, "kB/s") ? 1e3
			     : !strcmp(end, "MB/s") ? 1e6
			     : !strcmp(end, "GB/s") ? 1e9
						    : -1;
		if (end != t->text && mul > 0 && v > 0 && v * mul < 1e15) {
			*bps = (uint64_t)(v * mul + 0.5);
			if (*bps == 0)
				*bps = 1;
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected a bandwidth like 1MB/s, 100kB/s or unlimited, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

static bool p_end(struct parser *p)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_END)
		return true;
	p_error(p, t, _("expected the end of the command, got %s"), p_got(t, got, sizeof got));
	return false;
}

static bool p_value(struct parser *p, char *out, size_t max, const char *what)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind != TK_WORD && t->kind != TK_STRING) {
		p_error(p, t, _("expected %s, got %s"), what, p_got(t, got, sizeof got));
		return false;
	}
	if (strlen(t->text) >= max) {
		p_error(p, t, _("too long: at most %zu characters"), max - 1);
		return false;
	}
	ns_strlcpy(out, t->text, max);
	p_next(p);
	return true;
}

/* ---- commands --------------------------------------------------------------- */

static bool parse_cluster(struct parser *p, struct cmd *c)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind != TK_WORD || !(c->proto = proto_find(t->text))) {
		struct sbuf names = {0};
		for (int i = 0; proto_all[i]; i++)
			sbuf_printf(&names, "%s%s", i ? ", " : "", proto_all[i]->name);
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
	c->count = (int)n;
	proto_opts_default(c->proto, &c->opts);
	while (!p_at_end(p)) {
		const struct token *k = p_next(p);
		if (k->kind != TK_WORD) {
			p_error(p, k, _("expected an option like key=value, got %s"),
				p_got(k, got, sizeof got));
			return false;
		}
		int idx = proto_option_index(c->proto, k->text);
		if (idx < 0) {
			struct sbuf keys = {0};
			for (int i = 0; c->proto->options && c->proto->options[i].key; i++)
				sbuf_printf(&keys, "%s%s", i ? ", " : "", c->proto->options[i].key);
			if (keys.len)
				p_error(p, k, _("%s has no option \"%s\" (it has: %s)"),
					c->proto->name, k->text, sbuf_str(&keys));
			else
				p_error(p, k, _("%s has no options, got \"%s\""), c->proto->name,
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
		    !proto_option_parse(c->proto, idx, v->text, &c->opts.v[idx], &e)) {
			if (!e.len)
				sbuf_printf(&e, _("expected a value for %s, got %s"), k->text,
					    p_got(v, got, sizeof got));
			p_error(p, v, "%s", sbuf_str(&e));
			sbuf_free(&e);
			return false;
		}
		sbuf_free(&e);
	}
	p->proto = c->proto;
	return true;
}

static bool parse_run(struct parser *p, struct cmd *c)
{
	if (p_accept_word(p, "until")) {
		c->kind = C_RUN_UNTIL;
		c->dur = 10 * SIM_S;
		if (!(c->pred = p_pred(p, "timeout")))
			return false;
		if (p_accept_word(p, "timeout") && !p_duration(p, &c->dur, false))
			return false;
		return p_end(p);
	}
	return p_duration(p, &c->dur, false) && p_end(p);
}

static bool parse_step(struct parser *p, struct cmd *c)
{
	c->count = 1;
	if (!p_at_end(p)) {
		uint64_t n;
		const struct token *t = p_peek(p);
		if (!p_uint(p, &n, _("a number of events")))
			return false;
		if (n < 1 || n > 1000000000) {
			p_error(p, t, "%s", _("expected a number of events from 1 to 1000000000"));
			return false;
		}
		c->count = (int)n;
	}
	return p_end(p);
}

static bool parse_nodes_cmd(struct parser *p, struct cmd *c)
{
	return p_nodes(p, &c->a) && p_end(p);
}

static bool parse_partition(struct parser *p, struct cmd *c)
{
	do {
		c->groups = xrealloc(c->groups, (size_t)(c->ngroups + 1) * sizeof *c->groups);
		memset(&c->groups[c->ngroups], 0, sizeof c->groups[0]);
		if (!p_nodes(p, &c->groups[c->ngroups++]))
			return false;
	} while (p_peek(p)->kind == TK_PIPE && p_next(p));
	return p_end(p);
}

/* NODE NODE or NODE -> NODE, into c->a / c->b. */
static bool parse_pair(struct parser *p, struct cmd *c)
{
	struct noderef x, y;
	if (!p_node(p, &x, false))
		return false;
	if (p_peek(p)->kind == TK_ARROW) {
		p_next(p);
		c->oneway = true;
	}
	if (!p_node(p, &y, false))
		return false;
	c->a.v = xmalloc(sizeof x);
	c->a.v[0] = x;
	c->a.n = 1;
	c->b.v = xmalloc(sizeof y);
	c->b.v[0] = y;
	c->b.n = 1;
	return true;
}

static bool parse_cut(struct parser *p, struct cmd *c)
{
	return parse_pair(p, c) && p_end(p);
}

static bool parse_heal(struct parser *p, struct cmd *c)
{
	if (p_at_end(p))
		return true;
	return parse_pair(p, c) && p_end(p);
}

static bool parse_settings(struct parser *p, struct link_settings *ls)
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

static bool parse_link(struct parser *p, struct cmd *c)
{
	return parse_pair(p, c) && parse_settings(p, &c->ls);
}

static bool parse_net(struct parser *p, struct cmd *c)
{
	return parse_settings(p, &c->ls);
}

static bool parse_clock(struct parser *p, struct cmd *c)
{
	char got[80];
	c->a.v = xmalloc(sizeof *c->a.v);
	c->a.n = 1;
	if (!p_node(p, &c->a.v[0], false))
		return false;
	if (p_accept_word(p, "reset")) {
		c->has_skew = c->has_drift = true;
		return p_end(p);
	}
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s", _("expected skew or drift"));
		return false;
	}
	while (!p_at_end(p)) {
		if (p_accept_word(p, "skew")) {
			c->has_skew = true;
			if (!p_duration(p, &c->skew, true))
				return false;
		} else if (p_accept_word(p, "drift")) {
			c->has_drift = true;
			if (!p_drift(p, &c->drift_ppm))
				return false;
		} else {
			p_error(p, p_peek(p), _("expected skew or drift, got %s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
	}
	return true;
}

static bool parse_op_tail(struct parser *p, struct cmd *c)
{
	char got[80];
	while (!p_at_end(p)) {
		if (p_accept_word(p, "via")) {
			c->has_via = true;
			if (!p_node(p, &c->via, false))
				return false;
		} else if (p_accept_word(p, "as")) {
			const struct token *t = p_peek(p);
			char *end;
			long v = t->kind == TK_WORD && t->text[0] == 'c'
				     ? strtol(t->text + 1, &end, 10)
				     : 0;
			if (v < 1 || v > 100000 || *end) {
				p_error(p, t, _("expected a client like c1, got %s"),
					p_got(t, got, sizeof got));
				return false;
			}
			c->client = (int)v;
			p_next(p);
		} else {
			p_error(p, p_peek(p), _("expected via NODE, as CLIENT or the end, got %s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
	}
	return true;
}

static bool parse_op(struct parser *p, struct cmd *c, enum kv_fn fn)
{
	c->kind = C_OP;
	c->op.fn = fn;
	if (!p_value(p, c->op.key, sizeof c->op.key, _("a key")))
		return false;
	if (fn == KV_CAS) {
		if (!p_value(p, c->op.arg, sizeof c->op.arg, _("the expected old value")) ||
		    !p_value(p, c->op.arg2, sizeof c->op.arg2, _("the new value")))
			return false;
	} else if (fn != KV_GET) {
		if (!p_value(p, c->op.arg, sizeof c->op.arg, _("a value")))
			return false;
	}
	return parse_op_tail(p, c);
}

static bool parse_client(struct parser *p, struct cmd *c)
{
	char got[80];
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s",
			_("expected latency, attempt, timeout, backoff, redirects or stick"));
		return false;
	}
	while (!p_at_end(p)) {
		const struct token *t = p_next(p);
		sim_time *d = NULL;
		if (t->kind == TK_WORD && !strcmp(t->text, "latency")) {
			c->cc_mask |= CC_LATENCY;
			d = &c->cc.latency;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "attempt")) {
			c->cc_mask |= CC_ATTEMPT;
			d = &c->cc.attempt_timeout;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "timeout")) {
			c->cc_mask |= CC_DEADLINE;
			d = &c->cc.deadline;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "backoff")) {
			c->cc_mask |= CC_BACKOFF;
			d = &c->cc.backoff;
		} else if (t->kind == TK_WORD &&
			   (!strcmp(t->text, "redirects") || !strcmp(t->text, "stick"))) {
			bool *flag = t->text[0] == 'r' ? &c->cc.follow_redirects : &c->cc.stick;
			c->cc_mask |= t->text[0] == 'r' ? CC_REDIRECTS : CC_STICK;
			if (p_accept_word(p, "on"))
				*flag = true;
			else if (p_accept_word(p, "off"))
				*flag = false;
			else {
				p_error(p, p_peek(p), _("expected on or off, got %s"),
					p_got(p_peek(p), got, sizeof got));
				return false;
			}
			continue;
		} else {
			p_error(p, t,
				_("expected latency, attempt, timeout, backoff, redirects or "
				  "stick, got %s"),
				p_got(t, got, sizeof got));
			return false;
		}
		const struct token *vt = p_peek(p);
		if (!p_duration(p, d, false))
			return false;
		struct sbuf why = {0};
		if (!sim_client_setting_check(t->text, *d, &why)) {
			p_error(p, vt, "%s", sbuf_str(&why));
			sbuf_free(&why);
			return false;
		}
	}
	return true;
}

static bool parse_set(struct parser *p, struct cmd *c)
{
	char got[80];
	const struct token *k = p_next(p);
	if (!p->proto) {
		p_error(p, k, "%s", _("no cluster yet: start one with `cluster raft 5`"));
		return false;
	}
	c->proto = p->proto;
	c->opt = k->kind == TK_WORD ? proto_option_index(p->proto, k->text) : -1;
	if (c->opt < 0) {
		p_error(p, k, _("%s has no option %s"), p->proto->name, p_got(k, got, sizeof got));
		return false;
	}
	if (!p->proto->options[c->opt].live) {
		p_error(p, k, _("%s cannot change while running; start a new cluster with %s=..."),
			k->text, k->text);
		return false;
	}
	if (p_peek(p)->kind == TK_EQ)
		p_next(p);
	const struct token *v = p_next(p);
	struct sbuf e = {0};
	if (v->kind != TK_WORD || !proto_option_parse(p->proto, c->opt, v->text, &c->optv, &e)) {
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

static bool parse_at(struct parser *p, struct cmd *c)
{
	if (!p_duration(p, &c->dur, false))
		return false;
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s", _("expected a command to run"));
		return false;
	}
	if (p_is_word(p, "at") || p_is_word(p, "after") || p_is_word(p, "cluster") ||
	    p_is_word(p, "seed")) {
		p_error(p, p_peek(p), _("`%s` cannot be scheduled"), p_peek(p)->text);
		return false;
	}
	int first = p->ln->tok[0].col;
	c->sub = parse_cmd(p);
	if (!c->sub)
		return false;
	/* the scheduled command's own text: the line from its first word */
	free(c->sub->src);
	c->sub->src = xstrdup(p->ln->src + (c->sub->col - first));
	return true;
}

static bool parse_expect(struct parser *p, struct cmd *c)
{
	c->pred = p_pred(p, NULL);
	return c->pred && p_end(p);
}

static bool parse_rest_text(struct parser *p, struct cmd *c)
{
	struct sbuf b = {0};
	while (!p_at_end(p)) {
		const struct token *t = p_next(p);
		sbuf_printf(&b, "%s%s", b.len ? " " : "", t->text);
	}
	c->str = sbuf_take(&b);
	return true;
}

static bool parse_workload(struct parser *p, struct cmd *c)
{
	if (p_accept_word(p, "stop"))
		return p_end(p);
	const struct token *first = p_peek(p);
	struct sbuf spec = {0}, e = {0};
	while (!p_at_end(p))
		sbuf_printf(&spec, "%s%s", spec.len ? " " : "", p_next(p)->text);
	bool ok = workload_parse(sbuf_str(&spec), &c->wl, &e);
	if (!ok)
		p_error(p, first, "%s", sbuf_str(&e));
	sbuf_free(&spec);
	sbuf_free(&e);
	return ok;
}

static bool parse_proto_cmd(struct parser *p, struct cmd *c)
{
	return p_usage(p, c->pcmd->usage, &c->pargs) && p_end(p);
}

struct cmd *parse_cmd(struct parser *p)
{
	const struct token *t = p_next(p);
	char got[80];
	struct cmd *c = xcalloc(1, sizeof *c);
	c->lineno = p->lineno;
	c->col = t->col;
	c->src = xstrdup(p->ln->src);
	bool ok = false;
	const char *w = t->kind == TK_WORD ? t->text : "";
	if (!strcmp(w, "cluster")) {
		c->kind = C_CLUSTER;
		ok = parse_cluster(p, c);
	} else if (!strcmp(w, "seed")) {
		c->kind = C_SEED;
		ok = p_uint(p, &c->seed, _("a seed (a whole number)")) && p_end(p);
	} else if (!strcmp(w, "run")) {
		c->kind = C_RUN;
		ok = parse_run(p, c);
	} else if (!strcmp(w, "step")) {
		c->kind = C_STEP;
		ok = parse_step(p, c);
	} else if (!strcmp(w, "crash")) {
		c->kind = C_CRASH;
		ok = parse_nodes_cmd(p, c);
	} else if (!strcmp(w, "restart")) {
		c->kind = C_RESTART;
		ok = parse_nodes_cmd(p, c);
	} else if (!strcmp(w, "partition")) {
		c->kind = C_PARTITION;
		ok = parse_partition(p, c);
	} else if (!strcmp(w, "cut")) {
		c->kind = C_CUT;
		ok = parse_cut(p, c);
	} else if (!strcmp(w, "heal")) {
		c->kind = C_HEAL;
		ok = parse_heal(p, c);
	} else if (!strcmp(w, "link")) {
		c->kind = C_LINK;
		ok = parse_link(p, c);
	} else if (!strcmp(w, "net")) {
		c->kind = C_NET;
		ok = parse_net(p, c);
	} else if (!strcmp(w, "clock")) {
		c->kind = C_CLOCK;
		ok = parse_clock(p, c);
	} else if (!strcmp(w, "put")) {
		ok = parse_op(p, c, KV_PUT);
	} else if (!strcmp(w, "get")) {
		ok = parse_op(p, c, KV_GET);
	} else if (!strcmp(w, "cas")) {
		ok = parse_op(p, c, KV_CAS);
	} else if (!strcmp(w, "append")) {
		ok = parse_op(p, c, KV_APPEND);
	} else if (!strcmp(w, "client")) {
		c->kind = C_CLIENT;
		ok = parse_client(p, c);
	} else if (!strcmp(w, "set")) {
		c->kind = C_SET;
		ok = parse_set(p, c);
	} else if (!strcmp(w, "at")) {
		c->kind = C_AT;
		ok = parse_at(p, c);
	} else if (!strcmp(w, "after")) {
		c->kind = C_AFTER;
		ok = parse_at(p, c);
	} else if (!strcmp(w, "expect")) {
		c->kind = C_EXPECT;
		ok = parse_expect(p, c);
	} else if (!strcmp(w, "workload")) {
		c->kind = C_WORKLOAD;
		ok = parse_workload(p, c);
	} else if (!strcmp(w, "note")) {
		c->kind = C_NOTE;
		ok = parse_rest_text(p, c);
	} else if (!strcmp(w, "help")) {
		c->kind = C_HELP;
		ok = parse_rest_text(p, c);
	} else {
		for (int i = 0; p->proto && p->proto->commands && p->proto->commands[i].name; i++)
			if (!strcmp(p->proto->commands[i].name, w)) {
				c->kind = C_PROTO;
				c->proto = p->proto;
				c->pcmd = &p->proto->commands[i];
				ok = parse_proto_cmd(p, c);
				goto done;
			}
		p_error(p, t, _("unknown command %s (try `help`)"), p_got(t, got, sizeof got));
	}
done:
	if (!ok) {
		cmd_free(c);
		return NULL;
	}
	return c;
}

void cmd_free(struct cmd *c)
{
	if (!c)
		return;
	free(c->src);
	pred_free(c->pred);
	noderefs_free(&c->a);
	noderefs_free(&c->b);
	for (int i = 0; i < c->ngroups; i++)
		noderefs_free(&c->groups[i]);
	free(c->groups);
	cmd_free(c->sub);
	free(c->str);
	pargs_free(&c->pargs);
	free(c);
}

/* ---- scripts ---------------------------------------------------------------------- */

struct script *script_parse(const char *text, const char *file, struct world *w, struct sbuf *err)
{
	return script_parse_at(text, file, 1, w && world_sim(w) ? sim_proto(world_sim(w)) : NULL,
			       err);
}

const struct proto_ops *script_protocol(const struct script *sc, const struct proto_ops *before)
{
	for (int i = 0; sc && i < sc->n; i++)
		if (sc->cmd[i]->kind == C_CLUSTER)
			before = sc->cmd[i]->proto;
	return before;
}

struct script *script_parse_at(const char *text, const char *file, int first_line,
			       const struct proto_ops *proto, struct sbuf *err)
{
	struct script *sc = xcalloc(1, sizeof *sc);
	sc->refs = 1;
	sc->file = file ? xstrdup(file) : NULL;
	struct parser p = {.file = file, .err = err, .proto = proto};
	const char *s = text;
	int lineno = first_line - 1;
	while (*s) {
		lineno++;
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *buf = xstrndup(s, len);
		struct line ln;
		bool ok = lex_line(buf, lineno, &ln, file, err);
		free(buf);
		if (!ok)
			goto fail;
		if (ln.ntok > 1) {
			p.ln = &ln;
			p.pos = 0;
			p.lineno = lineno;
			struct cmd *c = parse_cmd(&p);
			if (c && !p_at_end(&p)) {
				char got[80];
				p_error(&p, p_peek(&p),
					_("expected the end of the command, got %s"),
					p_got(p_peek(&p), got, sizeof got));
				cmd_free(c);
				c = NULL;
			}
			if (!c) {
				line_free(&ln);
				goto fail;
			}
			sc->cmd = xrealloc(sc->cmd, (size_t)(sc->n + 1) * sizeof *sc->cmd);
			sc->cmd[sc->n++] = c;
		}
		line_free(&ln);
		s += len;
		if (*s == '\n')
			s++;
	}
	return sc;
fail:
	sc->refs = 1;
	script_free(sc);
	return NULL;
}

void script_free(struct script *sc)
{
	if (!sc || --sc->refs > 0)
		return;
	for (int i = 0; i < sc->n; i++)
		cmd_free(sc->cmd[i]);
	free(sc->cmd);
	free(sc->file);
	free(sc);
}

int script_len(const struct script *sc)
{
	return sc ? sc->n : 0;
}

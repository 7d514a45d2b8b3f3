/*
 * cmd_client.c — the clients: one operation (`put`, `get`, `cas`,
 * `append`, recorded in the history), the clients' behaviour (`client`),
 * and clients that issue operations by themselves (`workload`). One row
 * each in cmd_client_table.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- put, get, cas, append ---------------------------------------------------- */

struct op_args {
	struct kv_op op;
	bool has_via;
	struct noderef via;
	int client; /* 0: the lowest idle one */
};

/* consistency=WORD, or the bare word `consistent` (DynamoDB's
 * ConsistentRead: consistency=linearizable). A level the protocol in force
 * does not take is reported at the word. */
static bool op_level(struct parser *p, struct op_args *a)
{
	char got[80];
	const struct token *t = p_next(p);
	enum kv_level l = KV_LEVEL_LINEARIZABLE;
	if (!strcmp(t->text, "consistency")) {
		if (p_peek(p)->kind != TK_EQ) {
			p_error(p, p_peek(p), _("expected = after consistency, got %s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
		p_next(p);
		t = p_next(p);
		if (t->kind != TK_WORD || !kv_level_parse(t->text, &l)) {
			p_error(p, t,
				_("expected a consistency level (one, quorum, all, serializable, "
				  "linearizable), got %s"),
				p_got(t, got, sizeof got));
			return false;
		}
	}
	if (a->op.level != KV_LEVEL_DEFAULT) {
		p_error(p, t, "%s", _("one consistency level per request"));
		return false;
	}
	a->op.level = (uint8_t)l;
	struct sbuf why = {0};
	bool ok = !p->proto || proto_level_check(p->proto, &a->op, &why);
	if (!ok)
		p_error(p, t, "%s", sbuf_str(&why));
	sbuf_free(&why);
	return ok;
}

static bool op_tail(struct parser *p, struct op_args *a)
{
	char got[80];
	while (!p_at_end(p)) {
		const struct token *w = p_peek(p);
		if (w->kind == TK_WORD &&
		    (!strcmp(w->text, "consistency") || !strcmp(w->text, "consistent"))) {
			if (!op_level(p, a))
				return false;
		} else if (p_accept_word(p, "via")) {
			a->has_via = true;
			if (!p_node(p, &a->via, false))
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
			a->client = (int)v;
			p_next(p);
		} else {
			p_error(p, p_peek(p),
				_("expected via NODE, as CLIENT, consistency=LEVEL or the end, got "
				  "%s"),
				p_got(p_peek(p), got, sizeof got));
			return false;
		}
	}
	return true;
}

static bool op_parse(struct parser *p, struct cmd *c, enum kv_fn fn)
{
	struct op_args *a = c->args;
	a->op.fn = fn;
	if (!p_value(p, a->op.key, sizeof a->op.key, _("a key")))
		return false;
	if (fn == KV_CAS) {
		if (!p_value(p, a->op.arg, sizeof a->op.arg, _("the expected old value")) ||
		    !p_value(p, a->op.arg2, sizeof a->op.arg2, _("the new value")))
			return false;
	} else if (fn != KV_GET) {
		if (!p_value(p, a->op.arg, sizeof a->op.arg, _("a value")))
			return false;
	}
	return op_tail(p, a);
}

static bool put_parse(struct parser *p, struct cmd *c)
{
	return op_parse(p, c, KV_PUT);
}

static bool get_parse(struct parser *p, struct cmd *c)
{
	return op_parse(p, c, KV_GET);
}

static bool cas_parse(struct parser *p, struct cmd *c)
{
	return op_parse(p, c, KV_CAS);
}

static bool append_parse(struct parser *p, struct cmd *c)
{
	return op_parse(p, c, KV_APPEND);
}

static bool sync_parse(struct parser *p, struct cmd *c)
{
	struct op_args *a = c->args;
	a->op.fn = KV_SYNC;
	return op_tail(p, a);
}

/* A key or value written $NAME: the binding's text (a node as n3, a number
 * in decimal, a value read as read). 0, or -1 with an error. */
static int subst(struct exec_ctx *x, char *field, size_t max)
{
	char var[BIND_NAME_MAX];
	if (!is_var_ref(field, var))
		return 0;
	const struct binding *b = world_binding(x->w, var);
	if (!b)
		return exec_fail(x, x->c->col, _("$%s is not bound: bind it first (let %s = ...)"),
				 var, var);
	char buf[KV_VAL_MAX];
	switch (b->kind) {
	case BIND_NODE: ns_snprintf(buf, sizeof buf, "n%lld", (long long)b->num + 1); break;
	case BIND_INT: ns_snprintf(buf, sizeof buf, "%lld", (long long)b->num); break;
	case BIND_VALUE: ns_strlcpy(buf, b->str, sizeof buf); break;
	case BIND_TIME: simtime_fmt(b->num, buf, sizeof buf); break;
	}
	if (strlen(buf) >= max)
		return exec_fail(x, x->c->col, _("$%s is too long here"), var);
	ns_strlcpy(field, buf, max);
	return 0;
}

static int op_exec(struct exec_ctx *x)
{
	const struct op_args *args = x->args;
	struct op_args copy = *args, *a = &copy;
	struct sim *s = x->w->sim;
	int node = -1;
	if (subst(x, a->op.key, sizeof a->op.key) < 0 ||
	    subst(x, a->op.arg, sizeof a->op.arg) < 0 ||
	    subst(x, a->op.arg2, sizeof a->op.arg2) < 0)
		return -1;
	if (!sim_proto(s)->kv_clients)
		return exec_fail(
		    x, x->c->col,
		    _("%s serves no key-value clients: put, get, cas and append do not "
		      "apply to it"),
		    sim_proto(s)->name);
	if (a->op.fn == KV_SYNC && !sim_proto(s)->kv_sync)
		return exec_refuse(x, x->c->col,
				   _("%s has no sync: it is ZooKeeper's (cluster zab), a server "
				     "catching up with its leader before a read"),
				   sim_proto(s)->name);
	struct sbuf why = {0};
	if (!proto_level_check(sim_proto(s), &a->op, &why)) {
		exec_fail(x, x->c->col, "%s", sbuf_str(&why));
		sbuf_free(&why);
		return -1;
	}
	sbuf_free(&why);
	if (a->has_via && (node = exec_node(x, &a->via)) < 0)
		return -1;
	int client = a->client;
	if (client && sim_client_busy(s, client))
		return exec_refuse(x, x->c->col, _("c%d is still waiting for its last operation"),
				   client);
	if (!client)
		client = sim_client_idle(s, 1);
	sim_client_invoke(s, client, node, &a->op);
	return 0;
}

static void op_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	if (!strcmp(words[nw - 1], "via")) {
		comp_nodes(k, w);
	} else if (nw >= 2) {
		comp_offer(k, "via");
		comp_offer(k, "as");
		const struct proto_ops *ops = w && w->sim ? sim_proto(w->sim) : NULL;
		unsigned mask = !ops                       ? 0
				: !strcmp(words[0], "get") ? ops->kv_read_levels
							   : ops->kv_write_levels;
		for (int l = KV_LEVEL_ONE; l < KV_LEVEL_COUNT; l++)
			if (mask & KV_LEVEL_BIT(l)) {
				char cand[48];
				ns_snprintf(cand, sizeof cand, "consistency=%s",
					    kv_level_name((enum kv_level)l));
				comp_offer(k, cand);
			}
		if (mask & KV_LEVEL_BIT(KV_LEVEL_LINEARIZABLE))
			comp_offer(k, "consistent");
	}
}

/* ---- client SETTINGS ------------------------------------------------------------- */

enum {
	CC_LATENCY = 1,
	CC_ATTEMPT = 2,
	CC_DEADLINE = 4,
	CC_BACKOFF = 8,
	CC_REDIRECTS = 16,
	CC_STICK = 32
};

struct client_args {
	unsigned mask; /* CC_*: what was given */
	struct client_config cc;
};

static bool client_parse(struct parser *p, struct cmd *c)
{
	struct client_args *a = c->args;
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
			a->mask |= CC_LATENCY;
			d = &a->cc.latency;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "attempt")) {
			a->mask |= CC_ATTEMPT;
			d = &a->cc.attempt_timeout;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "timeout")) {
			a->mask |= CC_DEADLINE;
			d = &a->cc.deadline;
		} else if (t->kind == TK_WORD && !strcmp(t->text, "backoff")) {
			a->mask |= CC_BACKOFF;
			d = &a->cc.backoff;
		} else if (t->kind == TK_WORD &&
			   (!strcmp(t->text, "redirects") || !strcmp(t->text, "stick"))) {
			bool *flag = t->text[0] == 'r' ? &a->cc.follow_redirects : &a->cc.stick;
			a->mask |= t->text[0] == 'r' ? CC_REDIRECTS : CC_STICK;
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

static int client_exec(struct exec_ctx *x)
{
	const struct client_args *a = x->args;
	struct client_config *cc = sim_client_config(x->w->sim);
	const struct client_config *n = &a->cc;
	unsigned m = a->mask;
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

static void client_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	static const char *const settings[] = {"latency", "attempt",   "timeout",
					       "backoff", "redirects", "stick"};
	(void)w;
	(void)words;
	(void)nw;
	for (size_t i = 0; i < ARRAY_LEN(settings); i++)
		comp_offer(k, settings[i]);
}

/* ---- workload [clients N] [rate R/s] [keys N] [mix ...] | stop ------------------- */

struct workload_args {
	struct workload_cfg wl; /* clients == 0: stop */
};

static bool wl_parse(struct parser *p, struct cmd *c)
{
	struct workload_args *a = c->args;
	if (p_accept_word(p, "stop"))
		return p_end(p);
	const struct token *first = p_peek(p);
	struct sbuf spec = {0}, e = {0};
	while (!p_at_end(p))
		sbuf_printf(&spec, "%s%s", spec.len ? " " : "", p_next(p)->text);
	bool ok = workload_parse(sbuf_str(&spec), &a->wl, &e);
	if (!ok)
		p_error(p, first, "%s", sbuf_str(&e));
	sbuf_free(&spec);
	sbuf_free(&e);
	return ok;
}

static int wl_exec(struct exec_ctx *x)
{
	const struct workload_args *a = x->args;
	struct world *w = x->w;
	for (int i = 0; i < w->nwl; i++)
		workload_stop(w->wl[i]);
	if (!a->wl.clients) {
		world_fault(w, -1, -1, "workload stop");
		return 0;
	}
	if (!sim_proto(w->sim)->kv_clients)
		return exec_fail(
		    x, x->c->col,
		    _("%s serves no key-value clients: a client workload does not apply "
		      "to it"),
		    sim_proto(w->sim)->name);
	w->wl = xrealloc(w->wl, (size_t)(w->nwl + 1) * sizeof *w->wl);
	w->wl[w->nwl++] = workload_start(w->sim, &a->wl);
	world_fault(w, -1, -1, x->c->src);
	return 0;
}

/* ---- the table ---------------------------------------------------------------------- */

const struct cmd_entry cmd_client_table[] = {
    {.info = {"put", "KEY VALUE [via NODE] [as CLIENT] [consistency=LEVEL]",
	      N_("a client writes KEY = VALUE"), "put x 1 via n3 as c2"},
     .size = sizeof(struct op_args),
     .parse = put_parse,
     .exec = op_exec,
     .complete = op_complete},
    {.info = {"get", "KEY [via NODE] [as CLIENT] [consistency=LEVEL|consistent]",
	      N_("a client reads KEY"), "get x via leader"},
     .size = sizeof(struct op_args),
     .parse = get_parse,
     .exec = op_exec,
     .complete = op_complete},
    {.info = {"cas", "KEY OLD NEW [via NODE] [as CLIENT] [consistency=LEVEL]",
	      N_("a client sets KEY to NEW if it holds OLD"), "cas x 1 \"two words\""},
     .size = sizeof(struct op_args),
     .parse = cas_parse,
     .exec = op_exec,
     .complete = op_complete},
    {.info = {"append", "KEY VALUE [via NODE] [as CLIENT] [consistency=LEVEL]",
	      N_("a client appends VALUE to KEY"), "append log a as c3"},
     .size = sizeof(struct op_args),
     .parse = append_parse,
     .exec = op_exec,
     .complete = op_complete},
    {.info = {"sync", "[via NODE] [as CLIENT]",
	      N_("zab: the client's server catches up with the leader, so that the client's "
		 "next read there sees every write completed before the sync"),
	      "sync via n3 as c1"},
     .size = sizeof(struct op_args),
     .parse = sync_parse,
     .exec = op_exec,
     .complete = op_complete},
    {.info = {"client",
	      "[latency D] [attempt D] [timeout D] [backoff D] [redirects on|off] [stick on|off]",
	      N_("client settings: latency, per-attempt timeout, deadline; stick on: retry only "
		 "the first node"),
	      "client latency 2ms attempt 300ms timeout 3s redirects off stick on"},
     .size = sizeof(struct client_args),
     .parse = client_parse,
     .exec = client_exec,
     .complete = client_complete},
    {.info = {"workload", "[clients N] [rate R/s] [keys N] [mix get:W,put:W,cas:W,append:W] | stop",
	      N_("clients that issue operations by themselves (e.g. workload clients 3 rate "
		 "20/s keys 2)"),
	      "workload clients 3 rate 20/s keys 2"},
     .size = sizeof(struct workload_args),
     .parse = wl_parse,
     .exec = wl_exec},
    {.info = {NULL, NULL, NULL, NULL}},
};

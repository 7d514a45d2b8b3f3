/*
 * pred.c — predicates: what `expect`, `run until` and lesson goals test.
 *
 *   pred := conj ("or" conj)*        conj := unary ("and" unary)*
 *   unary := "not" unary | "(" pred ")" | atom
 *   atom := NAME ARGS (parsed by the predicate's usage string)
 *
 * Built-in predicates see the whole world (leader, node states, links,
 * invariants); a protocol adds its own through proto_ops.preds. A predicate
 * about "the leader" is evaluated when asked, so `leader` always means the
 * leader of that moment.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- built-in predicates -------------------------------------------------- */

static void describe_leader(struct world *w, int l, struct sbuf *why)
{
	struct node_status st;
	struct node *n = sim_node(w->sim, l);
	sim_proto(w->sim)->status(n->self, &st);
	if (st.term >= 0)
		sbuf_printf(why, _("leader is %s (term %lld)"), n->name, (long long)st.term);
	else
		sbuf_printf(why, _("leader is %s"), n->name);
}

static bool g_leader(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int l = proto_leader(w->sim);
	if (l < 0) {
		sbuf_puts(why, _("no node is leader"));
		return false;
	}
	describe_leader(w, l, why);
	return !a->a[0].present || nodeset_has(&a->a[0].set, l);
}

static bool g_no_leader(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	bool none = true;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		struct node *n = sim_node(w->sim, i);
		if (!n->up || (a->a[0].present && !nodeset_has(&a->a[0].set, i)))
			continue;
		struct node_status st;
		sim_proto(w->sim)->status(n->self, &st);
		if (st.kind == ROLE_LEADER) {
			if (st.term >= 0)
				sbuf_printf(why, _("%s%s is leader (term %lld)"), none ? "" : ", ",
					    n->name, (long long)st.term);
			else
				sbuf_printf(why, _("%s%s is leader"), none ? "" : ", ", n->name);
			none = false;
		}
	}
	if (none)
		sbuf_puts(why, _("no leader"));
	return none;
}

static bool g_updown(struct world *w, const struct proto_args *a, struct sbuf *why, bool want)
{
	bool all = true;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		if (!nodeset_has(&a->a[0].set, i))
			continue;
		struct node *n = sim_node(w->sim, i);
		if (n->up != want) {
			sbuf_printf(why, "%s%s %s", all ? "" : ", ", n->name,
				    n->up ? _("is up") : _("is down"));
			all = false;
		}
	}
	if (all)
		sbuf_puts(why, want ? _("all up") : _("all down"));
	return all;
}

static bool g_up(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return g_updown(w, a, why, true);
}

static bool g_down(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return g_updown(w, a, why, false);
}

static bool g_role(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	struct node *n = sim_node(w->sim, a->a[0].node);
	if (!n->up) {
		sbuf_printf(why, _("%s is down"), n->name);
		return false;
	}
	struct node_status st;
	sim_proto(w->sim)->status(n->self, &st);
	const char *role = st.role ? st.role : "-";
	sbuf_printf(why, _("%s is %s"), n->name, role);
	return !strcasecmp(role, a->a[1].str);
}

static bool g_isolated(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int x = a->a[0].node;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		if (i == x)
			continue;
		if (sim_link_c(w->sim, x, i)->up || sim_link_c(w->sim, i, x)->up) {
			sbuf_printf(why, _("n%d and n%d still have a link"), x + 1, i + 1);
			return false;
		}
	}
	sbuf_printf(why, _("n%d is cut off from every node"), x + 1);
	return true;
}

static bool g_linked(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int x = a->a[0].node, y = a->a[1].node;
	bool xy = sim_link_c(w->sim, x, y)->up, yx = sim_link_c(w->sim, y, x)->up;
	sbuf_printf(why, _("n%d -> n%d %s, n%d -> n%d %s"), x + 1, y + 1, xy ? _("up") : _("cut"),
		    y + 1, x + 1, yx ? _("up") : _("cut"));
	return xy && yx;
}

static bool g_safe(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	const char *text;
	sim_time at;
	if (!w->inv || !invariants_of(sim_proto(w->sim))) {
		sbuf_printf(why, _("%s has no invariant checker"), sim_proto(w->sim)->name);
		return true;
	}
	if (inv_watch_ok(w->inv, &text, &at)) {
		sbuf_puts(why, _("every invariant held after every event"));
		return true;
	}
	char tb[32];
	sbuf_printf(why, _("violated at %s: %s"), simtime_fmt(at, tb, sizeof tb), text);
	return false;
}

static bool g_time(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	char tb[32];
	sbuf_printf(why, _("the time is %s"), simtime_fmt(sim_now(w->sim), tb, sizeof tb));
	return sim_now(w->sim) >= a->a[0].num;
}

static bool g_inflight(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int n = sim_inflight_count(w->sim);
	sbuf_printf(why, P_("%d message in flight", "%d messages in flight", n), n);
	return n >= a->a[0].num;
}

static bool g_leaders(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	int n = 0;
	for (int i = 0; i < sim_nodes(w->sim); i++) {
		struct node *nd = sim_node(w->sim, i);
		if (!nd->up)
			continue;
		struct node_status st;
		sim_proto(w->sim)->status(nd->self, &st);
		if (st.kind == ROLE_LEADER) {
			if (st.term >= 0)
				sbuf_printf(why, _("%s%s leads term %lld"), n ? ", " : "", nd->name,
					    (long long)st.term);
			else
				sbuf_printf(why, _("%s%s leads"), n ? ", " : "", nd->name);
			n++;
		}
	}
	if (!n)
		sbuf_puts(why, _("no node is leader"));
	return n >= a->a[0].num;
}

/* took >=|<= DURATION: how long the latest completed client operation took,
 * from invocation to completion. */
static bool g_took(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	char tb[32];
	const char *cmp = a->a[0].str;
	if (strcmp(cmp, ">=") && strcmp(cmp, "<=")) {
		sbuf_printf(why, _("expected >= or <= after took, got \"%s\""), cmp);
		return false;
	}
	if (w->last_took < 0) {
		sbuf_puts(why, _("no client operation has completed"));
		return false;
	}
	sbuf_printf(why, _("the latest operation took %s"), simtime_fmt_dur(w->last_took, tb, sizeof tb));
	return cmp[0] == '>' ? w->last_took >= a->a[1].num : w->last_took <= a->a[1].num;
}

/* ops WORD >= INT: completed client operations with that outcome. */
static bool g_ops(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	const char *word = a->a[0].str;
	int n;
	if (!strcmp(word, "ok"))
		n = w->ops[OUT_OK];
	else if (!strcmp(word, "fail"))
		n = w->ops[OUT_FAIL];
	else if (!strcmp(word, "unknown"))
		n = w->ops[OUT_UNKNOWN];
	else if (!strcmp(word, "failed"))
		n = w->ops[OUT_FAIL] + w->ops[OUT_UNKNOWN];
	else if (!strcmp(word, "done"))
		n = w->ops[OUT_OK] + w->ops[OUT_FAIL] + w->ops[OUT_UNKNOWN];
	else if (!strcmp(word, "pending"))
		n = sim_pending_count(w->sim);
	else {
		sbuf_printf(why,
			    _("no such outcome \"%s\" (ok, fail, unknown, failed, done, pending)"),
			    word);
		return false;
	}
	sbuf_printf(why, _("ok %d, fail %d, unknown %d, pending %d"), w->ops[OUT_OK],
		    w->ops[OUT_FAIL], w->ops[OUT_UNKNOWN], sim_pending_count(w->sim));
	return n >= a->a[1].num;
}

/* linearizable: the history of client operations so far has a
 * linearization (kv model, per key). The budget is in search steps, so the
 * answer is the same on any machine; when it runs out the predicate is
 * neither true nor false ("unknown"), and `not linearizable` fails too. */
static bool g_linearizable(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	struct lin_budget b = {.max_steps = 50000000};
	enum lin_verdict v = lin_check(w->lin, &b);
	int n = (int)w->hist->n;
	switch (v) {
	case LIN_OK:
		sbuf_printf(
		    why, P_("linearizable (%d operation)", "linearizable (%d operations)", n), n);
		return true;
	case LIN_VIOLATION: lin_explain(w->lin, &b, why); return false;
	default:
		sbuf_printf(why, _("unknown: the check ran out of budget over %d operations"), n);
		w->unknown = true;
		return false;
	}
}

const struct gpred gpreds[] = {
    {"leader", "[in NODES]",
     N_("some up node is leader (in NODES, when given); the leader with the highest term counts"),
     g_leader},
    {"no", "leader [among NODES]", N_("no up node (among NODES) is leader"), g_no_leader},
    {"up", "NODES", N_("every node named is up"), g_up},
    {"down", "NODES", N_("every node named is crashed"), g_down},
    {"role", "NODE WORD", N_("NODE's role is WORD (leader, follower, candidate, ...)"), g_role},
    {"isolated", "NODE", N_("every link to and from NODE is cut"), g_isolated},
    {"linked", "NODE NODE", N_("the link between two nodes works both ways"), g_linked},
    {"safe", NULL, N_("every invariant of the protocol has held after every event"), g_safe},
    {"time", "DURATION", N_("simulated time has reached DURATION"), g_time},
    {"inflight", ">= INT", N_("at least INT messages are on the wire"), g_inflight},
    {"leaders", ">= INT", N_("at least INT up nodes believe they are leader (split brain: 2)"),
     g_leaders},
    {"took", "WORD DURATION",
     N_("the latest completed client operation took >= or <= DURATION (took >= 100ms)"), g_took},
    {"linearizable", NULL,
     N_("the clients' history so far is linearizable (use `not linearizable` for the opposite)"),
     g_linearizable},
    {"ops", "WORD >= INT",
     N_("at least INT client operations ended ok, fail, unknown, failed (fail or unknown) or done; "
	"or are pending"),
     g_ops},
    {NULL, NULL, NULL, NULL},
};

/* The built-in predicates for help and completion. */
const struct cmd_info script_preds[] = {
    {"leader", "[in NODES]",
     N_("some up node is leader (in NODES, when given); the leader with the highest term counts")},
    {"no", "leader [among NODES]", N_("no up node (among NODES) is leader")},
    {"up", "NODES", N_("every node named is up")},
    {"down", "NODES", N_("every node named is crashed")},
    {"role", "NODE WORD", N_("NODE's role is WORD (leader, follower, candidate, ...)")},
    {"isolated", "NODE", N_("every link to and from NODE is cut")},
    {"linked", "NODE NODE", N_("the link between two nodes works both ways")},
    {"safe", "", N_("every invariant of the protocol has held after every event")},
    {"time", "DURATION", N_("simulated time has reached DURATION")},
    {"inflight", ">= INT", N_("at least INT messages are on the wire")},
    {"leaders", ">= INT", N_("at least INT up nodes believe they are leader (split brain: 2)")},
    {"took", ">=|<= DURATION",
     N_("the latest completed client operation took >= or <= DURATION (took >= 100ms)")},
    {"linearizable", "",
     N_("the clients' history so far is linearizable (use `not linearizable` for the opposite)")},
    {"ops", "WORD >= INT",
     N_("at least INT client operations ended ok, fail, unknown, failed (fail or unknown) or done; "
	"or are pending")},
    {NULL, NULL, NULL},
};

const struct gpred *gpred_find(const char *name)
{
	for (int i = 0; gpreds[i].name; i++)
		if (!strcmp(gpreds[i].name, name))
			return &gpreds[i];
	return NULL;
}

/* ---- parsing -------------------------------------------------------------- */

static bool is_stop(struct parser *p, const char *stop)
{
	return p_at_end(p) || (stop && p_is_word(p, stop)) || p_is_word(p, "and") ||
	       p_is_word(p, "or") || p_peek(p)->kind == TK_RPAREN;
}

static struct pred *p_or(struct parser *p, const char *stop);

static struct pred *new_pred(enum pred_kind k)
{
	struct pred *pr = xcalloc(1, sizeof *pr);
	pr->kind = k;
	return pr;
}

static struct pred *p_atom(struct parser *p, const char *stop)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (p_accept_word(p, "not")) {
		struct pred *x = p_atom(p, stop);
		if (!x)
			return NULL;
		struct pred *n = new_pred(PK_NOT);
		n->l = x;
		return n;
	}
	if (t->kind == TK_LPAREN) {
		p_next(p);
		struct pred *x = p_or(p, NULL);
		if (!x)
			return NULL;
		if (p_peek(p)->kind != TK_RPAREN) {
			p_error(p, p_peek(p), _("expected ), and or or, got %s"),
				p_got(p_peek(p), got, sizeof got));
			pred_free(x);
			return NULL;
		}
		p_next(p);
		return x;
	}
	if (t->kind != TK_WORD || is_stop(p, stop)) {
		p_error(
		    p, t,
		    _("expected a predicate like `leader` or `safe` (see `help expect`), got %s"),
		    p_got(t, got, sizeof got));
		return NULL;
	}
	struct pred *pr = new_pred(PK_LEAF);
	const struct proto_pred *pp = NULL;
	for (int i = 0; p->proto && p->proto->preds && p->proto->preds[i].name; i++)
		if (!strcmp(p->proto->preds[i].name, t->text))
			pp = &p->proto->preds[i];
	const struct gpred *g = pp ? NULL : gpred_find(t->text);
	if (!pp && !g) {
		p_error(p, t, _("unknown predicate %s (see `help expect`)"),
			p_got(t, got, sizeof got));
		free(pr);
		return NULL;
	}
	p_next(p);
	pr->pp = pp;
	pr->g = g;
	if (!p_usage(p, pp ? pp->usage : g->usage, &pr->args)) {
		free(pr);
		return NULL;
	}
	return pr;
}

static struct pred *p_conj(struct parser *p, const char *stop)
{
	struct pred *l = p_atom(p, stop);
	while (l && p_accept_word(p, "and")) {
		struct pred *r = p_atom(p, stop);
		if (!r) {
			pred_free(l);
			return NULL;
		}
		struct pred *n = new_pred(PK_AND);
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

static struct pred *p_or(struct parser *p, const char *stop)
{
	struct pred *l = p_conj(p, stop);
	while (l && p_accept_word(p, "or")) {
		struct pred *r = p_conj(p, stop);
		if (!r) {
			pred_free(l);
			return NULL;
		}
		struct pred *n = new_pred(PK_OR);
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

struct pred *p_pred(struct parser *p, const char *stop)
{
	int start = p->pos;
	struct pred *l = p_or(p, stop);
	if (!l)
		return NULL;
	struct sbuf b = {0};
	for (int i = start; i < p->pos; i++) {
		const struct token *t = &p->ln->tok[i];
		bool space = b.len && t->kind != TK_RPAREN && p->ln->tok[i - 1].kind != TK_LPAREN;
		sbuf_printf(&b, "%s", space ? " " : "");
		if (t->kind == TK_STRING)
			sbuf_printf(&b, "\"%s\"", t->text);
		else
			sbuf_puts(&b, t->text);
	}
	l->text = sbuf_take(&b);
	return l;
}

struct pred *pred_parse(const char *text, const char *file, int lineno, struct world *w,
			struct sbuf *err)
{
	return pred_parse_for(text, file, lineno, w && w->sim ? sim_proto(w->sim) : NULL, err);
}

struct pred *pred_parse_for(const char *text, const char *file, int lineno,
			    const struct proto_ops *proto, struct sbuf *err)
{
	struct line ln;
	if (!lex_line(text, lineno, &ln, file, err))
		return NULL;
	struct parser p = {.ln = &ln, .file = file, .lineno = lineno, .err = err, .proto = proto};
	struct pred *pr = p_pred(&p, NULL);
	if (pr && !p_at_end(&p)) {
		char got[80];
		p_error(&p, p_peek(&p), _("expected and, or or the end, got %s"),
			p_got(p_peek(&p), got, sizeof got));
		pred_free(pr);
		pr = NULL;
	}
	line_free(&ln);
	return pr;
}

void pred_free(struct pred *pr)
{
	if (!pr)
		return;
	pred_free(pr->l);
	pred_free(pr->r);
	pargs_free(&pr->args);
	free(pr->text);
	free(pr);
}

void pred_fmt(const struct pred *pr, struct sbuf *out)
{
	sbuf_puts(out, pr->text ? pr->text : "?");
}

/* ---- evaluation ------------------------------------------------------------ */

bool pred_eval(struct world *w, const struct pred *pr, struct sbuf *why)
{
	struct sbuf tmp = {0};
	struct sbuf *y = why ? why : &tmp;
	bool r = false;
	if (!w->sim) {
		sbuf_puts(y, _("no cluster yet"));
		sbuf_free(&tmp);
		return false;
	}
	switch (pr->kind) {
	case PK_NOT:
		w->unknown = false;
		r = !pred_eval(w, pr->l, y) && !w->unknown;
		break;
	case PK_AND:
		r = pred_eval(w, pr->l, y);
		if (r) {
			sbuf_puts(y, "; ");
			r = pred_eval(w, pr->r, y);
		}
		break;
	case PK_OR:
		r = pred_eval(w, pr->l, y);
		if (!r) {
			sbuf_puts(y, "; ");
			r = pred_eval(w, pr->r, y);
		}
		break;
	case PK_LEAF: {
		struct proto_args args;
		if (pr->pp && sim_proto(w->sim)->preds != NULL) {
			/* a protocol predicate parsed for another protocol is meaningless */
			bool mine = false;
			for (int i = 0; sim_proto(w->sim)->preds[i].name; i++)
				mine |= &sim_proto(w->sim)->preds[i] == pr->pp;
			if (!mine) {
				sbuf_printf(y, _("%s is not a predicate of %s"), pr->pp->name,
					    sim_proto(w->sim)->name);
				break;
			}
		} else if (pr->pp) {
			sbuf_printf(y, _("%s is not a predicate of %s"), pr->pp->name,
				    sim_proto(w->sim)->name);
			break;
		}
		if (!pargs_resolve(w, &pr->args, &args, y))
			break;
		r = pr->pp ? pr->pp->eval(w->sim, &args, y) : pr->g->eval(w, &args, y);
		break;
	}
	}
	sbuf_free(&tmp);
	return r;
}

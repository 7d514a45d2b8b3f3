/*
 * cmd_bind.c — names for what a run produced: `let NAME = EXPR` binds the
 * leader of the moment (or a node in a role, a random node, a term, a
 * commit index, a value a client read, the time), and `mark NAME` the
 * time and the messages sent so far (for `messages ... since NAME`). A
 * later command or predicate uses the binding as `$NAME`: `crash $L`,
 * `expect term leader > term $L`, `down $old`. One row each in
 * cmd_bind_table.
 *
 * A binding is evaluated when its command runs, and the command is
 * recorded like any other, so a replay evaluates it again at the same
 * simulated time and gets the same answer. `let X = random ...` draws from
 * the world's own generator, seeded from the cluster's seed, so it does
 * not disturb the simulator's random numbers. Bindings belong to a
 * cluster: a new `cluster` forgets them.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <string.h>
#include <strings.h>

enum let_kind {
	LET_NODE,   /* leader, n3, $X */
	LET_ROLE,   /* role WORD: the lowest up node in that role */
	LET_RANDOM, /* random [up|down|ROLE] */
	LET_TERM,   /* term NODE */
	LET_COMMIT, /* commit NODE */
	LET_NOW,    /* now (also `mark NAME`) */
	LET_GET,    /* get KEY [via NODE]: a client reads it, now */
};

struct let_args {
	char name[BIND_NAME_MAX];
	enum let_kind kind;
	struct noderef node; /* LET_NODE, LET_TERM, LET_COMMIT; LET_GET's via */
	bool has_via;
	char word[32];        /* LET_ROLE: the role; LET_RANDOM: "", up, down or a role */
	char key[KV_KEY_MAX]; /* LET_GET */
	int expr_col;
};

static bool p_name(struct parser *p, struct let_args *a)
{
	const struct token *t = p_peek(p);
	char got[80];
	const char *w = t->kind == TK_WORD ? t->text : "";
	if (w[0] == '$')
		w++; /* `let $L = ...` is forgiven */
	if (!bind_name_ok(w)) {
		p_error(p, t,
			_("expected a name like L or old_leader (a letter, then letters, digits, _ "
			  "or -), got %s"),
			p_got(t, got, sizeof got));
		return false;
	}
	ns_strlcpy(a->name, w, sizeof a->name);
	p_next(p);
	return true;
}

static bool let_parse(struct parser *p, struct cmd *c)
{
	struct let_args *a = c->args;
	char got[80];
	if (!p_name(p, a))
		return false;
	if (p_peek(p)->kind != TK_EQ) {
		p_error(p, p_peek(p), _("expected = after %s, got %s"), a->name,
			p_got(p_peek(p), got, sizeof got));
		return false;
	}
	p_next(p);
	const struct token *t = p_peek(p);
	a->expr_col = t->col;
	if (p_accept_word(p, "role")) {
		a->kind = LET_ROLE;
		return p_value(p, a->word, sizeof a->word, _("a role like follower")) && p_end(p);
	}
	if (p_accept_word(p, "random")) {
		a->kind = LET_RANDOM;
		if (!p_at_end(p) && !p_value(p, a->word, sizeof a->word, _("up, down or a role")))
			return false;
		return p_end(p);
	}
	if (p_accept_word(p, "term") || p_accept_word(p, "commit")) {
		a->kind = !strcmp(t->text, "term") ? LET_TERM : LET_COMMIT;
		return p_node(p, &a->node, false) && p_end(p);
	}
	if (p_accept_word(p, "now")) {
		a->kind = LET_NOW;
		return p_end(p);
	}
	if (p_accept_word(p, "get")) {
		a->kind = LET_GET;
		if (!p_value(p, a->key, sizeof a->key, _("a key")))
			return false;
		if (p_accept_word(p, "via")) {
			a->has_via = true;
			if (!p_node(p, &a->node, false))
				return false;
		}
		return p_end(p);
	}
	if (t->kind == TK_WORD && looks_like_node(t->text) && strcmp(t->text, "all") != 0) {
		a->kind = LET_NODE;
		return p_node(p, &a->node, false) && p_end(p);
	}
	p_error(p, t,
		_("expected what to bind: leader, a node, role WORD, random [up|down|ROLE], term "
		  "NODE, commit NODE, now or get KEY [via NODE]; got %s"),
		p_got(t, got, sizeof got));
	return false;
}

static void node_status_of(struct sim *s, int i, struct node_status *st)
{
	sim_proto(s)->status(sim_node(s, i)->self, st);
}

/* Does node i fit `random`'s filter ("" any, up, down, or a role)? */
static bool fits(struct sim *s, int i, const char *filter)
{
	struct node *n = sim_node(s, i);
	if (!filter[0])
		return true;
	if (!strcmp(filter, "up"))
		return n->up;
	if (!strcmp(filter, "down"))
		return !n->up;
	if (!n->up)
		return false;
	struct node_status st;
	node_status_of(s, i, &st);
	return st.role && !strcasecmp(st.role, filter);
}

/* The value a client reads for `let V = get KEY`: the completion seen by
 * a temporary observer. */
struct get_watch {
	uint32_t id;
	bool done;
	struct client_op op;
};

static void watch_get(void *ctx, const struct trace_event *ev)
{
	struct get_watch *g = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->id == g->id) {
		g->done = true;
		g->op = *ev->op;
	}
}

static bool get_done(void *ctx, struct sim *s)
{
	(void)s;
	return ((struct get_watch *)ctx)->done;
}

static int let_get(struct exec_ctx *x, const struct let_args *a, struct binding *b)
{
	struct sim *s = x->w->sim;
	int node = -1;
	if (!sim_proto(s)->kv_clients)
		return exec_fail(x, a->expr_col,
				 _("%s serves no key-value clients: there is nothing to get"),
				 sim_proto(s)->name);
	if (a->has_via && (node = exec_node(x, &a->node)) < 0)
		return -1;
	struct kv_op op = {.fn = KV_GET};
	ns_strlcpy(op.key, a->key, sizeof op.key);
	struct get_watch g = {0};
	int h = sim_observe(s, watch_get, &g);
	g.id = sim_client_invoke(s, sim_client_idle(s, 1), node, &op);
	/* the client gives up by its deadline; a little more for the reply */
	sim_time until = sim_now(s) + sim_client_config(s)->deadline + SIM_S;
	sim_run_while(s, until, get_done, &g);
	sim_unobserve(s, h);
	if (!g.done)
		return exec_refuse(x, a->expr_col, _("the read of %s did not complete"), a->key);
	if (g.op.outcome != OUT_OK)
		return exec_refuse(x, a->expr_col, _("the read of %s did not succeed: %s"), a->key,
				   g.op.why[0] ? g.op.why : op_outcome_str(g.op.outcome));
	b->kind = BIND_VALUE;
	b->found = g.op.found;
	ns_strlcpy(b->str, g.op.found ? g.op.result : "", sizeof b->str);
	return 0;
}

static int let_eval(struct exec_ctx *x, const struct let_args *a, struct binding *b)
{
	struct world *w = x->w;
	struct sim *s = w->sim;
	struct node_status st;
	int n;
	memset(b, 0, sizeof *b);
	switch (a->kind) {
	case LET_NODE:
		if ((n = exec_node(x, &a->node)) < 0)
			return -1;
		b->kind = BIND_NODE;
		b->num = n;
		return 0;
	case LET_ROLE:
		for (int i = 0; i < sim_nodes(s); i++)
			if (fits(s, i, a->word)) {
				b->kind = BIND_NODE;
				b->num = i;
				return 0;
			}
		return exec_refuse(x, a->expr_col, _("no up node is %s now"), a->word);
	case LET_RANDOM: {
		int cand[SIM_MAX_NODES], k = 0;
		for (int i = 0; i < sim_nodes(s); i++)
			if (fits(s, i, a->word))
				cand[k++] = i;
		if (!k)
			return exec_refuse(x, a->expr_col, _("no node is %s now"), a->word);
		b->kind = BIND_NODE;
		b->num = cand[rng_below(&w->rng, (uint64_t)k)];
		return 0;
	}
	case LET_TERM:
	case LET_COMMIT:
		if ((n = exec_node(x, &a->node)) < 0)
			return -1;
		node_status_of(s, n, &st);
		b->kind = BIND_INT;
		b->num = a->kind == LET_TERM ? st.term : st.commit;
		if (b->num < 0)
			return exec_refuse(x, a->expr_col,
					   a->kind == LET_TERM ? _("n%d has no term now")
							       : _("n%d has no commit index now"),
					   n + 1);
		return 0;
	case LET_NOW:
		b->kind = BIND_TIME;
		b->num = sim_now(s);
		b->counts = world_msg_snapshot(w);
		return 0;
	case LET_GET: return let_get(x, a, b);
	}
	return -1;
}

static int let_exec(struct exec_ctx *x)
{
	const struct let_args *a = x->args;
	struct binding b;
	if (let_eval(x, a, &b) < 0)
		return -1;
	char tb[32];
	struct sbuf v = {0};
	switch (b.kind) {
	case BIND_NODE: sbuf_printf(&v, "n%lld", (long long)b.num + 1); break;
	case BIND_INT: sbuf_printf(&v, "%lld", (long long)b.num); break;
	case BIND_VALUE:
		if (b.found)
			sbuf_puts(&v, b.str);
		else
			sbuf_puts(&v, _("(absent)"));
		break;
	case BIND_TIME: sbuf_puts(&v, simtime_fmt(b.num, tb, sizeof tb)); break;
	}
	world_bind(x->w, a->name, &b);
	sim_note(x->w->sim, TR_NOTE, -1, -1, "$%s = %s (%s)", a->name, sbuf_str(&v), x->c->src);
	sbuf_free(&v);
	return 0;
}

/* let NAME = |: what may be bound; let NAME = term|commit|get ... |: nodes */
static void let_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	static const char *const exprs[] = {"leader", "role", "random", "term",
					    "commit", "now",  "get"};
	if (nw == 3) {
		for (size_t i = 0; i < ARRAY_LEN(exprs); i++)
			comp_offer(k, exprs[i]);
		comp_nodes(k, w);
	} else if (nw == 4 && (!strcmp(words[3], "term") || !strcmp(words[3], "commit"))) {
		comp_nodes(k, w);
	} else if (nw == 4 && !strcmp(words[3], "random")) {
		comp_offer(k, "up");
		comp_offer(k, "down");
		comp_offer(k, "follower");
	} else if (nw >= 5 && !strcmp(words[nw - 1], "via")) {
		comp_nodes(k, w);
	}
}

/* ---- mark NAME ------------------------------------------------------------------- */

static bool mark_parse(struct parser *p, struct cmd *c)
{
	struct let_args *a = c->args;
	a->kind = LET_NOW;
	return p_name(p, a) && p_end(p);
}

const struct cmd_entry cmd_bind_table[] = {
    {.info = {"let",
	      "NAME = leader|NODE|role WORD|random [up|down|ROLE]|term NODE|commit NODE|now|get "
	      "KEY [via NODE]",
	      N_("bind a name to what the run produced now (the leader, a term, a value read, "
		 "...); use it later as $NAME"),
	      "let L = leader"},
     .size = sizeof(struct let_args),
     .parse = let_parse,
     .exec = let_exec,
     .complete = let_complete},
    {.info = {"mark", "NAME",
	      N_("remember this moment and the messages sent so far, for `messages ... since "
		 "NAME`"),
	      "mark t"},
     .size = sizeof(struct let_args),
     .parse = mark_parse,
     .exec = let_exec},
    {.info = {NULL, NULL, NULL, NULL}},
};

/*
 * pred.c — predicates: what `expect`, `run until` and lesson goals test.
 *
 *   pred := conj ("or" conj)*        conj := unary ("and" unary)*
 *   unary := "not" unary | "(" pred ")" | atom
 *   atom := NAME ARGS (parsed by the predicate's usage string)
 *
 * The built-in predicates are rows of the tables in pred_cluster.c and
 * pred_check.c (name, usage, help, example, eval); they see the whole
 * world. A protocol adds its own through proto_ops.preds, and its checker
 * through its row of the check layer's table (caps.h). A predicate
 * about "the leader" is evaluated when asked, so `leader` always means the
 * leader of that moment.
 *
 * An and/or chain is one flat node, parsed by a loop and evaluated by a
 * loop, whatever its length; only `not` and parentheses nest, and at most
 * SCRIPT_PRED_MAX_DEPTH deep (deeper is a parse error at the token that
 * goes past it), so neither parsing, evaluating nor freeing a predicate
 * from a file can exhaust the stack.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- the table of built-in predicates ------------------------------------------ */

extern const struct pred_entry pred_cluster_table[];
extern const struct pred_entry pred_check_table[];

/* Each family's table ends with a row whose name is NULL. */
static const struct pred_entry *const families[] = {
    pred_cluster_table, /* leader, no, up, down, role, isolated, linked, time, inflight, leaders */
    pred_check_table,   /* safe, took, linearizable, ops */
};

const struct pred_entry *pred_entry_at(int i)
{
	if (i < 0)
		return NULL;
	for (size_t f = 0; f < ARRAY_LEN(families); f++)
		for (const struct pred_entry *e = families[f]; e->info.name; e++)
			if (i-- == 0)
				return e;
	return NULL;
}

const struct pred_entry *pred_find(const char *name)
{
	for (size_t f = 0; f < ARRAY_LEN(families); f++)
		for (const struct pred_entry *e = families[f]; e->info.name; e++)
			if (!strcmp(e->info.name, name))
				return e;
	return NULL;
}

const struct cmd_info *script_pred(int i)
{
	const struct pred_entry *e = pred_entry_at(i);
	return e ? &e->info : NULL;
}

const struct proto_pred *script_proto_pred(const struct proto_ops *p, int i)
{
	if (!p || i < 0)
		return NULL;
	for (int k = 0; p->preds && p->preds[k].name; k++)
		if (i-- == 0)
			return &p->preds[k];
	const struct check_caps *c = check_caps_of(p);
	for (int k = 0; c && c->preds && c->preds[k].info.name; k++)
		if (i-- == 0)
			return &c->preds[k].info;
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

static void add_kid(struct pred *n, struct pred *kid, size_t *cap)
{
	xgrow((void **)&n->kid, cap, (size_t)n->nkids + 1, sizeof *n->kid);
	n->kid[n->nkids++] = kid;
}

/* Enters one more level of `not` or parentheses at token t, or says why
 * not. The caller leaves it (p->depth--) whatever happens inside. */
static bool deeper(struct parser *p, const struct token *t)
{
	if (p->depth < SCRIPT_PRED_MAX_DEPTH) {
		p->depth++;
		return true;
	}
	p_error(p, t, _("nested too deeply: at most %d levels of `not` and parentheses"),
		SCRIPT_PRED_MAX_DEPTH);
	return false;
}

static struct pred *p_atom(struct parser *p, const char *stop)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (p_is_word(p, "not")) {
		if (!deeper(p, t))
			return NULL;
		p_next(p);
		struct pred *x = p_atom(p, stop);
		p->depth--;
		if (!x)
			return NULL;
		struct pred *n = new_pred(PK_NOT);
		size_t cap = 0;
		add_kid(n, x, &cap);
		return n;
	}
	if (t->kind == TK_LPAREN) {
		if (!deeper(p, t))
			return NULL;
		p_next(p);
		struct pred *x = p_or(p, NULL);
		p->depth--;
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
	const struct check_pred *cp = pp || !p->proto ? NULL : check_pred_find(p->proto, t->text);
	const struct pred_entry *g = pp || cp ? NULL : pred_find(t->text);
	if (!pp && !cp && !g) {
		p_error(p, t, _("unknown predicate %s (see `help expect`)"),
			p_got(t, got, sizeof got));
		free(pr);
		return NULL;
	}
	p_next(p);
	pr->pp = pp;
	pr->cp = cp;
	pr->g = g;
	if (!p_usage(p, pp ? pp->usage : cp ? cp->info.usage : g->info.usage, &pr->args)) {
		free(pr);
		return NULL;
	}
	return pr;
}

/* unary ("and" unary)*, or conj ("or" conj)*: one flat node of all the
 * operands (or the only one), built by a loop. */
static struct pred *p_chain(struct parser *p, const char *stop, enum pred_kind kind)
{
	const char *op = kind == PK_AND ? "and" : "or";
	struct pred *first = kind == PK_AND ? p_atom(p, stop) : p_chain(p, stop, PK_AND);
	if (!first || !p_is_word(p, op))
		return first;
	struct pred *n = new_pred(kind);
	size_t cap = 0;
	add_kid(n, first, &cap);
	while (p_accept_word(p, op)) {
		struct pred *next = kind == PK_AND ? p_atom(p, stop) : p_chain(p, stop, PK_AND);
		if (!next) {
			pred_free(n);
			return NULL;
		}
		add_kid(n, next, &cap);
	}
	return n;
}

static struct pred *p_or(struct parser *p, const char *stop)
{
	return p_chain(p, stop, PK_OR);
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
		if (t->kind == TK_STRING) {
			/* Quoted again as the lexer reads it: \" and \\ escaped, so
			 * the canonical text parses back to the same predicate. */
			sbuf_putc(&b, '"');
			for (const char *c = t->text; *c; c++) {
				if (*c == '"' || *c == '\\')
					sbuf_putc(&b, '\\');
				sbuf_putc(&b, *c);
			}
			sbuf_putc(&b, '"');
		} else
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
	for (int i = 0; i < pr->nkids; i++)
		pred_free(pr->kid[i]);
	free(pr->kid);
	pargs_free(&pr->args);
	free(pr->text);
	free(pr);
}

void pred_fmt(const struct pred *pr, struct sbuf *out)
{
	sbuf_puts(out, pr->text ? pr->text : "?");
}

/* ---- evaluation ------------------------------------------------------------ */

static bool eval_leaf(struct world *w, const struct pred *pr, struct sbuf *y)
{
	struct proto_args args;
	if (pr->pp) {
		/* a protocol predicate parsed for another protocol is meaningless */
		bool mine = false;
		for (int i = 0; sim_proto(w->sim)->preds && sim_proto(w->sim)->preds[i].name; i++)
			mine |= &sim_proto(w->sim)->preds[i] == pr->pp;
		if (!mine) {
			sbuf_printf(y, _("%s is not a predicate of %s"), pr->pp->name,
				    sim_proto(w->sim)->name);
			return false;
		}
	}
	if (pr->cp && check_pred_find(sim_proto(w->sim), pr->cp->info.name) != pr->cp) {
		sbuf_printf(y, _("%s is not a predicate of %s"), pr->cp->info.name,
			    sim_proto(w->sim)->name);
		return false;
	}
	int rc = pargs_resolve(w, &pr->args, &args, y);
	if (rc == RES_ERROR)
		w->pred_error = true; /* names nothing: `expect` makes it an error */
	if (rc < 0)
		return false;
	if (pr->cp)
		return pr->cp->eval(inv_watch_checker(w->inv), w->sim, &args, y);
	return pr->pp ? pr->pp->eval(w->sim, &args, y) : pr->g->eval(w, &args, y);
}

/* Recurses only into `not` and parentheses: no deeper than the parser
 * allowed. */
static bool eval(struct world *w, const struct pred *pr, struct sbuf *y)
{
	bool r = false;
	switch (pr->kind) {
	case PK_NOT:
		w->unknown = false;
		r = !eval(w, pr->kid[0], y) && !w->unknown;
		break;
	case PK_AND:
	case PK_OR:
		/* and: up to the first false operand; or: up to the first true */
		for (int i = 0; i < pr->nkids; i++) {
			if (i)
				sbuf_puts(y, "; ");
			r = eval(w, pr->kid[i], y);
			if (r == (pr->kind == PK_OR))
				break;
		}
		break;
	case PK_LEAF: r = eval_leaf(w, pr, y); break;
	}
	return r;
}

bool pred_eval(struct world *w, const struct pred *pr, struct sbuf *why)
{
	struct sbuf tmp = {0};
	struct sbuf *y = why ? why : &tmp;
	bool r = false;
	if (!w->sim)
		sbuf_puts(y, _("no cluster yet"));
	else
		r = eval(w, pr, y);
	sbuf_free(&tmp);
	return r;
}

/*
 * lex.c — the command language's lexer and the parser's small helpers:
 * tokens, error reporting with file:line:col, node references and
 * usage-driven argument parsing (the usage strings of proto.h).
 *
 * A command is one line. `#` starts a comment (outside quotes). Words run
 * up to white space or one of the symbols `|`, `=`, `->`, `(` and `)`;
 * "quoted text" may hold spaces.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_tok(struct line *l, enum tok_kind k, const char *s, size_t n, int col)
{
	xgrow((void **)&l->tok, &l->cap, (size_t)l->ntok + 1, sizeof *l->tok);
	l->tok[l->ntok].kind = k;
	l->tok[l->ntok].text = xstrndup(s, n);
	l->tok[l->ntok].col = col;
	l->ntok++;
}

bool lex_line(const char *text, int lineno, struct line *out, const char *file, struct sbuf *err)
{
	memset(out, 0, sizeof *out);
	out->lineno = lineno;
	const char *p = text;
	const char *last = text; /* end of the last token, for src */
	const char *first = NULL;
	while (*p) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '#')
			break;
		int col = (int)(p - text) + 1;
		if (!first)
			first = p;
		if (*p == '|') {
			add_tok(out, TK_PIPE, p, 1, col);
			p++;
		} else if ((p[0] == '>' || p[0] == '<' || p[0] == '!') && p[1] == '=') {
			/* comparison words: >=, <=, != (not a word followed by =) */
			add_tok(out, TK_WORD, p, 2, col);
			p += 2;
		} else if (*p == '=') {
			add_tok(out, TK_EQ, p, 1, col);
			p++;
		} else if (*p == '(' || *p == ')') {
			add_tok(out, *p == '(' ? TK_LPAREN : TK_RPAREN, p, 1, col);
			p++;
		} else if (p[0] == '-' && p[1] == '>') {
			add_tok(out, TK_ARROW, p, 2, col);
			p += 2;
		} else if (*p == '"') {
			struct sbuf b = {0};
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				sbuf_putc(&b, *p++);
			}
			if (*p != '"') {
				if (file)
					sbuf_printf(err, "%s:", file);
				sbuf_printf(err,
					    _("%d:%d: unterminated string: expected a closing \""),
					    lineno, col);
				sbuf_free(&b);
				line_free(out);
				return false;
			}
			p++;
			add_tok(out, TK_STRING, sbuf_str(&b), b.len, col);
			sbuf_free(&b);
		} else if ((unsigned char)*p < 0x20) {
			if (file)
				sbuf_printf(err, "%s:", file);
			sbuf_printf(err, _("%d:%d: unexpected control character (code %d)"), lineno,
				    col, *p);
			line_free(out);
			return false;
		} else {
			const char *s = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '|' &&
			       *p != '=' && *p != '#' && *p != '"' && *p != '(' && *p != ')' &&
			       !(p[0] == '-' && p[1] == '>'))
				p++;
			add_tok(out, TK_WORD, s, (size_t)(p - s), col);
		}
		last = p;
	}
	out->src = first ? xstrndup(first, (size_t)(last - first)) : xstrdup("");
	add_tok(out, TK_END, "", 0, (int)(last - text) + 1);
	return true;
}

void line_free(struct line *l)
{
	for (int i = 0; i < l->ntok; i++)
		free(l->tok[i].text);
	free(l->tok);
	free(l->src);
	memset(l, 0, sizeof *l);
}

/* ---- parser helpers --------------------------------------------------------- */

const struct token *p_peek(struct parser *p)
{
	return &p->ln->tok[p->pos];
}

const struct token *p_next(struct parser *p)
{
	const struct token *t = &p->ln->tok[p->pos];
	if (t->kind != TK_END)
		p->pos++;
	return t;
}

bool p_at_end(struct parser *p)
{
	return p_peek(p)->kind == TK_END;
}

bool p_is_word(struct parser *p, const char *word)
{
	const struct token *t = p_peek(p);
	return t->kind == TK_WORD && !strcmp(t->text, word);
}

bool p_accept_word(struct parser *p, const char *word)
{
	if (!p_is_word(p, word))
		return false;
	p->pos++;
	return true;
}

void p_error(struct parser *p, const struct token *t, const char *fmt, ...)
{
	if (p->err->len)
		return; /* the first error is the one that matters */
	if (p->file)
		sbuf_printf(p->err, "%s:", p->file);
	sbuf_printf(p->err, "%d:%d: ", p->lineno, t ? t->col : 1);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(p->err, fmt, ap);
	va_end(ap);
}

const char *p_got(const struct token *t, char *buf, size_t n)
{
	if (t->kind == TK_END)
		ns_snprintf(buf, n, "%s", _("the end of the line"));
	else
		ns_snprintf(buf, n, "\"%s\"", t->text);
	return buf;
}

/* ---- nodes ----------------------------------------------------------------- */

static bool parse_node_name(const char *s, int *index)
{
	if (s[0] != 'n' || !isdigit((unsigned char)s[1]))
		return false;
	char *end;
	long v = strtol(s + 1, &end, 10);
	if (*end || v < 1 || v > SIM_MAX_NODES)
		return false;
	*index = (int)v - 1;
	return true;
}

bool bind_name_ok(const char *name)
{
	if (!isalpha((unsigned char)name[0]) && name[0] != '_')
		return false;
	size_t n = 0;
	for (const char *q = name; *q; q++, n++)
		if (!isalnum((unsigned char)*q) && *q != '_' && *q != '-')
			return false;
	return n < BIND_NAME_MAX;
}

bool is_var_ref(const char *word, char out[BIND_NAME_MAX])
{
	if (word[0] != '$' || !bind_name_ok(word + 1))
		return false;
	ns_strlcpy(out, word + 1, BIND_NAME_MAX);
	return true;
}

bool looks_like_node(const char *w)
{
	int i;
	char var[BIND_NAME_MAX];
	if (!strcmp(w, "leader") || !strcmp(w, "all") || is_var_ref(w, var))
		return true;
	const char *dots = strstr(w, "..");
	if (dots) {
		char a[16];
		size_t n = (size_t)(dots - w);
		if (n >= sizeof a)
			return false;
		memcpy(a, w, n);
		a[n] = '\0';
		return parse_node_name(a, &i) && parse_node_name(dots + 2, &i);
	}
	return w[0] == 'n' && isdigit((unsigned char)w[1]);
}

bool p_node(struct parser *p, struct noderef *out, bool allow_all)
{
	const struct token *t = p_peek(p);
	char got[80];
	out->col = t->col;
	out->var[0] = '\0';
	if (t->kind == TK_WORD) {
		if (is_var_ref(t->text, out->var)) {
			out->index = out->hi = NREF_VAR;
			p_next(p);
			return true;
		}
		if (!strcmp(t->text, "leader")) {
			out->index = out->hi = NREF_LEADER;
			p_next(p);
			return true;
		}
		if (allow_all && !strcmp(t->text, "all")) {
			out->index = out->hi = NREF_ALL;
			p_next(p);
			return true;
		}
		const char *dots = strstr(t->text, "..");
		if (allow_all && dots) {
			char a[16];
			size_t n = (size_t)(dots - t->text);
			if (n < sizeof a) {
				memcpy(a, t->text, n);
				a[n] = '\0';
				if (parse_node_name(a, &out->index) &&
				    parse_node_name(dots + 2, &out->hi) && out->hi >= out->index) {
					p_next(p);
					return true;
				}
			}
		}
		if (parse_node_name(t->text, &out->index)) {
			out->hi = out->index;
			p_next(p);
			return true;
		}
	}
	if (allow_all)
		p_error(p, t,
			_("expected a node like n1, a range like n1..n3, `leader`, `all` or $NAME, "
			  "got %s"),
			p_got(t, got, sizeof got));
	else
		p_error(p, t, _("expected a node like n1, `leader` or $NAME, got %s"),
			p_got(t, got, sizeof got));
	return false;
}

bool p_nodes(struct parser *p, struct noderefs *out)
{
	memset(out, 0, sizeof *out);
	do {
		struct noderef r;
		if (!p_node(p, &r, true)) {
			noderefs_free(out);
			return false;
		}
		out->v = xrealloc(out->v, (size_t)(out->n + 1) * sizeof *out->v);
		out->v[out->n++] = r;
	} while (p_peek(p)->kind == TK_WORD && looks_like_node(p_peek(p)->text) &&
		 strcmp(p_peek(p)->text, "all") != 0);
	return true;
}

void noderefs_free(struct noderefs *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* ---- usage-driven arguments ---------------------------------------------------- */

static const char *usage_item(const char *u, char *item, size_t n)
{
	while (*u == ' ')
		u++;
	if (!*u)
		return NULL;
	size_t k = 0;
	if (*u == '[' || *u == ']') {
		item[k++] = *u++;
	} else {
		while (*u && *u != ' ' && *u != '[' && *u != ']' && k + 1 < n)
			item[k++] = *u++;
	}
	item[k] = '\0';
	return u;
}

/* Skips an optional group: u is just past its '['. */
static const char *skip_group(const char *u)
{
	int depth = 1;
	for (; *u && depth; u++) {
		if (*u == '[')
			depth++;
		else if (*u == ']')
			depth--;
	}
	return u;
}

static bool is_placeholder(const char *item)
{
	return isupper((unsigned char)item[0]);
}

/* A literal item with alternatives, ">=|<=": does the word match one? */
static bool is_choice(const char *item)
{
	return !is_placeholder(item) && item[0] != '|' && strchr(item, '|');
}

static bool choice_has(const char *item, const char *word)
{
	size_t n = strlen(word);
	for (const char *q = item; *q;) {
		size_t l = strcspn(q, "|");
		if (l == n && !strncmp(q, word, n))
			return true;
		q += l;
		if (*q == '|')
			q++;
	}
	return false;
}

/* The next argument slot, zeroed; NULL past PROTO_MAX_ARGS. */
static struct parg *parg_add(struct pargs *out)
{
	if (out->n >= PROTO_MAX_ARGS)
		return NULL;
	if (out->n == out->cap) {
		int cap = out->cap ? MIN(out->cap * 2, PROTO_MAX_ARGS) : 1;
		out->a = xrealloc(out->a, (size_t)cap * sizeof *out->a);
		out->cap = cap;
	}
	struct parg *a = &out->a[out->n++];
	memset(a, 0, sizeof *a);
	return a;
}

/* Marks every placeholder in a skipped optional group as absent. */
static void absent_group(const char *u, const char *end, struct pargs *out)
{
	char item[32];
	while (u < end && (u = usage_item(u, item, sizeof item)) && u <= end) {
		enum arg_kind k;
		if (!strcmp(item, "NODE"))
			k = ARG_NODE;
		else if (!strcmp(item, "NODES"))
			k = ARG_NODES;
		else if (!strcmp(item, "KEY"))
			k = ARG_KEY;
		else if (!strcmp(item, "VALUE"))
			k = ARG_VALUE;
		else if (!strcmp(item, "WORD") || is_choice(item))
			k = ARG_WORD;
		else if (!strcmp(item, "INT"))
			k = ARG_INT;
		else if (!strcmp(item, "DURATION"))
			k = ARG_DURATION;
		else
			continue;
		struct parg *a = parg_add(out);
		if (a)
			a->kind = k; /* present = false */
	}
}

/* Does the first item of an optional group match what is next? */
static bool group_starts(struct parser *p, const char *u)
{
	char item[32];
	if (!usage_item(u, item, sizeof item))
		return false;
	const struct token *t = p_peek(p);
	if (t->kind == TK_END)
		return false;
	if (is_choice(item))
		return (t->kind == TK_WORD && choice_has(item, t->text)) ||
		       (t->kind == TK_EQ && choice_has(item, "="));
	if (!is_placeholder(item))
		return (t->kind == TK_EQ && !strcmp(item, "=")) ||
		       (t->kind == TK_WORD && !strcmp(item, t->text));
	if (!strcmp(item, "NODE") || !strcmp(item, "NODES"))
		return t->kind == TK_WORD && looks_like_node(t->text);
	/* an optional number starts like one (or is a binding), so that
	 * `run until term n1 > term n2 timeout 5s` stops before `timeout` */
	if (!strcmp(item, "INT") || !strcmp(item, "DURATION"))
		return t->kind == TK_WORD &&
		       (isdigit((unsigned char)t->text[0]) || t->text[0] == '$' ||
			(t->text[0] == '-' && isdigit((unsigned char)t->text[1])));
	return t->kind == TK_WORD || t->kind == TK_STRING;
}

static bool parse_items(struct parser *p, const char *u, const char *end, struct pargs *out)
{
	char item[32], got[80];
	const char *next;
	while (u < end && (next = usage_item(u, item, sizeof item)) && next <= end) {
		u = next;
		if (!strcmp(item, "[")) {
			const char *gend = skip_group(u);
			if (group_starts(p, u)) {
				if (!parse_items(p, u, gend - 1, out))
					return false;
			} else {
				absent_group(u, gend - 1, out);
			}
			u = gend;
			continue;
		}
		if (!strcmp(item, "]"))
			continue;
		const struct token *t = p_peek(p);
		if (is_choice(item)) {
			/* one of the words, kept as a WORD argument */
			bool eq = t->kind == TK_EQ && choice_has(item, "=");
			if (!eq && (t->kind != TK_WORD || !choice_has(item, t->text))) {
				p_error(p, t, _("expected one of %s, got %s"), item,
					p_got(t, got, sizeof got));
				return false;
			}
			struct parg *a = parg_add(out);
			if (!a) {
				p_error(p, t, "%s", _("too many arguments"));
				return false;
			}
			a->present = true;
			a->kind = ARG_WORD;
			ns_strlcpy(a->str, t->text, sizeof a->str);
			p_next(p);
			continue;
		}
		if (!is_placeholder(item)) {
			bool ok = (!strcmp(item, "=") && t->kind == TK_EQ) ||
				  (t->kind == TK_WORD && !strcmp(t->text, item));
			if (!ok) {
				p_error(p, t, _("expected \"%s\", got %s"), item,
					p_got(t, got, sizeof got));
				return false;
			}
			p_next(p);
			continue;
		}
		struct parg *a = parg_add(out);
		if (!a) {
			p_error(p, t, "%s", _("too many arguments"));
			return false;
		}
		a->present = true;
		/* $NAME for a number, a duration, a key or a value: the binding,
		 * looked up when the predicate or command runs */
		bool by_var = strcmp(item, "NODE") && strcmp(item, "NODES") &&
			      strcmp(item, "WORD") && t->kind == TK_WORD &&
			      is_var_ref(t->text, a->var);
		if (by_var) {
			a->kind = !strcmp(item, "INT")        ? ARG_INT
				  : !strcmp(item, "DURATION") ? ARG_DURATION
				  : !strcmp(item, "KEY")      ? ARG_KEY
							      : ARG_VALUE;
			p_next(p);
		} else if (!strcmp(item, "NODE")) {
			a->kind = ARG_NODE;
			a->nodes.v = xmalloc(sizeof *a->nodes.v);
			a->nodes.n = 1;
			if (!p_node(p, &a->nodes.v[0], false))
				return false;
		} else if (!strcmp(item, "NODES")) {
			a->kind = ARG_NODES;
			if (!p_nodes(p, &a->nodes))
				return false;
		} else if (!strcmp(item, "INT")) {
			a->kind = ARG_INT;
			char *e;
			if (t->kind != TK_WORD || (a->num = strtoll(t->text, &e, 10), *e) ||
			    !t->text[0]) {
				p_error(p, t, _("expected a whole number, got %s"),
					p_got(t, got, sizeof got));
				return false;
			}
			p_next(p);
		} else if (!strcmp(item, "DURATION")) {
			a->kind = ARG_DURATION;
			if (t->kind != TK_WORD || !simtime_parse(t->text, &a->num, 0)) {
				p_error(p, t, _("expected a duration like 500ms, got %s"),
					p_got(t, got, sizeof got));
				return false;
			}
			p_next(p);
		} else {
			a->kind = !strcmp(item, "KEY")     ? ARG_KEY
				  : !strcmp(item, "VALUE") ? ARG_VALUE
							   : ARG_WORD;
			size_t max = a->kind == ARG_KEY ? KV_KEY_MAX : KV_VAL_MAX;
			if (t->kind != TK_WORD && t->kind != TK_STRING) {
				p_error(p, t, _("expected %s, got %s"),
					a->kind == ARG_KEY     ? _("a key")
					: a->kind == ARG_VALUE ? _("a value")
							       : _("a word"),
					p_got(t, got, sizeof got));
				return false;
			}
			if (strlen(t->text) >= max) {
				p_error(p, t, _("too long: at most %zu characters"), max - 1);
				return false;
			}
			ns_strlcpy(a->str, t->text, sizeof a->str);
			p_next(p);
		}
	}
	return true;
}

bool p_usage(struct parser *p, const char *usage, struct pargs *out)
{
	memset(out, 0, sizeof *out);
	if (!usage)
		return true;
	if (!parse_items(p, usage, usage + strlen(usage), out)) {
		pargs_free(out);
		return false;
	}
	return true;
}

void pargs_free(struct pargs *a)
{
	for (int i = 0; i < a->n; i++)
		noderefs_free(&a->a[i].nodes);
	free(a->a);
	a->a = NULL;
	a->n = a->cap = 0;
}

/* A $NAME argument's value, by the kind of argument. */
static int resolve_var(struct world *w, const struct parg *a, struct arg *o, struct sbuf *why)
{
	const struct binding *b = world_binding(w, a->var);
	if (!b) {
		sbuf_printf(why, _("$%s is not bound: bind it first (let %s = ...)"), a->var,
			    a->var);
		return RES_ERROR;
	}
	bool number = a->kind == ARG_INT || a->kind == ARG_DURATION;
	if (number) {
		bool fits = a->kind == ARG_INT ? b->kind == BIND_INT : b->kind == BIND_TIME;
		if (!fits) {
			sbuf_printf(why,
				    a->kind == ARG_INT
					? _("$%s is not a number")
					: _("$%s is not a time (mark it, or let %s = now)"),
				    a->var, a->var);
			return RES_ERROR;
		}
		o->num = b->num;
		return RES_OK;
	}
	switch (b->kind) {
	case BIND_NODE: ns_snprintf(o->str, sizeof o->str, "n%lld", (long long)b->num + 1); break;
	case BIND_INT: ns_snprintf(o->str, sizeof o->str, "%lld", (long long)b->num); break;
	case BIND_VALUE: ns_strlcpy(o->str, b->str, sizeof o->str); break;
	case BIND_TIME: simtime_fmt(b->num, o->str, sizeof o->str); break;
	}
	if (a->kind == ARG_KEY && strlen(o->str) >= KV_KEY_MAX) {
		sbuf_printf(why, _("$%s is too long for a key"), a->var);
		return RES_ERROR;
	}
	return RES_OK;
}

int pargs_resolve(struct world *w, const struct pargs *in, struct proto_args *out, struct sbuf *why)
{
	memset(out, 0, sizeof *out);
	out->n = in->n;
	for (int i = 0; i < in->n; i++) {
		const struct parg *a = &in->a[i];
		struct arg *o = &out->a[i];
		o->kind = a->kind;
		o->present = a->present;
		o->num = a->num;
		ns_strlcpy(o->str, a->str, sizeof o->str);
		if (!a->present)
			continue;
		if (a->var[0]) {
			int rc = resolve_var(w, a, o, why);
			if (rc < 0)
				return rc;
		} else if (a->kind == ARG_NODE) {
			o->node = world_node(w, &a->nodes.v[0], why);
			if (o->node < 0)
				return o->node;
		} else if (a->kind == ARG_NODES) {
			int rc = world_nodes(w, &a->nodes, &o->set, why);
			if (rc < 0)
				return rc;
		}
	}
	return RES_OK;
}

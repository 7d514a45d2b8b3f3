/*
 * cmd_expect.c — `expect PRED`: checks a predicate now. The result is a
 * trace event (TR_EXPECT) and counts in the world's tally; a failed expect
 * does not stop the script. The predicates themselves are rows of
 * src/script/pred_*.c (and of the protocol's table).
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct expect_args {
	struct pred *pred;
};

static bool expect_parse(struct parser *p, struct cmd *c)
{
	struct expect_args *a = c->args;
	a->pred = p_pred(p, NULL);
	return a->pred && p_end(p);
}

static int expect_exec(struct exec_ctx *x)
{
	const struct expect_args *a = x->args;
	struct world *w = x->w;
	struct sbuf why = {0}, text = {0};
	w->pred_error = false;
	bool ok = pred_eval(w, a->pred, &why);
	if (w->pred_error) {
		/* input that names nothing (no node n9, an unbound $X): exit 2 */
		w->pred_error = false;
		exec_fail(x, x->c->col, "%s", sbuf_str(&why));
		sbuf_free(&why);
		return -1;
	}
	if (ok)
		w->passed++;
	else
		w->failed++;
	if (x->file)
		sbuf_printf(&text, "%s:", x->file);
	sbuf_printf(&text, "%d: expect %s: %s (%s)", x->c->lineno, a->pred->text,
		    ok ? "ok" : "FAILED", sbuf_str(&why));
	if (w->sim) {
		struct trace_event ev = {.kind = TR_EXPECT,
					 .at = sim_now(w->sim),
					 .node = -1,
					 .peer = -1,
					 .text = sbuf_str(&text),
					 .ok = ok};
		sim_emit(w->sim, &ev);
	} else {
		world_say(w, OUT_INFO, "%s", sbuf_str(&text));
	}
	sbuf_free(&why);
	sbuf_free(&text);
	return 0;
}

static void expect_free(void *args)
{
	pred_free(((struct expect_args *)args)->pred);
}

static void expect_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	comp_pred_words(k, w, words, nw, false);
}

/* ---- try COMMAND ------------------------------------------------------------------ */

/* `try crash leader`: the script expects that the cluster may refuse the
 * command now; a refusal is then a note in the trace (TR_REFUSED with ok
 * set), not a failure. An error (bad input) is still an error. */
struct try_args {
	struct cmd *sub;
};

static bool try_parse(struct parser *p, struct cmd *c)
{
	struct try_args *a = c->args;
	const struct token *t = p_peek(p);
	if (p_at_end(p)) {
		p_error(p, t, "%s", _("expected a command to try"));
		return false;
	}
	const struct cmd_entry *e = t->kind == TK_WORD ? cmd_find(t->text) : NULL;
	if (e && (e->flags & CMD_UNSCHEDULED)) {
		p_error(p, t, _("`%s` cannot follow `try` (write `at TIME try COMMAND`)"), t->text);
		return false;
	}
	int first = p->ln->tok[0].col;
	a->sub = parse_cmd(p);
	if (!a->sub)
		return false;
	free(a->sub->src);
	a->sub->src = xstrdup(p->ln->src + (a->sub->col - first));
	return true;
}

static int try_exec(struct exec_ctx *x)
{
	return world_try(x, ((const struct try_args *)x->args)->sub);
}

static void try_free(void *args)
{
	cmd_free(((struct try_args *)args)->sub);
}

static void try_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	if (nw == 1) {
		for (int i = 0; cmd_entry_at(i); i++)
			if (!(cmd_entry_at(i)->flags & CMD_UNSCHEDULED))
				comp_offer(k, cmd_entry_at(i)->info.name);
		comp_proto_cmds(k, w);
	} else {
		comp_command(k, w, words + 1, nw - 1);
	}
}

const struct cmd_entry cmd_expect_table[] = {
    {.info = {"expect", "[not] PRED [and|or PRED...]",
	      N_("check a predicate now; a script fails if it does not hold"),
	      "expect not (leader in n1 n2) and safe"},
     .flags = CMD_NO_CLUSTER,
     .size = sizeof(struct expect_args),
     .parse = expect_parse,
     .exec = expect_exec,
     .complete = expect_complete,
     .free = expect_free},
    {.info = {"try", "COMMAND",
	      N_("run COMMAND, expecting that the cluster may refuse it now (no leader, a busy "
		 "client): a refusal is then a note, not a failure"),
	      "try crash leader"},
     .size = sizeof(struct try_args),
     .parse = try_parse,
     .exec = try_exec,
     .complete = try_complete,
     .free = try_free},
    {.info = {NULL, NULL, NULL, NULL}},
};

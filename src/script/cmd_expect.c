/*
 * cmd_expect.c — `expect PRED`: checks a predicate now. The result is a
 * trace event (TR_EXPECT) and counts in the world's tally; a failed expect
 * does not stop the script. The predicates themselves are rows of
 * src/script/pred_*.c (and of the protocol's table).
 */
#include "script/script_internal.h"

#include "util/i18n.h"

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
	bool ok = pred_eval(w, a->pred, &why);
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
    {.info = {NULL, NULL, NULL, NULL}},
};

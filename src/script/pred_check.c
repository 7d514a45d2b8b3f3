/*
 * pred_check.c — the built-in predicates about what the checkers and the
 * clients' history say: `safe` (the protocol's invariants), `linearizable`,
 * how long the latest operation `took`, and how many `ops` ended how. One
 * row each in pred_check_table; the usage is what p_usage parses and what
 * `help` shows.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <string.h>

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

/* took >=|<= DURATION: how long the latest completed client operation took,
 * from invocation to completion. The parser admits only >= and <=. */
static bool g_took(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	char tb[32];
	const char *cmp = a->a[0].str;
	if (w->last_took < 0) {
		sbuf_puts(why, _("no client operation has completed"));
		return false;
	}
	sbuf_printf(why, _("the latest operation took %s"),
		    simtime_fmt_dur(w->last_took, tb, sizeof tb));
	return cmp[0] == '>' ? w->last_took >= a->a[1].num : w->last_took <= a->a[1].num;
}

/* ops WORD >= INT: completed client operations with that outcome. */
/* ops / reads WORD >= INT: completed client operations (all of them, or
 * the reads only) by outcome, or those pending. */
static bool count_outcome(struct world *w, const int *c, bool reads, const struct proto_args *a,
			  struct sbuf *why)
{
	const char *word = a->a[0].str;
	int n;
	if (!strcmp(word, "ok"))
		n = c[OUT_OK];
	else if (!strcmp(word, "fail"))
		n = c[OUT_FAIL];
	else if (!strcmp(word, "unknown"))
		n = c[OUT_UNKNOWN];
	else if (!strcmp(word, "failed"))
		n = c[OUT_FAIL] + c[OUT_UNKNOWN];
	else if (!strcmp(word, "done"))
		n = c[OUT_OK] + c[OUT_FAIL] + c[OUT_UNKNOWN];
	else if (!strcmp(word, "pending") && !reads)
		n = sim_pending_count(w->sim);
	else {
		sbuf_printf(
		    why,
		    reads ? _("no such outcome \"%s\" (ok, fail, unknown, failed, done)")
			  : _("no such outcome \"%s\" (ok, fail, unknown, failed, done, pending)"),
		    word);
		return false;
	}
	if (reads)
		sbuf_printf(why, _("reads: ok %d, fail %d, unknown %d"), c[OUT_OK], c[OUT_FAIL],
			    c[OUT_UNKNOWN]);
	else
		sbuf_printf(why, _("ok %d, fail %d, unknown %d, pending %d"), c[OUT_OK],
			    c[OUT_FAIL], c[OUT_UNKNOWN], sim_pending_count(w->sim));
	return n >= a->a[1].num;
}

static bool g_ops(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return count_outcome(w, w->ops, false, a, why);
}

static bool g_reads(struct world *w, const struct proto_args *a, struct sbuf *why)
{
	return count_outcome(w, w->reads, true, a, why);
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

const struct pred_entry pred_check_table[] = {
    {{"safe", "", N_("every invariant of the protocol has held after every event"), "safe"},
     g_safe},
    {{"took", ">=|<= DURATION",
      N_("the latest completed client operation took >= or <= DURATION (took >= 100ms)"),
      "took <= 100ms"},
     g_took},
    {{"linearizable", "",
      N_("the clients' history so far is linearizable (use `not linearizable` for the "
	 "opposite)"),
      "linearizable"},
     g_linearizable},
    {{"ops", "WORD >= INT",
      N_("at least INT client operations ended ok, fail, unknown, failed (fail or unknown) or "
	 "done; or are pending"),
      "ops done >= 1"},
     g_ops},
    {{"reads", "WORD >= INT",
      N_("at least INT reads (get) ended ok, fail, unknown, failed (fail or unknown) or done"),
      "reads ok >= 1"},
     g_reads},
    {{NULL, NULL, NULL, NULL}, NULL},
};

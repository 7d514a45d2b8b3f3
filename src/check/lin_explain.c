/*
 * lin_explain.c — why a history is not linearizable: the core of a
 * violation (a small set of operations that cannot be linearized whatever
 * the others did) and its explanation in words. See lin.h.
 *
 * Shrinking. First the shortest prefix of the key's history, cut just
 * after a completion, that is already not linearizable (non-linearizability
 * of prefixes is monotone, so a binary search). Then, in halving chunks as
 * in Zeller's delta debugging, every operation that must take effect is
 * "relaxed" — it may now take effect within its interval, or not at all; a
 * read is simply dropped — when the rest stays non-linearizable. Each trial
 * is a search with a small step budget; a trial that runs out counts as
 * "still linearizable?", which only keeps an operation in the core. So the
 * core is always a proof, sometimes not the smallest.
 *
 * After a fold (lin.c), the key starts with its anchor: the op that fixed
 * the state of the dropped prefix. It is never relaxed and always in the
 * core: it is why the state was what it was.
 */
#include "check/lin_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define LIN_EXPLAIN_MAX 24 /* operations listed in an explanation */

/* Is ops[0..n) (with some relaxed) not linearizable, proven within steps?
 * relax[i]: relaxed (optional until its response; a read dropped). Ops
 * invoked after `cut` are left out and those still running at `cut` may
 * take effect later or never: the history's prefix up to `cut`. */
/* The shrinking's budget: steps per trial, steps in all, and a deadline
 * only when the caller gave seconds (steps keep the core deterministic). */
struct trial_budget {
	uint64_t per_trial, left;
	double deadline;
};

static bool trials_left(const struct trial_budget *tb)
{
	return tb->left > 0 && (tb->deadline <= 0 || lin_clock() < tb->deadline);
}

static bool still_bad(struct lin_part *p, uint32_t init, const struct lop *ops, int n,
		      const uint8_t *relax, int64_t cut, struct trial_budget *tb, size_t max_memo)
{
	struct lop *t = xmalloc((size_t)(n ? n : 1) * sizeof *t);
	int m = 0;
	for (int i = 0; i < n; i++) {
		struct lop o = ops[i];
		if (o.call > cut)
			continue;
		if (o.ret > cut) {
			/* Pending at the cut: may take effect later, or never. */
			if (o.kind == LOP_READ || o.kind == LOP_NOTCAS)
				continue;
			o.required = false;
			o.ret = HIST_NEVER;
		}
		if (relax[i] == 1) {
			if (o.kind == LOP_READ || o.kind == LOP_NOTCAS)
				continue;
			o.required = false;
		}
		t[m++] = o;
	}
	struct lsearch *s = ls_new(t, m, init, &p->vals, p->mops, max_memo);
	uint64_t steps = MIN(tb->per_trial, tb->left);
	enum ls_result r = steps ? ls_run(s, steps, tb->deadline) : LS_RUNNING;
	tb->left -= MIN(tb->left, ls_steps(s));
	ls_free(s);
	free(t);
	return r == LS_BAD;
}

static int int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int u32_by_call(const void *a, const void *b, const struct history *h)
{
	int64_t x = history_op(h, *(const uint32_t *)a)->invoked,
		y = history_op(h, *(const uint32_t *)b)->invoked;
	if (x != y)
		return x < y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static void compute_core(struct lin_checker *c, struct lin_part *p, const struct lin_budget *b)
{
	struct trial_budget tb = {b && b->max_steps ? b->max_steps : 50000, 5000000,
				  b && b->max_seconds > 0 ? lin_clock() + b->max_seconds : 0};
	uint32_t init;
	p->npin = 0;
	lin_build_sops(c, p, &init);
	int n = p->nsops;
	const struct lop *ops = p->sops;
	uint8_t *relax = xcalloc((size_t)(n ? n : 1), 1);

	/* 1. The shortest prefix, cut just after a response, that is bad. */
	int64_t *rets = xmalloc((size_t)(n ? n : 1) * sizeof *rets);
	int nr = 0;
	for (int i = 0; i < n; i++)
		if (ops[i].required)
			rets[nr++] = ops[i].ret;
	qsort(rets, (size_t)nr, sizeof *rets, int64_cmp);
	int64_t cut = HIST_NEVER;
	int lo = 0, hi = nr - 1; /* the full history (cut at the end) is bad */
	while (lo < hi && trials_left(&tb)) {
		int mid = lo + (hi - lo) / 2;
		if (still_bad(p, init, ops, n, relax, rets[mid], &tb, c->max_memo))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (nr > 0)
		cut = rets[hi];
	if (!still_bad(p, init, ops, n, relax, cut, &tb, c->max_memo))
		cut = HIST_NEVER; /* the binary search ran out of time */

	/* 2. Relax what is not needed, in halving chunks (like ddmin). Only
	 * ops that must take effect can be relaxed: an unknown op (or one
	 * pending at the cut) already may or may not, and leaving it out would
	 * be a constraint, not a relaxation. */
	int *cand = xmalloc((size_t)(n ? n : 1) * sizeof *cand);
	int nc = 0;
	int anchor = -1; /* the op that fixed a folded prefix's state: kept */
	for (int i = 0; i < n; i++) {
		if (ops[i].hop == p->anchor && ops[i].ret <= cut)
			anchor = i;
		else if (ops[i].required && ops[i].ret <= cut)
			cand[nc++] = i;
	}
	for (int chunk = nc / 2 > 0 ? nc / 2 : 1; chunk >= 1; chunk /= 2) {
		for (int s = 0; s < nc && trials_left(&tb); s += chunk) {
			uint8_t save[64];
			int e = MIN(nc, s + chunk), k = 0, tried = 0;
			bool big = e - s > 64;
			uint8_t *sv = big ? xmalloc((size_t)(e - s)) : save;
			for (int j = s; j < e; j++, k++) {
				sv[k] = relax[cand[j]];
				if (!relax[cand[j]]) {
					relax[cand[j]] = 1;
					tried++;
				}
			}
			if (tried && !still_bad(p, init, ops, n, relax, cut, &tb, c->max_memo)) {
				for (int j = s, q = 0; j < e; j++, q++)
					relax[cand[j]] = sv[q];
			}
			if (big)
				free(sv);
		}
		if (chunk == 1)
			break;
	}
	free(p->core);
	p->core = xmalloc((size_t)(nc + 1) * sizeof *p->core);
	p->ncore = 0;
	if (anchor >= 0)
		p->core[p->ncore++] = ops[anchor].hop;
	for (int j = 0; j < nc; j++)
		if (!relax[cand[j]])
			p->core[p->ncore++] = ops[cand[j]].hop;
	/* Invocation order. */
	for (int i = 1; i < p->ncore; i++)
		for (int j = i; j > 0 && u32_by_call(&p->core[j - 1], &p->core[j], c->h) > 0; j--) {
			uint32_t t = p->core[j];
			p->core[j] = p->core[j - 1];
			p->core[j - 1] = t;
		}
	p->core_from = (uint32_t)n;
	p->core_done = true;
	free(cand);
	free(rets);
	free(relax);
}

int lin_core(struct lin_checker *c, const struct lin_budget *b, const uint32_t **ids)
{
	*ids = NULL;
	if (c->verdict != LIN_VIOLATION || c->bad_part < 0)
		return 0;
	struct lin_part *p = c->parts[c->bad_part];
	if (!p->core_done)
		compute_core(c, p, b);
	*ids = p->core;
	return p->ncore;
}

/* The rules of the model, in a few words, for explanations. */
static const char *model_rules(enum lin_model m)
{
	switch (m) {
	case LIN_MODEL_KV:
		return N_("a key-value store (a get returns the last value put or appended)");
	case LIN_MODEL_REGISTER: return N_("a register (a read returns the last value written)");
	case LIN_MODEL_ETCD:
		return N_("etcd's register (a read returns the last value written, a cas succeeds "
			  "only on its expected value)");
	case LIN_MODEL_CAS_REGISTER: return N_("a compare-and-set register starting at 0");
	case LIN_MODEL_MULTI_REGISTER:
		return N_("registers x, y, ... starting at 0, read and written in transactions");
	case LIN_MODEL_MUTEX: return N_("a lock (acquire only when free, release only when held)");
	}
	return "";
}

bool lin_explain(struct lin_checker *c, const struct lin_budget *b, struct sbuf *out)
{
	const uint32_t *ids;
	int n = lin_core(c, b, &ids);
	if (c->verdict != LIN_VIOLATION || c->bad_part < 0)
		return false;
	const struct history *h = c->h;
	struct lin_part *p = c->parts[c->bad_part];
	if (p->key)
		sbuf_printf(out, _("Not linearizable: key %s."), p->key);
	else
		sbuf_puts(out, _("Not linearizable."));
	sbuf_putc(out, ' ');
	unsigned others = p->core_from > (uint32_t)n ? p->core_from - (uint32_t)n : 0;
	if (n == 1)
		sbuf_printf(out,
			    _("This operation cannot take effect at any point of its interval "
			      "under the rules of %s"),
			    _(model_rules(c->model)));
	else
		sbuf_printf(out,
			    _("No order of these %d operations respects both real time and the "
			      "rules of %s"),
			    n, _(model_rules(c->model)));
	sbuf_printf(out,
		    _(", whatever the other %u operations did (each taking effect within its own "
		      "interval, or not at all):"),
		    others);
	sbuf_putc(out, '\n');
	int shown = n <= LIN_EXPLAIN_MAX ? n : LIN_EXPLAIN_MAX - 1;
	for (int i = 0; i < shown; i++) {
		sbuf_printf(out, "  %d. ", i + 1);
		history_describe_op(h, history_op(h, ids[i]), out);
		sbuf_putc(out, '\n');
	}
	if (shown < n)
		sbuf_printf(out, _("  ... and %d more\n"), n - shown);
	/* Real-time order that matters: for each op, the latest op of the
	 * core that completed before it started. */
	int lines = 0;
	for (int i = 0; i < shown && lines < 8; i++) {
		const struct hist_op *bo = history_op(h, ids[i]);
		const struct hist_op *best = NULL;
		for (int j = 0; j < n; j++) {
			const struct hist_op *ao = history_op(h, ids[j]);
			if (ao->completed != HIST_NEVER && ao->completed < bo->invoked &&
			    (!best || ao->completed > best->completed))
				best = ao;
		}
		if (!best)
			continue;
		sbuf_puts(out, "  ");
		history_describe_call(h, bo, out);
		sbuf_printf(out, " %s ", _("by"));
		history_describe_client(h, bo, out);
		sbuf_printf(out, " %s ", _("started at"));
		history_describe_time(h, bo, false, out);
		sbuf_printf(out, ", %s ", _("after"));
		history_describe_call(h, best, out);
		sbuf_printf(out, " %s ", _("by"));
		history_describe_client(h, best, out);
		sbuf_printf(out, " %s ", _("had completed at"));
		history_describe_time(h, best, true, out);
		if (best->node >= 0)
			sbuf_printf(out, " %s n%d", _("through"), best->node + 1);
		sbuf_puts(out, ".\n");
		lines++;
	}
	return true;
}

/*
 * fuzz_shrink.c — shrinks a failing fault schedule to a small one that
 * still fails the same way; see fuzz_shrink in fuzz.h.
 *
 * Delta debugging (Zeller and Hildebrandt, IEEE TSE 28(2), 2002, "ddmin"):
 * split the steps into n chunks and try the plan without each chunk; when
 * one can go, keep the smaller plan and split coarser again, otherwise
 * split finer, until chunks are single steps. A simulation is not a
 * monotone function of its input — removing a crash changes every random
 * draw after it — so each candidate is judged by a whole new run, and the
 * passes repeat while any of them removes something. The order of the
 * passes is chosen for what a learner reads: first the time after the
 * failure (nothing there can matter), then steps, then nodes nobody names,
 * then drawn options, then the values clients write.
 */
#include "check/fuzz.h"

#include <stdlib.h>
#include <string.h>

struct shrinker {
	struct fuzz_opts *o;
	bool want_lin; /* the failure is linearizability, not an invariant */
	char property[128];
	int runs, max_runs;
	struct fuzz_result best; /* the result of the current plan */
};

/* The property of an invariant's message: the text before its first ':'
 * ("Leader Completeness"). */
static void property_of(const char *why, char *out, size_t cap)
{
	size_t n = strcspn(why, ":\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, why, n);
	out[n] = '\0';
}

/* Runs candidate c; true (and sh->best updated) when it fails as the
 * original did. */
static bool fails_once(struct shrinker *sh, const struct fuzz_plan *c)
{
	if (sh->runs >= sh->max_runs)
		return false;
	sh->runs++;
	struct fuzz_result r;
	if (fuzz_run(c, sh->o, &r))
		return false;
	if (sh->want_lin ? !r.lin_failed : !r.safety_failed)
		return false;
	if (!sh->want_lin) {
		char prop[sizeof sh->property];
		property_of(r.why, prop, sizeof prop);
		if (strcmp(prop, sh->property))
			return false;
	}
	sh->best = r;
	return true;
}

/* A removal shifts every later random draw of the simulator (message
 * delays come from one generator), so a step that does not matter can
 * seem to when it goes. The candidate is therefore also tried under a few
 * other simulator seeds (the plan is the same; the file says `seed N`),
 * and kept when any fails alike: the search gets past the noise instead
 * of stopping at the first chaotic step. */
#define SHRINK_SEEDS 4

static bool fails_alike(struct shrinker *sh, struct fuzz_plan *c)
{
	uint64_t seed = c->seed;
	for (uint64_t k = 0; k < SHRINK_SEEDS; k++) {
		c->seed = seed + k * 1000003u;
		if (fails_once(sh, c))
			return true;
	}
	c->seed = seed;
	return false;
}

static void plan_copy(struct fuzz_plan *dst, const struct fuzz_plan *src)
{
	*dst = *src;
	dst->cap = src->n ? src->n : 1;
	dst->steps = xcalloc(dst->cap, sizeof *dst->steps);
	if (src->n)
		memcpy(dst->steps, src->steps, src->n * sizeof *src->steps);
}

/* p becomes c (which is consumed). */
static void plan_take(struct fuzz_plan *p, struct fuzz_plan *c)
{
	fuzz_plan_free(p);
	*p = *c;
	memset(c, 0, sizeof *c);
}

/* The plan without steps [lo, hi). */
static void plan_without(struct fuzz_plan *dst, const struct fuzz_plan *src, size_t lo, size_t hi)
{
	plan_copy(dst, src);
	memmove(dst->steps + lo, dst->steps + hi, (src->n - hi) * sizeof *src->steps);
	dst->n = src->n - (hi - lo);
}

/* Cuts the run short: a duration just past the failure (an invariant
 * fails at a known time; rounded up to 100 ms so the file reads well),
 * and no step after it. For linearizability the whole history counts, so
 * the duration is only tried halved. */
static bool shorten(struct shrinker *sh, struct fuzz_plan *p)
{
	bool changed = false;
	for (;;) {
		sim_time was = sh->o->duration, d;
		if (!sh->want_lin)
			d = (sh->best.at / (100 * SIM_MS) + 1) * (100 * SIM_MS);
		else
			d = (was / 2 / (100 * SIM_MS)) * (100 * SIM_MS);
		if (d >= was || d <= 0)
			return changed;
		struct fuzz_plan c;
		plan_copy(&c, p);
		c.n = 0;
		for (size_t i = 0; i < p->n; i++)
			if (p->steps[i].at <= d)
				c.steps[c.n++] = p->steps[i];
		sh->o->duration = d;
		if (fails_alike(sh, &c)) {
			plan_take(p, &c);
			changed = true;
			if (!sh->want_lin)
				return true; /* at most once: the failure time is reached */
		} else {
			sh->o->duration = was;
			fuzz_plan_free(&c);
			return changed;
		}
	}
}

/* ddmin over the steps. */
static bool drop_steps(struct shrinker *sh, struct fuzz_plan *p)
{
	bool changed = false;
	size_t n = 2;
	while (p->n >= 1 && sh->runs < sh->max_runs) {
		if (n > p->n)
			n = p->n;
		size_t chunk = (p->n + n - 1) / n;
		bool removed = false;
		for (size_t lo = 0; lo < p->n; lo += chunk) {
			size_t hi = lo + chunk < p->n ? lo + chunk : p->n;
			struct fuzz_plan c;
			plan_without(&c, p, lo, hi);
			if (fails_alike(sh, &c)) {
				plan_take(p, &c);
				removed = changed = true;
				break;
			}
			fuzz_plan_free(&c);
		}
		if (removed) {
			n = n > 2 ? n - 1 : 2;
			continue;
		}
		if (chunk == 1)
			break;
		n *= 2;
	}
	return changed;
}

static bool step_names(const struct fuzz_step *s, int node)
{
	switch (s->kind) {
	case FZ_CRASH:
	case FZ_SKEW:
	case FZ_DRIFT:
	case FZ_TRAITOR: return s->a == node;
	case FZ_RESTART: return s->a == node;
	case FZ_CUT: return s->a == node || s->b == node;
	case FZ_PARTITION: return nodeset_has(&s->side, node);
	case FZ_HEAL:
	case FZ_NET:
	case FZ_OP: return false;
	}
	return false;
}

/* The last node, when no step names it (a one-sided partition that did
 * would now be the whole cluster, so naming counts). */
static bool drop_nodes(struct shrinker *sh, struct fuzz_plan *p)
{
	bool changed = false;
	while (p->nodes > 1) {
		int last = p->nodes - 1;
		bool named = false;
		for (size_t i = 0; i < p->n && !named; i++)
			named = step_names(&p->steps[i], last);
		if (named)
			return changed;
		struct fuzz_plan c;
		plan_copy(&c, p);
		c.nodes--;
		if (!fails_alike(sh, &c)) {
			fuzz_plan_free(&c);
			return changed;
		}
		plan_take(p, &c);
		changed = true;
	}
	return changed;
}

/* Each drawn option back to its default. */
static bool drop_vary(struct shrinker *sh, struct fuzz_plan *p)
{
	bool changed = false;
	for (int i = 0; i < p->nvary;) {
		struct fuzz_plan c;
		plan_copy(&c, p);
		memmove(c.vary[i], c.vary[i + 1], (size_t)(c.nvary - i - 1) * sizeof c.vary[0]);
		c.nvary--;
		if (fails_alike(sh, &c)) {
			plan_take(p, &c);
			changed = true;
		} else {
			fuzz_plan_free(&c);
			i++;
		}
	}
	return changed;
}

/* Client operations made plainer: every written value "1" (a cas "1 2"),
 * every key "k0". A learner reads "put k0 1" faster than "put k3 87". */
static bool plain_ops(struct shrinker *sh, struct fuzz_plan *p)
{
	bool changed = false;
	for (size_t i = 0; i < p->n; i++) {
		struct fuzz_step *s = &p->steps[i];
		if (s->kind != FZ_OP)
			continue;
		struct kv_op plain = s->op;
		ns_strlcpy(plain.key, "k0", sizeof plain.key);
		if (plain.fn == KV_PUT || plain.fn == KV_CAS)
			ns_strlcpy(plain.arg, "1", sizeof plain.arg);
		if (plain.fn == KV_CAS)
			ns_strlcpy(plain.arg2, "2", sizeof plain.arg2);
		if (!strcmp(plain.key, s->op.key) && !strcmp(plain.arg, s->op.arg) &&
		    !strcmp(plain.arg2, s->op.arg2))
			continue; /* plain already */
		struct fuzz_plan c;
		plan_copy(&c, p);
		c.steps[i].op = plain;
		if (fails_alike(sh, &c)) {
			plan_take(p, &c);
			changed = true;
		} else {
			fuzz_plan_free(&c);
		}
	}
	return changed;
}

bool fuzz_shrink(struct fuzz_plan *p, struct fuzz_opts *o, struct fuzz_result *res, int max_runs,
		 struct fuzz_shrink_stats *st)
{
	if (res->ok || (!res->safety_failed && !res->lin_failed))
		return false;
	struct shrinker sh = {.o = o, .want_lin = !res->safety_failed, .max_runs = max_runs};
	property_of(res->why, sh.property, sizeof sh.property);
	sh.best = *res;
	struct fuzz_shrink_stats s = {
	    .steps_before = p->n,
	    .nodes_before = p->nodes,
	    .vary_before = p->nvary,
	    .duration_before = o->duration,
	};
	shorten(&sh, p);
	for (bool again = true; again && sh.runs < sh.max_runs;) {
		again = drop_steps(&sh, p);
		again |= drop_nodes(&sh, p);
		again |= drop_vary(&sh, p);
		again |= shorten(&sh, p);
	}
	plain_ops(&sh, p);
	*res = sh.best;
	s.steps_after = p->n;
	s.nodes_after = p->nodes;
	s.vary_after = p->nvary;
	s.duration_after = o->duration;
	s.runs = sh.runs;
	if (st)
		*st = s;
	return true;
}

/*
 * invariants.c — the watch that runs a protocol's invariant checker after
 * every simulated event; see invariants.h. Which checker belongs to which
 * protocol is declared in caps.c.
 */
#include "check/invariants.h"

#include "check/caps.h"
#include "proto/proto.h"

#include <stdlib.h>
#include <string.h>

const struct invariant_ops *invariants_of(const struct proto_ops *ops)
{
	const struct check_caps *c = check_caps_of(ops);
	return c ? c->invariants : NULL;
}

struct inv_watch {
	struct sim *sim;
	const struct invariant_ops *ops;
	void *self;
	int handle;
	bool violated;
	sim_time at;
	struct sbuf why;
};

static void run_check(struct inv_watch *w)
{
	if (w->violated || !w->ops)
		return;
	struct sbuf why = {0};
	if (!w->ops->check(w->self, w->sim, &why)) {
		w->violated = true;
		w->at = sim_now(w->sim);
		sbuf_free(&w->why);
		w->why = why;
		return;
	}
	sbuf_free(&why);
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	if (ev->kind == TR_STEP)
		run_check(ctx);
}

struct inv_watch *inv_watch_new(struct sim *s)
{
	struct inv_watch *w = xcalloc(1, sizeof *w);
	w->sim = s;
	w->ops = invariants_of(sim_proto(s));
	w->self = w->ops ? w->ops->create(s) : NULL;
	w->handle = sim_observe(s, on_trace, w);
	return w;
}

void inv_watch_free(struct inv_watch *w)
{
	if (!w)
		return;
	sim_unobserve(w->sim, w->handle);
	if (w->ops)
		w->ops->destroy(w->self);
	sbuf_free(&w->why);
	free(w);
}

bool inv_watch_ok(struct inv_watch *w, const char **why, sim_time *at)
{
	run_check(w);
	if (w->violated) {
		if (why)
			*why = sbuf_str(&w->why);
		if (at)
			*at = w->at;
	}
	return !w->violated;
}

bool inv_watch_failed(const struct inv_watch *w)
{
	return w && w->violated;
}

void *inv_watch_checker(const struct inv_watch *w)
{
	return w ? w->self : NULL;
}

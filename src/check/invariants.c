/*
 * invariants.c — the registry of per-protocol invariant checkers and the
 * watch that runs one after every simulated event; see invariants.h.
 */
#include "check/invariants.h"

#include "check/primary_invariants.h"
#include "proto/proto.h"

#include <stdlib.h>
#include <string.h>

extern const struct invariant_ops raft_invariants;
extern const struct invariant_ops multileader_invariants;
extern const struct invariant_ops dynamo_invariants;

/* Registered checkers; a protocol's checker lives in src/check/PROTO_*.c. */
static const struct invariant_ops *const all[] = {
	&raft_invariants,
	&primary_invariants,
	&multileader_invariants,
	&dynamo_invariants,
	NULL,
};

const struct invariant_ops *invariants_find(const char *proto)
{
	for (int i = 0; all[i]; i++)
		if (!strcmp(all[i]->proto, proto))
			return all[i];
	return NULL;
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
	w->ops = invariants_find(sim_proto(s)->name);
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

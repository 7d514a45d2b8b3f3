/*
 * raft_fixture.h — a small harness for the Raft unit tests: a simulation
 * with the invariant checker watching every event, a recorder of completed
 * client operations, and helpers that run until a condition holds.
 * Included by tests/unit/test_raft*.c (header-only: static functions).
 */
#ifndef NETSPLIT_RAFT_FIXTURE_H
#define NETSPLIT_RAFT_FIXTURE_H

#include "check/invariants.h"
#include "proto/proto.h"
#include "proto/raft.h"
#include "sim/sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FIX_MAX_OPS 4096

struct fix {
	struct sim *s;
	struct inv_watch *w;
	struct proto_opts o;
	int obs;
	struct client_op done[FIX_MAX_OPS]; /* completed ops, by id % FIX_MAX_OPS */
	bool have[FIX_MAX_OPS];
	int ncomplete;
	int nstates; /* TR_STATE lines seen */
	int sends[RAFT_MSG_KINDS];
	int rejects; /* AppendEntries replies that refused */
};

static inline void fix_trace(void *ctx, const struct trace_event *ev)
{
	struct fix *f = ctx;
	switch (ev->kind) {
	case TR_COMPLETE:
		f->done[ev->op->id % FIX_MAX_OPS] = *ev->op;
		f->have[ev->op->id % FIX_MAX_OPS] = true;
		f->ncomplete++;
		break;
	case TR_STATE: f->nstates++; break;
	case TR_SEND:
		if (ev->msg->type < RAFT_MSG_KINDS)
			f->sends[ev->msg->type]++;
		if (ev->msg->type == RAFT_MSG_APPEND_REPLY) {
			struct raft_wire_append_reply rep;
			memcpy(&rep, ev->msg->data, sizeof rep);
			if (!rep.success)
				f->rejects++;
		}
		break;
	default: break;
	}
}

/* Options as "key=value" strings, NULL-terminated. */
static inline void fix_opts(struct proto_opts *o, const char *const *kv)
{
	proto_opts_default(&raft_ops, o);
	for (int i = 0; kv && kv[i]; i++) {
		char key[32];
		const char *eq = strchr(kv[i], '=');
		assert_non_null(eq);
		ns_strlcpy(key, kv[i], MIN(sizeof key, (size_t)(eq - kv[i]) + 1));
		int idx = proto_option_index(&raft_ops, key);
		assert_true(idx >= 0);
		struct sbuf err = {0};
		bool ok = proto_option_parse(&raft_ops, idx, eq + 1, &o->v[idx], &err);
		if (!ok)
			fprintf(stderr, "%s\n", sbuf_str(&err));
		assert_true(ok);
		sbuf_free(&err);
	}
}

static inline struct fix *fix_new(int n, uint64_t seed, const char *const *kv)
{
	struct fix *f = calloc(1, sizeof *f);
	fix_opts(&f->o, kv);
	f->s = sim_new(&raft_ops, &f->o, n, seed);
	f->w = inv_watch_new(f->s);
	f->obs = sim_observe(f->s, fix_trace, f);
	return f;
}

static inline void fix_check(struct fix *f)
{
	const char *why = NULL;
	sim_time at = 0;
	bool ok = inv_watch_ok(f->w, &why, &at);
	if (!ok)
		fprintf(stderr, "violation at %lld us: %s\n", (long long)at, why);
	assert_true(ok);
}

static inline void fix_free(struct fix *f)
{
	if (!f)
		return;
	fix_check(f);
	inv_watch_free(f->w);
	sim_free(f->s);
	free(f);
}

static inline struct raft *R(struct fix *f, int i)
{
	return raft_of(f->s, i);
}

static inline void fix_run(struct fix *f, sim_time d)
{
	sim_run_until(f->s, sim_now(f->s) + d);
}

static inline bool p_leader(void *ctx, struct sim *s)
{
	(void)ctx;
	return proto_leader(s) >= 0;
}

/* Runs until some node leads; returns it (or -1 after `d`). */
static inline int fix_leader(struct fix *f, sim_time d)
{
	sim_run_while(f->s, sim_now(f->s) + d, p_leader, NULL);
	return proto_leader(f->s);
}

/* Number of up nodes that consider themselves leaders. */
static inline int fix_nleaders(struct fix *f)
{
	int k = 0;
	for (int i = 0; i < sim_nodes(f->s); i++)
		if (sim_node(f->s, i)->up && R(f, i)->role == RAFT_LEADER)
			k++;
	return k;
}

static inline struct kv_op fix_op(enum kv_fn fn, const char *key, const char *arg, const char *arg2)
{
	struct kv_op op;
	memset(&op, 0, sizeof op);
	op.fn = fn;
	ns_strlcpy(op.key, key, sizeof op.key);
	if (arg)
		ns_strlcpy(op.arg, arg, sizeof op.arg);
	if (arg2)
		ns_strlcpy(op.arg2, arg2, sizeof op.arg2);
	return op;
}

struct wait_op {
	struct fix *f;
	uint32_t id;
};

static inline bool p_done(void *ctx, struct sim *s)
{
	(void)s;
	struct wait_op *w = ctx;
	return w->f->have[w->id % FIX_MAX_OPS] && w->f->done[w->id % FIX_MAX_OPS].id == w->id;
}

/* Invokes op from `client` at `node` (-1: any) and runs until it completes
 * (the client's deadline bounds it); returns the completed record. */
static inline const struct client_op *fix_do(struct fix *f, int client, int node, struct kv_op op)
{
	struct wait_op w = {f, sim_client_invoke(f->s, client, node, &op)};
	bool ok = sim_run_while(f->s, sim_now(f->s) + 60 * SIM_S, p_done, &w);
	assert_true(ok);
	return &f->done[w.id % FIX_MAX_OPS];
}

static inline const struct client_op *fix_put(struct fix *f, int node, const char *k, const char *v)
{
	return fix_do(f, 1, node, fix_op(KV_PUT, k, v, NULL));
}

static inline const struct client_op *fix_get(struct fix *f, int node, const char *k)
{
	return fix_do(f, 2, node, fix_op(KV_GET, k, NULL, NULL));
}

/* Evaluates a raft predicate by name with already-parsed args. */
static inline bool fix_pred(struct fix *f, const char *name, const struct proto_args *a,
			    bool verbose)
{
	for (int i = 0; raft_preds[i].name; i++)
		if (!strcmp(raft_preds[i].name, name)) {
			struct sbuf why = {0};
			bool ok = raft_preds[i].eval(f->s, a, &why);
			if (verbose)
				fprintf(stderr, "%s: %s -> %s\n", name, sbuf_str(&why),
					ok ? "true" : "false");
			sbuf_free(&why);
			return ok;
		}
	fail_msg("no predicate %s", name);
	return false;
}

static inline bool fix_converged(struct fix *f)
{
	struct proto_args a = {0};
	return fix_pred(f, "converged", &a, false);
}

static inline bool p_converged(void *ctx, struct sim *s)
{
	(void)s;
	return fix_converged(ctx);
}

static inline bool fix_committed(struct fix *f, const char *k, const char *v)
{
	struct proto_args a = {.n = 2};
	ns_strlcpy(a.a[0].str, k, sizeof a.a[0].str);
	ns_strlcpy(a.a[1].str, v, sizeof a.a[1].str);
	return fix_pred(f, "committed", &a, false);
}

/* Cuts every link between `node` and the others, both ways. */
static inline void fix_isolate(struct fix *f, int node)
{
	for (int j = 0; j < sim_nodes(f->s); j++)
		if (j != node) {
			sim_cut(f->s, node, j);
			sim_cut(f->s, j, node);
		}
}

/* Partition: nodes in `mask` on one side, the rest on the other. */
static inline void fix_split(struct fix *f, uint64_t mask)
{
	int g[SIM_MAX_NODES];
	for (int i = 0; i < sim_nodes(f->s); i++)
		g[i] = (int)((mask >> i) & 1);
	sim_partition(f->s, g);
}

#endif

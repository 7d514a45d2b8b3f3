/*
 * raft_fixture.h — a small harness for the Raft unit tests: a simulation
 * with the invariant checker watching every event, a recorder of completed
 * client operations, and helpers that run until a condition holds.
 * Included by tests/unit/test_raft*.c (header-only: static functions).
 *
 * The timeline (at the end), in the manner of canonical/raft's fixture:
 * step one event at a time until something happens (STEP_UNTIL_CANDIDATE,
 * STEP_UNTIL_LEADER, STEP_UNTIL_COMMIT), then pin the simulated time it
 * happened at (ASSERT_TIME, in microseconds) and the events that led there
 * (ASSERT_EVENTS: state changes, deliveries, drops and client completions,
 * one line each, "185873 n1 became Candidate for term 1"). With the seed
 * fixed these are exact: a test reads like the trace of the paper's
 * scenario.
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
	int rejects;     /* AppendEntries replies that refused */
	struct sbuf log; /* the timeline since fix_mark (see ASSERT_EVENTS) */
	bool timeline;   /* recording it: from the first fix_mark */
};

/* One line of the timeline: state changes, deliveries, drops, completions. */
static inline void fix_log_event(struct fix *f, const struct trace_event *ev)
{
	struct sbuf *b = &f->log;
	if (!f->timeline)
		return;
	switch (ev->kind) {
	case TR_STATE:
		sbuf_printf(b, "%lld n%d %s\n", (long long)ev->at, ev->node + 1, ev->text);
		break;
	case TR_DELIVER:
	case TR_DROP:
		sbuf_printf(b, "%lld n%d -> n%d ", (long long)ev->at, ev->msg->from + 1,
			    ev->msg->to + 1);
		sim_describe_msg(f->s, ev->msg, b);
		sbuf_puts(b, ev->kind == TR_DROP ? " (dropped)\n" : "\n");
		break;
	case TR_COMPLETE:
		sbuf_printf(b, "%lld c%d %s ", (long long)ev->at, ev->op->client,
			    op_outcome_str(ev->op->outcome));
		kv_op_fmt(&ev->op->op, b);
		sbuf_printf(b, " (n%d)\n", ev->op->node + 1);
		break;
	default: break;
	}
}

static inline void fix_trace(void *ctx, const struct trace_event *ev)
{
	struct fix *f = ctx;
	fix_log_event(f, ev);
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
	sbuf_free(&f->log);
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

/* Writes a log of puts (x = "1@t1", ...) with these terms directly into a
 * node's stable storage, and sets its current term (a test's shortcut to
 * a history that took many terms to make). */
static inline void fix_set_log(struct fix *f, int node, const int *terms, int n, int64_t current)
{
	struct raft *r = R(f, node);
	raft_boot(r);
	for (int i = 0; i < n; i++) {
		struct raft_entry e;
		memset(&e, 0, sizeof e);
		e.term = terms[i];
		e.type = RAFT_ENTRY_CMD;
		e.client = 50;
		e.seq = (uint64_t)i + 1;
		e.op.fn = KV_PUT;
		ns_strlcpy(e.op.key, "x", sizeof e.op.key);
		ns_snprintf(e.op.arg, sizeof e.op.arg, "%d@t%d", i + 1, terms[i]);
		raft_log_append(r, &e);
	}
	r->st.term = current;
}

/* Do nodes a and b hold the same log (terms and contents)? */
static inline bool fix_same_log(struct fix *f, int a, int b)
{
	struct raft *x = R(f, a), *y = R(f, b);
	if (raft_last_index(x) != raft_last_index(y))
		return false;
	for (int64_t i = 1; i <= raft_last_index(x); i++)
		if (raft_entry_hash(raft_entry_at(x, i)) != raft_entry_hash(raft_entry_at(y, i)) ||
		    raft_term_at(x, i) != raft_term_at(y, i))
			return false;
	return true;
}

/* ---- the timeline ------------------------------------------------------------- */

/* Starts the timeline, or forgets it so far: ASSERT_EVENTS then compares
 * what follows. */
static inline void fix_mark(struct fix *f)
{
	f->timeline = true;
	f->log.len = 0;
	if (f->log.s)
		f->log.s[0] = '\0';
}

/* Processes one event at a time until pred holds (checked first), at most
 * max events; fails the test when it never does. */
static inline void fix_step_until(struct fix *f, bool (*pred)(struct fix *f, int i, int64_t x),
				  int i, int64_t x, const char *what)
{
	for (int k = 0; k < 1000000; k++) {
		if (pred(f, i, x))
			return;
		if (!sim_step(f->s))
			break;
	}
	fail_msg("never: %s (at %lld us)", what, (long long)sim_now(f->s));
}

static inline bool fix_is_candidate(struct fix *f, int i, int64_t x)
{
	(void)x;
	return sim_node(f->s, i)->up && R(f, i)->role == RAFT_CANDIDATE;
}

static inline bool fix_is_leader(struct fix *f, int i, int64_t x)
{
	(void)x;
	return sim_node(f->s, i)->up && R(f, i)->role == RAFT_LEADER;
}

static inline bool fix_has_commit(struct fix *f, int i, int64_t x)
{
	return R(f, i)->commit >= x;
}

static inline bool fix_at_time(struct fix *f, int i, int64_t x)
{
	(void)i;
	return sim_next_time(f->s) > x;
}

/* Node I (0-based: n1 is 0) becomes a candidate, a leader; its commit
 * index reaches N; every event up to time T (us) has happened. */
#define STEP_UNTIL_CANDIDATE(F, I) fix_step_until(F, fix_is_candidate, I, 0, "n" #I " candidate")
#define STEP_UNTIL_LEADER(F, I)    fix_step_until(F, fix_is_leader, I, 0, "n" #I " leader")
#define STEP_UNTIL_COMMIT(F, I, N) fix_step_until(F, fix_has_commit, I, N, "commit " #N)
#define STEP_UNTIL_TIME(F, T)                                                                      \
	do {                                                                                       \
		fix_step_until(F, fix_at_time, 0, T, "time " #T);                                  \
		sim_run_until((F)->s, T);                                                          \
	} while (0)
/* The simulated time now, in microseconds. */
#define ASSERT_TIME(F, T) assert_int_equal(sim_now((F)->s), T)
/* Node I's current term and role. */
#define ASSERT_TERM(F, I, T)    assert_int_equal(R(F, I)->st.term, T)
#define ASSERT_ROLE(F, I, ROLE) assert_int_equal(R(F, I)->role, ROLE)

/* The timeline since fix_mark is exactly these lines (NULL-terminated);
 * prints both on a mismatch. */
static inline void fix_assert_events(struct fix *f, const char *const *want, const char *file,
				     int line)
{
	struct sbuf w = {0};
	for (int i = 0; want[i]; i++)
		sbuf_printf(&w, "%s\n", want[i]);
	if (strcmp(sbuf_str(&w), sbuf_str(&f->log))) {
		fprintf(stderr, "%s:%d: the timeline differs.\nwanted:\n%sgot:\n%s", file, line,
			sbuf_str(&w), sbuf_str(&f->log));
		sbuf_free(&w);
		fail();
	}
	sbuf_free(&w);
	fix_mark(f);
}
#define ASSERT_EVENTS(F, ...)                                                                      \
	fix_assert_events(F, (const char *const[]){__VA_ARGS__, NULL}, __FILE__, __LINE__)

#endif

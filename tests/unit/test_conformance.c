/*
 * test_conformance.c — what every registered protocol (proto_all[]) must
 * do, checked automatically, so that a new protocol passes or fails here
 * without anyone writing a test for it:
 *
 *   - its table is complete: the callbacks proto.h and sim.h require are
 *     set; kv_clients agrees with on_client; its options' defaults, its
 *     fuzz_vary values and its message kinds are well-formed; the check
 *     layer declares it (caps.c) with a liveness that fits it;
 *   - it runs: created, run with client load (when it serves clients),
 *     every node crashed and restarted in turn, every node described
 *     (status, describe, every log entry it says it holds) and every
 *     message in flight described, at many instants;
 *   - it is deterministic: the same seed gives the same trace bytes;
 *   - it survives the fuzzer: a few seeds of `netsplit fuzz` pass, and the
 *     rendered scenario of one seed runs through the command language with
 *     every expect holding (so the liveness text and the liveness hook
 *     agree);
 *   - it frees what it allocates (run under ASan: the build with
 *     -DNETSPLIT_SANITIZE=ON).
 *
 * And the other way round: a protocol that gives only what proto.h
 * requires (every optional field NULL) runs in the simulator, the views
 * and the fuzzer's helpers without a crash — the code honours what the
 * header says may be NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/caps.h"
#include "check/fuzz.h"
#include "proto/proto.h"
#include "script/script.h"
#include "sim/sim.h"
#include "tui/tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static bool nul_within(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* ---- the table ---------------------------------------------------------------- */

static void check_table(const struct proto_ops *ops)
{
	print_message("  table of %s\n", ops->name);
	assert_non_null(ops->name);
	assert_non_null(ops->summary);
	assert_ptr_equal(proto_find(ops->name), ops);
	const struct node_ops *n = &ops->node;
	assert_non_null(n->create);
	assert_non_null(n->on_message);
	assert_non_null(n->on_timer);
	assert_non_null(n->on_crash);
	assert_non_null(n->on_restart);
	assert_non_null(ops->status);
	assert_non_null(ops->describe);
	/* Clients: declared, not guessed. */
	assert_true(ops->kv_clients == (n->on_client != NULL));
	assert_true(n->nmsg_kinds > 0);
	assert_non_null(n->msg_kinds);
	for (int i = 0; i < n->nmsg_kinds; i++) {
		assert_non_null(n->msg_kinds[i].name);
		assert_true(n->msg_kinds[i].glyph > ' ');
	}
	/* Options: each default parses. */
	struct sbuf err = {0};
	for (int i = 0; ops->options && ops->options[i].key; i++) {
		struct opt_value v;
		assert_int_equal(proto_option_index(ops, ops->options[i].key), i);
		if (!proto_option_parse(ops, i, ops->options[i].def, &v, &err))
			fail_msg("%s: default of %s: %s", ops->name, ops->options[i].key,
				 sbuf_str(&err));
	}
	/* Sets (bug=): the default is none, so a cluster and the fuzzer run
	 * the protocol whole unless asked; every name parses alone and
	 * joined to another, and prints back as written. */
	for (int i = 0; ops->options && ops->options[i].key; i++) {
		const struct proto_option *o = &ops->options[i];
		if (o->kind != OPT_SET)
			continue;
		struct opt_value v;
		assert_true(proto_option_parse(ops, i, o->def, &v, &err));
		assert_int_equal(v.i, 0);
		char buf[256], pair[256];
		snprintf(buf, sizeof buf, "%s", o->choices);
		const char *first = NULL;
		for (char *sp = NULL, *t = strtok_r(buf, "|", &sp); t;
		     t = strtok_r(NULL, "|", &sp)) {
			struct sbuf out = {0};
			assert_true(proto_option_parse(ops, i, t, &v, &err));
			assert_int_not_equal(v.i, 0);
			proto_option_fmt(ops, i, &v, &out);
			assert_string_equal(sbuf_str(&out), t);
			sbuf_free(&out);
			if (!first) {
				first = t;
				continue;
			}
			snprintf(pair, sizeof pair, "%s,%s", first, t);
			assert_true(proto_option_parse(ops, i, pair, &v, &err));
			proto_option_fmt(ops, i, &v, &out);
			assert_string_equal(sbuf_str(&out), pair);
			sbuf_free(&out);
		}
		sbuf_clear(&err);
		assert_false(proto_option_parse(ops, i, "no-such-rule", &v, &err));
		assert_false(proto_option_parse(ops, i, "", &v, &err));
		for (const struct proto_vary *fv = ops->fuzz_vary; fv && fv->key; fv++)
			assert_string_not_equal(fv->key, o->key);
	}
	/* What the fuzzer varies: real options, values that parse. */
	int nv = 0;
	for (const struct proto_vary *v = ops->fuzz_vary; v && v->key; v++, nv++) {
		int idx = proto_option_index(ops, v->key);
		if (idx < 0)
			fail_msg("%s: fuzz_vary names no option %s", ops->name, v->key);
		char buf[160];
		snprintf(buf, sizeof buf, "%s", v->values);
		for (char *sp = NULL, *t = strtok_r(buf, "|", &sp); t;
		     t = strtok_r(NULL, "|", &sp)) {
			struct opt_value ov;
			sbuf_clear(&err);
			if (!proto_option_parse(ops, idx, t, &ov, &err))
				fail_msg("%s: fuzz_vary %s=%s: %s", ops->name, v->key, t,
					 sbuf_str(&err));
		}
	}
	assert_true(nv <= PROTO_MAX_VARY);
	for (int i = 0; ops->preds && ops->preds[i].name; i++)
		assert_non_null(ops->preds[i].eval);
	for (int i = 0; ops->commands && ops->commands[i].name; i++)
		assert_non_null(ops->commands[i].run);
	/* "Time out now" names one of its commands, which takes a node. */
	if (ops->timeout_cmd) {
		bool named = false;
		for (int i = 0; ops->commands && ops->commands[i].name; i++)
			if (!strcmp(ops->commands[i].name, ops->timeout_cmd)) {
				named = true;
				assert_string_equal(ops->commands[i].usage, "NODE");
			}
		if (!named)
			fail_msg("%s: timeout_cmd %s is none of its commands", ops->name,
				 ops->timeout_cmd);
	}
	/* The check layer knows it, and its liveness fits it. */
	const struct check_caps *c = check_caps_of(ops);
	if (!c)
		fail_msg("%s has no row in src/check/caps.c", ops->name);
	/* The predicates its checker answers: complete, evaluated by the
	 * checker (their info.eval is not the protocol's). */
	for (int i = 0; c->preds && c->preds[i].info.name; i++) {
		assert_non_null(c->preds[i].eval);
		assert_null(c->preds[i].info.eval);
		assert_non_null(c->preds[i].info.usage);
		assert_non_null(c->preds[i].info.help);
		if (!c->invariants)
			fail_msg("%s: predicate %s of a checker it has not", ops->name,
				 c->preds[i].info.name);
	}
	if (c->liveness) {
		sbuf_clear(&err);
		if (!fuzz_liveness_valid(ops, c->liveness, &err))
			fail_msg("%s: liveness: %s", ops->name, sbuf_str(&err));
	}
	sbuf_free(&err);
}

/* ---- running ---------------------------------------------------------------- */

struct tracer {
	struct sim *s;
	struct sbuf out;
	int sends; /* messages the protocol sent */
};

/* The trace in bytes: every event with every message described. */
static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tracer *t = ctx;
	if (ev->kind == TR_SEND)
		t->sends++;
	sbuf_printf(&t->out, "%d %lld %d %d", ev->kind, (long long)ev->at, ev->node, ev->peer);
	if (ev->msg) {
		sbuf_printf(&t->out, " #%u %s ", ev->msg->id, sim_msg_name(t->s, ev->msg));
		sim_describe_msg(t->s, ev->msg, &t->out);
	}
	if (ev->text)
		sbuf_printf(&t->out, " %s", ev->text);
	if (ev->op)
		sbuf_printf(&t->out, " op%u %s", ev->op->id, op_outcome_str(ev->op->outcome));
	sbuf_putc(&t->out, '\n');
}

/* Describes every node and every message in flight; checks the views are
 * well-formed. */
static void describe_all(struct sim *s)
{
	const struct proto_ops *ops = sim_proto(s);
	for (int i = 0; i < sim_nodes(s); i++) {
		struct node *n = sim_node(s, i);
		struct node_status st;
		ops->status(n->self, &st);
		struct node_view v;
		memset(&v, 0x5a, sizeof v);
		ops->describe(n->self, &v);
		assert_true(v.nlines >= 0 && v.nlines <= VIEW_LINES);
		for (int k = 0; k < v.nlines; k++)
			assert_true(nul_within(v.lines[k], VIEW_LINE_LEN));
		assert_true(nul_within(v.badge, sizeof v.badge));
		assert_true(v.nlog >= 0 && v.nlog <= VIEW_LOG_MAX);
		/* Timers (struct view_timer): well-formed spans, armed in the
		 * past; none on a crashed node. */
		assert_true(v.ntimers >= 0 && v.ntimers <= VIEW_TIMERS);
		if (!n->up)
			assert_int_equal(v.ntimers, 0);
		for (int k = 0; k < v.ntimers; k++) {
			assert_true(nul_within(v.timers[k].name, sizeof v.timers[k].name));
			assert_true(v.timers[k].name[0]);
			assert_true(v.timers[k].fires_at > v.timers[k].armed_at);
			assert_true(v.timers[k].armed_at <= sim_now(s));
			assert_true(v.timers[k].kind <= VT_SILENCE);
		}
		if (ops->log_entry && v.log_last > 0) {
			struct log_view_entry e;
			int64_t from = v.log_last > 64 ? v.log_last - 64 : 1;
			for (int64_t k = from; k <= v.log_last; k++)
				if (ops->log_entry(n->self, k, &e))
					assert_true(nul_within(e.cmd, sizeof e.cmd));
		}
	}
	for (int i = 0; i < sim_inflight_count(s); i++) {
		const struct msg *m = sim_inflight(s, i);
		assert_true(m->type < ops->node.nmsg_kinds);
		struct sbuf d = {0};
		sim_describe_msg(s, m, &d);
		assert_true(d.len > 0);
		sbuf_free(&d);
	}
}

static void put_some(struct sim *s, int k)
{
	if (!sim_proto(s)->kv_clients)
		return;
	int c = sim_client_idle(s, 1);
	struct kv_op op = {.fn = k % 4 == 3 ? KV_GET : KV_PUT};
	snprintf(op.key, sizeof op.key, "k%d", k % 3);
	snprintf(op.arg, sizeof op.arg, "%d", k);
	sim_client_invoke(s, c, -1, &op);
}

/* The whole life of a cluster; returns the trace bytes (caller frees) and
 * the number of messages sent in *sends. */
static char *life(const struct proto_ops *ops, int nodes, uint64_t seed, int *sends)
{
	struct tracer t = {0};
	t.s = sim_new(ops, NULL, nodes, seed);
	assert_non_null(t.s);
	sim_observe(t.s, on_trace, &t);
	sim_time now = 0;
	int k = 0;
	for (; now < 2 * SIM_S; now += 100 * SIM_MS) {
		put_some(t.s, k++);
		sim_run_until(t.s, now + 100 * SIM_MS);
		describe_all(t.s);
	}
	/* Crash and restart every node in turn, with load and views between. */
	for (int i = 0; i < nodes; i++) {
		assert_true(sim_crash(t.s, i));
		assert_false(sim_node(t.s, i)->up);
		for (int r = 0; r < 4; r++) {
			put_some(t.s, k++);
			now += 150 * SIM_MS;
			sim_run_until(t.s, now);
			describe_all(t.s);
		}
		assert_true(sim_restart(t.s, i));
		assert_true(sim_node(t.s, i)->up);
		now += 300 * SIM_MS;
		sim_run_until(t.s, now);
		describe_all(t.s);
	}
	/* Every node down at once, then all back. */
	for (int i = 0; i < nodes; i++)
		sim_crash(t.s, i);
	now += 500 * SIM_MS;
	sim_run_until(t.s, now);
	describe_all(t.s);
	for (int i = 0; i < nodes; i++)
		sim_restart(t.s, i);
	now += 2 * SIM_S;
	sim_run_until(t.s, now);
	describe_all(t.s);
	sim_free(t.s);
	*sends = t.sends;
	return t.out.s ? t.out.s : calloc(1, 1); /* nothing happened: "" */
}

static void check_life(const struct proto_ops *ops)
{
	print_message("  life of %s\n", ops->name);
	for (int nodes = 1; nodes <= 5; nodes += 2) {
		int sa, sb, sc;
		char *a = life(ops, nodes, 42 + (uint64_t)nodes, &sa);
		char *b = life(ops, nodes, 42 + (uint64_t)nodes, &sb);
		assert_non_null(a);
		if (strcmp(a, b))
			fail_msg("%s, %d nodes: the same seed gave different traces", ops->name,
				 nodes);
		char *c = life(ops, nodes, 4242, &sc);
		/* A different seed is a different run (jittered timers) — for a
		 * protocol that does something by itself. One that waits for a
		 * command (generals' `order`) sends nothing in a life without
		 * commands, and its idle trace has nothing for the seed to vary. */
		if (nodes > 1 && !sa && !sc)
			print_message("  %s sends nothing by itself: no seed to compare\n",
				      ops->name);
		else if (nodes > 1 && !strcmp(a, c))
			fail_msg("%s, %d nodes: seeds 42 and 4242 gave the same trace", ops->name,
				 nodes);
		free(a);
		free(b);
		free(c);
	}
}

/* ---- fuzzing ---------------------------------------------------------------- */

static void check_fuzz(const struct proto_ops *ops)
{
	print_message("  fuzz of %s\n", ops->name);
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.proto = ops->name;
	o.duration = 5 * SIM_S;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		fuzz_plan_make(&p, &o, seed);
		bool ok = fuzz_run(&p, &o, &r);
		struct sbuf text = {0};
		fuzz_plan_text(&p, &o, &text);
		if (!ok)
			fail_msg("%s: fuzz seed %llu: %s\n%s", ops->name, (unsigned long long)seed,
				 r.why, sbuf_str(&text));
		/* Without kv clients, no client load in the plan. */
		for (size_t i = 0; i < p.n; i++)
			if (!ops->kv_clients)
				assert_int_not_equal(p.steps[i].kind, FZ_OP);
		/* The rendered scenario replays, and every expect holds. */
		if (seed == 1) {
			struct world *w = world_new();
			world_set_output(w, quiet, NULL);
			struct sbuf err = {0};
			struct script *sc = script_parse(sbuf_str(&text), "fuzz.ns", w, &err);
			if (!sc)
				fail_msg("%s: the fuzz scenario does not parse: %s\n%s", ops->name,
					 sbuf_str(&err), sbuf_str(&text));
			enum exec_status st = world_run(w, sc, &err);
			if (st != EXEC_OK)
				fail_msg(
				    "%s: the fuzz scenario: status %d, %d expects failed: %s\n%s",
				    ops->name, st, world_expects_failed(w), sbuf_str(&err),
				    sbuf_str(&text));
			assert_true(world_expects_passed(w) >= 2);
			script_free(sc);
			world_free(w);
			sbuf_free(&err);
		}
		sbuf_free(&text);
		fuzz_plan_free(&p);
	}
}

/* ---- the least a protocol may give ----------------------------------------- */

struct bare {
	struct node *n;
	int ticks;
};

static void *bare_create(struct node *n, const void *config)
{
	(void)config;
	struct bare *b = calloc(1, sizeof *b);
	b->n = n;
	node_set_timer(n, 0, 10 * SIM_MS);
	return b;
}
static void bare_on_timer(void *self, int timer)
{
	struct bare *b = self;
	(void)timer;
	b->ticks++;
	node_send(b->n, (b->n->id + 1) % node_count(b->n), 0, &b->ticks, sizeof b->ticks);
	node_set_timer(b->n, 0, 10 * SIM_MS);
}
static void bare_on_message(void *self, const struct msg *m)
{
	(void)self;
	(void)m;
}
static void bare_on_crash(void *self)
{
	(void)self;
}
static void bare_on_restart(void *self)
{
	struct bare *b = self;
	node_set_timer(b->n, 0, 10 * SIM_MS);
}
static void bare_status(const void *self, struct node_status *out)
{
	(void)self;
	*out = (struct node_status){ROLE_NONE, NULL, -1, -1, -1};
}
static void bare_describe(const void *self, struct node_view *out)
{
	memset(out, 0, sizeof *out);
	bare_status(self, &out->st);
}

static const struct msg_kind bare_msgs[] = {{"Tick", 't', false}};

/* Only what proto.h requires; destroy is NULL, so the test frees. */
static const struct proto_ops bare_ops = {
    .node = {.create = bare_create,
	     .on_message = bare_on_message,
	     .on_timer = bare_on_timer,
	     .on_crash = bare_on_crash,
	     .on_restart = bare_on_restart,
	     .msg_kinds = bare_msgs,
	     .nmsg_kinds = 1},
    .name = "bare",
    .summary = "the least a protocol may give",
    .status = bare_status,
    .describe = bare_describe,
};

static void test_optional_fields_may_be_null(void **state)
{
	(void)state;
	struct sim *s = sim_new(&bare_ops, NULL, 3, 9);
	assert_null(check_caps_of(&bare_ops));
	sim_run_until(s, 25 * SIM_MS);
	assert_true(sim_inflight_count(s) > 0);
	/* No describe_msg: the kind's name. */
	struct sbuf d = {0};
	sim_describe_msg(s, sim_inflight(s, 0), &d);
	assert_string_equal(sim_msg_name(s, sim_inflight(s, 0)), "Tick");
	sbuf_free(&d);
	assert_int_equal(proto_leader(s), -1);
	/* The views: no log_entry, no roles, no badge. */
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	tui_snap_cluster(s, 0, &sb, &snap);
	assert_int_equal(snap.nnodes, 3);
	tui_snap_logs(s, 0, 5, &sb, &snap);
	tui_snapbuf_free(&sb);
	/* No options: defaults are empty; no fuzz_vary; no preds or commands. */
	struct proto_opts o;
	proto_opts_default(&bare_ops, &o);
	assert_int_equal(o.n, 0);
	assert_int_equal(proto_option_index(&bare_ops, "batch"), -1);
	/* Crash, restart, byzantine silence: all without optional callbacks. */
	assert_true(sim_crash(s, 1));
	assert_true(sim_restart(s, 1));
	assert_false(sim_set_byzantine(s, 0, BYZ_LIE));
	assert_true(sim_set_byzantine(s, 0, BYZ_SILENT));
	sim_run_until(s, 100 * SIM_MS);
	void *selves[3];
	for (int i = 0; i < 3; i++)
		selves[i] = sim_node(s, i)->self;
	sim_free(s);
	for (int i = 0; i < 3; i++)
		free(selves[i]);
}

static void test_every_protocol(void **state)
{
	(void)state;
	int n = 0;
	for (int i = 0; proto_all[i]; i++, n++) {
		print_message("%s\n", proto_all[i]->name);
		check_table(proto_all[i]);
		check_life(proto_all[i]);
		check_fuzz(proto_all[i]);
	}
	assert_true(n >= 5);
}

/* The bugs table and option `bug` agree: one row per choice, in order,
 * each with a rule and a source; a protocol with either has both. */
static void test_bug_rows_match_the_option(void **state)
{
	(void)state;
	for (int i = 0; proto_all[i]; i++) {
		const struct proto_ops *ops = proto_all[i];
		int idx = proto_option_index(ops, "bug");
		if (idx < 0) {
			assert_null(ops->bugs);
			continue;
		}
		print_message("%s bugs\n", ops->name);
		assert_int_equal(ops->options[idx].kind, OPT_SET);
		assert_non_null(ops->bugs);
		const char *c = ops->options[idx].choices;
		int k = 0;
		for (; ops->bugs[k].name; k++) {
			size_t n = strcspn(c, "|");
			assert_int_equal(strlen(ops->bugs[k].name), n);
			assert_memory_equal(ops->bugs[k].name, c, n);
			assert_true(ops->bugs[k].rule && *ops->bugs[k].rule);
			assert_true(ops->bugs[k].source && *ops->bugs[k].source);
			assert_ptr_equal(proto_bug_find(ops, ops->bugs[k].name), &ops->bugs[k]);
			c += n + (c[n] == '|');
		}
		assert_true(k > 0);
		assert_string_equal(c, ""); /* no choice without a row */
		assert_null(proto_bug_find(ops, "none"));
	}
}

/* Every row of the check layer's table names a registered protocol. */
static void test_caps_rows_are_registered(void **state)
{
	(void)state;
	for (int i = 0; check_caps_all[i].proto; i++) {
		bool found = false;
		for (int k = 0; proto_all[k]; k++)
			found |= proto_all[k] == check_caps_all[i].proto;
		assert_true(found);
		assert_ptr_equal(check_caps_of(check_caps_all[i].proto), &check_caps_all[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_protocol),
	    cmocka_unit_test(test_caps_rows_are_registered),
	    cmocka_unit_test(test_bug_rows_match_the_option),
	    cmocka_unit_test(test_optional_fields_may_be_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

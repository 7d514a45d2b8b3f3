/*
 * test_byzantine.c — the simulator's place for Byzantine nodes
 * (sim_set_byzantine, node_ops.corrupt_msg; see sim.h): a silent traitor
 * sends nothing but stays up and keeps receiving; a lying one tells every
 * peer the same forged thing, an equivocating one tells different peers
 * different things; forged messages are flagged and traced; modes that
 * forge need the protocol's corrupt_msg; runs with traitors are
 * deterministic, and setting a node loyal again undoes it. The heartbeat
 * detector is the protocol under test (its corrupt_msg lies about whom
 * the traitor hears).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto/proto.h"
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

extern const struct proto_ops heartbeat_ops, raft_ops;

/* The heartbeat wire format (heartbeat.c). */
struct hb_wire {
	uint32_t seq;
	uint32_t pad;
	struct nodeset hears;
};

#define MAXSEEN 4096

struct seen {
	int from;
	int n;
	struct {
		int to;
		uint16_t flags;
		uint32_t seq;
		struct nodeset hears;
	} m[MAXSEEN];
	struct sbuf trace; /* every event, for the determinism check */
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct seen *c = ctx;
	if (ev->msg)
		sbuf_printf(&c->trace, "%d %lld %d %d %u %u\n", ev->kind, (long long)ev->at,
			    ev->node, ev->peer, ev->msg->id, ev->msg->flags);
	else
		sbuf_printf(&c->trace, "%d %lld %d %s\n", ev->kind, (long long)ev->at, ev->node,
			    ev->text ? ev->text : "");
	if (ev->kind != TR_SEND || ev->msg->from != c->from || c->n == MAXSEEN)
		return;
	struct hb_wire w;
	assert_int_equal(ev->msg->len, sizeof w);
	memcpy(&w, ev->msg->data, sizeof w);
	c->m[c->n].to = ev->msg->to;
	c->m[c->n].flags = ev->msg->flags;
	c->m[c->n].seq = w.seq;
	c->m[c->n].hears = w.hears;
	c->n++;
}

static bool same_set(const struct nodeset *a, const struct nodeset *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1];
}

static bool hb_pred(struct sim *s, const char *name, int node)
{
	const struct proto_pred *pp = NULL;
	for (int i = 0; heartbeat_ops.preds[i].name; i++)
		if (!strcmp(heartbeat_ops.preds[i].name, name))
			pp = &heartbeat_ops.preds[i];
	assert_non_null(pp);
	struct proto_args a = {.n = 2};
	a.a[0] = (struct arg){.kind = ARG_NODE, .present = true, .node = node};
	a.a[1] = (struct arg){.kind = ARG_NODES, .present = false};
	struct sbuf why = {0};
	bool ok = pp->eval(s, &a, &why);
	sbuf_free(&why);
	return ok;
}

static void test_silent_stays_up_and_receives(void **state)
{
	(void)state;
	struct sim *s = sim_new(&heartbeat_ops, NULL, 3, 7);
	struct seen *c = calloc(1, sizeof *c);
	c->from = 1;
	sim_observe(s, on_trace, c);
	sim_run_until(s, 1 * SIM_S);
	assert_true(hb_pred(s, "trusted", 1));
	int before = c->n;
	uint64_t got = sim_node(s, 1)->received;
	assert_true(sim_set_byzantine(s, 1, BYZ_SILENT));
	assert_int_equal(sim_byzantine(s, 1), BYZ_SILENT);
	sim_run_until(s, 3 * SIM_S);
	assert_int_equal(c->n, before);              /* nothing left n2 */
	assert_true(sim_node(s, 1)->up);             /* yet it is up */
	assert_true(sim_node(s, 1)->received > got); /* and hears the others */
	assert_true(hb_pred(s, "presumed-dead", 1)); /* who take it for dead */
	/* Loyal again: it beats, and is trusted again. */
	assert_true(sim_set_byzantine(s, 1, BYZ_LOYAL));
	sim_run_until(s, 4 * SIM_S);
	assert_true(c->n > before);
	assert_true(hb_pred(s, "trusted", 1));
	sbuf_free(&c->trace);
	free(c);
	sim_free(s);
}

/* Runs 5 nodes with n2 in `mode` from 1 s; fills c with n2's sends. */
static struct sim *run_traitor(struct seen *c, enum byz_mode mode, uint64_t seed)
{
	struct sim *s = sim_new(&heartbeat_ops, NULL, 5, seed);
	c->from = 1;
	sim_observe(s, on_trace, c);
	sim_run_until(s, 1 * SIM_S);
	c->n = 0;
	assert_true(sim_set_byzantine(s, 1, mode));
	sim_run_until(s, 2 * SIM_S);
	return s;
}

static void test_lie_is_the_same_to_everyone(void **state)
{
	(void)state;
	struct seen *c = calloc(1, sizeof *c);
	struct sim *s = run_traitor(c, BYZ_LIE, 11);
	assert_true(c->n >= 8);
	/* In a healthy cluster the truth is: n2 hears every peer. */
	struct nodeset truth = {{0, 0}};
	for (int p = 0; p < 5; p++)
		if (p != 1)
			nodeset_add(&truth, p);
	for (int i = 0; i < c->n; i++) {
		assert_true(c->m[i].flags & MSG_FORGED);
		/* The lie differs from the truth about some third node ... */
		struct nodeset t = truth;
		nodeset_del(&t, c->m[i].to);
		struct nodeset h = c->m[i].hears;
		nodeset_del(&h, c->m[i].to);
		assert_false(same_set(&t, &h));
		/* ... and is the same lie to every peer of one beat. */
		for (int j = 0; j < c->n; j++)
			if (c->m[j].seq == c->m[i].seq) {
				struct nodeset a = c->m[i].hears, b = c->m[j].hears;
				for (int p = 0; p < 5; p++)
					if (p == c->m[i].to || p == c->m[j].to) {
						nodeset_del(&a, p);
						nodeset_del(&b, p);
					}
				assert_true(same_set(&a, &b));
			}
	}
	sbuf_free(&c->trace);
	free(c);
	sim_free(s);
}

static void test_equivocation_differs_by_peer(void **state)
{
	(void)state;
	struct seen *c = calloc(1, sizeof *c);
	struct sim *s = run_traitor(c, BYZ_EQUIVOCATE, 11);
	bool differ = false;
	for (int i = 0; i < c->n; i++) {
		assert_true(c->m[i].flags & MSG_FORGED);
		for (int j = 0; j < c->n; j++)
			if (c->m[j].seq == c->m[i].seq && !same_set(&c->m[i].hears, &c->m[j].hears))
				differ = true;
	}
	assert_true(differ);
	sbuf_free(&c->trace);
	free(c);
	sim_free(s);
}

static void test_random_and_determinism(void **state)
{
	(void)state;
	struct seen *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct sim *sa = run_traitor(a, BYZ_RANDOM, 5);
	struct sim *sb = run_traitor(b, BYZ_RANDOM, 5);
	assert_string_equal(sbuf_str(&a->trace), sbuf_str(&b->trace));
	/* Random: some sent as is, some forged (and some dropped). */
	int forged = 0, plain = 0;
	for (int i = 0; i < a->n; i++)
		*(a->m[i].flags & MSG_FORGED ? &forged : &plain) += 1;
	assert_true(forged > 0 && plain > 0);
	sbuf_free(&a->trace);
	sbuf_free(&b->trace);
	free(a);
	free(b);
	sim_free(sa);
	sim_free(sb);
}

/* No traitor, no draw: the run is the run without the feature. */
static void test_loyal_changes_nothing(void **state)
{
	(void)state;
	struct seen *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct sim *sa = sim_new(&heartbeat_ops, NULL, 4, 3);
	struct sim *sb = sim_new(&heartbeat_ops, NULL, 4, 3);
	sim_observe(sa, on_trace, a);
	sim_observe(sb, on_trace, b);
	assert_true(sim_set_byzantine(sb, 2, BYZ_LOYAL));
	sim_run_until(sa, 2 * SIM_S);
	sim_run_until(sb, 2 * SIM_S);
	assert_string_equal(sbuf_str(&a->trace), sbuf_str(&b->trace));
	sbuf_free(&a->trace);
	sbuf_free(&b->trace);
	free(a);
	free(b);
	sim_free(sa);
	sim_free(sb);
}

/* A protocol that does not say how to lie cannot be made to: the
 * simulator forges no bytes it does not understand. Silence needs no
 * help. */
static void test_forging_needs_corrupt_msg(void **state)
{
	(void)state;
	assert_null(raft_ops.node.corrupt_msg);
	struct sim *s = sim_new(&raft_ops, NULL, 3, 1);
	assert_false(sim_set_byzantine(s, 0, BYZ_LIE));
	assert_false(sim_set_byzantine(s, 0, BYZ_EQUIVOCATE));
	assert_false(sim_set_byzantine(s, 0, BYZ_RANDOM));
	assert_int_equal(sim_byzantine(s, 0), BYZ_LOYAL);
	assert_true(sim_set_byzantine(s, 0, BYZ_SILENT));
	assert_false(sim_set_byzantine(s, 9, BYZ_SILENT));
	assert_string_equal(byz_mode_str(BYZ_EQUIVOCATE), "equivocate");
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_silent_stays_up_and_receives),
	    cmocka_unit_test(test_lie_is_the_same_to_everyone),
	    cmocka_unit_test(test_equivocation_differs_by_peer),
	    cmocka_unit_test(test_random_and_determinism),
	    cmocka_unit_test(test_loyal_changes_nothing),
	    cmocka_unit_test(test_forging_needs_corrupt_msg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

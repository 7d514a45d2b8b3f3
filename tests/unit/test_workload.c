/*
 * test_workload.c — the workload generator: parsing its spec, the arrival
 * rate, the mix, unique values, client numbering, determinism, stopping.
 * A one-node protocol that answers every request at once stands in for a
 * real store (the sim refuses client ops without a protocol that serves
 * them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/lin.h"
#include "proto/proto.h"
#include "sim/workload.h"

#include <stdlib.h>
#include <string.h>

/* An echo store: answers ok at once; a get finds nothing. */
static void *echo_create(struct node *n, const void *o)
{
	(void)o;
	return n;
}

static void echo_destroy(void *self)
{
	(void)self;
}

static void echo_on_client(void *self, const struct client_req *r)
{
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	node_reply(self, r, &rep);
}

static const struct proto_ops echo_ops = {
    .node =
	{
	    .create = echo_create,
	    .destroy = echo_destroy,
	    .on_client = echo_on_client,
	},
    .name = "echo",
    .kv_clients = true,
};

static void test_parse(void **state)
{
	(void)state;
	struct workload_cfg c;
	struct sbuf err = {0};
	assert_true(
	    workload_parse("clients 3 rate 20/s keys 2 mix put:40,get:40,cas:20", &c, &err));
	assert_int_equal(c.clients, 3);
	assert_true(c.rate == 20);
	assert_int_equal(c.keys, 2);
	assert_int_equal(c.mix[WL_PUT], 40);
	assert_int_equal(c.mix[WL_GET], 40);
	assert_int_equal(c.mix[WL_CAS], 20);
	assert_int_equal(c.mix[WL_APPEND], 0);
	assert_int_equal(c.client_base, 100);
	assert_false(c.uniform);
	struct sbuf f = {0};
	workload_cfg_fmt(&c, &f);
	assert_string_equal(sbuf_str(&f), "clients 3 rate 20/s keys 2 mix get:40,put:40,cas:20");
	sbuf_free(&f);

	assert_true(workload_parse("rate 2/ms arrivals uniform base 500 for 10s", &c, &err));
	assert_true(c.rate == 2000);
	assert_true(c.uniform);
	assert_int_equal(c.client_base, 500);
	assert_int_equal(c.duration, 10 * SIM_S);
	assert_true(workload_parse("", &c, &err)); /* the defaults */
	assert_int_equal(c.clients, 3);

	const char *bad[] = {"clients 0",       "clients",   "rate fast",  "rate 0/s",
			     "keys 99",         "mix put:x", "mix frob:1", "mix put:0",
			     "arrivals bursty", "for soon",  "colour blue"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		sbuf_clear(&err);
		assert_false(workload_parse(bad[i], &c, &err));
		assert_true(err.len > 0);
	}
	sbuf_clear(&err);
	workload_parse("keys 99", &c, &err);
	assert_string_equal(sbuf_str(&err), "workload: keys must be 1..64, not '99'");
	sbuf_free(&err);
	char k[16];
	workload_key_name(0, k, sizeof k);
	assert_string_equal(k, "x");
	workload_key_name(6, k, sizeof k);
	assert_string_equal(k, "k7");
}

struct run {
	struct history h;
	uint64_t invoked[WL_NFN], skipped;
};

static void run(const char *spec, uint64_t seed, sim_time len, struct run *out)
{
	struct sim *s = sim_new(&echo_ops, NULL, 1, seed);
	history_init(&out->h);
	history_attach(&out->h, s);
	struct workload_cfg c;
	struct sbuf err = {0};
	assert_true(workload_parse(spec, &c, &err));
	struct workload *w = workload_start(s, &c);
	sim_run_until(s, len);
	assert_true(workload_running(w) || c.duration > 0);
	memcpy(out->invoked, workload_stats(w)->invoked, sizeof out->invoked);
	out->skipped = workload_stats(w)->skipped;
	workload_stop(w);
	assert_false(workload_running(w));
	sim_run_until(s, len + 5 * SIM_S); /* past the last arrival: inert */
	history_detach(&out->h);
	sim_free(s);
	workload_free(w);
	sbuf_free(&err);
}

static void test_rate_mix_values(void **state)
{
	(void)state;
	struct run r;
	run("clients 5 rate 100/s keys 3 mix put:40,get:40,cas:10,append:10", 1, 60 * SIM_S, &r);
	/* About 6000 arrivals in 60 s (Poisson: sd ~ 77); ops take 2 ms, so
	 * 5 clients are seldom all busy. */
	uint64_t total = r.skipped;
	for (int i = 0; i < WL_NFN; i++)
		total += r.invoked[i];
	assert_true(total > 5600 && total < 6400);
	assert_int_equal(r.h.n, total - r.skipped);
	/* The mix, within a few percent. */
	assert_true(r.invoked[WL_PUT] > total * 35 / 100 && r.invoked[WL_PUT] < total * 45 / 100);
	assert_true(r.invoked[WL_CAS] > total * 7 / 100 && r.invoked[WL_CAS] < total * 13 / 100);
	/* Clients 100..104 only, keys x, y, z; values written unique per key. */
	bool seen_client[5] = {false};
	for (size_t i = 0; i < r.h.n; i++) {
		const struct hist_op *o = &r.h.ops[i];
		assert_true(o->process >= 100 && o->process < 105);
		seen_client[o->process - 100] = true;
		assert_true(!strcmp(o->key, "x") || !strcmp(o->key, "y") || !strcmp(o->key, "z"));
		const char *v = o->f == HIST_CAS ? o->arg2 : o->arg;
		if (o->f == HIST_READ)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct hist_op *p = &r.h.ops[j];
			const char *u = p->f == HIST_CAS ? p->arg2 : p->arg;
			if (p->f != HIST_READ && p->key == o->key)
				assert_true(strcmp(u, v) != 0);
		}
		if (i > 600)
			break; /* quadratic: a prefix is enough */
	}
	for (int i = 0; i < 5; i++)
		assert_true(seen_client[i]);
	history_close(&r.h);
}

static void test_deterministic_and_bounded(void **state)
{
	(void)state;
	struct run a, b, c;
	run("clients 2 rate 30/s keys 2", 9, 10 * SIM_S, &a);
	run("clients 2 rate 30/s keys 2", 9, 10 * SIM_S, &b);
	run("clients 2 rate 30/s keys 2", 10, 10 * SIM_S, &c);
	assert_int_equal(a.h.n, b.h.n);
	for (size_t i = 0; i < a.h.n; i++) {
		assert_int_equal(a.h.ops[i].invoked, b.h.ops[i].invoked);
		assert_int_equal(a.h.ops[i].f, b.h.ops[i].f);
		assert_ptr_not_equal(a.h.ops[i].key, NULL);
		assert_string_equal(a.h.ops[i].key, b.h.ops[i].key);
	}
	bool differs = a.h.n != c.h.n;
	for (size_t i = 0; !differs && i < a.h.n; i++)
		differs = a.h.ops[i].invoked != c.h.ops[i].invoked;
	assert_true(differs); /* another seed, another run */
	history_close(&a.h);
	history_close(&b.h);
	history_close(&c.h);

	/* `for 2s`: nothing invoked after two seconds; uniform gaps <= 2/rate. */
	struct run d;
	run("clients 1 rate 10/s for 2s arrivals uniform", 3, 10 * SIM_S, &d);
	assert_true(d.h.n > 5);
	for (size_t i = 0; i < d.h.n; i++) {
		assert_true(d.h.ops[i].invoked < 2 * SIM_S);
		if (i)
			assert_true(d.h.ops[i].invoked - d.h.ops[i - 1].invoked <= 200 * SIM_MS);
	}
	history_close(&d.h);
}

/* Every client busy: arrivals are skipped, never queued behind a client. */
static void test_busy_clients_skip(void **state)
{
	(void)state;
	struct run r;
	run("clients 1 rate 2/ms", 5, 1 * SIM_S, &r);
	assert_true(r.skipped > 1000);
	for (size_t i = 1; i < r.h.n; i++)
		assert_true(r.h.ops[i].invoked >= r.h.ops[i - 1].completed);
	history_close(&r.h);
}

/* `home nodes` ties the k-th client to node k mod N (issue 10: in `netsplit
 * cap` a partition cuts clients off as it cuts nodes). A tied client's
 * first attempt goes to its home; another node answers it only over the
 * home's links both ways. */
static void test_home_nodes(void **state)
{
	(void)state;
	struct workload_cfg c;
	struct sbuf err = {0};
	assert_true(workload_parse("clients 4 rate 50/s home nodes", &c, &err));
	assert_true(c.home);
	struct sbuf f = {0};
	workload_cfg_fmt(&c, &f);
	assert_string_equal(sbuf_str(&f),
			    "clients 4 rate 50/s keys 1 mix get:50,put:50 home nodes");
	sbuf_free(&f);
	assert_false(workload_parse("home everywhere", &c, &err));
	assert_true(workload_parse("clients 4 rate 50/s home nodes", &c, &err));

	struct sim *s = sim_new(&echo_ops, NULL, 3, 4);
	struct history h;
	history_init(&h);
	history_attach(&h, s);
	struct workload *w = workload_start(s, &c);
	for (int k = 0; k < 4; k++)
		assert_int_equal(sim_client_home(s, 100 + k), k % 3);
	assert_int_equal(sim_client_home(s, 1), -1); /* the interactive clients roam */
	sim_run_until(s, 5 * SIM_S);
	workload_stop(w);
	sim_run_until(s, 10 * SIM_S);
	assert_true(h.n > 100);
	for (size_t i = 0; i < h.n; i++) {
		assert_int_equal(h.ops[i].outcome, OUT_OK);
		assert_int_equal(h.ops[i].node, (h.ops[i].process - 100) % 3);
	}

	/* Client 1 tied to n1: n2 answers it while the link is up... */
	struct kv_op op = {.fn = KV_PUT, .key = "x", .arg = "1"};
	sim_client_set_home(s, 1, 0);
	size_t before = h.n;
	sim_client_invoke(s, 1, 1, &op);
	sim_run_until(s, 12 * SIM_S);
	assert_int_equal(h.n, before + 1);
	assert_int_equal(h.ops[before].outcome, OUT_OK);
	assert_int_equal(h.ops[before].node, 1);
	/* ...not when n1 cannot reach n2 (nor n3): the attempts there are
	 * lost; only a retry that happens to go home (n1) is answered. */
	int group[3] = {0, 1, 1};
	sim_partition(s, group);
	for (int k = 0; k < 10; k++) {
		sim_client_invoke(s, 1, 1, &op);
		sim_run_until(s, sim_now(s) + 3 * SIM_S);
		const struct hist_op *o = &h.ops[h.n - 1];
		assert_true(o->outcome != OUT_OK || o->node == 0);
		assert_true(o->outcome == OUT_OK || o->outcome == OUT_UNKNOWN ||
			    o->outcome == OUT_FAIL);
	}
	assert_int_equal(h.n, before + 11);
	/* A one-way cut n2 -> n1 and n3 -> n1 loses the replies only. */
	sim_heal_all(s);
	sim_cut(s, 1, 0);
	sim_cut(s, 2, 0);
	for (int k = 0; k < 10; k++) {
		sim_client_invoke(s, 1, 2, &op);
		sim_run_until(s, sim_now(s) + 3 * SIM_S);
		const struct hist_op *o = &h.ops[h.n - 1];
		assert_true(o->outcome != OUT_OK || o->node == 0);
	}
	/* Untied again, it reaches every node. */
	sim_client_set_home(s, 1, -1);
	sim_client_invoke(s, 1, 2, &op);
	sim_run_until(s, sim_now(s) + 3 * SIM_S);
	assert_int_equal(h.ops[h.n - 1].outcome, OUT_OK);
	assert_int_equal(h.ops[h.n - 1].node, 2);
	history_detach(&h);
	history_close(&h);
	sim_free(s);
	workload_free(w);
	sbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_rate_mix_values),
	    cmocka_unit_test(test_deterministic_and_bounded),
	    cmocka_unit_test(test_busy_clients_skip),
	    cmocka_unit_test(test_home_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_history.c — client histories: recording from the simulator's trace
 * (with a tiny fake protocol defined here, no Raft needed), operations in
 * words, and the file formats (JSON lines, EDN, Jepsen logs) with their
 * errors and round trips.
 *
 * The fake protocol is a key-value store that answers on_client at once.
 * In "single" mode every node serves one shared copy (a linearizable
 * store); in "local" mode each node has its own copy and nothing is
 * replicated (stale reads: not linearizable); in "silent" mode nodes never
 * answer a put (the client times out: outcome unknown).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fake protocol ------------------------------------------------------------ */

enum fake_mode { FAKE_SINGLE, FAKE_LOCAL, FAKE_SILENT };

#define FAKE_KEYS 16

struct fake_store {
	int n;
	char key[FAKE_KEYS][KV_KEY_MAX];
	char val[FAKE_KEYS][KV_VAL_MAX];
};

static enum fake_mode fake_mode;
static struct fake_store fake_shared;

struct fake {
	struct node *n;
	struct fake_store own;
};

static void *fake_create(struct node *n, const void *o)
{
	(void)o;
	struct fake *f = xcalloc(1, sizeof *f);
	f->n = n;
	return f;
}

static void fake_destroy(void *self)
{
	free(self);
}

static void fake_nop(void *self)
{
	(void)self;
}

static void fake_on_message(void *self, const struct msg *m)
{
	(void)self;
	(void)m;
}

static void fake_on_timer(void *self, int timer)
{
	(void)self;
	(void)timer;
}

static int store_find(struct fake_store *st, const char *key, bool add)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->key[i], key))
			return i;
	if (!add || st->n == FAKE_KEYS)
		return -1;
	ns_strlcpy(st->key[st->n], key, KV_KEY_MAX);
	st->val[st->n][0] = '\0';
	return st->n++;
}

static void fake_on_client(void *self, const struct client_req *r)
{
	struct fake *f = self;
	struct fake_store *st = fake_mode == FAKE_LOCAL ? &f->own : &fake_shared;
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	int i;
	switch (r->op.fn) {
	case KV_SYNC: break;
	case KV_GET:
		i = store_find(st, r->op.key, false);
		rep.found = i >= 0;
		if (i >= 0)
			ns_strlcpy(rep.value, st->val[i], sizeof rep.value);
		break;
	case KV_PUT:
		if (fake_mode == FAKE_SILENT)
			return; /* the client will time out */
		i = store_find(st, r->op.key, true);
		ns_strlcpy(st->val[i], r->op.arg, KV_VAL_MAX);
		break;
	case KV_CAS:
		i = store_find(st, r->op.key, false);
		if (i < 0 || strcmp(st->val[i], r->op.arg)) {
			rep.status = REPLY_FAIL;
			ns_strlcpy(rep.why, "cas mismatch", sizeof rep.why);
		} else {
			ns_strlcpy(st->val[i], r->op.arg2, KV_VAL_MAX);
		}
		break;
	case KV_APPEND:
		i = store_find(st, r->op.key, true);
		if (strlen(st->val[i]) + strlen(r->op.arg) < KV_VAL_MAX)
			strcat(st->val[i], r->op.arg);
		break;
	}
	node_reply(f->n, r, &rep);
}

static void fake_describe_msg(const struct msg *m, struct sbuf *out)
{
	(void)m;
	sbuf_puts(out, "?");
}

static const struct proto_ops fake_ops = {
    .node =
	{
	    .create = fake_create,
	    .destroy = fake_destroy,
	    .on_message = fake_on_message,
	    .on_timer = fake_on_timer,
	    .on_client = fake_on_client,
	    .on_crash = fake_nop,
	    .on_restart = fake_nop,
	    .describe_msg = fake_describe_msg,
	},
    .name = "fake-kv",
    .summary = "a single-copy key-value store for tests",
    .kv_clients = true,
};

static struct sim *fake_sim(enum fake_mode mode, int nodes)
{
	fake_mode = mode;
	memset(&fake_shared, 0, sizeof fake_shared);
	return sim_new(&fake_ops, NULL, nodes, 42);
}

static struct kv_op kv(enum kv_fn fn, const char *key, const char *arg, const char *arg2)
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

/* ---- recording ---------------------------------------------------------------- */

static void test_attach_records_ops(void **state)
{
	(void)state;
	struct sim *s = fake_sim(FAKE_SINGLE, 1);
	struct history h;
	history_init(&h);
	history_attach(&h, s);
	struct kv_op put = kv(KV_PUT, "x", "1", NULL), get = kv(KV_GET, "x", NULL, NULL);
	struct kv_op cas = kv(KV_CAS, "x", "7", "8");
	sim_client_invoke(s, 1, 0, &put);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.ops[0].outcome, OUT_PENDING);
	sim_run_until(s, 100 * SIM_MS);
	sim_client_invoke(s, 2, 0, &get);
	sim_client_invoke(s, 1, 0, &cas);
	sim_run_until(s, 200 * SIM_MS);
	assert_int_equal(h.n, 3);
	const struct hist_op *o = &h.ops[0];
	assert_int_equal(o->outcome, OUT_OK);
	assert_int_equal(o->f, HIST_WRITE);
	assert_string_equal(o->key, "x");
	assert_string_equal(o->arg, "1");
	assert_int_equal(o->process, 1);
	assert_int_equal(o->node, 0);
	assert_int_equal(o->invoked, 0);
	assert_int_equal(o->completed, 2 * SIM_MS); /* client latency both ways */
	assert_string_equal(h.ops[1].result, "1");
	assert_int_equal(h.ops[2].outcome, OUT_FAIL); /* x is 1, not 7 */
	assert_string_equal(h.ops[2].why, "cas mismatch");

	struct sbuf b = {0};
	history_describe_op(&h, &h.ops[1], &b);
	assert_string_equal(sbuf_str(&b), "get x → 1 by c2 through n1, 0.100s–0.102s, ok");
	sbuf_clear(&b);
	history_describe_op(&h, &h.ops[2], &b);
	assert_string_equal(sbuf_str(&b),
			    "cas x 7→8 by c1 through n1, 0.100s–0.102s, fail (cas mismatch)");
	sbuf_free(&b);
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_OK);
	history_detach(&h);
	sim_client_invoke(s, 1, 0, &get); /* no longer recorded */
	assert_int_equal(h.n, 3);
	history_close(&h);
	sim_free(s);
}

/* Stale reads from unreplicated copies: the checker, live, catches it and
 * names the write and the read. */
static void test_stale_reads_caught_live(void **state)
{
	(void)state;
	struct sim *s = fake_sim(FAKE_LOCAL, 2);
	struct history h;
	history_init(&h);
	history_attach(&h, s);
	struct lin_checker *c = lin_new(&h, LIN_MODEL_KV);
	struct kv_op put = kv(KV_PUT, "x", "1", NULL), get = kv(KV_GET, "x", NULL, NULL);
	sim_run_until(s, 1100 * SIM_MS);
	sim_client_invoke(s, 1, 0, &put); /* via n1 */
	sim_run_until(s, 1310 * SIM_MS);
	assert_int_equal(lin_check(c, NULL), LIN_OK);
	sim_client_invoke(s, 2, 1, &get); /* via n2: x absent there */
	sim_run_until(s, 1400 * SIM_MS);
	assert_int_equal(lin_check(c, NULL), LIN_VIOLATION);
	struct sbuf why = {0};
	assert_true(lin_explain(c, NULL, &why));
	assert_non_null(strstr(sbuf_str(&why), "get x → absent by c2 started at 1.310s, after "
					       "put x=1 by c1 had completed at 1.102s through n1"));
	sbuf_free(&why);
	lin_free(c);
	history_close(&h);
	sim_free(s);
}

static void test_unknown_outcome_from_sim(void **state)
{
	(void)state;
	struct sim *s = fake_sim(FAKE_SILENT, 1);
	struct history h;
	history_init(&h);
	history_attach(&h, s);
	struct kv_op put = kv(KV_PUT, "x", "1", NULL), get = kv(KV_GET, "x", NULL, NULL);
	sim_client_invoke(s, 1, 0, &put);
	sim_run_until(s, 5 * SIM_S);
	assert_int_equal(h.ops[0].outcome, OUT_UNKNOWN);
	assert_int_equal(h.ops[0].completed, HIST_NEVER);
	assert_int_equal(h.ops[0].gave_up, sim_client_config(s)->deadline);
	sim_client_invoke(s, 2, 0, &get);
	sim_run_until(s, 6 * SIM_S);
	assert_int_equal(h.ops[1].outcome, OUT_OK);
	assert_null(h.ops[1].result); /* not found */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_OK);
	struct sbuf b = {0};
	history_describe_op(&h, &h.ops[0], &b);
	assert_string_equal(sbuf_str(&b),
			    "put x=1 by c1 through n1, 0.000s onwards, unknown (timed out)");
	sbuf_free(&b);
	history_close(&h);
	sim_free(s);
}

/* ---- files ---------------------------------------------------------------------- */

static void load_text(struct history *h, const char *text, enum hist_format fmt, bool want_ok,
		      const char *want_err)
{
	struct sbuf err = {0};
	history_init(h);
	bool ok = history_parse(h, text, strlen(text), "t.txt", fmt, &err);
	if (ok != want_ok)
		print_error("parse: %s\n", sbuf_str(&err));
	assert_int_equal(ok, want_ok);
	if (want_err)
		assert_string_equal(sbuf_str(&err), want_err);
	sbuf_free(&err);
}

static void test_edn(void **state)
{
	(void)state;
	struct history h;
	load_text(&h,
		  "; a comment\n"
		  "[{:process 0, :type :invoke, :f :write, :value 3}\n"
		  " {:process 1, :type :invoke, :f :read, :value nil}\n"
		  " {:process :nemesis, :type :info, :f :start}\n"
		  " {:process 0, :type :ok, :f :write, :value 3}\n"
		  " {:process 1, :type :ok, :f :read, :value 3}\n"
		  " {:process 2, :type :invoke, :f :cas, :value [3 4]}\n"
		  " {:process 2, :type :info, :f :cas, :value [3 4]}\n"
		  " {:process 3, :type :invoke, :f :write, :value 9}]\n",
		  HIST_FMT_AUTO, true, NULL);
	assert_int_equal(h.n, 4);
	assert_false(h.has_times);
	assert_int_equal(h.ops[0].line, 2);
	assert_int_equal(h.ops[0].ret_line, 5);
	assert_string_equal(h.ops[1].result, "3");
	assert_int_equal(h.ops[2].outcome, OUT_UNKNOWN);
	assert_string_equal(h.ops[2].arg, "3");
	assert_string_equal(h.ops[2].arg2, "4");
	assert_int_equal(h.ops[3].outcome, OUT_UNKNOWN); /* never completed */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_CAS_REGISTER, NULL, NULL, NULL), LIN_OK);
	history_close(&h);

	/* Porcupine's kv files: one map a line, no brackets. */
	load_text(&h,
		  "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
		  "{:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n"
		  "{:process 1, :type :invoke, :f :get, :key \"0\", :value nil}\n"
		  "{:process 1, :type :ok, :f :get, :key \"0\", :value \"x 0 0 y\"}\n",
		  HIST_FMT_AUTO, true, NULL);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.ops[1].key, "0");
	assert_ptr_equal(h.ops[0].key, h.ops[1].key); /* interned */
	assert_int_equal(lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL), LIN_OK);
	history_close(&h);

	/* Errors name the line. */
	load_text(&h, "[{:process 0, :type :invoke, :f :write, :value 3}\n {:process 0 :type :ok}]",
		  HIST_FMT_EDN, false,
		  "t.txt:2: an operation needs :process (a number), :type and :f");
	history_close(&h);
	load_text(&h, "[{:process 0, :type :ok, :f :write, :value 3}]", HIST_FMT_EDN, false,
		  "t.txt:1: process 0 completes :write without having invoked it");
	history_close(&h);
	load_text(&h, "[{:process 0, :type :invoke, :f :frob}]", HIST_FMT_EDN, false,
		  "t.txt:1: unknown operation :frob");
	history_close(&h);
	load_text(&h, "[{:process 0, :type :invoke, :f :cas, :value 3}]", HIST_FMT_EDN, false,
		  "t.txt:1: :cas needs a value [expected new]");
	history_close(&h);
	load_text(&h, "\n\n[{:process 0, :type :invoke", HIST_FMT_EDN, false,
		  "t.txt:3: '{' opened here is never closed");
	history_close(&h);
	load_text(
	    &h, "{:process 0, :type :invoke, :f :read}\n{:process 0, :type :invoke, :f :read}",
	    HIST_FMT_EDN, false,
	    "t.txt:2: process 0 invokes :read while its operation from line 1 is still running");
	history_close(&h);
}

static void test_jepsen_log(void **state)
{
	(void)state;
	struct history h;
	load_text(&h,
		  "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
		  "INFO  jepsen.core - something else\n"
		  "INFO  jepsen.util - 1   :invoke :cas    [1 2]\n"
		  "INFO  jepsen.util - 0\t:ok\t:read\tnil\n"
		  "INFO  jepsen.util - 1   :fail   :cas    [1 2]\n"
		  "INFO  jepsen.util - 2\t:invoke\t:write\t4\n"
		  "INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n"
		  "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n",
		  HIST_FMT_AUTO, true, NULL);
	assert_int_equal(h.n, 3);
	assert_true(h.jepsen);
	assert_null(h.ops[0].result);
	assert_int_equal(h.ops[0].ret_line, 4);
	assert_int_equal(h.ops[1].outcome, OUT_FAIL);
	assert_int_equal(h.ops[2].outcome, OUT_UNKNOWN);
	assert_int_equal(lin_check_history(&h, LIN_MODEL_ETCD, NULL, NULL, NULL), LIN_OK);
	struct sbuf b = {0};
	history_describe_op(&h, &h.ops[1], &b);
	assert_string_equal(sbuf_str(&b), "cas 1→2 by p1, line 3–line 5, fail");
	sbuf_free(&b);
	history_close(&h);

	const char *later =
	    "INFO  jepsen.core - starting\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\n";
	assert_int_equal(history_detect(later, strlen(later)), HIST_FMT_JEPSEN_LOG);
	assert_int_equal(history_detect("{\"f\":\"get\"}", 11), HIST_FMT_JSONL);
	assert_int_equal(history_detect(" {:process 0}", 13), HIST_FMT_EDN);
	assert_int_equal(history_detect("; hi\n[", 6), HIST_FMT_EDN);
	assert_int_equal(history_detect("", 0), HIST_FMT_JSONL);
	load_text(&h, "INFO  jepsen.util - 0 :invoke\n", HIST_FMT_JEPSEN_LOG, false,
		  "t.txt:1: expected \"<process> :<type> :<f> <value>\"");
	history_close(&h);
	load_text(&h, "hello\n", HIST_FMT_JEPSEN_LOG, false,
		  "t.txt:1: no Jepsen operation lines (\"jepsen.util - ...\") found");
	history_close(&h);
}

static void test_jsonl_errors(void **state)
{
	(void)state;
	struct history h;
	load_text(&h, "", HIST_FMT_AUTO, true, NULL);
	assert_int_equal(h.n, 0);
	history_close(&h);
	load_text(&h,
		  "{\"netsplit\":\"history\",\"version\":1,\"times\":\"us\"}\n"
		  "{\"client\":1,\"f\":\"put\",\"key\":\"x\",\"value\":\"1\",\"invoke\":5,"
		  "\"outcome\":\"ok\"}\n",
		  HIST_FMT_AUTO, false,
		  "t.txt:2: an ok or failed operation needs \"complete\" >= \"invoke\"");
	history_close(&h);
	load_text(&h, "{\"client\":1,\"f\":\"frob\",\"invoke\":5}\n", HIST_FMT_JSONL, false,
		  "t.txt:1: unknown \"f\": \"frob\"");
	history_close(&h);
	load_text(
	    &h, "{\"client\":1,\"f\":\"get\",\"invoke\":5,\"complete\":6,\"outcome\":\"ok\"} {}\n",
	    HIST_FMT_JSONL, false, "t.txt:1: one JSON object per line, please");
	history_close(&h);
	load_text(&h,
		  "{\"client\":1,\"f\":\"get\",\"node\":\"n0\",\"invoke\":5,\"complete\":6,"
		  "\"outcome\":\"ok\"}\n",
		  HIST_FMT_JSONL, false, "t.txt:1: bad \"node\": \"n0\" (expected n1, n2, ...)");
	history_close(&h);
}

/* A history recorded from a sim (with unknowns and failures) survives JSON
 * lines and EDN: same operations, same verdict. */
static void test_round_trips(void **state)
{
	(void)state;
	enum fake_mode modes[] = {FAKE_SINGLE, FAKE_LOCAL};
	for (size_t mi = 0; mi < ARRAY_LEN(modes); mi++) {
		struct sim *s = fake_sim(modes[mi], 3);
		struct history h;
		history_init(&h);
		history_attach(&h, s);
		struct workload_cfg cfg;
		struct sbuf err = {0};
		assert_true(workload_parse(
		    "clients 4 rate 50/s keys 2 mix put:30,get:40,cas:20,append:10", &cfg, &err));
		struct workload *w = workload_start(s, &cfg);
		sim_run_until(s, 3 * SIM_S);
		workload_stop(w);
		sim_run_until(s, 6 * SIM_S);
		assert_true(h.n > 50);
		enum lin_verdict v = lin_check_history(&h, LIN_MODEL_KV, NULL, NULL, NULL);
		assert_int_equal(v, modes[mi] == FAKE_SINGLE ? LIN_OK : LIN_VIOLATION);

		struct sbuf j = {0}, e = {0};
		history_write_jsonl(&h, &j);
		history_write_edn(&h, &e);
		struct history hj, he;
		load_text(&hj, sbuf_str(&j), HIST_FMT_AUTO, true, NULL);
		load_text(&he, sbuf_str(&e), HIST_FMT_AUTO, true, NULL);
		assert_int_equal(hj.n, h.n);
		assert_int_equal(he.n, h.n);
		assert_true(hj.has_times);
		for (size_t i = 0; i < h.n; i++) {
			const struct hist_op *a = &h.ops[i], *b = &hj.ops[i];
			assert_int_equal(a->f, b->f);
			assert_int_equal(a->outcome, b->outcome);
			assert_int_equal(a->invoked, b->invoked);
			assert_int_equal(a->completed, b->completed);
			assert_int_equal(a->node, b->node);
			assert_int_equal(a->process, b->process);
			assert_true((!a->result && !b->result) ||
				    (a->result && b->result && !strcmp(a->result, b->result)));
		}
		/* Writing again gives the same bytes. */
		struct sbuf j2 = {0};
		history_write_jsonl(&hj, &j2);
		assert_string_equal(sbuf_str(&j), sbuf_str(&j2));
		assert_int_equal(lin_check_history(&hj, LIN_MODEL_KV, NULL, NULL, NULL), v);
		assert_int_equal(lin_check_history(&he, LIN_MODEL_KV, NULL, NULL, NULL), v);
		sbuf_free(&j);
		sbuf_free(&j2);
		sbuf_free(&e);
		sbuf_free(&err);
		history_close(&hj);
		history_close(&he);
		history_close(&h);
		sim_free(s);
		workload_free(w);
	}
}

static void test_save_load(void **state)
{
	(void)state;
	char path[] = "/tmp/netsplit-test-history-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	struct history h, back;
	load_text(&h,
		  "[{:process 0, :type :invoke, :f :write, :value 3}\n"
		  " {:process 0, :type :ok, :f :write, :value 3}]\n",
		  HIST_FMT_EDN, true, NULL);
	struct sbuf err = {0};
	assert_true(history_save(&h, path, HIST_FMT_EDN, &err));
	history_init(&back);
	assert_true(history_load(&back, path, HIST_FMT_AUTO, &err));
	assert_int_equal(back.n, 1);
	assert_string_equal(back.ops[0].arg, "3");
	assert_false(history_save(&h, "/nonexistent/dir/x", HIST_FMT_JSONL, &err));
	history_close(&back);
	history_close(&h);
	sbuf_free(&err);
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attach_records_ops),
	    cmocka_unit_test(test_stale_reads_caught_live),
	    cmocka_unit_test(test_unknown_outcome_from_sim),
	    cmocka_unit_test(test_edn),
	    cmocka_unit_test(test_jepsen_log),
	    cmocka_unit_test(test_jsonl_errors),
	    cmocka_unit_test(test_round_trips),
	    cmocka_unit_test(test_save_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

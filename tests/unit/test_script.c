/*
 * test_script.c — the command language: parse errors with file:line:col
 * and what was expected, predicates, scheduling, help and completion, and
 * recording: the recorded lines replay to the same trace, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "script/script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static struct world *new_world(void)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	return w;
}

/* Parses text and returns the error message (static buffer), "" if none. */
static const char *parse_error(const char *text)
{
	static char msg[512];
	struct sbuf err = {0};
	struct world *w = new_world();
	struct script *sc = script_parse(text, "t.ns", w, &err);
	ns_strlcpy(msg, sbuf_str(&err), sizeof msg);
	script_free(sc);
	world_free(w);
	sbuf_free(&err);
	return msg;
}

static void test_parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"run fast", "t.ns:1:5: expected a duration like 500ms, got \"fast\""},
	    {"cluster heartbeat 3\nrun 1s\n  crash n1 bogus",
	     "t.ns:3:12: expected the end of the command, got \"bogus\""},
	    {"cluster heartbeat 3\n  crash bogus", "t.ns:2:9: expected a node like n1"},
	    {"frobnicate", "t.ns:1:1: unknown command \"frobnicate\""},
	    {"cluster nosuch 3", "t.ns:1:9: expected a protocol"},
	    {"cluster heartbeat 0", "t.ns:1:19: a cluster has 1 to"},
	    {"cluster heartbeat 3 interval", "t.ns:1:29: expected = after interval"},
	    {"cluster heartbeat 3 interval=5", "expected a duration like 150ms for interval"},
	    {"link n1 n2 loss 120%", "t.ns:1:17: expected a percentage"},
	    {"link n1 n2 speed 3",
	     "t.ns:1:12: expected latency, jitter, loss, dup, bandwidth or reset"},
	    {"clock n1 drift 90%", "expected a drift between -50% and +50%"},
	    {"expect leader in", "t.ns:1:17: expected a node"},
	    {"expect leader and", "t.ns:1:18: expected a predicate"},
	    {"put x", "t.ns:1:6: expected a value"},
	    {"put x 1 via", "t.ns:1:12: expected a node like n1"},
	    {"note \"open", "t.ns:1:6: unterminated string"},
	    {"at 1s at 2s crash n1", "t.ns:1:7: `at` cannot be scheduled"},
	    {"seed -4", "t.ns:1:6: expected a seed"},
	    {"step 0", "expected a number of events"},
	    {"run 1s extra", "t.ns:1:8: expected the end of the command, got \"extra\""},
	    {"set heartbeat 5ms", "no cluster yet"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = parse_error(cases[i].text);
		if (!strstr(got, cases[i].want))
			fail_msg("for %s\n  got  %s\n  want %s", cases[i].text, got, cases[i].want);
	}
	/* good input parses */
	assert_string_equal(
	    parse_error(
		"# comment only\n\ncluster heartbeat 3 timeout=1s # trailing\n"
		"partition n1 | n2 n3\ncut n1 -> n2\nheal n1 n2\nlink n1 n2 latency 5ms "
		"jitter 1ms loss 1.5% dup 2% bandwidth 10kB/s\nnet reset latency 3ms\n"
		"clock n2 skew -20ms drift +1%\nput x \"a b\" via leader as c3\n"
		"expect not leader or safe and up n1..n3\nat 2s crash n1\nafter 1s restart all\n"
		"run until suspected n1 timeout 3s\nhelp cut\n"),
	    "");
}

static void test_runtime_errors_have_positions(void **state)
{
	(void)state;
	struct world *w = new_world();
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "crash n1", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "1:1: no cluster yet"));
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "cluster heartbeat 3", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "crash n2 n9", &err), EXEC_ERROR);
	assert_string_equal(sbuf_str(&err), "1:10: no node n9: the cluster has n1..n3");
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "crash leader", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "there is no leader now"));
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "cut n1 n1", &err), EXEC_ERROR);
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "partition n1 n2 | n2 n3", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "n2 is in two groups"));
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "run 1s", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "at 0.5s crash n1", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "in the past"));
	sbuf_clear(&err);
	assert_int_equal(world_exec_line(w, "seed 3", &err), EXEC_OK); /* for the next cluster */
	sbuf_free(&err);
	world_free(w);
}

static bool eval(struct world *w, const char *pred)
{
	struct sbuf err = {0};
	struct pred *p = pred_parse(pred, NULL, 1, w, &err);
	if (!p)
		fail_msg("%s: %s", pred, sbuf_str(&err));
	bool r = pred_eval(w, p, NULL);
	pred_free(p);
	sbuf_free(&err);
	return r;
}

static void test_predicates(void **state)
{
	(void)state;
	struct world *w = new_world();
	struct sbuf err = {0};
	assert_false(eval(w, "up n1")); /* no cluster: false, not a crash */
	assert_int_equal(world_exec_line(w, "cluster heartbeat 4 timeout=300ms", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "run 1s", &err), EXEC_OK);
	assert_true(eval(w, "up all"));
	assert_true(eval(w, "no leader"));
	assert_false(eval(w, "leader"));
	assert_true(eval(w, "not leader and up n1..n4"));
	assert_true(eval(w, "leader or up n1"));
	assert_true(eval(w, "time 1s"));
	assert_false(eval(w, "time 1.5s"));
	assert_true(eval(w, "linked n1 n2"));
	assert_int_equal(world_exec_line(w, "crash n3", &err), EXEC_OK);
	assert_true(eval(w, "down n3 and up n1 n2 n4"));
	assert_int_equal(world_exec_line(w, "run until suspected n3 timeout 2s", &err), EXEC_OK);
	assert_true(eval(w, "suspected n3"));
	/* once every detector has timed out, nobody vouches for n3 */
	assert_int_equal(world_exec_line(w, "run 500ms", &err), EXEC_OK);
	assert_true(eval(w, "presumed-dead n3 by n1 n2"));
	assert_int_equal(world_exec_line(w, "partition n4", &err), EXEC_OK);
	assert_true(eval(w, "isolated n4"));
	assert_false(eval(w, "linked n1 n4"));
	assert_int_equal(world_exec_line(w, "heal", &err), EXEC_OK);
	assert_true(eval(w, "linked n1 n4"));
	assert_true(eval(w, "safe"));
	sbuf_free(&err);
	world_free(w);
}

static void test_expect_counts(void **state)
{
	(void)state;
	struct world *w = new_world();
	struct sbuf err = {0};
	struct script *sc =
	    script_parse("cluster heartbeat 3\nrun 1s\nexpect up all\nexpect leader\n"
			 "expect no leader\n",
			 "x.ns", w, &err);
	assert_non_null(sc);
	assert_int_equal(world_run(w, sc, &err), EXEC_EXPECT_FAILED);
	assert_int_equal(world_expects_passed(w), 2);
	assert_int_equal(world_expects_failed(w), 1);
	script_free(sc);
	sbuf_free(&err);
	world_free(w);
}

/* ---- scheduling ------------------------------------------------------------- */

static void test_at_and_after(void **state)
{
	(void)state;
	struct world *w = new_world();
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "cluster heartbeat 3", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "at 1s crash n1", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "after 1.5s crash n2", &err), EXEC_OK);
	world_advance_to(w, 999 * SIM_MS);
	assert_true(eval(w, "up all"));
	world_advance_to(w, SIM_S);
	assert_true(eval(w, "down n1 and up n2"));
	world_advance_to(w, 2 * SIM_S);
	assert_true(eval(w, "down n1 n2"));
	sbuf_free(&err);
	world_free(w);
}

/* ---- recording --------------------------------------------------------------- */

struct tape {
	struct sbuf cmds;  /* recorded command lines */
	struct sbuf trace; /* the trace, as text */
	struct sim *sim;
};

static void rec(void *ctx, sim_time t, const char *cmd)
{
	(void)t;
	struct tape *tp = ctx;
	sbuf_printf(&tp->cmds, "%s\n", cmd);
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tape *tp = ctx;
	if (trace_format_json(tp->sim, ev, &tp->trace))
		sbuf_putc(&tp->trace, '\n');
}

static void attach(void *ctx, struct world *w, struct sim *s)
{
	(void)w;
	struct tape *tp = ctx;
	tp->sim = s;
	sim_observe(s, on_trace, tp);
}

static void test_recording_replays_exactly(void **state)
{
	(void)state;
	struct tape live = {0}, again = {0};
	struct world *w = new_world();
	world_on_new_sim(w, attach, &live);
	world_set_recorder(w, rec, &live);
	struct sbuf err = {0};
	/* an interactive session: commands between frames, single steps */
	assert_int_equal(world_exec_line(w, "seed 77", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "cluster heartbeat 5 timeout=250ms", &err), EXEC_OK);
	world_advance_to(w, 333333);
	world_advance_to(w, 500001);
	assert_int_equal(world_exec_line(w, "crash n2", &err), EXEC_OK);
	for (int i = 0; i < 7; i++)
		world_step(w);
	assert_int_equal(world_exec_line(w, "link n1 n3 loss 50% jitter 20ms", &err), EXEC_OK);
	world_advance_to(w, 1234567);
	assert_int_equal(world_exec_line(w, "after 100ms restart n2", &err), EXEC_OK);
	world_advance_to(w, 2 * SIM_S);
	world_record_flush(w);
	assert_non_null(strstr(sbuf_str(&live.cmds), "step\n"));
	assert_non_null(strstr(sbuf_str(&live.cmds), "run 333.333ms\n") ||
			strstr(sbuf_str(&live.cmds), "run 500001us\n"));
	world_free(w);

	/* replay the recorded lines as a script */
	w = new_world();
	world_on_new_sim(w, attach, &again);
	struct script *sc = script_parse(sbuf_str(&live.cmds), "rec.ns", w, &err);
	assert_non_null(sc);
	assert_int_equal(world_run(w, sc, &err), EXEC_OK);
	script_free(sc);
	world_free(w);
	assert_true(live.trace.len > 1000);
	assert_string_equal(sbuf_str(&live.trace), sbuf_str(&again.trace));
	sbuf_free(&live.cmds);
	sbuf_free(&live.trace);
	sbuf_free(&again.cmds);
	sbuf_free(&again.trace);
	sbuf_free(&err);
}

/* Keeps only the trace lines whose time is at most t. */
static char *trace_upto(const char *trace, sim_time t)
{
	struct sbuf out = {0};
	for (const char *p = trace; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		long long at = -1;
		sscanf(p, "{\"t\":%lld", &at);
		if (at <= t)
			sbuf_add(&out, p, len);
		p += len;
	}
	return sbuf_take(&out);
}

struct timed {
	sim_time at[256];
	char *text[256];
	int n;
};

static void rec_timed(void *ctx, sim_time t, const char *cmd)
{
	struct timed *tm = ctx;
	tm->at[tm->n] = t;
	tm->text[tm->n++] = xstrdup(cmd);
}

static void test_replay_seek_equals_straight_run(void **state)
{
	(void)state;
	struct tape live = {0};
	struct timed tm = {0};
	struct world *w = new_world();
	struct sbuf err = {0};
	world_on_new_sim(w, attach, &live);
	world_set_recorder(w, rec_timed, &tm);
	assert_int_equal(world_exec_line(w, "cluster heartbeat 4 timeout=300ms", &err), EXEC_OK);
	world_advance_to(w, 700000);
	assert_int_equal(world_exec_line(w, "crash n3", &err), EXEC_OK);
	world_advance_to(w, 1500000);
	assert_int_equal(world_exec_line(w, "after 250ms restart n3", &err), EXEC_OK);
	world_step(w);
	world_advance_to(w, 3 * SIM_S);
	world_record_flush(w);
	world_free(w);

	struct replay *r =
	    replay_new(tm.at, (const char *const *)tm.text, (size_t)tm.n, 3 * SIM_S, &err);
	if (!r)
		fail_msg("%s", sbuf_str(&err));
	sim_time targets[] = {0, 400000, 700000, 1234567, 1600000, 2999999, 3 * SIM_S};
	for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
		sim_time t = targets[k];
		/* one seek from the start, and the same reached in small hops */
		for (int hops = 1; hops <= 5; hops += 4) {
			struct tape again = {0};
			struct world *w2 = new_world();
			world_on_new_sim(w2, attach, &again);
			replay_rewind(r);
			for (int h = 1; h <= hops; h++)
				assert_int_not_equal(replay_seek(r, w2, t * h / hops, &err),
						     EXEC_ERROR);
			char *want = trace_upto(sbuf_str(&live.trace), t);
			assert_string_equal(sbuf_str(&again.trace), want);
			free(want);
			world_free(w2);
			sbuf_free(&again.trace);
		}
	}
	replay_free(r);
	for (int i = 0; i < tm.n; i++)
		free(tm.text[i]);
	sbuf_free(&live.trace);
	sbuf_free(&err);
}

/* ---- help and completion ---------------------------------------------------------- */

static void collect(void *ctx, const char *cand)
{
	struct sbuf *b = ctx;
	sbuf_printf(b, "%s ", cand);
}

static const char *complete(struct world *w, const char *line)
{
	static char out[1024];
	struct sbuf b = {0};
	script_complete(w, line, (int)strlen(line), collect, &b);
	ns_strlcpy(out, sbuf_str(&b), sizeof out);
	sbuf_free(&b);
	return out;
}

static void test_help_and_completion(void **state)
{
	(void)state;
	struct world *w = new_world();
	struct sbuf err = {0}, h = {0};
	script_help(w, NULL, &h);
	for (int i = 0; script_command(i); i++)
		assert_non_null(strstr(sbuf_str(&h), script_command(i)->name));
	sbuf_clear(&h);
	script_help(w, "heartbeat", &h);
	assert_non_null(strstr(sbuf_str(&h), "interval="));
	assert_string_equal(complete(w, "cr"), "crash ");
	assert_string_equal(complete(w, "cluster hea"), "heartbeat ");
	assert_string_equal(complete(w, "cluster heartbeat 3 tim"), "timeout= ");
	assert_int_equal(world_exec_line(w, "cluster heartbeat 3", &err), EXEC_OK);
	assert_string_equal(complete(w, "crash n"), "n1 n2 n3 ");
	assert_string_equal(complete(w, "expect sus"), "suspected ");
	assert_string_equal(complete(w, "link n1 n2 l"), "latency loss ");
	sbuf_free(&h);
	sbuf_free(&err);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_runtime_errors_have_positions),
	    cmocka_unit_test(test_predicates),
	    cmocka_unit_test(test_expect_counts),
	    cmocka_unit_test(test_at_and_after),
	    cmocka_unit_test(test_recording_replays_exactly),
	    cmocka_unit_test(test_replay_seek_equals_straight_run),
	    cmocka_unit_test(test_help_and_completion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

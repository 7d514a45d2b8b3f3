/*
 * test_script_bind.c — issue 13's language: refusals (a trace event in a
 * script, an inline error at the prompt, a note with `try`), bindings
 * (`let`, `$NAME`, as a lesson's set-up and goal use them), message
 * counts (`mark`, `messages`), and that a recording with bindings replays
 * to the same trace, byte for byte.
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

struct tape {
	struct sbuf cmds;  /* recorded command lines */
	struct sbuf trace; /* the trace, as JSON lines */
	struct sim *sim;
};

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void rec(void *ctx, sim_time t, const char *cmd)
{
	(void)t;
	sbuf_printf(&((struct tape *)ctx)->cmds, "%s\n", cmd);
}

/* The trace, but for refused and expect lines, whose text names the
 * source line (1 at the prompt, N in the replayed file). */
static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tape *tp = ctx;
	if (ev->kind == TR_REFUSED || ev->kind == TR_EXPECT) {
		sbuf_printf(&tp->trace, "%s %lld\n", ev->kind == TR_REFUSED ? "refused" : "expect",
			    (long long)ev->at);
		return;
	}
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

static struct world *new_world(struct tape *tp)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	if (tp)
		world_on_new_sim(w, attach, tp);
	return w;
}

static enum exec_status run_text(struct world *w, const char *text, struct sbuf *err)
{
	struct script *sc = script_parse(text, "t.ns", w, err);
	if (!sc)
		return EXEC_ERROR;
	enum exec_status st = world_run(w, sc, err);
	script_free(sc);
	return st;
}

static void tape_free(struct tape *t)
{
	sbuf_free(&t->cmds);
	sbuf_free(&t->trace);
}

/* A refused command is a trace event and the script goes on (exit 1's
 * status); with `try` it is expected; at the prompt it is an error. */
static void test_refusal_is_an_event(void **state)
{
	(void)state;
	struct tape tp = {0};
	struct world *w = new_world(&tp);
	struct sbuf err = {0};
	assert_int_equal(
	    run_text(w, "cluster raft 3\ncrash leader\nrun until leader\nexpect leader", &err),
	    EXEC_EXPECT_FAILED);
	assert_int_equal(world_refusals(w), 1);
	assert_int_equal(world_expects_passed(w), 1); /* the run went on */
	assert_non_null(strstr(sbuf_str(&tp.trace), "refused 0\n"));
	{
		struct sbuf j = {0};
		struct trace_event ev = {.kind = TR_REFUSED,
					 .node = -1,
					 .peer = -1,
					 .text = "t.ns:2: refused `crash leader`: there is no "
						 "leader now"};
		assert_true(trace_format_json(NULL, &ev, &j));
		assert_string_equal(sbuf_str(&j),
				    "{\"t\":0,\"kind\":\"refused\",\"expected\":false,\"text\":"
				    "\"t.ns:2: refused `crash leader`: there is no leader now\"}");
		sbuf_free(&j);
	}
	assert_string_equal(sbuf_str(&err), "");
	world_free(w);
	tape_free(&tp);

	tp = (struct tape){0};
	w = new_world(&tp);
	assert_int_equal(run_text(w,
				  "cluster raft 3\ntry crash leader\nat 1ms try crash leader\nrun "
				  "10ms",
				  &err),
			 EXEC_OK);
	assert_int_equal(world_refusals(w), 0);
	assert_non_null(strstr(sbuf_str(&tp.trace), "refused 1000\n"));
	/* the prompt: an inline error, as before */
	assert_int_equal(world_exec_line(w, "crash leader", &err), EXEC_ERROR);
	assert_string_equal(sbuf_str(&err), "1:7: there is no leader now");
	sbuf_clear(&err);
	/* a node that does not exist is bad input, `try` or not */
	assert_int_equal(run_text(w, "try crash n9", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "no node n9"));
	world_free(w);
	tape_free(&tp);
	sbuf_free(&err);
}

/* `cut n1 -> leader` while n1 leads is refused; `cut n1 n1` is bad input. */
static void test_cut_to_self(void **state)
{
	(void)state;
	struct world *w = new_world(NULL);
	struct sbuf err = {0};
	assert_int_equal(run_text(w,
				  "cluster raft 3\nrun until leader\nlet L = leader\ncut $L -> "
				  "leader",
				  &err),
			 EXEC_EXPECT_FAILED);
	assert_int_equal(world_refusals(w), 1);
	assert_int_equal(run_text(w, "cut n1 n1", &err), EXEC_ERROR);
	assert_non_null(strstr(sbuf_str(&err), "n1 twice"));
	world_free(w);
	sbuf_free(&err);
}

/* Issue 10's goal: a set-up binds the leader, the goal (parsed apart, as
 * a lesson parses it) refers to it, and a crashed follower does not meet
 * it. */
static void test_lesson_goal_with_binding(void **state)
{
	(void)state;
	struct world *w = new_world(NULL);
	struct sbuf err = {0}, why = {0};
	assert_int_equal(
	    run_text(w, "cluster raft 5\nrun until leader timeout 5s\nlet old = leader", &err),
	    EXEC_OK);
	struct pred *goal = pred_parse_for("down $old and leader and term leader > term $old",
					   "x.lesson", 9, script_protocol(NULL, NULL), &err);
	assert_null(goal); /* term is raft's: the goal needs the protocol */
	sbuf_clear(&err);
	goal =
	    pred_parse("down $old and leader and term leader > term $old", "x.lesson", 9, w, &err);
	assert_non_null(goal);
	assert_false(pred_eval(w, goal, NULL));
	assert_int_equal(run_text(w, "let F = role follower\ncrash $F\nrun 2s", &err), EXEC_OK);
	assert_false(pred_eval(w, goal, &why));
	assert_int_equal(run_text(w, "restart $F\ncrash $old\nrun 3s", &err), EXEC_OK);
	sbuf_clear(&why);
	assert_true(pred_eval(w, goal, &why));
	pred_free(goal);
	/* unbound: a clear message */
	struct pred *bad = pred_parse("down $nobody", NULL, 1, w, &err);
	sbuf_clear(&why);
	assert_false(pred_eval(w, bad, &why));
	assert_non_null(strstr(sbuf_str(&why), "$nobody is not bound"));
	pred_free(bad);
	/* a new cluster forgets its bindings */
	assert_int_equal(run_text(w, "cluster raft 3\ncrash $old", &err), EXEC_ERROR);
	world_free(w);
	sbuf_free(&err);
	sbuf_free(&why);
}

/* mark and messages: counted per kind and pair, between two marks. */
static void test_message_counts(void **state)
{
	(void)state;
	struct world *w = new_world(NULL);
	struct sbuf err = {0};
	assert_int_equal(
	    run_text(w,
		     "cluster raft 3\nrun until leader\nrun 100ms\nmark a\nrun 1s\nmark "
		     "b\nrun 1s\n"
		     "expect messages AppendEntries >= 20 since a until b\n"
		     "expect messages AppendEntries <= 60 since a until b\n"
		     "expect messages RequestVote = 0 since a\n"
		     "expect messages all = 0 since b until b\n"
		     "expect messages AppendEntries = 0 to leader since a\n"
		     "expect messages AppendEntriesReply >= 20 to leader since a\n",
		     &err),
	    EXEC_OK);
	assert_int_equal(world_expects_passed(w), 6);
	/* a kind the protocol does not send, and a mark never set */
	assert_int_equal(run_text(w, "expect messages Bogus >= 0", &err), EXEC_EXPECT_FAILED);
	assert_int_equal(run_text(w, "expect messages all >= 0 since nowhere", &err),
			 EXEC_EXPECT_FAILED);
	world_free(w);
	sbuf_free(&err);
}

/* A recording with let, random, get and try replays to the same trace. */
static void test_bindings_replay_exactly(void **state)
{
	(void)state;
	struct tape live = {0}, again = {0};
	struct world *w = new_world(&live);
	world_set_recorder(w, rec, &live);
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "seed 9", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "cluster raft 5", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "try crash leader", &err), EXEC_OK);
	world_advance_to(w, 700000);
	assert_int_equal(world_exec_line(w, "let L = leader", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "put x 5 via $L", &err), EXEC_OK);
	world_advance_to(w, 900000);
	assert_int_equal(world_exec_line(w, "let V = get x", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "let R = random up", &err), EXEC_OK);
	assert_int_equal(world_exec_line(w, "crash $R", &err), EXEC_OK);
	world_advance_to(w, 2 * SIM_S);
	assert_int_equal(world_exec_line(w, "expect committed x = $V", &err), EXEC_OK);
	world_record_flush(w);
	world_free(w);

	w = new_world(&again);
	struct script *sc = script_parse(sbuf_str(&live.cmds), "rec.ns", w, &err);
	assert_non_null(sc);
	assert_int_equal(world_run(w, sc, &err), EXEC_OK);
	script_free(sc);
	world_free(w);
	assert_non_null(strstr(sbuf_str(&live.trace), "$V = 5 (let V = get x)"));
	assert_string_equal(sbuf_str(&live.trace), sbuf_str(&again.trace));
	tape_free(&live);
	tape_free(&again);
	sbuf_free(&err);
}

/* Instant-free: committed holds with no leader; converged does not hold
 * the instant after a put. */
static void test_instant_free(void **state)
{
	(void)state;
	struct world *w = new_world(NULL);
	struct sbuf err = {0};
	assert_int_equal(run_text(w,
				  "cluster raft 5\nrun until leader\nput x 1\nrun 500ms\ncrash "
				  "leader\nexpect no leader\nexpect committed x = 1\n"
				  "cluster multileader 3\nput x 1 via n1\nexpect not converged\n"
				  "run until converged\nexpect value n3 x = 1\n",
				  &err),
			 EXEC_OK);
	world_free(w);
	sbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusal_is_an_event),      cmocka_unit_test(test_cut_to_self),
	    cmocka_unit_test(test_lesson_goal_with_binding), cmocka_unit_test(test_message_counts),
	    cmocka_unit_test(test_bindings_replay_exactly),  cmocka_unit_test(test_instant_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

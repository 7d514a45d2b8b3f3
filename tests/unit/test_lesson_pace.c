/*
 * test_lesson_pace.c — the lesson engine at the learner's pace
 * (lesson_run_advance, lesson_run_show): time stops at the first instant a
 * goal holds, never later; "show me" starts again from the step's set-up,
 * runs nothing until time is let pass, then plays the solution a command
 * at a time as simulated time reaches it, and stops when the goal holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lesson/lesson.h"

#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static struct lesson *parse(const char *text)
{
	struct sbuf err = {0};
	struct lesson *l = lesson_parse(text, "pace.lesson", &err);
	if (!l)
		fail_msg("%s", sbuf_str(&err));
	sbuf_free(&err);
	return l;
}

static struct world *quiet_world(void)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	return w;
}

/* The time at which `pred` first holds, found by the language's own
 * `run until` (checked after every event) in a fresh world. */
static sim_time first_time(const char *setup, const char *pred)
{
	struct world *w = quiet_world();
	struct sbuf err = {0}, cmd = {0};
	sbuf_printf(&cmd, "%s\nrun until %s timeout 10s\n", setup, pred);
	struct script *sc = script_parse(sbuf_str(&cmd), "t", w, &err);
	assert_non_null(sc);
	assert_int_not_equal(world_run(w, sc, &err), EXEC_ERROR);
	sim_time t = sim_now(world_sim(w));
	script_free(sc);
	sbuf_free(&err);
	sbuf_free(&cmd);
	world_free(w);
	return t;
}

#define ELECTION                                                                                   \
	"lesson: p\ntitle: P\nstep: E\ntext: t\nsetup:\n  seed 5\n  cluster raft 5\n"              \
	"goal: leader\nhint: h\nsolution:\n  run until leader timeout 5s\n"

/* Advancing by big strides stops at the instant the goal first holds. */
static void test_advance_stops_at_the_goal(void **state)
{
	(void)state;
	struct lesson *l = parse(ELECTION);
	struct world *w = quiet_world();
	struct lesson_run r;
	struct sbuf err = {0};
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	assert_int_equal(sim_now(world_sim(w)), 0);
	assert_int_equal(lesson_run_advance(&r, 10 * SIM_MS, &err), LESSON_ADV_TIME);
	assert_int_equal(sim_now(world_sim(w)), 10 * SIM_MS);
	assert_false(r.solved);
	assert_int_equal(lesson_run_advance(&r, 5 * SIM_S, &err), LESSON_ADV_GOAL);
	assert_true(r.solved);
	sim_time t = sim_now(world_sim(w));
	assert_int_equal(t, first_time("seed 5\ncluster raft 5", "leader"));
	assert_true(t < SIM_S);
	/* Solved: time just passes now. */
	assert_int_equal(lesson_run_advance(&r, 2 * SIM_S, &err), LESSON_ADV_TIME);
	assert_int_equal(sim_now(world_sim(w)), 2 * SIM_S);
	lesson_run_end(&r);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

#define CRASH                                                                                      \
	"lesson: p\ntitle: P\nstep: C\ntext: t\nsetup:\n  seed 5\n  cluster raft 3\n"              \
	"  run 1s\ngoal: not up n1\nhint: h\nsolution:\n  run 2s\n  crash n1\n  run 1s\n"          \
	"  restart n1\n"

/* Show me: from the set-up, nothing until time passes, then each command
 * when its time comes; it stops at the crash, so `restart n1` never runs. */
static void test_show_me_plays_at_pace(void **state)
{
	(void)state;
	struct lesson *l = parse(CRASH);
	struct world *w = quiet_world();
	struct lesson_run r;
	struct sbuf err = {0};
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	assert_int_equal(lesson_run_advance(&r, 1500 * SIM_MS, &err), LESSON_ADV_TIME);
	assert_true(lesson_run_show(&r, &err));
	/* The set-up ran again: a fresh cluster at its set-up's end. */
	assert_int_equal(sim_now(world_sim(w)), SIM_S);
	assert_true(r.playing && r.shown);
	assert_int_equal(lesson_run_advance(&r, 2 * SIM_S, &err), LESSON_ADV_TIME);
	assert_false(r.solved);
	assert_int_equal(lesson_run_advance(&r, 2999 * SIM_MS, &err), LESSON_ADV_TIME);
	assert_false(r.solved);
	assert_int_equal(lesson_run_advance(&r, 10 * SIM_S, &err), LESSON_ADV_GOAL);
	assert_int_equal(sim_now(world_sim(w)), 3 * SIM_S);
	assert_false(r.playing);
	assert_true(lesson_run_check(&r, NULL));
	/* The rest of the solution was dropped: n1 stays down. */
	assert_int_equal(lesson_run_advance(&r, 5 * SIM_S, &err), LESSON_ADV_TIME);
	assert_true(lesson_run_check(&r, NULL));
	lesson_run_end(&r);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

/* A `run until` in a solution waits for its condition, not its timeout. */
static void test_show_me_run_until(void **state)
{
	(void)state;
	struct lesson *l = parse("lesson: p\ntitle: P\nstep: U\ntext: t\nsetup:\n  seed 5\n"
				 "  cluster raft 3\ngoal: not up all\nhint: h\nsolution:\n"
				 "  run until leader timeout 9s\n  crash leader\n");
	struct world *w = quiet_world();
	struct lesson_run r;
	struct sbuf err = {0};
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	assert_true(lesson_run_show(&r, &err));
	assert_int_equal(lesson_run_advance(&r, 9 * SIM_S, &err), LESSON_ADV_GOAL);
	assert_int_equal(sim_now(world_sim(w)), first_time("seed 5\ncluster raft 3", "leader"));
	lesson_run_end(&r);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

/* The order of a question's answers: a permutation; the same again for the
 * same learner; over many learners the right answer (here written first)
 * is shown in every position. */
static void test_quiz_order(void **state)
{
	(void)state;
	int seen[4] = {0};
	for (uint64_t learner = 1; learner <= 200; learner++) {
		int a[4], b[4], count[4] = {0};
		lesson_quiz_order(learner, "cap", 3, 4, a);
		lesson_quiz_order(learner, "cap", 3, 4, b);
		assert_memory_equal(a, b, sizeof a);
		for (int i = 0; i < 4; i++) {
			assert_in_range(a[i], 0, 3);
			count[a[i]]++;
			if (a[i] == 0)
				seen[i]++;
		}
		for (int i = 0; i < 4; i++)
			assert_int_equal(count[i], 1);
	}
	for (int i = 0; i < 4; i++)
		assert_true(seen[i] > 20); /* about 50 each */
	/* Another question of the same lesson is ordered on its own. */
	int q3[4], q4[4], differ = 0;
	for (uint64_t learner = 1; learner <= 20; learner++) {
		lesson_quiz_order(learner, "cap", 3, 4, q3);
		lesson_quiz_order(learner, "cap", 4, 4, q4);
		differ += memcmp(q3, q4, sizeof q3) != 0;
	}
	assert_true(differ > 10);
}

/* Quizzes do not give the answer away by its length: no right answer is
 * half as long again as the longest wrong one, and the right answer is
 * the longest in at most 70% of a language's questions (display width in
 * bytes is close enough for this). */
static void test_quiz_answers_do_not_give_themselves_away(void **state)
{
	(void)state;
	const char *langs[] = {"en", "es"};
	for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++) {
		struct lesson_set set;
		struct sbuf errors = {0};
		lesson_set_load(&set, SOURCE_DIR "/lessons", langs[k], &errors);
		int total = 0, longest = 0;
		for (int i = 0; i < set.n; i++)
			for (int q = 0; q < set.v[i]->nquiz; q++) {
				const struct lesson_question *qu = &set.v[i]->quiz[q];
				size_t right = 0, wrong = 0;
				for (int o = 0; o < qu->nopt; o++) {
					size_t n = strlen(qu->opt[o].text);
					if (qu->opt[o].correct)
						right = n > right ? n : right;
					else
						wrong = n > wrong ? n : wrong;
				}
				if (2 * right >= 3 * wrong)
					fail_msg("%s:%d: the right answer is much the longest",
						 set.v[i]->file, qu->line);
				total++;
				longest += right > wrong;
			}
		if (10 * longest > 7 * total)
			fail_msg("%s: the right answer is the longest in %d of %d questions",
				 langs[k], longest, total);
		lesson_set_free(&set);
		sbuf_free(&errors);
	}
}

/* A person's delay: each command of a play waits `gap` of running time. */
static void test_play_with_a_gap(void **state)
{
	(void)state;
	struct lesson *l = parse(CRASH);
	struct world *w = quiet_world();
	struct lesson_run r;
	struct sbuf err = {0};
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	lesson_run_play(&r, "crash n1\n", 2 * SIM_S);
	assert_int_equal(lesson_run_advance(&r, 2999 * SIM_MS, &err), LESSON_ADV_TIME);
	assert_false(r.solved); /* set-up ended at 1s: the crash comes at 3s */
	assert_int_equal(lesson_run_advance(&r, 10 * SIM_S, &err), LESSON_ADV_GOAL);
	assert_int_equal(sim_now(world_sim(w)), 3 * SIM_S);
	lesson_run_end(&r);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

/* `run until P` with P already true lets no time pass, as in the language. */
static void test_run_until_already_true(void **state)
{
	(void)state;
	struct lesson *l = parse("lesson: p\ntitle: P\nstep: U\ntext: t\nsetup:\n  seed 5\n"
				 "  cluster raft 3\n  run 2s\ngoal: not up n2\nhint: h\nsolution:\n"
				 "  run until leader timeout 9s\n  crash n2\n");
	struct world *w = quiet_world();
	struct lesson_run r;
	struct sbuf err = {0};
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	assert_true(lesson_run_show(&r, &err));
	assert_int_equal(lesson_run_advance(&r, 9 * SIM_S, &err), LESSON_ADV_GOAL);
	assert_int_equal(sim_now(world_sim(w)), 2 * SIM_S);
	lesson_run_end(&r);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

/* `wrong:` blocks: parsed (errors at the lesson's line and column), kept
 * as text, any number per step. */
static void test_wrong_blocks(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"lesson: p\ntitle: P\nwrong:\n  crash n1\n",
	     "pace.lesson:3: `wrong:` belongs to a step"},
	    {"lesson: p\ntitle: P\nstep: S\ntext: t\nsetup:\n  cluster raft 3\ngoal: leader\n"
	     "solution:\n  run 1s\nwrong:\n  crash n9 n\n",
	     "pace.lesson:11:"},
	    {"lesson: p\ntitle: P\nstep: S\ntext: t\nsetup:\n  cluster raft 3\ngoal: leader\n"
	     "solution:\n  run 1s\nwrong:\n  # nothing\n",
	     "pace.lesson:10: `wrong:` needs commands"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sbuf err = {0};
		struct lesson *l = lesson_parse(cases[i].text, "pace.lesson", &err);
		assert_null(l);
		if (!strstr(sbuf_str(&err), cases[i].want))
			fail_msg("case %zu\n  got  %s\n  want %s", i, sbuf_str(&err),
				 cases[i].want);
		sbuf_free(&err);
	}
	struct lesson *l = parse(CRASH "wrong:\n  crash n2\n  run 1s\nwrong:\n  crash n3\n");
	assert_int_equal(l->steps[0].nwrongs, 2);
	assert_string_equal(l->steps[0].wrongs[0], "  crash n2\n  run 1s");
	assert_string_equal(l->steps[0].wrongs[1], "  crash n3");
	/* Played as a person would, neither reaches the goal (n1 stays up). */
	for (int k = 0; k < 2; k++) {
		struct world *w = quiet_world();
		struct lesson_run r;
		struct sbuf err = {0};
		assert_true(lesson_run_start(&r, l, w, 0, &err));
		lesson_run_play(&r, l->steps[0].wrongs[k], 2 * SIM_S);
		assert_int_equal(lesson_run_advance(&r, 20 * SIM_S, &err), LESSON_ADV_TIME);
		assert_false(r.playing);
		assert_false(r.solved);
		lesson_run_end(&r);
		world_free(w);
		sbuf_free(&err);
	}
	lesson_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_advance_stops_at_the_goal),
	    cmocka_unit_test(test_show_me_plays_at_pace),
	    cmocka_unit_test(test_show_me_run_until),
	    cmocka_unit_test(test_quiz_order),
	    cmocka_unit_test(test_wrong_blocks),
	    cmocka_unit_test(test_run_until_already_true),
	    cmocka_unit_test(test_play_with_a_gap),
	    cmocka_unit_test(test_quiz_answers_do_not_give_themselves_away),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

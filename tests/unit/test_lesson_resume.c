/*
 * test_lesson_resume.c — resuming a lesson in the middle, as the screen's
 * "continue" does: lesson_run_start at step k must rebuild the cluster the
 * step expects, for every step of every lesson in lessons/ — the goal false
 * right after (as on autopilot from the start), true after the solution —
 * including steps whose `setup:` is present but empty (which continue the
 * step before, like a missing one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

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

static void resume_every_step(const struct lesson *l)
{
	for (int k = 0; k < l->nsteps; k++) {
		const struct lesson_step *s = &l->steps[k];
		struct world *w = world_new();
		world_set_output(w, quiet, NULL);
		struct lesson_run r;
		struct sbuf err = {0}, why = {0};
		if (!lesson_run_start(&r, l, w, k, &err))
			fail_msg("%s: resuming at step %d: %s", l->file, k + 1, sbuf_str(&err));
		if (!world_sim(w))
			fail_msg("%s:%d: resuming at step %d leaves no cluster", l->file, s->line,
				 k + 1);
		if (lesson_run_check(&r, &why))
			fail_msg("%s:%d: resumed at step %d, the goal already holds (%s)", l->file,
				 s->line, k + 1, sbuf_str(&why));
		if (!lesson_run_solve(&r, &err))
			fail_msg("%s:%d: resumed at step %d, the solution failed: %s", l->file,
				 s->line, k + 1, sbuf_str(&err));
		sbuf_clear(&why);
		if (!lesson_run_check(&r, &why))
			fail_msg("%s:%d: resumed at step %d, the goal does not hold after the "
				 "solution (%s)",
				 l->file, s->line, k + 1, sbuf_str(&why));
		sbuf_free(&err);
		sbuf_free(&why);
		world_free(w);
	}
}

static void test_resume_every_lesson(void **state)
{
	(void)state;
	struct lesson_set set;
	struct sbuf errors = {0};
	lesson_set_load(&set, SOURCE_DIR "/lessons", "en", &errors);
	if (errors.len)
		fail_msg("%s", sbuf_str(&errors));
	assert_true(set.n >= 1);
	for (int i = 0; i < set.n; i++)
		resume_every_step(set.v[i]);
	lesson_set_free(&set);
	sbuf_free(&errors);
}

static void test_empty_setup_continues(void **state)
{
	(void)state;
	const char *text = "lesson: t\ntitle: T\norder: 1\nsummary: s\nsources: x\n"
			   "step: one\ntext: a\nsetup:\n  seed 1\n  cluster raft 3\n  run 1s\n"
			   "goal: down n1\nhint: h\nsolution:\n  crash n1\n"
			   "step: two\ntext: b\nsetup:\ngoal: down n2\nhint: h\nsolution:\n"
			   "  crash n2\n";
	struct sbuf err = {0};
	struct lesson *l = lesson_parse(text, "t.lesson", &err);
	if (!l)
		fail_msg("%s", sbuf_str(&err));
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct lesson_run r;
	assert_true(lesson_run_start(&r, l, w, 1, &err));
	/* Step one's set-up and solution ran: a cluster, n1 down. */
	assert_non_null(world_sim(w));
	assert_false(sim_node_c(world_sim(w), 0)->up);
	assert_true(sim_node_c(world_sim(w), 1)->up);
	world_free(w);
	lesson_free(l);
	sbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_setup_continues),
	    cmocka_unit_test(test_resume_every_lesson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

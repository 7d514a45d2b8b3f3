/*
 * test_lesson.c — lessons: the file format's errors (file:line), and every
 * lesson in lessons/ (and every translation) on autopilot: for every step
 * the goal is false right after its set-up and true after its solution, so
 * no goal is met by doing nothing; every quiz is well formed; the
 * curriculum has at least four steps with hints and four questions per
 * lesson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lesson/lesson.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static const char *parse_err(const char *text)
{
	static char msg[512];
	struct sbuf err = {0};
	struct lesson *l = lesson_parse(text, "x.lesson", &err);
	ns_strlcpy(msg, sbuf_str(&err), sizeof msg);
	lesson_free(l);
	sbuf_free(&err);
	return msg;
}

#define HEAD "lesson: t\ntitle: T\n"
#define STEP "step: S\ntext: hello\ngoal: up n1\nsolution:\n  run 1s\n"

static void test_format_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"title: T\n" STEP, "x.lesson:1: missing `lesson: ID`"},
	    {"lesson: Bad Id\n", "x.lesson:1: a lesson id is lower-case"},
	    {HEAD "nonsense here\n", "x.lesson:3: expected a key like `title:`"},
	    {HEAD "text: floating\n", "x.lesson:3: `text:` belongs to a step"},
	    {HEAD "step: S\ntext: t\nsolution:\n  run 1s\n", "x.lesson:3: step \"S\" has no goal"},
	    {HEAD "step: S\ntext: t\ngoal: leader in\nsolution:\n  run 1s\n",
	     "x.lesson:5:16: expected a node"},
	    {HEAD "step: S\ntext: t\nsetup:\n  cluster heartbeat 3\n  run soon\ngoal: up "
		  "n1\nsolution:\n  run 1s\n",
	     "x.lesson:7:7: expected a duration like 500ms, got \"soon\""},
	    {HEAD STEP "question: Q?\n  - wrong\n    because\n  - also wrong\n    because\n",
	     "x.lesson:8: a question needs a right answer"},
	    {HEAD STEP "question: Q?\n  * right\n",
	     "x.lesson:8: a question needs at least two answers"},
	    {HEAD STEP "question: Q?\n  * right\n  - wrong\n    why\n",
	     "answer \"right\" has no explanation"},
	    {HEAD, "a lesson needs at least one step"},
	    {HEAD "order: soon\n", "x.lesson:3: expected a number for order"},
	    /* one set-up, one solution, one text per step (issue 14: the
	     * last won silently, the first leaked) */
	    {HEAD "step: S\ntext: t\nsetup:\n  cluster heartbeat 3\nsetup:\n  cluster raft "
		  "3\ngoal: up n1\nsolution:\n  run 1s\n",
	     "x.lesson:7: step \"S\" already has a `setup:`; a step has one"},
	    {HEAD "step: S\ntext: t\ngoal: up n1\nsolution:\n  run 1s\nsolution:\n  run 2s\n",
	     "x.lesson:8: step \"S\" already has a `solution:`; a step has one"},
	    {HEAD "step: S\ntext: t\nsetup:\ngoal: up n1\nsetup:\nsolution:\n  run 1s\n",
	     "x.lesson:7: step \"S\" already has a `setup:`"},
	    {HEAD "step: S\ntext: t\ntext: u\ngoal: up n1\nsolution:\n  run 1s\n",
	     "x.lesson:5: step \"S\" already has a `text:`"},
	    /* a lesson cannot require itself, wherever its id is given */
	    {HEAD "requires: a t b\n" STEP, "x.lesson:3: lesson \"t\" requires itself"},
	    {"requires: t\ntitle: T\nlesson: t\n" STEP, "x.lesson:1: lesson \"t\" requires itself"},
	    /* predictions: every answer says by `when:` what the cluster shows */
	    {HEAD "step: S\ntext: t\nsetup:\n  cluster raft 3\npredict: P?\n  * yes\n    why\n  - "
		  "no\n    when: leader\n    why\ngoal: leader\nsolution:\n  run 1s\n",
	     "x.lesson:7: answer \"yes\" of a prediction needs `when: PREDICATE`"},
	    {HEAD
	     "step: S\ntext: t\nsetup:\n  cluster raft 3\npredict: P?\n  * yes\n    when: "
	     "leader in\n    why\n  - no\n    when: leader\n    why\ngoal: leader\nsolution:\n  "
	     "run 1s\n",
	     "x.lesson:9:20: expected a node"},
	    {HEAD
	     "step: S\ntext: t\nsetup:\n  cluster raft 3\npredict: P?\n  * yes\n    when: "
	     "leader\n    why\n  * no\n    when: up n1\n    why\ngoal: leader\nsolution:\n  run "
	     "1s\n",
	     "x.lesson:7: a prediction has exactly one right answer"},
	    {HEAD "step: S\ntext: t\npredict: P?\n  * yes\n    when: up n1\n    why\n  - no\n    "
		  "when: down n1\n    why\npredict: Q?\ngoal: up n1\nsolution:\n  run 1s\n",
	     "x.lesson:12: step \"S\" already has a `predict:`"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = parse_err(cases[i].text);
		if (!strstr(got, cases[i].want))
			fail_msg("case %zu\n  got  %s\n  want %s", i, got, cases[i].want);
	}
	/* and a good one, with a protocol predicate after a set-up */
	struct sbuf err = {0};
	struct lesson *l = lesson_parse(
	    HEAD "summary: one\n  two\n\nstep: S\ntext: a\n  b\n\n  c\nsetup:\n"
		 "  cluster heartbeat 3\n  # a comment\n  run 1s\ngoal: suspected n1\n"
		 "hint: h1\nhint: h2\n  more\nsolution:\n  crash n1\n  run 2s\n"
		 "question: Q\n  continued?\n  - no\n    because.\n  * yes\n    indeed\n    so.\n",
	    "x.lesson", &err);
	if (!l)
		fail_msg("%s", sbuf_str(&err));
	assert_string_equal(l->summary, "one two");
	assert_string_equal(l->steps[0].text, "a b\n\nc");
	assert_int_equal(l->steps[0].nhints, 2);
	assert_string_equal(l->steps[0].hints[1], "h2 more");
	assert_string_equal(l->quiz[0].text, "Q continued?");
	assert_string_equal(l->quiz[0].opt[1].why, "indeed so.");
	assert_true(l->quiz[0].opt[1].correct);
	lesson_free(l);
	sbuf_free(&err);
	/* two steps may each have their set-up and solution */
	l = lesson_parse(HEAD "requires: other\n" STEP "setup:\n  cluster heartbeat 3\n" STEP
			      "setup:\n  cluster raft 3\n",
			 "x.lesson", &err);
	if (!l)
		fail_msg("%s", sbuf_str(&err));
	assert_int_equal(l->nsteps, 2);
	assert_non_null(l->steps[0].setup);
	assert_non_null(l->steps[1].setup);
	lesson_free(l);
	sbuf_free(&err);
}

static void autopilot(const struct lesson *l)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct lesson_run r;
	struct sbuf err = {0}, why = {0};
	if (!lesson_run_start(&r, l, w, 0, &err))
		fail_msg("%s: set-up of step 1: %s", l->file, sbuf_str(&err));
	for (int i = 0; i < l->nsteps; i++) {
		const struct lesson_step *s = &l->steps[i];
		sbuf_clear(&why);
		if (lesson_run_check(&r, &why))
			fail_msg("%s:%d: step \"%s\": the goal holds before the solution (%s)",
				 l->file, s->line, s->title, sbuf_str(&why));
		if (!lesson_run_solve(&r, &err))
			fail_msg("%s:%d: step \"%s\": the solution failed: %s", l->file, s->line,
				 s->title, sbuf_str(&err));
		sbuf_clear(&why);
		if (!lesson_run_check(&r, &why))
			fail_msg(
			    "%s:%d: step \"%s\": the goal does not hold after the solution (%s)",
			    l->file, s->line, s->title, sbuf_str(&why));
		if (s->predict) {
			/* The prediction's right answer is what the cluster did. */
			int right = 0;
			while (!s->predict->opt[right].correct)
				right++;
			sbuf_clear(&why);
			int got = lesson_run_outcome(&r, &why);
			if (got != right)
				fail_msg(
				    "%s:%d: step \"%s\": the prediction's right answer is \"%s\", "
				    "but after the solution %s%s%s",
				    l->file, s->line, s->title, s->predict->opt[right].text,
				    got >= 0 ? "this holds: " : "",
				    got >= 0 ? s->predict->opt[got].text : "",
				    got >= 0 ? "" : sbuf_str(&why));
		}
		if (!lesson_run_next(&r, &err))
			fail_msg("%s: set-up of step %d: %s", l->file, i + 2, sbuf_str(&err));
	}
	assert_int_equal(r.step, l->nsteps);
	sbuf_free(&err);
	sbuf_free(&why);
	world_free(w);
}

static void check_curriculum(const struct lesson *l)
{
	/* The final exam is mostly questions: two live tasks, ten or more
	 * questions. */
	if (l->exam && (l->nsteps < 1 || l->nquiz < 10))
		fail_msg("%s: an exam needs a live task and at least 10 questions", l->file);
	if (!l->exam && l->nsteps < 4)
		fail_msg("%s: %d steps; a lesson needs at least 4", l->file, l->nsteps);
	if (!l->exam && l->nquiz < 4)
		fail_msg("%s: %d questions; a lesson needs at least 4", l->file, l->nquiz);
	for (int i = 0; i < l->nsteps; i++)
		if (l->steps[i].nhints < 1)
			fail_msg("%s:%d: step without a hint", l->file, l->steps[i].line);
	if (!l->sources || !*l->sources)
		fail_msg("%s: no sources", l->file);
}

static void test_every_lesson_on_autopilot(void **state)
{
	(void)state;
	const char *langs[] = {"en", "es"};
	for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++) {
		struct lesson_set set;
		struct sbuf errors = {0};
		lesson_set_load(&set, SOURCE_DIR "/lessons", langs[k], &errors);
		if (errors.len)
			fail_msg("%s", sbuf_str(&errors));
		assert_true(set.n >= 1);
		for (int i = 0; i < set.n; i++) {
			check_curriculum(set.v[i]);
			autopilot(set.v[i]);
			for (int r = 0; r < set.v[i]->nrequires; r++)
				if (!lesson_set_find(&set, set.v[i]->requires[r]) &&
				    strcmp(set.v[i]->requires[r], "welcome"))
					fail_msg("%s requires unknown lesson %s", set.v[i]->file,
						 set.v[i]->requires[r]);
		}
		lesson_set_free(&set);
		sbuf_free(&errors);
	}
}

static void test_broken_lesson_does_not_hide_others(void **state)
{
	(void)state;
	char dir[] = "/tmp/ns-lessons-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/a.lesson", dir);
	FILE *f = fopen(path, "w");
	fputs(HEAD STEP, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/b.lesson", dir);
	f = fopen(path, "w");
	fputs("lesson: b\ntitle: B\nstep: S\ntext: t\ngoal: bogus\nsolution:\n  run 1s\n", f);
	fclose(f);
	struct lesson_set set;
	struct sbuf errors = {0};
	lesson_set_load(&set, dir, "en", &errors);
	assert_int_equal(set.n, 1);
	assert_non_null(strstr(sbuf_str(&errors), "b.lesson:5:7: unknown predicate \"bogus\""));
	lesson_set_free(&set);
	sbuf_free(&errors);
	snprintf(path, sizeof path, "%s/a.lesson", dir);
	remove(path);
	snprintf(path, sizeof path, "%s/b.lesson", dir);
	remove(path);
	rmdir(dir);
}

static void test_lang(void **state)
{
	(void)state;
	char out[32];
	lesson_lang("es", out, sizeof out);
	assert_string_equal(out, "es");
	setenv("LANGUAGE", "de_DE.UTF-8:fr", 1);
	lesson_lang(NULL, out, sizeof out);
	assert_string_equal(out, "de_DE");
	unsetenv("LANGUAGE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_errors),
	    cmocka_unit_test(test_every_lesson_on_autopilot),
	    cmocka_unit_test(test_broken_lesson_does_not_hide_others),
	    cmocka_unit_test(test_lang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

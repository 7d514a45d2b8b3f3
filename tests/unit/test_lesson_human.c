/*
 * test_lesson_human.c — every lesson, in every language, taken at a
 * person's pace. A person has seconds of wall-clock time between reading a
 * step and acting, types one command at a time, follows the hints
 * literally and makes the obvious wrong move. So for every step, with a
 * delay of 2 s and of 10 s of simulated time, running, before each
 * command:
 *  - doing nothing for that long does not reach the goal (when the
 *    solution does more than let time run);
 *  - the solution, played with those delays, reaches the goal;
 *  - the commands the hints name (:`...`, docs/LESSONS.md), in order,
 *    with those delays, reach the goal;
 *  - every `wrong:` block, with those delays and the same time after it,
 *    never reaches it;
 *  - a step whose solution does more than let time run has a `wrong:`.
 * The goal is watched at every instant (lesson_run_advance), as on the
 * screen. Every failure is listed before the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lesson/lesson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static int failures;

static void report(const struct lesson *l, const struct lesson_step *s, const char *fmt, ...)
    NS_PRINTF(3, 4);
static void report(const struct lesson *l, const struct lesson_step *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: step \"%s\": ", l->file, s->line, s->title);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* True when the solution does more than let time pass. */
static bool acts(const char *text)
{
	for (const char *p = text ? text : ""; *p;) {
		p += strspn(p, " \t\n");
		size_t n = strcspn(p, "\n");
		if (n && *p != '#' && strncmp(p, "run ", 4))
			return true;
		p += n;
	}
	return false;
}

/* Step i from scratch, then `text` played with `gap` before each command
 * and `tail` of time after the last. Returns whether the goal held at some
 * instant; err gets a command's failure; *outcome the answer of the step's
 * prediction that held then (lesson_run_outcome). */
static bool reaches_with(const struct lesson *l, int i, const char *text, sim_time gap,
			 sim_time tail, struct sbuf *err, int *outcome)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct lesson_run r;
	bool held = false;
	*outcome = -3;
	if (!lesson_run_start(&r, l, w, i, err))
		goto out;
	lesson_run_play(&r, text, gap);
	sim_time limit = sim_now(world_sim(w)) + 600 * SIM_S;
	enum lesson_adv a = LESSON_ADV_TIME;
	while (r.playing && a == LESSON_ADV_TIME && sim_now(world_sim(w)) < limit)
		a = lesson_run_advance(&r, sim_now(world_sim(w)) + SIM_S, err);
	if (a == LESSON_ADV_TIME)
		a = lesson_run_advance(&r, sim_now(world_sim(w)) + tail, err);
	held = a == LESSON_ADV_GOAL;
	if (held)
		*outcome = lesson_run_outcome(&r, NULL);
out:
	lesson_run_end(&r);
	world_free(w);
	return held;
}

/* The same, when only whether the goal held matters. */
static bool reaches(const struct lesson *l, int i, const char *text, sim_time gap, sim_time tail,
		    struct sbuf *err)
{
	int outcome;
	return reaches_with(l, i, text, gap, tail, err, &outcome);
}

static void take(const struct lesson *l)
{
	static const sim_time gaps[] = {2 * SIM_S, 10 * SIM_S};
	for (int i = 0; i < l->nsteps; i++) {
		const struct lesson_step *s = &l->steps[i];
		struct sbuf err = {0}, hints = {0};
		for (int h = 0; h < s->nhints; h++)
			lesson_hint_commands(s->hints[h], &hints);
		bool does = acts(s->solution_text);
		if (does && !s->nwrongs)
			report(l, s, "names an action but has no `wrong:` block");
		for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
			sim_time gap = gaps[g];
			int secs = (int)(gap / SIM_S);
			if (does && reaches(l, i, "", 0, gap, &err))
				report(l, s, "the goal holds after %ds of doing nothing", secs);
			sbuf_clear(&err);
			int outcome;
			if (!reaches_with(l, i, s->solution_text, gap, gap + 5 * SIM_S, &err,
					  &outcome))
				report(l, s,
				       "the solution, %ds before each command, misses the goal%s%s",
				       secs, err.len ? ": " : "", sbuf_str(&err));
			else if (s->predict && (outcome < 0 || !s->predict->opt[outcome].correct))
				report(l, s,
				       "the solution, %ds before each command, shows %s, not the "
				       "prediction's right answer",
				       secs,
				       outcome >= 0 ? s->predict->opt[outcome].text : "no answer");
			sbuf_clear(&err);
			if (!reaches(l, i, sbuf_str(&hints), gap, gap + 5 * SIM_S, &err))
				report(
				    l, s,
				    "the hints' commands (%s), %ds before each, miss the goal%s%s",
				    hints.len ? sbuf_str(&hints) : "none", secs,
				    err.len ? ": " : "", sbuf_str(&err));
			sbuf_clear(&err);
			for (int k = 0; k < s->nwrongs; k++) {
				if (reaches(l, i, s->wrongs[k], gap, 10 * SIM_S, &err))
					report(l, s, "wrong move %d reaches the goal (%ds gaps)",
					       k + 1, secs);
				sbuf_clear(&err);
			}
		}
		sbuf_free(&err);
		sbuf_free(&hints);
	}
}

static void test_every_lesson_at_a_persons_pace(void **state)
{
	(void)state;
	const char *langs[] = {"en", "es"};
	const char *only = getenv("NETSPLIT_LESSON");
	failures = 0;
	for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++) {
		struct lesson_set set;
		struct sbuf errors = {0};
		lesson_set_load(&set, SOURCE_DIR "/lessons", langs[k], &errors);
		if (errors.len)
			fail_msg("%s", sbuf_str(&errors));
		for (int i = 0; i < set.n; i++)
			if (!only || !strcmp(only, set.v[i]->id))
				take(set.v[i]);
		lesson_set_free(&set);
		sbuf_free(&errors);
	}
	if (failures)
		fail_msg("%d problem(s) taking the lessons at a person's pace (listed above)",
			 failures);
}

/* The convention the test relies on. */
static void test_hint_commands(void **state)
{
	(void)state;
	struct sbuf out = {0};
	assert_int_equal(lesson_hint_commands("Type :`put x 1`, then :`get x via n2`.", &out), 2);
	assert_string_equal(sbuf_str(&out), "put x 1\nget x via n2\n");
	sbuf_clear(&out);
	assert_int_equal(lesson_hint_commands("Press `s` or :put x 1", &out), 0);
	assert_int_equal(lesson_hint_commands("broken :`put", &out), 0);
	sbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hint_commands),
	    cmocka_unit_test(test_every_lesson_at_a_persons_pace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

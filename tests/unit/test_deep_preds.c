/*
 * test_deep_preds.c — long and deep predicates, from the inputs that used to
 * crash `run`, `import`, `open` and the lesson screen with a stack overflow
 * (issue 14): a 10,000-term `and` chain parses and evaluates (and/or chains
 * are flat); a 10,000-deep `not` chain and 50,000 nested parentheses are
 * refused at the token that goes past SCRIPT_PRED_MAX_DEPTH, with
 * file:line:col; exactly that depth is still accepted; a lesson whose goal
 * is such a chain loads and is checked, or is refused with its line and
 * column. tests/script_deep.sh runs the same inputs through the binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lesson/lesson.h"
#include "proto/proto.h"
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

static struct world *running(void)
{
	struct world *w = world_new();
	struct sbuf err = {0};
	world_set_output(w, quiet, NULL);
	if (world_exec_line(w, "cluster raft 3\nrun 1s", &err) != EXEC_OK)
		fail_msg("%s", sbuf_str(&err));
	sbuf_free(&err);
	return w;
}

/* n copies of term joined by sep, then tail (owned by the caller). */
static char *chain(const char *term, const char *sep, int n, const char *tail)
{
	struct sbuf b = {0};
	for (int i = 0; i < n; i++)
		sbuf_printf(&b, "%s%s", i ? sep : "", term);
	sbuf_puts(&b, tail);
	return sbuf_take(&b);
}

static void test_long_and_or_chains_are_flat(void **state)
{
	(void)state;
	struct world *w = running();
	struct sbuf err = {0}, why = {0}, text = {0};
	char *and = chain("up n1", " and ", 10000, "");
	assert_true(strlen(and) > 70000);
	struct pred *p = pred_parse(and, "t", 1, w, &err);
	if (!p)
		fail_msg("%s", sbuf_str(&err));
	pred_fmt(p, &text);
	assert_string_equal(sbuf_str(&text), and);
	assert_true(pred_eval(w, p, &why));
	pred_free(p);
	/* an or chain that holds only at its last operand is walked to the end */
	char * or = chain("down n1", " or ", 10000, " or up n2");
	p = pred_parse(or, "t", 1, w, &err);
	assert_non_null(p);
	assert_true(pred_eval(w, p, NULL));
	pred_free(p);
	/* and a mixed one: or of (and ...) groups, each with a not */
	char *mixed = chain("(up n1 and not down n2)", " or ", 5000, "");
	p = pred_parse(mixed, "t", 1, w, &err);
	assert_non_null(p);
	assert_true(pred_eval(w, p, NULL));
	pred_free(p);
	/* run until over the whole and chain */
	char *until = chain("up n1", " and ", 10000, " and time 1.5s timeout 2s\nexpect time 1.5s");
	struct sbuf script = {0};
	sbuf_printf(&script, "run until %s", until);
	assert_int_equal(world_exec_line(w, sbuf_str(&script), &err), EXEC_OK);
	assert_int_equal(world_expects_failed(w), 0);
	free(until);
	free(and);
	free(or);
	free(mixed);
	sbuf_free(&script);
	sbuf_free(&err);
	sbuf_free(&why);
	sbuf_free(&text);
	world_free(w);
}

/* The error for text, which must be refused. */
static const char *refused(const char *text)
{
	static char msg[256];
	struct sbuf err = {0};
	struct pred *p = pred_parse_for(text, "t.ns", 3, proto_find("raft"), &err);
	if (p)
		fail_msg("accepted a predicate nested %zu characters deep", strlen(text));
	ns_strlcpy(msg, sbuf_str(&err), sizeof msg);
	sbuf_free(&err);
	return msg;
}

/* The canonical text parses back to itself: a quote or a backslash inside
 * a quoted value is escaped again (found by tests/fuzz/fuzz_pred.c: `value
 * n1 x = "a|\"b"` was written back with a bare quote). */
static void test_canonical_text_round_trips(void **state)
{
	(void)state;
	struct world *w = running();
	const char *in[] = {"value n1 x = \"a|\\\"b\"", "value n1 x = \"back\\\\slash\"",
			    "value n1 x = \"plain\""};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		struct sbuf err = {0}, a = {0}, b = {0};
		struct pred *p = pred_parse_for(in[i], "t", 1, proto_find("raft"), &err);
		if (!p)
			fail_msg("%s: %s", in[i], sbuf_str(&err));
		pred_fmt(p, &a);
		struct pred *q = pred_parse_for(sbuf_str(&a), "t", 1, proto_find("raft"), &err);
		if (!q)
			fail_msg("%s formatted as %s does not parse: %s", in[i], sbuf_str(&a),
				 sbuf_str(&err));
		pred_fmt(q, &b);
		assert_string_equal(sbuf_str(&a), sbuf_str(&b));
		assert_string_equal(sbuf_str(&a), in[i]);
		pred_free(p);
		pred_free(q);
		sbuf_free(&a);
		sbuf_free(&b);
		sbuf_free(&err);
	}
	world_free(w);
}

static void test_deep_nesting_is_refused_where_it_goes_too_deep(void **state)
{
	(void)state;
	char want[160];
	const char *tail = "nested too deeply: at most 64 levels of `not` and parentheses";
	assert_int_equal(SCRIPT_PRED_MAX_DEPTH, 64);

	char *nots = chain("not", " ", 10000, " safe");
	/* the 65th `not` starts at column 1 + 64 * 4 */
	snprintf(want, sizeof want, "t.ns:3:%d: %s", 1 + 64 * 4, tail);
	assert_string_equal(refused(nots), want);
	free(nots);

	struct sbuf parens = {0};
	for (int i = 0; i < 50000; i++)
		sbuf_putc(&parens, '(');
	sbuf_puts(&parens, "safe");
	for (int i = 0; i < 50000; i++)
		sbuf_putc(&parens, ')');
	snprintf(want, sizeof want, "t.ns:3:%d: %s", 65, tail);
	assert_string_equal(refused(sbuf_str(&parens)), want);
	sbuf_free(&parens);

	/* not and parentheses count together: not ( not ( ... */
	char *both = chain("not (", " ", 40, "safe");
	/* "not (" and a space per two levels: the 65th is the 33rd `not` */
	snprintf(want, sizeof want, "t.ns:3:%d: %s", 1 + 32 * 6, tail);
	assert_string_equal(refused(both), want);
	free(both);
}

static void test_the_limit_itself_is_accepted(void **state)
{
	(void)state;
	struct world *w = running();
	struct sbuf err = {0}, text = {0};
	/* 63 nots and one pair of parentheses: 64 levels */
	char *ok = chain("not", " ", 63, " (safe)");
	struct pred *p = pred_parse(ok, "t", 1, w, &err);
	if (!p)
		fail_msg("%s", sbuf_str(&err));
	assert_false(pred_eval(w, p, NULL)); /* an odd number of nots over `safe` */
	pred_free(p);
	free(ok);
	/* depth is per nesting, not per predicate: many shallow groups are fine */
	char *wide = chain("(not (safe))", " and ", 1000, "");
	p = pred_parse(wide, "t", 1, w, &err);
	assert_non_null(p);
	pred_free(p);
	free(wide);
	sbuf_free(&err);
	sbuf_free(&text);
	world_free(w);
}

static void test_lesson_goals(void **state)
{
	(void)state;
	struct sbuf err = {0}, text = {0}, why = {0};
	char *goal = chain("up n1", " and ", 10000, " and down n2");
	sbuf_printf(&text,
		    "lesson: t\ntitle: T\nstep: S\ntext: t\nsetup:\n  cluster raft 3\n"
		    "  run 1s\ngoal: %s\nsolution:\n  crash n2\n",
		    goal);
	struct lesson *l = lesson_parse(sbuf_str(&text), "x.lesson", &err);
	if (!l)
		fail_msg("%s", sbuf_str(&err));
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct lesson_run r;
	assert_true(lesson_run_start(&r, l, w, 0, &err));
	assert_false(lesson_run_check(&r, &why));
	assert_true(lesson_run_solve(&r, &err));
	assert_true(lesson_run_check(&r, &why));
	world_free(w);
	lesson_free(l);
	free(goal);

	/* the goal's line and column in the lesson file */
	sbuf_clear(&text);
	sbuf_clear(&err);
	goal = chain("not", " ", 10000, " up n1");
	sbuf_printf(&text,
		    "lesson: t\ntitle: T\nstep: S\ntext: t\nsetup:\n  cluster raft 3\n"
		    "goal: %s\nsolution:\n  crash n2\n",
		    goal);
	assert_null(lesson_parse(sbuf_str(&text), "x.lesson", &err));
	char want[160];
	snprintf(want, sizeof want, "x.lesson:7:%d: nested too deeply", 7 + 64 * 4);
	if (!strstr(sbuf_str(&err), want))
		fail_msg("got %s\nwant %s", sbuf_str(&err), want);
	free(goal);
	sbuf_free(&err);
	sbuf_free(&text);
	sbuf_free(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_long_and_or_chains_are_flat),
	    cmocka_unit_test(test_canonical_text_round_trips),
	    cmocka_unit_test(test_deep_nesting_is_refused_where_it_goes_too_deep),
	    cmocka_unit_test(test_the_limit_itself_is_accepted),
	    cmocka_unit_test(test_lesson_goals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

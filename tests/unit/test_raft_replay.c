/*
 * test_raft_replay.c — a fuzz plan rendered as a scenario replays exactly:
 * the command language runs the text and reaches the same event count and
 * the same verdict as the fuzz engine running the plan directly. This is
 * what makes the file written for a failing seed a reproduction.
 */
#include "check/fuzz.h"
#include "script/script.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	if (k == OUT_ERROR)
		fprintf(stderr, "%s\n", text);
}

static void replay_seed(uint64_t seed, const char *const *options)
{
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.options = options;
	struct fuzz_plan p;
	struct fuzz_result r;
	fuzz_plan_make(&p, &o, seed);
	fuzz_run(&p, &o, &r);
	struct sbuf text = {0}, err = {0};
	fuzz_plan_text(&p, &o, &text);
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct script *sc = script_parse(sbuf_str(&text), "fuzz.ns", w, &err);
	if (!sc)
		fprintf(stderr, "%s\n%s", sbuf_str(&err), sbuf_str(&text));
	assert_non_null(sc);
	enum exec_status st = world_run(w, sc, &err);
	if (st == EXEC_ERROR)
		fprintf(stderr, "%s\n", sbuf_str(&err));
	assert_int_not_equal(st, EXEC_ERROR);
	assert_int_equal(st == EXEC_OK, r.ok);
	assert_int_equal(sim_events(world_sim(w)), r.events);
	script_free(sc);
	world_free(w);
	sbuf_free(&text);
	sbuf_free(&err);
	fuzz_plan_free(&p);
}

static void test_replay_defaults(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 25; seed++)
		replay_seed(seed, NULL);
}

static void test_replay_options(void **state)
{
	(void)state;
	const char *opts[] = {"prevote=on", "reads=lease", NULL};
	for (uint64_t seed = 100; seed <= 110; seed++)
		replay_seed(seed, opts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay_defaults),
	    cmocka_unit_test(test_replay_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

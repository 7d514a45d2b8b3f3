/*
 * test_raft_fuzz.c — Raft under random fault schedules (src/check/fuzz.c):
 * 200 seeds of 3 to 7 nodes, 20 s of crashes, restarts, partitions,
 * one-way cuts, loss, duplication, reordering, clock skew and drift with a
 * steady client load; the Figure 3 invariants after every event, and, once
 * the faults stop, a leader and a committed write within 10 s. Then fewer
 * seeds with PreVote, CheckQuorum, leases and frequent snapshots.
 */
#include "check/fuzz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void run_seeds(uint64_t from, int count, const char *const *options)
{
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.options = options;
	int failed = 0;
	uint64_t events = 0, ops = 0;
	for (uint64_t seed = from; seed < from + (uint64_t)count; seed++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		fuzz_plan_make(&p, &o, seed);
		if (!fuzz_run(&p, &o, &r)) {
			struct sbuf text = {0};
			fuzz_plan_text(&p, &o, &text);
			fprintf(stderr, "seed %llu failed at %lld us: %s\n%s",
				(unsigned long long)seed, (long long)r.at, r.why, sbuf_str(&text));
			sbuf_free(&text);
			failed++;
		}
		events += r.events;
		ops += (uint64_t)r.ops_ok;
		fuzz_plan_free(&p);
	}
	fprintf(stderr, "%d seeds from %llu, %llu events, %d failed\n", count,
		(unsigned long long)from, (unsigned long long)events, failed);
	assert_int_equal(failed, 0);
	assert_true(ops > (uint64_t)count * 10); /* the load did get through */
}

static void test_fuzz_defaults(void **state)
{
	(void)state;
	run_seeds(1, 200, NULL);
}

static void test_fuzz_prevote_checkquorum(void **state)
{
	(void)state;
	const char *opts[] = {"prevote=on", "checkquorum=on", NULL};
	run_seeds(1001, 60, opts);
}

static void test_fuzz_lease_snapshots(void **state)
{
	(void)state;
	const char *opts[] = {"reads=lease", "snapshot=16", "batch=4", NULL};
	run_seeds(2001, 60, opts);
}

/* Same seed, same plan and same run: determinism. */
static void test_fuzz_deterministic(void **state)
{
	(void)state;
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	struct fuzz_plan a, b;
	struct fuzz_result ra, rb;
	fuzz_plan_make(&a, &o, 77);
	fuzz_plan_make(&b, &o, 77);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.steps, b.steps, a.n * sizeof *a.steps);
	fuzz_run(&a, &o, &ra);
	fuzz_run(&b, &o, &rb);
	assert_int_equal(ra.events, rb.events);
	assert_int_equal(ra.ops_ok, rb.ops_ok);
	struct sbuf t = {0};
	fuzz_plan_text(&a, &o, &t);
	assert_non_null(strstr(sbuf_str(&t), "cluster raft"));
	assert_non_null(strstr(sbuf_str(&t), "expect safe"));
	sbuf_free(&t);
	fuzz_plan_free(&a);
	fuzz_plan_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fuzz_deterministic),
	    cmocka_unit_test(test_fuzz_defaults),
	    cmocka_unit_test(test_fuzz_prevote_checkquorum),
	    cmocka_unit_test(test_fuzz_lease_snapshots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

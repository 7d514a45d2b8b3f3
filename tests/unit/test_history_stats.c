/*
 * test_history_stats.c — the tally of a history and the stale reads of the
 * CAP screen (check/history_stats.c), on small hand-made histories whose
 * answer is clear from the timeline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/history_stats.h"

/* Adds an op by client p on key k: write (val) or read (result val; NULL
 * absent), over [t0, t1], with outcome o. */
static uint32_t op(struct history *h, int p, enum hist_fn f, const char *k, const char *val,
		   int64_t t0, int64_t t1, enum op_outcome o)
{
	struct hist_op x = {.process = p,
			    .node = 0,
			    .f = f,
			    .key = k,
			    .invoked = t0,
			    .completed = HIST_NEVER,
			    .gave_up = HIST_NEVER,
			    .outcome = OUT_PENDING};
	if (f == HIST_WRITE)
		x.arg = val;
	uint32_t i = history_add(h, &x);
	if (o != OUT_PENDING)
		history_complete(h, i, t1, o, f == HIST_READ ? val : NULL, -1, NULL);
	return i;
}

static void fresh_after_ack(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	op(&h, 1, HIST_WRITE, "x", "1", 0, 10, OUT_OK);
	uint32_t r = op(&h, 2, HIST_READ, "x", "1", 20, 30, OUT_OK);
	assert_false(history_read_is_stale(&h, r));
	struct hist_stats st;
	history_stats(&h, &st);
	assert_int_equal(st.ops, 2);
	assert_int_equal(st.ok, 2);
	assert_int_equal(st.reads_ok, 1);
	assert_int_equal(st.stale_reads, 0);
	history_close(&h);
}

static void older_value_is_stale(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	op(&h, 1, HIST_WRITE, "x", "1", 0, 10, OUT_OK);
	op(&h, 1, HIST_WRITE, "x", "2", 20, 30, OUT_OK);
	uint32_t r1 = op(&h, 2, HIST_READ, "x", "1", 40, 50, OUT_OK);
	uint32_t r2 = op(&h, 3, HIST_READ, "x", NULL, 41, 45, OUT_OK); /* absent */
	uint32_t r3 = op(&h, 3, HIST_READ, "x", "2", 46, 47, OUT_OK);
	assert_true(history_read_is_stale(&h, r1));
	assert_true(history_read_is_stale(&h, r2));
	assert_false(history_read_is_stale(&h, r3));
	struct hist_stats st;
	history_stats(&h, &st);
	assert_int_equal(st.stale_reads, 2);
	history_close(&h);
}

static void concurrent_write_is_not_stale(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	op(&h, 1, HIST_WRITE, "x", "1", 0, 10, OUT_OK);
	op(&h, 1, HIST_WRITE, "x", "2", 20, 60, OUT_OK); /* overlaps the reads */
	uint32_t a = op(&h, 2, HIST_READ, "x", "1", 30, 40, OUT_OK);
	uint32_t b = op(&h, 3, HIST_READ, "x", "2", 30, 40, OUT_OK);
	/* A write acknowledged after the read began is not yet "latest". */
	assert_false(history_read_is_stale(&h, a));
	assert_false(history_read_is_stale(&h, b));
	/* A write invoked after the read completed cannot explain it. */
	op(&h, 1, HIST_WRITE, "x", "9", 100, 110, OUT_OK);
	uint32_t c = op(&h, 2, HIST_READ, "x", "9", 70, 80, OUT_OK);
	assert_true(history_read_is_stale(&h, c));
	history_close(&h);
}

static void unknown_and_failed_writes(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	op(&h, 1, HIST_WRITE, "x", "1", 0, 10, OUT_OK);
	op(&h, 1, HIST_WRITE, "x", "2", 20, 30, OUT_UNKNOWN); /* not acknowledged */
	op(&h, 2, HIST_WRITE, "x", "3", 12, 18, OUT_FAIL);    /* did not happen */
	uint32_t a = op(&h, 3, HIST_READ, "x", "1", 40, 50, OUT_OK);
	uint32_t b = op(&h, 3, HIST_READ, "x", "2", 51, 52, OUT_OK);
	uint32_t c = op(&h, 3, HIST_READ, "x", "3", 53, 54, OUT_OK);
	assert_false(history_read_is_stale(&h, a));
	assert_false(history_read_is_stale(&h, b)); /* the unknown write may have happened */
	assert_true(history_read_is_stale(&h, c));  /* a failed write cannot be seen */
	/* Reads that did not complete ok, and reads before any ack, are not judged. */
	uint32_t d = op(&h, 4, HIST_READ, "x", NULL, 60, 0, OUT_PENDING);
	uint32_t e = op(&h, 4, HIST_READ, "y", "7", 0, 5, OUT_OK);
	assert_false(history_read_is_stale(&h, d));
	assert_false(history_read_is_stale(&h, e));
	struct hist_stats st;
	history_stats(&h, &st);
	assert_int_equal(st.ops, 8);
	assert_int_equal(st.ok, 5);
	assert_int_equal(st.fail, 1);
	assert_int_equal(st.unknown, 1);
	assert_int_equal(st.pending, 1);
	assert_int_equal(st.reads_ok, 4);
	assert_int_equal(st.stale_reads, 1);
	history_close(&h);
}

static void keys_are_separate(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	op(&h, 1, HIST_WRITE, "x", "1", 0, 10, OUT_OK);
	op(&h, 1, HIST_WRITE, "y", "2", 0, 10, OUT_OK);
	op(&h, 1, HIST_WRITE, "y", "3", 11, 12, OUT_OK);
	op(&h, 2, HIST_READ, "x", "1", 20, 30, OUT_OK);
	op(&h, 2, HIST_READ, "y", "2", 20, 30, OUT_OK); /* stale: y is 3 */
	op(&h, 2, HIST_READ, "x", "2", 31, 32, OUT_OK); /* stale: 2 is y's */
	struct hist_stats st;
	history_stats(&h, &st);
	assert_int_equal(st.stale_reads, 2);
	history_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fresh_after_ack),
	    cmocka_unit_test(older_value_is_stale),
	    cmocka_unit_test(concurrent_write_is_not_stale),
	    cmocka_unit_test(unknown_and_failed_writes),
	    cmocka_unit_test(keys_are_separate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

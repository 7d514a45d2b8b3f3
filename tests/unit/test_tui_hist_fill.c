/*
 * test_tui_hist_fill.c — the history view's window (tui_history.c) costs
 * the operations near it, not the whole history: it skips blocks of
 * finished operations that end before the window and stops at the first
 * one invoked after it. The operations it draws must be exactly those a
 * scan of the whole history finds, in the same order, at every zoom,
 * following now or scrolled back, while operations are still running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/scene_history.h"
#include "tui/tui_history.h"

#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void run(struct world *w, const char *cmd)
{
	struct sbuf err = {0};
	assert_int_not_equal(world_exec_line(w, cmd, &err), EXEC_ERROR);
	sbuf_free(&err);
}

/* The ops a scan of the whole history puts in [right - cols*scale, right]. */
static void compare(struct world *w, const struct scene_hist *hv, int cols)
{
	const struct history *hist = world_history(w);
	sim_time now = sim_now(world_sim(w));
	sim_time left = hv->right - (sim_time)cols * hv->scale;
	int k = 0;
	for (size_t i = 0; i < hist->n; i++) {
		const struct hist_op *op = &hist->ops[i];
		sim_time end = op->completed != HIST_NEVER ? op->completed
			       : op->gave_up != HIST_NEVER ? op->gave_up
							   : now;
		if (end < left || op->invoked > hv->right)
			continue;
		assert_true(k < hv->nops);
		assert_int_equal(hv->ops[k].t0, op->invoked);
		assert_int_equal(hv->ops[k].t1, end);
		char name[12];
		ns_snprintf(name, sizeof name, "c%d", op->process);
		assert_string_equal(hv->rows[hv->ops[k].row], name);
		k++;
	}
	assert_int_equal(k, hv->nops);
}

static void test_window_matches_full_scan(void **state)
{
	(void)state;
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	run(w, "seed 3");
	run(w, "cluster raft 3");
	run(w, "workload clients 3 rate 100/s keys 2");
	struct tui_hist *th = tui_hist_new();
	sim_time t = sim_now(world_sim(w));
	const int cols = 60;
	int checked = 0;
	for (int f = 0; f < 800; f++) {
		t += 37 * SIM_MS;
		world_advance_to(w, t);
		if (f == 150)
			run(w, "crash n1"); /* some ops run long, end unknown */
		if (f == 250)
			run(w, "restart n1");
		tui_hist_tick(th, w, 0.002);
		if (f % 20)
			continue;
		for (int z = 0; z < 13; z++) {
			struct scene_hist hv;
			tui_hist_fill(th, w, true, cols, &hv);
			compare(w, &hv, cols);
			checked += hv.nops;
			tui_hist_zoom(th, -1);
		}
		for (int z = 0; z < 13; z++)
			tui_hist_zoom(th, 1);
		/* Scrolled back into the past, then following again. */
		tui_hist_scroll(th, w, -cols * 40);
		struct scene_hist hv;
		tui_hist_fill(th, w, true, cols, &hv);
		compare(w, &hv, cols);
		tui_hist_follow(th);
	}
	assert_true(world_history(w)->n > 1000);
	assert_true(checked > 1000);
	tui_hist_free(th);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window_matches_full_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

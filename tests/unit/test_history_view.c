/*
 * test_history_view.c — the history view's layout (tui/scene_history.c),
 * without a terminal: compact labels, and a small history rendered in
 * ASCII at an exact size compared line by line with the expected picture
 * (bars from invocation to completion, outcomes at the right ends, the
 * core of a violation heavy, the time axis, the explanation wrapped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/scene_history.h"
#include "tui/tui_history.h"

#include <string.h>

static uint32_t add(struct history *h, int p, enum hist_fn f, const char *k, const char *arg,
		    const char *res, enum op_outcome o)
{
	struct hist_op x = {.process = p,
			    .f = f,
			    .key = k,
			    .arg = arg,
			    .invoked = 0,
			    .completed = HIST_NEVER,
			    .gave_up = HIST_NEVER};
	uint32_t i = history_add(h, &x);
	if (o != OUT_PENDING)
		history_complete(h, i, 1, o, res, -1, NULL);
	return i;
}

static void labels(void **state)
{
	(void)state;
	struct history h;
	history_init(&h);
	char b[28];
	uint32_t i;
	i = add(&h, 1, HIST_WRITE, "x", "3", NULL, OUT_OK);
	scene_hist_label(&h, &h.ops[i], true, b, sizeof b);
	assert_string_equal(b, "put x 3");
	i = add(&h, 1, HIST_READ, "x", NULL, "1", OUT_OK);
	scene_hist_label(&h, &h.ops[i], true, b, sizeof b);
	assert_string_equal(b, "get x→1");
	i = add(&h, 1, HIST_READ, "x", NULL, "1", OUT_OK);
	scene_hist_label(&h, &h.ops[i], false, b, sizeof b);
	assert_string_equal(b, "get x->1");
	i = add(&h, 1, HIST_READ, "y", NULL, NULL, OUT_OK);
	scene_hist_label(&h, &h.ops[i], false, b, sizeof b);
	assert_string_equal(b, "get y->nil");
	i = add(&h, 1, HIST_READ, "y", NULL, NULL, OUT_UNKNOWN);
	scene_hist_label(&h, &h.ops[i], true, b, sizeof b);
	assert_string_equal(b, "get y→?");
	/* A cas whose compare failed shows what it saw. */
	i = add(&h, 1, HIST_CAS, "x", "1", NULL, OUT_OK);
	h.ops[i].arg2 = history_intern(&h, "2");
	scene_hist_label(&h, &h.ops[i], true, b, sizeof b);
	assert_string_equal(b, "cas x 1→2");
	h.ops[i].cas_false = true;
	scene_hist_label(&h, &h.ops[i], true, b, sizeof b);
	assert_string_equal(b, "cas x≠1");
	scene_hist_label(&h, &h.ops[i], false, b, sizeof b);
	assert_string_equal(b, "cas x!=1");
	history_close(&h);
}

static const char (*const rows)[12] = (const char[][12]){"c1", "c2"};

static void layout(void **state)
{
	(void)state;
	/* 40 columns: bars from column 6 to 39, 1ms per column, the right
	 * edge at 40ms: column 39 is 40ms, column 6 is 7ms. */
	struct scene_hop ops[] = {
	    {0, 8 * SIM_MS, 15 * SIM_MS, OUT_OK, true, "put x 2"},
	    {1, 10 * SIM_MS, 12 * SIM_MS, OUT_FAIL, false, "put x 9"},
	    {1, 18 * SIM_MS, 20 * SIM_MS, OUT_OK, true, "get x->1"},
	    {0, 25 * SIM_MS, 25 * SIM_MS, OUT_OK, false, "get x->2"},
	    {1, 30 * SIM_MS, 36 * SIM_MS, OUT_UNKNOWN, false, "put x 4"},
	    {0, 34 * SIM_MS, 40 * SIM_MS, OUT_PENDING, false, "get x->?"},
	    {0, 1 * SIM_MS, 2 * SIM_MS, OUT_OK, false, "gone"}, /* left of the window */
	};
	struct scene_line expl[] = {
	    {"Not linearizable: key x.", SS_NORMAL},
	    {"get x -> 1 by c2 started after put x=2 by c1 had completed.", SS_NORMAL},
	};
	struct scene_hist hv = {
	    .nrows = 2,
	    .rows = rows,
	    .total = 9,
	    .nops = 7,
	    .ops = ops,
	    .right = 40 * SIM_MS,
	    .scale = SIM_MS,
	    .follow = true,
	    .verdict = "not linearizable",
	    .verdict_style = SS_ERROR,
	    .nexplain = 2,
	    .explain = expl,
	};
	struct scene sc;
	scene_init(&sc);
	scene_reset(&sc, 40, 10, false);
	scene_history(&sc, (struct scene_rect){0, 0, 40, 10}, &hv);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	const char *want = " history - 9 operations - not lineariza\n"
			   "c1     ########         |        [----->\n"
			   "       put x 2          get x->2\n"
			   "c2       [-x     ###         [-----?\n"
			   "         put x 9 get x->1    put x 4\n"
			   "      -------------+20ms---------------+\n"
			   " Not linearizable: key x.\n"
			   " get x -> 1 by c2 started after put x=2\n"
			   "   by c1 had completed.\n"
			   "\n";
	if (strcmp(sbuf_str(&out), want))
		print_error("got:\n%s", sbuf_str(&out));
	assert_string_equal(sbuf_str(&out), want);
	sbuf_free(&out);
	/* Narrow rows: one line per client when two do not fit. */
	scene_reset(&sc, 40, 5, false);
	scene_history(&sc, (struct scene_rect){0, 0, 40, 5}, &hv);
	scene_render_text(&sc, &out);
	assert_non_null(strstr(sbuf_str(&out), "c1     #######"));
	assert_non_null(strstr(sbuf_str(&out), "c2       [-x"));
	assert_null(strstr(sbuf_str(&out), "gone"));
	sbuf_free(&out);
	scene_close(&sc);
}

static void badge(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	scene_reset(&sc, 50, 2, false);
	const char *status = "netsplit - raft - 5 nodes - t=8.000s - paused";
	scene_text(&sc, 1, 0, -1, SS_BAR, status);
	scene_status_badge(&sc, status, NULL, "not linearizable", SS_ERROR);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	/* The name goes first, then a cut at the last separator that fits,
	 * never inside "t=8.000s". */
	assert_string_equal(sbuf_str(&out), " raft - 5 nodes - t=8.000s      not linearizable\n\n");
	sbuf_free(&out);
	/* A short status line is left whole. */
	scene_reset(&sc, 50, 1, false);
	scene_text(&sc, 1, 0, -1, SS_BAR, "netsplit - raft");
	scene_status_badge(&sc, "netsplit - raft", NULL, "checking", SS_DIM);
	scene_render_text(&sc, &out);
	assert_string_equal(sbuf_str(&out), " netsplit - raft                        checking\n");
	sbuf_free(&out);
	/* Issue 11: the badge goes left of the REC mark, which stays whole. */
	scene_reset(&sc, 50, 1, false);
	scene_text(&sc, 1, 0, -1, SS_BAR, "netsplit - raft");
	scene_text(&sc, 44, 0, 5, SS_REC, "* REC");
	scene_status_badge(&sc, "netsplit - raft", "* REC", "linearizable", SS_OK);
	scene_render_text(&sc, &out);
	assert_string_equal(sbuf_str(&out), " netsplit - raft             linearizable   * REC\n");
	sbuf_free(&out);
	scene_close(&sc);
}

/* Issue 11: the view opens on the whole history when its operations stay
 * legible (three columns), else on the widest window where they are. */
static void fit_zoom(void **state)
{
	(void)state;
	/* 1 s of 300 ms operations in 70 columns: all of it, 20 ms a column. */
	assert_int_equal(tui_hist_fit_zoom(SIM_S, 300 * SIM_MS, 70), 7);
	/* 1 s of 4 ms operations: 1 ms a column, a 4-column bar each. */
	assert_int_equal(tui_hist_fit_zoom(SIM_S, 4 * SIM_MS, 70), 3);
	/* Nothing known of the operations: the whole span. */
	assert_int_equal(tui_hist_fit_zoom(SIM_S, 0, 70), 7);
	/* A short history of slow operations fits at the finest scale that
	 * holds it. */
	assert_int_equal(tui_hist_fit_zoom(5 * SIM_MS, 2 * SIM_MS, 70), 0);
	/* A long one is never beyond the coarsest scale. */
	assert_int_equal(tui_hist_fit_zoom(3600 * SIM_S, 10 * SIM_S, 70), 12);
	/* Wider windows take finer scales for the same history. */
	assert_true(tui_hist_fit_zoom(SIM_S, 300 * SIM_MS, 150) <
		    tui_hist_fit_zoom(SIM_S, 300 * SIM_MS, 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(labels),
	    cmocka_unit_test(layout),
	    cmocka_unit_test(badge),
	    cmocka_unit_test(fit_zoom),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

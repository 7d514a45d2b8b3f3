/*
 * test_phiplot.c — the φ accrual detector's plot (issue 17), from a real
 * simulation: the value the plot computes again from the protocol's
 * record equals what the detector itself computes now (the `phi` predicate,
 * which reads phi.c's own φ), below the threshold while heartbeats come and
 * above it after the peer crashes; where the observer was down there is
 * no value; choosing the peer never picks the observer; and the drawing at
 * 80x24 matches its golden file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"
#include "golden.h"
#include "tui/tui_internal.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool holds(struct world *w, const char *pred)
{
	char line[128];
	snprintf(line, sizeof line, "expect %s", pred);
	struct sbuf err = {0};
	enum exec_status st = world_exec_line(w, line, &err);
	sbuf_free(&err);
	return st == EXEC_OK;
}

static void fill(struct world *w, struct tui_phi *p, int obs, struct scene_snap *s)
{
	memset(s, 0, sizeof *s);
	s->w = 80;
	s->h = 24;
	s->unicode = true;
	tui_phi_fill(p, world_sim(w), obs, true, s);
}

/* φ now, computed again from the record, is the detector's own (within
 * 0.01), and the newest column — the largest φ across its slice of time —
 * is at least that. */
static void agrees(struct world *w, const struct tui_phi *p, const struct scene_snap *s,
		   const char *peer, const char *obs)
{
	double v = p->now_value;
	assert_false(isnan(v));
	assert_true(s->phi[s->nphi - 1] >= v * (1 - 1e-6) - 1e-6); /* stored as float */
	char a[96], b[96];
	snprintf(a, sizeof a, "phi %s by %s > %.4f", peer, obs, v - 0.01);
	snprintf(b, sizeof b, "phi %s by %s < %.4f", peer, obs, v + 0.01);
	if (!holds(w, a) || !holds(w, b))
		fail_msg("the plot says %.4f for %s by %s, the detector does not", v, peer, obs);
}

static void test_values(void **state)
{
	(void)state;
	struct world *w = world_with("seed 4\ncluster phi 3\nnet latency 20ms jitter 30ms\nrun 7s");
	struct tui_phi p;
	memset(&p, 0, sizeof p);
	struct scene_snap s;
	fill(w, &p, 0, &s);
	assert_int_equal(s.nphi, scene_phi_cols(80));
	assert_int_equal(s.phi_threshold, 8);
	agrees(w, &p, &s, "n2", "n1");
	for (int c = 0; c < s.nphi; c++) /* jitter, no crash: never past 8 */
		assert_true(s.phi[c] < 8);
	/* Another peer: n3, never n1 itself, then n2 again. */
	tui_phi_peer(&p, world_sim(w), 0, 1);
	fill(w, &p, 0, &s);
	assert_non_null(strstr(s.phi_title, "of n3 as n1"));
	agrees(w, &p, &s, "n3", "n1");
	tui_phi_peer(&p, world_sim(w), 0, 1);
	fill(w, &p, 0, &s);
	assert_non_null(strstr(s.phi_title, "of n2 as n1"));
	/* n2 crashes: a second later the newest columns are far past 8. */
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "crash n2\nrun 1s", &err), EXEC_OK);
	fill(w, &p, 0, &s);
	agrees(w, &p, &s, "n2", "n1");
	assert_true(s.phi[s.nphi - 1] > 8);
	assert_true(s.phi[s.nphi / 4] < 8); /* 4.5 s ago it still beat */
	assert_non_null(strstr(s.phi_detail[0].text, "SUSPECTED"));
	struct scene sc;
	scene_init(&sc);
	scene_view_phi(&sc, &s);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	golden("phi_80x24", sbuf_str(&out));
	/* The observer down: no φ from its crash on. */
	assert_int_equal(world_exec_line(w, "restart n2\nrun 1s\ncrash n1\nrun 2s", &err), EXEC_OK);
	fill(w, &p, 0, &s);
	assert_true(isnan(s.phi[s.nphi - 1]));
	assert_false(isnan(s.phi[0]));
	assert_non_null(strstr(s.phi_detail[0].text, "down"));
	tui_phi_zoom(&p, -1);
	assert_int_equal(p.span, 12 * SIM_S);
	for (int i = 0; i < 10; i++)
		tui_phi_zoom(&p, 1);
	assert_int_equal(p.span, SIM_S);
	sbuf_free(&out);
	sbuf_free(&err);
	scene_close(&sc);
	tui_phi_free(&p);
	world_free(w);
}

static void test_other_protocols(void **state)
{
	(void)state;
	struct world *w = world_with("cluster heartbeat 3");
	assert_false(tui_phi_applies(world_sim(w)));
	struct phi_point pts[4];
	assert_int_equal(phi_history(world_sim(w), 0, 1, pts, 4), 0);
	world_free(w);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	unsetenv("LANGUAGE");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_other_protocols),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

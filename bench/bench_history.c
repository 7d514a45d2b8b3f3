/*
 * bench_history.c — what the history view and the live verdict cost.
 * Prints figures; asserts nothing.
 *
 *  1. The per-frame checker budget: a Raft cluster (ReadIndex reads, so the
 *     history stays linearizable and the checker never stops) under
 *     `workload clients 3 rate 20/s keys 2`, advanced 33ms of simulated time
 *     per frame, with tui_hist_tick(0.002) after each frame, as the screen
 *     does, until the history holds 2000 operations. Reports the wall time
 *     of the ticks (mean, max), how many frames ended "checking", and the
 *     checker's own figures.
 *     Then the same with reads=local: the cost of the one tick that finds
 *     the violation and computes its core and explanation.
 *  2. One history-view frame with those 2000 operations: tui_hist_fill,
 *     scene_view_history and scene_rasterize, at 80x24 and 200x60, at the
 *     default zoom (5ms a column) and zoomed out to 1s a column (every
 *     operation in the window). Best of 5 rounds of 200 frames.
 *
 * Run: ./build/bench/bench_history
 */
#include "tui/scene_history.h"
#include "tui/tui_history.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FRAMES 200
#define ROUNDS 5

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void run(struct world *w, const char *cmd)
{
	struct sbuf err = {0};
	if (world_exec_line(w, cmd, &err) == EXEC_ERROR)
		fprintf(stderr, "bench_history: %s: %s\n", cmd, sbuf_str(&err));
	sbuf_free(&err);
}

static void frame_cost(struct world *w, struct tui_hist *h, int cols, int rows, int zoom_out)
{
	struct scene sc;
	struct scene_grid g;
	scene_init(&sc);
	scene_grid_init(&g);
	for (int i = 0; i < zoom_out; i++)
		tui_hist_zoom(h, -1);
	struct scene_snap snap = {.w = cols, .h = rows, .unicode = true, .status = "netsplit"};
	double best = 1e9;
	int drawn = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = wall_now();
		for (int f = 0; f < FRAMES; f++) {
			struct scene_hist hv;
			tui_hist_fill(h, w, true, cols - SCENE_HIST_GUTTER - 1, &hv);
			scene_view_history(&sc, &snap, &hv);
			scene_rasterize(&sc, &g);
			drawn = hv.nops;
		}
		double per = (wall_now() - t0) / FRAMES;
		if (per < best)
			best = per;
	}
	for (int i = 0; i < zoom_out; i++)
		tui_hist_zoom(h, 1);
	printf("  %3dx%-3d %-12s %5d ops drawn   %8.1f us/frame\n", cols, rows,
	       zoom_out ? "1s/column" : "5ms/column", drawn, best * 1e6);
	scene_close(&sc);
	scene_grid_close(&g);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	run(w, "seed 1");
	run(w, "cluster raft 5 reads=readindex");
	run(w, "workload clients 3 rate 20/s keys 2");
	struct tui_hist *h = tui_hist_new();
	const struct history *hist = world_history(w);
	int frames = 0, checking = 0;
	double total = 0, worst = 0;
	sim_time t = sim_now(world_sim(w));
	while (hist->n < 2000 && frames < 100000) {
		t += 33 * SIM_MS;
		world_advance_to(w, t);
		double t0 = wall_now();
		tui_hist_tick(h, w, 0.002);
		double dt = wall_now() - t0;
		total += dt;
		if (dt > worst)
			worst = dt;
		checking += tui_hist_verdict(h) == LIN_CHECKING;
		frames++;
	}
	struct lin_stats ls;
	lin_get_stats(world_lin(w), &ls);
	printf("per-frame checker (budget 2ms), %zu operations over %d frames (%.1fs simulated):\n",
	       hist->n, frames, (double)t / SIM_S);
	printf("  tick: mean %.1f us, max %.1f us; frames ending \"checking\": %d; verdict: %s\n",
	       total / frames * 1e6, worst * 1e6, checking, lin_verdict_name(tui_hist_verdict(h)));
	printf("  checker: %llu steps, %llu searches, %llu witness re-validations, %d keys\n",
	       (unsigned long long)ls.steps, (unsigned long long)ls.searches,
	       (unsigned long long)ls.witness_hits, ls.nkeys);
	/* The tick that finds a violation also computes its core and words. */
	struct world *bad = world_new();
	world_set_output(bad, quiet, NULL);
	run(bad, "seed 1");
	run(bad, "cluster raft 5 reads=local");
	run(bad, "workload clients 3 rate 20/s keys 2");
	struct tui_hist *hb = tui_hist_new();
	double found = 0;
	int bad_frames = 0;
	sim_time tb = sim_now(world_sim(bad));
	while (bad_frames < 10000) {
		tb += 33 * SIM_MS;
		world_advance_to(bad, tb);
		double t0 = wall_now();
		bool now_bad = tui_hist_tick(hb, bad, 0.002);
		bad_frames++;
		if (now_bad) {
			found = wall_now() - t0;
			break;
		}
	}
	printf("reads=local: violation found at %.2fs simulated (%zu operations); that tick, "
	       "with core and explanation: %.1f us\n",
	       (double)tb / SIM_S, world_history(bad)->n, found * 1e6);
	tui_hist_free(hb);
	world_free(bad);
	printf("history view frame (fill + scene + rasterise), best of %d x %d frames:\n", ROUNDS,
	       FRAMES);
	frame_cost(w, h, 80, 24, 0);
	frame_cost(w, h, 80, 24, 7);
	frame_cost(w, h, 200, 60, 0);
	frame_cost(w, h, 200, 60, 7);
	tui_hist_free(h);
	world_free(w);
	return 0;
}

/*
 * bench_views.c — what the protocols' own timeline views cost per frame,
 * after a long session (issues 17 and 18). Prints figures; asserts
 * nothing.
 *
 *  1. The clocks space-time diagram (tui_st_fill + scene_view_spacetime +
 *     rasterising, 80x24, an event selected) after 10 minutes and after an
 *     hour of the random workload on 5 nodes: the placing is linear in the
 *     events kept, so the figure grows with the session; its events and
 *     their memory are printed beside it.
 *  2. The phi plot (tui_phi_fill + scene_view_phi, 80x24) on 5 nodes after
 *     an hour: the record is bounded (128 points per peer), so the frame
 *     costs the same at any session length.
 *  3. SWIM's membership matrix (tui_gossip_fill + scene_view_gossip,
 *     80x24) at 16, 32 and 64 members, a member crashed.
 *
 * CPU time per frame, the best of 5 rounds of 200 frames (the machine may
 * be busy). Run: ./build/bench/bench_views
 */
#include "proto/clocks.h"
#include "tui/tui_internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAMES 200
#define ROUNDS 5

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static struct world *world_of(const char *script)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct sbuf err = {0};
	if (world_exec_line(w, script, &err) != EXEC_OK) {
		fprintf(stderr, "%s: %s\n", script, sbuf_str(&err));
		exit(1);
	}
	sbuf_free(&err);
	return w;
}

enum view { V_CLOCKS, V_PHI, V_GOSSIP };

/* The best CPU time per frame over ROUNDS rounds of FRAMES frames. */
static double per_frame(struct world *w, enum view v)
{
	struct sim *s = world_sim(w);
	struct tui_st *st = tui_st_new();
	struct tui_phi phi;
	struct tui_gossip gs;
	memset(&phi, 0, sizeof phi);
	memset(&gs, 0, sizeof gs);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	struct scene sc;
	scene_init(&sc);
	struct scene_grid g;
	scene_grid_init(&g);
	if (v == V_CLOCKS) /* an event selected: its past, future and concurrency */
		tui_st_move(st, s, -1);
	double best = 1e9;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = cpu_now();
		for (int f = 0; f < FRAMES; f++) {
			struct scene_snap snap;
			memset(&snap, 0, sizeof snap);
			snap.w = 80;
			snap.h = 24;
			snap.unicode = true;
			tui_snap_cluster(s, 0, &sb, &snap);
			if (v == V_CLOCKS) {
				tui_st_fill(st, s, true, scene_spacetime_rows(80, 24), &snap);
				scene_view_spacetime(&sc, &snap);
			} else if (v == V_PHI) {
				tui_phi_fill(&phi, s, 0, true, &snap);
				scene_view_phi(&sc, &snap);
			} else {
				tui_gossip_fill(&gs, s, 4, true, &snap);
				scene_view_gossip(&sc, &snap);
			}
			scene_rasterize(&sc, &g);
		}
		double t = (cpu_now() - t0) / FRAMES;
		if (t < best)
			best = t;
	}
	scene_grid_close(&g);
	scene_close(&sc);
	tui_snapbuf_free(&sb);
	tui_gossip_free(&gs);
	tui_phi_free(&phi);
	tui_st_free(st);
	return best;
}

static void clocks_after(const char *run, const char *label)
{
	char script[256];
	snprintf(script, sizeof script, "seed 7\ncluster clocks 5\n%s", run);
	struct world *w = world_of(script);
	struct sim *s = world_sim(w);
	uint32_t total = 0;
	for (int i = 0; i < sim_nodes(s); i++) {
		uint32_t n;
		clocks_events(s, i, &n);
		total += n;
	}
	double t = per_frame(w, V_CLOCKS);
	printf("clocks, 5 nodes, %-10s %7u events (%6.1f MB kept)  %8.1f us per frame\n", label,
	       total, (double)total * sizeof(struct clk_event) / 1e6, t * 1e6);
	world_free(w);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	printf("CPU time per frame at 80x24 (snapshot, view, rasterising; best of %d x %d)\n",
	       ROUNDS, FRAMES);
	clocks_after("run 600s", "10 minutes");
	clocks_after("run 3600s", "an hour");
	struct world *w =
	    world_of("seed 7\ncluster phi 5\nnet latency 20ms jitter 80ms\nrun 3600s");
	printf("phi plot, 5 nodes, an hour                                   %8.1f us per frame\n",
	       per_frame(w, V_PHI) * 1e6);
	world_free(w);
	static const int sizes[] = {16, 32, 64};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char script[128];
		snprintf(script, sizeof script, "seed 7\ncluster swim %d\nrun 5s\ncrash n5\nrun 5s",
			 sizes[i]);
		w = world_of(script);
		printf("swim matrix, %2d members                                      %8.1f us per "
		       "frame\n",
		       sizes[i], per_frame(w, V_GOSSIP) * 1e6);
		world_free(w);
	}
	return 0;
}

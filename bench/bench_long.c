/*
 * bench_long.c — a long session, headless: raft 5 (ReadIndex reads, so the
 * history stays linearizable) under `workload clients 3 rate 20/s keys 2`,
 * advanced as the screen does at 100x and 30 frames a second (3.3 s of
 * simulated time a frame), with the live verdict's tick (tui_hist_tick, a
 * 2 ms budget) after every frame. Every simulated hour it prints the
 * history's length, the resident set (current and peak), the ticks'
 * p50/p99/max over that hour, the frames that ended "checking", and the
 * simulated speed achieved (simulated seconds per wall second, counting
 * the simulation and the ticks), and the cost of one history-view frame
 * (tui_hist_fill at 200 columns, best of 20). With --inject H a stale read is added
 * to the history at hour H (a get of a value never written): the verdict
 * must turn "not linearizable" and the explanation name that read.
 *
 * Run: ./build/bench/bench_long [HOURS (default 10)] [--inject H]
 * Prints figures; asserts nothing.
 */
#include "tui/scene_history.h"
#include "tui/tui_history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
		fprintf(stderr, "bench_long: %s: %s\n", cmd, sbuf_str(&err));
	sbuf_free(&err);
}

/* Resident set now and at peak, in MB (Linux /proc). */
static void rss(double *now, double *peak)
{
	*now = *peak = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		long kb;
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			*now = kb / 1024.0;
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			*peak = kb / 1024.0;
	}
	fclose(f);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double hours = 10, inject = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--inject") && i + 1 < argc)
			inject = atof(argv[++i]);
		else
			hours = atof(argv[i]);
	}
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	run(w, "seed 1");
	run(w, "cluster raft 5 reads=readindex");
	run(w, "workload clients 3 rate 20/s keys 2");
	struct tui_hist *th = tui_hist_new();
	struct history *hist = world_history(w);
	const sim_time frame = 3300 * SIM_MS; /* 100x at 30 frames a second */
	size_t cap = (size_t)(3600 * SIM_S / frame) + 2, n = 0;
	double *ticks = malloc(cap * sizeof *ticks), *all_max = NULL;
	double worst = 0, hour_wall = 0, t_start = wall_now();
	size_t total_frames = 0, all_checking = 0;
	double *p99s = calloc((size_t)hours + 2, sizeof *p99s);
	sim_time t = sim_now(world_sim(w));
	bool injected = false;
	(void)all_max;
	printf("hour    ops   RSS MB (peak)   tick p50 / p99 / max (ms)  checking  speed  view ms  "
	       "verdict\n");
	for (int hr = 1; hr <= (int)hours; hr++) {
		n = 0;
		int checking = 0;
		double h0 = wall_now();
		sim_time end = t + 3600 * SIM_S;
		while (t < end) {
			t += frame;
			world_advance_to(w, t);
			if (!injected && inject >= 0 && (double)t >= inject * 3600 * SIM_S) {
				/* A stale read: a get of a value nobody wrote. */
				struct hist_op op = {0};
				op.process = 99;
				op.node = 0;
				op.f = HIST_READ;
				op.key = "x";
				op.invoked = t - 2 * SIM_MS;
				op.completed = t - SIM_MS;
				op.gave_up = HIST_NEVER;
				op.outcome = OUT_OK;
				op.result = "never-written";
				history_add(hist, &op);
				injected = true;
			}
			double t0 = wall_now();
			tui_hist_tick(th, w, 0.002);
			double dt = wall_now() - t0;
			ticks[n++] = dt;
			worst = dt > worst ? dt : worst;
			checking += tui_hist_verdict(th) == LIN_CHECKING;
		}
		hour_wall = wall_now() - h0;
		/* One history-view frame at 200 columns (best of 20). */
		double view = 1e9;
		for (int r = 0; r < 20; r++) {
			struct scene_hist hv;
			double v0 = wall_now();
			tui_hist_fill(th, w, true, 200, &hv);
			view = MIN(view, wall_now() - v0);
		}
		qsort(ticks, n, sizeof *ticks, dbl_cmp);
		double now_mb, peak_mb;
		rss(&now_mb, &peak_mb);
		p99s[hr] = ticks[n * 99 / 100];
		total_frames += n;
		all_checking += (size_t)checking;
		printf(
		    "%4d %7zu   %6.1f (%5.1f)   %6.3f / %6.3f / %7.3f   %6d  %5.0fx  %7.3f  %s\n",
		    hr, hist->n, now_mb, peak_mb, ticks[n / 2] * 1e3, ticks[n * 99 / 100] * 1e3,
		    ticks[n - 1] * 1e3, checking, 3600.0 / hour_wall, view * 1e3,
		    lin_verdict_name(tui_hist_verdict(th)));
		fflush(stdout);
	}
	double p99max = 0;
	for (int hr = 1; hr <= (int)hours; hr++)
		p99max = p99s[hr] > p99max ? p99s[hr] : p99max;
	printf("%zu frames, worst hourly p99 %.3f ms, max %.3f ms, %zu ended \"checking\"; "
	       "%.0fx overall\n",
	       total_frames, p99max * 1e3, worst * 1e3, all_checking,
	       hours * 3600 / (wall_now() - t_start));
	struct sbuf ex = {0};
	if (lin_explain(world_lin(w), NULL, &ex))
		printf("explanation:\n%s", sbuf_str(&ex));
	sbuf_free(&ex);
	free(ticks);
	free(p99s);
	tui_hist_free(th);
	world_free(w);
	return 0;
}

/*
 * bench_detect.c — the trade-offs of failure detection, measured in the
 * simulator (printed, never asserted; issue 17):
 *
 *   1. false suspicions against detection time, under jittery latency
 *      (every link 20 ms + up to 80 ms; then up to 250 ms; then 80 ms
 *      with 2% loss): the fixed-timeout heartbeat
 *      detector at several timeouts, the φ accrual detector at several
 *      thresholds, both beating every 100 ms, from the same runs: 5
 *      nodes, 70 s with no fault (every suspicion is false; those of the
 *      first 10 s, while φ's windows fill, are not counted), then n1
 *      crashes and the time until every other node suspects it is the
 *      detection time. Mean over SEEDS seeds;
 *   2. a one-way cut n3 -> n1: does n1 suspect n3? (heartbeat: yes; SWIM:
 *      its indirect probes keep n3 alive);
 *   3. SWIM at 8, 16, 32 and 64 members: n1 crashes; the time until the
 *      first member declares it dead (the probe and the suspicion
 *      timeout, which grows like log n by design), until every member
 *      does, the spread in between (infection-style dissemination: about
 *      log n protocol periods), and messages sent per member per period
 *      (a constant, whatever n).
 *
 * Usage: bench_detect [SEEDS]  (default 20)
 * Every figure is simulated time; the simulator never reads a clock.
 */
#include "proto/proto.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct watch {
	sim_time warmup;              /* suspicions before this are not counted */
	int target;                   /* the crashed node, or -1 before the crash */
	int64_t false_susp;           /* suspicions before the crash */
	sim_time crash_at;            /* true time of the crash */
	sim_time seen[SIM_MAX_NODES]; /* when each observer first suspected/declared it */
	const char *word;             /* "suspects n%d" or "declares n%d dead" */
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct watch *w = ctx;
	if (ev->kind != TR_STATE || !ev->text || ev->node < 0)
		return;
	int p;
	if (sscanf(ev->text, w->word, &p) != 1)
		return;
	if (w->target < 0) {
		if (ev->at >= w->warmup)
			w->false_susp++;
		return;
	}
	if (p - 1 == w->target && w->seen[ev->node] == SIM_NEVER)
		w->seen[ev->node] = ev->at - w->crash_at;
}

static struct sim *make(const char *proto, const char *const *opts, int n, uint64_t seed)
{
	const struct proto_ops *ops = proto_find(proto);
	struct proto_opts o;
	proto_opts_default(ops, &o);
	for (int i = 0; opts && opts[i]; i++) {
		char key[64];
		const char *eq = strchr(opts[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - opts[i]), opts[i]);
		int idx = proto_option_index(ops, key);
		struct sbuf err = {0};
		if (idx < 0 || !proto_option_parse(ops, idx, eq + 1, &o.v[idx], &err)) {
			fprintf(stderr, "bad option %s: %s\n", opts[i], sbuf_str(&err));
			exit(2);
		}
		sbuf_free(&err);
	}
	return sim_new(ops, &o, n, seed);
}

/* One run: `quiet` of no fault, then node 0 crashes; `after` more. The
 * result: false suspicions, and the slowest observer's detection time
 * (SIM_NEVER if one never noticed); *first the fastest's. */
static void run_one(struct sim *s, const char *word, sim_time warmup, sim_time quiet,
		    sim_time after, int64_t *false_susp, sim_time *first, sim_time *last,
		    double *load, sim_time period)
{
	struct watch w = {.warmup = warmup, .target = -1, .word = word};
	for (int i = 0; i < SIM_MAX_NODES; i++)
		w.seen[i] = SIM_NEVER;
	int h = sim_observe(s, on_trace, &w);
	sim_run_until(s, quiet);
	if (load) {
		double worst = 0;
		for (int i = 0; i < sim_nodes(s); i++) {
			double l = (double)sim_node(s, i)->sent * (double)period / (double)quiet;
			if (l > worst)
				worst = l;
		}
		*load = worst;
	}
	w.target = 0;
	w.crash_at = sim_now(s);
	sim_crash(s, 0);
	sim_run_until(s, quiet + after);
	sim_unobserve(s, h);
	*false_susp = w.false_susp;
	*first = SIM_NEVER;
	*last = 0;
	for (int i = 1; i < sim_nodes(s); i++) {
		sim_time t = w.seen[i];
		if (t < *first)
			*first = t;
		if (t == SIM_NEVER || (*last != SIM_NEVER && t > *last))
			*last = t;
	}
}

struct net {
	const char *name;
	sim_time jitter;
	uint32_t loss_ppm;
};

static void jittery(struct sim *s, const struct net *net)
{
	struct link_config cfg = *sim_default_link(s);
	cfg.latency = 20 * SIM_MS;
	cfg.jitter = net->jitter;
	cfg.loss_ppm = net->loss_ppm;
	sim_set_all_links(s, &cfg);
}

static void part1(int seeds, const struct net *net)
{
	printf("1. %s; heartbeats every 100ms, 5 nodes:\n"
	       "   70 s without a fault (suspicions counted after the first 10 s: the\n"
	       "   windows' warm-up), then n1 crashes. Mean over %d seeds.\n\n",
	       net->name, seeds);
	printf("   %-10s %-22s %18s %16s\n", "detector", "setting", "false suspicions",
	       "detection");
	printf("   %-10s %-22s %18s %16s\n", "", "", "per node-minute", "(slowest node)");
	static const char *const hb[] = {"timeout=150ms", "timeout=200ms", "timeout=300ms",
					 "timeout=500ms"};
	static const char *const phi[] = {"threshold=1", "threshold=3", "threshold=8",
					  "threshold=12"};
	for (int k = 0; k < 9; k++) {
		const char *proto = k < 4 ? "heartbeat" : "phi";
		const char *opt = k < 4 ? hb[k] : k < 8 ? phi[k - 4] : "threshold=8";
		const char *opts[] = {opt, k == 8 ? "acceptable-heartbeat-pause=100ms" : NULL,
				      NULL};
		double fs = 0, det = 0;
		int never = 0;
		for (int sd = 1; sd <= seeds; sd++) {
			struct sim *s = make(proto, opts, 5, (uint64_t)sd);
			jittery(s, net);
			int64_t f;
			sim_time first, last;
			run_one(s, "suspects n%d", 10 * SIM_S, 70 * SIM_S, 5 * SIM_S, &f, &first,
				&last, NULL, 0);
			fs += (double)f / 1.0;
			if (last == SIM_NEVER)
				never++;
			else
				det += (double)last;
			sim_free(s);
		}
		char dbuf[32];
		if (never == seeds)
			snprintf(dbuf, sizeof dbuf, "never");
		else
			snprintf(dbuf, sizeof dbuf, "%.0f ms", det / (seeds - never) / 1000);
		printf("   %-10s %-22s %18.2f %16s\n", proto,
		       k == 8 ? "threshold=8 pause=100ms" : opt, fs / seeds / 5, dbuf);
	}
	printf("\n");
}

static void part2(void)
{
	printf("2. a one-way cut n3 -> n1 for 5 s, default links, 5 nodes:\n");
	const char *const protos[] = {"heartbeat", "phi", "swim"};
	for (int k = 0; k < 3; k++) {
		struct sim *s = make(protos[k], NULL, 5, 1);
		sim_run_until(s, 2 * SIM_S);
		sim_cut(s, 2, 0);
		struct watch w = {.target = -1, .word = "suspects n%d"};
		int h = sim_observe(s, on_trace, &w);
		sim_run_until(s, 7 * SIM_S);
		sim_unobserve(s, h);
		printf("   %-10s suspicions raised: %lld\n", protos[k], (long long)w.false_susp);
		sim_free(s);
	}
	printf("\n");
}

static void part3(int seeds)
{
	printf("3. SWIM, n1 crashes after 10 s (defaults: period 200ms, k=3, lambda 4,\n"
	       "   suspicion-mult 4). Mean over %d seeds.\n\n",
	       seeds);
	printf("   %7s %14s %14s %14s %16s\n", "members", "first dead", "all dead", "spread",
	       "msgs/member/period");
	static const int sizes[] = {8, 16, 32, 64};
	for (int k = 0; k < 4; k++) {
		double first = 0, last = 0, load = 0;
		int ok = 0;
		for (int sd = 1; sd <= seeds; sd++) {
			struct sim *s = make("swim", NULL, sizes[k], (uint64_t)sd);
			int64_t f;
			sim_time a, b;
			double l;
			run_one(s, "declares n%d dead", 0, 10 * SIM_S, 20 * SIM_S, &f, &a, &b, &l,
				200 * SIM_MS);
			if (b != SIM_NEVER) {
				first += (double)a;
				last += (double)b;
				ok++;
			}
			load += l;
			sim_free(s);
		}
		if (!ok) {
			printf("   %7d %14s\n", sizes[k], "never");
			continue;
		}
		printf("   %7d %11.0f ms %11.0f ms %11.0f ms %16.2f\n", sizes[k], first / ok / 1000,
		       last / ok / 1000, (last - first) / ok / 1000, load / seeds);
	}
}

int main(int argc, char **argv)
{
	int seeds = argc > 1 ? atoi(argv[1]) : 20;
	if (seeds < 1)
		seeds = 1;
	static const struct net nets[] = {
	    {"net latency 20ms jitter 80ms", 80 * SIM_MS, 0},
	    {"net latency 20ms jitter 250ms", 250 * SIM_MS, 0},
	    {"net latency 20ms jitter 80ms loss 2%", 80 * SIM_MS, 20000},
	};
	for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
		part1(seeds, &nets[i]);
	part2();
	part3(seeds < 10 ? seeds : 10);
	return 0;
}

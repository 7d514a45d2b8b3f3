/*
 * bench_raft.c — figures for Raft in the simulator (printed, never
 * asserted):
 *
 *   1. committed client writes per CPU second: 5 nodes, no faults, many
 *      concurrent clients each putting as soon as its last put completed,
 *      for a stretch of simulated time; without and with the Figure 3
 *      checker watching every event;
 *   2. fuzz seeds per CPU second: random fault schedules of 20 s simulated
 *      time each (src/check/fuzz.c), invariants after every event.
 *
 * Usage: bench_raft [SIM_SECONDS [CLIENTS [SEEDS]]]  (defaults 100 64 200)
 * CPU time is measured with clock(); the simulator itself never reads a
 * clock.
 */
#include "check/fuzz.h"
#include "check/invariants.h"
#include "proto/proto.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct load {
	int clients;
	uint64_t ok, issued;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct load *l = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->outcome == OUT_OK)
		l->ok++;
}

/* Every millisecond, each idle client puts again. */
static void tick(void *ctx, struct sim *s, uint64_t arg)
{
	struct load *l = ctx;
	for (int c = 1; c <= l->clients; c++) {
		if (sim_client_busy(s, c))
			continue;
		struct kv_op op;
		memset(&op, 0, sizeof op);
		op.fn = KV_PUT;
		snprintf(op.key, sizeof op.key, "k%d", (int)(l->issued % 100));
		snprintf(op.arg, sizeof op.arg, "%llu", (unsigned long long)l->issued);
		sim_client_invoke(s, c, -1, &op);
		l->issued++;
	}
	sim_schedule(s, sim_now(s) + SIM_MS, tick, ctx, arg);
}

static double cpu_now(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

static void bench_writes(sim_time duration, int clients, bool checked, bool quiet)
{
	const struct proto_ops *ops = proto_find("raft");
	struct sim *s = sim_new(ops, NULL, 5, 1);
	struct load l = {.clients = clients};
	struct inv_watch *w = checked ? inv_watch_new(s) : NULL;
	int h = sim_observe(s, on_trace, &l);
	sim_schedule(s, 0, tick, &l, 0);
	double t0 = cpu_now();
	sim_run_until(s, duration);
	double cpu = cpu_now() - t0;
	bool safe = !w || inv_watch_ok(w, NULL, NULL);
	if (quiet)
		goto out;
	printf("writes, 5 nodes, %d clients, %lld s simulated%s:\n", clients,
	       (long long)(duration / SIM_S), checked ? ", checker on" : "");
	printf("  %llu committed writes (%.0f per simulated second), %llu events\n",
	       (unsigned long long)l.ok, (double)l.ok * SIM_S / (double)duration,
	       (unsigned long long)sim_events(s));
	printf("  %.3f CPU s: %.0f committed writes per CPU second, %.0f events per CPU second%s\n",
	       cpu, (double)l.ok / cpu, (double)sim_events(s) / cpu, safe ? "" : "  (UNSAFE!)");
out:
	sim_unobserve(s, h);
	inv_watch_free(w);
	sim_free(s);
}

static void bench_fuzz(int seeds)
{
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	int failed = 0;
	uint64_t events = 0;
	double t0 = cpu_now();
	for (int seed = 1; seed <= seeds; seed++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		fuzz_plan_make(&p, &o, (uint64_t)seed);
		if (!fuzz_run(&p, &o, &r)) {
			failed++;
			printf("  seed %d failed: %s\n", seed, r.why);
		}
		events += r.events;
		fuzz_plan_free(&p);
	}
	double cpu = cpu_now() - t0;
	printf("fuzz, raft, %d..%d nodes, %lld s of faults + liveness, %d seeds:\n", o.nodes_lo,
	       o.nodes_hi, (long long)(o.duration / SIM_S), seeds);
	printf("  %.3f CPU s: %.1f seeds per CPU second, %.0f events per CPU second, %d failed\n",
	       cpu, seeds / cpu, (double)events / cpu, failed);
}

int main(int argc, char **argv)
{
	long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	int clients = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 64;
	int seeds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 200;
	if (secs < 1 || clients < 1 || seeds < 0) {
		fprintf(stderr, "usage: bench_raft [SIM_SECONDS [CLIENTS [SEEDS]]]\n");
		return 2;
	}
	bench_writes(5 * SIM_S, clients, false, true); /* warm-up: caches, allocator */
	bench_writes(secs * SIM_S, clients, false, false);
	bench_writes(secs * SIM_S, clients, true, false);
	if (seeds)
		bench_fuzz(seeds);
	return 0;
}

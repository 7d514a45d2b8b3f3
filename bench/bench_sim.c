/*
 * bench_sim.c — simulated message deliveries per CPU second on a 64-node
 * all-to-all heartbeat cluster (63 x 64 = 4032 heartbeats every 100ms),
 * with and without jitter and loss, and with an observer attached (what
 * the screen costs the simulator). Prints figures; asserts nothing.
 *
 *   ./build/bench/bench_sim [SIMULATED_SECONDS]
 */
#include "proto/proto.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const struct proto_ops heartbeat_ops;

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count(void *ctx, const struct trace_event *ev)
{
	if (ev->kind == TR_DELIVER)
		++*(uint64_t *)ctx;
}

static void run(const char *label, int nodes, double seconds, sim_time jitter, uint32_t loss_ppm,
		bool observe)
{
	struct sim *s = sim_new(&heartbeat_ops, NULL, nodes, 1);
	struct link_config cfg = {.latency = 10 * SIM_MS, .jitter = jitter, .loss_ppm = loss_ppm};
	sim_set_all_links(s, &cfg);
	uint64_t seen = 0;
	if (observe)
		sim_observe(s, count, &seen);
	sim_run_until(s, SIM_S); /* warm up: pools and queue reach their size */
	uint64_t before = 0;
	for (int i = 0; i < nodes; i++)
		before += sim_node(s, i)->received;
	double t0 = cpu_seconds();
	sim_run_until(s, SIM_S + (sim_time)(seconds * SIM_S));
	double dt = cpu_seconds() - t0;
	uint64_t after = 0;
	for (int i = 0; i < nodes; i++)
		after += sim_node(s, i)->received;
	uint64_t n = after - before;
	printf("%-34s %10llu deliveries in %6.3f s CPU: %6.2f million/s (%llu events)\n", label,
	       (unsigned long long)n, dt, n / dt / 1e6, (unsigned long long)sim_events(s));
	sim_free(s);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 300;
	printf("netsplit simulator: 64-node all-to-all heartbeat, %.0f simulated seconds\n",
	       seconds);
	run("latency 10ms", 64, seconds, 0, 0, false);
	run("latency 10ms, jitter 5ms", 64, seconds, 5 * SIM_MS, 0, false);
	run("jitter 5ms, 10% loss", 64, seconds, 5 * SIM_MS, 100000, false);
	run("jitter 5ms, with an observer", 64, seconds, 5 * SIM_MS, 0, true);
	return 0;
}

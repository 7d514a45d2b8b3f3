/*
 * bench_consensus.c — committed writes per CPU second for the three
 * consensus protocols, Raft, Multi-Paxos and Zab, on 5 nodes without
 * faults, in one run (issue 16): each cluster elects its leader, then
 * CLIENTS closed-loop clients each write (put) again as soon as their last
 * write is answered, for SECONDS of simulated time. Printed per protocol:
 * writes acknowledged, writes per simulated second, and writes per CPU
 * second of the simulator (clock()); figures only, never asserted.
 *
 * Usage: bench_consensus [CLIENTS [SECONDS]]  (defaults 16 10)
 */
#include "proto/proto.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct load {
	struct sim *s;
	uint64_t issued, ok;
	bool on;
};

static void issue(struct load *l, int c)
{
	struct kv_op op = {.fn = KV_PUT};
	ns_snprintf(op.key, sizeof op.key, "k%d", c % 8);
	ns_snprintf(op.arg, sizeof op.arg, "%llu", (unsigned long long)l->issued++);
	sim_client_invoke(l->s, c, -1, &op);
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct load *l = ctx;
	if (ev->kind != TR_COMPLETE || !l->on)
		return;
	if (ev->op->outcome == OUT_OK)
		l->ok++;
	/* The client is idle once this event is over: issue from the next
	 * client slot of the same number after the callback (the simulator
	 * forbids invoking a busy client). */
}

int main(int argc, char **argv)
{
	int clients = argc > 1 ? atoi(argv[1]) : 16;
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	const char *names[] = {"raft", "paxos", "zab"};
	printf("committed writes, 5 nodes, no faults, %d closed-loop clients, %d s simulated\n",
	       clients, seconds);
	printf("%-8s %10s %14s %16s\n", "protocol", "writes", "writes/sim s", "writes/CPU s");
	for (int k = 0; k < 3; k++) {
		const struct proto_ops *ops = proto_find(names[k]);
		struct load l = {0};
		l.s = sim_new(ops, NULL, 5, 42);
		sim_observe(l.s, on_trace, &l);
		sim_run_until(l.s, 2 * SIM_S); /* an election */
		clock_t c0 = clock();
		l.on = true;
		sim_time end = sim_now(l.s) + (sim_time)seconds * SIM_S;
		while (sim_now(l.s) < end) {
			for (int c = 1; c <= clients; c++)
				if (!sim_client_busy(l.s, c))
					issue(&l, c);
			if (!sim_step(l.s))
				break;
		}
		double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
		printf("%-8s %10llu %14.0f %16.0f\n", names[k], (unsigned long long)l.ok,
		       (double)l.ok / seconds, cpu > 0 ? (double)l.ok / cpu : 0.0);
		sim_free(l.s);
	}
	return 0;
}

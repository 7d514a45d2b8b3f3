/*
 * bench_spanner.c — what commit wait costs: the mean latency of a write
 * and of a read, seen by the client, in the spanner protocol with
 * commitwait on and off, for a few epsilons (issue 18). 5 nodes, the
 * default links (10 ms plus up to 5 ms of jitter), clocks without error,
 * no faults; every 20 ms of simulated time each idle one of 8 clients
 * issues a put or a get (alternately) of one of 8 keys through a random
 * node, for SECONDS of simulated time. Figures only, never asserted: a
 * write through a node that is not its key's leader costs a round trip to
 * the leader (about 25 ms) plus the leader's round trip to a majority of
 * the replicas (about 25 ms; the faster two of four), and commit wait
 * overlaps that round trip: it shows only once 2 epsilon exceeds it.
 *
 * Usage: bench_spanner [SECONDS]  (default 20)
 */
#include "proto/proto.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally {
	struct sim *s;
	uint64_t issued;
	double wsum, rsum;
	uint64_t wn, rn;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct tally *t = ctx;
	if (ev->kind != TR_COMPLETE || ev->op->outcome != OUT_OK)
		return;
	double d = (double)(ev->op->completed - ev->op->invoked) / SIM_MS;
	if (ev->op->op.fn == KV_GET) {
		t->rsum += d;
		t->rn++;
	} else {
		t->wsum += d;
		t->wn++;
	}
}

static void tick(void *ctx, struct sim *s, uint64_t arg)
{
	struct tally *t = ctx;
	for (int c = sim_client_idle(s, 1); c >= 1 && c <= 8; c = sim_client_idle(s, c + 1)) {
		struct kv_op op;
		memset(&op, 0, sizeof op);
		op.fn = t->issued % 2 ? KV_GET : KV_PUT;
		ns_snprintf(op.key, sizeof op.key, "k%d", (int)(t->issued % 8));
		ns_snprintf(op.arg, sizeof op.arg, "%llu", (unsigned long long)t->issued);
		t->issued++;
		sim_client_invoke(s, c, -1, &op);
	}
	sim_schedule(s, sim_now(s) + 20 * SIM_MS, tick, ctx, arg);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 20;
	const struct proto_ops *ops = proto_find("spanner");
	if (!ops)
		return 1;
	const char *eps[] = {"1ms", "7ms", "30ms"};
	printf("spanner, 5 nodes, no faults, clocks exact, %d s simulated: mean latency (ms)\n",
	       seconds);
	printf("%-8s %-10s %8s %8s %8s %8s\n", "epsilon", "commitwait", "writes", "write", "reads",
	       "read");
	for (size_t e = 0; e < sizeof eps / sizeof eps[0]; e++)
		for (int on = 1; on >= 0; on--) {
			struct proto_opts o;
			proto_opts_default(ops, &o);
			struct sbuf err = {0};
			if (!proto_option_parse(ops, proto_option_index(ops, "epsilon"), eps[e],
						&o.v[proto_option_index(ops, "epsilon")], &err))
				return 1;
			o.v[proto_option_index(ops, "commitwait")].i = on;
			sbuf_free(&err);
			struct tally t = {0};
			t.s = sim_new(ops, &o, 5, 1);
			sim_observe(t.s, on_trace, &t);
			sim_schedule(t.s, 0, tick, &t, 0);
			sim_run_until(t.s, (sim_time)seconds * SIM_S);
			printf("%-8s %-10s %8llu %8.2f %8llu %8.2f\n", eps[e], on ? "on" : "off",
			       (unsigned long long)t.wn, t.wn ? t.wsum / (double)t.wn : 0.0,
			       (unsigned long long)t.rn, t.rn ? t.rsum / (double)t.rn : 0.0);
			sim_free(t.s);
		}
	return 0;
}

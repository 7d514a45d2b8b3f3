/*
 * bench_multileader.c — figures for the multileader protocol (printed,
 * never asserted):
 *
 *   1. acknowledged writes per CPU second: 5 nodes, no faults, many
 *      clients each putting to a random one of KEYS keys through a random
 *      node as soon as its last put completed, for a stretch of simulated
 *      time; lww and siblings, without and with the invariant checker;
 *   2. for the same runs: bytes on the wire per replicated write (Replicate
 *      and Ack messages), conflicts met and updates lost, and how long the
 *      replicas take to converge once the load stops.
 *
 * Usage: bench_multileader [SIM_SECONDS [CLIENTS [KEYS]]]  (defaults 10 16 100)
 * CPU time is measured with clock(); the simulator itself never reads a
 * clock.
 */
#include "check/invariants.h"
#include "proto/multileader_internal.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct load {
	int clients, keys;
	bool stop;
	uint64_t ok, issued;
	uint64_t wire_bytes, replicated; /* Replicate + Ack bytes; writes carried */
	struct sim *s;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct load *l = ctx;
	if (ev->kind == TR_COMPLETE && ev->op->outcome == OUT_OK)
		l->ok++;
	if (ev->kind == TR_SEND) {
		l->wire_bytes += ev->msg->len;
		if (ev->msg->type == ML_MSG_REPLICATE)
			l->replicated += ((const uint8_t *)ev->msg->data)[8]; /* the count byte */
	}
}

/* Every millisecond, each idle client puts again, through a random node. */
static void tick(void *ctx, struct sim *s, uint64_t arg)
{
	struct load *l = ctx;
	if (l->stop)
		return;
	for (int c = 1; c <= l->clients; c++) {
		if (sim_client_busy(s, c))
			continue;
		struct kv_op op;
		memset(&op, 0, sizeof op);
		op.fn = KV_PUT;
		snprintf(op.key, sizeof op.key, "k%d",
			 (int)rng_below(sim_rng(s), (uint64_t)l->keys));
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

static bool converged(void *ctx, struct sim *s)
{
	(void)ctx;
	for (int i = 0; ml_preds[i].name; i++)
		if (!strcmp(ml_preds[i].name, "converged")) {
			struct proto_args a = {0};
			struct sbuf why = {0};
			bool ok = ml_preds[i].eval(s, &a, &why);
			sbuf_free(&why);
			return ok;
		}
	return false;
}

static int64_t count(struct sim *s, const char *name)
{
	for (int i = 0; ml_preds[i].name; i++)
		if (!strcmp(ml_preds[i].name, name)) {
			struct proto_args a = {.n = 1};
			a.a[0].kind = ARG_INT;
			a.a[0].present = true;
			a.a[0].num = INT64_MAX;
			struct sbuf why = {0};
			ml_preds[i].eval(s, &a, &why);
			int64_t n = strtoll(sbuf_str(&why), NULL, 10); /* "N lost updates..." */
			sbuf_free(&why);
			return n;
		}
	return -1;
}

static void bench(sim_time duration, int clients, int keys, bool siblings, bool checked)
{
	struct proto_opts o;
	proto_opts_default(&multileader_ops, &o);
	o.v[ML_OPT_RESOLVE].i = siblings ? ML_RESOLVE_SIBLINGS : ML_RESOLVE_LWW;
	struct sim *s = sim_new(&multileader_ops, &o, 5, 1);
	struct load l = {.clients = clients, .keys = keys, .s = s};
	struct inv_watch *w = checked ? inv_watch_new(s) : NULL;
	int h = sim_observe(s, on_trace, &l);
	sim_schedule(s, 0, tick, &l, 0);
	double t0 = cpu_now();
	sim_run_until(s, duration);
	l.stop = true;
	bool conv = sim_run_while(s, duration + 10 * SIM_S, converged, NULL);
	sim_time settle = sim_now(s) - duration;
	double cpu = cpu_now() - t0;
	bool safe = !w || inv_watch_ok(w, NULL, NULL);
	printf("%s, 5 nodes, %d clients, %d keys, %lld s simulated%s:\n",
	       siblings ? "siblings" : "lww", clients, keys, (long long)(duration / SIM_S),
	       checked ? ", checker on" : "");
	printf("  %llu acknowledged writes (%.0f per simulated second), %llu events\n",
	       (unsigned long long)l.ok, (double)l.ok * SIM_S / (double)duration,
	       (unsigned long long)sim_events(s));
	printf("  %.3f CPU s: %.0f writes per CPU second, %.0f events per CPU second%s\n", cpu,
	       (double)l.ok / cpu, (double)sim_events(s) / cpu, safe ? "" : "  (UNSAFE!)");
	printf("  %.1f wire bytes per replicated write; %lld conflicts, %lld lost updates; "
	       "%s %.0f ms after the load stopped\n",
	       l.replicated ? (double)l.wire_bytes / (double)l.replicated : 0.0,
	       (long long)count(s, "conflicts"), (long long)count(s, "lost-updates"),
	       conv ? "converged" : "NOT converged", (double)settle / SIM_MS);
	sim_unobserve(s, h);
	inv_watch_free(w);
	sim_free(s);
}

int main(int argc, char **argv)
{
	long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
	int clients = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 16;
	int keys = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 100;
	if (secs < 1 || clients < 1 || keys < 1) {
		fprintf(stderr, "usage: bench_multileader [SIM_SECONDS [CLIENTS [KEYS]]]\n");
		return 2;
	}
	for (int sib = 0; sib < 2; sib++)
		for (int chk = 0; chk < 2; chk++)
			bench(secs * SIM_S, clients, keys, sib, chk);
	return 0;
}

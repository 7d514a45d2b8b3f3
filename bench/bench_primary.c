/*
 * bench_primary.c — figures for the `primary` protocol in the simulator
 * (printed, never asserted):
 *
 *   1. per mode (sync, semisync, async): acknowledged writes per simulated
 *      second and their simulated latency (median, 99th percentile), with
 *      3 nodes, default links (10 ms + up to 5 ms jitter), many clients;
 *      and simulated seconds per CPU second;
 *   2. per mode: the primary crashes under that load; over many seeds, the
 *      time until a new primary is elected and how many acknowledged
 *      writes the failover lost (counted by the invariant checker).
 *
 * Usage: bench_primary [CLIENTS [SEEDS]]  (defaults 16 200)
 * CPU time is measured with clock(); the simulator never reads a clock.
 */
#include "check/primary_invariants.h"
#include "proto/primary_internal.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct load {
	struct sim *s;
	void *chk;
	int clients;
	uint64_t issued, ok;
	sim_time *lat;
	size_t nlat, cap;
	bool record;
};

static void issue(struct load *l, int c)
{
	struct kv_op op = {.fn = KV_PUT};
	ns_snprintf(op.key, sizeof op.key, "k%d", c % 8);
	ns_snprintf(op.arg, sizeof op.arg, "%llu", (unsigned long long)l->issued++);
	sim_client_invoke(l->s, c, -1, &op);
}

static void again(void *ctx, struct sim *s, uint64_t c)
{
	struct load *l = ctx;
	if (!sim_client_busy(s, (int)c))
		issue(l, (int)c);
}

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct load *l = ctx;
	if (ev->kind == TR_STEP && l->chk) {
		struct sbuf why = {0};
		if (!primary_invariants.check(l->chk, l->s, &why)) {
			fprintf(stderr, "violation: %s\n", sbuf_str(&why));
			exit(1);
		}
		sbuf_free(&why);
		return;
	}
	if (ev->kind != TR_COMPLETE)
		return;
	if (ev->op->outcome == OUT_OK) {
		l->ok++;
		if (l->record) {
			xgrow((void **)&l->lat, &l->cap, l->nlat + 1, sizeof *l->lat);
			l->lat[l->nlat++] = ev->op->completed - ev->op->invoked;
		}
	}
	/* The next write as soon as this one is over (after the event). */
	sim_schedule(l->s, sim_now(l->s), again, l, (uint64_t)ev->op->client);
}

static struct sim *start(const char *mode, int clients, uint64_t seed, struct load *l, bool check)
{
	struct proto_opts o;
	proto_opts_default(&primary_ops, &o);
	struct sbuf err = {0};
	if (!proto_option_parse(&primary_ops, PB_OPT_MODE, mode, &o.v[PB_OPT_MODE], &err))
		abort();
	sbuf_free(&err);
	memset(l, 0, sizeof *l);
	l->s = sim_new(&primary_ops, &o, 3, seed);
	l->clients = clients;
	if (check) /* before any client operation: it numbers them */
		l->chk = primary_invariants.create(l->s);
	sim_observe(l->s, on_trace, l);
	sim_run_until(l->s, 200 * SIM_MS);
	for (int c = 1; c <= clients; c++)
		issue(l, c);
	return l->s;
}

static int cmp_time(const void *a, const void *b)
{
	sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
	return x < y ? -1 : x > y;
}

static double ms(sim_time t)
{
	return (double)t / 1000.0;
}

static void throughput(const char *mode, int clients)
{
	struct load l;
	struct sim *s = start(mode, clients, 1, &l, false);
	l.record = true;
	sim_time span = 20 * SIM_S;
	clock_t c0 = clock();
	sim_run_until(s, sim_now(s) + span);
	double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
	qsort(l.lat, l.nlat, sizeof *l.lat, cmp_time);
	printf("  %-9s %8.0f writes/s  latency p50 %6.2f ms  p99 %6.2f ms  %6.1f sim s per CPU s\n",
	       mode, (double)l.ok / ((double)span / SIM_S), l.nlat ? ms(l.lat[l.nlat / 2]) : 0.0,
	       l.nlat ? ms(l.lat[l.nlat * 99 / 100]) : 0.0,
	       cpu > 0 ? (double)span / SIM_S / cpu : 0);
	free(l.lat);
	sim_free(s);
}

static void failover(const char *mode, int clients, int seeds)
{
	sim_time sum = 0, worst = 0;
	int elected = 0, lost = 0, losing = 0, maxlost = 0;
	for (int seed = 1; seed <= seeds; seed++) {
		struct load l;
		struct sim *s = start(mode, clients, (uint64_t)seed, &l, true);
		sim_run_until(s, sim_now(s) + 1 * SIM_S + (sim_time)seed * 997);
		sim_crash(s, 0);
		sim_time t0 = sim_now(s), t = t0;
		while (pb_top_primary(s) < 0 && t < t0 + 10 * SIM_S) {
			if (!sim_step(s))
				break;
			t = sim_now(s);
		}
		if (pb_top_primary(s) >= 0) {
			elected++;
			sum += t - t0;
			worst = MAX(worst, t - t0);
		}
		sim_run_until(s, sim_now(s) + 2 * SIM_S);
		int k = primary_invariants_lost(l.chk);
		lost += k;
		losing += k > 0;
		maxlost = MAX(maxlost, k);
		primary_invariants.destroy(l.chk);
		l.chk = NULL;
		free(l.lat);
		sim_free(s);
	}
	printf("  %-9s new primary in %d/%d runs, mean %6.1f ms, worst %6.1f ms; "
	       "acknowledged writes lost: %d in %d runs (at most %d)\n",
	       mode, elected, seeds, elected ? ms(sum / elected) : 0.0, ms(worst), lost, losing,
	       maxlost);
}

int main(int argc, char **argv)
{
	int clients = argc > 1 ? atoi(argv[1]) : 16;
	int seeds = argc > 2 ? atoi(argv[2]) : 200;
	static const char *const modes[] = {"sync", "semisync", "async"};
	printf("primary, 3 nodes, %d clients writing back to back, links 10 ms + 0..5 ms:\n",
	       clients);
	for (int i = 0; i < 3; i++)
		throughput(modes[i], clients);
	printf("the primary crashes under that load (heartbeat 50ms, timeout 300ms), %d seeds:\n",
	       seeds);
	for (int i = 0; i < 3; i++)
		failover(modes[i], clients, seeds);
	return 0;
}

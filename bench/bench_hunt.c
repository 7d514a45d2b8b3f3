/*
 * bench_hunt.c — what `netsplit hunt` costs and what it yields (issue 21):
 * for every rule a protocol can switch off (proto_ops.bugs), the hunt's
 * fault runner on 3 nodes with 10 s of faults and only safety checked,
 * seed after seed from 1 until FINDS seeds have broken safety (or SEEDS
 * are spent). Printed per rule: seeds per CPU second, seeds and CPU time
 * to the first violation, and for each find the steps (faults and client
 * operations) before and after shrinking, the shrinking's runs and CPU
 * time. Then the same runner with every rule on, as the baseline cost of a
 * seed. Figures only (clock()), never asserted.
 *
 * Usage: bench_hunt [FINDS [SEEDS]]  (defaults 5 20000)
 */
#include "check/fuzz.h"
#include "proto/proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_since(clock_t t0)
{
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

static void hunt(const struct proto_ops *ops, const struct proto_bug *b, int finds, uint64_t seeds)
{
	const char *bug = b ? b->name : NULL;
	char opt[96];
	const char *options[2] = {NULL, NULL};
	if (bug) {
		ns_snprintf(opt, sizeof opt, "bug=%s", bug);
		options[0] = opt;
	}
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.proto = ops->name;
	o.options = options;
	o.nodes_lo = o.nodes_hi = 3;
	o.duration = 10 * SIM_S;
	o.safety_only = true;
	o.linearizable = b && b->lin; /* as netsplit hunt does for such a rule */
	int found = 0;
	uint64_t tried = 0, first = 0;
	double run_cpu = 0, first_cpu = 0, shrink_cpu = 0;
	size_t before = 0, after = 0, min_after = (size_t)-1, max_after = 0;
	long runs = 0;
	for (uint64_t seed = 1; seed <= seeds && found < finds; seed++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		fuzz_plan_make(&p, &o, seed);
		clock_t t0 = clock();
		bool ok = fuzz_run(&p, &o, &r);
		run_cpu += cpu_since(t0);
		tried++;
		if (!ok && (r.safety_failed || r.lin_failed)) {
			if (!found++) {
				first = tried;
				first_cpu = run_cpu;
			}
			struct fuzz_opts so = o;
			struct fuzz_shrink_stats st;
			clock_t s0 = clock();
			fuzz_shrink(&p, &so, &r, 3000, &st);
			shrink_cpu += cpu_since(s0);
			before += st.steps_before;
			after += st.steps_after;
			min_after = st.steps_after < min_after ? st.steps_after : min_after;
			max_after = st.steps_after > max_after ? st.steps_after : max_after;
			runs += st.runs;
		}
		fuzz_plan_free(&p);
	}
	printf("%-8s %-22s %7.0f seeds/CPU s", ops->name, bug ? bug : "(every rule on)",
	       run_cpu > 0 ? (double)tried / run_cpu : 0.0);
	if (!found) {
		printf("  no violation in %llu seeds\n", (unsigned long long)tried);
		return;
	}
	printf("  first at seed %llu (%.3f CPU s)  %d finds in %llu seeds\n"
	       "%-31s steps %.0f -> %.1f on average (%zu..%zu), %.0f runs and %.3f CPU s "
	       "per shrink\n",
	       (unsigned long long)first, first_cpu, found, (unsigned long long)tried, "",
	       (double)before / found, (double)after / found, min_after, max_after,
	       (double)runs / found, shrink_cpu / found);
}

int main(int argc, char **argv)
{
	int finds = argc > 1 ? atoi(argv[1]) : 5;
	uint64_t seeds = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000;
	if (finds < 1)
		finds = 1;
	printf("bench_hunt: 3 nodes, 10s of faults per seed, safety only (and the history for a "
	       "rule marked lin); %d finds per rule, at most %llu seeds\n",
	       finds, (unsigned long long)seeds);
	for (int i = 0; proto_all[i]; i++) {
		const struct proto_ops *ops = proto_all[i];
		if (!ops->bugs)
			continue;
		for (const struct proto_bug *b = ops->bugs; b->name; b++)
			hunt(ops, b, finds, seeds);
		hunt(ops, NULL, finds, 2000);
	}
	return 0;
}

/*
 * bench_check_scale.c — the checker's phases on large adversarial inputs:
 * does `check --budget` hold, and is every phase n log n? Generates the
 * inputs that were quadratic (issue 14) and times parsing and checking
 * in-process; or writes one of them to stdout for `netsplit check`.
 *
 *   symmetry N   N unknown puts of distinct values on one key, then an ok
 *                append and get (the twin pre-pass of ls_new)
 *   keys N       N keys, one ok put each (the key lookup of part_for)
 *   edn N        N concurrent EDN invocations, then their completions
 *                (the pending-operation lookup of the EDN/Jepsen parser)
 *
 * Run: ./build/bench/bench_check_scale            (all three, N as issued)
 *      ./build/bench/bench_check_scale gen edn 100000 > /tmp/c.edn
 *      ./build/netsplit check /tmp/c.edn --budget 1s
 * Prints figures; asserts nothing.
 */
#include "check/history.h"
#include "check/lin.h"

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

static void gen(struct sbuf *b, const char *kind, long n)
{
	if (!strcmp(kind, "symmetry")) {
		sbuf_puts(b, "{\"netsplit\":\"history\",\"version\":1,\"times\":\"us\"}\n");
		for (long i = 0; i < n; i++)
			sbuf_printf(b,
				    "{\"client\":%ld,\"f\":\"put\",\"key\":\"x\",\"value\":\"%ld\","
				    "\"invoke\":%ld,\"complete\":null,\"outcome\":\"unknown\"}\n",
				    i, i, i);
		/* An ok append (so that no put is a dead write, left out of the
		 * search) and a read of the middle value: the witness check
		 * fails, so the key is searched. */
		sbuf_printf(b,
			    "{\"client\":%ld,\"f\":\"append\",\"key\":\"x\",\"value\":\"z\","
			    "\"invoke\":%ld,\"complete\":%ld,\"outcome\":\"ok\"}\n",
			    n, n, n + 1);
		sbuf_printf(b,
			    "{\"client\":%ld,\"f\":\"get\",\"key\":\"x\",\"result\":\"%ldz\","
			    "\"invoke\":%ld,\"complete\":%ld,\"outcome\":\"ok\"}\n",
			    n, n / 2, n + 2, n + 3);
	} else if (!strcmp(kind, "keys")) {
		sbuf_puts(b, "{\"netsplit\":\"history\",\"version\":1,\"times\":\"us\"}\n");
		for (long i = 0; i < n; i++)
			sbuf_printf(b,
				    "{\"client\":1,\"f\":\"put\",\"key\":\"k%ld\",\"value\":\"1\","
				    "\"invoke\":%ld,\"complete\":%ld,\"outcome\":\"ok\"}\n",
				    i, 2 * i, 2 * i + 1);
	} else if (!strcmp(kind, "edn")) {
		sbuf_puts(b, "[\n");
		for (long i = 0; i < n; i++)
			sbuf_printf(b, "{:process %ld, :type :invoke, :f :write, :value %ld}\n", i,
				    i);
		for (long i = 0; i < n; i++)
			sbuf_printf(b, "{:process %ld, :type :ok, :f :write, :value %ld}\n", i, i);
		sbuf_puts(b, "]\n");
	}
}

static void one(const char *kind, long n, enum lin_model m, double budget)
{
	struct sbuf text = {0};
	gen(&text, kind, n);
	struct history h;
	history_init(&h);
	struct sbuf err = {0};
	double t0 = wall_now();
	bool ok = history_parse(&h, text.s, text.len, kind, HIST_FMT_AUTO, &err);
	double t1 = wall_now();
	struct lin_budget b = {0, budget, 1};
	struct lin_stats st;
	enum lin_verdict v = ok ? lin_check_history(&h, m, &b, NULL, &st) : LIN_UNKNOWN;
	double t2 = wall_now();
	printf("%-9s n=%-7ld parse %.3fs  check %.3fs (budget %.1fs): %s%s%s\n", kind, n, t1 - t0,
	       t2 - t1, budget, ok ? lin_verdict_name(v) : "parse error ", ok ? "" : sbuf_str(&err),
	       "");
	history_close(&h);
	sbuf_free(&err);
	sbuf_free(&text);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen")) {
		struct sbuf b = {0};
		gen(&b, argv[2], atol(argv[3]));
		fwrite(b.s, 1, b.len, stdout);
		sbuf_free(&b);
		return 0;
	}
	long scale = argc > 1 ? atol(argv[1]) : 1;
	one("symmetry", 100000 * scale, LIN_MODEL_KV, 1.0);
	one("keys", 200000 * scale, LIN_MODEL_KV, 3.0);
	one("edn", 100000 * scale, LIN_MODEL_CAS_REGISTER, 3.0);
	return 0;
}

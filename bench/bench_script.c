/*
 * bench_script.c — memory per scenario line (issue 14): parses a generated
 * scenario of N lines of one kind and prints the growth of the peak
 * resident set divided by N, for parsing alone and then for running it.
 *
 *   put     N lines `put kI I`
 *   expect  N lines `expect leader in n1 n2 n3 and not down n1`
 *   at      N lines `at Tms put kI I` (events scheduled by run)
 *
 * Run: ./build/bench/bench_script [N (default 200000)]
 * Linux only (/proc/self/status). Prints figures; asserts nothing.
 */
#include "script/script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	long kb = 0;
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

/* In a child, so that each kind starts from the same peak. */
static void one(const char *kind, long n)
{
	pid_t pid = fork();
	if (pid != 0) {
		int st;
		waitpid(pid, &st, 0);
		return;
	}
	struct sbuf t = {0};
	sbuf_puts(&t, "cluster raft 3\nseed 1\n");
	for (long i = 0; i < n; i++) {
		if (!strcmp(kind, "put"))
			sbuf_printf(&t, "put k%ld %ld\n", i % 100, i);
		else if (!strcmp(kind, "expect"))
			sbuf_puts(&t, "expect leader in n1 n2 n3 and not down n1\n");
		else
			sbuf_printf(&t, "at %ldms put k%ld %ld\n", 1000 + i, i % 100, i);
	}
	if (!strcmp(kind, "at"))
		sbuf_puts(&t, "run 1ms\n");
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	long base = hwm_kb();
	struct sbuf err = {0};
	struct script *sc = script_parse(t.s, "bench.ns", w, &err);
	long parsed = hwm_kb();
	if (!sc) {
		fprintf(stderr, "bench_script: %s\n", sbuf_str(&err));
		_exit(1);
	}
	long ran = parsed;
	if (!strcmp(kind, "at")) {
		world_run(w, sc, &err);
		ran = hwm_kb();
	}
	printf("%-7s %8ld lines: parse %6.1f MB = %6.0f B/line", kind, n,
	       (double)(parsed - base) / 1024, (double)(parsed - base) * 1024 / (double)n);
	if (!strcmp(kind, "at"))
		printf("; scheduled by run: +%6.1f MB = %6.0f B/line",
		       (double)(ran - parsed) / 1024, (double)(ran - parsed) * 1024 / (double)n);
	printf("\n");
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	one("put", n);
	one("expect", n);
	one("at", n);
	return 0;
}

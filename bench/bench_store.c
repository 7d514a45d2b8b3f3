/*
 * bench_store.c — what the store costs, on a real file: recording a step done
 * (one BEGIN IMMEDIATE transaction, fsync'd: synchronous=FULL, and NORMAL for
 * comparison), saving a recording of 10,000 commands in one transaction,
 * loading it back, listing recordings, and opening the file (which runs
 * PRAGMA integrity_check over it). Prints figures; asserts nothing.
 *
 *   ./build/bench/bench_store [DIR]     (default: a scratch directory in
 *                                        $TMPDIR or /tmp, removed at the end)
 *
 * The figures depend on the disk under DIR: fsync on tmpfs is free, on an
 * SSD it costs tens of microseconds to milliseconds.
 */
#include "store/store_internal.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Prints median, mean, p95 and max of v[0..n). Sorts v. */
static void report(const char *what, double *v, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	qsort(v, n, sizeof(*v), cmp_double);
	printf("  %-44s median %8.3f ms  mean %8.3f  p95 %8.3f  max %8.3f  (n=%zu)\n", what,
	       v[n / 2], sum / (double)n, v[(n * 95) / 100], v[n - 1], n);
}

static void fail(const char *what, struct store *st)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, store_errmsg(st));
	exit(1);
}

static void bench_steps(struct store *st, const char *sync, const char *lesson)
{
	enum { N = 300 };
	double t[N];
	char sql[64];
	char label[64];

	ns_snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", sync);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	for (int i = 0; i < N; i++) {
		double t0 = now_ms();
		if (store_step_done(st, lesson, i) != STORE_OK)
			fail("step done", st);
		t[i] = now_ms() - t0;
	}
	ns_snprintf(label, sizeof(label), "step done (synchronous=%s)", sync);
	report(label, t, N);
	sqlite3_exec(st->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
	enum { REPS = 7, NCMDS = 10000 };
	char tmpl[4096];
	const char *base = getenv("TMPDIR");
	const char *dir;
	char path[4200];
	double t[REPS];
	struct store_recording r, got;
	int64_t id = 0;

	if (argc > 1) {
		dir = argv[1];
	} else {
		ns_snprintf(tmpl, sizeof(tmpl), "%s/netsplit-bench-XXXXXX",
			    base && base[0] ? base : "/tmp");
		if (!mkdtemp(tmpl)) {
			perror("mkdtemp");
			return 1;
		}
		dir = tmpl;
	}
	ns_snprintf(path, sizeof(path), "%s/bench.db", dir);
	unlink(path);
	printf("bench_store: SQLite %s, database %s\n", sqlite3_libversion(), path);

	double t0 = now_ms();
	struct store *st = store_open(path);
	printf("  %-44s %8.3f ms\n", "create the database", now_ms() - t0);
	if (!store_is_saving(st)) {
		fprintf(stderr, "bench_store: %s\n", store_open_info(st)->message);
		return 1;
	}

	bench_steps(st, "FULL", "bench-full");
	bench_steps(st, "NORMAL", "bench-normal");

	store_recording_init(&r);
	r.title = xstrdup("bench");
	r.protocol = xstrdup("raft");
	r.options = xstrdup("prevote=on reads=local");
	r.nodes = 5;
	r.seed = 42;
	for (int i = 0; i < NCMDS; i++) {
		char cmd[64];
		ns_snprintf(cmd, sizeof(cmd), "put k%d %d via n%d", i % 97, i, i % 5 + 1);
		store_recording_add(&r, (sim_time)i * 1000, cmd);
	}
	for (int i = 0; i < REPS; i++) {
		r.id = 0;
		t0 = now_ms();
		if (store_recording_save(st, &r, &id) != STORE_OK)
			fail("save", st);
		t[i] = now_ms() - t0;
	}
	report("save a recording of 10,000 commands", t, REPS);

	store_recording_init(&got);
	for (int i = 0; i < REPS; i++) {
		t0 = now_ms();
		if (store_recording_load(st, id, &got) != STORE_OK || got.ncmds != NCMDS)
			fail("load", st);
		t[i] = now_ms() - t0;
	}
	report("load a recording of 10,000 commands", t, REPS);

	struct store_rec_summary *list;
	size_t n;
	for (int i = 0; i < REPS; i++) {
		t0 = now_ms();
		if (store_recording_list(st, &list, &n) != STORE_OK)
			fail("list", st);
		t[i] = now_ms() - t0;
		store_rec_summaries_free(list, n);
	}
	char label[64];
	ns_snprintf(label, sizeof(label), "list %zu recordings (%zu commands)", n,
		    n * (size_t)NCMDS);
	report(label, t, REPS);
	store_close(st);

	struct stat sb;
	stat(path, &sb);
	for (int i = 0; i < REPS; i++) {
		t0 = now_ms();
		st = store_open(path);
		t[i] = now_ms() - t0;
		if (store_open_info(st)->status != STORE_OPENED)
			fail("reopen", st);
		store_close(st);
	}
	ns_snprintf(label, sizeof(label), "open + integrity_check (%.1f MB)",
		    (double)sb.st_size / 1e6);
	report(label, t, REPS);

	store_recording_close(&r);
	store_recording_close(&got);
	if (argc <= 1)
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/*
 * bench_lin.c — how long the linearizability checker takes on each history
 * of the shared test data (Porcupine's etcd logs and kv histories, Knossos'
 * histories), per folder and in all, with the slowest named.
 *
 *   ./build/bench/bench_lin [-r RUNS] [-t THREADS] [-v] [TESTDATA_DIR]
 *
 * THREADS (default 2) is the number of keys checked at once (only the kv
 * histories have several keys).
 * Each file is loaded once and checked RUNS times (default 5); the figure
 * is the median check time (parsing excluded, the explanation of a
 * violation excluded: `netsplit check` prints both). The verdict is
 * compared with EXPECTED.tsv. For reference, Porcupine's own tests take
 * 0.6–0.75 s for all 102 etcd logs on a 2-core machine, 0.26 s for the
 * slowest (etcd_002), and 0.31 s for c50-ok.
 */
#include "check/history.h"
#include "check/lin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct result {
	char name[320];
	char group[16];
	double secs;  /* median */
	double first; /* the first run, cold: fresh memory pages */
	size_t ops;
	enum lin_verdict got, want;
	uint64_t steps;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int bench_folder(const char *dir, const char *folder, int runs, int threads, bool verbose,
			struct result **res, size_t *nres, size_t *cap)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/EXPECTED.tsv", dir, folder);
	size_t len;
	char *tsv = read_file(path, &len);
	if (!tsv) {
		fprintf(stderr, "bench_lin: cannot read %s\n", path);
		return -1;
	}
	int mismatches = 0;
	char *save = NULL;
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		char f[256], exp[16], model[32];
		if (sscanf(line, "%255[^\t]\t%15[^\t]\t%31[^\t]", f, exp, model) != 3 ||
		    !strcmp(exp, "skip"))
			continue;
		enum lin_model m;
		if (!lin_model_parse(model, &m))
			continue;
		struct history h;
		history_init(&h);
		struct sbuf err = {0};
		snprintf(path, sizeof path, "%s/%s/%s", dir, folder, f);
		if (!history_load(&h, path, HIST_FMT_AUTO, &err)) {
			fprintf(stderr, "bench_lin: %s\n", sbuf_str(&err));
			sbuf_free(&err);
			history_close(&h);
			mismatches++;
			continue;
		}
		xgrow((void **)res, cap, *nres + 1, sizeof **res);
		struct result *r = &(*res)[(*nres)++];
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "%s/%s", folder, f);
		const char *slash = strchr(f, '/');
		snprintf(r->group, sizeof r->group, "%.*s", slash ? (int)(slash - f) : 0, f);
		r->ops = h.n;
		r->want = !strcmp(exp, "true") ? LIN_OK : LIN_VIOLATION;
		double *t = xmalloc((size_t)runs * sizeof *t);
		for (int k = 0; k < runs; k++) {
			struct lin_stats st;
			struct lin_budget b = {0, 60, threads};
			double t0 = now_s();
			r->got = lin_check_history(&h, m, &b, NULL, &st);
			t[k] = now_s() - t0;
			r->steps = st.steps;
		}
		r->first = t[0];
		qsort(t, (size_t)runs, sizeof *t, dcmp);
		r->secs = t[runs / 2];
		free(t);
		if (r->got != r->want)
			mismatches++;
		if (verbose || r->got != r->want)
			printf("%-48s %6zu ops %10llu steps %9.3f ms  %s%s\n", r->name, r->ops,
			       (unsigned long long)r->steps, r->secs * 1e3,
			       lin_verdict_name(r->got), r->got != r->want ? "  MISMATCH" : "");
		sbuf_free(&err);
		history_close(&h);
	}
	free(tsv);
	return mismatches;
}

static void summary(const struct result *res, size_t n, const char *label, const char *prefix)
{
	double total = 0, cold = 0;
	size_t count = 0, unknown = 0;
	const struct result *slow = NULL;
	for (size_t i = 0; i < n; i++) {
		if (prefix && strncmp(res[i].name, prefix, strlen(prefix)))
			continue;
		total += res[i].secs;
		cold += res[i].first;
		count++;
		unknown += res[i].got == LIN_UNKNOWN;
		if (!slow || res[i].secs > slow->secs)
			slow = &res[i];
	}
	if (!count)
		return;
	printf("%-22s %4zu files  %7.3f s in all (first runs %7.3f s)  slowest %s %.3f s  unknown "
	       "%zu\n",
	       label, count, total, cold, slow->name, slow->secs, unknown);
}

int main(int argc, char **argv)
{
	const char *dir = TESTDATA_DIR;
	int runs = 5, threads = 2;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else
			dir = argv[i];
	}
	if (runs < 1)
		runs = 1;
	struct result *res = NULL;
	size_t n = 0, cap = 0;
	int bad = 0;
	bad += bench_folder(dir, "porcupine", runs, threads, verbose, &res, &n, &cap);
	bad += bench_folder(dir, "knossos", runs, threads, verbose, &res, &n, &cap);
	printf("\nlinearizability check, %d thread(s), median of %d runs per file (parsing "
	       "excluded):\n",
	       threads, runs);
	printf("(Porcupine: 0.6-0.75 s for the 102 etcd logs, 0.26 s etcd_002, 0.31 s c50-ok)\n");
	summary(res, n, "porcupine etcd logs", "porcupine/jepsen/");
	summary(res, n, "porcupine kv", "porcupine/kv/");
	for (size_t i = 0; i < n; i++)
		if (!strncmp(res[i].name, "porcupine/kv/", 13))
			printf("    %-28s %6zu ops %7.3f s (first run %7.3f s)  %s\n", res[i].name,
			       res[i].ops, res[i].secs, res[i].first, lin_verdict_name(res[i].got));
	summary(res, n, "knossos cas-register", "knossos/cas-register/");
	summary(res, n, "knossos other", "knossos/m");
	summary(res, n, "everything", NULL);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(res[i].name, "porcupine/jepsen/etcd_002.log"))
			printf("    etcd_002 (Porcupine's slowest etcd log): %.3f s (first run "
			       "%.3f s)\n",
			       res[i].secs, res[i].first);
	printf("verdicts differing from EXPECTED.tsv: %d\n", bad);
	free(res);
	return bad ? 1 : 0;
}

/*
 * bench_lin.c — how long the linearizability checker takes on each history
 * of the test data in tests/data (Porcupine's etcd logs and kv histories,
 * Knossos' histories), per folder and in all, with the slowest named.
 *
 *   ./build/bench/bench_lin [-r RUNS] [-t THREADS] [-v] [TESTDATA_DIR]
 *
 * THREADS (default 2) is the number of keys checked at once (only the kv
 * histories have several keys).
 * Each file is loaded once and checked RUNS times (default 5); the figure
 * is the median check time (parsing excluded, the explanation of a
 * violation excluded: `netsplit check` prints both). The verdict is
 * compared with EXPECTED.tsv. Then a live run: a simulated store (one
 * shared copy, so linearizable; replies after a random 0-20 ms so that
 * clients overlap) under a workload, with the incremental checker called
 * after every completed operation, as the screen would. For reference, Porcupine's own tests take
 * 0.6–0.75 s for all 102 etcd logs on a 2-core machine, 0.26 s for the
 * slowest (etcd_002), and 0.31 s for c50-ok.
 */
#include "check/history.h"
#include "check/lin.h"
#include "proto/proto.h"
#include "sim/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct result {
	char name[320];
	char group[16];
	double secs;  /* median */
	double first; /* the first run, cold: fresh memory pages */
	double cpu;   /* median CPU time (all threads) */
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

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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
		double *t = xmalloc((size_t)runs * sizeof *t),
		       *ct = xmalloc((size_t)runs * sizeof *ct);
		for (int k = 0; k < runs; k++) {
			struct lin_stats st;
			struct lin_budget b = {0, 60, threads};
			double t0 = now_s(), c0 = cpu_s();
			r->got = lin_check_history(&h, m, &b, NULL, &st);
			t[k] = now_s() - t0;
			ct[k] = cpu_s() - c0;
			r->steps = st.steps;
		}
		r->first = t[0];
		qsort(t, (size_t)runs, sizeof *t, dcmp);
		qsort(ct, (size_t)runs, sizeof *ct, dcmp);
		r->secs = t[runs / 2];
		r->cpu = ct[runs / 2];
		free(t);
		free(ct);
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
	double total = 0, cold = 0, cpu = 0;
	size_t count = 0, unknown = 0;
	const struct result *slow = NULL;
	for (size_t i = 0; i < n; i++) {
		if (prefix && strncmp(res[i].name, prefix, strlen(prefix)))
			continue;
		total += res[i].secs;
		cold += res[i].first;
		cpu += res[i].cpu;
		count++;
		unknown += res[i].got == LIN_UNKNOWN;
		if (!slow || res[i].secs > slow->secs)
			slow = &res[i];
	}
	if (!count)
		return;
	printf(
	    "%-22s %4zu files  %7.3f s in all (cpu %.3f s; first runs %.3f s)  slowest %s %.3f s  "
	    "unknown %zu\n",
	    label, count, total, cpu, cold, slow->name, slow->secs, unknown);
}

/* ---- live checking -------------------------------------------------------------- */

/* A store with one shared copy whose replies take a random 0-20 ms. It is
 * the bench's own device, not a protocol: it schedules its delayed replies
 * on the simulation it keeps (a node holds no pointer to it). */
struct live_store {
	char key[8][KV_KEY_MAX];
	char val[8][KV_VAL_MAX];
	int n;
	struct sim *sim;
};
static struct live_store live_shared;

struct live_reply {
	struct node *n;
	struct client_req req;
	struct client_reply rep;
};

static void *live_create(struct node *n, const void *o)
{
	(void)o;
	return n;
}

static void live_destroy(void *self)
{
	(void)self;
}

static void live_send(void *ctx, struct sim *s, uint64_t arg)
{
	(void)s;
	(void)arg;
	struct live_reply *r = ctx;
	node_reply(r->n, &r->req, &r->rep);
	free(r);
}

static void live_on_client(void *self, const struct client_req *req)
{
	struct node *n = self;
	struct live_store *st = &live_shared;
	struct live_reply *r = xcalloc(1, sizeof *r);
	r->n = n;
	r->req = *req;
	r->rep.status = REPLY_OK;
	r->rep.leader_hint = -1;
	int i;
	for (i = 0; i < st->n && strcmp(st->key[i], req->op.key); i++)
		;
	if (i == st->n && req->op.fn != KV_GET && st->n < 8) {
		ns_strlcpy(st->key[st->n], req->op.key, KV_KEY_MAX);
		st->val[st->n++][0] = '\0';
	}
	bool have = i < st->n;
	switch (req->op.fn) {
	case KV_SYNC: break;
	case KV_GET:
		r->rep.found = have;
		if (have)
			ns_strlcpy(r->rep.value, st->val[i], KV_VAL_MAX);
		break;
	case KV_PUT:
		if (have)
			ns_strlcpy(st->val[i], req->op.arg, KV_VAL_MAX);
		break;
	case KV_CAS:
		if (have && !strcmp(st->val[i], req->op.arg))
			ns_strlcpy(st->val[i], req->op.arg2, KV_VAL_MAX);
		else
			r->rep.status = REPLY_FAIL;
		break;
	case KV_APPEND: break;
	}
	/* The op took effect now; the reply leaves a little later. */
	sim_schedule(st->sim, sim_now(st->sim) + node_rand_range(n, 0, 20 * SIM_MS), live_send, r,
		     0);
}

static const struct proto_ops live_ops = {
    .node = {.create = live_create, .destroy = live_destroy, .on_client = live_on_client},
    .name = "bench-store",
    .kv_clients = true,
};

struct live_ctx {
	struct lin_checker *c;
	uint64_t checks;
	double secs, worst;
	enum lin_verdict last;
};

static void live_observe(void *ctx, const struct trace_event *ev)
{
	struct live_ctx *L = ctx;
	if (ev->kind != TR_STEP || !L->c)
		return;
	double t0 = now_s();
	struct lin_budget b = {.max_seconds = 0.1};
	L->last = lin_check(L->c, &b);
	double dt = now_s() - t0;
	L->secs += dt;
	if (dt > L->worst)
		L->worst = dt;
	L->checks++;
}

static void bench_live(const char *spec, sim_time len)
{
	memset(&live_shared, 0, sizeof live_shared);
	struct sim *s = sim_new(&live_ops, NULL, 3, 1);
	live_shared.sim = s;
	struct history h;
	history_init(&h);
	history_attach(&h, s);
	struct live_ctx L = {0};
	L.c = lin_new(&h, LIN_MODEL_KV);
	sim_observe(s, live_observe, &L);
	struct workload_cfg cfg;
	struct sbuf err = {0};
	if (!workload_parse(spec, &cfg, &err)) {
		fprintf(stderr, "bench_lin: %s\n", sbuf_str(&err));
		exit(2);
	}
	struct workload *w = workload_start(s, &cfg);
	sim_run_until(s, len);
	/* Stop, and let the last replies arrive (they own memory). */
	workload_stop(w);
	struct lin_checker *c = L.c;
	L.c = NULL;
	sim_run_until(s, len + SIM_S);
	L.c = c;
	struct lin_stats st;
	lin_get_stats(L.c, &st);
	printf("live: workload %s, %.0f s simulated: %zu ops, %llu checks (after every event)\n",
	       spec, (double)len / 1e6, h.n, (unsigned long long)L.checks);
	printf("      %.3f s checking in all, %.1f us per check, worst %.3f ms; verdict %s;\n",
	       L.secs, L.checks ? L.secs / (double)L.checks * 1e6 : 0, L.worst * 1e3,
	       lin_verdict_name(L.last));
	printf("      %llu searches (%llu of them pinned), %llu changes settled by the witness\n",
	       (unsigned long long)st.searches, (unsigned long long)st.pinned,
	       (unsigned long long)st.witness_hits);
	lin_free(L.c);
	L.c = NULL;
	history_close(&h);
	sim_free(s);
	workload_free(w);
	sbuf_free(&err);
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
	printf(
	    "\nlinearizability check, %d thread(s), median of %d runs per file (parsing excluded;\n"
	    "wall-clock time, and CPU time of all threads, which the machine's load inflates "
	    "less):\n",
	    threads, runs);
	printf("(Porcupine: 0.6-0.75 s for the 102 etcd logs, 0.26 s etcd_002, 0.31 s c50-ok)\n");
	summary(res, n, "porcupine etcd logs", "porcupine/jepsen/");
	summary(res, n, "porcupine kv", "porcupine/kv/");
	for (size_t i = 0; i < n; i++)
		if (!strncmp(res[i].name, "porcupine/kv/", 13))
			printf("    %-28s %6zu ops %7.3f s (cpu %.3f s; first run %.3f s)  %s\n",
			       res[i].name, res[i].ops, res[i].secs, res[i].cpu, res[i].first,
			       lin_verdict_name(res[i].got));
	summary(res, n, "knossos cas-register", "knossos/cas-register/");
	summary(res, n, "knossos other", "knossos/m");
	summary(res, n, "everything", NULL);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(res[i].name, "porcupine/jepsen/etcd_002.log"))
			printf("    etcd_002 (Porcupine's slowest etcd log): %.3f s (first run "
			       "%.3f s)\n",
			       res[i].secs, res[i].first);
	printf("verdicts differing from EXPECTED.tsv: %d\n\n", bad);
	bench_live("clients 10 rate 200/s keys 3 mix put:40,get:40,cas:20", 60 * SIM_S);
	free(res);
	return bad ? 1 : 0;
}

/*
 * check_cmd.c — `netsplit check FILE [--model M] [--format F] [--budget D]`.
 *
 * Reads a history (netsplit's JSON lines, Jepsen EDN or Jepsen log lines),
 * checks it under a model within a time budget and prints the verdict; on a
 * violation, the small set of operations that proves it, in words. Without
 * --model the model follows the file: Jepsen logs are Porcupine's etcd
 * register, EDN with :key is the kv store, EDN transactions the
 * multi-register, :acquire/:release the mutex, other EDN the Knossos
 * cas-register; JSON lines (netsplit's own) the kv store.
 */
#include "app/check_cmd.h"

#include "check/history.h"
#include "check/lin.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EXIT_LIN = 0, EXIT_NOT_LIN = 1, EXIT_BAD = 2, EXIT_UNKNOWN = 3 };

static void usage(FILE *f)
{
	fputs(_("usage: netsplit check FILE [--model MODEL] [--format FORMAT] [--budget DURATION]\n"
		"\n"
		"Checks whether the client history in FILE is linearizable.\n"
		"\n"
		"  --model MODEL    kv, register, etcd, cas-register, multi-register or mutex\n"
		"                   (default: from the file; see docs/HISTORY.md)\n"
		"  --format FORMAT  auto, jsonl, edn or jepsen-log (default: auto)\n"
		"  --budget D       give up after D (e.g. 10s, 500ms; default 10s): the\n"
		"                   verdict is then \"unknown\", never a guess\n"
		"  --threads N      check up to N keys at once (default 1: on two cores a\n"
		"                   second thread costs CPU and gains no time)\n"
		"  -q, --quiet      print only the verdict line\n"
		"  -h, --help       show this help\n"
		"\n"
		"Exit status: 0 linearizable, 1 not linearizable, 2 bad input, 3 unknown.\n"),
	      f);
}

static enum lin_model guess_model(const struct history *h, enum hist_format fmt)
{
	if (fmt == HIST_FMT_JEPSEN_LOG)
		return LIN_MODEL_ETCD;
	if (fmt == HIST_FMT_JSONL)
		return LIN_MODEL_KV;
	for (size_t i = 0; i < h->n; i++) {
		if (h->ops[i].f == HIST_TXN)
			return LIN_MODEL_MULTI_REGISTER;
		if (h->ops[i].f == HIST_ACQUIRE || h->ops[i].f == HIST_RELEASE)
			return LIN_MODEL_MUTEX;
		if (h->ops[i].key || h->ops[i].f == HIST_APPEND)
			return LIN_MODEL_KV;
	}
	return LIN_MODEL_CAS_REGISTER;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int check_cmd_main(int argc, char **argv)
{
	const char *file = NULL;
	enum lin_model model = LIN_MODEL_KV;
	bool have_model = false, quiet = false;
	enum hist_format fmt = HIST_FMT_AUTO;
	sim_time budget = 10 * SIM_S;
	int threads = 1; /* measured: --threads 2 buys no wall time on c50-ok */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_LIN;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "--threads")) {
			char *end;
			long t = val ? strtol(val, &end, 10) : 0;
			if (!val || *end || t < 1 || t > 64) {
				fprintf(
				    stderr,
				    _("netsplit check: --threads needs a number from 1 to 64\n"));
				return EXIT_BAD;
			}
			threads = (int)t;
			i++;
		} else if (!strcmp(a, "--model") || !strcmp(a, "--format") ||
			   !strcmp(a, "--budget")) {
			if (!val) {
				fprintf(stderr, _("netsplit check: %s needs a value\n"), a);
				return EXIT_BAD;
			}
			i++;
			if (!strcmp(a, "--model") && !lin_model_parse(val, &model)) {
				fprintf(stderr,
					_("netsplit check: unknown model '%s' (kv, register, etcd, "
					  "cas-register, multi-register, mutex)\n"),
					val);
				return EXIT_BAD;
			}
			if (!strcmp(a, "--model"))
				have_model = true;
			if (!strcmp(a, "--format") && !hist_format_parse(val, &fmt)) {
				fprintf(stderr,
					_("netsplit check: unknown format '%s' (auto, jsonl, edn, "
					  "jepsen-log)\n"),
					val);
				return EXIT_BAD;
			}
			if (!strcmp(a, "--budget") &&
			    (!simtime_parse(val, &budget, 0) || budget <= 0)) {
				fprintf(stderr,
					_("netsplit check: bad budget '%s' (e.g. 10s, 500ms)\n"),
					val);
				return EXIT_BAD;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, _("netsplit check: unknown option '%s'\n"), a);
			usage(stderr);
			return EXIT_BAD;
		} else if (file) {
			fprintf(stderr, _("netsplit check: one FILE only ('%s' and '%s')\n"), file,
				a);
			return EXIT_BAD;
		} else {
			file = a;
		}
	}
	if (!file) {
		usage(stderr);
		return EXIT_BAD;
	}

	/* The budget covers every phase: reading and parsing count too. */
	double t_start = now_s();
	struct history h;
	history_init(&h);
	struct sbuf err = {0};
	size_t len;
	char *text = read_file(file, &len);
	if (!text) {
		fprintf(stderr, "netsplit check: %s: %s\n", file, read_file_error(errno));
		history_close(&h);
		return EXIT_BAD;
	}
	if (fmt == HIST_FMT_AUTO)
		fmt = history_detect(text, len);
	bool ok = history_parse(&h, text, len, file, fmt, &err);
	free(text);
	if (!ok) {
		struct sbuf safe = {0};
		sbuf_put_printable(&safe, sbuf_str(&err), NS_PRINT_LINES);
		fprintf(stderr, "netsplit check: %s\n", sbuf_str(&safe));
		sbuf_free(&safe);
		sbuf_free(&err);
		history_close(&h);
		return EXIT_BAD;
	}
	if (!have_model)
		model = guess_model(&h, fmt);
	if (!lin_model_fits(&h, model, &err)) {
		fprintf(stderr, _("netsplit check: %s: %s (model %s)\n"), file, sbuf_str(&err),
			lin_model_name(model));
		sbuf_free(&err);
		history_close(&h);
		return EXIT_BAD;
	}

	/* What parsing left of the budget (max_seconds 0 would mean none). */
	double left = (double)budget / 1e6 - (now_s() - t_start);
	struct lin_budget b = {0, left > 1e-6 ? left : 1e-6, threads};
	struct sbuf why = {0};
	struct lin_stats st;
	double t0 = now_s();
	enum lin_verdict v = lin_check_history(&h, model, &b, quiet ? NULL : &why, &st);
	double dt = now_s() - t0;
	printf(_("%s: %s (model %s, %zu operations, %d %s, %.3fs)\n"), file, _(lin_verdict_name(v)),
	       lin_model_name(model), h.n, st.nkeys, P_("key", "keys", (unsigned long)st.nkeys),
	       dt);
	if (!quiet)
		printf(_("%llu search steps in %llu searches\n"), (unsigned long long)st.steps,
		       (unsigned long long)st.searches);
	if (v == LIN_UNKNOWN && !quiet)
		printf(
		    _("The budget ran out: %d of %d keys proven linearizable, none proven not.\n"),
		    st.keys_ok, st.nkeys);
	if (why.len) { /* keys and values from the file: escaped for the terminal */
		struct sbuf safe = {0};
		sbuf_put_printable(&safe, sbuf_str(&why), NS_PRINT_LINES);
		fputs(sbuf_str(&safe), stdout);
		sbuf_free(&safe);
	}
	sbuf_free(&why);
	sbuf_free(&err);
	history_close(&h);
	switch (v) {
	case LIN_OK: return EXIT_LIN;
	case LIN_VIOLATION: return EXIT_NOT_LIN;
	case LIN_UNKNOWN:
	case LIN_CHECKING: break;
	}
	return EXIT_UNKNOWN;
}

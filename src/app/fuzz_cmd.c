/*
 * fuzz_cmd.c — `netsplit fuzz PROTOCOL`: runs many seeds of random fault
 * schedules (src/check/fuzz.c) with the protocol's invariants checked after
 * every event and a liveness bound once the faults stop. A failing seed is
 * printed and written out as a scenario file, which is then replayed
 * through the command language to confirm that it reproduces the failure.
 */
#include "app/app.h"

#include "check/fuzz.h"
#include "script/script.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: netsplit fuzz PROTOCOL [OPTION]... [KEY=VALUE]...\n"
		  "Run random fault schedules (crashes, restarts, partitions, one-way cuts,\n"
		  "loss, duplication, reordering, clock skew and drift, client load) and check\n"
		  "the protocol's invariants after every event; once the faults stop, the\n"
		  "protocol's own liveness must hold within the bound (raft: a leader, and a\n"
		  "write committed; primary: one primary of the newest epoch, and a write\n"
		  "committed; multileader, dynamo: a write acknowledged, the replicas\n"
		  "converged; heartbeat, phi: every node trusts every peer again; swim:\n"
		  "every member's view converged to the truth; spanner: a write\n"
		  "acknowledged, with every clock's error kept within epsilon).\n"
		  "\n"
		  "  -n, --seeds N      how many seeds (default 100)\n"
		  "  -f, --from S       the first seed (default 1)\n"
		  "  -t, --time D       faults and load per seed, simulated (default 20s)\n"
		  "  -N, --nodes A..B   cluster sizes, or one size (default 3..7)\n"
		  "  -l, --liveness D   bound for the leader and for the write (default 10s)\n"
		  "  -o, --out DIR      where a failing seed's scenario is written (default .)\n"
		  "      --fixed        do not vary the protocol's timing options (raft: batch,\n"
		  "                     election, heartbeat, snapshot) from seed to seed\n"
		  "      --lin          also require a linearizable client history (costly;\n"
		  "                     2 s of checking per seed at most, then \"unknown\")\n"
		  "  -v, --verbose      a line for every seed\n"
		  "  -h, --help         show this help\n"
		  "\n"
		  "KEY=VALUE are protocol options for every seed (prevote=on).\n"
		  "Exit status: 0 every seed passed, 1 a seed failed, 2 bad usage.\n"));
}

bool fuzz_cli_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-')
		return false;
	*out = v;
	return true;
}

bool fuzz_cli_nodes(const char *s, int *lo, int *hi)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;
	if (end == s)
		return false;
	if (!strncmp(end, "..", 2)) {
		const char *t = end + 2;
		b = strtol(t, &end, 10);
		if (end == t)
			return false;
	}
	if (*end || a < 1 || b < a || b > SIM_MAX_NODES)
		return false;
	*lo = (int)a;
	*hi = (int)b;
	return true;
}

static void quiet_output(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

int fuzz_cli_replay(const char *text, const char *file)
{
	struct world *w = world_new();
	world_set_output(w, quiet_output, NULL);
	struct sbuf err = {0};
	int status = 2;
	struct script *sc = script_parse(text, file, w, &err);
	if (sc) {
		enum exec_status st = world_run(w, sc, &err);
		status = st == EXEC_OK ? 0 : st == EXEC_EXPECT_FAILED ? 1 : 2;
		script_free(sc);
	}
	if (status == 2)
		fprintf(stderr, "%s\n", sbuf_str(&err));
	sbuf_free(&err);
	world_free(w);
	return status;
}

/* Creates a new file DIR/STEM.ns, or DIR/STEM-2.ns, -3, ... when the name
 * is taken. Never replaces or writes through an existing file:
 * O_CREAT|O_EXCL fails on any name that exists, a symbolic link included
 * (and O_NOFOLLOW says so twice). The file is opened for writing in *f,
 * its name in *path; *taken counts the names skipped. False with errno
 * set when no file could be created. */
static bool create_fresh(const char *dir, const char *stem, struct sbuf *path, FILE **f, int *taken)
{
	enum { MAX_TRIES = 1000 };
	*taken = 0;
	for (int k = 1; k <= MAX_TRIES; k++) {
		sbuf_clear(path);
		if (k == 1)
			sbuf_printf(path, "%s/%s.ns", dir, stem);
		else
			sbuf_printf(path, "%s/%s-%d.ns", dir, stem, k);
		int fd = open(sbuf_str(path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			      0666);
		if (fd < 0) {
			if (errno == EEXIST) {
				(*taken)++;
				continue;
			}
			return false;
		}
		*f = fdopen(fd, "w");
		if (!*f) {
			int e = errno;
			close(fd);
			unlink(sbuf_str(path));
			errno = e;
			return false;
		}
		return true;
	}
	errno = EEXIST;
	return false;
}

void fuzz_cli_comment(struct sbuf *out, const char *text)
{
	for (const char *l = text; *l;) {
		size_t n = strcspn(l, "\n");
		sbuf_puts(out, "# ");
		sbuf_add(out, l, n);
		sbuf_putc(out, '\n');
		l += n + (l[n] == '\n');
	}
}

bool fuzz_cli_write(const char *cmd, const char *dir, const char *stem, const char *text,
		    struct sbuf *path)
{
	FILE *f = NULL;
	int taken = 0;
	if (!create_fresh(dir, stem, path, &f, &taken)) {
		fprintf(stderr, _("netsplit %s: cannot create a new file %s.ns in %s: %s\n"), cmd,
			stem, dir, strerror(errno));
		return false;
	}
	if (fputs(text, f) == EOF || fclose(f) != 0) {
		int e = errno;
		unlink(sbuf_str(path)); /* ours: created a moment ago */
		fprintf(stderr, _("netsplit %s: cannot write %s: %s\n"), cmd, sbuf_str(path),
			strerror(e));
		return false;
	}
	if (taken)
		printf(P_("  %d file of that name exists: left alone\n",
			  "  %d files of those names exist: left alone\n", taken),
		       taken);
	return true;
}

static void report_failure(const struct fuzz_plan *p, const struct fuzz_opts *o,
			   const struct fuzz_result *r, const char *dir)
{
	char tb[32];
	printf(_("seed %llu FAILED at %s: %s\n"), (unsigned long long)p->seed,
	       simtime_fmt(r->at, tb, sizeof tb), r->why);
	struct sbuf text = {0}, path = {0};
	fuzz_cli_comment(&text, r->why); /* the reason: it may span lines */
	fuzz_plan_text(p, o, &text);
	char stem[96];
	ns_snprintf(stem, sizeof stem, "fuzz-%s-%llu", o->proto, (unsigned long long)p->seed);
	if (fuzz_cli_write("fuzz", dir, stem, sbuf_str(&text), &path)) {
		int st = fuzz_cli_replay(sbuf_str(&text), sbuf_str(&path));
		printf(st == 1 ? _("  wrote %s; `netsplit run %s` reproduces the failure\n")
			       : _("  wrote %s; note: `netsplit run %s` did not reproduce it\n"),
		       sbuf_str(&path), sbuf_str(&path));
	}
	sbuf_free(&text);
	sbuf_free(&path);
}

const char **fuzz_cli_options(const struct proto_ops *ops, int nopt, char **argv, const char *cmd)
{
	const char **options = xcalloc((size_t)nopt + 1, sizeof *options);
	for (int i = 0; i < nopt; i++) {
		const char *kv = argv[i], *eq = strchr(kv, '=');
		char key[64];
		int idx = -1;
		if (eq && (size_t)(eq - kv) < sizeof key) {
			memcpy(key, kv, (size_t)(eq - kv));
			key[eq - kv] = '\0';
			idx = proto_option_index(ops, key);
		}
		struct opt_value v;
		struct sbuf err = {0};
		if (idx < 0 || !proto_option_parse(ops, idx, eq + 1, &v, &err)) {
			if (idx < 0)
				fprintf(
				    stderr,
				    _("netsplit %s: \"%s\" is not an option of %s (KEY=VALUE)\n"),
				    cmd, kv, ops->name);
			else
				fprintf(stderr, "netsplit %s: %s\n", cmd, sbuf_str(&err));
			sbuf_free(&err);
			free(options);
			return NULL;
		}
		options[i] = kv;
	}
	return options;
}

int fuzz_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seeds", required_argument, NULL, 'n'},
	    {"from", required_argument, NULL, 'f'},
	    {"time", required_argument, NULL, 't'},
	    {"nodes", required_argument, NULL, 'N'},
	    {"liveness", required_argument, NULL, 'l'},
	    {"out", required_argument, NULL, 'o'},
	    {"fixed", no_argument, NULL, 'x'},
	    {"lin", no_argument, NULL, 'L'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	uint64_t seeds = 100, from = 1;
	const char *dir = ".";
	bool verbose = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:f:t:N:l:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!fuzz_cli_u64(optarg, &seeds)) {
				fprintf(stderr,
					_("netsplit fuzz: --seeds expects a whole number, got "
					  "\"%s\"\n"),
					optarg);
				return 2;
			}
			break;
		case 'f':
			if (!fuzz_cli_u64(optarg, &from)) {
				fprintf(
				    stderr,
				    _("netsplit fuzz: --from expects a whole number, got \"%s\"\n"),
				    optarg);
				return 2;
			}
			break;
		case 't':
		case 'l': {
			sim_time d;
			if (!simtime_parse(optarg, &d, 0) || d <= 0) {
				fprintf(stderr,
					_("netsplit fuzz: --%s expects a duration like 20s, got "
					  "\"%s\"\n"),
					c == 't' ? "time" : "liveness", optarg);
				return 2;
			}
			*(c == 't' ? &o.duration : &o.liveness) = d;
			break;
		}
		case 'N':
			if (!fuzz_cli_nodes(optarg, &o.nodes_lo, &o.nodes_hi)) {
				fprintf(
				    stderr,
				    _("netsplit fuzz: --nodes expects a size or a range like 3..7 "
				      "(1..%d), got \"%s\"\n"),
				    SIM_MAX_NODES, optarg);
				return 2;
			}
			break;
		case 'o': dir = optarg; break;
		case 'x': o.vary = false; break;
		case 'L': o.linearizable = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const struct proto_ops *ops = proto_find(argv[optind]);
	if (!ops) {
		fprintf(stderr, _("netsplit fuzz: no protocol named \"%s\"\n"), argv[optind]);
		return 2;
	}
	o.proto = ops->name;
	/* Protocol options: checked once here, so that a typo is bad usage. */
	const char **options = fuzz_cli_options(ops, argc - optind - 1, argv + optind + 1, "fuzz");
	if (!options)
		return 2;
	o.options = options;

	uint64_t failed = 0, events = 0, unknown = 0;
	clock_t t0 = clock();
	struct progress prog;
	progress_begin(&prog, true);
	for (uint64_t k = 0; k < seeds; k++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		if (progress_due(&prog))
			progress_show(
			    &prog, _("netsplit fuzz %s: seed %llu, %llu of %llu, %llu failed"),
			    ops->name, (unsigned long long)(from + k), (unsigned long long)k,
			    (unsigned long long)seeds, (unsigned long long)failed);
		fuzz_plan_make(&p, &o, from + k);
		if (!fuzz_run(&p, &o, &r)) {
			failed++;
			progress_clear(&prog);
			report_failure(&p, &o, &r, dir);
		} else if (verbose) {
			progress_clear(&prog);
			printf(_("seed %llu ok: %d nodes, %llu events, %d operations ok\n"),
			       (unsigned long long)p.seed, p.nodes, (unsigned long long)r.events,
			       r.ops_ok);
		}
		events += r.events;
		unknown += r.lin_unknown;
		fuzz_plan_free(&p);
		fflush(stdout);
	}
	progress_clear(&prog);
	double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	char tb[32];
	printf(_("-- %s: %llu seeds from %llu, %d..%d nodes, %s of faults each: %llu failed; "
		 "%llu events in %.2f CPU s (%.0f seeds per CPU second)\n"),
	       ops->name, (unsigned long long)seeds, (unsigned long long)from, o.nodes_lo,
	       o.nodes_hi, simtime_fmt_dur(o.duration, tb, sizeof tb), (unsigned long long)failed,
	       (unsigned long long)events, cpu, cpu > 0 ? (double)seeds / cpu : 0.0);
	if (unknown)
		printf(_("-- the linearizability check ran out of budget on %llu seeds\n"),
		       (unsigned long long)unknown);
	free(options);
	return failed ? 1 : 0;
}

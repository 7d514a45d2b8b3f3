/*
 * hunt_cmd.c — `netsplit hunt PROTOCOL bug=NAME`: switch a rule of the
 * protocol off and be shown the shortest run found that breaks safety.
 *
 * It runs the fault runner (src/check/fuzz.c) seed after seed, with only
 * safety checked (the invariants after every event, and with --lin the
 * clients' history), until a seed fails; then it shrinks that run
 * (fuzz_shrink, src/check/fuzz_shrink.c) and writes it as a scenario whose
 * comments name the rule switched off, where the paper states it, and the
 * property broken and when. The file is replayed twice through the
 * command language before the report says anything about it: as written
 * (it must fail) and with the rule back on (the same faults, the same
 * seed: a learner is told whether the rule alone makes the difference).
 */
#include "app/app.h"

#include "check/fuzz.h"
#include "util/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: netsplit hunt PROTOCOL [OPTION]... bug=NAME[,NAME...] [KEY=VALUE]...\n"
		  "Switch a rule of the protocol off (bug=NAME) and hunt for a run that breaks\n"
		  "safety: random fault schedules, seed after seed, with the invariants checked\n"
		  "after every event, until one fails. That run is then shrunk (fewer faults,\n"
		  "fewer client operations, fewer nodes, a shorter time) to the smallest that\n"
		  "still breaks the same property, and written as a scenario file that names\n"
		  "the rule, where the paper states it and what broke. `netsplit run FILE`\n"
		  "replays it; `netsplit open FILE` shows it on the screen.\n"
		  "\n"
		  "  -n, --seeds N      seeds to try at most (default 1000)\n"
		  "  -f, --from S       the first seed (default 1)\n"
		  "  -t, --time D       faults and load per seed, simulated (default 10s)\n"
		  "  -N, --nodes A..B   cluster sizes, or one size (default 3: the smallest run\n"
		  "                     to read)\n"
		  "  -o, --out DIR      where the scenario is written (default .)\n"
		  "  -r, --runs N       runs the shrinking may spend (default 3000)\n"
		  "      --lin          also count a history that is not linearizable\n"
		  "      --no-shrink    write the failing run as found\n"
		  "  -l, --list         list the rules each protocol can switch off\n"
		  "  -h, --help         show this help\n"
		  "\n"
		  "Exit status: 0 a run that breaks safety was found and written, 1 none was\n"
		  "found within the seeds, 2 bad usage.\n"));
}

static void list_bugs(void)
{
	for (int i = 0; proto_all[i]; i++) {
		const struct proto_ops *ops = proto_all[i];
		for (const struct proto_bug *b = ops->bugs; b && b->name; b++)
			printf("%-10s bug=%-22s %s (%s)\n", ops->name, b->name, _(b->rule),
			       b->source);
	}
}

/* The names in the options' bug=A,B values, each with its rule, for the
 * report and the file's comments; *lin is set when one of the rules
 * protects the client history rather than an invariant. False (with a
 * message) when a name is not in the protocol's table. */
static bool describe_bugs(const struct proto_ops *ops, const char *const *options,
			  struct sbuf *names, struct sbuf *rules, bool *lin)
{
	for (int i = 0; options[i]; i++) {
		if (strncmp(options[i], "bug=", 4))
			continue;
		char buf[256];
		ns_strlcpy(buf, options[i] + 4, sizeof buf);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "none"))
				continue;
			const struct proto_bug *b = proto_bug_find(ops, t);
			if (!b) {
				fprintf(stderr, _("netsplit hunt: %s has no rule named \"%s\"\n"),
					ops->name, t);
				return false;
			}
			sbuf_printf(names, "%s%s", names->len ? "," : "", b->name);
			*lin = *lin || b->lin;
			sbuf_printf(rules, _("# The rule switched off, %s (%s): %s.\n"), b->name,
				    b->source, _(b->rule));
		}
	}
	return true;
}

/* The run of p with the same options but without any bug=: the rule is on. */
static int replay_rule_on(const struct fuzz_plan *p, const struct fuzz_opts *o)
{
	int n = 0;
	while (o->options[n])
		n++;
	const char **on = xcalloc((size_t)n + 1, sizeof *on);
	for (int i = 0, k = 0; i < n; i++)
		if (strncmp(o->options[i], "bug=", 4))
			on[k++] = o->options[i];
	struct fuzz_opts oo = *o;
	oo.options = on;
	struct sbuf text = {0};
	fuzz_plan_text(p, &oo, &text);
	int st = fuzz_cli_replay(sbuf_str(&text), "(the rule on)");
	sbuf_free(&text);
	free(on);
	return st;
}

static int write_result(const struct fuzz_plan *p, const struct fuzz_opts *o,
			const struct fuzz_result *r, const char *names, const char *rules,
			const char *shrunk, const char *dir, uint64_t found_seed)
{
	char tb[32];
	struct sbuf text = {0}, path = {0}, why = {0};
	sbuf_printf(&text, _("# netsplit hunt %s%s%s: a run that breaks safety\n"), o->proto,
		    *names ? " bug=" : "", names);
	sbuf_puts(&text, rules);
	sbuf_printf(&why, _("What breaks, at %s: %s"), simtime_fmt(r->at, tb, sizeof tb), r->why);
	fuzz_cli_comment(&text, sbuf_str(&why));
	if (*shrunk)
		fuzz_cli_comment(&text, shrunk);
	fuzz_plan_text(p, o, &text);

	char stem[128];
	ns_snprintf(stem, sizeof stem, "hunt-%s-%s-%llu", o->proto, *names ? names : "none",
		    (unsigned long long)found_seed);
	for (char *c = stem; *c; c++)
		if (*c == ',')
			*c = '+';
	int status = 2;
	if (fuzz_cli_write("hunt", dir, stem, sbuf_str(&text), &path)) {
		status = 0;
		int lines = 0;
		for (const char *c = sbuf_str(&text); *c; c++)
			lines += *c == '\n';
		int st = fuzz_cli_replay(sbuf_str(&text), sbuf_str(&path));
		printf(st == 1 ? _("wrote %s (%d lines): `netsplit run %s` shows it failing, "
				   "`netsplit open %s` plays it on the screen\n")
			       : _("wrote %s (%d lines); note: `netsplit run %s` did not reproduce "
				   "the failure (`netsplit open %s` to look)\n"),
		       sbuf_str(&path), lines, sbuf_str(&path), sbuf_str(&path));
		if (*names) {
			int on = replay_rule_on(p, o);
			printf(on == 0 ? _("with the rule on (the same file without bug=%s) the "
					   "same faults are safe: the rule is what prevents it\n")
				       : _("note: with the rule on (without bug=%s) the same file "
					   "still fails\n"),
			       names);
		}
	}
	sbuf_free(&text);
	sbuf_free(&path);
	sbuf_free(&why);
	return status;
}

int hunt_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seeds", required_argument, NULL, 'n'},
	    {"from", required_argument, NULL, 'f'},
	    {"time", required_argument, NULL, 't'},
	    {"nodes", required_argument, NULL, 'N'},
	    {"out", required_argument, NULL, 'o'},
	    {"runs", required_argument, NULL, 'r'},
	    {"lin", no_argument, NULL, 'L'},
	    {"no-shrink", no_argument, NULL, 'S'},
	    {"list", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct fuzz_opts o;
	fuzz_opts_default(&o);
	o.duration = 10 * SIM_S;
	o.nodes_lo = 3;
	o.nodes_hi = 3;
	o.safety_only = true;
	uint64_t seeds = 1000, from = 1, runs = 3000;
	const char *dir = ".";
	bool shrink = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:f:t:N:o:r:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
		case 'f':
		case 'r': {
			uint64_t *dst = c == 'n' ? &seeds : c == 'f' ? &from : &runs;
			if (!fuzz_cli_u64(optarg, dst) || (c != 'f' && *dst == 0)) {
				fprintf(
				    stderr,
				    _("netsplit hunt: --%s expects a whole number, got \"%s\"\n"),
				    c == 'n'   ? "seeds"
				    : c == 'f' ? "from"
					       : "runs",
				    optarg);
				return 2;
			}
			break;
		}
		case 't':
			if (!simtime_parse(optarg, &o.duration, 0) || o.duration <= 0) {
				fprintf(stderr,
					_("netsplit hunt: --time expects a duration like 10s, got "
					  "\"%s\"\n"),
					optarg);
				return 2;
			}
			break;
		case 'N':
			if (!fuzz_cli_nodes(optarg, &o.nodes_lo, &o.nodes_hi)) {
				fprintf(
				    stderr,
				    _("netsplit hunt: --nodes expects a size or a range like 3..5 "
				      "(1..%d), got \"%s\"\n"),
				    SIM_MAX_NODES, optarg);
				return 2;
			}
			break;
		case 'o': dir = optarg; break;
		case 'L': o.linearizable = true; break;
		case 'S': shrink = false; break;
		case 'l': list_bugs(); return 0;
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
		fprintf(stderr, _("netsplit hunt: no protocol named \"%s\"\n"), argv[optind]);
		return 2;
	}
	o.proto = ops->name;
	const char **options = fuzz_cli_options(ops, argc - optind - 1, argv + optind + 1, "hunt");
	if (!options)
		return 2;
	o.options = options;
	/* Where the result goes, checked before the search: a typo in --out
	 * should not cost the hunt (the file itself is still made with
	 * O_EXCL when there is one to write). */
	struct stat sb;
	int e = stat(dir, &sb) != 0      ? errno
		: !S_ISDIR(sb.st_mode)   ? ENOTDIR
		: access(dir, W_OK) != 0 ? errno
					 : 0;
	if (e) {
		fprintf(stderr,
			_("netsplit hunt: --out %s is not a directory it can write in: %s\n"), dir,
			strerror(e));
		free(options);
		return 2;
	}
	struct sbuf names = {0}, rules = {0};
	bool lin_rule = false;
	if (!describe_bugs(ops, options, &names, &rules, &lin_rule)) {
		free(options);
		sbuf_free(&names);
		sbuf_free(&rules);
		return 2;
	}
	char tb[32];
	/* The options as given (bug= among them, or not). */
	struct sbuf given = {0};
	for (int i = 0; options[i]; i++)
		sbuf_printf(&given, " %s", options[i]);
	printf(_("hunt %s%s: seeds %llu.. (at most %llu), %d..%d nodes, %s of faults each\n"),
	       ops->name, sbuf_str(&given), (unsigned long long)from, (unsigned long long)seeds,
	       o.nodes_lo, o.nodes_hi, simtime_fmt_dur(o.duration, tb, sizeof tb));
	sbuf_free(&given);
	if (!names.len)
		printf(_("no rule switched off (no bug=): a run that breaks safety would be a bug "
			 "in netsplit's %s, or in the options given\n"),
		       ops->name);
	fputs(sbuf_str(&rules), stdout);
	if (lin_rule && !o.linearizable) {
		o.linearizable = true;
		printf("%s\n",
		       _("# This rule keeps the client history linearizable: the hunt checks "
			 "the history too (as --lin)."));
	}
	fflush(stdout);

	int status = 1;
	uint64_t events = 0, tried = 0;
	clock_t t0 = clock();
	struct progress prog;
	progress_begin(&prog, true);
	for (uint64_t k = 0; k < seeds && status == 1; k++) {
		struct fuzz_plan p;
		struct fuzz_result r;
		if (progress_due(&prog))
			progress_show(&prog, _("netsplit hunt %s: seed %llu, %llu of %llu"),
				      ops->name, (unsigned long long)(from + k),
				      (unsigned long long)k, (unsigned long long)seeds);
		fuzz_plan_make(&p, &o, from + k);
		tried++;
		bool ok = fuzz_run(&p, &o, &r);
		events += r.events;
		if (ok || (!r.safety_failed && !r.lin_failed)) {
			fuzz_plan_free(&p);
			continue;
		}
		progress_clear(&prog);
		double found = (double)(clock() - t0) / CLOCKS_PER_SEC;
		printf(_("seed %llu breaks it at %s (after %llu seeds, %.2f CPU s): %s\n"),
		       (unsigned long long)p.seed, simtime_fmt(r.at, tb, sizeof tb),
		       (unsigned long long)tried, found, r.why);
		fflush(stdout);
		struct sbuf shrunk = {0};
		uint64_t found_seed = p.seed;
		if (shrink) {
			struct fuzz_shrink_stats st;
			clock_t s0 = clock();
			fuzz_shrink(&p, &o, &r, (int)(runs > 1000000 ? 1000000 : runs), &st);
			double cpu = (double)(clock() - s0) / CLOCKS_PER_SEC;
			char b1[32], b2[32];
			sbuf_printf(
			    &shrunk,
			    _("Shrunk from seed %llu as found (%zu steps, %d nodes, %s, %d "
			      "drawn options) to %zu steps, %d nodes, %s, %d drawn options, "
			      "in %d runs."),
			    (unsigned long long)found_seed, st.steps_before, st.nodes_before,
			    simtime_fmt_dur(st.duration_before, b1, sizeof b1), st.vary_before,
			    st.steps_after, st.nodes_after,
			    simtime_fmt_dur(st.duration_after, b2, sizeof b2), st.vary_after,
			    st.runs);
			printf(_("shrunk: %zu steps -> %zu, %d nodes -> %d, %s -> %s, %d drawn "
				 "options -> %d (%d runs, %.2f CPU s)\n"),
			       st.steps_before, st.steps_after, st.nodes_before, st.nodes_after, b1,
			       b2, st.vary_before, st.vary_after, st.runs, cpu);
			printf("  %s\n", r.why);
		}
		status = write_result(&p, &o, &r, sbuf_str(&names), sbuf_str(&rules),
				      sbuf_str(&shrunk), dir, found_seed);
		sbuf_free(&shrunk);
		fuzz_plan_free(&p);
	}
	progress_clear(&prog);
	double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	if (status == 1 && names.len)
		printf(_("-- no run broke safety in %llu seeds (%llu events, %.2f CPU s): the rule "
			 "may matter only in rarer schedules; try more --seeds, other --nodes or a "
			 "longer --time\n"),
		       (unsigned long long)tried, (unsigned long long)events, cpu);
	else if (status == 1)
		printf(_("-- no run broke safety in %llu seeds (%llu events, %.2f CPU s)\n"),
		       (unsigned long long)tried, (unsigned long long)events, cpu);
	free(options);
	sbuf_free(&names);
	sbuf_free(&rules);
	return status;
}

/*
 * run_cmd.c — `netsplit run FILE.ns`: runs a scenario headless and prints
 * its trace, as text for people or as one JSON object per line for tools
 * (docs/TRACE.md). Exit 0 when every expect held, 1 when one failed, 2 for
 * bad input (the message names file:line:col).
 */
#include "app/app.h"

#include "script/script.h"
#include "store/store_recorder.h"
#include "util/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct run_out {
	bool json;
	bool quiet;
	struct sim *sim;
	struct sbuf line;
	struct progress prog; /* when stdout is not the terminal */
	unsigned long ticks;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct run_out *o = ctx;
	if ((++o->ticks & 4095) == 0 && progress_due(&o->prog)) {
		char tb[32];
		progress_show(&o->prog, _("netsplit run: %s simulated, %llu events"),
			      simtime_fmt(sim_now(o->sim), tb, sizeof tb),
			      (unsigned long long)sim_events(o->sim));
	}
	if (o->quiet && (ev->kind == TR_DELIVER || ev->kind == TR_DROP))
		return;
	sbuf_clear(&o->line);
	bool ok =
	    o->json ? trace_format_json(o->sim, ev, &o->line) : trace_format(o->sim, ev, &o->line);
	if (ok) {
		fputs(sbuf_str(&o->line), stdout);
		fputc('\n', stdout);
	}
}

static void on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	(void)w;
	struct run_out *o = ctx;
	o->sim = s;
	sim_observe(s, on_trace, o);
}

static void on_output(void *ctx, enum world_out k, const char *text)
{
	struct run_out *o = ctx;
	if (k == OUT_ERROR || !o->json) {
		/* Replies and errors may quote the scenario: no control
		 * character reaches the terminal raw. */
		struct sbuf b = {0};
		sbuf_put_printable(&b, text, NS_PRINT_LINES);
		fprintf(k == OUT_ERROR ? stderr : stdout, "%s\n", sbuf_str(&b));
		sbuf_free(&b);
		return;
	}
	struct sbuf b = {0};
	sbuf_printf(&b, "{\"kind\":\"%s\",\"text\":", k == OUT_HELP ? "help" : "info");
	sbuf_json_str(&b, text);
	sbuf_putc(&b, '}');
	puts(sbuf_str(&b));
	sbuf_free(&b);
}

static void usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: netsplit run [OPTION]... FILE.ns\n"
		  "Run a scenario headless and print its trace.\n"
		  "\n"
		  "  -s, --seed N   override the scenario's seed\n"
		  "  -j, --json     one JSON object per event, and a final summary\n"
		  "  -q, --quiet    leave out message deliveries and drops\n"
		  "  -r, --record TITLE  store the run as a recording\n"
		  "      --db PATH  the database for --record\n"
		  "  -h, --help     show this help\n"
		  "\n"
		  "FILE may be - for standard input. Exit status: 0 every expect held,\n"
		  "1 an expect failed or a command was refused (without `try`), 2 bad\n"
		  "input.\n"));
}

int run_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seed", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"record", required_argument, NULL, 'r'},
	    {"db", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct run_out o = {0};
	bool seed_set = false;
	const char *record_title = NULL, *db = NULL;
	uint64_t seed = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:jqr:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': {
			char *end;
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (*end || errno || !*optarg || *optarg == '-') {
				fprintf(
				    stderr,
				    _("netsplit run: --seed expects a whole number, got \"%s\"\n"),
				    optarg);
				return 2;
			}
			seed_set = true;
			break;
		}
		case 'j': o.json = true; break;
		case 'q': o.quiet = true; break;
		case 'r': record_title = optarg; break;
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	struct sbuf why = {0};
	if (record_title && !store_title_ok(record_title, &why)) {
		fprintf(stderr, _("netsplit run: --record: %s\n"), sbuf_str(&why));
		sbuf_free(&why);
		return 2;
	}
	const char *path = argv[optind];
	size_t len;
	char *text = !strcmp(path, "-") ? NULL : read_file(path, &len);
	if (!strcmp(path, "-"))
		text = read_stream(stdin, &len);
	if (!text) {
		fprintf(stderr, _("netsplit run: cannot read %s: %s\n"), path,
			read_file_error(errno));
		return 2;
	}
	if (strlen(text) != len) {
		fprintf(stderr, _("%s: not a text file (it contains a NUL byte)\n"), path);
		free(text);
		return 2;
	}
	struct world *w = world_new();
	if (seed_set)
		world_force_seed(w, seed);
	world_set_output(w, on_output, &o);
	world_on_new_sim(w, on_new_sim, &o);
	struct recorder rec;
	if (record_title) {
		recorder_attach(&rec, w);
		recorder_begin(&rec, record_title);
	}
	struct sbuf err = {0};
	int status = 2;
	/* A long run piped to a file shows how far it is on the terminal. */
	progress_begin(&o.prog, !isatty(STDOUT_FILENO));
	struct script *sc = script_parse(text, strcmp(path, "-") ? path : "<stdin>", w, &err);
	free(text);
	if (!sc) {
		on_output(&o, OUT_ERROR, sbuf_str(&err));
		goto out;
	}
	enum exec_status st = world_run(w, sc, &err);
	progress_clear(&o.prog);
	script_free(sc);
	status = st == EXEC_OK ? 0 : st == EXEC_EXPECT_FAILED ? 1 : 2;
	if (st == EXEC_ERROR)
		on_output(&o, OUT_ERROR, sbuf_str(&err));
	if (record_title && st != EXEC_ERROR) {
		recorder_end(&rec);
		struct store *stor = app_open_store(db);
		int64_t id;
		if (recorder_save(&rec, stor, &id, &why) == STORE_OK)
			fprintf(stderr, _("netsplit: recorded as %lld (netsplit replay %lld)\n"),
				(long long)id, (long long)id);
		else
			fprintf(stderr, _("netsplit: the recording was not saved: %s\n"),
				sbuf_str(&why));
		sbuf_free(&why);
		store_close(stor);
	}
	struct sim *s = world_sim(w);
	if (o.json) {
		printf("{\"kind\":\"summary\",\"status\":\"%s\",\"expects_passed\":%d,\"expects_"
		       "failed\":%d,\"refused\":%d,"
		       "\"time\":%lld,\"events\":%llu,\"seed\":%llu}\n",
		       status == 0   ? "ok"
		       : status == 1 ? "failed"
				     : "error",
		       world_expects_passed(w), world_expects_failed(w), world_refusals(w),
		       s ? (long long)sim_now(s) : 0LL,
		       s ? (unsigned long long)sim_events(s) : 0ULL,
		       s ? (unsigned long long)sim_seed(s) : 0ULL);
	} else {
		char tb[32];
		printf(_("-- %d expects held, %d failed; %s simulated, %llu events, seed %llu\n"),
		       world_expects_passed(w), world_expects_failed(w),
		       simtime_fmt(s ? sim_now(s) : 0, tb, sizeof tb),
		       s ? (unsigned long long)sim_events(s) : 0ULL,
		       s ? (unsigned long long)sim_seed(s) : 0ULL);
		if (world_refusals(w))
			printf(
			    P_("-- %d command refused without `try` (see the refused line above)\n",
			       "-- %d commands refused without `try` (see the refused lines "
			       "above)\n",
			       world_refusals(w)),
			    world_refusals(w));
	}
out:
	if (record_title)
		recorder_free(&rec);
	sbuf_free(&err);
	sbuf_free(&o.line);
	world_free(w);
	fflush(stdout);
	return status;
}

/*
 * main.c — netsplit's entry point: GNU-style options and dispatch to a
 * subcommand (src/app) or the screen (src/tui).
 */
#include "app/app.h"
#include "app/check_cmd.h"
#include "config.h"
#include "proto/proto.h"
#include "sim/sim.h"
#include "tui/tui.h"
#include "tui/tui_theme.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum screen_mode { SCREEN_SANDBOX, SCREEN_OPEN, SCREEN_REPLAY, SCREEN_HOME };

/* `sandbox [PROTOCOL] [N] [--seed S] [--db PATH]`, `open FILE.ns [--seed S]
 * [--db PATH]`, `replay ID [--db PATH]` and `netsplit [--db PATH] [--lang
 * LANG]`: minimal parsing until the lead's option handling lands. */
static void screen_usage(enum screen_mode mode)
{
	switch (mode) {
	case SCREEN_SANDBOX:
		printf(
		    "%s",
		    _("Usage: netsplit sandbox [PROTOCOL] [N] [--seed S] [--db PATH] [--lang "
		      "LANG]\n"
		      "A fresh cluster of N nodes (default raft 5) on the screen, to break:\n"
		      "crash nodes, cut links, split the network; press ? there for the keys.\n"));
		printf("%s", _("Protocols:"));
		for (int i = 0; proto_all[i]; i++)
			printf(" %s", proto_all[i]->name);
		printf("\n");
		break;
	case SCREEN_OPEN:
		printf(
		    "%s",
		    _("Usage: netsplit open FILE.ns [--seed S] [--to-end] [--db PATH] [--lang "
		      "LANG]\n"
		      "Run a scenario, then show the screen on its result, paused. When an\n"
		      "invariant breaks, the run stops at the end of that event, with what broke\n"
		      "on the status line (--to-end runs the whole file anyway).\n"));
		break;
	case SCREEN_REPLAY:
		printf("%s", _("Usage: netsplit replay ID [--db PATH] [--lang LANG]\n"
			       "Replay a recording on the screen: play, pause, seek, take over.\n"
			       "`netsplit recordings` lists the ids.\n"));
		break;
	case SCREEN_HOME: break;
	}
}

static int screen_main(int argc, char **argv, enum screen_mode mode)
{
	struct tui_options o = {0};
	bool open = mode == SCREEN_OPEN;
	int pos = 0;
	for (int i = mode == SCREEN_HOME ? 0 : 1; i < argc; i++) {
		if (mode != SCREEN_HOME && (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))) {
			screen_usage(mode);
			return 0;
		}
		if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			o.lang = argv[++i];
			continue;
		}
		if (open && !strcmp(argv[i], "--to-end")) {
			o.open_to_end = true;
			continue;
		}
		if (!strcmp(argv[i], "--present")) {
			o.present = true;
			continue;
		}
		if ((!strcmp(argv[i], "--seed") || !strcmp(argv[i], "--db")) && i + 1 < argc) {
			if (!strcmp(argv[i], "--db")) {
				o.db_path = argv[++i];
				continue;
			}
			char *end;
			errno = 0;
			o.seed = strtoull(argv[++i], &end, 10);
			if (*end || errno || !*argv[i] || *argv[i] == '-') {
				fprintf(stderr,
					_("netsplit: --seed expects a whole number, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			o.seed_set = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, _("netsplit: unknown option \"%s\"\n"), argv[i]);
			return 2;
		} else if (mode == SCREEN_REPLAY && pos == 0) {
			char *end;
			errno = 0;
			long long id = strtoll(argv[i], &end, 10);
			if (*end || errno || id <= 0) {
				fprintf(stderr,
					_("netsplit replay: expected a recording id, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			o.replay_id = id;
			pos++;
		} else if (mode >= SCREEN_REPLAY) {
			fprintf(stderr, _("netsplit: unexpected argument \"%s\"\n"), argv[i]);
			return 2;
		} else if (open && pos == 0) {
			o.open_file = argv[i];
			pos++;
		} else if (!open && pos == 0 && !(argv[i][0] >= '0' && argv[i][0] <= '9')) {
			o.proto = argv[i];
			pos++;
		} else if (!open && pos <= 1) {
			char *end;
			long n = strtol(argv[i], &end, 10);
			if (*end || n < 1 || n > SIM_MAX_NODES) {
				fprintf(stderr,
					_("netsplit sandbox: expected a number of nodes (1-%d), "
					  "got \"%s\"\n"),
					SIM_MAX_NODES, argv[i]);
				return 2;
			}
			o.nodes = (int)n;
			pos = 2;
		} else {
			fprintf(stderr, _("netsplit: unexpected argument \"%s\"\n"), argv[i]);
			return 2;
		}
	}
	if (open && !o.open_file) {
		fprintf(stderr, "%s", _("Usage: netsplit open FILE.ns [--seed S] [--db PATH]\n"));
		return 2;
	}
	if (mode == SCREEN_REPLAY && !o.replay_id) {
		fprintf(stderr, "%s", _("Usage: netsplit replay ID [--db PATH]\n"));
		return 2;
	}
	/* The sandbox's protocol when none is named: the screen names none. */
	if (!o.proto && proto_find("raft"))
		o.proto = "raft";
	if (mode == SCREEN_HOME)
		return tui_home(&o);
	return tui_run(&o);
}

/* The screen's commands (and `netsplit` alone) take `--theme NAME|FILE`
 * anywhere after the command: it is taken out of argv here, loaded, and
 * made the screen's theme before the terminal opens. Returns 0, or 2 after
 * a message (a missing argument; a file that is missing or malformed:
 * FILE:LINE:COL). */
static int take_theme(int *argc, char **argv)
{
	const char *theme = NULL;
	int j = 1;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--theme")) {
			if (i + 1 == *argc) {
				fprintf(stderr, "%s",
					_("netsplit: --theme expects a theme's name or a file\n"));
				return 2;
			}
			theme = argv[++i];
		} else if (!strncmp(argv[i], "--theme=", 8)) {
			theme = argv[i] + 8;
		} else {
			argv[j++] = argv[i];
		}
	}
	*argc = j;
	argv[j] = NULL;
	if (!theme)
		return 0;
	struct sbuf err = {0};
	bool ok = tui_theme_select(theme, true, &err);
	if (!ok)
		fprintf(stderr, "netsplit: %s\n", sbuf_str(&err));
	sbuf_free(&err);
	return ok ? 0 : 2;
}

static void usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: netsplit [OPTION]... [COMMAND [ARG]...]\n"
	      "Learn distributed systems by breaking them: a simulated cluster running\n"
	      "real protocol code that you crash, cut and partition.\n"
	      "\n"
	      "With no command, the home screen: continue, lessons, sandbox, recordings.\n"
	      "\n"
	      "Commands:\n"
	      "  sandbox [PROTOCOL] [N] [--seed S]  a fresh cluster to break (raft 5)\n"
	      "  open FILE.ns        run a scenario, then show the screen on its result\n"
	      "  run FILE.ns         run a scenario headless and print its trace\n"
	      "  fuzz PROTOCOL       random fault schedules over many seeds\n"
	      "  hunt PROTOCOL bug=NAME  switch a rule off: the shortest run that breaks it\n"
	      "  cap [N]             a CP and an AP cluster side by side, same faults\n"
	      "  compare [PROTOCOL...] [N] [--seed S]  consensus protocols side by side\n"
	      "  lessons             list the lessons with your progress\n"
	      "  progress --reset [LESSON]  forget progress\n"
	      "  recordings          list recorded sessions\n"
	      "  replay ID           replay a recording on the screen: seek, take over\n"
	      "  export ID           write a recording as a scenario or a trace\n"
	      "  import FILE.ns      store a scenario as a recording\n"
	      "  check FILE          is a history linearizable? (JSON lines, EDN, Jepsen logs)\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help          show this help and exit\n"
	      "  -V, --version       show the version and exit\n"
	      "      --db PATH       the database of progress and recordings\n"
	      "      --lang LANG     the lessons' language (default: from the locale)\n"
	      "      --present       presenter mode on the screens (sandbox, open, replay)\n"
	      "\n"
	      "`netsplit COMMAND --help` explains a command.\n"));
	fprintf(
	    f, "%s",
	    _("\n"
	      "Colour themes: `netsplit themes` lists them and `netsplit themes --set NAME`\n"
	      "saves one; `--theme NAME|FILE` on the screen's commands (sandbox, open, cap,\n"
	      "replay, or none) chooses one for a run. `man netsplit` has the whole manual.\n"));
}

int main(int argc, char **argv)
{
	app_locale_init();
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("netsplit %s\n", NETSPLIT_VERSION);
		printf("%s",
		       _("Copyright (C) 2026 the netsplit developers.\n"
			 "License GPLv3+: GNU GPL version 3 or later "
			 "<https://gnu.org/licenses/gpl.html>.\n"
			 "This is free software: you are free to change and redistribute it.\n"
			 "There is NO WARRANTY, to the extent permitted by law.\n"));
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
	    {"run", run_cmd_main},           {"fuzz", fuzz_cmd_main},
	    {"hunt", hunt_cmd_main},         {"lessons", lessons_cmd_main},
	    {"progress", progress_cmd_main}, {"recordings", recordings_cmd_main},
	    {"export", export_cmd_main},     {"import", import_cmd_main},
	    {"check", check_cmd_main},       {"themes", themes_cmd_main},
	};
	for (size_t i = 0; argc >= 2 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	/* The screens: `--theme` first (see take_theme). */
	static const char *const screens[] = {"sandbox", "cap", "open", "replay"};
	bool screen_cmd = argc == 1 || argv[1][0] == '-';
	for (size_t i = 0; argc >= 2 && i < sizeof screens / sizeof screens[0]; i++)
		screen_cmd = screen_cmd || !strcmp(argv[1], screens[i]);
	if (screen_cmd) {
		int st = take_theme(&argc, argv);
		if (st)
			return st;
	}
	if (argc >= 2 && !strcmp(argv[1], "sandbox"))
		return screen_main(argc - 1, argv + 1, SCREEN_SANDBOX);
	if (argc >= 2 && !strcmp(argv[1], "cap"))
		return cap_cmd_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return compare_cmd_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "open"))
		return screen_main(argc - 1, argv + 1, SCREEN_OPEN);
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return screen_main(argc - 1, argv + 1, SCREEN_REPLAY);
	/* `netsplit` alone, or with only --db and --lang: the home screen. */
	if (argc == 1 || !strcmp(argv[1], "--db") || !strcmp(argv[1], "--lang"))
		return screen_main(argc - 1, argv + 1, SCREEN_HOME);
	if (argc >= 2)
		fprintf(stderr,
			argv[1][0] == '-' ? _("netsplit: unknown option \"%s\"\n")
					  : _("netsplit: unknown command \"%s\"\n"),
			argv[1]);
	usage(stderr);
	return 2;
}

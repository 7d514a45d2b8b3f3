/*
 * main.c — netsplit's entry point: GNU-style options and dispatch to a
 * subcommand (src/app) or the screen (src/tui).
 */
#include "app/app.h"
#include "app/check_cmd.h"
#include "config.h"
#include "util/i18n.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: netsplit [OPTION]... [COMMAND [ARG]...]\n"
			   "Learn distributed systems by breaking them: a simulated cluster running\n"
			   "real protocol code that you crash, cut and partition.\n"
			   "\n"
			   "Commands:\n"
			   "  run FILE.ns         run a scenario headless and print its trace\n"
			   "  fuzz PROTOCOL       random fault schedules over many seeds\n"
			   "  lessons             list the lessons with your progress\n"
			   "  progress --reset [LESSON]  forget progress\n"
			   "  recordings          list recorded sessions\n"
			   "  export ID           write a recording as a scenario or a trace\n"
			   "  import FILE.ns      store a scenario as a recording\n"
			   "  check FILE          is a history linearizable? (JSON lines, EDN, Jepsen logs)\n"
			   "\n"
			   "Options:\n"
			   "  -h, --help          show this help and exit\n"
			   "  -V, --version       show the version and exit\n"
			   "\n"
			   "`netsplit COMMAND --help` explains a command.\n"));
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
		printf("%s", _("Copyright (C) 2026 the netsplit developers.\n"
			       "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
			       "This is free software: you are free to change and redistribute it.\n"
			       "There is NO WARRANTY, to the extent permitted by law.\n"));
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"run", run_cmd_main},
		{"fuzz", fuzz_cmd_main},
		{"lessons", lessons_cmd_main},
		{"progress", progress_cmd_main},
		{"recordings", recordings_cmd_main},
		{"export", export_cmd_main},
		{"import", import_cmd_main},
		{"check", check_cmd_main},
	};
	for (size_t i = 0; argc >= 2 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	if (argc >= 2)
		fprintf(stderr, argv[1][0] == '-' ? _("netsplit: unknown option \"%s\"\n")
						  : _("netsplit: unknown command \"%s\"\n"),
			argv[1]);
	usage(stderr);
	return 2;
}

/*
 * app.h — the program's subcommands (src/app), dispatched by src/main.c.
 * Each takes argc/argv with argv[0] the subcommand's name and returns the
 * process exit status: 0 success, 1 a check failed, 2 bad usage or input.
 */
#ifndef NETSPLIT_APP_H
#define NETSPLIT_APP_H

/* Sets the locale from the environment and binds the text domain (the
 * build tree's translations when run uninstalled). */
void app_locale_init(void);

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

struct store;
struct store_recording;
struct sbuf;

/* A progress line on stderr for a long headless command (progress.c):
 * begin (want: the command's own condition, besides stderr being a
 * terminal), then, cheaply and often, `if (progress_due(&p))
 * progress_show(&p, ...)`: nothing before two seconds of wall time, then
 * at most four lines a second, each replacing the last; clear before
 * printing anything else and at the end. */
struct progress {
	bool on, shown;
	double t0, last;
};
void progress_begin(struct progress *p, bool want);
bool progress_due(struct progress *p);
void progress_show(struct progress *p, const char *fmt, ...) NS_PRINTF(2, 3);
void progress_clear(struct progress *p);

/* netsplit run FILE.ns [--seed N] [--json] [--quiet] [--record TITLE] */
int run_cmd_main(int argc, char **argv);
/* netsplit fuzz PROTOCOL [--seeds N] [--from S] [--time D] [--nodes A..B] */
int fuzz_cmd_main(int argc, char **argv);
/* netsplit hunt PROTOCOL bug=NAME [--seeds N] ...: fuzz until the rule's
 * absence breaks safety, then shrink the run (hunt_cmd.c). */
int hunt_cmd_main(int argc, char **argv);

/* Shared by fuzz and hunt (fuzz_cmd.c). A whole number (no sign); a
 * cluster size or range "3..7" within 1..SIM_MAX_NODES. */
bool fuzz_cli_u64(const char *s, uint64_t *out);
bool fuzz_cli_nodes(const char *s, int *lo, int *hi);
/* Runs scenario text through the command language: 0, 1 or 2 like
 * `netsplit run` (2 also prints the error). */
int fuzz_cli_replay(const char *text, const char *file);
struct proto_ops;
/* The protocol options KEY=VALUE of argv[0..n), each checked against ops:
 * a NULL-terminated array of argv's strings (free it), or NULL after a
 * message "netsplit CMD: ..." on stderr. */
const char **fuzz_cli_options(const struct proto_ops *ops, int n, char **argv, const char *cmd);
/* Writes text to a new file DIR/STEM.ns, or DIR/STEM-2.ns, -3, ... when
 * that name is taken (never replacing nor writing through an existing
 * file or link: O_EXCL|O_NOFOLLOW), its name in *path, and says on stdout
 * how many taken names were left alone. False after a message "netsplit
 * CMD: ..." on stderr; a file it created and could not fill is removed. */
bool fuzz_cli_write(const char *cmd, const char *dir, const char *stem, const char *text,
		    struct sbuf *path);
/* Appends text as comment lines: "# " before each of its lines. */
void fuzz_cli_comment(struct sbuf *out, const char *text);
/* netsplit lessons / progress / recordings / export / import */
int lessons_cmd_main(int argc, char **argv);
int progress_cmd_main(int argc, char **argv);
int recordings_cmd_main(int argc, char **argv);
int export_cmd_main(int argc, char **argv);
int import_cmd_main(int argc, char **argv);
/* netsplit cap [N] [--seed S] [--ap dynamo|primary]: the CAP screen */
int cap_cmd_main(int argc, char **argv);
/* netsplit themes [--db PATH] [--set NAME|FILE | --unset] */
int themes_cmd_main(int argc, char **argv);
/* netsplit compare [PROTOCOL...] [N] [--seed S]: consensus side by side */
int compare_cmd_main(int argc, char **argv);

/* Opens the database at db_path (NULL: the default place); prints what
 * happened to it (created, recovered, not saving) on stderr. Never NULL. */
struct store *app_open_store(const char *db_path);

#endif

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

#include <stdio.h>

struct store;
struct store_recording;
struct sbuf;

/* netsplit run FILE.ns [--seed N] [--json] [--quiet] [--record TITLE] */
int run_cmd_main(int argc, char **argv);
/* netsplit fuzz PROTOCOL [--seeds N] [--from S] [--time D] [--nodes A..B] */
int fuzz_cmd_main(int argc, char **argv);
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

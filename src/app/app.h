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

/* netsplit run FILE.ns [--seed N] [--json] [--quiet] */
int run_cmd_main(int argc, char **argv);

#endif

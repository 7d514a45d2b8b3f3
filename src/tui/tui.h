/*
 * tui.h — the curses screen: what src/main.c calls.
 *
 * tui_run() opens a sandbox (a fresh cluster) or a scenario's result and
 * runs the screen until the user quits; tui_home() shows the start menu
 * first. Both own the terminal while they run and restore it before they
 * return, also after ^C, SIGTERM or SIGHUP (and, through a handler that
 * re-raises, after a crash). Every user action goes through the command
 * language (script.h): keys become command text, so what a recorder sees is
 * what a scenario file could say.
 */
#ifndef NETSPLIT_TUI_H
#define NETSPLIT_TUI_H

#include <stdbool.h>
#include <stdint.h>

/* Clusters one screen can show side by side (tui_cap.h). */
#define TUI_PANES_MAX 3

struct tui_options {
	const char *proto; /* NULL: the first protocol compiled in (main.c names raft) */
	int nodes;         /* 0: 5 */
	bool seed_set;
	uint64_t seed;         /* used when seed_set; else one is drawn at random */
	const char *db_path;   /* --db PATH: the store (NULL: the default place) */
	const char *open_file; /* `netsplit open FILE.ns`: run it, then show it paused */
	bool open_to_end;      /* --to-end: run all of it even past a violation */
	const char *lang;      /* --lang for lessons; NULL: from the locale */
	const char *lesson;    /* a lesson's id: play it, from the saved step */
	int64_t replay_id;     /* `netsplit replay ID`: a recording (0: none) */
	bool start_help;       /* open on the help, time paused (home: Help) */
	bool present;          /* --present: presenter mode (P toggles it) */
};

/* Runs the screen. Returns the process exit status: 0 after `q`, 2 when
 * the options or the scenario are bad (the message is on stderr, the
 * terminal untouched), 128 + signal number after SIGINT, SIGTERM or SIGHUP. */
int tui_run(const struct tui_options *o);

/* The start menu (`netsplit` without a command): continue (the last
 * lesson, at its saved step), lessons, sandbox, recordings, help, quit; a
 * sandbox uses o as tui_run does. Returns an exit status like tui_run. */
int tui_home(const struct tui_options *o);

#endif

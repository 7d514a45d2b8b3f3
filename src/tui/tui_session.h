/*
 * tui_session.h — what the screen keeps beyond one cluster: the store
 * (progress, settings, recordings), the lesson being played and its quiz,
 * the recorder behind `R`, and a recording being replayed. The screen
 * (tui.c) calls a handful of hooks; the work is done in tui_session.c
 * (store, settings, recording, key dispatch), tui_lesson.c (the lesson
 * pane and the quiz), tui_replay.c (play, pause, seek, take over) and
 * tui_home.c (the home screen and its lists).
 *
 * Ownership. A session is made by tui_home() or tui_run() and lives as
 * long as the terminal is ours; it owns the store and the loaded lessons.
 * Each screen (a sandbox, a lesson, a replay) is begun with
 * tui_session_begin() and ended with tui_session_end(), which saves a
 * recording still running, the speed, and detaches from the world before
 * the screen frees it.
 */
#ifndef NETSPLIT_TUI_SESSION_H
#define NETSPLIT_TUI_SESSION_H

#include "lesson/glossary.h"
#include "lesson/lesson.h"
#include "store/store.h"
#include "store/store_recorder.h"
#include "tui/scene.h"
#include "tui/tui.h"

struct tui;
struct tui_term;

/* ---- what tui.c offers (its state stays private to it) ------------------- */

struct world *tui_world(struct tui *t);
/* Runs a command of the language as if typed (recorded, logged). */
void tui_exec(struct tui *t, const char *cmd);
/* The message line. */
void tui_say(struct tui *t, int style, const char *fmt, ...) NS_PRINTF(3, 4);
/* A line in the event log. */
void tui_log(struct tui *t, int style, const char *text);
bool tui_is_running(const struct tui *t);
void tui_set_running(struct tui *t, bool on);
/* The speed as an index into the screen's table of speeds, and its value. */
int tui_speed(const struct tui *t);
void tui_set_speed(struct tui *t, int index);
double tui_speed_factor(const struct tui *t);
/* The table's speed nearest to x (a setting kept as a factor). */
void tui_set_speed_factor(struct tui *t, double x);
bool tui_view_is_cluster(const struct tui *t);
/* Ends the screen at the end of this frame (the session's next says why). */
void tui_quit(struct tui *t);
bool tui_unicode(const struct tui *t);
/* Replaces the world by a fresh one with the screen's hooks (the old one
 * is freed: detach from it first). Returns the new world. */
struct world *tui_world_renew(struct tui *t);
/* Asks a question on the prompt line; cb gets the answer (NULL: cancelled). */
void tui_ask(struct tui *t, const char *question, void (*cb)(void *ctx, const char *answer),
	     void *ctx);

/* ---- the session ------------------------------------------------------------ */

/* What the screen should do once it ends (tui_session_end's caller). */
enum tui_next {
	NEXT_QUIT,    /* leave netsplit */
	NEXT_LESSONS, /* back to the lesson list */
};

#define TUI_PANE_MAX 400

struct tui_session {
	struct tui_options opt; /* lang and db as given */
	struct store *store;
	char store_msg[512]; /* what opening the store said ("" if nothing) */
	struct lesson_set lessons;
	bool lessons_loaded;
	char lessons_err[512];
	char lang[32];
	struct tui *t; /* the screen running now, or NULL */
	enum tui_next next;

	/* recording (R): one recorder per pane of the screen (side by side,
	 * each cluster is a recording of its own) */
	struct recorder rec[TUI_PANES_MAX];
	int nrec; /* recorders attached */
	bool rec_attached;
	bool recording;

	/* the lesson being played */
	const struct lesson *lesson;
	struct lesson_run run;
	bool pane;                    /* the side pane shows the lesson (else the node) */
	int pane_scroll;              /* rows scrolled down in the lesson pane */
	double solved_at;             /* wall time the goal held; 0: not yet */
	sim_time solved_sim;          /* simulated time it held */
	bool waiting;                 /* the step opened paused: space starts it */
	char why[256];                /* why the goal does not hold yet */
	bool quiz;                    /* the quiz is on */
	int q, cursor, chosen, right; /* question, highlighted answer, answer given (-1) */
	signed char result[64];       /* per question: -1 unanswered, 0 wrong, 1 right */
	/* predictions (a step's `predict:`): asked before the step runs */
	bool predicting;           /* the current step's prediction is asked */
	int pcursor;               /* its highlighted answer (as shown) */
	signed char predicted[64]; /* per step: the answer chosen (as written), -1 */
	signed char happened[64];  /* per step: the answer whose `when:` held, -1 */
	uint64_t learner;          /* this learner's seed for the order of answers */
	struct glossary gloss;     /* the terms, in the lesson's language */
	bool glossary;             /* the pane shows the glossary (K) */
	int gloss_focus;           /* the entry :glossary TERM asked for, or -1 */
	/* the pane's lines, rebuilt every frame */
	struct scene_line lines[TUI_PANE_MAX];
	char *text[TUI_PANE_MAX];
	int nlines;
	char title[128];
	struct scene_key keys[16];
	int nkeys;

	/* the recording being replayed */
	struct store_recording replayed;
	struct replay *rp;
	bool replaying;          /* the replay feeds the world (until take-over) */
	bool live_rewind;        /* the replay is of this live session, rewound ([) */
	int bar_x, bar_y, bar_w; /* where the progress bar was drawn (bar_w 0: not) */
	char rec_title[160];
};

/* Opens the store (o->db_path or the default) and notes what it said.
 * Never fails. Caller frees with tui_session_free. */
struct tui_session *tui_session_new(const struct tui_options *o);
void tui_session_free(struct tui_session *s);
/* Loads the lessons once (in the language of --lang or the locale). */
void tui_session_lessons(struct tui_session *s);

/* ---- hooks called by tui.c ---------------------------------------------------- */

/* The screen t starts: restores settings, attaches the recorder, and (when
 * t's options name a lesson or a recording) opens it. Returns 0, or 2 with
 * a reason in fail. Called with the world made and no cluster yet when
 * tui_session_opens() is true. */
int tui_session_begin(struct tui_session *s, struct tui *t, const struct tui_options *o,
		      struct sbuf *fail);
/* True when the options open a lesson or a replay (no sandbox cluster). */
bool tui_session_opens(const struct tui_options *o);
/* The screen ends: saves a running recording and the speed, detaches. */
void tui_session_end(struct tui_session *s);
/* The screen replaced its world (tui_world_renew): re-attach the recorder. */
void tui_session_world_renewed(struct tui_session *s);
/* A key: true when the session took it. */
bool tui_session_act(struct tui_session *s, int act, int code);
/* `:glossary [TERM]` (tui_glossary.c): the entry, in the lesson pane or
 * the event log; false (and a message) for an unknown or ambiguous term. */
bool tui_session_glossary(struct tui_session *s, const char *term);
/* Completion of `glossary TERM` for the prompt: candidates through add;
 * true when the line is a glossary line (no other completion). */
bool tui_session_glossary_complete(struct tui_session *s, const char *line, int end,
				   void (*add)(void *ctx, const char *cand), void *ctx);
/* Simulated time should reach `to`: a replay feeds the world itself
 * (true); otherwise false and the screen advances the world. */
bool tui_session_advance(struct tui_session *s, sim_time to);
/* After each frame's advance: the lesson's goal. */
void tui_session_frame(struct tui_session *s);
/* True while the session wants frames although time is paused. */
bool tui_session_busy(const struct tui_session *s);
/* Fills what the session shows into the snapshot: the lesson pane, the
 * REC mark, the key bar. */
void tui_session_snap(struct tui_session *s, struct scene_snap *snap);
/* A click at (x, y): true when the session took it (the progress bar). */
bool tui_session_click(struct tui_session *s, int x, int y);
/* Draws over a finished frame (the replay's progress bar). */
void tui_session_overlay(struct tui_session *s, struct scene *sc);

/* ---- the parts (tui_lesson.c, tui_replay.c) ------------------------------------ */

bool tui_lesson_open(struct tui_session *s, struct sbuf *fail);
void tui_lesson_close(struct tui_session *s);
bool tui_lesson_act(struct tui_session *s, int act, int code);
void tui_lesson_frame(struct tui_session *s);
/* Lets simulated time reach `to` in a lesson step, stopping at the first
 * instant its goal holds; false when the step leaves time to the screen. */
bool tui_lesson_advance(struct tui_session *s, sim_time to);
void tui_lesson_snap(struct tui_session *s, struct scene_snap *snap);
/* Counts for the lesson list: steps done, quiz answers right (the last
 * answer to each question counts). */
void tui_lesson_progress(struct store *st, const struct lesson *l, int *done, int *right);

bool tui_replay_open(struct tui_session *s, struct sbuf *fail);
void tui_replay_close(struct tui_session *s);
bool tui_replay_act(struct tui_session *s, int act, int code);
bool tui_replay_advance(struct tui_session *s, sim_time to);
void tui_replay_overlay(struct tui_session *s, struct scene *sc);
void tui_replay_keys(struct tui_session *s);
bool tui_replay_click(struct tui_session *s, int x, int y);
/* Live rewind ([ ] G in the sandbox): true when the key rewound the live
 * session, which then plays as a replay of itself until it is back at the
 * present or a command forks it (tui_replay.c). */
bool tui_rewind_act(struct tui_session *s, int act);

/* The home screen opened at the lesson list (L in a screen of its own). */
int tui_home_lessons(const struct tui_options *o);
/* Screens that run inside the home screen keep its terminal. */
int tui_screen_run(const struct tui_options *o, struct tui_term *term, struct tui_session *s);

/* ---- text (tui_wrap.c, pure) ------------------------------------------------------- */

/* Wraps UTF-8 text into lines of at most `width` display columns, breaking
 * at blanks (a word longer than a line is cut at a character). A '\n' ends
 * a line; "\n\n" leaves an empty line (a paragraph break). Calls emit for
 * each line (the bytes text[off..off+len), blanks at the break left out);
 * returns the number of lines. */
int tui_wrap(const char *text, int width, void (*emit)(void *ctx, const char *line, size_t len),
	     void *ctx);

#endif

/*
 * store.h — netsplit's persistent memory: lesson progress, settings and
 * recorded sessions, kept in one SQLite database. This is the only layer that
 * includes sqlite3.h; callers see plain C structures and int return codes.
 *
 * The file is $XDG_DATA_HOME/netsplit/netsplit.db ($HOME/.local/share/... when
 * XDG_DATA_HOME is unset, empty or relative), or the path given with --db.
 * It is created with mode 0600, runs in WAL mode with synchronous=FULL (a step
 * reported done survives kill -9 and power loss), foreign keys on, and is
 * marked with PRAGMA application_id = STORE_APPLICATION_ID. Its schema version
 * is PRAGMA user_version; older files are migrated in one transaction. See
 * docs/STORAGE.md for the schema and the failure behaviour.
 *
 * The store never fails to open and never takes the program down: whatever
 * happens to the file, store_open() returns a usable store and says what
 * happened (struct store_open_info). The modes:
 *
 *   saving      the file is open read-write; every write is committed to disk
 *               before the call returns.
 *   not saving  the file could not be created or written (read-only or
 *               missing directory, read-only file, database locked, disk
 *               trouble). The store runs on an in-memory database holding a
 *               copy of whatever could be read from the file, so the session
 *               still tracks progress live; writes succeed but return
 *               STORE_MEMORY_ONLY, and nothing outlives the process.
 *   read only   the file was written by a newer netsplit (user_version above
 *               STORE_SCHEMA_VERSION). Writes are refused (STORE_E_READONLY,
 *               with the reason in store_errmsg()); reads work when the newer
 *               schema declares itself readable by this version, and return
 *               nothing otherwise. The file is never changed.
 *
 * A corrupt file (not a database, failing PRAGMA integrity_check, another
 * program's database) is moved aside — never deleted — to
 * "PATH.corrupt-YYYYmmdd-HHMMSS" (with its -wal and -shm beside it, renamed
 * alike), and a fresh database is made in its place.
 *
 * Messages: the store never prints and never exits. store_open_info()->message
 * and store_errmsg() hold translated text (through _()) for the screen to show.
 *
 * Times: wall-clock times ("when was this step done") are Unix seconds from the
 * store's clock (time() unless store_set_clock() replaced it). Times inside a
 * recording are simulated microseconds (sim_time), never wall clock.
 *
 * Lessons and steps are named by the lesson layer: a lesson by its id string
 * ("raft-election"), a step by its 0-based index in the lesson, a quiz question
 * by its 0-based index in its step. The store only keeps the ids.
 *
 * A struct store is single-threaded: use it from one thread. Several netsplit
 * processes may share one file (WAL, BEGIN IMMEDIATE, a 5 s busy timeout).
 */
#ifndef NETSPLIT_STORE_H
#define NETSPLIT_STORE_H

#include "sim/simtime.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PRAGMA application_id of a netsplit database: the bytes "NSPL" read as a
 * big-endian integer. A file carrying another non-zero id is not ours. */
#define STORE_APPLICATION_ID 0x4E53504C

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 3

/* Return codes. Every function returning int returns one of these: >= 0 is
 * success, < 0 failure with a translated reason in store_errmsg(). */
enum store_rc {
	STORE_OK = 0,
	STORE_MEMORY_ONLY = 1, /* done, in the in-memory database only (not saving);
				* store_errmsg() says why the file cannot be written */
	STORE_E_READONLY = -1, /* refused: the file belongs to a newer netsplit */
	STORE_E_NOTFOUND = -2, /* no such recording */
	STORE_E_INVALID = -3,  /* bad argument (the message says which) */
	STORE_E_DB = -4,       /* SQLite failed (disk full, I/O error, busy, ...) */
};

/* What store_open() found and did. */
enum store_status {
	STORE_OPENED,     /* an existing database of the current version */
	STORE_CREATED,    /* a new, empty database was made */
	STORE_MIGRATED,   /* an older database was brought up to date */
	STORE_RECOVERED,  /* a corrupt file was moved aside; a fresh database made */
	STORE_NOT_SAVING, /* could not write the file: in-memory database */
	STORE_NEWER,      /* made by a newer netsplit: read only */
};

struct store_open_info {
	enum store_status status;
	int file_version;       /* user_version found in the file (0: new file) */
	bool readable;          /* STORE_NEWER: its data could be read */
	const char *path;       /* the database file; "" for store_open_memory() */
	const char *aside_path; /* where a corrupt file was moved, or NULL; may be
				 * set with STORE_NOT_SAVING too, when the fresh
				 * database could not be made either */
	const char *message;    /* translated, one or more sentences; "" when there
				 * is nothing to tell (STORE_OPENED, STORE_CREATED) */
};

struct store;

/* ---- opening -------------------------------------------------------------- */

/* Puts the default database path in *out (cleared first): $XDG_DATA_HOME/
 * netsplit/netsplit.db, or $HOME/.local/share/netsplit/netsplit.db when
 * XDG_DATA_HOME is unset, empty or not absolute; HOME falls back to the
 * password database. Returns false (with a translated reason in *out) when no
 * home directory can be found. */
bool store_default_path(struct sbuf *out);

/* Opens (creating, migrating or recovering as needed) the database at `path`,
 * or at store_default_path() when path is NULL or "". Creates missing
 * directories (mode 0700). Never returns NULL; see the modes above and
 * store_open_info(). The caller owns the store: store_close() it. */
struct store *store_open(const char *path);

/* A store on a fresh in-memory database (for tests, or to run without a file):
 * status STORE_NOT_SAVING with an empty message. */
struct store *store_open_memory(void);

/* Closes the database (checkpointing the WAL, except on a newer netsplit's
 * file) and frees everything. NULL ok. */
void store_close(struct store *st);

/* What store_open() did; owned by the store, valid until store_close(). */
const struct store_open_info *store_open_info(const struct store *st);

/* True when writes reach the file (not "not saving", not read only). */
bool store_is_saving(const struct store *st);

/* True when writes are accepted at all (false only for STORE_NEWER). */
bool store_is_writable(const struct store *st);

/* The reason for the last failure (translated), or "" after a success. Owned
 * by the store; valid until the next call on it. */
const char *store_errmsg(const struct store *st);

/* Replaces the wall clock used for "when" columns (Unix seconds). NULL
 * restores time(). For tests. */
void store_set_clock(struct store *st, int64_t (*now)(void *ctx), void *ctx);

/* ---- lesson progress ------------------------------------------------------ */

/* The progress of one step. A step never touched reads as all zeros. */
struct store_step {
	int step;        /* 0-based index in the lesson */
	int64_t done_at; /* Unix seconds it was first completed; 0: not done */
	int attempts;    /* attempts counted by store_step_attempt() */
	int hints;       /* hints revealed */
	int shown;       /* solutions shown ("show me") */
};

/* Marks `step` of `lesson` done now. Done is sticky: doing it again keeps the
 * first time. Committed (fsync'd) before it returns when saving. */
int store_step_done(struct store *st, const char *lesson, int step);

/* Counts one attempt (the lesson layer decides what is one: typically a
 * goal check that did not pass), one hint revealed, one solution shown. */
int store_step_attempt(struct store *st, const char *lesson, int step);
int store_step_hint(struct store *st, const char *lesson, int step);
int store_step_shown(struct store *st, const char *lesson, int step);

/* Reads one step's progress into *out (zeros, with out->step = step, when
 * nothing is recorded). */
int store_step_get(struct store *st, const char *lesson, int step, struct store_step *out);

/* Every step of `lesson` with recorded progress, by step index: *out is a
 * malloc'd array of *n entries (NULL, 0 when none) that the caller free()s. */
int store_lesson_steps(struct store *st, const char *lesson, struct store_step **out, size_t *n);

/* Forgets all progress of `lesson` (steps, quiz answers, position): "start
 * over". lesson NULL: of every lesson. */
int store_lesson_reset(struct store *st, const char *lesson);

/* Records that the learner is at `step` of `lesson` now; this also makes it
 * the last lesson opened. */
int store_position_set(struct store *st, const char *lesson, int step);

/* The step the learner was last at in `lesson`: *step = -1 when the lesson
 * was never opened. */
int store_position_get(struct store *st, const char *lesson, int *step);

/* The last lesson opened and the step there: *lesson (malloc'd, caller
 * free()s) = NULL and *step = -1 when none. */
int store_position_last(struct store *st, char **lesson, int *step);

/* One answer to a quiz question. Every answer is kept, so the history shows
 * how many tries a question took. */
struct store_quiz_answer {
	int step;     /* the step holding the quiz */
	int question; /* 0-based question index in the step */
	int answer;   /* 0-based index of the answer chosen */
	bool correct;
	int64_t at; /* Unix seconds */
};

/* Records an answer given now. */
int store_quiz_answer(struct store *st, const char *lesson, int step, int question, int answer,
		      bool correct);

/* Every answer recorded for `lesson`, in the order given: *out is a malloc'd
 * array of *n entries (NULL, 0 when none); the caller free()s it. */
int store_quiz_answers(struct store *st, const char *lesson, struct store_quiz_answer **out,
		       size_t *n);

/* What a learner did in one lesson of nsteps steps and nquiz questions:
 * steps done (of the first nsteps), hints revealed and solutions shown
 * over those steps, questions answered and answered right (the last answer
 * to each counts). Zeroes, and the error, when it cannot be read. */
struct store_tally {
	int done, hints, shown, answered, right;
};
int store_lesson_tally(struct store *st, const char *lesson, int nsteps, int nquiz,
		       struct store_tally *out);

/* ---- settings ----------------------------------------------------------- */

/* Sets key to value (both non-empty text; keys like "speed", "theme",
 * "language"). The store does not interpret values. */
int store_setting_set(struct store *st, const char *key, const char *value);

/* *value = a malloc'd copy of key's value (caller free()s), or NULL when the
 * key is unset (still STORE_OK). */
int store_setting_get(struct store *st, const char *key, char **value);

/* Unsets key (STORE_OK when it was not set). */
int store_setting_unset(struct store *st, const char *key);

/* ---- recordings ------------------------------------------------------------- */

#define STORE_NO_DURATION ((sim_time)-1)

/* One command of a recording: when it took effect and what it was. */
struct store_cmd {
	sim_time at; /* simulated time, microseconds, >= 0 */
	char *text;  /* one command in the netsplit language, no newline */
};

/* A whole recording. Every string is owned by the structure (heap, freed by
 * store_recording_close): assign xstrdup()ed text, or use the helpers. */
struct store_recording {
	int64_t id;      /* set by save/import/load; 0 before */
	char *title;     /* non-empty */
	int64_t created; /* Unix seconds; 0 on save = now */
	char *protocol;  /* protocol name, "raft" */
	char *options;   /* "prevote=on reads=local"; NULL or "" when none */
	int nodes;       /* cluster size, >= 1 */
	uint64_t seed;
	char *version;          /* netsplit version that made it; NULL on save = this one */
	sim_time duration;      /* final simulated time, or STORE_NO_DURATION */
	struct store_cmd *cmds; /* in order: `at` never decreases */
	size_t ncmds;
	size_t cap;
};

/* Zeroes *r (duration = STORE_NO_DURATION). */
void store_recording_init(struct store_recording *r);

/* Frees what *r owns and re-initialises it. NULL ok. */
void store_recording_close(struct store_recording *r);

/* Appends a copy of `text` at simulated time `at`. */
void store_recording_add(struct store_recording *r, sim_time at, const char *text);

/* Is `title` a recording title: non-empty, one line, no control
 * character (ns_printable)? A title is printed in lists and written into
 * the comment line atop `export --format ns`, where a newline would turn
 * the rest into commands. False with the reason appended to *why
 * (translated). */
bool store_title_ok(const char *title, struct sbuf *why);

/* Checks r before a save: non-empty one-line title (store_title_ok) and protocol, nodes >= 1, times
 * >= 0 and non-decreasing, duration (if known) not before the last command,
 * no command empty or holding a newline. Returns STORE_OK, or
 * STORE_E_INVALID with the first problem in *why (translated; *why is
 * appended to). */
int store_recording_check(const struct store_recording *r, struct sbuf *why);

/* Saves r as a new recording in one transaction (all or nothing); sets
 * r->id and *id (when id is not NULL). created = now when r->created is 0,
 * version = this build's when r->version is NULL. */
int store_recording_save(struct store *st, struct store_recording *r, int64_t *id);

/* Like save, for a recording read from elsewhere (a file, another
 * database): keeps r's created time and version, which must be set. */
int store_recording_import(struct store *st, struct store_recording *r, int64_t *id);

/* One line of the recordings list. */
struct store_rec_summary {
	int64_t id;
	char *title; /* owned by the array; see store_rec_summaries_free */
	int64_t created;
	char *protocol;
	int nodes;
	sim_time duration; /* or STORE_NO_DURATION */
	size_t ncmds;
};

/* Every recording, newest first: *out is a malloc'd array of *n entries
 * (NULL, 0 when none). Free it with store_rec_summaries_free(). Costs one
 * index range count per recording. */
int store_recording_list(struct store *st, struct store_rec_summary **out, size_t *n);
void store_rec_summaries_free(struct store_rec_summary *v, size_t n);

/* Loads recording `id` into *r (closed first): STORE_E_NOTFOUND when there is
 * none. */
int store_recording_load(struct store *st, int64_t id, struct store_recording *r);

/* Deletes recording `id` and its commands; STORE_E_NOTFOUND when none. */
int store_recording_delete(struct store *st, int64_t id);

/* Renames recording `id` (store_title_ok); STORE_E_NOTFOUND when none. */
int store_recording_rename(struct store *st, int64_t id, const char *title);

#endif

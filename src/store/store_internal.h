/*
 * store_internal.h — what the files of src/store/ share and the tests may
 * reach: the struct store itself, its prepared statements, the write
 * transaction helpers and the migration table. Nothing outside src/store/
 * and its tests includes this header.
 */
#ifndef NETSPLIT_STORE_INTERNAL_H
#define NETSPLIT_STORE_INTERNAL_H

#include "store/store.h"

#include <sqlite3.h>

/* Every statement the store runs, prepared once when the store opens and
 * reused (reset and cleared after each use). */
enum store_sql {
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_STEP_DONE,
	SQL_STEP_ATTEMPT,
	SQL_STEP_HINT,
	SQL_STEP_SHOWN,
	SQL_STEP_GET,
	SQL_LESSON_STEPS,
	SQL_LESSON_DEL_STEPS,
	SQL_LESSON_DEL_QUIZ,
	SQL_LESSON_DEL_POS,
	SQL_ALL_DEL_STEPS,
	SQL_ALL_DEL_QUIZ,
	SQL_ALL_DEL_POS,
	SQL_POS_SET,
	SQL_POS_GET,
	SQL_POS_LAST,
	SQL_QUIZ_ADD,
	SQL_QUIZ_LIST,
	SQL_SETTING_SET,
	SQL_SETTING_GET,
	SQL_SETTING_DEL,
	SQL_REC_ADD,
	SQL_REC_CMD_ADD,
	SQL_REC_LIST,
	SQL_REC_GET,
	SQL_REC_CMDS,
	SQL_REC_DEL,
	SQL_REC_RENAME,
	SQL__COUNT
};

enum store_mode {
	STORE_MODE_SAVING, /* the file, read-write */
	STORE_MODE_MEMORY, /* an in-memory database: writes are kept, not saved */
	STORE_MODE_NEWER,  /* a newer file, query_only (or empty memory): no writes */
};

struct store {
	sqlite3 *db;
	enum store_mode mode;
	sqlite3_stmt *stmt[SQL__COUNT]; /* NULL for writes in STORE_MODE_NEWER */
	struct store_open_info info;    /* its strings point into the fields below */
	char *path;                     /* "" for store_open_memory() */
	char *aside;                    /* NULL unless a corrupt file was moved */
	struct sbuf msg;                /* info.message */
	struct sbuf err;                /* store_errmsg() */
	int64_t (*now)(void *ctx);
	void *now_ctx;
};

/* ---- store.c: statements, errors, transactions ----------------------------- */

/* The statement `id`, ready to bind (it was reset after its last use). */
sqlite3_stmt *store_stmt(struct store *st, enum store_sql id);

/* Resets `s` and clears its bindings, ready for the next use. */
void store_stmt_done(sqlite3_stmt *s);

/* Sets the error message (translated format) and returns rc. */
int store_fail(struct store *st, int rc, const char *fmt, ...) NS_PRINTF(3, 4);

/* Sets the error message to "<what>: <sqlite's message> (<path>)" and returns
 * STORE_E_DB. */
int store_dberr(struct store *st, const char *what);

/* Clears the error message; returns STORE_OK. */
int store_ok(struct store *st);

/* Starts a write: STORE_E_READONLY (with its reason) in STORE_MODE_NEWER,
 * else BEGIN IMMEDIATE (waiting up to the busy timeout). `what` names the
 * operation for a failure message. */
int store_write_begin(struct store *st, const char *what);

/* Ends a write begun by store_write_begin: commits when rc >= 0 (a failed
 * COMMIT turns into STORE_E_DB), rolls back otherwise. Returns the final
 * code: STORE_MEMORY_ONLY instead of STORE_OK when not saving, with
 * store_errmsg() saying "<what>: <why the file cannot be written>". */
int store_write_end(struct store *st, int rc, const char *what);

/* The store's wall clock, Unix seconds. */
int64_t store_now(struct store *st);

/* Binds text/NULL; TEXT is copied by SQLite (SQLITE_TRANSIENT). */
int store_bind_text(sqlite3_stmt *s, int i, const char *text);

/* ---- store_schema.c: the migration table ------------------------------------ */

/* One schema version: the DDL that takes a database from version - 1 to
 * version, and the oldest schema version whose reader can still read a
 * database at this version (stored in meta.read_compat). */
struct store_migration {
	int version;
	int read_compat;
	const char *what; /* one line, for docs and messages */
	const char *sql;  /* one or more statements, run with sqlite3_exec */
};

/* The migration to `version` (1..STORE_SCHEMA_VERSION), or NULL. */
const struct store_migration *store_schema_step(int version);

/* Brings db from its user_version up to STORE_SCHEMA_VERSION in one
 * BEGIN IMMEDIATE transaction (re-reading user_version inside it, so two
 * processes opening an old file at once migrate it once). Sets the
 * application_id, user_version and meta.read_compat. *from = the version
 * found. Returns a SQLite result code; on failure nothing changed and
 * *why holds SQLite's message. */
int store_schema_migrate(sqlite3 *db, int *from, struct sbuf *why);

/* Runs the historical DDL of versions 1..version on an empty database and
 * stamps it as that version, exactly as a build of that version would have
 * left it (for the migration tests). Returns a SQLite result code. */
int store_schema_create_at(sqlite3 *db, int version);

#endif

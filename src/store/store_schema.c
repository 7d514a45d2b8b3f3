/*
 * store_schema.c — the schema of netsplit.db as a table of migration steps
 * indexed by PRAGMA user_version, in the manner of ish's fs/fake-migrate.c
 * and Fossil's rebuild: version N's entry holds the DDL that takes a version
 * N-1 database to version N. A new database runs every step from 1; an old
 * one runs the steps it lacks. All of it happens in one BEGIN IMMEDIATE
 * transaction, so a crash mid-migration leaves the old version intact.
 *
 * Rules for whoever adds version N+1: never edit a published step (old files
 * were made by it, and the migration tests replay it); only add. Prefer
 * additive changes (new tables, ALTER TABLE ADD COLUMN with a default):
 * they keep older builds able to read the file, so read_compat stays. A step
 * that renames or drops what older readers query must raise read_compat to
 * its own version. docs/STORAGE.md describes each version.
 */
#include "store/store_internal.h"

#include <stdio.h>

static const struct store_migration migrations[] = {
    {1, 1, "lesson progress: meta, lesson positions, steps",
     "CREATE TABLE meta (\n"
     "	key TEXT PRIMARY KEY NOT NULL,\n"
     "	value TEXT NOT NULL\n"
     ") WITHOUT ROWID;\n"
     "CREATE TABLE lesson (\n"
     "	id TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),\n"
     "	step INTEGER NOT NULL CHECK (step >= 0),\n"
     "	opened_at INTEGER NOT NULL,\n"
     "	opened_seq INTEGER NOT NULL\n"
     ") WITHOUT ROWID;\n"
     "CREATE TABLE step (\n"
     "	lesson TEXT NOT NULL CHECK (lesson <> ''),\n"
     "	step INTEGER NOT NULL CHECK (step >= 0),\n"
     "	done_at INTEGER,\n"
     "	attempts INTEGER NOT NULL DEFAULT 0,\n"
     "	hints INTEGER NOT NULL DEFAULT 0,\n"
     "	PRIMARY KEY (lesson, step)\n"
     ") WITHOUT ROWID;\n"},
    {2, 1, "recordings: sessions and their commands",
     "CREATE TABLE recording (\n"
     "	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
     "	title TEXT NOT NULL CHECK (title <> ''),\n"
     "	created INTEGER NOT NULL,\n"
     "	protocol TEXT NOT NULL CHECK (protocol <> ''),\n"
     "	options TEXT NOT NULL DEFAULT '',\n"
     "	nodes INTEGER NOT NULL CHECK (nodes >= 1),\n"
     "	seed INTEGER NOT NULL,\n"
     "	version TEXT NOT NULL,\n"
     "	duration INTEGER CHECK (duration >= 0)\n"
     ");\n"
     "CREATE TABLE recording_cmd (\n"
     "	recording INTEGER NOT NULL REFERENCES recording (id) ON DELETE CASCADE,\n"
     "	seq INTEGER NOT NULL CHECK (seq >= 0),\n"
     "	at INTEGER NOT NULL CHECK (at >= 0),\n"
     "	cmd TEXT NOT NULL,\n"
     "	PRIMARY KEY (recording, seq)\n"
     ") WITHOUT ROWID;\n"},
    {3, 1, "solutions shown, quiz answers, settings",
     "ALTER TABLE step ADD COLUMN shown INTEGER NOT NULL DEFAULT 0;\n"
     "CREATE TABLE quiz_answer (\n"
     "	id INTEGER PRIMARY KEY,\n"
     "	lesson TEXT NOT NULL CHECK (lesson <> ''),\n"
     "	step INTEGER NOT NULL CHECK (step >= 0),\n"
     "	question INTEGER NOT NULL CHECK (question >= 0),\n"
     "	answer INTEGER NOT NULL CHECK (answer >= 0),\n"
     "	correct INTEGER NOT NULL CHECK (correct IN (0, 1)),\n"
     "	at INTEGER NOT NULL\n"
     ");\n"
     "CREATE INDEX quiz_answer_lesson ON quiz_answer (lesson, id);\n"
     "CREATE TABLE setting (\n"
     "	key TEXT PRIMARY KEY NOT NULL CHECK (key <> ''),\n"
     "	value TEXT NOT NULL\n"
     ") WITHOUT ROWID;\n"},
};

_Static_assert(ARRAY_LEN(migrations) == STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

const struct store_migration *store_schema_step(int version)
{
	if (version < 1 || version > (int)ARRAY_LEN(migrations))
		return NULL;
	return &migrations[version - 1];
}

/* Reads an integer pragma (user_version, application_id). */
static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Applies steps from+1..to and stamps the file; inside a transaction. PRAGMA
 * values cannot be bound, so the two PRAGMA statements are formatted — from
 * integers of this program, never from input. */
static int apply(sqlite3 *db, int from, int to)
{
	char sql[128];
	int rc = SQLITE_OK;
	const struct store_migration *m = NULL;

	for (int v = from + 1; v <= to; v++) {
		m = store_schema_step(v);
		rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (m) {
		sqlite3_stmt *s;
		rc = sqlite3_prepare_v2(db,
					"INSERT INTO meta (key, value) VALUES ('read_compat', ?1)"
					" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					-1, &s, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_int(s, 1, m->read_compat);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return rc;
	}
	ns_snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		    STORE_APPLICATION_ID, to);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int store_schema_migrate(sqlite3 *db, int *from, struct sbuf *why)
{
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	rc = pragma_int(db, "PRAGMA user_version", from);
	if (rc == SQLITE_OK && *from < STORE_SCHEMA_VERSION)
		rc = apply(db, *from, STORE_SCHEMA_VERSION);
	if (rc != SQLITE_OK) {
		sbuf_puts(why, sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return rc;
	sbuf_puts(why, sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
fail:
	sbuf_puts(why, sqlite3_errmsg(db));
	return rc;
}

int store_schema_create_at(sqlite3 *db, int version)
{
	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return SQLITE_MISUSE;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = apply(db, 0, version);
	sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

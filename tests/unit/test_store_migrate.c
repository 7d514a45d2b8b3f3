/*
 * test_store_migrate.c — schema versions. A database made at every earlier
 * version (by running that version's historical DDL from the migration
 * table, exactly as that build did) and filled with that version's kind of
 * data is opened: it must migrate to STORE_SCHEMA_VERSION with its data kept,
 * end with the same schema as a new database, and take the newer features.
 * A migration that fails must leave the file as it was. A database from a
 * newer netsplit must be left alone: read when it says it can be, never
 * written.
 */
#include "store_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *schema_sql = "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || "
				"coalesce(sql, '') FROM sqlite_master ORDER BY name";

/* Fills a database at `version` with what a build of that version wrote. */
static void fill(sqlite3 *db, int version)
{
	fx_exec(db, "INSERT INTO step (lesson, step, done_at, attempts, hints)"
		    " VALUES ('raft-election', 0, 1600000000, 3, 1),"
		    " ('raft-election', 1, NULL, 2, 0), ('gossip', 4, 1600000500, 0, 2);"
		    "INSERT INTO lesson (id, step, opened_at, opened_seq)"
		    " VALUES ('gossip', 4, 1600000400, 1), ('raft-election', 1, 1600000600, 2);");
	if (version >= 2)
		fx_exec(db, "INSERT INTO recording (id, title, created, protocol, options, nodes,"
			    " seed, version, duration)"
			    " VALUES (7, 'old split', 1600000700, 'raft', 'prevote=on', 5, -2,"
			    " '0.0.1', 900000);"
			    "INSERT INTO recording_cmd (recording, seq, at, cmd)"
			    " VALUES (7, 0, 0, 'partition n1 n2 | n3 n4 n5'),"
			    " (7, 1, 500000, 'heal');");
	/* Version 3's additions (settings, quizzes, shown) need no data here:
	 * STORE_SCHEMA_VERSION is 3, so no earlier database has them. When a
	 * version 4 comes, fill them for version >= 3. */
}

/* `extra`: recordings saved since the migration. */
static void check_kept(struct store *st, int version, size_t extra)
{
	struct store_step s;
	struct store_step *v;
	size_t n;
	char *lesson;
	int step;

	assert_int_equal(store_step_get(st, "raft-election", 0, &s), STORE_OK);
	assert_int_equal(s.done_at, 1600000000);
	assert_int_equal(s.attempts, 3);
	assert_int_equal(s.hints, 1);
	assert_int_equal(s.shown, 0); /* added by version 3, default 0 */
	assert_int_equal(store_lesson_steps(st, "raft-election", &v, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].done_at, 0);
	assert_int_equal(v[1].attempts, 2);
	free(v);
	assert_int_equal(store_step_get(st, "gossip", 4, &s), STORE_OK);
	assert_int_equal(s.hints, 2);
	assert_int_equal(store_position_last(st, &lesson, &step), STORE_OK);
	assert_string_equal(lesson, "raft-election");
	assert_int_equal(step, 1);
	free(lesson);
	assert_int_equal(store_position_get(st, "gossip", &step), STORE_OK);
	assert_int_equal(step, 4);

	struct store_rec_summary *list;
	assert_int_equal(store_recording_list(st, &list, &n), STORE_OK);
	assert_int_equal(n, (version >= 2 ? 1 : 0) + extra);
	store_rec_summaries_free(list, n);
	if (version >= 2) {
		struct store_recording r;
		store_recording_init(&r);
		assert_int_equal(store_recording_load(st, 7, &r), STORE_OK);
		assert_string_equal(r.title, "old split");
		assert_true(r.seed == UINT64_MAX - 1);
		assert_string_equal(r.version, "0.0.1");
		assert_int_equal(r.duration, 900000);
		assert_int_equal(r.ncmds, 2);
		assert_string_equal(r.cmds[0].text, "partition n1 n2 | n3 n4 n5");
		assert_int_equal(r.cmds[1].at, 500000);
		store_recording_close(&r);
	}
}

static void test_migrate_each_version(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *fresh = fx_path(dir, "fresh.db");
	struct store *st = store_open(fresh);
	assert_int_equal(store_open_info(st)->status, STORE_CREATED);
	store_close(st);
	sqlite3 *db = fx_raw(fresh);
	char *want = fx_text(db, schema_sql);
	sqlite3_close(db);

	for (int k = 1; k < STORE_SCHEMA_VERSION; k++) {
		char name[32];
		ns_snprintf(name, sizeof(name), "v%d.db", k);
		char *p = fx_path(dir, name);
		db = fx_raw(p);
		fx_exec(db, "PRAGMA journal_mode = WAL");
		assert_int_equal(store_schema_create_at(db, k), SQLITE_OK);
		assert_int_equal(fx_int(db, "PRAGMA user_version"), k);
		fill(db, k);
		sqlite3_close(db);

		st = store_open(p);
		const struct store_open_info *in = store_open_info(st);
		assert_int_equal(in->status, STORE_MIGRATED);
		assert_int_equal(in->file_version, k);
		char from[64];
		ns_snprintf(from, sizeof(from), "from version %d", k);
		assert_non_null(strstr(in->message, from));
		assert_true(store_is_saving(st));
		check_kept(st, k, 0);

		/* What the newer versions brought works on the migrated file. */
		assert_int_equal(store_step_shown(st, "raft-election", 1), STORE_OK);
		assert_int_equal(store_quiz_answer(st, "raft-election", 1, 0, 1, true), STORE_OK);
		assert_int_equal(store_setting_set(st, "theme", "mono"), STORE_OK);
		struct store_recording r;
		store_recording_init(&r);
		r.title = xstrdup("new");
		r.protocol = xstrdup("raft");
		r.nodes = 3;
		store_recording_add(&r, 0, "crash n1");
		assert_int_equal(store_recording_save(st, &r, NULL), STORE_OK);
		store_recording_close(&r);
		store_close(st);

		db = fx_raw(p);
		assert_int_equal(fx_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
		assert_int_equal(fx_int(db, "PRAGMA application_id"), STORE_APPLICATION_ID);
		char *got = fx_text(db, schema_sql);
		assert_string_equal(got, want);
		free(got);
		char *ok = fx_text(db, "PRAGMA integrity_check");
		assert_string_equal(ok, "ok\n");
		free(ok);
		sqlite3_close(db);

		/* Opening again: nothing more to do. */
		st = store_open(p);
		assert_int_equal(store_open_info(st)->status, STORE_OPENED);
		assert_string_equal(store_open_info(st)->message, "");
		check_kept(st, k, 1);
		store_close(st);
		free(p);
	}
	free(want);
	free(fresh);
	fx_rmtree(dir);
}

static void test_migration_table(void **state)
{
	(void)state;
	assert_null(store_schema_step(0));
	assert_null(store_schema_step(STORE_SCHEMA_VERSION + 1));
	for (int v = 1; v <= STORE_SCHEMA_VERSION; v++) {
		const struct store_migration *m = store_schema_step(v);
		assert_non_null(m);
		assert_int_equal(m->version, v);
		assert_true(m->read_compat >= 1 && m->read_compat <= v);
		assert_true(strlen(m->sql) > 0 && strlen(m->what) > 0);
	}
}

/* A migration step that fails rolls the whole migration back: the file
 * stays at its version with its data, and the session runs without saving. */
static void test_failed_migration_is_atomic(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "v1.db");
	sqlite3 *db = fx_raw(p);
	assert_int_equal(store_schema_create_at(db, 1), SQLITE_OK);
	fill(db, 1);
	/* Something in the way of version 2's CREATE TABLE recording. */
	fx_exec(db, "CREATE TABLE recording (x)");
	sqlite3_close(db);

	struct store *st = store_open(p);
	const struct store_open_info *in = store_open_info(st);
	assert_int_equal(in->status, STORE_NOT_SAVING);
	assert_non_null(strstr(in->message, "recording"));
	assert_non_null(strstr(in->message, "without saving"));
	assert_false(store_is_saving(st));
	assert_int_equal(store_step_done(st, "x", 0), STORE_MEMORY_ONLY);
	store_close(st);

	db = fx_raw(p);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM step"), 3);
	assert_int_equal(
	    fx_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'quiz_answer'"), 0);
	sqlite3_close(db);
	free(p);
	fx_rmtree(dir);
}

/* Makes a current database with some progress, then has "a newer netsplit"
 * bump it to STORE_SCHEMA_VERSION + 1 with `ddl`. */
static char *make_newer(const char *dir, const char *ddl)
{
	char *p = fx_path(dir, "newer.db");
	struct store *st = store_open(p);
	assert_int_equal(store_step_done(st, "raft-election", 0), STORE_OK);
	assert_int_equal(store_setting_set(st, "speed", "2"), STORE_OK);
	store_close(st);
	sqlite3 *db = fx_raw(p);
	char sql[64];
	ns_snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	fx_exec(db, sql);
	fx_exec(db, ddl);
	sqlite3_close(db);
	return p;
}

static void check_untouched(const char *p)
{
	sqlite3 *db = fx_raw(p);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION + 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM step"), 1);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM setting"), 1);
	sqlite3_close(db);
}

static void check_refuses(struct store *st)
{
	char *v;
	assert_false(store_is_writable(st));
	assert_false(store_is_saving(st));
	assert_int_equal(store_step_done(st, "raft-election", 1), STORE_E_READONLY);
	assert_non_null(strstr(store_errmsg(st), "newer netsplit"));
	assert_int_equal(store_step_hint(st, "raft-election", 0), STORE_E_READONLY);
	assert_int_equal(store_setting_set(st, "speed", "3"), STORE_E_READONLY);
	assert_int_equal(store_setting_get(st, "speed", &v), STORE_OK);
	free(v);
	struct store_recording r;
	store_recording_init(&r);
	r.title = xstrdup("t");
	r.protocol = xstrdup("raft");
	r.nodes = 1;
	assert_int_equal(store_recording_save(st, &r, NULL), STORE_E_READONLY);
	store_recording_close(&r);
	assert_int_equal(store_recording_delete(st, 1), STORE_E_READONLY);
	assert_int_equal(store_lesson_reset(st, "raft-election"), STORE_E_READONLY);
}

static void test_newer_readable(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	/* An additive change: older readers still read it (read_compat 1). */
	char *p = make_newer(dir, "CREATE TABLE badge (name TEXT)");
	size_t n0, n1;
	char *before = read_file(p, &n0);
	struct store *st = store_open(p);
	const struct store_open_info *in = store_open_info(st);
	assert_int_equal(in->status, STORE_NEWER);
	assert_int_equal(in->file_version, STORE_SCHEMA_VERSION + 1);
	assert_true(in->readable);
	assert_non_null(strstr(in->message, "newer netsplit"));
	assert_non_null(strstr(in->message, "read only"));
	struct store_step s;
	assert_int_equal(store_step_get(st, "raft-election", 0, &s), STORE_OK);
	assert_true(s.done_at > 0);
	char *v;
	assert_int_equal(store_setting_get(st, "speed", &v), STORE_OK);
	assert_string_equal(v, "2");
	free(v);
	check_refuses(st);
	store_close(st);
	/* Not a byte of the file changed. */
	char *after = read_file(p, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
	check_untouched(p);
	free(p);
	fx_rmtree(dir);
}

static void test_newer_unreadable(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	/* The newer version says older readers cannot read it. */
	char *p = make_newer(dir, "UPDATE meta SET value = '99' WHERE key = 'read_compat'");
	struct store *st = store_open(p);
	const struct store_open_info *in = store_open_info(st);
	assert_int_equal(in->status, STORE_NEWER);
	assert_false(in->readable);
	assert_non_null(strstr(in->message, "cannot read it"));
	struct store_step s;
	assert_int_equal(store_step_get(st, "raft-election", 0, &s), STORE_OK);
	assert_int_equal(s.done_at, 0); /* reads are empty */
	check_refuses(st);
	store_close(st);
	check_untouched(p);
	free(p);

	/* It claims compatibility, but dropped a column this build reads: the
	 * statements do not prepare, so it is unreadable too. */
	fx_rmtree(dir);
	dir = fx_tmpdir();
	p = make_newer(dir, "ALTER TABLE step DROP COLUMN shown");
	st = store_open(p);
	assert_int_equal(store_open_info(st)->status, STORE_NEWER);
	assert_false(store_open_info(st)->readable);
	assert_int_equal(store_step_get(st, "raft-election", 0, &s), STORE_OK);
	assert_int_equal(s.done_at, 0);
	check_refuses(st);
	store_close(st);
	check_untouched(p);
	free(p);
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migration_table),
	    cmocka_unit_test(test_migrate_each_version),
	    cmocka_unit_test(test_failed_migration_is_atomic),
	    cmocka_unit_test(test_newer_readable),
	    cmocka_unit_test(test_newer_unreadable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

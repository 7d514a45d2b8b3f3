/*
 * test_store.c — the store's everyday behaviour on real files in a scratch
 * directory: creation (mode 0600, WAL, application_id, directories made),
 * the default path, lesson progress, quiz answers, settings and recordings
 * round trips (with a recording of many commands), and the in-memory store.
 * Faults live in test_store_faults.c, migrations in test_store_migrate.c.
 */
#include "store_fixture.h"

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

struct fx {
	char *dir;
	char *path;
	struct store *st;
	int64_t clock;
};

static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	f->dir = fx_tmpdir();
	f->path = fx_path(f->dir, "a/b/netsplit.db");
	f->st = store_open(f->path);
	f->clock = 1700000000;
	store_set_clock(f->st, fx_clock, &f->clock);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->st);
	free(f->path);
	fx_rmtree(f->dir);
	free(f);
	return 0;
}

static void test_create(void **state)
{
	struct fx *f = *state;
	const struct store_open_info *in = store_open_info(f->st);
	struct stat sb;

	assert_int_equal(in->status, STORE_CREATED);
	assert_string_equal(in->message, "");
	assert_string_equal(in->path, f->path);
	assert_null(in->aside_path);
	assert_true(store_is_saving(f->st));
	assert_true(store_is_writable(f->st));

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	char *a = fx_path(f->dir, "a");
	assert_int_equal(stat(a, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	free(a);

	/* The -wal SQLite makes takes the file's mode. */
	assert_int_equal(store_step_done(f->st, "intro", 0), STORE_OK);
	char *wal = fx_path(f->dir, "a/b/netsplit.db-wal");
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	free(wal);

	sqlite3 *db = fx_raw(f->path);
	assert_int_equal(fx_int(db, "PRAGMA application_id"), STORE_APPLICATION_ID);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	char *mode = fx_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal\n");
	free(mode);
	assert_int_equal(fx_int(db, "SELECT value FROM meta WHERE key = 'read_compat'"), 1);
	sqlite3_close(db);

	/* Reopening finds it as it is. */
	store_close(f->st);
	f->st = store_open(f->path);
	assert_int_equal(store_open_info(f->st)->status, STORE_OPENED);
	assert_int_equal(store_open_info(f->st)->file_version, STORE_SCHEMA_VERSION);
	struct store_step s;
	assert_int_equal(store_step_get(f->st, "intro", 0, &s), STORE_OK);
	assert_true(s.done_at > 0);
}

static void test_umask_does_not_widen(void **state)
{
	struct fx *f = *state;
	char *p = fx_path(f->dir, "umask.db");
	mode_t old = umask(0);
	struct store *st = store_open(p);
	umask(old);
	struct stat sb;
	assert_int_equal(store_open_info(st)->status, STORE_CREATED);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	store_close(st);
	free(p);
}

static void assert_mode(const char *path, mode_t want)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		fail_msg("%s: %s", path, strerror(errno));
	if ((sb.st_mode & 07777) != want)
		fail_msg("%s: mode %o, want %o", path, (unsigned)(sb.st_mode & 07777),
			 (unsigned)want);
}

/* An empty file already there (touch, a shell's >) is filled with the
 * user's data: 0600 like a file netsplit makes, -wal and -shm too,
 * whatever the umask (issue 14: it kept 0644). A file made read-only stays
 * read-only, and a database that has data keeps the mode its owner gave
 * it. */
static void test_empty_file_gets_0600(void **state)
{
	struct fx *f = *state;
	static const mode_t masks[] = {022, 0};
	for (size_t i = 0; i < ARRAY_LEN(masks); i++) {
		char name[32];
		ns_snprintf(name, sizeof name, "empty%zu.db", i);
		char *p = fx_path(f->dir, name);
		fx_write_file(p, "", 0);
		assert_int_equal(chmod(p, 0644), 0);
		mode_t old = umask(masks[i]);
		struct store *st = store_open(p);
		umask(old);
		assert_int_equal(store_open_info(st)->status, STORE_CREATED);
		assert_true(store_is_saving(st));
		assert_int_equal(store_step_done(st, "intro", 0), STORE_OK);
		assert_mode(p, 0600);
		struct sbuf w = {0};
		sbuf_printf(&w, "%s-wal", p);
		assert_mode(sbuf_str(&w), 0600);
		sbuf_clear(&w);
		sbuf_printf(&w, "%s-shm", p);
		assert_mode(sbuf_str(&w), 0600);
		sbuf_free(&w);
		store_close(st);
		free(p);
	}
	/* A database with data keeps its mode. */
	char *p = fx_path(f->dir, "shared.db");
	struct store *st = store_open(p);
	store_close(st);
	assert_int_equal(chmod(p, 0640), 0);
	st = store_open(p);
	assert_int_equal(store_open_info(st)->status, STORE_OPENED);
	store_close(st);
	assert_mode(p, 0640);
	free(p);
}

static void test_default_path(void **state)
{
	struct fx *f = *state;
	struct sbuf b = {0};
	char *home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	char *xdg = getenv("XDG_DATA_HOME") ? xstrdup(getenv("XDG_DATA_HOME")) : NULL;

	setenv("XDG_DATA_HOME", f->dir, 1);
	assert_true(store_default_path(&b));
	char *want = fx_path(f->dir, "netsplit/netsplit.db");
	assert_string_equal(sbuf_str(&b), want);
	struct store *st = store_open(NULL);
	assert_int_equal(store_open_info(st)->status, STORE_CREATED);
	assert_string_equal(store_open_info(st)->path, want);
	assert_true(fx_exists(want));
	store_close(st);
	free(want);

	setenv("HOME", "/home/learner", 1);
	setenv("XDG_DATA_HOME", "", 1);
	assert_true(store_default_path(&b));
	assert_string_equal(sbuf_str(&b), "/home/learner/.local/share/netsplit/netsplit.db");
	setenv("XDG_DATA_HOME", "relative/dir", 1); /* invalid per the XDG spec */
	assert_true(store_default_path(&b));
	assert_string_equal(sbuf_str(&b), "/home/learner/.local/share/netsplit/netsplit.db");
	unsetenv("XDG_DATA_HOME");
	assert_true(store_default_path(&b));
	assert_string_equal(sbuf_str(&b), "/home/learner/.local/share/netsplit/netsplit.db");

	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	if (xdg)
		setenv("XDG_DATA_HOME", xdg, 1);
	free(home);
	free(xdg);
	sbuf_free(&b);
}

static void test_progress(void **state)
{
	struct fx *f = *state;
	struct store *st = f->st;
	struct store_step s;
	struct store_step *v;
	size_t n;

	assert_int_equal(store_step_get(st, "raft-election", 2, &s), STORE_OK);
	assert_int_equal(s.step, 2);
	assert_int_equal(s.done_at, 0);
	assert_int_equal(s.attempts + s.hints + s.shown, 0);

	assert_int_equal(store_step_attempt(st, "raft-election", 2), STORE_OK);
	assert_int_equal(store_step_attempt(st, "raft-election", 2), STORE_OK);
	assert_int_equal(store_step_hint(st, "raft-election", 2), STORE_OK);
	assert_int_equal(store_step_shown(st, "raft-election", 2), STORE_OK);
	f->clock = 1700000100;
	assert_int_equal(store_step_done(st, "raft-election", 2), STORE_OK);
	f->clock = 1700000200;
	assert_int_equal(store_step_done(st, "raft-election", 2), STORE_OK); /* sticky */
	assert_int_equal(store_step_done(st, "raft-election", 0), STORE_OK);
	assert_int_equal(store_step_hint(st, "other", 0), STORE_OK);

	assert_int_equal(store_step_get(st, "raft-election", 2, &s), STORE_OK);
	assert_int_equal(s.done_at, 1700000100);
	assert_int_equal(s.attempts, 2);
	assert_int_equal(s.hints, 1);
	assert_int_equal(s.shown, 1);

	assert_int_equal(store_lesson_steps(st, "raft-election", &v, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].step, 0);
	assert_int_equal(v[0].done_at, 1700000200);
	assert_int_equal(v[1].step, 2);
	free(v);
	assert_int_equal(store_lesson_steps(st, "nothing", &v, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(v);

	/* Where the learner was. */
	int step;
	char *lesson;
	assert_int_equal(store_position_last(st, &lesson, &step), STORE_OK);
	assert_null(lesson);
	assert_int_equal(step, -1);
	assert_int_equal(store_position_set(st, "raft-election", 3), STORE_OK);
	assert_int_equal(store_position_set(st, "gossip", 1), STORE_OK);
	assert_int_equal(store_position_get(st, "raft-election", &step), STORE_OK);
	assert_int_equal(step, 3);
	assert_int_equal(store_position_get(st, "never", &step), STORE_OK);
	assert_int_equal(step, -1);
	assert_int_equal(store_position_last(st, &lesson, &step), STORE_OK);
	assert_string_equal(lesson, "gossip"); /* same second: order still kept */
	assert_int_equal(step, 1);
	free(lesson);
	assert_int_equal(store_position_set(st, "raft-election", 4), STORE_OK);
	assert_int_equal(store_position_last(st, &lesson, &step), STORE_OK);
	assert_string_equal(lesson, "raft-election");
	assert_int_equal(step, 4);
	free(lesson);

	/* Quiz answers: every one kept, in order. */
	struct store_quiz_answer *q;
	f->clock = 1700000300;
	assert_int_equal(store_quiz_answer(st, "raft-election", 5, 0, 2, false), STORE_OK);
	f->clock = 1700000301;
	assert_int_equal(store_quiz_answer(st, "raft-election", 5, 0, 1, true), STORE_OK);
	assert_int_equal(store_quiz_answer(st, "raft-election", 5, 1, 0, true), STORE_OK);
	assert_int_equal(store_quiz_answers(st, "raft-election", &q, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(q[0].step, 5);
	assert_int_equal(q[0].question, 0);
	assert_int_equal(q[0].answer, 2);
	assert_false(q[0].correct);
	assert_int_equal(q[0].at, 1700000300);
	assert_int_equal(q[1].answer, 1);
	assert_true(q[1].correct);
	assert_int_equal(q[2].question, 1);
	assert_int_equal(q[2].at, 1700000301);
	free(q);

	/* Survives a reopen. */
	store_close(f->st);
	st = f->st = store_open(f->path);
	assert_int_equal(store_step_get(st, "raft-election", 2, &s), STORE_OK);
	assert_int_equal(s.done_at, 1700000100);
	assert_int_equal(s.attempts, 2);

	/* Start over forgets one lesson only. */
	assert_int_equal(store_lesson_reset(st, "raft-election"), STORE_OK);
	assert_int_equal(store_lesson_steps(st, "raft-election", &v, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_quiz_answers(st, "raft-election", &q, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_position_get(st, "raft-election", &step), STORE_OK);
	assert_int_equal(step, -1);
	assert_int_equal(store_step_get(st, "other", 0, &s), STORE_OK);
	assert_int_equal(s.hints, 1);

	/* Bad arguments: refused with a reason, nothing written. */
	assert_int_equal(store_step_done(st, "", 1), STORE_E_INVALID);
	assert_true(strlen(store_errmsg(st)) > 0);
	assert_int_equal(store_step_done(st, NULL, 1), STORE_E_INVALID);
	assert_int_equal(store_step_done(st, "x", -1), STORE_E_INVALID);
	assert_non_null(strstr(store_errmsg(st), "-1"));
	assert_int_equal(store_quiz_answer(st, "x", 0, -1, 0, true), STORE_E_INVALID);
	assert_int_equal(store_step_done(st, "x", 1), STORE_OK);
	assert_string_equal(store_errmsg(st), "");

	/* Lesson ids are data, never SQL. */
	const char *evil = "x'); DROP TABLE step; --";
	assert_int_equal(store_step_done(st, evil, 0), STORE_OK);
	assert_int_equal(store_step_get(st, evil, 0, &s), STORE_OK);
	assert_true(s.done_at > 0);
	assert_int_equal(store_step_get(st, "x", 1, &s), STORE_OK);
	assert_true(s.done_at > 0);

	/* A lesson's tally: steps beyond nsteps (a lesson that shrank) do not
	 * count; the last answer to each question counts. */
	struct store_tally t;
	assert_int_equal(store_step_done(st, "tally", 0), STORE_OK);
	assert_int_equal(store_step_done(st, "tally", 5), STORE_OK);
	assert_int_equal(store_step_hint(st, "tally", 0), STORE_OK);
	assert_int_equal(store_step_hint(st, "tally", 1), STORE_OK);
	assert_int_equal(store_step_shown(st, "tally", 1), STORE_OK);
	assert_int_equal(store_step_hint(st, "tally", 5), STORE_OK);
	assert_int_equal(store_quiz_answer(st, "tally", 2, 0, 1, false), STORE_OK);
	assert_int_equal(store_quiz_answer(st, "tally", 2, 0, 0, true), STORE_OK);
	assert_int_equal(store_quiz_answer(st, "tally", 2, 1, 2, true), STORE_OK);
	assert_int_equal(store_quiz_answer(st, "tally", 2, 1, 0, false), STORE_OK);
	assert_int_equal(store_lesson_tally(st, "tally", 2, 3, &t), STORE_OK);
	assert_int_equal(t.done, 1);
	assert_int_equal(t.hints, 2);
	assert_int_equal(t.shown, 1);
	assert_int_equal(t.answered, 2);
	assert_int_equal(t.right, 1);
	assert_int_equal(store_lesson_tally(st, "none", 3, 3, &t), STORE_OK);
	assert_int_equal(t.done + t.hints + t.shown + t.answered + t.right, 0);
}

static void test_settings(void **state)
{
	struct fx *f = *state;
	char *v;

	assert_int_equal(store_setting_get(f->st, "speed", &v), STORE_OK);
	assert_null(v);
	assert_int_equal(store_setting_set(f->st, "speed", "2.0"), STORE_OK);
	assert_int_equal(store_setting_set(f->st, "theme", "mono"), STORE_OK);
	assert_int_equal(store_setting_set(f->st, "language", "fr_FR.UTF-8"), STORE_OK);
	assert_int_equal(store_setting_set(f->st, "speed", "0.5"), STORE_OK);
	store_close(f->st);
	f->st = store_open(f->path);
	assert_int_equal(store_setting_get(f->st, "speed", &v), STORE_OK);
	assert_string_equal(v, "0.5");
	free(v);
	assert_int_equal(store_setting_get(f->st, "language", &v), STORE_OK);
	assert_string_equal(v, "fr_FR.UTF-8");
	free(v);
	assert_int_equal(store_setting_unset(f->st, "theme"), STORE_OK);
	assert_int_equal(store_setting_unset(f->st, "theme"), STORE_OK);
	assert_int_equal(store_setting_get(f->st, "theme", &v), STORE_OK);
	assert_null(v);
	assert_int_equal(store_setting_set(f->st, "", "x"), STORE_E_INVALID);
	assert_int_equal(store_setting_set(f->st, "k", ""), STORE_E_INVALID);
	assert_int_equal(store_setting_set(f->st, "k", NULL), STORE_E_INVALID);
}

static void make_recording(struct store_recording *r, const char *title, size_t ncmds)
{
	store_recording_init(r);
	r->title = xstrdup(title);
	r->protocol = xstrdup("raft");
	r->options = xstrdup("prevote=on reads=local");
	r->nodes = 5;
	r->seed = UINT64_MAX - 41; /* the top bit set: stored as its bits */
	for (size_t i = 0; i < ncmds; i++) {
		char cmd[64];
		ns_snprintf(cmd, sizeof(cmd), "%s n%zu", i % 2 ? "restart" : "crash", i % 5 + 1);
		store_recording_add(r, (sim_time)(i * 1500), cmd);
	}
	r->duration = ncmds ? (sim_time)((ncmds - 1) * 1500 + 250) : 0;
}

static void test_recordings(void **state)
{
	struct fx *f = *state;
	struct store *st = f->st;
	struct store_recording a, b, c, got;
	struct store_rec_summary *list;
	size_t n;
	int64_t ida, idb, idc;

	make_recording(&a, "first split", 3);
	make_recording(&b, "a long session", 10000);
	make_recording(&c, "no commands", 0);
	c.duration = STORE_NO_DURATION;
	free(c.options);
	c.options = NULL;
	f->clock = 1700000001;
	assert_int_equal(store_recording_save(st, &a, &ida), STORE_OK);
	assert_int_equal(a.id, ida);
	assert_string_equal(a.version, NETSPLIT_VERSION);
	assert_int_equal(a.created, 1700000001);
	f->clock = 1700000002;
	assert_int_equal(store_recording_save(st, &b, &idb), STORE_OK);
	f->clock = 1700000003;
	assert_int_equal(store_recording_save(st, &c, &idc), STORE_OK);
	assert_true(ida != idb && idb != idc);

	store_close(f->st);
	st = f->st = store_open(f->path);

	assert_int_equal(store_recording_list(st, &list, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].id, idc); /* newest first */
	assert_int_equal(list[0].ncmds, 0);
	assert_int_equal(list[0].duration, STORE_NO_DURATION);
	assert_int_equal(list[1].id, idb);
	assert_string_equal(list[1].title, "a long session");
	assert_string_equal(list[1].protocol, "raft");
	assert_int_equal(list[1].nodes, 5);
	assert_int_equal(list[1].ncmds, 10000);
	assert_int_equal(list[1].duration, b.duration);
	assert_int_equal(list[1].created, 1700000002);
	assert_int_equal(list[2].id, ida);
	assert_int_equal(list[2].ncmds, 3);
	store_rec_summaries_free(list, n);

	store_recording_init(&got);
	assert_int_equal(store_recording_load(st, idb, &got), STORE_OK);
	assert_int_equal(got.id, idb);
	assert_string_equal(got.title, b.title);
	assert_string_equal(got.protocol, "raft");
	assert_string_equal(got.options, "prevote=on reads=local");
	assert_int_equal(got.nodes, 5);
	assert_true(got.seed == UINT64_MAX - 41);
	assert_string_equal(got.version, NETSPLIT_VERSION);
	assert_int_equal(got.duration, b.duration);
	assert_int_equal(got.ncmds, 10000);
	for (size_t i = 0; i < got.ncmds; i++) {
		assert_int_equal(got.cmds[i].at, b.cmds[i].at);
		assert_string_equal(got.cmds[i].text, b.cmds[i].text);
	}
	assert_int_equal(store_recording_load(st, idc, &got), STORE_OK);
	assert_int_equal(got.ncmds, 0);
	assert_string_equal(got.options, "");
	assert_int_equal(got.duration, STORE_NO_DURATION);

	/* Rename, delete (commands go with it), not found. */
	assert_int_equal(store_recording_rename(st, ida, "the first split"), STORE_OK);
	assert_int_equal(store_recording_load(st, ida, &got), STORE_OK);
	assert_string_equal(got.title, "the first split");
	assert_int_equal(store_recording_rename(st, ida, ""), STORE_E_INVALID);
	assert_int_equal(store_recording_rename(st, 999999, "x"), STORE_E_NOTFOUND);
	assert_int_equal(store_recording_delete(st, idb), STORE_OK);
	assert_int_equal(store_recording_delete(st, idb), STORE_E_NOTFOUND);
	assert_non_null(strstr(store_errmsg(st), "#"));
	assert_int_equal(store_recording_load(st, idb, &got), STORE_E_NOTFOUND);
	assert_null(got.title);
	sqlite3 *db = fx_raw(f->path);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM recording_cmd"), 3);
	sqlite3_close(db);

	/* Invalid recordings are refused whole: nothing is written. */
	struct store_recording bad;
	make_recording(&bad, "unordered", 4);
	bad.cmds[2].at = 1; /* before the command before it */
	assert_int_equal(store_recording_save(st, &bad, NULL), STORE_E_INVALID);
	assert_non_null(strstr(store_errmsg(st), "command 3"));
	assert_int_equal(bad.id, 0);
	bad.cmds[2].at = 3000;
	free(bad.cmds[1].text);
	bad.cmds[1].text = xstrdup("crash n1\nheal");
	assert_int_equal(store_recording_save(st, &bad, NULL), STORE_E_INVALID);
	free(bad.cmds[1].text);
	bad.cmds[1].text = xstrdup("heal");
	bad.duration = 10;
	assert_int_equal(store_recording_save(st, &bad, NULL), STORE_E_INVALID);
	bad.duration = STORE_NO_DURATION;
	bad.nodes = 0;
	assert_int_equal(store_recording_save(st, &bad, NULL), STORE_E_INVALID);
	bad.nodes = 3;
	assert_int_equal(store_recording_list(st, &list, &n), STORE_OK);
	assert_int_equal(n, 2);
	store_rec_summaries_free(list, n);

	/* Ids are never reused, even the newest one's after it is deleted. */
	assert_int_equal(store_recording_delete(st, idc), STORE_OK);
	int64_t idn;
	bad.id = 0;
	assert_int_equal(store_recording_save(st, &bad, &idn), STORE_OK);
	assert_true(idn > idc);
	assert_int_equal(store_recording_delete(st, idn), STORE_OK);
	bad.created = 0;
	free(bad.version);
	bad.version = NULL;

	/* Import keeps the time and version it came with, and needs them. */
	bad.created = 0;
	assert_int_equal(store_recording_import(st, &bad, NULL), STORE_E_INVALID);
	bad.created = 1600000000;
	free(bad.version);
	bad.version = xstrdup("0.0.9");
	int64_t idi;
	assert_int_equal(store_recording_import(st, &bad, &idi), STORE_OK);
	assert_int_equal(store_recording_load(st, idi, &got), STORE_OK);
	assert_int_equal(got.created, 1600000000);
	assert_string_equal(got.version, "0.0.9");
	assert_int_equal(got.ncmds, 4);
	assert_string_equal(got.cmds[1].text, "heal");

	store_recording_close(&got);
	store_recording_close(&bad);
	store_recording_close(&a);
	store_recording_close(&b);
	store_recording_close(&c);
	store_recording_close(NULL);
}

static void test_memory_store(void **state)
{
	(void)state;
	struct store *st = store_open_memory();
	struct store_step s;

	assert_int_equal(store_open_info(st)->status, STORE_NOT_SAVING);
	assert_string_equal(store_open_info(st)->message, "");
	assert_false(store_is_saving(st));
	assert_true(store_is_writable(st));
	assert_int_equal(store_step_done(st, "intro", 1), STORE_MEMORY_ONLY);
	assert_int_equal(store_step_get(st, "intro", 1, &s), STORE_OK);
	assert_true(s.done_at > 0);
	store_close(st);
	store_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_umask_does_not_widen, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_empty_file_gets_0600, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_default_path, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_progress, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_settings, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_recordings, fx_setup, fx_teardown),
	    cmocka_unit_test(test_memory_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_store_faults.c — the store when things go wrong: a corrupt file
 * (garbage, truncated, another program's database) is moved aside, never
 * deleted, and a fresh one made; a directory or file that cannot be written
 * gives a "not saving" store that still tracks the session in memory;
 * kill -9 in the middle of writes loses no step reported done.
 *
 * Running as root (as in CI), chmod does not stop us: the unwritable cases
 * then run in a child that drops to uid/gid 65534 (nobody), where file modes
 * apply. Where even that is impossible (no CAP_SETUID), they are skipped and
 * say so; the cases that need no permissions (a path through a regular file,
 * a directory where the file should be) run everywhere.
 */
#include "store_fixture.h"

#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/wait.h>
#include <time.h>

/* ---- corrupt files --------------------------------------------------------- */

static void check_aside(const struct store_open_info *in, const char *path)
{
	size_t n = strlen(path);
	assert_int_equal(in->status, STORE_RECOVERED);
	assert_non_null(in->aside_path);
	/* PATH.corrupt-YYYYmmdd-HHMMSS */
	assert_memory_equal(in->aside_path, path, n);
	assert_memory_equal(in->aside_path + n, ".corrupt-", 9);
	const char *stamp = in->aside_path + n + 9;
	assert_true(strlen(stamp) >= 15);
	for (int i = 0; i < 15; i++)
		assert_true(i == 8 ? stamp[i] == '-' : stamp[i] >= '0' && stamp[i] <= '9');
	assert_non_null(strstr(in->message, "moved aside"));
	assert_non_null(strstr(in->message, in->aside_path));
	assert_true(fx_exists(in->aside_path));
}

/* The fresh database is fully usable. */
static void check_fresh(struct store *st, const char *path)
{
	struct store_step s;
	assert_true(store_is_saving(st));
	assert_int_equal(store_step_get(st, "x", 0, &s), STORE_OK);
	assert_int_equal(s.done_at, 0);
	assert_int_equal(store_step_done(st, "x", 0), STORE_OK);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	sqlite3 *db = fx_raw(path);
	assert_int_equal(fx_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	sqlite3_close(db);
}

static void test_garbage(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	char *wal = fx_path(dir, "netsplit.db-wal");
	unsigned char junk[8192];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	fx_write_file(p, junk, sizeof(junk));
	fx_write_file(wal, "not a wal", 9);
	char *shm = fx_path(dir, "netsplit.db-shm");
	fx_write_file(shm, "not a shm", 9);
	/* As a umask of 022 leaves them: what is moved aside becomes 0600. */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(chmod(wal, 0644), 0);
	assert_int_equal(chmod(shm, 0664), 0);

	struct store *st = store_open(p);
	const struct store_open_info *in = store_open_info(st);
	check_aside(in, p);
	/* The bytes moved aside are the bytes that were there. */
	size_t n;
	char *kept = read_file(in->aside_path, &n);
	assert_int_equal(n, sizeof(junk));
	assert_memory_equal(kept, junk, n);
	free(kept);
	struct sbuf w = {0};
	struct stat sb;
	assert_int_equal(stat(in->aside_path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	sbuf_printf(&w, "%s-wal", in->aside_path);
	assert_true(fx_exists(sbuf_str(&w)));
	assert_int_equal(stat(sbuf_str(&w), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	sbuf_clear(&w);
	sbuf_printf(&w, "%s-shm", in->aside_path);
	assert_int_equal(stat(sbuf_str(&w), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	sbuf_free(&w);
	check_fresh(st, p);
	store_close(st);

	/* Next time it is simply there. */
	st = store_open(p);
	assert_int_equal(store_open_info(st)->status, STORE_OPENED);
	store_close(st);
	free(wal);
	free(shm);
	free(p);
	fx_rmtree(dir);
}

static void test_truncated(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	struct store *st = store_open(p);
	struct store_recording r;
	store_recording_init(&r);
	r.title = xstrdup("big");
	r.protocol = xstrdup("raft");
	r.nodes = 5;
	for (int i = 0; i < 5000; i++)
		store_recording_add(&r, i * 1000, "put x 1 via n3");
	assert_int_equal(store_recording_save(st, &r, NULL), STORE_OK);
	store_recording_close(&r);
	store_close(st); /* checkpointed: everything in the main file */

	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size > 65536);
	/* Cut in the middle of a page, then at a page boundary. */
	assert_int_equal(truncate(p, sb.st_size / 2 + 100), 0);
	st = store_open(p);
	check_aside(store_open_info(st), p);
	check_fresh(st, p);
	store_close(st);

	/* A file shorter than SQLite's 100-byte header. */
	fx_write_file(p, "SQLite format 3", 16);
	st = store_open(p);
	check_aside(store_open_info(st), p);
	store_close(st);
	free(p);
	fx_rmtree(dir);
}

static void test_page_boundary_truncation(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	struct store *st = store_open(p);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(store_setting_set(st, "padding-key-number-that-is-long",
						   "padding value that takes room on the page"),
				 STORE_OK);
	struct store_recording r;
	store_recording_init(&r);
	r.title = xstrdup("big");
	r.protocol = xstrdup("raft");
	r.nodes = 5;
	for (int i = 0; i < 5000; i++)
		store_recording_add(&r, i * 1000, "link n1 n2 latency 50ms jitter 10ms loss 20%");
	assert_int_equal(store_recording_save(st, &r, NULL), STORE_OK);
	store_recording_close(&r);
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(truncate(p, (sb.st_size / 2) & ~(off_t)4095), 0);
	st = store_open(p);
	check_aside(store_open_info(st), p);
	store_close(st);
	free(p);
	fx_rmtree(dir);
}

/* A file whose pages read fine but whose index disagrees with its table:
 * only PRAGMA integrity_check sees it (it answers rows, not an error). */
static void test_integrity_check_rows(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	struct store *st = store_open(p);
	for (int i = 0; i < 50; i++)
		assert_int_equal(store_quiz_answer(st, "quiz", i, 0, 1, true), STORE_OK);
	store_close(st);
	sqlite3 *db = fx_raw(p);
	fx_exec(db, "PRAGMA writable_schema = ON;"
		    "UPDATE sqlite_master SET sql = 'CREATE INDEX quiz_answer_lesson"
		    " ON quiz_answer (step, id)' WHERE name = 'quiz_answer_lesson';");
	sqlite3_close(db);
	db = fx_raw(p);
	char *ok = fx_text(db, "PRAGMA integrity_check");
	assert_string_not_equal(ok, "ok\n"); /* the damage is real */
	free(ok);
	sqlite3_close(db);

	st = store_open(p);
	check_aside(store_open_info(st), p);
	assert_non_null(strstr(store_open_info(st)->message, "integrity check"));
	check_fresh(st, p);
	store_close(st);
	free(p);
	fx_rmtree(dir);
}

static void test_not_ours(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");

	sqlite3 *db = fx_raw(p);
	fx_exec(db, "PRAGMA application_id = 42; CREATE TABLE t (x); INSERT INTO t VALUES (1);");
	sqlite3_close(db);
	struct store *st = store_open(p);
	check_aside(store_open_info(st), p);
	assert_non_null(strstr(store_open_info(st)->message, "another program"));
	char *first = xstrdup(store_open_info(st)->aside_path);
	store_close(st);

	/* An SQLite file with no application_id but tables: not ours either.
	 * Moved aside beside the first one, never over it. */
	unlink(p);
	db = fx_raw(p);
	fx_exec(db, "CREATE TABLE t (x)");
	sqlite3_close(db);
	st = store_open(p);
	check_aside(store_open_info(st), p);
	assert_non_null(strstr(store_open_info(st)->message, "not netsplit's"));
	assert_true(fx_exists(first));
	assert_string_not_equal(first, store_open_info(st)->aside_path);
	db = fx_raw(first);
	assert_int_equal(fx_int(db, "SELECT x FROM t"), 1);
	sqlite3_close(db);
	store_close(st);

	/* An empty file (a crash right after it was made) is simply new. */
	unlink(p);
	fx_write_file(p, "", 0);
	st = store_open(p);
	assert_int_equal(store_open_info(st)->status, STORE_CREATED);
	store_close(st);
	free(first);
	free(p);
	fx_rmtree(dir);
}

/* ---- places that cannot be written ---------------------------------------- */

static void check_not_saving(struct store *st, const char *why)
{
	const struct store_open_info *in = store_open_info(st);
	struct store_step s;
	assert_int_equal(in->status, STORE_NOT_SAVING);
	assert_non_null(strstr(in->message, "without saving"));
	if (why && !strstr(in->message, why)) {
		fprintf(stderr, "message: %s\nwanted: %s\n", in->message, why);
		fail();
	}
	assert_false(store_is_saving(st));
	assert_true(store_is_writable(st));
	/* The session still tracks progress, in memory. */
	assert_int_equal(store_step_done(st, "live", 3), STORE_MEMORY_ONLY);
	assert_int_equal(store_step_get(st, "live", 3, &s), STORE_OK);
	assert_true(s.done_at > 0);
}

static void test_parent_is_a_file(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *file = fx_path(dir, "file");
	char *p = fx_path(dir, "file/sub/netsplit.db");
	fx_write_file(file, "x", 1);
	struct store *st = store_open(p);
	check_not_saving(st, "cannot create the directory");
	assert_non_null(strstr(store_open_info(st)->message, strerror(ENOTDIR)));
	store_close(st);
	free(p);

	/* The database path is a directory. */
	p = fx_path(dir, "adir");
	assert_int_equal(mkdir(p, 0700), 0);
	st = store_open(p);
	check_not_saving(st, "not a regular file");
	store_close(st);
	free(p);
	free(file);
	fx_rmtree(dir);
}

#define CHILD_CHECK(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "child: %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

/* In a child without the power to ignore file modes (uid 65534 if we are
 * root): opens `path` and checks it is "not saving" with `steps` steps of
 * lesson "old" readable and a live write kept in memory. `guard` is what the
 * modes must forbid writing (the file or its directory). Exit 0: good, 77:
 * cannot drop privileges, 78: the modes do not bind. */
static void child_unwritable(const char *path, const char *guard, int steps)
{
	if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
		_exit(77);
	if (access(guard, W_OK) == 0)
		_exit(78); /* modes do not bind us (a capability left?) */
	struct store *st = store_open(path);
	const struct store_open_info *in = store_open_info(st);
	CHILD_CHECK(in->status == STORE_NOT_SAVING);
	CHILD_CHECK(strstr(in->message, "without saving") != NULL);
	CHILD_CHECK(!store_is_saving(st));
	struct store_step *v;
	size_t n;
	CHILD_CHECK(store_lesson_steps(st, "old", &v, &n) == STORE_OK);
	CHILD_CHECK(n == (size_t)steps);
	free(v);
	CHILD_CHECK(store_step_done(st, "live", 0) == STORE_MEMORY_ONLY);
	struct store_step s;
	CHILD_CHECK(store_step_get(st, "live", 0, &s) == STORE_OK && s.done_at > 0);
	fprintf(stderr, "  (uid %d) %s\n", (int)geteuid(), in->message);
	store_close(st);
	_exit(0);
}

/* Returns false when the test cannot run here (the caller cleans up, then
 * skips). */
static bool run_child_unwritable(const char *path, const char *guard, int steps)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_unwritable(path, guard, steps);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 78) {
		fprintf(stderr, "  skipped: cannot make %s unwritable for this test (%s)\n", path,
			WEXITSTATUS(status) == 77 ? "cannot drop root" : "modes do not apply");
		return false;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	return true;
}

/* A scratch directory the unprivileged child can enter. */
static char *open_tmpdir(void)
{
	char *dir = fx_tmpdir();
	assert_int_equal(chmod(dir, 0755), 0);
	return dir;
}

static void test_readonly_dir_new_file(void **state)
{
	(void)state;
	char *dir = open_tmpdir();
	char *ro = fx_path(dir, "ro");
	char *p = fx_path(dir, "ro/netsplit/netsplit.db");
	assert_int_equal(mkdir(ro, 0555), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	bool ran = run_child_unwritable(p, ro, 0);
	assert_false(fx_exists(p));
	free(p);
	free(ro);
	fx_rmtree(dir);
	if (!ran)
		skip();
}

/* An existing database the child cannot write: its progress is still shown. */
static void prepare_old(const char *p)
{
	struct store *st = store_open(p);
	assert_int_equal(store_step_done(st, "old", 0), STORE_OK);
	assert_int_equal(store_step_done(st, "old", 1), STORE_OK);
	store_close(st);
}

static void test_readonly_file(void **state)
{
	(void)state;
	char *dir = open_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	prepare_old(p);
	assert_int_equal(chmod(p, 0444), 0);
	bool ran = run_child_unwritable(p, p, 2);
	free(p);
	fx_rmtree(dir);
	if (!ran)
		skip();
}

static void test_writable_file_readonly_dir(void **state)
{
	(void)state;
	char *dir = open_tmpdir();
	char *sub = fx_path(dir, "sub");
	char *p = fx_path(dir, "sub/netsplit.db");
	assert_int_equal(mkdir(sub, 0755), 0);
	prepare_old(p);
	/* The file could be written, but WAL's -wal and -shm cannot be made. */
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(chmod(sub, 0555), 0);
	bool ran = run_child_unwritable(p, sub, 2);
	assert_int_equal(chmod(sub, 0755), 0);
	sqlite3 *db = fx_raw(p);
	assert_int_equal(fx_int(db, "SELECT count(*) FROM step WHERE lesson = 'live'"), 0);
	sqlite3_close(db);
	free(p);
	free(sub);
	fx_rmtree(dir);
	if (!ran)
		skip();
}

/* ---- two processes, one file ---------------------------------------------- */

static void test_shared_file(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	struct store *a = store_open(p);
	struct store *b = store_open(p);
	struct store_step s;
	assert_int_equal(store_open_info(b)->status, STORE_OPENED);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(store_step_done(i % 2 ? a : b, "shared", i), STORE_OK);
		assert_int_equal(store_step_get(i % 2 ? b : a, "shared", i, &s), STORE_OK);
		assert_true(s.done_at > 0);
	}
	store_close(a);
	store_close(b);
	free(p);
	fx_rmtree(dir);
}

/* ---- kill -9 ---------------------------------------------------------------- */

struct report {
	int kind; /* 0: step done, 1: recording saved */
	int64_t value;
	int64_t ncmds;
};

/* Writes steps (and now and then a recording) forever, reporting each one
 * committed through fd. Killed by the parent. */
static void child_writer(const char *path, int first, int fd)
{
	struct store *st = store_open(path);
	if (!store_is_saving(st))
		_exit(3);
	for (int i = first;; i++) {
		struct report rep = {0, i, 0};
		if (store_step_done(st, "kill", i) != STORE_OK)
			_exit(4);
		if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
			_exit(5);
		if (i % 16 == 0) {
			struct store_recording r;
			int64_t id;
			store_recording_init(&r);
			r.title = xstrdup("killed");
			r.protocol = xstrdup("raft");
			r.nodes = 3;
			for (int c = 0; c < 200 + i % 300; c++)
				store_recording_add(&r, c, "crash n1");
			if (store_recording_save(st, &r, &id) != STORE_OK)
				_exit(6);
			rep = (struct report){1, id, (int64_t)r.ncmds};
			store_recording_close(&r);
			if (write(fd, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
				_exit(5);
		}
	}
}

static bool has_schema(const char *p)
{
	sqlite3 *db = fx_raw(p);
	bool yes = fx_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'step'") == 1;
	sqlite3_close(db);
	return yes;
}

static void test_kill9(void **state)
{
	(void)state;
	char *dir = fx_tmpdir();
	char *p = fx_path(dir, "netsplit.db");
	uint32_t rng = 2026; /* fixed: the kill times still vary with the machine */
	int rounds = 20, total_steps = 0, total_recs = 0, early = 0;

	for (int round = 0; round < rounds; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			child_writer(p, round * 100000, fds[1]);
		}
		close(fds[1]);
		/* One round in four is killed at any moment from its start (so
		 * during open, creation or migration too); the others once they
		 * have reported a first write, in the middle of writing. */
		struct report *reps = NULL;
		size_t nrep = 0, cap = 0;
		struct report rep;
		ssize_t got;
		if (round % 4 != 0) {
			assert_int_equal(read(fds[0], &rep, sizeof(rep)), (ssize_t)sizeof(rep));
			xgrow((void **)&reps, &cap, nrep + 1, sizeof(*reps));
			reps[nrep++] = rep;
		}
		rng = rng * 1664525u + 1013904223u;
		struct timespec ts = {0, (long)((rng >> 16) % 40000) * 1000L};
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		while ((got = read(fds[0], &rep, sizeof(rep))) == (ssize_t)sizeof(rep)) {
			xgrow((void **)&reps, &cap, nrep + 1, sizeof(*reps));
			reps[nrep++] = rep;
		}
		assert_int_equal(got, 0); /* no torn report */
		close(fds[0]);

		if (!fx_exists(p) || !has_schema(p)) {
			/* Killed before its first commit: nothing may have been
			 * reported. */
			assert_int_equal(nrep, 0);
			early++;
			continue;
		}
		sqlite3 *db = fx_raw(p);
		char *ok = fx_text(db, "PRAGMA integrity_check");
		assert_string_equal(ok, "ok\n");
		free(ok);
		sqlite3_stmt *step, *rec;
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT done_at FROM step WHERE lesson = 'kill'"
						    " AND step = ?1",
						    -1, &step, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT count(*) FROM recording_cmd"
						    " WHERE recording = ?1",
						    -1, &rec, NULL),
				 SQLITE_OK);
		for (size_t i = 0; i < nrep; i++) {
			if (reps[i].kind == 0) {
				sqlite3_bind_int64(step, 1, reps[i].value);
				assert_int_equal(sqlite3_step(step), SQLITE_ROW);
				assert_true(sqlite3_column_int64(step, 0) > 0);
				sqlite3_reset(step);
				total_steps++;
			} else {
				sqlite3_bind_int64(rec, 1, reps[i].value);
				assert_int_equal(sqlite3_step(rec), SQLITE_ROW);
				assert_int_equal(sqlite3_column_int64(rec, 0), reps[i].ncmds);
				sqlite3_reset(rec);
				total_recs++;
			}
		}
		free(reps);
		/* Recordings are all or nothing, reported or not. */
		assert_int_equal(fx_int(db, "SELECT count(*) FROM recording r WHERE"
					    " (SELECT count(*) FROM recording_cmd c"
					    " WHERE c.recording = r.id) < 200"),
				 0);
		sqlite3_finalize(step);
		sqlite3_finalize(rec);
		sqlite3_close(db);

		/* The store opens it as a sound database, not a corrupt one. */
		struct store *st = store_open(p);
		enum store_status want = STORE_OPENED;
		if (store_open_info(st)->status == STORE_CREATED)
			want = STORE_CREATED; /* killed before its first commit */
		assert_int_equal(store_open_info(st)->status, want);
		assert_null(store_open_info(st)->aside_path);
		store_close(st);
	}
	fprintf(stderr,
		"  kill -9: %d rounds (%d before the schema existed), %d steps and %d recordings "
		"reported, all found\n",
		rounds, early, total_steps, total_recs);
	assert_true(total_steps > 0);
	free(p);
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_page_boundary_truncation),
	    cmocka_unit_test(test_integrity_check_rows),
	    cmocka_unit_test(test_not_ours),
	    cmocka_unit_test(test_parent_is_a_file),
	    cmocka_unit_test(test_readonly_dir_new_file),
	    cmocka_unit_test(test_readonly_file),
	    cmocka_unit_test(test_writable_file_readonly_dir),
	    cmocka_unit_test(test_shared_file),
	    cmocka_unit_test(test_kill9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * store.c — opening the database and keeping it usable whatever the file is
 * like: the default path, directory creation, the 0600 file, the checks
 * (application_id, PRAGMA integrity_check), moving a corrupt file aside, the
 * in-memory "not saving" fallback, the read-only mode for a newer schema,
 * migrations, and the prepared statements and transaction helpers that
 * store_progress.c and store_recording.c use.
 *
 * Durability: WAL with synchronous=FULL. In WAL mode NORMAL already keeps
 * every commit across kill -9 (the WAL write is in the OS page cache before
 * COMMIT returns; only an OS crash or power cut can lose it); FULL also syncs
 * the WAL at each commit, so a step reported done survives a power cut too.
 * Writes are rare (a step, a hint, a saved recording), so the fsync is
 * affordable: bench/bench_store.c measures it.
 */
#include "store/store_internal.h"

#include "config.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STORE_BUSY_TIMEOUT_MS 5000

/* The SQL of every statement, and whether it writes (a store on a newer
 * file prepares only the reads, so a newer schema is readable when they
 * prepare). Values are always bound, never formatted into the text. */
static const struct {
	const char *sql;
	bool write;
} store_sql[SQL__COUNT] = {
    [SQL_BEGIN] = {"BEGIN IMMEDIATE", true},
    [SQL_COMMIT] = {"COMMIT", true},
    [SQL_ROLLBACK] = {"ROLLBACK", true},
    [SQL_STEP_DONE] = {"INSERT INTO step (lesson, step, done_at) VALUES (?1, ?2, ?3)"
		       " ON CONFLICT (lesson, step)"
		       " DO UPDATE SET done_at = coalesce(done_at, excluded.done_at)",
		       true},
    [SQL_STEP_ATTEMPT] = {"INSERT INTO step (lesson, step, attempts) VALUES (?1, ?2, 1)"
			  " ON CONFLICT (lesson, step) DO UPDATE SET attempts = attempts + 1",
			  true},
    [SQL_STEP_HINT] = {"INSERT INTO step (lesson, step, hints) VALUES (?1, ?2, 1)"
		       " ON CONFLICT (lesson, step) DO UPDATE SET hints = hints + 1",
		       true},
    [SQL_STEP_SHOWN] = {"INSERT INTO step (lesson, step, shown) VALUES (?1, ?2, 1)"
			" ON CONFLICT (lesson, step) DO UPDATE SET shown = shown + 1",
			true},
    [SQL_STEP_GET] = {"SELECT step, coalesce(done_at, 0), attempts, hints, shown FROM step"
		      " WHERE lesson = ?1 AND step = ?2",
		      false},
    [SQL_LESSON_STEPS] = {"SELECT step, coalesce(done_at, 0), attempts, hints, shown FROM step"
			  " WHERE lesson = ?1 ORDER BY step",
			  false},
    [SQL_LESSON_DEL_STEPS] = {"DELETE FROM step WHERE lesson = ?1", true},
    [SQL_LESSON_DEL_QUIZ] = {"DELETE FROM quiz_answer WHERE lesson = ?1", true},
    [SQL_LESSON_DEL_POS] = {"DELETE FROM lesson WHERE id = ?1", true},
    [SQL_ALL_DEL_STEPS] = {"DELETE FROM step", true},
    [SQL_ALL_DEL_QUIZ] = {"DELETE FROM quiz_answer", true},
    [SQL_ALL_DEL_POS] = {"DELETE FROM lesson", true},
    [SQL_POS_SET] = {"INSERT INTO lesson (id, step, opened_at, opened_seq)"
		     " VALUES (?1, ?2, ?3, (SELECT coalesce(max(opened_seq), 0) + 1 FROM lesson))"
		     " ON CONFLICT (id) DO UPDATE SET step = excluded.step,"
		     " opened_at = excluded.opened_at, opened_seq = excluded.opened_seq",
		     true},
    [SQL_POS_GET] = {"SELECT step FROM lesson WHERE id = ?1", false},
    [SQL_POS_LAST] = {"SELECT id, step FROM lesson ORDER BY opened_seq DESC LIMIT 1", false},
    [SQL_QUIZ_ADD] = {"INSERT INTO quiz_answer (lesson, step, question, answer, correct, at)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		      true},
    [SQL_QUIZ_LIST] = {"SELECT step, question, answer, correct, at FROM quiz_answer"
		       " WHERE lesson = ?1 ORDER BY id",
		       false},
    [SQL_SETTING_SET] = {"INSERT INTO setting (key, value) VALUES (?1, ?2)"
			 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			 true},
    [SQL_SETTING_GET] = {"SELECT value FROM setting WHERE key = ?1", false},
    [SQL_SETTING_DEL] = {"DELETE FROM setting WHERE key = ?1", true},
    [SQL_REC_ADD] = {"INSERT INTO recording"
		     " (title, created, protocol, options, nodes, seed, version, duration)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		     true},
    [SQL_REC_CMD_ADD] = {"INSERT INTO recording_cmd (recording, seq, at, cmd)"
			 " VALUES (?1, ?2, ?3, ?4)",
			 true},
    [SQL_REC_LIST] = {"SELECT r.id, r.title, r.created, r.protocol, r.nodes, r.duration,"
		      " (SELECT count(*) FROM recording_cmd c WHERE c.recording = r.id)"
		      " FROM recording r ORDER BY r.created DESC, r.id DESC",
		      false},
    [SQL_REC_GET] = {"SELECT title, created, protocol, options, nodes, seed, version, duration"
		     " FROM recording WHERE id = ?1",
		     false},
    [SQL_REC_CMDS] = {"SELECT at, cmd FROM recording_cmd WHERE recording = ?1 ORDER BY seq", false},
    [SQL_REC_DEL] = {"DELETE FROM recording WHERE id = ?1", true},
    [SQL_REC_RENAME] = {"UPDATE recording SET title = ?2 WHERE id = ?1", true},
};

/* ---- errors, statements, transactions -------------------------------------- */

int store_ok(struct store *st)
{
	sbuf_clear(&st->err);
	return STORE_OK;
}

int store_fail(struct store *st, int rc, const char *fmt, ...)
{
	va_list ap;
	sbuf_clear(&st->err);
	va_start(ap, fmt);
	sbuf_vprintf(&st->err, fmt, ap);
	va_end(ap);
	return rc;
}

int store_dberr(struct store *st, const char *what)
{
	return store_fail(st, STORE_E_DB, "%s: %s (%s)", what, sqlite3_errmsg(st->db),
			  st->path[0] ? st->path : _("in-memory database"));
}

sqlite3_stmt *store_stmt(struct store *st, enum store_sql id)
{
	return st->stmt[id];
}

void store_stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (!text)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT);
}

/* Runs a statement that returns no row (BEGIN, COMMIT, ...). */
static int run(struct store *st, enum store_sql id)
{
	sqlite3_stmt *s = store_stmt(st, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_write_begin(struct store *st, const char *what)
{
	if (st->mode == STORE_MODE_NEWER)
		return store_fail(st, STORE_E_READONLY,
				  _("%s: not saved, because %s was written by a newer netsplit "
				    "(schema version %d; this one writes version %d). "
				    "Upgrade netsplit to save again."),
				  what, st->path, st->info.file_version, STORE_SCHEMA_VERSION);
	if (run(st, SQL_BEGIN) != SQLITE_OK)
		return store_dberr(st, what);
	return STORE_OK;
}

int store_write_end(struct store *st, int rc, const char *what)
{
	if (rc >= 0) {
		if (run(st, SQL_COMMIT) == SQLITE_OK) {
			if (st->mode != STORE_MODE_MEMORY)
				return store_ok(st);
			/* Done, in memory: store_errmsg() says why not on disk. */
			return store_fail(st, STORE_MEMORY_ONLY, "%s: %s", what,
					  st->msg.len ? sbuf_str(&st->msg)
						      : _("the database is kept in memory only"));
		}
		rc = store_dberr(st, what);
	}
	/* After some errors (SQLITE_FULL, IOERR) SQLite has already rolled back. */
	if (!sqlite3_get_autocommit(st->db))
		run(st, SQL_ROLLBACK);
	return rc;
}

static int64_t wall_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

int64_t store_now(struct store *st)
{
	return st->now(st->now_ctx);
}

void store_set_clock(struct store *st, int64_t (*now)(void *ctx), void *ctx)
{
	st->now = now ? now : wall_clock;
	st->now_ctx = now ? ctx : NULL;
}

const char *store_errmsg(const struct store *st)
{
	return sbuf_str(&st->err);
}

const struct store_open_info *store_open_info(const struct store *st)
{
	return &st->info;
}

bool store_is_saving(const struct store *st)
{
	return st->mode == STORE_MODE_SAVING;
}

bool store_is_writable(const struct store *st)
{
	return st->mode != STORE_MODE_NEWER;
}

/* ---- the default path ------------------------------------------------------ */

bool store_default_path(struct sbuf *out)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home;

	sbuf_clear(out);
	/* The XDG Base Directory spec: a relative path in XDG_DATA_HOME is
	 * invalid and ignored. */
	if (xdg && xdg[0] == '/') {
		sbuf_printf(out, "%s/netsplit/netsplit.db", xdg);
		return true;
	}
	home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	if (!home) {
		sbuf_puts(out, _("no home directory to keep the database in: set HOME or "
				 "XDG_DATA_HOME, or give a file with --db"));
		return false;
	}
	sbuf_printf(out, "%s/.local/share/netsplit/netsplit.db", home);
	return true;
}

/* Creates every missing directory above the file `path` (mode 0700, as the
 * XDG spec asks). Returns 0, or an errno with the failing directory in *dir. */
static int make_parent_dirs(const char *path, struct sbuf *dir)
{
	const char *slash = strrchr(path, '/');
	char *p;
	int err = 0;

	if (!slash || slash == path)
		return 0;
	p = xstrndup(path, (size_t)(slash - path));
	for (char *q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		char c = *q;
		*q = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			err = errno;
		} else if (c == '\0' || errno == EEXIST) {
			struct stat sb;
			if (stat(p, &sb) != 0)
				err = errno;
			else if (!S_ISDIR(sb.st_mode))
				err = ENOTDIR;
		}
		if (err) {
			sbuf_clear(dir);
			sbuf_puts(dir, p);
			break;
		}
		*q = c;
		if (c == '\0')
			break;
	}
	free(p);
	return err;
}

/* ---- opening a connection -------------------------------------------------- */

/* What a first look at a file found. */
enum probe {
	PROBE_GOOD,    /* ours (or empty); integrity ok */
	PROBE_CORRUPT, /* not a database, damaged, or another program's */
	PROBE_FAILED,  /* could not be read (locked, I/O, no -shm possible) */
};

struct probe_result {
	int version;     /* user_version */
	struct sbuf why; /* what was wrong */
};

static enum probe probe_fail(sqlite3 *db, int rc, struct probe_result *p)
{
	int prim = rc & 0xff;
	sbuf_puts(&p->why, sqlite3_errmsg(db));
	return prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT ? PROBE_CORRUPT : PROBE_FAILED;
}

static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Looks at an open connection: is it a netsplit database, and a sound one?
 * Costs a full PRAGMA integrity_check (a read of every page: milliseconds for
 * a database of a few megabytes; bench/bench_store.c measures it). */
static enum probe probe(sqlite3 *db, struct probe_result *p)
{
	int64_t app = 0, ver = 0, tables = 0;
	sqlite3_stmt *s;
	int rc;

	p->version = 0;
	if ((rc = query_int(db, "PRAGMA application_id", &app)) != SQLITE_OK ||
	    (rc = query_int(db, "PRAGMA user_version", &ver)) != SQLITE_OK ||
	    (rc = query_int(db, "SELECT count(*) FROM sqlite_master", &tables)) != SQLITE_OK)
		return probe_fail(db, rc, p);
	p->version = (int)ver;
	if (app != 0 && app != STORE_APPLICATION_ID) {
		sbuf_printf(&p->why, _("it belongs to another program (application_id %#x)"),
			    (unsigned)app);
		return PROBE_CORRUPT;
	}
	if (app == 0 && (ver != 0 || tables != 0)) {
		sbuf_puts(&p->why, _("it is an SQLite database, but not netsplit's"));
		return PROBE_CORRUPT;
	}
	if (ver < 0) {
		sbuf_printf(&p->why, _("its schema version %d is impossible"), (int)ver);
		return PROBE_CORRUPT;
	}
	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check(5)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return probe_fail(db, rc, p);
	bool ok = true;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(s, 0);
		if (line && strcmp(line, "ok") == 0)
			continue;
		if (ok)
			sbuf_printf(&p->why, _("integrity check: %s"), line ? line : "?");
		ok = false;
	}
	if (rc != SQLITE_DONE) {
		enum probe r = probe_fail(db, rc, p);
		sqlite3_finalize(s);
		return r;
	}
	sqlite3_finalize(s);
	return ok ? PROBE_GOOD : PROBE_CORRUPT;
}

static void close_db(sqlite3 *db, bool keep_wal)
{
	if (!db)
		return;
	if (keep_wal)
		sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_close_v2(db);
}

static void finalize_all(struct store *st)
{
	for (int i = 0; i < SQL__COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

/* Prepares every statement (only the reads in STORE_MODE_NEWER). On failure
 * *why holds SQLite's message. */
static bool prepare_all(struct store *st, struct sbuf *why)
{
	for (int i = 0; i < SQL__COUNT; i++) {
		if (store_sql[i].write && st->mode == STORE_MODE_NEWER)
			continue;
		if (sqlite3_prepare_v3(st->db, store_sql[i].sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			sbuf_puts(why, sqlite3_errmsg(st->db));
			finalize_all(st);
			return false;
		}
	}
	return true;
}

/* Can this build read a file at `version` (> STORE_SCHEMA_VERSION)? The file
 * says so in meta.read_compat; the statements must also prepare. */
static bool newer_readable(struct store *st)
{
	int64_t compat = 0;
	struct sbuf why = {0};
	if (query_int(st->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'read_compat'",
		      &compat) != SQLITE_OK ||
	    compat < 1 || compat > STORE_SCHEMA_VERSION)
		return false;
	bool ok = prepare_all(st, &why);
	sbuf_free(&why);
	return ok;
}

/* Serves the reads of an unreadable newer file from an empty in-memory
 * database of this version's schema; writes stay refused. */
static void newer_empty(struct store *st)
{
	struct sbuf why = {0};
	int from = 0;

	finalize_all(st);
	close_db(st->db, false);
	st->db = NULL;
	if (sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK ||
	    store_schema_migrate(st->db, &from, &why) != SQLITE_OK || !prepare_all(st, &why))
		abort(); /* out of memory, or this build's own schema is broken */
	sbuf_free(&why);
}

static int exec_pragmas(sqlite3 *db, bool disk)
{
	/* WAL first: journal_mode answers with the mode it ended in. */
	if (disk) {
		sqlite3_stmt *s;
		int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
		if (rc != SQLITE_OK)
			return rc;
		rc = sqlite3_step(s);
		bool wal =
		    rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			return rc;
		if (!wal)
			return SQLITE_CANTOPEN; /* a file system without shared memory */
	}
	return sqlite3_exec(db,
			    disk ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
				 : "PRAGMA foreign_keys = ON;",
			    NULL, NULL, NULL);
}

/* Finishes opening st->db (on disk or in memory): pragmas, migration or the
 * newer-version mode, statements. Sets st->mode and info. Returns false with
 * *why when the connection cannot be used for writing (the caller falls
 * back). `version` is the probed user_version. */
static bool setup(struct store *st, bool disk, int version, struct sbuf *why)
{
	int from = version;

	st->info.file_version = version;
	if (version > STORE_SCHEMA_VERSION) {
		st->mode = STORE_MODE_NEWER;
		sqlite3_exec(st->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
		st->info.status = STORE_NEWER;
		st->info.readable = newer_readable(st);
		if (!st->info.readable)
			newer_empty(st);
		return true;
	}
	int rc = exec_pragmas(st->db, disk);
	if (rc == SQLITE_OK)
		rc = store_schema_migrate(st->db, &from, why);
	else
		sbuf_puts(why, sqlite3_errmsg(st->db));
	if (rc != SQLITE_OK)
		return false;
	if (from > STORE_SCHEMA_VERSION) /* another process upgraded it meanwhile */
		return setup(st, disk, from, why);
	/* A write probe: BEGIN IMMEDIATE takes the write lock, so a file that
	 * opens but cannot be written (a -wal that cannot be made) shows now. */
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE; ROLLBACK;", NULL, NULL, NULL) != SQLITE_OK) {
		sbuf_puts(why, sqlite3_errmsg(st->db));
		return false;
	}
	if (!prepare_all(st, why))
		return false;
	st->mode = disk ? STORE_MODE_SAVING : STORE_MODE_MEMORY;
	st->info.file_version = from;
	st->info.status = from == 0                     ? STORE_CREATED
			  : from < STORE_SCHEMA_VERSION ? STORE_MIGRATED
							: STORE_OPENED;
	return true;
}

/* Copies what can be read of the file at `path` into the in-memory database
 * st->db: best effort, silently nothing when the file cannot be read. */
static int copy_in(struct store *st)
{
	sqlite3 *src = NULL;
	struct sbuf uri = {0};
	int version = 0;
	int rc = sqlite3_open_v2(st->path, &src, SQLITE_OPEN_READONLY, NULL);
	struct probe_result p = {0};

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(src, STORE_BUSY_TIMEOUT_MS);
		if (probe(src, &p) != PROBE_GOOD)
			rc = SQLITE_ERROR;
	}
	if (rc != SQLITE_OK) {
		/* A WAL file in a read-only directory cannot be opened
		 * normally (no -shm can be made); immutable=1 reads the main
		 * file alone. */
		close_db(src, true);
		src = NULL;
		sbuf_clear(&p.why);
		sbuf_puts(&uri, "file:");
		for (const char *c = st->path; *c; c++) {
			if (*c == '%' || *c == '?' || *c == '#')
				sbuf_printf(&uri, "%%%02X", (unsigned char)*c);
			else
				sbuf_putc(&uri, *c);
		}
		sbuf_puts(&uri, "?immutable=1");
		rc = sqlite3_open_v2(sbuf_str(&uri), &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
				     NULL);
		if (rc == SQLITE_OK && probe(src, &p) != PROBE_GOOD)
			rc = SQLITE_ERROR;
	}
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(st->db, "main", src, "main");
		if (b) {
			sqlite3_backup_step(b, -1);
			rc = sqlite3_backup_finish(b);
		} else {
			rc = SQLITE_ERROR;
		}
		version = rc == SQLITE_OK ? p.version : 0;
	}
	close_db(src, true);
	sbuf_free(&uri);
	sbuf_free(&p.why);
	return version;
}

/* Falls back to an in-memory database: "not saving". `reason` says why the
 * file cannot be used; with `copy`, what can be read of it is copied in. */
static void open_memory(struct store *st, const char *reason, bool copy)
{
	struct sbuf why = {0};
	int version = 0;

	finalize_all(st);
	close_db(st->db, false);
	st->db = NULL;
	if (sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK)
		abort(); /* only out of memory can fail here */
	if (copy && st->path[0])
		version = copy_in(st);
	if (!setup(st, false, version, &why)) {
		/* The copy is unusable: start empty. */
		finalize_all(st);
		sqlite3_close_v2(st->db);
		sbuf_clear(&why);
		if (sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				    NULL) != SQLITE_OK ||
		    !setup(st, false, 0, &why))
			abort(); /* out of memory, or this build's own schema is broken */
	}
	if (st->mode == STORE_MODE_NEWER) {
		st->info.status = STORE_NEWER;
	} else {
		st->info.status = STORE_NOT_SAVING;
	}
	if (reason) {
		if (st->msg.len)
			sbuf_putc(&st->msg, ' ');
		sbuf_printf(&st->msg,
			    _("Cannot save to %s: %s. netsplit runs without saving: progress and "
			      "recordings of this session are kept in memory and lost on exit."),
			    st->path, reason);
	}
	sbuf_free(&why);
}

/* Takes the group's and others' permissions off path+suffix when it is a
 * regular file (a link is not followed), and, with only_empty, when it is
 * empty too. Never adds a permission: a file made read-only stays so. Best
 * effort: a file that cannot be opened is left for SQLite to report. */
static void tighten(const char *path, const char *suffix, bool only_empty)
{
	struct sbuf p = {0};
	sbuf_printf(&p, "%s%s", path, suffix);
	int fd = open(sbuf_str(&p), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	sbuf_free(&p);
	if (fd < 0)
		return;
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (!only_empty || sb.st_size == 0) &&
	    (sb.st_mode & 077))
		(void)!fchmod(fd, sb.st_mode & 0600);
	close(fd);
}

/* Creates the file with mode 0600 (whatever the umask) if it does not exist.
 * An empty file that is there already (made by `touch`, or by a shell's
 * redirection) is about to be filled with the user's data: it gets 0600
 * too, and so do a -wal and -shm beside it (SQLite gives new ones the
 * main file's mode). Returns 0 or an errno. */
static int create_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno != EEXIST)
			return errno;
		struct stat sb;
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
			tighten(path, "", true);
			tighten(path, "-wal", false);
			tighten(path, "-shm", false);
		}
		return 0;
	}
	int err = fchmod(fd, 0600) != 0 ? errno : 0;
	close(fd);
	return err;
}

/* Renames path+suffix to aside+suffix when it exists. */
static int move_one(const char *path, const char *aside, const char *suffix)
{
	struct sbuf from = {0}, to = {0};
	struct stat sb;
	int err = 0;

	sbuf_printf(&from, "%s%s", path, suffix);
	sbuf_printf(&to, "%s%s", aside, suffix);
	if (lstat(sbuf_str(&from), &sb) == 0) {
		if (rename(sbuf_str(&from), sbuf_str(&to)) != 0)
			err = errno;
		else /* the user's data, kept: 0600 like the database */
			tighten(sbuf_str(&to), "", false);
	}
	sbuf_free(&from);
	sbuf_free(&to);
	return err;
}

/* Moves a corrupt database (and its -wal, -shm) to PATH.corrupt-YYYYmmdd-
 * HHMMSS, adding -2, -3, ... if that exists. Never deletes anything. Sets
 * st->aside; returns 0 or an errno. */
static int move_aside(struct store *st)
{
	char stamp[32];
	time_t now = (time_t)store_now(st);
	struct tm tm;
	struct sbuf aside = {0};
	struct stat sb;
	int err;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int n = 1;; n++) {
		sbuf_clear(&aside);
		sbuf_printf(&aside, "%s.corrupt-%s", st->path, stamp);
		if (n > 1)
			sbuf_printf(&aside, "-%d", n);
		if (lstat(sbuf_str(&aside), &sb) != 0)
			break; /* free (or unknowable: rename will say) */
		if (n == 1000) {
			sbuf_free(&aside);
			return EEXIST;
		}
	}
	/* The -wal and -shm first: a -wal left behind would be replayed into
	 * the fresh file made at PATH. The -wal holds committed pages of the
	 * corrupt file, so it stays beside it, renamed alike. */
	err = move_one(st->path, sbuf_str(&aside), "-wal");
	if (!err)
		err = move_one(st->path, sbuf_str(&aside), "-shm");
	if (!err)
		err = move_one(st->path, sbuf_str(&aside), "");
	if (!err) {
		free(st->aside);
		st->aside = sbuf_take(&aside);
	}
	sbuf_free(&aside);
	return err;
}

/* Puts in *out the reason a file cannot be used, from SQLite's message in
 * *sqlmsg: said plainly when the cause is a read-only file or directory
 * (WAL needs to make -wal and -shm beside the file). */
static void explain_unwritable(sqlite3 *db, const struct sbuf *sqlmsg, struct sbuf *out)
{
	int prim = sqlite3_extended_errcode(db) & 0xff;
	if (prim == SQLITE_READONLY || prim == SQLITE_CANTOPEN)
		sbuf_printf(out, _("the file or its directory cannot be written (%s)"),
			    sbuf_str(sqlmsg));
	else
		sbuf_puts(out, sbuf_str(sqlmsg));
}

/* Opens st->path on disk, recovering from a corrupt file once. */
static void open_disk(struct store *st)
{
	struct sbuf why = {0}, dir = {0};
	struct stat sb;
	int err;

	if ((err = make_parent_dirs(st->path, &dir)) != 0) {
		sbuf_printf(&why, _("cannot create the directory %s (%s)"), sbuf_str(&dir),
			    strerror(err));
		open_memory(st, sbuf_str(&why), false);
		goto out;
	}
	if (stat(st->path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		open_memory(st, _("it is not a regular file"), false);
		goto out;
	}
	for (int attempt = 0;; attempt++) {
		struct probe_result p = {0};
		enum probe pr;

		if ((err = create_file(st->path)) != 0) {
			sbuf_printf(&why, _("cannot create the file (%s)"), strerror(err));
			open_memory(st, sbuf_str(&why), false);
			goto out;
		}
		if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
			sbuf_puts(&why, st->db ? sqlite3_errmsg(st->db) : strerror(ENOMEM));
			open_memory(st, sbuf_str(&why), true);
			goto out;
		}
		sqlite3_extended_result_codes(st->db, 1);
		sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
		if (sqlite3_db_readonly(st->db, "main") == 1) {
			open_memory(st, _("the file is read-only"), true);
			goto out;
		}
		pr = probe(st->db, &p);
		if (pr == PROBE_CORRUPT && attempt == 0) {
			close_db(st->db, true);
			st->db = NULL;
			if ((err = move_aside(st)) != 0) {
				sbuf_printf(
				    &why,
				    _("the file is damaged (%s) and cannot be moved aside (%s)"),
				    sbuf_str(&p.why), strerror(err));
				sbuf_free(&p.why);
				open_memory(st, sbuf_str(&why), false);
				goto out;
			}
			sbuf_printf(&st->msg,
				    _("The database %s was damaged (%s). It was moved aside to %s, "
				      "and a new, empty database was made."),
				    st->path, sbuf_str(&p.why), st->aside);
			sbuf_free(&p.why);
			continue;
		}
		if (pr != PROBE_GOOD) {
			/* A second corrupt file (cannot happen: it was just made)
			 * or an unreadable one (locked, I/O, no -shm). */
			explain_unwritable(st->db, &p.why, &why);
			sbuf_free(&p.why);
			open_memory(st, sbuf_str(&why), pr == PROBE_FAILED);
			goto out;
		}
		sbuf_free(&p.why);
		if (!setup(st, true, p.version, &p.why)) {
			explain_unwritable(st->db, &p.why, &why);
			sbuf_free(&p.why);
			open_memory(st, sbuf_str(&why), true);
			goto out;
		}
		if (st->aside)
			st->info.status = STORE_RECOVERED;
		break;
	}
	if (st->info.status == STORE_MIGRATED)
		sbuf_printf(&st->msg, _("The database %s was upgraded from version %d to %d."),
			    st->path, st->info.file_version, STORE_SCHEMA_VERSION);
out:
	if (st->info.status == STORE_NEWER) {
		if (st->msg.len)
			sbuf_putc(&st->msg, ' ');
		sbuf_printf(&st->msg,
			    _("The database %s was written by a newer netsplit (schema version %d; "
			      "this one knows up to %d). It is open read only: nothing will be "
			      "saved."),
			    st->path, st->info.file_version, STORE_SCHEMA_VERSION);
		if (!st->info.readable)
			sbuf_printf(&st->msg, " %s",
				    _("This version cannot read it either, so no progress is "
				      "shown."));
	}
	sbuf_free(&why);
	sbuf_free(&dir);
}

static struct store *store_alloc(const char *path)
{
	struct store *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->now = wall_clock;
	return st;
}

/* Points info's strings at the store's own buffers. */
static struct store *store_finish(struct store *st)
{
	st->info.path = st->path;
	st->info.aside_path = st->aside;
	st->info.message = sbuf_str(&st->msg);
	return st;
}

struct store *store_open(const char *path)
{
	struct sbuf def = {0};
	struct store *st;

	if (!path || !path[0]) {
		if (!store_default_path(&def)) {
			st = store_alloc("");
			open_memory(st, NULL, false);
			sbuf_printf(&st->msg, _("netsplit runs without saving: %s."),
				    sbuf_str(&def));
			sbuf_free(&def);
			return store_finish(st);
		}
		path = sbuf_str(&def);
	}
	st = store_alloc(path);
	sbuf_free(&def);
	open_disk(st);
	return store_finish(st);
}

struct store *store_open_memory(void)
{
	struct store *st = store_alloc("");
	open_memory(st, NULL, false);
	return store_finish(st);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	finalize_all(st);
	/* A newer netsplit's file is not ours to write, not even by a
	 * checkpoint: its -wal is left for its owner. */
	close_db(st->db, st->mode == STORE_MODE_NEWER);
	free(st->path);
	free(st->aside);
	sbuf_free(&st->msg);
	sbuf_free(&st->err);
	free(st);
}

/*
 * store_fixture.h — helpers shared by the store's tests (tests/unit/
 * test_store*.c): a scratch directory made with mkdtemp and removed with
 * everything in it, paths inside it, and raw SQLite access to look at a
 * database behind the store's back. Header-only: each test executable
 * includes it once.
 */
#ifndef NETSPLIT_STORE_FIXTURE_H
#define NETSPLIT_STORE_FIXTURE_H

#include "store/store_internal.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh scratch directory under $TMPDIR (or /tmp); free() the result. */
static inline char *fx_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xmalloc(4096);
	ns_snprintf(tmpl, 4096, "%s/netsplit-store-XXXXXX", base && base[0] ? base : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		abort();
	}
	return tmpl;
}

static inline int fx_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static inline int fx_chmod_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DP || (sb && S_ISDIR(sb->st_mode)))
		chmod(path, 0700);
	return 0;
}

/* Removes dir and everything under it (making read-only subdirectories
 * writable first); frees dir. */
static inline void fx_rmtree(char *dir)
{
	if (!dir)
		return;
	chmod(dir, 0700);
	nftw(dir, fx_chmod_one, 16, FTW_PHYS);
	nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* dir/name in a malloc'd string. */
static inline char *fx_path(const char *dir, const char *name)
{
	struct sbuf b = {0};
	sbuf_printf(&b, "%s/%s", dir, name);
	return sbuf_take(&b);
}

static inline bool fx_exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static inline void fx_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* A raw connection to a database file (created if missing). */
static inline sqlite3 *fx_raw(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
		abort();
	}
	return db;
}

static inline void fx_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
		abort();
	}
}

/* The first column of the first row of `sql` as an integer (-1 if no row). */
static inline int64_t fx_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		abort();
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The first column of every row of `sql`, one per line, malloc'd. */
static inline char *fx_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	struct sbuf b = {0};
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		abort();
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		sbuf_puts(&b, t ? (const char *)t : "NULL");
		sbuf_putc(&b, '\n');
	}
	sqlite3_finalize(s);
	sbuf_puts(&b, "");
	return sbuf_take(&b);
}

/* A fixed clock for the store: *(int64_t *)ctx. */
static inline int64_t fx_clock(void *ctx)
{
	return *(int64_t *)ctx;
}

#endif

/*
 * util.h — small helpers shared by every layer: checked allocation, bounded
 * string copies and a growable byte buffer (struct sbuf) used to build
 * descriptions, JSON lines and error messages without fixed-size surprises.
 *
 * Allocation failure is not recoverable in netsplit (a teaching tool with a
 * few megabytes of state): xmalloc() and friends print and abort().
 */
#ifndef NETSPLIT_UTIL_H
#define NETSPLIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)    ((a) < (b) ? (a) : (b))
#define MAX(a, b)    ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define NS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NS_PRINTF(f, a)
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *arr (of element size `size`) so that it holds at least `need`
 * elements; *cap is updated. Doubling, so appends are amortised O(1). */
void xgrow(void **arr, size_t *cap, size_t need, size_t size);

/* Copies src into dst (of size n, n > 0), always NUL-terminated; returns
 * strlen(src) so truncation is detectable (like BSD strlcpy). */
size_t ns_strlcpy(char *dst, const char *src, size_t n);

/* snprintf that never returns a negative or past-the-end value: the result
 * is the number of bytes written (excluding NUL), at most n - 1. */
int ns_snprintf(char *dst, size_t n, const char *fmt, ...) NS_PRINTF(3, 4);

/* A growable NUL-terminated byte buffer. Zero-initialise, or sbuf_init(). */
struct sbuf {
	char *s;    /* always NUL-terminated once anything was added */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
};

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_clear(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) NS_PRINTF(2, 3);
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
void sbuf_json_str(struct sbuf *b, const char *s);

/* Text bound for a terminal, from anywhere a user's file or the database
 * could have put it (keys, values, notes, titles): sbuf_put_printable
 * appends s with every character that could drive the terminal escaped —
 * C0 controls and DEL as \n, \r, \t, \e or \xHH, C1 controls (U+0080..
 * U+009F, which some terminals read as ESC [ and the like) as \u00HH, and
 * bytes that are not UTF-8 as \xHH. Everything else, backslashes
 * included, is copied byte for byte, so ordinary text comes out
 * unchanged. With NS_PRINT_LINES newlines and tabs are kept (multi-line
 * text: help, replies); without, the result is one line. */
enum { NS_PRINT_LINES = 1 };
void sbuf_put_printable(struct sbuf *b, const char *s, unsigned flags);
/* True when sbuf_put_printable(s, flags) would copy s unchanged. */
bool ns_printable(const char *s, unsigned flags);

/* Returns the contents ("" when empty); valid until the next change. */
const char *sbuf_str(const struct sbuf *b);
/* Hands the buffer to the caller (free() it); b is left empty. */
char *sbuf_take(struct sbuf *b);

/* The largest input file netsplit reads (scenarios, lessons, histories,
 * recordings to import): 64 MiB. docs/LANGUAGE.md and docs/HISTORY.md say so. */
#define NS_FILE_MAX ((size_t)64 << 20)
/* errno of read_file for a file that is neither regular nor a directory. */
#define ENOTREGULAR ENODEV

/* Reads a whole regular file of at most NS_FILE_MAX bytes; returns a
 * malloc'd NUL-terminated buffer and its length in *len, or NULL with
 * errno set: EISDIR, ENOTREGULAR (a device, fifo or socket: never read,
 * so /dev/zero or a pipe cannot exhaust memory), EFBIG (over the limit), or
 * what fopen/fread said. Say why with read_file_error(errno). */
char *read_file(const char *path, size_t *len);
/* The same for an open stream (stdin), to its end, within NS_FILE_MAX. */
char *read_stream(FILE *f, size_t *len);
/* Why read_file failed, in the user's language ("it is a directory, not a
 * file", "larger than 64 MiB, ..."), else strerror(err). */
const char *read_file_error(int err);

#endif

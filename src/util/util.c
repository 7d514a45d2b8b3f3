/*
 * util.c — checked allocation, bounded strings, struct sbuf and reading
 * input files within a size limit; see util.h.
 */
#include "util/util.h"

#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "netsplit: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	*arr = xrealloc(*arr, c * size);
	*cap = c;
}

size_t ns_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);
	if (n) {
		size_t k = len < n - 1 ? len : n - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}

int ns_snprintf(char *dst, size_t n, const char *fmt, ...)
{
	if (!n)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dst[0] = '\0';
		return 0;
	}
	return (size_t)r >= n ? (int)(n - 1) : r;
}

void sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void sbuf_free(struct sbuf *b)
{
	if (!b)
		return;
	free(b->s);
	sbuf_init(b);
}

void sbuf_clear(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 64;
		while (c < b->len + extra + 1)
			c *= 2;
		b->s = xrealloc(b->s, c);
		b->cap = c;
	}
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_putc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void sbuf_json_str(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sbuf_puts(b, "\\\""); break;
		case '\\': sbuf_puts(b, "\\\\"); break;
		case '\n': sbuf_puts(b, "\\n"); break;
		case '\t': sbuf_puts(b, "\\t"); break;
		case '\r': sbuf_puts(b, "\\r"); break;
		default:
			if (*p < 0x20)
				sbuf_printf(b, "\\u%04x", *p);
			else
				sbuf_putc(b, (char)*p);
		}
	}
	sbuf_putc(b, '"');
}

/* The length of the UTF-8 sequence at p (1..4), 0 when p does not start
 * one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80
			   ? 4
			   : 0;
	}
	return 0;
}

/* How the character at p is printed: its length in *len, and true when it
 * needs an escape. */
static bool needs_escape(const unsigned char *p, unsigned flags, size_t *len)
{
	*len = utf8_len(p);
	if (!*len) {
		*len = 1;
		return true;
	}
	if (*len == 1)
		return (*p < 0x20 || *p == 0x7f) &&
		       !((flags & NS_PRINT_LINES) && (*p == '\n' || *p == '\t'));
	return *len == 2 && p[0] == 0xc2 && p[1] < 0xa0; /* C1: U+0080..U+009F */
}

void sbuf_put_printable(struct sbuf *b, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		const unsigned char *q = p;
		size_t len;
		while (*q && !needs_escape(q, flags, &len))
			q += len;
		sbuf_add(b, (const char *)p, (size_t)(q - p));
		if (!*q)
			break;
		if (len == 2)
			sbuf_printf(b, "\\u%04x", q[1]);
		else if (*q == '\n')
			sbuf_puts(b, "\\n");
		else if (*q == '\r')
			sbuf_puts(b, "\\r");
		else if (*q == '\t')
			sbuf_puts(b, "\\t");
		else if (*q == 0x1b)
			sbuf_puts(b, "\\e");
		else
			sbuf_printf(b, "\\x%02x", *q);
		p = q + len;
	}
}

bool ns_printable(const char *s, unsigned flags)
{
	size_t len;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
		if (needs_escape(p, flags, &len))
			return false;
	return true;
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

char *sbuf_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sbuf_init(b);
	return s;
}

/* Reads f to its end, refusing more than NS_FILE_MAX bytes (EFBIG). */
char *read_stream(FILE *f, size_t *len)
{
	struct sbuf b;
	sbuf_init(&b);
	char tmp[65536];
	size_t n;
	int err = 0;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (b.len + n > NS_FILE_MAX) {
			err = EFBIG; /* a file growing while read, /proc, a pipe */
			break;
		}
		sbuf_add(&b, tmp, n);
	}
	if (!err && ferror(f))
		err = EIO;
	if (err) {
		sbuf_free(&b);
		errno = err;
		return NULL;
	}
	if (len)
		*len = b.len;
	return sbuf_take(&b);
}

char *read_file(const char *path, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	struct stat st;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (S_ISDIR(st.st_mode))
		err = EISDIR;
	else if (!S_ISREG(st.st_mode))
		err = ENOTREGULAR;
	else if (st.st_size > (off_t)NS_FILE_MAX)
		err = EFBIG;
	if (err) {
		fclose(f);
		errno = err;
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	char *text = read_stream(f, len);
	err = errno;
	fclose(f);
	errno = err;
	return text;
}

const char *read_file_error(int err)
{
	switch (err) {
	case EISDIR: return _("it is a directory, not a file");
	case ENOTREGULAR: return _("not a regular file (a device, a pipe or a socket)");
	/* NS_FILE_MAX */
	case EFBIG: return _("larger than 64 MiB, the limit for an input file");
	default: return strerror(err);
	}
}

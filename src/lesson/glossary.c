/*
 * glossary.c — the terms the lessons use, one key away on the screen (K):
 * lessons/glossary.txt, translated as lessons/LANG/glossary.txt (English is
 * the fallback, as for lessons).
 *
 * The format is the lessons' own, reduced: `term: NAME, OTHER NAME` starts
 * an entry (the names it goes by in the lessons, the first shown first),
 * indented lines below it are its definition (prose: lines joined, a blank
 * line a paragraph break), `#` at the margin starts a comment.
 */
#include "lesson/glossary.h"

#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add(struct glossary *g, const char *term, struct sbuf *def)
{
	g->v = xrealloc(g->v, (size_t)(g->n + 1) * sizeof *g->v);
	g->v[g->n].term = xstrdup(term);
	g->v[g->n].text = sbuf_take(def);
	g->n++;
}

/* Trims blanks at both ends, in place. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

bool glossary_parse(struct glossary *g, const char *text, const char *file, struct sbuf *err)
{
	memset(g, 0, sizeof *g);
	char *copy = xstrdup(text ? text : "");
	char *term = NULL;
	struct sbuf def = {0};
	bool para = false, ok = true;
	int lineno = 0, term_line = 0;
	for (char *line = copy, *next; line && ok; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		bool indented = *line == ' ' || *line == '\t';
		char *t = trim(line);
		if (!indented && *t == '#')
			continue;
		if (!*t) {
			para = def.len > 0;
			continue;
		}
		if (indented) {
			if (!term) {
				sbuf_printf(err, _("%s:%d: a definition needs a `term:` above it"),
					    file, lineno);
				ok = false;
				break;
			}
			if (para)
				sbuf_puts(&def, "\n\n");
			else if (def.len)
				sbuf_putc(&def, ' ');
			sbuf_puts(&def, t);
			para = false;
			continue;
		}
		if (strncmp(t, "term:", 5) || !*trim(t + 5)) {
			sbuf_printf(err, _("%s:%d: expected `term: NAME`"), file, lineno);
			ok = false;
			break;
		}
		if (term) {
			if (!def.len) {
				sbuf_printf(err, _("%s:%d: \"%s\" has no definition"), file,
					    term_line, term);
				ok = false;
				break;
			}
			add(g, term, &def);
		}
		term = trim(t + 5);
		term_line = lineno;
		para = false;
	}
	if (ok && term) {
		if (!def.len) {
			sbuf_printf(err, _("%s:%d: \"%s\" has no definition"), file, term_line,
				    term);
			ok = false;
		} else {
			add(g, term, &def);
		}
	}
	sbuf_free(&def);
	free(copy);
	if (!ok)
		glossary_free(g);
	return ok;
}

bool glossary_load(struct glossary *g, const char *dir, const char *lang, struct sbuf *err)
{
	memset(g, 0, sizeof *g);
	char path[1024];
	char *text = NULL;
	size_t len = 0;
	char base[32] = "";
	if (lang && *lang && strcmp(lang, "en") && strcmp(lang, "C")) {
		ns_strlcpy(base, lang, sizeof base);
		base[strcspn(base, "_.@")] = '\0';
		const char *tries[2] = {lang, base};
		for (int i = 0; i < 2 && !text; i++) {
			ns_snprintf(path, sizeof path, "%s/%s/glossary.txt", dir, tries[i]);
			text = read_file(path, &len);
		}
	}
	if (!text) {
		ns_snprintf(path, sizeof path, "%s/glossary.txt", dir);
		text = read_file(path, &len);
	}
	if (!text) {
		sbuf_printf(err, _("%s: cannot read: %s"), path, strerror(errno));
		return false;
	}
	bool ok = glossary_parse(g, text, path, err);
	free(text);
	return ok;
}

void glossary_free(struct glossary *g)
{
	for (int i = 0; i < g->n; i++) {
		free(g->v[i].term);
		free(g->v[i].text);
	}
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* Case-insensitive: does `term` occur in text as a whole word? */
static bool mentions(const char *text, const char *term)
{
	size_t n = strlen(term);
	for (const char *p = text; *p; p++) {
		if (strncasecmp(p, term, n))
			continue;
		bool start = p == text || !isalnum((unsigned char)p[-1]);
		bool end = !isalnum((unsigned char)p[n]);
		if (start && end)
			return true;
	}
	return false;
}

int glossary_used(const struct glossary *g, const char *text, int *out, int max)
{
	int k = 0;
	for (int i = 0; i < g->n && k < max; i++) {
		/* "quorum, majority": each name counts */
		char names[256];
		ns_snprintf(names, sizeof names, "%s", g->v[i].term);
		bool hit = false;
		for (char *save = NULL, *w = strtok_r(names, ",", &save); w && !hit;
		     w = strtok_r(NULL, ",", &save)) {
			char *name = trim(w);
			hit = *name && mentions(text ? text : "", name);
		}
		if (hit)
			out[k++] = i;
	}
	return k;
}

/* Calls fn with each name of entry i ("quorum, majority": two). */
static void each_name(const struct glossary_entry *e, void (*fn)(void *ctx, const char *name),
		      void *ctx)
{
	char names[256];
	ns_snprintf(names, sizeof names, "%s", e->term);
	for (char *save = NULL, *w = strtok_r(names, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		char *name = trim(w);
		if (*name)
			fn(ctx, name);
	}
}

struct find_ctx {
	const char *want;
	size_t len;
	bool exact, prefix, inside;
};

static void find_name(void *ctx, const char *name)
{
	struct find_ctx *c = ctx;
	if (!strcasecmp(name, c->want))
		c->exact = true;
	else if (!strncasecmp(name, c->want, c->len))
		c->prefix = true;
	else if (c->len >= 3 && mentions(name, c->want))
		c->inside = true;
}

int glossary_find(const struct glossary *g, const char *term, int *out, int max)
{
	char want[128];
	ns_snprintf(want, sizeof want, "%s", term ? term : "");
	char *w = trim(want);
	if (!*w)
		return 0;
	int k = 0;
	/* An exact name wins alone; else every entry a name of which starts
	 * with it; else every entry a name of which holds it as a word. */
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < g->n; i++) {
			struct find_ctx c = {w, strlen(w), false, false, false};
			each_name(&g->v[i], find_name, &c);
			bool hit = pass == 0 ? c.exact : pass == 1 ? c.prefix : c.inside;
			if (hit && k < max)
				out[k++] = i;
			if (hit && pass == 0)
				return k;
		}
		if (k)
			return k;
	}
	return 0;
}

struct names_ctx {
	const char *prefix;
	size_t len;
	void (*fn)(void *ctx, const char *name);
	void *ctx;
};

static void name_if_prefix(void *ctx, const char *name)
{
	struct names_ctx *c = ctx;
	if (!strncasecmp(name, c->prefix, c->len))
		c->fn(c->ctx, name);
}

void glossary_names(const struct glossary *g, const char *prefix,
		    void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct names_ctx c = {prefix ? prefix : "", prefix ? strlen(prefix) : 0, fn, ctx};
	for (int i = 0; i < g->n; i++)
		each_name(&g->v[i], name_if_prefix, &c);
}

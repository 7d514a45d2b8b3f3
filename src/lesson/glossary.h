/*
 * glossary.h — the terms the lessons use and what they mean, in the
 * learner's language (lessons/glossary.txt, lessons/LANG/glossary.txt).
 */
#ifndef NETSPLIT_GLOSSARY_H
#define NETSPLIT_GLOSSARY_H

#include "util/util.h"

#include <stdbool.h>

struct glossary_entry {
	char *term; /* "commit index", or "quorum, majority": the names it goes by */
	char *text; /* the definition, as prose */
};

struct glossary {
	int n;
	struct glossary_entry *v; /* in file order */
};

/* Parses glossary text; false with "file:line: message" in err (g empty). */
bool glossary_parse(struct glossary *g, const char *text, const char *file, struct sbuf *err);
/* Loads dir/LANG/glossary.txt ("es_ES" then "es"), else dir/glossary.txt. */
bool glossary_load(struct glossary *g, const char *dir, const char *lang, struct sbuf *err);
void glossary_free(struct glossary *g);
/* The entries one of whose names (comma-separated) occurs in text as a
 * whole word, case-insensitively: their indexes into out (at most max);
 * returns how many. */
int glossary_used(const struct glossary *g, const char *text, int *out, int max);

/* `:glossary TERM`: the entry one of whose names is TERM (case-insensitive)
 * alone; if none, the entries a name of which starts with TERM; if none,
 * those a name of which holds TERM as a whole word (3 letters or more).
 * Their indexes go to out (at most max); returns how many (0: unknown). */
int glossary_find(const struct glossary *g, const char *term, int *out, int max);
/* Calls fn with every name (of every entry) that starts with prefix,
 * case-insensitively, in file order: completion. */
void glossary_names(const struct glossary *g, const char *prefix,
		    void (*fn)(void *ctx, const char *name), void *ctx);

#endif

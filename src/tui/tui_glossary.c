/*
 * tui_glossary.c — `:glossary TERM` at the screen's prompt (issue 10): the
 * glossary entry for TERM (lessons/glossary.txt, or the learner's
 * language's), with completion of the terms' names.
 *
 * In a lesson the entry opens in the lesson pane, first, above the terms
 * the step uses (as K shows them); outside a lesson it is written to the
 * event log. An unknown term gets a message that says what to type: the
 * near names when some contain it, else how to list every term. Like
 * `help`, `glossary` is the screen's, not the command language's: it is
 * not recorded, and a scenario cannot use it.
 */
#include "tui/tui_session.h"

#include "lesson/lesson.h"
#include "util/i18n.h"

#include <string.h>
#include <strings.h>

static bool loaded(struct tui_session *s)
{
	if (s->gloss.n)
		return true;
	struct sbuf err = {0};
	glossary_load(&s->gloss, lesson_dir(), s->lang, &err);
	sbuf_free(&err);
	return s->gloss.n > 0;
}

/* The entry in the event log, wrapped to `width` columns (outside a
 * lesson, where there is no pane to show it in). */
static void log_entry(struct tui_session *s, const struct glossary_entry *e, int width)
{
	struct sbuf b = {0};
	sbuf_printf(&b, _("glossary: %s"), e->term);
	tui_log(s->t, SS_KEY, sbuf_str(&b));
	sbuf_free(&b);
	const char *p = e->text;
	while (*p) {
		int n = 0, cut = 0, cols = 0;
		for (; p[n] && p[n] != '\n' && cols < width; n++) {
			if (p[n] == ' ')
				cut = n;
			if (((unsigned char)p[n] & 0xc0) != 0x80)
				cols++;
		}
		if (p[n] && p[n] != '\n' && cut > 0)
			n = cut;
		char line[512];
		ns_snprintf(line, sizeof line, "  %.*s", n, p);
		tui_log(s->t, SS_NORMAL, line);
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
}

bool tui_session_glossary(struct tui_session *s, const char *term)
{
	while (*term == ' ')
		term++;
	if (!loaded(s)) {
		tui_say(s->t, SS_ERROR, "%s", _("no glossary found in the lessons directory"));
		return false;
	}
	if (!*term) {
		if (s->lesson) {
			s->glossary = true;
			s->gloss_focus = -1;
			s->pane = true;
			s->pane_scroll = 0;
		}
		tui_say(s->t, SS_DIM,
			_("%d terms: type :glossary TERM (tab completes), or K in a lesson"),
			s->gloss.n);
		return true;
	}
	int hit[16];
	int n = glossary_find(&s->gloss, term, hit, (int)ARRAY_LEN(hit));
	if (n == 0) {
		tui_say(s->t, SS_ERROR,
			_("no glossary entry for \"%s\": :glossary and tab lists the terms, K "
			  "shows them all in a lesson"),
			term);
		return false;
	}
	if (n > 1) {
		struct sbuf b = {0};
		for (int i = 0; i < n; i++)
			sbuf_printf(&b, "%s%s", i ? "; " : "", s->gloss.v[hit[i]].term);
		tui_say(s->t, SS_ERROR, _("\"%s\" could be: %s"), term, sbuf_str(&b));
		sbuf_free(&b);
		return false;
	}
	const struct glossary_entry *e = &s->gloss.v[hit[0]];
	if (s->lesson) {
		s->glossary = true;
		s->gloss_focus = hit[0];
		s->pane = true;
		s->pane_scroll = 0;
		tui_say(s->t, SS_DIM, _("glossary: %s (K: back to the step)"), e->term);
	} else {
		log_entry(s, e, 72);
		tui_say(s->t, SS_DIM, _("glossary: %s (in the event log)"), e->term);
	}
	return true;
}

struct compl
{
	const char *typed; /* what follows "glossary " */
	size_t word;       /* where the word being completed starts in it */
	void (*add)(void *ctx, const char *cand);
	void *ctx;
};

static void add_name(void *ctx, const char *name)
{
	struct compl *c = ctx;
	/* Readline replaces the last word only: offer the rest of the name
	 * from there ("commit in" + tab offers "index"). */
	if (strlen(name) >= c->word)
		c->add(c->ctx, name + c->word);
}

bool tui_session_glossary_complete(struct tui_session *s, const char *line, int end,
				   void (*add)(void *ctx, const char *cand), void *ctx)
{
	char buf[256];
	ns_snprintf(buf, sizeof buf, "%.*s", end, line);
	const char *p = buf;
	while (*p == ' ')
		p++;
	const char *sp = strchr(p, ' ');
	if (!sp) {
		/* The command word itself. */
		if (*p && !strncmp("glossary", p, strlen(p)))
			add(ctx, "glossary");
		return false; /* the language's commands complete too */
	}
	if ((size_t)(sp - p) != strlen("glossary") || strncmp(p, "glossary", 8))
		return false;
	if (!loaded(s))
		return true;
	const char *typed = sp + 1;
	while (*typed == ' ')
		typed++;
	const char *last = strrchr(typed, ' ');
	struct compl c = {typed, last ? (size_t)(last + 1 - typed) : 0, add, ctx};
	glossary_names(&s->gloss, typed, add_name, &c);
	return true;
}

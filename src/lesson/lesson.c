/*
 * lesson.c — the lesson file format (docs/LESSONS.md): parsing, checking,
 * finding lesson files and their translations.
 *
 * The format is line-based. A key starts a line (`title: ...`); a key whose
 * value goes on for several lines continues on indented lines. Set-ups and
 * solutions are parsed with the lesson file's own line and column numbers,
 * and each goal under the protocol that the steps before it set up, so every
 * mistake in a lesson is found when it loads.
 */
#include "lesson/lesson.h"

#include "util/i18n.h"
#include "util/paths.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lx {
	const char *file;
	struct sbuf *err;
	int line;
};

static bool fail(struct lx *x, int line, const char *fmt, ...) NS_PRINTF(3, 4);
static bool fail(struct lx *x, int line, const char *fmt, ...)
{
	if (x->err->len)
		return false;
	sbuf_printf(x->err, "%s:%d: ", x->file, line);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(x->err, fmt, ap);
	va_end(ap);
	return false;
}

/* A block: the lines that belong to a key, with their numbers. */
struct block {
	struct sbuf text; /* lines joined by \n, indentation kept */
	int first_line;
	int nlines;
};

static void block_add(struct block *b, const char *line, int lineno)
{
	if (!b->nlines++)
		b->first_line = lineno;
	else
		sbuf_putc(&b->text, '\n');
	sbuf_puts(&b->text, line);
}

/* Prose: lines joined with spaces, blank lines kept as paragraph breaks. */
static char *prose(const char *raw)
{
	struct sbuf out = {0};
	const char *p = raw;
	bool para_break = false;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p;
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
			len--;
		if (!len) {
			para_break = out.len > 0;
		} else {
			if (para_break)
				sbuf_puts(&out, "\n\n");
			else if (out.len)
				sbuf_putc(&out, ' ');
			sbuf_add(&out, s, len);
			para_break = false;
		}
		p += nl ? (size_t)(nl - p) + 1 : strlen(p);
	}
	return sbuf_take(&out);
}

static char *trim(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

enum key {
	K_NONE,
	K_LESSON,
	K_TITLE,
	K_ORDER,
	K_REQUIRES,
	K_SUMMARY,
	K_SOURCES,
	K_STEP,
	K_TEXT,
	K_SETUP,
	K_GOAL,
	K_HINT,
	K_SOLUTION,
	K_QUESTION,
	K_WRONG,
	K_KIND,
	K_PREDICT,
};

static const struct {
	const char *name;
	enum key key;
} keys[] = {
    {"lesson", K_LESSON},     {"title", K_TITLE},     {"order", K_ORDER}, {"requires", K_REQUIRES},
    {"summary", K_SUMMARY},   {"sources", K_SOURCES}, {"step", K_STEP},   {"text", K_TEXT},
    {"setup", K_SETUP},       {"goal", K_GOAL},       {"hint", K_HINT},   {"solution", K_SOLUTION},
    {"question", K_QUESTION}, {"wrong", K_WRONG},     {"kind", K_KIND},   {"predict", K_PREDICT},
};

struct parse_state {
	struct lesson *l;
	enum key key;     /* the key the current block belongs to */
	struct block blk; /* its lines */
	int key_line;
	struct lesson_step *step;
	struct lesson_question *q;
	struct lesson_option *opt; /* the option whose explanation follows */
	bool predict;              /* q is the current step's prediction */
	const struct proto_ops *proto;
	int requires_line; /* the last `requires:` line, for errors */
};

static bool finish_block(struct lx *x, struct parse_state *ps)
{
	struct lesson *l = ps->l;
	const char *raw = sbuf_str(&ps->blk.text);
	bool ok = true;
	switch (ps->key) {
	case K_SUMMARY:
		free(l->summary);
		l->summary = prose(raw);
		break;
	case K_SOURCES:
		free(l->sources);
		l->sources = prose(raw);
		break;
	case K_TEXT:
		free(ps->step->text);
		ps->step->text = prose(raw);
		break;
	case K_HINT: ps->step->hints[ps->step->nhints - 1] = prose(raw); break;
	case K_SETUP:
	case K_SOLUTION: {
		struct sbuf err = {0};
		struct script *sc =
		    script_parse_at(raw, x->file, ps->blk.first_line, ps->proto, &err);
		if (!sc) {
			/* err already names file:line:col */
			if (!x->err->len)
				sbuf_puts(x->err, sbuf_str(&err));
			ok = false;
		} else if (ps->key == K_SETUP) {
			ps->step->setup = sc;
			ps->step->setup_text = xstrdup(raw);
			ps->proto = script_protocol(sc, ps->proto);
		} else {
			ps->step->solution = sc;
			ps->step->solution_text = xstrdup(raw);
		}
		sbuf_free(&err);
		break;
	}
	case K_WRONG: {
		/* parsed to find its mistakes now; kept as text, played by the tests */
		struct sbuf err = {0};
		struct script *sc =
		    script_parse_at(raw, x->file, ps->blk.first_line, ps->proto, &err);
		if (!sc) {
			if (!x->err->len)
				sbuf_puts(x->err, sbuf_str(&err));
			ok = false;
		} else if (!script_len(sc)) {
			ok = fail(x, ps->key_line, "%s", _("`wrong:` needs commands"));
		} else {
			ps->step->wrongs =
			    xrealloc(ps->step->wrongs,
				     (size_t)(ps->step->nwrongs + 1) * sizeof *ps->step->wrongs);
			ps->step->wrongs[ps->step->nwrongs++] = xstrdup(raw);
		}
		script_free(sc);
		sbuf_free(&err);
		break;
	}
	default: break;
	}
	sbuf_free(&ps->blk.text);
	memset(&ps->blk, 0, sizeof ps->blk);
	ps->key = K_NONE;
	return ok;
}

static bool check_step(struct lx *x, const struct lesson_step *st)
{
	if (!st)
		return true;
	if (!st->text)
		return fail(x, st->line, _("step \"%s\" has no text"), st->title);
	if (!st->goal)
		return fail(x, st->line, _("step \"%s\" has no goal"), st->title);
	if (!st->solution)
		return fail(x, st->line, _("step \"%s\" has no solution"), st->title);
	return true;
}

static bool check_question(struct lx *x, const struct lesson_question *q)
{
	if (!q)
		return true;
	if (q->nopt < 2)
		return fail(
		    x, q->line, "%s",
		    _("a question needs at least two answers (lines starting with - or *)"));
	int right = 0;
	for (int i = 0; i < q->nopt; i++) {
		right += q->opt[i].correct;
		if (!q->opt[i].why || !*q->opt[i].why)
			return fail(
			    x, q->line,
			    _("answer \"%s\" has no explanation (an indented line below it)"),
			    q->opt[i].text);
	}
	if (!right)
		return fail(x, q->line, "%s",
			    _("a question needs a right answer (a line starting with *)"));
	return true;
}

/* A prediction is a question whose every answer says, by `when:`, what
 * the cluster shows when it is what happened. */
static bool check_predict(struct lx *x, const struct lesson_question *q)
{
	if (!check_question(x, q))
		return false;
	int right = 0;
	for (int i = 0; i < q->nopt; i++) {
		right += q->opt[i].correct;
		if (!q->opt[i].when)
			return fail(x, q->line,
				    _("answer \"%s\" of a prediction needs `when: PREDICATE` (what "
				      "the cluster shows when it happened)"),
				    q->opt[i].text);
	}
	if (right != 1)
		return fail(x, q->line, "%s", _("a prediction has exactly one right answer (*)"));
	return true;
}

/* The prediction ends where the next key begins. */
static bool end_predict(struct lx *x, struct parse_state *ps)
{
	if (!ps->predict)
		return true;
	bool ok = check_predict(x, ps->q);
	ps->q = NULL;
	ps->opt = NULL;
	ps->predict = false;
	return ok;
}

static bool handle_key(struct lx *x, struct parse_state *ps, enum key k, const char *value,
		       int lineno)
{
	struct lesson *l = ps->l;
	if (!end_predict(x, ps))
		return false;
	bool header = k == K_LESSON || k == K_TITLE || k == K_ORDER || k == K_REQUIRES ||
		      k == K_SUMMARY || k == K_SOURCES;
	if (header && (l->nsteps || l->nquiz))
		return fail(x, lineno, _("`%s:` belongs at the top, before the first step"),
			    keys[k - 1].name);
	bool in_step = k == K_TEXT || k == K_SETUP || k == K_GOAL || k == K_HINT ||
		       k == K_SOLUTION || k == K_WRONG || k == K_PREDICT;
	if (in_step && (!ps->step || ps->q))
		return fail(x, lineno, _("`%s:` belongs to a step: start one with `step: TITLE`"),
			    keys[k - 1].name);
	char *v = trim(value);
	bool ok = true;
	switch (k) {
	case K_LESSON:
		for (const char *c = v; *c; c++)
			if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
				ok = fail(x, lineno, "%s",
					  _("a lesson id is lower-case letters, digits and -"));
		free(l->id);
		l->id = xstrdup(v);
		break;
	case K_TITLE:
		free(l->title);
		l->title = xstrdup(v);
		break;
	case K_KIND:
		if (!strcmp(v, "exam"))
			l->exam = true;
		else if (strcmp(v, "lesson"))
			ok = fail(x, lineno, _("expected lesson or exam for kind, got \"%s\""), v);
		break;
	case K_ORDER: {
		char *end;
		long o = strtol(v, &end, 10);
		if (!*v || *end || o < 0 || o > 100000)
			ok = fail(x, lineno, _("expected a number for order, got \"%s\""), v);
		l->order = (int)o;
		break;
	}
	case K_REQUIRES: {
		ps->requires_line = lineno;
		char *save = NULL;
		for (char *w = strtok_r(v, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
			l->requires =
			    xrealloc(l->requires, (size_t)(l->nrequires + 1) * sizeof *l->requires);
			l->requires[l->nrequires++] = xstrdup(w);
		}
		break;
	}
	case K_STEP:
		if (!check_step(x, ps->step)) {
			ok = false;
			break;
		}
		if (!*v) {
			ok = fail(x, lineno, "%s", _("a step needs a title: `step: TITLE`"));
			break;
		}
		l->steps = xrealloc(l->steps, (size_t)(l->nsteps + 1) * sizeof *l->steps);
		ps->step = &l->steps[l->nsteps++];
		memset(ps->step, 0, sizeof *ps->step);
		ps->step->title = xstrdup(v);
		ps->step->line = lineno;
		break;
	case K_GOAL: {
		if (ps->step->goal) {
			ok = fail(x, lineno, "%s",
				  _("a step has one goal (combine predicates with and/or)"));
			break;
		}
		/* a goal is one line; blanking out "goal:" keeps the columns */
		struct sbuf err = {0}, padded = {0};
		sbuf_printf(&padded, "%*s%s", (int)strlen("goal:"), "", value);
		ps->step->goal =
		    pred_parse_for(sbuf_str(&padded), x->file, lineno, ps->proto, &err);
		sbuf_free(&padded);
		if (!ps->step->goal) {
			if (!x->err->len)
				sbuf_puts(x->err, sbuf_str(&err));
			ok = false;
		}
		ps->step->goal_text = xstrdup(v);
		sbuf_free(&err);
		break;
	}
	case K_TEXT:
	case K_SETUP:
	case K_SOLUTION: {
		/* One of each per step: a second one would silently replace
		 * the first (whose set-up or solution would never run). */
		bool dup = k == K_TEXT    ? ps->step->text != NULL
			   : k == K_SETUP ? ps->step->setup != NULL
					  : ps->step->solution != NULL;
		if (dup)
			ok = fail(x, lineno, _("step \"%s\" already has a `%s:`; a step has one"),
				  ps->step->title, keys[k - 1].name);
		break;
	}
	case K_HINT:
		ps->step->hints =
		    xrealloc(ps->step->hints, (size_t)(ps->step->nhints + 1) * sizeof(char *));
		ps->step->hints[ps->step->nhints++] = NULL;
		break;
	case K_PREDICT:
		if (ps->step->predict) {
			ok = fail(x, lineno,
				  _("step \"%s\" already has a `predict:`; a step has one"),
				  ps->step->title);
			break;
		}
		if (!*v) {
			ok = fail(x, lineno, "%s",
				  _("`predict:` needs the question on the same line"));
			break;
		}
		ps->step->predict = xcalloc(1, sizeof *ps->step->predict);
		ps->q = ps->step->predict;
		ps->q->text = xstrdup(v);
		ps->q->line = lineno;
		ps->opt = NULL;
		ps->predict = true;
		break;
	case K_QUESTION:
		if (!check_step(x, ps->step) || !check_question(x, ps->q)) {
			ok = false;
			break;
		}
		if (!*v) {
			ok = fail(x, lineno, "%s",
				  _("`question:` needs the question on the same line"));
			break;
		}
		ps->step = NULL;
		l->quiz = xrealloc(l->quiz, (size_t)(l->nquiz + 1) * sizeof *l->quiz);
		ps->q = &l->quiz[l->nquiz++];
		memset(ps->q, 0, sizeof *ps->q);
		ps->q->text = xstrdup(v);
		ps->q->line = lineno;
		ps->opt = NULL;
		break;
	default: break;
	}
	/* keys whose value may go on over indented lines */
	if (ok && (k == K_SUMMARY || k == K_SOURCES || k == K_TEXT || k == K_HINT || k == K_SETUP ||
		   k == K_SOLUTION || k == K_WRONG)) {
		ps->key = k;
		ps->key_line = lineno;
		if (*v)
			block_add(&ps->blk, value, lineno);
	}
	free(v);
	return ok;
}

static bool handle_option(struct lx *x, struct parse_state *ps, const char *s, int lineno)
{
	/* "- wrong answer" or "* right answer" inside a question */
	struct lesson_question *q = ps->q;
	q->opt = xrealloc(q->opt, (size_t)(q->nopt + 1) * sizeof *q->opt);
	ps->opt = &q->opt[q->nopt++];
	ps->opt->correct = *s == '*';
	ps->opt->text = trim(s + 1);
	ps->opt->why = NULL;
	ps->opt->when = NULL;
	ps->opt->when_text = NULL;
	if (!*ps->opt->text)
		return fail(x, lineno, "%s", _("an answer needs text after - or *"));
	return true;
}

struct lesson *lesson_parse(const char *text, const char *file, struct sbuf *err)
{
	struct lesson *l = xcalloc(1, sizeof *l);
	l->file = xstrdup(file);
	l->lang = xstrdup("en");
	l->order = 1000;
	struct lx x = {file, err, 0};
	struct parse_state ps = {.l = l};
	struct sbuf why = {0}; /* the current option's explanation */
	const char *p = text;
	int lineno = 0;
	bool ok = true;
	while (ok && *p) {
		lineno++;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		p += nl ? len + 1 : len;
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		bool indented = line[0] == ' ' || line[0] == '\t';
		char *t = trim(line);
		if (!indented && (t[0] == '#' || !t[0])) {
			/* a comment or blank line at the margin: blank lines still
			 * belong to a block (paragraph breaks, script line numbers) */
			if (ps.key != K_NONE && (!t[0] || ps.key == K_SETUP ||
						 ps.key == K_SOLUTION || ps.key == K_WRONG))
				block_add(&ps.blk, "", lineno);
			free(t);
			free(line);
			continue;
		}
		if (indented) {
			if (ps.q && (t[0] == '-' || t[0] == '*') && (t[1] == ' ' || t[1] == '\t')) {
				if (ps.opt) {
					ps.opt->why = prose(sbuf_str(&why));
					sbuf_clear(&why);
				}
				ok = handle_option(&x, &ps, t, lineno);
			} else if (ps.q && ps.opt && ps.predict && !strncmp(t, "when:", 5)) {
				/* what the cluster shows when this answer happened;
				 * blanking the margin and "when:" keeps the columns */
				if (ps.opt->when) {
					ok = fail(&x, lineno, "%s", _("an answer has one `when:`"));
				} else {
					struct sbuf perr = {0}, padded = {0};
					sbuf_printf(&padded, "%*s%s",
						    (int)(strstr(line, "when:") - line) + 5, "",
						    t + 5);
					ps.opt->when = pred_parse_for(sbuf_str(&padded), x.file,
								      lineno, ps.proto, &perr);
					ps.opt->when_text = trim(t + 5);
					if (!ps.opt->when) {
						if (!err->len)
							sbuf_puts(err, sbuf_str(&perr));
						ok = false;
					}
					sbuf_free(&padded);
					sbuf_free(&perr);
				}
			} else if (ps.q && ps.opt) {
				sbuf_printf(&why, "%s\n", t);
			} else if (ps.q) {
				/* the question goes on */
				char *q = ps.q->text;
				struct sbuf b = {0};
				sbuf_printf(&b, "%s %s", q, t);
				free(q);
				ps.q->text = sbuf_take(&b);
			} else if (ps.key != K_NONE) {
				block_add(&ps.blk, line, lineno);
			} else {
				ok = fail(
				    &x, lineno, "%s",
				    _("an indented line continues a key, but there is none here"));
			}
			free(t);
			free(line);
			continue;
		}
		/* key: value */
		char *colon = strchr(line, ':');
		enum key k = K_NONE;
		if (colon) {
			*colon = '\0';
			for (size_t i = 0; i < ARRAY_LEN(keys); i++)
				if (!strcmp(line, keys[i].name))
					k = keys[i].key;
		}
		if (k == K_NONE) {
			ok = fail(&x, lineno,
				  _("expected a key like `title:` or `step:`, got \"%s\""), t);
		} else {
			ok = finish_block(&x, &ps);
			if (ok && ps.opt) {
				ps.opt->why = prose(sbuf_str(&why));
				sbuf_clear(&why);
				ps.opt = NULL;
			}
			if (ok)
				ok = handle_key(&x, &ps, k, colon + 1, lineno);
		}
		free(t);
		free(line);
	}
	if (ok)
		ok = finish_block(&x, &ps);
	if (ok && ps.opt) {
		ps.opt->why = prose(sbuf_str(&why));
		ps.opt = NULL;
	}
	if (ok)
		ok = end_predict(&x, &ps);
	sbuf_free(&why);
	sbuf_free(&ps.blk.text);
	if (ok)
		ok = check_step(&x, ps.step) && check_question(&x, ps.q);
	if (ok && !l->id)
		ok = fail(&x, 1, "%s", _("missing `lesson: ID`"));
	if (ok && !l->title)
		ok = fail(&x, 1, "%s", _("missing `title:`"));
	if (ok && !l->nsteps)
		ok = fail(&x, lineno, "%s", _("a lesson needs at least one step"));
	for (int i = 0; ok && i < l->nrequires; i++)
		if (!strcmp(l->requires[i], l -> id))
			ok = fail(&x, ps.requires_line,
				  _("lesson \"%s\" requires itself: `requires:` names the lessons "
				    "to take before this one"),
				  l->id);
	if (!ok) {
		lesson_free(l);
		return NULL;
	}
	if (!l->summary)
		l->summary = xstrdup("");
	return l;
}

struct lesson *lesson_load(const char *path, struct sbuf *err)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		sbuf_printf(err, _("%s: cannot read: %s"), path, read_file_error(errno));
		return NULL;
	}
	if (strlen(text) != len) {
		sbuf_printf(err, _("%s: not a text file"), path);
		free(text);
		return NULL;
	}
	struct lesson *l = lesson_parse(text, path, err);
	free(text);
	return l;
}

static void question_free(struct lesson_question *q)
{
	for (int o = 0; o < q->nopt; o++) {
		free(q->opt[o].text);
		free(q->opt[o].why);
		pred_free(q->opt[o].when);
		free(q->opt[o].when_text);
	}
	free(q->opt);
	free(q->text);
}

void lesson_free(struct lesson *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->nsteps; i++) {
		struct lesson_step *s = &l->steps[i];
		free(s->title);
		free(s->text);
		script_free(s->setup);
		free(s->setup_text);
		pred_free(s->goal);
		free(s->goal_text);
		for (int h = 0; h < s->nhints; h++)
			free(s->hints[h]);
		free(s->hints);
		script_free(s->solution);
		free(s->solution_text);
		for (int k = 0; k < s->nwrongs; k++)
			free(s->wrongs[k]);
		free(s->wrongs);
		if (s->predict) {
			question_free(s->predict);
			free(s->predict);
		}
	}
	free(l->steps);
	for (int i = 0; i < l->nquiz; i++)
		question_free(&l->quiz[i]);
	free(l->quiz);
	for (int i = 0; i < l->nrequires; i++)
		free(l->requires[i]);
	free(l->requires);
	free(l->id);
	free(l->title);
	free(l->summary);
	free(l->sources);
	free(l->file);
	free(l->lang);
	free(l);
}

/* ---- sets, translations, where lessons live -------------------------------------- */

static int by_order(const void *a, const void *b)
{
	const struct lesson *x = *(struct lesson *const *)a, *y = *(struct lesson *const *)b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->id, y->id);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

void lesson_set_load(struct lesson_set *set, const char *dir, const char *lang, struct sbuf *errors)
{
	memset(set, 0, sizeof *set);
	DIR *d = opendir(dir);
	if (!d) {
		sbuf_printf(errors, _("%s: cannot open the lessons directory: %s\n"), dir,
			    strerror(errno));
		return;
	}
	/* language directories to try: "es_ES" then "es" */
	char langs[2][32] = {"", ""};
	if (lang && *lang && strcmp(lang, "en") && strcmp(lang, "C")) {
		ns_strlcpy(langs[0], lang, sizeof langs[0]);
		ns_strlcpy(langs[1], lang, sizeof langs[1]);
		langs[1][strcspn(langs[1], "_.@")] = '\0';
		if (!strcmp(langs[0], langs[1]))
			langs[1][0] = '\0';
	}
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 7 && !strcmp(e->d_name + n - 7, ".lesson")) {
			xgrow((void **)&names, &cap, nnames + 1, sizeof *names);
			names[nnames++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	for (size_t i = 0; i < nnames; i++) {
		char path[4096];
		const char *used_lang = "en";
		ns_snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		for (int k = 0; k < 2; k++) {
			char tr[4096];
			if (!langs[k][0])
				continue;
			ns_snprintf(tr, sizeof tr, "%s/%s/%s", dir, langs[k], names[i]);
			if (is_file(tr)) {
				ns_strlcpy(path, tr, sizeof path);
				used_lang = langs[k];
				break;
			}
		}
		struct sbuf err = {0};
		struct lesson *l = lesson_load(path, &err);
		if (!l && strcmp(used_lang, "en")) {
			/* a broken translation falls back to English */
			sbuf_printf(errors, "%s\n", sbuf_str(&err));
			sbuf_clear(&err);
			ns_snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			used_lang = "en";
			l = lesson_load(path, &err);
		}
		if (!l) {
			sbuf_printf(errors, "%s\n", sbuf_str(&err));
		} else {
			free(l->lang);
			l->lang = xstrdup(used_lang);
			set->v = xrealloc(set->v, (size_t)(set->n + 1) * sizeof *set->v);
			set->v[set->n++] = l;
		}
		sbuf_free(&err);
		free(names[i]);
	}
	free(names);
	if (set->n)
		qsort(set->v, (size_t)set->n, sizeof *set->v, by_order);
}

void lesson_set_free(struct lesson_set *set)
{
	for (int i = 0; i < set->n; i++)
		lesson_free(set->v[i]);
	free(set->v);
	memset(set, 0, sizeof *set);
}

const struct lesson *lesson_set_find(const struct lesson_set *set, const char *id)
{
	for (int i = 0; i < set->n; i++)
		if (!strcmp(set->v[i]->id, id))
			return set->v[i];
	return NULL;
}

const char *lesson_dir(void)
{
	const char *env = getenv("NETSPLIT_LESSONS");
	if (env && *env)
		return env;
	return paths_get()->lessons;
}

void lesson_lang(const char *forced, char *out, size_t n)
{
	const char *v = forced;
	if (!v || !*v) {
		static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
		for (size_t i = 0; i < ARRAY_LEN(vars) && (!v || !*v); i++)
			v = getenv(vars[i]);
	}
	if (!v || !*v || !strcmp(v, "C") || !strcmp(v, "POSIX")) {
		ns_strlcpy(out, "en", n);
		return;
	}
	ns_strlcpy(out, v, n);
	out[strcspn(out, ":.@")] = '\0'; /* LANGUAGE may list several: take the first */
}

/*
 * theme.c — reading colour theme files (the format is in theme.h): one
 * pass over the lines, with the line and column (in characters) of every
 * word kept for the messages. No curses here: tests parse themes without
 * a terminal, and tui_theme.c maps the result onto the screen.
 */
#include "tui/theme.h"

#include "util/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const role_names[SS_COUNT] = {
    [SS_NORMAL] = "normal",
    [SS_DIM] = "dim",
    [SS_BAR] = "bar",
    [SS_KEY] = "key",
    [SS_FRAME] = "frame",
    [SS_TITLE] = "title",
    [SS_LEADER] = "leader",
    [SS_CANDIDATE] = "candidate",
    [SS_FOLLOWER] = "follower",
    [SS_ROLE] = "role",
    [SS_DOWN] = "down",
    [SS_SELECT] = "select",
    [SS_CUT] = "cut",
    [SS_ONEWAY] = "oneway",
    [SS_DEGRADED] = "degraded",
    [SS_MSG] = "msg",
    [SS_REPLY] = "reply",
    [SS_DROP] = "drop",
    [SS_TERM0] = "term0",
    [SS_TERM0 + 1] = "term1",
    [SS_TERM0 + 2] = "term2",
    [SS_TERM0 + 3] = "term3",
    [SS_TERM0 + 4] = "term4",
    [SS_TERM5] = "term5",
    [SS_ERROR] = "error",
    [SS_OK] = "ok",
    [SS_REC] = "rec",
    [SS_TIMER] = "timer",
    [SS_TIMER_NEXT] = "timer-next",
    [SS_MSG_SEL] = "msg-selected",
    [SS_TRAITOR] = "traitor",
};

const char *theme_role_name(int role)
{
	return role >= 0 && role < SS_COUNT ? role_names[role] : NULL;
}

static const char *const basic_names[8] = {"black", "red",     "green", "yellow",
					   "blue",  "magenta", "cyan",  "white"};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
    {"bold", THEME_BOLD},       {"dim", THEME_DIM},       {"underline", THEME_UNDERLINE},
    {"reverse", THEME_REVERSE}, {"italic", THEME_ITALIC}, {"standout", THEME_STANDOUT},
};

enum section { SEC_NONE, SEC_THEME, SEC_PALETTE, SEC_COLOUR, SEC_MONO };

#define PALETTE_MAX 64

struct parser {
	const char *file;
	struct theme *t;
	struct sbuf *err;
	const char *line; /* the current line (not NUL-terminated) */
	int lineno;
	enum section sec;
	int npal;
	struct {
		char name[32];
		struct theme_colour c;
	} pal[PALETTE_MAX];
	int set_at[2][SS_COUNT]; /* the line that set each role, per section */
};

/* A word of the current line: [p, p + n). */
struct word {
	const char *p;
	size_t n;
};

static bool word_is(struct word w, const char *s)
{
	return strlen(s) == w.n && !memcmp(w.p, s, w.n);
}

/* The 1-based column of p in the current line, counted in characters
 * (UTF-8 continuation bytes do not count). */
static int column(const struct parser *ps, const char *p)
{
	int col = 1;
	for (const char *q = ps->line; q < p; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			col++;
	return col;
}

static bool fail(struct parser *ps, const char *at, const char *fmt, ...) NS_PRINTF(3, 4);

static bool fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	sbuf_printf(ps->err, "%s:%d:%d: ", ps->file, ps->lineno, column(ps, at));
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(ps->err, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int basic_colour(struct word w)
{
	for (int i = 0; i < 8; i++)
		if (word_is(w, basic_names[i]))
			return i;
	return -1;
}

static unsigned attr_bit(struct word w)
{
	for (size_t i = 0; i < ARRAY_LEN(attr_names); i++)
		if (word_is(w, attr_names[i].name))
			return attr_names[i].bit;
	return 0;
}

/* A colour word: a palette name (which may refine a basic colour's name:
 * `yellow = 228 yellow`), a basic colour or `default`. */
static bool lookup_colour(const struct parser *ps, struct word w, struct theme_colour *c)
{
	for (int i = 0; i < ps->npal; i++)
		if (word_is(w, ps->pal[i].name)) {
			*c = ps->pal[i].c;
			return true;
		}
	int b = basic_colour(w);
	if (b >= 0) {
		*c = (struct theme_colour){(short)b, (short)b};
		return true;
	}
	if (word_is(w, "default")) {
		*c = (struct theme_colour){-1, -1};
		return true;
	}
	return false;
}

/* Splits [p, end) into words at white space; at most max. Returns the count,
 * or -1 when there are more. */
static int split(const char *p, const char *end, struct word *w, int max)
{
	int n = 0;
	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		const char *s = p;
		while (p < end && !is_space(*p))
			p++;
		if (n == max)
			return -1;
		w[n++] = (struct word){s, (size_t)(p - s)};
	}
	return n;
}

static bool palette_entry(struct parser *ps, struct word key, const char *v, const char *end)
{
	if (word_is(key, "default") || word_is(key, "on") || word_is(key, "plain") || attr_bit(key))
		return fail(ps, key.p, _("\"%.*s\" is a built-in word and cannot name a colour"),
			    (int)key.n, key.p);
	if (key.n >= sizeof ps->pal[0].name)
		return fail(ps, key.p, _("colour name too long (at most %d characters)"),
			    (int)sizeof ps->pal[0].name - 1);
	for (int i = 0; i < ps->npal; i++)
		if (word_is(key, ps->pal[i].name))
			return fail(ps, key.p, _("colour \"%.*s\" is defined twice"), (int)key.n,
				    key.p);
	if (ps->npal == PALETTE_MAX)
		return fail(ps, key.p, _("too many colours (at most %d)"), PALETTE_MAX);
	struct word w[3];
	int n = split(v, end, w, 2);
	if (n == 0)
		return fail(ps, v, "%s",
			    _("expected a colour: a basic colour, or a 256-colour index and a "
			      "basic colour (`214 yellow`)"));
	if (n < 0)
		return fail(ps, v, "%s", _("too many words: expected `INDEX BASIC` or `BASIC`"));
	struct theme_colour c;
	int b = basic_colour(w[0]);
	if (b >= 0) {
		if (n > 1)
			return fail(ps, w[1].p, "%s",
				    _("a basic colour stands alone; a 256-colour index comes first "
				      "(`214 yellow`)"));
		c = (struct theme_colour){(short)b, (short)b};
	} else {
		char num[8];
		if (w[0].n >= sizeof num)
			return fail(ps, w[0].p, _("expected a colour index 0-255, got \"%.*s\""),
				    (int)w[0].n, w[0].p);
		memcpy(num, w[0].p, w[0].n);
		num[w[0].n] = '\0';
		char *e;
		long i = strtol(num, &e, 10);
		if (*e || !w[0].n || i < 0 || i > 255)
			return fail(
			    ps, w[0].p,
			    _("expected a colour index 0-255 or a basic colour, got \"%.*s\""),
			    (int)w[0].n, w[0].p);
		if (n < 2)
			return fail(ps, w[0].p + w[0].n, "%s",
				    _("expected the basic colour for 8-colour terminals after the "
				      "index (`214 yellow`)"));
		int b8 = basic_colour(w[1]);
		if (b8 < 0)
			return fail(ps, w[1].p, _("expected a basic colour (%s), got \"%.*s\""),
				    "black red green yellow blue magenta cyan white", (int)w[1].n,
				    w[1].p);
		c = (struct theme_colour){(short)i, (short)b8};
	}
	memcpy(ps->pal[ps->npal].name, key.p, key.n);
	ps->pal[ps->npal].name[key.n] = '\0';
	ps->pal[ps->npal++].c = c;
	return true;
}

static bool style_entry(struct parser *ps, struct word key, const char *v, const char *end)
{
	int role = -1;
	for (int i = 0; i < SS_COUNT; i++)
		if (word_is(key, role_names[i]))
			role = i;
	if (role < 0) {
		struct sbuf all = {0};
		for (int i = 0; i < SS_COUNT; i++)
			sbuf_printf(&all, "%s%s", i ? " " : "", role_names[i]);
		fail(ps, key.p, _("unknown role \"%.*s\" (the roles: %s)"), (int)key.n, key.p,
		     sbuf_str(&all));
		sbuf_free(&all);
		return false;
	}
	bool mono = ps->sec == SEC_MONO;
	int *at = &ps->set_at[mono][role];
	if (*at)
		return fail(ps, key.p, _("\"%s\" is already set at line %d"), role_names[role],
			    *at);
	*at = ps->lineno;
	struct theme_style st = {.set = true};
	struct word w[16];
	int n = split(v, end, w, (int)ARRAY_LEN(w));
	if (n == 0)
		return fail(
		    ps, v, "%s",
		    mono ? _("expected attributes (bold dim underline reverse italic "
			     "standout) or `plain`")
			 : _("expected a style: COLOUR [on COLOUR] ATTRIBUTE..., or `plain`"));
	if (n < 0)
		return fail(ps, w[ARRAY_LEN(w) - 1].p, "%s", _("too many words in one style"));
	for (int i = 0; i < n; i++) {
		unsigned bit = attr_bit(w[i]);
		struct theme_colour c;
		if (bit) {
			st.attrs |= bit;
		} else if (word_is(w[i], "plain")) {
			if (n > 1)
				return fail(ps, w[i].p, "%s", _("`plain` stands alone"));
		} else if (word_is(w[i], "on") || lookup_colour(ps, w[i], &c)) {
			if (mono)
				return fail(ps, w[i].p, "%s",
					    _("colours belong in [colour]; [mono] takes attributes "
					      "only"));
			if (word_is(w[i], "on")) {
				if (i + 1 == n || !lookup_colour(ps, w[i + 1], &c))
					return fail(ps, i + 1 == n ? w[i].p + w[i].n : w[i + 1].p,
						    "%s", _("expected a colour after `on`"));
				if (st.has_bg)
					return fail(ps, w[i].p, "%s",
						    _("a second background colour"));
				st.has_bg = true;
				st.bg = c;
				i++;
			} else {
				if (st.has_fg)
					return fail(ps, w[i].p, "%s",
						    _("a second text colour (a background is `on "
						      "COLOUR`)"));
				st.has_fg = true;
				st.fg = c;
			}
		} else {
			return fail(
			    ps, w[i].p,
			    mono ? _("unknown attribute \"%.*s\" (bold dim underline reverse "
				     "italic standout, or plain)")
				 : _("unknown colour or attribute \"%.*s\" (colours: the "
				     "[palette], black red green yellow blue magenta cyan "
				     "white, default)"),
			    (int)w[i].n, w[i].p);
		}
	}
	(mono ? ps->t->mono : ps->t->colour)[role] = st;
	return true;
}

static bool theme_entry(struct parser *ps, struct word key, const char *v, const char *end)
{
	size_t n = (size_t)(end - v);
	if (word_is(key, "name")) {
		if (!n || n >= THEME_NAME_MAX)
			return fail(ps, v, _("expected a name of 1 to %d characters"),
				    THEME_NAME_MAX - 1);
		for (size_t i = 0; i < n; i++)
			if (!is_name_char(v[i]))
				return fail(ps, v + i, "%s",
					    _("a theme's name has only a-z, 0-9, '-' and '_'"));
		memcpy(ps->t->name, v, n);
		ps->t->name[n] = '\0';
		return true;
	}
	if (word_is(key, "description")) {
		if (n >= THEME_DESC_MAX)
			return fail(ps, v, _("description too long (at most %d bytes)"),
				    THEME_DESC_MAX - 1);
		memcpy(ps->t->description, v, n);
		ps->t->description[n] = '\0';
		return true;
	}
	return fail(ps, key.p, _("unknown key \"%.*s\" in [theme] (expected name or description)"),
		    (int)key.n, key.p);
}

/* One line, [p, end), without its newline. */
static bool parse_line(struct parser *ps, const char *p, const char *end)
{
	ps->line = p;
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#')
		return true;
	/* Strip a trailing comment (a '#' after white space) and white space. */
	for (const char *q = p + 1; q < end; q++)
		if (*q == '#' && is_space(q[-1])) {
			end = q;
			break;
		}
	while (end > p && is_space(end[-1]))
		end--;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return fail(ps, end, "%s", _("expected `]` to close the section name"));
		if (close + 1 != end)
			return fail(ps, close + 1, "%s",
				    _("unexpected text after the section name"));
		struct word w = {p + 1, (size_t)(close - p - 1)};
		if (word_is(w, "theme"))
			ps->sec = SEC_THEME;
		else if (word_is(w, "palette"))
			ps->sec = SEC_PALETTE;
		else if (word_is(w, "colour") || word_is(w, "color"))
			ps->sec = SEC_COLOUR;
		else if (word_is(w, "mono"))
			ps->sec = SEC_MONO;
		else
			return fail(
			    ps, p + 1,
			    _("unknown section \"%.*s\" (expected theme, palette, colour or "
			      "mono)"),
			    (int)w.n, w.p);
		return true;
	}
	struct word key = {p, 0};
	while (p < end && is_name_char(*p))
		p++;
	key.n = (size_t)(p - key.p);
	if (!key.n)
		return fail(ps, p, "%s", _("expected a name (a-z, 0-9, '-', '_') or a [section]"));
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p != '=')
		return fail(ps, p, _("expected `=` after \"%.*s\""), (int)key.n, key.p);
	p++;
	while (p < end && is_space(*p))
		p++;
	switch (ps->sec) {
	case SEC_THEME: return theme_entry(ps, key, p, end);
	case SEC_PALETTE: return palette_entry(ps, key, p, end);
	case SEC_COLOUR:
	case SEC_MONO: return style_entry(ps, key, p, end);
	case SEC_NONE: break;
	}
	return fail(ps, key.p, "%s",
		    _("expected a section first: [theme], [palette], [colour] or [mono]"));
}

bool theme_parse(const char *text, size_t len, const char *file, struct theme *out,
		 struct sbuf *err)
{
	struct parser *ps = xcalloc(1, sizeof *ps);
	ps->file = file;
	ps->t = out;
	ps->err = err;
	memset(out, 0, sizeof *out);
	/* The default name: the file's base name without ".theme". */
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t bl = strcspn(base, ".");
	ns_snprintf(out->name, sizeof out->name, "%.*s", (int)MIN(bl, sizeof out->name - 1), base);
	bool ok = true;
	const char *p = text, *end = text + len;
	while (ok && p < end) {
		ps->lineno++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		const char *stop = p + ll;
		if (memchr(p, '\0', ll)) {
			ps->line = p;
			ok = fail(ps, p, "%s", _("a NUL byte: this is not a text file"));
			break;
		}
		ok = parse_line(ps, p, stop);
		p = nl ? nl + 1 : end;
	}
	free(ps);
	return ok;
}

bool theme_load(const char *path, struct theme *out, struct sbuf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		sbuf_printf(err, _("%s: cannot read: %s"), path, strerror(errno));
		return false;
	}
	struct sbuf text = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && text.len < (1u << 20))
		sbuf_add(&text, buf, n);
	bool bad = ferror(f);
	fclose(f);
	bool ok = false;
	if (bad)
		sbuf_printf(err, _("%s: cannot read: %s"), path, strerror(EIO));
	else
		ok = theme_parse(text.s ? text.s : "", text.len, path, out, err);
	sbuf_free(&text);
	return ok;
}

bool theme_is_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 6 && !strcmp(s + n - 6, ".theme"));
}

bool theme_path(const char *dir, const char *name, char *buf, size_t n, struct sbuf *err)
{
	bool plain = *name && strlen(name) < THEME_NAME_MAX;
	for (const char *p = name; plain && *p; p++)
		plain = is_name_char(*p);
	if (!plain) {
		sbuf_printf(err,
			    _("\"%s\" is not a theme name (a-z, 0-9, '-', '_'; or give a path)"),
			    name);
		return false;
	}
	ns_snprintf(buf, n, "%s/%s.theme", dir, name);
	struct stat st;
	if (stat(buf, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	char **names;
	int k;
	theme_names(dir, &names, &k);
	struct sbuf all = {0};
	for (int i = 0; i < k; i++)
		sbuf_printf(&all, "%s%s", i ? ", " : "", names[i]);
	theme_names_free(names, k);
	sbuf_printf(err, _("no theme \"%s\" in %s (the themes: %s)"), name, dir,
		    all.len ? sbuf_str(&all) : "-");
	sbuf_free(&all);
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void theme_names(const char *dir, char ***names, int *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 6 || strcmp(e->d_name + len - 6, ".theme") || e->d_name[0] == '.')
			continue;
		xgrow((void **)names, &cap, (size_t)*n + 1, sizeof **names);
		(*names)[(*n)++] = xstrndup(e->d_name, len - 6);
	}
	closedir(d);
	if (*n)
		qsort(*names, (size_t)*n, sizeof **names, by_name);
}

void theme_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

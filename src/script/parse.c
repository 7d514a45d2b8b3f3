/*
 * parse.c — parsing: the small token parsers the commands share, the
 * dispatch of a line to its command's row (cmd.c, cmd_*.c) or to the
 * protocol's command, and whole scripts, line by line, with file:line:col
 * errors.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- small token parsers ----------------------------------------------------- */

bool p_duration(struct parser *p, sim_time *out, bool sign)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD && simtime_parse(t->text, out, sign)) {
		p_next(p);
		return true;
	}
	p_error(p, t,
		sign ? _("expected a duration like +200ms, got %s")
		     : _("expected a duration like 500ms, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

bool p_uint(struct parser *p, uint64_t *out, const char *what)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD && isdigit((unsigned char)t->text[0])) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(t->text, &end, 10);
		if (!*end && !errno) {
			*out = v;
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected %s, got %s"), what, p_got(t, got, sizeof got));
	return false;
}

bool p_percent(struct parser *p, uint32_t *ppm)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		char *end;
		double v = strtod(t->text, &end);
		if (end != t->text && !strcmp(end, "%") && v >= 0 && v <= 100) {
			*ppm = (uint32_t)(v * 10000 + 0.5);
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected a percentage from 0%% to 100%% like 20%%, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

bool p_drift(struct parser *p, int32_t *ppm)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		char *end;
		double v = strtod(t->text, &end);
		if (end != t->text && (!strcmp(end, "%") || !strcmp(end, "ppm"))) {
			double scaled = *end == '%' ? v * 10000 : v;
			if (scaled >= -500000 && scaled <= 500000) {
				*ppm = (int32_t)(scaled + (scaled < 0 ? -0.5 : 0.5));
				p_next(p);
				return true;
			}
		}
	}
	p_error(p, t, _("expected a drift between -50%% and +50%% like +1%% or 200ppm, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

bool p_rate(struct parser *p, uint64_t *bps)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_WORD) {
		if (!strcmp(t->text, "unlimited")) {
			*bps = 0;
			p_next(p);
			return true;
		}
		char *end;
		double v = strtod(t->text, &end);
		double mul = !strcmp(end, "B/s")    ? 1
			     : !strcmp(end, "kB/s") ? 1e3
			     : !strcmp(end, "MB/s") ? 1e6
			     : !strcmp(end, "GB/s") ? 1e9
						    : -1;
		if (end != t->text && mul > 0 && v > 0 && v * mul < 1e15) {
			*bps = (uint64_t)(v * mul + 0.5);
			if (*bps == 0)
				*bps = 1;
			p_next(p);
			return true;
		}
	}
	p_error(p, t, _("expected a bandwidth like 1MB/s, 100kB/s or unlimited, got %s"),
		p_got(t, got, sizeof got));
	return false;
}

bool p_end(struct parser *p)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind == TK_END)
		return true;
	p_error(p, t, _("expected the end of the command, got %s"), p_got(t, got, sizeof got));
	return false;
}

bool p_value(struct parser *p, char *out, size_t max, const char *what)
{
	const struct token *t = p_peek(p);
	char got[80];
	if (t->kind != TK_WORD && t->kind != TK_STRING) {
		p_error(p, t, _("expected %s, got %s"), what, p_got(t, got, sizeof got));
		return false;
	}
	if (strlen(t->text) >= max) {
		p_error(p, t, _("too long: at most %zu characters"), max - 1);
		return false;
	}
	ns_strlcpy(out, t->text, max);
	p_next(p);
	return true;
}

/* ---- one command -------------------------------------------------------------- */

struct cmd *parse_cmd(struct parser *p)
{
	const struct token *t = p_next(p);
	char got[80];
	struct cmd *c = xcalloc(1, sizeof *c);
	c->lineno = p->lineno;
	c->col = t->col;
	c->src = xstrdup(p->ln->src);
	const char *w = t->kind == TK_WORD ? t->text : "";
	bool ok = false;
	if ((c->e = cmd_find(w))) {
		if (c->e->size)
			c->args = xcalloc(1, c->e->size);
		ok = c->e->parse(p, c);
	} else if (cmd_proto_lookup(p, w, c)) {
		ok = c->e->parse(p, c);
	} else {
		p_error(p, t, _("unknown command %s (try `help`)"), p_got(t, got, sizeof got));
	}
	if (!ok) {
		cmd_free(c);
		return NULL;
	}
	return c;
}

void cmd_free(struct cmd *c)
{
	if (!c)
		return;
	free(c->src);
	if (c->args && c->e->free)
		c->e->free(c->args);
	free(c->args);
	free(c);
}

/* ---- scripts ---------------------------------------------------------------------- */

struct script *script_parse(const char *text, const char *file, struct world *w, struct sbuf *err)
{
	return script_parse_at(text, file, 1, w && world_sim(w) ? sim_proto(world_sim(w)) : NULL,
			       err);
}

const struct proto_ops *script_protocol(const struct script *sc, const struct proto_ops *before)
{
	return sc && sc->proto ? sc->proto : before;
}

struct script *script_parse_at(const char *text, const char *file, int first_line,
			       const struct proto_ops *proto, struct sbuf *err)
{
	struct script *sc = xcalloc(1, sizeof *sc);
	sc->refs = 1;
	sc->file = file ? xstrdup(file) : NULL;
	struct parser p = {.file = file, .err = err, .proto = proto};
	const char *s = text;
	int lineno = first_line - 1;
	while (*s) {
		lineno++;
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *buf = xstrndup(s, len);
		struct line ln;
		bool ok = lex_line(buf, lineno, &ln, file, err);
		free(buf);
		if (!ok)
			goto fail;
		if (ln.ntok > 1) {
			p.ln = &ln;
			p.pos = 0;
			p.lineno = lineno;
			struct cmd *c = parse_cmd(&p);
			if (c && !p_at_end(&p)) {
				char got[80];
				p_error(&p, p_peek(&p),
					_("expected the end of the command, got %s"),
					p_got(p_peek(&p), got, sizeof got));
				cmd_free(c);
				c = NULL;
			}
			if (!c) {
				line_free(&ln);
				goto fail;
			}
			xgrow((void **)&sc->cmd, &sc->cap, (size_t)sc->n + 1, sizeof *sc->cmd);
			sc->cmd[sc->n++] = c;
		}
		line_free(&ln);
		s += len;
		if (*s == '\n')
			s++;
	}
	sc->proto = p.cluster_proto;
	return sc;
fail:
	sc->refs = 1;
	script_free(sc);
	return NULL;
}

void script_free(struct script *sc)
{
	if (!sc || --sc->refs > 0)
		return;
	for (int i = 0; i < sc->n; i++)
		cmd_free(sc->cmd[i]);
	free(sc->cmd);
	free(sc->file);
	free(sc);
}

int script_len(const struct script *sc)
{
	return sc ? sc->n : 0;
}

/*
 * history_io.c — histories in files: netsplit's JSON lines, Jepsen's EDN
 * operation maps (Knossos' and Porcupine's test data), and Jepsen's log
 * lines (Porcupine's etcd logs). Formats are documented in docs/HISTORY.md.
 *
 * One small reader serves EDN and JSON: they share strings, numbers,
 * vectors/arrays and maps; EDN adds keywords, lists, sets, comments and
 * tags, and JSON's ':' between a key and its value is read as white space
 * (like EDN's ','). Every value remembers its line, so bad input is reported
 * as file:line.
 *
 * Jepsen's events are paired per process: a process runs one operation at
 * a time, so a completion (:ok, :fail, :info) belongs to the process's
 * pending invocation. An invocation still pending at the end of the file is
 * unknown (open to the end), as Knossos treats it. Times of imported
 * histories are event numbers (see history.h).
 */
#include "check/history.h"

#include "util/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the reader ------------------------------------------------------------ */

enum edn_kind { EDN_NIL, EDN_BOOL, EDN_NUM, EDN_STR, EDN_KW, EDN_SYM, EDN_VEC, EDN_MAP };

struct edn {
	enum edn_kind k;
	int line;
	char *s; /* NUM/STR/KW/SYM text (KW without its ':') */
	bool b;
	struct edn **items; /* VEC (also lists and sets), MAP (k0 v0 k1 v1 ...) */
	int n;
};

struct rd {
	const char *p, *end;
	int line;
	bool json;
	const char *name;
	struct sbuf *err;
	bool failed;
};

static void edn_free(struct edn *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n; i++)
		edn_free(v->items[i]);
	free(v->items);
	free(v->s);
	free(v);
}

static void rd_error(struct rd *r, int line, const char *fmt, ...) NS_PRINTF(3, 4);
static void rd_error(struct rd *r, int line, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	sbuf_printf(r->err, "%s:%d: ", r->name, line);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(r->err, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct rd *r)
{
	while (r->p < r->end) {
		char c = *r->p;
		if (c == '\n') {
			r->line++;
			r->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == ',' ||
			   (r->json && c == ':')) {
			r->p++;
		} else if (c == ';' && !r->json) {
			while (r->p < r->end && *r->p != '\n')
				r->p++;
		} else {
			break;
		}
	}
}

static bool is_delim(char c)
{
	return isspace((unsigned char)c) || c == ',' || c == '[' || c == ']' || c == '(' ||
	       c == ')' || c == '{' || c == '}' || c == '"' || c == ';';
}

static struct edn *new_val(enum edn_kind k, int line)
{
	struct edn *v = xcalloc(1, sizeof *v);
	v->k = k;
	v->line = line;
	return v;
}

static void put_utf8(struct sbuf *b, unsigned cp)
{
	if (cp < 0x80) {
		sbuf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sbuf_putc(b, (char)(0xc0 | cp >> 6));
		sbuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		sbuf_putc(b, (char)(0xe0 | cp >> 12));
		sbuf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sbuf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

static struct edn *read_val(struct rd *r, int depth);

static struct edn *read_coll(struct rd *r, enum edn_kind k, char close, int depth)
{
	struct edn *v = new_val(k, r->line);
	size_t cap = 0;
	r->p++; /* the opening bracket */
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end) {
			rd_error(r, v->line, _("'%c' opened here is never closed"),
				 close == ']'   ? '['
				 : close == ')' ? '('
						: '{');
			edn_free(v);
			return NULL;
		}
		if (*r->p == close) {
			r->p++;
			break;
		}
		if (*r->p == ']' || *r->p == ')' || *r->p == '}') {
			rd_error(r, r->line, _("unexpected '%c' (expected '%c')"), *r->p, close);
			edn_free(v);
			return NULL;
		}
		struct edn *it = read_val(r, depth + 1);
		if (!it) {
			edn_free(v);
			return NULL;
		}
		xgrow((void **)&v->items, &cap, (size_t)v->n + 1, sizeof *v->items);
		v->items[v->n++] = it;
	}
	if (k == EDN_MAP && v->n % 2) {
		rd_error(r, v->line, _("a map needs an even number of forms"));
		edn_free(v);
		return NULL;
	}
	return v;
}

static struct edn *read_str(struct rd *r)
{
	struct edn *v = new_val(EDN_STR, r->line);
	struct sbuf b = {0};
	sbuf_puts(&b, "");
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		char c = *r->p++;
		if (c == '\n')
			r->line++;
		if (c != '\\') {
			sbuf_putc(&b, c);
			continue;
		}
		if (r->p >= r->end)
			break;
		c = *r->p++;
		switch (c) {
		case 'n': sbuf_putc(&b, '\n'); break;
		case 't': sbuf_putc(&b, '\t'); break;
		case 'r': sbuf_putc(&b, '\r'); break;
		case 'b': sbuf_putc(&b, '\b'); break;
		case 'f': sbuf_putc(&b, '\f'); break;
		case 'u': {
			unsigned cp = 0;
			int k;
			for (k = 0; k < 4 && r->p < r->end && isxdigit((unsigned char)*r->p); k++) {
				char h = *r->p++;
				cp = cp * 16 + (unsigned)(isdigit((unsigned char)h)
							      ? h - '0'
							      : (tolower(h) - 'a' + 10));
			}
			if (k < 4) {
				rd_error(r, r->line, _("bad \\u escape in a string"));
				sbuf_free(&b);
				edn_free(v);
				return NULL;
			}
			put_utf8(&b, cp);
			break;
		}
		default: sbuf_putc(&b, c); break;
		}
	}
	if (r->p >= r->end) {
		rd_error(r, v->line, _("unterminated string"));
		sbuf_free(&b);
		edn_free(v);
		return NULL;
	}
	r->p++;
	v->s = sbuf_take(&b);
	return v;
}

static struct edn *read_val(struct rd *r, int depth)
{
	skip_ws(r);
	if (r->p >= r->end) {
		rd_error(r, r->line, _("unexpected end of file"));
		return NULL;
	}
	if (depth > 64) {
		rd_error(r, r->line, _("nested too deeply"));
		return NULL;
	}
	char c = *r->p;
	switch (c) {
	case '[': return read_coll(r, EDN_VEC, ']', depth);
	case '(': return read_coll(r, EDN_VEC, ')', depth);
	case '{': return read_coll(r, EDN_MAP, '}', depth);
	case '"': return read_str(r);
	case '#':
		if (r->json)
			break;
		if (r->p + 1 < r->end && r->p[1] == '{') {
			r->p++;
			return read_coll(r, EDN_VEC, '}', depth);
		}
		if (r->p + 1 < r->end && r->p[1] == '_') {
			r->p += 2;
			edn_free(read_val(r, depth + 1));
			return r->failed ? NULL : read_val(r, depth);
		}
		/* A tagged literal (#inst "..."): the tag is dropped. */
		while (r->p < r->end && !is_delim(*r->p))
			r->p++;
		return read_val(r, depth + 1);
	default: break;
	}
	const char *s = r->p;
	while (r->p < r->end && !is_delim(*r->p) && !(r->json && *r->p == ':'))
		r->p++;
	if (r->p == s) {
		rd_error(r, r->line, _("unexpected '%c'"), c);
		return NULL;
	}
	size_t n = (size_t)(r->p - s);
	if ((n == 3 && !memcmp(s, "nil", 3)) || (n == 4 && !memcmp(s, "null", 4)))
		return new_val(EDN_NIL, r->line);
	if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5))) {
		struct edn *v = new_val(EDN_BOOL, r->line);
		v->b = *s == 't';
		return v;
	}
	struct edn *v;
	if (*s == ':' && !r->json) {
		v = new_val(EDN_KW, r->line);
		v->s = xstrndup(s + 1, n - 1);
	} else if (isdigit((unsigned char)*s) ||
		   ((*s == '-' || *s == '+') && n > 1 && isdigit((unsigned char)s[1]))) {
		v = new_val(EDN_NUM, r->line);
		/* Clojure's N and M suffixes (bigint, bigdec) are not part of
		 * the value. */
		if (n > 1 && (s[n - 1] == 'N' || s[n - 1] == 'M'))
			n--;
		v->s = xstrndup(*s == '+' ? s + 1 : s, *s == '+' ? n - 1 : n);
	} else if (r->json) {
		rd_error(r, r->line, _("unexpected '%.*s'"), (int)MIN(n, 20), s);
		return NULL;
	} else {
		v = new_val(EDN_SYM, r->line);
		v->s = xstrndup(s, n);
	}
	return v;
}

/* The value of key `k` in map m: EDN keyword :k or JSON string "k". */
static const struct edn *map_get(const struct edn *m, const char *k)
{
	for (int i = 0; i + 1 < m->n; i += 2) {
		const struct edn *key = m->items[i];
		if ((key->k == EDN_KW || key->k == EDN_STR) && !strcmp(key->s, k))
			return m->items[i + 1];
	}
	return NULL;
}

/* A scalar as a history value: numbers, strings, keywords and symbols by
 * their text; nil as NULL. Returns false for collections. */
static bool scalar(const struct edn *v, const char **out)
{
	if (!v || v->k == EDN_NIL) {
		*out = NULL;
		return true;
	}
	if (v->k == EDN_VEC || v->k == EDN_MAP)
		return false;
	*out = v->k == EDN_BOOL ? (v->b ? "true" : "false") : v->s;
	return true;
}

/* ---- Jepsen events ------------------------------------------------------------ */

struct pending {
	int process;
	uint32_t op;
};

/* The operations still running, one per process at most: an array (in
 * the order they were invoked, but for swap-removal) and a hash table of
 * process -> index in it + 1,
 * so that pairing an event with its invocation is O(1), not a scan. A
 * process keeps its slot in the table once seen (value 0 when idle). */
struct pairing {
	struct pending *p;
	size_t n, cap;
	int64_t events;
	uint32_t last; /* the operation the last completion completed */
	int64_t *pkey; /* process of each table slot, PROC_EMPTY if none */
	uint32_t *pv;  /* index in p + 1, 0 when the process is idle */
	size_t tcap, tn;
};

#define PROC_EMPTY INT64_MIN

static size_t proc_slot(const struct pairing *pr, int process)
{
	uint64_t x = (uint64_t)(unsigned)process * 0x9e3779b97f4a7c15ULL;
	size_t j = (size_t)(x ^ (x >> 32)) & (pr->tcap - 1);
	while (pr->pkey[j] != PROC_EMPTY && pr->pkey[j] != process)
		j = (j + 1) & (pr->tcap - 1);
	return j;
}

/* The table slot of process (added if new). */
static size_t proc_entry(struct pairing *pr, int process)
{
	if ((pr->tn + 1) * 2 > pr->tcap) {
		size_t oc = pr->tcap, nc = oc ? oc * 2 : 64;
		int64_t *ok = pr->pkey;
		uint32_t *ov = pr->pv;
		pr->pkey = xmalloc(nc * sizeof *pr->pkey);
		pr->pv = xcalloc(nc, sizeof *pr->pv);
		for (size_t j = 0; j < nc; j++)
			pr->pkey[j] = PROC_EMPTY;
		pr->tcap = nc;
		for (size_t j = 0; j < oc; j++) {
			if (ok[j] == PROC_EMPTY)
				continue;
			size_t t = proc_slot(pr, (int)ok[j]);
			pr->pkey[t] = ok[j];
			pr->pv[t] = ov[j];
		}
		free(ok);
		free(ov);
	}
	size_t j = proc_slot(pr, process);
	if (pr->pkey[j] == PROC_EMPTY) {
		pr->pkey[j] = process;
		pr->tn++;
	}
	return j;
}

/* The index in pr->p of process's running operation, or -1. */
static int find_pending(struct pairing *pr, int process)
{
	size_t j = proc_entry(pr, process); /* may grow pv: before reading it */
	return (int)pr->pv[j] - 1;
}

static void pending_add(struct pairing *pr, int process, uint32_t op)
{
	xgrow((void **)&pr->p, &pr->cap, pr->n + 1, sizeof *pr->p);
	pr->p[pr->n++] = (struct pending){process, op};
	size_t j = proc_entry(pr, process);
	pr->pv[j] = (uint32_t)pr->n;
}

static void pending_remove(struct pairing *pr, int pi)
{
	/* The processes are in the table already: no growth here. */
	size_t j = proc_entry(pr, pr->p[pi].process);
	pr->pv[j] = 0;
	pr->p[pi] = pr->p[--pr->n];
	if ((size_t)pi < pr->n) {
		j = proc_entry(pr, pr->p[pi].process);
		pr->pv[j] = (uint32_t)pi + 1;
	}
}

static bool parse_fn(const char *f, enum hist_fn *out)
{
	static const struct {
		const char *name;
		enum hist_fn fn;
	} fns[] = {
	    {"read", HIST_READ}, {"get", HIST_READ},        {"write", HIST_WRITE},
	    {"put", HIST_WRITE}, {"cas", HIST_CAS},         {"append", HIST_APPEND},
	    {"txn", HIST_TXN},   {"acquire", HIST_ACQUIRE}, {"release", HIST_RELEASE},
	};
	for (size_t i = 0; i < ARRAY_LEN(fns); i++) {
		if (!strcmp(f, fns[i].name)) {
			*out = fns[i].fn;
			return true;
		}
	}
	return false;
}

/* Reads a transaction's micro-ops [[:read :x 0] [:write :y 2]]. */
static bool read_mops(struct rd *r, const struct edn *v, struct hist_mop **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!v || v->k != EDN_VEC) {
		rd_error(r, v ? v->line : r->line,
			 _("a txn's value must be a vector of [f key value]"));
		return false;
	}
	*out = xcalloc((size_t)(v->n ? v->n : 1), sizeof **out);
	for (int i = 0; i < v->n; i++) {
		const struct edn *m = v->items[i];
		const char *f, *k, *val;
		if (m->k != EDN_VEC || m->n != 3 || !scalar(m->items[0], &f) || !f ||
		    !scalar(m->items[1], &k) || !k || !scalar(m->items[2], &val) ||
		    (strcmp(f, "read") && strcmp(f, "r") && strcmp(f, "write") && strcmp(f, "w"))) {
			rd_error(r, m->line,
				 _("a micro-op must be [:read key value] or [:write key value]"));
			free(*out);
			*out = NULL;
			return false;
		}
		(*out)[i].write = f[0] == 'w';
		(*out)[i].key = k;
		(*out)[i].val = val;
	}
	*n = v->n;
	return true;
}

/* One Jepsen event. f/type/value are already extracted; value may be NULL
 * (nil). Returns false on bad input (r->err set). */
static bool jepsen_event(struct history *h, struct rd *r, struct pairing *pr, int line, int process,
			 const char *type, const char *fstr, const char *key,
			 const struct edn *value)
{
	enum hist_fn fn;
	if (!parse_fn(fstr, &fn)) {
		rd_error(r, line, _("unknown operation :%s"), fstr);
		return false;
	}
	int64_t t = pr->events++;
	int pi = find_pending(pr, process);
	if (!strcmp(type, "invoke")) {
		if (pi >= 0) {
			rd_error(r, line,
				 _("process %d invokes :%s while its operation from line %d is "
				   "still running"),
				 process, fstr, h->ops[pr->p[pi].op].line);
			return false;
		}
		struct hist_op op = {0};
		op.process = process;
		op.node = -1;
		op.f = fn;
		op.key = key;
		op.invoked = t;
		op.completed = HIST_NEVER;
		op.gave_up = HIST_NEVER;
		op.outcome = OUT_PENDING;
		op.line = line;
		struct hist_mop *mops = NULL;
		switch (fn) {
		case HIST_WRITE:
		case HIST_APPEND:
			if (!scalar(value, &op.arg)) {
				rd_error(r, line, _(":%s needs a single value"), fstr);
				return false;
			}
			break;
		case HIST_CAS:
			if (!value || value->k != EDN_VEC || value->n != 2 ||
			    !scalar(value->items[0], &op.arg) ||
			    !scalar(value->items[1], &op.arg2)) {
				rd_error(r, line, _(":cas needs a value [expected new]"));
				return false;
			}
			break;
		case HIST_TXN:
			if (!read_mops(r, value, &mops, &op.nmops))
				return false;
			op.mops = mops;
			break;
		case HIST_READ:
		case HIST_ACQUIRE:
		case HIST_RELEASE: break;
		}
		uint32_t id = history_add(h, &op);
		free(mops);
		pending_add(pr, process, id);
		return true;
	}
	enum op_outcome out;
	if (!strcmp(type, "ok"))
		out = OUT_OK;
	else if (!strcmp(type, "fail"))
		out = OUT_FAIL;
	else if (!strcmp(type, "info"))
		out = OUT_UNKNOWN;
	else {
		rd_error(r, line, _("unknown :type :%s (expected :invoke, :ok, :fail or :info)"),
			 type);
		return false;
	}
	if (pi < 0) {
		rd_error(r, line, _("process %d completes :%s without having invoked it"), process,
			 fstr);
		return false;
	}
	uint32_t id = pr->p[pi].op;
	if (h->ops[id].f != fn) {
		rd_error(r, line, _("process %d completes :%s but invoked :%s on line %d"), process,
			 fstr, hist_fn_name(&h->ops[id]), h->ops[id].line);
		return false;
	}
	pending_remove(pr, pi);
	const char *res = NULL;
	if (out == OUT_OK && fn == HIST_READ && !scalar(value, &res)) {
		rd_error(r, line, _("a read's value must be a single value"));
		return false;
	}
	if (out == OUT_OK && fn == HIST_TXN) {
		struct hist_mop *mops;
		int n;
		if (!read_mops(r, value, &mops, &n))
			return false;
		history_set_mops(h, id, mops, n);
		free(mops);
	}
	history_complete(h, id, t, out, res, -1, NULL);
	h->ops[id].ret_line = line;
	pr->last = id;
	return true;
}

static void finish_pairing(struct history *h, struct pairing *pr)
{
	/* Still running at the end: unknown, open to the end. */
	for (size_t i = 0; i < pr->n; i++)
		history_complete(h, pr->p[i].op, pr->events, OUT_UNKNOWN, NULL, -1, NULL);
	free(pr->p);
	free(pr->pkey);
	free(pr->pv);
	memset(pr, 0, sizeof *pr);
}

/* An EDN map event. */
static bool edn_event(struct history *h, struct rd *r, struct pairing *pr, const struct edn *m)
{
	if (m->k != EDN_MAP) {
		rd_error(r, m->line,
			 _("expected an operation map {:process ... :type ... :f ...}"));
		return false;
	}
	const struct edn *proc = map_get(m, "process"), *type = map_get(m, "type"),
			 *f = map_get(m, "f"), *key = map_get(m, "key");
	if (proc && proc->k == EDN_KW)
		return true; /* :nemesis and other non-client processes */
	if (!proc || proc->k != EDN_NUM || !type || type->k != EDN_KW || !f ||
	    (f->k != EDN_KW && f->k != EDN_STR)) {
		rd_error(r, m->line, _("an operation needs :process (a number), :type and :f"));
		return false;
	}
	char *endp;
	long pnum = strtol(proc->s, &endp, 10);
	if (*endp || pnum < 0 || pnum > 1000000000L) {
		rd_error(r, proc->line, _("bad :process %s"), proc->s);
		return false;
	}
	const char *k = NULL;
	if (key && !scalar(key, &k)) {
		rd_error(r, key->line, _(":key must be a single value"));
		return false;
	}
	if (!jepsen_event(h, r, pr, m->line, (int)pnum, type->s, f->s, k, map_get(m, "value")))
		return false;
	/* netsplit's mark of a cas whose compare failed (history_write_edn):
	 * back to an ok cas with a false result. */
	const struct edn *err = map_get(m, "error");
	if (err && err->k == EDN_KW && !strcmp(err->s, "compare-failed") &&
	    !strcmp(type->s, "fail") && h->ops[pr->last].f == HIST_CAS) {
		h->ops[pr->last].outcome = OUT_OK;
		h->ops[pr->last].cas_false = true;
	}
	return true;
}

static bool parse_edn(struct history *h, struct rd *r)
{
	struct pairing pr = {0};
	h->has_times = false;
	h->jepsen = true;
	bool ok = true;
	skip_ws(r);
	/* Either one vector or list of maps, or maps one after another. */
	bool wrapped = r->p < r->end && (*r->p == '[' || *r->p == '(');
	char close = wrapped && *r->p == '(' ? ')' : ']';
	int open_line = r->line;
	if (wrapped)
		r->p++;
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end) {
			if (wrapped) {
				rd_error(r, open_line, _("'%c' opened here is never closed"),
					 close == ']' ? '[' : '(');
				ok = false;
			}
			break;
		}
		if (wrapped && *r->p == close) {
			r->p++;
			skip_ws(r);
			if (r->p < r->end) {
				rd_error(r, r->line, _("unexpected text after the history"));
				ok = false;
			}
			break;
		}
		struct edn *m = read_val(r, 0);
		if (!m) {
			ok = false;
			break;
		}
		ok = edn_event(h, r, &pr, m);
		edn_free(m);
		if (!ok)
			break;
	}
	finish_pairing(h, &pr);
	return ok;
}

/* "INFO  jepsen.util - 3	:ok	:cas	[3 0]" */
static bool parse_jepsen_log(struct history *h, struct rd *r)
{
	struct pairing pr = {0};
	h->has_times = false;
	h->jepsen = true;
	bool ok = true, any = false;
	const char *p = r->p;
	int line = 1;
	while (p < r->end && ok) {
		const char *eol = memchr(p, '\n', (size_t)(r->end - p));
		if (!eol)
			eol = r->end;
		const char *mark = NULL;
		for (const char *q = p; q + 14 <= eol; q++) {
			if (!memcmp(q, "jepsen.util - ", 14)) {
				mark = q + 14;
				break;
			}
		}
		if (mark) {
			char pbuf[32], tbuf[32], fbuf[32];
			int used = 0;
			size_t len = (size_t)(eol - mark);
			char *ln = xstrndup(mark, len);
			if (sscanf(ln, "%31s %31s %31s %n", pbuf, tbuf, fbuf, &used) < 3 ||
			    tbuf[0] != ':' || fbuf[0] != ':') {
				rd_error(r, line, _("expected \"<process> :<type> :<f> <value>\""));
				ok = false;
			} else if (isdigit((unsigned char)pbuf[0])) {
				any = true;
				struct rd vr = {ln + used, ln + len, line, false,
						r->name,   r->err,   false};
				struct edn *v = NULL;
				skip_ws(&vr);
				if (vr.p < vr.end)
					v = read_val(&vr, 0);
				if (vr.failed) {
					r->failed = true;
					ok = false;
				} else {
					ok = jepsen_event(h, r, &pr, line, atoi(pbuf), tbuf + 1,
							  fbuf + 1, NULL, v);
				}
				edn_free(v);
			}
			free(ln);
		}
		p = eol + 1;
		line++;
	}
	if (ok && !any) {
		for (const char *q = r->p; q < r->end; q++) {
			if (!isspace((unsigned char)*q)) {
				rd_error(
				    r, 1,
				    _("no Jepsen operation lines (\"jepsen.util - ...\") found"));
				ok = false;
				break;
			}
		}
	}
	finish_pairing(h, &pr);
	return ok;
}

/* ---- netsplit's JSON lines ----------------------------------------------------- */

static bool json_int(struct rd *r, const struct edn *v, const char *field, int64_t *out,
		     bool nullable)
{
	if (!v || v->k == EDN_NIL) {
		if (nullable) {
			*out = HIST_NEVER;
			return true;
		}
		rd_error(r, r->line, _("\"%s\" is missing"), field);
		return false;
	}
	char *end;
	errno = 0;
	long long x = v->k == EDN_NUM ? strtoll(v->s, &end, 10) : 0;
	if (v->k != EDN_NUM || *end || errno || x < 0) {
		rd_error(r, v->line, _("\"%s\" must be a non-negative integer"), field);
		return false;
	}
	*out = x;
	return true;
}

static bool json_str(struct rd *r, const struct edn *v, const char *field, const char **out)
{
	if (!v || v->k == EDN_NIL) {
		*out = NULL;
		return true;
	}
	if (v->k != EDN_STR) {
		rd_error(r, v->line, _("\"%s\" must be a string or null"), field);
		return false;
	}
	*out = v->s;
	return true;
}

static bool jsonl_op(struct history *h, struct rd *r, const struct edn *m)
{
	if (m->k != EDN_MAP) {
		rd_error(r, m->line, _("expected a JSON object"));
		return false;
	}
	if (map_get(m, "netsplit")) {
		const struct edn *t = map_get(m, "times");
		h->has_times = !(t && t->k == EDN_STR && !strcmp(t->s, "order"));
		return true;
	}
	struct hist_op op = {0};
	const char *f = NULL, *outcome = NULL, *node = NULL;
	int64_t client = 0;
	if (!json_str(r, map_get(m, "f"), "f", &f) || !f) {
		rd_error(r, m->line, _("\"f\" (get, put, cas, append, ...) is missing"));
		return false;
	}
	if (!parse_fn(f, &op.f)) {
		rd_error(r, m->line, _("unknown \"f\": \"%s\""), f);
		return false;
	}
	if (!json_int(r, map_get(m, "client"), "client", &client, false) ||
	    !json_str(r, map_get(m, "node"), "node", &node) ||
	    !json_str(r, map_get(m, "key"), "key", &op.key) ||
	    !json_str(r, map_get(m, "why"), "why", &op.why) ||
	    !json_int(r, map_get(m, "invoke"), "invoke", &op.invoked, false) ||
	    !json_int(r, map_get(m, "complete"), "complete", &op.completed, true) ||
	    !json_int(r, map_get(m, "gave_up"), "gave_up", &op.gave_up, true) ||
	    !json_str(r, map_get(m, "outcome"), "outcome", &outcome))
		return false;
	op.process = (int)MIN(client, 1000000000);
	op.node = -1;
	if (node) {
		char *end;
		long k = node[0] == 'n' ? strtol(node + 1, &end, 10) : 0;
		if (node[0] != 'n' || *end || k < 1 || k > SIM_MAX_NODES) {
			rd_error(r, m->line, _("bad \"node\": \"%s\" (expected n1, n2, ...)"),
				 node);
			return false;
		}
		op.node = (int)k - 1;
	}
	static const char *const outs[] = {"pending", "ok", "fail", "unknown"};
	int oi = -1;
	for (int i = 0; outcome && i < 4; i++)
		if (!strcmp(outcome, outs[i]))
			oi = i;
	if (oi < 0) {
		rd_error(r, m->line, _("\"outcome\" must be ok, fail, unknown or pending"));
		return false;
	}
	op.outcome = (enum op_outcome)oi;
	/* HIST_NEVER (INT64_MAX) stands for "never": as a time it would read as
	 * a missing completion, and the check below would blame the order. */
	const struct edn *cv = map_get(m, "complete");
	if (op.invoked == HIST_NEVER || (cv && cv->k != EDN_NIL && op.completed == HIST_NEVER)) {
		rd_error(r, m->line,
			 _("\"%s\" is %lld, too large: times must be below %lld, which stands for "
			   "never"),
			 op.invoked == HIST_NEVER ? "invoke" : "complete", (long long)HIST_NEVER,
			 (long long)HIST_NEVER);
		return false;
	}
	if ((op.outcome == OUT_OK || op.outcome == OUT_FAIL) &&
	    (op.completed == HIST_NEVER || op.completed < op.invoked)) {
		rd_error(r, m->line,
			 _("an ok or failed operation needs \"complete\" >= \"invoke\""));
		return false;
	}
	if (op.outcome == OUT_UNKNOWN || op.outcome == OUT_PENDING)
		op.completed = HIST_NEVER;
	switch (op.f) {
	case HIST_READ:
		if (!json_str(r, map_get(m, "result"), "result", &op.result))
			return false;
		break;
	case HIST_WRITE:
	case HIST_APPEND:
		if (!json_str(r, map_get(m, "value"), "value", &op.arg))
			return false;
		break;
	case HIST_CAS: {
		if (!json_str(r, map_get(m, "expect"), "expect", &op.arg) ||
		    !json_str(r, map_get(m, "value"), "value", &op.arg2))
			return false;
		/* "result": false — an ok cas whose compare failed. */
		const struct edn *res = map_get(m, "result");
		if (res && res->k != EDN_NIL && res->k != EDN_BOOL) {
			rd_error(r, res->line, _("a cas's \"result\" must be true or false"));
			return false;
		}
		op.cas_false = res && res->k == EDN_BOOL && !res->b;
		if (op.cas_false && op.outcome != OUT_OK) {
			rd_error(r, m->line, _("\"result\": false needs \"outcome\": \"ok\""));
			return false;
		}
		break;
	}
	case HIST_TXN: {
		struct hist_mop *mops;
		if (!read_mops(r, map_get(m, "ops"), &mops, &op.nmops))
			return false;
		op.mops = mops;
		break;
	}
	case HIST_ACQUIRE:
	case HIST_RELEASE: break;
	}
	op.line = op.ret_line = m->line;
	history_add(h, &op);
	free(op.f == HIST_TXN ? op.mops : NULL);
	return true;
}

static bool parse_jsonl(struct history *h, struct rd *r)
{
	r->json = true;
	h->has_times = true;
	for (;;) {
		skip_ws(r);
		if (r->p >= r->end)
			return true;
		int line = r->line;
		struct edn *m = read_val(r, 0);
		if (!m)
			return false;
		bool ok = jsonl_op(h, r, m);
		edn_free(m);
		if (!ok)
			return false;
		/* One object a line. */
		while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r'))
			r->p++;
		if (r->p < r->end && *r->p != '\n') {
			rd_error(r, line, _("one JSON object per line, please"));
			return false;
		}
	}
}

/* ---- detection, files ------------------------------------------------------- */

static const char *const fmt_names[] = {
    [HIST_FMT_AUTO] = "auto",
    [HIST_FMT_JSONL] = "jsonl",
    [HIST_FMT_EDN] = "edn",
    [HIST_FMT_JEPSEN_LOG] = "jepsen-log",
};

bool hist_format_parse(const char *name, enum hist_format *out)
{
	for (size_t i = 0; i < ARRAY_LEN(fmt_names); i++) {
		if (!strcmp(name, fmt_names[i])) {
			*out = (enum hist_format)i;
			return true;
		}
	}
	return false;
}

const char *hist_format_name(enum hist_format f)
{
	return (size_t)f < ARRAY_LEN(fmt_names) ? fmt_names[f] : "?";
}

enum hist_format history_detect(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	/* A Jepsen log has "jepsen.util" on one of its first lines (other
	 * log lines may come first). */
	const char *lim = text;
	for (int lines = 0; lim < end && lines < 20; lines++) {
		const char *eol = memchr(lim, '\n', (size_t)(end - lim));
		lim = eol ? eol + 1 : end;
	}
	for (const char *q = text; q + 11 <= lim; q++)
		if (!memcmp(q, "jepsen.util", 11))
			return HIST_FMT_JEPSEN_LOG;
	while (p < end && (isspace((unsigned char)*p) || *p == ','))
		p++;
	if (p == end)
		return HIST_FMT_JSONL;
	if (*p == '{') {
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		return p < end && *p == '"' ? HIST_FMT_JSONL : HIST_FMT_EDN;
	}
	return HIST_FMT_EDN; /* '[', '(', ';' and anything else: EDN reports */
}

bool history_parse(struct history *h, const char *text, size_t len, const char *name,
		   enum hist_format fmt, struct sbuf *err)
{
	struct rd r = {text, text + len, 1, false, name, err, false};
	if (fmt == HIST_FMT_AUTO)
		fmt = history_detect(text, len);
	switch (fmt) {
	case HIST_FMT_JSONL: return parse_jsonl(h, &r);
	case HIST_FMT_EDN: return parse_edn(h, &r);
	case HIST_FMT_JEPSEN_LOG: return parse_jepsen_log(h, &r);
	case HIST_FMT_AUTO: break;
	}
	return false;
}

bool history_load(struct history *h, const char *path, enum hist_format fmt, struct sbuf *err)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		sbuf_printf(err, "%s: %s", path, read_file_error(errno));
		return false;
	}
	bool ok = history_parse(h, text, len, path, fmt, err);
	free(text);
	return ok;
}

/* ---- writing ------------------------------------------------------------------ */

static void json_opt_str(struct sbuf *b, const char *field, const char *v)
{
	sbuf_printf(b, ",\"%s\":", field);
	if (v)
		sbuf_json_str(b, v);
	else
		sbuf_puts(b, "null");
}

void history_write_jsonl(const struct history *h, struct sbuf *out)
{
	sbuf_printf(out, "{\"netsplit\":\"history\",\"version\":1,\"times\":\"%s\"}\n",
		    h->has_times ? "us" : "order");
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_op *o = &h->ops[i];
		sbuf_printf(out, "{\"id\":%u,\"client\":%d,\"node\":", o->id, o->process);
		if (o->node >= 0)
			sbuf_printf(out, "\"n%d\"", o->node + 1);
		else
			sbuf_puts(out, "null");
		sbuf_printf(out, ",\"f\":\"%s\"", hist_fn_name(o));
		json_opt_str(out, "key", o->key);
		switch (o->f) {
		case HIST_READ: json_opt_str(out, "result", o->result); break;
		case HIST_WRITE:
		case HIST_APPEND: json_opt_str(out, "value", o->arg); break;
		case HIST_CAS:
			json_opt_str(out, "expect", o->arg);
			json_opt_str(out, "value", o->arg2);
			if (o->cas_false && o->outcome == OUT_OK)
				sbuf_puts(out, ",\"result\":false");
			break;
		case HIST_TXN:
			sbuf_puts(out, ",\"ops\":[");
			for (int k = 0; k < o->nmops; k++) {
				sbuf_printf(out, "%s[\"%s\",", k ? "," : "",
					    o->mops[k].write ? "w" : "r");
				sbuf_json_str(out, o->mops[k].key);
				sbuf_putc(out, ',');
				if (o->mops[k].val)
					sbuf_json_str(out, o->mops[k].val);
				else
					sbuf_puts(out, "null");
				sbuf_putc(out, ']');
			}
			sbuf_putc(out, ']');
			break;
		case HIST_ACQUIRE:
		case HIST_RELEASE: break;
		}
		sbuf_printf(out, ",\"invoke\":%lld,\"complete\":", (long long)o->invoked);
		if (o->completed != HIST_NEVER)
			sbuf_printf(out, "%lld", (long long)o->completed);
		else
			sbuf_puts(out, "null");
		if (o->gave_up != HIST_NEVER && o->outcome == OUT_UNKNOWN)
			sbuf_printf(out, ",\"gave_up\":%lld", (long long)o->gave_up);
		sbuf_printf(out, ",\"outcome\":\"%s\"", hist_outcome_name(o->outcome));
		if (o->why && (o->outcome != OUT_OK || o->cas_false))
			json_opt_str(out, "why", o->why);
		sbuf_puts(out, "}\n");
	}
}

/* An EDN scalar: integers stay numbers (Jepsen's registers hold numbers),
 * anything else is a string. */
static void edn_scalar(struct sbuf *b, const char *v)
{
	if (!v) {
		sbuf_puts(b, "nil");
		return;
	}
	const char *p = v + (*v == '-');
	bool num = *p && strlen(p) < 18;
	for (; *p && num; p++)
		num = isdigit((unsigned char)*p);
	if (num && !(v[0] == '0' && v[1]) && !(v[0] == '-' && v[1] == '0'))
		sbuf_puts(b, v);
	else
		sbuf_json_str(b, v); /* EDN strings escape like JSON's */
}

struct wev {
	int64_t t;
	int kind; /* 0 invoke, 1 completion */
	uint32_t op;
};

static int wev_cmp(const void *a, const void *b)
{
	const struct wev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind; /* invocations first: ties stay concurrent */
	return x->op < y->op ? -1 : x->op > y->op;
}

static void edn_value(struct sbuf *b, const struct hist_op *o, bool completion)
{
	switch (o->f) {
	case HIST_READ: edn_scalar(b, completion && o->outcome == OUT_OK ? o->result : NULL); break;
	case HIST_WRITE:
	case HIST_APPEND: edn_scalar(b, o->arg); break;
	case HIST_CAS:
		sbuf_putc(b, '[');
		edn_scalar(b, o->arg);
		sbuf_putc(b, ' ');
		edn_scalar(b, o->arg2);
		sbuf_putc(b, ']');
		break;
	case HIST_TXN:
		sbuf_putc(b, '[');
		for (int k = 0; k < o->nmops; k++) {
			sbuf_printf(b, "%s[:%s :%s ", k ? " " : "",
				    o->mops[k].write ? "write" : "read", o->mops[k].key);
			edn_scalar(b, !o->mops[k].write && !completion ? NULL : o->mops[k].val);
			sbuf_putc(b, ']');
		}
		sbuf_putc(b, ']');
		break;
	case HIST_ACQUIRE:
	case HIST_RELEASE: sbuf_puts(b, "nil"); break;
	}
}

void history_write_edn(const struct history *h, struct sbuf *out)
{
	struct wev *ev = xmalloc((h->n * 2 + 1) * sizeof *ev);
	size_t ne = 0;
	int64_t last = 0;
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_op *o = &h->ops[i];
		ev[ne++] = (struct wev){o->invoked, 0, (uint32_t)i};
		int64_t t = o->completed != HIST_NEVER ? o->completed : o->gave_up;
		if (o->outcome != OUT_PENDING && t != HIST_NEVER)
			ev[ne++] = (struct wev){t, 1, (uint32_t)i};
		if (o->invoked > last)
			last = o->invoked;
	}
	/* An unknown op whose give-up time is not known ends with the file. */
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_op *o = &h->ops[i];
		if (o->outcome == OUT_UNKNOWN && o->completed == HIST_NEVER &&
		    o->gave_up == HIST_NEVER)
			ev[ne++] = (struct wev){last + 1, 1, (uint32_t)i};
	}
	qsort(ev, ne, sizeof *ev, wev_cmp);
	sbuf_puts(out, "[");
	for (size_t k = 0; k < ne; k++) {
		const struct hist_op *o = &h->ops[ev[k].op];
		static const char *const types[] = {"invoke", "ok", "fail", "info"};
		/* A false cas: Jepsen's :fail (nothing happened, so Knossos
		 * drops it, soundly), marked as the failed compare it was. */
		bool cf = ev[k].kind == 1 && o->cas_false && o->outcome == OUT_OK;
		const char *type = ev[k].kind == 0 ? types[0] : cf ? "fail" : types[o->outcome];
		sbuf_printf(out, "%s{:process %d, :type :%s, :f :%s", k ? "\n " : "", o->process,
			    type, hist_fn_name(o));
		if (o->key) {
			sbuf_puts(out, ", :key ");
			edn_scalar(out, o->key);
		}
		sbuf_puts(out, ", :value ");
		edn_value(out, o, ev[k].kind == 1);
		if (h->has_times)
			sbuf_printf(out, ", :time %lld", (long long)ev[k].t * 1000);
		if (o->node >= 0)
			sbuf_printf(out, ", :node \"n%d\"", o->node + 1);
		if (cf)
			sbuf_puts(out, ", :error :compare-failed");
		sbuf_puts(out, "}");
	}
	sbuf_puts(out, "]\n");
	free(ev);
}

bool history_save(const struct history *h, const char *path, enum hist_format fmt, struct sbuf *err)
{
	struct sbuf b = {0};
	if (fmt == HIST_FMT_EDN)
		history_write_edn(h, &b);
	else if (fmt == HIST_FMT_JSONL || fmt == HIST_FMT_AUTO)
		history_write_jsonl(h, &b);
	else {
		sbuf_printf(err, _("%s: cannot write the %s format"), path, hist_format_name(fmt));
		return false;
	}
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(sbuf_str(&b), 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		sbuf_printf(err, "%s: %s", path, read_file_error(errno));
	sbuf_free(&b);
	return ok;
}

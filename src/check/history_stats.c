/*
 * history_stats.c — the tally of a client history and stale reads (see
 * history_stats.h for the definitions).
 *
 * "Stale" here is the reader's view of what linearizability forbids: once
 * a write was acknowledged, every read that starts later must see it or
 * something newer (Herlihy & Wing, 1990: operations take effect between
 * invocation and response, in an order that respects real time). A stale
 * read is a counterexample a learner can point at without the checker.
 */
#include "check/history_stats.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool same_val(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return a == b || !strcmp(a, b);
}

static bool same_key(const char *a, const char *b)
{
	return same_val(a, b);
}

/* Reads of keys with anything but get and put are not judged. */
static bool key_is_plain(const struct history *h, const char *key)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_op *o = &h->ops[i];
		if (o->f != HIST_READ && o->f != HIST_WRITE && same_key(o->key, key))
			return false;
	}
	return true;
}

/* Whether read r is stale against the writes w[0..nw) of its key. */
static bool stale_among(const struct history *h, const struct hist_op *r, const uint32_t *w,
			size_t nw)
{
	const struct hist_op *ack = NULL;
	for (size_t i = 0; i < nw; i++) {
		const struct hist_op *o = &h->ops[w[i]];
		if (o->outcome == OUT_OK && o->completed < r->invoked &&
		    (!ack || o->completed > ack->completed))
			ack = o;
	}
	if (!ack || same_val(r->result, ack->arg))
		return false;
	/* Any write not known to precede the acknowledged one, invoked before
	 * the read completed, may be the value the read saw. */
	for (size_t i = 0; i < nw; i++) {
		const struct hist_op *o = &h->ops[w[i]];
		if (o == ack || o->outcome == OUT_FAIL)
			continue;
		if (o->invoked < r->completed && o->completed > ack->invoked &&
		    same_val(r->result, o->arg))
			return false;
	}
	return true;
}

static bool is_judged_read(const struct hist_op *o)
{
	return o->f == HIST_READ && o->outcome == OUT_OK && o->completed != HIST_NEVER;
}

bool history_read_is_stale(const struct history *h, uint32_t r)
{
	if (r >= h->n || !is_judged_read(&h->ops[r]))
		return false;
	const struct hist_op *rd = &h->ops[r];
	if (!key_is_plain(h, rd->key))
		return false;
	uint32_t *w = xcalloc(h->n + 1, sizeof *w);
	size_t nw = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->ops[i].f == HIST_WRITE && same_key(h->ops[i].key, rd->key))
			w[nw++] = (uint32_t)i;
	bool stale = stale_among(h, rd, w, nw);
	free(w);
	return stale;
}

/* An op for grouping by key: keys are interned in a history, so equal
 * keys are one pointer and sorting by pointer groups them. */
struct keyed {
	const char *key;
	uint32_t i;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return (uintptr_t)x->key < (uintptr_t)y->key ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void history_stats(const struct history *h, struct hist_stats *out)
{
	memset(out, 0, sizeof *out);
	out->ops = (int)h->n;
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_op *o = &h->ops[i];
		switch (o->outcome) {
		case OUT_OK: out->ok++; break;
		case OUT_FAIL: out->fail++; break;
		case OUT_UNKNOWN: out->unknown++; break;
		case OUT_PENDING: out->pending++; break;
		}
		if (is_judged_read(o))
			out->reads_ok++;
	}
	if (!h->n)
		return;
	/* Group by key: each group's writes against its reads. */
	struct keyed *idx = xcalloc(h->n, sizeof *idx);
	uint32_t *w = xcalloc(h->n, sizeof *w);
	for (size_t i = 0; i < h->n; i++)
		idx[i] = (struct keyed){h->ops[i].key, (uint32_t)i};
	qsort(idx, h->n, sizeof *idx, by_key);
	for (size_t lo = 0; lo < h->n;) {
		size_t hi = lo;
		bool plain = true;
		size_t nw = 0;
		while (hi < h->n && idx[hi].key == idx[lo].key) {
			const struct hist_op *o = &h->ops[idx[hi].i];
			if (o->f == HIST_WRITE)
				w[nw++] = idx[hi].i;
			else if (o->f != HIST_READ)
				plain = false;
			hi++;
		}
		for (size_t i = lo; plain && i < hi; i++) {
			const struct hist_op *o = &h->ops[idx[i].i];
			if (is_judged_read(o) && stale_among(h, o, w, nw))
				out->stale_reads++;
		}
		lo = hi;
	}
	free(idx);
	free(w);
}

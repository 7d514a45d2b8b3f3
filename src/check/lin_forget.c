/*
 * lin_forget.c — bounded memory for a long live session: the past of a
 * history that the incremental checker has folded (lin.c, fold) is
 * forgotten (history_forget), keeping aside the few operations the
 * checker still names. See lin_forget in lin.h.
 */
#include "check/lin_internal.h"

#include <stdlib.h>
#include <string.h>

struct idlist {
	uint32_t *v;
	size_t n, cap;
};

static void want(struct idlist *l, uint32_t id, size_t upto)
{
	if (id >= upto)
		return;
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = id;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

size_t lin_forget(struct lin_checker *c, struct history *h, size_t keep_recent)
{
	if (!c || h != c->h || h->epoch != c->epoch || c->known != h->n)
		return 0; /* not caught up: what it needs is not known yet */
	/* Every op before scan_from is final: nothing will change it. */
	size_t upto = c->scan_from;
	if (h->n < keep_recent)
		return 0;
	upto = MIN(upto, h->n - keep_recent);
	if (upto <= h->base)
		return 0;
	struct idlist keep = {0};
	for (int pi = 0; pi < c->nparts; pi++) {
		struct lin_part *p = c->parts[pi];
		if (c->bad_part >= 0 && pi != c->bad_part) {
			/* Not linearizable: that key's ops are the proof, and no
			 * other key is looked at again (sync adds nothing now). */
			p->n = p->nwitness = 0;
			p->anchor = UINT32_MAX;
			continue;
		}
		for (int i = 0; i < p->n; i++)
			want(&keep, p->hops[i], upto);
		if (p->anchor != UINT32_MAX)
			want(&keep, p->anchor, upto);
		for (int i = 0; i < p->nwitness; i++)
			want(&keep, p->witness[i], upto);
		for (int i = 0; i < p->ncore; i++)
			want(&keep, p->core[i], upto);
	}
	size_t span = upto - h->base + h->nkept, gained = 0;
	if (keep.n * 2 <= span) { /* else it would mostly copy what it keeps */
		if (keep.n)
			qsort(keep.v, keep.n, sizeof *keep.v, u32_cmp);
		size_t before = history_held(h);
		history_forget(h, upto, keep.v, keep.n);
		gained = before - history_held(h);
	}
	free(keep.v);
	/* The checker's own index: only ops from scan_from on are looked at. */
	size_t d = c->scan_from - c->part_base;
	if (d > 0) {
		size_t left = c->known - c->scan_from;
		memmove(c->part_of, c->part_of + d, left * sizeof *c->part_of);
		c->part_of = xrealloc(c->part_of, MAX(left, 1) * sizeof *c->part_of);
		c->part_base = c->scan_from;
	}
	return gained;
}

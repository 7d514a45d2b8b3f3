/*
 * dynamo_store.c — a node's versioned objects: each key holds the set of
 * its causally latest versions (siblings), merged by vector clock.
 *
 * DeCandia et al. §4.4: "Dynamo treats the result of each modification as
 * a new and immutable version of the data. ... Most of the time, new
 * versions subsume the previous version(s), and the system itself can
 * determine the authoritative version (syntactic reconciliation). However,
 * version branching may happen ... resulting in conflicting versions of an
 * object. In these cases, the system cannot reconcile the multiple versions
 * of the same object and the client must perform the reconciliation".
 *
 * Merging a version is idempotent, commutative and associative (it keeps
 * the maximal elements of a set under the clock order), which is what lets
 * replication, read repair, hinted handoff and anti-entropy all use it and
 * still converge. Every operation here is O(keys) or O(versions): a
 * teaching cluster holds a handful of each.
 */
#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

struct dyn_obj *dyn_store_find(const struct dyn_store *st, const char *key)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->o[i].key, key))
			return &st->o[i];
	return NULL;
}

struct dyn_obj *dyn_store_get(struct dyn_store *st, const char *key)
{
	struct dyn_obj *o = dyn_store_find(st, key);
	if (o)
		return o;
	size_t cap = (size_t)st->cap;
	xgrow((void **)&st->o, &cap, (size_t)st->n + 1, sizeof *st->o);
	st->cap = (int)cap;
	o = &st->o[st->n++];
	memset(o, 0, sizeof *o);
	ns_strlcpy(o->key, key, sizeof o->key);
	return o;
}

void dyn_obj_free(struct dyn_obj *o)
{
	if (!o)
		return;
	free(o->v);
	o->v = NULL;
	o->nv = o->cap = 0;
}

void dyn_store_free(struct dyn_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < st->n; i++)
		dyn_obj_free(&st->o[i]);
	free(st->o);
	memset(st, 0, sizeof *st);
}

static void obj_push(struct dyn_obj *o, const struct dyn_ver *v)
{
	size_t cap = (size_t)o->cap;
	xgrow((void **)&o->v, &cap, (size_t)o->nv + 1, sizeof *o->v);
	o->cap = (int)cap;
	o->v[o->nv++] = *v;
}

void dyn_obj_copy(struct dyn_obj *dst, const struct dyn_obj *src)
{
	memset(dst, 0, sizeof *dst);
	ns_strlcpy(dst->key, src->key, sizeof dst->key);
	dst->mine = src->mine;
	for (int i = 0; i < src->nv; i++)
		obj_push(dst, &src->v[i]);
}

bool dyn_obj_merge(struct dyn_obj *o, const struct dyn_ver *v)
{
	for (int i = 0; i < o->nv; i++)
		if (vclock_descends(&o->v[i].vc, &v->vc))
			return false; /* already held, or superseded */
	int k = 0;
	for (int i = 0; i < o->nv; i++)
		if (vclock_compare(&o->v[i].vc, &v->vc) != VC_BEFORE)
			o->v[k++] = o->v[i];
	o->nv = k;
	obj_push(o, v);
	return true;
}

bool dyn_obj_merge_all(struct dyn_obj *o, const struct dyn_obj *src)
{
	bool changed = false;
	for (int i = 0; i < src->nv; i++)
		changed |= dyn_obj_merge(o, &src->v[i]);
	return changed;
}

static int ver_cmp(const void *pa, const void *pb)
{
	const struct dyn_ver *a = pa, *b = pb;
	int c = strcmp(a->val, b->val);
	if (c)
		return c;
	if (a->dot_node != b->dot_node)
		return a->dot_node < b->dot_node ? -1 : 1;
	if (a->dot_ctr != b->dot_ctr)
		return a->dot_ctr < b->dot_ctr ? -1 : 1;
	return 0;
}

void dyn_obj_sort(struct dyn_obj *o)
{
	if (o->nv > 1)
		qsort(o->v, (size_t)o->nv, sizeof *o->v, ver_cmp);
}

/* FNV-1a, 64 bits: deterministic on every platform. */
uint64_t dyn_hash64(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t hash_u32(uint64_t h, uint32_t x)
{
	unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
			      (unsigned char)(x >> 24)};
	return dyn_hash64(b, 4, h);
}

uint64_t dyn_obj_hash(const struct dyn_obj *o)
{
	if (!o || !o->nv)
		return 0;
	struct dyn_obj c;
	dyn_obj_copy(&c, o);
	dyn_obj_sort(&c);
	uint64_t h = DYN_HASH_SEED;
	for (int i = 0; i < c.nv; i++) {
		const struct dyn_ver *v = &c.v[i];
		h = dyn_hash64(v->val, strlen(v->val) + 1, h);
		h = hash_u32(h, v->dot_node);
		h = hash_u32(h, v->dot_ctr);
		for (int k = 0; k < SIM_MAX_NODES; k++)
			if (v->vc.c[k]) {
				h = hash_u32(h, (uint32_t)k);
				h = hash_u32(h, v->vc.c[k]);
			}
	}
	dyn_obj_free(&c);
	return h ? h : 1;
}

static bool has_dot(const struct dyn_obj *o, const struct dyn_ver *v)
{
	for (int i = 0; i < o->nv; i++)
		if (o->v[i].dot_node == v->dot_node && o->v[i].dot_ctr == v->dot_ctr)
			return true;
	return false;
}

bool dyn_obj_same(const struct dyn_obj *a, const struct dyn_obj *b)
{
	int na = a ? a->nv : 0, nb = b ? b->nv : 0;
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (!has_dot(b, &a->v[i]))
			return false;
	return true;
}

void dyn_obj_values(const struct dyn_obj *o, char *out, size_t n)
{
	out[0] = '\0';
	if (!o || !o->nv)
		return;
	struct dyn_obj c;
	dyn_obj_copy(&c, o);
	dyn_obj_sort(&c);
	struct sbuf b = {0};
	for (int i = 0; i < c.nv; i++) {
		if (i && !strcmp(c.v[i].val, c.v[i - 1].val))
			continue; /* two versions, one value: the client sees it once */
		if (b.len)
			sbuf_putc(&b, '|');
		sbuf_puts(&b, c.v[i].val);
	}
	ns_strlcpy(out, sbuf_str(&b), n);
	sbuf_free(&b);
	dyn_obj_free(&c);
}

void dyn_obj_fmt(const struct dyn_obj *o, const char *sep, struct sbuf *out)
{
	sbuf_puts(out, o->key);
	if (!o->nv) {
		sbuf_puts(out, " (none)");
		return;
	}
	struct dyn_obj c;
	dyn_obj_copy(&c, o);
	dyn_obj_sort(&c);
	for (int i = 0; i < c.nv; i++) {
		sbuf_printf(out, "%s%s ", i ? " | " : sep, c.v[i].val);
		vclock_fmt(&c.v[i].vc, out);
	}
	dyn_obj_free(&c);
}

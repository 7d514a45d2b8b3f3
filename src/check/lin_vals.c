/*
 * lin_vals.c — the values and states of the checker's models, interned to
 * small integers, and the models' sequential specifications (lop_step).
 *
 * Interning makes a state one 32-bit id, so the memo table of the search
 * holds (bitset, id) and equal states are equal ids. Appends are memoised
 * by (state, value) so that replaying the same append costs one hash probe,
 * not a copy of a long string. Cost: every distinct state string is kept
 * until the key's checker is freed.
 */
#include "check/lin_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A polynomial hash, H(s) = sum s[i] * B^(len-1-i) mod 2^64, chosen because
 * H(s ++ a) = H(s) * B^len(a) + H(a): an append is hashed in O(1) from its
 * parts. It only picks buckets; equality is always checked byte by byte. */
#define POLY_B 0x100000001b3ULL

static uint64_t poly_hash(const void *p, size_t n, uint64_t *pw)
{
	const unsigned char *s = p;
	uint64_t h = 0, w = 1;
	for (size_t i = 0; i < n; i++) {
		h = h * POLY_B + s[i] + 1;
		w *= POLY_B;
	}
	*pw = w;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void lvals_init(struct lvals *v)
{
	memset(v, 0, sizeof *v);
	v->cap = 16;
	v->str = xcalloc(v->cap, sizeof *v->str);
	v->parent = xmalloc(v->cap * sizeof *v->parent);
	v->tail = xmalloc(v->cap * sizeof *v->tail);
	v->len = xmalloc(v->cap * sizeof *v->len);
	v->hash = xmalloc(v->cap * sizeof *v->hash);
	v->pw = xmalloc(v->cap * sizeof *v->pw);
	/* LV_ABSENT: a flat string of no bytes, never in the table. */
	v->parent[0] = LV_FLAT;
	v->tail[0] = 0;
	v->len[0] = 0;
	v->hash[0] = 0;
	v->pw[0] = 1;
	v->n = 1;
}

void lvals_free(struct lvals *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->str[i]);
	free(v->str);
	free(v->parent);
	free(v->tail);
	free(v->len);
	free(v->hash);
	free(v->pw);
	free(v->tab);
	free(v->app_key);
	free(v->app_val);
	for (int i = 0; i < 3; i++)
		free(v->scratch[i]);
	memset(v, 0, sizeof *v);
}

static uint64_t bucket(uint64_t h, size_t len)
{
	return mix64(h ^ (uint64_t)len * 0x9e3779b97f4a7c15ULL);
}

static void tab_rehash(struct lvals *v)
{
	size_t ncap = v->tcap ? v->tcap * 2 : 64;
	uint32_t *nt = xcalloc(ncap, sizeof *nt);
	for (size_t id = 1; id < v->n; id++) {
		size_t j = bucket(v->hash[id], v->len[id]) & (ncap - 1);
		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = (uint32_t)id + 1;
	}
	free(v->tab);
	v->tab = nt;
	v->tcap = ncap;
}

/* Writes the bytes of id at dst (which has room for len[id]). The parent
 * chain is walked iteratively (it can be thousands long), the appended
 * parts recursively (they are short, rarely chains themselves). */
static void write_out(const struct lvals *v, uint32_t id, char *dst)
{
	size_t end = v->len[id];
	while (v->parent[id] != LV_FLAT) {
		uint32_t t = v->tail[id];
		end -= v->len[t];
		write_out(v, t, dst + end);
		id = v->parent[id];
	}
	if (v->len[id])
		memcpy(dst, v->str[id], v->len[id]);
}

static char *scratch(struct lvals *v, int k, size_t need)
{
	if (need + 1 > v->scratch_cap[k]) {
		v->scratch_cap[k] =
		    need + 1 > 2 * v->scratch_cap[k] ? need + 1 : 2 * v->scratch_cap[k];
		v->scratch[k] = xrealloc(v->scratch[k], v->scratch_cap[k]);
	}
	return v->scratch[k];
}

/* The bytes of id: its own when flat, else written out into scratch k. */
static const char *bytes_of(struct lvals *v, uint32_t id, int k)
{
	if (v->parent[id] == LV_FLAT)
		return v->str[id];
	char *b = scratch(v, k, v->len[id]);
	write_out(v, id, b);
	b[v->len[id]] = '\0';
	return b;
}

/* Finds the id of the string q (len bytes, hash h), or returns the free
 * slot where it belongs as ~slot. q is computed only when a candidate's
 * hash and length agree: *q == NULL on entry means "a ++ b, not yet
 * written out" (qa, qb ids). */
static int64_t lookup(struct lvals *v, uint64_t h, size_t len, const char *q, uint32_t qa,
		      uint32_t qb)
{
	size_t j = bucket(h, len) & (v->tcap - 1);
	while (v->tab[j]) {
		uint32_t id = v->tab[j] - 1;
		if (v->hash[id] == h && v->len[id] == len) {
			if (!q) {
				char *b = scratch(v, 0, len);
				write_out(v, qa, b);
				write_out(v, qb, b + v->len[qa]);
				q = b;
			}
			if (!len || !memcmp(bytes_of(v, id, 1), q, len))
				return id;
		}
		j = (j + 1) & (v->tcap - 1);
	}
	return ~(int64_t)j;
}

static uint32_t new_id(struct lvals *v, size_t slot, uint64_t h, uint64_t pw, size_t len)
{
	if (v->n == v->cap) {
		size_t c = v->cap * 2;
		v->str = xrealloc(v->str, c * sizeof *v->str);
		v->parent = xrealloc(v->parent, c * sizeof *v->parent);
		v->tail = xrealloc(v->tail, c * sizeof *v->tail);
		v->len = xrealloc(v->len, c * sizeof *v->len);
		v->hash = xrealloc(v->hash, c * sizeof *v->hash);
		v->pw = xrealloc(v->pw, c * sizeof *v->pw);
		v->cap = c;
	}
	uint32_t id = (uint32_t)v->n++;
	v->str[id] = NULL;
	v->parent[id] = LV_FLAT;
	v->tail[id] = 0;
	v->len[id] = (uint32_t)len;
	v->hash[id] = h;
	v->pw[id] = pw;
	v->tab[slot] = id + 1;
	return id;
}

uint32_t lvals_intern(struct lvals *v, const void *bytes, size_t len)
{
	uint64_t pw, h = poly_hash(bytes, len, &pw);
	if ((v->n + 1) * 2 > v->tcap)
		tab_rehash(v);
	int64_t r = lookup(v, h, len, len ? bytes : "", 0, 0);
	if (r >= 0)
		return (uint32_t)r;
	uint32_t id = new_id(v, (size_t)~r, h, pw, len);
	v->flat_bytes += len + 1;
	v->str[id] = xmalloc(len + 1);
	if (len)
		memcpy(v->str[id], bytes, len);
	v->str[id][len] = '\0';
	return id;
}

size_t lvals_bytes_used(const struct lvals *v)
{
	size_t b = v->cap * (sizeof(char *) + 4 * sizeof(uint32_t) + 2 * sizeof(uint64_t)) +
		   v->tcap * sizeof(uint32_t) + v->app_cap * (sizeof(uint64_t) + sizeof(uint32_t));
	return b + v->flat_bytes;
}

uint32_t lvals_str(struct lvals *v, const char *s)
{
	return s ? lvals_intern(v, s, strlen(s)) : LV_ABSENT;
}

const char *lvals_bytes(struct lvals *v, uint32_t id, size_t *len)
{
	if (len)
		*len = id < v->n ? v->len[id] : 0;
	if (id >= v->n || id == LV_ABSENT)
		return NULL;
	return bytes_of(v, id, 2);
}

static void app_rehash(struct lvals *v)
{
	size_t ncap = v->app_cap ? v->app_cap * 2 : 256;
	uint64_t *nk = xmalloc(ncap * sizeof *nk);
	uint32_t *nv = xmalloc(ncap * sizeof *nv);
	memset(nk, 0xff, ncap * sizeof *nk);
	for (size_t i = 0; i < v->app_cap; i++) {
		if (v->app_key[i] == UINT64_MAX)
			continue;
		size_t j = mix64(v->app_key[i]) & (ncap - 1);
		while (nk[j] != UINT64_MAX)
			j = (j + 1) & (ncap - 1);
		nk[j] = v->app_key[i];
		nv[j] = v->app_val[i];
	}
	free(v->app_key);
	free(v->app_val);
	v->app_key = nk;
	v->app_val = nv;
	v->app_cap = ncap;
}

uint32_t lvals_append(struct lvals *v, uint32_t s, uint32_t a)
{
	if (v->len[a] == 0)
		return s == LV_ABSENT ? a : s; /* "" ++ nothing */
	if (v->len[s] == 0)
		return a;
	uint64_t key = (uint64_t)s << 32 | a;
	if ((v->app_n + 1) * 2 > v->app_cap)
		app_rehash(v);
	size_t j = mix64(key) & (v->app_cap - 1);
	while (v->app_key[j] != UINT64_MAX) {
		if (v->app_key[j] == key)
			return v->app_val[j];
		j = (j + 1) & (v->app_cap - 1);
	}
	size_t len = (size_t)v->len[s] + v->len[a];
	uint64_t h = v->hash[s] * v->pw[a] + v->hash[a];
	if ((v->n + 1) * 2 > v->tcap)
		tab_rehash(v);
	int64_t f = lookup(v, h, len, NULL, s, a);
	uint32_t r;
	if (f >= 0) {
		r = (uint32_t)f;
	} else {
		r = new_id(v, (size_t)~f, h, v->pw[s] * v->pw[a], len);
		v->parent[r] = s;
		v->tail[r] = a;
	}
	/* The string table is separate from the append table: slot j is
	 * still free. */
	v->app_key[j] = key;
	v->app_val[j] = r;
	v->app_n++;
	return r;
}

bool lop_step(struct lvals *v, const struct lmop *mops, uint32_t s, const struct lop *o,
	      uint32_t *next)
{
	switch ((enum lop_kind)o->kind) {
	case LOP_READ: *next = s; return o->a == LV_ANY || s == o->a;
	case LOP_WRITE: *next = o->a; return true;
	case LOP_CAS: *next = o->b; return s == o->a;
	case LOP_NOTCAS: *next = s; return s != o->a;
	case LOP_APPEND: *next = lvals_append(v, s, o->a); return true;
	case LOP_TXN: {
		/* The state is a vector of nregs value ids. */
		uint32_t vec[64];
		int nr = v->nregs;
		memcpy(vec, v->str[s], (size_t)nr * sizeof *vec);
		for (uint32_t k = o->a; k < o->a + o->b; k++) {
			const struct lmop *m = &mops[k];
			if (m->write)
				vec[m->reg] = m->val;
			else if (m->val != LV_ANY && vec[m->reg] != m->val)
				return false;
		}
		*next = lvals_intern(v, vec, (size_t)nr * sizeof *vec);
		return true;
	}
	}
	return false;
}

double lin_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

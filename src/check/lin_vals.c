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

static uint64_t bytes_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ n; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
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
	xgrow((void **)&v->str, &v->cap, 16, sizeof *v->str);
	v->len = xrealloc(v->len, v->cap * sizeof *v->len);
	v->hash = xrealloc(v->hash, v->cap * sizeof *v->hash);
	v->str[0] = NULL; /* LV_ABSENT */
	v->len[0] = 0;
	v->hash[0] = 0;
	v->n = 1;
}

void lvals_free(struct lvals *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->str[i]);
	free(v->str);
	free(v->len);
	free(v->hash);
	free(v->tab);
	free(v->app_key);
	free(v->app_val);
	memset(v, 0, sizeof *v);
}

static void tab_rehash(struct lvals *v)
{
	size_t ncap = v->tcap ? v->tcap * 2 : 64;
	uint32_t *nt = xcalloc(ncap, sizeof *nt);
	for (size_t id = 1; id < v->n; id++) {
		size_t j = v->hash[id] & (ncap - 1);
		while (nt[j])
			j = (j + 1) & (ncap - 1);
		nt[j] = (uint32_t)id + 1;
	}
	free(v->tab);
	v->tab = nt;
	v->tcap = ncap;
}

uint32_t lvals_intern(struct lvals *v, const void *bytes, size_t len)
{
	uint64_t h = bytes_hash(bytes, len);
	if ((v->n + 1) * 2 > v->tcap)
		tab_rehash(v);
	size_t j = h & (v->tcap - 1);
	while (v->tab[j]) {
		uint32_t id = v->tab[j] - 1;
		if (v->hash[id] == h && v->len[id] == len && !memcmp(v->str[id], bytes, len))
			return id;
		j = (j + 1) & (v->tcap - 1);
	}
	if (v->n == v->cap) {
		size_t c = v->cap;
		xgrow((void **)&v->str, &c, v->n + 1, sizeof *v->str);
		v->len = xrealloc(v->len, c * sizeof *v->len);
		v->hash = xrealloc(v->hash, c * sizeof *v->hash);
		v->cap = c;
	}
	uint32_t id = (uint32_t)v->n++;
	v->str[id] = xmalloc(len + 1);
	memcpy(v->str[id], bytes, len);
	v->str[id][len] = '\0';
	v->len[id] = (uint32_t)len;
	v->hash[id] = h;
	v->tab[j] = id + 1;
	return id;
}

uint32_t lvals_str(struct lvals *v, const char *s)
{
	return s ? lvals_intern(v, s, strlen(s)) : LV_ABSENT;
}

const char *lvals_bytes(const struct lvals *v, uint32_t id, size_t *len)
{
	if (len)
		*len = id < v->n ? v->len[id] : 0;
	return id < v->n ? v->str[id] : NULL;
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
	uint64_t key = (uint64_t)s << 32 | a;
	if ((v->app_n + 1) * 2 > v->app_cap)
		app_rehash(v);
	size_t j = mix64(key) & (v->app_cap - 1);
	while (v->app_key[j] != UINT64_MAX) {
		if (v->app_key[j] == key)
			return v->app_val[j];
		j = (j + 1) & (v->app_cap - 1);
	}
	size_t ls = v->len[s], la = v->len[a];
	char *buf = xmalloc(ls + la + 1);
	if (ls)
		memcpy(buf, v->str[s], ls);
	if (la)
		memcpy(buf + ls, v->str[a], la);
	uint32_t r = lvals_intern(v, buf, ls + la);
	free(buf);
	/* lvals_intern does not touch the append table: slot j is still ours. */
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

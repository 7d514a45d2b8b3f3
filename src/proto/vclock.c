/*
 * vclock.c — vector clocks: compare, merge, increment, text and wire forms.
 * See vclock.h for the contract and the rule from the Dynamo paper.
 */
#include "proto/vclock.h"

#include <stdlib.h>
#include <string.h>

void vclock_init(struct vclock *v)
{
	memset(v, 0, sizeof *v);
}

bool vclock_is_zero(const struct vclock *v)
{
	for (int i = 0; i < SIM_MAX_NODES; i++)
		if (v->c[i])
			return false;
	return true;
}

uint32_t vclock_increment(struct vclock *v, int i)
{
	if (v->c[i] != UINT32_MAX)
		v->c[i]++;
	return v->c[i];
}

void vclock_merge(struct vclock *dst, const struct vclock *src)
{
	for (int i = 0; i < SIM_MAX_NODES; i++)
		if (src->c[i] > dst->c[i])
			dst->c[i] = src->c[i];
}

enum vclock_order vclock_compare(const struct vclock *a, const struct vclock *b)
{
	bool less = false, more = false;
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		if (a->c[i] < b->c[i])
			less = true;
		else if (a->c[i] > b->c[i])
			more = true;
	}
	if (less && more)
		return VC_CONCURRENT;
	if (less)
		return VC_BEFORE;
	if (more)
		return VC_AFTER;
	return VC_EQUAL;
}

bool vclock_descends(const struct vclock *a, const struct vclock *b)
{
	for (int i = 0; i < SIM_MAX_NODES; i++)
		if (a->c[i] < b->c[i])
			return false;
	return true;
}

int vclock_entries(const struct vclock *v)
{
	int k = 0;
	for (int i = 0; i < SIM_MAX_NODES; i++)
		k += v->c[i] != 0;
	return k;
}

const char *vclock_order_str(enum vclock_order o)
{
	switch (o) {
	case VC_EQUAL: return "equal";
	case VC_BEFORE: return "before";
	case VC_AFTER: return "after";
	case VC_CONCURRENT: return "concurrent";
	}
	return "?";
}

void vclock_fmt(const struct vclock *v, struct sbuf *out)
{
	bool first = true;
	sbuf_putc(out, '[');
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		if (!v->c[i])
			continue;
		sbuf_printf(out, "%sn%d:%u", first ? "" : " ", i + 1, v->c[i]);
		first = false;
	}
	sbuf_putc(out, ']');
}

/* Reads an unsigned decimal in [lo, hi] at *p; advances *p. */
static bool read_num(const char **p, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *s = *p;
	uint64_t x = 0;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		x = x * 10 + (uint64_t)(*s - '0');
		if (x > hi)
			return false;
		s++;
	}
	if (x < lo)
		return false;
	*p = s;
	*out = x;
	return true;
}

bool vclock_parse(struct vclock *v, const char *text)
{
	const char *p = text;
	vclock_init(v);
	while (*p == ' ')
		p++;
	if (*p++ != '[')
		return false;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == ']')
			break;
		uint64_t node, cnt;
		if (*p++ != 'n' || !read_num(&p, 1, SIM_MAX_NODES, &node) || *p++ != ':' ||
		    !read_num(&p, 1, UINT32_MAX, &cnt))
			return false;
		if (v->c[node - 1])
			return false; /* a node named twice */
		v->c[node - 1] = (uint32_t)cnt;
		if (*p != ' ' && *p != ']')
			return false;
	}
	p++;
	while (*p == ' ')
		p++;
	return *p == '\0';
}

size_t vclock_wire_size(const struct vclock *v)
{
	return 1 + 5 * (size_t)vclock_entries(v);
}

size_t vclock_encode(const struct vclock *v, uint8_t *buf, size_t cap)
{
	size_t need = vclock_wire_size(v), k = 1;
	if (cap < need)
		return 0;
	buf[0] = (uint8_t)vclock_entries(v);
	for (int i = 0; i < SIM_MAX_NODES; i++) {
		if (!v->c[i])
			continue;
		buf[k++] = (uint8_t)i;
		for (int b = 0; b < 4; b++)
			buf[k++] = (uint8_t)(v->c[i] >> (8 * b));
	}
	return k;
}

size_t vclock_decode(struct vclock *v, const uint8_t *buf, size_t len)
{
	vclock_init(v);
	if (len < 1)
		return 0;
	size_t n = buf[0], k = 1;
	if (n > SIM_MAX_NODES || len < 1 + 5 * n)
		return 0;
	int prev = -1;
	for (size_t e = 0; e < n; e++) {
		int node = buf[k++];
		uint32_t c = 0;
		for (int b = 0; b < 4; b++)
			c |= (uint32_t)buf[k++] << (8 * b);
		if (node >= SIM_MAX_NODES || node <= prev || !c) {
			vclock_init(v);
			return 0;
		}
		v->c[node] = c;
		prev = node;
	}
	return k;
}

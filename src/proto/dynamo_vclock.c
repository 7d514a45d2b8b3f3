/*
 * dynamo_vclock.c — vector clocks for the dynamo protocol: sparse lists of
 * (node, counter) pairs, compared componentwise.
 *
 * DeCandia et al., "Dynamo" (SOSP 2007), §4.4: "A vector clock is
 * effectively a list of (node, counter) pairs. ... If the counters on the
 * first object's clock are less-than-or-equal to all of the nodes in the
 * second clock, then the first is an ancestor of the second and can be
 * forgotten. Otherwise, the two changes are considered to be in conflict
 * and require reconciliation." (Fidge 1988, Mattern 1988: a <= b
 * componentwise iff a happened before b or a = b.)
 *
 * The paper truncates a clock past a threshold (10 pairs), which can make
 * concurrent versions look ordered. netsplit never truncates: a write that
 * would need more than DYN_VC_MAX pairs is refused (see dyn_vc_set).
 *
 * This file is private to dynamo (prefix dyn_vc_) until a shared vector
 * clock module exists; the lead may unify them.
 */
#include "proto/dynamo_internal.h"

#include <string.h>

uint32_t dyn_vc_get(const struct dyn_vc *vc, int node)
{
	for (int i = 0; i < vc->n; i++)
		if (vc->e[i].node == node)
			return vc->e[i].ctr;
	return 0;
}

bool dyn_vc_set(struct dyn_vc *vc, int node, uint32_t ctr)
{
	int i = 0;
	while (i < vc->n && vc->e[i].node < node)
		i++;
	if (i < vc->n && vc->e[i].node == node) {
		vc->e[i].ctr = ctr;
		return true;
	}
	if (vc->n == DYN_VC_MAX)
		return false;
	memmove(&vc->e[i + 1], &vc->e[i], (size_t)(vc->n - i) * sizeof vc->e[0]);
	vc->e[i] = (struct dyn_vc_entry){(uint16_t)node, ctr};
	vc->n++;
	return true;
}

bool dyn_vc_merge(struct dyn_vc *into, const struct dyn_vc *b)
{
	struct dyn_vc out = {0};
	int i = 0, j = 0;
	while (i < into->n || j < b->n) {
		struct dyn_vc_entry e;
		if (j >= b->n || (i < into->n && into->e[i].node < b->e[j].node)) {
			e = into->e[i++];
		} else if (i >= into->n || b->e[j].node < into->e[i].node) {
			e = b->e[j++];
		} else {
			e = into->e[i];
			e.ctr = MAX(into->e[i].ctr, b->e[j].ctr);
			i++;
			j++;
		}
		if (out.n == DYN_VC_MAX)
			return false;
		out.e[out.n++] = e;
	}
	*into = out;
	return true;
}

enum dyn_vc_ord dyn_vc_cmp(const struct dyn_vc *a, const struct dyn_vc *b)
{
	bool a_less = false, b_less = false; /* some component smaller in a / in b */
	int i = 0, j = 0;
	while (i < a->n || j < b->n) {
		uint32_t x, y;
		if (j >= b->n || (i < a->n && a->e[i].node < b->e[j].node)) {
			x = a->e[i++].ctr;
			y = 0;
		} else if (i >= a->n || b->e[j].node < a->e[i].node) {
			x = 0;
			y = b->e[j++].ctr;
		} else {
			x = a->e[i++].ctr;
			y = b->e[j++].ctr;
		}
		if (x < y)
			a_less = true;
		else if (y < x)
			b_less = true;
	}
	if (a_less && b_less)
		return DYN_VC_CONCURRENT;
	if (a_less)
		return DYN_VC_BEFORE;
	if (b_less)
		return DYN_VC_AFTER;
	return DYN_VC_EQUAL;
}

bool dyn_vc_leq(const struct dyn_vc *a, const struct dyn_vc *b)
{
	enum dyn_vc_ord o = dyn_vc_cmp(a, b);
	return o == DYN_VC_EQUAL || o == DYN_VC_BEFORE;
}

void dyn_vc_fmt(const struct dyn_vc *vc, struct sbuf *out)
{
	sbuf_putc(out, '[');
	for (int i = 0; i < vc->n; i++)
		sbuf_printf(out, "%sn%d:%u", i ? "," : "", vc->e[i].node + 1, vc->e[i].ctr);
	sbuf_putc(out, ']');
}

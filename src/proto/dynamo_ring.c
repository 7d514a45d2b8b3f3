/*
 * dynamo_ring.c — consistent hashing: node tokens on a 32-bit ring, key
 * ranges between consecutive tokens, and preference lists.
 *
 * DeCandia et al. §4.2: "the output range of a hash function is treated as
 * a fixed circular space or 'ring' ... Each node in the system is assigned
 * a random value within this space which represents its 'position' on the
 * ring. Each data item identified by a key is assigned to a node by hashing
 * the data item's key to yield its position on the ring, and then walking
 * the ring clockwise to find the first node with a position larger than the
 * item's position." With virtual nodes, "each node can be responsible for
 * more than one virtual node".
 *
 * §4.3: "the preference list for a key is constructed by skipping positions
 * in the ring to ensure that the list contains only distinct physical
 * nodes."
 *
 * Positions are not random here but a hash of the token's name ("n2#0"),
 * so that every node — and every run — computes the same ring from the
 * number of nodes alone; that stands in for the paper's gossiped membership
 * (§4.8.1), which a fixed simulated cluster does not need.
 */
#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

/* FNV-1a spreads short, similar names ("n1#0", "n2#0") poorly over the
 * ring; MurmurHash3's 64-bit finaliser mixes every input bit into all the
 * output bits. */
static uint32_t pos_of(const char *s)
{
	uint64_t h = dyn_hash64(s, strlen(s), DYN_HASH_SEED);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)(h >> 32);
}

uint32_t dyn_key_pos(const char *key)
{
	return pos_of(key);
}

static int tok_cmp(const void *pa, const void *pb)
{
	const struct dyn_token *a = pa, *b = pb;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->node - b->node;
}

void dyn_ring_build(struct dyn_ring *r, int nodes, int vnodes)
{
	free(r->tok);
	r->nodes = nodes;
	r->vnodes = vnodes;
	r->ntok = nodes * vnodes;
	r->tok = xcalloc((size_t)r->ntok, sizeof *r->tok);
	for (int i = 0; i < nodes; i++)
		for (int v = 0; v < vnodes; v++) {
			char name[32];
			ns_snprintf(name, sizeof name, "n%d#%d", i + 1, v);
			r->tok[i * vnodes + v] = (struct dyn_token){pos_of(name), i};
		}
	qsort(r->tok, (size_t)r->ntok, sizeof *r->tok, tok_cmp);
}

void dyn_ring_free(struct dyn_ring *r)
{
	if (!r)
		return;
	free(r->tok);
	memset(r, 0, sizeof *r);
}

int dyn_ring_range(const struct dyn_ring *r, uint32_t pos)
{
	int lo = 0, hi = r->ntok; /* first token with tok.pos >= pos */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (r->tok[mid].pos < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == r->ntok ? 0 : lo;
}

int dyn_ring_walk(const struct dyn_ring *r, int start, int want, const struct nodeset *skip,
		  int *out)
{
	struct nodeset seen = {{0, 0}};
	int k = 0;
	for (int i = 0; i < r->ntok && k < want; i++) {
		int node = r->tok[(start + i) % r->ntok].node;
		if (nodeset_has(&seen, node))
			continue;
		nodeset_add(&seen, node);
		if (skip && nodeset_has(skip, node))
			continue;
		out[k++] = node;
	}
	return k;
}

int dyn_ring_pref(const struct dyn_ring *r, const char *key, int n, int *out)
{
	return dyn_ring_walk(r, dyn_ring_range(r, dyn_key_pos(key)), n, NULL, out);
}

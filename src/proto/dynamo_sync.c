/*
 * dynamo_sync.c — what runs in the background: the failure detector,
 * hinted handoff and anti-entropy.
 *
 * Failure detection. §4.8.3: "node A may consider node B failed if node B
 * does not respond to node A's messages (even if B is responsive to node
 * C's messages)." Each node sends a Ping to every peer each `ping`
 * interval and suspects a peer it has not heard anything from for
 * `suspect`; a request that times out also makes the coordinator suspect
 * the targets that did not answer (dynamo_coord.c). Any message from a
 * peer makes it trusted again. The view is local and may be wrong, which
 * is the point: a sloppy quorum acts on it.
 *
 * Hinted handoff. §4.6: "Nodes that receive hinted replicas will keep them
 * in a separate local database that is scanned periodically. Upon
 * detecting that A has recovered, D will attempt to deliver the replica to
 * A. Once the transfer succeeds, D may delete the object from its local
 * store without decreasing the total number of replicas in the system."
 * At each ping tick a node sends every hinted copy whose owner it trusts
 * (Handoff); the owner merges it and acknowledges with the versions it
 * took (HandoffAck); the holder then drops those versions, and the hint
 * once it is empty.
 *
 * Anti-entropy. §4.7: "A Merkle tree is a hash tree where leaves are
 * hashes of the values of individual keys. Parent nodes higher in the tree
 * are hashes of their respective children. ... Each node maintains a
 * separate Merkle tree for each key range (the set of keys covered by a
 * virtual node) it hosts." Here the tree has two levels, computed when
 * needed rather than maintained: a leaf is the hash of one key's versions
 * (dyn_obj_hash) and the root of a range is the hash of its (key, leaf)
 * pairs in key order. Each `anti-entropy` interval a node takes the next
 * range it replicates, picks another replica of it it trusts, and sends the
 * root (Digest). Equal roots end the exchange. Otherwise the peer answers
 * with its leaves (KeyDigests), and for each key whose leaves differ the
 * initiator sends its versions and asks for the peer's (Sync). Merging is
 * idempotent, so every exchange only moves replicas toward the union of
 * their latest versions: after healing, they converge.
 */
#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

void dyn_ping_tick(struct dyn *d)
{
	sim_time now = node_local_now(d->n);
	int me = d->n->id, count = node_count(d->n);
	for (int p = 0; p < count; p++) {
		if (p == me || d->suspect[p] || now - d->heard[p] <= dyn_opt(d, DYN_OPT_SUSPECT))
			continue;
		d->suspect[p] = true;
		node_state(d->n, "suspects n%d (silent for more than %lldms)", p + 1,
			   (long long)(dyn_opt(d, DYN_OPT_SUSPECT) / SIM_MS));
	}
	struct dyn_wire ping = {.type = DYN_PING, .req = ++d->ping_seq, .hint = -1};
	for (int p = 0; p < count; p++)
		if (p != me)
			dyn_send(d, p, &ping);
	for (int i = 0; i < d->nhints; i++) {
		struct dyn_hint *h = &d->hints[i];
		if (h->obj.nv && dyn_trusts(d, h->owner)) {
			struct dyn_wire w = {.type = DYN_HANDOFF, .hint = h->owner, .obj = h->obj};
			dyn_send(d, h->owner, &w);
		}
	}
	node_set_timer(d->n, DYN_TIMER_PING, dyn_opt(d, DYN_OPT_PING));
}

void dyn_on_handoff(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	d->changes++;
	if (dyn_obj_merge_all(dyn_store_get(&d->store, w->obj.key), &w->obj))
		node_state(d->n, "took back %s from n%d (hinted handoff)", w->obj.key, m->from + 1);
	struct dyn_wire a = {.type = DYN_HANDOFF_ACK, .hint = d->n->id, .obj = w->obj};
	dyn_send(d, m->from, &a);
}

void dyn_on_handoff_ack(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	for (int i = 0; i < d->nhints; i++) {
		struct dyn_hint *h = &d->hints[i];
		if (h->owner != m->from || strcmp(h->obj.key, w->obj.key))
			continue;
		/* Keep only what the owner has not acknowledged. */
		d->changes++;
		int k = 0;
		for (int j = 0; j < h->obj.nv; j++) {
			bool delivered = false;
			for (int a = 0; a < w->obj.nv && !delivered; a++)
				delivered = vclock_descends(&w->obj.v[a].vc, &h->obj.v[j].vc);
			if (!delivered)
				h->obj.v[k++] = h->obj.v[j];
		}
		h->obj.nv = k;
		if (!k) {
			d->stat_handoffs++;
			node_state(d->n, "handed %s back to n%d; hinted copy deleted", w->obj.key,
				   m->from + 1);
			dyn_obj_free(&h->obj);
			d->hints[i] = d->hints[--d->nhints];
		}
		return;
	}
}

static bool in_range(struct dyn *d, const struct dyn_obj *o, int range)
{
	return o->nv && dyn_ring_range(dyn_ring_of(d), dyn_key_pos(o->key)) == range;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint64_t dyn_range_hash(struct dyn *d, int range)
{
	const char **keys = xcalloc((size_t)d->store.n + 1, sizeof *keys);
	int k = 0;
	for (int i = 0; i < d->store.n; i++)
		if (in_range(d, &d->store.o[i], range))
			keys[k++] = d->store.o[i].key;
	qsort(keys, (size_t)k, sizeof *keys, key_cmp);
	uint64_t h = k ? DYN_HASH_SEED : 0;
	for (int i = 0; i < k; i++) {
		uint64_t leaf = dyn_obj_hash(dyn_store_find(&d->store, keys[i]));
		h = dyn_hash64(keys[i], strlen(keys[i]) + 1, h);
		h = dyn_hash64(&leaf, sizeof leaf, h);
	}
	free(keys);
	return h;
}

void dyn_ae_tick(struct dyn *d)
{
	const struct dyn_ring *ring = dyn_ring_of(d);
	int n = MIN(dyn_n(d), ring->nodes), reps[DYN_N_MAX];
	for (int step = 0; step < ring->ntok; step++) {
		int range = (d->ae_next + step) % ring->ntok;
		int k = dyn_ring_walk(ring, range, n, NULL, reps), peers[DYN_N_MAX], np = 0;
		bool mine = false;
		for (int i = 0; i < k; i++) {
			if (reps[i] == d->n->id)
				mine = true;
			else if (dyn_trusts(d, reps[i]))
				peers[np++] = reps[i];
		}
		if (!mine || !np)
			continue;
		d->ae_next = range + 1;
		int peer = peers[node_rand_range(d->n, 0, np - 1)];
		struct dyn_wire w = {.type = DYN_DIGEST,
				     .hint = -1,
				     .range = range,
				     .hash = dyn_range_hash(d, range)};
		dyn_send(d, peer, &w);
		break;
	}
	if (dyn_opt(d, DYN_OPT_ANTI_ENTROPY))
		node_set_timer(d->n, DYN_TIMER_AE, dyn_opt(d, DYN_OPT_ANTI_ENTROPY));
}

void dyn_on_digest(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	if (w->range < 0 || w->range >= dyn_ring_of(d)->ntok ||
	    dyn_range_hash(d, w->range) == w->hash)
		return;
	struct dyn_wire a = {.type = DYN_KEY_DIGESTS, .hint = -1, .range = w->range};
	a.keys = xcalloc((size_t)d->store.n + 1, sizeof *a.keys);
	a.hashes = xcalloc((size_t)d->store.n + 1, sizeof *a.hashes);
	for (int i = 0; i < d->store.n; i++)
		if (in_range(d, &d->store.o[i], w->range)) {
			ns_strlcpy(a.keys[a.nkeys], d->store.o[i].key, KV_KEY_MAX);
			a.hashes[a.nkeys++] = dyn_obj_hash(&d->store.o[i]);
		}
	dyn_send(d, m->from, &a);
	free(a.keys);
	free(a.hashes);
}

static void send_sync(struct dyn *d, int to, int range, const char *key, bool want_back)
{
	struct dyn_wire s = {.type = DYN_SYNC, .hint = -1, .range = range, .flags = want_back};
	const struct dyn_obj *o = dyn_store_find(&d->store, key);
	if (o)
		s.obj = *o; /* borrowed for the encoding */
	else
		ns_strlcpy(s.obj.key, key, sizeof s.obj.key);
	dyn_send(d, to, &s);
}

void dyn_on_key_digests(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	if (w->range < 0 || w->range >= dyn_ring_of(d)->ntok)
		return;
	for (int i = 0; i < d->store.n; i++) {
		const struct dyn_obj *o = &d->store.o[i];
		if (!in_range(d, o, w->range))
			continue;
		uint64_t theirs = 0;
		for (int k = 0; k < w->nkeys; k++)
			if (!strcmp(w->keys[k], o->key))
				theirs = w->hashes[k];
		if (theirs != dyn_obj_hash(o))
			send_sync(d, m->from, w->range, o->key, true);
	}
	for (int k = 0; k < w->nkeys; k++) {
		const struct dyn_obj *o = dyn_store_find(&d->store, w->keys[k]);
		if (!o || !o->nv)
			send_sync(d, m->from, w->range, w->keys[k], true);
	}
}

void dyn_on_sync(struct dyn *d, const struct msg *m, const struct dyn_wire *w)
{
	d->changes++;
	if (w->obj.nv && dyn_obj_merge_all(dyn_store_get(&d->store, w->obj.key), &w->obj)) {
		d->stat_syncs++;
		node_state(d->n, "anti-entropy: %s updated from n%d", w->obj.key, m->from + 1);
	}
	if (w->flags & 1) {
		const struct dyn_obj *o = dyn_store_find(&d->store, w->obj.key);
		if (o && o->nv && !dyn_obj_same(o, &w->obj))
			send_sync(d, m->from, w->range, w->obj.key, false);
	}
}

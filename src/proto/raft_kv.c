/*
 * raft_kv.c — the replicated state machine: a key-value map (put, cas,
 * append; gets are served by raft_read.c) with client sessions.
 *
 * §8: "if the leader crashes after committing the log entry but before
 * responding to the client, the client will retry the command with a new
 * leader, causing it to be executed a second time. The solution is for
 * clients to assign unique serial numbers to every command. Then, the state
 * machine tracks the latest serial number processed for each client, along
 * with the associated response. If it receives a command whose serial
 * number has already been executed, it responds immediately without
 * re-executing the request." Thesis §6.3 calls this a session. Clients of
 * the simulator are sequential (one operation at a time), so the latest
 * command of each client is all a session needs to remember.
 *
 * The map is an array of items plus an open-addressing index (FNV-1a,
 * linear probing); keys are never deleted. Sessions are an array indexed by
 * client number. The whole thing is plain data so that a snapshot is a deep
 * copy and InstallSnapshot carries it as bytes.
 */
#include "proto/raft.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV_BASIS 14695981039346656037ULL

struct raft_kv *raft_kv_new(void)
{
	return xcalloc(1, sizeof(struct raft_kv));
}

void raft_kv_free(struct raft_kv *kv)
{
	if (!kv)
		return;
	free(kv->items);
	free(kv->slots);
	free(kv->sess);
	free(kv);
}

struct raft_kv *raft_kv_copy(const struct raft_kv *kv)
{
	struct raft_kv *c = raft_kv_new();
	if (!kv)
		return c;
	*c = *kv;
	c->items = kv->capitems ? xmalloc(kv->capitems * sizeof *kv->items) : NULL;
	if (kv->nitems)
		memcpy(c->items, kv->items, kv->nitems * sizeof *kv->items);
	c->slots = kv->nslots ? xmalloc(kv->nslots * sizeof *kv->slots) : NULL;
	if (kv->nslots)
		memcpy(c->slots, kv->slots, kv->nslots * sizeof *kv->slots);
	c->sess = kv->nsess ? xmalloc(kv->nsess * sizeof *kv->sess) : NULL;
	if (kv->nsess)
		memcpy(c->sess, kv->sess, kv->nsess * sizeof *kv->sess);
	return c;
}

static size_t key_slot(const struct raft_kv *kv, const char *key)
{
	return (size_t)fnv(FNV_BASIS, key, strlen(key)) & (kv->nslots - 1);
}

static struct raft_kv_item *find(const struct raft_kv *kv, const char *key)
{
	if (!kv || !kv->nslots)
		return NULL;
	for (size_t i = key_slot(kv, key);; i = (i + 1) & (kv->nslots - 1)) {
		uint32_t s = kv->slots[i];
		if (!s)
			return NULL;
		if (!strcmp(kv->items[s - 1].key, key))
			return &kv->items[s - 1];
	}
}

static void reindex(struct raft_kv *kv, size_t nslots)
{
	free(kv->slots);
	kv->nslots = nslots;
	kv->slots = xcalloc(nslots, sizeof *kv->slots);
	for (size_t k = 0; k < kv->nitems; k++) {
		size_t i = key_slot(kv, kv->items[k].key);
		while (kv->slots[i])
			i = (i + 1) & (nslots - 1);
		kv->slots[i] = (uint32_t)k + 1;
	}
}

static struct raft_kv_item *insert(struct raft_kv *kv, const char *key)
{
	struct raft_kv_item *it = find(kv, key);
	if (it)
		return it;
	if ((kv->nitems + 1) * 2 > kv->nslots)
		reindex(kv, kv->nslots ? kv->nslots * 2 : 16);
	xgrow((void **)&kv->items, &kv->capitems, kv->nitems + 1, sizeof *kv->items);
	it = &kv->items[kv->nitems++];
	memset(it, 0, sizeof *it);
	ns_strlcpy(it->key, key, sizeof it->key);
	size_t i = key_slot(kv, key);
	while (kv->slots[i])
		i = (i + 1) & (kv->nslots - 1);
	kv->slots[i] = (uint32_t)kv->nitems;
	return it;
}

const char *raft_kv_get(const struct raft_kv *kv, const char *key)
{
	const struct raft_kv_item *it = find(kv, key);
	return it ? it->val : NULL;
}

const struct raft_session *raft_kv_session(const struct raft_kv *kv, int client)
{
	if (!kv || client < 0 || (size_t)client >= kv->nsess || !kv->sess[client].seq)
		return NULL;
	return &kv->sess[client];
}

uint64_t raft_entry_hash(const struct raft_entry *e)
{
	uint64_t h = fnv(FNV_BASIS, &e->type, 1);
	switch (e->type) {
	case RAFT_ENTRY_CMD:
		h = fnv(h, &e->client, sizeof e->client);
		h = fnv(h, &e->seq, sizeof e->seq);
		h = fnv(h, &e->op.fn, sizeof e->op.fn);
		h = fnv(h, e->op.key, strnlen(e->op.key, sizeof e->op.key));
		h = fnv(h, e->op.arg, strnlen(e->op.arg, sizeof e->op.arg));
		h = fnv(h, e->op.arg2, strnlen(e->op.arg2, sizeof e->op.arg2));
		break;
	case RAFT_ENTRY_CONFIG: h = fnv(h, &e->config, sizeof e->config); break;
	}
	return h;
}

void raft_kv_apply(struct raft_kv *kv, const struct raft_entry *e, struct client_reply *out)
{
	memset(out, 0, sizeof *out);
	out->leader_hint = -1;
	kv->applied_hash =
	    fnv(kv->applied_hash ? kv->applied_hash : FNV_BASIS, &e->term, sizeof e->term);
	uint64_t h = raft_entry_hash(e);
	kv->applied_hash = fnv(kv->applied_hash, &h, sizeof h);
	if (e->type != RAFT_ENTRY_CMD || e->client < 0)
		return;
	if ((size_t)e->client >= kv->nsess) {
		size_t n = (size_t)e->client + 8;
		kv->sess = xrealloc(kv->sess, n * sizeof *kv->sess);
		memset(kv->sess + kv->nsess, 0, (n - kv->nsess) * sizeof *kv->sess);
		kv->nsess = n;
	}
	struct raft_session *s = &kv->sess[e->client];
	if (e->seq <= s->seq) {
		/* A duplicate: answer what the first execution answered. */
		out->status = s->status;
		out->found = s->found;
		ns_strlcpy(out->value, s->value, sizeof out->value);
		ns_strlcpy(out->why, s->why, sizeof out->why);
		return;
	}
	struct raft_kv_item *it;
	switch (e->op.fn) {
	case KV_PUT:
		it = insert(kv, e->op.key);
		ns_strlcpy(it->val, e->op.arg, sizeof it->val);
		out->status = REPLY_OK;
		break;
	case KV_APPEND: {
		it = insert(kv, e->op.key);
		size_t len = strlen(it->val);
		ns_strlcpy(it->val + len, e->op.arg, sizeof it->val - len);
		out->status = REPLY_OK;
		break;
	}
	case KV_CAS:
		it = find(kv, e->op.key);
		if (it && !strcmp(it->val, e->op.arg)) {
			ns_strlcpy(it->val, e->op.arg2, sizeof it->val);
			out->status = REPLY_OK;
		} else {
			out->status = REPLY_FAIL;
			if (it)
				ns_snprintf(out->why, sizeof out->why, "cas: %s is %s, not %s",
					    e->op.key, it->val, e->op.arg);
			else
				ns_snprintf(out->why, sizeof out->why, "cas: %s is unset",
					    e->op.key);
		}
		break;
	case KV_GET: {
		/* Not logged by raft_client.c, but a log may carry one. */
		const struct raft_kv_item *g = find(kv, e->op.key);
		out->status = REPLY_OK;
		out->found = g != NULL;
		if (g)
			ns_strlcpy(out->value, g->val, sizeof out->value);
		break;
	}
	}
	s->seq = e->seq;
	s->status = (uint8_t)out->status;
	s->found = out->found;
	ns_strlcpy(s->value, out->value, sizeof s->value);
	ns_strlcpy(s->why, out->why, sizeof s->why);
}

/* Encoding: u64 applied_hash, u32 nitems, u32 nsess, items, sessions. */
void raft_kv_encode(const struct raft_kv *kv, struct sbuf *out)
{
	uint64_t h = kv ? kv->applied_hash : 0;
	uint32_t ni = kv ? (uint32_t)kv->nitems : 0, ns = kv ? (uint32_t)kv->nsess : 0;
	sbuf_add(out, (const char *)&h, sizeof h);
	sbuf_add(out, (const char *)&ni, sizeof ni);
	sbuf_add(out, (const char *)&ns, sizeof ns);
	if (ni)
		sbuf_add(out, (const char *)kv->items, ni * sizeof *kv->items);
	if (ns)
		sbuf_add(out, (const char *)kv->sess, ns * sizeof *kv->sess);
}

struct raft_kv *raft_kv_decode(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h;
	uint32_t ni, ns;
	if (len < sizeof h + 2 * sizeof ni)
		return NULL;
	memcpy(&h, p, sizeof h);
	memcpy(&ni, p + sizeof h, sizeof ni);
	memcpy(&ns, p + sizeof h + sizeof ni, sizeof ns);
	size_t off = sizeof h + 2 * sizeof ni;
	if (len != off + (size_t)ni * sizeof(struct raft_kv_item) +
		       (size_t)ns * sizeof(struct raft_session))
		return NULL;
	struct raft_kv *kv = raft_kv_new();
	kv->applied_hash = h;
	for (uint32_t k = 0; k < ni; k++) {
		struct raft_kv_item it;
		memcpy(&it, p + off + k * sizeof it, sizeof it);
		it.key[KV_KEY_MAX - 1] = it.val[KV_VAL_MAX - 1] = '\0';
		ns_strlcpy(insert(kv, it.key)->val, it.val, KV_VAL_MAX);
	}
	off += (size_t)ni * sizeof(struct raft_kv_item);
	if (ns) {
		kv->sess = xmalloc(ns * sizeof *kv->sess);
		memcpy(kv->sess, p + off, ns * sizeof *kv->sess);
		kv->nsess = ns;
	}
	return kv;
}

void raft_entry_fmt(const struct raft_entry *e, char *buf, size_t n)
{
	switch (e->type) {
	case RAFT_ENTRY_NOOP: ns_strlcpy(buf, "no-op", n); return;
	case RAFT_ENTRY_CONFIG:
		ns_snprintf(buf, n, "config %sn%d", e->change_add ? "+" : "-", e->change_node + 1);
		return;
	}
	switch (e->op.fn) {
	case KV_GET: ns_snprintf(buf, n, "get %s", e->op.key); return;
	case KV_PUT: ns_snprintf(buf, n, "put %s %s", e->op.key, e->op.arg); return;
	case KV_APPEND: ns_snprintf(buf, n, "append %s %s", e->op.key, e->op.arg); return;
	case KV_CAS: ns_snprintf(buf, n, "cas %s %s %s", e->op.key, e->op.arg, e->op.arg2); return;
	}
	ns_strlcpy(buf, "?", n);
}

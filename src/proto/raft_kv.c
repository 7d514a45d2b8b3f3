/*
 * raft_kv.c — Raft's replicated state machine: the shared key-value machine
 * with client sessions (proto/kv.c; gets are served by raft_read.c), the
 * chain hash of what was applied (for the checker), its snapshot form and
 * the words for log entries.
 *
 * §8: "if the leader crashes after committing the log entry but before
 * responding to the client, the client will retry the command with a new
 * leader, causing it to be executed a second time. The solution is for
 * clients to assign unique serial numbers to every command. Then, the state
 * machine tracks the latest serial number processed for each client, along
 * with the associated response." kv_apply does exactly that; a snapshot is
 * a deep copy of the machine, and InstallSnapshot carries it as bytes.
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
	struct raft_kv *kv = xcalloc(1, sizeof *kv);
	kv_init(&kv->m);
	return kv;
}

void raft_kv_free(struct raft_kv *kv)
{
	if (!kv)
		return;
	kv_close(&kv->m);
	free(kv);
}

struct raft_kv *raft_kv_copy(const struct raft_kv *kv)
{
	struct raft_kv *c = raft_kv_new();
	if (!kv)
		return c;
	kv_copy(&c->m, &kv->m);
	c->applied_hash = kv->applied_hash;
	return c;
}

const char *raft_kv_get(const struct raft_kv *kv, const char *key)
{
	return kv ? kv_get(&kv->m, key) : NULL;
}

const struct kv_session *raft_kv_session(const struct raft_kv *kv, int client)
{
	return kv ? kv_session(&kv->m, client) : NULL;
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
	struct kv_result res;
	kv_apply(&kv->m, e->client, e->seq, 0, &e->op, &res);
	kv_result_reply(&res, out);
}

/* Encoding: u64 applied_hash, then the machine (kv_encode). */
void raft_kv_encode(const struct raft_kv *kv, struct sbuf *out)
{
	uint64_t h = kv ? kv->applied_hash : 0;
	sbuf_add(out, (const char *)&h, sizeof h);
	kv_encode(kv ? &kv->m : NULL, out);
}

struct raft_kv *raft_kv_decode(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h;
	if (len < sizeof h)
		return NULL;
	memcpy(&h, p, sizeof h);
	struct raft_kv *kv = xcalloc(1, sizeof *kv);
	kv->applied_hash = h;
	size_t used = kv_decode(&kv->m, p + sizeof h, len - sizeof h);
	if (!used || used != len - sizeof h) {
		raft_kv_free(kv);
		return NULL;
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
	case KV_SYNC: ns_strlcpy(buf, "sync", n); return;
	case KV_GET: ns_snprintf(buf, n, "get %s", e->op.key); return;
	case KV_PUT: ns_snprintf(buf, n, "put %s %s", e->op.key, e->op.arg); return;
	case KV_APPEND: ns_snprintf(buf, n, "append %s %s", e->op.key, e->op.arg); return;
	case KV_CAS: ns_snprintf(buf, n, "cas %s %s %s", e->op.key, e->op.arg, e->op.arg2); return;
	}
	ns_strlcpy(buf, "?", n);
}

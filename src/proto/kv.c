/*
 * kv.c — the key-value state machine with client sessions (kv.h): the map
 * and its index, exactly-once application, comparison, wire form.
 */
#include "proto/kv.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void kv_init(struct kv *kv)
{
	memset(kv, 0, sizeof *kv);
}

void kv_close(struct kv *kv)
{
	if (!kv)
		return;
	free(kv->items);
	free(kv->slots);
	free(kv->sess);
	memset(kv, 0, sizeof *kv);
}

void kv_clear(struct kv *kv)
{
	kv->nitems = 0;
	if (kv->slots)
		memset(kv->slots, 0, kv->nslots * sizeof *kv->slots);
	if (kv->sess)
		memset(kv->sess, 0, kv->nsess * sizeof *kv->sess);
}

static void *dup_array(const void *p, size_t n, size_t cap, size_t size)
{
	if (!cap)
		return NULL;
	void *c = xmalloc(cap * size);
	if (n)
		memcpy(c, p, n * size);
	return c;
}

void kv_copy(struct kv *dst, const struct kv *src)
{
	*dst = *src;
	dst->items = dup_array(src->items, src->nitems, src->capitems, sizeof *src->items);
	dst->slots = dup_array(src->slots, src->nslots, src->nslots, sizeof *src->slots);
	dst->sess = dup_array(src->sess, src->nsess, src->nsess, sizeof *src->sess);
}

static size_t key_slot(const struct kv *kv, const char *key)
{
	return (size_t)fnv(key) & (kv->nslots - 1);
}

static struct kv_item *find(const struct kv *kv, const char *key)
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

static void reindex(struct kv *kv, size_t nslots)
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

static struct kv_item *insert(struct kv *kv, const char *key)
{
	struct kv_item *it = find(kv, key);
	if (it)
		return it;
	if ((kv->nitems + 1) * 2 > kv->nslots)
		reindex(kv, kv->nslots ? kv->nslots * 2 : 16);
	xgrow((void **)&kv->items, &kv->capitems, kv->nitems + 1, sizeof *kv->items);
	it = &kv->items[kv->nitems++];
	memset(it, 0, sizeof *it);
	ns_strlcpy(it->key, key, sizeof it->key);
	size_t i = key_slot(kv, it->key);
	while (kv->slots[i])
		i = (i + 1) & (kv->nslots - 1);
	kv->slots[i] = (uint32_t)kv->nitems;
	return it;
}

const char *kv_get(const struct kv *kv, const char *key)
{
	const struct kv_item *it = find(kv, key);
	return it ? it->val : NULL;
}

size_t kv_count(const struct kv *kv)
{
	return kv ? kv->nitems : 0;
}

const struct kv_item *kv_item(const struct kv *kv, size_t i)
{
	return &kv->items[i];
}

const struct kv_session *kv_session(const struct kv *kv, int client)
{
	if (!kv || client < 0 || (size_t)client >= kv->nsess || !kv->sess[client].seq)
		return NULL;
	return &kv->sess[client];
}

void kv_result_reply(const struct kv_result *res, struct client_reply *out)
{
	memset(out, 0, sizeof *out);
	out->status = (enum reply_status)res->status;
	out->leader_hint = -1;
	out->found = res->found;
	ns_strlcpy(out->value, res->value, sizeof out->value);
	ns_strlcpy(out->why, res->why, sizeof out->why);
}

/* Executes op on the map, whatever the sessions say. */
static void execute(struct kv *kv, const struct kv_op *op, struct kv_result *res)
{
	struct kv_item *it;
	res->status = REPLY_OK;
	switch (op->fn) {
	case KV_PUT: ns_strlcpy(insert(kv, op->key)->val, op->arg, KV_VAL_MAX); break;
	case KV_APPEND: {
		it = insert(kv, op->key);
		size_t len = strlen(it->val);
		ns_strlcpy(it->val + len, op->arg, KV_VAL_MAX - len);
		break;
	}
	case KV_CAS:
		it = find(kv, op->key);
		if (it && !strcmp(it->val, op->arg)) {
			ns_strlcpy(it->val, op->arg2, KV_VAL_MAX);
			break;
		}
		res->status = REPLY_CAS_FALSE;
		if (it)
			ns_snprintf(res->why, sizeof res->why, "cas: %s is %s, not %s", op->key,
				    it->val, op->arg);
		else
			ns_snprintf(res->why, sizeof res->why, "cas: %s is unset", op->key);
		break;
	case KV_SYNC: break;
	case KV_GET:
		/* Reads are usually served outside the log, but a log may carry one. */
		it = find(kv, op->key);
		res->found = it != NULL;
		if (it)
			ns_strlcpy(res->value, it->val, sizeof res->value);
		break;
	}
}

void kv_apply(struct kv *kv, int client, uint64_t seq, int64_t index, const struct kv_op *op,
	      struct kv_result *out)
{
	struct kv_result res;
	memset(&res, 0, sizeof res);
	struct kv_session *s = NULL;
	if (client >= 0) {
		if ((size_t)client >= kv->nsess) {
			size_t n = (size_t)client + 8;
			kv->sess = xrealloc(kv->sess, n * sizeof *kv->sess);
			memset(kv->sess + kv->nsess, 0, (n - kv->nsess) * sizeof *kv->sess);
			kv->nsess = n;
		}
		s = &kv->sess[client];
		if (seq <= s->seq) {
			/* A duplicate: answer what the first execution answered. */
			if (out)
				*out = s->res;
			return;
		}
	}
	execute(kv, op, &res);
	if (s)
		*s = (struct kv_session){seq, index, res};
	if (out)
		*out = res;
}

bool kv_equal(const struct kv *a, const struct kv *b, struct sbuf *why)
{
	for (int pass = 0; pass < 2; pass++) {
		const struct kv *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < x->nitems; i++) {
			const struct kv_item *it = &x->items[i];
			const char *v = kv_get(y, it->key);
			if (v && !strcmp(v, it->val))
				continue;
			if (why)
				sbuf_printf(why, "%s is \"%s\" in one and %s%s%s in the other",
					    it->key, it->val, v ? "\"" : "", v ? v : "missing",
					    v ? "\"" : "");
			return false;
		}
	}
	return true;
}

/* A session on the wire (the layout raft's snapshots have always had). */
struct kv_wire_session {
	uint64_t seq;
	uint8_t status;
	uint8_t found;
	char value[KV_VAL_MAX];
	char why[64];
};

void kv_encode(const struct kv *kv, struct sbuf *out)
{
	uint32_t ni = (uint32_t)kv_count(kv), ns = kv ? (uint32_t)kv->nsess : 0;
	sbuf_add(out, (const char *)&ni, sizeof ni);
	sbuf_add(out, (const char *)&ns, sizeof ns);
	if (ni)
		sbuf_add(out, (const char *)kv->items, ni * sizeof *kv->items);
	for (uint32_t i = 0; i < ns; i++) {
		const struct kv_session *s = &kv->sess[i];
		struct kv_wire_session w;
		memset(&w, 0, sizeof w);
		w.seq = s->seq;
		w.status = s->res.status;
		w.found = s->res.found;
		memcpy(w.value, s->res.value, sizeof w.value);
		memcpy(w.why, s->res.why, sizeof w.why);
		sbuf_add(out, (const char *)&w, sizeof w);
	}
}

size_t kv_decode(struct kv *kv, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t ni, ns;
	kv_init(kv);
	if (len < 2 * sizeof ni)
		return 0;
	memcpy(&ni, p, sizeof ni);
	memcpy(&ns, p + sizeof ni, sizeof ns);
	size_t off = 2 * sizeof ni;
	if ((len - off) / sizeof(struct kv_item) < ni)
		return 0;
	size_t need = off + (size_t)ni * sizeof(struct kv_item);
	if ((len - need) / sizeof(struct kv_wire_session) < ns)
		return 0;
	for (uint32_t k = 0; k < ni; k++) {
		struct kv_item it;
		memcpy(&it, p + off + k * sizeof it, sizeof it);
		it.key[KV_KEY_MAX - 1] = it.val[KV_VAL_MAX - 1] = '\0';
		ns_strlcpy(insert(kv, it.key)->val, it.val, KV_VAL_MAX);
	}
	off = need;
	if (ns) {
		kv->sess = xcalloc(ns, sizeof *kv->sess);
		kv->nsess = ns;
	}
	for (uint32_t i = 0; i < ns; i++, off += sizeof(struct kv_wire_session)) {
		struct kv_wire_session w;
		memcpy(&w, p + off, sizeof w);
		struct kv_session *s = &kv->sess[i];
		s->seq = w.seq;
		s->res.status = w.status;
		s->res.found = w.found;
		memcpy(s->res.value, w.value, sizeof w.value);
		memcpy(s->res.why, w.why, sizeof w.why);
		s->res.value[KV_VAL_MAX - 1] = s->res.why[sizeof s->res.why - 1] = '\0';
	}
	return off;
}

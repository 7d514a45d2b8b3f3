/*
 * dynamo_wire.c — the byte encoding of dynamo's messages, and their kinds
 * (names and glyphs for the screen).
 *
 * Layout: a fixed header (type, request id, hint owner, flags, range,
 * hash), then only what the kind carries: an object (key, versions with
 * their dots and clocks) for Put, GetReply, Handoff, HandoffAck and Sync;
 * the client's request for Forward; (key, hash) leaves for KeyDigests.
 * Integers are little-endian; strings carry a one-byte length. Decoding
 * checks every length against the payload, so a malformed message is
 * dropped, never read past its end.
 */
#include "proto/dynamo_internal.h"

#include <stdlib.h>
#include <string.h>

const struct msg_kind dyn_msg_kinds[DYN_NMSG] = {
    [DYN_PUT] = {"Put", 'w', false},
    [DYN_PUT_ACK] = {"PutAck", 'W', true},
    [DYN_GET] = {"Get", 'r', false},
    [DYN_GET_REPLY] = {"GetReply", 'R', true},
    [DYN_FORWARD] = {"Forward", 'f', false},
    [DYN_HANDOFF] = {"Handoff", 'h', false},
    [DYN_HANDOFF_ACK] = {"HandoffAck", 'H', true},
    [DYN_DIGEST] = {"Digest", 'e', false},
    [DYN_KEY_DIGESTS] = {"KeyDigests", 'E', true},
    [DYN_SYNC] = {"Sync", 's', false},
    [DYN_PING] = {"Ping", 'p', false},
};

static bool has_obj(int type)
{
	return type == DYN_PUT || type == DYN_PUT_ACK || type == DYN_GET || type == DYN_GET_REPLY ||
	       type == DYN_HANDOFF || type == DYN_HANDOFF_ACK || type == DYN_SYNC;
}

static void put_u8(struct sbuf *b, uint8_t x)
{
	sbuf_add(b, (const char *)&x, 1);
}

static void put_u16(struct sbuf *b, uint16_t x)
{
	put_u8(b, (uint8_t)x);
	put_u8(b, (uint8_t)(x >> 8));
}

static void put_u32(struct sbuf *b, uint32_t x)
{
	put_u16(b, (uint16_t)x);
	put_u16(b, (uint16_t)(x >> 16));
}

static void put_u64(struct sbuf *b, uint64_t x)
{
	put_u32(b, (uint32_t)x);
	put_u32(b, (uint32_t)(x >> 32));
}

static void put_str(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);
	put_u8(b, (uint8_t)n);
	sbuf_add(b, s, n);
}

void dyn_wire_encode(const struct dyn_wire *w, struct sbuf *b)
{
	put_u8(b, (uint8_t)w->type);
	put_u32(b, w->req);
	put_u16(b, (uint16_t)(w->hint + 1));
	put_u32(b, w->flags);
	put_u32(b, (uint32_t)w->range);
	put_u64(b, w->hash);
	if (has_obj(w->type)) {
		put_str(b, w->obj.key);
		put_u16(b, (uint16_t)w->obj.nv);
		for (int i = 0; i < w->obj.nv; i++) {
			const struct dyn_ver *v = &w->obj.v[i];
			put_str(b, v->val);
			put_u16(b, v->dot_node);
			put_u32(b, v->dot_ctr);
			uint8_t vc[VCLOCK_WIRE_MAX];
			sbuf_add(b, (const char *)vc, vclock_encode(&v->vc, vc, sizeof vc));
		}
	}
	if (w->type == DYN_FORWARD)
		sbuf_add(b, (const char *)&w->creq, sizeof w->creq);
	if (w->type == DYN_KEY_DIGESTS) {
		put_u32(b, (uint32_t)w->nkeys);
		for (int i = 0; i < w->nkeys; i++) {
			put_str(b, w->keys[i]);
			put_u64(b, w->hashes[i]);
		}
	}
}

struct rd {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	const unsigned char *p = r->p + r->off;
	r->off += n;
	return p;
}

static uint64_t get_n(struct rd *r, int bytes)
{
	const unsigned char *p = take(r, (size_t)bytes);
	uint64_t x = 0;
	for (int i = bytes - 1; p && i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

static void get_str(struct rd *r, char *out, size_t cap)
{
	size_t n = (size_t)get_n(r, 1);
	const unsigned char *p = take(r, n);
	if (!p || n >= cap) {
		r->bad = true;
		out[0] = '\0';
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

bool dyn_wire_decode(const struct msg *m, struct dyn_wire *w)
{
	struct rd r = {m->data, m->len, 0, false};
	memset(w, 0, sizeof *w);
	w->type = (int)get_n(&r, 1);
	w->req = (uint32_t)get_n(&r, 4);
	w->hint = (int)get_n(&r, 2) - 1;
	w->flags = (uint32_t)get_n(&r, 4);
	w->range = (int)(uint32_t)get_n(&r, 4);
	w->hash = get_n(&r, 8);
	if (r.bad || w->type != m->type || w->type >= DYN_NMSG || w->hint >= SIM_MAX_NODES)
		return false;
	if (has_obj(w->type)) {
		get_str(&r, w->obj.key, sizeof w->obj.key);
		int nv = (int)get_n(&r, 2);
		for (int i = 0; i < nv && !r.bad; i++) {
			struct dyn_ver v = {0};
			get_str(&r, v.val, sizeof v.val);
			v.dot_node = (uint16_t)get_n(&r, 2);
			v.dot_ctr = (uint32_t)get_n(&r, 4);
			if (v.dot_node >= SIM_MAX_NODES)
				r.bad = true;
			size_t used = r.bad ? 0 : vclock_decode(&v.vc, r.p + r.off, r.len - r.off);
			if (!used || !take(&r, used))
				r.bad = true;
			size_t cap = (size_t)w->obj.cap;
			xgrow((void **)&w->obj.v, &cap, (size_t)w->obj.nv + 1, sizeof *w->obj.v);
			w->obj.cap = (int)cap;
			w->obj.v[w->obj.nv++] = v;
		}
	}
	if (w->type == DYN_FORWARD) {
		const unsigned char *p = take(&r, sizeof w->creq);
		if (p) {
			memcpy(&w->creq, p, sizeof w->creq);
			w->creq.op.key[KV_KEY_MAX - 1] = '\0';
			w->creq.op.arg[KV_VAL_MAX - 1] = '\0';
			w->creq.op.arg2[KV_VAL_MAX - 1] = '\0';
		}
	}
	if (w->type == DYN_KEY_DIGESTS) {
		uint32_t n = (uint32_t)get_n(&r, 4);
		if (n > (r.len - r.off) / 9) /* each leaf takes at least 9 bytes */
			r.bad = true;
		if (!r.bad && n) {
			w->keys = xcalloc(n, sizeof *w->keys);
			w->hashes = xcalloc(n, sizeof *w->hashes);
		}
		for (uint32_t i = 0; i < n && !r.bad; i++) {
			get_str(&r, w->keys[i], sizeof w->keys[i]);
			w->hashes[i] = get_n(&r, 8);
			w->nkeys++;
		}
	}
	if (r.bad || r.off != r.len) {
		dyn_wire_free(w);
		return false;
	}
	return true;
}

void dyn_wire_free(struct dyn_wire *w)
{
	if (!w)
		return;
	dyn_obj_free(&w->obj);
	free(w->keys);
	free(w->hashes);
	w->keys = NULL;
	w->hashes = NULL;
	w->nkeys = 0;
}

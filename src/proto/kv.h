/*
 * kv.h — the replicated key-value state machine with exactly-once client
 * sessions, shared by the protocols that order client commands in a log
 * (raft, primary; Paxos and Zab next).
 *
 * The machine: string keys and values (KV_KEY_MAX, KV_VAL_MAX), put, cas,
 * append (and get, when a log carries one); keys are never deleted.
 *
 * Sessions. Raft §8: "clients assign unique serial numbers to every
 * command. Then, the state machine tracks the latest serial number
 * processed for each client, along with the associated response. If it
 * receives a command whose serial number has already been executed, it
 * responds immediately without re-executing the request." Ongaro's thesis
 * (§6.3) calls this a session. The simulator's clients are sequential (one
 * operation at a time), so the latest command of each client is all a
 * session needs to remember: kv_apply of a (client, seq) at or below the
 * session's seq answers the recorded response and changes nothing.
 *
 * Layout. The map is an array of items in insertion order plus an
 * open-addressing index (FNV-1a, linear probing); sessions are an array
 * indexed by client number. A struct kv is plain data owned by its holder
 * (kv_init/kv_close, or kv_copy for a deep copy such as a snapshot); the
 * wire form (kv_encode/kv_decode) is the items then the sessions.
 */
#ifndef NETSPLIT_KV_H
#define NETSPLIT_KV_H

#include "sim/sim.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_item {
	char key[KV_KEY_MAX];
	char val[KV_VAL_MAX];
};

/* What applying one command answered. */
struct kv_result {
	uint8_t status;         /* enum reply_status: REPLY_OK, or the cas's failure */
	uint8_t found;          /* get: the key existed */
	char value[KV_VAL_MAX]; /* get: the value read */
	char why[64];           /* a failed cas: "cas: x is 2, not 1" */
};

/* The last command applied for one client, and its answer. */
struct kv_session {
	uint64_t seq;  /* the client's serial number; 0: none applied yet */
	int64_t index; /* where the holder's log keeps that command (the
			* holder's business: kv_apply stores what it is given) */
	struct kv_result res;
};

struct kv {
	struct kv_item *items; /* in insertion order */
	size_t nitems, capitems;
	uint32_t *slots;         /* open addressing: item index + 1, 0 = empty */
	size_t nslots;           /* a power of two, at least twice nitems */
	struct kv_session *sess; /* indexed by client number */
	size_t nsess;
};

/* An empty machine / frees what kv owns (kv is left empty; NULL is fine). */
void kv_init(struct kv *kv);
void kv_close(struct kv *kv);
/* Forgets every key and every session, keeping the memory (a replay of
 * the log from its start follows). */
void kv_clear(struct kv *kv);
/* dst := a deep copy of src (dst is overwritten, not closed). */
void kv_copy(struct kv *dst, const struct kv *src);

/* The value of key, or NULL when the key was never written. */
const char *kv_get(const struct kv *kv, const char *key);
/* The number of keys, and key i in insertion order (0 <= i < kv_count). */
size_t kv_count(const struct kv *kv);
const struct kv_item *kv_item(const struct kv *kv, size_t i);

/* Applies one command of `client` with serial number `seq` (client < 0: a
 * command outside any session, always executed), exactly once: a seq at or
 * below the client's session answers the session's recorded response and
 * changes nothing. `index` is stored in the session as is. *out (may be
 * NULL) gets the answer: REPLY_OK, or for a cas whose compare failed
 * REPLY_CAS_FALSE with why "cas: KEY is VALUE, not EXPECTED" (or "cas: KEY is
 * unset"). */
void kv_apply(struct kv *kv, int client, uint64_t seq, int64_t index, const struct kv_op *op,
	      struct kv_result *out);
/* The session of a client, or NULL when it has none. */
const struct kv_session *kv_session(const struct kv *kv, int client);
/* Fills a reply from a result (leader_hint -1). */
void kv_result_reply(const struct kv_result *res, struct client_reply *out);

/* Do a and b hold the same keys and values (sessions aside)? If not and
 * why is not NULL, says the first difference: 'x is "1" in one and missing
 * in the other'. */
bool kv_equal(const struct kv *a, const struct kv *b, struct sbuf *why);

/* The wire form: u32 item count, u32 session count, the items, then each
 * session as u64 seq, u8 status, u8 found, value, why (padded to 8 bytes;
 * the index does not travel). kv_decode fills an empty kv and returns the
 * bytes consumed, or 0 for a malformed buffer (kv is then left empty). */
void kv_encode(const struct kv *kv, struct sbuf *out);
size_t kv_decode(struct kv *kv, const void *data, size_t len);

#endif

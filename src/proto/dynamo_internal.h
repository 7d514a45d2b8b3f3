/*
 * dynamo_internal.h — the state and helpers shared by the files of the
 * `dynamo` protocol (dynamo.c, dynamo_ring.c, dynamo_store.c,
 * dynamo_coord.c, dynamo_sync.c, dynamo_wire.c) and by
 * its invariant checker (src/check/dynamo_invariants.c) and unit tests.
 *
 * Ownership. Each node's struct dyn owns everything hanging off it: its
 * store of objects (each owning its array of versions), its hinted copies,
 * its coordinator requests and its ghost log. Nothing is shared between
 * nodes; messages carry copies (see dynamo_wire.c).
 *
 * Stable and volatile. The store (with, per key, the clock of this node's
 * last write as coordinator) and the hints are stable storage: they survive a crash (DeCandia et
 * al. §5: "each storage node has ... a local persistence engine"). Requests in progress, the
 * failure detector's view and the anti-entropy cursor are volatile.
 *
 * The ghost log is not protocol state: it is instrumentation that records,
 * for the checker, what each coordinator created and answered (a version's
 * causal predecessors, a read's returned versions). The protocol never
 * reads it; it survives crashes because history does.
 */
#ifndef NETSPLIT_DYNAMO_INTERNAL_H
#define NETSPLIT_DYNAMO_INTERNAL_H

#include "proto/proto.h"
#include "proto/vclock.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- versions and objects (dynamo_store.c) --------------------------------- */

/* One version of an object: a value and its clock. A version's identity
 * (its "dot") is (coordinator, its counter in the clock). */
struct dyn_ver {
	char val[KV_VAL_MAX];
	struct vclock vc;
	uint16_t dot_node; /* the coordinator that created it */
	uint32_t dot_ctr;
};

/* A key's versions on one node: causally unrelated siblings (no version
 * descends from another). Owns v[]. */
struct dyn_obj {
	char key[KV_KEY_MAX];
	struct vclock mine; /* clock of this node's last write of key as coordinator (stable) */
	int nv, cap;
	struct dyn_ver *v;
};

/* A list of objects, linear in the number of keys (a teaching cluster holds
 * a handful; lookups are O(keys)). */
struct dyn_store {
	int n, cap;
	struct dyn_obj *o;
};

/* A hinted copy: versions held for `owner`, to be handed back. */
struct dyn_hint {
	int owner;
	struct dyn_obj obj;
};

struct dyn_obj *dyn_store_find(const struct dyn_store *st, const char *key);
struct dyn_obj *dyn_store_get(struct dyn_store *st, const char *key); /* creates */
void dyn_store_free(struct dyn_store *st);
void dyn_obj_free(struct dyn_obj *o);
void dyn_obj_copy(struct dyn_obj *dst, const struct dyn_obj *src); /* dst fresh */
/* Adds version v to o unless a version already there descends from it;
 * drops the versions v descends from. Returns whether o changed. */
bool dyn_obj_merge(struct dyn_obj *o, const struct dyn_ver *v);
/* Merges every version of src into o; returns whether o changed. */
bool dyn_obj_merge_all(struct dyn_obj *o, const struct dyn_obj *src);
/* Sorts versions into their canonical order (by value, then dot). */
void dyn_obj_sort(struct dyn_obj *o);
/* A hash of the object's versions (0 for none): equal sets hash equal. */
uint64_t dyn_obj_hash(const struct dyn_obj *o);
/* Whether a and b hold the same versions (as sets of dots). */
bool dyn_obj_same(const struct dyn_obj *a, const struct dyn_obj *b);
/* The client's view of the versions: distinct values sorted and joined by
 * '|' ("" when none); truncated to KV_VAL_MAX - 1 bytes. */
void dyn_obj_values(const struct dyn_obj *o, char *out, size_t n);
/* With sep "=": "x=5 [n1:2]", "x=5 [n1:2] | 7 [n2:1]", or "x (none)". */
void dyn_obj_fmt(const struct dyn_obj *o, const char *sep, struct sbuf *out);
uint64_t dyn_hash64(const void *p, size_t n, uint64_t h);
#define DYN_HASH_SEED 0xcbf29ce484222325ull

/* ---- the ring (dynamo_ring.c) ------------------------------------------------- */

struct dyn_token {
	uint32_t pos;
	int node;
};

/* The consistent-hashing ring of `nodes` nodes with `vnodes` tokens each:
 * a pure function of those two numbers, shared by every node. */
struct dyn_ring {
	int nodes, vnodes, ntok;
	struct dyn_token *tok; /* sorted by pos */
};

void dyn_ring_build(struct dyn_ring *r, int nodes, int vnodes);
void dyn_ring_free(struct dyn_ring *r);
uint32_t dyn_key_pos(const char *key);
/* The index of the first token at or after pos (clockwise, wrapping): the
 * key range the position falls in (range i covers (tok[i-1], tok[i]]). */
int dyn_ring_range(const struct dyn_ring *r, uint32_t pos);
/* The first `want` distinct nodes clockwise from token index `start`,
 * skipping those in `skip`; returns how many were written to out. */
int dyn_ring_walk(const struct dyn_ring *r, int start, int want, const struct nodeset *skip,
		  int *out);
/* The preference list of a key: the first min(n, nodes) distinct nodes. */
int dyn_ring_pref(const struct dyn_ring *r, const char *key, int n, int *out);

/* ---- messages (dynamo_wire.c) --------------------------------------------- */

enum dyn_msg {
	DYN_PUT,
	DYN_PUT_ACK,
	DYN_GET,
	DYN_GET_REPLY,
	DYN_FORWARD,
	DYN_HANDOFF,
	DYN_HANDOFF_ACK,
	DYN_DIGEST,
	DYN_KEY_DIGESTS,
	DYN_SYNC,
	DYN_PING,
	DYN_NMSG,
};

enum {
	DYN_PUT_REPAIR = 1, /* Put flag: read repair, no ack wanted */
};

/* A decoded message. Objects and key lists are owned by the struct; free
 * with dyn_wire_free. */
struct dyn_wire {
	int type;
	uint32_t req;           /* coordinator's request id (Put, Get and replies) */
	int hint;               /* Put/Get: owner this copy is held for, or -1 */
	uint32_t flags;         /* Put: DYN_PUT_REPAIR; Sync: 1 = send yours back */
	int range;              /* Digest, KeyDigests, Sync */
	uint64_t hash;          /* Digest */
	struct dyn_obj obj;     /* Put, GetReply, Handoff, HandoffAck, Sync: key + versions */
	struct client_req creq; /* Forward */
	int nkeys;              /* KeyDigests */
	char (*keys)[KV_KEY_MAX];
	uint64_t *hashes;
};

/* Encodes w into out (bytes; out->len is the size). */
void dyn_wire_encode(const struct dyn_wire *w, struct sbuf *out);
/* Decodes a message; false on a malformed payload. */
bool dyn_wire_decode(const struct msg *m, struct dyn_wire *w);
void dyn_wire_free(struct dyn_wire *w);
extern const struct msg_kind dyn_msg_kinds[DYN_NMSG];

/* ---- the node ------------------------------------------------------------------ */

enum {
	DYN_OPT_N,
	DYN_OPT_W,
	DYN_OPT_R,
	DYN_OPT_SLOPPY,
	DYN_OPT_READ_REPAIR,
	DYN_OPT_ANTI_ENTROPY,
	DYN_OPT_TIMEOUT,
	DYN_OPT_PING,
	DYN_OPT_SUSPECT,
	DYN_OPT_VNODES,
	DYN_OPT_BUG, /* rules switched off: bit 0 repair-overwrites */
};

/* bug=repair-overwrites: a read repair replaces what the replica holds
 * instead of merging into it (DeCandia et al. §4.4: versions are merged by
 * vector clock; a repair must never discard a newer one). */
#define DYN_BUG_REPAIR_OVERWRITES 1

enum { DYN_TIMER_PING, DYN_TIMER_AE, DYN_TIMER_REQ };

#define DYN_N_MAX 16

/* A request this node coordinates (volatile). */
struct dyn_req {
	bool live;
	bool is_get;
	bool replied; /* the client has its answer */
	uint32_t id;
	struct client_req creq;
	sim_time started;  /* true time (for the ghost log) */
	sim_time deadline; /* local time */
	int need;          /* w or r, as in force when the request began */
	int ntarget;
	int target[DYN_N_MAX];
	int hint[DYN_N_MAX]; /* owner for a fallback target, else -1 */
	bool answered[DYN_N_MAX];
	struct dyn_obj got[DYN_N_MAX]; /* Get: each replier's versions */
	int nanswered;
	struct dyn_ver ver; /* Put: the new version */
	int ghost;          /* index of this request's ghost entry, or -1 */
};

/* Ghost log entry (instrumentation for the checker; see the top). */
/* The consistency levels a request may ask for: how many replicas of the
 * preference list must answer (Cassandra's ONE, QUORUM, ALL). */
#define DYN_LEVELS                                                                                 \
	(KV_LEVEL_BIT(KV_LEVEL_ONE) | KV_LEVEL_BIT(KV_LEVEL_QUORUM) | KV_LEVEL_BIT(KV_LEVEL_ALL))

struct dyn_ghost {
	bool is_get;
	bool acked; /* Put: the coordinator told the client ok */
	int need;   /* the acks (Put) or replies (Get) it waited for: w or r,
		     * or the request's consistency level */
	uint32_t op_id;
	char key[KV_KEY_MAX];
	sim_time started;   /* true time the coordinator began */
	sim_time acked_at;  /* true time of the ok reply */
	struct dyn_ver ver; /* Put: the version created */
	int npred;          /* Put: dots of the versions it superseded */
	struct dyn_ver *pred;
	struct dyn_obj seen; /* Get: the versions returned */
	char result[KV_VAL_MAX];
};

struct dyn {
	struct node *n;
	const struct proto_opts *o;
	/* stable */
	struct dyn_store store;
	int nhints, hcap;
	struct dyn_hint *hints;
	/* volatile */
	struct dyn_ring ring;
	uint32_t next_req;
	int nreq, reqcap;
	struct dyn_req *req;
	sim_time heard[SIM_MAX_NODES]; /* local time a peer was last heard */
	bool suspect[SIM_MAX_NODES];
	int ae_next; /* anti-entropy round robin */
	uint32_t ping_seq;
	uint64_t stat_repairs, stat_handoffs, stat_syncs;
	/* instrumentation */
	uint64_t changes; /* bumped whenever the store or a hinted copy changes */
	int nghost, gcap;
	struct dyn_ghost *ghost;
};

static inline int64_t dyn_opt(const struct dyn *d, int i)
{
	return d->o->v[i].i;
}
/* n clamped to the cluster size, and w and r clamped to that n: a quorum
 * larger than the preference list waits for all of it. */
int dyn_n(const struct dyn *d);
int dyn_w(const struct dyn *d);
int dyn_r(const struct dyn *d);

/* The ring for the current number of nodes (rebuilt when it changed). */
const struct dyn_ring *dyn_ring_of(struct dyn *d);
/* Whether this node believes peer p is up (itself: always). */
bool dyn_trusts(const struct dyn *d, int p);
void dyn_heard(struct dyn *d, int p);
void dyn_send(struct dyn *d, int to, const struct dyn_wire *w);

/* dynamo_coord.c — requests. A client request: coordinate, forward or
 * refuse (proto_ops.on_client). */
void dyn_on_client(void *self, const struct client_req *r);
/* Coordinator side: an acknowledgement, a read reply, a forwarded request,
 * the request timer (quorum deadlines). Replies that match no live request
 * (late, duplicated) are ignored. */
void dyn_coord_on_put_ack(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_coord_on_get_reply(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_coord_on_forward(struct dyn *d, const struct dyn_wire *w);
void dyn_coord_timer(struct dyn *d);
/* Forgets every request in progress and frees the request table (crash). */
void dyn_coord_drop_all(struct dyn *d);
/* Replica side: store a Put (in the store, or as a hinted copy when it
 * names another owner) and acknowledge it unless it is a read repair;
 * answer a Get with every version held, hinted copies included. */
void dyn_replica_on_put(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_replica_on_get(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
/* The versions this node holds for key: its own plus hinted copies, merged
 * into a fresh *out (caller frees with dyn_obj_free). */
void dyn_local_versions(const struct dyn *d, const char *key, struct dyn_obj *out);
/* The hinted copy of key held for owner, created empty if absent. */
struct dyn_hint *dyn_hint_get(struct dyn *d, int owner, const char *key);

/* dynamo_sync.c — background work. The ping tick: suspicions, pings and
 * handoff attempts, then re-arms itself; the anti-entropy tick: one Digest
 * for the next range this node replicates, then re-arms itself unless
 * anti-entropy is off. */
void dyn_ping_tick(struct dyn *d);
void dyn_ae_tick(struct dyn *d);
/* Handoff (owner merges, acknowledges what it took) and its ack (holder
 * drops what was delivered); Digest, KeyDigests and Sync of anti-entropy. */
void dyn_on_handoff(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_on_handoff_ack(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_on_digest(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_on_key_digests(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
void dyn_on_sync(struct dyn *d, const struct msg *m, const struct dyn_wire *w);
/* The hash of a range's objects in this node's store: a two-level Merkle
 * tree, root = hash of the sorted (key, object hash) leaves; 0 if none. */
uint64_t dyn_range_hash(struct dyn *d, int range);

#endif

/*
 * multileader_internal.h — the state of one multileader node, shared by the
 * protocol's files (multileader.c: writes, replication, conflict
 * resolution; multileader_view.c: views, messages in words, predicates)
 * and by its invariant checker (src/check/multileader_invariants.c), which
 * reads it but never writes it.
 *
 * Stable storage (survives a crash): the store (every key's versions and
 * causal context), the logical clocks (Lamport counter, HLC (l, c)), the
 * node's own writes (the outbox), how far each peer
 * has acknowledged them, and how far this node has applied each peer's
 * writes. Volatile: what was sent when, and batches that arrived ahead of
 * a gap (replication restarts from the acknowledged point after a
 * reboot). The statistics (lost updates,
 * conflicts) and the audit trail are observations for the screen, the
 * predicates and the checker, not protocol state: the protocol never
 * decides anything from them.
 */
#ifndef NETSPLIT_MULTILEADER_INTERNAL_H
#define NETSPLIT_MULTILEADER_INTERNAL_H

#include "proto/proto.h"
#include "proto/vclock.h"

enum { ML_OPT_RESOLVE, ML_OPT_INTERVAL, ML_OPT_RETRY, ML_OPT_CLOCK };
enum { ML_RESOLVE_LWW, ML_RESOLVE_SIBLINGS };
/* The clock that stamps versions (option `clock`, see multileader.c). */
enum { ML_CLOCK_PHYSICAL, ML_CLOCK_LAMPORT, ML_CLOCK_HLC };
enum { ML_TIMER_TICK };
enum { ML_MSG_REPLICATE, ML_MSG_ACK, ML_NMSG };

#define ML_BATCH     8               /* writes per Replicate message at most */
#define ML_WINDOW    32              /* Replicate messages per peer per tick at most */
#define ML_EARLY_MAX (2 * ML_WINDOW) /* batches kept ahead of a gap, per peer */

/* One version of a key: a value written once by one node. (writer, wseq)
 * names the write uniquely in the whole cluster; so does its dot (writer,
 * vc[writer]). */
struct ml_version {
	char value[KV_VAL_MAX];
	/* The stamp, in the form of option `clock`: physical, the writer's
	 * LOCAL clock when it wrote; lamport, the writer's Lamport counter;
	 * hlc, the l of (l, c). tc is hlc's c, 0 for the others. */
	sim_time ts;
	uint32_t tc;
	int writer;       /* node index */
	uint32_t wseq;    /* the writer's write number, 1, 2, ... */
	struct vclock vc; /* the write's causal history (see multileader.c) */
};

/* A key as this node holds it. */
struct ml_key {
	char key[KV_KEY_MAX];
	struct ml_version *ver; /* lww: at most one; siblings: pairwise concurrent */
	int nver, cap;
	struct vclock ctx; /* merge of the clocks of every version ever stored here */
};

/* One of this node's own writes, kept (forever: O(writes) memory) so that
 * peers that have not acknowledged it get it again. */
struct ml_write {
	char key[KV_KEY_MAX];
	struct ml_version v;
};

/* A write this node found lost: overwritten, or refused, by a write with a
 * higher timestamp that does not causally follow it. */
struct ml_lost {
	char key[KV_KEY_MAX];
	char value[KV_VAL_MAX];
	int writer;
	uint32_t wseq;
	int winner; /* the winning write */
	uint32_t winner_wseq;
};

/* Two writes this node found concurrent (neither clock descends the
 * other); normalised so that (w1, s1) < (w2, s2). */
struct ml_conflict {
	int w1, w2;
	uint32_t s1, s2;
};

/* A Replicate message that arrived ahead of a gap in its writer's
 * sequence: kept (volatile) until the missing writes arrive. */
struct ml_early {
	uint32_t lo, hi; /* the writes it carries */
	uint8_t *data;   /* the message, owned */
	uint32_t len;
};

/* One entry of the audit trail: this node stored write (writer, wseq)
 * (its own, or a replicated one it kept). */
struct ml_audit {
	int writer;
	uint32_t wseq;
};

struct ml {
	struct node *n;
	const struct proto_opts *o;

	/* stable */
	struct ml_key *keys;
	int nkeys, keys_cap;
	struct ml_write *out; /* own writes; out[i] has wseq i + 1 */
	size_t nout, out_cap;
	uint32_t acked[SIM_MAX_NODES];     /* peer p has applied my writes 1..acked[p] */
	uint32_t recv_upto[SIM_MAX_NODES]; /* I have applied p's writes 1..recv_upto[p] */
	uint32_t epoch;                    /* bumped by every change of `resolve` (a full resync) */
	bool reapply;                      /* own writes to apply again under the new rule */
	uint64_t lamport;                  /* clock=lamport: the counter */
	int64_t hlc_l;                     /* clock=hlc: (l, c), HLC_NONE before any event */
	uint32_t hlc_c;

	/* volatile */
	uint32_t sent_upto[SIM_MAX_NODES];     /* sent to p, not yet acked, up to here */
	sim_time progress_at[SIM_MAX_NODES];   /* local time p last acked progress */
	struct ml_early *early[SIM_MAX_NODES]; /* per writer, batches ahead of a gap */
	int nearly[SIM_MAX_NODES];
	size_t early_cap[SIM_MAX_NODES];

	/* observations (not protocol state; kept across crashes) */
	struct ml_lost *lost;
	size_t nlost, lost_cap;
	struct ml_conflict *conf;
	size_t nconf, conf_cap;
	struct ml_audit *audit;
	size_t naudit, audit_cap;
};

/* The key's entry at node m, or NULL. */
const struct ml_key *ml_find_key(const struct ml *m, const char *key);
/* The write (writer, wseq) as its writer recorded it, or NULL. */
const struct ml_write *ml_write_of(struct sim *s, int writer, uint32_t wseq);
/* The value a get at this node returns: the versions' values sorted and
 * joined by '|' (truncated to out_len - 1 bytes); returns whether the key
 * exists. */
bool ml_read(const struct ml_key *k, char *out, size_t out_len);
/* The clock in force (ML_CLOCK_*): fixed for the cluster's life. */
int ml_clock(const struct ml *m);
/* A version's stamp in its clock's form, appended: "1.200s" (physical),
 * "L7" (lamport), "hlc 30.012s,2" (hlc). */
void ml_fmt_stamp(const struct ml_version *v, int clock, struct sbuf *out);
/* "put x 5 from n1" (appended). */
void ml_fmt_write(const char *key, const char *value, int writer, struct sbuf *out);

/* Decodes a Replicate message: the first write's number, the count, the
 * clock that stamped them (ML_CLOCK_*) and up to `max` of its writes (keys
 * and versions). False if malformed. */
bool ml_decode_batch(const struct msg *msg, uint32_t *lo, int *count, int *clock,
		     char (*keys)[KV_KEY_MAX], struct ml_version *v, int max);

/* multileader_view.c: the ops' views and predicates. */
void ml_status(const void *self, struct node_status *out);
void ml_describe(const void *self, struct node_view *v);
void ml_describe_msg(const struct msg *msg, struct sbuf *out);

extern const struct proto_ops multileader_ops;
extern const struct proto_pred ml_preds[];

#endif

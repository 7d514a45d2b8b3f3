/*
 * primary_internal.h — what the files of the `primary` protocol share with
 * each other, with its invariant checker (src/check/primary_invariants.c)
 * and with its unit tests: the log entry, the key-value state machine with
 * its client sessions, and one node's state.
 *
 * Leader-follower replication in one paragraph (Budhiraja, Marzullo,
 * Schneider & Toueg, "The Primary-Backup Approach", 1993): one node, the
 * primary, orders every write, applies it and streams it to the backups in
 * that order; a client is answered when the write is "stable enough" for
 * the chosen mode — at once (async), when one backup has it (semisync), or
 * when every backup has it (sync). When the primary fails, a backup takes
 * over in a new epoch; whatever the old primary acknowledged but never
 * streamed is gone. Kleppmann, DDIA ch. 5, "Leaders and Followers", is the
 * reading for learners.
 *
 * Ownership: each node's struct pb owns its log, state machine, sessions
 * and waiting replies. Which acknowledged writes a failover lost is the
 * checker's knowledge (src/check/primary_invariants.c), not a node's: the
 * protocol keeps no bookkeeping for it.
 */
#ifndef NETSPLIT_PRIMARY_INTERNAL_H
#define NETSPLIT_PRIMARY_INTERNAL_H

#include "proto/kv.h"
#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

/* Options, in the order of primary_ops.options. */
enum {
	PB_OPT_MODE,
	PB_OPT_HEARTBEAT,
	PB_OPT_TIMEOUT,
	PB_OPT_FAILOVER,
	PB_OPT_READS,
	PB_OPT_FENCING
};
enum pb_mode { PB_SYNC, PB_SEMISYNC, PB_ASYNC };
enum { PB_FAILOVER_AUTO, PB_FAILOVER_MANUAL };
enum { PB_READS_PRIMARY, PB_READS_ANY };

/* Message kinds, indexes into primary_ops.node.msg_kinds. */
enum { PB_MSG_REPLICATE, PB_MSG_ACK, PB_MSG_HEARTBEAT, PB_MSG_NEWPRIMARY, PB_MSG_VOTE, PB_NMSG };

/* Timers. */
enum { PB_TIMER_TICK, PB_TIMER_PROMOTE, PB_TIMER_ELECT };

#define PB_BATCH 32 /* entries per Replicate */
#define PB_HOLD  16 /* out-of-order Replicates a backup keeps */

enum pb_role { PB_BACKUP, PB_PRIMARY, PB_CANDIDATE, PB_DEPOSED };

/* One write in the log; log[i] has seq i + 1. Copied as is on the wire. */
struct pb_entry {
	int64_t seq;
	int64_t epoch;  /* the epoch of the primary that ordered it */
	int64_t cseq;   /* the client's sequence number (exactly-once) */
	sim_time at;    /* local time at the primary when it was ordered */
	int32_t client; /* 1-based client number */
	int32_t pad;
	struct kv_op op;
};

/* The state machine: keys and client sessions (proto/kv.h). A session's
 * seq is the client's cseq; its index is the seq of the entry that holds
 * it, so a retry waits for that entry. */
struct pb_kv {
	struct kv m;
};

void pb_kv_init(struct pb_kv *kv);
void pb_kv_free(struct pb_kv *kv);
void pb_kv_clear(struct pb_kv *kv);
/* Applies one entry exactly once per (client, cseq): the key's new value
 * and the client's session. out may be NULL. */
void pb_kv_apply(struct pb_kv *kv, const struct pb_entry *e, struct kv_result *out);
/* The value of key, or NULL. */
const char *pb_kv_get(const struct pb_kv *kv, const char *key);
/* The session of a client (NULL when it never wrote). */
const struct kv_session *pb_kv_session(const struct pb_kv *kv, int client);
/* Do two state machines hold the same keys and values? */
bool pb_kv_equal(const struct pb_kv *a, const struct pb_kv *b, struct sbuf *why);

/* A client attempt waiting for its write (or read) to be acknowledged. */
struct pb_wait {
	struct client_req req;
	int64_t seq; /* answered once acked >= seq */
	struct client_reply rep;
};

/* One node. Fields marked (stable) survive a crash. */
struct pb {
	struct node *n;
	const struct proto_opts *o;

	/* stable storage */
	int64_t epoch;    /* the epoch of the primary this node follows (or is) */
	int64_t promised; /* highest epoch it voted for; one vote per epoch */
	int voted_for;
	bool was_primary; /* it was primary of `epoch` */
	struct pb_entry *log;
	int64_t nlog;
	size_t logcap;
	int64_t discarded; /* entries ever discarded (truncated) */
	int64_t truncs;    /* times the log was cut back */

	/* volatile */
	enum pb_role role;
	int primary;                     /* the primary it follows, or -1 */
	struct pb_kv kv;                 /* rebuilt from the log after a restart */
	int64_t verified;                /* log[..verified] is known to match the primary's */
	sim_time last_heard;             /* local time the primary was last heard */
	bool suspect;                    /* the primary is suspected */
	int64_t peer_seq[SIM_MAX_NODES]; /* what the primary says each node has */

	/* Replicates that arrived before the one they follow (jitter
	 * reorders), kept to apply in order like a TCP receive window. */
	struct pb_held {
		int from;
		size_t len;
		char *data;
	} held[PB_HOLD];
	int nheld;

	/* primary only */
	int64_t match[SIM_MAX_NODES];   /* highest seq a follower acknowledged */
	int64_t next[SIM_MAX_NODES];    /* next seq to send it */
	sim_time ack_at[SIM_MAX_NODES]; /* local time of its last Ack */
	bool acked_once[SIM_MAX_NODES];
	int64_t acked;        /* clients are answered up to this seq */
	bool confirmed;       /* a majority answered in this epoch since it (re)started */
	struct nodeset heard; /* who answered, while not confirmed */
	struct pb_wait *wait;
	size_t nwait, waitcap;

	/* candidate */
	int64_t seen_epoch; /* highest epoch anyone asked for or refused with */
	int64_t cand_epoch;
	bool cand_force;
	struct nodeset votes;
};

static inline int64_t pb_last(const struct pb *p)
{
	return p->nlog;
}
static inline int64_t pb_epoch_at(const struct pb *p, int64_t seq)
{
	return seq >= 1 && seq <= p->nlog ? p->log[seq - 1].epoch : 0;
}
static inline int64_t pb_opt(const struct pb *p, int i)
{
	return p->o->v[i].i;
}

/* Wire formats (the simulator copies the bytes; one process, one ABI). */
struct pb_replicate_wire {
	int64_t epoch;
	int64_t prev_seq, prev_epoch;
	int64_t p_last; /* the primary's last seq when it sent this */
	int64_t acked;
	uint32_t n;
	uint32_t pad;
	/* n struct pb_entry follow */
};

struct pb_heartbeat_wire {
	int64_t epoch;
	int64_t last, last_epoch;
	int64_t acked;
	uint32_t count; /* count int64_t follow: what each node holds */
	uint32_t pad;
};

struct pb_ack_wire {
	int64_t epoch;
	int64_t match;   /* the highest seq held in agreement with the primary */
	int64_t hint;    /* try prev = hint next */
	int32_t primary; /* rejections: the primary the sender follows, or -1 */
	uint8_t ok;      /* 0: rejected, the sender knows a newer epoch */
	uint8_t nack;    /* the prev check failed */
	uint8_t probe;   /* answers a Heartbeat */
	uint8_t pad;
};

struct pb_newprimary_wire {
	int64_t epoch;
	int64_t last, last_epoch;
	uint8_t force;
	uint8_t pad[7];
};

struct pb_vote_wire {
	int64_t epoch;
	uint8_t granted;
	uint8_t pad[7];
};

/* ---- primary_repl.c: replication, failure detection, failover ------------ */

void pb_tick(struct pb *p);
void pb_on_replicate(struct pb *p, const struct msg *m);
/* Forgets the held out-of-order Replicates. */
void pb_drop_held(struct pb *p);
void pb_on_heartbeat(struct pb *p, const struct msg *m);
void pb_on_ack(struct pb *p, const struct msg *m);
void pb_on_newprimary(struct pb *p, const struct msg *m);
void pb_on_vote(struct pb *p, const struct msg *m);
void pb_on_promote_timer(struct pb *p);
void pb_on_elect_timer(struct pb *p);
/* Asks the other nodes for epoch max+1 (force: the operator's `promote`,
 * which does not wait for the primary to look dead). */
void pb_start_candidacy(struct pb *p, bool force);
/* A new write at the primary: stream it to followers that are caught up. */
void pb_stream_new(struct pb *p);
/* Recomputes the acknowledged seq for the mode and answers waiting
 * clients. */
void pb_advance_acked(struct pb *p);
/* Becomes primary of `epoch` (promotion or restart). */
void pb_become_primary(struct pb *p, int64_t epoch, const char *why);
/* Replays the whole log into a fresh state machine. O(log). */
void pb_replay(struct pb *p);
/* Appends one entry (already numbered) and applies it. */
void pb_append(struct pb *p, const struct pb_entry *e, struct kv_result *res);

/* ---- primary.c: views ---------------------------------------------------- */

/* The primary of the highest epoch among up nodes, or -1 (for predicates,
 * the checker and tests: it looks at every node). */
int pb_top_primary(struct sim *s);

/* The protocol's table, for the checker and tests. */
extern const struct proto_ops primary_ops;

#endif

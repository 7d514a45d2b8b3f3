/*
 * zab.h — the declarations shared by the files of the Zab protocol and by
 * its invariant checker (src/check/zab_invariants.c).
 *
 * Zab after Junqueira, Reed & Serafini, "Zab: High-performance broadcast
 * for primary-backup systems" (DSN 2011) — cited below as "Zab §IV-A" —
 * and ZooKeeper's documented behaviour (the ZooKeeper Programmer's Guide,
 * "Consistency Guarantees"; Hunt et al., "ZooKeeper: Wait-free
 * coordination for Internet-scale systems", USENIX ATC 2010, cited as
 * "ZK §2.3"). The files:
 *
 *   zab.c       the protocol table, options, node life (create, crash,
 *               restart), dispatch, views, message words
 *   zab_peer.c  the four phases: fast leader election (Phase 0),
 *               discovery (Phase 1), synchronization (Phase 2),
 *               broadcast (Phase 3), and the leader's and followers'
 *               heartbeats
 *   zab_client.c ZooKeeper's clients on top: writes forwarded to the
 *               leader, local reads, `sync`, serving or not
 *   zab_pred.c  the `expect` predicates and the `look` command
 *
 * Zxids. A transaction identifier is the pair (epoch, counter), ordered by
 * epoch and then counter (Zab §III: "zxid ... a pair ⟨e, c⟩ ... e is the
 * epoch of the primary that generated the transaction and c is an integer
 * acting as a counter"). It travels as one int64, epoch << 32 | counter; 0
 * is "none" (the empty history). It prints as "2:3".
 *
 * Ownership. Each node's struct zab is owned by the simulator's node;
 * struct zab_stable is what a ZooKeeper server keeps on disk (the
 * transaction log, acceptedEpoch, currentEpoch — Zab §IV "f.p", "f.a",
 * "h_f"): it survives a crash; everything else is volatile.
 */
#ifndef NETSPLIT_ZAB_H
#define NETSPLIT_ZAB_H

#include "proto/kv.h"
#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

static inline int64_t zab_zxid(int64_t epoch, int64_t counter)
{
	return epoch << 32 | counter;
}
static inline int64_t zab_epoch_of(int64_t z)
{
	return z >> 32;
}
static inline int64_t zab_counter_of(int64_t z)
{
	return z & 0xffffffffLL;
}
/* "2:3", or "0:0" for none. */
const char *zab_zxid_fmt(int64_t z, char *buf, size_t n);

enum zab_opt {
	ZAB_OPT_TICK,     /* heartbeat (PING) interval */
	ZAB_OPT_TIMEOUT,  /* silence after which a peer is given up (syncLimit) */
	ZAB_OPT_NOTIFY,   /* election: resend notifications after this */
	ZAB_OPT_READS,    /* local | sync */
	ZAB_OPT_READONLY, /* a server out of the quorum still serves reads */
	ZAB_OPT_SNAP,     /* a follower missing more than this gets a SNAP */
	ZAB_OPT_BUG,      /* rules switched off: a set of enum zab_bug */
};

/* Rules option bug can switch off (bit k: the k-th; zab_bugs[] in zab.c). */
enum zab_bug {
	/* broadcast-before-sync: a new leader broadcasts as soon as a quorum
	 * acknowledged its epoch, without Phase 2; its followers keep
	 * whatever history they had (Zab §IV-B: synchronization first). */
	ZAB_BUG_BROADCAST_BEFORE_SYNC,
};

enum zab_timer {
	ZAB_TIMER_ELECTION, /* looking: resend the notification; finalize */
	ZAB_TIMER_TICK,     /* leader: PING; follower: check the leader */
};

enum zab_msg_type {
	ZAB_MSG_VOTE,         /* Phase 0: a fast-leader-election notification */
	ZAB_MSG_FOLLOWERINFO, /* Phase 1: CEPOCH(f.p) */
	ZAB_MSG_NEWEPOCH,     /* Phase 1: NEWEPOCH(e') */
	ZAB_MSG_ACKEPOCH,     /* Phase 1: ACK-E(f.a, h_f) */
	ZAB_MSG_DIFF,         /* Phase 2: NEWLEADER, the follower lacks a suffix */
	ZAB_MSG_TRUNC,        /* Phase 2: NEWLEADER, drop what the leader lacks */
	ZAB_MSG_SNAP,         /* Phase 2: NEWLEADER, the whole state */
	ZAB_MSG_ACKLD,        /* Phase 2: ACK-LD */
	ZAB_MSG_UPTODATE,     /* Phase 2: COMMIT-LD */
	ZAB_MSG_PROPOSAL,     /* Phase 3: PROPOSE(e', ⟨v, z⟩) */
	ZAB_MSG_ACK,          /* Phase 3: ACK(e', ⟨v, z⟩), cumulative */
	ZAB_MSG_COMMIT,       /* Phase 3: COMMIT(e', ⟨v, z⟩), cumulative */
	ZAB_MSG_PING,         /* the leader's heartbeat */
	ZAB_MSG_PINGACK,      /* a follower's answer */
	ZAB_MSG_FORWARD,      /* a follower forwards a client's write */
	ZAB_MSG_SYNCREQ,      /* a follower forwards a client's sync */
	ZAB_MSG_SYNCREP,      /* the leader answers it */
	ZAB_MSG_KINDS,
};

enum zab_role { ZAB_LOOKING, ZAB_FOLLOWING, ZAB_LEADING };
enum zab_phase { ZAB_ELECTION, ZAB_DISCOVERY, ZAB_SYNC, ZAB_BROADCAST };

/* One transaction: a client's write. Plain data, zeroed before filling. */
struct zab_txn {
	int64_t zxid;
	int32_t client;
	uint32_t pad;
	uint64_t seq;
	struct kv_op op;
};
uint64_t zab_txn_hash(const struct zab_txn *t);
void zab_txn_fmt(const struct zab_txn *t, char *buf, size_t n); /* "put x 1" */

/* ---- stable storage ------------------------------------------------------- */

struct zab_stable {
	int64_t accepted_epoch; /* f.p: the last NEWEPOCH acknowledged */
	int64_t current_epoch;  /* f.a: the last NEWLEADER acknowledged */
	struct zab_txn *h;      /* h_f: the history, in zxid order */
	int64_t nh;
	size_t caph;
	int64_t delivered; /* h[0..delivered) are delivered (applied) */
	uint64_t writes;   /* writes to stable storage, for the views */
};

/* ---- what the checker is told (never read by the protocol) ---------------- */

struct zab_bcast {
	int64_t zxid;
	uint64_t hash;
	int64_t delivered; /* the leader's delivered count when it broadcast */
};

struct zab_audit {
	struct zab_bcast *b; /* proposals this node broadcast as leader */
	size_t nb, capb;
	bool rewritten; /* the history was truncated or replaced */
};

/* ---- volatile state ---------------------------------------------------------- */

struct zab_vote {
	int64_t epoch; /* the proposed leader's currentEpoch */
	int64_t zxid;  /* its last zxid */
	int32_t id;    /* the proposed leader */
	int32_t pad;
};

enum zab_pend_kind { ZAB_PEND_WRITE, ZAB_PEND_READ, ZAB_PEND_SYNC };

/* A client request this server answers later. */
struct zab_pending {
	struct client_req req;
	uint8_t kind;    /* enum zab_pend_kind */
	bool has_target; /* READ/SYNC: the leader said up to which zxid */
	uint32_t sync_id;
	int64_t target;
};

/* At the leader: a sync waiting for a quorum's PINGACK and its commit. */
struct zab_syncwait {
	int from; /* the follower that asked, or this node */
	uint32_t id;
	int64_t target;
	int64_t round;
};

#define ZAB_RECENT      32   /* zxids a follower reports in ACKEPOCH */
#define ZAB_MAX_PENDING 1024 /* client requests waiting at one server */
#define ZAB_RESEND      32   /* proposals resent to a follower per tick */

struct zab {
	struct node *n;
	const struct proto_opts *o;
	struct zab_stable st;
	struct zab_audit audit;

	enum zab_role role;
	enum zab_phase phase;
	int leader;    /* the leader followed or being established; -1 */
	int64_t epoch; /* the epoch being established or in effect */
	struct kv kv;

	/* Phase 0. */
	int64_t round; /* logicalclock */
	struct zab_vote vote;
	struct zab_vote votes[SIM_MAX_NODES];
	struct nodeset voted; /* peers whose vote of this round is recorded */
	bool finalizing;
	uint64_t elections;

	/* Leader, phases 1-3. */
	struct nodeset info, ackepoch, acknl;
	struct zab_wire_ackepoch *ae; /* [SIM_MAX_NODES]: the ACKEPOCH of each */
	int64_t max_accepted;
	int64_t acked[SIM_MAX_NODES];      /* a follower has h up to this zxid */
	sim_time heard[SIM_MAX_NODES];     /* local time a follower was last heard */
	int64_t ping_acked[SIM_MAX_NODES]; /* the highest PING round answered */
	int64_t ping_round;
	int64_t commit_zxid; /* the highest zxid committed in this epoch */
	struct zab_syncwait *sw;
	size_t nsw, capsw;

	/* Follower. */
	sim_time leader_heard; /* local time */
	/* Proposals that arrived before their predecessor (the network may
	 * reorder; Zab's TCP would not): held until it comes. */
	struct zab_wire_proposal *ooo;
	size_t nooo, capooo;

	/* Clients. */
	struct zab_pending *pend;
	size_t npend, cappend;
	uint32_t next_sync;
	uint64_t forwarded, served_local;
};

/* ---- wire formats ---------------------------------------------------------- */

struct zab_wire_vote {
	int64_t round;
	uint32_t state; /* enum zab_role of the sender */
	uint32_t pad;
	struct zab_vote vote; /* LOOKING: its vote; else: its leader */
	int64_t epoch;        /* not LOOKING: the epoch it is in */
};

struct zab_wire_epoch { /* FOLLOWERINFO, NEWEPOCH, ACKLD, UPTODATE */
	int64_t epoch;
	int64_t zxid; /* UPTODATE: commit up to here */
};

struct zab_wire_ackepoch {
	int64_t epoch; /* the NEWEPOCH acknowledged */
	int64_t current_epoch;
	int64_t last_zxid;
	int64_t nhist;
	uint32_t n; /* recent zxids that follow, newest last */
	uint32_t pad;
	int64_t recent[ZAB_RECENT];
};

/* DIFF, TRUNC, SNAP: followed by n struct zab_txn. */
struct zab_wire_sync {
	int64_t epoch;
	int64_t trunc; /* DIFF/TRUNC: keep the history up to this zxid */
	uint32_t n;
	uint32_t pad;
};

struct zab_wire_proposal {
	int64_t epoch;
	int64_t prev; /* the zxid before it in the leader's history */
	struct zab_txn t;
};

struct zab_wire_ack { /* ACK, COMMIT */
	int64_t epoch;
	int64_t zxid;
};

struct zab_wire_ping {
	int64_t epoch;
	int64_t commit;
	int64_t round;
	int64_t last; /* PINGACK: the follower's last zxid */
};

struct zab_wire_forward {
	int64_t epoch;
	struct zab_txn t; /* zxid 0 */
};

struct zab_wire_syncmsg { /* SYNCREQ, SYNCREP */
	int64_t epoch;
	uint32_t id;
	uint32_t pad;
	int64_t target;
};

/* ---- shared functions ------------------------------------------------------- */

/* zab.c */
extern const struct proto_ops zab_ops;
struct zab *zab_of(struct sim *s, int i); /* NULL if not zab */
int zab_quorum(const struct zab *p);
bool zab_bug_on(const struct zab *p, enum zab_bug b);
int64_t zab_last_zxid(const struct zab *p);
int64_t zab_delivered_zxid(const struct zab *p);
void zab_send(struct zab *p, int to, int type, const void *data, size_t len);
const char *zab_phase_name(enum zab_phase ph);
/* Stable storage: append a txn; cut the history to its first n. */
void zab_hist_append(struct zab *p, const struct zab_txn *t);
void zab_hist_cut(struct zab *p, int64_t n);
/* Index of zxid z in the history (0-based), or -1. z = 0: -1. */
int64_t zab_hist_find(const struct zab *p, int64_t z);

/* zab_peer.c */
void zab_look(struct zab *p, const char *why); /* start Phase 0 */
void zab_on_vote(struct zab *p, int from, const struct zab_wire_vote *w);
void zab_election_timer(struct zab *p);
void zab_tick(struct zab *p);
void zab_on_peer_msg(struct zab *p, const struct msg *m);
/* Delivers h[delivered..upto) in order: applies them, answers clients. */
void zab_deliver(struct zab *p, int64_t upto);
/* Leader in Phase 3: broadcasts a new transaction (zxid assigned here).
 * False when the leader cannot (not in broadcast). */
bool zab_broadcast(struct zab *p, const struct zab_txn *t);
/* The leader starts a sync for `from` (a follower or itself). */
void zab_leader_sync(struct zab *p, int from, uint32_t id);
void zab_arm(struct zab *p);

/* zab_client.c */
void zab_on_client(void *self, const struct client_req *req);
bool zab_serving(const struct zab *p); /* serves its clients' writes and reads */
void zab_answer_delivered(struct zab *p, const struct zab_txn *t, const struct kv_result *res);
void zab_answer_syncs(struct zab *p); /* pending reads/syncs now reached */
void zab_on_syncrep(struct zab *p, const struct zab_wire_syncmsg *w);
void zab_on_forward(struct zab *p, int from, const struct zab_wire_forward *w);
void zab_clients_lost(struct zab *p, const char *why); /* refuse every pending */

/* zab_pred.c */
extern const struct proto_pred zab_preds[];
extern const struct proto_cmd zab_commands[];

#endif

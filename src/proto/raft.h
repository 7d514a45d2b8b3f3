/*
 * raft.h — the declarations shared by the files of the Raft protocol and by
 * its invariant checker (src/check/raft_invariants.c).
 *
 * Raft after Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm" (extended version, 2014) — cited below as "§5.3", "Figure 2" —
 * and Ongaro's thesis, "Consensus: Bridging Theory and Practice" (2014) —
 * cited as "thesis §4.1" — for membership changes, reads, PreVote and
 * CheckQuorum. The code is split by concern, one file per part of the paper:
 *
 *   raft.c             the protocol table, node life (create, crash, restart),
 *                      message dispatch, views and message descriptions
 *   raft_log.c         the log and stable storage (Figure 2 "Persistent state")
 *   raft_election.c    §5.2, §5.4.1, thesis §9.6: timeouts, votes, PreVote,
 *                      CheckQuorum
 *   raft_replication.c §5.3, §5.4.2: AppendEntries, the commit rule, applying
 *   raft_membership.c  thesis §4.1-§4.2: one server at a time; `add`, `remove`
 *   raft_snapshot.c    §7: compaction and InstallSnapshot
 *   raft_kv.c          the state machine: proto/kv.c's key-value machine
 *                      with client sessions (thesis §6.3: exactly-once)
 *   raft_read.c        thesis §6.4: ReadIndex, leases, and local reads
 *   raft_client.c      client requests: redirect, append, answer when applied
 *   raft_pred.c        `expect` predicates for scenarios and lessons
 *   raft_transfer.c    thesis §3.10: leadership transfer, TimeoutNow
 *
 * Ownership. Each node's struct raft is owned by the simulator's node (the
 * `self` pointer); everything it points to is owned by it. struct
 * raft_stable is the node's stable storage: it survives a crash; every other
 * field of struct raft is volatile and is reset by raft_on_crash().
 */
#ifndef NETSPLIT_RAFT_H
#define NETSPLIT_RAFT_H

#include "proto/kv.h"
#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- options, timers, messages -------------------------------------------- */

enum raft_opt {
	RAFT_OPT_ELECTION,    /* election timeout range */
	RAFT_OPT_HEARTBEAT,   /* leader heartbeat interval */
	RAFT_OPT_PREVOTE,     /* thesis §9.6 */
	RAFT_OPT_CHECKQUORUM, /* thesis §6.2, §9.6 */
	RAFT_OPT_READS,       /* readindex | lease | local */
	RAFT_OPT_SNAPSHOT,    /* compaction threshold in entries; 0 = never */
	RAFT_OPT_BATCH,       /* entries per AppendEntries */
	RAFT_OPT_BUG,         /* rules switched off (issue 21): a set of raft_bug */
};

/* The rules `bug=` can switch off, one bit each, in the order of the
 * option's choices (raft.c). Each is checked beside the rule it removes;
 * docs/RAFT.md, "Rules you can switch off", says what breaks. */
enum raft_bug {
	RAFT_BUG_NO_UP_TO_DATE_CHECK, /* §5.4.1: vote for any log */
	RAFT_BUG_COMMIT_OLD_TERMS,    /* §5.4.2, Figure 8: count old-term replicas */
	RAFT_BUG_FORGET_VOTE,         /* Figure 2: votedFor lost in a crash */
	RAFT_BUG_FORGET_TERM,         /* Figure 2: currentTerm lost in a crash */
	RAFT_BUG_TRUNCATE_STALE,      /* Figure 2, AppendEntries 3.: a follower cuts
				       * its tail on any AppendEntries, conflict or
				       * not (a stale one too) */
	RAFT_BUG_NO_NOOP,             /* §8 and thesis §6.4 step 1: no no-op at a
				       * new term, and ReadIndex does not wait for
				       * an entry of its term to commit */
};

enum raft_reads { RAFT_READ_INDEX, RAFT_READ_LEASE, RAFT_READ_LOCAL };

enum raft_timer {
	RAFT_TIMER_ELECTION,    /* followers and candidates */
	RAFT_TIMER_HEARTBEAT,   /* leader */
	RAFT_TIMER_CHECKQUORUM, /* leader, with checkquorum=on */
	RAFT_TIMER_TRANSFER,    /* leader, while a leadership transfer runs */
};

enum raft_msg_type {
	RAFT_MSG_VOTE,
	RAFT_MSG_VOTE_REPLY,
	RAFT_MSG_PREVOTE,
	RAFT_MSG_PREVOTE_REPLY,
	RAFT_MSG_APPEND,
	RAFT_MSG_APPEND_REPLY,
	RAFT_MSG_SNAPSHOT,
	RAFT_MSG_SNAPSHOT_REPLY,
	RAFT_MSG_TIMEOUT_NOW, /* thesis §3.10: leadership transfer */
	RAFT_MSG_KINDS,
};

/* ---- the log -------------------------------------------------------------- */

enum raft_entry_type { RAFT_ENTRY_NOOP, RAFT_ENTRY_CMD, RAFT_ENTRY_CONFIG };

/* One log entry. Plain data (no pointers): it is copied into messages with
 * memcpy. Entries are zeroed before they are filled, padding included. */
struct raft_entry {
	int64_t term;
	uint64_t seq;          /* CMD: the client's sequence number */
	int32_t client;        /* CMD: client number */
	uint8_t type;          /* enum raft_entry_type */
	uint8_t change_add;    /* CONFIG: 1 if change_node was added, 0 removed */
	int16_t change_node;   /* CONFIG: the server added or removed */
	struct nodeset config; /* CONFIG: the whole new configuration */
	struct kv_op op;       /* CMD */
};

/* ---- the state machine (raft_kv.c) ---------------------------------------- */

/* The key-value machine with sessions (proto/kv.h), plus the chain hash
 * the checker compares across nodes. */
struct raft_kv {
	struct kv m;
	uint64_t applied_hash; /* chain hash of every command applied so far */
};

struct raft_kv *raft_kv_new(void);
void raft_kv_free(struct raft_kv *kv);
struct raft_kv *raft_kv_copy(const struct raft_kv *kv);
/* The value of key, or NULL. */
const char *raft_kv_get(const struct raft_kv *kv, const char *key);
/* Applies a committed entry: a CMD exactly once per (client, seq) (see
 * kv_apply); *out gets the answer (a duplicate gets the recorded answer). */
void raft_kv_apply(struct raft_kv *kv, const struct raft_entry *e, struct client_reply *out);
/* The session of a client, or NULL when it has none. */
const struct kv_session *raft_kv_session(const struct raft_kv *kv, int client);
/* Serialization for InstallSnapshot: appended to out / read from data;
 * returns false on a malformed buffer. */
void raft_kv_encode(const struct raft_kv *kv, struct sbuf *out);
struct raft_kv *raft_kv_decode(const void *data, size_t len);
/* "put x 1", "cas x 1 2", "no-op", "config +n6" */
void raft_entry_fmt(const struct raft_entry *e, char *buf, size_t n);
/* A hash of an entry's content (term excluded), for the checker. */
uint64_t raft_entry_hash(const struct raft_entry *e);

/* ---- a node ---------------------------------------------------------------- */

/* Figure 2, "Persistent state on all servers (updated on stable storage
 * before responding to RPCs)" — plus the snapshot (§7) and the bootstrap
 * configuration. Survives crashes. */
struct raft_stable {
	int64_t term;           /* currentTerm */
	int voted_for;          /* votedFor, -1 = none */
	struct raft_entry *log; /* log[k] holds index snap_index + 1 + k */
	size_t nlog, caplog;
	int64_t snap_index; /* last index covered by the snapshot (0: none) */
	int64_t snap_term;
	struct nodeset snap_config; /* the configuration as of snap_index */
	struct raft_kv *snap_kv;    /* the state machine at snap_index (NULL: empty) */
	bool boot;                  /* the initial configuration is not fixed yet */
	int64_t cfg_known;          /* latest configuration entry known committed */
	uint64_t writes;            /* writes to stable storage, for the views */
	/* For the checker, not the protocol: the lowest index whose entry was
	 * written or removed since the checker last looked (INT64_MAX: none). */
	int64_t dirty_from;
};

enum raft_role { RAFT_FOLLOWER, RAFT_PRECANDIDATE, RAFT_CANDIDATE, RAFT_LEADER };

/* Figure 2, "Volatile state on leaders", per peer, and what the leader
 * needs for flow control, CheckQuorum and reads. */
struct raft_peer {
	int64_t next;         /* nextIndex */
	int64_t match;        /* matchIndex */
	bool inflight;        /* entries or a snapshot await an answer */
	uint64_t sent_round;  /* heartbeat round when they were sent */
	int64_t sent_last;    /* the last index they carry */
	bool active;          /* heard from since the last CheckQuorum tick */
	uint64_t acked_round; /* highest heartbeat round acknowledged */
	int64_t commit_known; /* the commit index it last said it knows */
};

/* A client write waiting to be applied (answered by (client, seq)). */
struct raft_pending {
	struct client_req req;
};

/* A read waiting for its index to be confirmed and applied (thesis §6.4). */
struct raft_read {
	struct client_req req;
	int64_t index;  /* readIndex; -1 until the leader has committed in its term */
	uint64_t round; /* heartbeat round that must be acknowledged by a majority */
};

#define RAFT_MAX_UNCOMMITTED 1024 /* a leader refuses writes beyond this */
#define RAFT_ROUNDS          64   /* heartbeat rounds whose send time is remembered */

struct raft {
	struct node *n;
	const struct proto_opts *o;
	struct raft_stable st;

	/* Volatile state on all servers (Figure 2). */
	enum raft_role role;
	int leader;              /* the leader this node knows, or -1 */
	int64_t commit;          /* commitIndex */
	int64_t applied;         /* lastApplied */
	struct raft_kv *kv;      /* the state machine at `applied` */
	struct nodeset cfg;      /* the latest configuration in the log (thesis §4.1) */
	int64_t cfg_index;       /* its index (snap_index when it comes from the snapshot) */
	struct nodeset prev_cfg; /* the configuration before it */
	struct nodeset votes;    /* votes (or pre-votes) granted to this candidate */
	sim_time heard_leader;   /* local time a leader was last heard from */
	bool heard_any_leader;

	/* Volatile state on leaders. */
	struct raft_peer peer[SIM_MAX_NODES];
	uint64_t round;                   /* heartbeat rounds sent */
	sim_time round_sent[RAFT_ROUNDS]; /* local send time of round r % RAFT_ROUNDS */
	uint64_t confirmed_round;         /* acknowledged by a majority */
	sim_time lease_until;             /* local time; leases (thesis §6.4.1) */
	struct raft_pending *pend;
	size_t npend, cappend;
	struct raft_read *reads;
	size_t nreads, capreads;
	bool reads_busy; /* raft_reads_progress is running (no re-entry) */
	uint64_t snapshots_sent, snapshots_taken;
	/* The last read this node answered, for the views and `read`. */
	bool read_found;
	char read_key[KV_KEY_MAX];
	char read_value[KV_VAL_MAX];
	/* Leadership transfer (thesis §3.10), on the leader. */
	int transfer_to;    /* the target, or -1 */
	bool transfer_sent; /* TimeoutNow has been sent */
};

/* ---- wire formats ------------------------------------------------------------ */

/* RequestVote and PreVote. For PreVote, term is the term the sender would
 * campaign in (its currentTerm + 1); nothing is persisted. */
struct raft_wire_vote {
	int64_t term;
	int64_t last_index;
	int64_t last_term;
	int32_t candidate;
	/* RequestVote of a leadership transfer: granted even by servers that
	 * heard from a leader recently (thesis §4.2.3). */
	uint32_t transfer;
};

struct raft_wire_vote_reply {
	int64_t term;
	uint32_t granted;
	uint32_t pad;
};

/* AppendEntries; followed by nentries struct raft_entry. */
struct raft_wire_append {
	int64_t term;
	int64_t prev_index;
	int64_t prev_term;
	int64_t commit;
	uint64_t round; /* heartbeat round, for ReadIndex and leases */
	int32_t leader;
	uint32_t nentries;
};

struct raft_wire_append_reply {
	int64_t term;
	int64_t match;          /* success: prev_index + nentries */
	int64_t conflict_index; /* failure: where the leader should go back to */
	int64_t conflict_term;  /* failure: term of the conflicting entry, 0 if none */
	int64_t last_index;     /* the follower's last index */
	int64_t commit;         /* the follower's commit index after this message */
	uint64_t round;
	uint32_t success;
	uint32_t pad;
};

/* InstallSnapshot (Figure 13), in one piece; followed by the encoded state
 * machine (raft_kv_encode). */
struct raft_wire_snapshot {
	int64_t term;
	int64_t last_index;
	int64_t last_term;
	uint64_t round;
	struct nodeset config;
	int32_t leader;
	uint32_t kv_len;
};

struct raft_wire_snapshot_reply {
	int64_t term;
	int64_t last_index;
	uint64_t round;
};

/* TimeoutNow (thesis §3.10): the leader of `term` asks the target to start
 * an election now. */
struct raft_wire_timeout_now {
	int64_t term;
	int32_t leader;
	uint32_t pad;
};

/* ---- shared functions ------------------------------------------------------------ */

/* raft.c */
sim_time raft_opt(const struct raft *r, int opt);
/* Whether `bug=` switched off rule b (false unless asked for). */
bool raft_bug(const struct raft *r, enum raft_bug b);
sim_time raft_election_lo(const struct raft *r);
const char *raft_role_name(enum raft_role role);
/* The node's struct raft in a simulation (NULL if the protocol isn't raft). */
struct raft *raft_of(struct sim *s, int i);
const struct raft *raft_of_c(const struct sim *s, int i);
extern const struct proto_ops raft_ops;

/* raft_log.c: the log, indexes from 1; entries up to snap_index are gone. */
int64_t raft_last_index(const struct raft *r);
int64_t raft_last_term(const struct raft *r);
/* The term of entry i: snap_term at snap_index, 0 at 0, -1 if not held. */
int64_t raft_term_at(const struct raft *r, int64_t i);
/* Entry i, or NULL when it is not held (compacted or beyond the end). */
const struct raft_entry *raft_entry_at(const struct raft *r, int64_t i);
/* Appends one entry (persisted). */
void raft_log_append(struct raft *r, const struct raft_entry *e);
/* Removes entries from index i on (persisted). Never below commit. */
void raft_log_truncate(struct raft *r, int64_t i);
/* Removes entries up to and including index i (compaction). */
void raft_log_compact(struct raft *r, int64_t i);
void raft_persist(struct raft *r);
void raft_stable_free(struct raft_stable *st);

/* raft_election.c */
void raft_arm_election(struct raft *r);
void raft_on_election_timeout(struct raft *r);
/* Figure 2, candidates: a new term, a vote for itself, RequestVote to all;
 * `transfer` marks the RequestVote of a leadership transfer. */
void raft_start_election(struct raft *r, bool transfer);
/* The `campaign NODE` command: the node's election timeout runs out now
 * (RaftScope's "time out"), as if its timer had fired. */
int raft_cmd_campaign(struct sim *s, const struct proto_args *a, struct sbuf *err);
void raft_on_checkquorum(struct raft *r);
/* Moves to a higher term (if term > currentTerm) and to the follower role. */
void raft_step_down(struct raft *r, int64_t term, const char *why);
void raft_become_leader(struct raft *r);
bool raft_is_member(const struct raft *r, int node);
/* Whether this server starts elections when its timeout elapses. */
bool raft_may_campaign(const struct raft *r);
bool raft_majority(const struct raft *r, const struct nodeset *votes);
/* Thesis §4.2.3: ignore vote requests within the minimum election timeout
 * of hearing from a leader (active with prevote, checkquorum or leases). */
bool raft_leader_is_fresh(const struct raft *r);
void raft_recv_vote(struct raft *r, const struct msg *m);
void raft_recv_vote_reply(struct raft *r, const struct msg *m);
void raft_recv_prevote(struct raft *r, const struct msg *m);
void raft_recv_prevote_reply(struct raft *r, const struct msg *m);

/* raft_replication.c */
/* AppendEntries from nextIndex, with up to `batch` entries unless
 * `empty` (a heartbeat while entries are in flight); a snapshot when the
 * entries are gone. */
void raft_send_append(struct raft *r, int peer, bool empty);
/* Sends AppendEntries to every peer without entries in flight (new entries). */
void raft_replicate(struct raft *r);
/* A new heartbeat round to every peer: returns its number. */
uint64_t raft_heartbeat(struct raft *r);
void raft_recv_append(struct raft *r, const struct msg *m);
void raft_recv_append_reply(struct raft *r, const struct msg *m);
void raft_advance_commit(struct raft *r);
void raft_apply(struct raft *r);
/* The peers a leader replicates to: its configuration, plus the servers of
 * the previous one until they know the change is committed; less itself. */
struct nodeset raft_targets(const struct raft *r);
/* A peer acknowledged `round` of the current term. */
void raft_peer_acked(struct raft *r, int peer, uint64_t round);

/* raft_membership.c */
void raft_config_recompute(struct raft *r);
/* Fixes the bootstrap configuration (every node existing now) if not yet. */
void raft_boot(struct raft *r);
/* Adds node (a fresh one if node == sim_nodes) through the leader; 0, -1
 * with a message, or PROTO_REFUSED with one when the leader cannot change
 * the configuration now (none, a change in progress, no entry of its term
 * committed yet, already a member). */
int raft_add_server(struct sim *s, int node, struct sbuf *err);
int raft_remove_server(struct sim *s, int node, struct sbuf *err);
void raft_config_fmt(const struct nodeset *cfg, char *buf, size_t n);
extern const struct proto_cmd raft_commands[];

/* raft_snapshot.c */
void raft_snapshot_maybe(struct raft *r);
void raft_send_snapshot(struct raft *r, int peer);
void raft_recv_snapshot(struct raft *r, const struct msg *m);
void raft_recv_snapshot_reply(struct raft *r, const struct msg *m);

/* raft_read.c */
void raft_read_request(struct raft *r, const struct client_req *req);
/* Serves reads whose round is confirmed and whose index is applied. */
void raft_reads_progress(struct raft *r);
/* Leadership lost or node crashed: refuse every waiting read. */
void raft_reads_drop(struct raft *r, bool reply);

/* raft_client.c */
/* Answers an attempt that this node cannot serve: a follower names the
 * leader it knows (REPLY_NOT_LEADER), a candidate is unavailable. */
void raft_client_refuse(struct raft *r, const struct client_req *req);
void raft_on_client(void *self, const struct client_req *req);
/* An entry was applied: answer the waiting attempts of its (client, seq). */
void raft_client_applied(struct raft *r, const struct raft_entry *e,
			 const struct client_reply *rep);
void raft_pending_drop(struct raft *r);

/* raft_transfer.c (thesis §3.10) */
/* This node leads and is handing its leadership over: it takes no new
 * client requests nor configuration changes. */
bool raft_transferring(const struct raft *r);
/* Forgets the transfer (done, aborted, or leadership lost). */
void raft_transfer_clear(struct raft *r);
/* Brings the target's log up to date, then sends TimeoutNow (once). */
void raft_transfer_progress(struct raft *r);
void raft_on_transfer_timeout(struct raft *r);
void raft_recv_timeout_now(struct raft *r, const struct msg *m);
/* `transfer NODE`; PROTO_REFUSED with a reason when there is no leader,
 * NODE is the leader, down, outside the configuration, or a transfer
 * already runs. */
int raft_cmd_transfer(struct sim *s, const struct proto_args *a, struct sbuf *err);

/* raft_pred.c */
extern const struct proto_pred raft_preds[];

#endif

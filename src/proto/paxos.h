/*
 * paxos.h — the declarations shared by the files of the Paxos protocol and
 * by its invariant checker (src/check/paxos_invariants.c).
 *
 * Paxos after Lamport, "Paxos Made Simple" (2001) — cited below as "PMS
 * §2.2" — and "The Part-Time Parliament" (1998), cited as "PTP". Every
 * node plays the three roles of PMS §2.1 — proposer, acceptor, learner —
 * and the replicated log is PMS §3's "sequence of separate instances of
 * the Paxos consensus algorithm": slot i of the log is instance i, decided
 * by the synod of PMS §2.2-§2.3 on its own. The files, by role:
 *
 *   paxos.c          the protocol table, node life (create, crash,
 *                    restart), message dispatch, views, message words
 *   paxos_acceptor.c PMS §2.2 phase 1(b) and 2(b): promises and
 *                    acceptances, kept on stable storage (PMS §2.4)
 *   paxos_proposer.c PMS §2.2 phase 1(a) and 2(a), ballots (PMS §2.2
 *                    "disjoint sets of numbers"), PMS §3's distinguished
 *                    proposer with gap filling by no-ops, the learner
 *                    (PMS §2.3), applying chosen slots to the shared
 *                    key-value machine (proto/kv.c) and answering clients
 *   paxos_pred.c     `propose`, and the `expect` predicates
 *
 * Roles (PMS §2.1: "a single process may act as more than one agent").
 * By default every node is proposer, acceptor and learner; acceptors=K
 * makes n1..nK the acceptors and proposers=P the last P nodes the
 * proposers. Every node learns. A majority is a majority of the
 * acceptors; only a proposer prepares or takes client writes.
 *
 * Ballots. A proposal number is a pair (round, node), ordered by round and
 * then node: PMS §2.2 "different proposers choose their numbers from
 * disjoint sets of numbers". It travels as one int64, round * PAXOS_SPAN +
 * node; 0 is "no ballot".
 *
 * Ownership. Each node's struct paxos is owned by the simulator's node;
 * struct paxos_stable is its stable storage (PMS §2.4: "an acceptor must
 * remember this information even if it fails and then restarts", and a
 * proposer "the highest-numbered proposal it has ever tried to issue"):
 * it survives a crash; everything else is volatile and reset on a crash.
 */
#ifndef NETSPLIT_PAXOS_H
#define NETSPLIT_PAXOS_H

#include "proto/kv.h"
#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

#define PAXOS_SPAN 256 /* > SIM_MAX_NODES: ballot = round * PAXOS_SPAN + node */

static inline int64_t paxos_ballot(int64_t round, int node)
{
	return round * PAXOS_SPAN + node;
}
static inline int64_t paxos_round(int64_t b)
{
	return b / PAXOS_SPAN;
}
static inline int paxos_bnode(int64_t b)
{
	return (int)(b % PAXOS_SPAN);
}

enum paxos_opt {
	PAXOS_OPT_LEADER,    /* distinguished proposer: on | off */
	PAXOS_OPT_ELECTION,  /* leader=on: silence before a node prepares */
	PAXOS_OPT_HEARTBEAT, /* leader's heartbeat interval */
	PAXOS_OPT_RETRY,     /* a rejected proposer's wait before a new ballot */
	PAXOS_OPT_BATCH,     /* slots per Accept / Chosen */
	PAXOS_OPT_READS,     /* log | local: how a read with no level is served */
	PAXOS_OPT_ACCEPTORS, /* roles: n1..nK accept (0: every node) */
	PAXOS_OPT_PROPOSERS, /* roles: the last P nodes propose (0: every node) */
	PAXOS_OPT_BUG,       /* rules switched off: a set of enum paxos_bug - 1 */
};

enum paxos_reads { PAXOS_READS_LOG, PAXOS_READS_LOCAL };

enum paxos_timer {
	PAXOS_TIMER_ELECTION,  /* leader=on: no leader heard from */
	PAXOS_TIMER_HEARTBEAT, /* leader: heartbeat, resend unchosen Accepts */
	PAXOS_TIMER_RETRY,     /* a proposer tries a new ballot */
};

enum paxos_msg_type {
	PAXOS_MSG_PREPARE,   /* phase 1(a) */
	PAXOS_MSG_PROMISE,   /* phase 1(b) */
	PAXOS_MSG_NACK,      /* a prepare or accept ignored: the higher promise */
	PAXOS_MSG_ACCEPT,    /* phase 2(a) */
	PAXOS_MSG_ACCEPTED,  /* phase 2(b), to the distinguished learner */
	PAXOS_MSG_CHOSEN,    /* the distinguished learner tells the others */
	PAXOS_MSG_HEARTBEAT, /* the leader is alive; how far it knows chosen */
	PAXOS_MSG_CATCHUP,   /* a learner asks for chosen slots from one on */
	PAXOS_MSG_FORWARD,   /* leader=on: a proposed value sent to the leader */
	PAXOS_MSG_KINDS,
};

/* ---- values ------------------------------------------------------------- */

enum paxos_vtype {
	PAXOS_V_NONE, /* nothing (an empty slot) */
	PAXOS_V_NOOP, /* PMS §3: a gap filled by "no-op" */
	PAXOS_V_CMD,  /* a client command */
	PAXOS_V_PLAIN /* `propose NODE VALUE`: a bare value (the synod) */
};

/* A proposed value. Plain data, zeroed before filling (compared with
 * memcmp and hashed). PLAIN keeps its text in op.arg. */
struct paxos_value {
	uint8_t type;
	uint8_t pad[3];
	int32_t client;
	uint64_t seq;
	struct kv_op op;
};

/* "put x 1", "no-op", "\"x\"" */
void paxos_value_fmt(const struct paxos_value *v, char *buf, size_t n);
uint64_t paxos_value_hash(const struct paxos_value *v);

/* ---- stable storage ------------------------------------------------------ */

/* One slot (instance) as the acceptor and the learner keep it. */
struct paxos_slot {
	int64_t acc_ballot;     /* the highest-numbered proposal accepted; 0 none */
	struct paxos_value acc; /* its value */
	bool chosen;            /* the learner knows the slot's value */
	struct paxos_value val; /* that value */
};

struct paxos_stable {
	int64_t promised;        /* the highest prepare responded to (PMS §2.2) */
	int64_t last_round;      /* the highest round this proposer issued */
	struct paxos_slot *slot; /* slot[i] is instance i; slot[0] unused */
	int64_t nslot;           /* slots allocated: 1..nslot-1 usable */
	uint64_t writes;         /* writes to stable storage, for the views */
};

/* ---- volatile state ------------------------------------------------------ */

enum paxos_phase {
	PAXOS_IDLE,      /* not proposing */
	PAXOS_PREPARING, /* phase 1 sent, collecting promises */
	PAXOS_LEADING,   /* phase 1 done for every slot from `from` on */
};

/* What a proposer tracks of one slot it proposes in. */
struct paxos_inflight {
	int64_t ballot;         /* the ballot of the Accept sent; 0 none */
	struct paxos_value val; /* the value sent */
	struct nodeset acks;    /* acceptors that accepted it */
};

/* A value this proposer wants chosen: a client write (answered when its
 * slot is applied) or a `propose`d value. */
struct paxos_want {
	struct paxos_value val;
	struct client_req req; /* CMD: the attempt to answer */
	bool is_client;
	bool placed; /* in a slot of the current ballot */
};

/* For the checker only, never read by the protocol: what happened since
 * the checker last looked. */
struct paxos_audit {
	int64_t *slots; /* slots whose acceptance changed */
	size_t n, cap;
	bool overflow;      /* too many: rescan every slot */
	uint64_t *proposed; /* hashes of fresh values put in an Accept */
	size_t nprop, capprop;
	int64_t promise_low; /* the lowest promise held since the last look */
};

#define PAXOS_WINDOW      256  /* a leader's slots beyond its chosen prefix */
#define PAXOS_PROMISE_MAX 512  /* slots reported in one Promise */
#define PAXOS_MAX_WANT    1024 /* values waiting at one proposer */

struct paxos {
	struct node *n;
	const struct proto_opts *o;
	struct paxos_stable st;
	struct paxos_audit audit;

	/* Learner: every slot below first_unchosen is chosen and known. */
	int64_t first_unchosen;
	int64_t applied; /* slots applied to kv */
	struct kv kv;

	/* Proposer. */
	enum paxos_phase phase;
	int64_t ballot; /* the ballot of the current attempt */
	int64_t from;   /* phase 1 covers slots >= from */
	struct nodeset promises;
	struct paxos_slot *adopt; /* per slot from `from`: highest accepted heard */
	int64_t nadopt;
	int64_t adopt_top;         /* the highest slot any promise reported */
	bool promise_more;         /* a Promise was cut short (PAXOS_PROMISE_MAX) */
	int64_t next_slot;         /* leading: the next free slot */
	struct paxos_inflight *fl; /* indexed by slot - from */
	int64_t nfl;
	struct paxos_want *want;
	size_t nwant, capwant;
	int leader; /* the leader heard from, or -1 */
	int64_t leader_ballot;
	int64_t seen_ballot; /* the highest ballot seen anywhere */
	uint64_t nacks;      /* rejections received, for the views */
	uint64_t preparations;
};

/* ---- wire formats --------------------------------------------------------- */

struct paxos_wire_prepare {
	int64_t ballot;
	int64_t from; /* the proposer's first slot not known chosen */
};

/* One slot in a Promise: the acceptor's accepted proposal, and whether its
 * learner knows the slot chosen (then val is the chosen value). */
struct paxos_wire_report {
	int64_t slot;
	int64_t acc_ballot;
	uint32_t chosen;
	uint32_t pad;
	struct paxos_value val;
};

/* Followed by n struct paxos_wire_report. */
struct paxos_wire_promise {
	int64_t ballot;
	int64_t from;
	uint32_t n;
	uint32_t more; /* slots beyond were left out */
};

struct paxos_wire_nack {
	int64_t ballot;   /* the ballot refused */
	int64_t promised; /* the acceptor's promise, higher */
	uint32_t phase;   /* 1 or 2 */
	uint32_t pad;
};

struct paxos_wire_entry {
	int64_t slot;
	struct paxos_value val;
};

/* Accept and Chosen: followed by n struct paxos_wire_entry. */
struct paxos_wire_accept {
	int64_t ballot;
	uint32_t n;
	uint32_t pad;
};

/* Followed by n int64 slots. */
struct paxos_wire_accepted {
	int64_t ballot;
	uint32_t n;
	uint32_t pad;
};

struct paxos_wire_heartbeat {
	int64_t ballot;
	int64_t first_unchosen; /* the leader's */
};

struct paxos_wire_catchup {
	int64_t from;
};

/* ---- rules switched off (option bug=, docs/PROTOCOLS.md) --------------------- */

/* Bit b - 1 of option bug is rule b switched off; the order is that of the
 * option's choices and of paxos_bugs[]. */
enum paxos_bug {
	PAXOS_BUG_NONE,
	PAXOS_BUG_IGNORE_ACCEPTED, /* ignore-accepted: a proposer ignores the values
				    * the promises report (P2c, PMS §2.2) */
	PAXOS_BUG_ACCEPT_BELOW,    /* accept-below-promise: an acceptor accepts below
				    * its promise (P1a) */
	PAXOS_BUG_FORGET_PROMISE,  /* forget-promise: the promise is not on stable
				    * storage (PMS §2.4) */
	PAXOS_BUG_INVENT,          /* invent-value: a proposer proposes a value
				    * nobody proposed (PMS §2.1, "only a value that
				    * has been proposed may be chosen") */
};

/* Whether this node's cluster runs with rule b switched off. */
bool paxos_bug_on(const struct paxos *p, enum paxos_bug b);

/* ---- shared functions ------------------------------------------------------ */

/* paxos.c */
extern const struct proto_ops paxos_ops;
struct paxos *paxos_of(struct sim *s, int i); /* NULL if not paxos */

/* The roles of a cluster of n nodes under options o: how many acceptors
 * (n1..nK), whether node id accepts, whether it proposes (the last P), and
 * a majority of the acceptors. */
int paxos_nacceptors(const struct proto_opts *o, int n);
bool paxos_is_acceptor(const struct proto_opts *o, int n, int id);
bool paxos_is_proposer(const struct proto_opts *o, int n, int id);
int paxos_quorum(const struct proto_opts *o, int n);
sim_time paxos_rand_in(struct paxos *p, int opt);
void paxos_send(struct paxos *p, int to, int type, const void *data, size_t len);
/* "(3,n2)" or "none" */
const char *paxos_ballot_fmt(int64_t b, char *buf, size_t n);

/* paxos_acceptor.c */
struct paxos_slot *paxos_slot(struct paxos *p, int64_t i);               /* grows */
const struct paxos_slot *paxos_slot_c(const struct paxos *p, int64_t i); /* NULL past end */
void paxos_audit_slot(struct paxos *p, int64_t i);
/* Phase 1(b): true when promised (then *reply is filled, caller frees
 * reply->data); false with the higher promise in *promised. */
void paxos_on_prepare(struct paxos *p, int from, const struct paxos_wire_prepare *w);
void paxos_on_accept(struct paxos *p, int from, const void *data, size_t len);
/* The local acceptor's answer to this node's own proposer. */
bool paxos_local_prepare(struct paxos *p, int64_t ballot);
bool paxos_local_accept(struct paxos *p, int64_t ballot, int64_t slot, const struct paxos_value *v);
/* Raises the promise (persisted); the caller has checked b > promised. */
void paxos_promise(struct paxos *p, int64_t b);

/* paxos_proposer.c */
void paxos_prepare(struct paxos *p);
void paxos_on_promise(struct paxos *p, int from, const void *data, size_t len);
void paxos_on_nack(struct paxos *p, int from, const struct paxos_wire_nack *w);
void paxos_on_accepted(struct paxos *p, int from, const void *data, size_t len);
void paxos_on_chosen(struct paxos *p, int from, const void *data, size_t len);
void paxos_on_heartbeat(struct paxos *p, int from, const struct paxos_wire_heartbeat *w);
void paxos_on_catchup(struct paxos *p, int from, const struct paxos_wire_catchup *w);
void paxos_heartbeat(struct paxos *p);
void paxos_on_forward(struct paxos *p, int from, const struct paxos_value *v);
void paxos_retry(struct paxos *p);
void paxos_election(struct paxos *p);
/* Sees ballot b elsewhere: a higher one deposes this proposer. */
void paxos_see_ballot(struct paxos *p, int64_t b);
/* The learner: slot i is chosen with value v. */
void paxos_learn(struct paxos *p, int64_t i, const struct paxos_value *v);
void paxos_on_client(void *self, const struct client_req *req);
/* `propose`: queue a plain value and start a ballot (the synod). */
bool paxos_propose_value(struct paxos *p, const char *value);
void paxos_step_down(struct paxos *p, const char *why);
void paxos_replay(struct paxos *p); /* rebuild kv from the chosen prefix */
void paxos_arm(struct paxos *p);    /* the timers of the current state */

/* paxos_pred.c */
extern const struct proto_pred paxos_preds[];
extern const struct proto_cmd paxos_commands[];

#endif

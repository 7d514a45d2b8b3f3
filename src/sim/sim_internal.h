/*
 * sim_internal.h — the simulator's private state, shared by sim.c and
 * client.c only. Nothing outside src/sim includes this file.
 */
#ifndef NETSPLIT_SIM_INTERNAL_H
#define NETSPLIT_SIM_INTERNAL_H

#include "sim/sim.h"

#define SLOT_BLOCK 1024

enum ev_kind { EV_DELIVER, EV_TIMER, EV_CALL, EV_CLIENT };

/* One queued event: 32 bytes, ordered by (at, seq). */
struct event {
	sim_time at;
	uint64_t seq;
	uint32_t kind;
	uint32_t a; /* DELIVER: slot; TIMER: node; CALL: call; CLIENT: op id */
	uint64_t b; /* TIMER: timer << 32 | generation; CLIENT: client_ev */
};

struct slot {
	struct msg m;
	uint32_t epoch;       /* the link's epoch at sending */
	uint32_t incarnation; /* the receiver's incarnation at sending */
	uint32_t inflight_pos;
	uint32_t next_free;
	size_t bigcap;
	unsigned char *big;
	unsigned char inl[SIM_MSG_INLINE];
};

struct call {
	void (*fn)(void *ctx, struct sim *s, uint64_t arg);
	void *ctx;
	uint64_t arg;
	uint32_t next_free;
};

/* A client operation in progress. */
struct pend {
	struct client_op op;
	uint64_t seq;        /* the client's sequence number for this op */
	uint32_t attempt;    /* current attempt number, from 1 */
	int node;            /* node of the current attempt */
	uint64_t delivered;  /* bit k: attempt k+1 reached a live node */
	uint64_t refused;    /* bit k: attempt k+1 was explicitly refused */
	bool late_delivered; /* an attempt past the 64th reached a live node */
	/* Answers heard so far for a reply that needs matching ones
	 * (client_reply.matching): per node, a hash of its latest answer
	 * (0: none). Allocated on the first such reply. */
	uint64_t *votes;
	uint32_t list_pos; /* position in pending_list */
	uint32_t next_free;
	bool live;
};

struct reply_slot {
	struct client_reply r;
	uint32_t attempt;
	int node;
	uint32_t next_free;
};

/* What an EV_CLIENT event does; b = kind | attempt << 8 | extra << 32. */
enum client_ev {
	CEV_ARRIVE,   /* the attempt reaches its node */
	CEV_REPLY,    /* a reply reaches the client; extra = reply slot */
	CEV_TIMEOUT,  /* the attempt timed out */
	CEV_DEADLINE, /* the op's deadline */
	CEV_RETRY,    /* retry after a backoff; extra = node + 1 (0: any) */
};

struct observer {
	trace_fn fn;
	void *ctx;
};

struct sim {
	const struct node_ops *ops;
	void *config; /* sim_create's copy of the protocol's config */
	uint64_t seed;
	struct rng rng;
	sim_time now;
	bool halted; /* sim_halt: run and step do nothing until sim_resume */
	uint64_t events;
	uint64_t next_seq;
	uint32_t next_msg_id;

	int n;
	struct node node[SIM_MAX_NODES];
	struct link *links; /* SIM_MAX_NODES x SIM_MAX_NODES, [from][to] */
	struct link_config link_default;

	struct event *q;
	size_t qlen, qcap;

	struct slot **blocks;
	size_t nblocks;
	uint32_t free_slot;
	uint32_t *inflight;
	size_t ninflight, inflight_cap;

	struct call *calls;
	size_t ncalls, calls_cap;
	uint32_t free_call;

	struct client_config client;
	struct pend *pend;
	size_t npend, pend_cap;
	uint32_t free_pend;
	uint32_t *pending_list;
	size_t npending, pending_cap;
	struct reply_slot *replies;
	size_t nreplies, replies_cap;
	uint32_t free_reply;
	uint8_t *client_busy;
	uint64_t *client_seq;
	int *client_home; /* per client: its home node, or -1 (reaches every node) */
	size_t nclients;
	uint32_t next_op_id;

	struct observer obs[16];
	int nobs, live_obs;

	/* Byzantine nodes (sim_set_byzantine): mode and the lie's seed. */
	uint8_t byz[SIM_MAX_NODES];
	uint64_t byz_seed[SIM_MAX_NODES];
	int nbyz;      /* nodes not loyal */
	char *byz_buf; /* scratch for a forged payload */
	size_t byz_cap;
};

void queue_push(struct sim *s, sim_time at, uint32_t kind, uint32_t a, uint64_t b);
void client_event(struct sim *s, uint32_t op_id, uint64_t b);

/* The simulation a node belongs to: nodes live in the array s->node, so
 * the node's index leads back to its owner (struct node holds no pointer
 * to it, so that protocols cannot follow one). */
static inline struct sim *node_sim(const struct node *n)
{
	return (struct sim *)((const char *)(n - n->id) - offsetof(struct sim, node));
}

#endif

/*
 * sim.h — the deterministic simulator: virtual time, one event queue, one
 * seeded PRNG, a simulated network of directed links, and the nodes that
 * host protocol code.
 *
 * Stepping rule. Every future happening (a message arriving, a timer firing,
 * a client request or reply arriving, a scheduled command) is an event in
 * one priority queue ordered by (time, sequence number), where the sequence
 * number is a counter taken when the event was scheduled. sim_step() pops
 * the smallest, advances the clock to its time, and runs it to completion;
 * whatever it schedules goes into the queue behind everything already there
 * at the same time. Two events at the same microsecond therefore fire in the
 * order they were scheduled, and since every random choice is drawn from the
 * simulator's one xoshiro256** generator in that same order, a seed and a
 * sequence of commands at fixed simulated times determine the run exactly.
 *
 * Ownership. The simulator owns nodes, links, the message pool and the
 * queue; a protocol owns its per-node state (`self`) and sees the world only
 * through its struct node and the node_* functions below: send, timers,
 * local clock, random numbers, client replies and trace lines. A node holds
 * no pointer to the simulation (the node_* functions find it themselves),
 * so protocol code cannot reach past its node. Nothing here includes a screen,
 * readline or a database; observers of the trace (the screen, the JSON
 * printer, the checkers) register with sim_observe().
 */
#ifndef NETSPLIT_SIM_H
#define NETSPLIT_SIM_H

#include "sim/rng.h"
#include "sim/simtime.h"
#include "util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_NODES  128 /* nodes n1..n128; nodesets are 128-bit */
#define SIM_MAX_TIMERS 8   /* timer ids 0..7 per node */
#define SIM_MSG_INLINE 48  /* payloads up to this size live in the slot */

struct sim;
struct node;
struct client_req;

/* ---- node sets ---------------------------------------------------------- */

/* A set of node indexes (0-based: n1 is 0). */
struct nodeset {
	uint64_t w[2];
};

static inline void nodeset_add(struct nodeset *s, int i)
{
	s->w[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline void nodeset_del(struct nodeset *s, int i)
{
	s->w[i >> 6] &= ~((uint64_t)1 << (i & 63));
}
static inline bool nodeset_has(const struct nodeset *s, int i)
{
	return (s->w[i >> 6] >> (i & 63)) & 1;
}
static inline bool nodeset_empty(const struct nodeset *s)
{
	return !(s->w[0] | s->w[1]);
}
int nodeset_count(const struct nodeset *s);

/* ---- messages ----------------------------------------------------------- */

/* struct msg.flags: a copy made by the network; a payload a Byzantine
 * sender forged (see sim_set_byzantine). */
enum { MSG_DUPLICATE = 1, MSG_FORGED = 2 };

/* A message on the simulated network. `data` points at `len` bytes of the
 * protocol's own encoding, owned by the simulator and valid only during the
 * callback that receives the message. */
struct msg {
	uint32_t id;      /* unique, increasing in send order */
	uint16_t from;    /* sender's node index */
	uint16_t to;      /* receiver's node index */
	uint16_t type;    /* index into the protocol's msg_kinds table */
	uint16_t flags;   /* MSG_DUPLICATE, MSG_FORGED */
	sim_time sent_at; /* true time of sending */
	sim_time arrives_at;
	uint32_t len;
	const void *data;
};

/* Why the network lost a message; reported in TR_DROP events. */
enum drop_reason {
	DROP_LOSS,          /* the link's loss probability */
	DROP_LINK_DOWN,     /* sent on a cut link */
	DROP_CUT_IN_FLIGHT, /* the link was cut while the message was on it */
	DROP_NODE_DOWN,     /* the receiver was crashed when it arrived */
	DROP_RESTARTED,     /* the receiver crashed (and restarted) meanwhile */
	DROP_SENDER_DOWN,   /* sent by a crashed node (a protocol bug) */
};

const char *drop_reason_str(enum drop_reason r); /* untranslated, N_() */

/* ---- links -------------------------------------------------------------- */

/* The settings of one directed link. Reordering follows from jitter: each
 * message draws its own delay, so a later message may overtake. */
struct link_config {
	sim_time latency;   /* base one-way delay */
	sim_time jitter;    /* plus a uniform delay in [0, jitter] */
	uint32_t loss_ppm;  /* probability of loss, parts per million */
	uint32_t dup_ppm;   /* probability of a duplicate, parts per million */
	uint64_t bandwidth; /* bytes per second; 0 = unlimited */
};

/* The settings every link starts with, and what `net reset` returns to. */
extern const struct link_config sim_link_base;

struct link {
	bool up;
	uint32_t epoch; /* bumped at every cut: in-flight messages die */
	struct link_config cfg;
	sim_time busy_until; /* bandwidth: when the wire is free again */
	uint64_t sent, lost; /* counters for the views */
};

/* ---- client operations ---------------------------------------------------- */

#define KV_KEY_MAX 32
#define KV_VAL_MAX 64

/* KV_SYNC: ZooKeeper's sync (no key): the server catches up with its leader
 * (only for a protocol with kv_sync, proto.h; never in the history). */
enum kv_fn { KV_GET, KV_PUT, KV_CAS, KV_APPEND, KV_SYNC };

/* The consistency a client asks of one request (Brewer, "CAP Twelve Years
 * Later", 2012: the choice between C and A "can be made per operation").
 * DEFAULT: whatever the protocol and its options do. ONE, QUORUM, ALL:
 * how many replicas must answer (Cassandra's consistency levels).
 * SERIALIZABLE: the node asked answers from its own copy, at once,
 * possibly stale (etcd's serializable reads, DynamoDB's eventually
 * consistent reads, ZooKeeper's plain reads). LINEARIZABLE: the answer
 * reflects every write that completed before the request began (etcd's
 * default, DynamoDB's ConsistentRead, Spanner's strong reads). Which
 * levels a protocol takes is data in its struct proto_ops (proto.h). */
enum kv_level {
	KV_LEVEL_DEFAULT,
	KV_LEVEL_ONE,
	KV_LEVEL_QUORUM,
	KV_LEVEL_ALL,
	KV_LEVEL_SERIALIZABLE,
	KV_LEVEL_LINEARIZABLE,
	KV_LEVEL_COUNT
};

/* The level's word in the command language ("quorum"; "" for DEFAULT). */
const char *kv_level_name(enum kv_level l);
/* Reads a level word, or one of its aliases (eventual and local for
 * serializable, strong and consistent for linearizable). */
bool kv_level_parse(const char *word, enum kv_level *out);

/* A key-value operation. put: key = arg; cas: if key = arg then key = arg2;
 * append: key = key ++ arg. */
struct kv_op {
	enum kv_fn fn;
	uint8_t level; /* enum kv_level: what this one request asks */
	char key[KV_KEY_MAX];
	char arg[KV_VAL_MAX];
	char arg2[KV_VAL_MAX];
};

enum op_outcome {
	OUT_PENDING,
	OUT_OK,      /* happened; result holds the value for a get */
	OUT_FAIL,    /* certainly did not happen (or a cas whose compare failed:
		      * then cas_false is set) */
	OUT_UNKNOWN, /* timed out: may or may not have happened */
};

/* One client operation, as recorded in the history. */
struct client_op {
	uint32_t id; /* unique, increasing in invocation order */
	int client;  /* client number, 1-based (c1, c2, ...) */
	int node;    /* the node that answered (or last tried) */
	struct kv_op op;
	sim_time invoked;   /* true time */
	sim_time completed; /* true time; SIM_NEVER while pending */
	enum op_outcome outcome;
	bool found;              /* get: the key existed */
	char result[KV_VAL_MAX]; /* get: the value read */
	char why[64];            /* fail/unknown: a short reason, untranslated */
	int attempts;
	bool cas_false; /* fail of a cas whose compare failed (REPLY_CAS_FALSE): it
			 * changed nothing, but it observed that the key did not
			 * hold arg — the history records it as completed, false */
};

/* Appends the operation in the command language's words: "put x 1",
 * "get x", "cas x 1 2", "append x y", and " consistency=WORD" when the
 * request asks for a level. */
void kv_op_fmt(const struct kv_op *op, struct sbuf *out);
/* The operation's name as the language spells it ("get", ..., "sync");
 * "?" for a value outside enum kv_fn. */
const char *kv_fn_name(enum kv_fn fn);
/* Appends an outcome word: "ok", "fail", "unknown", "pending". */
const char *op_outcome_str(enum op_outcome o);

/* What a node's on_client sees: one attempt of one operation. Exactly-once
 * semantics rest on (client, seq): a retry carries the same seq. */
struct client_req {
	uint32_t op_id;
	uint32_t attempt;
	int client;
	uint64_t seq;
	struct kv_op op;
};

enum reply_status {
	REPLY_OK,          /* done; value/found for reads */
	REPLY_FAIL,        /* certainly not done: rejected */
	REPLY_NOT_LEADER,  /* not done here; leader_hint names whom to ask */
	REPLY_UNAVAILABLE, /* not done; cannot serve now (no quorum, ...) */
	REPLY_CAS_FALSE,   /* a cas whose compare failed: done, and the answer is
			    * "the key did not hold the expected value" (an
			    * observation, not a refusal); why says what it held */
};

struct client_reply {
	enum reply_status status;
	int leader_hint; /* node index, or -1 */
	bool found;
	char value[KV_VAL_MAX];
	char why[64];
	/* Replies of this same content (status, found, value, why), from
	 * different nodes, that the client waits for before it believes an
	 * ok, fail or cas-false answer; 0 or 1: this one suffices. A
	 * Byzantine-tolerant protocol sets it (PBFT, Castro & Liskov §4.1:
	 * "the client waits for f+1 replies ... from different replicas, and
	 * with the same t and r"). It stands for the client's own knowledge
	 * of f, so a traitor's forged reply keeps it. */
	uint8_t matching;
};

/* Client behaviour: each attempt waits `attempt_timeout`, then the client
 * retries on another node with the same seq; `deadline` after invocation it
 * gives up with outcome unknown (or fail when every attempt it sent was
 * answered by a refusal: silence may hide an attempt that took effect). Explicit refusals are
 * retried after `backoff`. */
struct client_config {
	sim_time latency; /* one way, client <-> node */
	sim_time attempt_timeout;
	sim_time deadline;
	sim_time backoff;
	bool follow_redirects;
	bool stick; /* retries stay on the first node: a client
		     * that can reach only that node (say, on its
		     * side of a partition) */
};

/* The least each client duration may be. Below it a client would work
 * without simulated time passing: with `attempt 0ms` every attempt timed
 * out at the instant it was sent and was retried at that same instant,
 * forever (one put made 50 M events). The command language refuses smaller
 * values (sim_client_setting_check); the simulator treats them as these.
 * backoff may be 0: a retry after a refusal still waits for a reply, which
 * takes at least 2 * CLIENT_LATENCY_MIN. */
#define CLIENT_LATENCY_MIN  ((sim_time)1) /* 1us: every message takes time */
#define CLIENT_ATTEMPT_MIN  (1 * SIM_MS)  /* at most 1000 attempts a second */
#define CLIENT_DEADLINE_MIN (1 * SIM_MS)
#define CLIENT_BACKOFF_MIN  ((sim_time)0)
/* Checks the value of one client setting, named as the `client` command
 * names it: "latency", "attempt", "timeout" or "backoff". Returns false,
 * with a message in the user's language appended to why, when v is below
 * the setting's minimum; true otherwise (and for other names). */
bool sim_client_setting_check(const char *name, sim_time v, struct sbuf *why);

/* ---- the node callbacks ----------------------------------------------------- */

/* A message kind, indexed by msg->type: its name in traces and views and
 * its glyph on the screen. */
struct msg_kind {
	const char *name; /* "AppendEntries" (not translated: protocol vocabulary) */
	char glyph;       /* 'a'; replies use the request's glyph upper-cased */
	bool reply;
};

/* What the simulator runs on each node: the code a protocol hands it. The
 * protocol layer (src/proto/proto.h) wraps this in its larger table; the
 * simulator knows nothing else of a protocol. `config` is opaque here: the
 * bytes given to sim_create, kept by the simulator for the whole run (the
 * protocol layer stores its parsed options there).
 *
 * Required: create, on_message, on_timer, on_crash, on_restart. Optional
 * (NULL): destroy (nothing to free), describe_msg (the kind's name is
 * used), corrupt_msg (see below), and on_client for a protocol that serves
 * no clients: the layers above must then never call sim_client_invoke
 * (the command language refuses put/get/cas/append and load on it). */
struct node_ops {
	/* A fresh node joining the simulation: allocate stable and volatile
	 * state, arm timers. The node is up. */
	void *(*create)(struct node *n, const void *config);
	/* End of the simulation: free everything. */
	void (*destroy)(void *self);
	void (*on_message)(void *self, const struct msg *m);
	void (*on_timer)(void *self, int timer);
	void (*on_client)(void *self, const struct client_req *r);
	/* The node crashed: drop every volatile field, keep stable storage.
	 * The simulator has already cancelled its timers. */
	void (*on_crash)(void *self);
	/* The node restarts: rebuild volatile state from stable storage, arm
	 * timers, as a real process would after a reboot. */
	void (*on_restart)(void *self);
	/* A message in words, appended to out: "AppendEntries t3 prev=7/t2 +2". */
	void (*describe_msg)(const struct msg *m, struct sbuf *out);
	/* Optional, for Byzantine nodes (see sim_set_byzantine): rewrites the
	 * payload of one message of type `type` that the traitor `from` sends
	 * to `to` into a plausible lie in the protocol's own wire format. buf
	 * holds *len bytes (capacity cap); the hook may change them and *len
	 * (<= cap). It must not touch the protocol's state (`from` is given
	 * for its id and node count only). `r` comes from the simulator's
	 * generator, so that lies are deterministic. */
	void (*corrupt_msg)(const struct node *from, int to, int type, void *buf, size_t *len,
			    size_t cap, uint64_t r);
	const struct msg_kind *msg_kinds;
	int nmsg_kinds;
};

/* ---- nodes -------------------------------------------------------------- */

/* A node as its protocol and the views see it. It holds no pointer to the
 * simulation, its clock or its other nodes: the node_* functions below,
 * which find the simulation from the node, are all a protocol has of the
 * world. The fields below `self` are the simulator's (read-only for
 * everyone else). */
struct node {
	int id;       /* index: n1 is 0 */
	char name[8]; /* "n1" */
	bool up;
	uint32_t incarnation; /* bumped at every crash */
	const struct node_ops *ops;
	void *self; /* the protocol's state */
	/* local clock: local(t) = t + skew + drift_acc + (t - drift_since)*drift_ppm/1e6 */
	sim_time skew;
	int32_t drift_ppm;
	sim_time drift_since;
	sim_time drift_acc;
	uint32_t timer_gen[SIM_MAX_TIMERS];
	sim_time timer_due[SIM_MAX_TIMERS]; /* true time, SIM_NEVER if unset */
	sim_time timer_set[SIM_MAX_TIMERS]; /* true time it was last armed (views) */
	uint64_t sent, received;
	uint8_t byz; /* enum byz_mode (sim_set_byzantine): for corrupt_msg, which
		      * may lie differently per mode. A protocol's behaviour never
		      * depends on it; an observer field may record it for the
		      * checker and the views (generals' `lied`) */
};

/* For protocols: the node's view of the world. `to` and node ids are
 * indexes (n1 is 0). node_send copies the payload. */
void node_send(struct node *n, int to, int type, const void *data, size_t len);
/* Arms timer `timer` (0..SIM_MAX_TIMERS-1) to fire after `local_delay` of
 * the node's local clock; re-arming replaces the earlier setting. */
void node_set_timer(struct node *n, int timer, sim_time local_delay);
void node_cancel_timer(struct node *n, int timer);
bool node_timer_armed(const struct node *n, int timer);
/* For views: when an armed timer was armed and when it fires, in true
 * simulated time; false (nothing written) if it is not armed. */
bool node_timer_span(const struct node *n, int timer, sim_time *armed, sim_time *fires);
/* The node's local clock (true time adjusted by skew and drift): the only
 * clock a protocol decides by. */
sim_time node_local_now(const struct node *n);
/* The true time of the event being run, for the protocol's instrumentation
 * only: what its views and predicates report as "when" (the moment a
 * detector changed its mind, a coordinator's start for the ghost log), in
 * the trace's own time base. A protocol never decides by it (a real node
 * has no such clock); decisions use node_local_now. */
sim_time node_trace_time(const struct node *n);
/* Random numbers from the simulator's generator. */
uint64_t node_rand(struct node *n);
int64_t node_rand_range(struct node *n, int64_t lo, int64_t hi);
/* Number of nodes in the simulation (including crashed ones). */
int node_count(const struct node *n);
/* Answers one attempt of a client request (see struct client_req). Late or
 * duplicate replies are ignored by the client. */
void node_reply(struct node *n, const struct client_req *req, const struct client_reply *r);
/* Reports a change of state worth showing ("became Leader for term 3"). */
void node_state(struct node *n, const char *fmt, ...) NS_PRINTF(2, 3);

/* ---- trace -------------------------------------------------------------- */

enum trace_kind {
	TR_SEND,     /* node -> peer, msg */
	TR_DELIVER,  /* msg arrived at peer (node = receiver) */
	TR_DROP,     /* msg lost; reason */
	TR_TIMER,    /* timer fired at node */
	TR_STATE,    /* node's protocol state changed; text */
	TR_FAULT,    /* a fault injected or healed; text (node/peer if any) */
	TR_INVOKE,   /* client op invoked; op */
	TR_COMPLETE, /* client op completed (ok, fail or unknown); op */
	TR_EXPECT,   /* an expectation evaluated; text, ok */
	TR_NOTE,     /* anything else worth a line; text */
	TR_STEP,     /* an event finished (no payload): invariant checkers */
	TR_REFUSED,  /* a command the cluster could not carry out now; text, ok
			(ok: the script expected it, with `try`) */
};

struct trace_event {
	enum trace_kind kind;
	sim_time at;
	int node; /* -1 when none */
	int peer; /* -1 when none */
	const struct msg *msg;
	enum drop_reason reason;
	int timer;
	const struct client_op *op;
	const char *text;
	bool ok;
};

typedef void (*trace_fn)(void *ctx, const struct trace_event *ev);

/* Registers an observer; returns a handle for sim_unobserve. Observers are
 * called in registration order, synchronously; they must not step the
 * simulation. */
int sim_observe(struct sim *s, trace_fn fn, void *ctx);
void sim_unobserve(struct sim *s, int handle);
/* Emits an event to every observer (used by the layers above for
 * TR_EXPECT, TR_NOTE and TR_FAULT lines). */
void sim_emit(struct sim *s, const struct trace_event *ev);
void sim_note(struct sim *s, enum trace_kind kind, int node, int peer, const char *fmt, ...)
    NS_PRINTF(5, 6);

/* ---- the simulation ----------------------------------------------------- */

/* Creates a simulation of n nodes (1..SIM_MAX_NODES) running `ops`,
 * seeded with `seed`. The simulator keeps a copy of the `config_size`
 * bytes at `config` (zeroes if NULL) and hands it to every create; the
 * protocol layer's sim_new (proto.h) passes its parsed options. Every node
 * is up; each protocol instance is created in node order. */
struct sim *sim_create(const struct node_ops *ops, const void *config, size_t config_size, int n,
		       uint64_t seed);
void sim_free(struct sim *s);

/* Adds one node (up, fresh state); returns its index, or -1 at the limit. */
int sim_add_node(struct sim *s);

sim_time sim_now(const struct sim *s);
uint64_t sim_seed(const struct sim *s);
struct rng *sim_rng(struct sim *s);
int sim_nodes(const struct sim *s);
struct node *sim_node(struct sim *s, int i);
const struct node *sim_node_c(const struct sim *s, int i);
const struct node_ops *sim_node_ops(const struct sim *s);
/* The config given to sim_create (the simulator's copy; changes made
 * through sim_config_mut are seen by every node that keeps the pointer). */
const void *sim_config(const struct sim *s);
void *sim_config_mut(struct sim *s);
uint64_t sim_events(const struct sim *s); /* events processed so far */

/* Processes exactly one event (skipping cancelled timers). Returns false
 * when the queue is empty. */
bool sim_step(struct sim *s);
/* Time of the next live event, or SIM_NEVER. */
sim_time sim_next_time(struct sim *s);
/* Processes every event due at or before `until`, then sets the clock to
 * `until` (which must not be in the past). */
void sim_run_until(struct sim *s, sim_time until);
/* Halts the simulation where it stands: sim_step returns false, and
 * sim_run_until and sim_run_while return at once without moving the clock,
 * until sim_resume. Safe to call from an observer in the middle of an
 * event (the event finishes; no further one starts). `netsplit open`
 * halts at the first invariant violation to show that moment. */
void sim_halt(struct sim *s);
void sim_resume(struct sim *s);
bool sim_halted(const struct sim *s);
/* Runs until `pred` is true (checked before the first event and after each
 * one) or `until` passes; returns whether pred held. */
bool sim_run_while(struct sim *s, sim_time until, bool (*pred)(void *ctx, struct sim *s),
		   void *ctx);

/* Schedules fn(ctx, arg) at true time `at` (>= now) as an ordinary event. */
void sim_schedule(struct sim *s, sim_time at, void (*fn)(void *ctx, struct sim *s, uint64_t arg),
		  void *ctx, uint64_t arg);

/* ---- faults ------------------------------------------------------------- */

/* Crash: volatile state gone (on_crash), timers cancelled, messages to it
 * lost. Restart: the protocol reloads from stable storage (on_restart).
 * Return false when already in that state. */
bool sim_crash(struct sim *s, int node);
bool sim_restart(struct sim *s, int node);

/* Links are directed: link(from, to). */
struct link *sim_link(struct sim *s, int from, int to);
const struct link *sim_link_c(const struct sim *s, int from, int to);
/* Cuts or heals one direction; returns whether anything changed. */
bool sim_cut(struct sim *s, int from, int to);
bool sim_heal_link(struct sim *s, int from, int to);
/* Heals every link. */
void sim_heal_all(struct sim *s);
/* Splits the nodes into groups: group[i] is node i's group number; links
 * between different groups are cut (both ways), links within a group healed. */
void sim_partition(struct sim *s, const int *group);
/* Default settings for links; sim_set_all_links applies cfg to every link. */
void sim_set_all_links(struct sim *s, const struct link_config *cfg);
const struct link_config *sim_default_link(const struct sim *s);
/* Sets the settings that links of nodes added later start with. */
void sim_set_default_link(struct sim *s, const struct link_config *cfg);

/* Clocks: skew is an offset of the local clock from true time; drift is a
 * rate error in parts per million (10000 = 1%: the local clock runs 1%
 * fast). Changes keep the local clock continuous, except skew's jump. */
void sim_set_skew(struct sim *s, int node, sim_time skew);
void sim_set_drift(struct sim *s, int node, int32_t drift_ppm);

/* ---- Byzantine nodes ----------------------------------------------------- */

/* A Byzantine node runs the protocol's own, loyal code; the simulator makes
 * it a traitor on the wire. Every message a traitor sends passes, before
 * the network sees it, through its mode:
 *
 *   BYZ_SILENT      nothing leaves it (it stays up and still receives:
 *                   unlike a crash, its peers cannot tell from its state);
 *   BYZ_LIE         each message is rewritten by the protocol's
 *                   node_ops.corrupt_msg with one value r drawn when the
 *                   mode was set: the same lie to every peer;
 *   BYZ_EQUIVOCATE  as LIE, with r mixed with the destination: different
 *                   peers are told different things;
 *   BYZ_RANDOM      per message, a fresh draw: sent as is, dropped, or
 *                   rewritten with a fresh r.
 *
 * Contract: the simulator never forges bytes it does not understand, so
 * LIE, EQUIVOCATE and RANDOM need the protocol's corrupt_msg (without it
 * sim_set_byzantine refuses them); a forged message carries MSG_FORGED and
 * is traced like any other (TR_SEND shows the lie). The protocol is never
 * told which nodes are traitors: its checkers and the layers above ask
 * sim_byzantine. Every draw comes from the simulator's generator, only
 * while some node is a traitor, so runs without traitors are unchanged and
 * runs with them are deterministic. The command (`traitor NODE MODE`,
 * `loyal NODE`) and its trace line belong to the layers above. */
enum byz_mode { BYZ_LOYAL, BYZ_SILENT, BYZ_LIE, BYZ_EQUIVOCATE, BYZ_RANDOM };

/* Sets node's mode; returns false (and changes nothing) when the mode
 * needs corrupt_msg and the protocol has none. */
bool sim_set_byzantine(struct sim *s, int node, enum byz_mode mode);
enum byz_mode sim_byzantine(const struct sim *s, int node);
const char *byz_mode_str(enum byz_mode m); /* "loyal", "silent", "lie", ... */

/* ---- messages in flight ----------------------------------------------- */

/* Messages currently on the wire, for views: i in [0, sim_inflight_count). */
int sim_inflight_count(const struct sim *s);
const struct msg *sim_inflight(const struct sim *s, int i);
/* A message's description in words, by the protocol ("AppendEntries t3 ..."). */
void sim_describe_msg(const struct sim *s, const struct msg *m, struct sbuf *out);
/* The message kind's name ("AppendEntries"), glyph and reply flag. */
const char *sim_msg_name(const struct sim *s, const struct msg *m);

/* ---- clients -------------------------------------------------------------- */

struct client_config *sim_client_config(struct sim *s);
/* Invokes op from `client` (1-based), first at `node` (-1: a random up
 * node). Returns the op id. The client must be idle (sim_client_busy). */
uint32_t sim_client_invoke(struct sim *s, int client, int node, const struct kv_op *op);
bool sim_client_busy(const struct sim *s, int client);
/* Ties `client` to a home node (-1: none, the default). A tied client sits
 * on its home's side of the network: an operation invoked without a node
 * goes to its home first, and an attempt (or a redirect, or a retry) to
 * another node reaches it only while the link home -> node is up, its
 * reply only while node -> home is up; otherwise the attempt is silently
 * lost and times out. So a partition cuts clients off as it cuts nodes. */
void sim_client_set_home(struct sim *s, int client, int node);
int sim_client_home(const struct sim *s, int client);
/* The lowest-numbered idle client, >= from. */
int sim_client_idle(const struct sim *s, int from);
/* Operations still pending, for views: i in [0, sim_pending_count). */
int sim_pending_count(const struct sim *s);
const struct client_op *sim_pending(const struct sim *s, int i);

#endif

/*
 * proto.h — the interface every protocol implements, and the registry of
 * protocols.
 *
 * A protocol is a table of functions (struct proto_ops) whose first part,
 * struct node_ops (sim.h), the simulator runs on each node: create,
 * on_message, on_timer, on_client, on_crash, on_restart. It reaches the
 * world only through struct node (see sim.h). Besides the node callbacks
 * it declares status and describe for the views and, as data:
 *
 *   - its options (`cluster raft 5 prevote=on`), typed and checked by the
 *     command language before the protocol sees them;
 *   - its message kinds, with a glyph for the screen;
 *   - its own commands (`add n6`) and expect predicates (`expect committed
 *     x = 1`), whose arguments are described by a usage string the command
 *     language parses, so that no protocol is special-cased in the parser;
 *   - its capabilities: whether it serves key-value clients, which options
 *     the fuzzer may vary (see struct proto_ops for what may be NULL).
 *
 * Usage strings: space-separated items; NODE (one node name or `leader`),
 * NODES (one or more), KEY, VALUE, WORD, INT, DURATION; a lowercase word or
 * a symbol (`=`, `by`) must appear literally; `[ ... ]` is optional. Each
 * placeholder fills the next struct arg of struct proto_args, in order;
 * an optional placeholder that was not given has present = false.
 */
#ifndef NETSPLIT_PROTO_H
#define NETSPLIT_PROTO_H

#include "sim/sim.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- options -------------------------------------------------------------- */

#define PROTO_MAX_OPTS 16

enum opt_kind {
	OPT_INT,      /* integer in [min, max] */
	OPT_BOOL,     /* on|off (also true|false, yes|no, 1|0) */
	OPT_DURATION, /* 150ms; in [min, max] microseconds */
	OPT_RANGE,    /* 150ms..300ms: two durations, lo <= hi */
	OPT_CHOICE,   /* one of `choices`, "readindex|lease|local" */
	OPT_SET,      /* any of `choices`, written "none" or "a,b"; a bit mask,
		       * bit k for the k-th choice (at most 63 choices) */
};

struct proto_option {
	const char *key;
	enum opt_kind kind;
	const char *def;     /* default, as text in the option's syntax */
	const char *choices; /* OPT_CHOICE, OPT_SET: '|'-separated */
	int64_t min, max;    /* OPT_INT, OPT_DURATION, OPT_RANGE bounds */
	const char *help;    /* N_() */
	bool live;           /* may change while running (`set KEY VALUE`) */
};

/* A parsed value: i for int, bool (0/1), duration (us), choice (index)
 * and set (bit mask); i..j for a range. */
struct opt_value {
	int64_t i, j;
};

struct proto_opts {
	int n;
	struct opt_value v[PROTO_MAX_OPTS]; /* indexed like ops->options */
};

/* ---- views -------------------------------------------------------------- */

enum role_kind {
	ROLE_NONE, /* no roles in this protocol */
	ROLE_FOLLOWER,
	ROLE_CANDIDATE,
	ROLE_LEADER,
	ROLE_OTHER, /* learner, pre-candidate, ... (see role name) */
};

/* What the command language and the status line need, cheaply. */
struct node_status {
	enum role_kind kind;
	const char *role; /* untranslated N_() word: "Leader"; NULL if none */
	int64_t term;     /* -1: the protocol has no terms */
	int64_t commit;   /* -1: no log */
	int leader;       /* the leader this node knows, or -1 */
};

#define VIEW_LOG_MAX  16
#define VIEW_LINES    24
#define VIEW_LINE_LEN 80

struct log_view_entry {
	int64_t index, term;
	char cmd[40]; /* "put x 1", "no-op" */
};

/*
 * A node's timers, for the screen to show time passing (issue 11): the
 * election timeout draining in each Raft follower's box, the leader's
 * heartbeat, a failure detector's silence per peer against its timeout,
 * a backup's failover deadline. Each is a span of true simulated time,
 * [armed_at, fires_at): the screen draws what is left of it at the
 * current instant (sim_now), so a learner sees which node will act first
 * before it does. Fill them in describe() from node_timer_span() (sim.h),
 * or, for a deadline the protocol computes itself (last heard + timeout,
 * in local time), by converting to true time: fires_at = now + (deadline
 * - node_local_now()), armed_at likewise.
 *
 * Order matters: timers[0] is the one drawn in the node's box (the one
 * that makes the node act on its own when it runs out: the election
 * timeout; for a detector the peer nearest to being suspected); the side
 * pane lists them all. Boxes compare bars of the same kind on one scale,
 * so that a shorter bar means "fires sooner". A crashed node has none.
 * Protocols without timers worth showing leave ntimers at 0.
 */
#define VIEW_TIMERS 16

enum view_timer_kind {
	VT_TIMEOUT,  /* the node acts when it runs out: an election, a failover */
	VT_PERIODIC, /* a periodic send: a leader's heartbeat, a detector's tick */
	VT_SILENCE,  /* since a peer was last heard, against the timeout that suspects it */
};

struct view_timer {
	char name[32];     /* already in the user's language: "election timeout" */
	uint8_t kind;      /* enum view_timer_kind */
	int16_t peer;      /* the peer it is about (VT_SILENCE), or -1 */
	sim_time armed_at; /* true simulated time */
	sim_time fires_at; /* true simulated time, > armed_at */
};

/* The full state of one node, for the side pane and the logs view. */
struct node_view {
	struct node_status st;
	int64_t applied;   /* -1: none */
	int64_t log_first; /* first index still held (after a snapshot) */
	int64_t log_last;  /* last index; 0 when empty */
	int nlog;          /* the tail: log[0..nlog) in index order */
	struct log_view_entry log[VIEW_LOG_MAX];
	char badge[24]; /* a short word for the box when there is no log */
	int nlines;     /* detail lines, already in the user's language */
	char lines[VIEW_LINES][VIEW_LINE_LEN];
	int ntimers; /* timers[0] is drawn in the box; see struct view_timer */
	struct view_timer timers[VIEW_TIMERS];
};

/* Appends a timer to v (nothing if full or if the span is empty). */
void view_add_timer(struct node_view *v, const char *name, enum view_timer_kind kind, int peer,
		    sim_time armed_at, sim_time fires_at);

/* ---- commands and predicates --------------------------------------------- */

enum arg_kind { ARG_NODE, ARG_NODES, ARG_KEY, ARG_VALUE, ARG_WORD, ARG_INT, ARG_DURATION };

struct arg {
	enum arg_kind kind;
	bool present;
	int node;             /* ARG_NODE */
	struct nodeset set;   /* ARG_NODES */
	int64_t num;          /* ARG_INT, ARG_DURATION (us) */
	char str[KV_VAL_MAX]; /* ARG_KEY, ARG_VALUE, ARG_WORD */
};

#define PROTO_MAX_ARGS 8

struct proto_args {
	int n;
	struct arg a[PROTO_MAX_ARGS];
};

/* A command the protocol adds to the language. run() returns 0 on success;
 * -1 with a message (in the user's language) in err for input that means
 * nothing (`add server6`); or PROTO_REFUSED with a message when the
 * cluster cannot carry it out now (`add n4` with no leader): a script
 * records the refusal in the trace and goes on (docs/LANGUAGE.md). */
#define PROTO_REFUSED (-2)
struct proto_cmd {
	const char *name;
	const char *usage; /* after the name: "NODE" */
	const char *help;  /* N_() */
	int (*run)(struct sim *s, const struct proto_args *a, struct sbuf *err);
};

/* A predicate for `expect` and `run until`. eval() says whether it holds
 * and, in why, what it saw ("leader is n3 (term 4)"). */
struct proto_pred {
	const char *name;
	const char *usage;
	const char *help; /* N_() */
	bool (*eval)(struct sim *s, const struct proto_args *a, struct sbuf *why);
};

/* ---- the protocol -------------------------------------------------------- */

/* An option the fuzzer may vary from seed to seed (`netsplit fuzz` without
 * --fixed), and the values it draws from: '|'-separated, in the option's
 * own syntax ("1|4|64", "150ms..300ms|100ms..130ms"). Each must parse. */
struct proto_vary {
	const char *key;
	const char *values;
};

#define PROTO_MAX_VARY 4

/* A rule of the paper that option `bug` can switch off (docs/RAFT.md,
 * "Rules you can switch off"): its choice word, the rule in one sentence
 * and where the paper states it. `netsplit hunt` prints these and writes
 * them atop the counterexample it finds. */
struct proto_bug {
	const char *name;   /* "no-up-to-date-check": a choice of option bug */
	const char *rule;   /* N_(): what the rule says, as the paper says it */
	const char *source; /* "Raft, §5.4.1" */
	bool lin;           /* the rule keeps the client history linearizable
			     * rather than an invariant: `hunt` checks the
			     * history for it (as with --lin) */
};

/*
 * A protocol. Which fields may be NULL:
 *
 *   - node (struct node_ops, sim.h): see there; create, on_message,
 *     on_timer, on_crash, on_restart are required;
 *   - name, summary, status, describe: required;
 *   - options, commands, preds, fuzz_vary: NULL means none;
 *   - log_entry: NULL when the protocol has no log (the logs view shows
 *     the describe() tail only); option_changed: NULL when no option is
 *     live or nothing needs redoing; timeout_cmd: NULL when there is no
 *     "time out now".
 *
 * Capabilities are data here, so that no layer guesses them from names:
 * kv_clients says whether the protocol serves the key-value clients
 * (put, get, cas, append, load); fuzz_vary which options the fuzzer may
 * vary and over what values. What the check layer knows of a protocol
 * (its invariant checker, its liveness notion) is declared there, in a
 * table keyed by this struct's address (src/check/caps.h), since proto
 * may not include check.
 */
struct proto_ops {
	/* The simulator's part: the node callbacks and message kinds. */
	struct node_ops node;

	const char *name;                   /* "raft" */
	const char *summary;                /* N_() one line */
	const struct proto_option *options; /* NULL-terminated by key == NULL */
	/* Serves key-value clients: node.on_client is set, and client
	 * operations are meaningful. False: a failure detector, a clock, a
	 * Byzantine agreement; its workload is its own (commands). */
	bool kv_clients;
	/* The consistency levels a request may ask for (`get x
	 * consistency=quorum`), as masks of 1u << enum kv_level (sim.h), for
	 * reads and for writes (put, cas, append). 0: only the protocol's
	 * own default; a request asking another level is refused as bad
	 * input by proto_level_check. */
	unsigned kv_read_levels, kv_write_levels;
	/* Serves the client operation `sync` (ZooKeeper's: catch up with the
	 * leader before the next read); false: `sync` is refused. */
	bool kv_sync;

	void (*status)(const void *self, struct node_status *out);
	void (*describe)(const void *self, struct node_view *out);
	/* Optional: one log entry by index (logs view); false if not held. */
	bool (*log_entry)(const void *self, int64_t index, struct log_view_entry *out);
	/* Optional: a live option changed (`set`); opts already updated. */
	void (*option_changed)(void *self, int opt);

	const struct proto_cmd *commands; /* NULL-terminated by name == NULL */
	/* Optional: the name of one of `commands`, whose usage is "NODE",
	 * that makes that node act now as if its timer had run out (Raft:
	 * "campaign", an election now — RaftScope's "time out"). The
	 * screen's `t` key runs it on the selected node, as command text
	 * (so it is recorded); NULL: the protocol has no such action, and
	 * the key says so. */
	const char *timeout_cmd;
	const struct proto_pred *preds;     /* NULL-terminated by name == NULL */
	const struct proto_vary *fuzz_vary; /* NULL-terminated by key == NULL; at
					     * most PROTO_MAX_VARY */
	/* The rules option `bug` can switch off, one row per choice of it
	 * (the conformance test checks they match); NULL-terminated by
	 * name == NULL, or NULL for a protocol without a `bug` option. */
	const struct proto_bug *bugs;
};

/* The row of `bugs` named `name`, or NULL. */
const struct proto_bug *proto_bug_find(const struct proto_ops *ops, const char *name);

/* ---- registry ------------------------------------------------------------ */

/* The protocols compiled in, NULL-terminated. */
extern const struct proto_ops *const proto_all[];
const struct proto_ops *proto_find(const char *name);

/* Option helpers. proto_opts_default fills every option's default. */
void proto_opts_default(const struct proto_ops *ops, struct proto_opts *o);
int proto_option_index(const struct proto_ops *ops, const char *key);
/* Parses `text` as the value of option `idx` into *out; on error writes a
 * message (user's language) to err and returns false. */
bool proto_option_parse(const struct proto_ops *ops, int idx, const char *text,
			struct opt_value *out, struct sbuf *err);
/* Formats an option's value in its own syntax. */
void proto_option_fmt(const struct proto_ops *ops, int idx, const struct opt_value *v,
		      struct sbuf *out);

/* ---- per-request consistency (consistency.c) ------------------------------ */

#define KV_LEVEL_BIT(l) (1u << (l))

/* Whether ops takes op's consistency level (a DEFAULT level always
 * passes). False with a message in the user's language appended to why:
 * which levels it takes for that kind of request, or that it takes none. */
bool proto_level_check(const struct proto_ops *ops, const struct kv_op *op, struct sbuf *why);
/* Appends the level words of mask, '|'-separated ("one|quorum|all"). */
void proto_levels_fmt(unsigned mask, struct sbuf *out);

/* ---- the simulation of a protocol ------------------------------------------ */

/* The simulator knows only struct node_ops and an opaque config (sim.h);
 * these are the protocol layer's typed face of it. sim_new creates a
 * simulation of n nodes running `ops` with options `opts` (NULL: the
 * protocol's defaults), seeded with `seed`; sim_proto and sim_opts give
 * them back. (They keep the sim_ names that callers have always used.) */
struct sim *sim_new(const struct proto_ops *ops, const struct proto_opts *opts, int n,
		    uint64_t seed);
static inline const struct proto_ops *sim_proto(const struct sim *s)
{
	/* node is proto_ops' first member. */
	return (const struct proto_ops *)(const void *)sim_node_ops(s);
}
static inline const struct proto_opts *sim_opts(const struct sim *s)
{
	return (const struct proto_opts *)sim_config(s);
}
static inline struct proto_opts *sim_opts_mut(struct sim *s)
{
	return (struct proto_opts *)sim_config_mut(s);
}

/* Convenience: the protocol state of node i. */
static inline void *proto_self(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

/* The leader as the views see it: among up nodes whose role is Leader,
 * the one with the highest term (ties: lowest index); -1 if none. */
int proto_leader(struct sim *s);

#endif

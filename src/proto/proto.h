/*
 * proto.h — the interface every protocol implements, and the registry of
 * protocols.
 *
 * A protocol is a table of functions (struct proto_ops) run by the
 * simulator on each node: create, on_message, on_timer, on_client, on_crash,
 * on_restart, describe. It reaches the world only through struct node (see
 * sim.h). Besides the node callbacks it declares, as data:
 *
 *   - its options (`cluster raft 5 prevote=on`), typed and checked by the
 *     command language before the protocol sees them;
 *   - its message kinds, with a glyph for the screen;
 *   - its own commands (`add n6`) and expect predicates (`expect committed
 *     x = 1`), whose arguments are described by a usage string the command
 *     language parses, so that no protocol is special-cased in the parser.
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
};

struct proto_option {
	const char *key;
	enum opt_kind kind;
	const char *def;     /* default, as text in the option's syntax */
	const char *choices; /* OPT_CHOICE: '|'-separated */
	int64_t min, max;    /* OPT_INT, OPT_DURATION, OPT_RANGE bounds */
	const char *help;    /* N_() */
	bool live;           /* may change while running (`set KEY VALUE`) */
};

/* A parsed value: i for int, bool (0/1), duration (us) and choice (index);
 * i..j for a range. */
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
};

/* Message kinds, indexed by msg->type. */
struct msg_kind {
	const char *name; /* "AppendEntries" (not translated: protocol vocabulary) */
	char glyph;       /* 'a'; replies use the request's glyph upper-cased */
	bool reply;
};

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

/* A command the protocol adds to the language. run() returns 0 on success,
 * or -1 with a message (in the user's language) in err. */
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

struct proto_ops {
	const char *name;                   /* "raft" */
	const char *summary;                /* N_() one line */
	const struct proto_option *options; /* NULL-terminated by key == NULL */
	const struct msg_kind *msg_kinds;
	int nmsg_kinds;

	/* A fresh node joining the simulation: allocate stable and volatile
	 * state, arm timers. The node is up. */
	void *(*create)(struct node *n, const struct proto_opts *o);
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
	void (*status)(const void *self, struct node_status *out);
	void (*describe)(const void *self, struct node_view *out);
	/* A message in words, appended to out: "AppendEntries t3 prev=7/t2 +2". */
	void (*describe_msg)(const struct msg *m, struct sbuf *out);
	/* Optional: one log entry by index (logs view); false if not held. */
	bool (*log_entry)(const void *self, int64_t index, struct log_view_entry *out);
	/* Optional: a live option changed (`set`); opts already updated. */
	void (*option_changed)(void *self, int opt);

	const struct proto_cmd *commands; /* NULL-terminated by name == NULL */
	const struct proto_pred *preds;   /* NULL-terminated by name == NULL */
};

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

/* Convenience: the protocol state of node i. */
static inline void *proto_self(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

/* The leader as the views see it: among up nodes whose role is Leader,
 * the one with the highest term (ties: lowest index); -1 if none. */
int proto_leader(struct sim *s);

#endif

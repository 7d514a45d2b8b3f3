/*
 * script_internal.h — what the parts of the command language share: tokens,
 * node references, parsed commands and predicates, and the world's state.
 * Only src/script includes this file.
 */
#ifndef NETSPLIT_SCRIPT_INTERNAL_H
#define NETSPLIT_SCRIPT_INTERNAL_H

#include "check/caps.h"
#include "check/history.h"
#include "check/invariants.h"
#include "check/lin.h"
#include "script/script.h"
#include "sim/rng.h"
#include "sim/workload.h"

/* ---- tokens ------------------------------------------------------------- */

enum tok_kind {
	TK_WORD,   /* anything else, up to white space or a symbol */
	TK_STRING, /* "quoted text" (quotes removed, \" and \\ escapes) */
	TK_PIPE,   /* | */
	TK_ARROW,  /* -> */
	TK_EQ,     /* = */
	TK_LPAREN, /* ( */
	TK_RPAREN, /* ) */
	TK_END,    /* end of the line */
};

struct token {
	enum tok_kind kind;
	char *text;
	int col; /* 1-based column of the first character */
};

/* One line's tokens. */
struct line {
	struct token *tok;
	int ntok;
	size_t cap; /* of tok */
	int lineno;
	char *src; /* the line without comment and surrounding space */
};

/* Splits one line (no newline) into tokens; false with err on a bad
 * character or an unterminated string. */
bool lex_line(const char *text, int lineno, struct line *out, const char *file, struct sbuf *err);
void line_free(struct line *l);

/* ---- parser state ----------------------------------------------------------- */

struct parser {
	const struct line *ln;
	int pos;
	const char *file;
	int lineno;
	struct sbuf *err;
	struct world *w;
	const struct proto_ops *proto;         /* the protocol in force at this line */
	const struct proto_ops *cluster_proto; /* set by each `cluster` command */
	int depth; /* of `not` and parentheses in the predicate being parsed */
};

const struct token *p_peek(struct parser *p);
const struct token *p_next(struct parser *p);
bool p_at_end(struct parser *p);
bool p_is_word(struct parser *p, const char *word);
bool p_accept_word(struct parser *p, const char *word);
/* Reports an error at token t (or the end of the line): "file:line:col: ". */
void p_error(struct parser *p, const struct token *t, const char *fmt, ...) NS_PRINTF(3, 4);
/* "got \"fast\"" or "got the end of the line": for messages. */
const char *p_got(const struct token *t, char *buf, size_t n);

/* Small token parsers (parse.c): each takes one token or reports an error
 * at it. */
bool p_duration(struct parser *p, sim_time *out, bool sign);
bool p_uint(struct parser *p, uint64_t *out, const char *what);
/* "20%", "0.5%" into parts per million. */
bool p_percent(struct parser *p, uint32_t *ppm);
/* "+1%", "-0.5%", "200ppm" into signed parts per million. */
bool p_drift(struct parser *p, int32_t *ppm);
/* "1MB/s", "100kB/s", "500B/s", "unlimited" (0) into bytes per second. */
bool p_rate(struct parser *p, uint64_t *bps);
/* A word or a quoted string of fewer than max bytes. */
bool p_value(struct parser *p, char *out, size_t max, const char *what);
/* True at the end of the line, else an error. */
bool p_end(struct parser *p);

/* ---- node references (resolved when run, since `leader` moves) ---------- */

enum { NREF_LEADER = -1, NREF_ALL = -2, NREF_VAR = -3 };

/* A binding's name (`let L = leader`, used as `$L`): a letter or _, then
 * letters, digits, _ or -; shorter than BIND_NAME_MAX. */
#define BIND_NAME_MAX 32

struct noderef {
	int index; /* 0-based node, NREF_LEADER, NREF_ALL or NREF_VAR */
	int hi;    /* ranges n1..n3: last index (== index otherwise) */
	int col;
	char var[BIND_NAME_MAX]; /* NREF_VAR: the binding's name, without $ */
};

struct noderefs {
	int n;
	struct noderef *v;
};

bool looks_like_node(const char *word);
/* "$NAME" with a valid name: copies NAME (without $) into out. */
bool is_var_ref(const char *word, char out[BIND_NAME_MAX]);
/* A valid binding name (without $). */
bool bind_name_ok(const char *name);
bool p_node(struct parser *p, struct noderef *out, bool allow_all);
/* One or more node references (greedy). */
bool p_nodes(struct parser *p, struct noderefs *out);
void noderefs_free(struct noderefs *r);

/* ---- predicates ---------------------------------------------------------- */

/* A built-in predicate: one row of a table in src/script/pred_*.c. Like
 * struct proto_pred, but it sees the world. */
struct pred_entry {
	struct cmd_info info; /* name, usage (parsed by p_usage), help, example */
	bool (*eval)(struct world *w, const struct proto_args *a, struct sbuf *why);
};

/* The i-th built-in predicate row, NULL past the last; by name, or NULL. */
const struct pred_entry *pred_entry_at(int i);
const struct pred_entry *pred_find(const char *name);

/* A parsed argument, before its node references are resolved. */
struct parg {
	enum arg_kind kind;
	bool present;
	struct noderefs nodes; /* NODE: one; NODES: one or more */
	int64_t num;
	char str[KV_VAL_MAX];
	char var[BIND_NAME_MAX]; /* INT, DURATION, KEY, VALUE given as $NAME */
};

/* The parsed arguments of one command or predicate: as many as the usage
 * filled (at most PROTO_MAX_ARGS), on the heap — a scenario line holds
 * only the arguments it has, not room for eight of every kind. */
struct pargs {
	int n, cap;
	struct parg *a;
};

/* Parses arguments by a usage string (see proto.h; a literal item with
 * alternatives, ">=|<=", fills a WORD argument with the one given). */
bool p_usage(struct parser *p, const char *usage, struct pargs *out);
void pargs_free(struct pargs *a);
/* What resolving a reference gives: RES_ERROR for a name that means
 * nothing (no node n9, an unbound $X), RES_REFUSED for one that means
 * nothing now (`leader` when there is none). */
enum { RES_OK = 0, RES_ERROR = -1, RES_REFUSED = -2 };
/* Resolves node references and $NAME arguments: RES_OK, or RES_ERROR /
 * RES_REFUSED with why. */
int pargs_resolve(struct world *w, const struct pargs *in, struct proto_args *out,
		  struct sbuf *why);

/* A predicate is a tree whose and/or nodes are flat (a chain of any length
 * is one node), so only `not` and parentheses nest, at most
 * SCRIPT_PRED_MAX_DEPTH deep: parsing, evaluating and freeing recurse no
 * deeper than that. */
enum pred_kind { PK_LEAF, PK_NOT, PK_AND, PK_OR };

struct pred {
	enum pred_kind kind;
	int nkids;                   /* PK_NOT: 1; PK_AND, PK_OR: 2 or more */
	struct pred **kid;           /* in the order written */
	const struct pred_entry *g;  /* PK_LEAF, built-in */
	const struct proto_pred *pp; /* PK_LEAF, the protocol's */
	const struct check_pred *cp; /* PK_LEAF, its checker's (caps.h) */
	struct pargs args;           /* PK_LEAF */
	char *text;                  /* canonical text (the outermost node) */
};

/* Parses a predicate from the parser's current position to the end of the
 * line (or to a word in `stop`, e.g. "timeout"). */
struct pred *p_pred(struct parser *p, const char *stop);

/* ---- commands ------------------------------------------------------------ */

struct cmd;
struct exec_ctx;
struct comp;

enum {
	CMD_NO_CLUSTER = 1,  /* may run before the first `cluster` */
	CMD_UNSCHEDULED = 2, /* cannot follow `at` or `after` */
};

/* A built-in command: one row of a family table (src/script/cmd_*.c), in
 * the manner of tmux's cmd_entry. help, completion, parsing, execution and
 * recording all come from the row. */
struct cmd_entry {
	struct cmd_info info; /* name, usage, help (what `help` prints), example */
	unsigned flags;       /* CMD_* */
	size_t size;          /* of the arguments parse() fills (0: none) */
	/* Parses what follows the name into c->args (zeroed, `size` bytes);
	 * false with p_error on bad input. */
	bool (*parse)(struct parser *p, struct cmd *c);
	/* Runs the command: 0, or -1 with the message (exec_fail) in x->err. */
	int (*exec)(struct exec_ctx *x);
	/* Offers candidates for the word being typed after words[0..nw-1]
	 * (words[0] is the name; nw >= 1). NULL: nothing to offer. */
	void (*complete)(struct comp *k, struct world *w, const char *const *words, int nw);
	/* Frees what the arguments own (not the arguments). NULL: nothing. */
	void (*free)(void *args);
	/* Reports the command to the recorder once it ran at time t. NULL:
	 * its source text at t (world_record). */
	void (*record)(struct world *w, const struct cmd *c, sim_time t);
};

/* The i-th built-in command row, NULL past the last; by name, or NULL. */
const struct cmd_entry *cmd_entry_at(int i);
const struct cmd_entry *cmd_find(const char *name);
/* A protocol's command (struct proto_cmd), parsed by its usage string. */
extern const struct cmd_entry cmd_proto_entry;
/* Looks name up among the protocol in force (p->proto); on a match fills
 * c with cmd_proto_entry and its arguments and returns true. */
bool cmd_proto_lookup(struct parser *p, const char *name, struct cmd *c);

/* A parsed command: its row, where it was, its text and its arguments. */
struct cmd {
	const struct cmd_entry *e;
	int lineno, col;
	char *src;  /* canonical text: the source line, trimmed */
	void *args; /* e->size bytes, the row's own struct */
};

struct script {
	struct cmd **cmd;
	int n;
	size_t cap;
	int refs; /* scheduled commands keep their script alive */
	char *file;
	const struct proto_ops *proto; /* of the last `cluster`, or NULL */
};

/* Parses one line's command (the line has at least one token). */
struct cmd *parse_cmd(struct parser *p);
void cmd_free(struct cmd *c);

/* `run DURATION` (not `run until`): its duration (replay seeks inside it). */
bool cmd_time_is_run(const struct cmd *c, sim_time *dur);

/* ---- execution ------------------------------------------------------------- */

struct exec_ctx {
	struct world *w;
	const char *file;
	const struct cmd *c;
	const void *args; /* c->args */
	struct sbuf *err;
	const struct script *owner; /* the script c is in; NULL when scheduled */
	bool refused;               /* set by exec_refuse */
};

/* Reports an error at column col of the command's line: returns -1. */
int exec_fail(struct exec_ctx *x, int col, const char *fmt, ...) NS_PRINTF(3, 4);
/* Reports that the cluster cannot carry the command out now (`crash
 * leader` with no leader): the message goes to x->err as with exec_fail,
 * the reason alone to the world (for the trace); returns -1 with
 * x->refused set. A script goes on after a refusal (see world_run_one). */
int exec_refuse(struct exec_ctx *x, int col, const char *fmt, ...) NS_PRINTF(3, 4);
/* Resolves a node reference, or -1 with an error at its column. */
int exec_node(struct exec_ctx *x, const struct noderef *r);
/* Resolves node references into a set: 0, or -1 with an error. */
int exec_nodes(struct exec_ctx *x, const struct noderefs *r, struct nodeset *out);

/* ---- completion ------------------------------------------------------------ */

struct comp {
	const char *prefix; /* the word being completed */
	size_t plen;
	void (*add)(void *ctx, const char *cand);
	void *ctx;
};

/* Offers cand if it starts with the prefix. */
void comp_offer(struct comp *k, const char *cand);
/* n1..nN of the running cluster, and `leader`. */
void comp_nodes(struct comp *k, struct world *w);
/* The predicates (built-in and the running protocol's), and `not`. */
void comp_preds(struct comp *k, struct world *w);
/* The running protocol's command names. */
void comp_proto_cmds(struct comp *k, struct world *w);
/* The word after words[0..nw-1], words[0] a command name (its row's
 * completion; node names for a protocol's command). */
void comp_command(struct comp *k, struct world *w, const char *const *words, int nw);
/* After `expect`, `run until`: predicates, nodes, and/or, and `timeout`
 * when `timeout` is true. */
void comp_pred_words(struct comp *k, struct world *w, const char *const *words, int nw,
		     bool timeout);

/* ---- the world ------------------------------------------------------------- */

/* ---- bindings ---------------------------------------------------------------- */

enum bind_kind {
	BIND_NODE,  /* let L = leader: num is the node's index */
	BIND_INT,   /* let T = term leader: num */
	BIND_VALUE, /* let V = get x: str (found false: x was absent) */
	BIND_TIME,  /* mark t, let t = now: num is the time, counts the messages sent by then */
};

struct binding {
	char name[BIND_NAME_MAX];
	enum bind_kind kind;
	int64_t num;
	char str[KV_VAL_MAX];
	bool found;
	struct msg_counts *counts; /* BIND_TIME: a copy of the world's counts then */
};

/* Messages sent, per kind per ordered pair of nodes: n[(kind * dim + from)
 * * dim + to]. The world's trace observer adds one per TR_SEND (an array
 * increment: the simulator's hot path does not notice it). */
struct msg_counts {
	int kinds, dim;
	uint64_t *n;
};

/* The binding called name, or NULL. */
const struct binding *world_binding(const struct world *w, const char *name);
/* Binds name (replacing any binding of that name); b->name is ignored. */
void world_bind(struct world *w, const char *name, const struct binding *b);
/* Messages sent of kind k (-1: every kind) from a node in `from` to a
 * node in `to` (NULL: any), by `upto` (NULL: now) minus those counted in
 * `base` (NULL: since the start). O(kinds x nodes^2). */
uint64_t world_msg_count(const struct world *w, int k, const struct nodeset *from,
			 const struct nodeset *to, const struct msg_counts *base,
			 const struct msg_counts *upto);
/* A copy of the world's counts now (free with msg_counts_free). */
struct msg_counts *world_msg_snapshot(const struct world *w);
void msg_counts_free(struct msg_counts *c);

/* Runs sub as `try` does: a refusal becomes an expected TR_REFUSED event. */
int world_try(struct exec_ctx *x, const struct cmd *sub);

struct world {
	struct sim *sim;
	uint64_t seed;
	bool seed_forced;
	struct inv_watch *inv;
	struct history *hist;    /* every client operation of the cluster */
	struct lin_checker *lin; /* incremental checker over hist */
	size_t forget_at;        /* hist->n at which to forget its folded past */
	struct workload **wl;    /* workloads started (freed with the sim) */
	int nwl;
	bool unknown;    /* the last predicate leaf could not decide */
	bool pred_error; /* a predicate named nothing that exists (n9, an unbound $X) */

	void (*out)(void *ctx, enum world_out k, const char *text);
	void *out_ctx;
	void (*on_sim)(void *ctx, struct world *w, struct sim *s);
	void *on_sim_ctx;
	void (*rec)(void *ctx, sim_time t, const char *cmd);
	void *rec_ctx;
	sim_time rec_last; /* sim time of the last recorded command */

	int passed, failed;
	int ops[4];         /* completed client operations by outcome (enum op_outcome) */
	int reads[4];       /* the same, of reads (get) only */
	sim_time last_took; /* how long the latest completed operation took; -1: none */
	int async_errors;   /* errors in commands run by `at` */
	void **scheds;      /* commands scheduled with at/after (freed with the sim) */
	int nscheds;
	size_t scheds_cap;
	struct script **kept; /* scripts with scheduled commands */
	int nkept;
	size_t kept_cap;

	int refused;            /* commands refused that the script did not `try` */
	bool refusals_stop;     /* the prompt: a refusal is an error, shown inline */
	bool halt_at_violation; /* world_halt_at_violation */
	int halt_obs;           /* its observer's handle + 1 on sim; 0: none */
	int halted_line;        /* the line of the command the halt stopped in; 0: none */
	struct sbuf refusal;    /* the reason of the latest refusal */
	struct binding *bind;   /* let, mark (cleared with each new cluster) */
	int nbind;
	size_t bind_cap;
	struct msg_counts msgs; /* messages sent so far */
	struct rng rng;         /* `let X = random`: seeded from the seed, apart from the sim's */
};

void world_say(struct world *w, enum world_out k, const char *fmt, ...) NS_PRINTF(3, 4);
/* Runs command i of sc (sc owns what `at` schedules), recording it; -1 on
 * error with the message in err. */
int world_run_one(struct world *w, const struct script *sc, int i, struct sbuf *err);
/* Runs one command; owner is the script it is in (NULL: a scheduled one,
 * which may not schedule). Not recorded. 0, -1 with err, or
 * WORLD_REFUSED with err (the cluster cannot do it now; w->refusal holds
 * the reason alone). */
#define WORLD_REFUSED (-2)
int world_exec(struct world *w, const struct cmd *c, const char *file, struct sbuf *err,
	       const struct script *owner);
/* Reports a command to the recorder (if any) as taking effect at t. */
void world_record(struct world *w, sim_time t, const char *cmd);
/* Replaces the simulation with a new one (observers are told). The
 * arguments are copied first: they may point into the old simulation. */
void world_make_sim(struct world *w, const struct proto_ops *proto, int n,
		    const struct proto_opts *opts);
/* A TR_FAULT trace line. */
void world_fault(struct world *w, int node, int peer, const char *text);
/* A TR_REFUSED trace line for command c of `file`: "demo.ns:7: refused
 * `crash leader`: there is no leader now" (w->refusal); expected: the
 * script said `try`. */
void world_refused(struct world *w, const struct cmd *c, const char *file, bool expected);
/* Resolves one reference to a node index, or RES_ERROR / RES_REFUSED with
 * a message in err. */
int world_node(struct world *w, const struct noderef *r, struct sbuf *err);
/* Resolves references into a set: RES_OK, or RES_ERROR / RES_REFUSED with
 * a message in err. */
int world_nodes(struct world *w, const struct noderefs *r, struct nodeset *out, struct sbuf *err);

#endif

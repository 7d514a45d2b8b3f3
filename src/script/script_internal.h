/*
 * script_internal.h — what the parts of the command language share: tokens,
 * node references, parsed commands and predicates, and the world's state.
 * Only src/script includes this file.
 */
#ifndef NETSPLIT_SCRIPT_INTERNAL_H
#define NETSPLIT_SCRIPT_INTERNAL_H

#include "check/history.h"
#include "check/invariants.h"
#include "check/lin.h"
#include "script/script.h"
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
	const struct proto_ops *proto; /* the protocol in force at this line */
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

/* ---- node references (resolved when run, since `leader` moves) ---------- */

enum { NREF_LEADER = -1, NREF_ALL = -2 };

struct noderef {
	int index; /* 0-based node, NREF_LEADER or NREF_ALL */
	int hi;    /* ranges n1..n3: last index (== index otherwise) */
	int col;
};

struct noderefs {
	int n;
	struct noderef *v;
};

bool looks_like_node(const char *word);
bool p_node(struct parser *p, struct noderef *out, bool allow_all);
/* One or more node references (greedy). */
bool p_nodes(struct parser *p, struct noderefs *out);
void noderefs_free(struct noderefs *r);

/* ---- predicates ---------------------------------------------------------- */

/* A built-in predicate: like struct proto_pred, but it sees the world. */
struct gpred {
	const char *name;
	const char *usage;
	const char *help;
	bool (*eval)(struct world *w, const struct proto_args *a, struct sbuf *why);
};

/* A parsed argument, before its node references are resolved. */
struct parg {
	enum arg_kind kind;
	bool present;
	struct noderefs nodes; /* NODE: one; NODES: one or more */
	int64_t num;
	char str[KV_VAL_MAX];
};

struct pargs {
	int n;
	struct parg a[PROTO_MAX_ARGS];
};

bool p_usage(struct parser *p, const char *usage, struct pargs *out);
void pargs_free(struct pargs *a);
/* Resolves node references; false (with why) if one cannot be resolved. */
bool pargs_resolve(struct world *w, const struct pargs *in, struct proto_args *out,
		   struct sbuf *why);

enum pred_kind { PK_LEAF, PK_NOT, PK_AND, PK_OR };

struct pred {
	enum pred_kind kind;
	const struct gpred *g;       /* PK_LEAF, built-in */
	const struct proto_pred *pp; /* PK_LEAF, the protocol's */
	struct pargs args;
	struct pred *l, *r;
	char *text; /* canonical text */
};

/* Parses a predicate from the parser's current position to the end of the
 * line (or to a word in `stop`, e.g. "timeout"). */
struct pred *p_pred(struct parser *p, const char *stop);

/* ---- commands ------------------------------------------------------------ */

enum cmd_kind {
	C_CLUSTER,
	C_SEED,
	C_RUN,
	C_RUN_UNTIL,
	C_STEP,
	C_CRASH,
	C_RESTART,
	C_PARTITION,
	C_CUT,
	C_HEAL,
	C_LINK,
	C_NET,
	C_CLOCK,
	C_OP,
	C_CLIENT,
	C_SET,
	C_AT,
	C_AFTER,
	C_EXPECT,
	C_NOTE,
	C_HELP,
	C_PROTO,
	C_WORKLOAD,
};

/* Link settings given in a `link` or `net` command; `mask` says which. */
enum { LS_LATENCY = 1, LS_JITTER = 2, LS_LOSS = 4, LS_DUP = 8, LS_BANDWIDTH = 16, LS_RESET = 32 };

struct link_settings {
	unsigned mask;
	struct link_config cfg;
};

enum {
	CC_LATENCY = 1,
	CC_ATTEMPT = 2,
	CC_DEADLINE = 4,
	CC_BACKOFF = 8,
	CC_REDIRECTS = 16,
	CC_STICK = 32
};

struct cmd {
	enum cmd_kind kind;
	int lineno, col;
	char *src; /* canonical text: the source line, trimmed */

	const struct proto_ops *proto; /* cluster; C_PROTO: whose command */
	int count;                     /* cluster: nodes; step: events */
	struct proto_opts opts;        /* cluster */
	uint64_t seed;
	sim_time dur;            /* run, at, after, run until timeout */
	struct pred *pred;       /* expect, run until */
	struct noderefs a, b;    /* nodes; cut/heal/link: a -> b */
	struct noderefs *groups; /* partition */
	int ngroups;
	bool oneway;
	struct link_settings ls;
	bool has_skew, has_drift; /* clock */
	sim_time skew;
	int32_t drift_ppm;
	struct kv_op op; /* put/get/cas/append */
	bool has_via;
	struct noderef via;
	int client;       /* 0: any idle */
	unsigned cc_mask; /* client settings */
	struct client_config cc;
	int opt; /* set */
	struct opt_value optv;
	struct cmd *sub;              /* at, after */
	char *str;                    /* note, help topic */
	const struct proto_cmd *pcmd; /* C_PROTO */
	struct pargs pargs;
	struct workload_cfg wl; /* workload; clients == 0: stop */
};

struct script {
	struct cmd **cmd;
	int n;
	int refs; /* scheduled commands keep their script alive */
	char *file;
};

/* Parses one line's command (the line has at least one token). */
struct cmd *parse_cmd(struct parser *p);
void cmd_free(struct cmd *c);

/* ---- the world ------------------------------------------------------------- */

struct world {
	struct sim *sim;
	uint64_t seed;
	bool seed_forced;
	struct inv_watch *inv;
	struct history *hist;    /* every client operation of the cluster */
	struct lin_checker *lin; /* incremental checker over hist */
	struct workload **wl;    /* workloads started (freed with the sim) */
	int nwl;
	bool unknown; /* the last predicate leaf could not decide */

	void (*out)(void *ctx, enum world_out k, const char *text);
	void *out_ctx;
	void (*on_sim)(void *ctx, struct world *w, struct sim *s);
	void *on_sim_ctx;
	void (*rec)(void *ctx, sim_time t, const char *cmd);
	void *rec_ctx;
	sim_time rec_last; /* sim time of the last recorded command */

	int passed, failed;
	int ops[4];           /* completed client operations by outcome (enum op_outcome) */
	int async_errors;     /* errors in commands run by `at` */
	void **scheds;        /* commands scheduled with at/after (freed with the sim) */
	int nscheds;
	size_t scheds_cap;
	struct script **kept; /* scripts with scheduled commands */
	int nkept;
	size_t kept_cap;
};

void world_say(struct world *w, enum world_out k, const char *fmt, ...) NS_PRINTF(3, 4);
/* Runs command i of sc (sc owns what `at` schedules), recording it; -1 on
 * error with the message in err. */
int world_run_one(struct world *w, const struct script *sc, int i, struct sbuf *err);
/* Resolves one reference to a node index, or -1 with a message in err. */
int world_node(struct world *w, const struct noderef *r, struct sbuf *err);
/* Resolves references into a set; false with a message in err. */
bool world_nodes(struct world *w, const struct noderefs *r, struct nodeset *out, struct sbuf *err);

/* Built-in predicates (pred.c). */
extern const struct gpred gpreds[];
const struct gpred *gpred_find(const char *name);

#endif

/*
 * script.h — the netsplit command language: one language for the `:`
 * prompt, lesson setups and goals, scenario files and recordings.
 *
 * A `struct world` is a simulation plus everything the language keeps
 * around it: the seed, the protocol and its options, the invariant watch,
 * the client history, scheduled `at` commands, and the tally of `expect`
 * results. Text is parsed into a `struct script` (a list of commands, each
 * with its source position) and executed against a world; a predicate
 * (`leader in n3 n4`, `safe and linearizable`) is parsed once into a
 * `struct pred` and evaluated as often as needed (`run until`, lesson
 * goals, the screen).
 *
 * Every error carries file:line:col and says what was expected:
 * "demo.ns:3:9: expected a duration like 500ms, got \"fast\"".
 *
 * Recording: every command that changes the world is reported, as
 * canonical text, to the world's recorder together with the simulated
 * time at which it took effect; the passage of time itself is reported as
 * `run DURATION` (exact to the microsecond) and single steps as `step`. The
 * recorded lines, run in order, reproduce the session exactly.
 */
#ifndef NETSPLIT_SCRIPT_H
#define NETSPLIT_SCRIPT_H

#include "proto/proto.h"
#include "sim/sim.h"

#include <stdbool.h>
#include <stdio.h>

struct world;
struct script;
struct pred;
struct history;
struct lin_checker;

/* ---- the tables of commands and predicates ------------------------------- */

/* What `help` shows of a command or predicate. The usage is the one the
 * parser follows (for predicates, p_usage parses it literally). */
struct cmd_info {
	const char *name;
	const char *usage;   /* after the name: "NODES", "PRED [timeout DURATION]" */
	const char *help;    /* N_(); translate when shown */
	const char *example; /* a whole command or predicate that parses and
				runs on a 3-node raft cluster that has run 1s
				(tests/unit/test_cmd_table.c walks these) */
};

/* The i-th built-in command (i from 0), in the order `help` lists them;
 * NULL past the last. Each is one row of a family table (src/script/cmd_*.c)
 * that also holds its parser, executor and completion. Protocol commands
 * come from sim_proto()->commands. */
const struct cmd_info *script_command(int i);
/* The i-th built-in predicate (for `expect`, `run until`, goals), likewise
 * (rows of src/script/pred_*.c; protocol predicates: sim_proto()->preds). */
const struct cmd_info *script_pred(int i);
/* The i-th predicate of protocol p (i from 0): its own table's
 * (p->preds), then those its checker answers (the check layer's row,
 * caps.h); NULL past the last or when p is NULL. For names, usages and
 * help (its eval may be NULL: the language evaluates what it parsed). */
const struct proto_pred *script_proto_pred(const struct proto_ops *p, int i);
/* How deeply `not` and parentheses may nest in a predicate; deeper is a
 * parse error at the token that goes past it (and/or chains may be any
 * length: they are flat). */
#define SCRIPT_PRED_MAX_DEPTH 64

/* ---- worlds ------------------------------------------------------------- */

enum world_out {
	OUT_INFO,  /* a reply to a command: "cluster raft 5 created" */
	OUT_HELP,  /* help text */
	OUT_ERROR, /* an error message (already has its file:line:col) */
};

struct world *world_new(void);
void world_free(struct world *w);

/* The running simulation, or NULL before the first `cluster` command. */
struct sim *world_sim(struct world *w);
/* The history of client operations (see check/history.h), never NULL. */
struct history *world_history(struct world *w);
/* The incremental linearizability checker over that history (kv model),
 * NULL before the first cluster. The screen calls lin_check on it with a
 * time budget each frame for the live verdict. */
struct lin_checker *world_lin(struct world *w);

/* Text that is not a trace event (help, replies, errors) goes here; the
 * default writes to stdout. */
void world_set_output(struct world *w, void (*fn)(void *ctx, enum world_out k, const char *text),
		      void *ctx);
/* Forces the seed (`netsplit run --seed`): `seed` commands are then ignored. */
void world_force_seed(struct world *w, uint64_t seed);
/* With on, the simulation halts (sim_halt) at the end of the first event
 * after which an invariant is violated, and world_run stops there: the
 * commands after it are not run. world_halted_line says in which line of
 * the script it stopped (0: it did not). The caller resumes the simulation
 * (sim_resume) to run on from that moment. Off by default. */
void world_halt_at_violation(struct world *w, bool on);
int world_halted_line(const struct world *w);
/* The first invariant violation of the current cluster: true with its
 * text in *why (owned by the world) and its time in *at; false when none
 * (or no cluster). */
bool world_violation(struct world *w, const char **why, sim_time *at);
/* Called after a new simulation is created (cluster command): observers
 * should attach here (the old sim, if any, is freed just before). */
void world_on_new_sim(struct world *w, void (*fn)(void *ctx, struct world *w, struct sim *s),
		      void *ctx);
/* The recorder: receives (time it took effect, canonical command text). */
void world_set_recorder(struct world *w, void (*fn)(void *ctx, sim_time t, const char *cmd),
			void *ctx);

/* Advances simulated time to `until` (the screen's clock); recorded as a
 * `run` before the next recorded command, or by world_record_flush. */
void world_advance_to(struct world *w, sim_time until);
/* One event (the `.` key); recorded as `step`. Returns false if none. */
bool world_step(struct world *w);
/* Records the time advanced since the last recorded command, if any (call
 * before ending a recording). */
void world_record_flush(struct world *w);

/* Expectation tally. */
int world_expects_failed(const struct world *w);
int world_expects_passed(const struct world *w);
/* Commands the cluster refused (`crash leader` with no leader) that the
 * script did not mark with `try`; each makes `netsplit run` exit 1. */
int world_refusals(const struct world *w);

/* The running cluster's options that differ from the defaults, in the
 * language's syntax: "prevote=on reads=local" (appended; nothing if none). */
void world_options_text(struct world *w, struct sbuf *out);

/* A one-line description of the setup for status lines:
 * "raft · 5 nodes · seed 42". */
void world_describe(struct world *w, struct sbuf *out);

/* ---- scripts -------------------------------------------------------------- */

/* Parses text (a whole file, or one line typed at the prompt) into a script.
 * `file` names the source in messages (NULL: no file name: "3:9: ..."). `w`
 * (optional) supplies the current protocol for parsing its commands and
 * predicates. Returns NULL on error, with the message in err. */
struct script *script_parse(const char *text, const char *file, struct world *w, struct sbuf *err);
/* The same, for text that starts at line `first_line` of `file` and runs
 * under protocol `proto` (NULL: none yet): how lessons parse their blocks. */
struct script *script_parse_at(const char *text, const char *file, int first_line,
			       const struct proto_ops *proto, struct sbuf *err);
void script_free(struct script *sc);
int script_len(const struct script *sc);
/* The protocol in force after the script's last `cluster` command, or
 * `before` if it has none. */
const struct proto_ops *script_protocol(const struct script *sc, const struct proto_ops *before);

enum exec_status {
	EXEC_OK = 0,        /* every command ran; every expect held */
	EXEC_EXPECT_FAILED, /* ran to the end; an expect failed or a command
			       was refused without `try` */
	EXEC_ERROR,         /* stopped at a command that could not run */
};

/* Runs every command of sc in order. A failed expect is reported (trace
 * TR_EXPECT) and execution goes on; so does a command the cluster refuses
 * now (trace TR_REFUSED); an error stops it, with file:line:col in err. */
enum exec_status world_run(struct world *w, const struct script *sc, struct sbuf *err);
/* Parses and runs one line (the prompt). Errors go to err; so do
 * refusals, which are errors here (shown inline) rather than trace events. */
enum exec_status world_exec_line(struct world *w, const char *line, struct sbuf *err);

/* ---- predicates ------------------------------------------------------------ */

struct pred *pred_parse(const char *text, const char *file, int line, struct world *w,
			struct sbuf *err);
/* The same, under protocol `proto` (NULL: built-in predicates only). */
struct pred *pred_parse_for(const char *text, const char *file, int line,
			    const struct proto_ops *proto, struct sbuf *err);
void pred_free(struct pred *p);
/* Evaluates p now; `why` (optional) says what was seen. With no cluster
 * every predicate is false. */
bool pred_eval(struct world *w, const struct pred *p, struct sbuf *why);
/* The predicate as canonical text. */
void pred_fmt(const struct pred *p, struct sbuf *out);

/* ---- replay ------------------------------------------------------------------ */

/* A recorded session (commands with the simulated time each took effect,
 * as a recorder received them) ready to play back into a world. */
struct replay;
struct replay *replay_new(const sim_time *at, const char *const *text, size_t n, sim_time duration,
			  struct sbuf *err);
void replay_free(struct replay *r);
sim_time replay_duration(const struct replay *r);
bool replay_done(const struct replay *r);
/* Back to the start: the caller gives the next replay_seek a fresh world. */
void replay_rewind(struct replay *r);
/* Plays forward until simulated time t (a `run` stops part-way; `run
 * until` and `step` are atomic). Seeking backwards: replay_rewind, a new
 * world, then seek. Seeking to t gives exactly the state a straight run
 * to t gives. */
enum exec_status replay_seek(struct replay *r, struct world *w, sim_time t, struct sbuf *err);

/* ---- help and completion ------------------------------------------------- */

/* Help for everything, or for one command or predicate name. */
void script_help(struct world *w, const char *topic, struct sbuf *out);
/* Completion candidates for the word that ends at `point` in `line`:
 * commands, node names, `leader`, protocols, option keys and values,
 * predicates. Calls add() for each match. */
void script_complete(struct world *w, const char *line, int point,
		     void (*add)(void *ctx, const char *cand), void *ctx);

/* ---- trace printing ----------------------------------------------------- */

/* Formats one trace event as a human-readable line without the newline
 * ("  1.204s n3 -> n1 AppendEntries t3 ..."); false for events that are
 * not printed (TR_STEP). */
bool trace_format(const struct sim *s, const struct trace_event *ev, struct sbuf *out);
/* Formats one trace event as a JSON object (one line, no newline). */
bool trace_format_json(const struct sim *s, const struct trace_event *ev, struct sbuf *out);

#endif

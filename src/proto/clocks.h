/*
 * clocks.h — the events of the `clocks` protocol (src/proto/clocks.c), as
 * the check layer and the views read them.
 *
 * Every event a node does (a local event, a send, a receive, a commit and
 * the end of its commit wait) is kept, in the node's order, with every
 * stamp the node gave it: its Lamport clock, vector clock, hybrid logical
 * clock (l, c), the physical clock it read and the TrueTime interval
 * [earliest, latest] that reading gives. It also keeps what the stamps do
 * not: the true time it happened and, for a receive, which send it
 * received (the node and index of the send event, from the message).
 * That is the event graph — program order plus message edges — whose
 * transitive closure is Lamport's happened-before; the checker and the
 * `happened-before` predicate compute it from the graph, never from a
 * clock.
 *
 * Events are the node's observations, kept across crashes (as stable
 * storage), so that the causal past of a later event still names them.
 */
#ifndef NETSPLIT_CLOCKS_H
#define NETSPLIT_CLOCKS_H

#include "proto/vclock.h"
#include "sim/sim.h"

#include <stdbool.h>
#include <stdint.h>

#define CLK_NAME_MAX 24

enum clk_kind {
	CLK_LOCAL,  /* `event n1 a` */
	CLK_SEND,   /* `send n1 n2 m`: peer is the receiver */
	CLK_RECV,   /* the receipt: peer is the sender, parent the send */
	CLK_COMMIT, /* `commit n1 x`: takes s = TT.now().latest */
	CLK_DONE,   /* the commit is acknowledged: TT.after(s) held */
};

struct clk_event {
	enum clk_kind kind;
	char name[CLK_NAME_MAX]; /* "" when unnamed (it still has its id, n1.3) */
	int node;                /* 0-based */
	uint32_t index;          /* 1-based, in the node's order */
	int peer;                /* send: to; recv: from; else -1 */
	uint32_t parent;         /* recv: the send's index at peer; done: the
				  * commit's index at this node; else 0 */
	sim_time true_at;        /* the simulator's true time (no node reads it) */
	/* The stamps. */
	uint64_t lamport;
	struct vclock vc;
	int64_t hlc_l;
	uint32_t hlc_c;
	sim_time pt;                     /* the node's physical clock */
	sim_time tt_earliest, tt_latest; /* TT.now() = [pt - eps, pt + eps] */
	sim_time commit_ts;              /* commit and done: s; else 0 */
};

/* The events of node i of a clocks simulation, in order: *n of them (the
 * event of index k is ev[k - 1]). NULL with *n = 0 when the simulation
 * runs another protocol. */
const struct clk_event *clocks_events(struct sim *s, int i, uint32_t *n);
/* The event called `word`: its name, or its id "n2.3"; NULL if none. */
const struct clk_event *clocks_find(struct sim *s, const char *word);
/* The id of an event, "n2.3", into buf. */
char *clocks_id(const struct clk_event *e, char *buf, size_t n);
/* The clocks an event carries, in the order of the `show` option. */
enum clk_show {
	CLK_SHOW_LAMPORT,
	CLK_SHOW_VECTOR,
	CLK_SHOW_HLC,
	CLK_SHOW_PHYSICAL,
	CLK_SHOW_TRUETIME
};
#define CLK_SHOW_COUNT 5
/* The option's words, "lamport" .. "truetime", indexed by enum clk_show. */
extern const char *const clocks_show_words[CLK_SHOW_COUNT];
/* The clock the `show` option names (the boxes and the space-time
 * diagram draw it). */
enum clk_show clocks_shown(struct sim *s);
/* One stamp of e in the form the screen shows it: "L3", "[n1:2 n2:1]",
 * "31.002s,1" (HLC l,c), "30.998s", "[30.991s,31.005s]". Appends to out. */
void clocks_fmt_stamp(const struct clk_event *e, enum clk_show which, struct sbuf *out);
/* The strict causal past of b (Lamport 1978's happened-before, from the
 * event graph, never from a clock): on return, event k of node i
 * happened before b exactly when k <= upto[i]. upto has sim_nodes(s)
 * entries. O(events). */
void clocks_past(struct sim *s, const struct clk_event *b, uint32_t *upto);
/* Whether commit e is still in its commit wait (a crash abandons it). */
bool clocks_waiting(struct sim *s, const struct clk_event *e);
/* Whether commit wait is on, and the uncertainty eps, in this simulation. */
bool clocks_commit_wait(struct sim *s);
sim_time clocks_epsilon(struct sim *s);

#endif

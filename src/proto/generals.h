/*
 * generals.h — the Byzantine generals' oral-messages algorithm OM(m)
 * (Lamport, Shostak & Pease, "The Byzantine Generals Problem", ACM TOPLAS
 * 4(3), 1982, §3): a commander sends an order to N-1 lieutenants, who relay
 * what they heard for m more rounds and decide by majority.
 *
 * The state of a node, shared by the protocol (generals.c), its views and
 * predicates (generals_view.c) and its checker (src/check/
 * generals_invariants.c), which reads it after every event. The fields
 * marked "observer" are never read by the protocol's decisions: they are
 * what an omniscient observer needs (the order the commander was really
 * given, which senders a node missed) and what the screen shows.
 */
#ifndef NETSPLIT_GENERALS_H
#define NETSPLIT_GENERALS_H

#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

#define GEN_MAX_M    3 /* OM(0) .. OM(3) */
#define GEN_MAX_PATH (GEN_MAX_M + 1)
/* The most messages one order may cost; beyond it `order` is refused
 * (OM(3) on 128 nodes would send some 2.6e8). */
#define GEN_MAX_MSGS 2000000

enum { GEN_OPT_M, GEN_OPT_ROUND };

/* Values: 0 is "no message" (the paper's A3: its absence is detected). */
enum gen_value { GEN_NONE = 0, GEN_RETREAT = 1, GEN_ATTACK = 2 };

/* The one message kind, "Order": value v relayed along path (path[0] the
 * commander, path[len-1] the sender): "n1 says n3 says attack" is
 * path {n1, n3} sent by n3. */
struct gen_wire {
	uint32_t order; /* order number, 1-based */
	uint8_t value;  /* GEN_ATTACK or GEN_RETREAT */
	uint8_t len;    /* 1 .. m+1 */
	uint8_t path[GEN_MAX_PATH];
};

/* One value received, in arrival order. */
struct gen_rec {
	uint8_t len;
	uint8_t path[GEN_MAX_PATH];
	uint8_t value;
	bool late; /* arrived after its round: ignored (treated as missing) */
};

struct gen {
	struct node *n;
	const struct proto_opts *o;
	uint32_t order; /* the order being carried out, or the last (0: none) */
	int commander;  /* its commander (node index) */
	int m;          /* OM(m) of that order (the option when it began) */
	int round;      /* 1..m+1 during the rounds; 0 idle or done */
	bool done;      /* the rounds are over: decision holds */
	uint8_t decision;
	/* received values; idx: open addressing, path code -> rec index + 1 */
	struct gen_rec *rec;
	int nrec, caprec;
	uint32_t *key, *idx;
	size_t capidx;
	/* the majorities computed at the decision, for the screen: top[j] is
	 * the value lieutenant j's sub-instance OM(m-1) resolved to (j = the
	 * commander: the value heard from it directly) */
	uint8_t top[SIM_MAX_NODES];
	/* observer */
	uint8_t truth;               /* the order the commander was given */
	struct nodeset missing_from; /* senders whose message never came in time */
	int nmissing;
	uint32_t sent;
	bool lied; /* it sent as a traitor in this order (the simulator rewrote it):
		    * a traitor is judged by what it was when it sent, not now */
};

/* The state of node i of a generals simulation. */
static inline const struct gen *gen_of(struct sim *s, int i)
{
	return sim_node(s, i)->self;
}

/* "attack", "retreat" (or "none"): protocol vocabulary, untranslated. */
const char *gen_value_str(int v);
/* Parses "attack" or "retreat"; GEN_NONE otherwise. */
int gen_value_parse(const char *word);

/* Gives order `value` from `commander` to every up node: the start of the
 * rounds, known to all (the paper's synchronous system: every general
 * knows when the rounds begin and A3, that a missing message is noticed).
 * Returns 0, or PROTO_REFUSED with a message in err (a commander that is
 * down, rounds still in progress, too many messages). */
int generals_order(struct sim *s, int commander, int value, struct sbuf *err);

/* How many messages OM(m) sends with n generals, when every general is
 * loyal: (n-1) + (n-1)(n-2) + ... + (n-1)(n-2)...(n-m-1). */
uint64_t generals_msgs(int n, int m);

/* The value the node holds for a path (GEN_NONE when it never came, or
 * came late). */
int gen_value_at(const struct gen *g, const uint8_t *path, int len);

/* The protocol's predicates and commands (generals_view.c). */
extern const struct proto_pred generals_preds[];
extern const struct proto_cmd generals_commands[];
void generals_status(const void *self, struct node_status *out);
void generals_describe(const void *self, struct node_view *v);

#endif

/*
 * pbft.h — the declarations shared by the files of the PBFT protocol and
 * by its invariant checker (src/check/pbft_invariants.c).
 *
 * Practical Byzantine Fault Tolerance after Castro & Liskov, OSDI 1999 —
 * cited below as "CL §4.2" — with the shared key-value machine
 * (proto/kv.c) as the replicated service. The files:
 *
 *   pbft.c          the protocol table, options, node life, dispatch,
 *                   views, message words, and how a traitor lies
 *                   (corrupt_msg)
 *   pbft_replica.c  CL §4.1 client requests, §4.2 the normal case
 *                   (pre-prepare, prepare, commit, execution in order),
 *                   §4.4 view changes (VIEW-CHANGE, NEW-VIEW with O)
 *   pbft_pred.c     the `expect` predicates
 *
 * Replicas and faults. R = {n1..nN}; f is the number of traitors the
 * deployment is built to survive: floor((N-1)/3) unless the option `f`
 * says otherwise. The primary of view v is replica v mod N (CL §4: "the
 * primary of a view is replica p such that p = v mod |R|").
 *
 * Quorums. A replica waits for q = min(ceil((N+f+1)/2), N-f) matching
 * messages: any two sets of q replicas then share at least 2q-N of them,
 * which is f+1 (so one correct replica) exactly when N >= 3f+1; and q is
 * never more than N-f, because f replicas may never answer. For N = 3f+1
 * this is the paper's 2f+1. Set f beyond the bound (N = 3, f = 1) and the
 * same rule gives quorums of N-f = 2 that share one replica — which may be
 * the traitor: that is how correct replicas diverge (CL §3: "we prove
 * [3f+1] is the minimum number of replicas that allow an asynchronous
 * system to provide the safety and liveness properties when up to f
 * replicas are faulty").
 *
 * Signatures. CL §2: messages are signed or MAC'd, and "the adversary
 * cannot ... impersonate a non-faulty node". The simulator's `from` is
 * reliable (a traitor can lie about content, not about who sent), so
 * channels stand for the replicas' MACs; a client's request carries a
 * signature (struct pbft_req.sig, a keyed hash that only a client could
 * compute: the traitor's corrupt_msg never recomputes it), so a primary
 * cannot forge requests — it can only order real ones differently to
 * different backups. A NEW-VIEW's V is checked against the VIEW-CHANGE
 * messages each backup received itself from their senders (the paper
 * ships them signed inside the NEW-VIEW).
 *
 * Simplifications, said once: no checkpoints nor garbage collection
 * (CL §4.3): the log is kept whole, the low water mark h is 0 and the
 * high one is H = executed + window; so a VIEW-CHANGE carries every
 * prepared certificate and a NEW-VIEW's O spans 1..max-s (min-s = 0), and
 * there is no state transfer: a replica that missed a sequence number
 * catches up only through a later view change. A replica's state is all
 * on stable storage: a crash is a long pause. Messages carry the request
 * itself where the paper sends its digest d (the receiver computes d), so
 * that the screen can say what each vote is for.
 */
#ifndef NETSPLIT_PBFT_H
#define NETSPLIT_PBFT_H

#include "proto/kv.h"
#include "proto/proto.h"

#include <stdbool.h>
#include <stdint.h>

enum pbft_opt {
	PBFT_OPT_F,       /* f, or -1: floor((N-1)/3) */
	PBFT_OPT_TIMEOUT, /* a backup's view-change timer */
	PBFT_OPT_WINDOW,  /* H - h */
};

enum pbft_timer {
	PBFT_TIMER_VIEW, /* CL §4.4: a request not executed in time, or no NEW-VIEW */
};

enum pbft_msg_type {
	PBFT_MSG_REQUEST,    /* a client request relayed to every replica */
	PBFT_MSG_PREPREPARE, /* <PRE-PREPARE, v, n, d>, m */
	PBFT_MSG_PREPARE,    /* <PREPARE, v, n, d, i> */
	PBFT_MSG_COMMIT,     /* <COMMIT, v, n, D(m), i> */
	PBFT_MSG_VIEWCHANGE, /* <VIEW-CHANGE, v+1, n, C, P, i> */
	PBFT_MSG_NEWVIEW,    /* <NEW-VIEW, v+1, V, O> */
	PBFT_MSG_KINDS,
};

/* A client request m = <REQUEST, o, t, c> (CL §4.1): the operation, the
 * client's timestamp (its serial number) and the client. client 0 is the
 * null request of a NEW-VIEW (CL §4.4: "a new pre-prepare message for
 * view v+1 with ... the null request"). Plain data, zeroed before filling
 * (hashed and compared bytewise). */
struct pbft_req {
	int32_t client; /* 1-based; 0: the null request */
	uint32_t pad;
	uint64_t seq;
	struct kv_op op;
	uint64_t sig; /* the client's signature over the rest */
};

/* The signature a client puts on its request (see Signatures above). */
uint64_t pbft_sign(const struct pbft_req *r);
bool pbft_sig_ok(const struct pbft_req *r);
/* The digest D(m); never 0. */
uint64_t pbft_digest(const struct pbft_req *r);
/* "put x 1", "null" */
void pbft_req_fmt(const struct pbft_req *r, char *buf, size_t n);

/* ---- wire formats ------------------------------------------------------------- */

/* REQUEST: the request and the client attempt to answer. */
struct pbft_wire_request {
	struct pbft_req req;
	struct client_req creq;
};

/* PRE-PREPARE, PREPARE, COMMIT: view, sequence number, and the request
 * (whose digest is d). */
struct pbft_wire_order {
	int64_t view;
	int64_t n;
	struct pbft_req req;
};

/* VIEW-CHANGE: followed by np struct pbft_wire_order, the P set: for each
 * sequence number prepared at this replica, the request and the view it
 * was prepared in (CL §4.4: "a set Pm for each request m that prepared at
 * i with a sequence number higher than n"). */
struct pbft_wire_viewchange {
	int64_t view; /* the view it moves to */
	uint32_t np;
	uint32_t pad;
};

/* NEW-VIEW: followed by no struct pbft_wire_order, the set O (view is the
 * new view in each). */
struct pbft_wire_newview {
	int64_t view;
	struct nodeset vset; /* V: whose VIEW-CHANGE messages it rests on */
	uint32_t no;
	uint32_t pad;
};

/* ---- state ---------------------------------------------------------------------- */

/* What a replica's log holds for one sequence number. */
struct pbft_slot {
	/* The pre-prepare accepted in view `view` (CL §4.2). */
	bool pp;
	int64_t view;
	struct pbft_req req;
	uint64_t d;
	/* Votes heard in `view`: the digest each replica's PREPARE and
	 * COMMIT named (0: none), indexed by node. */
	uint64_t *prep, *comm;
	bool prepared;        /* in `view` */
	bool committed;       /* committed-local, in some view (a fact that stays) */
	struct pbft_req creq; /* what was committed */
	/* The last prepared certificate, kept across views for the P set. */
	bool has_p;
	int64_t pview;
	struct pbft_req preq;
	/* Executed: what, for the checker and the views. */
	bool executed;
	struct pbft_req ereq;
	sim_time executed_at; /* trace time */
};

/* A request this replica knows of and has not executed: its view-change
 * timer runs for it (CL §4.4). */
struct pbft_pending {
	struct pbft_req req;
	struct client_req creq; /* the attempt to answer, if a client asked here */
	bool has_creq;
	int64_t assigned_view; /* primary: the view it was given an n in; -1 none */
};

/* A PrePrepare, Prepare or Commit of a later view than the replica has
 * entered (the network reorders: a backup may hear the new primary's
 * PrePrepare before its NewView); replayed when it enters that view. */
#define PBFT_EARLY_MAX 4096
struct pbft_early {
	int from, type;
	struct pbft_wire_order w;
};

/* A VIEW-CHANGE received (or sent) for `view`. */
struct pbft_vc {
	int64_t view; /* -1: none */
	uint32_t np;
	struct pbft_wire_order *p;
};

struct pbft {
	struct node *n;
	const struct proto_opts *o;
	int nn; /* replicas */
	int f;  /* tolerated traitors */
	int q;  /* quorum */
	int64_t view;
	bool changing;          /* sent VIEW-CHANGE for `view`, no NEW-VIEW yet */
	sim_time vc_timeout;    /* current view-change timeout (doubles, CL §4.4) */
	int64_t next_n;         /* primary: the next sequence number */
	int64_t executed;       /* the last sequence number executed */
	struct pbft_slot *slot; /* slot[n], n >= 1 */
	int64_t nslot;
	struct kv kv;
	struct pbft_pending *pend;
	size_t npend, cappend;
	struct pbft_vc *vc;       /* per node: its latest VIEW-CHANGE */
	bool nv_sent;             /* primary: NEW-VIEW sent for `view` */
	struct pbft_early *early; /* messages of a view not yet entered */
	size_t nearly, capearly;
	void *nv_held; /* a NEW-VIEW awaiting the VIEW-CHANGEs it names */
	size_t nv_held_len;
	/* For the views. */
	uint64_t views_changed, null_reqs, rejected;
	char last_reject[80];
};

/* pbft.c */
extern const struct proto_ops pbft_ops;
struct pbft *pbft_of(struct sim *s, int i); /* NULL if not pbft */
const struct pbft *pbft_of_c(const struct sim *s, int i);
static inline int pbft_primary(const struct pbft *p, int64_t v)
{
	return (int)(v % p->nn);
}
/* The f and q a cluster of nn replicas runs with, under options o. */
int pbft_f_of(const struct proto_opts *o, int nn);
int pbft_q_of(int nn, int f);
const struct pbft_slot *pbft_slot_c(const struct pbft *p, int64_t n); /* NULL past end */
void pbft_sync(struct pbft *p); /* learns N (at the first event) */

/* pbft_replica.c */
struct pbft_slot *pbft_slot(struct pbft *p, int64_t n); /* grows */
void pbft_on_client(void *self, const struct client_req *r);
void pbft_on_request(struct pbft *p, int from, const struct pbft_wire_request *w);
void pbft_on_preprepare(struct pbft *p, int from, const struct pbft_wire_order *w);
void pbft_on_prepare(struct pbft *p, int from, const struct pbft_wire_order *w);
void pbft_on_commit(struct pbft *p, int from, const struct pbft_wire_order *w);
void pbft_on_viewchange(struct pbft *p, int from, const void *data, size_t len);
void pbft_on_newview(struct pbft *p, int from, const void *data, size_t len);
void pbft_on_view_timer(struct pbft *p);
void pbft_free_volatile(struct pbft *p);

/* pbft_pred.c */
extern const struct proto_pred pbft_preds[];
/* Whether two correct (loyal) replicas executed different requests at one
 * sequence number; if so, says where in why. */
bool pbft_diverged(struct sim *s, struct sbuf *why);

#endif

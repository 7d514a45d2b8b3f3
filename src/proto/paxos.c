/*
 * paxos.c — the Paxos protocol's table, node life, dispatch, views and
 * message words (see paxos.h for the paper and the split by role).
 *
 * Crash and restart. PMS §2.4: "Paxos ... assumes a network of
 * processes. ... An acceptor must remember this information even if it
 * fails and then restarts": a crash keeps struct paxos_stable (the
 * promise, every slot's accepted proposal, the learnt values, the highest
 * round this proposer issued) and loses everything else — the proposer's
 * attempt, its waiting clients, the state machine, which a restart
 * rebuilds by replaying the chosen prefix.
 */
#include "proto/paxos.h"

#include "util/i18n.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct proto_option paxos_options[] = {
    [PAXOS_OPT_LEADER] = {"leader", OPT_BOOL, "on", NULL, 0, 1,
			  N_("a distinguished proposer: only a node that has heard no leader "
			     "for an election timeout prepares (Paxos Made Simple §3); off: "
			     "every node proposes at once, and proposers may duel"),
			  true},
    [PAXOS_OPT_ELECTION] = {"election", OPT_RANGE, "150ms..300ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			    N_("with leader=on, how long a node waits without hearing a leader "
			       "before it prepares; drawn at random from the range"),
			    true},
    [PAXOS_OPT_HEARTBEAT] = {"heartbeat", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			     N_("time between a leader's heartbeats (which also resend "
				"unanswered Accepts)"),
			     true},
    [PAXOS_OPT_RETRY] = {"retry", OPT_RANGE, "20ms..60ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			 N_("how long a proposer waits before trying a new ballot when its "
			    "last one stalled or was refused; a fixed range shorter than a round "
			    "trip (5ms..5ms) lets "
			    "dueling proposers livelock"),
			 true},
    [PAXOS_OPT_BATCH] = {"batch", OPT_INT, "16", NULL, 1, 256,
			 N_("most slots carried by one Accept"), true},
    [PAXOS_OPT_READS] = {"reads", OPT_CHOICE, "log", "log|local", 0, 0,
			 N_("log: a read is a command chosen in a slot like a write "
			    "(linearizable); local: any node answers from its own state at once, "
			    "possibly stale (DynamoDB's eventually consistent reads)"),
			 true},
    [PAXOS_OPT_ACCEPTORS] = {"acceptors", OPT_INT, "0", NULL, 0, SIM_MAX_NODES,
			     N_("roles: n1..nK are the acceptors, whose majority decides; 0: every "
				"node (Paxos Made Simple §2.1)"),
			     false},
    [PAXOS_OPT_PROPOSERS] = {"proposers", OPT_INT, "0", NULL, 0, SIM_MAX_NODES,
			     N_("roles: the last P nodes are the proposers, the only ones that "
				"prepare and take client writes; 0: every node. Every node learns"),
			     false},
    [PAXOS_OPT_BUG] = {"bug", OPT_SET, "none",
		       "ignore-accepted|accept-below-promise|forget-promise|invent-value", 0, 0,
		       N_("switch off rules of the paper, to watch what breaks (docs/PROTOCOLS.md, "
			  "paxos, \"Rules you can switch off\")"),
		       false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind paxos_msgs[PAXOS_MSG_KINDS] = {
    [PAXOS_MSG_PREPARE] = {"Prepare", 'p', false},
    [PAXOS_MSG_PROMISE] = {"Promise", 'P', true},
    [PAXOS_MSG_NACK] = {"Nack", 'N', true},
    [PAXOS_MSG_ACCEPT] = {"Accept", 'a', false},
    [PAXOS_MSG_ACCEPTED] = {"Accepted", 'A', true},
    [PAXOS_MSG_CHOSEN] = {"Chosen", 'c', false},
    [PAXOS_MSG_HEARTBEAT] = {"Heartbeat", 'h', false},
    [PAXOS_MSG_CATCHUP] = {"Catchup", 'H', true},
    [PAXOS_MSG_FORWARD] = {"Forward", 'f', false},
};

static const struct proto_vary paxos_vary[] = {
    {"batch", "16|1|64"}, {"heartbeat", "50ms|20ms"}, {"acceptors", "0|3"}, {"proposers", "0|2"},
    {NULL, NULL},
};

bool paxos_bug_on(const struct paxos *p, enum paxos_bug b)
{
	return b != PAXOS_BUG_NONE && ((p->o->v[PAXOS_OPT_BUG].i >> (b - 1)) & 1);
}

int paxos_nacceptors(const struct proto_opts *o, int n)
{
	int k = (int)o->v[PAXOS_OPT_ACCEPTORS].i;
	return k <= 0 || k > n ? n : k;
}

bool paxos_is_acceptor(const struct proto_opts *o, int n, int id)
{
	return id >= 0 && id < paxos_nacceptors(o, n);
}

bool paxos_is_proposer(const struct proto_opts *o, int n, int id)
{
	int k = (int)o->v[PAXOS_OPT_PROPOSERS].i;
	return k <= 0 || k >= n || id >= n - k;
}

int paxos_quorum(const struct proto_opts *o, int n)
{
	return paxos_nacceptors(o, n) / 2 + 1;
}

/* The rules bug=NAME removes (PAXOS_OPT_BUG's choices, in order). */
static const struct proto_bug paxos_bugs[] = {
    {"ignore-accepted",
     N_("a proposer proposes the value of the highest-numbered proposal among the responses "
	"to its prepare, if any"),
     "Paxos Made Simple, §2.2 (P2c)", false},
    {"accept-below-promise",
     N_("an acceptor can accept a proposal numbered n iff it has not responded to a prepare "
	"request having a number greater than n"),
     "Paxos Made Simple, §2.2 (P1a)", false},
    {"forget-promise",
     N_("an acceptor must remember its promise even if it fails and then restarts"),
     "Paxos Made Simple, §2.4", false},
    {"invent-value", N_("only a value that has been proposed may be chosen"),
     "Paxos Made Simple, §2.1", false},
    {NULL, NULL, NULL, false},
};

sim_time paxos_rand_in(struct paxos *p, int opt)
{
	const struct opt_value *v = &p->o->v[opt];
	return v->i == v->j ? v->i : node_rand_range(p->n, v->i, v->j);
}

void paxos_send(struct paxos *p, int to, int type, const void *data, size_t len)
{
	node_send(p->n, to, type, data, len);
}

const char *paxos_ballot_fmt(int64_t b, char *buf, size_t n)
{
	if (!b)
		ns_strlcpy(buf, "none", n);
	else
		ns_snprintf(buf, n, "(%lld,n%d)", (long long)paxos_round(b), paxos_bnode(b) + 1);
	return buf;
}

void paxos_value_fmt(const struct paxos_value *v, char *buf, size_t n)
{
	switch (v->type) {
	case PAXOS_V_NONE: ns_strlcpy(buf, "-", n); return;
	case PAXOS_V_NOOP: ns_strlcpy(buf, "no-op", n); return;
	case PAXOS_V_PLAIN: ns_strlcpy(buf, v->op.arg, n); return;
	case PAXOS_V_CMD: {
		struct sbuf b = {0};
		kv_op_fmt(&v->op, &b);
		ns_strlcpy(buf, sbuf_str(&b), n);
		sbuf_free(&b);
		return;
	}
	}
	ns_strlcpy(buf, "?", n);
}

uint64_t paxos_value_hash(const struct paxos_value *v)
{
	const unsigned char *q = (const unsigned char *)v;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof *v; i++)
		h = (h ^ q[i]) * 1099511628211ull;
	return h | 1; /* never 0 */
}

struct paxos *paxos_of(struct sim *s, int i)
{
	if (sim_proto(s) != &paxos_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node(s, i)->self;
}

/* ---- node life --------------------------------------------------------------- */

static void volatile_init(struct paxos *p)
{
	p->phase = PAXOS_IDLE;
	p->leader = -1;
	p->seen_ballot = p->st.promised;
	kv_init(&p->kv);
	paxos_replay(p);
	paxos_arm(p);
}

static void *paxos_create(struct node *n, const void *config)
{
	struct paxos *p = xcalloc(1, sizeof *p);
	p->n = n;
	p->o = config;
	p->audit.promise_low = 0;
	volatile_init(p);
	return p;
}

static void volatile_free(struct paxos *p)
{
	kv_close(&p->kv);
	free(p->adopt);
	free(p->fl);
	free(p->want);
}

static void paxos_destroy(void *self)
{
	struct paxos *p = self;
	if (!p)
		return;
	volatile_free(p);
	free(p->st.slot);
	free(p->audit.slots);
	free(p->audit.proposed);
	free(p);
}

static void paxos_on_crash(void *self)
{
	struct paxos *p = self;
	volatile_free(p);
	struct node *n = p->n;
	const struct proto_opts *o = p->o;
	struct paxos_stable st = p->st;
	struct paxos_audit audit = p->audit;
	memset(p, 0, sizeof *p);
	p->n = n;
	p->o = o;
	p->st = st;
	p->audit = audit;
	if (paxos_bug_on(p, PAXOS_BUG_FORGET_PROMISE))
		p->st.promised = 0; /* the bug: the promise was never on disk */
	p->phase = PAXOS_IDLE;
	p->leader = -1;
	p->applied = -1;
}

static void paxos_on_restart(void *self)
{
	struct paxos *p = self;
	volatile_init(p);
	char b[32];
	node_state(p->n, "restarted from stable storage: promised %s, %lld slots chosen",
		   paxos_ballot_fmt(p->st.promised, b, sizeof b),
		   (long long)(p->first_unchosen - 1));
}

static void paxos_on_message(void *self, const struct msg *m)
{
	struct paxos *p = self;
	switch (m->type) {
	case PAXOS_MSG_PREPARE: {
		struct paxos_wire_prepare w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		bool had = w.ballot > p->st.promised;
		paxos_on_prepare(p, m->from, &w);
		/* A node that promised a candidate gives it time to lead. */
		if (had && p->o->v[PAXOS_OPT_LEADER].i && p->phase != PAXOS_LEADING)
			node_set_timer(p->n, PAXOS_TIMER_ELECTION,
				       paxos_rand_in(p, PAXOS_OPT_ELECTION));
		break;
	}
	case PAXOS_MSG_PROMISE: paxos_on_promise(p, m->from, m->data, m->len); break;
	case PAXOS_MSG_NACK: {
		struct paxos_wire_nack w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		paxos_on_nack(p, m->from, &w);
		break;
	}
	case PAXOS_MSG_ACCEPT: paxos_on_accept(p, m->from, m->data, m->len); break;
	case PAXOS_MSG_ACCEPTED: paxos_on_accepted(p, m->from, m->data, m->len); break;
	case PAXOS_MSG_CHOSEN: paxos_on_chosen(p, m->from, m->data, m->len); break;
	case PAXOS_MSG_HEARTBEAT: {
		struct paxos_wire_heartbeat w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		paxos_on_heartbeat(p, m->from, &w);
		break;
	}
	case PAXOS_MSG_FORWARD: {
		struct paxos_value v;
		if (m->len != sizeof v)
			return;
		memcpy(&v, m->data, sizeof v);
		paxos_on_forward(p, m->from, &v);
		break;
	}
	case PAXOS_MSG_CATCHUP: {
		struct paxos_wire_catchup w;
		if (m->len != sizeof w)
			return;
		memcpy(&w, m->data, sizeof w);
		paxos_on_catchup(p, m->from, &w);
		break;
	}
	}
}

static void paxos_on_timer(void *self, int timer)
{
	struct paxos *p = self;
	switch (timer) {
	case PAXOS_TIMER_ELECTION: paxos_election(p); break;
	case PAXOS_TIMER_HEARTBEAT: paxos_heartbeat(p); break;
	case PAXOS_TIMER_RETRY: paxos_retry(p); break;
	}
}

static void paxos_option_changed(void *self, int opt)
{
	struct paxos *p = self;
	if (opt == PAXOS_OPT_LEADER && p->phase != PAXOS_LEADING)
		paxos_arm(p);
}

/* ---- views ------------------------------------------------------------------- */

static const char *phase_role(const struct paxos *p)
{
	int n = node_count(p->n);
	switch (p->phase) {
	case PAXOS_LEADING: return N_("Leader");
	case PAXOS_PREPARING: return N_("Proposer");
	case PAXOS_IDLE: break;
	}
	if (paxos_is_acceptor(p->o, n, p->n->id))
		return N_("Acceptor");
	return paxos_is_proposer(p->o, n, p->n->id) ? N_("Proposer") : N_("Learner");
}

/* The ballot a box shows: its own while proposing, its promise if it is an
 * acceptor, else the highest it has seen (a learner promises nothing). */
static int64_t shown_ballot(const struct paxos *p)
{
	if (p->phase != PAXOS_IDLE)
		return p->ballot;
	return paxos_is_acceptor(p->o, node_count(p->n), p->n->id) ? p->st.promised
								   : p->seen_ballot;
}

static void paxos_status(const void *self, struct node_status *out)
{
	const struct paxos *p = self;
	out->kind = p->phase == PAXOS_LEADING     ? ROLE_LEADER
		    : p->phase == PAXOS_PREPARING ? ROLE_CANDIDATE
						  : ROLE_FOLLOWER;
	out->role = phase_role(p);
	out->term = paxos_round(shown_ballot(p));
	out->commit = p->first_unchosen - 1 < 0 ? 0 : p->first_unchosen - 1;
	out->leader = p->leader;
}

static bool paxos_log_entry(const void *self, int64_t index, struct log_view_entry *out)
{
	const struct paxos *p = self;
	const struct paxos_slot *s = paxos_slot_c(p, index);
	if (!s || (!s->chosen && !s->acc_ballot))
		return false;
	out->index = index;
	out->term = paxos_round(s->acc_ballot);
	char v[32];
	paxos_value_fmt(s->chosen ? &s->val : &s->acc, v, sizeof v);
	ns_snprintf(out->cmd, sizeof out->cmd, "%s%s", v, s->chosen ? "" : " ?");
	return true;
}

NS_PRINTF(2, 3) static void line(struct node_view *v, const char *fmt, ...)
{
	if (v->nlines >= VIEW_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	ns_strlcpy(v->lines[v->nlines++], sbuf_str(&b), VIEW_LINE_LEN);
	sbuf_free(&b);
}

static int64_t last_slot(const struct paxos *p)
{
	for (int64_t i = p->st.nslot - 1; i > 0; i--)
		if (p->st.slot[i].acc_ballot || p->st.slot[i].chosen)
			return i;
	return 0;
}

static void paxos_describe(const void *self, struct node_view *v)
{
	const struct paxos *p = self;
	memset(v, 0, sizeof *v);
	paxos_status(self, &v->st);
	bool up = p->n->up;
	v->applied = up ? p->applied : -1;
	v->log_first = 1;
	v->log_last = last_slot(p);
	for (int64_t i = MAX(1, v->log_last - VIEW_LOG_MAX + 1); i <= v->log_last; i++) {
		if (v->nlog < VIEW_LOG_MAX && paxos_log_entry(self, i, &v->log[v->nlog]))
			v->nlog++;
	}
	char b[32], c[32];
	int n = node_count(p->n);
	bool acc = paxos_is_acceptor(p->o, n, p->n->id),
	     prop = paxos_is_proposer(p->o, n, p->n->id);
	line(v, "%s",
	     acc && prop ? _("roles: proposer, acceptor, learner")
	     : acc       ? _("roles: acceptor, learner")
	     : prop      ? _("roles: proposer, learner")
			 : _("roles: learner"));
	if (acc)
		line(v, _("promised %s"), paxos_ballot_fmt(p->st.promised, b, sizeof b));
	if (!up) {
		line(v, _("down: only stable storage is left"));
	} else {
		if (p->phase == PAXOS_PREPARING)
			line(v, _("preparing %s: %d of %d promises"),
			     paxos_ballot_fmt(p->ballot, b, sizeof b), nodeset_count(&p->promises),
			     paxos_quorum(p->o, n));
		else if (p->phase == PAXOS_LEADING)
			line(v, _("leading with %s, next slot %lld"),
			     paxos_ballot_fmt(p->ballot, b, sizeof b), (long long)p->next_slot);
		else if (p->leader >= 0)
			line(v, _("leader n%d at %s"), p->leader + 1,
			     paxos_ballot_fmt(p->leader_ballot, b, sizeof b));
		else
			line(v, _("no known leader"));
		line(v, _("chosen up to slot %lld, applied %lld"),
		     (long long)(p->first_unchosen - 1), (long long)p->applied);
		if (p->nwant)
			line(v, _("%zu values waiting to be proposed"), p->nwant);
	}
	line(v, _("slots (accepted ballot: value; * chosen)"));
	int64_t from = MAX(1, v->log_last - 9);
	for (int64_t i = from; i <= v->log_last; i++) {
		const struct paxos_slot *s = paxos_slot_c(p, i);
		if (!s || (!s->acc_ballot && !s->chosen))
			continue;
		paxos_value_fmt(s->chosen ? &s->val : &s->acc, c, sizeof c);
		line(v, " %3lld %s: %s%s", (long long)i,
		     paxos_ballot_fmt(s->acc_ballot, b, sizeof b), c, s->chosen ? " *" : "");
	}
	line(v, _("%llu writes to stable storage"), (unsigned long long)p->st.writes);
	int64_t sb = shown_ballot(p);
	ns_strlcpy(v->badge, sb ? paxos_ballot_fmt(sb, b, sizeof b) : _("no ballot"),
		   sizeof v->badge);
}

static void paxos_describe_msg(const struct msg *m, struct sbuf *out)
{
	char b[32], c[32], d[40];
	switch (m->type) {
	case PAXOS_MSG_PREPARE: {
		struct paxos_wire_prepare w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Prepare b=%s slots>=%lld",
			    paxos_ballot_fmt(w.ballot, b, sizeof b), (long long)w.from);
		return;
	}
	case PAXOS_MSG_PROMISE: {
		struct paxos_wire_promise h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.n * sizeof(struct paxos_wire_report))
			break;
		sbuf_printf(out, "Promise b=%s", paxos_ballot_fmt(h.ballot, b, sizeof b));
		if (!h.n)
			sbuf_puts(out, " accepted=none");
		for (uint32_t k = 0; k < h.n && k < 3; k++) {
			struct paxos_wire_report r;
			memcpy(&r, (const char *)m->data + sizeof h + k * sizeof r, sizeof r);
			paxos_value_fmt(&r.val, d, sizeof d);
			if (r.chosen)
				sbuf_printf(out, " %lld:chosen:%s", (long long)r.slot, d);
			else
				sbuf_printf(out, " %lld:accepted=%s:%s", (long long)r.slot,
					    paxos_ballot_fmt(r.acc_ballot, c, sizeof c), d);
		}
		if (h.n > 3)
			sbuf_printf(out, " +%u more", h.n - 3);
		return;
	}
	case PAXOS_MSG_NACK: {
		struct paxos_wire_nack w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Nack b=%s promised=%s", paxos_ballot_fmt(w.ballot, b, sizeof b),
			    paxos_ballot_fmt(w.promised, c, sizeof c));
		return;
	}
	case PAXOS_MSG_ACCEPT:
	case PAXOS_MSG_CHOSEN: {
		struct paxos_wire_accept h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.n * sizeof(struct paxos_wire_entry))
			break;
		if (m->type == PAXOS_MSG_ACCEPT)
			sbuf_printf(out, "Accept b=%s", paxos_ballot_fmt(h.ballot, b, sizeof b));
		else
			sbuf_puts(out, "Chosen");
		for (uint32_t k = 0; k < h.n && k < 3; k++) {
			struct paxos_wire_entry e;
			memcpy(&e, (const char *)m->data + sizeof h + k * sizeof e, sizeof e);
			paxos_value_fmt(&e.val, d, sizeof d);
			sbuf_printf(out, " %lld:%s", (long long)e.slot, d);
		}
		if (h.n > 3)
			sbuf_printf(out, " +%u more", h.n - 3);
		return;
	}
	case PAXOS_MSG_ACCEPTED: {
		struct paxos_wire_accepted h;
		if (m->len < sizeof h)
			break;
		memcpy(&h, m->data, sizeof h);
		if (m->len != sizeof h + (size_t)h.n * sizeof(int64_t))
			break;
		sbuf_printf(out, "Accepted b=%s", paxos_ballot_fmt(h.ballot, b, sizeof b));
		if (h.n) {
			int64_t first, last;
			memcpy(&first, (const char *)m->data + sizeof h, sizeof first);
			memcpy(&last, (const char *)m->data + sizeof h + (h.n - 1) * sizeof last,
			       sizeof last);
			if (h.n == 1)
				sbuf_printf(out, " slot %lld", (long long)first);
			else
				sbuf_printf(out, " %u slots %lld..%lld", h.n, (long long)first,
					    (long long)last);
		}
		return;
	}
	case PAXOS_MSG_HEARTBEAT: {
		struct paxos_wire_heartbeat w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Heartbeat b=%s chosen<%lld",
			    paxos_ballot_fmt(w.ballot, b, sizeof b), (long long)w.first_unchosen);
		return;
	}
	case PAXOS_MSG_FORWARD: {
		struct paxos_value v;
		if (m->len != sizeof v)
			break;
		memcpy(&v, m->data, sizeof v);
		paxos_value_fmt(&v, d, sizeof d);
		sbuf_printf(out, "Forward %s", d);
		return;
	}
	case PAXOS_MSG_CATCHUP: {
		struct paxos_wire_catchup w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "Catchup from slot %lld", (long long)w.from);
		return;
	}
	}
	sbuf_printf(out, "%s (malformed)",
		    m->type < PAXOS_MSG_KINDS ? paxos_msgs[m->type].name : "?");
}

const struct proto_ops paxos_ops = {
    .node =
	{
	    .create = paxos_create,
	    .destroy = paxos_destroy,
	    .on_message = paxos_on_message,
	    .on_timer = paxos_on_timer,
	    .on_client = paxos_on_client,
	    .on_crash = paxos_on_crash,
	    .on_restart = paxos_on_restart,
	    .describe_msg = paxos_describe_msg,
	    .msg_kinds = paxos_msgs,
	    .nmsg_kinds = PAXOS_MSG_KINDS,
	},
    .name = "paxos",
    .summary = N_("Multi-Paxos after Lamport (Paxos Made Simple, 2001): ballots, "
		  "prepare/promise, accept/accepted, a distinguished proposer"),
    .options = paxos_options,
    .kv_clients = true,
    .kv_read_levels = KV_LEVEL_BIT(KV_LEVEL_SERIALIZABLE) | KV_LEVEL_BIT(KV_LEVEL_LINEARIZABLE),
    .status = paxos_status,
    .describe = paxos_describe,
    .log_entry = paxos_log_entry,
    .option_changed = paxos_option_changed,
    .commands = paxos_commands,
    .preds = paxos_preds,
    .fuzz_vary = paxos_vary,
    .bugs = paxos_bugs,
};

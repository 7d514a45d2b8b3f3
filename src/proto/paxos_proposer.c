/*
 * paxos_proposer.c — the proposer and the learner (Lamport, "Paxos Made
 * Simple", 2001: PMS §2.2, §2.3, §2.4, §3), serving the shared key-value
 * machine (proto/kv.c).
 *
 * Phase 1(a), PMS §2.2: "A proposer selects a proposal number n and sends
 * a prepare request with number n to a majority of acceptors." Numbers
 * come from disjoint sets — (round, node) — and PMS §2.4: "a proposer
 * ... must remember the highest-numbered proposal it has ever tried to
 * issue": the round is written to stable storage before the prepare goes.
 *
 * Phase 2(a), PMS §2.2: "If the proposer receives a response to its
 * prepare requests (numbered n) from a majority of acceptors, then it
 * sends an accept request to each of those acceptors for a proposal
 * numbered n with a value v, where v is the value of the highest-numbered
 * proposal among the responses, or is any value if the responses reported
 * no proposals." This is P2c, the heart of safety.
 *
 * Multi-Paxos, PMS §3: the distinguished proposer (the leader) runs phase 1
 * once for every slot from its first unknown one on — "executing phase 1
 * for infinitely many instances" with one short message — and then
 * "executing phase 2 for instance i" alone for each new command. Slots the
 * promises left empty below the highest one reported are gaps: "the
 * leader ... proposes ... the special 'no-op' command that leaves the
 * state unchanged".
 *
 * Learning, PMS §2.3: "the acceptors could respond with their
 * acceptances to some set of distinguished learners, each of which can
 * then inform all the learners when a value has been chosen." The
 * proposer of a ballot is its distinguished learner: a slot is chosen
 * when a majority accepted it at that ballot, and Chosen tells the rest.
 * A learner that missed some asks the leader (Catchup) on its heartbeat.
 *
 * Progress, PMS §2.4 and §3: "it's easy to construct a scenario in which
 * two proposers each keep issuing a sequence of proposals with increasing
 * numbers, none of which are ever chosen"; "to guarantee progress, a
 * distinguished proposer must be selected as the only one to try issuing
 * proposals". With leader=on a node prepares only after an election
 * timeout without hearing a leader; with leader=off every node with work
 * proposes at once and retries after `retry` — the duel.
 */
#include "proto/paxos.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static bool leader_mode(const struct paxos *p)
{
	return p->o->v[PAXOS_OPT_LEADER].i != 0;
}

/* A majority of the acceptors (PMS §2.2). */
static int quorum(const struct paxos *p)
{
	return paxos_quorum(p->o, node_count(p->n));
}

static bool accepts(const struct paxos *p, int id)
{
	return paxos_is_acceptor(p->o, node_count(p->n), id);
}

static bool proposes(const struct paxos *p)
{
	return paxos_is_proposer(p->o, node_count(p->n), p->n->id);
}

void paxos_arm(struct paxos *p)
{
	if (p->phase == PAXOS_LEADING) {
		node_set_timer(p->n, PAXOS_TIMER_HEARTBEAT, p->o->v[PAXOS_OPT_HEARTBEAT].i);
		node_cancel_timer(p->n, PAXOS_TIMER_ELECTION);
		node_cancel_timer(p->n, PAXOS_TIMER_RETRY);
		return;
	}
	node_cancel_timer(p->n, PAXOS_TIMER_HEARTBEAT);
	if (!proposes(p)) {
		/* A learner (and acceptor) only: it never prepares. */
		node_cancel_timer(p->n, PAXOS_TIMER_ELECTION);
		node_cancel_timer(p->n, PAXOS_TIMER_RETRY);
		return;
	}
	if (leader_mode(p))
		node_set_timer(p->n, PAXOS_TIMER_ELECTION, paxos_rand_in(p, PAXOS_OPT_ELECTION));
	else
		node_cancel_timer(p->n, PAXOS_TIMER_ELECTION);
	/* A prepare that has not gathered a majority gets an election
	 * timeout (long enough for a round trip); a refused or deposed
	 * proposer with values to propose tries again after `retry`. */
	if (p->phase == PAXOS_PREPARING)
		node_set_timer(p->n, PAXOS_TIMER_RETRY, paxos_rand_in(p, PAXOS_OPT_ELECTION));
	else if (p->nwant && !leader_mode(p))
		node_set_timer(p->n, PAXOS_TIMER_RETRY, paxos_rand_in(p, PAXOS_OPT_RETRY));
	else
		node_cancel_timer(p->n, PAXOS_TIMER_RETRY);
}

/* ---- the learner --------------------------------------------------------- */

static void want_remove(struct paxos *p, size_t i)
{
	memmove(&p->want[i], &p->want[i + 1], (p->nwant - i - 1) * sizeof *p->want);
	p->nwant--;
}

static void apply_ready(struct paxos *p)
{
	while (p->applied + 1 < p->first_unchosen) {
		int64_t i = ++p->applied;
		const struct paxos_value *v = &p->st.slot[i].val;
		struct kv_result res;
		memset(&res, 0, sizeof res);
		if (v->type == PAXOS_V_CMD)
			kv_apply(&p->kv, v->client, v->seq, i, &v->op, &res);
		for (size_t k = 0; k < p->nwant; k++) {
			struct paxos_want *w = &p->want[k];
			bool done =
			    v->type == PAXOS_V_CMD
				? w->is_client && w->val.client == v->client && w->val.seq == v->seq
				: !memcmp(&w->val, v, sizeof *v);
			if (!done)
				continue;
			if (w->is_client) {
				struct client_reply rep;
				kv_result_reply(&res, &rep);
				node_reply(p->n, &w->req, &rep);
			}
			want_remove(p, k);
			break;
		}
	}
}

void paxos_replay(struct paxos *p)
{
	kv_clear(&p->kv);
	p->applied = 0;
	p->first_unchosen = 1;
	while (p->first_unchosen < p->st.nslot && p->st.slot[p->first_unchosen].chosen)
		p->first_unchosen++;
	apply_ready(p);
}

static void place_wants(struct paxos *p, bool send);

void paxos_learn(struct paxos *p, int64_t i, const struct paxos_value *v)
{
	if (i < 1)
		return;
	struct paxos_slot *s = paxos_slot(p, i);
	if (s->chosen)
		return; /* known; a different value would be the checker's to see */
	s->chosen = true;
	s->val = *v;
	p->st.writes++;
	paxos_audit_slot(p, i);
	int64_t before = p->first_unchosen;
	while (p->first_unchosen < p->st.nslot && p->st.slot[p->first_unchosen].chosen)
		p->first_unchosen++;
	apply_ready(p);
	if (p->first_unchosen != before && p->phase == PAXOS_LEADING)
		place_wants(p, true);
}

/* ---- sending Accepts ------------------------------------------------------ */

static struct paxos_inflight *inflight(struct paxos *p, int64_t slot)
{
	int64_t k = slot - p->from;
	if (k < 0)
		return NULL;
	if (k >= p->nfl) {
		int64_t n = MAX(k + 1, p->nfl * 2);
		n = MAX(n, 64);
		p->fl = xrealloc(p->fl, (size_t)n * sizeof *p->fl);
		memset(p->fl + p->nfl, 0, (size_t)(n - p->nfl) * sizeof *p->fl);
		p->nfl = n;
	}
	return &p->fl[k];
}

/* Sends to `to` the Accepts of slots [lo, hi) it has not acknowledged, in
 * batches. */
static void send_accepts(struct paxos *p, int to, int64_t lo, int64_t hi)
{
	int batch = (int)p->o->v[PAXOS_OPT_BATCH].i;
	struct paxos_wire_entry *e = xcalloc((size_t)batch, sizeof *e);
	int n = 0;
	for (int64_t i = MAX(lo, p->from); i <= hi; i++) {
		if (i < hi) {
			const struct paxos_slot *s = paxos_slot_c(p, i);
			struct paxos_inflight *f = inflight(p, i);
			if ((s && s->chosen) || f->ballot != p->ballot || nodeset_has(&f->acks, to))
				continue;
			memset(&e[n], 0, sizeof e[n]);
			e[n].slot = i;
			e[n].val = f->val;
			n++;
		}
		if (n && (n == batch || i == hi)) {
			size_t len = sizeof(struct paxos_wire_accept) + (size_t)n * sizeof *e;
			char *buf = xcalloc(1, len);
			struct paxos_wire_accept h = {.ballot = p->ballot, .n = (uint32_t)n};
			memcpy(buf, &h, sizeof h);
			memcpy(buf + sizeof h, e, (size_t)n * sizeof *e);
			paxos_send(p, to, PAXOS_MSG_ACCEPT, buf, len);
			free(buf);
			n = 0;
		}
	}
	free(e);
}

static void send_chosen(struct paxos *p, int to, const int64_t *slots, int n)
{
	size_t len = sizeof(struct paxos_wire_accept) + (size_t)n * sizeof(struct paxos_wire_entry);
	char *buf = xcalloc(1, len);
	struct paxos_wire_accept h = {.ballot = p->ballot, .n = (uint32_t)n};
	memcpy(buf, &h, sizeof h);
	for (int k = 0; k < n; k++) {
		struct paxos_wire_entry e;
		memset(&e, 0, sizeof e);
		e.slot = slots[k];
		e.val = p->st.slot[slots[k]].val;
		memcpy(buf + sizeof h + (size_t)k * sizeof e, &e, sizeof e);
	}
	paxos_send(p, to, PAXOS_MSG_CHOSEN, buf, len);
	free(buf);
}

/* Proposes v in slot i at the current ballot: the local acceptor first
 * (if this node is one), then every other acceptor. */
static void propose_in(struct paxos *p, int64_t i, const struct paxos_value *v)
{
	struct paxos_inflight *f = inflight(p, i);
	f->ballot = p->ballot;
	f->val = *v;
	memset(&f->acks, 0, sizeof f->acks);
	if (accepts(p, p->n->id) && paxos_local_accept(p, p->ballot, i, v))
		nodeset_add(&f->acks, p->n->id);
	if (nodeset_count(&f->acks) >= quorum(p))
		paxos_learn(p, i, v);
}

static void record_proposed(struct paxos *p, const struct paxos_value *v)
{
	struct paxos_audit *a = &p->audit;
	xgrow((void **)&a->proposed, &a->capprop, a->nprop + 1, sizeof *a->proposed);
	a->proposed[a->nprop++] = paxos_value_hash(v);
}

/* Gives each waiting value a fresh slot at this ballot, while the window
 * allows, and sends the Accepts. */
static void place_wants(struct paxos *p, bool send)
{
	int64_t lo = p->next_slot;
	for (size_t k = 0; k < p->nwant; k++) {
		struct paxos_want *w = &p->want[k];
		if (w->placed)
			continue;
		if (p->next_slot >= p->first_unchosen + PAXOS_WINDOW)
			break;
		/* A slot learnt chosen meanwhile is not free. */
		while (paxos_slot_c(p, p->next_slot) && p->st.slot[p->next_slot].chosen)
			p->next_slot++;
		w->placed = true;
		struct paxos_value v = w->val;
		record_proposed(p, &v);
		/* bug=invent-value: what goes in the Accept is not what was
		 * proposed (a client's command or a `propose`d value). */
		if (paxos_bug_on(p, PAXOS_BUG_INVENT) &&
		    (v.type == PAXOS_V_PLAIN || v.type == PAXOS_V_CMD))
			ns_strlcpy(v.op.arg, "forged", sizeof v.op.arg);
		propose_in(p, p->next_slot++, &v);
		if (p->phase != PAXOS_LEADING)
			return;
	}
	for (int i = 0; send && i < node_count(p->n) && lo < p->next_slot; i++)
		if (i != p->n->id && accepts(p, i))
			send_accepts(p, i, lo, p->next_slot);
}

/* ---- phase 1 ------------------------------------------------------------- */

static void adopt(struct paxos *p, int64_t slot, int64_t acc_ballot, bool chosen,
		  const struct paxos_value *v)
{
	/* Every slot reported, chosen or not, is taken: new values go above
	 * the highest. */
	p->adopt_top = MAX(p->adopt_top, slot);
	if (chosen) {
		paxos_learn(p, slot, v);
		return;
	}
	int64_t k = slot - p->from;
	if (k < 0 || !acc_ballot)
		return;
	if (k >= p->nadopt) {
		int64_t n = MAX(k + 1, p->nadopt * 2);
		n = MAX(n, 16);
		p->adopt = xrealloc(p->adopt, (size_t)n * sizeof *p->adopt);
		memset(p->adopt + p->nadopt, 0, (size_t)(n - p->nadopt) * sizeof *p->adopt);
		p->nadopt = n;
	}
	/* "v is the value of the highest-numbered proposal among the
	 * responses". */
	if (acc_ballot > p->adopt[k].acc_ballot) {
		p->adopt[k].acc_ballot = acc_ballot;
		p->adopt[k].acc = *v;
	}
}

static void become_leader(struct paxos *p)
{
	char b[32];
	p->phase = PAXOS_LEADING;
	p->leader = p->n->id;
	p->leader_ballot = p->ballot;
	int64_t top = p->from - 1, nre = 0;
	for (int64_t k = 0; k < p->nadopt; k++)
		if (p->adopt[k].acc_ballot)
			top = p->from + k, nre++;
	top = MAX(top, p->adopt_top);
	node_state(p->n, "leads with ballot %s for slots from %lld (%lld to re-propose)",
		   paxos_ballot_fmt(p->ballot, b, sizeof b), (long long)p->from, (long long)nre);
	p->nfl = 0;
	free(p->fl);
	p->fl = NULL;
	p->next_slot = MAX(top + 1, p->first_unchosen);
	for (int64_t i = p->from; i <= top && p->phase == PAXOS_LEADING; i++) {
		const struct paxos_slot *s = paxos_slot_c(p, i);
		if (s && s->chosen)
			continue;
		struct paxos_value v;
		memset(&v, 0, sizeof v);
		if (i - p->from < p->nadopt && p->adopt[i - p->from].acc_ballot &&
		    !paxos_bug_on(p, PAXOS_BUG_IGNORE_ACCEPTED))
			v = p->adopt[i - p->from].acc; /* P2c: adopt the highest */
		else
			v.type = PAXOS_V_NOOP; /* PMS §3: fill the gap with a no-op */
		propose_in(p, i, &v);
	}
	if (p->phase != PAXOS_LEADING)
		return;
	for (size_t k = 0; k < p->nwant; k++)
		p->want[k].placed = false;
	place_wants(p, false);
	if (p->phase == PAXOS_LEADING) {
		/* The heartbeat sends every Accept of this ballot. */
		paxos_arm(p);
		paxos_heartbeat(p);
	}
}

void paxos_prepare(struct paxos *p)
{
	char b[32];
	int64_t round = MAX(paxos_round(p->seen_ballot), paxos_round(p->st.promised));
	round = MAX(round, p->st.last_round) + 1;
	/* PMS §2.4: remember the highest-numbered proposal tried, on stable
	 * storage, before issuing it. */
	p->st.last_round = round;
	p->st.writes++;
	p->ballot = paxos_ballot(round, p->n->id);
	p->phase = PAXOS_PREPARING;
	p->from = p->first_unchosen;
	p->preparations++;
	memset(&p->promises, 0, sizeof p->promises);
	p->nadopt = 0;
	free(p->adopt);
	p->adopt = NULL;
	p->adopt_top = 0;
	p->promise_more = false;
	if (p->leader == p->n->id)
		p->leader = -1;
	node_state(p->n, "prepares ballot %s for slots from %lld",
		   paxos_ballot_fmt(p->ballot, b, sizeof b), (long long)p->from);
	/* The local acceptor, if this node is one, answers first: phase 1(b)
	 * on this node. */
	if (accepts(p, p->n->id)) {
		paxos_local_prepare(p, p->ballot);
		nodeset_add(&p->promises, p->n->id);
		for (int64_t i = p->from; i < p->st.nslot; i++) {
			const struct paxos_slot *s = &p->st.slot[i];
			if (s->acc_ballot && !s->chosen)
				adopt(p, i, s->acc_ballot, false, &s->acc);
		}
	}
	struct paxos_wire_prepare w = {.ballot = p->ballot, .from = p->from};
	for (int i = 0; i < node_count(p->n); i++)
		if (i != p->n->id && accepts(p, i))
			paxos_send(p, i, PAXOS_MSG_PREPARE, &w, sizeof w);
	paxos_arm(p);
	if (nodeset_count(&p->promises) >= quorum(p))
		become_leader(p);
}

void paxos_on_promise(struct paxos *p, int from, const void *data, size_t len)
{
	struct paxos_wire_promise h;
	if (len < sizeof h)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.n * sizeof(struct paxos_wire_report))
		return;
	if (p->phase != PAXOS_PREPARING || h.ballot != p->ballot ||
	    nodeset_has(&p->promises, from) || !accepts(p, from))
		return;
	nodeset_add(&p->promises, from);
	const char *q = (const char *)data + sizeof h;
	for (uint32_t k = 0; k < h.n && p->phase == PAXOS_PREPARING; k++) {
		struct paxos_wire_report r;
		memcpy(&r, q + k * sizeof r, sizeof r);
		adopt(p, r.slot, r.acc_ballot, r.chosen != 0, &r.val);
	}
	if (h.more)
		p->promise_more = true;
	if (p->phase != PAXOS_PREPARING || nodeset_count(&p->promises) < quorum(p))
		return;
	if (p->promise_more) {
		/* A promise left slots out: what it did say was learnt; try
		 * again from the new first unknown slot. */
		paxos_prepare(p);
		return;
	}
	become_leader(p);
}

void paxos_step_down(struct paxos *p, const char *why)
{
	if (p->phase == PAXOS_IDLE)
		return;
	node_state(p->n, "stops proposing: %s", why);
	p->phase = PAXOS_IDLE;
	if (p->leader == p->n->id)
		p->leader = -1;
	p->nfl = 0;
	free(p->fl);
	p->fl = NULL;
	/* A deposed leader's client writes may still be chosen by the next
	 * one: it must not say they failed. With a distinguished proposer it
	 * forgets them (the client retries elsewhere); without one it keeps
	 * them and proposes them again. */
	for (size_t k = p->nwant; k-- > 0;) {
		p->want[k].placed = false;
		if (leader_mode(p) && p->want[k].is_client)
			want_remove(p, k);
	}
	paxos_arm(p);
}

void paxos_see_ballot(struct paxos *p, int64_t b)
{
	if (b > p->seen_ballot)
		p->seen_ballot = b;
	if (p->phase != PAXOS_IDLE && b > p->ballot) {
		char buf[32], why[64];
		ns_snprintf(why, sizeof why, "saw ballot %s", paxos_ballot_fmt(b, buf, sizeof buf));
		paxos_step_down(p, why);
	}
}

void paxos_on_nack(struct paxos *p, int from, const struct paxos_wire_nack *w)
{
	(void)from;
	if (w->ballot == p->ballot && p->phase != PAXOS_IDLE)
		p->nacks++;
	paxos_see_ballot(p, w->promised);
}

/* ---- phase 2 and learning --------------------------------------------------- */

void paxos_on_accepted(struct paxos *p, int from, const void *data, size_t len)
{
	struct paxos_wire_accepted h;
	if (len < sizeof h)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.n * sizeof(int64_t))
		return;
	if (p->phase != PAXOS_LEADING || h.ballot != p->ballot)
		return;
	const char *q = (const char *)data + sizeof h;
	int64_t *newly = xcalloc(h.n + 1, sizeof *newly);
	int nn = 0;
	for (uint32_t k = 0; k < h.n; k++) {
		int64_t slot;
		memcpy(&slot, q + k * sizeof slot, sizeof slot);
		if (slot < p->from || slot >= p->next_slot)
			continue;
		struct paxos_inflight *f = inflight(p, slot);
		const struct paxos_slot *s = paxos_slot_c(p, slot);
		if (f->ballot != p->ballot || (s && s->chosen) || !accepts(p, from))
			continue;
		nodeset_add(&f->acks, from);
		/* Chosen: "a majority of acceptors have accepted it" (PMS
		 * §2.2), all at this one ballot. */
		if (nodeset_count(&f->acks) >= quorum(p)) {
			paxos_learn(p, slot, &f->val);
			newly[nn++] = slot;
		}
		if (p->phase != PAXOS_LEADING)
			break;
	}
	/* The distinguished learner informs the others (PMS §2.3). */
	for (int i = 0; nn && i < node_count(p->n); i++)
		if (i != p->n->id)
			send_chosen(p, i, newly, nn);
	free(newly);
}

void paxos_on_chosen(struct paxos *p, int from, const void *data, size_t len)
{
	(void)from;
	struct paxos_wire_accept h;
	if (len < sizeof h)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.n * sizeof(struct paxos_wire_entry))
		return;
	const char *q = (const char *)data + sizeof h;
	for (uint32_t k = 0; k < h.n; k++) {
		struct paxos_wire_entry e;
		memcpy(&e, q + k * sizeof e, sizeof e);
		if (e.slot >= 1 && e.slot < p->first_unchosen + 64 * PAXOS_WINDOW)
			paxos_learn(p, e.slot, &e.val);
	}
}

/* ---- the distinguished proposer's heartbeat ------------------------------- */

void paxos_heartbeat(struct paxos *p)
{
	if (p->phase != PAXOS_LEADING)
		return;
	struct paxos_wire_heartbeat w = {.ballot = p->ballot, .first_unchosen = p->first_unchosen};
	for (int i = 0; i < node_count(p->n); i++) {
		if (i == p->n->id)
			continue;
		paxos_send(p, i, PAXOS_MSG_HEARTBEAT, &w, sizeof w);
		/* Accepts may have been lost: send again what i has not
		 * acknowledged. */
		if (accepts(p, i))
			send_accepts(p, i, p->first_unchosen, p->next_slot);
	}
	node_set_timer(p->n, PAXOS_TIMER_HEARTBEAT, p->o->v[PAXOS_OPT_HEARTBEAT].i);
}

void paxos_on_heartbeat(struct paxos *p, int from, const struct paxos_wire_heartbeat *w)
{
	if (w->ballot < p->st.promised) {
		/* A leader of an older ballot: tell it. */
		struct paxos_wire_nack nk = {
		    .ballot = w->ballot, .promised = p->st.promised, .phase = 0};
		paxos_send(p, from, PAXOS_MSG_NACK, &nk, sizeof nk);
		return;
	}
	paxos_see_ballot(p, w->ballot);
	if (p->phase != PAXOS_IDLE && w->ballot <= p->ballot)
		return;
	p->leader = from;
	p->leader_ballot = w->ballot;
	if (leader_mode(p) && proposes(p))
		node_set_timer(p->n, PAXOS_TIMER_ELECTION, paxos_rand_in(p, PAXOS_OPT_ELECTION));
	/* With a distinguished proposer, values proposed here go to it
	 * (PMS §3: the leader is "the only one to try issuing proposals"),
	 * again on every heartbeat until they are learnt chosen. */
	for (size_t k = 0; leader_mode(p) && p->phase == PAXOS_IDLE && k < p->nwant; k++)
		if (!p->want[k].is_client)
			paxos_send(p, from, PAXOS_MSG_FORWARD, &p->want[k].val,
				   sizeof p->want[k].val);
	if (w->first_unchosen > p->first_unchosen) {
		struct paxos_wire_catchup c = {.from = p->first_unchosen};
		paxos_send(p, from, PAXOS_MSG_CATCHUP, &c, sizeof c);
	}
}

void paxos_on_catchup(struct paxos *p, int from, const struct paxos_wire_catchup *w)
{
	int64_t slots[64];
	int n = 0;
	for (int64_t i = MAX(w->from, 1); i < p->first_unchosen && n < 64; i++)
		slots[n++] = i;
	if (n)
		send_chosen(p, from, slots, n);
}

void paxos_on_forward(struct paxos *p, int from, const struct paxos_value *v)
{
	(void)from;
	if (p->phase != PAXOS_LEADING || v->type != PAXOS_V_PLAIN || p->nwant >= PAXOS_MAX_WANT)
		return;
	for (size_t k = 0; k < p->nwant; k++)
		if (!memcmp(&p->want[k].val, v, sizeof *v))
			return;
	/* Chosen lately (the forwarder has not learnt it yet)? */
	for (int64_t i = MAX(1, p->first_unchosen - 256); i < p->next_slot; i++) {
		const struct paxos_slot *s = paxos_slot_c(p, i);
		struct paxos_inflight *f = i >= p->from ? inflight(p, i) : NULL;
		if ((s && s->chosen && !memcmp(&s->val, v, sizeof *v)) ||
		    (f && f->ballot == p->ballot && !memcmp(&f->val, v, sizeof *v)))
			return;
	}
	xgrow((void **)&p->want, &p->capwant, p->nwant + 1, sizeof *p->want);
	struct paxos_want *w = &p->want[p->nwant++];
	memset(w, 0, sizeof *w);
	w->val = *v;
	place_wants(p, true);
}

/* ---- timers --------------------------------------------------------------- */

void paxos_election(struct paxos *p)
{
	if (!leader_mode(p) || p->phase == PAXOS_LEADING || !proposes(p))
		return;
	/* No leader heard for an election timeout: become the distinguished
	 * proposer's candidate by running phase 1 (PMS §3: "a new leader
	 * ... is selected"; PTP's president). */
	p->leader = -1;
	paxos_prepare(p);
}

void paxos_retry(struct paxos *p)
{
	if (p->phase == PAXOS_LEADING || !proposes(p))
		return;
	if (p->phase == PAXOS_PREPARING || p->nwant) {
		/* A ballot that stalled or was refused, or values waiting: a
		 * new, higher ballot. */
		paxos_prepare(p);
		return;
	}
	paxos_arm(p);
}

/* ---- clients and `propose` ------------------------------------------------- */

static void refuse(struct paxos *p, const struct client_req *req, enum reply_status st,
		   const char *why)
{
	struct client_reply rep = {.status = st, .leader_hint = -1};
	if (st == REPLY_NOT_LEADER && p->leader >= 0 && p->leader != p->n->id)
		rep.leader_hint = p->leader;
	ns_strlcpy(rep.why, why, sizeof rep.why);
	node_reply(p->n, req, &rep);
}

/* A read served from this node's own state machine at once: what it has
 * learnt so far, possibly behind the chosen log (stale), and answered even
 * when cut off from every other node. Per request `consistency=serializable`
 * (`eventual`), or every read without a level under reads=local: DynamoDB's
 * eventually consistent reads, which "might not reflect the results of a
 * recently completed write" (DynamoDB Developer Guide, "Read consistency"). */
static bool local_read(struct paxos *p, const struct client_req *req)
{
	if (req->op.fn != KV_GET || !(req->op.level == KV_LEVEL_SERIALIZABLE ||
				      (req->op.level == KV_LEVEL_DEFAULT &&
				       p->o->v[PAXOS_OPT_READS].i == PAXOS_READS_LOCAL)))
		return false;
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	const char *v = kv_get(&p->kv, req->op.key);
	rep.found = v != NULL;
	if (v)
		ns_strlcpy(rep.value, v, sizeof rep.value);
	node_reply(p->n, req, &rep);
	return true;
}

void paxos_on_client(void *self, const struct client_req *req)
{
	struct paxos *p = self;
	if (local_read(p, req))
		return;
	const struct kv_session *s = kv_session(&p->kv, req->client);
	if (s && s->seq == req->seq) {
		/* Applied already: answer as the first time (exactly once). */
		struct client_reply rep;
		kv_result_reply(&s->res, &rep);
		node_reply(p->n, req, &rep);
		return;
	}
	if (s && s->seq > req->seq)
		return; /* an old attempt; its client has moved on */
	if (!proposes(p)) {
		/* Only a proposer takes a write (and a read through the log):
		 * point the client at the leader if one is known. */
		refuse(p, req, REPLY_NOT_LEADER, "not a proposer");
		return;
	}
	if (leader_mode(p) && p->phase != PAXOS_LEADING) {
		refuse(p, req, REPLY_NOT_LEADER,
		       p->leader >= 0 && p->leader != p->n->id ? "not leader"
							       : "not leader, leader unknown");
		return;
	}
	struct paxos_want *w = NULL;
	for (size_t k = 0; k < p->nwant && !w; k++)
		if (p->want[k].is_client && p->want[k].val.client == req->client)
			w = &p->want[k];
	if (w && w->val.seq == req->seq) {
		w->req = *req; /* the latest attempt is the one to answer */
		return;
	}
	if (!w && p->nwant >= PAXOS_MAX_WANT) {
		refuse(p, req, REPLY_UNAVAILABLE, "too many waiting commands");
		return;
	}
	if (!w) {
		xgrow((void **)&p->want, &p->capwant, p->nwant + 1, sizeof *p->want);
		w = &p->want[p->nwant++];
	}
	memset(w, 0, sizeof *w);
	w->is_client = true;
	w->req = *req;
	w->val.type = PAXOS_V_CMD;
	w->val.client = req->client;
	w->val.seq = req->seq;
	w->val.op = req->op;
	if (p->phase == PAXOS_LEADING)
		place_wants(p, true);
	else if (p->phase == PAXOS_IDLE)
		paxos_prepare(p); /* leader=off: every node proposes */
}

bool paxos_propose_value(struct paxos *p, const char *value)
{
	if (p->nwant >= PAXOS_MAX_WANT || !proposes(p))
		return false;
	xgrow((void **)&p->want, &p->capwant, p->nwant + 1, sizeof *p->want);
	struct paxos_want *w = &p->want[p->nwant++];
	memset(w, 0, sizeof *w);
	w->val.type = PAXOS_V_PLAIN;
	ns_strlcpy(w->val.op.arg, value, sizeof w->val.op.arg);
	/* The synod: any proposer may propose, at once, with a new ballot. */
	if (p->phase == PAXOS_LEADING)
		place_wants(p, true);
	else
		paxos_prepare(p);
	return true;
}

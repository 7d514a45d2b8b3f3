/*
 * paxos_acceptor.c — the acceptor (Lamport, "Paxos Made Simple", §2.2
 * phases 1(b) and 2(b)) and its stable storage (§2.4).
 *
 * PMS §2.2, phase 1(b): "If an acceptor receives a prepare request with
 * number n greater than that of any prepare request to which it has
 * already responded, then it responds to the request with a promise not to
 * accept any more proposals numbered less than n and with the
 * highest-numbered proposal (if any) that it has accepted."
 *
 * PMS §2.2, phase 2(b): "If an acceptor receives an accept request for a
 * proposal numbered n, it accepts the proposal unless it has already
 * responded to a prepare request having a number greater than n." (P1a)
 *
 * Multi-Paxos (PMS §3) runs one instance per slot but one promise for
 * them all: a prepare for slots "from on" answers with the acceptances of
 * every slot from there, so that a leader's one phase 1 covers "infinitely
 * many instances" and later slots skip it.
 *
 * PMS §2.4: "An acceptor records its intended response in stable storage
 * before actually sending the response." Here the promise and every
 * acceptance are written to struct paxos_stable before the reply is sent;
 * a crash keeps them (paxos_on_crash leaves st alone).
 *
 * A refused request is not silently dropped: the acceptor answers Nack
 * with its higher promise — the optimisation PMS §2.2 itself suggests ("it
 * would probably inform the proposer, who should then abandon its
 * proposal"). It is never needed for safety.
 */
#include "proto/paxos.h"

#include <stdlib.h>
#include <string.h>

struct paxos_slot *paxos_slot(struct paxos *p, int64_t i)
{
	if (i >= p->st.nslot) {
		int64_t n = MAX(i + 1, p->st.nslot * 2);
		n = MAX(n, 64);
		p->st.slot = xrealloc(p->st.slot, (size_t)n * sizeof *p->st.slot);
		memset(p->st.slot + p->st.nslot, 0, (size_t)(n - p->st.nslot) * sizeof *p->st.slot);
		p->st.nslot = n;
	}
	return &p->st.slot[i];
}

const struct paxos_slot *paxos_slot_c(const struct paxos *p, int64_t i)
{
	return i > 0 && i < p->st.nslot ? &p->st.slot[i] : NULL;
}

void paxos_audit_slot(struct paxos *p, int64_t i)
{
	struct paxos_audit *a = &p->audit;
	if (a->overflow)
		return;
	if (a->n >= 4096) {
		a->overflow = true;
		return;
	}
	xgrow((void **)&a->slots, &a->cap, a->n + 1, sizeof *a->slots);
	a->slots[a->n++] = i;
}

void paxos_promise(struct paxos *p, int64_t b)
{
	p->st.promised = b;
	p->st.writes++;
	paxos_see_ballot(p, b);
}

bool paxos_local_prepare(struct paxos *p, int64_t ballot)
{
	if (ballot <= p->st.promised)
		return false;
	paxos_promise(p, ballot);
	return true;
}

bool paxos_local_accept(struct paxos *p, int64_t ballot, int64_t slot, const struct paxos_value *v)
{
	/* P1a: "An acceptor can accept a proposal numbered n iff it has not
	 * responded to a prepare request having a number greater than n." */
	if (ballot < p->st.promised && !paxos_bug_on(p, PAXOS_BUG_ACCEPT_BELOW))
		return false;
	if (ballot > p->st.promised)
		paxos_promise(p, ballot);
	struct paxos_slot *s = paxos_slot(p, slot);
	s->acc_ballot = ballot;
	s->acc = *v;
	p->st.writes++;
	paxos_audit_slot(p, slot);
	return true;
}

static void nack(struct paxos *p, int to, int64_t ballot, int phase)
{
	struct paxos_wire_nack w = {
	    .ballot = ballot, .promised = p->st.promised, .phase = (uint32_t)phase};
	paxos_send(p, to, PAXOS_MSG_NACK, &w, sizeof w);
}

void paxos_on_prepare(struct paxos *p, int from, const struct paxos_wire_prepare *w)
{
	if (!paxos_is_acceptor(p->o, node_count(p->n), p->n->id))
		return; /* a learner only: no promise to give */
	/* Phase 1(b): only a number "greater than that of any prepare request
	 * to which it has already responded". */
	if (w->ballot <= p->st.promised) {
		nack(p, from, w->ballot, 1);
		return;
	}
	paxos_promise(p, w->ballot); /* on stable storage before the answer */

	/* "... with the highest-numbered proposal (if any) that it has
	 * accepted" — for every slot from w->from on. What the learner knows
	 * chosen goes along (a value chosen is the only one any proposal in
	 * that slot may carry from then on, so telling it is safe). */
	struct paxos_wire_report *rep = NULL;
	size_t nrep = 0, cap = 0;
	uint32_t more = 0;
	for (int64_t i = MAX(w->from, 1); i < p->st.nslot; i++) {
		const struct paxos_slot *s = &p->st.slot[i];
		if (!s->acc_ballot && !s->chosen)
			continue;
		if (nrep == PAXOS_PROMISE_MAX) {
			more = 1;
			break;
		}
		xgrow((void **)&rep, &cap, nrep + 1, sizeof *rep);
		struct paxos_wire_report *r = &rep[nrep++];
		memset(r, 0, sizeof *r);
		r->slot = i;
		r->acc_ballot = s->acc_ballot;
		r->chosen = s->chosen;
		r->val = s->chosen ? s->val : s->acc;
	}
	size_t len = sizeof(struct paxos_wire_promise) + nrep * sizeof *rep;
	char *buf = xcalloc(1, len);
	struct paxos_wire_promise h = {
	    .ballot = w->ballot, .from = w->from, .n = (uint32_t)nrep, .more = more};
	memcpy(buf, &h, sizeof h);
	if (nrep)
		memcpy(buf + sizeof h, rep, nrep * sizeof *rep);
	paxos_send(p, from, PAXOS_MSG_PROMISE, buf, len);
	free(buf);
	free(rep);
}

void paxos_on_accept(struct paxos *p, int from, const void *data, size_t len)
{
	struct paxos_wire_accept h;
	if (len < sizeof h)
		return;
	memcpy(&h, data, sizeof h);
	if (len != sizeof h + (size_t)h.n * sizeof(struct paxos_wire_entry))
		return;
	if (!paxos_is_acceptor(p->o, node_count(p->n), p->n->id))
		return;
	/* Phase 2(b): accept "unless it has already responded to a prepare
	 * request having a number greater than n". */
	if (h.ballot < p->st.promised && !paxos_bug_on(p, PAXOS_BUG_ACCEPT_BELOW)) {
		nack(p, from, h.ballot, 2);
		return;
	}
	paxos_see_ballot(p, h.ballot);
	size_t rlen = sizeof(struct paxos_wire_accepted) + (size_t)h.n * sizeof(int64_t);
	char *buf = xcalloc(1, rlen);
	struct paxos_wire_accepted r = {.ballot = h.ballot, .n = 0};
	int64_t *slots = (int64_t *)(void *)(buf + sizeof r);
	const char *q = (const char *)data + sizeof h;
	for (uint32_t k = 0; k < h.n; k++) {
		struct paxos_wire_entry e;
		memcpy(&e, q + k * sizeof e, sizeof e);
		if (e.slot < 1 || e.slot > p->first_unchosen + 4 * PAXOS_WINDOW)
			continue;
		if (paxos_local_accept(p, h.ballot, e.slot, &e.val))
			slots[r.n++] = e.slot;
	}
	memcpy(buf, &r, sizeof r);
	paxos_send(p, from, PAXOS_MSG_ACCEPTED, buf, sizeof r + r.n * sizeof(int64_t));
	free(buf);
}

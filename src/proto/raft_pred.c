/*
 * raft_pred.c — Raft's predicates for `expect` and `run until`.
 *
 * The command language provides the generic ones (`leader`, `leader in
 * NODES`, `no leader among NODES`, `up`, `down`, `role NODE WORD`,
 * `leaders >= N`) through the status op; these
 * read Raft's own state. Each says in `why` what it saw, so that a failed
 * expectation explains itself ("n3 is Follower in term 4").
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <string.h>

static const struct raft *up_raft(struct sim *s, int i, struct sbuf *why)
{
	const struct raft *r = raft_of(s, i);
	if (!r)
		return NULL;
	if (!sim_node(s, i)->up) {
		sbuf_printf(why, _("n%d is down"), i + 1);
		return NULL;
	}
	return r;
}

/* committed KEY = VALUE: the latest committed write of KEY set VALUE, as
 * far as any up node knows, leader or not. Only committed entries are
 * applied (§5.3), and by State Machine Safety (§5.4.3) every state machine
 * is a prefix of the same committed sequence, so the up node that has
 * applied the most holds the latest committed value: this holds when KEY
 * has VALUE there. It does not depend on a leader existing at that
 * instant: after the leader crashes, the followers that learnt the commit
 * still say so. (An entry committed by a leader that crashed before any
 * follower heard of the commit is known again once a new leader commits
 * an entry of its own term.) */
static bool pred_committed(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int best = -1;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct raft *r = raft_of(s, i);
		if (r && sim_node(s, i)->up && (best < 0 || r->applied > raft_of(s, best)->applied))
			best = i;
	}
	if (best < 0) {
		sbuf_puts(why, _("no node is up"));
		return false;
	}
	const struct raft *r = raft_of(s, best);
	const char *v = raft_kv_get(r->kv, a->a[0].str);
	if (!v) {
		sbuf_printf(
		    why, _("%s is unset in what n%d applied (up to %lld, the most of any up node)"),
		    a->a[0].str, best + 1, (long long)r->applied);
		return false;
	}
	sbuf_printf(why, _("%s = %s in what n%d applied (up to %lld, the most of any up node)"),
		    a->a[0].str, v, best + 1, (long long)r->applied);
	return !strcmp(v, a->a[1].str);
}

/* value NODE KEY = VALUE: KEY has VALUE in NODE's own state machine (what a
 * local read there would answer). */
static bool pred_value(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = up_raft(s, i, why);
	if (!r)
		return false;
	const char *v = raft_kv_get(r->kv, a->a[1].str);
	if (!v) {
		sbuf_printf(why, _("%s is unset at n%d"), a->a[1].str, i + 1);
		return false;
	}
	sbuf_printf(why, _("%s = %s at n%d"), a->a[1].str, v, i + 1);
	return !strcmp(v, a->a[2].str);
}

static bool cmp_op(const char *op, int64_t x, int64_t y)
{
	if (!strcmp(op, ">="))
		return x >= y;
	if (!strcmp(op, ">"))
		return x > y;
	if (!strcmp(op, "<="))
		return x <= y;
	if (!strcmp(op, "<"))
		return x < y;
	if (!strcmp(op, "!="))
		return x != y;
	return x == y;
}

/* term NODE CMP INT | term NODE CMP term NODE: NODE's current term (kept
 * in stable storage, so a crashed node's is the one it had), against a
 * number (or a binding, `$T`) or another node's: `term leader > term $old`. */
static bool pred_term(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = raft_of(s, i);
	if (!r)
		return false;
	sbuf_printf(why, _("n%d is in term %lld"), i + 1, (long long)r->st.term);
	int64_t y;
	if (a->a[2].present) {
		const struct raft *o = raft_of(s, a->a[2].node);
		if (!o)
			return false;
		y = o->st.term;
		sbuf_printf(why, _(", n%d in term %lld"), a->a[2].node + 1, (long long)y);
	} else if (a->a[3].present) {
		y = a->a[3].num;
	} else {
		sbuf_puts(why, _("; compare it with a number or with term NODE"));
		return false;
	}
	return cmp_op(a->a[1].str, r->st.term, y);
}

static bool pred_commit(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = up_raft(s, i, why);
	if (!r)
		return false;
	sbuf_printf(why, _("n%d has commit index %lld"), i + 1, (long long)r->commit);
	return r->commit >= a->a[1].num;
}

static bool pred_snapshot(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = raft_of(s, i);
	if (!r)
		return false;
	sbuf_printf(why, _("n%d's snapshot ends at index %lld"), i + 1,
		    (long long)r->st.snap_index);
	return r->st.snap_index >= a->a[1].num;
}

/* read NODE KEY = VALUE: the last read NODE answered was of KEY and gave
 * VALUE — how a scenario shows a stale read. */
static bool pred_read(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = up_raft(s, i, why);
	if (!r)
		return false;
	if (!r->read_key[0]) {
		sbuf_printf(why, _("n%d has answered no read"), i + 1);
		return false;
	}
	if (r->read_found)
		sbuf_printf(why, _("n%d last answered %s = %s"), i + 1, r->read_key, r->read_value);
	else
		sbuf_printf(why, _("n%d last answered %s unset"), i + 1, r->read_key);
	return r->read_found && !strcmp(r->read_key, a->a[1].str) &&
	       !strcmp(r->read_value, a->a[2].str);
}

/* entry NODE INT term INT: NODE's log holds an entry of that term there. */
static bool pred_entry(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int i = a->a[0].node;
	const struct raft *r = raft_of(s, i);
	if (!r)
		return false;
	int64_t t = raft_term_at(r, a->a[1].num);
	if (t < 0)
		sbuf_printf(why, _("n%d holds no entry at %lld (log %lld..%lld)"), i + 1,
			    (long long)a->a[1].num, (long long)r->st.snap_index + 1,
			    (long long)raft_last_index(r));
	else
		sbuf_printf(why, _("n%d has an entry of term %lld at %lld"), i + 1, (long long)t,
			    (long long)a->a[1].num);
	return t == a->a[2].num;
}

/* match NODE NODE >= INT: the first, a leader, knows that the second's log
 * matches its own up to INT (matchIndex, Figure 2). */
static bool pred_match(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int l = a->a[0].node, p = a->a[1].node;
	const struct raft *r = up_raft(s, l, why);
	if (!r)
		return false;
	if (r->role != RAFT_LEADER) {
		sbuf_printf(why, _("n%d is not leader"), l + 1);
		return false;
	}
	int64_t m = p == l ? raft_last_index(r) : r->peer[p].match;
	sbuf_printf(why, _("n%d's matchIndex for n%d is %lld"), l + 1, p + 1, (long long)m);
	return m >= a->a[2].num;
}

/* log-matches: every two up nodes hold the same entries (same terms) at
 * every index both have committed. */
static bool pred_log_matches(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct raft *x = raft_of(s, i);
		if (!sim_node(s, i)->up)
			continue;
		for (int j = i + 1; j < sim_nodes(s); j++) {
			const struct raft *y = raft_of(s, j);
			if (!sim_node(s, j)->up)
				continue;
			int64_t hi = MIN(x->commit, y->commit);
			int64_t lo = MAX(x->st.snap_index, y->st.snap_index) + 1;
			for (int64_t k = lo; k <= hi; k++) {
				int64_t tx = raft_term_at(x, k), ty = raft_term_at(y, k);
				if (tx != ty) {
					sbuf_printf(
					    why,
					    _("n%d and n%d differ at index %lld (t%lld, t%lld)"),
					    i + 1, j + 1, (long long)k, (long long)tx,
					    (long long)ty);
					return false;
				}
			}
		}
	}
	sbuf_puts(why, _("the committed logs of the up nodes agree"));
	return true;
}

/* converged: every up node that is a member of its own configuration has
 * the same last index and term as the others, has committed all of it, and
 * has applied all it committed. */
static bool pred_converged(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	(void)a;
	int first = -1;
	int64_t li = 0, lt = 0;
	for (int i = 0; i < sim_nodes(s); i++) {
		const struct raft *r = raft_of(s, i);
		if (!sim_node(s, i)->up || (!r->st.boot && !raft_is_member(r, i)))
			continue;
		if (r->commit != raft_last_index(r) || r->applied != r->commit) {
			sbuf_printf(why, _("n%d has log up to %lld, commit %lld, applied %lld"),
				    i + 1, (long long)raft_last_index(r), (long long)r->commit,
				    (long long)r->applied);
			return false;
		}
		if (first < 0) {
			first = i;
			li = raft_last_index(r);
			lt = raft_last_term(r);
		} else if (raft_last_index(r) != li || raft_last_term(r) != lt) {
			sbuf_printf(why, _("n%d ends at %lld/t%lld but n%d at %lld/t%lld"),
				    first + 1, (long long)li, (long long)lt, i + 1,
				    (long long)raft_last_index(r), (long long)raft_last_term(r));
			return false;
		}
	}
	if (first < 0) {
		sbuf_puts(why, _("no member is up"));
		return false;
	}
	sbuf_printf(why, _("every up member ends at %lld/t%lld, all committed and applied"),
		    (long long)li, (long long)lt);
	return true;
}

/* config NODES: the leader's configuration is exactly NODES, committed. */
static bool pred_config(struct sim *s, const struct proto_args *a, struct sbuf *why)
{
	int l = proto_leader(s);
	if (l < 0) {
		sbuf_puts(why, _("no leader"));
		return false;
	}
	const struct raft *r = raft_of(s, l);
	char buf[VIEW_LINE_LEN];
	raft_config_fmt(&r->cfg, buf, sizeof buf);
	bool committed = r->cfg_index <= r->commit;
	sbuf_printf(why,
		    committed ? _("the leader n%d has configuration %s")
			      : _("the leader n%d has configuration %s, not yet committed"),
		    l + 1, buf);
	return committed && !memcmp(&r->cfg, &a->a[0].set, sizeof r->cfg);
}

const struct proto_pred raft_preds[] = {
    {"committed", "KEY = VALUE",
     N_("the latest committed write of KEY set VALUE (in the state machine of the up node "
	"that applied the most; no leader needed)"),
     pred_committed},
    {"value", "NODE KEY = VALUE", N_("KEY has VALUE in NODE's own state machine"), pred_value},
    {"term", "NODE >=|>|<=|<|=|!= [term NODE] [INT]",
     N_("NODE's current term compared with INT, or with another node's term (term leader > "
	"term $old)"),
     pred_term},
    {"commit", "NODE >= INT", N_("NODE's commit index is at least INT"), pred_commit},
    {"snapshot", "NODE >= INT", N_("NODE's snapshot covers the log up to at least INT"),
     pred_snapshot},
    {"read", "NODE KEY = VALUE", N_("the last read NODE answered was of KEY, and gave VALUE"),
     pred_read},
    {"entry", "NODE INT term INT", N_("NODE's log holds an entry of the given term at index INT"),
     pred_entry},
    {"match", "NODE NODE >= INT",
     N_("the leader (first NODE) knows the second's log matches its own up to INT"), pred_match},
    {"log-matches", "", N_("the up nodes agree on every entry they have both committed"),
     pred_log_matches},
    {"converged", "", N_("every up member has the same log, all of it committed and applied"),
     pred_converged},
    {"config", "NODES", N_("the leader's configuration is exactly NODES, and committed"),
     pred_config},
    {NULL, NULL, NULL, NULL},
};

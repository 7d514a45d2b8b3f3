/*
 * raft.c — the Raft protocol table: options, message kinds, a node's life
 * (create, crash, restart), dispatch of messages and timers, and what the
 * views show (status, details, log, messages in words).
 *
 * `cluster raft N [election=150ms..300ms] [heartbeat=50ms] [prevote=on]
 * [checkquorum=on] [reads=readindex|lease|local] [snapshot=1000]
 * [batch=64]`. See raft.h for the map of the other files.
 *
 * A crash (§5.1: "servers may crash and restart") keeps struct raft_stable
 * — currentTerm, votedFor, the log, the snapshot — and loses everything
 * else: the role, commitIndex and lastApplied, the state machine (rebuilt
 * from the snapshot and then the log as the leader re-announces the commit
 * index), the leader's per-peer state, waiting clients and reads.
 */
#include "proto/raft.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static const struct proto_option raft_options[] = {
    [RAFT_OPT_ELECTION] = {"election", OPT_RANGE, "150ms..300ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			   N_("election timeout range; each wait is drawn from it at random "
			      "(§5.2)"),
			   true},
    [RAFT_OPT_HEARTBEAT] = {"heartbeat", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
			    N_("time between a leader's heartbeats"), true},
    [RAFT_OPT_PREVOTE] = {"prevote", OPT_BOOL, "off", NULL, 0, 1,
			  N_("ask for pre-votes before raising the term (thesis §9.6)"), true},
    [RAFT_OPT_CHECKQUORUM] = {"checkquorum", OPT_BOOL, "off", NULL, 0, 1,
			      N_("a leader that has not heard from a majority for an election "
				 "timeout steps down (thesis §6.2)"),
			      true},
    [RAFT_OPT_READS] = {"reads", OPT_CHOICE, "readindex", "readindex|lease|local", 0, 0,
			N_("how gets are served: readindex (linearizable), lease (needs "
			   "sane clocks), local (any node, may be stale)"),
			true},
    [RAFT_OPT_SNAPSHOT] = {"snapshot", OPT_INT, "1000", NULL, 0, 100000000,
			   N_("take a snapshot after this many applied entries; 0 = never "
			      "(§7)"),
			   true},
    [RAFT_OPT_BATCH] = {"batch", OPT_INT, "64", NULL, 1, 4096,
			N_("most entries carried by one AppendEntries"), true},
    [RAFT_OPT_BUG] = {"bug", OPT_SET, "none",
		      "no-up-to-date-check|commit-old-terms|forget-vote|forget-term|truncate-stale|"
		      "no-noop",
		      0, 0,
		      N_("switch off rules of the paper, to watch what breaks "
			 "(docs/RAFT.md, \"Rules you can switch off\")"),
		      false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct msg_kind raft_msgs[RAFT_MSG_KINDS] = {
    [RAFT_MSG_VOTE] = {"RequestVote", 'v', false},
    [RAFT_MSG_VOTE_REPLY] = {"RequestVoteReply", 'V', true},
    [RAFT_MSG_PREVOTE] = {"PreVote", 'p', false},
    [RAFT_MSG_PREVOTE_REPLY] = {"PreVoteReply", 'P', true},
    [RAFT_MSG_APPEND] = {"AppendEntries", 'a', false},
    [RAFT_MSG_APPEND_REPLY] = {"AppendEntriesReply", 'A', true},
    [RAFT_MSG_SNAPSHOT] = {"InstallSnapshot", 's', false},
    [RAFT_MSG_SNAPSHOT_REPLY] = {"InstallSnapshotReply", 'S', true},
    [RAFT_MSG_TIMEOUT_NOW] = {"TimeoutNow", 't', false},
};

sim_time raft_opt(const struct raft *r, int opt)
{
	return r->o->v[opt].i;
}

bool raft_bug(const struct raft *r, enum raft_bug b)
{
	return (r->o->v[RAFT_OPT_BUG].i >> b) & 1;
}

sim_time raft_election_lo(const struct raft *r)
{
	return r->o->v[RAFT_OPT_ELECTION].i;
}

const char *raft_role_name(enum raft_role role)
{
	switch (role) {
	case RAFT_FOLLOWER: return N_("Follower");
	case RAFT_PRECANDIDATE: return N_("PreCandidate");
	case RAFT_CANDIDATE: return N_("Candidate");
	case RAFT_LEADER: return N_("Leader");
	}
	return "?";
}

struct raft *raft_of(struct sim *s, int i)
{
	if (sim_proto(s) != &raft_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node(s, i)->self;
}

const struct raft *raft_of_c(const struct sim *s, int i)
{
	if (sim_proto(s) != &raft_ops || i < 0 || i >= sim_nodes(s))
		return NULL;
	return sim_node_c(s, i)->self;
}

/* Volatile state as after a reboot: follower, nothing known, the state
 * machine rebuilt from the snapshot. */
static void volatile_init(struct raft *r)
{
	r->role = RAFT_FOLLOWER;
	r->leader = -1;
	r->commit = r->applied = r->st.snap_index;
	r->transfer_to = -1;
	r->kv = raft_kv_copy(r->st.snap_kv);
	raft_config_recompute(r);
	raft_arm_election(r);
}

static void *raft_create(struct node *n, const void *config)
{
	const struct proto_opts *o = config; /* the options, as sim_new stored them */
	struct raft *r = xcalloc(1, sizeof *r);
	r->n = n;
	r->o = o;
	r->st.voted_for = -1;
	r->st.boot = true; /* fixed at the first event: see raft_boot */
	r->st.dirty_from = INT64_MAX;
	volatile_init(r);
	return r;
}

static void volatile_free(struct raft *r)
{
	raft_kv_free(r->kv);
	free(r->pend);
	free(r->reads);
}

static void raft_destroy(void *self)
{
	struct raft *r = self;
	if (!r)
		return;
	volatile_free(r);
	raft_stable_free(&r->st);
	free(r);
}

static void raft_on_crash(void *self)
{
	struct raft *r = self;
	volatile_free(r);
	struct node *n = r->n;
	const struct proto_opts *o = r->o;
	struct raft_stable st = r->st;
	memset(r, 0, sizeof *r);
	r->n = n;
	r->o = o;
	r->st = st;
	/* Figure 2, "Persistent state on all servers: (Updated on stable
	 * storage before responding to RPCs)": currentTerm, votedFor, log[].
	 * bug=forget-vote and bug=forget-term keep them in memory only, so a
	 * crash loses them: a node may then vote twice in one term (§5.2:
	 * "Each server will vote for at most one candidate in a given
	 * term"). */
	if (raft_bug(r, RAFT_BUG_FORGET_VOTE))
		r->st.voted_for = -1;
	if (raft_bug(r, RAFT_BUG_FORGET_TERM))
		r->st.term = 0;
	r->role = RAFT_FOLLOWER;
	r->leader = -1;
	r->commit = r->applied = -1; /* unknown while down */
	r->transfer_to = -1;
}

static void raft_on_restart(void *self)
{
	struct raft *r = self;
	volatile_init(r);
	node_state(r->n, "restarted from stable storage: term %lld, log up to %lld, snapshot %lld",
		   (long long)r->st.term, (long long)raft_last_index(r),
		   (long long)r->st.snap_index);
}

static void raft_on_message(void *self, const struct msg *m)
{
	struct raft *r = self;
	raft_boot(r);
	raft_snapshot_maybe(r);
	switch (m->type) {
	case RAFT_MSG_VOTE: raft_recv_vote(r, m); break;
	case RAFT_MSG_VOTE_REPLY: raft_recv_vote_reply(r, m); break;
	case RAFT_MSG_PREVOTE: raft_recv_prevote(r, m); break;
	case RAFT_MSG_PREVOTE_REPLY: raft_recv_prevote_reply(r, m); break;
	case RAFT_MSG_APPEND: raft_recv_append(r, m); break;
	case RAFT_MSG_APPEND_REPLY: raft_recv_append_reply(r, m); break;
	case RAFT_MSG_SNAPSHOT: raft_recv_snapshot(r, m); break;
	case RAFT_MSG_SNAPSHOT_REPLY: raft_recv_snapshot_reply(r, m); break;
	case RAFT_MSG_TIMEOUT_NOW: raft_recv_timeout_now(r, m); break;
	}
}

static void raft_on_timer(void *self, int timer)
{
	struct raft *r = self;
	raft_boot(r);
	raft_snapshot_maybe(r);
	switch (timer) {
	case RAFT_TIMER_ELECTION: raft_on_election_timeout(r); break;
	case RAFT_TIMER_HEARTBEAT:
		if (r->role == RAFT_LEADER)
			raft_heartbeat(r);
		break;
	case RAFT_TIMER_CHECKQUORUM: raft_on_checkquorum(r); break;
	case RAFT_TIMER_TRANSFER: raft_on_transfer_timeout(r); break;
	}
}

static void raft_option_changed(void *self, int opt)
{
	struct raft *r = self;
	if (opt == RAFT_OPT_CHECKQUORUM && r->role == RAFT_LEADER) {
		if (r->o->v[opt].i) {
			for (int p = 0; p < SIM_MAX_NODES; p++)
				r->peer[p].active = true;
			node_set_timer(r->n, RAFT_TIMER_CHECKQUORUM, raft_election_lo(r));
		} else {
			node_cancel_timer(r->n, RAFT_TIMER_CHECKQUORUM);
		}
	}
}

/* ---- views ------------------------------------------------------------------ */

static void raft_status(const void *self, struct node_status *out)
{
	const struct raft *r = self;
	static const enum role_kind kinds[] = {
	    [RAFT_FOLLOWER] = ROLE_FOLLOWER,
	    [RAFT_PRECANDIDATE] = ROLE_OTHER,
	    [RAFT_CANDIDATE] = ROLE_CANDIDATE,
	    [RAFT_LEADER] = ROLE_LEADER,
	};
	out->kind = kinds[r->role];
	out->role = raft_role_name(r->role);
	out->term = r->st.term;
	out->commit = r->commit < 0 ? 0 : r->commit;
	out->leader = r->leader;
}

static bool raft_log_entry(const void *self, int64_t index, struct log_view_entry *out)
{
	const struct raft *r = self;
	const struct raft_entry *e = raft_entry_at(r, index);
	if (!e)
		return false;
	out->index = index;
	out->term = e->term;
	raft_entry_fmt(e, out->cmd, sizeof out->cmd);
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

static void raft_describe(const void *self, struct node_view *v)
{
	const struct raft *r = self;
	memset(v, 0, sizeof *v);
	raft_status(self, &v->st);
	bool up = r->n->up;
	v->applied = up ? r->applied : -1;
	v->log_first = r->st.snap_index + 1;
	v->log_last = raft_last_index(r);
	int64_t from = MAX(v->log_first, v->log_last - VIEW_LOG_MAX + 1);
	for (int64_t i = from; i <= v->log_last && v->nlog < VIEW_LOG_MAX; i++)
		raft_log_entry(self, i, &v->log[v->nlog++]);

	bool boot = r->st.boot;
	bool member = boot || raft_is_member(r, r->n->id);
	if (!member)
		ns_strlcpy(v->badge, nodeset_empty(&r->cfg) ? _("joining") : _("removed"),
			   sizeof v->badge);
	else if (r->role == RAFT_LEADER && r->o->v[RAFT_OPT_READS].i == RAFT_READ_LEASE &&
		 node_local_now(r->n) < r->lease_until)
		ns_strlcpy(v->badge, _("lease"), sizeof v->badge);

	char buf[VIEW_LINE_LEN], tb[32];
	if (r->st.voted_for >= 0)
		line(v, _("term %lld, voted for n%d"), (long long)r->st.term, r->st.voted_for + 1);
	else
		line(v, _("term %lld, no vote"), (long long)r->st.term);
	if (!up) {
		line(v, _("down: only stable storage is left"));
	} else {
		if (r->leader >= 0)
			line(v, _("leader n%d"), r->leader + 1);
		else
			line(v, _("no known leader"));
		line(v, _("commit %lld, applied %lld"), (long long)r->commit,
		     (long long)r->applied);
	}
	if (boot) {
		line(v, _("configuration: every node (initial)"));
	} else {
		/* Down, the volatile copy is gone: read it from stable storage. */
		struct nodeset cfg = r->st.snap_config;
		int64_t at = r->st.snap_index;
		if (up) {
			cfg = r->cfg;
			at = r->cfg_index;
		} else {
			for (int64_t i = raft_last_index(r); i > r->st.snap_index; i--)
				if (raft_entry_at(r, i)->type == RAFT_ENTRY_CONFIG) {
					cfg = raft_entry_at(r, i)->config;
					at = i;
					break;
				}
		}
		raft_config_fmt(&cfg, buf, sizeof buf);
		line(v,
		     up && at > r->commit ? _("configuration %s (index %lld, uncommitted)")
					  : _("configuration %s (index %lld)"),
		     buf, (long long)at);
	}
	if (r->st.snap_index)
		line(v, _("snapshot up to %lld (term %lld)"), (long long)r->st.snap_index,
		     (long long)r->st.snap_term);
	if (up && r->role == RAFT_LEADER) {
		struct nodeset t = raft_targets(r);
		size_t off = 0;
		buf[0] = '\0';
		line(v, _("next/match per follower:"));
		for (int p = 0; p < node_count(r->n); p++) {
			if (!nodeset_has(&t, p))
				continue;
			char one[32];
			int len =
			    ns_snprintf(one, sizeof one, "n%d %lld/%lld", p + 1,
					(long long)r->peer[p].next, (long long)r->peer[p].match);
			if (off + (size_t)len + 2 >= 40 && off) {
				line(v, " %s", buf);
				off = 0;
				buf[0] = '\0';
			}
			off += (size_t)ns_snprintf(buf + off, sizeof buf - off, " %s", one);
		}
		if (off)
			line(v, " %s", buf);
		if (r->o->v[RAFT_OPT_READS].i == RAFT_READ_LEASE) {
			sim_time left = r->lease_until - node_local_now(r->n);
			if (left > 0)
				line(v, _("lease valid for %s more (local clock)"),
				     simtime_fmt_dur(left / 1000 * 1000, tb, sizeof tb));
			else
				line(v, _("no lease"));
		}
	}
	if (up) {
		/* The timers (struct view_timer): the follower's or candidate's
		 * election timeout first, the one that drains in its box. */
		sim_time a, f;
		if (node_timer_span(r->n, RAFT_TIMER_ELECTION, &a, &f))
			view_add_timer(v, _("election timeout"), VT_TIMEOUT, -1, a, f);
		if (node_timer_span(r->n, RAFT_TIMER_HEARTBEAT, &a, &f))
			view_add_timer(v, _("heartbeat"), VT_PERIODIC, -1, a, f);
		if (node_timer_span(r->n, RAFT_TIMER_CHECKQUORUM, &a, &f))
			view_add_timer(v, _("check quorum"), VT_TIMEOUT, -1, a, f);
		if (node_timer_span(r->n, RAFT_TIMER_TRANSFER, &a, &f))
			view_add_timer(v, _("leadership transfer"), VT_TIMEOUT, r->transfer_to, a,
				       f);
	}
	if (up && r->read_key[0])
		line(v,
		     r->read_found ? _("last read answered: %s = %s")
				   : _("last read answered: %s unset"),
		     r->read_key, r->read_value);
	if (up && (r->npend || r->nreads))
		line(v, _("waiting: %zu writes, %zu reads"), r->npend, r->nreads);
	if (up && r->kv && kv_count(&r->kv->m)) {
		size_t off = 0;
		for (size_t k = 0; k < kv_count(&r->kv->m) && off + 4 < sizeof buf; k++)
			off += (size_t)ns_snprintf(buf + off, sizeof buf - off, "%s%s=%s",
						   k ? " " : "", kv_item(&r->kv->m, k)->key,
						   kv_item(&r->kv->m, k)->val);
		line(v, _("state: %s"), buf);
	}
}

static void raft_describe_msg(const struct msg *m, struct sbuf *out)
{
	switch (m->type) {
	case RAFT_MSG_VOTE:
	case RAFT_MSG_PREVOTE: {
		struct raft_wire_vote w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "%s t%lld last=%lld/t%lld%s", raft_msgs[m->type].name,
			    (long long)w.term, (long long)w.last_index, (long long)w.last_term,
			    w.transfer ? " transfer" : "");
		return;
	}
	case RAFT_MSG_VOTE_REPLY:
	case RAFT_MSG_PREVOTE_REPLY: {
		struct raft_wire_vote_reply w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "%s reply t%lld %s",
			    m->type == RAFT_MSG_VOTE_REPLY ? "RequestVote" : "PreVote",
			    (long long)w.term, w.granted ? "granted" : "refused");
		return;
	}
	case RAFT_MSG_APPEND: {
		struct raft_wire_append w;
		if (m->len < sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "AppendEntries t%lld prev=%lld/t%lld +%u commit=%lld",
			    (long long)w.term, (long long)w.prev_index, (long long)w.prev_term,
			    w.nentries, (long long)w.commit);
		return;
	}
	case RAFT_MSG_APPEND_REPLY: {
		struct raft_wire_append_reply w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "AppendEntries reply t%lld ", (long long)w.term);
		if (w.success)
			sbuf_printf(out, "ok match=%lld", (long long)w.match);
		else if (w.conflict_term)
			sbuf_printf(out, "rejected: log mismatch (conflict t%lld from %lld)",
				    (long long)w.conflict_term, (long long)w.conflict_index);
		else if (w.conflict_index)
			sbuf_printf(out, "rejected: log too short (ends at %lld)",
				    (long long)w.conflict_index - 1);
		else
			sbuf_puts(out, "rejected: stale term");
		return;
	}
	case RAFT_MSG_SNAPSHOT: {
		struct raft_wire_snapshot w;
		if (m->len < sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "InstallSnapshot t%lld last=%lld/t%lld (%u bytes)",
			    (long long)w.term, (long long)w.last_index, (long long)w.last_term,
			    w.kv_len);
		return;
	}
	case RAFT_MSG_SNAPSHOT_REPLY: {
		struct raft_wire_snapshot_reply w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "InstallSnapshot reply t%lld last=%lld", (long long)w.term,
			    (long long)w.last_index);
		return;
	}
	case RAFT_MSG_TIMEOUT_NOW: {
		struct raft_wire_timeout_now w;
		if (m->len != sizeof w)
			break;
		memcpy(&w, m->data, sizeof w);
		sbuf_printf(out, "TimeoutNow t%lld", (long long)w.term);
		return;
	}
	}
	sbuf_printf(out, "%s ?", m->type < RAFT_MSG_KINDS ? raft_msgs[m->type].name : "raft");
}

/* What the fuzzer varies from seed to seed (proto.h): one-entry batches,
 * tight timeouts and frequent snapshots, where the subtle histories
 * (Figure 8) are likelier. */
static const struct proto_vary raft_vary[] = {
    {"batch", "1|4|64"},
    {"election", "150ms..300ms|100ms..130ms|150ms..160ms|300ms..600ms"},
    {"heartbeat", "50ms|20ms|90ms"},
    {"snapshot", "1000|10|50|0"},
    {NULL, NULL},
};

/* The rules bug=NAME removes (RAFT_OPT_BUG's choices, in order). */
static const struct proto_bug raft_bugs[] = {
    {"no-up-to-date-check",
     N_("a voter denies its vote if its own log is more up-to-date than that of the "
	"candidate"),
     "Raft, §5.4.1", false},
    {"commit-old-terms",
     N_("a leader never commits log entries from previous terms by counting replicas"),
     "Raft, §5.4.2 and Figure 8", false},
    {"forget-vote",
     N_("votedFor is updated on stable storage before responding to RPCs: each server "
	"votes for at most one candidate in a given term"),
     "Raft, Figure 2 and §5.2", false},
    {"forget-term", N_("currentTerm is updated on stable storage before responding to RPCs"),
     "Raft, Figure 2", false},
    {"truncate-stale",
     N_("if an existing entry conflicts with a new one (same index but different terms), "
	"delete the existing entry and all that follow it: only a conflict truncates"),
     "Raft, Figure 2 (AppendEntries, receiver 3.)", false},
    {"no-noop",
     N_("each leader commits a blank no-op entry at the start of its term, and a read waits "
	"until an entry of its term is committed"),
     "Raft, §8; Ongaro's thesis, §6.4", true},
    {NULL, NULL, NULL, false},
};

const struct proto_ops raft_ops = {
    .node =
	{
	    .create = raft_create,
	    .destroy = raft_destroy,
	    .on_message = raft_on_message,
	    .on_timer = raft_on_timer,
	    .on_client = raft_on_client,
	    .on_crash = raft_on_crash,
	    .on_restart = raft_on_restart,
	    .describe_msg = raft_describe_msg,
	    .msg_kinds = raft_msgs,
	    .nmsg_kinds = RAFT_MSG_KINDS,
	},
    .name = "raft",
    .summary = N_("Raft consensus: leader election, log replication, membership, snapshots"),
    .options = raft_options,
    .kv_clients = true,
    .kv_read_levels = KV_LEVEL_BIT(KV_LEVEL_SERIALIZABLE) | KV_LEVEL_BIT(KV_LEVEL_LINEARIZABLE),
    .status = raft_status,
    .describe = raft_describe,
    .log_entry = raft_log_entry,
    .option_changed = raft_option_changed,
    .commands = raft_commands,
    .timeout_cmd = "campaign",
    .preds = raft_preds,
    .fuzz_vary = raft_vary,
    .bugs = raft_bugs,
};

/*
 * caps.c — the check layer's table of protocols (see caps.h): for each,
 * its invariant checker and its liveness notion for the fuzzer. Adding a
 * protocol adds one row here (and, if it has one, its checker in
 * src/check/PROTO_invariants.c).
 *
 * The liveness notions, once every fault is undone:
 *   - raft: a leader emerges and a write commits (is in a majority's log
 *     and applied by the leader: `committed`);
 *   - primary: one primary of the newest epoch stands (`stable`: every
 *     other up node its backup), then a write commits. Waiting for
 *     `stable` first matters in async and semisync modes: a deposed
 *     primary that has not yet heard of the newer epoch acknowledges a
 *     write at once and discards it when it hears — the documented price
 *     of async failover, not a liveness bug;
 *   - multileader, dynamo: a write is acknowledged and the replicas
 *     converge (no leader to wait for);
 *   - paxos: as raft — a distinguished proposer (`leader`) emerges, and
 *     a write is chosen and applied by it (`committed`);
 *   - heartbeat: a failure detector serves no clients; its liveness is
 *     that every up node trusts every up peer again and keeps its mind
 *     (`settled 1s`) — completeness and eventual accuracy once the
 *     network is healthy. phi (the accrual detector) has the same notion
 *     and the same predicate;
 *   - swim: every up member's view is the truth — every up member alive,
 *     every crashed one dead — with the same incarnations everywhere
 *     (`converged`); its invariants (src/check/swim_invariants.c) check
 *     incarnation numbers after every event;
 *   - zab: as raft — an established leader (`leader`: Leader only in
 *     the broadcast phase) and a write committed (`committed`);
 *   - clocks: serves no clients either; once the network is healthy, news
 *     flows between every pair of up nodes again (`knows-all 2s`: each
 *     has heard, through some chain of messages, of an event of every
 *     other from the last two seconds). The fuzzer varies `every`, so
 *     there is always a random workload to carry it.
 *
 *   - spanner: a write is acknowledged (its key's leader is up again,
 *     holds a lease, a majority holds the write and its commit wait
 *     ends); its invariants (src/check/spanner_invariants.c)
 *     check timestamps, commit wait and reads at a timestamp after every
 *     event, and its row bounds the fuzzer's clock errors by epsilon
 *     (TrueTime's assumption: beyond it the history is meant to break).
 *
 *   - pbft: no liveness here (no checkpoints nor state transfer, so a
 *     replica that missed messages may stay behind; see pbft.h): the
 *     fuzzer checks safety, with up to floor((N-1)/3) traitors (check_byzantine).
 *
 * A row may also give predicates that only its checker can answer
 * (primary: `acked-writes`, `lost-writes`, from primary_invariants.c).
 */
#include "check/caps.h"

#include "check/primary_invariants.h"
#include "util/i18n.h"

#include <stddef.h>
#include <string.h>

extern const struct proto_ops raft_ops, primary_ops, multileader_ops, dynamo_ops, heartbeat_ops,
    paxos_ops;
extern const struct invariant_ops raft_invariants, multileader_invariants, dynamo_invariants,
    paxos_invariants;
extern const struct proto_ops clocks_ops;
extern const struct invariant_ops clocks_invariants;
extern const struct proto_ops phi_ops, swim_ops;
extern const struct invariant_ops swim_invariants;
extern const struct proto_ops pbft_ops;
extern const struct invariant_ops pbft_invariants;
extern const struct proto_ops generals_ops;
extern const struct invariant_ops generals_invariants;
extern const struct proto_ops zab_ops;
extern const struct invariant_ops zab_invariants;
extern const struct proto_ops spanner_ops;
extern const struct invariant_ops spanner_invariants;

static const struct fuzz_live_step raft_live[] = {
    {FL_COMMENT, "liveness: a leader, and a write committed, within %s each", NULL, NULL, false,
     false},
    {FL_UNTIL, "leader", NULL, N_("liveness: no leader within %lld ms after the faults ended"),
     true, false},
    {FL_WRITE, NULL, NULL, NULL, false, false},
    {FL_UNTIL, "committed", FUZZ_LIVE_KEY " = " FUZZ_LIVE_VALUE,
     N_("liveness: the write was not committed within %lld ms"), false, false},
    {FL_EXPECT, "committed", FUZZ_LIVE_KEY " = " FUZZ_LIVE_VALUE,
     N_("liveness: the write was not committed within %lld ms"), false, false},
    {FL_END, NULL, NULL, NULL, false, false},
};

static const struct fuzz_live_step primary_live[] = {
    {FL_COMMENT, "liveness: one primary of the newest epoch, and a write committed, within %s each",
     NULL, NULL, false, false},
    {FL_UNTIL, "stable", NULL,
     N_("liveness: no single primary of the newest epoch within %lld ms after the faults "
	"ended"),
     false, true},
    {FL_WRITE, NULL, NULL, NULL, false, false},
    {FL_UNTIL, "committed", FUZZ_LIVE_KEY " = " FUZZ_LIVE_VALUE,
     N_("liveness: the write was not committed within %lld ms"), false, true},
    {FL_EXPECT, "committed", FUZZ_LIVE_KEY " = " FUZZ_LIVE_VALUE,
     N_("liveness: the write was not committed within %lld ms"), false, true},
    {FL_END, NULL, NULL, NULL, false, false},
};

/* Leaderless stores: acknowledged, then converged. */
static const struct fuzz_live_step converge_live[] = {
    {FL_COMMENT, "liveness: a write acknowledged, within %s", NULL, NULL, false, false},
    {FL_WRITE, NULL, NULL, NULL, false, false},
    {FL_ACK, NULL, NULL, N_("liveness: the write was not acknowledged within %lld ms"), false,
     false},
    {FL_COMMENT, "then the replicas converge, within %s", NULL, NULL, false, false},
    {FL_UNTIL, "converged", NULL, N_("liveness: the replicas did not converge within %lld ms"),
     false, true},
    {FL_EXPECT, "converged", NULL, N_("liveness: the replicas did not converge within %lld ms"),
     false, true},
    {FL_END, NULL, NULL, NULL, false, false},
};

static const struct fuzz_live_step heartbeat_live[] = {
    {FL_COMMENT, "liveness: every node trusts every up peer again, for 1s, within %s", NULL, NULL,
     false, false},
    {FL_UNTIL, "settled", "1s", N_("liveness: the detectors did not settle within %lld ms"), false,
     true},
    {FL_EXPECT, "settled", "1s", N_("liveness: the detectors did not settle within %lld ms"), false,
     true},
    {FL_END, NULL, NULL, NULL, false, false},
};

static const struct fuzz_live_step clocks_live[] = {
    {FL_COMMENT, "liveness: news flows between every pair of up nodes again, within %s", NULL, NULL,
     false, false},
    {FL_UNTIL, "knows-all", "2s",
     N_("liveness: the nodes did not hear of each other within %lld ms"), false, true},
    {FL_EXPECT, "knows-all", "2s",
     N_("liveness: the nodes did not hear of each other within %lld ms"), false, true},
    {FL_END, NULL, NULL, NULL, false, false},
};

static const struct fuzz_live_step swim_live[] = {
    {FL_COMMENT, "liveness: every up member's view is the truth, the same everywhere, within %s",
     NULL, NULL, false, false},
    {FL_UNTIL, "converged", NULL,
     N_("liveness: the members' views did not converge within %lld ms"), false, true},
    {FL_EXPECT, "converged", NULL,
     N_("liveness: the members' views did not converge within %lld ms"), false, true},
    {FL_END, NULL, NULL, NULL, false, false},
};

static const struct fuzz_live_step spanner_live[] = {
    {FL_COMMENT, "liveness: a write acknowledged, within %s", NULL, NULL, false, false},
    {FL_WRITE, NULL, NULL, NULL, false, false},
    {FL_ACK, NULL, NULL, N_("liveness: the write was not acknowledged within %lld ms"), false,
     false},
    {FL_END, NULL, NULL, NULL, false, false},
};

/* TrueTime's epsilon: option `epsilon` of spanner. */
static sim_time spanner_clock_bound(const struct proto_opts *o)
{
	int i = proto_option_index(&spanner_ops, "epsilon");
	return i < 0 ? 0 : o->v[i].i;
}

static const struct fuzz_liveness raft_liveness = {raft_live};
static const struct fuzz_liveness primary_liveness = {primary_live};
static const struct fuzz_liveness converge_liveness = {converge_live};
static const struct fuzz_liveness heartbeat_liveness = {heartbeat_live};
static const struct fuzz_liveness clocks_liveness = {clocks_live};
static const struct fuzz_liveness swim_liveness = {swim_live};
static const struct fuzz_liveness spanner_liveness = {spanner_live};

const struct check_caps check_caps_all[] = {
    {&raft_ops, &raft_invariants, &raft_liveness, NULL, NULL},
    {&primary_ops, &primary_invariants, &primary_liveness, primary_invariants_preds, NULL},
    {&multileader_ops, &multileader_invariants, &converge_liveness, NULL, NULL},
    {&dynamo_ops, &dynamo_invariants, &converge_liveness, NULL, NULL},
    {&heartbeat_ops, NULL, &heartbeat_liveness, NULL, NULL},
    {&paxos_ops, &paxos_invariants, &raft_liveness, NULL, NULL},
    {&clocks_ops, &clocks_invariants, &clocks_liveness, NULL, NULL},
    {&phi_ops, NULL, &heartbeat_liveness, NULL, NULL},
    {&swim_ops, &swim_invariants, &swim_liveness, NULL, NULL},
    {&pbft_ops, &pbft_invariants, NULL, NULL, NULL},
    {&generals_ops, &generals_invariants, NULL, NULL, NULL},
    {&zab_ops, &zab_invariants, &raft_liveness, NULL, NULL},
    {&spanner_ops, &spanner_invariants, &spanner_liveness, NULL, spanner_clock_bound},
    {NULL, NULL, NULL, NULL, NULL},
};

/* The protocols that tolerate Byzantine nodes (caps.h). */
static const struct proto_ops *const check_byzantine[] = {
    &pbft_ops,
    NULL,
};

bool check_tolerates_byzantine(const struct proto_ops *ops)
{
	for (int i = 0; check_byzantine[i]; i++)
		if (check_byzantine[i] == ops)
			return true;
	return false;
}

const struct check_caps *check_caps_of(const struct proto_ops *ops)
{
	for (int i = 0; check_caps_all[i].proto; i++)
		if (check_caps_all[i].proto == ops)
			return &check_caps_all[i];
	return NULL;
}

const struct check_pred *check_pred_find(const struct proto_ops *ops, const char *name)
{
	const struct check_caps *c = check_caps_of(ops);
	for (int i = 0; c && c->preds && c->preds[i].info.name; i++)
		if (!strcmp(c->preds[i].info.name, name))
			return &c->preds[i];
	return NULL;
}

/*
 * presets.c — the real systems of the CAP table as configurations of the
 * real protocols (issue 20): `cluster etcd 3` is raft with etcd's options,
 * `cluster cassandra 3` dynamo with Cassandra's, `cluster dynamodb 3` a
 * Multi-Paxos replica group with DynamoDB's eventually consistent reads.
 * A preset is an alias: a base protocol and fixed options, applied before
 * the user's own; its client semantics are the base protocol's, with the
 * default level the options choose and the per-request levels the base
 * takes (consistency.c). A preset whose base is not built in is listed
 * as not available. `netsplit compare` takes presets too: `compare etcd
 * zookeeper cassandra` is three rows of the CAP table under one fault.
 *
 * Sources (SOURCES.md): etcd API guarantees (linearizable reads by
 * default, serializable on request; etcd enables PreVote and
 * CheckQuorum); Cassandra's consistency levels (cqlsh's default is ONE,
 * no sloppy quorum: hints do not count toward the level); DynamoDB
 * (Elhemali et al., USENIX ATC 2022: a partition's replication group runs
 * Multi-Paxos, the leader serves writes and strongly consistent reads,
 * any replica eventually consistent ones; the Developer Guide's "Read
 * consistency").
 */
#include "proto/presets.h"

#include "util/i18n.h"

#include <string.h>

const struct proto_preset proto_presets[] = {
    {"etcd", "raft", "reads=readindex prevote=on checkquorum=on",
     N_("etcd: Raft, linearizable reads by default (ReadIndex), consistency=serializable per "
	"read")},
    {"cassandra", "dynamo", "n=3 w=1 r=1 sloppy=off",
     N_("Cassandra: the leaderless ring, consistency ONE by default, one|quorum|all per request")},
    {"dynamodb", "paxos", "reads=local",
     N_("DynamoDB: a Multi-Paxos replica group, eventually consistent reads by default, "
	"`consistent` per read")},
    {"zookeeper", "zab", "",
     N_("ZooKeeper: Zab, writes through the leader, local reads, sync then read")},
    {NULL, NULL, NULL, NULL},
};

const struct proto_preset *proto_preset_find(const char *name)
{
	for (int i = 0; proto_presets[i].name; i++)
		if (!strcmp(proto_presets[i].name, name))
			return &proto_presets[i];
	return NULL;
}

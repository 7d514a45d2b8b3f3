/*
 * consistency.c — per-request consistency levels, checked against what a
 * protocol declares it takes (struct proto_ops: kv_read_levels,
 * kv_write_levels).
 *
 * Brewer, "CAP Twelve Years Later" (2012): the choice between consistency
 * and availability "can be made per operation" — Cassandra's consistency
 * level on one query, DynamoDB's ConsistentRead on one read, etcd's
 * serializable reads. A learner makes it on one request (`get x via n2
 * consistency=one`, `get x consistent`); the protocol honours it in its
 * on_client (raft_read.c, dynamo_coord.c, paxos_proposer.c). A level the
 * protocol has no meaning for is bad input, said here in words.
 */
#include "proto/proto.h"

#include "util/i18n.h"

void proto_levels_fmt(unsigned mask, struct sbuf *out)
{
	bool first = true;
	for (int l = KV_LEVEL_ONE; l < KV_LEVEL_COUNT; l++)
		if (mask & KV_LEVEL_BIT(l)) {
			sbuf_printf(out, "%s%s", first ? "" : "|", kv_level_name((enum kv_level)l));
			first = false;
		}
}

bool proto_level_check(const struct proto_ops *ops, const struct kv_op *op, struct sbuf *why)
{
	if (op->level == KV_LEVEL_DEFAULT)
		return true;
	bool read = op->fn == KV_GET;
	unsigned mask = read ? ops->kv_read_levels : ops->kv_write_levels;
	if (op->level < KV_LEVEL_COUNT && (mask & KV_LEVEL_BIT(op->level)))
		return true;
	const char *lvl = kv_level_name((enum kv_level)op->level);
	if (!mask) {
		sbuf_printf(why,
			    read
				? _("%s takes no consistency level on reads (got consistency=%s): "
				    "its reads are always its default")
				: _("%s takes no consistency level on writes (got consistency=%s): "
				    "its writes are always its default"),
			    ops->name, lvl);
		return false;
	}
	struct sbuf names = {0};
	proto_levels_fmt(mask, &names);
	sbuf_printf(why,
		    read ? _("%s reads take consistency=%s, not %s")
			 : _("%s writes take consistency=%s, not %s"),
		    ops->name, sbuf_str(&names), lvl);
	sbuf_free(&names);
	return false;
}

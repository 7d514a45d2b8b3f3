/*
 * primary_kv.c — the state machine of the `primary` protocol.
 *
 * The state machine is the shared key-value machine with client sessions
 * (proto/kv.c), a pure function of the log: every node applies entries in
 * seq order, and after a crash or a truncation it replays the log from the
 * start (pb_replay). A write carries (client, cseq); the session remembers
 * each client's last cseq, its answer and the entry that holds it, so a
 * retry of a write that is already in the log is answered, not applied
 * twice (Ongaro's thesis, §6.3).
 */
#include "proto/primary_internal.h"

#include "util/i18n.h"

void pb_kv_init(struct pb_kv *kv)
{
	kv_init(&kv->m);
}

void pb_kv_free(struct pb_kv *kv)
{
	if (kv)
		kv_close(&kv->m);
}

void pb_kv_clear(struct pb_kv *kv)
{
	kv_clear(&kv->m);
}

const char *pb_kv_get(const struct pb_kv *kv, const char *key)
{
	return kv_get(&kv->m, key);
}

const struct kv_session *pb_kv_session(const struct pb_kv *kv, int client)
{
	return kv_session(&kv->m, client);
}

void pb_kv_apply(struct pb_kv *kv, const struct pb_entry *e, struct kv_result *out)
{
	kv_apply(&kv->m, e->client, (uint64_t)e->cseq, e->seq, &e->op, out);
}

bool pb_kv_equal(const struct pb_kv *a, const struct pb_kv *b, struct sbuf *why)
{
	return kv_equal(&a->m, &b->m, why);
}

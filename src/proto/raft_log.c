/*
 * raft_log.c — the log and the rest of a node's stable storage.
 *
 * Figure 2, "Persistent state on all servers (updated on stable storage
 * before responding to RPCs)": currentTerm, votedFor, log[]. In the
 * simulator stable storage is struct raft_stable, which a crash does not
 * touch; every write to it goes through this file (or bumps `writes`
 * through raft_persist), so "persisted before responding" holds by
 * construction: a handler changes stable state, then sends.
 *
 * After a snapshot (§7) the log holds only entries after snap_index;
 * raft_term_at() answers snap_term for snap_index itself, which is what the
 * consistency check of AppendEntries needs at the boundary.
 */
#include "proto/raft.h"

#include <stdlib.h>
#include <string.h>

int64_t raft_last_index(const struct raft *r)
{
	return r->st.snap_index + (int64_t)r->st.nlog;
}

int64_t raft_last_term(const struct raft *r)
{
	return r->st.nlog ? r->st.log[r->st.nlog - 1].term : r->st.snap_term;
}

int64_t raft_term_at(const struct raft *r, int64_t i)
{
	if (i == r->st.snap_index)
		return r->st.snap_term;
	if (i < r->st.snap_index || i > raft_last_index(r))
		return -1;
	return r->st.log[i - r->st.snap_index - 1].term;
}

const struct raft_entry *raft_entry_at(const struct raft *r, int64_t i)
{
	if (i <= r->st.snap_index || i > raft_last_index(r))
		return NULL;
	return &r->st.log[i - r->st.snap_index - 1];
}

static void mark_dirty(struct raft *r, int64_t i)
{
	if (i < r->st.dirty_from)
		r->st.dirty_from = i;
}

void raft_persist(struct raft *r)
{
	r->st.writes++;
}

void raft_log_append(struct raft *r, const struct raft_entry *e)
{
	struct raft_stable *st = &r->st;
	xgrow((void **)&st->log, &st->caplog, st->nlog + 1, sizeof *st->log);
	st->log[st->nlog++] = *e;
	mark_dirty(r, raft_last_index(r));
	raft_persist(r);
	if (e->type == RAFT_ENTRY_CONFIG) {
		/* Thesis §4.1: "a server always uses the latest configuration
		 * in its log, regardless of whether the entry is committed". */
		r->prev_cfg = r->cfg;
		r->cfg = e->config;
		r->cfg_index = raft_last_index(r);
	}
}

void raft_log_truncate(struct raft *r, int64_t i)
{
	struct raft_stable *st = &r->st;
	if (i > raft_last_index(r))
		return;
	if (i <= r->st.snap_index)
		i = r->st.snap_index + 1;
	mark_dirty(r, i);
	st->nlog = (size_t)(i - st->snap_index - 1);
	raft_persist(r);
	/* Thesis §4.1: a removed configuration entry stops being in effect;
	 * the server falls back to the latest one left in its log. */
	if (r->cfg_index >= i)
		raft_config_recompute(r);
}

void raft_log_compact(struct raft *r, int64_t i)
{
	struct raft_stable *st = &r->st;
	if (i <= st->snap_index)
		return;
	int64_t last = raft_last_index(r);
	if (i > last)
		i = last;
	size_t drop = (size_t)(i - st->snap_index);
	st->snap_term = st->log[drop - 1].term;
	memmove(st->log, st->log + drop, (st->nlog - drop) * sizeof *st->log);
	st->nlog -= drop;
	st->snap_index = i;
	/* Keep memory bounded: give back most of a log that shrank a lot
	 * below its usual size (twice the snapshot threshold), as after a
	 * long partition — but not at every snapshot, which would only
	 * reallocate it again. */
	size_t usual = 2 * (size_t)(r->o->v[RAFT_OPT_SNAPSHOT].i + r->o->v[RAFT_OPT_BATCH].i) + 64;
	if (st->caplog > usual && st->nlog < st->caplog / 4) {
		st->caplog = st->nlog < 32 ? 32 : st->nlog * 2;
		st->log = xrealloc(st->log, st->caplog * sizeof *st->log);
	}
	raft_persist(r);
}

void raft_stable_free(struct raft_stable *st)
{
	free(st->log);
	raft_kv_free(st->snap_kv);
	memset(st, 0, sizeof *st);
}

/*
 * multileader.c — multi-leader replication: every node accepts writes and
 * replicates them asynchronously to every other node; conflicts are
 * resolved by last-writer-wins on timestamps, or kept as siblings found
 * with vector clocks.
 *
 * "Each datacenter can continue operating independently of the others ...
 * the biggest problem with multi-leader replication is that write conflicts
 * can occur" (Kleppmann, Designing Data-Intensive Applications, ch. 5). A
 * node is never refused a write for want of its peers: it stores it,
 * answers the client at once, and ships it later. That is availability
 * under a partition, paid for with conflicts.
 *
 * Versions. Each write carries a timestamp from the writer's clock (option
 * `clock`, below) and a vector clock. Every node keeps, per key, `ctx`: the merge
 * of the clocks of every version it ever stored there. A write at node A
 * gets vc = ctx with A's entry incremented, so it descends every version A
 * has stored of that key, and nothing else: its clock is exactly its
 * causal past (the invariant checker verifies this against the simulator's
 * ground truth after every event).
 *
 * Clocks (option `clock`, fixed for the cluster's life):
 *   - physical (default): the writer's LOCAL clock (node_local_now: skew
 *     and drift included — so a node whose clock is behind writes "older"
 *     values), made monotonic per node.
 *   - lamport: the writer's Lamport counter (Lamport 1978). IR1: "Each
 *     process Pi increments Ci between any two successive events" — before
 *     each local write. IR2(b): "Upon receiving a message m, process Pj
 *     sets Cj greater than or equal to its present value and greater than
 *     Tm" — on applying a replicated version the counter becomes
 *     max(counter, ts), and IR1 puts the next local write above it.
 *   - hlc: (l, c), a hybrid logical clock (Kulkarni et al. 2014, Figure
 *     5; the rules are in hlc.c): a local write is a "send or local
 *     event" read against node_local_now, applying a replicated version a
 *     "receive event". l stays within the clock skew of physical time.
 *   Either logical clock satisfies the clock condition: a write that
 *   causally follows another (its node had stored the other first) gets a
 *   larger stamp, whatever the skew. It does not order concurrent writes
 *   meaningfully: neither writer heard of the other, so the clocks alone
 *   still decide, and last-writer-wins still drops one of them.
 *
 * Resolution (option `resolve`):
 *   - lww: a node holds one version per key, the one with the highest
 *     (timestamp, writer index). A version that loses and does not causally
 *     precede the winner is a LOST UPDATE — counted, and shown ("n3 drops
 *     put x 5 from n1: older timestamp 1.200s < 1.350s"). Timestamps alone
 *     decide, as in Cassandra: with physical clocks a write that causally
 *     follows another can still lose to it when the writer's clock is
 *     behind (with clock=lamport or hlc it cannot). The order is total,
 *     so all replicas converge on the same winner whatever the arrival order.
 *   - siblings: "if the counters on the first object's clock are
 *     less-than-or-equal to all of the nodes in the second clock, then the
 *     first is an ancestor of the second and can be forgotten. Otherwise,
 *     the two changes are considered to be in conflict" (Dynamo, 4.4). A
 *     node holds every version no stored version descends: pairwise
 *     concurrent siblings. A get returns them all; a put through a node
 *     supersedes every sibling that node holds (its context), as a Riak
 *     client's put with the vector clock it read would.
 *
 * Client operations (all answered at once from local state):
 *   - get: the versions' values sorted and joined by '|' ("a|b"), found
 *     when the key has any version;
 *   - put: a new version;
 *   - append: a put of the current value with the argument appended;
 *     refused (REPLY_FAIL) while the key has siblings — merge them first;
 *   - cas: compared against THIS node's value only, then a put. Two nodes
 *     may both succeed at the same cas: there is no single leader to order
 *     them. Refused while the key has siblings; a compare that fails
 *     is answered REPLY_CAS_FALSE (an observation of this node's value).
 *
 * Replication. Each node keeps its own writes, numbered 1, 2, ... (wseq),
 * and for each peer the highest number the peer acknowledged. Every
 * `interval` it sends each peer the writes it has not sent (in batches of
 * at most ML_BATCH writes, at most ML_WINDOW batches a tick), and when `retry` passes with writes
 * outstanding and no acknowledgement progress it goes back to the acknowledged point and sends from
 * there again (go-back-N). A receiver applies a peer's writes exactly once and in the peer's order
 * (it ignores a batch that would skip a write it has not seen), and acknowledges the highest it has
 * applied. Everything that matters is stable, so after a crash or a partition the writes flow again
 * from the acknowledged point and all replicas converge.
 */
#include "proto/multileader_internal.h"

#include "proto/hlc.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static const struct proto_option ml_options[] = {
    {"resolve", OPT_CHOICE, "lww", "lww|siblings", 0, 0,
     N_("conflict resolution: last-writer-wins on timestamps, or keep concurrent versions as "
	"siblings"),
     true},
    {"interval", OPT_DURATION, "50ms", NULL, 1 * SIM_MS, 60 * SIM_S,
     N_("replication delay: writes are batched and shipped to peers this often"), true},
    {"retry", OPT_DURATION, "500ms", NULL, 1 * SIM_MS, 600 * SIM_S,
     N_("unacknowledged writes are sent again after this long"), true},
    /* Not live: the versions already stored carry stamps of the old clock,
     * which mean nothing to the new one (a counter against a time). */
    {"clock", OPT_CHOICE, "physical", "physical|lamport|hlc", 0, 0,
     N_("what stamps a write for last-writer-wins: the writer's physical clock, a Lamport "
	"counter, or a hybrid logical clock"),
     false},
    {NULL, 0, NULL, NULL, 0, 0, NULL, false},
};

static const struct proto_vary ml_vary[] = {
    {"clock", "physical|lamport|hlc"},
    {NULL, NULL},
};

static const struct msg_kind ml_msgs[ML_NMSG] = {
    {"Replicate", 'r', false},
    {"Ack", 'R', true},
};

static bool lww(const struct ml *m)
{
	return m->o->v[ML_OPT_RESOLVE].i == ML_RESOLVE_LWW;
}

static sim_time opt_dur(const struct ml *m, int i)
{
	return m->o->v[i].i;
}

int ml_clock(const struct ml *m)
{
	return (int)m->o->v[ML_OPT_CLOCK].i;
}

void ml_fmt_stamp(const struct ml_version *v, int clock, struct sbuf *out)
{
	char tb[32];
	switch (clock) {
	case ML_CLOCK_LAMPORT: sbuf_printf(out, "L%lld", (long long)v->ts); break;
	case ML_CLOCK_HLC:
		sbuf_puts(out, "hlc ");
		hlc_fmt(v->ts, v->tc, out);
		break;
	default: sbuf_puts(out, simtime_fmt(v->ts, tb, sizeof tb));
	}
}

/* ---- the store ---------------------------------------------------------------- */

const struct ml_key *ml_find_key(const struct ml *m, const char *key)
{
	for (int i = 0; i < m->nkeys; i++)
		if (!strcmp(m->keys[i].key, key))
			return &m->keys[i];
	return NULL;
}

static struct ml_key *get_key(struct ml *m, const char *key)
{
	struct ml_key *k = (struct ml_key *)ml_find_key(m, key);
	if (k)
		return k;
	size_t cap = (size_t)m->keys_cap;
	xgrow((void **)&m->keys, &cap, (size_t)m->nkeys + 1, sizeof *m->keys);
	m->keys_cap = (int)cap;
	k = &m->keys[m->nkeys++];
	memset(k, 0, sizeof *k);
	ns_strlcpy(k->key, key, sizeof k->key);
	return k;
}

static void add_version(struct ml_key *k, const struct ml_version *v)
{
	size_t cap = (size_t)k->cap;
	xgrow((void **)&k->ver, &cap, (size_t)k->nver + 1, sizeof *k->ver);
	k->cap = (int)cap;
	k->ver[k->nver++] = *v;
}

static void del_version(struct ml_key *k, int i)
{
	k->ver[i] = k->ver[--k->nver];
}

const struct ml_write *ml_write_of(struct sim *s, int writer, uint32_t wseq)
{
	if (writer < 0 || writer >= sim_nodes(s))
		return NULL;
	const struct ml *w = sim_node(s, writer)->self;
	if (wseq < 1 || wseq > w->nout)
		return NULL;
	return &w->out[wseq - 1];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool ml_read(const struct ml_key *k, char *out, size_t out_len)
{
	out[0] = '\0';
	if (!k || !k->nver)
		return false;
	const char *vals[SIM_MAX_NODES];
	int n = 0;
	for (int i = 0; i < k->nver && n < SIM_MAX_NODES; i++)
		vals[n++] = k->ver[i].value;
	qsort(vals, (size_t)n, sizeof *vals, cmp_str);
	struct sbuf b = {0};
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_putc(&b, '|');
		sbuf_puts(&b, vals[i]);
	}
	ns_strlcpy(out, sbuf_str(&b), out_len);
	sbuf_free(&b);
	return true;
}

void ml_fmt_write(const char *key, const char *value, int writer, struct sbuf *out)
{
	struct kv_op op = {.fn = KV_PUT};
	ns_strlcpy(op.key, key, sizeof op.key);
	ns_strlcpy(op.arg, value, sizeof op.arg);
	kv_op_fmt(&op, out);
	sbuf_printf(out, " from n%d", writer + 1);
}

static void fmt_ver(const struct ml_key *k, const struct ml_version *v, struct sbuf *out)
{
	ml_fmt_write(k->key, v->value, v->writer, out);
}

/* ---- observations -------------------------------------------------------------- */

static void audit(struct ml *m, const struct ml_version *v)
{
	xgrow((void **)&m->audit, &m->audit_cap, m->naudit + 1, sizeof *m->audit);
	m->audit[m->naudit++] = (struct ml_audit){v->writer, v->wseq};
}

static void note_lost(struct ml *m, const struct ml_key *k, const struct ml_version *loser,
		      const struct ml_version *winner)
{
	xgrow((void **)&m->lost, &m->lost_cap, m->nlost + 1, sizeof *m->lost);
	struct ml_lost *l = &m->lost[m->nlost++];
	memset(l, 0, sizeof *l);
	ns_strlcpy(l->key, k->key, sizeof l->key);
	ns_strlcpy(l->value, loser->value, sizeof l->value);
	l->writer = loser->writer;
	l->wseq = loser->wseq;
	l->winner = winner->writer;
	l->winner_wseq = winner->wseq;
}

static void note_conflict(struct ml *m, const struct ml_version *a, const struct ml_version *b)
{
	struct ml_conflict c = {a->writer, b->writer, a->wseq, b->wseq};
	if (c.w1 > c.w2 || (c.w1 == c.w2 && c.s1 > c.s2))
		c = (struct ml_conflict){b->writer, a->writer, b->wseq, a->wseq};
	xgrow((void **)&m->conf, &m->conf_cap, m->nconf + 1, sizeof *m->conf);
	m->conf[m->nconf++] = c;
}

/* ---- resolution ---------------------------------------------------------------- */

/* Last-writer-wins: is a newer than b? Highest timestamp (hlc: (l, c)
 * lexicographically), then highest writer index (then the writer's own
 * order, though a node's timestamps never repeat); total, so every replica
 * picks the same winner. */
static bool lww_newer(const struct ml_version *a, const struct ml_version *b)
{
	if (a->ts != b->ts)
		return a->ts > b->ts;
	if (a->tc != b->tc)
		return a->tc > b->tc;
	if (a->writer != b->writer)
		return a->writer > b->writer;
	return a->wseq > b->wseq;
}

/* Says why `loser` lost to `winner` under lww and counts it, unless the
 * loser causally precedes the winner (then it was simply overwritten). */
static void lww_lost(struct ml *m, const struct ml_key *k, const struct ml_version *loser,
		     const struct ml_version *winner, bool incoming)
{
	enum vclock_order o = vclock_compare(&loser->vc, &winner->vc);
	if (o == VC_BEFORE)
		return;
	/* Lost here before? Only a resync sends a write twice (O(lost)). */
	for (size_t i = 0; m->epoch && i < m->nlost; i++)
		if (m->lost[i].writer == loser->writer && m->lost[i].wseq == loser->wseq)
			return;
	if (o == VC_CONCURRENT)
		note_conflict(m, loser, winner);
	note_lost(m, k, loser, winner);
	struct sbuf lb = {0}, wb = {0}, t1 = {0}, t2 = {0};
	fmt_ver(k, loser, &lb);
	fmt_ver(k, winner, &wb);
	const char *causal = o == VC_AFTER ? ", though it causally follows the winner" : "";
	ml_fmt_stamp(loser, ml_clock(m), &t1);
	ml_fmt_stamp(winner, ml_clock(m), &t2);
	struct sbuf because = {0};
	if (loser->ts == winner->ts && loser->tc == winner->tc)
		sbuf_printf(&because, "same timestamp %s, lower node id%s", sbuf_str(&t1), causal);
	else
		sbuf_printf(&because, "older timestamp %s < %s%s", sbuf_str(&t1), sbuf_str(&t2),
			    causal);
	sbuf_free(&t1);
	sbuf_free(&t2);
	if (incoming)
		node_state(m->n, "drops %s: %s (keeps %s)", sbuf_str(&lb), sbuf_str(&because),
			   sbuf_str(&wb));
	else
		node_state(m->n, "overwrites %s with %s: %s", sbuf_str(&lb), sbuf_str(&wb),
			   sbuf_str(&because));
	sbuf_free(&because);
	sbuf_free(&lb);
	sbuf_free(&wb);
}

/* Under lww a key holds one version: keep the newest, lose the rest (after
 * `set resolve lww` with siblings present). */
static void lww_collapse(struct ml *m, struct ml_key *k)
{
	if (k->nver < 2)
		return;
	int best = 0;
	for (int i = 1; i < k->nver; i++)
		if (lww_newer(&k->ver[i], &k->ver[best]))
			best = i;
	for (int i = 0; i < k->nver; i++)
		if (i != best)
			lww_lost(m, k, &k->ver[i], &k->ver[best], false);
	k->ver[0] = k->ver[best];
	k->nver = 1;
}

/* Stores version v of key k (a local write or a replicated one) under the
 * resolution in force; returns whether v was kept. */
static bool apply(struct ml *m, struct ml_key *k, const struct ml_version *v, bool local)
{
	if (lww(m)) {
		lww_collapse(m, k);
		if (k->nver && k->ver[0].writer == v->writer && k->ver[0].wseq == v->wseq)
			return false; /* I hold it (a resync sends everything again) */
		if (k->nver && !lww_newer(v, &k->ver[0])) {
			lww_lost(m, k, v, &k->ver[0], true);
			if (local) {
				/* My own write, stored and at once lost: its
				 * number is used, and later writes here follow it. */
				vclock_merge(&k->ctx, &v->vc);
				audit(m, v);
			}
			return false;
		}
		if (k->nver) {
			lww_lost(m, k, &k->ver[0], v, false);
			k->nver = 0;
		}
		add_version(k, v);
	} else {
		for (int i = 0; i < k->nver; i++)
			if (vclock_descends(&k->ver[i].vc, &v->vc))
				return false; /* already seen, or superseded: forget it */
		int superseded = 0;
		for (int i = 0; i < k->nver;)
			if (vclock_compare(&k->ver[i].vc, &v->vc) == VC_BEFORE) {
				del_version(k, i);
				superseded++;
			} else {
				i++;
			}
		add_version(k, v);
		if (local && superseded > 1)
			node_state(m->n, "writes %s = %s, superseding %d siblings", k->key,
				   v->value, superseded);
		if (k->nver > 1) {
			/* "Otherwise, the two changes are considered to be in
			 * conflict and require reconciliation." */
			struct sbuf b = {0};
			fmt_ver(k, v, &b);
			sbuf_putc(&b, ' ');
			vclock_fmt(&v->vc, &b);
			sbuf_puts(&b, " beside");
			for (int i = 0; i < k->nver - 1; i++) {
				note_conflict(m, &k->ver[i], v);
				sbuf_puts(&b, i ? ", " : " ");
				fmt_ver(k, &k->ver[i], &b);
				sbuf_putc(&b, ' ');
				vclock_fmt(&k->ver[i].vc, &b);
			}
			node_state(m->n, "keeps %s: concurrent, %d siblings of %s", sbuf_str(&b),
				   k->nver, k->key);
			sbuf_free(&b);
		}
	}
	vclock_merge(&k->ctx, &v->vc);
	audit(m, v);
	return true;
}

/* ---- the clocks ---------------------------------------------------------------- */

/* Stamps v, a write at this node, with the clock in force. */
static void stamp_local(struct ml *m, struct ml_version *v)
{
	v->tc = 0;
	switch (ml_clock(m)) {
	case ML_CLOCK_LAMPORT:
		/* Lamport IR1: "Each process Pi increments Ci between any two
		 * successive events." */
		v->ts = (sim_time)++m->lamport;
		break;
	case ML_CLOCK_HLC:
		/* Kulkarni et al. 2014, Figure 5, "Send or local event"
		 * (hlc.c): l := max(l, pt), c bumped when l did not move. */
		hlc_local(&m->hlc_l, &m->hlc_c, node_local_now(m->n));
		v->ts = m->hlc_l;
		v->tc = m->hlc_c;
		break;
	default:
		/* The local clock, made monotonic per node (as Cassandra's
		 * coordinators do), so that a node's own writes follow each
		 * other under lww even within one clock tick or after its
		 * clock is set back. */
		v->ts = node_local_now(m->n);
		if (m->nout > 1 && v->ts <= m->out[m->nout - 2].v.ts)
			v->ts = m->out[m->nout - 2].v.ts + 1;
	}
}

/* A replicated version v arrives (new here, kept or not): the clock takes
 * it in, so that every later write here is stamped above it. */
static void stamp_recv(struct ml *m, const struct ml_version *v)
{
	switch (ml_clock(m)) {
	case ML_CLOCK_LAMPORT:
		/* Lamport IR2(b): "Upon receiving a message m, process Pj sets
		 * Cj greater than or equal to its present value and greater
		 * than Tm." Here counter := max(counter, Tm), and IR1 (before
		 * the next write) makes it greater: a receipt is not stamped,
		 * so it need not count as an event of its own. */
		m->lamport = MAX(m->lamport, (uint64_t)MAX(v->ts, 0));
		break;
	case ML_CLOCK_HLC:
		/* Kulkarni et al. 2014, Figure 5, "Receive event of message
		 * m" (hlc.c): l := max(l, l.m, pt), c after the case. */
		hlc_recv(&m->hlc_l, &m->hlc_c, v->ts, v->tc, node_local_now(m->n));
		break;
	default: break; /* a physical clock is not set by what it hears */
	}
}

/* A write at this node: a new version descending everything stored here. */
static const struct ml_version *write_local(struct ml *m, const char *key, const char *value)
{
	struct ml_key *k = get_key(m, key);
	xgrow((void **)&m->out, &m->out_cap, m->nout + 1, sizeof *m->out);
	struct ml_write *w = &m->out[m->nout++];
	memset(w, 0, sizeof *w);
	ns_strlcpy(w->key, key, sizeof w->key);
	ns_strlcpy(w->v.value, value, sizeof w->v.value);
	stamp_local(m, &w->v);
	w->v.writer = m->n->id;
	w->v.wseq = (uint32_t)m->nout;
	w->v.vc = k->ctx;
	vclock_increment(&w->v.vc, m->n->id);
	apply(m, k, &w->v, true);
	return &w->v;
}

/* ---- the wire ------------------------------------------------------------------- */

/* Replicate: u32 epoch, u32 lo, u8 count | clock << 4 (ML_CLOCK_*: 0 for
 * physical, so that format is what it was before the option), then per
 * write: u8 klen, key, u8 vlen, value, i64 ts, [u32 tc: hlc only], vclock.
 * The writer is the sender; write i has wseq lo + i. Ack: u32 epoch, u32
 * upto. */
_Static_assert(ML_BATCH < 16, "the count shares its byte with the clock");

struct ml_batch {
	uint32_t epoch;
	uint32_t lo;
	int count;
	int clock;
	char key[ML_BATCH][KV_KEY_MAX];
	struct ml_version v[ML_BATCH];
};

static void put_bytes(struct sbuf *b, const void *p, size_t n)
{
	sbuf_add(b, p, n);
}

static void put_u32(struct sbuf *b, uint32_t x)
{
	uint8_t t[4] = {(uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16), (uint8_t)(x >> 24)};
	put_bytes(b, t, 4);
}

static void put_str(struct sbuf *b, const char *s)
{
	uint8_t len = (uint8_t)strlen(s);
	put_bytes(b, &len, 1);
	put_bytes(b, s, len);
}

static void encode_batch(const struct ml *m, uint32_t lo, int count, struct sbuf *b)
{
	put_u32(b, m->epoch);
	put_u32(b, lo);
	int clock = ml_clock(m);
	uint8_t c = (uint8_t)(count | clock << 4);
	put_bytes(b, &c, 1);
	for (int i = 0; i < count; i++) {
		const struct ml_write *w = &m->out[lo - 1 + (uint32_t)i];
		put_str(b, w->key);
		put_str(b, w->v.value);
		uint64_t ts = (uint64_t)w->v.ts;
		put_u32(b, (uint32_t)ts);
		put_u32(b, (uint32_t)(ts >> 32));
		if (clock == ML_CLOCK_HLC)
			put_u32(b, w->v.tc);
		uint8_t vb[VCLOCK_WIRE_MAX];
		size_t n = vclock_encode(&w->v.vc, vb, sizeof vb);
		put_bytes(b, vb, n);
	}
}

static bool get_u32(const uint8_t **p, const uint8_t *end, uint32_t *x)
{
	if (end - *p < 4)
		return false;
	*x = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 |
	     (uint32_t)(*p)[3] << 24;
	*p += 4;
	return true;
}

static bool get_str(const uint8_t **p, const uint8_t *end, char *out, size_t max)
{
	if (end - *p < 1)
		return false;
	size_t len = **p;
	(*p)++;
	if (len >= max || (size_t)(end - *p) < len)
		return false;
	memcpy(out, *p, len);
	out[len] = '\0';
	*p += len;
	return true;
}

/* Decodes a Replicate message from `from`; false if malformed. */
static bool decode_batch(const void *data, size_t len, int from, struct ml_batch *b)
{
	const uint8_t *p = data, *end = p + len;
	if (!get_u32(&p, end, &b->epoch) || !get_u32(&p, end, &b->lo) || end - p < 1)
		return false;
	b->count = *p & 0x0f;
	b->clock = *p++ >> 4;
	if (b->count > ML_BATCH || b->lo < 1 || b->clock > ML_CLOCK_HLC)
		return false;
	for (int i = 0; i < b->count; i++) {
		struct ml_version *v = &b->v[i];
		uint32_t lo32, hi32;
		if (!get_str(&p, end, b->key[i], KV_KEY_MAX) ||
		    !get_str(&p, end, v->value, KV_VAL_MAX) || !get_u32(&p, end, &lo32) ||
		    !get_u32(&p, end, &hi32))
			return false;
		v->ts = (sim_time)((uint64_t)hi32 << 32 | lo32);
		v->tc = 0;
		if (b->clock == ML_CLOCK_HLC && !get_u32(&p, end, &v->tc))
			return false;
		v->writer = from;
		v->wseq = b->lo + (uint32_t)i;
		size_t n = vclock_decode(&v->vc, p, (size_t)(end - p));
		if (!n)
			return false;
		p += n;
	}
	return p == end;
}

/* ---- replication --------------------------------------------------------------- */

static void send_batch(struct ml *m, int p, uint32_t lo)
{
	int count = (int)MIN((size_t)ML_BATCH, m->nout - (lo - 1));
	struct sbuf b = {0};
	encode_batch(m, lo, count, &b);
	node_send(m->n, p, ML_MSG_REPLICATE, b.s, b.len);
	sbuf_free(&b);
	m->sent_upto[p] = lo + (uint32_t)count - 1;
}

/* One tick: to each peer, the writes it has not been sent, in batches, at
 * most ML_WINDOW batches per tick (go-back-N): when `retry` passes with
 * writes outstanding and no acknowledgement progress, rewind to the
 * acknowledged point and send from there again. */
static void replicate(struct ml *m)
{
	sim_time now = node_local_now(m->n);
	for (int p = 0; p < node_count(m->n); p++) {
		if (p == m->n->id || m->acked[p] >= m->nout)
			continue;
		if (m->sent_upto[p] <= m->acked[p]) {
			m->sent_upto[p] = m->acked[p];
			m->progress_at[p] = now; /* nothing outstanding: the clock starts now */
		} else if (now - m->progress_at[p] >= opt_dur(m, ML_OPT_RETRY)) {
			m->sent_upto[p] = m->acked[p]; /* lost, or slow: again */
			m->progress_at[p] = now;
		}
		for (int b = 0; b < ML_WINDOW && m->sent_upto[p] < m->nout; b++)
			send_batch(m, p, m->sent_upto[p] + 1);
	}
}

static void apply_batch(struct ml *m, int from, const struct ml_batch *b)
{
	for (int i = 0; i < b->count; i++) {
		if (b->v[i].wseq <= m->recv_upto[from])
			continue; /* a duplicate */
		stamp_recv(m, &b->v[i]);
		apply(m, get_key(m, b->key[i]), &b->v[i], false);
		m->recv_upto[from] = b->v[i].wseq;
	}
}

static void drop_early(struct ml *m, int from, int i)
{
	free(m->early[from][i].data);
	m->early[from][i] = m->early[from][--m->nearly[from]];
}

static void forget_early(struct ml *m)
{
	for (int p = 0; p < SIM_MAX_NODES; p++) {
		while (m->nearly[p])
			drop_early(m, p, 0);
		free(m->early[p]);
		m->early[p] = NULL;
		m->early_cap[p] = 0;
	}
}

/* Keeps a copy of a batch that arrived ahead of a gap (at most
 * ML_EARLY_MAX per peer; beyond, the sender's resend brings it again). */
static void keep_early(struct ml *m, int from, const struct msg *msg, const struct ml_batch *b)
{
	if (m->nearly[from] >= ML_EARLY_MAX)
		return;
	for (int i = 0; i < m->nearly[from]; i++)
		if (m->early[from][i].lo == b->lo)
			return; /* already kept */
	xgrow((void **)&m->early[from], &m->early_cap[from], (size_t)m->nearly[from] + 1,
	      sizeof *m->early[from]);
	struct ml_early *e = &m->early[from][m->nearly[from]++];
	e->lo = b->lo;
	e->hi = b->lo + (uint32_t)b->count - 1;
	e->len = msg->len;
	e->data = xmalloc(msg->len ? msg->len : 1);
	memcpy(e->data, msg->data, msg->len);
}

/* Applies the kept batches that the writes applied so far have reached. */
static void drain_early(struct ml *m, int from)
{
	struct ml_batch *b = NULL;
	for (bool again = true; again;) {
		again = false;
		for (int i = 0; i < m->nearly[from];) {
			struct ml_early *e = &m->early[from][i];
			if (e->hi <= m->recv_upto[from]) {
				drop_early(m, from, i); /* nothing new in it */
				continue;
			}
			if (e->lo > m->recv_upto[from] + 1) {
				i++;
				continue;
			}
			if (!b)
				b = xmalloc(sizeof *b);
			if (decode_batch(e->data, e->len, from, b))
				apply_batch(m, from, b);
			drop_early(m, from, i);
			again = true;
		}
	}
	free(b);
}

static void on_replicate(struct ml *m, const struct msg *msg)
{
	struct ml_batch b;
	int from = msg->from;
	if (!decode_batch(msg->data, msg->len, from, &b) || b.epoch != m->epoch ||
	    b.clock != ml_clock(m))
		return; /* malformed, or sent before a resync */
	/* Apply each peer's writes once and in its order: a batch that starts
	 * past the next expected write waits (an earlier one is late, or lost:
	 * then the sender resends from what we acknowledge). */
	if (b.lo > m->recv_upto[from] + 1) {
		keep_early(m, from, msg, &b);
	} else {
		apply_batch(m, from, &b);
		drain_early(m, from);
	}
	struct sbuf ack = {0};
	put_u32(&ack, m->epoch);
	put_u32(&ack, m->recv_upto[from]);
	node_send(m->n, from, ML_MSG_ACK, ack.s, ack.len);
	sbuf_free(&ack);
}

static void on_ack(struct ml *m, const struct msg *msg)
{
	const uint8_t *p = msg->data;
	uint32_t epoch, upto;
	if (msg->len != 8 || !get_u32(&p, p + 8, &epoch) || !get_u32(&p, p + 8, &upto) ||
	    epoch != m->epoch || upto > m->nout)
		return;
	if (upto > m->acked[msg->from]) {
		m->acked[msg->from] = upto;
		m->progress_at[msg->from] = node_local_now(m->n);
	}
}

/* ---- node callbacks ----------------------------------------------------------- */

static void arm_tick(struct ml *m, bool stagger)
{
	sim_time iv = opt_dur(m, ML_OPT_INTERVAL);
	node_set_timer(m->n, ML_TIMER_TICK, stagger ? node_rand_range(m->n, 0, iv) : iv);
}

static void *ml_create(struct node *n, const void *config)
{
	const struct proto_opts *o = config; /* the options, as sim_new stored them */
	struct ml *m = xcalloc(1, sizeof *m);
	m->n = n;
	m->o = o;
	m->hlc_l = HLC_NONE;
	arm_tick(m, true);
	return m;
}

static void ml_destroy(void *self)
{
	struct ml *m = self;
	if (!m)
		return;
	for (int i = 0; i < m->nkeys; i++)
		free(m->keys[i].ver);
	free(m->keys);
	free(m->out);
	free(m->lost);
	free(m->conf);
	free(m->audit);
	forget_early(m);
	free(m);
}

static void ml_on_message(void *self, const struct msg *msg)
{
	struct ml *m = self;
	if (msg->type == ML_MSG_REPLICATE)
		on_replicate(m, msg);
	else if (msg->type == ML_MSG_ACK)
		on_ack(m, msg);
}

static void ml_on_timer(void *self, int timer)
{
	struct ml *m = self;
	(void)timer;
	replicate(m);
	arm_tick(m, false);
}

static void reply_fail(struct ml *m, const struct client_req *r, const char *why)
{
	struct client_reply rep = {.status = REPLY_FAIL, .leader_hint = -1};
	ns_strlcpy(rep.why, why, sizeof rep.why);
	node_reply(m->n, r, &rep);
}

static void ml_on_client(void *self, const struct client_req *r)
{
	struct ml *m = self;
	const struct kv_op *op = &r->op;
	struct client_reply rep = {.status = REPLY_OK, .leader_hint = -1};
	struct ml_key *k = (struct ml_key *)ml_find_key(m, op->key);
	if (k && lww(m))
		lww_collapse(m, k);
	char cur[KV_VAL_MAX], why[64];
	bool found = ml_read(k, cur, sizeof cur);
	int nver = k ? k->nver : 0;
	switch (op->fn) {
	case KV_SYNC:
	case KV_GET:
		rep.found = found;
		ns_strlcpy(rep.value, cur, sizeof rep.value);
		node_reply(m->n, r, &rep);
		return;
	case KV_PUT: write_local(m, op->key, op->arg); break;
	case KV_APPEND: {
		if (nver > 1) {
			ns_snprintf(why, sizeof why, "%s has %d siblings: put a merged value",
				    op->key, nver);
			reply_fail(m, r, why);
			return;
		}
		char val[KV_VAL_MAX];
		if (ns_strlcpy(val, cur, sizeof val) + strlen(op->arg) >= sizeof val) {
			reply_fail(m, r, "value too long");
			return;
		}
		strcat(val, op->arg);
		write_local(m, op->key, val);
		break;
	}
	case KV_CAS:
		if (nver > 1) {
			ns_snprintf(why, sizeof why, "%s has %d siblings: put a merged value",
				    op->key, nver);
			reply_fail(m, r, why);
			return;
		}
		if (!found || strcmp(cur, op->arg)) {
			/* Not a refusal: the compare was made, here, and failed. */
			rep.status = REPLY_CAS_FALSE;
			ns_snprintf(rep.why, sizeof rep.why, "%s is %s%s%s here", op->key,
				    found ? "\"" : "", found ? cur : "missing", found ? "\"" : "");
			node_reply(m->n, r, &rep);
			return;
		}
		write_local(m, op->key, op->arg2);
		break;
	}
	node_reply(m->n, r, &rep);
}

/* A change of `resolve` (made at every node at once, as an operator would
 * roll out a configuration): decisions taken under the old rule are final
 * for the writes they concern, and each write is delivered once, so the
 * replicas would disagree for ever. Start a full resync instead: a new
 * epoch, every node sends all its writes to every peer again, and each
 * receiver applies them afresh under the new rule (ignoring those it
 * holds). Messages of the old epoch are ignored. */
static void resync(struct ml *m)
{
	m->epoch++;
	memset(m->acked, 0, sizeof m->acked);
	memset(m->recv_upto, 0, sizeof m->recv_upto);
	memset(m->sent_upto, 0, sizeof m->sent_upto);
	forget_early(m);
	m->reapply = true;
}

/* The node's own writes, applied afresh under the rule now in force (after
 * a resync; a down node does it when it restarts). */
static void reapply_own(struct ml *m)
{
	for (size_t i = 0; i < m->nout; i++)
		apply(m, get_key(m, m->out[i].key), &m->out[i].v, false);
	m->reapply = false;
}

/* A crash loses only what was sent when and the batches held ahead of a
 * gap. The logical clocks (lamport, hlc_l, hlc_c) are stable storage, as in
 * clocks.c: a node that restarted from zero would stamp its next write
 * below the writes it made or stored before the crash, and a write that
 * causally follows them would lose to them under lww — the very order the
 * clock is there to keep (program order is part of happened-before). */
static void ml_on_crash(void *self)
{
	struct ml *m = self;
	memset(m->sent_upto, 0, sizeof m->sent_upto);
	memset(m->progress_at, 0, sizeof m->progress_at);
	forget_early(m);
}

static void ml_on_restart(void *self)
{
	struct ml *m = self;
	/* Replication resumes from what each peer acknowledged. */
	memcpy(m->sent_upto, m->acked, sizeof m->sent_upto);
	if (lww(m))
		for (int i = 0; i < m->nkeys; i++)
			lww_collapse(m, &m->keys[i]);
	if (m->reapply)
		reapply_own(m);
	arm_tick(m, true);
}

static void ml_option_changed(void *self, int opt)
{
	struct ml *m = self;
	if (opt == ML_OPT_RESOLVE)
		resync(m);
	if (!m->n->up)
		return; /* applied at restart, or at the next write */
	if (opt == ML_OPT_RESOLVE && lww(m))
		for (int i = 0; i < m->nkeys; i++)
			lww_collapse(m, &m->keys[i]);
	if (m->reapply)
		reapply_own(m);
	if (opt == ML_OPT_INTERVAL)
		arm_tick(m, true);
}

bool ml_decode_batch(const struct msg *msg, uint32_t *lo, int *count, int *clock,
		     char (*keys)[KV_KEY_MAX], struct ml_version *v, int max)
{
	struct ml_batch *b = xmalloc(sizeof *b);
	bool ok = decode_batch(msg->data, msg->len, msg->from, b);
	if (ok) {
		*lo = b->lo;
		*count = b->count;
		*clock = b->clock;
		for (int i = 0; i < b->count && i < max; i++) {
			memcpy(keys[i], b->key[i], KV_KEY_MAX);
			v[i] = b->v[i];
		}
	}
	free(b);
	return ok;
}

const struct proto_ops multileader_ops = {
    .node =
	{
	    .create = ml_create,
	    .destroy = ml_destroy,
	    .on_message = ml_on_message,
	    .on_timer = ml_on_timer,
	    .on_client = ml_on_client,
	    .on_crash = ml_on_crash,
	    .on_restart = ml_on_restart,
	    .describe_msg = ml_describe_msg,
	    .msg_kinds = ml_msgs,
	    .nmsg_kinds = ML_NMSG,
	},
    .name = "multileader",
    .summary = N_("every node accepts writes and replicates asynchronously: last-writer-wins "
		  "or siblings"),
    .options = ml_options,
    .kv_clients = true,
    .status = ml_status,
    .describe = ml_describe,
    .option_changed = ml_option_changed,
    .preds = ml_preds,
    .fuzz_vary = ml_vary,
};

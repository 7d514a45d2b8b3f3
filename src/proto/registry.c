/*
 * registry.c — the protocols compiled into netsplit, and the helpers every
 * protocol shares: option defaults, parsing and formatting, and the
 * generic notion of "the leader" used by views and the command language.
 */
#include "proto/proto.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

extern const struct proto_ops raft_ops;
extern const struct proto_ops heartbeat_ops;
extern const struct proto_ops primary_ops;
extern const struct proto_ops multileader_ops;
extern const struct proto_ops dynamo_ops;
extern const struct proto_ops paxos_ops;
extern const struct proto_ops zab_ops;
extern const struct proto_ops clocks_ops;
extern const struct proto_ops phi_ops;
extern const struct proto_ops swim_ops;
extern const struct proto_ops pbft_ops;
extern const struct proto_ops generals_ops;
extern const struct proto_ops spanner_ops;

const struct proto_ops *const proto_all[] = {
    &raft_ops,    &heartbeat_ops, &primary_ops, &multileader_ops, &dynamo_ops,   &paxos_ops,
    &clocks_ops,  &phi_ops,       &swim_ops,    &pbft_ops,        &generals_ops, &zab_ops,
    &spanner_ops, NULL,
};

const struct proto_ops *proto_find(const char *name)
{
	for (int i = 0; proto_all[i]; i++)
		if (!strcmp(proto_all[i]->name, name))
			return proto_all[i];
	return NULL;
}

const struct proto_bug *proto_bug_find(const struct proto_ops *ops, const char *name)
{
	for (const struct proto_bug *b = ops->bugs; b && b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

int proto_option_index(const struct proto_ops *ops, const char *key)
{
	for (int i = 0; ops->options && ops->options[i].key; i++)
		if (!strcmp(ops->options[i].key, key))
			return i;
	return -1;
}

void proto_opts_default(const struct proto_ops *ops, struct proto_opts *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; ops->options && ops->options[i].key; i++) {
		struct sbuf err = {0};
		if (!proto_option_parse(ops, i, ops->options[i].def, &o->v[i], &err))
			abort(); /* a protocol's own default must parse */
		sbuf_free(&err);
		o->n = i + 1;
	}
}

static bool parse_int(const char *t, int64_t *out)
{
	char *end;
	if (!*t)
		return false;
	long long v = strtoll(t, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

bool proto_option_parse(const struct proto_ops *ops, int idx, const char *text,
			struct opt_value *out, struct sbuf *err)
{
	const struct proto_option *o = &ops->options[idx];
	char a[64], b[64];
	switch (o->kind) {
	case OPT_INT:
		if (!parse_int(text, &out->i)) {
			sbuf_printf(err, _("expected a whole number for %s, got \"%s\""), o->key,
				    text);
			return false;
		}
		if (out->i < o->min || out->i > o->max) {
			sbuf_printf(err, _("%s must be between %lld and %lld, got %s"), o->key,
				    (long long)o->min, (long long)o->max, text);
			return false;
		}
		return true;
	case OPT_BOOL:
		if (!strcmp(text, "on") || !strcmp(text, "true") || !strcmp(text, "yes") ||
		    !strcmp(text, "1")) {
			out->i = 1;
			return true;
		}
		if (!strcmp(text, "off") || !strcmp(text, "false") || !strcmp(text, "no") ||
		    !strcmp(text, "0")) {
			out->i = 0;
			return true;
		}
		sbuf_printf(err, _("expected on or off for %s, got \"%s\""), o->key, text);
		return false;
	case OPT_DURATION:
		if (!simtime_parse(text, &out->i, 0)) {
			sbuf_printf(err, _("expected a duration like 150ms for %s, got \"%s\""),
				    o->key, text);
			return false;
		}
		goto bounds;
	case OPT_RANGE: {
		const char *dots = strstr(text, "..");
		if (!dots || (size_t)(dots - text) >= sizeof a || strlen(dots + 2) >= sizeof b) {
			sbuf_printf(err, _("expected a range like 150ms..300ms for %s, got \"%s\""),
				    o->key, text);
			return false;
		}
		memcpy(a, text, (size_t)(dots - text));
		a[dots - text] = '\0';
		strcpy(b, dots + 2);
		if (!simtime_parse(a, &out->i, 0) || !simtime_parse(b, &out->j, 0)) {
			sbuf_printf(err, _("expected a range like 150ms..300ms for %s, got \"%s\""),
				    o->key, text);
			return false;
		}
		if (out->j < out->i) {
			sbuf_printf(err, _("the range for %s must not end before it starts"),
				    o->key);
			return false;
		}
		if (out->i < o->min || out->j > o->max)
			goto range_err;
		return true;
	}
	case OPT_CHOICE: {
		const char *p = o->choices;
		for (int k = 0; *p; k++) {
			size_t len = strcspn(p, "|");
			if (len == strlen(text) && !strncmp(p, text, len)) {
				out->i = k;
				return true;
			}
			p += len;
			if (*p == '|')
				p++;
		}
		sbuf_printf(err, _("%s must be one of %s, got \"%s\""), o->key, o->choices, text);
		return false;
	}
	case OPT_SET: {
		out->i = 0;
		if (!strcmp(text, "none"))
			return true;
		for (const char *t = text;;) {
			size_t tl = strcspn(t, ",");
			const char *p = o->choices;
			int k = 0;
			for (; *p; k++) {
				size_t len = strcspn(p, "|");
				if (len == tl && !strncmp(p, t, len))
					break;
				p += len;
				if (*p == '|')
					p++;
			}
			if (!*p || k > 62) {
				sbuf_printf(err,
					    _("%s=%.*s: not one of none|%s (join several with ,)"),
					    o->key, (int)tl, t, o->choices);
				return false;
			}
			out->i |= (int64_t)1 << k;
			t += tl;
			if (!*t)
				return true;
			t++;
		}
	}
	}
	return false;
bounds:
	if (out->i >= o->min && out->i <= o->max)
		return true;
range_err:
	simtime_fmt_dur(o->min, a, sizeof a);
	simtime_fmt_dur(o->max, b, sizeof b);
	sbuf_printf(err, _("%s must be between %s and %s, got %s"), o->key, a, b, text);
	return false;
}

void proto_option_fmt(const struct proto_ops *ops, int idx, const struct opt_value *v,
		      struct sbuf *out)
{
	const struct proto_option *o = &ops->options[idx];
	char a[32], b[32];
	switch (o->kind) {
	case OPT_INT: sbuf_printf(out, "%lld", (long long)v->i); break;
	case OPT_BOOL: sbuf_puts(out, v->i ? "on" : "off"); break;
	case OPT_DURATION: sbuf_puts(out, simtime_fmt_dur(v->i, a, sizeof a)); break;
	case OPT_RANGE:
		sbuf_printf(out, "%s..%s", simtime_fmt_dur(v->i, a, sizeof a),
			    simtime_fmt_dur(v->j, b, sizeof b));
		break;
	case OPT_CHOICE: {
		const char *p = o->choices;
		for (int64_t k = 0; k < v->i && *p; k++) {
			p += strcspn(p, "|");
			if (*p == '|')
				p++;
		}
		sbuf_add(out, p, strcspn(p, "|"));
		break;
	}
	case OPT_SET: {
		if (!v->i) {
			sbuf_puts(out, "none");
			break;
		}
		const char *p = o->choices;
		bool first = true;
		for (int k = 0; *p && k < 63; k++) {
			size_t len = strcspn(p, "|");
			if (v->i & ((int64_t)1 << k)) {
				if (!first)
					sbuf_puts(out, ",");
				sbuf_add(out, p, len);
				first = false;
			}
			p += len;
			if (*p == '|')
				p++;
		}
		break;
	}
	}
}

struct sim *sim_new(const struct proto_ops *ops, const struct proto_opts *opts, int n,
		    uint64_t seed)
{
	struct proto_opts def;
	if (!opts) {
		proto_opts_default(ops, &def);
		opts = &def;
	}
	return sim_create(&ops->node, opts, sizeof *opts, n, seed);
}

int proto_leader(struct sim *s)
{
	int best = -1;
	int64_t best_term = -2;
	for (int i = 0; i < sim_nodes(s); i++) {
		struct node *n = sim_node(s, i);
		if (!n->up || !sim_proto(s)->status)
			continue;
		struct node_status st;
		sim_proto(s)->status(n->self, &st);
		if (st.kind == ROLE_LEADER && st.term > best_term) {
			best = i;
			best_term = st.term;
		}
	}
	return best;
}

void view_add_timer(struct node_view *v, const char *name, enum view_timer_kind kind, int peer,
		    sim_time armed_at, sim_time fires_at)
{
	if (v->ntimers >= VIEW_TIMERS || fires_at <= armed_at)
		return;
	struct view_timer *t = &v->timers[v->ntimers++];
	ns_strlcpy(t->name, name, sizeof t->name);
	t->kind = (uint8_t)kind;
	t->peer = (int16_t)peer;
	t->armed_at = armed_at;
	t->fires_at = fires_at;
}

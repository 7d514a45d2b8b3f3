/*
 * printer.c — trace events as text: a human-readable line for logs (the
 * `netsplit run` output and the screen's event log) and a JSON object per
 * event for tools (`netsplit run --json`; fields in docs/TRACE.md).
 *
 * Both are deterministic: the same run prints the same bytes.
 *
 * Keys, values, notes and expect texts come from the user's files, and a
 * quoted string may hold any byte: a text line has every control
 * character but the newlines and tabs of multi-line texts (a checker's
 * explanation) escaped (sbuf_put_printable: ESC as \e, ...), so that a
 * scenario cannot retitle or clear the terminal it is run in; a line
 * without one is unchanged. JSON strings are escaped by sbuf_json_str.
 */
#include "script/script.h"

#include "util/i18n.h"

#include <stdlib.h>

static void node_name(struct sbuf *out, int i)
{
	if (i >= 0)
		sbuf_printf(out, "n%d", i + 1);
	else
		sbuf_puts(out, "-");
}

static void op_result(const struct client_op *op, struct sbuf *out)
{
	kv_op_fmt(&op->op, out);
	if (op->outcome == OUT_OK && op->op.fn == KV_GET) {
		if (op->found)
			sbuf_printf(out, " -> %s", op->result);
		else
			sbuf_puts(out, " -> (absent)");
	}
}

static bool format_raw(const struct sim *s, const struct trace_event *ev, struct sbuf *out)
{
	char tb[32];
	switch (ev->kind) {
	case TR_SEND:
	case TR_TIMER:
	case TR_STEP: return false;
	default: break;
	}
	sbuf_printf(out, "%11s  ", simtime_fmt(ev->at, tb, sizeof tb));
	switch (ev->kind) {
	case TR_DELIVER:
	case TR_DROP:
		sbuf_printf(out, "n%d -> n%d ", ev->msg->from + 1, ev->msg->to + 1);
		sim_describe_msg(s, ev->msg, out);
		if (ev->msg->flags & MSG_DUPLICATE)
			sbuf_puts(out, " (duplicate)");
		if (ev->kind == TR_DROP)
			sbuf_printf(out, " -- %s: %s", _("dropped"),
				    _(drop_reason_str(ev->reason)));
		break;
	case TR_STATE:
		node_name(out, ev->node);
		sbuf_printf(out, " %s", ev->text);
		break;
	case TR_FAULT: sbuf_printf(out, "! %s", ev->text); break;
	case TR_INVOKE:
		sbuf_printf(out, "c%d %s ", ev->op->client, _("invokes"));
		kv_op_fmt(&ev->op->op, out);
		sbuf_printf(out, " %s n%d", _("at"), ev->op->node + 1);
		break;
	case TR_COMPLETE:
		sbuf_printf(out, "c%d %s ", ev->op->client, op_outcome_str(ev->op->outcome));
		op_result(ev->op, out);
		sbuf_printf(out, " (n%d", ev->op->node + 1);
		if (ev->op->outcome != OUT_OK && ev->op->why[0])
			sbuf_printf(out, ", %s", ev->op->why);
		sbuf_puts(out, ")");
		break;
	case TR_EXPECT:
	case TR_REFUSED:
	case TR_NOTE: sbuf_puts(out, ev->text); break;
	default: break;
	}
	return true;
}

bool trace_format(const struct sim *s, const struct trace_event *ev, struct sbuf *out)
{
	size_t start = out->len;
	if (!format_raw(s, ev, out))
		return false;
	if (!ns_printable(out->s + start, NS_PRINT_LINES)) {
		char *raw = xstrdup(out->s + start);
		out->len = start;
		out->s[start] = '\0';
		sbuf_put_printable(out, raw, NS_PRINT_LINES);
		free(raw);
	}
	return true;
}

static const char *kind_name(enum trace_kind k)
{
	switch (k) {
	case TR_SEND: return "send";
	case TR_DELIVER: return "deliver";
	case TR_DROP: return "drop";
	case TR_TIMER: return "timer";
	case TR_STATE: return "state";
	case TR_FAULT: return "fault";
	case TR_INVOKE: return "invoke";
	case TR_COMPLETE: return "complete";
	case TR_EXPECT: return "expect";
	case TR_NOTE: return "note";
	case TR_STEP: return "step";
	case TR_REFUSED: return "refused";
	}
	return "?";
}

static void json_node(struct sbuf *out, const char *key, int i)
{
	if (i >= 0)
		sbuf_printf(out, ",\"%s\":\"n%d\"", key, i + 1);
}

bool trace_format_json(const struct sim *s, const struct trace_event *ev, struct sbuf *out)
{
	if (ev->kind == TR_STEP)
		return false;
	sbuf_printf(out, "{\"t\":%lld,\"kind\":\"%s\"", (long long)ev->at, kind_name(ev->kind));
	switch (ev->kind) {
	case TR_SEND:
	case TR_DELIVER:
	case TR_DROP: {
		const struct msg *m = ev->msg;
		sbuf_printf(out, ",\"id\":%u,\"from\":\"n%d\",\"to\":\"n%d\",\"type\":", m->id,
			    m->from + 1, m->to + 1);
		sbuf_json_str(out, sim_msg_name(s, m));
		sbuf_printf(out, ",\"sent\":%lld,\"arrives\":%lld,\"bytes\":%u",
			    (long long)m->sent_at, (long long)m->arrives_at, m->len);
		if (m->flags & MSG_DUPLICATE)
			sbuf_puts(out, ",\"duplicate\":true");
		if (ev->kind == TR_DROP) {
			sbuf_puts(out, ",\"reason\":");
			sbuf_json_str(out, drop_reason_str(ev->reason));
		}
		struct sbuf d = {0};
		sim_describe_msg(s, m, &d);
		sbuf_puts(out, ",\"desc\":");
		sbuf_json_str(out, sbuf_str(&d));
		sbuf_free(&d);
		break;
	}
	case TR_TIMER:
		json_node(out, "node", ev->node);
		sbuf_printf(out, ",\"timer\":%d", ev->timer);
		break;
	case TR_STATE:
	case TR_FAULT:
	case TR_NOTE:
		json_node(out, "node", ev->node);
		json_node(out, "peer", ev->peer);
		sbuf_puts(out, ",\"text\":");
		sbuf_json_str(out, ev->text ? ev->text : "");
		break;
	case TR_INVOKE:
	case TR_COMPLETE: {
		const struct client_op *op = ev->op;
		struct sbuf d = {0};
		kv_op_fmt(&op->op, &d);
		sbuf_printf(out, ",\"op\":%u,\"client\":\"c%d\",\"node\":\"n%d\",\"f\":", op->id,
			    op->client, op->node + 1);
		sbuf_json_str(out, kv_fn_name(op->op.fn));
		sbuf_puts(out, ",\"key\":");
		sbuf_json_str(out, op->op.key);
		sbuf_puts(out, ",\"desc\":");
		sbuf_json_str(out, sbuf_str(&d));
		sbuf_free(&d);
		if (ev->kind == TR_COMPLETE) {
			sbuf_printf(out, ",\"outcome\":\"%s\",\"invoked\":%lld,\"attempts\":%d",
				    op_outcome_str(op->outcome), (long long)op->invoked,
				    op->attempts);
			if (op->outcome == OUT_OK && op->op.fn == KV_GET) {
				sbuf_puts(out, ",\"value\":");
				if (op->found)
					sbuf_json_str(out, op->result);
				else
					sbuf_puts(out, "null");
			}
			if (op->outcome != OUT_OK && op->why[0]) {
				sbuf_puts(out, ",\"why\":");
				sbuf_json_str(out, op->why);
			}
		}
		break;
	}
	case TR_EXPECT:
		sbuf_printf(out, ",\"ok\":%s,\"text\":", ev->ok ? "true" : "false");
		sbuf_json_str(out, ev->text);
		break;
	case TR_REFUSED:
		sbuf_printf(out, ",\"expected\":%s,\"text\":", ev->ok ? "true" : "false");
		sbuf_json_str(out, ev->text);
		break;
	case TR_STEP: break;
	}
	sbuf_putc(out, '}');
	return true;
}

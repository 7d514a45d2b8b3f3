/*
 * help.c — `help` and tab completion, both generated from the tables: the
 * built-in commands and predicates, the protocols, and the running
 * protocol's options, commands and predicates.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <string.h>

static void help_row(struct sbuf *out, const char *name, const char *usage, const char *help)
{
	struct sbuf head = {0};
	sbuf_printf(&head, "%s%s%s", name, usage && *usage ? " " : "", usage ? usage : "");
	if (head.len < 34)
		sbuf_printf(out, "  %-34s %s\n", sbuf_str(&head), _(help));
	else
		sbuf_printf(out, "  %s\n  %-34s %s\n", sbuf_str(&head), "", _(help));
	sbuf_free(&head);
}

static const struct proto_ops *current(struct world *w)
{
	return w && w->sim ? sim_proto(w->sim) : NULL;
}

static void help_preds(struct world *w, struct sbuf *out)
{
	sbuf_printf(out, "%s\n",
		    _("Predicates (expect, run until, lesson goals; combine with not, and, or):"));
	for (int i = 0; script_preds[i].name; i++)
		help_row(out, script_preds[i].name, script_preds[i].usage, script_preds[i].help);
	const struct proto_ops *p = current(w);
	for (int i = 0; p && p->preds && p->preds[i].name; i++)
		help_row(out, p->preds[i].name, p->preds[i].usage, p->preds[i].help);
}

static void help_protocol(const struct proto_ops *p, struct sbuf *out)
{
	sbuf_printf(out, "%s — %s\n", p->name, _(p->summary));
	if (p->options && p->options[0].key) {
		sbuf_printf(
		    out, "%s\n",
		    _("Options (cluster ... KEY=VALUE; * may change while running with `set`):"));
		for (int i = 0; p->options[i].key; i++) {
			struct sbuf u = {0};
			if (p->options[i].kind == OPT_CHOICE)
				sbuf_printf(&u, "%s=%s%s", p->options[i].key, p->options[i].choices,
					    p->options[i].live ? " *" : "");
			else
				sbuf_printf(&u, "%s=%s%s", p->options[i].key, p->options[i].def,
					    p->options[i].live ? " *" : "");
			help_row(out, sbuf_str(&u), NULL, p->options[i].help);
			sbuf_free(&u);
		}
	}
	if (p->commands && p->commands[0].name) {
		sbuf_printf(out, "%s\n", _("Commands:"));
		for (int i = 0; p->commands[i].name; i++)
			help_row(out, p->commands[i].name, p->commands[i].usage,
				 p->commands[i].help);
	}
	if (p->preds && p->preds[0].name) {
		sbuf_printf(out, "%s\n", _("Predicates:"));
		for (int i = 0; p->preds[i].name; i++)
			help_row(out, p->preds[i].name, p->preds[i].usage, p->preds[i].help);
	}
}

void script_help(struct world *w, const char *topic, struct sbuf *out)
{
	const struct proto_ops *p = current(w);
	if (topic) {
		bool found = false;
		for (int i = 0; script_commands[i].name; i++)
			if (!strcmp(script_commands[i].name, topic)) {
				help_row(out, script_commands[i].name, script_commands[i].usage,
					 script_commands[i].help);
				found = true;
			}
		if (!strcmp(topic, "expect") || !strcmp(topic, "run")) {
			help_preds(w, out);
			found = true;
		}
		for (int i = 0;
		     script_preds[i].name && strcmp(topic, "expect") && strcmp(topic, "run"); i++)
			if (!strcmp(script_preds[i].name, topic)) {
				help_row(out, script_preds[i].name, script_preds[i].usage,
					 script_preds[i].help);
				found = true;
			}
		for (int i = 0; p && p->commands && p->commands[i].name; i++)
			if (!strcmp(p->commands[i].name, topic)) {
				help_row(out, p->commands[i].name, p->commands[i].usage,
					 p->commands[i].help);
				found = true;
			}
		for (int i = 0; p && p->preds && p->preds[i].name; i++)
			if (!strcmp(p->preds[i].name, topic)) {
				help_row(out, p->preds[i].name, p->preds[i].usage,
					 p->preds[i].help);
				found = true;
			}
		const struct proto_ops *named = proto_find(topic);
		if (named) {
			help_protocol(named, out);
			found = true;
		}
		if (!found)
			sbuf_printf(out, _("no help for \"%s\": try `help` for the list\n"), topic);
		return;
	}
	sbuf_printf(out, "%s\n",
		    _("Commands (durations take us, ms or s; nodes are n1, n2, ..., `leader`, "
		      "`all`, n1..n3):"));
	for (int i = 0; script_commands[i].name; i++)
		help_row(out, script_commands[i].name, script_commands[i].usage,
			 script_commands[i].help);
	if (p && p->commands && p->commands[0].name) {
		sbuf_printf(out, _("Commands of %s:\n"), p->name);
		for (int i = 0; p->commands[i].name; i++)
			help_row(out, p->commands[i].name, p->commands[i].usage,
				 p->commands[i].help);
	}
	help_preds(w, out);
	sbuf_printf(out, "%s\n", _("Protocols (help PROTOCOL for its options):"));
	for (int i = 0; proto_all[i]; i++)
		help_row(out, proto_all[i]->name, NULL, proto_all[i]->summary);
}

/* ---- completion --------------------------------------------------------------- */

struct comp {
	const char *prefix;
	size_t plen;
	void (*add)(void *ctx, const char *cand);
	void *ctx;
};

static void offer(struct comp *c, const char *cand)
{
	if (!strncmp(cand, c->prefix, c->plen))
		c->add(c->ctx, cand);
}

static void offer_nodes(struct comp *c, struct world *w)
{
	char name[16];
	int n = w && w->sim ? sim_nodes(w->sim) : 0;
	for (int i = 0; i < n; i++) {
		ns_snprintf(name, sizeof name, "n%d", i + 1);
		offer(c, name);
	}
	offer(c, "leader");
}

static void offer_preds(struct comp *c, struct world *w)
{
	for (int i = 0; script_preds[i].name; i++)
		offer(c, script_preds[i].name);
	const struct proto_ops *p = current(w);
	for (int i = 0; p && p->preds && p->preds[i].name; i++)
		offer(c, p->preds[i].name);
	offer(c, "not");
}

void script_complete(struct world *w, const char *line, int point,
		     void (*add)(void *ctx, const char *cand), void *ctx)
{
	/* Split the text before the cursor into words; the last one (maybe
	 * empty) is being completed. */
	char buf[512];
	size_t len = (size_t)point < sizeof buf - 1 ? (size_t)point : sizeof buf - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	const char *words[64];
	int nw = 0;
	char *s = buf;
	const char *last = "";
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		char *start = s;
		while (*s && *s != ' ')
			s++;
		if (!*s) {
			last = start;
			break;
		}
		*s++ = '\0';
		if (nw < 64)
			words[nw++] = start;
	}
	/* cluster raft 5 key=va|: complete the value of an option */
	const char *eq = strchr(last, '=');
	struct comp c = {last, strlen(last), add, ctx};
	if (nw == 0) {
		for (int i = 0; script_commands[i].name; i++)
			offer(&c, script_commands[i].name);
		const struct proto_ops *p = current(w);
		for (int i = 0; p && p->commands && p->commands[i].name; i++)
			offer(&c, p->commands[i].name);
		return;
	}
	const char *cmd = words[0];
	if (!strcmp(cmd, "cluster") || (!strcmp(cmd, "help") && nw == 1)) {
		if (nw == 1) {
			for (int i = 0; proto_all[i]; i++)
				offer(&c, proto_all[i]->name);
			if (!strcmp(cmd, "help"))
				for (int i = 0; script_commands[i].name; i++)
					offer(&c, script_commands[i].name);
			return;
		}
		if (!strcmp(cmd, "help"))
			return;
		const struct proto_ops *p = proto_find(words[1]);
		if (!p || nw < 3 || !p->options)
			return;
		char cand[128];
		for (int i = 0; p->options[i].key; i++) {
			size_t klen = strlen(p->options[i].key);
			if (eq && (size_t)(eq - last) == klen &&
			    !strncmp(last, p->options[i].key, klen)) {
				const char *choices = p->options[i].kind == OPT_BOOL
							  ? "on|off"
							  : p->options[i].choices;
				if (!choices) {
					ns_snprintf(cand, sizeof cand, "%s=%s", p->options[i].key,
						    p->options[i].def);
					offer(&c, cand);
					continue;
				}
				for (const char *q = choices; *q;) {
					size_t l = strcspn(q, "|");
					ns_snprintf(cand, sizeof cand, "%s=%.*s", p->options[i].key,
						    (int)l, q);
					offer(&c, cand);
					q += l;
					if (*q == '|')
						q++;
				}
			} else if (!eq) {
				ns_snprintf(cand, sizeof cand, "%s=", p->options[i].key);
				offer(&c, cand);
			}
		}
		return;
	}
	if (!strcmp(cmd, "set") && w && w->sim) {
		const struct proto_ops *p = sim_proto(w->sim);
		for (int i = 0; nw == 1 && p->options && p->options[i].key; i++)
			if (p->options[i].live)
				offer(&c, p->options[i].key);
		return;
	}
	if (!strcmp(cmd, "expect") ||
	    (!strcmp(cmd, "run") && nw >= 2 && !strcmp(words[1], "until"))) {
		const char *prev = words[nw - 1];
		if (!strcmp(prev, "expect") || !strcmp(prev, "until") || !strcmp(prev, "and") ||
		    !strcmp(prev, "or") || !strcmp(prev, "not")) {
			offer_preds(&c, w);
			return;
		}
		offer_nodes(&c, w);
		offer(&c, "and");
		offer(&c, "or");
		if (!strcmp(cmd, "run"))
			offer(&c, "timeout");
		return;
	}
	if (!strcmp(cmd, "run") && nw == 1) {
		offer(&c, "until");
		return;
	}
	if (!strcmp(cmd, "link") || !strcmp(cmd, "net")) {
		static const char *const settings[] = {"latency", "jitter",    "loss",
						       "dup",     "bandwidth", "reset"};
		if (!strcmp(cmd, "link") && nw < 3)
			offer_nodes(&c, w);
		else
			for (size_t i = 0; i < ARRAY_LEN(settings); i++)
				offer(&c, settings[i]);
		return;
	}
	if (!strcmp(cmd, "clock")) {
		if (nw == 1)
			offer_nodes(&c, w);
		else {
			offer(&c, "skew");
			offer(&c, "drift");
			offer(&c, "reset");
		}
		return;
	}
	if (!strcmp(cmd, "put") || !strcmp(cmd, "get") || !strcmp(cmd, "cas") ||
	    !strcmp(cmd, "append")) {
		if (!strcmp(words[nw - 1], "via"))
			offer_nodes(&c, w);
		else if (nw >= 2) {
			offer(&c, "via");
			offer(&c, "as");
		}
		return;
	}
	if (!strcmp(cmd, "client")) {
		static const char *const settings[] = {"latency", "attempt",   "timeout",
						       "backoff", "redirects", "stick"};
		for (size_t i = 0; i < ARRAY_LEN(settings); i++)
			offer(&c, settings[i]);
		return;
	}
	/* crash, restart, partition, cut, heal, protocol commands, at ...: nodes */
	offer_nodes(&c, w);
	if (!strcmp(cmd, "crash") || !strcmp(cmd, "restart") || !strcmp(cmd, "partition"))
		offer(&c, "all");
}

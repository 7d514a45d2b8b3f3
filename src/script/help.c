/*
 * help.c — `help` and tab completion, both generated from the tables: the
 * rows of the built-in commands (cmd.c) and predicates (pred.c), the
 * protocols, and the running protocol's options, commands and predicates.
 * What to complete after a command's name is its row's `complete`.
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
	int i = 0;
	sbuf_printf(out, "%s\n",
		    _("Predicates (expect, run until, lesson goals; combine with not, and, or):"));
	for (const struct cmd_info *r; (r = script_pred(i)); i++)
		help_row(out, r->name, r->usage, r->help);
	const struct proto_pred *pp;
	for (i = 0; (pp = script_proto_pred(current(w), i)); i++)
		help_row(out, pp->name, pp->usage, pp->help);
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
			if (p->options[i].kind == OPT_SET)
				sbuf_printf(&u, "%s=none|%s%s", p->options[i].key,
					    p->options[i].choices, p->options[i].live ? " *" : "");
			else if (p->options[i].kind == OPT_CHOICE)
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
	if (script_proto_pred(p, 0)) {
		sbuf_printf(out, "%s\n", _("Predicates:"));
		const struct proto_pred *pp;
		for (int i = 0; (pp = script_proto_pred(p, i)); i++)
			help_row(out, pp->name, pp->usage, pp->help);
	}
}

void script_help(struct world *w, const char *topic, struct sbuf *out)
{
	const struct proto_ops *p = current(w);
	if (topic) {
		bool found = false;
		const struct cmd_entry *e = cmd_find(topic);
		if (e) {
			help_row(out, e->info.name, e->info.usage, e->info.help);
			found = true;
		}
		if (!strcmp(topic, "expect") || !strcmp(topic, "run")) {
			help_preds(w, out);
			found = true;
		}
		const struct pred_entry *g = pred_find(topic);
		if (g && strcmp(topic, "expect") && strcmp(topic, "run")) {
			help_row(out, g->info.name, g->info.usage, g->info.help);
			found = true;
		}
		for (int i = 0; p && p->commands && p->commands[i].name; i++)
			if (!strcmp(p->commands[i].name, topic)) {
				help_row(out, p->commands[i].name, p->commands[i].usage,
					 p->commands[i].help);
				found = true;
			}
		const struct proto_pred *pp;
		for (int i = 0; (pp = script_proto_pred(p, i)); i++)
			if (!strcmp(pp->name, topic)) {
				help_row(out, pp->name, pp->usage, pp->help);
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
	int i = 0;
	for (const struct cmd_info *r; (r = script_command(i)); i++)
		help_row(out, r->name, r->usage, r->help);
	if (p && p->commands && p->commands[0].name) {
		sbuf_printf(out, _("Commands of %s:\n"), p->name);
		for (i = 0; p->commands[i].name; i++)
			help_row(out, p->commands[i].name, p->commands[i].usage,
				 p->commands[i].help);
	}
	help_preds(w, out);
	sbuf_printf(out, "%s\n", _("Protocols (help PROTOCOL for its options):"));
	for (i = 0; proto_all[i]; i++)
		help_row(out, proto_all[i]->name, NULL, proto_all[i]->summary);
}

/* ---- completion --------------------------------------------------------------- */

void comp_offer(struct comp *k, const char *cand)
{
	if (!strncmp(cand, k->prefix, k->plen))
		k->add(k->ctx, cand);
}

void comp_nodes(struct comp *k, struct world *w)
{
	char name[16];
	int n = w && w->sim ? sim_nodes(w->sim) : 0;
	for (int i = 0; i < n; i++) {
		ns_snprintf(name, sizeof name, "n%d", i + 1);
		comp_offer(k, name);
	}
	comp_offer(k, "leader");
}

void comp_preds(struct comp *k, struct world *w)
{
	for (int i = 0; script_pred(i); i++)
		comp_offer(k, script_pred(i)->name);
	const struct proto_pred *pp;
	for (int i = 0; (pp = script_proto_pred(current(w), i)); i++)
		comp_offer(k, pp->name);
	comp_offer(k, "not");
}

void comp_pred_words(struct comp *k, struct world *w, const char *const *words, int nw,
		     bool timeout)
{
	const char *prev = words[nw - 1];
	if (!strcmp(prev, "expect") || !strcmp(prev, "until") || !strcmp(prev, "and") ||
	    !strcmp(prev, "or") || !strcmp(prev, "not")) {
		comp_preds(k, w);
		return;
	}
	comp_nodes(k, w);
	comp_offer(k, "and");
	comp_offer(k, "or");
	if (timeout)
		comp_offer(k, "timeout");
}

void comp_proto_cmds(struct comp *k, struct world *w)
{
	const struct proto_ops *p = current(w);
	for (int i = 0; p && p->commands && p->commands[i].name; i++)
		comp_offer(k, p->commands[i].name);
}

void comp_command(struct comp *k, struct world *w, const char *const *words, int nw)
{
	const struct cmd_entry *e = cmd_find(words[0]);
	if (e) {
		if (e->complete)
			e->complete(k, w, words, nw);
		return;
	}
	/* a protocol's command: its arguments are mostly nodes */
	const struct proto_ops *p = current(w);
	for (int i = 0; p && p->commands && p->commands[i].name; i++)
		if (!strcmp(p->commands[i].name, words[0]))
			comp_nodes(k, w);
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
	struct comp k = {last, strlen(last), add, ctx};
	if (nw == 0) {
		for (int i = 0; script_command(i); i++)
			comp_offer(&k, script_command(i)->name);
		comp_proto_cmds(&k, w);
		return;
	}
	comp_command(&k, w, words, nw);
}

/*
 * cmd_text.c — the commands that only print: `note TEXT` (a line in the
 * trace) and `help [TOPIC]` (generated from the tables, see help.c). One
 * row each in cmd_text_table.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct text_args {
	char *str; /* the rest of the line, words joined by one space */
};

static bool text_parse(struct parser *p, struct cmd *c)
{
	struct text_args *a = c->args;
	struct sbuf b = {0};
	while (!p_at_end(p)) {
		const struct token *t = p_next(p);
		sbuf_printf(&b, "%s%s", b.len ? " " : "", t->text);
	}
	a->str = sbuf_take(&b);
	return true;
}

static void text_free(void *args)
{
	free(((struct text_args *)args)->str);
}

static int note_exec(struct exec_ctx *x)
{
	const struct text_args *a = x->args;
	sim_note(x->w->sim, TR_NOTE, -1, -1, "%s", a->str);
	return 0;
}

static int help_exec(struct exec_ctx *x)
{
	const struct text_args *a = x->args;
	struct sbuf h = {0};
	script_help(x->w, a->str && *a->str ? a->str : NULL, &h);
	world_say(x->w, OUT_HELP, "%s", sbuf_str(&h));
	sbuf_free(&h);
	return 0;
}

/* help is not part of what happened: it is not recorded */
static void help_record(struct world *w, const struct cmd *c, sim_time t)
{
	(void)w;
	(void)c;
	(void)t;
}

static void help_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	(void)w;
	(void)words;
	if (nw > 1)
		return;
	for (int i = 0; proto_all[i]; i++)
		comp_offer(k, proto_all[i]->name);
	for (int i = 0; script_command(i); i++)
		comp_offer(k, script_command(i)->name);
}

const struct cmd_entry cmd_text_table[] = {
    {.info = {"note", "TEXT", N_("print a line in the event log"),
	      "note the leader is about to fail"},
     .size = sizeof(struct text_args),
     .parse = text_parse,
     .exec = note_exec,
     .free = text_free},
    {.info = {"help", "[COMMAND]", N_("list commands and predicates, or explain one"), "help cut"},
     .flags = CMD_NO_CLUSTER,
     .size = sizeof(struct text_args),
     .parse = text_parse,
     .exec = help_exec,
     .complete = help_complete,
     .free = text_free,
     .record = help_record},
    {.info = {NULL, NULL, NULL, NULL}},
};

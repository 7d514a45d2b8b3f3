/*
 * cmd.c — the table of built-in commands: the families, in the order `help`
 * lists them, and the bridge to a protocol's own commands.
 *
 * A built-in command is one row (struct cmd_entry) of its family's table:
 * name, usage, help, an example, parse, exec, completion. help, completion,
 * the parser's dispatch and the executor all walk these rows, so adding a
 * command to a family is one row (and its functions) in that family's file;
 * a new family is a new src/script/cmd_NAME.c and one line below.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <string.h>

extern const struct cmd_entry cmd_cluster_table[];
extern const struct cmd_entry cmd_time_table[];
extern const struct cmd_entry cmd_fault_table[];
extern const struct cmd_entry cmd_client_table[];
extern const struct cmd_entry cmd_expect_table[];
extern const struct cmd_entry cmd_bind_table[];
extern const struct cmd_entry cmd_text_table[];

/* Each family's table ends with a row whose name is NULL. */
static const struct cmd_entry *const families[] = {
    cmd_cluster_table, /* cluster, seed, set */
    cmd_time_table,    /* run, step, at, after */
    cmd_fault_table,   /* crash, restart, partition, cut, heal, link, net, clock */
    cmd_client_table,  /* put, get, cas, append, client, workload */
    cmd_expect_table,  /* expect, try */
    cmd_bind_table,    /* let, mark */
    cmd_text_table,    /* note, help */
};

const struct cmd_entry *cmd_entry_at(int i)
{
	if (i < 0)
		return NULL;
	for (size_t f = 0; f < ARRAY_LEN(families); f++)
		for (const struct cmd_entry *e = families[f]; e->info.name; e++)
			if (i-- == 0)
				return e;
	return NULL;
}

const struct cmd_entry *cmd_find(const char *name)
{
	for (size_t f = 0; f < ARRAY_LEN(families); f++)
		for (const struct cmd_entry *e = families[f]; e->info.name; e++)
			if (!strcmp(e->info.name, name))
				return e;
	return NULL;
}

const struct cmd_info *script_command(int i)
{
	const struct cmd_entry *e = cmd_entry_at(i);
	return e ? &e->info : NULL;
}

/* ---- a protocol's commands ------------------------------------------------------ */

/* parse_cmd fills proto and pcmd before calling parse. */
struct proto_cmd_args {
	const struct proto_ops *proto;
	const struct proto_cmd *pcmd;
	struct pargs pargs;
};

static bool proto_parse(struct parser *p, struct cmd *c)
{
	struct proto_cmd_args *a = c->args;
	return p_usage(p, a->pcmd->usage, &a->pargs) && p_end(p);
}

static int proto_exec(struct exec_ctx *x)
{
	const struct proto_cmd_args *a = x->args;
	struct sim *s = x->w->sim;
	if (sim_proto(s) != a->proto)
		return exec_fail(x, x->c->col,
				 _("the running protocol is %s, which has no command %s"),
				 sim_proto(s)->name, a->pcmd->name);
	struct proto_args args;
	struct sbuf m = {0};
	int rc = pargs_resolve(x->w, &a->pargs, &args, &m);
	if (rc == RES_OK)
		rc = a->pcmd->run(s, &args, &m);
	if (rc < 0) {
		/* PROTO_REFUSED (== RES_REFUSED): the cluster cannot do it now */
		if (rc == PROTO_REFUSED)
			exec_refuse(x, x->c->col, "%s", sbuf_str(&m));
		else
			exec_fail(x, x->c->col, "%s", sbuf_str(&m));
		sbuf_free(&m);
		return -1;
	}
	sbuf_free(&m);
	world_fault(x->w, -1, -1, x->c->src);
	return 0;
}

static void proto_free(void *args)
{
	pargs_free(&((struct proto_cmd_args *)args)->pargs);
}

const struct cmd_entry cmd_proto_entry = {
    .info = {"(protocol command)", NULL, NULL, NULL},
    .size = sizeof(struct proto_cmd_args),
    .parse = proto_parse,
    .exec = proto_exec,
    .free = proto_free,
};

bool cmd_proto_lookup(struct parser *p, const char *name, struct cmd *c)
{
	for (int i = 0; p->proto && p->proto->commands && p->proto->commands[i].name; i++)
		if (!strcmp(p->proto->commands[i].name, name)) {
			struct proto_cmd_args *a = xcalloc(1, sizeof *a);
			a->proto = p->proto;
			a->pcmd = &p->proto->commands[i];
			c->e = &cmd_proto_entry;
			c->args = a;
			return true;
		}
	return false;
}

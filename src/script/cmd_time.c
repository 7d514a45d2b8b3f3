/*
 * cmd_time.c — the commands about simulated time: `run DURATION`, `run
 * until PRED [timeout DURATION]`, `step [N]`, and scheduling another
 * command with `at TIME` or `after DURATION`. One row each in
 * cmd_time_table.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* ---- run DURATION | until PRED [timeout DURATION] ------------------------------ */

struct run_args {
	sim_time dur;      /* run: how long; run until: the timeout */
	struct pred *pred; /* run until; NULL: run DURATION */
};

static bool run_parse(struct parser *p, struct cmd *c)
{
	struct run_args *a = c->args;
	if (p_accept_word(p, "until")) {
		a->dur = 10 * SIM_S;
		if (!(a->pred = p_pred(p, "timeout")))
			return false;
		if (p_accept_word(p, "timeout") && !p_duration(p, &a->dur, false))
			return false;
		return p_end(p);
	}
	return p_duration(p, &a->dur, false) && p_end(p);
}

static bool until_pred(void *ctx, struct sim *s)
{
	(void)s;
	struct exec_ctx *x = ctx;
	const struct run_args *a = x->args;
	return pred_eval(x->w, a->pred, NULL);
}

static int run_exec(struct exec_ctx *x)
{
	const struct run_args *a = x->args;
	struct sim *s = x->w->sim;
	if (!a->pred) {
		sim_run_until(s, sim_now(s) + a->dur);
		return 0;
	}
	sim_time start = sim_now(s);
	bool held = sim_run_while(s, start + a->dur, until_pred, x);
	char tb[32], db[32];
	struct sbuf why = {0};
	pred_eval(x->w, a->pred, &why);
	if (held)
		sim_note(s, TR_NOTE, -1, -1, _("run until %s: held at %s (%s)"), a->pred->text,
			 simtime_fmt(sim_now(s), tb, sizeof tb), sbuf_str(&why));
	else
		sim_note(s, TR_NOTE, -1, -1, _("run until %s: still false after %s (%s)"),
			 a->pred->text, simtime_fmt_dur(a->dur, db, sizeof db), sbuf_str(&why));
	sbuf_free(&why);
	return 0;
}

static void run_free(void *args)
{
	pred_free(((struct run_args *)args)->pred);
}

static void run_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	if (nw >= 2 && !strcmp(words[1], "until"))
		comp_pred_words(k, w, words, nw, true);
	else if (nw == 1)
		comp_offer(k, "until");
}

bool cmd_time_is_run(const struct cmd *c, sim_time *dur)
{
	if (c->e->exec != run_exec || ((const struct run_args *)c->args)->pred)
		return false;
	*dur = ((const struct run_args *)c->args)->dur;
	return true;
}

/* ---- step [N] --------------------------------------------------------------------- */

struct step_args {
	int count;
};

static bool step_parse(struct parser *p, struct cmd *c)
{
	struct step_args *a = c->args;
	a->count = 1;
	if (!p_at_end(p)) {
		uint64_t n;
		const struct token *t = p_peek(p);
		if (!p_uint(p, &n, _("a number of events")))
			return false;
		if (n < 1 || n > 1000000000) {
			p_error(p, t, "%s", _("expected a number of events from 1 to 1000000000"));
			return false;
		}
		a->count = (int)n;
	}
	return p_end(p);
}

static int step_exec(struct exec_ctx *x)
{
	const struct step_args *a = x->args;
	for (int i = 0; i < a->count; i++)
		if (!sim_step(x->w->sim))
			break;
	return 0;
}

/* ---- at TIME COMMAND, after DURATION COMMAND -------------------------------------- */

struct at_args {
	sim_time t; /* at: the time; after: the delay */
	struct cmd *sub;
};

static bool at_parse(struct parser *p, struct cmd *c)
{
	struct at_args *a = c->args;
	if (!p_duration(p, &a->t, false))
		return false;
	if (p_at_end(p)) {
		p_error(p, p_peek(p), "%s", _("expected a command to run"));
		return false;
	}
	const struct token *t = p_peek(p);
	const struct cmd_entry *e = t->kind == TK_WORD ? cmd_find(t->text) : NULL;
	if (e && (e->flags & CMD_UNSCHEDULED)) {
		p_error(p, t, _("`%s` cannot be scheduled"), t->text);
		return false;
	}
	int first = p->ln->tok[0].col;
	a->sub = parse_cmd(p);
	if (!a->sub)
		return false;
	/* the scheduled command's own text: the line from its first word */
	free(a->sub->src);
	a->sub->src = xstrdup(p->ln->src + (a->sub->col - first));
	return true;
}

struct sched {
	struct world *w;
	const struct cmd *c;
	const char *file;
};

static void run_scheduled(void *ctx, struct sim *s, uint64_t arg)
{
	(void)arg;
	struct sched *sc = ctx;
	struct sbuf err = {0};
	int rc = world_exec(sc->w, sc->c, sc->file, &err, NULL);
	if (rc == WORLD_REFUSED) {
		world_refused(sc->w, sc->c, sc->file, false);
		sc->w->refused++;
	} else if (rc < 0) {
		sc->w->async_errors++;
		sim_note(s, TR_NOTE, -1, -1, _("error: %s"), sbuf_str(&err));
	}
	sbuf_free(&err);
	/* sc stays in w->scheds until the sim goes: its slot is not reused */
}

static int schedule(struct exec_ctx *x, sim_time at)
{
	const struct at_args *a = x->args;
	struct world *w = x->w;
	struct sim *s = w->sim;
	char tb[32], nb[32];
	if (!x->owner)
		return exec_fail(x, x->c->col, "%s", _("`at` cannot be nested"));
	if (at < sim_now(s))
		return exec_fail(x, x->c->col, _("%s is in the past: the time is %s"),
				 simtime_fmt(at, tb, sizeof tb),
				 simtime_fmt(sim_now(s), nb, sizeof nb));
	struct sched *sc = xmalloc(sizeof *sc);
	xgrow((void **)&w->scheds, &w->scheds_cap, (size_t)w->nscheds + 1, sizeof(void *));
	w->scheds[w->nscheds++] = sc;
	sc->w = w;
	sc->c = a->sub;
	sc->file = x->owner->file;
	/* The scheduled command belongs to its script: keep the script. */
	xgrow((void **)&w->kept, &w->kept_cap, (size_t)w->nkept + 1, sizeof *w->kept);
	w->kept[w->nkept++] = (struct script *)x->owner;
	((struct script *)x->owner)->refs++;
	sim_schedule(s, at, run_scheduled, sc, 0);
	return 0;
}

static int at_exec(struct exec_ctx *x)
{
	return schedule(x, ((const struct at_args *)x->args)->t);
}

static int after_exec(struct exec_ctx *x)
{
	return schedule(x, sim_now(x->w->sim) + ((const struct at_args *)x->args)->t);
}

/* at TIME |: a command that may be scheduled; at TIME CMD ...: as CMD. */
static void at_complete(struct comp *k, struct world *w, const char *const *words, int nw)
{
	if (nw == 2) {
		for (int i = 0; cmd_entry_at(i); i++)
			if (!(cmd_entry_at(i)->flags & CMD_UNSCHEDULED))
				comp_offer(k, cmd_entry_at(i)->info.name);
		comp_proto_cmds(k, w);
	} else if (nw > 2) {
		comp_command(k, w, words + 2, nw - 2);
	}
}

static void at_free(void *args)
{
	cmd_free(((struct at_args *)args)->sub);
}

/* ---- the table ---------------------------------------------------------------------- */

const struct cmd_entry cmd_time_table[] = {
    {.info = {"run", "DURATION | until PRED [timeout DURATION]",
	      N_("advance simulated time, or run until a predicate holds (default timeout "
		 "10s)"),
	      "run until leader timeout 5s"},
     .size = sizeof(struct run_args),
     .parse = run_parse,
     .exec = run_exec,
     .complete = run_complete,
     .free = run_free},
    {.info = {"step", "[N]", N_("process exactly one event (or N)"), "step 3"},
     .size = sizeof(struct step_args),
     .parse = step_parse,
     .exec = step_exec},
    {.info = {"at", "TIME COMMAND", N_("run COMMAND when simulated time reaches TIME"),
	      "at 1.5s crash n2"},
     .flags = CMD_UNSCHEDULED,
     .size = sizeof(struct at_args),
     .parse = at_parse,
     .exec = at_exec,
     .complete = at_complete,
     .free = at_free},
    {.info = {"after", "DURATION COMMAND", N_("run COMMAND after DURATION of simulated time"),
	      "after 200ms restart n2"},
     .flags = CMD_UNSCHEDULED,
     .size = sizeof(struct at_args),
     .parse = at_parse,
     .exec = after_exec,
     .complete = at_complete,
     .free = at_free},
    {.info = {NULL, NULL, NULL, NULL}},
};

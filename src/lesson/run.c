/*
 * run.c — playing a lesson: a step's set-up runs in the world, its goal is
 * evaluated against the running cluster whenever the caller asks (the
 * screen: after every frame; the autopilot test: before and after the
 * solution), hints come one at a time, and "show me" runs the solution.
 * Commands go through world_run, so a recorder sees them as it sees
 * anything typed.
 */
#include "lesson/lesson.h"

#include "util/i18n.h"

#include <string.h>

static bool run_script(struct lesson_run *r, const struct script *sc, struct sbuf *err)
{
	if (!sc)
		return true;
	enum exec_status st = world_run(r->world, sc, err);
	return st != EXEC_ERROR;
}

bool lesson_run_start(struct lesson_run *r, const struct lesson *l, struct world *w, int step,
		      struct sbuf *err)
{
	memset(r, 0, sizeof *r);
	r->lesson = l;
	r->world = w;
	r->step = step < 0 ? 0 : step > l->nsteps ? l->nsteps : step;
	if (r->step == l->nsteps)
		return true;
	/* Resuming in the middle: from the nearest step at or before this one
	 * whose set-up makes a cluster, every set-up and solution up to the
	 * step rebuild the state the step expects (a step without a set-up, or
	 * with an empty one, continues the last; one without a `cluster`
	 * command changes the cluster it finds). */
	int from = r->step;
	while (from > 0 && !(l->steps[from].setup && script_protocol(l->steps[from].setup, NULL)))
		from--;
	for (int i = from; i < r->step; i++) {
		if (!run_script(r, l->steps[i].setup, err))
			return false;
		if (!run_script(r, l->steps[i].solution, err))
			return false;
	}
	return run_script(r, l->steps[r->step].setup, err);
}

bool lesson_run_check(struct lesson_run *r, struct sbuf *why)
{
	if (r->step >= r->lesson->nsteps)
		return true;
	bool ok = pred_eval(r->world, r->lesson->steps[r->step].goal, why);
	if (ok)
		r->solved = true;
	return ok;
}

const char *lesson_run_hint(struct lesson_run *r)
{
	if (r->step >= r->lesson->nsteps)
		return NULL;
	const struct lesson_step *s = &r->lesson->steps[r->step];
	if (r->hints_shown >= s->nhints)
		return NULL;
	return s->hints[r->hints_shown++];
}

bool lesson_run_solve(struct lesson_run *r, struct sbuf *err)
{
	if (r->step >= r->lesson->nsteps)
		return false;
	r->shown = true;
	return run_script(r, r->lesson->steps[r->step].solution, err);
}

bool lesson_run_next(struct lesson_run *r, struct sbuf *err)
{
	if (r->step >= r->lesson->nsteps)
		return false;
	r->step++;
	r->hints_shown = 0;
	r->solved = r->shown = false;
	if (r->step == r->lesson->nsteps)
		return true;
	return run_script(r, r->lesson->steps[r->step].setup, err);
}

/*
 * run.c — playing a lesson: a step's set-up runs in the world, its goal is
 * evaluated against the running cluster whenever the caller asks, or at
 * every instant while lesson_run_advance lets time pass (the screen: so it
 * can stop at the first instant the goal holds; the autopilot test),
 * hints come one at a time, and "show me" plays the solution a command at
 * a time as simulated time reaches it, from the step's set-up. Commands go
 * through world_run and world_exec_line, so a recorder sees them as it
 * sees anything typed.
 */
#include "lesson/lesson.h"

#include "util/i18n.h"

#include <stdlib.h>
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
	r->play_until = -1;
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

int lesson_run_outcome(struct lesson_run *r, struct sbuf *why)
{
	if (r->step >= r->lesson->nsteps || !r->lesson->steps[r->step].predict)
		return -3;
	const struct lesson_question *q = r->lesson->steps[r->step].predict;
	int found = -1;
	for (int i = 0; i < q->nopt; i++) {
		if (!pred_eval(r->world, q->opt[i].when, NULL))
			continue;
		if (found >= 0) {
			if (why)
				sbuf_printf(why, "both \"%s\" and \"%s\" hold",
					    q->opt[found].when_text, q->opt[i].when_text);
			return -2;
		}
		found = i;
	}
	if (found < 0 && why)
		sbuf_puts(why, "no answer's `when:` holds");
	return found;
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
	lesson_run_end(r);
	r->step++;
	r->hints_shown = 0;
	r->solved = r->shown = false;
	if (r->step == r->lesson->nsteps)
		return true;
	return run_script(r, r->lesson->steps[r->step].setup, err);
}

/* ---- quiz order ------------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
	/* splitmix64's finaliser */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void lesson_quiz_order(uint64_t learner, const char *id, int q, int nopt, int *order)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over the lesson id */
	for (const char *p = id ? id : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	uint64_t state = mix64(learner ^ mix64(h ^ mix64((uint64_t)q + 1)));
	if (nopt > LESSON_MAX_OPTIONS)
		nopt = LESSON_MAX_OPTIONS;
	for (int i = 0; i < nopt; i++)
		order[i] = i;
	/* Fisher-Yates */
	for (int i = nopt - 1; i > 0; i--) {
		state = mix64(state + 0x9e3779b97f4a7c15ULL);
		int j = (int)(state % (uint64_t)(i + 1));
		int t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

/* ---- "show me", paced ------------------------------------------------------------ */

void lesson_run_end(struct lesson_run *r)
{
	pred_free(r->play_pred);
	r->play_pred = NULL;
	r->playing = false;
	r->play_until = -1;
}

bool lesson_run_show(struct lesson_run *r, struct sbuf *err)
{
	const struct lesson *l = r->lesson;
	int step = r->step;
	int hints = r->hints_shown;
	lesson_run_end(r);
	if (step >= l->nsteps || !lesson_run_start(r, l, r->world, step, err))
		return false;
	r->hints_shown = hints;
	r->shown = true;
	lesson_run_play(r, l->steps[step].solution_text, 0);
	return true;
}

void lesson_run_play(struct lesson_run *r, const char *text, sim_time gap)
{
	lesson_run_end(r);
	r->playing = true;
	r->play_text = text ? text : "";
	r->play_pos = 0;
	r->play_gap = gap;
	r->play_gapped = false;
}

int lesson_hint_commands(const char *hint, struct sbuf *out)
{
	int n = 0;
	for (const char *p = hint ? strstr(hint, ":`") : NULL; p; p = strstr(p, ":`")) {
		const char *end = strchr(p + 2, '`');
		if (!end)
			break;
		sbuf_printf(out, "%.*s\n", (int)(end - p - 2), p + 2);
		n++;
		p = end + 1;
	}
	return n;
}

static bool goal_holds(struct lesson_run *r)
{
	if (r->solved || r->step >= r->lesson->nsteps)
		return false;
	if (!pred_eval(r->world, r->lesson->steps[r->step].goal, NULL))
		return false;
	r->solved = true;
	return true;
}

/* A `run` line of the solution: "run D" or "run until P [timeout D]" (the
 * parser's default timeout, 10 s). Returns false when the line is another
 * command. */
static bool play_run_line(struct lesson_run *r, const char *line, struct sbuf *err, bool *bad)
{
	*bad = false;
	if (strncmp(line, "run ", 4))
		return false;
	const char *rest = line + 4 + strspn(line + 4, " \t");
	sim_time now = sim_now(world_sim(r->world));
	sim_time dur = 10 * SIM_S;
	if (strncmp(rest, "until ", 6)) {
		char word[64];
		size_t n = strcspn(rest, " \t#");
		ns_snprintf(word, sizeof word, "%.*s", (int)n, rest);
		if (!simtime_parse(word, &dur, 0)) {
			sbuf_printf(err, _("show me: bad duration in \"%s\""), line);
			*bad = true;
			return true;
		}
		r->play_until = now + dur;
		return true;
	}
	rest += 6;
	const char *to = strstr(rest, " timeout ");
	size_t plen = to ? (size_t)(to - rest) : strcspn(rest, "#");
	if (to && !simtime_parse(to + 9 + strspn(to + 9, " "), &dur, 0)) {
		sbuf_printf(err, _("show me: bad duration in \"%s\""), line);
		*bad = true;
		return true;
	}
	char *ptext = xstrndup(rest, plen);
	struct sbuf perr = {0};
	r->play_pred = pred_parse(ptext, NULL, 0, r->world, &perr);
	free(ptext);
	if (!r->play_pred) {
		sbuf_printf(err, _("show me: %s"), sbuf_str(&perr));
		sbuf_free(&perr);
		*bad = true;
		return true;
	}
	sbuf_free(&perr);
	r->play_until = now + dur;
	return true;
}

/* Runs solution lines until one lets time pass (a `run`) or the solution
 * ends. */
static enum lesson_adv play_lines(struct lesson_run *r, struct sbuf *err)
{
	const char *text = r->play_text ? r->play_text : "";
	while (r->playing && r->play_until < 0) {
		const char *p = text + r->play_pos;
		if (!*p) {
			lesson_run_end(r);
			break;
		}
		size_t n = strcspn(p, "\n");
		r->play_pos += n + (p[n] == '\n');
		char *line = xstrndup(p + strspn(p, " \t"), n - MIN(n, strspn(p, " \t")));
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		size_t len = strlen(line);
		while (len &&
		       (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len && r->play_gap > 0 && !r->play_gapped) {
			/* A person's delay first: this line again after it. */
			free(line);
			r->play_pos -= n + (p[n] == '\n');
			r->play_gapped = true;
			r->play_until = sim_now(world_sim(r->world)) + r->play_gap;
			break;
		}
		r->play_gapped = false;
		bool bad = false;
		if (!len || play_run_line(r, line, err, &bad)) {
			free(line);
			if (bad) {
				lesson_run_end(r);
				return LESSON_ADV_ERROR;
			}
			continue;
		}
		enum exec_status st = world_exec_line(r->world, line, err);
		free(line);
		if (st == EXEC_ERROR) {
			lesson_run_end(r);
			return LESSON_ADV_ERROR;
		}
		if (goal_holds(r)) {
			lesson_run_end(r);
			return LESSON_ADV_GOAL;
		}
	}
	return LESSON_ADV_TIME;
}

enum lesson_adv lesson_run_advance(struct lesson_run *r, sim_time to, struct sbuf *err)
{
	struct sim *s = world_sim(r->world);
	if (!s)
		return LESSON_ADV_TIME;
	if (!r->playing && goal_holds(r))
		return LESSON_ADV_GOAL; /* it held already (a command typed) */
	for (;;) {
		if (r->playing) {
			enum lesson_adv a = play_lines(r, err);
			if (a != LESSON_ADV_TIME)
				return a;
			s = world_sim(r->world); /* a solution may make a cluster */
		}
		sim_time now = sim_now(s);
		bool waiting = r->playing && r->play_until >= 0;
		if (waiting && r->play_pred && pred_eval(r->world, r->play_pred, NULL)) {
			/* `run until P` with P true already: as the language does,
			 * checked before the first event */
			pred_free(r->play_pred);
			r->play_pred = NULL;
			r->play_until = -1;
			continue;
		}
		sim_time limit = waiting ? MIN(to, r->play_until) : to;
		bool watch = !r->solved && r->step < r->lesson->nsteps;
		if (limit > now) {
			if (!watch && !r->play_pred) {
				world_advance_to(r->world, limit);
			} else {
				/* Every instant at which something happens, in turn:
				 * the goal is looked at after all of that instant's
				 * events (so a recording replays the same), and time
				 * stops there when it holds. */
				bool early = false;
				for (sim_time t; (t = sim_next_time(s)) <= limit;) {
					sim_run_until(s, t);
					if (goal_holds(r)) {
						lesson_run_end(r);
						return LESSON_ADV_GOAL;
					}
					if (r->play_pred &&
					    pred_eval(r->world, r->play_pred, NULL)) {
						early = true;
						break;
					}
				}
				if (!early)
					world_advance_to(r->world, limit);
			}
		}
		if (waiting && (sim_now(s) >= r->play_until ||
				(r->play_pred && pred_eval(r->world, r->play_pred, NULL)))) {
			pred_free(r->play_pred);
			r->play_pred = NULL;
			r->play_until = -1;
			continue; /* the next lines run now */
		}
		return LESSON_ADV_TIME;
	}
}

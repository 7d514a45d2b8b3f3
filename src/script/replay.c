/*
 * replay.c — playing a recorded session back, with seeking.
 *
 * A recording is the list of commands a session ran, each with the
 * simulated time it took effect, where the passage of time is itself a
 * command (`run DURATION`, `step`). Replaying them in order repeats the
 * session exactly. Seeking to time t replays from the start (or from the
 * current position, when t is ahead) and stops a `run` part-way at t:
 * running to t and then on to the run's end is the same as running to the
 * end at once, so the replay stays exact wherever it is paused.
 */
#include "script/script_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

struct replay {
	struct script *sc;
	sim_time *at; /* when each command took effect */
	int cur;      /* next command to run */
	bool in_run;  /* cmd[cur] is a `run` already started */
	sim_time run_end;
	sim_time duration;
};

struct replay *replay_new(const sim_time *at, const char *const *text, size_t n, sim_time duration,
			  struct sbuf *err)
{
	struct sbuf all = {0};
	for (size_t i = 0; i < n; i++) {
		if (strchr(text[i], '\n')) {
			sbuf_printf(err, _("recording line %zu holds a line break"), i + 1);
			sbuf_free(&all);
			return NULL;
		}
		sbuf_printf(&all, "%s\n", text[i]);
	}
	struct script *sc = script_parse_at(sbuf_str(&all), _("recording"), 1, NULL, err);
	sbuf_free(&all);
	if (!sc)
		return NULL;
	if ((size_t)sc->n != n) {
		sbuf_printf(
		    err, _("recording: %zu commands expected, %d found (empty or comment lines?)"),
		    n, sc->n);
		script_free(sc);
		return NULL;
	}
	struct replay *r = xcalloc(1, sizeof *r);
	r->sc = sc;
	r->at = xmalloc((n ? n : 1) * sizeof *r->at);
	memcpy(r->at, at, n * sizeof *at);
	r->duration = duration;
	return r;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	script_free(r->sc);
	free(r->at);
	free(r);
}

sim_time replay_duration(const struct replay *r)
{
	return r->duration;
}

bool replay_done(const struct replay *r)
{
	return r->cur >= r->sc->n;
}

void replay_rewind(struct replay *r)
{
	r->cur = 0;
	r->in_run = false;
}

/* Runs commands until simulated time reaches t or the recording ends.
 * The world must be the one this replay has driven from the start (or a
 * fresh one after replay_rewind). */
enum exec_status replay_seek(struct replay *r, struct world *w, sim_time t, struct sbuf *err)
{
	while (r->cur < r->sc->n) {
		const struct cmd *c = r->sc->cmd[r->cur];
		sim_time dur;
		if (cmd_time_is_run(c, &dur)) {
			if (!r->in_run) {
				if (!w->sim)
					break;
				r->run_end = sim_now(w->sim) + dur;
				r->in_run = true;
			}
			if (r->run_end > t) {
				world_advance_to(w, t);
				return EXEC_OK;
			}
			world_advance_to(w, r->run_end);
			r->in_run = false;
			r->cur++;
			continue;
		}
		if (r->at[r->cur] > t)
			break;
		r->cur++;
		if (world_run_one(w, r->sc, r->cur - 1, err) < 0)
			return EXEC_ERROR;
	}
	if (w->sim && sim_now(w->sim) < t && r->cur >= r->sc->n)
		world_advance_to(w, t);
	return EXEC_OK;
}

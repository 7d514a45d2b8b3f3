/*
 * tui_replay.c — a recording on the screen (`netsplit replay ID`, or the
 * home screen's recordings): play and pause (space), the speed (+ -), a
 * step to the next recorded command (.), seeking ([ and ] by a twentieth,
 * G to any time, a click on the bar), a progress bar with the time, and
 * take-over (T): the replay stops feeding the world, and keys and commands
 * act on it live.
 *
 * Live rewind (issue 11). In the sandbox, [ and G rewind the live session
 * itself: the recorder attached to the world since the cluster was made
 * holds every command with the simulated time it took effect, so that log
 * (flushed to now) becomes a replay whose end is the present, and the
 * screen seeks in it like in any recording. Playing on to the end (space,
 * ], G) is back at the present, live again. A key or command that changes
 * the world while rewound forks the timeline there: the replay stops, the
 * future after that instant is discarded (the recorder, refilled by the
 * replay, holds only the past), and the command runs live, with a message
 * saying so.
 *
 * Seeking is exact. Forwards, the replay simply plays on to the time
 * asked. Backwards, a simulation cannot be run in reverse: the replay is
 * rewound and re-run into a fresh world up to the time asked (replay_rewind
 * + tui_world_renew + replay_seek); by determinism that world is exactly
 * the one a straight run to that time gives. Its cost is that of
 * simulating from the start, a few milliseconds per simulated second.
 */
#include "tui/tui_internal.h"
#include "tui/tui_session.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static sim_time duration(const struct tui_session *s)
{
	sim_time d = replay_duration(s->rp);
	if (d < 0 && s->replayed.ncmds)
		d = s->replayed.cmds[s->replayed.ncmds - 1].at;
	return d < 0 ? 0 : d;
}

static sim_time now(struct tui_session *s)
{
	struct sim *sim = world_sim(tui_world(s->t));
	return sim ? sim_now(sim) : 0;
}

bool tui_replay_open(struct tui_session *s, struct sbuf *fail)
{
	store_recording_init(&s->replayed);
	int rc = store_recording_load(s->store, s->opt.replay_id, &s->replayed);
	if (rc < 0) {
		sbuf_printf(fail, "netsplit replay: %s\n", store_errmsg(s->store));
		return false;
	}
	sim_time *at = xmalloc((s->replayed.ncmds + 1) * sizeof *at);
	const char **text = xmalloc((s->replayed.ncmds + 1) * sizeof *text);
	for (size_t i = 0; i < s->replayed.ncmds; i++) {
		at[i] = s->replayed.cmds[i].at;
		text[i] = s->replayed.cmds[i].text;
	}
	struct sbuf err = {0};
	s->rp = replay_new(at, text, s->replayed.ncmds, s->replayed.duration, &err);
	free(at);
	free(text);
	if (!s->rp) {
		sbuf_printf(fail, "netsplit replay: %s\n", sbuf_str(&err));
		sbuf_free(&err);
		store_recording_close(&s->replayed);
		return false;
	}
	ns_snprintf(s->rec_title, sizeof s->rec_title, "%lld: %s", (long long)s->replayed.id,
		    s->replayed.title);
	s->replaying = true;
	/* The cluster's creation (at time 0) is shown before play starts. */
	enum exec_status st = replay_seek(s->rp, tui_world(s->t), 0, &err);
	if (st == EXEC_ERROR || !world_sim(tui_world(s->t))) {
		sbuf_printf(fail, "netsplit replay: %s\n",
			    err.len ? sbuf_str(&err) : _("the recording creates no cluster"));
		sbuf_free(&err);
		tui_replay_close(s);
		return false;
	}
	sbuf_free(&err);
	tui_set_running(s->t, true);
	tui_say(s->t, SS_OK, _("replaying recording %s: space pauses, [ ] G seek, T takes over"),
		s->rec_title);
	return true;
}

void tui_replay_close(struct tui_session *s)
{
	replay_free(s->rp);
	s->rp = NULL;
	s->replaying = false;
	s->live_rewind = false;
	store_recording_close(&s->replayed);
}

/* Moves the replay to time t (clamped to the recording), backwards by
 * re-simulating from the start. */
static void seek(struct tui_session *s, sim_time t)
{
	sim_time end = duration(s);
	t = MAX(0, MIN(t, end));
	struct sbuf err = {0};
	struct world *w = tui_world(s->t);
	if (t < now(s)) {
		replay_rewind(s->rp);
		w = tui_world_renew(s->t);
		tui_session_world_renewed(s);
	}
	if (replay_seek(s->rp, w, t, &err) == EXEC_ERROR) {
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
	} else {
		char tb[32], eb[32];
		tui_say(s->t, SS_DIM, _("at %s of %s"), simtime_fmt(now(s), tb, sizeof tb),
			simtime_fmt(end, eb, sizeof eb));
	}
	sbuf_free(&err);
	if (s->live_rewind && t >= end) {
		tui_replay_close(s);
		tui_say(s->t, SS_OK, "%s", _("back at the present: live again"));
		tui_set_running(s->t, tui_is_running(s->t));
		return;
	}
	/* Keep the clock's anchor where the replay now is. */
	tui_set_running(s->t, tui_is_running(s->t) && t < end);
}

bool tui_replay_advance(struct tui_session *s, sim_time to)
{
	sim_time end = duration(s);
	struct sbuf err = {0};
	if (replay_seek(s->rp, tui_world(s->t), MIN(to, end), &err) == EXEC_ERROR) {
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
		tui_set_running(s->t, false);
	}
	sbuf_free(&err);
	if (to >= end && s->live_rewind) {
		/* Back at the present: the session is live again. */
		tui_replay_close(s);
		tui_say(s->t, SS_OK, "%s", _("back at the present: live again"));
		return true;
	}
	if (to >= end) {
		tui_set_running(s->t, false);
		tui_say(s->t, SS_OK, "%s",
			_("end of the recording: T takes over and goes on live, [ or G seek"));
	}
	return true;
}

static void on_goto(void *ctx, const char *answer)
{
	struct tui_session *s = ctx;
	if (!answer || !s->rp || !s->replaying)
		return;
	while (*answer == ' ')
		answer++;
	sim_time t;
	size_t len = simtime_parse(answer, &t, 0);
	if (!len || answer[len]) {
		/* A plain number is seconds. */
		char *end;
		double v = strtod(answer, &end);
		if (end == answer || *end || v < 0) {
			tui_say(s->t, SS_ERROR, _("not a time: \"%s\" (like 12s, 1.5s or 800ms)"),
				answer);
			return;
		}
		t = (sim_time)(v * 1e6);
	}
	seek(s, t);
}

/* The next recorded command after now (not the passage of time). */
static sim_time next_command(struct tui_session *s)
{
	sim_time t = now(s);
	for (size_t i = 0; i < s->replayed.ncmds; i++)
		if (s->replayed.cmds[i].at > t && strncmp(s->replayed.cmds[i].text, "run ", 4))
			return s->replayed.cmds[i].at;
	return duration(s);
}

static bool changes_world(int act)
{
	switch (act) {
	case ACT_CRASH:
	case ACT_TRAITOR:
	case ACT_CUT:
	case ACT_CUT_ONEWAY:
	case ACT_PARTITION:
	case ACT_HEAL:
	case ACT_PUT:
	case ACT_GET:
	case ACT_WORKLOAD:
	case ACT_TIMEOUT:
	case ACT_PROMPT: return true;
	default: return false;
	}
}

bool tui_replay_act(struct tui_session *s, int act, int code)
{
	if (!s->replaying)
		return false;
	sim_time end = duration(s), step = MAX(end / 20, 100 * SIM_MS);
	switch (act) {
	case ACT_RUN:
		if (now(s) >= end)
			seek(s, 0);
		tui_set_running(s->t, !tui_is_running(s->t));
		return true;
	case ACT_STEP: {
		tui_set_running(s->t, false);
		seek(s, next_command(s));
		return true;
	}
	case ACT_SEEK_BACK: seek(s, now(s) - step); return true;
	case ACT_SEEK_FWD: seek(s, now(s) + step); return true;
	case ACT_GOTO: tui_ask(s->t, _("go to time (like 12s): "), on_goto, s); return true;
	case ACT_TAKEOVER:
		if (s->live_rewind) {
			char tb[32];
			simtime_fmt(now(s), tb, sizeof tb);
			tui_replay_close(s);
			tui_say(s->t, SS_OK,
				_("forked at %s: live from here, the rest is discarded"), tb);
			return true;
		}
		s->replaying = false;
		tui_say(s->t, SS_OK, "%s",
			_("taken over: the cluster is yours, live from here (R records)"));
		tui_set_running(s->t, tui_is_running(s->t));
		return true;
	default: break;
	}
	if (changes_world(act) && s->live_rewind) {
		/* A fork: the timeline goes on from here, the future is gone. */
		char tb[32], eb[32];
		simtime_fmt(now(s), tb, sizeof tb);
		simtime_fmt(end, eb, sizeof eb);
		tui_replay_close(s);
		tui_say(s->t, SS_ERROR,
			_("forked at %s: what happened after it (up to %s) is discarded"), tb, eb);
		char line[160];
		ns_snprintf(line, sizeof line,
			    _("forked at %s: what happened after it (up to %s) is discarded"), tb,
			    eb);
		tui_log(s->t, SS_ERROR, line);
		return false; /* the key acts, live */
	}
	if (changes_world(act)) {
		tui_say(s->t, SS_ERROR, "%s",
			_("this is a replay: T takes over, then keys and commands act on it"));
		return true;
	}
	(void)code;
	return false;
}

/* The live session as a replay of itself: the recorder's log up to now. */
static bool rewind_begin(struct tui_session *s)
{
	struct world *w = tui_world(s->t);
	struct sim *sim = world_sim(w);
	if (!sim || !s->rec_attached || s->nrec != 1 || tui_npanes(s->t) != 1)
		return false;
	world_record_flush(w);
	const struct store_recording *log = &s->rec[0].rec;
	store_recording_close(&s->replayed);
	store_recording_init(&s->replayed);
	sim_time *at = xmalloc((log->ncmds + 1) * sizeof *at);
	const char **text = xmalloc((log->ncmds + 1) * sizeof *text);
	for (size_t i = 0; i < log->ncmds; i++) {
		store_recording_add(&s->replayed, log->cmds[i].at, log->cmds[i].text);
		at[i] = log->cmds[i].at;
		text[i] = log->cmds[i].text;
	}
	s->replayed.duration = sim_now(sim);
	struct sbuf err = {0};
	s->rp = replay_new(at, text, log->ncmds, sim_now(sim), &err);
	free(at);
	free(text);
	if (!s->rp) {
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
		sbuf_free(&err);
		store_recording_close(&s->replayed);
		return false;
	}
	sbuf_free(&err);
	s->replaying = true;
	s->live_rewind = true;
	ns_snprintf(s->rec_title, sizeof s->rec_title, "%s", _("rewound"));
	return true;
}

bool tui_rewind_act(struct tui_session *s, int act)
{
	if (act != ACT_SEEK_BACK && act != ACT_GOTO)
		return false;
	if (tui_npanes(s->t) != 1 || !world_sim(tui_world(s->t)))
		return false;
	if (!rewind_begin(s))
		return false;
	tui_set_running(s->t, false);
	if (act == ACT_GOTO) {
		tui_ask(s->t, _("go back to time (like 12s): "), on_goto, s);
		return true;
	}
	sim_time end = duration(s), step = MAX(end / 20, 100 * SIM_MS);
	seek(s, now(s) - step);
	char tb[32], eb[32];
	tui_say(s->t, SS_OK,
		_("rewound to %s of %s: ] [ seek, space plays on to the present, a command forks "
		  "here"),
		simtime_fmt(now(s), tb, sizeof tb), simtime_fmt(end, eb, sizeof eb));
	return true;
}

/* A click on the progress bar seeks to the time under it. */
bool tui_replay_click(struct tui_session *s, int x, int y)
{
	if (!s->bar_w || y != s->bar_y || x < s->bar_x || x >= s->bar_x + s->bar_w)
		return false;
	double f = (double)(x - s->bar_x) / (double)(s->bar_w - 1 > 0 ? s->bar_w - 1 : 1);
	seek(s, (sim_time)(f * (double)duration(s)));
	return true;
}

void tui_replay_keys(struct tui_session *s)
{
	if (!s->replaying)
		return;
	s->nkeys = 0;
	bool running = tui_is_running(s->t);
	s->keys[s->nkeys++] = (struct scene_key){"space", running ? _("pause") : _("play")};
	s->keys[s->nkeys++] = (struct scene_key){".", _("step")};
	s->keys[s->nkeys++] = (struct scene_key){"[ ]", _("seek")};
	s->keys[s->nkeys++] = (struct scene_key){"G", _("go to")};
	s->keys[s->nkeys++] = (struct scene_key){"+ -", _("speed")};
	s->keys[s->nkeys++] = (struct scene_key){"T", _("take over")};
	s->keys[s->nkeys++] = (struct scene_key){"?", _("help")};
	s->keys[s->nkeys++] = (struct scene_key){"q", _("quit")};
}

/* The progress bar, over the event pane's top rule:
 *   replay 3: title  ▶ 1.250s ━━━━━━━━━─────── 4.000s */
void tui_replay_overlay(struct tui_session *s, struct scene *sc)
{
	struct scene_layout l;
	scene_layout(sc->w, sc->h, &l);
	int y = l.events.y;
	bool uni = sc->unicode;
	sim_time end = duration(s), t = now(s);
	char a[32], b[32], head[64];
	simtime_fmt(t / SIM_MS * SIM_MS, a, sizeof a);
	simtime_fmt(end / SIM_MS * SIM_MS, b, sizeof b);
	const char *state = tui_is_running(s->t) ? (uni ? "▶" : ">") : (uni ? "❚❚" : "||");
	ns_snprintf(head, sizeof head, " %s %s ", state, a);
	char tail[48];
	ns_snprintf(tail, sizeof tail, " %s ", b);
	char title[200];
	if (s->live_rewind)
		ns_snprintf(title, sizeof title, " %s ", s->rec_title);
	else
		ns_snprintf(title, sizeof title, " %s %s ", _("replay"), s->rec_title);
	int x = 1;
	int tw = MIN(scene_width(title), sc->w / 3);
	x += scene_text(sc, x, y, tw, SS_TITLE, title);
	x += scene_text(sc, x, y, -1, SS_BAR, head);
	int barw = sc->w - x - scene_width(tail) - 1;
	if (barw < 4)
		return;
	int filled = end > 0 ? (int)((double)barw * (double)MIN(t, end) / (double)end) : barw;
	struct sbuf bar = {0};
	for (int i = 0; i < barw; i++)
		sbuf_puts(&bar, i < filled ? (uni ? "━" : "=") : (uni ? "─" : "-"));
	scene_text(sc, x, y, barw, SS_OK, sbuf_str(&bar));
	s->bar_x = x;
	s->bar_y = y;
	s->bar_w = barw;
	scene_text(sc, x + barw, y, -1, SS_BAR, tail);
	sbuf_free(&bar);
}

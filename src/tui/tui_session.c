/*
 * tui_session.c — the screen's memory: the store opened as the command
 * line opens it (`--db PATH` or the default place, its message shown on
 * screen rather than on stderr), settings kept across runs (the speed,
 * and the colour theme saved by `netsplit themes --set`),
 * the `R` key's recordings, and the dispatch of the session's keys and
 * hooks to the lesson (tui_lesson.c) and the replay (tui_replay.c).
 *
 * Recording. A recorder is attached to every world before its first
 * command, so that it holds the session since the latest `cluster`; `R`
 * asks for a title and begins a recording, `R` again ends it and saves it
 * into the store. Quitting while recording saves it too. A recording thus
 * always starts from the cluster's creation, as replaying it exactly
 * requires, whenever `R` was pressed.
 */
#include "tui/tui_internal.h"
#include "tui/tui_session.h"
#include "tui/tui_theme.h"

#include "util/i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tui_session *tui_session_new(const struct tui_options *o)
{
	struct tui_session *s = xcalloc(1, sizeof *s);
	s->gloss_focus = -1;
	s->opt = *o;
	struct sbuf def = {0};
	const char *path = o->db_path;
	if (!path || !*path) {
		if (!store_default_path(&def))
			ns_strlcpy(s->store_msg, sbuf_str(&def), sizeof s->store_msg);
		path = sbuf_str(&def);
	}
	/* Like the command line: store_open never fails; what it did is said. */
	s->store = path && *path && !s->store_msg[0] ? store_open(path) : store_open_memory();
	const struct store_open_info *info = store_open_info(s->store);
	if (info->message && *info->message)
		ns_strlcpy(s->store_msg, info->message, sizeof s->store_msg);
	sbuf_free(&def);
	/* The saved colour theme, unless --theme chose one; a broken one is
	 * said on screen and the default kept. */
	char *theme = NULL;
	if (!tui_theme_chosen() && store_setting_get(s->store, "theme", &theme) >= 0 && theme) {
		struct sbuf err = {0};
		if (!tui_theme_select(theme, false, &err) && !s->store_msg[0])
			ns_snprintf(s->store_msg, sizeof s->store_msg,
				    _("the saved theme: %s; using the default"), sbuf_str(&err));
		sbuf_free(&err);
	}
	free(theme);
	lesson_lang(o->lang, s->lang, sizeof s->lang);
	s->chosen = -1;
	return s;
}

void tui_session_free(struct tui_session *s)
{
	if (!s)
		return;
	if (s->lessons_loaded)
		lesson_set_free(&s->lessons);
	glossary_free(&s->gloss);
	store_close(s->store);
	free(s);
}

void tui_session_lessons(struct tui_session *s)
{
	if (s->lessons_loaded)
		return;
	struct sbuf errors = {0};
	lesson_set_load(&s->lessons, lesson_dir(), s->lang, &errors);
	/* The first line is enough on screen; `netsplit lessons` lists all. */
	size_t n = strcspn(sbuf_str(&errors), "\n");
	ns_snprintf(s->lessons_err, sizeof s->lessons_err, "%.*s", (int)n, sbuf_str(&errors));
	sbuf_free(&errors);
	s->lessons_loaded = true;
}

bool tui_session_opens(const struct tui_options *o)
{
	return (o->lesson && *o->lesson) || o->replay_id > 0;
}

/* ---- settings ------------------------------------------------------------------- */

static void restore_settings(struct tui_session *s)
{
	/* The speed in hundredths ("speed_centi": 50 is 0.5x; an integer, so
	 * that the locale's decimal mark does not matter); files written
	 * before it keep an index into the old table of speeds ("speed"). */
	static const double old_speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};
	char *v = NULL;
	if (store_setting_get(s->store, "speed_centi", &v) >= 0 && v) {
		char *end;
		long c = strtol(v, &end, 10);
		if (!*end && c > 0 && c <= 100000)
			tui_set_speed_factor(s->t, (double)c / 100);
	} else if (store_setting_get(s->store, "speed", &v) >= 0 && v) {
		char *end;
		long i = strtol(v, &end, 10);
		if (!*end && i >= 0 && i < (long)ARRAY_LEN(old_speeds))
			tui_set_speed_factor(s->t, old_speeds[i]);
	}
	free(v);
}

static void save_settings(struct tui_session *s)
{
	char v[32];
	if (s->lesson)
		return; /* a lesson's speed is the lesson's, not a setting */
	ns_snprintf(v, sizeof v, "%ld", lround(tui_speed_factor(s->t) * 100));
	/* Not saving, or a newer file: the setting lives for this run only. */
	store_setting_set(s->store, "speed_centi", v);
}

/* ---- recording ------------------------------------------------------------------------ */

static void free_recorders(struct tui_session *s)
{
	if (s->rec_attached)
		for (int i = 0; i < s->nrec; i++)
			recorder_free(&s->rec[i]);
	s->rec_attached = false;
	s->nrec = 0;
}

/* A recorder on every pane's world (one, but for clusters side by side). */
static void attach_recorder(struct tui_session *s)
{
	free_recorders(s);
	s->nrec = MAX(1, MIN(tui_npanes(s->t), TUI_PANES_MAX));
	for (int i = 0; i < s->nrec; i++)
		recorder_attach(&s->rec[i],
				tui_pane(s->t, i) ? tui_pane(s->t, i)->w : tui_world(s->t));
	s->rec_attached = true;
}

static void stop_recording(struct tui_session *s, bool quiet)
{
	if (!s->recording)
		return;
	s->recording = false;
	struct sbuf why = {0};
	int64_t id = 0, first = 0;
	int rc = STORE_OK;
	for (int i = 0; i < s->nrec; i++) {
		recorder_end(&s->rec[i]);
		int r = recorder_save(&s->rec[i], s->store, &id, &why);
		if (!i)
			first = id;
		if (r != STORE_OK && rc == STORE_OK)
			rc = r;
	}
	if (quiet) {
		sbuf_free(&why);
		return;
	}
	if (rc == STORE_OK && s->nrec > 1)
		tui_say(s->t, SS_OK,
			_("recordings %lld to %lld saved, one per cluster: netsplit replay %lld"),
			(long long)first, (long long)id, (long long)first);
	else if (rc == STORE_OK)
		tui_say(s->t, SS_OK, _("recording %lld saved: netsplit replay %lld"), (long long)id,
			(long long)id);
	else if (rc == STORE_MEMORY_ONLY)
		tui_say(s->t, SS_ERROR,
			_("recording %lld kept for this session only: the store is not saving"),
			(long long)id);
	else
		tui_say(s->t, SS_ERROR, _("recording not saved: %s"), sbuf_str(&why));
	sbuf_free(&why);
}

static void on_title(void *ctx, const char *title)
{
	struct tui_session *s = ctx;
	if (!title) {
		tui_say(s->t, SS_DIM, "%s", _("not recording"));
		return;
	}
	while (*title == ' ')
		title++;
	struct sbuf why = {0};
	if (*title && !store_title_ok(title, &why)) { /* empty: "untitled" */
		tui_say(s->t, SS_ERROR, _("not recording: %s"), sbuf_str(&why));
		sbuf_free(&why);
		return;
	}
	for (int i = 0; i < s->nrec; i++) {
		/* Side by side: "TITLE · CP", "TITLE · AP". */
		struct tui_pane *p = s->nrec > 1 ? tui_pane(s->t, i) : NULL;
		char name[256];
		ns_snprintf(name, sizeof name, "%s%s%s", title, p ? " · " : "", p ? p->tag : "");
		recorder_begin(&s->rec[i], name);
	}
	s->recording = true;
	tui_say(s->t, SS_OK, "%s",
		_("recording: everything since the cluster was made is kept; R stops and saves"));
}

static void toggle_recording(struct tui_session *s)
{
	if (s->recording) {
		stop_recording(s, false);
		return;
	}
	if (!world_sim(tui_world(s->t))) {
		tui_say(s->t, SS_ERROR, "%s", _("nothing to record yet: no cluster"));
		return;
	}
	tui_ask(s->t, _("title of the recording: "), on_title, s);
}

/* ---- the hooks ------------------------------------------------------------------------ */

int tui_session_begin(struct tui_session *s, struct tui *t, const struct tui_options *o,
		      struct sbuf *fail)
{
	s->t = t;
	s->next = NEXT_QUIT;
	s->recording = false;
	restore_settings(s);
	attach_recorder(s);
	if (o->lesson && *o->lesson) {
		s->opt.lesson = o->lesson;
		return tui_lesson_open(s, fail) ? 0 : 2;
	}
	if (o->replay_id > 0) {
		s->opt.replay_id = o->replay_id;
		return tui_replay_open(s, fail) ? 0 : 2;
	}
	return 0;
}

void tui_session_end(struct tui_session *s)
{
	if (!s->t)
		return;
	/* Quitting while recording keeps the recording. */
	stop_recording(s, true);
	save_settings(s);
	tui_lesson_close(s);
	tui_replay_close(s);
	free_recorders(s);
	s->t = NULL;
}

/* The world was replaced (a replay seeking backwards): follow it. */
void tui_session_world_renewed(struct tui_session *s)
{
	bool was = s->recording;
	struct sbuf title = {0};
	if (was)
		sbuf_puts(&title, s->rec[0].rec.title ? s->rec[0].rec.title : "");
	/* The old world is gone: nothing to detach from (a replay: one pane). */
	s->rec[0].world = NULL;
	attach_recorder(s);
	if (was)
		recorder_begin(&s->rec[0], sbuf_str(&title));
	sbuf_free(&title);
}

bool tui_session_act(struct tui_session *s, int act, int code)
{
	if (!s->t)
		return false;
	if (act == ACT_RECORD) {
		toggle_recording(s);
		return true;
	}
	if (act == ACT_LESSONS) {
		s->next = NEXT_LESSONS;
		tui_quit(s->t);
		return true;
	}
	if (!s->rp && !s->lesson && tui_rewind_act(s, act))
		return true;
	if (s->rp && tui_replay_act(s, act, code))
		return true;
	if (s->lesson && tui_lesson_act(s, act, code))
		return true;
	return false;
}

bool tui_session_advance(struct tui_session *s, sim_time to)
{
	if (s->lesson)
		return tui_lesson_advance(s, to);
	return s->rp && s->replaying && tui_replay_advance(s, to);
}

void tui_session_frame(struct tui_session *s)
{
	if (s->lesson)
		tui_lesson_frame(s);
}

bool tui_session_busy(const struct tui_session *s)
{
	/* Nothing runs by itself while paused (a reached goal waits for n). */
	(void)s;
	return false;
}

void tui_session_snap(struct tui_session *s, struct scene_snap *snap)
{
	if (!s->t)
		return;
	s->nkeys = 0;
	if (s->recording)
		snap->status_right = tui_unicode(s->t) ? _("● REC") : _("* REC");
	if (s->lesson)
		tui_lesson_snap(s, snap);
	else if (s->rp)
		tui_replay_keys(s);
	if (s->nkeys) {
		snap->keys = s->keys;
		snap->nkeys = s->nkeys;
	}
}

bool tui_session_click(struct tui_session *s, int x, int y)
{
	return s->rp && s->replaying && tui_replay_click(s, x, y);
}

void tui_session_overlay(struct tui_session *s, struct scene *sc)
{
	s->bar_w = 0;
	if (s->rp && s->replaying)
		tui_replay_overlay(s, sc);
}

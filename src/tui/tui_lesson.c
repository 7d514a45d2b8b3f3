/*
 * tui_lesson.c — a lesson on the screen: the lesson pane beside the
 * cluster (title, step n/N, the step's text wrapped by display width, the
 * hints revealed so far, and the goal's status, live), the keys that play
 * it (n next step, N previous step, B again from step 1, H hint, S show
 * me, r restart the step, l the pane or the node's details), and the quiz
 * at the end.
 *
 * Pacing is the learner's. Every step, a restart of it (r) and "show me"
 * open paused right after the set-up, at the lesson's speed (1x), with
 * "space to start": nothing the step asks the learner to watch happens
 * before they have read it. While time runs, the goal is evaluated at
 * every instant at which something happened (lesson_run_advance), and
 * time stops at the first instant it holds: the step is marked done in
 * the store, the screen stays on that state (event log, history and views
 * all readable) and says "n: next step"; the next step's set-up runs only
 * when the learner asks. "Show me" runs the step's set-up again and plays
 * the solution a command at a time as simulated time reaches it, stopping
 * at the moment the goal holds. Progress goes to the store as it happens:
 * an attempt when a step starts or restarts, each hint, each "show me",
 * the position (so that `continue` resumes here), each quiz answer.
 */
#include "tui/tui_internal.h"
#include "tui/tui_session.h"

#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LESSON_SPEED 1.0 /* every step runs at 1x real time until the learner says */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *lesson_id(const struct tui_session *s)
{
	return s->lesson->id;
}

/* The width of the lesson pane for a screen w columns wide. */
static int pane_width(int w)
{
	return w >= 100 ? MIN(64, MAX(40, w * 2 / 5)) : 40;
}

/* The screen's speed set to the lesson's: the first of its speeds that is
 * at least LESSON_SPEED (the screen's table is its own). */
static void lesson_speed(struct tui_session *s)
{
	for (int i = 0; i < 64; i++) {
		tui_set_speed(s->t, i);
		if (tui_speed_factor(s->t) >= LESSON_SPEED - 1e-9 || tui_speed(s->t) != i)
			break;
	}
}

/* True when every quiz question of l has an answer in the store. */
static bool quiz_complete(struct store *st, const struct lesson *l)
{
	struct store_quiz_answer *qa = NULL;
	size_t nq = 0;
	int answered = 0;
	if (store_quiz_answers(st, l->id, &qa, &nq) >= 0)
		for (int q = 0; q < l->nquiz; q++) {
			bool seen = false;
			for (size_t k = 0; k < nq && !seen; k++)
				seen = qa[k].question == q;
			answered += seen;
		}
	free(qa);
	return answered == l->nquiz;
}

/* A hint as shown: a command written :`put x 1` (docs/LESSONS.md) shows
 * as typed, :put x 1. */
static const char *hint_text(const char *h, char *buf, size_t n)
{
	size_t o = 0;
	bool in_cmd = false;
	for (const char *p = h; *p && o + 1 < n; p++) {
		if (*p == '`' && (in_cmd || (p > h && p[-1] == ':' && strchr(p + 1, '`')))) {
			in_cmd = !in_cmd;
			continue;
		}
		buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

static uint64_t learner_seed(struct store *st);

/* ---- steps ------------------------------------------------------------------------- */

/* The run is at a new step (or restarted it): paused, at the lesson's
 * speed, waiting for space. `how` is what the message line says first. */
static void step_started(struct tui_session *s, const char *how)
{
	const struct lesson *l = s->lesson;
	s->solved_at = 0;
	s->pane_scroll = 0;
	s->why[0] = '\0';
	s->waiting = false;
	store_position_set(s->store, lesson_id(s), s->run.step);
	tui_set_running(s->t, false);
	if (s->run.step >= l->nsteps) {
		s->quiz = l->nquiz > 0;
		s->q = s->cursor = s->right = 0;
		s->chosen = -1;
		memset(s->result, -1, sizeof s->result);
		/* Steps skipped with n are not done: say so, not "every step". */
		int done = 0;
		for (int i = 0; i < l->nsteps; i++) {
			struct store_step ss;
			done += store_step_get(s->store, lesson_id(s), i, &ss) == 0 && ss.done_at;
		}
		if (s->quiz && done == l->nsteps)
			tui_say(s->t, SS_OK, "%s",
				_("every step done: now the quiz (1-9 or up/down and enter)"));
		else if (s->quiz)
			tui_say(s->t, SS_OK,
				_("%d of %d steps done (N goes back one); now the quiz (1-9 or "
				  "up/down and enter)"),
				done, l->nsteps);
		else
			tui_say(s->t, SS_OK, "%s",
				_("lesson done: B takes it again from step 1, L the lesson list"));
		return;
	}
	s->quiz = false;
	s->waiting = true;
	lesson_speed(s);
	store_step_attempt(s->store, lesson_id(s), s->run.step);
	int st = s->run.step;
	s->predicting = l->steps[st].predict && st < (int)sizeof s->predicted &&
			s->predicted[st] < 0 && !s->run.playing;
	s->pcursor = 0;
	if (how)
		tui_say(s->t, SS_KEY, "%s", how);
	else if (s->predicting)
		tui_say(s->t, SS_KEY,
			_("step %d/%d: %s · predict first: 1-9, or up/down and enter"), st + 1,
			l->nsteps, l->steps[st].title);
	else
		tui_say(s->t, SS_KEY, _("step %d/%d: %s · paused: read it, then space to start"),
			s->run.step + 1, l->nsteps, l->steps[s->run.step].title);
	char line[256];
	ns_snprintf(line, sizeof line, _("-- lesson %s, step %d/%d: %s"), l->id, s->run.step + 1,
		    l->nsteps, l->steps[s->run.step].title);
	tui_log(s->t, SS_TITLE, line);
}

/* ---- predictions ------------------------------------------------------------------- */

/* The answer of question q (number qi for the order) shown i-th:
 * shuffled per learner (lesson_quiz_order). */
static int shown_of(const struct tui_session *s, const struct lesson_question *q, int qi, int i)
{
	int order[LESSON_MAX_OPTIONS];
	if (q->nopt > LESSON_MAX_OPTIONS)
		return i;
	lesson_quiz_order(s->learner, s->lesson->id, qi, q->nopt, order);
	return order[i];
}

/* The same for the current step's prediction (question 1000 + step). */
static int pshown(const struct tui_session *s, int i)
{
	return shown_of(s, s->lesson->steps[s->run.step].predict, 1000 + s->run.step, i);
}

static void predict_answer(struct tui_session *s, int k)
{
	const struct lesson_question *q = s->lesson->steps[s->run.step].predict;
	if (k < 0 || k >= q->nopt)
		return;
	int a = pshown(s, k);
	s->predicted[s->run.step] = (signed char)a;
	s->predicting = false;
	char line[512];
	ns_snprintf(line, sizeof line, _("-- you predict: %s"), q->opt[a].text);
	tui_log(s->t, SS_KEY, line);
	tui_say(s->t, SS_KEY, "%s",
		_("prediction noted: now do the step (space starts time); the cluster will say"));
}

/* Keys while the prediction is asked: choose, and nothing runs before. */
static bool predict_act(struct tui_session *s, int act, int code)
{
	const struct lesson_question *q = s->lesson->steps[s->run.step].predict;
	switch (act) {
	case ACT_SELECT:
		if (code >= '1' && code <= '9')
			predict_answer(s, code - '1');
		return true;
	case ACT_UP:
	case ACT_PREV: s->pcursor = (s->pcursor + q->nopt - 1) % q->nopt; return true;
	case ACT_DOWN:
	case ACT_NEXT: s->pcursor = (s->pcursor + 1) % q->nopt; return true;
	case ACT_ENTER: predict_answer(s, s->pcursor); return true;
	case ACT_RUN:
	case ACT_STEP:
	case ACT_SHOW_ME:
	case ACT_HINT:
		tui_say(s->t, SS_KEY, "%s",
			_("predict first (1-9, or up/down and enter): then the cluster runs"));
		return true;
	default:
		if (code == '\r' || code == KEY_ENTER) {
			predict_answer(s, s->pcursor);
			return true;
		}
		return false;
	}
}

/* The goal held: what the cluster did, against what was predicted. */
static void prediction_marked(struct tui_session *s)
{
	int st = s->run.step;
	const struct lesson_question *q = s->lesson->steps[st].predict;
	if (!q || st >= (int)sizeof s->happened)
		return;
	int got = lesson_run_outcome(&s->run, NULL);
	s->happened[st] = (signed char)(got >= 0 ? got : -1);
	char line[512];
	if (got < 0)
		return;
	int said = s->predicted[st];
	if (said < 0)
		ns_snprintf(line, sizeof line, _("-- what happened: %s"), q->opt[got].text);
	else if (said == got)
		ns_snprintf(line, sizeof line, _("-- what happened: %s (as you predicted)"),
			    q->opt[got].text);
	else
		ns_snprintf(line, sizeof line, _("-- what happened: %s (you predicted: %s)"),
			    q->opt[got].text, q->opt[said].text);
	tui_log(s->t, said < 0 || said == got ? SS_OK : SS_ERROR, line);
}

/* The goal holds (the clock stopped at that instant): done, paused, kept
 * on screen until the learner asks for the next step. */
static void goal_reached(struct tui_session *s)
{
	const struct lesson *l = s->lesson;
	store_step_done(s->store, lesson_id(s), s->run.step);
	s->solved_at = now_s();
	s->waiting = false;
	tui_set_running(s->t, false);
	char tb[32];
	struct sim *sim = world_sim(tui_world(s->t));
	s->solved_sim = sim ? sim_now(sim) : 0;
	/* What the goal found true, in the predicates' own words: what to
	 * look at ("leader is n5 (term 4); n3 has an entry of term 1 at 3"). */
	struct sbuf why = {0};
	pred_eval(tui_world(s->t), l->steps[s->run.step].goal, &why);
	size_t wn = strcspn(sbuf_str(&why), "\n");
	ns_snprintf(s->why, sizeof s->why, "%.*s", (int)wn, sbuf_str(&why));
	sbuf_free(&why);
	bool last = s->run.step + 1 >= l->nsteps;
	simtime_fmt(sim ? sim_now(sim) : 0, tb, sizeof tb);
	if (s->run.shown)
		tui_say(s->t, SS_OK,
			last ? _("show me: paused at t=%s, the first instant the goal holds (what "
				 "held: in the pane) · n: the quiz")
			     : _("show me: paused at t=%s, the first instant the goal holds (what "
				 "held: in the pane) · n: next"),
			tb);
	else
		tui_say(s->t, SS_OK,
			last ? _("step %d done at t=%s · paused on that moment · n: the quiz")
			     : _("step %d done at t=%s · paused on that moment · n: next step"),
			s->run.step + 1, tb);
	char line[512];
	ns_snprintf(line, sizeof line, _("-- step %d done at t=%s: %s"), s->run.step + 1, tb,
		    s->why);
	tui_log(s->t, SS_OK, line);
	prediction_marked(s);
}

static void go_to(struct tui_session *s, int step, const char *how);

/* The next step. It continues from the state the goal was reached in when
 * the screen is still at that instant; after a skip, or once time ran on
 * past the goal, the state the next step expects is rebuilt from the
 * lesson's own path (lesson_run_start), so that it stays possible. */
static void go_next(struct tui_session *s)
{
	struct sim *sim = world_sim(tui_world(s->t));
	if (!s->run.solved || !sim || sim_now(sim) != s->solved_sim) {
		go_to(s, s->run.step + 1, NULL);
		return;
	}
	struct sbuf err = {0};
	bool ok = lesson_run_next(&s->run, &err);
	if (!ok && err.len) {
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
		sbuf_free(&err);
		return;
	}
	sbuf_free(&err);
	step_started(s, NULL);
}

/* Step `step` from scratch: the set-ups and solutions before it rebuild
 * what it expects (lesson_run_start). */
static void go_to(struct tui_session *s, int step, const char *how)
{
	struct sbuf err = {0};
	lesson_run_end(&s->run);
	if (!lesson_run_start(&s->run, s->lesson, tui_world(s->t), step, &err)) {
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
		sbuf_free(&err);
		return;
	}
	sbuf_free(&err);
	step_started(s, how);
}

bool tui_lesson_open(struct tui_session *s, struct sbuf *fail)
{
	tui_session_lessons(s);
	const struct lesson *l = lesson_set_find(&s->lessons, s->opt.lesson);
	if (!l) {
		sbuf_printf(fail, _("netsplit: no lesson \"%s\" in %s\n"), s->opt.lesson,
			    lesson_dir());
		if (s->lessons_err[0])
			sbuf_printf(fail, "%s\n", s->lessons_err);
		return false;
	}
	int step = -1;
	store_position_get(s->store, l->id, &step);
	/* A lesson left in its quiz goes back to the quiz; one finished (its
	 * quiz answered), or never begun, starts at its first step. */
	if (step < 0 || step > l->nsteps ||
	    (step == l->nsteps && (!l->nquiz || quiz_complete(s->store, l))))
		step = 0;
	s->lesson = l;
	s->pane = true;
	s->quiz = false;
	s->learner = learner_seed(s->store);
	memset(s->predicted, -1, sizeof s->predicted);
	memset(s->happened, -1, sizeof s->happened);
	s->predicting = false;
	s->glossary = false;
	s->gloss_focus = -1;
	struct sbuf gerr = {0};
	glossary_free(&s->gloss);
	glossary_load(&s->gloss, lesson_dir(), s->lang, &gerr); /* none: K says so */
	sbuf_free(&gerr);
	struct sbuf err = {0};
	memset(&s->run, 0, sizeof s->run);
	s->run.play_until = -1;
	/* Back in the quiz: beside it, the cluster as the last step left it
	 * (rather than no cluster at all). */
	bool ok = step == l->nsteps && l->nsteps > 0
		      ? lesson_run_start(&s->run, l, tui_world(s->t), step - 1, &err) &&
			    lesson_run_solve(&s->run, &err) && lesson_run_next(&s->run, &err)
		      : lesson_run_start(&s->run, l, tui_world(s->t), step, &err);
	if (!ok) {
		sbuf_printf(fail, "%s\n", sbuf_str(&err));
		sbuf_free(&err);
		s->lesson = NULL;
		return false;
	}
	sbuf_free(&err);
	step_started(s, NULL);
	return true;
}

void tui_lesson_close(struct tui_session *s)
{
	/* Left after a goal was reached: resume at the next step. */
	if (s->lesson && s->solved_at > 0 && s->run.step < s->lesson->nsteps)
		store_position_set(s->store, s->lesson->id, s->run.step + 1);
	lesson_run_end(&s->run);
	glossary_free(&s->gloss);
	s->glossary = false;
	s->lesson = NULL;
	s->quiz = false;
	s->solved_at = 0;
	s->waiting = false;
	for (int i = 0; i < s->nlines; i++)
		free(s->text[i]);
	s->nlines = 0;
}

bool tui_lesson_advance(struct tui_session *s, sim_time to)
{
	const struct lesson *l = s->lesson;
	if (s->run.step >= l->nsteps || (s->run.solved && !s->run.playing))
		return false;
	struct sbuf err = {0};
	enum lesson_adv a = lesson_run_advance(&s->run, to, &err);
	if (a == LESSON_ADV_GOAL)
		goal_reached(s);
	else if (a == LESSON_ADV_ERROR)
		tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
	sbuf_free(&err);
	return true;
}

void tui_lesson_frame(struct tui_session *s)
{
	const struct lesson *l = s->lesson;
	if (s->run.step >= l->nsteps || s->run.solved)
		return;
	struct sbuf why = {0};
	if (lesson_run_check(&s->run, &why)) {
		/* It holds after a command typed, or a step with `.`. */
		lesson_run_end(&s->run);
		goal_reached(s);
	} else {
		size_t n = strcspn(sbuf_str(&why), "\n");
		ns_snprintf(s->why, sizeof s->why, "%.*s", (int)n, sbuf_str(&why));
	}
	sbuf_free(&why);
}

/* ---- the quiz ---------------------------------------------------------------------- */

/* The learner's seed for the order of quiz answers: made once, kept in the
 * store's settings, so a learner sees the same order again (and another
 * learner another one). */
static uint64_t learner_seed(struct store *st)
{
	char *v = NULL;
	uint64_t seed = 0;
	if (store_setting_get(st, "learner", &v) >= 0 && v) {
		char *end;
		seed = strtoull(v, &end, 10);
		if (!*end && *v) {
			free(v);
			return seed;
		}
	}
	free(v);
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(&seed, sizeof seed, 1, f) != 1) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
	}
	if (f)
		fclose(f);
	char buf[32];
	ns_snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
	store_setting_set(st, "learner", buf);
	return seed;
}

/* The answer of the current question shown i-th. */
static int shown(const struct tui_session *s, int i)
{
	return shown_of(s, &s->lesson->quiz[s->q], s->q, i);
}

static void quiz_answer(struct tui_session *s, int k)
{
	const struct lesson_question *q = &s->lesson->quiz[s->q];
	if (s->chosen >= 0 || k < 0 || k >= q->nopt)
		return;
	s->chosen = k;
	s->cursor = k;
	int a = shown(s, k); /* the answer as written in the lesson */
	bool ok = q->opt[a].correct;
	s->right += ok;
	if (s->q < (int)sizeof s->result)
		s->result[s->q] = ok;
	store_quiz_answer(s->store, lesson_id(s), s->lesson->nsteps, s->q, a, ok);
	tui_say(s->t, ok ? SS_OK : SS_ERROR, "%s",
		ok ? _("right: enter for the next question")
		   : _("not quite: read why, then enter for the next question"));
}

static bool quiz_act(struct tui_session *s, int act, int code)
{
	const struct lesson *l = s->lesson;
	if (s->q >= l->nquiz) {
		if (act == ACT_ENTER || code == '\r' || code == KEY_ENTER) {
			s->next = NEXT_LESSONS;
			tui_quit(s->t);
			return true;
		}
		return act == ACT_SELECT;
	}
	const struct lesson_question *q = &l->quiz[s->q];
	switch (act) {
	case ACT_SELECT:
		if (code >= '1' && code <= '9')
			quiz_answer(s, code - '1');
		return true;
	case ACT_UP:
	case ACT_PREV:
		if (s->chosen < 0)
			s->cursor = (s->cursor + q->nopt - 1) % q->nopt;
		return true;
	case ACT_DOWN:
	case ACT_NEXT:
		if (s->chosen < 0)
			s->cursor = (s->cursor + 1) % q->nopt;
		return true;
	default: break;
	}
	if (act == ACT_ENTER || code == '\r' || code == KEY_ENTER || act == ACT_LESSON_NEXT) {
		if (s->chosen < 0) {
			quiz_answer(s, s->cursor);
			return true;
		}
		s->q++;
		s->chosen = -1;
		s->cursor = 0;
		s->pane_scroll = 0;
		if (s->q >= l->nquiz)
			tui_say(s->t, SS_OK, _("quiz done: %d of %d right"), s->right, l->nquiz);
		else
			tui_say(s->t, SS_DIM, _("question %d of %d"), s->q + 1, l->nquiz);
		return true;
	}
	return false;
}

/* ---- keys ---------------------------------------------------------------------------- */

bool tui_lesson_act(struct tui_session *s, int act, int code)
{
	const struct lesson *l = s->lesson;
	if (act == ACT_LESSON_FIRST) {
		go_to(s, 0, NULL);
		return true;
	}
	if (act == ACT_GLOSSARY) {
		s->glossary = !s->glossary && s->gloss.n > 0;
		s->gloss_focus = -1;
		s->pane = true;
		s->pane_scroll = 0;
		if (!s->gloss.n)
			tui_say(s->t, SS_ERROR, "%s",
				_("no glossary found in the lessons directory"));
		return true;
	}
	if (s->quiz && quiz_act(s, act, code))
		return true;
	if (s->predicting && s->run.step < l->nsteps && act != ACT_LESSON_NEXT &&
	    act != ACT_LESSON_PREV && act != ACT_RESTART && predict_act(s, act, code))
		return true;
	bool in_step = s->run.step < l->nsteps;
	struct sbuf err = {0};
	switch (act) {
	case ACT_PANE: s->pane = !s->pane; return true;
	case ACT_RUN:
		if (!s->waiting)
			return false; /* the screen's run or pause */
		s->waiting = false;
		tui_set_running(s->t, true);
		tui_say(s->t, SS_DIM, "%s",
			s->run.playing ? _("show me: playing the solution; space pauses")
				       : _("running; space pauses"));
		return true;
	case ACT_STEP:
		/* The screen steps one event: the step has begun. */
		s->waiting = false;
		return false;
	case ACT_PGUP:
	case ACT_PGDN:
		if (!s->pane || !tui_view_is_cluster(s->t))
			return false;
		s->pane_scroll = MAX(0, s->pane_scroll + (act == ACT_PGDN ? 5 : -5));
		return true;
	case ACT_LESSON_NEXT:
		if (!in_step)
			return true;
		if (!s->run.solved)
			tui_log(s->t, SS_DIM, _("-- step skipped"));
		go_next(s);
		return true;
	case ACT_LESSON_PREV:
		if (s->run.step > 0)
			go_to(s, s->run.step - 1, NULL);
		else
			tui_say(s->t, SS_DIM, "%s", _("this is the first step"));
		return true;
	case ACT_HINT: {
		if (!in_step)
			return true;
		const char *h = lesson_run_hint(&s->run);
		if (!h) {
			tui_say(s->t, SS_DIM, "%s", _("no more hints: S shows the solution"));
			return true;
		}
		store_step_hint(s->store, lesson_id(s), s->run.step);
		s->pane = true;
		char shown[512];
		tui_say(s->t, SS_KEY, _("hint %d: %s"), s->run.hints_shown,
			hint_text(h, shown, sizeof shown));
		return true;
	}
	case ACT_SHOW_ME: {
		if (!in_step)
			return true;
		const struct lesson_step *st = &l->steps[s->run.step];
		store_step_shown(s->store, lesson_id(s), s->run.step);
		if (!lesson_run_show(&s->run, &err)) {
			tui_say(s->t, SS_ERROR, "%s", sbuf_str(&err));
			sbuf_free(&err);
			return true;
		}
		sbuf_free(&err);
		step_started(s,
			     _("show me: from the set-up; space plays it, stopping when the goal "
			       "holds"));
		tui_log(s->t, SS_TITLE, _("-- show me: the solution, as commands"));
		/* Each line as it will run, so the learner can type it next time. */
		const char *p = st->solution_text ? st->solution_text : "";
		while (*p) {
			size_t n = strcspn(p, "\n");
			char line[200];
			ns_snprintf(line, sizeof line, "  :%.*s", (int)n, p + strspn(p, " "));
			if (n > strspn(p, " "))
				tui_log(s->t, SS_KEY, line);
			p += n;
			if (*p)
				p++;
		}
		return true;
	}
	case ACT_RESTART:
		if (in_step)
			go_to(s, s->run.step,
			      _("the step's set-up ran again · paused: space to start"));
		return true;
	default: return false;
	}
}

/* ---- the pane ------------------------------------------------------------------------- */

struct emit_ctx {
	struct tui_session *s;
	int style;
	const char *prefix; /* the first line's */
	int indent;         /* the others' */
	bool first;
};

static void add_line(struct tui_session *s, int style, const char *text)
{
	if (s->nlines >= TUI_PANE_MAX)
		return;
	/* The side pane skips an empty line: a blank keeps its row. */
	s->text[s->nlines] = xstrdup(*text ? text : " ");
	s->lines[s->nlines] = (struct scene_line){s->text[s->nlines], (uint8_t)style};
	s->nlines++;
}

static void emit(void *ctx, const char *line, size_t len)
{
	struct emit_ctx *e = ctx;
	char buf[1024];
	ns_snprintf(buf, sizeof buf, "%*s%s%.*s", e->first ? 0 : e->indent, "",
		    e->first ? e->prefix : "", (int)len, line);
	add_line(e->s, e->style, buf);
	e->first = false;
}

/* Text wrapped to width, the first line after `prefix`, the others indented
 * as far. */
static void add_wrapped(struct tui_session *s, int style, const char *prefix, const char *text,
			int width)
{
	int pw = scene_width(prefix);
	struct emit_ctx e = {s, style, prefix, pw, true};
	tui_wrap(text, MAX(8, width - pw), emit, &e);
}

/* After the final exam: what the learner did over the whole course, from
 * the store (steps, hints, solutions shown, quiz scores), lesson by
 * lesson. */
static void course_lines(struct tui_session *s, int width, bool uni)
{
	tui_session_lessons(s);
	const struct lesson_set *set = &s->lessons;
	struct store_tally sum = {0};
	int steps = 0, questions = 0, complete = 0;
	struct store_tally *t = xcalloc((size_t)set->n + 1, sizeof *t);
	for (int i = 0; i < set->n; i++) {
		const struct lesson *l = set->v[i];
		store_lesson_tally(s->store, l->id, l->nsteps, l->nquiz, &t[i]);
		steps += l->nsteps;
		questions += l->nquiz;
		sum.done += t[i].done;
		sum.hints += t[i].hints;
		sum.shown += t[i].shown;
		sum.right += t[i].right;
		complete += t[i].done == l->nsteps && t[i].answered == l->nquiz;
	}
	char head[160];
	if (complete == set->n)
		ns_snprintf(head, sizeof head, "%s", _("Course complete"));
	else
		ns_snprintf(head, sizeof head, _("The course so far: %d of %d lessons complete"),
			    complete, set->n);
	add_line(s, SS_TITLE, head);
	struct sbuf b = {0};
	sbuf_printf(&b,
		    _("%d of %d steps done, %d hints, %d solutions shown; quizzes: %d of %d "
		      "right"),
		    sum.done, steps, sum.hints, sum.shown, sum.right, questions);
	add_wrapped(s, SS_NORMAL, "", sbuf_str(&b), width);
	add_line(s, SS_NORMAL, "");
	for (int i = 0; i < set->n; i++) {
		const struct lesson *l = set->v[i];
		bool full = t[i].done == l->nsteps && t[i].answered == l->nquiz;
		const char *mark = full                         ? (uni ? "✓ " : "[x] ")
				   : t[i].done || t[i].answered ? (uni ? "◐ " : "[~] ")
								: (uni ? "○ " : "[ ] ");
		sbuf_clear(&b);
		sbuf_printf(&b, _("%s · %d/%d steps, %d hints, quiz %d/%d"), l->title, t[i].done,
			    l->nsteps, t[i].hints, t[i].right, l->nquiz);
		add_wrapped(s, full ? SS_OK : SS_NORMAL, mark, sbuf_str(&b), width);
	}
	sbuf_free(&b);
	free(t);
	add_line(s, SS_NORMAL, "");
}

/* After the quiz: the predictions, and for each one missed what the
 * cluster did and why (the source is in the explanation). */
static void predictions_summary(struct tui_session *s, int width, bool uni)
{
	const struct lesson *l = s->lesson;
	int asked = 0, right = 0;
	for (int i = 0; i < l->nsteps && i < (int)sizeof s->predicted; i++)
		if (l->steps[i].predict && s->predicted[i] >= 0 && s->happened[i] >= 0) {
			asked++;
			right += s->predicted[i] == s->happened[i];
		}
	if (!asked)
		return;
	char head[128];
	ns_snprintf(head, sizeof head, _("Predictions: %d of %d right"), right, asked);
	add_line(s, SS_TITLE, head);
	for (int i = 0; i < l->nsteps && i < (int)sizeof s->predicted; i++) {
		const struct lesson_question *q = l->steps[i].predict;
		if (!q || s->predicted[i] < 0 || s->happened[i] < 0 ||
		    s->predicted[i] == s->happened[i])
			continue;
		char prefix[32];
		ns_snprintf(prefix, sizeof prefix, "%s ", uni ? "✗" : "x");
		add_wrapped(s, SS_ERROR, prefix, l->steps[i].title, width);
		char b[1024];
		ns_snprintf(b, sizeof b, _("You predicted: %s It did: %s"),
			    q->opt[s->predicted[i]].text, q->opt[s->happened[i]].text);
		add_wrapped(s, SS_NORMAL, "  ", b, width);
		if (q->opt[s->happened[i]].why)
			add_wrapped(s, SS_DIM, "  ", q->opt[s->happened[i]].why, width);
	}
	add_line(s, SS_NORMAL, "");
}

static void quiz_lines(struct tui_session *s, int width, bool uni)
{
	const struct lesson *l = s->lesson;
	char head[128];
	if (s->q >= l->nquiz) {
		ns_snprintf(head, sizeof head, _("Quiz done: %d of %d right"), s->right, l->nquiz);
		add_line(s, SS_TITLE, head);
		if (l->exam) {
			add_line(s, SS_NORMAL, "");
			course_lines(s, width, uni);
		}
		predictions_summary(s, width, uni);
		for (int i = 0; i < l->nquiz && i < (int)sizeof s->result; i++) {
			char prefix[32];
			bool ok = s->result[i] == 1;
			ns_snprintf(prefix, sizeof prefix, "%s %d. ",
				    ok ? (uni ? "✓" : "+") : (uni ? "✗" : "x"), i + 1);
			add_wrapped(s, ok ? SS_OK : SS_ERROR, prefix, l->quiz[i].text, width);
		}
		add_line(s, SS_NORMAL, "");
		add_wrapped(s, SS_NORMAL, "",
			    _("Your answers are kept; `netsplit lessons` shows the score. Enter "
			      "or L: the lesson list; B: the lesson again from step 1; q: quit."),
			    width);
		return;
	}
	const struct lesson_question *q = &l->quiz[s->q];
	ns_snprintf(head, sizeof head, _("Quiz %d/%d"), s->q + 1, l->nquiz);
	add_line(s, SS_TITLE, head);
	add_wrapped(s, SS_NORMAL, "", q->text, width);
	add_line(s, SS_NORMAL, "");
	for (int i = 0; i < q->nopt; i++) {
		const struct lesson_option *o = &q->opt[shown(s, i)];
		char prefix[32];
		const char *mark = " ";
		int style = i == s->cursor && s->chosen < 0 ? SS_SELECT : SS_NORMAL;
		if (s->chosen >= 0 && (i == s->chosen || o->correct)) {
			mark = o->correct ? (uni ? "✓" : "+") : (uni ? "✗" : "x");
			style = o->correct ? SS_OK : SS_ERROR;
		}
		ns_snprintf(prefix, sizeof prefix, "%s%s%d. ",
			    i == s->cursor && s->chosen < 0 ? ">" : " ", mark, i + 1);
		add_wrapped(s, style, prefix, o->text, width);
		if (i == s->chosen && o->why)
			add_wrapped(s, o->correct ? SS_OK : SS_NORMAL, "     ", o->why, width);
	}
	add_line(s, SS_NORMAL, "");
	add_line(s, SS_DIM,
		 s->chosen < 0 ? _("1-9, or up/down and enter: answer")
			       : _("enter: next question"));
}

/* The glossary: first the terms the current step (or the lesson) uses,
 * then every other one. */
static void glossary_lines(struct tui_session *s, int width)
{
	const struct lesson *l = s->lesson;
	struct sbuf text = {0};
	if (s->run.step < l->nsteps) {
		const struct lesson_step *st = &l->steps[s->run.step];
		sbuf_printf(&text, "%s\n%s\n", st->title, st->text);
		for (int i = 0; i < st->nhints; i++)
			sbuf_printf(&text, "%s\n", st->hints[i]);
	} else {
		for (int i = 0; i < l->nsteps; i++)
			sbuf_printf(&text, "%s\n", l->steps[i].text);
	}
	int used[256];
	int n = glossary_used(&s->gloss, sbuf_str(&text), used, (int)ARRAY_LEN(used));
	sbuf_free(&text);
	bool shown[256] = {false};
	add_line(s, SS_TITLE, _("Glossary (K: back to the step)"));
	if (s->gloss_focus >= 0 && s->gloss_focus < s->gloss.n) {
		/* :glossary TERM: the entry asked for, first. */
		const struct glossary_entry *e = &s->gloss.v[s->gloss_focus];
		add_wrapped(s, SS_KEY, "", e->term, width);
		add_wrapped(s, SS_NORMAL, "  ", e->text, width);
		add_line(s, SS_NORMAL, "");
		if (s->gloss_focus < (int)ARRAY_LEN(shown))
			shown[s->gloss_focus] = true;
	}
	if (n) {
		add_line(s, SS_DIM,
			 s->run.step < l->nsteps ? _("Used in this step:")
						 : _("Used in this lesson:"));
		for (int k = 0; k < n; k++) {
			if (used[k] < (int)ARRAY_LEN(shown) && shown[used[k]])
				continue;
			const struct glossary_entry *e = &s->gloss.v[used[k]];
			add_wrapped(s, SS_KEY, "", e->term, width);
			add_wrapped(s, SS_NORMAL, "  ", e->text, width);
			if (used[k] < (int)ARRAY_LEN(shown))
				shown[used[k]] = true;
		}
		add_line(s, SS_NORMAL, "");
		add_line(s, SS_DIM, _("Every other term:"));
	}
	for (int i = 0; i < s->gloss.n; i++) {
		if (i < (int)ARRAY_LEN(shown) && shown[i])
			continue;
		add_wrapped(s, SS_KEY, "", s->gloss.v[i].term, width);
		add_wrapped(s, SS_NORMAL, "  ", s->gloss.v[i].text, width);
	}
}

/* The prediction: asked (answers to choose from), noted (the one chosen),
 * or marked (what the cluster did, and why). */
static void predict_lines(struct tui_session *s, const struct lesson_step *st, int width, bool uni)
{
	const struct lesson_question *q = st->predict;
	int i = s->run.step;
	int said = i < (int)sizeof s->predicted ? s->predicted[i] : -1;
	int got = i < (int)sizeof s->happened && s->run.solved ? s->happened[i] : -1;
	add_line(s, SS_NORMAL, "");
	add_wrapped(s, SS_TITLE, _("Predict: "), q->text, width);
	if (s->predicting) {
		for (int k = 0; k < q->nopt; k++) {
			char prefix[32];
			ns_snprintf(prefix, sizeof prefix, "%s %d. ", k == s->pcursor ? ">" : " ",
				    k + 1);
			add_wrapped(s, k == s->pcursor ? SS_SELECT : SS_NORMAL, prefix,
				    q->opt[pshown(s, k)].text, width);
		}
		add_line(s, SS_DIM, _("1-9, or up/down and enter: your prediction"));
		return;
	}
	if (said >= 0)
		add_wrapped(s, SS_KEY, _("You predicted: "), q->opt[said].text, width);
	if (got >= 0) {
		bool ok = said < 0 || said == got;
		char prefix[64];
		ns_snprintf(prefix, sizeof prefix, "%s %s",
			    ok ? (uni ? "✓" : "+") : (uni ? "✗" : "x"), _("What happened: "));
		add_wrapped(s, ok ? SS_OK : SS_ERROR, prefix, q->opt[got].text, width);
		if (q->opt[got].why)
			add_wrapped(s, SS_NORMAL, "  ", q->opt[got].why, width);
	}
}

static void step_lines(struct tui_session *s, int width, bool uni)
{
	const struct lesson *l = s->lesson;
	if (s->run.step >= l->nsteps) {
		add_line(s, SS_OK, _("Every step done."));
		add_wrapped(s, SS_NORMAL, "",
			    _("B: the lesson again from step 1; L: the lesson list; q: quit."),
			    width);
		return;
	}
	const struct lesson_step *st = &l->steps[s->run.step];
	char head[256];
	ns_snprintf(head, sizeof head, _("Step %d/%d · %s"), s->run.step + 1, l->nsteps, st->title);
	add_wrapped(s, SS_TITLE, "", head, width);
	if (s->run.solved) {
		char done[256];
		ns_snprintf(done, sizeof done, "%s %s", uni ? "✓" : "[x]",
			    _("Goal reached. Time is paused on the moment it held: read the "
			      "event log and the views (tab). n: next step · r: this step again"));
		add_wrapped(s, SS_OK, "", done, width);
		if (s->why[0]) /* what held, at that instant: what to look at */
			add_wrapped(s, SS_DIM, "  ", s->why, width);
	} else if (s->predicting) {
		add_wrapped(s, SS_KEY, "",
			    _("Paused: predict what happens (the step's text is below), then "
			      "do it."),
			    width);
	} else {
		if (s->waiting)
			add_wrapped(
			    s, SS_KEY, "",
			    s->run.playing
				? _("Show me, from the step's set-up: space plays the solution.")
				: _("Paused: read the step, then press space to start."),
			    width);
		char goal[256];
		ns_snprintf(goal, sizeof goal, "%s ", uni ? "○" : "[ ]");
		add_wrapped(s, SS_LEADER, goal, _("Goal not reached yet"), width);
		if (s->why[0])
			add_wrapped(s, SS_DIM, "  ", s->why, width);
	}
	if (st->predict)
		predict_lines(s, st, width, uni);
	/* Hints before the text: on a small screen they stay in sight. */
	for (int i = 0; i < s->run.hints_shown && i < st->nhints; i++) {
		char prefix[32];
		char shown[1024];
		ns_snprintf(prefix, sizeof prefix, _("Hint %d: "), i + 1);
		add_wrapped(s, SS_KEY, prefix, hint_text(st->hints[i], shown, sizeof shown), width);
	}
	add_line(s, SS_NORMAL, "");
	add_wrapped(s, SS_NORMAL, "", st->text, width);
	add_line(s, SS_NORMAL, "");
	add_line(s, SS_DIM, _("K: the glossary of the terms used here"));
}

static void lesson_keys(struct tui_session *s)
{
	static const struct {
		const char *key, *label;
	} step_keys[] =
	    {
		{"space", N_("run")}, {"H", N_("hint")},    {"S", N_("show me")},
		{"n", N_("next")},    {"N", N_("back")},    {"r", N_("restart")},
		{"l", N_("pane")},    {":", N_("command")}, {"?", N_("help")},
		{"q", N_("quit")},
	    },
	  quiz_keys[] =
	      {
		  {"1-9", N_("answer")},
		  {"enter", N_("next")},
		  {"L", N_("lessons")},
		  {"q", N_("quit")},
	      },
	  predict_keys[] = {
	      {"1-9", N_("predict")},   {"enter", N_("choose")}, {"n", N_("skip the step")},
	      {"pgdn", N_("the text")}, {"q", N_("quit")},
	  };
	bool quiz = s->quiz || s->predicting;
	int n = s->predicting ? (int)ARRAY_LEN(predict_keys)
		: quiz        ? (int)ARRAY_LEN(quiz_keys)
			      : (int)ARRAY_LEN(step_keys);
	s->nkeys = 0;
	for (int i = 0; i < n && s->nkeys < (int)ARRAY_LEN(s->keys); i++) {
		const char *key = s->predicting ? predict_keys[i].key
				  : quiz        ? quiz_keys[i].key
						: step_keys[i].key;
		const char *label = _(s->predicting ? predict_keys[i].label
				      : quiz        ? quiz_keys[i].label
						    : step_keys[i].label);
		if (!quiz && i == 0 && tui_is_running(s->t))
			label = _("pause");
		else if (!quiz && i == 0 && s->waiting)
			label = _("start");
		s->keys[s->nkeys++] = (struct scene_key){key, label};
	}
}

void tui_lesson_snap(struct tui_session *s, struct scene_snap *snap)
{
	lesson_keys(s);
	if (s->waiting && !snap->status_right)
		snap->status_right = _("space to start");
	if (!s->pane && !s->quiz && !s->predicting)
		return;
	for (int i = 0; i < s->nlines; i++)
		free(s->text[i]);
	s->nlines = 0;
	int pw = pane_width(snap->w);
	int width = pw - 3;
	bool uni = snap->unicode;
	if (s->glossary)
		glossary_lines(s, width);
	else if (s->quiz)
		quiz_lines(s, width, uni);
	else
		step_lines(s, width, uni);
	/* Scrolling: what fits below the pane's title row. */
	struct scene_layout lay;
	scene_layout(snap->w, snap->h, &lay);
	int rows = MAX(1, lay.side.h - 1);
	s->pane_scroll = MAX(0, MIN(s->pane_scroll, s->nlines - rows));
	int first = s->pane_scroll;
	int count = MIN(rows, s->nlines - first);
	bool more = first + count < s->nlines;
	if (more && count > 0) {
		free(s->text[first + count - 1]);
		s->text[first + count - 1] = xstrdup(uni ? _("↓ more: pgdn") : _("v more: pgdn"));
		s->lines[first + count - 1] =
		    (struct scene_line){s->text[first + count - 1], SS_DIM};
	}
	ns_snprintf(s->title, sizeof s->title, "%s", s->lesson->title);
	snap->side_title = s->title;
	snap->side = s->lines + first;
	snap->nside = count;
	snap->side_w = pw;
}

/* ---- progress for the lesson list ------------------------------------------------------- */

void tui_lesson_progress(struct store *st, const struct lesson *l, int *done, int *right)
{
	struct store_tally t;
	store_lesson_tally(st, l->id, l->nsteps, l->nquiz, &t);
	*done = t.done;
	*right = t.right;
}

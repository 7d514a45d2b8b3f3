/*
 * store_progress.c — lesson progress, quiz answers and settings: the small
 * writes a lesson makes as the learner goes (each its own BEGIN IMMEDIATE
 * transaction, committed with an fsync before the call returns) and the
 * reads the lesson menu and the screen make. See store.h for the contracts.
 */
#include "store/store_internal.h"

#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static int check_step(struct store *st, const char *lesson, int step)
{
	if (!lesson || !lesson[0])
		return store_fail(st, STORE_E_INVALID, _("no lesson given"));
	if (step < 0)
		return store_fail(st, STORE_E_INVALID, _("step %d of lesson %s does not exist"),
				  step, lesson);
	return STORE_OK;
}

/* One write of (lesson, step [, time]) as its own transaction. */
static int step_write(struct store *st, enum store_sql id, const char *lesson, int step,
		      const char *what)
{
	int rc = check_step(st, lesson, step);
	if (rc < 0)
		return rc;
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, id);
	store_bind_text(s, 1, lesson);
	sqlite3_bind_int(s, 2, step);
	if (id == SQL_STEP_DONE || id == SQL_POS_SET)
		sqlite3_bind_int64(s, 3, store_now(st));
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}

int store_step_done(struct store *st, const char *lesson, int step)
{
	return step_write(st, SQL_STEP_DONE, lesson, step, _("Could not record the step as done"));
}

int store_step_attempt(struct store *st, const char *lesson, int step)
{
	return step_write(st, SQL_STEP_ATTEMPT, lesson, step, _("Could not record the attempt"));
}

int store_step_hint(struct store *st, const char *lesson, int step)
{
	return step_write(st, SQL_STEP_HINT, lesson, step, _("Could not record the hint"));
}

int store_step_shown(struct store *st, const char *lesson, int step)
{
	return step_write(st, SQL_STEP_SHOWN, lesson, step,
			  _("Could not record the solution shown"));
}

int store_position_set(struct store *st, const char *lesson, int step)
{
	return step_write(st, SQL_POS_SET, lesson, step, _("Could not record where you are"));
}

static void read_step(sqlite3_stmt *s, struct store_step *out)
{
	out->step = sqlite3_column_int(s, 0);
	out->done_at = sqlite3_column_int64(s, 1);
	out->attempts = sqlite3_column_int(s, 2);
	out->hints = sqlite3_column_int(s, 3);
	out->shown = sqlite3_column_int(s, 4);
}

int store_step_get(struct store *st, const char *lesson, int step, struct store_step *out)
{
	int rc = check_step(st, lesson, step);
	memset(out, 0, sizeof(*out));
	out->step = step;
	if (rc < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_STEP_GET);
	store_bind_text(s, 1, lesson);
	sqlite3_bind_int(s, 2, step);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_step(s, out);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? store_ok(st)
						   : store_dberr(st, _("Could not read progress"));
	store_stmt_done(s);
	return rc;
}

int store_lesson_steps(struct store *st, const char *lesson, struct store_step **out, size_t *n)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = check_step(st, lesson, 0)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_LESSON_STEPS);
	store_bind_text(s, 1, lesson);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		read_step(s, &(*out)[(*n)++]);
	}
	if (rc != SQLITE_DONE) {
		rc = store_dberr(st, _("Could not read progress"));
		free(*out);
		*out = NULL;
		*n = 0;
	} else {
		rc = store_ok(st);
	}
	store_stmt_done(s);
	return rc;
}

int store_lesson_reset(struct store *st, const char *lesson)
{
	static const enum store_sql dels[] = {SQL_LESSON_DEL_STEPS, SQL_LESSON_DEL_QUIZ,
					      SQL_LESSON_DEL_POS};
	static const enum store_sql all[] = {SQL_ALL_DEL_STEPS, SQL_ALL_DEL_QUIZ, SQL_ALL_DEL_POS};
	const char *what = _("Could not reset the lesson");
	if (!lesson) {
		int rc = store_write_begin(st, what);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < ARRAY_LEN(all) && rc >= 0; i++) {
			sqlite3_stmt *s = store_stmt(st, all[i]);
			if (sqlite3_step(s) != SQLITE_DONE)
				rc = store_dberr(st, what);
			store_stmt_done(s);
		}
		return store_write_end(st, rc, what);
	}
	int rc = check_step(st, lesson, 0);

	if (rc < 0 || (rc = store_write_begin(st, what)) < 0)
		return rc;
	for (size_t i = 0; i < ARRAY_LEN(dels) && rc >= 0; i++) {
		sqlite3_stmt *s = store_stmt(st, dels[i]);
		store_bind_text(s, 1, lesson);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = store_dberr(st, what);
		store_stmt_done(s);
	}
	return store_write_end(st, rc, what);
}

int store_position_get(struct store *st, const char *lesson, int *step)
{
	int rc = check_step(st, lesson, 0);
	*step = -1;
	if (rc < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_POS_GET);
	store_bind_text(s, 1, lesson);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*step = sqlite3_column_int(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
		 ? store_ok(st)
		 : store_dberr(st, _("Could not read where you were"));
	store_stmt_done(s);
	return rc;
}

int store_position_last(struct store *st, char **lesson, int *step)
{
	sqlite3_stmt *s = store_stmt(st, SQL_POS_LAST);
	int rc = sqlite3_step(s);

	*lesson = NULL;
	*step = -1;
	if (rc == SQLITE_ROW) {
		*lesson = xstrdup((const char *)sqlite3_column_text(s, 0));
		*step = sqlite3_column_int(s, 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
		 ? store_ok(st)
		 : store_dberr(st, _("Could not read where you were"));
	store_stmt_done(s);
	return rc;
}

int store_quiz_answer(struct store *st, const char *lesson, int step, int question, int answer,
		      bool correct)
{
	const char *what = _("Could not record the answer");
	int rc = check_step(st, lesson, step);

	if (rc < 0)
		return rc;
	if (question < 0 || answer < 0)
		return store_fail(st, STORE_E_INVALID,
				  _("question %d, answer %d: indexes cannot be negative"), question,
				  answer);
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_QUIZ_ADD);
	store_bind_text(s, 1, lesson);
	sqlite3_bind_int(s, 2, step);
	sqlite3_bind_int(s, 3, question);
	sqlite3_bind_int(s, 4, answer);
	sqlite3_bind_int(s, 5, correct ? 1 : 0);
	sqlite3_bind_int64(s, 6, store_now(st));
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}

int store_quiz_answers(struct store *st, const char *lesson, struct store_quiz_answer **out,
		       size_t *n)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = check_step(st, lesson, 0)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_QUIZ_LIST);
	store_bind_text(s, 1, lesson);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		struct store_quiz_answer *a = &(*out)[(*n)++];
		a->step = sqlite3_column_int(s, 0);
		a->question = sqlite3_column_int(s, 1);
		a->answer = sqlite3_column_int(s, 2);
		a->correct = sqlite3_column_int(s, 3) != 0;
		a->at = sqlite3_column_int64(s, 4);
	}
	if (rc != SQLITE_DONE) {
		rc = store_dberr(st, _("Could not read quiz answers"));
		free(*out);
		*out = NULL;
		*n = 0;
	} else {
		rc = store_ok(st);
	}
	store_stmt_done(s);
	return rc;
}

int store_lesson_tally(struct store *st, const char *lesson, int nsteps, int nquiz,
		       struct store_tally *out)
{
	memset(out, 0, sizeof *out);
	struct store_step *steps = NULL;
	size_t n = 0;
	int rc = store_lesson_steps(st, lesson, &steps, &n);
	for (size_t k = 0; rc >= 0 && k < n; k++) {
		if (steps[k].step >= nsteps)
			continue;
		out->done += steps[k].done_at != 0;
		out->hints += steps[k].hints;
		out->shown += steps[k].shown;
	}
	free(steps);
	if (rc < 0)
		return rc;
	struct store_quiz_answer *qa = NULL;
	size_t nq = 0;
	rc = store_quiz_answers(st, lesson, &qa, &nq);
	for (int q = 0; rc >= 0 && q < nquiz; q++) {
		int last = -1;
		for (size_t k = 0; k < nq; k++)
			if (qa[k].question == q)
				last = (int)k;
		out->answered += last >= 0;
		out->right += last >= 0 && qa[last].correct;
	}
	free(qa);
	return rc;
}

/* ---- settings ----------------------------------------------------------- */

int store_setting_set(struct store *st, const char *key, const char *value)
{
	const char *what = _("Could not save the setting");
	int rc;

	if (!key || !key[0] || !value || !value[0])
		return store_fail(st, STORE_E_INVALID, _("a setting needs a key and a value"));
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_SETTING_SET);
	store_bind_text(s, 1, key);
	store_bind_text(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}

int store_setting_get(struct store *st, const char *key, char **value)
{
	int rc;

	*value = NULL;
	if (!key || !key[0])
		return store_fail(st, STORE_E_INVALID, _("a setting needs a key and a value"));
	sqlite3_stmt *s = store_stmt(st, SQL_SETTING_GET);
	store_bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = xstrdup((const char *)sqlite3_column_text(s, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE
		 ? store_ok(st)
		 : store_dberr(st, _("Could not read the setting"));
	store_stmt_done(s);
	return rc;
}

int store_setting_unset(struct store *st, const char *key)
{
	const char *what = _("Could not unset the setting");
	int rc;

	if (!key || !key[0])
		return store_fail(st, STORE_E_INVALID, _("a setting needs a key and a value"));
	if ((rc = store_write_begin(st, what)) < 0)
		return rc;
	sqlite3_stmt *s = store_stmt(st, SQL_SETTING_DEL);
	store_bind_text(s, 1, key);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = store_dberr(st, what);
	store_stmt_done(s);
	return store_write_end(st, rc, what);
}

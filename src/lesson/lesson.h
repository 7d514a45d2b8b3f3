/*
 * lesson.h — lessons: files in lessons/ (format in docs/LESSONS.md), loaded
 * into steps with text, set-up commands, a goal predicate, hints, a
 * solution, and a closing quiz; and a lesson run that plays them against a
 * world.
 *
 * Set-ups and solutions are command-language scripts and goals are
 * predicates, parsed when the lesson loads (so a mistake in a lesson is
 * reported with the lesson file's own line numbers, never later on screen).
 * Goals are evaluated live against the running cluster: nothing in a
 * lesson is scripted to succeed.
 */
#ifndef NETSPLIT_LESSON_H
#define NETSPLIT_LESSON_H

#include "script/script.h"

struct lesson_option {
	char *text;
	bool correct;
	char *why; /* the explanation shown after choosing it */
	/* A prediction's answer: the predicate that holds on the cluster
	 * when this is what happened (`when:`), and its text; NULL in a
	 * quiz question. */
	struct pred *when;
	char *when_text;
};

struct lesson_question {
	char *text;
	int line;
	int nopt;
	struct lesson_option *opt;
};

struct lesson_step {
	char *title;
	char *text;           /* what to look at and why it matters */
	struct script *setup; /* may be NULL: the step continues the last */
	char *setup_text;
	struct pred *goal;
	char *goal_text;
	int nhints;
	char **hints;
	struct script *solution;
	char *solution_text;
	int nwrongs;
	char **wrongs; /* `wrong:` blocks: moves that must leave the goal false */
	/* `predict:`: a question the learner answers before the step runs;
	 * each answer says by its `when:` predicate what the cluster shows
	 * when it is what happened, so that once the goal holds the screen
	 * can say what did (lesson_run_outcome). NULL: no prediction. */
	struct lesson_question *predict;
	int line;
};

struct lesson {
	char *id;
	char *title;
	char *summary;
	char *sources; /* where to read more */
	char *file;
	char *lang; /* "en", or the translation's language */
	int nrequires;
	char **requires; /* lesson ids */
	int order;       /* position in the curriculum (from `order:`) */
	bool exam;       /* `kind: exam`: the course's final exam; after its quiz
			  * the screen sums up the whole course */
	int nsteps;
	struct lesson_step *steps;
	int nquiz;
	struct lesson_question *quiz;
};

/* Parses a lesson from text; NULL with "file:line: message" in err. */
struct lesson *lesson_parse(const char *text, const char *file, struct sbuf *err);
struct lesson *lesson_load(const char *path, struct sbuf *err);
void lesson_free(struct lesson *l);

/* All lessons in `dir` (*.lesson), sorted by `order`, each replaced by its
 * translation in dir/LANG/ when there is one (LANG "es", or "es_ES" then
 * "es"). A lesson that fails to load is skipped and its error appended to
 * errors (one line each); the others still load. */
struct lesson_set {
	int n;
	struct lesson **v;
};
void lesson_set_load(struct lesson_set *set, const char *dir, const char *lang,
		     struct sbuf *errors);
void lesson_set_free(struct lesson_set *set);
const struct lesson *lesson_set_find(const struct lesson_set *set, const char *id);

/* The lessons directory: $NETSPLIT_LESSONS, else the source tree's lessons/
 * when run from the build tree, else the installed data directory
 * (util/paths.h). */
const char *lesson_dir(void);
/* The language for lessons: `forced` if given, else from LANGUAGE,
 * LC_ALL, LC_MESSAGES, LANG ("de_DE.UTF-8" -> "de_DE"); "en" if none. */
void lesson_lang(const char *forced, char *out, size_t n);

/* ---- playing a lesson ---------------------------------------------------- */

/* A lesson being played in a world. The run does not own either (it owns
 * the predicate of a `run until` that "show me" is playing: call
 * lesson_run_end when done with a run). */
struct lesson_run {
	const struct lesson *lesson;
	struct world *world;
	int step;        /* current step, or nsteps when the steps are done */
	int hints_shown; /* of the current step */
	bool solved;     /* the current step's goal held */
	bool shown;      /* the solution was run ("show me") */
	/* "show me" playing the solution at the caller's pace
	 * (lesson_run_show, lesson_run_advance) */
	bool playing;
	const char *play_text;  /* the commands played (the solution's, or the caller's) */
	size_t play_pos;        /* offset in play_text of the next line */
	sim_time play_gap;      /* time let pass before each command (a person's delay) */
	bool play_gapped;       /* the gap before the next line has passed */
	sim_time play_until;    /* a `run` under way ends here (-1: none) */
	struct pred *play_pred; /* a `run until` under way stops when it holds */
};

/* Starts step i: runs its set-up (if any) in the world. false with err if a
 * set-up command fails. */
bool lesson_run_start(struct lesson_run *r, const struct lesson *l, struct world *w, int step,
		      struct sbuf *err);
/* Evaluates the current step's goal now; marks it solved when it holds. */
bool lesson_run_check(struct lesson_run *r, struct sbuf *why);
/* What happened, for a step with a prediction: the index of the one
 * answer whose `when:` holds on the cluster now; -1 when none does, -2
 * when several do (why says which), -3 when the step predicts nothing. */
int lesson_run_outcome(struct lesson_run *r, struct sbuf *why);
/* The next hint of the current step (NULL when none is left). */
const char *lesson_run_hint(struct lesson_run *r);
/* Runs the current step's solution ("show me"). */
bool lesson_run_solve(struct lesson_run *r, struct sbuf *err);
/* Moves to the next step (running its set-up); false at the end or on error. */
bool lesson_run_next(struct lesson_run *r, struct sbuf *err);

/* "Show me", paced: runs the step's set-up again (as lesson_run_start) and
 * arms the solution to be played by lesson_run_advance, a command at a time
 * as simulated time reaches it: a `run D` lets D pass, a `run until P
 * timeout D` lets time pass until P holds or D has passed, any other line
 * runs at once. Nothing of the solution runs yet. false with err if the
 * set-up fails. */
bool lesson_run_show(struct lesson_run *r, struct sbuf *err);

/* Plays command text from the world as it is (no set-up), as "show me"
 * plays the solution, letting `gap` of simulated time pass before each
 * command, as a person typing would (0: none). `text` must outlive the
 * play. The autopilot tests play solutions, hints' commands and `wrong:`
 * blocks this way. */
void lesson_run_play(struct lesson_run *r, const char *text, sim_time gap);

/* The commands a hint names, in order: each written in backticks right
 * after a colon, :`put x 1` (docs/LESSONS.md). Appends them to out, one a
 * line; returns how many. */
int lesson_hint_commands(const char *hint, struct sbuf *out);

/* What lesson_run_advance stopped at. */
enum lesson_adv {
	LESSON_ADV_TIME,  /* simulated time reached `to` */
	LESSON_ADV_GOAL,  /* the goal came to hold: the clock stays at that instant */
	LESSON_ADV_ERROR, /* a solution command failed (message in err) */
};

/* Advances the world's simulated time to `to`, evaluating the current
 * step's goal at every instant at which something happened (not only at
 * the end), and stopping at the first instant it holds (the step is then
 * marked solved). While "show me" plays, its commands run as their time
 * comes; when the goal holds the rest of the solution is dropped. A step
 * already solved, or no step, just advances. */
enum lesson_adv lesson_run_advance(struct lesson_run *r, sim_time to, struct sbuf *err);

/* The order in which question q of lesson `id` shows its nopt answers to
 * the learner whose seed is `learner`: order[i] is the answer shown i-th.
 * A permutation, the same every time for the same learner, lesson and
 * question, and different across learners (so the right answer is not
 * always in the same place). nopt at most LESSON_MAX_OPTIONS. */
#define LESSON_MAX_OPTIONS 16
void lesson_quiz_order(uint64_t learner, const char *id, int q, int nopt, int *order);

/* Frees what the run owns (a playing solution's predicate); the run may be
 * started again. */
void lesson_run_end(struct lesson_run *r);

#endif

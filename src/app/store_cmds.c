/*
 * store_cmds.c — the subcommands that read and write the database:
 * `lessons`, `progress`, `recordings`, `export`, `import`, and the shared
 * opening of the store (`--db PATH`, or the default under XDG_DATA_HOME).
 */
#include "app/app.h"

#include "lesson/lesson.h"
#include "store/store.h"
#include "store/store_recorder.h"
#include "tui/tui_cast.h"
#include "util/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct store *app_open_store(const char *db_path)
{
	struct sbuf def = {0};
	const char *path = db_path;
	if (!path) {
		store_default_path(&def);
		path = sbuf_str(&def);
	}
	struct store *st = store_open(path);
	const struct store_open_info *info = store_open_info(st);
	if (info->message && *info->message)
		fprintf(stderr, "netsplit: %s\n", info->message);
	sbuf_free(&def);
	return st;
}

/* Prints s and a newline with its control characters escaped
 * (sbuf_put_printable): titles, lesson texts and error messages come from
 * users' files and the database. */
static void print_safe(FILE *f, const char *s, unsigned flags)
{
	struct sbuf b = {0};
	sbuf_put_printable(&b, s, flags);
	fprintf(f, "%s\n", sbuf_str(&b));
	sbuf_free(&b);
}

/* s with its control characters escaped, in *b (cleared first). */
static const char *safe(struct sbuf *b, const char *s)
{
	sbuf_clear(b);
	sbuf_put_printable(b, s ? s : "", 0);
	return sbuf_str(b);
}

static bool parse_id(const char *s, int64_t *id)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v <= 0)
		return false;
	*id = v;
	return true;
}

/* parse_id, saying on stderr what is wrong with s (for `cmd`). */
static bool parse_id_said(const char *cmd, const char *s, int64_t *id)
{
	if (parse_id(s, id))
		return true;
	size_t digits = strspn(s, "0123456789");
	if (*s && !s[digits] && digits > 0 && strspn(s, "0") < digits)
		fprintf(stderr,
			_("netsplit %s: the recording id %s is out of range (ids go from 1 to "
			  "%lld)\n"),
			cmd, s, (long long)INT64_MAX);
	else
		fprintf(stderr,
			_("netsplit %s: expected a recording id (a whole number from 1), got "
			  "\"%s\"\n"),
			cmd, s);
	return false;
}

/* ---- lessons / progress ---------------------------------------------------------- */

static void print_lessons(struct store *st, const struct lesson_set *set)
{
	printf("%s\n", _("Lessons (take them in order; a lesson's prerequisites are advice):"));
	struct store_tally sum = {0};
	int steps = 0, questions = 0, complete = 0;
	for (int i = 0; i < set->n; i++) {
		const struct lesson *l = set->v[i];
		struct store_tally t;
		store_lesson_tally(st, l->id, l->nsteps, l->nquiz, &t);
		steps += l->nsteps;
		questions += l->nquiz;
		sum.done += t.done;
		sum.hints += t.hints;
		sum.shown += t.shown;
		sum.right += t.right;
		complete += t.done == l->nsteps && t.answered == l->nquiz;
		const char *mark = t.done == l->nsteps ? "[x]" : t.done ? "[~]" : "[ ]";
		struct sbuf t1 = {0}, t2 = {0};
		printf(" %s %-18s %s\n", mark, safe(&t1, l->id), safe(&t2, l->title));
		printf("      ");
		printf(_("%d of %d steps done"), t.done, l->nsteps);
		if (l->nquiz)
			printf(_(", quiz %d/%d right"), t.right, l->nquiz);
		if (l->nrequires) {
			printf("%s", _(", after:"));
			for (int r = 0; r < l->nrequires; r++)
				printf(" %s", safe(&t1, l->requires[r]));
		}
		printf("\n");
		sbuf_free(&t1);
		sbuf_free(&t2);
	}
	if (set->n) {
		printf("\n");
		printf(_("Course: %d of %d lessons complete; %d of %d steps done, %d hints, %d "
			 "solutions shown; quizzes %d of %d right\n"),
		       complete, set->n, sum.done, steps, sum.hints, sum.shown, sum.right,
		       questions);
	}
}

int lessons_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"lang", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *lang = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'l': lang = optarg; break;
		case 'h':
			printf("%s", _("Usage: netsplit lessons [--db PATH] [--lang LANG]\n"
				       "List the lessons with your progress.\n"));
			return 0;
		default: return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s", _("Usage: netsplit lessons [--db PATH] [--lang LANG]\n"));
		return 2;
	}
	char l[32];
	lesson_lang(lang, l, sizeof l);
	struct lesson_set set;
	struct sbuf errors = {0};
	lesson_set_load(&set, lesson_dir(), l, &errors);
	if (errors.len) {
		struct sbuf b = {0};
		sbuf_put_printable(&b, sbuf_str(&errors), NS_PRINT_LINES);
		fputs(sbuf_str(&b), stderr);
		sbuf_free(&b);
	}
	struct store *st = app_open_store(db);
	print_lessons(st, &set);
	store_close(st);
	lesson_set_free(&set);
	sbuf_free(&errors);
	return 0;
}

int progress_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"reset", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	bool reset = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r': reset = true; break;
		case 'h':
			printf("%s", _("Usage: netsplit progress [--db PATH] --reset [LESSON]\n"
				       "Forget your progress in one lesson, or in all of them.\n"));
			return 0;
		default: return 2;
		}
	}
	if (!reset || argc - optind > 1) {
		fprintf(stderr, "%s", _("Usage: netsplit progress [--db PATH] --reset [LESSON]\n"));
		return 2;
	}
	const char *lesson = optind < argc ? argv[optind] : NULL;
	struct store *st = app_open_store(db);
	int rc = store_lesson_reset(st, lesson);
	int status = 0;
	if (rc < 0) {
		fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
		status = 1;
	} else if (lesson) {
		printf(_("Progress in %s forgotten.\n"), lesson);
	} else {
		printf("%s\n", _("All progress forgotten."));
	}
	store_close(st);
	return status;
}

/* ---- recordings --------------------------------------------------------------------- */

static void fmt_created(int64_t created, char *buf, size_t n)
{
	time_t t = (time_t)created;
	struct tm tm;
	if (!created || !localtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M", &tm))
		ns_strlcpy(buf, "-", n);
}

int recordings_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"delete", required_argument, NULL, 'x'},
	    {"rename", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *del = NULL, *ren = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'x': del = optarg; break;
		case 'r': ren = optarg; break;
		case 'h':
			printf("%s", _("Usage: netsplit recordings [--db PATH] [--delete ID | "
				       "--rename ID TITLE]\n"
				       "List the recorded sessions; replay one with `netsplit "
				       "replay ID`.\n"));
			return 0;
		default: return 2;
		}
	}
	/* At most one of --delete and --rename, whose ID is the one parsed;
	 * --rename takes the title as its one operand. */
	const char *which = del ? del : ren;
	int64_t id = 0;
	if (!(del && ren) && which && !parse_id_said("recordings", which, &id))
		return 2;
	if ((del && ren) || optind != argc - (ren ? 1 : 0)) {
		fprintf(stderr, "%s",
			_("Usage: netsplit recordings [--db PATH] [--delete ID | --rename ID "
			  "TITLE]\n"));
		return 2;
	}
	struct store *st = app_open_store(db);
	int status = 0;
	if (which) {
		int rc = del ? store_recording_delete(st, id)
			     : store_recording_rename(st, id, argv[optind]);
		if (rc < 0) {
			fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
			status = rc == STORE_E_NOTFOUND ? 1 : 2;
		}
		store_close(st);
		return status;
	}
	struct store_rec_summary *v = NULL;
	size_t n = 0;
	if (store_recording_list(st, &v, &n) < 0) {
		fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	if (!n)
		printf("%s\n", _("No recordings yet. Press R on the screen, or use `netsplit run "
				 "FILE.ns --record TITLE`."));
	else
		printf("%5s  %-16s  %-10s %5s %10s %6s  %s\n", _("id"), _("created"), _("protocol"),
		       _("nodes"), _("duration"), _("cmds"), _("title"));
	struct sbuf t1 = {0}, t2 = {0};
	for (size_t i = 0; i < n; i++) {
		char when[32], dur[32] = "-";
		fmt_created(v[i].created, when, sizeof when);
		if (v[i].duration >= 0)
			simtime_fmt(v[i].duration, dur, sizeof dur);
		printf("%5lld  %-16s  %-10s %5d %10s %6zu  %s\n", (long long)v[i].id, when,
		       safe(&t1, v[i].protocol), v[i].nodes, dur, v[i].ncmds,
		       safe(&t2, v[i].title));
	}
	sbuf_free(&t1);
	sbuf_free(&t2);
	store_rec_summaries_free(v, n);
	store_close(st);
	return 0;
}

int export_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *format = "ns", *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h':
			printf("%s", _("Usage: netsplit export ID [--format ns|jsonl|cast] [-o "
				       "FILE] [--db PATH]\n"
				       "Write a recording as a scenario (ns), its trace (jsonl), "
				       "or an asciicast\n"
				       "v2 file of the screen (cast) that asciinema plays.\n"));
			return 0;
		default: return 2;
		}
	}
	int64_t id;
	if (optind == argc - 1 && !parse_id_said("export", argv[optind], &id))
		return 2;
	if (optind != argc - 1) {
		fprintf(stderr, "%s",
			_("Usage: netsplit export ID [--format ns|jsonl|cast] [-o FILE] [--db "
			  "PATH]\n"));
		return 2;
	}
	if (strcmp(format, "ns") && strcmp(format, "jsonl") && strcmp(format, "cast")) {
		fprintf(stderr, _("netsplit export: unknown format \"%s\" (ns, jsonl or cast)\n"),
			format);
		return 2;
	}
	struct store *st = app_open_store(db);
	struct store_recording rec;
	store_recording_init(&rec);
	int rc = store_recording_load(st, id, &rec);
	int status = 0;
	if (rc < 0) {
		fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
		status = rc == STORE_E_NOTFOUND ? 1 : 2;
		goto out;
	}
	FILE *f = output ? fopen(output, "w") : stdout;
	if (!f) {
		fprintf(stderr, _("netsplit export: cannot write %s: %s\n"), output,
			strerror(errno));
		status = 2;
		goto out;
	}
	struct sbuf err = {0};
	if (!strcmp(format, "ns")) {
		recording_write_ns(&rec, f);
	} else if (!strcmp(format, "jsonl")) {
		if (recording_trace_json(&rec, f, &err) < 0)
			status = 2;
	} else {
		sim_time *at = xmalloc((rec.ncmds + 1) * sizeof *at);
		const char **text = xmalloc((rec.ncmds + 1) * sizeof *text);
		for (size_t i = 0; i < rec.ncmds; i++) {
			at[i] = rec.cmds[i].at;
			text[i] = rec.cmds[i].text;
		}
		if (tui_export_cast(at, text, rec.ncmds, rec.duration, rec.title, rec.created, f,
				    &err) < 0)
			status = 2;
		free(at);
		free(text);
	}
	if (status)
		fprintf(stderr, "netsplit export: %s\n", sbuf_str(&err));
	sbuf_free(&err);
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, _("netsplit export: cannot write %s: %s\n"), output,
			strerror(errno));
		status = 2;
	}
out:
	store_recording_close(&rec);
	store_close(st);
	return status;
}

int import_cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"title", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *db = NULL, *title = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't': title = optarg; break;
		case 'h':
			printf("%s", _("Usage: netsplit import FILE.ns --title TITLE [--db PATH]\n"
				       "Run a scenario and store it as a recording.\n"));
			return 0;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s",
			_("Usage: netsplit import FILE.ns --title TITLE [--db PATH]\n"));
		return 2;
	}
	const char *path = argv[optind];
	struct store_recording rec;
	store_recording_init(&rec);
	struct sbuf err = {0}, deftitle = {0};
	int status = 0;
	if (title && !store_title_ok(title, &err)) {
		fprintf(stderr, _("netsplit import: --title: %s\n"), sbuf_str(&err));
		sbuf_free(&err);
		return 2;
	}
	if (!title) { /* the file's name, made one printable line */
		sbuf_put_printable(&deftitle, path, 0);
		title = sbuf_str(&deftitle);
	}
	if (recording_from_ns(path, title, &rec, &err) < 0) {
		print_safe(stderr, sbuf_str(&err), NS_PRINT_LINES);
		status = 2;
	} else {
		struct store *st = app_open_store(db);
		int64_t id;
		int rc = store_recording_save(st, &rec, &id);
		if (rc == STORE_OK)
			printf(_("Stored as recording %lld.\n"), (long long)id);
		else {
			fprintf(stderr, "netsplit: %s\n", store_errmsg(st));
			status = 1;
		}
		store_close(st);
	}
	sbuf_free(&err);
	sbuf_free(&deftitle);
	store_recording_close(&rec);
	return status;
}

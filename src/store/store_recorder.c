/*
 * store_recorder.c — the session log behind recordings, and conversions of
 * a recording to and from scenario files and traces; see store_recorder.h.
 */
#include "store/store_recorder.h"

#include "config.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_cmd(void *ctx, sim_time t, const char *cmd)
{
	struct recorder *r = ctx;
	struct store_recording *rec = &r->rec;
	if (!strncmp(cmd, "cluster ", 8)) {
		/* A new cluster: what came before no longer matters, except
		 * the seed recorded right before it. */
		size_t keep = 0;
		if (rec->ncmds && !strncmp(rec->cmds[rec->ncmds - 1].text, "seed ", 5))
			keep = 1;
		size_t first = rec->ncmds - keep;
		for (size_t i = 0; i < first; i++)
			free(rec->cmds[i].text);
		memmove(rec->cmds, rec->cmds + first, keep * sizeof *rec->cmds);
		rec->ncmds = keep;
		r->began = 0;
	}
	store_recording_add(rec, t, cmd);
}

void recorder_attach(struct recorder *r, struct world *w)
{
	memset(r, 0, sizeof *r);
	store_recording_init(&r->rec);
	r->world = w;
	world_set_recorder(w, on_cmd, r);
}

void recorder_begin(struct recorder *r, const char *title)
{
	free(r->rec.title);
	r->rec.title = xstrdup(title && *title ? title : _("untitled"));
	r->recording = true;
	r->began = world_sim(r->world) ? sim_now(world_sim(r->world)) : 0;
}

void recorder_end(struct recorder *r)
{
	struct world *w = r->world;
	struct sim *s = world_sim(w);
	world_record_flush(w);
	r->recording = false;
	if (!s)
		return;
	struct sbuf opts = {0};
	world_options_text(w, &opts);
	free(r->rec.protocol);
	free(r->rec.options);
	r->rec.protocol = xstrdup(sim_proto(s)->name);
	r->rec.options = sbuf_take(&opts);
	r->rec.nodes = sim_nodes(s);
	r->rec.seed = sim_seed(s);
	r->rec.duration = sim_now(s);
}

int recorder_save(struct recorder *r, struct store *st, int64_t *id, struct sbuf *why)
{
	if (!r->rec.protocol) {
		sbuf_puts(why, _("nothing to save: the recording holds no cluster"));
		return STORE_E_INVALID;
	}
	int rc = store_recording_check(&r->rec, why);
	if (rc != STORE_OK)
		return rc;
	r->rec.id = 0;
	r->rec.created = 0;
	free(r->rec.version);
	r->rec.version = NULL;
	rc = store_recording_save(st, &r->rec, id);
	if (rc != STORE_OK) /* an error, or STORE_MEMORY_ONLY: why not on disk */
		sbuf_puts(why, store_errmsg(st));
	return rc;
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	if (r->world)
		world_set_recorder(r->world, NULL, NULL);
	store_recording_close(&r->rec);
	memset(r, 0, sizeof *r);
}

/* ---- conversions ------------------------------------------------------------------ */

struct json_out {
	FILE *f;
	struct sim *sim;
	struct sbuf line;
};

static void json_trace(void *ctx, const struct trace_event *ev)
{
	struct json_out *o = ctx;
	sbuf_clear(&o->line);
	if (trace_format_json(o->sim, ev, &o->line)) {
		fputs(sbuf_str(&o->line), o->f);
		fputc('\n', o->f);
	}
}

static void json_attach(void *ctx, struct world *w, struct sim *s)
{
	(void)w;
	struct json_out *o = ctx;
	o->sim = s;
	sim_observe(s, json_trace, o);
}

static void silent(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static struct replay *replay_of(const struct store_recording *rec, struct sbuf *err)
{
	sim_time *at = xmalloc((rec->ncmds + 1) * sizeof *at);
	const char **text = xmalloc((rec->ncmds + 1) * sizeof *text);
	for (size_t i = 0; i < rec->ncmds; i++) {
		at[i] = rec->cmds[i].at;
		text[i] = rec->cmds[i].text;
	}
	struct replay *rp = replay_new(at, text, rec->ncmds, rec->duration, err);
	free(at);
	free(text);
	return rp;
}

int recording_trace_json(const struct store_recording *rec, FILE *out, struct sbuf *err)
{
	struct replay *rp = replay_of(rec, err);
	if (!rp)
		return -1;
	struct world *w = world_new();
	struct json_out o = {.f = out};
	world_set_output(w, silent, NULL);
	world_on_new_sim(w, json_attach, &o);
	sim_time end = rec->duration >= 0 ? rec->duration : SIM_NEVER - 1;
	enum exec_status st = replay_seek(rp, w, end, err);
	world_free(w);
	replay_free(rp);
	sbuf_free(&o.line);
	return st == EXEC_ERROR ? -1 : 0;
}

void recording_write_ns(const struct store_recording *rec, FILE *out)
{
	char when[64] = "";
	time_t t = (time_t)rec->created;
	struct tm tm;
	if (rec->created && gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	/* The comments hold text from the database: escaped, so that no
	 * newline in a title (or an option) can start a command. */
	struct sbuf title = {0}, version = {0}, proto = {0}, opts = {0};
	sbuf_put_printable(&title, rec->title ? rec->title : "", 0);
	sbuf_put_printable(&version, rec->version ? rec->version : NETSPLIT_VERSION, 0);
	sbuf_put_printable(&proto, rec->protocol ? rec->protocol : "?", 0);
	sbuf_put_printable(&opts, rec->options ? rec->options : "", 0);
	fprintf(out, "# netsplit recording %lld: %s\n", (long long)rec->id, sbuf_str(&title));
	fprintf(out, "# recorded %s with netsplit %s: %s, %d nodes, seed %llu%s%s\n", when,
		sbuf_str(&version), sbuf_str(&proto), rec->nodes, (unsigned long long)rec->seed,
		opts.len ? ", " : "", sbuf_str(&opts));
	sbuf_free(&title);
	sbuf_free(&version);
	sbuf_free(&proto);
	sbuf_free(&opts);
	fprintf(out, "# `netsplit run` on this file repeats the session exactly.\n");
	for (size_t i = 0; i < rec->ncmds; i++)
		fprintf(out, "%s\n", rec->cmds[i].text);
}

int recording_from_ns(const char *path, const char *title, struct store_recording *out,
		      struct sbuf *err)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		sbuf_printf(err, _("cannot read %s: %s"), path, read_file_error(errno));
		return -1;
	}
	struct world *w = world_new();
	world_set_output(w, silent, NULL);
	struct recorder r;
	recorder_attach(&r, w);
	recorder_begin(&r, title);
	struct script *sc = script_parse(text, path, w, err);
	free(text);
	int rc = -1;
	if (sc && world_run(w, sc, err) != EXEC_ERROR) {
		recorder_end(&r);
		if (!r.rec.protocol) {
			sbuf_printf(err, _("%s: no `cluster` command: nothing to record"), path);
		} else {
			store_recording_close(out);
			*out = r.rec;
			store_recording_init(&r.rec);
			rc = 0;
		}
	}
	script_free(sc);
	recorder_free(&r);
	world_free(w);
	return rc;
}

/*
 * tui_cast.c — a recording as an asciicast v2 file (the format asciinema
 * plays): the recording is replayed headless, and at every tenth of a
 * simulated second the cluster view is laid out as a pure scene, rendered
 * to text and written as one full-screen frame. Simulated time maps to
 * playback time one to one (stretched when the recording is long, so that
 * a file never holds more than CAST_MAX_FRAMES frames). No terminal is
 * involved: the frames are exactly what the golden tests render.
 */
#include "tui/tui_cast.h"

#include "tui/tui_internal.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define CAST_W          80
#define CAST_H          24
#define CAST_STEP       (100 * SIM_MS)
#define CAST_MAX_FRAMES 3000
#define CAST_EVENTS     64

struct cast_log {
	struct sim *sim;
	char *line[CAST_EVENTS];
	int n, next;
	struct sbuf tmp;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct cast_log *l = ctx;
	sbuf_clear(&l->tmp);
	if (!trace_format(l->sim, ev, &l->tmp))
		return;
	free(l->line[l->next]);
	l->line[l->next] = xstrdup(sbuf_str(&l->tmp));
	l->next = (l->next + 1) % CAST_EVENTS;
	if (l->n < CAST_EVENTS)
		l->n++;
}

static void on_sim(void *ctx, struct world *w, struct sim *s)
{
	(void)w;
	struct cast_log *l = ctx;
	l->sim = s;
	sim_observe(s, on_trace, l);
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

int tui_export_cast(const sim_time *at, const char *const *text, size_t n, sim_time duration,
		    const char *title, int64_t created, FILE *out, struct sbuf *err)
{
	struct replay *rp = replay_new(at, text, n, duration, err);
	if (!rp)
		return -1;
	struct world *w = world_new();
	struct cast_log log = {0};
	world_set_output(w, quiet, NULL);
	world_on_new_sim(w, on_sim, &log);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	struct scene sc;
	scene_init(&sc);
	struct sbuf frame = {0}, line = {0}, status = {0};
	struct scene_line events[CAST_EVENTS];
	sim_time end = duration > 0 ? duration : (n ? at[n - 1] : 0);
	sim_time step = CAST_STEP;
	while (end / step > CAST_MAX_FRAMES)
		step *= 2;
	sbuf_printf(&line, "{\"version\": 2, \"width\": %d, \"height\": %d", CAST_W, CAST_H);
	if (created)
		sbuf_printf(&line, ", \"timestamp\": %lld", (long long)created);
	sbuf_puts(&line, ", \"title\": ");
	sbuf_json_str(&line, title ? title : "netsplit");
	sbuf_puts(&line, "}\n");
	fputs(sbuf_str(&line), out);
	int rc = 0;
	for (sim_time t = 0;; t += step) {
		if (t > end)
			t = end;
		if (replay_seek(rp, w, t, err) == EXEC_ERROR) {
			rc = -1;
			break;
		}
		struct sim *s = world_sim(w);
		if (s) {
			struct scene_snap snap;
			memset(&snap, 0, sizeof snap);
			snap.w = CAST_W;
			snap.h = CAST_H;
			snap.unicode = true;
			snap.color = false;
			sbuf_clear(&status);
			char tb[32];
			sbuf_puts(&status, "netsplit · ");
			world_describe(w, &status);
			sbuf_printf(&status, " · t=%s · %s", simtime_fmt(sim_now(s), tb, sizeof tb),
				    _("replay"));
			snap.status = sbuf_str(&status);
			snap.selected = -1;
			tui_snap_cluster(s, -1, &sb, &snap);
			int first = (log.next - log.n + CAST_EVENTS) % CAST_EVENTS;
			for (int i = 0; i < log.n; i++)
				events[i] =
				    (struct scene_line){log.line[(first + i) % CAST_EVENTS], 0};
			snap.nevents = log.n;
			snap.events = events;
			scene_reset(&sc, CAST_W, CAST_H, true);
			scene_view_cluster(&sc, &snap);
			sbuf_clear(&frame);
			sbuf_puts(&frame, "\x1b[H\x1b[2J");
			struct sbuf txt = {0};
			scene_render_text(&sc, &txt);
			for (const char *p = sbuf_str(&txt); *p; p++) {
				if (*p == '\n')
					sbuf_puts(&frame, "\r\n");
				else
					sbuf_putc(&frame, *p);
			}
			sbuf_free(&txt);
			sbuf_clear(&line);
			sbuf_printf(&line, "[%.6f, \"o\", ",
				    (double)(t / step) * (double)CAST_STEP / 1e6);
			sbuf_json_str(&line, sbuf_str(&frame));
			sbuf_puts(&line, "]\n");
			fputs(sbuf_str(&line), out);
		}
		if (t >= end)
			break;
	}
	for (int i = 0; i < CAST_EVENTS; i++)
		free(log.line[i]);
	sbuf_free(&log.tmp);
	sbuf_free(&frame);
	sbuf_free(&line);
	sbuf_free(&status);
	scene_close(&sc);
	tui_snapbuf_free(&sb);
	world_free(w);
	replay_free(rp);
	return rc;
}

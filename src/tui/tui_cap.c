/*
 * tui_cap.c — clusters side by side: the layout and the keys that do not
 * apply, for the one event loop (tui.c) running several panes.
 *
 * `netsplit cap` runs two worlds of the same size under the same seed: a
 * CP cluster and an AP one (which protocols, and with which options, is
 * src/app/cap_cmd.c's choice). Both run the same client workload on the
 * same clock, and every command — typed at the prompt or made by a key —
 * is run in both by the loop: the learner cuts the network once and both
 * clusters take the same cut; `.` is one event in each, a long `run` is
 * sliced in each. Each side shows its tally (answered, refused, timed out,
 * stale reads; history_stats.c) and its live linearizability verdict,
 * checked within a small budget per frame (tui_history.c).
 *
 * What a side-by-side screen refuses, with a message: the other views
 * (logs, timeline, history show one cluster) and the keys of lessons and
 * replays. `R` records every cluster, each as a recording of its own
 * ("TITLE · CP", "TITLE · AP"), which `netsplit replay` plays alone.
 */
#include "tui/tui_cap.h"

#include "tui/tui_history.h"
#include "tui/tui_internal.h"
#include "tui/tui_session.h"
#include "util/i18n.h"

#include <string.h>

/* The tally of a pane, recomputed when its history changed. */
static void side_of(struct tui *t, struct tui_pane *p, int width, struct scene_cap_side *out)
{
	memset(&p->snap, 0, sizeof p->snap);
	p->snap.unicode = tui_term_unicode(t);
	p->snap.color = tui_term_color(t);
	tui_snap_cluster(p->sim, tui_selected(t), &p->sb, &p->snap);
	p->snap.selected = tui_selected(t);
	p->snap.ndrops = p->ndrops;
	p->snap.drops = p->droplist;
	const struct history *h = world_history(p->w);
	if (h->rev != p->st_rev) {
		history_stats(h, &p->st);
		p->st_rev = h->rev;
	}
	*out = (struct scene_cap_side){
	    .title = p->title,
	    .snap = &p->snap,
	    .st = p->st,
	    .verdict = h->n ? tui_hist_verdict_text(p->hist) : NULL,
	    .verdict_style = tui_hist_verdict_style(p->hist),
	    .last = p->last[0] ? p->last : NULL,
	};
	if (LINES >= 40) {
		tui_hist_fill(p->hist, p->w, tui_term_unicode(t), width - SCENE_HIST_GUTTER - 3,
			      &p->hv);
		out->hist = &p->hv;
	}
}

static void cap_draw(struct tui *t, struct scene *sc, const struct scene_snap *snap)
{
	struct scene_cap_side sides[TUI_PANES_MAX];
	int n = tui_npanes(t);
	for (int i = 0; i < n; i++)
		side_of(t, tui_pane(t, i), COLS / n, &sides[i]);
	scene_view_sides(sc, snap, sides, n);
}

static const char *cap_refuse(struct tui *t, int act)
{
	(void)t;
	switch (act) {
	case ACT_VIEW:
	case ACT_ZOOM_IN:
	case ACT_ZOOM_OUT:
		return _("this screen shows the clusters side by side: the logs, timeline and "
			 "history views are for one cluster (netsplit sandbox)");
	case ACT_LESSON_NEXT:
	case ACT_HINT:
	case ACT_SHOW_ME:
	case ACT_RESTART:
	case ACT_PANE:
	case ACT_LESSONS:
	case ACT_ENTER:
	case ACT_SEEK_BACK:
	case ACT_SEEK_FWD:
	case ACT_GOTO:
	case ACT_TAKEOVER: return _("no lesson or replay on this screen");
	default: return NULL;
	}
}

static const struct tui_screen_ops cap_ops = {cap_draw, cap_refuse};

int tui_cap_run(const struct tui_cap_spec *spec)
{
	struct tui_multi m = {0};
	m.name = spec->name;
	m.n = MIN(spec->n, TUI_PANES_MAX);
	for (int i = 0; i < m.n; i++)
		m.pane[i] = (struct tui_pane_spec){spec->cluster[i].tag, spec->cluster[i].cluster};
	m.nodes = spec->nodes;
	m.seed = spec->seed;
	m.setup = spec->workload;
	char intro[256] = "", what[200] = "";
	if (spec->workload) {
		/* The commands on one line: "client stick on; workload ...". */
		ns_snprintf(what, sizeof what, "%s", spec->workload);
		struct sbuf joined = {0};
		char *save = NULL;
		for (char *l = strtok_r(what, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			sbuf_printf(&joined, "%s%s", joined.len ? "; " : "", l);
		ns_snprintf(intro, sizeof intro,
			    m.n == 2 ? _("both clusters run: %s") : _("every cluster runs: %s"),
			    sbuf_str(&joined));
		sbuf_free(&joined);
		m.intro[0] = intro;
	}
	if (spec->tied)
		m.intro[1] = m.n == 2 ? _("each node has a client on its side of the network: p "
					  "splits nodes and clients, h heals")
				      : _("each node has a client on its side of the network");
	else
		m.intro[1] = m.n == 2 ? _("every key and command applies to both: p splits the "
					  "network, h heals it")
				      : _("every key and command applies to every cluster");
	m.ops = &cap_ops;
	struct tui_options o = {.db_path = spec->db_path};
	m.ses = tui_session_new(&o);
	int status = tui_multi_run(&m);
	tui_session_free(m.ses);
	return status;
}

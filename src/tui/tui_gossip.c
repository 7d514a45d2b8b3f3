/*
 * tui_gossip.c — the SWIM membership matrix's snapshot (scene_gossip.c),
 * and how the news of one member spread (issue 17).
 *
 * The traced member is the selected node. Its news is the newest entry
 * any up member's view holds of it, in SWIM's override order (a higher
 * incarnation, or the same one with a graver state: alive < suspect <
 * dead < left). Each view records the true time it took its entry
 * (swim_view_since), so the spread is read off the views as they stand:
 * the first holder's time is when the news was born, and counting the
 * holders whose time falls within each protocol period after it gives
 * the infection curve — SWIM's dissemination reaches every member in
 * O(log n) periods (Das, Gupta & Motivala 2002, §4.1), which the detail
 * line prints beside log2 of the group's size. A view that has since
 * moved past the news no longer counts: it holds newer news.
 *
 * Cost per frame: O(n²) reads of the views (4,096 at 64 members).
 */
#include "tui/tui_internal.h"

#include "proto/swim.h"
#include "util/i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GOSSIP_PERIODS 14 /* counts printed, the newest kept */

bool tui_gossip_applies(struct sim *s)
{
	return s && sim_proto(s) == &swim_ops;
}

static uint8_t cell_of(enum swim_state st)
{
	switch (st) {
	case SWIM_ALIVE: return GC_ALIVE;
	case SWIM_SUSPECT: return GC_SUSPECT;
	case SWIM_DEAD: return GC_DEAD;
	case SWIM_LEFT: return GC_LEFT;
	default: return GC_NONE;
	}
}

/* Is (st, inc) later than (bst, binc) in the override order? */
static bool later(enum swim_state st, uint32_t inc, enum swim_state bst, uint32_t binc)
{
	return inc > binc || (inc == binc && st > bst);
}

void tui_gossip_fill(struct tui_gossip *g, struct sim *s, int subject, bool unicode,
		     struct scene_snap *out)
{
	int n = MIN(sim_nodes(s), SCENE_MAX_NODES);
	size_t cells = (size_t)n * (size_t)n;
	if (cells > g->capcell)
		xgrow((void **)&g->cell, &g->capcell, cells, 1);
	if ((size_t)n > g->caprow)
		xgrow((void **)&g->row, &g->caprow, (size_t)n, 1);
	if (subject >= n)
		subject = -1;
	/* The news of the subject: the latest entry an up view holds. */
	enum swim_state news = SWIM_NONE;
	uint32_t news_inc = 0;
	for (int i = 0; i < n; i++) {
		const struct node *nd = sim_node_c(s, i);
		void *self = proto_self(s, i);
		g->row[i] = !nd->up ? GR_DOWN : swim_in_group(self) ? GR_UP : GR_OUT;
		for (int j = 0; j < n; j++) {
			uint32_t inc;
			sim_time since;
			enum swim_state st = swim_view_since(self, j, &inc, &since);
			g->cell[(size_t)i * (size_t)n + (size_t)j] =
			    i == j ? (st == SWIM_NONE ? GC_NONE : GC_SELF) : cell_of(st);
			if (j == subject && i != j && nd->up && st != SWIM_NONE &&
			    (news == SWIM_NONE || later(st, inc, news, news_inc))) {
				news = st;
				news_inc = inc;
			}
		}
	}
	/* Who holds it, since when. */
	int audience = 0, holders = 0;
	sim_time first = SIM_NEVER, last = 0;
	for (int i = 0; subject >= 0 && i < n; i++) {
		if (i == subject || !sim_node_c(s, i)->up)
			continue;
		audience++;
		uint32_t inc;
		sim_time since;
		enum swim_state st = swim_view_since(proto_self(s, i), subject, &inc, &since);
		if (news == SWIM_NONE || st != news || inc != news_inc)
			continue;
		g->cell[(size_t)i * (size_t)n + (size_t)subject] |= SCENE_GOSSIP_NEWS;
		holders++;
		first = MIN(first, since);
		last = MAX(last, since);
	}
	if (holders && first == 0) /* what every view started with is no news */
		for (int i = 0; i < n; i++)
			g->cell[(size_t)i * (size_t)n + (size_t)subject] &=
			    (uint8_t)~SCENE_GOSSIP_NEWS;
	out->ngossip = n;
	out->gossip_cell = g->cell;
	out->gossip_row = g->row;
	out->gossip_subject = subject;
	out->gossip_top = g->top;
	ns_snprintf(
	    g->title, sizeof g->title, "%s",
	    unicode ? _("Each member's view (a row) of every member: · alive ? suspect ✕ dead")
		    : _("Each member's view (a row) of every member: . alive ? suspect x dead"));
	out->gossip_title = g->title;
	char tb[32], name[16];
	ns_snprintf(name, sizeof name, "n%d", subject + 1);
	g->detail[1][0] = g->detail[2][0] = '\0';
	if (subject < 0 || news == SWIM_NONE) {
		ns_snprintf(
		    g->detail[0], sizeof g->detail[0], "%s",
		    _("Select a member (1-9, left/right) to trace its news through the group"));
	} else if (first == 0) {
		ns_snprintf(
		    g->detail[0], sizeof g->detail[0],
		    _("News of %s: %s at incarnation %u since the start: nothing has spread yet"),
		    name, _(swim_state_name(news)), news_inc);
		ns_snprintf(g->detail[1], sizeof g->detail[1], "%s",
			    _("crash it (c) and watch its column fill as the group learns"));
	} else {
		ns_snprintf(g->detail[0], sizeof g->detail[0],
			    _("News of %s: %s at incarnation %u, first held at %s (true time)"),
			    name, _(swim_state_name(news)), news_inc,
			    simtime_fmt(first, tb, sizeof tb));
		sim_time period = swim_period(proto_self(s, subject));
		int periods = period > 0 ? (int)((last - first + period - 1) / period) : 0;
		struct sbuf b = {0}, spark = {0};
		static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
		int from = MAX(0, periods - GOSSIP_PERIODS + 1);
		if (from > 0)
			sbuf_puts(&b, "… ");
		for (int k = from; k <= periods; k++) {
			int c = 0;
			for (int i = 0; i < n; i++) {
				if (!(g->cell[(size_t)i * (size_t)n + (size_t)subject] &
				      SCENE_GOSSIP_NEWS))
					continue;
				uint32_t inc;
				sim_time since;
				swim_view_since(proto_self(s, i), subject, &inc, &since);
				c += since <= first + (sim_time)k * period;
			}
			sbuf_printf(&b, "%d ", c);
			int lvl = audience ? MIN(7, (c * 8 - 1) / MAX(1, audience)) : 0;
			sbuf_puts(&spark,
				  unicode ? bars[MAX(0, lvl)] : (c == audience ? "#" : "."));
		}
		char pb[32];
		ns_snprintf(g->detail[1], sizeof g->detail[1],
			    _("held after each period of %s: %sof %d up  %s"),
			    simtime_fmt_dur(period, pb, sizeof pb), sbuf_str(&b), audience,
			    sbuf_str(&spark));
		sbuf_free(&b);
		sbuf_free(&spark);
		double lg = audience > 0 ? log2((double)audience + 1) : 0;
		ns_snprintf(tb, sizeof tb, "%.0fms", (double)(last - first) / SIM_MS);
		if (holders == audience)
			ns_snprintf(
			    g->detail[2], sizeof g->detail[2],
			    _("every up member in %d periods (%s); log2 of the group: %.1f"),
			    periods, tb, lg);
		else
			ns_snprintf(
			    g->detail[2], sizeof g->detail[2],
			    _("%d of %d up members so far, %d periods; log2 of the group: %.1f"),
			    holders, audience, periods, lg);
	}
	for (int i = 0; i < 3; i++) {
		g->lines[i].text = g->detail[i];
		g->lines[i].style = (uint8_t)(i == 0 ? SS_NORMAL : SS_DIM);
	}
	out->ngossip_detail = 3;
	out->gossip_detail = g->lines;
}

void tui_gossip_scroll(struct tui_gossip *g, struct sim *s, int rows, int delta)
{
	int n = MIN(sim_nodes(s), SCENE_MAX_NODES);
	g->top = MAX(0, MIN(g->top + delta, n - rows));
}

void tui_gossip_free(struct tui_gossip *g)
{
	free(g->cell);
	free(g->row);
	memset(g, 0, sizeof *g);
}

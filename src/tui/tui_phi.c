/*
 * tui_phi.c — the φ plot's snapshot (scene_phi.c): one observer (the
 * selected node), one peer (up and down choose it), the last few seconds
 * of the observer's own clock (< and > zoom).
 *
 * φ is computed again for each column from the protocol's record of the
 * moments its formula changed (phi_history: each heartbeat's arrival and
 * the window it left), with the protocol's own phi_compute — the plot is
 * what the detector computed, not a sampling of the screen's frames, so
 * it is the same at any speed, paused, or replayed. Each column takes the
 * largest of four samples across its slice, so that a peak between two
 * samples is not lost.
 */
#include "tui/tui_internal.h"

#include "proto/phi.h"
#include "util/i18n.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PHI_SPAN_MIN (1 * SIM_S)
#define PHI_SPAN_MAX (60 * SIM_S)

bool tui_phi_applies(struct sim *s)
{
	return phi_applies(s);
}

/* The peer shown for observer `obs`: the one chosen, or the next node
 * (the chosen one again when it is the observer). */
static int peer_of(const struct tui_phi *p, struct sim *s, int obs)
{
	int n = sim_nodes(s);
	if (n < 2)
		return -1;
	int q = p->peer >= 1 && p->peer <= n ? p->peer - 1 : (obs + 1) % n;
	return q == obs ? (q + 1) % n : q;
}

/* φ at local time t from the points (oldest first); NAN while down,
 * -1 before the first point. */
static double phi_at_time(const struct phi_point *pt, int n, sim_time t)
{
	int lo = 0, hi = n - 1, k = -1;
	while (lo <= hi) { /* the last point from at or before t */
		int mid = (lo + hi) / 2;
		if (pt[mid].from <= t) {
			k = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (k < 0)
		return -1;
	if (pt[k].sd <= 0)
		return NAN;
	return phi_compute((double)(t - pt[k].last), pt[k].mean, pt[k].sd);
}

void tui_phi_fill(struct tui_phi *p, struct sim *s, int obs, bool unicode, struct scene_snap *out)
{
	int n = sim_nodes(s);
	if (obs < 0 || obs >= n)
		obs = 0;
	int peer = peer_of(p, s, obs);
	if (p->span <= 0)
		p->span = 6 * SIM_S;
	int cols = scene_phi_cols(out->w);
	if ((size_t)cols > p->cap)
		xgrow((void **)&p->vals, &p->cap, (size_t)cols, sizeof *p->vals);
	int np = peer >= 0 ? phi_history(s, obs, peer, p->pts, PHI_HIST) : 0;
	sim_time now = phi_local_now(s, obs), slice = p->span / cols;
	for (int c = 0; c < cols; c++) {
		sim_time t = now - p->span + (sim_time)(c + 1) * p->span / cols;
		double v = -1;
		for (int k = 0; k < 4; k++) {
			double x = phi_at_time(p->pts, np, t - slice * k / 4);
			if (isnan(x)) {
				v = NAN;
				break;
			}
			v = MAX(v, x);
		}
		p->vals[c] = (float)v;
	}
	out->nphi = cols;
	out->phi = p->vals;
	out->phi_threshold = phi_threshold(s);
	out->phi_span = p->span;
	const char *phi = unicode ? "φ" : "phi";
	ns_snprintf(p->title, sizeof p->title,
		    _("%s of n%d as n%d sees it, on n%d's clock · threshold %.0f (dashed)"), phi,
		    peer + 1, obs + 1, obs + 1, phi_threshold(s));
	out->phi_title = p->title;
	/* Now: the newest point's formula at the observer's clock. */
	char tb[32], mb[32], sb[32];
	p->now_value = NAN;
	if (np == 0 || peer < 0) {
		ns_snprintf(p->detail[0], sizeof p->detail[0], "%s", _("nothing recorded yet"));
	} else if (p->pts[np - 1].sd <= 0) {
		ns_snprintf(p->detail[0], sizeof p->detail[0], _("n%d is down: it computes no phi"),
			    obs + 1);
	} else {
		const struct phi_point *q = &p->pts[np - 1];
		double v = phi_compute((double)(now - q->last), q->mean, q->sd);
		p->now_value = v;
		ns_snprintf(mb, sizeof mb, "%.1fms", q->mean / SIM_MS);
		ns_snprintf(sb, sizeof sb, "%.1fms", q->sd / SIM_MS);
		ns_snprintf(tb, sizeof tb, "%.0fms", (double)(now - q->last) / SIM_MS);
		char vb[32];
		ns_snprintf(vb, sizeof vb, v >= 100 ? "%.0f" : "%.2f", v);
		/* TRANSLATORS: trusted or SUSPECTED, phi, its value, the time
		 * since the last heartbeat, the window's mean and deviation. */
		ns_snprintf(p->detail[0], sizeof p->detail[0],
			    _("%s · %s %s · last heartbeat %s ago · mean %s, deviation %s"),
			    v > phi_threshold(s) ? _("SUSPECTED") : _("trusted"), phi, vb, tb, mb,
			    sb);
	}
	char span[32];
	ns_snprintf(span, sizeof span, "%.3gs", (double)p->span / SIM_S);
	ns_snprintf(
	    p->detail[1], sizeof p->detail[1],
	    _("up/down: peer · left/right: observer · < >: zoom (%s) · false alarms of n%d: %lld"),
	    span, obs + 1, (long long)phi_false_suspicions(s, obs));
	for (int i = 0; i < 2; i++) {
		p->lines[i].text = p->detail[i];
		p->lines[i].style = (uint8_t)(i ? SS_DIM : SS_NORMAL);
	}
	out->nphi_detail = 2;
	out->phi_detail = p->lines;
}

void tui_phi_peer(struct tui_phi *p, struct sim *s, int obs, int delta)
{
	int n = sim_nodes(s);
	if (n < 2)
		return;
	int q = peer_of(p, s, obs);
	do
		q = (q + delta + n) % n;
	while (q == obs);
	p->peer = q + 1;
}

void tui_phi_zoom(struct tui_phi *p, int in)
{
	if (p->span <= 0)
		p->span = 6 * SIM_S;
	p->span = in > 0 ? MAX(PHI_SPAN_MIN, p->span / 2) : MIN(PHI_SPAN_MAX, p->span * 2);
}

void tui_phi_free(struct tui_phi *p)
{
	free(p->vals);
	memset(p, 0, sizeof *p);
}

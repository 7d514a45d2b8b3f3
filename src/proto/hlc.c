/*
 * hlc.c — the rules of hybrid logical clocks (Kulkarni et al. 2014,
 * Figure 5), quoted beside the code. See hlc.h.
 */
#include "proto/hlc.h"

void hlc_local(int64_t *l, uint32_t *c, sim_time pt)
{
	/* Kulkarni et al. 2014, Figure 5, "Send or local event":
	 *   l'.j := l.j;  l.j := max(l'.j, pt.j);
	 *   If (l.j = l'.j) then c.j := c.j + 1 Else c.j := 0;
	 *   Timestamp with l.j, c.j */
	int64_t lp = *l;
	*l = MAX(lp, pt);
	*c = *l == lp ? *c + 1 : 0;
}

void hlc_recv(int64_t *l, uint32_t *c, int64_t lm, uint32_t cm, sim_time pt)
{
	/* Kulkarni et al. 2014, Figure 5, "Receive event of message m":
	 *   l'.j := l.j;  l.j := max(l'.j, l.m, pt.j);
	 *   If (l.j = l'.j = l.m) then c.j := max(c.j, c.m) + 1
	 *   Elseif (l.j = l'.j) then c.j := c.j + 1
	 *   Elseif (l.j = l.m) then c.j := c.m + 1
	 *   Else c.j := 0 */
	int64_t lp = *l;
	*l = MAX(MAX(lp, lm), pt);
	if (*l == lp && lp == lm)
		*c = MAX(*c, cm) + 1;
	else if (*l == lp)
		*c = *c + 1;
	else if (*l == lm)
		*c = cm + 1;
	else
		*c = 0;
}

bool hlc_less(int64_t l1, uint32_t c1, int64_t l2, uint32_t c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

void hlc_fmt(int64_t l, uint32_t c, struct sbuf *out)
{
	char tb[32];
	if (l == HLC_NONE) {
		sbuf_puts(out, "-");
		return;
	}
	sbuf_printf(out, "%s,%u", simtime_fmt(l, tb, sizeof tb), c);
}

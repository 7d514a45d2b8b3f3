/*
 * test_scene.c — the screen's layout, without a terminal: synthetic
 * snapshots of 1 to 12 nodes at 80x24, 120x40 and 200x60 are laid out,
 * checked (no two boxes overlap, every node is visible with its name inside
 * its box, nothing of a node spills out of its box, the ring stays in the
 * cluster pane) and rendered to text, which must equal the golden files in
 * tests/golden/. Set NETSPLIT_UPDATE_GOLDEN=1 to rewrite them after an
 * intended change, and review the diff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "golden.h"
#include "tui/scene.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct scene_link links[8];
static struct scene_msg msgs[64];
static struct scene_drop drops[4];
static struct scene_line events[4];
static struct scene_line side[4];
static const struct scene_key keys[] = {
    {"?", "help"},  {"space", "run"}, {".", "step"},    {"c", "crash"}, {"x", "cut"},
    {"p", "split"}, {"h", "heal"},    {":", "command"}, {"q", "quit"},
};

/* A cluster of n nodes in a state that exercises everything the ring draws:
 * a leader, a candidate, a crashed node, a cut link, a one-way link, a slow
 * and lossy link, requests and replies in flight, and a drop. */
static void make_snap(struct scene_snap *s, int n, int w, int h, bool unicode)
{
	memset(s, 0, sizeof *s);
	s->w = w;
	s->h = h;
	s->unicode = unicode;
	s->color = true;
	s->status = "netsplit · raft · 5 nodes · seed 42 · t=12.480s · 1.0x · running";
	s->status_right = unicode ? "● REC" : "* REC";
	s->nnodes = n;
	s->selected = 0;
	for (int i = 0; i < n; i++) {
		struct scene_node *nd = &s->node[i];
		snprintf(nd->name, sizeof nd->name, "n%d", (i + 1) % 1000);
		nd->up = !(n >= 4 && i == n - 1);
		nd->st.kind = i == 0               ? ROLE_LEADER
			      : (n >= 3 && i == 2) ? ROLE_CANDIDATE
						   : ROLE_FOLLOWER;
		nd->st.role = i == 0 ? "Leader" : (n >= 3 && i == 2) ? "Candidate" : "Follower";
		nd->st.term = 3 + (i == 2);
		nd->st.commit = 7 - (i % 3);
		nd->st.leader = 0;
		nd->nlog = 9 - (i % 4);
		for (int k = 0; k < nd->nlog; k++) {
			nd->log[k].index = k + 1;
			nd->log[k].term = 1 + k / 3;
		}
		nd->log_last = nd->nlog;
	}
	int nl = 0;
	if (n >= 2)
		links[nl++] = (struct scene_link){0, 1, false, false, false, false};
	if (n >= 3)
		links[nl++] = (struct scene_link){1, 2, true, false, false, false};
	if (n >= 4)
		links[nl++] = (struct scene_link){0, 2, true, true, true, true};
	s->nlinks = nl;
	s->links = links;
	int nm = 0;
	for (int i = 1; i < n && nm < 60; i++) {
		msgs[nm++] = (struct scene_msg){0, (int16_t)i, 0.3f, 'a', false, false};
		msgs[nm++] = (struct scene_msg){(int16_t)i, 0, 0.6f, 'A', true, false};
	}
	s->nmsgs = nm;
	s->msgs = msgs;
	if (n >= 3) {
		drops[0] = (struct scene_drop){0, 1, 0.5f};
		s->ndrops = 1;
		s->drops = drops;
	}
	events[0] = (struct scene_line){"12.470s n1 → n2 AppendEntries t3 prev=7/t3 +0 commit=7",
					SS_NORMAL};
	events[1] =
	    (struct scene_line){"12.471s n2 → n1 AppendEntriesReply t3 ok match=7", SS_NORMAL};
	events[2] = (struct scene_line){"12.475s n1 → n4 dropped: n4 is down", SS_DROP};
	s->nevents = 3;
	s->events = events;
	side[0] = (struct scene_line){"Leader  term 3", SS_LEADER};
	side[1] = (struct scene_line){"commit 7 · applied 7", SS_NORMAL};
	s->side_title = "n1";
	s->nside = 2;
	s->side = side;
	s->message = "crash n4: n4 crashed";
	s->message_style = SS_OK;
	s->nkeys = (int)ARRAY_LEN(keys);
	s->keys = keys;
}

static bool rect_inside(struct scene_rect in, struct scene_rect out)
{
	return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
	       in.y + in.h <= out.y + out.h;
}

static bool rects_meet(struct scene_rect a, struct scene_rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* The explicit checks: every node visible, nothing overlapping. */
static void check_layout(const struct scene *sc, const struct scene_snap *s)
{
	struct scene_layout l;
	scene_layout(s->w, s->h, &l);
	assert_int_equal(sc->nboxes, s->nnodes);
	assert_true(rect_inside(sc->area, l.cluster));
	for (int i = 0; i < sc->nboxes; i++) {
		assert_true(rect_inside(sc->box[i], sc->area));
		for (int j = 0; j < i; j++)
			assert_false(rects_meet(sc->box[i], sc->box[j]));
	}
	/* Everything drawn for a node stays inside its box. */
	for (size_t k = 0; k < sc->nitems; k++) {
		const struct scene_item *it = &sc->items[k];
		if (it->node < 0 || it->peer >= 0)
			continue;
		struct scene_rect r = {it->x, it->y, it->w, it->h};
		assert_true(rect_inside(r, sc->box[it->node]));
	}
	/* Each node's name is on screen, in its own box. */
	struct scene_grid g;
	scene_grid_init(&g);
	scene_rasterize(sc, &g);
	for (int i = 0; i < sc->nboxes; i++) {
		const struct scene_rect b = sc->box[i];
		bool found = false;
		for (int y = b.y; y < b.y + b.h && !found; y++) {
			struct sbuf row = {0};
			for (int x = b.x; x < b.x + b.w; x++)
				sbuf_puts(&row, g.c[(size_t)y * g.w + x].g);
			char want[16];
			snprintf(want, sizeof want, "%s ", s->node[i].name);
			found = strstr(sbuf_str(&row), want) != NULL;
			sbuf_free(&row);
		}
		if (!found)
			fail_msg("node %s not visible in its box", s->node[i].name);
	}
	scene_grid_close(&g);
}

static void test_ring_sizes(void **state)
{
	(void)state;
	static const int sizes[][2] = {{80, 24}, {120, 40}, {200, 60}};
	struct scene sc;
	scene_init(&sc);
	for (size_t z = 0; z < ARRAY_LEN(sizes); z++) {
		for (int n = 1; n <= 12; n++) {
			struct scene_snap s;
			make_snap(&s, n, sizes[z][0], sizes[z][1], true);
			scene_view_cluster(&sc, &s);
			check_layout(&sc, &s);
			struct sbuf out = {0};
			scene_render_text(&sc, &out);
			char name[64];
			snprintf(name, sizeof name, "cluster_%02d_%dx%d", n, sizes[z][0],
				 sizes[z][1]);
			golden(name, sbuf_str(&out));
			sbuf_free(&out);
		}
	}
	scene_close(&sc);
}

/* Without a UTF-8 locale everything is drawn in ASCII. */
static void test_ascii(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 5, 80, 24, false);
	s.status = "netsplit - raft - 5 nodes - seed 42 - t=12.480s - 1.0x - running";
	events[0].text = "12.470s n1 -> n2 AppendEntries t3 prev=7/t3 +0 commit=7";
	events[1].text = "12.471s n2 -> n1 AppendEntriesReply t3 ok match=7";
	events[2].text = "12.475s n1 -> n4 dropped: n4 is down";
	side[1].text = "commit 7 - applied 7";
	scene_view_cluster(&sc, &s);
	check_layout(&sc, &s);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	for (const unsigned char *p = (const unsigned char *)sbuf_str(&out); *p; p++)
		assert_true(*p < 0x80);
	golden("cluster_05_80x24_ascii", sbuf_str(&out));
	sbuf_free(&out);
	scene_close(&sc);
}

/* Without UTF-8, text is transliterated: symbols and accented letters get
 * their nearest ASCII. */
static void test_transliterate(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	scene_reset(&sc, 40, 1, false);
	scene_text(&sc, 0, 0, -1, SS_NORMAL, "Líder · n1 → n2 ✗ año ¿sí?");
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	assert_string_equal(sbuf_str(&out), "Lider - n1 -> n2 X ano ?si?\n");
	sbuf_free(&out);
	scene_close(&sc);
}

/* Without colour the log tail shows terms as digits. */
static void test_no_color(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 3, 80, 24, true);
	s.color = false;
	scene_view_cluster(&sc, &s);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	assert_non_null(strstr(sbuf_str(&out), "111222333"));
	sbuf_free(&out);
	scene_close(&sc);
}

static void test_too_small(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 5, 60, 20, true);
	scene_view_cluster(&sc, &s);
	assert_int_equal(sc.nboxes, 0);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	assert_non_null(strstr(sbuf_str(&out), "80x24"));
	assert_non_null(strstr(sbuf_str(&out), "60x20"));
	golden("too_small_60x20", sbuf_str(&out));
	sbuf_free(&out);
	scene_close(&sc);
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(scene_width("Leader"), 6);
	assert_int_equal(scene_width("Líder"), 5);
	assert_int_equal(scene_width("日本"), 4);
	assert_int_equal(scene_width("╭─╮"), 3);
	int used;
	size_t b = scene_fit("日本語", 5, &used);
	assert_int_equal(used, 4);
	assert_int_equal(b, 6);
	/* A wide glyph is rasterised into two cells. */
	struct scene sc;
	scene_init(&sc);
	scene_reset(&sc, 10, 1, true);
	scene_text(&sc, 0, 0, -1, SS_NORMAL, "a日b");
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	assert_string_equal(sbuf_str(&out), "a日b\n");
	sbuf_free(&out);
	scene_close(&sc);
}

/* Mouse: a click in a box selects its node; a click on a link names it. */
static void test_hit(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 5, 80, 24, true);
	scene_view_cluster(&sc, &s);
	for (int i = 0; i < sc.nboxes; i++) {
		int node, peer;
		assert_true(scene_hit(&sc, sc.box[i].x + 1, sc.box[i].y + 1, &node, &peer));
		assert_int_equal(node, i);
		assert_int_equal(peer, -1);
	}
	bool link_found = false;
	for (size_t k = 0; k < sc.nitems; k++) {
		const struct scene_item *it = &sc.items[k];
		int node, peer;
		if (it->peer < 0 || it->style != SS_CUT)
			continue;
		assert_true(scene_hit(&sc, it->x, it->y, &node, &peer));
		assert_int_equal(node, 0);
		assert_int_equal(peer, 1);
		link_found = true;
	}
	assert_true(link_found);
	scene_close(&sc);
}

static void test_other_views(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 5, 80, 24, true);
	/* logs: indexes 9..1 */
	static struct log_view_entry cells[9 * 5];
	memset(cells, 0, sizeof cells);
	s.logs_rows = 9;
	s.logs_top = 9;
	s.logs = cells;
	for (int r = 0; r < 9; r++)
		for (int k = 0; k < 5; k++) {
			int64_t idx = 9 - r;
			if (idx > s.node[k].nlog)
				continue;
			struct log_view_entry *e = &cells[r * 5 + k];
			e->index = idx;
			e->term = 1 + (idx - 1) / 3;
			snprintf(e->cmd, sizeof e->cmd, "put k%d v%d", (int)idx % 3, (int)idx);
		}
	scene_view_logs(&sc, &s);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	golden("logs_05_80x24", sbuf_str(&out));
	sbuf_clear(&out);

	static struct scene_tl_event tl[6];
	tl[0] = (struct scene_tl_event){100 * SIM_MS, 112 * SIM_MS, 0, 1, 'a', SS_MSG, false};
	tl[1] = (struct scene_tl_event){100 * SIM_MS, 130 * SIM_MS, 0, 3, 'a', SS_MSG, true};
	tl[2] = (struct scene_tl_event){115 * SIM_MS, 127 * SIM_MS, 1, 0, 'A', SS_REPLY, false};
	tl[3] = (struct scene_tl_event){140 * SIM_MS, 0, 4, -1, 'X', SS_CUT, false};
	s.ntl = 4;
	s.tl = tl;
	s.tl_now = 160 * SIM_MS;
	s.tl_scale = 5 * SIM_MS;
	scene_view_timeline(&sc, &s);
	scene_render_text(&sc, &out);
	golden("timeline_05_80x24", sbuf_str(&out));
	sbuf_clear(&out);

	static struct scene_line help[3] = {
	    {"Keys", SS_TITLE}, {"  ?      help", SS_NORMAL}, {"  q      quit", SS_NORMAL}};
	s.nhelp = 3;
	s.help = help;
	scene_view_help(&sc, &s);
	scene_render_text(&sc, &out);
	assert_non_null(strstr(sbuf_str(&out), "q      quit"));
	sbuf_free(&out);
	scene_close(&sc);
}

/* Timers (issue 11): a leader's heartbeat, four followers' election
 * timeouts draining at different paces, the soonest marked. The box bars
 * share one scale per kind, so the follower with the least time left has
 * the shortest bar; the side pane lists the selected node's timers. */
static void make_timer_snap(struct scene_snap *s, int w, int h, bool unicode)
{
	make_snap(s, 5, w, h, unicode);
	for (int i = 0; i < 5; i++) {
		s->node[i].up = true;
		s->node[i].st.kind = i ? ROLE_FOLLOWER : ROLE_LEADER;
		s->node[i].st.role = i ? "Follower" : "Leader";
	}
	s->now = 1000 * SIM_MS;
	/* n1 the leader: its heartbeat, half gone. */
	s->node[0].ntimers = 1;
	s->node[0].timers[0] =
	    (struct view_timer){"heartbeat", VT_PERIODIC, -1, 975 * SIM_MS, 1025 * SIM_MS};
	/* Followers: spans of 300, 250, 200 and 150 ms armed 100 ms ago:
	 * 200, 150, 100 and 50 ms left — n5 times out first. */
	for (int i = 1; i < 5; i++) {
		sim_time span = (350 - 50 * i) * SIM_MS;
		s->node[i].ntimers = 1;
		s->node[i].timers[0] = (struct view_timer){"election timeout", VT_TIMEOUT, -1,
							   900 * SIM_MS, 900 * SIM_MS + span};
	}
	s->node[1].ntimers = 2;
	s->node[1].timers[1] =
	    (struct view_timer){"silence of n1", VT_SILENCE, 0, 990 * SIM_MS, 1490 * SIM_MS};
	s->selected = 1;
	s->side_node = 1;
	s->side_title = "n2 · Follower";
	s->nside = 0;
	s->nmsgs = 0;
	s->ndrops = 0;
	s->nlinks = 0;
}

static int count_style(const struct scene *sc, int style)
{
	struct scene_grid g;
	scene_grid_init(&g);
	scene_rasterize(sc, &g);
	int n = 0;
	for (int i = 0; i < g.w * g.h; i++)
		n += g.c[i].style == style;
	scene_grid_close(&g);
	return n;
}

/* The bar's cells in box i's bottom row. */
static int bar_len(const struct scene *sc, int i)
{
	struct scene_grid g;
	scene_grid_init(&g);
	scene_rasterize(sc, &g);
	struct scene_rect r = sc->box[i];
	int n = 0;
	for (int x = r.x; x < r.x + r.w; x++) {
		int st = g.c[(r.y + r.h - 1) * g.w + x].style;
		n += st == SS_TIMER || st == SS_TIMER_NEXT;
	}
	scene_grid_close(&g);
	return n;
}

static void test_timers(void **state)
{
	(void)state;
	static const int sizes[][2] = {{80, 24}, {100, 30}, {200, 60}};
	struct scene sc;
	scene_init(&sc);
	for (size_t z = 0; z < ARRAY_LEN(sizes); z++) {
		struct scene_snap s;
		make_timer_snap(&s, sizes[z][0], sizes[z][1], true);
		scene_view_cluster(&sc, &s);
		check_layout(&sc, &s);
		/* Less time left, a shorter bar; the first to run out is marked. */
		for (int i = 2; i < 5; i++)
			assert_true(bar_len(&sc, i) <= bar_len(&sc, i - 1));
		assert_true(bar_len(&sc, 4) < bar_len(&sc, 1));
		assert_true(bar_len(&sc, 4) >= 1);
		assert_true(count_style(&sc, SS_TIMER_NEXT) >= bar_len(&sc, 4));
		struct sbuf out = {0};
		scene_render_text(&sc, &out);
		assert_non_null(strstr(sbuf_str(&out), "election timeout"));
		assert_non_null(strstr(sbuf_str(&out), "200ms"));
		char name[64];
		snprintf(name, sizeof name, "timers_%dx%d", sizes[z][0], sizes[z][1]);
		golden(name, sbuf_str(&out));
		sbuf_free(&out);
		/* Time passes: every bar drains; at 1.4 s all have run out. */
		int before = bar_len(&sc, 1);
		s.now = 1090 * SIM_MS;
		scene_view_cluster(&sc, &s);
		assert_true(bar_len(&sc, 1) < before);
		s.now = 1400 * SIM_MS;
		scene_view_cluster(&sc, &s);
		for (int i = 0; i < 5; i++)
			assert_int_equal(bar_len(&sc, i), 0);
	}
	/* ASCII: the same bars in '='. */
	struct scene_snap s;
	make_timer_snap(&s, 80, 24, false);
	scene_view_cluster(&sc, &s);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	assert_non_null(strstr(sbuf_str(&out), "=="));
	golden("timers_80x24_ascii", sbuf_str(&out));
	sbuf_free(&out);
	scene_close(&sc);
}

/* A message glyph is a mouse target of its own (it opens the message),
 * not the link under it; the opened one is drawn in its own style. */
static void test_msg_hit(void **state)
{
	(void)state;
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	make_snap(&s, 3, 80, 24, true);
	msgs[2].selected = true;
	scene_view_cluster(&sc, &s);
	int found = 0;
	for (size_t i = 0; i < sc.nitems; i++) {
		const struct scene_item *it = &sc.items[i];
		if (it->msg < 0)
			continue;
		assert_int_equal(scene_hit_msg(&sc, it->x, it->y), it->msg);
		if (it->style == SS_MSG_SEL)
			assert_int_equal(it->msg, 2);
		found++;
	}
	assert_true(found >= 2);
	assert_true(count_style(&sc, SS_MSG_SEL) == 1);
	/* A node's box is not a message. */
	assert_int_equal(scene_hit_msg(&sc, sc.box[0].x + 1, sc.box[0].y + 1), -1);
	msgs[2].selected = false;
	scene_close(&sc);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	unsetenv("LANGUAGE");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width),    cmocka_unit_test(test_ring_sizes),
	    cmocka_unit_test(test_ascii),    cmocka_unit_test(test_transliterate),
	    cmocka_unit_test(test_no_color), cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_hit),      cmocka_unit_test(test_other_views),
	    cmocka_unit_test(test_timers),   cmocka_unit_test(test_msg_hit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

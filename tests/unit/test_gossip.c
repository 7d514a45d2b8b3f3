/*
 * test_gossip.c — SWIM's membership matrix and the spread of one member's
 * news (issue 17), from a real simulation: every cell is what that view
 * holds (swim_view_of), the news of a crashed member is its death, the
 * views marked as holding it are exactly those whose entry is that death,
 * the counts per period grow to every up member, and the drawing of 16
 * members at 80x24 matches its golden file. The cluster view of 64
 * members draws every one of them (names only), none left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"
#include "golden.h"
#include "proto/swim.h"
#include "tui/tui_internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_news_spreads(void **state)
{
	(void)state;
	struct world *w = world_with("seed 5\ncluster swim 16\nrun 2s\ncrash n5\nrun 4s");
	struct sim *s = world_sim(w);
	assert_true(tui_gossip_applies(s));
	struct tui_gossip g;
	memset(&g, 0, sizeof g);
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	tui_gossip_fill(&g, s, 4, true, &snap);
	assert_int_equal(snap.ngossip, 16);
	assert_int_equal(snap.gossip_subject, 4);
	assert_int_equal(snap.gossip_row[4], GR_DOWN);
	int holders = 0;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) {
			uint8_t c = snap.gossip_cell[i * 16 + j];
			uint32_t inc;
			enum swim_state st = swim_view_of(proto_self(s, i), j, &inc);
			int k = c & ~SCENE_GOSSIP_NEWS;
			if (i == j) {
				assert_int_equal(k, st == SWIM_NONE ? GC_NONE : GC_SELF);
				continue;
			}
			int want = st == SWIM_ALIVE     ? GC_ALIVE
				   : st == SWIM_SUSPECT ? GC_SUSPECT
				   : st == SWIM_DEAD    ? GC_DEAD
				   : st == SWIM_LEFT    ? GC_LEFT
							: GC_NONE;
			assert_int_equal(k, want);
			bool news = (c & SCENE_GOSSIP_NEWS) != 0;
			assert_int_equal(news, j == 4 && i != 4 && st == SWIM_DEAD);
			holders += news;
		}
	/* Four seconds after the crash every up member holds the death. */
	assert_int_equal(holders, 15);
	assert_non_null(strstr(snap.gossip_detail[0].text, "News of n5: dead"));
	assert_non_null(strstr(snap.gossip_detail[1].text, "of 15 up"));
	assert_non_null(strstr(snap.gossip_detail[2].text, "every up member in"));
	/* The counts per period never fall and end at all 15. */
	const char *p = strstr(snap.gossip_detail[1].text, ": ") + 2;
	int prev = 0, c = 0;
	while (sscanf(p, "%d ", &c) == 1) {
		assert_true(c >= prev);
		prev = c;
		p = strchr(p, ' ') + 1;
	}
	assert_int_equal(prev, 15);
	struct scene sc;
	scene_init(&sc);
	snap.w = 80;
	snap.h = 24;
	snap.unicode = true;
	scene_view_gossip(&sc, &snap);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	golden("gossip_16_80x24", sbuf_str(&out));
	sbuf_free(&out);
	scene_close(&sc);
	tui_gossip_free(&g);
	world_free(w);
}

/* Before anything changes, the news is the start: nothing to trace. */
static void test_nothing_yet(void **state)
{
	(void)state;
	struct world *w = world_with("seed 5\ncluster swim 5\nrun 1s");
	struct tui_gossip g;
	memset(&g, 0, sizeof g);
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	tui_gossip_fill(&g, world_sim(w), 2, true, &snap);
	assert_non_null(strstr(snap.gossip_detail[0].text, "since the start"));
	for (int i = 0; i < 25; i++)
		assert_false(snap.gossip_cell[i] & SCENE_GOSSIP_NEWS);
	tui_gossip_free(&g);
	world_free(w);
	w = world_with("cluster raft 3");
	assert_false(tui_gossip_applies(world_sim(w)));
	world_free(w);
}

/* 64 members in the cluster view at 80x24: every name drawn. */
static void test_cluster_of_64(void **state)
{
	(void)state;
	struct world *w = world_with("seed 5\ncluster swim 64\nrun 1s");
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	snap.w = 80;
	snap.h = 24;
	snap.unicode = true;
	tui_snap_cluster(world_sim(w), 0, &sb, &snap);
	assert_int_equal(snap.nnodes, 64);
	struct scene sc;
	scene_init(&sc);
	scene_view_cluster(&sc, &snap);
	assert_int_equal(sc.nboxes, 64);
	assert_true(sc.names_only);
	struct sbuf out = {0};
	scene_render_text(&sc, &out);
	for (int i = 1; i <= 64; i++) {
		char name[8];
		snprintf(name, sizeof name, "n%d ", i);
		if (!strstr(sbuf_str(&out), name))
			fail_msg("n%d not drawn", i);
	}
	sbuf_free(&out);
	scene_close(&sc);
	tui_snapbuf_free(&sb);
	world_free(w);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	unsetenv("LANGUAGE");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_news_spreads),
	    cmocka_unit_test(test_nothing_yet),
	    cmocka_unit_test(test_cluster_of_64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_spacetime.c — the clocks protocol's space-time diagram (issue 18),
 * from a real simulation: where events are placed (rows never go back in
 * true time, a receipt below its send, a commit wait at least a row), how
 * the selected event's past, future and concurrent events are marked
 * (from the event graph, checked against vector clocks, which
 * characterise happened-before exactly), moving the selection, and the
 * drawing at 80x24 in Unicode and ASCII against golden files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "fixture.h"
#include "golden.h"
#include "proto/clocks.h"
#include "tui/tui_internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a, m -> n2, c on n3, k n2 -> n3, a commit with its wait on n1. */
static const char *const script = "seed 1\n"
				  "cluster clocks 3 every=0ms epsilon=50ms\n"
				  "event n1 a\n"
				  "send n1 n2 m\n"
				  "run 1s\n"
				  "event n3 c\n"
				  "send n2 n3 k\n"
				  "run 1s\n"
				  "commit n1 x\n"
				  "run 1s";

static const struct scene_st_event *find(const struct scene_snap *s, const char *label_prefix)
{
	for (int i = 0; i < s->nst; i++)
		if (!strncmp(s->st[i].label, label_prefix, strlen(label_prefix)) &&
		    s->st[i].label[strlen(label_prefix)] == ' ')
			return &s->st[i];
	fail_msg("no event %s", label_prefix);
	return NULL;
}

static void snap_in(struct world *w, struct tui_st *st, struct scene_snap *snap, bool unicode)
{
	memset(snap, 0, sizeof *snap);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	snap->w = 80;
	snap->h = 24;
	snap->unicode = unicode;
	tui_snap_cluster(world_sim(w), 0, &sb, snap);
	tui_st_fill(st, world_sim(w), unicode, scene_spacetime_rows(80, 24), snap);
	/* the diagram's pointers are st's; the cluster's are not needed */
	snap->nlinks = snap->nmsgs = 0;
	tui_snapbuf_free(&sb);
}

static void snap_of(struct world *w, struct tui_st *st, struct scene_snap *snap)
{
	snap_in(w, st, snap, true);
}

static void test_placing(void **state)
{
	(void)state;
	struct world *w = world_with(script);
	assert_true(tui_st_applies(world_sim(w)));
	struct tui_st *st = tui_st_new();
	struct scene_snap s;
	snap_of(w, st, &s);
	assert_int_equal(s.nst, 8);
	for (int i = 1; i < s.nst; i++) {
		assert_true(s.st[i].row >= s.st[i - 1].row); /* rows in order */
		assert_true(s.st[i].at >= s.st[i - 1].at);   /* and in true time */
	}
	const struct scene_st_event *m = find(&s, "m"), *mr = find(&s, "m.recv");
	assert_int_equal(mr->from_node, 0);
	assert_int_equal(mr->from_row, m->row);
	assert_true(mr->row > m->row);
	const struct scene_st_event *x = find(&s, "x"), *xd = find(&s, "x.done");
	assert_int_equal(xd->wait_row, x->row);
	assert_true(xd->row >= x->row + 2);
	assert_false(x->waiting);
	assert_true(xd->at - xd->wait_at > 100 * SIM_MS); /* about 2 epsilon */
	for (int i = 0; i < s.nst; i++)
		assert_int_equal(s.st[i].rel, ST_NONE);
	tui_st_free(st);
	world_free(w);
}

/* Every other event's mark agrees with the vector clocks. */
static void check_marks(struct world *w, const struct scene_snap *s)
{
	const struct scene_st_event *sel = NULL;
	for (int i = 0; i < s->nst; i++)
		if (s->st[i].rel == ST_SELECTED)
			sel = &s->st[i];
	assert_non_null(sel);
	char word[CLK_NAME_MAX];
	ns_snprintf(word, sizeof word, "%.*s", (int)strcspn(sel->label, " "), sel->label);
	const struct clk_event *b = clocks_find(world_sim(w), word);
	assert_non_null(b);
	for (int i = 0; i < s->nst; i++) {
		if (&s->st[i] == sel)
			continue;
		ns_snprintf(word, sizeof word, "%.*s", (int)strcspn(s->st[i].label, " "),
			    s->st[i].label);
		const struct clk_event *e = clocks_find(world_sim(w), word);
		assert_non_null(e);
		enum vclock_order o = vclock_compare(&e->vc, &b->vc);
		int want = o == VC_BEFORE ? ST_PAST : o == VC_AFTER ? ST_FUTURE : ST_CONCURRENT;
		if (s->st[i].rel != want)
			fail_msg("%s is marked %d, its vector clock says %d", word, s->st[i].rel,
				 want);
	}
}

static void test_relations(void **state)
{
	(void)state;
	struct world *w = world_with(script);
	struct tui_st *st = tui_st_new();
	/* Nothing selected: the first move selects the newest event. */
	tui_st_move(st, world_sim(w), -1);
	struct scene_snap s;
	snap_of(w, st, &s);
	assert_int_equal(find(&s, "x.done")->rel, ST_SELECTED);
	check_marks(w, &s);
	/* Up through every event, each checked; the top stops the selection. */
	for (int k = 0; k < 10; k++) {
		tui_st_move(st, world_sim(w), -1);
		snap_of(w, st, &s);
		check_marks(w, &s);
	}
	assert_int_equal(find(&s, "a")->rel, ST_SELECTED);
	assert_int_equal(find(&s, "m")->rel, ST_FUTURE);
	assert_int_equal(find(&s, "c")->rel, ST_CONCURRENT);
	/* m.recv: a and m before it, k and its receipt after, c and the
	 * commit concurrent. */
	tui_st_move(st, world_sim(w), 2);
	snap_of(w, st, &s);
	assert_int_equal(find(&s, "m.recv")->rel, ST_SELECTED);
	assert_int_equal(find(&s, "a")->rel, ST_PAST);
	assert_int_equal(find(&s, "m")->rel, ST_PAST);
	assert_int_equal(find(&s, "k")->rel, ST_FUTURE);
	assert_int_equal(find(&s, "k.recv")->rel, ST_FUTURE);
	assert_int_equal(find(&s, "c")->rel, ST_CONCURRENT);
	assert_int_equal(find(&s, "x")->rel, ST_CONCURRENT);
	assert_non_null(strstr(s.st_detail[0].text, "n2.1 m.recv"));
	/* Events that come later are marked as they come (incrementally):
	 * still as the vector clocks say. */
	struct sbuf err = {0};
	assert_int_equal(
	    world_exec_line(w, "send n2 n1 q\nrun 1s\nevent n1 z\nsend n3 n2 r\nrun 1s", &err),
	    EXEC_OK);
	sbuf_free(&err);
	snap_of(w, st, &s);
	check_marks(w, &s);
	assert_int_equal(find(&s, "z")->rel, ST_FUTURE);
	assert_int_equal(find(&s, "r")->rel, ST_FUTURE); /* n3 had received k */
	assert_true(tui_st_clear(st));
	assert_false(tui_st_clear(st));
	tui_st_free(st);
	world_free(w);
}

static void test_drawing(void **state)
{
	(void)state;
	struct world *w = world_with(script);
	struct tui_st *st = tui_st_new();
	struct scene sc;
	scene_init(&sc);
	struct scene_snap s;
	struct sbuf out = {0};
	snap_of(w, st, &s);
	scene_view_spacetime(&sc, &s);
	scene_render_text(&sc, &out);
	golden("spacetime_80x24", sbuf_str(&out));
	/* m.recv selected, the vector clock shown, in ASCII. */
	struct sbuf err = {0};
	assert_int_equal(world_exec_line(w, "set show vector", &err), EXEC_OK);
	tui_st_move(st, world_sim(w), -1);
	tui_st_move(st, world_sim(w), -5);
	snap_in(w, st, &s, false);
	scene_reset(&sc, 80, 24, false);
	scene_view_spacetime(&sc, &s);
	sbuf_clear(&out);
	scene_render_text(&sc, &out);
	golden("spacetime_80x24_ascii", sbuf_str(&out));
	sbuf_free(&err);
	sbuf_free(&out);
	scene_close(&sc);
	tui_st_free(st);
	world_free(w);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	unsetenv("LANGUAGE");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placing),
	    cmocka_unit_test(test_relations),
	    cmocka_unit_test(test_drawing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_scene_sides.c — clusters side by side (scene_cap.c), pure: n
 * columns split by rules, each with its title, tally and its own cluster
 * diagram, for the CAP screen's two clusters and the three that consensus
 * comparisons will show; and the help of such a screen, which lists each
 * running protocol's messages once (tui_keys_help_many).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tui/tui_cap.h"
#include "tui/tui_internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static struct world *world_with(const char *script)
{
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	struct sbuf err = {0};
	if (world_exec_line(w, script, &err) != EXEC_OK)
		fail_msg("%s: %s", script, sbuf_str(&err));
	sbuf_free(&err);
	return w;
}

/* Row y of the grid's text. */
static void row(const char *text, int y, char *out, size_t n)
{
	const char *p = text;
	for (int i = 0; i < y && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	assert_non_null(p);
	size_t len = strcspn(p, "\n");
	snprintf(out, n, "%.*s", (int)len, p);
}

/* The display column of the first occurrence of needle in line (ASCII). */
static int col(const char *line, const char *needle)
{
	const char *p = strstr(line, needle);
	return p ? (int)(p - line) : -1;
}

static void sides_at(int n, int w, int h)
{
	static const char *const clusters[] = {"seed 5\ncluster heartbeat 5\nrun 1s",
					       "seed 5\ncluster heartbeat 3\nrun 1s",
					       "seed 5\ncluster heartbeat 4\nrun 1s"};
	static const char *const titles[] = {"AA five", "BB three", "CC four"};
	struct world *wd[3];
	struct scene_snap snaps[3];
	struct tui_snapbuf sb[3];
	struct scene_cap_side sides[3];
	memset(snaps, 0, sizeof snaps);
	memset(sb, 0, sizeof sb);
	memset(sides, 0, sizeof sides);
	for (int i = 0; i < n; i++) {
		wd[i] = world_with(clusters[i]);
		tui_snap_cluster(world_sim(wd[i]), 0, &sb[i], &snaps[i]);
		sides[i].title = titles[i];
		sides[i].snap = &snaps[i];
		sides[i].st.ok = 10 + i;
	}
	struct scene_snap frame = {.w = w, .h = h, .status = "status"};
	struct scene sc;
	scene_init(&sc);
	scene_view_sides(&sc, &frame, sides, n);
	struct scene_grid g;
	scene_grid_init(&g);
	scene_rasterize(&sc, &g);
	struct sbuf text = {0};
	scene_grid_text(&g, &text);
	char line[1024];
	/* The titles on the first row under the status line, one a column. */
	row(sbuf_str(&text), 1, line, sizeof line);
	for (int i = 0; i < n; i++) {
		int x = col(line, titles[i]);
		int lo = w * i / n, hi = w * (i + 1) / n;
		if (x < lo || x >= hi)
			fail_msg("%d sides: title %d at column %d, not in [%d, %d): %s", n, i, x,
				 lo, hi, line);
	}
	/* The tallies under them. */
	row(sbuf_str(&text), 2, line, sizeof line);
	for (int i = 0; i < n; i++) {
		char want[32];
		snprintf(want, sizeof want, "answered %d", 10 + i);
		if (col(line, want) < 0)
			fail_msg("%d sides: no \"%s\" in: %s", n, want, line);
	}
	/* Each side draws its own nodes: n5 only in the first column, n4 not in
	 * the second (three nodes). */
	bool n5_first = false, n4_second = false;
	for (int y = 1; y < h - 3; y++) {
		row(sbuf_str(&text), y, line, sizeof line);
		int x5 = col(line, "n5"), x4 = col(line, "n4");
		if (x5 >= 0 && x5 < w / n)
			n5_first = true;
		if (n > 1 && x4 >= w / n && x4 < 2 * w / n)
			n4_second = true;
		if (n > 1 && (int)strlen(line) > w / n && strstr(line + w / n, "n5"))
			fail_msg("%d sides: n5 drawn beyond the first column: %s", n, line);
	}
	assert_true(n5_first);
	assert_false(n4_second);
	sbuf_free(&text);
	scene_grid_close(&g);
	scene_close(&sc);
	for (int i = 0; i < n; i++) {
		tui_snapbuf_free(&sb[i]);
		world_free(wd[i]);
	}
}

static void test_two_sides(void **state)
{
	(void)state;
	sides_at(2, 120, 40);
}

static void test_three_sides(void **state)
{
	(void)state;
	sides_at(3, 180, 40);
}

static bool help_has(const struct scene_line *lines, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (strstr(lines[i].text, word))
			return true;
	return false;
}

/* The help of two clusters: both protocols' messages, each under its name;
 * one protocol twice is listed once. */
static void test_help_many(void **state)
{
	(void)state;
	if (!proto_find("raft") || !proto_find("heartbeat"))
		skip();
	struct world *w[3] = {world_with("cluster raft 3"), world_with("cluster heartbeat 3"),
			      world_with("cluster raft 5")};
	struct scene_line *lines;
	int n;
	tui_keys_help_many(w, 3, false, &lines, &n);
	assert_true(help_has(lines, n, "  raft:"));
	assert_true(help_has(lines, n, "  heartbeat:"));
	for (int k = 0; k < 2; k++) {
		const struct proto_ops *p = sim_proto(world_sim(w[k]));
		for (int i = 0; i < p->node.nmsg_kinds; i++)
			if (!help_has(lines, n, p->node.msg_kinds[i].name))
				fail_msg("message %s of %s is not in the legend",
					 p->node.msg_kinds[i].name, p->name);
	}
	int raft_headers = 0;
	for (int i = 0; i < n; i++)
		raft_headers += !strcmp(lines[i].text, "  raft:");
	assert_int_equal(raft_headers, 1);
	tui_keys_help_free(lines, n);
	/* One world: no protocol headers. */
	tui_keys_help(w[0], false, &lines, &n);
	assert_false(help_has(lines, n, "  raft:"));
	tui_keys_help_free(lines, n);
	for (int i = 0; i < 3; i++)
		world_free(w[i]);
}

int main(void)
{
	setlocale(LC_ALL, "C");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_sides),
	    cmocka_unit_test(test_three_sides),
	    cmocka_unit_test(test_help_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

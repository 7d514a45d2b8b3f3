/*
 * test_tui_snap.c — the screen's view of a running world, without a
 * terminal: snapshots taken from a real simulation (links worth drawing,
 * messages in flight and their progress, the side pane), and the help
 * screen, which must list every key of the key table and every command and
 * predicate of the command language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

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

static const struct scene_link *find_link(const struct scene_snap *s, int a, int b)
{
	for (int i = 0; i < s->nlinks; i++)
		if (s->links[i].a == a && s->links[i].b == b)
			return &s->links[i];
	return NULL;
}

/* Eight nodes: only links that say something are drawn; a cut, a one-way
 * cut and a lossy link are reported as such. */
static void test_links(void **state)
{
	(void)state;
	struct world *w =
	    world_with("seed 3\ncluster heartbeat 8\nrun 1s\ncut n1 n2\ncut n3 -> n4\n"
		       "link n5 n6 loss 20%\nlink n7 n8 latency 300ms");
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	tui_snap_cluster(world_sim(w), 0, &sb, &snap);
	assert_int_equal(snap.nnodes, 8);
	const struct scene_link *l = find_link(&snap, 0, 1);
	assert_non_null(l);
	assert_false(l->ab);
	assert_false(l->ba);
	l = find_link(&snap, 2, 3);
	assert_non_null(l);
	assert_false(l->ab);
	assert_true(l->ba);
	l = find_link(&snap, 4, 5);
	assert_non_null(l);
	assert_true(l->lossy);
	l = find_link(&snap, 6, 7);
	assert_non_null(l);
	assert_true(l->slow);
	/* Every other drawn link carries a message, or is one of the above. */
	for (int i = 0; i < snap.nlinks; i++) {
		const struct scene_link *k = &snap.links[i];
		if (!k->ab || !k->ba || k->slow || k->lossy)
			continue;
		bool carries = false;
		for (int m = 0; m < snap.nmsgs && !carries; m++)
			carries = (snap.msgs[m].from == k->a && snap.msgs[m].to == k->b) ||
				  (snap.msgs[m].from == k->b && snap.msgs[m].to == k->a);
		assert_true(carries);
	}
	tui_snapbuf_free(&sb);
	world_free(w);
}

/* Messages in flight match the simulator's, with progress in [0, 1]. */
static void test_messages(void **state)
{
	(void)state;
	struct world *w = world_with("seed 5\ncluster raft 5\nrun 2s\nput x 1");
	world_advance_to(w, sim_now(world_sim(w)) + 3 * SIM_MS);
	struct scene_snap snap;
	memset(&snap, 0, sizeof snap);
	struct tui_snapbuf sb;
	memset(&sb, 0, sizeof sb);
	tui_snap_cluster(world_sim(w), 2, &sb, &snap);
	assert_int_equal(snap.nmsgs, sim_inflight_count(world_sim(w)));
	assert_true(snap.nmsgs > 0);
	for (int i = 0; i < snap.nmsgs; i++) {
		assert_true(snap.msgs[i].at >= 0.0f && snap.msgs[i].at <= 1.0f);
		assert_true(snap.msgs[i].glyph != 0);
	}
	/* The side pane describes the selected node. */
	assert_non_null(snap.side_title);
	assert_non_null(strstr(snap.side_title, "n3"));
	assert_true(snap.nside > 0);
	/* Exactly one leader after two seconds. */
	int leaders = 0;
	for (int i = 0; i < snap.nnodes; i++)
		leaders += snap.node[i].st.kind == ROLE_LEADER;
	assert_int_equal(leaders, 1);
	tui_snapbuf_free(&sb);
	world_free(w);
}

static bool help_has(const struct scene_line *lines, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (strstr(lines[i].text, word))
			return true;
	return false;
}

/* The help lists every key and every command and predicate. */
static void test_help(void **state)
{
	(void)state;
	struct world *w = world_with("cluster raft 3");
	struct scene_line *lines;
	int n;
	tui_keys_help(w, true, &lines, &n);
	for (int i = 0; tui_keys[i].code; i++) {
		char want[32];
		snprintf(want, sizeof want, "  %-8s ", tui_keys[i].name);
		if (!help_has(lines, n, want))
			fail_msg("key %s is not in the help", tui_keys[i].name);
	}
	for (int i = 0; script_command(i); i++) {
		char want[64];
		snprintf(want, sizeof want, "  %s ", script_command(i)->name);
		if (!help_has(lines, n, want))
			fail_msg("command %s is not in the help", script_command(i)->name);
	}
	for (int i = 0; script_pred(i); i++)
		if (!help_has(lines, n, script_pred(i)->name))
			fail_msg("predicate %s is not in the help", script_pred(i)->name);
	const struct proto_ops *p = sim_proto(world_sim(w));
	for (int i = 0; i < p->node.nmsg_kinds; i++)
		if (!help_has(lines, n, p->node.msg_kinds[i].name))
			fail_msg("message %s is not in the legend", p->node.msg_kinds[i].name);
	tui_keys_help_free(lines, n);
	world_free(w);
}

static void test_key_actions(void **state)
{
	(void)state;
	assert_int_equal(tui_keys_action('c'), ACT_CRASH);
	assert_int_equal(tui_keys_action('7'), ACT_SELECT);
	assert_int_equal(tui_keys_action(':'), ACT_PROMPT);
	assert_int_equal(tui_keys_action('Z'), ACT_NONE);
	/* No key is bound twice. */
	for (int i = 0; tui_keys[i].code; i++)
		for (int j = 0; j < i; j++)
			assert_int_not_equal(tui_keys[i].code, tui_keys[j].code);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "C.utf8");
	unsetenv("LANGUAGE");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_links),
	    cmocka_unit_test(test_messages),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_key_actions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_cmd_table.c — walks the tables of the command language: every
 * built-in command and predicate row is complete (name, usage, help,
 * example), no two rows share a name (nor does a protocol's command or
 * predicate shadow a built-in one), each row's example parses, runs and
 * records as the same text (and that text replays to the same record),
 * completion offers every command and predicate, `help NAME` shows the row's
 * usage, and every predicate usage `help` shows (built-in, a protocol's
 * or its checker's) is one the parser accepts: instances generated from it
 * parse. A checker's predicates (primary's lost-writes) are offered, shown
 * and evaluated on their protocol's cluster only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "script/script.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

/* A raft cluster of 3 that has run for 1s: where every example runs. */
/* A raft cluster, or zab's for `sync` (only zab serves it). */
static struct world *example_world_for(const char *example)
{
	struct world *w = world_new();
	struct sbuf err = {0};
	world_set_output(w, quiet, NULL);
	const char *setup =
	    !strncmp(example, "sync", 4) ? "cluster zab 3\nrun 1s" : "cluster raft 3\nrun 1s";
	if (world_exec_line(w, setup, &err) != EXEC_OK)
		fail_msg("cannot set up: %s", sbuf_str(&err));
	sbuf_free(&err);
	return w;
}

static void record_line(void *ctx, sim_time t, const char *cmd)
{
	(void)t;
	struct sbuf *b = ctx;
	sbuf_printf(b, "%s\n", cmd);
}

static void collect(void *ctx, const char *cand)
{
	struct sbuf *b = ctx;
	sbuf_printf(b, " %s ", cand);
}

/* ---- rows -------------------------------------------------------------------------- */

static void check_row(const struct cmd_info *r, const char *what)
{
	if (!r->name || !r->name[0])
		fail_msg("a %s row has no name", what);
	if (!r->usage)
		fail_msg("%s %s has no usage (\"\" for none)", what, r->name);
	if (!r->help || !r->help[0])
		fail_msg("%s %s has no help", what, r->name);
	size_t n = strlen(r->name);
	if (!r->example || strncmp(r->example, r->name, n) ||
	    (r->example[n] && r->example[n] != ' '))
		fail_msg("%s %s: its example \"%s\" does not start with its name", what, r->name,
			 r->example ? r->example : "(none)");
}

static bool has_command(const char *name)
{
	for (int i = 0; script_command(i); i++)
		if (!strcmp(script_command(i)->name, name))
			return true;
	return false;
}

static bool has_pred(const char *name)
{
	for (int i = 0; script_pred(i); i++)
		if (!strcmp(script_pred(i)->name, name))
			return true;
	return false;
}

static void test_rows_are_complete(void **state)
{
	(void)state;
	for (int i = 0; script_command(i); i++)
		check_row(script_command(i), "command");
	for (int i = 0; script_pred(i); i++)
		check_row(script_pred(i), "predicate");
	assert_null(script_command(-1));
	assert_null(script_pred(-1));
	/* the language's built-ins are all in the tables */
	static const char *const cmds[] = {
	    "cluster", "seed",      "set",    "run",    "step",     "at",     "after", "crash",
	    "restart", "partition", "cut",    "heal",   "link",     "net",    "clock", "put",
	    "get",     "cas",       "append", "client", "workload", "expect", "note",  "help"};
	static const char *const preds[] = {
	    "leader", "no",       "up",      "down", "role", "isolated",     "linked",
	    "time",   "inflight", "leaders", "safe", "took", "linearizable", "ops"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!has_command(cmds[i]))
			fail_msg("no row for the command %s", cmds[i]);
	for (size_t i = 0; i < sizeof preds / sizeof preds[0]; i++)
		if (!has_pred(preds[i]))
			fail_msg("no row for the predicate %s", preds[i]);
}

static void test_no_two_rows_share_a_name(void **state)
{
	(void)state;
	for (int i = 0; script_command(i); i++)
		for (int j = i + 1; script_command(j); j++)
			if (!strcmp(script_command(i)->name, script_command(j)->name))
				fail_msg("two commands are called %s", script_command(i)->name);
	for (int i = 0; script_pred(i); i++)
		for (int j = i + 1; script_pred(j); j++)
			if (!strcmp(script_pred(i)->name, script_pred(j)->name))
				fail_msg("two predicates are called %s", script_pred(i)->name);
	/* a protocol's command or predicate would shadow a built-in one */
	for (int k = 0; proto_all[k]; k++) {
		const struct proto_ops *p = proto_all[k];
		for (int i = 0; p->commands && p->commands[i].name; i++) {
			for (int j = 0; script_command(j); j++)
				if (!strcmp(p->commands[i].name, script_command(j)->name))
					fail_msg("%s's command %s is a built-in command", p->name,
						 p->commands[i].name);
			for (int j = i + 1; p->commands[j].name; j++)
				if (!strcmp(p->commands[i].name, p->commands[j].name))
					fail_msg("%s has two commands %s", p->name,
						 p->commands[i].name);
		}
		/* its own and its checker's (caps.h) */
		const struct proto_pred *a, *b;
		for (int i = 0; (a = script_proto_pred(p, i)); i++) {
			for (int j = 0; script_pred(j); j++)
				if (!strcmp(a->name, script_pred(j)->name))
					fail_msg("%s's predicate %s is a built-in predicate",
						 p->name, a->name);
			for (int j = i + 1; (b = script_proto_pred(p, j)); j++)
				if (!strcmp(a->name, b->name))
					fail_msg("%s has two predicates %s", p->name, a->name);
		}
	}
}

/* ---- examples ------------------------------------------------------------------------ */

/* What running the example records: most record themselves; a cluster
 * records the effective seed first; a seed only the effective seed; help
 * nothing (it changes nothing). */
static void want_record(const char *example, struct sbuf *out)
{
	if (!strncmp(example, "cluster ", 8))
		sbuf_printf(out, "seed 1\n%s\n", example);
	else if (!strncmp(example, "seed ", 5))
		sbuf_printf(out, "%s\n", example);
	else if (strncmp(example, "help", 4))
		sbuf_printf(out, "%s\n", example);
}

/* Runs text on a fresh example world; returns what was recorded. */
static void run_recorded(const char *text, struct sbuf *rec)
{
	struct world *w = example_world_for(text);
	struct sbuf err = {0};
	world_set_recorder(w, record_line, rec);
	enum exec_status st = world_exec_line(w, text, &err);
	if (st == EXEC_ERROR)
		fail_msg("%s: %s", text, sbuf_str(&err));
	world_free(w);
	sbuf_free(&err);
}

static void test_command_examples_round_trip(void **state)
{
	(void)state;
	const struct proto_ops *raft = proto_find("raft");
	for (int i = 0; script_command(i); i++) {
		const char *ex = script_command(i)->example;
		struct sbuf err = {0}, rec = {0}, again = {0}, want = {0};
		struct script *sc = script_parse_at(ex, "ex", 1, raft, &err);
		if (!sc || script_len(sc) != 1)
			fail_msg("example \"%s\" does not parse: %s", ex, sbuf_str(&err));
		script_free(sc);
		run_recorded(ex, &rec);
		want_record(ex, &want);
		if (strcmp(sbuf_str(&rec), sbuf_str(&want)))
			fail_msg("example \"%s\" recorded as \"%s\"", ex, sbuf_str(&rec));
		/* the example's recorded line is a command that records the same */
		if (rec.len) {
			char *own = xstrdup(sbuf_str(&rec));
			own[strlen(own) - 1] = '\0';
			char *nl = strrchr(own, '\n');
			run_recorded(nl ? nl + 1 : own, &again);
			assert_string_equal(sbuf_str(&again), sbuf_str(&rec));
			free(own);
		}
		sbuf_free(&err);
		sbuf_free(&rec);
		sbuf_free(&again);
		sbuf_free(&want);
	}
}

static void test_pred_examples_round_trip(void **state)
{
	(void)state;
	struct world *w = example_world_for("");
	for (int i = 0; script_pred(i); i++) {
		const char *ex = script_pred(i)->example;
		struct sbuf err = {0}, text = {0}, text2 = {0}, why = {0};
		struct pred *p = pred_parse(ex, "ex", 1, w, &err);
		if (!p)
			fail_msg("example \"%s\" does not parse: %s", ex, sbuf_str(&err));
		pred_fmt(p, &text);
		assert_string_equal(sbuf_str(&text), ex);
		struct pred *q = pred_parse(sbuf_str(&text), "ex", 1, w, &err);
		assert_non_null(q);
		pred_fmt(q, &text2);
		assert_string_equal(sbuf_str(&text2), ex);
		/* it evaluates, and says what it saw */
		pred_eval(w, p, &why);
		if (!why.len)
			fail_msg("example \"%s\" says nothing about what it saw", ex);
		pred_free(p);
		pred_free(q);
		sbuf_free(&err);
		sbuf_free(&text);
		sbuf_free(&text2);
		sbuf_free(&why);
	}
	world_free(w);
}

/* ---- help and completion ----------------------------------------------------------------- */

static void test_help_shows_the_rows_usage(void **state)
{
	(void)state;
	struct world *w = example_world_for("");
	char want[256];
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; pass ? script_pred(i) != NULL : script_command(i) != NULL; i++) {
			const struct cmd_info *r = pass ? script_pred(i) : script_command(i);
			struct sbuf h = {0};
			script_help(w, r->name, &h);
			snprintf(want, sizeof want, "  %s%s%s", r->name, r->usage[0] ? " " : "",
				 r->usage);
			if (!strstr(sbuf_str(&h), want))
				fail_msg("help %s does not show \"%s\":\n%s", r->name, want,
					 sbuf_str(&h));
			sbuf_free(&h);
		}
	world_free(w);
}

static void test_completion_offers_every_name(void **state)
{
	(void)state;
	struct world *w = example_world_for("");
	const struct proto_ops *raft = sim_proto(world_sim(w));
	char want[128];
	struct sbuf cmds = {0}, preds = {0}, help = {0};
	script_complete(w, "", 0, collect, &cmds);
	script_complete(w, "expect ", 7, collect, &preds);
	script_complete(w, "help ", 5, collect, &help);
	for (int i = 0; script_command(i); i++) {
		snprintf(want, sizeof want, " %s ", script_command(i)->name);
		if (!strstr(sbuf_str(&cmds), want))
			fail_msg("completion does not offer the command %s", want);
		if (!strstr(sbuf_str(&help), want))
			fail_msg("completion after help does not offer %s", want);
	}
	for (int i = 0; raft->commands[i].name; i++) {
		snprintf(want, sizeof want, " %s ", raft->commands[i].name);
		if (!strstr(sbuf_str(&cmds), want))
			fail_msg("completion does not offer raft's command %s", want);
	}
	for (int i = 0; script_pred(i); i++) {
		snprintf(want, sizeof want, " %s ", script_pred(i)->name);
		if (!strstr(sbuf_str(&preds), want))
			fail_msg("completion does not offer the predicate %s", want);
	}
	for (int i = 0; raft->preds[i].name; i++) {
		snprintf(want, sizeof want, " %s ", raft->preds[i].name);
		if (!strstr(sbuf_str(&preds), want))
			fail_msg("completion does not offer raft's predicate %s", want);
	}
	/* a scheduled command completes as the command itself */
	sbuf_clear(&cmds);
	script_complete(w, "at 2s crash n", 13, collect, &cmds);
	assert_string_equal(sbuf_str(&cmds), " n1  n2  n3 ");
	sbuf_free(&cmds);
	sbuf_free(&preds);
	sbuf_free(&help);
	world_free(w);
}

/* ---- usages the parser accepts ----------------------------------------------------------- */

/* Writes an instance of usage u into out: placeholders become values,
 * alternatives their first word, optional groups all in (with) or all
 * out. */
static void instance(const char *u, bool with, struct sbuf *out)
{
	int skip = 0; /* depth inside a left-out group */
	while (*u) {
		while (*u == ' ')
			u++;
		if (!*u)
			break;
		char item[64];
		size_t k = 0;
		if (*u == '[' || *u == ']')
			item[k++] = *u++;
		else
			while (*u && *u != ' ' && *u != '[' && *u != ']' && k + 1 < sizeof item)
				item[k++] = *u++;
		item[k] = '\0';
		if (!strcmp(item, "[")) {
			if (skip || !with)
				skip++;
			continue;
		}
		if (!strcmp(item, "]")) {
			if (skip)
				skip--;
			continue;
		}
		if (skip)
			continue;
		const char *v = item;
		if (!strcmp(item, "NODE"))
			v = "n1";
		else if (!strcmp(item, "NODES"))
			v = "n1 n2";
		else if (!strcmp(item, "INT"))
			v = "1";
		else if (!strcmp(item, "DURATION"))
			v = "1s";
		else if (isupper((unsigned char)item[0]))
			v = "w";
		else if (strchr(item, '|'))
			item[strcspn(item, "|")] = '\0';
		sbuf_printf(out, " %s", v);
	}
}

static void check_pred_usage(const struct proto_ops *p, const char *name, const char *usage)
{
	for (int with = 0; with < 2; with++) {
		struct sbuf text = {0}, err = {0};
		sbuf_puts(&text, name);
		instance(usage ? usage : "", with, &text);
		struct pred *pr = pred_parse_for(sbuf_str(&text), "usage", 1, p, &err);
		if (!pr)
			fail_msg("%s%s%s: \"%s\", made from the usage help shows (%s), does not "
				 "parse: %s",
				 p ? p->name : "", p ? "'s " : "", name, sbuf_str(&text), usage,
				 sbuf_str(&err));
		pred_free(pr);
		sbuf_free(&text);
		sbuf_free(&err);
	}
}

static void test_every_usage_shown_parses(void **state)
{
	(void)state;
	for (int i = 0; script_pred(i); i++)
		check_pred_usage(NULL, script_pred(i)->name, script_pred(i)->usage);
	for (int k = 0; proto_all[k]; k++) {
		const struct proto_ops *p = proto_all[k];
		const struct proto_pred *pp;
		for (int i = 0; (pp = script_proto_pred(p, i)); i++)
			check_pred_usage(p, pp->name, pp->usage);
		for (int i = 0; p->commands && p->commands[i].name; i++)
			for (int with = 0; with < 2; with++) {
				struct sbuf text = {0}, err = {0};
				sbuf_puts(&text, p->commands[i].name);
				instance(p->commands[i].usage ? p->commands[i].usage : "", with,
					 &text);
				struct script *sc =
				    script_parse_at(sbuf_str(&text), "usage", 1, p, &err);
				if (!sc)
					fail_msg("%s's %s: \"%s\" does not parse: %s", p->name,
						 p->commands[i].name, sbuf_str(&text),
						 sbuf_str(&err));
				script_free(sc);
				sbuf_free(&text);
				sbuf_free(&err);
			}
	}
	/* and a word the usage does not allow is refused where it stands */
	struct sbuf err = {0};
	assert_null(pred_parse_for("took = 1s", "t", 1, NULL, &err));
	assert_string_equal(sbuf_str(&err), "t:1:6: expected one of >=|<=, got \"=\"");
	sbuf_free(&err);
}

/* ---- predicates a checker answers --------------------------------------------------------- */

/* primary's lost-writes and acked-writes come from its checker (caps.c),
 * not from the protocol's table: the language still parses them for a
 * primary cluster, shows them in help, completes them, evaluates them; a
 * raft cluster knows no such predicate. */
static void test_checker_predicates(void **state)
{
	(void)state;
	const struct proto_ops *primary = proto_find("primary"), *raft = proto_find("raft");
	assert_non_null(primary);
	for (int i = 0; primary->preds[i].name; i++)
		assert_string_not_equal(primary->preds[i].name, "lost-writes");
	bool listed = false;
	const struct proto_pred *pp;
	for (int i = 0; (pp = script_proto_pred(primary, i)); i++)
		listed |= !strcmp(pp->name, "lost-writes");
	assert_true(listed);

	struct sbuf err = {0};
	assert_null(pred_parse_for("lost-writes = 0", "t", 1, raft, &err));
	assert_non_null(strstr(sbuf_str(&err), "unknown predicate \"lost-writes\""));
	sbuf_clear(&err);

	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	assert_int_equal(world_exec_line(w,
					 "cluster primary 3 mode=async\nrun 300ms\nput x 1\nrun "
					 "300ms\nexpect acked-writes = 1 and lost-writes = 0",
					 &err),
			 EXEC_OK);
	assert_int_equal(world_exec_line(w, "expect lost-writes >= 1", &err), EXEC_EXPECT_FAILED);
	struct pred *pr = pred_parse("acked-writes >= 1", "t", 1, w, &err);
	assert_non_null(pr);
	struct sbuf why = {0};
	assert_true(pred_eval(w, pr, &why));
	assert_string_equal(sbuf_str(&why), "1 write acknowledged");
	pred_free(pr);
	struct sbuf h = {0}, c = {0};
	script_help(w, "lost-writes", &h);
	assert_non_null(strstr(sbuf_str(&h), "  lost-writes [>= INT] [<= INT] [= INT]"));
	script_help(w, "expect", &h);
	assert_non_null(strstr(sbuf_str(&h), "  acked-writes [>= INT] [= INT]"));
	script_complete(w, "expect ", 7, collect, &c);
	assert_non_null(strstr(sbuf_str(&c), " lost-writes "));
	assert_non_null(strstr(sbuf_str(&c), " acked-writes "));
	/* the same predicate on a cluster of another protocol: not its own */
	assert_int_equal(world_exec_line(w, "cluster raft 3", &err), EXEC_OK);
	sbuf_clear(&why);
	assert_false(pred_eval(w, pr = pred_parse_for("lost-writes", "t", 1, primary, &err), &why));
	assert_string_equal(sbuf_str(&why), "lost-writes is not a predicate of raft");
	pred_free(pr);
	sbuf_free(&why);
	sbuf_free(&h);
	sbuf_free(&c);
	sbuf_free(&err);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_are_complete),
	    cmocka_unit_test(test_no_two_rows_share_a_name),
	    cmocka_unit_test(test_command_examples_round_trip),
	    cmocka_unit_test(test_pred_examples_round_trip),
	    cmocka_unit_test(test_help_shows_the_rows_usage),
	    cmocka_unit_test(test_completion_offers_every_name),
	    cmocka_unit_test(test_every_usage_shown_parses),
	    cmocka_unit_test(test_checker_predicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_glossary.c — the glossary (lessons/glossary.txt and its
 * translations): the format's errors with file:line; every term the issue
 * names is defined, in every language, with as many entries in each; a
 * term is found in a step's text as a whole word, by any of its names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lesson/glossary.h"

#include <string.h>

static void test_format(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"  floating\n", "g.txt:1: a definition needs a `term:` above it"},
	    {"nonsense\n", "g.txt:1: expected `term: NAME`"},
	    {"term:\n  x\n", "g.txt:1: expected `term: NAME`"},
	    {"term: a\nterm: b\n  b is b\n", "g.txt:1: \"a\" has no definition"},
	    {"term: a\n  a is a\nterm: b\n", "g.txt:3: \"b\" has no definition"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct glossary g;
		struct sbuf err = {0};
		assert_false(glossary_parse(&g, cases[i].text, "g.txt", &err));
		assert_int_equal(g.n, 0);
		if (!strstr(sbuf_str(&err), cases[i].want))
			fail_msg("case %zu\n  got  %s\n  want %s", i, sbuf_str(&err),
				 cases[i].want);
		sbuf_free(&err);
	}
	struct glossary g;
	struct sbuf err = {0};
	assert_true(glossary_parse(&g,
				   "# comment\nterm: quorum, majority\n  More than\n  half.\n\n  "
				   "Two overlap.\nterm: term\n  A number.\n",
				   "g.txt", &err));
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].term, "quorum, majority");
	assert_string_equal(g.v[0].text, "More than half.\n\nTwo overlap.");
	int used[4];
	assert_int_equal(glossary_used(&g, "a Majority of five", used, 4), 1);
	assert_int_equal(used[0], 0);
	/* whole words only: "terminal" is not "term" */
	assert_int_equal(glossary_used(&g, "a terminal", used, 4), 0);
	assert_int_equal(glossary_used(&g, "in term 2, a quorum", used, 4), 2);
	glossary_free(&g);
	sbuf_free(&err);
}

/* `:glossary TERM` (tui_glossary.c): an exact name alone, else the names
 * it starts, else the names that hold it as a word; nothing when unknown. */
static void test_find(void **state)
{
	(void)state;
	struct glossary g;
	struct sbuf err = {0};
	assert_true(glossary_parse(&g,
				   "term: commit index, committed\n  c.\nterm: term\n  t.\n"
				   "term: commit wait\n  w.\nterm: sloppy quorum\n  s.\n"
				   "term: quorum, majority\n  q.\n",
				   "g.txt", &err));
	int hit[8];
	assert_int_equal(glossary_find(&g, "Term", hit, 8), 1);
	assert_int_equal(hit[0], 1);
	assert_int_equal(glossary_find(&g, "  majority ", hit, 8), 1);
	assert_int_equal(hit[0], 4);
	/* "quorum" is a name of its own: exact wins over "sloppy quorum". */
	assert_int_equal(glossary_find(&g, "quorum", hit, 8), 1);
	assert_int_equal(hit[0], 4);
	/* A prefix of two entries: both. */
	assert_int_equal(glossary_find(&g, "commit", hit, 8), 2);
	assert_int_equal(hit[0], 0);
	assert_int_equal(hit[1], 2);
	/* A word inside a name. */
	assert_int_equal(glossary_find(&g, "wait", hit, 8), 1);
	assert_int_equal(hit[0], 2);
	assert_int_equal(glossary_find(&g, "paxos", hit, 8), 0);
	assert_int_equal(glossary_find(&g, "", hit, 8), 0);
	glossary_free(&g);
	sbuf_free(&err);
}

static void test_every_language(void **state)
{
	(void)state;
	static const char *const en_terms[] = {
	    "term",         "commit index",  "nextIndex", "matchIndex",  "epoch",
	    "quorum",       "hint",          "sibling",   "ReadIndex",   "lease",
	    "linearizable", "split brain",   "PACELC",    "CheckQuorum", "PreVote",
	    "ballot",       "zxid",          "traitor",   "phi",         "TrueTime",
	    "HLC",          "Lamport clock", "SWIM",      "FLP",         "availability",
	};
	struct glossary en, es;
	struct sbuf err = {0};
	if (!glossary_load(&en, SOURCE_DIR "/lessons", "en", &err))
		fail_msg("%s", sbuf_str(&err));
	if (!glossary_load(&es, SOURCE_DIR "/lessons", "es_ES.UTF-8", &err))
		fail_msg("%s", sbuf_str(&err));
	assert_int_equal(en.n, es.n);
	assert_true(en.n >= (int)(sizeof en_terms / sizeof en_terms[0]));
	for (size_t i = 0; i < sizeof en_terms / sizeof en_terms[0]; i++) {
		int used[64];
		if (glossary_used(&en, en_terms[i], used, 64) < 1)
			fail_msg("the glossary does not define \"%s\"", en_terms[i]);
	}
	/* The Spanish one is Spanish (not the English fallback). */
	assert_string_not_equal(en.v[0].text, es.v[0].text);
	int used[64];
	assert_true(glossary_used(&es, "el término 2", used, 64) >= 1);
	glossary_free(&en);
	glossary_free(&es);
	sbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_every_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

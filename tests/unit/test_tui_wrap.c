/*
 * test_tui_wrap.c — word wrapping for the lesson pane (tui_wrap): lines
 * never wider than asked, measured in display columns (accented letters,
 * CJK and box glyphs), breaks at blanks, words longer than a line cut at a
 * whole character, paragraph breaks kept as empty lines, and every
 * non-blank character kept in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tui/tui_session.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

struct lines {
	int n;
	char *v[512];
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;
	assert_true(l->n < 512);
	l->v[l->n++] = xstrndup(line, len);
}

static void lines_free(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static struct lines wrap(const char *text, int width)
{
	struct lines l = {0};
	int n = tui_wrap(text, width, collect, &l);
	assert_int_equal(n, l.n);
	/* Only a single character wider than the line may exceed it. */
	for (int i = 0; i < l.n; i++)
		assert_true(scene_width(l.v[i]) <= width ||
			    mblen(l.v[i], 8) == (int)strlen(l.v[i]));
	return l;
}

/* The text without blanks or line breaks, to compare what was kept. */
static void squeeze(const char *s, struct sbuf *out)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\n')
			sbuf_putc(out, *s);
}

static void keeps_everything(const char *text, int width)
{
	struct lines l = wrap(text, width);
	struct sbuf a = {0}, b = {0};
	squeeze(text, &a);
	for (int i = 0; i < l.n; i++)
		squeeze(l.v[i], &b);
	assert_string_equal(sbuf_str(&a), sbuf_str(&b));
	sbuf_free(&a);
	sbuf_free(&b);
	lines_free(&l);
}

static void test_breaks_at_blanks(void **state)
{
	(void)state;
	struct lines l = wrap("the quick brown fox jumps over the lazy dog", 10);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0], "the quick");
	assert_string_equal(l.v[1], "brown fox");
	assert_string_equal(l.v[2], "jumps over");
	assert_string_equal(l.v[3], "the lazy");
	assert_string_equal(l.v[4], "dog");
	lines_free(&l);
}

static void test_exact_fit_and_blank_runs(void **state)
{
	(void)state;
	struct lines l = wrap("abcde fghij", 5);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "abcde");
	assert_string_equal(l.v[1], "fghij");
	lines_free(&l);
	l = wrap("ab    cd", 4);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "ab");
	assert_string_equal(l.v[1], "cd");
	lines_free(&l);
}

static void test_long_word_is_cut(void **state)
{
	(void)state;
	struct lines l = wrap("supercalifragilistic", 6);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "superc");
	assert_string_equal(l.v[3], "ic");
	lines_free(&l);
}

static void test_display_width_not_bytes(void **state)
{
	(void)state;
	/* Five accented letters are ten bytes but five columns. */
	struct lines l = wrap("éèêëà éèêëà", 5);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "éèêëà");
	lines_free(&l);
	/* CJK: two columns each; a width of 5 holds two of them. */
	l = wrap("日本語日本", 5);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "日本");
	assert_string_equal(l.v[2], "本");
	lines_free(&l);
	/* A width of 1 still makes progress with a wide character. */
	l = wrap("日本", 1);
	assert_int_equal(l.n, 2);
	lines_free(&l);
}

static void test_paragraphs(void **state)
{
	(void)state;
	struct lines l = wrap("one two\n\nthree", 20);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "one two");
	assert_string_equal(l.v[1], "");
	assert_string_equal(l.v[2], "three");
	lines_free(&l);
	l = wrap("a\nb", 20);
	assert_int_equal(l.n, 2);
	lines_free(&l);
	l = wrap("", 20);
	assert_int_equal(l.n, 0);
	lines_free(&l);
}

static void test_keeps_every_character(void **state)
{
	(void)state;
	const char *text = "Raft's leader appends the entry, sends AppendEntries to every "
			   "follower, and commits it once a majority has it — Figure 8 shows "
			   "why an entry from an older term is not committed by counting.\n\n"
			   "Ünïcödé wörds ─── and box glyphs.";
	for (int w = 1; w <= 50; w++)
		keeps_everything(text, w);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "en_US.UTF-8");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_breaks_at_blanks),
	    cmocka_unit_test(test_exact_fit_and_blank_runs),
	    cmocka_unit_test(test_long_word_is_cut),
	    cmocka_unit_test(test_display_width_not_bytes),
	    cmocka_unit_test(test_paragraphs),
	    cmocka_unit_test(test_keeps_every_character),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_util.c — src/util helpers that guard the terminal: sbuf_put_printable
 * escapes every C0 control, DEL, C1 control (U+0080..U+009F) and byte
 * that is not UTF-8, copies everything else (UTF-8 of every length,
 * backslashes) byte for byte, keeps newlines and tabs only when asked, and
 * ns_printable says exactly when nothing would change. Then the store's
 * title rule built on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/store.h"
#include "util/util.h"

#include <string.h>

static void assert_printable(const char *in, unsigned flags, const char *want)
{
	struct sbuf b = {0};
	sbuf_put_printable(&b, in, flags);
	if (strcmp(sbuf_str(&b), want))
		fail_msg("printable(\"%s\") = \"%s\", want \"%s\"", in, sbuf_str(&b), want);
	assert_int_equal(ns_printable(in, flags), !strcmp(in, want));
	sbuf_free(&b);
}

static void test_escapes(void **state)
{
	(void)state;
	assert_printable("", 0, "");
	assert_printable("put x 1", 0, "put x 1");
	assert_printable("a\\b \"q\"", 0, "a\\b \"q\"");
	assert_printable("\033]2;pwned\007", 0, "\\e]2;pwned\\x07");
	assert_printable("\033[2J", 0, "\\e[2J");
	assert_printable("a\nb\rc\td", 0, "a\\nb\\rc\\td");
	assert_printable("a\nb\rc\td", NS_PRINT_LINES, "a\nb\\rc\td");
	assert_printable("\001\037\177", NS_PRINT_LINES, "\\x01\\x1f\\x7f");
	/* C1 controls in UTF-8: U+009B is CSI to some terminals. */
	assert_printable("\302\233"
			 "2J",
			 0, "\\u009b2J");
	assert_printable("\302\200\302\237", 0, "\\u0080\\u009f");
	/* U+00A0 and beyond are text. */
	assert_printable("\302\240\303\251\342\206\222\360\237\230\200", 0,
			 "\302\240\303\251\342\206\222\360\237\230\200");
	/* Not UTF-8: a lone continuation byte, a lone 8-bit CSI, a cut
	 * sequence, an overlong form, a surrogate, past U+10FFFF. */
	assert_printable("\200", 0, "\\x80");
	assert_printable("x\233y", 0, "x\\x9by");
	assert_printable("\342\206", 0, "\\xe2\\x86");
	assert_printable("\300\257", 0, "\\xc0\\xaf");
	assert_printable("\340\200\257", 0, "\\xe0\\x80\\xaf");
	assert_printable("\355\240\200", 0, "\\xed\\xa0\\x80");
	assert_printable("\364\220\200\200", 0, "\\xf4\\x90\\x80\\x80");
	assert_printable("\370\210\200\200\200", 0, "\\xf8\\x88\\x80\\x80\\x80");
}

static void test_appends(void **state)
{
	(void)state;
	struct sbuf b = {0};
	sbuf_puts(&b, "title: ");
	sbuf_put_printable(&b, "x\ny", 0);
	sbuf_put_printable(&b, "", 0);
	assert_string_equal(sbuf_str(&b), "title: x\\ny");
	sbuf_free(&b);
}

static void test_title_rule(void **state)
{
	(void)state;
	struct sbuf why = {0};
	assert_true(store_title_ok("raft: the leader crashes", &why));
	assert_true(store_title_ok("caf\303\251 \342\206\222 ok", &why));
	assert_int_equal(why.len, 0);
	assert_false(store_title_ok("", &why));
	assert_non_null(strstr(sbuf_str(&why), "no title"));
	sbuf_clear(&why);
	assert_false(store_title_ok(NULL, &why));
	sbuf_clear(&why);
	assert_false(store_title_ok("t\ncrash n1", &why));
	assert_non_null(strstr(sbuf_str(&why), "\"t\\ncrash n1\""));
	sbuf_clear(&why);
	assert_false(store_title_ok("a\tb", &why));
	sbuf_clear(&why);
	assert_false(store_title_ok("\033]2;x\007", &why));
	assert_null(strchr(sbuf_str(&why), '\033'));
	sbuf_free(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_appends),
	    cmocka_unit_test(test_title_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

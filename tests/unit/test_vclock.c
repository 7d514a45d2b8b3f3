/*
 * test_vclock.c — vector clocks: the four orders, merge as the least upper
 * bound, increment (and its saturation), the text form both ways, and the
 * compact wire encoding, including every way a malformed encoding is
 * refused. A randomized test checks the algebra (compare is antisymmetric,
 * merge is commutative, associative, idempotent and an upper bound) and
 * that encode/decode and fmt/parse round-trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto/vclock.h"
#include "sim/rng.h"

#include <string.h>

static struct vclock vc(const char *text)
{
	struct vclock v;
	if (!vclock_parse(&v, text))
		fail_msg("cannot parse %s", text);
	return v;
}

static void assert_fmt(const struct vclock *v, const char *want)
{
	struct sbuf b = {0};
	vclock_fmt(v, &b);
	assert_string_equal(sbuf_str(&b), want);
	sbuf_free(&b);
}

static void test_compare(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		enum vclock_order want;
	} cases[] = {
	    {"[]", "[]", VC_EQUAL},
	    {"[n1:2 n3:1]", "[n3:1 n1:2]", VC_EQUAL},
	    {"[]", "[n1:1]", VC_BEFORE},
	    {"[n1:1]", "[]", VC_AFTER},
	    {"[n1:1]", "[n1:2]", VC_BEFORE},
	    {"[n1:1]", "[n1:1 n2:1]", VC_BEFORE},
	    {"[n1:2 n2:1]", "[n1:1 n2:1]", VC_AFTER},
	    {"[n1:1]", "[n2:1]", VC_CONCURRENT},
	    {"[n1:2 n2:1]", "[n1:1 n2:2]", VC_CONCURRENT},
	    {"[n128:1]", "[n1:1]", VC_CONCURRENT},
	    {"[n1:4294967295]", "[n1:4294967294]", VC_AFTER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vclock a = vc(cases[i].a), b = vc(cases[i].b);
		enum vclock_order got = vclock_compare(&a, &b);
		if (got != cases[i].want)
			fail_msg("%s vs %s: got %s, want %s", cases[i].a, cases[i].b,
				 vclock_order_str(got), vclock_order_str(cases[i].want));
		bool desc = cases[i].want == VC_AFTER || cases[i].want == VC_EQUAL;
		assert_int_equal(vclock_descends(&a, &b), desc);
	}
	assert_string_equal(vclock_order_str(VC_CONCURRENT), "concurrent");
	assert_string_equal(vclock_order_str(VC_BEFORE), "before");
}

static void test_merge_increment(void **state)
{
	(void)state;
	struct vclock a = vc("[n1:2 n2:1]"), b = vc("[n2:3 n4:1]");
	vclock_merge(&a, &b);
	assert_fmt(&a, "[n1:2 n2:3 n4:1]");
	assert_int_equal(vclock_compare(&a, &b), VC_AFTER);
	assert_int_equal(vclock_increment(&a, 2), 1);
	assert_int_equal(vclock_increment(&a, 0), 3);
	assert_fmt(&a, "[n1:3 n2:3 n3:1 n4:1]");
	assert_int_equal(vclock_entries(&a), 4);
	assert_int_equal(vclock_get(&a, 1), 3);

	/* a write after a merge of two concurrent versions supersedes both */
	struct vclock x = vc("[n1:1]"), y = vc("[n2:1]"), ctx;
	vclock_init(&ctx);
	vclock_merge(&ctx, &x);
	vclock_merge(&ctx, &y);
	vclock_increment(&ctx, 2);
	assert_int_equal(vclock_compare(&x, &ctx), VC_BEFORE);
	assert_int_equal(vclock_compare(&y, &ctx), VC_BEFORE);

	/* saturation: never wraps to zero */
	struct vclock s = vc("[n5:4294967295]");
	assert_int_equal(vclock_increment(&s, 4), UINT32_MAX);
	assert_int_equal(vclock_get(&s, 4), UINT32_MAX);

	struct vclock z;
	vclock_init(&z);
	assert_true(vclock_is_zero(&z));
	assert_false(vclock_is_zero(&s));
	assert_fmt(&z, "[]");
}

static void test_parse(void **state)
{
	(void)state;
	struct vclock v;
	assert_true(vclock_parse(&v, "[n1:2 n3:1]"));
	assert_fmt(&v, "[n1:2 n3:1]");
	assert_true(vclock_parse(&v, "  [ n3:1   n1:2 ]  "));
	assert_fmt(&v, "[n1:2 n3:1]");
	assert_true(vclock_parse(&v, "[]"));
	assert_true(vclock_is_zero(&v));
	static const char *const bad[] = {
	    "",
	    "n1:2",
	    "[n1:2",
	    "[n1:0]",
	    "[n0:1]",
	    "[n129:1]",
	    "[n1:2 n1:3]",
	    "[x1:2]",
	    "[n1:4294967296]",
	    "[n1:2]x",
	    "[n1:2,n2:3]",
	    "[n1:]",
	    "[n:1]",
	    "[n1:-1]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (vclock_parse(&v, bad[i]))
			fail_msg("parsed bad clock \"%s\"", bad[i]);
}

static void test_wire(void **state)
{
	(void)state;
	struct vclock v = vc("[n1:2 n3:70000]"), w;
	uint8_t buf[VCLOCK_WIRE_MAX];
	assert_int_equal(vclock_wire_size(&v), 11);
	assert_int_equal(vclock_encode(&v, buf, sizeof buf), 11);
	static const uint8_t want[11] = {2, 0, 2, 0, 0, 0, 2, 0x70, 0x11, 0x01, 0};
	assert_memory_equal(buf, want, sizeof want);
	assert_int_equal(vclock_decode(&w, buf, 11), 11);
	assert_int_equal(vclock_compare(&v, &w), VC_EQUAL);
	/* decoding reads exactly its own bytes, whatever follows */
	assert_int_equal(vclock_decode(&w, buf, sizeof buf), 11);
	/* too small a buffer for encoding */
	assert_int_equal(vclock_encode(&v, buf, 10), 0);
	/* the zero clock is one byte */
	struct vclock z;
	vclock_init(&z);
	assert_int_equal(vclock_encode(&z, buf, sizeof buf), 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(vclock_decode(&w, buf, 1), 1);
	assert_true(vclock_is_zero(&w));

	/* malformed encodings */
	assert_int_equal(vclock_decode(&w, buf, 0), 0);
	static const uint8_t trunc[] = {1, 0, 1, 0, 0};
	assert_int_equal(vclock_decode(&w, trunc, sizeof trunc), 0);
	static const uint8_t range[] = {1, 200, 1, 0, 0, 0};
	assert_int_equal(vclock_decode(&w, range, sizeof range), 0);
	static const uint8_t order[] = {2, 3, 1, 0, 0, 0, 1, 1, 0, 0, 0};
	assert_int_equal(vclock_decode(&w, order, sizeof order), 0);
	static const uint8_t dup[] = {2, 3, 1, 0, 0, 0, 3, 1, 0, 0, 0};
	assert_int_equal(vclock_decode(&w, dup, sizeof dup), 0);
	static const uint8_t zero[] = {1, 3, 0, 0, 0, 0};
	assert_int_equal(vclock_decode(&w, zero, sizeof zero), 0);
	static const uint8_t count[] = {200};
	assert_int_equal(vclock_decode(&w, count, sizeof count), 0);

	/* the largest clock */
	for (int i = 0; i < SIM_MAX_NODES; i++)
		v.c[i] = UINT32_MAX - (uint32_t)i;
	assert_int_equal(vclock_encode(&v, buf, sizeof buf), VCLOCK_WIRE_MAX);
	assert_int_equal(vclock_decode(&w, buf, sizeof buf), VCLOCK_WIRE_MAX);
	assert_int_equal(vclock_compare(&v, &w), VC_EQUAL);
}

/* A random sparse clock over a few nodes, as protocols produce. */
static struct vclock random_clock(struct rng *r)
{
	struct vclock v;
	vclock_init(&v);
	int k = (int)rng_below(r, 4);
	for (int i = 0; i < k; i++)
		v.c[rng_below(r, 5) * 31 % SIM_MAX_NODES] = (uint32_t)rng_below(r, 4);
	return v;
}

static void test_random_algebra(void **state)
{
	(void)state;
	struct rng r;
	rng_seed(&r, 7);
	uint8_t buf[VCLOCK_WIRE_MAX];
	for (int it = 0; it < 20000; it++) {
		struct vclock a = random_clock(&r), b = random_clock(&r), c = random_clock(&r);
		enum vclock_order ab = vclock_compare(&a, &b), ba = vclock_compare(&b, &a);
		static const enum vclock_order flip[] = {VC_EQUAL, VC_AFTER, VC_BEFORE,
							 VC_CONCURRENT};
		assert_int_equal(ba, flip[ab]);
		/* merge: commutative, an upper bound of both, idempotent */
		struct vclock m1 = a, m2 = b;
		vclock_merge(&m1, &b);
		vclock_merge(&m2, &a);
		assert_int_equal(vclock_compare(&m1, &m2), VC_EQUAL);
		assert_true(vclock_descends(&m1, &a) && vclock_descends(&m1, &b));
		struct vclock m3 = m1;
		vclock_merge(&m3, &m1);
		assert_int_equal(vclock_compare(&m3, &m1), VC_EQUAL);
		/* associative */
		struct vclock l = a, rr = b;
		vclock_merge(&l, &b);
		vclock_merge(&l, &c);
		vclock_merge(&rr, &c);
		struct vclock r2 = a;
		vclock_merge(&r2, &rr);
		assert_int_equal(vclock_compare(&l, &r2), VC_EQUAL);
		/* the least upper bound: equal to a when a descends b */
		if (ab == VC_AFTER || ab == VC_EQUAL)
			assert_int_equal(vclock_compare(&m1, &a), VC_EQUAL);
		/* an increment moves strictly after */
		struct vclock inc = a;
		vclock_increment(&inc, (int)rng_below(&r, SIM_MAX_NODES));
		assert_int_equal(vclock_compare(&a, &inc), VC_BEFORE);
		/* round trips */
		size_t n = vclock_encode(&a, buf, sizeof buf);
		struct vclock d;
		assert_int_equal(n, vclock_wire_size(&a));
		assert_int_equal(vclock_decode(&d, buf, n), n);
		assert_int_equal(vclock_compare(&a, &d), VC_EQUAL);
		struct sbuf t = {0};
		vclock_fmt(&a, &t);
		assert_true(vclock_parse(&d, sbuf_str(&t)));
		assert_int_equal(vclock_compare(&a, &d), VC_EQUAL);
		sbuf_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compare),        cmocka_unit_test(test_merge_increment),
	    cmocka_unit_test(test_parse),          cmocka_unit_test(test_wire),
	    cmocka_unit_test(test_random_algebra),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_kv.c — the shared key-value state machine (proto/kv.h): put, get,
 * cas and append; exactly-once application by (client, seq), with the
 * first answer repeated to a retry; commands outside sessions; clear,
 * copy and compare; the snapshot wire form both ways, and every malformed
 * buffer refused. A randomized test checks that the index finds every key
 * among many and that a copy and a decoded snapshot equal the original.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "proto/kv.h"
#include "sim/rng.h"

#include <stdio.h>
#include <string.h>

static struct kv_op op(enum kv_fn fn, const char *key, const char *arg, const char *arg2)
{
	struct kv_op o;
	memset(&o, 0, sizeof o);
	o.fn = fn;
	ns_strlcpy(o.key, key, sizeof o.key);
	ns_strlcpy(o.arg, arg ? arg : "", sizeof o.arg);
	ns_strlcpy(o.arg2, arg2 ? arg2 : "", sizeof o.arg2);
	return o;
}

/* Applies one command of client c with serial number seq. */
static struct kv_result ap(struct kv *kv, int c, uint64_t seq, enum kv_fn fn, const char *key,
			   const char *arg, const char *arg2)
{
	struct kv_op o = op(fn, key, arg, arg2);
	struct kv_result r;
	kv_apply(kv, c, seq, (int64_t)seq * 10, &o, &r);
	return r;
}

static void test_operations(void **state)
{
	(void)state;
	struct kv kv;
	kv_init(&kv);
	assert_null(kv_get(&kv, "x"));
	assert_int_equal(kv_count(&kv), 0);

	assert_int_equal(ap(&kv, 1, 1, KV_PUT, "x", "1", NULL).status, REPLY_OK);
	assert_string_equal(kv_get(&kv, "x"), "1");
	assert_int_equal(ap(&kv, 1, 2, KV_APPEND, "x", "ab", NULL).status, REPLY_OK);
	assert_string_equal(kv_get(&kv, "x"), "1ab");
	/* Append to a key never written starts from "". */
	ap(&kv, 1, 3, KV_APPEND, "y", "q", NULL);
	assert_string_equal(kv_get(&kv, "y"), "q");

	/* cas: sets the new value only if the key holds the expected one. */
	struct kv_result r = ap(&kv, 2, 1, KV_CAS, "x", "1ab", "2");
	assert_int_equal(r.status, REPLY_OK);
	assert_string_equal(kv_get(&kv, "x"), "2");
	r = ap(&kv, 2, 2, KV_CAS, "x", "1", "3");
	assert_int_equal(r.status, REPLY_CAS_FALSE);
	assert_string_equal(r.why, "cas: x is 2, not 1");
	assert_string_equal(kv_get(&kv, "x"), "2");
	r = ap(&kv, 2, 3, KV_CAS, "z", "1", "3");
	assert_int_equal(r.status, REPLY_CAS_FALSE);
	assert_string_equal(r.why, "cas: z is unset");
	assert_null(kv_get(&kv, "z")); /* a failed cas creates nothing */

	/* A get in the log reads. */
	r = ap(&kv, 3, 1, KV_GET, "y", NULL, NULL);
	assert_int_equal(r.status, REPLY_OK);
	assert_true(r.found);
	assert_string_equal(r.value, "q");
	r = ap(&kv, 3, 2, KV_GET, "nope", NULL, NULL);
	assert_false(r.found);

	/* Keys in insertion order. */
	assert_int_equal(kv_count(&kv), 2);
	assert_string_equal(kv_item(&kv, 0)->key, "x");
	assert_string_equal(kv_item(&kv, 1)->key, "y");

	/* A value longer than KV_VAL_MAX - 1 is cut, never overflows. */
	char big[KV_VAL_MAX];
	memset(big, 'v', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ap(&kv, 1, 4, KV_PUT, "b", big, NULL);
	ap(&kv, 1, 5, KV_APPEND, "b", "more", NULL);
	assert_string_equal(kv_get(&kv, "b"), big);
	kv_close(&kv);
	kv_close(NULL);
}

/* §8: a command whose serial number was already executed is answered
 * with the recorded response, not executed again. */
static void test_exactly_once(void **state)
{
	(void)state;
	struct kv kv;
	kv_init(&kv);
	assert_null(kv_session(&kv, 4));
	ap(&kv, 4, 1, KV_APPEND, "x", "a", NULL);
	ap(&kv, 4, 1, KV_APPEND, "x", "a", NULL); /* a retry in the log twice */
	assert_string_equal(kv_get(&kv, "x"), "a");
	const struct kv_session *s = kv_session(&kv, 4);
	assert_non_null(s);
	assert_int_equal(s->seq, 1);
	assert_int_equal(s->index, 10);

	/* The retry of a failed cas gets the same failure, even once the
	 * compare would now hold. */
	struct kv_result r = ap(&kv, 4, 2, KV_CAS, "x", "b", "c");
	assert_int_equal(r.status, REPLY_CAS_FALSE);
	ap(&kv, 5, 1, KV_PUT, "x", "b", NULL); /* another client */
	r = ap(&kv, 4, 2, KV_CAS, "x", "b", "c");
	assert_int_equal(r.status, REPLY_CAS_FALSE);
	assert_string_equal(r.why, "cas: x is a, not b");
	assert_string_equal(kv_get(&kv, "x"), "b");
	/* An older command than the session's is not executed either. */
	r = ap(&kv, 4, 1, KV_PUT, "x", "old", NULL);
	assert_string_equal(kv_get(&kv, "x"), "b");
	assert_int_equal(kv_session(&kv, 4)->seq, 2);

	/* Sessions are per client: the same seq from another client runs. */
	ap(&kv, 6, 2, KV_APPEND, "x", "6", NULL);
	assert_string_equal(kv_get(&kv, "x"), "b6");
	/* client < 0: outside any session, always executed. */
	ap(&kv, -1, 1, KV_APPEND, "x", "!", NULL);
	ap(&kv, -1, 1, KV_APPEND, "x", "!", NULL);
	assert_string_equal(kv_get(&kv, "x"), "b6!!");
	assert_null(kv_session(&kv, -1));

	/* A reply from a session's answer. */
	struct client_reply rep;
	kv_result_reply(&kv_session(&kv, 4)->res, &rep);
	assert_int_equal(rep.status, REPLY_CAS_FALSE);
	assert_int_equal(rep.leader_hint, -1);
	assert_string_equal(rep.why, "cas: x is a, not b");

	/* clear forgets keys and sessions: a replay starts over. */
	kv_clear(&kv);
	assert_null(kv_get(&kv, "x"));
	assert_null(kv_session(&kv, 4));
	ap(&kv, 4, 1, KV_APPEND, "x", "a", NULL);
	assert_string_equal(kv_get(&kv, "x"), "a");
	kv_close(&kv);
}

static void test_copy_equal(void **state)
{
	(void)state;
	struct kv a, b;
	kv_init(&a);
	ap(&a, 1, 1, KV_PUT, "x", "1", NULL);
	ap(&a, 1, 2, KV_PUT, "y", "2", NULL);
	kv_copy(&b, &a);
	assert_true(kv_equal(&a, &b, NULL));
	ap(&b, 1, 3, KV_PUT, "y", "3", NULL);
	assert_string_equal(kv_get(&a, "y"), "2"); /* a deep copy */
	struct sbuf why = {0};
	assert_false(kv_equal(&a, &b, &why));
	assert_string_equal(sbuf_str(&why), "y is \"2\" in one and \"3\" in the other");
	sbuf_free(&why);
	ap(&b, 1, 4, KV_PUT, "y", "2", NULL);
	ap(&b, 1, 5, KV_PUT, "z", "9", NULL);
	assert_false(kv_equal(&a, &b, &why));
	assert_string_equal(sbuf_str(&why), "z is \"9\" in one and missing in the other");
	sbuf_free(&why);
	kv_close(&a);
	kv_close(&b);
}

static void test_wire(void **state)
{
	(void)state;
	struct kv a, d;
	kv_init(&a);
	struct sbuf w = {0};
	kv_encode(&a, &w);
	assert_int_equal(w.len, 8); /* two counts */
	assert_int_equal(kv_decode(&d, w.s, w.len), 8);
	assert_int_equal(kv_count(&d), 0);
	kv_close(&d);
	sbuf_free(&w);
	kv_encode(NULL, &w);
	assert_int_equal(w.len, 8);
	sbuf_free(&w);

	ap(&a, 2, 7, KV_PUT, "x", "1", NULL);
	ap(&a, 2, 8, KV_CAS, "x", "0", "5");
	ap(&a, 0, 1, KV_APPEND, "y", "z", NULL);
	kv_encode(&a, &w);
	/* Sessions travel as u64 seq, two bytes, value, why, padded to 8. */
	size_t sess = (8 + 2 + KV_VAL_MAX + 64 + 7) / 8 * 8;
	assert_int_equal(w.len, 8 + 2 * sizeof(struct kv_item) + a.nsess * sess);
	assert_int_equal(kv_decode(&d, w.s, w.len), w.len);
	assert_true(kv_equal(&a, &d, NULL));
	const struct kv_session *s = kv_session(&d, 2);
	assert_non_null(s);
	assert_int_equal(s->seq, 8);
	assert_int_equal(s->index, 0); /* the index does not travel */
	assert_int_equal(s->res.status, REPLY_CAS_FALSE);
	assert_string_equal(s->res.why, "cas: x is 1, not 0");
	/* The decoded sessions still deduplicate. */
	ap(&d, 2, 8, KV_PUT, "x", "again", NULL);
	assert_string_equal(kv_get(&d, "x"), "1");
	kv_close(&d);

	/* Malformed: too short, item or session counts past the end. */
	assert_int_equal(kv_decode(&d, w.s, 7), 0);
	assert_int_equal(kv_decode(&d, w.s, w.len - 1), 0);
	assert_int_equal(kv_decode(&d, w.s, 8 + sizeof(struct kv_item)), 0);
	char bad[8];
	memcpy(bad, w.s, 8);
	uint32_t huge = UINT32_MAX;
	memcpy(bad, &huge, 4);
	assert_int_equal(kv_decode(&d, bad, sizeof bad), 0);
	assert_int_equal(kv_count(&d), 0);
	/* A longer buffer decodes its prefix (the caller checks the rest). */
	sbuf_add(&w, "tail", 4);
	assert_int_equal(kv_decode(&d, w.s, w.len), w.len - 4);
	kv_close(&d);
	sbuf_free(&w);
	kv_close(&a);
}

/* Many keys: the index grows and still finds each; copy and snapshot
 * equal the original. */
static void test_random_many_keys(void **state)
{
	(void)state;
	struct rng rng;
	rng_seed(&rng, 12);
	struct kv kv;
	kv_init(&kv);
	char want[300][8];
	memset(want, 0, sizeof want);
	for (int i = 0; i < 3000; i++) {
		int k = (int)rng_below(&rng, 300);
		char key[16], val[8];
		snprintf(key, sizeof key, "k%d", k);
		snprintf(val, sizeof val, "%d", i % 1000);
		ap(&kv, (int)rng_below(&rng, 20), (uint64_t)i + 1, KV_PUT, key, val, NULL);
		ns_strlcpy(want[k], val, sizeof want[k]);
	}
	for (int k = 0; k < 300; k++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", k);
		if (want[k][0])
			assert_string_equal(kv_get(&kv, key), want[k]);
		else
			assert_null(kv_get(&kv, key));
	}
	struct kv c, d;
	kv_copy(&c, &kv);
	struct sbuf w = {0};
	kv_encode(&kv, &w);
	assert_int_equal(kv_decode(&d, w.s, w.len), w.len);
	assert_true(kv_equal(&kv, &c, NULL));
	assert_true(kv_equal(&kv, &d, NULL));
	sbuf_free(&w);
	kv_close(&c);
	kv_close(&d);
	kv_close(&kv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_operations),       cmocka_unit_test(test_exactly_once),
	    cmocka_unit_test(test_copy_equal),       cmocka_unit_test(test_wire),
	    cmocka_unit_test(test_random_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fixture.h — what the unit tests that drive a simulation share: a world
 * whose output is silenced and that has run a script (or the test fails),
 * and a protocol's options from "key=value" strings. Include after
 * cmocka.h.
 */
#ifndef NETSPLIT_TEST_FIXTURE_H
#define NETSPLIT_TEST_FIXTURE_H

#include "proto/proto.h"
#include "script/script.h"

#include <string.h>

static inline void fixture_quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

/* A new world that has run `script` (commands, one a line); fails the
 * test with the command's error otherwise. */
static inline struct world *world_with(const char *script)
{
	struct world *w = world_new();
	world_set_output(w, fixture_quiet, NULL);
	struct sbuf err = {0};
	if (world_exec_line(w, script, &err) != EXEC_OK)
		fail_msg("%s: %s", script, sbuf_str(&err));
	sbuf_free(&err);
	return w;
}

/* ops's defaults, then each "key=value" of kv (NULL-terminated, or NULL);
 * a bad key or value fails the test. */
static inline void opts_with(const struct proto_ops *ops, const char *const *kv,
			     struct proto_opts *o)
{
	proto_opts_default(ops, o);
	for (; kv && *kv; kv++) {
		char key[32];
		const char *eq = strchr(*kv, '=');
		assert_non_null(eq);
		assert_true((size_t)(eq - *kv) < sizeof key);
		memcpy(key, *kv, (size_t)(eq - *kv));
		key[eq - *kv] = '\0';
		int i = proto_option_index(ops, key);
		assert_true(i >= 0);
		struct sbuf err = {0};
		assert_true(proto_option_parse(ops, i, eq + 1, &o->v[i], &err));
		sbuf_free(&err);
	}
}

#endif

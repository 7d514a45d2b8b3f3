/*
 * test_lin_live_testdata.c — every history of the test data replayed into
 * the live checker as if it were happening: invocations and completions in
 * time order, lin_check every few events (so keys fold their past as they
 * go, lin.c), then a final lin_check. The verdict must be the one in the
 * folder's EXPECTED.tsv, as for the one-shot check (test_lin_testdata).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check/history.h"
#include "check/lin.h"
#include "testdata_tsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev {
	int64_t t;
	int kind; /* 0 invoke, 1 complete: invocations first at equal times */
	uint32_t op;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->op < y->op ? -1 : x->op > y->op;
}

/* Replays src into a fresh history under a live checker; the verdict. */
static enum lin_verdict replay(const struct history *src, enum lin_model m, int every,
			       uint64_t *folded)
{
	size_t n = src->n;
	struct ev *evs = xmalloc((2 * n + 1) * sizeof *evs);
	size_t ne = 0;
	int64_t end = 0;
	for (size_t i = 0; i < n; i++) {
		const struct hist_op *o = &src->ops[i];
		int64_t done = o->completed != HIST_NEVER ? o->completed : o->gave_up;
		if (done != HIST_NEVER && done > end)
			end = done;
		if (o->invoked > end)
			end = o->invoked;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hist_op *o = &src->ops[i];
		int64_t done = o->completed != HIST_NEVER ? o->completed : o->gave_up;
		evs[ne++] = (struct ev){o->invoked, 0, (uint32_t)i};
		evs[ne++] = (struct ev){done != HIST_NEVER ? done : end + 1, 1, (uint32_t)i};
	}
	qsort(evs, ne, sizeof *evs, ev_cmp);
	struct history h;
	history_init(&h);
	h.has_times = src->has_times;
	h.jepsen = src->jepsen;
	uint32_t *map = xmalloc((n ? n : 1) * sizeof *map);
	struct lin_checker *c = lin_new(&h, m);
	enum lin_verdict v = LIN_OK;
	for (size_t k = 0; k < ne && v != LIN_VIOLATION; k++) {
		const struct hist_op *o = &src->ops[evs[k].op];
		if (evs[k].kind == 0) {
			struct hist_op op = *o;
			op.completed = HIST_NEVER;
			op.gave_up = HIST_NEVER;
			op.outcome = OUT_PENDING;
			op.result = NULL;
			if (o->f == HIST_TXN && o->outcome != OUT_OK)
				op.nmops = o->nmops; /* as invoked */
			map[evs[k].op] = history_add(&h, &op);
		} else {
			uint32_t id = map[evs[k].op];
			if (o->f == HIST_TXN)
				history_set_mops(&h, id, o->mops, o->nmops);
			history_complete(&h, id, evs[k].t, o->outcome, o->result, -1, o->why);
		}
		if (k % (size_t)every == 0)
			v = lin_check(c, NULL);
	}
	v = lin_check(c, NULL);
	struct lin_stats st;
	lin_get_stats(c, &st);
	*folded += st.folded;
	lin_free(c);
	history_close(&h);
	free(map);
	free(evs);
	return v;
}

static enum lin_verdict live_one(struct history *h, enum lin_model m, void *ctx)
{
	return replay(h, m, 7, ctx);
}

static int live_folder(const char *folder, int *nfiles, uint64_t *folded)
{
	return testdata_each(folder, "live", live_one, folded, nfiles);
}

static void test_live_porcupine(void **state)
{
	(void)state;
	int n = 0;
	uint64_t folded = 0;
	assert_int_equal(live_folder("porcupine", &n, &folded), 0);
	assert_int_equal(n, 102 + 6);
	assert_true(folded > 0);
}

static void test_live_knossos(void **state)
{
	(void)state;
	int n = 0;
	uint64_t folded = 0;
	assert_int_equal(live_folder("knossos", &n, &folded), 0);
	assert_true(n >= 120);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_porcupine),
	    cmocka_unit_test(test_live_knossos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

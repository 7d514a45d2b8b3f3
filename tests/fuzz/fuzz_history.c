/*
 * fuzz_history.c — libFuzzer harness for the history formats (JSON lines,
 * EDN, Jepsen logs; detected as `netsplit check` does) and the checker:
 * a history that parses is checked under a small step budget, in the model
 * its contents suggest. Seeds: tests/data (Porcupine's and Knossos's
 * histories).
 */
#include "check/history.h"
#include "check/lin.h"
#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 18)
		return 0;
	struct history h;
	history_init(&h);
	struct sbuf err = {0};
	if (history_parse(&h, (const char *)data, size, "fuzz", HIST_FMT_AUTO, &err)) {
		static const enum lin_model models[] = {LIN_MODEL_KV, LIN_MODEL_CAS_REGISTER,
							LIN_MODEL_ETCD};
		struct lin_budget b = {.max_steps = 20000};
		struct sbuf why = {0};
		enum lin_model m = models[size % 3];
		if (!lin_model_fits(&h, m, &why))
			m = LIN_MODEL_MULTI_REGISTER; /* as `netsplit check` would say */
		if (lin_model_fits(&h, m, &why))
			lin_check_history(&h, m, &b, &why, NULL);
		sbuf_free(&why);
	}
	sbuf_free(&err);
	history_close(&h);
	return 0;
}

/*
 * fuzz_script.c — libFuzzer harness for the command language: any input is
 * parsed as a scenario and, when it parses, run with a bound (the run is
 * halted after 20,000 simulated events or two seconds, however long its
 * `run` asks).
 * Nothing may crash, leak or read out of bounds; bad input is a message.
 * Seeds: tests/scenarios. Built by -DNETSPLIT_LIBFUZZER=ON (clang).
 */
#include "script/script.h"
#include "sim/sim.h"
#include "util/util.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVENT_BOUND 20000
#define WALL_BOUND  2.0 /* seconds: a big cluster's checkers cost per event */

static unsigned long events;
static double started;

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count(void *ctx, const struct trace_event *ev)
{
	struct sim *s = ctx;
	if (ev->kind != TR_STEP)
		return;
	if (++events >= EVENT_BOUND || ((events & 63) == 0 && wall() - started > WALL_BOUND))
		sim_halt(s);
}

static void on_new_sim(void *ctx, struct world *w, struct sim *s)
{
	(void)ctx;
	(void)w;
	sim_observe(s, count, s);
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16 || memchr(data, 0, size))
		return 0; /* the program refuses both before parsing */
	char *text = xcalloc(1, size + 1);
	memcpy(text, data, size);
	struct world *w = world_new();
	world_set_output(w, quiet, NULL);
	world_on_new_sim(w, on_new_sim, NULL);
	events = 0;
	started = wall();
	struct sbuf err = {0};
	struct script *sc = script_parse(text, "fuzz.ns", w, &err);
	if (sc) {
		world_run(w, sc, &err);
		script_free(sc);
	}
	sbuf_free(&err);
	world_free(w);
	free(text);
	return 0;
}

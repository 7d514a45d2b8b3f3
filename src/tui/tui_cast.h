/*
 * tui_cast.h — writing a recording as an asciicast v2 file of the screen.
 */
#ifndef NETSPLIT_TUI_CAST_H
#define NETSPLIT_TUI_CAST_H

#include "sim/simtime.h"
#include "util/util.h"

#include <stdint.h>
#include <stdio.h>

/* Replays the recorded commands (at[i], text[i]) headless and writes an
 * asciicast v2 file of the cluster view at 80x24 to out, a frame per tenth
 * of a simulated second. Returns 0, or -1 with a message in err. */
int tui_export_cast(const sim_time *at, const char *const *text, size_t n, sim_time duration,
		    const char *title, int64_t created, FILE *out, struct sbuf *err);

#endif

/*
 * simtime.h — simulated time. A sim_time is a count of microseconds of true
 * (simulator) time since the simulation began; a node's local clock is
 * derived from it (see node_local_now in sim.h). Durations share the type.
 */
#ifndef NETSPLIT_SIMTIME_H
#define NETSPLIT_SIMTIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_US    ((sim_time)1)
#define SIM_MS    ((sim_time)1000)
#define SIM_S     ((sim_time)1000000)
#define SIM_NEVER INT64_MAX

/* Parses a duration: a non-negative decimal number followed by us, ms or s
 * ("500ms", "1.5s", "250us"); with allow_sign, a leading + or - too.
 * Returns the length consumed (the whole of s must be consumed for
 * success: returns 0 on any error). */
size_t simtime_parse(const char *s, sim_time *out, int allow_sign);

/* Formats t as seconds with millisecond precision, "12.480s", or with
 * microseconds when t is not a whole number of milliseconds ("0.000250s").
 * Returns buf. */
char *simtime_fmt(sim_time t, char *buf, size_t n);

/* Formats a duration compactly with its natural unit: "150ms", "1.5s",
 * "250us", "0s". Returns buf. */
char *simtime_fmt_dur(sim_time t, char *buf, size_t n);

#endif

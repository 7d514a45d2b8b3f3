/*
 * workload.h — a generator of client operations, like a Jepsen workload:
 * `workload clients 3 rate 20/s keys 2 mix put:40,get:40,cas:20`.
 *
 * Arrivals. Operations arrive as a Poisson process of `rate` per second
 * for all the workload's clients together (exponential inter-arrival
 * times, the memoryless model of independent clients), or, with
 * `arrivals uniform`, with inter-arrival times uniform in [0, 2/rate]
 * (same mean, less bursty). At each arrival one of the workload's idle
 * clients, chosen at random, invokes an operation on a random key, its kind
 * drawn from the mix; when every client is busy the arrival is skipped
 * (counted in `skipped`): a client is a sequential process. Time always
 * passes between two arrivals: the rate is at most 1,000,000 per second
 * (1000/ms) and every gap is at least 1us, so no setting makes the
 * workload work at one instant (the clients' own minimums are in sim.h).
 *
 * Values. Every value written is unique per key ("1", "2", ... counted
 * per key; appends add "<n>;"), so that a read names the write it saw and
 * histories stay cheap to check. A cas expects the last value this
 * workload wrote to the key and sets a fresh one.
 *
 * Nodes. Each operation goes first to a random live node; with `home
 * nodes` the workload's k-th client (from 0) is tied to node k mod N
 * (sim_client_set_home): it sends to its home first, and reaches other
 * nodes (redirects, retries) only over its home's links, so a partition
 * puts it on its home's side. `netsplit cap` runs it so: the clients on
 * the minority side see what the minority can do.
 *
 * Keys are x, y, z, u, v, w, then k7, k8, ... Clients are numbered from
 * `client_base` (default 100), clear of the interactive clients c1, c2...
 * Every random choice is drawn from sim_rng: the run stays deterministic.
 *
 * Lifetime. The workload schedules its next arrival with sim_schedule,
 * which cannot be cancelled: workload_stop() only makes the next arrival do
 * nothing. So free the workload after sim_free(), or after stopping it and
 * running the simulation past workload_next_arrival().
 */
#ifndef NETSPLIT_WORKLOAD_H
#define NETSPLIT_WORKLOAD_H

#include "sim/sim.h"
#include "util/util.h"

#include <stdbool.h>
#include <stdint.h>

#define WORKLOAD_MAX_KEYS 64

enum workload_fn { WL_GET, WL_PUT, WL_CAS, WL_APPEND, WL_NFN };

struct workload_cfg {
	int clients;       /* 1..1000 */
	int client_base;   /* first client number, >= 1 */
	double rate;       /* operations per second (all clients), > 0 */
	int keys;          /* 1..WORKLOAD_MAX_KEYS */
	int mix[WL_NFN];   /* weights, indexed by enum workload_fn; sum > 0 */
	bool uniform;      /* uniform inter-arrival times, else exponential */
	sim_time duration; /* stop after this long; 0 = until workload_stop */
	bool home;         /* `home nodes`: client k of the workload (from 0)
			    * is tied to node k mod N (sim_client_set_home) */
};

struct workload_stats {
	uint64_t invoked[WL_NFN]; /* operations started, by kind */
	uint64_t skipped;         /* arrivals with every client busy */
};

/* The defaults: 3 clients from 100, 10/s, 1 key, get:50,put:50, Poisson. */
void workload_cfg_default(struct workload_cfg *cfg);

/* Parses the words after `workload` into cfg (which it first sets to the
 * defaults): `clients N`, `rate R/s` (or `R/ms`, or a plain number per
 * second), `keys N`, `mix fn:W,fn:W...` (fn: get, put, cas, append),
 * `base N`, `arrivals poisson|uniform`, `for DURATION`, `home nodes|any`,
 * in any order.
 * On error returns false with a message (user's language) naming the word
 * at fault in err. */
bool workload_parse(const char *spec, struct workload_cfg *cfg, struct sbuf *err);
/* The configuration in the syntax workload_parse reads. */
void workload_cfg_fmt(const struct workload_cfg *cfg, struct sbuf *out);

struct workload;

/* Starts generating operations in s from now on (the first arrival is one
 * inter-arrival time away). cfg is copied; it must be valid (as
 * workload_parse makes it). */
struct workload *workload_start(struct sim *s, const struct workload_cfg *cfg);
/* No more arrivals; operations already running complete as usual. */
void workload_stop(struct workload *w);
bool workload_running(const struct workload *w);
/* Time of the next (possibly inert) scheduled arrival; SIM_NEVER if none. */
sim_time workload_next_arrival(const struct workload *w);
const struct workload_stats *workload_stats(const struct workload *w);
const struct workload_cfg *workload_cfg(const struct workload *w);
/* The name of key i ("x", "y", ..., "k7"). */
void workload_key_name(int i, char *buf, size_t n);
/* See the lifetime rule above. Accepts NULL. */
void workload_free(struct workload *w);

#endif

/*
 * phi.h — the arithmetic of the φ accrual failure detector (phi.c), public
 * so that tests can hold it against values computed by hand.
 */
#ifndef NETSPLIT_PHI_H
#define NETSPLIT_PHI_H

#include "sim/sim.h"

/* φ = −log10(1 − F(elapsed)), with F the normal CDF of mean `mean` and
 * standard deviation `sd` (both in the unit of `elapsed`; sd > 0), by the
 * logistic approximation of the normal CDF that Akka uses (Bowling et al.,
 * 2009): 1 − F(t) ≈ 1 / (1 + e^z), z = y·(1.5976 + 0.070566·y²),
 * y = (t − mean) / sd. Computed as log10(1 + e^z) in a form that neither
 * overflows nor loses the small tail: φ grows without bound, smoothly.
 * Within 1.5% of the exact normal tail up to 3σ; beyond, it overestimates
 * (φ 8.08 against 7.12 at 5.25σ): with threshold 8 a peer is suspected at
 * about 5.2σ past the mean, where the exact normal would wait for 5.9σ. */
double phi_compute(double elapsed, double mean, double sd);

/* The window statistics of one peer: mean and standard deviation of `n`
 * inter-arrival samples given by their sum and sum of squares (us, us²),
 * with Akka's two adjustments: acceptable-heartbeat-pause added to the
 * mean, the deviation raised to at least min_sd. */
void phi_stats(int n, int64_t sum, int64_t sumsq, sim_time pause, sim_time min_sd, double *mean,
	       double *sd);

/* ---- what the screen plots (phi.c keeps it; no decision reads it) ---- */

/* One moment at which φ's formula for one peer changed. From local time
 * `from` until the next point, φ at local time t is
 * phi_compute(t − last, mean, sd): `last` is the latest heartbeat's local
 * time, mean and sd the window's (phi_stats). sd 0: the observer was down
 * from `from` (no φ). */
struct phi_point {
	sim_time from, last;
	float mean, sd;
};
#define PHI_HIST 128 /* points kept per observer and peer (about 12 s of 100 ms heartbeats) */

/* Whether simulation s runs the phi detector. */
bool phi_applies(struct sim *s);
/* Node i's points for peer p, oldest first: up to cap copied into out;
 * returns how many. 0 for another protocol or a peer never recorded. */
int phi_history(struct sim *s, int i, int p, struct phi_point *out, int cap);
/* The suspicion threshold (option `threshold`). */
double phi_threshold(struct sim *s);
/* Node i's local clock now (the plot's time axis). */
sim_time phi_local_now(struct sim *s, int i);
/* How many suspicions of node i a later heartbeat proved wrong. */
int64_t phi_false_suspicions(struct sim *s, int i);

#endif

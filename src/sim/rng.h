/*
 * rng.h — the simulation's only source of randomness: xoshiro256** 1.0
 * (Blackman & Vigna, "Scrambled Linear Pseudorandom Number Generators",
 * 2018), seeded through SplitMix64 as its authors recommend. Every random
 * choice in netsplit — latency jitter, loss, election timeouts, workload
 * keys — is drawn from one of these, owned by the simulator, so a seed
 * fixes the whole run.
 */
#ifndef NETSPLIT_RNG_H
#define NETSPLIT_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds the generator; any 64-bit seed, 0 included, is valid. */
void rng_seed(struct rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform integer in [lo, hi], lo <= hi. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_double(struct rng *r);
/* True with probability ppm / 1,000,000. */
bool rng_chance_ppm(struct rng *r, uint32_t ppm);

#endif

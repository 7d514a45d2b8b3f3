/*
 * store_recorder.h — records a world's session into a store_recording: the
 * bridge between the command language's recorder hook and the store, used
 * by `netsplit run --record` and by the screen's `R` key.
 */
#ifndef NETSPLIT_STORE_RECORDER_H
#define NETSPLIT_STORE_RECORDER_H

#include "script/script.h"
#include "store/store.h"

/* A recorder keeps the log of every command a world has run since its
 * latest `cluster` (with the seed before it), so that a recording started
 * at any moment can be saved whole: replaying it rebuilds the session from
 * the cluster's creation, exactly. */
struct recorder {
	struct store_recording rec; /* the log so far */
	struct world *world;
	bool recording; /* between recorder_begin and recorder_end */
	sim_time began; /* simulated time when recording began */
};

/* Takes w's recorder hook and starts logging. */
void recorder_attach(struct recorder *r, struct world *w);
/* Starts a recording titled `title` (the log since the cluster is kept). */
void recorder_begin(struct recorder *r, const char *title);
/* Ends it: records the time that passed since the last command and fills
 * protocol, options, size, seed and duration from the world. */
void recorder_end(struct recorder *r);
/* Saves what recorder_end produced; STORE_E_INVALID (with why) when it
 * holds no cluster. *id gets the new recording's id. */
int recorder_save(struct recorder *r, struct store *st, int64_t *id, struct sbuf *why);
/* Releases the hook and frees the log. */
void recorder_free(struct recorder *r);

/* Re-runs a recording headless and writes its trace (JSON lines) to out. */
int recording_trace_json(const struct store_recording *rec, FILE *out, struct sbuf *err);
/* Writes a recording as a scenario file (`netsplit run` reproduces it). */
void recording_write_ns(const struct store_recording *rec, FILE *out);
/* Reads a scenario file into a recording by running it headless with a
 * recorder (so it holds exactly what a live session would have). */
int recording_from_ns(const char *path, const char *title, struct store_recording *out,
		      struct sbuf *err);

#endif

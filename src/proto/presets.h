/*
 * presets.h — real systems as configurations of real protocols (issue 20;
 * presets.c): a name, the base protocol and the options it fixes.
 */
#ifndef NETSPLIT_PRESETS_H
#define NETSPLIT_PRESETS_H

#include "proto/proto.h"

struct proto_preset {
	const char *name;    /* "etcd" */
	const char *base;    /* "raft": proto_find(base) NULL means not built in */
	const char *options; /* "key=value ..." applied before the user's */
	const char *summary; /* one line, for errors and help */
};

/* NULL-terminated by name == NULL. */
extern const struct proto_preset proto_presets[];
/* The preset called name, or NULL. */
const struct proto_preset *proto_preset_find(const char *name);

#endif

/*
 * compare_cmd.c — `netsplit compare [PROTOCOL...] [N] [--seed S] [--db PATH]`:
 * two or three consensus clusters side by side (the screen of
 * src/tui/tui_cap.c), under one seed, one client workload, one clock and
 * the same keystroke faults — "the same partition and leader crash on all
 * three" of issue 16. Each side shows its availability, its committed
 * operations and its linearizability verdict.
 *
 * Which protocols run is data: the names given (default: raft, paxos and zab),
 * each any built-in protocol that serves key-value clients, run with its
 * defaults. The screen names none.
 */
#include "app/app.h"

#include "proto/presets.h"
#include "proto/proto.h"
#include "sim/sim.h"
#include "tui/scene.h"
#include "tui/tui_cap.h"
#include "util/i18n.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMPARE_WORKLOAD "workload clients 3 rate 10/s keys 2"

int compare_cmd_main(int argc, char **argv)
{
	int nodes = 5, nproto = 0;
	bool seed_set = false;
	uint64_t seed = 0;
	const char *db = NULL;
	const char *names[3];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(
			    "%s",
			    _("Usage: netsplit compare [PROTOCOL...] [N] [--seed S] [--db PATH]\n"
			      "Two or three clusters side by side (default: raft paxos zab),\n"
			      "each of N nodes (default 5), under the same seed, workload, clock "
			      "and\n"
			      "faults: every key and command applies to all. Each side counts\n"
			      "requests answered, refused and timed out, and says whether it\n"
			      "stayed linearizable. A PROTOCOL may be a real system's preset\n"
			      "(etcd, zookeeper, cassandra, dynamodb): `netsplit compare etcd\n"
			      "zookeeper cassandra` puts three rows of the CAP table under one\n"
			      "partition.\n"));
			return 0;
		}
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;
			errno = 0;
			seed = strtoull(argv[++i], &end, 10);
			if (*end || errno || !*argv[i] || *argv[i] == '-') {
				fprintf(stderr,
					_("netsplit: --seed expects a whole number, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			seed_set = true;
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] >= '1' && argv[i][0] <= '9') {
			char *end;
			long n = strtol(argv[i], &end, 10);
			if (*end || n < 1 || n > SCENE_MAX_NODES || n > SIM_MAX_NODES) {
				fprintf(
				    stderr,
				    _("netsplit compare: expected a number of nodes, got \"%s\"\n"),
				    argv[i]);
				return 2;
			}
			nodes = (int)n;
		} else {
			/* A real system's preset runs as `cluster NAME N`: its base
			 * protocol with the system's options (presets.c). */
			const struct proto_preset *pr = proto_preset_find(argv[i]);
			const struct proto_ops *ops = proto_find(pr ? pr->base : argv[i]);
			if (!ops) {
				fprintf(stderr, _("netsplit compare: unknown protocol \"%s\"\n"),
					argv[i]);
				return 2;
			}
			if (!ops->kv_clients) {
				fprintf(
				    stderr,
				    _("netsplit compare: %s serves no key-value clients; compare "
				      "protocols that do (raft, paxos, ...)\n"),
				    argv[i]);
				return 2;
			}
			if (nproto == 3) {
				fprintf(stderr, _("netsplit compare: at most three protocols\n"));
				return 2;
			}
			names[nproto++] = pr ? pr->name : ops->name;
		}
	}
	if (nproto == 0) {
		/* Issue 16: "the same partition and leader crash on all three". */
		names[nproto++] = "raft";
		names[nproto++] = "paxos";
		names[nproto++] = "zab";
	}
	if (nproto < 2) {
		fprintf(stderr, _("netsplit compare: name two or three protocols\n"));
		return 2;
	}
	char cmd[3][64];
	struct tui_cap_spec spec = {
	    .name = "compare",
	    .n = nproto,
	    .nodes = nodes,
	    .seed = seed_set ? seed : (uint64_t)time(NULL) % 1000000,
	    .workload = COMPARE_WORKLOAD,
	    .db_path = db,
	};
	for (int k = 0; k < nproto; k++) {
		ns_snprintf(cmd[k], sizeof cmd[k], "cluster %s %d", names[k], nodes);
		spec.cluster[k].tag = names[k];
		spec.cluster[k].cluster = cmd[k];
	}
	return tui_cap_run(&spec);
}

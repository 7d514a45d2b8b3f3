/*
 * cap_cmd.c — `netsplit cap [N] [--seed S] [--ap dynamo|primary] [--db PATH]`:
 * which clusters the side-by-side CAP screen (src/tui/tui_cap.c) compares.
 *
 * The screen knows no protocol; this file chooses them, as data: on the CP
 * side Raft with ReadIndex reads (linearizable), on the AP side Dynamo-style
 * quorums with w=1 r=1 or an asynchronous primary (available, not
 * linearizable), or Raft answering reads from a node's own state when
 * neither is built in.
 *
 * The clients. By default (`--clients tied`) each node has a client of its
 * own, tied to it (`workload clients N rate 10/s keys 2 home nodes`): it
 * reaches other nodes only over its node's links, so a partition separates
 * clients as it separates nodes, as in a real network, and the clients on
 * the minority side see what the minority can do — refusals and timeouts
 * on the CP side, stale reads on the AP side. `--clients roam` is the
 * other model: three clients that reach every node and follow redirects
 * to the leader, wherever it is (CP then looks available too, because no
 * client is cut off from the majority).
 *
 * `--systems A,B[,C]` puts real systems side by side instead (issue 20):
 * presets (etcd, zookeeper, cassandra, dynamodb; presets.c) or protocols,
 * with the same clients, so the CAP table's last column is read off the
 * screen: after a minority/majority split the CP systems' minority clients
 * are refused or time out, the AP systems' answer, some stale.
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAP_WORKLOAD_ROAM "workload clients 3 rate 10/s keys 2"

/* The AP side's cluster command into buf; false (message in err) if the
 * protocol asked for is not available. */
static bool ap_command(const char *ap, int n, char *buf, size_t len, struct sbuf *err)
{
	if (!ap)
		ap = proto_find("dynamo") ? "dynamo" : proto_find("primary") ? "primary" : NULL;
	if (!ap) {
		/* Neither AP protocol is built in: Raft answering reads from any
		 * node's local state stands in (available, not linearizable). */
		ns_snprintf(buf, len, "cluster raft %d reads=local", n);
		return true;
	}
	if (!proto_find(ap)) {
		sbuf_printf(err, _("netsplit cap: --ap %s: that protocol is not built in\n"), ap);
		return false;
	}
	if (!strcmp(ap, "dynamo"))
		ns_snprintf(buf, len, "cluster dynamo %d n=%d w=1 r=1", n, MIN(3, n));
	else if (!strcmp(ap, "primary"))
		ns_snprintf(buf, len, "cluster primary %d mode=async", n);
	else {
		sbuf_printf(err, _("netsplit cap: --ap expects dynamo or primary, got \"%s\"\n"),
			    ap);
		return false;
	}
	return true;
}

static uint64_t cap_seed(void)
{
	uint64_t s = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
			s = 0;
		close(fd);
	}
	return (s ? s : (uint64_t)getpid()) % 1000000;
}

int cap_cmd_main(int argc, char **argv)
{
	int nodes = 5;
	bool seed_set = false;
	uint64_t seed = 0;
	const char *ap = NULL, *db = NULL, *systems = NULL;
	bool roam = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf(
			    "%s",
			    _("Usage: netsplit cap [N] [--seed S] [--ap dynamo|primary] "
			      "[--clients tied|roam] [--db PATH]\n"
			      "A CP cluster (raft, ReadIndex reads) and an AP cluster (dynamo\n"
			      "n=3 w=1 r=1, or an asynchronous primary) side by side, under the\n"
			      "same seed, workload, clock and faults: every key and command\n"
			      "applies to both. Each side counts requests answered, refused and\n"
			      "timed out, stale reads, and says whether it stayed "
			      "linearizable. R records both, each as a recording of its own.\n"
			      "--clients tied (the default): one client per node, which\n"
			      "reaches the others only over its node's links, so a partition\n"
			      "cuts clients off as it cuts nodes; --clients roam: three clients\n"
			      "that reach every node and follow redirects to the leader.\n"
			      "--systems A,B[,C]: two or three real systems side by side instead\n"
			      "(etcd, zookeeper, cassandra, dynamodb, or a protocol):\n"
			      "`netsplit cap --systems zookeeper,cassandra`.\n"));
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
		} else if (!strcmp(argv[i], "--ap") && i + 1 < argc) {
			ap = argv[++i];
		} else if (!strcmp(argv[i], "--systems") && i + 1 < argc) {
			systems = argv[++i];
		} else if (!strcmp(argv[i], "--clients") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "tied") || !strcmp(argv[i], "roam")) {
				roam = argv[i][0] == 'r';
			} else {
				fprintf(
				    stderr,
				    _("netsplit cap: --clients expects tied or roam, got \"%s\"\n"),
				    argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db = argv[++i];
		} else if (argv[i][0] >= '1' && argv[i][0] <= '9') {
			char *end;
			long n = strtol(argv[i], &end, 10);
			if (*end || n < 1 || n > SCENE_MAX_NODES || n > SIM_MAX_NODES) {
				fprintf(stderr,
					_("netsplit cap: expected a number of nodes, got \"%s\"\n"),
					argv[i]);
				return 2;
			}
			nodes = (int)n;
		} else {
			fprintf(stderr, _("netsplit cap: unexpected argument \"%s\"\n"), argv[i]);
			return 2;
		}
	}
	char cmds[3][128], tags[3][24];
	int nsys = 0;
	if (systems) {
		char list[256];
		ns_strlcpy(list, systems, sizeof list);
		for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			const struct proto_preset *pr = proto_preset_find(t);
			const struct proto_ops *ops = proto_find(pr ? pr->base : t);
			if (!ops || !ops->kv_clients) {
				fprintf(stderr,
					_("netsplit cap: --systems: \"%s\" is not a system or a "
					  "protocol with key-value clients (etcd, zookeeper, "
					  "cassandra, dynamodb, raft, ...)\n"),
					t);
				return 2;
			}
			if (nsys == 3) {
				fprintf(stderr, "%s",
					_("netsplit cap: --systems: at most three\n"));
				return 2;
			}
			ns_snprintf(cmds[nsys], sizeof cmds[nsys], "cluster %s %d", t, nodes);
			ns_strlcpy(tags[nsys], t, sizeof tags[nsys]);
			nsys++;
		}
		if (nsys < 2) {
			fprintf(
			    stderr, "%s",
			    _("netsplit cap: --systems names two or three, joined by commas\n"));
			return 2;
		}
	}
	char cp_cmd[128], ap_cmd[128];
	ns_snprintf(cp_cmd, sizeof cp_cmd, "cluster raft %d reads=readindex", nodes);
	struct sbuf err = {0};
	if (!nsys && !ap_command(ap, nodes, ap_cmd, sizeof ap_cmd, &err)) {
		fputs(sbuf_str(&err), stderr);
		sbuf_free(&err);
		return 2;
	}
	sbuf_free(&err);
	char workload[128];
	if (roam)
		ns_snprintf(workload, sizeof workload, "%s", CAP_WORKLOAD_ROAM);
	else
		ns_snprintf(workload, sizeof workload,
			    "workload clients %d rate 10/s keys 2 home nodes", nodes);
	struct tui_cap_spec spec = {
	    .name = "cap",
	    .n = 2,
	    .cluster = {{"CP", cp_cmd}, {"AP", ap_cmd}},
	    .nodes = nodes,
	    .seed = seed_set ? seed : cap_seed(),
	    .workload = workload,
	    .tied = !roam,
	    .db_path = db,
	};
	for (int k = 0; k < nsys; k++)
		spec.cluster[k] = (struct tui_cap_cluster){tags[k], cmds[k]};
	if (nsys)
		spec.n = nsys;
	return tui_cap_run(&spec);
}

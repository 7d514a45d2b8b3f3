/*
 * bench_tui.c — what the screen costs. Prints figures; asserts nothing.
 *
 *  1. CPU time per frame at 200x60 with 12 nodes and about 200 messages in
 *     flight (heartbeat on 12 nodes with 150ms links): snapshot, scene,
 *     rasterising and painting into a curses screen made with newterm() on
 *     a pipe (TERM=xterm-256color, UTF-8). Measured for an
 *     unchanged frame and for frames 33ms of simulated time apart (the
 *     simulation's own work between frames is not counted).
 *  2. Bytes written to the terminal per frame: unchanged, and moving. The
 *     terminal is a pipe that the benchmark drains (and counts) after each
 *     frame; draining is not counted in figure 1.
 *  3. CPU used by the real program, paused and running at 1x, over 2 s
 *     each: `netsplit sandbox` run on a pseudo-terminal, its CPU time read
 *     from /proc. Give the program's path as the first argument (default:
 *     ../netsplit next to this benchmark).
 *
 * Run: ./build/bench/bench_tui [path/to/netsplit]
 */
#include "tui/tui_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define W      200
#define H      60
#define FRAMES 300
#define ROUNDS 5 /* the machine may be busy: each figure is the best of 5 rounds */

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct frame {
	struct scene_snap snap;
	struct tui_snapbuf sb;
	struct scene sc;
	struct scene_grid grid, painted;
	struct tui_term term;
	struct scene_line events[8];
	struct scene_key keys[4];
};

/* CPU spent in each phase of a frame. */
static double t_scene, t_paint, t_update;

/* One frame, as the screen draws it. */
static void draw(struct frame *f, struct sim *s)
{
	double c0 = cpu_now();
	memset(&f->snap, 0, sizeof f->snap);
	f->snap.w = W;
	f->snap.h = H;
	f->snap.unicode = true;
	f->snap.color = true;
	f->snap.status = "netsplit · heartbeat · 12 nodes · seed 1 · t=1.000s · 1.0x · running";
	tui_snap_cluster(s, 0, &f->sb, &f->snap);
	f->snap.nevents = 8;
	f->snap.events = f->events;
	f->snap.nkeys = 4;
	f->snap.keys = f->keys;
	scene_view_cluster(&f->sc, &f->snap);
	scene_rasterize(&f->sc, &f->grid);
	double c1 = cpu_now();
	tui_paint(stdscr, &f->grid, &f->painted, f->term.attr);
	wnoutrefresh(stdscr);
	double c2 = cpu_now();
	doupdate();
	double c3 = cpu_now();
	t_scene += c1 - c0;
	t_paint += c2 - c1;
	t_update += c3 - c2;
}

/* The terminal: a pipe, drained after each frame, counting the bytes. */
static int pipe_rd = -1;
static long written;

static long file_pos(FILE *out)
{
	fflush(out);
	char buf[65536];
	ssize_t n;
	while ((n = read(pipe_rd, buf, sizeof buf)) > 0)
		written += n;
	return written;
}

static void quiet(void *ctx, enum world_out k, const char *text)
{
	(void)ctx;
	(void)k;
	(void)text;
}

static void bench_frames(void)
{
	struct world *w = world_new();
	struct sbuf err = {0};
	world_set_output(w, quiet, NULL);
	if (world_exec_line(w,
			    "seed 1\ncluster heartbeat 12\nnet latency 150ms jitter 10ms\nrun 2s",
			    &err) != EXEC_OK) {
		fprintf(stderr, "bench_tui: %s\n", sbuf_str(&err));
		exit(1);
	}
	struct sim *s = world_sim(w);

	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "60", 1);
	setenv("COLUMNS", "200", 1);
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		exit(1);
	}
	pipe_rd = fds[0];
	fcntl(pipe_rd, F_SETFL, O_NONBLOCK);
	FILE *out = fdopen(fds[1], "w");
	FILE *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "bench_tui: newterm failed\n");
		exit(1);
	}
	set_term(scr);
	typeahead(-1); /* as the screen does */
	struct frame *f = xcalloc(1, sizeof *f);
	scene_init(&f->sc);
	scene_grid_init(&f->grid);
	tui_term_styles(&f->term, true);
	for (int i = 0; i < 8; i++)
		f->events[i] =
		    (struct scene_line){"1.204s n3 → n1 Heartbeat #12 hears n1,n2,n4", SS_NORMAL};
	static const struct scene_key keys[] = {
	    {"?", "help"}, {"space", "pause"}, {":", "command"}, {"q", "quit"}};
	memcpy(f->keys, keys, sizeof keys);

	draw(f, s); /* first frame: everything is new */
	int inflight = sim_inflight_count(s);
	double best_still = 1e9, best_moving = 1e9, bs = 0, bp = 0, bu = 0;
	long still_bytes = 0, moving_bytes = 0;
	int msgs = 0;
	for (int round = 0; round < ROUNDS; round++) {
		/* Unchanged frames. */
		long p0 = file_pos(out);
		double c0 = cpu_now();
		for (int i = 0; i < FRAMES; i++)
			draw(f, s);
		double still = (cpu_now() - c0) / FRAMES;
		still_bytes = (file_pos(out) - p0) / FRAMES;
		if (still < best_still)
			best_still = still;

		/* Moving frames: 33ms of simulated time apart; the simulation's
		 * own work is not counted. */
		t_scene = t_paint = t_update = 0;
		double spent = 0;
		long bytes = 0;
		msgs = 0;
		for (int i = 0; i < FRAMES; i++) {
			world_advance_to(w, sim_now(s) + 33 * SIM_MS);
			msgs += sim_inflight_count(s);
			long q0 = file_pos(out);
			double t0 = cpu_now();
			draw(f, s);
			spent += cpu_now() - t0;
			bytes += file_pos(out) - q0;
		}
		moving_bytes = bytes / FRAMES;
		if (spent / FRAMES < best_moving) {
			best_moving = spent / FRAMES;
			bs = t_scene / FRAMES;
			bp = t_paint / FRAMES;
			bu = t_update / FRAMES;
		}
	}
	printf("frame at %dx%d, 12 nodes, %d messages in flight (avg %d while moving),\n"
	       "best of %d rounds of %d frames:\n",
	       W, H, inflight, msgs / FRAMES, ROUNDS, FRAMES);
	printf("  CPU per unchanged frame: %8.1f us\n", best_still * 1e6);
	printf("  CPU per moving frame:    %8.1f us\n", best_moving * 1e6);
	printf("    snapshot + scene + raster %.1f us, painting into curses %.1f us,\n"
	       "    doupdate (curses' diff and its writes to the terminal) %.1f us\n",
	       bs * 1e6, bp * 1e6, bu * 1e6);
	printf("  bytes per unchanged frame: %ld\n", still_bytes);
	printf("  bytes per moving frame:    %ld\n", moving_bytes);

	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	close(pipe_rd);
	scene_close(&f->sc);
	scene_grid_close(&f->grid);
	scene_grid_close(&f->painted);
	tui_snapbuf_free(&f->sb);
	free(f);
	sbuf_free(&err);
	world_free(w);
}

/* ---- the real program on a pty -------------------------------------------------- */

/* CPU seconds (user + system) of a process, from /proc. */
static double proc_cpu(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long utime = 0, stime = 0;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
	    2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Reads and discards the child's output for `secs` seconds. */
static void drain(int fd, double secs)
{
	double end = wall_now() + secs;
	char buf[65536];
	for (;;) {
		double left = end - wall_now();
		if (left <= 0)
			return;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, (int)(left * 1000) + 1) > 0) {
			if (read(fd, buf, sizeof buf) <= 0)
				return;
		}
	}
}

static void bench_process(const char *prog)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/tmp/bench_tui.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return;
	}
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return;
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("XDG_STATE_HOME", dir, 1);
		execl(prog, prog, "sandbox", "heartbeat", "5", "--seed", "1", (char *)NULL);
		_exit(127);
	}
	drain(master, 0.5);
	double r0 = proc_cpu(pid);
	drain(master, 2.0);
	double r1 = proc_cpu(pid);
	if (write(master, " ", 1) != 1) /* pause */
		perror("write");
	drain(master, 0.3);
	double q0 = proc_cpu(pid);
	drain(master, 2.0);
	double q1 = proc_cpu(pid);
	if (write(master, "q", 1) != 1)
		perror("write");
	drain(master, 0.3);
	int st;
	waitpid(pid, &st, 0);
	close(master);
	if (r0 < 0 || q0 < 0) {
		printf("process: could not read /proc for %s\n", prog);
	} else {
		printf("%s sandbox heartbeat 5 at 80x24 (2 s each, clock tick %ld Hz):\n", prog,
		       sysconf(_SC_CLK_TCK));
		printf("  CPU running at 1.0x: %5.1f %%\n", (r1 - r0) / 2.0 * 100);
		printf("  CPU paused:          %5.1f %%\n", (q1 - q0) / 2.0 * 100);
	}
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_tui: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	bench_frames();
	char prog[PATH_MAX];
	if (argc > 1) {
		ns_strlcpy(prog, argv[1], sizeof prog);
	} else {
		ssize_t n = readlink("/proc/self/exe", prog, sizeof prog - 32);
		if (n < 0)
			return 0;
		prog[n] = '\0';
		char *slash = strrchr(prog, '/');
		if (slash)
			strcpy(slash, "/../netsplit");
	}
	if (access(prog, X_OK) == 0)
		bench_process(prog);
	else
		printf("(no netsplit program at %s: CPU while paused not measured)\n", prog);
	return 0;
}

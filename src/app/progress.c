/*
 * progress.c — a progress line for the headless commands (run, fuzz,
 * hunt) when they take more than a couple of seconds of wall time: one
 * line on stderr, rewritten in place, and only when stderr is a terminal
 * (never in a pipe or a log, never in the trace). The wall clock is read
 * here, in the program, never by the simulation, so a run's trace is the
 * same with or without it.
 */
#include "app.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_AFTER 2.0  /* seconds of wall time before the first line */
#define PROGRESS_EVERY 0.25 /* seconds between two lines */

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, bool want)
{
	p->on = want && isatty(STDERR_FILENO);
	p->shown = false;
	p->t0 = p->last = p->on ? wall() : 0;
}

bool progress_due(struct progress *p)
{
	if (!p->on)
		return false;
	double now = wall();
	if (now - p->t0 < PROGRESS_AFTER || now - p->last < PROGRESS_EVERY)
		return false;
	p->last = now;
	return true;
}

void progress_show(struct progress *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputc('\r', stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (%.0f s)\033[K", wall() - p->t0);
	fflush(stderr);
	va_end(ap);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

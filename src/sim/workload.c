/*
 * workload.c — the client workload generator; see workload.h for the
 * arrival process, the values and the lifetime rule.
 */
#include "sim/workload.h"

#include "util/i18n.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct workload {
	struct sim *sim;
	struct workload_cfg cfg;
	struct workload_stats st;
	bool running;
	sim_time started;
	sim_time next;                            /* the queued arrival, or SIM_NEVER */
	uint64_t counter[WORKLOAD_MAX_KEYS];      /* last fresh value per key */
	char last[WORKLOAD_MAX_KEYS][KV_VAL_MAX]; /* last value written per key */
};

static const char *const fn_names[WL_NFN] = {"get", "put", "cas", "append"};

void workload_cfg_default(struct workload_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->clients = 3;
	cfg->client_base = 100;
	cfg->rate = 10;
	cfg->keys = 1;
	cfg->mix[WL_GET] = 50;
	cfg->mix[WL_PUT] = 50;
}

void workload_key_name(int i, char *buf, size_t n)
{
	static const char *const names[] = {"x", "y", "z", "u", "v", "w"};
	if (i >= 0 && (size_t)i < ARRAY_LEN(names))
		ns_snprintf(buf, n, "%s", names[i]);
	else
		ns_snprintf(buf, n, "k%d", i + 1);
}

static bool parse_int(const char *t, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(t, &end, 10);
	if (end == t || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_rate(const char *t, double *out)
{
	char *end;
	double v = strtod(t, &end);
	if (end == t || !(v > 0) || v > 1e6)
		return false;
	if (!strcmp(end, "/ms"))
		v *= 1000;
	else if (*end && strcmp(end, "/s"))
		return false;
	if (v > 1e6)
		return false;
	*out = v;
	return true;
}

static bool parse_mix(const char *t, int *mix)
{
	int m[WL_NFN] = {0}, sum = 0;
	char buf[128];
	if (ns_strlcpy(buf, t, sizeof buf) >= sizeof buf)
		return false;
	for (char *save = NULL, *it = strtok_r(buf, ",", &save); it;
	     it = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(it, ':');
		if (!colon)
			return false;
		*colon = '\0';
		int f = -1;
		for (int i = 0; i < WL_NFN; i++)
			if (!strcmp(it, fn_names[i]))
				f = i;
		long w;
		if (f < 0 || !parse_int(colon + 1, 0, 1000000, &w))
			return false;
		m[f] = (int)w;
		sum += (int)w;
	}
	if (sum <= 0)
		return false;
	memcpy(mix, m, sizeof m);
	return true;
}

bool workload_parse(const char *spec, struct workload_cfg *cfg, struct sbuf *err)
{
	workload_cfg_default(cfg);
	char *copy = xstrdup(spec ? spec : "");
	bool ok = true;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w && ok; w = strtok_r(NULL, " \t", &save)) {
		char *arg = strtok_r(NULL, " \t", &save);
		long v;
		if (!arg) {
			sbuf_printf(err, _("workload: '%s' needs a value"), w);
			ok = false;
		} else if (!strcmp(w, "clients")) {
			if (!(ok = parse_int(arg, 1, 1000, &v)))
				sbuf_printf(err, _("workload: clients must be 1..1000, not '%s'"),
					    arg);
			else
				cfg->clients = (int)v;
		} else if (!strcmp(w, "base")) {
			if (!(ok = parse_int(arg, 1, 1000000, &v)))
				sbuf_printf(err,
					    _("workload: base must be a client number, not '%s'"),
					    arg);
			else
				cfg->client_base = (int)v;
		} else if (!strcmp(w, "keys")) {
			if (!(ok = parse_int(arg, 1, WORKLOAD_MAX_KEYS, &v)))
				sbuf_printf(err, _("workload: keys must be 1..%d, not '%s'"),
					    WORKLOAD_MAX_KEYS, arg);
			else
				cfg->keys = (int)v;
		} else if (!strcmp(w, "rate")) {
			if (!(ok = parse_rate(arg, &cfg->rate)))
				sbuf_printf(
				    err, _("workload: rate must look like 20/s or 2/ms, not '%s'"),
				    arg);
		} else if (!strcmp(w, "mix")) {
			if (!(ok = parse_mix(arg, cfg->mix)))
				sbuf_printf(err,
					    _("workload: mix must look like put:40,get:40,cas:20 "
					      "(get, put, cas, append), not '%s'"),
					    arg);
		} else if (!strcmp(w, "arrivals")) {
			if (!strcmp(arg, "uniform") || !strcmp(arg, "poisson")) {
				cfg->uniform = arg[0] == 'u';
			} else {
				sbuf_printf(
				    err,
				    _("workload: arrivals must be poisson or uniform, not '%s'"),
				    arg);
				ok = false;
			}
		} else if (!strcmp(w, "home")) {
			if (!strcmp(arg, "nodes") || !strcmp(arg, "any")) {
				cfg->home = arg[0] == 'n';
			} else {
				sbuf_printf(err, _("workload: home must be nodes or any, not '%s'"),
					    arg);
				ok = false;
			}
		} else if (!strcmp(w, "for")) {
			size_t used = simtime_parse(arg, &cfg->duration, 0);
			if (!(ok = used > 0 && cfg->duration > 0))
				sbuf_printf(err,
					    _("workload: for needs a duration like 10s, not '%s'"),
					    arg);
		} else {
			sbuf_printf(err,
				    _("workload: unknown word '%s' (clients, rate, keys, mix, "
				      "base, arrivals, for, home)"),
				    w);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

void workload_cfg_fmt(const struct workload_cfg *cfg, struct sbuf *out)
{
	sbuf_printf(out, "clients %d rate %g/s keys %d mix ", cfg->clients, cfg->rate, cfg->keys);
	bool first = true;
	for (int i = 0; i < WL_NFN; i++) {
		if (!cfg->mix[i])
			continue;
		sbuf_printf(out, "%s%s:%d", first ? "" : ",", fn_names[i], cfg->mix[i]);
		first = false;
	}
	if (cfg->client_base != 100)
		sbuf_printf(out, " base %d", cfg->client_base);
	if (cfg->uniform)
		sbuf_puts(out, " arrivals uniform");
	if (cfg->home)
		sbuf_puts(out, " home nodes");
	if (cfg->duration > 0) {
		char buf[32];
		sbuf_printf(out, " for %s", simtime_fmt_dur(cfg->duration, buf, sizeof buf));
	}
}

/* The time to the next arrival, in microseconds (at least 1). */
static sim_time gap(struct workload *w)
{
	struct rng *r = sim_rng(w->sim);
	double mean = 1e6 / w->cfg.rate, d;
	if (w->cfg.uniform)
		d = rng_double(r) * 2 * mean;
	else
		d = -log(1 - rng_double(r)) * mean; /* 1 - U is in (0, 1] */
	if (d > 1e15)
		d = 1e15;
	return d < 1 ? 1 : (sim_time)d;
}

static void arrive(void *ctx, struct sim *s, uint64_t arg);

static void schedule_next(struct workload *w)
{
	sim_time at = sim_now(w->sim) + gap(w);
	if (w->cfg.duration > 0 && at >= w->started + w->cfg.duration) {
		w->running = false;
		w->next = SIM_NEVER;
		return;
	}
	w->next = at;
	sim_schedule(w->sim, at, arrive, w, 0);
}

static enum workload_fn pick_fn(struct workload *w)
{
	int sum = 0;
	for (int i = 0; i < WL_NFN; i++)
		sum += w->cfg.mix[i];
	int64_t x = rng_range(sim_rng(w->sim), 0, sum - 1);
	for (int i = 0; i < WL_NFN; i++) {
		if (x < w->cfg.mix[i])
			return (enum workload_fn)i;
		x -= w->cfg.mix[i];
	}
	return WL_GET;
}

static void arrive(void *ctx, struct sim *s, uint64_t arg)
{
	struct workload *w = ctx;
	(void)arg;
	w->next = SIM_NEVER;
	if (!w->running)
		return;
	/* A random idle client of ours. */
	int n = w->cfg.clients, start = (int)rng_below(sim_rng(s), (uint64_t)n), client = -1;
	for (int k = 0; k < n; k++) {
		int c = w->cfg.client_base + (start + k) % n;
		if (!sim_client_busy(s, c)) {
			client = c;
			break;
		}
	}
	if (client < 0) {
		w->st.skipped++;
		schedule_next(w);
		return;
	}
	int key = (int)rng_below(sim_rng(s), (uint64_t)w->cfg.keys);
	enum workload_fn fn = pick_fn(w);
	struct kv_op op;
	memset(&op, 0, sizeof op);
	workload_key_name(key, op.key, sizeof op.key);
	switch (fn) {
	case WL_GET: op.fn = KV_GET; break;
	case WL_PUT:
		op.fn = KV_PUT;
		ns_snprintf(op.arg, sizeof op.arg, "%llu", (unsigned long long)++w->counter[key]);
		ns_strlcpy(w->last[key], op.arg, sizeof w->last[key]);
		break;
	case WL_CAS:
		op.fn = KV_CAS;
		ns_strlcpy(op.arg, w->last[key], sizeof op.arg);
		ns_snprintf(op.arg2, sizeof op.arg2, "%llu", (unsigned long long)++w->counter[key]);
		ns_strlcpy(w->last[key], op.arg2, sizeof w->last[key]);
		break;
	case WL_APPEND:
	case WL_NFN:
		op.fn = KV_APPEND;
		ns_snprintf(op.arg, sizeof op.arg, "%llu;", (unsigned long long)++w->counter[key]);
		break;
	}
	w->st.invoked[fn == WL_NFN ? WL_APPEND : fn]++;
	sim_client_invoke(s, client, -1, &op);
	schedule_next(w);
}

struct workload *workload_start(struct sim *s, const struct workload_cfg *cfg)
{
	struct workload *w = xcalloc(1, sizeof *w);
	w->sim = s;
	w->cfg = *cfg;
	if (w->cfg.keys < 1)
		w->cfg.keys = 1;
	if (w->cfg.keys > WORKLOAD_MAX_KEYS)
		w->cfg.keys = WORKLOAD_MAX_KEYS;
	if (w->cfg.clients < 1)
		w->cfg.clients = 1;
	if (w->cfg.client_base < 1)
		w->cfg.client_base = 1;
	if (!(w->cfg.rate > 0))
		w->cfg.rate = 1;
	int sum = 0;
	for (int i = 0; i < WL_NFN; i++)
		sum += w->cfg.mix[i] > 0 ? w->cfg.mix[i] : 0;
	if (sum <= 0)
		w->cfg.mix[WL_GET] = 1;
	for (int k = 0; w->cfg.home && k < w->cfg.clients; k++)
		sim_client_set_home(s, w->cfg.client_base + k, k % sim_nodes(s));
	w->running = true;
	w->started = sim_now(s);
	schedule_next(w);
	return w;
}

void workload_stop(struct workload *w)
{
	if (w)
		w->running = false;
}

bool workload_running(const struct workload *w)
{
	return w && w->running;
}

sim_time workload_next_arrival(const struct workload *w)
{
	return w ? w->next : SIM_NEVER;
}

const struct workload_stats *workload_stats(const struct workload *w)
{
	return &w->st;
}

const struct workload_cfg *workload_cfg(const struct workload *w)
{
	return &w->cfg;
}

void workload_free(struct workload *w)
{
	free(w);
}

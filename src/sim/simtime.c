/*
 * simtime.c — parsing and formatting of simulated durations; see simtime.h.
 */
#include "sim/simtime.h"

#include "util/util.h"

#include <string.h>

size_t simtime_parse(const char *s, sim_time *out, int allow_sign)
{
	const char *p = s;
	int neg = 0;
	if (allow_sign && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return 0;
	int64_t whole = 0;
	while (*p >= '0' && *p <= '9') {
		if (whole > INT64_MAX / 100000000)
			return 0;
		whole = whole * 10 + (*p++ - '0');
	}
	int64_t frac = 0, scale = 1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9') {
			if (scale < 1000000) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
			p++;
		}
	}
	int64_t unit;
	if (!strncmp(p, "us", 2)) {
		unit = 1;
		p += 2;
	} else if (!strncmp(p, "ms", 2)) {
		unit = 1000;
		p += 2;
	} else if (*p == 's') {
		unit = 1000000;
		p += 1;
	} else {
		return 0;
	}
	if (*p != '\0')
		return 0;
	sim_time t = whole * unit + frac * unit / scale;
	*out = neg ? -t : t;
	return (size_t)(p - s);
}

char *simtime_fmt(sim_time t, char *buf, size_t n)
{
	const char *sign = t < 0 ? "-" : "";
	uint64_t a = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
	if (a % 1000 == 0)
		ns_snprintf(buf, n, "%s%llu.%03llus", sign, (unsigned long long)(a / 1000000),
			    (unsigned long long)(a / 1000 % 1000));
	else
		ns_snprintf(buf, n, "%s%llu.%06llus", sign, (unsigned long long)(a / 1000000),
			    (unsigned long long)(a % 1000000));
	return buf;
}

char *simtime_fmt_dur(sim_time t, char *buf, size_t n)
{
	const char *sign = t < 0 ? "-" : "";
	uint64_t a = t < 0 ? (uint64_t)(-(t + 1)) + 1 : (uint64_t)t;
	if (a == 0)
		ns_snprintf(buf, n, "0s");
	else if (a % 1000000 == 0)
		ns_snprintf(buf, n, "%s%llus", sign, (unsigned long long)(a / 1000000));
	else if (a >= 1000000 && a % 1000 == 0) {
		/* 1.5s rather than 1500ms; trailing zeros trimmed */
		char frac[8];
		ns_snprintf(frac, sizeof frac, "%03llu", (unsigned long long)(a / 1000 % 1000));
		for (int i = 2; i > 0 && frac[i] == '0'; i--)
			frac[i] = '\0';
		ns_snprintf(buf, n, "%s%llu.%ss", sign, (unsigned long long)(a / 1000000), frac);
	} else if (a % 1000 == 0)
		ns_snprintf(buf, n, "%s%llums", sign, (unsigned long long)(a / 1000));
	else
		ns_snprintf(buf, n, "%s%lluus", sign, (unsigned long long)a);
	return buf;
}

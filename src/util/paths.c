/*
 * paths.c — where the lessons, themes and translations are (paths.h): the
 * running program's path decides between its install prefix, its build
 * tree and the directories configured at build time.
 */
#include "util/paths.h"

#include "config.h"
#include "util/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether path lies inside dir (dir itself included); both absolute,
 * dir resolved through realpath() when it exists. */
static bool inside(const char *path, const char *dir)
{
	char real[PATH_MAX];
	if (!realpath(dir, real))
		return false;
	size_t n = strlen(real);
	while (n > 1 && real[n - 1] == '/')
		n--;
	return !strncmp(path, real, n) && (path[n] == '/' || path[n] == '\0');
}

static void set(struct paths *out, const char *lessons, const char *assets, const char *locale,
		bool uninstalled)
{
	ns_strlcpy(out->lessons, lessons, sizeof out->lessons);
	ns_strlcpy(out->assets, assets, sizeof out->assets);
	ns_strlcpy(out->locale, locale, sizeof out->locale);
	out->uninstalled = uninstalled;
}

/* PREFIX for exe = PREFIX/BINDIR/NAME, when it has that shape. */
static bool prefix_of(const char *exe, char *prefix, size_t n)
{
	const char *slash = strrchr(exe, '/');
	size_t dirlen = slash ? (size_t)(slash - exe) : 0;
	size_t binlen = strlen(NETSPLIT_BINDIR_REL);
	if (!slash || dirlen < binlen + 1 || exe[dirlen - binlen - 1] != '/' ||
	    strncmp(exe + dirlen - binlen, NETSPLIT_BINDIR_REL, binlen) != 0)
		return false;
	size_t plen = dirlen - binlen - 1;
	if (plen + 1 > n)
		return false;
	memcpy(prefix, exe, plen);
	prefix[plen] = '\0';
	return true;
}

void paths_resolve(const char *exe, struct paths *out)
{
	char prefix[PATHS_MAX], data[PATHS_MAX], a[PATHS_MAX], b[PATHS_MAX], c[PATHS_MAX];
	if (exe && prefix_of(exe, prefix, sizeof prefix)) {
		ns_snprintf(data, sizeof data, "%s/%s", prefix, NETSPLIT_DATADIR_REL);
		ns_snprintf(a, sizeof a, "%s/lessons", data);
		if (is_dir(a)) {
			ns_snprintf(b, sizeof b, "%s/%s", prefix, NETSPLIT_LOCALEDIR_REL);
			set(out, a, data, b, false);
			return;
		}
	}
	if (exe && inside(exe, NETSPLIT_BUILD_DIR) && is_dir(NETSPLIT_SOURCE_DIR "/lessons")) {
		set(out, NETSPLIT_SOURCE_DIR "/lessons", NETSPLIT_SOURCE_DIR "/assets",
		    NETSPLIT_BUILD_DIR "/locale", true);
		return;
	}
	if (!exe && !is_dir(NETSPLIT_DATADIR "/lessons") &&
	    is_dir(NETSPLIT_SOURCE_DIR "/lessons")) {
		set(out, NETSPLIT_SOURCE_DIR "/lessons", NETSPLIT_SOURCE_DIR "/assets",
		    NETSPLIT_BUILD_DIR "/locale", true);
		return;
	}
	ns_snprintf(c, sizeof c, "%s/lessons", NETSPLIT_DATADIR);
	set(out, c, NETSPLIT_DATADIR, NETSPLIT_LOCALEDIR, false);
}

const struct paths *paths_get(void)
{
	static struct paths p;
	static bool done;
	if (!done) {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0)
			exe[n] = '\0';
		char real[PATH_MAX];
		paths_resolve(n > 0 && realpath(exe, real) ? real : NULL, &p);
		done = true;
	}
	return &p;
}

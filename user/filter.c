#include "filter.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The top directories of system files, and how many components of a
 * path under each one its fold directory keeps. */
static const struct {
	const char *dir;
	unsigned depth;
} system_dirs[] = {
	{ "/usr", 3 }, { "/etc", 1 },	{ "/proc", 1 },	 { "/sys", 1 },
	{ "/dev", 1 }, { "/run", 1 },	{ "/lib", 1 },	 { "/lib32", 1 },
	{ "/lib64", 1 }, { "/libx32", 1 }, { "/bin", 1 }, { "/sbin", 1 },
};

/* Whether path is dir or lies under it (dir without a trailing slash;
 * "/" holds everything). */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

static void add(char ***v, size_t *n, const char *arg)
{
	size_t len = strlen(arg);

	if (arg[0] != '/')
		die(EXIT_USAGE, "'%s': filters take absolute paths", arg);
	while (len > 1 && arg[len - 1] == '/')
		len--;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrndup(arg, len);
}

bool filter_option(struct filter *f, int c, const char *arg)
{
	switch (c) {
	case FILTER_OPT_EXCLUDE:
		add(&f->exclude, &f->nexclude, arg);
		return true;
	case FILTER_OPT_ONLY:
		add(&f->only, &f->nonly, arg);
		return true;
	case FILTER_OPT_FOLD:
		add(&f->fold, &f->nfold, arg);
		return true;
	case FILTER_OPT_NO_FOLD:
		f->no_fold = true;
		return true;
	}
	return false;
}

void filter_usage(FILE *out)
{
	fputs("      --exclude PREFIX  leave out the files at or under PREFIX "
	      "(repeatable)\n"
	      "      --only PREFIX     show only the files at or under "
	      "PREFIX (repeatable)\n"
	      "      --fold DIR        show the files under DIR as one entry "
	      "(repeatable)\n"
	      "      --no-fold         show system files one by one (by "
	      "default those\n"
	      "                        under /usr, /etc, /proc, /sys, /dev... "
	      "fold into one\n"
	      "                        entry per directory: /usr/include, "
	      "/etc...)\n",
	      out);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void filter_free(struct filter *f)
{
	free_list(f->exclude, f->nexclude);
	free_list(f->only, f->nonly);
	free_list(f->fold, f->nfold);
	memset(f, 0, sizeof(*f));
}

bool filter_shows(const struct filter *f, const char *path)
{
	bool only = !f->nonly;

	if (!path)
		return only;
	for (size_t i = 0; i < f->nexclude; i++)
		if (under(path, f->exclude[i]))
			return false;
	for (size_t i = 0; i < f->nonly && !only; i++)
		only = under(path, f->only[i]);
	return only;
}

bool filter_is_system(const char *path)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]);
	     i++)
		if (under(path, system_dirs[i].dir))
			return true;
	return false;
}

bool filter_is_pseudo(const char *path)
{
	return under(path, "/proc") || under(path, "/sys") ||
	       under(path, "/dev");
}

/* The length of path's first depth components, but no more than its
 * directory's: "/usr/lib/x" of "/usr/lib/x/libc.so" at depth 3. */
static size_t prefix(const char *path, unsigned depth)
{
	const char *dir_end = strrchr(path, '/');
	size_t len = 0;

	for (unsigned i = 0; i < depth; i++) {
		const char *next = strchr(path + len + 1, '/');

		if (!next || next > dir_end)
			break;
		len = next - path;
	}
	if (!len || (size_t)(dir_end - path) < len)
		len = dir_end - path;
	return len ? len : 1;
}

size_t filter_group(const struct filter *f, const char *path)
{
	size_t best = 0;

	if (!path || path[0] != '/')
		return 0;
	for (size_t i = 0; i < f->nfold; i++) {
		size_t n = strlen(f->fold[i]);

		if (under(path, f->fold[i]) && path[n] && n > best)
			best = n;
	}
	if (best || f->no_fold)
		return best;
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]);
	     i++)
		if (under(path, system_dirs[i].dir) &&
		    strcmp(path, system_dirs[i].dir))
			return prefix(path, system_dirs[i].depth);
	return 0;
}

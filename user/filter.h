/*
 * Which files a query or an export shows, and how: the options every one
 * of them takes.
 *
 *   --exclude PREFIX  leave out files at or under PREFIX (repeatable)
 *   --only PREFIX     show only files at or under one of the PREFIXes
 *   --fold DIR        fold the files under DIR into one entry (repeatable)
 *   --no-fold         show system files one by one
 *
 * System files (programs and libraries, headers, locale data, /etc, /proc,
 * /sys, /dev...) fold by default into one entry per directory they come
 * from: /usr/lib/x86_64-linux-gnu, /usr/include, /etc... (see
 * filter_group()).  Filters choose what is shown, never what is walked: a
 * lineage goes on through a file it does not show.
 */
#ifndef PROBE_FILTER_H
#define PROBE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct filter {
	bool no_fold;
	char **exclude, **only, **fold; /* absolute, no trailing slash */
	size_t nexclude, nonly, nfold;
};

/* The long options above, for getopt_long() tables: their values are
 * FILTER_OPT_*; end a table with them before its NULL entry. */
enum {
	FILTER_OPT_EXCLUDE = 0x100,
	FILTER_OPT_ONLY,
	FILTER_OPT_FOLD,
	FILTER_OPT_NO_FOLD,
};
#define FILTER_LONGOPTS                                                   \
	{ "exclude", required_argument, NULL, FILTER_OPT_EXCLUDE },       \
		{ "only", required_argument, NULL, FILTER_OPT_ONLY },     \
		{ "fold", required_argument, NULL, FILTER_OPT_FOLD },     \
	{                                                                 \
		"no-fold", no_argument, NULL, FILTER_OPT_NO_FOLD          \
	}

/* Take option c (with optarg arg) if it is one of the filter's: true. */
bool filter_option(struct filter *f, int c, const char *arg);
/* The lines of --help that describe them. */
void filter_usage(FILE *out);
void filter_free(struct filter *f);

/* Whether the filter shows path (absolute; NULL: a file with no path,
 * shown unless --only). */
bool filter_shows(const struct filter *f, const char *path);

/*
 * The length of the directory that path folds into ("/usr/include" of
 * "/usr/include/stdio.h"), or 0 if it stands alone.  A --fold DIR folds
 * what is under it; a system file folds into its top directories: two
 * components under /usr (/usr/lib/x86_64-linux-gnu, /usr/include, /usr/bin),
 * one elsewhere (/etc, /proc...), never deeper than its own directory.
 */
size_t filter_group(const struct filter *f, const char *path);

/* Whether path is a system file (what folds by default). */
bool filter_is_system(const char *path);
/* Whether path is a pseudo-file of the kernel's, whose content is no
 * file's: under /proc, /sys or /dev. */
bool filter_is_pseudo(const char *path);

#endif
